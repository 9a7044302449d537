//! Embedding recommendations in other sote sites: the widget script, the iframe version for
//! sites that allow no foreign scripts, a demo host page, and which origins may embed.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::recommend::Recommendation;
use crate::schema::{Kind, Language};
use crate::search::escape_into;

use super::error::{ApiError, Problem};
use super::similar::{self, SimilarResponse};
use super::{AppState, parse_id, reading};

const WIDGET_JS: &str = include_str!("widget.js");
/// Interface text of the widget and the iframe version; the search page labels its similar
/// practices with it too.
pub(super) const STRINGS_JSON: &str = include_str!("strings.json");
const EMBED_CSS: &str = include_str!("embed.css");
const DEMO_HTML: &str = include_str!("demo.html");
const DEMO_CSS: &str = include_str!("demo.css");

/// The document the demo page shows when none is named: a family centre practice that has
/// a Swedish translation.
const DEMO_DOCUMENT: &str = "avoin-kohtaamispaikka-saarijarvi";

/// Which sites may call the API from their pages (CORS) and frame the iframe version
/// (`frame-ancestors`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Origins {
    /// Only Innohaku's own pages.
    #[default]
    SameOrigin,
    /// Any site: for a public, read-only service this is a sound default to choose.
    Any,
    /// These origins (`https://www.example.fi`).
    List(Vec<String>),
}

impl Origins {
    /// Parses `*` or a comma-separated list of origins (`https://host[:port]`).
    pub fn parse(spec: &str) -> Result<Origins, String> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Ok(Origins::SameOrigin);
        }
        if spec == "*" {
            return Ok(Origins::Any);
        }
        let mut origins = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let url =
                url::Url::parse(item).map_err(|e| format!("`{item}` is not an origin: {e}"))?;
            let origin = url.origin().ascii_serialization();
            if !matches!(url.scheme(), "http" | "https") || origin != item.trim_end_matches('/') {
                return Err(format!(
                    "`{item}` is not an origin; write scheme, host and port only, like https://www.example.fi"
                ));
            }
            origins.push(origin);
        }
        Ok(Origins::List(origins))
    }

    /// The CORS layer for the read API; `None` when only same-origin pages may call it.
    pub fn cors(&self) -> Option<CorsLayer> {
        let allow = match self {
            Origins::SameOrigin => return None,
            Origins::Any => AllowOrigin::any(),
            Origins::List(list) => AllowOrigin::list(
                list.iter()
                    .map(|o| HeaderValue::from_str(o).expect("a parsed origin is a valid header")),
            ),
        };
        // No `Authorization` among the allowed headers: other sites may read, never write.
        Some(
            CorsLayer::new()
                .allow_origin(allow)
                .allow_methods([Method::GET, Method::HEAD, Method::POST])
                .allow_headers([
                    header::CONTENT_TYPE,
                    header::IF_NONE_MATCH,
                    header::ACCEPT,
                    crate::http::observe::REQUEST_ID,
                ])
                .expose_headers([header::ETAG, crate::http::observe::REQUEST_ID])
                .max_age(std::time::Duration::from_secs(86_400)),
        )
    }

    /// The `frame-ancestors` source list.
    fn frame_ancestors(&self) -> String {
        match self {
            Origins::SameOrigin => "'self'".to_owned(),
            Origins::Any => "*".to_owned(),
            Origins::List(list) => format!("'self' {}", list.join(" ")),
        }
    }
}

/// `GET /widget.js`.
pub async fn widget_js() -> Response {
    static SCRIPT: LazyLock<String> =
        LazyLock::new(|| WIDGET_JS.replacen("/*STRINGS*/ {}", STRINGS_JSON.trim(), 1));
    static_file(&SCRIPT, "text/javascript; charset=utf-8")
}

/// `GET /embed/similar.css` and `GET /demo/host.css`.
pub async fn embed_css() -> Response {
    static_file(EMBED_CSS, "text/css; charset=utf-8")
}

/// `GET /demo/host.css`.
pub async fn demo_css() -> Response {
    static_file(DEMO_CSS, "text/css; charset=utf-8")
}

fn static_file(body: &'static str, mime: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

/// `GET /demo/widget`: a mock municipal page with the widget embedded three ways, served
/// under a strict Content-Security-Policy like a careful host would set.
pub async fn demo(RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let mut document = DEMO_DOCUMENT.to_owned();
    let mut lang = Language::Fi;
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "document" => document = parse_id(&value)?.to_string(),
            "lang" => lang = super::params::value("lang", &value)?,
            other => {
                return Err(ApiError::param(
                    other,
                    "unknown parameter; accepted: document, lang",
                ));
            }
        }
    }
    let mut id = String::new();
    escape_into(&mut id, &document);
    let mut iframe_query = String::new();
    escape_into(
        &mut iframe_query,
        &url::form_urlencoded::Serializer::new(String::new())
            .append_pair("document", &document)
            .append_pair("lang", lang.code())
            .finish(),
    );
    let html = DEMO_HTML
        .replace("{lang}", lang.code())
        .replace("{document}", &id)
        .replace("{iframe_query}", &iframe_query);
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; \
                 frame-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'",
            ),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html,
    )
        .into_response())
}

/// `GET /embed/similar`: the recommendations as a complete HTML page for an iframe, with no
/// script at all. Takes `document` or the page parameters of `GET /v1/similar`, plus the
/// same options.
pub async fn iframe(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let raw = raw.unwrap_or_default();
    let mut request = similar::parse(Some(&raw), similar::Takes::DocumentOrPage)?;
    let lang = request.options.labels;
    let etag = similar::etag(&state, &format!("embed?{raw}"));
    let frame_ancestors = state.origins.frame_ancestors();
    let csp = format!(
        "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {frame_ancestors}"
    );
    let csp = HeaderValue::from_str(&csp).map_err(ApiError::internal)?;
    if similar::fresh(&headers, &etag) {
        let mut response = similar::not_modified(etag);
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
        return Ok(response);
    }
    let response = match request.document.take() {
        Some(id) => {
            let found = reading(state.limits.search_wait, move || {
                Ok(state.service.similar(&id, &request.options)?)
            })
            .await?;
            let (source, recommendations) =
                found.ok_or_else(|| ApiError::new(Problem::NotFound, "no document has this id"))?;
            SimilarResponse {
                source: Some(source),
                recommendations,
            }
        }
        None => similar::answer_page(state, request).await?,
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::ETAG, etag),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(similar::CACHE_CONTROL),
            ),
        ],
        render(&response, lang),
    )
        .into_response())
}

/// Interface text in each language, shared by the widget script and the iframe version.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Strings {
    heading: String,
    empty: String,
    themes: String,
    terms: String,
    named: String,
    shared: String,
    region: String,
    translations: String,
    source: String,
    new_tab: String,
    kind: Kinds,
}

#[derive(Deserialize)]
struct Kinds {
    practice: String,
    project: String,
    network: String,
}

fn strings(lang: Language) -> &'static Strings {
    static STRINGS: LazyLock<HashMap<Language, Strings>> = LazyLock::new(|| {
        serde_json::from_str(STRINGS_JSON).expect("strings.json is valid and complete")
    });
    &STRINGS[&lang]
}

/// The iframe page: a document of its own, so its heading is its `h1` and its content its
/// `main`. Every piece of document text goes through [`escape_into`].
fn render(response: &SimilarResponse, lang: Language) -> String {
    let t = strings(lang);
    let mut out = String::with_capacity(4096);
    let push = |out: &mut String, parts: &[&str]| parts.iter().for_each(|p| out.push_str(p));
    push(
        &mut out,
        &[
            "<!doctype html>\n<html lang=\"",
            lang.code(),
            "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
            &t.heading,
            "</title>\n<link rel=\"stylesheet\" href=\"/embed/similar.css\">\n</head>\n<body>\n<main aria-labelledby=\"heading\">\n<h1 id=\"heading\">",
            &t.heading,
            "</h1>\n",
        ],
    );
    let recommendations = &response.recommendations;
    if recommendations.results.is_empty() {
        push(&mut out, &["<p class=\"status\">", &t.empty, "</p>\n"]);
    } else {
        out.push_str("<ul role=\"list\">\n");
        for item in &recommendations.results {
            item_html(&mut out, item, t);
        }
        out.push_str("</ul>\n");
    }
    if !recommendations.translations.is_empty() {
        push(&mut out, &["<p class=\"more\">", &t.translations, ": "]);
        for (i, doc) in recommendations.translations.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            link_html(
                &mut out,
                doc.url.as_deref(),
                &doc.id.to_string(),
                &doc.title,
                Some(doc.language),
                t,
            );
        }
        out.push_str("</p>\n");
    }
    out.push_str("<p class=\"credit\">");
    link_html(&mut out, Some("/"), "", &t.source, None, t);
    out.push_str("</p>\n</main>\n</body>\n</html>\n");
    out
}

fn item_html(out: &mut String, item: &Recommendation, t: &Strings) {
    out.push_str("<li>\n<p class=\"title\">");
    link_html(
        out,
        item.url.as_deref(),
        item.id.as_str(),
        &item.title,
        Some(item.language),
        t,
    );
    out.push_str("</p>\n<p class=\"meta\">");
    let kind = match item.kind {
        Kind::Practice => t.kind.practice.as_str(),
        Kind::Project => t.kind.project.as_str(),
        Kind::Network => t.kind.network.as_str(),
    };
    let mut meta = vec![kind];
    meta.extend(item.regions.iter().map(|r| r.label));
    meta.extend(item.phase.as_ref().map(|p| p.label));
    escape_into(out, &meta.join(" · "));
    out.push_str("</p>\n<p class=\"summary\" lang=\"");
    out.push_str(item.language.code());
    out.push_str("\">");
    escape_into(out, &item.summary);
    out.push_str("</p>\n");
    let r = &item.reasons;
    let mut why = Vec::new();
    if let Some(link) = &r.link {
        why.push(match link {
            crate::recommend::Link::Shared { .. } => t.shared.clone(),
            _ => t.named.clone(),
        });
    }
    if !r.themes.is_empty() {
        let labels: Vec<&str> = r.themes.iter().map(|l| l.label).collect();
        why.push(format!("{}: {}", t.themes, labels.join(", ")));
    }
    if !r.terms.is_empty() {
        why.push(format!("{}: {}", t.terms, r.terms.join(", ")));
    }
    if r.same_region {
        why.push(t.region.clone());
    }
    if !why.is_empty() {
        out.push_str("<p class=\"why\">");
        escape_into(out, &why.join(" · "));
        out.push_str("</p>\n");
    }
    out.push_str("</li>\n");
}

fn link_html(
    out: &mut String,
    url: Option<&str>,
    id: &str,
    title: &str,
    lang: Option<Language>,
    t: &Strings,
) {
    let href = match url {
        Some(u) if u.starts_with("https://") || u.starts_with("http://") || u == "/" => {
            u.to_owned()
        }
        _ => format!(
            "/?doc={}",
            url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
        ),
    };
    out.push_str("<a href=\"");
    escape_into(out, &href);
    out.push_str("\" target=\"_blank\" rel=\"noopener noreferrer\"><span");
    if let Some(lang) = lang {
        out.push_str(" lang=\"");
        out.push_str(lang.code());
        out.push('"');
    }
    out.push('>');
    escape_into(out, title);
    out.push_str("</span><span class=\"hidden\"> ");
    out.push_str(&t.new_tab);
    out.push_str("</span></a>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recommend::DocumentRef;

    #[test]
    fn origins_parse_strictly() {
        assert_eq!(Origins::parse("").unwrap(), Origins::SameOrigin);
        assert_eq!(Origins::parse("*").unwrap(), Origins::Any);
        assert_eq!(
            Origins::parse("https://www.kunta.fi, http://127.0.0.1:8000/").unwrap(),
            Origins::List(vec![
                "https://www.kunta.fi".to_owned(),
                "http://127.0.0.1:8000".to_owned()
            ])
        );
        assert!(Origins::parse("https://www.kunta.fi/sivu").is_err());
        assert!(Origins::parse("www.kunta.fi").is_err());
        assert!(Origins::parse("ftp://kunta.fi").is_err());
    }

    #[test]
    fn one_set_of_strings_serves_the_script_and_the_iframe() {
        for lang in Language::ALL {
            assert!(!strings(lang).heading.is_empty());
        }
        assert!(
            WIDGET_JS.contains("/*STRINGS*/ {}"),
            "the script has its placeholder"
        );
    }

    #[test]
    fn document_text_is_escaped_in_the_iframe() {
        let doc = DocumentRef {
            id: "x".parse().unwrap(),
            kind: Kind::Practice,
            language: Language::Fi,
            title: "<img src=x onerror=alert(1)>".to_owned(),
            url: Some("javascript:alert(1)".to_owned()),
        };
        let mut out = String::new();
        link_html(
            &mut out,
            doc.url.as_deref(),
            "x",
            &doc.title,
            Some(doc.language),
            strings(Language::Fi),
        );
        assert!(out.contains("&lt;img src=x onerror=alert(1)&gt;"), "{out}");
        assert!(!out.contains("javascript:"), "{out}");
    }
}

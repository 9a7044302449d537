//! The search page: static files compiled into the binary.
//!
//! The page names its script and stylesheet with a hash of their content
//! (`/assets/app.js?v=…`), so browsers may keep them for a year and still never run an old
//! one with a new page; the page itself is revalidated every time. Everything is served
//! gzip-compressed when the browser accepts it (the router's compression layer).

use std::sync::LazyLock;

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, Problem};

const INDEX_HTML: &str = include_str!("ui/index.html");
const APP_JS: &str = include_str!("ui/app.js");
const STYLE_CSS: &str = include_str!("ui/style.css");
const FAVICON_SVG: &[u8] = include_bytes!("ui/favicon.svg");
const FAVICON_ICO: &[u8] = include_bytes!("ui/favicon.ico");

/// A file served with a validator, and the hash that names its version.
struct Asset {
    body: Vec<u8>,
    mime: &'static str,
    etag: HeaderValue,
    version: String,
}

impl Asset {
    fn new(body: impl Into<Vec<u8>>, mime: &'static str) -> Asset {
        let body = body.into();
        let version = format!("{:016x}", fnv1a(&body));
        let etag = HeaderValue::from_str(&format!("\"{version}\"")).expect("hex is a valid header");
        Asset {
            body,
            mime,
            etag,
            version,
        }
    }

    /// The file, or 304 when the browser has it; cached for a year when asked for by the
    /// version the page names, else revalidated each time.
    fn serve(&'static self, headers: &HeaderMap, versioned: bool) -> Response {
        let cache = match versioned {
            true => "public, max-age=31536000, immutable",
            false => "public, no-cache",
        };
        let fresh = headers
            .get(header::IF_NONE_MATCH)
            .is_some_and(|v| v.as_bytes() == self.etag.as_bytes());
        let common = [
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (header::ETAG, self.etag.clone()),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ];
        if fresh {
            return (StatusCode::NOT_MODIFIED, common).into_response();
        }
        let mut response = (common, self.body.as_slice()).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(self.mime));
        response
    }
}

/// 64-bit FNV-1a: a stable content hash for cache busting (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

static APP: LazyLock<Asset> = LazyLock::new(|| {
    // The similar practices on a document are labelled with the widget's own strings.
    let script = APP_JS.replacen(
        "/*WIDGET_STRINGS*/ {}",
        super::embed::STRINGS_JSON.trim(),
        1,
    );
    Asset::new(script, "text/javascript; charset=utf-8")
});
static STYLE: LazyLock<Asset> = LazyLock::new(|| Asset::new(STYLE_CSS, "text/css; charset=utf-8"));
static PAGE: LazyLock<Asset> = LazyLock::new(|| {
    let html = INDEX_HTML
        .replace(
            "{app.js}",
            &format!("/assets/app.js?v={}", &APP.version[..12]),
        )
        .replace(
            "{style.css}",
            &format!("/assets/style.css?v={}", &STYLE.version[..12]),
        );
    Asset::new(html, "text/html; charset=utf-8")
});
static FAVICON: LazyLock<Asset> = LazyLock::new(|| Asset::new(FAVICON_SVG, "image/svg+xml"));
static FAVICON_LEGACY: LazyLock<Asset> = LazyLock::new(|| Asset::new(FAVICON_ICO, "image/x-icon"));

/// `GET /`: the page; every view of it is this one file and its script.
pub async fn index(headers: HeaderMap) -> Response {
    PAGE.serve(&headers, false)
}

/// `GET /assets/{file}`: the page's script and stylesheet.
pub async fn asset(
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let asset: &'static Asset = match file.as_str() {
        "app.js" => &APP,
        "style.css" => &STYLE,
        _ => return Err(ApiError::new(Problem::NotFound, "no such asset")),
    };
    let versioned = query
        .as_deref()
        .and_then(|q| q.strip_prefix("v="))
        .is_some_and(|v| asset.version.starts_with(v) && v.len() >= 12);
    Ok(asset.serve(&headers, versioned))
}

/// `GET /favicon.svg` and `GET /favicon.ico` (which browsers ask for on every page, the
/// API's and the widget's too).
pub async fn favicon(headers: HeaderMap) -> Response {
    FAVICON.serve(&headers, false)
}

/// `GET /favicon.ico`.
pub async fn favicon_ico(headers: HeaderMap) -> Response {
    FAVICON_LEGACY.serve(&headers, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_its_assets_by_version_and_has_no_inline_script_or_style() {
        let page = String::from_utf8(PAGE.body.clone()).unwrap();
        assert!(page.contains(&format!("/assets/app.js?v={}", &APP.version[..12])));
        assert!(page.contains(&format!("/assets/style.css?v={}", &STYLE.version[..12])));
        assert!(!page.contains("{app.js}") && !page.contains("{style.css}"));
        // A strict Content-Security-Policy (no 'unsafe-inline') must hold for the page.
        assert!(!page.contains("<style"), "no inline style element");
        assert!(!page.contains(" style="), "no style attribute");
        assert_eq!(page.matches("<script").count(), 1);
        assert!(page.contains("<script src="), "the one script is a file");
        let handlers = page.split(" on").skip(1).filter(|rest| {
            let name: String = rest.chars().take_while(char::is_ascii_lowercase).collect();
            !name.is_empty() && rest[name.len()..].starts_with('=')
        });
        assert_eq!(handlers.count(), 0, "no inline event handler");
        let script = String::from_utf8(APP.body.clone()).unwrap();
        assert!(
            !script.contains("/*WIDGET_STRINGS*/"),
            "the widget's strings are in the script"
        );
        assert!(!script.contains(".style.") && !script.contains("\"style\""));
    }
}

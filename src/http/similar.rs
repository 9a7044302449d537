//! Recommendation endpoints: similar to a document, or to a page outside Innohaku.
//!
//! GET responses carry an `ETag` derived from the index version and the request, so widgets
//! on other sites revalidate cheaply and see changes as soon as the index changes.

use std::hash::{Hash, Hasher};

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::recommend::{self, DocumentRef, Options, Page, Recommendations, RegionMode};
use crate::schema::{DocId, Kind, Language, Region, TargetGroup, Theme};

use super::error::{ApiError, Problem};
use super::{AppState, computing, params, parse_id, reading};

/// How long a shared cache may reuse a response before revalidating: short, because a
/// revalidation is cheap (304) and hosts expect edits to show up soon.
pub(super) const CACHE_CONTROL: &str = "public, max-age=60, stale-while-revalidate=300";

/// Recommendations with what they were computed for.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SimilarResponse {
    /// The document they are similar to; absent for a page outside Innohaku.
    pub source: Option<DocumentRef>,
    /// The recommendations and the source's translations.
    #[serde(flatten)]
    pub recommendations: Recommendations,
}

/// `GET /v1/documents/{id}/similar`.
pub async fn for_document(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let request = parse(raw.as_deref(), Takes::Options)?;
    let etag = etag(&state, &format!("doc/{id}?{}", raw.unwrap_or_default()));
    if fresh(&headers, &etag) {
        return Ok(not_modified(etag));
    }
    let found = reading(state.limits.search_wait, move || {
        Ok(state.service.similar(&id, &request.options)?)
    })
    .await?;
    let (source, recommendations) =
        found.ok_or_else(|| ApiError::new(Problem::NotFound, "no document has this id"))?;
    Ok(cached(
        etag,
        SimilarResponse {
            source: Some(source),
            recommendations,
        },
    ))
}

/// `GET /v1/similar`: a page outside Innohaku described in the query string.
pub async fn for_page(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let request = parse(raw.as_deref(), Takes::Page)?;
    let etag = etag(&state, &format!("page?{}", raw.unwrap_or_default()));
    if fresh(&headers, &etag) {
        return Ok(not_modified(etag));
    }
    let response = answer_page(state, request).await?;
    Ok(cached(etag, response))
}

/// Largest body of `POST /v1/similar`: the longest text allowed, twice over for escapes and
/// multi-byte letters, and the facets.
pub const MAX_PAGE_BODY_BYTES: usize = 128 * 1024;

/// `POST /v1/similar`: the same with a JSON body, for texts too long for a URL.
pub async fn for_page_body(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<SimilarResponse>, ApiError> {
    super::expect_json(&headers)?;
    let body = super::read_body(&state, &headers, body, MAX_PAGE_BODY_BYTES).await?;
    let request = computing(move || {
        let body: PageBody = serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                Problem::InvalidBody,
                format!("the body is not a page to recommend for: {e}"),
            )
        })?;
        body.into_request()
    })
    .await?;
    Ok(Json(answer_page(state, request).await?))
}

pub(super) async fn answer_page(
    state: AppState,
    request: Request,
) -> Result<SimilarResponse, ApiError> {
    if request.page.is_empty() {
        return Err(ApiError::param(
            "text",
            "give the page's text, or at least one theme or target group",
        ));
    }
    let recommendations = reading(state.limits.search_wait, move || {
        Ok(state
            .service
            .similar_to_page(&request.page, &request.options)?)
    })
    .await?;
    Ok(SimilarResponse {
        source: None,
        recommendations,
    })
}

/// A parsed recommendation request.
pub(super) struct Request {
    /// The document asked about, where the endpoint takes one in the query string.
    pub document: Option<DocId>,
    page: Page,
    pub options: Options,
}

/// The body of `POST /v1/similar`: the page and the options, named as in the query string.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PageBody {
    /// The page's text.
    pub text: String,
    /// The text's language; detected when absent.
    pub text_language: Option<Language>,
    /// Themes of the page.
    pub theme: Vec<Theme>,
    /// Target groups of the page.
    pub target_group: Vec<TargetGroup>,
    /// Regions the page is about.
    pub home_region: Vec<Region>,
    /// Only these kinds.
    pub kind: Vec<Kind>,
    /// Only these regions.
    pub region: Vec<Region>,
    /// How the page's regions count.
    pub region_mode: RegionMode,
    /// Only these languages.
    pub language: Vec<Language>,
    /// Language of labels.
    pub lang: Option<Language>,
    /// How many (1–20, default 5).
    pub limit: Option<usize>,
}

impl PageBody {
    fn into_request(self) -> Result<Request, ApiError> {
        let limit = self.limit.unwrap_or(5);
        if !(1..=recommend::MAX_LIMIT).contains(&limit) {
            return Err(ApiError::param(
                "limit",
                format!("must be between 1 and {}", recommend::MAX_LIMIT),
            ));
        }
        check_text(&self.text)?;
        Ok(Request {
            document: None,
            page: Page {
                text: self.text,
                text_language: self.text_language,
                themes: self.theme,
                target_groups: self.target_group,
                home_regions: self.home_region,
            },
            options: Options {
                kinds: self.kind,
                regions: self.region,
                region_mode: self.region_mode,
                languages: self.language,
                limit,
                labels: self.lang.unwrap_or(Language::Fi),
                ..Options::default()
            },
        })
    }
}

fn check_text(text: &str) -> Result<(), ApiError> {
    if text.chars().count() > recommend::MAX_TEXT_CHARS {
        return Err(ApiError::param(
            "text",
            format!("longer than {} characters", recommend::MAX_TEXT_CHARS),
        ));
    }
    Ok(())
}

/// Which parameters an endpoint takes besides the options.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Takes {
    /// The options only (the document is in the path).
    Options,
    /// A page outside Innohaku.
    Page,
    /// A `document`, or a page.
    DocumentOrPage,
}

/// Parses the query string of a recommendation endpoint.
pub(super) fn parse(raw: Option<&str>, takes: Takes) -> Result<Request, ApiError> {
    let page = takes != Takes::Options;
    let mut body = PageBody::default();
    let mut document = None;
    let mut page_param = None;
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let key = key.as_ref();
        if page && PAGE_PARAMS.contains(&key) {
            page_param.get_or_insert_with(|| key.to_owned());
        }
        match key {
            "kind" => params::values(key, &value, &mut body.kind)?,
            "region" => params::values(key, &value, &mut body.region)?,
            "language" => params::values(key, &value, &mut body.language)?,
            "region_mode" => {
                body.region_mode = match value.as_ref() {
                    "any" => RegionMode::Any,
                    "other" => RegionMode::Other,
                    "mine_first" => RegionMode::MineFirst,
                    _ => {
                        return Err(ApiError::param(key, "use any, other or mine_first"));
                    }
                }
            }
            "lang" => body.lang = Some(params::value(key, &value)?),
            "limit" => body.limit = Some(params::number(key, &value, 1, recommend::MAX_LIMIT)?),
            "document" if takes == Takes::DocumentOrPage => document = Some(parse_id(&value)?),
            "text" if page => body.text = value.into_owned(),
            "text_language" if page => body.text_language = Some(params::value(key, &value)?),
            "theme" if page => params::values(key, &value, &mut body.theme)?,
            "target_group" if page => params::values(key, &value, &mut body.target_group)?,
            "home_region" if page => params::values(key, &value, &mut body.home_region)?,
            other => {
                let accepted = match takes {
                    Takes::Options => "kind, region, region_mode, language, lang, limit",
                    Takes::Page => {
                        "text, text_language, theme, target_group, home_region, kind, region, region_mode, language, lang, limit"
                    }
                    Takes::DocumentOrPage => {
                        "document, or text, text_language, theme, target_group, home_region; kind, region, region_mode, language, lang, limit"
                    }
                };
                return Err(ApiError::param(
                    other,
                    format!("unknown parameter; accepted: {accepted}"),
                ));
            }
        }
    }
    if let (Some(_), Some(param)) = (&document, page_param) {
        return Err(ApiError::param(
            &param,
            "describes a page; give either a document or a page",
        ));
    }
    let mut request = body.into_request()?;
    request.document = document;
    Ok(request)
}

/// The parameters that describe a page outside Innohaku.
const PAGE_PARAMS: [&str; 5] = [
    "text",
    "text_language",
    "theme",
    "target_group",
    "home_region",
];

/// A strong ETag over the index version and the request.
pub(super) fn etag(state: &AppState, request: &str) -> HeaderValue {
    let mut hasher = rustc_hash::FxHasher::default();
    state.service.index().version().hash(&mut hasher);
    request.hash(&mut hasher);
    HeaderValue::from_str(&format!("\"{:016x}\"", hasher.finish())).expect("hex is a valid header")
}

/// Whether the client's copy (`If-None-Match`) is still current.
pub(super) fn fresh(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().trim_start_matches("W/"))
        .any(|v| v == "*" || v.as_bytes() == etag.as_bytes())
}

pub(super) fn not_modified(etag: HeaderValue) -> Response {
    (
        StatusCode::NOT_MODIFIED,
        [
            (header::ETAG, etag),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(CACHE_CONTROL),
            ),
        ],
    )
        .into_response()
}

fn cached(etag: HeaderValue, body: SimilarResponse) -> Response {
    (
        [
            (header::ETAG, etag),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(CACHE_CONTROL),
            ),
        ],
        Json(body),
    )
        .into_response()
}

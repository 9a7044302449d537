//! The HTTP API and the search page: a thin axum layer over [`Service`].

pub mod admin;
pub mod embed;
mod error;
pub mod openapi;
mod params;
mod similar;
mod ui;

use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use serde::Serialize;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::schema::{
    DocId, Document, Kind, Language, Phase, ProjectStatus, Region, TargetGroup, Theme,
};
use crate::search::SearchResults;
use crate::service::Service;

pub use error::{ApiError, Problem, ProblemBody};
pub use similar::{PageBody, SimilarResponse};

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The service.
    pub service: Arc<Service>,
    /// The admin API key; `None` turns the write API off.
    pub admin_key: Option<Arc<str>>,
    /// Sites that may call the read API from their pages and frame the iframe widget.
    pub origins: Arc<embed::Origins>,
    /// Request limits.
    pub limits: Limits,
}

/// Limits on what one request may carry, beyond the body size.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most documents in one request that is held in memory whole: `?atomic=true` or a JSON
    /// array. A plain NDJSON stream has no such limit; it is applied in batches.
    pub max_batch_docs: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_batch_docs: 10_000,
        }
    }
}

/// The whole router.
pub fn app(state: AppState) -> Router {
    let cors = state.origins.cors();
    let router = Router::new()
        .route("/", timed(get(ui::index)))
        .route("/assets/{file}", timed(get(ui::asset)))
        .route("/favicon.svg", get(ui::favicon))
        .route("/favicon.ico", get(ui::favicon_ico))
        .route("/widget.js", get(embed::widget_js))
        .route("/embed/similar", timed(get(embed::iframe)))
        .route("/embed/similar.css", get(embed::embed_css))
        .route("/demo/widget", get(embed::demo))
        .route("/demo/host.css", get(embed::demo_css))
        .route("/healthz", timed(get(healthz)))
        .route("/readyz", timed(get(readyz)))
        .route("/problems/{code}", timed(get(problem_doc)))
        .route("/v1/search", timed(get(search)))
        .route("/v1/vocabulary", timed(get(vocabulary)))
        .route("/v1/analyze", timed(get(analyze)))
        .route("/v1/suggest", timed(get(suggest)))
        .route(
            "/v1/openapi.json",
            timed(get(|| async { Json(openapi::document()) })),
        )
        .route("/v1/documents", post(admin::ingest))
        .route("/v1/documents/delete", post(admin::delete_documents))
        .route(
            "/v1/documents/{id}",
            timed(get(document))
                .put(admin::put_document)
                .delete(admin::delete_document),
        )
        .route("/v1/jobs", get(admin::list_jobs))
        .route("/v1/jobs/reindex", post(admin::start_reindex))
        .route("/v1/jobs/{id}", get(admin::job).delete(admin::cancel_job))
        .route(
            "/v1/documents/{id}/similar",
            timed(get(similar::for_document)),
        )
        .route(
            "/v1/similar",
            timed(get(similar::for_page).post(similar::for_page_body)),
        )
        .fallback(|| async { ApiError::new(Problem::NotFound, "no endpoint at this path") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                Problem::MethodNotAllowed,
                "this endpoint does not accept that method",
            )
        })
        .layer(middleware::from_fn(problem_for_plain_errors))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("a handler panicked").into_response()
        }))
        .layer(TraceLayer::new_for_http())
        .with_state(state);
    // Outermost, so that preflights and error responses carry the CORS headers too.
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// Bounds how long a read may take. Writes have no such bound: a long NDJSON stream is
/// acknowledged only when all of it is durable, and timing it out would leave the client
/// unsure what was stored.
fn timed(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.layer(TimeoutLayer::with_status_code(
        StatusCode::SERVICE_UNAVAILABLE,
        READ_TIMEOUT,
    ))
}

/// The longest a read request may take.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Turns any error response that is not already a problem (an extractor's plain-text
/// rejection, a body-limit 413, a timeout) into one, so clients only ever see problem+json.
async fn problem_for_plain_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let problem = match status {
        StatusCode::PAYLOAD_TOO_LARGE => Problem::PayloadTooLarge,
        StatusCode::NOT_FOUND => Problem::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => Problem::MethodNotAllowed,
        s if s.is_server_error() => Problem::Internal,
        _ => Problem::InvalidBody,
    };
    let detail = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!("the body is larger than {MAX_BODY_BYTES} bytes"),
        StatusCode::SERVICE_UNAVAILABLE => "the request took too long".to_owned(),
        s => s
            .canonical_reason()
            .unwrap_or("request failed")
            .to_lowercase(),
    };
    let mut response = ApiError::new(problem, detail).into_response();
    *response.status_mut() = status;
    response
}

/// The runtime the server runs on. Searches run on its blocking threads, each with its own
/// analysis cache, one per core: more only take turns on the same cores, each evicting the
/// others' postings and windows from the cache (the load script: four threads on two cores
/// served 8 % fewer requests per second with a p99 25 % longer, eight threads 20 % fewer and
/// twice the p99). Writes run on threads of their own (`writing`). The connections are
/// served by half as many threads as there are cores: reading a request and writing its
/// answer is a small part of its work, and every busy thread beyond the cores takes turns
/// with the searches (alternating 10-second runs of the load script's requests on two cores, one
/// such thread against two: 3,672 / 3,062 / 2,614 / 2,988 / 2,961 against 3,112 / 3,024 /
/// 2,662 / 2,770 / 2,737 requests/s).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads((cores / 2).max(1))
        .max_blocking_threads(cores.max(2))
        .build()
}

/// Runs CPU-bound reading work (a search, say) off the async reactor, on the runtime's
/// blocking threads ([`runtime`]).
pub(crate) async fn computing<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}

/// Writes running at once, a bound on their threads; more wait their turn (they take the
/// index writer in turn anyway).
static WRITES: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(16));

/// Runs a write (indexing, an upload read as it arrives) on a thread of its own: a write may
/// wait on its client for minutes, and must not hold one of the few threads searches run on.
pub(crate) async fn writing<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let turn = WRITES.acquire().await.map_err(ApiError::internal)?;
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("innohaku-write".into())
        .spawn(move || {
            // The turn ends with the thread, not with the request: a client that goes away
            // does not free the slot of a write still running.
            let _turn = turn;
            // Dropped unsent if `f` panics: the request then fails as internal.
            let _ = done.send(f());
        })
        .map_err(ApiError::internal)?;
    result.await.map_err(ApiError::internal)?
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Serialize)]
struct Ready {
    status: &'static str,
    documents: u64,
    analyzer: &'static str,
}

async fn readyz(State(state): State<AppState>) -> Json<Ready> {
    Json(Ready {
        status: "ready",
        documents: state.service.index().num_docs(),
        analyzer: crate::analysis::description(),
    })
}

async fn problem_doc(Path(code): Path<String>) -> Result<Response, ApiError> {
    let problem = Problem::ALL
        .into_iter()
        .find(|p| p.meta().0 == code)
        .ok_or_else(|| ApiError::new(Problem::NotFound, "no such problem type"))?;
    let (code, status, title, explanation) = problem.meta();
    Ok(Json(serde_json::json!({ "type": problem.type_uri(), "code": code, "status": status.as_u16(), "title": title, "description": explanation })).into_response())
}

/// A search response.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    /// The query as received.
    pub query: String,
    /// Milliseconds the search took inside the service.
    pub took_ms: f64,
    /// Offset of the first hit.
    pub offset: usize,
    /// Hits per page.
    pub limit: usize,
    /// Results.
    #[serde(flatten)]
    pub results: SearchResults,
}

async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let req = params::search_request(raw.as_deref())?;
    computing(move || {
        let started = Instant::now();
        let results = state.service.search(&req)?;
        Ok(Json(SearchResponse {
            query: req.q,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            offset: req.offset,
            limit: req.limit,
            results,
        }))
    })
    .await
}

pub(crate) fn parse_id(id: &str) -> Result<DocId, ApiError> {
    id.parse()
        .map_err(|_| ApiError::new(Problem::NotFound, "no document has this id"))
}

async fn document(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Document>, ApiError> {
    let id = parse_id(&id)?;
    let doc = computing(move || Ok(state.service.get(&id)?)).await?;
    doc.map(Json)
        .ok_or_else(|| ApiError::new(Problem::NotFound, "no document has this id"))
}

async fn suggest(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<crate::search::Suggestions>, ApiError> {
    let mut q = String::new();
    let mut limit = 5;
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "q" if value.chars().count() > 200 => {
                return Err(ApiError::param("q", "longer than 200 characters"));
            }
            "q" => q = value.into_owned(),
            "limit" => limit = params::number("limit", &value, 1, 20)?,
            other => {
                return Err(ApiError::param(
                    other,
                    "unknown parameter; accepted: q, limit",
                ));
            }
        }
    }
    computing(move || Ok(Json(state.service.suggest(&q, limit)?))).await
}

async fn analyze(RawQuery(raw): RawQuery) -> Result<Json<crate::analysis::Inspection>, ApiError> {
    let mut text = None;
    let mut lang = Language::Fi;
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "text" if value.chars().count() > 10_000 => {
                return Err(ApiError::param("text", "longer than 10000 characters"));
            }
            "text" => text = Some(value.into_owned()),
            "lang" => lang = params::value("lang", &value)?,
            other => {
                return Err(ApiError::param(
                    other,
                    "unknown parameter; accepted: text, lang",
                ));
            }
        }
    }
    let text = text.ok_or_else(|| ApiError::param("text", "missing: give the text to analyse"))?;
    computing(move || Ok(Json(crate::analysis::inspect(lang, &text)))).await
}

/// The controlled vocabularies with labels, for building filters and showing facet names.
#[derive(Serialize)]
struct Vocabulary {
    kind: Vec<Term>,
    region: Vec<Term>,
    theme: Vec<Term>,
    target_group: Vec<Term>,
    phase: Vec<Term>,
    status: Vec<Term>,
    language: Vec<Term>,
}

#[derive(Serialize)]
struct Term {
    id: &'static str,
    labels: crate::schema::Labels,
}

async fn vocabulary() -> Json<Vocabulary> {
    macro_rules! terms {
        ($t:ty) => {
            <$t>::ALL
                .iter()
                .map(|t| Term {
                    id: t.id(),
                    labels: t.labels(),
                })
                .collect()
        };
    }
    let language_labels = |l: Language| match l {
        Language::Fi => crate::schema::Labels {
            fi: "suomi",
            sv: "finska",
            en: "Finnish",
        },
        Language::Sv => crate::schema::Labels {
            fi: "ruotsi",
            sv: "svenska",
            en: "Swedish",
        },
        Language::En => crate::schema::Labels {
            fi: "englanti",
            sv: "engelska",
            en: "English",
        },
    };
    Json(Vocabulary {
        kind: terms!(Kind),
        region: terms!(Region),
        theme: terms!(Theme),
        target_group: terms!(TargetGroup),
        phase: terms!(Phase),
        status: terms!(ProjectStatus),
        language: Language::ALL
            .iter()
            .map(|&l| Term {
                id: l.code(),
                labels: language_labels(l),
            })
            .collect(),
    })
}

/// Checks the bearer key of a write request, in constant time.
pub(crate) fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(key) = &state.admin_key else {
        return Err(ApiError::new(
            Problem::Forbidden,
            "the write API is off: start the server with INNOHAKU_ADMIN_KEY set to enable it",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError::new(
                Problem::Unauthorized,
                "send `Authorization: Bearer <admin key>`",
            )
        })?;
    if constant_time_eq(given.as_bytes(), key.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::new(
            Problem::Forbidden,
            "the API key is not valid",
        ))
    }
}

/// Compares two byte strings in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = (a.len() != b.len()) as u8;
    for i in 0..a.len().max(b.len()) {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0xff);
    }
    diff == 0
}

/// Serves the router on `listener` until SIGINT or SIGTERM, letting in-flight requests finish.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

//! The HTTP API and the search page: a thin axum layer over [`Service`].

pub mod admin;
pub mod embed;
mod error;
#[cfg(test)]
mod fuzz;
mod guard;
mod limits;
pub mod observe;
pub mod openapi;
mod params;
pub mod server;
mod similar;
mod ui;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::error_handling::HandleErrorLayer;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use serde::Serialize;
use tokio::sync::Semaphore;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;

use crate::schema::{
    DocId, Document, Kind, Language, Phase, ProjectStatus, Region, TargetGroup, Theme,
};
use crate::search::SearchResults;
use crate::service::Service;

pub use error::{ApiError, Problem, ProblemBody};
pub use limits::{Limits, RateLimit, parse_duration, parse_rate};
pub use similar::{PageBody, SimilarResponse};

/// Largest request body held in memory whole (an all-or-nothing or JSON-array upload), in
/// bytes; only the write API, behind the admin key, takes one.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// Largest body of the endpoints that take none (GET, DELETE): a body is never read there.
const NO_BODY_BYTES: usize = 16 * 1024;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The service.
    pub service: Arc<Service>,
    /// The admin API key; `None` turns the write API off.
    pub admin_key: Option<Arc<str>>,
    /// A key that reads `/metrics` only (the admin key reads it too).
    pub metrics_key: Option<Arc<str>>,
    /// Sites that may call the read API from their pages and frame the iframe widget.
    pub origins: Arc<embed::Origins>,
    /// Request limits.
    pub limits: Limits,
    /// Where `POST /v1/snapshots` writes (`--snapshot-to`); `None`: nowhere configured.
    pub snapshots: Option<Arc<crate::replication::Location>>,
}

/// The whole router.
pub fn app(state: AppState) -> Router {
    let cors = state.origins.cors();
    let limits = &state.limits;
    // Read requests running or waiting for a search thread; the excess is refused at once.
    let admitted = Arc::new(Semaphore::new(search_threads() + limits.search_queue));
    let rates = limits.rate_limit.map(|rate| guard::Rates {
        limiter: Arc::new(guard::RateLimiter::new(rate)),
        limits: limits.clone(),
    });
    let public = |route: MethodRouter<AppState>| {
        let route = route
            .layer::<_, std::convert::Infallible>(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                READ_TIMEOUT,
            ))
            .layer::<_, std::convert::Infallible>(
                ServiceBuilder::new()
                    .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                        metrics::counter!(crate::telemetry::names::HTTP_SHED, "reason" => "queue")
                            .increment(1);
                        ApiError::overloaded()
                    }))
                    .layer(LoadShedLayer::new())
                    .layer(GlobalConcurrencyLimitLayer::with_semaphore(
                        admitted.clone(),
                    )),
            );
        match &rates {
            Some(rates) => route.layer(middleware::from_fn_with_state(
                rates.clone(),
                guard::rate_limit,
            )),
            None => route,
        }
    };
    let admin = |route: MethodRouter<AppState>| {
        route.route_layer(middleware::from_fn_with_state(
            state.clone(),
            guard::require_admin,
        ))
    };
    let page =
        |route: MethodRouter<AppState>| route.layer(middleware::from_fn(guard::page_headers));
    let router = Router::new()
        .route("/", page(get(ui::index)))
        .route("/assets/{file}", page(get(ui::asset)))
        .route("/favicon.svg", page(get(ui::favicon)))
        .route("/favicon.ico", page(get(ui::favicon_ico)))
        .route("/widget.js", get(embed::widget_js))
        .route("/embed/similar", public(get(embed::iframe)))
        .route("/embed/similar.css", get(embed::embed_css))
        .route("/demo/widget", get(embed::demo))
        .route("/demo/host.css", get(embed::demo_css))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(observe::metrics))
        .route("/problems/{code}", get(problem_doc))
        .route("/v1/search", public(get(search)))
        .route("/v1/vocabulary", get(vocabulary))
        .route("/v1/analyze", public(get(analyze)))
        .route("/v1/suggest", public(get(suggest)))
        .route("/v1/openapi.json", get(openapi_json))
        .route("/v1/documents", admin(post(admin::ingest)))
        .route("/v1/documents/delete", admin(post(admin::delete_documents)))
        .route(
            "/v1/documents/{id}",
            public(get(document)).merge(admin(
                axum::routing::put(admin::put_document).delete(admin::delete_document),
            )),
        )
        .route("/v1/jobs", admin(get(admin::list_jobs)))
        .route("/v1/jobs/reindex", admin(post(admin::start_reindex)))
        .route("/v1/snapshots", admin(post(admin::create_snapshot)))
        .route(
            "/v1/jobs/{id}",
            admin(get(admin::job).delete(admin::cancel_job)),
        )
        .route(
            "/v1/documents/{id}/similar",
            public(get(similar::for_document)),
        )
        .route(
            "/v1/similar",
            public(get(similar::for_page).post(similar::for_page_body)),
        )
        .fallback(|| async { ApiError::new(Problem::NotFound, "no endpoint at this path") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                Problem::MethodNotAllowed,
                "this endpoint does not accept that method",
            )
        })
        .layer(middleware::from_fn(problem_for_plain_errors))
        .layer(axum::extract::DefaultBodyLimit::max(NO_BODY_BYTES))
        .layer(RequestBodyTimeoutLayer::new(state.limits.body_timeout))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("a handler panicked").into_response()
        }))
        .layer(middleware::from_fn(guard::head_size))
        .layer(middleware::from_fn(guard::nosniff))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                tracing::debug_span!(
                    "request",
                    method = %request.method(),
                    uri = %guard::redacted(request.uri()),
                    version = ?request.version(),
                )
            }),
        )
        .with_state(state);
    // Outermost but for the request id and the log, so that preflights and error responses
    // carry the CORS headers too.
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    // Outermost: every response has an id, is counted and logged, whoever made it.
    router.layer(middleware::from_fn(observe::observe))
}

/// The OpenAPI document, serialized once.
async fn openapi_json() -> Response {
    static DOCUMENT: LazyLock<Bytes> = LazyLock::new(|| {
        Bytes::from(serde_json::to_vec(&openapi::document()).expect("the contract serializes"))
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.clone(),
    )
        .into_response()
}

/// The longest a read request may take, waiting for a search thread included.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Reads a body of at most `limit` bytes, whole, within the body timeout: 413 for a larger
/// one (at once when its `Content-Length` says so), 408 for one that does not arrive.
pub(crate) async fn read_body(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            Problem::PayloadTooLarge,
            format!("the body is larger than {limit} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(state.limits.body_timeout, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) if is_length_limit(&e) => Err(too_large()),
        Ok(Err(e)) => Err(body_failed(&e)),
        Err(_) => Err(body_timed_out()),
    }
}

fn is_length_limit(e: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(e), |e| e.source())
        .any(|e| e.is::<http_body_util::LengthLimitError>())
}

/// Whether reading a body failed because it stalled ([`RequestBodyTimeoutLayer`]).
pub(crate) fn is_body_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(e), |e| e.source())
        .any(|e| e.is::<tower_http::timeout::TimeoutError>())
}

/// The problem for a body that could not be read.
pub(crate) fn body_failed(e: &(dyn std::error::Error + 'static)) -> ApiError {
    if is_body_timeout(e) {
        body_timed_out()
    } else {
        ApiError::new(
            Problem::InvalidBody,
            format!("reading the body failed: {e}"),
        )
    }
}

pub(crate) fn body_timed_out() -> ApiError {
    ApiError::new(
        Problem::RequestTimeout,
        "the body did not arrive in time; nothing in it was stored",
    )
}

/// The body's media type is JSON (415 otherwise).
pub(crate) fn expect_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim().to_ascii_lowercase();
            v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
        });
    if json {
        Ok(())
    } else {
        Err(ApiError::new(
            Problem::UnsupportedMediaType,
            "send the body as JSON, with `Content-Type: application/json`",
        ))
    }
}

/// Turns any error response that is not already a problem (an extractor's plain-text
/// rejection, a timeout) into one, so clients only ever see problem+json.
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
    let problem = Problem::ALL
        .into_iter()
        .find(|p| p.meta().1 == status)
        .unwrap_or(if status.is_server_error() {
            Problem::Internal
        } else {
            Problem::InvalidBody
        });
    let error = match problem {
        // tower-http's timeout: the only plain 503 there is.
        Problem::Unavailable => {
            ApiError::new(problem, "the request took too long; retry later").retry_after(1)
        }
        Problem::PayloadTooLarge => ApiError::new(problem, "the body is larger than allowed"),
        Problem::Internal => ApiError::internal(format!("a plain {status} response")),
        _ => ApiError::new(
            problem,
            status
                .canonical_reason()
                .unwrap_or("request failed")
                .to_lowercase(),
        ),
    };
    let mut response = error.into_response();
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
        .max_blocking_threads(search_threads())
        .build()
}

/// Threads that run searches: one per core, at least two.
fn search_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2)
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

/// Runs a public read (a search, a recommendation, a document) on a search thread, unless the
/// server is overloaded and the read waited for a thread longer than `patience`
/// (`limits.search_wait`): then it is refused (503, `Retry-After`) without doing its work. The
/// concurrency limit in front bounds how many wait; this bounds how long, whatever a request
/// costs. (It bounds the wait for a search thread, not a request's whole time: under a flood
/// on one CPU, the connection thread's turn dominates; docs/performance.md, "Overload".)
/// Overloaded means a standing queue, as CoDel defines it: reads have been waiting without a
/// break for [`STANDING`]. A slow machine with no queue (a starved CPU, a burst) sheds
/// nothing: refusing would save no work for anyone else.
pub(crate) async fn reading<T: Send + 'static>(
    patience: Duration,
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let queued = Instant::now();
    READS.enter(queued);
    computing(move || {
        let now = Instant::now();
        if READS.leave(now) && now - queued > patience {
            metrics::counter!(crate::telemetry::names::HTTP_SHED, "reason" => "wait").increment(1);
            return Err(ApiError::overloaded());
        }
        f()
    })
    .await
}

/// How long reads must have been waiting without a break for the queue to count as standing.
const STANDING: Duration = Duration::from_millis(100);

/// The reads waiting for a search thread: how many, and when the queue was last empty. One
/// per process, as the search threads are.
struct ReadQueue {
    waiting: AtomicUsize,
    /// When the queue was last empty, in microseconds after `epoch`.
    empty_at: AtomicU64,
    epoch: Instant,
}

static READS: LazyLock<ReadQueue> = LazyLock::new(|| ReadQueue {
    waiting: AtomicUsize::new(0),
    empty_at: AtomicU64::new(0),
    epoch: Instant::now(),
});

impl ReadQueue {
    fn enter(&self, now: Instant) {
        if self.waiting.fetch_add(1, Ordering::AcqRel) == 0 {
            self.mark_empty(now);
        }
    }

    /// A read leaves the queue for a thread; true when the queue is standing and others wait
    /// behind it (a read alone in the queue is run however long it waited: refusing it would
    /// spare no one).
    fn leave(&self, now: Instant) -> bool {
        let standing = now
            .saturating_duration_since(self.epoch)
            .saturating_sub(Duration::from_micros(self.empty_at.load(Ordering::Acquire)))
            > STANDING;
        let behind = self.waiting.fetch_sub(1, Ordering::AcqRel) - 1;
        if behind == 0 {
            self.mark_empty(now);
        }
        standing && behind > 0
    }

    fn mark_empty(&self, now: Instant) {
        let micros = now.saturating_duration_since(self.epoch).as_micros();
        self.empty_at
            .store(u64::try_from(micros).unwrap_or(u64::MAX), Ordering::Release);
    }
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
    /// On a replica: what it follows and the snapshot it serves.
    #[serde(skip_serializing_if = "Option::is_none")]
    replica: Option<crate::service::ReplicaState>,
}

async fn readyz(State(state): State<AppState>) -> Result<Json<Ready>, ApiError> {
    match state.service.readiness() {
        crate::service::Readiness::Ready => Ok(Json(Ready {
            status: "ready",
            documents: state.service.index().num_docs(),
            analyzer: crate::analysis::description(),
            replica: state.service.replica(),
        })),
        crate::service::Readiness::Restoring => Err(not_ready("a restore is replacing the data")),
        crate::service::Readiness::AwaitingSnapshot(source) => Err(not_ready(&format!(
            "a replica waiting for its first snapshot from {source}"
        ))),
    }
}

/// `/readyz`'s answer while the service should not be sent searches.
pub(crate) fn not_ready(why: &str) -> ApiError {
    ApiError::new(Problem::Unavailable, format!("not ready: {why}")).retry_after(5)
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
    reading(state.limits.search_wait, move || {
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
    let doc = reading(state.limits.search_wait, move || {
        Ok(state.service.get(&id)?)
    })
    .await?;
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
    reading(state.limits.search_wait, move || {
        Ok(Json(state.service.suggest(&q, limit)?))
    })
    .await
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
    check_key(
        headers,
        &[state.admin_key.as_deref()],
        "the write API is off: start the server with INNOHAKU_ADMIN_KEY_FILE set to enable it",
    )
}

/// Checks that a request's bearer key is one of `keys`, in constant time; with no key
/// configured, the endpoint is `off` (403, saying how to turn it on).
pub(crate) fn check_key(
    headers: &HeaderMap,
    keys: &[Option<&str>],
    off: &str,
) -> Result<(), ApiError> {
    if keys.iter().all(Option::is_none) {
        return Err(ApiError::new(Problem::Forbidden, off));
    }
    // The scheme is case-insensitive (RFC 9110, 11.1); the key is not.
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim_start())
        .ok_or_else(|| {
            ApiError::new(
                Problem::Unauthorized,
                "send `Authorization: Bearer <admin key>`",
            )
        })?;
    // Every key is compared, so the time does not say which one matched.
    let matched = keys.iter().flatten().fold(false, |found, key| {
        constant_time_eq(given.as_bytes(), key.as_bytes()) | found
    });
    if matched {
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

/// Serves the router on `listener` until SIGINT or SIGTERM, letting in-flight requests finish
/// within the drain timeout.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    server::serve(listener, state, shutdown_signal()).await
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    /// A plain error response (a timeout's 503, an extractor's 415) becomes the problem of
    /// its own status: a 503 once said "internal" and "the error is logged", and a 415 was
    /// an `invalid-body` 400.
    #[tokio::test]
    async fn plain_error_responses_become_the_problem_of_their_status() {
        let router: Router = Router::new()
            .route("/slow", get(|| async { StatusCode::SERVICE_UNAVAILABLE }))
            .route(
                "/media",
                get(|| async { StatusCode::UNSUPPORTED_MEDIA_TYPE }),
            )
            .layer(middleware::from_fn(problem_for_plain_errors));
        for (path, status, problem, retry) in [
            ("/slow", 503, "/problems/unavailable", true),
            ("/media", 415, "/problems/unsupported-media-type", false),
        ] {
            let request = Request::builder().uri(path).body(Body::empty()).unwrap();
            let response = router.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status(), status);
            assert_eq!(response.headers().contains_key(header::RETRY_AFTER), retry);
            let body = axum::body::to_bytes(response.into_body(), 4096)
                .await
                .unwrap();
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body["type"], problem);
            assert_eq!(body["status"], status);
        }
    }

    /// The OpenAPI document is generated once and served from memory: every response shares
    /// the same bytes (it was once regenerated on every request).
    #[tokio::test]
    async fn the_openapi_document_is_built_once() {
        let mut bodies = Vec::new();
        for _ in 0..2 {
            let response = openapi_json().await;
            assert_eq!(response.status(), StatusCode::OK);
            bodies.push(
                axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .unwrap(),
            );
        }
        assert!(!bodies[0].is_empty());
        assert_eq!(
            bodies[0].as_ptr(),
            bodies[1].as_ptr(),
            "each request built the document anew"
        );
    }
}

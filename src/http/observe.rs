//! What the server tells its operators about requests: a request id (the client's
//! `X-Request-Id` when it is sound, else a new one) in the response header and in every
//! problem body, a line in the access log, the request metrics, and `GET /metrics`.

use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};

use super::{ApiError, AppState, computing};
use crate::service::Stats;
use crate::telemetry::{self, names};

/// The request id header, read from requests and set on every response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a client; a longer one is replaced.
pub const MAX_REQUEST_ID: usize = 128;

/// A request's id.
#[derive(Debug, Clone)]
pub struct RequestId(Arc<str>);

impl RequestId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The client's id, if it is 1 to [`MAX_REQUEST_ID`] visible ASCII characters (no
    /// space, no control character: it is logged and echoed as it is).
    pub fn from_client(value: &HeaderValue) -> Option<RequestId> {
        let bytes = value.as_bytes();
        let sound = (1..=MAX_REQUEST_ID).contains(&bytes.len())
            && bytes.iter().all(|b| (0x21..=0x7e).contains(b));
        sound.then(|| RequestId(Arc::from(value.to_str().expect("visible ASCII"))))
    }

    /// A new id: 16 hex digits, from a per-process random key and a counter, so ids do not
    /// repeat within a process and are unlikely to across processes.
    pub fn generate() -> RequestId {
        static KEY: LazyLock<RandomState> = LazyLock::new(RandomState::new);
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        RequestId(Arc::from(format!("{:016x}", KEY.hash_one(n))))
    }

    fn header(&self) -> HeaderValue {
        HeaderValue::from_str(&self.0).expect("ids are visible ASCII")
    }
}

tokio::task_local! {
    /// The id of the request being answered, for the problems made while answering it.
    static CURRENT: RequestId;
}

/// The id of the request this task is answering, if any.
pub fn current_request_id() -> Option<String> {
    CURRENT.try_with(|id| id.as_str().to_owned()).ok()
}

/// Runs `f` as if answering a request with this id (for responses made outside the router).
pub fn with_request_id<T>(id: RequestId, f: impl FnOnce() -> T) -> T {
    CURRENT.sync_scope(id, f)
}

/// Gives each request its id, counts and times it by route and status, and logs it when
/// its response has been sent.
pub async fn observe(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(RequestId::from_client)
        .unwrap_or_else(RequestId::generate);
    let method = method_label(request.method());
    // The route's template, never the path itself: a label per document id would grow
    // without end, and the path of an unknown route is the client's text.
    let route: Arc<str> = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(Arc::from("unmatched"), |p| Arc::from(p.as_str()));
    request.extensions_mut().insert(id.clone());
    let mut response = CURRENT.scope(id.clone(), next.run(request)).await;
    response.headers_mut().insert(REQUEST_ID, id.header());
    let status = response.status().as_u16();
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_string()),
        ("status", status.to_string()),
    ];
    metrics::counter!(names::HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(names::HTTP_DURATION, &labels).record(started.elapsed().as_secs_f64());
    response.map(|body| {
        Body::new(Logged {
            inner: body,
            bytes: 0,
            line: AccessLine {
                started,
                method,
                route,
                status,
                id,
            },
        })
    })
}

/// A method as a label: the standard ones by name, any other as `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// What the access log says of a request. Neither the query string nor any header is in
/// it: queries about health and social services are the searcher's business, and headers
/// carry credentials. (At debug level, the request span has the URI, credentials redacted.)
struct AccessLine {
    started: Instant,
    method: &'static str,
    route: Arc<str>,
    status: u16,
    id: RequestId,
}

/// A response body that counts the bytes sent and writes the access log line when it is
/// dropped: once sent whole, or when the client went away.
struct Logged {
    inner: Body,
    bytes: u64,
    line: AccessLine,
}

impl http_body::Body for Logged {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            self.bytes += data.len() as u64;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        let line = &self.line;
        tracing::info!(
            target: "innohaku::access",
            method = line.method,
            route = &*line.route,
            status = line.status,
            latency_ms = line.started.elapsed().as_micros() as f64 / 1000.0,
            bytes = self.bytes,
            request_id = line.id.as_str(),
            "request"
        );
    }
}

/// `GET /metrics`: the Prometheus text format, for the admin key or the metrics key.
pub async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    super::check_key(
        &headers,
        &[state.admin_key.as_deref(), state.metrics_key.as_deref()],
        "metrics are off: start the server with INNOHAKU_METRICS_KEY_FILE (or an admin key) to read them",
    )?;
    let handle = telemetry::install();
    let service = state.service.clone();
    let stats = computing(move || Ok(service.stats())).await?;
    publish(&stats);
    telemetry::publish_caches();
    handle.run_upkeep();
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response())
}

/// The service's state as gauges, read at each scrape.
fn publish(stats: &Stats) {
    for (kind, n) in &stats.documents {
        metrics::gauge!(names::DOCUMENTS, "kind" => kind.id()).set(*n as f64);
    }
    metrics::gauge!(names::INDEX_GENERATION).set(stats.generation as f64);
    metrics::gauge!(names::INDEX_SIZE).set(stats.index_bytes as f64);
    metrics::gauge!(names::STORE_SIZE).set(stats.store_bytes as f64);
    metrics::gauge!(names::INDEX_BEHIND).set(if stats.index_behind { 1.0 } else { 0.0 });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_bounded_visible_ascii() {
        let id = |s: &str| RequestId::from_client(&HeaderValue::from_str(s).unwrap());
        assert_eq!(id("abc-123_X.y:z").unwrap().as_str(), "abc-123_X.y:z");
        assert!(id("").is_none());
        assert!(id("two words").is_none());
        assert!(id(&"a".repeat(MAX_REQUEST_ID)).is_some());
        assert!(id(&"a".repeat(MAX_REQUEST_ID + 1)).is_none());
        let latin1 = HeaderValue::from_bytes(b"caf\xe9").unwrap();
        assert!(RequestId::from_client(&latin1).is_none());
        let (a, b) = (RequestId::generate(), RequestId::generate());
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(a.as_str().len(), 16);
    }
}

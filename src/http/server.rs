//! Serving connections: hyper's HTTP/1 server with a cap on open connections, a timeout on
//! reading request heads (which is also the idle keep-alive timeout), a check of each
//! connection's first request head that answers a malformed or oversized one with a problem,
//! and a shutdown that drains for a bounded time.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

use super::error::{ApiError, Problem};
use super::observe::{RequestId, with_request_id};
use super::{AppState, Limits, app};

/// Longest request head (request line and headers) accepted, in bytes.
pub const MAX_HEAD_BYTES: usize = 48 * 1024;
/// Longest request target (path and query string) accepted, in bytes: room for the widget's
/// 4,000 characters of page text, percent-encoded (six bytes for an `ä`).
pub const MAX_URI_BYTES: usize = 32 * 1024;
/// Most header fields in one request.
pub const MAX_HEADERS: usize = 64;

/// Serves the router on `listener` until `shutdown` resolves, then lets requests in flight
/// finish for at most the drain timeout.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let limits = state.limits.clone();
    serve_switched(listener, Switch::new(app(state)), limits, shutdown).await
}

/// The router requests are answered by, replaceable while the server runs: the server
/// listens while the service opens (answering with [`starting`]), then switches to the
/// service's router. Each request takes the router current when it arrives, so kept-alive
/// connections switch too.
#[derive(Clone)]
pub struct Switch(Arc<std::sync::RwLock<Router>>);

impl Switch {
    /// A switch set to `router`.
    pub fn new(router: Router) -> Switch {
        Switch(Arc::new(std::sync::RwLock::new(router)))
    }

    /// Answers the requests from now on with `router`.
    pub fn set(&self, router: Router) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = router;
    }

    fn current(&self) -> Router {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The router of a server whose service is not open yet: alive (`/healthz`), not ready
/// (`/readyz` and everything else: 503 with `Retry-After`).
pub fn starting() -> Router {
    Router::new()
        .route(
            "/healthz",
            axum::routing::get(|| async { axum::Json(serde_json::json!({ "status": "ok" })) }),
        )
        .fallback(|| async { super::not_ready("the index is being opened") })
        .layer(axum::middleware::from_fn(super::observe::observe))
}

/// Serves whatever router `switch` holds on `listener` until `shutdown` resolves, then lets
/// requests in flight finish for at most the drain timeout.
pub async fn serve_switched(
    listener: TcpListener,
    switch: Switch,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Wait for a free slot before accepting: a client beyond the cap waits in the
        // kernel's accept queue instead of taking one of the process's files.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of files or memory for a moment: wait instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let connection = connection(
            stream,
            peer,
            switch.clone(),
            limits.clone(),
            graceful.watcher(),
        );
        let open = metrics::gauge!(crate::telemetry::names::HTTP_CONNECTIONS);
        open.increment(1.0);
        tokio::spawn(async move {
            connection.await;
            open.decrement(1.0);
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!(
        drain_s = limits.drain_timeout.as_secs_f64(),
        "shutting down: waiting for requests in flight"
    );
    if tokio::time::timeout(limits.drain_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "requests still in flight after the drain timeout were cut off; none of them was acknowledged"
        );
    }
    Ok(())
}

/// Serves one connection: its first request head is checked, then hyper takes over.
async fn connection(
    mut stream: TcpStream,
    peer: SocketAddr,
    switch: Switch,
    limits: Limits,
    watcher: Watcher,
) {
    let head = match first_head(&mut stream, limits.header_timeout).await {
        Ok(Some(head)) => head,
        Ok(None) => return,
        Err(refusal) => {
            refuse(&mut stream, refusal).await;
            return;
        }
    };
    let service = tower::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        switch.current().oneshot(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_headers(MAX_HEADERS)
        // hyper's own (plain, empty) 431 comes only for heads well past ours; the router
        // answers the ones in between with a problem (`guard::head_size`).
        .max_buf_size((4 * MAX_HEAD_BYTES).max(8192));
    let io = TokioIo::new(Prefixed {
        prefix: head,
        at: 0,
        inner: stream,
        linger: None,
        replacing: None,
    });
    let served = builder.serve_connection(io, TowerToHyperService::new(service));
    if let Err(e) = watcher.watch(served).await {
        tracing::debug!(error = %e, %peer, "connection ended with an error");
    }
}

/// Why a first request head was refused.
#[derive(Debug)]
struct Refusal(Problem, &'static str);

/// Reads the connection's first request head and checks it with hyper's parser: `Ok(None)`
/// when the client closed or sent nothing in time, the bytes read when the head is sound.
async fn first_head(stream: &mut TcpStream, timeout: Duration) -> Result<Option<Vec<u8>>, Refusal> {
    let mut buf = Vec::with_capacity(1024);
    let reading = async {
        loop {
            let mut chunk = [0u8; 4096];
            let n = match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return Ok(None),
                Ok(n) => n,
            };
            buf.extend_from_slice(&chunk[..n]);
            match check_head(&buf)? {
                true => return Ok(Some(())),
                false if buf.len() > MAX_HEAD_BYTES => {
                    return Err(oversized(&buf));
                }
                false => {}
            }
        }
    };
    match tokio::time::timeout(timeout, reading).await {
        Ok(Ok(Some(()))) => Ok(Some(buf)),
        Ok(Ok(None)) => Ok(None),
        Ok(Err(refusal)) => Err(refusal),
        Err(_) if buf.is_empty() => Ok(None),
        Err(_) => Err(Refusal(
            Problem::RequestTimeout,
            "the request head did not arrive in time",
        )),
    }
}

/// Whether `buf` holds a whole, sound request head (`false`: not all of it yet).
fn check_head(buf: &[u8]) -> Result<bool, Refusal> {
    // Leading empty lines are allowed before a request line (RFC 9112, 2.2).
    let start = buf
        .iter()
        .position(|b| *b != b'\r' && *b != b'\n')
        .unwrap_or(buf.len());
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let status = request.parse(&buf[start..]).map_err(|e| match e {
        httparse::Error::TooManyHeaders => Refusal(
            Problem::HeadersTooLarge,
            "the request has more header fields than the service accepts",
        ),
        _ => Refusal(
            Problem::MalformedRequest,
            "the request is not valid HTTP/1.1",
        ),
    })?;
    if request.path.is_some_and(|p| p.len() > MAX_URI_BYTES) {
        return Err(Refusal(
            Problem::UriTooLong,
            "the request target is longer than the service accepts",
        ));
    }
    match status {
        httparse::Status::Complete(n) if n > MAX_HEAD_BYTES => Err(oversized(buf)),
        httparse::Status::Complete(_) => Ok(true),
        httparse::Status::Partial => Ok(false),
    }
}

/// The refusal of a head past the limit: the URI's fault if the request line alone is.
fn oversized(buf: &[u8]) -> Refusal {
    let line = buf.iter().position(|b| *b == b'\n').unwrap_or(buf.len());
    if line > MAX_URI_BYTES {
        Refusal(
            Problem::UriTooLong,
            "the request target is longer than the service accepts",
        )
    } else {
        Refusal(
            Problem::HeadersTooLarge,
            "the request head is larger than the service accepts",
        )
    }
}

/// Answers a refused head with its problem and closes the connection.
async fn refuse(stream: &mut TcpStream, refusal: Refusal) {
    let answer = refusal_answer(refusal);
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(&answer).await?;
        stream.shutdown().await
    })
    .await;
    // Read what the client still sends before closing, as `Prefixed` does: closing with
    // unread bytes resets the connection, and the client may lose the answer.
    let _ = tokio::time::timeout(LINGER, async {
        let mut scratch = [0u8; 8192];
        let mut drained = 0;
        while drained < LINGER_BYTES {
            match stream.read(&mut scratch).await {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    })
    .await;
}

/// The whole answer to a refused request head, logged: its problem, then the connection
/// closes.
fn refusal_answer(Refusal(problem, detail): Refusal) -> Vec<u8> {
    let id = RequestId::generate();
    tracing::info!(
        target: "innohaku::access",
        status = problem.meta().1.as_u16(),
        request_id = id.as_str(),
        detail,
        "request refused before routing"
    );
    let (status, body) =
        with_request_id(id.clone(), || ApiError::new(problem, detail).into_problem());
    debug_assert!(status != StatusCode::OK);
    let body = serde_json::to_vec(&body).expect("a problem serializes");
    let mut answer = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\n\
         x-content-type-options: nosniff\r\nx-request-id: {}\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len(),
        id.as_str()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    answer
}

/// The refusal hyper itself wrote as `answer`, if it is one. A later request of a kept-alive
/// connection that hyper cannot parse (or that is far past the limits) hyper answers on its
/// own, before the router: an empty 400, 414 or 431 with no header of ours, which it offers
/// no way to replace. [`Prefixed`] writes the problem instead.
fn hypers_own_refusal(answer: &[u8]) -> Option<Refusal> {
    let rest = answer.strip_prefix(b"HTTP/1.1 ")?;
    let line = rest.windows(2).position(|w| w == b"\r\n")?;
    if !rest[line + 2..].starts_with(b"connection: close\r\ncontent-length: 0\r\n") {
        return None;
    }
    match rest.get(..4)? {
        b"400 " => Some(Refusal(
            Problem::MalformedRequest,
            "the request is not valid HTTP/1.1",
        )),
        b"414 " => Some(Refusal(
            Problem::UriTooLong,
            "the request target is longer than the service accepts",
        )),
        b"431 " => Some(Refusal(
            Problem::HeadersTooLarge,
            "the request head is larger than the service accepts",
        )),
        _ => None,
    }
}

/// A stream whose first bytes were already read: they are read again first.
///
/// Its shutdown lingers: the response is ended (FIN) and what the client still sends is
/// read and dropped, for at most [`LINGER`] and [`LINGER_BYTES`], before the socket closes.
/// Closing with unread bytes makes the kernel reset the connection, and a reset client may
/// lose the response it was sent (a 413 for a body it is still sending, say).
///
/// A refusal hyper writes on its own is replaced by the problem ([`hypers_own_refusal`]).
struct Prefixed {
    prefix: Vec<u8>,
    at: usize,
    inner: TcpStream,
    linger: Option<(Pin<Box<tokio::time::Sleep>>, usize)>,
    /// The problem being written instead of hyper's refusal, and how much of it is written.
    replacing: Option<(Vec<u8>, usize)>,
}

/// How long a closing connection reads what its client still sends.
const LINGER: Duration = Duration::from_secs(1);
/// How much of it, at most.
const LINGER_BYTES: usize = 1024 * 1024;

impl AsyncRead for Prefixed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.at < self.prefix.len() {
            let n = buf.remaining().min(self.prefix.len() - self.at);
            let at = self.at;
            buf.put_slice(&self.prefix[at..at + n]);
            self.at += n;
            if self.at == self.prefix.len() {
                self.prefix = Vec::new();
                self.at = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl Prefixed {
    /// Whether `buf` is to be replaced: a replacement is being written, or `buf` is hyper's
    /// refusal (whose replacement then starts).
    fn replaces(&mut self, buf: &[u8]) -> bool {
        if self.replacing.is_none() {
            self.replacing = hypers_own_refusal(buf).map(|refusal| (refusal_answer(refusal), 0));
        }
        self.replacing.is_some()
    }

    /// Writes the problem that replaces hyper's refusal, then says its `len` bytes were
    /// written.
    fn poll_replacement(&mut self, cx: &mut Context<'_>, len: usize) -> Poll<io::Result<usize>> {
        let (answer, written) = self.replacing.as_mut().expect("a replacement started");
        while *written < answer.len() {
            match std::task::ready!(Pin::new(&mut self.inner).poll_write(cx, &answer[*written..])) {
                Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Ok(n) => *written += n,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        self.replacing = None;
        Poll::Ready(Ok(len))
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.replaces(buf) {
            self.poll_replacement(cx, buf.len())
        } else {
            Pin::new(&mut self.inner).poll_write(cx, buf)
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // hyper's refusal is a head alone, in one buffer.
        match bufs.iter().find(|b| !b.is_empty()) {
            Some(first) if self.replaces(first) => self.poll_replacement(cx, first.len()),
            _ => Pin::new(&mut self.inner).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.linger.is_none() {
            std::task::ready!(Pin::new(&mut self.inner).poll_shutdown(cx))?;
            self.linger = Some((Box::pin(tokio::time::sleep(LINGER)), 0));
        }
        let this = &mut *self;
        let (deadline, drained) = this.linger.as_mut().expect("set above");
        let mut scratch = [0u8; 8192];
        loop {
            if *drained >= LINGER_BYTES || deadline.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Ok(()));
            }
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut this.inner).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if buf.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => *drained += buf.filled().len(),
                Poll::Ready(Err(_)) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// While the service opens, the server is alive but not ready, and says so in problems.
    #[tokio::test]
    async fn a_starting_server_is_alive_and_not_ready() {
        for (path, status) in [("/healthz", 200), ("/readyz", 503), ("/v1/search?q=x", 503)] {
            let request = Request::builder()
                .uri(path)
                .body(axum::body::Body::empty())
                .unwrap();
            let response = starting().oneshot(request).await.unwrap();
            assert_eq!(response.status(), status, "{path}");
            assert!(response.headers().contains_key("x-request-id"));
            if status == 503 {
                assert_eq!(
                    response.headers()["content-type"],
                    "application/problem+json"
                );
                assert_eq!(response.headers()["retry-after"], "5");
            }
        }
    }

    fn refused(head: &[u8]) -> Option<Problem> {
        check_head(head).err().map(|r| r.0)
    }

    #[test]
    fn first_heads_are_checked_like_hyper_would() {
        assert_eq!(
            check_head(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").ok(),
            Some(true)
        );
        assert_eq!(
            check_head(b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n").ok(),
            Some(true)
        );
        assert_eq!(check_head(b"GET / HTTP/1.1\r\nHost: x").ok(), Some(false));
        assert_eq!(
            refused(b"GARBAGE\x01 / HTTP/1.1\r\n\r\n"),
            Some(Problem::MalformedRequest)
        );
        assert_eq!(
            refused(b"GET / HTTP/9\r\n\r\n"),
            Some(Problem::MalformedRequest)
        );
        let long_uri = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_URI_BYTES));
        assert_eq!(refused(long_uri.as_bytes()), Some(Problem::UriTooLong));
        let many: String = (0..=MAX_HEADERS).map(|i| format!("x-{i}: 1\r\n")).collect();
        let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(refused(many.as_bytes()), Some(Problem::HeadersTooLarge));
        let big = format!(
            "GET / HTTP/1.1\r\nx: {}\r\n\r\n",
            "a".repeat(MAX_HEAD_BYTES)
        );
        assert_eq!(refused(big.as_bytes()), Some(Problem::HeadersTooLarge));
    }
}

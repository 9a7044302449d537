//! Middleware that protects the service from its clients: admission of read requests
//! (shedding the excess early), per-client rates, the admin key before any body is read,
//! head size limits for kept-alive connections, security headers and log redaction.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, Problem};
use super::limits::RateLimit;
use super::server::{MAX_HEAD_BYTES, MAX_URI_BYTES};
use super::{AppState, Limits};

/// Content-Security-Policy of the search page: its own script and styles only, no inline
/// script, never framed.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Refuses a request without the admin key before its body is read (401 or 403), and every
/// admin request on a read-only replica (403 `read-only-replica`).
pub async fn require_admin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(replica) = state.service.replica() {
        return ApiError::new(
            Problem::ReadOnlyReplica,
            format!(
                "this server is a read-only replica of {}; send writes to the primary",
                replica.source
            ),
        )
        .into_response();
    }
    match super::authorize(&state, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

/// Answers 414 and 431 with a problem for requests on kept-alive connections (a
/// connection's first request is checked before hyper reads it: `server::first_head`).
pub async fn head_size(request: Request, next: Next) -> Response {
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri > MAX_URI_BYTES {
        return ApiError::new(
            Problem::UriTooLong,
            "the request target is longer than the service accepts",
        )
        .into_response();
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if headers + uri > MAX_HEAD_BYTES {
        return ApiError::new(
            Problem::HeadersTooLarge,
            "the request head is larger than the service accepts",
        )
        .into_response();
    }
    next.run(request).await
}

/// `nosniff` on every response.
pub async fn nosniff(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    response
}

/// The search page's headers: a strict CSP, not framable, no referrer to other sites
/// (a search for a health topic is nobody else's business).
pub async fn page_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

/// Per-client token buckets for the public endpoints.
pub struct RateLimiter {
    rate: RateLimit,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Clients remembered before idle ones (full buckets) are forgotten.
const REMEMBERED_CLIENTS: usize = 65_536;

impl RateLimiter {
    /// A limiter allowing `rate` to each client.
    pub fn new(rate: RateLimit) -> RateLimiter {
        RateLimiter {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the client's bucket; `Err(seconds)` to wait when it is empty.
    pub fn take(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        let burst = f64::from(self.rate.burst);
        let per_second = self.rate.per_second;
        let refill = |b: &mut Bucket| {
            let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
            b.tokens = (b.tokens + elapsed * per_second).min(burst);
            b.at = now;
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= REMEMBERED_CLIENTS {
            buckets.retain(|_, b| {
                refill(b);
                b.tokens < burst
            });
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        refill(bucket);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

/// What the rate middleware needs.
#[derive(Clone)]
pub struct Rates {
    /// The buckets.
    pub limiter: Arc<RateLimiter>,
    /// How the client is found.
    pub limits: Limits,
}

/// Refuses a client over its rate with 429 and `Retry-After`.
pub async fn rate_limit(State(rates): State<Rates>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(client) = rates.limits.client(request.headers(), peer)
        && let Err(wait) = rates.limiter.take(client, Instant::now())
    {
        metrics::counter!(crate::telemetry::names::HTTP_RATE_LIMITED).increment(1);
        return ApiError::new(
            Problem::TooManyRequests,
            "too many requests from this client; slow down",
        )
        .retry_after(wait)
        .into_response();
    }
    next.run(request).await
}

/// The URI as logged: values of parameters that look like credentials are replaced.
pub fn redacted(uri: &Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.to_string();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| {
            let (key, _) = pair.split_once('=').unwrap_or((pair, ""));
            let name: String = url::form_urlencoded::parse(key.as_bytes())
                .map(|(k, _)| k.to_lowercase())
                .collect();
            let secret = [
                "key",
                "token",
                "secret",
                "password",
                "passwd",
                "auth",
                "credential",
                "session",
                "signature",
            ]
            .iter()
            .any(|word| name.contains(word));
            if secret {
                format!("{key}=REDACTED")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    format!("{}?{}", uri.path(), query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn credentials_in_query_strings_are_not_logged() {
        let uri: Uri = "/v1/search?q=kotihoito&api_key=s3cret&Access%5FToken=t&limit=5"
            .parse()
            .unwrap();
        assert_eq!(
            redacted(&uri),
            "/v1/search?q=kotihoito&api_key=REDACTED&Access%5FToken=REDACTED&limit=5"
        );
        assert_eq!(redacted(&"/healthz".parse().unwrap()), "/healthz");
    }

    #[test]
    fn a_client_gets_its_burst_then_its_rate() {
        let limiter = RateLimiter::new(RateLimit {
            per_second: 2.0,
            burst: 3,
        });
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take(a, t0), Ok(()));
        }
        assert_eq!(limiter.take(a, t0), Err(1));
        assert_eq!(
            limiter.take(b, t0),
            Ok(()),
            "another client has its own bucket"
        );
        assert_eq!(limiter.take(a, t0 + Duration::from_millis(500)), Ok(()));
        assert!(limiter.take(a, t0 + Duration::from_millis(500)).is_err());
    }
}

//! What the server allows a client: request sizes, timeouts, connections, queues and rates.
//! One plain struct, filled from flags or `INNOHAKU_*` variables by `cli.rs`; every field has
//! a default that suits a public service on a small machine.

use std::net::IpAddr;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderName};

/// Limits on what clients may ask of the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most documents in one request that is held in memory whole: `?atomic=true` or a JSON
    /// array. A plain NDJSON stream has no such limit; it is applied in batches.
    pub max_batch_docs: usize,
    /// Most connections open at once; more wait in the kernel's accept queue.
    pub max_connections: usize,
    /// How long the server waits for a request's head: on a new connection, and between
    /// requests on a kept-alive one (hyper starts the same timer for both), so it is also
    /// the idle keep-alive timeout.
    pub header_timeout: Duration,
    /// How long a request body may stall between two chunks; a small body (a document, a
    /// page to recommend for) must also arrive whole within it.
    pub body_timeout: Duration,
    /// How long a shutdown waits for requests in flight before the process exits.
    pub drain_timeout: Duration,
    /// Read requests (searches, recommendations…) admitted beyond those the search threads
    /// are running; more are refused at once with 503 and `Retry-After`.
    pub search_queue: usize,
    /// Longest a read request may wait for a search thread while reads queue without a break
    /// (overload); one that waited longer is refused with 503 and `Retry-After` instead of run.
    /// The work a late answer would cost goes to fresh requests instead.
    pub search_wait: Duration,
    /// Requests per second each client may make to the public endpoints; `None`: no limit.
    pub rate_limit: Option<RateLimit>,
    /// The header a trusted reverse proxy puts the client's address in (its last entry is
    /// taken, the one the proxy added); without it, the connection's peer address is the client.
    pub client_ip_header: Option<HeaderName>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_batch_docs: 10_000,
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            drain_timeout: Duration::from_secs(10),
            search_queue: 64,
            search_wait: Duration::from_millis(15),
            rate_limit: None,
            client_ip_header: None,
        }
    }
}

/// A per-client rate: a steady rate and the burst allowed above it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests per second, sustained.
    pub per_second: f64,
    /// Requests a client may make at once after being idle.
    pub burst: u32,
}

impl Limits {
    /// The client a request is counted against: the trusted header's last address, or the
    /// peer. A header that is missing or unparsable falls back to the peer.
    pub fn client(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        self.client_ip_header
            .as_ref()
            .and_then(|name| headers.get_all(name).iter().next_back())
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
            .or(peer)
    }
}

/// Parses a duration written as `10s`, `500ms`, `2m` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: write e.g. 10s, 500ms or 2m"))?;
    let seconds = match unit.trim() {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("`{text}`: the unit must be ms, s or m")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{text}`: {e}"))
}

/// Parses a rate written as `20/s` with an optional burst, `20/s,40`; `off` for none.
pub fn parse_rate(text: &str) -> Result<Option<RateLimit>, String> {
    let text = text.trim();
    if text.is_empty() || text == "off" {
        return Ok(None);
    }
    let bad = || format!("`{text}` is not a rate: write e.g. 20/s, or 20/s,40 with a burst of 40");
    let (rate, burst) = match text.split_once(',') {
        Some((rate, burst)) => (rate, Some(burst.trim().parse::<u32>().map_err(|_| bad())?)),
        None => (text, None),
    };
    let (count, per) = rate.split_once('/').ok_or_else(bad)?;
    let count: f64 = count.trim().parse().map_err(|_| bad())?;
    let per_second = match per.trim() {
        "s" => count,
        "m" => count / 60.0,
        _ => return Err(bad()),
    };
    if !(per_second > 0.0 && per_second.is_finite()) {
        return Err(bad());
    }
    let burst = burst.unwrap_or_else(|| (per_second.ceil() as u32).max(1));
    if burst == 0 {
        return Err(bad());
    }
    Ok(Some(RateLimit { per_second, burst }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_rates_parse() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3h").is_err());
        assert_eq!(parse_rate("off"), Ok(None));
        let r = parse_rate("20/s,40").unwrap().unwrap();
        assert_eq!((r.per_second, r.burst), (20.0, 40));
        let r = parse_rate("120/m").unwrap().unwrap();
        assert_eq!((r.per_second, r.burst), (2.0, 2));
        assert!(parse_rate("0/s").is_err());
        assert!(parse_rate("fast").is_err());
    }

    #[test]
    fn the_client_is_the_trusted_headers_last_address() {
        let peer: IpAddr = "127.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let untrusting = Limits::default();
        assert_eq!(untrusting.client(&headers, Some(peer)), Some(peer));
        let trusting = Limits {
            client_ip_header: Some(HeaderName::from_static("x-forwarded-for")),
            ..Limits::default()
        };
        assert_eq!(
            trusting.client(&headers, Some(peer)),
            Some("198.51.100.7".parse().unwrap())
        );
        headers.insert("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(trusting.client(&headers, Some(peer)), Some(peer));
    }
}

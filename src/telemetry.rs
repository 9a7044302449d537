//! Metrics: their names and meanings, the Prometheus recorder, and the counts kept where
//! recording through a registry would cost more than the work counted (cache look-ups).
//!
//! Code records through the `metrics` facade (`metrics::counter!(names::X)`); the server
//! installs the recorder once ([`install`]) and `GET /metrics` renders it. Until a recorder is
//! installed (a library user, a unit test), recording costs nothing and goes nowhere.
//! docs/configuration.md lists every name (a test holds the list and `/metrics` together).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// The metric names.
pub mod names {
    /// Counter: HTTP requests answered, by `method`, `route` (the route's path template,
    /// `unmatched` for none) and `status`.
    pub const HTTP_REQUESTS: &str = "innohaku_http_requests_total";
    /// Histogram: seconds from a request's arrival to its response's head, by `method`,
    /// `route` and `status`.
    pub const HTTP_DURATION: &str = "innohaku_http_request_duration_seconds";
    /// Counter: read requests shed (503), by `reason`: `queue` (the search threads and their
    /// queue were full: refused at once) or `wait` (under overload, it waited for a thread
    /// longer than `limits.search_wait`).
    pub const HTTP_SHED: &str = "innohaku_http_shed_total";
    /// Counter: requests refused because their client was over its rate (429).
    pub const HTTP_RATE_LIMITED: &str = "innohaku_http_rate_limited_total";
    /// Gauge: connections open.
    pub const HTTP_CONNECTIONS: &str = "innohaku_http_connections";
    /// Histogram: seconds a search took in the service, by `shape`.
    pub const SEARCH_DURATION: &str = "innohaku_search_duration_seconds";
    /// Gauge: documents in the serving index, by `kind`.
    pub const DOCUMENTS: &str = "innohaku_documents";
    /// Gauge: the serving index generation's number.
    pub const INDEX_GENERATION: &str = "innohaku_index_generation";
    /// Gauge: bytes of the serving index generation on disk.
    pub const INDEX_SIZE: &str = "innohaku_index_size_bytes";
    /// Gauge: bytes of the document store on disk.
    pub const STORE_SIZE: &str = "innohaku_store_size_bytes";
    /// Gauge: 1 while stored changes wait for the index (it could not be written, e.g. a
    /// full disk), else 0.
    pub const INDEX_BEHIND: &str = "innohaku_index_behind";
    /// Counter: documents received for ingestion, by `outcome` (inserted, updated,
    /// unchanged, stale, rejected).
    pub const INGESTED: &str = "innohaku_ingested_documents_total";
    /// Counter: documents deleted.
    pub const DELETED: &str = "innohaku_deleted_documents_total";
    /// Counter: full reindexes ended, by `result` (succeeded, failed, cancelled).
    pub const REINDEXES: &str = "innohaku_reindexes_total";
    /// Histogram: seconds a successful full reindex took.
    pub const REINDEX_DURATION: &str = "innohaku_reindex_duration_seconds";
    /// Counter: cache look-ups, by `cache` and `result` (hit, miss).
    pub const CACHE_REQUESTS: &str = "innohaku_cache_requests_total";
    /// Gauge: always 1, with the `version` and the `analyzer` as labels.
    pub const BUILD_INFO: &str = "innohaku_build_info";
}

/// The shapes of search, for [`names::SEARCH_DURATION`]: what the search had to do.
pub const SEARCH_SHAPES: [&str; 5] = ["browse", "words", "prefix", "typo", "relaxed"];

/// Hits and misses of one cache, counted with two relaxed atomic additions.
#[derive(Debug, Default)]
pub struct CacheCounts {
    hits: AtomicU64,
    misses: AtomicU64,
}

impl CacheCounts {
    /// No look-ups yet.
    pub const fn new() -> CacheCounts {
        CacheCounts {
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Counts a hit, or a miss.
    pub fn record(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Parsed stored documents of hits (`index::stored`).
pub static STORED_DOCUMENTS: CacheCounts = CacheCounts::new();
/// A query word's analysed alternatives, per search thread (`search::build`).
pub static QUERY_WORDS: CacheCounts = CacheCounts::new();
/// A query's highlight terms, per search thread (`search::build`).
pub static HIGHLIGHTS: CacheCounts = CacheCounts::new();
/// Typo automata, per search thread (`search::build`).
pub static TYPO_AUTOMATA: CacheCounts = CacheCounts::new();

/// Every cache counted, by its `cache` label.
pub static CACHES: [(&str, &CacheCounts); 4] = [
    ("stored_documents", &STORED_DOCUMENTS),
    ("query_words", &QUERY_WORDS),
    ("highlights", &HIGHLIGHTS),
    ("typo_automata", &TYPO_AUTOMATA),
];

/// Bucket bounds (seconds) of the latency histograms: from 100 µs, where a simple search
/// ends, to 30 s, the read timeout, with 20 ms among them: the search box's p99 over HTTP,
/// which the fault script's overload scenario reads from here.
const LATENCY_BUCKETS: [f64; 18] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 10.0, 30.0,
];

/// Bucket bounds (seconds) of reindex durations.
const REINDEX_BUCKETS: [f64; 10] = [
    1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
];

/// Installs the Prometheus recorder for this process (once; later calls return the same
/// handle), describes every metric and registers those with fixed labels at zero, so that
/// the first scrape lists them all.
pub fn install() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(names::REINDEX_DURATION.into()),
                &REINDEX_BUCKETS,
            )
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &LATENCY_BUCKETS)
            })
            .expect("the buckets are not empty")
            .install_recorder()
            .expect("no other recorder is installed in this process");
        // Histograms keep their samples until upkeep folds them in; without a scraper,
        // nothing else would.
        let upkeep = handle.clone();
        std::thread::Builder::new()
            .name("innohaku-metrics".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                }
            })
            .expect("a thread can be started");
        register();
        handle
    })
}

fn register() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        names::HTTP_REQUESTS,
        "HTTP requests answered, by method, route and status"
    );
    describe_histogram!(
        names::HTTP_DURATION,
        Unit::Seconds,
        "Time to a response's head, by method, route and status"
    );
    describe_counter!(
        names::HTTP_SHED,
        "Read requests shed (503), by reason: queue full, or waited too long under overload"
    );
    describe_counter!(
        names::HTTP_RATE_LIMITED,
        "Requests refused: client over its rate (429)"
    );
    describe_gauge!(names::HTTP_CONNECTIONS, "Connections open");
    describe_histogram!(
        names::SEARCH_DURATION,
        Unit::Seconds,
        "Search time in the service, by shape"
    );
    describe_gauge!(names::DOCUMENTS, "Documents in the serving index, by kind");
    describe_gauge!(names::INDEX_GENERATION, "The serving index generation");
    describe_gauge!(
        names::INDEX_SIZE,
        Unit::Bytes,
        "Size of the serving index generation on disk"
    );
    describe_gauge!(
        names::STORE_SIZE,
        Unit::Bytes,
        "Size of the document store on disk"
    );
    describe_gauge!(
        names::INDEX_BEHIND,
        "1 while stored changes wait for the index"
    );
    describe_counter!(
        names::INGESTED,
        "Documents received for ingestion, by outcome"
    );
    describe_counter!(names::DELETED, "Documents deleted");
    describe_counter!(names::REINDEXES, "Full reindexes ended, by result");
    describe_histogram!(
        names::REINDEX_DURATION,
        Unit::Seconds,
        "Time of a successful full reindex"
    );
    describe_counter!(names::CACHE_REQUESTS, "Cache look-ups, by cache and result");
    describe_gauge!(
        names::BUILD_INFO,
        "Always 1: the version and analyzer as labels"
    );
    for reason in ["queue", "wait"] {
        metrics::counter!(names::HTTP_SHED, "reason" => reason).absolute(0);
    }
    for name in [names::HTTP_RATE_LIMITED, names::DELETED] {
        metrics::counter!(name).absolute(0);
    }
    for outcome in ["inserted", "updated", "unchanged", "stale", "rejected"] {
        metrics::counter!(names::INGESTED, "outcome" => outcome).absolute(0);
    }
    for result in ["succeeded", "failed", "cancelled"] {
        metrics::counter!(names::REINDEXES, "result" => result).absolute(0);
    }
    // A histogram registered without samples is listed, empty.
    let _ = metrics::histogram!(names::REINDEX_DURATION);
    for shape in SEARCH_SHAPES {
        let _ = metrics::histogram!(names::SEARCH_DURATION, "shape" => shape);
    }
    metrics::gauge!(names::HTTP_CONNECTIONS).set(0.0);
    metrics::gauge!(
        names::BUILD_INFO,
        "version" => env!("CARGO_PKG_VERSION"),
        "analyzer" => crate::analysis::description(),
    )
    .set(1.0);
}

/// The cache counts as counters (they are kept outside the registry: see [`CacheCounts`]).
pub fn publish_caches() {
    for (cache, counts) in &CACHES {
        for (result, n) in [("hit", &counts.hits), ("miss", &counts.misses)] {
            metrics::counter!(names::CACHE_REQUESTS, "cache" => *cache, "result" => result)
                .absolute(n.load(Ordering::Relaxed));
        }
    }
}

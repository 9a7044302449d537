//! Starting servers on loopback and talking to them.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use innohaku::http::embed::Origins;
use innohaku::http::{self, AppState};
use innohaku::service::{Paths, Service};
use reqwest::blocking::{Client, Response};
use serde_json::Value;

/// The one site test servers let embed them (CORS and `frame-ancestors`).
pub const ALLOWED_ORIGIN: &str = "https://www.kunta.example";

/// The most documents test servers accept in one all-or-nothing or JSON-array request.
pub const MAX_BATCH_DOCS: usize = 50;

/// The admin key test servers accept.
pub const ADMIN_KEY: &str = "test-admin-key-0123456789";

/// A server running on its own thread and runtime, on a free loopback port.
pub struct TestServer {
    pub base: String,
    client: Client,
    _data: tempfile::TempDir,
}

/// The repository's sample corpus.
pub fn sample_dir() -> PathBuf {
    crate::checkout::project_dir().join("data/sample")
}

/// Every document of the sample corpus.
pub fn sample_documents() -> Vec<innohaku::schema::Document> {
    let files = innohaku::service::ndjson_files(&sample_dir()).expect("sample files");
    innohaku::cli::read_documents(&files).expect("sample documents")
}

/// One server over the sample corpus, shared by every read-only test.
pub fn sample() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::start(Some(&sample_dir())))
}

impl TestServer {
    /// Starts a server with a fresh data directory, seeded from `seed` if given.
    pub fn start(seed: Option<&Path>) -> TestServer {
        let data = tempfile::tempdir().expect("temp dir");
        let service = Service::open(
            Paths {
                data_dir: data.path().to_owned(),
            },
            seed,
        )
        .expect("service opens");
        let state = AppState {
            service: Arc::new(service),
            admin_key: Some(Arc::from(ADMIN_KEY)),
            metrics_key: None,
            origins: Arc::new(Origins::parse(ALLOWED_ORIGIN).expect("a valid origin")),
            limits: http::Limits {
                max_batch_docs: MAX_BATCH_DOCS,
                ..http::Limits::default()
            },
            snapshots: None,
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = http::runtime().expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                http::server::serve(listener, state, std::future::pending())
                    .await
                    .unwrap();
            });
        });
        let addr = rx.recv().expect("server started");
        TestServer {
            base: format!("http://{addr}"),
            client: Client::new(),
            _data: data,
        }
    }

    /// GET a path; returns the response.
    pub fn get(&self, path_and_query: &str) -> Response {
        self.client
            .get(format!("{}{path_and_query}", self.base))
            .send()
            .expect("request sent")
    }

    /// GET a path with query pairs, expecting 200 and JSON.
    pub fn get_json(&self, path: &str, query: &[(&str, &str)]) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .query(query)
            .send()
            .expect("request sent");
        assert_eq!(
            response.status(),
            200,
            "GET {path} {query:?}: {}",
            response.text().unwrap_or_default()
        );
        response.json().expect("JSON body")
    }

    /// Searches, expecting success.
    pub fn search(&self, query: &[(&str, &str)]) -> Value {
        self.get_json("/v1/search", query)
    }

    /// POSTs NDJSON to the ingestion endpoint with the admin key.
    pub fn ingest(&self, ndjson: &str) -> Response {
        self.post_documents("", "application/x-ndjson", ndjson.to_owned())
    }

    /// POSTs a body to `/v1/documents{query}` with the admin key.
    pub fn post_documents(&self, query: &str, content_type: &str, body: String) -> Response {
        self.client
            .post(format!("{}/v1/documents{query}", self.base))
            .bearer_auth(ADMIN_KEY)
            .header("content-type", content_type)
            .body(body)
            .send()
            .expect("request sent")
    }

    /// The HTTP client.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// The base URL a started `innohaku serve` prints on its standard output once it serves
/// (the pipe is read up to that line).
pub fn serving_at(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let stdout = std::io::BufReader::new(child.stdout.take().expect("stdout is piped"));
    stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("Innohaku is serving at ")
                .map(|u| u.trim_end_matches('/').to_owned())
        })
        .expect("the server says where it serves")
}

/// The ids of a search response's hits.
pub fn hit_ids(response: &Value) -> Vec<String> {
    response["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

/// One facet's counts as (value, count).
pub fn facet(response: &Value, name: &str) -> Vec<(String, u64)> {
    response["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["facet"] == name)
        .unwrap_or_else(|| panic!("facet {name} missing"))["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_owned(),
                v["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A minimal valid document line of any kind, with extra fields merged in.
pub fn doc_line(kind: &str, id: &str, lang: &str, title: &str, text: &str, extra: Value) -> String {
    let mut v = serde_json::json!({
        "kind": kind, "id": id, "title": title, "summary": text, "language": lang,
        "themes": ["social_work"], "regions": ["pirkanmaa"],
        "created_at": "2024-01-01", "updated_at": "2024-02-01",
    });
    match kind {
        "practice" => {
            v["how_it_works"] = text.into();
            v["phase"] = "ready".into();
        }
        "project" => {
            v["start_date"] = "2023-01-01".into();
            v["status"] = "running".into();
        }
        _ => v["description"] = text.into(),
    }
    for (k, val) in extra.as_object().cloned().unwrap_or_default() {
        v[k] = val;
    }
    v.to_string()
}

/// A search answer's hits as (id, score), in rank order.
pub fn hit_scores(answer: &Value) -> Vec<(String, f64)> {
    answer["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| {
            (
                h["id"].as_str().expect("id").to_owned(),
                h["score"].as_f64().expect("score"),
            )
        })
        .collect()
}

//! Crash safety of the real server process: SIGKILL during ingestion and during a reindex,
//! restart, and find every acknowledged document in a serving index.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::support::{ADMIN_KEY, doc_line};

/// The `innohaku serve` binary, running on a free loopback port.
struct Server {
    child: Child,
    base: String,
    client: reqwest::blocking::Client,
}

impl Server {
    fn start(data: &Path) -> Server {
        let empty = data.join("no-seed");
        std::fs::create_dir_all(&empty).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_innohaku"))
            .args(["serve", "--bind", "127.0.0.1:0", "--seed-dir"])
            .arg(&empty)
            .arg("--data-dir")
            .arg(data.join("data"))
            .env("INNOHAKU_ADMIN_KEY", ADMIN_KEY)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let base = crate::support::serving_at(&mut child);
        Server {
            child,
            base,
            client: reqwest::blocking::Client::new(),
        }
    }

    fn kill(mut self) {
        self.child.kill().unwrap(); // SIGKILL: no shutdown, no flush.
        self.child.wait().unwrap();
    }

    fn post(&self, path: &str, body: String) -> reqwest::Result<reqwest::blocking::Response> {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(ADMIN_KEY)
            .body(body)
            .send()
    }

    fn get(&self, path: &str) -> Value {
        self.client
            .get(format!("{}{path}", self.base))
            .bearer_auth(ADMIN_KEY)
            .send()
            .unwrap()
            .json()
            .unwrap()
    }
}

fn batch(prefix: &str, n: usize) -> (Vec<String>, String) {
    let ids: Vec<String> = (0..n).map(|i| format!("{prefix}-{i}")).collect();
    let lines: Vec<String> = ids
        .iter()
        .map(|id| {
            doc_line(
                "practice",
                id,
                "fi",
                "Kotihoidon tuki",
                "Ikääntyneiden kotihoito iltaisin.",
                json!({}),
            )
        })
        .collect();
    (ids, lines.join("\n"))
}

#[test]
fn killed_during_ingestion_every_acknowledged_document_survives() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let (base, acknowledged) = (server.base.clone(), acknowledged.clone());
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::new();
            for k in 0..10_000 {
                let (ids, body) = batch(&format!("erä-{k}").replace('ä', "a"), 40);
                match client
                    .post(format!("{base}/v1/documents"))
                    .bearer_auth(ADMIN_KEY)
                    .body(body)
                    .send()
                {
                    Ok(r) if r.status() == 200 => acknowledged.lock().unwrap().extend(ids),
                    _ => return, // The server is gone.
                }
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 400 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    server.kill();
    writer.join().unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    let server = Server::start(dir.path());
    let total = server.get("/v1/search?q=kotihoito&limit=1")["total"]
        .as_u64()
        .unwrap() as usize;
    assert!(
        total >= acknowledged.len(),
        "{total} searchable of {} acknowledged",
        acknowledged.len()
    );
    for id in &acknowledged {
        let doc = server.get(&format!("/v1/documents/{id}"));
        assert_eq!(doc["id"], id.as_str(), "acknowledged {id} is lost");
    }
    server.kill();
}

#[test]
fn killed_during_a_reindex_the_last_good_index_serves_and_the_job_is_reported_failed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (_, body) = batch("malli", 3000);
    assert_eq!(server.post("/v1/documents", body).unwrap().status(), 200);
    let job: Value = server
        .post("/v1/jobs/reindex", String::new())
        .unwrap()
        .json()
        .unwrap();
    let id = job["id"].as_str().unwrap().to_owned();
    let running = server.get(&format!("/v1/jobs/{id}"))["state"] == "running";
    server.kill();
    let server = Server::start(dir.path());
    let total = server.get("/v1/search?q=kotihoito&limit=1")["total"]
        .as_u64()
        .unwrap();
    assert_eq!(total, 3000, "the last good index serves every document");
    let status = server.get(&format!("/v1/jobs/{id}"));
    if running {
        assert_eq!(status["state"], "failed", "{status}");
        assert!(
            status["message"].as_str().unwrap().contains("interrupted"),
            "{status}"
        );
    } else {
        assert_eq!(status["state"], "succeeded", "{status}");
    }
    // The old generations were cleaned up: only the serving one is left.
    let generations = std::fs::read_dir(dir.path().join("data/indexes/generations"))
        .unwrap()
        .count();
    assert_eq!(generations, 1);
    server.kill();
}

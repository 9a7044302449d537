//! What an operator relies on, over the real binary: the configuration's layers and checks,
//! `/metrics`, request ids, and the access log.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::doc_line;

const ADMIN_KEY: &str = "ops-admin-key-0123456789";
const METRICS_KEY: &str = "ops-metrics-key-9876543210";

/// The binary, with none of the settings' variables of the environment the tests run in.
fn innohaku() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_innohaku"));
    for setting in innohaku::config::SETTINGS {
        command.env_remove(setting.env);
    }
    command.env_remove(innohaku::config::CONFIG_VAR);
    command
}

fn config(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = innohaku();
    command.arg("config").args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("innohaku config runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn configuration_layers_are_file_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("innohaku.toml");
    std::fs::write(
        &file,
        "[limits]\nmax_connections = 100\nsearch_queue = 7\nheader_timeout = \"5s\"\n",
    )
    .unwrap();
    let env = [
        ("INNOHAKU_SEARCH_QUEUE", "8"),
        ("INNOHAKU_HEADER_TIMEOUT", "6s"),
    ];
    let file_arg = file.to_str().unwrap();
    let output = config(&["--config", file_arg, "--header-timeout", "7s"], &env);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed: toml::Table = stdout(&output).parse().expect("the output is TOML");
    let limits = printed["limits"].as_table().unwrap();
    assert_eq!(
        limits["max_connections"].as_integer(),
        Some(100),
        "the file over the default"
    );
    assert_eq!(
        limits["search_queue"].as_integer(),
        Some(8),
        "the environment over the file"
    );
    assert_eq!(
        limits["header_timeout"].as_str(),
        Some("7s"),
        "a flag over the environment"
    );
    assert_eq!(limits["body_timeout"].as_str(), Some("30s"), "the default");
    assert!(stdout(&output).contains("search_queue = 8 # from INNOHAKU_SEARCH_QUEUE"));
    // The file may be named by the environment instead.
    let output = config(&[], &[("INNOHAKU_CONFIG", file_arg)]);
    let printed: toml::Table = stdout(&output).parse().unwrap();
    assert_eq!(printed["limits"]["max_connections"].as_integer(), Some(100));
    // The flags of earlier versions still work.
    let output = config(&["--json-logs", "--max-connections", "3"], &[]);
    let printed: toml::Table = stdout(&output).parse().unwrap();
    assert_eq!(printed["log"]["format"].as_str(), Some("json"));
    assert_eq!(printed["limits"]["max_connections"].as_integer(), Some(3));
}

#[test]
fn an_invalid_value_is_refused_naming_its_key_and_source() {
    let output = config(&[], &[("INNOHAKU_HEADER_TIMEOUT", "soon")]);
    assert!(!output.status.success());
    let error = stderr(&output);
    assert!(
        error.contains("limits.header_timeout (INNOHAKU_HEADER_TIMEOUT): `soon` is not a duration"),
        "{error}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("innohaku.toml");
    std::fs::write(&file, "[limits]\nheader_timout = \"5s\"\n").unwrap();
    let output = config(&["--config", file.to_str().unwrap()], &[]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("unknown key `limits.header_timout`"),
        "{}",
        stderr(&output)
    );
    // The server refuses to start, before it listens.
    let output = innohaku()
        .args(["serve", "--bind", "127.0.0.1:0", "--max-connections", "0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("limits.max_connections (--max-connections)"),
        "{}",
        stderr(&output)
    );
    assert!(!stdout(&output).contains("serving"));
}

#[test]
fn the_commands_that_do_not_serve_take_the_data_directory_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("from-the-file");
    let file = dir.path().join("innohaku.toml");
    std::fs::write(&file, format!("data_dir = {:?}\n", data.to_str().unwrap())).unwrap();
    let output = innohaku()
        .args(["reindex", "--config", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        data.join("store").is_dir(),
        "the store is where the file says"
    );
    let flagged = dir.path().join("from-the-flag");
    let output = innohaku()
        .args(["reindex", "--config", file.to_str().unwrap(), "--data-dir"])
        .arg(&flagged)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(flagged.join("store").is_dir(), "a flag over the file");
}

#[test]
fn the_printed_configuration_redacts_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("admin.key");
    std::fs::write(&key_file, format!("{ADMIN_KEY}\n")).unwrap();
    let output = config(
        &["--admin-key-file", key_file.to_str().unwrap()],
        &[
            ("INNOHAKU_ADMIN_KEY", ADMIN_KEY),
            ("INNOHAKU_METRICS_KEY", METRICS_KEY),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(
        !printed.contains(ADMIN_KEY) && !printed.contains(METRICS_KEY),
        "{printed}"
    );
    let table: toml::Table = printed.parse().unwrap();
    assert_eq!(table["auth"]["admin_key"].as_str(), Some("REDACTED"));
    assert_eq!(table["auth"]["metrics_key"].as_str(), Some("REDACTED"));
    assert_eq!(table["auth"]["admin_key_file"].as_str(), key_file.to_str());
}

/// `innohaku serve` on a free loopback port, its log read line by line.
struct Server {
    child: Child,
    base: String,
    log: Receiver<String>,
    seen: Vec<String>,
    client: reqwest::blocking::Client,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("no-seed");
        std::fs::create_dir_all(&empty).unwrap();
        let mut child = innohaku()
            .args(["serve", "--bind", "127.0.0.1:0", "--seed-dir"])
            .arg(&empty)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(args)
            .env("INNOHAKU_ADMIN_KEY", ADMIN_KEY)
            .env("INNOHAKU_METRICS_KEY", METRICS_KEY)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let (tx, log) = std::sync::mpsc::channel();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let base = crate::support::serving_at(&mut child);
        Server {
            child,
            base,
            log,
            seen: Vec::new(),
            client: reqwest::blocking::Client::new(),
            _dir: dir,
        }
    }

    fn get(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::blocking::Response {
        let mut request = self.client.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        request.send().unwrap()
    }

    fn metrics(&self) -> String {
        let response = self.get(
            "/metrics",
            &[("authorization", &format!("Bearer {METRICS_KEY}"))],
        );
        assert_eq!(response.status(), 200);
        response.text().unwrap()
    }

    /// The first log line (waiting up to ten seconds) that contains `needle`.
    fn log_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(line) = self.seen.iter().find(|l| l.contains(needle)) {
                return line.clone();
            }
            match self
                .log
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    panic!("no log line with {needle}; the log: {:#?}", self.seen)
                }
            }
        }
    }

    /// Every log line so far, after the server stopped.
    fn stop(mut self) -> Vec<String> {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.seen.extend(self.log.iter());
        self.seen
    }
}

/// A sample's value: the line of `name` whose labels include all of `labels`.
pub fn sample(metrics: &str, name: &str, labels: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

/// The metric names docs/configuration.md documents.
fn documented_metrics() -> Vec<String> {
    let docs =
        std::fs::read_to_string(crate::checkout::project_dir().join("docs/configuration.md"))
            .unwrap();
    docs.lines()
        .filter_map(|l| l.strip_prefix("| `innohaku_"))
        .filter_map(|l| l.split('`').next())
        .map(|rest| format!("innohaku_{rest}"))
        .collect()
}

#[test]
fn metrics_list_every_documented_name_and_count_requests() {
    let server = Server::start(&[]);
    let lines: Vec<String> = ["practice", "project", "network"]
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            doc_line(
                kind,
                &format!("ops-{i}"),
                "fi",
                "Kotihoidon tuki",
                "Ikääntyneiden kotihoito.",
                json!({}),
            )
        })
        .collect();
    let ingested = server
        .client
        .post(format!("{}/v1/documents", server.base))
        .bearer_auth(ADMIN_KEY)
        .body(lines.join("\n"))
        .send()
        .unwrap();
    assert_eq!(ingested.status(), 200);
    assert_eq!(server.get("/v1/search?q=kotihoito", &[]).status(), 200);
    assert_eq!(server.get("/v1/search?q=kotiho", &[]).status(), 200);

    // The key: none, a wrong one, the metrics key, the admin key.
    assert_eq!(server.get("/metrics", &[]).status(), 401);
    assert_eq!(
        server
            .get("/metrics", &[("authorization", "Bearer nope")])
            .status(),
        403
    );
    let admin = server.get(
        "/metrics",
        &[("authorization", &format!("Bearer {ADMIN_KEY}"))],
    );
    assert_eq!(admin.status(), 200);
    assert!(
        admin.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );

    let before = server.metrics();
    let documented = documented_metrics();
    assert!(documented.len() >= 15, "{documented:?}");
    for name in &documented {
        assert!(
            before.contains(&format!("# TYPE {name} ")),
            "{name} is documented but not in /metrics:\n{before}"
        );
    }
    let search_200 = ["method=\"GET\"", "route=\"/v1/search\"", "status=\"200\""];
    let count = |metrics: &str| sample(metrics, "innohaku_http_requests_total", &search_200);
    assert_eq!(count(&before), Some(2.0), "{before}");
    assert_eq!(server.get("/v1/search?q=hoito", &[]).status(), 200);
    let after = server.metrics();
    assert_eq!(count(&after), Some(3.0));
    // Routes are templates, never the path itself.
    server.get("/v1/documents/ops-0", &[]);
    let after = server.metrics();
    assert_eq!(
        sample(
            &after,
            "innohaku_http_requests_total",
            &["route=\"/v1/documents/{id}\"", "status=\"200\""]
        ),
        Some(1.0),
        "{after}"
    );
    assert!(!after.contains("ops-0"));
    assert_eq!(
        sample(&after, "innohaku_documents", &["kind=\"practice\""]),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &after,
            "innohaku_ingested_documents_total",
            &["outcome=\"inserted\""]
        ),
        Some(3.0)
    );
    assert!(
        sample(
            &after,
            "innohaku_search_duration_seconds_count",
            &["shape=\"prefix\""]
        )
        .is_some_and(|n| n >= 1.0),
        "{after}"
    );
    assert!(sample(&after, "innohaku_index_size_bytes", &[]).is_some_and(|n| n > 0.0));
    server.stop();
}

#[test]
fn request_ids_are_echoed_or_made_and_are_in_problems() {
    let server = Server::start(&[]);
    let response = server.get("/healthz", &[("x-request-id", "lb-7f3a:42")]);
    assert_eq!(response.headers()["x-request-id"], "lb-7f3a:42");

    let made = |response: &reqwest::blocking::Response| {
        response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let (a, b) = (
        made(&server.get("/healthz", &[])),
        made(&server.get("/healthz", &[])),
    );
    assert_eq!(a.len(), 16, "{a}");
    assert_ne!(a, b);
    let long = "x".repeat(129);
    for unsound in ["two words", long.as_str()] {
        let id = made(&server.get("/healthz", &[("x-request-id", unsound)]));
        assert_ne!(id, unsound);
        assert_eq!(id.len(), 16);
    }

    let response = server.get(
        "/v1/search?limit=many",
        &[("x-request-id", "client-problem-1")],
    );
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["x-request-id"], "client-problem-1");
    let body: Value = response.json().unwrap();
    assert_eq!(body["request_id"], "client-problem-1", "{body}");
    // A problem made outside any handler, with an id made by the server.
    let response = server.get("/no/such/path", &[]);
    assert_eq!(response.status(), 404);
    let id = made(&response);
    let body: Value = response.json().unwrap();
    assert_eq!(body["request_id"], id.as_str());
    server.stop();
}

#[test]
fn the_access_log_has_the_request_and_not_its_query_or_keys() {
    let mut server = Server::start(&[]);
    let secret_query = "salainenhakusana";
    let response = server.get(
        &format!("/v1/search?q={secret_query}&api_key={ADMIN_KEY}"),
        &[
            ("x-request-id", "access-log-1"),
            ("authorization", &format!("Bearer {ADMIN_KEY}")),
        ],
    );
    assert_eq!(response.status(), 400, "an unknown parameter");
    let line = server.log_line("access-log-1");
    for field in [
        "GET",
        "route=\"/v1/search\"",
        "status=400",
        "latency_ms=",
        "bytes=",
    ] {
        assert!(line.contains(field), "{field} missing: {line}");
    }
    assert!(
        !line.contains('\u{1b}'),
        "colour codes in a log that is not a terminal: {line:?}"
    );
    assert!(server.metrics().contains("innohaku_build_info"));
    let log = server.stop();
    for line in &log {
        assert!(!line.contains(secret_query), "query text logged: {line}");
        assert!(
            !line.contains(ADMIN_KEY) && !line.contains(METRICS_KEY),
            "a key logged: {line}"
        );
    }
}

#[test]
fn json_logs_are_one_object_a_line() {
    let mut server = Server::start(&["--log-format", "json"]);
    server.get("/healthz", &[("x-request-id", "json-log-1")]);
    let line = server.log_line("json-log-1");
    let record: Value = serde_json::from_str(&line).expect("a JSON line");
    assert_eq!(record["target"], "innohaku::access");
    assert_eq!(record["fields"]["request_id"], "json-log-1");
    assert_eq!(record["fields"]["route"], "/healthz");
    assert_eq!(record["fields"]["status"], 200);
    server.stop();
}

//! The real server process under abuse and bad luck (issue 23): clients that send too much,
//! too slowly or not at all, too many clients, a full disk, malformed requests. Each test
//! starts `innohaku serve` with limits scaled down so that the mechanism shows in seconds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{ADMIN_KEY, doc_line, sample_dir};

/// `innohaku serve` on a free loopback port, its log kept in a file.
pub struct Binary {
    child: Child,
    pub base: String,
    pub addr: String,
    pub log: PathBuf,
    client: reqwest::blocking::Client,
}

impl Binary {
    /// Starts the server on `data` (seeded from `seed`, or not at all) with extra flags and
    /// variables; `None` when it exits without serving.
    pub fn try_start(
        data: &Path,
        seed: Option<&Path>,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Option<Binary> {
        let empty = data.join("no-seed");
        std::fs::create_dir_all(&empty).unwrap();
        // Beside the data, unless that is on the full disk a test made.
        let log = std::env::temp_dir().join(format!(
            "innohaku-server-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let bin = std::env::var("INNOHAKU_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_innohaku").to_owned());
        let mut command = Command::new(bin);
        command
            .args(["serve", "--bind", "127.0.0.1:0", "--seed-dir"])
            .arg(seed.unwrap_or(&empty))
            .arg("--data-dir")
            .arg(data.join("data"))
            .args(args)
            .env("INNOHAKU_ADMIN_KEY", ADMIN_KEY)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("the server starts");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let base = stdout.lines().map_while(Result::ok).find_map(|l| {
            l.strip_prefix("Innohaku is serving at ")
                .map(|u| u.trim_end_matches('/').to_owned())
        });
        let Some(base) = base else {
            child.wait().unwrap();
            return None;
        };
        Some(Binary {
            child,
            addr: base.trim_start_matches("http://").to_owned(),
            base,
            log,
            client: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        })
    }

    /// Starts the server with settings in `INNOHAKU_*` variables: a build from before a
    /// setting existed ignores it, so the tests can be run against it (`INNOHAKU_BIN`).
    pub fn start(data: &Path, env: &[(&str, &str)]) -> Binary {
        Binary::try_start(data, None, &[], env).expect("the server serves")
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Resident memory of the server, in MB.
    pub fn rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }

    pub fn get(&self, path: &str) -> reqwest::blocking::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .unwrap()
    }

    /// A sample of `/metrics` (read with the admin key): see [`crate::operations::sample`].
    pub fn metric(&self, name: &str, labels: &[&str]) -> Option<f64> {
        let metrics = self
            .client
            .get(format!("{}/metrics", self.base))
            .bearer_auth(ADMIN_KEY)
            .send()
            .unwrap()
            .text()
            .unwrap();
        crate::operations::sample(&metrics, name, labels)
    }

    pub fn ingest(&self, body: String) -> reqwest::Result<reqwest::blocking::Response> {
        self.client
            .post(format!("{}/v1/documents", self.base))
            .bearer_auth(ADMIN_KEY)
            .body(body)
            .send()
    }

    /// `DELETE /v1/documents/{id}`, with the admin key.
    pub fn delete(&self, id: &str) -> reqwest::blocking::Response {
        self.client
            .delete(format!("{}/v1/documents/{id}", self.base))
            .bearer_auth(ADMIN_KEY)
            .send()
            .unwrap()
    }

    /// A raw connection with a read timeout.
    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
    }

    /// Sends SIGTERM and waits at most `within` for the process to exit; whether it did.
    pub fn terminate(&mut self, within: Duration) -> bool {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < within {
            if self.child.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `head` (and `body`) on a raw connection and reads the response until the server
/// closes or `wait` passes: (status, headers and body as text).
fn exchange(server: &Binary, head: &str, body: &[u8], wait: Duration) -> (u16, String) {
    let mut stream = server.connect();
    stream.set_read_timeout(Some(wait)).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(body);
    read_answer(&mut stream)
}

/// Reads one response from `stream`: its status and text.
fn read_answer(stream: &mut TcpStream) -> (u16, String) {
    let mut response = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                response.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&response);
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head.lines().find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    });
                    if length.is_some_and(|n| body.len() >= n) {
                        break;
                    }
                }
            }
            Err(_) => break,
        }
    }
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// Asserts a raw response is the problem of `status`, and returns its body.
fn assert_raw_problem(response: &(u16, String), status: u16) -> Value {
    assert_eq!(response.0, status, "{}", response.1);
    let (head, body) = response.1.split_once("\r\n\r\n").unwrap();
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{head}"
    );
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["status"], status);
    body
}

fn practice(id: &str) -> String {
    doc_line(
        "practice",
        id,
        "fi",
        "Kotihoidon tuki",
        "Ikääntyneiden kotihoito iltaisin.",
        json!({}),
    )
}

#[test]
fn bodies_are_refused_before_they_are_read_without_the_key_or_over_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let server = Binary::start(dir.path(), &[]);
    let rss_before = server.rss_mb();
    // A client without the key announces 30 MB and sends a little: 401 at once, not after
    // the server has read (and held) all of it.
    for (method, path) in [
        ("PUT", "/v1/documents/kotihoito"),
        ("POST", "/v1/documents/delete"),
        ("POST", "/v1/documents"),
    ] {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: 30000000\r\n\r\n"
        );
        let response = exchange(&server, &head, &[b'x'; 65536], Duration::from_secs(5));
        assert_raw_problem(&response, 401);
    }
    // The public recommendation endpoint takes a page of text, not 30 MB: 413 at once.
    let head = "POST /v1/similar HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                Content-Length: 30000000\r\n\r\n";
    let response = exchange(&server, head, &[b' '; 65536], Duration::from_secs(5));
    assert_raw_problem(&response, 413);
    // Forty clients sending more than the limit without announcing it: 413 each, memory flat.
    let clients: Vec<_> = (0..40)
        .map(|_| {
            let base = server.base.clone();
            std::thread::spawn(move || {
                let text = "kotihoito ".repeat(30_000);
                reqwest::blocking::Client::new()
                    .post(format!("{base}/v1/similar"))
                    .header("content-type", "application/json")
                    .body(json!({ "text": text }).to_string())
                    .send()
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            })
        })
        .collect();
    for client in clients {
        let status = client.join().unwrap();
        assert!(status == 413 || status == 0, "{status}");
    }
    eprintln!(
        "server RSS {rss_before:.0} MB before, {:.0} MB after 40 oversized bodies",
        server.rss_mb()
    );
}

#[test]
fn half_sent_requests_time_out_and_connections_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let server = Binary::start(
        dir.path(),
        &[
            ("INNOHAKU_HEADER_TIMEOUT", "1s"),
            ("INNOHAKU_MAX_CONNECTIONS", "20"),
        ],
    );
    // 50 connections that never finish their request head: more than the cap.
    let stalled: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(b"GET /v1/search?q=kotihoito HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            s
        })
        .collect();
    // A new client is served once the stalled ones have been timed out.
    let started = Instant::now();
    let response = server.get("/healthz");
    assert_eq!(response.status(), 200);
    eprintln!(
        "a new client was served after {:.2} s behind 50 stalled connections",
        started.elapsed().as_secs_f64()
    );
    // The server closed every stalled connection (with a 408 problem, or nothing).
    for mut s in stalled {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut rest = Vec::new();
        let read = s.read_to_end(&mut rest);
        assert!(
            read.is_ok(),
            "a stalled connection was not closed: {read:?}"
        );
    }
    // A kept-alive connection left idle is closed too.
    let mut idle = server.connect();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut first = [0u8; 1024];
    assert!(idle.read(&mut first).unwrap() > 0);
    std::thread::sleep(Duration::from_millis(1500));
    idle.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    assert_eq!(
        idle.read(&mut first).unwrap_or(1),
        0,
        "idle connection kept open"
    );
}

#[test]
fn a_shutdown_waits_for_a_half_sent_request_only_until_the_drain_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Binary::start(
        dir.path(),
        &[
            ("INNOHAKU_HEADER_TIMEOUT", "60s"),
            ("INNOHAKU_BODY_TIMEOUT", "60s"),
            ("INNOHAKU_DRAIN_TIMEOUT", "1s"),
        ],
    );
    let line = practice("kesken");
    let mut upload = server.connect();
    write!(
        upload,
        "POST /v1/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN_KEY}\r\n\
         Content-Length: {}\r\n\r\n{}",
        line.len() + 100,
        &line[..20]
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    assert!(
        server.terminate(Duration::from_secs(8)),
        "the server was still running 8 s after SIGTERM"
    );
    eprintln!(
        "exited {:.2} s after SIGTERM",
        started.elapsed().as_secs_f64()
    );
    // The half-sent write was never acknowledged.
    let mut response = String::new();
    let _ = upload.read_to_string(&mut response);
    assert!(!response.contains("200 OK"), "{response}");
}

#[test]
fn rejected_lines_are_counted_beyond_the_first_thousand() {
    let dir = tempfile::tempdir().unwrap();
    let server = Binary::start(dir.path(), &[]);
    let rss_before = server.rss_mb();
    let mut body = "x\n".repeat(200_000);
    body.push_str(&practice("hyva"));
    let response = server.ingest(body).unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().unwrap();
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["inserted"], 1);
    assert_eq!(report["rejected_count"], 200_000);
    assert_eq!(report["rejected"].as_array().unwrap().len(), 1000);
    assert!(text.len() < 200_000, "a {} byte response", text.len());
    eprintln!(
        "200,000 rejected lines: a {} byte response, server RSS {rss_before:.0} -> {:.0} MB",
        text.len(),
        server.rss_mb()
    );
}

#[test]
fn stalled_uploads_are_timed_out_and_free_the_write_slots() {
    let dir = tempfile::tempdir().unwrap();
    let server = Binary::start(dir.path(), &[("INNOHAKU_BODY_TIMEOUT", "1s")]);
    // As many uploads as there are write slots, each stalled after its first bytes.
    let stalled: Vec<TcpStream> = (0..16)
        .map(|_| {
            let mut s = server.connect();
            write!(
                s,
                "POST /v1/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {ADMIN_KEY}\r\n\
                 Content-Length: 100000\r\n\r\n{{\"kind\""
            )
            .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let put = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
        .put(format!("{}/v1/documents/toinen", server.base))
        .bearer_auth(ADMIN_KEY)
        .header("content-type", "application/json")
        .body(practice("toinen"))
        .send()
        .expect("the write was served");
    assert_eq!(put.status(), 200, "{}", put.text().unwrap_or_default());
    eprintln!(
        "a write behind 16 stalled uploads took {:.2} s",
        started.elapsed().as_secs_f64()
    );
    // The stalled uploads were answered 408 and stored nothing.
    for mut s in stalled {
        let mut response = String::new();
        let _ = s.read_to_string(&mut response);
        assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    }
}

#[test]
fn malformed_and_oversized_requests_get_problems() {
    let (_dir, ref server) = sample_binary(&[]);
    // Each refused as the first request of a connection (before hyper sees it) and as a
    // later request of a kept-alive one: by the router's limits, or by hyper itself before
    // the router (a head it cannot parse, or far past the limits).
    let cases: [(String, u16, &str); 6] = [
        (
            "GARBAGE\x01 / HTTP/1.1\r\n\r\n".into(),
            400,
            "/problems/malformed-request",
        ),
        (
            "GET / HTTP/1.1\r\nBad Header\r\n\r\n".into(),
            400,
            "/problems/malformed-request",
        ),
        (
            format!(
                "GET /v1/search?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
                "a".repeat(40_000)
            ),
            414,
            "/problems/uri-too-long",
        ),
        (
            format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000)),
            414,
            "/problems/uri-too-long",
        ),
        (
            format!(
                "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
                "a".repeat(60_000)
            ),
            431,
            "/problems/headers-too-large",
        ),
        (
            format!(
                "GET / HTTP/1.1\r\nHost: x\r\n{}\r\n",
                (0..100)
                    .map(|i| format!("X-{i}: 1\r\n"))
                    .collect::<String>()
            ),
            431,
            "/problems/headers-too-large",
        ),
    ];
    for (head, status, problem) in cases {
        let response = exchange(server, &head, b"", Duration::from_secs(5));
        let answer = assert_raw_problem(&response, status);
        assert_eq!(answer["type"], problem, "first request: {}", response.1);

        let mut stream = server.connect();
        write!(stream, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let mut first = vec![0u8; 65536];
        let n = stream.read(&mut first).unwrap();
        assert!(first[..n].starts_with(b"HTTP/1.1 200"));
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let response = read_answer(&mut stream);
        let answer = assert_raw_problem(&response, status);
        assert_eq!(answer["type"], problem, "later request: {}", response.1);
    }
    // An over-limit page to recommend for is 413, not 400; a body that is not JSON is 415.
    let body = json!({ "text": "a".repeat(300_000) }).to_string();
    let head = format!(
        "POST /v1/similar HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    let response = exchange(server, &head, body.as_bytes(), Duration::from_secs(5));
    assert_raw_problem(&response, 413);
    let client = reqwest::blocking::Client::new();
    let response = client
        .post(format!("{}/v1/similar", server.base))
        .header("content-type", "text/plain")
        .body("kotihoito")
        .send()
        .unwrap();
    assert_eq!(response.status(), 415);
    let body: Value = response.json().unwrap();
    assert_eq!(body["type"], "/problems/unsupported-media-type");
    // The bearer scheme is case-insensitive.
    let response = client
        .get(format!("{}/v1/jobs", server.base))
        .header("authorization", format!("bearer {ADMIN_KEY}"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// A server of its own over the sample corpus, with `env`, and the directory it lives in.
/// Owned by its test, not kept in a static: a static is never dropped, and its server
/// outlived the test run.
fn sample_binary(env: &[(&str, &str)]) -> (tempfile::TempDir, Binary) {
    let dir = tempfile::tempdir().unwrap();
    let server =
        Binary::try_start(dir.path(), Some(&sample_dir()), &[], env).expect("the server serves");
    (dir, server)
}

/// Sixty clients searching five times each at once; every answer is 200 or a 503 problem with
/// `Retry-After`. Returns (served, shed).
fn flood(server: &Binary) -> (usize, usize) {
    let base = server.base.clone();
    let clients: Vec<_> = (0..60)
        .map(|i| {
            let base = base.clone();
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let mut statuses = Vec::new();
                for j in 0..5 {
                    let q =
                        ["kotihoito", "perhekeskus", "mielenterveys", "ikääntyneet"][(i + j) % 4];
                    let r = client
                        .get(format!("{base}/v1/search"))
                        .query(&[("q", q), ("limit", "50")])
                        .send()
                        .unwrap();
                    let retry = r.headers().get("retry-after").is_some();
                    let problem = r
                        .headers()
                        .get("content-type")
                        .is_some_and(|v| v == "application/problem+json");
                    statuses.push((r.status().as_u16(), retry, problem));
                }
                statuses
            })
        })
        .collect();
    let statuses: Vec<(u16, bool, bool)> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    let shed = statuses.iter().filter(|s| s.0 == 503).count();
    let ok = statuses.iter().filter(|s| s.0 == 200).count();
    eprintln!("{} requests: {ok} served, {shed} shed", statuses.len());
    assert_eq!(ok + shed, statuses.len(), "{statuses:?}");
    assert!(statuses.iter().filter(|s| s.0 == 503).all(|s| s.1 && s.2));
    (ok, shed)
}

#[test]
fn overload_is_shed_early_with_retry_after() {
    // A server of its own: the overload would shed the requests of tests sharing one.
    let (_dir, server) = sample_binary(&[
        ("INNOHAKU_SEARCH_QUEUE", "2"),
        ("INNOHAKU_SEARCH_WAIT", "10s"),
    ]);
    let (ok, shed) = flood(&server);
    assert!(shed > 0, "nothing was shed");
    assert!(ok > 0, "nothing was served");
    let shed_by = |reason: &str| {
        server.metric(
            "innohaku_http_shed_total",
            &[&format!("reason=\"{reason}\"")],
        )
    };
    assert_eq!(shed_by("queue"), Some(shed as f64), "every 503 is counted");
    assert_eq!(shed_by("wait"), Some(0.0));
    // Health checks are never shed.
    assert_eq!(server.get("/healthz").status(), 200);
}

#[test]
fn a_read_that_waited_too_long_for_a_thread_is_shed() {
    // A queue long enough for every client: only the wait can shed.
    let dir = tempfile::tempdir().unwrap();
    let patient = |wait: &str| {
        Binary::try_start(
            dir.path(),
            Some(&sample_dir()),
            &[],
            &[
                ("INNOHAKU_SEARCH_QUEUE", "1000"),
                ("INNOHAKU_SEARCH_WAIT", wait),
            ],
        )
        .expect("the server serves")
    };
    let server = patient("1ms");
    let (ok, shed) = flood(&server);
    assert!(
        shed > 0,
        "nothing waited past 1 ms: the wait is not bounded"
    );
    assert!(ok > 0, "nothing was served");
    assert_eq!(
        server.metric("innohaku_http_shed_total", &["reason=\"wait\""]),
        Some(shed as f64),
        "every 503 is counted as a wait"
    );
    drop(server);
    let server = patient("60s");
    assert_eq!(flood(&server), (300, 0), "a patient server sheds nothing");
}

/// A read with no one waiting behind it is never shed, however long it waited: on a starved
/// CPU (a busy CI machine) an earlier version shed lone requests and a test failed. A patience
/// of zero sheds every read that waits at all while others queue behind it; one client
/// searching in turn never has anyone behind it.
#[test]
fn a_lone_read_is_never_shed_however_short_the_patience() {
    let (_dir, server) = sample_binary(&[("INNOHAKU_SEARCH_WAIT", "0ms")]);
    let client = reqwest::blocking::Client::new();
    for i in 0..100 {
        let q = ["kotihoito", "perhekeskus", "mielenterveys", "ikääntyneet"][i % 4];
        let status = client
            .get(format!("{}/v1/search", server.base))
            .query(&[("q", q), ("limit", "50")])
            .send()
            .unwrap()
            .status();
        assert_eq!(status, 200, "search {i} alone was refused");
    }
    assert_eq!(
        server.metric("innohaku_http_shed_total", &["reason=\"wait\""]),
        Some(0.0)
    );
}

#[test]
fn a_client_over_its_rate_gets_429_and_others_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let server = Binary::start(
        dir.path(),
        &[
            ("INNOHAKU_RATE_LIMIT", "2/s,3"),
            ("INNOHAKU_CLIENT_IP_HEADER", "x-forwarded-for"),
        ],
    );
    let client = reqwest::blocking::Client::new();
    let search = |from: &str| {
        client
            .get(format!("{}/v1/search?q=a", server.base))
            .header("x-forwarded-for", format!("198.51.100.1, {from}"))
            .send()
            .unwrap()
    };
    let statuses: Vec<u16> = (0..5)
        .map(|_| search("192.0.2.1").status().as_u16())
        .collect();
    assert_eq!(&statuses[..3], [200, 200, 200]);
    let limited = search("192.0.2.1");
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().get("retry-after").is_some());
    let refused = statuses.iter().filter(|&&s| s == 429).count() + 1;
    assert_eq!(
        server.metric("innohaku_http_rate_limited_total", &[]),
        Some(refused as f64),
        "every 429 is counted"
    );
    assert_eq!(
        search("192.0.2.2").status(),
        200,
        "another client is not limited"
    );
    assert_eq!(server.get("/healthz").status(), 200);
}

#[test]
fn pages_and_api_responses_carry_security_headers() {
    let (_dir, ref server) = sample_binary(&[]);
    for path in ["/", "/assets/app.js", "/assets/style.css"] {
        let r = server.get(path);
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "same-origin");
    }
    for path in [
        "/v1/search?q=kotihoito",
        "/v1/search?limit=0",
        "/embed/similar?text=kotihoito",
        "/no/such/path",
    ] {
        let r = server.get(path);
        assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{path}");
    }
}

#[test]
fn the_admin_key_comes_from_a_file_and_credentials_stay_out_of_logs() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("admin.key");
    std::fs::write(&key_file, "avain-tiedostosta\n").unwrap();
    let server = Binary::try_start(
        dir.path(),
        None,
        &["--admin-key-file", key_file.to_str().unwrap()],
        &[("RUST_LOG", "debug"), ("INNOHAKU_ADMIN_KEY", "")],
    )
    .unwrap();
    let client = reqwest::blocking::Client::new();
    let jobs = |key: &str| {
        client
            .get(format!("{}/v1/jobs", server.base))
            .bearer_auth(key)
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(jobs("avain-tiedostosta"), 200);
    assert_eq!(jobs(ADMIN_KEY), 403);
    let _ = server.get("/v1/search?q=a&api_key=salainen-avain&access_token=toinen-salaisuus");
    std::thread::sleep(Duration::from_millis(200));
    let log = server.log();
    assert!(
        log.contains("api_key=REDACTED"),
        "the request was not logged: {log}"
    );
    assert!(
        !log.contains("salainen-avain") && !log.contains("toinen-salaisuus"),
        "{log}"
    );
    drop(server);
    // A key on the command line works, with a warning.
    let server =
        Binary::try_start(dir.path(), None, &["--admin-key", "nakyva-avain"], &[]).unwrap();
    assert_eq!(jobs_at(&server, "nakyva-avain"), 200);
    assert!(server.log().contains("process list"), "{}", server.log());
}

fn jobs_at(server: &Binary, key: &str) -> u16 {
    reqwest::blocking::Client::new()
        .get(format!("{}/v1/jobs", server.base))
        .bearer_auth(key)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn documents_are_read_strictly_and_within_limits() {
    let dir = tempfile::tempdir().unwrap();
    let server = Binary::start(dir.path(), &[]);
    let with =
        |id: &str, extra: Value| doc_line("practice", id, "fi", "Otsikko", "Tiivistelmä.", extra);
    let organisations: Vec<String> = (0..51).map(|i| format!("Organisaatio {i}")).collect();
    let projects: Vec<String> = (0..201).map(|i| format!("hanke-{i}")).collect();
    let cases: Vec<(String, &str)> = vec![
        (
            with("a", json!({ "organisations": organisations })),
            "organisations",
        ),
        (
            with("b", json!({ "themes": ["social_work", "social_work"] })),
            "themes[1]",
        ),
        (with("c", json!({ "projects": projects })), "projects"),
        (
            with(
                "d",
                json!({ "url": format!("https://x.example/{}", "a".repeat(70_000)) }),
            ),
            "url",
        ),
        (with("e", json!({ "url": "https:evil.example" })), "url"),
        (with("f", json!({ "created_at": "2024-1-1" })), "created_at"),
        (
            with("g", json!({ "created_at": "0000-01-01" })),
            "created_at",
        ),
        (
            with("h", json!({ "updated_at": "+002024-01-01" })),
            "updated_at",
        ),
        (
            with("i", json!({})).replacen("\"title\"", "\"title\":\"Eka\",\"title\"", 1),
            "title",
        ),
    ];
    let body: String = cases.iter().map(|(line, _)| format!("{line}\n")).collect();
    let body = format!("\u{feff}{}{body}", with("bom", json!({})) + "\n");
    let report: Value = server.ingest(body).unwrap().json().unwrap();
    assert_eq!(
        report["inserted"], 1,
        "the line after a BOM is read: {report}"
    );
    let fields: Vec<&str> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap_or("-"))
        .collect();
    let expected: Vec<&str> = cases.iter().map(|(_, field)| *field).collect();
    assert_eq!(fields, expected, "{report}");
}

/// A tmpfs of `megabytes` mounted on `dir`, unmounted on drop; `None` where mounting is not
/// allowed (not root, or no tmpfs).
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, megabytes: u32) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_owned()))
    }

    /// Fills the file system but for `free_kb`, with a ballast file.
    fn fill(&self, free_kb: u64) {
        let out = Command::new("df")
            .args(["-k", "--output=avail"])
            .arg(&self.0)
            .output()
            .unwrap();
        let avail: u64 = String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let ballast = avail.saturating_sub(free_kb) * 1024;
        let mut file = std::fs::File::create(self.0.join("ballast")).unwrap();
        let block = vec![1u8; 1 << 20];
        let mut left = ballast;
        while left > 0 {
            let n = left.min(block.len() as u64) as usize;
            if file.write_all(&block[..n]).is_err() {
                break;
            }
            left -= n as u64;
        }
    }

    fn free(&self) {
        let _ = std::fs::remove_file(self.0.join("ballast"));
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Ingests batches of 50 documents until one is refused; returns the acknowledged ids and
/// the refusal.
fn ingest_until_refused(
    server: &Binary,
    prefix: &str,
) -> (Vec<String>, reqwest::blocking::Response) {
    let mut acknowledged = Vec::new();
    for k in 0..2_000 {
        let ids: Vec<String> = (0..50).map(|i| format!("{prefix}-{k}-{i}")).collect();
        let body = ids
            .iter()
            .map(|id| {
                doc_line(
                    "practice",
                    id,
                    "fi",
                    "Kotihoidon tuki",
                    &"Ikääntyneiden kotihoito iltaisin ja viikonloppuisin. ".repeat(20),
                    json!({}),
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        let response = server
            .ingest(body)
            .unwrap_or_else(|e| panic!("{e}; the server's log:\n{}", server.log()));
        if response.status() != 200 {
            return (acknowledged, response);
        }
        acknowledged.extend(ids);
    }
    panic!("the disk never filled");
}

fn all_found(server: &Binary, ids: &[String]) {
    for id in ids {
        let r = server.get(&format!("/v1/documents/{id}"));
        assert_eq!(r.status(), 200, "acknowledged {id} is lost");
    }
    let total = server
        .get("/v1/search?q=kotihoito&limit=1")
        .json::<Value>()
        .unwrap()["total"]
        .as_u64()
        .unwrap();
    assert!(
        total >= ids.len() as u64,
        "{total} searchable of {} acknowledged",
        ids.len()
    );
}

#[test]
fn a_full_disk_is_507_then_recovers_without_a_restart_and_never_breaks_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = Tmpfs::mount(&dir.path().join("disk"), 48) else {
        eprintln!(
            "SKIPPED: cannot mount a tmpfs here (needs root); the disk-full test did not run"
        );
        return;
    };
    let data = disk.0.clone();
    let mut server = Binary::start(&data, &[]);
    disk.fill(1024);
    let (mut acknowledged, refused) = ingest_until_refused(&server, "a");
    assert_eq!(
        refused.status(),
        507,
        "{:?}\n{}",
        refused.headers(),
        server.log()
    );
    assert!(refused.headers().get("retry-after").is_some());
    let problem: Value = refused.json().unwrap();
    assert_eq!(problem["type"], "/problems/insufficient-storage");
    // Space returns: writes succeed again without a restart.
    disk.free();
    let batch: Vec<String> = (0..20).map(|i| format!("b-{i}")).collect();
    let body = batch
        .iter()
        .map(|id| practice(id))
        .collect::<Vec<_>>()
        .join("\n");
    let response = server.ingest(body).unwrap();
    assert_eq!(
        response.status(),
        200,
        "{}",
        response.text().unwrap_or_default()
    );
    acknowledged.extend(batch);
    all_found(&server, &acknowledged);
    // Full again; stop; a start on the full disk fails or serves, never more; space returns;
    // the store opens, with every acknowledged document, and the index agrees with it.
    disk.fill(256);
    let (more, _) = ingest_until_refused(&server, "c");
    acknowledged.extend(more);
    assert!(server.terminate(Duration::from_secs(15)));
    for _ in 0..3 {
        if let Some(started) = Binary::try_start(&data, None, &[], &[]) {
            started.kill();
        }
    }
    disk.free();
    let server = Binary::try_start(&data, None, &[], &[])
        .unwrap_or_else(|| panic!("the store does not open after the disk was full"));
    all_found(&server, &acknowledged);
    let ready: Value = server.get("/readyz").json().unwrap();
    eprintln!(
        "disk full: {} acknowledged, all found; {} documents indexed",
        acknowledged.len(),
        ready["documents"]
    );
}

/// The ids `q` finds.
fn found_ids(server: &Binary, q: &str) -> Vec<String> {
    let page: Value = server
        .get(&format!("/v1/search?q={q}&limit=50"))
        .json()
        .unwrap();
    let mut ids: Vec<String> = page["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn writes_the_index_cannot_take_are_acknowledged_as_pending_and_applied_when_space_returns() {
    // The index on a file system of its own, filled while the store's still has room: the
    // store takes each write durably, the index cannot.
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = Tmpfs::mount(&dir.path().join("data").join("indexes"), 32) else {
        eprintln!(
            "SKIPPED: cannot mount a tmpfs here (needs root); the pending-index test did not run"
        );
        return;
    };
    let server = Binary::start(dir.path(), &[]);
    let lines = |ids: &[&str]| ids.iter().map(|id| practice(id)).collect::<Vec<_>>();
    let report: Value = server
        .ingest(lines(&["kept", "gone", "gone-too"]).join("\n"))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(report["pending_index"], false, "{report}");
    assert_eq!(
        found_ids(&server, "kotihoito"),
        ["gone", "gone-too", "kept"]
    );

    disk.fill(0);
    let report: Value = server.ingest(practice("late")).unwrap().json().unwrap();
    assert_eq!(report["inserted"], 1, "{report}");
    assert_eq!(report["pending_index"], true, "{report}\n{}", server.log());
    let deleted = server
        .client
        .post(format!("{}/v1/documents/delete", server.base))
        .bearer_auth(ADMIN_KEY)
        .json(&json!({"ids": ["gone"]}))
        .send()
        .unwrap();
    assert_eq!(deleted.status(), 200);
    let report: Value = deleted.json().unwrap();
    assert_eq!(report["deleted"], 1, "{report}");
    assert_eq!(report["pending_index"], true, "{report}");
    let deleted = server.delete("gone-too");
    assert_eq!(deleted.status(), 202, "not yet gone from search results");
    assert_eq!(deleted.json::<Value>().unwrap()["pending_index"], true);
    // Stored, and deleted, durably; the index serves what it had.
    assert_eq!(server.get("/v1/documents/late").status(), 200);
    assert_eq!(server.get("/v1/documents/gone").status(), 404);
    assert_eq!(
        found_ids(&server, "kotihoito"),
        ["gone", "gone-too", "kept"]
    );

    // Space returns: the next write brings the index up to date with the store.
    disk.free();
    let report: Value = server.ingest(practice("after")).unwrap().json().unwrap();
    assert_eq!(report["pending_index"], false, "{report}\n{}", server.log());
    assert_eq!(found_ids(&server, "kotihoito"), ["after", "kept", "late"]);
    let deleted = server.delete("kept");
    assert_eq!(deleted.status(), 204);
    assert_eq!(found_ids(&server, "kotihoito"), ["after", "late"]);
}

#[test]
fn an_unfinished_sled_snapshot_no_longer_keeps_the_store_from_opening() {
    let dir = tempfile::tempdir().unwrap();
    let server = Binary::start(dir.path(), &[]);
    let ids: Vec<String> = (0..30).map(|i| format!("s-{i}")).collect();
    let body = ids
        .iter()
        .map(|id| practice(id))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(server.ingest(body).unwrap().status(), 200);
    drop(server);
    // What a start on a full disk leaves: an empty snapshot newer than any other.
    let store = dir.path().join("data/store");
    std::fs::write(store.join("snap.7FFFFFFFFFFFFFFF.generating"), b"").unwrap();
    let server = Binary::try_start(dir.path(), None, &[], &[])
        .expect("the store opens with an unfinished snapshot beside it");
    all_found(&server, &ids);
    let log = server.log();
    assert!(
        log.contains("set aside an unfinished sled snapshot"),
        "{log}"
    );
    assert!(
        log.contains("the index holds exactly the stored documents"),
        "{log}"
    );
}

//! The fault scenarios of issue 23 at full size, against a release binary on loopback:
//! SIGKILL during ingestion, SIGKILL during reindex jobs, a full disk, and overload. Prints
//! one line per scenario with its counts. Run by `scripts/faults.sh`, which builds the binary.
//!
//!   cargo run --release --example faults -- BIN [SCENARIO ...]
//!
//! Scenarios: kill-ingest, kill-reindex, disk-full, overload (default: all four).

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const KEY: &str = "faults-admin-key-0123456789";

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn try_start(bin: &Path, data: &Path, env: &[(&str, &str)]) -> Option<Server> {
        Server::try_start_on(bin, data, env, None)
    }

    /// Starts the server, on the CPUs `cpus` (a `taskset` list) when given.
    fn try_start_on(
        bin: &Path,
        data: &Path,
        env: &[(&str, &str)],
        cpus: Option<&str>,
    ) -> Option<Server> {
        let empty = data.join("no-seed");
        std::fs::create_dir_all(&empty).ok()?;
        let mut command = match cpus {
            Some(cpus) => {
                let mut c = Command::new("taskset");
                c.args(["-c", cpus]).arg(bin);
                c
            }
            None => Command::new(bin),
        };
        command
            .args(["serve", "--bind", "127.0.0.1:0", "--seed-dir"])
            .arg(&empty)
            .arg("--data-dir")
            .arg(data.join("data"))
            .env("INNOHAKU_ADMIN_KEY", KEY)
            .env("INNOHAKU_VOIKKO", "off")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().ok()?;
        let stdout = BufReader::new(child.stdout.take()?);
        let base = stdout.lines().map_while(Result::ok).find_map(|l| {
            l.strip_prefix("Innohaku is serving at ")
                .map(|u| u.trim_end_matches('/').to_owned())
        });
        match base {
            Some(base) => Some(Server { child, base }),
            None => {
                let _ = child.wait();
                None
            }
        }
    }

    fn start(bin: &Path, data: &Path, env: &[(&str, &str)]) -> Server {
        Server::try_start(bin, data, env).expect("the server starts")
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn terminate(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

fn line(id: &str) -> String {
    json!({
        "kind": "practice", "id": id, "title": "Kotihoidon tuki iltaisin",
        "summary": "Ikääntyneiden kotihoito iltaisin ja viikonloppuisin.", "language": "fi",
        "themes": ["social_work"], "regions": ["pirkanmaa"],
        "created_at": "2024-01-01", "updated_at": "2024-02-01",
        "how_it_works": "Kotihoidon tiimi käy iltaisin. ".repeat(10), "phase": "ready",
    })
    .to_string()
}

/// Every acknowledged id that the restarted server does not have.
fn lost(server: &Server, acknowledged: &[String]) -> usize {
    let client = client();
    acknowledged
        .iter()
        .filter(|id| {
            client
                .get(format!("{}/v1/documents/{id}", server.base))
                .send()
                .map_or(true, |r| r.status() != 200)
        })
        .count()
}

fn search_total(server: &Server) -> u64 {
    client()
        .get(format!("{}/v1/search?q=kotihoito&limit=1", server.base))
        .send()
        .and_then(|r| r.json::<Value>())
        .map_or(0, |v| v["total"].as_u64().unwrap_or(0))
}

#[derive(Default)]
struct Counts {
    sent: u64,
    acknowledged: u64,
    lost: u64,
    server_errors: u64,
    /// Searches that got no answer at all (the connection failed or closed).
    unanswered: u64,
    shed: u64,
    latencies: Vec<Duration>,
    /// The server's own p99 of admitted requests (from `/metrics`), in milliseconds.
    server_p99: Option<f64>,
    /// CPU time used by each of the server's threads and the client's, when measured.
    cpu: String,
}

impl Counts {
    fn print(&self, scenario: &str, extra: &str) {
        let p99 = if self.latencies.is_empty() {
            "-".to_owned()
        } else {
            let mut l = self.latencies.clone();
            l.sort();
            format!(
                "{:.1} ms",
                l[(l.len() * 99 / 100).min(l.len() - 1)].as_secs_f64() * 1000.0
            )
        };
        let p99 = match self.server_p99 {
            Some(server) => format!("{p99} client, {server:.1} ms server"),
            None => p99,
        };
        println!(
            "{scenario}: sent {} acknowledged {} lost {} 5xx {} shed {} p99 of admitted {p99}{extra}",
            self.sent, self.acknowledged, self.lost, self.server_errors, self.shed
        );
        let first = FIRST_UNANSWERED.lock().unwrap().take();
        if self.unanswered > 0 {
            println!(
                "  no answer at all: {} (the first: {})",
                self.unanswered,
                first.as_deref().unwrap_or("?")
            );
        }
        if !self.cpu.is_empty() {
            println!("  {}", self.cpu);
        }
    }
}

/// Four writers post batches of 40 documents; the server is killed at a random moment;
/// the restarted server must have every acknowledged document. 12 rounds on one data dir.
fn kill_ingest(bin: &Path, rounds: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut counts = Counts::default();
    let mut all_acknowledged = Vec::new();
    for round in 0..rounds {
        let server = Server::start(bin, dir.path(), &[]);
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let sent = Arc::new(AtomicU64::new(0));
        let errors = Arc::new(AtomicU64::new(0));
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let (base, acknowledged, sent, errors) = (
                    server.base.clone(),
                    acknowledged.clone(),
                    sent.clone(),
                    errors.clone(),
                );
                std::thread::spawn(move || {
                    let client = client();
                    for k in 0.. {
                        let ids: Vec<String> =
                            (0..40).map(|i| format!("r{round}-w{w}-b{k}-{i}")).collect();
                        let body = ids.iter().map(|id| line(id)).collect::<Vec<_>>().join("\n");
                        sent.fetch_add(ids.len() as u64, Ordering::Relaxed);
                        match client
                            .post(format!("{base}/v1/documents"))
                            .bearer_auth(KEY)
                            .body(body)
                            .send()
                        {
                            Ok(r) if r.status() == 200 => acknowledged.lock().unwrap().extend(ids),
                            Ok(r) if r.status().is_server_error() => {
                                errors.fetch_add(1, Ordering::Relaxed);
                            }
                            _ => return,
                        }
                    }
                })
            })
            .collect();
        let wait = 800 + (round as u64 * 7919) % 2200;
        std::thread::sleep(Duration::from_millis(wait));
        server.kill();
        for w in writers {
            w.join().unwrap();
        }
        counts.sent += sent.load(Ordering::Relaxed);
        counts.server_errors += errors.load(Ordering::Relaxed);
        all_acknowledged.extend(acknowledged.lock().unwrap().drain(..));
        let server = Server::start(bin, dir.path(), &[]);
        counts.lost = lost(&server, &all_acknowledged) as u64;
        let total = search_total(&server);
        server.kill();
        if counts.lost > 0 || total < all_acknowledged.len() as u64 {
            eprintln!(
                "round {round}: {} lost, {total} searchable of {}",
                counts.lost,
                all_acknowledged.len()
            );
        }
    }
    counts.acknowledged = all_acknowledged.len() as u64;
    counts.print("kill-ingest", &format!(" ({rounds} rounds of SIGKILL)"));
}

/// 20,000 documents; reindex jobs killed at random moments; after each restart the index
/// serves all of them and the interrupted job says so.
fn kill_reindex(bin: &Path, rounds: usize) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(bin, dir.path(), &[]);
    let ids: Vec<String> = (0..20_000).map(|i| format!("reindex-{i}")).collect();
    for chunk in ids.chunks(2_000) {
        let body = chunk
            .iter()
            .map(|id| line(id))
            .collect::<Vec<_>>()
            .join("\n");
        let r = client()
            .post(format!("{}/v1/documents", server.base))
            .bearer_auth(KEY)
            .body(body)
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    server.terminate();
    let mut counts = Counts {
        acknowledged: ids.len() as u64,
        ..Counts::default()
    };
    let mut interrupted = 0;
    for round in 0..rounds {
        let server = Server::start(bin, dir.path(), &[]);
        let r = client()
            .post(format!("{}/v1/jobs/reindex", server.base))
            .bearer_auth(KEY)
            .send()
            .unwrap();
        counts.sent += 1;
        if r.status().is_server_error() {
            counts.server_errors += 1;
        }
        std::thread::sleep(Duration::from_millis(300 + (round as u64 * 3571) % 3000));
        server.kill();
        let server = Server::start(bin, dir.path(), &[]);
        let total = search_total(&server);
        counts.lost = counts
            .lost
            .max(ids.len() as u64 - total.min(ids.len() as u64));
        let jobs: Value = client()
            .get(format!("{}/v1/jobs", server.base))
            .bearer_auth(KEY)
            .send()
            .unwrap()
            .json()
            .unwrap();
        interrupted = jobs
            .as_array()
            .unwrap()
            .iter()
            .filter(|j| j["state"] == "failed")
            .count();
        server.kill();
    }
    counts.print(
        "kill-reindex",
        &format!(" ({rounds} jobs killed, {interrupted} reported interrupted; lost = documents missing from the serving index)"),
    );
}

/// Data dir on a 64 MB tmpfs, filled but for 1 MB; ingest until refused; space freed;
/// writes resume without a restart; full again; stopped; three starts on the full disk;
/// space freed; the store opens with every acknowledged document. 6 rounds.
fn disk_full(bin: &Path, rounds: usize) {
    let root = tempfile::tempdir().unwrap();
    let mount = root.path().join("disk");
    std::fs::create_dir_all(&mount).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64m", "tmpfs"])
        .arg(&mount)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        println!("disk-full: skipped (cannot mount a tmpfs here; run as root)");
        return;
    }
    let mut counts = Counts::default();
    let mut refusals = HashSet::new();
    let mut failed_starts = 0;
    let mut unopenable = 0;
    for round in 0..rounds {
        let data = mount.join(format!("round-{round}"));
        std::fs::create_dir_all(&data).unwrap();
        let mut acknowledged = Vec::new();
        let server = Server::start(bin, &data, &[]);
        fill(&mount, 1024);
        let ingest = |server: &Server,
                      prefix: &str,
                      counts: &mut Counts,
                      acknowledged: &mut Vec<String>|
         -> Option<u16> {
            for k in 0..100_000 {
                let ids: Vec<String> = (0..50).map(|i| format!("{prefix}-{k}-{i}")).collect();
                let body = ids.iter().map(|id| line(id)).collect::<Vec<_>>().join("\n");
                counts.sent += ids.len() as u64;
                let status = client()
                    .post(format!("{}/v1/documents", server.base))
                    .bearer_auth(KEY)
                    .body(body)
                    .send()
                    .map_or(0, |r| r.status().as_u16());
                if status == 200 {
                    acknowledged.extend(ids);
                } else {
                    if (500..600).contains(&status) && status != 507 && status != 503 {
                        counts.server_errors += 1;
                    }
                    return Some(status);
                }
            }
            None
        };
        refusals.insert(ingest(
            &server,
            &format!("r{round}a"),
            &mut counts,
            &mut acknowledged,
        ));
        let _ = std::fs::remove_file(mount.join("ballast"));
        refusals.insert(
            match ingest_one(&server, &format!("r{round}b"), &mut counts) {
                Some(ids) => {
                    acknowledged.extend(ids);
                    None
                }
                None => Some(0),
            },
        );
        fill(&mount, 256);
        ingest(
            &server,
            &format!("r{round}c"),
            &mut counts,
            &mut acknowledged,
        );
        server.terminate();
        for _ in 0..3 {
            match Server::try_start(bin, &data, &[]) {
                Some(s) => s.kill(),
                None => failed_starts += 1,
            }
        }
        let _ = std::fs::remove_file(mount.join("ballast"));
        match Server::try_start(bin, &data, &[]) {
            Some(server) => {
                counts.lost += lost(&server, &acknowledged) as u64;
                server.kill();
            }
            None => unopenable += 1,
        }
        counts.acknowledged += acknowledged.len() as u64;
        let _ = std::fs::remove_dir_all(&data);
    }
    let _ = Command::new("umount").arg("-l").arg(&mount).status();
    let mut refusals: Vec<String> = refusals
        .into_iter()
        .map(|s| s.map_or("-".into(), |s| s.to_string()))
        .collect();
    refusals.sort();
    counts.print(
        "disk-full",
        &format!(
            " ({rounds} rounds; refusals {}; {failed_starts} of {} starts on the full disk failed; {unopenable} stores unopenable after)",
            refusals.join("/"),
            rounds * 3
        ),
    );
}

/// One batch of 20 after space returned; the ids when acknowledged.
fn ingest_one(server: &Server, prefix: &str, counts: &mut Counts) -> Option<Vec<String>> {
    let ids: Vec<String> = (0..20).map(|i| format!("{prefix}-{i}")).collect();
    let body = ids.iter().map(|id| line(id)).collect::<Vec<_>>().join("\n");
    counts.sent += ids.len() as u64;
    let r = client()
        .post(format!("{}/v1/documents", server.base))
        .bearer_auth(KEY)
        .body(body)
        .send()
        .ok()?;
    if r.status().is_server_error() && r.status() != 507 {
        counts.server_errors += 1;
    }
    (r.status() == 200).then_some(ids)
}

fn fill(mount: &Path, free_kb: u64) {
    let out = Command::new("df")
        .args(["-k", "--output=avail"])
        .arg(mount)
        .output()
        .unwrap();
    let avail: u64 = String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let mut left = avail.saturating_sub(free_kb) * 1024;
    let mut file = std::fs::File::create(mount.join("ballast")).unwrap();
    let block = vec![1u8; 1 << 20];
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        if file.write_all(&block[..n]).is_err() {
            break;
        }
        left -= n as u64;
    }
}

/// The queries the overload scenario's clients rotate through.
const QUERIES: [&str; 10] = [
    "kotihoito",
    "ikääntyneiden kotihoito",
    "mielenterveyspalvelut",
    "lastensuojelu",
    "perhekeskus",
    "omaishoitajien tuki",
    "\"sosiaali- ja terveyspalvelut\"",
    "äldreomsorg",
    "lastensuoj",
    "mielenterveyspalvlut",
];

/// Which CPUs the overload scenario's server and load client run on (`taskset` lists): apart,
/// so that neither's latency includes waiting for the other's turn on a CPU. The client gets a
/// quarter of the CPUs, at least one (on two CPUs: the client CPU 0, the server CPU 1).
/// `OVERLOAD_PIN=off`, a single CPU or no `taskset` share them all, as before.
struct Pinning {
    server: Option<String>,
    client: Option<String>,
}

impl Pinning {
    fn choose() -> Pinning {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let taskset = Command::new("taskset")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        if std::env::var("OVERLOAD_PIN").is_ok_and(|v| v == "off") || cpus < 2 || !taskset {
            return Pinning {
                server: None,
                client: None,
            };
        }
        let client = (cpus / 4).max(1);
        let range = |from: usize, to: usize| match from == to {
            true => from.to_string(),
            false => format!("{from}-{to}"),
        };
        Pinning {
            server: Some(range(client, cpus - 1)),
            client: Some(range(0, client - 1)),
        }
    }

    /// Moves every thread of this process (the load client) to the client's CPUs; threads
    /// started later inherit them.
    fn pin_client(&self) {
        if let Some(cpus) = &self.client {
            let pinned = Command::new("taskset")
                .args(["-a", "-p", "-c", cpus, &std::process::id().to_string()])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                pinned,
                "taskset could not pin the load client to CPUs {cpus}"
            );
        }
    }

    fn describe(&self) -> String {
        match (&self.server, &self.client) {
            (Some(server), Some(client)) => {
                format!("server on CPU {server}, client on CPU {client}")
            }
            _ => "server and client sharing every CPU".to_owned(),
        }
    }
}

/// One search; its status (0: no answer) and how long the answer took.
async fn search_once(client: &reqwest::Client, base: &str, q: &str) -> (u16, Duration) {
    let started = Instant::now();
    let status = match client
        .get(format!("{base}/v1/search"))
        .query(&[("q", q)])
        .send()
        .await
    {
        Ok(r) => r.status().as_u16(),
        Err(e) => {
            // What went wrong, once per run: a search with no answer at all is not the
            // server's 5xx, and the line should say which it was.
            let mut first = FIRST_UNANSWERED.lock().unwrap();
            if first.is_none() {
                *first = Some(format!("{e:?}").chars().take(300).collect());
            }
            0
        }
    };
    (status, started.elapsed())
}

/// The first error of a search that got no answer, for the scenario's line (taken when the
/// line is printed).
static FIRST_UNANSWERED: Mutex<Option<String>> = Mutex::new(None);

impl Counts {
    fn record(&mut self, status: u16, took: Duration) {
        self.sent += 1;
        match status {
            200 => {
                self.acknowledged += 1;
                self.latencies.push(took);
            }
            503 => self.shed += 1,
            0 => self.unanswered += 1,
            s if s >= 500 => self.server_errors += 1,
            _ => {}
        }
    }

    fn add(&mut self, other: Counts) {
        self.sent += other.sent;
        self.acknowledged += other.acknowledged;
        self.shed += other.shed;
        self.server_errors += other.server_errors;
        self.unanswered += other.unanswered;
        self.latencies.extend(other.latencies);
    }
}

/// `clients` closed-loop clients, each sending its next search when its last is answered;
/// one that is shed waits as `Retry-After` says (one second). Counts what was sent between
/// `warm` and `end`.
async fn closed_loop(
    client: &reqwest::Client,
    base: &str,
    clients: usize,
    warm: Instant,
    end: Instant,
) -> Counts {
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..clients {
        let (client, base) = (client.clone(), base.to_owned());
        tasks.spawn(async move {
            let mut counts = Counts::default();
            let mut i = c;
            while Instant::now() < end {
                let sent = Instant::now();
                let (status, took) = search_once(&client, &base, QUERIES[i % QUERIES.len()]).await;
                i += 7;
                if sent >= warm {
                    counts.record(status, took);
                }
                if status == 503 {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
            counts
        });
    }
    let mut all = Counts::default();
    while let Some(counts) = tasks.join_next().await {
        all.add(counts.expect("a client task does not panic"));
    }
    all
}

/// Searches sent at `rate` per second on `connections` keep-alive connections, each taking
/// the next of a fixed schedule (a search due every 1/`rate` s) as soon as it is free, however
/// the server answers: a shed search does not slow the schedule (open loop, as wrk2 drives
/// its load). When the server answers slower than that, each connection sends as soon as it
/// has its answer (then the line's "sent/s" falls short of the rate due). Counts what was sent
/// between `warm` and `end`.
async fn open_loop(
    client: &reqwest::Client,
    base: &str,
    rate: f64,
    connections: usize,
    warm: Instant,
    end: Instant,
) -> Counts {
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let (client, base, next) = (client.clone(), base.to_owned(), next.clone());
        tasks.spawn(async move {
            let mut counts = Counts::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let due = start + Duration::from_secs_f64(i as f64 / rate);
                tokio::time::sleep_until(due.into()).await;
                if Instant::now() >= end {
                    break;
                }
                let q = QUERIES[(i % QUERIES.len() as u64) as usize];
                let sent = Instant::now();
                let (status, took) = search_once(&client, &base, q).await;
                if sent >= warm {
                    counts.record(status, took);
                }
            }
            counts
        });
    }
    let mut all = Counts::default();
    while let Some(counts) = tasks.join_next().await {
        all.add(counts.expect("a client task does not panic"));
    }
    all
}

/// The server's own view: the cumulative histogram of its time to answer searches with 200,
/// as (upper bound in seconds, count) pairs, from `/metrics`.
async fn search_histogram(client: &reqwest::Client, base: &str) -> Vec<(f64, f64)> {
    let text = client
        .get(format!("{base}/metrics"))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("/metrics answers")
        .text()
        .await
        .expect("/metrics has a body");
    text.lines()
        .filter(|l| l.starts_with("innohaku_http_request_duration_seconds_bucket{"))
        .filter(|l| l.contains("route=\"/v1/search\"") && l.contains("status=\"200\""))
        .filter_map(|l| {
            let le = l.split("le=\"").nth(1)?.split('"').next()?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            Some((le, l.rsplit(' ').next()?.parse().ok()?))
        })
        .collect()
}

/// CPU seconds (user + system) each thread of process `pid` has used, by thread name, summed
/// over threads of the same name; from `/proc`. Shows which thread a flood starves.
fn thread_cpu(pid: u32) -> std::collections::BTreeMap<String, f64> {
    let tick = 100.0; // USER_HZ on Linux
    let mut all = std::collections::BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return all;
    };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = stat[open + 1..close].to_owned();
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        let cpu = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        // utime and stime are the 14th and 15th fields; here after the name, 12th and 13th.
        *all.entry(name).or_insert(0.0) += (cpu(11) + cpu(12)) / tick;
    }
    all
}

/// The CPU seconds used between two [`thread_cpu`] readings, as text.
fn cpu_used(
    before: &std::collections::BTreeMap<String, f64>,
    after: &std::collections::BTreeMap<String, f64>,
) -> String {
    after
        .iter()
        .map(|(name, t)| (name, t - before.get(name).unwrap_or(&0.0)))
        .filter(|(_, used)| *used >= 0.01)
        .map(|(name, used)| format!("{name} {used:.2} s"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The 99th percentile of the searches answered between two histograms, interpolated within
/// its bucket as Prometheus' `histogram_quantile` does, in milliseconds.
fn histogram_p99(before: &[(f64, f64)], after: &[(f64, f64)]) -> Option<f64> {
    let count = |h: &[(f64, f64)], le: f64| h.iter().find(|b| b.0 == le).map_or(0.0, |b| b.1);
    let buckets: Vec<(f64, f64)> = after
        .iter()
        .map(|&(le, n)| (le, n - count(before, le)))
        .collect();
    let total = buckets.last()?.1;
    let rank = 0.99 * total;
    let mut lower = (0.0, 0.0);
    for &(le, n) in &buckets {
        if n >= rank && total > 0.0 {
            if le.is_infinite() {
                return Some(lower.0 * 1000.0);
            }
            let within = if n > lower.1 {
                (rank - lower.1) / (n - lower.1)
            } else {
                1.0
            };
            return Some((lower.0 + (le - lower.0) * within) * 1000.0);
        }
        lower = (le, n);
    }
    None
}

/// How a run loads the server.
enum Load {
    /// Closed-loop clients.
    Clients(usize),
    /// Searches per second on so many connections, open loop.
    Rate(f64, usize),
}

/// Starts a server on `data`, loads it for a 3-second warm-up and `seconds` measured, and
/// returns the counts, the server's p99 for searches answered among them included.
fn load_run(bin: &Path, data: &Path, pinning: &Pinning, load: &Load, seconds: u64) -> Counts {
    let server = Server::try_start_on(
        bin,
        data,
        &[("INNOHAKU_MAX_CONNECTIONS", "4096")],
        pinning.server.as_deref(),
    )
    .expect("the server starts");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let counts = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(4096)
            .build()
            .unwrap();
        let warm = Instant::now() + Duration::from_secs(3);
        let end = warm + Duration::from_secs(seconds);
        let server_pid = server.child.id();
        let before = {
            let (client, base) = (client.clone(), server.base.clone());
            tokio::spawn(async move {
                tokio::time::sleep_until(warm.into()).await;
                let cpu = (thread_cpu(server_pid), thread_cpu(std::process::id()));
                (search_histogram(&client, &base).await, cpu)
            })
        };
        let mut counts = match *load {
            Load::Clients(n) => closed_loop(&client, &server.base, n, warm, end).await,
            Load::Rate(rate, connections) => {
                open_loop(&client, &server.base, rate, connections, warm, end).await
            }
        };
        let (before, (server_cpu, client_cpu)) = before.await.expect("the scrape does not panic");
        let (server_cpu_after, client_cpu_after) =
            (thread_cpu(server_pid), thread_cpu(std::process::id()));
        let after = search_histogram(&client, &server.base).await;
        counts.server_p99 = histogram_p99(&before, &after);
        counts.cpu = format!(
            "CPU seconds used: server {}; client {}",
            cpu_used(&server_cpu, &server_cpu_after),
            cpu_used(&client_cpu, &client_cpu_after)
        );
        counts
    });
    server.kill();
    counts
}

/// 10,000 synthetic documents, the server and the load client on CPUs of their own
/// ([`Pinning`]). First the load the server sustains: 32 closed-loop clients, the search box
/// issue's figure (HTTP p99 ≤ 20 ms); then ten times the rate they were served at, on ten
/// times the connections, open loop; then
/// the 2,000 closed-loop clients. 15 seconds each, after a 3-second warm-up, each on
/// a freshly started server.
fn overload(bin: &Path, sample: &Path) {
    const SECONDS: u64 = 15;
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed");
    std::fs::create_dir_all(&seed).unwrap();
    let generated = Command::new(bin)
        .args([
            "generate",
            "--docs",
            "10000",
            "--seed",
            "42",
            "--sample-dir",
        ])
        .arg(sample)
        .output()
        .unwrap();
    std::fs::write(seed.join("synthetic.ndjson"), generated.stdout).unwrap();
    let reindexed = Command::new(bin)
        .args(["reindex", "--data-dir"])
        .arg(dir.path().join("data"))
        .arg(seed.join("synthetic.ndjson"))
        .env("INNOHAKU_VOIKKO", "off")
        .output()
        .unwrap();
    assert!(reindexed.status.success());
    let pinning = Pinning::choose();
    pinning.pin_client();
    let per_second = |c: &Counts| c.acknowledged as f64 / SECONDS as f64;
    let baseline = load_run(bin, dir.path(), &pinning, &Load::Clients(32), SECONDS);
    let sustained = per_second(&baseline);
    baseline.print(
        "overload-baseline",
        &format!(
            " (32 closed-loop clients for {SECONDS} s: {sustained:.0} served/s, the sustained \
             rate; {})",
            pinning.describe()
        ),
    );
    let rate = 10.0 * sustained;
    let overload = load_run(bin, dir.path(), &pinning, &Load::Rate(rate, 320), SECONDS);
    overload.print(
        "overload",
        &format!(
            " (10x the sustained rate and clients: {rate:.0} searches/s due on 320 \
             connections, open loop, {:.0}/s sent, {:.0} served/s for {SECONDS} s; {})",
            overload.sent as f64 / SECONDS as f64,
            per_second(&overload),
            pinning.describe()
        ),
    );
    let clients = load_run(bin, dir.path(), &pinning, &Load::Clients(2_000), SECONDS);
    clients.print(
        "overload-clients",
        &format!(
            " (2,000 closed-loop clients, a shed one waiting Retry-After: {:.0} sent/s, {:.0} \
             served/s for {SECONDS} s; {})",
            clients.sent as f64 / SECONDS as f64,
            per_second(&clients),
            pinning.describe()
        ),
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let bin = PathBuf::from(args.next().expect("usage: faults BIN [SCENARIO ...]"));
    let scenarios: Vec<String> = args.collect();
    let run = |name: &str| scenarios.is_empty() || scenarios.iter().any(|s| s == name);
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    if run("kill-ingest") {
        kill_ingest(&bin, 12);
    }
    if run("kill-reindex") {
        kill_reindex(&bin, 6);
    }
    if run("disk-full") {
        disk_full(&bin, 6);
    }
    if run("overload") {
        overload(&bin, &sample);
    }
}

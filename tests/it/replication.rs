//! Backups and read replicas, on the real binary: snapshot → restore, export → reindex, a
//! primary and replicas following a directory or an S3-compatible server (moto), a replica
//! killed mid-download, a corrupt snapshot refused.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::abuse::Binary;
use crate::support::{ADMIN_KEY, doc_line, hit_scores, sample_dir};

/// Queries whose results must be the same on a primary, its restore and its replicas.
const QUERIES: [&str; 5] = [
    "kotihoito",
    "mielenterveyspalvelut nuorille",
    "perhekeskus",
    "päihde*",
    "",
];

/// An `innohaku serve` process on a free loopback port (the abuse tests' [`Binary`]), with
/// what these tests ask of it.
struct Server {
    binary: Binary,
    client: reqwest::blocking::Client,
}

impl Server {
    /// Starts `innohaku serve` on `<root>/data` (seeded from `seed`, or from nothing) with
    /// more arguments and environment.
    fn start(root: &Path, seed: Option<&Path>, args: &[&str], env: &[(&str, &str)]) -> Server {
        Server {
            binary: Binary::try_start(root, seed, args, env).expect("the server serves"),
            client: reqwest::blocking::Client::new(),
        }
    }

    fn get(&self, path: &str) -> reqwest::blocking::Response {
        self.binary.get(path)
    }

    fn post(&self, path: &str, body: String) -> reqwest::blocking::Response {
        self.client
            .post(format!("{}{path}", self.binary.base))
            .bearer_auth(ADMIN_KEY)
            .body(body)
            .send()
            .unwrap()
    }

    /// What searches answer, without timings: the result every copy must give the same.
    fn results(&self) -> Vec<Value> {
        QUERIES
            .iter()
            .map(|q| {
                let response = self
                    .client
                    .get(format!("{}/v1/search", self.binary.base))
                    .query(&[("q", *q), ("limit", "50")])
                    .send()
                    .unwrap();
                assert_eq!(response.status(), 200, "{q}");
                let mut body: Value = response.json().unwrap();
                body.as_object_mut().unwrap().remove("took_ms");
                body
            })
            .collect()
    }

    fn ready(&self) -> (u16, Value) {
        let response = self.get("/readyz");
        (response.status().as_u16(), response.json().unwrap())
    }

    /// Waits until `/readyz` is 200, for at most `limit`.
    fn wait_ready(&self, limit: Duration) -> Value {
        let started = Instant::now();
        loop {
            let (status, body) = self.ready();
            if status == 200 {
                return body;
            }
            assert!(
                started.elapsed() < limit,
                "not ready after {limit:?}: {body}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The ids a search finds.
    fn search_ids(&self, q: &str) -> Vec<String> {
        let body: Value = self
            .client
            .get(format!("{}/v1/search", self.binary.base))
            .query(&[("q", q)])
            .send()
            .unwrap()
            .json()
            .unwrap();
        crate::support::hit_ids(&body)
    }

    /// Whether the document with this id is stored.
    fn finds(&self, id: &str) -> bool {
        self.get(&format!("/v1/documents/{id}")).status() == 200
    }

    fn snapshot(&self) -> Value {
        let response = self.post("/v1/snapshots", String::new());
        assert_eq!(response.status(), 201, "{}", self.log());
        response.json().unwrap()
    }

    fn log(&self) -> String {
        self.binary.log()
    }

    /// SIGKILL: no shutdown.
    fn kill(self) {
        self.binary.kill();
    }
}

/// Results up to the order of equally scored hits: the same documents with the same scores,
/// totals and facets. Two builds of one store order ties by where each document landed in
/// the index, which the writer's threads decide; a tie cut by the page limit keeps its size.
fn ties_unordered(results: Vec<Value>) -> Vec<Value> {
    results
        .into_iter()
        .map(|mut body| {
            let hits = body["hits"].as_array().unwrap().clone();
            let cut = body["total"].as_u64().unwrap() > hits.len() as u64;
            let mut groups: Vec<(String, Vec<String>)> = Vec::new();
            for hit in &hits {
                let score = hit["score"].to_string();
                let id = hit["id"].as_str().unwrap().to_owned();
                match groups.last_mut() {
                    Some((s, ids)) if *s == score => ids.push(id),
                    _ => groups.push((score, vec![id])),
                }
            }
            if cut && let Some((_, ids)) = groups.last_mut() {
                *ids = vec![format!("{} hits", ids.len())];
            }
            for (_, ids) in &mut groups {
                ids.sort();
            }
            body["hits"] = json!(groups);
            body
        })
        .collect()
}

/// Asserts two servers' results are the same, naming the first query and hit that differ.
fn assert_same_results(got: &Server, expected: &Server) {
    for (q, (a, b)) in QUERIES
        .iter()
        .zip(got.results().iter().zip(expected.results()))
    {
        if *a == b {
            continue;
        }
        let (ha, hb) = (hit_scores(a), hit_scores(&b));
        let first = ha.iter().zip(&hb).position(|(x, y)| x != y);
        panic!(
            "query {q:?}: total {} against {}; first differing hit {:?}: {:?} against {:?}\n{}",
            a["total"],
            b["total"],
            first,
            first.map(|i| &ha[i]),
            first.map(|i| &hb[i]),
            got.log()
        );
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Runs the binary to its end.
fn innohaku(args: &[&str], data: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_innohaku"));
    command
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env("RUST_LOG", "warn");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A new practice with a word no sample document has.
fn new_doc(id: &str, word: &str) -> String {
    doc_line(
        "practice",
        id,
        "fi",
        &format!("{word} kotikäynneillä"),
        "Ikääntyneiden kotihoito iltaisin.",
        json!({}),
    )
}

fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what} after {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    started.elapsed()
}

#[test]
fn snapshot_then_restore_into_an_empty_directory_serves_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    let backups_arg = backups.to_str().unwrap();
    let primary = Server::start(
        &dir.path().join("primary"),
        Some(&sample_dir()),
        &["--snapshot-to", backups_arg],
        &[],
    );
    assert_eq!(
        primary
            .post("/v1/documents", new_doc("varmuuskopio-1", "Kuutamouinti"))
            .status(),
        200
    );
    let taken = primary.snapshot();
    assert_eq!(taken["documents"], 421, "{taken}");
    let expected = primary.results();
    assert!(expected[0]["total"].as_u64().unwrap() > 0);
    primary.kill();

    let restored = dir.path().join("restored");
    let restored_data = restored.join("data");
    let out = succeeded(&innohaku(&["restore", backups_arg], &restored_data, &[]));
    assert!(out.contains("421 documents, 421 searchable"), "{out}");
    // A second restore into the same directory is refused without --force.
    let again = innohaku(&["restore", backups_arg], &restored_data, &[]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("pass --force to replace it"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    succeeded(&innohaku(
        &["restore", "--force", backups_arg],
        &restored_data,
        &[],
    ));
    let server = Server::start(&restored, None, &[], &[]);
    assert_eq!(server.results(), expected, "{}", server.log());
    assert!(server.finds("varmuuskopio-1"));

    // A snapshot whose index another analyzer built (an older version's): its store is
    // restored and the index rebuilt from it, never read as it is.
    let snapshot = std::fs::read_dir(backups.join("snapshots"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let older = b"innohaku analyzer 0\n";
    std::fs::write(snapshot.join("index/BUILT_WITH"), older).unwrap();
    let manifest_path = snapshot.join("manifest.json");
    let mut manifest: Value = serde_json::from_str(&read(&manifest_path)).unwrap();
    for file in manifest["files"].as_array_mut().unwrap() {
        if file["path"] == "index/BUILT_WITH" {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(older);
            file["sha256"] = digest
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                .into();
            file["bytes"] = older.len().into();
        }
    }
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    let rebuilt = dir.path().join("rebuilt");
    let out = succeeded(&innohaku(
        &["restore", snapshot.to_str().unwrap()],
        &rebuilt.join("data"),
        &[],
    ));
    assert!(
        out.contains("421 documents, 421 searchable; the index was rebuilt"),
        "{out}"
    );
    let server = Server::start(&rebuilt, None, &[], &[]);
    assert_eq!(ties_unordered(server.results()), ties_unordered(expected));
}

#[test]
fn export_then_reindex_gives_the_same_documents_and_results() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let mut files: Vec<String> = std::fs::read_dir(sample_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    let mut args = vec!["reindex"];
    args.extend(files.iter().map(String::as_str));
    succeeded(&innohaku(&args, &a.join("data"), &[]));
    let exported = dir.path().join("export.ndjson");
    let output = innohaku(
        &["export", "--output", exported.to_str().unwrap()],
        &a.join("data"),
        &[],
    );
    succeeded(&output);
    assert!(String::from_utf8_lossy(&output.stderr).contains("exported 420 documents"));
    assert_eq!(read(&exported).lines().count(), 420);
    let out = succeeded(&innohaku(
        &["reindex", exported.to_str().unwrap()],
        &b.join("data"),
        &[],
    ));
    assert!(out.contains("stored: 420 new, 0 updated"), "{out}");
    assert!(out.contains("indexed 420 documents"), "{out}");
    let servers = [a, b].map(|root| Server::start(&root, None, &[], &[]));
    let [a, b] = servers.map(|server| ties_unordered(server.results()));
    for (q, (a, b)) in QUERIES.iter().zip(a.iter().zip(&b)) {
        assert_eq!(a, b, "query {q:?}");
    }
}

#[test]
fn reindex_after_an_upgrade_builds_the_index_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("docs.ndjson");
    let lines: Vec<String> = (0..30)
        .map(|i| new_doc(&format!("d{i}"), "kuntoutus"))
        .collect();
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    succeeded(&innohaku(&["reindex", file.to_str().unwrap()], &data, &[]));
    let current = || {
        read(&data.join("indexes/CURRENT"))
            .trim()
            .parse::<u64>()
            .unwrap()
    };
    let before = current();
    // What an upgrade that changes the index finds: a generation built otherwise.
    let built_with = data.join(format!("indexes/generations/{before}/BUILT_WITH"));
    std::fs::write(&built_with, "index format 0\n").unwrap();
    let out = succeeded(&innohaku(&["reindex"], &data, &[]));
    assert!(out.contains("indexed 30 documents"), "{out}");
    assert_eq!(
        current(),
        before + 1,
        "one build, not one at opening and another after"
    );
    // With the index up to date, a rebuild asked for is done.
    succeeded(&innohaku(&["reindex"], &data, &[]));
    assert_eq!(current(), before + 2);
    // Files to load after an upgrade: loaded first, then one build reads them too.
    let built_with = data.join(format!("indexes/generations/{}/BUILT_WITH", before + 2));
    std::fs::write(&built_with, "index format 0\n").unwrap();
    let more = dir.path().join("more.ndjson");
    std::fs::write(&more, new_doc("d30", "kuntoutus") + "\n").unwrap();
    let out = succeeded(&innohaku(&["reindex", more.to_str().unwrap()], &data, &[]));
    assert!(out.contains("stored: 1 new"), "{out}");
    assert!(out.contains("indexed 31 documents"), "{out}");
    assert_eq!(
        current(),
        before + 3,
        "one build for the upgrade and the file"
    );
    // A rejected line is reported, named, and fails the command; the valid ones are indexed.
    let mixed = dir.path().join("mixed.ndjson");
    let bad = r#"{"kind": "practice", "id": "broken"}"#;
    std::fs::write(&mixed, format!("{}\n{bad}\n", new_doc("d31", "kuntoutus"))).unwrap();
    let out = innohaku(&["reindex", mixed.to_str().unwrap()], &data, &[]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("rejected") && stderr.contains("line 2"),
        "{stderr}"
    );
    assert!(
        stdout.contains("stored: 1 new") && stdout.contains("1 rejected"),
        "{stdout}"
    );
    assert!(stdout.contains("indexed 32 documents"), "{stdout}");
}

#[test]
fn two_replicas_follow_the_primary_within_the_interval_and_refuse_writes() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    let shared_arg = shared.to_str().unwrap();
    let follow = ["--follow", shared_arg, "--follow-interval", "500ms"];
    // A replica with nothing to follow yet is not ready.
    let first = Server::start(&dir.path().join("replica-1"), None, &follow, &[]);
    let (status, body) = first.ready();
    assert_eq!(status, 503, "{body}");
    let primary = Server::start(
        &dir.path().join("primary"),
        Some(&sample_dir()),
        &["--snapshot-to", shared_arg, "--snapshot-interval", "1s"],
        &[],
    );
    let second = Server::start(&dir.path().join("replica-2"), None, &follow, &[]);
    for replica in [&first, &second] {
        let ready = replica.wait_ready(Duration::from_secs(60));
        assert_eq!(
            ready["replica"]["source"],
            format!(
                "file://{}",
                std::fs::canonicalize(&shared).unwrap().display()
            )
        );
        assert_same_results(replica, &primary);
    }
    // Writes go to the primary; a replica says so.
    let refused = first.post("/v1/documents", new_doc("replica-write", "Kirjoitus"));
    assert_eq!(refused.status(), 403);
    let problem: Value = refused.json().unwrap();
    assert_eq!(problem["type"], "/problems/read-only-replica", "{problem}");

    assert_eq!(
        primary
            .post("/v1/documents", new_doc("seurattava-1", "Revontulikävely"))
            .status(),
        200
    );
    let written = Instant::now();
    for replica in [&first, &second] {
        wait_until(
            Duration::from_secs(20),
            "the write is not searchable on the replica",
            || {
                replica
                    .search_ids("revontulikävely")
                    .contains(&"seurattava-1".to_owned())
            },
        );
    }
    // The bound: the primary's interval, the replicas' interval, the download and swap.
    eprintln!("a write reached both replicas in {:?}", written.elapsed());
    for replica in [&first, &second] {
        assert_same_results(replica, &primary);
    }
}

#[test]
fn a_replica_killed_mid_download_resumes_and_a_corrupt_snapshot_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // The primary writes to `upstream`; the test publishes its snapshots to the replica's
    // location whole (a rename), so that one can be tampered with before any replica sees it.
    let upstream = dir.path().join("upstream");
    let shared = dir.path().join("shared");
    let shared_arg = shared.to_str().unwrap();
    let primary = Server::start(
        &dir.path().join("primary"),
        Some(&sample_dir()),
        &["--snapshot-to", upstream.to_str().unwrap()],
        &[],
    );
    let first = primary.snapshot();
    publish(&upstream, &shared, &first, false);
    let bytes = first["bytes"].as_u64().unwrap();
    // Slow enough that the download takes about twenty seconds.
    let rate = (bytes / 20).max(1).to_string();
    let replica_root = dir.path().join("replica");
    let replica_data = replica_root.join("data");
    let slow = Server::start(
        &replica_root,
        None,
        &[
            "--follow",
            shared_arg,
            "--follow-interval",
            "200ms",
            "--follow-max-rate",
            &rate,
        ],
        &[],
    );
    let staging = replica_data.join("replica-staging");
    // The snapshot's largest file: killed halfway through it, the download must resume.
    let manifest: Value = serde_json::from_str(&read(
        &shared
            .join("snapshots")
            .join(first["id"].as_str().unwrap())
            .join("manifest.json"),
    ))
    .unwrap();
    let largest = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|f| f["bytes"].as_u64().unwrap())
        .unwrap();
    let size = largest["bytes"].as_u64().unwrap();
    let part = staging
        .join(first["id"].as_str().unwrap())
        .join("files")
        .join(format!("{}.part", largest["path"].as_str().unwrap()));
    let partial = || std::fs::metadata(&part).map_or(0, |m| m.len());
    let started = Instant::now();
    while partial() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the download of {} did not start",
            largest["path"]
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(slow.ready().0, 503);
    slow.kill();
    let left = partial();
    assert!(left > 0 && left < size, "{left} of {size}");

    let replica = Server::start(
        &replica_root,
        None,
        &["--follow", shared_arg, "--follow-interval", "200ms"],
        &[],
    );
    wait_serving(&replica, &first);
    assert!(
        replica.log().contains("resuming a download"),
        "the download restarted instead of resuming:\n{}",
        replica.log()
    );
    assert_same_results(&replica, &primary);
    assert!(!staging.join(first["id"].as_str().unwrap()).exists());

    // A newer snapshot with a tampered file is refused; the one served stays.
    assert_eq!(
        primary
            .post("/v1/documents", new_doc("peukaloitu-1", "Sammalpolku"))
            .status(),
        200
    );
    let tampered = primary.snapshot();
    let tampered_dir = publish(&upstream, &shared, &tampered, true);
    let refusal = format!("snapshot {} is corrupt", tampered["id"].as_str().unwrap());
    wait_until(
        Duration::from_secs(20),
        "the corrupt snapshot was not refused",
        || replica.log().contains(&refusal),
    );
    assert!(replica.log().contains("does not match its checksum"));
    let (status, body) = replica.ready();
    assert_eq!((status, &body["replica"]["snapshot"]), (200, &first["id"]));
    assert!(!replica.finds("peukaloitu-1"));
    // Restoring it is refused too, and leaves no data directory behind.
    let restored = dir.path().join("restored");
    let output = innohaku(&["restore", tampered_dir.to_str().unwrap()], &restored, &[]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains(&refusal),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!restored.join("store").exists());

    // The next good snapshot is taken up.
    let good = primary.snapshot();
    publish(&upstream, &shared, &good, false);
    wait_serving(&replica, &good);
    assert!(replica.finds("peukaloitu-1"));
    assert_same_results(&replica, &primary);
}

/// Copies a snapshot from `from` to `to` and renames it into place, complete; with `tamper`,
/// one byte of its largest index file is changed first. Returns its folder.
fn publish(from: &Path, to: &Path, snapshot: &Value, tamper: bool) -> PathBuf {
    let id = snapshot["id"].as_str().unwrap();
    let source = from.join("snapshots").join(id);
    let incoming = to.join("incoming").join(id);
    for file in walk(&source) {
        let target = incoming.join(file.strip_prefix(&source).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&file, &target).unwrap();
    }
    if tamper {
        let victim = walk(&incoming.join("index"))
            .into_iter()
            .max_by_key(|p| std::fs::metadata(p).unwrap().len())
            .unwrap();
        let mut content = std::fs::read(&victim).unwrap();
        let middle = content.len() / 2;
        content[middle] ^= 0x5a;
        std::fs::write(&victim, content).unwrap();
    }
    let target = to.join("snapshots").join(id);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::rename(&incoming, &target).unwrap();
    target
}

/// Waits until a replica serves `snapshot` (its swap is complete).
fn wait_serving(replica: &Server, snapshot: &Value) {
    wait_until(
        Duration::from_secs(60),
        "the snapshot is not served",
        || replica.ready().1["replica"]["snapshot"] == snapshot["id"],
    );
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// A moto S3 server on a loopback port, stopped on drop.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts moto in server mode, or `None` when it is not installed (scripts/test installs it;
/// with `INNOHAKU_EXPECT_MOTO=1` its absence fails the test instead).
fn moto() -> Option<Moto> {
    let installed = Command::new("python3")
        .args(["-c", "import moto.server"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        assert!(
            std::env::var_os("INNOHAKU_EXPECT_MOTO").is_none(),
            "moto is not installed: python3 -m pip install 'moto[server]'"
        );
        eprintln!("skipped: moto is not installed (python3 -m pip install 'moto[server]')");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("python3")
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let endpoint = format!("http://127.0.0.1:{port}");
    let moto = Moto { child, endpoint };
    let client = reqwest::blocking::Client::new();
    wait_until(Duration::from_secs(30), "moto did not start", || {
        client.get(&moto.endpoint).send().is_ok()
    });
    Some(moto)
}

#[test]
fn snapshots_in_s3_compatible_storage_restore_and_are_followed() {
    let Some(moto) = moto() else {
        return;
    };
    let client = reqwest::blocking::Client::new();
    let created = client
        .put(format!("{}/innohaku-test", moto.endpoint))
        .send()
        .unwrap();
    assert!(created.status().is_success(), "{}", created.status());
    let env = [
        ("AWS_ENDPOINT_URL", moto.endpoint.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "eu-north-1"),
    ];
    let url = "s3://innohaku-test/innohaku/snapshots-test";
    let dir = tempfile::tempdir().unwrap();
    let primary = Server::start(
        &dir.path().join("primary"),
        Some(&sample_dir()),
        &["--snapshot-to", url],
        &env,
    );
    let first = primary.snapshot();
    assert_eq!(first["documents"], 420, "{first}");

    let restored = dir.path().join("restored");
    let out = succeeded(&innohaku(&["restore", url], &restored.join("data"), &env));
    assert!(out.contains("420 documents, 420 searchable"), "{out}");
    let from_backup = Server::start(&restored, None, &[], &[]);
    assert_same_results(&from_backup, &primary);

    let replica = Server::start(
        &dir.path().join("replica"),
        None,
        &["--follow", url, "--follow-interval", "300ms"],
        &env,
    );
    replica.wait_ready(Duration::from_secs(60));
    assert_same_results(&replica, &primary);
    assert_eq!(
        primary
            .post("/v1/documents", new_doc("pilvessa-1", "Pilvilinna"))
            .status(),
        200
    );
    let second = primary.snapshot();
    wait_serving(&replica, &second);
    assert!(replica.finds("pilvessa-1"));
    assert_same_results(&replica, &primary);
}

#[test]
fn a_snapshot_asked_for_without_a_location_says_how_to_configure_one() {
    let server = crate::support::sample();
    let response = server
        .client()
        .post(format!("{}/v1/snapshots", server.base))
        .bearer_auth(ADMIN_KEY)
        .send()
        .unwrap();
    assert_eq!(response.status(), 409);
    let problem: Value = response.json().unwrap();
    assert_eq!(problem["type"], "/problems/conflict");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("--snapshot-to"),
        "{problem}"
    );
}

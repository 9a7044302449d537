//! Ingestion and reindexing over HTTP: per-line errors, versions, all-or-nothing, deletes,
//! and searches that keep succeeding while the index is rebuilt and swapped.

use serde_json::{Value, json};

use crate::support::{ADMIN_KEY, MAX_BATCH_DOCS, TestServer, doc_line, hit_ids};

fn line(id: &str, updated: &str, title: &str) -> String {
    doc_line(
        "network",
        id,
        "fi",
        title,
        "Kehittäjien verkosto tapaa kuukausittain.",
        json!({"updated_at": updated}),
    )
}

#[test]
fn every_invalid_line_is_named_and_every_valid_line_is_stored() {
    let server = TestServer::start(None);
    let good = |id: &str| line(id, "2024-02-01", "Verkosto");
    let mut body = Vec::new();
    let oversized = doc_line(
        "network",
        "huge",
        "fi",
        "Iso",
        &"sana ".repeat(20_000),
        json!({}),
    );
    let mut missing = serde_json::from_str::<Value>(&good("no-title")).unwrap();
    missing.as_object_mut().unwrap().remove("title");
    let lines: Vec<Vec<u8>> = vec![
        good("eka").into_bytes(),
        b"{\"kind\": \"network\", \"id\": ".to_vec(),
        missing.to_string().into_bytes(),
        line("vari", "2024-02-01", "V")
            .replace("\"title\"", "\"colour\":\"red\",\"title\"")
            .into_bytes(),
        line("paiva", "2024-13-45", "P").into_bytes(),
        b"{\"kind\":\"network\",\"id\":\"utf\",\"title\":\"\xff\xfe\"}".to_vec(),
        oversized.into_bytes(),
        good("toka").into_bytes(),
    ];
    for l in lines {
        body.extend_from_slice(&l);
        body.push(b'\n');
    }
    let response = server
        .client()
        .post(format!("{}/v1/documents", server.base))
        .bearer_auth(ADMIN_KEY)
        .body(body)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let report: Value = response.json().unwrap();
    assert_eq!(report["inserted"], 2, "{report}");
    let rejected: Vec<(u64, Option<String>)> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().map(String::from),
            )
        })
        .collect();
    let field = |f: &str| Some(f.to_owned());
    assert_eq!(
        rejected,
        [
            (2, None),
            (3, field("title")),
            (4, field("colour")),
            (5, field("updated_at")),
            (6, None),
            (7, field("summary"))
        ],
        "{report}"
    );
    assert!(
        report["rejected"][4]["message"]
            .as_str()
            .unwrap()
            .contains("UTF-8")
    );
    assert!(
        report["rejected"][5]["message"]
            .as_str()
            .unwrap()
            .contains("longer than")
    );
    for id in ["eka", "toka"] {
        assert_eq!(server.get(&format!("/v1/documents/{id}")).status(), 200);
    }
}

#[test]
fn a_stale_write_never_overwrites_a_newer_one() {
    let server = TestServer::start(None);
    server.ingest(&line("v", "2024-05-01", "Uusi nimi"));
    let report: Value = server
        .ingest(&line("v", "2024-01-01", "Vanha nimi"))
        .json()
        .unwrap();
    assert_eq!(report["stale"], 1);
    let doc = server.get_json("/v1/documents/v", &[]);
    assert_eq!(doc["title"], "Uusi nimi");
    let shown_title = || server.search(&[("q", "nimi")])["hits"][0]["title"].clone();
    assert_eq!(shown_title(), "Uusi nimi");
    let report: Value = server
        .ingest(&line("v", "2024-06-01", "Uusin nimi"))
        .json()
        .unwrap();
    assert_eq!(report["updated"], 1);
    assert_eq!(hit_ids(&server.search(&[("q", "uusin")])), ["v"]);
    // A hit shows the document as it is now, not as it was when last shown.
    assert_eq!(shown_title(), "Uusin nimi");
}

#[test]
fn json_arrays_all_or_nothing_put_and_delete() {
    let server = TestServer::start(None);
    let post = |query: &str, content_type: &str, body: String| {
        server.post_documents(query, content_type, body)
    };
    let array = format!(
        "[{},{}]",
        line("a", "2024-01-01", "A"),
        line("b", "2024-01-01", "B")
    );
    let report: Value = post("", "application/json", array).json().unwrap();
    assert_eq!(report["inserted"], 2);
    // One bad line: with atomic=true nothing is stored.
    let body = [line("c", "2024-01-01", "C"), "{broken".to_owned()].join("\n");
    let response = post("?atomic=true", "application/x-ndjson", body);
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().unwrap();
    assert_eq!(problem["errors"][0]["line"], 2);
    assert_eq!(server.get("/v1/documents/c").status(), 404);
    // PUT replaces one document; its id must match the path.
    let put = |id: &str, body: String| {
        server
            .client()
            .put(format!("{}/v1/documents/{id}", server.base))
            .bearer_auth(ADMIN_KEY)
            .body(body)
            .send()
            .unwrap()
    };
    assert_eq!(put("a", line("a", "2024-03-01", "A2")).status(), 200);
    assert_eq!(server.get_json("/v1/documents/a", &[])["title"], "A2");
    assert_eq!(put("a", line("b", "2024-03-01", "B2")).status(), 422);
    // Deletes, single and bulk.
    let delete = server
        .client()
        .delete(format!("{}/v1/documents/a", server.base))
        .bearer_auth(ADMIN_KEY)
        .send()
        .unwrap();
    assert_eq!(delete.status(), 204);
    assert_eq!(server.get("/v1/documents/a").status(), 404);
    // A deleted document leaves the facet counts too, not only the hits: browsing, and
    // searching a word both documents have.
    for params in [vec![], vec![("q", "verkosto")]] {
        let results = server.search(&params);
        assert_eq!(results["total"], 1, "{params:?}");
        let kinds = results["facets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["facet"] == "kind")
            .unwrap();
        let counted: u64 = kinds["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["count"].as_u64().unwrap())
            .sum();
        assert_eq!(counted, 1, "{params:?}: {kinds}");
    }
    let bulk: Value = server
        .client()
        .post(format!("{}/v1/documents/delete", server.base))
        .bearer_auth(ADMIN_KEY)
        .json(&json!({"ids": ["b", "nope"]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        bulk,
        json!({"deleted": 1, "missing": ["nope"], "pending_index": false})
    );
    assert_eq!(server.search(&[])["total"], 0);
}

#[test]
fn requests_held_in_memory_are_limited_in_documents_but_streams_are_not() {
    let server = TestServer::start(None);
    let post = |query: &str, content_type: &str, body: String| {
        server.post_documents(query, content_type, body)
    };
    let lines: Vec<String> = (0..=MAX_BATCH_DOCS)
        .map(|i| line(&format!("d{i}"), "2024-01-01", "Malli"))
        .collect();
    for (query, content_type, body) in [
        ("?atomic=true", "application/x-ndjson", lines.join("\n")),
        ("", "application/json", format!("[{}]", lines.join(","))),
    ] {
        let response = post(query, content_type, body);
        assert_eq!(response.status(), 413, "{query} {content_type}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().unwrap();
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("more than {MAX_BATCH_DOCS} documents")),
            "{problem}"
        );
        assert_eq!(server.search(&[])["total"], 0, "nothing was stored");
    }
    // At the limit it is accepted, and a plain stream takes any number.
    let report: Value = post(
        "?atomic=true",
        "application/x-ndjson",
        lines[..MAX_BATCH_DOCS].join("\n"),
    )
    .json()
    .unwrap();
    assert_eq!(report["inserted"], MAX_BATCH_DOCS);
    let report: Value = post("", "application/x-ndjson", lines.join("\n"))
        .json()
        .unwrap();
    assert_eq!(report["inserted"], 1);
    assert_eq!(report["unchanged"], MAX_BATCH_DOCS);
}

#[test]
fn searches_keep_succeeding_while_the_index_is_rebuilt_and_swapped() {
    let server = TestServer::start(None);
    let lines: Vec<String> = (0..3000)
        .map(|i| {
            doc_line(
                "practice",
                &format!("malli-{i}"),
                "fi",
                &format!("Kotihoidon malli {i}"),
                "Ikääntyneiden kotihoito ja omaishoitajien tuki toimivat yhdessä sosiaali- ja terveyspalveluissa.",
                json!({}),
            )
        })
        .collect();
    assert_eq!(server.ingest(&lines.join("\n")).status(), 200);
    let started: Value = server
        .client()
        .post(format!("{}/v1/jobs/reindex", server.base))
        .bearer_auth(ADMIN_KEY)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let job = format!(
        "{}/v1/jobs/{}",
        server.base,
        started["id"].as_str().unwrap()
    );
    let mut queries = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let r = server.search(&[("q", "ikääntyneet"), ("limit", "1")]);
        assert_eq!(
            r["total"], 3000,
            "every query during the rebuild sees the whole index"
        );
        queries += 1;
        let status: Value = server
            .client()
            .get(&job)
            .bearer_auth(ADMIN_KEY)
            .send()
            .unwrap()
            .json()
            .unwrap();
        match status["state"].as_str().unwrap() {
            "running" => assert!(
                std::time::Instant::now() < deadline,
                "the reindex takes too long"
            ),
            "succeeded" => break,
            other => panic!("the reindex ended {other}: {status}"),
        }
    }
    assert!(queries > 1, "queries ran while the job did");
    assert_eq!(server.search(&[("q", "ikääntyneet")])["total"], 3000);
    // A second job may start now that the first is done, and one at a time is enforced.
    let again = server
        .client()
        .post(format!("{}/v1/jobs/reindex", server.base))
        .bearer_auth(ADMIN_KEY)
        .send()
        .unwrap();
    assert_eq!(again.status(), 202);
}

#[test]
fn uploads_waiting_on_their_clients_do_not_hold_up_searches() {
    use std::io::Write;
    use std::net::TcpStream;
    use std::time::Duration;
    let server = TestServer::start(None);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let addr = server.base.trim_start_matches("http://").to_owned();
    // More uploads than searches have threads, each sending one line and then nothing.
    let stalled: Vec<TcpStream> = (0..cores + 2)
        .map(|i| {
            let mut upload = TcpStream::connect(&addr).expect("connect");
            let first = format!("{}\n", line(&format!("slow-{i}"), "2024-02-01", "Hidas"));
            write!(
                upload,
                "POST /v1/documents HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {ADMIN_KEY}\r\n\
                 Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n\
                 {:x}\r\n{first}\r\n",
                first.len()
            )
            .expect("upload starts");
            upload
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    for q in ["verkosto", "hidas", "kotihoito", "perhekeskus"] {
        let response = client
            .get(format!("{}/v1/search?q={q}", server.base))
            .send()
            .expect("a search answers while the uploads wait");
        assert_eq!(response.status(), 200);
    }
    drop(stalled);
}

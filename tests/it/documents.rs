//! Documents and ingestion over HTTP.

use serde_json::{Value, json};

use crate::support::{TestServer, doc_line, sample};

#[test]
fn a_document_by_id() {
    let server = sample();
    let r = server.search(&[("q", "perhekeskus"), ("kind", "practice"), ("limit", "1")]);
    let id = r["hits"][0]["id"]
        .as_str()
        .expect("a family centre practice")
        .to_owned();
    let doc = server.get_json(&format!("/v1/documents/{id}"), &[]);
    assert_eq!(doc["id"], id.as_str());
    assert_eq!(doc["kind"], "practice");
}

#[test]
fn an_unknown_field_is_rejected_with_line_and_field_and_valid_lines_are_kept() {
    let server = TestServer::start(None);
    let good = |id: &str| {
        doc_line(
            "network",
            id,
            "fi",
            "Verkosto",
            "Kehittäjien verkosto.",
            json!({}),
        )
    };
    let bad = doc_line(
        "network",
        "huono",
        "fi",
        "Verkosto",
        "Teksti.",
        json!({"colour": "red"}),
    );
    let body = [good("eka"), bad, good("kolmas")].join("\n");
    let response = server.ingest(&body);
    assert_eq!(response.status(), 200);
    let report: Value = response.json().unwrap();
    assert_eq!(report["inserted"], 2);
    assert_eq!(
        report["rejected"],
        json!([{"line": 2, "field": "colour", "message": "unknown field for a network"}])
    );
    for id in ["eka", "kolmas"] {
        assert_eq!(
            server.get(&format!("/v1/documents/{id}")).status(),
            200,
            "{id}"
        );
    }
    assert_eq!(server.get("/v1/documents/huono").status(), 404);
    // Ingested documents are searchable at once.
    let r = server.search(&[("q", "verkosto")]);
    assert_eq!(r["total"], 2);
}

#[test]
fn writes_need_the_admin_key() {
    let server = sample();
    let line = doc_line("network", "x", "fi", "X", "Y.", json!({}));
    let post = |key: Option<&str>| {
        let mut req = server
            .client()
            .post(format!("{}/v1/documents", server.base))
            .body(line.clone());
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        req.send().unwrap()
    };
    for (key, status) in [(None, 401), (Some("wrong"), 403)] {
        let response = post(key);
        assert_eq!(response.status(), status);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
}

//! Errors are problem+json, and no query text produces a server error.

use serde_json::Value;

use crate::support::sample;

fn assert_problem(response: reqwest::blocking::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().unwrap();
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().unwrap().starts_with("/problems/"));
    assert!(!body["title"].as_str().unwrap().is_empty());
    assert!(!body["detail"].as_str().unwrap().is_empty());
    body
}

#[test]
fn errors_are_problem_json_naming_the_parameter() {
    let server = sample();
    let body = assert_problem(server.get("/v1/search?limit=0"), 400);
    assert_eq!(body["param"], "limit");
    let body = assert_problem(server.get("/v1/search?region=mars"), 400);
    assert_eq!(body["param"], "region");
    let body = assert_problem(server.get("/v1/search?colour=red"), 400);
    assert_eq!(body["param"], "colour");
    assert_problem(server.get("/v1/documents/no-such-document"), 404);
    assert_problem(server.get("/v1/documents/NOT%20AN%20ID"), 404);
    assert_problem(server.get("/no/such/path"), 404);
    let response = server
        .client()
        .delete(format!("{}/v1/search", server.base))
        .send()
        .unwrap();
    assert_problem(response, 405);
    // Every problem type is documented at its URI.
    let doc = server.get_json("/problems/invalid-parameter", &[]);
    assert_eq!(doc["status"], 400);
}

#[test]
fn hostile_query_text_never_causes_a_server_error() {
    let server = sample();
    let garbage: String = (0..10_240u32)
        .map(|i| char::from_u32(33 + (i * 7919) % 90).unwrap())
        .collect();
    let cases = [
        "\"unbalanced".to_owned(),
        "\"\"\"".to_owned(),
        "-".to_owned(),
        "OR OR OR".to_owned(),
        "a AND OR NOT (b".to_owned(),
        "\u{0}\u{1}\u{7f}\u{1b}[31m".to_owned(),
        "*?~^:{}[]()\\/".to_owned(),
        "<script>alert(1)</script>".to_owned(),
        "ä".repeat(1024),
        garbage,
        "\u{202e}\u{feff}\u{fffd}𝔘𝔫𝔦𝔠𝔬𝔡𝔢".to_owned(),
    ];
    // The same text as a query, as a page to recommend for, and to the iframe widget.
    for (path, param) in [
        ("/v1/search", "q"),
        ("/v1/similar", "text"),
        ("/embed/similar", "text"),
    ] {
        for q in &cases {
            let response = server
                .client()
                .get(format!("{}{path}", server.base))
                .query(&[(param, q)])
                .send()
                .unwrap();
            let status = response.status().as_u16();
            assert!(status == 200 || status == 400, "{status} for {path} {q:?}");
            if status == 400 {
                assert_problem(response, 400);
            }
        }
    }
    for q in &cases {
        let response = server
            .client()
            .post(format!("{}/v1/similar", server.base))
            .json(&serde_json::json!({ "text": q }))
            .send()
            .unwrap();
        let status = response.status().as_u16();
        assert!(status == 200 || status == 400, "{status} for POST {q:?}");
    }
    // Invalid percent-encoding and raw bytes in the query string.
    for raw in ["q=%FF%FE", "q=%", "q=%zz&limit=%", "q=a&&&=&"] {
        let status = server.get(&format!("/v1/search?{raw}")).status().as_u16();
        assert!(status == 200 || status == 400, "{status} for {raw}");
    }
}

//! The OpenAPI contract: checked in, served, and true of the running server.

use serde_json::Value;

use crate::support::{ADMIN_KEY, sample};

#[test]
fn the_checked_in_contract_matches_the_code() {
    let path = crate::checkout::project_dir().join("openapi.json");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    let generated =
        serde_json::to_string_pretty(&innohaku::http::openapi::document()).unwrap() + "\n";
    assert!(
        checked_in == generated,
        "openapi.json drifted from the code; regenerate with `cargo run -- schemas`"
    );
}

#[test]
fn the_served_contract_is_openapi_3_1_and_every_endpoint_answers_as_documented() {
    let server = sample();
    let doc = server.get_json("/v1/openapi.json", &[]);
    assert_eq!(doc["openapi"], "3.1.0");
    let hits = server.search(&[("kind", "practice"), ("limit", "1")]);
    let id = hits["hits"][0]["id"].as_str().unwrap().to_owned();
    // A job to ask about: reindexing the shared server is safe, it keeps serving throughout.
    let client = server.client();
    let started = client
        .post(format!("{}/v1/jobs/reindex", server.base))
        .bearer_auth(ADMIN_KEY)
        .send()
        .unwrap();
    let job: Value = if started.status() == 202 {
        started.json().unwrap()
    } else {
        let jobs: Value = client
            .get(format!("{}/v1/jobs", server.base))
            .bearer_auth(ADMIN_KEY)
            .send()
            .unwrap()
            .json()
            .unwrap();
        jobs[0].clone()
    };
    let job_id = job["id"].as_str().unwrap().to_owned();
    let examples: &[(&str, &str)] = &[
        ("/v1/search", "q=kotihoito&region=pirkanmaa&limit=5"),
        ("/v1/suggest", "q=lastensuo"),
        ("/v1/documents/{id}", ""),
        ("/v1/documents/{id}/similar", "limit=3"),
        ("/v1/similar", "text=perhekeskus&limit=3"),
        ("/v1/analyze", "text=ikääntyneiden&lang=fi"),
        ("/v1/vocabulary", ""),
        ("/v1/jobs", ""),
        ("/v1/jobs/{id}", ""),
        ("/healthz", ""),
        ("/readyz", ""),
        ("/metrics", ""),
    ];
    let paths = doc["paths"].as_object().unwrap();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            // Every documented 4xx answers as problem+json.
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('4') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status}"
                    );
                }
            }
            if method != "get" {
                continue;
            }
            let query = examples
                .iter()
                .find(|(p, _)| p == path)
                .unwrap_or_else(|| panic!("no example for {path}"))
                .1;
            let target = if path.starts_with("/v1/jobs") {
                &job_id
            } else {
                &id
            };
            let url = format!("{}?{query}", path.replace("{id}", target));
            let response = client
                .get(format!("{}{url}", server.base))
                .bearer_auth(ADMIN_KEY)
                .send()
                .unwrap();
            assert_eq!(response.status(), 200, "GET {url}");
            let text = operation["responses"]["200"]["content"]
                .as_object()
                .is_some_and(|c| c.keys().all(|k| k.starts_with("text/plain")));
            if text {
                let media = response.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .to_owned();
                assert!(media.starts_with("text/plain"), "GET {url}: {media}");
                continue;
            }
            let body: Value = response.json().unwrap();
            // Every property the documented 200 schema requires is there.
            let schema = &operation["responses"]["200"]["content"]["application/json"]["schema"];
            if let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
                let component = &doc["components"]["schemas"][name];
                for field in component["required"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                {
                    let field = field.as_str().unwrap();
                    assert!(
                        body.get(field).is_some(),
                        "GET {url}: `{field}` missing from {body}"
                    );
                }
            }
        }
    }
    for (path, _) in examples {
        assert!(paths.contains_key(*path), "{path} is documented");
    }
}

//! Property-based fuzzing of what comes from outside: NDJSON lines and query strings. Any
//! input: no panic, an error or a value; an accepted document survives a round trip.
//!
//! CI runs a few hundred cases of each. For a longer run, set `INNOHAKU_FUZZ_SECS`:
//!
//!   INNOHAKU_FUZZ_SECS=600 cargo test --release --lib fuzz -- --nocapture

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::ingest::{Item, read_ndjson};
use crate::schema::Document;

/// Runs `check` over `strategy` for `INNOHAKU_FUZZ_SECS` seconds, or 512 cases; returns how
/// many cases ran.
fn fuzz<S: Strategy>(
    name: &str,
    strategy: S,
    check: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> u64 {
    let seconds: Option<u64> = std::env::var("INNOHAKU_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok());
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let started = Instant::now();
    let executed = std::cell::Cell::new(0u64);
    loop {
        let cases = if deadline.is_some() { 2_000 } else { 512 };
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&strategy, |value| {
            executed.set(executed.get() + 1);
            check(value)
        });
        if let Err(e) = result {
            panic!("fuzz {name}: {e}");
        }
        if deadline.is_none_or(|d| Instant::now() >= d) {
            break;
        }
    }
    eprintln!(
        "fuzz {name}: {} cases in {:.1} s, no failure",
        executed.get(),
        started.elapsed().as_secs_f64()
    );
    executed.get()
}

const VALID: [&str; 3] = [
    r#"{"kind":"practice","id":"perhevalmennus","title":"Perhevalmennus","summary":"Ryhmävalmennus odottaville perheille.","language":"fi","themes":["family_centres"],"regions":["pirkanmaa"],"organisations":["Pirkanmaan hyvinvointialue"],"created_at":"2024-01-02","updated_at":"2024-03-04","how_it_works":"Kuusi tapaamista.","phase":"ready","projects":["hanke-x"],"url":"https://innokyla.example/fi/perhevalmennus"}"#,
    r#"{"kind":"project","id":"hanke-x","title":"Hanke X","summary":"Kehittämishanke.","created_at":"2023-01-01","updated_at":"2024-01-01","start_date":"2023-01-01","end_date":"2025-12-31","status":"running","practices":["perhevalmennus"],"funder":"STM"}"#,
    r#"{"kind":"network","id":"verkosto-a","title":"Perhekeskusverkosto","summary":"Kehittäjien verkosto.","language":"sv","created_at":"2024-01-01","updated_at":"2024-01-01","description":"Tapaamme kuukausittain.","translations":["verkosto-b"]}"#,
];

/// Bytes likely to matter to a JSON or NDJSON reader.
const TOKENS: [&str; 16] = [
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\\",
    "\n",
    "\r\n",
    "\u{feff}",
    "null",
    "\"title\":\"x\",",
    "\"themes\":[\"social_work\",\"social_work\"],",
    "\u{0}",
    "ä",
];

/// A valid document line, edited: bytes replaced, tokens inserted, cut short.
fn edited_line() -> impl Strategy<Value = Vec<u8>> {
    (
        0..VALID.len(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        prop::collection::vec((any::<prop::sample::Index>(), 0..TOKENS.len()), 0..4),
        prop::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(|(which, replaced, inserted, cut)| {
            let mut line = VALID[which].as_bytes().to_vec();
            for (at, byte) in replaced {
                let i = at.index(line.len());
                line[i] = byte;
            }
            for (at, token) in inserted {
                let i = at.index(line.len() + 1);
                line.splice(i..i, TOKENS[token].bytes());
            }
            if let Some(cut) = cut {
                line.truncate(cut.index(line.len() + 1));
            }
            line
        })
}

/// An NDJSON stream: edited lines and raw bytes, joined by line breaks.
fn stream() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        3 => edited_line(),
        1 => prop::collection::vec(any::<u8>(), 0..256),
        1 => Just(VALID[0].as_bytes().to_vec()),
    ];
    (prop::collection::vec(line, 0..6), any::<bool>())
        .prop_map(|(lines, crlf)| lines.join(if crlf { &b"\r\n"[..] } else { &b"\n"[..] }))
}

#[test]
fn ndjson_reader_never_panics_and_accepted_documents_round_trip() {
    fuzz("ndjson", stream(), |input| {
        let mut last_line = 0;
        for item in read_ndjson(&input[..]) {
            let item = item.map_err(|e| TestCaseError::fail(e.to_string()))?;
            let line = match item {
                Item::Document(line, doc) => {
                    let back = Document::from_value(serde_json::to_value(&*doc).unwrap())
                        .map_err(|e| TestCaseError::fail(format!("no round trip: {e}")))?;
                    prop_assert_eq!(&back, &*doc);
                    let stored = Document::from_stored(&doc.to_stored()).unwrap();
                    prop_assert_eq!(&stored, &*doc);
                    line
                }
                Item::Rejected(e) => {
                    prop_assert!(!e.message.is_empty());
                    e.line
                }
            };
            prop_assert!(line > last_line, "line numbers must increase");
            last_line = line;
        }
        Ok(())
    });
}

/// Query strings: known and unknown keys, values with separators, escapes and bytes.
fn query_string() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        prop::sample::select(vec![
            "q",
            "limit",
            "offset",
            "sort",
            "prefix",
            "facet_limit",
            "kind",
            "region",
            "theme",
            "target_group",
            "phase",
            "language",
            "organisation",
            "programme",
            "year",
            "created_from",
            "updated_to",
            "start_from",
            "end_to",
            "text",
            "text_language",
            "home_region",
            "region_mode",
            "lang",
            "document",
        ])
        .prop_map(str::to_owned),
        "[a-z_%]{0,12}",
    ];
    let value = prop_oneof![
        "[a-z0-9,._+-]{0,20}",
        "[0-9]{0,25}",
        "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}",
        "(%[0-9A-Fa-f]{0,2}|[^&=#]){0,40}",
        prop::sample::select(vec![
            "pirkanmaa,lappi",
            "practice",
            "2024",
            "true",
            "newest"
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec((key, value, any::<bool>()), 0..8).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v, eq)| if eq { format!("{k}={v}") } else { k })
            .collect::<Vec<_>>()
            .join("&")
    })
}

#[test]
fn query_string_parsers_never_panic_and_accept_only_what_is_in_range() {
    use super::similar::{Takes, parse};
    fuzz("query strings", query_string(), |raw| {
        if let Ok(req) = super::params::search_request(Some(&raw)) {
            prop_assert!((1..=crate::search::MAX_LIMIT).contains(&req.limit));
            prop_assert!(req.offset <= crate::search::MAX_OFFSET);
            prop_assert!(req.q.chars().count() <= crate::search::query::MAX_QUERY_CHARS);
        }
        for takes in [Takes::Options, Takes::Page, Takes::DocumentOrPage] {
            if let Ok(request) = parse(Some(&raw), takes) {
                prop_assert!((1..=crate::recommend::MAX_LIMIT).contains(&request.options.limit));
            }
        }
        Ok(())
    });
}

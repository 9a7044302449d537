//! Integration tests: the real service and router on 127.0.0.1, spoken to over HTTP.

mod abuse;
mod browser;
mod checkout;
mod contract;
mod corpus;
mod crash;
mod deploy;
mod documents;
mod errors;
mod ingest;
// Shared with examples/search_eval.rs and recommend_eval.rs, which use what this crate does not.
#[allow(dead_code)]
mod judged;
mod language;
mod multiword;
mod operations;
mod page;
mod quality;
mod recommend;
mod recommend_quality;
mod replication;
mod search;
mod searchbox;
mod support;
mod widget;

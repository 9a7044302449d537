//! Integration tests: the real service and router on 127.0.0.1, spoken to over HTTP.

mod abuse;
mod browser;
mod checkout;
mod contract;
mod corpus;
mod crash;
mod documents;
mod errors;
mod ingest;
mod language;
mod page;
mod recommend;
mod search;
mod searchbox;
mod support;
mod widget;

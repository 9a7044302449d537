//! Innohaku: Finnish-first search and recommendations for social and health care development.
//!
//! Data flows one way: [`ingest`] parses source documents, [`store`] keeps them durably,
//! [`analysis`] turns text into terms, [`index`] derives a Tantivy index from the store,
//! [`search`] and [`recommend`] answer queries, [`service`] ties them together, [`replication`] ships snapshots of it, and [`http`]
//! and [`cli`] are thin adapters over it.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod http;
pub mod index;
pub mod ingest;
pub mod recommend;
pub mod replication;
pub mod schema;
pub mod search;
pub mod service;
pub mod store;
pub mod telemetry;

//! Offline evaluation of recommendations, with the sample corpus' links as held-out truth.
//!
//! `cargo run --release --example recommend_eval`
//!
//! Every explicit link between two documents (a project and its practices, a network and its
//! projects and practices, either direction) says that they belong together. The links are
//! removed from every document before indexing, so no method can see them; each linked
//! document is then used as a source, and its linked documents are the relevant results.
//! Reported: recall@5, nDCG@10 (binary relevance) and the share of sources with a relevant
//! document first, for text alone (more-like-this over the analysed terms) and for the
//! blended method (text + themes + target groups + organisations + maturity), with and
//! without spreading results over organisations.

use std::collections::{HashMap, HashSet};

use innohaku::index::{Catalog, SearchIndex};
use innohaku::recommend::{Method, Options, Profile, recommend};
use innohaku::schema::{Details, DocId, Document, Kind};

#[path = "../tests/it/checkout.rs"]
mod checkout;

fn main() -> anyhow::Result<()> {
    let sample_dir = checkout::project_dir().join("data/sample");
    let docs = innohaku::cli::read_documents(&innohaku::service::ndjson_files(&sample_dir)?)?;

    // Truth: links in either direction, translations aside (they are not recommendations).
    let mut relevant: HashMap<DocId, HashSet<DocId>> = HashMap::new();
    for doc in &docs {
        for (_, linked) in doc.links() {
            relevant
                .entry(doc.id().clone())
                .or_default()
                .insert(linked.clone());
            relevant
                .entry(linked.clone())
                .or_default()
                .insert(doc.id().clone());
        }
    }
    let kinds: HashMap<DocId, Kind> = docs.iter().map(|d| (d.id().clone(), d.kind())).collect();

    let held_out: Vec<Document> = docs.iter().cloned().map(without_links).collect();
    let dir = tempfile::tempdir()?;
    let index = SearchIndex::build(
        &Catalog::new(dir.path()),
        held_out.iter().cloned().map(Ok::<_, String>),
        |_| {},
    )?;

    let methods = [
        (
            "text only (more-like-this), not spread",
            Method::TextOnly,
            false,
        ),
        ("blended, not spread", Method::Blended, false),
        (
            "text only, spread over organisations",
            Method::TextOnly,
            true,
        ),
        ("blended, spread (the service)", Method::Blended, true),
    ];
    println!(
        "Sources: {} linked documents of {} (links held out).\n",
        held_out
            .iter()
            .filter(|d| relevant.contains_key(d.id()))
            .count(),
        held_out.len()
    );
    println!("| method | sources | recall@5 | nDCG@10 | relevant first |");
    println!("|---|---|---|---|---|");
    for (name, method, diversify) in methods {
        let mut by_kind: HashMap<Kind, Vec<(f64, f64, f64)>> = HashMap::new();
        for doc in &held_out {
            let Some(truth) = relevant.get(doc.id()) else {
                continue;
            };
            let options = Options {
                limit: 10,
                method,
                diversify,
                ..Options::default()
            };
            let found = recommend(&index, &Profile::of_document(doc), &options)?;
            let ranked: Vec<&DocId> = found.results.iter().map(|r| &r.id).collect();
            by_kind
                .entry(kinds[doc.id()])
                .or_default()
                .push(scores(&ranked, truth));
        }
        let all: Vec<(f64, f64, f64)> = by_kind.values().flatten().copied().collect();
        row(name, &all);
        for kind in Kind::ALL {
            if let Some(rows) = by_kind.get(kind) {
                row(&format!("  … sources that are {}s", kind.id()), rows);
            }
        }
    }
    Ok(())
}

/// The document with every link removed.
fn without_links(mut doc: Document) -> Document {
    match &mut doc.details {
        Details::Practice(p) => p.projects.clear(),
        Details::Project(p) => {
            p.practices.clear();
            p.networks.clear();
        }
        Details::Network(n) => {
            n.projects.clear();
            n.practices.clear();
        }
    }
    doc
}

/// (recall@5, nDCG@10, relevant first) of one ranking.
fn scores(ranked: &[&DocId], truth: &HashSet<DocId>) -> (f64, f64, f64) {
    let hits: Vec<bool> = ranked.iter().map(|id| truth.contains(*id)).collect();
    let recall = hits.iter().take(5).filter(|h| **h).count() as f64 / truth.len() as f64;
    let dcg: f64 = hits
        .iter()
        .take(10)
        .enumerate()
        .filter(|(_, h)| **h)
        .map(|(i, _)| 1.0 / (i as f64 + 2.0).log2())
        .sum();
    let ideal: f64 = (0..truth.len().min(10))
        .map(|i| 1.0 / (i as f64 + 2.0).log2())
        .sum();
    let first = hits.first().copied().unwrap_or(false);
    (recall, dcg / ideal, f64::from(u8::from(first)))
}

fn row(name: &str, rows: &[(f64, f64, f64)]) {
    let n = rows.len() as f64;
    let mean = |f: fn(&(f64, f64, f64)) -> f64| rows.iter().map(f).sum::<f64>() / n;
    println!(
        "| {name} | {} | {:.3} | {:.3} | {:.3} |",
        rows.len(),
        mean(|r| r.0),
        mean(|r| r.1),
        mean(|r| r.2)
    );
}

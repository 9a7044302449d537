//! The sample corpus and the checked-in schemas are what they claim to be.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::BufReader;

use innohaku::ingest::{Item, read_ndjson};
use innohaku::schema::{Details, Document, Kind, Language, Region, json_schemas};
use innohaku::service::ndjson_files;

use crate::support::sample_dir;

fn sample_documents() -> Vec<Document> {
    let mut docs = Vec::new();
    for path in ndjson_files(&sample_dir()).unwrap() {
        for item in read_ndjson(BufReader::new(File::open(&path).unwrap())) {
            match item.unwrap() {
                Item::Document(_, doc) => docs.push(*doc),
                Item::Rejected(e) => panic!("{}: {e}", path.display()),
            }
        }
    }
    docs
}

#[test]
fn the_sample_corpus_covers_what_the_brief_asks() {
    let docs = sample_documents();
    let count = |kind| docs.iter().filter(|d| d.kind() == kind).count();
    assert!(
        count(Kind::Practice) >= 160,
        "practices: {}",
        count(Kind::Practice)
    );
    assert!(
        count(Kind::Project) >= 50,
        "projects: {}",
        count(Kind::Project)
    );
    assert!(
        count(Kind::Network) >= 30,
        "networks: {}",
        count(Kind::Network)
    );
    let swedish = docs.iter().filter(|d| d.language() == Language::Sv).count();
    assert!(
        swedish * 100 >= docs.len() * 15,
        "{swedish} of {} are Swedish",
        docs.len()
    );
    assert!(docs.iter().any(|d| d.language() == Language::En));
    let regions: BTreeSet<Region> = docs
        .iter()
        .flat_map(|d| d.common.regions.iter().copied())
        .collect();
    assert_eq!(regions.len(), Region::ALL.len(), "every region is used");
    let themes: BTreeSet<_> = docs
        .iter()
        .flat_map(|d| d.common.themes.iter().copied())
        .collect();
    assert!(themes.len() >= 12);
    let phases: BTreeSet<_> = docs.iter().filter_map(|d| d.phase()).collect();
    assert_eq!(phases.len(), 3);
    let ids: BTreeSet<_> = docs.iter().map(|d| d.id().clone()).collect();
    assert_eq!(ids.len(), docs.len(), "ids are unique");
}

#[test]
fn links_in_the_sample_corpus_are_consistent() {
    let docs = sample_documents();
    let by_id: HashMap<_, _> = docs.iter().map(|d| (d.id().clone(), d)).collect();
    let links_to =
        |from: &Document, to: &innohaku::schema::DocId| from.links().any(|(_, id)| id == to);
    for doc in &docs {
        for (field, target) in doc.links() {
            let other = by_id
                .get(target)
                .unwrap_or_else(|| panic!("{} {field} -> missing {target}", doc.id()));
            let expected = match field {
                "projects" => Kind::Project,
                "practices" => Kind::Practice,
                _ => Kind::Network,
            };
            assert_eq!(other.kind(), expected, "{} {field} -> {target}", doc.id());
            match (doc.kind(), other.kind()) {
                // A network's practice came from one of the network's projects (practices
                // do not list networks).
                (Kind::Network, Kind::Practice) => {
                    let via_project = other.links().any(|(_, project)| links_to(doc, project));
                    assert!(
                        via_project,
                        "{} lists {target}, which comes from none of its projects",
                        doc.id()
                    );
                }
                _ => assert!(
                    links_to(other, doc.id()),
                    "{} links to {target} but not back",
                    doc.id()
                ),
            }
        }
        if let Details::Practice(p) = &doc.details {
            assert!(!p.projects.is_empty(), "{} comes from a project", doc.id());
        }
    }
}

#[test]
fn checked_in_schemas_match_the_types() {
    let dir = crate::checkout::project_dir().join("schemas");
    for (name, schema) in json_schemas() {
        let path = dir.join(&name);
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        assert!(
            checked_in == generated,
            "{} drifted from the Rust types; regenerate with `cargo run -- schemas schemas`",
            path.display()
        );
    }
}

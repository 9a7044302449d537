//! The sample corpus and the checked-in schemas are what they claim to be.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::BufReader;

use chrono::Datelike;
use innohaku::ingest::{Item, read_ndjson};
use innohaku::schema::{
    Details, Document, Kind, Language, Region, TargetGroup, Theme, json_schemas,
};
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
fn the_sample_catalogue_has_the_kinds_languages_and_coverage_it_promises() {
    let docs = sample_documents();
    let count = |kind| docs.iter().filter(|d| d.kind() == kind).count();
    assert!(
        count(Kind::Practice) >= 260,
        "practices: {}",
        count(Kind::Practice)
    );
    assert!(
        count(Kind::Project) >= 100,
        "projects: {}",
        count(Kind::Project)
    );
    assert!(
        count(Kind::Network) >= 30,
        "networks: {}",
        count(Kind::Network)
    );
    let in_language = |lang| docs.iter().filter(|d| d.language() == lang).count();
    let (swedish, english) = (in_language(Language::Sv), in_language(Language::En));
    assert!(
        swedish * 100 >= docs.len() * 15,
        "{swedish} of {} are Swedish",
        docs.len()
    );
    assert!(
        english * 100 >= docs.len() * 3,
        "{english} of {} are English",
        docs.len()
    );
    let regions: BTreeSet<Region> = docs
        .iter()
        .flat_map(|d| d.common.regions.iter().copied())
        .collect();
    assert_eq!(regions.len(), Region::ALL.len(), "every region is used");
    let themes: BTreeSet<Theme> = docs
        .iter()
        .flat_map(|d| d.common.themes.iter().copied())
        .collect();
    assert_eq!(themes.len(), Theme::ALL.len(), "every theme is used");
    let groups: BTreeSet<TargetGroup> = docs
        .iter()
        .flat_map(|d| d.common.target_groups.iter().copied())
        .collect();
    assert_eq!(
        groups.len(),
        TargetGroup::ALL.len(),
        "every target group is used"
    );
    let phases: BTreeSet<_> = docs.iter().filter_map(|d| d.phase()).collect();
    assert_eq!(phases.len(), 3);
    let ids: BTreeSet<_> = docs.iter().map(|d| d.id().clone()).collect();
    assert_eq!(ids.len(), docs.len(), "ids are unique");
    let dates = docs
        .iter()
        .flat_map(|d| [d.common.created_at, d.common.updated_at]);
    for date in dates {
        assert!((2010..=2026).contains(&date.year()), "{date}");
    }
}

/// The document's prose, field by field: what an author wrote, not names and funders.
fn prose(doc: &Document) -> impl Iterator<Item = &str> {
    const NAMES: [&str; 4] = [
        "organisations",
        "funder",
        "programme",
        "contact_organisation",
    ];
    doc.strings()
        .filter(|(field, _)| !NAMES.contains(field))
        .map(|(_, text)| text)
}

/// Words in a shingle, and the most two documents' shingles may overlap (Jaccard).
const SHINGLE: usize = 5;
const MOST_SIMILAR: f64 = 0.3;

/// The word shingles of a document's texts, as sorted hashes: two are compared by a merge.
fn shingles<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<u64> {
    let words: Vec<String> = texts.flat_map(words).collect();
    let mut hashes: Vec<u64> = words
        .windows(SHINGLE)
        .map(|w| {
            let mut h = std::hash::DefaultHasher::new();
            w.hash(&mut h);
            h.finish()
        })
        .collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// The Jaccard similarity of two sorted sets.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut x, mut y, mut shared) = (0, 0, 0);
    while x < a.len() && y < b.len() {
        match a[x].cmp(&b[y]) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => (x, y, shared) = (x + 1, y + 1, shared + 1),
        }
    }
    shared as f64 / (a.len() + b.len() - shared).max(1) as f64
}

/// A text's words, in lowercase.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

#[test]
fn practices_are_as_long_as_real_ones_are() {
    let mut lengths: Vec<usize> = sample_documents()
        .iter()
        .filter(|d| d.kind() == Kind::Practice)
        .map(|d| d.strings().map(|(_, text)| text.len()).sum())
        .collect();
    lengths.sort_unstable();
    let share = |f: &dyn Fn(usize) -> bool| {
        lengths.iter().filter(|&&n| f(n)).count() as f64 / lengths.len() as f64
    };
    // From two paragraphs to pages: most in between, some short, some long, a few very long.
    assert!(lengths[0] >= 700, "shortest {}", lengths[0]);
    assert!(share(&|n| n < 1_500) >= 0.03, "short ones");
    assert!(
        share(&|n| (2_000..=5_000).contains(&n)) >= 0.5,
        "most in between"
    );
    assert!(share(&|n| n > 6_000) >= 0.05, "long ones");
    assert!(
        lengths.iter().filter(|&&n| n > 10_000).count() >= 5,
        "very long ones"
    );
}

#[test]
fn no_two_documents_are_near_duplicates_or_share_a_sentence() {
    /// Sentences this long or longer may not appear in two documents.
    const SENTENCE_WORDS: usize = 6;
    let docs = sample_documents();
    let shingles: Vec<Vec<u64>> = docs.iter().map(|d| shingles(prose(d))).collect();
    for i in 0..docs.len() {
        for j in i + 1..docs.len() {
            let similarity = jaccard(&shingles[i], &shingles[j]);
            assert!(
                similarity <= MOST_SIMILAR,
                "{} and {} are near-duplicates ({similarity:.2})",
                docs[i].id(),
                docs[j].id()
            );
        }
    }
    let mut seen: HashMap<String, &str> = HashMap::new();
    for doc in &docs {
        let sentences: HashSet<String> = prose(doc)
            .skip(1)
            .flat_map(|text| text.split(['.', '!', '?', '\n']))
            .map(|s| words(s).collect::<Vec<_>>().join(" "))
            .filter(|s| s.split(' ').count() >= SENTENCE_WORDS)
            .collect();
        for sentence in sentences {
            if let Some(other) = seen.insert(sentence.clone(), doc.id().as_str()) {
                panic!("{other} and {} share a sentence: {sentence}", doc.id());
            }
        }
    }
}

#[test]
fn links_in_the_sample_catalogue_are_consistent() {
    let docs = sample_documents();
    let by_id: HashMap<_, _> = docs.iter().map(|d| (d.id().clone(), d)).collect();
    let links_to =
        |from: &Document, to: &innohaku::schema::DocId| from.links().any(|(_, id)| id == to);
    let mut from_projects = 0;
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
            // Practices list no networks: a network's practices need not link back.
            if (doc.kind(), other.kind()) != (Kind::Network, Kind::Practice) {
                assert!(
                    links_to(other, doc.id()),
                    "{} links to {target} but not back",
                    doc.id()
                );
            }
        }
        for target in &doc.common.translations {
            let other = by_id
                .get(target)
                .unwrap_or_else(|| panic!("{} translations -> missing {target}", doc.id()));
            assert_eq!(other.kind(), doc.kind(), "{} ~ {target}", doc.id());
            assert_ne!(other.language(), doc.language(), "{} ~ {target}", doc.id());
            assert!(
                other.common.translations.contains(doc.id()),
                "{} ~ {target}",
                doc.id()
            );
        }
        if let Details::Practice(p) = &doc.details {
            from_projects += usize::from(!p.projects.is_empty());
        }
    }
    // Most practices come from a project; many are described without one, as in real life.
    let practices = docs.iter().filter(|d| d.kind() == Kind::Practice).count();
    assert!(from_projects * 2 > practices && from_projects < practices);
    assert!(
        docs.iter()
            .filter(|d| !d.common.translations.is_empty())
            .count()
            >= 20
    );
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

#[test]
fn the_first_page_of_a_common_topic_shows_no_two_near_identical_documents() {
    let server = crate::support::sample();
    let topics = [
        "mielenterveys",
        "kotihoito",
        "perhekeskus",
        "lastensuojelu",
        "omaishoito",
        "päihdetyö",
        "ikääntyneet",
        "vammaispalvelut",
        "kuntoutus",
        "työllisyys",
        "sosiaalityö",
        "terveysasema",
        "digitaaliset palvelut",
        "asiakasosallisuus",
        "neuvola",
        "nuoret",
        "etävastaanotto",
        "kokemusasiantuntija",
        "hemvård",
        "familjecentral",
    ];
    for topic in topics {
        let page = server.search(&[("q", topic)]);
        let texts: Vec<(String, Vec<u64>)> = crate::support::hit_ids(&page)
            .into_iter()
            .map(|id| {
                let doc = server.get_json(&format!("/v1/documents/{id}"), &[]);
                let doc = Document::from_value(doc).expect("a document");
                (id, shingles(prose(&doc)))
            })
            .collect();
        assert!(texts.len() >= 5, "{topic}: {} hits", texts.len());
        for (i, (a, of_a)) in texts.iter().enumerate() {
            for (b, of_b) in &texts[i + 1..] {
                let similarity = jaccard(of_a, of_b);
                assert!(
                    similarity <= MOST_SIMILAR,
                    "{topic}: {a} ~ {b} ({similarity:.2})"
                );
            }
        }
    }
}

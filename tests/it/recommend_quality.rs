//! The recommendations' quality, held to the figures reported for them: the judged sources
//! of `eval/recommend/` over the sample catalogue, through the HTTP API as the widget asks
//! (the default method, ten results). The figures are in `eval/recommend/reported.tsv`, from
//! `cargo run --release --example recommend_eval` (the row "now: blended, spread").

use std::collections::HashMap;

use innohaku::index::{Catalog, SearchIndex};

use crate::checkout::project_dir;
use crate::judged::{self, measure, recall5};
use crate::support::sample;

/// How far a figure may fall below the one reported before this test fails.
const SLACK: f64 = 0.02;

#[test]
fn the_judged_recommendations_do_as_well_as_reported() {
    let dir = project_dir().join("eval/recommend");
    let reported = judged::reported(&dir);
    let grades = judged::grades(&dir);
    // (nDCG@10, recall@5, P@5) per half, over the sources with something relevant.
    let mut sums: HashMap<&str, (f64, f64, f64, usize)> = HashMap::new();
    for source in judged::sources(&dir) {
        let r = sample().get_json(
            &format!("/v1/documents/{}/similar", source.doc),
            &[("limit", "10")],
        );
        let ranked: Vec<String> = r["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|hit| hit["id"].as_str().expect("an id").to_owned())
            .collect();
        let g = grades.get(&source.id);
        let m = measure(&ranked, g);
        if let (Some(ndcg), Some(p5), Some(recall)) = (m.ndcg, m.p5, recall5(&ranked, g)) {
            let half = if source.is_tune() { "tune" } else { "held_out" };
            let s = sums.entry(half).or_default();
            *s = (s.0 + ndcg, s.1 + recall, s.2 + p5, s.3 + 1);
        }
    }
    for (half, (ndcg, recall, p5, n)) in &sums {
        let n = *n as f64;
        let found = [
            ("ndcg10", ndcg / n),
            ("recall5", recall / n),
            ("p5", p5 / n),
        ];
        for (measure, value) in found {
            let name = format!("{measure}_{half}");
            let expected = reported[&name];
            eprintln!("{name}: {value:.3} (reported {expected:.3})");
            assert!(
                value >= expected - SLACK,
                "{name} {value:.3} fell below the reported {expected:.3}"
            );
        }
    }
    assert_eq!(sums.len(), 2, "both halves have judged sources");
}

/// Words every sote text uses spread over the themes as the whole catalogue does; words of a
/// need or a target group gather in a few. The recommendations weigh terms by that spread,
/// learnt from the index.
#[test]
fn boilerplate_is_learnt_from_the_spread_over_themes() {
    use innohaku::recommend::ThemeSpread;
    use innohaku::schema::Language;

    let (_dir, index) = built(crate::support::sample_documents());
    let searcher = index.searcher();
    let sets = index.facet_sets(&searcher).expect("facet sets");
    let spread = ThemeSpread::new(&searcher, &sets);
    let fi = index.fields().text(Language::Fi);
    let concentration = |word: &str| {
        let terms = innohaku::analysis::analyze(Language::Fi, word);
        let term = &terms.first().expect("a term").term;
        let c = spread.concentration(&fi, term).expect("postings");
        eprintln!("{word} ({term}): {c:.3}");
        c
    };
    for boilerplate in ["hyvinvointialue", "toimintamalli", "käyttöönotto"] {
        for distinctive in ["omaishoitaja", "lastensuojelu", "päihde"] {
            assert!(
                concentration(boilerplate) < concentration(distinctive),
                "{boilerplate} is no more spread over the themes than {distinctive}"
            );
        }
    }
}

/// Each language's terms are weighed over the documents written in it: the English fields'
/// statistics count the English documents, not the whole catalogue (whose 420 documents made
/// every English word look rare).
#[test]
fn a_languages_statistics_count_its_own_documents() {
    use innohaku::recommend::LanguageStats;
    use innohaku::schema::Language;
    use tantivy::query::Bm25StatisticsProvider;

    let docs = crate::support::sample_documents();
    let written = |lang: Language| docs.iter().filter(|d| d.language() == lang).count() as u64;
    let (en, sv, all) = (
        written(Language::En),
        written(Language::Sv),
        docs.len() as u64,
    );
    let (_dir, index) = built(docs);
    let searcher = index.searcher();
    for (lang, own) in [(Language::En, en), (Language::Sv, sv)] {
        let stats = LanguageStats::new(&searcher, &index.fields().text(lang)).expect("norms");
        let counted = stats.total_num_docs().expect("a count");
        eprintln!("{lang:?}: {counted} of {all} documents ({own} written in it)");
        // A document of another language may have one field in this one (a Swedish summary).
        assert!(
            counted >= own && counted < own + own / 4 + 5,
            "{lang:?}: {counted}"
        );
        assert!(counted < all / 2);
    }
}

/// An index of `docs` built in process, in a directory that lives as long as it is kept.
fn built(docs: Vec<innohaku::schema::Document>) -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().expect("temp dir");
    let index = SearchIndex::build(
        &Catalog::new(dir.path()),
        docs.into_iter().map(Ok::<_, String>),
        |_| {},
    )
    .expect("index");
    (dir, index)
}

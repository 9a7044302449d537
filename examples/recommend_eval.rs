//! Offline evaluation of recommendations, two ways, in one run:
//!
//! ```text
//! cargo run --release --example recommend_eval                # both tables
//! cargo run --release --example recommend_eval -- --pool 10   # unjudged pairs of every top 10
//! cargo run --release --example recommend_eval -- --runs      # every ranking, per source
//! cargo run --release --example recommend_eval -- --tune 'themes=1,collections=tier' ...
//!                                      # the default changed so, on the tuning half only
//!                                      # (RECOMMEND_EVAL_RUNS=FILE: its rankings appended)
//! ```
//!
//! **Judged** (`eval/recommend/`): the sources of `sources.tsv`, each a document with a need
//! (what a developer reading it wants to see next), against the graded documents of
//! `judgments.tsv`, for every method compared: a plain more-like-this baseline (BM25 over
//! the title and summary fields of the source's language, with the source's 25 title and
//! summary terms of highest tf-idf, as Lucene's MoreLikeThis does), text only, blended with
//! and without spreading over organisations. Reported per half: nDCG@10 (graded gains),
//! recall@5 and P@5 (grade 1 or 2 is relevant; unjudged documents count as not relevant and
//! are counted). Odd source ids tune, even ones are held out.
//!
//! **Links held out**: every explicit link between two documents (a project and its
//! practices, a network and its projects and practices, either direction) says that they
//! belong together. The links are removed from every document before indexing, so no method
//! can see them; each linked document is then used as a source, and its linked documents are
//! the relevant results. Reported: recall@5, nDCG@10 (binary relevance) and the share of
//! sources with a relevant document first.

use std::collections::{BTreeSet, HashMap, HashSet};

use innohaku::analysis::analyze;
use innohaku::index::{Catalog, SearchIndex};
use innohaku::recommend::{Method, Options, Profile, Tuning, recommend};
use innohaku::schema::{Details, DocId, Document, Kind};
use innohaku::search::load_document;
use tantivy::Term;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

#[path = "../tests/it/checkout.rs"]
mod checkout;
// The judged evaluations' sources, grades and measures; the search queries are not used here.
#[allow(dead_code)]
#[path = "../tests/it/judged.rs"]
mod judged;

use judged::{Grades, Measures, Source, measure, recall5};

/// Ranks document ids for a source document.
type Ranker<'a> = Box<dyn Fn(&Document) -> anyhow::Result<Vec<DocId>> + 'a>;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let pool_depth = args
        .iter()
        .position(|a| a == "--pool")
        .map(|i| args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(10));
    let root = checkout::project_dir();
    let docs = innohaku::cli::read_documents(&innohaku::service::ndjson_files(
        &root.join("data/sample"),
    )?)?;
    let by_id: HashMap<&DocId, &Document> = docs.iter().map(|d| (d.id(), d)).collect();

    let dir = root.join("eval/recommend");
    let sources = judged::sources(&dir);
    let grades = judged::grades(&dir);
    let (_tmp, index) = index_of(&docs)?;
    if let Some(at) = args.iter().position(|a| a == "--tune") {
        return tune(
            &index,
            &by_id,
            &judged::sources(&dir),
            &grades,
            &args[at + 1..],
        );
    }
    let rankers = rankers(&index);
    let mut rankings: Vec<(&str, Vec<Vec<String>>)> = Vec::new();
    for (name, ranker) in &rankers {
        let mut ranked = Vec::new();
        for s in &sources {
            let doc = by_id
                .get(&s.doc.parse::<DocId>()?)
                .unwrap_or_else(|| panic!("sources.tsv: no document {}", s.doc));
            ranked.push(ranker(doc)?.iter().map(|id| id.to_string()).collect());
        }
        rankings.push((name.as_str(), ranked));
    }

    if let Some(depth) = pool_depth {
        pool(&sources, &grades, &rankings, depth);
        return Ok(());
    }
    if args.iter().any(|a| a == "--runs") {
        for (name, ranked) in &rankings {
            for (s, ids) in sources.iter().zip(ranked) {
                println!("{name}\t{}\t{}\t{}", s.id, s.doc, ids.join(" "));
            }
        }
        return Ok(());
    }
    judged_report(&sources, &grades, &rankings);
    links_held_out(&docs)
}

/// The methods compared, each giving a top ten: the baseline, the method as it was before
/// the judged evaluation (`Tuning::BEFORE`), the default now, and variants of it.
fn rankers<'a>(index: &'a SearchIndex) -> Vec<(String, Ranker<'a>)> {
    let service = |method: Method, diversify: bool, tuning: Tuning| -> Ranker<'a> {
        Box::new(move |doc: &Document| top_ten(index, doc, method, diversify, tuning))
    };
    let mut out: Vec<(String, Ranker<'a>)> = vec![(
        "more-like-this over title and summary (BM25)".into(),
        Box::new(move |doc: &Document| more_like_this(index, doc)),
    )];
    for (when, tuning) in [("before", Tuning::BEFORE), ("now", Tuning::default())] {
        for (how, method, diversify) in [
            ("text only", Method::TextOnly, false),
            ("blended, not spread", Method::Blended, false),
            ("blended, spread", Method::Blended, true),
        ] {
            let name = format!("{when}: {how}");
            out.push((name, service(method, diversify, tuning)));
        }
    }
    for spec in VARIANTS {
        let tuning = tuning(spec).expect("the variants parse");
        out.push((
            format!("variant: {spec}"),
            service(Method::Blended, true, tuning),
        ));
    }
    out
}

/// The service's first ten recommendations for `doc`.
fn top_ten(
    index: &SearchIndex,
    doc: &Document,
    method: Method,
    diversify: bool,
    tuning: Tuning,
) -> anyhow::Result<Vec<DocId>> {
    let options = Options {
        limit: 10,
        method,
        diversify,
        tuning,
        ..Options::default()
    };
    let found = recommend(index, &Profile::of_document(doc), &options)?;
    Ok(found.results.into_iter().map(|r| r.id).collect())
}

/// Variants of the default, blended and spread, to tune on the odd sources, as `--tune`
/// takes them.
const VARIANTS: [&str; 8] = [
    "parts=0",
    "parts=0.5",
    "collections=1",
    "programmes_only=0",
    "rare_facets=0,target_groups=0.3",
    "language_stats=0",
    "context=0.5",
    "translations=0.8",
];

/// The default changed by `spec` (`name=value,...`, the fields of `Tuning`;
/// `collections=tier` for the tier).
fn tuning(spec: &str) -> anyhow::Result<Tuning> {
    let mut tuning = Tuning::default();
    for pair in spec.split(',').filter(|p| !p.is_empty()) {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("expected name=value: {pair}"))?;
        let number = || value.parse::<f32>();
        match name {
            "boilerplate" => tuning.boilerplate = number()?,
            "summary" => tuning.summary = number()?,
            "context" => tuning.context = number()?,
            "language_stats" => tuning.language_stats = number()? != 0.0,
            "translations" => tuning.translations = number()?,
            "rare_facets" => tuning.rare_facets = number()? != 0.0,
            "parts" => tuning.parts = number()?,
            "programmes_only" => tuning.programmes_only = number()? != 0.0,
            "themes" => tuning.themes = number()?,
            "target_groups" => tuning.target_groups = number()?,
            "organisation" => tuning.organisation = number()?,
            "shared_link" => tuning.shared_link = number()?,
            "collections" if value == "tier" => tuning.collections = None,
            "collections" => tuning.collections = Some(number()?),
            _ => anyhow::bail!("no such weight: {name}"),
        }
    }
    Ok(tuning)
}

/// Terms a more-like-this query takes (Lucene's and Tantivy's default).
const MLT_TERMS: usize = 25;

/// The baseline: the source's title and summary terms of highest tf-idf, OR-ed over the
/// title and summary fields of its language and scored by BM25; the source and its language
/// versions left out.
fn more_like_this(index: &SearchIndex, doc: &Document) -> anyhow::Result<Vec<DocId>> {
    let searcher = index.searcher();
    let fields = index.fields().text(doc.language());
    let text = format!("{}\n{}", doc.common.title, doc.common.summary);
    let mut tf: HashMap<String, f32> = HashMap::new();
    for token in analyze(doc.language(), &text) {
        if !token.origin.is_part() && token.term.chars().count() >= 3 {
            *tf.entry(token.term).or_default() += 1.0;
        }
    }
    let n = searcher.num_docs() as f32;
    let mut weighted = Vec::new();
    for (term, tf) in tf {
        let df = [fields.title, fields.summary]
            .into_iter()
            .map(|f| searcher.doc_freq(&Term::from_field_text(f, &term)))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .max()
            .unwrap_or(0) as f32;
        if df > 0.0 {
            weighted.push((tf * (n / df).ln(), term));
        }
    }
    weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    weighted.truncate(MLT_TERMS);
    let clauses: Vec<(Occur, Box<dyn Query>)> = weighted
        .iter()
        .flat_map(|(_, term)| {
            [fields.title, fields.summary].into_iter().map(move |f| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(f, term),
                    IndexRecordOption::WithFreqs,
                ));
                (Occur::Should, q)
            })
        })
        .collect();
    let top = searcher.search(
        &BooleanQuery::new(clauses),
        &TopDocs::with_limit(20).order_by_score(),
    )?;
    let mut out = Vec::new();
    for (_, address) in top {
        let found = load_document(index, &searcher, address)?;
        let id = found.id();
        if id == doc.id()
            || doc.common.translations.contains(id)
            || found.common.translations.contains(doc.id())
        {
            continue;
        }
        out.push(id.clone());
        if out.len() == 10 {
            break;
        }
    }
    Ok(out)
}

/// Measures the default changed by each of `specs` (see `tuning`) on the tuning half only,
/// spread as the service.
fn tune(
    index: &SearchIndex,
    by_id: &HashMap<&DocId, &Document>,
    sources: &[Source],
    grades: &Grades,
    specs: &[String],
) -> anyhow::Result<()> {
    println!("| tuning | nDCG@10 tune | recall@5 tune | P@5 tune | unjudged in top 10 |");
    println!("|---|---|---|---|---|");
    for spec in specs {
        let tuning = tuning(spec)?;
        let (mut ndcg, mut recall, mut p5, mut n, mut unjudged) = (0.0, 0.0, 0.0, 0usize, 0);
        for s in sources.iter().filter(|s| s.is_tune()) {
            let doc = by_id[&s.doc.parse::<DocId>()?];
            let found = top_ten(index, doc, Method::Blended, true, tuning)?;
            let ids: Vec<String> = found.iter().map(DocId::to_string).collect();
            if let Ok(path) = std::env::var("RECOMMEND_EVAL_RUNS") {
                use std::io::Write;
                let mut out = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?;
                writeln!(out, "{spec}\t{}\t{}\t{}", s.id, s.doc, ids.join(" "))?;
            }
            let g = grades.get(&s.id);
            let m = measure(&ids, g);
            unjudged += m.unjudged;
            if let (Some(d), Some(p), Some(r)) = (m.ndcg, m.p5, recall5(&ids, g)) {
                ndcg += d;
                p5 += p;
                recall += r;
                n += 1;
            }
        }
        let n = n.max(1) as f64;
        println!(
            "| {spec} | {:.3} | {:.3} | {:.3} | {unjudged} |",
            ndcg / n,
            recall / n,
            p5 / n
        );
    }
    Ok(())
}

/// Prints every document in a method's top `depth` that is not judged yet, once per source.
fn pool(sources: &[Source], grades: &Grades, rankings: &[(&str, Vec<Vec<String>>)], depth: usize) {
    for (i, s) in sources.iter().enumerate() {
        let mut seen = BTreeSet::new();
        for (_, ranked) in rankings {
            for id in ranked[i].iter().take(depth) {
                let judged = grades.get(&s.id).is_some_and(|g| g.contains_key(id));
                if !judged && seen.insert(id.clone()) {
                    println!("{}\t{id}", s.id);
                }
            }
        }
    }
}

fn judged_report(sources: &[Source], grades: &Grades, rankings: &[(&str, Vec<Vec<String>>)]) {
    let pairs: usize = grades.values().map(HashMap::len).sum();
    println!(
        "Judged: {} sources ({} tune, {} held out), {pairs} judgments.\n",
        sources.len(),
        sources.iter().filter(|s| s.is_tune()).count(),
        sources.iter().filter(|s| !s.is_tune()).count(),
    );
    println!(
        "| method | nDCG@10 held out | recall@5 held out | P@5 held out | nDCG@10 tune | recall@5 tune | P@5 tune | unjudged in top 5 / 10 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, ranked) in rankings {
        let mut cells = Vec::new();
        for tune in [false, true] {
            let (mut ndcg, mut recall, mut p5, mut n) = (0.0, 0.0, 0.0, 0usize);
            for (s, ids) in sources.iter().zip(ranked) {
                if s.is_tune() != tune {
                    continue;
                }
                let g = grades.get(&s.id);
                let m: Measures = measure(ids, g);
                if let (Some(d), Some(p), Some(r)) = (m.ndcg, m.p5, recall5(ids, g)) {
                    ndcg += d;
                    p5 += p;
                    recall += r;
                    n += 1;
                }
            }
            let n = n.max(1) as f64;
            cells.push(format!(
                "{:.3} | {:.3} | {:.3}",
                ndcg / n,
                recall / n,
                p5 / n
            ));
        }
        let unjudged = |k: usize| -> usize {
            sources
                .iter()
                .zip(ranked)
                .map(|(s, ids)| {
                    ids.iter()
                        .take(k)
                        .filter(|id| !grades.get(&s.id).is_some_and(|g| g.contains_key(*id)))
                        .count()
                })
                .sum()
        };
        println!(
            "| {name} | {} | {} | {} / {} |",
            cells[0],
            cells[1],
            unjudged(5),
            unjudged(10)
        );
    }
    println!();
}

/// The evaluation with the sample corpus' links as held-out truth.
fn links_held_out(docs: &[Document]) -> anyhow::Result<()> {
    // Truth: links in either direction, translations aside (they are not recommendations).
    let mut relevant: HashMap<DocId, HashSet<DocId>> = HashMap::new();
    for doc in docs {
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
    let (_tmp, index) = index_of(&held_out)?;

    let now = Tuning::default();
    let methods = [
        ("text only, not spread", Method::TextOnly, false, now),
        ("blended, not spread", Method::Blended, false, now),
        ("text only, spread", Method::TextOnly, true, now),
        ("blended, spread (the service)", Method::Blended, true, now),
        (
            "before: blended, spread",
            Method::Blended,
            true,
            Tuning::BEFORE,
        ),
    ];
    println!(
        "Links held out: {} linked documents of {} as sources.\n",
        held_out
            .iter()
            .filter(|d| relevant.contains_key(d.id()))
            .count(),
        held_out.len()
    );
    println!("| method | sources | recall@5 | nDCG@10 | relevant first |");
    println!("|---|---|---|---|---|");
    for (name, method, diversify, tuning) in methods {
        let mut by_kind: HashMap<Kind, Vec<(f64, f64, f64)>> = HashMap::new();
        for doc in &held_out {
            let Some(truth) = relevant.get(doc.id()) else {
                continue;
            };
            let found = top_ten(&index, doc, method, diversify, tuning)?;
            let ranked: Vec<&DocId> = found.iter().collect();
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

/// An index of `docs` in a temporary directory, deleted when the directory is dropped.
fn index_of(docs: &[Document]) -> anyhow::Result<(tempfile::TempDir, SearchIndex)> {
    let dir = tempfile::tempdir()?;
    let index = SearchIndex::build(
        &Catalog::new(dir.path()),
        docs.iter().cloned().map(Ok::<_, String>),
        |_| {},
    )?;
    Ok((dir, index))
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
    // Plus zero: an empty sum of zeros is -0, printed "-0.000".
    let mean = |f: fn(&(f64, f64, f64)) -> f64| rows.iter().map(f).sum::<f64>() / n + 0.0;
    println!(
        "| {name} | {} | {:.3} | {:.3} | {:.3} |",
        rows.len(),
        mean(|r| r.0),
        mean(|r| r.1),
        mean(|r| r.2)
    );
}

//! The judged search evaluation: the queries of `eval/search/queries.tsv`, written as users
//! type them, against the graded documents of `eval/search/judgments.tsv`, for Innohaku and
//! the baselines, in one run.
//!
//! ```text
//! cargo run --release --example search_eval                      # the tables
//! cargo run --release --example search_eval -- --before URL      # with another build's
//!                                                                # /v1/search (eval/before.sh)
//! cargo run --release --example search_eval -- --pool            # unjudged top 10s, to judge
//! cargo run --release --example search_eval -- --runs            # every ranking, per query
//! ```
//!
//! Systems: exact tokens and Snowball (tantivy, BM25, the query's words OR-ed, the same
//! fields and weights as Innohaku: title 3, summary 1.5, the rest 1, each language's field
//! with its own stemmer and stop words), Innohaku as another build serves it (`--before`),
//! and Innohaku now with each matching strategy, and without derivations.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use innohaku::analysis::{Config, set_index_config};
use innohaku::schema::{Document, Language};
use innohaku::search::{Matching, SearchRequest, search};
use innohaku::service::{Paths, Service};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Field, STORED, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{
    Language as StemLanguage, LowerCaser, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, TantivyDocument};

#[path = "../tests/it/checkout.rs"]
mod checkout;
// The judged evaluations' queries, grades and measures; the recommendation sources are not used here.
#[allow(dead_code)]
#[path = "../tests/it/judged.rs"]
mod judged;

use judged::{Measures, Query, Summary, measure, summarise};

/// Ranks the top ten document ids for a query.
type System = Box<dyn Fn(&str) -> Vec<String>>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let before = args
        .iter()
        .position(|a| a == "--before")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let root = checkout::project_dir();
    let dir = root.join("eval/search");
    let queries = judged::queries(&dir);
    let grades = judged::grades(&dir);
    let documents = read_documents(&root.join("data/sample"));
    let mut systems: Vec<(String, System)> = vec![
        (
            "exact tokens, BM25 OR".into(),
            tantivy_system(&documents, false),
        ),
        ("Snowball, BM25 OR".into(), tantivy_system(&documents, true)),
    ];
    if let Some(url) = before {
        systems.push(("Innohaku before (HTTP)".into(), http_system(url)));
    }
    let seed = root.join("data/sample");
    for (name, config, matching) in [
        ("Innohaku, match=all", Config::FULL, Matching::All),
        ("Innohaku, match=any", Config::FULL, Matching::Any),
        (
            "Innohaku, match=most, no derivations",
            Config {
                derivations: false,
                ..Config::FULL
            },
            Matching::Most,
        ),
        (
            "Innohaku, match=most (default)",
            Config::FULL,
            Matching::Most,
        ),
    ] {
        systems.push((name.into(), innohaku_system(&seed, config, matching)));
    }
    // Each system's ranking of each query, computed once (the analysis configuration is
    // process-wide, so a system is run to the end before the next is made).
    let rankings: Vec<(String, Vec<Vec<String>>)> = systems
        .into_iter()
        .map(|(name, system)| {
            let ranked = queries.iter().map(|q| system(&q.text)).collect();
            (name, ranked)
        })
        .collect();
    if flag("--pool") {
        pool(&queries, &grades, &rankings);
    } else if flag("--runs") {
        for (name, ranked) in &rankings {
            for (q, ids) in queries.iter().zip(ranked) {
                println!(
                    "{name}\t{}\t{}\t{}\t{}",
                    q.id,
                    q.text,
                    q.need,
                    ids.join(" ")
                );
            }
        }
    } else {
        report(&queries, &grades, &rankings);
    }
}

/// Prints every document in a system's top ten that is not judged yet, once per query.
fn pool(queries: &[Query], grades: &judged::Grades, rankings: &[(String, Vec<Vec<String>>)]) {
    for (i, q) in queries.iter().enumerate() {
        let mut seen = BTreeSet::new();
        for (_, ranked) in rankings {
            for id in &ranked[i] {
                let judged = grades.get(&q.id).is_some_and(|g| g.contains_key(id));
                if !judged && seen.insert(id.clone()) {
                    println!("{}\t{id}", q.id);
                }
            }
        }
    }
}

fn report(queries: &[Query], grades: &judged::Grades, rankings: &[(String, Vec<Vec<String>>)]) {
    let measured: Vec<(&str, Vec<Measures>)> = rankings
        .iter()
        .map(|(name, ranked)| {
            let m = queries
                .iter()
                .zip(ranked)
                .map(|(q, ids)| measure(ids, grades.get(&q.id)))
                .collect();
            (name.as_str(), m)
        })
        .collect();
    let half = |m: &[Measures], dev: bool| -> Summary {
        let picked: Vec<Measures> = queries
            .iter()
            .zip(m)
            .filter(|(q, _)| q.is_dev() == dev)
            .map(|(_, m)| *m)
            .collect();
        summarise(&picked)
    };
    let with_relevant = queries
        .iter()
        .filter(|q| {
            grades
                .get(&q.id)
                .is_some_and(|g| g.values().any(|&v| v > 0))
        })
        .count();
    println!(
        "{} queries ({} with something relevant), {} judgments\n",
        queries.len(),
        with_relevant,
        grades.values().map(HashMap::len).sum::<usize>()
    );
    println!(
        "| system | nDCG@10 test | P@5 test | zero results test | nDCG@10 dev | P@5 dev | zero results dev | dead ends (all) | unjudged in top 10 (all) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (name, m) in &measured {
        let (test, dev, all) = (half(m, false), half(m, true), summarise(m));
        println!(
            "| {name} | {:.3} | {:.3} | {:.1} % | {:.3} | {:.3} | {:.1} % | {} | {} |",
            test.ndcg,
            test.p5,
            100.0 * test.zero,
            dev.ndcg,
            dev.p5,
            100.0 * dev.zero,
            all.dead_ends,
            all.unjudged
        );
    }
    // By shape and by the query's language, all queries, nDCG@10 (zero results in
    // parentheses).
    let shapes: BTreeSet<&str> = queries
        .iter()
        .flat_map(|q| [q.shape.as_str(), q.lang.as_str()])
        .collect();
    println!(
        "\n| system (all queries, nDCG@10, zero results) | {} |",
        shapes.iter().copied().collect::<Vec<_>>().join(" | ")
    );
    println!("|---|{}", "---|".repeat(shapes.len()));
    for (name, m) in &measured {
        let cells: Vec<String> = shapes
            .iter()
            .map(|shape| {
                let picked: Vec<Measures> = queries
                    .iter()
                    .zip(m)
                    .filter(|(q, _)| q.shape == *shape || q.lang == *shape)
                    .map(|(_, m)| *m)
                    .collect();
                let s = summarise(&picked);
                format!(
                    "{:.3} ({})",
                    s.ndcg,
                    picked.iter().filter(|m| m.empty).count()
                )
            })
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
    if let Some((name, m)) = measured.last() {
        let all = summarise(m);
        println!(
            "\n{name}, all queries: nDCG@10 {:.3}, zero results {:.3} (what eval/search/reported.tsv holds the tests to)",
            all.ndcg, all.zero
        );
    }
    if let Some((first, last)) = measured.first().zip(measured.last()) {
        let ratio = |dev| half(&last.1, dev).ndcg / half(&first.1, dev).ndcg.max(f64::EPSILON);
        let snowball = &measured[1];
        let over = |dev| half(&last.1, dev).ndcg / half(&snowball.1, dev).ndcg.max(f64::EPSILON);
        println!(
            "\n{} against {}: nDCG@10 {:.2}× on the test half ({:.2}× dev); against {}: {:.2}× ({:.2}× dev)",
            last.0,
            snowball.0,
            over(false),
            over(true),
            first.0,
            ratio(false),
            ratio(true)
        );
    }
}

fn read_documents(dir: &Path) -> Vec<Document> {
    innohaku::cli::read_documents(&innohaku::service::ndjson_files(dir).expect("sample"))
        .expect("sample documents")
}

/// Innohaku over the sample catalogue, with an analysis configuration and a strategy.
fn innohaku_system(seed: &Path, config: Config, matching: Matching) -> System {
    set_index_config(config);
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open(
        Paths {
            data_dir: dir.path().to_owned(),
        },
        Some(seed),
    )
    .expect("sample index");
    Box::new(move |q: &str| {
        // The configuration of the index this system was built with.
        set_index_config(config);
        let _keep = &dir;
        let req = SearchRequest {
            q: q.to_owned(),
            limit: 10,
            prefix: false,
            facet_values: 0,
            matching,
            ..SearchRequest::default()
        };
        let found = search(&service.index(), &req).expect("search");
        found.hits.iter().map(|h| h.id.to_string()).collect()
    })
}

/// Another Innohaku build's `/v1/search` at `url` (serving the same sample catalogue).
fn http_system(url: String) -> System {
    let client = reqwest::blocking::Client::new();
    Box::new(move |q: &str| {
        let response: serde_json::Value = client
            .get(format!("{url}/v1/search"))
            .query(&[
                ("q", q),
                ("limit", "10"),
                ("prefix", "false"),
                ("facet_limit", "0"),
            ])
            .send()
            .and_then(|r| r.json())
            .expect("the other build answers");
        response["hits"]
            .as_array()
            .map(|hits| {
                hits.iter()
                    .filter_map(|h| h["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// A plain Tantivy index of the same documents: title, summary and the rest of the text of
/// each language, with Snowball and stop words per language (`stem`) or lowercase tokens.
fn tantivy_system(documents: &[Document], stem: bool) -> System {
    let languages = [
        (Language::Fi, StemLanguage::Finnish),
        (Language::Sv, StemLanguage::Swedish),
        (Language::En, StemLanguage::English),
    ];
    let mut schema = Schema::builder();
    let id_field = schema.add_text_field("id", STRING | STORED);
    let mut fields: HashMap<Language, [Field; 3]> = HashMap::new();
    for (lang, _) in languages {
        let tokenizer = if stem {
            format!("stem_{}", lang.code())
        } else {
            "lower".to_owned()
        };
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(&tokenizer)
                .set_index_option(tantivy::schema::IndexRecordOption::WithFreqsAndPositions),
        );
        let add = |schema: &mut tantivy::schema::SchemaBuilder, name: &str| {
            schema.add_text_field(&format!("{name}_{}", lang.code()), options.clone())
        };
        let f = [
            add(&mut schema, "title"),
            add(&mut schema, "summary"),
            add(&mut schema, "body"),
        ];
        fields.insert(lang, f);
    }
    let index = Index::create_in_ram(schema.build());
    index.tokenizers().register(
        "lower",
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
    for (lang, snowball) in languages {
        let stopwords = innohaku::analysis::resources()
            .language(lang)
            .stopwords
            .iter()
            .cloned();
        index.tokenizers().register(
            &format!("stem_{}", lang.code()),
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(StopWordFilter::remove(stopwords))
                .filter(Stemmer::new(snowball))
                .build(),
        );
    }
    let mut writer = index.writer(50_000_000).expect("writer");
    for d in documents {
        let [title, summary, body] = fields[&d.language()];
        let mut document = TantivyDocument::default();
        document.add_text(id_field, d.id().as_str());
        for (name, text) in d.strings() {
            let field = match name {
                "title" => title,
                "summary" => summary,
                _ => body,
            };
            document.add_text(field, text);
        }
        writer.add_document(document).expect("add");
    }
    writer.commit().expect("commit");
    let reader = index.reader().expect("reader");
    let all: Vec<Field> = fields.values().flatten().copied().collect();
    let mut parser = QueryParser::for_index(&index, all);
    for f in fields.values() {
        parser.set_field_boost(f[0], 3.0);
        parser.set_field_boost(f[1], 1.5);
    }
    Box::new(move |q: &str| {
        // Words only: the baselines get no query syntax.
        let words: String = q
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        let (query, _) = parser.parse_query_lenient(&words);
        let searcher = reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(10).order_by_score())
            .expect("search");
        top.into_iter()
            .map(|(_, address)| {
                let stored: TantivyDocument = searcher.doc(address).expect("stored");
                stored
                    .get_first(id_field)
                    .and_then(|v| tantivy::schema::Value::as_str(&v).map(str::to_owned))
                    .unwrap_or_default()
            })
            .collect()
    })
}

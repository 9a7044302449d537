//! Measures analysis quality, for every analyzer configuration:
//!
//! 1. conflation precision, recall and F1 of word forms against gold lemmas of a Finnish
//!    treebank in CoNLL-U (UD_Finnish-TDT dev or train; never tune on test),
//! 2. the share of inflected forms that their base form, typed as a query, matches, and the
//!    share of compound words that their last part (in base form) matches,
//! 3. retrieval quality (nDCG@10, recall@10) of the judged queries in `eval/queries.tsv`
//!    over the sample corpus.
//!
//! `cargo run --release --example evaluate -- [--treebank fi_tdt-ud-dev.conllu [--lang fi|sv]]`

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use innohaku::analysis::{Analyzer, Config, Normalizer, Origin, set_index_config};
use innohaku::schema::Language;
use innohaku::search::{SearchRequest, search};
use innohaku::service::{Paths, Service};

#[path = "../tests/it/checkout.rs"]
mod checkout;

/// The configurations compared, from nothing to everything.
fn configs() -> Vec<(&'static str, Config)> {
    let lexicon = Config {
        normalizer: Normalizer::Lexicon,
        compounds: false,
        coordination: false,
        stopwords: true,
        derivations: false,
    };
    vec![
        ("none (lowercase)", Config::NONE),
        ("snowball", Config::SNOWBALL),
        ("lexicon", lexicon),
        (
            "lexicon + compounds",
            Config {
                compounds: true,
                ..lexicon
            },
        ),
        (
            "full, lexicon (default install)",
            Config {
                normalizer: Normalizer::Lexicon,
                ..Config::FULL
            },
        ),
    ]
    .into_iter()
    .chain(
        // Voikko only where the system has it (`apt-get install libvoikko1 voikko-fi`).
        innohaku::analysis::voikko::active().then_some(("full, with Voikko", Config::FULL)),
    )
    .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let treebank = args
        .iter()
        .position(|a| a == "--treebank")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    let lang: Language = args
        .iter()
        .position(|a| a == "--lang")
        .and_then(|i| args.get(i + 1))
        .map_or(Language::Fi, |l| l.parse().expect("--lang fi or sv"));
    match &treebank {
        Some(path) => word_level(path, lang),
        None => println!("(no --treebank given: skipping the word-level evaluation)\n"),
    }
    retrieval();
}

struct Token {
    form: String,
    lemma: String,
    parts: Vec<String>,
}

fn read_treebank(path: &Path) -> Vec<Token> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 4 || cols[0].contains('-') || cols[0].contains('.') {
            continue;
        }
        let (form, lemma, pos) = (cols[1], cols[2], cols[3]);
        if matches!(pos, "PUNCT" | "SYM" | "NUM" | "X" | "PROPN")
            || !form.chars().all(char::is_alphabetic)
        {
            continue;
        }
        out.push(Token {
            form: form.to_lowercase(),
            lemma: lemma.replace('#', "").to_lowercase(),
            parts: lemma.split('#').map(str::to_lowercase).collect(),
        });
    }
    out
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn word_level(path: &Path, lang: Language) {
    let tokens = read_treebank(path);
    let distinct: HashSet<(String, String)> = tokens
        .iter()
        .map(|t| (t.form.clone(), t.lemma.clone()))
        .collect();
    let compounds: HashSet<(String, String)> = tokens
        .iter()
        .filter(|t| t.parts.len() > 1)
        .map(|t| (t.form.clone(), t.parts.last().cloned().unwrap_or_default()))
        .collect();
    println!(
        "Word level: {} ({} tokens, {} distinct form-lemma pairs, {} compound forms)\n",
        path.display(),
        tokens.len(),
        distinct.len(),
        compounds.len()
    );
    println!(
        "| configuration | conflation precision | recall | F1 | base form matches (whole word) | (with compound parts) | compound head found |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, config) in configs() {
        let analyzer = Analyzer::new(lang, config);
        let terms = |word: &str| -> (String, Vec<String>) {
            let t = analyzer.word(word, false);
            (t.main.clone(), t.parts.clone())
        };
        // Conflation: which distinct forms share a first (main) term, against which share a lemma.
        let mut by_term: HashMap<String, u64> = HashMap::new();
        let mut by_lemma: HashMap<&str, u64> = HashMap::new();
        let mut by_both: HashMap<(String, &str), u64> = HashMap::new();
        for (form, lemma) in &distinct {
            let (main, _) = terms(form);
            *by_term.entry(main.clone()).or_default() += 1;
            *by_lemma.entry(lemma).or_default() += 1;
            *by_both.entry((main, lemma)).or_default() += 1;
        }
        let predicted: u64 = by_term.values().map(|&n| pairs(n)).sum();
        let gold: u64 = by_lemma.values().map(|&n| pairs(n)).sum();
        let both: u64 = by_both.values().map(|&n| pairs(n)).sum();
        // With no conflated pairs at all (lowercase only), precision is undefined: shown as 1.
        let precision = if predicted == 0 {
            1.0
        } else {
            both as f64 / predicted as f64
        };
        let recall = both as f64 / gold.max(1) as f64;
        let f1 = 2.0 * precision * recall / (precision + recall).max(f64::EPSILON);
        // Base form as typed by a user, against each inflected form.
        let inflected: Vec<&(String, String)> = distinct.iter().filter(|(f, l)| f != l).collect();
        let (mut whole, mut with_parts) = (0, 0);
        let show_misses = std::env::var_os("EVAL_MISSES").is_some() && config == Config::FULL;
        for (form, lemma) in &inflected {
            let (query, _) = terms(lemma);
            let (main, parts) = terms(form);
            if main == query {
                whole += 1;
                with_parts += 1;
            } else if parts.contains(&query) {
                with_parts += 1;
            } else if show_misses {
                eprintln!(
                    "miss\t{form}\t{lemma}\t{query}\t{main}\t{:?}",
                    analyzer.word(form, false).origin
                );
            }
        }
        let heads = compounds
            .iter()
            .filter(|(form, head)| {
                let (query, _) = terms(head);
                let (main, parts) = terms(form);
                main == query || parts.contains(&query)
            })
            .count();
        let share = |n: usize, d: usize| n as f64 / d.max(1) as f64;
        println!(
            "| {name} | {precision:.3} | {recall:.3} | {f1:.3} | {:.3} | {:.3} | {:.3} |",
            share(whole, inflected.len()),
            share(with_parts, inflected.len()),
            share(heads, compounds.len())
        );
    }
    println!();
}

/// A judged query: category, query text, relevant document ids.
struct Judged {
    category: String,
    query: String,
    relevant: HashSet<String>,
}

fn read_judgements() -> Vec<Judged> {
    let path = checkout::project_dir().join("eval/queries.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(
                cols.len() == 3,
                "eval/queries.tsv: expected category<TAB>query<TAB>ids: {l}"
            );
            Judged {
                category: cols[0].into(),
                query: cols[1].into(),
                relevant: cols[2].split_whitespace().map(String::from).collect(),
            }
        })
        .collect()
}

fn retrieval() {
    let judged = read_judgements();
    let seed = checkout::project_dir().join("data/sample");
    println!(
        "Retrieval: {} judged queries over the sample corpus (nDCG@10 / recall@10)\n",
        judged.len()
    );
    let categories: Vec<String> = judged
        .iter()
        .map(|j| j.category.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    println!("| configuration | all | {} |", categories.join(" | "));
    println!("|---|---|{}", "---|".repeat(categories.len()));
    for (name, config) in configs() {
        set_index_config(config);
        let dir = tempfile::tempdir().expect("temp dir");
        let service = Service::open(
            Paths {
                data_dir: dir.path().to_owned(),
            },
            Some(&seed),
        )
        .expect("sample index");
        let mut scores: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
        for j in &judged {
            let req = SearchRequest {
                q: j.query.clone(),
                limit: 10,
                ..SearchRequest::default()
            };
            let hits = search(&service.index(), &req).expect("search");
            let ids: Vec<String> = hits.hits.iter().map(|h| h.id.to_string()).collect();
            let dcg: f64 = ids
                .iter()
                .enumerate()
                .filter(|(_, id)| j.relevant.contains(*id))
                .map(|(i, _)| 1.0 / (i as f64 + 2.0).log2())
                .sum();
            let ideal: f64 = (0..j.relevant.len().min(10))
                .map(|i| 1.0 / (i as f64 + 2.0).log2())
                .sum();
            let found = ids.iter().filter(|id| j.relevant.contains(*id)).count();
            let score = (
                dcg / ideal.max(f64::EPSILON),
                found as f64 / j.relevant.len().clamp(1, 10) as f64,
            );
            if std::env::var_os("EVAL_QUERIES").is_some() {
                eprintln!(
                    "{name}\t{}\t{}\t{:.3}\t{:.3}",
                    j.category, j.query, score.0, score.1
                );
            }
            scores.entry(j.category.clone()).or_default().push(score);
            scores.entry(String::new()).or_default().push(score);
        }
        let cell = |v: &Vec<(f64, f64)>| {
            let n = v.len().max(1) as f64;
            format!(
                "{:.3} / {:.3}",
                v.iter().map(|s| s.0).sum::<f64>() / n,
                v.iter().map(|s| s.1).sum::<f64>() / n
            )
        };
        let cols: Vec<String> = categories.iter().map(|c| cell(&scores[c])).collect();
        println!("| {name} | {} | {} |", cell(&scores[""]), cols.join(" | "));
    }
    set_index_config(Config::FULL);
    let _ = Origin::Word;
}

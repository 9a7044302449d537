//! Measures analysis quality on a treebank in CoNLL-U (UD_Finnish-TDT dev or train, or
//! UD_Swedish-Talbanken with `--lang sv`; never tune on test), for every analyzer
//! configuration:
//!
//! 1. conflation precision, recall and F1 of word forms against gold lemmas,
//! 2. the share of inflected forms that their base form, typed as a query, matches, and the
//!    share of compound words that their last part (in base form) matches,
//! 3. derivational roots: how often the rules find one, and, where Voikko is installed,
//!    how often they agree with the root Voikko gives.
//!
//! Search quality is measured by `examples/search_eval.rs`.
//!
//! `cargo run --release --example evaluate -- --treebank fi_tdt-ud-dev.conllu [--lang fi|sv]`

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use innohaku::analysis::{Analyzer, Config, Normalizer, voikko};
use innohaku::schema::Language;

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
        .map(PathBuf::from)
        .expect("--treebank FILE.conllu");
    let lang: Language = args
        .iter()
        .position(|a| a == "--lang")
        .and_then(|i| args.get(i + 1))
        .map_or(Language::Fi, |l| l.parse().expect("--lang fi or sv"));
    word_level(&treebank, lang);
    if lang == Language::Fi {
        derivations(&treebank);
    }
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
            (t.main.to_string(), t.parts.clone())
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

/// The derivational roots of the treebank's base forms: how many the rules find, and where
/// Voikko is installed, how often Voikko's own derivation information agrees.
fn derivations(path: &Path) {
    let analyzer = Analyzer::new(Language::Fi, Config::FULL);
    let lemmas: BTreeSet<String> = read_treebank(path).into_iter().map(|t| t.lemma).collect();
    let ours: Vec<(&String, Option<String>)> =
        lemmas.iter().map(|l| (l, analyzer.root(l))).collect();
    let found = ours.iter().filter(|(_, r)| r.is_some()).count();
    println!(
        "Derivational roots of the {} distinct base forms: the rules find one for {found} ({:.1} %)",
        lemmas.len(),
        100.0 * found as f64 / lemmas.len().max(1) as f64
    );
    if !voikko::active() {
        println!("(Voikko is not installed: no comparison with its derivation information)\n");
        return;
    }
    // Voikko's root one level down: the base form it gives (a -minen noun is its verb's
    // form), or what the last component's derivational suffix attaches to.
    let voikko_root = |lemma: &str| -> Option<String> {
        let reading = voikko::readings(lemma)?.into_iter().next()?;
        if reading.base != lemma {
            return Some(reading.base);
        }
        reading.root.filter(|r| r != lemma)
    };
    let (mut both, mut agree, mut theirs, mut recalled) = (0, 0, 0, 0);
    for (lemma, ours) in &ours {
        let v = voikko_root(lemma).filter(|r| analyzer.is_lemma(r));
        if v.is_some() {
            theirs += 1;
        }
        if let (Some(o), Some(v)) = (ours, &v) {
            both += 1;
            if o == v {
                agree += 1;
                recalled += 1;
            }
        }
    }
    let share = |n: usize, d: usize| n as f64 / d.max(1) as f64;
    println!(
        "| derivational roots against Voikko | precision (agree where both give one) | recall (of Voikko's roots that are base forms) |"
    );
    println!("|---|---|---|");
    println!(
        "| rules | {:.3} ({agree} of {both}) | {:.3} ({recalled} of {theirs}) |\n",
        share(agree, both),
        share(recalled, theirs)
    );
}

//! Compiles a `form<TAB>lemma` TSV into the lexicon files of `index/<lang>/`: `lexicon.fst`
//! (form → lemma number), `lexicon-folded.fst` (the same with ä/ö/å folded) and `lemmas.txt`.
//!
//! `cargo run --release --example build_lexicon -- fi.tsv index/fi`
//!
//! When a form has several lemmas, a form written in lower case in the source wins over the
//! same form capitalised (a proper noun), and both over a lemma listed as its own form.

use std::collections::HashMap;
use std::io::{BufRead, BufWriter, Write};

use innohaku::analysis::fold;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [tsv, out] = args.as_slice() else {
        eprintln!("usage: build_lexicon FORMS.tsv OUTDIR");
        std::process::exit(2);
    };
    let mut lemmas: Vec<String> = Vec::new();
    let mut ids: HashMap<String, u64> = HashMap::new();
    let mut pairs: Vec<(String, u8, u64)> = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(tsv).expect("TSV file")).lines() {
        let line = line.expect("a line");
        let Some((form, lemma)) = line.split_once('\t') else {
            continue;
        };
        let rank = u8::from(form.chars().next().is_some_and(char::is_uppercase));
        let (form, lemma) = (form.to_lowercase(), lemma.to_lowercase());
        if form.chars().count() > 48 || lemma.is_empty() {
            continue;
        }
        let id = *ids.entry(lemma.clone()).or_insert_with(|| {
            lemmas.push(lemma.clone());
            lemmas.len() as u64 - 1
        });
        pairs.push((form, rank, id));
        pairs.push((lemma, 2, id));
    }
    pairs.sort();
    pairs.dedup_by(|a, b| a.0 == b.0);
    let write = |name: &str, pairs: &[(String, u64)]| {
        let file = std::fs::File::create(format!("{out}/{name}")).expect("output file");
        let mut builder = fst::MapBuilder::new(BufWriter::new(file)).expect("FST builder");
        for (form, id) in pairs {
            builder.insert(form, *id).expect("sorted keys");
        }
        builder.finish().expect("FST written");
    };
    let exact: Vec<(String, u64)> = pairs.into_iter().map(|(f, _, id)| (f, id)).collect();
    write("lexicon.fst", &exact);
    let mut folded: Vec<(String, u64)> = exact.iter().map(|(f, id)| (fold(f), *id)).collect();
    folded.sort();
    folded.dedup_by(|a, b| a.0 == b.0);
    write("lexicon-folded.fst", &folded);
    let mut w =
        BufWriter::new(std::fs::File::create(format!("{out}/lemmas.txt")).expect("lemma file"));
    for lemma in &lemmas {
        writeln!(w, "{lemma}").expect("written");
    }
    println!(
        "{} forms, {} folded, {} lemmas",
        exact.len(),
        folded.len(),
        lemmas.len()
    );
}

//! Analysis throughput with the full pipeline, on one core, over typical practice text
//! (the sample corpus), in tokens per second.
//!
//! `cargo bench --bench analysis`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use innohaku::analysis::{Analyzer, Config, words};
use innohaku::schema::Language;
use innohaku::service::ndjson_files;

#[path = "../tests/it/checkout.rs"]
mod checkout;

fn sample_text(lang: Language) -> String {
    let dir = checkout::project_dir().join("data/sample");
    let mut text = String::new();
    for path in ndjson_files(&dir).expect("sample corpus") {
        for line in std::fs::read_to_string(path).expect("sample file").lines() {
            let doc = innohaku::ingest::parse_document(line.as_bytes()).expect("valid sample");
            if doc.language() == lang {
                for (_, t) in doc.strings() {
                    text.push_str(t);
                    text.push('\n');
                }
            }
        }
    }
    text
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("analysis");
    for lang in [Language::Fi, Language::Sv] {
        let text = sample_text(lang);
        let tokens = words(&text).len() as u64;
        group.throughput(Throughput::Elements(tokens));
        for (name, config) in [("full", Config::FULL), ("snowball", Config::SNOWBALL)] {
            let analyzer = Analyzer::new(lang, config);
            analyzer.analyze(&text); // Warm: word forms repeat, and the cache is the point.
            group.bench_function(format!("{lang} {name} ({tokens} tokens)"), |b| {
                b.iter(|| black_box(analyzer.analyze(&text).len()))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

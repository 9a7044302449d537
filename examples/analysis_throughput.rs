//! Analysis throughput of the full pipeline on one core over a text file, cold and warm
//! (word forms repeat, and the per-thread word cache is the point).
//!
//! `cargo run --release --example analysis_throughput -- FILE [fi|sv]`

use std::time::Instant;

use innohaku::analysis::{Analyzer, Config, words};
use innohaku::schema::Language;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let text = std::fs::read_to_string(args.first().expect("a text file")).expect("readable");
    let lang: Language = args
        .get(1)
        .map_or(Language::Fi, |l| l.parse().expect("fi, sv or en"));
    let tokens = words(&text).len();
    for (name, config) in [("full", Config::FULL), ("snowball", Config::SNOWBALL)] {
        let analyzer = Analyzer::new(lang, config);
        for pass in ["cold", "warm"] {
            let t = Instant::now();
            let n = analyzer.analyze(&text).len();
            let secs = t.elapsed().as_secs_f64();
            println!(
                "{name} {pass}: {tokens} words -> {n} terms in {secs:.3} s = {:.2} M words/s",
                tokens as f64 / secs / 1e6
            );
        }
    }
}

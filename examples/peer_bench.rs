//! Innohaku on the peers' benchmark corpus (`../shared/peers/gen_corpus.py`), measured the way
//! `LuceneBench.java` and `tantivy_bench.py` measure, so the figures sit side by side:
//! index rate, then per-query latency p50/p90/p99, warm, one thread.
//!
//! `cargo run --release --example peer_bench -- DOCS.ndjson QUERIES.txt REPS INDEX_DIR`
//!
//! Rows: `top10` is the top ten hits with the total count (Innohaku always counts), with
//! the peers' OR semantics (`a OR b`) and with Innohaku's default AND; `full` adds facet
//! counts, snippets and the stored documents, as `/v1/search` returns them; `suggest` is
//! autocomplete on the first word's first four letters.

use std::io::BufRead;
use std::time::Instant;

use innohaku::index::{Catalog, SearchIndex};
use innohaku::schema::Document;
use innohaku::search::{Matching, SearchRequest, collect, search, suggest};
use serde_json::{Value, json};

// The server's allocator, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [docs, queries, reps, dir] = args.as_slice() else {
        eprintln!("usage: peer_bench DOCS.ndjson QUERIES.txt REPS INDEX_DIR");
        std::process::exit(2);
    };
    let reps: usize = reps.parse().expect("REPS is a number");
    // PEER_BENCH_REUSE=1 measures queries on an index built by an earlier run.
    let reuse = std::env::var_os("PEER_BENCH_REUSE").is_some();
    if !reuse {
        let _ = std::fs::remove_dir_all(dir);
    }
    let file =
        std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(docs).expect("docs file"));
    let documents = file.lines().map(|line| {
        let v: Value = serde_json::from_str(&line.expect("a line")).expect("JSON");
        let body = v["body"].as_str().unwrap_or_default().trim_start();
        // The first 25 words are the summary, the rest how it works.
        let split = body.split_whitespace().nth(24).map_or(body.len(), |w| {
            w.as_ptr() as usize - body.as_ptr() as usize + w.len()
        });
        let (summary, how) = body.split_at(split);
        Document::from_value(json!({
            "kind": "practice", "id": v["id"], "title": v["title"], "language": "fi",
            "summary": summary, "how_it_works": how.trim_start(),
            "phase": "ready", "themes": ["primary_care"], "regions": ["pirkanmaa"],
            "created_at": "2024-01-01", "updated_at": "2024-01-01",
        }))
        .map_err(|e| e.to_string())
    });
    let started = Instant::now();
    let catalog = Catalog::new(dir);
    let index = if reuse {
        let index = SearchIndex::open_current(&catalog, std::path::Path::new(dir))
            .expect("an earlier index");
        // As the server does when it opens an index: the first full search would build them.
        index.warm().expect("facet sets built");
        index
    } else {
        SearchIndex::build(&catalog, documents, |_| {}).expect("index built")
    };
    let n = index.num_docs();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "innohaku index: {n} docs in {secs:.2} s = {:.0} docs/s, Voikko {}",
        n as f64 / secs,
        if innohaku::analysis::voikko::active() {
            "on"
        } else {
            "off"
        }
    );
    let queries: Vec<String> = std::fs::read_to_string(queries)
        .expect("queries file")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    let request = |q: String| SearchRequest {
        q,
        limit: 10,
        prefix: false,
        ..SearchRequest::default()
    };
    let or_queries: Vec<SearchRequest> = queries
        .iter()
        .map(|q| request(q.split_whitespace().collect::<Vec<_>>().join(" OR ")))
        .collect();
    let and_queries: Vec<SearchRequest> = queries
        .iter()
        .map(|q| SearchRequest {
            matching: Matching::All,
            ..request(q.clone())
        })
        .collect();
    // The search box's default: every word, relaxed when that finds less than a page.
    let default_queries: Vec<SearchRequest> = queries.iter().map(|q| request(q.clone())).collect();
    let suggest_prefixes: Vec<String> = queries
        .iter()
        .map(|q| {
            q.split_whitespace()
                .next()
                .unwrap_or_default()
                .chars()
                .take(4)
                .collect()
        })
        .collect();
    // Warm up as the peers do: three passes.
    for _ in 0..3 {
        for q in &or_queries {
            collect(&index, q, false).expect("search");
        }
    }
    // PEER_BENCH_ROWS=or,and,full,suggest measures only those rows (for profiling one).
    let rows = std::env::var("PEER_BENCH_ROWS").unwrap_or_default();
    let measure = |row: &str, name: &str, f: &dyn Fn(usize)| {
        if !rows.is_empty() && !rows.split(',').any(|r| r == row) {
            return;
        }
        // One pass of the row's own work first, as the peers warm up with what they measure:
        // the OR passes above do not read the stored documents a full search shows.
        (0..queries.len()).for_each(f);
        let mut times = Vec::with_capacity(queries.len() * reps);
        for _ in 0..reps {
            for i in 0..queries.len() {
                let t = Instant::now();
                f(i);
                times.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
        times.sort_by(f64::total_cmp);
        let at = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        println!(
            "innohaku {name} {n} docs: p50 {:.1} us  p90 {:.1} us  p99 {:.1} us  mean {mean:.1} us",
            at(50),
            at(90),
            at(99)
        );
    };
    measure("or", "top10+count (OR)", &|i| {
        drop(collect(&index, &or_queries[i], false).expect("search"))
    });
    measure("and", "top10+count (AND)", &|i| {
        drop(collect(&index, &and_queries[i], false).expect("search"))
    });
    measure("full", "full search (default, match=most)", &|i| {
        drop(search(&index, &default_queries[i]).expect("search"))
    });
    measure("suggest", "suggest", &|i| {
        drop(suggest(&index, &suggest_prefixes[i], 5).expect("suggest"))
    });
    // PEER_BENCH_PER_QUERY=1 prints each query's full search: the median of five, warm, with
    // what it had to do and what it found (`Q index µs shape total query`), to see which
    // queries make the row's percentiles.
    if std::env::var_os("PEER_BENCH_PER_QUERY").is_some() {
        for (i, q) in default_queries.iter().enumerate() {
            let mut ts = Vec::new();
            let mut shape = "";
            let mut total = 0;
            for _ in 0..5 {
                let t = Instant::now();
                let (r, s) = innohaku::search::search_shaped(&index, q).expect("search");
                ts.push(t.elapsed().as_secs_f64() * 1e6);
                shape = s.name();
                total = r.total;
            }
            ts.sort_by(f64::total_cmp);
            println!("Q {i}\t{:.0}\t{shape}\t{total}\t{}", ts[2], q.q);
        }
    }
    if let Some(rss) = peak_rss_mb() {
        println!("innohaku peak RSS: {rss:.0} MB");
    }
}

/// Peak resident memory of this process, from /proc.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

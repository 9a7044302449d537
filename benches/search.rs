//! Query latency by query shape over a synthetic corpus in the sample corpus' style.
//!
//! `cargo bench --bench search` (10,000 documents); set `INNOHAKU_BENCH_DOCS=100000` for the
//! large corpus. Building the corpus's index is measured too, once, and printed. With
//! `INNOHAKU_BENCH_INDEX=DIR` the index is kept in DIR and reused by later runs of the same
//! size, for profiling.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use innohaku::index::{Catalog, FacetField, SearchIndex};
use innohaku::ingest::synthetic::Generator;
use innohaku::recommend::{Options, Page, Profile, recommend};
use innohaku::schema::{Document, Language};
use innohaku::search::{SearchRequest, collect, search, suggest};

#[path = "../tests/it/checkout.rs"]
mod checkout;

fn sample_documents() -> Vec<Document> {
    let sample_dir = checkout::project_dir().join("data/sample");
    innohaku::cli::read_documents(&innohaku::service::ndjson_files(&sample_dir).expect("sample"))
        .expect("sample corpus")
}

fn corpus_index(dir: &Path, docs: usize) -> SearchIndex {
    let sample = sample_documents();
    let mut generator = Generator::new(&sample, 42);
    let documents =
        (0..docs).map(|n| Document::from_value(generator.document(n)).map_err(|e| e.to_string()));
    let started = Instant::now();
    let index = SearchIndex::build(&Catalog::new(dir), documents, |_| {}).expect("index");
    eprintln!(
        "indexed {docs} synthetic documents in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    index
}

fn bench(c: &mut Criterion) {
    let docs: usize = std::env::var("INNOHAKU_BENCH_DOCS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let temp = tempfile::tempdir().expect("temp dir");
    let index = match std::env::var_os("INNOHAKU_BENCH_INDEX") {
        Some(dir) => {
            let dir = Path::new(&dir).join(docs.to_string());
            match SearchIndex::open_current(&Catalog::new(&dir), &dir) {
                Ok(index) if index.num_docs() == docs as u64 => index,
                _ => corpus_index(&dir, docs),
            }
        }
        None => corpus_index(temp.path(), docs),
    };
    let facets = vec![
        (FacetField::Kind, vec!["practice".to_owned()]),
        (
            FacetField::Region,
            vec![
                "pirkanmaa".to_owned(),
                "lappi".to_owned(),
                "helsinki".to_owned(),
            ],
        ),
    ];
    let shapes: Vec<(&str, &str, bool)> = vec![
        ("one word", "kotihoito", false),
        ("three words", "ikääntyneiden kotihoidon tuki", false),
        ("phrase", "\"sosiaali- ja terveyspalvelut\"", false),
        ("prefix", "lastensuoj", true),
        ("typo", "mielenterveyspalvlut", false),
        ("swedish", "familjecentralen", false),
    ];
    let mut group = c.benchmark_group(format!("search {docs} docs"));
    for (name, q, prefix) in &shapes {
        let plain = SearchRequest {
            q: (*q).into(),
            prefix: *prefix,
            ..SearchRequest::default()
        };
        group.bench_function(format!("{name}: top 10"), |b| {
            b.iter(|| black_box(collect(&index, &plain, false).unwrap().total))
        });
        let filtered = SearchRequest {
            selection: facets.clone(),
            ..plain.clone()
        };
        group.bench_function(format!("{name}: full, with facet filters"), |b| {
            b.iter(|| black_box(search(&index, &filtered).unwrap().total))
        });
        // The search page passes its language: documents in it rank first.
        let preferring = SearchRequest {
            prefer: Some(Language::Sv),
            ..filtered.clone()
        };
        group.bench_function(format!("{name}: full, with facet filters, lang=sv"), |b| {
            b.iter(|| black_box(search(&index, &preferring).unwrap().total))
        });
    }
    // The requests of `scripts/load.sh`, in-process: what one HTTP request costs beyond HTTP.
    let mix = load_mix();
    group.throughput(criterion::Throughput::Elements(mix.len() as u64));
    group.bench_function("load script's mix, full searches", |b| {
        b.iter(|| {
            for req in &mix {
                black_box(search(&index, req).unwrap().total);
            }
        })
    });
    group.throughput(criterion::Throughput::Elements(1));
    group.bench_function("suggest", |b| {
        b.iter(|| black_box(suggest(&index, "perhek", 5).unwrap().terms.len()))
    });
    // Recommendations for indexed documents (the first ones generated, as the index has
    // them) and for a page outside the index.
    let mut generator = Generator::new(&sample_documents(), 42);
    let sources: Vec<Document> = (0..3)
        .map(|n| Document::from_value(generator.document(n)).expect("valid"))
        .collect();
    let options = Options::default();
    group.bench_function("similar: document (3 sources)", |b| {
        b.iter(|| {
            for doc in &sources {
                black_box(recommend(&index, &Profile::of_document(doc), &options).unwrap());
            }
        })
    });
    let page = Page {
        text: "Perhekeskuksessa lapsiperheet saavat neuvolan, perhetyön ja kasvatus- ja \
               perheneuvonnan tuen samasta paikasta ilman ajanvarausta."
            .into(),
        ..Page::default()
    };
    group.bench_function("similar: free text", |b| {
        b.iter(|| black_box(recommend(&index, &Profile::of_page(&page), &options).unwrap()))
    });
    group.finish();
}

/// The queries and filters `scripts/load.sh` sends, in the same rotation.
fn load_mix() -> Vec<SearchRequest> {
    let queries = [
        "kotihoito",
        "ikääntyneiden kotihoito",
        "mielenterveyspalvelut",
        "lastensuojelu",
        "perhekeskus",
        "omaishoitajien tuki",
        "\"sosiaali- ja terveyspalvelut\"",
        "etävastaanotto",
        "äldreomsorg",
        "familjecentral",
        "nuorten mielenterveys",
        "päihdetyö",
        "kuntoutus",
        "lastensuoj",
        "mielenterveyspalvlut",
        "työllisyyspalvelut",
        "asiakasosallisuus",
        "vammaispalvelut",
    ];
    let values = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let filters = [
        vec![],
        vec![(FacetField::Kind, values(&["practice"]))],
        vec![(FacetField::Region, values(&["pirkanmaa"]))],
        vec![
            (FacetField::Theme, values(&["social_work"])),
            (FacetField::Region, values(&["lappi", "kainuu"])),
        ],
    ];
    (0..queries.len() * filters.len())
        .map(|i| SearchRequest {
            q: queries[(i + 1) % queries.len()].to_owned(),
            selection: filters[(i + 1) % filters.len()].clone(),
            ..SearchRequest::default()
        })
        .collect()
}

/// The sample corpus as `innohaku serve` loads it: store + index build, and a few queries.
fn bench_sample(c: &mut Criterion) {
    let seed = checkout::project_dir().join("data/sample");
    let open = |dir: &Path| {
        innohaku::service::Service::open(
            innohaku::service::Paths {
                data_dir: dir.to_owned(),
            },
            Some(&seed),
        )
        .expect("sample service")
    };
    let mut group = c.benchmark_group("sample corpus");
    group.sample_size(10);
    group.bench_function("load store and build index", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().expect("temp dir"),
            |dir| black_box(open(dir.path()).index().num_docs()),
        )
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let service = open(dir.path());
    group.sample_size(100);
    for q in [
        "ikääntyneiden kotihoito",
        "lastensuojelu",
        "mielenterveyspalvelut",
        "familjecentral",
    ] {
        let req = SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        };
        group.bench_function(format!("search {q}"), |b| {
            b.iter(|| black_box(service.search(&req).unwrap().total))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_sample, bench);
criterion_main!(benches);

//! Search latency over the sample corpus, by query shape, and the time to build its index.
//!
//! `cargo bench --bench search`

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use innohaku::index::FacetField;
use innohaku::search::{SearchRequest, Selection, search};
use innohaku::service::{Paths, Service};

fn sample_service(dir: &Path) -> Service {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    Service::open(
        Paths {
            data_dir: dir.to_owned(),
        },
        Some(&seed),
    )
    .expect("sample service")
}

fn bench_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.bench_function("sample corpus: store + index", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().unwrap(),
            |dir| black_box(sample_service(dir.path()).index().num_docs()),
        )
    });
    group.finish();
}

fn bench_queries(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let service = sample_service(dir.path());
    let index = service.index();
    let shapes: [(&str, &str, Selection); 5] = [
        ("one word", "kotihoito", vec![]),
        (
            "three words",
            "ikääntyneiden kotihoidon etävastaanotto",
            vec![],
        ),
        ("phrase", "\"sosiaali- ja terveyspalvelut\"", vec![]),
        ("swedish", "familjecentralen", vec![]),
        (
            "word + filters",
            "palvelut",
            vec![
                (FacetField::Kind, vec!["practice".into()]),
                (FacetField::Region, vec!["pirkanmaa".into(), "lappi".into()]),
            ],
        ),
    ];
    let mut group = c.benchmark_group("search sample");
    for (name, q, selection) in shapes {
        let req = SearchRequest {
            q: q.into(),
            selection,
            ..SearchRequest::default()
        };
        group.bench_function(name, |b| {
            b.iter(|| black_box(search(&index, &req).unwrap().total))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_build, bench_queries);
criterion_main!(benches);

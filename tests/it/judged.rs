//! The judged evaluations (`eval/search/`, `eval/recommend/`): queries written as users type
//! them, or recommendation sources with a need, graded documents, and the measures. Shared by
//! `examples/search_eval.rs` and `examples/recommend_eval.rs`, which print the tables, and
//! the tests that hold search and recommendations to the figures reported
//! (`tests/it/quality.rs`).

use std::collections::HashMap;
use std::path::Path;

/// One query of `eval/search/queries.tsv`.
#[derive(Debug, Clone)]
pub struct Query {
    /// `q001`…
    pub id: String,
    /// Language of the query: fi, sv or en.
    pub lang: String,
    /// What kind of query it is: word, inflected, derived, compound, phrase, question, typo,
    /// swedish, english, absent.
    pub shape: String,
    /// The query as typed.
    pub text: String,
    /// What the person wants, as the judges read it.
    pub need: String,
}

impl Query {
    /// Odd ids tune (the dev half), even ids are held out (the test half).
    pub fn is_dev(&self) -> bool {
        self.id[1..].parse::<u32>().is_ok_and(|n| n % 2 == 1)
    }
}

/// The figures an evaluation reported (`reported.tsv`: `name<TAB>value` lines), which the
/// tests hold the service to.
pub fn reported(dir: &Path) -> HashMap<String, f64> {
    data_lines(&dir.join("reported.tsv"))
        .into_iter()
        .map(|c| {
            assert!(c.len() == 2, "reported.tsv: expected name<TAB>value: {c:?}");
            (c[0].clone(), c[1].trim().parse().expect("a number"))
        })
        .collect()
}

/// One source of `eval/recommend/sources.tsv`: a document someone is reading, whose
/// recommendations are judged against what they would want to see next.
#[derive(Debug, Clone)]
pub struct Source {
    /// `r001`…
    pub id: String,
    /// The document's id.
    pub doc: String,
}

impl Source {
    /// Odd ids tune, even ids are held out.
    pub fn is_tune(&self) -> bool {
        self.id[1..].parse::<u32>().is_ok_and(|n| n % 2 == 1)
    }
}

/// The recommendation sources, in order.
pub fn sources(dir: &Path) -> Vec<Source> {
    data_lines(&dir.join("sources.tsv"))
        .into_iter()
        .map(|c| {
            assert!(c.len() == 5, "sources.tsv: expected 5 columns: {c:?}");
            Source {
                id: c[0].clone(),
                doc: c[1].clone(),
            }
        })
        .collect()
}

/// Recall at five: the relevant documents (grade 1 or 2) among the first five, of all the
/// relevant documents judged; `None` when nothing is relevant.
pub fn recall5(ranked: &[String], grades: Option<&HashMap<String, u8>>) -> Option<f64> {
    let grades = grades?;
    let relevant = grades.values().filter(|&&g| g > 0).count();
    (relevant > 0).then(|| {
        let found = ranked
            .iter()
            .take(5)
            .filter(|id| grades.get(*id).is_some_and(|&g| g > 0))
            .count();
        found as f64 / relevant as f64
    })
}

/// Grades per query and document: 0 not relevant, 1 relevant, 2 highly relevant.
pub type Grades = HashMap<String, HashMap<String, u8>>;

fn data_lines(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

/// The queries, in order.
pub fn queries(dir: &Path) -> Vec<Query> {
    data_lines(&dir.join("queries.tsv"))
        .into_iter()
        .map(|c| {
            assert!(c.len() == 5, "queries.tsv: expected 5 columns: {c:?}");
            Query {
                id: c[0].clone(),
                lang: c[1].clone(),
                shape: c[2].clone(),
                text: c[3].clone(),
                need: c[4].clone(),
            }
        })
        .collect()
}

/// The grades of `judgments.tsv` (query id, document id, grade, and who judged).
pub fn grades(dir: &Path) -> Grades {
    let mut out: Grades = HashMap::new();
    let path = dir.join("judgments.tsv");
    if !path.exists() {
        return out;
    }
    for c in data_lines(&path) {
        assert!(
            c.len() >= 3,
            "judgments.tsv: expected query, document, grade: {c:?}"
        );
        let grade: u8 = c[2].parse().expect("a grade 0, 1 or 2");
        assert!(grade <= 2, "judgments.tsv: grade {grade}");
        out.entry(c[0].clone())
            .or_default()
            .insert(c[1].clone(), grade);
    }
    out
}

/// The measures of one ranked list against a query's grades.
#[derive(Debug, Clone, Copy, Default)]
pub struct Measures {
    /// nDCG at 10 with graded gains; `None` when nothing is relevant to the query.
    pub ndcg: Option<f64>,
    /// Share of the first five that are relevant (grade 1 or 2); `None` as above.
    pub p5: Option<f64>,
    /// Whether the list is empty.
    pub empty: bool,
    /// Documents among the first ten that nobody judged.
    pub unjudged: usize,
}

/// Measures `ranked` (document ids, best first) against `grades` of one query.
pub fn measure(ranked: &[String], grades: Option<&HashMap<String, u8>>) -> Measures {
    let empty_grades = HashMap::new();
    let grades = grades.unwrap_or(&empty_grades);
    let gain = |id: &String| f64::from(grades.get(id).copied().unwrap_or(0));
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, id)| gain(id) / (i as f64 + 2.0).log2())
        .sum();
    let mut ideal: Vec<f64> = grades.values().map(|&g| f64::from(g)).collect();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, g)| g / (i as f64 + 2.0).log2())
        .sum();
    let relevant = idcg > 0.0;
    let p5 = ranked.iter().take(5).filter(|id| gain(id) > 0.0).count() as f64 / 5.0;
    Measures {
        ndcg: relevant.then_some(dcg / idcg),
        p5: relevant.then_some(p5),
        empty: ranked.is_empty(),
        unjudged: ranked
            .iter()
            .take(10)
            .filter(|id| !grades.contains_key(*id))
            .count(),
    }
}

/// Averages over many queries.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    /// Mean nDCG@10 over the queries with something relevant.
    pub ndcg: f64,
    /// Mean P@5 over the same.
    pub p5: f64,
    /// Share of all queries that found nothing.
    pub zero: f64,
    /// Queries that found nothing though something relevant exists.
    pub dead_ends: usize,
    /// Unjudged documents in the first ten, over all queries.
    pub unjudged: usize,
}

/// Averages `measures`.
pub fn summarise(measures: &[Measures]) -> Summary {
    let judged: Vec<&Measures> = measures.iter().filter(|m| m.ndcg.is_some()).collect();
    let mean = |f: &dyn Fn(&Measures) -> f64| {
        judged.iter().map(|m| f(m)).sum::<f64>() / judged.len().max(1) as f64
    };
    Summary {
        ndcg: mean(&|m| m.ndcg.unwrap_or(0.0)),
        p5: mean(&|m| m.p5.unwrap_or(0.0)),
        zero: measures.iter().filter(|m| m.empty).count() as f64 / measures.len().max(1) as f64,
        dead_ends: judged.iter().filter(|m| m.empty).count(),
        unjudged: measures.iter().map(|m| m.unjudged).sum(),
    }
}

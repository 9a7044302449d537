//! The search box's quality, held to the figures reported for it: the judged queries of
//! `eval/search/` over the sample catalogue, through the HTTP API as the page asks. The
//! figures are in `eval/search/reported.tsv`, from `cargo run --release --example
//! search_eval` (all queries, the default strategy).

use crate::checkout::project_dir;
use crate::judged::{self, measure, summarise};
use crate::support::{hit_ids, sample};

/// How far nDCG@10 may fall below the figure reported before this test fails.
const NDCG_SLACK: f64 = 0.02;

#[test]
fn the_judged_queries_do_as_well_as_reported() {
    let dir = project_dir().join("eval/search");
    let reported = judged::reported(&dir);
    let grades = judged::grades(&dir);
    let measures: Vec<_> = judged::queries(&dir)
        .iter()
        .map(|q| {
            let r = sample().search(&[
                ("q", q.text.as_str()),
                ("prefix", "false"),
                ("facet_limit", "0"),
            ]);
            measure(&hit_ids(&r), grades.get(&q.id))
        })
        .collect();
    let found = summarise(&measures);
    eprintln!(
        "nDCG@10 {:.3}, zero results {:.3} (reported {:?})",
        found.ndcg, found.zero, reported
    );
    assert!(
        found.ndcg >= reported["ndcg10"] - NDCG_SLACK,
        "nDCG@10 {:.3} fell below the reported {:.3}",
        found.ndcg,
        reported["ndcg10"]
    );
    assert!(
        found.zero <= reported["zero_results"] + 1e-9,
        "zero results {:.3} rose above the reported {:.3}",
        found.zero,
        reported["zero_results"]
    );
}

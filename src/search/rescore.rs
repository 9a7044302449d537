//! Re-ranking the best hits by what is too costly to score for every match: how close the
//! query's words stand (Elasticsearch's rescoring, in its simplest form).
//!
//! Checking word positions for every document that has all the words measured half of a
//! two-word search; checking them for the best [`WINDOW`] hits costs a seek per hit and
//! phrase. Only the window moves: the boost only adds, so a rescored hit never falls below
//! one that was not rescored, and the order is the same for every page of the same query.

use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocSet, Score, Searcher, SeekDangerResult};

use super::collector::Ranked;

/// How many of the best hits are re-ranked.
pub const WINDOW: usize = 100;

/// Adds the boosted scores of the `alternatives` each of the first [`WINDOW`] of `top` (best
/// first) matches, and sorts them again.
pub fn rescore(
    searcher: &Searcher,
    alternatives: &[(Box<dyn Query>, Score)],
    top: &mut [Ranked],
) -> tantivy::Result<()> {
    let window = top.len().min(WINDOW);
    let top = &mut top[..window];
    // Segment by segment, each segment's documents in order: a scorer only moves forward.
    let mut order: Vec<(DocAddress, usize)> = top.iter().map(|r| r.address).zip(0..).collect();
    order.sort_unstable();
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    for (query, boost) in alternatives {
        let weight = query.weight(scoring)?;
        for hits in order.chunk_by(|a, b| a.0.segment_ord == b.0.segment_ord) {
            let first = hits[0].0;
            let reader = searcher.segment_reader(first.segment_ord);
            // Asked whether each hit matches, not for the next match after it: a phrase
            // scorer would otherwise check positions in every document in between.
            let (mut found, mut scorer) = weight.scorer_danger(reader, first.doc_id, *boost)?;
            for (n, &(address, hit)) in hits.iter().enumerate() {
                if n > 0 {
                    found = scorer.seek_danger(address.doc_id);
                }
                if found == SeekDangerResult::Found {
                    top[hit].score += scorer.score();
                }
            }
        }
    }
    top.sort_by(|a, b| b.cmp(a));
    Ok(())
}

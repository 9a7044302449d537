//! Re-ranking the best hits by what is too costly to score for every match: how close the
//! query's words stand, and whether the query is a phrase of a title (Elasticsearch's
//! rescoring, in its simplest form).
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
/// first) matches, puts those matching any of `titles` (the query as a phrase of a title)
/// before the others, and sorts them again.
pub fn rescore(
    searcher: &Searcher,
    alternatives: &[(Box<dyn Query>, Score)],
    titles: &[Box<dyn Query>],
    top: &mut [Ranked],
) -> tantivy::Result<()> {
    let window = top.len().min(WINDOW);
    let top = &mut top[..window];
    let addresses: Vec<DocAddress> = top.iter().map(|r| r.address).collect();
    for (query, boost) in alternatives {
        each_match(
            searcher,
            query.as_ref(),
            *boost,
            &addresses,
            |hit, score| top[hit].score += score,
        )?;
    }
    for query in titles {
        each_match(searcher, query.as_ref(), 1.0, &addresses, |hit, _| {
            top[hit].promote()
        })?;
    }
    top.sort_by(|a, b| b.cmp(a));
    Ok(())
}

/// Which of `queries` each of `addresses` matches: one row per address, one flag per query.
///
/// The queries are unions (a word's alternatives), sought with `seek`: a union's
/// `seek_danger` may leave a phrase among its alternatives past the next hit, which the
/// phrase scorer does not allow.
pub fn matching(
    searcher: &Searcher,
    queries: &[Box<dyn Query>],
    addresses: &[DocAddress],
) -> tantivy::Result<Vec<Vec<bool>>> {
    let mut rows = vec![vec![false; queries.len()]; addresses.len()];
    let mut order: Vec<(DocAddress, usize)> = addresses.iter().copied().zip(0..).collect();
    order.sort_unstable();
    let scoring = EnableScoring::disabled_from_searcher(searcher);
    for (q, query) in queries.iter().enumerate() {
        let weight = query.weight(scoring)?;
        for hits in order.chunk_by(|a, b| a.0.segment_ord == b.0.segment_ord) {
            let reader = searcher.segment_reader(hits[0].0.segment_ord);
            let mut scorer = weight.scorer(reader, 1.0)?;
            for &(address, hit) in hits {
                if scorer.doc() < address.doc_id {
                    scorer.seek(address.doc_id);
                }
                rows[hit][q] = scorer.doc() == address.doc_id;
            }
        }
    }
    Ok(rows)
}

/// Calls `found` with the position in `addresses` and the boosted score of each address that
/// `query` matches.
fn each_match(
    searcher: &Searcher,
    query: &dyn Query,
    boost: Score,
    addresses: &[DocAddress],
    mut found: impl FnMut(usize, Score),
) -> tantivy::Result<()> {
    // Segment by segment, each segment's documents in order: a scorer only moves forward.
    let mut order: Vec<(DocAddress, usize)> = addresses.iter().copied().zip(0..).collect();
    order.sort_unstable();
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    for hits in order.chunk_by(|a, b| a.0.segment_ord == b.0.segment_ord) {
        let first = hits[0].0;
        let reader = searcher.segment_reader(first.segment_ord);
        // Asked whether each hit matches, not for the next match after it: a phrase scorer
        // would otherwise check positions in every document in between.
        let (mut at, mut scorer) = weight.scorer_danger(reader, first.doc_id, boost)?;
        for (n, &(address, hit)) in hits.iter().enumerate() {
            if n > 0 {
                // Nothing matches below a lower bound the last seek returned: a hit there is
                // passed over (a phrase scorer may already stand past it, and must not be
                // sought backwards).
                if let SeekDangerResult::SeekLowerBound(bound) = at
                    && address.doc_id < bound
                {
                    continue;
                }
                at = scorer.seek_danger(address.doc_id);
            }
            if at == SeekDangerResult::Found {
                found(hit, scorer.score());
            }
        }
    }
    Ok(())
}

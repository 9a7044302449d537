//! How much a term says about what a document is for: whether its documents gather in a
//! few themes, or spread over all of them like the words every sote text uses
//! ("käyttöönotto", "toimintamalli", "hyvinvointialue", a region's name).
//!
//! Learnt from the index, not from a list: a term's documents are counted per theme (a
//! document once for each of its themes) and the spread compared with that of all documents.
//! A term spread like the whole catalogue is boilerplate, whatever its document frequency; a
//! term concentrated in a few themes names a need, a target group or a method.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Searcher, TERMINATED, Term};

use crate::index::{Bits, FacetField, SegmentFacets, TextFields};
use crate::search::SearchError;

/// Documents read per term, segment and field: enough to see how a term spreads, and a
/// bound on the cost of the commonest terms of a large index.
const SAMPLE: usize = 4096;
/// Pseudo-counts, in documents, of the catalogue's own spread added to a term's: a term of two
/// documents has not shown that it is concentrated.
const PRIOR: f64 = 3.0;

/// The catalogue's spread over themes, to compare terms with.
pub struct ThemeSpread<'a> {
    searcher: &'a Searcher,
    sets: &'a [Arc<SegmentFacets>],
    /// Each theme's share of all (document, theme) pairs.
    background: HashMap<String, f64>,
    /// Average number of themes of a document.
    themes_per_doc: f64,
    /// The entropy of `background`.
    entropy: f64,
}

impl<'a> ThemeSpread<'a> {
    /// The spread of every document of `searcher`; `sets` are its segments' facet sets.
    pub fn new(searcher: &'a Searcher, sets: &'a [Arc<SegmentFacets>]) -> ThemeSpread<'a> {
        let mut counts: HashMap<String, f64> = HashMap::new();
        let mut docs = 0u64;
        for (reader, segment) in searcher.segment_readers().iter().zip(sets) {
            let max_doc = segment.max_doc();
            let mut all = Bits::new(max_doc);
            for doc in 0..max_doc {
                if !reader.is_deleted(doc) {
                    all.insert(doc);
                    docs += 1;
                }
            }
            add_counts(&mut counts, segment, &all);
        }
        let pairs: f64 = counts.values().sum();
        let background: HashMap<String, f64> = counts
            .into_iter()
            .map(|(theme, n)| (theme, n / pairs.max(1.0)))
            .collect();
        ThemeSpread {
            searcher,
            sets,
            entropy: entropy(background.values().copied()),
            themes_per_doc: pairs / (docs.max(1) as f64),
            background,
        }
    }

    /// 1 for a term whose documents all have one theme, 0 for a term spread over the themes
    /// as the catalogue is (or more evenly). `fields` are the term's language's.
    pub fn concentration(&self, fields: &TextFields, term: &str) -> Result<f32, SearchError> {
        if self.entropy <= 0.0 {
            return Ok(1.0); // One theme or none: nothing to tell terms apart by.
        }
        let mut counts: HashMap<String, f64> = HashMap::new();
        for (reader, segment) in self.searcher.segment_readers().iter().zip(self.sets) {
            let mut docs = Bits::new(segment.max_doc());
            let mut any = false;
            for field in [fields.title, fields.summary, fields.body] {
                let inverted = reader.inverted_index(field)?;
                let Some(mut postings) = inverted
                    .read_postings(
                        &Term::from_field_text(field, term),
                        IndexRecordOption::Basic,
                    )
                    .map_err(tantivy::TantivyError::from)?
                else {
                    continue;
                };
                let mut read = 0;
                while postings.doc() != TERMINATED && read < SAMPLE {
                    if !reader.is_deleted(postings.doc()) {
                        docs.insert(postings.doc());
                        any = true;
                    }
                    postings.advance();
                    read += 1;
                }
            }
            if any {
                add_counts(&mut counts, segment, &docs);
            }
        }
        let prior = PRIOR * self.themes_per_doc;
        let total: f64 = counts.values().sum::<f64>() + prior;
        let smoothed = self.background.iter().map(|(theme, share)| {
            (counts.get(theme).copied().unwrap_or(0.0) + prior * share) / total
        });
        Ok((1.0 - entropy(smoothed) / self.entropy).clamp(0.0, 1.0) as f32)
    }
}

/// Adds how many of `docs` each theme of `segment` has.
fn add_counts(counts: &mut HashMap<String, f64>, segment: &SegmentFacets, docs: &Bits) {
    let themes = segment.facet(FacetField::Theme);
    let found = themes.counts(docs, &docs.occupied());
    for (theme, n) in themes.values().iter().zip(found) {
        *counts.entry(theme.clone()).or_default() += n as f64;
    }
}

/// The entropy of a distribution (in nats).
fn entropy(shares: impl Iterator<Item = f64>) -> f64 {
    shares.filter(|&p| p > 0.0).map(|p| -p * p.ln()).sum()
}

#[cfg(test)]
mod tests {
    use super::entropy;

    #[test]
    fn entropy_is_largest_for_an_even_spread() {
        let even = entropy([0.25; 4].into_iter());
        assert!((even - 4f64.ln()).abs() < 1e-12);
        assert!(entropy([0.7, 0.1, 0.1, 0.1].into_iter()) < even);
        assert_eq!(entropy([1.0, 0.0].into_iter()), 0.0);
    }
}

//! The documents of every facet value, per segment: what searches filter and count by.
//!
//! A search counts facets over every document it matches. Read value by value from fast
//! fields, that costs a column lookup per matching document and facet, which for a broad query
//! is most of its time. Instead each value's documents are kept as a set, built once per
//! segment from the inverted index, and a value's count is the size of its set's intersection
//! with the matches: the cost follows the number of values, not the number of matches. Dense
//! values are bitsets; sparse ones (most organisations) sorted lists, which cost four bytes a
//! document instead of a bit for every document of the segment.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Searcher, SegmentReader, TERMINATED};

use super::{FacetField, Fields};

/// A set of documents of one segment, one bit each.
#[derive(Debug, Clone)]
pub struct Bits(Vec<u64>);

impl Bits {
    /// An empty set for a segment of `max_doc` documents.
    pub fn new(max_doc: DocId) -> Bits {
        Bits(vec![0; (max_doc as usize).div_ceil(64)])
    }

    /// Adds a document.
    #[inline]
    pub fn insert(&mut self, doc: DocId) {
        self.0[doc as usize / 64] |= 1 << (doc % 64);
    }

    /// Whether a document is in the set.
    #[inline]
    pub fn contains(&self, doc: DocId) -> bool {
        self.0[doc as usize / 64] & (1 << (doc % 64)) != 0
    }

    /// Documents `64 * i .. 64 * i + 64`, one bit each.
    #[inline]
    pub fn word(&self, i: usize) -> u64 {
        self.0[i]
    }

    /// Adds documents given as a word (see [`Bits::word`]).
    #[inline]
    pub fn add_word(&mut self, i: usize, docs: u64) {
        self.0[i] |= docs;
    }

    /// Adds every document of `other`.
    pub fn union_with(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    /// The indices of the words holding any document: counting visits only those.
    pub fn occupied(&self) -> Vec<u32> {
        (0..self.0.len() as u32)
            .filter(|&w| self.0[w as usize] != 0)
            .collect()
    }
}

/// The documents of one facet value.
#[derive(Debug)]
enum Members {
    /// A bitset, for values many documents have.
    Dense(Bits),
    /// Sorted document ids, for values few documents have.
    Sparse(Vec<DocId>),
}

/// One facet's values in one segment, in term order, with their documents.
#[derive(Debug, Default)]
pub struct FacetValues {
    values: Vec<String>,
    members: Vec<Members>,
}

impl FacetValues {
    /// The values, in term order.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// The documents having any of `values`; values the segment lacks match nothing.
    pub fn any_of(&self, values: &[String], max_doc: DocId) -> Bits {
        let mut bits = Bits::new(max_doc);
        for value in values {
            let Ok(at) = self.values.binary_search(value) else {
                continue;
            };
            match &self.members[at] {
                Members::Dense(set) => bits.union_with(set),
                Members::Sparse(docs) => docs.iter().for_each(|&d| bits.insert(d)),
            }
        }
        bits
    }

    /// How many documents of `docs` each value has, in the order of [`FacetValues::values`].
    /// `occupied` are the non-empty words of `docs` ([`Bits::occupied`]).
    pub fn counts(&self, docs: &Bits, occupied: &[u32]) -> Vec<u64> {
        self.members
            .iter()
            .map(|members| match members {
                Members::Dense(set) => shared(docs, set, occupied),
                Members::Sparse(list) => list.iter().filter(|&&d| docs.contains(d)).count() as u64,
            })
            .collect()
    }
}

/// How many documents `a` and `b` share, visiting the words `occupied`.
fn shared(a: &Bits, b: &Bits, occupied: &[u32]) -> u64 {
    // Counting bits is most of counting facets. The baseline x86-64 target has no popcount
    // instruction, and its replacement takes a dozen: use the instruction where the CPU has it.
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU supports the feature the function is compiled for.
        return unsafe { shared_popcnt(a, b, occupied) };
    }
    shared_words(a, b, occupied)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn shared_popcnt(a: &Bits, b: &Bits, occupied: &[u32]) -> u64 {
    shared_words(a, b, occupied)
}

#[inline(always)]
fn shared_words(a: &Bits, b: &Bits, occupied: &[u32]) -> u64 {
    occupied
        .iter()
        .map(|&w| u64::from((a.0[w as usize] & b.0[w as usize]).count_ones()))
        .sum()
}

/// Every facet's values and their documents in one segment.
#[derive(Debug)]
pub struct SegmentFacets {
    max_doc: DocId,
    facets: Vec<FacetValues>,
}

impl SegmentFacets {
    /// Reads the sets from the segment's facet fields.
    fn build(fields: &Fields, reader: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let max_doc = reader.max_doc();
        // Below this many documents a list is smaller than a bitset (4 bytes a document
        // against one bit for each of `max_doc`).
        let dense_from = (max_doc as usize / 32).max(1);
        let mut facets = Vec::with_capacity(FacetField::ALL.len());
        for facet in FacetField::ALL {
            let inverted = reader.inverted_index(fields.facet(facet))?;
            let mut out = FacetValues::default();
            let mut terms = inverted.terms().stream()?;
            while terms.advance() {
                let value = String::from_utf8_lossy(terms.key()).into_owned();
                let mut postings = inverted
                    .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
                let mut docs = Vec::with_capacity(postings.doc_freq() as usize);
                while postings.doc() != TERMINATED {
                    docs.push(postings.doc());
                    postings.advance();
                }
                let members = if docs.len() >= dense_from {
                    let mut bits = Bits::new(max_doc);
                    docs.iter().for_each(|&d| bits.insert(d));
                    Members::Dense(bits)
                } else {
                    Members::Sparse(docs)
                };
                out.values.push(value);
                out.members.push(members);
            }
            facets.push(out);
        }
        Ok(SegmentFacets { max_doc, facets })
    }

    /// The segment's size in documents, deleted ones included.
    pub fn max_doc(&self) -> DocId {
        self.max_doc
    }

    /// The values of one facet.
    pub fn facet(&self, facet: FacetField) -> &FacetValues {
        let at = FacetField::ALL
            .iter()
            .position(|&f| f == facet)
            .expect("every facet is in ALL");
        &self.facets[at]
    }
}

/// Facet sets of the segments searched lately, by segment: a segment never changes once
/// written (deletes are applied by the searcher, not here), so its sets are built once.
#[derive(Default)]
pub struct FacetCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentFacets>>>,
}

impl FacetCache {
    /// The sets of every segment of `searcher`, by segment ordinal. Segments no longer
    /// searched are forgotten.
    pub fn for_searcher(
        &self,
        fields: &Fields,
        searcher: &Searcher,
    ) -> tantivy::Result<Vec<Arc<SegmentFacets>>> {
        let mut segments = self.segments.lock().expect("facet cache lock poisoned");
        let mut out = Vec::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            let id = reader.segment_id();
            let sets = match segments.get(&id) {
                Some(sets) => sets.clone(),
                None => {
                    let sets = Arc::new(SegmentFacets::build(fields, reader)?);
                    segments.insert(id, sets.clone());
                    sets
                }
            };
            out.push(sets);
        }
        if segments.len() > out.len() {
            let live: Vec<SegmentId> = searcher
                .segment_readers()
                .iter()
                .map(SegmentReader::segment_id)
                .collect();
            segments.retain(|id, _| live.contains(id));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(max_doc: DocId, docs: &[DocId]) -> Bits {
        let mut b = Bits::new(max_doc);
        docs.iter().for_each(|&d| b.insert(d));
        b
    }

    #[test]
    fn dense_and_sparse_values_count_and_filter_alike() {
        // Documents 0..200: `common` in every even one (a bitset), `rare` in three (a list).
        let evens: Vec<DocId> = (0..200).step_by(2).collect();
        let facet = FacetValues {
            values: vec!["common".into(), "rare".into()],
            members: vec![
                Members::Dense(bits(200, &evens)),
                Members::Sparse(vec![3, 64, 130]),
            ],
        };
        let matched = bits(200, &[0, 1, 3, 64, 65, 130, 199]);
        let counts = facet.counts(&matched, &matched.occupied());
        assert_eq!(counts, [3, 3], "common: 0, 64, 130; rare: 3, 64, 130");

        let passing = facet.any_of(&["rare".into(), "absent".into()], 200);
        let selected: Vec<DocId> = (0..200).filter(|&d| passing.contains(d)).collect();
        assert_eq!(selected, [3, 64, 130]);
        let both = facet.any_of(&["rare".into(), "common".into()], 200);
        assert!(both.contains(3) && both.contains(4) && !both.contains(5));
    }

    #[test]
    fn only_occupied_words_are_visited() {
        let docs = bits(1000, &[5, 700]);
        assert_eq!(docs.occupied(), [0, 10]);
        assert!(Bits::new(0).occupied().is_empty());
    }
}

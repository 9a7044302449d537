//! One pass over the matching documents that yields the top hits, the total and the facet
//! counts together.
//!
//! Facet filters are applied here, per document, rather than in the query, so that counts can
//! be *disjunctive*: a document that fails only the filter on facet F still counts towards F's
//! values. That is what faceted search users expect: selecting one region does not hide the
//! counts of the other regions. Filters and counts use each segment's facet sets
//! ([`SegmentFacets`]): the pass only marks which documents matched, and the counts are taken
//! from the marks at the end. A whole-query disjunction or conjunction hands its matches over
//! a window at a time ([`SearchCollector::collect_windows`]), and the marks are made 64
//! documents at once.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::fastfield::AliveBitSet;
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TantivyError};

use super::disjunction::{Window, Windows};
use crate::index::{Bits, FacetField, FacetTotals, Numbering, SegmentFacets};
use crate::schema::Language;

/// How much more a document in the preferred language scores ([`SearchCollector::prefer`]):
/// enough to rank it above a match about as good in another language, as a Swedish document
/// with *hemvård* in its title above Finnish ones reached through the synonym *kotihoito*,
/// not so much that it outranks a clearly better match.
pub const PREFERRED_LANGUAGE_BOOST: Score = 1.5;

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Best score first.
    Relevance,
    /// Most recently updated first; relevance breaks ties.
    Newest,
    /// By title in Finnish/Swedish alphabetical order (å, ä, ö after z), the whole title
    /// ([`crate::index::collation_key`]).
    Title,
}

/// Facet values selected by the user: values of one facet combine with OR, facets with AND.
pub type Selection = Vec<(FacetField, Vec<String>)>;

/// The collector: see the module documentation.
pub struct SearchCollector {
    /// How many hits to keep (offset + limit).
    pub top_n: usize,
    /// The ordering of hits.
    pub order: Order,
    /// Selected facet values.
    pub selection: Selection,
    /// Name of the fast field holding the update date (days since 1970).
    pub updated_field: &'static str,
    /// Name of the string fast field holding the title's collation key.
    pub title_field: &'static str,
    /// Documents in this language score [`PREFERRED_LANGUAGE_BOOST`] times more; needs the
    /// facet sets.
    pub prefer: Option<Language>,
    /// Facet sets of the searcher's segments, by segment ordinal; needed to filter or count.
    pub facets: Vec<Arc<SegmentFacets>>,
    /// When counting facets (suggestions and recommendations need only the top hits): the
    /// values of `facets` numbered together
    /// ([`crate::index::SearchIndex::facet_numbering`]), to add the segments' counts up.
    pub counting: Option<Arc<Numbering>>,
}

/// The result of a collection.
#[derive(Debug, Default)]
pub struct Collected {
    /// Documents that match the query and every filter.
    pub total: u64,
    /// Best hits first.
    pub top: Vec<Ranked>,
    /// Counts per facet value, when counting.
    pub facets: Option<FacetTotals>,
    /// A segment's counts, in the order of [`SegmentFacets::counts`], until merged.
    segment_counts: Option<(SegmentOrdinal, Vec<Vec<u64>>)>,
    /// By title: the collation key of each hit in `top`. Within a segment hits are ranked by
    /// the key's term ordinal; ordinals of different segments are not comparable, so the
    /// merge compares the keys.
    title_keys: HashMap<DocAddress, String>,
}

/// A hit with what it is ranked by.
#[derive(Debug, Clone, Copy)]
pub struct Ranked {
    /// What the order ranks by before the score (0 for relevance); greater is better.
    primary: u64,
    /// The relevance score.
    pub score: Score,
    /// Where the document is.
    pub address: DocAddress,
}

impl Ranked {
    /// By relevance, how much of a relaxed query the hit matches: the number of its words
    /// (0 when the query was not relaxed), or `u64::MAX` for a hit put first by
    /// [`Ranked::promote`].
    pub fn coverage(&self) -> u64 {
        self.primary
    }

    /// Puts a hit ranked by relevance before every hit not promoted (the query is a phrase
    /// of its title).
    pub(super) fn promote(&mut self) {
        self.primary = u64::MAX;
    }
}

impl Ord for Ranked {
    // Greater is better: a higher key, then the earlier document, so equal scores keep a
    // stable order.
    fn cmp(&self, other: &Self) -> Ordering {
        self.primary
            .cmp(&other.primary)
            .then_with(|| self.score.total_cmp(&other.score))
            .then_with(|| other.address.cmp(&self.address))
    }
}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}

/// Per-segment state.
pub struct SegmentSearchCollector {
    segment: SegmentOrdinal,
    top_n: usize,
    order: Order,
    updated: Option<Column<i64>>,
    title_key: Option<StrColumn>,
    /// Documents in the preferred language, when there is one.
    preferred: Option<Bits>,
    sets: Option<Arc<SegmentFacets>>,
    /// Each filtered facet with the documents that pass its filter.
    filters: Vec<(FacetField, Bits)>,
    /// When counting: the documents passing every filter, and per filter those failing only
    /// that one, which count for its facet.
    matched: Option<(Bits, Vec<Bits>)>,
    total: u64,
    heap: BinaryHeap<Reverse<Ranked>>,
    /// By relevance, once the heap is full: the coverage and score a document must beat to
    /// enter it.
    floor: (u64, Score),
}

impl Collector for SearchCollector {
    type Fruit = Collected;
    type Child = SegmentSearchCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let needs_sets =
            self.counting.is_some() || !self.selection.is_empty() || self.prefer.is_some();
        let sets = match self.facets.get(segment as usize) {
            Some(sets) => Some(sets.clone()),
            None if needs_sets => {
                return Err(TantivyError::InternalError(
                    "a filtering or counting search needs the segments' facet sets".into(),
                ));
            }
            None => None,
        };
        let max_doc = reader.max_doc();
        let filters: Vec<(FacetField, Bits)> = match &sets {
            Some(sets) => self
                .selection
                .iter()
                .map(|(facet, values)| (*facet, sets.facet(*facet).any_of(values, max_doc)))
                .collect(),
            None => Vec::new(),
        };
        let matched = self
            .counting
            .is_some()
            .then(|| (Bits::new(max_doc), vec![Bits::new(max_doc); filters.len()]));
        let fast = reader.fast_fields();
        let updated = (self.order == Order::Newest)
            .then(|| fast.i64(self.updated_field).ok())
            .flatten();
        let title_key = match self.order {
            Order::Title => fast.str(self.title_field)?,
            _ => None,
        };
        let preferred = match (&sets, self.prefer) {
            (Some(sets), Some(lang)) => Some(
                sets.facet(FacetField::Language)
                    .any_of(&[lang.code().to_owned()], max_doc),
            ),
            _ => None,
        };
        Ok(SegmentSearchCollector {
            segment,
            top_n: self.top_n,
            order: self.order,
            updated,
            title_key,
            preferred,
            sets,
            filters,
            matched,
            total: 0,
            heap: BinaryHeap::with_capacity(self.top_n + 1),
            floor: (0, Score::NEG_INFINITY),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    // Tantivy's own loop, with the common case (no filters) spelled out: every matching
    // document counts, and most are rejected by one comparison with the floor. The general
    // path measured a quarter of a top-10 search's instructions.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Collected> {
        let mut child = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        let is_alive = |doc| alive.is_none_or(|a| a.is_alive(doc));
        if child.filters.is_empty() {
            weight.for_each(reader, &mut |doc, score| {
                if is_alive(doc) {
                    child.count(doc);
                    let score = child.boosted(doc, score);
                    if score > child.floor.1 {
                        child.rank(doc, 0, score);
                    }
                }
            })?;
        } else {
            weight.for_each(reader, &mut |doc, score| {
                if is_alive(doc) && child.tally(doc) {
                    child.rank(doc, 0, child.boosted(doc, score));
                }
            })?;
        }
        Ok(child.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let mut merged = Collected {
            facets: self.counting.as_ref().map(Numbering::zeros),
            ..Collected::default()
        };
        let mut ranked = Vec::new();
        for fruit in fruits {
            merged.total += fruit.total;
            ranked.extend(fruit.top);
            merged.title_keys.extend(fruit.title_keys);
            if let (Some(totals), Some((segment, counts))) =
                (&mut merged.facets, &fruit.segment_counts)
            {
                totals.add(*segment as usize, counts);
            }
        }
        if self.order == Order::Title && !merged.title_keys.is_empty() {
            // Ordinals of different segments are not comparable: the keys are. The smaller
            // key first, then the better score, then the earlier document.
            let keys = &merged.title_keys;
            ranked.sort_by(|a, b| {
                keys[&a.address]
                    .cmp(&keys[&b.address])
                    .then_with(|| b.score.total_cmp(&a.score))
                    .then_with(|| a.address.cmp(&b.address))
            });
        } else {
            ranked.sort_by(|a, b| b.cmp(a));
        }
        ranked.truncate(self.top_n);
        merged.top = ranked;
        Ok(merged)
    }
}

impl SearchCollector {
    /// Collects a segment from a query scored window by window.
    pub fn collect_windows(
        &self,
        windowed: &dyn Windows,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Collected> {
        let mut child = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        windowed.for_each_window(segment, reader, &mut |window| {
            child.take_window(window, alive)
        })?;
        Ok(child.harvest())
    }
}

impl SegmentCollector for SegmentSearchCollector {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.tally(doc) {
            self.rank(doc, 0, self.boosted(doc, score));
        }
    }

    fn harvest(self) -> Collected {
        let mut segment_counts = None;
        if let (Some(sets), Some((matched, near))) = (&self.sets, &self.matched) {
            // A facet's own filter is lifted for its counts.
            let lifted: Vec<(FacetField, &Bits)> = self
                .filters
                .iter()
                .zip(near)
                .map(|((facet, _), near)| (*facet, near))
                .collect();
            segment_counts = Some((self.segment, sets.counts(matched, &lifted)));
        }
        let top: Vec<Ranked> = self.heap.into_iter().map(|Reverse(r)| r).collect();
        let mut title_keys = HashMap::new();
        if let Some(column) = &self.title_key {
            let mut key = Vec::new();
            for hit in &top {
                let ord = column.ords().first(hit.address.doc_id);
                key.clear();
                if let Some(ord) = ord {
                    // A dictionary that lacks its own ordinal is a broken index: the key is
                    // then empty, sorting first, rather than failing the search.
                    let _ = column.dictionary().ord_to_term(ord, &mut key);
                }
                title_keys.insert(hit.address, String::from_utf8_lossy(&key).into_owned());
            }
        }
        Collected {
            total: self.total,
            top,
            facets: None,
            segment_counts,
            title_keys,
        }
    }
}

/// Which of 64 scores are above `floor`, one bit each: four comparisons and a mask per
/// instruction with SSE2, which every x86-64 processor has (the compiler does not find this
/// form for itself).
#[cfg(target_arch = "x86_64")]
#[inline]
fn above(scores: &[Score; 64], floor: Score) -> u64 {
    use std::arch::x86_64::{_mm_cmpgt_ps, _mm_loadu_ps, _mm_movemask_ps, _mm_set1_ps};
    let mut bits = 0;
    // SAFETY: SSE2 is part of x86-64 itself, and each load reads the four floats of `four`.
    unsafe {
        let floor = _mm_set1_ps(floor);
        for (k, four) in scores.chunks_exact(4).enumerate() {
            let mask = _mm_movemask_ps(_mm_cmpgt_ps(_mm_loadu_ps(four.as_ptr()), floor));
            bits |= (mask as u64) << (4 * k);
        }
    }
    bits
}

/// Which of 64 scores are above `floor`, one bit each.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn above(scores: &[Score; 64], floor: Score) -> u64 {
    scores
        .iter()
        .enumerate()
        .fold(0, |bits, (j, &s)| bits | (u64::from(s > floor) << j))
}

/// The documents of `word` (the segment's `w`th) that are not deleted.
fn only_alive(word: u64, w: usize, alive: &AliveBitSet) -> u64 {
    let mut kept = word;
    let mut bits = word;
    while bits != 0 {
        let bit = bits.trailing_zeros();
        bits &= bits - 1;
        if !alive.is_alive((w * 64) as DocId + bit) {
            kept &= !(1 << bit);
        }
    }
    kept
}

impl SegmentSearchCollector {
    /// Counts and ranks a window's matches, 64 documents at a time: what [`Self::tally`]
    /// and [`Self::rank`] do for one document, with a word's bits.
    fn take_window(&mut self, window: &Window, alive: Option<&AliveBitSet>) {
        for (i, &found) in window.words().iter().enumerate() {
            if found == 0 {
                continue;
            }
            let w = window.first_word() + i;
            let found = match alive {
                Some(alive) => only_alive(found, w, alive),
                None => found,
            };
            let passing = self
                .filters
                .iter()
                .fold(found, |docs, (_, pass)| docs & pass.word(w));
            if let Some((matched, near)) = &mut self.matched {
                matched.add_word(w, passing);
                // A facet counts the documents failing its own filter only.
                for (f, near) in near.iter_mut().enumerate() {
                    let others = self
                        .filters
                        .iter()
                        .enumerate()
                        .filter(|&(g, _)| g != f)
                        .fold(found, |docs, (_, (_, pass))| docs & pass.word(w));
                    near.add_word(w, others & !self.filters[f].1.word(w));
                }
            }
            self.total += u64::from(passing.count_ones());
            // Once the top is full most matches score below its floor: they are ruled out 64
            // at a time ([`above`]) rather than one comparison each. A window covering more
            // of the query than the floor passes whole, one covering less not at all. A
            // document in the preferred language needs only the floor divided by its boost.
            let coverage = window.primary();
            let scores = window.word_scores(i);
            let candidates = match coverage.cmp(&self.floor.0) {
                Ordering::Greater => passing,
                Ordering::Equal => {
                    let mut bits = passing & above(scores, self.floor.1);
                    if let Some(preferred) = &self.preferred {
                        let floor = self.floor.1 / PREFERRED_LANGUAGE_BOOST;
                        bits |= passing & preferred.word(w) & above(scores, floor);
                    }
                    bits
                }
                Ordering::Less => 0,
            };
            let mut bits = candidates;
            while bits != 0 {
                let doc = (w * 64) as DocId + bits.trailing_zeros();
                bits &= bits - 1;
                self.rank(doc, coverage, self.boosted(doc, window.score(doc)));
            }
        }
    }

    /// Counts a matching document that passes every filter.
    #[inline(always)]
    fn count(&mut self, doc: DocId) {
        self.total += 1;
        if let Some((matched, _)) = &mut self.matched {
            matched.insert(doc);
        }
    }

    /// Counts a matching document towards the total and the facets; true if it passes every
    /// filter and so may be a hit.
    #[inline]
    fn tally(&mut self, doc: DocId) -> bool {
        let mut failed = None;
        for (i, (_, passing)) in self.filters.iter().enumerate() {
            if !passing.contains(doc) {
                if failed.is_some() {
                    return false;
                }
                failed = Some(i);
            }
        }
        match failed {
            Some(i) => {
                if let Some((_, near)) = &mut self.matched {
                    near[i].insert(doc);
                }
                false
            }
            None => {
                self.count(doc);
                true
            }
        }
    }

    /// The score a document ranks by: boosted in the preferred language.
    #[inline(always)]
    fn boosted(&self, doc: DocId, score: Score) -> Score {
        match &self.preferred {
            Some(preferred) if preferred.contains(doc) => score * PREFERRED_LANGUAGE_BOOST,
            _ => score,
        }
    }

    /// Keeps a document among the best if it is one; `coverage` is how much of a relaxed
    /// query it matches (0 for any other), which ranks before the score by relevance.
    fn rank(&mut self, doc: DocId, coverage: u64, score: Score) {
        // Documents come in id order and equal scores keep the earlier one, so by relevance a
        // document no better than the worst kept cannot enter: one comparison for most.
        if (coverage, score) <= self.floor || self.top_n == 0 {
            return;
        }
        let primary = match self.order {
            Order::Relevance => coverage,
            // Days since 1970, shifted so that earlier dates still order correctly.
            Order::Newest => {
                let days = self
                    .updated
                    .as_ref()
                    .and_then(|c| c.first(doc))
                    .unwrap_or(0);
                (days + (1 << 40)).max(0) as u64
            }
            // Ascending: the smallest collation key is the best. Term ordinals follow the
            // keys' order within the segment; a title without a key sorts first.
            Order::Title => {
                u64::MAX
                    - self
                        .title_key
                        .as_ref()
                        .and_then(|c| c.ords().first(doc))
                        .map_or(0, |ord| ord + 1)
            }
        };
        let candidate = Ranked {
            primary,
            score,
            address: DocAddress::new(self.segment, doc),
        };
        if self.heap.len() < self.top_n {
            self.heap.push(Reverse(candidate));
        } else if let Some(mut worst) = self.heap.peek_mut()
            && candidate > worst.0
        {
            *worst = Reverse(candidate);
        }
        if self.order == Order::Relevance
            && self.heap.len() == self.top_n
            && let Some(worst) = self.heap.peek()
        {
            self.floor = (worst.0.primary, worst.0.score);
        }
    }
}

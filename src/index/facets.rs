//! The documents of every facet value, per segment: what searches filter and count by.
//!
//! A search counts facets over every document it matches. Read value by value from fast
//! fields, that costs a column lookup per matching document and facet, which for a broad query
//! is most of its time. Instead each value's documents are kept as a set, built once per
//! segment from the inverted index, and a value's count is the size of its set's intersection
//! with the matches: the cost follows the number of values, not the number of matches. Dense
//! values are bitsets; sparse ones (most organisations) sorted lists, which cost four bytes a
//! document instead of a bit for every document of the segment.
//!
//! Intersections cost the same however few documents match: a query matching twenty
//! documents would still visit every organisation's list. Each segment therefore also keeps
//! every document's values ([`ByDocument`]), and a count of few matches reads those instead,
//! whichever of the two ways costs less for the matches at hand. The dense values and the
//! sparse ones choose apart: a query matching a few thousand documents of a segment counts
//! its few dense values by intersection and its many sparse ones by document.

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

    /// How many documents the set holds; `occupied` are its non-empty words.
    pub fn len_in(&self, occupied: &[u32]) -> u64 {
        occupied
            .iter()
            .map(|&w| u64::from(self.0[w as usize].count_ones()))
            .sum()
    }

    /// The documents, in order; `occupied` are the set's non-empty words.
    pub fn docs_in<'a>(&'a self, occupied: &'a [u32]) -> impl Iterator<Item = DocId> + 'a {
        occupied.iter().flat_map(move |&w| {
            let mut bits = self.0[w as usize];
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let doc = w * 64 + bits.trailing_zeros();
                    bits &= bits - 1;
                    doc
                })
            })
        })
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

impl Members {
    /// How many documents of `docs` the value has (`occupied`: the non-empty words of `docs`).
    fn shared_with(&self, docs: &Bits, occupied: &[u32]) -> u64 {
        match self {
            Members::Dense(set) => shared(docs, set, occupied),
            Members::Sparse(list) => list.iter().filter(|&&d| docs.contains(d)).count() as u64,
        }
    }

    fn for_each_doc(&self, mut f: impl FnMut(DocId)) {
        match self {
            Members::Dense(bits) => bits.docs_in(&bits.occupied()).for_each(f),
            Members::Sparse(docs) => docs.iter().for_each(|&d| f(d)),
        }
    }
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
            .map(|members| members.shared_with(docs, occupied))
            .collect()
    }
}

/// How many documents `a` and `b` share; `occupied` holds every non-empty word of `a`.
fn shared(a: &Bits, b: &Bits, occupied: &[u32]) -> u64 {
    debug_assert_eq!(a.0.len(), b.0.len(), "sets of one segment");
    // When most words are occupied, reading every word in order is cheaper than reading
    // the occupied ones by index: the loop has no index to load, and it vectorizes.
    let every = reads_every_word(a, occupied);
    // Counting bits is most of counting facets. The baseline x86-64 target has no popcount
    // instruction, and its replacement takes a dozen: use the instructions the CPU has.
    #[cfg(target_arch = "x86_64")]
    {
        if every && counts_bits_in_vectors() {
            // SAFETY: the CPU supports the features the function is compiled for.
            return unsafe { shared_every_avx512(a, b) };
        }
        if std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: as above.
            return unsafe {
                match every {
                    true => shared_every_popcnt(a, b),
                    false => shared_popcnt(a, b, occupied),
                }
            };
        }
    }
    match every {
        true => shared_every(a, b),
        false => shared_words(a, b, occupied),
    }
}

/// What intersecting `a` with another set costs, in words of two bitsets intersected one at a
/// time: vectors of eight words count as two (loads and adds beside the count).
fn intersecting_cost(a: &Bits, occupied: &[u32]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if reads_every_word(a, occupied) && counts_bits_in_vectors() {
        return (a.0.len() as u64).div_ceil(4);
    }
    occupied.len() as u64
}

/// Whether the CPU counts bits in vectors of eight words, which [`shared_every_avx512`] is
/// compiled for.
#[cfg(target_arch = "x86_64")]
fn counts_bits_in_vectors() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512vpopcntdq")
}

/// Whether intersecting reads every word in order rather than the occupied ones by index.
fn reads_every_word(a: &Bits, occupied: &[u32]) -> bool {
    occupied.len() * 4 >= a.0.len() * 3
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vpopcntdq")]
fn shared_every_avx512(a: &Bits, b: &Bits) -> u64 {
    shared_every(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn shared_every_popcnt(a: &Bits, b: &Bits) -> u64 {
    shared_every(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn shared_popcnt(a: &Bits, b: &Bits, occupied: &[u32]) -> u64 {
    shared_words(a, b, occupied)
}

#[inline(always)]
fn shared_every(a: &Bits, b: &Bits) -> u64 {
    a.0.iter()
        .zip(&b.0)
        .map(|(a, b)| u64::from((a & b).count_ones()))
        .sum()
}

#[inline(always)]
fn shared_words(a: &Bits, b: &Bits, occupied: &[u32]) -> u64 {
    occupied
        .iter()
        .map(|&w| u64::from((a.0[w as usize] & b.0[w as usize]).count_ones()))
        .sum()
}

/// Every document's facet values of one kind (dense or sparse), of all facets: those sets
/// of [`SegmentFacets`] turned around. A value is numbered across the facets, in the order of
/// [`FacetField::ALL`] and then of each facet's values, so a document's numbers are sorted and
/// each facet's are a range ([`SegmentFacets::numbered`]).
///
/// Counting by document is bound by memory, not by arithmetic: the matches' values are spread
/// over the segment, and reading them is most of the count. So a document's values are kept
/// in as few bytes as the kind's values allow: numbered among themselves (`numbers` maps them
/// back), a byte each when there are at most 256 of them, as the dense ones usually are.
#[derive(Debug)]
struct ByDocument {
    /// Where each document's values start in `values`, and where the last one's end.
    starts: Vec<u32>,
    values: Local,
    /// The number of each value of `values`, ascending.
    numbers: Vec<u32>,
}

/// Each document's values, numbered among the values of one [`ByDocument`].
#[derive(Debug)]
enum Local {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl ByDocument {
    /// The sets `members` (each with its number) turned around, for a segment of `max_doc`.
    fn of_sets<'a>(
        max_doc: DocId,
        members: impl Iterator<Item = (u32, &'a Members)> + Clone,
    ) -> ByDocument {
        // Counted first, then placed: each document's values come out in number order.
        let mut starts = vec![0u32; max_doc as usize + 1];
        for (_, set) in members.clone() {
            set.for_each_doc(|doc| starts[doc as usize + 1] += 1);
        }
        for doc in 0..max_doc as usize {
            starts[doc + 1] += starts[doc];
        }
        let numbers: Vec<u32> = members.clone().map(|(number, _)| number).collect();
        debug_assert!(numbers.is_sorted_by(|a, b| a < b), "numbers ascending");
        let sets = members.map(|(_, set)| set);
        let values = match numbers.len() {
            0..=0x100 => Local::U8(place(&starts, sets)),
            0x101..=0x1_0000 => Local::U16(place(&starts, sets)),
            _ => Local::U32(place(&starts, sets)),
        };
        ByDocument {
            starts,
            values,
            numbers,
        }
    }

    /// Whether no document has a value of this kind.
    fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    /// What counting `matches` documents this way costs, in units of intersecting one word of
    /// two bitsets.
    fn cost(&self, matches: u64) -> u64 {
        let per_document =
            self.starts[self.starts.len() - 1] as u64 / (self.starts.len() as u64 - 1).max(1);
        matches * (per_document + 1) * BY_DOCUMENT_COST
    }

    /// Adds one to `all` at each value within `numbers` of each document of `docs`
    /// (`occupied`: its non-empty words).
    fn count_into(
        &self,
        docs: &Bits,
        occupied: &[u32],
        numbers: std::ops::Range<u32>,
        all: &mut [u64],
    ) {
        // The values within `numbers`, numbered among this kind's. Counted straight into
        // `all` through `self.numbers`: a count of few matches costs no more than they do.
        let local = self.numbers.partition_point(|&n| n < numbers.start) as u32
            ..self.numbers.partition_point(|&n| n < numbers.end) as u32;
        match &self.values {
            Local::U8(values) => self.count_local(values, docs, occupied, local, all),
            Local::U16(values) => self.count_local(values, docs, occupied, local, all),
            Local::U32(values) => self.count_local(values, docs, occupied, local, all),
        }
    }

    #[inline]
    fn count_local<T: Copy + Into<u32>>(
        &self,
        values: &[T],
        docs: &Bits,
        occupied: &[u32],
        local: std::ops::Range<u32>,
        all: &mut [u64],
    ) {
        // Counted by local number first, in an array small enough to stay in the nearest
        // cache, then added to `all` value by value: the loop over the matches does one
        // increment per value, with no lookup of its number and, when every value is
        // wanted, no test.
        let mut counts = vec![0u32; self.numbers.len()];
        let every = local.start == 0 && local.end as usize == self.numbers.len();
        for doc in docs.docs_in(occupied) {
            let doc = doc as usize;
            let of = &values[self.starts[doc] as usize..self.starts[doc + 1] as usize];
            for &value in of {
                let value = value.into();
                if every || local.contains(&value) {
                    counts[value as usize] += 1;
                }
            }
        }
        for (&number, &n) in self.numbers.iter().zip(&counts) {
            all[number as usize] += u64::from(n);
        }
    }
}

/// Each document's values, `sets` numbered by their order, placed where `starts` say.
fn place<'a, T: Copy + Default + TryFrom<usize>>(
    starts: &[u32],
    sets: impl Iterator<Item = &'a Members>,
) -> Vec<T> {
    let mut next = starts.to_vec();
    let mut values = vec![T::default(); starts[starts.len() - 1] as usize];
    for (local, set) in sets.enumerate() {
        let local = T::try_from(local).ok().expect("chosen to hold every value");
        set.for_each_doc(|doc| {
            values[next[doc as usize] as usize] = local;
            next[doc as usize] += 1;
        });
    }
    values
}

/// What reading one value of one document costs when counting by document, in units of
/// intersecting one word of two bitsets (a random increment against a streamed
/// and-and-count; measured on the 1M synthetic catalogue, docs/performance.md).
const BY_DOCUMENT_COST: u64 = 2;

/// Every facet's values and their documents in one segment.
#[derive(Debug)]
pub struct SegmentFacets {
    max_doc: DocId,
    facets: Vec<FacetValues>,
    /// Each document's dense values.
    dense_by_document: ByDocument,
    /// Each document's sparse values.
    sparse_by_document: ByDocument,
    /// Where each facet's numbers start ([`ByDocument`]), and where the last one's end.
    numbered: Vec<u32>,
    /// Values kept as bitsets, over all facets: counting by intersection visits each once
    /// per occupied word of the matches.
    dense_values: u64,
    /// Documents of the values kept as lists: counting by intersection reads each of them.
    sparse_documents: u64,
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
        Ok(SegmentFacets::new(max_doc, facets))
    }

    /// The sets of a segment of `max_doc` documents with these facets' values, in the order
    /// of [`FacetField::ALL`].
    fn new(max_doc: DocId, facets: Vec<FacetValues>) -> SegmentFacets {
        let mut numbered = vec![0];
        for facet in &facets {
            numbered.push(numbered[numbered.len() - 1] + facet.members.len() as u32);
        }
        let numbers = || (0u32..).zip(facets.iter().flat_map(|facet| &facet.members));
        let dense_by_document = ByDocument::of_sets(
            max_doc,
            numbers().filter(|(_, m)| matches!(m, Members::Dense(_))),
        );
        let sparse_by_document = ByDocument::of_sets(
            max_doc,
            numbers().filter(|(_, m)| matches!(m, Members::Sparse(_))),
        );
        let members = || facets.iter().flat_map(|facet| &facet.members);
        let dense_values = members().filter(|m| matches!(m, Members::Dense(_))).count() as u64;
        let sparse_documents = members()
            .map(|m| match m {
                Members::Sparse(docs) => docs.len() as u64,
                Members::Dense(_) => 0,
            })
            .sum();
        SegmentFacets {
            max_doc,
            facets,
            dense_by_document,
            sparse_by_document,
            numbered,
            dense_values,
            sparse_documents,
        }
    }

    /// How many documents of `matched` have each value of each facet: per facet in the
    /// order of [`FacetField::ALL`], per value in the order of [`FacetValues::values`]. The
    /// documents `lifted` with a facet, none of them in `matched`, count for that facet alone
    /// (those failing only its own filter, which a facet's counts ignore).
    pub fn counts(&self, matched: &Bits, lifted: &[(FacetField, &Bits)]) -> Vec<Vec<u64>> {
        let occupied = matched.occupied();
        let matches = matched.len_in(&occupied);
        let dense_by_document = self.dense_by_document.cost(matches)
            < self.dense_values * intersecting_cost(matched, &occupied);
        let sparse_by_document = self.sparse_by_document.cost(matches) < self.sparse_documents;
        self.counts_by(
            dense_by_document,
            sparse_by_document,
            matched,
            &occupied,
            lifted,
        )
    }

    /// The counts of [`SegmentFacets::counts`], the dense values and the sparse ones each by
    /// document or by intersection as told.
    fn counts_by(
        &self,
        dense_by_document: bool,
        sparse_by_document: bool,
        matched: &Bits,
        occupied: &[u32],
        lifted: &[(FacetField, &Bits)],
    ) -> Vec<Vec<u64>> {
        let mut all = vec![0u64; self.total_values()];
        for (by_document, values) in [
            (dense_by_document, &self.dense_by_document),
            (sparse_by_document, &self.sparse_by_document),
        ] {
            if by_document && !values.is_empty() {
                values.count_into(matched, occupied, 0..self.total_values() as u32, &mut all);
                for (facet, near) in lifted {
                    values.count_into(near, &near.occupied(), self.range_of(*facet), &mut all);
                }
            }
        }
        let intersected = |members: &Members| match members {
            Members::Dense(_) => !dense_by_document,
            Members::Sparse(list) => !sparse_by_document && !list.is_empty(),
        };
        FacetField::ALL
            .iter()
            .zip(&self.facets)
            .zip(self.numbered.iter().copied())
            .map(|((facet, values), first)| {
                // A facet's lifted documents count for its values alone.
                let near = lifted.iter().find(|(f, _)| f == facet);
                let intersecting = values.members.iter().any(intersected);
                let union = near.filter(|_| intersecting).map(|(_, near)| {
                    let mut docs = matched.clone();
                    docs.union_with(near);
                    let occupied = docs.occupied();
                    (docs, occupied)
                });
                let (docs, occupied) = match &union {
                    Some((docs, occupied)) => (docs, occupied.as_slice()),
                    None => (matched, occupied),
                };
                (first..)
                    .zip(&values.members)
                    .map(|(number, members)| match intersected(members) {
                        true => members.shared_with(docs, occupied),
                        false => all[number as usize],
                    })
                    .collect()
            })
            .collect()
    }

    /// The numbers of a facet's values ([`ByDocument`]).
    fn range_of(&self, facet: FacetField) -> std::ops::Range<u32> {
        let at = Self::position(facet);
        self.numbered[at]..self.numbered[at + 1]
    }

    fn total_values(&self) -> usize {
        self.numbered[self.numbered.len() - 1] as usize
    }

    fn position(facet: FacetField) -> usize {
        FacetField::ALL
            .iter()
            .position(|&f| f == facet)
            .expect("every facet is in ALL")
    }

    /// The segment's size in documents, deleted ones included.
    pub fn max_doc(&self) -> DocId {
        self.max_doc
    }

    /// The values of one facet.
    pub fn facet(&self, facet: FacetField) -> &FacetValues {
        &self.facets[Self::position(facet)]
    }
}

/// The values of every facet over the segments of a searcher, numbered together, with each
/// segment's own values' numbers: the segments' counts of a search add up number by number
/// ([`FacetTotals`]), where adding them up by value compared and copied every value's text
/// for every segment, a quarter of a broad query's time at a million documents.
#[derive(Debug)]
pub struct Numbering {
    /// The sets of the segments numbered, by segment ordinal.
    segments: Vec<Arc<SegmentFacets>>,
    /// Per facet (in the order of [`FacetField::ALL`]): the values of all segments, in term
    /// order.
    values: Vec<Vec<String>>,
    /// Per segment, per facet: the number of each of the segment's values.
    numbers: Vec<Vec<Vec<u32>>>,
}

impl Numbering {
    /// Numbers the values of `segments` (by segment ordinal).
    pub fn of(segments: &[Arc<SegmentFacets>]) -> Numbering {
        let values: Vec<Vec<String>> = (0..FacetField::ALL.len())
            .map(|at| {
                let mut all: Vec<&String> =
                    segments.iter().flat_map(|s| &s.facets[at].values).collect();
                all.sort_unstable();
                all.dedup();
                all.into_iter().cloned().collect()
            })
            .collect();
        let numbers = segments
            .iter()
            .map(|segment| {
                segment
                    .facets
                    .iter()
                    .zip(&values)
                    .map(|(facet, all)| {
                        facet
                            .values
                            .iter()
                            .map(|v| all.binary_search(v).expect("every value numbered") as u32)
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Numbering {
            segments: segments.to_vec(),
            values,
            numbers,
        }
    }

    /// Counts of no document, to add segments' counts to.
    pub fn zeros(self: &Arc<Self>) -> FacetTotals {
        FacetTotals {
            counts: self.values.iter().map(|v| vec![0; v.len()]).collect(),
            numbering: self.clone(),
        }
    }
}

/// Documents per facet value over several segments.
#[derive(Debug, Clone)]
pub struct FacetTotals {
    numbering: Arc<Numbering>,
    /// Per facet, per value number.
    counts: Vec<Vec<u64>>,
}

impl FacetTotals {
    /// Adds the counts of the segment with ordinal `segment` ([`SegmentFacets::counts`]).
    pub fn add(&mut self, segment: usize, counts: &[Vec<u64>]) {
        let numbers = &self.numbering.numbers[segment];
        for ((totals, numbers), counts) in self.counts.iter_mut().zip(numbers).zip(counts) {
            for (&number, &n) in numbers.iter().zip(counts) {
                totals[number as usize] += n;
            }
        }
    }

    /// The values of `facet` some document has, with their counts, in term order.
    pub fn counted(&self, facet: FacetField) -> impl Iterator<Item = (&str, u64)> {
        let at = SegmentFacets::position(facet);
        self.numbering.values[at]
            .iter()
            .zip(&self.counts[at])
            .filter(|(_, n)| **n > 0)
            .map(|(v, &n)| (v.as_str(), n))
    }
}

/// Facet sets of the segments searched lately, by segment: a segment never changes once
/// written (deletes are applied by the searcher, not here), so its sets are built once.
#[derive(Default)]
pub struct FacetCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentFacets>>>,
    /// The numbering of the last set of segments numbered.
    numbering: Mutex<Option<Arc<Numbering>>>,
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

    /// The numbering of `segments`' values ([`FacetCache::for_searcher`]'s sets): made once
    /// for the segments of the searcher most recently asked about.
    pub fn numbering(&self, segments: &[Arc<SegmentFacets>]) -> Arc<Numbering> {
        let mut last = self
            .numbering
            .lock()
            .expect("facet numbering lock poisoned");
        let same = |numbered: &Numbering| {
            numbered.segments.len() == segments.len()
                && numbered
                    .segments
                    .iter()
                    .zip(segments)
                    .all(|(a, b)| Arc::ptr_eq(a, b))
        };
        match &*last {
            Some(numbering) if same(numbering) => numbering.clone(),
            _ => {
                let numbering = Arc::new(Numbering::of(segments));
                *last = Some(numbering.clone());
                numbering
            }
        }
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
    fn counting_by_document_and_by_intersection_agree() {
        // 300 documents; each facet in ALL has values dense (every third document) and
        // sparse (a few), and a document may have several values of one facet.
        let max_doc = 300;
        let thirds: Vec<DocId> = (0..max_doc).step_by(3).collect();
        let facets = FacetField::ALL
            .iter()
            .enumerate()
            .map(|(i, _)| FacetValues {
                values: vec!["a".into(), "b".into(), "c".into()],
                members: vec![
                    Members::Dense(bits(max_doc, &thirds)),
                    // 200 + i: lifted for the region (201), for no other facet.
                    Members::Sparse(vec![i as DocId, 3, 100, 200 + i as DocId, 299]),
                    Members::Sparse(vec![]),
                ],
            })
            .collect();
        let sets = SegmentFacets::new(max_doc, facets);
        let matched = bits(max_doc, &[0, 1, 3, 4, 99, 100, 150, 299]);
        let near = bits(max_doc, &[6, 7, 200, 201]);
        let lifted = [(FacetField::Region, &near)];
        let occupied = matched.occupied();
        let by_document = sets.counts_by(true, true, &matched, &occupied, &lifted);
        for (dense, sparse) in [(false, false), (true, false), (false, true)] {
            assert_eq!(
                sets.counts_by(dense, sparse, &matched, &occupied, &lifted),
                by_document,
                "dense by document: {dense}, sparse: {sparse}"
            );
        }
        assert_eq!(
            by_document[0],
            [4, 4, 0],
            "kind: 0, 3, 99, 150 and 0, 3, 100, 299"
        );
        assert_eq!(
            by_document[1],
            [6, 5, 0],
            "region: also 6 and 201; 1, 3, 100, 299 and 201"
        );
        assert_eq!(sets.counts(&matched, &lifted), by_document);
        assert_eq!(matched.len_in(&occupied), 8);
    }

    #[test]
    fn segments_with_different_values_add_up_by_value() {
        // Two segments of 10 documents: the first has kinds "a" and "c", the second "b" and
        // "c"; every other facet has the value "x" in the first and none in the second.
        let segment = |kinds: [&str; 2]| {
            let facets = FacetField::ALL
                .iter()
                .map(|&facet| match facet {
                    FacetField::Kind => FacetValues {
                        values: kinds.iter().map(|&k| k.to_owned()).collect(),
                        members: vec![Members::Sparse(vec![0, 1]), Members::Sparse(vec![2])],
                    },
                    _ if kinds[0] == "a" => FacetValues {
                        values: vec!["x".into()],
                        members: vec![Members::Sparse(vec![5])],
                    },
                    _ => FacetValues::default(),
                })
                .collect();
            Arc::new(SegmentFacets::new(10, facets))
        };
        let segments = [segment(["a", "c"]), segment(["b", "c"])];
        let numbering = Arc::new(Numbering::of(&segments));
        let mut totals = numbering.zeros();
        let every = bits(10, &(0..10).collect::<Vec<_>>());
        for (ordinal, sets) in segments.iter().enumerate() {
            totals.add(ordinal, &sets.counts(&every, &[]));
        }
        let kinds: Vec<(&str, u64)> = totals.counted(FacetField::Kind).collect();
        assert_eq!(kinds, [("a", 2), ("b", 2), ("c", 2)]);
        let regions: Vec<(&str, u64)> = totals.counted(FacetField::Region).collect();
        assert_eq!(regions, [("x", 1)]);

        // The same segments are numbered once; others anew.
        let cache = FacetCache::default();
        let first = cache.numbering(&segments);
        assert!(Arc::ptr_eq(&first, &cache.numbering(&segments)));
        assert!(!Arc::ptr_eq(&first, &cache.numbering(&segments[..1])));
    }

    #[test]
    fn values_kept_in_one_two_or_four_bytes_count_alike() {
        let max_doc = 1000;
        let matched = bits(
            max_doc,
            &(0..max_doc).filter(|d| d % 3 != 1).collect::<Vec<_>>(),
        );
        // Each width, and the edges between them.
        for (values, width) in [(3, 1), (256, 1), (257, 2), (65_536, 2), (65_537, 4)] {
            // Value v is on two documents; it is numbered 2v + 1, so the numbers have gaps.
            let sets: Vec<Members> = (0..values)
                .map(|v| {
                    let mut docs = vec![v % max_doc, (v * 7 + 1) % max_doc];
                    docs.sort_unstable();
                    docs.dedup();
                    Members::Sparse(docs)
                })
                .collect();
            let numbered = || (0..).map(|v| 2 * v + 1).zip(&sets);
            let by_document = ByDocument::of_sets(max_doc, numbered());
            let bytes = match &by_document.values {
                Local::U8(_) => 1,
                Local::U16(_) => 2,
                Local::U32(_) => 4,
            };
            assert_eq!(bytes, width, "{values} values");
            for range in [0..2 * values + 1, values..values + 50] {
                let mut counted = vec![0; 2 * values as usize + 1];
                by_document.count_into(&matched, &matched.occupied(), range.clone(), &mut counted);
                let mut expected = vec![0; counted.len()];
                for (number, set) in numbered().filter(|(n, _)| range.contains(n)) {
                    set.for_each_doc(|doc| {
                        expected[number as usize] += u64::from(matched.contains(doc));
                    });
                }
                assert_eq!(counted, expected, "{values} values, numbers {range:?}");
            }
        }
    }

    #[test]
    fn shared_documents_are_counted_alike_reading_every_word_or_the_occupied_ones() {
        let every_fifth = bits(6400, &(0..6400).step_by(5).collect::<Vec<_>>());
        for docs in [vec![3, 64, 700, 6399], (0..6400).step_by(3).collect()] {
            let docs = bits(6400, &docs);
            let occupied = docs.occupied();
            let expected = (0..6400)
                .filter(|&d| docs.contains(d) && every_fifth.contains(d))
                .count() as u64;
            assert_eq!(shared(&docs, &every_fifth, &occupied), expected);
            assert_eq!(shared_words(&docs, &every_fifth, &occupied), expected);
            assert_eq!(shared_every(&docs, &every_fifth), expected);
        }
    }

    #[test]
    fn only_occupied_words_are_visited() {
        let docs = bits(1000, &[5, 700]);
        assert_eq!(docs.occupied(), [0, 10]);
        assert!(Bits::new(0).occupied().is_empty());
    }
}

//! A disjunction of a query word's alternatives, scored one alternative at a time.
//!
//! Tantivy scores a union document at a time: every posting of every alternative goes
//! through its scorer's `doc`, `score` and `advance` (beside a phrase or an automaton,
//! through a boxed scorer), and every matching document through a call to the collector.
//! When the disjunction is the whole query, the search runs it window by window instead: each
//! term's postings are read block by block into the window's per-document scores (each other
//! alternative through its own scorer), and the collector takes the window's matches 64
//! documents at a time ([`Window`]). The sums are taken in clause order, as the union takes
//! them, so scores are the same to the bit. Several words, each a disjunction, are scored
//! the same way ([`conjunction`](super::conjunction)). Anywhere else (nested in a larger
//! query) a [`Disjunction`] is the plain union.

use std::collections::HashMap;

use tantivy::directory::OwnedBytes;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::postings::TermInfo;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::query::{
    Bm25Weight, BooleanQuery, BoostQuery, EnableScoring, Occur, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, Term};

/// Alternatives any of which may match; a document's score is the sum of those it matches.
/// Built by the query builder (`build.rs`).
#[derive(Debug, Default)]
pub struct Disjunction {
    /// Single terms, each once with its highest boost: the same base form reached twice (a
    /// word and its synonym, say) must not count twice.
    pub(super) terms: Vec<(Term, Score)>,
    /// Phrases, prefixes, typos and compound parts written apart, with their boosts.
    pub(super) others: Vec<(Box<dyn Query>, Score)>,
}

impl Clone for Disjunction {
    fn clone(&self) -> Self {
        Disjunction {
            terms: self.terms.clone(),
            others: self
                .others
                .iter()
                .map(|(q, b)| (q.box_clone(), *b))
                .collect(),
        }
    }
}

impl Disjunction {
    /// The same disjunction nested in a larger query: its one alternative, or its union.
    pub fn into_nested(mut self) -> Box<dyn Query> {
        if self.terms.len() + self.others.len() == 1 {
            if let Some((term, boost)) = self.terms.pop() {
                return boosted(term_query(term), boost);
            }
            let (query, boost) = self.others.pop().expect("one alternative");
            return boosted(query, boost);
        }
        Box::new(self.into_union())
    }

    /// The same disjunction as a Boolean union.
    pub fn into_union(self) -> BooleanQuery {
        let terms = self
            .terms
            .into_iter()
            .map(|(term, boost)| boosted(term_query(term), boost));
        let others = self.others.into_iter().map(|(q, b)| boosted(q, b));
        BooleanQuery::new(terms.chain(others).map(|q| (Occur::Should, q)).collect())
    }
}

/// A term query with frequencies (for BM25), without positions.
pub fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
}

/// `query` with its score multiplied by `boost`.
pub fn boosted(query: Box<dyn Query>, boost: Score) -> Box<dyn Query> {
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

impl Query for Disjunction {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        self.clone().into_union().weight(scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _) in &self.terms {
            visitor(term, false);
        }
        for (query, _) in &self.others {
            query.query_terms(visitor);
        }
    }
}

/// Terms looked up in every segment's dictionary, each once a search: where its postings are,
/// and how many documents have it (docs/performance.md, "Facet values in a byte"). A search
/// that relaxes its query, or tries typos, asks again for most of the terms it has asked for.
#[derive(Default)]
pub(super) struct Lookups {
    /// Where each term is, by segment ordinal (`None` where it is absent).
    found: HashMap<Term, Vec<Option<TermInfo>>>,
}

impl Lookups {
    /// `terms` looked up in `searcher`'s segments.
    #[cfg(test)]
    pub(super) fn of<'a>(
        terms: impl Iterator<Item = &'a Term>,
        searcher: &Searcher,
    ) -> tantivy::Result<Lookups> {
        let mut lookups = Lookups::default();
        lookups.add(terms, searcher)?;
        Ok(lookups)
    }

    /// Looks up those of `terms` not looked up yet, in `searcher`'s segments (the same
    /// searcher every time). On the search's own thread: a lookup takes less time than
    /// waking a helper to share them.
    pub(super) fn add<'a>(
        &mut self,
        terms: impl Iterator<Item = &'a Term>,
        searcher: &Searcher,
    ) -> tantivy::Result<&Lookups> {
        for term in terms {
            if self.found.contains_key(term) {
                continue;
            }
            let infos = searcher
                .segment_readers()
                .iter()
                .map(|reader| Ok(reader.inverted_index(term.field())?.get_term_info(term)?))
                .collect::<tantivy::Result<Vec<_>>>()?;
            self.found.insert(term.clone(), infos);
        }
        Ok(self)
    }

    /// Where `term`, one of the terms looked up, is in each segment.
    fn of_term(&self, term: &Term) -> Vec<Option<TermInfo>> {
        self.found
            .get(term)
            .expect("a windowed query's terms are looked up first")
            .clone()
    }
}

impl Disjunction {
    /// Its single-term alternatives, which [`Disjunction::windowed`] reads from [`Lookups`].
    pub(super) fn terms(&self) -> impl Iterator<Item = &Term> {
        self.terms.iter().map(|(term, _)| term)
    }

    /// What scores the disjunction window by window in `searcher`'s segments, its terms
    /// found in `lookups`.
    ///
    /// Each term's lookup serves both its document frequency and its postings (Tantivy's BM25
    /// weight would look it up for the frequency alone); a term no segment has is left out.
    pub(super) fn windowed(
        &self,
        searcher: &Searcher,
        lookups: &Lookups,
    ) -> tantivy::Result<Windowed> {
        let readers = searcher.segment_readers();
        let total_docs: u64 = readers.iter().map(|r| u64::from(r.max_doc())).sum();
        // The average field length, per field, as Tantivy's BM25 weight computes it.
        let mut averages: Vec<(Field, Score)> = Vec::new();
        let mut terms = Vec::with_capacity(self.terms.len());
        for (term, boost) in &self.terms {
            let field = term.field();
            let infos = lookups.of_term(term);
            let doc_freq: u64 = infos.iter().flatten().map(|i| u64::from(i.doc_freq)).sum();
            if doc_freq == 0 {
                continue;
            }
            let average = match averages.iter().find(|(f, _)| *f == field) {
                Some(&(_, average)) => average,
                None => {
                    let tokens = searcher.total_num_tokens(field)?;
                    let average = tokens as Score / total_docs as Score;
                    averages.push((field, average));
                    average
                }
            };
            let bm25 = Bm25Weight::for_one_term(doc_freq, total_docs, average).boost_by(*boost);
            terms.push(WeightedTerm { field, infos, bm25 });
        }
        let scoring = EnableScoring::enabled_from_searcher(searcher);
        let others = self
            .others
            .iter()
            .map(|(q, b)| boosted(q.box_clone(), *b).weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Windowed { terms, others })
    }
}

/// Several disjunctions made ready to score window by window in `searcher`'s segments.
pub(super) fn windowed_each(
    words: &[Disjunction],
    searcher: &Searcher,
    lookups: &Lookups,
) -> tantivy::Result<Vec<Windowed>> {
    words
        .iter()
        .map(|d| d.windowed(searcher, lookups))
        .collect()
}

/// Several disjunctions' alternatives in the segment `segment`, each at its first document.
pub(super) fn cursors_each(
    words: &[Windowed],
    segment: u32,
    reader: &SegmentReader,
) -> tantivy::Result<Vec<Cursors>> {
    words.iter().map(|w| w.cursors(segment, reader)).collect()
}

/// A term ready to be read in every segment.
struct WeightedTerm {
    field: Field,
    /// Where its postings are, per segment (by ordinal); `None` where it is absent.
    infos: Vec<Option<TermInfo>>,
    /// Its BM25 weight, boost included.
    bm25: Bm25Weight,
}

/// A disjunction ready to score window by window.
pub struct Windowed {
    terms: Vec<WeightedTerm>,
    /// The other alternatives' weights, boosts included.
    others: Vec<Box<dyn Weight>>,
}

impl Windowed {
    /// The disjunction's alternatives in the segment `segment` (its ordinal in the searcher
    /// the disjunction was made ready for), each at its first document.
    pub(super) fn cursors(&self, segment: u32, reader: &SegmentReader) -> tantivy::Result<Cursors> {
        let mut terms = Vec::with_capacity(self.terms.len());
        for term in &self.terms {
            let Some(info) = &term.infos[segment as usize] else {
                continue;
            };
            let inverted = reader.inverted_index(term.field)?;
            // The field norms as bytes (one per document), read without a match per lookup.
            let norms = match reader
                .fieldnorms_readers()
                .get_inner_file()
                .open_read(term.field)
            {
                Some(file) => file.read_bytes()?,
                None => {
                    let one = FieldNormReader::fieldnorm_to_id(1);
                    OwnedBytes::new(vec![one; reader.max_doc() as usize])
                }
            };
            terms.push(TermCursor {
                postings: inverted
                    .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?,
                at: 0,
                norms,
                bm25: term.bm25.clone(),
            });
        }
        let others = self
            .others
            .iter()
            .map(|weight| weight.scorer(reader, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Cursors { terms, others })
    }
}

impl Windows for Windowed {
    fn for_each_window(
        &self,
        segment: u32,
        reader: &SegmentReader,
        f: &mut dyn FnMut(&Window),
    ) -> tantivy::Result<()> {
        let mut cursors = self.cursors(segment, reader)?;
        let mut window = Window::new();
        loop {
            let first = cursors.doc();
            if first == TERMINATED {
                return Ok(());
            }
            window.start_at(first);
            cursors.fill(&mut window);
            f(&window);
            window.clear();
        }
    }
}

/// Something scored window by window: a whole-query disjunction, or a conjunction of them.
pub trait Windows {
    /// Hands `f` every window of `reader`'s segment (the `segment`th of the searcher it was
    /// made ready for) that has a match, in document order.
    fn for_each_window(
        &self,
        segment: u32,
        reader: &SegmentReader,
        f: &mut dyn FnMut(&Window),
    ) -> tantivy::Result<()>;
}

/// A disjunction's alternatives in one segment, each read forward from its current document.
pub(super) struct Cursors {
    terms: Vec<TermCursor>,
    others: Vec<Box<dyn Scorer>>,
}

impl Cursors {
    /// The first document any alternative matches from here on, or `TERMINATED`.
    pub(super) fn doc(&self) -> DocId {
        self.terms
            .iter()
            .map(TermCursor::doc)
            .chain(self.others.iter().map(|s| s.doc()))
            .min()
            .unwrap_or(TERMINATED)
    }

    /// About how many documents the alternatives hold together.
    pub(super) fn cost(&self) -> u64 {
        let terms: u64 = self
            .terms
            .iter()
            .map(|t| u64::from(t.postings.doc_freq()))
            .sum();
        terms + self.others.iter().map(|s| s.cost()).sum::<u64>()
    }

    /// Moves every alternative to its first document at or after `target`.
    pub(super) fn skip_to(&mut self, target: DocId) {
        for term in &mut self.terms {
            term.skip_to(target);
        }
        for scorer in &mut self.others {
            if scorer.doc() < target {
                scorer.seek(target);
            }
        }
    }

    /// Adds the scores of every alternative's documents in `window` to it, in clause order
    /// per document (terms, then the others), as the union sums them; leaves each
    /// alternative at its first document after the window.
    pub(super) fn fill(&mut self, window: &mut Window) {
        let end = window.end();
        for term in &mut self.terms {
            term.add_until(end, window);
        }
        for scorer in &mut self.others {
            while scorer.doc() < end {
                window.add(scorer.doc(), scorer.score());
                scorer.advance();
            }
        }
    }
}

/// Documents scored together: a window of the segment small enough to stay in the cache.
const WINDOW: usize = 4096;

/// One term's postings, read block by block.
struct TermCursor {
    postings: BlockSegmentPostings,
    /// Index of the next document in the current block.
    at: usize,
    /// Each document's field norm id.
    norms: OwnedBytes,
    bm25: Bm25Weight,
}

impl TermCursor {
    fn doc(&self) -> DocId {
        self.postings
            .docs()
            .get(self.at)
            .copied()
            .unwrap_or(TERMINATED)
    }

    /// Moves to the first document at or after `target`, skipping whole blocks unread.
    fn skip_to(&mut self, target: DocId) {
        if self.doc() < target {
            self.at = self.postings.seek(target);
        }
    }

    /// Adds the scores of the term's documents before `end` to `window`.
    fn add_until(&mut self, end: DocId, window: &mut Window) {
        loop {
            let docs = &self.postings.docs()[self.at..];
            if docs.is_empty() {
                return;
            }
            let n = docs.partition_point(|&d| d < end);
            let freqs = self.postings.freqs();
            let norms = self.norms.as_slice();
            if freqs.len() >= self.at + n {
                for (&doc, &tf) in docs[..n].iter().zip(&freqs[self.at..]) {
                    window.add(doc, self.bm25.score(norms[doc as usize], tf));
                }
            } else {
                // A term indexed without frequencies: each document counts it once.
                for &doc in &docs[..n] {
                    window.add(doc, self.bm25.score(norms[doc as usize], 1));
                }
            }
            if n < docs.len() {
                self.at += n;
                return;
            }
            self.postings.advance();
            self.at = 0;
        }
    }
}

/// Scores summed per document of a window of the segment, and which documents match.
pub struct Window {
    /// The first document; a multiple of 64.
    start: DocId,
    /// What the window's matches rank by before their scores (see [`Window::primary`]).
    primary: u64,
    scores: Box<[Score; WINDOW]>,
    matched: Box<[u64; WINDOW / 64]>,
}

impl Window {
    /// How many 64-document words a window has.
    pub(super) const WORDS: usize = WINDOW / 64;

    pub(super) fn new() -> Self {
        Window {
            start: 0,
            primary: 0,
            scores: Box::new([0.0; WINDOW]),
            matched: Box::new([0; WINDOW / 64]),
        }
    }

    /// Makes the window the one holding `doc`. Windows start on a multiple of 64, so that
    /// their words are the segment's.
    pub(super) fn start_at(&mut self, doc: DocId) {
        self.start = doc - doc % 64;
    }

    /// The window's first document.
    pub(super) fn start(&self) -> DocId {
        self.start
    }

    /// What the window's matches rank by, by relevance, before their scores: how much of the
    /// query they cover when a search relaxes it ([`coverage`](super::coverage)), 0 otherwise.
    pub fn primary(&self) -> u64 {
        self.primary
    }

    pub(super) fn set_primary(&mut self, primary: u64) {
        self.primary = primary;
    }

    /// The first document after the window.
    pub(super) fn end(&self) -> DocId {
        self.start.saturating_add(WINDOW as u32)
    }

    /// The index, among the segment's 64-document words, of the window's first word.
    pub fn first_word(&self) -> usize {
        self.start as usize / 64
    }

    /// The matching documents, one bit each, 64 to a word from the window's start.
    pub fn words(&self) -> &[u64] {
        &self.matched[..]
    }

    /// The score of a matching document of the window.
    pub fn score(&self, doc: DocId) -> Score {
        self.scores[(doc - self.start) as usize]
    }

    #[inline(always)]
    fn add(&mut self, doc: DocId, score: Score) {
        let d = (doc - self.start) as usize;
        self.scores[d] += score;
        self.matched[d / 64] |= 1 << (d % 64);
    }

    /// Makes the window's matches those of `found` (a word per 64 documents), each scored
    /// with the sum of its scores in `parts`, in order; `parts` start where this window does.
    pub(super) fn set_sums(&mut self, found: &[u64; Self::WORDS], parts: &[Window]) {
        for (w, &word) in found.iter().enumerate() {
            self.matched[w] = word;
            let mut bits = word;
            while bits != 0 {
                let d = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                self.scores[d] = parts.iter().map(|p| p.scores[d]).sum();
            }
        }
    }

    /// The scores of the window's `w`th 64 documents (0 where nothing matched).
    pub fn word_scores(&self, w: usize) -> &[Score; 64] {
        self.scores[w * 64..][..64].try_into().expect("64 scores")
    }

    /// Empties the window, visiting only the words that have a match. A word's 64 scores
    /// are zeroed together: a few vector stores, where zeroing them match by match is a
    /// chain of dependent bit operations (a common term matches most words several times).
    pub(super) fn clear(&mut self) {
        for (w, word) in self.matched.iter_mut().enumerate() {
            if std::mem::take(word) != 0 {
                self.scores[w * 64..][..64].fill(0.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::PhraseQuery;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    /// Every matching document with its score, as `weight.for_each` hands them out.
    fn scored(weight: &dyn Weight, reader: &SegmentReader) -> Vec<(DocId, Score)> {
        let mut out = Vec::new();
        weight
            .for_each(reader, &mut |doc, score| out.push((doc, score)))
            .expect("for_each");
        out
    }

    #[test]
    fn scores_every_document_as_the_union_does() {
        // Enough documents for several windows, with terms dense, sparse and absent from
        // whole windows, repeated and in documents of different lengths.
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer(15_000_000).expect("writer");
        for i in 0..20_000u32 {
            let mut doc = TantivyDocument::new();
            let mut text = String::from("filler");
            if i % 3 == 0 {
                text.push_str(" kotihoito kotihoito");
            }
            if i % 7 == 0 || (5_000..5_100).contains(&i) {
                text.push_str(" omaishoito tuki");
            }
            for _ in 0..i % 11 {
                text.push_str(" sana");
            }
            doc.add_text(body, &text);
            if i % 500 == 1 {
                doc.add_text(title, "kotihoito");
            }
            writer.add_document(doc).expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let phrase = PhraseQuery::new(vec![
            Term::from_field_text(body, "omaishoito"),
            Term::from_field_text(body, "tuki"),
        ]);
        let query = Disjunction {
            terms: vec![
                (Term::from_field_text(title, "kotihoito"), 3.0),
                (Term::from_field_text(body, "kotihoito"), 1.0),
                (Term::from_field_text(body, "absent"), 1.0),
                (Term::from_field_text(body, "sana"), 0.25),
            ],
            others: vec![(Box::new(phrase), 0.4)],
        };
        let union = query
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .expect("weight");
        let lookups = Lookups::of(query.terms(), &searcher).expect("looked up");
        let windowed = query.windowed(&searcher, &lookups).expect("windowed");
        let mut matched = 0;
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            let expected = scored(union.as_ref(), reader);
            let mut ours = Vec::new();
            windowed
                .for_each_window(segment as u32, reader, &mut |window| {
                    for (i, &word) in window.words().iter().enumerate() {
                        for bit in (0..64).filter(|b| word & (1 << b) != 0) {
                            let doc = ((window.first_word() + i) * 64 + bit) as DocId;
                            ours.push((doc, window.score(doc)));
                        }
                    }
                })
                .expect("windows");
            assert_eq!(ours, expected);
            matched += expected.len();
        }
        assert!(matched > 10_000, "{matched} documents matched");
    }
}

//! Words all of which must match, each a [`Disjunction`] of its alternatives, scored window
//! by window.
//!
//! Tantivy intersects unions by seeking: the rarest word's union proposes a document and
//! every other union seeks to it, each seek moving every one of its (dozens of) alternatives.
//! Here each word fills its own window of the segment, alternative by alternative as a
//! whole-query disjunction does ([`disjunction`](super::disjunction)); the windows' matches
//! are intersected 64 documents at a time and the words' scores summed. Once the words read
//! so far share no document in the window, the others skip it unread, and the next window
//! starts at the latest of the words' next matches. Anywhere else (nested in a larger query)
//! a [`Conjunction`] is the Boolean query of its words' unions, with the same scores (to the
//! bit for two words; more are summed in another order).

use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, Weight};
use tantivy::{Searcher, SegmentReader, TERMINATED, Term};

use super::disjunction::{
    Cursors, Disjunction, Lookups, Window, Windowed, Windows, cursors_each, windowed_each,
};

/// Documents matching every one of `all` and none of `none`; a document's score is the sum
/// of its scores in `all`. Built by the query builder (`build.rs`).
#[derive(Debug, Clone, Default)]
pub struct Conjunction {
    /// Each required word's alternatives.
    pub(super) all: Vec<Disjunction>,
    /// Each excluded word's alternatives.
    pub(super) none: Vec<Disjunction>,
}

impl Conjunction {
    /// The same conjunction as a Boolean query: what it is nested in a larger query.
    fn to_boolean(&self) -> BooleanQuery {
        let clause = |occur: Occur| move |d: &Disjunction| (occur, d.clone().into_nested());
        BooleanQuery::new(
            self.all
                .iter()
                .map(clause(Occur::Must))
                .chain(self.none.iter().map(clause(Occur::MustNot)))
                .collect(),
        )
    }

    /// The single-term alternatives of its words, which [`Conjunction::windowed`] reads from
    /// [`Lookups`].
    pub(super) fn terms(&self) -> impl Iterator<Item = &Term> {
        self.all
            .iter()
            .chain(&self.none)
            .flat_map(Disjunction::terms)
    }

    /// What scores the conjunction window by window in `searcher`'s segments, its terms
    /// found in `lookups`.
    pub(super) fn windowed(
        &self,
        searcher: &Searcher,
        lookups: &Lookups,
    ) -> tantivy::Result<WindowedConjunction> {
        Ok(WindowedConjunction {
            all: windowed_each(&self.all, searcher, lookups)?,
            none: windowed_each(&self.none, searcher, lookups)?,
        })
    }
}

impl Query for Conjunction {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        self.to_boolean().weight(scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for word in self.all.iter().chain(&self.none) {
            word.query_terms(visitor);
        }
    }
}

/// A conjunction ready to score window by window.
pub struct WindowedConjunction {
    all: Vec<Windowed>,
    none: Vec<Windowed>,
}

impl Windows for WindowedConjunction {
    fn for_each_window(
        &self,
        segment: u32,
        reader: &SegmentReader,
        f: &mut dyn FnMut(&Window),
    ) -> tantivy::Result<()> {
        let mut all = cursors_each(&self.all, segment, reader)?;
        let mut none = cursors_each(&self.none, segment, reader)?;
        if all.is_empty() {
            return Ok(());
        }
        // The rarest word first: where it has nothing, the others skip the window unread.
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by_key(|&w| all[w].cost());
        let mut windows: Vec<Window> = all.iter().map(|_| Window::new()).collect();
        let mut excluded = Window::new();
        let mut both = Window::new();
        loop {
            // No document before the last of the words' next matches can have them all.
            let first = all.iter().map(Cursors::doc).max().unwrap_or(TERMINATED);
            if first == TERMINATED {
                return Ok(());
            }
            both.start_at(first);
            let start = both.start();
            let mut found = [u64::MAX; Window::WORDS];
            for &w in &order {
                let word = &mut all[w];
                word.skip_to(start);
                let window = &mut windows[w];
                window.start_at(start);
                word.fill(window);
                for (bits, &has) in found.iter_mut().zip(window.words()) {
                    *bits &= has;
                }
                // The word filled is past the window: the next one starts after it anyway.
                if found.iter().all(|&bits| bits == 0) {
                    break;
                }
            }
            if found.iter().any(|&bits| bits != 0) {
                for word in &mut none {
                    word.skip_to(start);
                    excluded.start_at(start);
                    word.fill(&mut excluded);
                    for (bits, &has) in found.iter_mut().zip(excluded.words()) {
                        *bits &= !has;
                    }
                    excluded.clear();
                }
            }
            if found.iter().any(|&bits| bits != 0) {
                both.set_sums(&found, &windows);
                f(&both);
                both.clear();
            }
            for window in &mut windows {
                window.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::PhraseQuery;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{DocId, Index, IndexWriter, Score, TantivyDocument};

    #[test]
    fn scores_every_document_as_the_boolean_query_does() {
        // Several windows, with words dense, sparse, absent from whole windows and excluded.
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer(15_000_000).expect("writer");
        for i in 0..30_000u32 {
            let mut doc = TantivyDocument::new();
            let mut text = String::from("filler");
            if i % 3 == 0 {
                text.push_str(" kotihoito");
            }
            if i % 7 == 0 || (9_000..9_200).contains(&i) {
                text.push_str(" omaishoito tuki");
            }
            if i % 2 == 0 && i < 20_000 {
                text.push_str(" ikääntyneet");
            }
            if i % 5 == 0 {
                text.push_str(" pois");
            }
            for _ in 0..i % 11 {
                text.push_str(" sana");
            }
            doc.add_text(body, &text);
            if i % 500 == 1 || i % 21 == 0 {
                doc.add_text(title, "kotihoito tuki");
            }
            writer.add_document(doc).expect("add");
        }
        writer.commit().expect("commit");
        // A second segment, with a word the first does not have.
        for i in 0..3_000u32 {
            let text = match i % 4 {
                0 => "harvinainen kotihoito omaishoito tuki",
                1 => "kotihoito tuki pois",
                _ => "filler",
            };
            writer
                .add_document(tantivy::doc!(body => text))
                .expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let term = |field, text| Term::from_field_text(field, text);
        let word = |text: &'static str, boost: Score| Disjunction {
            terms: vec![(term(title, text), 3.0 * boost), (term(body, text), boost)],
            others: Vec::new(),
        };
        let mut tuki = word("tuki", 1.0);
        tuki.others.push((
            Box::new(PhraseQuery::new(vec![
                term(body, "omaishoito"),
                term(body, "tuki"),
            ])),
            0.4,
        ));
        let two = Conjunction {
            all: vec![word("kotihoito", 1.0), tuki.clone()],
            none: Vec::new(),
        };
        let three = Conjunction {
            all: vec![word("kotihoito", 1.0), tuki, word("ikääntyneet", 0.7)],
            none: vec![word("pois", 1.0)],
        };
        let rare = Conjunction {
            all: vec![word("harvinainen", 1.0), word("kotihoito", 1.0)],
            none: vec![word("pois", 1.0)],
        };
        for (query, exact) in [(two, true), (three, false), (rare, true)] {
            let reference = query
                .weight(EnableScoring::enabled_from_searcher(&searcher))
                .expect("weight");
            let lookups = Lookups::of(query.terms(), &searcher).expect("looked up");
            let windowed = query.windowed(&searcher, &lookups).expect("windowed");
            let mut matched = 0;
            for (segment, reader) in searcher.segment_readers().iter().enumerate() {
                let mut expected = Vec::new();
                reference
                    .for_each(reader, &mut |doc, score| expected.push((doc, score)))
                    .expect("for_each");
                let mut ours = Vec::new();
                windowed
                    .for_each_window(segment as u32, reader, &mut |window| {
                        for (i, &bits) in window.words().iter().enumerate() {
                            for bit in (0..64).filter(|b| bits & (1 << b) != 0) {
                                let doc = ((window.first_word() + i) * 64 + bit) as DocId;
                                ours.push((doc, window.score(doc)));
                            }
                        }
                    })
                    .expect("windows");
                let docs = |v: &[(DocId, Score)]| v.iter().map(|p| p.0).collect::<Vec<_>>();
                assert_eq!(docs(&ours), docs(&expected));
                for (&(doc, a), &(_, b)) in ours.iter().zip(&expected) {
                    // Two words sum as Tantivy's intersection does; three in another order.
                    match exact {
                        true => assert_eq!(a, b, "document {doc}"),
                        false => assert!((a - b).abs() <= b * 1e-6, "document {doc}: {a} {b}"),
                    }
                }
                matched += expected.len();
            }
            assert!(matched > 200, "{matched} documents matched");
        }
    }
}

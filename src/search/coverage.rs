//! A query relaxed to documents matching most of its words, ranked by how many they match.
//!
//! When every word is required and few documents have them all, a search relaxes the query
//! (`match=most`, or `match=any` from the start): documents matching all the words come
//! first, then those matching all but one, and so on down to a floor; within each tier by
//! score, so a document missing a common word ranks above one missing a rare word (the
//! rare word carries more of the score, as its idf says). Each word fills its own window,
//! as in a [`Conjunction`](super::conjunction::Conjunction); a document's tier is the number
//! of the words' windows it is in, and the collector takes each tier of a window with the
//! tier as its [`primary`](Window::primary) key. Anywhere else (nested in a larger query) a
//! [`Coverage`] is the Boolean query of its words with a minimum number that must match:
//! the same documents, ranked by score alone.

use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, Weight};
use tantivy::{Searcher, SegmentReader, TERMINATED, Term};

use super::disjunction::{
    Cursors, Disjunction, Lookups, Window, Windowed, Windows, cursors_each, windowed_each,
};

/// Documents matching at least `floor` of `words` (or `together`, which counts as all of
/// them) and none of `none`.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// Each word's alternatives.
    pub(super) words: Vec<Disjunction>,
    /// Each word's weaker alternatives (other derivations of its root): they add to the
    /// score of a document matching enough words, but do not count as the word.
    pub(super) derived: Vec<Disjunction>,
    /// Alternatives that stand for all the words at once: their synonyms together.
    pub(super) together: Option<Disjunction>,
    /// Each excluded word's alternatives.
    pub(super) none: Vec<Disjunction>,
    /// The fewest words a document must match (at least 1).
    pub(super) floor: usize,
}

impl Coverage {
    /// The same query as a Boolean one: what it is nested in a larger query.
    fn to_boolean(&self) -> BooleanQuery {
        let nested = |d: &Disjunction| d.clone().into_nested();
        let words: Vec<(Occur, Box<dyn Query>)> = self
            .words
            .iter()
            .map(|d| (Occur::Should, nested(d)))
            .collect();
        let required = self.floor.clamp(1, words.len().max(1));
        let mut enough: Box<dyn Query> =
            Box::new(BooleanQuery::with_minimum_required_clauses(words, required));
        if let Some(together) = &self.together {
            // Either the words (enough of them) or their synonyms.
            enough = Box::new(BooleanQuery::new(vec![
                (Occur::Should, enough),
                (Occur::Should, nested(together)),
            ]));
        }
        let derived = self
            .derived
            .iter()
            .filter(|d| !d.is_empty())
            .map(|d| (Occur::Should, nested(d)));
        let excluded = self.none.iter().map(|d| (Occur::MustNot, nested(d)));
        BooleanQuery::new(
            std::iter::once((Occur::Must, enough))
                .chain(derived)
                .chain(excluded)
                .collect(),
        )
    }

    /// The single-term alternatives of its words, which [`Coverage::windowed`] reads from
    /// [`Lookups`].
    pub(super) fn terms(&self) -> impl Iterator<Item = &Term> {
        let words = self.words.iter().chain(&self.derived);
        words
            .chain(&self.together)
            .chain(&self.none)
            .flat_map(Disjunction::terms)
    }

    /// What scores the query window by window in `searcher`'s segments, its terms found in
    /// `lookups`.
    pub(super) fn windowed(
        &self,
        searcher: &Searcher,
        lookups: &Lookups,
    ) -> tantivy::Result<WindowedCoverage> {
        let windowed = |words: &[Disjunction]| windowed_each(words, searcher, lookups);
        Ok(WindowedCoverage {
            words: windowed(&self.words)?,
            derived: windowed(&self.derived)?,
            together: self
                .together
                .as_ref()
                .map(|d| d.windowed(searcher, lookups))
                .transpose()?,
            none: windowed(&self.none)?,
            floor: self.floor.max(1),
        })
    }
}

impl Query for Coverage {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        self.to_boolean().weight(scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        let words = self.words.iter().chain(&self.derived);
        for word in words.chain(&self.together).chain(&self.none) {
            word.query_terms(visitor);
        }
    }
}

/// A [`Coverage`] ready to score window by window.
pub struct WindowedCoverage {
    words: Vec<Windowed>,
    derived: Vec<Windowed>,
    together: Option<Windowed>,
    none: Vec<Windowed>,
    floor: usize,
}

impl Windows for WindowedCoverage {
    fn for_each_window(
        &self,
        segment: u32,
        reader: &SegmentReader,
        f: &mut dyn FnMut(&Window),
    ) -> tantivy::Result<()> {
        let open = |words: &[Windowed]| cursors_each(words, segment, reader);
        // The synonyms of all the words count as every word: the last "word", weighed so.
        let mut words = open(&self.words)?;
        let all = words.len();
        if let Some(together) = &self.together {
            words.push(together.cursors(segment, reader)?);
        }
        if words.is_empty() {
            return Ok(());
        }
        let counted = words.len();
        // The words' derivations follow, filled in the same windows but counting for none.
        words.extend(open(&self.derived)?);
        let mut none = open(&self.none)?;
        let mut windows: Vec<Window> = words.iter().map(|_| Window::new()).collect();
        let mut excluded = Window::new();
        let mut tier = Window::new();
        // Per tier (words matched), the window's documents in it, a bit each.
        let mut tiers = vec![[0u64; Window::WORDS]; all + 1];
        let mut exactly = vec![0u64; all + 1];
        loop {
            let first = words[..counted]
                .iter()
                .map(Cursors::doc)
                .min()
                .unwrap_or(TERMINATED);
            if first == TERMINATED {
                return Ok(());
            }
            tier.start_at(first);
            let start = tier.start();
            for (word, window) in words.iter_mut().zip(&mut windows) {
                word.skip_to(start);
                window.start_at(start);
                word.fill(window);
            }
            let mut found = [0u64; Window::WORDS];
            for window in &windows[..counted] {
                for (bits, &has) in found.iter_mut().zip(window.words()) {
                    *bits |= has;
                }
            }
            for word in &mut none {
                word.skip_to(start);
                excluded.start_at(start);
                word.fill(&mut excluded);
                for (bits, &has) in found.iter_mut().zip(excluded.words()) {
                    *bits &= !has;
                }
                excluded.clear();
            }
            // Each document's tier, the number of words whose windows hold it, worked out 64
            // documents at a time: `exactly[k]` holds those among the words counted so far
            // in exactly `k` of them, and each word moves its documents up a tier.
            for (w, &docs) in found.iter().enumerate() {
                if docs == 0 {
                    continue;
                }
                exactly.fill(0);
                exactly[0] = docs;
                for (i, window) in windows[..all].iter().enumerate() {
                    let has = window.words()[w];
                    for k in (1..=i + 1).rev() {
                        exactly[k] = (exactly[k] & !has) | (exactly[k - 1] & has);
                    }
                    exactly[0] &= !has;
                }
                // The words written together count as all of them.
                if let Some(together) = windows[all..counted].first() {
                    let together = together.words()[w] & docs;
                    for k in &mut exactly[..all] {
                        *k &= !together;
                    }
                    exactly[all] |= together;
                }
                for (tier, &docs) in tiers.iter_mut().zip(&exactly) {
                    tier[w] = docs;
                }
            }
            // Best tier first, each handed over with its tier as the primary key.
            for (matched, docs) in tiers.iter_mut().enumerate().rev() {
                if matched >= self.floor && docs.iter().any(|&bits| bits != 0) {
                    tier.set_sums(docs, &windows);
                    tier.set_primary(matched as u64);
                    f(&tier);
                    tier.clear();
                }
                *docs = [0; Window::WORDS];
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
    use std::collections::HashMap;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{DocId, Index, IndexWriter};

    #[test]
    fn every_document_matching_enough_words_is_in_the_tier_of_its_words() {
        // Several windows and two segments, words dense and sparse, an exclusion, a weaker
        // alternative, and synonyms of all the words together.
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer(15_000_000).expect("writer");
        for _segment in 0..2 {
            for i in 0..9_000u32 {
                let mut text = String::from("filler");
                for (word, every) in [("kotihoito", 3), ("omaishoito", 7), ("tuki", 5)] {
                    if i % every == 0 {
                        text.push(' ');
                        text.push_str(word);
                    }
                }
                if i % 11 == 0 {
                    text.push_str(" pois");
                }
                if i % 17 == 0 {
                    text.push_str(" lisä");
                }
                if i % 13 == 1 {
                    text.push_str(" yhdessä");
                }
                writer
                    .add_document(tantivy::doc!(body => text))
                    .expect("add");
            }
            writer.commit().expect("commit");
        }
        let searcher = index.reader().expect("reader").searcher();
        let word = |text: &str| Disjunction {
            terms: vec![(Term::from_field_text(body, text), 1.0)],
            others: Vec::new(),
        };
        let words = ["kotihoito", "omaishoito", "tuki"];
        for (floor, together) in [(1, true), (2, true), (3, true), (1, false)] {
            let coverage = Coverage {
                words: words.iter().map(|w| word(w)).collect(),
                // A weaker alternative of the first word: it scores but counts for none.
                derived: vec![word("lisä"), Disjunction::default(), Disjunction::default()],
                together: together.then(|| word("yhdessä")),
                none: vec![word("pois")],
                floor,
            };
            let reference = coverage
                .weight(EnableScoring::enabled_from_searcher(&searcher))
                .expect("weight");
            let lookups = Lookups::of(coverage.terms(), &searcher).expect("looked up");
            let windowed = coverage.windowed(&searcher, &lookups).expect("windowed");
            for (segment, reader) in searcher.segment_readers().iter().enumerate() {
                let mut expected = Vec::new();
                reference
                    .for_each(reader, &mut |doc, score| expected.push((doc, score)))
                    .expect("for_each");
                let mut ours: HashMap<DocId, (u64, f32)> = HashMap::new();
                windowed
                    .for_each_window(segment as u32, reader, &mut |window| {
                        for (i, &bits) in window.words().iter().enumerate() {
                            for bit in (0..64).filter(|b| bits & (1 << b) != 0) {
                                let doc = ((window.first_word() + i) * 64 + bit) as DocId;
                                let first = ours.insert(doc, (window.primary(), window.score(doc)));
                                assert!(first.is_none(), "document {doc} handed over twice");
                            }
                        }
                    })
                    .expect("windows");
                assert_eq!(ours.len(), expected.len(), "floor {floor}");
                for (doc, score) in expected {
                    // The document's words, from how the index was written.
                    let has = |every: u32| doc % every == 0;
                    let tier = match together && doc % 13 == 1 {
                        true => 3,
                        false => [3, 7, 5].into_iter().filter(|&e| has(e)).count() as u64,
                    };
                    let (ours_tier, ours_score) = ours[&doc];
                    assert_eq!(ours_tier, tier, "document {doc}");
                    assert!(!has(11) && tier >= floor as u64, "document {doc}");
                    // Nested, the synonyms replace the words when too few of them match;
                    // window by window, every word matched adds to the score.
                    match together && doc % 13 == 1 {
                        false => assert!((ours_score - score).abs() <= score * 1e-5, "{doc}"),
                        true => assert!(ours_score >= score * (1.0 - 1e-5), "{doc}"),
                    }
                }
            }
        }
    }
}

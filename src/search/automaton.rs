//! Queries for many terms of a field at once: those continuing a prefix being typed, or those
//! a few edits away from a typo.
//!
//! Tantivy's `FuzzyTermQuery` builds a Levenshtein automaton for each query, even for a plain
//! prefix (distance 0), and one for each field it is asked about. A prefix needs no automaton
//! at all (its terms are a range of the dictionary), and a typo's automaton depends only on
//! the word, so here one is built per word and shared by every field searched for it.

use std::sync::Arc;

use tantivy::query::{
    AutomatonWeight, BitSetDocSet, ConstScorer, DfaWrapper, EnableScoring, Explanation,
    FuzzyTermQuery, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TantivyError, Term};
use tantivy_fst::Automaton;

/// Every term of a field that continues a prefix being typed, each matching document scoring
/// the boost.
///
/// The terms are read as a range of the term dictionary, which is sought directly, rather
/// than through an automaton, which walked the dictionary's nodes along the way and cost a
/// tenth of a whole search for nine fields.
#[derive(Debug, Clone)]
pub struct PrefixQuery {
    field: Field,
    prefix: Arc<[u8]>,
    /// Only terms longer than the prefix: the prefix itself is a term the query finds anyway,
    /// and its postings are the longest to read.
    longer_only: bool,
}

impl PrefixQuery {
    /// The query for the terms of `field` starting with `prefix`; `longer_only` leaves out
    /// the term that is the prefix itself.
    pub fn new(field: Field, prefix: Arc<[u8]>, longer_only: bool) -> PrefixQuery {
        PrefixQuery {
            field,
            prefix,
            longer_only,
        }
    }
}

impl Query for PrefixQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for PrefixQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut docs = BitSet::with_max_value(reader.max_doc());
        let inverted = reader.inverted_index(self.field)?;
        let range = inverted.terms().range();
        let range = match self.longer_only {
            true => range.gt(&self.prefix),
            false => range.ge(&self.prefix),
        };
        let range = match prefix_end(&self.prefix) {
            Some(end) => range.lt(end),
            None => range,
        };
        let mut terms = range.into_stream()?;
        while terms.advance() {
            let mut postings = inverted
                .read_block_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
            while !postings.docs().is_empty() {
                for &doc in postings.docs() {
                    docs.insert(doc);
                }
                postings.advance();
            }
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(docs), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        match scorer.seek(doc) == doc {
            true => Ok(Explanation::new("PrefixQuery", scorer.score())),
            false => Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            ))),
        }
    }
}

/// The first byte string after every string starting with `prefix`; `None` when there is
/// none (the prefix is empty or all 0xFF bytes).
pub(super) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// The Levenshtein automaton of the terms within `distance` edits of `word` (a swap of two
/// neighbouring letters counting as one).
pub fn typo(word: &str, distance: u8) -> Result<DfaWrapper, TantivyError> {
    // The field does not matter: only the word and the distance shape the automaton.
    FuzzyTermQuery::new(
        Term::from_field_text(Field::from_field_id(0), word),
        distance,
        true,
    )
    .automaton()
}

/// Every term of `field` that `automaton` accepts, each matching document scoring the boost.
pub struct AutomatonQuery<A> {
    field: Field,
    automaton: Arc<A>,
}

impl<A> AutomatonQuery<A> {
    /// The query for `field`; the automaton may be shared with other fields' queries.
    pub fn new(field: Field, automaton: Arc<A>) -> Self {
        AutomatonQuery { field, automaton }
    }
}

impl<A> Clone for AutomatonQuery<A> {
    fn clone(&self) -> Self {
        AutomatonQuery {
            field: self.field,
            automaton: self.automaton.clone(),
        }
    }
}

impl<A> std::fmt::Debug for AutomatonQuery<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AutomatonQuery({:?})", self.field)
    }
}

impl<A> Query for AutomatonQuery<A>
where
    A: Automaton + Send + Sync + 'static,
    A::State: Clone,
{
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AutomatonWeight::<A>::new(
            self.field,
            self.automaton.clone(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tantivy::collector::DocSetCollector;
    use tantivy::schema::{STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    fn matching(words: &[&str], query: &PrefixQuery) -> usize {
        let mut schema = Schema::builder();
        let field = schema.add_text_field("word", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer(15_000_000).unwrap();
        for w in words {
            let mut doc = TantivyDocument::new();
            doc.add_text(field, w);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let query = PrefixQuery {
            field,
            ..query.clone()
        };
        let searcher = index.reader().unwrap().searcher();
        searcher.search(&query, &DocSetCollector).unwrap().len()
    }

    #[test]
    fn a_prefix_finds_the_terms_starting_with_it() {
        let words = [
            "lastensuoj",
            "lastensuojelu",
            "lastensuo",
            "lasten",
            "kotihoito",
        ];
        let field = Field::from_field_id(0);
        let prefix =
            |p: &str, longer_only| PrefixQuery::new(field, p.as_bytes().into(), longer_only);
        assert_eq!(matching(&words, &prefix("lastensuoj", false)), 2);
        assert_eq!(matching(&words, &prefix("lastensuoj", true)), 1);
        assert_eq!(matching(&words, &prefix("lasten", false)), 4);
        assert_eq!(
            matching(&["äldreomsorg", "aldreomsorg"], &prefix("äldre", false)),
            1
        );
        assert_eq!(matching(&["\u{10FFFF}x"], &prefix("\u{10FFFF}", false)), 1);
    }

    #[test]
    fn the_end_of_a_prefix_is_the_next_string_after_all_its_continuations() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[b'a', 0xFF]), Some(b"b".to_vec()));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
        assert_eq!(prefix_end(b""), None);
    }
}

//! Queries for every term of a field that an automaton accepts: a prefix being typed, or the
//! terms a few edits away from a typo.
//!
//! Tantivy's `FuzzyTermQuery` builds a Levenshtein automaton for each query, even for a plain
//! prefix (distance 0), and one for each field it is asked about. A prefix needs no
//! Levenshtein automaton at all, and a typo's automaton depends only on the word, so here one
//! is built per word and shared by every field searched for it.

use std::sync::Arc;

use tantivy::query::{AutomatonWeight, DfaWrapper, EnableScoring, FuzzyTermQuery, Query, Weight};
use tantivy::schema::Field;
use tantivy::{TantivyError, Term};
use tantivy_fst::Automaton;

/// Accepts the terms that start with a prefix.
#[derive(Debug)]
pub struct Prefix(Box<[u8]>);

impl Prefix {
    /// The automaton of `prefix`.
    pub fn new(prefix: &str) -> Prefix {
        Prefix(prefix.as_bytes().into())
    }
}

impl Automaton for Prefix {
    /// How many bytes of the prefix have been read; `None` once a byte differed.
    type State = Option<usize>;

    fn start(&self) -> Option<usize> {
        Some(0)
    }

    fn is_match(&self, state: &Option<usize>) -> bool {
        *state == Some(self.0.len())
    }

    fn can_match(&self, state: &Option<usize>) -> bool {
        state.is_some()
    }

    fn will_always_match(&self, state: &Option<usize>) -> bool {
        self.is_match(state)
    }

    fn accept(&self, state: &Option<usize>, byte: u8) -> Option<usize> {
        let read = (*state)?;
        match self.0.get(read) {
            None => Some(read),
            Some(&expected) => (expected == byte).then_some(read + 1),
        }
    }
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

    fn accepts(automaton: &Prefix, word: &str) -> bool {
        let mut state = automaton.start();
        for &b in word.as_bytes() {
            state = automaton.accept(&state, b);
        }
        automaton.is_match(&state)
    }

    #[test]
    fn a_prefix_accepts_the_words_starting_with_it() {
        let prefix = Prefix::new("lastensuoj");
        assert!(accepts(&prefix, "lastensuojelu"));
        assert!(accepts(&prefix, "lastensuoj"));
        assert!(!accepts(&prefix, "lastensuo"));
        assert!(!accepts(&prefix, "lasten"));
        assert!(!accepts(&prefix, "kotihoito"));
        let nordic = Prefix::new("äldre");
        assert!(accepts(&nordic, "äldreomsorg"));
        assert!(!accepts(&nordic, "aldreomsorg"));
    }
}

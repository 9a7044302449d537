//! The analyzer as Tantivy tokenizers, one per language and field class.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use std::cell::RefCell;
use std::hash::BuildHasher;
use std::rc::Rc;

use super::compound::MIN_WORD_CHARS;
use super::pipeline::{AnalyzedToken, Analyzer, Origin, fold};
use super::synonyms::Phrases;

/// Which of a text's terms a field indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Main terms: base forms, stems, completed coordinations.
    Main,
    /// Compound parts.
    Parts,
    /// Main terms with ä/ö/å folded (at index time, the folded main terms of the text as
    /// written; queries fold and look up what the user typed, see `Analyzer::analyze_folded`).
    Folded,
    /// Compounds the lexicon knows, written as two words side by side (`puolen ajan` holds
    /// *puoliaika*, `lasten suojelua` *lastensuojelu*): what a compound typed whole finds
    /// written apart, with one term lookup instead of a phrase of two common words. And the
    /// synonyms of several words a text has (`home care`), each as one term ([`Phrases`]).
    Pairs,
}

/// A Tantivy tokenizer running the full analyzer and keeping one class of terms.
#[derive(Clone)]
pub struct FieldTokenizer {
    analyzer: Analyzer,
    class: Class,
}

impl FieldTokenizer {
    /// A tokenizer for `class` terms of `analyzer`.
    pub fn new(analyzer: Analyzer, class: Class) -> Self {
        FieldTokenizer { analyzer, class }
    }
}

impl Tokenizer for FieldTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let analyzed = recent_analysis(self.analyzer, text);
        if self.class == Class::Pairs {
            return VecTokenStream {
                tokens: pairs(&self.analyzer, text, &analyzed),
                next: 0,
            };
        }
        let wanted = |origin: Origin| {
            // Words a coordination only implies are weaker evidence than written ones:
            // they go with the compound parts, weighted below whole words.
            matches!(origin, Origin::CompoundPart | Origin::Coordination)
                == (self.class == Class::Parts)
        };
        let tokens = analyzed
            .iter()
            .filter(|t| wanted(t.origin))
            .map(|t| Token {
                offset_from: t.start,
                offset_to: t.end,
                position: t.position,
                text: match self.class {
                    Class::Folded => fold(&t.term),
                    _ => t.term.clone(),
                },
                position_length: 1,
            })
            .collect();
        VecTokenStream { tokens, next: 0 }
    }
}

/// The known compounds two neighbouring words spell, as the compound's main term at the first
/// word's position. A compound inflects at its end, so the two words are joined as written
/// (`lasten` + `suojelua`), or with the first in its base form (`puolen ajan` → `puoli` +
/// `ajan`), and looked up among the lexicon's word forms. A stop word between two words holds
/// its position, so it keeps them apart, as it keeps a phrase from matching. Then the synonyms
/// of several words whose words stand there in order, at the first one's position.
fn pairs(analyzer: &Analyzer, text: &str, analyzed: &[AnalyzedToken]) -> Vec<Token> {
    let main: Vec<&AnalyzedToken> = analyzed
        .iter()
        .filter(|t| !matches!(t.origin, Origin::CompoundPart | Origin::Coordination))
        .collect();
    // Each word as written, lowercase: once, as it is the first of one pair and the second
    // of another.
    let written: Vec<String> = main
        .iter()
        .map(|t| text[t.start..t.end].to_lowercase())
        .collect();
    // The main terms are in position order (several readings of a word share one).
    let has = |position: usize, term: &str| {
        let from = main.partition_point(|t| t.position < position);
        main[from..]
            .iter()
            .take_while(|t| t.position == position)
            .any(|t| t.term == term)
    };
    let phrases = Phrases::of(*analyzer);
    let mut tokens: Vec<Token> = Vec::new();
    let mut candidate = String::new();
    for (i, first) in main.iter().enumerate() {
        for key in phrases.starting(&first.term, first.position, has) {
            let again = tokens
                .iter()
                .rev()
                .take_while(|t| t.position == first.position)
                .any(|t| t.text == key);
            if !again {
                tokens.push(Token {
                    offset_from: first.start,
                    offset_to: first.end,
                    position: first.position,
                    text: key.to_owned(),
                    position_length: 1,
                });
            }
        }
        let heads: &[&str] = if written[i] == first.term {
            &[&first.term]
        } else {
            &[&written[i], &first.term]
        };
        // A position may hold several main terms (several readings of a word): each pairs.
        let next = (i + 1..main.len())
            .skip_while(|&j| main[j].position == first.position)
            .take_while(|&j| main[j].position == first.position + 1);
        for j in next {
            let second = main[j];
            for head in heads {
                candidate.clear();
                candidate.push_str(head);
                candidate.push_str(&written[j]);
                // Shorter words are never split into parts, so never searched for apart.
                if candidate.chars().count() < MIN_WORD_CHARS || !analyzer.knows(&candidate) {
                    continue;
                }
                let term = analyzer.word(&candidate, false).main.clone();
                // Only a compound is searched for apart.
                if !analyzer.knows_long_lemma(&term) {
                    continue;
                }
                let again = tokens
                    .last()
                    .is_some_and(|t| t.text == term && t.position == first.position);
                if !again {
                    tokens.push(Token {
                        offset_from: first.start,
                        offset_to: second.end,
                        position: first.position,
                        text: term,
                        position_length: 2,
                    });
                }
            }
        }
    }
    tokens
}

/// Texts analysed most recently on this thread, newest last.
const RECENT_TEXTS: usize = 8;

/// A recently analysed text: analyzer, hash and length of the text, and its tokens.
type Recent = (Analyzer, u64, usize, Rc<Vec<AnalyzedToken>>);

thread_local! {
    static RECENT: RefCell<Vec<Recent>> = const { RefCell::new(Vec::new()) };
}

/// The analysis of `text`, shared by the fields that index the same text: a document's
/// text goes into its main, compound-part and folded fields, and is analysed once.
fn recent_analysis(analyzer: Analyzer, text: &str) -> Rc<Vec<AnalyzedToken>> {
    let hash = rustc_hash::FxBuildHasher.hash_one(text);
    let key = (analyzer, hash, text.len());
    if let Some(hit) = RECENT.with(|r| {
        r.borrow()
            .iter()
            .find(|(a, h, n, _)| (*a, *h, *n) == key)
            .map(|e| e.3.clone())
    }) {
        return hit;
    }
    let analyzed = Rc::new(analyzer.analyze(text));
    RECENT.with(|r| {
        let mut recent = r.borrow_mut();
        if recent.len() >= RECENT_TEXTS {
            recent.remove(0);
        }
        recent.push((analyzer, hash, text.len(), analyzed.clone()));
    });
    analyzed
}

/// A token stream over precomputed tokens.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Language;

    #[test]
    fn neighbouring_words_that_spell_a_known_compound_are_indexed_as_it() {
        let mut tokenizer = FieldTokenizer::new(Analyzer::full(Language::Fi), Class::Pairs);
        let mut terms = |text: &str| {
            let mut stream = tokenizer.token_stream(text);
            let mut terms = Vec::new();
            while stream.advance() {
                terms.push(stream.token().text.clone());
            }
            terms
        };
        // The first word as written (a genitive) or in its base form, the second as written.
        assert_eq!(
            terms("Lasten suojelua ja puolen ajan kokous"),
            ["lastensuojelu", "puoliaika"]
        );
        // A stop word between, or words that spell no known compound: nothing.
        assert!(terms("lasten ja suojelun malli").is_empty());
    }

    #[test]
    fn synonyms_of_several_words_are_indexed_as_one_term_where_their_words_stand_in_order() {
        let terms = |lang: Language, text: &str| {
            let mut tokenizer = FieldTokenizer::new(Analyzer::full(lang), Class::Pairs);
            let mut stream = tokenizer.token_stream(text);
            let mut terms = Vec::new();
            while stream.advance() {
                terms.push(stream.token().text.clone());
            }
            terms
        };
        let home_care = |lang| Phrases::key(Analyzer::full(lang), "home care");
        let key = home_care(Language::En).expect("a phrase of two words");
        assert_eq!(
            terms(Language::En, "Home care in the evening"),
            [key.as_str()]
        );
        // Inflected as the member's words are, once per place it stands.
        assert_eq!(
            terms(Language::En, "Planning homes' care; home cares"),
            [key.as_str(), key.as_str()]
        );
        // Apart, or the other way round: no phrase.
        assert!(terms(Language::En, "care at home, home and care").is_empty());
        // A stop word in the member holds its place: "health and social services".
        let key = Phrases::key(Analyzer::full(Language::En), "health and social services")
            .expect("a phrase");
        assert!(key.contains("  "), "{key:?}");
        assert_eq!(
            terms(Language::En, "Health and social services for all"),
            [key.as_str()]
        );
        // As in a phrase query, any word may stand in its place, but it must stand there.
        assert!(terms(Language::En, "health social services").is_empty());
    }
}

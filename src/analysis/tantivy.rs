//! The analyzer as Tantivy tokenizers, one per language and field class.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use std::cell::RefCell;
use std::hash::BuildHasher;
use std::rc::Rc;

use super::compound::MIN_WORD_CHARS;
use super::pipeline::{Analyzer, Lowered, TextTerm, fold_into};
use super::synonyms::{Phrases, phrase_key};
use crate::schema::Language;

/// Which of a text's terms a field indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Main terms: base forms, stems, completed coordinations.
    Main,
    /// Compound parts.
    Parts,
    /// Main terms with ä/ö/å folded (at index time, the folded main terms of the text as
    /// written; queries fold and look up what the user typed, see `Analyzer::analyze_folded`).
    /// Only the terms folding changes: one it leaves as it is (a fifth of Finnish words have
    /// ä/ö/å) is a main term of the text already, and the query looks it up there. Indexing
    /// every term twice cost a fifth of a build's time.
    Folded,
    /// Compounds the lexicon knows, written as two words side by side (`puolen ajan` holds
    /// *puoliaika*, `lasten suojelua` *lastensuojelu*): what a compound typed whole finds
    /// written apart, with one term lookup instead of a phrase of two common words. Two
    /// neighbouring words' base forms joined by a space (`työllisyys palvelu`) where the
    /// second is a common compound head ([`pairs_apart`]): the same for compounds the lexicon
    /// does not know. And the synonyms of several words a text has (`home care`), each as one
    /// term ([`Phrases`]).
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
    type TokenStream<'a> = FieldTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FieldTokenStream {
        let analyzed = recent_analysis(self.analyzer, text);
        if self.class == Class::Pairs {
            return FieldTokenStream::Tokens(VecTokenStream {
                tokens: pairs(&self.analyzer, text, &analyzed),
                next: 0,
            });
        }
        FieldTokenStream::Terms(TermStream {
            terms: analyzed,
            class: self.class,
            next: 0,
            token: Token::default(),
        })
    }
}

/// The known compounds two neighbouring words spell, as the compound's main term at the first
/// word's position. A compound inflects at its end, so the two words are joined as written
/// (`lasten` + `suojelua`), or with the first in its base form (`puolen ajan` → `puoli` +
/// `ajan`), and looked up among the lexicon's word forms. A stop word between two words holds
/// its position, so it keeps them apart, as it keeps a phrase from matching. Then the synonyms
/// of several words whose words stand there in order, at the first one's position.
fn pairs(analyzer: &Analyzer, text: &str, analyzed: &[TextTerm]) -> Vec<Token> {
    let main: Vec<&TextTerm> = analyzed
        .iter()
        .filter(|t| !t.origin.in_parts_field())
        .collect();
    // Each word as written, lowercase: once, as it is the first of one pair and the second
    // of another; all in one string.
    let mut lowered = Lowered::with_capacity(text.len());
    for t in &main {
        lowered.push_lowercase(&text[t.start..t.end]);
    }
    let written = |i: usize| lowered.get(i);
    // The main terms are in position order (several readings of a word share one).
    let has = |position: usize, term: &str| {
        let from = main.partition_point(|t| t.position < position);
        main[from..]
            .iter()
            .take_while(|t| t.position == position)
            .any(|t| t.term() == term)
    };
    let phrases = Phrases::of(*analyzer);
    let mut tokens: Vec<Token> = Vec::new();
    // Two neighbouring words written together, to be looked up, and which two they are.
    let mut joined = Lowered::default();
    let mut joined_from: Vec<(usize, usize)> = Vec::new();
    for (i, first) in main.iter().enumerate() {
        for key in phrases.starting(first.term(), first.position, has) {
            let key = key.to_owned();
            push_once(&mut tokens, key, first.position, first.start, first.end);
        }
        let heads: &[&str] = if written(i) == first.term() {
            &[first.term()]
        } else {
            &[written(i), first.term()]
        };
        // A position may hold several main terms (several readings of a word): each pairs.
        let next = (i + 1..main.len())
            .skip_while(|&j| main[j].position == first.position)
            .take_while(|&j| main[j].position == first.position + 1);
        for j in next {
            let second = main[j];
            // The two words' base forms side by side, as a phrase of them is keyed: what a
            // compound the lexicon does not know finds of its parts written apart.
            if pairs_apart(analyzer.language(), second.term()) {
                push_once(
                    &mut tokens,
                    phrase_key(&[(0, first.term().to_owned()), (1, second.term().to_owned())]),
                    first.position,
                    first.start,
                    second.end,
                );
            }
            for head in heads {
                // Shorter words are never split into parts, so never searched for apart.
                if head.chars().count() + written(j).chars().count() >= MIN_WORD_CHARS {
                    joined.push_joined(head, written(j));
                    joined_from.push((i, j));
                }
            }
        }
    }
    // Almost none is a word: each lookup is then one read of the lexicon's filter, and
    // making them all at once is cheaper than one after the other.
    analyzer.prepare_knows(joined.iter());
    let mut compounds: Vec<Token> = Vec::new();
    for (candidate, (i, j)) in joined.iter().zip(joined_from) {
        if !analyzer.knows(candidate) {
            continue;
        }
        let term = analyzer.word(candidate, false).main.to_string();
        // Only a compound is searched for apart.
        if !analyzer.knows_long_lemma(&term) {
            continue;
        }
        let (first, second) = (main[i], main[j]);
        push_once(
            &mut compounds,
            term,
            first.position,
            first.start,
            second.end,
        );
    }
    if !compounds.is_empty() {
        // In position order, as a token stream is (stable: a position's tokens keep theirs).
        tokens.extend(compounds);
        tokens.sort_by_key(|t| t.position);
    }
    tokens
}

/// The commonest last parts of the compounds of sote texts, in base form. Two neighbouring
/// words whose second is one of them are indexed as their pair in the pairs field, so that a
/// compound the lexicon does not list (`työllisyyspalvelut`, `päihdetyö`) finds its parts
/// written apart (`työllisyyden palvelut`) with one term; the parts of other compounds are
/// phrases. Every pair of neighbouring words was tried: the index grew by two fifths.
const COMMON_HEADS_FI: &[&str] = &[
    "hanke",
    "hoito",
    "kehittäminen",
    "keskus",
    "koulutus",
    "kuntoutus",
    "malli",
    "neuvonta",
    "ohjaus",
    "ohjelma",
    "osallisuus",
    "palvelu",
    "ryhmä",
    "suunnitelma",
    "toiminta",
    "toimintamalli",
    "tuki",
    "työ",
    "vastaanotto",
    "verkosto",
    "yhteistyö",
];

/// Whether a pair of words ending in `head` (a main term of `lang`) is indexed as the pair:
/// what the query of a compound of two parts asks first.
pub fn pairs_apart(lang: Language, head: &str) -> bool {
    lang == Language::Fi && COMMON_HEADS_FI.contains(&head)
}

/// Adds a pairs token at `position` unless one with the same text is there already (two
/// readings of a word may spell the same pair).
fn push_once(tokens: &mut Vec<Token>, text: String, position: usize, from: usize, to: usize) {
    let again = tokens
        .iter()
        .rev()
        .take_while(|t| t.position == position)
        .any(|t| t.text == text);
    if !again {
        tokens.push(Token {
            offset_from: from,
            offset_to: to,
            position,
            text,
            position_length: 1,
        });
    }
}

/// Texts analysed most recently on this thread, newest last.
const RECENT_TEXTS: usize = 8;

/// A recently analysed text: analyzer, hash and length of the text, and its terms.
type Recent = (Analyzer, u64, usize, Rc<Vec<TextTerm>>);

thread_local! {
    static RECENT: RefCell<Vec<Recent>> = const { RefCell::new(Vec::new()) };
}

/// The analysis of `text`, shared by the fields that index the same text: a document's
/// text goes into its main, compound-part, folded and pairs fields, and is analysed once.
fn recent_analysis(analyzer: Analyzer, text: &str) -> Rc<Vec<TextTerm>> {
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
    let analyzed = Rc::new(analyzer.index_terms(text));
    RECENT.with(|r| {
        let mut recent = r.borrow_mut();
        if recent.len() >= RECENT_TEXTS {
            recent.remove(0);
        }
        recent.push((analyzer, hash, text.len(), analyzed.clone()));
    });
    analyzed
}

/// The token stream of a [`FieldTokenizer`].
pub enum FieldTokenStream {
    /// One class of a text's terms.
    Terms(TermStream),
    /// Tokens computed beforehand (the pairs field).
    Tokens(VecTokenStream),
}

impl TokenStream for FieldTokenStream {
    fn advance(&mut self) -> bool {
        match self {
            FieldTokenStream::Terms(s) => s.advance(),
            FieldTokenStream::Tokens(s) => s.advance(),
        }
    }

    fn token(&self) -> &Token {
        match self {
            FieldTokenStream::Terms(s) => &s.token,
            FieldTokenStream::Tokens(s) => s.token(),
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self {
            FieldTokenStream::Terms(s) => &mut s.token,
            FieldTokenStream::Tokens(s) => s.token_mut(),
        }
    }
}

/// The terms of one class of an analysed text, written one at a time into one token, as
/// Tantivy's own tokenizers do, rather than each into a string of its own.
pub struct TermStream {
    terms: Rc<Vec<TextTerm>>,
    class: Class,
    next: usize,
    token: Token,
}

impl TermStream {
    fn advance(&mut self) -> bool {
        let parts = self.class == Class::Parts;
        while let Some(t) = self.terms.get(self.next) {
            self.next += 1;
            if t.origin.in_parts_field() != parts {
                continue;
            }
            let token = &mut self.token;
            token.offset_from = t.start;
            token.offset_to = t.end;
            token.position = t.position;
            token.position_length = 1;
            token.text.clear();
            match self.class {
                Class::Folded => {
                    if t.term().is_ascii() {
                        continue;
                    }
                    fold_into(t.term(), &mut token.text);
                    if token.text == t.term() {
                        continue;
                    }
                }
                _ => token.text.push_str(t.term()),
            }
            return true;
        }
        false
    }
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
    use crate::analysis::pipeline::fold;
    use crate::schema::Language;

    /// (term, position, from, to) of every token a tokenizer emits.
    fn tokens(class: Class, lang: Language, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut tokenizer = FieldTokenizer::new(Analyzer::full(lang), class);
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    #[test]
    fn the_index_fields_take_the_terms_the_analysis_reports() {
        let texts = [
            (
                Language::Fi,
                "Mielenterveyspalveluissa ja SOTE-keskuksen ÄITIYSNEUVOLASSA",
            ),
            (
                Language::Fi,
                "sosiaali- ja terveyspalvelut, lasten suojelua ja vähentäminen",
            ),
            (Language::Fi, "THL:n työikäisten Päihdetyö; ΣΟΦΟΣ Åbo"),
            (
                Language::Sv,
                "Socialvårdslagen och äldreomsorgen i Östra Nyland",
            ),
            (Language::En, "Home care services for older people"),
        ];
        for (lang, text) in texts {
            let analyzed = Analyzer::full(lang).analyze(text);
            let expected = |parts: bool, folded: bool| -> Vec<(String, usize, usize, usize)> {
                analyzed
                    .iter()
                    .filter(|t| t.origin.in_parts_field() == parts)
                    .filter(|t| !folded || fold(&t.term) != t.term)
                    .map(|t| {
                        let term = if folded {
                            fold(&t.term)
                        } else {
                            t.term.clone()
                        };
                        (term, t.position, t.start, t.end)
                    })
                    .collect()
            };
            assert!(!expected(false, false).is_empty(), "{text}");
            // Every text but the English one has a word with ä/ö/å, which the folded field
            // holds folded (and only those).
            assert_eq!(
                expected(false, true).is_empty(),
                lang == Language::En,
                "{text}"
            );
            assert_eq!(
                tokens(Class::Main, lang, text),
                expected(false, false),
                "{text}"
            );
            assert_eq!(
                tokens(Class::Parts, lang, text),
                expected(true, false),
                "{text}"
            );
            assert_eq!(
                tokens(Class::Folded, lang, text),
                expected(false, true),
                "{text}"
            );
        }
    }

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
        let mut compounds = |text: &str| -> Vec<String> {
            terms(text)
                .into_iter()
                .filter(|t| !t.contains(' '))
                .collect()
        };
        // The first word as written (a genitive) or in its base form, the second as written.
        assert_eq!(
            compounds("Lasten suojelua ja puolen ajan kokous"),
            ["lastensuojelu", "puoliaika"]
        );
        // A stop word between, or words that spell no known compound: no compound.
        assert!(compounds("lasten ja suojelun malli").is_empty());
    }

    #[test]
    fn two_neighbouring_words_before_a_common_head_are_indexed_as_the_pair_of_their_base_forms() {
        let terms = |text: &str| {
            let mut tokenizer = FieldTokenizer::new(Analyzer::full(Language::Fi), Class::Pairs);
            let mut stream = tokenizer.token_stream(text);
            let mut terms = Vec::new();
            while stream.advance() {
                terms.push(stream.token().text.clone());
            }
            terms
        };
        let main = |word: &str| Analyzer::full(Language::Fi).word(word, false).main.clone();
        let pair = |a: &str, b: &str| format!("{} {}", main(a), main(b));
        let found = terms("lasten ja palvelujen malli");
        assert!(found.contains(&pair("palvelujen", "malli")), "{found:?}");
        // A stop word between keeps two words apart, as in a phrase (`palvelu` is a head).
        assert!(!found.contains(&pair("lasten", "palvelujen")), "{found:?}");
        // Only before a common compound head.
        let found = terms("suojelun malli kehittyy");
        assert!(!found.contains(&pair("malli", "kehittyy")), "{found:?}");
        // What `työllisyyspalvelut` (a compound the lexicon does not list) finds apart.
        let found = terms("Työllisyyden palvelut");
        assert!(
            found.contains(&pair("työllisyyden", "palvelut")),
            "{found:?}"
        );
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
        let count = |text: &str, key: &str| {
            terms(Language::En, text)
                .iter()
                .filter(|t| t.as_str() == key)
                .count()
        };
        assert_eq!(count("Home care in the evening", &key), 1);
        // Inflected as the member's words are, once per place it stands.
        assert_eq!(count("Planning homes' care; home cares", &key), 2);
        // Apart, or the other way round: no phrase.
        assert_eq!(count("care at home, home and care", &key), 0);
        // A stop word in the member holds its place: "health and social services".
        let key = Phrases::key(Analyzer::full(Language::En), "health and social services")
            .expect("a phrase");
        assert!(key.contains("  "), "{key:?}");
        assert_eq!(count("Health and social services for all", &key), 1);
        // As in a phrase query, any word may stand in its place, but it must stand there.
        assert_eq!(count("health social services", &key), 0);
    }
}

//! The analyzer as Tantivy tokenizers, one per language and field class.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use std::cell::RefCell;
use std::hash::BuildHasher;
use std::rc::Rc;

use super::pipeline::{AnalyzedToken, Analyzer, Origin, fold};

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

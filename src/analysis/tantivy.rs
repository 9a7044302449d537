//! The analyzer as Tantivy tokenizers, one per language and field class.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::pipeline::{Analyzer, Origin};

/// Which of a text's terms a field indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Main terms: base forms, stems, completed coordinations.
    Main,
    /// Compound parts.
    Parts,
    /// Main terms with ä/ö/å folded.
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
        let analyzed = match self.class {
            Class::Folded => self.analyzer.analyze_folded(text),
            _ => self.analyzer.analyze(text),
        };
        let wanted =
            |origin: Origin| (origin == Origin::CompoundPart) == (self.class == Class::Parts);
        let tokens = analyzed
            .into_iter()
            .filter(|t| wanted(t.origin))
            .map(|t| Token {
                offset_from: t.start,
                offset_to: t.end,
                position: t.position,
                text: t.term,
                position_length: 1,
            })
            .collect();
        VecTokenStream { tokens, next: 0 }
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

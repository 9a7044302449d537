//! A Tantivy token filter that stems with Snowball (the `rust-stemmers` crate).

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use crate::schema::Language;

/// Replaces each token's text with its Snowball stem in one language.
#[derive(Clone, Copy)]
pub struct SnowballFilter {
    algorithm: Algorithm,
}

impl SnowballFilter {
    /// The Snowball stemmer of `lang`.
    pub fn new(lang: Language) -> Self {
        let algorithm = match lang {
            Language::Fi => Algorithm::Finnish,
            Language::Sv => Algorithm::Swedish,
            Language::En => Algorithm::English,
        };
        SnowballFilter { algorithm }
    }
}

impl TokenFilter for SnowballFilter {
    type Tokenizer<T: Tokenizer> = SnowballTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> SnowballTokenizer<T> {
        SnowballTokenizer {
            inner,
            algorithm: self.algorithm,
        }
    }
}

/// The tokenizer a [`SnowballFilter`] wraps around another.
#[derive(Clone)]
pub struct SnowballTokenizer<T> {
    inner: T,
    algorithm: Algorithm,
}

impl<T: Tokenizer> Tokenizer for SnowballTokenizer<T> {
    type TokenStream<'a> = SnowballStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SnowballStream {
            tail: self.inner.token_stream(text),
            stemmer: Stemmer::create(self.algorithm),
        }
    }
}

/// The token stream of a [`SnowballTokenizer`].
pub struct SnowballStream<S> {
    tail: S,
    stemmer: Stemmer,
}

impl<S: TokenStream> TokenStream for SnowballStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        // `stem` borrows when nothing changes; only allocate when it does.
        if let std::borrow::Cow::Owned(stem) = self.stemmer.stem(&token.text) {
            token.text = stem;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

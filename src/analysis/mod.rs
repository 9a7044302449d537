//! Language analysis: how text becomes index terms, identically at index and query time.
//!
//! Each [`Language`] has one Tantivy analyzer, registered under the language code. This module
//! is the seam between text and the index: the index and search modules only ever ask for
//! "the analyzer of language L", never for a tokenizer or stemmer directly.

mod language;
mod stem;

use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, TokenizerManager,
};

use crate::schema::Language;

pub use language::detect_language;
pub use stem::SnowballFilter;

/// Which analyzer is active, as `/readyz` and the logs report it.
pub const DESCRIPTION: &str = "snowball (rust-stemmers): fi, sv, en";

/// Tokens longer than this many bytes are dropped: they are noise, not words.
const MAX_TOKEN_BYTES: usize = 64;

/// The name an analyzer is registered under in Tantivy's tokenizer manager.
pub fn analyzer_name(lang: Language) -> &'static str {
    match lang {
        Language::Fi => "text_fi",
        Language::Sv => "text_sv",
        Language::En => "text_en",
    }
}

/// The analyzer of one language: tokenize, lowercase, stem.
pub fn text_analyzer(lang: Language) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(SnowballFilter::new(lang))
        .build()
}

/// Registers every language's analyzer with an index's tokenizer manager.
pub fn register(manager: &TokenizerManager) {
    for lang in Language::ALL {
        manager.register(analyzer_name(lang), text_analyzer(lang));
    }
}

/// One term produced from a text, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AnalyzedToken {
    /// The term as indexed.
    pub term: String,
    /// The original text it came from.
    pub source: String,
    /// Byte offset where the source starts.
    pub start: usize,
    /// Byte offset where the source ends.
    pub end: usize,
    /// Token position (word number).
    pub position: usize,
}

/// Runs the analyzer of `lang` over `text`.
pub fn analyze(lang: Language, text: &str) -> Vec<AnalyzedToken> {
    let mut analyzer = text_analyzer(lang);
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(AnalyzedToken {
            term: token.text.clone(),
            source: text[token.offset_from..token.offset_to].to_owned(),
            start: token.offset_from,
            end: token.offset_to,
            position: token.position,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(lang: Language, text: &str) -> Vec<String> {
        analyze(lang, text).into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn inflected_forms_share_a_stem() {
        assert_eq!(
            terms(Language::Fi, "ikääntyneiden"),
            terms(Language::Fi, "ikääntyneet")
        );
        assert_eq!(
            terms(Language::Fi, "Palveluissa"),
            terms(Language::Fi, "palvelut")
        );
        assert_eq!(
            terms(Language::Sv, "familjecentralen"),
            terms(Language::Sv, "familjecentraler")
        );
        assert_eq!(
            terms(Language::En, "services"),
            terms(Language::En, "service")
        );
    }

    #[test]
    fn offsets_point_into_the_source() {
        let text = "Lasten ja nuorten palvelut";
        for t in analyze(Language::Fi, text) {
            assert_eq!(&text[t.start..t.end], t.source);
        }
    }
}

//! Language analysis: how text becomes index terms, identically at index and query time.
//!
//! [`Analyzer`] is the seam: the index registers it as Tantivy tokenizers (one per language
//! and field class, see [`register`]) and search, snippets and recommendations call it
//! directly. Resources (lexicons, stop words, compound parts, synonyms) live in `index/`.

mod bloom;
mod cache;
mod compound;
mod derivation;
mod language;
mod pipeline;
mod resources;
mod synonyms;
mod tantivy;
mod tokenize;
pub mod voikko;

use ::tantivy::tokenizer::{TextAnalyzer, TokenizerManager};

use crate::schema::Language;

pub use compound::{Part, split as split_compound};
pub use language::{detect_language, field_language};
pub use pipeline::{
    AnalyzedToken, Analyzer, Config, Normalizer, Origin, WordTerms, fold, set_index_config,
};
pub use resources::{RESOURCES_ENV, resources};
pub use synonyms::{
    Phrases, fingerprint as synonym_phrases_fingerprint, main_terms, phrase_key, synonyms,
};
pub use tantivy::{Class, pairs_apart};
pub use tokenize::{Word, words};

/// Which analyzer is active, as `/readyz` and the logs report it, and as each index
/// generation records it (an index is only read with the analyzer that built it).
///
/// The leading version changes whenever index-time analysis changes, so that older indexes
/// are rebuilt rather than searched with terms they do not hold.
pub fn description() -> &'static str {
    if voikko::active() {
        "innohaku analyzer 4 with Voikko: Voikko readings and compound structure for Finnish, lemma lexicons (fi fallback, sv), compound splitting, derivational roots, coordination, Snowball fallback, folding"
    } else {
        "innohaku analyzer 4, lexicons: lemma lexicons (fi, sv), compound splitting, derivational roots, coordination, Snowball fallback, folding"
    }
}

/// The name a tokenizer is registered under in Tantivy's tokenizer manager.
pub fn analyzer_name(lang: Language, class: Class) -> String {
    match class {
        Class::Main => format!("text_{}", lang.code()),
        Class::Parts => format!("parts_{}", lang.code()),
        Class::Folded => format!("fold_{}", lang.code()),
        Class::Pairs => format!("pairs_{}", lang.code()),
    }
}

/// Registers every language's tokenizers with an index's tokenizer manager.
pub fn register(manager: &TokenizerManager) {
    for lang in Language::ALL {
        for class in [Class::Main, Class::Parts, Class::Folded, Class::Pairs] {
            let tokenizer = tantivy::FieldTokenizer::new(Analyzer::full(lang), class);
            manager.register(&analyzer_name(lang, class), TextAnalyzer::from(tokenizer));
        }
    }
}

/// Runs the full analyzer of `lang` over `text`: main terms and compound parts.
pub fn analyze(lang: Language, text: &str) -> Vec<AnalyzedToken> {
    Analyzer::full(lang).analyze(text)
}

#[cfg(test)]
mod tests;

/// Everything the analyzer does with a text, for administrators (`innohaku analyze`,
/// `GET /v1/analyze`), like Elasticsearch's `_analyze`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Inspection {
    /// The language analysed for.
    pub language: Language,
    /// Which analyzer is active.
    pub analyzer: &'static str,
    /// Index terms in position order: main terms, compound parts, completed coordinations,
    /// and folded terms where folding changes them.
    pub tokens: Vec<AnalyzedToken>,
    /// Query-time synonyms of the whole text.
    pub synonyms: Vec<String>,
}

/// Analyses `text` as the index and queries would, and reports every term with its origin.
pub fn inspect(lang: Language, text: &str) -> Inspection {
    let analyzer = Analyzer::full(lang);
    let mut tokens = analyzer.analyze(text);
    let folded = analyzer.analyze_folded(text);
    let new: Vec<AnalyzedToken> = folded
        .into_iter()
        .filter(|f| {
            f.origin == Origin::Folded
                && !tokens
                    .iter()
                    .any(|t| t.position == f.position && t.term == f.term)
        })
        .collect();
    tokens.extend(new);
    tokens.sort_by_key(|t| t.position);
    Inspection {
        language: lang,
        analyzer: description(),
        tokens,
        synonyms: synonyms(text).into_iter().map(str::to_owned).collect(),
    }
}

//! BM25 statistics over the documents written in one language.
//!
//! A language's fields hold only the text written in it, yet Tantivy's BM25 counts every
//! document of the index in its idf and average field length. For a minority language that
//! makes the commonest words look rare: "care" in half of the 26 English documents has, over
//! all 420 documents, nearly the idf of a word only one document uses, and the boilerplate of
//! English texts outweighs what distinguishes them. Counting only the documents that have
//! text in the language puts each language's words on the scale the Finnish ones are on.

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use crate::index::TextFields;

/// The statistics of `searcher` with the documents counted only where they have text in one
/// language.
pub struct LanguageStats<'a> {
    searcher: &'a Searcher,
    /// Documents with any text in the language's fields, deleted ones included as Tantivy's
    /// document frequencies include them.
    docs: u64,
}

impl<'a> LanguageStats<'a> {
    /// The statistics of the language whose fields are `fields`.
    pub fn new(searcher: &'a Searcher, fields: &TextFields) -> tantivy::Result<LanguageStats<'a>> {
        let mut docs = 0u64;
        for segment in searcher.segment_readers() {
            let norms = [fields.title, fields.summary, fields.body]
                .into_iter()
                .map(|f| segment.get_fieldnorms_reader(f))
                .collect::<tantivy::Result<Vec<_>>>()?;
            docs += (0..segment.max_doc())
                .filter(|&doc| norms.iter().any(|n| n.fieldnorm_id(doc) > 0))
                .count() as u64;
        }
        Ok(LanguageStats { searcher, docs })
    }

    /// How many documents have text in the language (at least one, to divide by).
    pub fn docs(&self) -> u64 {
        self.docs.max(1)
    }
}

impl Bm25StatisticsProvider for LanguageStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_tokens(self.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.docs())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        // Never above the count: Tantivy's idf asserts it (a fieldnorm of a one-token field
        // is never 0, so this only guards against a term of another language's field).
        Ok(self.searcher.doc_freq(term)?.min(self.docs()))
    }
}

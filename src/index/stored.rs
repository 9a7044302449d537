//! Stored documents as the index keeps them, parsed once and kept while they are shown again.
//!
//! Showing a hit reads its block of the doc store, decompresses it, copies the document out
//! and parses its JSON: a fifth of a full search's time, for documents that popular queries
//! bring back again and again. Parsed documents are kept by segment and document number,
//! which never name another document: a segment is immutable, and a deleted document is never
//! a hit. Entries of segments merged away are simply never asked for again and age out.

use std::sync::Arc;

use quick_cache::Weighter;
use quick_cache::sync::Cache;
use tantivy::index::SegmentId;
use tantivy::schema::Value;
use tantivy::{DocAddress, DocId, Searcher, TantivyDocument};

use super::Fields;
use crate::schema::{Document, Language};

/// The stored JSON kept parsed, in bytes of that JSON (the parsed form takes about as much).
/// At a few kilobytes a document, some thousands of the documents shown most.
const CACHE_BYTES: u64 = 24 * 1024 * 1024;
/// A guess of the documents that fit, for the cache's table.
const CACHE_ITEMS: usize = 8_192;

/// A stored document and the language each of its text fields was indexed in, in the order
/// of [`Document::strings`].
#[derive(Debug, Clone)]
pub struct StoredDocument {
    /// The document.
    pub doc: Arc<Document>,
    /// The language of each text field.
    pub languages: Arc<[Language]>,
    /// Length of the stored JSON: the cache's weight.
    bytes: u64,
}

/// What reading a stored document can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoredError {
    /// Tantivy failed.
    #[error("doc store: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The stored JSON did not parse.
    #[error("stored document unreadable: {0}")]
    Corrupt(String),
}

#[derive(Debug, Clone)]
struct ByBytes;

impl Weighter<(SegmentId, DocId), StoredDocument> for ByBytes {
    fn weight(&self, _: &(SegmentId, DocId), value: &StoredDocument) -> u64 {
        value.bytes.max(1)
    }
}

/// Parsed stored documents, by segment and document number.
pub struct StoredCache {
    cache: Cache<(SegmentId, DocId), StoredDocument, ByBytes>,
}

impl Default for StoredCache {
    fn default() -> Self {
        StoredCache {
            cache: Cache::with_weighter(CACHE_ITEMS, CACHE_BYTES, ByBytes),
        }
    }
}

impl StoredCache {
    /// The document at `address` of `searcher`.
    pub fn get(
        &self,
        fields: &Fields,
        searcher: &Searcher,
        address: DocAddress,
    ) -> Result<StoredDocument, StoredError> {
        let segment = searcher.segment_reader(address.segment_ord).segment_id();
        let mut hit = true;
        let doc = self
            .cache
            .get_or_insert_with(&(segment, address.doc_id), || {
                hit = false;
                read(fields, searcher, address)
            });
        crate::telemetry::STORED_DOCUMENTS.record(hit);
        doc
    }
}

fn read(
    fields: &Fields,
    searcher: &Searcher,
    address: DocAddress,
) -> Result<StoredDocument, StoredError> {
    let stored: TantivyDocument = searcher.doc(address)?;
    let json = stored
        .get_first(fields.source)
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let doc = Document::from_stored(json).map_err(|e| StoredError::Corrupt(e.to_string()))?;
    let languages = stored
        .get_first(fields.field_languages)
        .and_then(|v| v.as_bytes())
        .unwrap_or_default()
        .iter()
        .map(|&b| {
            Language::ALL
                .get(usize::from(b))
                .copied()
                .unwrap_or(doc.language())
        })
        .collect();
    Ok(StoredDocument {
        bytes: json.len() as u64,
        doc: Arc::new(doc),
        languages,
    })
}

//! "Similar practices": documents that share a document's distinctive terms and themes.
//!
//! The text side is a more-like-this query written here rather than Tantivy's, so the terms
//! that drove a recommendation can be shown to the user as its reason.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use crate::analysis::analyze;
use crate::index::{FacetField, SearchIndex};
use crate::schema::{DocId, Document, Kind, Theme};
use crate::search::{Order, SearchError, load_document};

/// Terms taken from the source document into the query.
const MAX_QUERY_TERMS: usize = 25;
/// Weight of a shared theme relative to the text score.
const THEME_BOOST: f32 = 0.6;

/// One recommended document and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Similar {
    /// Document id.
    #[schema(value_type = String)]
    pub id: DocId,
    /// Kind.
    pub kind: Kind,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Canonical page.
    pub url: Option<String>,
    /// Similarity score (comparable within one response).
    pub score: f32,
    /// Themes it shares with the source.
    pub shared_themes: Vec<Theme>,
}

/// Documents similar to `doc`, excluding itself, optionally only of some kinds.
pub fn similar(
    index: &SearchIndex,
    doc: &Document,
    kinds: &[Kind],
    limit: usize,
) -> Result<Vec<Similar>, SearchError> {
    let searcher = index.searcher();
    let fields = index.fields();
    let lang = doc.language();
    let text = fields.text(lang);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (term, weight) in key_terms(&searcher, text.body, doc)? {
        for field in [text.title, text.summary, text.body] {
            let q = TermQuery::new(
                Term::from_field_text(field, &term),
                IndexRecordOption::WithFreqs,
            );
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(q), weight)),
            ));
        }
    }
    for theme in &doc.common.themes {
        let q = TermQuery::new(
            Term::from_field_text(fields.facet(FacetField::Theme), theme.id()),
            IndexRecordOption::Basic,
        );
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(q), THEME_BOOST)),
        ));
    }
    let own_id = TermQuery::new(
        Term::from_field_text(fields.id, doc.id().as_str()),
        IndexRecordOption::Basic,
    );
    clauses.push((Occur::MustNot, Box::new(own_id)));
    let selection = if kinds.is_empty() {
        Vec::new()
    } else {
        vec![(
            FacetField::Kind,
            kinds.iter().map(|k| k.id().to_owned()).collect(),
        )]
    };
    let collected = searcher.search(
        &BooleanQuery::new(clauses),
        &crate::search::collector_for(limit, Order::Relevance, selection),
    )?;
    collected
        .top
        .iter()
        .map(|r| {
            let other = load_document(&searcher, fields, r.address)?;
            let shared_themes = other
                .common
                .themes
                .iter()
                .filter(|t| doc.common.themes.contains(t))
                .copied()
                .collect();
            Ok(Similar {
                id: other.common.id.clone(),
                kind: other.kind(),
                title: other.common.title.clone(),
                summary: other.common.summary.clone(),
                url: other.common.url.as_ref().map(|u| u.as_str().to_owned()),
                score: r.score,
                shared_themes,
            })
        })
        .collect()
}

/// The document's most distinctive terms by tf-idf, with normalised weights.
fn key_terms(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    doc: &Document,
) -> Result<Vec<(String, f32)>, SearchError> {
    let mut tf: HashMap<String, f32> = HashMap::new();
    let lang = doc.language();
    for (name, text) in doc.strings() {
        let weight = if name == "title" { 3.0 } else { 1.0 };
        for token in analyze(lang, text) {
            if token.term.chars().count() >= 3 && !token.term.chars().all(|c| c.is_ascii_digit()) {
                *tf.entry(token.term).or_default() += weight;
            }
        }
    }
    let n = searcher.num_docs().max(1) as f32;
    let mut weighted = Vec::with_capacity(tf.len());
    for (term, f) in tf {
        let df = searcher.doc_freq(&Term::from_field_text(field, &term))? as f32;
        if df < 2.0 {
            continue; // A term only this document has finds nothing else.
        }
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        weighted.push((term, f.sqrt() * idf));
    }
    weighted.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    weighted.truncate(MAX_QUERY_TERMS);
    let max = weighted.first().map_or(1.0, |w| w.1);
    Ok(weighted.into_iter().map(|(t, w)| (t, w / max)).collect())
}

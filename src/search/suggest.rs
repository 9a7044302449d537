//! Autocomplete and "did you mean": both read the index's own term dictionaries, so they
//! only ever propose words that find something.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::{Order, SearchError, SearchRequest, automaton, build, load_document, query};
use crate::analysis::{Analyzer, words};
use crate::index::{Fields, SearchIndex};
use crate::schema::{DocId, Kind, Language};

/// Terms scanned per dictionary for one completion: bounds the cost of short prefixes.
const MAX_SCANNED_TERMS: usize = 5_000;

/// Autocomplete for a partial query.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestions {
    /// Documents whose text matches what was typed, best first.
    pub documents: Vec<DocumentSuggestion>,
    /// Frequent index terms that complete the last word, most frequent first.
    pub terms: Vec<TermSuggestion>,
}

/// A document to jump to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentSuggestion {
    /// Its id.
    #[schema(value_type = String)]
    pub id: DocId,
    /// Its kind.
    pub kind: Kind,
    /// Its title.
    pub title: String,
    /// Its language, which the title is written in.
    pub language: Language,
}

/// A completion of the last word.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TermSuggestion {
    /// The completed word (a base form).
    pub term: String,
    /// In how many documents it occurs.
    pub count: u64,
}

/// Suggestions for `q` as typed so far.
pub fn suggest(index: &SearchIndex, q: &str, limit: usize) -> Result<Suggestions, SearchError> {
    suggest_in(index, &index.searcher(), q, limit)
}

/// [`suggest`] through `searcher`, which finds the documents and loads them.
fn suggest_in(
    index: &SearchIndex,
    searcher: &Searcher,
    q: &str,
    limit: usize,
) -> Result<Suggestions, SearchError> {
    let fields = index.fields();
    let parsed = query::parse(q);
    // Titles first: what autocomplete is for, and a small field. Only when no title has the
    // words does the whole search run.
    let mut top = match title_query(searcher, fields, &parsed) {
        Some(title) => {
            searcher
                .search(&title, &super::top_collector(limit, Vec::new(), Vec::new()))?
                .top
        }
        None => Vec::new(),
    };
    if top.is_empty() {
        let req = SearchRequest {
            q: q.to_owned(),
            limit,
            order: Some(Order::Relevance),
            ..SearchRequest::default()
        };
        // The same searcher as the documents are loaded through: a commit in between would
        // give addresses into another set of segments.
        top = super::run(index, searcher, &req, false)?.collected.top;
    }
    let documents = top
        .iter()
        .map(|r| {
            let doc = load_document(index, searcher, r.address)?;
            Ok(DocumentSuggestion {
                id: doc.common.id.clone(),
                kind: doc.kind(),
                title: doc.common.title.clone(),
                language: doc.language(),
            })
        })
        .collect::<Result<Vec<_>, SearchError>>()?;
    let last = parsed
        .groups
        .last()
        .and_then(|g| g.last())
        .map(|i| i.text().to_lowercase());
    let terms = match last {
        Some(word) if parsed.last_is_partial && word.chars().count() >= 2 => {
            completions(searcher, fields, &word, limit)?
        }
        _ => Vec::new(),
    };
    Ok(Suggestions { documents, terms })
}

/// Documents whose title has every word typed, in any language, the word being typed as a
/// prefix. `None` when nothing was typed but stop words or exclusions.
fn title_query(
    searcher: &Searcher,
    fields: &Fields,
    parsed: &query::ParsedQuery,
) -> Option<BooleanQuery> {
    let languages = super::languages_present(searcher, fields);
    let typed: Vec<String> = parsed
        .groups
        .iter()
        .flatten()
        .flat_map(|item| words(item.text()))
        .map(|w| w.text.to_lowercase())
        .collect();
    let mut required: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (i, word) in typed.iter().enumerate() {
        let partial = parsed.last_is_partial && i + 1 == typed.len();
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for &lang in &languages {
            let title = fields.text(lang).title;
            let analyzer = Analyzer::full(lang);
            if partial {
                // As a prefix of a base form, and, if the word is complete, as itself
                // (`lastensuojelun` typed in full finds `lastensuojelu`).
                let term = Term::from_field_text(title, word);
                alternatives.push(Box::new(FuzzyTermQuery::new_prefix(term, 0, false)));
            }
            if partial || !analyzer.is_stopword(word) {
                let main = analyzer.word(word, false).main.clone();
                alternatives.push(Box::new(TermQuery::new(
                    Term::from_field_text(title, &main),
                    IndexRecordOption::WithFreqs,
                )));
            }
        }
        if !alternatives.is_empty() {
            let any = alternatives
                .into_iter()
                .map(|q| (Occur::Should, q))
                .collect();
            required.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
    }
    (!required.is_empty()).then(|| BooleanQuery::new(required))
}

/// Terms of the whole-word fields starting with `prefix`, by document frequency.
fn completions(
    searcher: &Searcher,
    fields: &Fields,
    prefix: &str,
    limit: usize,
) -> Result<Vec<TermSuggestion>, SearchError> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    let mut upper = prefix.as_bytes().to_vec();
    upper.push(0xff);
    for lang in Language::ALL {
        let f = fields.text(lang);
        for field in [f.title, f.body] {
            for_each_term(searcher, field, prefix.as_bytes(), &upper, |term, df| {
                *counts.entry(term.to_owned()).or_default() += df;
            })?;
        }
    }
    let mut terms: Vec<TermSuggestion> = counts
        .into_iter()
        .map(|(term, count)| TermSuggestion { term, count })
        .collect();
    terms.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.term.cmp(&b.term)));
    terms.truncate(limit);
    Ok(terms)
}

fn for_each_term(
    searcher: &Searcher,
    field: Field,
    from: &[u8],
    to: &[u8],
    mut f: impl FnMut(&str, u64),
) -> Result<(), SearchError> {
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted
            .terms()
            .range()
            .ge(from)
            .lt(to)
            .into_stream()
            .map_err(tantivy::TantivyError::from)?;
        let mut scanned = 0;
        while stream.advance() && scanned < MAX_SCANNED_TERMS {
            scanned += 1;
            if let Ok(term) = std::str::from_utf8(stream.key()) {
                f(term, stream.value().doc_freq as u64);
            }
        }
    }
    Ok(())
}

/// A corrected query when some words of `q` occur nowhere in the index: each such word is
/// replaced by the most frequent indexed term within two edits of its analysed form.
pub fn did_you_mean(index: &SearchIndex, q: &str) -> Result<Option<String>, SearchError> {
    let searcher = index.searcher();
    let fields = index.fields();
    let parsed = query::parse(q);
    let mut changed = false;
    let mut words = Vec::new();
    for item in parsed.positives() {
        let query::Item::Word(word) = item else {
            words.push(format!("\"{}\"", item.text()));
            continue;
        };
        match correction(&searcher, fields, word)? {
            Some(better) => {
                changed = true;
                words.push(better);
            }
            None => words.push(word.clone()),
        }
    }
    Ok(changed.then(|| words.join(" ")))
}

fn correction(
    searcher: &Searcher,
    fields: &Fields,
    word: &str,
) -> Result<Option<String>, SearchError> {
    let mut best: Option<(u64, String)> = None;
    for lang in Language::ALL {
        let Some(term) = Analyzer::full(lang)
            .analyze(&word.to_lowercase())
            .into_iter()
            .find(|t| !t.origin.is_part())
            .map(|t| t.term)
        else {
            continue;
        };
        let f = fields.text(lang);
        for field in [f.title, f.body] {
            if searcher.doc_freq(&tantivy::Term::from_field_text(field, &term))? > 0 {
                return Ok(None); // The word finds something: nothing to correct.
            }
        }
        if term.chars().count() < 4 {
            continue;
        }
        let max = if term.chars().count() >= 6 { 2 } else { 1 };
        let Some(within_reach) = build::typo_automaton(&term, max) else {
            continue;
        };
        // Candidates share the first letter (typos there are rare), so only the terms that
        // start with it are read, through the automaton: the automaton alone would walk the
        // dictionary under every first letter, and a scan of it was a tenth of all searches'
        // time at a million documents.
        let first = &term[..term.chars().next().map_or(0, char::len_utf8)];
        let after_first = automaton::prefix_end(first.as_bytes());
        let mut near: HashMap<String, u64> = HashMap::new();
        for field in [f.title, f.body] {
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(field)?;
                let mut range = inverted
                    .terms()
                    .search(within_reach.as_ref())
                    .ge(first.as_bytes());
                if let Some(end) = &after_first {
                    range = range.lt(end);
                }
                let mut stream = range.into_stream().map_err(tantivy::TantivyError::from)?;
                while stream.advance() {
                    if let Ok(candidate) = std::str::from_utf8(stream.key()) {
                        *near.entry(candidate.to_owned()).or_default() +=
                            u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        for (candidate, df) in near {
            // The most frequent; of equals, the first in the dictionary's order.
            if best
                .as_ref()
                .is_none_or(|(n, t)| df > *n || (df == *n && candidate < *t))
            {
                best = Some((df, candidate));
            }
        }
    }
    Ok(best.map(|(_, t)| t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::Catalog;

    /// Issue 23, item 13: the fallback search took a searcher of its own, and its addresses
    /// were loaded through the one suggestions began with. The index moving on in between
    /// gave another document, or none.
    #[test]
    fn suggestions_are_found_and_loaded_through_one_searcher() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let docs = super::super::tests::sample_documents();
        let (before, after) = docs.split_at(docs.len() / 2);
        let built = before.iter().cloned().map(Ok::<_, String>);
        let index = SearchIndex::build(&Catalog::new(dir.path()), built, |_| {}).expect("built");
        // A word of the texts that no title has: suggestions fall back to the whole search.
        let q = "kertoivat";
        let searcher = index.searcher();
        let parsed = query::parse(q);
        let by_title = title_query(&searcher, index.fields(), &parsed).expect("a title query");
        assert_eq!(
            searcher
                .search(&by_title, &tantivy::collector::Count)
                .unwrap(),
            0
        );
        let expected = suggest(&index, q, 5).expect("suggested");
        assert!(!expected.documents.is_empty(), "the texts have {q}");

        // The index moves on: every document replaced by the other half of the catalogue.
        let mut writer: tantivy::IndexWriter =
            index.tantivy().writer(50_000_000).expect("a writer");
        writer.delete_all_documents().expect("deleted");
        for doc in after {
            writer
                .add_document(index.fields().to_tantivy(doc))
                .expect("added");
        }
        writer.commit().expect("committed");
        index.reload().expect("reloaded");
        let ids = |s: &Suggestions| s.documents.iter().map(|d| d.id.clone()).collect::<Vec<_>>();
        let now = suggest(&index, q, 5).expect("suggested");
        assert_ne!(ids(&now), ids(&expected), "the index moved on for {q}");

        let found = suggest_in(&index, &searcher, q, 5).expect("suggested");
        assert_eq!(ids(&found), ids(&expected));
    }
}

//! Autocomplete and "did you mean": both read the index's own term dictionaries, so they
//! only ever propose words that find something.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::{Order, SearchError, SearchRequest, load_document, query};
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
    let searcher = index.searcher();
    let fields = index.fields();
    let parsed = query::parse(q);
    // Titles first: what autocomplete is for, and a small field. Only when no title has the
    // words does the whole search run.
    let mut top = match title_query(&searcher, fields, &parsed) {
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
        top = super::run(index, &searcher, &req, false)?.collected.top;
    }
    let documents = top
        .iter()
        .map(|r| {
            let doc = load_document(index, &searcher, r.address)?;
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
            completions(&searcher, fields, &word, limit)?
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
    let languages = super::languages_present(searcher);
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
        // Candidates share the first letter: typos there are rare, and it bounds the scan.
        let first: String = term.chars().take(1).collect();
        let mut upper = first.as_bytes().to_vec();
        upper.push(0xff);
        let max = if term.chars().count() >= 6 { 2 } else { 1 };
        for field in [f.title, f.body] {
            for_each_term(
                searcher,
                field,
                first.as_bytes(),
                &upper,
                |candidate, df| {
                    if edit_distance(&term, candidate, max).is_some()
                        && best.as_ref().is_none_or(|(n, _)| df > *n)
                    {
                        best = Some((df, candidate.to_owned()));
                    }
                },
            )?;
        }
    }
    Ok(best.map(|(_, t)| t))
}

/// Damerau-Levenshtein distance (adjacent transpositions count one), if at most `max`.
fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev2 = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        if cur.iter().min().is_some_and(|&m| m > max) {
            return None;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    (prev[b.len()] <= max).then_some(prev[b.len()])
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("palvelu", "palvleu", 1), Some(1));
        assert_eq!(edit_distance("kunta", "kunto", 1), Some(1));
        assert_eq!(edit_distance("kunta", "kotihoito", 2), None);
        assert_eq!(edit_distance("ab", "ab", 0), Some(0));
    }
}

//! The distinctive terms of a text, as the index has them and as a reader would say them.

use std::collections::HashMap;

use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, Term};

use super::distinct::ThemeSpread;
use crate::analysis::{Origin, analyze, synonyms};
use crate::index::{Fields, TextFields};
use crate::schema::Language;
use crate::search::SearchError;

/// Terms taken from a text into the more-like-this query.
const MAX_TERMS: usize = 25;
/// Terms of highest tf-idf whose spread over themes is looked at, to choose `MAX_TERMS`.
const CANDIDATE_TERMS: usize = 3 * MAX_TERMS;

/// One distinctive term.
#[derive(Debug, Clone)]
pub struct KeyTerm {
    /// The language whose fields have it.
    pub lang: Language,
    /// The term as indexed.
    pub term: String,
    /// How to show it: the base form, or for a stemmed word the form the text used most.
    pub display: String,
    /// tf-idf weight, the strongest term 1.0.
    pub weight: f32,
}

/// How key terms are weighed.
#[derive(Clone, Copy)]
pub struct Weighing<'a> {
    /// Themes to weigh terms by, and how strongly: a term's tf-idf is multiplied by its
    /// concentration in a few themes to this power (none, or 0: tf-idf alone).
    pub spread: Option<(&'a ThemeSpread<'a>, f32)>,
    /// Documents a term must be in to count: 2 when the text is an indexed document's own,
    /// whose words only it has find nothing else.
    pub min_df: u64,
    /// Documents the idf counts: those with text in the language, or with `None` all.
    pub docs: Option<u64>,
    /// How much a compound part counts, next to a whole word's 1 (0: not at all, and the
    /// compound-part field is not asked for document frequencies either).
    pub parts: f32,
}

/// The `texts`' most distinctive terms over the index of `lang`: by tf-idf, and by how
/// concentrated in a few themes the term's documents are (see `distinct.rs`). Each text
/// comes with a weight (a title counts more than a body).
pub fn key_terms(
    searcher: &Searcher,
    fields: &Fields,
    lang: Language,
    texts: &[(f32, &str)],
    weighing: Weighing<'_>,
) -> Result<Vec<KeyTerm>, SearchError> {
    struct Seen {
        tf: f32,
        surfaces: HashMap<String, u32>,
        stemmed: bool,
    }
    let mut seen: HashMap<String, Seen> = HashMap::new();
    for &(weight, text) in texts {
        for token in analyze(lang, text) {
            // A compound's parts (and a word's derivational root) say what it is about too:
            // `mielenterveysvastaanotto` is a `vastaanotto`. They count `weighing.parts` of a
            // word, and their spread over themes is learnt from where they stand as words.
            let weight = if token.origin.is_part() {
                weight * weighing.parts
            } else {
                weight
            };
            if weight <= 0.0
                || token.term.chars().count() < 3
                || token.term.chars().all(|c| c.is_ascii_digit())
            {
                continue;
            }
            let entry = seen.entry(token.term).or_insert_with(|| Seen {
                tf: 0.0,
                surfaces: HashMap::new(),
                stemmed: false,
            });
            entry.tf += weight;
            entry.stemmed |= token.origin == Origin::Stem;
            *entry
                .surfaces
                .entry(token.source.to_lowercase())
                .or_default() += 1;
        }
    }
    let text = fields.text(lang);
    let n = weighing.docs.unwrap_or_else(|| searcher.num_docs()).max(1) as f32;
    let mut terms = Vec::with_capacity(seen.len());
    for (term, s) in seen {
        let mut df = 0u64;
        for field in searched_fields(text, weighing.parts > 0.0) {
            df = df.max(searcher.doc_freq(&Term::from_field_text(field, &term))?);
        }
        if df < weighing.min_df.max(1) {
            continue; // Nothing else has it: it cannot find anything.
        }
        let df = (df as f32).min(n);
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let display = if s.stemmed {
            s.surfaces
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
                .map_or_else(|| term.clone(), |(surface, _)| surface)
        } else {
            term.clone()
        };
        terms.push(KeyTerm {
            lang,
            term,
            display,
            weight: s.tf.sqrt() * idf,
        });
    }
    let order = |a: &KeyTerm, b: &KeyTerm| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.term.cmp(&b.term))
    };
    terms.sort_by(order);
    if let Some((spread, power)) = weighing.spread.filter(|(_, p)| *p > 0.0) {
        terms.truncate(CANDIDATE_TERMS);
        for t in &mut terms {
            t.weight *= spread.concentration(&text, &t.term)?.powf(power);
        }
        terms.sort_by(order);
    }
    terms.truncate(MAX_TERMS);
    terms.retain(|t| t.weight > 0.0);
    let max = terms.first().map_or(1.0, |t| t.weight);
    for t in &mut terms {
        t.weight /= max;
    }
    Ok(terms)
}

/// The fields of one language a key term is searched in: the title, summary and body, and
/// with `parts` the compound-part field.
pub fn searched_fields(text: TextFields, parts: bool) -> impl Iterator<Item = Field> {
    [text.title, text.summary, text.body]
        .into_iter()
        .chain(parts.then_some(text.parts))
}

/// Weight of a term found through a synonym in another language, relative to its source.
const TRANSLATED: f32 = 0.8;

/// The key terms' equivalents in the other languages (`perhekeskus` → `familjecentral`), from
/// the synonym list, so that documents in another language can be found by their text too.
pub fn translations(key: &[KeyTerm]) -> Vec<KeyTerm> {
    let mut out: Vec<KeyTerm> = Vec::new();
    for k in key {
        for member in synonyms(&k.display) {
            for lang in Language::ALL.into_iter().filter(|l| *l != k.lang) {
                let tokens: Vec<_> = analyze(lang, member)
                    .into_iter()
                    .filter(|t| !t.origin.is_part())
                    .collect();
                // Single words only: a phrase's words alone would mean something else.
                let [token] = tokens.as_slice() else {
                    continue;
                };
                if out.iter().any(|o| o.lang == lang && o.term == token.term) {
                    continue;
                }
                out.push(KeyTerm {
                    lang,
                    term: token.term.clone(),
                    display: member.to_owned(),
                    weight: k.weight * TRANSLATED,
                });
            }
        }
    }
    out
}

/// `terms` with each (language, term) once, at its greatest weight, in the order first seen.
pub fn strongest_once(terms: Vec<KeyTerm>) -> Vec<KeyTerm> {
    let mut out: Vec<KeyTerm> = Vec::with_capacity(terms.len());
    for t in terms {
        match out
            .iter_mut()
            .find(|o| o.lang == t.lang && o.term == t.term)
        {
            Some(o) => o.weight = o.weight.max(t.weight),
            None => out.push(t),
        }
    }
    out
}

/// Which of `terms` the document at `address` contains in its `lang` text, strongest first.
pub fn shared_terms(
    searcher: &Searcher,
    fields: &Fields,
    lang: Language,
    terms: &[KeyTerm],
    address: DocAddress,
) -> Result<Vec<String>, SearchError> {
    let segment = searcher.segment_reader(address.segment_ord);
    let text = fields.text(lang);
    let mut shared: Vec<String> = Vec::new();
    // "etelä-pohjanmaa" and "eteläpohjanmaa" are one word to a reader.
    let plain = |s: &str| s.replace('-', "");
    for key in terms.iter().filter(|k| k.lang == lang) {
        // A part of a word already given (`vastaanotto` of `mielenterveysvastaanotto`, `otto`
        // of `vastaanotto`) tells the reader nothing more.
        if shared
            .iter()
            .any(|s| plain(s).contains(&plain(&key.display)))
        {
            continue;
        }
        // The compound-part field: `vastaanotto` is shared with a text saying
        // `mielenterveysvastaanotolla`.
        for field in [text.title, text.summary, text.body, text.parts] {
            let inverted = segment.inverted_index(field)?;
            let term = Term::from_field_text(field, &key.term);
            let Some(mut postings) = inverted
                .read_postings(&term, IndexRecordOption::Basic)
                .map_err(tantivy::TantivyError::from)?
            else {
                continue;
            };
            // `seek` only moves forward: a list that starts past the document lacks it.
            let target = address.doc_id;
            if postings.doc() <= target && postings.seek(target) == target {
                shared.push(key.display.clone());
                break;
            }
        }
    }
    Ok(shared)
}

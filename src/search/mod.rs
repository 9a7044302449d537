//! Full-text search: the user's query, facet filters, one collecting pass, then hits with
//! snippets.

mod collector;
pub mod query;
mod snippet;
mod suggest;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use crate::analysis::{AnalyzedToken, Analyzer, Origin, analyze, synonyms, words};
use std::ops::Bound;

use crate::index::{DateField, FacetField, Fields, SearchIndex, days};
use crate::schema::{DocId, Document, Kind, Language, Phase, Region, Theme};

pub use collector::{Collected, Order, Selection};
pub use query::{Item, ParsedQuery, parse};
pub use snippet::{Marks, Snippet, escape_into, lead, snippet};
pub use suggest::{DocumentSuggestion, Suggestions, TermSuggestion, did_you_mean, suggest};

/// Most hits one page may ask for.
pub const MAX_LIMIT: usize = 100;
/// Fewer hits than this make a search try typo tolerance.
const TYPO_FALLBACK_BELOW: u64 = 5;
/// Fewer hits than this make a search offer a correction.
const FEW_RESULTS: u64 = 3;
/// Deepest offset served: beyond it, refine the query instead.
pub const MAX_OFFSET: usize = 10_000;

/// Relative weight of a match in each text field.
const TITLE_BOOST: f32 = 3.0;
const SUMMARY_BOOST: f32 = 1.5;
const BODY_BOOST: f32 = 1.0;
const PARTS_BOOST: f32 = 0.5;
const FOLDED_BOOST: f32 = 0.25;
const SYNONYM_BOOST: f32 = 0.7;
const PARTS_APART_BOOST: f32 = 0.4;
const PREFIX_BOOST: f32 = 0.3;
const TYPO_BOOST: f32 = 0.1;
/// A word being typed matches as a prefix from this many characters on.
const MIN_PREFIX_CHARS: usize = 3;

/// A search as the service runs it; built and validated at the edge.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The user's query text.
    pub q: String,
    /// Selected facet values.
    pub selection: Selection,
    /// Hits per page.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
    /// Ordering; `None` means relevance for a query and newest first for browsing.
    pub order: Option<Order>,
    /// Match a last word still being typed as a prefix.
    pub prefix: bool,
    /// Date ranges, inclusive at both ends; all must hold.
    pub dates: Vec<(DateField, Option<NaiveDate>, Option<NaiveDate>)>,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            selection: Vec::new(),
            limit: 10,
            offset: 0,
            order: None,
            prefix: true,
            dates: Vec::new(),
        }
    }
}

/// One result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    /// Document id.
    #[schema(value_type = String)]
    pub id: DocId,
    /// Document kind.
    pub kind: Kind,
    /// Title as plain text.
    pub title: String,
    /// Title HTML-escaped with matched words in `<mark>`.
    pub title_html: String,
    /// The passage that matched, or the start of the summary.
    pub snippet: Snippet,
    /// Canonical page.
    pub url: Option<String>,
    /// Relevance score (higher is better; comparable within one response only).
    pub score: f32,
    /// Language of the document.
    pub language: Language,
    /// Regions.
    pub regions: Vec<Region>,
    /// Themes.
    pub themes: Vec<Theme>,
    /// Phase, for practices.
    pub phase: Option<Phase>,
    /// Last update.
    pub updated_at: NaiveDate,
}

/// Counts of one facet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FacetCounts {
    /// The facet's name, as used in filters.
    pub facet: String,
    /// Values with their counts, most frequent first.
    pub values: Vec<FacetValue>,
}

/// One facet value and how many documents have it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FacetValue {
    /// The value, as used in filters.
    pub value: String,
    /// Matching documents with this value, counted with this facet's own selection lifted.
    pub count: u64,
    /// Whether the request selected it.
    pub selected: bool,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    /// Documents matching the query and all filters.
    pub total: u64,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// Facet counts.
    pub facets: Vec<FacetCounts>,
    /// A corrected query, when this one found few or no documents.
    pub did_you_mean: Option<String>,
}

/// What a search can fail with: only the index itself, never the user's text.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Tantivy failed.
    #[error("search: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A stored document did not parse.
    #[error("stored document unreadable: {0}")]
    Corrupt(String),
}

/// The fields a query searches: those of the languages the index holds documents in.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The index's fields.
    pub fields: &'a Fields,
    /// Languages present in the index.
    pub languages: &'a [Language],
}

/// Runs a search.
pub fn search(index: &SearchIndex, req: &SearchRequest) -> Result<SearchResults, SearchError> {
    let searcher = index.searcher();
    let (collected, parsed, highlights) = run(index, &searcher, req, true)?;
    let hits = collected
        .top
        .iter()
        .skip(req.offset)
        .map(|r| load_hit(&searcher, index.fields(), r.address, r.score, &highlights))
        .collect::<Result<Vec<_>, _>>()?;
    // Few or no results for a real query: offer a correction that finds more.
    let did_you_mean = if collected.total < FEW_RESULTS && !parsed.matches_all() {
        did_you_mean(index, &req.q)?
    } else {
        None
    };
    Ok(SearchResults {
        total: collected.total,
        hits,
        facets: facet_counts(collected.facets, &req.selection),
        did_you_mean,
    })
}

/// Runs the collecting pass of a search: top hits, total and (with `facets`) facet counts.
pub fn collect(
    index: &SearchIndex,
    req: &SearchRequest,
    facets: bool,
) -> Result<Collected, SearchError> {
    Ok(run(index, &index.searcher(), req, facets)?.0)
}

fn run(
    index: &SearchIndex,
    searcher: &Searcher,
    req: &SearchRequest,
    facets: bool,
) -> Result<(Collected, ParsedQuery, Highlights), SearchError> {
    let parsed = parse(&req.q);
    let languages = languages_present(searcher);
    let scope = Scope {
        fields: index.fields(),
        languages: &languages,
    };
    let order = req.order.unwrap_or(if parsed.matches_all() {
        Order::Newest
    } else {
        Order::Relevance
    });
    let mut collector = collector_for(req.offset + req.limit, order, req.selection.clone());
    collector.count_facets = facets;
    let (query, highlights) = build_query(scope, &parsed, req.prefix, false);
    let query = within_dates(index.fields(), query, &req.dates);
    let collected = searcher.search(&query, &collector)?;
    // Typo tolerance runs only when the exact query finds little: typo matches would rank
    // below exact ones anyway, and fuzzy matching over the term dictionaries is the most
    // expensive part of a query.
    if collected.total < TYPO_FALLBACK_BELOW && !parsed.matches_all() {
        let (query, highlights) = build_query(scope, &parsed, req.prefix, true);
        let query = within_dates(index.fields(), query, &req.dates);
        let with_typos = searcher.search(&query, &collector)?;
        if with_typos.total > collected.total {
            return Ok((with_typos, parsed, highlights));
        }
    }
    Ok((collected, parsed, highlights))
}

/// Limits a query to documents whose dates fall in the requested ranges.
fn within_dates(
    fields: &Fields,
    query: Box<dyn Query>,
    dates: &[(DateField, Option<NaiveDate>, Option<NaiveDate>)],
) -> Box<dyn Query> {
    if dates.is_empty() {
        return query;
    }
    let mut clauses = vec![(Occur::Must, query)];
    for &(date, from, to) in dates {
        let field = fields.date(date);
        let bound = |d: Option<NaiveDate>| match d {
            Some(d) => Bound::Included(Term::from_field_i64(field, days(d))),
            None => Bound::Unbounded,
        };
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(bound(from), bound(to))) as Box<dyn Query>,
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The languages any indexed text is written in: a query need not search the fields of a
/// language no text is in.
pub fn languages_present(searcher: &Searcher) -> Vec<Language> {
    // A field in another language than its document's counts too, so the text fields are
    // asked (the folded field holds all of a language's text), not the language facet.
    Language::ALL
        .into_iter()
        .filter(|lang| {
            let Ok(field) = searcher
                .schema()
                .get_field(&format!("folded_{}", lang.code()))
            else {
                return false;
            };
            searcher.segment_readers().iter().any(|segment| {
                segment
                    .inverted_index(field)
                    .is_ok_and(|index| index.terms().num_terms() > 0)
            })
        })
        .collect()
}

/// A collector of the top `top_n` hits in `order` among documents in `selection`.
pub fn collector_for(
    top_n: usize,
    order: Order,
    selection: Selection,
) -> collector::SearchCollector {
    collector::SearchCollector {
        top_n,
        order,
        selection,
        updated_field: "updated",
        title_field: "title_key",
        count_facets: true,
    }
}

/// A collector of the best `top_n` hits by relevance among those passing `selection`,
/// without facet counts.
pub fn top_collector(top_n: usize, selection: Selection) -> collector::SearchCollector {
    collector::SearchCollector {
        count_facets: false,
        ..collector_for(top_n, Order::Relevance, selection)
    }
}

/// What to highlight in hits: analysed terms per language, and prefixes being typed.
#[derive(Debug, Default)]
pub struct Highlights {
    terms: HashMap<Language, HashSet<String>>,
    prefixes: Vec<String>,
}

/// The Tantivy query for a parsed user query, and what to highlight in its hits.
/// With `prefix`, a last word still being typed also matches as a prefix.
pub fn build_query(
    scope: Scope<'_>,
    parsed: &ParsedQuery,
    prefix: bool,
    typos: bool,
) -> (Box<dyn Query>, Highlights) {
    let mut terms: HashMap<Language, HashSet<String>> = HashMap::new();
    let partial = parsed
        .groups
        .last()
        .and_then(|g| g.last())
        .filter(|_| prefix && parsed.last_is_partial)
        .map(|i| i.text().to_lowercase())
        .filter(|w| w.chars().count() >= MIN_PREFIX_CHARS);
    for item in parsed.positives() {
        for text in std::iter::once(item.text()).chain(synonyms(item.text())) {
            for lang in Language::ALL {
                let main = analyze(lang, text)
                    .into_iter()
                    .filter(|t| t.origin != Origin::CompoundPart);
                terms.entry(lang).or_default().extend(main.map(|t| t.term));
            }
        }
    }
    let last_group = parsed.groups.len().saturating_sub(1);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = parsed
        .groups
        .iter()
        .enumerate()
        .filter_map(|(g, group)| {
            let mut items: Vec<Box<dyn Query>> = group
                .iter()
                .filter_map(|i| item_with_synonyms(scope, i, typos))
                .collect();
            if g == last_group
                && let Some(p) = &partial
            {
                items.push(prefix_query(scope, p));
            }
            (!items.is_empty()).then(|| (Occur::Must, union(items)))
        })
        .collect();
    if clauses.is_empty() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    // Several plain words that together are a synonym (`specialiserad sjukvård` ↔
    // erikoissairaanhoito) also find what the synonym finds.
    let plain_words = parsed.exclusions.is_empty()
        && parsed.groups.len() > 1
        && parsed
            .groups
            .iter()
            .all(|g| matches!(g.as_slice(), [Item::Word(_)]));
    if plain_words {
        let whole: Vec<&str> = parsed.positives().map(Item::text).collect();
        let alternatives: Vec<Box<dyn Query>> = synonyms(&whole.join(" "))
            .into_iter()
            .filter_map(|s| item_query(scope, s))
            .map(|q| Box::new(BoostQuery::new(q, SYNONYM_BOOST)) as Box<dyn Query>)
            .collect();
        if !alternatives.is_empty() {
            let all: Box<dyn Query> = Box::new(BooleanQuery::new(std::mem::take(&mut clauses)));
            clauses.push((
                Occur::Must,
                union(std::iter::once(all).chain(alternatives).collect()),
            ));
        }
    }
    clauses.extend(
        parsed
            .exclusions
            .iter()
            .filter_map(|i| item_query(scope, i.text()))
            .map(|q| (Occur::MustNot, q)),
    );
    let prefixes = partial.into_iter().collect();
    (
        Box::new(BooleanQuery::new(clauses)),
        Highlights { terms, prefixes },
    )
}

/// A word being typed, as a prefix of whole-word terms in every language.
fn prefix_query(scope: Scope<'_>, prefix: &str) -> Box<dyn Query> {
    let mut per_field: Vec<Box<dyn Query>> = Vec::new();
    for &lang in scope.languages {
        let f = scope.fields.text(lang);
        for (field, boost) in [
            (f.title, TITLE_BOOST),
            (f.body, BODY_BOOST),
            (f.parts, PARTS_BOOST),
        ] {
            let q = FuzzyTermQuery::new_prefix(Term::from_field_text(field, prefix), 0, false);
            per_field.push(Box::new(BoostQuery::new(Box::new(q), boost * PREFIX_BOOST)));
        }
    }
    union(per_field)
}

/// A compound typed as one word also matches its parts written apart
/// (`lastensuojelupalvelu` finds "lastensuojelun palvelut"), ranked below the word itself.
fn parts_query(scope: Scope<'_>, word: &str) -> Option<Box<dyn Query>> {
    let lower = word.to_lowercase();
    let mut per_language = Vec::new();
    for &lang in scope.languages {
        let analyzer = Analyzer::full(lang);
        let lemma = analyzer.word(&lower, false).main.clone();
        let Some(parts) = crate::analysis::split_compound(
            &lemma,
            crate::analysis::resources().language(lang),
            lang == Language::Sv,
        ) else {
            continue;
        };
        // Each part as a whole word of its own (not inside other compounds, which would
        // match nearly everything for common parts such as `palvelu`).
        let f = scope.fields.text(lang);
        let required: Vec<(Occur, Box<dyn Query>)> = parts
            .iter()
            .map(|p| {
                let term = analyzer.word(&p.lemma, false).main.clone();
                let fields = [
                    (f.title, TITLE_BOOST),
                    (f.summary, SUMMARY_BOOST),
                    (f.body, BODY_BOOST),
                ];
                let per_field = fields
                    .iter()
                    .map(|&(field, boost)| {
                        let q = TermQuery::new(
                            Term::from_field_text(field, &term),
                            IndexRecordOption::WithFreqs,
                        );
                        Box::new(BoostQuery::new(Box::new(q), boost)) as Box<dyn Query>
                    })
                    .collect();
                (Occur::Must, union(per_field))
            })
            .collect();
        if required.len() == parts.len() {
            per_language.push(Box::new(BoostQuery::new(
                Box::new(BooleanQuery::new(required)),
                PARTS_APART_BOOST,
            )) as Box<dyn Query>);
        }
    }
    (!per_language.is_empty()).then(|| union(per_language))
}

/// Edits allowed in a word of `chars` characters: none for short words, where a typo is as
/// likely another word, one for medium, two for long Finnish compounds.
fn typo_distance(chars: usize) -> u8 {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Terms near a word the lexicon does not know, ranked far below exact matches.
fn typo_query(scope: Scope<'_>, word: &str) -> Option<Box<dyn Query>> {
    let lower = word.to_lowercase();
    let distance = typo_distance(lower.chars().count());
    if distance == 0 || lower.chars().any(|c| !c.is_alphabetic()) {
        return None;
    }
    let mut per_field: Vec<Box<dyn Query>> = Vec::new();
    for &lang in scope.languages {
        let analyzer = Analyzer::full(lang);
        if analyzer.knows(&lower) {
            return None; // A real word is not a typo.
        }
        let Some((_, term)) = positions(analyzer.analyze(&lower)).into_iter().next() else {
            continue;
        };
        let f = scope.fields.text(lang);
        for field in [f.title, f.body] {
            let q = FuzzyTermQuery::new(Term::from_field_text(field, &term), distance, true);
            per_field.push(Box::new(BoostQuery::new(Box::new(q), TYPO_BOOST)));
        }
    }
    (!per_field.is_empty()).then(|| union(per_field))
}

/// An item, or any of its synonyms (ranked a little below the item itself).
fn item_with_synonyms(scope: Scope<'_>, item: &Item, typos: bool) -> Option<Box<dyn Query>> {
    let mut alternatives: Vec<Box<dyn Query>> =
        item_query(scope, item.text()).into_iter().collect();
    if let Item::Word(word) = item {
        alternatives.extend(parts_query(scope, word));
    }
    if let Item::Word(word) = item
        && typos
    {
        alternatives.extend(typo_query(scope, word));
    }
    for synonym in synonyms(item.text()) {
        if let Some(q) = item_query(scope, synonym) {
            alternatives.push(Box::new(BoostQuery::new(q, SYNONYM_BOOST)));
        }
    }
    (!alternatives.is_empty()).then(|| union(alternatives))
}

/// A word or phrase in every language's fields; `None` when it analyses to nothing.
///
/// Whole-word matches count most; a match inside a compound counts less, and a match only
/// after folding ä/ö/å least, so exact and base-form matches always rank first.
fn item_query(scope: Scope<'_>, text: &str) -> Option<Box<dyn Query>> {
    let mut per_language = Vec::new();
    for &lang in scope.languages {
        let analyzer = Analyzer::full(lang);
        let main = positions(analyzer.analyze(text));
        if main.is_empty() {
            continue;
        }
        // Folding helps only text typed without ä/ö/å that the lexicon does not know as it is.
        let typed_plain = !text.contains(['ä', 'ö', 'å', 'Ä', 'Ö', 'Å']);
        let known = words(text)
            .iter()
            .all(|w| analyzer.knows(&w.text.to_lowercase()));
        let folded = if typed_plain && !known {
            positions(analyzer.analyze_folded(text))
        } else {
            Vec::new()
        };
        let f = scope.fields.text(lang);
        let mut per_field: Vec<Box<dyn Query>> = Vec::new();
        for (field, boost) in [
            (f.title, TITLE_BOOST),
            (f.summary, SUMMARY_BOOST),
            (f.body, BODY_BOOST),
            (f.parts, PARTS_BOOST),
        ] {
            per_field.push(Box::new(BoostQuery::new(sequence(field, &main), boost)));
        }
        if !folded.is_empty() {
            per_field.push(Box::new(BoostQuery::new(
                sequence(f.folded, &folded),
                FOLDED_BOOST,
            )));
        }
        per_language.push(union(per_field));
    }
    (!per_language.is_empty()).then(|| union(per_language))
}

/// One main term per word position: the first, which is the word's own base form.
fn positions(tokens: Vec<AnalyzedToken>) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for t in tokens {
        if t.origin != Origin::CompoundPart && out.last().is_none_or(|(p, _)| *p != t.position) {
            out.push((t.position, t.term));
        }
    }
    out
}

/// A term query for one word, a phrase query for several.
fn sequence(field: tantivy::schema::Field, terms: &[(usize, String)]) -> Box<dyn Query> {
    if let [(_, term)] = terms {
        return Box::new(TermQuery::new(
            Term::from_field_text(field, term),
            IndexRecordOption::WithFreqs,
        ));
    }
    let first = terms[0].0;
    Box::new(PhraseQuery::new_with_offset(
        terms
            .iter()
            .map(|(p, t)| (p - first, Term::from_field_text(field, t)))
            .collect(),
    ))
}

fn union(mut queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        return queries.pop().expect("one query");
    }
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// Reads a stored document out of the index.
pub fn load_document(
    searcher: &Searcher,
    fields: &Fields,
    address: tantivy::DocAddress,
) -> Result<Document, SearchError> {
    Ok(load_stored(searcher, fields, address)?.0)
}

/// A stored document and the language each of its text fields was indexed in.
fn load_stored(
    searcher: &Searcher,
    fields: &Fields,
    address: tantivy::DocAddress,
) -> Result<(Document, Vec<Language>), SearchError> {
    let stored: TantivyDocument = searcher.doc(address)?;
    let bytes = stored
        .get_first(fields.source)
        .and_then(|v| v.as_bytes())
        .unwrap_or_default();
    let doc: Document =
        serde_json::from_slice(bytes).map_err(|e| SearchError::Corrupt(e.to_string()))?;
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
    Ok((doc, languages))
}

fn load_hit(
    searcher: &Searcher,
    fields: &Fields,
    address: tantivy::DocAddress,
    score: f32,
    highlights: &Highlights,
) -> Result<Hit, SearchError> {
    let (doc, languages) = load_stored(searcher, fields, address)?;
    let lang = doc.language();
    let empty = HashSet::new();
    // Each field is highlighted in the language it was indexed in.
    let highlighted = |at: usize, text: &str, whole: bool| {
        let in_lang = languages.get(at).copied().unwrap_or(lang);
        let marks = Marks {
            terms: highlights.terms.get(&in_lang).unwrap_or(&empty),
            prefixes: &highlights.prefixes,
        };
        snippet(in_lang, text, marks, whole)
    };
    let c = &doc.common;
    let title_html = highlighted(0, &c.title, true)
        .map(|s| s.html)
        .unwrap_or_default();
    // `strings()` is title first, then the others in the order their languages were stored.
    let snippet = doc
        .strings()
        .enumerate()
        .skip(1)
        .find_map(|(at, (_, text))| {
            highlighted(at, text, false).filter(|s| !s.highlights.is_empty())
        })
        .unwrap_or_else(|| lead(&c.summary));
    Ok(Hit {
        id: c.id.clone(),
        kind: doc.kind(),
        title: c.title.clone(),
        title_html,
        snippet,
        url: c.url.as_ref().map(|u| u.as_str().to_owned()),
        score,
        language: lang,
        regions: c.regions.clone(),
        themes: c.themes.clone(),
        phase: doc.phase(),
        updated_at: c.updated_at,
    })
}

fn facet_counts(
    collected: BTreeMap<FacetField, BTreeMap<String, u64>>,
    selection: &Selection,
) -> Vec<FacetCounts> {
    FacetField::ALL
        .iter()
        .map(|&facet| {
            let selected: &[String] = selection
                .iter()
                .find(|(f, _)| *f == facet)
                .map_or(&[], |(_, v)| v.as_slice());
            let mut counts = collected.get(&facet).cloned().unwrap_or_default();
            for value in selected {
                counts.entry(value.clone()).or_insert(0);
            }
            let mut values: Vec<FacetValue> = counts
                .into_iter()
                .map(|(value, count)| FacetValue {
                    selected: selected.contains(&value),
                    value,
                    count,
                })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            FacetCounts {
                facet: facet.name().to_owned(),
                values,
            }
        })
        .collect()
}

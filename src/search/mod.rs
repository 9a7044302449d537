//! Full-text search: the user's query, facet filters, one collecting pass, then hits with
//! snippets.

mod automaton;
mod build;
mod collector;
mod conjunction;
mod coverage;
mod disjunction;
pub mod query;
mod rescore;
mod snippet;
mod spread;
mod suggest;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use tantivy::collector::Collector;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery};
use tantivy::{Searcher, Term};

use std::ops::Bound;

use crate::index::{
    DateField, FacetField, FacetTotals, Fields, SearchIndex, SegmentFacets, StoredDocument,
    StoredError, days,
};
use crate::schema::{DocId, Document, Kind, Language, Phase, Region, Theme};

use disjunction::Lookups;
use spread::Threads;

pub use build::{Plan, highlights, plan, proximity_query, title_phrases, typo_matches, typo_words};
pub use collector::{Collected, Order, Selection};
pub use query::{Item, ParsedQuery, parse};
pub use snippet::{Marks, Snippet, Terms, escape_into, lead, snippet};
pub use suggest::{DocumentSuggestion, Suggestions, TermSuggestion, did_you_mean, suggest};

/// Most hits one page may ask for.
pub const MAX_LIMIT: usize = 100;
/// Fewer hits than this make a search try typo tolerance.
const TYPO_FALLBACK_BELOW: u64 = 5;
/// Fewer hits than this make a search offer a correction.
const FEW_RESULTS: u64 = 3;
/// Fewer hits than a page of this many make a search of several words relax them
/// ([`Matching::Most`]).
const RELAX_BELOW: u64 = 10;
/// Text of a hit's fields read in search of a passage to show, in bytes.
const SNIPPET_SCAN_BYTES: usize = 8 * 1024;
/// Deepest offset served: beyond it, refine the query instead.
pub const MAX_OFFSET: usize = 10_000;
/// Values of each facet a search returns unless asked otherwise: all the regions (23) and
/// themes fit, while the organisations, which grow with the catalogue into thousands, are cut
/// to the most frequent.
pub const DEFAULT_FACET_VALUES: usize = 30;
/// Most values of one facet a search returns.
pub const MAX_FACET_VALUES: usize = 1_000;

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
    /// Most values returned per facet: the most frequent, and every selected one besides.
    /// With 0, facets are not counted at all.
    pub facet_values: usize,
    /// Ranked by relevance, documents in this language come before matches about as good in
    /// others (the reader's language: a search page passes its own).
    pub prefer: Option<Language>,
    /// How many of the query's words a document must match.
    pub matching: Matching,
}

/// How many of a query's words a document must match. Function words (*ja*, *och*, *at*)
/// are never required.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Matching {
    /// Every word.
    All,
    /// Every word, and when that finds less than a page, fewer: documents matching all the
    /// words first, then those missing one word, and so on, down to those matching one.
    #[default]
    Most,
    /// Any word: documents ranked by how many of the words they match, then by score.
    Any,
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
            facet_values: DEFAULT_FACET_VALUES,
            prefer: None,
            matching: Matching::default(),
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
    /// The language the snippet's field is written in: usually the document's, but a field
    /// may be in another (a Finnish practice with a Swedish summary).
    pub snippet_language: Language,
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
    /// Words of the query the document does not match, when the query was relaxed
    /// ([`SearchResults::relaxed`]); omitted when it matches them all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
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
    /// Facet counts (none when the request asked for no facet values).
    pub facets: Vec<FacetCounts>,
    /// A corrected query, when this one found few or no documents.
    pub did_you_mean: Option<String>,
    /// Words of the query that some hit on this page does not match: the query was relaxed
    /// because few documents match all its words (see `match`). Empty when every hit
    /// matches every word.
    pub relaxed: Vec<String>,
}

/// What a search can fail with: only the index itself, never the user's text.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Tantivy failed.
    #[error("search: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A stored document could not be read.
    #[error(transparent)]
    Stored(#[from] StoredError),
}

/// The fields a query searches: those of the languages the index holds documents in.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The index's fields.
    pub fields: &'a Fields,
    /// Languages present in the index.
    pub languages: &'a [Language],
}

/// What a search had to do, for reporting its time by kind of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// No words: filters and facets only.
    Browse,
    /// Whole words.
    Words,
    /// A last word still being typed, matched as a prefix.
    Prefix,
    /// The exact words found too little: typo tolerance ran and found more.
    Typo,
    /// Documents need not match every word (`match=any`, or `most` relaxed).
    Relaxed,
}

impl Shape {
    /// Its name, as in [`crate::telemetry::SEARCH_SHAPES`].
    pub fn name(self) -> &'static str {
        match self {
            Shape::Browse => "browse",
            Shape::Words => "words",
            Shape::Prefix => "prefix",
            Shape::Typo => "typo",
            Shape::Relaxed => "relaxed",
        }
    }
}

/// Runs a search.
pub fn search(index: &SearchIndex, req: &SearchRequest) -> Result<SearchResults, SearchError> {
    Ok(search_shaped(index, req)?.0)
}

/// Runs a search, and says what it had to do.
pub fn search_shaped(
    index: &SearchIndex,
    req: &SearchRequest,
) -> Result<(SearchResults, Shape), SearchError> {
    let searcher = index.searcher();
    let counting = req.facet_values > 0;
    let Ran {
        collected,
        parsed,
        plan,
        languages,
        typos,
        relaxed,
        order,
    } = run(index, &searcher, req, counting)?;
    let scope = Scope {
        fields: index.fields(),
        languages: &languages,
    };
    // Hits found through typos show the words they have, not the one typed.
    let corrected = typo_matches(&searcher, scope, &typos)?;
    let highlights = highlights(scope, &parsed, req.prefix, corrected);
    let shape = if parsed.matches_all() {
        Shape::Browse
    } else if relaxed {
        Shape::Relaxed
    } else if !typos.is_empty() {
        Shape::Typo
    } else if !highlights.prefixes.is_empty() {
        Shape::Prefix
    } else {
        Shape::Words
    };
    let page = collected.top.get(req.offset..).unwrap_or_default();
    let missing = match relaxed {
        true => missing_words(&searcher, &plan, page, order == Order::Relevance)?,
        false => vec![Vec::new(); page.len()],
    };
    let hits = page
        .iter()
        .zip(missing)
        .map(|(r, missing)| {
            let mut hit = load_hit(index, &searcher, r.address, r.score, &highlights)?;
            hit.missing = missing;
            Ok(hit)
        })
        .collect::<Result<Vec<_>, SearchError>>()?;
    let relaxed = plan
        .texts()
        .filter(|word| hits.iter().any(|h| h.missing.iter().any(|m| m == word)))
        .map(str::to_owned)
        .collect();
    // Few or no results for a real query: offer a correction that finds more.
    let did_you_mean = if collected.total < FEW_RESULTS && !parsed.matches_all() {
        did_you_mean(index, &req.q)?
    } else {
        None
    };
    let results = SearchResults {
        total: collected.total,
        hits,
        facets: match counting {
            true => facet_counts(collected.facets, &req.selection, req.facet_values),
            false => Vec::new(),
        },
        did_you_mean,
        relaxed,
    };
    Ok((results, shape))
}

/// Runs the collecting pass of a search: top hits, total and (with `facets`) facet counts.
pub fn collect(
    index: &SearchIndex,
    req: &SearchRequest,
    facets: bool,
) -> Result<Collected, SearchError> {
    Ok(run(index, &index.searcher(), req, facets)?.collected)
}

fn run(
    index: &SearchIndex,
    searcher: &Searcher,
    req: &SearchRequest,
    facets: bool,
) -> Result<Ran, SearchError> {
    let languages = languages_present(searcher, index.fields());
    let scope = Scope {
        fields: index.fields(),
        languages: &languages,
    };
    let parsed = build::pieces_of_unknown_hyphenated(searcher, scope, &parse(&req.q));
    let order = req.order.unwrap_or(if parsed.matches_all() {
        Order::Newest
    } else {
        Order::Relevance
    });
    let prefer = match order {
        Order::Relevance => req.prefer,
        _ => None,
    };
    let sets = if facets || !req.selection.is_empty() || prefer.is_some() {
        index.facet_sets(searcher)?
    } else {
        Vec::new()
    };
    // Ranked by relevance, the best hits are re-ranked by how close the words stand and
    // whether the query is a phrase of the title: the collector keeps enough of them for that.
    let (proximity, titles) = match order {
        Order::Relevance => (
            proximity_query(scope, &parsed),
            title_phrases(scope, &parsed),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    let wanted = req.offset + req.limit;
    let top_n = match proximity.is_empty() && titles.is_empty() {
        true => wanted,
        false => wanted.max(rescore::WINDOW),
    };
    let mut collector = collector_for(top_n, order, req.selection.clone(), sets);
    if facets {
        collector.counting = Some(index.facet_numbering(&collector.facets));
    }
    collector.prefer = prefer;
    // A relaxed or corrected pass asks for most of the terms the one before it asked for.
    let lookups = std::cell::RefCell::new(Lookups::default());
    let gather = |query: Box<dyn Query>| {
        let query = within_dates(index.fields(), query, &req.dates);
        collect_query(
            searcher,
            query.as_ref(),
            &collector,
            &mut lookups.borrow_mut(),
        )
    };
    let mut plan = plan(scope, &parsed, req.prefix, &[]);
    // One word has nothing to relax.
    let matching = match plan.len() {
        0 | 1 => Matching::All,
        _ => req.matching,
    };
    let strict = |plan: &Plan| match matching {
        Matching::Any => Box::new(plan.coverage(1)) as Box<dyn Query>,
        Matching::All | Matching::Most => plan.all(),
    };
    let mut collected = gather(strict(&plan))?;
    // Typo tolerance runs only when the exact query finds little and has a word the lexicon
    // does not know: typo matches would rank below exact ones anyway, and fuzzy matching over
    // the term dictionaries is the most expensive part of a query.
    let mut typos = Vec::new();
    if collected.total < TYPO_FALLBACK_BELOW {
        let candidates = typo_words(searcher, scope, &parsed);
        if !candidates.is_empty() {
            let with_typos = build::plan(scope, &parsed, req.prefix, &candidates);
            let found = gather(strict(&with_typos))?;
            if found.total > collected.total {
                collected = found;
                plan = with_typos;
                typos = candidates;
            }
        }
    }
    // Few documents have every word: those that have fewer follow, ranked by how many.
    let mut relaxed = matching == Matching::Any;
    if matching == Matching::Most && collected.total < RELAX_BELOW {
        let found = gather(Box::new(plan.coverage(1)))?;
        if found.total > collected.total {
            collected = found;
            relaxed = true;
        }
    }
    if !proximity.is_empty() || !titles.is_empty() {
        rescore::rescore(searcher, &proximity, &titles, &mut collected.top)?;
        collected.top.truncate(wanted);
    }
    Ok(Ran {
        collected,
        parsed,
        plan,
        languages,
        typos,
        relaxed,
        order,
    })
}

/// What the collecting pass of a search found, and how.
struct Ran {
    collected: Collected,
    parsed: ParsedQuery,
    /// The words searched for.
    plan: Plan,
    /// The languages whose fields were searched.
    languages: Vec<Language>,
    /// The words typo tolerance corrected, when the exact query found too little.
    typos: Vec<String>,
    /// Whether hits need not match every word.
    relaxed: bool,
    /// How the hits are ordered.
    order: Order,
}

/// Which of the plan's words each of `hits` does not match, as typed. Ranked `by_coverage`,
/// a hit in the top tier matches them all (or their synonyms together); the others are
/// asked word by word.
fn missing_words(
    searcher: &Searcher,
    plan: &Plan,
    hits: &[collector::Ranked],
    by_coverage: bool,
) -> tantivy::Result<Vec<Vec<String>>> {
    let all = plan.len() as u64;
    let partial = |h: &collector::Ranked| !by_coverage || h.coverage() < all;
    let asked: Vec<_> = hits
        .iter()
        .filter(|h| partial(h))
        .map(|h| h.address)
        .collect();
    let mut matched = rescore::matching(searcher, &plan.word_queries(), &asked)?.into_iter();
    Ok(hits
        .iter()
        .map(|h| match partial(h) {
            false => Vec::new(),
            true => {
                let words = matched.next().expect("one set of words per partial hit");
                plan.texts()
                    .zip(words)
                    .filter(|(_, has)| !has)
                    .map(|(text, _)| text.to_owned())
                    .collect()
            }
        })
        .collect())
}

/// Runs `query` through `collector`; a disjunction, conjunction or coverage that is the whole
/// query, window by window (see [`disjunction`], [`conjunction`] and [`coverage`]).
fn collect_query(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &collector::SearchCollector,
    lookups: &mut Lookups,
) -> Result<Collected, SearchError> {
    let alone = Collecting::start();
    let segments = searcher.segment_readers();
    let spread = segments.len() > 1 && alone.0;
    #[cfg(test)]
    let spread = tests::SPREAD.get().unwrap_or(spread);
    let threads = match spread {
        true => Threads::Spread,
        false => Threads::One,
    };
    let awake = threads.wake();
    let windows: Box<dyn disjunction::Windows + Sync> =
        if let Some(any) = query.downcast_ref::<disjunction::Disjunction>() {
            Box::new(any.windowed(searcher, lookups.add(any.terms(), searcher)?)?)
        } else if let Some(all) = query.downcast_ref::<conjunction::Conjunction>() {
            Box::new(all.windowed(searcher, lookups.add(all.terms(), searcher)?)?)
        } else if let Some(most) = query.downcast_ref::<coverage::Coverage>() {
            Box::new(most.windowed(searcher, lookups.add(most.terms(), searcher)?)?)
        } else {
            return Ok(searcher.search(query, collector)?);
        };
    drop(awake);
    let fruits = threads.map(segments, |segment, reader| {
        collector.collect_windows(windows.as_ref(), segment as u32, reader)
    })?;
    drop(alone);
    Ok(collector.merge_fruits(fruits)?)
}

/// Searches collecting in this process, whatever their query, counted while one is: a search
/// that runs alone collects its segments on every CPU ([`Threads::Spread`]); searches side
/// by side each collect on their own thread. Spreading each over the CPUs the others are
/// using only adds the cost of handing the segments over: at a million documents under load,
/// spreading every search served 7–9 % fewer (docs/performance.md).
struct Collecting(bool);

static COLLECTING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Collecting {
    /// Counts a search in; whether it is alone.
    fn start() -> Collecting {
        Collecting(COLLECTING.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 0)
    }
}

impl Drop for Collecting {
    fn drop(&mut self) {
        COLLECTING.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
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
pub fn languages_present(searcher: &Searcher, fields: &Fields) -> Vec<Language> {
    // A field in another language than its document's counts too, so the text fields are
    // asked, not the language facet: every text is in one of the whole-word fields (the
    // folded field holds only the words folding changes, none of most English texts).
    Language::ALL
        .into_iter()
        .filter(|&lang| {
            let f = fields.text(lang);
            [f.title, f.summary, f.body].into_iter().any(|field| {
                searcher.segment_readers().iter().any(|segment| {
                    segment
                        .inverted_index(field)
                        .is_ok_and(|index| index.terms().num_terms() > 0)
                })
            })
        })
        .collect()
}

/// A collector of the top `top_n` hits in `order` among documents in `selection`, without
/// facet counts until given their numbering (its `counting` field);
/// `facets` are the searcher's facet sets ([`SearchIndex::facet_sets`]), which may be empty
/// when `selection` is.
pub fn collector_for(
    top_n: usize,
    order: Order,
    selection: Selection,
    facets: Vec<Arc<SegmentFacets>>,
) -> collector::SearchCollector {
    collector::SearchCollector {
        top_n,
        order,
        selection,
        updated_field: "updated",
        title_field: "title_key",
        prefer: None,
        facets,
        counting: None,
    }
}

/// A collector of the best `top_n` hits by relevance among those passing `selection`,
/// without facet counts; `facets` may be empty when `selection` is.
pub fn top_collector(
    top_n: usize,
    selection: Selection,
    facets: Vec<Arc<SegmentFacets>>,
) -> collector::SearchCollector {
    collector_for(top_n, Order::Relevance, selection, facets)
}

/// What to highlight in hits: analysed terms per language, and prefixes being typed.
#[derive(Debug, Default)]
pub struct Highlights {
    terms: HashMap<Language, Terms>,
    prefixes: Vec<String>,
}

/// Reads a stored document out of the index.
pub fn load_document(
    index: &SearchIndex,
    searcher: &Searcher,
    address: tantivy::DocAddress,
) -> Result<Arc<Document>, SearchError> {
    Ok(index.document(searcher, address)?.doc)
}

fn load_hit(
    index: &SearchIndex,
    searcher: &Searcher,
    address: tantivy::DocAddress,
    score: f32,
    highlights: &Highlights,
) -> Result<Hit, SearchError> {
    let StoredDocument { doc, languages, .. } = index.document(searcher, address)?;
    let lang = doc.language();
    let empty = Terms::default();
    // Each field is highlighted in the language it was indexed in.
    let language_of = |at: usize| languages.get(at).copied().unwrap_or(lang);
    let highlighted = |at: usize, text: &str, whole: bool| {
        let in_lang = language_of(at);
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
    // A hit found by what highlighting cannot see (a typo, a synonym's other language) would
    // have every field read for nothing: after a budget of text, the summary's start it is.
    let mut budget = SNIPPET_SCAN_BYTES;
    let (snippet, snippet_language) = doc
        .strings()
        .enumerate()
        .skip(1)
        .take_while(|(_, (_, text))| {
            let within = budget > 0;
            budget = budget.saturating_sub(text.len());
            within
        })
        .find_map(|(at, (_, text))| {
            highlighted(at, text, false)
                .filter(|s| !s.highlights.is_empty())
                .map(|s| (s, language_of(at)))
        })
        .unwrap_or_else(|| (lead(&c.summary), language_of(1)));
    Ok(Hit {
        id: c.id.clone(),
        kind: doc.kind(),
        title: c.title.clone(),
        title_html,
        snippet,
        snippet_language,
        url: c.url.as_ref().map(|u| u.as_str().to_owned()),
        score,
        language: lang,
        regions: c.regions.clone(),
        themes: c.themes.clone(),
        phase: doc.phase(),
        updated_at: c.updated_at,
        missing: Vec::new(),
    })
}

/// Each facet's values, most frequent first, cut to the `most` most frequent and the selected.
fn facet_counts(
    totals: Option<FacetTotals>,
    selection: &Selection,
    most: usize,
) -> Vec<FacetCounts> {
    FacetField::ALL
        .iter()
        .map(|&facet| {
            let selected: &[String] = selection
                .iter()
                .find(|(f, _)| *f == facet)
                .map_or(&[], |(_, v)| v.as_slice());
            let is_selected = |value: &str| selected.iter().any(|s| s == value);
            let mut counted: Vec<(&str, u64)> =
                totals.iter().flat_map(|t| t.counted(facet)).collect();
            for value in selected {
                if !counted.iter().any(|(v, _)| v == value) {
                    counted.push((value, 0));
                }
            }
            let order = |a: &(&str, u64), b: &(&str, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
            // The `most` first, and a selected value however rare, so that a user can always
            // unselect it; the others are never sorted.
            if counted.len() > most {
                if most > 0 {
                    counted.select_nth_unstable_by(most - 1, order);
                }
                let rest: Vec<(&str, u64)> = counted
                    .drain(most..)
                    .filter(|(value, _)| is_selected(value))
                    .collect();
                counted.extend(rest);
            }
            counted.sort_unstable_by(order);
            FacetCounts {
                facet: facet.name().to_owned(),
                values: counted
                    .into_iter()
                    .map(|(value, count)| FacetValue {
                        selected: is_selected(value),
                        value: value.to_owned(),
                        count,
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::Catalog;
    use crate::schema::Document;
    use std::cell::Cell;

    thread_local! {
        /// Whether this thread's searches collect their segments on the pool (`true`) or on
        /// their own thread (`false`), whatever other searches are doing (`None`: as served).
        pub(super) static SPREAD: Cell<Option<bool>> = const { Cell::new(None) };
    }

    /// The bundled sample catalogue's documents, in the order of its files.
    pub(super) fn sample_documents() -> Vec<Document> {
        let files = crate::service::ndjson_files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample"),
        )
        .expect("the sample catalogue");
        crate::cli::read_documents(&files).expect("sample documents")
    }

    #[test]
    fn segments_collected_on_several_threads_give_what_one_thread_gives() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let docs = sample_documents();
        // A fifth built, the rest written in four more commits: five segments or more (one per
        // writer thread a commit gave documents).
        let parts: Vec<&[Document]> = docs.chunks(docs.len().div_ceil(5)).collect();
        let first = parts[0].iter().cloned().map(Ok::<_, String>);
        let index = SearchIndex::build(&Catalog::new(dir.path()), first, |_| {}).expect("built");
        let mut writer: tantivy::IndexWriter =
            index.tantivy().writer(50_000_000).expect("a writer");
        // Merged while the test searches, the segments would change under it.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for part in &parts[1..] {
            for doc in *part {
                writer
                    .add_document(index.fields().to_tantivy(doc))
                    .expect("added");
            }
            writer.commit().expect("committed");
        }
        index.reload().expect("reloaded");
        assert!(index.searcher().segment_readers().len() >= 5);
        // The same documents built at once, into one segment: the counts of the segments
        // above must add up to its counts.
        let whole_dir = tempfile::tempdir().expect("temporary directory");
        let all = docs.iter().cloned().map(Ok::<_, String>);
        let whole =
            SearchIndex::build(&Catalog::new(whole_dir.path()), all, |_| {}).expect("built");
        assert_eq!(whole.searcher().segment_readers().len(), 1);
        // A facet selected: the documents failing only its filter count for its values.
        let region = vec![(FacetField::Region, vec!["pohjois-savo".to_owned()])];
        let requests = [
            ("mielenterveys", Order::Relevance, false, Vec::new()),
            (
                "ikääntyneiden kotihoito",
                Order::Relevance,
                false,
                Vec::new(),
            ),
            // Relaxed: no document has every word.
            (
                "päihteiden käytön vähentäminen nuorilla zyxwv",
                Order::Relevance,
                false,
                Vec::new(),
            ),
            ("lasten", Order::Newest, false, Vec::new()),
            ("perhe", Order::Relevance, true, Vec::new()),
            ("palvelu", Order::Title, false, region.clone()),
            ("", Order::Newest, false, region),
        ];
        for (q, order, prefix, selection) in requests {
            let req = SearchRequest {
                q: q.to_owned(),
                limit: 20,
                order: Some(order),
                prefix,
                facet_values: 10,
                selection,
                ..SearchRequest::default()
            };
            let answer = |spread: bool| {
                SPREAD.set(Some(spread));
                let results = search(&index, &req).expect("searched");
                serde_json::to_value(results).expect("as JSON")
            };
            let alone = answer(false);
            assert!(alone["total"].as_u64() > Some(0), "{q}: {alone}");
            assert_eq!(answer(true), alone, "{q}");
            let at_once =
                serde_json::to_value(search(&whole, &req).expect("searched")).expect("as JSON");
            assert_eq!(at_once["total"], alone["total"], "{q}");
            assert_eq!(at_once["facets"], alone["facets"], "{q}");
        }
    }
}

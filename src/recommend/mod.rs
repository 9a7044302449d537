//! "Similar practices": documents close to a document or to a page outside Innohaku, each
//! with the reasons a reader can check.
//!
//! Two candidate pools are merged: a more-like-this query over the source's most
//! distinctive terms (written here rather than taken from Tantivy, so the terms can be shown
//! as reasons), and a structural query over explicit links, themes and target groups. Each
//! candidate is then scored by its text similarity plus its structural signals
//! (see `blend.rs`), translations and near-duplicates are set aside, and the list is spread over
//! organisations.

mod blend;
mod distinct;
mod stats;
mod terms;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

use crate::analysis::detect_language;
use crate::index::{FacetField, Fields, SearchIndex};
use crate::schema::{DocId, Document, Kind, Language, Phase, Region, TargetGroup, Theme};
use crate::search::{SearchError, load_document, top_collector};

pub use blend::Link;
pub use distinct::ThemeSpread;
pub use stats::LanguageStats;
pub use terms::{KeyTerm, Weighing, key_terms};

/// Most recommendations one request may ask for.
pub const MAX_LIMIT: usize = 20;
/// Most characters of free text considered.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Shared key terms shown per recommendation.
const MAX_REASON_TERMS: usize = 5;

/// Which part of a text a piece is: the title and summary say what a document is for in
/// fewer words than the body, and their words count more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The title.
    Title,
    /// The summary.
    Summary,
    /// The sections on what the document is for and how it works: its background, goals,
    /// method, results, a network's description.
    Body,
    /// The sections on its circumstances, which every description of its kind has and
    /// words alike: resources and costs, evaluation, conditions for adopting it, the contact
    /// organisation, a project's funder and programme.
    Context,
}

/// How much more a title's word counts than the body's.
const TITLE_WEIGHT: f32 = 3.0;

/// What recommendations are computed from: a document, or a page described by text and
/// facets.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The document's id, when it is one of ours.
    pub id: Option<DocId>,
    /// Its language.
    pub language: Language,
    /// Its title, to recognise near-duplicates.
    pub title: Option<String>,
    /// Its text, piece by piece.
    pub texts: Vec<(Part, String)>,
    /// Themes.
    pub themes: Vec<Theme>,
    /// Target groups.
    pub target_groups: Vec<TargetGroup>,
    /// Regions.
    pub regions: Vec<Region>,
    /// Organisations.
    pub organisations: Vec<String>,
    /// Documents it links to.
    pub links: Vec<DocId>,
    /// Its versions in other languages.
    pub translations: Vec<DocId>,
}

impl Profile {
    /// The profile of a stored document.
    pub fn of_document(doc: &Document) -> Profile {
        let c = &doc.common;
        Profile {
            id: Some(c.id.clone()),
            language: doc.language(),
            title: Some(c.title.clone()),
            texts: doc
                .strings()
                .filter(|(name, _)| *name != "organisations")
                .map(|(name, text)| {
                    let part = match name {
                        "title" => Part::Title,
                        "summary" => Part::Summary,
                        "resources"
                        | "evaluation"
                        | "adoption"
                        | "contact_organisation"
                        | "funder"
                        | "programme" => Part::Context,
                        _ => Part::Body,
                    };
                    (part, text.to_owned())
                })
                .collect(),
            themes: c.themes.clone(),
            target_groups: c.target_groups.clone(),
            regions: c.regions.clone(),
            organisations: c.organisations.clone(),
            links: doc.links().map(|(_, id)| id.clone()).collect(),
            translations: c.translations.clone(),
        }
    }

    /// The profile of a page outside Innohaku; its language is detected unless given.
    pub fn of_page(page: &Page) -> Profile {
        let text: String = page.text.chars().take(MAX_TEXT_CHARS).collect();
        let language = page
            .text_language
            .or_else(|| (!text.trim().is_empty()).then(|| detect_language(&text)))
            .unwrap_or(Language::Fi);
        Profile {
            language,
            texts: vec![(Part::Body, text)],
            themes: page.themes.clone(),
            target_groups: page.target_groups.clone(),
            regions: page.home_regions.clone(),
            id: None,
            title: None,
            organisations: Vec::new(),
            links: Vec::new(),
            translations: Vec::new(),
        }
    }
}

/// A page that is not in Innohaku, described by its text and facets. (Its wire form is
/// the HTTP layer's `PageBody`, named as in the query string.)
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The page's text (title and body); only the first 20,000 characters count.
    pub text: String,
    /// The text's language; detected when absent.
    pub text_language: Option<Language>,
    /// Themes of the page.
    pub themes: Vec<Theme>,
    /// Target groups of the page.
    pub target_groups: Vec<TargetGroup>,
    /// The regions the page is about (for `region_mode`).
    pub home_regions: Vec<Region>,
}

impl Page {
    /// Whether there is anything to compare with.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty() && self.themes.is_empty() && self.target_groups.is_empty()
    }
}

/// How the source's regions shape the results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegionMode {
    /// Regions do not matter.
    #[default]
    Any,
    /// Only documents from other regions: "how is this done elsewhere".
    Other,
    /// Documents from the source's regions first.
    MineFirst,
}

/// Which similarity ranks the results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Method {
    /// Text and structure together (what the service uses).
    #[default]
    Blended,
    /// Text alone: the baseline of the offline evaluation.
    TextOnly,
}

/// What to return.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only these kinds (all when empty).
    pub kinds: Vec<Kind>,
    /// Only documents in these regions (all when empty).
    pub regions: Vec<Region>,
    /// How the source's own regions count.
    pub region_mode: RegionMode,
    /// Only documents in these languages (all when empty).
    pub languages: Vec<Language>,
    /// How many.
    pub limit: usize,
    /// The language of labels in reasons.
    pub labels: Language,
    /// Which similarity.
    pub method: Method,
    /// Whether to spread results over organisations (off only in the evaluation).
    pub diversify: bool,
    /// The method's weights (other than the default only in the evaluation).
    pub tuning: Tuning,
}

/// The weights of the blended method. The default was tuned on the tuning half of the judged
/// sources (`eval/recommend/`, `cargo run --release --example recommend_eval`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// How strongly a key term spread over many themes is weighed down: its tf-idf is
    /// multiplied by its concentration in a few themes to this power (0: tf-idf alone).
    pub boilerplate: f32,
    /// How much a compound part or derivational root counts as a key term, next to a whole
    /// word's 1; above 0 the compound-part field is searched too, so that
    /// `mielenterveysvastaanotto` and `vastaanotto` find each other (0: whole words only).
    pub parts: f32,
    /// How much a summary's word counts, next to the body's 1 and the title's 3.
    pub summary: f32,
    /// How much a word of the sections on circumstances counts (`Part::Context`).
    pub context: f32,
    /// Whether idf and BM25 count only the documents with text in the term's language
    /// (`stats.rs`) rather than all documents.
    pub language_stats: bool,
    /// Weight of the key terms of the source's own language versions, next to its own;
    /// 0: only the synonym list reaches other languages.
    pub translations: f32,
    /// Weight of the themes both have (Jaccard), next to the text's 1.
    pub themes: f32,
    /// Weight of the target groups both serve (Jaccard).
    pub target_groups: f32,
    /// Whether a shared theme or target group counts by its rarity (its idf over the
    /// catalogue: a weighted Jaccard) rather than each alike.
    pub rare_facets: bool,
    /// Weight of a shared organisation.
    pub organisation: f32,
    /// Weight of a project or network both name.
    pub shared_link: f32,
    /// How collection pages (projects and networks not linked with the source either way)
    /// rank: their score is multiplied by this, or with `None` they form a tier after every
    /// other document.
    pub collections: Option<f32>,
    /// Whether only projects of a funding programme (and networks) are collection pages,
    /// not a project standing alone (`blend::is_collection`).
    pub programmes_only: bool,
}

impl Tuning {
    /// The method as it was before the judged evaluation: tf-idf key terms, structure
    /// weights tuned on the links, collection pages ranked with the rest.
    pub const BEFORE: Tuning = Tuning {
        boilerplate: 0.0,
        parts: 0.0,
        summary: 1.0,
        context: 1.0,
        language_stats: false,
        translations: 0.0,
        themes: 0.5,
        target_groups: 0.3,
        rare_facets: false,
        organisation: 0.3,
        shared_link: 0.3,
        collections: Some(1.0),
        programmes_only: false,
    };
}

impl Default for Tuning {
    /// Tuned on the odd sources: an organisation or a project both name added nothing
    /// (same county, same programme: the boilerplate of structure); a shared target group
    /// counts by its rarity, and more (0.3 → 0.5); each language is scored over its own
    /// documents; the collection tier holds networks and the projects of a funding
    /// programme; compound parts are key terms as whole words are. The sections on
    /// circumstances and the language versions' own terms, tried too, did not help there
    /// (`eval/README.md`).
    fn default() -> Self {
        Tuning {
            boilerplate: 1.0,
            parts: 1.0,
            target_groups: 0.5,
            rare_facets: true,
            language_stats: true,
            organisation: 0.0,
            shared_link: 0.0,
            collections: None,
            programmes_only: true,
            ..Tuning::BEFORE
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            kinds: Vec::new(),
            regions: Vec::new(),
            region_mode: RegionMode::Any,
            languages: Vec::new(),
            limit: 5,
            labels: Language::Fi,
            method: Method::Blended,
            diversify: true,
            tuning: Tuning::default(),
        }
    }
}

/// Recommendations and the source's translations.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recommendations {
    /// Most similar first.
    pub results: Vec<Recommendation>,
    /// The source in other languages: offered as translations, not as recommendations.
    pub translations: Vec<DocumentRef>,
}

/// Enough of a document to link to it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentRef {
    /// Id.
    #[schema(value_type = String)]
    pub id: DocId,
    /// Kind.
    pub kind: Kind,
    /// Language.
    pub language: Language,
    /// Title.
    pub title: String,
    /// Canonical page.
    pub url: Option<String>,
}

/// One recommended document and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recommendation {
    /// Id.
    #[schema(value_type = String)]
    pub id: DocId,
    /// Kind.
    pub kind: Kind,
    /// Language of its text.
    pub language: Language,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Canonical page.
    pub url: Option<String>,
    /// Regions.
    pub regions: Vec<Label>,
    /// Organisations.
    pub organisations: Vec<String>,
    /// A practice's phase.
    pub phase: Option<Label>,
    /// Score (comparable within one response).
    pub score: f32,
    /// Why it is recommended.
    pub reasons: Reasons,
}

/// Why a document is recommended, in terms a reader can check.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Reasons {
    /// Key terms of the source that it also uses, as words (base forms), strongest first.
    pub terms: Vec<String>,
    /// Themes both have.
    pub themes: Vec<Label>,
    /// Target groups both serve.
    pub target_groups: Vec<Label>,
    /// An explicit link between the two.
    pub link: Option<Link>,
    /// Whether it works in one of the source's regions.
    pub same_region: bool,
}

/// A vocabulary value with its label in the requested language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Label {
    /// Stable id.
    pub id: &'static str,
    /// Human label.
    pub label: &'static str,
}

macro_rules! label_of {
    ($value:expr, $lang:expr) => {{
        let labels = $value.labels();
        Label {
            id: $value.id(),
            label: match $lang {
                Language::Fi => labels.fi,
                Language::Sv => labels.sv,
                Language::En => labels.en,
            },
        }
    }};
}

/// A candidate on its way to becoming a recommendation.
struct Candidate {
    address: DocAddress,
    doc: Arc<Document>,
    score: f32,
    /// 0 for practices and linked documents, 1 for other collection pages.
    tier: u8,
    signals: blend::Signals,
}

/// Recommends documents for `profile`.
pub fn recommend(
    index: &SearchIndex,
    profile: &Profile,
    options: &Options,
) -> Result<Recommendations, SearchError> {
    let searcher = index.searcher();
    let fields = index.fields();
    let tuning = options.tuning;
    let all_sets = index.facet_sets(&searcher)?;
    let spread = distinct::ThemeSpread::new(&searcher, &all_sets);
    let stats = Language::ALL
        .into_iter()
        .filter(|_| tuning.language_stats)
        .map(|lang| {
            Ok((
                lang,
                stats::LanguageStats::new(&searcher, &fields.text(lang))?,
            ))
        })
        .collect::<tantivy::Result<HashMap<_, _>>>()?;
    let terms_of = |lang: Language, texts: &[(Part, String)], min_df: u64| {
        let weighing = Weighing {
            spread: Some((&spread, tuning.boilerplate)),
            min_df,
            docs: stats.get(&lang).map(stats::LanguageStats::docs),
            parts: tuning.parts,
        };
        key_terms(&searcher, fields, lang, &weighted(texts, &tuning), weighing)
    };
    let min_df = if profile.id.is_some() { 2 } else { 1 };
    let mut key = terms_of(profile.language, &profile.texts, min_df)?;
    if tuning.translations > 0.0 {
        for id in &profile.translations {
            if let Some(doc) = find(index, &searcher, id)? {
                let version = Profile::of_document(&doc);
                let mut terms = terms_of(version.language, &version.texts, 2)?;
                for t in &mut terms {
                    t.weight *= tuning.translations;
                }
                key.extend(terms);
            }
        }
    }
    key.extend(terms::translations(&key));
    let key = terms::strongest_once(key);
    let pool = (options.limit * 8).max(40);
    let selection = selection(options);
    let sets = if selection.is_empty() {
        Vec::new()
    } else {
        all_sets.clone()
    };
    let excluded = exclusions(fields, profile, options);

    let mut hits: Vec<(f32, DocAddress)> = Vec::new();
    // Not Tantivy's TopDocs: with these many weighted terms its block-max WAND was
    // measured slower (24 ms against 3.5 ms at 100k documents) than one plain pass.
    let collector = top_collector(pool, selection.clone(), sets.clone());
    if tuning.language_stats {
        // A document's text is in its language's fields, so the queries of the languages
        // find disjoint documents, each scored with its language's statistics.
        for (lang, stats) in &stats {
            let terms: Vec<KeyTerm> = key.iter().filter(|k| k.lang == *lang).cloned().collect();
            if terms.is_empty() {
                continue;
            }
            let query = with_exclusions(
                Box::new(text_query(fields, &terms, tuning.parts > 0.0)),
                &excluded,
            );
            let top = searcher.search_with_statistics_provider(&query, &collector, stats)?;
            hits.extend(top.top.iter().map(|r| (r.score, r.address)));
        }
        hits.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        hits.truncate(pool);
    } else if !key.is_empty() {
        let query = with_exclusions(
            Box::new(text_query(fields, &key, tuning.parts > 0.0)),
            &excluded,
        );
        let top = searcher.search(&query, &collector)?;
        hits.extend(top.top.iter().map(|r| (r.score, r.address)));
    }
    let best = hits.first().map_or(1.0, |h| h.0).max(f32::EPSILON);
    let text_scores: HashMap<DocAddress, f32> = hits
        .into_iter()
        .map(|(score, a)| (a, score / best))
        .collect();
    let mut addresses: Vec<DocAddress> = text_scores.keys().copied().collect();
    if options.method == Method::Blended
        && let Some(query) = structure_query(fields, profile, key.is_empty())
    {
        let query = with_exclusions(query, &excluded);
        let top = searcher.search(&query, &top_collector(pool, selection, sets))?;
        addresses.extend(
            top.top
                .iter()
                .map(|r| r.address)
                .filter(|a| !text_scores.contains_key(a)),
        );
    }

    let facet_weights = blend::FacetWeights::new(&searcher, fields, tuning.rare_facets)?;
    let own_title = profile.title.as_deref().map(title_key);
    let mut translations = Vec::new();
    let mut candidates = Vec::with_capacity(addresses.len());
    for address in addresses {
        let doc = load_document(index, &searcher, address)?;
        if is_translation(profile, &doc) {
            translations.push(DocumentRef::of(&doc));
            continue;
        }
        if own_title.is_some() && own_title.as_deref() == Some(&title_key(&doc.common.title)) {
            continue; // The same document entered twice under two ids.
        }
        let signals = blend::Signals::between(profile, &doc, &facet_weights);
        let text = text_scores.get(&address).copied().unwrap_or(0.0);
        let mut score = signals.score(text, options.method, options.region_mode, &tuning);
        let collection = options.method == Method::Blended
            && blend::is_collection(&doc, &signals, tuning.programmes_only);
        if collection && let Some(factor) = tuning.collections {
            score *= factor;
        }
        candidates.push(Candidate {
            address,
            score,
            tier: u8::from(collection && tuning.collections.is_none()),
            doc,
            signals,
        });
    }
    candidates.sort_by(|a, b| {
        a.tier
            .cmp(&b.tier)
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.doc.common.id.cmp(&b.doc.common.id))
    });
    let chosen = if options.diversify {
        blend::diversify(
            candidates,
            options.limit,
            |c| blend::owner(&c.doc).map(str::to_owned),
            |c| matches!(c.signals.link, Some(Link::Named | Link::NamedBy)),
        )
    } else {
        candidates.truncate(options.limit);
        candidates
    };

    let mut results = Vec::with_capacity(chosen.len());
    for c in chosen {
        let mut terms = terms::shared_terms(&searcher, fields, c.doc.language(), &key, c.address)?;
        terms.truncate(MAX_REASON_TERMS);
        results.push(recommendation(c, terms, profile, options.labels));
    }
    for id in &profile.translations {
        if !translations.iter().any(|t: &DocumentRef| &t.id == id)
            && let Some(doc) = find(index, &searcher, id)?
        {
            translations.push(DocumentRef::of(&doc));
        }
    }
    translations.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Recommendations {
        results,
        translations,
    })
}

/// The pieces of a text with the weight of each part.
fn weighted<'t>(texts: &'t [(Part, String)], tuning: &Tuning) -> Vec<(f32, &'t str)> {
    texts
        .iter()
        .map(|(part, t)| {
            let weight = match part {
                Part::Title => TITLE_WEIGHT,
                Part::Summary => tuning.summary,
                Part::Body => 1.0,
                Part::Context => tuning.context,
            };
            (weight, t.as_str())
        })
        .collect()
}

/// Facet filters the collector applies.
fn selection(options: &Options) -> crate::search::Selection {
    let mut selection = Vec::new();
    let mut add = |facet: FacetField, values: Vec<&str>| {
        if !values.is_empty() {
            selection.push((facet, values.into_iter().map(str::to_owned).collect()));
        }
    };
    add(
        FacetField::Kind,
        options.kinds.iter().map(|k| k.id()).collect(),
    );
    add(
        FacetField::Region,
        options.regions.iter().map(|r| r.id()).collect(),
    );
    add(
        FacetField::Language,
        options.languages.iter().map(|l| l.code()).collect(),
    );
    selection
}

/// Documents never recommended: the source itself, its language versions and, for `other`
/// regions, documents in its regions.
fn exclusions(fields: &Fields, profile: &Profile, options: &Options) -> Vec<Box<dyn Query>> {
    let mut excluded: Vec<Box<dyn Query>> = Vec::new();
    if let Some(id) = &profile.id {
        excluded.push(term(fields.id, id.as_str()));
    }
    // Its language versions are offered as translations, and as the best text match they
    // would set the scale every other document's text is measured on.
    for id in &profile.translations {
        excluded.push(term(fields.id, id.as_str()));
    }
    if options.region_mode == RegionMode::Other {
        for region in profile.regions.iter().filter(|r| **r != Region::National) {
            excluded.push(term(fields.facet(FacetField::Region), region.id()));
        }
    }
    excluded
}

fn with_exclusions(query: Box<dyn Query>, excluded: &[Box<dyn Query>]) -> BooleanQuery {
    let mut clauses = vec![(Occur::Must, query)];
    clauses.extend(excluded.iter().map(|q| (Occur::MustNot, q.box_clone())));
    BooleanQuery::new(clauses)
}

fn term(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> (Occur, Box<dyn Query>) {
    (Occur::Should, Box::new(BoostQuery::new(query, boost)))
}

/// More like this: the key terms in the fields of their language they are searched in
/// ([`terms::searched_fields`]).
fn text_query(fields: &Fields, key: &[KeyTerm], with_parts: bool) -> BooleanQuery {
    let clauses = key
        .iter()
        .flat_map(|k| {
            terms::searched_fields(fields.text(k.lang), with_parts)
                .map(move |field| boosted(term(field, &k.term), k.weight))
        })
        .collect();
    BooleanQuery::new(clauses)
}

/// Documents linked with the source, directly or through a shared project or network, and,
/// when there is no text to go by, documents on its themes and target groups. (With text,
/// themes and target groups rerank the text's candidates: as a query they would match a
/// large share of the corpus with tied scores.)
fn structure_query(fields: &Fields, profile: &Profile, facets: bool) -> Option<Box<dyn Query>> {
    let mut clauses = Vec::new();
    for linked in &profile.links {
        clauses.push(boosted(term(fields.id, linked.as_str()), 3.0));
        clauses.push(boosted(term(fields.links, linked.as_str()), 1.5));
    }
    if let Some(id) = &profile.id {
        clauses.push(boosted(term(fields.links, id.as_str()), 3.0));
    }
    for theme in profile.themes.iter().filter(|_| facets) {
        clauses.push(boosted(
            term(fields.facet(FacetField::Theme), theme.id()),
            1.0,
        ));
    }
    for group in profile.target_groups.iter().filter(|_| facets) {
        clauses.push(boosted(
            term(fields.facet(FacetField::TargetGroup), group.id()),
            0.7,
        ));
    }
    (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
}

/// Whether `doc` is the source in another language.
fn is_translation(profile: &Profile, doc: &Document) -> bool {
    profile.translations.contains(&doc.common.id)
        || profile
            .id
            .as_ref()
            .is_some_and(|id| doc.common.translations.contains(id))
}

/// A title reduced to its letters and digits, to recognise the same document twice.
fn title_key(title: &str) -> String {
    title
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn address_of(
    searcher: &Searcher,
    fields: &Fields,
    id: &DocId,
) -> Result<Option<DocAddress>, SearchError> {
    let top = searcher.search(
        &TermQuery::new(
            Term::from_field_text(fields.id, id.as_str()),
            IndexRecordOption::Basic,
        ),
        &top_collector(1, Vec::new(), Vec::new()),
    )?;
    Ok(top.top.first().map(|hit| hit.address))
}

fn find(
    index: &SearchIndex,
    searcher: &Searcher,
    id: &DocId,
) -> Result<Option<Arc<Document>>, SearchError> {
    address_of(searcher, index.fields(), id)?
        .map(|address| load_document(index, searcher, address))
        .transpose()
}

impl DocumentRef {
    /// The reference to a document.
    pub fn of(doc: &Document) -> DocumentRef {
        DocumentRef {
            id: doc.common.id.clone(),
            kind: doc.kind(),
            language: doc.language(),
            title: doc.common.title.clone(),
            url: doc.common.url.as_ref().map(|u| u.as_str().to_owned()),
        }
    }
}

fn recommendation(
    c: Candidate,
    terms: Vec<String>,
    profile: &Profile,
    lang: Language,
) -> Recommendation {
    let common = &c.doc.common;
    let shared_themes: HashSet<&Theme> = profile.themes.iter().collect();
    let shared_groups: HashSet<&TargetGroup> = profile.target_groups.iter().collect();
    Recommendation {
        id: common.id.clone(),
        kind: c.doc.kind(),
        language: c.doc.language(),
        title: common.title.clone(),
        summary: common.summary.clone(),
        url: common.url.as_ref().map(|u| u.as_str().to_owned()),
        regions: common.regions.iter().map(|r| label_of!(r, lang)).collect(),
        organisations: common.organisations.clone(),
        phase: c.doc.phase().map(|p: Phase| label_of!(p, lang)),
        score: c.score,
        reasons: Reasons {
            terms,
            themes: common
                .themes
                .iter()
                .filter(|t| shared_themes.contains(t))
                .map(|t| label_of!(t, lang))
                .collect(),
            target_groups: common
                .target_groups
                .iter()
                .filter(|g| shared_groups.contains(g))
                .map(|g| label_of!(g, lang))
                .collect(),
            link: c.signals.link,
            same_region: c.signals.same_region,
        },
    }
}

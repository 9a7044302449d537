//! The Tantivy query for a parsed user query.
//!
//! A word becomes many alternatives: its base form in the title, summary and body of every
//! language present, its compound parts, its synonyms, a prefix or a typo. They are gathered
//! into one flat disjunction of boosted term queries ([`Disjunction`]) rather than unions
//! nested in unions: Tantivy scores a flat union of term queries with one specialised scorer,
//! and a nested one through a boxed scorer per level, which measured twice as slow. Sums of
//! scores are what a union computes, so flattening `boost × (a + b)` into `boost·a + boost·b`
//! ranks exactly as the nested form did. When one word (or one `OR` group) is the whole
//! query, the disjunction itself is the query, scored alternative by alternative; several
//! words are a [`Conjunction`] of their disjunctions, scored the same way, word by word
//! (nested as one alternative, beside the synonyms of the words together, it is Tantivy's
//! Boolean query).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use tantivy::query::{AllQuery, BooleanQuery, DfaWrapper, Occur, PhraseQuery, Query};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::automaton::{self, AutomatonQuery, PrefixQuery};
use super::conjunction::Conjunction;
use super::coverage::Coverage;
use super::disjunction::Disjunction;
use super::{Highlights, Item, ParsedQuery, Scope, Terms};
use crate::analysis::{
    Analyzer, Phrases, analyze, main_terms, pairs_apart, phrase_key, synonyms, words,
};
use crate::index::TextFields;
use crate::schema::Language;
use crate::telemetry;

/// Relative weight of a match in each text field.
const TITLE_BOOST: f32 = 3.0;
const SUMMARY_BOOST: f32 = 1.5;
const BODY_BOOST: f32 = 1.0;
const PARTS_BOOST: f32 = 0.5;
const FOLDED_BOOST: f32 = 0.25;
const SYNONYM_BOOST: f32 = 0.7;
const PARTS_APART_BOOST: f32 = 0.4;
/// A known compound written as two words anywhere in the text (title, summary or body).
const PAIRS_BOOST: f32 = 0.6;
const PREFIX_BOOST: f32 = 0.3;
/// Another derivation of a word's root, relative to the word itself in the same field.
const DERIVATION_BOOST: f32 = 0.25;
const TYPO_BOOST: f32 = 0.1;
/// Weight of the words of a query standing close together.
const PROXIMITY_BOOST: f32 = 0.5;
/// How far apart (in positions) the words may stand and still count as close: room for an
/// attribute or two between them ("omaishoitajien *kotona annettava* tuki"), in either
/// order (Finnish word order is free: "tukea omaishoitajille").
const PROXIMITY_SLOP: u32 = 3;
/// A word being typed matches as a prefix from this many characters on.
const MIN_PREFIX_CHARS: usize = 3;

// Building a disjunction: each term once with its highest boost, alternatives absorbed
// with their boosts multiplied.
impl Disjunction {
    fn term(&mut self, field: Field, text: &str, boost: f32) {
        self.add_term(Term::from_field_text(field, text), boost);
    }

    fn add_term(&mut self, term: Term, boost: f32) {
        match self.terms.iter_mut().find(|(t, _)| *t == term) {
            Some((_, b)) => *b = b.max(boost),
            None => self.terms.push((term, boost)),
        }
    }

    fn push(&mut self, query: Box<dyn Query>, boost: f32) {
        self.others.push((query, boost));
    }

    /// Adds `other`'s alternatives with their boosts multiplied by `boost`.
    fn absorb(&mut self, other: Disjunction, boost: f32) {
        if self.is_empty() {
            // `other` has each term once already: nothing to merge (a word's alternatives
            // are a few hundred terms, and merging compares each with those before it).
            *self = other;
            self.terms.iter_mut().for_each(|(_, b)| *b *= boost);
            self.others.iter_mut().for_each(|(_, b)| *b *= boost);
            return;
        }
        for (term, b) in other.terms {
            self.add_term(term, b * boost);
        }
        self.others
            .extend(other.others.into_iter().map(|(q, b)| (q, b * boost)));
    }

    /// A term query for one word, a phrase query for several, in `field`.
    fn sequence(&mut self, field: Field, terms: &[(usize, String)], boost: f32) {
        match terms {
            [] => {}
            [(_, term)] => self.term(field, term, boost),
            _ => self.push(Box::new(phrase(field, terms, 0)), boost),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.others.is_empty()
    }

    /// The disjunction as the whole query: scored alternative by alternative
    /// ([`Disjunction`]), or its one alternative when it has one.
    fn into_query(self) -> Box<dyn Query> {
        if self.terms.len() + self.others.len() > 1 {
            Box::new(self)
        } else {
            self.into_nested()
        }
    }
}

/// The phrase of `terms` (analysed, at their positions) in `field`, with `slop`.
fn phrase(field: Field, terms: &[(usize, String)], slop: u32) -> PhraseQuery {
    let first = terms[0].0;
    let terms = terms
        .iter()
        .map(|(p, t)| (p - first, Term::from_field_text(field, t)))
        .collect();
    PhraseQuery::new_with_offset_and_slop(terms, slop)
}

/// The last word, lowercase, when it is still being typed and long enough to match as a
/// prefix.
fn partial_word(parsed: &ParsedQuery, prefix: bool) -> Option<String> {
    parsed
        .groups
        .last()
        .and_then(|g| g.last())
        .filter(|_| prefix && parsed.last_is_partial)
        .map(|i| i.text().to_lowercase())
        .filter(|w| w.chars().count() >= MIN_PREFIX_CHARS)
}

/// A parsed query made ready to search: each required word's alternatives, the synonyms
/// of the words together, and the exclusions. [`Plan::all`] requires every word;
/// [`Plan::coverage`] ranks documents by how many of them they match.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The required words in query order: each a group of the parsed query (a word, a phrase,
    /// or items joined by `OR`).
    pub(super) words: Vec<Word>,
    /// Several plain words that together are a synonym (`specialiserad sjukvård` ↔
    /// erikoissairaanhoito) also find what the synonym finds.
    pub(super) together: Option<Disjunction>,
    /// Each excluded item's alternatives.
    pub(super) none: Vec<Disjunction>,
}

/// One required word of a [`Plan`].
#[derive(Debug, Clone, Default)]
pub(super) struct Word {
    /// As typed.
    pub(super) text: String,
    /// Its forms, compound parts, synonyms, prefix and typo alternatives.
    pub(super) any: Disjunction,
    /// Other derivations of its root: weaker evidence, which adds to a document's score but
    /// does not count as the word when a relaxed query ranks documents by how many words
    /// they have ([`Coverage`]).
    pub(super) derived: Disjunction,
}

impl Word {
    /// Every alternative, derivations included.
    fn all(&self) -> Disjunction {
        let mut all = self.any.clone();
        all.absorb(self.derived.clone(), 1.0);
        all
    }
}

/// What a parsed user query searches for. With `prefix`, a last word still being typed also
/// matches as a prefix; the words in `typos` (lowercase: see [`typo_words`]) also match
/// terms a few edits away.
///
/// Function words (a stop word of any language: *ja*, *och*, *at*) are not required: they
/// would decide whether a document matches by the language it is written in, not by what it
/// is about. A query of nothing but function words still requires them.
pub fn plan(scope: Scope<'_>, parsed: &ParsedQuery, prefix: bool, typos: &[String]) -> Plan {
    let partial = partial_word(parsed, prefix);
    let last_group = parsed.groups.len().saturating_sub(1);
    let function_words = parsed.groups.iter().all(|g| is_function_word(g));
    let words = parsed
        .groups
        .iter()
        .enumerate()
        .filter(|(_, group)| function_words || !is_function_word(group))
        .map(|(g, group)| {
            let mut word = Word::default();
            for item in group {
                let typo = typos
                    .iter()
                    .any(|t| t.as_str() == item.text().to_lowercase());
                let (any, derived) = item_with_synonyms(scope, item, typo);
                word.any.absorb(any, 1.0);
                word.derived.absorb(derived, 1.0);
            }
            if g == last_group
                && let Some(p) = &partial
            {
                word.any.absorb(prefix_query(scope, p), 1.0);
            }
            let text: Vec<&str> = group.iter().map(Item::text).collect();
            word.text = text.join(" OR ");
            word
        })
        .filter(|word| !word.any.is_empty())
        .collect();
    let together = plain_words(parsed).and_then(|whole| {
        let mut alternatives = Disjunction::default();
        for synonym in synonyms(&whole.join(" ")) {
            alternatives.absorb(item_query(scope, synonym), SYNONYM_BOOST);
        }
        (!alternatives.is_empty()).then_some(alternatives)
    });
    let none = parsed
        .exclusions
        .iter()
        .map(|i| item_query(scope, i.text()))
        .filter(|any| !any.is_empty())
        .collect();
    Plan {
        words,
        together,
        none,
    }
}

/// Whether a group of a parsed query is only function words: stop words of any language.
fn is_function_word(group: &[Item]) -> bool {
    group.iter().all(|item| match item {
        Item::Word(word) => {
            let lower = word.to_lowercase();
            Language::ALL
                .iter()
                .any(|&lang| Analyzer::full(lang).is_stopword(&lower))
        }
        Item::Phrase(_) => false,
    })
}

impl Plan {
    /// How many words are required.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether no word is required (a query of only exclusions, or of nothing).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.together.is_none()
    }

    /// The words as typed.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(|word| word.text.as_str())
    }

    /// Documents matching every word (or the synonyms of all of them) and no exclusion.
    pub fn all(&self) -> Box<dyn Query> {
        let mut all: Vec<Disjunction> = self.words.iter().map(Word::all).collect();
        // The words are then one alternative of the synonyms' disjunction, nested: Tantivy's
        // Boolean query.
        if let Some(together) = &self.together {
            let mut alternatives = together.clone();
            if !all.is_empty() {
                let words = Conjunction {
                    all: std::mem::take(&mut all),
                    none: Vec::new(),
                };
                alternatives.push(Box::new(words), 1.0);
            }
            all.push(alternatives);
        }
        let none = self.none.clone();
        if all.is_empty() {
            // Nothing required: every document but the excluded ones.
            if none.is_empty() {
                return Box::new(AllQuery);
            }
            let every = (Occur::Must, Box::new(AllQuery) as Box<dyn Query>);
            let excluded = none
                .into_iter()
                .map(|any| (Occur::MustNot, any.into_nested()));
            return Box::new(BooleanQuery::new(
                std::iter::once(every).chain(excluded).collect(),
            ));
        }
        if all.len() == 1 && none.is_empty() {
            // A lone word (or the synonyms of several, above) is the query: the flat
            // disjunction.
            return all.pop().expect("one word").into_query();
        }
        Box::new(Conjunction { all, none })
    }

    /// Documents matching at least `floor` of the words (the synonyms of all of them count
    /// as all) and no exclusion, ranked by how many they match.
    pub fn coverage(&self, floor: usize) -> Coverage {
        Coverage {
            words: self.words.iter().map(|word| word.any.clone()).collect(),
            derived: self.words.iter().map(|word| word.derived.clone()).collect(),
            together: self.together.clone(),
            none: self.none.clone(),
            floor,
        }
    }

    /// Each word's alternatives as one query, in order: to ask which words a hit matches.
    pub fn word_queries(&self) -> Vec<Box<dyn Query>> {
        self.words
            .iter()
            .map(|word| word.all().into_nested())
            .collect()
    }
}

/// The words of a query of several plain words (no phrase, `OR` or exclusion), as typed.
fn plain_words(parsed: &ParsedQuery) -> Option<Vec<&str>> {
    let plain = parsed.exclusions.is_empty()
        && parsed.groups.len() > 1
        && parsed
            .groups
            .iter()
            .all(|g| matches!(g.as_slice(), [Item::Word(_)]));
    plain.then(|| parsed.positives().map(Item::text).collect())
}

/// For a query of several plain words, what their standing close together adds to a
/// document's score: a phrase with some slop in the title, summary and body of every
/// language present, each with its boost; empty for any other query. It only re-ranks what
/// the query found (see `search/rescore.rs`).
pub fn proximity_query(scope: Scope<'_>, parsed: &ParsedQuery) -> Vec<(Box<dyn Query>, f32)> {
    let mut phrases: Vec<(Box<dyn Query>, f32)> = Vec::new();
    let Some(words) = plain_words(parsed) else {
        return phrases;
    };
    let text = words.join(" ");
    for &lang in scope.languages {
        let main = main_terms(Analyzer::full(lang).analyze(&text));
        if main.len() < 2 {
            continue;
        }
        let f = scope.fields.text(lang);
        for (field, boost) in whole_words(f) {
            let near = phrase(field, &main, PROXIMITY_SLOP);
            phrases.push((Box::new(near), boost * PROXIMITY_BOOST));
        }
    }
    phrases
}

/// For a query of several plain words, the query as a phrase of a title, in the title field
/// of every language present: a hit whose title has it ranks first (see
/// `search/rescore.rs`). Empty for any other query.
pub fn title_phrases(scope: Scope<'_>, parsed: &ParsedQuery) -> Vec<Box<dyn Query>> {
    let Some(words) = plain_words(parsed) else {
        return Vec::new();
    };
    let text = words.join(" ");
    scope
        .languages
        .iter()
        .filter_map(|&lang| {
            let main = main_terms(Analyzer::full(lang).analyze(&text));
            (main.len() >= 2).then(|| {
                Box::new(phrase(scope.fields.text(lang).title, &main, 0)) as Box<dyn Query>
            })
        })
        .collect()
}

/// Whether a word's main term, in some language present, is a word of `searcher`'s index
/// (in a title or a body).
fn indexed(searcher: &Searcher, scope: Scope<'_>, word: &str) -> bool {
    scope.languages.iter().any(|&lang| {
        let Some((_, term)) = main_terms(Analyzer::full(lang).analyze(word))
            .into_iter()
            .next()
        else {
            return false;
        };
        let f = scope.fields.text(lang);
        searcher.segment_readers().iter().any(|segment| {
            [f.title, f.body].into_iter().any(|field| {
                segment
                    .inverted_index(field)
                    .is_ok_and(|index| index.terms().get(&term).is_ok_and(|t| t.is_some()))
            })
        })
    })
}

/// The words of `parsed` (lowercase) that may be typos: long enough for one, unknown to the
/// lexicons, and not a word of `searcher`'s index either (an English word such as
/// *housing*, which no lexicon lists, is a real word where the documents have it).
pub fn typo_words(searcher: &Searcher, scope: Scope<'_>, parsed: &ParsedQuery) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in parsed.positives() {
        let Item::Word(word) = item else { continue };
        let lower = word.to_lowercase();
        if !out.contains(&lower)
            && !typo_automata(scope, &lower).is_empty()
            && !indexed(searcher, scope, &lower)
        {
            out.push(lower);
        }
    }
    out
}

/// `parsed` with each hyphenated word that no document has whole taken as its pieces:
/// `mt-päihdepalvelut` is *mt* and *päihdepalvelut*, which the documents write as
/// "mielenterveys- ja päihdepalvelut". A hyphenated word the index has (`sote-keskus`)
/// stays whole.
pub fn pieces_of_unknown_hyphenated(
    searcher: &Searcher,
    scope: Scope<'_>,
    parsed: &ParsedQuery,
) -> ParsedQuery {
    let mut out = parsed.clone();
    out.groups.clear();
    for group in &parsed.groups {
        let pieces: Vec<&str> = match group.as_slice() {
            [Item::Word(word)] if word.contains('-') && !indexed(searcher, scope, word) => word
                .split('-')
                .filter(|p| p.chars().any(char::is_alphanumeric))
                .collect(),
            _ => Vec::new(),
        };
        match pieces.len() {
            0 | 1 => out.groups.push(group.clone()),
            _ => out
                .groups
                .extend(pieces.into_iter().map(|p| vec![Item::Word(p.to_owned())])),
        }
    }
    out
}

/// What to highlight in the hits of `parsed`: the analysed main terms of its words and
/// their synonyms, per language present, the `extra` terms (what typos matched), and the word
/// being typed.
///
/// Remembered per thread when there are no `extra` terms, as a query's words are
/// (`item_with_synonyms`): analysing every synonym in every language again cost a
/// thirtieth of a search.
pub fn highlights(
    scope: Scope<'_>,
    parsed: &ParsedQuery,
    prefix: bool,
    extra: Vec<(Language, String)>,
) -> Rc<Highlights> {
    type Key = (
        Vec<Item>,
        Option<String>,
        Vec<Language>,
        crate::analysis::Config,
    );
    thread_local! {
        static MEMO: RefCell<Memo<Key, Rc<Highlights>>> = RefCell::default();
    }
    /// Queries remembered per thread before the memo starts over.
    const MEMO_QUERIES: usize = 256;
    let partial = partial_word(parsed, prefix);
    if !extra.is_empty() {
        return Rc::new(make_highlights(scope, parsed, partial, extra));
    }
    let key: Key = (
        parsed.positives().cloned().collect(),
        partial,
        scope.languages.to_vec(),
        Analyzer::full(Language::Fi).config(),
    );
    remembered(&MEMO, MEMO_QUERIES, &telemetry::HIGHLIGHTS, key, |key| {
        Rc::new(make_highlights(scope, parsed, key.1.clone(), Vec::new()))
    })
}

/// A per-thread memo, bounded by [`remembered`]'s caller.
type Memo<K, V> = HashMap<K, V, rustc_hash::FxBuildHasher>;

/// The value `memo` holds for `key`, or the one `make` makes, remembered; a memo holding
/// `bound` values starts over, so memory stays bounded however varied the queries. Hits
/// and misses are counted in `counts`.
fn remembered<K: std::hash::Hash + Eq, V: Clone>(
    memo: &'static std::thread::LocalKey<RefCell<Memo<K, V>>>,
    bound: usize,
    counts: &telemetry::CacheCounts,
    key: K,
    make: impl FnOnce(&K) -> V,
) -> V {
    let hit = memo.with(|m| m.borrow().get(&key).cloned());
    counts.record(hit.is_some());
    if let Some(hit) = hit {
        return hit;
    }
    let made = make(&key);
    memo.with(|m| {
        let mut memo = m.borrow_mut();
        if memo.len() >= bound {
            memo.clear();
        }
        memo.insert(key, made.clone());
    });
    made
}

fn make_highlights(
    scope: Scope<'_>,
    parsed: &ParsedQuery,
    partial: Option<String>,
    extra: Vec<(Language, String)>,
) -> Highlights {
    let mut terms: HashMap<Language, HashSet<String>> = HashMap::new();
    for (lang, term) in extra {
        terms.entry(lang).or_default().insert(term);
    }
    for item in parsed.positives() {
        for text in std::iter::once(item.text()).chain(synonyms(item.text())) {
            for &lang in scope.languages {
                let main = analyze(lang, text)
                    .into_iter()
                    .filter(|t| !t.origin.is_part());
                terms.entry(lang).or_default().extend(main.map(|t| t.term));
            }
        }
    }
    Highlights {
        terms: terms
            .into_iter()
            .map(|(lang, set)| (lang, Terms::new(set)))
            .collect(),
        prefixes: partial.into_iter().collect(),
    }
}

/// A language's fields of whole words (title, summary, body), each with its weight.
fn whole_words(f: TextFields) -> [(Field, f32); 3] {
    [
        (f.title, TITLE_BOOST),
        (f.summary, SUMMARY_BOOST),
        (f.body, BODY_BOOST),
    ]
}

/// A word being typed, as a prefix of whole-word terms in every language.
///
/// Where the word as typed is its own base form in a language, the term it already finds
/// is left out of that language's prefix: it would only add a constant to the documents the
/// word finds anyway, and its postings are the longest the prefix reads.
fn prefix_query(scope: Scope<'_>, prefix: &str) -> Disjunction {
    let bytes: Arc<[u8]> = prefix.as_bytes().into();
    let mut any = Disjunction::default();
    for &lang in scope.languages {
        let main = main_terms(Analyzer::full(lang).analyze(prefix));
        let longer_only = matches!(main.as_slice(), [(_, term)] if term == prefix);
        let f = scope.fields.text(lang);
        for (field, boost) in [
            (f.title, TITLE_BOOST),
            (f.body, BODY_BOOST),
            (f.parts, PARTS_BOOST),
        ] {
            let q = PrefixQuery::new(field, bytes.clone(), longer_only);
            any.push(Box::new(q), boost * PREFIX_BOOST);
        }
    }
    any
}

/// A compound typed as one word also matches its parts written apart, side by side
/// (`lastensuojelupalvelu` finds "lastensuojelun palvelut"), ranked below the word itself.
/// Side by side, not anywhere in the text: two common words each somewhere in a long text
/// are no evidence of the compound, and requiring both anywhere cost more than the rest of
/// the query. A compound the lexicon knows was indexed where its two parts stand apart (the
/// pairs field): one term. Others are phrases of their parts, as are known compounds of
/// three parts or more written as that many words.
fn parts_query(scope: Scope<'_>, word: &str) -> Disjunction {
    let lower = word.to_lowercase();
    let mut any = Disjunction::default();
    for &lang in scope.languages {
        let analyzer = Analyzer::full(lang);
        let lemma = analyzer.word(&lower, false).main.clone();
        let parts = part_terms(lang, &lemma);
        if parts.len() < 2 {
            continue;
        }
        let f = scope.fields.text(lang);
        if analyzer.knows_long_lemma(&lemma) {
            any.term(f.pairs, &lemma, PAIRS_BOOST);
            if parts.len() == 2 {
                continue;
            }
        }
        // Two parts written apart, the second a common head, are the pair of their base
        // forms the pairs field holds.
        if let [first, second] = parts.as_slice()
            && pairs_apart(lang, second)
        {
            let pair = phrase_key(&[(0, first.clone()), (1, second.clone())]);
            any.term(f.pairs, &pair, PAIRS_BOOST);
            continue;
        }
        let apart: Vec<(usize, String)> = parts.into_iter().enumerate().collect();
        for (field, boost) in whole_words(f) {
            any.sequence(field, &apart, boost * PARTS_APART_BOOST);
        }
    }
    any
}

/// The index terms of the parts a word's main term splits into, none if it is no compound.
/// (Splitting is the costliest step of a word's analysis; [`item_with_synonyms`] remembers
/// its result.)
fn part_terms(lang: Language, lemma: &str) -> Vec<String> {
    let analyzer = Analyzer::full(lang);
    crate::analysis::split_compound(
        lemma,
        crate::analysis::resources().language(lang),
        lang == Language::Sv,
    )
    .map(|parts| {
        parts
            .iter()
            .map(|p| analyzer.word(&p.lemma, false).main.to_string())
            .collect()
    })
    .unwrap_or_default()
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
fn typo_query(scope: Scope<'_>, word: &str) -> Disjunction {
    let mut any = Disjunction::default();
    for (lang, automaton) in typo_automata(scope, word) {
        let f = scope.fields.text(lang);
        for field in [f.title, f.body] {
            let q = AutomatonQuery::new(field, automaton.clone());
            any.push(Box::new(q), TYPO_BOOST);
        }
    }
    any
}

/// The automata of the terms a few edits away from `word`, per language present; none for a
/// short word or one the lexicon knows.
fn typo_automata(scope: Scope<'_>, word: &str) -> Vec<(Language, Arc<DfaWrapper>)> {
    let lower = word.to_lowercase();
    let distance = typo_distance(lower.chars().count());
    if distance == 0 || lower.chars().any(|c| !c.is_alphabetic()) {
        return Vec::new();
    }
    if scope
        .languages
        .iter()
        .any(|&lang| Analyzer::full(lang).knows(&lower))
    {
        return Vec::new(); // A real word is not a typo.
    }
    // One automaton per distinct term: languages that analyse the word alike share it.
    let mut automata: Vec<(String, Arc<DfaWrapper>)> = Vec::new();
    let mut per_language = Vec::new();
    for &lang in scope.languages {
        let analyzer = Analyzer::full(lang);
        let Some((_, term)) = main_terms(analyzer.analyze(&lower)).into_iter().next() else {
            continue;
        };
        let automaton = match automata.iter().find(|(t, _)| *t == term) {
            Some((_, a)) => a.clone(),
            None => match typo_automaton(&term, distance) {
                Some(a) => {
                    automata.push((term, a.clone()));
                    a
                }
                None => continue,
            },
        };
        per_language.push((lang, automaton));
    }
    per_language
}

/// The Levenshtein automaton of `term`, remembered per thread: a search that falls back to
/// typo tolerance needs it twice (to search, then to find what to highlight), and building a
/// two-edit automaton of a long word costs more than searching with it.
pub(super) fn typo_automaton(term: &str, distance: u8) -> Option<Arc<DfaWrapper>> {
    type Typo = Option<Arc<DfaWrapper>>;
    thread_local! {
        static MEMO: RefCell<Memo<(String, u8), Typo>> = RefCell::default();
    }
    /// Automata remembered per thread before the memo starts over (a two-edit automaton of a
    /// long word takes some hundreds of kilobytes).
    const MEMO_AUTOMATA: usize = 64;
    remembered(
        &MEMO,
        MEMO_AUTOMATA,
        &telemetry::TYPO_AUTOMATA,
        (term.to_owned(), distance),
        |_| automaton::typo(term, distance).ok().map(Arc::new),
    )
}

/// Terms of `searcher`'s index that the typo alternatives of the `typos` words match, per
/// language: what to highlight in the hits of a search that fell back to typo tolerance.
pub fn typo_matches(
    searcher: &Searcher,
    scope: Scope<'_>,
    typos: &[String],
) -> tantivy::Result<Vec<(Language, String)>> {
    /// Terms taken per automaton, field and segment: a typo has a handful of neighbours.
    const MAX_TERMS: usize = 32;
    let mut found = Vec::new();
    for word in typos {
        for (lang, automaton) in typo_automata(scope, word) {
            let f = scope.fields.text(lang);
            for field in [f.title, f.body] {
                for reader in searcher.segment_readers() {
                    let inverted = reader.inverted_index(field)?;
                    let mut stream = inverted.terms().search(automaton.as_ref()).into_stream()?;
                    let mut taken = 0;
                    while taken < MAX_TERMS && stream.advance() {
                        if let Ok(term) = std::str::from_utf8(stream.key()) {
                            found.push((lang, term.to_owned()));
                            taken += 1;
                        }
                    }
                }
            }
        }
    }
    Ok(found)
}

/// An item, or any of its synonyms (ranked a little below the item itself).
///
/// Remembered per thread: analysing a word, its compound parts and its synonyms in every
/// language costs more than a tenth of a search, and users type the same words again and
/// again. The key holds all the result depends on: the item, typos, the languages present
/// and the analysis configuration (fields are numbered by the schema's fixed layout, the
/// same in every index).
fn item_with_synonyms(scope: Scope<'_>, item: &Item, typos: bool) -> (Disjunction, Disjunction) {
    type Key = (Item, bool, Vec<Language>, crate::analysis::Config);
    thread_local! {
        static MEMO: RefCell<Memo<Key, (Disjunction, Disjunction)>> = RefCell::default();
    }
    /// Items remembered per thread before the memo starts over.
    const MEMO_ITEMS: usize = 1_024;
    let config = Analyzer::full(Language::Fi).config();
    let key: Key = (item.clone(), typos, scope.languages.to_vec(), config);
    remembered(&MEMO, MEMO_ITEMS, &telemetry::QUERY_WORDS, key, |_| {
        analyse_item(scope, item, typos)
    })
}

/// An item's alternatives, and apart, the other derivations of its root.
fn analyse_item(scope: Scope<'_>, item: &Item, typos: bool) -> (Disjunction, Disjunction) {
    let mut any = item_query(scope, item.text());
    let mut derived = Disjunction::default();
    if let Item::Word(word) = item {
        any.absorb(parts_query(scope, word), 1.0);
        if typos {
            any.absorb(typo_query(scope, word), 1.0);
        }
        derived = derivation_query(scope, word);
    }
    for synonym in synonyms(item.text()) {
        any.absorb(synonym_query(scope, synonym), 1.0);
    }
    (any, derived)
}

/// Another derivation of a word's root (`vähentäminen` finds *vähentää* and
/// *vähentämiseksi*, `osallistuminen` *osallistujat*), where a text has the root as a word
/// or as another derived word's root (the compound-part field holds those), below the word's
/// own forms. Not of a compound's head: `omaishoitaja` is no evidence of any *hoitaa*.
fn derivation_query(scope: Scope<'_>, word: &str) -> Disjunction {
    let mut any = Disjunction::default();
    for &lang in scope.languages {
        let analyzer = Analyzer::full(lang);
        let Some((_, term)) = main_terms(analyzer.analyze(word)).into_iter().next() else {
            continue;
        };
        if let Some(root) = analyzer.root(&term) {
            let f = scope.fields.text(lang);
            for (field, boost) in whole_words(f) {
                any.term(field, &root, boost * DERIVATION_BOOST);
            }
            any.term(f.parts, &root, PARTS_BOOST * DERIVATION_BOOST);
        }
    }
    any
}

/// A word or phrase in every language's fields; empty when it analyses to nothing.
fn item_query(scope: Scope<'_>, text: &str) -> Disjunction {
    let mut any = Disjunction::default();
    for &lang in scope.languages {
        item_query_in(&mut any, scope, lang, text);
    }
    any
}

/// A word or phrase in one language's fields, added to `any`.
///
/// Whole-word matches count most; a match inside a compound counts less, and a match only
/// after folding ä/ö/å least, so exact and base-form matches always rank first.
fn item_query_in(any: &mut Disjunction, scope: Scope<'_>, lang: Language, text: &str) {
    let analyzer = Analyzer::full(lang);
    let main = main_terms(analyzer.analyze(text));
    if main.is_empty() {
        return;
    }
    let f = scope.fields.text(lang);
    for (field, boost) in whole_words(f) {
        any.sequence(field, &main, boost);
    }
    // The compound-part field holds a word's parts at its position: a word can match
    // inside a compound, a phrase of several words cannot. It holds the derivational roots
    // of words too: `vähentää` finds *vähentäminen* there.
    if let [(_, term)] = main.as_slice() {
        any.term(f.parts, term, PARTS_BOOST);
    }
    // Folding helps only text typed without ä/ö/å that the lexicon does not know as it is.
    let typed_plain = !text.contains(['ä', 'ö', 'å', 'Ä', 'Ö', 'Å']);
    if typed_plain
        && !words(text)
            .iter()
            .all(|w| analyzer.knows(&w.text.to_lowercase()))
    {
        // The folded field holds only the words folding changed (`analysis::Class::Folded`):
        // a folded term without them is a word written so, in the whole-word fields (where
        // the terms looked up already are not looked up again), weighed there as in the
        // folded field at most (in a title), so that a folded match still counts least. A
        // phrase of both kinds of word is in neither.
        let folded = main_terms(analyzer.analyze_folded(text));
        any.sequence(f.folded, &folded, FOLDED_BOOST);
        if folded != main {
            for (field, boost) in whole_words(f) {
                any.sequence(field, &folded, boost / TITLE_BOOST * FOLDED_BOOST);
            }
        }
    }
}

/// A synonym in every language's fields: one of several words is the one term the pairs
/// field holds where a text has its words side by side ([`Phrases`]), found anywhere in the
/// text; a one-word synonym is searched as a word the user typed. Either ranks below what the
/// user typed, and a phrase of several words weighs what one word does.
fn synonym_query(scope: Scope<'_>, text: &str) -> Disjunction {
    let mut any = Disjunction::default();
    // A synonym written as several words that analyse to one (around stop words) is that
    // word, weighed as a phrase of all of them would be.
    let words = words(text).len().max(1) as f32;
    for &lang in scope.languages {
        let analyzer = Analyzer::full(lang);
        match Phrases::key(analyzer, text) {
            Some(key) => any.term(scope.fields.text(lang).pairs, &key, SYNONYM_BOOST),
            None => {
                let mut word = Disjunction::default();
                item_query_in(&mut word, scope, lang, text);
                any.absorb(word, SYNONYM_BOOST / words);
            }
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::Fields;
    use crate::search::parse;

    #[test]
    fn a_remembered_word_builds_the_query_a_fresh_one_does() {
        let fields = Fields::new();
        let scope = Scope {
            fields: &fields,
            languages: &Language::ALL,
        };
        // Compounds, synonyms, phrases and typos: every kind of alternative is remembered.
        let parsed = parse("kotihoito \"sosiaali- ja terveyspalvelut\" mielenterveyspalvlut");
        let typos = ["mielenterveyspalvlut".to_owned()];
        let build = || format!("{:?}", plan(scope, &parsed, true, &typos).all());
        let fresh = build();
        assert!(
            fresh.contains("PhraseQuery") && fresh.contains("hemvård"),
            "{fresh}"
        );
        assert_eq!(build(), fresh);
        // Another set of languages is another query.
        let finnish = Scope {
            fields: &fields,
            languages: &[Language::Fi],
        };
        assert_ne!(
            format!("{:?}", plan(finnish, &parsed, true, &typos).all()),
            fresh
        );
    }
}

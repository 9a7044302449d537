//! The analyzer: words → index terms, identically at index and query time.
//!
//! For each word, Finnish and Swedish look the form up in the lemma lexicon (consonant
//! gradation and stem alternation are in the lexicon: `lasten` → lapsi, `töissä` → työ), split
//! compounds into parts, and fall back to Snowball for words the lexicon does not know.
//! Across words, the first halves of coordinated compounds are completed
//! (`sosiaali- ja terveyspalvelut` also yields `sosiaalipalvelu`). Every word's result is
//! cached per thread: word forms repeat heavily, so most words cost one hash lookup.

use std::cell::RefCell;
use std::rc::Rc;

use compact_str::CompactString;

use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;

use super::cache::{WordCache, WordKey};
use super::compound;
use super::resources::{LanguageResources, resources};
use super::tokenize::{Word, Words};
use crate::schema::Language;

/// How words are reduced to terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalizer {
    /// Lowercase only.
    None,
    /// Snowball stemming.
    Snowball,
    /// Lemma lexicon, Snowball for unknown words.
    Lexicon,
    /// For Finnish, Voikko's readings when the library is installed (see [`super::voikko`]);
    /// the lemma lexicon for the words it does not know, for other languages, and for
    /// everything when it is not installed.
    Voikko,
}

/// Which analysis steps run; the index uses [`Config::FULL`], evaluations compare others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Config {
    /// Word normalisation.
    pub normalizer: Normalizer,
    /// Split compounds into parts.
    pub compounds: bool,
    /// Complete coordinated compounds.
    pub coordination: bool,
    /// Drop stop words.
    pub stopwords: bool,
    /// Index and search the derivational roots of words (`analysis/derivation.rs`).
    pub derivations: bool,
}

impl Config {
    /// Everything on: what the index uses.
    pub const FULL: Config = Config {
        normalizer: Normalizer::Voikko,
        compounds: true,
        coordination: true,
        stopwords: true,
        derivations: true,
    };
    /// Plain Snowball with stop words, as Lucene's analyzers do.
    pub const SNOWBALL: Config = Config {
        normalizer: Normalizer::Snowball,
        compounds: false,
        coordination: false,
        stopwords: true,
        derivations: false,
    };
    /// Lowercased words only.
    pub const NONE: Config = Config {
        normalizer: Normalizer::None,
        compounds: false,
        coordination: false,
        stopwords: false,
        derivations: false,
    };
}

/// Where a term came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The word itself, lowercased.
    Word,
    /// Its base form from the lexicon (or from its compound parts).
    Lemma,
    /// A Snowball stem, for words the lexicon does not know.
    Stem,
    /// A part, or a run of parts, of a compound word.
    CompoundPart,
    /// The root a derived word is made from (`vähentäminen` → vähentää), or its compound
    /// head's (`palveluohjaus` → ohjata).
    Derivation,
    /// The full word implied by a coordinated compound.
    Coordination,
    /// A term with ä, ö and å folded, for typing without a Nordic keyboard.
    Folded,
    /// An equivalent term added at query time.
    Synonym,
}

impl Origin {
    /// Whether the term stands for a piece of the word, or what it derives from, rather
    /// than the word: indexed with the compound parts, weighted below whole words.
    pub fn is_part(self) -> bool {
        matches!(self, Origin::CompoundPart | Origin::Derivation)
    }

    /// Whether the term goes to the compound-part field rather than the main one: a piece of
    /// the word, or a word a coordination only implies (weaker evidence than written ones).
    pub fn in_parts_field(self) -> bool {
        self.is_part() || self == Origin::Coordination
    }
}

/// What one word contributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordTerms {
    /// The word's main term. Kept in the struct itself up to 24 bytes, as most are: indexing
    /// copies it for every word of every text, and a string elsewhere in memory was one
    /// more read from far away each time.
    pub main: CompactString,
    /// How the main term was found.
    pub origin: Origin,
    /// Compound parts and runs of parts, base forms, without the main term.
    pub parts: Vec<String>,
    /// The derivational roots of the main term and of its compound head, if they are
    /// derivations (`analysis/derivation.rs`).
    pub roots: Vec<String>,
}

/// One term of an analysed text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AnalyzedToken {
    /// The term as indexed.
    pub term: String,
    /// The text it came from.
    pub source: String,
    /// Byte offset where the source starts.
    pub start: usize,
    /// Byte offset where the source ends.
    pub end: usize,
    /// Word position.
    pub position: usize,
    /// Where the term came from.
    pub origin: Origin,
}

/// Which of a word's terms a [`TextTerm`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Main,
    Part(usize),
    Root(usize),
}

/// One term of an analysed text as the index takes it: an [`AnalyzedToken`] whose term stays
/// in its word's cached [`WordTerms`], so that analysing a text for the index copies no
/// strings (a text's four fields read the same analysis).
#[derive(Debug, Clone)]
pub(super) struct TextTerm {
    word: Rc<WordTerms>,
    slot: Slot,
    /// Byte offset where the source starts.
    pub start: usize,
    /// Byte offset where the source ends.
    pub end: usize,
    /// Word position.
    pub position: usize,
    /// Where the term came from.
    pub origin: Origin,
}

impl TextTerm {
    /// The term as indexed.
    pub fn term(&self) -> &str {
        match self.slot {
            Slot::Main => &self.word.main,
            Slot::Part(i) => &self.word.parts[i],
            Slot::Root(i) => &self.word.roots[i],
        }
    }
}

/// Words that join the halves of a coordinated compound.
const CONJUNCTIONS: &[&str] = &[
    "ja", "tai", "sekä", "eli", "och", "eller", "samt", "and", "or",
];
/// Words shorter than this that the lexicon knows are not given to Voikko: they are rarely
/// compounds it could split.
const VOIKKO_MIN_COMPOUND_CHARS: usize = 10;
/// Entries kept per thread and kind in the word cache: two generations of at most 196,608
/// words each (`analysis/cache.rs`). A miss costs a compound split (dozens of lexicon
/// lookups): with 50,000 entries, building the peers' 100,000 documents (200,000 distinct
/// words) missed on about one word in twelve and spent a fifth of its time in
/// `analyze_word`; with 400,000 it indexed 1.36× faster. A full generation's table is 6.3 MB
/// (2¹⁸ slots of 24 bytes), plus its words' terms; the build's peak RSS (in the final merge,
/// when the writer threads and their caches are gone) is not raised by it.
const CACHE_ENTRIES: usize = 400_000;

/// Which analysis a cached word belongs to: language, configuration, folded or not.
type CacheKind = (Language, Config, bool);

static INDEX_CONFIG: std::sync::RwLock<Config> = std::sync::RwLock::new(Config::FULL);

/// Chooses the analysis configuration for indexes built and queries run from now on in this
/// process. Only evaluations comparing configurations call it; the service never does.
pub fn set_index_config(config: Config) {
    *INDEX_CONFIG.write().expect("config lock poisoned") = config;
}

thread_local! {
    // A handful of kinds per thread: a list is faster to search than hashing the key.
    static CACHE: RefCell<Vec<(CacheKind, WordCache)>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on this thread's word cache of one kind, made on first use.
fn with_cache<T>(kind: CacheKind, f: impl FnOnce(&mut WordCache) -> T) -> T {
    CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        let at = match cache.iter().position(|(k, _)| *k == kind) {
            Some(at) => at,
            None => {
                cache.push((kind, WordCache::new(CACHE_ENTRIES)));
                cache.len() - 1
            }
        };
        f(&mut cache[at].1)
    })
}

/// The analyzer of one language and configuration. Cheap to create and copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Analyzer {
    lang: Language,
    config: Config,
}

impl Analyzer {
    /// An analyzer.
    pub fn new(lang: Language, config: Config) -> Analyzer {
        Analyzer { lang, config }
    }

    /// The analyzer the index and search use for a language: [`Config::FULL`] unless an
    /// evaluation chose another with [`set_index_config`].
    pub fn full(lang: Language) -> Analyzer {
        Analyzer::new(lang, *INDEX_CONFIG.read().expect("config lock poisoned"))
    }

    /// Its configuration.
    pub fn config(&self) -> Config {
        self.config
    }

    /// Its language.
    pub fn language(&self) -> Language {
        self.lang
    }

    fn res(&self) -> &'static LanguageResources {
        resources().language(self.lang)
    }

    /// Whether the lexicon knows a lowercase word form (a real word, not a typo).
    pub fn knows(&self, lower: &str) -> bool {
        self.res().lexicon.as_ref().is_some_and(|l| l.knows(lower))
            || self.res().compound_parts.parts.contains_key(lower)
    }

    /// Whether the lexicon may know a lowercase word form: [`Analyzer::knows`], but a word it
    /// does not know answers `true` about once in a hundred. For estimates: no lexicon walk.
    pub fn may_know(&self, lower: &str) -> bool {
        self.res()
            .lexicon
            .as_ref()
            .is_some_and(|l| l.may_know(lower))
            || self.res().compound_parts.parts.contains_key(lower)
    }

    /// Prepares asking [`Analyzer::knows`] of each of `words`: reads the lexicon filter's
    /// cache line of each first, so that the lookups that follow wait for memory together.
    pub fn prepare_knows<'a>(&self, words: impl Iterator<Item = &'a str>) {
        if let Some(lexicon) = &self.res().lexicon {
            lexicon.prepare(words);
        }
    }

    /// Whether a lowercase word of at least seven letters is a base form the lexicon knows
    /// (for a compound: one that was indexed where its parts are written apart).
    pub fn knows_long_lemma(&self, lower: &str) -> bool {
        self.res()
            .lexicon
            .as_ref()
            .is_some_and(|l| l.is_long_lemma(lower))
    }

    /// Whether a lowercase word is a base form the lexicon knows.
    pub fn is_lemma(&self, lower: &str) -> bool {
        self.res()
            .lexicon
            .as_ref()
            .is_some_and(|l| l.lemma(lower) == Some(lower))
    }

    /// The derivational root of a base form (`analysis/derivation.rs`), with derivations on.
    pub fn root(&self, lemma: &str) -> Option<String> {
        self.config
            .derivations
            .then(|| super::derivation::root(self.lang, lemma, |w| self.is_lemma(w)))
            .flatten()
    }

    /// The derivational roots of a word's main term and of its compound head (the shortest
    /// part the main term ends with), each once and neither a term the word has already.
    fn roots(&self, terms: &WordTerms) -> Vec<String> {
        let head = terms
            .parts
            .iter()
            .filter(|p| p.len() < terms.main.len() && terms.main.ends_with(p.as_str()))
            .min_by_key(|p| p.len());
        let mut roots = Vec::new();
        for word in std::iter::once(terms.main.as_str()).chain(head.map(String::as_str)) {
            if let Some(root) = self.root(word)
                && root != terms.main
                && !terms.parts.contains(&root)
                && !roots.contains(&root)
            {
                roots.push(root);
            }
        }
        roots
    }

    /// Whether a lowercase word is a stop word this analyzer drops.
    pub fn is_stopword(&self, lower: &str) -> bool {
        self.config.stopwords && self.res().stopwords.contains(lower)
    }

    /// The terms of one lowercase word. With `folded`, the word may have been typed with
    /// ä/ö/å folded and the result is folded too.
    pub fn word(&self, lower: &str, folded: bool) -> Rc<WordTerms> {
        self.word_keyed(lower, WordKey::of(lower), folded)
    }

    /// [`Analyzer::word`] of a word whose key is known.
    fn word_keyed(&self, lower: &str, key: WordKey, folded: bool) -> Rc<WordTerms> {
        let kind = (self.lang, self.config, folded);
        if let Some(hit) = with_cache(kind, |words| words.get(key)) {
            return hit;
        }
        let mut terms = self.analyze_word(lower, folded);
        if folded {
            terms.main = fold(&terms.main).into();
            terms.parts = terms.parts.iter().map(|p| fold(p)).collect();
        } else {
            terms.roots = self.roots(&terms);
        }
        let terms = Rc::new(terms);
        with_cache(kind, |words| words.insert(key, terms.clone()));
        terms
    }

    fn analyze_word(&self, w: &str, folded: bool) -> WordTerms {
        let plain = |main: String, origin| WordTerms {
            main: main.into(),
            origin,
            parts: Vec::new(),
            roots: Vec::new(),
        };
        if w.chars().all(|c| c.is_numeric()) {
            return plain(w.to_owned(), Origin::Word);
        }
        let lexicon = match self.config.normalizer {
            Normalizer::None => return plain(w.to_owned(), Origin::Word),
            Normalizer::Snowball => return plain(self.stem(w), Origin::Stem),
            Normalizer::Voikko if self.lang == Language::Fi && !folded => {
                if let Some(terms) = self.voikko_word(w) {
                    return terms;
                }
                self.res().lexicon.as_ref()
            }
            Normalizer::Lexicon | Normalizer::Voikko => self.res().lexicon.as_ref(),
        };
        let Some(lexicon) = lexicon else {
            return plain(self.stem(w), Origin::Stem);
        };
        let listed = self.res().compound_parts.parts.get(w).map(String::as_str);
        let lookup = |form: &str| {
            lexicon.lemma(form).or_else(|| {
                if folded {
                    lexicon.lemma_folded(form)
                } else {
                    None
                }
            })
        };
        let lemma = lookup(w).or(listed).or_else(|| match self.lang {
            Language::Fi => without_clitics(w)
                .into_iter()
                .chain(participle_bases(w))
                .find_map(|base| lookup(&base))
                .map(|l| lookup(l).filter(|_| is_participle(l)).unwrap_or(l)),
            _ => None,
        });
        if w.contains('-') && lemma.is_none() {
            return self.hyphenated(w, folded);
        }
        let linking_s = self.lang == Language::Sv;
        let (lemma, split) = if self.config.compounds {
            // Split the base form when there is one: its parts are base forms already.
            let split = compound::split(lemma.unwrap_or(w), self.res(), linking_s);
            match lemma {
                // A long compound whose "lemma" is a short unrelated word is a lexicon error
                // (`hyvinvointipalveluissa` → hyvä): trust the compound's own parts instead.
                Some(l) if split.is_none() && l.chars().count() * 2 < w.chars().count() => {
                    match compound::split(w, self.res(), linking_s) {
                        Some(parts) => (None, Some(parts)),
                        None => (lemma, None),
                    }
                }
                _ => (lemma, split),
            }
        } else {
            (lemma, None)
        };
        let (main, origin) = match (lemma, &split) {
            (Some(l), _) => (l.to_owned(), Origin::Lemma),
            (None, Some(parts)) => {
                let (last, head) = parts.split_last().expect("a split has parts");
                let mut main: String = head.iter().map(|p| p.surface).collect();
                main.push_str(&last.lemma);
                (main, Origin::Lemma)
            }
            (None, None) => (self.stem(w), Origin::Stem),
        };
        let parts = split
            .map(|parts| runs(&self.finest(parts), &main))
            .unwrap_or_default();
        WordTerms {
            main: main.into(),
            origin,
            parts,
            roots: Vec::new(),
        }
    }

    /// A Finnish word with Voikko: the lexicon analysis's base form when it finds one
    /// (measured on the treebank, it matches the base forms users type more precisely than
    /// Voikko's first reading), otherwise Voikko's; as parts, the lexicon's and Voikko's
    /// compound components and their runs, and the base forms of Voikko's other readings. `None` when Voikko is not installed
    /// or does not know the word.
    fn voikko_word(&self, w: &str) -> Option<WordTerms> {
        if !super::voikko::active() {
            return None;
        }
        let lexical = Analyzer::new(
            self.lang,
            Config {
                normalizer: Normalizer::Lexicon,
                ..self.config
            },
        )
        .analyze_word(w, false);
        // Voikko costs a call per word; short words the lexicon knows are rarely compounds,
        // and only their other readings would be lost.
        if lexical.origin == Origin::Lemma && w.chars().count() < VOIKKO_MIN_COMPOUND_CHARS {
            return Some(lexical);
        }
        let readings = super::voikko::readings(w)?;
        if readings.is_empty() {
            return Some(lexical);
        }
        let plain = w.replace('-', "");
        let main = if lexical.origin == Origin::Lemma {
            lexical.main.to_string()
        } else {
            // A reading that is the word itself first: `kulta` is gold before "from whom".
            readings
                .iter()
                .find(|r| r.base == plain)
                .unwrap_or(&readings[0])
                .base
                .clone()
        };
        let mut parts = if lexical.main == main {
            lexical.parts
        } else {
            Vec::new()
        };
        if self.config.compounds
            && let Some(compound) = readings
                .iter()
                .filter(|r| r.components.len() > 1)
                .min_by_key(|r| r.base != main)
        {
            let pieces: Vec<compound::Part<'_>> = compound
                .components
                .iter()
                .map(|(surface, lemma)| compound::Part {
                    surface,
                    lemma: lemma.clone(),
                })
                .collect();
            for run in runs(&pieces, &main) {
                if !parts.contains(&run) {
                    parts.push(run);
                }
            }
        }
        for reading in &readings {
            if reading.base != main && !parts.contains(&reading.base) {
                parts.push(reading.base.clone());
            }
        }
        Some(WordTerms {
            main: main.into(),
            origin: Origin::Lemma,
            parts,
            roots: Vec::new(),
        })
    }

    /// Splits parts that are compounds themselves, so that runs can start inside them:
    /// mielenterveys | palveluissa → mielen | terveys | palveluissa.
    fn finest<'a>(&self, parts: Vec<compound::Part<'a>>) -> Vec<compound::Part<'a>> {
        let last = parts.len() - 1;
        let linking_s = self.lang == Language::Sv;
        let mut out = Vec::new();
        for (i, part) in parts.into_iter().enumerate() {
            match compound::split(part.surface, self.res(), linking_s) {
                Some(mut sub) if i < last || sub.last().is_some_and(|s| s.lemma == part.lemma) => {
                    if i < last {
                        // A first part keeps its own base form for its last piece's run.
                        let n = sub.len();
                        sub[n - 1].lemma = compound::split(&part.lemma, self.res(), linking_s)
                            .and_then(|l| l.last().map(|p| p.lemma.clone()))
                            .unwrap_or_else(|| sub[n - 1].lemma.clone());
                    }
                    out.extend(sub);
                }
                _ => out.push(part),
            }
        }
        out
    }

    /// `sote-keskuksen`: the pieces are the parts, the last one inflects.
    fn hyphenated(&self, w: &str, folded: bool) -> WordTerms {
        let pieces: Vec<&str> = w.split('-').filter(|p| !p.is_empty()).collect();
        let Some((last, head)) = pieces.split_last() else {
            return WordTerms {
                main: w.into(),
                origin: Origin::Word,
                parts: Vec::new(),
                roots: Vec::new(),
            };
        };
        let last_terms = self.word(last, folded);
        let mut main: String = head.concat();
        main.push_str(&last_terms.main);
        let mut parts: Vec<String> = head
            .iter()
            .map(|p| self.word(p, folded).main.to_string())
            .collect();
        parts.push(last_terms.main.to_string());
        parts.extend(last_terms.parts.iter().cloned());
        parts.retain(|p| *p != main);
        parts.dedup();
        WordTerms {
            main: main.into(),
            origin: last_terms.origin,
            parts,
            roots: Vec::new(),
        }
    }

    fn stem(&self, w: &str) -> String {
        let algorithm = match self.lang {
            Language::Fi => Algorithm::Finnish,
            Language::Sv => Algorithm::Swedish,
            Language::En => Algorithm::English,
        };
        thread_local! {
            static STEMMERS: [Stemmer; 3] = [Stemmer::create(Algorithm::Finnish), Stemmer::create(Algorithm::Swedish), Stemmer::create(Algorithm::English)];
        }
        let i = match algorithm {
            Algorithm::Finnish => 0,
            Algorithm::Swedish => 1,
            _ => 2,
        };
        STEMMERS.with(|s| s[i].stem(w).into_owned())
    }

    /// Calls `f` with the byte range, lowercase form and terms of every word of `text` that
    /// `filter` lets through and is not a stop word: the allocation-light path for
    /// highlighting, which analyses only the words that can match.
    pub fn for_each_word(
        &self,
        text: &str,
        filter: impl Fn(&str) -> bool,
        mut f: impl FnMut(usize, usize, &str, &WordTerms),
    ) {
        let mut lower = String::new();
        for word in Words::new(text) {
            lowercase_into(word.text, &mut lower);
            if filter(&lower) && !self.is_stopword(&lower) {
                f(word.start, word.end, &lower, &self.word(&lower, false));
            }
        }
    }

    /// Analyses a text into main terms and compound parts, in position order.
    pub fn analyze(&self, text: &str) -> Vec<AnalyzedToken> {
        self.analyze_with(text, false)
    }

    /// As [`Analyzer::analyze`], with every term folded and folded input accepted.
    pub fn analyze_folded(&self, text: &str) -> Vec<AnalyzedToken> {
        self.analyze_with(text, true)
    }

    fn analyze_with(&self, text: &str, folded: bool) -> Vec<AnalyzedToken> {
        self.text_terms(text, folded)
            .into_iter()
            .map(|t| AnalyzedToken {
                term: t.term().to_owned(),
                source: text[t.start..t.end].to_owned(),
                start: t.start,
                end: t.end,
                position: t.position,
                origin: t.origin,
            })
            .collect()
    }

    /// [`Analyzer::analyze`] without copying terms and sources: what the index's tokenizers
    /// read.
    pub(super) fn index_terms(&self, text: &str) -> Vec<TextTerm> {
        self.text_terms(text, false)
    }

    fn text_terms(&self, text: &str, folded: bool) -> Vec<TextTerm> {
        let mut out = Vec::new();
        // Dangling first halves waiting for their head word: (lowercase, position, start, end).
        let mut pending: Vec<(String, usize, usize, usize)> = Vec::new();
        // Every word lowercase, and whether it is a stop word, first; then the cached terms
        // of all the others, together: each lookup waits for memory (the tables are far
        // larger than the CPU's caches), and lookups side by side wait at once.
        let mut lowered = Lowered::with_capacity(text.len());
        let mut lower = String::new();
        let words: Vec<(Word, Option<WordKey>)> = Words::new(text)
            .map(|word| {
                if folded {
                    lowercase_into(word.text, &mut lower);
                    lowered.push(&fold(&lower));
                } else {
                    lowered.push_lowercase(word.text);
                }
                let lower = lowered.get(lowered.len() - 1);
                let key = (!self.is_stopword(lower)).then(|| WordKey::of(lower));
                (word, key)
            })
            .collect();
        let mut cached: Vec<Option<Rc<WordTerms>>> =
            with_cache((self.lang, self.config, folded), |cache| {
                words
                    .iter()
                    .map(|w| w.1.and_then(|key| cache.get(key)))
                    .collect()
            });
        for (position, (word, key)) in words.into_iter().enumerate() {
            let lower = lowered.get(position);
            let conjunction = CONJUNCTIONS.contains(&lower);
            if !conjunction && !word.dangling && !pending.is_empty() && self.config.coordination {
                self.complete_coordination(lower, &pending, word.end, folded, &mut out);
            }
            if !conjunction && !word.dangling {
                pending.clear();
            }
            // A stop word has no key.
            let Some(key) = key else {
                continue;
            };
            let terms = match cached[position].take() {
                Some(hit) => hit,
                // Not cached before the text, but perhaps since (a word it has twice).
                None => self.word_keyed(lower, key, folded),
            };
            let token = |slot, origin| TextTerm {
                word: terms.clone(),
                slot,
                start: word.start,
                end: word.end,
                position,
                origin,
            };
            out.push(token(
                Slot::Main,
                if folded { Origin::Folded } else { terms.origin },
            ));
            out.extend((0..terms.parts.len()).map(|i| token(Slot::Part(i), Origin::CompoundPart)));
            out.extend((0..terms.roots.len()).map(|i| token(Slot::Root(i), Origin::Derivation)));
            if word.dangling {
                pending.push((lower.to_owned(), position, word.start, word.end));
            }
        }
        out.sort_by_key(|t| (t.position, t.origin.is_part()));
        out
    }

    /// Emits the full words implied by `pending` first halves and the head word `head`.
    fn complete_coordination(
        &self,
        head: &str,
        pending: &[(String, usize, usize, usize)],
        head_end: usize,
        folded: bool,
        out: &mut Vec<TextTerm>,
    ) {
        // The shared tail: the head word minus its first compound part.
        let tail = match compound::split(head, self.res(), self.lang == Language::Sv) {
            Some(parts) => &head[parts[0].surface.len()..],
            None => head,
        };
        for (first, position, start, _) in pending {
            let implied = format!("{first}{tail}");
            let terms = self.word(&implied, folded);
            let token = |slot, origin| TextTerm {
                word: terms.clone(),
                slot,
                start: *start,
                end: head_end,
                position: *position,
                origin,
            };
            out.push(token(Slot::Main, Origin::Coordination));
            out.extend((0..terms.parts.len()).map(|i| token(Slot::Part(i), Origin::CompoundPart)));
        }
    }
}

/// Lowercases a word into `out`, as `str::to_lowercase` does, without allocating for the
/// letters of Finnish, Swedish and English text.
pub(super) fn lowercase_into(word: &str, out: &mut String) {
    out.clear();
    push_lowercase(word, out);
}

/// Appends a word to `out` lowercase, as [`lowercase_into`] writes it.
fn push_lowercase(word: &str, out: &mut String) {
    let from = out.len();
    if word.is_ascii() {
        out.push_str(word);
        out[from..].make_ascii_lowercase();
        return;
    }
    for c in word.chars() {
        match c {
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            // Latin-1's capitals (Ä, Ö, Å...) are their small letters less 32; × is no letter.
            'À'..='Þ' if c != '×' => out.push(char::from(c as u8 + 32)),
            // Latin-1's small letters (and ÷) are their own lowercase.
            'ß'..='ÿ' => out.push(c),
            // Anything else (Greek's final sigma lowercases by context): the whole word.
            _ => {
                out.truncate(from);
                out.push_str(&word.to_lowercase());
                return;
            }
        }
    }
}

/// A text's words, lowercase, one after another in one string: what the analysis of a text
/// reads several times, without an allocation per word.
#[derive(Debug, Default)]
pub(super) struct Lowered {
    text: String,
    /// Where each word ends in `text`; it starts where the one before ends.
    ends: Vec<usize>,
}

impl Lowered {
    /// Room for words of `bytes` bytes in all.
    pub(super) fn with_capacity(bytes: usize) -> Lowered {
        Lowered {
            text: String::with_capacity(bytes),
            ends: Vec::new(),
        }
    }

    /// Adds `word`, lowercased as [`lowercase_into`] does.
    pub(super) fn push_lowercase(&mut self, word: &str) {
        push_lowercase(word, &mut self.text);
        self.ends.push(self.text.len());
    }

    /// Adds `word` as it is.
    pub(super) fn push(&mut self, word: &str) {
        self.push_joined(word, "");
    }

    /// Adds two words, as they are, written together as one.
    pub(super) fn push_joined(&mut self, first: &str, second: &str) {
        self.text.push_str(first);
        self.text.push_str(second);
        self.ends.push(self.text.len());
    }

    /// The `i`th word added.
    pub(super) fn get(&self, i: usize) -> &str {
        let from = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[from..self.ends[i]]
    }

    /// How many words were added.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The words in the order they were added.
    pub(super) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// Finnish enclitics and possessive suffixes, which the lexicon lists only for common words.
const CLITICS: &[&str] = &["kaan", "kään", "kin", "han", "hän", "pa", "pä", "ko", "kö"];
const POSSESSIVES: &[&str] = &["nsa", "nsä", "mme", "nne", "ni", "si"];

/// Forms a word may have without its clitic and possessive endings, most likely first:
/// `siltikään` → silti, `suuhuni` → suuhun, `kassistaan` → kassista.
fn without_clitics(w: &str) -> Vec<String> {
    let mut bases = vec![w.to_owned()];
    for c in CLITICS {
        if let Some(base) = w.strip_suffix(c).filter(|b| b.chars().count() >= 3) {
            bases.push(base.to_owned());
        }
    }
    let mut out = Vec::new();
    for base in &bases {
        for p in POSSESSIVES {
            if let Some(stem) = base.strip_suffix(p).filter(|s| s.chars().count() >= 2) {
                out.push(stem.to_owned());
                out.push(format!("{stem}n"));
            }
        }
        // Third person -Vn: a long vowel and n after a case ending (kassista-an).
        let chars: Vec<char> = base.chars().collect();
        if let [.., a, b, 'n'] = chars.as_slice()
            && a == b
            && "aeiouyäö".contains(*a)
            && chars.len() > 5
        {
            out.push(chars[..chars.len() - 2].iter().collect());
        }
    }
    out.extend(bases.into_iter().skip(1));
    out
}

/// Nominative forms an inflected participle or infinitive may come from, for words the
/// lexicon lists only in the nominative: `suoritettavat` → suoritettava, `myöntäneen` →
/// myöntänyt, `valitun` → valittu, `kirjoittamaan` → kirjoittaa.
fn participle_bases(w: &str) -> Vec<String> {
    let back = w.contains(['a', 'o', 'u']);
    let (a, u) = if back { ('a', 'u') } else { ('ä', 'y') };
    let mut out = Vec::new();
    let chars: Vec<char> = w.chars().collect();
    let at = |i: usize| -> String { chars[..i].iter().collect() };
    for i in (2..chars.len().saturating_sub(1)).rev() {
        match (chars[i - 1], chars[i]) {
            // Present participle: -va/-vä + case ending.
            ('v', c) if (c == a || c == 'i') && i + 1 < chars.len() => {
                out.push(format!("{}{a}", at(i)))
            }
            // Past active participle: -nee-/-nei- + ending → -nut/-nyt.
            ('n', 'e') if matches!(chars.get(i + 1), Some('e' | 'i')) => {
                out.push(format!("{}n{u}t", at(i - 1)))
            }
            // Passive participle: -tu-/-ty- + ending → -ttu/-tty (the weak grade of tt).
            ('t', c) if c == u && i + 1 < chars.len() && chars[i - 2] != 't' => {
                out.push(format!("{}t{u}", at(i)))
            }
            // Third infinitive and agent participle: -ma-/-mä- + ending → the verb's -Vá.
            ('m', c) if c == a && i >= 3 && i + 1 < chars.len() => {
                let stem = at(i - 1);
                if let Some(v) = stem.chars().last().filter(|v| "aeiouyäö".contains(*v)) {
                    out.push(format!("{stem}{v}"));
                }
            }
            _ => continue,
        }
    }
    out
}

/// Whether a base form is a participle, whose verb is a better search term.
fn is_participle(lemma: &str) -> bool {
    ["va", "vä", "nut", "nyt", "ttu", "tty", "tava", "tävä"]
        .iter()
        .any(|e| lemma.ends_with(e))
}

/// Every run of contiguous parts but the whole word, each ending in its last part's base form.
fn runs(parts: &[compound::Part<'_>], main: &str) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..parts.len() {
        for j in i + 1..=parts.len() {
            if i == 0 && j == parts.len() {
                continue;
            }
            let mut run: String = parts[i..j - 1].iter().map(|p| p.surface).collect();
            run.push_str(&parts[j - 1].lemma);
            if run != main && !out.contains(&run) {
                out.push(run);
            }
        }
    }
    out
}

/// Folds ä, ö and å (and a few other accented letters) to their plain forms.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`], appending to `out`.
pub(super) fn fold_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        out.push_str(s);
        return;
    }
    out.extend(s.chars().map(|c| match c {
        'ä' | 'å' | 'á' | 'à' | 'â' => 'a',
        'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'ü' | 'ú' => 'u',
        c => c,
    }));
}

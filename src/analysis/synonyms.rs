//! Query-time synonyms: equivalent terms and phrases in Finnish, Swedish and English.
//!
//! A query item matches a group when its analysed form equals a member's in any language, so
//! `ikääntyneiden` finds the group of `ikääntyneet`. Groups are applied at query time, with
//! one exception: members of several words are also found at index time ([`Phrases`]), so
//! the index records which list it was built with ([`fingerprint`]) and is rebuilt when that
//! changes.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{OnceLock, RwLock};

use super::pipeline::{AnalyzedToken, Analyzer, Config};
use super::resources::resources;
use crate::schema::Language;

/// The folded base forms of a text: members match whatever the inflection, and text typed
/// without ä/ö/å matches too.
fn key(lang: Language, text: &str) -> String {
    let terms: Vec<String> = Analyzer::full(lang)
        .analyze_folded(text)
        .into_iter()
        .filter(|t| !t.origin.in_parts_field())
        .map(|t| t.term)
        .collect();
    terms.join(" ")
}

/// The groups by member key, and every member's key per language, computed once: a query
/// looks its items up several times.
struct Index {
    groups: HashMap<(Language, String), Vec<usize>>,
    /// `keys[group][member][language]`, languages in the order of [`Language::ALL`].
    keys: Vec<Vec<Vec<String>>>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut groups: HashMap<(Language, String), Vec<usize>> = HashMap::new();
        let mut keys = Vec::new();
        for (group, members) in resources().synonym_groups.iter().enumerate() {
            let mut member_keys = Vec::new();
            for member in members {
                let per_language: Vec<String> = Language::ALL
                    .iter()
                    .map(|&lang| key(lang, member))
                    .collect();
                for (&lang, k) in Language::ALL.iter().zip(&per_language) {
                    if !k.is_empty() {
                        let found = groups.entry((lang, k.clone())).or_default();
                        if !found.contains(&group) {
                            found.push(group);
                        }
                    }
                }
                member_keys.push(per_language);
            }
            keys.push(member_keys);
        }
        Index { groups, keys }
    })
}

/// The members of every synonym group the text belongs to, other than the text itself.
pub fn synonyms(text: &str) -> Vec<&'static str> {
    let members = &resources().synonym_groups;
    let index = index();
    let mut out: Vec<&'static str> = Vec::new();
    for (l, lang) in Language::ALL.into_iter().enumerate() {
        let k = key(lang, text);
        if k.is_empty() {
            continue;
        }
        for &g in index.groups.get(&(lang, k.clone())).into_iter().flatten() {
            for (member, keys) in members[g].iter().zip(&index.keys[g]) {
                if keys[l] != k && !out.contains(&member.as_str()) {
                    out.push(member);
                }
            }
        }
    }
    out
}

/// One main term per word position: the first, which is the word's own base form (what a
/// phrase of the words is made of).
pub fn main_terms(tokens: Vec<AnalyzedToken>) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for t in tokens {
        if !t.origin.is_part() && out.last().is_none_or(|(p, _)| *p != t.position) {
            out.push((t.position, t.term));
        }
    }
    out
}

/// The term a phrase of `terms` (at their positions) is indexed as: the terms joined by one
/// space per position between them, so that a stop word held between two words keeps its
/// place. No analysed word holds a space, so no such term is ever a word's.
pub fn phrase_key(terms: &[(usize, String)]) -> String {
    let mut key = String::new();
    let mut last = None;
    for (position, term) in terms {
        if let Some(last) = last {
            key.extend(std::iter::repeat_n(' ', position - last));
        }
        key.push_str(term);
        last = Some(*position);
    }
    key
}

/// The synonyms written as several words, analysed in one language: where a text has one's
/// words side by side, the pairs field holds the phrase as one term ([`phrase_key`]).
///
/// A query then finds "home care" (a synonym of *kotihoito*) with one term lookup. As phrase
/// queries in every text field of every language, the synonyms of several words were a sixth
/// of the load script's searches and half of its slowest one, whose words
/// ("sosiaali- ja terveydenhuolto") are among the commonest in the corpus.
#[derive(Debug, Default)]
pub struct Phrases {
    /// By first term (looked up for every word a text is indexed with).
    by_first: rustc_hash::FxHashMap<String, Vec<Phrase>>,
}

/// One phrase of [`Phrases`], found by its first term.
#[derive(Debug)]
struct Phrase {
    /// The other terms, at their offsets from the first.
    rest: Vec<(usize, String)>,
    /// The term the pairs field holds it as.
    key: String,
}

impl Phrases {
    /// The phrases of `analyzer`'s language and configuration, made once per process.
    pub fn of(analyzer: Analyzer) -> &'static Phrases {
        type Made = Vec<((Language, Config), &'static Phrases)>;
        static MADE: RwLock<Made> = RwLock::new(Vec::new());
        let kind = (analyzer.language(), analyzer.config());
        let found = |made: &Made| made.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p);
        if let Some(phrases) = found(&MADE.read().expect("phrases lock poisoned")) {
            return phrases;
        }
        let mut made = MADE.write().expect("phrases lock poisoned");
        if let Some(phrases) = found(&made) {
            return phrases;
        }
        // A handful per process (a configuration per evaluation run at most): leaked, so
        // the index's tokenizers can hold them without a lock.
        let phrases: &'static Phrases = Box::leak(Box::new(Phrases::make(analyzer)));
        made.push((kind, phrases));
        phrases
    }

    fn make(analyzer: Analyzer) -> Phrases {
        let mut phrases = Phrases::default();
        for member in resources().synonym_groups.iter().flatten() {
            let terms = main_terms(analyzer.analyze(member));
            let [(first_at, first), rest @ ..] = terms.as_slice() else {
                continue;
            };
            if rest.is_empty() {
                continue;
            }
            let key = phrase_key(&terms);
            let rest = rest
                .iter()
                .map(|(p, t)| (p - first_at, t.clone()))
                .collect();
            let same = phrases.by_first.entry(first.clone()).or_default();
            if !same.iter().any(|p| p.key == key) {
                same.push(Phrase { rest, key });
            }
        }
        phrases
    }

    /// The term `text` is indexed as by `analyzer`, when it is a phrase of several analysed
    /// words.
    pub fn key(analyzer: Analyzer, text: &str) -> Option<String> {
        let terms = main_terms(analyzer.analyze(text));
        (terms.len() > 1).then(|| phrase_key(&terms))
    }

    /// The keys of the phrases that start with `first` at `position`, where `has(p, term)`
    /// tells whether a main term of the text stands at position `p`.
    pub fn starting<'a>(
        &'a self,
        first: &str,
        position: usize,
        has: impl Fn(usize, &str) -> bool + 'a,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.by_first
            .get(first)
            .into_iter()
            .flatten()
            .filter(move |p| p.rest.iter().all(|(offset, t)| has(position + offset, t)))
            .map(|p| p.key.as_str())
    }

    fn hash_into(&self, hasher: &mut impl Hasher) {
        let mut keys: Vec<&str> = self
            .by_first
            .values()
            .flatten()
            .map(|p| p.key.as_str())
            .collect();
        keys.sort_unstable();
        keys.hash(hasher);
    }
}

/// A hash of the phrases every language's analyzer indexes: an index built with other
/// phrases lacks terms queries look up, and is rebuilt.
pub fn fingerprint() -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    for lang in Language::ALL {
        Phrases::of(Analyzer::full(lang)).hash_into(&mut hasher);
    }
    hasher.finish()
}

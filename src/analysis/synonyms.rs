//! Query-time synonyms: equivalent terms and phrases in Finnish, Swedish and English.
//!
//! A query item matches a group when its analysed form equals a member's in any language, so
//! `ikääntyneiden` finds the group of `ikääntyneet`. Applied at query time only: editing the
//! list needs no reindex.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::pipeline::{Analyzer, Origin};
use super::resources::resources;
use crate::schema::Language;

/// The folded base forms of a text: members match whatever the inflection, and text typed
/// without ä/ö/å matches too.
fn key(lang: Language, text: &str) -> String {
    let terms: Vec<String> = Analyzer::full(lang)
        .analyze_folded(text)
        .into_iter()
        .filter(|t| t.origin != Origin::CompoundPart && t.origin != Origin::Coordination)
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

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

fn index() -> &'static HashMap<(Language, String), Vec<usize>> {
    static INDEX: OnceLock<HashMap<(Language, String), Vec<usize>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<(Language, String), Vec<usize>> = HashMap::new();
        for (group, members) in resources().synonym_groups.iter().enumerate() {
            for member in members {
                for lang in Language::ALL {
                    let k = key(lang, member);
                    if !k.is_empty() {
                        let groups = index.entry((lang, k)).or_default();
                        if !groups.contains(&group) {
                            groups.push(group);
                        }
                    }
                }
            }
        }
        index
    })
}

/// The members of every synonym group the text belongs to, other than the text itself.
pub fn synonyms(text: &str) -> Vec<&'static str> {
    let groups = &resources().synonym_groups;
    let mut out: Vec<&'static str> = Vec::new();
    for lang in Language::ALL {
        let k = key(lang, text);
        if k.is_empty() {
            continue;
        }
        for &g in index().get(&(lang, k.clone())).into_iter().flatten() {
            for member in &groups[g] {
                if key(lang, member) != k && !out.contains(&member.as_str()) {
                    out.push(member);
                }
            }
        }
    }
    out
}

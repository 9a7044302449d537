//! How text similarity and structure add up to one score, and how the results are spread
//! over organisations.

use std::collections::HashMap;

use tantivy::{Searcher, Term};

use crate::index::{FacetField, Fields};
use crate::schema::{Details, DocId, Document, Phase, Region, TargetGroup, Theme};

use super::{Method, Profile, RegionMode, Tuning};

/// Weights of the signals next to the text, whose weight is 1, besides those in `Tuning`.
/// Maturity was tuned on the sample corpus with the links held out; the link weights cannot
/// be tuned that way and are set so that an explicit link (a project's own practice)
/// outranks any text match: it is the strongest evidence there is.
const DIRECT_LINK: f32 = 1.0;
const MATURITY: f32 = 0.08;
const SAME_REGION_FIRST: f32 = 2.0;

/// How a recommendation is linked to the source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "relation", rename_all = "snake_case")]
pub enum Link {
    /// The source names it (a project's own practice, a network's member).
    Named,
    /// It names the source (the project that produced this practice).
    NamedBy,
    /// Both name the same project or network.
    Shared {
        /// The project or network both name.
        #[schema(value_type = String)]
        via: DocId,
    },
}

/// The structural signals between the source and one candidate.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    pub themes: f32,
    pub target_groups: f32,
    pub link: Option<Link>,
    pub organisation: bool,
    pub same_region: bool,
    pub maturity: f32,
}

/// How much sharing each theme and target group says: with `rarity`, the idf of the value
/// over the catalogue (serving "immigrants", 37 documents of 420, says more than serving
/// "professionals", 181), otherwise 1 for every value.
#[derive(Debug, Clone, Default)]
pub struct FacetWeights {
    themes: HashMap<&'static str, f32>,
    target_groups: HashMap<&'static str, f32>,
}

impl FacetWeights {
    /// The weights over `searcher`; all 1 unless `rarity`.
    pub fn new(searcher: &Searcher, fields: &Fields, rarity: bool) -> tantivy::Result<Self> {
        let mut weights = FacetWeights::default();
        if !rarity {
            return Ok(weights);
        }
        let n = searcher.num_docs().max(1) as f32;
        let idf = |facet: FacetField, id: &str| -> tantivy::Result<f32> {
            let term = Term::from_field_text(fields.facet(facet), id);
            let df = (searcher.doc_freq(&term)? as f32).min(n);
            Ok((1.0 + (n - df + 0.5) / (df + 0.5)).ln())
        };
        for theme in Theme::ALL {
            weights
                .themes
                .insert(theme.id(), idf(FacetField::Theme, theme.id())?);
        }
        for group in TargetGroup::ALL {
            let weight = idf(FacetField::TargetGroup, group.id())?;
            weights.target_groups.insert(group.id(), weight);
        }
        Ok(weights)
    }
}

/// The weighted Jaccard similarity of two sets of values: the weight of those shared over
/// the weight of all (a value missing from `weights` weighs 1).
fn jaccard(weights: &HashMap<&'static str, f32>, a: &[&str], b: &[&str]) -> f32 {
    let of = |x: &&str| weights.get(*x).copied().unwrap_or(1.0);
    let shared: f32 = a.iter().filter(|x| b.contains(x)).map(of).sum();
    let all: f32 = a
        .iter()
        .chain(b.iter().filter(|x| !a.contains(x)))
        .map(of)
        .sum();
    if all <= 0.0 { 0.0 } else { shared / all }
}

impl Signals {
    /// Compares a candidate with the source; themes and target groups weighed by `weights`.
    pub fn between(profile: &Profile, doc: &Document, weights: &FacetWeights) -> Signals {
        let c = &doc.common;
        let link = if profile.links.contains(&c.id) {
            Some(Link::Named)
        } else if profile.id.as_ref().is_some_and(|id| names(doc, id)) {
            Some(Link::NamedBy)
        } else {
            profile
                .links
                .iter()
                .find(|hub| names(doc, hub))
                .map(|hub| Link::Shared { via: hub.clone() })
        };
        Signals {
            themes: jaccard(
                &weights.themes,
                &profile.themes.iter().map(|t| t.id()).collect::<Vec<_>>(),
                &c.themes.iter().map(|t| t.id()).collect::<Vec<_>>(),
            ),
            target_groups: jaccard(
                &weights.target_groups,
                &profile
                    .target_groups
                    .iter()
                    .map(|g| g.id())
                    .collect::<Vec<_>>(),
                &c.target_groups.iter().map(|g| g.id()).collect::<Vec<_>>(),
            ),
            link,
            organisation: c
                .organisations
                .iter()
                .any(|o| profile.organisations.contains(o)),
            same_region: shares_region(&profile.regions, &c.regions),
            maturity: match doc.phase() {
                Some(Phase::Evaluated) => 1.0,
                Some(Phase::Ready) => 0.6,
                Some(Phase::Developing) => 0.0,
                None => 0.5,
            },
        }
    }

    /// The blended score of a candidate whose text similarity is `text` (0..1).
    pub fn score(&self, text: f32, method: Method, mode: RegionMode, tuning: &Tuning) -> f32 {
        if method == Method::TextOnly {
            return text;
        }
        let link = match self.link {
            Some(Link::Named | Link::NamedBy) => DIRECT_LINK,
            Some(Link::Shared { .. }) => tuning.shared_link,
            None => 0.0,
        };
        let region = if mode == RegionMode::MineFirst && self.same_region {
            SAME_REGION_FIRST
        } else {
            0.0
        };
        text + tuning.themes * self.themes
            + tuning.target_groups * self.target_groups
            + link
            + tuning.organisation * f32::from(u8::from(self.organisation))
            + MATURITY * self.maturity
            + region
    }
}

/// Whether `doc` is a collection page not linked with the source: a network, or a project
/// that neither names the source nor is named by it. A reader looks for practices first;
/// pages that gather many things are a tier of their own unless they gather this one (the
/// project a practice came from, a project's own network). With `programmes_only`, a project
/// is a collection page only when it is part of a funding programme (a programme's regional
/// whole gathers many developments); a project standing alone works on one need, as a
/// practice does.
pub fn is_collection(doc: &Document, signals: &Signals, programmes_only: bool) -> bool {
    let gathers = match &doc.details {
        Details::Practice(_) => false,
        Details::Network(_) => true,
        Details::Project(p) => !programmes_only || p.programme.is_some(),
    };
    gathers && !matches!(signals.link, Some(Link::Named | Link::NamedBy))
}

/// Whether `doc` links to `id`.
fn names(doc: &Document, id: &DocId) -> bool {
    doc.links().any(|(_, linked)| linked == id)
}

/// Whether two documents work in a common region (`national` is shared by none).
pub fn shares_region(a: &[Region], b: &[Region]) -> bool {
    a.iter().any(|r| *r != Region::National && b.contains(r))
}

/// The organisation a result is credited to, for spreading results: a practice's contact
/// organisation, otherwise the first organisation named.
pub fn owner(doc: &Document) -> Option<&str> {
    let contact = match &doc.details {
        Details::Practice(p) => p.contact_organisation.as_deref(),
        _ => None,
    };
    contact.or(doc.common.organisations.first().map(String::as_str))
}

/// Picks `limit` of `ranked` (best first), at most two from one organisation (one for
/// short lists) while others are left; the rest fill any places still open, in order.
/// `exempt` results (explicitly linked ones: a project's own practices) always pass.
pub fn diversify<T>(
    ranked: Vec<T>,
    limit: usize,
    owner: impl Fn(&T) -> Option<String>,
    exempt: impl Fn(&T) -> bool,
) -> Vec<T> {
    let per_owner = if limit >= 4 { 2 } else { 1 };
    let mut taken: Vec<(Option<String>, usize)> = Vec::new();
    let mut chosen = Vec::with_capacity(limit);
    let mut held = Vec::new();
    for item in ranked {
        if chosen.len() == limit {
            break;
        }
        let who = owner(&item);
        let count = match &who {
            None => 0,
            Some(_) => taken.iter().find(|(o, _)| *o == who).map_or(0, |(_, n)| *n),
        };
        if count >= per_owner && !exempt(&item) {
            held.push(item);
            continue;
        }
        match taken.iter_mut().find(|(o, _)| *o == who) {
            Some((_, n)) => *n += 1,
            None => taken.push((who, 1)),
        }
        chosen.push(item);
    }
    let open = limit - chosen.len();
    chosen.extend(held.into_iter().take(open));
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diversify_spreads_owners_and_fills_up() {
        let ranked = vec![("a", 1), ("a", 2), ("a", 3), ("b", 4), ("a", 5), ("c", 6)];
        let picked = diversify(ranked.clone(), 4, |x| Some(x.0.to_owned()), |_| false);
        assert_eq!(picked, vec![("a", 1), ("a", 2), ("b", 4), ("c", 6)]);
        let picked = diversify(ranked.clone(), 6, |x| Some(x.0.to_owned()), |_| false);
        assert_eq!(picked.len(), 6, "held results fill the open places");
        assert_eq!(&picked[..4], &[("a", 1), ("a", 2), ("b", 4), ("c", 6)]);
        let picked = diversify(ranked, 4, |x| Some(x.0.to_owned()), |x| x.1 == 3);
        assert_eq!(picked, vec![("a", 1), ("a", 2), ("a", 3), ("b", 4)]);
    }

    #[test]
    fn jaccard_of_nothing_is_zero_and_weighs_values() {
        let plain = HashMap::new();
        assert_eq!(jaccard(&plain, &[], &[]), 0.0);
        assert_eq!(jaccard(&plain, &["a", "b"], &["b", "c"]), 1.0 / 3.0);
        let rare = HashMap::from([("a", 1.0), ("b", 3.0), ("c", 1.0)]);
        assert_eq!(jaccard(&rare, &["a", "b"], &["b", "c"]), 3.0 / 5.0);
        assert_eq!(jaccard(&rare, &["a", "b"], &["a", "c"]), 1.0 / 5.0);
    }
}

//! Compound splitting: `mielenterveyspalveluissa` → mielen | terveys | palveluissa.
//!
//! A word splits into parts that the lemma lexicon or the administrator's compound-parts list
//! knows. Ordinary parts must be at least [`MIN_PART_CHARS`] long so that short accidental
//! words (`kas` in `asiakas`) never split a word; shorter real parts (`työ`, `ikä`) come from
//! the compound-parts list. Among the splits, the one with the fewest parts wins, then the one
//! whose shortest part is longest.

use super::resources::LanguageResources;

/// Shortest part accepted from the general lexicon, in characters.
pub const MIN_PART_CHARS: usize = 4;
/// Words shorter than this are never split.
pub const MIN_WORD_CHARS: usize = 7;

/// One part of a compound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// The part as written inside the compound.
    pub surface: &'a str,
    /// Its base form.
    pub lemma: String,
}

/// Splits a lowercase word into two or more parts, or `None` when it is not a compound.
/// `linking_s` allows a linking `-s-` after a part (Swedish `socialvårdslagen`).
pub fn split<'a>(word: &'a str, res: &LanguageResources, linking_s: bool) -> Option<Vec<Part<'a>>> {
    if word.chars().count() < MIN_WORD_CHARS || res.compound_parts.never_split.contains(word) {
        return None;
    }
    let bounds: Vec<usize> = word
        .char_indices()
        .map(|(i, _)| i)
        .chain([word.len()])
        .collect();
    // best[k]: the best split of word[..bounds[k]] as (parts, shortest part, previous k).
    let mut best: Vec<Option<(usize, usize, usize)>> = vec![None; bounds.len()];
    best[0] = Some((0, usize::MAX, 0));
    for end in 1..bounds.len() {
        for start in 0..end {
            let Some((parts, shortest, _)) = best[start] else {
                continue;
            };
            let surface = &word[bounds[start]..bounds[end]];
            let is_last = end == bounds.len() - 1;
            if start == 0 && is_last {
                continue; // The whole word is not a split.
            }
            if part_lemma(surface, res, linking_s, is_last).is_none() {
                continue;
            }
            let candidate = (parts + 1, shortest.min(end - start), start);
            let better = match best[end] {
                None => true,
                Some((p, s, _)) => candidate.0 < p || (candidate.0 == p && candidate.1 > s),
            };
            if better {
                best[end] = Some(candidate);
            }
        }
    }
    let mut k = bounds.len() - 1;
    best[k]?;
    let mut parts = Vec::new();
    while k > 0 {
        let (_, _, prev) = best[k].expect("a chain of best splits");
        let surface = &word[bounds[prev]..bounds[k]];
        let is_last = k == bounds.len() - 1;
        let lemma = part_lemma(surface, res, linking_s, is_last).expect("checked above");
        parts.push(Part { surface, lemma });
        k = prev;
    }
    parts.reverse();
    Some(parts)
}

/// The base form of a candidate part, if it is one.
///
/// A final part may be any known word form (it carries the inflection). A first part must be
/// a base form, a genitive (`lasten`, `mielen`: Finnish compounds take these), a Swedish base
/// form with a linking `-s`, or be listed by the administrator: requiring this keeps verb
/// stems and stray inflected forms from splitting words that are not compounds.
fn part_lemma(
    surface: &str,
    res: &LanguageResources,
    linking_s: bool,
    last: bool,
) -> Option<String> {
    if let Some(lemma) = res.compound_parts.parts.get(surface) {
        return Some(lemma.clone());
    }
    let lexicon = res.lexicon.as_ref()?;
    if surface.chars().count() < MIN_PART_CHARS {
        return None;
    }
    if let Some(lemma) = lexicon.lemma(surface)
        && (last || lemma == surface || (!linking_s && surface.ends_with('n')))
    {
        return Some(lemma.to_owned());
    }
    if linking_s && !last {
        let stem = surface.strip_suffix('s')?;
        if let Some(lemma) = res.compound_parts.parts.get(stem) {
            return Some(lemma.clone());
        }
        return lexicon
            .lemma(stem)
            .filter(|l| *l == stem)
            .map(str::to_owned);
    }
    None
}

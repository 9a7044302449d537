//! Snippets: the passage of a text that best shows why it matched, with the matched words
//! marked. Matching is by analysed term, so inflected and compound forms light up too.

use std::collections::HashSet;

use rustc_hash::FxHashSet;

use serde::Serialize;

use crate::analysis::{Analyzer, WordTerms};
use crate::schema::Language;

/// Longest snippet, in characters, before ellipses.
const WINDOW_CHARS: usize = 220;
/// Context shown before the first match, in characters.
const LEAD_CHARS: usize = 40;

/// A fragment of text with highlighted ranges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Snippet {
    /// The fragment as plain text (ellipses mark cuts).
    pub text: String,
    /// The same fragment HTML-escaped, with matches in `<mark>` elements: safe to insert as HTML.
    pub html: String,
    /// Matched ranges in `text` as `[start, end)` character offsets (Unicode scalar values).
    pub highlights: Vec<[usize; 2]>,
}

/// The analysed query terms of one language, with what the cheap pre-test needs of them.
#[derive(Debug, Default)]
pub struct Terms {
    set: FxHashSet<String>,
    /// The first letters of the terms.
    firsts: Letters,
    /// The first two letters of the terms, hashed into a bitmap (a false positive only costs
    /// an analysis); a one-letter term adds its letter to `singles`.
    pairs: Vec<u64>,
    singles: Letters,
}

/// A set of letters: a bitmap for the first 256 code points, a list for the rest.
#[derive(Debug, Default)]
struct Letters {
    low: [u64; 4],
    high: Vec<char>,
}

impl Letters {
    fn insert(&mut self, c: char) {
        match u32::from(c) {
            n @ 0..256 => self.low[n as usize / 64] |= 1 << (n % 64),
            _ if !self.high.contains(&c) => self.high.push(c),
            _ => {}
        }
    }

    #[inline]
    fn contains(&self, c: char) -> bool {
        match u32::from(c) {
            n @ 0..256 => self.low[n as usize / 64] & (1 << (n % 64)) != 0,
            _ => self.high.contains(&c),
        }
    }
}

/// Bits in the bitmap of letter pairs.
const PAIR_BITS: u32 = 1 << 14;

#[inline]
fn pair_bit(a: char, b: char) -> u32 {
    (u32::from(a).wrapping_mul(0x9E37_79B9) ^ u32::from(b)) % PAIR_BITS
}

impl Terms {
    /// The terms, ready for marking.
    pub fn new(set: HashSet<String>) -> Terms {
        let mut terms = Terms {
            pairs: vec![0; PAIR_BITS as usize / 64],
            ..Terms::default()
        };
        for t in &set {
            let mut chars = t.chars();
            let Some(first) = chars.next() else { continue };
            terms.firsts.insert(first);
            match chars.next() {
                Some(second) => {
                    let bit = pair_bit(first, second);
                    terms.pairs[bit as usize / 64] |= 1 << (bit % 64);
                }
                None => terms.singles.insert(first),
            }
        }
        terms.set = set.into_iter().collect();
        terms
    }

    /// Whether `word` may hold a term: some term starts with its first letter, or with two
    /// letters it has side by side.
    #[inline]
    fn may_start(&self, word: &str) -> bool {
        let mut chars = word.chars();
        let Some(mut prev) = chars.next() else {
            return false;
        };
        if self.firsts.contains(prev) || self.singles.contains(prev) {
            return true;
        }
        for c in chars {
            if self.has_pair(prev, c) || self.singles.contains(c) {
                return true;
            }
            prev = c;
        }
        false
    }

    #[inline]
    fn has_pair(&self, a: char, b: char) -> bool {
        let bit = pair_bit(a, b);
        // No bitmap at all when there are no terms.
        self.pairs
            .get(bit as usize / 64)
            .is_some_and(|w| w & (1 << (bit % 64)) != 0)
    }
}

/// What a snippet marks: analysed terms, and words starting with a prefix being typed.
#[derive(Debug, Clone, Copy)]
pub struct Marks<'a> {
    /// Analysed query terms.
    pub terms: &'a Terms,
    /// Lowercase prefixes (search as you type).
    pub prefixes: &'a [String],
}

impl Marks<'_> {
    /// A cheap test that rules out most words before they are analysed: a word can only
    /// match a term it shares its first letter with (inflection and gradation change the
    /// end of a word) or contains the first two letters of (a compound part).
    fn may_match(&self, lower: &str) -> bool {
        self.terms.may_start(lower) || self.prefixes.iter().any(|p| lower.starts_with(p.as_str()))
    }

    fn matches(&self, lower: &str, terms: &WordTerms) -> bool {
        self.terms.set.contains(terms.main.as_str())
            || terms.parts.iter().any(|p| self.terms.set.contains(p))
            || self
                .prefixes
                .iter()
                .any(|p| lower.starts_with(p.as_str()) || terms.main.starts_with(p.as_str()))
    }
}

/// The best fragment of `text` for the query `marks`, or `None` when nothing matches.
/// With `whole`, the whole text is returned (for titles).
pub fn snippet(lang: Language, text: &str, marks: Marks<'_>, whole: bool) -> Option<Snippet> {
    let analyzer = Analyzer::full(lang);
    let mut matches: Vec<(usize, usize)> = Vec::new();
    // The text is read a piece at a time, and reading stops one piece after the first match:
    // the window shown is then among the matches seen, and a long field is not analysed to
    // its end for a passage near its start.
    let mut from = 0;
    let mut last_piece = false;
    while from < text.len() {
        let to = piece_end(text, from);
        analyzer.for_each_word(
            &text[from..to],
            |lower| marks.may_match(lower),
            |start, end, lower, terms| {
                if marks.matches(lower, terms) {
                    matches.push((from + start, from + end));
                }
            },
        );
        if last_piece && !whole {
            break;
        }
        last_piece = !matches.is_empty();
        from = to;
    }
    matches.dedup();
    if matches.is_empty() && !whole {
        return None;
    }
    let (from, to) = if whole {
        (0, text.len())
    } else {
        best_window(text, &matches)
    };
    let mut ranges: Vec<(usize, usize)> = matches
        .into_iter()
        .filter(|m| m.0 >= from && m.1 <= to)
        .collect();
    ranges.dedup();
    Some(render(text, from, to, &ranges))
}

/// Bytes of text analysed at a time for a snippet: about a window's worth. Reading stops a
/// piece after the first match, so the window shown starts at a match at most about two
/// pieces from the first.
const PIECE_BYTES: usize = 256;

/// Where the piece of `text` starting at `from` ends: after about [`PIECE_BYTES`], at the
/// next whitespace, so that no word is cut.
fn piece_end(text: &str, from: usize) -> usize {
    let mut at = (from + PIECE_BYTES).min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    text[at..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| at + i)
}

/// A plain fragment of the start of `text`, for hits with nothing to highlight.
pub fn lead(text: &str) -> Snippet {
    let to = floor_boundary(text, char_end(text, 0, WINDOW_CHARS));
    render(text, 0, to, &[])
}

fn best_window(text: &str, matches: &[(usize, usize)]) -> (usize, usize) {
    // Slide over the matches and keep the window with the most matched words in it.
    let mut best = (0, 0usize);
    for (i, m) in matches.iter().enumerate() {
        let limit = char_end(text, m.0, WINDOW_CHARS - LEAD_CHARS);
        let n = matches[i..].iter().take_while(|n| n.1 <= limit).count();
        if n > best.1 {
            best = (m.0, n);
        }
    }
    let first = best.0;
    let from = word_start(text, char_start(text, first, LEAD_CHARS));
    let from = if from <= first { from } else { first };
    let to = floor_boundary(text, char_end(text, from, WINDOW_CHARS));
    (from, to.max(first))
}

fn render(text: &str, from: usize, to: usize, ranges: &[(usize, usize)]) -> Snippet {
    let mut out = Snippet {
        text: String::new(),
        html: String::new(),
        highlights: Vec::new(),
    };
    let prefix = from > 0;
    if prefix {
        out.text.push('…');
        out.html.push('…');
    }
    let mut chars = out.text.chars().count();
    let mut at = from;
    for &(start, end) in ranges {
        if start < at {
            continue;
        }
        push(&mut out, &text[at..start], false, &mut chars);
        push(&mut out, &text[start..end], true, &mut chars);
        at = end;
    }
    push(&mut out, &text[at..to], false, &mut chars);
    if to < text.len() {
        out.text.push('…');
        out.html.push('…');
    }
    out
}

fn push(out: &mut Snippet, part: &str, marked: bool, chars: &mut usize) {
    let n = part.chars().count();
    if marked {
        out.highlights.push([*chars, *chars + n]);
        out.html.push_str("<mark>");
    }
    out.text.push_str(part);
    escape_into(&mut out.html, part);
    if marked {
        out.html.push_str("</mark>");
    }
    *chars += n;
}

/// Appends `text` to `out` with HTML's special characters escaped.
pub fn escape_into(out: &mut String, text: &str) {
    // Copied a run at a time between the special characters, which are all ASCII (a byte of
    // a multi-byte character never equals one).
    let mut from = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escaped = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[from..at]);
        out.push_str(escaped);
        from = at + 1;
    }
    out.push_str(&text[from..]);
}

/// Byte offset `n` characters after `from`, or the end.
fn char_end(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| from + i)
}

/// Byte offset `n` characters before `at`, or 0.
fn char_start(text: &str, at: usize, n: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// Moves `at` forward to the start of the next word, unless it is at a text start.
fn word_start(text: &str, at: usize) -> usize {
    if at == 0 {
        return 0;
    }
    text[at..]
        .find(char::is_whitespace)
        .map_or(at, |i| at + i + 1)
        .min(text.len())
}

/// Moves `at` back to the end of the last whole word, unless it is at the text end.
fn floor_boundary(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    text[..at].rfind(char::is_whitespace).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::analysis::analyze;

    fn terms(lang: Language, q: &str) -> Terms {
        Terms::new(analyze(lang, q).into_iter().map(|t| t.term).collect())
    }

    fn marks(terms: &Terms) -> Marks<'_> {
        Marks {
            terms,
            prefixes: &[],
        }
    }

    #[test]
    fn inflected_matches_are_marked_and_escaped() {
        let text =
            "Malli tukee ikääntyneiden <kotona> asumista. Ikääntyneet kertovat & kehittävät.";
        let s = snippet(
            Language::Fi,
            text,
            marks(&terms(Language::Fi, "ikääntyneet")),
            false,
        )
        .unwrap();
        assert_eq!(s.highlights.len(), 2);
        assert!(s.html.contains("<mark>ikääntyneiden</mark>"), "{}", s.html);
        assert!(
            s.html.contains("&lt;kotona&gt;") && s.html.contains("&amp;"),
            "{}",
            s.html
        );
        for [a, b] in &s.highlights {
            let marked: String = s.text.chars().skip(*a).take(b - a).collect();
            assert!(marked.to_lowercase().starts_with("ikääntyne"), "{marked}");
        }
    }

    #[test]
    fn long_texts_are_cut_around_the_match() {
        let text = format!(
            "{} perhekeskuksen avoin kohtaamispaikka {}",
            "alku ".repeat(100),
            "loppu ".repeat(100)
        );
        let s = snippet(
            Language::Fi,
            &text,
            marks(&terms(Language::Fi, "perhekeskuksessa")),
            false,
        )
        .unwrap();
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        assert!(s.text.chars().count() <= WINDOW_CHARS + 2);
        assert_eq!(s.highlights.len(), 1);
    }

    #[test]
    fn a_query_without_terms_marks_nothing() {
        // Browsing without a query highlights titles with no terms at all.
        let s = snippet(Language::Fi, "Kotihoito", marks(&Terms::default()), true).unwrap();
        assert_eq!((s.text.as_str(), s.highlights.len()), ("Kotihoito", 0));
    }

    #[test]
    fn nothing_matched_means_no_snippet() {
        assert!(
            snippet(
                Language::Fi,
                "Kotihoito",
                marks(&terms(Language::Fi, "lastensuojelu")),
                false
            )
            .is_none()
        );
    }
}

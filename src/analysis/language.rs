//! Language detection with lingua, limited to the three languages Innohaku analyses.

use std::sync::OnceLock;

use lingua::{LanguageDetector, LanguageDetectorBuilder};

use super::pipeline::{Analyzer, Lowered};
use super::tokenize::Words;
use crate::schema::Language;

/// Detection looks at no more than this many characters: enough for a reliable answer, and a
/// bound on the cost (lingua's time grows with the text).
const DETECTION_PREFIX_CHARS: usize = 1000;

fn detector() -> &'static LanguageDetector {
    static DETECTOR: OnceLock<LanguageDetector> = OnceLock::new();
    DETECTOR.get_or_init(|| {
        LanguageDetectorBuilder::from_languages(&[
            lingua::Language::Finnish,
            lingua::Language::Swedish,
            lingua::Language::English,
        ])
        .build()
    })
}

/// The language a text is most likely written in; Finnish when it cannot tell.
pub fn detect_language(text: &str) -> Language {
    let prefix: String = text.chars().take(DETECTION_PREFIX_CHARS).collect();
    match detector().detect_language_of(prefix) {
        Some(lingua::Language::Swedish) => Language::Sv,
        Some(lingua::Language::English) => Language::En,
        _ => Language::Fi,
    }
}

/// Words of a field looked at to check its language: enough to tell, few enough to be cheap
/// (each is one read of the lexicon's filter, not a walk of the lexicon: the filter takes
/// about one unknown word in a hundred for known, which can tip a field that is right at
/// [`FIELD_KNOWN_SHARE`] to the document's language; it tipped none of the peers' 20,000
/// first documents).
const FIELD_SAMPLE_WORDS: usize = 24;
/// Bytes of a field tokenised for the sample: comfortably more than its words need.
const FIELD_SAMPLE_BYTES: usize = 400;
/// Fewer words than this and a field is taken to be in the document's language: a title or
/// a name is too short to tell.
const FIELD_MIN_WORDS: usize = 6;
/// Share of a field's words the document language must recognise for the field to count as
/// written in it without asking lingua.
const FIELD_KNOWN_SHARE: f32 = 0.6;

/// The language one field of a document is written in, given the document's (declared or
/// detected) language: a Finnish practice may have a Swedish summary. The lexicon of the
/// document's language is asked first, because it answers for almost every field at almost
/// no cost; only a field it does not recognise is given to lingua, and lingua's answer is
/// taken only if that language recognises more of the words.
pub fn field_language(document: Language, text: &str) -> Language {
    // Only the start of the field is tokenised: the sample needs no more.
    let mut end = text.len().min(FIELD_SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut sample = Lowered::with_capacity(end);
    for word in Words::new(&text[..end])
        .filter(|w| w.text.chars().any(char::is_alphabetic))
        .take(FIELD_SAMPLE_WORDS)
    {
        sample.push_lowercase(word.text);
    }
    if sample.len() < FIELD_MIN_WORDS {
        return document;
    }
    let known = |lang: Language| {
        let analyzer = Analyzer::full(lang);
        // Each word's lookup is a read from far away: all read first, side by side.
        analyzer.prepare_knows(sample.iter());
        sample
            .iter()
            .filter(|w| analyzer.is_stopword(w) || analyzer.may_know(w))
            .count() as f32
            / sample.len() as f32
    };
    let own = known(document);
    if own >= FIELD_KNOWN_SHARE {
        return document;
    }
    let detected = detect_language(text);
    if detected != document && known(detected) > own {
        detected
    } else {
        document
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_in_another_language_is_recognised() {
        let swedish = "Äldreomsorgen i Österbotten utvecklar hemvården tillsammans med de äldre och deras anhöriga.";
        assert_eq!(field_language(Language::Fi, swedish), Language::Sv);
        let finnish = "Ikääntyneiden kotihoidon etävastaanotto parantaa palveluiden saatavuutta koko hyvinvointialueella.";
        assert_eq!(field_language(Language::Fi, finnish), Language::Fi);
        assert_eq!(field_language(Language::Sv, finnish), Language::Fi);
        let english = "The family centre brings the services for families with children together in one place.";
        assert_eq!(field_language(Language::Fi, english), Language::En);
        // Too short to tell: the document's language stands.
        assert_eq!(field_language(Language::Fi, "Hemvård i Vasa"), Language::Fi);
        // Names and numbers do not make a Finnish field Swedish.
        let names = "Vaasan kaupunki ja Pohjanmaan hyvinvointialue kehittävät kotihoitoa yhdessä Folkhälsanin kanssa vuodesta 2023.";
        assert_eq!(field_language(Language::Fi, names), Language::Fi);
    }

    #[test]
    fn tells_the_three_languages_apart() {
        assert_eq!(
            detect_language(
                "Ikääntyneiden kotihoidon etävastaanotto parantaa palveluiden saatavuutta."
            ),
            Language::Fi
        );
        assert_eq!(
            detect_language(
                "Äldreomsorgen i Österbotten utvecklar hemvården tillsammans med de äldre."
            ),
            Language::Sv
        );
        assert_eq!(
            detect_language(
                "The family centre brings services for families with children together."
            ),
            Language::En
        );
    }
}

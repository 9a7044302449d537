//! Language detection with lingua, limited to the three languages Innohaku analyses.

use std::sync::OnceLock;

use lingua::{LanguageDetector, LanguageDetectorBuilder};

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

#[cfg(test)]
mod tests {
    use super::*;

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

//! Derivational roots: the word a derived base form is made from, so that derivations of one
//! root meet (`vähentäminen`, `vähentää`; `osallistuja`, `osallistuminen`, `osallistua`;
//! `ohjaus`, `ohjaaja`, `ohjata`; `utvärdering`, `utvärdera`).
//!
//! Finnish derivation is as productive as its inflection, and the lemma lexicons list each
//! derivation as a base form of its own. A root is found by rules: each productive suffix
//! (-minen, -ja/-jä, -us/-ys, -nti/-nta, -u/-y, -o/-ö, -llinen, -inen, -sto/-stö,
//! -kas/-käs, -uus/-yys; Swedish -ning, -else, -are, -ande/-ende, -het) is taken off and
//! the candidates a stem can have in the root's base form (with the consonant gradation
//! undone where the derivation weakened it) are tried in order; the first the lexicon
//! knows as a base form is the root. The root is indexed beside the word as a compound
//! part is, and a query word's root is searched below the word itself and its inflected
//! forms: a derivation is weaker evidence than the word, so precision holds.
//!
//! Privative -ton/-tön (`työtön`) is left alone: its meaning is the root's opposite.

use crate::schema::Language;

/// The derivational root of `lemma` (a base form, lowercase) in `lang`, if it is a
/// derivation whose root `is_lemma` recognises as a base form; never `lemma` itself.
pub fn root(lang: Language, lemma: &str, is_lemma: impl Fn(&str) -> bool) -> Option<String> {
    if lemma.chars().count() < 5 {
        return None;
    }
    let candidates = match lang {
        Language::Fi => finnish(lemma),
        Language::Sv => swedish(lemma),
        Language::En => Vec::new(),
    };
    // A root of three letters is more often a homograph than the root (`omainen` is no
    // derivation of `oma`).
    candidates
        .into_iter()
        .find(|c| c != lemma && c.chars().count() >= 4 && is_lemma(c))
}

/// The vowel harmony of a Finnish word: `a` after back vowels, `ä` otherwise.
fn harmony(word: &str) -> (char, char) {
    if word.contains(['a', 'o', 'u']) {
        ('a', 'u')
    } else {
        ('ä', 'y')
    }
}

/// A Finnish stem with its last consonant in the strong grade, where a derivation may have
/// weakened it: `kehit` → kehitt, `koulut` → koulutt, `toiminn` → toimint, `verko` → verkko.
fn strong_grades(stem: &str) -> Vec<String> {
    let mut out = Vec::new();
    let pairs = [
        ("nn", "nt"),
        ("ll", "lt"),
        ("rr", "rt"),
        ("mm", "mp"),
        ("ng", "nk"),
    ];
    for (weak, strong) in pairs {
        if let Some(s) = stem.strip_suffix(weak) {
            out.push(format!("{s}{strong}"));
        }
    }
    // A single stop that is doubled in the strong grade (t → tt, k → kk, p → pp), possibly
    // followed by one vowel (`verko` → verkko).
    let chars: Vec<char> = stem.chars().collect();
    for back in [1, 2] {
        if chars.len() > back + 1 {
            // The stop is the last letter, or the one before a last vowel.
            let at = chars.len() + 1 - back;
            let c = chars[at - 1];
            if matches!(c, 't' | 'k' | 'p')
                && chars[at - 2] != c
                && (back == 1 || is_vowel(chars[at]))
            {
                let mut strong: String = chars[..at].iter().collect();
                strong.push(c);
                strong.extend(&chars[at..]);
                out.push(strong);
            }
        }
    }
    out
}

/// A Finnish stem with its last consonant in the weak grade, where a derived noun keeps the
/// strong grade its verb's infinitive does not: `viitta` → viita (viittaus → viitata),
/// `hyppä` → hypä (hyppäys → hypätä), `rakka` → raka (rakkaus → rakas).
fn weak_grades(stem: &str) -> Vec<String> {
    let chars: Vec<char> = stem.chars().collect();
    let mut out = Vec::new();
    // The last consonant pair, possibly followed by one vowel.
    for back in [0, 1] {
        if chars.len() < back + 3 {
            continue;
        }
        let at = chars.len() - back;
        if back == 1 && !is_vowel(chars[at]) {
            continue;
        }
        let (x, y) = (chars[at - 2], chars[at - 1]);
        let weak = match (x, y) {
            ('t', 't') | ('k', 'k') | ('p', 'p') => Some(vec![x]),
            ('n', 't') => Some(vec!['n', 'n']),
            ('l', 't') => Some(vec!['l', 'l']),
            ('r', 't') => Some(vec!['r', 'r']),
            ('m', 'p') => Some(vec!['m', 'm']),
            ('n', 'k') => Some(vec!['n', 'g']),
            _ => None,
        };
        if let Some(weak) = weak {
            let mut w: String = chars[..at - 2].iter().collect();
            w.extend(weak);
            w.extend(&chars[at..]);
            out.push(w);
        }
    }
    out
}

fn is_vowel(c: char) -> bool {
    "aeiouyäö".contains(c)
}

/// The forms a Finnish verb with stem `stem` (as it stands before -minen, -ja, -mA) may have
/// as its base form: `vähentä` → vähentää, `osallistu` → osallistua, `arvioi` → arvioida,
/// `ohjaa` → ohjata, `tarvitse` → tarvita, `halua` → haluta.
fn verb_bases(stem: &str, out: &mut Vec<String>) {
    let (a, _) = harmony(stem);
    out.push(format!("{stem}{a}"));
    out.push(format!("{stem}d{a}"));
    if let Some(s) = stem.strip_suffix(|c: char| is_vowel(c)) {
        out.push(format!("{s}t{a}"));
    }
    if let Some(s) = stem.strip_suffix("tse") {
        out.push(format!("{s}t{a}"));
    }
    if let Some(s) = stem.strip_suffix("ne") {
        out.push(format!("{s}t{a}"));
    }
}

fn finnish(lemma: &str) -> Vec<String> {
    let (a, u) = harmony(lemma);
    let mut out = Vec::new();
    let strip = |suffixes: &[&str]| suffixes.iter().find_map(|s| lemma.strip_suffix(s));
    // Action and agent nouns of verbs: -minen, -ja/-jä, -ija (`opiskelija` → opiskella).
    if let Some(stem) = strip(&["minen"]) {
        verb_bases(stem, &mut out);
        return out;
    }
    if let Some(stem) = strip(&["ja", "jä"]) {
        verb_bases(stem, &mut out);
        if let Some(s) = stem.strip_suffix('i') {
            out.push(format!("{s}l{a}"));
        }
        return out;
    }
    // Collectives: -sto/-stö (`henkilöstö` → henkilö, `verkosto` → verkko, `aineisto` →
    // aine), before -o/-ö.
    for suffix in ["sto", "stö", "isto", "istö"] {
        if let Some(stem) = lemma.strip_suffix(suffix) {
            out.push(stem.to_owned());
            out.extend(strong_grades(stem));
        }
    }
    // -kas/-käs of verbs (`asukas` → asua), before -us.
    if let Some(stem) = strip(&["kas", "käs"]) {
        out.push(format!("{stem}{a}"));
        out.push(stem.to_owned());
    }
    // Qualities of adjectives: -uus/-yys (`osallisuus` → osallinen, `vaikuttavuus` →
    // vaikuttava), before -us/-ys.
    if let Some(stem) = strip(&["uus", "yys"]) {
        if let Some(s) = stem.strip_suffix('s') {
            out.push(format!("{s}nen"));
        }
        out.push(format!("{stem}{a}"));
        out.push(stem.to_owned());
    }
    // Actions and results: -us/-ys (`ohjaus` → ohjata, `toteutus` → toteuttaa, `koulutus`
    // → kouluttaa, `kehitys` → kehittää, `terveys` → terve, `sairaus` → sairas).
    // The transitive verb before the intransitive one (`toteutus` → toteuttaa rather than
    // toteutua), as the noun usually names the act.
    if let Some(stem) = strip(&["us", "ys"]) {
        out.push(format!("{stem}t{a}"));
        for weak in weak_grades(stem) {
            out.push(format!("{weak}t{a}"));
        }
        out.push(format!("{stem}{a}{a}"));
        for strong in strong_grades(stem) {
            out.push(format!("{strong}{a}{a}"));
        }
        out.push(format!("{stem}{u}{a}"));
        out.push(format!("{stem}{a}"));
        out.push(format!("{stem}s"));
        for weak in weak_grades(stem) {
            out.push(format!("{weak}s"));
        }
        out.push(stem.to_owned());
        return out;
    }
    // -nti/-nta/-ntä (`arviointi` → arvioida, `seuranta` → seurata, `toiminta` → toimia).
    if let Some(stem) = strip(&["nti", "nta", "ntä"]) {
        out.push(format!("{stem}{a}"));
        out.push(format!("{stem}d{a}"));
        out.push(format!("{stem}t{a}"));
        return out;
    }
    // -u/-y after l, n, r, s or t (`palvelu` → palvella, `ehkäisy` → ehkäistä,
    // `suunnittelu` → suunnitella).
    let chars: Vec<char> = lemma.chars().collect();
    if let [.., c, last] = chars.as_slice()
        && (*last == 'u' || *last == 'y')
        && matches!(c, 'l' | 'n' | 'r' | 's' | 't')
    {
        let stem: String = chars[..chars.len() - 1].iter().collect();
        out.push(format!("{stem}l{a}"));
        out.push(format!("{stem}t{a}"));
        out.push(format!("{stem}{a}"));
        return out;
    }
    // -o/-ö (`hoito` → hoitaa, `tuotto` → tuottaa).
    if let Some(stem) = strip(&["o", "ö"]) {
        out.push(format!("{stem}{a}{a}"));
        out.push(format!("{stem}{a}"));
        return out;
    }
    // Adjectives of nouns: -llinen (`yhteisöllinen` → yhteisö, `toiminnallinen` → toiminta,
    // `ammatillinen` → ammatti, `taloudellinen` → talous), -inen (`sosiaalinen` → sosiaali).
    if let Some(stem) = strip(&["llinen"]) {
        out.push(stem.to_owned());
        if let [.., x, y] = stem.chars().collect::<Vec<_>>().as_slice()
            && x == y
        {
            out.push(stem[..stem.len() - y.len_utf8()].to_owned());
        }
        for strong in strong_grades(stem) {
            out.push(strong.clone());
            out.push(format!("{strong}{a}"));
            out.push(format!("{strong}i"));
        }
        if let Some(s) = stem.strip_suffix("de") {
            out.push(format!("{s}s"));
        }
        out.push(format!("{stem}i"));
        return out;
    }
    // -inen only of a long stem: short ones are the word's own (`läheinen`, `yhteinen`).
    if let Some(stem) = strip(&["inen"]).filter(|s| s.chars().count() >= 5) {
        out.push(stem.to_owned());
        out.push(format!("{stem}i"));
        return out;
    }
    out
}

fn swedish(lemma: &str) -> Vec<String> {
    let mut out = Vec::new();
    // `handledning` → handleda, `rådgivning` → rådgiva, `utvärdering` → utvärdera.
    if let Some(stem) = lemma.strip_suffix("ning") {
        out.push(format!("{stem}a"));
        out.push(stem.to_owned());
    }
    if let Some(stem) = lemma.strip_suffix("ing") {
        out.push(format!("{stem}a"));
    }
    // `upplevelse` → uppleva, `förståelse` → förstå.
    if let Some(stem) = lemma.strip_suffix("else") {
        out.push(format!("{stem}a"));
        out.push(stem.to_owned());
    }
    // `vårdare` → vårda, `handledare` → handleda, `deltagare` → deltaga.
    if let Some(stem) = lemma.strip_suffix("are") {
        out.push(format!("{stem}a"));
        out.push(stem.to_owned());
    }
    // `deltagande` → deltaga, `boende` → bo.
    if let Some(stem) = lemma
        .strip_suffix("ande")
        .or_else(|| lemma.strip_suffix("ende"))
    {
        out.push(format!("{stem}a"));
        out.push(stem.to_owned());
    }
    // `delaktighet` → delaktig, `tillgänglighet` → tillgänglig.
    if let Some(stem) = lemma.strip_suffix("het") {
        out.push(stem.to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_of_derived_words_with_the_lexicon() {
        let root_of = |lang, word: &str| {
            let analyzer = crate::analysis::Analyzer::full(lang);
            root(lang, word, |w| analyzer.is_lemma(w))
        };
        // (word, expected root, why)
        let finnish = [
            ("vähentäminen", Some("vähentää"), "-minen of a verb in -ää"),
            (
                "osallistuminen",
                Some("osallistua"),
                "-minen of a verb in -ua",
            ),
            ("osallistuja", Some("osallistua"), "agent noun -ja"),
            ("ohjaaja", Some("ohjata"), "agent noun of a verb in -ata"),
            ("ohjaus", Some("ohjata"), "-us of a verb in -ata"),
            ("arviointi", Some("arvioida"), "-nti of a verb in -ida"),
            ("kuntoutus", Some("kuntouttaa"), "-us of a verb in -ttaa"),
            (
                "toteutus",
                Some("toteuttaa"),
                "-us of the transitive verb first",
            ),
            (
                "viittaus",
                Some("viitata"),
                "-us keeps the strong grade the verb does not",
            ),
            ("toiminta", Some("toimia"), "-nta of a verb in -ia"),
            ("kehittäjä", Some("kehittää"), "agent noun -jä"),
            ("hoito", Some("hoitaa"), "-o of a verb in -aa"),
            ("palvelu", Some("palvella"), "-u of a verb in -lla"),
            ("asuminen", Some("asua"), "-minen of a verb in -ua"),
            ("yhteisöllinen", Some("yhteisö"), "-llinen of a noun"),
            ("henkilöstö", Some("henkilö"), "collective -stö"),
            ("työtön", None, "privative -tön is left alone"),
            ("omainen", None, "a root of three letters is a homograph"),
            (
                "kotihoito",
                None,
                "a compound's head has the root; the whole has none",
            ),
            ("talo", None, "no derivation"),
        ];
        for (word, expected, why) in finnish {
            assert_eq!(
                root_of(Language::Fi, word).as_deref(),
                expected,
                "{word}: {why}"
            );
        }
        let swedish = [
            ("utvärdering", Some("utvärdera"), "-ning"),
            ("handledning", Some("handleda"), "-ning"),
            ("vårdare", Some("vårda"), "-are"),
            ("delaktighet", Some("delaktig"), "-het"),
        ];
        for (word, expected, why) in swedish {
            assert_eq!(
                root_of(Language::Sv, word).as_deref(),
                expected,
                "{word}: {why}"
            );
        }
    }
}

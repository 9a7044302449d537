//! Table-driven tests of the analyzer on real Finnish and Swedish words: which forms must
//! conflate, which words must stay apart, which compound parts and coordinated compounds
//! must be found, each case with its reason.

use super::*;
use crate::schema::Language;

fn main_term(lang: Language, word: &str) -> String {
    Analyzer::full(lang).word(word, false).main.to_string()
}

fn all_terms(lang: Language, text: &str) -> Vec<String> {
    Analyzer::full(lang)
        .analyze(text)
        .into_iter()
        .map(|t| t.term)
        .collect()
}

/// (form, other form, reason): the two must get the same main term.
const FI_SAME: &[(&str, &str, &str)] = &[
    ("kotihoito", "kotihoidon", "gradation t/d"),
    ("kotihoito", "kotihoidossa", "gradation t/d, inessive"),
    ("hoito", "hoidon", "gradation t/d"),
    ("hoito", "hoitoon", "illative, strong grade"),
    ("satu", "sadun", "gradation t/d"),
    ("kauppa", "kaupan", "gradation pp/p"),
    ("kauppa", "kaupoissa", "gradation pp/p, plural"),
    ("tukka", "tukan", "gradation kk/k"),
    ("kettu", "ketun", "gradation tt/t"),
    ("jalka", "jalan", "gradation k/∅"),
    ("leipä", "leivän", "gradation p/v"),
    ("kenkä", "kengän", "gradation nk/ng"),
    ("lampi", "lammen", "gradation mp/mm"),
    ("kulta", "kullan", "gradation lt/ll"),
    ("ranta", "rannan", "gradation nt/nn"),
    ("parta", "parran", "gradation rt/rr"),
    ("tuki", "tuen", "gradation k/∅"),
    ("tupa", "tuvan", "gradation p/v"),
    ("lapsi", "lasten", "stem alternation"),
    ("lapsi", "lapset", "stem alternation, plural"),
    ("lapsi", "lapsille", "stem alternation, allative"),
    ("käsi", "kädet", "stem alternation s/d"),
    ("käsi", "käsien", "stem alternation"),
    ("vesi", "veden", "stem alternation s/d"),
    ("uusi", "uuden", "stem alternation s/d"),
    ("vanhus", "vanhusten", "-us word, genitive plural"),
    ("vanhus", "vanhukset", "-us word, ks stem"),
    ("vanhus", "vanhuksille", "-us word, allative plural"),
    ("perhekeskus", "perhekeskuksen", "-us word in a compound"),
    (
        "perhekeskus",
        "perhekeskuksissa",
        "-us word, inessive plural",
    ),
    ("keskus", "keskuksessa", "-us word"),
    ("työ", "töissä", "stem alternation yö/ö"),
    ("työ", "työhön", "illative"),
    ("työ", "töitä", "partitive plural"),
    ("mielenterveys", "mielenterveyden", "-ys word, genitive"),
    ("mielenterveys", "mielenterveyttä", "-ys word, partitive"),
    ("terveys", "terveyden", "-ys word"),
    ("palvelu", "palvelut", "plural"),
    ("palvelu", "palveluissa", "inessive plural"),
    ("palvelu", "palveluiden", "genitive plural"),
    ("palvelu", "palvelujen", "genitive plural, other ending"),
    ("palvelu", "palveluille", "allative plural"),
    ("palvelu", "palvelussa", "inessive"),
    ("ikääntynyt", "ikääntyneiden", "participle, genitive plural"),
    ("ikääntynyt", "ikääntyneet", "participle, plural"),
    ("ikääntynyt", "ikääntyneille", "participle, allative plural"),
    ("ikäihminen", "ikäihmiset", "-nen word"),
    ("ikäihminen", "ikäihmisille", "-nen word, allative plural"),
    ("nainen", "naisten", "-nen word"),
    ("ihminen", "ihmisiä", "-nen word, partitive plural"),
    ("omaishoitaja", "omaishoitajien", "genitive plural"),
    ("omaishoitaja", "omaishoitajille", "allative plural"),
    ("hoitaja", "hoitajat", "plural"),
    ("sairaanhoitaja", "sairaanhoitajan", "compound, genitive"),
    ("lastensuojelu", "lastensuojelun", "compound, genitive"),
    ("lastensuojelu", "lastensuojelussa", "compound, inessive"),
    ("perhe", "perheiden", "-e word, genitive plural"),
    ("perhe", "perheen", "-e word, genitive"),
    ("perhe", "perheille", "-e word, allative plural"),
    ("nuori", "nuorten", "-i word, genitive plural"),
    ("nuori", "nuoret", "plural"),
    ("nuori", "nuorille", "allative plural"),
    ("kunta", "kunnan", "gradation nt/nn"),
    ("kunta", "kunnissa", "gradation nt/nn, plural"),
    ("asiakas", "asiakkaan", "-as word, kk stem"),
    ("asiakas", "asiakkaat", "-as word, plural"),
    ("asiakas", "asiakkaille", "-as word, allative plural"),
    ("sairaala", "sairaalassa", "inessive"),
    ("sairaus", "sairauden", "-us word, genitive"),
    ("kuntoutus", "kuntoutuksen", "-us word, genitive"),
    ("kuntoutus", "kuntoutukseen", "-us word, illative"),
    ("arviointi", "arvioinnin", "gradation nt/nn"),
    ("arviointi", "arvioinnissa", "gradation nt/nn"),
    ("toiminta", "toiminnan", "gradation nt/nn"),
    ("toimintamalli", "toimintamallit", "plural"),
    ("toimintamalli", "toimintamallien", "genitive plural"),
    ("hanke", "hankkeen", "-e word, gradation k/kk"),
    ("hanke", "hankkeissa", "-e word, plural"),
    ("verkosto", "verkoston", "genitive"),
    ("verkosto", "verkostoissa", "inessive plural"),
    ("tavoite", "tavoitteet", "-e word, tt stem"),
    ("tavoite", "tavoitteena", "essive"),
    ("neuvola", "neuvolassa", "inessive"),
    ("neuvola", "neuvoloiden", "genitive plural"),
    ("vammainen", "vammaisten", "-nen word"),
    ("vammainen", "vammaisille", "-nen word"),
    ("maahanmuuttaja", "maahanmuuttajien", "genitive plural"),
    ("työtön", "työttömien", "-ton word"),
    ("työtön", "työttömät", "-ton word, plural"),
    ("opiskelija", "opiskelijoille", "allative plural"),
    ("koulu", "kouluissa", "inessive plural"),
    ("kampa", "kamman", "gradation mp/mm"),
    ("tieto", "tiedon", "gradation t/d"),
    ("taito", "taidot", "gradation t/d, plural"),
    ("yhteistyö", "yhteistyössä", "compound, inessive"),
    (
        "sosiaalityöntekijä",
        "sosiaalityöntekijän",
        "compound, genitive",
    ),
    ("ryhmä", "ryhmissä", "inessive plural"),
    ("kala", "kalaa", "partitive"),
    ("kehittäminen", "kehittämisen", "-nen noun"),
    ("kehittäminen", "kehittämiseen", "-nen noun, illative"),
];

/// (word, other word, reason): an over-eager rule would merge them; they must stay apart.
const FI_APART: &[(&str, &str, &str)] = &[
    ("kunta", "kunto", "municipality vs condition"),
    ("hoito", "hoitaja", "care vs carer"),
    ("palvelu", "palvelija", "service vs servant"),
    ("koulu", "koulutus", "school vs training"),
    ("sairaala", "sairaus", "hospital vs illness"),
    ("kunta", "kuntoutus", "municipality vs rehabilitation"),
    ("laki", "lakki", "law vs cap: gradation must not merge them"),
    ("tuki", "tukka", "support vs hair"),
    ("lapsi", "lapio", "child vs shovel"),
    ("perhe", "perhonen", "family vs butterfly"),
    (
        "työ",
        "työkalu",
        "work vs tool: a compound is not its first part",
    ),
    (
        "mieli",
        "mielenterveys",
        "mind vs mental health: the compound keeps its own term",
    ),
    ("vanha", "vanhus", "old vs elderly person"),
    ("nuori", "nuoriso", "young vs youth"),
    ("asia", "asiakas", "matter vs client"),
    ("ohjaus", "ohjaaja", "guidance vs instructor"),
    ("terveys", "terve", "health vs healthy"),
    ("koti", "kotona", "home (noun) vs at home (adverb)"),
    ("arvio", "arviointi", "estimate vs evaluation"),
    ("verkko", "verkosto", "net vs network"),
];

/// (word, term that must be among its main term and compound parts, reason).
const FI_PARTS: &[(&str, &str, &str)] = &[
    (
        "mielenterveyspalveluissa",
        "palvelu",
        "compound head, inflected",
    ),
    (
        "mielenterveyspalveluissa",
        "mielenterveys",
        "compound modifier",
    ),
    (
        "mielenterveyspalveluissa",
        "mielenterveyspalvelu",
        "the whole compound in base form",
    ),
    (
        "mielenterveyspalveluissa",
        "terveyspalvelu",
        "a run of parts",
    ),
    (
        "lastensuojelu",
        "suojelu",
        "genitive linking form lasten + suojelu",
    ),
    ("lastensuojelun", "lapsi", "the genitive part in base form"),
    ("kotihoitotiimi", "kotihoito", "three-part compound"),
    ("kotihoitotiimi", "tiimi", "three-part compound head"),
    ("perhekeskustoiminta", "perhekeskus", "compound modifier"),
    (
        "perhekeskustoiminnassa",
        "toiminta",
        "inflected compound head, gradation",
    ),
    ("omaishoitajien", "hoitaja", "compound head"),
    ("sosiaalityöntekijä", "työntekijä", "compound head"),
    ("vanhuspalveluissa", "vanhus", "compound modifier"),
    ("hyvinvointialueen", "alue", "compound head, genitive"),
    ("hyvinvointialueen", "hyvinvointi", "compound modifier"),
    ("sote-keskuksen", "keskus", "hyphenated compound"),
    (
        "sote-keskuksen",
        "sotekeskus",
        "hyphenated compound as one word",
    ),
    ("päihdetyössä", "työ", "compound head with stem alternation"),
    (
        "etävastaanotolla",
        "vastaanotto",
        "compound head, gradation",
    ),
    ("kouluterveydenhuollossa", "terveydenhuolto", "run of parts"),
    ("asiakasosallisuus", "osallisuus", "compound head"),
    ("lapsiperheille", "perhe", "compound head, allative plural"),
    ("työllisyyspalvelut", "palvelu", "compound head"),
    (
        "erikoissairaanhoidon",
        "sairaanhoito",
        "run of parts, gradation",
    ),
    (
        "ikääntyneiden",
        "ikääntynyt",
        "not a compound: its own base form",
    ),
];

/// (text, term the analysis must contain, reason).
const FI_TEXTS: &[(&str, &str, &str)] = &[
    (
        "sosiaali- ja terveyspalvelut",
        "sosiaalipalvelu",
        "hyphen coordination",
    ),
    (
        "sosiaali- ja terveyspalvelut",
        "terveyspalvelu",
        "the written compound",
    ),
    (
        "perus- ja erikoissairaanhoito",
        "perussairaanhoito",
        "hyphen coordination, three parts",
    ),
    (
        "mielenterveys- ja päihdepalvelut",
        "mielenterveyspalvelu",
        "hyphen coordination",
    ),
    (
        "koti- ja asumispalveluissa",
        "kotipalvelu",
        "hyphen coordination, inflected head",
    ),
    (
        "lasten- ja nuorisopalvelut",
        "lastenpalvelu",
        "hyphen coordination, genitive first half",
    ),
    ("THL:n suositus", "thl", "abbreviation with a case ending"),
    ("EU:ssa", "eu", "abbreviation with a case ending"),
    ("vuonna 2024", "2024", "numbers are kept"),
    (
        "Sote-keskuksessa",
        "sotekeskus",
        "hyphenated word, capitalised",
    ),
];

const SV_SAME: &[(&str, &str, &str)] = &[
    ("familjecentral", "familjecentralen", "definite"),
    ("familjecentral", "familjecentraler", "plural"),
    ("äldreomsorg", "äldreomsorgen", "definite"),
    ("barn", "barnen", "definite plural"),
    ("barn", "barnens", "definite plural genitive"),
    ("tjänst", "tjänsterna", "definite plural"),
    ("tjänst", "tjänster", "plural"),
    ("vård", "vården", "definite"),
    ("hemvård", "hemvården", "definite"),
    ("sjukvård", "sjukvårdens", "definite genitive"),
    ("socialarbetare", "socialarbetaren", "definite"),
    ("närståendevårdare", "närståendevårdarna", "definite plural"),
    ("klient", "klienterna", "definite plural"),
    ("familj", "familjer", "plural"),
    ("familj", "familjerna", "definite plural"),
    ("utvärdering", "utvärderingen", "definite"),
    ("stöd", "stödet", "definite neuter"),
    ("projekt", "projektet", "definite neuter"),
    ("nätverk", "nätverket", "definite neuter"),
    ("modell", "modellen", "definite"),
    ("äldre", "äldres", "genitive"),
    ("ungdom", "ungdomar", "plural"),
    ("skola", "skolan", "definite"),
    ("kommun", "kommunerna", "definite plural"),
    ("område", "områden", "plural"),
    ("patient", "patienterna", "definite plural"),
    ("rehabilitering", "rehabiliteringen", "definite"),
    ("mottagning", "mottagningen", "definite"),
    ("hälsocentral", "hälsocentralen", "definite"),
    ("invandrare", "invandrarna", "definite plural"),
    ("förening", "föreningar", "plural"),
    ("arbetslös", "arbetslösa", "plural adjective"),
    ("grupp", "grupperna", "definite plural"),
    ("anhörig", "anhöriga", "plural"),
];

/// Homographs the lexicon resolves to the other reading: the lexicon gives one base form per
/// word form. Kept as a record of known gaps (run with `--ignored`).
const FI_KNOWN_GAPS: &[(&str, &str, &str)] = &[
    ("katu", "kadun", "kadun is also a form of katua (to regret)"),
    ("matto", "maton", "maton is also an adjective (wormless)"),
    ("apu", "avun", "the lexicon lacks avun"),
    (
        "vanhempi",
        "vanhempien",
        "vanhempi is also the comparative of vanha",
    ),
    ("tuki", "tukea", "tukea is also the verb to support"),
];

const SV_APART: &[(&str, &str, &str)] = &[
    ("vård", "vårdare", "care vs carer"),
    ("barn", "barndom", "child vs childhood"),
    (
        "stöd",
        "stödperson",
        "support vs support person: a compound keeps its own term",
    ),
    ("hem", "hemma", "home vs at home"),
    ("social", "socialarbetare", "social vs social worker"),
    ("äldre", "äldreomsorg", "elderly vs elderly care"),
];

const SV_PARTS: &[(&str, &str, &str)] = &[
    ("äldreomsorgen", "omsorg", "compound head, definite"),
    ("äldreomsorgen", "äldre", "compound modifier"),
    ("sjukvårdens", "sjukvård", "the compound in base form"),
    ("sjukvårdens", "vård", "compound head"),
    ("familjecentralen", "familj", "linking -e- form"),
    ("närståendevårdare", "vårdare", "compound head"),
    ("hälsovården", "vård", "compound head"),
    ("hemvården", "hem", "compound modifier"),
    ("missbruksvården", "missbruk", "linking -s-"),
    ("ungdomsmottagning", "mottagning", "linking -s-"),
];

const SV_TEXTS: &[(&str, &str, &str)] = &[
    (
        "social- och hälsovården",
        "socialvård",
        "hyphen coordination",
    ),
    (
        "mentalvårds- och missbrukartjänster",
        "mentalvårdstjänst",
        "hyphen coordination with linking -s",
    ),
];

fn check(failures: &mut Vec<String>, ok: bool, what: String) {
    if !ok {
        failures.push(what);
    }
}

fn run_same(lang: Language, table: &[(&str, &str, &str)], failures: &mut Vec<String>) {
    for (a, b, why) in table {
        let (ta, tb) = (main_term(lang, a), main_term(lang, b));
        check(
            failures,
            ta == tb,
            format!("{a} ({ta}) and {b} ({tb}) should conflate: {why}"),
        );
    }
}

fn run_apart(lang: Language, table: &[(&str, &str, &str)], failures: &mut Vec<String>) {
    for (a, b, why) in table {
        let (ta, tb) = (main_term(lang, a), main_term(lang, b));
        check(
            failures,
            ta != tb,
            format!("{a} and {b} should stay apart ({ta}): {why}"),
        );
    }
}

fn run_parts(lang: Language, table: &[(&str, &str, &str)], failures: &mut Vec<String>) {
    for (word, part, why) in table {
        let terms = all_terms(lang, word);
        check(
            failures,
            terms.iter().any(|t| t == part),
            format!("{word} should yield {part}, got {terms:?}: {why}"),
        );
    }
}

#[test]
fn finnish_forms_conflate_and_different_words_stay_apart() {
    let mut failures = Vec::new();
    run_same(Language::Fi, FI_SAME, &mut failures);
    run_apart(Language::Fi, FI_APART, &mut failures);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn finnish_compounds_coordination_and_tokens() {
    let mut failures = Vec::new();
    run_parts(Language::Fi, FI_PARTS, &mut failures);
    run_parts(Language::Fi, FI_TEXTS, &mut failures);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn swedish_forms_compounds_and_coordination() {
    let mut failures = Vec::new();
    run_same(Language::Sv, SV_SAME, &mut failures);
    run_apart(Language::Sv, SV_APART, &mut failures);
    run_parts(Language::Sv, SV_PARTS, &mut failures);
    run_parts(Language::Sv, SV_TEXTS, &mut failures);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
#[ignore = "known gaps: homographs the lexicon resolves to the other reading"]
fn known_gaps() {
    let mut failures = Vec::new();
    run_same(Language::Fi, FI_KNOWN_GAPS, &mut failures);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_tables_are_as_large_as_promised() {
    let fi = FI_SAME.len() + FI_APART.len() + FI_PARTS.len() + FI_TEXTS.len();
    let sv = SV_SAME.len() + SV_APART.len() + SV_PARTS.len() + SV_TEXTS.len();
    assert!(fi >= 150 && sv >= 50, "{fi} Finnish and {sv} Swedish cases");
}

#[test]
fn folding_matches_text_typed_without_nordic_letters() {
    for (plain, written) in [
        ("ikaantyneiden", "ikääntyneiden"),
        ("tyossa", "töissä"),
        ("aldreomsorgen", "äldreomsorgen"),
    ] {
        let lang = if plain.starts_with("ald") {
            Language::Sv
        } else {
            Language::Fi
        };
        let analyzer = Analyzer::full(lang);
        assert_eq!(
            analyzer.word(plain, true).main,
            analyzer.word(written, true).main,
            "{plain}"
        );
        assert_eq!(
            analyzer.word(written, true).main,
            fold(&analyzer.word(written, false).main)
        );
    }
}

#[test]
fn words_are_lowercased_as_str_to_lowercase_does() {
    let words = [
        "Sosiaali",
        "ÄITIYS",
        "Östra",
        "ÅBO",
        "Über",
        "ß",
        "Straße",
        "×÷",
        "ΣΟΦΟΣ",
        "İstanbul",
        "ǅemal",
        "KÄÄNTÄJÄ-ÅLAND",
        "",
    ];
    let mut lower = String::from("left over");
    for word in words {
        pipeline::lowercase_into(word, &mut lower);
        assert_eq!(lower, word.to_lowercase(), "{word}");
    }
}

#[test]
fn highlighting_lowercases_a_word_as_indexing_does() {
    // Greek's final sigma lowercases by context: the word's own lowercase, not its letters'.
    let mut seen = Vec::new();
    Analyzer::full(Language::En).for_each_word(
        "ΣΟΦΟΣ Äiti",
        |_| true,
        |_, _, lower, _| seen.push(lower.to_owned()),
    );
    assert_eq!(seen, ["σοφος", "äiti"]);
}

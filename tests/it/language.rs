//! The searches Snowball fails, over HTTP: each document uses only one inflected or compound
//! form, and the query another form of the same word.

use std::sync::OnceLock;

use serde_json::json;

use crate::support::{TestServer, doc_line, hit_ids};

/// (id, language, text): each text holds the word in exactly one form.
const DOCUMENTS: &[(&str, &str, &str)] = &[
    (
        "iltakotihoito",
        "fi",
        "Iltavuoron kotihoidon käynnit sovitaan asiakkaan kanssa.",
    ),
    (
        "perheiden-tuki",
        "fi",
        "Perhekeskuksen avoin kohtaamispaikka palvelee arkisin.",
    ),
    (
        "lasten-harrastukset",
        "fi",
        "Harrastusryhmät kokoavat lasten ideat yhteen.",
    ),
    (
        "vanhusten-liikunta",
        "fi",
        "Liikuntaryhmä vahvistaa vanhusten tasapainoa.",
    ),
    (
        "tyossa-jaksaminen",
        "fi",
        "Jaksamisen tuki auttaa töissä käyviä omaishoitajia.",
    ),
    (
        "mielen-hyvinvointi",
        "fi",
        "Ryhmä tukee nuorten mielenterveyden vahvistumista.",
    ),
    (
        "matalan-kynnyksen-vastaanotto",
        "fi",
        "Vastaanotto toimii mielenterveyspalveluissa ilman ajanvarausta.",
    ),
    (
        "sote-yhteistyo",
        "fi",
        "Malli yhdistää sosiaali- ja terveyspalvelut samaan paikkaan.",
    ),
    (
        "hoitoketju",
        "fi",
        "Hoitoketju kattaa perus- ja erikoissairaanhoidon yhteistyön.",
    ),
    (
        "lastensuojelun-palvelut",
        "fi",
        "Lastensuojelun palvelut tukevat perheitä kotona.",
    ),
    (
        "lastensuojelu-ja-muut-palvelut",
        "fi",
        "Lastensuojelun työntekijä ohjaa perheen muihin palveluihin.",
    ),
    (
        "mielen-terveys-erikseen",
        "fi",
        "Liikuntaryhmä vahvistaa mielen terveyttä koko kevään.",
    ),
    (
        "mielen-ja-terveyden-ryhma",
        "fi",
        "Liikuntaryhmä kertoo mielen ja terveyden yhteydestä.",
    ),
    (
        "aldreomsorg-hemma",
        "sv",
        "Modellen stärker äldreomsorgen i hemmen.",
    ),
    (
        "socialvard-samarbete",
        "sv",
        "Samarbetet inom social- och hälsovården förbättras.",
    ),
];

fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let server = TestServer::start(None);
        let lines: Vec<String> = DOCUMENTS
            .iter()
            .map(|(id, lang, text)| {
                doc_line(
                    "practice",
                    id,
                    lang,
                    "Toimintamalli",
                    text,
                    json!({"title": *id}),
                )
            })
            .collect();
        assert_eq!(server.ingest(&lines.join("\n")).status(), 200);
        server
    })
}

fn finds(query: &str, id: &str) {
    assert!(found(query, id), "`{query}` should find {id}");
}

fn misses(query: &str, id: &str) {
    assert!(!found(query, id), "`{query}` should not find {id}");
}

fn found(query: &str, id: &str) -> bool {
    let r = server().search(&[("q", query), ("prefix", "false")]);
    let ids = hit_ids(&r);
    eprintln!("`{query}` found {ids:?}");
    ids.contains(&id.to_owned())
}

#[test]
fn base_forms_find_inflected_forms_across_consonant_gradation_and_stem_alternation() {
    finds("kotihoito", "iltakotihoito"); // kotihoito / kotihoidon
    finds("perhekeskus", "perheiden-tuki"); // perhekeskus / perhekeskuksen
    finds("lapsi", "lasten-harrastukset"); // lapsi / lasten
    finds("lapset", "lasten-harrastukset");
    finds("vanhus", "vanhusten-liikunta"); // vanhus / vanhusten
    finds("työ", "tyossa-jaksaminen"); // työ / töissä
    finds("mielenterveys", "mielen-hyvinvointi"); // mielenterveys / mielenterveyden
}

#[test]
fn compound_parts_and_coordinated_compounds_are_found() {
    finds("mielenterveys", "matalan-kynnyksen-vastaanotto"); // inside mielenterveyspalveluissa
    finds("palvelut", "matalan-kynnyksen-vastaanotto");
    finds("mielenterveyspalvelu", "matalan-kynnyksen-vastaanotto");
    finds("sosiaalipalvelut", "sote-yhteistyo"); // sosiaali- ja terveyspalvelut
    finds("terveyspalvelut", "sote-yhteistyo");
    finds("perussairaanhoito", "hoitoketju"); // perus- ja erikoissairaanhoidon
    finds("erikoissairaanhoito", "hoitoketju");
    finds("äldreomsorg", "aldreomsorg-hemma");
    finds("omsorg", "aldreomsorg-hemma");
    finds("socialvård", "socialvard-samarbete"); // social- och hälsovården
}

#[test]
fn a_compound_typed_whole_finds_its_parts_written_side_by_side_only() {
    // One the lexicon knows (found through the pairs the index holds), and one it does not
    // (found as a phrase of its parts).
    finds("mielenterveys", "mielen-terveys-erikseen");
    finds("lastensuojelupalvelut", "lastensuojelun-palvelut");
    // Both parts in the text, but apart: no evidence of the compound.
    misses("mielenterveys", "mielen-ja-terveyden-ryhma");
    misses("lastensuojelupalvelut", "lastensuojelu-ja-muut-palvelut");
}

#[test]
fn text_typed_without_nordic_letters_still_matches_ranked_below_exact() {
    finds("tyossa", "tyossa-jaksaminen");
    finds("aldreomsorgen", "aldreomsorg-hemma");
    finds("vanhusten", "vanhusten-liikunta");
    // The form has ä where the base form has none (terveyttä, terveys): the folded base
    // form is the document's own word, found as a word, above what a typo of it finds.
    let score = |q: &str| {
        let r = server().search(&[("q", q), ("prefix", "false")]);
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == "mielen-terveys-erikseen")
            .and_then(|h| h["score"].as_f64())
            .unwrap_or_else(|| panic!("{q}: {r}"))
    };
    let (folded, typo) = (score("terveytta"), score("terveyts"));
    assert!(folded > typo, "terveytta {folded}, terveyts {typo}");
}

#[test]
fn synonyms_cross_languages_and_abbreviations() {
    // A Swedish word finds the Finnish document and the other way round.
    finds("hemvård", "iltakotihoito");
    finds("vanhuspalvelut", "aldreomsorg-hemma");
    finds("sote", "sote-yhteistyo");
}

#[test]
fn different_words_stay_apart() {
    let r = server().search(&[("q", "kunta"), ("prefix", "false")]);
    assert_eq!(r["total"], 0, "{:?}", hit_ids(&r));
}

#[test]
fn the_analyze_endpoint_shows_terms_and_their_origin() {
    let r = server().get_json(
        "/v1/analyze",
        &[("text", "mielenterveyspalveluissa"), ("lang", "fi")],
    );
    let tokens = r["tokens"].as_array().unwrap();
    let has = |term: &str, origin: &str| {
        tokens
            .iter()
            .any(|t| t["term"] == term && t["origin"] == origin)
    };
    assert!(has("mielenterveyspalvelu", "lemma"), "{r}");
    assert!(has("palvelu", "compound_part"), "{r}");
    assert!(has("mielenterveys", "compound_part"), "{r}");
    let ready = server().get_json("/readyz", &[]);
    assert!(
        ready["analyzer"].as_str().unwrap().contains("lexicon"),
        "{ready}"
    );
}

#[test]
fn a_field_in_another_language_gets_that_languages_analysis() {
    // A Finnish practice whose summary is in Swedish: the Swedish base form finds the
    // inflected Swedish word there, which Finnish analysis would not.
    let server = TestServer::start(None);
    let line = doc_line(
        "practice",
        "kaksikielinen-kotihoito",
        "fi",
        "Kaksikielinen kotihoito Vaasassa",
        "Hemvården i Vasa erbjuder äldreomsorgens tjänster på båda språken, och de anhöriga får stöd av en kontaktperson.",
        json!({
            "how_it_works": "Kotihoidon työntekijät käyvät asiakkaiden luona päivittäin ja sopivat käynneistä yhdessä omaisten kanssa."
        }),
    );
    assert_eq!(server.ingest(&format!("{line}\n")).status(), 200);
    for (query, word) in [("äldreomsorg", "äldreomsorgens"), ("anhörig", "anhöriga")] {
        let r = server.search(&[("q", query), ("prefix", "false")]);
        assert_eq!(hit_ids(&r), ["kaksikielinen-kotihoito"], "{query}");
        let snippet = &r["hits"][0]["snippet"];
        assert!(
            snippet["html"]
                .as_str()
                .unwrap()
                .contains(&format!("<mark>{word}</mark>")),
            "{query}: {snippet}"
        );
    }
    // And the Finnish body still gets Finnish analysis.
    let r = server.search(&[("q", "omainen"), ("prefix", "false")]);
    assert_eq!(hit_ids(&r), ["kaksikielinen-kotihoito"]);
}

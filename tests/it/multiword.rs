//! Queries of several words, the way people type them: derived words, a word no document
//! has, English titles typed whole, function words. None of them may dead-end.

use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::support::{TestServer, doc_line, facet, hit_ids, sample};

fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let server = TestServer::start(None);
        let docs = [
            ("vahentaminen", "fi", "Päihteiden käytön vähentäminen nuorilla", "Malli tukee nuoria päihteiden käytön vähentämisessä."),
            ("vahentaa", "fi", "Kohtaamispaikka nuorille", "Toiminta vähentää nuorten päihteiden käyttöä ja lisää turvallisuutta."),
            ("kaytto", "fi", "Digitaalisten palvelujen käyttö", "Asiakkaat oppivat palvelujen käytön omassa kodissaan."),
            ("osallistujat", "fi", "Asukasraati", "Osallistujat suunnittelevat toimintaa yhdessä."),
            ("osallistuminen", "fi", "Asukkaiden osallistuminen päätöksiin", "Malli lisää asukkaiden osallistumista."),
            ("ohjaaja", "fi", "Nuorten tukihenkilö", "Ohjaaja tapaa nuoren viikoittain."),
            ("ohjaus", "fi", "Nuorten ohjaus", "Ohjaus järjestetään nuoren kotona."),
            ("hospital-at-home", "en", "Hospital at Home Care Pathway", "Acutely ill older patients are treated at home by a hospital team instead of a ward."),
            ("video-visits", "en", "Home care visits by video", "Home care nurses visit older clients by video."),
            ("kotisairaala", "fi", "Kotisairaalan hoitopolku", "Kotisairaala hoitaa potilaat kotona."),
            ("stod-for", "sv", "Stöd för närståendevårdare i Vasa", "Kamratgrupper och stöd för närståendevårdare."),
            ("stod-utan", "sv", "Närståendevårdare i skärgården", "Närståendevårdare får stöd av en koordinator."),
        ];
        let lines: Vec<String> = docs
            .iter()
            .map(|(id, lang, title, text)| doc_line("practice", id, lang, title, text, json!({})))
            .collect();
        assert_eq!(server.ingest(&lines.join("\n")).status(), 200);
        server
    })
}

fn search(q: &str, extra: &[(&str, &str)]) -> Value {
    let mut query = vec![("q", q), ("prefix", "false")];
    query.extend_from_slice(extra);
    server().search(&query)
}

#[test]
fn a_derived_word_finds_other_derivations_below_the_word_itself() {
    // The text says vähentää where the query says vähentäminen: found, right after the
    // document with the query's own word, with every word required too.
    for matching in ["all", "most"] {
        let r = search("päihteiden käytön vähentäminen", &[("match", matching)]);
        assert_eq!(
            hit_ids(&r)[..2],
            ["vahentaminen", "vahentaa"],
            "{matching}: {r}"
        );
        for hit in &r["hits"].as_array().unwrap()[..2] {
            assert!(hit.get("missing").is_none(), "{hit}");
        }
    }
    // Every word required, nothing is left out.
    let all = search("päihteiden käytön vähentäminen", &[("match", "all")]);
    assert_eq!(all["relaxed"], json!([]));
    let ids = hit_ids(&search("osallistuminen", &[]));
    assert_eq!(ids[0], "osallistuminen");
    assert!(ids.contains(&"osallistujat".to_owned()), "{ids:?}");
    let ids = hit_ids(&search("ohjaus", &[]));
    assert_eq!(ids[0], "ohjaus");
    assert!(ids.contains(&"ohjaaja".to_owned()), "{ids:?}");
}

#[test]
fn a_word_no_document_has_does_not_empty_the_page() {
    let q = "päihteiden käytön vähentäminen lumilautailu";
    assert_eq!(search(q, &[("match", "all")])["total"], 0);
    let r = search(q, &[]);
    // The best documents still come first, and the page says which word was left out.
    assert_eq!(hit_ids(&r)[..2], ["vahentaminen", "vahentaa"], "{r}");
    assert_eq!(r["hits"][0]["missing"], json!(["lumilautailu"]));
    assert_eq!(r["hits"][1]["missing"], json!(["lumilautailu"]));
    let relaxed = r["relaxed"].as_array().unwrap();
    assert!(relaxed.contains(&json!("lumilautailu")), "{relaxed:?}");
    // Documents with fewer of the words follow, ranked below, and the facets count what is
    // shown.
    let ids = hit_ids(&r);
    assert!(ids.contains(&"kaytto".to_owned()), "{ids:?}");
    let kinds: u64 = facet(&r, "kind").iter().map(|(_, n)| n).sum();
    assert_eq!(kinds, r["total"].as_u64().unwrap());
    // Matching any word ranks by how many words a document has, too.
    let any = search(q, &[("match", "any")]);
    assert_eq!(hit_ids(&any)[..2], ["vahentaminen", "vahentaa"]);
}

#[test]
fn an_english_title_typed_whole_ranks_first() {
    for q in [
        "hospital at home care pathway",
        "Hospital at Home",
        "home care pathway",
    ] {
        let r = search(q, &[]);
        assert_eq!(hit_ids(&r)[0], "hospital-at-home", "{q}: {r}");
        assert!(r["hits"][0].get("missing").is_none(), "{q}: {r}");
    }
    // In the sample catalogue too, above every document about hospital at home in other
    // languages.
    let r = sample().search(&[("q", "hospital at home care pathway")]);
    assert_eq!(hit_ids(&r)[0], "hospital-at-home-care-pathway", "{r}");
}

#[test]
fn function_words_do_not_decide_whether_a_document_matches() {
    for (with, without) in [
        ("stöd för närståendevårdare", "stöd närståendevårdare"),
        ("care at home", "care home"),
        ("nuorten ohjaus ja tuki", "nuorten ohjaus tuki"),
    ] {
        let (a, b) = (
            search(with, &[("match", "all")]),
            search(without, &[("match", "all")]),
        );
        assert_eq!(hit_ids(&a), hit_ids(&b), "{with} / {without}");
    }
    let ids = hit_ids(&search("stöd för närståendevårdare", &[("match", "all")]));
    assert!(ids.contains(&"stod-utan".to_owned()), "{ids:?}");
}

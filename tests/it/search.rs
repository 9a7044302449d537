//! Search behaviour over HTTP.

use std::sync::OnceLock;

use serde_json::json;

use crate::support::{TestServer, doc_line, facet, hit_ids, hit_scores, sample};

/// A small hand-written corpus where each test knows exactly which document must match.
fn fixture() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let server = TestServer::start(None);
        let lines = [
            doc_line(
                "practice",
                "kotihoidon-iltakaynnit",
                "fi",
                "Iltakäynnit kotihoidossa",
                "Malli tukee ikääntyneiden asumista kotona iltaisin.",
                json!({}),
            ),
            doc_line(
                "practice",
                "nuorten-matalan-kynnyksen-tuki",
                "fi",
                "Nuorten matalan kynnyksen tuki",
                "Nuoret saavat keskusteluapua koulupäivän jälkeen.",
                json!({"regions": ["lappi"]}),
            ),
            doc_line(
                "practice",
                "familjecentralens-oppna-mottagning",
                "sv",
                "Familjecentralens öppna mottagning",
                "Familjecentralen erbjuder barnfamiljer stöd utan tidsbokning.",
                json!({"regions": ["pohjanmaa"]}),
            ),
            doc_line(
                "network",
                "aldreomsorgens-natverk",
                "sv",
                "Nätverk för äldreomsorg",
                "Utvecklare av äldreomsorgen träffas varje månad.",
                json!({}),
            ),
            // An English practice full of the English synonym of kotihoito.
            doc_line(
                "practice",
                "evening-home-care",
                "en",
                "Evening visits",
                "Home care in the evening: home care nurses visit, and home care plans are agreed with home care clients.",
                json!({}),
            ),
            // The same words in another order: only their proximity tells these apart.
            doc_line(
                "practice",
                "talkoopiiri",
                "fi",
                "Talkoopiiri",
                "Vapaaehtoiset lumityöt, kauppakassit, kirjastokäynnit ja saattajat sekä kahvit kyläläisille.",
                json!({}),
            ),
            doc_line(
                "practice",
                "talkoorinki",
                "fi",
                "Talkoorinki",
                "Vapaaehtoiset kauppakassit, kirjastokäynnit ja saattajat sekä lumityöt, kahvit kyläläisille.",
                json!({}),
            ),
        ];
        let response = server.ingest(&lines.join("\n"));
        assert_eq!(response.status(), 200);
        server
    })
}

#[test]
fn an_inflected_finnish_query_finds_another_form_of_the_word() {
    // The document says "ikääntyneiden" (genitive plural); the user types the nominative.
    let r = fixture().search(&[("q", "ikääntyneet")]);
    // First: the Finnish document; the Swedish one on äldreomsorg follows through the
    // synonym äldre, below it.
    assert_eq!(hit_ids(&r)[0], "kotihoidon-iltakaynnit");
    // And the other way round: "nuorten" (genitive) finds "Nuoret".
    let r = fixture().search(&[("q", "nuorten")]);
    assert_eq!(hit_ids(&r), ["nuorten-matalan-kynnyksen-tuki"]);
}

#[test]
fn a_synonym_phrase_counts_no_more_than_the_word_typed() {
    // "home care", a synonym of kotihoito, is found as one term wherever its words stand
    // together: the English practice that repeats it ranks below the Finnish one that has
    // the word typed in its title.
    let r = fixture().search(&[("q", "kotihoito")]);
    assert_eq!(
        hit_ids(&r),
        ["kotihoidon-iltakaynnit", "evening-home-care"],
        "{r}"
    );
}

#[test]
fn a_swedish_query_finds_a_swedish_document_in_another_form() {
    // "familjecentraler" (indefinite plural) finds "Familjecentralen" / "Familjecentralens".
    let r = fixture().search(&[("q", "familjecentraler")]);
    assert_eq!(hit_ids(&r), ["familjecentralens-oppna-mottagning"]);
    let r = fixture().search(&[("q", "äldreomsorg")]);
    assert_eq!(hit_ids(&r), ["aldreomsorgens-natverk"]);
}

#[test]
fn words_standing_together_rank_above_the_same_words_apart() {
    let r = fixture().search(&[("q", "vapaaehtoiset lumityöt")]);
    assert_eq!(hit_ids(&r), ["talkoopiiri", "talkoorinki"]);
    let score = |i: usize| r["hits"][i]["score"].as_f64().unwrap();
    assert!(score(0) > score(1), "{r}");
    // Finnish word order is free: typed the other way round, the words are as close.
    let r = fixture().search(&[("q", "lumityöt vapaaehtoiset")]);
    assert_eq!(hit_ids(&r), ["talkoopiiri", "talkoorinki"]);
    // Without the proximity both score the same: the same words, the same lengths.
    let one = |q: &str, id: &str| {
        let r = fixture().search(&[("q", q)]);
        let hit = r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == id)
            .cloned();
        hit.unwrap()["score"].as_f64().unwrap()
    };
    for word in ["vapaaehtoiset", "lumityöt"] {
        assert_eq!(one(word, "talkoopiiri"), one(word, "talkoorinki"), "{word}");
    }
}

#[test]
fn hits_carry_highlighted_snippets() {
    let r = fixture().search(&[("q", "ikääntyneet")]);
    let hit = &r["hits"][0];
    assert!(
        hit["snippet"]["html"]
            .as_str()
            .unwrap()
            .contains("<mark>ikääntyneiden</mark>"),
        "{hit}"
    );
    assert_eq!(hit["snippet"]["highlights"].as_array().unwrap().len(), 1);
}

#[test]
fn facet_counts_equal_the_number_of_matching_documents_per_value() {
    let server = sample();
    let all = server.search(&[("q", "palvelut"), ("limit", "1")]);
    let total = all["total"].as_u64().unwrap();
    assert!(
        total > 10,
        "the sample corpus should have many matches, got {total}"
    );
    for name in ["kind", "region", "theme", "phase", "language"] {
        let counts = facet(&all, name);
        assert!(!counts.is_empty(), "{name} has values");
        for (value, count) in counts {
            let narrowed = server.search(&[("q", "palvelut"), (name, &value), ("limit", "100")]);
            assert_eq!(narrowed["total"].as_u64().unwrap(), count, "{name}={value}");
        }
    }
    // Kinds partition the matches.
    let kinds: u64 = facet(&all, "kind").iter().map(|(_, n)| n).sum();
    assert_eq!(kinds, total);
}

#[test]
fn a_filter_narrows_exactly() {
    let server = sample();
    let r = server.search(&[
        ("region", "pohjanmaa"),
        ("kind", "practice"),
        ("limit", "100"),
    ]);
    let total = r["total"].as_u64().unwrap() as usize;
    assert!(total > 0);
    let hits = r["hits"].as_array().unwrap();
    assert_eq!(hits.len(), total.min(100));
    for hit in hits {
        assert_eq!(hit["kind"], "practice");
        assert!(
            hit["regions"]
                .as_array()
                .unwrap()
                .contains(&json!("pohjanmaa")),
            "{hit}"
        );
    }
    // Every practice of the region, found by browsing, is in the filtered set.
    let ids = hit_ids(&r);
    let browse = server.search(&[("kind", "practice"), ("limit", "100"), ("offset", "0")]);
    for hit in browse["hits"].as_array().unwrap() {
        let in_region = hit["regions"]
            .as_array()
            .unwrap()
            .contains(&json!("pohjanmaa"));
        assert_eq!(
            ids.contains(&hit["id"].as_str().unwrap().to_owned()),
            in_region,
            "{}",
            hit["id"]
        );
    }
}

#[test]
fn paging_walks_the_results_without_overlap() {
    let server = sample();
    // One word, and two words (whose best hits are re-ranked by proximity).
    for q in ["kehittäminen", "palvelut kehittäminen"] {
        let page = |offset: &str, limit: &str| {
            hit_ids(&server.search(&[("q", q), ("limit", limit), ("offset", offset)]))
        };
        let both = page("0", "10");
        assert_eq!(both.len(), 10, "{q}");
        assert_eq!([page("0", "5"), page("5", "5")].concat(), both, "{q}");
    }
}

/// Regression: the title sort key held the first 12 letters, so titles sharing a longer
/// beginning came in score order ("Sosiaalityön kehittäjäverkosto Kymenlaaksossa" before
/// "Sosiaalityön kehittäjäverkosto"). Written in three requests, so in several segments,
/// whose sort keys the merge must compare.
#[test]
fn sorting_by_title_compares_whole_titles_also_across_segments() {
    let server = TestServer::start(None);
    let prefix = "Sosiaalityön kehittäjäverkosto";
    let batches = [
        vec!["Kymenlaaksossa", "Åbolandissa", "Ylä-Savossa"],
        vec!["", "Äänekoskella"],
        vec!["Östra Nyland", "t", "Kainuussa"],
    ];
    for (b, batch) in batches.iter().enumerate() {
        let lines: Vec<String> = batch
            .iter()
            .enumerate()
            .map(|(n, rest)| {
                let title = match *rest {
                    "" => prefix.to_owned(),
                    "t" => format!("{prefix}t"),
                    rest => format!("{prefix} {rest}"),
                };
                // The shortest titles match best, so score order is not title order.
                let text = "Verkosto kehittää sosiaalityötä. ".repeat(1 + n + b);
                doc_line(
                    "network",
                    &format!("verkosto-{b}-{n}"),
                    "fi",
                    &title,
                    &text,
                    json!({}),
                )
            })
            .collect();
        assert_eq!(server.ingest(&lines.join("\n")).status(), 200);
    }
    let expected: Vec<String> = [
        "",
        " Kainuussa",
        " Kymenlaaksossa",
        " Ylä-Savossa",
        " Åbolandissa",
        " Äänekoskella",
        " Östra Nyland",
        "t",
    ]
    .iter()
    .map(|rest| format!("{prefix}{rest}"))
    .collect();
    let titles = |query: &[(&str, &str)]| -> Vec<String> {
        server.search(query)["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["title"].as_str().unwrap().to_owned())
            .collect()
    };
    for q in ["", "sosiaalityö"] {
        assert_eq!(titles(&[("q", q), ("sort", "title")]), expected, "q={q:?}");
        // Page by page, the same order.
        let paged: Vec<String> = ["0", "3", "6"]
            .iter()
            .flat_map(|offset| {
                titles(&[
                    ("q", q),
                    ("sort", "title"),
                    ("limit", "3"),
                    ("offset", offset),
                ])
            })
            .collect();
        assert_eq!(paged, expected, "paged, q={q:?}");
    }
}

/// `lang` ranks documents in the reader's language above matches about as good in other
/// languages: their scores are multiplied by 1.5, the others' are left alone, and nothing is
/// filtered. A Swedish reader's *hemvård* finds the Swedish document whose title has the
/// word before Finnish ones found through the synonym *kotihoito*.
#[test]
fn a_language_preference_ranks_documents_in_that_language_first() {
    let server = TestServer::start(None);
    let lines = [
        doc_line(
            "practice",
            "kotihoito-a",
            "fi",
            "Kotihoito",
            "Kotihoito tukee asumista kotona.",
            json!({}),
        ),
        doc_line(
            "practice",
            "kotihoito-b",
            "fi",
            "Kotihoidon iltakäynnit",
            "Kotihoito käy iltaisin.",
            json!({}),
        ),
        doc_line(
            "practice",
            "hemvard",
            "sv",
            "Hemvård på distans i Österbotten",
            "Hemvården besöker äldre på distans via video. Besöken planeras tillsammans med klienten och anhöriga.",
            json!({}),
        ),
    ];
    assert_eq!(server.ingest(&lines.join("\n")).status(), 200);
    let scores = |query: &[(&str, &str)]| hit_scores(&server.search(query));
    let language = |id: &str| if id == "hemvard" { "sv" } else { "fi" };
    // With a date filter the query is not one disjunction: the other scoring path.
    for extra in [None, Some(("updated_from", "2000-01-01"))] {
        for q in ["hemvård", "kotihoito"] {
            let with = |lang: Option<&str>| {
                let mut query = vec![("q", q)];
                query.extend(lang.map(|l| ("lang", l)));
                query.extend(extra);
                scores(&query)
            };
            let plain = with(None);
            assert_eq!(plain.len(), 3, "{plain:?}");
            for lang in ["fi", "sv", "en"] {
                let preferred = with(Some(lang));
                for (id, score) in &preferred {
                    let before = plain.iter().find(|(p, _)| p == id).unwrap().1;
                    let factor = if language(id) == lang { 1.5 } else { 1.0 };
                    assert!(
                        (score - before * factor).abs() < 1e-3 * before,
                        "{q} lang={lang}: {id} {before} -> {score}"
                    );
                }
                assert!(
                    preferred.windows(2).all(|w| w[0].1 >= w[1].1),
                    "ranked by the boosted scores: {preferred:?}"
                );
            }
        }
    }
    let first =
        |q: &str, lang: &str| hit_ids(&server.search(&[("q", q), ("lang", lang)]))[0].clone();
    assert_eq!(
        first("kotihoito", "sv"),
        "hemvard",
        "a Swedish reader's own document first"
    );
    assert_ne!(first("kotihoito", "fi"), "hemvard");
    // Sorted otherwise, the preference changes nothing.
    let newest = |lang: &str| {
        hit_ids(&server.search(&[("q", "hemvård"), ("sort", "newest"), ("lang", lang)]))
    };
    assert_eq!(newest("sv"), newest("fi"));
    let bad = server.get("/v1/search?q=hemv%C3%A5rd&lang=de");
    assert_eq!(bad.status(), 400);
    let problem: serde_json::Value = bad.json().unwrap();
    assert_eq!(problem["param"], "lang");
}

//! The search box over HTTP: typo tolerance, search as you type, facets, sorting, the query
//! language, did-you-mean, and robustness against any query text.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::{TestServer, doc_line, facet, hit_ids};

fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let server = TestServer::start(None);
        let docs = [
            ("mt-vastaanotto", "Matalan kynnyksen vastaanotto", "Nuoret pääsevät mielenterveyspalvelut piiriin nopeasti.", json!({"regions": ["pirkanmaa"], "themes": ["mental_health_substance"], "updated_at": "2024-05-01"})),
            ("lastensuojelun-perhetyo", "Lastensuojelun perhetyö", "Perhetyö tukee lastensuojelun asiakasperheitä kotona.", json!({"regions": ["lappi"], "themes": ["child_welfare"], "updated_at": "2024-03-01"})),
            ("alku-tuki", "Alkutuki maahanmuuttajille", "Ohjaus ja neuvonta kotoutumisen alussa.", json!({"regions": ["pirkanmaa", "lappi"], "themes": ["social_work"], "updated_at": "2024-06-01"})),
            ("ohjaus-pirkanmaa", "Ääni kuuluviin", "Asiakasraati kertoo kokemuksistaan ja ohjaa kehittämistä.", json!({"regions": ["pirkanmaa"], "themes": ["co_development"], "updated_at": "2023-01-01"})),
            ("oljy-ja-vesi", "Öljyä arkeen", "Vertaistuki ja ohjaus omaishoitajille.", json!({"regions": ["kainuu"], "themes": ["carers_support"], "updated_at": "2024-02-01"})),
            ("aland-malli", "Åland-malli kotihoitoon", "Kotihoidon ohjaus etäyhteydellä.", json!({"regions": ["kainuu"], "themes": ["older_people_home_care"], "updated_at": "2024-01-15"})),
            ("zeta-ryhma", "Zeta-ryhmä", "Ohjaus ryhmässä nuorille aikuisille.", json!({"regions": ["lappi"], "themes": ["social_work"], "updated_at": "2022-01-01"})),
        ];
        let lines: Vec<String> = docs
            .iter()
            .map(|(id, title, text, extra)| {
                let mut extra = extra.clone();
                extra["title"] = (*title).into();
                extra["created_at"] = "2021-01-01".into();
                doc_line("practice", id, "fi", title, text, extra)
            })
            .collect();
        assert_eq!(server.ingest(&lines.join("\n")).status(), 200);
        server
    })
}

fn ids(query: &[(&str, &str)]) -> Vec<String> {
    hit_ids(&server().search(query))
}

#[test]
fn a_long_word_with_one_letter_wrong_still_finds_its_document() {
    for typo in [
        "mielenterveyspalvlut",
        "mielenterveyspalvelyt",
        "mielentervyespalvelut",
    ] {
        assert_eq!(
            ids(&[("q", typo), ("prefix", "false")]),
            ["mt-vastaanotto"],
            "{typo}"
        );
    }
    // The snippet marks the word the document has, not the one typed.
    let r = server().search(&[("q", "mielenterveyspalvlut"), ("prefix", "false")]);
    assert!(
        r["hits"][0]["snippet"]["html"]
            .as_str()
            .unwrap()
            .contains("<mark>mielenterveyspalvelut</mark>"),
        "{r}"
    );
    // Short words get no typo tolerance: `tuki` is not `tuli`.
    assert!(ids(&[("q", "tuli"), ("prefix", "false")]).is_empty());
}

#[test]
fn the_word_being_typed_matches_as_a_prefix_from_the_third_letter() {
    assert_eq!(ids(&[("q", "lastensuoj")]), ["lastensuojelun-perhetyo"]);
    // A trailing space means the word is complete.
    assert!(ids(&[("q", "lastensuoj ")]).is_empty());
    let r = server().search(&[("q", "lastensuoj")]);
    assert!(
        r["hits"][0]["title_html"]
            .as_str()
            .unwrap()
            .contains("<mark>"),
        "{r}"
    );
}

#[test]
fn facet_counts_are_disjunctive() {
    let all = server().search(&[("q", "ohjaus"), ("limit", "100")]);
    let selected = server().search(&[("q", "ohjaus"), ("region", "pirkanmaa"), ("limit", "100")]);
    // The region facet keeps the counts it had before the region was selected...
    assert_eq!(facet(&selected, "region"), facet(&all, "region"));
    // ...while other facets count only the documents in the selected region, which the test
    // computes independently from the unfiltered hits.
    let mut themes: BTreeMap<String, u64> = BTreeMap::new();
    for hit in all["hits"].as_array().unwrap() {
        if hit["regions"]
            .as_array()
            .unwrap()
            .contains(&json!("pirkanmaa"))
        {
            for t in hit["themes"].as_array().unwrap() {
                *themes.entry(t.as_str().unwrap().to_owned()).or_default() += 1;
            }
        }
    }
    let counted: BTreeMap<String, u64> = facet(&selected, "theme").into_iter().collect();
    assert_eq!(counted, themes);
}

#[test]
fn a_facet_returns_its_most_frequent_values_and_every_selected_one() {
    let all = facet(&server().search(&[("q", "ohjaus")]), "region");
    assert!(all.len() >= 3, "{all:?}");
    let top = facet(
        &server().search(&[("q", "ohjaus"), ("facet_limit", "1")]),
        "region",
    );
    assert_eq!(top, all[..1]);
    // The rarest value, once selected, stays beside the most frequent one: the user must
    // see it to unselect it.
    let rarest = all.last().unwrap().clone();
    let selected = server().search(&[("q", "ohjaus"), ("facet_limit", "1"), ("region", &rarest.0)]);
    assert_eq!(facet(&selected, "region"), [all[0].clone(), rarest]);
    let none = server().search(&[("q", "ohjaus"), ("facet_limit", "0")]);
    assert_eq!(none["facets"], json!([]));
    assert_eq!(none["total"], server().search(&[("q", "ohjaus")])["total"]);
    let body: Value = server().get("/v1/search?facet_limit=1001").json().unwrap();
    assert_eq!(body["param"], "facet_limit");
}

#[test]
fn values_of_one_facet_combine_with_or_and_facets_with_and() {
    let browse = |q: &[(&str, &str)]| -> Vec<Value> {
        let mut q = q.to_vec();
        q.push(("limit", "100"));
        server().search(&q)["hits"].as_array().unwrap().clone()
    };
    let all = browse(&[]);
    let has =
        |hit: &Value, key: &str, value: &str| hit[key].as_array().unwrap().contains(&json!(value));
    let either: Vec<&Value> = all
        .iter()
        .filter(|h| has(h, "regions", "kainuu") || has(h, "regions", "lappi"))
        .collect();
    assert_eq!(
        browse(&[("region", "kainuu"), ("region", "lappi")]).len(),
        either.len()
    );
    assert_eq!(browse(&[("region", "kainuu,lappi")]).len(), either.len());
    let both: Vec<&&Value> = either
        .iter()
        .filter(|h| has(h, "themes", "social_work"))
        .collect();
    assert_eq!(
        browse(&[
            ("region", "kainuu"),
            ("region", "lappi"),
            ("theme", "social_work")
        ])
        .len(),
        both.len()
    );
    assert!(!both.is_empty() && both.len() < either.len());
}

#[test]
fn sorting_by_title_puts_å_ä_ö_after_z_and_newest_first_by_date() {
    let r = server().search(&[("sort", "title"), ("limit", "100")]);
    let titles: Vec<&str> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Alkutuki maahanmuuttajille",
            "Lastensuojelun perhetyö",
            "Matalan kynnyksen vastaanotto",
            "Zeta-ryhmä",
            "Åland-malli kotihoitoon",
            "Ääni kuuluviin",
            "Öljyä arkeen"
        ]
    );
    let r = server().search(&[("sort", "newest"), ("limit", "100")]);
    let dates: Vec<&str> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["updated_at"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
}

#[test]
fn exclusion_phrase_and_or() {
    let ohjaus = ids(&[("q", "ohjaus"), ("limit", "100"), ("prefix", "false")]);
    assert!(ohjaus.len() >= 4, "{ohjaus:?}");
    let without = ids(&[("q", "ohjaus -omaishoitaja"), ("limit", "100")]);
    assert_eq!(without.len(), ohjaus.len() - 1);
    assert!(!without.contains(&"oljy-ja-vesi".to_owned()));
    // A phrase needs its words together and in order.
    assert_eq!(ids(&[("q", "\"kotoutumisen alussa\"")]), ["alku-tuki"]);
    assert!(ids(&[("q", "\"alussa kotoutumisen\"")]).is_empty());
    // OR widens, requiring every word narrows.
    let mut either = ids(&[("q", "perhetyö OR omaishoitaja"), ("prefix", "false")]);
    either.sort();
    assert_eq!(either, ["lastensuojelun-perhetyo", "oljy-ja-vesi"]);
    let all = [("q", "perhetyö omaishoitaja"), ("prefix", "false")];
    assert!(ids(&[all[0], all[1], ("match", "all")]).is_empty());
    // By default no document having both words relaxes the query: each hit lacks one, and
    // says which.
    let relaxed = server().search(&all);
    assert_eq!(relaxed["relaxed"], json!(["perhetyö", "omaishoitaja"]));
    for hit in relaxed["hits"].as_array().unwrap() {
        assert_eq!(hit["missing"].as_array().map(Vec::len), Some(1), "{hit}");
    }
}

#[test]
fn a_query_that_finds_nothing_gets_a_correction() {
    // Two edits in a medium word: more than typo tolerance forgives, not more than
    // did-you-mean finds.
    let r = server().search(&[("q", "prhetöy"), ("prefix", "false")]);
    assert_eq!(r["total"], 0);
    let corrected = r["did_you_mean"].as_str().expect("a correction");
    let again = server().search(&[("q", corrected)]);
    assert!(again["total"].as_u64().unwrap() > 0, "{corrected}");
    // A first letter of two bytes in UTF-8 (corrections keep the first letter).
    let r = server().search(&[("q", "öljyx"), ("prefix", "false")]);
    assert_eq!(r["did_you_mean"], "öljy", "{r}");
}

#[test]
fn suggestions_complete_titles_and_terms() {
    let r = server().get_json("/v1/suggest", &[("q", "lastensu")]);
    assert_eq!(r["documents"][0]["id"], "lastensuojelun-perhetyo", "{r}");
    assert!(
        r["terms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["term"] == "lastensuojelu"),
        "{r}"
    );
}

#[test]
fn paging_has_a_maximum_and_equal_scores_keep_a_stable_order() {
    let body: Value = server().get("/v1/search?limit=101").json().unwrap();
    assert_eq!(body["param"], "limit");
    let first = ids(&[("q", "ohjaus"), ("limit", "100")]);
    for _ in 0..3 {
        assert_eq!(ids(&[("q", "ohjaus"), ("limit", "100")]), first);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_query_text_produces_a_server_error(q in any::<String>(), sort in prop::sample::select(vec!["relevance", "newest", "title"])) {
        let response = server().client().get(format!("{}/v1/search", server().base)).query(&[("q", q.as_str()), ("sort", sort)]).send().unwrap();
        let status = response.status().as_u16();
        prop_assert!(status == 200 || status == 400, "{} for {:?}", status, q);
        let response = server().client().get(format!("{}/v1/suggest", server().base)).query(&[("q", q.as_str())]).send().unwrap();
        let status = response.status().as_u16();
        prop_assert!(status == 200 || status == 400, "{} for suggest {:?}", status, q);
    }
}

#[test]
fn date_ranges_limit_results_inclusively() {
    let dates = |q: &[(&str, &str)]| -> Vec<String> {
        let mut q = q.to_vec();
        q.push(("limit", "100"));
        let r = server().search(&q);
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["updated_at"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = dates(&[]);
    let in_2024 = dates(&[("updated_from", "2024-01-01"), ("updated_to", "2024-05-01")]);
    let expected: Vec<&String> = all
        .iter()
        .filter(|d| d.as_str() >= "2024-01-01" && d.as_str() <= "2024-05-01")
        .collect();
    assert_eq!(in_2024.len(), expected.len(), "{in_2024:?}");
    assert!(
        in_2024
            .iter()
            .all(|d| d.as_str() >= "2024-01-01" && d.as_str() <= "2024-05-01")
    );
    assert!(!in_2024.is_empty() && in_2024.len() < all.len());
    let body: Value = server()
        .get("/v1/search?updated_from=1.1.2024")
        .json()
        .unwrap();
    assert_eq!(body["param"], "updated_from");
}

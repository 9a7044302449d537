//! The search page in a real browser, driven as a person would: on a phone (390 × 844, and
//! 320 pixels wide for overflow) and on a laptop (1280 × 900). It searches, filters, pages,
//! sorts, opens a document and comes back, switches language, types and picks a suggestion,
//! and meets the error, empty, not-found and offline states; it checks what a person sees and
//! runs axe-core on each kind of view in Finnish and Swedish. Screenshots go to
//! `target/tmp/screenshots/`.
//!
//! Nothing here names a document of the sample catalogue: what a check needs (a query with
//! several pages of hits, a document with links and language versions) is found through the
//! API, so the checks hold for whatever catalogue is loaded.

use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::Value;

use crate::browser::{
    Driver, axe_source, axe_violations, browser, network, screenshot, viewport, wait_for,
};
use crate::support::{TestServer, sample};

/// Words of the domain, one of which finds more than two pages in any sote catalogue.
const BROAD_WORDS: [&str; 5] = [
    "palvelu",
    "mielenterveys",
    "asiakas",
    "tuki",
    "kehittäminen",
];
/// A word no catalogue has.
const NONSENSE: &str = "xqzvbnmwk";

/// What the checks need from the catalogue, found through the API.
struct Catalogue {
    /// A word with more than two pages of hits.
    broad: String,
    /// A document linked to other documents, preferably with a language version too.
    linked: Value,
    /// The titles of its linked documents, by id.
    linked_titles: Vec<(String, String)>,
}

fn catalogue(server: &TestServer) -> Catalogue {
    let broad = BROAD_WORDS
        .iter()
        .find(|w| server.search(&[("q", w), ("limit", "1")])["total"].as_u64() > Some(20))
        .expect("a broad word with more than two pages of hits")
        .to_string();
    let mut best: Option<(usize, Value)> = None;
    for kind in ["practice", "project", "network"] {
        let hits = server.search(&[("kind", kind), ("limit", "100"), ("facet_limit", "0")]);
        for hit in hits["hits"].as_array().unwrap() {
            let doc = server.get_json(
                &format!("/v1/documents/{}", hit["id"].as_str().unwrap()),
                &[],
            );
            let links = |key: &str| doc[key].as_array().map_or(0, Vec::len);
            let has_links = links("projects") + links("practices") + links("networks") > 0;
            let score = usize::from(has_links) * 2 + usize::from(links("translations") > 0);
            if has_links && best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((score, doc));
            }
        }
        if best.as_ref().is_some_and(|(s, _)| *s == 3) {
            break;
        }
    }
    let linked = best.expect("a document with links").1;
    let mut linked_titles = Vec::new();
    for key in ["projects", "practices", "networks", "translations"] {
        for id in linked[key].as_array().into_iter().flatten() {
            let id = id.as_str().unwrap();
            let response = server.get(&format!("/v1/documents/{id}"));
            if response.status() == 200 {
                let doc: Value = response.json().unwrap();
                linked_titles.push((id.to_owned(), doc["title"].as_str().unwrap().to_owned()));
            }
        }
    }
    assert!(!linked_titles.is_empty(), "the linked documents exist");
    Catalogue {
        broad,
        linked,
        linked_titles,
    }
}

/// The browser on the page, with what the checks do again and again.
struct Person<'a> {
    client: &'a Client,
    base: &'a str,
}

/// True once a view is drawn and nothing is loading.
const SETTLED: &str = r##"
    const busy = document.querySelector("[aria-busy=true]");
    const results = !document.getElementById("results-view").hidden
        && document.getElementById("results-heading").textContent !== "";
    const doc = !document.getElementById("document-view").hidden && document.getElementById("document-title");
    const problem = !document.getElementById("problem").hidden;
    return !busy && (results || Boolean(doc) || problem);
"##;

/// The focused element.
const FOCUSED: &str = r##"
    const el = document.activeElement;
    return { id: el.id, tag: el.tagName, name: el.name || null, value: el.value || null,
             text: el.textContent.trim().slice(0, 200), dataId: el.dataset ? el.dataset.id || null : null };
"##;

impl Person<'_> {
    async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
        self.settle().await;
    }

    async fn settle(&self) {
        // A view being drawn is marked busy at once; a short pause lets it start.
        tokio::time::sleep(Duration::from_millis(50)).await;
        wait_for(self.client, SETTLED).await;
    }

    async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    async fn text(&self, css: &str) -> String {
        let script = format!(
            "const e = document.querySelector({css:?}); return e ? e.textContent.trim() : null;"
        );
        self.js(&script)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    }

    async fn press(&self, key: Key) {
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.client.perform_actions(keys).await.unwrap();
    }

    async fn type_text(&self, css: &str, text: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }

    async fn focused(&self) -> Value {
        self.js(FOCUSED).await
    }

    async fn search(&self) -> String {
        self.js("return location.search;")
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Asserts that nothing is wider than the screen.
    async fn fits(&self, what: &str) {
        let sizes = self
            .js("return [document.documentElement.scrollWidth, window.innerWidth];")
            .await;
        assert!(
            sizes[0].as_u64() <= sizes[1].as_u64(),
            "{what} scrolls sideways: {sizes} (content, screen)"
        );
    }

    /// Asserts that the first hit's title is on the first screen.
    async fn first_hit_above_the_fold(&self, what: &str) {
        let at = self
            .js(r##"const h = document.querySelector("#hits li .hit-title");
                   return h ? [h.getBoundingClientRect().bottom + window.scrollY, window.innerHeight] : null;"##)
            .await;
        assert!(!at.is_null(), "{what}: no hits");
        assert!(
            at[0].as_f64() <= at[1].as_f64(),
            "{what}: the first hit is below the fold: {at} (its bottom, the screen's height)"
        );
    }

    async fn axe_clean(&self, axe: &str, what: &str) {
        let violations = axe_violations(self.client, axe).await;
        assert!(
            violations.is_empty(),
            "axe-core on {what}:\n{}",
            violations.join("\n")
        );
    }
}

#[test]
fn the_search_page_serves_a_person_on_a_phone_and_on_a_laptop() {
    let server = sample();
    let catalogue = catalogue(server);
    let axe = axe_source();
    let driver = Driver::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = browser(&driver).await;
        let person = Person {
            client: &client,
            base: &server.base,
        };
        viewport(&client, 390, 844).await;
        phone_results_come_first(&person, &catalogue).await;
        filters_wait_behind_a_button_and_keep_focus(&person, &catalogue).await;
        paging_moves_focus_and_stays_in_range(&person, &catalogue).await;
        a_document_shows_titles_and_leads_back_to_its_search(&person, &catalogue).await;
        typing_searches_and_suggests(&person, &catalogue).await;
        the_language_is_in_the_url(&person, &catalogue).await;
        every_state_speaks_the_users_language(&person, &catalogue).await;
        viewport(&client, 320, 700).await;
        nothing_scrolls_sideways_at_320_pixels(&person, &catalogue).await;
        viewport(&client, 1280, 900).await;
        laptop_layout_and_keyboard(&person, &catalogue).await;
        every_view_passes_axe(&person, &catalogue, &axe).await;
        client.close().await.unwrap();
    });
}

async fn phone_results_come_first(person: &Person<'_>, catalogue: &Catalogue) {
    person.open("/").await;
    person.first_hit_above_the_fold("the start page").await;
    let sort = person
        .js("return document.getElementById('sort').value;")
        .await;
    assert_eq!(sort, "newest", "with no query, the newest come first");
    assert_eq!(
        person
            .js("return document.querySelectorAll('h1').length;")
            .await,
        1
    );
    screenshot(person.client, "start-390").await;

    person.open(&format!("/?q={}", catalogue.broad)).await;
    person.first_hit_above_the_fold("a search").await;
    // A screen reader hears the count from a polite live region.
    let live = wait_for(
        person.client,
        r##"const r = document.getElementById("announce");
            return r.getAttribute("aria-live") === "polite" && r.textContent || null;"##,
    )
    .await;
    assert!(
        live.as_str()
            .unwrap()
            .contains(&format!("tulosta haulle {}", catalogue.broad)),
        "{live}"
    );
    let title = person.js("return document.title;").await;
    assert!(
        title.as_str().unwrap().starts_with(&catalogue.broad),
        "the tab names the search: {title}"
    );
    let panel = person
        .js("return document.getElementById('filter-panel').offsetParent === null;")
        .await;
    assert_eq!(panel, true, "on a phone the filters wait behind a button");
    assert_eq!(person.text("#filters-toggle").await, "Rajaa hakua");
    // Titles are shown, in the document's language.
    let titles = person
        .js("return [...document.querySelectorAll('#hits .hit-title a')].map(a => [a.textContent, a.lang]);")
        .await;
    let api = person_api_hits(person, &format!("q={}", catalogue.broad)).await;
    for (shown, hit) in titles.as_array().unwrap().iter().zip(&api) {
        assert_eq!(shown[0], hit["title"], "titles, not ids");
        assert_eq!(shown[1], hit["language"], "the title's lang attribute");
    }
    screenshot(person.client, "results-390").await;
}

/// The hits the API gives for a query string, as the page asks (limit 10).
async fn person_api_hits(person: &Person<'_>, query: &str) -> Vec<Value> {
    let url = format!("{}/v1/search?{query}&limit=10&lang=fi", person.base);
    let body: Value =
        tokio::task::spawn_blocking(move || reqwest::blocking::get(url).unwrap().json().unwrap())
            .await
            .unwrap();
    body["hits"].as_array().unwrap().clone()
}

async fn filters_wait_behind_a_button_and_keep_focus(person: &Person<'_>, catalogue: &Catalogue) {
    person.open(&format!("/?q={}", catalogue.broad)).await;
    person.click("#filters-toggle").await;
    let expanded = person
        .js("return document.getElementById('filters-toggle').getAttribute('aria-expanded');")
        .await;
    assert_eq!(expanded, "true");
    person
        .click("#facets details[data-facet=kind] summary")
        .await;
    let checkbox = "#facets details[data-facet=kind] input[type=checkbox]";
    let value = person
        .js(&format!(
            "return document.querySelector('{checkbox}').value;"
        ))
        .await;
    person.click(checkbox).await;
    person.settle().await;
    let focused = person.focused().await;
    assert_eq!(
        focused["name"], "kind",
        "focus stays on the filter: {focused}"
    );
    assert_eq!(focused["value"], value, "the same filter: {focused}");
    let search = person.search().await;
    assert!(
        search.contains(&format!("kind={}", value.as_str().unwrap())),
        "{search}"
    );
    assert_eq!(person.text("#filters-toggle").await, "Rajaa hakua (1)");
    let chip = person.text("#chips .chip").await;
    assert!(
        chip.starts_with("Tyyppi: "),
        "an active-filter chip: {chip}"
    );
    assert_eq!(person.text("#chips .clear").await, "Tyhjennä rajaukset");
    person.fits("a filtered search with the filters open").await;
    screenshot(person.client, "filtered-390").await;

    // The URL round-trips: the same view after a reload.
    let heading = person.text("#results-heading").await;
    person.client.refresh().await.unwrap();
    person.settle().await;
    assert_eq!(person.text("#results-heading").await, heading);
    assert_eq!(person.text("#chips .chip").await, chip);

    // Removing the chip removes the filter; "clear all" clears every one.
    person.click("#chips .chip").await;
    person.settle().await;
    assert!(!person.search().await.contains("kind="));
    assert_eq!(
        person
            .js("return document.getElementById('chips').hidden;")
            .await,
        true
    );
    let two = format!(
        "/?q={}&kind=practice&kind=project&sort=newest",
        catalogue.broad
    );
    person.open(&two).await;
    person.click("#chips .clear").await;
    person.settle().await;
    let search = person.search().await;
    assert!(
        !search.contains("kind=") && search.contains("sort=newest"),
        "{search}"
    );
    assert_eq!(person.focused().await["id"], "results-heading");
}

async fn paging_moves_focus_and_stays_in_range(person: &Person<'_>, catalogue: &Catalogue) {
    person.open(&format!("/?q={}", catalogue.broad)).await;
    person.click("#paging a.next").await;
    person.settle().await;
    assert!(person.search().await.contains("offset=10"));
    assert_eq!(
        person.focused().await["id"],
        "results-heading",
        "after paging, focus is on the results heading"
    );
    let heading = person.text("#results-heading").await;
    assert!(heading.contains("11–20"), "{heading}");
    let top = person
        .js("return document.getElementById('results-heading').getBoundingClientRect().top;")
        .await;
    assert!(
        (-1.0..200.0).contains(&top.as_f64().unwrap()),
        "the new page is in view: {top}"
    );

    // Beyond the end: the last page, not an empty one.
    person
        .open(&format!("/?q={}&offset=9990", catalogue.broad))
        .await;
    let search = person.search().await;
    assert!(!search.contains("offset=9990"), "{search}");
    let hits = person
        .js("return document.querySelectorAll('#hits li').length;")
        .await;
    assert!(hits.as_u64() > Some(0), "the last page has hits");
    assert!(person.text("#paging").await.contains("Sivu"));

    // One page: no paging.
    let title = catalogue.linked["title"].as_str().unwrap();
    person
        .open(&format!(
            "/?q=\"{}\"&kind={}",
            title,
            catalogue.linked["kind"].as_str().unwrap()
        ))
        .await;
    let total = person.text("#results-heading").await;
    if !total.contains('·') {
        assert_eq!(
            person
                .js("return document.getElementById('paging').hidden;")
                .await,
            true,
            "no paging for one page ({total})"
        );
    }

    // Sorting by title is a link like any other.
    person
        .open(&format!("/?q={}&sort=title", catalogue.broad))
        .await;
    assert_eq!(
        person
            .js("return document.getElementById('sort').value;")
            .await,
        "title"
    );
}

async fn a_document_shows_titles_and_leads_back_to_its_search(
    person: &Person<'_>,
    catalogue: &Catalogue,
) {
    // From a search: focus moves to the document's heading, and back leads to the search.
    let search_path = format!("/?q={}", catalogue.broad);
    person.open(&search_path).await;
    // Scrolled down to the fourth hit, which is opened.
    let id = person
        .js(
            r##"const a = document.querySelectorAll("#hits .hit-title a")[3];
                a.scrollIntoView({ block: "center" });
                return a.dataset.id;"##,
        )
        .await;
    let id = id.as_str().unwrap().to_owned();
    let left_at = person.js("return window.scrollY;").await.as_f64().unwrap();
    assert!(left_at > 100.0, "the page is scrolled: {left_at}");
    person.click(&format!("#hits a[data-id=\"{id}\"]")).await;
    person.settle().await;
    let focused = person.focused().await;
    assert_eq!(
        focused["id"], "document-title",
        "focus on the document's heading"
    );
    let title = person.js("return document.title;").await;
    assert!(title.as_str().unwrap().ends_with(" – Innohaku"));
    assert!(
        title
            .as_str()
            .unwrap()
            .starts_with(focused["text"].as_str().unwrap())
    );
    person.fits("a document").await;
    person.click("#document-view a.back").await;
    person.settle().await;
    assert_eq!(person.search().await, search_path.trim_start_matches('/'));
    let focused = person.focused().await;
    assert_eq!(
        focused["dataId"],
        id.as_str(),
        "focus back on the hit: {focused}"
    );
    let scrolled = person.js("return window.scrollY;").await;
    assert!(
        (scrolled.as_f64().unwrap() - left_at).abs() < 2.0,
        "the search is where it was left ({left_at}): {scrolled}"
    );
    let title = person.js("return document.title;").await;
    assert!(
        title.as_str().unwrap().starts_with(&catalogue.broad),
        "{title}"
    );

    // Opened from a link: linked documents by title, labelled reasons, and a way back that
    // stays on the site.
    let id = catalogue.linked["id"].as_str().unwrap();
    person.open(&format!("/?doc={id}")).await;
    wait_for(
        person.client,
        "return document.querySelector('#document-view .similar li, #document-view .similar p');",
    )
    .await;
    let back = person
        .js("return document.querySelector('#document-view a.back').getAttribute('href');")
        .await;
    assert_eq!(
        back, "/",
        "the way back from a shared link is the start page"
    );
    assert_eq!(person.text("#document-view a.back").await, "Etusivulle");
    let links = person
        .js("return [...document.querySelectorAll('#document-view .linked a')].map(a => [a.textContent, a.lang]);")
        .await;
    let links = links.as_array().unwrap();
    for (other, other_title) in &catalogue.linked_titles {
        assert!(
            links.iter().any(|l| l[0] == other_title.as_str()),
            "{other} is shown by its title {other_title:?}: {links:?}"
        );
        assert!(
            !links.iter().any(|l| l[0] == other.as_str()),
            "no id shown: {other}"
        );
    }
    assert!(
        links.iter().all(|l| l[1] != ""),
        "each title has its language"
    );
    let similar = person.text("#document-view .similar").await;
    if person
        .js("return document.querySelectorAll('#document-view .similar li').length;")
        .await
        .as_u64()
        > Some(0)
    {
        assert!(
            similar.contains("Yhteiset teemat") || similar.contains("Yhteiset käsitteet"),
            "reasons are labelled: {similar}"
        );
    }
    person.fits("a document with links").await;
    screenshot(person.client, "document-390").await;
}

async fn typing_searches_and_suggests(person: &Person<'_>, catalogue: &Catalogue) {
    person.open("/").await;
    let prefix: String = catalogue.broad.chars().take(5).collect();
    person.click("#q").await;
    person.type_text("#q", &prefix).await;
    // Results follow the typing, and suggestions open under the field.
    wait_for(
        person.client,
        &format!(
            "return new URLSearchParams(location.search).get('q') === {prefix:?} && !document.querySelector('[aria-busy=true]');"
        ),
    )
    .await;
    wait_for(
        person.client,
        "return !document.getElementById('suggestions').hidden;",
    )
    .await;
    let expanded = person
        .js("return document.getElementById('q').getAttribute('aria-expanded');")
        .await;
    assert_eq!(expanded, "true");
    screenshot(person.client, "suggestions-390").await;
    person.press(Key::Down).await;
    let option = person
        .js(r##"const id = document.getElementById("q").getAttribute("aria-activedescendant");
               const o = document.getElementById(id);
               return { id, text: o.querySelector(".text").textContent, term: o.classList.contains("option-term"),
                        selected: o.getAttribute("aria-selected") };"##)
        .await;
    assert_eq!(option["id"], "suggestion-0");
    assert_eq!(option["selected"], "true");
    person.press(Key::Enter).await;
    person.settle().await;
    assert_eq!(
        person
            .js("return document.getElementById('suggestions').hidden;")
            .await,
        true
    );
    if option["term"] == true {
        let q = person
            .js("return new URLSearchParams(location.search).get('q');")
            .await;
        assert_eq!(q, option["text"], "the picked completion is searched");
        assert_eq!(person.focused().await["id"], "q");
    } else {
        assert_eq!(
            person.text("#document-title").await,
            option["text"].as_str().unwrap()
        );
    }

    // Typing on quickly: the results are the last text's, whatever answered first.
    person.open("/").await;
    person.click("#q").await;
    person.type_text("#q", &catalogue.broad).await;
    wait_for(
        person.client,
        &format!(
            "return new URLSearchParams(location.search).get('q') === {:?} && !document.querySelector('[aria-busy=true]');",
            catalogue.broad
        ),
    )
    .await;
    // Escape closes the suggestions and keeps the text.
    wait_for(
        person.client,
        "return !document.getElementById('suggestions').hidden;",
    )
    .await;
    person.press(Key::Escape).await;
    assert_eq!(
        person
            .js("return document.getElementById('suggestions').hidden;")
            .await,
        true
    );
    assert_eq!(
        person
            .js("return document.getElementById('q').value;")
            .await,
        catalogue.broad.as_str()
    );
    // Enter searches what is typed.
    person.press(Key::Enter).await;
    person.settle().await;
    person.first_hit_above_the_fold("a search typed").await;
}

async fn the_language_is_in_the_url(person: &Person<'_>, catalogue: &Catalogue) {
    person.open(&format!("/?q={}", catalogue.broad)).await;
    person.click("#langs a[data-lang=sv]").await;
    person.settle().await;
    assert!(person.search().await.contains("lang=sv"));
    assert_eq!(
        person.js("return document.documentElement.lang;").await,
        "sv"
    );
    let heading = person.text("#results-heading").await;
    assert!(heading.contains("träffar"), "{heading}");
    assert_eq!(person.text("#filters-toggle").await, "Avgränsa sökningen");
    assert!(person.text("#search-title").await.starts_with("Sök "));
    screenshot(person.client, "results-sv-390").await;
    // A link with the language opens in it; one without opens in Finnish, whatever was
    // chosen here before; the bare start page opens in the language chosen.
    person.client.refresh().await.unwrap();
    person.settle().await;
    assert!(person.text("#results-heading").await.contains("träffar"));
    person.open(&format!("/?q={}", catalogue.broad)).await;
    assert!(person.text("#results-heading").await.contains("tulosta"));
    person.open("/").await;
    assert!(person.search().await.contains("lang=sv"));
    assert_eq!(
        person.text("#sort option[value=newest]").await,
        "Nyaste först"
    );
    // A document's way back in Swedish.
    person
        .open(&format!("/?q={}&lang=sv", catalogue.broad))
        .await;
    person.click("#hits .hit-title a").await;
    person.settle().await;
    assert_eq!(
        person.text("#document-view a.back").await,
        "Tillbaka till träffarna"
    );
    person.click("#langs a[data-lang=fi]").await;
    person.settle().await;
    assert_eq!(
        person.text("#document-view a.back").await,
        "Takaisin hakutuloksiin"
    );
    assert!(!person.search().await.contains("lang="));
}

async fn every_state_speaks_the_users_language(person: &Person<'_>, catalogue: &Catalogue) {
    // Not found.
    person.open("/?doc=ei-tallaista-kuvausta").await;
    assert_eq!(person.text("#problem h1").await, "Kuvausta ei löytynyt");
    assert_eq!(
        person.js("return document.title;").await,
        "Ei löytynyt – Innohaku"
    );
    assert_eq!(person.focused().await["id"], "problem-title");
    person.fits("not found").await;
    screenshot(person.client, "not-found-390").await;
    person.open("/?doc=ei-tallaista-kuvausta&lang=sv").await;
    assert_eq!(
        person.text("#problem h1").await,
        "Beskrivningen hittades inte"
    );

    // A filter the API refuses: said in Finnish, with a way out.
    person
        .open(&format!("/?q={}&year=kaksituhatta", catalogue.broad))
        .await;
    let problem = person.text("#problem").await;
    assert!(problem.contains("Vuosi: kaksituhatta"), "{problem}");
    assert!(!problem.contains("is not a year"), "{problem}");
    person.click("#problem a.button").await;
    person.settle().await;
    assert!(!person.search().await.contains("year="));
    assert_eq!(
        person
            .js("return document.getElementById('problem').hidden;")
            .await,
        true
    );

    // A query the API had to relax: the page says which words were left out, in Finnish.
    person
        .open(&format!("/?q={}+{NONSENSE}", catalogue.broad))
        .await;
    let notice = person.text("#notices").await;
    assert!(
        notice.contains("Kaikkia hakusanoja ei löytynyt") && notice.contains(NONSENSE),
        "{notice}"
    );
    let missing = person.text("#hits .missing").await;
    assert_eq!(missing, format!("Puuttuu: {NONSENSE}"));
    screenshot(person.client, "relaxed-390").await;

    // Empty: hints, and filters only when some are set.
    person.open(&format!("/?q={NONSENSE}")).await;
    assert_eq!(
        person.text("#results-heading").await,
        format!("Ei tuloksia haulle ”{NONSENSE}”")
    );
    let empty = person.text("#empty").await;
    assert!(empty.contains("Tarkista sanojen kirjoitusasu"), "{empty}");
    assert!(!empty.contains("rajau"), "no filters were set: {empty}");
    screenshot(person.client, "empty-390").await;
    person.open(&format!("/?q={NONSENSE}&kind=project")).await;
    assert!(person.text("#empty").await.contains("Tyhjennä rajaukset"));

    // Slow: the old results stay, visibly stale and marked busy.
    person.open(&format!("/?q={}", catalogue.broad)).await;
    network(person.client, Some(1500)).await;
    person.click("#paging a.next").await;
    let loading = person
        .js(
            r##"return { busy: document.getElementById("results-view").getAttribute("aria-busy"),
                        stale: document.getElementById("results-view").classList.contains("stale"),
                        heading: document.getElementById("results-heading").textContent,
                        hits: document.querySelectorAll("#hits li").length };"##,
        )
        .await;
    assert_eq!(loading["busy"], "true", "{loading}");
    assert_eq!(loading["stale"], true, "{loading}");
    assert_eq!(loading["heading"], "Haetaan…", "{loading}");
    // The old results fade after a moment (no flicker when the answer is quick).
    tokio::time::sleep(Duration::from_millis(400)).await;
    screenshot(person.client, "loading-390").await;
    person.settle().await;

    // Offline: a message in Finnish in place of the old results, and a retry.
    network(person.client, None).await;
    person.click("#paging a.prev").await;
    person.settle().await;
    let problem = person.text("#problem h2").await;
    assert_eq!(problem, "Ei verkkoyhteyttä");
    assert_eq!(
        person
            .js("return document.getElementById('results-view').hidden;")
            .await,
        true,
        "no stale results under the message"
    );
    screenshot(person.client, "offline-390").await;
    // Retrying offline says the same; the search runs again by itself when the network is back.
    person.click("#problem button").await;
    person.settle().await;
    assert_eq!(person.text("#problem h2").await, "Ei verkkoyhteyttä");
    network(person.client, Some(0)).await;
    wait_for(
        person.client,
        "return document.getElementById('problem').hidden;",
    )
    .await;
    person.settle().await;
    assert_eq!(
        person
            .js("return document.getElementById('problem').hidden;")
            .await,
        true
    );
    assert!(person.text("#results-heading").await.contains("tulosta"));
}

async fn nothing_scrolls_sideways_at_320_pixels(person: &Person<'_>, catalogue: &Catalogue) {
    person.open("/").await;
    person.fits("the start page").await;
    person
        .open(&format!("/?q={}&kind=practice", catalogue.broad))
        .await;
    person.click("#filters-toggle").await;
    person
        .click("#facets details[data-facet=organisation] summary")
        .await;
    person.fits("a filtered search with the filters open").await;
    screenshot(person.client, "filtered-320").await;
    let id = catalogue.linked["id"].as_str().unwrap();
    person.open(&format!("/?doc={id}")).await;
    person.fits("a document").await;
    screenshot(person.client, "document-320").await;
    person.open(&format!("/?q={NONSENSE}&kind=project")).await;
    person.fits("the empty state").await;
    person.open("/?doc=ei-tallaista-kuvausta").await;
    person.fits("not found").await;
}

async fn laptop_layout_and_keyboard(person: &Person<'_>, catalogue: &Catalogue) {
    person.open(&format!("/?q={}", catalogue.broad)).await;
    let layout = person
        .js(r##"return { panel: document.getElementById("filter-panel").offsetParent !== null,
                        toggle: document.getElementById("filters-toggle").offsetParent !== null };"##)
        .await;
    assert_eq!(layout["panel"], true, "the filters are a sidebar: {layout}");
    assert_eq!(layout["toggle"], false, "{layout}");
    screenshot(person.client, "results-1280").await;

    // The skip link is the first stop, and leads to the results.
    person
        .js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
        .await;
    person.press(Key::Tab).await;
    assert_eq!(person.focused().await["id"], "skip");
    person.press(Key::Enter).await;
    assert_eq!(person.focused().await["id"], "results-heading");

    // From the search field to the first result takes a few Tabs, not dozens.
    person.click("#q").await;
    let mut tabs = 0;
    loop {
        person.press(Key::Tab).await;
        tabs += 1;
        let focused = person.focused().await;
        if focused["dataId"].is_string() {
            break;
        }
        assert!(
            tabs < 16,
            "the first result is {tabs}+ Tabs from the search field"
        );
    }
    println!("Tabs from the search field to the first result: {tabs}");

    let id = catalogue.linked["id"].as_str().unwrap();
    person.open(&format!("/?doc={id}")).await;
    screenshot(person.client, "document-1280").await;
    person
        .open(&format!("/?q={}&kind=practice&lang=sv", catalogue.broad))
        .await;
    screenshot(person.client, "filtered-sv-1280").await;
}

async fn every_view_passes_axe(person: &Person<'_>, catalogue: &Catalogue, axe: &str) {
    let id = catalogue.linked["id"].as_str().unwrap();
    for lang in ["fi", "sv"] {
        let views = [
            ("the start page", format!("/?lang={lang}")),
            (
                "a results page",
                format!("/?q={}&lang={lang}", catalogue.broad),
            ),
            (
                "a filtered page",
                format!("/?q={}&kind=practice&lang={lang}", catalogue.broad),
            ),
            ("a document", format!("/?doc={id}&lang={lang}")),
            ("the empty state", format!("/?q={NONSENSE}&lang={lang}")),
            (
                "not found",
                format!("/?doc=ei-tallaista-kuvausta&lang={lang}"),
            ),
        ];
        for (what, path) in views {
            person.open(&path).await;
            if path.contains("doc=") && !path.contains("ei-tallaista") {
                wait_for(person.client, "return document.querySelector('#document-view .similar li, #document-view .similar p');").await;
            }
            person.axe_clean(axe, &format!("{what} ({lang})")).await;
        }
        let demo = format!("{}/demo/widget?document={id}&lang={lang}", person.base);
        person.client.goto(&demo).await.unwrap();
        wait_for(
            person.client,
            r##"const h = [...document.querySelectorAll("innohaku-similar")];
               return h.length && h.every(e => e.shadowRoot && !e.hasAttribute("aria-busy")
                   && e.shadowRoot.querySelector("ul, .status:not(:empty)"));"##,
        )
        .await;
        person
            .axe_clean(axe, &format!("/demo/widget ({lang})"))
            .await;
        let iframe = format!("{}/embed/similar?document={id}&lang={lang}", person.base);
        person.client.goto(&iframe).await.unwrap();
        person
            .axe_clean(axe, &format!("/embed/similar ({lang})"))
            .await;
    }
}

#[test]
fn the_pages_files_are_compressed_cacheable_and_the_favicon_is_there() {
    let server = sample();
    let page = server.get("/").text().unwrap();
    for asset in ["app.js", "style.css"] {
        let at = page
            .find(&format!("/assets/{asset}?v="))
            .expect("a versioned asset");
        let url: String = page[at..].chars().take_while(|c| *c != '"').collect();
        let response = server
            .client()
            .get(format!("{}{url}", server.base))
            .header("accept-encoding", "gzip")
            .send()
            .unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers();
        assert_eq!(headers["content-encoding"], "gzip", "{asset} is compressed");
        assert!(
            headers["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable"),
            "{asset} is cached by its version"
        );
        let etag = headers["etag"].clone();
        let again = server
            .client()
            .get(format!("{}/assets/{asset}", server.base))
            .header("if-none-match", etag)
            .send()
            .unwrap();
        assert_eq!(again.status(), 304, "{asset} revalidates");
    }
    for (path, mime) in [
        ("/favicon.ico", "image/x-icon"),
        ("/favicon.svg", "image/svg+xml"),
    ] {
        let response = server.get(path);
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], mime);
    }
}

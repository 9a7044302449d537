//! The embeddable widget in a real browser: headless Chromium, driven over WebDriver, loads
//! the demo host page (served under a strict Content-Security-Policy) and is checked for
//! rendering, keyboard access and that document text stays text.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::browser::{Driver, browser, wait_for};
use crate::support::{TestServer, doc_line, sample_dir};

const HOSTILE_ID: &str = "hyokkaava-otsikko";
const HOSTILE_TITLE: &str = "<img src=x onerror=alert(1)>";

/// The focused element, looking inside shadow roots: (id of the top-level element, href).
const FOCUSED: &str = r#"
    let top = document.activeElement, el = top;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    return { host: top ? top.id : null, href: el && el.href ? el.href : null,
             outline: el ? getComputedStyle(el).outlineStyle : null };
"#;

#[test]
fn the_widget_renders_is_keyboard_accessible_and_shows_document_text_as_text() {
    let server = TestServer::start(Some(&sample_dir()));
    // The source is a Finnish practice of the catalogue that came from a project, found
    // through the API (the sample catalogue is rewritten from time to time).
    let practices = server.search(&[("kind", "practice"), ("language", "fi"), ("limit", "100")]);
    let source: Value = practices["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            server.get_json(
                &format!("/v1/documents/{}", hit["id"].as_str().unwrap()),
                &[],
            )
        })
        .find(|doc| doc["projects"].as_array().is_some_and(|p| !p.is_empty()))
        .expect("a practice that came from a project");
    let source_id = source["id"].as_str().unwrap().to_owned();
    let source_id = source_id.as_str();
    // A document whose title is markup, close enough to the source to be recommended: the
    // same text, themes and regions, and the same project.
    let line = doc_line(
        "practice",
        HOSTILE_ID,
        "fi",
        HOSTILE_TITLE,
        source["summary"].as_str().unwrap(),
        json!({
            "themes": source["themes"], "regions": source["regions"],
            "target_groups": source["target_groups"],
            "projects": source["projects"],
            "how_it_works": source["how_it_works"],
        }),
    );
    assert_eq!(server.ingest(&format!("{line}\n")).status(), 200);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let similar = server.get_json(
            &format!("/v1/documents/{source_id}/similar"),
            &[("limit", "5")],
        );
        if similar.to_string().contains(HOSTILE_ID) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the hostile document is not recommended: {similar}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The iframe version escapes it too.
    let iframe = server
        .get(&format!("/embed/similar?document={source_id}"))
        .text()
        .unwrap();
    assert!(iframe.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!iframe.contains(HOSTILE_TITLE));

    let driver = Driver::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = browser(&driver).await;
        client
            .goto(&format!("{}/demo/widget?document={source_id}", server.base))
            .await
            .unwrap();

        // It renders recommendations, in Finnish, with its styles despite the host's CSP.
        let links = wait_for(
            &client,
            r#"
            const host = document.getElementById("by-document");
            if (!host || !host.shadowRoot || host.hasAttribute("aria-busy")) return null;
            const items = host.shadowRoot.querySelectorAll("li");
            if (!items.length) return null;
            return Array.from(host.shadowRoot.querySelectorAll("a")).map(a => ({
                href: a.href, title: a.querySelector("span").textContent }));
            "#,
        )
        .await;
        let links = links.as_array().unwrap().clone();
        let details = client
            .execute(
                r#"
                const root = document.getElementById("by-document").shadowRoot;
                const section = root.querySelector("section");
                return { items: root.querySelectorAll("li").length,
                         heading: root.querySelector("h2").textContent,
                         labelledBy: section.getAttribute("aria-labelledby"),
                         border: getComputedStyle(section).borderTopStyle,
                         images: root.querySelectorAll("img").length,
                         pageImages: document.images.length,
                         text: document.getElementById("by-text").shadowRoot.querySelectorAll("li").length };
                "#,
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(details["items"], 5, "{details}");
        assert_eq!(details["heading"], "Samankaltaisia toimintamalleja");
        assert_eq!(details["labelledBy"], "heading");
        assert_eq!(details["border"], "solid", "the constructed stylesheet applies under CSP");

        // The hostile title is shown as text, and nothing in it ran.
        assert!(
            links.iter().any(|l| l["title"] == HOSTILE_TITLE),
            "the hostile title is rendered literally: {links:?}"
        );
        assert_eq!(details["images"], 0, "no element was made from document text");
        assert_eq!(details["pageImages"], 0);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            client.get_alert_text().await.is_err(),
            "a script from document text ran"
        );

        // The free-text widget works too.
        wait_for(
            &client,
            r#"const h = document.getElementById("by-text");
               return h.shadowRoot && h.shadowRoot.querySelectorAll("li").length > 0;"#,
        )
        .await;

        // Tab reaches every link of the widget, each with a visible focus indicator.
        client
            .execute("document.activeElement && document.activeElement.blur();", vec![])
            .await
            .unwrap();
        let mut reached = Vec::new();
        for _ in 0..60 {
            let tab = KeyActions::new("keyboard".into())
                .then(KeyAction::Down { value: Key::Tab.into() })
                .then(KeyAction::Up { value: Key::Tab.into() });
            client.perform_actions(tab).await.unwrap();
            let focused = client.execute(FOCUSED, vec![]).await.unwrap();
            if focused["host"] == "by-document" {
                assert_ne!(focused["outline"], "none", "focus is visible: {focused}");
                reached.push(focused["href"].as_str().unwrap_or_default().to_owned());
            }
            if focused["host"] == "by-text" {
                break; // Past the first widget.
            }
        }
        for link in &links {
            let href = link["href"].as_str().unwrap();
            assert!(
                reached.iter().any(|r| r == href),
                "Tab never reached {href}; reached {reached:?}"
            );
        }

        let png = client.screenshot().await.unwrap();
        let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("innohaku-widget.png");
        std::fs::write(&shot, png).unwrap();
        println!("screenshot: {}", shot.display());
        client.close().await.unwrap();
    });
}

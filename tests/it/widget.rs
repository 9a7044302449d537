//! The embeddable widget in a real browser: headless Chromium, driven over WebDriver, loads
//! the demo host page (served under a strict Content-Security-Policy) and is checked for
//! rendering, keyboard access and that document text stays text.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

use crate::support::{TestServer, doc_line, sample_dir};

const SOURCE: &str = "avoin-kohtaamispaikka-saarijarvi";
const HOSTILE_ID: &str = "hyokkaava-otsikko";
const HOSTILE_TITLE: &str = "<img src=x onerror=alert(1)>";

/// chromedriver on a free loopback port, stopped when dropped. Its temporary files and the
/// browser's (profile, crash dumps: `TMPDIR` is inherited) go in a directory of its own, removed
/// with it: a killed browser does not clean up after itself.
struct Driver {
    child: Child,
    url: String,
    tmp: PathBuf,
}

impl Driver {
    fn start() -> Driver {
        let binary = find("chromedriver").unwrap_or_else(|| {
            panic!(
                "the widget test needs Chromium and its WebDriver: `apt-get install chromium \
                 chromium-driver` (`.ci/run` installs them)"
            )
        });
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("chromedriver-{port}"));
        std::fs::create_dir_all(&tmp).expect("a temporary directory");
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .env("TMPDIR", &tmp)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            tmp,
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.tmp);
    }
}

fn find(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

async fn browser(driver: &Driver) -> Client {
    let mut options = json!({
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,1800", "--lang=fi"]
    });
    if Path::new("/usr/bin/chromium").is_file() {
        options["binary"] = "/usr/bin/chromium".into();
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

/// Runs `script` until it returns something other than null/false, for at most 15 s.
async fn wait_for(client: &Client, script: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let value = client.execute(script, vec![]).await.expect("script runs");
        if !(value.is_null() || value == Value::Bool(false)) {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {script}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

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
    // A document whose title is markup, close enough to the source to be recommended.
    let source: Value = server.get_json(&format!("/v1/documents/{SOURCE}"), &[]);
    let line = doc_line(
        "practice",
        HOSTILE_ID,
        "fi",
        HOSTILE_TITLE,
        source["summary"].as_str().unwrap(),
        json!({
            "themes": ["family_centres"], "regions": ["keski-suomi"],
            "target_groups": ["families"],
            "projects": ["keski-suomen-tulevaisuuden-sote-keskus-lapset-nuoret-ja-perheet"],
            "how_it_works": source["how_it_works"],
        }),
    );
    assert_eq!(server.ingest(&format!("{line}\n")).status(), 200);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let similar = server.get_json(
            &format!("/v1/documents/{SOURCE}/similar"),
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
        .get(&format!("/embed/similar?document={SOURCE}"))
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
            .goto(&format!("{}/demo/widget?document={SOURCE}", server.base))
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

//! Headless Chromium over WebDriver, shared by the browser tests: a driver on loopback, a
//! browser session, waiting for the page, the viewport, the network, and axe-core.

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

/// chromedriver on a free loopback port, stopped when dropped with the browsers it started
/// (its process group: a test that fails never closes its session). Its temporary files and the
/// browser's (profile, crash dumps: `TMPDIR` is inherited) go in a directory of its own, removed
/// with it: a killed browser does not clean up after itself.
pub struct Driver {
    child: Child,
    url: String,
    tmp: PathBuf,
}

impl Driver {
    pub fn start() -> Driver {
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
            .process_group(0)
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
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
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

pub async fn browser(driver: &Driver) -> Client {
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
pub async fn wait_for(client: &Client, script: &str) -> Value {
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

/// A Chrome DevTools Protocol command, sent through chromedriver.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// Runs a DevTools command.
pub async fn cdp(client: &Client, cmd: &'static str, params: Value) -> Value {
    client
        .issue_cmd(Cdp { cmd, params })
        .await
        .unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

/// Shows pages as a screen of `width` × `height` CSS pixels: a phone's (touch, the page's
/// own viewport) below 600 pixels wide. Chromium's window cannot be made that narrow.
pub async fn viewport(client: &Client, width: u32, height: u32) {
    let params = json!({ "width": width, "height": height, "deviceScaleFactor": 1,
                          "mobile": width < 600 });
    cdp(client, "Emulation.setDeviceMetricsOverride", params).await;
}

/// Cuts the network off (`None`), or lets it through after `latency` milliseconds.
pub async fn network(client: &Client, latency: Option<u32>) {
    cdp(client, "Network.enable", json!({})).await;
    let params = match latency {
        None => {
            json!({ "offline": true, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 })
        }
        Some(ms) => {
            json!({ "offline": false, "latency": ms, "downloadThroughput": -1, "uploadThroughput": -1 })
        }
    };
    cdp(client, "Network.emulateNetworkConditions", params).await;
}

/// axe-core's script: `INNOHAKU_AXE` names it, else where `scripts/test` installs it
/// (`npm install --prefix ~/.cache/innohaku/axe axe-core`).
pub fn axe_source() -> String {
    let path = std::env::var_os("INNOHAKU_AXE").map_or_else(
        || {
            let home = std::env::var_os("HOME").unwrap_or_default();
            Path::new(&home).join(".cache/innohaku/axe/node_modules/axe-core/axe.min.js")
        },
        PathBuf::from,
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the accessibility test needs axe-core at {} ({e}): `npm install --prefix \
             ~/.cache/innohaku/axe axe-core` (scripts/test installs it)",
            path.display()
        )
    })
}

/// axe-core's violations on the page shown, best-practice rules included: an empty list when
/// there are none, else one line per violation and element.
pub async fn axe_violations(client: &Client, axe: &str) -> Vec<String> {
    let loaded = client
        .execute(&format!("{axe}\n;return typeof axe;"), vec![])
        .await
        .expect("axe-core loads");
    assert_eq!(loaded, "object", "axe-core is on the page");
    let result = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { runOnly: { type: "tag", values:
                   ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
                   resultTypes: ["violations"] })
                 .then((r) => done(r.violations.flatMap((v) => v.nodes.map((n) =>
                     `${v.id} (${v.impact}): ${v.help} at ${n.target.join(" ")}: ${n.failureSummary}`))))
                 .catch((e) => done([`axe failed: ${e}`]));"#,
            vec![],
        )
        .await
        .expect("axe runs");
    result
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Saves a screenshot of the viewport under the target's temporary directory, and says where.
pub async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("a screenshot directory");
    let png = client.screenshot().await.expect("a screenshot");
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).expect("the screenshot is saved");
    println!("screenshot: {}", path.display());
    path
}

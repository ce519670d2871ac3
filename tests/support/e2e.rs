//! Drives the real app in its real webview (WebKitGTK) over WebDriver: tauri-driver
//! starts `saathi` through WebKitWebDriver; fantoccini speaks WebDriver to it.
//!
//! Needs a display (Xvfb in CI), `tauri-driver` on PATH (or $TAURI_DRIVER) and
//! `/usr/bin/WebKitWebDriver`. The e2e tests are `#[ignore]`d so that a plain
//! `cargo test` on a machine without them still passes; `.ci/run` runs them.
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

pub use fantoccini;

const WAIT: Duration = Duration::from_secs(20);

/// One running app with its WebDriver session.
pub struct App {
    driver: Child,
    pub client: Client,
    pub data_dir: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo").into_os_string()))
    {
        let p = Path::new(&home).join("bin").join("tauri-driver");
        if p.exists() {
            return p;
        }
    }
    PathBuf::from("tauri-driver")
}

impl App {
    /// Starts the app on `data_dir` and waits until its first screen is up.
    pub async fn launch(data_dir: &Path) -> App {
        let port = free_port();
        let native = free_port();
        let driver = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("SAATHI_DATA_DIR", data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tauri-driver (cargo install tauri-driver --locked)");
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < WAIT,
                "tauri-driver did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": crate::saathi_bin(), "args": ["--data-dir", data_dir] }),
        );
        caps.insert("browserName".into(), "wry".into());
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("WebDriver session with the app");
        let app = App {
            driver,
            client,
            data_dir: data_dir.to_path_buf(),
        };
        app.find("nav [data-nav='today']").await;
        app
    }

    /// Closes the window and stops the driver (SIGTERM, so WebKitWebDriver goes too).
    pub async fn quit(mut self) {
        let _ = self.client.clone().close().await;
        let _ = Command::new("kill")
            .args(["-TERM", &self.driver.id().to_string()])
            .status();
        let _ = self.driver.wait();
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.clear()
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    /// All texts of the elements matching `css`, right now.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for el in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            out.push(el.text().await.unwrap_or_default());
        }
        out
    }

    /// Waits until `check` holds for the texts of `css`; panics with what was seen.
    pub async fn wait_texts(
        &self,
        css: &str,
        what: &str,
        check: impl Fn(&[String]) -> bool,
    ) -> Vec<String> {
        let start = Instant::now();
        loop {
            let seen = self.texts(css).await;
            if check(&seen) {
                return seen;
            }
            if start.elapsed() > WAIT {
                panic!("waited for {what} in {css}; saw {seen:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// A PNG of the window, for looking at what a test saw.
    pub async fn screenshot(&self, path: &Path) {
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(path, png);
        }
    }
}

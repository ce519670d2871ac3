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

/// Two different free loopback ports (both held open while choosing, so they differ).
fn free_ports() -> (u16, u16) {
    let a = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let b = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let port = |l: &std::net::TcpListener| l.local_addr().expect("bound address").port();
    (port(&a), port(&b))
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

impl Drop for App {
    /// Stops tauri-driver with SIGTERM (so that WebKitWebDriver and the app go too), also
    /// when a test fails half-way: nothing is left running to hold CI's pipes open.
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.driver.id().to_string()]).status();
        let _ = self.driver.wait();
    }
}

impl App {
    /// Starts the app on `data_dir` and waits until its first screen is up.
    pub async fn launch(data_dir: &Path) -> App {
        let args = vec!["--data-dir".to_owned(), data_dir.display().to_string()];
        let app = App::launch_program(&crate::saathi_bin(), args, data_dir).await;
        app.find("[data-testid='setup'], [data-testid='sign-in'], [data-testid='startup-error'], nav").await;
        app
    }

    /// Starts any Tauri program through tauri-driver and returns once the WebDriver
    /// session is open (the window exists; its page may still be loading).
    pub async fn launch_program(program: &Path, args: Vec<String>, data_dir: &Path) -> App {
        let (port, native) = free_ports();
        let driver = Command::new(tauri_driver())
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("SAATHI_DATA_DIR", data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tauri-driver (cargo install tauri-driver --locked)");
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < WAIT, "tauri-driver did not listen on {port}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), serde_json::json!({ "application": program, "args": args }));
        caps.insert("browserName".into(), "wry".into());
        // tauri-driver listens before WebKitWebDriver behind it is ready: retry.
        let client = loop {
            let attempt = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match attempt {
                Ok(c) => break c,
                Err(e) if start.elapsed() > WAIT => panic!("WebDriver session with the app: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        App { driver, client, data_dir: data_dir.to_path_buf() }
    }

    /// The app's own processes (the program and the WebKit processes it started): every
    /// process below tauri-driver except the drivers themselves. Linux only.
    pub fn app_processes(&self) -> Vec<u32> {
        let mut parent_of: Vec<(u32, u32, String)> = Vec::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
            // "pid (comm) state ppid …": comm may hold spaces, so split after the last ')'.
            let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
            let comm = stat[open + 1..close].to_owned();
            let ppid = stat[close + 1..].split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
            parent_of.push((pid, ppid, comm));
        }
        let mut tree = vec![self.driver.id()];
        let mut i = 0;
        while i < tree.len() {
            let p = tree[i];
            tree.extend(parent_of.iter().filter(|(_, pp, _)| *pp == p).map(|(pid, _, _)| *pid));
            i += 1;
        }
        parent_of
            .iter()
            .filter(|(pid, _, comm)| {
                tree.contains(pid)
                    && *pid != self.driver.id()
                    && !comm.contains("WebKitWebDrive")
                    && comm != "tauri-driver"
            })
            .map(|(pid, _, _)| *pid)
            .collect()
    }

    /// Memory of the app's processes, summed: (PSS, RSS) in KiB.
    pub fn memory_kib(&self) -> (u64, u64) {
        self.memory_by_process().iter().fold((0, 0), |(p, r), (_, pss, rss)| (p + pss, r + rss))
    }

    /// Each of the app's processes: its name, PSS and RSS in KiB.
    pub fn memory_by_process(&self) -> Vec<(String, u64, u64)> {
        let mut out = Vec::new();
        for pid in self.app_processes() {
            let (mut pss, mut rss) = (0, 0);
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_owned();
            let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else { continue };
            for line in text.lines() {
                let mut parts = line.split_whitespace();
                let (Some(key), Some(kb)) = (parts.next(), parts.next().and_then(|v| v.parse::<u64>().ok())) else {
                    continue;
                };
                match key {
                    "Pss:" => pss += kb,
                    "Rss:" => rss += kb,
                    _ => {}
                }
            }
            out.push((name, pss, rss));
        }
        out
    }

    /// First run: creates the centre and its administrator, then lands signed in.
    pub async fn set_up_centre(&self, username: &str, password: &str) {
        self.type_into("[data-testid='setup-centre']", "Test Kendra").await;
        self.type_into("[data-testid='setup-admin-name']", "Asha Admin").await;
        self.type_into("[data-testid='setup-username']", username).await;
        self.type_into("[data-testid='setup-password']", password).await;
        self.type_into("[data-testid='setup-confirm']", password).await;
        self.click("[data-testid='setup-submit']").await;
        let code = self.text("[data-testid='recovery-code']").await;
        assert_eq!(code.len(), 23, "recovery code shown once: {code:?}");
        self.click("[data-testid='kept-it']").await;
        self.click("[data-testid='setup-continue']").await;
        self.find("nav [data-nav='today']").await;
    }

    pub async fn sign_in(&self, username: &str, password: &str) {
        self.type_into("[data-testid='username']", username).await;
        self.type_into("[data-testid='password']", password).await;
        self.click("[data-testid='sign-in-submit']").await;
    }

    /// Calls a command straight through the IPC bridge, as a script in the page could,
    /// bypassing the user interface. Ok(value) or Err({code, message, field}).
    pub async fn invoke(&self, command: &str, args: serde_json::Value) -> Result<serde_json::Value, serde_json::Value> {
        let script = r#"
            const [cmd, args, done] = arguments;
            window.__TAURI_INTERNALS__.invoke(cmd, args).then(v => done({ ok: v }), e => done({ err: e }));
        "#;
        let out = self
            .client
            .execute_async(script, vec![command.into(), args])
            .await
            .unwrap_or_else(|e| panic!("invoke {command}: {e}"));
        match out.get("ok") {
            Some(v) => Ok(v.clone()),
            None => Err(out.get("err").cloned().unwrap_or(serde_json::Value::Null)),
        }
    }

    /// The value of an input.
    pub async fn value(&self, css: &str) -> String {
        self.find(css).await.prop("value").await.ok().flatten().unwrap_or_default()
    }

    /// Closes the window and stops the driver.
    /// Waits (up to the usual patience) for the app's processes to be gone, so that the
    /// next launch on the same folder starts like a user's "close, then open again".
    pub async fn quit(self) {
        let pids = self.app_processes();
        let _ = self.client.clone().close().await;
        let start = Instant::now();
        // A process that has ended but not yet been reaped shows state 'Z': it holds nothing.
        let alive = |pid: &u32| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| s.rfind(')').map(|i| s[i + 1..].trim_start().starts_with(|c| c != 'Z')))
                .unwrap_or(false)
        };
        while pids.iter().any(alive) && start.elapsed() < WAIT {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Drop stops the driver.
    }

    pub async fn find(&self, css: &str) -> Element {
        match self.client.wait().at_most(WAIT).every(Duration::from_millis(20)).for_element(Locator::Css(css)).await {
            Ok(el) => el,
            Err(e) => {
                let shot = self.failure_screenshot().await;
                panic!("no element {css}: {e} (screenshot: {shot})")
            }
        }
    }

    async fn failure_screenshot(&self) -> String {
        let shot = crate::workspace_root().join("target").join("e2e-failure.png");
        self.screenshot(&shot).await;
        shot.display().to_string()
    }

    /// Clicks the first element matching `css`, retrying while the page re-renders it.
    pub async fn click(&self, css: &str) {
        let start = Instant::now();
        loop {
            match self.find(css).await.click().await {
                Ok(()) => return,
                Err(e) if start.elapsed() > WAIT => panic!("click {css}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(150)).await,
            }
        }
    }

    /// Replaces the text of an input. Emptying it types a space and deletes it, so the
    /// page sees an input event.
    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.clear().await.unwrap_or_else(|e| panic!("clear {css}: {e}"));
        let keys = if text.is_empty() { " \u{E003}" } else { text };
        el.send_keys(keys).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    /// All texts of the elements matching `css`, right now.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for el in self.client.find_all(Locator::Css(css)).await.unwrap_or_default() {
            out.push(el.text().await.unwrap_or_default());
        }
        out
    }

    /// Waits until `check` holds for the texts of `css`; panics with what was seen.
    pub async fn wait_texts(&self, css: &str, what: &str, check: impl Fn(&[String]) -> bool) -> Vec<String> {
        let start = Instant::now();
        loop {
            let seen = self.texts(css).await;
            if check(&seen) {
                return seen;
            }
            if start.elapsed() > WAIT {
                let shot = self.failure_screenshot().await;
                panic!("waited for {what} in {css}; saw {seen:?} (screenshot: {shot})");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Chooses the option with `value` in the `<select>` matching `css`.
    pub async fn select(&self, css: &str, value: &str) {
        let el = self.find(css).await;
        el.select_by_value(value).await.unwrap_or_else(|e| panic!("choose {value} in {css}: {e}"));
    }

    /// All the text the page shows right now (what a reader of the screen sees).
    pub async fn page_text(&self) -> String {
        let text = self.client.execute("return document.body.innerText", vec![]).await.expect("the page's text");
        text.as_str().unwrap_or_default().to_owned()
    }

    /// The box of the first element matching `css` on the page: (x, y, width, height).
    pub async fn rect(&self, css: &str) -> (f64, f64, f64, f64) {
        self.find(css).await.rectangle().await.unwrap_or_else(|e| panic!("box of {css}: {e}"))
    }

    /// A PNG of the window, for looking at what a test saw.
    pub async fn screenshot(&self, path: &Path) {
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(path, png);
        }
    }
}

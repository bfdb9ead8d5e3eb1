//! Headless Chromium driven over the DevTools protocol, for the tests that need a real
//! browser: live reload (serve.rs) and layout on a phone's screen (reader.rs).

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use crate::support::{http, KillOnDrop};

/// The Chromium binary, if installed. Under CI it must be (`.ci/run` installs it).
pub fn chromium() -> Option<&'static str> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Chromium: .ci/run installs it"
        );
        eprintln!("SKIPPED: no Chromium on this machine (apt-get install chromium)");
    }
    found
}

/// Headless Chromium, driven over the DevTools protocol; killed when dropped.
pub struct Browser {
    _child: KillOnDrop,
    page: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub fn open(binary: &str, url: &str) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        let stderr = child.stderr.take().unwrap();
        let child = KillOnDrop(child);
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(i) = line.find("ws://127.0.0.1:") {
                    let _ = tx.send(line[i..].to_string());
                }
            }
        });
        let ws = rx.recv_timeout(Duration::from_secs(20)).expect("DevTools address");
        let port: u16 = ws["ws://127.0.0.1:".len()..]
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // Find the page's own DevTools socket.
        let deadline = Instant::now() + Duration::from_secs(20);
        let page_ws = loop {
            let body = http(port, "GET", "/json/list").body;
            let targets: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            let page = targets.as_array().and_then(|a| {
                a.iter()
                    .find(|t| t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.starts_with(url)))
                    .and_then(|t| t["webSocketDebuggerUrl"].as_str().map(str::to_owned))
            });
            if let Some(p) = page {
                break p;
            }
            assert!(Instant::now() < deadline, "no page target in {body}");
            std::thread::sleep(Duration::from_millis(100));
        };
        let (page, _) = tungstenite::connect(page_ws.as_str()).expect("DevTools socket");
        Browser {
            _child: child,
            page,
            next_id: 1,
            _profile: profile,
        }
    }

    /// Sends one DevTools command and returns its result.
    pub fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        let id = self.next_id;
        self.next_id += 1;
        let msg = serde_json::json!({"id": id, "method": method, "params": params});
        self.page.send(tungstenite::Message::text(msg.to_string())).unwrap();
        loop {
            let reply = self.page.read().expect("a DevTools reply");
            let Ok(text) = reply.into_text() else { continue };
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            if v["id"] == id {
                return v["result"].clone();
            }
        }
    }

    /// A phone's screen: `width` x `height` CSS pixels, touch, scale 3.
    pub fn phone(&mut self, width: u32, height: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": width, "height": height, "deviceScaleFactor": 3, "mobile": true}),
        );
    }

    /// Opens `url` and waits until it has loaded (fonts and layout included).
    pub fn goto(&mut self, url: &str) {
        self.call("Page.navigate", serde_json::json!({ "url": url }));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = self.eval(
                "(document.readyState === 'complete' && location.href === '__URL__' && document.fonts.status === 'loaded') ? 'yes' : 'no'"
                    .replace("__URL__", url)
                    .as_str(),
            );
            if ready == "yes" {
                return;
            }
            assert!(Instant::now() < deadline, "{url} did not load");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Evaluates a JavaScript expression in the page and returns its string value.
    pub fn eval(&mut self, expression: &str) -> String {
        let id = self.next_id;
        self.next_id += 1;
        let msg = serde_json::json!({
            "id": id,
            "method": "Runtime.evaluate",
            "params": {"expression": expression, "returnByValue": true},
        });
        self.page.send(tungstenite::Message::text(msg.to_string())).unwrap();
        loop {
            let reply = self.page.read().expect("a DevTools reply");
            let Ok(text) = reply.into_text() else { continue };
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            if v["id"] == id {
                return v["result"]["result"]["value"].as_str().unwrap_or_default().to_string();
            }
        }
    }

    /// Polls the page's text until it contains `needle` or the time is up.
    pub fn wait_for_text(&mut self, needle: &str, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self
                .eval("document.body ? document.body.innerText : ''")
                .contains(needle)
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }
}

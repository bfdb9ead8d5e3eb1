//! `impress serve` as a writer uses it: pages served over HTTP with the live-reload script,
//! edits pushed to open pages as reload events, a bad edit shown as an error while the
//! last good page keeps being served, and requests that try to leave the site refused.
//! Every connection is to 127.0.0.1, bounded in time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use crate::support::{report, SiteTest};

/// A running `impress serve`, killed when dropped.
struct Server {
    _child: KillOnDrop,
    port: u16,
    _stdout: Receiver<String>,
}

fn start(site: &SiteTest) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_impress"))
        .args(["serve", "--port", "0", "--root"])
        .arg(site.root())
        .env("TMPDIR", site.root().join(".serve-tmp"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("impress serve starts");
    std::fs::create_dir_all(site.root().join(".serve-tmp")).unwrap();
    let stdout = child.stdout.take().unwrap();
    // From here on a panic (no port printed, say) still stops the server.
    let child = KillOnDrop(child);
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut port = None;
    let mut built = false;
    while Instant::now() < deadline && !(port.is_some() && built) {
        let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        if let Some(rest) = line.strip_prefix("serving at http://127.0.0.1:") {
            port = rest.split('/').next().and_then(|p| p.parse().ok());
        }
        built |= line.starts_with("built ");
    }
    let port = port.expect("serve printed its address and built the site");
    Server {
        _child: child,
        port,
        _stdout: rx,
    }
}

/// One HTTP/1.1 request; returns status, headers and body.
fn request(port: u16, method: &str, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    // The server closes the connection after the response (Connection: close).
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// An open event stream; `wait_for` reads until the text arrives or the time is up.
struct Events(TcpStream, String);

impl Events {
    fn open(port: u16) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET /__impress/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        s.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
        let mut e = Events(s, String::new());
        e.wait_for("text/event-stream", Duration::from_secs(5));
        e
    }

    fn wait_for(&mut self, text: &str, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut buf = [0u8; 4096];
        while Instant::now() < deadline {
            if let Some(i) = self.1.find(text) {
                self.1.drain(..i + text.len());
                return true;
            }
            if let Ok(n) = self.0.read(&mut buf) {
                self.1.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
        false
    }
}

fn site() -> SiteTest {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Alpha report", "2025-05-01")
            .summary("The first takeaway.")
            .body("## Body\n\nText.\n"),
    );
    site.write("static/extra.css", "body { color: black; }\n");
    site
}

#[test]
fn serve_serves_pages_with_the_reload_script_and_404s() {
    let site = site();
    let server = start(&site);
    let (status, head, body) = request(server.port, "GET", "/reports/a/");
    assert_eq!(status, 200);
    assert!(head.to_ascii_lowercase().contains("content-type: text/html"), "{head}");
    assert!(body.contains("The first takeaway.") && body.contains("/__impress/events"));
    let (status, head, _) = request(server.port, "GET", "/extra.css");
    assert_eq!(status, 200);
    assert!(head.to_ascii_lowercase().contains("content-type: text/css"), "{head}");
    let (status, _, body) = request(server.port, "HEAD", "/reports/a/");
    assert_eq!((status, body.as_str()), (200, ""));
    let (status, _, body) = request(server.port, "GET", "/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "the site's 404.html is served");
    let (status, head, _) = request(server.port, "GET", "/tags");
    assert_eq!(status, 301, "a folder without its slash redirects");
    assert!(head.contains("Location: /tags/"), "{head}");
}

#[test]
fn serve_refuses_paths_that_leave_the_output() {
    let site = site();
    std::fs::write(site.root().join("secret.txt"), "top secret").unwrap();
    let server = start(&site);
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/reports/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "//etc/passwd",
        "/config.toml",
        "/content/a.md",
    ] {
        let (status, _, body) = request(server.port, "GET", path);
        assert_eq!(status, 404, "{path}");
        assert!(
            !body.contains("top secret") && !body.contains("root:"),
            "{path} leaked a file"
        );
    }
}

#[test]
fn an_edit_reloads_open_pages_with_the_new_text() {
    let site = site();
    let server = start(&site);
    let mut events = Events::open(server.port);
    site.write(
        "content/a.md",
        report("Alpha report", "2025-05-01")
            .summary("An edited takeaway.")
            .body("## Body\n\nText.\n"),
    );
    assert!(
        events.wait_for("event: reload", Duration::from_secs(10)),
        "no reload event"
    );
    let (_, _, body) = request(server.port, "GET", "/reports/a/");
    assert!(body.contains("An edited takeaway."));
}

#[test]
fn a_bad_edit_shows_the_error_and_keeps_the_last_good_page() {
    let site = site();
    let server = start(&site);
    let mut events = Events::open(server.port);
    site.write(
        "content/a.md",
        "+++\ntitle = \"Alpha report\"\ndate = 2025-05-01\nsummary = \"Broken.\"\n[[scores]]\narea = \"A\"\nscore = 11\n+++\n",
    );
    assert!(
        events.wait_for("event: build-error", Duration::from_secs(10)),
        "no error event"
    );
    assert!(
        events.wait_for("content/a.md:7:9", Duration::from_secs(2)),
        "the error names file and line"
    );
    let (status, _, body) = request(server.port, "GET", "/reports/a/");
    assert_eq!(status, 200);
    assert!(
        body.contains("The first takeaway."),
        "the last good page is still served"
    );
    site.write(
        "content/a.md",
        report("Alpha report", "2025-05-01")
            .summary("Fixed takeaway.")
            .body("## Body\n\nText.\n"),
    );
    assert!(
        events.wait_for("event: reload", Duration::from_secs(10)),
        "fixing the file reloads"
    );
    let (_, _, body) = request(server.port, "GET", "/reports/a/");
    assert!(body.contains("Fixed takeaway."));
}

#[test]
fn a_stylesheet_edit_swaps_css_without_a_reload() {
    let site = site();
    let server = start(&site);
    let mut events = Events::open(server.port);
    site.write("static/extra.css", "body { color: navy; }\n");
    assert!(events.wait_for("event: css", Duration::from_secs(10)), "no css event");
    let (_, _, body) = request(server.port, "GET", "/extra.css");
    assert!(body.contains("navy"));
}

#[test]
fn an_editor_save_by_rename_is_seen() {
    let site = site();
    let server = start(&site);
    let mut events = Events::open(server.port);
    let path = site.root().join("content/a.md");
    let tmp = site.root().join("content/.a.md.swp");
    std::fs::write(
        &tmp,
        report("Alpha report", "2025-05-01")
            .summary("Saved by rename.")
            .body("x\n")
            .to_string(),
    )
    .unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    assert!(
        events.wait_for("event: reload", Duration::from_secs(10)),
        "no reload event"
    );
    let (_, _, body) = request(server.port, "GET", "/reports/a/");
    assert!(body.contains("Saved by rename."));
}

/// The Chromium binary, if installed. Under CI it must be (`.ci/run` installs it).
fn chromium() -> Option<&'static str> {
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
struct Browser {
    _child: KillOnDrop,
    page: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    next_id: u64,
    _profile: tempfile::TempDir,
}

/// A child process killed when dropped, even when a test panics half-way through setup.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        // Best effort: the browser must not outlive the test.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Browser {
    fn open(binary: &str, url: &str) -> Browser {
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
            let (_, _, body) = request(port, "GET", "/json/list");
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

    /// Evaluates a JavaScript expression in the page and returns its string value.
    fn eval(&mut self, expression: &str) -> String {
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
    fn wait_for_text(&mut self, needle: &str, limit: Duration) -> bool {
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

#[test]
fn an_open_page_in_a_real_browser_shows_an_edit_without_a_manual_reload() {
    let Some(binary) = chromium() else { return };
    let site = site();
    let server = start(&site);
    let url = format!("http://127.0.0.1:{}/reports/a/", server.port);
    let mut browser = Browser::open(binary, &url);
    assert!(
        browser.wait_for_text("The first takeaway.", Duration::from_secs(20)),
        "the quick read loads"
    );
    // Give the page a moment to open its event stream, then mark the document: a reload
    // made by the page itself replaces it, a test never asks for one.
    std::thread::sleep(Duration::from_millis(500));
    browser.eval("window.__impressMarker = 'before'; 'ok'");
    site.write(
        "content/a.md",
        report("Alpha report", "2025-05-01")
            .summary("Seen live in the browser.")
            .body("## Body\n\nText.\n"),
    );
    assert!(
        browser.wait_for_text("Seen live in the browser.", Duration::from_secs(20)),
        "the open page shows the edit"
    );
    assert_eq!(
        browser.eval("String(window.__impressMarker)"),
        "undefined",
        "the page reloaded itself"
    );
}

//! Deployment proven on a real static host: the example site (this repository's
//! content/ and config.toml) built for a sub-path, served by nginx as it is (no rewrites),
//! and crawled: every page, asset, feed and alias answers, every internal link leads
//! somewhere, and a missing path gets a 404 with the site's own page.

use std::collections::{BTreeSet, VecDeque};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// The nginx process, stopped when the test ends however it ends.
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        // The process may have exited already; there is nothing to do about a failure here.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn nginx_binary() -> PathBuf {
    let found = [
        "/usr/sbin/nginx",
        "/usr/bin/nginx",
        "/usr/local/sbin/nginx",
        "/usr/local/bin/nginx",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!("nginx is not installed: this test serves the site with real nginx. Install it (`apt-get install -y nginx`; .ci/run does) and run the test again.")
    })
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    l.local_addr().expect("its address").port()
}

/// `location /impact/ { alias OUT/; }`, the 404 page, and every path nginx writes to in
/// `dir`, so that it runs as whoever runs the test.
fn start_nginx(dir: &Path, out: &Path, port: u16) -> Nginx {
    let d = dir.display();
    let conf = format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n  include /etc/nginx/mime.types;\n  types {{ application/feed+json json; }}\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  server {{\n    listen 127.0.0.1:{port};\n    location /impact/ {{ alias {}/; }}\n    error_page 404 /impact/404.html;\n  }}\n}}\n",
        out.display()
    );
    std::fs::write(dir.join("nginx.conf"), conf).expect("write nginx.conf");
    let child = Command::new(nginx_binary())
        .arg("-p")
        .arg(dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nginx");
    let nginx = Nginx(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nginx did not listen on port {port}: {}",
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    nginx
}

/// One GET: the status and the body.
fn get(port: u16, path: &str) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to nginx");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n").expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read the answer");
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP answer");
    let head = String::from_utf8_lossy(&raw[..end]);
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status code");
    (status, raw[end + 4..].to_vec())
}

/// Every path of the site a page, feed or sitemap points at: root-relative links of HTML
/// and absolute URLs under the site's base anywhere in the text (feeds, sitemaps, meta
/// refresh, JSON-LD).
fn internal_links(text: &str, is_html: bool, base: &str, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    if is_html {
        let html = scraper::Html::parse_document(text);
        for el in select(&html, "[href], [src]") {
            for attr in ["href", "src"] {
                if let Some(v) = el.value().attr(attr) {
                    if v.starts_with('/') && !v.starts_with("//") {
                        found.push(v.to_string());
                    }
                }
            }
        }
    }
    let mut rest = text;
    while let Some(i) = rest.find(base) {
        let tail = &rest[i + base.len()..];
        let end = tail
            // The end of a URL in HTML, escaped XML (`&quot;`) or JSON (`\"`): impress's
            // own URLs never hold these characters.
            .find(|c: char| matches!(c, '"' | '<' | '\'' | ')' | '&' | '\\') || c.is_whitespace())
            .unwrap_or(tail.len());
        found.push(format!("{prefix}{}", &tail[..end]));
        rest = &tail[end..];
    }
    found
        .into_iter()
        .map(|l| l.split(['#', '?']).next().unwrap_or_default().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_example_site_served_by_nginx_under_a_sub_path_has_no_broken_links() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir().expect("temp folder");
    let out = scratch.path().join("out");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}/impact/");
    let run = Command::new(env!("CARGO_BIN_EXE_impress"))
        .args(["build", "--base-url", &base, "--output"])
        .arg(&out)
        .arg("--root")
        .arg(repo)
        .env("NO_COLOR", "1")
        .output()
        .expect("run impress");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let _nginx = start_nginx(scratch.path(), &out, port);

    // Every file of the output, then everything they link to.
    let mut queue: VecDeque<String> = output_tree(&out)
        .into_iter()
        .map(|(rel, _)| rel)
        .filter(|rel| !rel.starts_with('.'))
        .map(|rel| format!("/impact/{}", rel.strip_suffix("index.html").unwrap_or(&rel)))
        .collect();
    assert!(
        queue.iter().any(|p| p == "/impact/2025/10/first-shipment/"),
        "the example has an alias"
    );
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    let mut broken = Vec::new();
    let mut fetched = 0;
    while let Some(path) = queue.pop_front() {
        let (status, body) = get(port, &path);
        fetched += 1;
        if status != 200 {
            broken.push(format!("{path}: {status}"));
            continue;
        }
        let text = String::from_utf8_lossy(&body);
        let is_html = path.ends_with('/') || path.ends_with(".html");
        for link in internal_links(&text, is_html, &base, "/impact/") {
            if !link.starts_with("/impact/") {
                broken.push(format!("{path} links outside the site's path: {link}"));
            } else if seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(fetched > 100, "crawled {fetched} paths");

    let (status, body) = get(port, "/impact/no-such-report/");
    assert_eq!(status, 404);
    let page = scraper::Html::parse_document(&String::from_utf8_lossy(&body));
    let title = select(&page, "title").first().map(|t| text(*t)).unwrap_or_default();
    assert!(
        title.starts_with("Page not found"),
        "the site's 404 page, got title {title:?}"
    );
}

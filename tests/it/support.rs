//! `SiteTest`: a site in a temporary folder, the real `impress` binary run on it, and
//! helpers to read what it wrote the way a consumer would (HTML parser, feed parser).
//! `serve` and `watch` run as processes (`Running`, `Served`), read over HTTP (`http`,
//! `Events`) and stopped with Ctrl+C as a writer stops them.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fmt::{self, Display};
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use scraper::{ElementRef, Html, Selector};
use tempfile::TempDir;

/// The config most inline tests start from. The disclaimer is checked on every page.
pub const CONFIG: &str = r#"title = "Impact Test Review"
base_url = "https://example.com/"
description = "A site made by a test."
language = "en"
theme = "default"
paginate = 10
disclaimer = "Test disclaimer: not investment advice."

[feed]
limit = 20
"#;

/// The disclaimer of [`CONFIG`].
pub const DISCLAIMER: &str = "Test disclaimer: not investment advice.";

/// A site folder that lives as long as the test.
pub struct SiteTest {
    dir: TempDir,
    fixture: Option<PathBuf>,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Panics unless the run exited 0.
    #[track_caller]
    pub fn assert_ok(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "impress failed\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics unless the run exited 1 (content errors).
    #[track_caller]
    pub fn assert_failed(&self) -> &Run {
        assert_eq!(
            self.code, 1,
            "impress should have failed with exit code 1\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics unless stderr has a line starting with `line` (e.g.
    /// "content/a.md:4:1: error: unknown field `sumary`, did you mean `summary`?").
    #[track_caller]
    pub fn assert_error_line(&self, line: &str) -> &Run {
        assert!(
            self.stderr.lines().any(|l| l.starts_with(line)),
            "stderr has no line starting with\n  {line}\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    /// Panics unless stderr contains `text`.
    #[track_caller]
    pub fn assert_stderr_contains(&self, text: &str) -> &Run {
        assert!(
            self.stderr.contains(text),
            "stderr does not contain {text:?}\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    /// The `path:line:col: error: ...` lines of stderr.
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr.lines().filter(|l| l.contains(": error: ")).collect()
    }
}

impl SiteTest {
    /// An empty folder: no config, no content.
    pub fn empty() -> SiteTest {
        SiteTest {
            dir: tempfile::Builder::new()
                .prefix("impress-test-")
                .tempdir()
                .expect("a temp folder"),
            fixture: None,
        }
    }

    /// A site with [`CONFIG`] and an empty `content/`. No `themes/` folder: the built-in
    /// default theme is used.
    pub fn new() -> SiteTest {
        let site = SiteTest::empty();
        site.write("config.toml", CONFIG);
        fs::create_dir_all(site.root().join("content")).expect("content folder");
        site
    }

    /// A copy of `tests/fixtures/<name>/` (for example `site/small`), without its
    /// `expected/` folder.
    pub fn from_fixture(name: &str) -> SiteTest {
        let from = fixtures_dir().join(name);
        assert!(from.is_dir(), "no fixture folder {}", from.display());
        let site = SiteTest::empty();
        copy_dir(&from, site.root(), &["expected"]);
        SiteTest {
            fixture: Some(from),
            ..site
        }
    }

    /// The site folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file of the site (parent folders made as needed).
    pub fn write(&self, path: &str, text: impl Display) -> &SiteTest {
        let p = self.root().join(path);
        fs::create_dir_all(p.parent().expect("a file has a parent")).expect("create folders");
        fs::write(&p, text.to_string()).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        self
    }

    /// Writes raw bytes (for encoding tests).
    pub fn write_bytes(&self, path: &str, bytes: &[u8]) -> &SiteTest {
        let p = self.root().join(path);
        fs::create_dir_all(p.parent().expect("a file has a parent")).expect("create folders");
        fs::write(&p, bytes).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        self
    }

    /// Removes a file of the site.
    pub fn remove(&self, path: &str) -> &SiteTest {
        fs::remove_file(self.root().join(path)).unwrap_or_else(|e| panic!("remove {path}: {e}"));
        self
    }

    /// Runs `impress <args> --root <site>` and collects what it said.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(&[], args)
    }

    /// Runs `impress <args> --root <site>` with these environment variables set.
    pub fn run_env(&self, vars: &[(&str, &str)], args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_impress"))
            .args(args)
            .arg("--root")
            .arg(self.root())
            .current_dir(self.root())
            .env("NO_COLOR", "1")
            .envs(vars.iter().copied())
            .output()
            .expect("run the impress binary");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs `impress <args> --root <site>/<sub>` (for sites made by `impress init`).
    pub fn run_at(&self, sub: &str, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_impress"))
            .args(args)
            .arg("--root")
            .arg(self.root().join(sub))
            .current_dir(self.root())
            .env("NO_COLOR", "1")
            .output()
            .expect("run the impress binary");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `impress build`, which must succeed.
    #[track_caller]
    pub fn build(&self) -> Run {
        self.build_with(&[])
    }

    /// `impress build <args>`, which must succeed.
    #[track_caller]
    pub fn build_with(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        run.assert_ok();
        run
    }

    /// `impress build <args>`, whatever happens.
    pub fn try_build(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// The output folder.
    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    /// The output file for a site path: `reports/a/` -> `public/reports/a/index.html`,
    /// `rss.xml` -> `public/rss.xml`, `` -> `public/index.html`.
    pub fn out(&self, path: &str) -> PathBuf {
        // A static host ignores the query string (`style.css?v=...`).
        let path = path.split('?').next().unwrap_or(path);
        let path = path.trim_start_matches('/');
        if path.is_empty() || path.ends_with('/') {
            self.public().join(format!("{path}index.html"))
        } else {
            self.public().join(path)
        }
    }

    /// True when the output has the file of `path` (see [`SiteTest::out`]).
    pub fn exists(&self, path: &str) -> bool {
        self.out(path).is_file()
    }

    /// The text of an output file.
    #[track_caller]
    pub fn read(&self, path: &str) -> String {
        let p = self.out(path);
        fs::read_to_string(&p).unwrap_or_else(|e| {
            panic!(
                "cannot read output {} ({e}); the output has:\n{}",
                p.display(),
                self.output_files().join("\n")
            )
        })
    }

    /// An output page, parsed.
    #[track_caller]
    pub fn page(&self, path: &str) -> Html {
        Html::parse_document(&self.read(path))
    }

    /// A feed of the output, parsed with feed-rs.
    #[track_caller]
    pub fn feed(&self, path: &str) -> feed_rs::model::Feed {
        let text = self.read(path);
        feed_rs::parser::parse(text.as_bytes())
            .unwrap_or_else(|e| panic!("{path} does not parse as a feed: {e}\n{text}"))
    }

    /// A JSON file of the output.
    #[track_caller]
    /// Every report of the search index's document shards (search.rs), newest first, as
    /// `{title, url, date, summary, tickers, areas}`.
    pub fn search_docs(&self) -> Vec<serde_json::Value> {
        let meta = self.json("search/index.json");
        let shards = meta["reports"]
            .as_u64()
            .expect("reports")
            .div_ceil(meta["docs"].as_u64().expect("docs"));
        (0..shards.max(1))
            .flat_map(|i| {
                let shard = self.json(&format!("search/docs/{i}.json"));
                shard.as_array().expect("a shard is an array").clone()
            })
            .map(|d| {
                serde_json::json!({
                    "title": d[0], "url": d[1], "date": d[2], "summary": d[3], "tickers": d[4], "areas": d[5],
                })
            })
            .collect()
    }

    pub fn json(&self, path: &str) -> serde_json::Value {
        let text = self.read(path);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}\n{text}"))
    }

    /// Every file of the output, relative, `/`-separated, sorted.
    pub fn output_files(&self) -> Vec<String> {
        let mut files = Vec::new();
        if self.public().is_dir() {
            walk(&self.public(), &self.public(), &mut files);
        }
        files.sort();
        files
    }

    /// Every HTML file of the output, relative.
    pub fn html_files(&self) -> Vec<String> {
        self.output_files()
            .into_iter()
            .filter(|f| f.ends_with(".html"))
            .collect()
    }

    /// Compares output files with the fixture's `expected/` copies: HTML by the inside of
    /// `<main>` (whitespace squeezed), JSON pretty-printed, anything else as text.
    /// `IMPRESS_BLESS=1` rewrites the expected files. An expected file not in `paths`
    /// fails, so a stale golden file cannot linger unnoticed.
    #[track_caller]
    pub fn assert_golden(&self, paths: &[&str]) {
        let fixture = self.fixture.as_ref().expect("golden files need a fixture");
        let expected_dir = fixture.join("expected");
        let bless = std::env::var_os("IMPRESS_BLESS").is_some_and(|v| v == "1");
        let mut failures = Vec::new();
        let mut wanted = BTreeSet::new();
        for path in paths {
            let file = self.out(path);
            let rel = file.strip_prefix(self.public()).expect("output path").to_path_buf();
            wanted.insert(rel.to_string_lossy().replace('\\', "/"));
            let actual = normalise_for_golden(&rel, &self.read(path));
            let expected_path = expected_dir.join(&rel);
            if bless {
                fs::create_dir_all(expected_path.parent().expect("parent")).expect("create expected/");
                fs::write(&expected_path, &actual).expect("write expected file");
                continue;
            }
            match fs::read_to_string(&expected_path) {
                Ok(expected) if expected == actual => {}
                Ok(expected) => failures.push(format!(
                    "{} differs from {}\n--- expected\n{expected}\n--- actual\n{actual}",
                    rel.display(),
                    expected_path.display()
                )),
                Err(_) => failures.push(format!(
                    "no expected file {} (run with IMPRESS_BLESS=1 to write it)",
                    expected_path.display()
                )),
            }
        }
        let mut present = Vec::new();
        if expected_dir.is_dir() {
            walk(&expected_dir, &expected_dir, &mut present);
        }
        for p in present {
            if !wanted.contains(&p) {
                failures.push(format!("expected/{p} matches no output file this test compares"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }
}

fn normalise_for_golden(rel: &Path, text: &str) -> String {
    match rel.extension().and_then(|e| e.to_str()) {
        Some("html") => {
            let html = Html::parse_document(text);
            let main = select(&html, "main");
            let inner = main.first().map(|m| m.inner_html()).unwrap_or_default();
            let mut out = squeeze(&inner.replace('>', ">\n"));
            out.push('\n');
            out
        }
        Some("json") => {
            let v: serde_json::Value = serde_json::from_str(text).expect("JSON output");
            let mut out = serde_json::to_string_pretty(&v).expect("JSON");
            out.push('\n');
            out
        }
        _ => text.to_string(),
    }
}

/// Lines trimmed, blank lines dropped.
fn squeeze(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every file of an output folder with its bytes, sorted by relative path; the marker
/// file (impress's own bookkeeping) and a `.gitkeep` placeholder are left out.
pub fn output_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    if dir.is_dir() {
        walk(dir, dir, &mut files);
    }
    files.retain(|f| f != ".impress-output" && f != ".gitkeep");
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let bytes = fs::read(dir.join(&f)).expect("read output file");
            (f, bytes)
        })
        .collect()
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in fs::read_dir(dir).expect("read folder") {
        let entry = entry.expect("folder entry");
        let path = entry.path();
        if path.is_dir() {
            walk(base, &path, out);
        } else {
            out.push(
                path.strip_prefix(base)
                    .expect("under base")
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

fn copy_dir(from: &Path, to: &Path, skip_top: &[&str]) {
    fs::create_dir_all(to).expect("create folder");
    for entry in fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("fixture entry");
        let name = entry.file_name();
        if skip_top.iter().any(|s| name == *s) {
            continue;
        }
        let src = entry.path();
        let dst = to.join(&name);
        if src.is_dir() {
            copy_dir(&src, &dst, &[]);
        } else {
            fs::copy(&src, &dst).expect("copy fixture file");
        }
    }
}

/// `tests/fixtures/`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

// ---------------------------------------------------------------------------------------
// Writing reports

/// A report's source text, built field by field. Top-level keys go before tables, as TOML
/// needs.
#[derive(Clone)]
pub struct ReportText {
    keys: Vec<String>,
    tables: Vec<String>,
    body: String,
}

/// A report with `title`, `date` and a summary derived from the title.
pub fn report(title: &str, date: &str) -> ReportText {
    ReportText {
        keys: vec![format!("title = {}", toml_str(title)), format!("date = {date}")],
        tables: Vec::new(),
        body: String::new(),
    }
    .summary(&format!("Summary of {title}."))
}

impl ReportText {
    /// Sets the summary.
    pub fn summary(mut self, summary: &str) -> ReportText {
        self.keys.retain(|k| !k.starts_with("summary = "));
        self.keys.push(format!("summary = {}", toml_str(summary)));
        self
    }

    /// Adds top-level TOML lines (`tags = ["x"]`).
    pub fn keys(mut self, toml: &str) -> ReportText {
        self.keys.push(toml.trim().to_string());
        self
    }

    /// Sets the tags.
    pub fn tags(self, tags: &[&str]) -> ReportText {
        let list: Vec<String> = tags.iter().map(|t| toml_str(t)).collect();
        self.keys(&format!("tags = [{}]", list.join(", ")))
    }

    /// Marks the report a draft.
    pub fn draft(self) -> ReportText {
        self.keys("draft = true")
    }

    /// Adds a table (`[[scores]]\narea = ...`).
    pub fn table(mut self, toml: &str) -> ReportText {
        self.tables.push(toml.trim().to_string());
        self
    }

    /// Adds an impact score.
    pub fn score(self, area: &str, score: u8) -> ReportText {
        self.table(&format!("[[scores]]\narea = {}\nscore = {score}", toml_str(area)))
    }

    /// Sets the Markdown body.
    pub fn body(mut self, markdown: &str) -> ReportText {
        self.body = markdown.to_string();
        self
    }
}

impl Display for ReportText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "+++")?;
        for k in &self.keys {
            writeln!(f, "{k}")?;
        }
        for t in &self.tables {
            writeln!(f, "\n{t}")?;
        }
        writeln!(f, "+++")?;
        if !self.body.is_empty() {
            writeln!(f)?;
            write!(f, "{}", self.body)?;
            if !self.body.ends_with('\n') {
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

/// A TOML basic string.
pub fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------
// Reading HTML

/// Every element matching `css`.
#[track_caller]
pub fn select<'a>(html: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    let sel = Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css:?}: {e:?}"));
    html.select(&sel).collect()
}

/// Every element matching `css` inside `el`.
#[track_caller]
pub fn select_in<'a>(el: ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    let sel = Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css:?}: {e:?}"));
    el.select(&sel).collect()
}

/// An element's text, whitespace squeezed to single spaces.
pub fn text(el: ElementRef<'_>) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of `<main>` (or the whole body when there is none), whitespace squeezed.
pub fn main_text(html: &Html) -> String {
    select(html, "main")
        .into_iter()
        .next()
        .or_else(|| select(html, "body").into_iter().next())
        .map(text)
        .unwrap_or_default()
}

/// The text of the whole document, whitespace squeezed.
pub fn page_text(html: &Html) -> String {
    text(html.root_element())
}

/// Every URL the page points at: `href`, `src` and form `action`, in document order.
pub fn links(html: &Html) -> Vec<String> {
    let mut out = Vec::new();
    for el in select(html, "[href], [src], form[action]") {
        for attr in ["href", "src", "action"] {
            if let Some(v) = el.value().attr(attr) {
                out.push(v.to_string());
            }
        }
    }
    out
}

/// The `href`s of `<a>` elements inside `<main>`.
pub fn main_links(html: &Html) -> Vec<String> {
    select(html, "main a[href]")
        .into_iter()
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect()
}

/// The titles of the reports of a listing, in order: the headline link of each item of
/// the list in `<main>` that has one.
pub fn card_titles(html: &Html) -> Vec<String> {
    select(html, "main li")
        .into_iter()
        .filter_map(|card| select_in(card, "h2 a, h3 a").into_iter().next().map(text))
        .collect()
}

/// Panics when a `<script>` element of the page contains `needle`, or when an element
/// carries an event-handler attribute: hostile text must never become live markup.
#[track_caller]
pub fn assert_no_live_script(html: &Html, needle: &str, what: &str) {
    for s in select(html, "script") {
        let code = s.text().collect::<String>();
        assert!(
            !code.contains(needle) || is_json_ld(s),
            "{what}: a <script> element runs {needle:?}:\n{}",
            s.html()
        );
    }
    for el in html.root_element().descendent_elements() {
        for (name, _) in el.value().attrs() {
            assert!(
                !name.starts_with("on"),
                "{what}: element <{}> has an event handler attribute `{name}`",
                el.value().name()
            );
        }
    }
}

/// JSON-LD is data, not code: it may hold the hostile text as a JSON string, provided it
/// parses as JSON.
fn is_json_ld(script: ElementRef<'_>) -> bool {
    script.value().attr("type") == Some("application/ld+json")
        && serde_json::from_str::<serde_json::Value>(&script.text().collect::<String>()).is_ok()
}

/// The JSON-LD blocks of a page, parsed.
#[track_caller]
pub fn json_ld(html: &Html) -> Vec<serde_json::Value> {
    select(html, "script[type=\"application/ld+json\"]")
        .into_iter()
        .map(|s| {
            let code = s.text().collect::<String>();
            serde_json::from_str(&code).unwrap_or_else(|e| panic!("JSON-LD does not parse: {e}\n{code}"))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Reading sitemap.xml

/// The `(loc, lastmod)` pairs of a sitemap, in order.
pub fn sitemap_entries(xml: &str) -> Vec<(String, Option<String>)> {
    let between = |s: &str, open: &str, close: &str| -> Option<String> {
        let start = s.find(open)? + open.len();
        let end = s[start..].find(close)? + start;
        Some(s[start..end].trim().to_string())
    };
    xml.split("<url>")
        .skip(1)
        .map(|u| {
            let u = u.split("</url>").next().unwrap_or(u);
            (
                between(u, "<loc>", "</loc>").unwrap_or_default(),
                between(u, "<lastmod>", "</lastmod>"),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Running `impress serve` and `impress watch`, and talking HTTP to them

/// A child process killed when dropped, even when a test panics half-way through setup.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        // Best effort: the process must not outlive the test; it may have ended already.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Which stream a line of a running command came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output: what was built, where it is served.
    Stdout,
    /// Standard error: errors and warnings.
    Stderr,
}

/// A running `impress serve` or `impress watch` on a site, with the site's own TMPDIR
/// (`<site>/.serve-tmp`, so serve's folder is found and nothing leaks into /tmp). Stop
/// it as a writer does with [`Running::stop`] (Ctrl+C); it is killed if it outlives the
/// test.
pub struct Running {
    child: KillOnDrop,
    lines: Receiver<(Stream, String)>,
    /// Every line read so far, in order.
    pub seen: Vec<(Stream, String)>,
}

impl SiteTest {
    /// The TMPDIR that [`SiteTest::start`] gives the command.
    pub fn serve_tmp(&self) -> PathBuf {
        self.root().join(".serve-tmp")
    }

    /// Starts `impress <args> --root <site>`.
    pub fn start(&self, args: &[&str]) -> Running {
        let tmp = self.serve_tmp();
        fs::create_dir_all(&tmp).expect("the test's TMPDIR");
        let mut child = Command::new(env!("CARGO_BIN_EXE_impress"))
            .args(args)
            .arg("--root")
            .arg(self.root())
            .current_dir(self.root())
            .env("TMPDIR", &tmp)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("impress starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        // From here on a panic (no port printed, say) still stops the process.
        let child = KillOnDrop(child);
        let (tx, rx) = channel();
        for (stream, pipe) in [
            (Stream::Stdout, Box::new(stdout) as Box<dyn Read + Send>),
            (Stream::Stderr, Box::new(stderr)),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if tx.send((stream, line)).is_err() {
                        break;
                    }
                }
            });
        }
        Running {
            child,
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// `impress serve --port 0 <args>`, once it has printed its address and its first
    /// build ("built ..." or the errors of a failed one).
    pub fn serve(&self, args: &[&str]) -> Served {
        let mut all = vec!["serve", "--port", "0"];
        all.extend_from_slice(args);
        let mut running = self.start(&all);
        let line = running.wait_for(Stream::Stdout, "serving at http://127.0.0.1:");
        let port = line
            .trim_start_matches("serving at http://127.0.0.1:")
            .split('/')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        running.wait_until(|stream, line| {
            (stream == Stream::Stdout && line.starts_with("built "))
                || (stream == Stream::Stderr && line.contains(" serve"))
        });
        Served { running, port }
    }
}

/// How long a test waits for a line or an event before it fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

impl Running {
    /// Waits for a line of `stream` that starts with `prefix`; returns it.
    #[track_caller]
    pub fn wait_for(&mut self, stream: Stream, prefix: &str) -> String {
        self.wait_until(|s, line| s == stream && line.starts_with(prefix))
    }

    /// Waits for a line of `stream` that contains `text`; returns it.
    #[track_caller]
    pub fn wait_for_text(&mut self, stream: Stream, text: &str) -> String {
        self.wait_until(|s, line| s == stream && line.contains(text))
    }

    /// A line of `stream` containing `text`, read already or waited for. Lines of stdout
    /// and stderr come through two pipes, so a warning printed before "built ..." may be
    /// read after it.
    #[track_caller]
    pub fn saw_or_wait(&mut self, stream: Stream, text: &str) -> String {
        let seen = self.seen.iter().find(|(s, l)| *s == stream && l.contains(text));
        match seen {
            Some((_, line)) => line.clone(),
            None => self.wait_for_text(stream, text),
        }
    }

    /// Waits for a line that `wanted` accepts; returns it.
    #[track_caller]
    pub fn wait_until(&mut self, wanted: impl Fn(Stream, &str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Ok((stream, line)) = self.lines.recv_timeout(Duration::from_millis(100)) {
                self.seen.push((stream, line.clone()));
                if wanted(stream, &line) {
                    return line;
                }
            }
        }
        panic!("the line waited for never came; saw:\n{}", self.transcript());
    }

    /// Every line read so far, stderr's marked `!`.
    pub fn transcript(&self) -> String {
        self.seen
            .iter()
            .map(|(s, l)| match s {
                Stream::Stdout => format!("  {l}\n"),
                Stream::Stderr => format!("! {l}\n"),
            })
            .collect()
    }

    /// The lines of `stream` read so far.
    pub fn lines_of(&self, stream: Stream) -> Vec<&str> {
        self.seen
            .iter()
            .filter(|(s, _)| *s == stream)
            .map(|(_, l)| l.as_str())
            .collect()
    }

    /// True while the process has not ended.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.0.try_wait(), Ok(None))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.0.id()
    }

    /// Ctrl+C (SIGINT), then waits for the process to end.
    #[track_caller]
    pub fn stop(self) {
        self.signal("-INT");
    }

    /// SIGTERM (what a service manager or `kill` sends), then waits for the process to end.
    #[track_caller]
    pub fn terminate(self) {
        self.signal("-TERM");
    }

    #[track_caller]
    fn signal(mut self, signal: &str) {
        let pid = self.pid().to_string();
        let sent = Command::new("kill").args([signal, &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill {signal} {pid}");
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if self.child.0.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("impress did not stop on kill {signal}");
    }
}

/// A running `impress serve` and the port it listens on.
pub struct Served {
    /// The process.
    pub running: Running,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Served {
    /// `GET path`.
    pub fn get(&self, path: &str) -> Response {
        http(self.port, "GET", path)
    }

    /// The live-reload event stream, open.
    pub fn events(&self) -> Events {
        Events::open(self.port)
    }

    /// Ctrl+C, then waits for the process to end.
    pub fn stop(self) {
        self.running.stop();
    }
}

/// One HTTP response.
#[derive(Debug)]
pub struct Response {
    /// The status code (0 when the answer was not HTTP).
    pub status: u16,
    /// The status line and headers.
    pub head: String,
    /// The body, as text.
    pub body: String,
}

impl Response {
    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// One HTTP/1.1 request to 127.0.0.1, bounded in time.
pub fn http(port: u16, method: &str, path: &str) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("a read timeout");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .expect("send the request");
    let mut raw = Vec::new();
    // The server closes the connection after the response (Connection: close); a time-out
    // leaves what came so far.
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    Response {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// An open live-reload event stream; `wait_for` reads until the text arrives.
pub struct Events(TcpStream, String);

impl Events {
    /// Opens the stream of the server on `port`.
    pub fn open(port: u16) -> Events {
        Events::open_at(port, "/__impress/events")
    }

    /// Opens the stream at `url` (as a page's script names it in `data-events`).
    pub fn open_at(port: u16, url: &str) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
        write!(s, "GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").expect("send the request");
        s.set_read_timeout(Some(Duration::from_millis(100)))
            .expect("a read timeout");
        let mut e = Events(s, String::new());
        assert!(e.wait_for("text/event-stream"), "no event stream");
        e
    }

    /// Reads until `text` arrives (true) or [`PATIENCE`] runs out (false); what came
    /// before it is consumed.
    pub fn wait_for(&mut self, text: &str) -> bool {
        let deadline = Instant::now() + PATIENCE;
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

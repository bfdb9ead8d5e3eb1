//! `impress serve` as a writer uses it: pages served over HTTP with the live-reload script,
//! edits pushed to open pages as reload events, a bad edit shown as an error while the
//! last good page keeps being served, a first build that fails shown on every page until
//! it is fixed, a folder of its own for each run (removed when it stops), and requests
//! that try to leave the site refused. Every connection is to 127.0.0.1, bounded in time.

use std::time::Duration;

use crate::browser::{chromium, Browser};
use crate::support::{http, report, select, Events, SiteTest, Stream};

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

/// A report with a score of 11: line 7, column 9 is the `11`.
const BROKEN: &str =
    "+++\ntitle = \"Alpha report\"\ndate = 2025-05-01\nsummary = \"Broken.\"\n[[scores]]\narea = \"A\"\nscore = 11\n+++\n";

fn fixed() -> String {
    report("Alpha report", "2025-05-01")
        .summary("Fixed takeaway.")
        .body("## Body\n\nText.\n")
        .to_string()
}

#[test]
fn serve_serves_pages_with_the_reload_script_and_404s() {
    let site = site();
    let server = site.serve(&[]);
    let r = server.get("/reports/a/");
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type").is_some_and(|t| t.starts_with("text/html")),
        "{}",
        r.head
    );
    assert!(r.body.contains("The first takeaway.") && r.body.contains("/__impress/events"));
    let r = server.get("/extra.css");
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type").is_some_and(|t| t.starts_with("text/css")),
        "{}",
        r.head
    );
    let r = http(server.port, "HEAD", "/reports/a/");
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    let r = server.get("/no/such/page/");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("Page not found"), "the site's 404.html is served");
    let r = server.get("/tags");
    assert_eq!(r.status, 301, "a folder without its slash redirects");
    assert_eq!(r.header("location"), Some("/tags/"), "{}", r.head);
    let r = server.get("/reports/%61/");
    assert!(
        r.status == 200 && r.body.contains("The first takeaway."),
        "a %-encoded path is decoded"
    );
}

#[test]
fn files_are_served_with_the_content_type_of_their_kind() {
    let site = site();
    site.write("static/data/prices.csv", "date,close\n2025-05-01,10\n");
    site.write("static/report.pdf", "%PDF-1.4\n");
    site.write("static/notes.txt", "notes\n");
    let server = site.serve(&[]);
    for (path, want) in [
        ("/data/prices.csv", "text/csv"),
        ("/report.pdf", "application/pdf"),
        ("/notes.txt", "text/plain"),
        ("/rss.xml", "xml"),
        ("/search/index.json", "application/json"),
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 200, "{path}");
        let got = r.header("content-type").unwrap_or_default();
        assert!(got.contains(want), "{path} is served as {got:?}, not {want}");
    }
}

#[test]
fn serve_refuses_paths_that_leave_the_output() {
    let site = site();
    std::fs::write(site.root().join("secret.txt"), "top secret").unwrap();
    let server = site.serve(&[]);
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/reports/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "//etc/passwd",
        "/config.toml",
        "/content/a.md",
        "/%ff%fe/",
        "/%00",
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(
            !r.body.contains("top secret") && !r.body.contains("root:"),
            "{path} leaked a file"
        );
    }
}

#[test]
fn an_edit_reloads_open_pages_with_the_new_text() {
    let site = site();
    let server = site.serve(&[]);
    let mut events = server.events();
    site.write(
        "content/a.md",
        report("Alpha report", "2025-05-01")
            .summary("An edited takeaway.")
            .body("## Body\n\nText.\n"),
    );
    assert!(events.wait_for("event: reload"), "no reload event");
    assert!(server.get("/reports/a/").body.contains("An edited takeaway."));
}

#[test]
fn a_bad_edit_shows_the_error_and_keeps_the_last_good_page() {
    let site = site();
    let mut server = site.serve(&[]);
    let mut events = server.events();
    site.write("content/a.md", BROKEN);
    assert!(events.wait_for("event: build-error"), "no error event");
    assert!(events.wait_for("content/a.md:7:9"), "the error names file and line");
    let r = server.get("/reports/a/");
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("The first takeaway."),
        "the last good page is still served"
    );
    server
        .running
        .wait_for(Stream::Stderr, "the last good site is still being served");
    site.write("content/a.md", fixed());
    assert!(events.wait_for("event: reload"), "fixing the file reloads");
    assert!(server.get("/reports/a/").body.contains("Fixed takeaway."));
}

#[test]
fn a_failed_first_build_serves_its_errors_and_fixing_the_file_shows_the_site() {
    let site = site();
    site.write("content/a.md", BROKEN);
    let mut server = site.serve(&[]);
    server
        .running
        .saw_or_wait(Stream::Stderr, "there is no site to serve yet");
    let terminal = server.running.lines_of(Stream::Stderr).join("\n");
    assert!(
        !terminal.contains("last good site"),
        "there is no last good site:\n{terminal}"
    );
    for path in ["/", "/reports/a/"] {
        let r = server.get(path);
        assert_eq!(r.status, 500, "{path}");
        assert!(
            r.header("content-type").is_some_and(|t| t.starts_with("text/html")),
            "{}",
            r.head
        );
        let page = scraper::Html::parse_document(&r.body);
        let errors: String = select(&page, "pre").iter().flat_map(|e| e.text()).collect();
        assert!(
            errors.contains("content/a.md:7:9: error: a score must be a whole number from 1 to 10, found `11`"),
            "{path}: {errors}"
        );
        assert!(errors.contains("7 | score = 11") && errors.contains('^'), "{errors}");
        // The same text as the terminal, line for line, caret included.
        for line in terminal.lines().take_while(|l| !l.starts_with("there is no site")) {
            assert!(
                errors.lines().any(|e| e == line),
                "{path}: the page lacks {line:?}:\n{errors}"
            );
        }
        assert!(
            r.body.contains("/__impress/events"),
            "{path}: the page listens for a fix"
        );
    }

    let mut events = server.events();
    site.write("content/a.md", fixed());
    assert!(events.wait_for("event: reload"), "fixing the file reloads open pages");
    server.running.wait_for(Stream::Stdout, "built ");
    let r = server.get("/reports/a/");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Fixed takeaway."), "the site is served once it builds");
}

#[test]
fn an_error_page_that_begins_listening_after_the_fix_still_reloads() {
    let site = site();
    site.write("content/a.md", BROKEN);
    let mut server = site.serve(&[]);
    let r = server.get("/");
    assert_eq!(r.status, 500);
    let page = scraper::Html::parse_document(&r.body);
    let events_url = select(&page, "script[data-events]")
        .first()
        .and_then(|s| s.value().attr("data-events"))
        .expect("the page's script names its event stream")
        .to_string();
    // The fix is built before the page's script gets to listen (a slow browser).
    site.write("content/a.md", fixed());
    server.running.wait_for(Stream::Stdout, "built ");
    let mut events = Events::open_at(server.port, &events_url);
    assert!(events.wait_for("event: reload"), "the error page is told to reload");
}

/// The folders `serve` made under the test's TMPDIR.
fn serve_folders(site: &SiteTest) -> Vec<String> {
    std::fs::read_dir(site.serve_tmp())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn serve_removes_its_folder_on_ctrl_c_and_on_sigterm() {
    let site = site();
    let server = site.serve(&[]);
    assert_eq!(serve_folders(&site).len(), 1, "serve builds into a folder of its own");
    server.stop();
    assert_eq!(serve_folders(&site), Vec::<String>::new(), "Ctrl+C removes the folder");

    let server = site.serve(&[]);
    assert_eq!(serve_folders(&site).len(), 1);
    server.running.terminate();
    assert_eq!(serve_folders(&site), Vec::<String>::new(), "SIGTERM removes the folder");
}

#[test]
fn a_second_run_never_serves_the_site_of_the_first() {
    let site = site();
    let first = site.serve(&[]);
    let first_port = first.port;
    assert!(first.get("/reports/a/").body.contains("The first takeaway."));
    first.stop();
    // The next run's first build fails: it has no site of its own, so it must not show
    // the first run's (with links to a port nobody listens on any more).
    site.write("content/a.md", BROKEN);
    let second = site.serve(&[]);
    let r = second.get("/reports/a/");
    assert_eq!(r.status, 500);
    assert!(
        !r.body.contains("The first takeaway.") && !r.body.contains(&format!(":{first_port}/")),
        "the first run's page was served:\n{}",
        r.body
    );
    assert!(r.body.contains("content/a.md:7:9"), "{}", r.body);
}

#[test]
fn a_stylesheet_edit_swaps_css_without_a_reload() {
    let site = site();
    let server = site.serve(&[]);
    let mut events = server.events();
    site.write("static/extra.css", "body { color: navy; }\n");
    assert!(events.wait_for("event: css"), "no css event");
    assert!(server.get("/extra.css").body.contains("navy"));
}

#[test]
fn an_editor_save_by_rename_is_seen() {
    let site = site();
    let server = site.serve(&[]);
    let mut events = server.events();
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
    assert!(events.wait_for("event: reload"), "no reload event");
    assert!(server.get("/reports/a/").body.contains("Saved by rename."));
}

#[test]
fn an_open_page_in_a_real_browser_shows_an_edit_without_a_manual_reload() {
    let Some(binary) = chromium() else { return };
    let site = site();
    let server = site.serve(&[]);
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

#[test]
fn in_a_real_browser_the_error_page_of_a_failed_first_build_becomes_the_site_once_fixed() {
    let Some(binary) = chromium() else { return };
    let site = site();
    site.write("content/a.md", BROKEN);
    let server = site.serve(&[]);
    let url = format!("http://127.0.0.1:{}/reports/a/", server.port);
    let mut browser = Browser::open(binary, &url);
    assert!(
        browser.wait_for_text("content/a.md:7:9: error:", Duration::from_secs(20)),
        "the page shows the error"
    );
    // No waiting for the page's event stream: a reload it missed is sent when it listens.
    site.write("content/a.md", fixed());
    assert!(
        browser.wait_for_text("Fixed takeaway.", Duration::from_secs(20)),
        "the open page turns into the site"
    );
}

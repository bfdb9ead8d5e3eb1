//! Nothing lost, nothing gets in: every bad-input case leaves a previous output (with a
//! sentinel file) whole; the output folder is refused where it would destroy sources;
//! symlinks out of static/ are refused; a build killed halfway leaves the old site and
//! the next build cleans up; a served site under load only ever returns whole pages.

use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

const OK: &str = "title = \"T\"\ndate = 2025-03-01\nsummary = \"S\"";

/// Each bad input: the file to write, its text, and the start of the error line.
fn bad_inputs() -> Vec<(&'static str, String, &'static str)> {
    let fm = |extra: &str| format!("+++\n{OK}\n{extra}\n+++\n");
    vec![
        ("content/a.md", "+++\ntitle = \"T\n+++\n".into(), "content/a.md:2:"),
        (
            "content/a.md",
            "+++\ntitle = \"T\"\n".into(),
            "content/a.md:1:1: error: the front matter opened here is never closed",
        ),
        (
            "content/a.md",
            "+++\ndate = 2025-03-01\nsummary = \"S\"\n+++\n".into(),
            "content/a.md:1:1: error: missing required field `title`",
        ),
        (
            "content/a.md",
            "+++\ntitle = \"T\"\nsummary = \"S\"\n+++\n".into(),
            "content/a.md:1:1: error: missing required field `date`",
        ),
        (
            "content/a.md",
            "+++\ntitle = \"T\"\ndate = 2025-03-01\n+++\n".into(),
            "content/a.md:1:1: error: missing required field `summary`",
        ),
        (
            "content/a.md",
            fm("[[scores]]\narea = \"A\"\nscore = 11"),
            "content/a.md:7:9: error: a score must be a whole number from 1 to 10, found `11`",
        ),
        (
            "content/a.md",
            fm("[[scores]]\narea = \"A\"\nscore = 2.5"),
            "content/a.md:7:9: error: a score must be a whole number from 1 to 10",
        ),
        (
            "content/a.md",
            fm("sumary = \"x\""),
            "content/a.md:5:1: error: unknown field `sumary`, did you mean `summary`?",
        ),
        (
            "config.toml",
            format!("{CONFIG}tittle = \"x\"\n"),
            "config.toml:11:1: error: unknown field `tittle` in `[feed]`",
        ),
        (
            "content/b.md",
            fm("slug = \"good\""),
            "content/good.md: error: slug `good` is already used by content/b.md",
        ),
        (
            "content/a.md",
            fm("slug = \"../../etc\""),
            "content/a.md:5:8: error: slug `../../etc` is not a single URL segment",
        ),
        (
            "content/a.md",
            fm("tags = [\"///\"]"),
            "content/a.md:5:9: error: tag `///` has no letters or digits",
        ),
        (
            "content/a.md",
            format!("+++\n{OK}\n+++\n[x](@/missing.md)\n"),
            "content/a.md:6:1: error: link to `@/missing.md`, which is not a published report or page",
        ),
        (
            "templates/report.html",
            "{% extends \"base.html\" %}{% block content %}{{ report.title }{% endblock %}".into(),
            "templates/report.html:1:",
        ),
        (
            "templates/home.html",
            "{% extends \"base.html\" %}{% block content %}{{ nope.deeper }}{% endblock %}".into(),
            "templates/home.html:1:",
        ),
        (
            "config.toml",
            CONFIG.replace("theme = \"default\"", "theme = \"nonesuch\""),
            "config.toml:5:1: error: unknown theme `nonesuch`",
        ),
    ]
}

#[test]
fn every_bad_input_leaves_the_previous_output_whole() {
    for (path, text, error) in bad_inputs() {
        let site = SiteTest::new();
        site.write("content/good.md", report("Good", "2025-03-01"));
        site.build();
        site.write("public/sentinel.txt", "survives");
        let before = site.read("");
        site.write(path, &text);
        let run = site.try_build(&[]);
        assert_eq!(run.code, 1, "{path}: {text}\n{}", run.stderr);
        run.assert_error_line(error);
        assert_eq!(site.read("sentinel.txt"), "survives", "{error}");
        assert_eq!(site.read(""), before, "{error}");
    }
}

#[test]
fn a_file_that_is_not_utf8_is_named_and_the_output_survives() {
    let site = SiteTest::new();
    site.write("content/good.md", report("Good", "2025-03-01"));
    site.build();
    site.write("public/sentinel.txt", "survives");
    site.write_bytes("content/latin1.md", b"+++\ntitle = \"Caf\xe9\"\n+++\n");
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("content/latin1.md:2:13: error: the file is not valid UTF-8 text");
    assert_eq!(site.read("sentinel.txt"), "survives");
}

#[test]
fn the_output_may_not_be_the_site_its_parent_or_a_source_folder() {
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-03-01"));
    let parent = site.root().parent().unwrap().to_string_lossy().into_owned();
    let root = site.root().to_string_lossy().into_owned();
    for out in [
        root.clone(),
        parent,
        format!("{root}/content"),
        format!("{root}/static/x"),
        format!("{root}/templates"),
    ] {
        let run = site.try_build(&["--output", &out]);
        run.assert_failed();
        run.assert_stderr_contains("refusing");
        assert!(site.root().join("content/a.md").is_file(), "{out}: the source survives");
    }
}

#[test]
fn a_static_symlink_that_points_outside_is_refused() {
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-03-01"));
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.txt"), "outside").unwrap();
    fs::create_dir_all(site.root().join("static")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), site.root().join("static/leak.txt")).unwrap();
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_stderr_contains("static/leak.txt");
    run.assert_stderr_contains("refusing to copy a symbolic link");
}

#[test]
fn a_build_killed_halfway_leaves_the_old_site_and_the_next_build_cleans_up() {
    let site = SiteTest::new();
    for i in 0..400 {
        site.write(
            &format!("content/r{i}.md"),
            report(&format!("Report {i}"), "2025-03-01").body(&"Some words of a body. ".repeat(200)),
        );
    }
    site.build();
    site.write("public/sentinel.txt", "survives");
    let before = site.read("");
    // Kill builds at growing delays until one dies with its staging folder on disk.
    let mut killed_midway = false;
    for (n, delay_ms) in [20u64, 40, 80, 120, 200, 300, 30, 60, 100, 160, 250, 400]
        .into_iter()
        .enumerate()
    {
        // A real change each time: a build with nothing to do ends before it can be killed.
        site.write(
            "content/r0.md",
            report("Report 0", "2025-03-01").body(&format!("Edit {n}. {}", "Some words of a body. ".repeat(200))),
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_impress"))
            .args(["build", "--root"])
            .arg(site.root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        // SIGKILL: no chance to clean up.
        let _ = child.kill();
        let status = child.wait().unwrap();
        let staging_left = fs::read_dir(site.root())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with(".public.impress-tmp"));
        assert_eq!(site.read("sentinel.txt"), "survives", "killed after {delay_ms} ms");
        assert_eq!(site.read(""), before, "killed after {delay_ms} ms");
        if !status.success() && staging_left {
            killed_midway = true;
            break;
        }
    }
    assert!(
        killed_midway,
        "no build was caught halfway; the test needs a bigger site"
    );
    site.build();
    let leftovers: Vec<String> = fs::read_dir(site.root())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".impress-") && n != ".impress-cache")
        .collect();
    assert!(leftovers.is_empty(), "stale folders left: {leftovers:?}");
}

#[test]
fn raw_html_in_bodies_is_dropped_unless_the_config_allows_it() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("A", "2025-03-01").body("<script>alert(1)</script>\n\n<b class=\"x\">bold</b> text\n"),
    );
    site.build();
    let html = site.read("reports/a/full/");
    assert!(!html.contains("<script>alert(1)</script>") && !html.contains("<b class=\"x\">"));
    site.write("config.toml", format!("{CONFIG}\n[markdown]\nunsafe_html = true\n"));
    site.build();
    assert!(site.read("reports/a/full/").contains("<b class=\"x\">bold</b>"));
}

#[test]
fn under_load_during_rebuilds_every_response_is_a_whole_page() {
    let site = SiteTest::new();
    for i in 0..30 {
        site.write(
            &format!("content/r{i}.md"),
            report(&format!("Report {i}"), "2025-03-01").summary("Version 0."),
        );
    }
    let mut server = site.serve(&[]);
    let port = server.port;

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..50)
        .map(|c| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut checked = 0;
                let started = Instant::now();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) && started.elapsed() < Duration::from_secs(60) {
                    let page = http(port, "GET", &format!("/reports/r{}/", c % 30));
                    assert_eq!(page.status, 200, "{}", page.head);
                    assert!(page.body.trim_end().ends_with("</html>"), "a page was cut short");
                    assert!(page.body.contains("Version "), "the page has its takeaway");
                    checked += 1;
                }
                checked
            })
        })
        .collect();
    for v in 1..=20 {
        for i in 0..30 {
            site.write(
                &format!("content/r{i}.md"),
                report(&format!("Report {i}"), "2025-03-01").summary(&format!("Version {v}.")),
            );
        }
        std::thread::sleep(Duration::from_millis(150));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let total: usize = clients
        .into_iter()
        .map(|c| c.join().expect("a client saw a broken page"))
        .sum();
    assert!(total > 50, "the clients made {total} requests");
    assert!(server.running.is_running(), "the server is still running");
}

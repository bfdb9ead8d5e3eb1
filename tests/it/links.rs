//! Every internal link works when `public/` is served from the path of `base_url`
//! (FORMAT.md), and `@/path.md` links resolve to the report or page of that file.

use std::collections::BTreeSet;

use scraper::Html;

use crate::support::*;

/// Splits `url` into path and fragment, dropping a query.
fn split_url(url: &str) -> (&str, Option<&str>) {
    let (rest, fragment) = match url.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (url, None),
    };
    (rest.split('?').next().unwrap_or(rest), fragment)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Joins a relative URL to the folder URL of a page and removes `.` and `..`.
fn join(dir: &str, rel: &str) -> String {
    let mut segs: Vec<&str> = dir.trim_end_matches('/').split('/').collect();
    let trailing = rel.ends_with('/') || rel.ends_with("/.") || rel.ends_with("/..") || rel == "." || rel == "..";
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if segs.len() > 1 {
                    segs.pop();
                }
            }
            s => segs.push(s),
        }
    }
    let mut out = segs.join("/");
    if trailing {
        out.push('/');
    }
    out
}

/// Checks every link of every HTML page, served from `base_path` on `origin`.
/// Returns the problems found.
fn broken_links(site: &SiteTest, origin: &str, base_path: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let pages = site.html_files();
    assert!(pages.len() > 20, "the site is too small to test links: {pages:?}");
    let mut checked = 0;
    for file in &pages {
        let page = site.page(file);
        let ids: BTreeSet<String> = select(&page, "[id], a[name]")
            .into_iter()
            .filter_map(|e| e.value().attr("id").or_else(|| e.value().attr("name")))
            .map(str::to_string)
            .collect();
        // The URL of the folder the page is served from.
        let page_url = format!("{base_path}{}", file.trim_end_matches("index.html"));
        let page_dir = match page_url.rfind('/') {
            Some(i) => page_url[..=i].to_string(),
            None => base_path.to_string(),
        };
        for url in links(&page) {
            let url = url.trim();
            if url.starts_with("javascript:") {
                problems.push(format!("{file}: a javascript: URL {url}"));
                continue;
            }
            if url.starts_with("mailto:") || url.starts_with("tel:") || url.starts_with("data:") {
                continue;
            }
            if let Some(fragment) = url.strip_prefix('#') {
                if !fragment.is_empty() && !ids.contains(&percent_decode(fragment)) {
                    problems.push(format!("{file}: #{fragment} names no element of the page"));
                }
                continue;
            }
            let path = if let Some(rest) = url.strip_prefix(origin) {
                format!("/{}", rest.trim_start_matches('/'))
            } else if url.starts_with("http://") || url.starts_with("https://") || url.starts_with("//") {
                continue; // another site
            } else if url.starts_with('/') {
                url.to_string()
            } else {
                join(&page_dir, url)
            };
            let (path, _) = split_url(&path);
            let path = percent_decode(path);
            checked += 1;
            let Some(rel) = path.strip_prefix(base_path) else {
                if path.trim_end_matches('/') == base_path.trim_end_matches('/') {
                    continue; // the site root without its trailing slash
                }
                problems.push(format!("{file}: {url} escapes the site's path {base_path}"));
                continue;
            };
            if !site.exists(rel) {
                problems.push(format!("{file}: {url} -> public/{rel} does not exist"));
            }
        }
    }
    assert!(checked > 100, "only {checked} internal links were checked");
    problems
}

#[test]
fn every_internal_link_resolves_when_served_from_a_sub_path() {
    let site = SiteTest::from_fixture("site/small");
    site.build_with(&["--base-url", "https://example.com/sub/path/"]);
    let problems = broken_links(&site, "https://example.com", "/sub/path/");
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn no_internal_link_escapes_the_sub_path() {
    let site = SiteTest::from_fixture("site/small");
    site.build_with(&["--base-url", "https://example.com/sub/path/"]);
    for file in site.html_files() {
        for url in links(&site.page(&file)) {
            if url.starts_with('/') && !url.starts_with("//") {
                assert!(url.starts_with("/sub/path/"), "{file}: {url} is outside /sub/path/");
            }
            if let Some(rest) = url.strip_prefix("https://example.com") {
                assert!(rest.starts_with("/sub/path/"), "{file}: {url} is outside /sub/path/");
            }
        }
    }
}

#[test]
fn every_internal_link_resolves_at_the_domain_root() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let problems = broken_links(&site, "https://example.com", "/");
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn a_base_url_without_a_trailing_slash_is_a_folder() {
    let site = SiteTest::from_fixture("site/small");
    site.build_with(&["--base-url", "https://example.com/reports-site"]);
    let problems = broken_links(&site, "https://example.com", "/reports-site/");
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let canonical: Vec<_> = select(&site.page(""), "link[rel=canonical]")
        .into_iter()
        .filter_map(|l| l.value().attr("href"))
        .map(str::to_string)
        .collect();
    assert_eq!(canonical, ["https://example.com/reports-site/"]);
}

#[test]
fn the_base_url_of_config_toml_is_used_without_the_flag() {
    let site = SiteTest::from_fixture("site/small");
    let config = std::fs::read_to_string(site.root().join("config.toml")).expect("config");
    site.write(
        "config.toml",
        config.replace("https://example.com/", "https://example.com/from-config/"),
    );
    site.build();
    let problems = broken_links(&site, "https://example.com", "/from-config/");
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_url_in_the_sitemap_search_index_and_feeds_resolves() {
    let site = SiteTest::from_fixture("site/small");
    site.build_with(&["--base-url", "https://example.com/sub/path/"]);
    let mut urls: Vec<String> = sitemap_entries(&site.read("sitemap.xml"))
        .into_iter()
        .map(|(loc, _)| loc)
        .collect();
    assert!(!urls.is_empty());
    for e in site.search_docs() {
        let path = e["url"].as_str().expect("url");
        assert!(
            path.starts_with("/sub/path/"),
            "{path} is root-relative under the site's path"
        );
        urls.push(format!("https://example.com{path}"));
    }
    for feed in ["rss.xml", "atom.xml", "feed.json"] {
        for e in site.feed(feed).entries {
            urls.extend(e.links.into_iter().map(|l| l.href));
        }
    }
    for url in urls {
        let rel = url
            .strip_prefix("https://example.com/sub/path/")
            .unwrap_or_else(|| panic!("{url} is not under the base URL"));
        assert!(site.exists(rel), "{url} -> public/{rel} does not exist");
    }
}

/// The `href` of the link whose text is `link_text` in `<main>`.
fn href_of(page: &Html, link_text: &str) -> String {
    select(page, "main a[href]")
        .into_iter()
        .find(|a| text(*a) == link_text)
        .and_then(|a| a.value().attr("href").map(str::to_string))
        .unwrap_or_else(|| panic!("no link {link_text:?} in {:?}", main_links(page)))
}

#[test]
fn at_links_resolve_to_the_other_reports_url() {
    let site = SiteTest::from_fixture("site/small");
    site.build_with(&["--base-url", "https://example.com/sub/path/"]);
    let shipment = site.page("reports/first-shipment/full/");
    assert_eq!(href_of(&shipment, "refinery plan"), "/sub/path/reports/refinery-plan/");
    assert_eq!(href_of(&shipment, "methodology"), "/sub/path/pages/methodology/");
    let refinery = site.page("reports/refinery-plan/full/");
    assert_eq!(
        href_of(&refinery, "first shipment"),
        "/sub/path/reports/first-shipment/full/#the-deal",
        "a fragment is kept, on the full analysis, where the body's headings are"
    );
    let about = site.page("pages/about/");
    assert_eq!(
        href_of(&about, "latest shipment report"),
        "/sub/path/reports/first-shipment/",
        "plain pages resolve @/ links too; an explicit slug is followed"
    );
}

#[test]
fn a_link_to_a_missing_file_is_an_error_at_its_line() {
    let site = SiteTest::new();
    site.write("content/ok.md", report("Target", "2025-03-01"));
    let text = report("Linker", "2025-03-02")
        .body("First paragraph.\n\nSee [the other one](@/missing.md) for more.\n")
        .to_string();
    let line = text.lines().position(|l| l.contains("@/missing.md")).expect("the link") + 1;
    site.write("content/linker.md", &text);
    let run = site.try_build(&[]);
    run.assert_failed();
    let errors = run.error_lines();
    assert!(
        errors
            .iter()
            .any(|l| l.starts_with(&format!("content/linker.md:{line}:")) && l.contains("`@/missing.md`")),
        "the error names the file, the line and the target:\n{}",
        run.stderr
    );
    assert!(!site.public().exists(), "nothing is written when there is an error");
}

#[test]
fn a_link_to_a_draft_breaks_unless_drafts_are_built() {
    let site = SiteTest::new();
    site.write("content/draft.md", report("Draft target", "2025-03-01").draft());
    site.write(
        "content/linker.md",
        report("Linker", "2025-03-02").body("See [the draft](@/draft.md).\n"),
    );
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_stderr_contains("`@/draft.md`");
    site.build_with(&["--drafts"]);
    assert_eq!(
        href_of(&site.page("reports/linker/full/"), "the draft"),
        "/reports/draft/"
    );
}

#[test]
fn check_reports_broken_internal_links() {
    let site = SiteTest::new();
    site.write(
        "content/linker.md",
        report("Linker", "2025-03-02").body("See [gone](@/gone.md).\n"),
    );
    let run = site.run(&["check"]);
    run.assert_failed();
    run.assert_stderr_contains("`@/gone.md`");
}

#[test]
fn pagination_links_resolve_under_a_sub_path() {
    let site = SiteTest::from_fixture("site/small");
    let config = std::fs::read_to_string(site.root().join("config.toml")).expect("config");
    site.write("config.toml", config.replace("paginate = 10", "paginate = 1"));
    site.build_with(&["--base-url", "https://example.com/sub/path/"]);
    assert!(site.exists("page/3/"));
    assert!(site.exists("tags/rare-earths/page/2/"));
    let problems = broken_links(&site, "https://example.com", "/sub/path/");
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let page2 = main_links(&site.page("page/2/"));
    assert!(page2.contains(&"/sub/path/".to_string()), "{page2:?}");
    assert!(page2.contains(&"/sub/path/page/3/".to_string()), "{page2:?}");
}

#[test]
fn the_404_page_uses_no_relative_links() {
    // A static host serves 404.html for a missing URL at any depth, so a relative link
    // on it would resolve against the missing URL.
    let site = SiteTest::from_fixture("site/small");
    site.build_with(&["--base-url", "https://example.com/sub/path/"]);
    for url in links(&site.page("404.html")) {
        assert!(
            url.starts_with("/sub/path/")
                || url.starts_with("https://")
                || url.starts_with("http://")
                || url.starts_with('#'),
            "404.html links to {url:?}, which breaks below the site root"
        );
    }
}

#[test]
fn footnotes_link_within_the_full_analysis() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let page = site.page("reports/first-shipment/full/");
    let fragments: Vec<_> = main_links(&page).into_iter().filter(|l| l.starts_with('#')).collect();
    assert!(fragments.len() >= 4, "toc and footnote links: {fragments:?}");
    let problems = broken_links(&site, "https://example.com", "/");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn impact_areas_that_no_report_scores_still_have_a_page_to_link_to() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Unscored areas", "2025-03-01")
            .keys("primary_impact = \"Energy Transition\"\nripple_effects = [\"Water Security\"]")
            .score("Markets", 4),
    );
    site.build();
    let impact: Vec<_> = main_links(&site.page("reports/a/"))
        .into_iter()
        .filter(|l| l.starts_with("/impact/"))
        .collect();
    assert!(impact.contains(&"/impact/energy-transition/".to_string()), "{impact:?}");
    for url in impact {
        assert!(site.exists(&url), "the quick read links to {url}, which was not built");
    }
}

/// The line of the first line of `text` that contains `needle` (1-based).
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect("the needle") + 1
}

/// Issue 9 and FORMAT.md (Pictures): root-relative links in Markdown are put under the
/// site's path, and one that names no file of the site fails `build` at its line.
#[test]
fn root_relative_links_are_under_the_site_path_and_a_missing_one_fails_the_build() {
    let site = SiteTest::new();
    site.write_bytes("static/images/map.png", &crate::pictures::png(4, 4));
    let good = report("Linker", "2025-03-02")
        .body("A [tag](/tags/energy/) and a map:\n\n![Map](/images/map.png)\n")
        .tags(&["Energy"])
        .to_string();
    site.write("content/linker.md", &good);
    site.build_with(&["--base-url", "https://example.org/impact/"]);
    let page = site.page("reports/linker/full/");
    assert_eq!(href_of(&page, "tag"), "/impact/tags/energy/");
    let img = select(&page, "main img[alt=Map]");
    assert_eq!(img[0].value().attr("src"), Some("/impact/images/map.png"));

    let bad = good.replace("/images/map.png", "/images/gone.png");
    site.write("content/linker.md", &bad);
    let before = site.read("reports/linker/full/index.html");
    let run = site.try_build(&["--base-url", "https://example.org/impact/"]);
    run.assert_failed();
    let line = line_of(&bad, "/images/gone.png");
    run.assert_error_line(&format!(
        "content/linker.md:{line}:1: error: link to `/images/gone.png`, which is not a page or file of the site"
    ));
    assert_eq!(
        site.read("reports/linker/full/index.html"),
        before,
        "the last good site stays"
    );
}

/// Issue 9: `check` names the file and line of a broken link, and checks anchors.
#[test]
fn check_reports_missing_anchors_at_their_line() {
    let site = SiteTest::new();
    site.write(
        "content/target.md",
        report("Target", "2025-03-01").body("## The deal\n\nText.\n"),
    );
    let text = report("Linker", "2025-03-02")
        .body("## Here\n\n[ok](#here) [up](#nope)\n\n[there](@/target.md#the-deal) [not there](@/target.md#no-such-part)\n")
        .to_string();
    site.write("content/linker.md", &text);
    let run = site.run(&["check"]);
    run.assert_failed();
    let errors = run.error_lines();
    let line_nope = line_of(&text, "(#nope)");
    let line_part = line_of(&text, "#no-such-part");
    assert!(
        errors
            .iter()
            .any(|l| l.starts_with(&format!("content/linker.md:{line_nope}:"))
                && l.contains("`#nope`")
                && l.contains("no `#nope`")),
        "{}",
        run.stderr
    );
    assert!(
        errors
            .iter()
            .any(|l| l.starts_with(&format!("content/linker.md:{line_part}:")) && l.contains("no `#no-such-part`")),
        "{}",
        run.stderr
    );
    assert_eq!(errors.len(), 2, "the good anchors pass: {}", run.stderr);
}

/// Issue 9: with a sub-path, a root-relative link a template writes without the site's
/// path is broken on the real host, so `check` reports it even when the file exists.
#[test]
fn check_reports_a_link_that_leaves_the_site_path() {
    let site = SiteTest::new();
    site.write_bytes("static/img/x.png", b"\x89PNG\r\n\x1a\n");
    site.write("content/a.md", report("Alpha", "2025-03-01"));
    site.write(
        "templates/report.html",
        "{% extends \"theme/report.html\" %}{% block content %}{{ super() }}<img src=\"/img/x.png\" alt=\"\">{% endblock %}",
    );
    site.run(&["check"]).assert_ok();
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    let moved = config.replace("https://example.com/", "https://example.org/impact/");
    assert_ne!(config, moved, "the site moves under a sub-path");
    site.write("config.toml", moved);
    let run = site.run(&["check"]);
    run.assert_failed();
    run.assert_stderr_contains("broken internal link `/img/x.png`");
}

/// Issue 9, "no cascade": a report with an error of its own is not also reported as a
/// broken link in every report that links to it.
#[test]
fn a_link_to_a_report_with_errors_is_not_a_second_error() {
    let site = SiteTest::new();
    site.write("content/bad.md", report("Bad", "2025-03-01").score("Markets", 11));
    site.write(
        "content/linker.md",
        report("Linker", "2025-03-02").body("See [the bad one](@/bad.md).\n"),
    );
    let run = site.try_build(&[]);
    run.assert_failed();
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "only the score's error:\n{}", run.stderr);
    assert!(errors[0].starts_with("content/bad.md:"), "{}", run.stderr);
}

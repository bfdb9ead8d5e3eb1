//! FORMAT.md's "Newsroom": aliases and their redirect pages, stable feed ids across a
//! rename, author and desk pages, corrections, and the errors of bad input to them.

use crate::support::*;

fn meta_content(html: &scraper::Html, css: &str, attr: &str) -> Option<String> {
    select(html, css)
        .first()
        .and_then(|e| e.value().attr(attr))
        .map(str::to_string)
}

fn guids(site: &SiteTest) -> Vec<String> {
    ["rss.xml", "atom.xml", "feed.json"]
        .iter()
        .map(|f| site.feed(f).entries[0].id.clone())
        .collect()
}

#[test]
fn an_alias_is_a_redirect_page_that_sends_readers_and_crawlers_on() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Pakistan ships rare earths", "2025-10-09")
            .keys(r#"aliases = ["/2025/10/old-slug/", "legacy/story.html"]"#)
            .keys(r#"slug = "new-slug""#),
    );
    site.build();
    for path in ["2025/10/old-slug/", "legacy/story.html"] {
        let page = site.page(path);
        let to = "https://example.com/reports/new-slug/";
        assert_eq!(
            meta_content(&page, "meta[http-equiv=refresh]", "content").as_deref(),
            Some("0; url=https://example.com/reports/new-slug/"),
            "{path}"
        );
        assert_eq!(meta_content(&page, "link[rel=canonical]", "href").as_deref(), Some(to));
        assert_eq!(
            meta_content(&page, "meta[name=robots]", "content").as_deref(),
            Some("noindex")
        );
        let anchors: Vec<_> = select(&page, "a")
            .iter()
            .filter_map(|a| a.value().attr("href"))
            .collect();
        assert_eq!(anchors, [to], "{path}: a plain link for readers");
        assert!(page_text(&page).contains("Pakistan ships rare earths"));
    }
    let sitemap = site.read("sitemap.xml");
    assert!(!sitemap.contains("old-slug"), "redirects are not pages to index");
    assert!(sitemap.contains("/reports/new-slug/"));
}

#[test]
fn a_renamed_report_keeps_its_feed_id_when_its_old_path_is_its_first_alias() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("A report", "2025-10-09").keys(r#"slug = "old-slug""#),
    );
    site.build();
    let before = guids(&site);
    assert_eq!(before[0], "https://example.com/reports/old-slug/");
    site.write(
        "content/a.md",
        report("A report", "2025-10-09")
            .keys(r#"slug = "new-slug""#)
            .keys(r#"aliases = ["/reports/old-slug/", "/elsewhere/"]"#),
    );
    site.build();
    assert_eq!(guids(&site), before, "RSS guid, Atom id and JSON Feed id stay");
    let rss = site.feed("rss.xml");
    assert_eq!(rss.entries[0].links[0].href, "https://example.com/reports/new-slug/");
    assert!(site.exists("reports/old-slug/"), "the old URL redirects");
}

#[test]
fn aliases_that_collide_or_leave_the_site_are_errors_at_their_line() {
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-10-09"));
    site.build();
    site.write(
        "content/b.md",
        report("B", "2025-10-10").keys(r#"aliases = ["/tags/", "/shared/"]"#),
    );
    site.write(
        "content/c.md",
        report("C", "2025-10-11").keys(r#"aliases = ["/shared/"]"#),
    );
    site.write(
        "content/d.md",
        report("D", "2025-10-12").keys(r#"aliases = ["../../etc/x/"]"#),
    );
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("content/d.md:5:12: error: alias `../../etc/x/` leaves the site");
    // d.md's error stops the build before layout; without it the collisions show.
    site.remove("content/d.md");
    let run = site.try_build(&[]);
    run.assert_failed()
        .assert_error_line("content/b.md:5:12: error: alias `/tags/` is the path of a page of the site (`/tags/`)")
        .assert_error_line("content/c.md:5:12: error: alias `/shared/` is already an alias of content/b.md");
    assert!(site.exists("reports/a/"), "the previous output stays");
    assert!(!site.exists("shared/"));
}

#[test]
fn author_and_desk_pages_show_bio_and_url_and_bylines_link_to_them() {
    let site = SiteTest::new();
    site.write(
        "data/authors.toml",
        r#"[research-desk]
name = "The Research Desk"
bio = "Our analysts on supply chains."
url = "https://example.org/desk"
kind = "organization"

[jane-doe]
bio = "Covers minerals."
"#,
    );
    site.write(
        "content/a.md",
        report("Minerals", "2025-10-09").keys(r#"authors = ["Research Desk", "Jane Doe"]"#),
    );
    site.write(
        "content/b.md",
        report("Policy", "2025-10-10").keys(r#"authors = ["Jane Doe"]"#),
    );
    site.build();

    let quick = site.page("reports/a/");
    let bylines: Vec<_> = select(&quick, ".byline a")
        .iter()
        .map(|a| (text(*a), a.value().attr("href").unwrap_or("").to_string()))
        .collect();
    assert_eq!(
        bylines,
        [
            ("The Research Desk".to_string(), "/authors/research-desk/".to_string()),
            ("Jane Doe".to_string(), "/authors/jane-doe/".to_string()),
        ]
    );
    let ld = json_ld(&quick);
    let authors = &ld[0]["author"];
    assert_eq!(authors[0]["@type"], "Organization");
    assert_eq!(authors[0]["name"], "The Research Desk");
    assert_eq!(authors[0]["url"], "https://example.com/authors/research-desk/");
    assert_eq!(authors[1]["@type"], "Person");

    let desk = site.page("authors/research-desk/");
    let main = main_text(&desk);
    assert!(main.contains("The Research Desk"), "{main}");
    assert!(main.contains("Our analysts on supply chains."), "{main}");
    assert!(main_links(&desk).contains(&"https://example.org/desk".to_string()));
    assert_eq!(card_titles(&desk), ["Minerals"]);
    assert_eq!(json_ld(&desk)[0]["@type"], "Organization");
    let jane = site.page("authors/jane-doe/");
    assert_eq!(card_titles(&jane), ["Policy", "Minerals"]);
    assert_eq!(json_ld(&jane)[0]["@type"], "Person");

    let index = main_text(&site.page("authors/"));
    assert!(
        index.contains("Jane Doe") && index.contains("The Research Desk"),
        "{index}"
    );
    let feed = site.feed("authors/jane-doe/rss.xml");
    assert_eq!(feed.entries.len(), 2);
}

#[test]
fn authors_toml_with_an_unknown_key_is_an_error_at_its_line() {
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-10-09"));
    site.write("data/authors.toml", "[jane-doe]\nname = \"Jane\"\nbiography = \"x\"\n");
    site.try_build(&[])
        .assert_failed()
        .assert_error_line("data/authors.toml:3:1: error: unknown field `biography`");
    site.write("data/authors.toml", "[jane-doe]\nkind = \"robot\"\n");
    site.try_build(&[])
        .assert_failed()
        .assert_error_line("data/authors.toml:2:8: error: unknown variant `robot`");
}

#[test]
fn an_update_note_is_shown_at_the_foot_of_the_report_and_in_every_feed() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Shipment", "2025-10-09")
            .keys("updated = 2025-10-10")
            .keys(r#"update_note = "Corrected the shipment's tonnage.""#)
            .body("Body text."),
    );
    site.build();
    // The date by the headline; what changed at the foot of the report (issue 12).
    for path in ["reports/a/", "reports/a/full/", ""] {
        let page = site.page(path);
        assert_eq!(
            text(select(&page, "main .updated")[0]),
            "Updated 10 October 2025",
            "{path}"
        );
    }
    for path in ["reports/a/", "reports/a/full/"] {
        let page = site.page(path);
        let line = select(&page, "main footer .update-line");
        assert_eq!(
            text(line[0]),
            "Updated 10 October 2025: Corrected the shipment's tonnage.",
            "{path}"
        );
    }
    for path in ["rss.xml", "atom.xml", "feed.json"] {
        let feed = site.feed(path);
        let e = &feed.entries[0];
        let html = e
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .or_else(|| e.summary.as_ref().map(|s| s.content.clone()))
            .unwrap_or_default();
        assert!(
            html.contains("Updated 10 October 2025: Corrected the shipment&#39;s tonnage."),
            "{path}: {html}"
        );
    }
}

#[test]
fn an_update_note_without_updated_is_an_error() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Shipment", "2025-10-09").keys(r#"update_note = "Fixed.""#),
    );
    site.try_build(&[])
        .assert_failed()
        .assert_error_line("content/a.md:5:15: error: `update_note` needs `updated`");
}

fn stylesheet_href(site: &SiteTest, page: &str) -> String {
    let html = site.page(page);
    select(&html, "link[rel=stylesheet]")
        .iter()
        .filter_map(|e| e.value().attr("href"))
        .find(|h| h.contains("style.css"))
        .expect("the theme's stylesheet")
        .to_string()
}

/// FORMAT.md: asset URLs carry a content hash, so a host may cache them for a year; and
/// `[deploy] headers = true` writes the `_headers` file that says so.
#[test]
fn stylesheet_urls_carry_their_hash_and_headers_are_written_when_asked() {
    let site = SiteTest::new();
    site.write("content/a.md", report("Alpha", "2025-03-01"));
    site.write("static/style.css", "body { color: black; }\n");
    site.build();
    let first = stylesheet_href(&site, "reports/a/");
    assert!(first.starts_with("/style.css?v="), "{first}");
    assert_eq!(stylesheet_href(&site, ""), first, "every page links the same URL");
    assert!(!site.exists("_headers"), "no _headers unless asked");

    site.write("static/style.css", "body { color: navy; }\n");
    site.build();
    let second = stylesheet_href(&site, "reports/a/");
    assert_ne!(first, second, "new bytes, new URL");

    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write("config.toml", format!("{config}\n[deploy]\nheaders = true\n"));
    site.build_with(&["--base-url", "https://example.org/impact/"]);
    let headers = site.read("_headers");
    assert!(
        headers.contains("/impact/style.css\n  Cache-Control: public, max-age=31536000, immutable"),
        "{headers}"
    );
}

/// Issue 13: under a sub-path robots.txt is not where crawlers look; the build says so.
#[test]
fn a_build_under_a_sub_path_notes_where_robots_txt_must_go() {
    let site = SiteTest::new();
    site.write("content/a.md", report("Alpha", "2025-03-01"));
    let run = site.build_with(&["--base-url", "https://example.org/impact/"]);
    assert!(
        run.stdout.contains("note: the site lives under /impact/"),
        "{}",
        run.stdout
    );
    let run = site.build();
    assert!(!run.stdout.contains("note:"), "{}", run.stdout);
}

/// Issue 13: characters XML 1.0 forbids (pasted from Word or PDF) never make a feed or
/// sitemap invalid.
#[test]
fn feeds_stay_valid_xml_with_control_characters_in_the_text() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Alpha report", "2025-03-01")
            .tags(&["Energy"])
            .body("Body text\u{b} from Word,\u{c} and a PDF.\n"),
    );
    site.build();
    // The site's feeds carry the body (a term's feed links to it).
    for feed in ["rss.xml", "atom.xml"] {
        let xml = site.read(feed);
        // Each such character becomes a space.
        assert!(xml.contains("Body text  from Word,  and a PDF."), "{feed}: {xml}");
        assert!(!xml.contains('\u{b}') && !xml.contains('\u{c}'), "{feed}");
        let parsed = site.feed(feed);
        assert_eq!(parsed.entries.len(), 1, "{feed} parses");
    }
}

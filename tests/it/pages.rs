//! Plain pages (`content/pages/*.md`, FORMAT.md): at `/pages/<slug>/`, with `title`,
//! `description`, `date` and `draft` only; no scores, not in feeds or search.

use crate::support::*;

fn site_with_pages() -> SiteTest {
    let site = SiteTest::new();
    site.write("content/r.md", report("A report", "2025-03-01").tags(&["Energy"]));
    site.write(
        "content/pages/about.md",
        "+++\ntitle = \"About us\"\ndescription = \"Who writes this.\"\ndate = 2025-01-15\n+++\n\n## Who we are\n\nA *small* desk.\n",
    );
    site.write(
        "content/pages/hidden.md",
        "+++\ntitle = \"Hidden page\"\ndraft = true\n+++\n\nNot yet.\n",
    );
    site
}

#[test]
fn a_plain_page_is_built_at_pages_slug() {
    let site = site_with_pages();
    site.build();
    let page = site.page("pages/about/");
    let heading = select(&page, "main h1").into_iter().next().map(text);
    assert_eq!(heading.as_deref(), Some("About us"));
    let text = main_text(&page);
    assert!(text.contains("A small desk."), "{text}");
    assert!(text.contains("Who writes this."), "{text}");
    assert_eq!(select(&page, "main em").len(), 1, "the body is Markdown");
    let description: Vec<_> = select(&page, "meta[name=description]")
        .into_iter()
        .filter_map(|m| m.value().attr("content"))
        .collect();
    assert_eq!(description, ["Who writes this."]);
}

#[test]
fn plain_pages_are_not_in_feeds_or_search() {
    let site = site_with_pages();
    site.build();
    for path in ["rss.xml", "atom.xml", "feed.json", "tags/energy/rss.xml"] {
        let feed = site.feed(path);
        let titles: Vec<_> = feed
            .entries
            .iter()
            .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
            .collect();
        assert_eq!(titles, ["A report"], "{path}");
    }
    let titles: Vec<_> = site.search_docs().iter().map(|d| d["title"].clone()).collect();
    assert_eq!(titles, [serde_json::json!("A report")]);
    assert_eq!(
        card_titles(&site.page("")),
        ["A report"],
        "pages are not listed as reports"
    );
    assert!(!site.exists("reports/about/"));
}

#[test]
fn plain_pages_are_linked_from_every_page() {
    let site = site_with_pages();
    site.build();
    for file in site.html_files() {
        assert!(
            links(&site.page(&file)).iter().any(|l| l == "/pages/about/"),
            "{file} has no link to the about page"
        );
    }
}

#[test]
fn draft_pages_are_built_only_with_the_drafts_flag() {
    let site = site_with_pages();
    site.build();
    assert!(!site.exists("pages/hidden/"));
    assert!(
        !site.read("").contains("Hidden page"),
        "a draft page is not in the navigation"
    );
    site.build_with(&["--drafts"]);
    assert!(site.exists("pages/hidden/"));
}

#[test]
fn a_typo_in_a_page_key_is_an_error_with_a_suggestion() {
    let site = SiteTest::new();
    site.write(
        "content/pages/about.md",
        "+++\ntitle = \"About\"\ndescripton = \"x\"\n+++\n",
    );
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("content/pages/about.md:3:1: error: unknown field `descripton`, did you mean `description`?");
}

#[test]
fn report_fields_are_not_allowed_on_a_page() {
    let site = SiteTest::new();
    site.write(
        "content/pages/about.md",
        "+++\ntitle = \"About\"\n\n[[scores]]\narea = \"Markets\"\nscore = 5\n+++\n",
    );
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("content/pages/about.md:4:");
    run.assert_stderr_contains("`scores`");
}

#[test]
fn a_page_needs_a_title() {
    let site = SiteTest::new();
    site.write("content/pages/about.md", "+++\ndescription = \"x\"\n+++\n");
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("content/pages/about.md:1:1: error: missing required field `title`");
}

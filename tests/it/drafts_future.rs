//! Drafts are built only with `--drafts`, reports dated in the future only with
//! `--future` (FORMAT.md): until then they are on no page, feed, sitemap, search index or
//! taxonomy.

use crate::support::*;

fn site_with_draft_and_future() -> SiteTest {
    let site = SiteTest::new();
    site.write(
        "content/published.md",
        report("Published report", "2025-03-01")
            .tags(&["Shared"])
            .keys("category = \"Markets\"")
            .score("Supply Chains", 5)
            .body("Published body."),
    );
    site.write(
        "content/draft.md",
        report("Secret draft", "2025-04-01")
            .summary("Draft takeaway about $DRFT.")
            .draft()
            .tags(&["Shared", "Draft Only"])
            .keys("category = \"Draft Category\"")
            .score("Draft Area", 7)
            .table("[[stakeholders]]\nwho = \"Draft Group\"\naction = \"Wait.\"")
            .body("Draft body."),
    );
    site.write(
        "content/future.md",
        report("Scheduled report", "2099-01-01")
            .summary("Future takeaway about $FUTR.")
            .tags(&["Shared", "Future Only"])
            .keys("category = \"Future Category\"")
            .score("Future Area", 6)
            .table("[[stakeholders]]\nwho = \"Future Group\"\naction = \"Plan.\"")
            .body("Future body."),
    );
    site
}

/// Output files (relative) whose text contains `needle`.
fn files_mentioning(site: &SiteTest, needle: &str) -> Vec<String> {
    site.output_files()
        .into_iter()
        .filter(|f| [".html", ".xml", ".json", ".txt"].iter().any(|e| f.ends_with(e)))
        .filter(|f| site.read(f).contains(needle))
        .collect()
}

#[test]
fn drafts_are_left_out_of_every_page() {
    let site = site_with_draft_and_future();
    site.build();
    assert!(!site.exists("reports/draft/"));
    assert!(!site.exists("reports/draft/full/"));
    let found = files_mentioning(&site, "Secret draft");
    assert!(found.is_empty(), "the draft shows up in {found:?}");
    assert_eq!(card_titles(&site.page("")), ["Published report"]);
}

#[test]
fn drafts_are_left_out_of_feeds() {
    let site = site_with_draft_and_future();
    site.build();
    for path in ["rss.xml", "atom.xml", "feed.json", "tags/shared/rss.xml"] {
        let feed = site.feed(path);
        let titles: Vec<_> = feed
            .entries
            .iter()
            .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
            .collect();
        assert_eq!(titles, ["Published report"], "{path}");
    }
}

#[test]
fn drafts_are_left_out_of_the_sitemap_and_search_index() {
    let site = site_with_draft_and_future();
    site.build();
    let sitemap = site.read("sitemap.xml");
    assert!(!sitemap.contains("/reports/draft/"), "{sitemap}");
    let titles: Vec<_> = site
        .search_docs()
        .iter()
        .map(|e| e["title"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(titles, ["Published report"]);
}

#[test]
fn drafts_create_no_taxonomy_terms() {
    let site = site_with_draft_and_future();
    site.build();
    for path in [
        "tags/draft-only/",
        "tags/draft-only/rss.xml",
        "categories/draft-category/",
        "impact/draft-area/",
        "stakeholders/draft-group/",
        "tickers/drft/",
    ] {
        assert!(!site.exists(path), "{path} exists for a draft");
    }
    let shared = site.page("tags/shared/");
    assert_eq!(card_titles(&shared), ["Published report"]);
    let tags = main_text(&site.page("tags/"));
    assert!(!tags.contains("Draft Only"), "{tags}");
}

#[test]
fn drafts_are_built_with_the_drafts_flag() {
    let site = site_with_draft_and_future();
    site.build_with(&["--drafts"]);
    for path in [
        "reports/draft/",
        "reports/draft/full/",
        "tags/draft-only/",
        "categories/draft-category/",
        "impact/draft-area/",
        "stakeholders/draft-group/",
        "tickers/drft/",
    ] {
        assert!(site.exists(path), "{path} is missing with --drafts");
    }
    assert_eq!(card_titles(&site.page("")), ["Secret draft", "Published report"]);
    assert!(
        !site.exists("reports/future/"),
        "--drafts does not publish future reports"
    );
}

#[test]
fn future_reports_are_left_out_until_their_date() {
    let site = site_with_draft_and_future();
    site.build();
    assert!(!site.exists("reports/future/"));
    let found = files_mentioning(&site, "Scheduled report");
    assert!(found.is_empty(), "the future report shows up in {found:?}");
    for path in [
        "tags/future-only/",
        "categories/future-category/",
        "impact/future-area/",
        "stakeholders/future-group/",
        "tickers/futr/",
    ] {
        assert!(!site.exists(path), "{path} exists for a future report");
    }
}

#[test]
fn future_reports_are_built_with_the_future_flag() {
    let site = site_with_draft_and_future();
    site.build_with(&["--future"]);
    for path in [
        "reports/future/",
        "reports/future/full/",
        "tags/future-only/",
        "tickers/futr/",
    ] {
        assert!(site.exists(path), "{path} is missing with --future");
    }
    assert_eq!(card_titles(&site.page("")), ["Scheduled report", "Published report"]);
    let rss = site.feed("rss.xml");
    assert_eq!(rss.entries.len(), 2);
    assert!(!site.exists("reports/draft/"), "--future does not publish drafts");
}

#[test]
fn a_future_draft_needs_both_flags() {
    let site = SiteTest::new();
    site.write("content/now.md", report("Now", "2025-03-01"));
    site.write("content/later.md", report("Later draft", "2099-06-01").draft());
    site.build_with(&["--drafts"]);
    assert!(!site.exists("reports/later/"));
    site.build_with(&["--future"]);
    assert!(!site.exists("reports/later/"));
    site.build_with(&["--drafts", "--future"]);
    assert!(site.exists("reports/later/"));
}

#[test]
fn a_typo_in_a_draft_still_fails_the_check() {
    let site = SiteTest::new();
    site.write("content/now.md", report("Now", "2025-03-01"));
    site.write(
        "content/draft.md",
        report("Broken draft", "2025-03-02").draft().keys("sumary = \"typo\""),
    );
    let run = site.run(&["check"]);
    run.assert_failed();
    run.assert_stderr_contains("unknown field `sumary`");
}

//! RSS 2.0, Atom 1.0 and JSON Feed 1.1, read back with feed-rs the way a feed reader
//! would: newest `feed.limit` reports first, absolute URLs, the disclaimer at the end of
//! each item, one RSS feed per tag.

use feed_rs::model::{Entry, Feed};

use crate::support::*;

const FEEDS: [&str; 3] = ["rss.xml", "atom.xml", "feed.json"];

fn titles(feed: &Feed) -> Vec<String> {
    feed.entries
        .iter()
        .map(|e| e.title.as_ref().map(|t| t.content.clone()).unwrap_or_default())
        .collect()
}

/// The HTML of an item: Atom `content`, JSON Feed `content_html`, RSS `description`.
fn item_html(entry: &Entry) -> String {
    entry
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
        .unwrap_or_default()
}

#[test]
fn every_feed_parses_back_with_every_report_newest_first() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    for path in FEEDS {
        let feed = site.feed(path);
        assert_eq!(
            titles(&feed),
            [
                "A refinery would make the partnership matter",
                "Pakistan ships its first rare earths to the US",
                "A note on US critical-minerals policy",
            ],
            "{path}"
        );
        let links: Vec<_> = feed
            .entries
            .iter()
            .map(|e| e.links.first().map(|l| l.href.clone()).unwrap_or_default())
            .collect();
        assert_eq!(
            links,
            [
                "https://example.com/reports/refinery-plan/",
                "https://example.com/reports/first-shipment/",
                "https://example.com/reports/policy-note/",
            ],
            "{path}: each item links to its quick read"
        );
        assert_eq!(
            feed.title.as_ref().map(|t| t.content.as_str()),
            Some("Impact Test Review"),
            "{path}"
        );
    }
}

#[test]
fn feed_items_carry_dates_and_updates() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    for path in FEEDS {
        let feed = site.feed(path);
        let shipment = &feed.entries[1];
        let published = shipment
            .published
            .unwrap_or_else(|| panic!("{path}: no published date"));
        assert_eq!(published.to_rfc3339(), "2025-10-09T00:00:00+00:00", "{path}");
        if path != "rss.xml" {
            let updated = shipment.updated.unwrap_or_else(|| panic!("{path}: no updated date"));
            assert_eq!(
                updated.to_rfc3339(),
                "2025-10-10T08:00:00+00:00",
                "{path}: updated is `updated`"
            );
        }
    }
}

#[test]
fn feed_limit_keeps_the_newest_reports() {
    let site = SiteTest::new();
    site.write("config.toml", CONFIG.replace("limit = 20", "limit = 2"));
    for day in 1..=5 {
        site.write(
            &format!("content/r{day}.md"),
            report(&format!("Report {day}"), &format!("2025-02-0{day}")).tags(&["All"]),
        );
    }
    site.build();
    for path in ["rss.xml", "atom.xml", "feed.json", "tags/all/rss.xml"] {
        assert_eq!(titles(&site.feed(path)), ["Report 5", "Report 4"], "{path}");
    }
    assert_eq!(site.search_docs().len(), 5, "the limit is for feeds only");
}

#[test]
fn the_disclaimer_ends_every_feed_item() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    for path in ["rss.xml", "atom.xml", "feed.json", "tags/rare-earths/rss.xml"] {
        let feed = site.feed(path);
        assert!(!feed.entries.is_empty(), "{path}");
        for entry in &feed.entries {
            let html = item_html(entry);
            let shown = text(scraper::Html::parse_fragment(&html).root_element());
            assert!(
                shown.ends_with("For informational purposes only. Not investment advice."),
                "{path}: the item does not end with the disclaimer:\n{html}"
            );
        }
    }
}

#[test]
fn feed_items_carry_the_takeaway() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    for path in FEEDS {
        let feed = site.feed(path);
        let html = item_html(&feed.entries[0]);
        assert!(
            html.contains("Without local refining the ore leaves as concentrate"),
            "{path}: {html}"
        );
    }
}

#[test]
fn each_tag_has_an_rss_feed_of_its_reports() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    assert_eq!(
        titles(&site.feed("tags/pakistan/rss.xml")),
        ["Pakistan ships its first rare earths to the US"]
    );
    assert_eq!(
        titles(&site.feed("tags/rare-earths/rss.xml")),
        [
            "A refinery would make the partnership matter",
            "Pakistan ships its first rare earths to the US",
        ]
    );
    let feed = site.feed("tags/pakistan/rss.xml");
    let title = feed.title.map(|t| t.content).unwrap_or_default();
    assert!(title.contains("Pakistan"), "the tag feed names its tag: {title}");
}

#[test]
fn every_url_in_the_feeds_is_absolute_and_under_the_base_url() {
    let site = SiteTest::from_fixture("site/small");
    site.build_with(&["--base-url", "https://example.com/sub/path/"]);
    for path in ["rss.xml", "atom.xml", "feed.json", "tags/rare-earths/rss.xml"] {
        let feed = site.feed(path);
        for l in &feed.links {
            assert!(
                l.href.starts_with("https://example.com/sub/path/"),
                "{path}: feed link {}",
                l.href
            );
        }
        for entry in &feed.entries {
            for l in &entry.links {
                assert!(
                    l.href.starts_with("https://example.com/sub/path/reports/"),
                    "{path}: item link {}",
                    l.href
                );
            }
            let html = item_html(entry);
            let doc = scraper::Html::parse_fragment(&html);
            for url in links(&doc) {
                assert!(
                    url.starts_with("https://") || url.starts_with("http://") || url.starts_with('#'),
                    "{path}: a relative URL {url:?} in item content (feed readers cannot resolve it)"
                );
                if url.starts_with("https://example.com/") {
                    assert!(
                        url.starts_with("https://example.com/sub/path/"),
                        "{path}: {url} escapes the sub-path"
                    );
                }
            }
        }
    }
    let feed = site.feed("atom.xml");
    let shipment = item_html(&feed.entries[1]);
    assert!(
        shipment.contains("https://example.com/sub/path/reports/refinery-plan/"),
        "an @/ link in the body is absolute in the feed: {shipment}"
    );
    assert!(
        shipment.contains("https://example.com/sub/path/tickers/mp/"),
        "a body cashtag links absolutely in the feed: {shipment}"
    );
}

#[test]
fn the_json_feed_declares_version_1_1() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let json = site.json("feed.json");
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["feed_url"], "https://example.com/feed.json");
    assert_eq!(
        json["items"][1]["date_modified"].as_str().map(|d| &d[..19]),
        Some("2025-10-10T08:00:00")
    );
}

#[test]
fn pages_advertise_the_feeds() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let home = site.page("");
    let alternates: Vec<_> = select(&home, "link[rel=alternate]")
        .into_iter()
        .filter_map(|l| l.value().attr("href"))
        .collect();
    for feed in ["/rss.xml", "/atom.xml", "/feed.json"] {
        assert!(alternates.contains(&feed), "{feed} not in {alternates:?}");
    }
}

#[test]
fn a_date_time_without_an_offset_is_utc() {
    let site = SiteTest::new();
    site.write("content/a.md", report("Evening", "2025-03-01T23:30:00"));
    site.write("content/b.md", report("Offset", "2025-03-02T09:00:00+05:30"));
    site.build();
    for path in ["atom.xml", "feed.json", "rss.xml"] {
        let feed = site.feed(path);
        let dates: Vec<String> = feed
            .entries
            .iter()
            .map(|e| e.published.map(|d| d.to_rfc3339()).unwrap_or_default())
            .collect();
        assert_eq!(
            dates,
            ["2025-03-02T03:30:00+00:00", "2025-03-01T23:30:00+00:00"],
            "{path}"
        );
    }
}

/// A build keeps each rendered body only until the pages that show it are written: the
/// feeds (site and tag) and the full analysis must all still get every body, on a site
/// large enough for pages to be rendered on several threads at once.
#[test]
fn feeds_and_full_analyses_all_carry_their_bodies() {
    let site = SiteTest::new();
    for i in 0..60 {
        site.write(
            &format!("content/r{i:02}.md"),
            report(&format!("Report number {i}"), &format!("2025-03-{:02}", 1 + i % 28))
                .tags(&[if i % 2 == 0 { "even" } else { "odd" }, "all"])
                .body(&format!("## Detail\n\nThe unique body sentence of report {i}.\n")),
        );
    }
    site.build();
    for i in 0..60 {
        let page = site.read(&format!("reports/r{i:02}/full/index.html"));
        assert!(
            page.contains(&format!("unique body sentence of report {i}.")),
            "full analysis {i}"
        );
    }
    // The site's feeds carry each report whole; a term's feed its quick read's core and
    // a link to the full analysis (a report sits in a dozen term feeds).
    for path in [
        "rss.xml",
        "atom.xml",
        "feed.json",
        "tags/all/rss.xml",
        "tags/even/rss.xml",
        "tags/odd/rss.xml",
    ] {
        let whole = !path.starts_with("tags/");
        let feed = site.feed(path);
        assert_eq!(feed.entries.len(), 20, "{path}");
        for entry in &feed.entries {
            let title = entry.title.as_ref().map(|t| t.content.clone()).unwrap_or_default();
            let n = title.trim_start_matches("Report number ");
            let html = item_html(entry);
            assert_eq!(
                html.contains(&format!("unique body sentence of report {n}.")),
                whole,
                "{path}: item {title}: {html}"
            );
            let slug = format!("r{:02}", n.parse::<usize>().unwrap_or(99));
            assert_eq!(
                html.contains(&format!("/reports/{slug}/full/\">Read the full analysis</a>")),
                !whole,
                "{path}: item {title}: {html}"
            );
        }
    }
}

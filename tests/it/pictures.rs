//! Pictures (FORMAT.md, "Pictures"): share cards and what a crawler reads of them, page
//! bundles, lead images, figures and srcset, and the chart to watch drawn from prices.

use crate::support::*;

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let n = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Some((n(16), n(20)))
}

/// The `content` of `<meta property=name>` or `<meta name=name>`.
fn meta(html: &scraper::Html, name: &str) -> Option<String> {
    let css = format!("meta[property=\"{name}\"], meta[name=\"{name}\"]");
    select(html, &css)
        .first()
        .and_then(|m| m.value().attr("content"))
        .map(str::to_owned)
}

#[test]
fn every_report_gets_a_1200x630_share_card_that_crawlers_are_pointed_at() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Lithium deal signed", "2025-03-01")
            .keys("category = \"Energy\"")
            .score("Supply Chains", 8)
            .body("Body."),
    );
    site.build_with(&["--base-url", "https://example.org/impact/"]);
    let card = std::fs::read(site.out("reports/a/card.png")).unwrap();
    assert_eq!(png_size(&card), Some((1200, 630)));
    for page in ["reports/a/", "reports/a/full/"] {
        let html = site.page(page);
        assert_eq!(
            meta(&html, "og:image").as_deref(),
            Some("https://example.org/impact/reports/a/card.png"),
            "{page}"
        );
        assert_eq!(meta(&html, "og:image:width").as_deref(), Some("1200"));
        assert_eq!(meta(&html, "og:image:height").as_deref(), Some("630"));
        assert_eq!(meta(&html, "og:image:alt").as_deref(), Some("Lithium deal signed"));
        assert_eq!(meta(&html, "twitter:card").as_deref(), Some("summary_large_image"));
        let ld = json_ld(&html);
        assert_eq!(ld[0]["image"][0], "https://example.org/impact/reports/a/card.png");
    }
    // Not a page: the sitemap leaves it out.
    assert!(!site.read("sitemap.xml").contains("card.png"));
}

#[test]
fn a_card_is_drawn_once_and_kept_in_the_cache_until_what_it_shows_changes() {
    let site = SiteTest::new();
    site.write("content/a.md", report("First title", "2025-03-01"));
    site.build();
    let cached = |site: &SiteTest| -> Vec<String> {
        let dir = site.root().join(".impress-cache/cards");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let first = cached(&site);
    assert_eq!(first.len(), 1, "{first:?}");
    let before = std::fs::read(site.out("reports/a/card.png")).unwrap();
    // A body edit does not change the card.
    site.write("content/a.md", report("First title", "2025-03-01").body("New body."));
    site.build();
    assert_eq!(cached(&site), first);
    // A new title is a new card.
    site.write("content/a.md", report("Second title", "2025-03-01"));
    site.build();
    assert_eq!(cached(&site).len(), 2);
    assert_ne!(std::fs::read(site.out("reports/a/card.png")).unwrap(), before);
}

/// A price file of `days` daily closes from 2025-06-02, rising by `step` a day.
fn prices(days: u32, start: f64, step: f64) -> String {
    let mut csv = String::from("date,close\n");
    let first = chrono::NaiveDate::from_ymd_opt(2025, 6, 2).unwrap();
    for d in 0..days {
        let day = first + chrono::Days::new(u64::from(d));
        csv.push_str(&format!("{day},{:.2}\n", start + step * f64::from(d)));
    }
    csv
}

fn chart_report() -> ReportText {
    report("Rare earths rally", "2025-07-01").table(
        "[chart]\nticker = \"REMX\"\nwhy = \"Signals confidence\"\ncompare = [\n  { ticker = \"MP\", why = \"Western production\" },\n  \"LIT\",\n]",
    )
}

#[test]
fn a_chart_with_a_price_file_is_drawn_with_the_compare_reasons_under_it() {
    let site = SiteTest::new();
    site.write("content/a.md", chart_report());
    site.write("data/prices/REMX.csv", prices(60, 40.0, 0.5));
    site.write("data/prices/MP.csv", prices(60, 20.0, -0.1));
    site.build();
    let html = site.page("reports/a/");
    let svg = select(&html, "svg[role=img]");
    assert_eq!(svg.len(), 1, "one drawn chart");
    let title = text(select_in(svg[0], "title")[0]);
    assert!(title.contains("REMX"), "{title}");
    let desc = text(select_in(svg[0], "desc")[0]);
    assert!(desc.contains('%'), "the description states the change: {desc}");
    let reasons = main_text(&html);
    assert!(reasons.contains("Western production"), "{reasons}");
    // LIT has no price file: said so, not drawn.
    assert!(reasons.contains("No price data to draw for LIT"), "{reasons}");
    assert!(!select(&html, "details table").is_empty(), "the numbers are in a table");
}

#[test]
fn without_a_price_file_the_chart_section_stays_text() {
    let site = SiteTest::new();
    site.write("content/a.md", chart_report());
    site.build();
    let html = site.page("reports/a/");
    assert!(select(&html, "svg[role=img]").is_empty());
    assert!(main_text(&html).contains("Compare with"));
}

#[test]
fn a_chart_window_is_set_in_config() {
    let site = SiteTest::new();
    site.write("config.toml", format!("{CONFIG}\n[chart]\nwindow_days = 10\n"));
    site.write("content/a.md", chart_report());
    site.write("data/prices/REMX.csv", prices(60, 40.0, 0.5));
    site.build();
    let html = site.page("reports/a/");
    // 10 days back from the last price (2025-07-31): 11 rows of numbers.
    assert_eq!(select(&html, "details tbody tr").len(), 11);
}

#[test]
fn a_bad_price_row_fails_the_build_naming_file_and_line_and_keeps_the_old_site() {
    let site = SiteTest::new();
    site.write("content/a.md", chart_report());
    site.write("data/prices/REMX.csv", prices(5, 40.0, 0.5));
    site.build();
    site.write("data/prices/REMX.csv", "date,close\n2025-06-02,40\n2025-06-03,forty\n");
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_stderr_contains("data/prices/REMX.csv:3:");
    run.assert_stderr_contains("the close `forty` is not a number");
    assert!(site.exists("reports/a/index.html"), "the previous site stays");
    site.write("data/prices/REMX.csv", "day,price\n2025-06-02,40\n");
    site.try_build(&[])
        .assert_failed()
        .assert_stderr_contains("data/prices/REMX.csv:1:");
}

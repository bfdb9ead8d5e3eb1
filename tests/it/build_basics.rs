//! A small site builds every URL of FORMAT.md's table, and each page shows what the
//! table says it shows.

use std::collections::BTreeSet;
use std::fs;

use crate::support::*;

/// Output paths FORMAT.md promises for `tests/fixtures/site/small`.
const EXPECTED_URLS: &[&str] = &[
    "",
    "reports/first-shipment/",
    "reports/first-shipment/full/",
    "reports/refinery-plan/",
    "reports/refinery-plan/full/",
    "reports/policy-note/",
    "tags/",
    "tags/rare-earths/",
    "tags/pakistan/",
    "tags/rare-earths/rss.xml",
    "categories/",
    "categories/business-technology/",
    "categories/policy/",
    "tickers/",
    "tickers/remx/",
    "tickers/usar/",
    "impact/",
    "impact/global-supply-chains/",
    "impact/geopolitical-relations/",
    "stakeholders/",
    "stakeholders/investors/",
    "pages/about/",
    "pages/methodology/",
    "rss.xml",
    "atom.xml",
    "feed.json",
    "sitemap.xml",
    "robots.txt",
    "404.html",
    "search/",
    "search/index.json",
    "search/words/0.json",
    "search/docs/0.json",
];

#[test]
fn every_url_of_the_format_exists_for_a_small_site() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let missing: Vec<_> = EXPECTED_URLS.iter().filter(|u| !site.exists(u)).collect();
    assert!(
        missing.is_empty(),
        "missing {missing:?}; the output has:\n{}",
        site.output_files().join("\n")
    );
}

#[test]
fn the_build_says_what_it_built() {
    let site = SiteTest::from_fixture("site/small");
    let run = site.build();
    assert!(run.stdout.contains("3 reports"), "stdout: {}", run.stdout);
}

#[test]
fn the_home_page_lists_reports_newest_first() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let home = site.page("");
    assert_eq!(
        card_titles(&home),
        [
            "A refinery would make the partnership matter",
            "Pakistan ships its first rare earths to the US",
            "A note on US critical-minerals policy",
        ]
    );
    let text = main_text(&home);
    assert!(
        text.contains("Without local refining the ore leaves as concentrate"),
        "the home page shows each takeaway: {text}"
    );
    assert!(
        text.contains("2 November 2025") || text.contains("2025-11-02"),
        "dates: {text}"
    );
    assert!(
        text.contains("Geopolitical Relations"),
        "cards show the areas of their score bars: {text}"
    );
}

#[test]
fn the_quick_read_shows_every_front_matter_section() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let page = site.page("reports/first-shipment/");
    let text = main_text(&page);
    for shown in [
        "Pakistan ships its first rare earths to the US",
        "The US gains its first rare earth supply line outside China",
        "Research Desk",
        "Business & Technology",
        "Rare Earths",
        "Geopolitical Relations",
        "Major alliance shift",
        "Pilot scale for now",
        "Global Supply Chains",
        "Markets",
        "Rare earth explorers rally",
        "Investors",
        "Review critical-minerals exposure",
        "Prices may steady over time.",
        "Watch the refinery.",
        "Mineral development",
        "Regional stabilisation",
        "VanEck Rare Earth ETF",
        "Signals confidence in supply diversification",
        "Refinery construction progress",
        "More bilateral minerals partnerships",
        "Echoes the 2010 embargo on exports to Japan.",
        "Which minerals were shipped?",
        "Antimony, copper concentrate, neodymium and praseodymium.",
        "Wire coverage",
        "Updated",
        "10 October 2025",
    ] {
        assert!(text.contains(shown), "the quick read lacks {shown:?}:\n{text}");
    }
    let links = main_links(&page);
    for href in [
        "/reports/first-shipment/full/",
        "/categories/business-technology/",
        "/tags/rare-earths/",
        "/tags/pakistan/",
        "/impact/geopolitical-relations/",
        "/impact/global-supply-chains/",
        "/stakeholders/investors/",
        "/tickers/remx/",
        "/tickers/mp/",
        "/tickers/lit/",
        "/tickers/usar/",
        "https://news.example.org/story",
    ] {
        assert!(
            links.iter().any(|l| l == href),
            "the quick read has no link to {href}: {links:?}"
        );
    }
}

#[test]
fn the_quick_read_leaves_out_sections_that_are_absent() {
    let site = SiteTest::new();
    site.write("content/bare.md", report("Bare report", "2025-03-01"));
    site.build();
    let text = main_text(&site.page("reports/bare/"));
    for absent in [
        "Frequently asked questions",
        "Chart to watch",
        "Historical context",
        "Who needs to act",
        "Source",
    ] {
        assert!(
            !text.contains(absent),
            "a report without that field shows {absent:?}:\n{text}"
        );
    }
    assert!(text.contains("Summary of Bare report."), "{text}");
}

#[test]
fn the_full_analysis_has_the_body_a_table_of_contents_and_a_link_back() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let page = site.page("reports/first-shipment/full/");
    let headings: Vec<(String, Option<String>)> = select(&page, "main h2, main h3")
        .into_iter()
        .map(|h| (text(h), h.value().attr("id").map(str::to_string)))
        .collect();
    let deal = headings
        .iter()
        .find(|(t, _)| t == "The deal")
        .unwrap_or_else(|| panic!("no heading `The deal`: {headings:?}"));
    let id = deal
        .1
        .clone()
        .expect("body headings have ids for the table of contents");
    let links = main_links(&page);
    assert!(
        links.contains(&format!("#{id}")),
        "the table of contents links to #{id}: {links:?}"
    );
    assert!(
        links.contains(&"#what-it-carried".to_string()),
        "level-3 headings are in the toc: {links:?}"
    );
    assert!(
        links.contains(&"/reports/first-shipment/".to_string()),
        "a link back to the quick read: {links:?}"
    );
    assert_eq!(select(&page, "main table").len(), 1, "GFM tables render");
    assert!(main_text(&page).contains("The consignment reached US Strategic Metals."));
}

#[test]
fn a_report_without_a_body_has_a_quick_read_and_no_full_analysis() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    assert!(site.exists("reports/policy-note/"));
    assert!(
        !site.exists("reports/policy-note/full/"),
        "a report with an empty body has no full-analysis page"
    );
    for file in site.html_files() {
        let page = site.page(&file);
        assert!(
            !links(&page).iter().any(|l| l.contains("/reports/policy-note/full")),
            "{file} links to the missing full analysis"
        );
    }
    let sitemap = site.read("sitemap.xml");
    assert!(!sitemap.contains("/reports/policy-note/full/"), "{sitemap}");
}

#[test]
fn a_body_of_only_blank_lines_counts_as_no_body() {
    let site = SiteTest::new();
    site.write(
        "content/blank.md",
        format!("{}\n\n   \n\n", report("Blank body", "2025-03-01")),
    );
    site.build();
    assert!(site.exists("reports/blank/"));
    assert!(!site.exists("reports/blank/full/"));
}

#[test]
fn the_disclaimer_is_in_the_footer_of_every_html_page() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let pages = site.html_files();
    assert!(pages.len() > 20, "{pages:?}");
    for file in pages {
        let page = site.page(&file);
        let in_footer = select(&page, "footer")
            .into_iter()
            .any(|f| text(f).contains("For informational purposes only. Not investment advice."));
        assert!(in_footer, "{file} has no disclaimer in a <footer>");
    }
}

#[test]
fn robots_txt_points_crawlers_at_the_sitemap() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let robots = site.read("robots.txt");
    assert!(robots.contains("User-agent: *"), "{robots}");
    assert!(
        robots
            .lines()
            .any(|l| l.trim() == "Sitemap: https://example.com/sitemap.xml"),
        "{robots}"
    );
}

#[test]
fn the_404_page_is_a_full_page_with_a_way_home_and_is_not_indexed() {
    let site = SiteTest::from_fixture("site/small");
    site.build_with(&["--base-url", "https://example.com/sub/"]);
    let page = site.page("404.html");
    assert!(
        main_links(&page).contains(&"/sub/".to_string()),
        "{:?}",
        main_links(&page)
    );
    let robots: Vec<_> = select(&page, "meta[name=robots]")
        .into_iter()
        .filter_map(|m| m.value().attr("content"))
        .collect();
    assert!(robots.iter().any(|c| c.contains("noindex")), "{robots:?}");
    assert!(
        !site.read("sitemap.xml").contains("404"),
        "the 404 page is not in the sitemap"
    );
}

#[test]
fn the_sitemap_lists_every_page_and_reports_with_lastmod_from_updated() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let entries = sitemap_entries(&site.read("sitemap.xml"));
    let lastmod = |loc: &str| {
        entries
            .iter()
            .find(|(l, _)| l == loc)
            .unwrap_or_else(|| panic!("{loc} is not in the sitemap: {entries:?}"))
            .1
            .clone()
    };
    let updated = lastmod("https://example.com/reports/first-shipment/").expect("a report has lastmod");
    assert!(
        updated.starts_with("2025-10-10T08:00:00"),
        "lastmod is `updated`: {updated}"
    );
    let dated = lastmod("https://example.com/reports/refinery-plan/").expect("a report has lastmod");
    assert!(dated.starts_with("2025-11-02"), "lastmod falls back to `date`: {dated}");

    let locs: BTreeSet<String> = entries.iter().map(|(l, _)| l.clone()).collect();
    let pages: BTreeSet<String> = site
        .html_files()
        .into_iter()
        .filter(|f| f != "404.html")
        .map(|f| format!("https://example.com/{}", f.trim_end_matches("index.html")))
        .collect();
    assert_eq!(locs, pages, "the sitemap lists every HTML page but the 404");
}

#[test]
fn site_and_theme_static_files_are_copied() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    assert_eq!(site.read("img/logo.txt"), "logo\n");
    let home = site.page("");
    let css: Vec<_> = select(&home, "link[rel=stylesheet]")
        .into_iter()
        .filter_map(|l| l.value().attr("href"))
        .map(str::to_string)
        .collect();
    assert!(!css.is_empty(), "the home page has a stylesheet");
    for href in css {
        assert!(site.exists(&href), "stylesheet {href} is in the output");
    }
}

#[test]
fn ticker_pages_show_names_from_data_tickers_toml() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let mp = site.page("tickers/mp/");
    let text = main_text(&mp);
    assert!(text.contains("MP Materials"), "{text}");
    assert!(text.contains("NYSE"), "{text}");
    assert!(card_titles(&mp).contains(&"Pakistan ships its first rare earths to the US".to_string()));
    let index = main_text(&site.page("tickers/"));
    assert!(index.contains("VanEck Rare Earth and Strategic Metals ETF"), "{index}");
}

#[test]
fn ticker_pages_say_what_the_report_says_of_the_ticker() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let text = main_text(&site.page("tickers/lit/"));
    assert!(
        text.contains("Review critical-minerals exposure ($REMX, $LIT)."),
        "the stakeholder action that names $LIT: {text}"
    );
}

#[test]
fn the_faq_is_also_emitted_as_faqpage_json_ld() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let page = site.page("reports/first-shipment/");
    let blocks = json_ld(&page);
    let all = serde_json::Value::Array(blocks).to_string();
    assert!(all.contains("\"FAQPage\""), "{all}");
    assert!(all.contains("Which minerals were shipped?"), "{all}");
    assert!(
        all.contains("Antimony, copper concentrate, neodymium and praseodymium."),
        "{all}"
    );
    // The full analysis does not show the questions, so its structured data leaves them out.
    let full = serde_json::Value::Array(json_ld(&site.page("reports/first-shipment/full/"))).to_string();
    assert!(full.contains("\"NewsArticle\"") && !full.contains("FAQPage"), "{full}");
}

#[test]
fn check_exits_zero_on_a_good_site_and_writes_nothing() {
    let site = SiteTest::from_fixture("site/small");
    let before = list_root(&site);
    let run = site.run(&["check"]);
    run.assert_ok();
    assert_eq!(list_root(&site), before, "check wrote into the site folder");
    assert!(!site.public().exists(), "check made an output folder");
    let parent: Vec<_> = fs::read_dir(site.root().parent().expect("temp parent"))
        .expect("list temp")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // The staging folder of this site's output (`public`); other processes may be
        // building elsewhere in the same temp folder.
        .filter(|n| n.starts_with(".public.impress-"))
        .collect();
    assert!(parent.is_empty(), "check left staging folders behind: {parent:?}");
}

fn list_root(site: &SiteTest) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(site.root())
        .expect("list site")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_rebuild_drops_pages_of_removed_reports() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    assert!(site.exists("reports/policy-note/"));
    site.remove("content/2025/policy-note.md");
    site.build();
    assert!(!site.exists("reports/policy-note/"), "the output is rebuilt whole");
    assert!(!site.exists("categories/policy/"));
    let leftovers: Vec<_> = list_root(&site)
        .into_iter()
        .filter(|n| n.contains("impress-") && n != ".impress-cache")
        .collect();
    assert!(leftovers.is_empty(), "staging folders left behind: {leftovers:?}");
}

#[test]
fn the_output_flag_builds_into_another_folder() {
    let site = SiteTest::from_fixture("site/small");
    let out = site.root().join("elsewhere").join("site");
    site.build_with(&["--output", out.to_str().expect("utf-8 temp path")]);
    assert!(out.join("index.html").is_file());
    assert!(out.join("reports/first-shipment/index.html").is_file());
    assert!(!site.public().exists(), "nothing is written to public/");
}

#[test]
fn dates_are_shown_as_written_whatever_the_offset() {
    let site = SiteTest::new();
    site.write(
        "content/late.md",
        report("Late evening report", "2025-03-01T23:30:00-05:00"),
    );
    site.build();
    let page = site.page("reports/late/");
    let times: Vec<_> = select(&page, "main time")
        .into_iter()
        .filter_map(|t| t.value().attr("datetime"))
        .collect();
    assert!(times.iter().any(|t| t.starts_with("2025-03-01")), "{times:?}");
}

#[test]
fn a_site_made_by_init_builds_without_errors() {
    let site = SiteTest::empty();
    site.run(&["init", "fresh"]).assert_ok();
    let fresh = site.root().join("fresh");
    assert!(fresh.join("config.toml").is_file());
    site.run_at("fresh", &["check"]).assert_ok();
    site.run_at("fresh", &["build"]).assert_ok();
    assert!(fresh.join("public/index.html").is_file());
    assert!(fresh.join("public/rss.xml").is_file());
}

#[test]
fn a_new_report_is_a_draft_with_every_field_stubbed() {
    let site = SiteTest::new();
    site.run(&["new", "Copper & cobalt: a new deal"]).assert_ok();
    let files: Vec<_> = fs::read_dir(site.root().join("content"))
        .expect("content")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["copper-cobalt-a-new-deal.md"]);
    let text = fs::read_to_string(site.root().join("content/copper-cobalt-a-new-deal.md")).expect("new report");
    for key in [
        "title",
        "date",
        "draft",
        "summary",
        "category",
        "tags",
        "tickers",
        "source",
        "historical_context",
        "primary_impact",
        "ripple_effects",
        "bottom_line",
        "[[scores]]",
        "[[glance]]",
        "[[stakeholders]]",
        "[[chains]]",
        "[chart]",
        "[next]",
        "[[faq]]",
    ] {
        assert!(text.contains(key), "the stub lacks {key}:\n{text}");
    }
    site.build();
    assert!(
        !site.exists("reports/copper-cobalt-a-new-deal/"),
        "a new report is a draft"
    );
    site.build_with(&["--drafts", "--future"]);
    assert!(site.exists("reports/copper-cobalt-a-new-deal/"));

    // The same title again never overwrites the writer's file.
    let path = site.root().join("content/copper-cobalt-a-new-deal.md");
    fs::write(&path, "+++\ntitle = \"Mine\"\n+++\n").expect("edit");
    let again = site.run(&["new", "Copper & cobalt: a new deal"]);
    assert_eq!(again.code, 1, "{}", again.stderr);
    again.assert_stderr_contains("already exists");
    assert_eq!(fs::read_to_string(&path).expect("kept"), "+++\ntitle = \"Mine\"\n+++\n");
}

#[test]
fn build_defaults_to_the_current_folder() {
    let site = SiteTest::from_fixture("site/small");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_impress"))
        .arg("build")
        .current_dir(site.root())
        .output()
        .expect("run impress");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(site.exists("reports/first-shipment/"));
}

#[test]
fn building_twice_gives_identical_output() {
    let first = SiteTest::from_fixture("site/small");
    let second = SiteTest::from_fixture("site/small");
    first.build();
    second.build();
    let files = first.output_files();
    assert_eq!(files, second.output_files());
    for f in files {
        assert!(
            std::fs::read(first.out(&f)).unwrap() == std::fs::read(second.out(&f)).unwrap(),
            "{f} differs between two builds of the same site"
        );
    }
}

#[test]
fn windows_line_endings_are_read_like_unix_ones() {
    let site = SiteTest::new();
    let source = report("Carriage returns", "2025-03-01")
        .tags(&["Energy"])
        .body("## Heading\n\nA paragraph.\n")
        .to_string()
        .replace('\n', "\r\n");
    site.write("content/crlf.md", source);
    site.build();
    assert!(site.exists("tags/energy/"));
    let page = site.page("reports/crlf/full/");
    let headings: Vec<String> = select(&page, "main h2[id]").into_iter().map(text).collect();
    assert!(headings.contains(&"Heading".to_string()), "{headings:?}");
    assert!(main_text(&page).contains("A paragraph."));
}

#[test]
fn editor_lock_and_swap_files_in_content_are_ignored() {
    let site = SiteTest::new();
    site.write("content/a.md", report("Real report", "2025-03-01"));
    site.write("content/.#a.md", "not a report");
    site.write("content/.a.md.swp", "not a report");
    site.write("content/a.md~", "not a report");
    site.build();
    assert_eq!(card_titles(&site.page("")), ["Real report"]);
}

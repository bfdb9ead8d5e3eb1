//! FORMAT.md's "Newsroom", the site side: an RSS feed per term linked from its page, the
//! JSON Feed `_impress` extension, the news sitemap, settings a theme can use (`[extra]`,
//! `[[menu]]`, page weight, custom.css, `super()` in head blocks), term order, and the
//! term consistency checks.

use crate::support::*;

fn alternate_feeds(html: &scraper::Html) -> Vec<String> {
    select(html, "link[rel=alternate][type='application/rss+xml']")
        .iter()
        .filter_map(|l| l.value().attr("href").map(str::to_string))
        .collect()
}

fn entry_titles(feed: &feed_rs::model::Feed) -> Vec<String> {
    feed.entries
        .iter()
        .map(|e| e.title.as_ref().map(|t| t.content.clone()).unwrap_or_default())
        .collect()
}

fn two_reports(site: &SiteTest) {
    site.write(
        "content/old.md",
        report("Older, scored high", "2025-10-01")
            .keys(r#"category = "Energy""#)
            .keys(r#"tickers = ["MP"]"#)
            .keys(r#"authors = ["Research Desk"]"#)
            .score("Global Supply Chains", 9)
            .table("[[stakeholders]]\nwho = \"Investors\"\naction = \"Watch $MP.\""),
    );
    site.write(
        "content/new.md",
        report("Newer, scored low", "2025-10-05")
            .keys(r#"category = "Energy""#)
            .keys(r#"tickers = ["MP", "LIT"]"#)
            .keys(r#"primary_impact = "Global Supply Chains""#)
            .score("Global Supply Chains", 2)
            .table("[[stakeholders]]\nwho = \"Investors\"\naction = \"Hold.\""),
    );
}

#[test]
fn every_term_has_an_rss_feed_newest_first_linked_from_its_page() {
    let site = SiteTest::new();
    two_reports(&site);
    site.build();
    for (page, feed, title, items) in [
        (
            "tickers/mp/",
            "tickers/mp/rss.xml",
            "Impact Test Review: $MP",
            vec!["Newer, scored low", "Older, scored high"],
        ),
        (
            "tickers/lit/",
            "tickers/lit/rss.xml",
            "Impact Test Review: $LIT",
            vec!["Newer, scored low"],
        ),
        // The area's page ranks by score; its feed is newest first like every feed.
        (
            "impact/global-supply-chains/",
            "impact/global-supply-chains/rss.xml",
            "Impact Test Review: Global Supply Chains",
            vec!["Newer, scored low", "Older, scored high"],
        ),
        (
            "categories/energy/",
            "categories/energy/rss.xml",
            "Impact Test Review: Energy",
            vec!["Newer, scored low", "Older, scored high"],
        ),
        (
            "stakeholders/investors/",
            "stakeholders/investors/rss.xml",
            "Impact Test Review: Investors",
            vec!["Newer, scored low", "Older, scored high"],
        ),
        (
            "authors/research-desk/",
            "authors/research-desk/rss.xml",
            "Impact Test Review: Research Desk",
            vec!["Older, scored high"],
        ),
    ] {
        let html = site.page(page);
        assert!(
            alternate_feeds(&html).contains(&format!("/{feed}")),
            "{page} links its feed: {:?}",
            alternate_feeds(&html)
        );
        let parsed = site.feed(feed);
        assert_eq!(parsed.title.as_ref().map(|t| t.content.as_str()), Some(title), "{feed}");
        assert_eq!(entry_titles(&parsed), items, "{feed}");
    }
}

#[test]
fn json_feed_items_carry_scores_areas_and_tickers_as_data() {
    let site = SiteTest::new();
    two_reports(&site);
    site.build();
    let feed = site.json("feed.json");
    let ext = &feed["items"][0]["_impress"];
    assert_eq!(ext["tickers"], serde_json::json!(["MP", "LIT"]));
    assert_eq!(ext["areas"], serde_json::json!(["Global Supply Chains"]));
    assert_eq!(ext["primary_impact"], "Global Supply Chains");
    assert_eq!(ext["category"], "Energy");
    assert_eq!(ext["scores"][0]["area"], "Global Supply Chains");
    assert_eq!(ext["scores"][0]["score"], 2);
    assert_eq!(ext["scores"][0]["severity"], "low");
    assert_eq!(feed["items"][1]["_impress"]["scores"][0]["score"], 9);
}

#[test]
fn the_news_sitemap_lists_the_reports_of_the_last_two_days() {
    let site = SiteTest::new();
    let today = chrono::Utc::now().date_naive();
    let yesterday = today - chrono::Duration::days(1);
    site.write("content/fresh.md", report("Fresh news & more", &yesterday.to_string()));
    site.write("content/old.md", report("Old news", "2025-01-02"));
    site.build();
    let xml = site.read("news-sitemap.xml");
    let doc = roxmltree_like(&xml);
    assert_eq!(
        doc,
        [(
            "https://example.com/reports/fresh/".to_string(),
            "Fresh news & more".to_string()
        )]
    );
    assert!(xml.contains("<news:name>Impact Test Review</news:name>"), "{xml}");
    assert!(xml.contains("<news:language>en</news:language>"), "{xml}");
    assert!(site
        .read("robots.txt")
        .contains("Sitemap: https://example.com/news-sitemap.xml"));
}

/// Past the protocol's 50,000 URLs, sitemap.xml becomes an index of parts of at most that
/// many. `IMPRESS_SITEMAP_LIMIT` lowers the limit, so that a site of a few reports crosses
/// it as a site of 25,000 reports would; the same code splits both.
#[test]
fn a_sitemap_past_its_limit_becomes_an_index_of_parts_that_list_every_page_once() {
    let site = SiteTest::new();
    site.write(
        "config.toml",
        CONFIG.replace("https://example.com/", "https://example.com/impact/"),
    );
    for i in 1..=6 {
        site.write(
            &format!("content/r{i}.md"),
            report(&format!("Report {i}"), &format!("2025-03-0{i}")).tags(&["Energy"]),
        );
    }
    site.build();
    let whole: Vec<String> = sitemap_entries(&site.read("sitemap.xml"))
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert!(
        whole.len() > 14,
        "six reports, their full analyses and the listings: {whole:?}"
    );
    assert!(
        !site.exists("sitemaps/1.xml"),
        "one file while the site is under the limit"
    );

    let run = site.run_env(&[("IMPRESS_SITEMAP_LIMIT", "5")], &["build"]);
    run.assert_ok();
    let index = site.read("sitemap.xml");
    assert!(index.contains("<sitemapindex"), "{index}");
    let parts: Vec<String> = index
        .split("<loc>")
        .skip(1)
        .filter_map(|l| l.split("</loc>").next())
        .map(str::to_string)
        .collect();
    assert_eq!(parts.len(), whole.len().div_ceil(5), "{index}");
    let mut listed = Vec::new();
    for (n, url) in parts.iter().enumerate() {
        assert_eq!(url, &format!("https://example.com/impact/sitemaps/{}.xml", n + 1));
        let part = site.read(&format!("sitemaps/{}.xml", n + 1));
        assert!(part.contains("<urlset"), "{part}");
        let entries = sitemap_entries(&part);
        assert!(!entries.is_empty() && entries.len() <= 5, "{part}");
        listed.extend(entries.into_iter().map(|e| e.0));
    }
    assert_eq!(listed, whole, "the parts list every page once, in the same order");
    assert!(site
        .read("robots.txt")
        .contains("Sitemap: https://example.com/impact/sitemap.xml"));

    // Back under the limit, the parts are gone and sitemap.xml lists the pages again.
    site.build();
    assert!(!site.exists("sitemaps/1.xml"));
    assert_eq!(sitemap_entries(&site.read("sitemap.xml")).len(), whole.len());
}

/// (loc, news:title) of each `<url>` of a news sitemap, unescaped.
fn roxmltree_like(xml: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    xml.split("<url>")
        .skip(1)
        .map(|u| {
            let between = |a: &str, b: &str| {
                u.split(a)
                    .nth(1)
                    .and_then(|r| r.split(b).next())
                    .unwrap_or("")
                    .to_string()
            };
            (
                unescape(&between("<loc>", "</loc>")),
                unescape(&between("<news:title>", "</news:title>")),
            )
        })
        .collect()
}

#[test]
fn extra_and_menu_reach_the_templates_and_pages_take_weight_and_in_menu() {
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-10-09"));
    site.write(
        "content/pages/about.md",
        "+++\ntitle = \"About\"\nweight = 2\n+++\nAbout us.\n",
    );
    site.write(
        "content/pages/method.md",
        "+++\ntitle = \"Method\"\nweight = 1\n+++\nHow.\n",
    );
    site.write(
        "content/pages/legal.md",
        "+++\ntitle = \"Legal\"\nin_menu = false\n+++\nSmall print.\n",
    );
    site.build();
    // Plain pages are in the footer: the masthead holds the primary navigation only.
    let nav: Vec<String> = select(&site.page(""), "footer nav a")
        .iter()
        .map(|a| text(*a))
        .collect();
    assert_eq!(
        nav[nav.len() - 2..],
        ["Method".to_string(), "About".to_string()],
        "{nav:?}"
    );
    assert!(site.exists("pages/legal/"), "a page out of the menu is still built");

    site.write(
        "config.toml",
        format!(
            "{CONFIG}\n[extra]\ntagline = \"Markets, explained\"\n\n[[menu]]\nname = \"Tickers\"\nurl = \"/tickers/\"\nweight = 2\n\n[[menu]]\nname = \"Latest\"\nurl = \"/\"\nweight = 1\n\n[[menu]]\nname = \"Elsewhere\"\nurl = \"https://example.org/\"\nweight = 3\n"
        ),
    );
    site.write(
        "templates/home.html",
        "{% extends \"theme/home.html\" %}{% block content %}<p id=\"tagline\">{{ site.extra.tagline }}</p>{{ super() }}{% endblock %}",
    );
    site.build();
    let home = site.page("");
    let nav: Vec<(String, String)> = select(&home, "nav[aria-label=Main] a")
        .iter()
        .map(|a| (text(*a), a.value().attr("href").unwrap_or("").to_string()))
        .collect();
    assert_eq!(
        nav,
        [
            ("Latest".to_string(), "/".to_string()),
            ("Tickers".to_string(), "/tickers/".to_string()),
            ("Elsewhere".to_string(), "https://example.org/".to_string()),
        ]
    );
    assert_eq!(text(select(&home, "#tagline")[0]), "Markets, explained");
}

#[test]
fn a_menu_entry_without_url_is_an_error_at_its_line() {
    let site = SiteTest::new();
    site.write("config.toml", format!("{CONFIG}\n[[menu]]\nname = \"Home\"\n"));
    site.try_build(&[])
        .assert_failed()
        .assert_error_line("config.toml:12:1: error: missing field `url` in `[[menu]]`");
}

#[test]
fn stylesheets_are_minified_and_keep_their_rules() {
    let site = SiteTest::from_fixture("site/small");
    site.write(
        "static/custom.css",
        "/* The site's own colours. */\n.masthead-note {\n    color: #ff0000;\n    margin: 0px 0px 0px 0px;\n}\n",
    );
    site.build();
    let custom = site.read("custom.css");
    assert_eq!(
        custom, ".masthead-note{color:red;margin:0}",
        "comments, spaces and long forms go"
    );
    let theme = site.read("style.css");
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/static/style.css")).unwrap();
    assert!(
        !theme.contains("/*") && !theme.contains("\n  "),
        "the theme's stylesheet is minified"
    );
    assert!(
        theme.len() * 10 < source.len() * 9,
        "{} bytes from {}",
        theme.len(),
        source.len()
    );
    assert!(theme.contains(".brief-list"), "its rules are kept");
}

#[test]
fn custom_css_and_a_site_head_block_reach_every_page_kind() {
    let site = SiteTest::from_fixture("site/small");
    site.write("static/custom.css", "body { color: red }\n");
    site.write(
        "templates/base.html",
        "{% extends \"theme/base.html\" %}{% block head %}<meta name=\"site-head\" content=\"yes\">{{ super() }}{% endblock %}",
    );
    site.build();
    for page in site.html_files() {
        let html = site.page(&page);
        let sheets: Vec<String> = select(&html, "link[rel=stylesheet]")
            .iter()
            .filter_map(|l| l.value().attr("href"))
            .map(|h| h.split('?').next().unwrap_or(h).to_string())
            .collect();
        if select(&html, "meta[http-equiv=refresh]").len() == 1 {
            continue;
        }
        assert_eq!(
            sheets.last().map(String::as_str),
            Some("/custom.css"),
            "{page}: {sheets:?}"
        );
        assert!(sheets.iter().any(|s| s == "/style.css"), "{page}");
        assert_eq!(
            select(&html, "meta[name=site-head]").len(),
            1,
            "{page}: the site's head block"
        );
    }
}

#[test]
fn term_indexes_sort_by_folded_name() {
    let site = SiteTest::new();
    for (i, cat) in ["Test", "Économie", "energy markets", "Zinc"].iter().enumerate() {
        site.write(
            &format!("content/r{i}.md"),
            report(&format!("R{i}"), "2025-10-09").keys(&format!("category = {}", toml_str(cat))),
        );
    }
    site.build();
    let names: Vec<String> = select(&site.page("categories/"), "main li a")
        .iter()
        .map(|a| text(*a))
        .collect();
    let names: Vec<String> = names
        .into_iter()
        .map(|n| {
            n.split(' ')
                .take_while(|w| !w.chars().all(|c| c.is_ascii_digit()))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(names, ["Économie", "energy markets", "Test", "Zinc"]);
}

#[test]
fn check_warns_about_two_spellings_and_a_lonely_near_area() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("A", "2025-10-01")
            .tags(&["Rare Earths"])
            .score("Geopolitical Relations", 5),
    );
    site.write(
        "content/b.md",
        report("B", "2025-10-02")
            .tags(&["rare earths"])
            .score("Geopolitical Relations", 5),
    );
    site.write(
        "content/c.md",
        report("C", "2025-10-03").score("Geopolitical Relation", 5),
    );
    let run = site.run(&["check"]);
    run.assert_ok();
    run.assert_stderr_contains(
        "content/b.md:5:10: warning: tag `rare earths` is spelled `Rare Earths` in content/a.md: one term, shown as `Rare Earths`",
    );
    run.assert_stderr_contains(
        "content/c.md:7:9: warning: impact area `Geopolitical Relation` is used by this report only; did you mean `Geopolitical Relations`?",
    );
}

#[test]
fn impact_areas_in_config_make_an_unknown_area_an_error_with_a_suggestion() {
    let site = SiteTest::new();
    site.write(
        "config.toml",
        format!("{CONFIG}\n[impact]\nareas = [\"Geopolitical Relations\", \"Markets\"]\n"),
    );
    site.write(
        "content/a.md",
        report("A", "2025-10-01").score("geopolitical relations", 5),
    );
    site.build();
    site.write(
        "content/b.md",
        report("B", "2025-10-01").score("Geopolitical Relatons", 5),
    );
    site.try_build(&[])
        .assert_failed()
        .assert_error_line(
            "content/b.md:7:9: error: impact area `Geopolitical Relatons` is not in `[impact] areas` of config.toml",
        )
        .assert_stderr_contains("did you mean `Geopolitical Relations`?");
    assert!(site.exists("reports/a/"), "the previous output stays");
}

//! Tags, categories, tickers, impact areas and stakeholder groups (FORMAT.md): an index
//! of terms with counts, a page per term, slugs as `deunicode` makes them, spellings with
//! the same slug merged under the first one used.

use scraper::Html;

use crate::support::*;

/// `(text, href)` of the links in `<main>` that point into `prefix`.
fn term_links(page: &Html, prefix: &str) -> Vec<(String, String)> {
    select(page, "main a[href]")
        .into_iter()
        .map(|a| (text(a), a.value().attr("href").unwrap_or_default().to_string()))
        .filter(|(_, h)| h.starts_with(prefix) && h != prefix)
        .collect()
}

#[test]
fn impact_pages_list_reports_highest_score_first() {
    let site = SiteTest::new();
    for (file, title, date, score) in [
        ("low", "Low scorer", "2025-03-03", 4),
        ("high", "High scorer", "2025-03-01", 9),
        ("mid", "Middle scorer", "2025-03-02", 6),
    ] {
        site.write(
            &format!("content/{file}.md"),
            report(title, date).table(&format!(
                "[[scores]]\narea = \"Energy Security\"\nscore = {score}\nrationale = \"Because {file}\""
            )),
        );
    }
    site.build();
    let page = site.page("impact/energy-security/");
    assert_eq!(card_titles(&page), ["High scorer", "Middle scorer", "Low scorer"]);
    let text = main_text(&page);
    for why in ["Because high", "Because mid", "Because low"] {
        assert!(text.contains(why), "impact pages show each report's rationale: {text}");
    }
    assert_eq!(
        card_titles(&site.page("")),
        ["Low scorer", "Middle scorer", "High scorer"],
        "the home page stays newest first"
    );
}

#[test]
fn equal_scores_list_the_newest_report_first() {
    let site = SiteTest::new();
    site.write("content/old.md", report("Older", "2025-03-01").score("Energy", 7));
    site.write("content/new.md", report("Newer", "2025-03-05").score("Energy", 7));
    site.build();
    assert_eq!(card_titles(&site.page("impact/energy/")), ["Newer", "Older"]);
}

/// Two reports that spell the same terms differently; the first (older) spelling wins.
fn merged_terms_site() -> SiteTest {
    let site = SiteTest::new();
    site.write(
        "content/first.md",
        report("First spelling", "2025-03-01")
            .tags(&["Rare Earths"])
            .keys("category = \"Business & Technology\"")
            .score("Supply Chains", 5)
            .table("[[stakeholders]]\nwho = \"Investors\"\naction = \"Review exposure.\""),
    );
    site.write(
        "content/second.md",
        report("Second spelling", "2025-03-02")
            .tags(&["rare-earths", "RARE EARTHS"])
            .keys("category = \"business-technology\"")
            .score("supply chains", 8)
            .table("[[stakeholders]]\nwho = \"investors\"\naction = \"Hold.\""),
    );
    site
}

#[test]
fn terms_with_equal_slugs_are_one_term_under_the_first_spelling() {
    let site = merged_terms_site();
    site.build();
    for (index, term_url, name) in [
        ("tags/", "/tags/rare-earths/", "Rare Earths"),
        (
            "categories/",
            "/categories/business-technology/",
            "Business & Technology",
        ),
        ("impact/", "/impact/supply-chains/", "Supply Chains"),
        ("stakeholders/", "/stakeholders/investors/", "Investors"),
    ] {
        let links = term_links(&site.page(index), &format!("/{index}"));
        assert_eq!(links.len(), 1, "{index} lists one merged term: {links:?}");
        assert_eq!(links[0].1, term_url);
        assert!(
            links[0].0.starts_with(name),
            "{index} shows the term as {name:?}: {links:?}"
        );
        assert!(links[0].0.contains('2'), "{index} counts both reports: {links:?}");

        let term_page = site.page(term_url.trim_start_matches('/'));
        let mut titles = card_titles(&term_page);
        titles.sort();
        assert_eq!(titles, ["First spelling", "Second spelling"], "{term_url}");
        let heading = select(&term_page, "main h1")
            .into_iter()
            .next()
            .map(text)
            .unwrap_or_default();
        assert!(heading.contains(name), "{term_url} heading: {heading}");
    }
}

#[test]
fn a_later_spelling_is_shown_under_the_first_on_its_own_report() {
    let site = merged_terms_site();
    site.build();
    let page = site.page("reports/second/");
    let tags = term_links(&page, "/tags/");
    assert_eq!(
        tags,
        [("Rare Earths".to_string(), "/tags/rare-earths/".to_string())],
        "two spellings in one report are one tag, shown as first spelled"
    );
    let text = main_text(&page);
    assert!(!text.contains("rare-earths"), "{text}");
    assert!(!text.contains("RARE EARTHS"), "{text}");
    let search = site.search_docs();
    assert_eq!(search[0]["areas"], serde_json::json!(["Supply Chains"]));
    let rss = site.feed("rss.xml");
    let cats: Vec<_> = rss.entries[0].categories.iter().map(|c| c.term.clone()).collect();
    assert!(cats.contains(&"Rare Earths".to_string()), "{cats:?}");
    assert!(!cats.contains(&"rare-earths".to_string()), "{cats:?}");
}

#[test]
fn term_slugs_are_transliterated_lowercased_and_dashed() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Slugs", "2025-03-01").tags(&["Économie", "OPEC+", "日本", "S&P 500", "  Rare   Earths  "]),
    );
    site.build();
    for (path, name) in [
        ("tags/economie/", "Économie"),
        ("tags/opec/", "OPEC+"),
        ("tags/ri-ben/", "日本"),
        ("tags/s-p-500/", "S&P 500"),
        ("tags/rare-earths/", "Rare"),
    ] {
        assert!(
            site.exists(path),
            "{path} is missing; output:\n{}",
            site.output_files().join("\n")
        );
        let heading = select(&site.page(path), "main h1")
            .into_iter()
            .next()
            .map(text)
            .unwrap_or_default();
        assert!(heading.contains(name), "{path} shows {name:?}: {heading}");
    }
}

#[test]
fn every_taxonomy_has_an_index_listing_its_terms_with_counts() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let tags = term_links(&site.page("tags/"), "/tags/");
    let rare = tags
        .iter()
        .find(|(_, h)| h == "/tags/rare-earths/")
        .unwrap_or_else(|| panic!("{tags:?}"));
    assert!(rare.0.starts_with("Rare Earths"), "{rare:?}");
    assert!(rare.0.contains('2'), "two reports are tagged rare earths: {rare:?}");
    let names: Vec<&str> = tags.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(tags.len(), 4, "{names:?}");

    let tickers = term_links(&site.page("tickers/"), "/tickers/");
    let hrefs: Vec<&str> = tickers.iter().map(|(_, h)| h.as_str()).collect();
    for t in [
        "/tickers/flr/",
        "/tickers/lit/",
        "/tickers/mp/",
        "/tickers/remx/",
        "/tickers/usar/",
    ] {
        assert!(hrefs.contains(&t), "{t} in {hrefs:?}");
    }
    let impact = term_links(&site.page("impact/"), "/impact/");
    let supply = impact
        .iter()
        .find(|(_, h)| h == "/impact/global-supply-chains/")
        .unwrap_or_else(|| panic!("{impact:?}"));
    assert!(supply.0.contains('3'), "three reports score supply chains: {supply:?}");
    assert_eq!(term_links(&site.page("categories/"), "/categories/").len(), 2);
    assert_eq!(term_links(&site.page("stakeholders/"), "/stakeholders/").len(), 1);
}

#[test]
fn category_pages_list_that_categorys_reports() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    assert_eq!(
        card_titles(&site.page("categories/business-technology/")),
        [
            "A refinery would make the partnership matter",
            "Pakistan ships its first rare earths to the US",
        ]
    );
    assert_eq!(
        card_titles(&site.page("categories/policy/")),
        ["A note on US critical-minerals policy"]
    );
}

#[test]
fn stakeholder_pages_show_what_each_report_asks_of_the_group() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let page = site.page("stakeholders/investors/");
    assert_eq!(
        card_titles(&page),
        [
            "A refinery would make the partnership matter",
            "Pakistan ships its first rare earths to the US",
        ]
    );
    let text = main_text(&page);
    assert!(text.contains("Watch for offtake agreements."), "{text}");
    assert!(
        text.contains("Review critical-minerals exposure ($REMX, $LIT)."),
        "{text}"
    );
    let links = term_links(&page, "/tickers/");
    assert!(
        links.iter().any(|(t, h)| t == "$REMX" && h == "/tickers/remx/"),
        "cashtags in the action link: {links:?}"
    );
}

#[test]
fn tag_pages_list_newest_first_and_link_their_feed() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let page = site.page("tags/rare-earths/");
    assert_eq!(
        card_titles(&page),
        [
            "A refinery would make the partnership matter",
            "Pakistan ships its first rare earths to the US",
        ]
    );
    let feeds: Vec<_> = select(&page, "link[rel=alternate]")
        .into_iter()
        .filter_map(|l| l.value().attr("href"))
        .collect();
    assert!(
        feeds.contains(&"/tags/rare-earths/rss.xml"),
        "the tag's own feed is announced: {feeds:?}"
    );
}

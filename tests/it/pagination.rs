//! Listings are split into pages of `paginate` reports (FORMAT.md): page 1 is the
//! listing's own URL, later pages are `page/N/`, and there is no `page/1/`.

use crate::support::*;

/// Five reports, one a day, all tagged `Energy`, with `paginate = 2`.
fn five_reports() -> SiteTest {
    let site = SiteTest::new();
    site.write("config.toml", CONFIG.replace("paginate = 10", "paginate = 2"));
    for day in 1..=5 {
        site.write(
            &format!("content/r{day}.md"),
            report(&format!("Report {day}"), &format!("2025-01-0{day}"))
                .tags(&["Energy"])
                .keys("category = \"Markets\"")
                .score("Power", day)
                .table(&format!(
                    "[[stakeholders]]\nwho = \"Utilities\"\naction = \"Act {day}.\""
                )),
        );
    }
    site
}

#[test]
fn the_home_page_is_split_into_pages_of_paginate_reports() {
    let site = five_reports();
    site.build();
    assert_eq!(card_titles(&site.page("")), ["Report 5", "Report 4"]);
    assert_eq!(card_titles(&site.page("page/2/")), ["Report 3", "Report 2"]);
    assert_eq!(card_titles(&site.page("page/3/")), ["Report 1"]);
    assert!(!site.exists("page/1/"), "page 1 is the home page itself");
    assert!(!site.exists("page/4/"), "no empty page after the last");
}

#[test]
fn listing_pages_link_to_their_neighbours() {
    let site = five_reports();
    site.build();
    let first = main_links(&site.page(""));
    assert!(
        first.contains(&"/page/2/".to_string()),
        "page 1 links to page 2: {first:?}"
    );
    let middle = main_links(&site.page("page/2/"));
    assert!(
        middle.contains(&"/".to_string()),
        "page 2 links back to page 1 as `/`: {middle:?}"
    );
    assert!(
        middle.contains(&"/page/3/".to_string()),
        "page 2 links to page 3: {middle:?}"
    );
    let last = main_links(&site.page("page/3/"));
    assert!(
        last.contains(&"/page/2/".to_string()),
        "page 3 links to page 2: {last:?}"
    );
    assert!(!last.iter().any(|l| l.contains("/page/4/")), "{last:?}");
}

#[test]
fn no_page_links_to_a_page_1_url() {
    let site = five_reports();
    site.build();
    for file in site.html_files() {
        let bad: Vec<_> = links(&site.page(&file))
            .into_iter()
            .filter(|l| l.contains("/page/1/"))
            .collect();
        assert!(bad.is_empty(), "{file} links to {bad:?}");
    }
}

#[test]
fn term_pages_are_paginated_like_the_home_page() {
    let site = five_reports();
    site.build();
    for base in ["tags/energy/", "categories/markets/", "stakeholders/utilities/"] {
        assert_eq!(card_titles(&site.page(base)), ["Report 5", "Report 4"], "{base}");
        assert_eq!(
            card_titles(&site.page(&format!("{base}page/2/"))),
            ["Report 3", "Report 2"],
            "{base}page/2/"
        );
        assert_eq!(
            card_titles(&site.page(&format!("{base}page/3/"))),
            ["Report 1"],
            "{base}page/3/"
        );
        assert!(!site.exists(&format!("{base}page/1/")), "{base}page/1/");
        assert!(!site.exists(&format!("{base}page/4/")), "{base}page/4/");
        let first = main_links(&site.page(base));
        assert!(
            first.contains(&format!("/{base}page/2/")),
            "{base} links to its page 2: {first:?}"
        );
    }
}

#[test]
fn impact_pages_paginate_in_score_order() {
    let site = five_reports();
    site.build();
    assert_eq!(card_titles(&site.page("impact/power/")), ["Report 5", "Report 4"]);
    assert_eq!(card_titles(&site.page("impact/power/page/3/")), ["Report 1"]);
}

#[test]
fn a_listing_that_fits_on_one_page_has_no_pages() {
    let site = SiteTest::new();
    site.write("content/a.md", report("Only", "2025-03-01").tags(&["Solo"]));
    site.build();
    assert!(!site.exists("page/2/"));
    assert!(!site.exists("tags/solo/page/2/"));
    assert!(!main_links(&site.page("")).iter().any(|l| l.contains("/page/")));
}

#[test]
fn a_site_with_no_reports_still_has_a_home_page() {
    let site = SiteTest::new();
    site.build();
    assert!(site.exists(""));
    assert!(!site.exists("page/2/"));
    assert!(site.exists("rss.xml"));
    assert_eq!(site.json("search/index.json")["reports"], 0);
}

/// On a long listing the page links are the first and last page and two either side of
/// the current one, with a gap marker where numbers jump.
#[test]
fn long_listings_show_a_window_of_page_links_with_gaps() {
    let site = SiteTest::new();
    site.write("config.toml", CONFIG.replace("paginate = 10", "paginate = 1"));
    for day in 1..=20 {
        site.write(
            &format!("content/r{day:02}.md"),
            report(&format!("Report {day}"), &format!("2025-01-{day:02}")),
        );
    }
    site.build();
    let items = |path: &str| -> Vec<String> {
        let page = site.page(path);
        select(&page, "nav.pagination li")
            .into_iter()
            .map(|li| text(li).replace("Page ", ""))
            .filter(|t| !t.contains("Newer") && !t.contains("Older"))
            .collect()
    };
    assert_eq!(items("page/10/"), ["1", "…", "8", "9", "10", "11", "12", "…", "20"]);
    assert_eq!(items(""), ["1", "2", "3", "…", "20"]);
    assert_eq!(items("page/4/"), ["1", "2", "3", "4", "5", "6", "…", "20"]);
    assert_eq!(items("page/20/"), ["1", "…", "18", "19", "20"]);
    let page = site.page("page/10/");
    let current: Vec<String> = select(&page, "nav.pagination a[aria-current=page]")
        .into_iter()
        .map(text)
        .collect();
    assert_eq!(current, ["10"]);
}

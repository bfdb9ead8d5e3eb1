//! `search.json` (FORMAT.md): an array of `{title, url, date, summary, tags, tickers,
//! areas}`, newest first, and the `/search/` page that loads it.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::support::*;

#[test]
fn search_json_is_an_array_of_report_entries_of_the_documented_shape() {
    let site = SiteTest::from_fixture("search/basic");
    site.build();
    let index = site.json("search.json");
    let entries = index.as_array().expect("search.json is an array");
    assert_eq!(entries.len(), 3, "three published reports: {index:#}");
    let keys: BTreeSet<&str> = ["title", "url", "date", "summary", "tags", "tickers", "areas"].into();
    for e in entries {
        let obj = e.as_object().expect("each entry is an object");
        let got: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(got, keys, "{e:#}");
        for k in ["title", "url", "date", "summary"] {
            assert!(obj[k].is_string(), "{k} is a string: {e:#}");
        }
        for k in ["tags", "tickers", "areas"] {
            let list = obj[k].as_array().unwrap_or_else(|| panic!("{k} is an array: {e:#}"));
            assert!(list.iter().all(Value::is_string), "{k} holds strings: {e:#}");
        }
    }
}

#[test]
fn search_json_lists_reports_newest_first() {
    let site = SiteTest::from_fixture("search/basic");
    site.build();
    let index = site.json("search.json");
    let titles: Vec<&str> = index
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["title"].as_str().expect("title"))
        .collect();
    assert_eq!(
        titles,
        [
            "Copper smelters cut output",
            "Lithium prices slide as supply catches up",
            "Nickel glut deepens",
        ]
    );
}

#[test]
fn a_search_entry_carries_the_reports_terms_and_tickers() {
    let site = SiteTest::from_fixture("search/basic");
    site.build();
    let index = site.json("search.json");
    let lithium = &index[1];
    assert_eq!(lithium["title"], "Lithium prices slide as supply catches up");
    assert_eq!(lithium["date"], "2025-06-12");
    assert_eq!(
        lithium["summary"],
        "New brine projects ease the squeeze on $ALB and $SQM."
    );
    assert_eq!(lithium["tags"], json!(["Lithium", "Batteries"]));
    assert_eq!(lithium["areas"], json!(["Markets", "Clean Energy Transition"]));
    let tickers: BTreeSet<&str> = lithium["tickers"]
        .as_array()
        .expect("tickers")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        tickers,
        ["ALB", "LIT", "SQM"].into(),
        "front-matter tickers and cashtags"
    );
    let url = lithium["url"].as_str().expect("url");
    assert!(url.ends_with("/reports/lithium/"), "{url}");
    assert_eq!(index[0]["date"], "2025-07-01", "the date as written, in its own offset");
}

#[test]
fn search_json_leaves_out_drafts_and_plain_pages() {
    let site = SiteTest::from_fixture("search/basic");
    site.build();
    let text = site.read("search.json");
    assert!(!text.contains("An unfinished draft"), "{text}");
    assert!(!text.contains("About the search fixture"), "{text}");
}

#[test]
fn search_json_matches_the_expected_file() {
    let site = SiteTest::from_fixture("search/basic");
    site.build();
    site.assert_golden(&["search.json"]);
}

#[test]
fn the_search_page_loads_the_index_and_its_script() {
    let site = SiteTest::from_fixture("search/basic");
    site.build_with(&["--base-url", "https://example.com/sub/"]);
    let page = site.page("search/");
    let scripts: Vec<_> = select(&page, "script[src]")
        .into_iter()
        .filter_map(|s| s.value().attr("src"))
        .map(str::to_string)
        .collect();
    assert!(!scripts.is_empty(), "the search page loads a script");
    for src in &scripts {
        let rel = src
            .strip_prefix("/sub/")
            .unwrap_or_else(|| panic!("{src} is outside /sub/"));
        assert!(site.exists(rel), "{src} is in the output");
    }
    assert!(
        site.read("search/").contains("/sub/search.json"),
        "the search page points at the index under the base path"
    );
}

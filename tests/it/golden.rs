//! Golden files: the `<main>` element of each kind of page of the shared fixture site,
//! compared exactly with `tests/golden/<name>.html`. A change to what a page shows
//! shows up in review as a changed golden file. `UPDATE_GOLDEN=1 cargo test` rewrites them.

use std::path::PathBuf;

use crate::support::SiteTest;

/// Page kind -> output file of the fixture site `site/small`.
const PAGES: &[(&str, &str)] = &[
    ("home", "index.html"),
    ("quick-read", "reports/first-shipment/index.html"),
    ("full-analysis", "reports/first-shipment/full/index.html"),
    ("tag", "tags/rare-earths/index.html"),
    ("ticker", "tickers/usar/index.html"),
    ("stakeholder", "stakeholders/investors/index.html"),
    ("impact-area", "impact/global-supply-chains/index.html"),
];

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// The `<main>` element of a page, as written.
fn main_element(html: &str, page: &str) -> String {
    let start = html.find("<main").unwrap_or_else(|| panic!("{page} has no <main>"));
    let end = html[start..]
        .find("</main>")
        .unwrap_or_else(|| panic!("{page} has no </main>"))
        + start
        + "</main>".len();
    format!("{}\n", &html[start..end])
}

#[test]
fn the_main_element_of_every_page_kind_matches_its_golden_file() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let dir = golden_dir();
    let mut failures = Vec::new();
    for (name, page) in PAGES {
        let got = main_element(&site.read(page), page);
        let path = dir.join(format!("{name}.html"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(want) if want == got => {}
            Ok(want) => {
                let line = want
                    .lines()
                    .zip(got.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| want.lines().count().min(got.lines().count()));
                failures.push(format!(
                    "{name}: {page} differs from tests/golden/{name}.html at line {}:\n  want: {}\n  got:  {}",
                    line + 1,
                    want.lines().nth(line).unwrap_or(""),
                    got.lines().nth(line).unwrap_or("")
                ));
            }
            Err(_) => failures.push(format!("{name}: tests/golden/{name}.html is missing")),
        }
    }
    // Every golden file belongs to a page kind above: a stale one cannot linger.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.filter_map(Result::ok) {
            let stem = e.path().file_stem().map(|s| s.to_string_lossy().into_owned());
            if !stem.is_some_and(|s| PAGES.iter().any(|(n, _)| *n == s)) {
                failures.push(format!("{} is not compared by any test", e.path().display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(rewrite with UPDATE_GOLDEN=1 cargo test and review the diff)",
        failures.join("\n")
    );
}

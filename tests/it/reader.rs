//! The reader's side (issue 12): the quick read in a phone's first screen, the masthead,
//! the home page's lead story and score table, related reports, the footer and the
//! disclaimer's links, table alignment, the headlines' font, the stylesheet only report
//! pages link. Layout is measured in headless Chromium at 390x844 on the example site of
//! this repository.

use std::path::Path;

use crate::browser::{chromium, Browser};
use crate::support::{report, select, text, SiteTest, CONFIG};

/// A phone's screen, in CSS pixels (an iPhone 12 to 14).
const PHONE: (u32, u32) = (390, 844);

/// The example site of this repository (config.toml, content/, data/) in a temp folder.
fn example_site() -> SiteTest {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = SiteTest::empty();
    site.write(
        "config.toml",
        std::fs::read_to_string(repo.join("config.toml")).unwrap(),
    );
    for dir in ["content", "data"] {
        for entry in walkdir::WalkDir::new(repo.join(dir)).into_iter().filter_map(Result::ok) {
            if entry.file_type().is_file() {
                let rel = entry
                    .path()
                    .strip_prefix(repo)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                site.write_bytes(&rel, &std::fs::read(entry.path()).unwrap());
            }
        }
    }
    site
}

/// A number the page's JavaScript computed.
fn number(browser: &mut Browser, js: &str) -> f64 {
    let v = browser.eval(&format!("String({js})"));
    v.parse().unwrap_or_else(|_| panic!("{js} gave {v:?}"))
}

#[test]
fn on_a_phone_the_first_score_is_in_the_first_screen_and_a_quick_read_is_at_most_five_screens() {
    let Some(binary) = chromium() else { return };
    let site = example_site();
    site.build();
    let reports: Vec<String> = std::fs::read_dir(site.out("reports"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("index.html").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(reports.len() >= 5, "the example site has its reports: {reports:?}");
    let server = site.serve(&[]);
    let base = format!("http://127.0.0.1:{}", server.port);
    let mut browser = Browser::open(binary, &format!("{base}/"));
    browser.phone(PHONE.0, PHONE.1);
    let (width, height) = (f64::from(PHONE.0), f64::from(PHONE.1));

    let mut heights = Vec::new();
    let mut with_image = 0;
    for slug in &reports {
        browser.goto(&format!("{base}/reports/{slug}/"));
        // The whole first score row (area, score, bar and why) is in the first screen.
        let first = "document.querySelector('main ol[aria-label^=\"Impact scores\"] > li').getBoundingClientRect()";
        let bottom = number(&mut browser, &format!("{first}.bottom"));
        assert!(
            bottom <= height,
            "{slug}: the first score row ends at y={bottom}, below the first screen"
        );
        // The lead image comes right under the takeaway (FORMAT.md), above the scores.
        if browser.eval("String(!!document.querySelector('main .lead-image img'))") == "true" {
            with_image += 1;
            let next = browser.eval(
                "document.querySelector('main .takeaway').nextElementSibling.querySelector('img') === document.querySelector('main .lead-image img') ? 'under' : 'elsewhere'",
            );
            assert_eq!(next, "under", "{slug}: the lead image is not under the takeaway");
            let image = "document.querySelector('main .lead-image img')";
            let image_bottom = number(&mut browser, &format!("{image}.getBoundingClientRect().bottom"));
            let top = number(&mut browser, &format!("{first}.top"));
            assert!(image_bottom <= top, "{slug}: the lead image overlaps the scores");
            let kept = browser.eval(&format!(
                "String({image}.hasAttribute('width') && {image}.hasAttribute('height'))"
            ));
            assert_eq!(kept, "true", "{slug}: the lead image keeps its width and height");
        }
        // The headlines are set in the theme's own serif, the same on every machine.
        let font = browser.eval(
            "String(getComputedStyle(document.querySelector('main h1')).fontFamily.startsWith('\"Impress Headline\"') && document.fonts.check('700 1em \"Impress Headline\"') && [...document.fonts].some(f => f.family.replace(/\"/g, '') === 'Impress Headline' && f.status === 'loaded'))",
        );
        assert_eq!(font, "true", "{slug}: the headline font is not loaded");
        let masthead = number(
            &mut browser,
            "document.querySelector('body > header').getBoundingClientRect().height",
        );
        assert!(masthead <= 90.0, "{slug}: the masthead is {masthead} px tall");
        let wide = number(&mut browser, "document.documentElement.scrollWidth");
        assert!(
            wide <= width,
            "{slug}: the page is {wide} px wide on a {width} px screen"
        );
        heights.push(number(&mut browser, "document.documentElement.scrollHeight"));
    }
    assert!(with_image >= 1, "an example report has a lead image");
    // A typical report: the median of the example site's, masthead and footer included.
    heights.sort_by(f64::total_cmp);
    let typical = heights[heights.len() / 2];
    assert!(
        typical <= 5.0 * height,
        "a typical quick read is {:.2} screens long: {heights:?}",
        typical / height
    );

    browser.goto(&format!("{base}/"));
    let headlines = number(
        &mut browser,
        "[...document.querySelectorAll('main h2 a')].filter(a => a.getBoundingClientRect().bottom <= innerHeight).length",
    );
    assert!(
        headlines >= 3.0,
        "{headlines} headlines in the home page's first screen"
    );
    let masthead = number(
        &mut browser,
        "document.querySelector('body > header').getBoundingClientRect().height",
    );
    assert!(masthead <= 90.0, "home: the masthead is {masthead} px tall");
    let wide = number(&mut browser, "document.documentElement.scrollWidth");
    assert!(wide <= width, "home: the page is {wide} px wide");
}

fn scored(title: &str, date: &str, tags: &[&str], tickers: &str) -> crate::support::ReportText {
    report(title, date)
        .tags(tags)
        .keys(&format!("tickers = [{tickers}]"))
        .score("Global Supply Chains", 6)
}

#[test]
fn the_score_strip_comes_under_the_takeaway_highest_first_with_bands_in_words() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Strip", "2025-03-01")
            .keys("primary_impact = \"Markets\"\nhistorical_context = \"Like 2010.\"")
            .score("Energy", 5)
            .score("Markets", 8)
            .score("Defence", 9)
            .table("[[faq]]\nq = \"Why?\"\na = \"Because.\"")
            .table("[chart]\nticker = \"MP\""),
    );
    site.build();
    let page = site.page("reports/a/");
    let rows: Vec<String> = select(&page, "main ol[aria-label^=\"Impact scores\"] > li")
        .iter()
        .map(|li| text(*li))
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows[0].starts_with("Defence") && rows[0].contains("9/10 · Severe"),
        "{rows:?}"
    );
    let spoken: Vec<&str> = select(&page, "main ol[aria-label^=\"Impact scores\"] > li [role=img]")
        .iter()
        .filter_map(|s| s.value().attr("aria-label"))
        .collect();
    assert_eq!(
        spoken,
        ["9 out of 10, severe", "8 out of 10, high", "5 out of 10, moderate"],
        "read aloud"
    );
    assert!(
        rows[1].contains("Primary impact") && rows[1].contains("8/10 · High"),
        "{rows:?}"
    );
    assert!(rows[2].contains("5/10 · Moderate"), "{rows:?}");
    // The strip follows the takeaway; the history is one line under the headline.
    let headings: Vec<String> = select(&page, "main h2").iter().map(|h| text(*h)).collect();
    assert!(
        headings[0] == "The core takeaway" && headings[1].starts_with("Impact scores"),
        "{headings:?}"
    );
    assert!(headings.contains(&"One chart to watch".to_string()), "{headings:?}");
    assert!(!headings.iter().any(|h| h == "Historical context"), "{headings:?}");
    assert!(text(select(&page, "main header")[0]).contains("Context: Like 2010."));
    assert_eq!(text(select(&page, "main details summary")[0]), "Why?", "the FAQ folds");
}

#[test]
fn related_reports_share_the_rarest_terms_and_ties_go_to_the_newest() {
    let site = SiteTest::new();
    // a shares a rare ticker with b, only a common tag with c, d and e.
    site.write(
        "content/a.md",
        scored("A", "2025-03-05", &["energy"], "\"ZZZ\"").body("Body."),
    );
    site.write("content/b.md", scored("B", "2025-03-01", &["other"], "\"ZZZ\""));
    for (slug, date) in [
        ("c", "2025-03-02"),
        ("d", "2025-03-03"),
        ("e", "2025-03-04"),
        ("f", "2025-02-01"),
    ] {
        site.write(
            &format!("content/{slug}.md"),
            scored(&slug.to_uppercase(), date, &["energy"], ""),
        );
    }
    site.build();
    for path in ["reports/a/", "reports/a/full/"] {
        let page = site.page(path);
        let related: Vec<String> = select(&page, "aside[aria-labelledby=related-h] li a")
            .iter()
            .map(|a| text(*a))
            .collect();
        assert_eq!(related, ["B", "E", "D", "C"], "{path}");
    }
}

#[test]
fn the_masthead_holds_the_primary_navigation_and_the_footer_the_rest() {
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-03-01"));
    site.write("content/pages/about.md", "+++\ntitle = \"About\"\n+++\nUs.\n");
    site.build();
    let home = site.page("");
    let nav: Vec<String> = select(&home, "header nav a").iter().map(|a| text(*a)).collect();
    assert_eq!(nav, ["Latest", "Impact", "Tickers", "Search"]);
    let footer = text(select(&home, "body > footer")[0]);
    for word in [
        "Tags",
        "Stakeholders",
        "Categories",
        "Authors",
        "About",
        "Follow",
        "RSS",
        "Atom",
    ] {
        assert!(footer.contains(word), "{word} is not in the footer: {footer}");
    }
    assert!(!footer.contains("Built with"), "{footer}");
    assert_eq!(
        select(&home, "body > footer details summary").len(),
        1,
        "feeds behind one Follow"
    );
}

#[test]
fn the_disclaimer_links_go_under_the_site_path_and_a_script_link_stays_text() {
    let site = SiteTest::new();
    site.write(
        "config.toml",
        CONFIG.replace(
            "disclaimer = \"Test disclaimer: not investment advice.\"",
            "disclaimer = \"Not advice. [Full disclaimer](/pages/disclaimer/) [x](javascript:alert(1)) <b>\"",
        ),
    );
    site.write("content/a.md", report("A", "2025-03-01"));
    site.write(
        "content/pages/disclaimer.md",
        "+++\ntitle = \"Disclaimer\"\n+++\nAll of it.\n",
    );
    site.build_with(&["--base-url", "https://e.com/sub/"]);
    let page = site.page("reports/a/");
    let footer = select(&page, "body > footer .disclaimer")[0];
    let hrefs: Vec<&str> = crate::support::select_in(footer, "a")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(hrefs, ["/sub/pages/disclaimer/"]);
    assert!(text(footer).contains("x) <b>"), "{}", text(footer));
    assert!(
        site.read("rss.xml").contains("https://e.com/sub/pages/disclaimer/"),
        "feeds link it absolutely"
    );
}

#[test]
fn table_cells_align_with_classes_not_the_obsolete_attribute() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("A", "2025-03-01").body("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n"),
    );
    site.build();
    let html = site.read("reports/a/full/index.html");
    assert!(!html.contains(" align=\""), "{html}");
    let page = site.page("reports/a/full/");
    assert_eq!(select(&page, "main td.align-right").len(), 1);
    assert_eq!(select(&page, "main th.align-center").len(), 1);
}

#[test]
fn the_home_page_leads_with_one_story_and_tables_the_scores_by_area() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Lead", "2025-03-05").score("Markets", 4).score("Energy", 9),
    );
    site.write(
        "content/b.md",
        report("Second", "2025-03-01").score("Markets", 7).score("Trade", 2),
    );
    site.build();
    let home = site.page("");
    let cards = select(&home, "main ol.brief-list > li");
    assert_eq!(select_in_len(cards[0], "ol li"), 2, "the lead shows every score");
    assert_eq!(select_in_len(cards[1], "ol li"), 0, "the others their top score");
    assert!(text(cards[1]).contains("Markets 7/10 · High"), "{}", text(cards[1]));
    let spoken = crate::support::select_in(cards[1], "[role=img]");
    assert_eq!(
        spoken[0].value().attr("aria-label"),
        Some("7 out of 10, high"),
        "the score is read aloud in words"
    );
    let head: Vec<String> = select(&home, "main table thead th").iter().map(|h| text(*h)).collect();
    assert_eq!(head, ["Report", "Markets", "Energy", "Trade"]);
    let rows: Vec<String> = select(&home, "main table tbody tr").iter().map(|r| text(*r)).collect();
    assert!(rows[0].starts_with("Lead4 out of 10, moderate9"), "{rows:?}");
    assert!(rows[1].contains("not scored"), "{rows:?}");
}

fn select_in_len(el: scraper::ElementRef<'_>, css: &str) -> usize {
    crate::support::select_in(el, css).len()
}

#[test]
fn the_headline_font_is_preloaded_under_the_site_path_by_the_url_its_face_uses() {
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-03-01"));
    site.build_with(&["--base-url", "https://e.com/sub/"]);
    let page = site.page("reports/a/");
    let preload = select(&page, "head link[rel=preload][as=font]");
    assert_eq!(preload.len(), 1, "one preloaded font");
    let link = preload[0].value();
    assert_eq!(link.attr("type"), Some("font/woff2"));
    assert!(link.attr("crossorigin").is_some(), "fonts are fetched in CORS mode");
    let href = link.attr("href").unwrap();
    let (path, version) = href.split_once("?v=").expect("the URL carries the file's hash");
    assert!(path.starts_with("/sub/") && path.ends_with(".woff2"), "{href}");
    assert!(!version.is_empty(), "{href}");
    let file = site.out(path.trim_start_matches("/sub/"));
    assert!(file.is_file(), "{} is written", file.display());
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        bytes.starts_with(b"wOF2") && bytes.len() < 30_000,
        "{} bytes",
        bytes.len()
    );
    assert!(
        site.exists(&format!(
            "{}/OFL.txt",
            path.trim_start_matches("/sub/").rsplit_once('/').unwrap().0
        )),
        "its licence goes with it"
    );
    // The face that uses it, in the stylesheet, names the same URL (relative to the
    // stylesheet's), so the preload is not fetched twice.
    let sheet = select(&page, "head link[rel=stylesheet]")[0]
        .value()
        .attr("href")
        .unwrap();
    let (sheet_path, _) = sheet.split_once("?v=").expect("the stylesheet's URL carries its hash");
    let sheet_dir = &sheet_path[..=sheet_path.rfind('/').unwrap()];
    let relative = href
        .strip_prefix(sheet_dir)
        .expect("the font is under the stylesheet's folder");
    let css = site.read(sheet_path.trim_start_matches("/sub/"));
    let face = &css[css.find("@font-face").expect("the stylesheet declares the face")..];
    let face = &face[..face.find('}').unwrap()];
    assert!(face.contains(&format!("url({relative})")), "{face}");
    assert!(face.contains("font-display:swap"), "{face}");
    assert!(
        select(&page, "head style").is_empty(),
        "no inline style: {}",
        site.read("reports/a/index.html")
    );
}

#[test]
fn report_css_is_linked_by_the_report_pages_alone_minified_and_versioned() {
    let site = SiteTest::from_fixture("site/small");
    site.build();
    let sheets = |page: &str| -> Vec<String> {
        select(&site.page(page), "head link[rel=stylesheet]")
            .iter()
            .filter_map(|l| l.value().attr("href"))
            .map(str::to_string)
            .collect()
    };
    let mut linked = Vec::new();
    for page in [
        "reports/first-shipment/",
        "reports/first-shipment/full/",
        "pages/about/",
    ] {
        let hrefs = sheets(page);
        let at = |name: &str| hrefs.iter().position(|h| h.split('?').next() == Some(name));
        let (Some(style), Some(report)) = (at("/style.css"), at("/report.css")) else {
            panic!("{page} links style.css and report.css: {hrefs:?}")
        };
        assert!(style < report, "{page}: report.css comes after style.css: {hrefs:?}");
        let (_, version) = hrefs[report].split_once("?v=").expect("report.css carries its hash");
        assert!(
            !version.is_empty() && version.chars().all(|c| c.is_ascii_hexdigit()),
            "{page}: {}",
            hrefs[report]
        );
        linked.push(hrefs[report].clone());
    }
    linked.dedup();
    assert_eq!(linked.len(), 1, "every report page links the same URL: {linked:?}");
    for page in ["", "tags/rare-earths/"] {
        let hrefs = sheets(page);
        assert!(
            hrefs.iter().any(|h| h.starts_with("/style.css?v=")),
            "{page}: {hrefs:?}"
        );
        assert!(!hrefs.iter().any(|h| h.contains("report.css")), "{page}: {hrefs:?}");
    }
    let css = site.read(&linked[0]);
    assert!(
        !css.contains("/*") && !css.contains("\n  "),
        "report.css is minified: {}",
        &css[..css.len().min(200)]
    );
    assert!(
        css.contains(".takeaway") && css.contains(".prose"),
        "its rules are kept"
    );
    assert!(
        !site.read("style.css").contains(".takeaway"),
        "the rules moved, not copied"
    );
}

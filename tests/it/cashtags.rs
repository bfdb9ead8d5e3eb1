//! Cashtags (FORMAT.md): `$` and 1 to 5 capitals, optionally `.` and 1 or 2 more,
//! standing alone as a word, become links to the ticker's page and join the report's
//! tickers; in code they stay text; in the title they count but do not link.

use scraper::Html;

use crate::support::*;

/// `(text, href)` of every link in the element matching `css`.
fn links_in(page: &Html, css: &str) -> Vec<(String, String)> {
    select(page, css)
        .into_iter()
        .flat_map(|el| select_in(el, "a[href]"))
        .map(|a| (text(a), a.value().attr("href").unwrap_or_default().to_string()))
        .collect()
}

/// `(text, href)` of the links inside the smallest element of `<main>` whose text
/// contains `needle`: the links of one sentence or field, not the ticker chips beside it.
fn links_near(page: &Html, needle: &str) -> Vec<(String, String)> {
    let holder = select(page, "main *")
        .into_iter()
        .filter(|el| text(*el).contains(needle))
        .min_by_key(|el| text(*el).len())
        .unwrap_or_else(|| panic!("no element shows {needle:?}:\n{}", main_text(page)));
    select_in(holder, "a[href]")
        .into_iter()
        .map(|a| (text(a), a.value().attr("href").unwrap_or_default().to_string()))
        .collect()
}

fn ticker_links(page: &Html) -> Vec<(String, String)> {
    links_in(page, "main")
        .into_iter()
        .filter(|(_, href)| href.starts_with("/tickers/") && href != "/tickers/")
        .collect()
}

#[test]
fn cashtags_standing_alone_link_to_their_ticker_pages() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Cashtag rules", "2025-03-01").summary("Buy $TSLA's shares ($MP) and $BRK.B today; sell $TSLA."),
    );
    site.build();
    let page = site.page("reports/a/");
    let links = links_near(&page, "Buy $TSLA's shares ($MP) and $BRK.B today; sell $TSLA.");
    for (text, href) in [
        ("$TSLA", "/tickers/tsla/"),
        ("$MP", "/tickers/mp/"),
        ("$BRK.B", "/tickers/brk.b/"),
    ] {
        assert!(
            links.iter().any(|(t, h)| t == text && h == href),
            "no link {text} -> {href}: {links:?}"
        );
    }
    let summary = main_text(&page);
    assert!(
        summary.contains("Buy $TSLA's shares ($MP) and $BRK.B today; sell $TSLA."),
        "the text around cashtags is kept: {summary}"
    );
    for path in ["tickers/tsla/", "tickers/mp/", "tickers/brk.b/"] {
        assert!(site.exists(path), "{path}");
        assert_eq!(card_titles(&site.page(path)), ["Cashtag rules"], "{path}");
    }
    assert!(!site.exists("tickers/brk/"), "`$BRK.B` is one ticker, not $BRK");
}

#[test]
fn a_sentence_full_stop_is_not_part_of_the_ticker() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Full stop", "2025-03-01").summary("We like $TSLA. We also hold $BRK.B."),
    );
    site.build();
    let links = links_near(&site.page("reports/a/"), "We like $TSLA. We also hold $BRK.B.");
    assert_eq!(
        links,
        [
            ("$TSLA".to_string(), "/tickers/tsla/".to_string()),
            ("$BRK.B".to_string(), "/tickers/brk.b/".to_string()),
        ]
    );
    assert!(main_text(&site.page("reports/a/")).contains("We like $TSLA. We also hold $BRK.B."));
}

#[test]
fn dollar_signs_that_are_not_cashtags_stay_text() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Not cashtags", "2025-03-01")
            .summary("A$B and $TSLAX1 and a $500M deal in US$ terms, $TOOLONG, $$MP, $tsla."),
    );
    site.build();
    let page = site.page("reports/a/");
    assert!(ticker_links(&page).is_empty(), "{:?}", ticker_links(&page));
    let text = main_text(&page);
    assert!(
        text.contains("A$B and $TSLAX1 and a $500M deal in US$ terms, $TOOLONG, $$MP, $tsla."),
        "{text}"
    );
    let index = site.page("tickers/");
    assert!(
        ticker_links(&index).is_empty(),
        "no ticker pages for non-cashtags: {:?}",
        ticker_links(&index)
    );
    for path in [
        "tickers/b/",
        "tickers/tslax/",
        "tickers/m/",
        "tickers/us/",
        "tickers/mp/",
    ] {
        assert!(!site.exists(path), "{path} should not exist");
    }
}

#[test]
fn cashtags_in_code_are_not_links() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Code", "2025-03-01")
            .body("Prose names $MP.\n\nInline `$TSLA` stays code.\n\n```\nprice($LIT)\n```\n\n    indented $FLR\n"),
    );
    site.build();
    let page = site.page("reports/a/full/");
    let links = links_near(&page, "Prose names $MP.");
    assert!(
        links.iter().any(|(t, h)| t == "$MP" && h == "/tickers/mp/"),
        "prose cashtags link: {links:?}"
    );
    for code in select(&page, "main code") {
        assert!(
            select_in(code, "a").is_empty(),
            "a cashtag in code became a link: {}",
            code.html()
        );
    }
    let codes: String = select(&page, "main code").into_iter().map(text).collect();
    for t in ["$TSLA", "$LIT", "$FLR"] {
        assert!(codes.contains(t), "{t} stays in the code: {codes}");
    }
    for path in ["tickers/tsla/", "tickers/lit/", "tickers/flr/"] {
        assert!(!site.exists(path), "a cashtag in code made {path}");
    }
    assert_eq!(
        card_titles(&site.page("tickers/mp/")),
        ["Code"],
        "a cashtag in the body joins the report's tickers"
    );
    assert_eq!(site.search_docs()[0]["tickers"], serde_json::json!(["MP"]));
}

#[test]
fn cashtags_in_a_link_text_do_not_nest_links() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Linked", "2025-03-01").body("See [$MP filings](https://filings.example.org/mp).\n"),
    );
    site.build();
    let page = site.page("reports/a/full/");
    assert!(select(&page, "main a a").is_empty(), "nested links");
    let links = links_in(&page, "main");
    assert!(
        links
            .iter()
            .any(|(t, h)| t == "$MP filings" && h == "https://filings.example.org/mp"),
        "{links:?}"
    );
}

#[test]
fn a_cashtag_in_the_title_counts_but_is_not_a_link() {
    let site = SiteTest::new();
    site.write("content/a.md", report("Why $NVDA fell", "2025-03-01"));
    site.build();
    let page = site.page("reports/a/");
    for h1 in select(&page, "main h1") {
        assert!(select_in(h1, "a").is_empty(), "the title has a link: {}", h1.html());
        assert_eq!(text(h1), "Why $NVDA fell");
    }
    let home = site.page("");
    let card_title_links = links_in(&home, "main article h1, main article h2, main article h3");
    assert_eq!(
        card_title_links,
        [("Why $NVDA fell".to_string(), "/reports/a/".to_string())],
        "in listings the title is one link to the report"
    );
    let ticker = site.page("tickers/nvda/");
    assert_eq!(
        card_titles(&ticker),
        ["Why $NVDA fell"],
        "the ticker page lists the report"
    );
}

#[test]
fn cashtags_in_every_text_field_link_and_join_the_tickers() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Fields", "2025-03-01")
            .keys("bottom_line = [\"Bottom $AA\"]\nhistorical_context = \"History $BB\"")
            .table("[[scores]]\narea = \"Markets\"\nscore = 5\nrationale = \"Why $CC\"")
            .table("[[glance]]\ndomain = \"Markets\"\ntext = \"Glance $DD\"")
            .table("[[stakeholders]]\nwho = \"Investors\"\naction = \"Act $EE\"")
            .table("[[chains]]\nsteps = [\"Step $FF\"]")
            .table("[chart]\nticker = \"GG\"\nlabel = \"Label\"\nwhy = \"Why $HH\"\ncompare = [\"II\"]")
            .table("[next]\nmilestone = \"Milestone $JJ\"\nsignal = \"Signal $KK\"")
            .table("[[faq]]\nq = \"Question?\"\na = \"Answer $LL\""),
    );
    site.build();
    let page = site.page("reports/a/");
    for (field, sym) in [
        ("Bottom", "AA"),
        ("History", "BB"),
        ("Why", "CC"),
        ("Glance", "DD"),
        ("Act", "EE"),
        ("Step", "FF"),
        ("Why", "HH"),
        ("Milestone", "JJ"),
        ("Signal", "KK"),
        ("Answer", "LL"),
    ] {
        let links = links_near(&page, &format!("{field} ${sym}"));
        let href = format!("/tickers/{}/", sym.to_lowercase());
        assert!(
            links.iter().any(|(t, h)| *t == format!("${sym}") && *h == href),
            "${sym} in {field} is not linked: {links:?}"
        );
    }
    for sym in ["aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh", "ii", "jj", "kk", "ll"] {
        let path = format!("tickers/{sym}/");
        assert!(
            site.exists(&path),
            "{path}: the chart's tickers and every cashtag join the report's tickers"
        );
    }
    let search = site.search_docs();
    let tickers: Vec<&str> = search[0]["tickers"]
        .as_array()
        .expect("tickers")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    for sym in ["GG", "II", "AA", "LL"] {
        assert!(
            tickers.contains(&sym),
            "the search index's tickers lack {sym}: {tickers:?}"
        );
    }
}

#[test]
fn front_matter_tickers_are_normalised_to_capitals() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Lower", "2025-03-01").keys("tickers = [\"brk.b\", \"$mp\"]"),
    );
    site.build();
    assert!(site.exists("tickers/brk.b/"));
    assert!(site.exists("tickers/mp/"));
    let text = main_text(&site.page("tickers/brk.b/"));
    assert!(text.contains("$BRK.B"), "{text}");
}

#[test]
fn check_warns_about_a_cashtag_missing_from_data_tickers_toml() {
    let site = SiteTest::new();
    site.write("data/tickers.toml", "[TSLA]\nname = \"Tesla\"\nexchange = \"NASDAQ\"\n");
    site.write(
        "content/a.md",
        report("Typo", "2025-03-01").summary("Shares of $TLSA and $TSLA rose."),
    );
    let run = site.run(&["check"]);
    run.assert_ok();
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("content/a.md:4:") && l.contains("warning") && l.contains("TLSA")),
        "check names the unlisted cashtag with its position:\n{}",
        run.stderr
    );
    assert!(
        !run.stderr.lines().any(|l| l.contains("`TSLA`")),
        "a listed ticker is not warned about:\n{}",
        run.stderr
    );
}

#[test]
fn ticker_page_names_come_from_data_tickers_toml() {
    let site = SiteTest::new();
    site.write(
        "data/tickers.toml",
        "[\"BRK.B\"]\nname = \"Berkshire Hathaway\"\nexchange = \"NYSE\"\n",
    );
    site.write(
        "content/a.md",
        report("Berkshire", "2025-03-01").summary("About $BRK.B."),
    );
    site.build();
    let text = main_text(&site.page("tickers/brk.b/"));
    assert!(text.contains("Berkshire Hathaway"), "{text}");
}

#[test]
fn cashtags_in_faq_questions_and_chart_labels_are_links() {
    // FORMAT.md: cashtags in front-matter text fields become links, except in the title.
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("FAQ and chart", "2025-03-01")
            .table("[chart]\nticker = \"REMX\"\nlabel = \"Basket tracking $LIT\"\nwhy = \"Why.\"")
            .table("[[faq]]\nq = \"What does it mean for $MP?\"\na = \"Little.\""),
    );
    site.build();
    let page = site.page("reports/a/");
    // A question is the <summary> of its answer, a control that cannot hold a link: its
    // cashtags are links in the answer it opens (issue 12).
    for (t, h, shown) in [
        ("$MP", "/tickers/mp/", "In the question:"),
        ("$LIT", "/tickers/lit/", "Basket tracking $LIT"),
    ] {
        let links = links_near(&page, shown);
        assert!(
            links.iter().any(|(text, href)| text == t && href == h),
            "{t} in a FAQ question or chart label is not a link: {links:?}"
        );
    }
}

/// Issue 10: a ticker page quotes what a report says of it in any text field, the chains
/// of consequence and what's next included (ReportMeta::text_fields is the one list).
#[test]
fn a_ticker_page_quotes_chains_and_whats_next() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Alpha", "2025-03-01")
            .table("[[chains]]\nsteps = [\"Tariffs\", \"Smelters idle ($FCX)\", \"Copper tightens\"]")
            .table("[next]\nsignal = \"A $FCX guidance cut would confirm it\""),
    );
    site.build();
    let text = main_text(&site.page("tickers/fcx/"));
    assert!(text.contains("Smelters idle ($FCX)"), "{text}");
    assert!(text.contains("A $FCX guidance cut would confirm it"), "{text}");
}

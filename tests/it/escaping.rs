//! Front-matter text is plain text (FORMAT.md): hostile markup in a title, summary, tag,
//! stakeholder group or FAQ is shown as text everywhere and never runs.

use crate::support::*;

const HOSTILE: &str = "<script>alert(1)</script>";

/// One report with hostile text in every kind of field, and an ordinary one beside it.
fn hostile_site() -> SiteTest {
    let site = SiteTest::new();
    site.write(
        "content/hostile.md",
        report(&format!("Title {HOSTILE} & co"), "2025-04-01")
            .summary(&format!("Summary {HOSTILE} \"quoted\" 'single'"))
            .keys(&format!(
                "category = {}\ntags = [{}]\nauthors = [{}]\nbottom_line = [{}]\nhistorical_context = {}\nprimary_impact = {}",
                toml_str(&format!("Cat {HOSTILE}")),
                toml_str(&format!("Tag {HOSTILE}")),
                toml_str(&format!("Author {HOSTILE}")),
                toml_str(&format!("Bottom {HOSTILE}")),
                toml_str(&format!("History {HOSTILE}")),
                toml_str(&format!("Area {HOSTILE}")),
            ))
            .table(&format!(
                "[[scores]]\narea = {}\nscore = 7\nrationale = {}",
                toml_str(&format!("Area {HOSTILE}")),
                toml_str(&format!("Why {HOSTILE}"))
            ))
            .table(&format!(
                "[[glance]]\ndomain = {}\ntext = {}",
                toml_str(&format!("Domain {HOSTILE}")),
                toml_str(&format!("Glance {HOSTILE}"))
            ))
            .table(&format!(
                "[[stakeholders]]\nwho = {}\naction = {}",
                toml_str(&format!("Who {HOSTILE}")),
                toml_str(&format!("Act {HOSTILE}"))
            ))
            .table(&format!("[[chains]]\nsteps = [{}]", toml_str(&format!("Step {HOSTILE}"))))
            .table(&format!(
                "[next]\nmilestone = {}\nsignal = {}",
                toml_str(&format!("Milestone {HOSTILE}")),
                toml_str(&format!("Signal {HOSTILE}"))
            ))
            .table(&format!(
                "[[faq]]\nq = {}\na = {}",
                toml_str(&format!("Question {HOSTILE}")),
                toml_str(&format!("Answer {HOSTILE}"))
            ))
            .body(&format!("## Body\n\nRaw HTML in the body: {HOSTILE}\n\n<img src=x onerror=alert(2)>\n")),
    );
    site.write(
        "content/plain.md",
        report("Plain neighbour", "2025-03-01").tags(&["other"]),
    );
    site
}

#[test]
fn hostile_text_never_becomes_a_live_script_on_any_page() {
    let site = hostile_site();
    site.build();
    let pages = site.html_files();
    assert!(pages.len() > 15, "{pages:?}");
    for file in pages {
        let page = site.page(&file);
        assert_no_live_script(&page, "alert", &file);
    }
}

#[test]
fn hostile_text_is_shown_as_text_on_the_quick_read() {
    let site = hostile_site();
    site.build();
    let page = site.page("reports/hostile/");
    let body = main_text(&page);
    for field in [
        "Title",
        "Summary",
        "Tag",
        "Cat",
        "Author",
        "Bottom",
        "History",
        "Area",
        "Why",
        "Domain",
        "Glance",
        "Who",
        "Act",
        "Step",
        "Milestone",
        "Signal",
        "Question",
        "Answer",
    ] {
        let shown = format!("{field} {HOSTILE}");
        assert!(
            body.contains(&shown),
            "the quick read does not show {shown:?} as text:\n{body}"
        );
    }
    assert!(body.contains("\"quoted\" 'single'"), "quotes survive as text: {body}");
    let head_title = select(&page, "title").into_iter().next().map(text).unwrap_or_default();
    assert!(head_title.contains(HOSTILE), "<title> shows the text: {head_title}");
}

#[test]
fn hostile_text_is_shown_as_text_in_listings_and_term_pages() {
    let site = hostile_site();
    site.build();
    for path in [
        "",
        "tags/",
        "tags/tag-script-alert-1-script/",
        "categories/cat-script-alert-1-script/",
        "impact/area-script-alert-1-script/",
        "stakeholders/",
        "stakeholders/who-script-alert-1-script/",
    ] {
        let page = site.page(path);
        let text = main_text(&page);
        assert!(
            text.contains(HOSTILE),
            "{path:?} does not show the hostile text as text:\n{text}"
        );
    }
}

#[test]
fn raw_html_in_a_body_is_not_passed_through() {
    let site = hostile_site();
    site.build();
    let page = site.page("reports/hostile/full/");
    assert_no_live_script(&page, "alert", "full analysis");
    assert!(select(&page, "main img[onerror]").is_empty());
}

#[test]
fn hostile_text_is_escaped_in_every_feed() {
    let site = hostile_site();
    site.build();
    for path in [
        "rss.xml",
        "atom.xml",
        "feed.json",
        "tags/tag-script-alert-1-script/rss.xml",
    ] {
        let feed = site.feed(path);
        let entry = feed
            .entries
            .iter()
            .find(|e| e.title.as_ref().is_some_and(|t| t.content.contains("Title")))
            .unwrap_or_else(|| panic!("{path}: no hostile entry"));
        let title = &entry.title.as_ref().expect("title").content;
        assert_eq!(
            title,
            &format!("Title {HOSTILE} & co"),
            "{path}: the title reads back as text"
        );
        let html = entry
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
            .unwrap_or_else(|| panic!("{path}: the entry has no content"));
        let doc = scraper::Html::parse_fragment(&html);
        assert_no_live_script(&doc, "alert", path);
        assert!(
            text(doc.root_element()).contains(&format!("Summary {HOSTILE}")),
            "{path}: the item content shows the summary as text: {html}"
        );
    }
}

#[test]
fn hostile_text_in_json_ld_cannot_close_the_script_element() {
    let site = hostile_site();
    site.build();
    let page = site.page("reports/hostile/");
    let blocks = json_ld(&page);
    assert!(!blocks.is_empty(), "the quick read has JSON-LD");
    let all = serde_json::Value::Array(blocks).to_string();
    assert!(
        all.contains(&format!("Title {HOSTILE} & co")),
        "JSON-LD keeps the title as data: {all}"
    );
    assert!(all.contains(&format!("Question {HOSTILE}")), "{all}");
}

#[test]
fn the_search_index_keeps_hostile_text_as_data() {
    let site = hostile_site();
    site.build();
    let docs = site.search_docs();
    let entry = docs
        .iter()
        .find(|e| e["title"].as_str().is_some_and(|t| t.starts_with("Title")))
        .expect("the hostile report");
    assert_eq!(entry["title"], format!("Title {HOSTILE} & co"));
    let words = site.read("search/words/0.json");
    assert!(serde_json::from_str::<serde_json::Value>(&words).is_ok(), "{words}");
    assert!(!words.contains('<'), "words are folded to letters and digits: {words}");
}

#[test]
fn the_site_title_and_disclaimer_are_escaped() {
    let site = SiteTest::new();
    site.write(
        "config.toml",
        CONFIG
            .replace("Impact Test Review", "Review <b>bold</b> & <script>alert(3)</script>")
            .replace(DISCLAIMER, "Disclaimer <script>alert(4)</script>"),
    );
    site.write("content/a.md", report("A", "2025-03-01"));
    site.build();
    for file in site.html_files() {
        let page = site.page(&file);
        assert_no_live_script(&page, "alert", &file);
        assert!(select(&page, "b").is_empty(), "{file}: config text became markup");
        assert!(
            page_text(&page).contains("Disclaimer <script>alert(4)</script>"),
            "{file}"
        );
    }
    let rss = site.feed("rss.xml");
    assert_eq!(
        rss.title.expect("feed title").content,
        "Review <b>bold</b> & <script>alert(3)</script>"
    );
}

#[test]
fn front_matter_text_is_never_markdown() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("A *starred* title", "2025-03-01")
            .summary("Not **bold**, not [a link](https://evil.example/), not `code`.")
            .keys("bottom_line = [\"_Not emphasis_\"]"),
    );
    site.build();
    for path in ["reports/a/", ""] {
        let page = site.page(path);
        let body = main_text(&page);
        assert!(
            body.contains("Not **bold**, not [a link](https://evil.example/), not `code`."),
            "{path:?}: the summary is shown as written: {body}"
        );
        assert!(select(&page, "main strong, main em, main code")
            .iter()
            .all(|e| !text(*e).contains("bold")
                && !text(*e).contains("starred")
                && !text(*e).contains("Not emphasis")));
        assert!(
            !links(&page).iter().any(|l| l.contains("evil.example")),
            "{path:?}: Markdown in the summary made a link"
        );
    }
    assert!(main_text(&site.page("reports/a/")).contains("_Not emphasis_"));
}

#[test]
fn template_syntax_in_content_is_shown_literally() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("About {{ site.title }}", "2025-03-01")
            .summary("Jinja: {% raw %} {{ 1 + 1 }}")
            .body("Body {{ site.title }} {% if true %}x{% endif %}\n"),
    );
    site.build();
    let quick = main_text(&site.page("reports/a/"));
    assert!(quick.contains("About {{ site.title }}"), "{quick}");
    assert!(quick.contains("Jinja: {% raw %} {{ 1 + 1 }}"), "{quick}");
    let full = main_text(&site.page("reports/a/full/"));
    assert!(
        full.contains("Body {{ site.title }} {% if true %}x{% endif %}"),
        "{full}"
    );
}

#[test]
fn quotes_in_text_survive_inside_attributes() {
    let site = SiteTest::new();
    let summary = r#"He said "sell" & she said 'buy' <now>"#;
    site.write("content/a.md", report("Quotes", "2025-03-01").summary(summary));
    site.build();
    let page = site.page("reports/a/");
    let description: Vec<_> = select(&page, "meta[name=description]")
        .into_iter()
        .filter_map(|m| m.value().attr("content"))
        .collect();
    assert_eq!(description, [summary], "the meta description holds the summary exactly");
}

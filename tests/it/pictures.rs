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
/// A small PNG of `w` x `h` pixels (a gradient, so resizing has work to do).
pub(crate) fn png(w: u32, h: u32) -> Vec<u8> {
    png_tinted(w, h, 128)
}

/// A PNG like [`png`] whose blue channel is `blue`: another picture of the same size.
pub(crate) fn png_tinted(w: u32, h: u32, blue: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().unwrap();
    let data: Vec<u8> = (0..w * h)
        .flat_map(|i| {
            let (x, y) = (i % w, i / w);
            [(x * 255 / w) as u8, (y * 255 / h) as u8, blue]
        })
        .collect();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    out
}

fn bundle_site() -> SiteTest {
    let site = SiteTest::new();
    site.write(
        "content/2025/pakistan-deal/index.md",
        report("Pakistan deal", "2025-03-01")
            .keys("image = { src = \"map.png\", alt = \"The mineral belt\", credit = \"USGS\" }")
            .body("Intro.\n\n![Refinery output](chart.png \"Output by year\")\n\nSee [the data](data.csv) and ![icon](icon.svg).\n"),
    );
    site.write_bytes("content/2025/pakistan-deal/map.png", &png(1600, 800));
    site.write_bytes("content/2025/pakistan-deal/chart.png", &png(1000, 500));
    site.write("content/2025/pakistan-deal/data.csv", "year,t\n2025,3\n");
    site.write(
        "content/2025/pakistan-deal/icon.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"/>",
    );
    site
}

#[test]
fn a_bundle_publishes_its_files_and_its_slug_is_its_folder() {
    let site = bundle_site();
    site.build();
    for f in ["map.png", "chart.png", "data.csv", "icon.svg"] {
        assert!(site.exists(&format!("reports/pakistan-deal/{f}")), "{f}");
    }
    assert_eq!(
        std::fs::read(site.out("reports/pakistan-deal/icon.svg")).unwrap(),
        std::fs::read(site.root().join("content/2025/pakistan-deal/icon.svg")).unwrap(),
        "an SVG is copied as it is"
    );
}

#[test]
fn body_images_resolve_against_the_bundle_with_size_srcset_and_captions_under_a_sub_path() {
    let site = bundle_site();
    site.build_with(&["--base-url", "https://example.org/impact/"]);
    let html = site.page("reports/pakistan-deal/full/");
    let figures = select(&html, "main figure.figure");
    assert_eq!(figures.len(), 1);
    assert_eq!(text(select_in(figures[0], "figcaption")[0]), "Output by year");
    let img = select_in(figures[0], "img")[0].value();
    assert_eq!(img.attr("src"), Some("/impact/reports/pakistan-deal/chart.png"));
    assert_eq!(img.attr("alt"), Some("Refinery output"));
    assert_eq!((img.attr("width"), img.attr("height")), (Some("1000"), Some("500")));
    assert_eq!(img.attr("loading"), Some("lazy"));
    let srcset = img.attr("srcset").expect("a srcset");
    let widths: Vec<&str> = srcset.split(", ").map(|e| e.rsplit(' ').next().unwrap()).collect();
    assert_eq!(widths, ["480w", "960w", "1000w"], "never wider than the original");
    // Every image URL of the page resolves to a file of the output.
    for url in srcset.split(", ").map(|e| e.split(' ').next().unwrap()) {
        let file = url.strip_prefix("/impact/").expect("under the site's path");
        assert!(site.exists(file), "{url}");
    }
    let links = main_links(&html);
    assert!(
        links.iter().any(|l| l == "/impact/reports/pakistan-deal/data.csv"),
        "{links:?}"
    );
    let svg = select(&html, "main img[src$='icon.svg']");
    assert_eq!(svg[0].value().attr("width"), Some("40"));
    assert!(svg[0].value().attr("srcset").is_none(), "an SVG has no copies");
}

#[test]
fn a_lead_image_is_shown_under_the_takeaway_listed_as_a_thumbnail_and_shared() {
    let site = bundle_site();
    site.build_with(&["--base-url", "https://example.org/impact/"]);
    let html = site.page("reports/pakistan-deal/");
    let lead = select(&html, "main .lead-image img");
    assert_eq!(lead.len(), 1);
    let img = lead[0].value();
    assert_eq!(img.attr("src"), Some("/impact/reports/pakistan-deal/map.png"));
    assert_eq!(img.attr("alt"), Some("The mineral belt"));
    assert_eq!(img.attr("loading"), None, "the lead image is not lazy");
    assert_eq!(
        select(&html, "main section[aria-labelledby=takeaway-h] + figure img").len(),
        1,
        "right under the takeaway, before the scores"
    );
    assert!(main_text(&html).contains("USGS"));
    assert_eq!(
        meta(&html, "og:image").as_deref(),
        Some("https://example.org/impact/reports/pakistan-deal/map.png")
    );
    assert_eq!(meta(&html, "og:image:width").as_deref(), Some("1600"));
    assert_eq!(meta(&html, "og:image:alt").as_deref(), Some("The mineral belt"));
    assert_eq!(
        json_ld(&html)[0]["image"][0],
        "https://example.org/impact/reports/pakistan-deal/map.png"
    );
    let home = site.page("");
    let thumb = select(&home, "main img.card__thumb");
    assert_eq!(
        thumb[0].value().attr("src"),
        Some("/impact/reports/pakistan-deal/map.png")
    );
}

#[test]
fn a_missing_bundle_image_fails_the_build_at_its_line() {
    let site = bundle_site();
    site.build();
    site.remove("content/2025/pakistan-deal/chart.png");
    let run = site.try_build(&[]);
    run.assert_failed();
    // +++, title, date, summary, image, +++, blank, "Intro.", blank: the image is on line 10.
    run.assert_stderr_contains(
        "content/2025/pakistan-deal/index.md:10:1: error: `chart.png` is not a file of the report's bundle",
    );
    assert!(
        site.exists("reports/pakistan-deal/chart.png"),
        "the previous site stays"
    );
}

#[test]
fn a_lead_image_needs_alt_and_may_not_leave_its_bundle() {
    let site = bundle_site();
    site.write(
        "content/2025/pakistan-deal/index.md",
        report("Pakistan deal", "2025-03-01").keys("image = { src = \"map.png\" }"),
    );
    site.try_build(&[])
        .assert_failed()
        .assert_stderr_contains("content/2025/pakistan-deal/index.md:5:")
        .assert_stderr_contains("the lead image needs `alt`");
    site.write(
        "content/2025/pakistan-deal/index.md",
        report("Pakistan deal", "2025-03-01").keys("image = { src = \"../../../etc/passwd\", alt = \"x\" }"),
    );
    site.try_build(&[])
        .assert_failed()
        .assert_stderr_contains("leads out of the report's bundle");
}

#[test]
fn resized_copies_are_cached_and_a_second_build_writes_the_same_files() {
    let site = bundle_site();
    site.build();
    let first = site.output_files();
    let cached = std::fs::read_dir(site.root().join(".impress-cache/images"))
        .unwrap()
        .count();
    assert!(cached >= 3, "copies are in the cache: {cached}");
    std::fs::remove_dir_all(site.public()).unwrap();
    site.build();
    assert_eq!(site.output_files(), first);
    let again = std::fs::read_dir(site.root().join(".impress-cache/images"))
        .unwrap()
        .count();
    assert_eq!(again, cached, "nothing resized twice");
}

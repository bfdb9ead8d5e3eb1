//! `impress watch` (and `serve`) as a writer reads them in the terminal: only the site's
//! inputs are watched (never the output, which would wake the watcher and, on a big
//! site, use up the system's watches), new input folders and config edits are seen,
//! build's warnings are printed, and each line says exactly what happened.

use crate::support::{report, select, select_in, text, Running, SiteTest, Stream};

fn site() -> SiteTest {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Alpha report", "2025-05-01")
            .summary("The first takeaway.")
            .body("Text.\n"),
    );
    site
}

/// Saves `content/a.md` with a new takeaway and waits for the rebuild's line.
fn edit_and_wait(site: &SiteTest, watch: &mut Running, takeaway: &str) -> String {
    site.write(
        "content/a.md",
        report("Alpha report", "2025-05-01").summary(takeaway).body("Text.\n"),
    );
    watch.wait_for(Stream::Stdout, "changed content/a.md")
}

/// The inodes that the process's inotify instances watch, from /proc (Linux).
#[cfg(target_os = "linux")]
fn watched_inodes(pid: u32) -> Vec<u64> {
    let mut inodes = Vec::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/fdinfo")).expect("fdinfo") {
        let Ok(text) = std::fs::read_to_string(entry.expect("fdinfo entry").path()) else {
            continue;
        };
        for line in text.lines().filter(|l| l.starts_with("inotify wd:")) {
            let ino = line
                .split_whitespace()
                .find_map(|w| w.strip_prefix("ino:"))
                .and_then(|h| u64::from_str_radix(h, 16).ok());
            inodes.extend(ino);
        }
    }
    inodes
}

#[cfg(target_os = "linux")]
#[test]
fn watch_watches_the_inputs_and_never_its_output() {
    use std::os::unix::fs::MetadataExt;
    let site = site();
    site.write("static/extra.css", "body { color: black; }\n");
    site.build();
    let mut watch = site.start(&["watch"]);
    watch.wait_for(Stream::Stdout, "built ");
    // A save and its rebuild: any watch the output would get is in place by now.
    edit_and_wait(&site, &mut watch, "Edited once.");
    let watched = watched_inodes(watch.pid());
    let ino = |p: &std::path::Path| std::fs::metadata(p).expect("metadata").ino();
    for input in ["content", "static"] {
        assert!(watched.contains(&ino(&site.root().join(input))), "{input}/ is watched");
    }
    let output_dirs: Vec<_> = walkdir::WalkDir::new(site.public())
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_dir())
        .map(|e| e.into_path())
        .collect();
    assert!(output_dirs.len() > 5, "the output has folders");
    let on_output: Vec<_> = output_dirs.iter().filter(|d| watched.contains(&ino(d))).collect();
    assert!(on_output.is_empty(), "output folders are watched: {on_output:?}");
    assert!(
        watched.len() < output_dirs.len(),
        "{} watches for {} output folders",
        watched.len(),
        output_dirs.len()
    );
}

#[test]
fn a_new_input_folder_and_a_config_edit_are_seen() {
    let site = site();
    let mut watch = site.start(&["watch"]);
    watch.wait_for(Stream::Stdout, "built ");
    // static/ did not exist when watch started.
    site.write("static/extra.css", "body { color: navy; }\n");
    watch.wait_for(Stream::Stdout, "changed static");
    assert!(
        site.read("extra.css").contains("navy"),
        "the new folder's file is copied"
    );
    site.write(
        "config.toml",
        crate::support::CONFIG.replace("Impact Test Review", "Renamed Review"),
    );
    watch.wait_for(Stream::Stdout, "changed config.toml");
    assert!(site.read("").contains("Renamed Review"), "the config edit is built");
}

#[test]
fn watch_and_serve_print_the_warnings_of_build() {
    let site = site();
    site.write("data/tickers.toml", "[MP]\nname = \"MP Materials\"\n");
    site.write(
        "content/a.md",
        report("Alpha report", "2025-05-01")
            .summary("Miners ($MP) and a typo ($TLSA).")
            .body("Text.\n"),
    );
    let build = site.build();
    let warning = build
        .stderr
        .lines()
        .find(|l| l.contains("warning: ticker `TLSA`"))
        .unwrap_or_else(|| panic!("build warns:\n{}", build.stderr))
        .to_string();

    let mut watch = site.start(&["watch"]);
    watch.wait_for(Stream::Stdout, "built ");
    assert_eq!(watch.saw_or_wait(Stream::Stderr, "warning: ticker `TLSA`"), warning);
    // A new typo in a save is warned about when it is saved.
    site.write(
        "content/a.md",
        report("Alpha report", "2025-05-01")
            .summary("Miners ($MP), a typo ($TLSA) and another ($MPP).")
            .body("Text.\n"),
    );
    watch.wait_for(Stream::Stdout, "changed content/a.md");
    watch.saw_or_wait(Stream::Stderr, "warning: ticker `MPP` is not listed");
    watch.stop();

    // serve prints what build prints, line for line.
    let build = site.build();
    let mut serve = site.serve(&[]);
    serve.running.saw_or_wait(Stream::Stderr, "warnings");
    assert_eq!(
        serve.running.lines_of(Stream::Stderr),
        build.stderr.lines().collect::<Vec<_>>()
    );
}

/// `rebuilt N pages (W written, D deleted)` of a line, as numbers.
fn rebuilt_counts(line: &str) -> (usize, usize) {
    let rest = line
        .split("rebuilt ")
        .nth(1)
        .unwrap_or_else(|| panic!("no counts in {line:?}"));
    let n = rest.split(' ').next().and_then(|n| n.parse().ok());
    let w = rest
        .split('(')
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|w| w.parse().ok());
    match (n, w) {
        (Some(n), Some(w)) => (n, w),
        _ => panic!("no counts in {line:?}"),
    }
}

#[test]
fn the_terminal_says_exactly_what_changed_and_what_was_written() {
    let site = site();
    site.write("static/extra.css", "body { color: black; }\n");
    let mut watch = site.start(&["watch"]);
    let built = watch.wait_for(Stream::Stdout, "built ");
    assert!(!built.contains("serv"), "watch does not claim to serve: {built}");

    // A stylesheet: no page is rendered, one static file is copied.
    site.write("static/extra.css", "body { color: navy; }\n");
    let line = watch.wait_for(Stream::Stdout, "changed static/extra.css");
    let (rendered, written) = rebuilt_counts(&line);
    assert!(written <= rendered, "{line}");
    assert!(line.contains("copied 1 static file"), "{line}");

    // A folder made with no file in it: the line names the folder.
    std::fs::create_dir_all(site.root().join("content/markets")).unwrap();
    let line = watch.wait_for(Stream::Stdout, "changed");
    assert!(line.starts_with("changed content/markets"), "{line}");

    // A body edit.
    let line = edit_and_wait(&site, &mut watch, "Edited.");
    let (rendered, written) = rebuilt_counts(&line);
    assert!(written <= rendered && written > 0, "{line}");

    for line in watch.lines_of(Stream::Stdout) {
        assert!(!line.starts_with("changed :"), "a change with no path: {line}");
    }
}

#[test]
fn a_failed_edit_under_watch_says_nothing_was_written_and_not_that_it_serves() {
    let site = site();
    let mut watch = site.start(&["watch"]);
    watch.wait_for(Stream::Stdout, "built ");
    site.write(
        "content/a.md",
        "+++\ntitle = \"Alpha report\"\ndate = 2025-05-01\nsummary = \"Broken.\"\n[[scores]]\narea = \"A\"\nscore = 11\n+++\n",
    );
    watch.wait_for(Stream::Stderr, "content/a.md:7:9: error:");
    let said = watch.wait_for_text(Stream::Stderr, "fix the problem and save");
    assert_eq!(
        said,
        format!(
            "nothing was written to {}; fix the problem and save",
            site.public().display()
        )
    );
    assert!(
        !watch.transcript().contains("served"),
        "watch does not serve:\n{}",
        watch.transcript()
    );
    assert!(
        site.read("reports/a/").contains("The first takeaway."),
        "the last good page stays"
    );
}

/// Saves a file as editors do: written beside it under a temporary name (which watch
/// ignores), then renamed over it, so the watcher sees one change.
fn save_atomically(site: &SiteTest, path: &str, bytes: &[u8]) {
    let tmp = format!("{path}.tmp");
    site.write_bytes(&tmp, bytes);
    std::fs::rename(site.root().join(&tmp), site.root().join(path)).expect("rename over the file");
}

/// The published files of a report's folder whose names start with `prefix`, sorted.
fn published_like(site: &SiteTest, dir: &str, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(site.out(dir))
        .expect("the report's folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

/// The drawn chart of a quick read: its SVG's markup and its description.
fn drawn_chart(site: &SiteTest, page: &str) -> (String, String) {
    let html = site.page(page);
    let svg = select(&html, "main svg[role=img]");
    assert_eq!(svg.len(), 1, "one drawn chart on {page}");
    let desc = text(select_in(svg[0], "desc")[0]);
    (svg[0].html(), desc)
}

/// A price file of 60 daily closes from 2025-06-02, from `start`, moving `step` a day.
fn price_file(start: f64, step: f64) -> String {
    let first = chrono::NaiveDate::from_ymd_opt(2025, 6, 2).expect("a date");
    let rows: String = (0..60u32)
        .map(|d| {
            let day = first + chrono::Days::new(u64::from(d));
            format!("{day},{:.2}\n", start + step * f64::from(d))
        })
        .collect();
    format!("date,close\n{rows}")
}

#[test]
fn watch_publishes_new_and_changed_bundle_images_and_redraws_the_chart_when_prices_change() {
    use crate::pictures::{png, png_tinted};
    let site = SiteTest::new();
    let dir = "content/2025/deal";
    site.write(
        &format!("{dir}/index.md"),
        report("Rare earths deal", "2025-07-01")
            .keys("image = { src = \"map.png\", alt = \"The mineral belt\" }")
            .table("[chart]\nticker = \"REMX\"\nwhy = \"Signals confidence\"")
            .body("Intro.\n\n![Output](output.png \"Output by year\")\n"),
    );
    site.write_bytes(&format!("{dir}/map.png"), &png(600, 300));
    site.write_bytes(&format!("{dir}/output.png"), &png(300, 150));
    site.write("data/prices/REMX.csv", price_file(40.0, 0.5));
    let mut watch = site.start(&["watch"]);
    watch.wait_for(Stream::Stdout, "built ");
    let out = "reports/deal";
    let copies = published_like(&site, out, "map-");
    assert_eq!(copies.len(), 1, "a 600 px image has one resized copy: {copies:?}");
    let old_copy = std::fs::read(site.out(&format!("{out}/{}", copies[0]))).expect("the copy");

    // The lead image replaced by a wider one: the original is published anew, with new
    // copies, and the quick read gives its new size and srcset.
    let wider = png_tinted(1000, 500, 0);
    save_atomically(&site, &format!("{dir}/map.png"), &wider);
    watch.wait_for(Stream::Stdout, &format!("changed {dir}/map.png"));
    assert_eq!(
        std::fs::read(site.out(&format!("{out}/map.png"))).expect("map.png"),
        wider
    );
    let copies = published_like(&site, out, "map-");
    assert_eq!(copies.len(), 2, "480 and 960 px copies: {copies:?}");
    assert_ne!(
        std::fs::read(site.out(&format!("{out}/{}", copies[0]))).expect("the copy"),
        old_copy,
        "the 480 px copy is of the new picture"
    );
    let html = site.page(&format!("{out}/"));
    let lead = select(&html, "main .lead-image img");
    let lead = lead[0].value();
    assert_eq!((lead.attr("width"), lead.attr("height")), (Some("1000"), Some("500")));
    let srcset = lead.attr("srcset").expect("a srcset");
    assert!(srcset.contains(" 960w") && srcset.contains(" 1000w"), "{srcset}");

    // A new image in the bundle, shown by nothing yet, is published.
    save_atomically(&site, &format!("{dir}/extra.png"), &png(200, 100));
    watch.wait_for(Stream::Stdout, &format!("changed {dir}/extra.png"));
    assert_eq!(
        std::fs::read(site.out(&format!("{out}/extra.png"))).expect("extra.png is published"),
        png(200, 100)
    );

    // New prices: the chart is drawn again from them.
    let (svg, desc) = drawn_chart(&site, &format!("{out}/"));
    save_atomically(&site, "data/prices/REMX.csv", price_file(40.0, -0.3).as_bytes());
    watch.wait_for(Stream::Stdout, "changed data/prices/REMX.csv");
    let (new_svg, new_desc) = drawn_chart(&site, &format!("{out}/"));
    assert_ne!(new_svg, svg, "the line is drawn from the new prices");
    assert_ne!(new_desc, desc, "the description states the new change");

    // A broken row: the error names the file and line, and the last good site stays.
    let mut broken = price_file(40.0, -0.3);
    broken.push_str("2025-08-01,forty\n");
    save_atomically(&site, "data/prices/REMX.csv", broken.as_bytes());
    // The header is line 1 and 60 rows follow: the bad row is line 62.
    let error = watch.wait_for_text(Stream::Stderr, "data/prices/REMX.csv:62:");
    assert!(error.contains("the close `forty` is not a number"), "{error}");
    watch.wait_for_text(Stream::Stderr, "fix the problem and save");
    assert_eq!(
        drawn_chart(&site, &format!("{out}/")).0,
        new_svg,
        "the last good page stays"
    );

    // Fixed: rebuilt, the added day drawn.
    let mut fixed = price_file(40.0, -0.3);
    fixed.push_str("2025-08-01,12.5\n");
    save_atomically(&site, "data/prices/REMX.csv", fixed.as_bytes());
    watch.wait_for(Stream::Stdout, "changed data/prices/REMX.csv");
    let (fixed_svg, fixed_desc) = drawn_chart(&site, &format!("{out}/"));
    assert_ne!(fixed_svg, new_svg);
    assert!(
        fixed_desc.contains("to 12.5"),
        "ends on the added day's close: {fixed_desc}"
    );
    watch.stop();
}

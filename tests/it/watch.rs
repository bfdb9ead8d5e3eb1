//! `impress watch` (and `serve`) as a writer reads them in the terminal: only the site's
//! inputs are watched (never the output, which would wake the watcher and, on a big
//! site, use up the system's watches), new input folders and config edits are seen,
//! build's warnings are printed, and each line says exactly what happened.

use crate::support::{report, Running, SiteTest, Stream};

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

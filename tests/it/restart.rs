//! The writer's loop across processes (issue 9): `build`, then `watch`, stop, `serve`,
//! stop, `serve` again. Every start must leave a complete site, byte for byte what a
//! clean build gives; a bug that shows only on the second start is met on day one.

use std::path::{Path, PathBuf};

use crate::support::{output_tree, SiteTest, Stream};

fn site() -> SiteTest {
    SiteTest::from_fixture("site/small")
}

/// A clean build of `site` into a new folder, with `extra` arguments.
fn clean_build(site: &SiteTest, name: &str, extra: &[&str]) -> PathBuf {
    let out = site.root().join(name);
    let mut args = vec!["build", "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    site.run(&args).assert_ok();
    out
}

fn assert_same_site(got: &Path, want: &Path, what: &str) {
    let got_files = output_tree(got);
    let want_files = output_tree(want);
    assert!(
        want_files.len() > 10,
        "the clean build has pages ({})",
        want_files.len()
    );
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&got_files),
        names(&want_files),
        "{what}: the same files as a clean build"
    );
    for ((name, a), (_, b)) in got_files.iter().zip(&want_files) {
        assert!(a == b, "{what}: {name} differs from a clean build");
    }
}

/// The site serve built (under the test's TMPDIR: one folder per run, the site inside).
fn serve_output(site: &SiteTest) -> PathBuf {
    let dirs: Vec<PathBuf> = std::fs::read_dir(site.serve_tmp())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("site"))
        .filter(|p| p.join("index.html").is_file())
        .collect();
    assert_eq!(dirs.len(), 1, "one serve folder holds a site: {dirs:?}");
    dirs.into_iter().next().unwrap()
}

#[test]
fn restarting_watch_and_serve_never_empties_the_site() {
    let site = site();
    site.build();
    let clean = clean_build(&site, "clean", &[]);
    assert_same_site(&site.public(), &clean, "build");

    for round in 1..=2 {
        let mut watch = site.start(&["watch"]);
        let built = watch.wait_for(Stream::Stdout, "built ");
        assert!(!built.contains(" 0 pages"), "watch start {round}: {built}");
        assert_same_site(&site.public(), &clean, &format!("watch start {round}"));
        watch.stop();
        assert_same_site(&site.public(), &clean, &format!("after watch {round}"));
    }

    for round in 1..=3 {
        let mut serve = site.start(&["serve", "--port", "0"]);
        let url = serve.wait_for(Stream::Stdout, "serving at ");
        let url = url
            .trim_start_matches("serving at ")
            .split(' ')
            .next()
            .unwrap()
            .to_string();
        let built = serve.wait_for(Stream::Stdout, "built ");
        assert!(!built.contains(" 0 pages"), "serve start {round}: {built}");
        let want = clean_build(&site, &format!("clean-serve-{round}"), &["--base-url", &url]);
        assert_same_site(&serve_output(&site), &want, &format!("serve start {round}"));
        serve.stop();
        // serve builds into a folder of its own: the real site is untouched.
        assert_same_site(&site.public(), &clean, &format!("public/ after serve {round}"));
    }

    // And a build after all that is still a whole site.
    site.build();
    assert_same_site(&site.public(), &clean, "build after serve and watch");
}

#[test]
fn a_build_after_watch_edits_shows_the_source_not_a_stale_page() {
    let site = SiteTest::new();
    let text = crate::support::report("Alpha", "2025-05-01")
        .summary("First takeaway.")
        .to_string();
    site.write("content/a.md", &text);
    site.build();
    let mut watch = site.start(&["watch"]);
    watch.wait_for(Stream::Stdout, "built ");
    site.write("content/a.md", text.replace("First takeaway.", "Edited takeaway."));
    watch.wait_for(Stream::Stdout, "changed ");
    assert!(site.read("reports/a/index.html").contains("Edited takeaway."));
    watch.stop();
    // Back to the text of the first build: the page must follow the source again.
    site.write("content/a.md", &text);
    site.build();
    let page = site.read("reports/a/index.html");
    assert!(
        page.contains("First takeaway.") && !page.contains("Edited takeaway."),
        "the build wrote the page of the current source"
    );
}

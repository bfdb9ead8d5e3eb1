//! `impress init`, `impress new` and `impress theme eject` as a new writer meets them: a
//! site starts in a freshly cloned (empty) repository, uses the theme built into impress
//! unless the writer asks for a copy, a new report never takes a slug already in use, and
//! `check` points at placeholder text left in a report.

use std::fs;

use crate::support::SiteTest;

#[test]
fn init_works_in_a_freshly_cloned_repository_and_uses_the_built_in_theme() {
    let site = SiteTest::empty();
    let repo = site.root().join("repo");
    fs::create_dir_all(repo.join(".git/objects")).unwrap();
    fs::write(repo.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    fs::write(repo.join("README.md"), "# Our reports\n").unwrap();
    let run = site.run(&["init", "repo"]);
    run.assert_ok();
    assert!(repo.join("config.toml").is_file());
    assert_eq!(
        fs::read_to_string(repo.join("README.md")).unwrap(),
        "# Our reports\n",
        "the repository's files are kept"
    );
    assert!(
        !repo.join("themes").exists(),
        "no copy of the theme: the built-in one is used"
    );
    assert!(
        fs::read_to_string(repo.join(".gitignore"))
            .unwrap()
            .contains("/public/"),
        "the output is not committed"
    );

    // The sample report is a draft, and the terminal says how to see it.
    assert!(run.stdout.contains("is a draft"), "{}", run.stdout);
    site.run_at("repo", &["build"]).assert_ok();
    let public = repo.join("public");
    assert!(public.join("index.html").is_file());
    assert!(
        !public.join("reports").exists(),
        "the sample report is not published by a plain build"
    );
    site.run_at("repo", &["build", "--drafts"]).assert_ok();
    assert!(public.join("reports").is_dir(), "--drafts shows the sample report");
    assert!(
        public.join("style.css").is_file()
            || public
                .read_dir()
                .unwrap()
                .any(|e| { e.unwrap().file_name().to_string_lossy().ends_with(".css") }),
        "the built-in theme's stylesheet is copied"
    );

    // A folder with a site's files in it is refused, and nothing is written.
    let busy = site.root().join("busy");
    fs::create_dir_all(busy.join("content")).unwrap();
    let run = site.run(&["init", "busy"]);
    run.assert_failed();
    run.assert_stderr_contains("the folder already holds `content`");
    assert!(!busy.join("config.toml").exists());
}

#[test]
fn the_theme_is_copied_only_when_asked_for() {
    let site = SiteTest::empty();
    site.run(&["init", "with", "--with-theme"]).assert_ok();
    assert!(site.root().join("with/themes/default/templates/base.html").is_file());

    site.run(&["init", "plain"]).assert_ok();
    let plain = site.root().join("plain");
    assert!(!plain.join("themes").exists());
    let run = site.run_at("plain", &["theme", "eject"]);
    run.assert_ok();
    assert!(run.stdout.contains("themes/default"), "{}", run.stdout);
    let base = plain.join("themes/default/templates/base.html");
    assert!(base.is_file());

    // The copy is the site's theme now: an edit to it shows.
    let text = fs::read_to_string(&base).unwrap();
    fs::write(
        &base,
        text.replace("</body>", "<p id=\"ejected\">Edited theme</p></body>"),
    )
    .unwrap();
    site.run_at("plain", &["build"]).assert_ok();
    assert!(fs::read_to_string(plain.join("public/index.html"))
        .unwrap()
        .contains("Edited theme"));

    // Ejecting again never overwrites the writer's edits.
    site.run_at("plain", &["theme", "eject"]).assert_failed();
    assert!(fs::read_to_string(&base).unwrap().contains("Edited theme"));
}

#[test]
fn new_refuses_a_slug_in_use_anywhere_and_takes_a_folder() {
    let site = SiteTest::new();
    site.write(
        "content/2025/old-draft.md",
        "+++\ntitle = \"Old\"\ndate = 2025-01-01\ndraft = true\nslug = \"copper-deal\"\nsummary = \"S.\"\n+++\n",
    );
    let run = site.run(&["new", "Copper deal"]);
    run.assert_failed();
    run.assert_error_line(
        "content/2025/old-draft.md: error: a report with the slug `copper-deal` already exists; choose another title",
    );
    assert!(!site.root().join("content/copper-deal.md").exists());

    let run = site.run(&["new", "--dir", "markets", "Cobalt deal"]);
    run.assert_ok();
    let path = site.root().join("content/markets/cobalt-deal.md");
    let text = fs::read_to_string(&path).unwrap();
    assert!(run.stdout.contains("content/markets/cobalt-deal.md"), "{}", run.stdout);
    // The optional fields are there, commented out, for the writer to find.
    assert!(text.contains("\n# updated = "), "{text}");
    assert!(text.contains("\n# slug = \"cobalt-deal\""), "{text}");
    // The same slug in another folder is still the same slug.
    site.run(&["new", "--dir", "energy", "Cobalt deal"]).assert_failed();
    assert!(!site.root().join("content/energy").exists());
    // Outside content/ is refused.
    site.run(&["new", "--dir", "../elsewhere", "Nickel deal"])
        .assert_failed();
    assert!(!site.root().join("elsewhere").exists());
}

#[test]
fn check_warns_about_placeholder_text_left_in_a_report() {
    let site = SiteTest::new();
    site.run(&["new", "Copper deal"]).assert_ok();
    let path = site.root().join("content/copper-deal.md");
    // Published as is, with the stub's text.
    let stub = fs::read_to_string(&path).unwrap();
    fs::write(&path, stub.replace("draft = true", "draft = false")).unwrap();
    let stub = fs::read_to_string(&path).unwrap();
    let run = site.run(&["check", "--future"]);
    run.assert_ok();
    let line = stub
        .lines()
        .position(|l| l.starts_with("summary = "))
        .expect("a summary line")
        + 1;
    run.assert_error_line(&format!(
        "content/copper-deal.md:{line}:12: warning: placeholder text of `impress new` is left in the report"
    ));

    // Only the FAQ is left: still a warning, at the FAQ.
    let mut written = stub.clone();
    for (from, to) in [
        ("The core takeaway in one or two sentences.", "Copper is scarce."),
        ("tags = [\"example\"]", "tags = [\"copper\"]"),
        (
            "{ name = \"Source name\", url = \"https://example.com/story\" }",
            "{ name = \"Wire\", url = \"https://example.org/x\" }",
        ),
        ("What this echoes, and how that played out.", "The 2010 squeeze."),
        ("What a reader should take away.", "Prices rise."),
        ("Why this score.", "Supply is thin."),
        ("What happens in this domain.", "Miners rally."),
        ("What they should do.", "Review exposure."),
        (
            "\"First consequence\", \"Second consequence\"",
            "\"Scarcity\", \"Prices\"",
        ),
        ("What the ticker is", "S&P 500"),
        ("Why it is the chart to watch", "The market's mood"),
        ("The next date or event to watch", "The June auction"),
        ("What would mark a lasting shift", "New mines"),
        ("The full analysis, in Markdown.", "Copper is scarce, and here is why."),
    ] {
        written = written.replace(from, to);
    }
    fs::write(&path, &written).unwrap();
    let run = site.run(&["check", "--future"]);
    run.assert_ok();
    run.assert_stderr_contains(
        "placeholder text of `impress new` is left in the report: `A question readers ask?` and 1 more",
    );

    fs::write(
        &path,
        written
            .replace("A question readers ask?", "Why now?")
            .replace("Its answer.", "Because."),
    )
    .unwrap();
    let run = site.run(&["check", "--future"]);
    run.assert_ok();
    assert!(!run.stderr.contains("placeholder"), "{}", run.stderr);
}

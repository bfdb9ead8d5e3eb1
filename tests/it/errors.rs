//! Bad input: exit code 1, every problem on stderr as `path:line:col: error: message`
//! (lines of the file, the opening `+++` is line 1, columns in characters, paths relative
//! to the site root), nothing written, and the previous output left whole.

use std::fs;

use crate::support::*;

/// A report file from front-matter lines, numbered from line 2 (line 1 is `+++`).
fn front(lines: &str) -> String {
    format!("+++\n{lines}\n+++\n")
}

const OK: &str = "title = \"T\"\ndate = 2025-03-01\nsummary = \"S\"";

/// Builds a site with one bad file next to a good one and expects exit code 1.
fn failing_build(path: &str, text: &str) -> (SiteTest, Run) {
    let site = SiteTest::new();
    site.write("content/good.md", report("Good", "2025-03-01"));
    site.write(path, text);
    let run = site.try_build(&[]);
    run.assert_failed();
    (site, run)
}

/// Builds a good site, then adds one bad file: the build fails with exit code 1 and the
/// previous output is left as it was.
#[track_caller]
fn failing_rebuild(path: &str, text: &str) -> (SiteTest, Run) {
    let site = SiteTest::new();
    site.write("content/good.md", report("Good", "2025-03-01"));
    site.build();
    let before = output_tree(&site.public());
    site.write(path, text);
    let run = site.try_build(&[]);
    run.assert_failed();
    assert_eq!(output_tree(&site.public()), before, "the previous output is untouched");
    (site, run)
}

#[test]
fn an_unknown_front_matter_key_is_named_with_a_suggestion() {
    let (_, run) = failing_build("content/a.md", &front(&format!("{OK}\nsumary = \"typo\"")));
    run.assert_error_line("content/a.md:5:1: error: unknown field `sumary`, did you mean `summary`?");
}

#[test]
fn an_unknown_key_inside_a_table_is_named_with_a_suggestion() {
    let (_, run) = failing_build(
        "content/a.md",
        &front(&format!("{OK}\n\n[[scores]]\narea = \"Energy\"\nscroe = 5")),
    );
    run.assert_error_line("content/a.md:8:1: error: unknown field `scroe` in `[[scores]]`, did you mean `score`?");
}

#[test]
fn a_score_above_ten_is_an_error_at_its_line() {
    let (_, run) = failing_build(
        "content/a.md",
        &front(&format!("{OK}\n\n[[scores]]\narea = \"Energy\"\nscore = 11")),
    );
    run.assert_error_line("content/a.md:8:9: error: a score must be a whole number from 1 to 10, found `11`");
}

#[test]
fn a_fractional_score_is_an_error_at_its_line() {
    let (_, run) = failing_build(
        "content/a.md",
        &front(&format!(
            "{OK}\n\n[[scores]]\narea = \"Energy\"\nrationale = \"Why\"\nscore = 7.5"
        )),
    );
    run.assert_error_line("content/a.md:9:9: error: a score must be a whole number from 1 to 10, found `7.5`");
}

#[test]
fn a_score_of_zero_is_an_error() {
    let (_, run) = failing_build(
        "content/a.md",
        &front(&format!("{OK}\n\n[[scores]]\narea = \"Energy\"\nscore = 0")),
    );
    run.assert_error_line("content/a.md:8:9: error: a score must be a whole number from 1 to 10, found `0`");
}

#[test]
fn a_duplicate_slug_names_both_files() {
    let site = SiteTest::new();
    site.write("content/one.md", report("One", "2025-03-01").keys("slug = \"same\""));
    site.write("content/two.md", report("Two", "2025-03-02").keys("slug = \"same\""));
    let run = site.try_build(&[]);
    run.assert_failed();
    assert!(
        run.error_lines()
            .iter()
            .any(|l| l.contains("content/one.md") && l.contains("content/two.md") && l.contains("`same`")),
        "one error names the slug and both files:\n{}",
        run.stderr
    );
}

#[test]
fn a_file_stem_equal_to_another_reports_slug_is_a_duplicate() {
    let site = SiteTest::new();
    site.write("content/2025/same.md", report("One", "2025-03-01"));
    site.write("content/2026/same.md", report("Two", "2025-03-02"));
    let run = site.try_build(&[]);
    run.assert_failed();
    assert!(
        run.error_lines()
            .iter()
            .any(|l| l.contains("content/2025/same.md") && l.contains("content/2026/same.md")),
        "{}",
        run.stderr
    );
}

#[test]
fn front_matter_that_is_never_closed_is_an_error() {
    let (_, run) = failing_build("content/a.md", &format!("+++\n{OK}\n\nBody text.\n"));
    run.assert_error_line("content/a.md:1:1: error: the front matter opened here is never closed");
}

#[test]
fn a_file_without_front_matter_is_an_error() {
    let (_, run) = failing_build("content/a.md", "# Just Markdown\n");
    run.assert_error_line("content/a.md:1:1: error: the file does not start with `+++` front matter");
}

#[test]
fn missing_required_fields_are_each_named() {
    let (_, run) = failing_build("content/a.md", &front("authors = [\"Desk\"]"));
    for field in ["title", "date", "summary"] {
        assert!(
            run.error_lines()
                .iter()
                .any(|l| l.starts_with("content/a.md:1:1: error: ") && l.contains(&format!("`{field}`"))),
            "no error names `{field}`:\n{}",
            run.stderr
        );
    }
}

#[test]
fn an_invalid_slug_is_an_error_at_its_position() {
    let (_, run) = failing_build("content/a.md", &front(&format!("{OK}\nslug = \"../etc\"")));
    run.assert_error_line("content/a.md:5:8: error: slug `../etc` is not a single URL segment");
}

#[test]
fn a_file_name_with_spaces_and_capitals_gets_a_slug() {
    // Issue 9: what Zola or Hugo would do, rather than an error.
    let site = SiteTest::new();
    site.write("content/My Report 2025.md", report("Mine", "2025-03-01"));
    site.build();
    let page = site.page("reports/my-report-2025/");
    assert!(main_text(&page).contains("Mine"));
}

#[test]
fn readme_and_underscore_files_in_content_are_not_reports() {
    // Issue 9: a README.md that explains the folder made the build fail (no `+++`).
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-03-01"));
    site.write("content/README.md", "# How we file reports\n\nOne file per report.\n");
    site.write("content/2025/readme.md", "Notes.\n");
    site.write("content/_template.md", "+++\ntitle = \"Copy me\"\n+++\n");
    let run = site.build();
    assert!(run.stdout.starts_with("built 1 report,"), "{}", run.stdout);
    assert!(!site.exists("reports/readme/"));
    assert!(!site.exists("reports/template/"));
    assert!(!site.exists("reports/_template/"));
}

#[test]
fn a_file_name_without_letters_or_digits_is_an_error_with_help() {
    let (_, run) = failing_build("content/---.md", &front(OK));
    run.assert_error_line(
        "content/---.md: error: the file name `---` has no letters or digits to make a URL slug from",
    );
    run.assert_stderr_contains("add `slug = \"...\"` to the front matter, or rename the file");
}

#[test]
fn a_term_with_an_empty_slug_is_an_error() {
    let (_, run) = failing_build("content/a.md", &front(&format!("{OK}\ntags = [\"ok\", \"+++\"]")));
    run.assert_error_line("content/a.md:5:15: error: tag `+++` has no letters or digits to make a URL from");
}

#[test]
fn columns_count_characters_not_bytes() {
    let (_, run) = failing_build("content/a.md", &front(&format!("{OK}\ntags = [\"Économie\", \"+++\"]")));
    run.assert_error_line("content/a.md:5:21: error: tag `+++` has no letters or digits");
}

#[test]
fn positions_are_right_with_windows_line_endings() {
    let text = front(&format!("{OK}\nsumary = \"typo\"")).replace('\n', "\r\n");
    let (_, run) = failing_build("content/a.md", &text);
    run.assert_error_line("content/a.md:5:1: error: unknown field `sumary`, did you mean `summary`?");
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let site = SiteTest::new();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(report("With BOM", "2025-03-01").to_string().as_bytes());
    site.write_bytes("content/bom.md", &bytes);
    site.build();
    assert!(site.exists("reports/bom/"));
}

#[test]
fn a_file_that_is_not_utf8_is_an_error() {
    let site = SiteTest::new();
    site.write_bytes("content/latin1.md", b"+++\ntitle = \"Caf\xE9\"\n+++\n");
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("content/latin1.md:2:");
    run.assert_stderr_contains("not valid UTF-8");
}

#[test]
fn a_bad_ticker_is_an_error_at_its_position() {
    let (_, run) = failing_build("content/a.md", &front(&format!("{OK}\ntickers = [\"toolong\"]")));
    run.assert_error_line("content/a.md:5:12: error: `toolong` is not a ticker");
}

#[test]
fn a_source_url_that_is_not_http_is_an_error() {
    let (_, run) = failing_build(
        "content/a.md",
        &front(&format!(
            "{OK}\nsource = {{ name = \"x\", url = \"javascript:alert(1)\" }}"
        )),
    );
    run.assert_error_line("content/a.md:5:30: error: the source URL must start with http:// or https://");
}

#[test]
fn a_date_that_is_not_a_date_is_an_error_at_its_line() {
    let (_, run) = failing_build(
        "content/a.md",
        &front("title = \"T\"\ndate = \"last tuesday\"\nsummary = \"S\""),
    );
    assert!(
        run.error_lines().iter().any(|l| l.starts_with("content/a.md:3:")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_key_after_a_table_belongs_to_the_table_and_is_reported() {
    // FORMAT.md: top-level keys come before the first table; `category` written after
    // [[stakeholders]] is a key of the stakeholder, which has no such field.
    let (_, run) = failing_build(
        "content/a.md",
        &front(&format!(
            "{OK}\n\n[[stakeholders]]\nwho = \"Investors\"\naction = \"Act\"\ncategory = \"Markets\""
        )),
    );
    run.assert_error_line(
        "content/a.md:9:1: error: `category` landed inside `[[stakeholders]]`, which has no such field",
    );
    run.assert_stderr_contains(
        "help: a key written after a table header belongs to that table: move `category` above the first table (`[[stakeholders]]` on line 6)",
    );
}

#[test]
fn a_key_after_next_says_where_it_landed_and_never_suggests_itself() {
    // Issue 9: "unknown field `authors`, did you mean `authors`?".
    let text = front(&format!(
        "{OK}

[[scores]]
area = \"Energy\"
score = 5

[next]
milestone = \"Vote\"
authors = [\"Desk\"]"
    ));
    let (_, run) = failing_rebuild("content/a.md", &text);
    run.assert_error_line("content/a.md:12:1: error: `authors` landed inside `[next]`, which has no such field");
    run.assert_stderr_contains(
        "help: a key written after a table header belongs to that table: move `authors` above the first table (`[[scores]]` on line 6)",
    );
    assert!(!run.stderr.contains("did you mean `authors`"), "{}", run.stderr);
    assert_eq!(run.error_lines().len(), 1, "{}", run.stderr);
}

#[test]
fn a_typo_inside_a_table_is_matched_against_that_tables_fields() {
    // `summry` in [next] is not `summary`: only `milestone` and `signal` are valid there.
    let (_, run) = failing_build(
        "content/a.md",
        &front(&format!(
            "{OK}

[next]
signl = \"x\"
summry = \"y\""
        )),
    );
    run.assert_error_line("content/a.md:7:1: error: unknown field `signl` in `[next]`, did you mean `signal`?");
    run.assert_error_line("content/a.md:8:1: error: unknown field `summry` in `[next]`");
    assert!(!run.stderr.contains("did you mean `summary`"), "{}", run.stderr);
    // ... but a top-level key may be what was meant, in the wrong place.
    run.assert_stderr_contains(
        "help: if you meant `summary`, it goes above the first table (`[next]` on line 6): a key written after a table header belongs to that table",
    );
}

#[test]
fn every_error_of_a_file_is_listed_in_file_order() {
    // Issue 9: `rationle` on one line and a bad key far below it: both, in file order,
    // with the report's own rules (scores) still checked between them.
    let text = front(&format!(
        "{OK}
sumary = \"typo\"
title_image = \"map.png\"

[[scores]]
area = \"Energy\"
score = 7
rationle = \"Why\"

[[scores]]
area = \"Trade\"
score = 11

[[glance]]
domain = \"Markets\"
text = 5

[next]
milestne = \"Vote\""
    ));
    let (_, run) = failing_rebuild("content/a.md", &text);
    let want = [
        "content/a.md:5:1: error: unknown field `sumary`, did you mean `summary`?",
        "content/a.md:6:1: error: unknown field `title_image`",
        "content/a.md:11:1: error: unknown field `rationle` in `[[scores]]`, did you mean `rationale`?",
        "content/a.md:15:9: error: a score must be a whole number from 1 to 10, found `11`",
        "content/a.md:19:8: error: `text` must be a string, found integer `5`",
        "content/a.md:22:1: error: unknown field `milestne` in `[next]`, did you mean `milestone`?",
    ];
    assert_eq!(run.error_lines(), want, "{}", run.stderr);
    run.assert_stderr_contains("6 errors");
}

#[test]
fn a_quoted_date_says_drop_the_quotes() {
    let (_, run) = failing_rebuild(
        "content/a.md",
        &front("title = \"T\"\ndate = \"2025-10-09\"\nsummary = \"S\""),
    );
    run.assert_error_line("content/a.md:3:8: error: `date` is written as a string: drop the quotes");
    run.assert_stderr_contains("help: write `date = 2025-10-09`: TOML reads a date without quotes");
    assert_eq!(
        run.error_lines().len(),
        1,
        "no second error about a missing date:\n{}",
        run.stderr
    );
}

#[test]
fn a_date_in_another_form_shows_the_accepted_forms() {
    let (_, run) = failing_rebuild(
        "content/a.md",
        &front("title = \"T\"\ndate = 09/10/2025\nsummary = \"S\""),
    );
    run.assert_error_line("content/a.md:3:8: error: `date` must be a date, found `09/10/2025`");
    run.assert_stderr_contains(
        "help: write a date as 2025-10-09, or a date-time as 2025-10-09T08:00:00Z or 2025-10-09T08:00:00+02:00 (no quotes)",
    );
    assert!(
        !run.stderr.contains("must be quoted"),
        "toml's advice would add quotes:\n{}",
        run.stderr
    );
}

#[test]
fn an_update_before_the_date_is_an_error() {
    let (_, run) = failing_rebuild(
        "content/a.md",
        &front("title = \"T\"\ndate = 2025-10-09\nupdated = 2025-10-01T08:00:00Z\nsummary = \"S\""),
    );
    run.assert_error_line(
        "content/a.md:4:11: error: `updated` (2025-10-01T08:00:00Z) is earlier than `date` (2025-10-09)",
    );
}

#[test]
fn every_broken_report_is_listed_in_one_run() {
    let site = SiteTest::new();
    site.write("content/a.md", front(&format!("{OK}\nsumary = \"typo\"")));
    site.write(
        "content/b.md",
        front(&format!("{OK}\n\n[[scores]]\narea = \"X\"\nscore = 11")),
    );
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("content/a.md:5:1: error: unknown field `sumary`");
    run.assert_error_line("content/b.md:8:9: error: a score must be a whole number from 1 to 10");
}

#[test]
fn an_unknown_config_key_is_named() {
    let site = SiteTest::new();
    site.write("config.toml", format!("paginat = 3\n{CONFIG}"));
    site.write("content/a.md", report("A", "2025-03-01"));
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("config.toml:1:1: error: unknown field `paginat`, did you mean `paginate`?");
}

#[test]
fn an_unknown_key_in_the_feed_table_is_named() {
    let site = SiteTest::new();
    site.write("config.toml", format!("{CONFIG}limt = 5\n"));
    site.write("content/a.md", report("A", "2025-03-01"));
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("config.toml:11:1: error: unknown field `limt` in `[feed]`, did you mean `limit`?");
}

#[test]
fn a_paginate_of_zero_is_an_error() {
    let site = SiteTest::new();
    site.write("config.toml", CONFIG.replace("paginate = 10", "paginate = 0"));
    site.write("content/a.md", report("A", "2025-03-01"));
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("config.toml:6:12: error: `paginate` must be a whole number of at least 1, found `0`");
}

#[test]
fn an_unknown_theme_is_an_error() {
    let site = SiteTest::new();
    site.write("config.toml", CONFIG.replace("theme = \"default\"", "theme = \"nope\""));
    site.write("content/a.md", report("A", "2025-03-01"));
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("config.toml:5:1: error: unknown theme `nope`");
}

#[test]
fn a_missing_config_is_an_error() {
    let site = SiteTest::empty();
    site.write("content/a.md", report("A", "2025-03-01"));
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("config.toml: error: ");
}

#[test]
fn a_bad_base_url_flag_is_an_error() {
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-03-01"));
    let run = site.try_build(&["--base-url", "example.com/sub"]);
    assert_eq!(run.code, 2, "a bad flag is a usage error\n{}", run.stderr);
    run.assert_stderr_contains("http");
    assert!(!site.public().exists());
}

#[test]
fn a_usage_error_exits_with_code_2() {
    let site = SiteTest::new();
    let run = site.run(&["build", "--no-such-flag"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn a_template_syntax_error_names_the_site_template_and_line() {
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-03-01"));
    site.write(
        "templates/home.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ reports | length }</p>\n{% endblock %}\n",
    );
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("templates/home.html:3:");
    run.assert_stderr_contains("syntax error");
}

#[test]
fn a_template_runtime_error_names_the_site_template() {
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-03-01"));
    site.write(
        "templates/home.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ no_such_variable.field }}</p>\n{% endblock %}\n",
    );
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("templates/home.html:3:");
}

#[test]
fn a_typo_with_no_match_lists_the_fields_of_its_table() {
    let (_, run) = failing_build("content/a.md", &front(&format!("{OK}\n\n[next]\ncolour = \"x\"")));
    run.assert_error_line("content/a.md:7:1: error: unknown field `colour` in `[next]`");
    run.assert_stderr_contains("help: the fields here are `milestone`, `signal`");
}

#[test]
fn a_top_level_typo_after_a_table_says_where_it_belongs() {
    let site = SiteTest::new();
    site.write("config.toml", format!("{CONFIG}tittle = \"x\"\n"));
    site.write("content/a.md", report("A", "2025-03-01"));
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("config.toml:11:1: error: unknown field `tittle` in `[feed]`");
    run.assert_stderr_contains(
        "help: if you meant `title`, it goes above the first table (`[feed]` on line 9): a key written after a table header belongs to that table",
    );
}

/// Builds a good site, then replaces `templates/report.html`: the build fails with exit
/// code 1 and the previous output is left as it was.
#[track_caller]
fn failing_template(report_html: &str) -> Run {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("A", "2025-03-01").score("Energy", 7).score("Trade", 4),
    );
    site.write("content/b.md", report("B", "2025-03-02"));
    site.build();
    let before = output_tree(&site.public());
    site.write("templates/report.html", report_html);
    let run = site.try_build(&[]);
    run.assert_failed();
    assert_eq!(output_tree(&site.public()), before, "the previous output is untouched");
    run
}

#[test]
fn an_undefined_field_names_the_expression_its_position_the_page_and_the_nearest_field() {
    // Issue 9: this said "undefined value" at column 1.
    let run = failing_template(
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ report.sumary }}</p>\n{% endblock %}\n",
    );
    let lines = run.error_lines();
    assert_eq!(
        lines,
        ["templates/report.html:3:7: error: `report.sumary` is undefined, did you mean `report.summary`?"],
        "one error for the template, not one per page:\n{}",
        run.stderr
    );
    run.assert_stderr_contains("<p>{{ report.sumary }}</p>\n  |       ^");
    run.assert_stderr_contains(
        "help: while rendering the page `/reports/a/` (from content/a.md); the same on 1 more page",
    );
}

#[test]
fn an_undefined_field_of_a_loop_variable_is_matched_against_the_loop_items() {
    let run = failing_template(
        "{% extends \"base.html\" %}\n{% block content %}\n{% for s in report.scores %}\n  <p>{{ s.are | upper }}</p>\n{% endfor %}\n{% endblock %}\n",
    );
    run.assert_error_line("templates/report.html:4:9: error: `s.are` is undefined, did you mean `s.area`?");
}

#[test]
fn an_unclosed_if_names_the_line_of_the_opening_tag() {
    let run = failing_template(
        "{% extends \"base.html\" %}\n{% block content %}\n{% if report.title %}\n<p>{{ report.title }}</p>\n\n{% endblock %}\n",
    );
    run.assert_error_line("templates/report.html:3:1: error: `{% if %}` is never closed");
    run.assert_stderr_contains(
        "help: add `{% endif %}` where its content ends (minijinja stopped at line 6: unknown statement endblock)",
    );
}

#[test]
fn check_fails_with_the_same_errors_as_build() {
    let site = SiteTest::new();
    site.write("content/a.md", front(&format!("{OK}\nsumary = \"typo\"")));
    let run = site.run(&["check"]);
    run.assert_failed();
    run.assert_error_line("content/a.md:5:1: error: unknown field `sumary`, did you mean `summary`?");
}

#[test]
fn a_failed_build_leaves_the_previous_output_whole() {
    let site = SiteTest::new();
    site.write("content/a.md", report("First good build", "2025-03-01"));
    site.build();
    let old_index = site.read("");
    assert!(old_index.contains("First good build"));
    site.write("public/sentinel.txt", "left by a test");
    site.write("public/reports/a/sentinel.txt", "deep sentinel");

    site.write("content/a.md", front(&format!("{OK}\nsumary = \"typo\"")));
    site.write("content/b.md", report("Second build", "2025-03-02"));
    let run = site.try_build(&[]);
    run.assert_failed();

    assert_eq!(site.read("sentinel.txt"), "left by a test");
    assert_eq!(site.read("reports/a/sentinel.txt"), "deep sentinel");
    assert_eq!(site.read(""), old_index, "the old home page is untouched");
    assert!(!site.exists("reports/b/"), "nothing of the failed build is written");
    let leftovers: Vec<_> = fs::read_dir(site.root())
        .expect("list site")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("impress-") && n != ".impress-cache")
        .collect();
    assert!(leftovers.is_empty(), "staging folders left behind: {leftovers:?}");
}

#[test]
fn a_template_error_leaves_the_previous_output_whole() {
    let site = SiteTest::new();
    site.write("content/a.md", report("Good", "2025-03-01"));
    site.build();
    let old_index = site.read("");
    site.write("public/sentinel.txt", "kept");
    site.write(
        "templates/report.html",
        "{% extends \"base.html\" %}{% block content %}{{ report.nope.deeper }}{% endblock %}",
    );
    let run = site.try_build(&[]);
    run.assert_failed();
    assert_eq!(site.read("sentinel.txt"), "kept");
    assert_eq!(site.read(""), old_index);
}

#[test]
fn a_folder_impress_did_not_make_is_never_replaced() {
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-03-01"));
    site.write("public/precious.txt", "not made by impress");
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_stderr_contains("public");
    assert_eq!(site.read("precious.txt"), "not made by impress");
    assert!(!site.exists(""), "nothing was built over it");
}

#[test]
fn building_into_the_content_folder_is_refused() {
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-03-01"));
    let out = site.root().join("content").join("out");
    let run = site.try_build(&["--output", out.to_str().expect("utf-8 path")]);
    run.assert_failed();
    assert!(!out.exists());
}

#[test]
fn a_syntax_error_in_a_partial_names_the_partial() {
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-03-01"));
    site.write(
        "templates/macros.html",
        "{% macro x() %}\n{{ oops( }}\n{% endmacro %}\n",
    );
    let run = site.try_build(&[]);
    run.assert_failed();
    run.assert_error_line("templates/macros.html:2:");
}

#[test]
fn an_empty_summary_is_an_error() {
    let (_, run) = failing_build(
        "content/a.md",
        &front("title = \"T\"\ndate = 2025-03-01\nsummary = \"  \""),
    );
    run.assert_error_line("content/a.md:1:1: error: `summary` must not be empty");
}

#[test]
fn a_stylesheet_that_cannot_be_parsed_is_named_with_its_line_and_column() {
    let (_, run) = failing_rebuild(
        "static/custom.css",
        ".a { color: red; }\n/* fine so far */\n.c { width: calc(; }\n",
    );
    run.assert_error_line("static/custom.css:3:20: error: cannot minify this stylesheet");
}

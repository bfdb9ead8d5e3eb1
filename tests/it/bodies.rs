//! What happens to a body on its way to the page that a writer would not guess: raw HTML
//! left out (with a warning), Windows line endings.

use crate::support::*;

const HTML_BODY: &str = "Intro.\n\n<div class=\"box\">\nBoxed.\n</div>\n\nSay <b>bold</b>.\n";

#[test]
fn raw_html_left_out_is_a_warning_once_per_file_with_its_line_and_the_setting() {
    // Issue 9: raw HTML vanished from the page without a word.
    let site = SiteTest::new();
    site.write("content/a.md", report("A", "2025-03-01").body(HTML_BODY));
    site.write("content/b.md", report("B", "2025-03-02").body("No HTML here.\n"));
    let run = site.build();
    // "+++", three keys, "+++", a blank line, then the body: the <div> is on line 9.
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains(": warning: ")).collect();
    assert_eq!(
        warnings,
        ["content/a.md:9:1: warning: raw HTML `<div class=\"box\">` is left out of the page (and 1 more in this file)"],
        "{}",
        run.stderr
    );
    run.assert_stderr_contains(
        "help: raw HTML in a body is dropped unless config.toml has `unsafe_html = true` under `[markdown]`",
    );
    assert!(!main_text(&site.page("reports/a/full/")).contains("Boxed"));

    let check = site.run(&["check"]);
    check.assert_ok();
    assert!(
        check.stderr.contains("content/a.md:9:1: warning: raw HTML"),
        "{}",
        check.stderr
    );
}

#[test]
fn raw_html_kept_by_the_setting_is_not_warned_about() {
    let site = SiteTest::new();
    site.write("config.toml", format!("{CONFIG}\n[markdown]\nunsafe_html = true\n"));
    site.write("content/a.md", report("A", "2025-03-01").body(HTML_BODY));
    let run = site.build();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert!(main_text(&site.page("reports/a/full/")).contains("Boxed"));
}

#[test]
fn an_html_comment_is_not_warned_about() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("A", "2025-03-01").body("<!-- note to the desk -->\n\nText.\n"),
    );
    let run = site.build();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn windows_line_endings_leave_no_carriage_return_in_code_and_positions_stay_right() {
    // Issue 9: fenced code kept a `\r` at the end of each line.
    let site = SiteTest::new();
    let text = report("Windows", "2025-03-01")
        .body("Intro.\n\n```\nlet a = 1;\nlet b = 2;\n```\n\n<span>x</span>\n")
        .to_string()
        .replace('\n', "\r\n");
    site.write("content/w.md", text);
    let run = site.build();
    let page = site.page("reports/w/full/");
    let code: Vec<String> = select(&page, "main pre code")
        .into_iter()
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(code, ["let a = 1;\nlet b = 2;\n"], "{code:?}");
    assert!(!site.read("reports/w/full/").contains('\r'));
    // The body starts on line 7; the <span> is on line 14, column 1.
    assert!(
        run.stderr
            .contains("content/w.md:14:1: warning: raw HTML `<span>` is left out of the page"),
        "{}",
        run.stderr
    );
}

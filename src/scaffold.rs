//! `impress init` (a new site) and `impress new` (a new report with every field stubbed).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::routes::slugify;
use crate::templates::DEFAULT_THEME;

fn io_error(path: &Path, what: &str, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(path, format!("cannot {what}: {e}"))
}

fn write_new(path: &Path, text: &str) -> Result<(), Diagnostic> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| io_error(parent, "create the folder", e))?;
    }
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| io_error(path, "create the file", e))?;
    f.write_all(text.as_bytes()).map_err(|e| io_error(path, "write", e))
}

/// The front matter of a new report with every field stubbed.
pub fn report_stub(title: &str, date: &str) -> String {
    let title = toml::Value::String(title.to_string()).to_string();
    format!(
        r#"+++
title = {title}
date = {date}
draft = true
authors = ["Research Desk"]
summary = "The core takeaway in one or two sentences."
category = "Markets"
tags = ["example"]
tickers = []
source = {{ name = "Source name", url = "https://example.com/story" }}
historical_context = "What this echoes, and how that played out."
primary_impact = "Global Supply Chains"
ripple_effects = ["Geopolitical Relations"]
bottom_line = ["What a reader should take away."]

[[scores]]
area = "Global Supply Chains"
score = 5
rationale = "Why this score."

[[glance]]
domain = "Markets"
text = "What happens in this domain."

[[stakeholders]]
who = "Investors"
action = "What they should do."

[[chains]]
steps = ["First consequence", "Second consequence", "Third consequence"]

[chart]
ticker = "SPY"
label = "What the ticker is"
why = "Why it is the chart to watch"
compare = []

[next]
milestone = "The next date or event to watch"
signal = "What would mark a lasting shift"

[[faq]]
q = "A question readers ask?"
a = "Its answer."
+++

## What happened

The full analysis, in Markdown.
"#
    )
}

/// Writes `content/<slug>.md` under `root`; never overwrites.
pub fn new_report(root: &Path, title: &str, date: &str) -> Result<PathBuf, Diagnostic> {
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(Diagnostic::error(
            "content",
            format!("the title `{title}` has no letters or digits to make a file name from"),
        ));
    }
    let rel = PathBuf::from("content").join(format!("{slug}.md"));
    let path = root.join(&rel);
    if path.exists() {
        return Err(Diagnostic::error(
            &rel,
            "a report with this file name already exists; choose another title",
        ));
    }
    write_new(&path, &report_stub(title, date))?;
    Ok(rel)
}

/// Makes a new site in `dir`, which must not exist or be empty.
pub fn init_site(dir: &Path, date: &str) -> Result<(), Diagnostic> {
    if dir.exists()
        && fs::read_dir(dir)
            .map_err(|e| io_error(dir, "read", e))?
            .next()
            .is_some()
    {
        return Err(Diagnostic::error(
            dir,
            "the folder is not empty; choose a new or empty folder",
        ));
    }
    write_new(
        &dir.join("config.toml"),
        r#"title = "Impact Reports"
base_url = "https://example.com/"
description = "Quick reads and full analyses of the news that moves markets."
language = "en"
theme = "default"
paginate = 10
disclaimer = "For informational purposes only. Not investment advice."

[feed]
limit = 20
"#,
    )?;
    let stub = report_stub("Our first report", date).replace("draft = true", "draft = false");
    write_new(&dir.join("content/our-first-report.md"), &stub)?;
    write_new(
        &dir.join("content/pages/about.md"),
        "+++\ntitle = \"About\"\ndescription = \"Who we are.\"\n+++\n\nWho writes these reports, and how.\n",
    )?;
    fs::create_dir_all(dir.join("static")).map_err(|e| io_error(dir, "create static/", e))?;
    copy_theme(&DEFAULT_THEME, &dir.join("themes/default"))
}

fn copy_theme(d: &include_dir::Dir<'_>, to: &Path) -> Result<(), Diagnostic> {
    for entry in d.entries() {
        match entry {
            include_dir::DirEntry::Dir(sub) => copy_theme(sub, to)?,
            include_dir::DirEntry::File(f) => write_new(&to.join(f.path()), &String::from_utf8_lossy(f.contents()))?,
        }
    }
    Ok(())
}

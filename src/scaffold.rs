//! `impress init` (a new site), `impress new` (a new report with every field stubbed),
//! `impress theme eject` (the built-in theme copied into the site), and the placeholder
//! warnings of `impress check` (the stub's text left in a report).

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::frontmatter::split_front_matter;
use crate::load::{list_sources, read_source};
use crate::report::validate_report;
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

/// The stub's text that a writer is meant to replace. `check` warns about each report
/// that still holds one (a unit test keeps this list and [`report_stub`] in step).
const PLACEHOLDERS: [&str; 16] = [
    "The core takeaway in one or two sentences.",
    "tags = [\"example\"]",
    "{ name = \"Source name\", url = \"https://example.com/story\" }",
    "What this echoes, and how that played out.",
    "What a reader should take away.",
    "Why this score.",
    "What happens in this domain.",
    "What they should do.",
    "\"First consequence\", \"Second consequence\"",
    "What the ticker is",
    "Why it is the chart to watch",
    "The next date or event to watch",
    "What would mark a lasting shift",
    "A question readers ask?",
    "Its answer.",
    "The full analysis, in Markdown.",
];

/// A new report with every field stubbed, as a draft: the fields a writer may leave out
/// (`updated`, `slug`) are there commented out, so that they are found.
pub fn report_stub(title: &str, date: &str) -> String {
    let slug = slugify(title);
    let title = toml::Value::String(title.to_string()).to_string();
    // The stub's text lives beside this file: `{title}`, `{date}` and `{slug}` are filled in.
    // The title last: it is the writer's text and may hold anything, braces included.
    include_str!("report_stub.md")
        .replace("{date}", date)
        .replace("{slug}", &slug)
        .replace("{title}", &title)
}

/// The slug of every report under `content/` (plain pages aside), drafts and reports
/// that do not validate included: the `slug` of its front matter, else its file name.
fn used_slugs(root: &Path) -> Result<Vec<(String, PathBuf)>, Diagnostic> {
    let mut used = Vec::new();
    for rel in list_sources(root)? {
        if rel.starts_with("content/pages") {
            continue;
        }
        let explicit = fs::read_to_string(root.join(&rel)).ok().and_then(|text| {
            let split = split_front_matter(&rel, &text).ok()?;
            let table: toml::Table = toml::from_str(split.front).ok()?;
            table.get("slug")?.as_str().map(str::to_owned)
        });
        let slug = explicit.unwrap_or_else(|| {
            rel.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        used.push((slug, rel));
    }
    Ok(used)
}

/// The folder under `content/` that `new --dir` names: relative, inside `content/`, not
/// among the plain pages. `content/markets` and `markets` are the same folder.
fn report_folder(dir: Option<&Path>) -> Result<PathBuf, Diagnostic> {
    let content = PathBuf::from("content");
    let Some(dir) = dir else { return Ok(content) };
    let dir = dir.strip_prefix("content").unwrap_or(dir);
    let plain = dir
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !plain {
        return Err(Diagnostic::error(
            dir,
            "--dir names a folder inside content/, such as `markets` or `2025/energy`",
        ));
    }
    let folder = content.join(dir);
    if folder.starts_with("content/pages") {
        return Err(Diagnostic::error(
            &folder,
            "content/pages/ holds plain pages, not reports; choose another folder",
        ));
    }
    Ok(folder)
}

/// Writes `content/[<dir>/]<slug>.md` under `root`. Never overwrites, and refuses a slug
/// that any report already has (drafts included): two reports with one slug would not
/// build.
pub fn new_report(root: &Path, title: &str, date: &str, dir: Option<&Path>) -> Result<PathBuf, Diagnostic> {
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(Diagnostic::error(
            "content",
            format!("the title `{title}` has no letters or digits to make a file name from"),
        ));
    }
    let folder = report_folder(dir)?;
    if let Some((_, path)) = used_slugs(root)?.into_iter().find(|(s, _)| *s == slug) {
        return Err(Diagnostic::error(
            &path,
            format!("a report with the slug `{slug}` already exists; choose another title"),
        ));
    }
    let rel = folder.join(format!("{slug}.md"));
    let path = root.join(&rel);
    if path.exists() {
        return Err(Diagnostic::error(
            &rel,
            "a file with this name already exists; choose another title",
        ));
    }
    write_new(&path, &report_stub(title, date))?;
    Ok(rel)
}

/// One warning for each report built with `opts` whose text still holds placeholder text
/// of [`report_stub`], at the first one.
pub fn placeholder_warnings(opts: &crate::Options) -> Result<Vec<Diagnostic>, Diagnostic> {
    let mut warnings = Vec::new();
    for rel in list_sources(&opts.root)? {
        if rel.starts_with("content/pages") {
            continue;
        }
        let Ok(source) = read_source(&opts.root, &rel) else {
            // Unreadable files are the build's errors, not this check's.
            continue;
        };
        let mut found: Vec<(usize, &str)> = PLACEHOLDERS
            .iter()
            .filter_map(|p| source.text.find(p).map(|i| (i, *p)))
            .collect();
        if found.is_empty() {
            continue;
        }
        let Ok(meta) = validate_report(&source) else { continue };
        let built = (opts.drafts || !meta.draft) && (opts.future || meta.date <= opts.now);
        if !built {
            continue;
        }
        found.sort();
        let (offset, first) = found[0];
        let more = match found.len() - 1 {
            0 => String::new(),
            1 => " and 1 more".to_string(),
            n => format!(" and {n} more"),
        };
        warnings.push(
            Diagnostic::warning(
                &rel,
                format!("placeholder text of `impress new` is left in the report: `{first}`{more}"),
            )
            .at(&source.text, offset)
            .with_help("write the report's own text, or remove the field"),
        );
    }
    Ok(warnings)
}

/// May `impress init` write into `dir`? Only when nothing of a site can be in the way:
/// the folder is new, empty, or holds only what a freshly cloned repository holds (`.git`
/// and other dot files, a README, a LICENSE).
fn check_init_folder(dir: &Path) -> Result<(), Diagnostic> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir).map_err(|e| io_error(dir, "read", e))? {
        let entry = entry.map_err(|e| io_error(dir, "read", e))?;
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        let from_a_new_repo = name.starts_with('.') || name.starts_with("readme") || name.starts_with("license");
        if !from_a_new_repo {
            return Err(Diagnostic::error(
                dir,
                format!(
                    "the folder already holds `{}`; choose a new or empty folder",
                    entry.file_name().to_string_lossy()
                ),
            )
            .with_help("a folder that holds only `.git`, dot files, a README or a LICENSE is fine"));
        }
    }
    Ok(())
}

/// Makes a new site in `dir`: config.toml, a sample report (a draft), an about page,
/// `static/` and a `.gitignore` for the output. The site uses the theme built into
/// impress, so a newer impress brings its theme along; `with_theme` copies it into
/// `themes/default/` to edit (as `impress theme eject` does).
pub fn init_site(dir: &Path, date: &str, with_theme: bool) -> Result<(), Diagnostic> {
    check_init_folder(dir)?;
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
    write_new(
        &dir.join(SAMPLE_REPORT),
        &report_stub("Sample report: what a report holds", date),
    )?;
    write_new(
        &dir.join("content/pages/about.md"),
        "+++\ntitle = \"About\"\ndescription = \"Who we are.\"\n+++\n\nWho writes these reports, and how.\n",
    )?;
    fs::create_dir_all(dir.join("static")).map_err(|e| io_error(dir, "create static/", e))?;
    if !dir.join(".gitignore").exists() {
        write_new(&dir.join(".gitignore"), "/public/\n/.impress-cache/\n")?;
    }
    if with_theme {
        eject_theme(dir)?;
    }
    Ok(())
}

/// The sample report `impress init` writes.
pub const SAMPLE_REPORT: &str = "content/sample-report-what-a-report-holds.md";

/// Copies the built-in theme into `<root>/themes/default/`, where it wins over the
/// built-in one and can be edited. Refuses to overwrite a theme folder.
pub fn eject_theme(root: &Path) -> Result<PathBuf, Diagnostic> {
    let rel = PathBuf::from("themes/default");
    if root.join(&rel).exists() {
        return Err(Diagnostic::error(&rel, "the folder already exists; nothing was copied")
            .with_help("move it away first to copy a fresh theme"));
    }
    copy_theme(&DEFAULT_THEME, &root.join(&rel))?;
    Ok(rel)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_text_of_the_stub() {
        let stub = report_stub("A title", "2025-05-01");
        for p in PLACEHOLDERS {
            assert!(stub.contains(p), "{p}");
        }
    }

    #[test]
    fn new_takes_folders_inside_content_only() {
        let cases: [(&str, Option<&str>); 6] = [
            ("markets", Some("content/markets")),
            ("content/markets", Some("content/markets")),
            ("2025/energy", Some("content/2025/energy")),
            ("../elsewhere", None),
            ("/tmp", None),
            ("pages", None),
        ];
        for (dir, want) in cases {
            let got = report_folder(Some(Path::new(dir))).ok();
            assert_eq!(got.as_deref(), want.map(Path::new), "{dir}");
        }
    }
}

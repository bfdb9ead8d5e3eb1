//! Report aliases (FORMAT.md, "Newsroom"): an old path as written -> [`Alias`]; the
//! site's aliases checked against each other and every page; a redirect page for each.
//!
//! A redirect page is plain HTML made here rather than from a theme template: it has one
//! job (send the reader and crawlers on), and no theme should be able to break it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::cashtag::escape_html;
use crate::diagnostics::{Diagnostic, Position};
use crate::routes::{Route, Urls};
use crate::site::Site;

/// An old path of a report, below the site's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The path without its leading `/`: `2025/10/old-slug/` or `old.html`.
    pub path: String,
    /// Where it is written in the report's file.
    pub at: Position,
}

/// Checks an alias as written and returns its path below the site (no leading `/`; a
/// path that does not name an `.html` file ends with `/`), or why it cannot be one.
pub fn parse_alias(written: &str) -> Result<String, String> {
    let trimmed = written.trim();
    let path = trimmed.trim_start_matches('/');
    if path.is_empty() {
        return Err(format!(
            "alias `{trimmed}` is the site's home page: write the old path of the report, like `/2025/10/old-slug/`"
        ));
    }
    if trimmed.contains("://") {
        return Err(format!(
            "alias `{trimmed}` is a full URL: write the old path below the site, like `/2025/10/old-slug/`"
        ));
    }
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if segments.iter().any(|s| *s == ".." || *s == ".") {
        return Err(format!(
            "alias `{trimmed}` leaves the site: `.` and `..` are not allowed in an alias"
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~');
    if segments.iter().any(|s| s.is_empty() || !s.chars().all(allowed)) {
        return Err(format!(
            "alias `{trimmed}` is not a plain path: use letters, digits, `-`, `_`, `.` and `~` between single `/`"
        ));
    }
    let file = path.ends_with(".html") || path.ends_with(".htm");
    Ok(if file || path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    })
}

/// An error for every alias that is the path of a page of the site or of an earlier
/// alias (reports in the order of their files). Positions point at the alias.
pub(crate) fn alias_conflicts(site: &Site, routes: &[Route], root: &Path) -> Vec<Diagnostic> {
    let pages: HashMap<PathBuf, &Route> = routes
        .iter()
        .filter(|r| !matches!(r, Route::Alias { .. }))
        .map(|r| (r.output_file(), r))
        .collect();
    let mut reports: Vec<_> = site.reports.iter().filter(|r| !r.meta.aliases.is_empty()).collect();
    reports.sort_by(|a, b| a.meta.path.cmp(&b.meta.path));
    let mut seen: HashMap<PathBuf, &Path> = HashMap::new();
    let mut errors = Vec::new();
    for r in reports {
        let text = std::fs::read_to_string(root.join(&r.meta.path)).ok();
        for a in &r.meta.aliases {
            let file = Route::Alias { path: a.path.clone() }.output_file();
            let message = if let Some(page) = pages.get(&file) {
                format!(
                    "alias `/{}` is the path of a page of the site (`/{}`)",
                    a.path,
                    page.path()
                )
            } else if let Some(other) = seen.get(&file) {
                format!("alias `/{}` is already an alias of {}", a.path, other.display())
            } else {
                seen.insert(file, &r.meta.path);
                continue;
            };
            let mut d = Diagnostic::error(&r.meta.path, message)
                .at_line(text.as_deref(), a.at.line)
                .with_help("an alias must be a path nothing else of the site uses: drop it or change it");
            d.position = Some(a.at);
            errors.push(d);
        }
    }
    errors
}

/// The redirect page at an alias: a meta refresh to the report, its canonical URL, a
/// plain link for readers whose browser does not follow, and `noindex` for crawlers.
pub(crate) fn redirect_page(site: &Site, urls: &Urls, language: &str, alias: &str) -> Vec<u8> {
    let Some(r) = site.aliases.get(alias).map(|&i| &site.reports[i]) else {
        return Vec::new();
    };
    let to = urls.permalink(&Route::Report {
        slug: r.meta.slug.clone(),
    });
    let esc = |s: &str| {
        let mut out = String::new();
        escape_html(s, &mut out);
        out
    };
    let (to, title, lang) = (esc(&to), esc(&r.meta.title), esc(language));
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moved: {title}</title>\n<link rel=\"canonical\" href=\"{to}\">\n<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body>\n<p>This report has moved to <a href=\"{to}\">{title}</a>.</p>\n</body>\n</html>\n"
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_paths_below_the_site() {
        for (written, want) in [
            ("/2025/10/old-slug/", "2025/10/old-slug/"),
            ("/2025/10/old-slug", "2025/10/old-slug/"),
            ("old-slug/", "old-slug/"),
            ("/news/old.html", "news/old.html"),
            (" /a_b.c~d/ ", "a_b.c~d/"),
        ] {
            assert_eq!(parse_alias(written).as_deref(), Ok(want), "{written}");
        }
    }

    #[test]
    fn aliases_outside_the_site_or_odd_are_refused() {
        for (written, start) in [
            ("../etc/passwd", "alias `../etc/passwd` leaves the site"),
            ("/a/../../b/", "alias `/a/../../b/` leaves the site"),
            ("/", "alias `/` is the site's home page"),
            ("", "alias `` is the site's home page"),
            (
                "https://old.example.com/x/",
                "alias `https://old.example.com/x/` is a full URL",
            ),
            ("/a//b/", "alias `/a//b/` is not a plain path"),
            ("/a b/", "alias `/a b/` is not a plain path"),
            ("/a?p=1", "alias `/a?p=1` is not a plain path"),
            ("/a\\b/", "alias `/a\\b/` is not a plain path"),
            ("/é/", "alias `/é/` is not a plain path"),
        ] {
            let got = parse_alias(written).unwrap_err();
            assert!(got.starts_with(start), "{written}: {got}");
        }
    }
}

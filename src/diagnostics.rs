//! Problems a writer can fix, and how they are shown.
//!
//! In: a site path, a position (from a byte offset in the file's text), a message.
//! Out: `path:line:column: error: message`, the source line, a caret, an optional help line.
//! Only this module renders diagnostics; everything else builds [`Diagnostic`] values.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The build fails.
    Error,
    /// Reported, the build goes on.
    Warning,
}

/// A line and a column, both 1-based; the column counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text` (clamped to the text, snapped to a char boundary).
    pub fn at(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        Position { line, column }
    }
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, relative to the site root where it is inside it.
    pub file: PathBuf,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// The offending line of the file, when known.
    pub source_line: Option<String>,
    /// What is wrong, lower case, the user's text in backticks.
    pub message: String,
    /// What to do about it, when there is something useful to say.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error about a whole file.
    pub fn error(file: impl AsRef<Path>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: file.as_ref().to_path_buf(),
            position: None,
            source_line: None,
            message: message.into(),
            help: None,
        }
    }

    /// A warning about a whole file.
    pub fn warning(file: impl AsRef<Path>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
        }
    }

    /// Points the diagnostic at byte `offset` of `text` (the whole file's text).
    pub fn at(mut self, text: &str, offset: usize) -> Diagnostic {
        let pos = Position::at(text, offset);
        self.source_line = text.lines().nth(pos.line - 1).map(str::to_owned);
        self.position = Some(pos);
        self
    }

    /// Points the diagnostic at a line (1-based) without a column.
    pub fn at_line(mut self, text: Option<&str>, line: usize) -> Diagnostic {
        self.position = Some(Position { line, column: 1 });
        self.source_line = text.and_then(|t| t.lines().nth(line.saturating_sub(1)).map(str::to_owned));
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `path:line:column: error: message` (FORMAT.md's form, one line a problem, easy to
    /// grep and for editors to jump to), then the source line with a caret and any help,
    /// laid out by annotate-snippets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let file = self.file.display();
        match self.position {
            Some(p) => write!(f, "{file}:{}:{}: {kind}: {}", p.line, p.column, self.message)?,
            None => write!(f, "{file}: {kind}: {}", self.message)?,
        }
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_level(level.clone());
        if let (Some(line), Some(p)) = (&self.source_line, self.position) {
            let start = line.char_indices().nth(p.column - 1).map_or(line.len(), |(i, _)| i);
            let end = line[start..].chars().next().map_or(start, |c| start + c.len_utf8());
            group = group.element(
                Snippet::source(line.as_str())
                    .line_start(p.line)
                    .annotation(AnnotationKind::Primary.span(start..end)),
            );
        }
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        if self.source_line.is_some() || self.help.is_some() {
            write!(f, "\n{}", Renderer::plain().render(&[group]))?;
        }
        Ok(())
    }
}

/// Sorts by file and position and merges repeats: a template error meets every page that
/// uses the template, and differs only in the page its help names. The first is kept,
/// with a count of the others.
pub fn merge_repeats(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // By help too, so that the page named is the same on every run (pages render in parallel).
    diagnostics
        .sort_by(|a, b| (&a.file, a.position, &a.message, &a.help).cmp(&(&b.file, b.position, &b.message, &b.help)));
    let mut out: Vec<(Diagnostic, usize)> = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        match out.last_mut() {
            Some((last, n)) if last.file == d.file && last.position == d.position && last.message == d.message => {
                if last.help != d.help {
                    *n += 1;
                }
            }
            _ => out.push((d, 0)),
        }
    }
    out.into_iter()
        .map(|(mut d, n)| {
            if n > 0 {
                let more = format!("the same on {n} more page{}", if n == 1 { "" } else { "s" });
                d.help = Some(match d.help.take() {
                    Some(h) => format!("{h}; {more}"),
                    None => more,
                });
            }
            d
        })
        .collect()
}

/// Renders every diagnostic, then a one-line count.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&d.to_string());
        out.push_str("\n\n");
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => {}
        (0, w) => out.push_str(&format!("{}\n", plural(w, "warning"))),
        (e, 0) => out.push_str(&format!("{}\n", plural(e, "error"))),
        (e, w) => out.push_str(&format!("{}, {}\n", plural(e, "error"), plural(w, "warning"))),
    }
    out
}

/// The known name closest to `unknown`, if it is close enough to be a likely typo; never
/// `unknown` itself (issue 9: "did you mean `authors`?" about `authors`).
pub fn suggest<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .filter(|k| **k != unknown)
        .map(|k| (edit_distance(unknown, k), *k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(1) + 1 && *d < k.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "+++\ntitlé = 1\n";
        for (offset, line, column) in [(0, 1, 1), (4, 2, 1), (11, 2, 7), (999, 3, 1)] {
            assert_eq!(Position::at(text, offset), Position { line, column }, "offset {offset}");
        }
    }

    #[test]
    fn rendering_shows_path_position_line_and_caret() {
        let d = Diagnostic::error("content/a.md", "bad score").at("+++\nscore = 11\n", 12);
        assert_eq!(
            d.to_string(),
            "content/a.md:2:9: error: bad score\n  |\n2 | score = 11\n  |         ^"
        );
    }

    #[test]
    fn repeats_of_one_error_on_many_pages_are_merged() {
        let on = |page: &str| Diagnostic::error("templates/t.html", "`x` is undefined").with_help(page);
        let other = Diagnostic::error("content/a.md", "bad");
        let merged = merge_repeats(vec![on("/b/"), other.clone(), on("/a/"), on("/c/")]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0], other);
        assert_eq!(merged[1].help.as_deref(), Some("/a/; the same on 2 more pages"));
    }

    #[test]
    fn suggestions_catch_typos_only() {
        let known = ["summary", "title", "tags", "date"];
        assert_eq!(suggest("sumary", &known), Some("summary"));
        assert_eq!(suggest("tittle", &known), Some("title"));
        assert_eq!(suggest("colour", &known), None);
        assert_eq!(suggest("title", &known), None, "never the word itself");
    }
}

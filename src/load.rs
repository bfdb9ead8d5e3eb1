//! Walks `content/` -> `Vec<Source>`, read in parallel, UTF-8 checked, BOM stripped.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// One Markdown file of the site, as text.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the site root (`content/2025/x.md`).
    pub path: PathBuf,
    /// The file's text, without a byte-order mark.
    pub text: String,
}

impl Source {
    /// True for plain pages (`content/pages/...`).
    pub fn is_plain_page(&self) -> bool {
        self.path.starts_with("content/pages")
    }
}

/// Lists every `.md` file under `root/content`, sorted, as site-relative paths.
pub fn list_sources(root: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let content = root.join("content");
    if !content.is_dir() {
        return Err(Diagnostic::error("content", "the site has no `content/` folder")
            .with_help("run `impress init DIR` to make a new site, or pass `--root` to point at one"));
    }
    let mut paths = Vec::new();
    for entry in walkdir::WalkDir::new(&content).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e
                .path()
                .map(|p| relative(root, p))
                .unwrap_or_else(|| PathBuf::from("content"));
            Diagnostic::error(path, format!("cannot read: {e}"))
        })?;
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file() && is_source_name(&name) {
            paths.push(relative(root, entry.path()));
        }
    }
    Ok(paths)
}

/// Reads one file as UTF-8 text.
pub fn read_source(root: &Path, path: &Path) -> Result<Source, Diagnostic> {
    let bytes = std::fs::read(root.join(path)).map_err(|e| Diagnostic::error(path, format!("cannot read: {e}")))?;
    let text = decode_text(path, bytes)?;
    Ok(Source {
        path: path.to_path_buf(),
        text,
    })
}

/// UTF-8 check with the position of the first bad byte; strips a BOM.
pub(crate) fn decode_text(path: &Path, mut bytes: Vec<u8>) -> Result<String, Diagnostic> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let good = String::from_utf8_lossy(&bytes[..valid]).into_owned();
        Diagnostic::error(path, "the file is not valid UTF-8 text")
            .at(&good, valid)
            .with_help("save the file as UTF-8")
    })
}

fn relative(root: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(root).unwrap_or(p).to_path_buf()
}

/// True for the file names under `content/` that are reports or plain pages: Markdown,
/// and not an editor's file, a `README.md` (notes for the people who keep the folder) or
/// a file starting with `_` (drafts of notes, partials: left out as Jekyll and Hugo do).
pub fn is_source_name(name: &str) -> bool {
    name.ends_with(".md") && !is_editor_temp(name) && !name.starts_with('_') && !name.eq_ignore_ascii_case("readme.md")
}

/// Editors' swap, backup and lock files, which are never content.
pub fn is_editor_temp(name: &str) -> bool {
    name.starts_with(".#")
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_markdown_reports_are_sources() {
        for (name, source) in [
            ("a.md", true),
            ("My Report 2025.md", true),
            ("index.md", true),
            ("README.md", false),
            ("readme.md", false),
            ("_notes.md", false),
            ("_index.md", false),
            (".a.md.swp", false),
            ("a.md~", false),
            ("a.txt", false),
        ] {
            assert_eq!(is_source_name(name), source, "{name}");
        }
    }
}

//! Splits a source into its `+++` front matter and body, keeping byte offsets.

use std::path::Path;

use crate::diagnostics::Diagnostic;

/// A source cut in two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The TOML between the fences.
    pub front: &'a str,
    /// Byte offset of `front` in the file.
    pub front_offset: usize,
    /// The Markdown after the closing fence.
    pub body: &'a str,
}

/// Finds the `+++` fences. The opening one must be the first line.
pub fn split_front_matter<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "+++" {
        return Err(
            Diagnostic::error(path, "the file does not start with `+++` front matter")
                .at(text, 0)
                .with_help("put the report's TOML front matter between two lines of `+++` at the top of the file"),
        );
    }
    let mut offset = first_end;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1);
        if text[offset..end].trim_end() == "+++" {
            return Ok(Split {
                front: &text[first_end..offset],
                front_offset: first_end,
                body: &text[end..],
            });
        }
        offset = end;
    }
    Err(Diagnostic::error(path, "the front matter opened here is never closed")
        .at(text, 0)
        .with_help("add a line with `+++` after the last front-matter field"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let cases = [
            ("+++\na = 1\n+++\nbody\n", "a = 1\n", "body\n"),
            ("+++\r\na = 1\r\n+++\r\n", "a = 1\r\n", ""),
            ("+++\n+++", "", ""),
            ("+++  \na\n+++ \n\n# x", "a\n", "\n# x"),
        ];
        for (text, front, body) in cases {
            let s = split_front_matter(Path::new("a.md"), text).unwrap();
            assert_eq!((s.front, s.body), (front, body), "{text:?}");
            assert_eq!(&text[s.front_offset..s.front_offset + front.len()], front);
        }
    }

    #[test]
    fn missing_fences_are_errors() {
        let open = split_front_matter(Path::new("a.md"), "title = 1\n").unwrap_err();
        assert!(open.message.contains("does not start with `+++`"));
        let close = split_front_matter(Path::new("a.md"), "+++\ntitle = 1\n").unwrap_err();
        assert_eq!(close.message, "the front matter opened here is never closed");
        assert_eq!(close.position.unwrap().line, 1);
    }
}

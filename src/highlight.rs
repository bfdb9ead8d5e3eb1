//! Syntax highlighting of fenced code with syntect, as CSS classes (`hl-*`) that the
//! theme's `highlight.css` styles for light and dark. The syntax set loads once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use comrak::adapters::SyntaxHighlighterAdapter;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The class prefix shared with the theme's `highlight.css`.
pub const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntax_set() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Highlights `code` written in `lang` as classed HTML; `None` when the language is
/// unknown or the highlighter fails, so the caller escapes the code as plain text.
pub fn highlight_code(lang: &str, code: &str) -> Option<String> {
    let set = syntax_set();
    let syntax = set.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(generator.finalize())
}

/// The comrak plugin that routes fenced code through [`highlight_code`].
pub(crate) struct Highlighter;

impl SyntaxHighlighterAdapter for Highlighter {
    fn write_highlighted(&self, out: &mut dyn fmt::Write, lang: Option<&str>, code: &str) -> fmt::Result {
        let highlighted = lang.filter(|l| !l.is_empty()).and_then(|l| highlight_code(l, code));
        match highlighted {
            Some(html) => out.write_str(&html),
            None => {
                let mut escaped = String::with_capacity(code.len());
                crate::cashtag::escape_html(code, &mut escaped);
                out.write_str(&escaped)
            }
        }
    }

    fn write_pre_tag(&self, out: &mut dyn fmt::Write, attributes: HashMap<&'static str, Cow<'_, str>>) -> fmt::Result {
        write_tag(out, "pre", attributes)
    }

    fn write_code_tag(&self, out: &mut dyn fmt::Write, attributes: HashMap<&'static str, Cow<'_, str>>) -> fmt::Result {
        write_tag(out, "code", attributes)
    }
}

fn write_tag(out: &mut dyn fmt::Write, tag: &str, attributes: HashMap<&'static str, Cow<'_, str>>) -> fmt::Result {
    let mut attrs: Vec<_> = attributes.into_iter().collect();
    attrs.sort();
    let mut s = format!("<{tag}");
    for (k, v) in attrs {
        s.push_str(&format!(" {k}=\""));
        crate::cashtag::escape_html(&v, &mut s);
        s.push('"');
    }
    s.push('>');
    out.write_str(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_unknown_do_not() {
        let html = highlight_code("rust", "fn main() {}\n").unwrap();
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(highlight_code("no-such-language", "x").is_none());
    }
}

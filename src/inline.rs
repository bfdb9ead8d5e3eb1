//! A setting's text (config.toml's `disclaimer`) -> HTML: the text escaped, and inline
//! Markdown links `[text](url)` made links (issue 12). Nothing else is Markdown here:
//! a setting is one line of the footer, and anything it holds is shown as written.
//!
//! A link goes under the site's path like every link of the settings (`/pages/x/` ->
//! `/sub/pages/x/`); a link with a scheme other than http, https or mailto (say
//! `javascript:`) keeps its text and loses the link.

use crate::cashtag::escape_html;
use crate::routes::Urls;

/// The HTML of `text`, its Markdown links made links under the site's path.
pub(crate) fn links_html(text: &str, urls: &Urls) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some((label, url, len)) = link_at(&rest[open..]) else {
            escape_html(&rest[..open + 1], &mut out);
            rest = &rest[open + 1..];
            continue;
        };
        escape_html(&rest[..open], &mut out);
        match target(url, urls) {
            Some(href) => {
                out.push_str("<a href=\"");
                escape_html(&href, &mut out);
                out.push_str("\">");
                escape_html(label, &mut out);
                out.push_str("</a>");
            }
            None => escape_html(label, &mut out),
        }
        rest = &rest[open + len..];
    }
    escape_html(rest, &mut out);
    out
}

/// `[label](url)` at the start of `s`: the label, the URL and the length of the whole.
fn link_at(s: &str) -> Option<(&str, &str, usize)> {
    let close = s.find(']')?;
    let label = &s[1..close];
    if label.is_empty() || label.contains('[') || !s[close + 1..].starts_with('(') {
        return None;
    }
    let url_start = close + 2;
    let url_len = s[url_start..].find(')')?;
    let url = s[url_start..url_start + url_len].trim();
    if url.is_empty() || url.contains(char::is_whitespace) {
        return None;
    }
    Some((label, url, url_start + url_len + 1))
}

/// Where a link leads, or `None` for a scheme that is not allowed.
fn target(url: &str, urls: &Urls) -> Option<String> {
    let scheme = url
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| !s.contains(['/', '?', '#']));
    match scheme.map(str::to_ascii_lowercase).as_deref() {
        None if url.starts_with('#') => Some(url.to_string()),
        None if url.starts_with("//") => None,
        None => Some(urls.site_link(url)),
        Some("http" | "https" | "mailto") => Some(url.to_string()),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_go_under_the_site_path_and_everything_else_is_text() {
        let urls = Urls {
            base_url: "https://e.com/sub/".into(),
            base_path: "/sub/".into(),
            asset_versions: Default::default(),
        };
        let cases = [
            ("Not advice.", "Not advice."),
            (
                "Not advice. [Full disclaimer](/pages/disclaimer/)",
                "Not advice. <a href=\"/sub/pages/disclaimer/\">Full disclaimer</a>",
            ),
            ("[x](pages/a/)", "<a href=\"/sub/pages/a/\">x</a>"),
            (
                "[x](https://a.org/?a=1&b=2)",
                "<a href=\"https://a.org/?a=1&amp;b=2\">x</a>",
            ),
            ("[x](javascript:alert(1))", "x)"),
            ("[x](JavaScript:alert)", "x"),
            ("[x](//evil.com/)", "x"),
            ("[<b>](/a/) & [y]", "<a href=\"/sub/a/\">&lt;b&gt;</a> &amp; [y]"),
            ("[a](/\"onmouseover=x)", "<a href=\"/sub/&quot;onmouseover=x\">a</a>"),
            ("[unclosed](/a/", "[unclosed](/a/"),
            ("[[x](/a/)", "[<a href=\"/sub/a/\">x</a>"),
        ];
        for (text, want) in cases {
            assert_eq!(links_html(text, &urls), want, "{text}");
        }
    }
}

//! Internal link checking for `impress check`: every `href` and `src` in every rendered
//! page that points inside the site must name a file the build writes (a route or a
//! static file). External links are not fetched.

use std::collections::HashSet;

/// The site-relative file a URL points at, or `None` when it points outside the site.
/// `page_url` is the root-relative URL of the page the link is on.
pub fn link_target(href: &str, page_url: &str, base_path: &str) -> Option<String> {
    let href = href.trim();
    let lower = href.to_ascii_lowercase();
    if href.is_empty()
        || href.starts_with('#')
        || href.starts_with("//")
        || ["http:", "https:", "mailto:", "tel:", "data:", "javascript:"]
            .iter()
            .any(|s| lower.starts_with(s))
    {
        return None;
    }
    let path = href.split(['#', '?']).next().unwrap_or("");
    if path.is_empty() {
        return None;
    }
    let absolute = if path.starts_with('/') {
        path.to_string()
    } else {
        let dir = &page_url[..page_url.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{path}")
    };
    let mut segments: Vec<&str> = Vec::new();
    for seg in absolute.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut joined = format!("/{}", segments.join("/"));
    if absolute.ends_with('/') && joined != "/" {
        joined.push('/');
    }
    // A link that leaves the site's sub-path is broken wherever the site is deployed:
    // it keeps its leading `/`, which no file of the site has.
    let base = base_path.trim_end_matches('/');
    let rel = match joined.strip_prefix(base) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest.trim_start_matches('/'),
        _ => return Some(joined),
    };
    let decoded = percent_encoding::percent_decode_str(rel)
        .decode_utf8_lossy()
        .into_owned();
    Some(if decoded.is_empty() || decoded.ends_with('/') {
        format!("{decoded}index.html")
    } else {
        decoded
    })
}

/// Every `href="..."` and `src="..."` value in an HTML page (entities `&amp;` decoded).
pub fn page_links(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut from = 0;
        while let Some(i) = html[from..].find(attr) {
            let start = from + i + attr.len();
            let Some(len) = html[start..].find('"') else { break };
            links.push(html[start..start + len].replace("&amp;", "&"));
            from = start + len;
        }
    }
    links
}

/// Every `id="..."` value in an HTML page: the places a `#fragment` can name.
pub fn page_ids(html: &str) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut from = 0;
    while let Some(i) = html[from..].find(" id=\"") {
        let start = from + i + " id=\"".len();
        let Some(len) = html[start..].find('"') else { break };
        ids.insert(html[start..start + len].replace("&amp;", "&"));
        from = start + len;
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_map_to_output_files() {
        let cases = [
            ("/sub/tags/x/", "/sub/", Some("tags/x/index.html")),
            ("/sub/", "/sub/", Some("index.html")),
            ("/sub/style.css?v=1", "/sub/", Some("style.css")),
            ("../methodology/", "/sub/", Some("pages/methodology/index.html")),
            ("#top", "/sub/", None),
            ("https://example.com/", "/sub/", None),
            ("/elsewhere/x/", "/sub/", Some("/elsewhere/x/")),
            ("/subway/", "/sub/", Some("/subway/")),
            ("/img/x.png", "/", Some("img/x.png")),
            ("/sub/a%20b.pdf", "/sub/", Some("a b.pdf")),
        ];
        for (href, base, want) in cases {
            assert_eq!(link_target(href, "/sub/pages/about/", base).as_deref(), want, "{href}");
        }
    }

    #[test]
    fn links_and_ids_are_read_from_the_page() {
        let html =
            r#"<h2 id="the-deal">x</h2><a href="/a/?x=1&amp;y=2#the-deal">a</a> <img src="/i.png"><p id="q&amp;a">"#;
        assert_eq!(
            page_links(html),
            vec!["/a/?x=1&y=2#the-deal".to_string(), "/i.png".to_string()]
        );
        let ids = page_ids(html);
        assert!(
            ids.contains("the-deal") && ids.contains("q&a") && ids.len() == 2,
            "{ids:?}"
        );
    }
}

//! The one place comrak options are set: a report body -> [`Body`] (HTML, table of
//! contents, cashtags found outside code, `@/` links resolved to URLs).

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use comrak::adapters::{HeadingAdapter, HeadingMeta};
use comrak::nodes::{AstNode, NodeHtmlBlock, NodeLink, NodeValue, Sourcepos};
use comrak::{Anchorizer, Arena, Options};
use serde::Serialize;

use crate::cashtag::{escape_html, scan_cashtags, Ticker};
use crate::highlight::Highlighter;

/// Rendered HTML, kept compressed (LZ4, via lz4_flex): a site holds every body from the
/// time it is rendered until the pages that show it are written, and HTML packs to less
/// than half its size at a small fraction of the cost of rendering it. It is kept apart
/// from [`Body`]: the build driver owns it and moves it into the jobs that show it, so a
/// one-off build lets go of each body once its last page is written. Cloning shares it.
#[derive(Clone, Default)]
pub struct PackedHtml {
    bytes: std::sync::Arc<[u8]>,
    /// Hash of the HTML.
    hash: u64,
}

impl PackedHtml {
    /// Packs `html`.
    pub fn new(html: &str) -> PackedHtml {
        PackedHtml {
            bytes: lz4_flex::compress_prepend_size(html.as_bytes()).into(),
            hash: xxhash_rust::xxh3::xxh3_64(html.as_bytes()),
        }
    }

    /// The HTML.
    pub fn unpack(&self) -> String {
        // Only `new` makes these bytes, from a `&str`: neither step can fail.
        lz4_flex::decompress_size_prepended(&self.bytes)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default()
    }

    /// Hash of the HTML (what fingerprints take of it).
    pub fn hash(&self) -> u64 {
        self.hash
    }
}

impl PartialEq for PackedHtml {
    fn eq(&self, other: &PackedHtml) -> bool {
        self.hash == other.hash
    }
}

impl fmt::Debug for PackedHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PackedHtml({} bytes packed)", self.bytes.len())
    }
}

/// A rendered body.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// Headings of level 2 and 3.
    pub toc: Vec<TocEntry>,
    /// Cashtags found in the text, in order of first appearance, once each.
    pub tickers: Vec<Ticker>,
    /// For each cashtag, the sentence it appears in (plain text), in order.
    pub mentions: Vec<(Ticker, String)>,
    /// Internal links that did not resolve: the target, and line and column in the body (1-based).
    pub broken_links: Vec<(String, usize, usize)>,
    /// Every `@/` link target (the path after `@/`), resolved or not.
    pub internal_links: Vec<String>,
    /// Root-relative links and images, under the site's path now, with their line and
    /// column in the body: each must name a file of the site.
    pub site_links: Vec<(String, usize, usize)>,
    /// Local links and images that lead nowhere: why, and the line and column in the body.
    pub local_errors: Vec<(String, usize, usize)>,
    /// Words of prose, for reading time.
    pub words: usize,
    /// Raw HTML left out of the page (`unsafe_html` off): the first tag, its line and
    /// column in the body (1-based), and how many pieces were left out in all.
    pub dropped_html: Option<DroppedHtml>,
}

/// The raw HTML a body had and the page does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedHtml {
    /// The first piece, as written (its first line).
    pub first: String,
    /// Its line in the body.
    pub line: usize,
    /// Its column.
    pub column: usize,
    /// Pieces left out in all.
    pub count: usize,
}

impl DroppedHtml {
    /// The warning for a body of the file `path` (whose text is `text` and whose body
    /// starts on line `body_line`): once per file, at the first tag, naming the setting.
    pub fn warning(&self, path: &std::path::Path, text: Option<&str>, body_line: usize) -> crate::Diagnostic {
        let more = match self.count {
            0 | 1 => String::new(),
            n => format!(" (and {} more in this file)", n - 1),
        };
        let mut d = crate::Diagnostic::warning(
            path,
            format!("raw HTML `{}` is left out of the page{more}", self.first),
        )
        .at_line(text, body_line + self.line - 1)
        .with_help(
            "raw HTML in a body is dropped unless config.toml has `unsafe_html = true` under `[markdown]`; turn it on only for HTML you trust",
        );
        if let Some(p) = d.position.as_mut() {
            p.column = self.column;
        }
        d
    }
}

/// One entry of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// 2 or 3.
    pub level: u8,
    /// The heading's `id`.
    pub id: String,
    /// The heading's text.
    pub title: String,
}

/// What the body renderer needs from the rest of the site.
pub struct BodySettings<'a> {
    /// Pass raw HTML through (`[markdown] unsafe_html`).
    pub unsafe_html: bool,
    /// URL of a ticker page.
    pub ticker_url: &'a (dyn Fn(&Ticker) -> String + Sync),
    /// URL for an `@/path.md` link (path relative to content/) with its `#fragment` if
    /// any, `None` if no such file.
    pub resolve_internal: &'a (dyn Fn(&str, Option<&str>) -> Option<String> + Sync),
    /// The site's path (`/` or `/impact/`), which root-relative links are put under.
    pub base_path: &'a str,
    /// Resolves a link (`false`) or image (`true`) as written that is neither `@/` nor
    /// external: a file of the report's bundle, or a static image's size and copies.
    /// `Ok(None)` leaves it as written; `Err` says why it leads nowhere.
    pub local: Option<&'a LocalResolver<'a>>,
}

/// See [`BodySettings::local`].
pub type LocalResolver<'a> = dyn Fn(&str, bool) -> Result<Option<LocalTarget>, String> + Sync + 'a;

/// Where a local link or image leads, and for a raster image its size and copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTarget {
    /// The URL to write.
    pub url: String,
    /// The image's size and `srcset` (none for a link, or a picture of unknown size).
    pub image: Option<ImageAttrs>,
}

/// What an `<img>` carries beside its `src` (FORMAT.md, "Pictures").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ImageAttrs {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `url 480w, url 960w, ...` with the original last; empty without copies.
    pub srcset: String,
}

/// The `sizes` of every `srcset`: a body is at most about 46rem wide.
pub const IMAGE_SIZES: &str = "(min-width: 48rem) 46rem, 100vw";

fn options(unsafe_html: bool) -> Options<'static> {
    let mut o = Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o.render.r#unsafe = unsafe_html;
    o
}

/// Renders a Markdown body: what the site knows of it, and its HTML.
pub fn render_body(text: &str, settings: &BodySettings<'_>) -> (Body, PackedHtml) {
    // Windows line endings: comrak keeps the `\r` inside fenced code, where it would end
    // every line of the page's code. Dropping it before `\n` moves no line or column.
    let mut text: std::borrow::Cow<'_, str> = if text.contains("\r\n") {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    };
    // Characters XML 1.0 forbids (pasted from Word or PDF) would make every feed that
    // carries this body invalid: each becomes a space, which moves no column.
    if crate::feeds::has_forbidden(&text) {
        text = text.replace(crate::feeds::forbidden_in_xml, " ").into();
    }
    let arena = Arena::new();
    let opts = options(settings.unsafe_html);
    let root = comrak::parse_document(&arena, &text, &opts);
    let mut body = Body::default();

    let nodes: Vec<_> = root.descendants().collect();
    for node in nodes {
        let value = node.data().value.clone();
        match value {
            NodeValue::Text(ref t) if !inside_link(node) => link_cashtags_in(&arena, node, t, settings, &mut body),
            NodeValue::HtmlBlock(NodeHtmlBlock { literal: ref html, .. }) | NodeValue::HtmlInline(ref html)
                if !settings.unsafe_html =>
            {
                note_dropped_html(node, html, &mut body)
            }
            NodeValue::Link(link) if link.url.starts_with("@/") => {
                let target = &link.url[2..];
                let (path, fragment) = match target.split_once('#') {
                    Some((p, f)) => (p, Some(f)),
                    None => (target, None),
                };
                body.internal_links.push(path.to_string());
                match (settings.resolve_internal)(path, fragment) {
                    Some(url) => set_url(node, url),
                    None => {
                        let start = node.data().sourcepos.start;
                        body.broken_links.push((link.url.clone(), start.line, start.column));
                    }
                }
            }
            NodeValue::Image(link) => image(&arena, node, &link, settings, &mut body),
            NodeValue::Link(link) if !is_root_relative(&link.url) => {
                let start = node.data().sourcepos.start;
                match settings.local.map(|f| f(&link.url, false)) {
                    Some(Ok(Some(t))) => set_url(node, t.url),
                    Some(Err(why)) => body.local_errors.push((why, start.line, start.column)),
                    _ => {}
                }
            }
            // Root-relative links are under the site's path, like every link the site
            // makes (FORMAT.md, Pictures): `/tags/x/` on a site served from `/impact/` is
            // `/impact/tags/x/`.
            NodeValue::Link(link) if is_root_relative(&link.url) => {
                let url = format!("{}{}", settings.base_path, &link.url[1..]);
                let start = node.data().sourcepos.start;
                body.site_links.push((url.clone(), start.line, start.column));
                set_url(node, url);
            }
            _ => {}
        }
    }

    let (headings, toc) = Headings::new(root);
    let mut plugins = comrak::options::Plugins::default();
    plugins.render.codefence_syntax_highlighter = Some(&Highlighter);
    plugins.render.heading_adapter = Some(&headings);
    let mut html = String::with_capacity(text.len() * 3 / 2);
    // Writing into a String cannot fail; an error here would be a comrak bug.
    comrak::format_html_with_plugins(root, &opts, &mut html, &plugins).expect("formatting into a String");
    body.toc = toc;
    (body, PackedHtml::new(&align_classes(html)))
}

/// Table cells aligned with a class (`<td class="align-right">`) instead of the `align`
/// attribute comrak writes, which HTML5 made obsolete and validators reject (issue 12).
fn align_classes(html: String) -> String {
    if !html.contains(" align=\"") {
        return html;
    }
    let mut out = html;
    for cell in ["th", "td"] {
        for side in ["left", "center", "right"] {
            out = out.replace(
                &format!("<{cell} align=\"{side}\">"),
                &format!("<{cell} class=\"align-{side}\">"),
            );
        }
    }
    out
}

/// An image: resolved (a bundle file, a static image under the site's path), written
/// with its size, `loading="lazy"` and `srcset`; alone in its paragraph with a title, a
/// `<figure>` with that title as its caption (FORMAT.md, "Pictures").
fn image<'a>(
    arena: &'a Arena<'a>,
    node: &'a AstNode<'a>,
    link: &NodeLink,
    settings: &BodySettings<'_>,
    body: &mut Body,
) {
    let start = node.data().sourcepos.start;
    let mut url = link.url.clone();
    if is_root_relative(&url) {
        url = format!("{}{}", settings.base_path, &url[1..]);
        body.site_links.push((url.clone(), start.line, start.column));
    }
    let mut attrs = None;
    match settings.local.map(|f| f(&link.url, true)) {
        Some(Ok(Some(t))) => {
            url = t.url;
            attrs = t.image;
        }
        Some(Err(why)) => body.local_errors.push((why, start.line, start.column)),
        _ => {}
    }
    if !is_plain_url(&url) {
        // comrak's own rendering keeps its checks for other schemes.
        set_url(node, url);
        return;
    }
    let alt = node.collect_text();
    let mut html = String::from("<img src=\"");
    escape_html(&url, &mut html);
    html.push_str("\" alt=\"");
    escape_html(&alt, &mut html);
    html.push('"');
    if let Some(a) = &attrs {
        html.push_str(&format!(" width=\"{}\" height=\"{}\"", a.width, a.height));
        if !a.srcset.is_empty() {
            html.push_str(" srcset=\"");
            escape_html(&a.srcset, &mut html);
            html.push_str(&format!("\" sizes=\"{IMAGE_SIZES}\""));
        }
    }
    html.push_str(" loading=\"lazy\" decoding=\"async\"");
    let parent = node
        .parent()
        .filter(|p| matches!(p.data().value, NodeValue::Paragraph) && p.children().count() == 1);
    match parent {
        Some(paragraph) if !link.title.trim().is_empty() => {
            let mut figure = String::from("<figure class=\"figure\">");
            figure.push_str(&html);
            figure.push_str("><figcaption>");
            escape_html(link.title.trim(), &mut figure);
            figure.push_str("</figcaption></figure>\n");
            paragraph.insert_before(arena.alloc(AstNode::from(NodeValue::Raw(figure))));
            paragraph.detach();
        }
        _ => {
            if !link.title.is_empty() {
                html.push_str(" title=\"");
                escape_html(&link.title, &mut html);
                html.push('"');
            }
            html.push('>');
            node.insert_before(arena.alloc(AstNode::from(NodeValue::Raw(html))));
            node.detach();
        }
    }
}

/// A URL that is a path or http(s): safe to write into an attribute as it is.
fn is_plain_url(url: &str) -> bool {
    let scheme_end = url.find([':', '/', '?', '#']);
    match scheme_end {
        Some(i) if url[i..].starts_with(':') => {
            let scheme = url[..i].to_ascii_lowercase();
            scheme == "http" || scheme == "https"
        }
        _ => true,
    }
}

/// A URL that names a path on this host (`/x`), not another host (`//x`).
fn is_root_relative(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//")
}

fn set_url<'a>(node: &'a AstNode<'a>, url: String) {
    if let NodeValue::Link(l) | NodeValue::Image(l) = &mut node.data_mut().value {
        l.url = url;
    }
}

/// Links each cashtag of a text node to its ticker page, and records the ticker and the
/// sentence it stands in.
fn link_cashtags_in<'a>(
    arena: &'a Arena<'a>,
    node: &'a AstNode<'a>,
    t: &str,
    settings: &BodySettings<'_>,
    body: &mut Body,
) {
    let literal = t.to_string();
    body.words += literal.split_whitespace().count();
    let tags = scan_cashtags(&literal);
    if tags.is_empty() {
        return;
    }
    let sentence_source = enclosing_block(node)
        .map(|b| b.collect_text())
        .unwrap_or_else(|| literal.clone());
    let mut last = 0;
    for (range, ticker) in tags {
        if range.start > last {
            node.insert_before(text_node(arena, &literal[last..range.start]));
        }
        let link = arena.alloc(AstNode::from(NodeValue::Link(Box::new(NodeLink {
            url: (settings.ticker_url)(&ticker),
            title: String::new(),
        }))));
        link.append(text_node(arena, &literal[range.clone()]));
        node.insert_before(link);
        if !body.tickers.contains(&ticker) {
            body.tickers.push(ticker.clone());
        }
        let sentence = sentence_around(&sentence_source, &literal[range.clone()]);
        if !body.mentions.iter().any(|(t, s)| *t == ticker && *s == sentence) {
            body.mentions.push((ticker, sentence));
        }
        last = range.end;
    }
    node.data_mut().value = NodeValue::Text(literal[last..].to_string().into());
}

/// Records raw HTML that the page leaves out (`unsafe_html` off): the first piece and a count.
fn note_dropped_html<'a>(node: &'a AstNode<'a>, html: &str, body: &mut Body) {
    // A comment shows nothing either way: dropping it is not news.
    let html = html.trim();
    if html.starts_with("<!--") {
        return;
    }
    let start = node.data().sourcepos.start;
    match &mut body.dropped_html {
        // `<b>hi</b>` is one piece of HTML to the writer.
        Some(d) if !html.starts_with("</") => d.count += 1,
        Some(_) => {}
        None => {
            let first_line = html.lines().next().unwrap_or_default();
            let first: String = first_line.chars().take(60).collect();
            body.dropped_html = Some(DroppedHtml {
                first: if first.len() < first_line.len() {
                    format!("{first}...")
                } else {
                    first
                },
                line: start.line,
                column: start.column,
                count: 1,
            });
        }
    }
}

fn text_node<'a>(arena: &'a Arena<'a>, text: &str) -> &'a AstNode<'a> {
    arena.alloc(AstNode::from(NodeValue::Text(text.to_string().into())))
}

fn inside_link<'a>(node: &'a AstNode<'a>) -> bool {
    node.ancestors().any(|a| {
        matches!(
            a.data().value,
            NodeValue::Link(_) | NodeValue::Image(_) | NodeValue::WikiLink(_)
        )
    })
}

fn enclosing_block<'a>(node: &'a AstNode<'a>) -> Option<&'a AstNode<'a>> {
    node.ancestors().find(|a| {
        matches!(
            a.data().value,
            NodeValue::Paragraph | NodeValue::Heading(_) | NodeValue::TableCell | NodeValue::Item(_)
        )
    })
}

/// The sentence of `text` that holds `needle` (the first occurrence).
fn sentence_around(text: &str, needle: &str) -> String {
    let Some(at) = text.find(needle) else {
        return needle.to_string();
    };
    let ends = |s: &str| s.ends_with(". ") || s.ends_with("! ") || s.ends_with("? ");
    let mut start = 0;
    for (i, _) in text[..at].char_indices() {
        if ends(&text[..i]) {
            start = i;
        }
    }
    let after = at + needle.len();
    let mut end = text.len();
    for (i, c) in text[after..].char_indices() {
        if matches!(c, '.' | '!' | '?') && text[after + i + 1..].starts_with(' ') {
            end = after + i + 1;
            break;
        }
    }
    text[start..end].trim().to_string()
}

/// Gives headings `id`s (the same scheme GitHub uses), made in document order before
/// the HTML is written; comrak calls `enter` in the same order, so a counter hands them out.
struct Headings {
    ids: Vec<String>,
    next: AtomicUsize,
}

impl Headings {
    /// The ids of every heading under `root`, and the table of contents (levels 2 and 3).
    fn new<'a>(root: &'a AstNode<'a>) -> (Headings, Vec<TocEntry>) {
        let mut anchorizer = Anchorizer::new();
        let mut ids = Vec::new();
        let mut toc = Vec::new();
        for node in root.descendants() {
            let NodeValue::Heading(h) = &node.data().value else {
                continue;
            };
            let title = node.collect_text();
            let id = anchorizer.anchorize(&title);
            if (2..=3).contains(&h.level) {
                toc.push(TocEntry {
                    level: h.level,
                    id: id.clone(),
                    title,
                });
            }
            ids.push(id);
        }
        (
            Headings {
                ids,
                next: AtomicUsize::new(0),
            },
            toc,
        )
    }
}

impl HeadingAdapter for Headings {
    fn enter(&self, out: &mut dyn fmt::Write, heading: &HeadingMeta, _: Option<Sourcepos>) -> fmt::Result {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        let mut escaped = String::new();
        escape_html(self.ids.get(i).map_or("", String::as_str), &mut escaped);
        write!(out, "<h{} id=\"{escaped}\">", heading.level)
    }

    fn exit(&self, out: &mut dyn fmt::Write, heading: &HeadingMeta) -> fmt::Result {
        write!(out, "</h{}>", heading.level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Out {
        body: Body,
        html: String,
    }

    impl std::ops::Deref for Out {
        type Target = Body;
        fn deref(&self) -> &Body {
            &self.body
        }
    }

    fn render(text: &str) -> Out {
        let settings = BodySettings {
            unsafe_html: false,
            ticker_url: &|t: &Ticker| format!("/tickers/{}/", t.slug()),
            resolve_internal: &|p: &str, f: Option<&str>| {
                (p == "a.md").then(|| f.map_or("/reports/a/".to_string(), |f| format!("/reports/a/full/#{f}")))
            },
            base_path: "/impact/",
            local: None,
        };
        let (body, html) = render_body(text, &settings);
        Out {
            body,
            html: html.unpack(),
        }
    }

    #[test]
    fn cashtags_outside_code_become_links() {
        let b = render("Buy $MP now. Code `$TSLA` and [$LIT](https://x.test) stay.\n\n```\n$CAT\n```\n");
        assert!(b.html.contains("<a href=\"/tickers/mp/\">$MP</a>"), "{}", b.html);
        assert!(b.html.contains("<code>$TSLA</code>"));
        assert_eq!(b.tickers, vec![Ticker::parse("MP").unwrap()]);
        assert_eq!(b.mentions[0].1, "Buy $MP now.");
    }

    #[test]
    fn headings_get_ids_and_a_toc() {
        let b = render("# Top\n\n## The deal\n\n### Risks & costs\n\n## The deal\n");
        let ids: Vec<_> = b.toc.iter().map(|t| (t.level, t.id.as_str())).collect();
        assert_eq!(ids, vec![(2, "the-deal"), (3, "risks--costs"), (2, "the-deal-1")]);
        assert!(b.html.contains("<h2 id=\"the-deal\">The deal</h2>"), "{}", b.html);
    }

    #[test]
    fn raw_html_is_dropped_unless_enabled() {
        let b = render("<script>alert(1)</script>\n\nhi <b>x</b>\n");
        assert!(!b.html.contains("<script>"), "{}", b.html);
    }

    #[test]
    fn dropped_html_is_counted_from_its_first_tag() {
        /// The first piece, its line and column, and the count.
        type Dropped<'a> = Option<(&'a str, usize, usize, usize)>;
        let cases: &[(&str, Dropped<'_>)] = &[
            ("Plain *text*.\n", None),
            ("<!-- a note -->\n\nText.\n", None),
            (
                "Text.\n\n<div class=\"x\">\nA\n</div>\n",
                Some(("<div class=\"x\">", 3, 1, 1)),
            ),
            ("Say <b>hi</b> and\n<i>x</i>\n", Some(("<b>", 1, 5, 2))),
        ];
        for (text, want) in cases {
            let got = render(text).body.dropped_html;
            let got = got.as_ref().map(|d| (d.first.as_str(), d.line, d.column, d.count));
            assert_eq!(got, *want, "{text:?}");
        }
    }

    #[test]
    fn windows_line_endings_leave_no_carriage_return_in_code() {
        let b = render("Intro\r\n\r\n```\r\nlet a = 1;\r\nlet b = 2;\r\n```\r\n");
        let html = &b.html;
        assert!(!html.contains('\r'), "{html:?}");
        assert!(html.contains("let a = 1;\nlet b = 2;"), "{html:?}");
    }

    #[test]
    fn root_relative_links_and_images_go_under_the_site_path() {
        let b = render(
            "See [tags](/tags/energy/) and ![map](/images/map.png).\n\n[ext](//cdn.test/x) [abs](https://e.test/)\n",
        );
        assert!(b.html.contains("href=\"/impact/tags/energy/\""), "{}", b.html);
        assert!(b.html.contains("src=\"/impact/images/map.png\""), "{}", b.html);
        assert!(b.html.contains("href=\"//cdn.test/x\""), "{}", b.html);
        let links: Vec<_> = b.site_links.iter().map(|(u, l, c)| (u.as_str(), *l, *c)).collect();
        assert_eq!(
            links,
            vec![("/impact/tags/energy/", 1, 5), ("/impact/images/map.png", 1, 31)]
        );
    }

    #[test]
    fn internal_links_resolve_or_are_reported() {
        let b = render("[a](@/a.md#x) and\n[b](@/missing.md)\n");
        assert!(b.html.contains("href=\"/reports/a/full/#x\""), "{}", b.html);
        assert_eq!(b.broken_links, vec![("@/missing.md".to_string(), 2, 1)]);
    }

    #[test]
    fn gfm_extensions_are_on() {
        let b = render("| a |\n|---|\n| b |\n\n~~x~~ https://e.com\n\n- [x] done\n\nn[^1]\n\n[^1]: note\n");
        for needle in [
            "<table>",
            "<del>",
            "<a href=\"https://e.com\">",
            "type=\"checkbox\"",
            "footnote",
        ] {
            assert!(b.html.contains(needle), "{needle} in {}", b.html);
        }
    }

    #[test]
    fn packed_html_gives_back_the_same_text() {
        for html in ["", "<p>a</p>", &"<p>Tariffs on $MP — ünïcode</p>\n".repeat(500)] {
            let packed = PackedHtml::new(html);
            assert_eq!(packed.unpack(), html);
        }
        let long = "<p>same paragraph again</p>".repeat(1000);
        let packed = PackedHtml::new(&long);
        assert!(packed.bytes.len() < long.len() / 10, "repetitive HTML packs small");
        assert_eq!(packed.clone().unpack(), long, "a clone shares the same text");
        assert_eq!(packed, PackedHtml::new(&long), "the hash stays");
    }
}

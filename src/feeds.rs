//! RSS 2.0 (the site's and each term's), Atom 1.0, and JSON Feed 1.1, built
//! straight from the [`Site`]. Every URL in them is absolute.
//!
//! An item's id (RSS `guid`, Atom `id`, JSON Feed `id`) is the report's first URL: its
//! first alias when it has one, else its URL. A renamed report that keeps its old path
//! as its first alias keeps its id, so feed readers do not show it again.

use std::fmt::Write;
use std::sync::OnceLock;

use serde::Serialize;

use crate::cashtag::escape_html;
use crate::config::Config;
use crate::markdown::PackedHtml;
use crate::routes::{Route, Taxonomy, Urls};
use crate::site::{Report, Site};

/// Escaped for XML, without the characters XML 1.0 forbids (U+000B and U+000C come in
/// with text pasted from Word or PDF, and one makes a whole feed unreadable).
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if has_forbidden(text) {
        escape_html(&text.replace(forbidden_in_xml, ""), &mut out);
    } else {
        escape_html(text, &mut out);
    }
    out
}

/// HTML as the character data of an XML element, in a CDATA section: a feed item's whole
/// body would otherwise be escaped character by character, once per feed that carries it
/// (every term has a feed). A `]]>` inside is split across two sections. The HTML holds
/// no character XML forbids: bodies lose them when rendered (`markdown::render_body`),
/// and the rest of an item goes through [`xml`].
pub(crate) fn cdata(clean: &str) -> String {
    let mut out = String::with_capacity(clean.len() + 12);
    out.push_str("<![CDATA[");
    if clean.contains("]]>") {
        out.push_str(&clean.replace("]]>", "]]]]><![CDATA[>"));
    } else {
        out.push_str(clean);
    }
    out.push_str("]]>");
    out
}

/// True when `text` holds a character XML 1.0 forbids. The bytes are looked at first:
/// such characters are ASCII controls or start with 0xEF (U+FFFE, U+FFFF), and most text
/// has neither.
pub(crate) fn has_forbidden(text: &str) -> bool {
    text.bytes()
        .any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF)
        && text.chars().any(forbidden_in_xml)
}

pub(crate) fn forbidden_in_xml(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// An item's id: the report's first URL (see the module's note).
pub(crate) fn item_id(r: &Report, urls: &Urls) -> String {
    match r.meta.aliases.first() {
        Some(a) => urls.permalink(&Route::Alias { path: a.path.clone() }),
        None => urls.permalink(&Route::Report {
            slug: r.meta.slug.clone(),
        }),
    }
}

/// The names of a report's authors as the site spells them.
fn author_names<'a>(site: &'a Site, r: &'a Report) -> impl Iterator<Item = &'a str> {
    r.meta
        .authors
        .iter()
        .map(move |a| site.term_name(Taxonomy::Authors, &a.slug, &a.name))
}

/// One item of a feed: the report, its full analysis's HTML (lent by the build driver),
/// and where its RSS `<item>` is kept once made (see [`RssItems`]).
#[derive(Clone, Copy)]
pub(crate) struct FeedItem<'a> {
    pub report: &'a Report,
    pub body: Option<&'a PackedHtml>,
    pub rss: Option<&'a OnceLock<String>>,
}

/// The items of a feed of the reports `ids`. The site's feeds (`whole`) carry each report
/// whole; a term's feed carries its quick read's core and a link to the full analysis (a
/// report sits in a dozen term feeds), its items made once and shared through `rss`.
pub(crate) fn feed_items<'a>(
    ids: impl Iterator<Item = usize>,
    site: &'a Site,
    bodies: &'a [Option<PackedHtml>],
    rss: &'a RssItems,
    whole: bool,
) -> Vec<FeedItem<'a>> {
    ids.map(|i| FeedItem {
        report: site.reports[i].as_ref(),
        body: bodies.get(i).and_then(Option::as_ref).filter(|_| whole),
        rss: if whole { None } else { rss.slot(i) },
    })
    .collect()
}

/// Each report's RSS `<item>`, made at most once per build however many feeds carry it:
/// a report sits in the site's feed and in the feed of each of its terms, and an item
/// does not depend on the feed. Slots fill on first use, so only the reports that some
/// feed carries are kept, and the whole is dropped with the build's feeds.
#[derive(Default)]
pub(crate) struct RssItems(Vec<OnceLock<String>>);

impl RssItems {
    /// Empty slots for a site of `reports` reports.
    pub(crate) fn new(reports: usize) -> RssItems {
        RssItems((0..reports).map(|_| OnceLock::new()).collect())
    }

    /// The slot of report `id` (none when this holds no slots).
    pub(crate) fn slot(&self, id: usize) -> Option<&OnceLock<String>> {
        self.0.get(id)
    }
}

/// A report as HTML for feed readers: the quick read's core, the full analysis (or, in a
/// term's feed, a link to it), the disclaimer. Root-relative links are made absolute.
fn item_html(item: FeedItem<'_>, config: &Config, urls: &Urls) -> String {
    let m = &item.report.meta;
    let mut html = String::new();
    let _ = write!(html, "<p><strong>{}</strong></p>", xml(&m.summary));
    if let (Some(note), Some(updated)) = (&m.update_note, &m.updated) {
        let _ = write!(
            html,
            "<p><em>Updated {}: {}</em></p>",
            crate::context::display_date(updated),
            xml(note)
        );
    }
    if !m.scores.is_empty() {
        html.push_str("<ul>");
        for s in &m.scores {
            let _ = write!(html, "<li>{}: {}/10", xml(&s.area.name), s.score);
            if !s.rationale.is_empty() {
                let _ = write!(html, " ({})", xml(&s.rationale));
            }
            html.push_str("</li>");
        }
        html.push_str("</ul>");
    }
    if !m.bottom_line.is_empty() {
        html.push_str("<h2>Bottom line</h2><ul>");
        for b in &m.bottom_line {
            let _ = write!(html, "<li>{}</li>", xml(b));
        }
        html.push_str("</ul>");
    }
    match item.body {
        Some(body) => html.push_str(&absolute_links(&body.unpack(), urls)),
        // A term's feed: the full analysis is a link away.
        None if item.report.body.is_some() => {
            let full = urls.permalink(&Route::Analysis { slug: m.slug.clone() });
            let _ = write!(html, "<p><a href=\"{}\">Read the full analysis</a></p>", xml(&full));
        }
        None => {}
    }
    if !config.disclaimer.is_empty() {
        // Its Markdown links as links, absolute like every link of a feed.
        let disclaimer = absolute_links(&crate::inline::links_html(&config.disclaimer, urls), urls);
        let _ = write!(html, "<p><em>{disclaimer}</em></p>");
    }
    html
}

fn absolute_links(html: &str, urls: &Urls) -> String {
    let from = format!("href=\"{}", urls.base_path);
    let to = format!("href=\"{}", urls.base_url);
    html.replace(&from, &to)
}

/// The title of a term's feed: the site's title and the term (`$MP` for a ticker).
pub(crate) fn term_feed_title(site: &Site, config: &Config, taxonomy: Taxonomy, slug: &str) -> String {
    let name = site.term_name(taxonomy, slug, slug);
    match taxonomy {
        Taxonomy::Tickers => format!("{}: ${name}", config.title),
        _ => format!("{}: {name}", config.title),
    }
}

/// RSS 2.0 for the site, or for one term of a taxonomy.
pub fn rss(
    site: &Site,
    config: &Config,
    urls: &Urls,
    term: Option<(Taxonomy, &str)>,
    reports: &[FeedItem<'_>],
) -> Vec<u8> {
    let (title, link, self_url) = match term {
        Some((taxonomy, slug)) => (
            term_feed_title(site, config, taxonomy, slug),
            urls.permalink(&Route::Term {
                taxonomy,
                slug: slug.to_string(),
                page: 1,
            }),
            urls.permalink(&Route::TermFeed {
                taxonomy,
                slug: slug.to_string(),
            }),
        ),
        None => (
            config.title.clone(),
            urls.permalink(&Route::Home { page: 1 }),
            urls.permalink(&Route::Rss),
        ),
    };
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
    let _ = writeln!(out, "<title>{}</title>", xml(&title));
    let _ = writeln!(out, "<link>{}</link>", xml(&link));
    let _ = writeln!(out, "<description>{}</description>", xml(&config.description));
    let _ = writeln!(out, "<language>{}</language>", xml(&config.language));
    let _ = writeln!(out, "<generator>impress</generator>");
    let _ = writeln!(
        out,
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
        xml(&self_url)
    );
    if let Some(r) = reports.first().map(|i| i.report) {
        let _ = writeln!(
            out,
            "<lastBuildDate>{}</lastBuildDate>",
            r.meta.updated.unwrap_or(r.meta.date).to_rfc2822()
        );
    }
    let items: Vec<std::borrow::Cow<'_, str>> = reports
        .iter()
        .map(|&item| match item.rss {
            Some(slot) => slot.get_or_init(|| rss_item(site, config, urls, item)).as_str().into(),
            None => rss_item(site, config, urls, item).into(),
        })
        .collect();
    out.reserve(items.iter().map(|i| i.len()).sum::<usize>() + 32);
    for item in items {
        out.push_str(&item);
    }
    out.push_str("</channel>\n</rss>\n");
    out.into_bytes()
}

/// One report as an RSS `<item>`, the same in every feed that carries it.
fn rss_item(site: &Site, config: &Config, urls: &Urls, item: FeedItem<'_>) -> String {
    let m = &item.report.meta;
    let mut out = String::new();
    let link = urls.permalink(&Route::Report { slug: m.slug.clone() });
    out.push_str("<item>\n");
    let _ = writeln!(out, "<title>{}</title>", xml(&m.title));
    let _ = writeln!(out, "<link>{}</link>", xml(&link));
    let _ = writeln!(
        out,
        "<guid isPermaLink=\"true\">{}</guid>",
        xml(&item_id(item.report, urls))
    );
    let _ = writeln!(out, "<pubDate>{}</pubDate>", m.date.to_rfc2822());
    for a in author_names(site, item.report) {
        let _ = writeln!(out, "<dc:creator>{}</dc:creator>", xml(a));
    }
    if let Some(c) = &m.category {
        let _ = writeln!(
            out,
            "<category>{}</category>",
            xml(site.term_name(Taxonomy::Categories, &c.slug, &c.name))
        );
    }
    for t in &m.tags {
        let _ = writeln!(
            out,
            "<category>{}</category>",
            xml(site.term_name(Taxonomy::Tags, &t.slug, &t.name))
        );
    }
    let _ = writeln!(
        out,
        "<description>{}</description>",
        cdata(&item_html(item, config, urls))
    );
    out.push_str("</item>\n");
    out
}

/// Atom 1.0 for the site.
pub fn atom(site: &Site, config: &Config, urls: &Urls, reports: &[FeedItem<'_>]) -> Vec<u8> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        out,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        xml(&config.language)
    );
    let _ = writeln!(out, "<title>{}</title>", xml(&config.title));
    if !config.description.is_empty() {
        let _ = writeln!(out, "<subtitle>{}</subtitle>", xml(&config.description));
    }
    let home = urls.permalink(&Route::Home { page: 1 });
    let _ = writeln!(
        out,
        "<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>",
        xml(&home)
    );
    let _ = writeln!(
        out,
        "<link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>",
        xml(&urls.permalink(&Route::Atom))
    );
    let _ = writeln!(out, "<id>{}</id>", xml(&home));
    let _ = writeln!(out, "<generator>impress</generator>");
    let newest = reports
        .iter()
        .map(|i| i.report.meta.updated.unwrap_or(i.report.meta.date))
        .max();
    let _ = writeln!(
        out,
        "<updated>{}</updated>",
        newest.map_or_else(|| "1970-01-01T00:00:00+00:00".to_string(), |d| d.to_rfc3339())
    );
    for &item in reports {
        let m = &item.report.meta;
        let link = urls.permalink(&Route::Report { slug: m.slug.clone() });
        out.push_str("<entry>\n");
        let _ = writeln!(out, "<title>{}</title>", xml(&m.title));
        let _ = writeln!(
            out,
            "<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>",
            xml(&link)
        );
        let _ = writeln!(out, "<id>{}</id>", xml(&item_id(item.report, urls)));
        let _ = writeln!(out, "<published>{}</published>", m.date.to_rfc3339());
        let _ = writeln!(out, "<updated>{}</updated>", m.updated.unwrap_or(m.date).to_rfc3339());
        let authors: Vec<&str> = if m.authors.is_empty() {
            vec![config.title.as_str()]
        } else {
            author_names(site, item.report).collect()
        };
        for a in authors {
            let _ = writeln!(out, "<author><name>{}</name></author>", xml(a));
        }
        for t in &m.tags {
            let _ = writeln!(
                out,
                "<category term=\"{}\" label=\"{}\"/>",
                xml(&t.slug),
                xml(site.term_name(Taxonomy::Tags, &t.slug, &t.name))
            );
        }
        let _ = writeln!(out, "<summary>{}</summary>", xml(&m.summary));
        let _ = writeln!(
            out,
            "<content type=\"html\">{}</content>",
            cdata(&item_html(item, config, urls))
        );
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out.into_bytes()
}

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: String,
    feed_url: String,
    description: &'a str,
    language: &'a str,
    items: Vec<JsonItem>,
}

#[derive(Serialize)]
struct JsonItem {
    id: String,
    url: String,
    title: String,
    content_html: String,
    summary: String,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<JsonAuthor>,
    tags: Vec<String>,
    /// The quick read as data, for newsletters and dashboards (README, "Feeds").
    #[serde(rename = "_impress")]
    impress: ImpressExtension,
}

#[derive(Serialize)]
struct JsonAuthor {
    name: String,
    url: String,
}

/// The `_impress` extension of a JSON Feed item.
#[derive(Serialize)]
struct ImpressExtension {
    scores: Vec<ImpressScore>,
    /// Every impact area the report names: scored, primary, ripple effects.
    areas: Vec<String>,
    primary_impact: Option<String>,
    tickers: Vec<String>,
    category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    update_note: Option<String>,
}

#[derive(Serialize)]
struct ImpressScore {
    area: String,
    slug: String,
    score: u8,
    severity: &'static str,
    rationale: String,
}

impl ImpressExtension {
    fn new(site: &Site, r: &Report) -> ImpressExtension {
        let m = &r.meta;
        let area = |t: &crate::report::Term| site.term_name(Taxonomy::Impact, &t.slug, &t.name).to_string();
        let mut areas: Vec<String> = Vec::new();
        let named = m
            .scores
            .iter()
            .map(|s| &s.area)
            .chain(&m.primary_impact)
            .chain(&m.ripple_effects);
        for t in named {
            let name = area(t);
            if !areas.contains(&name) {
                areas.push(name);
            }
        }
        ImpressExtension {
            scores: m
                .scores
                .iter()
                .map(|s| ImpressScore {
                    area: area(&s.area),
                    slug: s.area.slug.clone(),
                    score: s.score,
                    severity: s.severity(),
                    rationale: s.rationale.clone(),
                })
                .collect(),
            areas,
            primary_impact: m.primary_impact.as_ref().map(area),
            tickers: r.tickers.iter().map(|t| t.symbol().to_string()).collect(),
            category: m
                .category
                .as_ref()
                .map(|c| site.term_name(Taxonomy::Categories, &c.slug, &c.name).to_string()),
            update_note: m.update_note.clone(),
        }
    }
}

/// JSON Feed 1.1.
pub fn json_feed(site: &Site, config: &Config, urls: &Urls, reports: &[FeedItem<'_>]) -> Vec<u8> {
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: &config.title,
        home_page_url: urls.permalink(&Route::Home { page: 1 }),
        feed_url: urls.permalink(&Route::JsonFeed),
        description: &config.description,
        language: &config.language,
        items: reports
            .iter()
            .map(|&item| {
                let m = &item.report.meta;
                let url = urls.permalink(&Route::Report { slug: m.slug.clone() });
                JsonItem {
                    id: item_id(item.report, urls),
                    url,
                    title: m.title.clone(),
                    content_html: item_html(item, config, urls),
                    summary: m.summary.clone(),
                    date_published: m.date.to_rfc3339(),
                    date_modified: m.updated.unwrap_or(m.date).to_rfc3339(),
                    authors: m
                        .authors
                        .iter()
                        .map(|a| JsonAuthor {
                            name: site.term_name(Taxonomy::Authors, &a.slug, &a.name).to_string(),
                            url: urls.permalink(&Route::Term {
                                taxonomy: Taxonomy::Authors,
                                slug: a.slug.clone(),
                                page: 1,
                            }),
                        })
                        .collect(),
                    tags: m
                        .tags
                        .iter()
                        .map(|t| site.term_name(Taxonomy::Tags, &t.slug, &t.name).to_string())
                        .collect(),
                    impress: ImpressExtension::new(site, item.report),
                }
            })
            .collect(),
    };
    serde_json::to_vec_pretty(&feed).expect("a feed of strings always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdata_keeps_html_whole_and_splits_a_closing_marker() {
        assert_eq!(cdata("<p>a &amp; b</p>"), "<![CDATA[<p>a &amp; b</p>]]>");
        assert_eq!(cdata("x]]>y"), "<![CDATA[x]]]]><![CDATA[>y]]>");
        assert_eq!(xml("a\u{c}<b>"), "a&lt;b&gt;");
        assert_eq!(xml("é ü"), "é ü");
    }
}

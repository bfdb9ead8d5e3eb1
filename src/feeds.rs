//! RSS 2.0, Atom 1.0, JSON Feed 1.1, sitemap.xml, robots.txt and search.json, built once
//! per build straight from the [`Site`]. Every URL in them is absolute.

use std::fmt::Write;

use serde::Serialize;

use crate::cashtag::escape_html;
use crate::config::Config;
use crate::context::iso_date;
use crate::markdown::PackedHtml;
use crate::routes::{Route, Taxonomy, Urls};
use crate::site::{Report, Site};

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html(text, &mut out);
    out
}

/// One item of a feed: the report and its full analysis's HTML, lent by the build driver.
pub(crate) type FeedItem<'a> = (&'a Report, Option<&'a PackedHtml>);

/// A report as HTML for feed readers: the quick read's core, the full analysis, the
/// disclaimer. Root-relative links are made absolute.
fn item_html((r, body): FeedItem<'_>, config: &Config, urls: &Urls) -> String {
    let m = &r.meta;
    let mut html = String::new();
    let _ = write!(html, "<p><strong>{}</strong></p>", xml(&m.summary));
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
    if let Some(body) = body {
        html.push_str(&absolute_links(&body.unpack(), urls));
    }
    if !config.disclaimer.is_empty() {
        let _ = write!(html, "<p><em>{}</em></p>", xml(&config.disclaimer));
    }
    html
}

fn absolute_links(html: &str, urls: &Urls) -> String {
    let from = format!("href=\"{}", urls.base_path);
    let to = format!("href=\"{}", urls.base_url);
    html.replace(&from, &to)
}

/// RSS 2.0 for the site, or for one tag.
pub fn rss(site: &Site, config: &Config, urls: &Urls, tag: Option<&str>, reports: &[FeedItem<'_>]) -> Vec<u8> {
    let (title, link, self_url) = match tag {
        Some(slug) => (
            format!("{}: {}", config.title, site.term_name(Taxonomy::Tags, slug, slug)),
            urls.permalink(&Route::Term {
                taxonomy: Taxonomy::Tags,
                slug: slug.to_string(),
                page: 1,
            }),
            urls.permalink(&Route::TagFeed { slug: slug.to_string() }),
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
    if let Some((r, _)) = reports.first() {
        let _ = writeln!(
            out,
            "<lastBuildDate>{}</lastBuildDate>",
            r.meta.updated.unwrap_or(r.meta.date).to_rfc2822()
        );
    }
    for &item in reports {
        let m = &item.0.meta;
        let link = urls.permalink(&Route::Report { slug: m.slug.clone() });
        out.push_str("<item>\n");
        let _ = writeln!(out, "<title>{}</title>", xml(&m.title));
        let _ = writeln!(out, "<link>{}</link>", xml(&link));
        let _ = writeln!(out, "<guid isPermaLink=\"true\">{}</guid>", xml(&link));
        let _ = writeln!(out, "<pubDate>{}</pubDate>", m.date.to_rfc2822());
        for a in &m.authors {
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
            xml(&item_html(item, config, urls))
        );
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out.into_bytes()
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
    let newest = reports.iter().map(|(r, _)| r.meta.updated.unwrap_or(r.meta.date)).max();
    let _ = writeln!(
        out,
        "<updated>{}</updated>",
        newest.map_or_else(|| "1970-01-01T00:00:00+00:00".to_string(), |d| d.to_rfc3339())
    );
    for &item in reports {
        let m = &item.0.meta;
        let link = urls.permalink(&Route::Report { slug: m.slug.clone() });
        out.push_str("<entry>\n");
        let _ = writeln!(out, "<title>{}</title>", xml(&m.title));
        let _ = writeln!(
            out,
            "<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>",
            xml(&link)
        );
        let _ = writeln!(out, "<id>{}</id>", xml(&link));
        let _ = writeln!(out, "<published>{}</published>", m.date.to_rfc3339());
        let _ = writeln!(out, "<updated>{}</updated>", m.updated.unwrap_or(m.date).to_rfc3339());
        let authors: Vec<&str> = if m.authors.is_empty() {
            vec![config.title.as_str()]
        } else {
            m.authors.iter().map(String::as_str).collect()
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
            xml(&item_html(item, config, urls))
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
}

#[derive(Serialize)]
struct JsonAuthor {
    name: String,
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
                let m = &item.0.meta;
                let url = urls.permalink(&Route::Report { slug: m.slug.clone() });
                JsonItem {
                    id: url.clone(),
                    url,
                    title: m.title.clone(),
                    content_html: item_html(item, config, urls),
                    summary: m.summary.clone(),
                    date_published: m.date.to_rfc3339(),
                    date_modified: m.updated.unwrap_or(m.date).to_rfc3339(),
                    authors: m.authors.iter().map(|a| JsonAuthor { name: a.clone() }).collect(),
                    tags: m
                        .tags
                        .iter()
                        .map(|t| site.term_name(Taxonomy::Tags, &t.slug, &t.name).to_string())
                        .collect(),
                }
            })
            .collect(),
    };
    serde_json::to_vec_pretty(&feed).expect("a feed of strings always serializes")
}

/// sitemap.xml: every HTML page but the 404, with `<lastmod>` for reports.
pub fn sitemap(site: &Site, urls: &Urls, routes: &[Route]) -> Vec<u8> {
    // Sized up front (a large site's sitemap is megabytes): about one line per route.
    let mut out = String::with_capacity(routes.len() * (urls.base_url.len() + 96));
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for route in routes {
        if !route.is_html() || *route == Route::NotFound {
            continue;
        }
        let _ = write!(out, "<url><loc>{}</loc>", xml(&urls.permalink(route)));
        let lastmod = match route {
            Route::Report { slug } | Route::Analysis { slug } => site
                .by_slug
                .get(slug)
                .map(|&i| &site.reports[i].meta)
                .map(|m| m.updated.unwrap_or(m.date)),
            Route::Home { page: 1 } => site.reports.first().map(|r| r.meta.updated.unwrap_or(r.meta.date)),
            _ => None,
        };
        if let Some(d) = lastmod {
            let _ = write!(out, "<lastmod>{}</lastmod>", d.to_rfc3339());
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

/// robots.txt pointing at the sitemap.
pub fn robots(urls: &Urls) -> Vec<u8> {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        urls.permalink(&Route::Sitemap)
    )
    .into_bytes()
}

#[derive(Serialize)]
struct SearchEntry<'a> {
    title: &'a str,
    url: String,
    date: String,
    summary: &'a str,
    tags: Vec<&'a str>,
    tickers: Vec<&'a str>,
    areas: Vec<&'a str>,
}

/// search.json: every report, newest first.
pub fn search_index(site: &Site, urls: &Urls) -> Vec<u8> {
    let entries: Vec<SearchEntry<'_>> = site
        .reports
        .iter()
        .map(|r| {
            let m = &r.meta;
            SearchEntry {
                title: &m.title,
                url: urls.permalink(&Route::Report { slug: m.slug.clone() }),
                date: iso_date(&m.date),
                summary: &m.summary,
                tags: m
                    .tags
                    .iter()
                    .map(|t| site.term_name(Taxonomy::Tags, &t.slug, &t.name))
                    .collect(),
                tickers: r.tickers.iter().map(|t| t.symbol()).collect(),
                areas: m
                    .scores
                    .iter()
                    .map(|s| site.term_name(Taxonomy::Impact, &s.area.slug, &s.area.name))
                    .collect(),
            }
        })
        .collect();
    // Sized up front: the index of a large site is megabytes, and growing by doubling
    // would hold twice that for a moment.
    let size: usize = entries
        .iter()
        .map(|e| {
            96 + e.title.len() + e.url.len() + e.summary.len() + 24 * (e.tags.len() + e.tickers.len() + e.areas.len())
        })
        .sum();
    let mut out = Vec::with_capacity(size + size / 8);
    serde_json::to_writer(&mut out, &entries).expect("strings always serialize");
    out
}

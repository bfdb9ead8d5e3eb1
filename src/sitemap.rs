//! sitemap.xml (one file, or an index of parts of at most [`sitemap_limit`] URLs each),
//! the Google News sitemap, and robots.txt, straight from the [`Site`] and its routes.

use std::fmt::Write;

use crate::config::Config;
use crate::feeds::xml;
use crate::routes::{sitemap_limit, Route, Urls};
use crate::site::Site;

/// True for the routes a sitemap lists: every HTML page but the 404 and redirects.
pub(crate) fn in_sitemap(route: &Route) -> bool {
    route.is_html() && !matches!(route, Route::NotFound | Route::Alias { .. })
}

/// How many part files a sitemap of `urls` URLs needs: none while one file holds them.
pub(crate) fn sitemap_parts(urls: usize, limit: usize) -> usize {
    if urls > limit {
        urls.div_ceil(limit.max(1))
    } else {
        0
    }
}

const URLSET: &str =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";

/// sitemap.xml: every page, or when there are more than [`sitemap_limit`], an index of
/// the parts (`/sitemaps/N.xml`).
pub fn sitemap(site: &Site, urls: &Urls, routes: &[Route]) -> Vec<u8> {
    let listed = routes.iter().filter(|r| in_sitemap(r)).count();
    let parts = sitemap_parts(listed, sitemap_limit());
    if parts == 0 {
        return urlset(site, urls, routes.iter().filter(|r| in_sitemap(r)), listed);
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for part in 1..=parts {
        let _ = writeln!(
            out,
            "<sitemap><loc>{}</loc></sitemap>",
            xml(&urls.permalink(&Route::SitemapPart { part }))
        );
    }
    out.push_str("</sitemapindex>\n");
    out.into_bytes()
}

/// Part `part` (1-based) of a large site's sitemap.
pub fn sitemap_part(site: &Site, urls: &Urls, routes: &[Route], part: usize) -> Vec<u8> {
    let limit = sitemap_limit();
    let skip = part.saturating_sub(1) * limit;
    let listed = routes.iter().filter(|r| in_sitemap(r)).skip(skip).take(limit);
    urlset(site, urls, listed, limit)
}

/// A `<urlset>` of `routes`, with `<lastmod>` for reports and the home page.
fn urlset<'a>(site: &Site, urls: &Urls, routes: impl Iterator<Item = &'a Route>, size: usize) -> Vec<u8> {
    // Sized up front (a large site's sitemap is megabytes): about one line per route.
    let mut out = String::with_capacity(size * (urls.base_url.len() + 96));
    out.push_str(URLSET);
    for route in routes {
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

/// The most URLs a Google News sitemap may list.
const NEWS_LIMIT: usize = 1000;

/// news-sitemap.xml: the reports of the last 2 days (`Site::recent`), newest first, as
/// Google News wants them (`news:news` with the publication, date and title).
pub fn news_sitemap(site: &Site, config: &Config, urls: &Urls) -> Vec<u8> {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    let (name, language) = (xml(&config.title), xml(&config.language));
    for r in site.reports.iter().take(site.recent.min(NEWS_LIMIT)) {
        let m = &r.meta;
        let loc = urls.permalink(&Route::Report { slug: m.slug.clone() });
        let _ = writeln!(
            out,
            "<url><loc>{}</loc><news:news><news:publication><news:name>{name}</news:name><news:language>{language}</news:language></news:publication><news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>",
            xml(&loc),
            m.date.to_rfc3339(),
            xml(&m.title)
        );
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}

/// robots.txt pointing at the sitemaps.
pub fn robots(urls: &Urls) -> Vec<u8> {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\nSitemap: {}\n",
        urls.permalink(&Route::Sitemap),
        urls.permalink(&Route::NewsSitemap)
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sitemap_splits_only_past_its_limit() {
        for (n, limit, parts) in [
            (0, 3, 0),
            (3, 3, 0),
            (4, 3, 2),
            (6, 3, 2),
            (7, 3, 3),
            (50_000, crate::routes::SITEMAP_LIMIT, 0),
            (50_001, crate::routes::SITEMAP_LIMIT, 2),
            (120_000, crate::routes::SITEMAP_LIMIT, 3),
        ] {
            assert_eq!(sitemap_parts(n, limit), parts, "{n} urls, limit {limit}");
        }
    }
}

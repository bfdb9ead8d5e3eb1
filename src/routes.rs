//! Every URL of FORMAT.md as a [`Route`], slugs, and joining routes to `base_url`.
//! No other module formats a site URL.

use std::path::PathBuf;

use serde::Serialize;

/// A taxonomy of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Taxonomy {
    /// `tags`
    Tags,
    /// `category`
    Categories,
    /// `tickers` and cashtags
    Tickers,
    /// score areas
    Impact,
    /// stakeholder groups
    Stakeholders,
    /// authors and desks (bylines)
    Authors,
}

impl Taxonomy {
    /// All taxonomies, in navigation order.
    pub const ALL: [Taxonomy; 6] = [
        Taxonomy::Tags,
        Taxonomy::Categories,
        Taxonomy::Tickers,
        Taxonomy::Impact,
        Taxonomy::Stakeholders,
        Taxonomy::Authors,
    ];

    /// The URL segment and template key.
    pub fn key(self) -> &'static str {
        match self {
            Taxonomy::Tags => "tags",
            Taxonomy::Categories => "categories",
            Taxonomy::Tickers => "tickers",
            Taxonomy::Impact => "impact",
            Taxonomy::Stakeholders => "stakeholders",
            Taxonomy::Authors => "authors",
        }
    }

    /// Heading of the index page.
    pub fn title(self) -> &'static str {
        match self {
            Taxonomy::Tags => "Tags",
            Taxonomy::Categories => "Categories",
            Taxonomy::Tickers => "Tickers",
            Taxonomy::Impact => "Impact areas",
            Taxonomy::Stakeholders => "Stakeholders",
            Taxonomy::Authors => "Authors",
        }
    }

    /// What one term is called.
    pub fn singular(self) -> &'static str {
        match self {
            Taxonomy::Tags => "Tag",
            Taxonomy::Categories => "Category",
            Taxonomy::Tickers => "Ticker",
            Taxonomy::Impact => "Impact area",
            Taxonomy::Stakeholders => "Stakeholder group",
            Taxonomy::Authors => "Author",
        }
    }
}

/// One output file of the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// `/` and `/page/N/` (N from 2).
    Home {
        /// 1-based page number.
        page: usize,
    },
    /// `/reports/<slug>/`, the quick read.
    Report {
        /// Report slug.
        slug: String,
    },
    /// `/reports/<slug>/full/`, the full analysis.
    Analysis {
        /// Report slug.
        slug: String,
    },
    /// `/reports/<slug>/card.png`, the report's share card (FORMAT.md, "Share cards").
    Card {
        /// Report slug.
        slug: String,
    },
    /// `/<taxonomy>/`, a taxonomy's index.
    Terms(Taxonomy),
    /// `/<taxonomy>/<slug>/` and its `/page/N/`.
    Term {
        /// Which taxonomy.
        taxonomy: Taxonomy,
        /// Term slug.
        slug: String,
        /// 1-based page number.
        page: usize,
    },
    /// `/<taxonomy>/<slug>/rss.xml`: one term's RSS.
    TermFeed {
        /// Which taxonomy.
        taxonomy: Taxonomy,
        /// Term slug.
        slug: String,
    },
    /// A redirect page at an old path of a report (`aliases`).
    Alias {
        /// Below the site, no leading `/` (`2025/10/old-slug/`, `old.html`).
        path: String,
    },
    /// `/pages/<slug>/`.
    Page {
        /// Page slug.
        slug: String,
    },
    /// `/search/`.
    Search,
    /// `/404.html`.
    NotFound,
    /// `/rss.xml`.
    Rss,
    /// `/atom.xml`.
    Atom,
    /// `/feed.json`.
    JsonFeed,
    /// `/sitemap.xml`: every page, or an index of the parts when there are more than
    /// [`SITEMAP_LIMIT`] pages.
    Sitemap,
    /// `/sitemaps/N.xml` (N from 1): a part of a large site's sitemap.
    SitemapPart {
        /// 1-based part number.
        part: usize,
    },
    /// `/news-sitemap.xml`: the Google News sitemap of the reports of the last 2 days.
    NewsSitemap,
    /// `/robots.txt`.
    Robots,
    /// `/search/index.json`: the search index's meta file (search.rs).
    SearchIndex,
    /// `/search/words/N.json` (N from 0): a part of the search index's words.
    SearchWords {
        /// 0-based part number.
        part: usize,
    },
    /// `/search/docs/N.json` (N from 0): what search results show of some reports.
    SearchDocs {
        /// 0-based shard number.
        part: usize,
    },
}

impl Route {
    /// The path below the site root, without a leading `/` (`tags/x/page/2/`, `rss.xml`).
    pub fn path(&self) -> String {
        let paged = |base: String, page: usize| {
            if page > 1 {
                format!("{base}page/{page}/")
            } else {
                base
            }
        };
        match self {
            Route::Home { page } => paged(String::new(), *page),
            Route::Report { slug } => format!("reports/{slug}/"),
            Route::Analysis { slug } => format!("reports/{slug}/full/"),
            Route::Card { slug } => format!("reports/{slug}/card.png"),
            Route::Terms(t) => format!("{}/", t.key()),
            Route::Term { taxonomy, slug, page } => paged(format!("{}/{slug}/", taxonomy.key()), *page),
            Route::TermFeed { taxonomy, slug } => format!("{}/{slug}/rss.xml", taxonomy.key()),
            Route::Alias { path } => path.clone(),
            Route::Page { slug } => format!("pages/{slug}/"),
            Route::Search => "search/".into(),
            Route::NotFound => "404.html".into(),
            Route::Rss => "rss.xml".into(),
            Route::Atom => "atom.xml".into(),
            Route::JsonFeed => "feed.json".into(),
            Route::Sitemap => "sitemap.xml".into(),
            Route::SitemapPart { part } => format!("sitemaps/{part}.xml"),
            Route::NewsSitemap => "news-sitemap.xml".into(),
            Route::Robots => "robots.txt".into(),
            Route::SearchIndex => "search/index.json".into(),
            Route::SearchWords { part } => format!("search/words/{part}.json"),
            Route::SearchDocs { part } => format!("search/docs/{part}.json"),
        }
    }

    /// The file inside the output folder.
    pub fn output_file(&self) -> PathBuf {
        let path = self.path();
        if path.is_empty() || path.ends_with('/') {
            PathBuf::from(format!("{path}index.html"))
        } else {
            PathBuf::from(path)
        }
    }

    /// True for HTML pages (as opposed to feeds and data files).
    pub fn is_html(&self) -> bool {
        self.output_file().extension().is_some_and(|e| e == "html")
    }
}

/// The most URLs one sitemap file may list (sitemaps.org).
pub const SITEMAP_LIMIT: usize = 50_000;

/// The most URLs one sitemap file lists: [`SITEMAP_LIMIT`], or a smaller number from the
/// environment variable `IMPRESS_SITEMAP_LIMIT`, so that a test site of a few reports can
/// cross it (a site of 50,000 pages is minutes of a debug build), and for a host or
/// crawler that wants smaller files. It never goes above the protocol's limit.
pub fn sitemap_limit() -> usize {
    static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        std::env::var("IMPRESS_SITEMAP_LIMIT")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .map_or(SITEMAP_LIMIT, |n| n.min(SITEMAP_LIMIT))
    })
}

/// Joins routes to the site's base URL.
#[derive(Debug, Clone, Serialize)]
pub struct Urls {
    /// Absolute, ends with `/`.
    pub base_url: String,
    /// Starts and ends with `/`.
    pub base_path: String,
    /// Static stylesheets, scripts and web fonts -> a hash of their bytes, which their URLs carry
    /// (`style.css?v=...`), so that a host may cache them for a year (FORMAT.md).
    #[serde(skip)]
    pub asset_versions: std::sync::Arc<std::collections::BTreeMap<String, String>>,
}

impl Urls {
    /// Root-relative URL carrying the base path (`/sub/tags/x/`).
    pub fn url(&self, route: &Route) -> String {
        format!("{}{}", self.base_path, route.path())
    }

    /// Absolute URL (`https://host/sub/tags/x/`).
    pub fn permalink(&self, route: &Route) -> String {
        format!("{}{}", self.base_url, route.path())
    }

    /// URL of a file copied from `static/` or the theme's `static/`.
    pub fn static_url(&self, path: &str) -> String {
        let path = path.trim_start_matches('/');
        match self.asset_versions.get(path) {
            Some(v) => format!("{}{path}?v={v}", self.base_path),
            None => format!("{}{path}", self.base_path),
        }
    }

    /// A link a writer gave in the settings (`[[menu]]`): a full URL as it is, a path
    /// under the site's path (`/tags/` -> `/sub/tags/`).
    pub fn site_link(&self, link: &str) -> String {
        let link = link.trim();
        if link.starts_with("https://") || link.starts_with("http://") || link.starts_with("mailto:") {
            link.to_string()
        } else {
            format!("{}{}", self.base_path, link.trim_start_matches('/'))
        }
    }

    /// URL of a ticker's page.
    pub fn ticker_url(&self, ticker: &crate::cashtag::Ticker) -> String {
        self.url(&Route::Term {
            taxonomy: Taxonomy::Tickers,
            slug: ticker.slug().to_string(),
            page: 1,
        })
    }
}

/// A term's slug (FORMAT.md): transliterated to ASCII, lower case, each run of other
/// characters one `-`, trimmed. `OPEC+` -> `opec`, `日本` -> `ri-ben`.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    let mut slug = String::with_capacity(ascii.len());
    let mut dash = false;
    for c in ascii.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c);
        } else {
            dash = true;
        }
    }
    slug
}

/// True when `s` is a valid report or page slug: `[a-z0-9][a-z0-9-]*`.
pub fn is_valid_slug(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_follows_the_format() {
        for (input, want) in [
            ("Rare Earths", "rare-earths"),
            ("rare-earths", "rare-earths"),
            ("OPEC+", "opec"),
            ("日本", "ri-ben"),
            ("Économie", "economie"),
            ("  Business & Technology ", "business-technology"),
            ("+++", ""),
            ("S&P 500", "s-p-500"),
        ] {
            assert_eq!(slugify(input), want, "{input:?}");
        }
    }

    #[test]
    fn report_slugs_are_single_safe_segments() {
        for ok in ["a", "0-day", "pakistan-first-rare-earth-shipment"] {
            assert!(is_valid_slug(ok), "{ok}");
        }
        for bad in ["", "-a", "A", "a/b", "..", "a b", "a_b", "é"] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
    }

    #[test]
    fn routes_map_to_urls_and_files() {
        let urls = Urls {
            base_url: "https://h/sub/".into(),
            base_path: "/sub/".into(),
            asset_versions: Default::default(),
        };
        let cases = [
            (Route::Home { page: 1 }, "/sub/", "index.html"),
            (Route::Home { page: 3 }, "/sub/page/3/", "page/3/index.html"),
            (
                Route::Term {
                    taxonomy: Taxonomy::Tags,
                    slug: "x".into(),
                    page: 2,
                },
                "/sub/tags/x/page/2/",
                "tags/x/page/2/index.html",
            ),
            (
                Route::Analysis { slug: "r".into() },
                "/sub/reports/r/full/",
                "reports/r/full/index.html",
            ),
            (
                Route::TermFeed {
                    taxonomy: Taxonomy::Tags,
                    slug: "x".into(),
                },
                "/sub/tags/x/rss.xml",
                "tags/x/rss.xml",
            ),
            (Route::NotFound, "/sub/404.html", "404.html"),
            (
                Route::TermFeed {
                    taxonomy: Taxonomy::Tickers,
                    slug: "brk.b".into(),
                },
                "/sub/tickers/brk.b/rss.xml",
                "tickers/brk.b/rss.xml",
            ),
            (
                Route::Alias {
                    path: "2025/10/old/".into(),
                },
                "/sub/2025/10/old/",
                "2025/10/old/index.html",
            ),
            (
                Route::Alias {
                    path: "old.html".into(),
                },
                "/sub/old.html",
                "old.html",
            ),
            (Route::SitemapPart { part: 2 }, "/sub/sitemaps/2.xml", "sitemaps/2.xml"),
        ];
        for (route, url, file) in cases {
            assert_eq!(urls.url(&route), url);
            assert_eq!(route.output_file(), PathBuf::from(file));
        }
        assert_eq!(urls.permalink(&Route::Rss), "https://h/sub/rss.xml");
    }
}

//! The typed context each template receives (documented in the README, "Themes and templates").
//! Text fields become `*_html`: escaped, cashtags linked, marked safe. Everything a
//! listing shows of a report is built once per report as a template value and shared.

use chrono::{DateTime, FixedOffset};
use minijinja::Value;
use serde::Serialize;

use crate::cashtag::{link_cashtags, Ticker};
use crate::config::Config;
use crate::report::Term;
use crate::routes::{Route, Taxonomy, Urls};
use crate::site::{Report, Site};

mod pages;
mod reader;
pub use pages::*;
pub use reader::*;

/// HTML that impress made, marked safe for templates.
pub(crate) fn safe(html: String) -> Value {
    Value::from_safe_string(html)
}

/// Plain text -> safe HTML with cashtags linked.
pub(crate) fn text_html(text: &str, urls: &Urls) -> Value {
    safe(link_cashtags(text, |t| urls.ticker_url(t)))
}

/// `2025-10-09`.
pub(crate) fn iso_date(d: &DateTime<FixedOffset>) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `9 October 2025`.
pub(crate) fn display_date(d: &DateTime<FixedOffset>) -> String {
    d.format("%-d %B %Y").to_string()
}

/// `site` in every template.
#[derive(Debug, Serialize)]
pub struct SiteCtx {
    title: String,
    short_title: String,
    description: String,
    language: String,
    disclaimer: String,
    disclaimer_html: Value,
    base_url: String,
    nav: Vec<Link>,
    menu: Vec<Link>,
    extra: toml::Table,
    custom_css: Option<String>,
    generator: String,
}

/// A titled link.
#[derive(Debug, Serialize)]
pub struct Link {
    title: String,
    url: String,
}

/// `urls` in every template.
#[derive(Debug, Serialize)]
pub struct UrlsCtx {
    home: String,
    tags: String,
    categories: String,
    tickers: String,
    impact: String,
    stakeholders: String,
    authors: String,
    search: String,
    search_index: String,
    rss: String,
    atom: String,
    json_feed: String,
    sitemap: String,
}

/// `meta` in every template: what goes into `<head>`.
#[derive(Debug, Serialize)]
pub struct Meta {
    /// `<title>`.
    pub title: String,
    /// Meta description.
    pub description: String,
    /// Absolute URL of the page.
    pub canonical: String,
    /// `article` or `website`.
    pub og_type: &'static str,
    /// JSON-LD (safe), or an empty string.
    pub json_ld: Value,
    /// Feed for `<link rel=alternate>`.
    pub feed_title: String,
    /// Feed URL.
    pub feed_url: String,
    /// ISO 8601, or empty.
    pub published: String,
    /// ISO 8601, or empty.
    pub modified: String,
    /// True on the 404 page.
    pub noindex: bool,
    /// The picture a share of the page shows (`og:image`): a report's lead image, else
    /// its share card; `None` on pages that are not a report's.
    pub image: Option<OgImage>,
}

/// `meta.image`: what `og:image` and its width, height and alt say.
#[derive(Debug, Clone, Serialize)]
pub struct OgImage {
    /// Absolute URL.
    pub url: String,
    /// In pixels (absent for an SVG without a size).
    pub width: Option<u32>,
    /// In pixels.
    pub height: Option<u32>,
    /// What it shows.
    pub alt: String,
}

impl SiteCtx {
    /// From the config and the site's plain pages; `custom_css` when the site has
    /// `static/custom.css`.
    pub fn new(config: &Config, site: &Site, urls: &Urls, custom_css: bool) -> SiteCtx {
        let mut pages: Vec<_> = site.pages.iter().filter(|p| p.meta.in_menu).collect();
        // Stable: pages of one weight stay in the site's order (by title).
        pages.sort_by_key(|p| p.meta.weight);
        SiteCtx {
            title: config.title.clone(),
            short_title: config.short_title.clone(),
            description: config.description.clone(),
            language: config.language.clone(),
            disclaimer: config.disclaimer.clone(),
            disclaimer_html: safe(crate::inline::links_html(&config.disclaimer, urls)),
            base_url: urls.base_url.clone(),
            nav: pages
                .into_iter()
                .map(|p| Link {
                    title: p.meta.title.clone(),
                    url: urls.url(&Route::Page {
                        slug: p.meta.slug.clone(),
                    }),
                })
                .collect(),
            menu: config
                .menu
                .iter()
                .map(|m| Link {
                    title: m.name.clone(),
                    url: urls.site_link(&m.url),
                })
                .collect(),
            extra: config.extra.clone(),
            custom_css: custom_css.then(|| urls.static_url("custom.css")),
            generator: format!("impress {}", env!("CARGO_PKG_VERSION")),
        }
    }
}

impl UrlsCtx {
    /// The site-wide URLs.
    pub fn new(urls: &Urls) -> UrlsCtx {
        let u = |r: Route| urls.url(&r);
        UrlsCtx {
            home: u(Route::Home { page: 1 }),
            tags: u(Route::Terms(Taxonomy::Tags)),
            categories: u(Route::Terms(Taxonomy::Categories)),
            tickers: u(Route::Terms(Taxonomy::Tickers)),
            impact: u(Route::Terms(Taxonomy::Impact)),
            stakeholders: u(Route::Terms(Taxonomy::Stakeholders)),
            authors: u(Route::Terms(Taxonomy::Authors)),
            search: u(Route::Search),
            search_index: u(Route::SearchIndex),
            rss: u(Route::Rss),
            atom: u(Route::Atom),
            json_feed: u(Route::JsonFeed),
            sitemap: u(Route::Sitemap),
        }
    }
}

/// A taxonomy term.
#[derive(Debug, Serialize)]
pub struct TermCtx {
    name: String,
    slug: String,
    url: String,
    count: usize,
}

impl TermCtx {
    /// A term on a report card, under its canonical name. Cards carry no counts, so that a
    /// report's card depends only on the report (and the spelling of its terms).
    pub fn new(site: &Site, urls: &Urls, taxonomy: Taxonomy, term: &Term) -> TermCtx {
        let mut t = TermCtx::counted(site, urls, taxonomy, &term.slug, &term.name);
        t.count = 0;
        t
    }

    /// A term by slug with its report count; `name` is used if the site does not know it.
    pub fn counted(site: &Site, urls: &Urls, taxonomy: Taxonomy, slug: &str, name: &str) -> TermCtx {
        TermCtx {
            name: site.term_name(taxonomy, slug, name).to_string(),
            slug: slug.to_string(),
            url: urls.url(&Route::Term {
                taxonomy,
                slug: slug.to_string(),
                page: 1,
            }),
            count: site.term_count(taxonomy, slug),
        }
    }
}

/// A ticker.
#[derive(Debug, Serialize)]
pub struct TickerCtx {
    symbol: String,
    url: String,
    name: Option<String>,
    exchange: Option<String>,
    count: usize,
}

impl TickerCtx {
    /// A ticker on a report card, with its name from data/tickers.toml and no count.
    pub fn new(site: &Site, urls: &Urls, t: &Ticker) -> TickerCtx {
        let info = site.ticker_info.get(t.symbol());
        TickerCtx {
            symbol: t.symbol().to_string(),
            url: urls.ticker_url(t),
            name: info.and_then(|i| i.name.clone()),
            exchange: info.and_then(|i| i.exchange.clone()),
            count: 0,
        }
    }

    /// The same with the number of reports that mention it.
    pub fn counted(site: &Site, urls: &Urls, t: &Ticker) -> TickerCtx {
        TickerCtx {
            count: site.term_count(Taxonomy::Tickers, t.slug()),
            ..TickerCtx::new(site, urls, t)
        }
    }
}

#[derive(Debug, Serialize)]
struct ScoreCtx {
    area: Value,
    score: u8,
    severity: &'static str,
    band: &'static str,
    primary: bool,
    percent: u32,
    rationale: String,
    rationale_html: Value,
}

#[derive(Debug, Serialize)]
struct SourceCtx {
    name: String,
    url: String,
}

#[derive(Debug, Serialize)]
struct GlanceCtx {
    domain: String,
    text_html: Value,
}

#[derive(Debug, Serialize)]
struct StakeholderCtx {
    who: Value,
    action_html: Value,
}

#[derive(Debug, Serialize)]
struct ChainCtx {
    steps_html: Vec<Value>,
}

#[derive(Debug, Serialize)]
struct ChartCtx {
    ticker: Value,
    label: String,
    label_html: Value,
    why_html: Value,
    compare: Vec<Value>,
    /// The drawn chart (chart.html), when the ticker has a price file.
    drawn_html: Option<Value>,
}

/// What a report's own pages show beyond its card, made by other stages.
#[derive(Debug, Default)]
pub struct Drawn {
    /// The chart to watch, drawn (chart.html's HTML, safe).
    pub chart_html: Option<Value>,
}

#[derive(Debug, Serialize)]
struct NextCtx {
    milestone_html: Option<Value>,
    signal_html: Option<Value>,
}

#[derive(Debug, Serialize)]
struct FaqCtx {
    q: String,
    q_html: Value,
    /// The question's cashtags as tickers: the default theme's question is a `<summary>`
    /// (a control, where a link cannot be), so they are links under the answer.
    q_tickers: Vec<Value>,
    a_html: Value,
}

/// `report` (and each card): the quick read as the templates see it.
#[derive(Debug, Serialize)]
pub struct ReportCtx {
    title: String,
    url: String,
    full_url: Option<String>,
    permalink: String,
    date: String,
    date_display: String,
    updated: Option<String>,
    updated_display: Option<String>,
    update_note: Option<String>,
    summary: String,
    summary_html: Value,
    authors: Vec<String>,
    bylines: Vec<Value>,
    category: Option<Value>,
    tags: Vec<Value>,
    tickers: Vec<Value>,
    scores: Vec<ScoreCtx>,
    primary_impact: Option<Value>,
    reading_minutes: usize,
    /// The lead image (quick read, and a thumbnail in listings).
    image: Option<crate::pictures::LeadPicture>,
    /// The rest of the quick read: only on the report's own pages, so that the cards
    /// every listing holds stay small.
    #[serde(flatten)]
    quick_read: Option<QuickReadCtx>,
}

/// The quick read's sections beyond the card.
#[derive(Debug, Serialize)]
struct QuickReadCtx {
    source: Option<SourceCtx>,
    historical_context_html: Option<Value>,
    ripple_effects: Vec<Value>,
    bottom_line_html: Vec<Value>,
    glance: Vec<GlanceCtx>,
    stakeholders: Vec<StakeholderCtx>,
    chains: Vec<ChainCtx>,
    chart: Option<ChartCtx>,
    next: Option<NextCtx>,
    faq: Vec<FaqCtx>,
}

/// The template value of every term and ticker of a site as reports show them (no counts),
/// made once and shared by every report that names them: a term is one value however many
/// cards list it, and cards are most of what a build holds in memory.
pub struct TermValues {
    terms: Vec<(Taxonomy, rustc_hash::FxHashMap<String, Value>)>,
}

impl TermValues {
    /// Every term of `site`.
    pub fn new(site: &Site, urls: &Urls) -> TermValues {
        let terms = Taxonomy::ALL
            .iter()
            .map(|&tx| {
                let values = site
                    .terms(tx)
                    .iter()
                    .filter_map(|(slug, entry)| {
                        let v = if tx == Taxonomy::Tickers {
                            Value::from(minijinja::value::Serde(TickerCtx::new(
                                site,
                                urls,
                                &Ticker::parse(&entry.name)?,
                            )))
                        } else {
                            let term = Term {
                                name: entry.name.clone(),
                                slug: slug.clone(),
                            };
                            Value::from(minijinja::value::Serde(TermCtx::new(site, urls, tx, &term)))
                        };
                        Some((slug.clone(), v))
                    })
                    .collect();
                (tx, values)
            })
            .collect();
        TermValues { terms }
    }

    fn get(&self, tx: Taxonomy, slug: &str) -> Option<Value> {
        self.terms.iter().find(|(t, _)| *t == tx)?.1.get(slug).cloned()
    }

    fn term(&self, site: &Site, urls: &Urls, tx: Taxonomy, t: &Term) -> Value {
        self.get(tx, &t.slug)
            .unwrap_or_else(|| Value::from(minijinja::value::Serde(TermCtx::new(site, urls, tx, t))))
    }

    fn ticker(&self, site: &Site, urls: &Urls, t: &Ticker) -> Value {
        self.get(Taxonomy::Tickers, t.slug())
            .unwrap_or_else(|| Value::from(minijinja::value::Serde(TickerCtx::new(site, urls, t))))
    }
}

/// Scores highest first, those of one score in the order written.
fn by_score(scores: &[crate::report::Score]) -> impl Iterator<Item = &crate::report::Score> {
    let mut sorted: Vec<_> = scores.iter().collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.score));
    sorted.into_iter()
}

/// Builds the template value of one report: its card, or with `full` the whole quick read.
pub fn report_value(report: &Report, site: &Site, terms: &TermValues, urls: &Urls, full: Option<Drawn>) -> Value {
    let m = &report.meta;
    let html = |t: &str| text_html(t, urls);
    let term = |tx: Taxonomy, t: &Term| terms.term(site, urls, tx, t);
    let ticker = |t: &Ticker| terms.ticker(site, urls, t);
    let ctx = ReportCtx {
        title: m.title.clone(),
        url: urls.url(&Route::Report { slug: m.slug.clone() }),
        full_url: report
            .body
            .as_ref()
            .map(|_| urls.url(&Route::Analysis { slug: m.slug.clone() })),
        permalink: urls.permalink(&Route::Report { slug: m.slug.clone() }),
        date: iso_date(&m.date),
        date_display: display_date(&m.date),
        updated: m.updated.as_ref().map(iso_date),
        updated_display: m.updated.as_ref().map(display_date),
        summary: m.summary.clone(),
        summary_html: html(&m.summary),
        update_note: m.update_note.clone(),
        authors: m
            .authors
            .iter()
            .map(|a| site.term_name(Taxonomy::Authors, &a.slug, &a.name).to_string())
            .collect(),
        bylines: m.authors.iter().map(|a| term(Taxonomy::Authors, a)).collect(),
        category: m.category.as_ref().map(|c| term(Taxonomy::Categories, c)),
        tags: m.tags.iter().map(|t| term(Taxonomy::Tags, t)).collect(),
        tickers: report.tickers.iter().map(ticker).collect(),
        scores: by_score(&m.scores)
            .map(|s| ScoreCtx {
                area: term(Taxonomy::Impact, &s.area),
                score: s.score,
                severity: s.severity(),
                band: s.band(),
                primary: m.primary_impact.as_ref().is_some_and(|p| p.slug == s.area.slug),
                percent: u32::from(s.score) * 10,
                rationale: s.rationale.clone(),
                rationale_html: html(&s.rationale),
            })
            .collect(),
        primary_impact: m.primary_impact.as_ref().map(|t| term(Taxonomy::Impact, t)),
        reading_minutes: report.body.as_ref().map_or(0, |b| b.words.div_ceil(220).max(1)),
        image: report.pictures.lead.clone(),
        quick_read: full.map(|drawn| QuickReadCtx {
            source: m.source.as_ref().map(|s| SourceCtx {
                name: s.name.clone(),
                url: s.url.clone(),
            }),
            historical_context_html: m.historical_context.as_deref().map(html),
            ripple_effects: m.ripple_effects.iter().map(|t| term(Taxonomy::Impact, t)).collect(),
            bottom_line_html: m.bottom_line.iter().map(|t| html(t)).collect(),
            glance: m
                .glance
                .iter()
                .map(|g| GlanceCtx {
                    domain: g.domain.clone(),
                    text_html: html(&g.text),
                })
                .collect(),
            stakeholders: m
                .stakeholders
                .iter()
                .map(|s| StakeholderCtx {
                    who: term(Taxonomy::Stakeholders, &s.who),
                    action_html: html(&s.action),
                })
                .collect(),
            chains: m
                .chains
                .iter()
                .map(|c| ChainCtx {
                    steps_html: c.iter().map(|s| html(s)).collect(),
                })
                .collect(),
            chart: m.chart.as_ref().map(|c| ChartCtx {
                ticker: ticker(&c.ticker),
                label: c.label.clone(),
                label_html: html(&c.label),
                why_html: html(&c.why),
                compare: c.compare.iter().map(|e| ticker(&e.ticker)).collect(),
                drawn_html: drawn.chart_html,
            }),
            next: m.next.as_ref().map(|n| NextCtx {
                milestone_html: n.milestone.as_deref().map(html),
                signal_html: n.signal.as_deref().map(html),
            }),
            faq: m
                .faq
                .iter()
                .map(|f| FaqCtx {
                    q: f.q.clone(),
                    q_html: html(&f.q),
                    q_tickers: crate::cashtag::scan_cashtags(&f.q)
                        .iter()
                        .map(|(_, t)| ticker(t))
                        .collect(),
                    a_html: html(&f.a),
                })
                .collect(),
        }),
    };
    Value::from(minijinja::value::Serde(&ctx))
}

/// Links between the pages of a listing.
#[derive(Debug, Serialize)]
pub struct Pagination {
    current: usize,
    total: usize,
    prev_url: Option<String>,
    next_url: Option<String>,
    /// The first and last page and those near the current one, in order.
    pages: Vec<PageLink>,
}

#[derive(Debug, Serialize)]
struct PageLink {
    number: usize,
    url: String,
    current: bool,
    /// Pages are left out just before this one (show a gap).
    gap_before: bool,
    /// Two away from the current page and neither first nor last: the first to go on a
    /// narrow screen.
    far: bool,
}

impl Pagination {
    /// `None` when there is only one page. `route(n)` is page n's route.
    pub fn new(current: usize, total: usize, route: impl Fn(usize) -> Route, urls: &Urls) -> Option<Pagination> {
        if total <= 1 {
            return None;
        }
        let url = |n: usize| urls.url(&route(n));
        let mut shown: Vec<usize> = vec![1, total];
        shown.extend(current.saturating_sub(2).max(1)..=(current + 2).min(total));
        shown.sort_unstable();
        shown.dedup();
        let mut previous = 0;
        let pages = shown
            .into_iter()
            .map(|n| {
                let link = PageLink {
                    number: n,
                    url: url(n),
                    current: n == current,
                    gap_before: n > previous + 1,
                    far: n.abs_diff(current) == 2 && n != 1 && n != total,
                };
                previous = n;
                link
            })
            .collect();
        Some(Pagination {
            current,
            total,
            prev_url: (current > 1).then(|| url(current - 1)),
            next_url: (current < total).then(|| url(current + 1)),
            pages,
        })
    }
}

/// One report on a term page.
#[derive(Debug, Serialize)]
pub struct EntryCtx {
    /// The report's card.
    pub report: Value,
    /// Impact pages: the score of this area.
    pub score: Option<u8>,
    /// Impact pages: its band (`Score::severity`).
    pub severity: Option<&'static str>,
    /// Impact pages: its band in words (`Score::band`).
    pub band: Option<&'static str>,
    /// Impact pages: the rationale.
    pub rationale_html: Option<Value>,
    /// What the report says of the term (stakeholders, tickers).
    pub notes_html: Vec<Value>,
}

/// `author` on an author's page.
#[derive(Debug, Serialize)]
pub struct AuthorCtx {
    name: Option<String>,
    bio: Option<String>,
    url: Option<String>,
    kind: crate::site::AuthorKind,
}

impl AuthorCtx {
    /// What data/authors.toml says of the author `slug` (nothing when it is not listed).
    pub fn new(site: &Site, slug: &str) -> AuthorCtx {
        let info = site.author_info.get(slug).cloned().unwrap_or_default();
        AuthorCtx {
            name: info.name,
            bio: info.bio,
            url: info.url,
            kind: info.kind,
        }
    }
}

/// `taxonomy` on index and term pages.
#[derive(Debug, Serialize)]
pub struct TaxonomyCtx {
    key: &'static str,
    title: &'static str,
    singular: &'static str,
    url: String,
}

impl TaxonomyCtx {
    /// Describes a taxonomy.
    pub fn new(t: Taxonomy, urls: &Urls) -> TaxonomyCtx {
        TaxonomyCtx {
            key: t.key(),
            title: t.title(),
            singular: t.singular(),
            url: urls.url(&Route::Terms(t)),
        }
    }
}

//! (Route, &Site) -> bytes. Every route of the site is planned here and rendered by one
//! function, so `build` and later incremental rebuilds share the same code.

use std::path::{Path, PathBuf};

use minijinja::{Environment, Value};
use rayon::prelude::*;
use serde::Serialize;

use crate::card::CardMaker;
use crate::cashtag::Ticker;
use crate::chart::prices::PriceBook;
use crate::config::Config;
use crate::context::*;
use crate::diagnostics::Diagnostic;
use crate::feeds;
use crate::fingerprint::shown;
use crate::markdown::PackedHtml;
use crate::routes::{Route, Taxonomy, Urls};
use crate::search::SearchIndex;
use crate::site::Site;
use crate::sitemap;
use crate::templates::{template_diagnostic, ThemeSource};
use crate::Timer;

#[path = "render_pictures.rs"]
mod pictures;

/// A site's own stylesheet, linked after the theme's on every page (FORMAT.md).
pub(crate) const CUSTOM_CSS: &str = "static/custom.css";

/// Everything rendering needs, built once per build.
pub struct Renderer<'a> {
    /// The content.
    pub site: &'a Site,
    /// Settings.
    pub config: &'a Config,
    /// URL joining.
    pub urls: &'a Urls,
    env: &'a Environment<'static>,
    /// The site folder.
    pub root: &'a Path,
    theme: &'a ThemeSource,
    terms: &'a TermValues,
    // Made into template values once: every page shows them.
    site_ctx: Value,
    urls_ctx: Value,
    /// One template value per report, aligned with `site.reports`.
    cards: &'a [Value],
    /// Draws share cards (`None` for `impress check`, which draws none).
    card_maker: Option<&'a CardMaker<'a>>,
    prices: &'a PriceBook,
    today: chrono::NaiveDate,
}

/// A unit of rendering work.
pub(crate) enum Job {
    /// One route (an index into the route list) that is not a report's page.
    Route(usize),
    /// A report's quick read and full analysis (the route indexes of those to render),
    /// made from one value of the report. The job owns the body's HTML it shows.
    Report {
        /// The report.
        id: usize,
        /// The quick read's route.
        quick: Option<usize>,
        /// The full analysis's route and the body's HTML.
        full: Option<(usize, PackedHtml)>,
    },
}

/// The bodies' HTML, aligned with `Site::reports`. The feeds borrow it; then a one-off
/// build gives each body to the job of its report, which lets go of it once written,
/// while serve and watch lend it (they keep every body for the next rebuild).
pub(crate) enum Bodies<'a> {
    /// Shared with the caller, who keeps it.
    Lend(&'a [Option<PackedHtml>]),
    /// Given away, each body to its report's job.
    Give(Vec<Option<PackedHtml>>),
}

/// The template values a site layout makes once: each report's card, aligned with
/// `site.reports`, and every term's value.
pub struct ReportValues<'a> {
    /// Cards.
    pub cards: &'a [Value],
    /// Terms and tickers as reports show them.
    pub terms: &'a TermValues,
    /// Draws the share cards.
    pub card_maker: Option<&'a CardMaker<'a>>,
    /// The price files charts are drawn from.
    pub prices: &'a PriceBook,
    /// The build's date: a chart's window ends at the last price on or before it.
    pub today: chrono::NaiveDate,
}

impl<'a> Renderer<'a> {
    /// Prepares the shared contexts.
    pub fn new(
        site: &'a Site,
        config: &'a Config,
        urls: &'a Urls,
        env: &'a Environment<'static>,
        root: &'a Path,
        theme: &'a ThemeSource,
        values: ReportValues<'a>,
    ) -> Renderer<'a> {
        let ReportValues {
            cards,
            terms,
            card_maker,
            prices,
            today,
        } = values;
        Renderer {
            site,
            config,
            urls,
            env,
            root,
            theme,
            terms,
            site_ctx: Value::from(minijinja::value::Serde(SiteCtx::new(
                config,
                site,
                urls,
                root.join(CUSTOM_CSS).is_file(),
            ))),
            urls_ctx: Value::from(minijinja::value::Serde(UrlsCtx::new(urls))),
            cards,
            card_maker,
            prices,
            today,
        }
    }

    /// Renders the routes `todo` (indexes into `routes`): the site-wide files (feeds,
    /// sitemap, search index) first, then every page. Each output goes to `each` as soon
    /// as it is made, so the caller decides whether bytes are written, kept or checked.
    pub(crate) fn render_all<T: Send>(
        &self,
        routes: &[Route],
        todo: Vec<usize>,
        bodies: Bodies<'_>,
        each: &(dyn Fn(usize, Vec<u8>) -> Result<T, Diagnostic> + Sync),
        timer: &mut Timer,
    ) -> Vec<Result<T, Box<Diagnostic>>> {
        let (site_wide, pages): (Vec<usize>, Vec<usize>) =
            todo.into_iter().partition(|&i| template_of(&routes[i]).is_none());
        let lent: &[Option<PackedHtml>] = match &bodies {
            Bodies::Lend(b) => b,
            Bodies::Give(b) => b,
        };
        let rss = feeds::RssItems::new(self.site.reports.len());
        // Made once for the meta file and every word part, when any is to be written.
        let search = site_wide
            .iter()
            .any(|&i| matches!(routes[i], Route::SearchIndex | Route::SearchWords { .. }))
            .then(|| SearchIndex::build(self.site, lent));
        timer.lap("search index");
        // Errors are boxed: this list has an entry for every page of the site.
        let mut results: Vec<Result<T, Box<Diagnostic>>> = site_wide
            .par_iter()
            .map(|&i| {
                let page = self
                    .render_route(&routes[i], lent, &rss, search.as_ref())
                    .map_err(|d| self.while_rendering(d, &routes[i]));
                page.and_then(|b| each(i, b)).map_err(Box::new)
            })
            .collect();
        drop((rss, search));
        timer.lap("feeds, sitemap, search files");
        let jobs = self.plan_jobs(routes, pages, bodies);
        results.par_extend(
            jobs.into_par_iter()
                .flat_map_iter(|job| self.render_job(job, routes, each)),
        );
        results
    }

    /// A template error, with the page it happened on and that page's source.
    fn while_rendering(&self, d: Diagnostic, route: &Route) -> Diagnostic {
        crate::templates::while_rendering(d, &self.urls.url(route), &route_source(self.site, route))
    }

    /// Groups each report's two pages into one job that owns (or shares) its body.
    fn plan_jobs(&self, routes: &[Route], pages: Vec<usize>, bodies: Bodies<'_>) -> Vec<Job> {
        let mut slots: Vec<(Option<usize>, Option<usize>)> = vec![(None, None); self.site.reports.len()];
        let mut listings = Vec::new();
        for i in pages {
            match &routes[i] {
                Route::Report { slug } if self.site.by_slug.contains_key(slug) => {
                    slots[self.site.by_slug[slug]].0 = Some(i)
                }
                Route::Analysis { slug } if self.site.by_slug.contains_key(slug) => {
                    slots[self.site.by_slug[slug]].1 = Some(i)
                }
                _ => listings.push(Job::Route(i)),
            }
        }
        // The reports first: each lets go of its body once written, while the listings
        // (planned after them, so started on the other core) fill the card cache.
        let mut jobs = Vec::with_capacity(listings.len() + self.site.reports.len());
        let mut given = match bodies {
            Bodies::Give(v) => Ok(v),
            Bodies::Lend(b) => Err(b),
        };
        for (id, (quick, full)) in slots.into_iter().enumerate() {
            let html = match &mut given {
                Ok(v) => v.get_mut(id).and_then(Option::take),
                Err(b) => b.get(id).cloned().flatten(),
            };
            match (quick, full) {
                (None, None) => {}
                (quick, full) => jobs.push(Job::Report {
                    id,
                    quick,
                    full: full.map(|i| (i, html.unwrap_or_default())),
                }),
            }
        }
        jobs.extend(listings);
        jobs
    }

    fn render_job<T>(
        &self,
        job: Job,
        routes: &[Route],
        each: &(dyn Fn(usize, Vec<u8>) -> Result<T, Diagnostic> + Sync),
    ) -> Vec<Result<T, Box<Diagnostic>>> {
        let done = |i: usize, page: Result<Vec<u8>, Diagnostic>| {
            page.map_err(|d| self.while_rendering(d, &routes[i]))
                .and_then(|b| each(i, b))
                .map_err(Box::new)
        };
        match job {
            Job::Route(i) => vec![done(
                i,
                self.render_route(&routes[i], &[], &feeds::RssItems::default(), None),
            )],
            Job::Report { id, quick, full } => {
                // The whole quick read, made once for both pages.
                let value = match self.full_value(id) {
                    Ok(v) => v,
                    Err(d) => {
                        let first = quick.or(full.as_ref().map(|f| f.0)).unwrap_or_default();
                        return vec![done(first, Err(d))];
                    }
                };
                let mut out = Vec::with_capacity(2);
                if let Some(i) = quick {
                    out.push(done(i, self.render_report_page(&routes[i], id, value.clone(), None)));
                }
                if let Some((i, html)) = full {
                    let html = html.unpack();
                    out.push(done(i, self.render_report_page(&routes[i], id, value, Some(html))));
                }
                out
            }
        }
    }

    fn meta(&self, route: &Route, title: &str, description: &str) -> Meta {
        Meta {
            title: if title.is_empty() {
                self.config.title.clone()
            } else {
                format!("{title} · {}", self.config.title)
            },
            description: description.to_string(),
            canonical: self.urls.permalink(route),
            og_type: "website",
            json_ld: Value::from(""),
            feed_title: self.config.title.clone(),
            feed_url: self.urls.url(&Route::Rss),
            published: String::new(),
            modified: String::new(),
            noindex: false,
            image: None,
        }
    }

    fn render_template<S: Serialize>(&self, name: &str, ctx: &S) -> Result<Vec<u8>, Diagnostic> {
        let tmpl = self
            .env
            .get_template(name)
            .map_err(|e| template_diagnostic(self.root, self.theme, &e))?;
        let ctx = Value::from(minijinja::value::Serde(ctx));
        tmpl.render(&ctx)
            .map(String::into_bytes)
            .map_err(|e| crate::templates::render_diagnostic(self.root, self.theme, &e, &ctx))
    }

    /// Renders one route; `bodies` are the bodies' HTML that feeds show (aligned with
    /// `Site::reports`; report pages rendered alone take theirs from it too).
    pub(crate) fn render_route(
        &self,
        route: &Route,
        bodies: &[Option<PackedHtml>],
        rss: &feeds::RssItems,
        search: Option<&SearchIndex>,
    ) -> Result<Vec<u8>, Diagnostic> {
        let (site, urls) = (self.site, self.urls);
        let shown = shown(route, site, self.config);
        let body_of = |i: usize| bodies.get(i).and_then(Option::as_ref);
        let feed = |whole: bool| feeds::feed_items(shown.full.iter(), site, bodies, rss, whole);
        match route {
            Route::Home { page } => {
                let total = site.reports.len().div_ceil(self.config.paginate.max(1)).max(1);
                let title = if *page > 1 {
                    format!("Page {page}")
                } else {
                    String::new()
                };
                let ctx = ListPage {
                    site: &self.site_ctx,
                    urls: &self.urls_ctx,
                    meta: self.meta(route, &title, &self.config.description),
                    reports: shown.cards.iter().map(|i| self.cards[i].clone()).collect(),
                    score_table: ScoreTable::new(site, urls, shown.cards.iter()),
                    pagination: Pagination::new(*page, total, |n| Route::Home { page: n }, urls),
                };
                self.render_template(template_of(route).expect("html route"), &ctx)
            }
            Route::Report { slug } | Route::Analysis { slug } => {
                let Some(&id) = site.by_slug.get(slug) else {
                    return Err(Diagnostic::error("content", format!("no report with slug `{slug}`")));
                };
                let value = self.full_value(id)?;
                let html = body_of(id).filter(|_| matches!(route, Route::Analysis { .. }));
                self.render_report_page(route, id, value, html.map(PackedHtml::unpack))
            }
            Route::Card { slug } => self.render_card(slug),
            Route::Terms(taxonomy) => {
                let mut terms: Vec<_> = site.terms(*taxonomy).values().collect();
                // By folded name: `Économie` sorts as `economie` (before `Energy`, not after `Test`).
                terms.sort_by_cached_key(|t| (deunicode::deunicode(&t.name).to_lowercase(), t.slug.clone()));
                let terms = terms
                    .into_iter()
                    .map(|t| match taxonomy {
                        Taxonomy::Tickers => Value::from(minijinja::value::Serde(TickerCtx::counted(
                            site,
                            urls,
                            &Ticker::parse(&t.name).expect("ticker terms are valid tickers"),
                        ))),
                        _ => Value::from(minijinja::value::Serde(TermCtx::counted(
                            site, urls, *taxonomy, &t.slug, &t.name,
                        ))),
                    })
                    .collect();
                let ctx = TermsPage {
                    site: &self.site_ctx,
                    urls: &self.urls_ctx,
                    meta: self.meta(
                        route,
                        taxonomy.title(),
                        &format!("{} of {}", taxonomy.title(), self.config.title),
                    ),
                    taxonomy: TaxonomyCtx::new(*taxonomy, urls),
                    terms,
                };
                self.render_template("terms.html", &ctx)
            }
            Route::Term { taxonomy, slug, page } => self.render_term(route, *taxonomy, slug, *page),
            Route::Page { slug } => {
                let Some(p) = site.pages.iter().find(|p| &p.meta.slug == slug) else {
                    return Err(Diagnostic::error(
                        "content/pages",
                        format!("no page with slug `{slug}`"),
                    ));
                };
                let ctx = PlainPage {
                    site: &self.site_ctx,
                    urls: &self.urls_ctx,
                    meta: self.meta(route, &p.meta.title, &p.meta.description),
                    page: PageCtx {
                        title: p.meta.title.clone(),
                        description: p.meta.description.clone(),
                        date: p.meta.date.as_ref().map(iso_date),
                        date_display: p.meta.date.as_ref().map(display_date),
                        content_html: safe(p.html.unpack()),
                        url: urls.url(route),
                    },
                };
                self.render_template("page.html", &ctx)
            }
            Route::Search | Route::NotFound => self.render_bare_page(route),
            Route::Rss => Ok(feeds::rss(site, self.config, urls, None, &feed(true))),
            Route::TermFeed { taxonomy, slug } => Ok(feeds::rss(
                site,
                self.config,
                urls,
                Some((*taxonomy, slug)),
                &feed(false),
            )),
            Route::Atom => Ok(feeds::atom(site, self.config, urls, &feed(true))),
            Route::JsonFeed => Ok(feeds::json_feed(site, self.config, urls, &feed(true))),
            Route::Alias { path } => Ok(crate::aliases::redirect_page(site, urls, &self.config.language, path)),
            Route::Sitemap => Ok(sitemap::sitemap(site, urls, &plan_routes(site, self.config))),
            Route::SitemapPart { part } => Ok(sitemap::sitemap_part(
                site,
                urls,
                &plan_routes(site, self.config),
                *part,
            )),
            Route::NewsSitemap => Ok(sitemap::news_sitemap(site, self.config, urls)),
            Route::Robots => Ok(sitemap::robots(urls)),
            Route::SearchIndex => Ok(search.map_or_else(Vec::new, |s| s.meta(site))),
            Route::SearchWords { part } => Ok(search.map_or_else(Vec::new, |s| s.words_part(*part))),
            Route::SearchDocs { part } => Ok(crate::search::docs_part(site, urls, *part)),
        }
    }

    /// The search page and the 404 page: the site's frame around the template's own.
    fn render_bare_page(&self, route: &Route) -> Result<Vec<u8>, Diagnostic> {
        let (title, description, template) = match route {
            Route::Search => ("Search", format!("Search {}", self.config.title), "search.html"),
            _ => ("Page not found", String::new(), "404.html"),
        };
        let mut meta = self.meta(route, title, &description);
        if matches!(route, Route::NotFound) {
            meta.noindex = true;
        }
        let ctx = BarePage {
            site: &self.site_ctx,
            urls: &self.urls_ctx,
            meta,
        };
        self.render_template(template, &ctx)
    }

    /// A report's quick read, or its full analysis when `body_html` is given.
    fn render_report_page(
        &self,
        route: &Route,
        id: usize,
        value: Value,
        body_html: Option<String>,
    ) -> Result<Vec<u8>, Diagnostic> {
        let report = &self.site.reports[id];
        let full = matches!(route, Route::Analysis { .. });
        let mut meta = self.meta(
            route,
            &if full {
                format!("{} (full analysis)", report.meta.title)
            } else {
                report.meta.title.clone()
            },
            &report.meta.summary,
        );
        meta.og_type = "article";
        meta.published = report.meta.date.to_rfc3339();
        meta.modified = report.meta.updated.unwrap_or(report.meta.date).to_rfc3339();
        let image = self.og_image(id);
        meta.json_ld = safe(crate::jsonld::report_json_ld(
            report,
            self.site,
            self.config,
            self.urls,
            &image.url,
            !full,
        ));
        meta.image = Some(image);
        let ctx = ReportPage {
            site: &self.site_ctx,
            urls: &self.urls_ctx,
            meta,
            report: value,
            body_html: safe(body_html.filter(|_| full).unwrap_or_default()),
            toc: report.body.as_ref().filter(|_| full).map_or(&[], |b| &b.toc),
            related: RelatedCtx::list(self.site, self.urls, id),
        };
        self.render_template(if full { "analysis.html" } else { "report.html" }, &ctx)
    }

    fn render_term(&self, route: &Route, taxonomy: Taxonomy, slug: &str, page: usize) -> Result<Vec<u8>, Diagnostic> {
        let (site, urls) = (self.site, self.urls);
        let Some(term) = site.terms(taxonomy).get(slug) else {
            return Err(Diagnostic::error(
                "content",
                format!("no {} `{slug}`", taxonomy.singular()),
            ));
        };
        let total = term.reports.len().div_ceil(self.config.paginate.max(1)).max(1);
        let entries = shown(route, site, self.config)
            .cards
            .iter()
            .map(|id| {
                let r = &site.reports[id];
                let mut entry = EntryCtx {
                    report: self.cards[id].clone(),
                    score: None,
                    severity: None,
                    band: None,
                    rationale_html: None,
                    notes_html: Vec::new(),
                };
                match taxonomy {
                    Taxonomy::Impact => {
                        if let Some(s) = r.meta.scores.iter().find(|s| s.area.slug == slug) {
                            entry.score = Some(s.score);
                            entry.severity = Some(s.severity());
                            entry.band = Some(s.band());
                            entry.rationale_html = Some(text_html(&s.rationale, urls));
                        }
                    }
                    Taxonomy::Stakeholders => {
                        entry.notes_html = r
                            .meta
                            .stakeholders
                            .iter()
                            .filter(|s| s.who.slug == slug)
                            .map(|s| text_html(&s.action, urls))
                            .collect();
                    }
                    Taxonomy::Tickers => {
                        entry.notes_html = crate::cashtag::ticker_mentions(r, &term.name)
                            .iter()
                            .map(|t| text_html(t, urls))
                            .collect();
                    }
                    _ => {}
                }
                entry
            })
            .collect();
        let is_ticker = taxonomy == Taxonomy::Tickers;
        let term_value = if is_ticker {
            Value::from(minijinja::value::Serde(TickerCtx::counted(
                site,
                urls,
                &Ticker::parse(&term.name).expect("ticker terms are valid tickers"),
            )))
        } else {
            Value::from(minijinja::value::Serde(TermCtx::counted(
                site, urls, taxonomy, slug, &term.name,
            )))
        };
        let heading = if is_ticker {
            format!("${}", term.name)
        } else {
            format!("{}: {}", taxonomy.singular(), term.name)
        };
        let title = if page > 1 {
            format!("{heading} (page {page})")
        } else {
            heading
        };
        let mut meta = self.meta(
            route,
            &title,
            &format!(
                "{} reports on {} in {}",
                term.reports.len(),
                term.name,
                self.config.title
            ),
        );
        let feed_url = urls.url(&Route::TermFeed {
            taxonomy,
            slug: slug.to_string(),
        });
        meta.feed_url = feed_url.clone();
        meta.feed_title = feeds::term_feed_title(site, self.config, taxonomy, slug);
        let author = (taxonomy == Taxonomy::Authors).then(|| {
            meta.json_ld = safe(crate::jsonld::author_json_ld(site, urls, slug, &term.name));
            AuthorCtx::new(site, slug)
        });
        let ctx = TermPage {
            site: &self.site_ctx,
            urls: &self.urls_ctx,
            meta,
            taxonomy: TaxonomyCtx::new(taxonomy, urls),
            term: term_value,
            feed_url: Some(feed_url),
            author,
            entries,
            pagination: Pagination::new(
                page,
                total,
                |n| Route::Term {
                    taxonomy,
                    slug: slug.to_string(),
                    page: n,
                },
                urls,
            ),
        };
        self.render_template(if is_ticker { "ticker.html" } else { "term.html" }, &ctx)
    }
}

/// The page template a route is rendered with (`None` for feeds and data files).
pub fn template_of(route: &Route) -> Option<&'static str> {
    Some(match route {
        Route::Home { .. } => "home.html",
        Route::Report { .. } => "report.html",
        Route::Analysis { .. } => "analysis.html",
        Route::Terms(_) => "terms.html",
        Route::Term {
            taxonomy: Taxonomy::Tickers,
            ..
        } => "ticker.html",
        Route::Term { .. } => "term.html",
        Route::Page { .. } => "page.html",
        Route::Search => "search.html",
        Route::NotFound => "404.html",
        _ => return None,
    })
}

/// Every route of the site.
pub fn plan_routes(site: &Site, config: &Config) -> Vec<Route> {
    let per = config.paginate.max(1);
    let pages_of = |n: usize| n.div_ceil(per).max(1);
    let mut routes = Vec::new();
    for page in 1..=pages_of(site.reports.len()) {
        routes.push(Route::Home { page });
    }
    for r in &site.reports {
        routes.push(Route::Report {
            slug: r.meta.slug.clone(),
        });
        if r.body.is_some() {
            routes.push(Route::Analysis {
                slug: r.meta.slug.clone(),
            });
        }
        routes.push(Route::Card {
            slug: r.meta.slug.clone(),
        });
    }
    for taxonomy in Taxonomy::ALL {
        routes.push(Route::Terms(taxonomy));
        for (slug, term) in site.terms(taxonomy) {
            for page in 1..=pages_of(term.reports.len()) {
                routes.push(Route::Term {
                    taxonomy,
                    slug: slug.clone(),
                    page,
                });
            }
            routes.push(Route::TermFeed {
                taxonomy,
                slug: slug.clone(),
            });
        }
    }
    for p in &site.pages {
        routes.push(Route::Page {
            slug: p.meta.slug.clone(),
        });
    }
    for path in site.aliases.keys() {
        routes.push(Route::Alias { path: path.clone() });
    }

    routes.extend([
        Route::Search,
        Route::NotFound,
        Route::Rss,
        Route::Atom,
        Route::JsonFeed,
        Route::Sitemap,
        Route::NewsSitemap,
        Route::Robots,
        Route::SearchIndex,
    ]);
    routes.extend((0..crate::search::word_parts(site)).map(|part| Route::SearchWords { part }));
    routes.extend((0..crate::search::doc_parts(site)).map(|part| Route::SearchDocs { part }));
    let listed = routes.iter().filter(|r| sitemap::in_sitemap(r)).count();
    for part in 1..=sitemap::sitemap_parts(listed, crate::routes::sitemap_limit()) {
        routes.push(Route::SitemapPart { part });
    }
    routes
}

/// The file to blame for a problem on a route's page: the report's or page's source.
pub(crate) fn route_source(site: &Site, route: &Route) -> PathBuf {
    match route {
        Route::Report { slug } | Route::Analysis { slug } | Route::Card { slug } => site
            .by_slug
            .get(slug)
            .map_or_else(|| PathBuf::from("content"), |&i| site.reports[i].meta.path.clone()),
        Route::Page { slug } => site
            .pages
            .iter()
            .find(|pg| &pg.meta.slug == slug)
            .map_or_else(|| PathBuf::from("content/pages"), |pg| pg.meta.path.clone()),
        _ => PathBuf::from("templates"),
    }
}

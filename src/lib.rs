//! impress: a static-site generator for impact-analysis publications.
//!
//! The pipeline of [`build`], one stage per module, each returning a new type:
//!
//! ```text
//! config.toml ──config──▶ Config
//! content/**.md ──load──▶ Vec<Source> ──frontmatter+report──▶ ReportMeta / PageMeta
//!                                       (all validation; every error collected)
//!        body ──markdown+cashtag+highlight──▶ Body { html, toc, tickers }
//! Vec<Report> ──site──▶ Site (newest first, taxonomies as report indexes)
//! Site ──render::plan_routes──▶ Vec<Route> ──render (rayon)──▶ bytes ──output──▶ staging
//!                                     feeds: RSS, Atom, JSON Feed, sitemap, search.json
//! staging + static/ ──output::commit──▶ public/ (swapped in only when complete)
//! ```
//!
//! Nothing in the library prints or exits: problems come back as [`Diagnostic`]s, and
//! `main.rs` renders them and picks the exit code.

// Diagnostics travel on the error path only, where their size costs nothing measurable;
// boxing every one would only add noise to each signature.
#![allow(clippy::result_large_err)]

pub mod cashtag;
pub mod config;
pub mod context;
pub mod diagnostics;
pub mod feeds;
pub mod frontmatter;
pub mod highlight;
pub mod linkcheck;
pub mod load;
pub mod markdown;
pub mod output;
pub mod render;
pub mod report;
pub mod routes;
pub mod scaffold;
pub mod site;
pub mod templates;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rayon::prelude::*;

pub use diagnostics::Diagnostic;

use crate::markdown::{render_body, BodySettings};
use crate::routes::Urls;
use crate::site::{Page, Report, Site, TickerInfo};

/// What to build and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The site folder.
    pub root: PathBuf,
    /// The output folder (default: `<root>/public`).
    pub output: Option<PathBuf>,
    /// Overrides `base_url`.
    pub base_url: Option<String>,
    /// Include drafts.
    pub drafts: bool,
    /// Include reports dated in the future.
    pub future: bool,
    /// "Now", for leaving out future reports.
    pub now: DateTime<Utc>,
}

impl Options {
    /// Defaults for a site folder.
    pub fn new(root: impl Into<PathBuf>) -> Options {
        Options {
            root: root.into(),
            output: None,
            base_url: None,
            drafts: false,
            future: false,
            now: Utc::now(),
        }
    }

    /// The output folder.
    pub fn output_dir(&self) -> PathBuf {
        self.output.clone().unwrap_or_else(|| self.root.join("public"))
    }
}

/// What a successful build did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Reports published.
    pub reports: usize,
    /// Files written (pages, feeds and data files; static files not counted).
    pub pages: usize,
    /// Warnings (non-fatal diagnostics).
    pub warnings: Vec<Diagnostic>,
    /// Time per phase.
    pub timings: Vec<(&'static str, Duration)>,
    /// Where the site went.
    pub output: PathBuf,
}

/// A failed build: every problem found.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Errors first, then warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Failure {
        Failure { diagnostics: vec![d] }
    }
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(diagnostics: Vec<Diagnostic>) -> Failure {
        Failure { diagnostics }
    }
}

/// The validated site, before rendering.
struct Prepared {
    config: config::Config,
    site: Site,
    urls: Urls,
    theme: templates::ThemeSource,
    env: minijinja::Environment<'static>,
    warnings: Vec<Diagnostic>,
}

struct Timer {
    start: Instant,
    timings: Vec<(&'static str, Duration)>,
}

impl Timer {
    fn lap(&mut self, phase: &'static str) {
        let now = Instant::now();
        self.timings.push((phase, now - self.start));
        self.start = now;
    }
}

fn read_config(opts: &Options) -> Result<config::Config, Failure> {
    let path = Path::new("config.toml");
    let bytes = std::fs::read(opts.root.join(path)).map_err(|e| {
        Diagnostic::error(path, format!("cannot read the site's config: {e}"))
            .with_help("run impress in a site folder, pass --root DIR, or make a site with `impress init DIR`")
    })?;
    let text = load::decode_text(path, bytes)?;
    let config = config::parse_config(path, &text)?;
    match &opts.base_url {
        Some(url) => config
            .with_base_url(url)
            .map_err(|m| Diagnostic::error("--base-url", m).into()),
        None => Ok(config),
    }
}

fn read_ticker_info(root: &Path) -> Result<Option<HashMap<String, TickerInfo>>, Failure> {
    let path = Path::new("data/tickers.toml");
    let bytes = match std::fs::read(root.join(path)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Diagnostic::error(path, format!("cannot read: {e}")).into()),
    };
    let text = load::decode_text(path, bytes)?;
    let map: HashMap<String, TickerInfo> =
        toml::from_str(&text).map_err(|e| config::toml_diagnostic(path, &text, 0, &e, &["name", "exchange"]))?;
    let mut errors = Vec::new();
    let mut info = HashMap::new();
    for (k, v) in map {
        match cashtag::Ticker::parse(&k) {
            Some(t) => {
                info.insert(t.symbol().to_string(), v);
            }
            None => errors.push(
                Diagnostic::error(
                    path,
                    format!("`{k}` is not a ticker: use 1 to 5 capital letters, optionally `.` and 1 or 2 more"),
                )
                .at(&text, text.find(&format!("[{k}]")).unwrap_or(0)),
            ),
        }
    }
    if errors.is_empty() {
        Ok(Some(info))
    } else {
        Err(errors.into())
    }
}

fn prepare(opts: &Options, timer: &mut Timer) -> Result<Prepared, Failure> {
    let config = read_config(opts)?;
    let urls = Urls {
        base_url: config.base_url.clone(),
        base_path: config.base_path.clone(),
    };
    let ticker_info = read_ticker_info(&opts.root)?;
    let theme = templates::find_theme(&opts.root, &config)?;

    let paths = load::list_sources(&opts.root)?;
    let (sources, mut errors) = load::load_sources(&opts.root, &paths);
    timer.lap("load");

    let parsed: Vec<_> = sources
        .par_iter()
        .map(|s| {
            if s.is_plain_page() {
                report::validate_page(s).map(either_page)
            } else {
                report::validate_report(s).map(either_report)
            }
        })
        .collect();
    drop(sources);
    let mut reports = Vec::new();
    let mut pages = Vec::new();
    for p in parsed {
        match p {
            Ok(Parsed::Report(r)) => reports.push(*r),
            Ok(Parsed::Page(p)) => pages.push(p),
            Err(ds) => errors.extend(ds),
        }
    }
    timer.lap("parse");

    // Duplicate slugs among every report, drafts included: a draft that collides today
    // breaks the build the day it is published.
    let mut seen: HashMap<&str, &Path> = HashMap::new();
    for r in &reports {
        if let Some(first) = seen.insert(&r.slug, &r.path) {
            errors.push(Diagnostic::error(
                &r.path,
                format!("slug `{}` is already used by {}", r.slug, first.display()),
            ));
        }
    }
    let mut seen_pages: HashMap<&str, &Path> = HashMap::new();
    for p in &pages {
        if let Some(first) = seen_pages.insert(&p.slug, &p.path) {
            errors.push(Diagnostic::error(
                &p.path,
                format!("page slug `{}` is already used by {}", p.slug, first.display()),
            ));
        }
    }

    let now = opts.now;
    let published = |draft: bool, date: Option<DateTime<chrono::FixedOffset>>| {
        (opts.drafts || !draft) && (opts.future || date.is_none_or(|d| d <= now))
    };
    reports.retain(|r| published(r.draft, Some(r.date)));
    pages.retain(|p| published(p.draft, p.date));

    // `@/path.md` links resolve to the published report or page of that source file.
    let mut link_map: HashMap<String, String> = HashMap::new();
    for r in &reports {
        let key = r
            .path
            .strip_prefix("content")
            .unwrap_or(&r.path)
            .to_string_lossy()
            .replace('\\', "/");
        link_map.insert(key, urls.url(&routes::Route::Report { slug: r.slug.clone() }));
    }
    for p in &pages {
        let key = p
            .path
            .strip_prefix("content")
            .unwrap_or(&p.path)
            .to_string_lossy()
            .replace('\\', "/");
        link_map.insert(key, urls.url(&routes::Route::Page { slug: p.slug.clone() }));
    }
    let ticker_url = |t: &cashtag::Ticker| urls.ticker_url(t);
    let resolve = |p: &str| link_map.get(p.trim_start_matches('/')).cloned();
    let settings = BodySettings {
        unsafe_html: config.unsafe_html,
        ticker_url: &ticker_url,
        resolve_internal: &resolve,
    };
    let broken = |path: &Path, body_line: usize, links: &[(String, usize, usize)]| -> Vec<Diagnostic> {
        let text = std::fs::read_to_string(opts.root.join(path)).ok();
        links
            .iter()
            .map(|(target, line, column)| {
                let mut d = Diagnostic::error(
                    path,
                    format!("link to `{target}`, which is not a published report or page"),
                )
                .at_line(text.as_deref(), body_line + line - 1);
                if let Some(p) = d.position.as_mut() {
                    p.column = *column;
                }
                d
            })
            .collect()
    };
    let built: Vec<(Report, Vec<Diagnostic>)> = reports
        .into_par_iter()
        .map(|mut meta| {
            // The Markdown is not needed once rendered; keeping it would double the memory.
            let markdown = std::mem::take(&mut meta.body_markdown);
            let body = (!markdown.trim().is_empty()).then(|| render_body(&markdown, &settings));
            let mut tickers = meta.tickers.clone();
            if let Some(b) = &body {
                for t in &b.tickers {
                    if !tickers.contains(t) {
                        tickers.push(t.clone());
                    }
                }
            }
            let errs = body
                .as_ref()
                .map(|b| broken(&meta.path, meta.body_line, &b.broken_links))
                .unwrap_or_default();
            (Report { meta, body, tickers }, errs)
        })
        .collect();
    let mut reports = Vec::with_capacity(built.len());
    for (r, errs) in built {
        errors.extend(errs);
        reports.push(r);
    }
    let pages: Vec<Page> = pages
        .into_iter()
        .map(|mut meta| {
            let body = render_body(&std::mem::take(&mut meta.body_markdown), &settings);
            errors.extend(broken(&meta.path, meta.body_line, &body.broken_links));
            Page { meta, body }
        })
        .collect();
    timer.lap("render bodies");

    let mut warnings = Vec::new();
    if let Some(info) = &ticker_info {
        let mut warned = HashSet::new();
        for r in &reports {
            for t in &r.tickers {
                if !info.contains_key(t.symbol()) && warned.insert((r.meta.path.clone(), t.clone())) {
                    let text = std::fs::read_to_string(opts.root.join(&r.meta.path)).unwrap_or_default();
                    let needle = format!("${t}");
                    let mut d = Diagnostic::warning(
                        &r.meta.path,
                        format!("ticker `{t}` is not listed in data/tickers.toml; is it a typo?"),
                    );
                    if let Some(i) = text.find(&needle).or_else(|| text.find(&format!("\"{t}\""))) {
                        d = d.at(&text, i);
                    }
                    warnings.push(d);
                }
            }
        }
    }

    let env = match templates::load_templates(&opts.root, &theme, &urls) {
        Ok(env) => Some(env),
        Err(ds) => {
            errors.extend(ds);
            None
        }
    };
    if !errors.is_empty() {
        errors.sort_by(|a, b| (&a.file, a.position).cmp(&(&b.file, b.position)));
        errors.extend(warnings);
        return Err(errors.into());
    }
    let site = site::build_site(reports, pages, ticker_info.unwrap_or_default());
    timer.lap("build site");
    Ok(Prepared {
        config,
        site,
        urls,
        theme,
        env: env.expect("no errors means the templates loaded"),
        warnings,
    })
}

enum Parsed {
    Report(Box<report::ReportMeta>),
    Page(report::PageMeta),
}

fn either_report(r: report::ReportMeta) -> Parsed {
    Parsed::Report(Box::new(r))
}

fn either_page(p: report::PageMeta) -> Parsed {
    Parsed::Page(p)
}

/// Builds the whole site into the output folder. The previous output stays whole until
/// the new site is complete.
pub fn build(opts: &Options) -> Result<Summary, Failure> {
    let mut timer = Timer {
        start: Instant::now(),
        timings: Vec::new(),
    };
    let p = prepare(opts, &mut timer)?;
    let staging = output::prepare_output(&opts.root, &opts.output_dir())?;
    let result = write_site(opts, &p, &staging, &mut timer);
    match result {
        Ok(pages) => {
            let out = staging.commit()?;
            timer.lap("swap");
            Ok(Summary {
                reports: p.site.reports.len(),
                pages,
                warnings: p.warnings,
                timings: timer.timings,
                output: out,
            })
        }
        Err(f) => {
            staging.abandon();
            Err(f)
        }
    }
}

fn write_site(opts: &Options, p: &Prepared, staging: &output::Staging, timer: &mut Timer) -> Result<usize, Failure> {
    match &p.theme {
        templates::ThemeSource::Disk(dir) => staging.copy_static(&opts.root, &dir.join("static"))?,
        templates::ThemeSource::BuiltIn => {
            if let Some(dir) = templates::DEFAULT_THEME.get_dir("static") {
                staging.copy_embedded(dir)?;
            }
        }
    }
    staging.copy_static(&opts.root, &opts.root.join("static"))?;
    timer.lap("copy static");
    let renderer = render::Renderer::new(&p.site, &p.config, &p.urls, &p.env, &opts.root, &p.theme);
    let routes = render::plan_routes(&p.site, &p.config);
    let errors: Vec<Diagnostic> = routes
        .par_iter()
        .filter_map(|route| {
            renderer
                .render_route(route)
                .and_then(|bytes| staging.write(&route.output_file(), &bytes))
                .err()
        })
        .collect();
    timer.lap("render and write pages");
    if errors.is_empty() {
        Ok(routes.len())
    } else {
        let mut errors = errors;
        errors.sort_by(|a, b| (&a.file, a.position).cmp(&(&b.file, b.position)));
        errors.dedup();
        Err(errors.into())
    }
}

/// Validates everything `build` does, plus links, without writing anything.
pub fn check(opts: &Options) -> Result<Summary, Failure> {
    let mut timer = Timer {
        start: Instant::now(),
        timings: Vec::new(),
    };
    let p = prepare(opts, &mut timer)?;
    let renderer = render::Renderer::new(&p.site, &p.config, &p.urls, &p.env, &opts.root, &p.theme);
    let routes = render::plan_routes(&p.site, &p.config);
    let mut files: HashSet<String> = routes
        .iter()
        .map(|r| r.output_file().to_string_lossy().replace('\\', "/"))
        .collect();
    files.extend(static_files(opts, &p.theme));
    let mut errors: Vec<Diagnostic> = routes
        .par_iter()
        .flat_map_iter(|route| match renderer.render_route(route) {
            Err(d) => vec![d],
            Ok(bytes) if route.is_html() => {
                let html = String::from_utf8_lossy(&bytes);
                let page_url = p.urls.url(route);
                linkcheck::broken_links(&html, &page_url, &p.urls.base_path, &files)
                    .into_iter()
                    .map(|href| {
                        Diagnostic::error(
                            route_source(&p.site, route),
                            format!("broken internal link `{href}` on {page_url}"),
                        )
                    })
                    .collect()
            }
            Ok(_) => vec![],
        })
        .collect();
    if !errors.is_empty() {
        errors.sort_by(|a, b| (&a.file, a.position).cmp(&(&b.file, b.position)));
        errors.dedup();
        errors.extend(p.warnings);
        return Err(errors.into());
    }
    Ok(Summary {
        reports: p.site.reports.len(),
        pages: routes.len(),
        warnings: p.warnings,
        timings: timer.timings,
        output: opts.output_dir(),
    })
}

/// The file to blame for a problem on a route's page: the report's or page's source.
fn route_source(site: &Site, route: &routes::Route) -> PathBuf {
    match route {
        routes::Route::Report { slug } | routes::Route::Analysis { slug } => site
            .by_slug
            .get(slug)
            .map_or_else(|| PathBuf::from("content"), |&i| site.reports[i].meta.path.clone()),
        routes::Route::Page { slug } => site
            .pages
            .iter()
            .find(|pg| &pg.meta.slug == slug)
            .map_or_else(|| PathBuf::from("content/pages"), |pg| pg.meta.path.clone()),
        _ => PathBuf::from("templates"),
    }
}

/// Output paths of every static file: the theme's, then the site's.
fn static_files(opts: &Options, theme: &templates::ThemeSource) -> Vec<String> {
    fn walk(dir: &Path) -> Vec<String> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| {
                e.path()
                    .strip_prefix(dir)
                    .ok()
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
            })
            .collect()
    }
    let mut files = match theme {
        templates::ThemeSource::Disk(dir) => walk(&dir.join("static")),
        templates::ThemeSource::BuiltIn => templates::DEFAULT_THEME
            .get_dir("static")
            .map(|d| {
                d.files()
                    .map(|f| {
                        f.path()
                            .strip_prefix("static")
                            .unwrap_or(f.path())
                            .to_string_lossy()
                            .into_owned()
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    files.extend(walk(&opts.root.join("static")));
    files
}

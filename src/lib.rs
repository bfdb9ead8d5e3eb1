//! impress: a static-site generator for impact-analysis publications.
//!
//! The pipeline, one stage per module, each returning a new type:
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
//! `incremental::BuildState` runs these stages and keeps what they made: per source the
//! parsed report and its body, per report its card, per route a fingerprint of its
//! inputs. [`build`] is a rebuild from an empty state into a staging folder; `serve` and
//! `watch` (module `serve`) keep one state and rebuild in place what a change touches,
//! so an incremental result equals a clean build by construction. [`check`] renders
//! every page into memory and checks its internal links (`linkcheck`).
//!
//! Nothing in the library prints or exits: problems come back as [`Diagnostic`]s, and
//! `main.rs` renders them and picks the exit code.

// Diagnostics travel on the error path only, where their size costs nothing measurable;
// boxing every one would only add noise to each signature.
#![allow(clippy::result_large_err)]

mod cache;
mod card;
pub mod cashtag;
mod chart;
pub mod config;
pub mod context;
pub mod diagnostics;
pub mod feeds;
pub mod frontmatter;
pub mod highlight;
mod images;
pub mod incremental;
pub mod linkcheck;
pub mod load;
pub mod markdown;
pub mod memo;
pub mod output;
pub mod render;
pub mod report;
pub mod routes;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod templates;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub use diagnostics::Diagnostic;

use crate::site::{Site, TickerInfo};

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
    /// Nothing changed since the last build into the output folder; nothing was written.
    pub unchanged: bool,
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

/// Phase timings of a build (`--timings`).
pub struct Timer {
    start: Instant,
    /// Each phase and how long it took.
    pub timings: Vec<(&'static str, Duration)>,
}

impl Timer {
    /// Starts timing.
    pub fn start() -> Timer {
        Timer {
            start: Instant::now(),
            timings: Vec::new(),
        }
    }

    /// Ends a phase.
    pub fn lap(&mut self, phase: &'static str) {
        let now = Instant::now();
        self.timings.push((phase, now - self.start));
        self.start = now;
    }
}

pub(crate) fn read_config(opts: &Options) -> Result<config::Config, Failure> {
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

pub(crate) fn read_ticker_info(root: &Path) -> Result<Option<HashMap<String, TickerInfo>>, Failure> {
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

/// Builds the whole site into the output folder. The previous output stays whole until
/// the new site is complete.
pub fn build(opts: &Options) -> Result<Summary, Failure> {
    incremental::full_build(opts)
}

/// Validates everything `build` does, renders every page and checks its internal links,
/// without writing anything.
pub fn check(opts: &Options) -> Result<Summary, Failure> {
    let mut timer = Timer::start();
    let mut state = incremental::BuildState::new(opts.clone());
    let stats = state.rebuild(&incremental::Changes::All, &incremental::Target::Check, &mut timer)?;
    Ok(Summary {
        reports: stats.reports,
        pages: stats.routes,
        unchanged: false,
        warnings: state.ticker_warnings(),
        timings: timer.timings,
        output: opts.output_dir(),
    })
}

/// The file to blame for a problem on a route's page: the report's or page's source.
pub(crate) fn route_source(site: &Site, route: &routes::Route) -> PathBuf {
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

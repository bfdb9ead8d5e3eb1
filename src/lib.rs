//! impress: a static-site generator for impact-analysis publications.
//!
//! The pipeline, one stage per module, each returning a new type. `build::rebuild` is the
//! driver: its lines name these stages in order.
//!
//! ```text
//! config.toml, data/, theme, templates/, static/ ──inputs──▶ Inputs
//!     (config::read_config, site::read_ticker_info + read_author_info, templates; kept
//!      while only content changes)
//! content/**.md ──load──▶ Source ──frontmatter+report──▶ ReportMeta / PageMeta
//!     (incremental::BuildState::refresh_sources: changed files only; every error collected)
//! ReportMeta ──BuildState::published──▶ Content (duplicate slugs, drafts, scheduled;
//!     check::check_areas against `[impact] areas`)
//! Content ──body::LinkMap──▶ `@/` targets ──body (markdown+cashtag+highlight)──▶
//!     Rendered<Report> { Report { meta, Body { toc, tickers, .. } }, PackedHtml, ReportFp }
//! Vec<Rendered> ──layout (site::build_site)──▶ Layout { Site, cards, Vec<Route>, fingerprints }
//!     (fingerprint::shown says which reports each route shows; then body::site_link_errors
//!      refuses a root-relative link that names no file, aliases::alias_conflicts an
//!      alias that is a page's or another alias's path)
//! Layout ──BuildState::stale_routes──▶ routes to render
//!     ──render::Renderer::render_all (rayon; the search index (search.rs: words of every
//!       report and body -> word parts, document shards), feeds, sitemaps (sitemap.rs) and
//!       redirect pages (aliases.rs) first, then one job per report
//!       that owns its body's HTML)──▶ bytes
//!     ──output::write_output──▶ Sink::Staging (swapped in whole) | InPlace | Check (check.rs)
//! ```
//!
//! [`build()`] is a rebuild from an empty state into a staging folder, [`check()`] one into
//! nothing; `serve` and `watch` (module `serve`) keep one [`incremental::BuildState`] and
//! rebuild in place what a change touches, with the same driver, so an incremental result
//! equals a clean build by construction.
//!
//! Nothing in the library prints or exits: problems come back as [`Diagnostic`]s, and
//! `main.rs` renders them and picks the exit code.

// Diagnostics travel on the error path only, where their size costs nothing measurable;
// boxing every one would only add noise to each signature.
#![allow(clippy::result_large_err)]

mod aliases;
mod body;
pub mod build;
mod cache;
mod card;
pub mod cashtag;
mod chart;
mod check;
pub mod config;
mod context;
pub mod diagnostics;
mod feeds;
mod fingerprint;
pub mod frontmatter;
mod hash;
mod highlight;
mod images;
pub mod incremental;
mod inline;
mod inputs;
mod jsonld;
mod layout;
mod linkcheck;
pub mod load;
mod markdown;
mod memo;
pub mod output;
mod pictures;
mod rawfront;
mod related;
mod render;
pub mod report;
mod routes;
pub mod scaffold;
mod search;
pub mod serve;
mod site;
mod sitemap;
mod templates;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub use diagnostics::Diagnostic;

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
    /// The site's path (`/`, or `/impact/` under a sub-path).
    pub base_path: String,
}

/// A failed build: every problem found.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Errors first, then warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl Failure {
    /// Every problem, by file and position, once each.
    pub(crate) fn sorted(errors: Vec<Diagnostic>) -> Failure {
        diagnostics::merge_repeats(errors).into()
    }
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

/// Builds the whole site into the output folder. The previous output stays whole until
/// the new site is complete.
pub fn build(opts: &Options) -> Result<Summary, Failure> {
    build::full_build(opts)
}

/// Validates everything `build` does, renders every page and checks its internal links,
/// without writing anything.
pub fn check(opts: &Options) -> Result<Summary, Failure> {
    build::check(opts)
}

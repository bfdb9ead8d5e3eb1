//! [`BuildState`]: what serve and watch keep between rebuilds, and what changed.
//!
//! Per source it keeps the text's hash and the parsed report or page with its rendered
//! body; the inputs that are not content (settings, templates, static files); the card
//! values; the last layout; and what was written. Each method is one stage of the
//! driver (`build::rebuild`) and does only what the change needs: a source whose text did
//! not change is not parsed again, a body whose text and links did not change is not
//! rendered again, and a save of a report reuses the settings, templates and static files.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::body::{render_page, render_report, BodyContext, Rendered};
use crate::diagnostics::Diagnostic;
use crate::hash::hash_of;
use crate::inputs::{read_inputs, Inputs};
use crate::layout::{lay_out, CardCache, Layout, LayoutInputs, ReportEntry};
use crate::load;
use crate::output::Written;
use crate::report::{self, PageMeta, ReportMeta};
use crate::serve::watch::{classify, ChangeKind};
use crate::site::{Page, Report};
use crate::{Failure, Options, Timer};

/// Which files changed since the last rebuild.
#[derive(Debug, Clone)]
pub enum Changes {
    /// Re-read everything (first build, a moved folder, or unknown changes).
    All,
    /// These site-relative paths were created, changed or deleted.
    Paths(Vec<PathBuf>),
}

impl Changes {
    /// True when something besides content changed: settings, data, templates or
    /// static files are read again only then.
    fn touches_inputs(&self) -> bool {
        match self {
            Changes::All => true,
            Changes::Paths(paths) => paths
                .iter()
                .any(|p| classify(p).is_some_and(|k| k != ChangeKind::Content)),
        }
    }
}

#[derive(Clone)]
enum Parsed {
    Report(Arc<ReportMeta>),
    Page(Arc<PageMeta>),
}

struct SourceEntry {
    text_hash: u64,
    /// The front matter alone: what a report's card is made of.
    front_hash: u64,
    parsed: Result<Parsed, Vec<Diagnostic>>,
    /// The published report with its body, kept beside its source so that a rebuild
    /// finds it without a lookup.
    report: Option<Rendered<Report>>,
}

/// What one rebuild did.
#[derive(Debug, Clone, Default)]
pub struct RebuildStats {
    /// Routes rendered.
    pub rendered: usize,
    /// Pages written (never more than `rendered`: a page whose bytes did not change is not).
    pub written: usize,
    /// Static files copied.
    pub static_written: usize,
    /// Files deleted.
    pub deleted: usize,
    /// Routes in the site.
    pub routes: usize,
    /// Reports published.
    pub reports: usize,
    /// Nothing changed since the build in the output folder: nothing was done.
    pub unchanged: bool,
}

/// The published sources of this rebuild.
pub(crate) struct Content {
    /// Reports, in no particular order: everything downstream sorts what it shows.
    pub reports: Vec<Arc<ReportMeta>>,
    /// Plain pages.
    pub pages: Vec<Arc<PageMeta>>,
}

/// Every published report and page with its body, and what the site's shape depends on.
pub(crate) struct Bodies {
    /// Every report.
    pub reports: Vec<ReportEntry>,
    /// Indexes into `reports` of those rendered again in this rebuild.
    pub changed: Vec<usize>,
    /// Every plain page.
    pub pages: Vec<Arc<Page>>,
    /// Which reports and pages there are and what their cards show.
    pub layout_key: u64,
}

/// The caches of one site, kept by `serve` and `watch` between rebuilds.
pub struct BuildState {
    opts: Options,
    inputs: Option<Arc<Inputs>>,
    global_hash: Option<u64>,
    sources: HashMap<PathBuf, SourceEntry>,
    pages: HashMap<PathBuf, Rendered<Page>>,
    cards: CardCache,
    last: Option<Layout>,
    /// What the output holds.
    pub(crate) written: Written,
    /// A one-off build: nothing is rebuilt later, so bodies may go once written.
    one_shot: bool,
}

impl BuildState {
    /// An empty state for serve and watch: the first rebuild builds everything.
    pub fn new(opts: Options) -> BuildState {
        BuildState {
            opts,
            inputs: None,
            global_hash: None,
            sources: HashMap::new(),
            pages: HashMap::new(),
            cards: CardCache::default(),
            last: None,
            written: Written::default(),
            one_shot: false,
        }
    }

    /// An empty state for one build (`build`, `check`).
    pub(crate) fn one_shot(opts: Options) -> BuildState {
        BuildState {
            one_shot: true,
            ..BuildState::new(opts)
        }
    }

    /// The site's path, once the settings have been read (`/` before).
    pub fn base_path(&self) -> String {
        self.inputs
            .as_ref()
            .map_or_else(|| "/".into(), |i| i.urls.base_path.clone())
    }

    /// The options this state builds with.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// True for a one-off build.
    pub(crate) fn is_one_shot(&self) -> bool {
        self.one_shot
    }

    /// The inputs that are not content: kept while only content changes. New settings
    /// (or ticker names, or flags) make every page and card stale.
    pub(crate) fn refresh_inputs(&mut self, changes: &Changes) -> Result<Arc<Inputs>, Failure> {
        if let Some(inputs) = self.inputs.as_ref().filter(|_| !changes.touches_inputs()) {
            return Ok(inputs.clone());
        }
        self.inputs = None;
        let inputs = Arc::new(read_inputs(&self.opts)?);
        if self.global_hash != Some(inputs.global_hash) {
            self.cards.clear();
            self.written = Written::default();
            self.last = None;
            for entry in self.sources.values_mut() {
                entry.report = None;
            }
            self.pages.clear();
            self.global_hash = Some(inputs.global_hash);
        }
        self.inputs = Some(inputs.clone());
        Ok(inputs)
    }

    /// Reads and parses the sources that changed (all of them the first time).
    pub(crate) fn refresh_sources(&mut self, changes: &Changes) -> Result<Vec<Diagnostic>, Failure> {
        let changes = if self.sources.is_empty() {
            &Changes::All
        } else {
            changes
        };
        let paths = self.changed_sources(changes)?;
        // Each file is read, parsed and let go in one step, so that a large site's sources
        // are never all in memory at once.
        let (root, known) = (&self.opts.root, &self.sources);
        let results: Vec<Result<Option<(PathBuf, SourceEntry)>, Diagnostic>> = paths
            .par_iter()
            .map(|path| {
                let s = load::read_source(root, path)?;
                let text_hash = hash_of(&s.text);
                if known.get(&s.path).is_some_and(|e| e.text_hash == text_hash) {
                    return Ok(None);
                }
                let parsed = if s.is_plain_page() {
                    report::validate_page(&s).map(|p| Parsed::Page(Arc::new(p)))
                } else {
                    report::validate_report(&s).map(|r| Parsed::Report(Arc::new(r)))
                };
                let front_hash = crate::frontmatter::split_front_matter(&s.path, &s.text)
                    .map(|split| hash_of(split.front))
                    .unwrap_or(0);
                let entry = SourceEntry {
                    text_hash,
                    front_hash,
                    parsed,
                    report: None,
                };
                Ok(Some((s.path, entry)))
            })
            .collect();
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(Some((path, entry))) => {
                    self.sources.insert(path, entry);
                }
                Ok(None) => {}
                Err(d) => errors.push(d),
            }
        }
        Ok(errors)
    }

    /// The sources to read again; forgets those that are gone.
    fn changed_sources(&mut self, changes: &Changes) -> Result<Vec<PathBuf>, Failure> {
        let root = &self.opts.root;
        let changed = match changes {
            Changes::All => {
                let paths = load::list_sources(root)?;
                let keep: HashSet<&PathBuf> = paths.iter().collect();
                self.sources.retain(|p, _| keep.contains(p));
                return Ok(paths);
            }
            Changes::Paths(changed) => changed,
        };
        self.forget_pictures(changed);
        let root = &self.opts.root;
        let mut present = Vec::new();
        for p in changed.iter().filter(|p| p.starts_with("content")) {
            let full = root.join(p);
            if full.is_dir() {
                // A folder created or moved in: every report inside it.
                let all = load::list_sources(root)?;
                present.extend(all.into_iter().filter(|s| s.starts_with(p)));
            } else if full.is_file() {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if load::is_source_name(&name) {
                    present.push(p.clone());
                }
            } else {
                // Gone: a file, or a folder with everything in it.
                self.sources.retain(|k, _| !k.starts_with(p));
            }
        }
        present.sort();
        present.dedup();
        Ok(present)
    }

    /// Forgets the rendered reports whose pictures a change touches: the report whose
    /// bundle holds a changed file, and every report showing an image of static/.
    fn forget_pictures(&mut self, changed: &[PathBuf]) {
        for p in changed {
            if p.starts_with("static") {
                for entry in self.sources.values_mut() {
                    if entry.report.as_ref().is_some_and(|r| r.item.pictures.uses_static) {
                        entry.report = None;
                    }
                }
            } else if p.starts_with("content") {
                let owner = p
                    .ancestors()
                    .skip(1)
                    .map(|a| a.join("index.md"))
                    .find(|i| i != p && self.sources.contains_key(i));
                if let Some(entry) = owner.and_then(|i| self.sources.get_mut(&i)) {
                    entry.report = None;
                }
            }
        }
    }

    /// The reports and pages to publish, and every file's errors. Duplicate slugs are
    /// checked among every report, drafts included: a draft that collides today breaks
    /// the build the day it is published.
    pub(crate) fn published(&self, errors: &mut Vec<Diagnostic>) -> Content {
        let mut reports: Vec<Arc<ReportMeta>> = Vec::new();
        let mut pages: Vec<Arc<PageMeta>> = Vec::new();
        for entry in self.sources.values() {
            match &entry.parsed {
                Ok(Parsed::Report(r)) => reports.push(r.clone()),
                Ok(Parsed::Page(pg)) => pages.push(pg.clone()),
                Err(ds) => errors.extend(ds.iter().cloned()),
            }
        }
        crate::site::check_duplicates(
            reports.iter().map(|m| (m.slug.as_str(), m.path.as_path())),
            "slug",
            errors,
        );
        crate::site::check_duplicates(
            pages.iter().map(|m| (m.slug.as_str(), m.path.as_path())),
            "page slug",
            errors,
        );
        reports.retain(|r| self.is_published(r.draft, Some(r.date)));
        pages.retain(|p| self.is_published(p.draft, p.date));
        Content { reports, pages }
    }

    fn is_published(&self, draft: bool, date: Option<chrono::DateTime<chrono::FixedOffset>>) -> bool {
        let opts = &self.opts;
        (opts.drafts || !draft) && (opts.future || date.is_none_or(|d| d <= opts.now))
    }

    /// The sources that failed validation.
    pub(crate) fn failed_sources(&self) -> impl Iterator<Item = &Path> {
        self.sources
            .iter()
            .filter(|(_, e)| e.parsed.is_err())
            .map(|(p, _)| p.as_path())
    }

    /// A hash of every input of a one-off build: when the output's manifest holds the
    /// same, the build has nothing to do.
    pub(crate) fn input_hash(&self, inputs: &Inputs, content: &Content) -> u64 {
        let mut sum: u64 = 0;
        for (p, e) in &self.sources {
            sum = sum.wrapping_add(hash_of(&(p, e.text_hash)));
        }
        // Which reports are published depends on the clock too (scheduled reports).
        for path in content
            .reports
            .iter()
            .map(|m| &m.path)
            .chain(content.pages.iter().map(|m| &m.path))
        {
            sum = sum.wrapping_add(hash_of(&(path, "published")));
        }
        // Bundle files are inputs too: a changed picture is a changed site.
        for dir in content.reports.iter().filter_map(|m| m.bundle_dir()) {
            let files = walkdir::WalkDir::new(self.opts.root.join(dir))
                .into_iter()
                .filter_map(Result::ok);
            for f in files.filter(|f| f.file_type().is_file()) {
                let bytes = std::fs::read(f.path()).unwrap_or_default();
                sum = sum.wrapping_add(hash_of(&(f.path(), crate::hash::content_hash(&bytes))));
            }
        }
        // A drawn chart ends at the last price on or before the build's date.
        let prices = inputs.prices.hash();
        let today = (prices != 0).then(|| self.opts.now.date_naive());
        hash_of(&(
            inputs.global_hash,
            inputs.files_hash,
            (prices, today),
            sum,
            env!("CARGO_PKG_VERSION"),
            crate::templates::builtin_hash(),
            binary_identity(),
        ))
    }

    /// Renders the bodies of published reports and pages that are new or whose text or
    /// link targets moved, in place beside their sources; collects their link errors.
    pub(crate) fn render_bodies(
        &mut self,
        content: &Content,
        cx: &BodyContext<'_>,
        errors: &mut Vec<Diagnostic>,
    ) -> Bodies {
        let published: HashSet<&Path> = content.reports.iter().map(|m| m.path.as_path()).collect();
        let rerendered: HashSet<PathBuf> = self
            .sources
            .par_iter_mut()
            .filter_map(|(path, entry)| {
                let meta = match &entry.parsed {
                    Ok(Parsed::Report(m)) if published.contains(path.as_path()) => m,
                    _ => {
                        entry.report = None;
                        return None;
                    }
                };
                let fresh = entry.report.as_ref().is_some_and(|r| {
                    let targets = r.item.body.as_ref().map_or(&[][..], |b| &b.internal_links[..]);
                    r.is_fresh(entry.text_hash, targets, cx.links)
                });
                if fresh {
                    return None;
                }
                entry.report = Some(render_report(meta, entry.text_hash, entry.front_hash, cx));
                Some(path.clone())
            })
            .collect();
        let mut layout_key = 0u64;
        let mut changed = Vec::new();
        let mut reports = Vec::with_capacity(content.reports.len());
        // A one-off build hands each body over: the job that writes it lets go of it.
        let give = self.one_shot;
        for (path, entry) in &mut self.sources {
            let Some(r) = &mut entry.report else { continue };
            errors.extend(r.errors.iter().cloned());
            layout_key = layout_key.wrapping_add(r.layout_hash);
            if rerendered.contains(path) {
                changed.push(reports.len());
            }
            let html = if give { r.html.take() } else { r.html.clone() };
            reports.push((r.item.clone(), r.fp, html));
        }
        for m in &content.pages {
            let text_hash = self.sources.get(&m.path).map_or(0, |e| e.text_hash);
            let fresh = self
                .pages
                .get(&m.path)
                .is_some_and(|r| r.is_fresh(text_hash, &r.item.body.internal_links, cx.links));
            if !fresh {
                self.pages.insert(m.path.clone(), render_page(m, text_hash, cx));
            }
        }
        let live: HashSet<&PathBuf> = content.pages.iter().map(|m| &m.path).collect();
        self.pages.retain(|p, _| live.contains(p));
        let pages = content
            .pages
            .iter()
            .map(|m| {
                let r = &self.pages[&m.path];
                errors.extend(r.errors.iter().cloned());
                layout_key = layout_key.wrapping_add(r.layout_hash);
                r.item.clone()
            })
            .collect();
        Bodies {
            reports,
            changed,
            pages,
            layout_key,
        }
    }

    /// The layout of this rebuild and the routes to look at: the last layout with new
    /// bodies swapped in while the site's shape holds, else a new one with every route.
    pub(crate) fn lay_out(&mut self, bodies: Bodies, inputs: &Inputs, timer: &mut Timer) -> (Layout, Vec<usize>) {
        let Bodies {
            mut reports,
            changed,
            pages,
            layout_key,
        } = bodies;
        let key = layout_key.wrapping_add(hash_of(&(&inputs.template_hashes, inputs.prices.hash())));
        let sources = &self.sources;
        let page_hash = |p: &Path| sources.get(p).map_or(0, |e| e.text_hash);
        let layout_inputs = LayoutInputs {
            config: &inputs.config,
            urls: &inputs.urls,
            templates: &inputs.template_hashes,
            ticker_info: &inputs.ticker_info,
            author_info: &inputs.author_info,
            prices: &inputs.prices,
            now: self.opts.now,
            page_hash: &page_hash,
        };
        match self.last.take().filter(|l| l.key == key) {
            Some(mut layout) => {
                // Only bodies changed (the cards did not, or the key would differ).
                let changed: Vec<ReportEntry> = changed.into_iter().rev().map(|i| reports.swap_remove(i)).collect();
                let candidates = layout.take_bodies(changed, &layout_inputs);
                timer.lap("update site");
                (layout, candidates)
            }
            None => {
                let layout = lay_out(reports, pages, key, &layout_inputs, &mut self.cards);
                timer.lap("build site");
                let all = (0..layout.routes.len()).collect();
                (layout, all)
            }
        }
    }

    /// Of `candidates`, the routes whose fingerprint differs from what was last written.
    pub(crate) fn stale_routes(&self, layout: &Layout, candidates: Vec<usize>) -> Vec<usize> {
        candidates
            .into_iter()
            .filter(|&i| !self.written.is_current(&layout.routes[i], layout.fingerprints[i]))
            .collect()
    }

    /// Keeps the layout for the next rebuild.
    pub(crate) fn keep(&mut self, layout: Layout) {
        self.last = Some(layout);
    }

    /// Every published report, by source path.
    pub(crate) fn published_reports(&self) -> Vec<&Report> {
        let mut reports: Vec<&Report> = self
            .sources
            .values()
            .filter_map(|e| e.report.as_ref())
            .map(|r| r.item.as_ref())
            .collect();
        reports.sort_by(|a, b| a.meta.path.cmp(&b.meta.path));
        reports
    }

    /// The warnings of the last rebuild: raw HTML left out of bodies, and cashtags that
    /// data/tickers.toml does not list. By file, then position.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        let published = self.published_reports();
        let mut warnings = crate::check::ticker_warnings(&self.opts.root, &published);
        warnings.extend(crate::check::term_warnings(&self.opts.root, &published));
        let reports = self.sources.values().filter_map(|e| e.report.as_ref()).filter_map(|r| {
            let body = r.item.body.as_ref()?;
            Some((&r.item.meta.path, r.item.meta.body_line, body.dropped_html.as_ref()?))
        });
        let pages = self.pages.values().filter_map(|r| {
            let p = &r.item;
            Some((&p.meta.path, p.meta.body_line, p.body.dropped_html.as_ref()?))
        });
        for (path, body_line, dropped) in reports.chain(pages) {
            let text = std::fs::read_to_string(self.opts.root.join(path)).ok();
            warnings.push(dropped.warning(path, text.as_deref(), body_line));
        }
        warnings.sort_by(|a, b| (&a.file, a.position).cmp(&(&b.file, b.position)));
        warnings
    }
}

/// The running binary's size and time: a new impress (even of the same version) may
/// render differently, so its output is not "unchanged".
fn binary_identity() -> Option<(u64, std::time::SystemTime)> {
    let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

//! [`BuildState`]: the caches that make a rebuild do only what a change needs, and the
//! one code path every build takes (`build` is a rebuild from an empty state, so an
//! incremental result equals a clean build by construction).
//!
//! Per source it keeps the text's hash and the parsed report or page with its rendered
//! body; per report the template value of its card; per route a fingerprint of every input
//! the page shows and the hash of the bytes last written. A rebuild re-reads the changed
//! files, rebuilds the cheap [`Site`] whole, re-renders routes whose fingerprint moved,
//! writes only bytes that changed and deletes the files of routes that vanished.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::Value;
use rayon::prelude::*;

use crate::cashtag::Ticker;
use crate::config::Config;
use crate::context::{report_value, TermValues};
use crate::diagnostics::Diagnostic;
use crate::load;
use crate::markdown::{render_body, BodySettings};
use crate::memo::Fingerprinted;
use crate::output::{self, Staging};
use crate::render::{plan_routes, Renderer, ReportValues};
use crate::report::{self, PageMeta, ReportMeta};
use crate::routes::{Route, Taxonomy, Urls};
use crate::site::{build_site, Page, Report, Site};
use crate::templates::{self, ThemeSource};
use crate::{read_config, read_ticker_info, Failure, Options, Summary, Timer};

/// Which files changed since the last rebuild.
#[derive(Debug, Clone)]
pub enum Changes {
    /// Re-read everything (first build, a moved folder, or unknown changes).
    All,
    /// These site-relative paths were created, changed or deleted.
    Paths(Vec<PathBuf>),
}

/// Where pages go.
pub enum Target<'a> {
    /// A fresh staging folder: every file is written, nothing is deleted.
    Staging(&'a Staging),
    /// The live output folder: files are replaced atomically, and only when changed.
    InPlace(&'a Path),
    /// Nowhere: render every page and check its internal links (`impress check`).
    Check,
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

struct Rendered<T> {
    text_hash: u64,
    links_hash: u64,
    /// What listings show of it: front matter, reading time, body cashtags and mentions.
    card_fp: u64,
    /// All of it, the body's HTML included.
    full_fp: u64,
    /// Its share of the site's shape: its path and card.
    layout_hash: u64,
    item: Arc<T>,
    errors: Vec<Diagnostic>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct RouteRecord {
    fingerprint: u64,
    bytes_hash: u64,
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

/// The last site, its cards, routes and their fingerprints, kept while its shape holds.
struct Layout {
    key: u64,
    site: Site,
    report_fps: Vec<(u64, u64)>,
    cards: Vec<Value>,
    terms: TermValues,
    routes: Vec<Route>,
    index: rustc_hash::FxHashMap<Route, usize>,
    fingerprints: Vec<u64>,
}

/// The caches of one site, kept by `serve` and `watch` between rebuilds.
pub struct BuildState {
    opts: Options,
    global_hash: Option<u64>,
    sources: HashMap<PathBuf, SourceEntry>,
    pages: HashMap<PathBuf, Rendered<Page>>,
    // Lookup tables only (never fingerprints): a fast hash is fine here.
    cards: rustc_hash::FxHashMap<u64, Value>,
    routes: rustc_hash::FxHashMap<Route, RouteRecord>,
    statics: HashMap<PathBuf, u64>,
    term_names: HashMap<(Taxonomy, String), String>,
    last: Option<Layout>,
    input_hash: u64,
    /// A one-off build: nothing is rebuilt later, so bodies may go once written.
    one_shot: bool,
    /// The output's manifest was dropped before the first in-place write.
    manifest_forgotten: bool,
}

/// The spelling of a report's renamed terms.
fn names_hash(r: &Report, site: &Site, renamed: &HashSet<(Taxonomy, String)>) -> u64 {
    let m = &r.meta;
    let terms = m
        .tags
        .iter()
        .map(|t| (Taxonomy::Tags, t))
        .chain(m.category.iter().map(|t| (Taxonomy::Categories, t)))
        .chain(m.scores.iter().map(|s| (Taxonomy::Impact, &s.area)))
        .chain(m.primary_impact.iter().map(|t| (Taxonomy::Impact, t)))
        .chain(m.ripple_effects.iter().map(|t| (Taxonomy::Impact, t)))
        .chain(m.stakeholders.iter().map(|s| (Taxonomy::Stakeholders, &s.who)));
    let mut h = DefaultHasher::new();
    for (taxonomy, t) in terms {
        if renamed.contains(&(taxonomy, t.slug.clone())) {
            site.term_name(taxonomy, &t.slug, &t.name).hash(&mut h);
        }
    }
    h.finish()
}

/// Hash of a file's bytes: xxh3, an order of magnitude faster than SipHash on the
/// gigabyte of pages a large site writes.
pub(crate) fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

pub(crate) fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

fn content_key(path: &Path) -> String {
    path.strip_prefix("content")
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

impl BuildState {
    /// An empty state: the first rebuild builds everything.
    pub fn new(opts: Options) -> BuildState {
        BuildState {
            opts,
            global_hash: None,
            sources: HashMap::new(),
            pages: HashMap::new(),
            cards: Default::default(),
            routes: Default::default(),
            statics: HashMap::new(),
            term_names: HashMap::new(),
            last: None,
            input_hash: 0,
            one_shot: false,
            manifest_forgotten: false,
        }
    }

    /// The options this state builds with.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    fn reset_outputs(&mut self) {
        self.cards.clear();
        self.routes.clear();
        self.statics.clear();
        self.term_names.clear();
        self.last = None;
        for entry in self.sources.values_mut() {
            entry.report = None;
        }
        self.pages.clear();
    }

    fn refresh_sources(&mut self, changes: &Changes) -> Result<Vec<Diagnostic>, Failure> {
        let root = self.opts.root.clone();
        let paths: Vec<PathBuf> = match changes {
            Changes::All => {
                let paths = load::list_sources(&root)?;
                let keep: HashSet<&PathBuf> = paths.iter().collect();
                self.sources.retain(|p, _| keep.contains(p));
                paths
            }
            Changes::Paths(changed) => {
                let mut present = Vec::new();
                for p in changed {
                    if !p.starts_with("content") {
                        continue;
                    }
                    let full = root.join(p);
                    if full.is_dir() {
                        // A folder created or moved in: every report inside it.
                        let all = load::list_sources(&root)?;
                        present.extend(all.into_iter().filter(|s| s.starts_with(p)));
                    } else if full.is_file() {
                        let name = p
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        if name.ends_with(".md") && !load::is_editor_temp(&name) {
                            present.push(p.clone());
                        }
                    } else {
                        // Gone: a file, or a folder with everything in it.
                        self.sources.retain(|k, _| !k.starts_with(p));
                    }
                }
                present.sort();
                present.dedup();
                present
            }
        };
        // Each file is read, parsed and let go in one step, so that a large site's sources
        // are never all in memory at once.
        let known = &self.sources;
        let results: Vec<Result<Option<(PathBuf, SourceEntry)>, Diagnostic>> = paths
            .par_iter()
            .map(|path| {
                let s = load::read_source(&root, path)?;
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
                Ok(Some((
                    s.path,
                    SourceEntry {
                        text_hash,
                        front_hash,
                        parsed,
                        report: None,
                    },
                )))
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

    /// Rebuilds after `changes`, writing into `target`.
    pub fn rebuild(
        &mut self,
        changes: &Changes,
        target: &Target<'_>,
        timer: &mut Timer,
    ) -> Result<RebuildStats, Failure> {
        let opts = self.opts.clone();
        let config = read_config(&opts)?;
        let ticker_info = read_ticker_info(&opts.root)?;
        let theme = templates::find_theme(&opts.root, &config)?;
        let urls = Urls {
            base_url: config.base_url.clone(),
            base_path: config.base_path.clone(),
        };
        let env = templates::load_templates(&opts.root, &theme, &urls);
        let global_hash = hash_of(&(
            format!("{config:?}"),
            ticker_info.as_ref().map(|m| {
                let mut v: Vec<_> = m.iter().map(|(k, v)| format!("{k}{v:?}")).collect();
                v.sort();
                v
            }),
            opts.drafts,
            opts.future,
        ));
        if self.global_hash != Some(global_hash) {
            self.reset_outputs();
            self.global_hash = Some(global_hash);
        }
        let template_hashes = templates::template_hashes(&opts.root, &theme);
        let changes = if self.sources.is_empty() {
            &Changes::All
        } else {
            changes
        };
        let mut errors = self.refresh_sources(changes)?;
        timer.lap("load and parse");

        // Gather what parsed, and every file's errors.
        let mut metas: Vec<Arc<ReportMeta>> = Vec::new();
        let mut page_metas: Vec<Arc<PageMeta>> = Vec::new();
        // In no particular order: everything downstream sorts what it shows.
        for entry in self.sources.values() {
            match &entry.parsed {
                Ok(Parsed::Report(r)) => metas.push(r.clone()),
                Ok(Parsed::Page(pg)) => page_metas.push(pg.clone()),
                Err(ds) => errors.extend(ds.iter().cloned()),
            }
        }
        // Duplicate slugs among every report, drafts included: a draft that collides today
        // breaks the build the day it is published.
        check_duplicates(
            metas.iter().map(|m| (m.slug.as_str(), m.path.as_path())),
            "slug",
            &mut errors,
        );
        check_duplicates(
            page_metas.iter().map(|m| (m.slug.as_str(), m.path.as_path())),
            "page slug",
            &mut errors,
        );
        let now = opts.now;
        let published = |draft: bool, date: Option<chrono::DateTime<chrono::FixedOffset>>| {
            (opts.drafts || !draft) && (opts.future || date.is_none_or(|d| d <= now))
        };
        metas.retain(|r| published(r.draft, Some(r.date)));
        page_metas.retain(|p| published(p.draft, p.date));
        let statics = static_files(&opts.root, &theme)?;

        // A one-off build into a folder whose last build had exactly these inputs has
        // nothing to do. serve and watch never take this path: their state must hold a
        // record of every route it wrote, or the staging folder they swap in is empty
        // (issue 9: restarting emptied the site).
        if let (Target::Staging(staging), true) = (target, self.one_shot) {
            let mut sum: u64 = 0;
            for (p, e) in &self.sources {
                sum = sum.wrapping_add(hash_of(&(p, e.text_hash)));
            }
            // Which reports are published depends on the clock too (scheduled reports).
            for m in &metas {
                sum = sum.wrapping_add(hash_of(&(&m.path, "published")));
            }
            for m in &page_metas {
                sum = sum.wrapping_add(hash_of(&(&m.path, "published")));
            }
            let input_hash = hash_of(&(
                global_hash,
                &template_hashes,
                sum,
                statics.iter().map(|(p, b)| (p, content_hash(b))).collect::<Vec<_>>(),
                env!("CARGO_PKG_VERSION"),
                templates::builtin_hash(),
                binary_identity(),
            ));
            self.input_hash = input_hash;
            let same = staging.previous.as_ref().is_some_and(|m| {
                m.input == input_hash && m.files.par_iter().all(|(p, _)| staging.output.join(p).is_file())
            });
            if errors.is_empty() && same {
                return Ok(RebuildStats {
                    unchanged: true,
                    reports: metas.len(),
                    ..RebuildStats::default()
                });
            }
        }

        // `@/path.md` links resolve to the published report or page of that source file.
        let mut link_map: HashMap<String, String> = HashMap::new();
        for r in &metas {
            link_map.insert(content_key(&r.path), urls.url(&Route::Report { slug: r.slug.clone() }));
        }
        for p in &page_metas {
            link_map.insert(content_key(&p.path), urls.url(&Route::Page { slug: p.slug.clone() }));
        }
        let resolve = |p: &str| link_map.get(p.trim_start_matches('/')).cloned();
        let links_hash = |targets: &[String]| {
            if targets.is_empty() {
                0
            } else {
                hash_of(&targets.iter().map(|t| resolve(t)).collect::<Vec<_>>())
            }
        };
        let ticker_url = |t: &Ticker| urls.ticker_url(t);
        let settings = BodySettings {
            unsafe_html: config.unsafe_html,
            ticker_url: &ticker_url,
            resolve_internal: &resolve,
        };
        let root = opts.root.clone();

        // Render the bodies of published reports that are new or whose text or link
        // targets moved, in place beside their sources.
        let rerendered: Vec<PathBuf> = self
            .sources
            .par_iter_mut()
            .filter_map(|(path, entry)| {
                let meta = match &entry.parsed {
                    Ok(Parsed::Report(m)) if published(m.draft, Some(m.date)) => m,
                    _ => {
                        entry.report = None;
                        return None;
                    }
                };
                let fresh = entry.report.as_ref().is_some_and(|r| {
                    r.text_hash == entry.text_hash
                        && r.links_hash == links_hash(r.item.body.as_ref().map_or(&[], |b| &b.internal_links))
                });
                if fresh {
                    return None;
                }
                let report = render_report(meta, &settings, &root);
                let targets = report.body.as_ref().map_or(&[][..], |b| &b.internal_links);
                let errors = broken_links(&root, path, meta.body_line, &report);
                let card_fp = hash_of(&(
                    entry.front_hash,
                    path,
                    &report.tickers,
                    report.body.as_ref().map(|b| (b.words.div_ceil(220), &b.mentions)),
                ));
                let full_fp = hash_of(&(card_fp, report.body.as_ref().map(|b| &b.html)));
                entry.report = Some(Rendered {
                    text_hash: entry.text_hash,
                    links_hash: links_hash(targets),
                    card_fp,
                    full_fp,
                    layout_hash: hash_of(&(path, card_fp)),
                    item: Arc::new(report),
                    errors,
                });
                Some(path.clone())
            })
            .collect();
        let mut fps_by_report: rustc_hash::FxHashMap<usize, (u64, u64)> = Default::default();
        // What the site's shape depends on: which reports are published and their cards.
        // While it holds, a rebuild keeps the last site and only swaps changed bodies in.
        let mut layout_key = hash_of(&template_hashes);
        let reports: Vec<Arc<Report>> = self
            .sources
            .values()
            .filter_map(|e| e.report.as_ref())
            .map(|r| {
                errors.extend(r.errors.iter().cloned());
                fps_by_report.insert(Arc::as_ptr(&r.item) as usize, (r.card_fp, r.full_fp));
                layout_key = layout_key.wrapping_add(r.layout_hash);
                r.item.clone()
            })
            .collect();
        let text_hash_of = |p: &Path| self.sources.get(p).map_or(0, |e| e.text_hash);
        let pages: Vec<Arc<Page>> = {
            for m in &page_metas {
                let stale = self.pages.get(&m.path).is_none_or(|r| {
                    r.text_hash != text_hash_of(&m.path) || r.links_hash != links_hash(&r.item.body.internal_links)
                });
                if stale {
                    let markdown = read_body(&root, &m.path).unwrap_or_default();
                    let body = render_body(&markdown, &settings);
                    let page = Page {
                        meta: (**m).clone(),
                        body,
                    };
                    let errs = link_diagnostics(&root, &m.path, m.body_line, &page.body.broken_links);
                    let lh = links_hash(&page.body.internal_links);
                    let fp = hash_of(&(text_hash_of(&m.path), &page.body.html));
                    self.pages.insert(
                        m.path.clone(),
                        Rendered {
                            text_hash: text_hash_of(&m.path),
                            links_hash: lh,
                            card_fp: fp,
                            full_fp: fp,
                            layout_hash: fp,
                            item: Arc::new(page),
                            errors: errs,
                        },
                    );
                }
            }
            let live: HashSet<&PathBuf> = page_metas.iter().map(|m| &m.path).collect();
            self.pages.retain(|p, _| live.contains(p));
            page_metas
                .iter()
                .map(|m| {
                    let r = &self.pages[&m.path];
                    errors.extend(r.errors.iter().cloned());
                    r.item.clone()
                })
                .collect()
        };
        timer.lap("render bodies");

        let env = match env {
            Ok(env) if errors.is_empty() => env,
            Ok(_) => return Err(sorted_failure(errors)),
            Err(ds) => {
                errors.extend(ds);
                return Err(sorted_failure(errors));
            }
        };
        for p in &pages {
            layout_key = layout_key.wrapping_add(hash_of(&(&p.meta.path, &p.meta.title, &p.body.html)));
        }
        let reusable = self.last.take().filter(|l| l.key == layout_key);
        let (layout, candidates): (Layout, Vec<usize>) = match reusable {
            Some(mut layout) => {
                // Only bodies changed: swap the new reports in and look again at the pages
                // that show a body (the full analyses and the feeds).
                let mut candidates: Vec<usize> = Vec::new();
                for path in &rerendered {
                    let Some(r) = self.sources.get(path).and_then(|e| e.report.as_ref()) else {
                        continue;
                    };
                    let Some(&i) = layout.site.by_slug.get(&r.item.meta.slug) else {
                        continue;
                    };
                    layout.site.reports[i] = r.item.clone();
                    layout.report_fps[i].1 = hash_of(&(r.full_fp, layout.report_fps[i].0));
                    let slug = r.item.meta.slug.clone();
                    let mut routes = vec![Route::Analysis { slug: slug.clone() }, Route::Report { slug }];
                    routes.extend([Route::Rss, Route::Atom, Route::JsonFeed]);
                    routes.extend(r.item.meta.tags.iter().map(|t| Route::TagFeed { slug: t.slug.clone() }));
                    candidates.extend(routes.iter().filter_map(|route| layout.index.get(route).copied()));
                }
                candidates.sort_unstable();
                candidates.dedup();
                for &i in &candidates {
                    layout.fingerprints[i] = route_fingerprint(
                        &layout.routes[i],
                        &layout.site,
                        &config,
                        &layout.report_fps,
                        &self.pages,
                        &template_hashes,
                    );
                }
                timer.lap("update site");
                (layout, candidates)
            }
            None => {
                let layout = self.lay_out(
                    reports,
                    pages,
                    ticker_info.unwrap_or_default(),
                    &fps_by_report,
                    &config,
                    &urls,
                    &template_hashes,
                    layout_key,
                    timer,
                );
                let all = (0..layout.routes.len()).collect();
                (layout, all)
            }
        };
        // Render the candidates whose fingerprint differs from what was last written.
        let mut todo: Vec<(usize, &Route)> = candidates
            .into_iter()
            .filter(|&i| {
                self.routes
                    .get(&layout.routes[i])
                    .is_none_or(|rec| rec.fingerprint != layout.fingerprints[i])
            })
            .map(|i| (i, &layout.routes[i]))
            .collect();
        // The site-wide files (feeds, sitemap, search index) first: each needs tens of
        // megabytes for a moment at 10,000 reports, best spent before the listings fill the
        // card cache rather than on top of it.
        todo.sort_by_key(|(_, r)| crate::render::template_of(r).is_some());
        timer.lap("plan");
        let (site, routes, fingerprints) = (&layout.site, &layout.routes, &layout.fingerprints);
        let values = ReportValues {
            cards: &layout.cards,
            terms: &layout.terms,
        };
        let renderer = Renderer::new(site, &config, &urls, &env, &opts.root, &theme, values);
        let mut stats = RebuildStats {
            routes: routes.len(),
            reports: site.reports.len(),
            rendered: todo.len(),
            ..RebuildStats::default()
        };
        match target {
            Target::Staging(staging) => {
                {
                    let files: Vec<PathBuf> = todo.iter().map(|(_, r)| r.output_file()).collect();
                    staging.make_dirs(
                        files
                            .iter()
                            .map(PathBuf::as_path)
                            .chain(statics.iter().map(|(p, _)| p.as_path())),
                    )?;
                }
                for (rel, bytes) in &statics {
                    staging.write_hashed(rel, bytes, content_hash(bytes))?;
                }
                // Feeds, sitemap and search index first, then the pages: the feeds are the
                // only pages besides the full analyses that show bodies, so once they are
                // written a one-off build lets go of each body with its full analysis.
                let site_wide = todo.partition_point(|(_, r)| crate::render::template_of(r).is_none());
                let render_one = |(i, route): &(usize, &Route)| -> Result<(usize, u64), Box<Diagnostic>> {
                    let bytes = renderer.render_route(route).map_err(Box::new)?;
                    let h = content_hash(&bytes);
                    staging
                        .write_hashed(&route.output_file(), &bytes, h)
                        .map_err(Box::new)?;
                    Ok((*i, h))
                };
                // Boxed errors keep this list of every page small.
                let mut results: Vec<Result<(usize, u64), Box<Diagnostic>>> =
                    todo[..site_wide].par_iter().map(render_one).collect();
                timer.lap("feeds, sitemap, search index");
                if self.one_shot {
                    renderer.release_bodies();
                }
                results.par_extend(todo[site_wide..].par_iter().map(render_one));
                let mut errs = Vec::new();
                for r in results {
                    match r {
                        Ok((i, h)) => {
                            self.routes.insert(
                                routes[i].clone(),
                                RouteRecord {
                                    fingerprint: fingerprints[i],
                                    bytes_hash: h,
                                },
                            );
                        }
                        Err(d) => errs.push(*d),
                    }
                }
                if !errs.is_empty() {
                    // Nothing of this build may be trusted as written.
                    self.routes.clear();
                    return Err(sorted_failure(errs));
                }
                stats.written = todo.len();
                stats.static_written = statics.len();
                self.statics = statics.iter().map(|(p, b)| (p.clone(), content_hash(b))).collect();
                let mut files: HashMap<PathBuf, u64> = self.statics.clone();
                files.extend(self.routes.iter().map(|(r, rec)| (r.output_file(), rec.bytes_hash)));
                staging.write_manifest(&output::Manifest {
                    input: self.input_hash,
                    files,
                })?;
            }
            Target::Check => {
                let mut files: HashSet<String> = routes
                    .iter()
                    .map(|r| r.output_file().to_string_lossy().replace('\\', "/"))
                    .collect();
                files.extend(statics.iter().map(|(p, _)| p.to_string_lossy().replace('\\', "/")));
                let errs: Vec<Diagnostic> = todo
                    .par_iter()
                    .flat_map_iter(|(_, route)| match renderer.render_route(route) {
                        Err(d) => vec![d],
                        Ok(bytes) if route.is_html() => {
                            let html = String::from_utf8_lossy(&bytes);
                            let page_url = urls.url(route);
                            crate::linkcheck::broken_links(&html, &page_url, &urls.base_path, &files)
                                .into_iter()
                                .map(|href| {
                                    Diagnostic::error(
                                        crate::route_source(site, route),
                                        format!("broken internal link `{href}` on {page_url}"),
                                    )
                                })
                                .collect()
                        }
                        Ok(_) => vec![],
                    })
                    .collect();
                if !errs.is_empty() {
                    return Err(sorted_failure(errs));
                }
            }
            Target::InPlace(dir) => {
                // Render everything first: a template error must leave the live site as it was.
                let rendered: Vec<Result<(usize, Vec<u8>), Diagnostic>> = todo
                    .par_iter()
                    .map(|(i, route)| renderer.render_route(route).map(|b| (*i, b)))
                    .collect();
                let mut pages = Vec::with_capacity(rendered.len());
                let mut errs = Vec::new();
                for r in rendered {
                    match r {
                        Ok(p) => pages.push(p),
                        Err(d) => errs.push(d),
                    }
                }
                if !errs.is_empty() {
                    return Err(sorted_failure(errs));
                }
                if !self.manifest_forgotten {
                    output::forget_manifest(dir)?;
                    self.manifest_forgotten = true;
                }
                for (i, bytes) in pages {
                    let h = content_hash(&bytes);
                    let route = &routes[i];
                    if self.routes.get(route).is_none_or(|rec| rec.bytes_hash != h) {
                        output::replace_file(dir, &route.output_file(), &bytes)?;
                        stats.written += 1;
                    }
                    self.routes.insert(
                        route.clone(),
                        RouteRecord {
                            fingerprint: fingerprints[i],
                            bytes_hash: h,
                        },
                    );
                }
                // Every route now has a record; any extra record is a page that vanished.
                let gone: Vec<Route> = if self.routes.len() == routes.len() {
                    Vec::new()
                } else {
                    let live: HashSet<&Route> = routes.iter().collect();
                    self.routes.keys().filter(|r| !live.contains(r)).cloned().collect()
                };
                for r in gone {
                    self.routes.remove(&r);
                    output::remove_file(dir, &r.output_file())?;
                    stats.deleted += 1;
                }
                let mut new_statics = HashMap::new();
                for (rel, bytes) in &statics {
                    let h = content_hash(bytes);
                    if self.statics.get(rel) != Some(&h) {
                        output::replace_file(dir, rel, bytes)?;
                        stats.static_written += 1;
                    }
                    new_statics.insert(rel.clone(), h);
                }
                let route_files: HashSet<PathBuf> = routes.iter().map(Route::output_file).collect();
                for old in self.statics.keys() {
                    if !new_statics.contains_key(old) && !route_files.contains(old) {
                        output::remove_file(dir, old)?;
                        stats.deleted += 1;
                    }
                }
                self.statics = new_statics;
            }
        }
        timer.lap("render and write pages");
        drop(renderer);
        self.last = Some(layout);
        Ok(stats)
    }

    /// The slow path: the site index, every card, every route and its fingerprint.
    #[allow(clippy::too_many_arguments)]
    fn lay_out(
        &mut self,
        reports: Vec<Arc<Report>>,
        pages: Vec<Arc<Page>>,
        ticker_info: HashMap<String, crate::site::TickerInfo>,
        fps_by_report: &rustc_hash::FxHashMap<usize, (u64, u64)>,
        config: &Config,
        urls: &Urls,
        template_hashes: &templates::TemplateHashes,
        key: u64,
        timer: &mut Timer,
    ) -> Layout {
        let site = build_site(reports, pages, ticker_info);
        timer.lap("build site");

        // Cards, rebuilt only for reports whose fingerprint moved. A card shows the site's
        // spelling of its terms (the one used first); when that spelling changes for a
        // term, the cards of its reports take the new spelling into their fingerprint.
        let renamed = self.renamed_terms(&site);
        let report_fps: Vec<(u64, u64)> = site
            .reports
            .iter()
            .map(|r| {
                let (card_fp, full_fp) = fps_by_report[&(Arc::as_ptr(r) as usize)];
                let names = if renamed.is_empty() {
                    0
                } else {
                    names_hash(r, &site, &renamed)
                };
                (hash_of(&(card_fp, names)), hash_of(&(full_fp, names)))
            })
            .collect();
        let terms = TermValues::new(&site, urls);
        let missing: Vec<(u64, Value)> = site
            .reports
            .par_iter()
            .zip(report_fps.par_iter())
            .filter(|(_, fp)| !self.cards.contains_key(&fp.0))
            .map(|(r, fp)| {
                (
                    fp.0,
                    Fingerprinted::value(fp.0, report_value(r, &site, &terms, urls, false)),
                )
            })
            .collect();
        self.cards.extend(missing);
        let cards: Vec<Value> = report_fps.iter().map(|fp| self.cards[&fp.0].clone()).collect();
        let live_fps: HashSet<u64> = report_fps.iter().map(|fp| fp.0).collect();
        self.cards.retain(|fp, _| live_fps.contains(fp));

        let routes = plan_routes(&site, config);
        let fingerprints: Vec<u64> = routes
            .par_iter()
            .map(|r| route_fingerprint(r, &site, config, &report_fps, &self.pages, template_hashes))
            .collect();
        let index = routes.iter().enumerate().map(|(i, r)| (r.clone(), i)).collect();
        Layout {
            key,
            site,
            report_fps,
            cards,
            terms,
            routes,
            index,
            fingerprints,
        }
    }

    /// Terms whose shown spelling differs from the last rebuild's; remembers the new ones.
    fn renamed_terms(&mut self, site: &Site) -> HashSet<(Taxonomy, String)> {
        let mut renamed = HashSet::new();
        for (taxonomy, terms) in &site.taxonomies {
            for t in terms.values() {
                let key = (*taxonomy, t.slug.clone());
                match self.term_names.get(&key) {
                    Some(old) if *old == t.name => {}
                    Some(_) => {
                        renamed.insert(key.clone());
                        self.term_names.insert(key, t.name.clone());
                    }
                    None => {
                        self.term_names.insert(key, t.name.clone());
                    }
                }
            }
        }
        renamed
    }

    /// The warnings a full check reports: cashtags that data/tickers.toml does not list.
    pub fn ticker_warnings(&self) -> Vec<Diagnostic> {
        let Ok(Some(info)) = read_ticker_info(&self.opts.root) else {
            return Vec::new();
        };
        let mut warnings = Vec::new();
        let mut reports: Vec<&Rendered<Report>> = self.sources.values().filter_map(|e| e.report.as_ref()).collect();
        reports.sort_by(|a, b| a.item.meta.path.cmp(&b.item.meta.path));
        for r in reports {
            let r = &r.item;
            let unknown: BTreeSet<&Ticker> = r.tickers.iter().filter(|t| !info.contains_key(t.symbol())).collect();
            if unknown.is_empty() {
                continue;
            }
            let text = std::fs::read_to_string(self.opts.root.join(&r.meta.path)).unwrap_or_default();
            for t in unknown {
                let mut d = Diagnostic::warning(
                    &r.meta.path,
                    format!("ticker `{t}` is not listed in data/tickers.toml; is it a typo?"),
                );
                if let Some(i) = text.find(&format!("${t}")).or_else(|| text.find(&format!("\"{t}\""))) {
                    d = d.at(&text, i);
                }
                warnings.push(d);
            }
        }
        warnings
    }
}

/// Every problem, by file and position, once each.
fn sorted_failure(mut errors: Vec<Diagnostic>) -> Failure {
    errors.sort_by(|a, b| (&a.file, a.position).cmp(&(&b.file, b.position)));
    errors.dedup();
    errors.into()
}

fn check_duplicates<'a>(items: impl Iterator<Item = (&'a str, &'a Path)>, what: &str, errors: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, Vec<&Path>> = HashMap::new();
    for (slug, path) in items {
        seen.entry(slug).or_default().push(path);
    }
    for (slug, mut paths) in seen.into_iter().filter(|(_, p)| p.len() > 1) {
        paths.sort();
        for path in &paths[1..] {
            errors.push(Diagnostic::error(
                path,
                format!("{what} `{slug}` is already used by {}", paths[0].display()),
            ));
        }
    }
}

fn read_body(root: &Path, path: &Path) -> Option<String> {
    let source = load::read_source(root, path).ok()?;
    crate::frontmatter::split_front_matter(path, &source.text)
        .ok()
        .map(|s| s.body.to_string())
}

fn render_report(meta: &Arc<ReportMeta>, settings: &BodySettings<'_>, root: &Path) -> Report {
    let markdown = read_body(root, &meta.path).unwrap_or_default();
    let body = (!markdown.trim().is_empty()).then(|| render_body(&markdown, settings));
    let mut tickers = meta.tickers.clone();
    if let Some(b) = &body {
        for t in &b.tickers {
            if !tickers.contains(t) {
                tickers.push(t.clone());
            }
        }
    }
    Report {
        meta: meta.clone(),
        body,
        tickers,
    }
}

fn broken_links(root: &Path, path: &Path, body_line: usize, report: &Report) -> Vec<Diagnostic> {
    report
        .body
        .as_ref()
        .map(|b| link_diagnostics(root, path, body_line, &b.broken_links))
        .unwrap_or_default()
}

fn link_diagnostics(root: &Path, path: &Path, body_line: usize, links: &[(String, usize, usize)]) -> Vec<Diagnostic> {
    if links.is_empty() {
        return Vec::new();
    }
    let text = std::fs::read_to_string(root.join(path)).ok();
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
}

/// A hash of every input of a route's page: which reports it shows (by fingerprint),
/// its term's name and count, its place in the pagination.
fn route_fingerprint(
    route: &Route,
    site: &Site,
    config: &Config,
    report_fps: &[(u64, u64)],
    pages: &HashMap<PathBuf, Rendered<Page>>,
    templates: &templates::TemplateHashes,
) -> u64 {
    let mut h = DefaultHasher::new();
    route.hash(&mut h);
    // The templates this page is made with: its own page template, and every layout
    // and partial (a page may include any of them).
    if let Some(name) = crate::render::template_of(route) {
        templates.shared.hash(&mut h);
        templates.pages.get(name).hash(&mut h);
    }
    let per = config.paginate.max(1);
    // The navigation of every HTML page lists the plain pages.
    for p in &site.pages {
        (&p.meta.title, &p.meta.slug).hash(&mut h);
    }
    // Listings show cards; feeds and the full analysis show the body too.
    let ids = |ids: &mut dyn Iterator<Item = usize>, h: &mut DefaultHasher| {
        for i in ids {
            report_fps[i].0.hash(h);
        }
    };
    let full = |ids: &mut dyn Iterator<Item = usize>, h: &mut DefaultHasher| {
        for i in ids {
            report_fps[i].1.hash(h);
        }
    };
    let n = site.reports.len();
    match route {
        Route::Home { page } => {
            n.div_ceil(per).hash(&mut h);
            ids(&mut ((page - 1) * per..(page * per).min(n)), &mut h);
        }
        Route::Report { slug } => {
            if let Some(&i) = site.by_slug.get(slug) {
                report_fps[i].0.hash(&mut h);
            }
        }
        Route::Analysis { slug } => {
            if let Some(&i) = site.by_slug.get(slug) {
                report_fps[i].1.hash(&mut h);
            }
        }
        Route::Terms(taxonomy) => {
            for t in site.terms(*taxonomy).values() {
                (&t.name, &t.slug, t.reports.len()).hash(&mut h);
            }
        }
        Route::Term { taxonomy, slug, page } => {
            if let Some(t) = site.terms(*taxonomy).get(slug) {
                (&t.name, t.reports.len()).hash(&mut h);
                ids(&mut t.reports.iter().copied().skip((page - 1) * per).take(per), &mut h);
            }
        }
        Route::TagFeed { slug } => {
            if let Some(t) = site.terms(Taxonomy::Tags).get(slug) {
                t.name.hash(&mut h);
                full(&mut t.reports.iter().copied().take(config.feed_limit), &mut h);
            }
        }
        Route::Page { slug } => {
            if let Some(p) = site.pages.iter().find(|p| &p.meta.slug == slug) {
                pages.get(&p.meta.path).map(|r| r.text_hash).hash(&mut h);
                p.body.html.hash(&mut h);
            }
        }
        Route::Rss | Route::Atom | Route::JsonFeed => full(&mut (0..n.min(config.feed_limit)), &mut h),
        Route::Sitemap | Route::SearchIndex => {
            ids(&mut (0..n), &mut h);
            for t in Taxonomy::ALL {
                for term in site.terms(t).values() {
                    (&term.slug, term.reports.len().div_ceil(per)).hash(&mut h);
                }
            }
        }
        Route::Search | Route::NotFound | Route::Robots => {}
    }
    h.finish()
}

/// The static files of the theme and the site (the site's win), as output path -> bytes.
fn static_files(root: &Path, theme: &ThemeSource) -> Result<Vec<(PathBuf, Vec<u8>)>, Failure> {
    let mut files: HashMap<PathBuf, Vec<u8>> = HashMap::new();
    match theme {
        ThemeSource::Disk(dir) => files.extend(output::read_static(root, &dir.join("static"))?),
        ThemeSource::BuiltIn => {
            if let Some(dir) = templates::DEFAULT_THEME.get_dir("static") {
                output::embedded_files(dir, &mut files);
            }
        }
    }
    files.extend(output::read_static(root, &root.join("static"))?);
    let mut files: Vec<_> = files.into_iter().collect();
    files.sort();
    Ok(files)
}

/// The running binary's size and time: a new impress (even of the same version) may
/// render differently, so its output is not "unchanged".
fn binary_identity() -> Option<(u64, std::time::SystemTime)> {
    let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// A whole build from an empty state into a staging folder, swapped in when complete.
pub fn full_build(opts: &Options) -> Result<Summary, Failure> {
    let mut timer = Timer::start();
    let mut state = BuildState::new(opts.clone());
    state.one_shot = true;
    let staging = output::prepare_output(&opts.root, &opts.output_dir())?;
    match state.rebuild(&Changes::All, &Target::Staging(&staging), &mut timer) {
        Ok(stats) if stats.unchanged => {
            let out = staging.output.clone();
            staging.abandon();
            Ok(Summary {
                reports: stats.reports,
                pages: 0,
                unchanged: true,
                warnings: state.ticker_warnings(),
                timings: timer.timings,
                output: out,
            })
        }
        Ok(stats) => {
            let out = staging.commit()?;
            timer.lap("swap");
            Ok(Summary {
                reports: stats.reports,
                pages: stats.routes,
                unchanged: false,
                warnings: state.ticker_warnings(),
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

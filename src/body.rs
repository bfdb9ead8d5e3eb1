//! Bodies: the `@/` link map of the published site, each published report's and page's
//! body rendered once per text and link targets, and the diagnostics of links that lead
//! nowhere.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::fingerprint::ReportFp;
use crate::hash::hash_of;
use crate::layout::Layout;
use crate::markdown::{render_body, BodySettings, PackedHtml};
use crate::pictures::{Found, Pictures};
use crate::report::{PageMeta, ReportMeta};
use crate::routes::{Route, Urls};
use crate::site::{Page, Report};

/// `@/path.md` -> the URL of the published report or page of that source file.
pub(crate) struct LinkMap {
    urls: HashMap<String, String>,
    /// Reports: the full analysis, where their body's headings are.
    full: HashMap<String, String>,
    /// Sources that failed validation: their own errors say what is wrong, so links to
    /// them are not reported again in every report that links to them.
    failed: HashSet<String>,
}

/// A source path as `@/` links name it: relative to content/, `/`-separated.
pub(crate) fn content_key(path: &Path) -> String {
    path.strip_prefix("content")
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

impl LinkMap {
    /// The map of the published reports and pages; `failed` are the sources with errors.
    pub(crate) fn new<'a>(
        reports: &[Arc<ReportMeta>],
        pages: &[Arc<PageMeta>],
        failed: impl Iterator<Item = &'a Path>,
        urls: &Urls,
    ) -> LinkMap {
        let mut map = HashMap::with_capacity(reports.len() + pages.len());
        let mut full = HashMap::with_capacity(reports.len());
        for r in reports {
            map.insert(content_key(&r.path), urls.url(&Route::Report { slug: r.slug.clone() }));
            full.insert(
                content_key(&r.path),
                urls.url(&Route::Analysis { slug: r.slug.clone() }),
            );
        }
        for p in pages {
            map.insert(content_key(&p.path), urls.url(&Route::Page { slug: p.slug.clone() }));
        }
        LinkMap {
            urls: map,
            full,
            failed: failed.map(content_key).collect(),
        }
    }

    /// The URL of an `@/` target (the path after `@/`).
    pub(crate) fn resolve(&self, target: &str) -> Option<String> {
        self.urls.get(target.trim_start_matches('/')).cloned()
    }

    /// The URL of an `@/` target with a `#fragment`: a heading of a report's body is on
    /// its full analysis.
    pub(crate) fn resolve_part(&self, target: &str, fragment: &str) -> Option<String> {
        let key = target.trim_start_matches('/');
        let url = self.full.get(key).or_else(|| self.urls.get(key))?;
        Some(format!("{url}#{fragment}"))
    }

    /// A hash of where the targets lead now: a body is rendered again when it moves.
    pub(crate) fn targets_hash(&self, targets: &[String]) -> u64 {
        if targets.is_empty() {
            0
        } else {
            hash_of(&targets.iter().map(|t| self.resolve(t)).collect::<Vec<_>>())
        }
    }

    fn is_failed(&self, link: &str) -> bool {
        let target = link.trim_start_matches("@/");
        let path = target.split('#').next().unwrap_or(target);
        self.failed.contains(path.trim_start_matches('/'))
    }
}

/// A rendered report or page, kept beside its source between rebuilds.
pub(crate) struct Rendered<T> {
    /// The source text it was made from.
    pub text_hash: u64,
    /// Where its `@/` links led ([`LinkMap::targets_hash`]).
    pub links_hash: u64,
    /// Its fingerprints.
    pub fp: ReportFp,
    /// Its share of the site's shape: its path and card.
    pub layout_hash: u64,
    /// The report or page.
    pub item: Arc<T>,
    /// The body's HTML (`None`: an empty body).
    pub html: Option<PackedHtml>,
    /// Its broken links.
    pub errors: Vec<Diagnostic>,
}

impl<T> Rendered<T> {
    /// True when it was made from this text and its links still lead where they did.
    pub(crate) fn is_fresh(&self, text_hash: u64, targets: &[String], links: &LinkMap) -> bool {
        self.text_hash == text_hash && self.links_hash == links.targets_hash(targets)
    }
}

/// What rendering a body needs of the whole site.
pub(crate) struct BodyContext<'a> {
    /// The site folder.
    pub root: &'a Path,
    /// Settings and URL makers.
    pub settings: &'a BodySettings<'a>,
    /// The `@/` link map.
    pub links: &'a LinkMap,
    /// Bundles, local links and images.
    pub pictures: &'a Pictures<'a>,
}

/// Renders a published report's body. `front_hash` is the hash of its front matter.
pub(crate) fn render_report(
    meta: &Arc<ReportMeta>,
    text_hash: u64,
    front_hash: u64,
    cx: &BodyContext<'_>,
) -> Rendered<Report> {
    let markdown = read_body(cx.root, &meta.path).unwrap_or_default();
    // Relative links and images resolve against the report's bundle, on the quick read
    // and the full analysis alike (FORMAT.md, "Pictures").
    let mut errors = Vec::new();
    let bundle = cx.pictures.bundle(meta).unwrap_or_else(|d| {
        errors.push(d);
        cx.pictures.no_bundle(meta)
    });
    let found = Found::default();
    let local = |url: &str, image: bool| cx.pictures.resolve(&bundle, url, image, &found);
    let settings = BodySettings {
        local: Some(&local),
        ..*cx.settings
    };
    let (body, html) = match (!markdown.trim().is_empty()).then(|| render_body(&markdown, &settings)) {
        Some((b, h)) => (Some(b), Some(h)),
        None => (None, None),
    };
    let text = std::cell::OnceCell::new();
    let text = || text.get_or_init(|| std::fs::read_to_string(cx.root.join(&meta.path)).ok());
    let lead = meta
        .image
        .as_ref()
        .and_then(|img| match cx.pictures.lead(&bundle, img, &found) {
            Ok(lead) => Some(lead),
            Err(why) => {
                errors.push(Diagnostic::error(&meta.path, why).at_line(text().as_deref(), img.line));
                None
            }
        });
    for (why, line, column) in body.iter().flat_map(|b| &b.local_errors) {
        let mut d = Diagnostic::error(&meta.path, why.clone()).at_line(text().as_deref(), meta.body_line + line - 1);
        if let Some(p) = d.position.as_mut() {
            p.column = *column;
        }
        errors.push(d);
    }
    let pictures = found.into_pictures(&bundle, lead);
    let mut tickers = meta.tickers.clone();
    for t in body.iter().flat_map(|b| &b.tickers) {
        if !tickers.contains(t) {
            tickers.push(t.clone());
        }
    }
    let report = Report {
        meta: meta.clone(),
        body,
        tickers,
        pictures,
    };
    let (targets, broken) = report
        .body
        .as_ref()
        .map_or((&[][..], &[][..]), |b| (&b.internal_links[..], &b.broken_links[..]));
    let card = hash_of(&(
        front_hash,
        &meta.path,
        &report.tickers,
        report.body.as_ref().map(|b| (b.words.div_ceil(220), &b.mentions)),
        &report.pictures.lead,
    ));
    let full = hash_of(&(card, html.as_ref().map(PackedHtml::hash)));
    errors.extend(link_diagnostics(cx, &meta.path, meta.body_line, broken));
    Rendered {
        text_hash,
        links_hash: cx.links.targets_hash(targets),
        fp: ReportFp { card, full },
        layout_hash: hash_of(&(&meta.path, card)),
        errors,
        item: Arc::new(report),
        html,
    }
}

/// Renders a plain page's body.
pub(crate) fn render_page(meta: &PageMeta, text_hash: u64, cx: &BodyContext<'_>) -> Rendered<Page> {
    let markdown = read_body(cx.root, &meta.path).unwrap_or_default();
    let (body, html) = render_body(&markdown, cx.settings);
    let errors = link_diagnostics(cx, &meta.path, meta.body_line, &body.broken_links);
    let links_hash = cx.links.targets_hash(&body.internal_links);
    let fp = hash_of(&(text_hash, html.hash()));
    Rendered {
        text_hash,
        links_hash,
        fp: ReportFp { card: fp, full: fp },
        layout_hash: hash_of(&(&meta.path, &meta.title, html.hash())),
        errors,
        item: Arc::new(Page {
            meta: meta.clone(),
            body,
            html: html.clone(),
        }),
        html: Some(html),
    }
}

fn read_body(root: &Path, path: &Path) -> Option<String> {
    let source = crate::load::read_source(root, path).ok()?;
    crate::frontmatter::split_front_matter(path, &source.text)
        .ok()
        .map(|s| s.body.to_string())
}

/// An error for each `@/` link that leads to no published report or page, at its line
/// and column in the file (`body_line` is the file line the body starts on).
fn link_diagnostics(
    cx: &BodyContext<'_>,
    path: &Path,
    body_line: usize,
    links: &[(String, usize, usize)],
) -> Vec<Diagnostic> {
    let links: Vec<_> = links.iter().filter(|(t, _, _)| !cx.links.is_failed(t)).collect();
    if links.is_empty() {
        return Vec::new();
    }
    let text = std::fs::read_to_string(cx.root.join(path)).ok();
    links
        .into_iter()
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

/// An error for each root-relative link or image in a body that names no file the build
/// writes (a page, a static file), at its line and column.
pub(crate) fn site_link_errors(
    layout: &Layout,
    statics: &[(PathBuf, Vec<u8>)],
    published: &[crate::pictures::Published],
    root: &Path,
    base_path: &str,
) -> Vec<Diagnostic> {
    let site = &layout.site;
    let bodies = site
        .reports
        .iter()
        .filter_map(|r| Some((&r.meta.path, r.meta.body_line, r.body.as_ref()?)))
        .chain(site.pages.iter().map(|p| (&p.meta.path, p.meta.body_line, &p.body)))
        .filter(|(_, _, b)| !b.site_links.is_empty());
    let mut files: Option<HashSet<String>> = None;
    let mut errors = Vec::new();
    for (path, body_line, body) in bodies {
        let files = files.get_or_insert_with(|| {
            let routes = layout.routes.iter().map(|r| r.output_file());
            let statics = statics.iter().map(|(p, _)| p.clone());
            let published = published.iter().map(|f| f.rel.clone());
            routes
                .chain(statics)
                .chain(published)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect()
        });
        let mut text = None;
        for (url, line, column) in &body.site_links {
            let found = crate::linkcheck::link_target(url, base_path, base_path).is_none_or(|t| files.contains(&t));
            if found {
                continue;
            }
            let text = text.get_or_insert_with(|| std::fs::read_to_string(root.join(path)).ok());
            let written = format!("/{}", url.strip_prefix(base_path).unwrap_or(url));
            let mut d = Diagnostic::error(
                path,
                format!("link to `{written}`, which is not a page or file of the site"),
            )
            .at_line(text.as_deref(), body_line + line - 1)
            .with_help("a link that starts with `/` names a path of the built site (static/ is copied to its root)");
            if let Some(p) = d.position.as_mut() {
                p.column = *column;
            }
            errors.push(d);
        }
    }
    errors
}

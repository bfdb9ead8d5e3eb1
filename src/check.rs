//! `impress check`'s extras over a build: every page rendered into memory with its
//! internal links checked against the site's files, and warnings about cashtags that
//! data/tickers.toml does not list.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::cashtag::Ticker;
use crate::diagnostics::Diagnostic;
use crate::incremental::RebuildStats;
use crate::layout::Layout;
use crate::linkcheck;
use crate::output::Pages;
use crate::render::route_source;
use crate::routes::Route;
use crate::site::{read_ticker_info, Report};
use crate::{Failure, Timer};

/// What checking one rendered page found.
#[derive(Default)]
struct PageLinks {
    /// Hrefs that name no file of the site.
    broken: Vec<String>,
    /// Links with a fragment: the target file, the fragment, the href.
    fragments: Vec<(String, String, String)>,
    /// The page's file and the `id`s on it.
    ids: Option<(String, HashSet<String>)>,
}

/// Renders every page and reports each internal link that leads to no file of the site,
/// and each `#fragment` that names no `id` on its target page.
pub(crate) fn check_pages(pages: Pages<'_>, timer: &mut Timer) -> Result<RebuildStats, Failure> {
    let stats = pages.stats();
    let (layout, statics) = (pages.layout, pages.statics);
    let (routes, urls, pages_root) = (&layout.routes, pages.renderer.urls, pages.renderer.root);
    let file_of = |p: &Path| p.to_string_lossy().replace('\\', "/");
    let mut files: HashSet<String> = routes.iter().map(|r| file_of(&r.output_file())).collect();
    files.extend(statics.iter().map(|(p, _)| file_of(p)));
    let each = |i: usize, bytes: Vec<u8>| -> Result<(usize, PageLinks), Diagnostic> {
        let route = &routes[i];
        if !route.is_html() {
            return Ok((i, PageLinks::default()));
        }
        let html = String::from_utf8_lossy(&bytes);
        let page_url = urls.url(route);
        let own = file_of(&route.output_file());
        let mut found = PageLinks::default();
        for href in linkcheck::page_links(&html) {
            let fragment = href.split_once('#').map(|(_, f)| f.to_string());
            let target = if href.starts_with('#') {
                Some(own.clone())
            } else {
                linkcheck::link_target(&href, &page_url, &urls.base_path)
            };
            match (target, fragment) {
                (Some(t), _) if !files.contains(&t) => found.broken.push(href),
                (Some(t), Some(f)) if t.ends_with(".html") && !f.is_empty() && f != "top" => {
                    found.fragments.push((t, f, href))
                }
                _ => {}
            }
        }
        found.ids = Some((own, linkcheck::page_ids(&html)));
        Ok((i, found))
    };
    let mut errors = Vec::new();
    let mut checked = Vec::new();
    for r in pages.render(&each, timer) {
        match r {
            Ok(found) => checked.push(found),
            Err(d) => errors.push(*d),
        }
    }
    let ids: HashMap<String, HashSet<String>> = checked.iter_mut().filter_map(|(_, f)| f.ids.take()).collect();
    let mut sources = Sources::new(layout, pages_root, &urls.base_path);
    for (i, found) in checked {
        let route = &routes[i];
        let page_url = urls.url(route);
        for href in found.broken {
            errors.push(sources.error(route, &href, format!("broken internal link `{href}` on {page_url}")));
        }
        for (target, fragment, href) in found.fragments {
            if ids.get(&target).is_some_and(|on_page| !on_page.contains(&fragment)) {
                let message = format!("link `{href}` on {page_url}: its page has no `#{fragment}`");
                errors.push(sources.error(route, &href, message));
            }
        }
    }
    if errors.is_empty() {
        Ok(stats)
    } else {
        Err(Failure::sorted(errors))
    }
}

/// The sources of pages, read once each, to put a link's error at its line.
struct Sources<'a> {
    layout: &'a Layout,
    root: &'a Path,
    base_path: &'a str,
    texts: HashMap<PathBuf, Option<String>>,
}

impl<'a> Sources<'a> {
    fn new(layout: &'a Layout, root: &'a Path, base_path: &'a str) -> Sources<'a> {
        Sources {
            layout,
            root,
            base_path,
            texts: HashMap::new(),
        }
    }

    /// An error for a link on `route`'s page, at the link in the page's source when the
    /// source has it (a link the theme makes is not in any source).
    fn error(&mut self, route: &Route, href: &str, message: String) -> Diagnostic {
        let path = route_source(&self.layout.site, route);
        let text = self
            .texts
            .entry(path.clone())
            .or_insert_with(|| std::fs::read_to_string(self.root.join(&path)).ok());
        let mut d = Diagnostic::error(&path, message);
        let Some(text) = text.as_deref() else { return d };
        // As written: the href itself, without the site's path, or the fragment of an
        // `@/x.md#part` link.
        let written = href.strip_prefix(self.base_path).map(|rest| format!("/{rest}"));
        let fragment = href.split_once('#').map(|(_, f)| format!("#{f}"));
        let whole = [Some(href.to_string()), written]
            .into_iter()
            .flatten()
            .find_map(|needle| text.find(&format!("({needle}")).map(|i| i + 1));
        let at = whole.or_else(|| fragment.and_then(|f| text.find(&f)));
        if let Some(i) = at {
            d = d.at(text, i);
        }
        d
    }
}

/// A warning for each cashtag that data/tickers.toml does not list (when it exists).
pub(crate) fn ticker_warnings(root: &Path, reports: &[&Report]) -> Vec<Diagnostic> {
    let Ok(Some(info)) = read_ticker_info(root) else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    for r in reports {
        let unknown: BTreeSet<&Ticker> = r.tickers.iter().filter(|t| !info.contains_key(t.symbol())).collect();
        if unknown.is_empty() {
            continue;
        }
        let text = std::fs::read_to_string(root.join(&r.meta.path)).unwrap_or_default();
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

//! `impress check`'s extras over a build: every page rendered into memory with its
//! internal links checked against the site's files, and warnings about cashtags that
//! data/tickers.toml does not list.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use crate::cashtag::Ticker;
use crate::diagnostics::Diagnostic;
use crate::incremental::RebuildStats;
use crate::output::Pages;
use crate::site::{read_ticker_info, Report};
use crate::{Failure, Timer};

/// Renders every page and reports each internal link that leads to no file of the site.
pub(crate) fn check_pages(pages: Pages<'_>, timer: &mut Timer) -> Result<RebuildStats, Failure> {
    let stats = pages.stats();
    let (layout, statics) = (pages.layout, pages.statics);
    let (routes, site, urls) = (&layout.routes, &layout.site, pages.renderer.urls);
    let mut files: HashSet<String> = routes
        .iter()
        .map(|r| r.output_file().to_string_lossy().replace('\\', "/"))
        .collect();
    files.extend(statics.iter().map(|(p, _)| p.to_string_lossy().replace('\\', "/")));
    let each = |i: usize, bytes: Vec<u8>| -> Result<Vec<Diagnostic>, Diagnostic> {
        let route = &routes[i];
        if !route.is_html() {
            return Ok(Vec::new());
        }
        let html = String::from_utf8_lossy(&bytes);
        let page_url = urls.url(route);
        Ok(
            crate::linkcheck::broken_links(&html, &page_url, &urls.base_path, &files)
                .into_iter()
                .map(|href| {
                    Diagnostic::error(
                        crate::render::route_source(site, route),
                        format!("broken internal link `{href}` on {page_url}"),
                    )
                })
                .collect(),
        )
    };
    let mut errors = Vec::new();
    for r in pages.render(&each, timer) {
        match r {
            Ok(found) => errors.extend(found),
            Err(d) => errors.push(*d),
        }
    }
    if errors.is_empty() {
        Ok(stats)
    } else {
        Err(Failure::sorted(errors))
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

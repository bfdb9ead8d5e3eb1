//! `impress check`'s extras over a build: every page rendered into memory with its
//! internal links checked against the site's files; warnings about cashtags that
//! data/tickers.toml does not list and about terms spelled two ways; and the check of
//! impact areas against `[impact] areas` (an error, in every build).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::cashtag::Ticker;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::incremental::RebuildStats;
use crate::layout::Layout;
use crate::linkcheck;
use crate::output::Pages;
use crate::render::route_source;
use crate::report::{ReportMeta, Term};
use crate::routes::{slugify, Route, Taxonomy};
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
    files.extend(pages.published.iter().map(|f| file_of(&f.rel)));
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

/// Where a term's spelling is in a report's file: the quoted name, else nowhere.
fn at_spelling(d: Diagnostic, text: &str, name: &str) -> Diagnostic {
    match text.find(&format!("\"{name}\"")) {
        Some(i) => d.at(text, i + 1),
        None => d,
    }
}

/// A warning for each term spelled differently from its first spelling ("Rare Earths"
/// and "rare earths" are one term, shown as the first), and for each impact area only one
/// report names while another area is spelled nearly the same (a likely typo).
pub(crate) fn term_warnings(root: &std::path::Path, reports: &[&Report]) -> Vec<Diagnostic> {
    // Oldest first, as the site picks the spelling shown.
    let mut reports = reports.to_vec();
    reports.sort_by(|a, b| (a.meta.date, &a.meta.slug).cmp(&(b.meta.date, &b.meta.slug)));
    let mut first: BTreeMap<(Taxonomy, &str), (&str, &std::path::Path)> = BTreeMap::new();
    let mut area_users: BTreeMap<&str, (&str, BTreeSet<&std::path::Path>)> = BTreeMap::new();
    let mut found: Vec<(&std::path::Path, String, &str)> = Vec::new();
    for r in &reports {
        for (taxonomy, t) in r.meta.terms() {
            let (name, path) = *first.entry((taxonomy, &t.slug)).or_insert((&t.name, &r.meta.path));
            if name != t.name {
                let what = taxonomy.singular().to_lowercase();
                found.push((
                    &r.meta.path,
                    format!(
                        "{what} `{}` is spelled `{name}` in {}: one term, shown as `{name}`",
                        t.name,
                        path.display()
                    ),
                    &t.name,
                ));
            }
            if taxonomy == Taxonomy::Impact {
                area_users
                    .entry(&t.slug)
                    .or_insert((&t.name, BTreeSet::new()))
                    .1
                    .insert(&r.meta.path);
            }
        }
    }
    let names: Vec<&str> = area_users.values().map(|(n, _)| *n).collect();
    for (name, users) in area_users.values() {
        if users.len() != 1 {
            continue;
        }
        let others: Vec<&str> = names.iter().copied().filter(|n| n != name).collect();
        if let Some(near) = crate::diagnostics::suggest(name, &others) {
            let path = users.iter().next().expect("one user");
            found.push((
                path,
                format!("impact area `{name}` is used by this report only; did you mean `{near}`?"),
                name,
            ));
        }
    }
    found
        .into_iter()
        .map(|(path, message, name)| {
            let text = std::fs::read_to_string(root.join(path)).unwrap_or_default();
            at_spelling(Diagnostic::warning(path, message), &text, name)
        })
        .collect()
}

/// With `[impact] areas` in config.toml, an error for every impact area a report names
/// that the list does not have (by slug, so spelling and case do not matter).
pub(crate) fn check_areas(
    root: &std::path::Path,
    config: &Config,
    reports: &[std::sync::Arc<ReportMeta>],
) -> Vec<Diagnostic> {
    let Some(areas) = &config.impact_areas else {
        return Vec::new();
    };
    let known: HashSet<String> = areas.iter().map(|a| slugify(a)).collect();
    let names: Vec<&str> = areas.iter().map(String::as_str).collect();
    let mut errors = Vec::new();
    for m in reports {
        let unknown: Vec<&Term> = m
            .terms()
            .filter(|(t, term)| *t == Taxonomy::Impact && !known.contains(&term.slug))
            .map(|(_, term)| term)
            .collect();
        if unknown.is_empty() {
            continue;
        }
        let text = std::fs::read_to_string(root.join(&m.path)).unwrap_or_default();
        let mut seen = HashSet::new();
        for t in unknown.into_iter().filter(|t| seen.insert(&t.slug)) {
            let d = Diagnostic::error(
                &m.path,
                format!("impact area `{}` is not in `[impact] areas` of config.toml", t.name),
            );
            let help = match crate::diagnostics::suggest(&t.name, &names) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("the areas are: {}", names.join(", ")),
            };
            errors.push(at_spelling(d, &text, &t.name).with_help(help));
        }
    }
    errors
}

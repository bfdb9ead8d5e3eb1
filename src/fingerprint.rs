//! What each route shows, and a fingerprint of every input of its page.
//!
//! [`shown`] is the one answer to "which reports does this page show, as cards or whole":
//! rendering takes its listings and feed items from it, [`route_fingerprint`] hashes what it
//! names, and the fast path of a rebuild asks it which pages show a changed body. So the
//! three cannot disagree.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::path::Path;

use crate::config::Config;
use crate::routes::{Route, Taxonomy};
use crate::site::{Report, Site};
use crate::templates::TemplateHashes;

/// Report ids (indexes into `Site::reports`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ids<'a> {
    /// A run of the newest-first list.
    Range(Range<usize>),
    /// Some reports, in the page's order.
    Slice(&'a [usize]),
    /// Some reports in an order of their own (an impact area's feed: newest first).
    Owned(Vec<usize>),
}

impl Ids<'_> {
    const NONE: Ids<'static> = Ids::Range(0..0);

    /// The ids in the page's order.
    pub(crate) fn iter(&self) -> Box<dyn Iterator<Item = usize> + '_> {
        match self {
            Ids::Range(r) => Box::new(r.clone()),
            Ids::Slice(s) => Box::new(s.iter().copied()),
            Ids::Owned(v) => Box::new(v.iter().copied()),
        }
    }

    /// True when `id` is among them.
    pub(crate) fn contains(&self, id: usize) -> bool {
        match self {
            Ids::Range(r) => r.contains(&id),
            Ids::Slice(s) => s.contains(&id),
            Ids::Owned(v) => v.contains(&id),
        }
    }

    /// True when there are none.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Ids::Range(r) => r.is_empty(),
            Ids::Slice(s) => s.is_empty(),
            Ids::Owned(v) => v.is_empty(),
        }
    }
}

/// The reports a route's page shows: as cards (listings, the quick read, the sitemap and
/// search index), and whole with the body's HTML (the full analysis, the feeds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shown<'a> {
    /// Shown as cards.
    pub cards: Ids<'a>,
    /// Shown whole.
    pub full: Ids<'a>,
    /// Listed as related reports (the quick read and the full analysis): title, date and
    /// top score only, see [`entry_hash`].
    pub related: &'a [usize],
}

/// The reports `route` shows.
pub(crate) fn shown<'a>(route: &Route, site: &'a Site, config: &Config) -> Shown<'a> {
    let per = config.paginate.max(1);
    let n = site.reports.len();
    let page_of = |page: usize, len: usize| {
        let start = ((page.max(1) - 1) * per).min(len);
        start..(start + per).min(len)
    };
    let term = |taxonomy: Taxonomy, slug: &str| site.terms(taxonomy).get(slug).map_or(&[][..], |t| &t.reports[..]);
    let mut related: &[usize] = &[];
    let mut related_of = |i: usize| related = site.related.get(i).map_or(&[][..], |r| &r[..]);
    let (cards, full) = match route {
        Route::Home { page } => (Ids::Range(page_of(*page, n)), Ids::NONE),
        Route::Report { slug } => match site.by_slug.get(slug) {
            Some(&i) => {
                related_of(i);
                (Ids::Range(i..i + 1), Ids::NONE)
            }
            None => (Ids::NONE, Ids::NONE),
        },
        Route::Card { slug } => match site.by_slug.get(slug) {
            Some(&i) => (Ids::Range(i..i + 1), Ids::NONE),
            None => (Ids::NONE, Ids::NONE),
        },
        Route::Analysis { slug } => match site.by_slug.get(slug) {
            Some(&i) => {
                related_of(i);
                (Ids::NONE, Ids::Range(i..i + 1))
            }
            None => (Ids::NONE, Ids::NONE),
        },
        Route::Term { taxonomy, slug, page } => {
            let ids = term(*taxonomy, slug);
            (Ids::Slice(&ids[page_of(*page, ids.len())]), Ids::NONE)
        }
        Route::TermFeed { taxonomy, slug } => {
            let ids = term(*taxonomy, slug);
            let limit = ids.len().min(config.feed_limit);
            if *taxonomy == Taxonomy::Impact {
                // An area's page ranks by score; its feed is newest first like every feed
                // (ids count from the newest report).
                let mut newest = ids.to_vec();
                newest.sort_unstable();
                newest.truncate(limit);
                (Ids::NONE, Ids::Owned(newest))
            } else {
                (Ids::NONE, Ids::Slice(&ids[..limit]))
            }
        }
        Route::Alias { path } => match site.aliases.get(path) {
            Some(&i) => (Ids::Range(i..i + 1), Ids::NONE),
            None => (Ids::NONE, Ids::NONE),
        },
        Route::Rss | Route::Atom | Route::JsonFeed => (Ids::NONE, Ids::Range(0..n.min(config.feed_limit))),
        Route::Sitemap | Route::SitemapPart { .. } => (Ids::Range(0..n), Ids::NONE),
        // Where each word falls depends on every report's words.
        Route::SearchIndex | Route::SearchWords { .. } => (Ids::NONE, Ids::Range(0..n)),
        Route::SearchDocs { part } => {
            let start = (part * crate::search::DOCS_PER_SHARD).min(n);
            (
                Ids::Range(start..(start + crate::search::DOCS_PER_SHARD).min(n)),
                Ids::NONE,
            )
        }
        Route::NewsSitemap => (Ids::Range(0..site.recent.min(n)), Ids::NONE),
        Route::Terms(_) | Route::Page { .. } | Route::Search | Route::NotFound | Route::Robots => {
            (Ids::NONE, Ids::NONE)
        }
    };
    Shown { cards, full, related }
}

/// Each report's fingerprints, aligned with `Site::reports`: what its card shows, and all
/// of it (the body's HTML included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ReportFp {
    /// Front matter, reading time, body cashtags and mentions.
    pub card: u64,
    /// The card and the body's HTML.
    pub full: u64,
}

/// Everything a fingerprint depends on besides the route.
pub(crate) struct FingerprintInputs<'a> {
    pub site: &'a Site,
    pub config: &'a Config,
    pub reports: &'a [ReportFp],
    /// What each report's drawn chart is made of, aligned with `reports`.
    pub charts: &'a [u64],
    /// Each report's [`entry_hash`], aligned with `Site::reports`.
    pub entries: &'a [u64],
    pub templates: &'a TemplateHashes,
    /// The hash of a plain page's source text.
    pub page_hash: &'a (dyn Fn(&Path) -> u64 + Sync),
}

/// A hash of every input of a route's page: which reports it shows (by fingerprint), its
/// term's name and count, its place in the pagination, the templates it is made with.
pub(crate) fn route_fingerprint(route: &Route, inputs: &FingerprintInputs<'_>) -> u64 {
    let FingerprintInputs {
        site,
        config,
        reports,
        charts,
        entries,
        templates,
        page_hash,
    } = inputs;
    let mut h = DefaultHasher::new();
    route.hash(&mut h);
    // The templates this page is made with: its own page template, and every layout
    // and partial (a page may include any of them).
    if let Some(name) = crate::render::template_of(route) {
        templates.shared.hash(&mut h);
        templates.pages.get(name).hash(&mut h);
    }
    // The navigation of every HTML page lists the plain pages.
    for p in &site.pages {
        (&p.meta.title, &p.meta.slug, p.meta.weight, p.meta.in_menu).hash(&mut h);
    }
    let shown = shown(route, site, config);
    for i in shown.cards.iter() {
        reports[i].card.hash(&mut h);
    }
    for i in shown.full.iter() {
        reports[i].full.hash(&mut h);
    }
    for &i in shown.related {
        (i, entries[i]).hash(&mut h);
    }
    let per = config.paginate.max(1);
    match route {
        // A card is drawn from `card.svg` and the theme's fonts (both among the shared files).
        Route::Card { .. } => templates.shared.hash(&mut h),
        Route::Report { slug } => {
            if let Some(&i) = site.by_slug.get(slug) {
                charts[i].hash(&mut h);
            }
        }
        Route::Home { .. } => site.reports.len().div_ceil(per).hash(&mut h),
        Route::Terms(taxonomy) => {
            for t in site.terms(*taxonomy).values() {
                (&t.name, &t.slug, t.reports.len()).hash(&mut h);
            }
        }
        Route::Term { taxonomy, slug, .. } => {
            if let Some(t) = site.terms(*taxonomy).get(slug) {
                (&t.name, t.reports.len()).hash(&mut h);
            }
        }
        Route::TermFeed { taxonomy, slug } => {
            if let Some(t) = site.terms(*taxonomy).get(slug) {
                t.name.hash(&mut h);
            }
        }
        Route::Page { slug } => {
            if let Some(p) = site.pages.iter().find(|p| &p.meta.slug == slug) {
                page_hash(&p.meta.path).hash(&mut h);
                p.html.hash().hash(&mut h);
            }
        }
        Route::SearchIndex | Route::SearchWords { .. } => {
            // The tickers the site knows, and the names their reports are found by.
            let mut info: Vec<_> = site.ticker_info.iter().collect();
            info.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (symbol, i) in info {
                (symbol, &i.name).hash(&mut h);
            }
            for term in site
                .terms(Taxonomy::Tags)
                .values()
                .chain(site.terms(Taxonomy::Impact).values())
            {
                term.name.hash(&mut h);
            }
        }
        Route::Sitemap | Route::SitemapPart { .. } => {
            for t in Taxonomy::ALL {
                for term in site.terms(t).values() {
                    (&term.slug, term.reports.len().div_ceil(per)).hash(&mut h);
                }
            }
        }
        _ => {}
    }
    h.finish()
}

/// The site's spelling of each of a report's terms that the report spells otherwise (a
/// card shows the spelling used first, which another report, or data/authors.toml, may
/// set); 0 when it shows its own spellings only. So a card's fingerprint is a function of
/// what it shows: the same front matter and the same spellings give the same fingerprint,
/// and memoised card HTML (memo.rs) keyed on it is never stale (issue 13: a rename back
/// and forth left a card with the old spelling).
pub(crate) fn names_hash(r: &Report, site: &Site) -> u64 {
    let mut h = DefaultHasher::new();
    let mut any = false;
    for (taxonomy, t) in r.meta.terms() {
        let shown = site.term_name(taxonomy, &t.slug, &t.name);
        if shown != t.name {
            (taxonomy, &t.slug, shown).hash(&mut h);
            any = true;
        }
    }
    if any {
        h.finish()
    } else {
        0
    }
}

/// What a report shows where another lists it as related (context.rs, `RelatedCtx`):
/// its title, link, date and top score under the site's spelling of the area. So a
/// change elsewhere in the report (a tag) re-renders only the pages whose related list
/// it changes, not every page that lists it.
pub(crate) fn entry_hash(r: &Report, site: &Site) -> u64 {
    let m = &r.meta;
    let mut h = DefaultHasher::new();
    (&m.title, &m.slug, m.date).hash(&mut h);
    if let Some(s) = crate::report::top_score(&m.scores) {
        (s.score, site.term_name(Taxonomy::Impact, &s.area.slug, &s.area.name)).hash(&mut h);
    }
    h.finish()
}

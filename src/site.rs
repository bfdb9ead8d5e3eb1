//! Validated reports and pages -> [`Site`]: order, taxonomies, pagination. Cheap to
//! rebuild whole: taxonomies hold report indexes, not copies.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Deserialize;

use crate::cashtag::Ticker;
use crate::markdown::Body;
use crate::report::{PageMeta, ReportMeta};
use crate::routes::Taxonomy;

/// A report ready to render.
#[derive(Debug)]
pub struct Report {
    /// The quick read.
    pub meta: Arc<ReportMeta>,
    /// The full analysis; `None` when the body is empty.
    pub body: Option<Body>,
    /// Every ticker: front matter first, then cashtags of the body.
    pub tickers: Vec<Ticker>,
}

/// A plain page ready to render.
#[derive(Debug)]
pub struct Page {
    /// Front matter.
    pub meta: PageMeta,
    /// Rendered body.
    pub body: Body,
}

/// One term of a taxonomy.
#[derive(Debug, Clone)]
pub struct TermEntry {
    /// The spelling used first.
    pub name: String,
    /// URL slug.
    pub slug: String,
    /// Indexes into [`Site::reports`], in the term page's order.
    pub reports: Vec<usize>,
}

/// Name and exchange of a ticker, from `data/tickers.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TickerInfo {
    /// Company or fund name.
    pub name: Option<String>,
    /// Exchange.
    pub exchange: Option<String>,
}

/// The whole site's content, ordered and indexed.
#[derive(Debug)]
pub struct Site {
    /// Published reports, newest first.
    pub reports: Vec<Arc<Report>>,
    /// Plain pages, by title.
    pub pages: Vec<Arc<Page>>,
    /// Each taxonomy's terms, by slug.
    pub taxonomies: BTreeMap<Taxonomy, BTreeMap<String, TermEntry>>,
    /// `data/tickers.toml`.
    pub ticker_info: HashMap<String, TickerInfo>,
    /// Report slug -> index into `reports`.
    pub by_slug: HashMap<String, usize>,
}

impl Site {
    /// The terms of a taxonomy.
    pub fn terms(&self, taxonomy: Taxonomy) -> &BTreeMap<String, TermEntry> {
        &self.taxonomies[&taxonomy]
    }

    /// The canonical name of a term (the spelling used first), or `fallback`.
    pub fn term_name<'a>(&'a self, taxonomy: Taxonomy, slug: &str, fallback: &'a str) -> &'a str {
        self.taxonomies[&taxonomy]
            .get(slug)
            .map_or(fallback, |t| t.name.as_str())
    }

    /// How many reports a term has.
    pub fn term_count(&self, taxonomy: Taxonomy, slug: &str) -> usize {
        self.taxonomies[&taxonomy].get(slug).map_or(0, |t| t.reports.len())
    }
}

/// Orders reports and builds the taxonomies.
pub fn build_site(
    mut reports: Vec<Arc<Report>>,
    mut pages: Vec<Arc<Page>>,
    ticker_info: HashMap<String, TickerInfo>,
) -> Site {
    // Oldest first, so that the spelling of a term "used first" is the earliest one.
    reports.sort_by(|a, b| {
        a.meta
            .date
            .cmp(&b.meta.date)
            .then_with(|| b.meta.slug.cmp(&a.meta.slug))
    });
    // Built in hash maps (a lookup per term of every report), ordered once at the end.
    let mut building: BTreeMap<Taxonomy, rustc_hash::FxHashMap<String, TermEntry>> =
        Taxonomy::ALL.iter().map(|t| (*t, Default::default())).collect();
    let n = reports.len();
    for (i, r) in reports.iter().enumerate() {
        // Index in the newest-first list the site keeps.
        let id = n - 1 - i;
        let m = &r.meta;
        let mut add = |taxonomy: Taxonomy, name: &str, slug: &str| {
            let terms = building.get_mut(&taxonomy).expect("every taxonomy has a map");
            // Look up before inserting: most terms exist already, and a key costs an allocation.
            let entry = match terms.get_mut(slug) {
                Some(e) => e,
                None => terms.entry(slug.to_string()).or_insert_with(|| TermEntry {
                    name: name.to_string(),
                    slug: slug.to_string(),
                    reports: Vec::new(),
                }),
            };
            if entry.reports.last() != Some(&id) {
                entry.reports.push(id);
            }
        };
        for t in &m.tags {
            add(Taxonomy::Tags, &t.name, &t.slug);
        }
        if let Some(c) = &m.category {
            add(Taxonomy::Categories, &c.name, &c.slug);
        }
        for t in &r.tickers {
            add(Taxonomy::Tickers, t.symbol(), t.slug());
        }
        // Areas a report names as its primary impact or a ripple effect without scoring
        // them still lead to the area's page, after the reports that score it.
        let named = m
            .scores
            .iter()
            .map(|s| &s.area)
            .chain(&m.primary_impact)
            .chain(&m.ripple_effects);
        for area in named {
            add(Taxonomy::Impact, &area.name, &area.slug);
        }
        for s in &m.stakeholders {
            add(Taxonomy::Stakeholders, &s.who.name, &s.who.slug);
        }
    }
    reports.reverse();
    let mut taxonomies: BTreeMap<Taxonomy, BTreeMap<String, TermEntry>> = building
        .into_iter()
        .map(|(t, terms)| (t, terms.into_iter().collect()))
        .collect();
    for terms in taxonomies.values_mut() {
        for t in terms.values_mut() {
            t.reports.reverse();
        }
    }
    // Impact pages: highest score first, then newest.
    for t in taxonomies.get_mut(&Taxonomy::Impact).expect("impact map").values_mut() {
        let score = |id: usize| {
            reports[id]
                .meta
                .scores
                .iter()
                .find(|s| s.area.slug == t.slug)
                .map_or(0, |s| s.score)
        };
        t.reports.sort_by_cached_key(|&id| (std::cmp::Reverse(score(id)), id));
    }
    pages.sort_by(|a, b| (&a.meta.title, &a.meta.slug).cmp(&(&b.meta.title, &b.meta.slug)));
    let by_slug = reports
        .iter()
        .enumerate()
        .map(|(i, r)| (r.meta.slug.clone(), i))
        .collect();
    Site {
        by_slug,
        reports,
        pages,
        taxonomies,
        ticker_info,
    }
}

/// Splits `items` into pages of `per_page` (at least one page, even when empty).
pub fn paginate<T>(items: &[T], per_page: usize) -> Vec<&[T]> {
    if items.is_empty() {
        return vec![items];
    }
    items.chunks(per_page.max(1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_is_linear_and_never_empty() {
        let items: Vec<u32> = (0..25).collect();
        let pages = paginate(&items, 10);
        assert_eq!(pages.iter().map(|p| p.len()).collect::<Vec<_>>(), [10, 10, 5]);
        assert_eq!(paginate::<u32>(&[], 10).len(), 1);
    }
}

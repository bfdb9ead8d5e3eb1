//! The site's layout: the [`Site`], each report's card value, every route and its
//! fingerprint. Laid out whole when the site's shape changes (the slow path); when only
//! bodies changed, the last layout takes the new bodies in and names the pages that show
//! them (the fast path).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use minijinja::Value;
use rayon::prelude::*;

use crate::config::Config;
use crate::context::{report_value, TermValues};
use crate::fingerprint::{entry_hash, names_hash, route_fingerprint, shown, FingerprintInputs, ReportFp};
use crate::hash::hash_of;
use crate::markdown::PackedHtml;
use crate::memo::Fingerprinted;
use crate::render::plan_routes;
use crate::routes::{Route, Urls};
use crate::site::{build_site, Page, Report, Site, SiteData, TickerInfo};
use crate::templates::TemplateHashes;

/// A report on its way into the layout: with its fingerprints and its body's HTML.
pub(crate) type ReportEntry = (Arc<Report>, ReportFp, Option<PackedHtml>);

/// The last site, its cards, routes and their fingerprints, kept while its shape holds.
pub(crate) struct Layout {
    /// What the shape depends on (which reports are published and their cards).
    pub key: u64,
    /// The site.
    pub site: Site,
    /// Fingerprints per report, aligned with `site.reports`.
    pub report_fps: Vec<ReportFp>,
    /// What each report shows where it is listed as related (`entry_hash`), aligned
    /// with `site.reports`.
    pub entries: Vec<u64>,
    /// The bodies' HTML, aligned with `site.reports`.
    pub bodies: Vec<Option<PackedHtml>>,
    /// The card value of each report, aligned with `site.reports`.
    pub cards: Vec<Value>,
    /// Term values, made once.
    pub terms: TermValues,
    /// Every route.
    pub routes: Vec<Route>,
    /// Each route's fingerprint.
    pub fingerprints: Vec<u64>,
    /// What each report's drawn chart is made of ([`crate::chart::chart_key`]; 0: none),
    /// aligned with `site.reports`.
    pub charts: Vec<u64>,
}

/// Card values kept between layouts, by card fingerprint.
#[derive(Default)]
pub(crate) struct CardCache {
    // A lookup table only (never a fingerprint): a fast hash is fine here.
    cards: rustc_hash::FxHashMap<u64, Value>,
}

/// What a layout is made with besides the content.
pub(crate) struct LayoutInputs<'a> {
    pub config: &'a Config,
    pub urls: &'a Urls,
    pub templates: &'a TemplateHashes,
    pub ticker_info: &'a Option<HashMap<String, TickerInfo>>,
    pub author_info: &'a std::collections::BTreeMap<String, crate::site::AuthorInfo>,
    /// The price files charts are drawn from.
    pub prices: &'a crate::chart::prices::PriceBook,
    /// The build's "now" (the news sitemap's window ends there).
    pub now: chrono::DateTime<chrono::Utc>,
    /// The hash of a plain page's source text.
    pub page_hash: &'a (dyn Fn(&Path) -> u64 + Sync),
}

impl<'a> LayoutInputs<'a> {
    fn fingerprints(
        &self,
        site: &'a Site,
        reports: &'a [ReportFp],
        charts: &'a [u64],
        entries: &'a [u64],
    ) -> FingerprintInputs<'a> {
        FingerprintInputs {
            site,
            config: self.config,
            reports,
            charts,
            entries,
            templates: self.templates,
            page_hash: self.page_hash,
        }
    }
}

/// The slow path: the site index, every card, every route and its fingerprint.
pub(crate) fn lay_out(
    reports: Vec<ReportEntry>,
    pages: Vec<Arc<Page>>,
    key: u64,
    inputs: &LayoutInputs<'_>,
    cache: &mut CardCache,
) -> Layout {
    let entries = reports.into_iter().map(|(r, fp, html)| (r, (fp, html))).collect();
    let data = SiteData {
        ticker_info: inputs.ticker_info.clone().unwrap_or_default(),
        author_info: inputs.author_info.clone(),
        now: inputs.now,
    };
    let (site, extra) = build_site(entries, pages, data);
    let (fps, bodies): (Vec<ReportFp>, Vec<Option<PackedHtml>>) = extra.into_iter().unzip();

    // Cards, made only for reports whose fingerprint moved. A card shows the site's
    // spelling of its terms (the one used first), which other reports may change.
    let report_fps: Vec<ReportFp> = site
        .reports
        .iter()
        .zip(&fps)
        .map(|(r, fp)| {
            let names = names_hash(r, &site);
            ReportFp {
                card: hash_of(&(fp.card, names)),
                full: hash_of(&(fp.full, names)),
            }
        })
        .collect();
    let terms = TermValues::new(&site, inputs.urls);
    let missing: Vec<(u64, Value)> = site
        .reports
        .par_iter()
        .zip(report_fps.par_iter())
        .filter(|(_, fp)| !cache.cards.contains_key(&fp.card))
        .map(|(r, fp)| {
            let value = report_value(r, &site, &terms, inputs.urls, None);
            (fp.card, Fingerprinted::value(fp.card, value))
        })
        .collect();
    cache.cards.extend(missing);
    let cards: Vec<Value> = report_fps.iter().map(|fp| cache.cards[&fp.card].clone()).collect();
    let live: HashSet<u64> = report_fps.iter().map(|fp| fp.card).collect();
    cache.cards.retain(|fp, _| live.contains(fp));

    let charts: Vec<u64> = site
        .reports
        .iter()
        .map(|r| crate::chart::chart_key(&r.meta, inputs.prices, inputs.now.date_naive(), inputs.config))
        .collect();
    let entries: Vec<u64> = site.reports.iter().map(|r| entry_hash(r, &site)).collect();
    let routes = plan_routes(&site, inputs.config);
    let fp_inputs = inputs.fingerprints(&site, &report_fps, &charts, &entries);
    let fingerprints: Vec<u64> = routes.par_iter().map(|r| route_fingerprint(r, &fp_inputs)).collect();
    Layout {
        key,
        site,
        report_fps,
        entries,
        bodies,
        cards,
        terms,
        routes,
        fingerprints,
        charts,
    }
}

impl Layout {
    /// The fast path: only bodies changed. Swaps the new reports in and returns the
    /// routes that show one of them whole, with their fingerprints made again.
    pub(crate) fn take_bodies(&mut self, changed: Vec<ReportEntry>, inputs: &LayoutInputs<'_>) -> Vec<usize> {
        let mut ids = Vec::new();
        for (report, fp, html) in changed {
            let Some(&i) = self.site.by_slug.get(&report.meta.slug) else {
                continue;
            };
            self.site.reports[i] = report;
            self.bodies[i] = html;
            // The card (and any renamed term in it) is unchanged: keep its hash.
            self.report_fps[i].full = hash_of(&(fp.full, self.report_fps[i].card));
            ids.push(i);
        }
        let (site, config) = (&self.site, inputs.config);
        let candidates: Vec<usize> = self
            .routes
            .par_iter()
            .enumerate()
            .filter(|(_, route)| {
                let full = shown(route, site, config).full;
                !full.is_empty() && ids.iter().any(|&id| full.contains(id))
            })
            .map(|(i, _)| i)
            .collect();
        let fp_inputs = inputs.fingerprints(&self.site, &self.report_fps, &self.charts, &self.entries);
        for &i in &candidates {
            self.fingerprints[i] = route_fingerprint(&self.routes[i], &fp_inputs);
        }
        candidates
    }
}

impl CardCache {
    /// Forgets everything (new settings or templates).
    pub(crate) fn clear(&mut self) {
        self.cards.clear();
    }
}

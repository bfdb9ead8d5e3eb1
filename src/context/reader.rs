//! What the reader's views add to the report contexts (issue 12): the related reports
//! at the end of a report's pages, and the home page's table of scores by area.

use serde::Serialize;

use super::{display_date, iso_date};
use crate::routes::{Route, Taxonomy, Urls};
use crate::site::{Report, Site};

/// A score in a compact view: the number, its band in words and its class.
#[derive(Debug, Serialize)]
pub struct ScoreCell {
    score: u8,
    /// `High`.
    band: &'static str,
    /// `high` (a class of the band).
    severity: &'static str,
}

impl ScoreCell {
    fn new(s: &crate::report::Score) -> ScoreCell {
        ScoreCell {
            score: s.score,
            band: s.band(),
            severity: s.severity(),
        }
    }
}

/// The top score of a related report, with its area.
#[derive(Debug, Serialize)]
pub struct TopScoreCtx {
    area: String,
    #[serde(flatten)]
    cell: ScoreCell,
}

/// One related report. Exactly what `fingerprint::entry_hash` hashes: a page that lists
/// a report is re-rendered when one of these changes, and only then.
#[derive(Debug, Serialize)]
pub struct RelatedCtx {
    title: String,
    url: String,
    date: String,
    date_display: String,
    top_score: Option<TopScoreCtx>,
}

impl RelatedCtx {
    /// The related reports of report `id`, best first.
    pub fn list(site: &Site, urls: &Urls, id: usize) -> Vec<RelatedCtx> {
        let ids = site.related.get(id).map_or(&[][..], |r| &r[..]);
        ids.iter()
            .filter_map(|&i| site.reports.get(i))
            .map(|r| RelatedCtx::new(site, urls, r))
            .collect()
    }

    fn new(site: &Site, urls: &Urls, r: &Report) -> RelatedCtx {
        let m = &r.meta;
        RelatedCtx {
            title: m.title.clone(),
            url: urls.url(&Route::Report { slug: m.slug.clone() }),
            date: iso_date(&m.date),
            date_display: display_date(&m.date),
            top_score: crate::report::top_score(&m.scores).map(|s| TopScoreCtx {
                area: site.term_name(Taxonomy::Impact, &s.area.slug, &s.area.name).to_string(),
                cell: ScoreCell::new(s),
            }),
        }
    }
}

/// An impact area heading a column of the score table.
#[derive(Debug, Serialize)]
struct AreaColumn {
    name: String,
    url: String,
}

/// One report's row of the score table: a cell per area, empty where it has no score.
#[derive(Debug, Serialize)]
struct ScoreRow {
    title: String,
    url: String,
    cells: Vec<Option<ScoreCell>>,
}

/// The home page's area-by-report table of the page's reports: the areas that most of
/// them score first.
#[derive(Debug, Serialize)]
pub struct ScoreTable {
    areas: Vec<AreaColumn>,
    rows: Vec<ScoreRow>,
}

impl ScoreTable {
    /// The table of reports `ids`; `None` when none of them has a score.
    pub fn new(site: &Site, urls: &Urls, ids: impl Iterator<Item = usize>) -> Option<ScoreTable> {
        let reports: Vec<&Report> = ids.filter_map(|i| site.reports.get(i)).map(|r| &**r).collect();
        let mut areas: Vec<(usize, String, &str)> = Vec::new();
        for r in &reports {
            for s in &r.meta.scores {
                match areas.iter_mut().find(|a| a.2 == s.area.slug) {
                    Some(a) => a.0 += 1,
                    None => areas.push((
                        1,
                        site.term_name(Taxonomy::Impact, &s.area.slug, &s.area.name).to_string(),
                        &s.area.slug,
                    )),
                }
            }
        }
        if areas.is_empty() {
            return None;
        }
        areas.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let rows = reports
            .iter()
            .map(|r| ScoreRow {
                title: r.meta.title.clone(),
                url: urls.url(&Route::Report {
                    slug: r.meta.slug.clone(),
                }),
                cells: areas
                    .iter()
                    .map(|a| r.meta.scores.iter().find(|s| s.area.slug == a.2).map(ScoreCell::new))
                    .collect(),
            })
            .collect();
        let areas = areas
            .into_iter()
            .map(|(_, name, slug)| AreaColumn {
                name,
                url: urls.url(&Route::Term {
                    taxonomy: Taxonomy::Impact,
                    slug: slug.to_string(),
                    page: 1,
                }),
            })
            .collect();
        Some(ScoreTable { areas, rows })
    }
}

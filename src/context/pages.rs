//! The context of each page kind, one struct per template (README, "Themes and
//! templates"): what `site`, `urls` and `meta` come with on each.

use minijinja::Value;
use serde::Serialize;

use super::{AuthorCtx, EntryCtx, Meta, Pagination, RelatedCtx, ScoreTable, TaxonomyCtx};

/// `home.html`.
#[derive(Serialize)]
pub struct ListPage<'a> {
    /// Site settings.
    pub site: &'a Value,
    /// Site URLs.
    pub urls: &'a Value,
    /// Head data.
    pub meta: Meta,
    /// Cards.
    pub reports: Vec<Value>,
    /// The page's reports by area: a score table (none when no report has a score).
    pub score_table: Option<ScoreTable>,
    /// Page links.
    pub pagination: Option<Pagination>,
}

/// `report.html` and `analysis.html`.
#[derive(Serialize)]
pub struct ReportPage<'a> {
    /// Site settings.
    pub site: &'a Value,
    /// Site URLs.
    pub urls: &'a Value,
    /// Head data.
    pub meta: Meta,
    /// The quick read.
    pub report: Value,
    /// The full analysis (analysis.html only; empty on report.html).
    pub body_html: Value,
    /// Table of contents.
    pub toc: &'a [crate::markdown::TocEntry],
    /// Up to four reports that share the most tickers, areas and tags, best first.
    pub related: Vec<RelatedCtx>,
}

/// `terms.html`.
#[derive(Serialize)]
pub struct TermsPage<'a> {
    /// Site settings.
    pub site: &'a Value,
    /// Site URLs.
    pub urls: &'a Value,
    /// Head data.
    pub meta: Meta,
    /// Which taxonomy.
    pub taxonomy: TaxonomyCtx,
    /// Its terms, by name.
    pub terms: Vec<Value>,
}

/// `term.html` and `ticker.html`.
#[derive(Serialize)]
pub struct TermPage<'a> {
    /// Site settings.
    pub site: &'a Value,
    /// Site URLs.
    pub urls: &'a Value,
    /// Head data.
    pub meta: Meta,
    /// Which taxonomy.
    pub taxonomy: TaxonomyCtx,
    /// The term (a ticker on ticker.html).
    pub term: Value,
    /// The term's RSS feed.
    pub feed_url: Option<String>,
    /// Author pages: the author or desk from data/authors.toml.
    pub author: Option<AuthorCtx>,
    /// Reports.
    pub entries: Vec<EntryCtx>,
    /// Page links.
    pub pagination: Option<Pagination>,
}

/// `page.html`.
#[derive(Serialize)]
pub struct PlainPage<'a> {
    /// Site settings.
    pub site: &'a Value,
    /// Site URLs.
    pub urls: &'a Value,
    /// Head data.
    pub meta: Meta,
    /// The page.
    pub page: PageCtx,
}

/// `page` on page.html.
#[derive(Serialize)]
pub struct PageCtx {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// ISO date or none.
    pub date: Option<String>,
    /// Display date or none.
    pub date_display: Option<String>,
    /// Rendered body.
    pub content_html: Value,
    /// URL.
    pub url: String,
}

/// `search.html` and `404.html`.
#[derive(Serialize)]
pub struct BarePage<'a> {
    /// Site settings.
    pub site: &'a Value,
    /// Site URLs.
    pub urls: &'a Value,
    /// Head data.
    pub meta: Meta,
}

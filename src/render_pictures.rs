//! The pictures of a report's pages: its drawn chart, its share card, and what `og:image`
//! shows (FORMAT.md, "Pictures").

use minijinja::Value;

use super::Renderer;
use crate::card::CardContent;
use crate::context::{report_value, safe, Drawn, OgImage};
use crate::diagnostics::Diagnostic;
use crate::routes::{Route, Taxonomy};
use crate::templates::template_diagnostic;

impl Renderer<'_> {
    /// The whole quick read of a report, its chart drawn.
    pub(super) fn full_value(&self, id: usize) -> Result<Value, Diagnostic> {
        let report = &self.site.reports[id];
        let request = crate::chart::chart_request(&report.meta, self.today, self.config);
        let data = request.and_then(|r| crate::chart::chart_data(&r, &self.prices.prices));
        let chart_html = match data {
            Some(data) => {
                let view = crate::chart::view::chart_view(&data, &|t| self.urls.ticker_url(t));
                let html = crate::chart::render_chart(self.env, &view)
                    .map_err(|e| template_diagnostic(self.root, self.theme, &e))?;
                Some(safe(html))
            }
            None => None,
        };
        let drawn = Drawn { chart_html };
        Ok(report_value(report, self.site, self.terms, self.urls, Some(drawn)))
    }

    /// What a share of a report's pages shows: its lead image, else its share card.
    pub(super) fn og_image(&self, id: usize) -> OgImage {
        let r = &self.site.reports[id];
        if let Some(lead) = &r.pictures.lead {
            return OgImage {
                url: lead.permalink.clone(),
                width: lead.width,
                height: lead.height,
                alt: lead.alt.clone(),
            };
        }
        let m = &r.meta;
        OgImage {
            url: self.urls.permalink(&Route::Card { slug: m.slug.clone() }),
            width: Some(crate::card::WIDTH),
            height: Some(crate::card::HEIGHT),
            alt: m.title.clone(),
        }
    }

    /// A report's share card: from the cache, drawn only when what it shows is new.
    pub(super) fn render_card(&self, slug: &str) -> Result<Vec<u8>, Diagnostic> {
        let Some(&id) = self.site.by_slug.get(slug) else {
            return Err(Diagnostic::error("content", format!("no report with slug `{slug}`")));
        };
        let Some(maker) = self.card_maker else {
            return Ok(Vec::new());
        };
        let m = &self.site.reports[id].meta;
        let content = CardContent::new(
            &self.config.title,
            m.category
                .as_ref()
                .map(|c| self.site.term_name(Taxonomy::Categories, &c.slug, &c.name)),
            &m.title,
            m.scores.iter().map(|s| {
                let area = self.site.term_name(Taxonomy::Impact, &s.area.slug, &s.area.name);
                (area.to_string(), s.score)
            }),
        );
        let path = maker.card(&content)?;
        std::fs::read(&path).map_err(|e| {
            let shown = path.strip_prefix(self.root).unwrap_or(&path);
            Diagnostic::error(shown, format!("cannot read the cached share card: {e}"))
        })
    }
}

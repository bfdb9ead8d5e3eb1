//! Front matter -> validated [`ReportMeta`] and [`PageMeta`]. All validation lives here:
//! a value that made it into these types is known good, so later stages do not re-check.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use toml::Spanned;

use crate::cashtag::{scan_cashtags, Ticker};
use crate::diagnostics::Diagnostic;
use crate::frontmatter::{parse_toml, split_front_matter, TomlText};
use crate::load::Source;
use crate::rawfront::{explain_date_syntax, to_chrono, RawPage, RawReport, DATE_FORMS};
use crate::routes::{is_valid_slug, slugify, Taxonomy};

#[path = "report_image.rs"]
mod image;
pub(crate) use image::is_bundle_index;
use image::lead_image;
pub use image::LeadImage;

/// A taxonomy term: its name as shown and its slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Term {
    /// As written.
    pub name: String,
    /// As in URLs.
    pub slug: String,
}

/// An impact score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    /// The impact area.
    pub area: Term,
    /// 1..=10.
    pub score: u8,
    /// Why, plain text (may be empty).
    pub rationale: String,
}

/// The highest score, the first written of equals.
pub fn top_score(scores: &[Score]) -> Option<&Score> {
    scores.iter().rev().max_by_key(|s| s.score)
}

impl Score {
    /// The band of the score in words, as a reader sees it (`High`).
    pub fn band(&self) -> &'static str {
        match self.severity() {
            "severe" => "Severe",
            "high" => "High",
            "moderate" => "Moderate",
            _ => "Low",
        }
    }

    /// The band of the score in words: the one place the bands are drawn.
    pub fn severity(&self) -> &'static str {
        match self.score {
            9.. => "severe",
            7..=8 => "high",
            4..=6 => "moderate",
            _ => "low",
        }
    }
}

/// Impact at a glance, one domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glance {
    /// `Markets`, `Energy`...
    pub domain: String,
    /// What happens there.
    pub text: String,
}

/// Who needs to act and what they should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stakeholder {
    /// The group.
    pub who: Term,
    /// What they should do.
    pub action: String,
}

/// The chart to watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// The ticker to chart.
    pub ticker: Ticker,
    /// What it is.
    pub label: String,
    /// Why it matters.
    pub why: String,
    /// Tickers to compare it with, each with why (optional).
    pub compare: Vec<crate::chart::CompareEntry>,
}

/// What's next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Next {
    /// The next milestone.
    pub milestone: Option<String>,
    /// The signal that would mark a lasting shift.
    pub signal: Option<String>,
}

/// A question and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Faq {
    /// Question.
    pub q: String,
    /// Answer, plain text.
    pub a: String,
}

/// The source of the news.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLink {
    /// Publication name.
    pub name: String,
    /// An http(s) URL.
    pub url: String,
}

/// A report's validated front matter: the quick read.
#[derive(Debug, Clone)]
pub struct ReportMeta {
    /// The source file, relative to the site root.
    pub path: PathBuf,
    /// URL slug.
    pub slug: String,
    /// Title, plain text.
    pub title: String,
    /// Publication date.
    pub date: DateTime<FixedOffset>,
    /// Last update.
    pub updated: Option<DateTime<FixedOffset>>,
    /// Built only with `--drafts`.
    pub draft: bool,
    /// Authors and desks, without repeats.
    pub authors: Vec<Term>,
    /// The core takeaway.
    pub summary: String,
    /// Category.
    pub category: Option<Term>,
    /// Tags, without repeats.
    pub tags: Vec<Term>,
    /// Every ticker of the front matter: `tickers`, the chart's, and cashtags in text fields.
    pub tickers: Vec<Ticker>,
    /// Source of the news.
    pub source: Option<SourceLink>,
    /// Historical context.
    pub historical_context: Option<String>,
    /// Primary impact area.
    pub primary_impact: Option<Term>,
    /// Secondary areas.
    pub ripple_effects: Vec<Term>,
    /// Bottom line points.
    pub bottom_line: Vec<String>,
    /// Impact scores.
    pub scores: Vec<Score>,
    /// Impact at a glance.
    pub glance: Vec<Glance>,
    /// Who needs to act.
    pub stakeholders: Vec<Stakeholder>,
    /// Chains of consequence, each a list of steps.
    pub chains: Vec<Vec<String>>,
    /// The chart to watch.
    pub chart: Option<Chart>,
    /// What's next.
    pub next: Option<Next>,
    /// Questions and answers.
    pub faq: Vec<Faq>,
    /// Old paths that redirect here; the first is the report's first URL.
    pub aliases: Vec<crate::aliases::Alias>,
    /// What the last update changed (with `updated`).
    pub update_note: Option<String>,
    /// The lead image.
    pub image: Option<LeadImage>,
    /// The line of the file where the body starts (1-based).
    pub body_line: usize,
}

impl ReportMeta {
    /// Every text field of the quick read, the title aside (listings show it as a link):
    /// where cashtags are found and what a ticker page quotes. The one list of them.
    pub fn text_fields(&self) -> impl Iterator<Item = &str> {
        let chart = self.chart.iter().flat_map(|c| {
            [c.why.as_str(), c.label.as_str()]
                .into_iter()
                .chain(c.compare.iter().filter_map(|e| e.why.as_deref()))
        });
        let next = self
            .next
            .iter()
            .flat_map(|n| n.milestone.iter().chain(&n.signal).map(String::as_str));
        std::iter::once(self.summary.as_str())
            .chain(self.historical_context.as_deref())
            .chain(self.bottom_line.iter().map(String::as_str))
            .chain(self.scores.iter().map(|s| s.rationale.as_str()))
            .chain(self.glance.iter().map(|g| g.text.as_str()))
            .chain(self.stakeholders.iter().map(|s| s.action.as_str()))
            .chain(self.chains.iter().flatten().map(String::as_str))
            .chain(chart)
            .chain(next)
            .chain(self.faq.iter().flat_map(|f| [f.q.as_str(), f.a.as_str()]))
            .chain(self.update_note.as_deref())
    }

    /// Every term the report is filed under, in the order it names them, tickers aside
    /// (those come from the body too: see `site::Report::tickers`). Scored areas come
    /// before the primary impact and ripple effects, so a score's spelling wins.
    pub fn terms(&self) -> impl Iterator<Item = (Taxonomy, &Term)> {
        self.tags
            .iter()
            .map(|t| (Taxonomy::Tags, t))
            .chain(self.category.iter().map(|t| (Taxonomy::Categories, t)))
            .chain(self.scores.iter().map(|s| (Taxonomy::Impact, &s.area)))
            .chain(self.primary_impact.iter().map(|t| (Taxonomy::Impact, t)))
            .chain(self.ripple_effects.iter().map(|t| (Taxonomy::Impact, t)))
            .chain(self.stakeholders.iter().map(|s| (Taxonomy::Stakeholders, &s.who)))
            .chain(self.authors.iter().map(|a| (Taxonomy::Authors, a)))
    }
}

/// Collects diagnostics for one file, pointing into its text.
struct Checker<'a> {
    source: &'a Source,
    front_offset: usize,
    errors: Vec<Diagnostic>,
    /// Top-level keys whose problems are already reported.
    broken: Vec<String>,
}

impl Checker<'_> {
    /// Every problem, in file order (whole-file problems first).
    fn into_errors(mut self) -> Vec<Diagnostic> {
        self.errors.sort_by_key(|d| d.position);
        self.errors
    }

    fn error_at(&mut self, span_start: usize, message: String) {
        self.errors
            .push(Diagnostic::error(&self.source.path, message).at(&self.source.text, self.front_offset + span_start));
    }

    fn error_top(&mut self, message: String) {
        self.errors
            .push(Diagnostic::error(&self.source.path, message).at(&self.source.text, 0));
    }

    fn term(&mut self, value: &Spanned<String>, what: &str) -> Option<Term> {
        let name = value.get_ref().trim().to_string();
        let slug = slugify(&name);
        if slug.is_empty() {
            self.error_at(
                value.span().start,
                format!("{what} `{name}` has no letters or digits to make a URL from"),
            );
            return None;
        }
        Some(Term { name, slug })
    }

    fn ticker(&mut self, value: &Spanned<String>) -> Option<Ticker> {
        let t = Ticker::parse(value.get_ref());
        if t.is_none() {
            self.error_at(
                value.span().start,
                format!(
                    "`{}` is not a ticker: use 1 to 5 capital letters, optionally `.` and 1 or 2 more (`BRK.B`)",
                    value.get_ref()
                ),
            );
        }
        t
    }

    /// A date or date-time. The usual slips get their own message: quotes around a
    /// valid date, and other forms (`09/10/2025` cannot get here: it is a TOML syntax
    /// error, see [`explain_date_syntax`]).
    fn date(&mut self, value: &Spanned<toml::Value>, field: &str) -> Option<DateTime<FixedOffset>> {
        let at = value.span().start;
        match value.get_ref() {
            toml::Value::Datetime(d) => {
                let chrono = to_chrono(d);
                if chrono.is_none() {
                    self.error_with_help(
                        at,
                        format!("`{field}` must be a date or a date-time, found the time `{d}` alone"),
                        DATE_FORMS,
                    );
                }
                chrono
            }
            toml::Value::String(s)
                if s.trim()
                    .parse::<toml::value::Datetime>()
                    .is_ok_and(|d| to_chrono(&d).is_some()) =>
            {
                self.error_with_help(
                    at,
                    format!("`{field}` is written as a string: drop the quotes"),
                    format!("write `{field} = {}`: TOML reads a date without quotes", s.trim()),
                );
                None
            }
            other => {
                self.error_with_help(at, format!("`{field}` must be a date, found `{other}`"), DATE_FORMS);
                None
            }
        }
    }

    fn error_with_help(&mut self, span_start: usize, message: String, help: impl Into<String>) {
        self.errors.push(
            Diagnostic::error(&self.source.path, message)
                .at(&self.source.text, self.front_offset + span_start)
                .with_help(help),
        );
    }
}

fn slug_for(c: &mut Checker<'_>, explicit: Option<&Spanned<String>>, path: &Path) -> Option<String> {
    match explicit {
        Some(s) => {
            if is_valid_slug(s.get_ref()) {
                Some(s.get_ref().clone())
            } else {
                c.error_at(
                    s.span().start,
                    format!(
                        "slug `{}` is not a single URL segment: use lower-case letters, digits and `-`, starting with a letter or digit",
                        s.get_ref()
                    ),
                );
                None
            }
        }
        None => {
            // A bundle's report is named by its folder (FORMAT.md, "Pictures").
            let named = if is_bundle_index(path) {
                path.parent()
            } else {
                Some(path)
            };
            let stem = named
                .and_then(Path::file_stem)
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            // `My Report 2025.md` is `my-report-2025`, as Zola and Hugo would have it.
            let slug = if is_valid_slug(&stem) {
                stem.clone()
            } else {
                slugify(&stem)
            };
            if is_valid_slug(&slug) {
                Some(slug)
            } else {
                c.errors.push(
                    Diagnostic::error(
                        &c.source.path,
                        format!("the file name `{stem}` has no letters or digits to make a URL slug from"),
                    )
                    .with_help("add `slug = \"...\"` to the front matter, or rename the file"),
                );
                None
            }
        }
    }
}

fn required(c: &mut Checker<'_>, value: Option<String>, field: &str) -> Option<String> {
    match value {
        Some(v) if !v.trim().is_empty() => Some(v),
        _ if c.broken.iter().any(|b| b == field) => None,
        Some(_) => {
            c.error_top(format!("`{field}` must not be empty"));
            None
        }
        None => {
            c.error_top(format!("missing required field `{field}`"));
            None
        }
    }
}

/// Parses and validates a report. Every problem in the file is returned, not only the first.
pub fn validate_report(source: &Source) -> Result<ReportMeta, Vec<Diagnostic>> {
    let split = split_front_matter(&source.path, &source.text).map_err(|d| vec![d])?;
    let (raw, mut c) = parse_front::<RawReport>(source, &split)?;
    let (aliases, update_note) = newsroom_fields(&mut c, &raw, raw.updated.is_some());
    let title = required(&mut c, raw.title, "title");
    let summary = required(&mut c, raw.summary, "summary");
    let date = match &raw.date {
        Some(d) => c.date(d, "date"),
        None if c.broken.iter().any(|b| b == "date") => None,
        None => {
            c.error_top("missing required field `date`".into());
            None
        }
    };
    let updated = raw.updated.as_ref().and_then(|d| c.date(d, "updated"));
    if let (Some(d), Some(u), Some(written_d), Some(written_u)) = (date, updated, &raw.date, &raw.updated) {
        if u < d {
            c.error_with_help(
                written_u.span().start,
                format!(
                    "`updated` ({}) is earlier than `date` ({})",
                    written_u.get_ref(),
                    written_d.get_ref()
                ),
                "`updated` is when the report last changed, on or after its `date`",
            );
        }
    }
    let slug = slug_for(&mut c, raw.slug.as_ref(), &source.path);

    let category = raw.category.as_ref().and_then(|t| c.term(t, "category"));
    let mut authors: Vec<Term> = Vec::new();
    for a in &raw.authors {
        if let Some(term) = c.term(a, "author") {
            if !authors.iter().any(|x| x.slug == term.slug) {
                authors.push(term);
            }
        }
    }
    let mut tags: Vec<Term> = Vec::new();
    for t in &raw.tags {
        if let Some(term) = c.term(t, "tag") {
            if !tags.iter().any(|x| x.slug == term.slug) {
                tags.push(term);
            }
        }
    }
    let primary_impact = raw.primary_impact.as_ref().and_then(|t| c.term(t, "impact area"));
    let ripple_effects: Vec<Term> = raw
        .ripple_effects
        .iter()
        .filter_map(|t| c.term(t, "impact area"))
        .collect();

    let mut scores = Vec::new();
    for s in &raw.scores {
        let area = c.term(&s.area, "impact area");
        let value = match s.score.get_ref() {
            toml::Value::Integer(i) if (1..=10).contains(i) => Some(*i as u8),
            other => {
                c.error_at(
                    s.score.span().start,
                    format!("a score must be a whole number from 1 to 10, found `{other}`"),
                );
                None
            }
        };
        if let (Some(area), Some(score)) = (area, value) {
            if scores.iter().any(|x: &Score| x.area.slug == area.slug) {
                c.error_at(
                    s.area.span().start,
                    format!("impact area `{}` is scored twice", area.name),
                );
            } else {
                scores.push(Score {
                    area,
                    score,
                    rationale: s.rationale.clone(),
                });
            }
        }
    }

    let stakeholders: Vec<Stakeholder> = raw
        .stakeholders
        .iter()
        .filter_map(|s| {
            c.term(&s.who, "stakeholder group").map(|who| Stakeholder {
                who,
                action: s.action.clone(),
            })
        })
        .collect();

    let source_link = raw.source.as_ref().and_then(|s| {
        let url = s.url.get_ref().trim();
        if url.starts_with("https://") || url.starts_with("http://") {
            Some(SourceLink {
                name: s.name.clone(),
                url: url.to_string(),
            })
        } else {
            c.error_at(
                s.url.span().start,
                format!("the source URL must start with http:// or https://, found `{url}`"),
            );
            None
        }
    });

    let mut tickers: Vec<Ticker> = Vec::new();
    let mut add = |t: Ticker| {
        if !tickers.contains(&t) {
            tickers.push(t);
        }
    };
    for t in &raw.tickers {
        if let Some(t) = c.ticker(t) {
            add(t);
        }
    }
    let chart = raw.chart.as_ref().and_then(|ch| {
        let ticker = c.ticker(&ch.ticker)?;
        let compare = ch
            .compare
            .iter()
            .filter_map(|e| {
                let written = Spanned::new(e.span(), e.get_ref().ticker().to_owned());
                let ticker = c.ticker(&written)?;
                Some(crate::chart::CompareEntry {
                    ticker,
                    why: e.get_ref().validate().and_then(|v| v.why),
                })
            })
            .collect();
        Some(Chart {
            ticker,
            label: ch.label.clone(),
            why: ch.why.clone(),
            compare,
        })
    });
    if let Some(ch) = &chart {
        add(ch.ticker.clone());
        ch.compare.iter().map(|e| e.ticker.clone()).for_each(&mut add);
    }

    let image = lead_image(&mut c, raw.image.as_ref());
    let glance: Vec<Glance> = raw
        .glance
        .into_iter()
        .map(|g| Glance {
            domain: g.domain,
            text: g.text,
        })
        .collect();
    let next = raw.next.map(|n| Next {
        milestone: n.milestone.filter(|s| !s.trim().is_empty()),
        signal: n.signal.filter(|s| !s.trim().is_empty()),
    });
    let faq: Vec<Faq> = raw.faq.into_iter().map(|f| Faq { q: f.q, a: f.a }).collect();
    let chains: Vec<Vec<String>> = raw
        .chains
        .into_iter()
        .map(|ch| ch.steps)
        .filter(|s| !s.is_empty())
        .collect();

    if !c.errors.is_empty() {
        return Err(c.into_errors());
    }
    let (Some(title), Some(summary), Some(date), Some(slug)) = (title, summary, date, slug) else {
        unreachable!("a missing required value always records an error")
    };
    let mut meta = ReportMeta {
        path: source.path.clone(),
        slug,
        title,
        date,
        updated,
        draft: raw.draft,
        authors,
        summary,
        category,
        tags,
        tickers,
        source: source_link,
        historical_context: raw.historical_context.filter(|s| !s.trim().is_empty()),
        primary_impact,
        ripple_effects,
        bottom_line: raw.bottom_line,
        scores,
        glance,
        stakeholders,
        chains,
        chart,
        next,
        faq,
        aliases,
        update_note,
        image,
        body_line: body_line(&source.text, split.body),
    };
    // Cashtags in every text field join the report's tickers (the title's too, FORMAT.md).
    let found: Vec<Ticker> = std::iter::once(meta.title.as_str())
        .chain(meta.text_fields())
        .flat_map(|text| scan_cashtags(text).into_iter().map(|(_, t)| t))
        .collect();
    for t in found {
        if !meta.tickers.contains(&t) {
            meta.tickers.push(t);
        }
    }
    Ok(meta)
}

/// `aliases` and `update_note` (FORMAT.md, "Newsroom"), checked.
fn newsroom_fields(
    c: &mut Checker<'_>,
    raw: &RawReport,
    has_updated: bool,
) -> (Vec<crate::aliases::Alias>, Option<String>) {
    let mut aliases: Vec<crate::aliases::Alias> = Vec::new();
    for a in &raw.aliases {
        match crate::aliases::parse_alias(a.get_ref()) {
            Ok(path) if aliases.iter().any(|x| x.path == path) => {}
            Ok(path) => aliases.push(crate::aliases::Alias {
                path,
                at: crate::diagnostics::Position::at(&c.source.text, c.front_offset + a.span().start),
            }),
            Err(message) => c.error_at(a.span().start, message),
        }
    }
    let note = raw.update_note.as_ref().filter(|n| !n.get_ref().trim().is_empty());
    if let (Some(n), false) = (note, has_updated) {
        c.error_with_help(
            n.span().start,
            "`update_note` needs `updated`: the date of the change it describes".into(),
            "add `updated = 2025-10-10` (or a date-time) beside it",
        );
    }
    (aliases, note.map(|n| n.get_ref().trim().to_string()))
}

/// The front matter as `T`, and a checker holding the problems found so far. A syntax
/// error ends the file's checks: toml cannot read past it.
fn parse_front<'a, T: serde::de::DeserializeOwned>(
    source: &'a Source,
    split: &crate::frontmatter::Split<'_>,
) -> Result<(T, Checker<'a>), Vec<Diagnostic>> {
    let parsed = parse_toml::<T>(TomlText {
        file: &source.path,
        file_text: &source.text,
        offset: split.front_offset,
        toml: split.front,
    });
    match parsed.value {
        Some(raw) => Ok((
            raw,
            Checker {
                source,
                front_offset: split.front_offset,
                errors: parsed.errors,
                broken: parsed.broken,
            },
        )),
        None => Err(parsed.errors.into_iter().map(explain_date_syntax).collect()),
    }
}

fn body_line(text: &str, body: &str) -> usize {
    crate::diagnostics::Position::at(text, text.len() - body.len()).line
}

#[path = "page_meta.rs"]
mod page_meta;
pub use page_meta::{validate_page, PageMeta};

#[cfg(test)]
mod tests {
    use super::*;

    fn source(front: &str) -> Source {
        Source {
            path: PathBuf::from("content/r.md"),
            text: format!("+++\n{front}\n+++\nBody.\n"),
        }
    }

    const OK: &str = "title = \"T\"\ndate = 2025-10-09\nsummary = \"S\"";

    fn errors(front: &str) -> Vec<String> {
        match validate_report(&source(front)) {
            Ok(_) => vec![],
            Err(ds) => ds
                .iter()
                .map(|d| {
                    let p = d
                        .position
                        .map(|p| format!("{}:{}", p.line, p.column))
                        .unwrap_or_default();
                    format!("{p} {}", d.message)
                })
                .collect(),
        }
    }

    #[test]
    fn a_minimal_report_is_valid() {
        let r = validate_report(&source(OK)).unwrap();
        // "+++", three fields, "+++": the body starts on line 6.
        assert_eq!((r.slug.as_str(), r.title.as_str(), r.body_line), ("r", "T", 6));
        assert_eq!(r.date.to_rfc3339(), "2025-10-09T00:00:00+00:00");
    }

    #[test]
    fn each_error_of_the_format_has_its_message() {
        let cases: &[(&str, &str)] = &[
            ("date = 2025-10-09\nsummary = \"S\"", "1:1 missing required field `title`"),
            ("title = \"T\"\nsummary = \"S\"", "1:1 missing required field `date`"),
            ("title = \"T\"\ndate = 2025-10-09", "1:1 missing required field `summary`"),
            (
                "title = \"T\"\ndate = 2025-10-09\nsumary = \"S\"",
                "4:1 unknown field `sumary`, did you mean `summary`?",
            ),
            (
                &format!("{OK}\n[[scores]]\narea = \"A\"\nscore = 11"),
                "7:9 a score must be a whole number from 1 to 10, found `11`",
            ),
            (
                &format!("{OK}\n[[scores]]\narea = \"A\"\nscore = 7.5"),
                "7:9 a score must be a whole number from 1 to 10, found `7.5`",
            ),
            (
                &format!("{OK}\n[[scores]]\narea = \"A\"\nscore = \"8\""),
                "7:9 a score must be a whole number from 1 to 10, found `\"8\"`",
            ),
            (
                &format!("{OK}\nslug = \"../etc\""),
                "5:8 slug `../etc` is not a single URL segment: use lower-case letters, digits and `-`, starting with a letter or digit",
            ),
            (&format!("{OK}\ntags = [\"+++\"]"), "5:9 tag `+++` has no letters or digits to make a URL from"),
            (
                &format!("{OK}\ntickers = [\"toolong\"]"),
                "5:12 `toolong` is not a ticker: use 1 to 5 capital letters, optionally `.` and 1 or 2 more (`BRK.B`)",
            ),
            (
                &format!("{OK}\nsource = {{ name = \"x\", url = \"javascript:alert(1)\" }}"),
                "5:30 the source URL must start with http:// or https://, found `javascript:alert(1)`",
            ),
            ("title = \"T\"\ndate = 2025-10-09\nsummary = \"S\"\ntitle = \"U\"", "5:1 duplicate key"),
        ];
        for (front, want) in cases {
            let got = errors(front);
            assert!(
                got.iter().any(|g| g.starts_with(want)),
                "front matter:\n{front}\nwanted: {want}\ngot: {got:?}"
            );
        }
    }

    #[test]
    fn all_errors_of_a_file_are_reported() {
        let got = errors("summary = \"\"\n[[scores]]\narea = \"A\"\nscore = 0");
        assert_eq!(got.len(), 4, "{got:?}");
    }

    #[test]
    fn any_cut_of_a_report_is_checked_without_panic() {
        // Every prefix of a report full of mistakes: half-written tables, keys, strings.
        let text = "+++\ntitle = \"Tï\"\ndate = \"2025-10-09\"\nupdated = 2025-10-01\nsumary = 1\n\n[[scores]]\narea = \"A\"\nscore = 11\nrationle = \"x\"\n\n[next]\nauthors = [\"D\"]\nmilestone = { a = 1 }\n\n[[stakeholders]]\nwho = 3\n+++\nBody <b>x</b>\n";
        for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let s = Source {
                path: PathBuf::from("content/r.md"),
                text: format!("{}\n+++\n", &text[..end]),
            };
            if let Err(ds) = validate_report(&s) {
                assert!(!ds.is_empty());
                ds.iter().for_each(|d| assert!(!d.to_string().is_empty()));
            }
        }
    }

    #[test]
    fn tickers_gather_from_list_chart_and_text() {
        let r = validate_report(&source(&format!(
            "{OK}\ntickers = [\"usar\"]\nbottom_line = [\"$MP up\"]\n[chart]\nticker = \"REMX\"\ncompare = [\"LIT\"]"
        )))
        .unwrap();
        let syms: Vec<_> = r.tickers.iter().map(|t| t.symbol().to_string()).collect();
        assert_eq!(syms, ["USAR", "REMX", "LIT", "MP"]);
    }

    #[test]
    fn dates_without_offset_are_utc_and_offsets_are_kept() {
        let r = validate_report(&source(
            "title = \"T\"\ndate = 2025-10-09T08:30:00\nupdated = 2025-10-10T08:00:00+05:30\nsummary = \"S\"",
        ))
        .unwrap();
        assert_eq!(r.date.to_rfc3339(), "2025-10-09T08:30:00+00:00");
        assert_eq!(r.updated.unwrap().to_rfc3339(), "2025-10-10T08:00:00+05:30");
    }
}

//! The front matter as written -> `RawReport` and `RawPage`: every field optional and its
//! span kept, unknown keys denied (FORMAT.md), and the forms a date may take. `report.rs`
//! validates these into `ReportMeta` and `PageMeta`.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::Diagnostic;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReport {
    pub(crate) title: Option<String>,
    pub(crate) date: Option<Spanned<toml::Value>>,
    pub(crate) updated: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub(crate) draft: bool,
    pub(crate) slug: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) authors: Vec<Spanned<String>>,
    pub(crate) summary: Option<String>,
    pub(crate) category: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) tags: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) tickers: Vec<Spanned<String>>,
    pub(crate) source: Option<RawSource>,
    pub(crate) historical_context: Option<String>,
    pub(crate) primary_impact: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) ripple_effects: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) bottom_line: Vec<String>,
    #[serde(default)]
    pub(crate) scores: Vec<RawScore>,
    #[serde(default)]
    pub(crate) glance: Vec<RawGlance>,
    #[serde(default)]
    pub(crate) stakeholders: Vec<RawStakeholder>,
    #[serde(default)]
    pub(crate) chains: Vec<RawChain>,
    pub(crate) chart: Option<RawChart>,
    pub(crate) next: Option<RawNext>,
    #[serde(default)]
    pub(crate) faq: Vec<RawFaq>,
    #[serde(default)]
    pub(crate) aliases: Vec<Spanned<String>>,
    pub(crate) update_note: Option<Spanned<String>>,
    pub(crate) image: Option<Spanned<RawImage>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawImage {
    pub(crate) src: Spanned<String>,
    pub(crate) alt: Option<String>,
    pub(crate) credit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSource {
    pub(crate) name: String,
    pub(crate) url: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScore {
    pub(crate) area: Spanned<String>,
    pub(crate) score: Spanned<toml::Value>,
    #[serde(default)]
    pub(crate) rationale: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGlance {
    pub(crate) domain: String,
    pub(crate) text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStakeholder {
    pub(crate) who: Spanned<String>,
    pub(crate) action: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChain {
    pub(crate) steps: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawChart {
    pub(crate) ticker: Spanned<String>,
    #[serde(default)]
    pub(crate) label: String,
    #[serde(default)]
    pub(crate) why: String,
    #[serde(default)]
    pub(crate) compare: Vec<Spanned<crate::chart::RawCompare>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNext {
    pub(crate) milestone: Option<String>,
    pub(crate) signal: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFaq {
    pub(crate) q: String,
    pub(crate) a: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPage {
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) weight: i64,
    #[serde(default = "yes")]
    pub(crate) in_menu: bool,
    #[serde(default)]
    pub(crate) description: String,
    pub(crate) date: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub(crate) draft: bool,
}

/// The forms a `date` may take, for help lines.
fn yes() -> bool {
    true
}

pub(crate) const DATE_FORMS: &str =
    "write a date as 2025-10-09, or a date-time as 2025-10-09T08:00:00Z or 2025-10-09T08:00:00+02:00 (no quotes)";

/// toml cannot read `date = 09/10/2025` at all; its syntax error ("string values must be
/// quoted") would send the writer to add quotes, which is the other mistake. Says what a
/// date looks like instead.
pub(crate) fn explain_date_syntax(mut d: Diagnostic) -> Diagnostic {
    let Some(line) = d.source_line.as_deref() else {
        return d;
    };
    let Some((key, value)) = line.split_once('=') else {
        return d;
    };
    let key = key.trim();
    if key == "date" || key == "updated" {
        d.message = format!("`{key}` must be a date, found `{}`", value.trim());
        d.help = Some(DATE_FORMS.to_string());
    }
    d
}

/// Converts a TOML date or date-time; a date-time without an offset, or a bare date, is UTC.
pub(crate) fn to_chrono(d: &toml::value::Datetime) -> Option<DateTime<FixedOffset>> {
    let date = d.date?;
    let day = NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())?;
    let time = match d.time {
        Some(t) => NaiveTime::from_hms_nano_opt(
            t.hour.into(),
            t.minute.into(),
            t.second.unwrap_or(0).into(),
            t.nanosecond.unwrap_or(0),
        )?,
        None => NaiveTime::MIN,
    };
    let offset = match d.offset {
        Some(toml::value::Offset::Custom { minutes }) => FixedOffset::east_opt(i32::from(minutes) * 60)?,
        _ => FixedOffset::east_opt(0)?,
    };
    offset.from_local_datetime(&day.and_time(time)).single()
}

//! The chart to watch, drawn from data (FORMAT.md, "One chart to watch, drawn").
//!
//! In: the report's `[chart]` (ticker and compare entries), the report's date, the build's
//! date, the window in days, and the price series read by [`prices`].
//! Out: [`ChartData`], each line rebased to 100 at the first date all lines share in the
//! window; then [`view::chart_view`] lays it out as the typed context of the theme's
//! `chart.svg` and `chart.html` (the SVG, the compare reasons and the table of values).
//!
//! Nothing here fetches prices: they come from the writer's `data/prices/` files.

pub(crate) mod prices;
pub(crate) mod view;

use chrono::{Days, NaiveDate};
use serde::Deserialize;

use crate::cashtag::Ticker;
use crate::config::Config;
use crate::report::ReportMeta;
use prices::PriceBook;
pub(crate) use prices::{Prices, Series};

/// `[chart] window_days` when config.toml does not set it.
pub(crate) const DEFAULT_WINDOW_DAYS: u32 = 180;

/// A ticker to compare the chart's ticker with, and why (optional).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareEntry {
    /// The ticker.
    pub ticker: Ticker,
    /// Why it is worth comparing, shown under the chart.
    pub why: Option<String>,
}

/// A compare entry as written: `"LIT"` or `{ ticker = "MP", why = "..." }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub(crate) enum RawCompare {
    /// A bare ticker.
    Bare(String),
    /// A ticker with a reason.
    Full(RawCompareEntry),
}

/// The table form of a compare entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCompareEntry {
    /// The ticker as written.
    pub ticker: String,
    /// Why compare.
    #[serde(default)]
    pub why: Option<String>,
}

impl RawCompare {
    /// The ticker as written.
    pub fn ticker(&self) -> &str {
        match self {
            RawCompare::Bare(t) => t,
            RawCompare::Full(e) => &e.ticker,
        }
    }

    /// The validated entry, or `None` when the ticker is not one (report.rs reports that).
    pub fn validate(&self) -> Option<CompareEntry> {
        let why = match self {
            RawCompare::Bare(_) => None,
            RawCompare::Full(e) => e
                .why
                .as_deref()
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_owned),
        };
        Ticker::parse(self.ticker()).map(|ticker| CompareEntry { ticker, why })
    }
}

/// What to draw: one report's `[chart]` and the dates around it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChartRequest<'a> {
    /// The chart's ticker (`[chart] ticker`).
    pub ticker: &'a Ticker,
    /// `[chart] compare`, in the order written.
    pub compare: &'a [CompareEntry],
    /// The report's date, marked on the chart.
    pub report_date: NaiveDate,
    /// The build's date: the window ends at the last price on or before it.
    pub build_date: NaiveDate,
    /// The window's length in days (`[chart] window_days` in config.toml).
    pub window_days: u32,
}

/// One plotted day of one line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    /// The day.
    pub date: NaiveDate,
    /// The closing price that day.
    pub close: f64,
    /// The close rebased: 100 on the chart's first date.
    pub value: f64,
}

/// One ticker's line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// The ticker.
    pub ticker: Ticker,
    /// Why it is compared (`None` for the chart's own ticker and bare compare entries).
    pub why: Option<String>,
    /// Oldest first; the first point is the base date, where `value` is 100.
    pub points: Vec<Point>,
}

impl Line {
    /// The first point (the base date).
    pub fn first(&self) -> Point {
        self.points[0]
    }

    /// The last point.
    pub fn last(&self) -> Point {
        self.points[self.points.len() - 1]
    }

    /// The change from the first to the last point, in percent.
    pub fn change_percent(&self) -> f64 {
        self.last().value - 100.0
    }
}

/// The chart's numbers, before any layout.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChartData {
    /// The base date: the first date in the window that every line has a price for.
    pub start: NaiveDate,
    /// The last price of the chart's ticker on or before the build's date.
    pub end: NaiveDate,
    /// The report's date.
    pub report_date: NaiveDate,
    /// The chart's ticker first, then the compared tickers in the order written; each
    /// has at least the base date's point, the chart's ticker at least two points.
    pub lines: Vec<Line>,
    /// Compared tickers without a price file or without a date in common with the others.
    pub left_out: Vec<Ticker>,
}

impl ChartData {
    /// Whether the report's date falls inside the plotted dates (and so is marked).
    pub fn report_in_range(&self) -> bool {
        (self.start..=self.end).contains(&self.report_date)
    }
}

/// The chart's data, or `None` when there is nothing to draw: no price file for the
/// chart's ticker, no price on or before the build's date, or fewer than two dates in
/// the window.
pub(crate) fn chart_data(request: &ChartRequest<'_>, prices: &Prices) -> Option<ChartData> {
    let main = prices.get(request.ticker.symbol())?;
    let last = main.prices.partition_point(|p| p.date <= request.build_date);
    let end = main.prices.get(last.checked_sub(1)?)?.date;
    let window_start = end
        .checked_sub_days(Days::new(u64::from(request.window_days)))
        .unwrap_or(NaiveDate::MIN);
    let in_window = |s: &Series| -> Vec<NaiveDate> {
        s.prices
            .iter()
            .map(|p| p.date)
            .filter(|d| (window_start..=end).contains(d))
            .collect()
    };
    // Dates every accepted line has. A compared ticker that would leave no date before the
    // end (so no line to draw) is left out rather than shrinking the chart to a dot.
    let mut shared = in_window(main);
    let mut accepted: Vec<(&Series, Option<String>)> = vec![(main, None)];
    let mut left_out = Vec::new();
    for entry in request.compare {
        let duplicate = accepted.iter().any(|(s, _)| s.ticker == entry.ticker);
        if duplicate || left_out.contains(&entry.ticker) {
            continue;
        }
        let series = prices.get(entry.ticker.symbol());
        let narrowed: Vec<NaiveDate> = match series {
            Some(s) => shared.iter().copied().filter(|&d| s.on(d).is_some()).collect(),
            None => Vec::new(),
        };
        match series {
            Some(s) if narrowed.first().is_some_and(|&d| d < end) => {
                shared = narrowed;
                accepted.push((s, entry.why.clone()));
            }
            _ => left_out.push(entry.ticker.clone()),
        }
    }
    let start = *shared.first()?;
    let lines: Vec<Line> = accepted
        .into_iter()
        .filter_map(|(series, why)| rebase(series, why, start, end))
        .collect();
    if lines.first().is_none_or(|l| l.points.len() < 2) {
        return None;
    }
    Some(ChartData {
        start,
        end,
        report_date: request.report_date,
        lines,
        left_out,
    })
}

/// What a report's chart is drawn from: the report's `[chart]` and date, the price
/// files of its tickers and the last price date on or before `today`, and the window.
/// 0 when there is no chart to draw (no `[chart]`, or no price file for its ticker).
pub(crate) fn chart_key(meta: &ReportMeta, book: &PriceBook, today: NaiveDate, config: &Config) -> u64 {
    let Some(chart) = &meta.chart else { return 0 };
    let Some(main) = book.prices.get(chart.ticker.symbol()) else {
        return 0;
    };
    // Only the window's end moves the chart: the build's date between two prices does not.
    let end = main.prices.partition_point(|p| p.date <= today);
    let tickers = std::iter::once(&chart.ticker).chain(chart.compare.iter().map(|e| &e.ticker));
    let files: Vec<Option<&u64>> = tickers.map(|t| book.hashes.get(t.symbol())).collect();
    let whys: Vec<(&str, Option<&str>)> = chart
        .compare
        .iter()
        .map(|e| (e.ticker.symbol(), e.why.as_deref()))
        .collect();
    crate::hash::hash_of(&(
        chart.ticker.symbol(),
        whys,
        meta.date.date_naive(),
        end,
        config.chart_window_days,
        files,
    ))
    .max(1)
}

/// The request for a report's chart, when it has one.
pub(crate) fn chart_request<'a>(meta: &'a ReportMeta, today: NaiveDate, config: &Config) -> Option<ChartRequest<'a>> {
    let chart = meta.chart.as_ref()?;
    Some(ChartRequest {
        ticker: &chart.ticker,
        compare: &chart.compare,
        report_date: meta.date.date_naive(),
        build_date: today,
        window_days: config.chart_window_days,
    })
}

/// Renders the theme's `chart.html` (which includes `chart.svg`) with `chart` = `view`:
/// HTML that impress made, safe to mark as such in the page. An error comes back as
/// minijinja's, for `templates::template_diagnostic`.
pub(crate) fn render_chart(
    env: &minijinja::Environment<'_>,
    view: &view::ChartView,
) -> Result<String, minijinja::Error> {
    env.get_template("chart.html")?
        .render(minijinja::context! { chart => minijinja::Value::from(minijinja::value::Serde(view)) })
}

/// The series' prices from `start` to `end`, each divided by the price on `start`.
fn rebase(series: &Series, why: Option<String>, start: NaiveDate, end: NaiveDate) -> Option<Line> {
    let base = series.on(start)?;
    let points = series
        .prices
        .iter()
        .filter(|p| (start..=end).contains(&p.date))
        .map(|p| Point {
            date: p.date,
            close: p.close,
            value: p.close / base * 100.0,
        })
        .collect();
    Some(Line {
        ticker: series.ticker.clone(),
        why,
        points,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::prices::Price;
    use super::*;

    pub(crate) fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub(crate) fn ticker(s: &str) -> Ticker {
        Ticker::parse(s).unwrap()
    }

    /// A series from `(date, close)` pairs.
    pub(crate) fn series(symbol: &str, rows: &[(&str, f64)]) -> Series {
        Series {
            ticker: ticker(symbol),
            prices: rows.iter().map(|&(d, close)| Price { date: day(d), close }).collect(),
        }
    }

    pub(crate) fn book(all: Vec<Series>) -> Prices {
        all.into_iter().map(|s| (s.ticker.symbol().to_owned(), s)).collect()
    }

    fn compare(symbols: &[&str]) -> Vec<CompareEntry> {
        symbols
            .iter()
            .map(|s| CompareEntry {
                ticker: ticker(s),
                why: None,
            })
            .collect()
    }

    fn request<'a>(main: &'a Ticker, compare: &'a [CompareEntry], build: &str) -> ChartRequest<'a> {
        ChartRequest {
            ticker: main,
            compare,
            report_date: day("2025-10-02"),
            build_date: day(build),
            window_days: DEFAULT_WINDOW_DAYS,
        }
    }

    fn values(line: &Line) -> Vec<(String, f64)> {
        line.points.iter().map(|p| (p.date.to_string(), p.value)).collect()
    }

    #[test]
    fn lines_are_rebased_at_the_first_shared_date() {
        let prices = book(vec![
            series(
                "REMX",
                &[("2025-10-01", 40.0), ("2025-10-02", 44.0), ("2025-10-03", 50.0)],
            ),
            series(
                "MP",
                &[("2025-10-02", 20.0), ("2025-10-03", 15.0), ("2025-10-04", 30.0)],
            ),
        ]);
        let main = ticker("REMX");
        let cmp = compare(&["MP"]);
        let data = chart_data(&request(&main, &cmp, "2025-12-31"), &prices).unwrap();
        assert_eq!((data.start, data.end), (day("2025-10-02"), day("2025-10-03")));
        assert_eq!(
            values(&data.lines[0]),
            [("2025-10-02".into(), 100.0), ("2025-10-03".into(), 50.0 / 44.0 * 100.0)]
        );
        // The compared line stops at the chart's end, even with later prices.
        assert_eq!(
            values(&data.lines[1]),
            [("2025-10-02".into(), 100.0), ("2025-10-03".into(), 75.0)]
        );
        assert!((data.lines[1].change_percent() + 25.0).abs() < 1e-9);
        assert!(data.report_in_range());
        assert!(data.left_out.is_empty());
    }

    #[test]
    fn the_window_ends_at_the_last_price_on_or_before_the_build_date() {
        let prices = book(vec![series(
            "MP",
            &[
                ("2025-01-01", 1.0),
                ("2025-06-01", 2.0),
                ("2025-09-01", 3.0),
                ("2025-11-01", 4.0),
            ],
        )]);
        let main = ticker("MP");
        let data = chart_data(&request(&main, &[], "2025-10-15"), &prices).unwrap();
        assert_eq!(data.end, day("2025-09-01"));
        // 180 days before 1 September is 4 March: January falls out of the window.
        assert_eq!(data.start, day("2025-06-01"));
        assert_eq!(data.lines[0].last().value, 150.0);
        let mut short = request(&main, &[], "2025-12-01");
        short.window_days = 30;
        assert!(
            chart_data(&short, &prices).is_none(),
            "one date in the window draws nothing"
        );
    }

    #[test]
    fn nothing_to_draw_without_the_main_series_or_a_price_before_the_build() {
        let prices = book(vec![series("MP", &[("2025-10-01", 1.0), ("2025-10-02", 2.0)])]);
        let (mp, lit) = (ticker("MP"), ticker("LIT"));
        assert!(chart_data(&request(&lit, &[], "2025-12-01"), &prices).is_none());
        assert!(chart_data(&request(&mp, &[], "2025-09-30"), &prices).is_none());
        assert!(chart_data(&request(&mp, &[], "2025-12-01"), &Prices::new()).is_none());
    }

    #[test]
    fn compared_tickers_without_data_or_overlap_are_left_out() {
        let prices = book(vec![
            series("REMX", &[("2025-10-01", 1.0), ("2025-10-02", 2.0), ("2025-10-03", 3.0)]),
            series("MP", &[("2025-10-02", 1.0), ("2025-10-03", 2.0)]),
            series("TSLA", &[("2025-10-01", 1.0)]),
            series("CAT", &[("2025-10-03", 5.0)]),
        ]);
        let main = ticker("REMX");
        let cmp = compare(&["MP", "LIT", "TSLA", "MP", "REMX", "CAT"]);
        let data = chart_data(&request(&main, &cmp, "2025-12-01"), &prices).unwrap();
        let drawn: Vec<_> = data.lines.iter().map(|l| l.ticker.symbol().to_owned()).collect();
        assert_eq!(drawn, ["REMX", "MP"]);
        let left: Vec<_> = data.left_out.iter().map(|t| t.symbol().to_owned()).collect();
        // CAT shares only the last date: drawing it would leave every line a dot.
        assert_eq!(left, ["LIT", "TSLA", "CAT"]);
        assert_eq!(data.start, day("2025-10-02"));
        let alone = chart_data(&request(&main, &compare(&["CAT"]), "2025-12-01"), &prices).unwrap();
        assert_eq!(alone.lines.len(), 1);
    }

    #[test]
    fn a_report_date_outside_the_window_is_not_marked() {
        let prices = book(vec![series("MP", &[("2025-10-05", 1.0), ("2025-10-06", 2.0)])]);
        let main = ticker("MP");
        let data = chart_data(&request(&main, &[], "2025-12-01"), &prices).unwrap();
        assert!(!data.report_in_range());
    }

    #[test]
    fn extreme_windows_do_not_panic() {
        let prices = book(vec![series("MP", &[("0001-01-01", 1.0), ("2025-10-06", 2.0)])]);
        let main = ticker("MP");
        let mut r = request(&main, &[], "2025-12-01");
        r.window_days = u32::MAX;
        assert_eq!(chart_data(&r, &prices).unwrap().lines[0].points.len(), 2);
        r.window_days = 0;
        assert!(chart_data(&r, &prices).is_none());
    }

    #[test]
    fn compare_entries_are_bare_tickers_or_tables() {
        #[derive(Deserialize)]
        struct Chart {
            compare: Vec<toml::Spanned<RawCompare>>,
        }
        let chart: Chart = toml::from_str(
            "compare = [\"lit\", { ticker = \"MP\", why = \" Western output \" }, { ticker = \"$CAT\" }]",
        )
        .unwrap();
        let entries: Vec<_> = chart.compare.iter().map(|c| c.get_ref().validate().unwrap()).collect();
        assert_eq!(
            entries[0],
            CompareEntry {
                ticker: ticker("LIT"),
                why: None
            }
        );
        assert_eq!(entries[1].why.as_deref(), Some("Western output"));
        assert_eq!(entries[2].ticker, ticker("CAT"));
        assert!(chart.compare[1].span().start > 0);
        assert!(toml::from_str::<Chart>("compare = [{ ticker = \"MP\", wy = \"x\" }]").is_err());
        assert!(RawCompare::Bare("not a ticker".into()).validate().is_none());
    }
}

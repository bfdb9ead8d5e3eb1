//! [`ChartData`] -> [`ChartView`]: the chart laid out in SVG user units, the context of
//! the theme's `chart.svg` and `chart.html`.
//!
//! Every number a template needs is computed here (coordinates, paths, tick labels, the
//! text of `<title>` and `<desc>`, the table), so a theme restyles the chart without
//! doing arithmetic in minijinja. The viewBox is 640 wide and the default theme writes
//! text at 20 units: 12 px on a 390 px phone, where the chart fills the column.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use super::{ChartData, Line};
use crate::cashtag::Ticker;

/// The viewBox's width.
pub(crate) const WIDTH: f64 = 640.0;
/// The viewBox's height.
pub(crate) const HEIGHT: f64 = 360.0;
/// Room for the y tick labels (`100`, `97.5`).
const LEFT: f64 = 52.0;
/// Room for each line's end label (`USAR +45.2%`).
const RIGHT: f64 = 152.0;
/// Room above the plot for the report date's label.
const TOP: f64 = 32.0;
/// Room for the x tick labels.
const BOTTOM: f64 = 40.0;
/// The least distance between two end labels' baselines.
const LABEL_GAP: f64 = 22.0;

/// The plot area inside the viewBox.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Plot {
    /// x of the left edge.
    pub left: f64,
    /// x of the right edge.
    pub right: f64,
    /// y of the top edge.
    pub top: f64,
    /// y of the bottom edge.
    pub bottom: f64,
}

/// A tick on an axis: where (x or y) and its label.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Tick {
    /// The coordinate along the axis.
    pub at: f64,
    /// The label.
    pub label: String,
}

/// The report's date on the chart.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Marker {
    /// x of the vertical rule.
    pub x: f64,
    /// `Report`, the label above the plot.
    pub label: String,
    /// The date in words, for a tooltip or the caption.
    pub date: String,
    /// `start` or `end`: the side the label runs to, so it stays inside the viewBox.
    pub anchor: &'static str,
}

/// One ticker's line, ready to draw.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LineView {
    /// 0 for the chart's ticker, then the compared tickers in order (the colour slot).
    pub index: usize,
    /// The ticker (`MP`).
    pub ticker: String,
    /// The ticker's page.
    pub url: String,
    /// Why it is compared.
    pub why: Option<String>,
    /// True for the chart's own ticker.
    pub main: bool,
    /// The SVG path (`M x y L x y ...`).
    pub path: String,
    /// Where the line ends.
    pub end_x: f64,
    /// Where the line ends.
    pub end_y: f64,
    /// The end label's y, moved apart from the other labels.
    pub label_y: f64,
    /// The change from the first to the last day (`+18.8%`, `−4.5%`).
    pub change: String,
    /// The first day's close (`43.10`).
    pub start_close: String,
    /// The last day's close.
    pub end_close: String,
}

/// The plotted values as rows, for the table under the chart.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Table {
    /// One column per line, in the lines' order.
    pub columns: Vec<String>,
    /// One row per date, oldest first.
    pub rows: Vec<Row>,
}

/// One date of the table.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    /// ISO date.
    pub date: String,
    /// Each line's rebased value that day (`104.2`), empty where it has none.
    pub values: Vec<String>,
}

/// What `chart.svg` and `chart.html` receive as `chart`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChartView {
    /// The viewBox's width.
    pub width: f64,
    /// The viewBox's height.
    pub height: f64,
    /// The plot area.
    pub plot: Plot,
    /// The SVG's `<title>`.
    pub title: String,
    /// The SVG's `<desc>`: each line's start, end and change in percent.
    pub desc: String,
    /// The base date in words (`8 April 2025`).
    pub start: String,
    /// The last date in words.
    pub end: String,
    /// The lines, the chart's ticker first.
    pub lines: Vec<LineView>,
    /// y ticks, bottom up.
    pub y_ticks: Vec<Tick>,
    /// x ticks, left to right.
    pub x_ticks: Vec<Tick>,
    /// y of the value 100.
    pub baseline: f64,
    /// The report's date, when it falls inside the chart.
    pub report: Option<Marker>,
    /// The plotted values.
    pub table: Table,
    /// Compared tickers that are not drawn (no price file, or no date in common).
    pub left_out: Vec<String>,
}

/// Lays the chart out. `ticker_url` gives a ticker page's URL (from `routes`).
pub(crate) fn chart_view(data: &ChartData, ticker_url: &dyn Fn(&Ticker) -> String) -> ChartView {
    let plot = Plot {
        left: LEFT,
        right: WIDTH - RIGHT,
        top: TOP,
        bottom: HEIGHT - BOTTOM,
    };
    let values = data.lines.iter().flat_map(|l| l.points.iter().map(|p| p.value));
    let (lo, hi, y_ticks) = value_ticks(values);
    let span_days = (data.end - data.start).num_days().max(1) as f64;
    let x =
        |d: NaiveDate| round1(plot.left + (d - data.start).num_days() as f64 / span_days * (plot.right - plot.left));
    let y = |v: f64| round1(plot.bottom - (v - lo) / (hi - lo) * (plot.bottom - plot.top));
    let mut lines: Vec<LineView> = data
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| line_view(index, line, ticker_url(&line.ticker), &x, &y))
        .collect();
    spread_labels(&mut lines, plot.top + 8.0, plot.bottom);
    let report = data.report_in_range().then(|| {
        let at = x(data.report_date);
        Marker {
            x: at,
            label: "Report".into(),
            date: date_text(data.report_date),
            anchor: if at > (plot.left + plot.right) / 2.0 {
                "end"
            } else {
                "start"
            },
        }
    });
    ChartView {
        width: WIDTH,
        height: HEIGHT,
        title: title(data),
        desc: desc(data),
        start: date_text(data.start),
        end: date_text(data.end),
        y_ticks: y_ticks.into_iter().map(|v| Tick { at: y(v.0), label: v.1 }).collect(),
        x_ticks: date_ticks(data.start, data.end, plot.right - plot.left)
            .into_iter()
            .map(|(d, label)| Tick { at: x(d), label })
            .collect(),
        baseline: y(100.0),
        report,
        table: table(data),
        left_out: data.left_out.iter().map(|t| t.symbol().to_owned()).collect(),
        lines,
        plot,
    }
}

fn line_view(
    index: usize,
    line: &Line,
    url: String,
    x: &impl Fn(NaiveDate) -> f64,
    y: &impl Fn(f64) -> f64,
) -> LineView {
    let mut path = String::with_capacity(line.points.len() * 14);
    for (i, p) in line.points.iter().enumerate() {
        path.push(if i == 0 { 'M' } else { 'L' });
        push_tenths(&mut path, x(p.date));
        path.push(' ');
        push_tenths(&mut path, y(p.value));
    }
    let (first, last) = (line.first(), line.last());
    LineView {
        index,
        ticker: line.ticker.symbol().to_owned(),
        url,
        why: line.why.clone(),
        main: index == 0,
        path,
        end_x: x(last.date),
        end_y: y(last.value),
        label_y: y(last.value),
        change: percent(line.change_percent()),
        start_close: price(first.close),
        end_close: price(last.close),
    }
}

/// Moves the end labels apart so that no two are closer than [`LABEL_GAP`], keeping
/// them between `top` and `bottom` where there is room, and their order by value.
fn spread_labels(lines: &mut [LineView], top: f64, bottom: f64) {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| lines[a].end_y.total_cmp(&lines[b].end_y).then(a.cmp(&b)));
    let mut at: Vec<f64> = order.iter().map(|&i| lines[i].end_y.clamp(top, bottom)).collect();
    for k in 1..at.len() {
        at[k] = at[k].max(at[k - 1] + LABEL_GAP);
    }
    // Pushed past the bottom: shift up from the bottom, but never above the top.
    if let Some(&last) = at.last() {
        if last > bottom {
            let n = at.len();
            for k in (0..n).rev() {
                let limit = bottom - (n - 1 - k) as f64 * LABEL_GAP;
                at[k] = at[k].min(limit).max(top);
            }
        }
    }
    for (k, &i) in order.iter().enumerate() {
        lines[i].label_y = round1(at[k]);
    }
}

/// Writes `v` rounded to one decimal (`104.2`, `-3.0`) with integer formatting: the path
/// and the table hold hundreds of numbers, and float formatting was half the layout's time.
fn push_tenths(out: &mut String, v: f64) {
    use std::fmt::Write;
    let tenths = (v * 10.0).round();
    if !tenths.is_finite() || tenths.abs() > 1e15 {
        // Not reached with prices in their documented range; still a number, not a panic.
        let _ = write!(out, "{v:.1}");
        return;
    }
    let tenths = tenths as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let _ = write!(
        out,
        "{sign}{}.{}",
        tenths.unsigned_abs() / 10,
        tenths.unsigned_abs() % 10
    );
}

/// Rounds a coordinate to a tenth of a unit: finer than a screen shows, and short.
fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The y range (padded to whole ticks) and its ticks: 3 to 6 round values.
fn value_ticks(values: impl Iterator<Item = f64>) -> (f64, f64, Vec<(f64, String)>) {
    let (mut lo, mut hi) = values
        .filter(|v| v.is_finite())
        .fold((100.0_f64, 100.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi - lo < 1e-9 {
        lo -= 5.0;
        hi += 5.0;
    }
    let raw = (hi - lo) / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * magnitude);
    let (lo, hi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    let decimals = if step.fract() == 0.0 {
        0
    } else if (step * 10.0).fract().abs() < 1e-9 {
        1
    } else {
        2
    };
    let count = ((hi - lo) / step).round() as usize;
    let ticks = (0..=count.min(12))
        .map(|k| {
            let v = lo + k as f64 * step;
            (v, format!("{v:.decimals$}"))
        })
        .collect();
    (lo, hi, ticks)
}

/// Ticks along the dates: the first of each month (January labelled with its year), or
/// for a window of a few weeks, days a week or two apart; at most one per 64 units.
fn date_ticks(start: NaiveDate, end: NaiveDate, width: f64) -> Vec<(NaiveDate, String)> {
    let room = ((width / 64.0).floor() as usize).max(2);
    let mut months = Vec::new();
    let mut m = start.with_day(1).and_then(|d| d.checked_add_months(Months::new(1)));
    while let Some(d) = m.filter(|&d| d <= end) {
        months.push(d);
        m = d.checked_add_months(Months::new(1));
    }
    if months.len() >= 2 {
        let every = months.len().div_ceil(room);
        return months
            .into_iter()
            .step_by(every)
            .map(|d| {
                let label = if d.month() == 1 { d.format("%Y") } else { d.format("%b") };
                (d, label.to_string())
            })
            .collect();
    }
    // Day labels (`6 Oct`) are wider: one per 96 units.
    let room = ((width / 96.0).floor() as i64).max(2);
    let days = (end - start).num_days();
    let step = [1, 2, 7, 14, 28].into_iter().find(|s| days / s < room).unwrap_or(28);
    (0..=days / step)
        .filter_map(|k| start.checked_add_days(chrono::Days::new((k * step) as u64)))
        .map(|d| (d, d.format("%-d %b").to_string()))
        .collect()
}

/// `8 October 2025`, as on the rest of the site.
pub(crate) fn date_text(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A change in percent with its sign: `+18.8%`, `−4.5%` (a real minus), `0.0%`.
fn percent(change: f64) -> String {
    let rounded = (change * 10.0).round() / 10.0;
    if rounded > 0.0 {
        format!("+{rounded:.1}%")
    } else if rounded < 0.0 {
        format!("\u{2212}{:.1}%", -rounded)
    } else {
        "0.0%".into()
    }
}

/// A price with two decimals, four below 1 (`0.0123`).
fn price(v: f64) -> String {
    if v < 1.0 {
        format!("{v:.4}")
    } else {
        format!("{v:.2}")
    }
}

/// `MP`, `MP and LIT`, `MP, LIT and CAT`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn title(data: &ChartData) -> String {
    let tickers: Vec<&str> = data.lines.iter().map(|l| l.ticker.symbol()).collect();
    format!("{} since {}, rebased to 100", and_list(&tickers), date_text(data.start))
}

fn desc(data: &ChartData) -> String {
    let mut out = format!(
        "Closing prices from {} to {}, each rebased to 100 on the first day.",
        date_text(data.start),
        date_text(data.end)
    );
    for line in &data.lines {
        out.push_str(&format!(
            " {} went from {} to {} ({}).",
            line.ticker.symbol(),
            price(line.first().close),
            price(line.last().close),
            percent(line.change_percent())
        ));
    }
    if data.report_in_range() {
        out.push_str(&format!(
            " The report's date, {}, is marked.",
            date_text(data.report_date)
        ));
    }
    out
}

fn table(data: &ChartData) -> Table {
    let mut dates: Vec<NaiveDate> = data
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.date))
        .collect();
    dates.sort_unstable();
    dates.dedup();
    let rows = dates
        .into_iter()
        .map(|d| Row {
            date: format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            values: data
                .lines
                .iter()
                .map(|l| {
                    let mut cell = String::new();
                    if let Ok(i) = l.points.binary_search_by_key(&d, |p| p.date) {
                        push_tenths(&mut cell, l.points[i].value);
                    }
                    cell
                })
                .collect(),
        })
        .collect();
    Table {
        columns: data.lines.iter().map(|l| l.ticker.symbol().to_owned()).collect(),
        rows,
    }
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;

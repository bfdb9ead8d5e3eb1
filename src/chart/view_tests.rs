//! Tests of the chart's layout and of the default theme's `chart.svg` and `chart.html`.

use super::*;
use crate::chart::tests::{book, day, series, ticker};
use crate::chart::{chart_data, render_chart, ChartRequest, CompareEntry};

fn sample() -> ChartData {
    let dates: Vec<String> = (0..120)
        .map(|i| (day("2025-06-02") + chrono::Days::new(i)).to_string())
        .collect();
    let rows = |f: &dyn Fn(f64) -> f64| -> Vec<(&str, f64)> {
        dates
            .iter()
            .enumerate()
            .map(|(i, d)| (d.as_str(), f(i as f64)))
            .collect()
    };
    let prices = book(vec![
        series("REMX", &rows(&|i| 40.0 + i * 0.1)),
        series("MP", &rows(&|i| 20.0 + i * 0.05)),
        series("LIT", &rows(&|i| 50.0 - i * 0.1)),
    ]);
    let compare = [
        CompareEntry {
            ticker: ticker("MP"),
            why: Some("Western <output> & \"more\"".into()),
        },
        CompareEntry {
            ticker: ticker("LIT"),
            why: None,
        },
        CompareEntry {
            ticker: ticker("USAR"),
            why: None,
        },
    ];
    let request = ChartRequest {
        ticker: &ticker("REMX"),
        compare: &compare,
        report_date: day("2025-08-01"),
        build_date: day("2025-12-01"),
        window_days: 180,
    };
    chart_data(&request, &prices).unwrap()
}

fn url(t: &Ticker) -> String {
    format!("/tickers/{}/", t.slug())
}

#[test]
fn the_view_states_start_end_and_change_of_each_line() {
    let view = chart_view(&sample(), &url);
    assert_eq!(view.title, "REMX, MP and LIT since 2 June 2025, rebased to 100");
    assert_eq!(
        view.desc,
        "Closing prices from 2 June 2025 to 29 September 2025, each rebased to 100 on the first day. \
         REMX went from 40.00 to 51.90 (+29.8%). MP went from 20.00 to 25.95 (+29.8%). \
         LIT went from 50.00 to 38.10 (\u{2212}23.8%). The report's date, 1 August 2025, is marked."
    );
    assert_eq!(view.left_out, ["USAR"]);
    assert_eq!(view.lines[1].url, "/tickers/mp/");
    let marker = view.report.as_ref().unwrap();
    assert!(marker.x > view.plot.left && marker.x < view.plot.right);
    assert_eq!(marker.anchor, "end", "past the middle, the label runs left");
}

#[test]
fn lines_fill_the_plot_and_100_is_a_tick() {
    let view = chart_view(&sample(), &url);
    let hundred = view.y_ticks.iter().find(|t| t.label == "100").unwrap();
    assert_eq!(hundred.at, view.baseline);
    for l in &view.lines {
        assert!(
            l.path
                .starts_with(&format!("M{:.1} {:.1}L", view.plot.left, view.baseline)),
            "{}",
            l.path
        );
        assert_eq!(l.path.matches('L').count(), 119);
        assert_eq!(l.end_x, view.plot.right);
    }
    let top = view.y_ticks.last().unwrap().at;
    let bottom = view.y_ticks[0].at;
    assert_eq!((top, bottom), (view.plot.top, view.plot.bottom));
    let labels: Vec<_> = view.x_ticks.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, ["Jul", "Aug", "Sep"]);
}

#[test]
fn end_labels_keep_apart_and_inside_the_plot() {
    // REMX and MP end at the same value: their labels must not overlap.
    let view = chart_view(&sample(), &url);
    let mut ys: Vec<f64> = view.lines.iter().map(|l| l.label_y).collect();
    ys.sort_by(f64::total_cmp);
    assert!(ys.windows(2).all(|w| w[1] - w[0] >= LABEL_GAP - 0.05), "{ys:?}");
    let mut crowded: Vec<LineView> = (0..4)
        .map(|i| LineView {
            end_y: view.plot.bottom - f64::from(i),
            ..view.lines[0].clone()
        })
        .collect();
    spread_labels(&mut crowded, view.plot.top, view.plot.bottom);
    let ys: Vec<f64> = crowded.iter().map(|l| l.label_y).collect();
    assert!(
        ys.iter().all(|&y| y <= view.plot.bottom && y >= view.plot.top),
        "{ys:?}"
    );
    assert_eq!(
        ys[0], view.plot.bottom,
        "the lowest line keeps the lowest label: {ys:?}"
    );
}

#[test]
fn value_ticks_are_round_and_cover_the_values() {
    let cases: &[(&[f64], &[&str])] = &[
        (&[100.0], &["95.0", "97.5", "100.0", "102.5", "105.0"]),
        (&[90.0, 112.0], &["90", "100", "110", "120"]),
        (&[99.0, 101.0], &["99.0", "99.5", "100.0", "100.5", "101.0"]),
        (&[100.0, 180.0], &["100", "120", "140", "160", "180"]),
        (&[60.0, 100.0], &["60", "70", "80", "90", "100"]),
        (
            &[100.0, 1e18],
            &[
                "0",
                "250000000000000000",
                "500000000000000000",
                "750000000000000000",
                "1000000000000000000",
            ],
        ),
    ];
    for (values, labels) in cases {
        let (lo, hi, ticks) = value_ticks(values.iter().copied());
        let got: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(&got, labels, "{values:?}");
        assert!(values.iter().all(|v| (lo..=hi).contains(v)));
    }
}

#[test]
fn date_ticks_name_months_years_or_days() {
    let labels =
        |a: &str, b: &str| -> Vec<String> { date_ticks(day(a), day(b), 452.0).into_iter().map(|t| t.1).collect() };
    assert_eq!(
        labels("2025-05-12", "2025-11-07"),
        ["Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]
    );
    assert_eq!(labels("2025-09-15", "2026-02-20"), ["Oct", "Nov", "Dec", "2026", "Feb"]);
    assert_eq!(
        labels("2024-11-07", "2025-11-07"),
        ["Dec", "Feb", "Apr", "Jun", "Aug", "Oct"]
    );
    assert_eq!(
        labels("2025-10-06", "2025-10-31"),
        ["6 Oct", "13 Oct", "20 Oct", "27 Oct"]
    );
    assert_eq!(labels("2025-10-06", "2025-10-07"), ["6 Oct", "7 Oct"]);
}

#[test]
fn changes_and_prices_are_formatted_for_reading() {
    let cases = [
        (18.84, "+18.8%"),
        (-4.46, "\u{2212}4.5%"),
        (0.04, "0.0%"),
        (-0.04, "0.0%"),
    ];
    for (v, s) in cases {
        assert_eq!(percent(v), s);
    }
    assert_eq!((price(43.1), price(0.01234)), ("43.10".to_owned(), "0.0123".to_owned()));
    assert_eq!(and_list(&["A", "B", "C"]), "A, B and C");
    let tenths = |v: f64| {
        let mut s = String::new();
        push_tenths(&mut s, v);
        s
    };
    let cases = [
        (104.24, "104.2"),
        (99.96, "100.0"),
        (-3.04, "-3.0"),
        (0.0, "0.0"),
        (-0.04, "0.0"),
    ];
    for (v, s) in cases {
        assert_eq!(tenths(v), s, "{v}");
    }
    assert!(tenths(1e300).starts_with("1000000000000000052504760255204420248704"));
    assert!(tenths(f64::NAN).ends_with("NaN"));
}

/// An environment with the default theme's chart templates, read from the repository.
fn theme_env() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    for name in ["chart.svg", "chart.html"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        env.add_template_owned(name, text).unwrap();
    }
    env
}

#[test]
fn the_default_theme_draws_an_accessible_svg_and_a_table() {
    let html = render_chart(&theme_env(), &chart_view(&sample(), &url)).unwrap();
    let doc = scraper::Html::parse_fragment(&html);
    let select =
        |css: &str| -> Vec<scraper::ElementRef<'_>> { doc.select(&scraper::Selector::parse(css).unwrap()).collect() };
    let svg = select("figure > svg");
    assert_eq!(svg.len(), 1);
    assert_eq!(svg[0].value().attr("role"), Some("img"));
    let text = |css: &str| select(css)[0].text().collect::<String>();
    assert_eq!(
        text("svg > title"),
        "REMX, MP and LIT since 2 June 2025, rebased to 100"
    );
    assert!(text("svg > desc").contains("LIT went from 50.00 to 38.10 (\u{2212}23.8%)"));
    assert_eq!(select("path.chart__line").len(), 3);
    let ends: Vec<String> = select("text.chart__end").iter().map(|e| e.text().collect()).collect();
    assert_eq!(ends, ["REMX +29.8%", "MP +29.8%", "LIT \u{2212}23.8%"]);
    assert_eq!(select("line.chart__mark").len(), 1);
    assert_eq!(select("details table tbody tr").len(), 120);
    let heads: Vec<String> = select("thead th").iter().map(|e| e.text().collect()).collect();
    assert_eq!(heads, ["Date", "REMX", "MP", "LIT"]);
    assert_eq!(text("tbody tr td"), "100.0");
    // The reason is text, escaped; only MP has one.
    assert_eq!(text(".chart-figure__why li"), "$MP Western <output> & \"more\"");
    assert!(html.contains("Western &lt;output&gt; &amp;"));
    assert_eq!(text(".chart-figure__note"), "No price data to draw for USAR.");
    assert!(!html.contains("<script"));
}

#[test]
fn the_svg_alone_is_well_formed_and_renders() {
    let env = theme_env();
    let svg = env
        .get_template("chart.svg")
        .unwrap()
        .render(minijinja::context! { chart => minijinja::Value::from(minijinja::value::Serde(chart_view(&sample(), &url))) })
        .unwrap();
    let tree = resvg::usvg::Tree::from_str(&svg, &resvg::usvg::Options::default()).unwrap();
    assert_eq!(tree.size().width(), WIDTH as f32);
}

#[test]
fn the_example_sites_price_files_draw_every_chart() {
    // The example site's reports chart these tickers against each other.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let symbols = ["B", "CAT", "FLR", "LIT", "MP", "REMX", "TSLA", "USAR"];
    let tickers: Vec<Ticker> = symbols.iter().map(|s| ticker(s)).collect();
    let prices = crate::chart::prices::read_prices(root, &tickers).unwrap();
    assert_eq!(prices.len(), symbols.len());
    for (main, compare, date) in [
        ("REMX", ["MP", "LIT"], "2025-10-08"),
        ("FLR", ["CAT", "B"], "2025-11-04"),
    ] {
        let compare: Vec<CompareEntry> = compare
            .iter()
            .map(|s| CompareEntry {
                ticker: ticker(s),
                why: None,
            })
            .collect();
        let request = ChartRequest {
            ticker: &ticker(main),
            compare: &compare,
            report_date: day(date),
            build_date: day("2026-12-01"),
            window_days: 180,
        };
        let data = chart_data(&request, &prices).unwrap();
        assert_eq!(data.lines.len(), 3);
        assert!(data.report_in_range(), "{main}");
        assert!(data.lines[0].points.len() > 100);
    }
}

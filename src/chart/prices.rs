//! `data/prices/<TICKER>.csv` -> [`Series`]: one ticker's daily closes, sorted by date.
//!
//! FORMAT.md: a header `date,close`, ISO dates, rows in any order. The header may carry
//! other columns in any order (a spreadsheet or broker export: `Date,Open,...,Close`);
//! `date` and `close` are found by name, case aside. Lines starting with `#` are comments,
//! so a file can say where its numbers come from. Every bad row is reported with its
//! line, so a writer fixes a file in one pass.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::cashtag::Ticker;
use crate::diagnostics::Diagnostic;

/// One day's closing price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Price {
    /// The trading day.
    pub date: NaiveDate,
    /// The closing price, finite and above zero (a line is rebased by dividing by it).
    pub close: f64,
}

/// One ticker's prices, oldest first, one per date.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    /// The ticker the file is named for.
    pub ticker: Ticker,
    /// Sorted by date, no date twice.
    pub prices: Vec<Price>,
}

impl Series {
    /// The price on `date`, if the file has one.
    pub fn on(&self, date: NaiveDate) -> Option<f64> {
        self.prices
            .binary_search_by_key(&date, |p| p.date)
            .ok()
            .map(|i| self.prices[i].close)
    }
}

/// Price series by ticker symbol, as read for one build.
pub(crate) type Prices = HashMap<String, Series>;

/// The site path of a ticker's price file: `data/prices/<TICKER>.csv`.
#[cfg(test)]
pub(crate) fn price_path(ticker: &Ticker) -> PathBuf {
    Path::new("data/prices").join(format!("{}.csv", ticker.symbol()))
}

/// Reads the price file of each ticker that has one. A missing file is no error (the
/// chart's section stays text); a malformed one is, with every bad line listed.
#[cfg(test)]
pub(crate) fn read_prices<'a>(
    root: &Path,
    tickers: impl IntoIterator<Item = &'a Ticker>,
) -> Result<Prices, Vec<Diagnostic>> {
    let mut prices = Prices::new();
    let mut errors = Vec::new();
    for ticker in tickers {
        if prices.contains_key(ticker.symbol()) {
            continue;
        }
        let path = price_path(ticker);
        let bytes = match std::fs::read(root.join(&path)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                errors.push(Diagnostic::error(&path, format!("cannot read the price file: {e}")));
                continue;
            }
        };
        match parse_prices(&path, ticker, &bytes) {
            Ok(series) => {
                prices.insert(ticker.symbol().to_owned(), series);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(prices)
    } else {
        Err(errors)
    }
}

/// Every price file of the site, and a hash of each file's bytes by ticker symbol: a
/// price file is an input of every quick read that draws it.
#[derive(Debug, Default)]
pub(crate) struct PriceBook {
    /// The series by symbol.
    pub prices: Prices,
    /// Hash of each file's bytes by symbol.
    pub hashes: HashMap<String, u64>,
}

impl PriceBook {
    /// A hash of every price file (0 when there are none).
    pub fn hash(&self) -> u64 {
        let mut all: Vec<_> = self.hashes.iter().collect();
        all.sort();
        if all.is_empty() {
            0
        } else {
            crate::hash::hash_of(&all)
        }
    }
}

/// Reads every `data/prices/<TICKER>.csv` (other files are left alone). No folder is no
/// prices; a CSV not named for a ticker, or malformed, is an error with its file (and line).
pub(crate) fn read_price_folder(root: &Path) -> Result<PriceBook, Vec<Diagnostic>> {
    let dir = root.join("data/prices");
    let mut book = PriceBook::default();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(book);
    };
    let mut errors = Vec::new();
    let mut files: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    for file in files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if crate::load::is_editor_temp(&name) || !file.is_file() {
            continue;
        }
        let site_path = Path::new("data/prices").join(&name);
        // Notes beside the prices (a README saying where they come from) are not prices.
        let Some(stem) = name.strip_suffix(".csv") else {
            continue;
        };
        let Some(ticker) = Ticker::parse(stem).filter(|t| t.symbol() == stem) else {
            errors.push(Diagnostic::error(
                &site_path,
                format!("`{stem}` is not a ticker: name a price file for its ticker in capitals (`MP.csv`)"),
            ));
            continue;
        };
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) => {
                errors.push(Diagnostic::error(
                    &site_path,
                    format!("cannot read the price file: {e}"),
                ));
                continue;
            }
        };
        match parse_prices(&site_path, &ticker, &bytes) {
            Ok(series) => {
                book.hashes
                    .insert(ticker.symbol().to_owned(), crate::hash::content_hash(&bytes));
                book.prices.insert(ticker.symbol().to_owned(), series);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(book)
    } else {
        Err(errors)
    }
}

/// The columns of `date` and `close` in the header, or why the header is not one.
fn header_columns(header: &csv::StringRecord) -> Result<(usize, usize), String> {
    let find = |name: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    match (find("date"), find("close")) {
        (Some(d), Some(c)) => Ok((d, c)),
        _ => Err(format!(
            "the first line must be the header `date,close`, found `{}`",
            header.iter().collect::<Vec<_>>().join(",")
        )),
    }
}

/// Parses one price file. `path` is the site path used in diagnostics.
pub(crate) fn parse_prices(path: &Path, ticker: &Ticker, bytes: &[u8]) -> Result<Series, Vec<Diagnostic>> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let line_error = |line: u64, message: String| {
        Diagnostic::error(path, message).at_line(Some(text), usize::try_from(line).unwrap_or(usize::MAX))
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .comment(Some(b'#'))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let (date_col, close_col) = match reader.headers().cloned() {
        Ok(h) if h.iter().any(|f| !f.is_empty()) => {
            let line = h.position().map_or(1, |p| p.line());
            header_columns(&h).map_err(|m| vec![line_error(line.max(1), m)])?
        }
        Ok(_) => {
            return Err(vec![Diagnostic::error(
                path,
                "the file is empty: it needs the header `date,close`",
            )])
        }
        Err(e) => return Err(vec![Diagnostic::error(path, format!("cannot read the header: {e}"))]),
    };
    let mut errors = Vec::new();
    let mut prices = Vec::new();
    let mut first_seen: HashMap<NaiveDate, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(line_error(line, format!("cannot read this row: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        match parse_row(&record, date_col, close_col) {
            Ok(price) => match first_seen.insert(price.date, line) {
                Some(first) => errors.push(line_error(
                    line,
                    format!("the date `{}` is also on line {first}: one price a day", price.date),
                )),
                None => prices.push(price),
            },
            Err(m) => errors.push(line_error(line, m)),
        }
    }
    if prices.is_empty() && errors.is_empty() {
        errors.push(Diagnostic::error(path, "the file has a header and no prices"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    prices.sort_by_key(|p| p.date);
    Ok(Series {
        ticker: ticker.clone(),
        prices,
    })
}

/// One row as a price, or what is wrong with it.
fn parse_row(record: &csv::StringRecord, date_col: usize, close_col: usize) -> Result<Price, String> {
    let date = record.get(date_col).unwrap_or_default();
    let close = record.get(close_col).unwrap_or_default();
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| format!("`{date}` is not a date: write it as YYYY-MM-DD (2025-10-09)"))?;
    let value: f64 = close
        .parse()
        .map_err(|_| format!("the close `{close}` is not a number: write it like 123.45"))?;
    // Bounds keep every rebased value (a ratio of two closes) finite.
    if !value.is_finite() || value <= 0.0 {
        return Err(format!("the close `{close}` must be a price above zero"));
    }
    if !(1e-6..=1e12).contains(&value) {
        return Err(format!(
            "the close `{close}` is out of range: a price is from 0.000001 to 10^12"
        ));
    }
    Ok(Price { date, close: value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Series, Vec<Diagnostic>> {
        parse_prices(
            Path::new("data/prices/MP.csv"),
            &Ticker::parse("MP").unwrap(),
            text.as_bytes(),
        )
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn rows_in_any_order_come_back_sorted() {
        let s = parse("date,close\n2025-10-02,11\n2025-10-01,10.5\n\n2025-10-03,12\n").unwrap();
        let dates: Vec<_> = s.prices.iter().map(|p| p.date.to_string()).collect();
        assert_eq!(dates, ["2025-10-01", "2025-10-02", "2025-10-03"]);
        assert_eq!(s.on(day("2025-10-01")), Some(10.5));
        assert_eq!(s.on(day("2025-10-04")), None);
    }

    #[test]
    fn comments_bom_spaces_and_export_headers_are_accepted() {
        let s = parse("\u{feff}# illustrative\nDate, Open ,Close,Volume\n2025-10-01, 9 , 10 ,5\n").unwrap();
        assert_eq!(
            s.prices,
            [Price {
                date: day("2025-10-01"),
                close: 10.0
            }]
        );
    }

    #[test]
    fn bad_rows_are_errors_with_their_lines() {
        let cases: &[(&str, usize, &str)] = &[
            (
                "date,close\n2025-10-01,10\n2025-13-01,10\n",
                3,
                "`2025-13-01` is not a date",
            ),
            ("date,close\n10/01/2025,10\n", 2, "`10/01/2025` is not a date"),
            ("date,close\n2025-10-01,ten\n", 2, "the close `ten` is not a number"),
            ("date,close\n2025-10-01,\n", 2, "the close `` is not a number"),
            ("date,close\n2025-10-01\n", 2, "the close `` is not a number"),
            ("date,close\n2025-10-01,0\n", 2, "must be a price above zero"),
            ("date,close\n2025-10-01,-3\n", 2, "must be a price above zero"),
            ("date,close\n2025-10-01,NaN\n", 2, "must be a price above zero"),
            ("date,close\n2025-10-01,inf\n", 2, "must be a price above zero"),
            ("date,close\n2025-10-01,1e-300\n", 2, "out of range"),
            ("date,close\n2025-10-01,1e13\n", 2, "out of range"),
            ("# note\ndate,close\n2025-10-01,1\n2025-10-01,2\n", 4, "also on line 3"),
            (
                "2025-10-01,10\n2025-10-02,11\n",
                1,
                "the header `date,close`, found `2025-10-01,10`",
            ),
            ("day,price\n", 1, "found `day,price`"),
        ];
        for (text, line, message) in cases {
            let errors = parse(text).unwrap_err();
            assert_eq!(errors.len(), 1, "{text:?}: {errors:?}");
            let d = &errors[0];
            assert_eq!(d.file, Path::new("data/prices/MP.csv"));
            assert_eq!(d.position.map(|p| p.line), Some(*line), "{text:?}: {d}");
            assert!(d.message.contains(message), "{text:?}: {}", d.message);
        }
    }

    #[test]
    fn every_bad_row_is_reported() {
        let errors = parse("date,close\nx,1\n2025-10-02,1\ny,2\n").unwrap_err();
        let lines: Vec<_> = errors.iter().map(|d| d.position.unwrap().line).collect();
        assert_eq!(lines, [2, 4]);
    }

    #[test]
    fn empty_files_and_headers_alone_are_errors() {
        for text in ["", "\n", "# only a comment\n", "date,close\n", "date,close\n\n"] {
            let errors = parse(text).unwrap_err();
            assert_eq!(errors.len(), 1, "{text:?}");
        }
    }

    #[test]
    fn invalid_utf8_does_not_panic() {
        let bytes = b"date,close\n2025-10-01,\xff\xfe\n";
        let errors = parse_prices(Path::new("data/prices/MP.csv"), &Ticker::parse("MP").unwrap(), bytes).unwrap_err();
        assert_eq!(errors[0].position.unwrap().line, 2);
    }

    #[test]
    fn read_prices_skips_missing_files_and_reports_bad_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data/prices")).unwrap();
        std::fs::write(dir.path().join("data/prices/MP.csv"), "date,close\n2025-10-01,10\n").unwrap();
        let mp = Ticker::parse("MP").unwrap();
        let lit = Ticker::parse("LIT").unwrap();
        let prices = read_prices(dir.path(), [&mp, &lit, &mp]).unwrap();
        assert_eq!(prices.len(), 1);
        assert_eq!(prices["MP"].prices.len(), 1);
        std::fs::write(dir.path().join("data/prices/LIT.csv"), "date,close\n2025-10-01,x\n").unwrap();
        let errors = read_prices(dir.path(), [&mp, &lit]).unwrap_err();
        assert_eq!(errors[0].file, Path::new("data/prices/LIT.csv"));
        assert_eq!(
            price_path(&Ticker::parse("BRK.B").unwrap()),
            Path::new("data/prices/BRK.B.csv")
        );
    }
}

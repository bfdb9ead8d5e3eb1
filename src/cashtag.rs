//! Cashtags (`$TSLA`, `$BRK.B`) in plain text: finding them, and turning text into
//! escaped HTML where each one links to its ticker page.
//!
//! Rules (FORMAT.md): `$`, 1 to 5 capital letters, optionally `.` and 1 or 2 more;
//! the character before is not a letter, digit or `$`, the one after is not a letter or
//! digit. A `.` followed by a capital letter belongs to the ticker, a sentence's `.` does not.

use std::fmt;
use std::ops::Range;

/// A validated ticker symbol, upper case (`BRK.B`), with its URL segment made once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ticker {
    symbol: String,
    slug: String,
}

impl Ticker {
    fn new(symbol: String) -> Ticker {
        let slug = symbol.to_ascii_lowercase();
        Ticker { symbol, slug }
    }
}

impl Ticker {
    /// Parses a symbol as written in front matter (`TSLA`, `$tsla`, `BRK.B`).
    pub fn parse(s: &str) -> Option<Ticker> {
        let s = s.trim();
        let s = s.strip_prefix('$').unwrap_or(s).to_ascii_uppercase();
        let (main, suffix) = match s.split_once('.') {
            Some((m, x)) => (m, Some(x)),
            None => (s.as_str(), None),
        };
        let caps = |t: &str, max: usize| (1..=max).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_uppercase());
        (caps(main, 5) && suffix.is_none_or(|x| caps(x, 2))).then(|| Ticker::new(s))
    }

    /// The symbol (`BRK.B`).
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// The URL segment: the symbol in lower case (`brk.b`).
    pub fn slug(&self) -> &str {
        &self.slug
    }
}

impl fmt::Display for Ticker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.symbol)
    }
}

/// Every cashtag in `text`: the byte range of `$...` and the ticker.
pub fn scan_cashtags(text: &str) -> Vec<(Range<usize>, Ticker)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find('$').map(|i| from + i) {
        from = i + 1;
        if let Some(prev) = text[..i].chars().next_back() {
            if prev.is_alphanumeric() || prev == '$' {
                continue;
            }
        }
        let caps = |start: usize, max: usize| {
            let n = bytes[start..].iter().take_while(|b| b.is_ascii_uppercase()).count();
            (1..=max).contains(&n).then_some(start + n)
        };
        let Some(mut end) = caps(i + 1, 5) else { continue };
        if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_uppercase) {
            match caps(end + 1, 2) {
                Some(e) => end = e,
                None => continue,
            }
        }
        if text[end..].chars().next().is_some_and(char::is_alphanumeric) {
            continue;
        }
        found.push((i..end, Ticker::new(text[i + 1..end].to_string())));
        from = end;
    }
    found
}

/// Escapes text for HTML element content and attribute values. Runs of plain text are
/// copied whole; this is on the hot path of every page.
pub fn escape_html(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut last = 0;
    for (i, b) in bytes.iter().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(entity);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

/// Escapes `text` and links each cashtag to `url(ticker)`.
pub fn link_cashtags(text: &str, url: impl Fn(&Ticker) -> String) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for (range, ticker) in scan_cashtags(text) {
        escape_html(&text[last..range.start], &mut out);
        out.push_str("<a class=\"cashtag\" href=\"");
        escape_html(&url(&ticker), &mut out);
        out.push_str("\">");
        escape_html(&text[range.clone()], &mut out);
        out.push_str("</a>");
        last = range.end;
    }
    escape_html(&text[last..], &mut out);
    out
}

/// What a report says of a ticker: the text fields and body sentences that name it.
pub(crate) fn ticker_mentions(r: &crate::site::Report, symbol: &str) -> Vec<String> {
    let m = &r.meta;
    let mut out: Vec<String> = Vec::new();
    if let Some(ch) = &m.chart {
        if ch.ticker.symbol() == symbol {
            let label = if ch.label.is_empty() {
                String::new()
            } else {
                format!("{}: ", ch.label)
            };
            out.push(format!("Chart to watch. {label}{}", ch.why).trim_end().to_string());
        } else if ch.compare.iter().any(|e| e.ticker.symbol() == symbol) {
            out.push(format!("Compared with the chart to watch, ${}.", ch.ticker));
        }
    }
    // Most fields do not mention the ticker at all: a plain substring search rules them out
    // before the cashtag scanner runs.
    let needle = format!("${symbol}");
    let names = |text: &str| text.contains(&needle) && scan_cashtags(text).iter().any(|(_, t)| t.symbol() == symbol);
    // The chart's own text is quoted above, as the chart to watch.
    let chart_text = |text: &str| m.chart.as_ref().is_some_and(|c| text == c.why || text == c.label);
    for text in m.text_fields().filter(|t| !chart_text(t)) {
        if names(text) && !out.iter().any(|o| o == text) {
            out.push(text.to_string());
        }
    }
    if let Some(body) = &r.body {
        for (t, sentence) in &body.mentions {
            if t.symbol() == symbol && !out.contains(sentence) {
                out.push(sentence.clone());
            }
        }
    }
    out.truncate(4);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(text: &str) -> Vec<String> {
        scan_cashtags(text).into_iter().map(|(_, t)| t.symbol).collect()
    }

    #[test]
    fn cashtag_boundaries_follow_the_format() {
        let cases: &[(&str, &[&str])] = &[
            ("$TSLA", &["TSLA"]),
            ("buy $TSLA's shares", &["TSLA"]),
            ("($MP)", &["MP"]),
            ("$BRK.B rose", &["BRK.B"]),
            ("watch $TSLA.", &["TSLA"]),
            ("$TSLA. Next", &["TSLA"]),
            ("A$B", &[]),
            ("$TSLAX1", &[]),
            ("$TOOLONG", &[]),
            ("$500M deal", &[]),
            ("US$ 5", &[]),
            ("$$TSLA", &[]),
            ("$tsla", &[]),
            ("$A,$B;$C", &["A", "B", "C"]),
            ("$BRK.BXY", &[]),
            ("é$MP", &[]),
            ("$MPé", &[]),
            ("—$MP—", &["MP"]),
            ("$", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(tags(text), *want, "{text:?}");
        }
    }

    #[test]
    fn linking_escapes_text_and_links_cashtags() {
        let html = link_cashtags("<b> & $MP", |t| format!("/tickers/{}/", t.slug()));
        assert_eq!(
            html,
            "&lt;b&gt; &amp; <a class=\"cashtag\" href=\"/tickers/mp/\">$MP</a>"
        );
    }

    #[test]
    fn front_matter_symbols_are_normalised() {
        assert_eq!(Ticker::parse("tsla").unwrap().symbol(), "TSLA");
        assert_eq!(Ticker::parse("$BRK.B").unwrap().slug(), "brk.b");
        for bad in ["", "TOOLONG", "BR K", "A.BCD", "A1", "../x"] {
            assert!(Ticker::parse(bad).is_none(), "{bad:?}");
        }
    }
}

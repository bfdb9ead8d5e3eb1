//! Arbitrary text through the cashtag scanner and linker: no panics, and every
//! cashtag found is a well-formed `$TICKER` slice of the text.
#![no_main]

use impress::cashtag::{link_cashtags, scan_cashtags, Ticker};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let found = scan_cashtags(s);
    let mut last_end = 0;
    for (range, ticker) in &found {
        assert!(range.start < range.end && range.end <= s.len(), "{range:?} in {s:?}");
        assert!(
            s.is_char_boundary(range.start) && s.is_char_boundary(range.end),
            "{range:?} not on char boundaries in {s:?}"
        );
        assert!(range.start >= last_end, "overlapping or unordered cashtags in {s:?}");
        last_end = range.end;
        let tag = &s[range.clone()];
        assert!(tag.starts_with('$'), "{tag:?} from {s:?}");
        assert_eq!(&tag[1..], ticker.symbol(), "ticker vs text in {s:?}");
        // A scanned symbol is one that front matter would accept too, unchanged.
        let reparsed = Ticker::parse(ticker.symbol());
        assert_eq!(reparsed.as_ref(), Some(ticker), "Ticker::parse({:?})", ticker.symbol());
        assert_eq!(Ticker::parse(tag).as_ref(), Some(ticker), "Ticker::parse({tag:?})");
        assert_eq!(ticker.slug(), ticker.symbol().to_ascii_lowercase());
    }

    let html = link_cashtags(s, |t| format!("/tickers/{}/", t.slug()));
    assert_eq!(
        html.matches("<a class=\"cashtag\"").count(),
        found.len(),
        "one link per cashtag in {s:?}"
    );
    // Everything else is escaped: no raw `<` other than the links' own tags.
    let without_links = html
        .replace("<a class=\"cashtag\" href=\"", "")
        .replace("</a>", "");
    assert!(!without_links.contains('<'), "unescaped `<` in {html:?}");

    // Any Ticker::parse result, whatever the input, parses back to itself.
    if let Some(t) = Ticker::parse(s) {
        assert_eq!(Ticker::parse(t.symbol()).as_ref(), Some(&t), "{s:?}");
    }
});

//! The split search index (FORMAT.md, Search): what `themes/default/static/search.js`
//! downloads, a few small files per query however large the site.
//!
//! - `search/index.json` (the meta file, `urls.search_index`): `{"v": 1, "reports": n,
//!   "docs": per shard, "parts": [first word of each word part], "tickers": [symbol, ..]}`.
//!   Part `i` holds the words `w` with `parts[i] <= w < parts[i + 1]` (in the order
//!   JavaScript compares strings, by UTF-16 code units: byte order but for characters
//!   above U+FFFF, which come before U+E000..U+FFFF; part 0 starts at `""`; an empty part
//!   repeats the next part's first word, an empty last part is `"\u{ffff}"`).
//! - `search/words/<i>.json`: `[[word, postings], ..]`, words sorted so. A word is folded
//!   as [`fold`] does: transliterated to ASCII, and a word with other characters also as
//!   search.js folds a query (`москва`, `東京`), so that either spelling finds it; a
//!   ticker is `$` and its symbol in lower case (`$brk.b`). Postings are the
//!   reports (ids into the newest-first list) that hold the word, each as `delta * 4 +
//!   weight` in base 36, joined by `,`: the delta from the previous id (the first: the id
//!   itself), the weight 3 for the title, a ticker of the front matter or its name, 2 for
//!   the takeaway, quick-read sections, terms and a ticker of the body alone, 1 for the body.
//! - `search/docs/<i>.json`: reports `i * docs ..` as `[title, url, date, summary,
//!   [tickers], [areas]]`, newest first; URLs root-relative under the site's path.
//!
//! Postings are gathered report by report into one vector per word (the report's words
//! interned), so the build never holds more than a batch of reports' words at once.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde_json::json;

use crate::context::iso_date;
use crate::markdown::PackedHtml;
use crate::routes::{Route, Taxonomy, Urls};
use crate::site::{Report, Site};

/// Reports per document shard: a page of 20 results fetches at most 20 small shards.
pub(crate) const DOCS_PER_SHARD: usize = 32;

/// Words of prose per word part: chunks of about 50 KB (about 15 KB compressed) for the
/// generated corpus; longer bodies repeat more of their words, so parts only get smaller.
const WORDS_PER_PART: usize = 20_000;

/// What a report of no body counts for in [`word_parts`]: its front matter's words.
const FRONT_MATTER_WORDS: usize = 250;

/// Reports tokenized at once (in parallel) before their postings are merged.
const BATCH: usize = 256;

/// Words longer than this are left out (URLs, hashes).
const MAX_WORD: usize = 32;

/// Words too common to find anything by, left out of the index and ignored in queries.
/// search.js holds the same list.
const STOP_WORDS: [&str; 33] = [
    "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in", "into", "is", "it", "its",
    "of", "on", "or", "that", "the", "their", "this", "to", "was", "were", "will", "with", "than", "which", "been",
    "also",
];

/// [`STOP_WORDS`] as numbers (their bytes, little-endian, zero-padded): a word is
/// compared as one number, not as a string, since every word of every body is looked up.
const STOP_KEYS: [u64; STOP_WORDS.len()] = {
    let mut keys = [0; STOP_WORDS.len()];
    let mut i = 0;
    while i < STOP_WORDS.len() {
        keys[i] = short_key(STOP_WORDS[i].as_bytes());
        i += 1;
    }
    keys
};

/// The bytes of a word of at most 8 bytes as one number.
const fn short_key(bytes: &[u8]) -> u64 {
    let mut key = 0;
    let mut i = 0;
    while i < bytes.len() && i < 8 {
        key |= (bytes[i] as u64) << (8 * i);
        i += 1;
    }
    key
}

/// True for a word of [`STOP_WORDS`] (none is longer than five letters).
fn is_stop_word(word: &str) -> bool {
    word.len() <= 5 && STOP_KEYS.contains(&short_key(word.as_bytes()))
}

/// How many word parts a site's index is cut into (planned with the routes, before any
/// body is read).
pub(crate) fn word_parts(site: &Site) -> usize {
    let words: usize = site
        .reports
        .iter()
        .map(|r| FRONT_MATTER_WORDS + r.body.as_ref().map_or(0, |b| b.words))
        .sum();
    words.div_ceil(WORDS_PER_PART).max(1)
}

/// How many document shards a site has.
pub(crate) fn doc_parts(site: &Site) -> usize {
    site.reports.len().div_ceil(DOCS_PER_SHARD).max(1)
}

/// Calls `each` with every word of `text`: transliterated to ASCII as `deunicode` does,
/// lower case, runs of `a-z0-9`; stop words, one-letter words and words longer than
/// [`MAX_WORD`] left out. A run of text between ASCII delimiters that holds a non-ASCII
/// character also gives its words as search.js folds a query ([`native_words`]) where
/// they differ: `Москва` gives `moskva` and `москва`, `東京` `dong`, `jing` and `東京`.
/// Text without spaces (Chinese, Japanese) is one word from one punctuation mark to the
/// next, and also gives every two neighbouring characters of it as a word (`東京都` gives
/// `東京` and `京都`), so that search.js, which cuts such a query into its pairs, finds it
/// anywhere in the text.
pub(crate) fn fold(text: &str, each: &mut impl FnMut(&str)) {
    let mut word = String::with_capacity(MAX_WORD + 8);
    // Where the current run began, once a non-ASCII character is seen in it (ASCII text
    // never looks back), and the words its transliteration gave, each ended by `\0`.
    let mut run: Option<usize> = None;
    let mut given = String::new();
    #[inline(always)]
    fn end(word: &mut String, given: Option<&mut String>, each: &mut impl FnMut(&str)) {
        if word.len() >= 2 && word.len() <= MAX_WORD && !is_stop_word(word) {
            each(word);
            if let Some(given) = given {
                given.push_str(word);
                given.push('\0');
            }
        }
        word.clear();
    }
    // `chars` rather than `char_indices`: the offset is worked out only where a run needs it.
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if c.is_ascii() {
            end(&mut word, run.is_some().then_some(&mut given), each);
            if let Some(start) = run.take() {
                let i = text.len() - chars.as_str().len() - 1;
                native_words(&text[start..i], &mut given, &mut *each);
            }
        } else {
            if run.is_none() {
                // Only ASCII letters and digits since the last delimiter.
                let i = text.len() - chars.as_str().len() - c.len_utf8();
                let bytes = &text.as_bytes()[..i];
                run = Some(
                    bytes
                        .iter()
                        .rposition(|b| !b.is_ascii_alphanumeric())
                        .map_or(0, |d| d + 1),
                );
            }
            // Each character as deunicode spells it (`é` -> `e`, `ß` -> `ss`, `北` -> `Bei `).
            for a in deunicode::deunicode_char(c).unwrap_or(" ").chars() {
                if a.is_ascii_alphanumeric() {
                    word.push(a.to_ascii_lowercase());
                } else {
                    end(&mut word, Some(&mut given), each);
                }
            }
        }
    }
    end(&mut word, run.is_some().then_some(&mut given), each);
    if let Some(start) = run {
        native_words(&text[start..], &mut given, &mut *each);
    }
}

/// Calls `each` with the words of `run` as search.js folds a query, those not in `given`
/// (the words of its transliteration, each ended by `\0`; cleared here): NFKD, combining
/// marks (`\p{M}`) left out, lower case, the letters of [`spelled_out`] spelled out,
/// split on what is not alphanumeric (`char::is_alphanumeric`, search.js's
/// `[\p{Alphabetic}\p{N}]`); 2 to [`MAX_WORD`] characters, stop words left out.
fn native_words(run: &str, given: &mut String, each: &mut dyn FnMut(&str)) {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    let mut word = String::new();
    let mut end = |word: &mut String| {
        let n = word.chars().count();
        if (2..=MAX_WORD).contains(&n) && !is_stop_word(word) && !given.split_terminator('\0').any(|g| g == word) {
            each(word);
        }
        if n > 2 {
            cjk_pairs(word, &mut *each);
        }
        word.clear();
    };
    for c in run.nfkd().filter(|&c| !is_combining_mark(c)) {
        for l in c.to_lowercase() {
            match spelled_out(l) {
                Some(s) => word.push_str(s),
                None if l.is_alphanumeric() => word.push(l),
                None => end(&mut word),
            }
        }
    }
    end(&mut word);
    given.clear();
}

/// Calls `each` with every two neighbouring characters of `word` that are both Chinese or
/// Japanese ([`is_cjk`]).
fn cjk_pairs(word: &str, each: &mut dyn FnMut(&str)) {
    for ((i, a), b) in word.char_indices().zip(word.chars().skip(1)) {
        if is_cjk(a) && is_cjk(b) {
            each(&word[i..i + a.len_utf8() + b.len_utf8()]);
        }
    }
}

/// Whether `c` is written without spaces between words: kana and CJK ideographs (the
/// same ranges as search.js's `CJK`).
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2ffff}')
}

/// The letters search.js spells out after lower-casing a query (its `EXTRA`, the same
/// list): letters NFKD does not take apart, spelled as deunicode spells them, and the
/// final sigma as the other (a word-final `Σ` lower-cases to `ς` by context).
fn spelled_out(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ł' => "l",
        'ı' => "i",
        'ħ' => "h",
        'ς' => "σ",
        _ => return None,
    })
}

/// Words in the order search.js compares strings (UTF-16 code units), which is the byte
/// order of UTF-8 but for one case: a character above U+FFFF (a surrogate pair in UTF-16)
/// comes before one of U+E000 to U+FFFF (`𠮷` before `﨑`), not after.
fn js_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let same = x.iter().zip(y).take_while(|(p, q)| p == q).count();
    match (x.get(same), y.get(same)) {
        // Lead bytes of U+E000..U+FFFF (0xEE, 0xEF) and of U+10000.. (0xF0..): a
        // continuation byte is below 0xC0, and an ASCII or shorter character's lead below 0xEE.
        (Some(&p), Some(&q)) if p >= 0xEE && q >= 0xEE => (p >= 0xF0).cmp(&(q >= 0xF0)).reverse().then(p.cmp(&q)),
        _ => x[same..].cmp(&y[same..]),
    }
}

/// The text of a body's HTML: tags left out, entities made spaces (`&amp;` is no word).
fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        out.push(' ');
        let tail = &rest[i..];
        let skip = if tail.starts_with('<') {
            tail.find('>').map_or(tail.len(), |e| e + 1)
        } else {
            // An entity ends within a few characters; a lone `&` is just itself.
            tail[..tail.len().min(12)].find(';').map_or(1, |e| e + 1)
        };
        rest = &tail[skip..];
    }
    out.push_str(rest);
    out
}

/// A report's words, each once at its highest weight, sorted: the words joined by
/// `\0`, and their weights.
struct ReportWords {
    text: String,
    weights: Vec<u8>,
}

/// A report's words (see [`ReportWords`]). Tickers are `$` and the symbol.
fn report_words(site: &Site, r: &Report, body: Option<&PackedHtml>) -> ReportWords {
    // Every word as found (start, end, weight) in one buffer: no allocation per word.
    let mut all = String::new();
    let mut spans: Vec<(u32, u32, u8)> = Vec::new();
    let mut add = |text: &str, weight: u8| {
        fold(text, &mut |w| {
            let start = all.len() as u32;
            all.push_str(w);
            spans.push((start, all.len() as u32, weight));
        })
    };
    let m = &r.meta;
    add(&m.title, 3);
    for t in &r.tickers {
        if let Some(name) = site.ticker_info.get(t.symbol()).and_then(|i| i.name.as_deref()) {
            add(name, 3);
        }
    }
    for text in m.text_fields() {
        add(text, 2);
    }
    for (taxonomy, term) in m.terms() {
        add(site.term_name(taxonomy, &term.slug, &term.name), 2);
    }
    if let Some(html) = body {
        add(&html_text(&html.unpack()), 1);
    }
    for t in &r.tickers {
        let start = all.len() as u32;
        all.push('$');
        all.extend(t.symbol().chars().map(|c| c.to_ascii_lowercase()));
        spans.push((start, all.len() as u32, if m.tickers.contains(t) { 3 } else { 2 }));
    }
    // Each word once, with its highest weight. A hash map rather than a sort: a report
    // has thousands of words and a few hundred distinct ones, and the order of a
    // report's words does not matter (the index sorts every word of the site once).
    let mut best: FxHashMap<&str, u8> = FxHashMap::default();
    best.reserve(spans.len() / 2);
    for &(start, end, weight) in &spans {
        let w = best.entry(&all[start as usize..end as usize]).or_insert(0);
        *w = (*w).max(weight);
    }
    let mut out = ReportWords {
        text: String::with_capacity(all.len() / 2),
        weights: Vec::with_capacity(best.len()),
    };
    for (w, weight) in best {
        out.text.push_str(w);
        out.text.push('\0');
        out.weights.push(weight);
    }
    out
}

/// The word parts of a site's index, made once per build for every search route.
pub(crate) struct SearchIndex {
    /// Every word, sorted, with its postings encoded.
    words: Vec<(String, String)>,
    /// Index into `words` where each part starts.
    starts: Vec<usize>,
}

impl SearchIndex {
    /// Indexes every report. `bodies` is aligned with `site.reports`.
    pub(crate) fn build(site: &Site, bodies: &[Option<PackedHtml>]) -> SearchIndex {
        let mut ids: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        let n = site.reports.len();
        for start in (0..n).step_by(BATCH) {
            let batch: Vec<ReportWords> = (start..(start + BATCH).min(n))
                .into_par_iter()
                .map(|i| report_words(site, &site.reports[i], bodies.get(i).and_then(Option::as_ref)))
                .collect();
            for (i, words) in (start..).zip(batch) {
                for (word, &weight) in words.text.split_terminator('\0').zip(&words.weights) {
                    let id = match ids.get(word) {
                        Some(&id) => id,
                        None => {
                            let id = postings.len() as u32;
                            ids.insert(word.into(), id);
                            postings.push(Vec::new());
                            id
                        }
                    };
                    postings[id as usize].push(((i as u32) << 2) | u32::from(weight));
                }
            }
        }
        let mut words: Vec<(Box<str>, u32)> = ids.into_iter().collect();
        words.sort_unstable_by(|a, b| js_order(&a.0, &b.0));
        let words: Vec<(String, String)> = words
            .into_iter()
            .map(|(w, id)| (w.into_string(), encode(&std::mem::take(&mut postings[id as usize]))))
            .collect();
        let starts = cut(&words, word_parts(site));
        SearchIndex { words, starts }
    }

    /// The word part `part` (0-based) as JSON.
    pub(crate) fn words_part(&self, part: usize) -> Vec<u8> {
        let (from, to) = self.range(part);
        let slice = &self.words[from..to];
        let size: usize = slice.iter().map(|(w, p)| w.len() + p.len() + 8).sum();
        let mut out = Vec::with_capacity(size + 2);
        serde_json::to_writer(&mut out, slice).expect("strings always serialize");
        out
    }

    /// The meta file: the parts' first words, the site's tickers, the shard size.
    pub(crate) fn meta(&self, site: &Site) -> Vec<u8> {
        let parts: Vec<&str> = (0..self.starts.len())
            .map(|p| match p {
                0 => "",
                // An empty part at the end: after every word (U+FFFF is in none).
                _ => self.words.get(self.starts[p]).map_or("\u{ffff}", |(w, _)| w.as_str()),
            })
            .collect();
        let mut tickers: Vec<&str> = site
            .terms(Taxonomy::Tickers)
            .values()
            .map(|t| t.name.as_str())
            .chain(site.ticker_info.keys().map(String::as_str))
            .collect();
        tickers.sort_unstable();
        tickers.dedup();
        let meta = json!({
            "v": 1,
            "reports": site.reports.len(),
            "docs": DOCS_PER_SHARD,
            "parts": parts,
            "tickers": tickers,
        });
        serde_json::to_vec(&meta).expect("strings always serialize")
    }

    fn range(&self, part: usize) -> (usize, usize) {
        let from = self.starts.get(part).copied().unwrap_or(self.words.len());
        let to = self.starts.get(part + 1).copied().unwrap_or(self.words.len());
        (from, to.max(from))
    }
}

/// Postings as `delta * 4 + weight` in base 36, comma-separated.
fn encode(postings: &[u32]) -> String {
    let mut out = String::with_capacity(postings.len() * 3);
    let mut prev = 0u32;
    for (k, &p) in postings.iter().enumerate() {
        let id = p >> 2;
        if k > 0 {
            out.push(',');
        }
        push_base36(&mut out, u64::from(id - prev) * 4 + u64::from(p & 3));
        prev = id;
    }
    out
}

fn push_base36(out: &mut String, mut v: u64) {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = DIGITS[(v % 36) as usize];
        v /= 36;
        if v == 0 {
            break;
        }
    }
    out.extend(buf[i..].iter().map(|&b| b as char));
}

/// Cuts the sorted words into `parts` runs of about equal size: where each part starts.
fn cut(words: &[(String, String)], parts: usize) -> Vec<usize> {
    let total: usize = words.iter().map(|(w, p)| w.len() + p.len() + 8).sum();
    let mut starts = vec![0];
    let mut sum = 0;
    for (i, (w, p)) in words.iter().enumerate() {
        // A new part begins once the words before reach its share of the total.
        while starts.len() < parts && sum >= total * starts.len() / parts && i > starts[starts.len() - 1] {
            starts.push(i);
        }
        sum += w.len() + p.len() + 8;
    }
    while starts.len() < parts {
        starts.push(words.len());
    }
    starts
}

/// The document shard `part` (0-based): what a result shows of each report.
pub(crate) fn docs_part(site: &Site, urls: &Urls, part: usize) -> Vec<u8> {
    let from = (part * DOCS_PER_SHARD).min(site.reports.len());
    let to = (from + DOCS_PER_SHARD).min(site.reports.len());
    let docs: Vec<serde_json::Value> = site.reports[from..to]
        .iter()
        .map(|r| {
            let m = &r.meta;
            let areas: Vec<&str> = m
                .scores
                .iter()
                .map(|s| site.term_name(Taxonomy::Impact, &s.area.slug, &s.area.name))
                .collect();
            let tickers: Vec<&str> = r.tickers.iter().map(|t| t.symbol()).collect();
            json!([
                m.title,
                urls.url(&Route::Report { slug: m.slug.clone() }),
                iso_date(&m.date),
                m.summary,
                tickers,
                areas,
            ])
        })
        .collect();
    serde_json::to_vec(&docs).expect("strings always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        fold(text, &mut |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn fold_transliterates_lowercases_and_drops_stop_words() {
        assert_eq!(words("L'Économie of the Straße, $MP!"), ["economie", "strasse", "mp"]);
        assert_eq!(words("a b 2025 x9"), ["2025", "x9"]);
        assert!(words(&"z".repeat(40)).is_empty());
    }

    #[test]
    fn fold_gives_non_ascii_words_also_as_search_js_folds_them() {
        assert_eq!(words("Москва"), ["moskva", "москва"]);
        assert_eq!(
            words("東京都、大阪"),
            ["dong", "jing", "du", "da", "ban", "東京都", "東京", "京都", "大阪"]
        );
        // Text without spaces gives its pairs of neighbouring characters, also when it is
        // too long to be a word itself; other letters in it give no pairs.
        let long = "東京都の物流".repeat(6);
        let w = words(&long);
        assert!(!w.contains(&long) && w.contains(&"の物".to_string()) && w.contains(&"流東".to_string()));
        assert_eq!(words("ソニー2025年")[1..], ["ソニー2025年", "ソニ", "ニー"]);
        // Letters spelled out as deunicode does, and accents, give no second form.
        assert_eq!(words("Straße, Ærø, Łódź, café"), ["strasse", "aero", "lodz", "cafe"]);
        // Greek: accents stripped, a final sigma folded to `σ`.
        assert_eq!(words("ΟΔΌΣ οδός"), ["odos", "οδοσ", "odos", "οδοσ"]);
        // NFKD: full-width letters and ligatures are plain letters.
        assert_eq!(words("ＴＥＳＬＡ ﬁnance"), ["tesla", "finance"]);
        // A run that starts in ASCII; symbols a query drops (`€`, `°`) give a second form.
        assert_eq!(
            words("Kiewер €10 25°C"),
            ["kiewer", "kiewер", "eur10", "10", "25degc", "25"]
        );
        // Lengths in characters: one-letter words left out in either form, and a word
        // whose transliteration is too long kept in its own letters.
        assert_eq!(words("я и мы"), ["ia", "my", "мы"]);
        assert_eq!(words(&"ж".repeat(20)), ["ж".repeat(20)]);
        assert!(words(&"ж".repeat(33)).is_empty());
    }

    #[test]
    fn words_sort_as_javascript_compares_strings() {
        let mut w = vec!["山﨑", "山𠮷", "山", "z", "é", "\u{ffff}"];
        w.sort_by(|a, b| js_order(a, b));
        assert_eq!(w, ["z", "é", "山", "山𠮷", "山﨑", "\u{ffff}"]);
        let utf16 = |s: &str| s.encode_utf16().collect::<Vec<_>>();
        assert!(w.windows(2).all(|p| utf16(p[0]) < utf16(p[1])));
    }

    #[test]
    fn html_text_leaves_out_tags_and_entities() {
        let mut out = Vec::new();
        fold(
            &html_text("<p>Tesla&amp;Ford <a href=\"/x\">cars</a> A & B</p>"),
            &mut |w| out.push(w.to_string()),
        );
        assert_eq!(out, ["tesla", "ford", "cars"]);
    }

    #[test]
    fn postings_are_deltas_and_weights_in_base_36() {
        assert_eq!(encode(&[(3 << 2) | 1, (4 << 2) | 3, (20 << 2) | 2]), "d,7,1u");
    }

    #[test]
    fn cut_makes_the_parts_asked_for() {
        let words: Vec<(String, String)> = (0..10).map(|i| (format!("w{i}"), "x".repeat(10))).collect();
        assert_eq!(cut(&words, 2), [0, 5]);
        assert_eq!(cut(&words, 1), [0]);
        assert_eq!(cut(&words[..1], 3), [0, 1, 1]);
        assert_eq!(cut(&[], 2), [0, 0]);
    }
}

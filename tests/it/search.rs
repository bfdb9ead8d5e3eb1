//! The split search index (FORMAT.md, Search; src/search.rs): `search/index.json`, the
//! word parts `search/words/N.json`, the document shards `search/docs/N.json`, and the
//! `/search/` page whose script resolves a query from the few files it needs.
//!
//! `Query` below resolves a query from the written files as `search.js` does; the browser
//! tests at the end run the real script in Chromium.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::Value;

use crate::browser::{chromium, Browser};
use crate::support::*;

const STOP: &str = "an and are as at be but by for from has have in into is it its of on or that the \
                    their this to was were will with than which been also";

/// Resolves queries from a built site's index files as search.js does, noting the files
/// it reads.
struct Query<'a> {
    site: &'a SiteTest,
    meta: Value,
    read: BTreeSet<String>,
}

enum Term {
    Ticker(String),
    Prefix(String),
}

impl<'a> Query<'a> {
    fn new(site: &'a SiteTest) -> Query<'a> {
        Query {
            site,
            meta: site.json("search/index.json"),
            read: ["search/index.json".to_string()].into(),
        }
    }

    fn file(&mut self, path: String) -> Value {
        self.read.insert(path.clone());
        self.site.json(&path)
    }

    fn tickers(&self) -> BTreeSet<String> {
        self.meta["tickers"]
            .as_array()
            .expect("tickers")
            .iter()
            .map(|t| t.as_str().expect("a symbol").to_lowercase())
            .collect()
    }

    fn parse(&self, query: &str) -> Vec<Term> {
        let tickers = self.tickers();
        let mut terms = Vec::new();
        for raw in query.split_whitespace() {
            let f = js_fold(raw);
            let f = f
                .trim_start_matches(|c: char| !c.is_alphanumeric() && c != '$')
                .trim_end_matches(|c: char| !c.is_alphanumeric());
            if let Some(sym) = f.strip_prefix('$').filter(|s| !s.is_empty()) {
                terms.push(Term::Ticker(format!("${}", sym.trim_start_matches('$'))));
            } else if tickers.contains(f) {
                terms.push(Term::Ticker(format!("${f}")));
            } else {
                for w in f.split(|c: char| !c.is_alphanumeric()) {
                    let n = w.chars().count();
                    // Text without spaces: every pair of neighbouring CJK characters.
                    let chars: Vec<char> = w.chars().collect();
                    let pairs: Vec<String> = chars
                        .windows(2)
                        .filter(|p| n > 2 && p.iter().all(|&c| is_cjk(c)))
                        .map(|p| p.iter().collect())
                        .collect();
                    if !pairs.is_empty() {
                        terms.extend(pairs.into_iter().map(Term::Prefix));
                    } else if (2..=32).contains(&n) && !STOP.split(' ').any(|s| s == w) {
                        terms.push(Term::Prefix(w.to_string()));
                    }
                }
            }
        }
        terms
    }

    /// The last part whose first word is at most `word`, strings compared as JavaScript
    /// compares them (UTF-16 code units).
    fn part_of(&self, word: &str) -> usize {
        let parts = self.meta["parts"].as_array().expect("parts");
        parts
            .iter()
            .rposition(|p| js_le(p.as_str().expect("a word"), word))
            .unwrap_or(0)
    }

    /// Report ids -> weight for one term.
    fn matches(&mut self, term: &Term) -> BTreeMap<u64, u64> {
        let (key, exact) = match term {
            Term::Ticker(k) => (k.as_str(), true),
            Term::Prefix(k) => (k.as_str(), false),
        };
        let from = self.part_of(key);
        let to = if exact {
            from
        } else {
            self.part_of(&format!("{key}\u{ffff}"))
        };
        assert!(
            to - from < 3,
            "the test sites are small: {key} spans parts {from}..={to}"
        );
        let mut found = BTreeMap::new();
        for p in from..=to {
            let part = self.file(format!("search/words/{p}.json"));
            for entry in part.as_array().expect("a part is an array") {
                let word = entry[0].as_str().expect("a word");
                if if exact { word != key } else { !word.starts_with(key) } {
                    continue;
                }
                let mut id = 0;
                for code in entry[1].as_str().expect("postings").split(',') {
                    let v = u64::from_str_radix(code, 36).expect("base 36");
                    id += v / 4;
                    let w = found.entry(id).or_insert(0);
                    *w = (*w).max(v % 4);
                }
            }
        }
        found
    }

    /// The titles of the reports matching `query`, best first.
    fn titles(&mut self, query: &str) -> Vec<String> {
        let terms = self.parse(query);
        assert!(!terms.is_empty(), "{query} has words to search for");
        let found: Vec<BTreeMap<u64, u64>> = terms.iter().map(|t| self.matches(t)).collect();
        let mut ranked: Vec<(u64, u64)> = found[0]
            .keys()
            .filter_map(|id| {
                found
                    .iter()
                    .map(|f| f.get(id).copied())
                    .sum::<Option<u64>>()
                    .map(|score| (*id, score))
            })
            .collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let per = self.meta["docs"].as_u64().expect("docs");
        ranked
            .into_iter()
            .map(|(id, _)| {
                let shard = self.file(format!("search/docs/{}.json", id / per));
                shard[(id % per) as usize][0].as_str().expect("a title").to_string()
            })
            .collect()
    }
}

/// A query word as search.js folds it: NFKD, combining marks stripped, lower case (a
/// final sigma by context, as `toLowerCase` does), a few letters spelled out.
/// search.js's `CJK`: kana and CJK ideographs.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2ffff}')
}

fn js_fold(s: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    let stripped: String = s.nfkd().filter(|&c| !is_combining_mark(c)).collect();
    let mut out = String::new();
    for c in stripped.to_lowercase().chars() {
        match c {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'đ' | 'ð' => out.push('d'),
            'þ' => out.push_str("th"),
            'ł' => out.push('l'),
            'ı' => out.push('i'),
            'ħ' => out.push('h'),
            'ς' => out.push('σ'),
            c => out.push(c),
        }
    }
    out
}

/// `a <= b` as JavaScript compares strings: by UTF-16 code units.
fn js_le(a: &str, b: &str) -> bool {
    a.encode_utf16().le(b.encode_utf16())
}

/// Every word of the index, part by part.
fn index_words(site: &SiteTest) -> Vec<Vec<String>> {
    let meta = site.json("search/index.json");
    let parts = meta["parts"].as_array().expect("parts").len();
    (0..parts)
        .map(|p| {
            site.json(&format!("search/words/{p}.json"))
                .as_array()
                .expect("a part is an array")
                .iter()
                .map(|e| e[0].as_str().expect("a word").to_string())
                .collect()
        })
        .collect()
}

/// Reports that tell a ticker from the words it is part of, bodies and quick reads apart.
fn word_site() -> SiteTest {
    let site = SiteTest::new();
    site.write(
        "data/tickers.toml",
        "[TSLA]\nname = \"Tesla, Inc.\"\nexchange = \"NASDAQ\"\n\n[MP]\nname = \"MP Materials\"\n",
    );
    site.write(
        "content/import.md",
        report("Import duties rise", "2025-06-01")
            .summary("Importers pay more at the border.")
            .body("Customs officials expect imports to fall."),
    );
    site.write(
        "content/magnets.md",
        report("Magnet makers scramble", "2025-05-01")
            .summary("Supply is short.")
            .body("The neodymium supply from $MP is sold out. L'économie du secteur souffre."),
    );
    site.write(
        "content/cars.md",
        report("Carmakers cut prices", "2025-04-01")
            .keys(r#"tickers = ["TSLA"]"#)
            .body("Investors worry about margins."),
    );
    site.write(
        "content/quick.md",
        report("Battery metals outlook", "2025-03-01")
            .keys(r#"bottom_line = ["Lithium stocks keep falling."]"#)
            .table("[[stakeholders]]\nwho = \"Investors\"\naction = \"Hedge cobalt exposure.\""),
    );
    site.write(
        "content/lithium.md",
        report("Lithium glut deepens", "2025-01-01").body("Prices keep falling."),
    );
    site
}

#[test]
fn the_index_is_a_meta_file_word_parts_and_document_shards() {
    let site = SiteTest::from_fixture("search/basic");
    site.build();
    assert!(!site.exists("search.json"), "the one-file index is gone");
    let meta = site.json("search/index.json");
    assert_eq!(meta["reports"], 3, "{meta:#}");
    let parts = meta["parts"].as_array().expect("parts");
    assert_eq!(parts[0], "", "the first part starts at the first word");
    for p in 0..parts.len() {
        let part = site.json(&format!("search/words/{p}.json"));
        let words: Vec<&str> = part
            .as_array()
            .expect("an array")
            .iter()
            .map(|e| e[0].as_str().expect("a word"))
            .collect();
        assert!(words.windows(2).all(|w| w[0] < w[1]), "sorted: {words:?}");
    }
    let docs = site.search_docs();
    let titles: Vec<&str> = docs.iter().map(|d| d["title"].as_str().expect("title")).collect();
    assert_eq!(
        titles,
        [
            "Copper smelters cut output",
            "Lithium prices slide as supply catches up",
            "Nickel glut deepens"
        ],
        "newest first, drafts left out"
    );
    let lithium = &docs[1];
    assert_eq!(lithium["date"], "2025-06-12");
    assert_eq!(
        lithium["summary"],
        "New brine projects ease the squeeze on $ALB and $SQM."
    );
    assert_eq!(lithium["url"], "/reports/lithium/");
    assert_eq!(
        lithium["areas"],
        serde_json::json!(["Markets", "Clean Energy Transition"])
    );
    let tickers: BTreeSet<&str> = lithium["tickers"]
        .as_array()
        .expect("tickers")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(tickers, ["ALB", "LIT", "SQM"].into());
    let all = site.read("search/words/0.json");
    assert!(!all.contains("unfinished"), "drafts are not indexed: {all}");
    assert!(!all.contains("fixture"), "plain pages are not indexed: {all}");
}

#[test]
fn the_index_files_match_the_expected_files() {
    let site = SiteTest::from_fixture("search/basic");
    site.build();
    site.assert_golden(&["search/index.json", "search/words/0.json", "search/docs/0.json"]);
}

#[test]
fn a_ticker_query_finds_that_ticker_only_never_a_word_it_begins() {
    let site = word_site();
    site.build();
    let mut q = Query::new(&site);
    assert_eq!(q.titles("$MP"), ["Magnet makers scramble"]);
    assert_eq!(
        q.titles("mp"),
        ["Magnet makers scramble"],
        "a bare symbol the site knows"
    );
    assert_eq!(q.titles("$mp."), ["Magnet makers scramble"]);
    assert_eq!(q.titles("$TSLA"), ["Carmakers cut prices"]);
    assert_eq!(q.titles("imp"), ["Import duties rise"], "a prefix that is no ticker");
    assert!(q.titles("$IMP").is_empty(), "a ticker no report has");
}

#[test]
fn words_of_the_body_quick_read_and_ticker_names_find_reports() {
    let site = word_site();
    site.build();
    let mut q = Query::new(&site);
    assert_eq!(q.titles("neodymium"), ["Magnet makers scramble"], "a body word");
    assert_eq!(
        q.titles("Tesla"),
        ["Carmakers cut prices"],
        "a ticker's name from data/tickers.toml"
    );
    assert_eq!(q.titles("materials"), ["Magnet makers scramble"]);
    assert_eq!(q.titles("cobalt"), ["Battery metals outlook"], "a stakeholder's action");
    assert_eq!(
        q.titles("investors"),
        ["Battery metals outlook", "Carmakers cut prices"],
        "a stakeholder group (weight 2) before a body word (weight 1)"
    );
    assert_eq!(
        q.titles("neodymium supply"),
        ["Magnet makers scramble"],
        "every word must match"
    );
    assert!(q.titles("neodymium lithium").is_empty());
}

#[test]
fn words_match_by_prefix_with_case_and_accents_folded() {
    let site = word_site();
    site.build();
    let mut q = Query::new(&site);
    assert_eq!(q.titles("ÉCON"), ["Magnet makers scramble"]);
    assert_eq!(q.titles("Économie"), ["Magnet makers scramble"]);
    assert_eq!(q.titles("NEODY"), ["Magnet makers scramble"]);
}

#[test]
fn title_matches_rank_before_quick_read_and_body_matches() {
    let site = word_site();
    site.build();
    let mut q = Query::new(&site);
    assert_eq!(
        q.titles("lithium"),
        ["Lithium glut deepens", "Battery metals outlook"],
        "the older report's title before the newer one's bottom line"
    );
    assert_eq!(
        q.titles("falling"),
        ["Battery metals outlook", "Lithium glut deepens"],
        "the bottom line (2) before the body (1)"
    );
    assert_eq!(
        q.titles("sup"),
        ["Magnet makers scramble"],
        "several words of one report count once"
    );
}

#[test]
fn a_query_reads_a_few_files_of_the_index() {
    let site = word_site();
    site.build();
    let mut q = Query::new(&site);
    q.titles("$TSLA");
    assert_eq!(q.read.len(), 3, "meta, one word part, one shard: {:?}", q.read);
}

#[test]
fn the_search_page_finds_the_index_and_script_under_the_site_path() {
    let site = SiteTest::from_fixture("search/basic");
    site.build_with(&["--base-url", "https://example.com/sub/"]);
    let page = site.page("search/");
    let scripts: Vec<_> = select(&page, "script[src]")
        .into_iter()
        .filter_map(|s| s.value().attr("src"))
        .map(str::to_string)
        .collect();
    assert!(!scripts.is_empty(), "the search page loads a script");
    for src in &scripts {
        let rel = src
            .strip_prefix("/sub/")
            .unwrap_or_else(|| panic!("{src} is outside /sub/"));
        let rel = rel.split('?').next().unwrap_or(rel);
        assert!(site.exists(rel), "{src} is in the output");
    }
    let index = select(&page, "#search[data-index]");
    assert_eq!(
        index[0].value().attr("data-index"),
        Some("/sub/search/index.json"),
        "the page names the meta file under the base path; the parts sit beside it"
    );
    assert!(site.exists("search/words/0.json") && site.exists("search/docs/0.json"));
    for d in site.search_docs() {
        let url = d["url"].as_str().expect("url");
        assert!(url.starts_with("/sub/reports/"), "{url}");
    }
    let html = site.read("search/");
    assert!(
        html.contains("<noscript>") && html.contains("href=\"/sub/tags/\""),
        "without JavaScript the page links to the taxonomies"
    );
}

/// The result titles the page shows, one per line.
fn shown_titles(browser: &mut Browser) -> Vec<String> {
    browser
        .eval("Array.from(document.querySelectorAll('#search-results li h2')).map(h => h.textContent).join('\\n')")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn in_a_browser_the_script_finds_a_ticker_and_a_body_word_by_prefix() {
    let Some(binary) = chromium() else { return };
    let site = word_site();
    site.build();
    let server = site.serve(&[]);
    let base = format!("http://127.0.0.1:{}", server.port);
    let mut browser = Browser::open(binary, &format!("{base}/search/?q=%24MP"));
    assert!(
        browser.wait_for_text("1 report matches", Duration::from_secs(20)),
        "{}",
        browser.eval("document.body.innerText")
    );
    assert_eq!(shown_titles(&mut browser), ["Magnet makers scramble"]);
    assert_eq!(
        browser.eval("document.querySelector('#search-results a').getAttribute('href')"),
        "/reports/magnets/"
    );

    browser.goto(&format!("{base}/search/?q=NEODY"));
    assert!(browser.wait_for_text("1 report matches", Duration::from_secs(20)));
    assert_eq!(shown_titles(&mut browser), ["Magnet makers scramble"]);

    // Typing: a query of a ticker's name, then one that ranks a title first.
    browser.eval(
        "(function(){var i=document.getElementById('search-q');i.value='lithium';\
         i.dispatchEvent(new Event('input'));return ''})()",
    );
    assert!(browser.wait_for_text("2 reports match", Duration::from_secs(20)));
    assert_eq!(
        shown_titles(&mut browser),
        ["Lithium glut deepens", "Battery metals outlook"]
    );
    assert!(
        browser.eval("location.search").contains("q=lithium"),
        "the query goes into the URL"
    );
    assert_eq!(
        browser.eval("document.querySelector('#search-results mark').textContent"),
        "Lithium"
    );
}

/// A report in other scripts (Cyrillic, Greek, CJK) and in Latin letters NFKD leaves
/// whole (`ß`, `æ`, `ø`), and one in English.
fn non_latin_site() -> SiteTest {
    let site = SiteTest::new();
    site.write(
        "content/rail.md",
        report("Rail freight from Москва to 東京", "2025-05-01")
            .body("Trains cross the Straße at Ærø. Η ΟΔΌΣ είναι κλειστή. 東京都の物流。"),
    );
    site.write(
        "content/ports.md",
        report("Port congestion eases", "2025-04-01").body("Ships wait less in Rotterdam and Moscow."),
    );
    site
}

#[test]
fn non_latin_words_are_indexed_transliterated_and_as_typed() {
    let site = non_latin_site();
    site.build();
    let words: BTreeSet<String> = index_words(&site).into_iter().flatten().collect();
    for w in [
        "moskva",
        "москва",
        "dong",
        "jing",
        "東京",
        "東京都の物流",
        "京都",
        "の物",
        "odos",
        "οδοσ",
        "strasse",
        "aero",
    ] {
        assert!(words.contains(w), "{w} is in the index: {words:?}");
    }
    for w in ["straße", "ærø", "οδός", "οδος"] {
        assert!(
            !words.contains(w),
            "{w}: search.js spells out ß, æ and ø, strips accents and folds a final sigma, \
             so the transliteration or the one folded form serves: {words:?}"
        );
    }

    let mut q = Query::new(&site);
    let rail = ["Rail freight from Москва to 東京"];
    for query in [
        "Москва",
        "МОСК",
        "moskva",
        "東京",
        "東京都",
        "京都",
        "都の物流",
        "Straße",
        "strasse",
        "STRASSE",
        "Ærø",
        "aero",
        "ΟΔΟΣ",
        "οδός",
    ] {
        assert_eq!(q.titles(query), rail, "{query}");
    }
    assert_eq!(q.titles("Rotterdam"), ["Port congestion eases"]);
    assert!(q.titles("Москвы").is_empty(), "a prefix, not a stem");
    assert!(q.titles("京都大").is_empty(), "every pair of a CJK query");
}

#[test]
fn words_sort_into_parts_as_javascript_compares_strings() {
    // Enough words for several parts, and words whose UTF-8 and UTF-16 orders differ: 𠮷
    // (U+20BB7) is after 﨑 (U+FA11) in UTF-8 and before it in UTF-16.
    let body: Vec<String> = (0..15_000).map(|i| format!("л{i} 山𠮷{i} 山﨑{i}")).collect();
    let site = SiteTest::new();
    site.write("content/names.md", report("Names", "2025-05-01").body(&body.join(" ")));
    site.build();
    let parts = index_words(&site);
    assert!(parts.len() >= 3, "{} parts", parts.len());
    let all: Vec<&String> = parts.iter().flatten().collect();
    assert!(
        all.windows(2).all(|w| js_le(w[0], w[1]) && w[0] != w[1]),
        "sorted by UTF-16 code units"
    );
    let q = Query::new(&site);
    for (p, words) in parts.iter().enumerate() {
        for w in words {
            assert_eq!(q.part_of(w), p, "search.js looks for {w} in the part that holds it");
        }
    }
    let mut q = Query::new(&site);
    for query in ["л123", "山𠮷123", "山﨑123", "山﨑14999"] {
        assert_eq!(q.titles(query), ["Names"], "{query}");
    }
}

#[test]
fn in_a_browser_the_script_finds_cyrillic_cjk_and_spelled_out_letters() {
    const TITLE: &str = "Rail freight from Москва to 東京";
    let Some(binary) = chromium() else { return };
    let site = non_latin_site();
    site.build();
    let server = site.serve(&[]);
    let base = format!("http://127.0.0.1:{}", server.port);
    let url = |q: &str| {
        let q = percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC);
        format!("{base}/search/?q={q}")
    };
    // The status comes before the results' documents are loaded: wait for both.
    let found = |browser: &mut Browser| {
        browser.wait_for_text(TITLE, Duration::from_secs(20))
            && browser.wait_for_text("1 report matches", Duration::from_secs(20))
    };
    let mut browser = Browser::open(binary, &url("моск"));
    assert!(found(&mut browser), "{}", browser.eval("document.body.innerText"));
    assert_eq!(shown_titles(&mut browser), [TITLE]);
    assert_eq!(
        browser.eval("document.querySelector('#search-results mark').textContent"),
        "Москва",
        "the title's word is marked"
    );
    for query in ["straße", "東京", "都の物流", "ΟΔΟΣ", "ærø", "moskva"] {
        browser.goto(&url(query));
        assert!(
            found(&mut browser),
            "{query}: {}",
            browser.eval("document.body.innerText")
        );
        assert_eq!(shown_titles(&mut browser), [TITLE], "{query}");
    }
    browser.goto(&url("Москвы"));
    assert!(browser.wait_for_text("No reports match", Duration::from_secs(20)));
}

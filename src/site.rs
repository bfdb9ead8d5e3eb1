//! Validated reports and pages -> [`Site`]: order, taxonomies, pagination. Cheap to
//! rebuild whole: taxonomies hold report indexes, not copies.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cashtag::Ticker;
use crate::markdown::{Body, PackedHtml};
use crate::report::{PageMeta, ReportMeta};
use crate::routes::Taxonomy;

/// A report ready to render.
#[derive(Debug)]
pub struct Report {
    /// The quick read.
    pub meta: Arc<ReportMeta>,
    /// The full analysis; `None` when the body is empty.
    pub body: Option<Body>,
    /// Every ticker: front matter first, then cashtags of the body.
    pub tickers: Vec<Ticker>,
    /// Its lead image and the files it publishes (bundle files, resized copies).
    pub(crate) pictures: crate::pictures::ReportPictures,
}

/// A plain page ready to render.
#[derive(Debug)]
pub struct Page {
    /// Front matter.
    pub meta: PageMeta,
    /// Rendered body.
    pub body: Body,
    /// Its HTML.
    pub html: PackedHtml,
}

/// One term of a taxonomy.
#[derive(Debug, Clone)]
pub struct TermEntry {
    /// The spelling used first.
    pub name: String,
    /// URL slug.
    pub slug: String,
    /// Indexes into [`Site::reports`], in the term page's order.
    pub reports: Vec<usize>,
}

/// Name and exchange of a ticker, from `data/tickers.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TickerInfo {
    /// Company or fund name.
    pub name: Option<String>,
    /// Exchange.
    pub exchange: Option<String>,
}

/// Whether an author is a person or an organization (a desk).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "lowercase")]
pub enum AuthorKind {
    /// A person: `Person` in JSON-LD.
    #[default]
    Person,
    /// A desk or newsroom: `Organization` in JSON-LD.
    Organization,
}

/// An author or desk, from `data/authors.toml` (keyed by the author's slug).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Hash, Default)]
#[serde(deny_unknown_fields)]
pub struct AuthorInfo {
    /// The name as shown (else the byline's spelling).
    pub name: Option<String>,
    /// A short biography, plain text.
    pub bio: Option<String>,
    /// Their own page elsewhere.
    pub url: Option<String>,
    /// Person or organization.
    #[serde(default)]
    pub kind: AuthorKind,
}

/// What `data/` and the clock add to the content.
#[derive(Debug, Clone, Default)]
pub struct SiteData {
    /// `data/tickers.toml`.
    pub ticker_info: HashMap<String, TickerInfo>,
    /// `data/authors.toml`, by author slug.
    pub author_info: BTreeMap<String, AuthorInfo>,
    /// The build's "now": the news sitemap lists the reports of the 2 days before it.
    pub now: DateTime<Utc>,
}

/// How far back the news sitemap looks (Google News: the last 2 days).
const NEWS_WINDOW_DAYS: i64 = 2;

/// The whole site's content, ordered and indexed.
#[derive(Debug)]
pub struct Site {
    /// Published reports, newest first.
    pub reports: Vec<Arc<Report>>,
    /// Plain pages, by title.
    pub pages: Vec<Arc<Page>>,
    /// Each taxonomy's terms, by slug.
    pub taxonomies: BTreeMap<Taxonomy, BTreeMap<String, TermEntry>>,
    /// `data/tickers.toml`.
    pub ticker_info: HashMap<String, TickerInfo>,
    /// `data/authors.toml`, by author slug.
    pub author_info: BTreeMap<String, AuthorInfo>,
    /// Report slug -> index into `reports`.
    pub by_slug: HashMap<String, usize>,
    /// Alias path (as `Route::Alias` has it) -> the report it redirects to.
    pub aliases: BTreeMap<String, usize>,
    /// How many of the newest reports are of the last 2 days (the news sitemap's).
    pub recent: usize,
    /// Each report's related reports (ids, best first), aligned with `reports`.
    pub related: Vec<Vec<usize>>,
}

impl Site {
    /// The terms of a taxonomy.
    pub fn terms(&self, taxonomy: Taxonomy) -> &BTreeMap<String, TermEntry> {
        &self.taxonomies[&taxonomy]
    }

    /// The canonical name of a term (the spelling used first), or `fallback`.
    pub fn term_name<'a>(&'a self, taxonomy: Taxonomy, slug: &str, fallback: &'a str) -> &'a str {
        self.taxonomies[&taxonomy]
            .get(slug)
            .map_or(fallback, |t| t.name.as_str())
    }

    /// How many reports a term has.
    pub fn term_count(&self, taxonomy: Taxonomy, slug: &str) -> usize {
        self.taxonomies[&taxonomy].get(slug).map_or(0, |t| t.reports.len())
    }
}

/// Orders reports and builds the taxonomies. Each report comes with what the caller
/// keeps beside it (its fingerprints, its HTML); that comes back in the site's order,
/// so `extra[i]` belongs to `site.reports[i]`.
pub fn build_site<T>(reports: Vec<(Arc<Report>, T)>, mut pages: Vec<Arc<Page>>, data: SiteData) -> (Site, Vec<T>) {
    let mut reports = reports;
    // Oldest first, then turned around: the site keeps them newest first.
    reports.sort_by(|(a, _), (b, _)| {
        a.meta
            .date
            .cmp(&b.meta.date)
            .then_with(|| b.meta.slug.cmp(&a.meta.slug))
    });
    reports.reverse();
    let (reports, extra): (Vec<Arc<Report>>, Vec<T>) = reports.into_iter().unzip();
    // Built in hash maps (a lookup per term of every report), ordered once at the end.
    let mut building: BTreeMap<Taxonomy, rustc_hash::FxHashMap<String, TermEntry>> =
        Taxonomy::ALL.iter().map(|t| (*t, Default::default())).collect();
    // Walk oldest first, taking each report's index in the newest-first list.
    for (id, r) in reports.iter().enumerate().rev() {
        let m = &r.meta;
        let mut add = |taxonomy: Taxonomy, name: &str, slug: &str| {
            let terms = building.get_mut(&taxonomy).expect("every taxonomy has a map");
            // Look up before inserting: most terms exist already, and a key costs an allocation.
            let entry = match terms.get_mut(slug) {
                Some(e) => e,
                None => terms.entry(slug.to_string()).or_insert_with(|| TermEntry {
                    name: name.to_string(),
                    slug: slug.to_string(),
                    reports: Vec::new(),
                }),
            };
            if entry.reports.last() != Some(&id) {
                entry.reports.push(id);
            }
        };
        // Areas a report names as its primary impact or a ripple effect without scoring
        // them still lead to the area's page, after the reports that score it.
        for (taxonomy, t) in m.terms() {
            add(taxonomy, &t.name, &t.slug);
        }
        for t in &r.tickers {
            add(Taxonomy::Tickers, t.symbol(), t.slug());
        }
    }
    let mut taxonomies: BTreeMap<Taxonomy, BTreeMap<String, TermEntry>> = building
        .into_iter()
        .map(|(t, terms)| (t, terms.into_iter().collect()))
        .collect();
    for terms in taxonomies.values_mut() {
        for t in terms.values_mut() {
            t.reports.reverse();
        }
    }
    // Impact pages: highest score first, then newest.
    for t in taxonomies.get_mut(&Taxonomy::Impact).expect("impact map").values_mut() {
        let score = |id: usize| {
            reports[id]
                .meta
                .scores
                .iter()
                .find(|s| s.area.slug == t.slug)
                .map_or(0, |s| s.score)
        };
        t.reports.sort_by_cached_key(|&id| (std::cmp::Reverse(score(id)), id));
    }
    // A desk's or author's name from data/authors.toml wins over the byline's spelling.
    for t in taxonomies
        .get_mut(&Taxonomy::Authors)
        .expect("authors map")
        .values_mut()
    {
        if let Some(name) = data.author_info.get(&t.slug).and_then(|a| a.name.as_ref()) {
            t.name = name.clone();
        }
    }
    pages.sort_by(|a, b| (&a.meta.title, &a.meta.slug).cmp(&(&b.meta.title, &b.meta.slug)));
    let by_slug = reports
        .iter()
        .enumerate()
        .map(|(i, r)| (r.meta.slug.clone(), i))
        .collect();
    // Oldest report first, so an alias two reports claim goes to the first (the other
    // is an error: aliases::alias_conflicts).
    let mut aliases = BTreeMap::new();
    for (id, r) in reports.iter().enumerate().rev() {
        for a in &r.meta.aliases {
            aliases.entry(a.path.clone()).or_insert(id);
        }
    }
    let since = data.now - chrono::Duration::days(NEWS_WINDOW_DAYS);
    let recent = reports.iter().take_while(|r| r.meta.date >= since).count();
    let related = crate::related::related_reports(reports.len(), |t| taxonomies[&t].values().collect());
    let site = Site {
        by_slug,
        reports,
        pages,
        taxonomies,
        ticker_info: data.ticker_info,
        author_info: data.author_info,
        aliases,
        recent,
        related,
    };
    (site, extra)
}

/// Reads a TOML file of `data/` (optional): its text and value, or every problem in it.
fn read_data_file<T: serde::de::DeserializeOwned>(
    root: &Path,
    path: &Path,
) -> Result<Option<(String, T, Vec<crate::Diagnostic>)>, crate::Failure> {
    let bytes = match std::fs::read(root.join(path)) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(crate::diagnostics::Diagnostic::error(path, format!("cannot read: {e}")).into()),
    };
    let text = crate::load::decode_text(path, bytes)?;
    let parsed = crate::frontmatter::parse_toml::<T>(crate::frontmatter::TomlText {
        file: path,
        file_text: &text,
        offset: 0,
        toml: &text,
    });
    match parsed.value {
        Some(value) => Ok(Some((text, value, parsed.errors))),
        None => Err(parsed.errors.into()),
    }
}

/// Reads `data/authors.toml` (optional): author slug -> name, bio, url and kind.
pub(crate) fn read_author_info(root: &Path) -> Result<BTreeMap<String, AuthorInfo>, crate::Failure> {
    let path = Path::new("data/authors.toml");
    let Some((text, map, mut errors)) = read_data_file::<BTreeMap<String, AuthorInfo>>(root, path)? else {
        return Ok(BTreeMap::new());
    };
    for (slug, info) in &map {
        let at = text.find(&format!("[{slug}]")).unwrap_or(0);
        if crate::routes::slugify(slug) != *slug {
            errors.push(
                crate::diagnostics::Diagnostic::error(path, format!("`{slug}` is not an author slug"))
                    .at(&text, at)
                    .with_help(format!(
                        "write the slug of the byline: `[{}]`",
                        crate::routes::slugify(slug)
                    )),
            );
        }
        if let Some(url) = info
            .url
            .as_deref()
            .filter(|u| !u.starts_with("https://") && !u.starts_with("http://"))
        {
            errors.push(
                crate::diagnostics::Diagnostic::error(
                    path,
                    format!("the url of `{slug}` must start with http:// or https://, found `{url}`"),
                )
                .at(&text, at),
            );
        }
    }
    if errors.is_empty() {
        Ok(map)
    } else {
        Err(errors.into())
    }
}

/// Reads `data/tickers.toml` (optional): ticker -> name and exchange.
pub(crate) fn read_ticker_info(root: &Path) -> Result<Option<HashMap<String, TickerInfo>>, crate::Failure> {
    let path = Path::new("data/tickers.toml");
    let Some((text, map, mut errors)) = read_data_file::<HashMap<String, TickerInfo>>(root, path)? else {
        return Ok(None);
    };
    let mut info = HashMap::new();
    for (k, v) in map {
        match Ticker::parse(&k) {
            Some(t) => {
                info.insert(t.symbol().to_string(), v);
            }
            None => errors.push(
                crate::diagnostics::Diagnostic::error(
                    path,
                    format!("`{k}` is not a ticker: use 1 to 5 capital letters, optionally `.` and 1 or 2 more"),
                )
                .at(&text, text.find(&format!("[{k}]")).unwrap_or(0)),
            ),
        }
    }
    if errors.is_empty() {
        Ok(Some(info))
    } else {
        Err(errors.into())
    }
}

/// An error for every source whose slug an earlier source (by path) already uses.
pub(crate) fn check_duplicates<'a>(
    items: impl Iterator<Item = (&'a str, &'a Path)>,
    what: &str,
    errors: &mut Vec<crate::diagnostics::Diagnostic>,
) {
    let mut seen: HashMap<&str, Vec<&Path>> = HashMap::new();
    for (slug, path) in items {
        seen.entry(slug).or_default().push(path);
    }
    for (slug, mut paths) in seen.into_iter().filter(|(_, p)| p.len() > 1) {
        paths.sort();
        for path in &paths[1..] {
            errors.push(crate::diagnostics::Diagnostic::error(
                path,
                format!("{what} `{slug}` is already used by {}", paths[0].display()),
            ));
        }
    }
}

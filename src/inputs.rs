//! Everything a build reads besides the content: config.toml, data/tickers.toml, the
//! theme, the templates and the static files -> [`Inputs`]. serve and watch keep them
//! while only content changes, so a save of a report re-reads and recompiles none of them.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use minijinja::Environment;

use crate::card::{load_card_fonts, CardFonts};
use crate::chart::prices::{read_price_folder, PriceBook};
use crate::config::{read_config, Config};
use crate::diagnostics::Diagnostic;
use crate::hash::{content_hash, hash_of};
use crate::output;
use crate::routes::Urls;
use crate::site::{read_author_info, read_ticker_info, AuthorInfo, TickerInfo};
use crate::templates::{self, TemplateHashes, ThemeSource};
use crate::{Failure, Options};

/// The site's settings, theme and static files, read once per change of any of them.
pub(crate) struct Inputs {
    pub config: Config,
    pub ticker_info: Option<HashMap<String, TickerInfo>>,
    /// `data/authors.toml`, by author slug.
    pub author_info: BTreeMap<String, AuthorInfo>,
    pub theme: ThemeSource,
    pub urls: Urls,
    /// The template environment, or why it could not be made.
    pub env: Result<Environment<'static>, Vec<Diagnostic>>,
    pub template_hashes: TemplateHashes,
    /// Output path -> bytes, the site's files over the theme's.
    pub statics: Vec<(PathBuf, Vec<u8>)>,
    /// A hash of everything every page depends on (settings, ticker names, flags).
    pub global_hash: u64,
    /// A hash of the templates and static files.
    pub files_hash: u64,
    /// `data/prices/`: the series the charts to watch are drawn from.
    pub prices: PriceBook,
    /// The theme's fonts for share cards, or why they cannot be used.
    pub card_fonts: Result<CardFonts, Diagnostic>,
}

/// Reads every input that is not content.
pub(crate) fn read_inputs(opts: &Options) -> Result<Inputs, Failure> {
    let config = read_config(opts)?;
    let ticker_info = read_ticker_info(&opts.root)?;
    let author_info = read_author_info(&opts.root)?;
    let theme = templates::find_theme(&opts.root, &config)?;
    let mut statics = static_files(&opts.root, &theme)?;
    let urls = Urls {
        base_url: config.base_url.clone(),
        base_path: config.base_path.clone(),
        asset_versions: std::sync::Arc::new(asset_versions(&statics)),
    };
    if config.deploy_headers {
        statics.push((PathBuf::from("_headers"), headers_file(&urls)));
    }
    let env = templates::load_templates(&opts.root, &theme, &urls);
    let card_fonts = load_card_fonts(&opts.root, &theme);
    let prices = read_price_folder(&opts.root)?;
    let global_hash = hash_of(&(
        // A card drawn with other fonts is another picture.
        card_fonts.as_ref().map(CardFonts::key).ok(),
        format!("{config:?}"),
        ticker_info.as_ref().map(|m| {
            let mut v: Vec<_> = m.iter().map(|(k, v)| format!("{k}{v:?}")).collect();
            v.sort();
            v
        }),
        &author_info,
        opts.root.join(crate::render::CUSTOM_CSS).is_file(),
        opts.drafts,
        opts.future,
        // Another limit is another sitemap.xml (and parts).
        crate::routes::sitemap_limit(),
    ));
    let mut template_hashes = templates::template_hashes(&opts.root, &theme);
    // Every page links the stylesheets, scripts and fonts by a URL that carries their hash.
    template_hashes.shared = hash_of(&(template_hashes.shared, &*urls.asset_versions));
    let files_hash = hash_of(&(
        &template_hashes,
        statics.iter().map(|(p, b)| (p, content_hash(b))).collect::<Vec<_>>(),
    ));
    Ok(Inputs {
        config,
        ticker_info,
        author_info,
        theme,
        urls,
        env,
        template_hashes,
        statics,
        global_hash,
        files_hash,
        card_fonts,
        prices,
    })
}

/// The stylesheets, scripts and web fonts among the static files, each with the first 10
/// hex digits of its bytes' hash: what their URLs carry.
fn asset_versions(statics: &[(PathBuf, Vec<u8>)]) -> std::collections::BTreeMap<String, String> {
    statics
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "css" || e == "js" || e == "woff2"))
        .map(|(p, b)| {
            let hash = format!("{:016x}", content_hash(b));
            (p.to_string_lossy().replace('\\', "/"), hash[..10].to_string())
        })
        .collect()
}

/// `_headers` (Netlify and Cloudflare Pages syntax): the stylesheets, scripts and fonts,
/// whose URLs carry their hash, may be cached for a year.
fn headers_file(urls: &Urls) -> Vec<u8> {
    let mut out = String::from(
        "# Written by impress ([deploy] headers = true in config.toml): stylesheets,\n\
         # scripts and fonts are linked by URLs that carry a hash of their bytes.\n",
    );
    for path in urls.asset_versions.keys() {
        out.push_str(&format!(
            "{}{path}\n  Cache-Control: public, max-age=31536000, immutable\n",
            urls.base_path
        ));
    }
    out.into_bytes()
}

/// The static files of the theme and the site (the site's win), as output path -> bytes.
fn static_files(root: &Path, theme: &ThemeSource) -> Result<Vec<(PathBuf, Vec<u8>)>, Failure> {
    let mut files: HashMap<PathBuf, Vec<u8>> = HashMap::new();
    match theme {
        ThemeSource::Disk(dir) => files.extend(output::read_static(root, &dir.join("static"))?),
        ThemeSource::BuiltIn => {
            if let Some(dir) = templates::DEFAULT_THEME.get_dir("static") {
                output::embedded_files(dir, &mut files);
            }
        }
    }
    files.extend(output::read_static(root, &root.join("static"))?);
    let mut files: Vec<_> = files.into_iter().collect();
    files.sort();
    Ok(files)
}

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
    minify_stylesheets(&opts.root, &theme, &mut statics)?;
    version_stylesheet_urls(&mut statics);
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

/// The fonts (and other versioned files that are not stylesheets) that a stylesheet names
/// by a relative `url()` get the `?v=` of their URLs elsewhere (`static_url`), so that a
/// `@font-face` in a stylesheet and a `<link rel=preload>` name the same URL, and the
/// stylesheet's own hash changes with the font. A relative URL stays right under any
/// sub-path of the site, as it resolves against the stylesheet's own URL.
fn version_stylesheet_urls(statics: &mut [(PathBuf, Vec<u8>)]) {
    let versions: BTreeMap<String, String> = asset_versions(statics)
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".css"))
        .collect();
    if versions.is_empty() {
        return;
    }
    for (path, bytes) in statics.iter_mut() {
        if path.extension().is_none_or(|e| e != "css") {
            continue;
        }
        let dir = path
            .parent()
            .map(|d| d.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let text = String::from_utf8_lossy(bytes);
        let versioned = with_versioned_urls(&text, &dir, &versions);
        if versioned != text {
            *bytes = versioned.into_bytes();
        }
    }
}

/// `css` with each `url(x)` whose `x`, relative to the folder `dir`, is a key of
/// `versions` written as `url(x?v=...)`. Other URLs (absolute, `data:`, with a query or
/// a fragment, unknown files) are left as they are.
fn with_versioned_urls(css: &str, dir: &str, versions: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(css.len() + 32);
    let mut rest = css;
    while let Some(at) = rest.find("url(") {
        let (before, after) = rest.split_at(at + 4);
        out.push_str(before);
        rest = after;
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'');
        let start = usize::from(quote.is_some());
        let end = match quote {
            Some(q) => rest[1..].find(q).map(|i| i + 1),
            None => rest.find(')'),
        };
        let Some(end) = end else { continue };
        let url = &rest[start..end];
        let relative = !url.is_empty() && !url.contains([':', '?', '#', '\\']) && !url.starts_with('/');
        if relative {
            let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
            let mut ok = true;
            for part in url.split('/') {
                match part {
                    "" | "." => {}
                    ".." => ok &= parts.pop().is_some(),
                    p => parts.push(p),
                }
            }
            if let Some(v) = versions.get(&parts.join("/")).filter(|_| ok) {
                out.push_str(&rest[..end]);
                out.push_str("?v=");
                out.push_str(v);
                rest = &rest[end..];
                continue;
            }
        }
    }
    out.push_str(rest);
    out
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

/// The browsers the stylesheets are written for: newer CSS (nesting, `inset`, colour
/// functions) is lowered and vendor prefixes are added for them. Versions are
/// `major << 16 | minor << 8`.
fn css_targets() -> lightningcss::targets::Targets {
    lightningcss::targets::Targets::from(lightningcss::targets::Browsers {
        chrome: Some(90 << 16),
        edge: Some(90 << 16),
        firefox: Some(90 << 16),
        safari: Some(14 << 16),
        ios_saf: Some(14 << 16),
        samsung: Some(15 << 16),
        ..Default::default()
    })
}

/// Minifies every `.css` file of the static files (the theme's and the site's), with
/// lightningcss: whitespace and comments out, rules merged, lowered for [`css_targets`].
/// A stylesheet it cannot parse is an error naming the file, line and column.
fn minify_stylesheets(root: &Path, theme: &ThemeSource, statics: &mut [(PathBuf, Vec<u8>)]) -> Result<(), Failure> {
    use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};
    for (path, bytes) in statics.iter_mut() {
        if path.extension().is_none_or(|e| e != "css") {
            continue;
        }
        // Where the file came from: the site's static/ wins over the theme's.
        let origin = || {
            let site = Path::new("static").join(&*path);
            match theme {
                _ if root.join(&site).is_file() => site,
                ThemeSource::Disk(dir) => dir.strip_prefix(root).unwrap_or(dir).join("static").join(&*path),
                ThemeSource::BuiltIn => Path::new("themes/default/static").join(&*path),
            }
        };
        let text = String::from_utf8_lossy(bytes).into_owned();
        let fail = |message: String, line: Option<(u32, u32)>| -> Failure {
            let d = Diagnostic::error(origin(), format!("cannot minify this stylesheet: {message}"));
            match line {
                // lightningcss counts lines from 0 and columns from 1.
                Some((line, column)) => {
                    let offset = text
                        .split_inclusive('\n')
                        .take(line as usize)
                        .map(str::len)
                        .sum::<usize>()
                        + (column as usize).saturating_sub(1);
                    d.at(&text, offset).into()
                }
                None => d.into(),
            }
        };
        let options = ParserOptions {
            filename: path.to_string_lossy().into_owned(),
            ..ParserOptions::default()
        };
        let mut sheet = StyleSheet::parse(&text, options)
            .map_err(|e| fail(e.kind.to_string(), e.loc.map(|l| (l.line, l.column))))?;
        let targets = css_targets();
        sheet
            .minify(MinifyOptions {
                targets,
                ..MinifyOptions::default()
            })
            .map_err(|e| fail(e.kind.to_string(), e.loc.map(|l| (l.line, l.column))))?;
        let out = sheet
            .to_css(PrinterOptions {
                minify: true,
                targets,
                ..PrinterOptions::default()
            })
            .map_err(|e| fail(e.kind.to_string(), e.loc.map(|l| (l.line, l.column))))?;
        *bytes = out.code.into_bytes();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stylesheet_urls_of_versioned_files_carry_their_version() {
        let versions: BTreeMap<String, String> = [("fonts/a.woff2".to_string(), "0123456789".to_string())].into();
        let css = r#"@font-face{src:url(fonts/a.woff2)}a{b:url("fonts/a.woff2")}c{d:url('../x.png')}e{f:url(data:x)}"#;
        assert_eq!(
            with_versioned_urls(css, "", &versions),
            r#"@font-face{src:url(fonts/a.woff2?v=0123456789)}a{b:url("fonts/a.woff2?v=0123456789")}c{d:url('../x.png')}e{f:url(data:x)}"#
        );
        assert_eq!(
            with_versioned_urls(
                "x{src:url(../fonts/a.woff2)}y{src:url(/fonts/a.woff2)}",
                "css",
                &versions
            ),
            "x{src:url(../fonts/a.woff2?v=0123456789)}y{src:url(/fonts/a.woff2)}"
        );
        assert_eq!(with_versioned_urls("url(", "", &versions), "url(");
    }
}

//! `config.toml` -> [`Config`].
//!
//! Unknown keys are errors that name the key (FORMAT.md). `base_url` is split into the
//! absolute URL and its path so that routes can join either.

use std::path::Path;

use serde::Deserialize;

use crate::diagnostics::Diagnostic;
use crate::frontmatter::{parse_toml, TomlText};

/// Site settings, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// The title on a phone's masthead (default: the title).
    pub short_title: String,
    /// Absolute base URL, always ending with `/`.
    pub base_url: String,
    /// The path part of `base_url`, starting and ending with `/`.
    pub base_path: String,
    /// Site description.
    pub description: String,
    /// Language tag for `<html lang>` and feeds.
    pub language: String,
    /// Theme folder name.
    pub theme: String,
    /// Reports per listing page.
    pub paginate: usize,
    /// Footer and feed disclaimer: plain text with inline Markdown links.
    pub disclaimer: String,
    /// Reports in each feed.
    pub feed_limit: usize,
    /// Whether raw HTML in Markdown bodies is passed through.
    pub unsafe_html: bool,
    /// `[deploy] headers`: write a `_headers` file (Netlify, Cloudflare Pages) that lets
    /// hosts cache the stylesheets, scripts and fonts for a year.
    pub deploy_headers: bool,
    /// `[extra]`: any keys, given to templates as `site.extra`.
    pub extra: toml::Table,
    /// `[[menu]]`: the main navigation, by weight (empty: the theme's own).
    pub menu: Vec<MenuEntry>,
    /// `[impact] areas`: the only impact areas reports may name, when given.
    pub impact_areas: Option<Vec<String>>,
    /// `[chart] window_days`: how many days the chart to watch covers (default 180).
    pub chart_window_days: u32,
}

/// One entry of `[[menu]]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuEntry {
    /// The link's text.
    pub name: String,
    /// A path of the site (`/tags/`, under the site's path like every link) or a full URL.
    pub url: String,
    /// Lighter entries come first.
    #[serde(default)]
    pub weight: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: toml::Spanned<String>,
    #[serde(default)]
    short_title: String,
    base_url: toml::Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default = "default_paginate")]
    paginate: toml::Spanned<i64>,
    #[serde(default)]
    disclaimer: String,
    #[serde(default)]
    feed: RawFeed,
    #[serde(default)]
    markdown: RawMarkdown,
    #[serde(default)]
    deploy: RawDeploy,
    #[serde(default)]
    extra: toml::Table,
    #[serde(default)]
    menu: Vec<MenuEntry>,
    #[serde(default)]
    impact: RawImpact,
    #[serde(default)]
    chart: RawChartConfig,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawChartConfig {
    window_days: Option<toml::Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawImpact {
    areas: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    #[serde(default = "default_feed_limit")]
    limit: toml::Spanned<i64>,
}

impl Default for RawFeed {
    fn default() -> Self {
        RawFeed {
            limit: toml::Spanned::new(0..0, default_feed_limit_value()),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDeploy {
    #[serde(default)]
    headers: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMarkdown {
    #[serde(default)]
    unsafe_html: bool,
}

fn default_language() -> String {
    "en".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_paginate() -> toml::Spanned<i64> {
    toml::Spanned::new(0..0, 10)
}
fn default_feed_limit_value() -> i64 {
    20
}
fn default_feed_limit() -> toml::Spanned<i64> {
    toml::Spanned::new(0..0, default_feed_limit_value())
}

/// Parses config.toml's text. `file` is the path shown in diagnostics.
pub fn parse_config(file: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
    let parsed = parse_toml::<RawConfig>(TomlText {
        file,
        file_text: text,
        offset: 0,
        toml: text,
    });
    let mut errors = parsed.errors;
    let Some(raw) = parsed.value else {
        return Err(errors);
    };
    let (base_url, base_path) = match split_base_url(raw.base_url.get_ref()) {
        Ok(parts) => parts,
        Err(msg) => {
            errors.push(Diagnostic::error(file, msg).at(text, raw.base_url.span().start));
            (String::new(), "/".into())
        }
    };
    let positive = |v: &toml::Spanned<i64>, key: &str, errors: &mut Vec<Diagnostic>| -> usize {
        if *v.get_ref() >= 1 {
            *v.get_ref() as usize
        } else {
            errors.push(
                Diagnostic::error(
                    file,
                    format!("`{key}` must be a whole number of at least 1, found `{}`", v.get_ref()),
                )
                .at(text, v.span().start),
            );
            1
        }
    };
    let paginate = positive(&raw.paginate, "paginate", &mut errors);
    let feed_limit = positive(&raw.feed.limit, "feed.limit", &mut errors);
    let window = raw
        .chart
        .window_days
        .unwrap_or_else(|| toml::Spanned::new(0..0, i64::from(crate::chart::DEFAULT_WINDOW_DAYS)));
    let chart_window_days = u32::try_from(positive(&window, "chart.window_days", &mut errors)).unwrap_or(u32::MAX);
    let mut menu = raw.menu;
    for m in &menu {
        if m.url.trim().is_empty() || m.url.contains(char::is_whitespace) {
            let at = text.find(&format!("\"{}\"", m.name)).unwrap_or(0);
            errors.push(
                Diagnostic::error(file, format!("menu entry `{}` needs a `url` without spaces", m.name)).at(text, at),
            );
        }
    }
    menu.sort_by_key(|m| m.weight);
    if raw.title.get_ref().trim().is_empty() {
        errors.push(Diagnostic::error(file, "`title` must not be empty").at(text, raw.title.span().start));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Config {
        short_title: if raw.short_title.trim().is_empty() {
            raw.title.get_ref().clone()
        } else {
            raw.short_title
        },
        title: raw.title.into_inner(),
        base_url,
        base_path,
        description: raw.description,
        language: raw.language,
        theme: raw.theme,
        paginate,
        disclaimer: raw.disclaimer,
        feed_limit,
        unsafe_html: raw.markdown.unsafe_html,
        deploy_headers: raw.deploy.headers,
        extra: raw.extra,
        menu,
        impact_areas: raw.impact.areas,
        chart_window_days,
    })
}

impl Config {
    /// The same settings with another base URL (`--base-url`).
    pub fn with_base_url(mut self, url: &str) -> Result<Config, String> {
        let (base_url, base_path) = split_base_url(url)?;
        self.base_url = base_url;
        self.base_path = base_path;
        Ok(self)
    }
}

/// `https://host/sub` -> (`https://host/sub/`, `/sub/`).
pub fn split_base_url(url: &str) -> Result<(String, String), String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("`base_url` must start with http:// or https://, found `{url}`"))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace()) {
        return Err(format!("`base_url` has no valid host: `{url}`"));
    }
    if path.contains(['?', '#', ' ']) {
        return Err(format!("`base_url` must not carry a query, fragment or space: `{url}`"));
    }
    let mut base_path = path.to_string();
    if !base_path.ends_with('/') {
        base_path.push('/');
    }
    let scheme = &url[..url.len() - rest.len()];
    Ok((format!("{scheme}{host}{base_path}"), base_path))
}

/// Reads and checks `config.toml` of the site, with `--base-url` applied.
pub(crate) fn read_config(opts: &crate::Options) -> Result<Config, crate::Failure> {
    let path = Path::new("config.toml");
    let bytes = std::fs::read(opts.root.join(path)).map_err(|e| {
        Diagnostic::error(path, format!("cannot read the site's config: {e}"))
            .with_help("run impress in a site folder, pass --root DIR, or make a site with `impress init DIR`")
    })?;
    let text = crate::load::decode_text(path, bytes)?;
    let config = parse_config(path, &text)?;
    match &opts.base_url {
        Some(url) => config
            .with_base_url(url)
            .map_err(|m| Diagnostic::error("--base-url", m).into()),
        None => Ok(config),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_splits_into_url_and_path() {
        for (input, url, path) in [
            ("https://example.com", "https://example.com/", "/"),
            ("https://example.com/", "https://example.com/", "/"),
            (
                "https://host/reports-site",
                "https://host/reports-site/",
                "/reports-site/",
            ),
            ("http://127.0.0.1:1111/a/b/", "http://127.0.0.1:1111/a/b/", "/a/b/"),
        ] {
            assert_eq!(
                split_base_url(input).unwrap(),
                (url.to_string(), path.to_string()),
                "{input}"
            );
        }
        assert!(split_base_url("example.com").is_err());
    }

    #[test]
    fn unknown_keys_are_errors_naming_the_key() {
        let text = "title = \"t\"\nbase_url = \"https://e.com/\"\ntheem = \"x\"\n";
        let err = parse_config(Path::new("config.toml"), text).unwrap_err();
        assert_eq!(err[0].message, "unknown field `theem`, did you mean `theme`?");
        assert_eq!(err[0].position.unwrap().line, 3);
    }

    #[test]
    fn a_bad_base_url_and_an_empty_title_are_errors_at_their_values() {
        // The words appear earlier in a comment: positions come from the parsed values.
        let text = "# base_url and title are set below\ntitle = \" \"\nbase_url = \"example.com\"\n";
        let err = parse_config(Path::new("config.toml"), text).unwrap_err();
        let lines: Vec<(usize, usize)> = err
            .iter()
            .map(|d| d.position.map_or((0, 0), |p| (p.line, p.column)))
            .collect();
        assert_eq!(lines, vec![(3, 12), (2, 9)], "{err:?}");
    }

    #[test]
    fn a_menu_entry_without_url_is_an_error_at_its_line() {
        let text = "title = \"t\"\nbase_url = \"https://e.com/\"\n\n[[menu]]\nname = \"Home\"\nweight = 1\n";
        let err = parse_config(Path::new("config.toml"), text).unwrap_err();
        assert!(err[0].message.contains("missing field `url`"), "{}", err[0].message);
        assert_eq!(err[0].position.unwrap().line, 4);
    }

    #[test]
    fn menu_entries_come_by_weight() {
        let text = "title = \"t\"\nbase_url = \"https://e.com/\"\n[[menu]]\nname = \"B\"\nurl = \"/b/\"\nweight = 2\n[[menu]]\nname = \"A\"\nurl = \"/a/\"\nweight = 1\n";
        let c = parse_config(Path::new("config.toml"), text).unwrap();
        let names: Vec<_> = c.menu.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["A", "B"]);
    }

    #[test]
    fn defaults_fill_optional_settings() {
        let c = parse_config(
            Path::new("config.toml"),
            "title = \"t\"\nbase_url = \"https://e.com/x\"\n",
        )
        .unwrap();
        assert_eq!(
            (c.paginate, c.feed_limit, c.theme.as_str(), c.base_path.as_str()),
            (10, 20, "default", "/x/")
        );
    }
}

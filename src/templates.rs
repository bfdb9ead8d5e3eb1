//! The minijinja environment: one loader closure that looks a template up in the site's
//! `templates/`, then `themes/<theme>/templates/`, then the default theme compiled into
//! the binary. `theme/<name>` skips the site's folder, so a site template can extend the
//! theme's template of the same name.

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use minijinja::{Environment, ErrorKind, UndefinedBehavior, Value};

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::routes::Urls;

/// The default theme, inside the binary.
pub(crate) static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Page templates every theme provides (FORMAT.md).
pub const PAGE_TEMPLATES: &[&str] = &[
    "base.html",
    "home.html",
    "report.html",
    "analysis.html",
    "terms.html",
    "term.html",
    "ticker.html",
    "page.html",
    "search.html",
    "404.html",
];

/// Where a theme lives: on disk, or built in.
#[derive(Debug, Clone)]
pub enum ThemeSource {
    /// `themes/<name>/` under the site root.
    Disk(PathBuf),
    /// The default theme compiled into the binary.
    BuiltIn,
}

/// Finds the configured theme. A folder on disk with the theme's name wins.
pub fn find_theme(root: &Path, config: &Config) -> Result<ThemeSource, Diagnostic> {
    let dir = root.join("themes").join(&config.theme);
    if dir.is_dir() {
        Ok(ThemeSource::Disk(dir))
    } else if config.theme == "default" {
        Ok(ThemeSource::BuiltIn)
    } else {
        let known: Vec<String> = std::fs::read_dir(root.join("themes"))
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        let mut d = Diagnostic::error(
            "config.toml",
            format!(
                "unknown theme `{}`: there is no folder `themes/{}`",
                config.theme, config.theme
            ),
        );
        let text = std::fs::read_to_string(root.join("config.toml")).unwrap_or_default();
        if let Some(i) = text.find("theme") {
            d = d.at(&text, i);
        }
        let mut choices = known;
        choices.push("default".into());
        choices.sort();
        choices.dedup();
        Err(d.with_help(format!("themes available: {}", choices.join(", "))))
    }
}

/// Where the template `name` comes from, for diagnostics.
pub fn template_origin(root: &Path, theme: &ThemeSource, name: &str) -> PathBuf {
    let (site_allowed, name) = match name.strip_prefix("theme/") {
        Some(rest) => (false, rest),
        None => (true, name),
    };
    let site = root.join("templates").join(name);
    if site_allowed && site.is_file() {
        return PathBuf::from("templates").join(name);
    }
    if let ThemeSource::Disk(dir) = theme {
        let p = dir.join("templates").join(name);
        if p.is_file() {
            return p.strip_prefix(root).unwrap_or(&p).to_path_buf();
        }
    }
    PathBuf::from("<built-in theme>/templates").join(name)
}

fn safe_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('/') && name.split('/').all(|seg| !seg.is_empty() && seg != "..")
}

/// Builds the environment and compiles every page template, so that a syntax error in any
/// of them is reported before anything is rendered.
pub fn load_templates(root: &Path, theme: &ThemeSource, urls: &Urls) -> Result<Environment<'static>, Vec<Diagnostic>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Debug mode names the expression that is undefined (`report.sumary`) in an error. It
    // costs only when an undefined value is made, which strict templates rarely do, and is
    // on by default in debug builds only: set it so that release builds say the same.
    env.set_debug(true);
    env.set_auto_reload(false);
    let site_dir = root.join("templates");
    let theme_dir = match theme {
        ThemeSource::Disk(d) => Some(d.join("templates")),
        ThemeSource::BuiltIn => None,
    };
    env.set_loader(move |name| {
        if !safe_name(name) {
            return Ok(None);
        }
        let (site_allowed, name) = match name.strip_prefix("theme/") {
            Some(rest) => (false, rest),
            None => (true, name),
        };
        let read = |p: PathBuf| -> Result<Option<String>, minijinja::Error> {
            match std::fs::read_to_string(&p) {
                Ok(s) => Ok(Some(dedent(&s))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("cannot read {}: {e}", p.display()),
                )),
            }
        };
        if site_allowed {
            if let Some(s) = read(site_dir.join(name))? {
                return Ok(Some(s));
            }
        }
        if let Some(dir) = &theme_dir {
            if let Some(s) = read(dir.join(name))? {
                return Ok(Some(s));
            }
        }
        Ok(DEFAULT_THEME
            .get_file(format!("templates/{name}"))
            .and_then(|f| f.contents_utf8())
            .map(dedent))
    });
    // minijinja's HTML escaping also escapes `/`, which bloats every URL; `&<>"'` suffice.
    env.set_formatter(|out, state, value| {
        if matches!(state.auto_escape(), minijinja::AutoEscape::Html) && !value.is_safe() {
            if let Some(s) = value.as_str() {
                let mut escaped = String::with_capacity(s.len() + 8);
                crate::cashtag::escape_html(s, &mut escaped);
                return out.write_str(&escaped).map_err(minijinja::Error::from);
            }
        }
        minijinja::escape_formatter(out, state, value)
    });
    let static_urls = urls.clone();
    env.add_function("static_url", move |path: &str| static_urls.static_url(path));
    crate::memo::install(&mut env);

    let mut errors = Vec::new();
    for name in PAGE_TEMPLATES {
        if let Err(e) = env.get_template(name) {
            errors.push(template_diagnostic(root, theme, &e));
        }
    }
    if errors.is_empty() {
        Ok(env)
    } else {
        Err(errors)
    }
}

/// A minijinja error met while loading templates, as a diagnostic naming the template
/// file, line and column.
pub fn template_diagnostic(root: &Path, theme: &ThemeSource, e: &minijinja::Error) -> Diagnostic {
    describe_error(root, theme, e, None)
}

/// A minijinja error met while rendering a page whose template was given `ctx`: as
/// [`template_diagnostic`], and an undefined value is named with the nearest field that
/// exists (`report.sumary` -> `report.summary`).
pub fn render_diagnostic(root: &Path, theme: &ThemeSource, e: &minijinja::Error, ctx: &Value) -> Diagnostic {
    describe_error(root, theme, e, Some(ctx))
}

/// Says which page was being rendered when `d` happened, and from which source file.
pub fn while_rendering(mut d: Diagnostic, url: &str, source: &Path) -> Diagnostic {
    let page = if source.starts_with("content") {
        format!("while rendering the page `{url}` (from {})", source.display())
    } else {
        format!("while rendering the page `{url}`")
    };
    d.help = Some(match d.help.take() {
        Some(help) => format!("{page}; {help}"),
        None => page,
    });
    d
}

fn describe_error(root: &Path, theme: &ThemeSource, e: &minijinja::Error, ctx: Option<&Value>) -> Diagnostic {
    let d = describe_dedented(root, theme, e, ctx);
    // minijinja saw the template without its indentation (see `dedent`): show the line
    // and column as they are in the file.
    let name = e.name().unwrap_or("template");
    match template_text(root, theme, name) {
        Some(original) => reindent(d, &original),
        None => d,
    }
}

/// Templates as minijinja compiles them: each line without its indentation, which an
/// HTML page does not need (about a tenth of a listing page's bytes), except inside
/// `<pre>` and `<textarea>`, where the spaces are the text. Lines and everything after
/// the indentation stay where they are, so errors keep their line numbers.
pub(crate) fn dedent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut raw = false;
    for line in text.split_inclusive('\n') {
        let kept = if raw {
            line
        } else {
            line.trim_start_matches([' ', '\t'])
        };
        out.push_str(kept);
        // Enter or leave a block whose whitespace counts (the last tag on the line wins).
        let lower = line.to_ascii_lowercase();
        let open = ["<pre", "<textarea"].iter().filter_map(|t| lower.rfind(t)).max();
        let close = ["</pre", "</textarea"].iter().filter_map(|t| lower.rfind(t)).max();
        raw = match (open, close) {
            (Some(o), Some(c)) => o > c,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => raw,
        };
    }
    out
}

/// `d`, found in the dedented text of a template, as the line and column of `original`.
fn reindent(mut d: Diagnostic, original: &str) -> Diagnostic {
    let Some(pos) = d.position.as_mut() else { return d };
    let Some(line) = original.lines().nth(pos.line.saturating_sub(1)) else {
        return d;
    };
    let body = line.trim_start_matches([' ', '\t']);
    let indent = line.len() - body.len();
    if indent > 0 && d.source_line.as_deref() == Some(body) {
        pos.column += indent;
        d.source_line = Some(line.to_string());
    }
    d
}

fn describe_dedented(root: &Path, theme: &ThemeSource, e: &minijinja::Error, ctx: Option<&Value>) -> Diagnostic {
    let name = e.name().unwrap_or("template");
    let file = template_origin(root, theme, name);
    let source = e
        .template_source()
        .map(str::to_owned)
        .or_else(|| template_text(root, theme, name).map(|t| dedent(&t)));
    let detail = e.detail().unwrap_or_default();
    let mut d = Diagnostic::error(&file, format!("template error: {}", e.kind()));
    if !detail.is_empty() {
        d.message.push_str(&format!(": {detail}"));
    }
    let Some(source) = source else {
        return match e.line() {
            Some(line) => d.at_line(None, line),
            None => d,
        };
    };
    let range = e
        .range()
        .filter(|r| r.start <= r.end && source.is_char_boundary(r.start) && source.is_char_boundary(r.end));
    let at = |d: Diagnostic, offset: Option<usize>| match (offset, e.line()) {
        (Some(o), _) => d.at(&source, o),
        (None, Some(line)) => d.at_line(Some(&source), line),
        (None, None) => d,
    };
    match e.kind() {
        ErrorKind::UndefinedError => {
            // minijinja's detail names the expression: "`report.sumary` is undefined".
            let expr = detail
                .split('`')
                .nth(1)
                .map(str::to_owned)
                .or_else(|| range.as_ref().map(|r| source[r.clone()].trim().to_string()))
                .filter(|x| !x.is_empty());
            let Some(expr) = expr else {
                return at(d, range.map(|r| r.start));
            };
            d.message = format!("`{expr}` is undefined");
            if let Some(better) = ctx.and_then(|ctx| nearest_field(ctx, &source, &expr)) {
                d.message.push_str(&format!(", did you mean `{better}`?"));
            }
            // The range may be the filter or test that met the value; point at the value.
            let offset = range.map(|r| {
                let line_start = source[..r.start].rfind('\n').map_or(0, |i| i + 1);
                let line_end = source[r.start..].find('\n').map_or(source.len(), |i| r.start + i);
                match source[r.start..r.end].contains(&expr) {
                    true => r.start + source[r.start..r.end].find(&expr).unwrap_or(0),
                    false => source[line_start..line_end]
                        .find(&expr)
                        .map_or(r.start, |i| line_start + i),
                }
            });
            at(d, offset)
        }
        ErrorKind::SyntaxError if closes_too_soon(detail) => {
            let until = range.as_ref().map_or(source.len(), |r| r.start);
            match unclosed_block(&source, until) {
                Some((tag, offset)) => {
                    d.message = format!("`{{% {tag} %}}` is never closed");
                    d.help = Some(format!(
                        "add `{{% end{tag} %}}` where its content ends (minijinja stopped at line {}: {detail})",
                        e.line().unwrap_or(0)
                    ));
                    d.at(&source, offset)
                }
                None => at(d, range.map(|r| r.start)),
            }
        }
        _ => at(d, range.map(|r| r.start)),
    }
}

/// A template's text, found as the loader finds it (for errors without debug info).
fn template_text(root: &Path, theme: &ThemeSource, name: &str) -> Option<String> {
    let origin = template_origin(root, theme, name);
    std::fs::read_to_string(root.join(&origin)).ok().or_else(|| {
        let bare = name.strip_prefix("theme/").unwrap_or(name);
        DEFAULT_THEME
            .get_file(format!("templates/{bare}"))
            .and_then(|f| f.contents_utf8())
            .map(str::to_owned)
    })
}

/// minijinja's words when a block ends before a tag inside it was closed: it names the
/// next end tag or the end of the file, not the tag left open.
fn closes_too_soon(detail: &str) -> bool {
    detail.starts_with("unknown statement end") || detail.ends_with("expected end of block")
}

/// The innermost block tag still open at byte `until` of a template (or whose end tag
/// does not match), and the offset of its `{%`.
fn unclosed_block(source: &str, until: usize) -> Option<(String, usize)> {
    const OPENERS: &[&str] = &["if", "for", "block", "macro", "call", "filter", "with", "autoescape"];
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut pos = 0;
    while let Some(i) = source[pos..].find('{') {
        let start = pos + i;
        let rest = &source[start..];
        if rest.starts_with("{#") {
            pos = rest.find("#}").map_or(source.len(), |j| start + j + 2);
            continue;
        }
        if !rest.starts_with("{%") {
            pos = start + 1;
            continue;
        }
        let Some(j) = rest[2..].find("%}").map(|j| j + 2) else {
            break;
        };
        if start > until {
            break;
        }
        pos = start + j + 2;
        let inner = rest[2..j].trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        let word = inner.split_whitespace().next().unwrap_or_default();
        if word == "raw" {
            pos = source[pos..].find("endraw").map_or(source.len(), |k| pos + k);
        } else if OPENERS.contains(&word) || (word == "set" && !inner.contains('=')) {
            stack.push((word.to_string(), start));
        } else if let Some(opener) = word.strip_prefix("end") {
            match stack.last() {
                Some((top, _)) if top == opener => {
                    stack.pop();
                }
                Some(top) => return Some(top.clone()),
                None => return None,
            }
        }
    }
    stack.pop()
}

/// The field nearest to the last part of `expr` among the fields of what comes before it
/// (`report.sumary` -> `report.summary`). A loop variable is looked up through its loop
/// (`{% for s in report.scores %}`: `s` is the first score).
fn nearest_field(ctx: &Value, source: &str, expr: &str) -> Option<String> {
    let (parent, last) = match expr.rsplit_once('.') {
        Some((p, l)) => (Some(p), l),
        None => (None, expr),
    };
    let holder = match parent {
        Some(p) => resolve(ctx, source, p, 0)?,
        None => ctx.clone(),
    };
    if holder.kind() != minijinja::value::ValueKind::Map {
        return None;
    }
    let keys: Vec<String> = holder
        .try_iter()
        .ok()?
        .filter_map(|k| k.as_str().map(str::to_owned))
        .collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let better = crate::diagnostics::suggest(last, &keys)?;
    Some(match parent {
        Some(p) => format!("{p}.{better}"),
        None => better.to_string(),
    })
}

fn resolve(ctx: &Value, source: &str, path: &str, depth: usize) -> Option<Value> {
    let mut parts = path.split('.');
    let head = parts.next()?.trim();
    let mut value = ctx.get_attr(head).ok().filter(|v| !v.is_undefined());
    if value.is_none() && depth < 4 {
        // `{% for head in items %}`: the loop's first item stands for `head`.
        let pattern = format!("for {head} in ");
        let at = source.find(&pattern)? + pattern.len();
        let items: String = source[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        value = resolve(ctx, source, &items, depth + 1)?.get_item_by_index(0).ok();
    }
    let mut value = value?;
    for part in parts {
        value = value.get_attr(part.trim()).ok().filter(|v| !v.is_undefined())?;
    }
    Some(value)
}

/// Hashes of the template files the site and its theme hold on disk, so that a template
/// edit re-renders the pages that use it: `shared` covers every file that is not a page
/// template (base.html, partials, macros), `pages` each page template on its own. The
/// built-in theme only changes with the binary.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TemplateHashes {
    /// Layouts and partials every page may use.
    pub shared: u64,
    /// One page template (site and theme files of that name).
    pub pages: std::collections::BTreeMap<String, u64>,
}

/// Reads and hashes the templates on disk.
pub fn template_hashes(root: &Path, theme: &ThemeSource) -> TemplateHashes {
    /// A template file: its name, where it is, its bytes.
    type TemplateFile = (String, PathBuf, Vec<u8>);
    let mut files: Vec<TemplateFile> = Vec::new();
    let mut dirs = vec![root.join("templates")];
    if let ThemeSource::Disk(d) = theme {
        dirs.push(d.join("templates"));
    }
    for dir in dirs {
        for e in walkdir::WalkDir::new(&dir).into_iter().filter_map(|e| e.ok()) {
            if e.file_type().is_file() {
                let name = e
                    .path()
                    .strip_prefix(&dir)
                    .unwrap_or(e.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((
                    name,
                    e.path().to_path_buf(),
                    std::fs::read(e.path()).unwrap_or_default(),
                ));
            }
        }
    }
    files.sort();
    let mut shared = Vec::new();
    let mut pages: std::collections::BTreeMap<String, Vec<&TemplateFile>> = Default::default();
    for f in &files {
        if f.0 != "base.html" && PAGE_TEMPLATES.contains(&f.0.as_str()) {
            pages.entry(f.0.clone()).or_default().push(f);
        } else {
            shared.push(f);
        }
    }
    TemplateHashes {
        shared: crate::hash::hash_of(&shared),
        pages: pages.into_iter().map(|(k, v)| (k, crate::hash::hash_of(&v))).collect(),
    }
}

/// A hash of the built-in theme, so that a new binary with a changed theme rebuilds.
pub fn builtin_hash() -> u64 {
    fn walk(d: &include_dir::Dir<'_>, out: &mut Vec<(String, u64)>) {
        for e in d.entries() {
            match e {
                include_dir::DirEntry::Dir(sub) => walk(sub, out),
                include_dir::DirEntry::File(f) => out.push((
                    f.path().to_string_lossy().into_owned(),
                    crate::hash::hash_of(f.contents()),
                )),
            }
        }
    }
    let mut files = Vec::new();
    walk(&DEFAULT_THEME, &mut files);
    files.sort();
    crate::hash::hash_of(&files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_lose_their_indentation_except_where_it_is_text() {
        let text = "<ul>\n  <li>a</li>\n\t<li>b</li>\n</ul>\n  <pre>\n  kept\n    too</pre>\n  <p>x</p>\n<textarea>\n  t\n</textarea>";
        assert_eq!(
            dedent(text),
            "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<pre>\n  kept\n    too</pre>\n<p>x</p>\n<textarea>\n  t\n</textarea>"
        );
        assert_eq!(dedent("<pre>x</pre>\n  y"), "<pre>x</pre>\ny", "a closed block ends");
    }

    #[test]
    fn an_error_in_an_indented_line_points_at_the_file_as_written() {
        let original = "<div>\n    {{ report.sumary }}\n</div>";
        let dedented = dedent(original);
        let offset = dedented.find("report").unwrap();
        let d = reindent(Diagnostic::error("t.html", "x").at(&dedented, offset), original);
        assert_eq!(d.position.map(|p| (p.line, p.column)), Some((2, 8)));
        assert_eq!(d.source_line.as_deref(), Some("    {{ report.sumary }}"));
    }

    #[test]
    fn the_block_left_open_is_found() {
        let cases: &[(&str, Option<(&str, usize)>)] = &[
            ("{% if a %}x{% endif %}", None),
            ("a\n{% if a %}\n{% endblock %}", Some(("if", 2))),
            ("{% block c %}{% for x in y %}{% if x %}{% endfor %}", Some(("if", 29))),
            ("{% raw %}{% if %}{% endraw %}{% for x in y %}", Some(("for", 29))),
            ("{# {% if %} #}{%- with a = 1 -%}", Some(("with", 14))),
            ("{% set x = 1 %}{% set y %}", Some(("set", 15))),
            ("{% endif %}", None),
            ("{%}", None),
        ];
        for (source, want) in cases {
            let got = unclosed_block(source, source.len());
            assert_eq!(got.as_ref().map(|(t, o)| (t.as_str(), *o)), *want, "{source}");
        }
    }

    #[test]
    fn any_cut_of_a_template_is_scanned_without_panic() {
        let source = "{# é #}{% block c %}{% for x in y -%}{{ x.é }}{% raw %}{% if %}{% endraw %}{%- endfor %}";
        for end in (0..=source.len()).filter(|&i| source.is_char_boundary(i)) {
            let cut = &source[..end];
            assert!(unclosed_block(cut, end).is_none_or(|(_, at)| at < end));
            assert!(unclosed_block(cut, 0).is_none_or(|(_, at)| at < end));
        }
    }

    #[test]
    fn the_nearest_field_is_found_through_loops() {
        let ctx = Value::from(minijinja::value::Serde(serde_json::json!({
            "report": { "summary": "s", "scores": [{ "area": "A", "score": 3 }] },
            "site": { "title": "t" }
        })));
        let source = "{% for s in report.scores %}{{ s.are }}{% endfor %}";
        for (expr, want) in [
            ("report.sumary", Some("report.summary")),
            ("s.are", Some("s.area")),
            ("sit", Some("site")),
            ("report.colour", None),
            ("nothing.here", None),
        ] {
            assert_eq!(nearest_field(&ctx, source, expr).as_deref(), want, "{expr}");
        }
    }
}

//! The minijinja environment: one loader closure that looks a template up in the site's
//! `templates/`, then `themes/<theme>/templates/`, then the default theme compiled into
//! the binary. `theme/<name>` skips the site's folder, so a site template can extend the
//! theme's template of the same name.

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use minijinja::{Environment, UndefinedBehavior};

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
                Ok(s) => Ok(Some(s)),
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
            .map(str::to_owned))
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

/// A minijinja error as a diagnostic naming the template file and line.
pub fn template_diagnostic(root: &Path, theme: &ThemeSource, e: &minijinja::Error) -> Diagnostic {
    let name = e.name().unwrap_or("template");
    let file = template_origin(root, theme, name);
    let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
    let mut d = Diagnostic::error(&file, format!("template error: {}{detail}", e.kind()));
    if let Some(line) = e.line() {
        d = d.at_line(e.template_source(), line);
    }
    d
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

//! Watching a site: notify events -> [`ChangeKind`] -> a debounce -> one rebuild for the
//! batch. Editors save in odd ways (write a temp file and rename it over the original,
//! delete then create, touch several files); every path that changed is collected, a path
//! that has gone is a deletion, and editor temp files are ignored.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::diagnostics::Diagnostic;
use crate::incremental::Changes;
use crate::load::is_editor_temp;

/// What kind of input a changed path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A report or page.
    Content,
    /// A site or theme template.
    Template,
    /// A theme's static files.
    Theme,
    /// The site's static files.
    Static,
    /// config.toml or data/.
    Config,
}

/// A debounced batch of changes.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Site-relative paths that changed.
    pub paths: Vec<PathBuf>,
    /// Their kinds.
    pub kinds: BTreeSet<ChangeKind>,
    /// True when a folder moved or an event could not be pinned to files.
    pub rescan: bool,
}

impl Batch {
    /// The [`Changes`] to rebuild with.
    pub fn changes(&self) -> Changes {
        if self.rescan {
            Changes::All
        } else {
            Changes::Paths(self.paths.clone())
        }
    }

    /// The changed files worth naming in the terminal (not folders or editor scratch files).
    pub fn shown_paths(&self) -> Vec<&Path> {
        self.paths
            .iter()
            .filter(|p| p.extension().is_some())
            .map(PathBuf::as_path)
            .collect()
    }

    /// True when only stylesheets changed, so open pages can swap them without reloading.
    pub fn only_css(&self) -> bool {
        !self.paths.is_empty()
            && self.paths.iter().all(|p| p.extension().is_some_and(|e| e == "css"))
            && self
                .kinds
                .iter()
                .all(|k| matches!(k, ChangeKind::Static | ChangeKind::Theme))
    }
}

/// Classifies a site-relative path; `None` for paths that are not inputs.
pub fn classify(rel: &Path) -> Option<ChangeKind> {
    let name = rel.file_name()?.to_string_lossy();
    if is_editor_temp(&name) || name.ends_with(".tmp") || name.ends_with(".bak") || name == "4913" {
        // `4913` is the file vim creates to test whether it may write in a folder.
        return None;
    }
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let first = parts.next()?;
    match first.as_ref() {
        "content" => Some(ChangeKind::Content),
        "templates" => Some(ChangeKind::Template),
        "static" => Some(ChangeKind::Static),
        "data" => Some(ChangeKind::Config),
        "config.toml" => Some(ChangeKind::Config),
        "themes" => {
            parts.next()?;
            match parts.next()?.as_ref() {
                "templates" => Some(ChangeKind::Template),
                _ => Some(ChangeKind::Theme),
            }
        }
        _ => None,
    }
}

/// Watches `root` (ignoring `ignore`, the output folder) and yields batches.
pub struct SiteWatcher {
    _watcher: notify::RecommendedWatcher,
    rx: Receiver<notify::Result<notify::Event>>,
    root: PathBuf,
    ignore: Vec<PathBuf>,
}

/// How long the files must be quiet before a batch is closed.
const DEBOUNCE: Duration = Duration::from_millis(10);

impl SiteWatcher {
    /// Starts watching.
    pub fn new(root: &Path, ignore: Vec<PathBuf>) -> Result<SiteWatcher, Diagnostic> {
        let root = std::fs::canonicalize(root).map_err(|e| Diagnostic::error(root, format!("cannot watch: {e}")))?;
        let (tx, rx) = channel();
        let mut watcher = notify::recommended_watcher(move |ev| {
            // The receiver lives as long as the watcher; a send error means shutdown.
            let _ = tx.send(ev);
        })
        .map_err(|e| Diagnostic::error(&root, format!("cannot watch: {e}")))?;
        watcher
            .watch(&root, RecursiveMode::Recursive)
            .map_err(|e| Diagnostic::error(&root, format!("cannot watch: {e}")))?;
        let ignore = ignore
            .into_iter()
            .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
            .collect();
        Ok(SiteWatcher {
            _watcher: watcher,
            rx,
            root,
            ignore,
        })
    }

    fn absorb(&self, ev: notify::Result<notify::Event>, batch: &mut Batch) {
        let ev = match ev {
            Ok(ev) => ev,
            Err(_) => {
                // The watcher lost track (e.g. an overflowing queue): look at everything.
                batch.rescan = true;
                batch.kinds.insert(ChangeKind::Content);
                return;
            }
        };
        if matches!(ev.kind, notify::EventKind::Access(_)) {
            return;
        }
        if ev.need_rescan() {
            batch.rescan = true;
            batch.kinds.insert(ChangeKind::Content);
        }
        for path in ev.paths {
            if self.ignore.iter().any(|i| path.starts_with(i)) {
                continue;
            }
            let output_sibling = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().contains(".impress-"));
            if output_sibling {
                continue;
            }
            let Ok(rel) = path.strip_prefix(&self.root) else {
                continue;
            };
            let Some(kind) = classify(rel) else { continue };
            batch.kinds.insert(kind);
            if !batch.paths.iter().any(|p| p == rel) {
                batch.paths.push(rel.to_path_buf());
            }
        }
    }

    /// Waits for the next batch of changes (at most `timeout`); `None` on time-out.
    pub fn next_batch(&self, timeout: Duration) -> Option<Batch> {
        let mut batch = Batch {
            paths: Vec::new(),
            kinds: BTreeSet::new(),
            rescan: false,
        };
        let deadline = Instant::now() + timeout;
        // Wait for a first relevant event.
        while batch.kinds.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(ev) => self.absorb(ev, &mut batch),
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
        // Then collect until the files are quiet.
        while let Ok(ev) = self.rx.recv_timeout(DEBOUNCE) {
            self.absorb(ev, &mut batch);
        }
        Some(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_classified_by_folder_and_temp_files_ignored() {
        let cases = [
            ("content/a.md", Some(ChangeKind::Content)),
            ("content/.a.md.swp", None),
            ("content/a.md~", None),
            ("content/#a.md#", None),
            ("content/4913", None),
            ("templates/report.html", Some(ChangeKind::Template)),
            ("themes/default/templates/base.html", Some(ChangeKind::Template)),
            ("themes/default/static/style.css", Some(ChangeKind::Theme)),
            ("static/logo.svg", Some(ChangeKind::Static)),
            ("config.toml", Some(ChangeKind::Config)),
            ("data/tickers.toml", Some(ChangeKind::Config)),
            ("public/index.html", None),
            ("README.md", None),
        ];
        for (path, want) in cases {
            assert_eq!(classify(Path::new(path)), want, "{path}");
        }
    }
}

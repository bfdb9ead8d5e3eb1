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
    /// A new input folder that could not be watched (the system's limit, say).
    pub problems: Vec<Diagnostic>,
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

    /// The changed paths worth naming in the terminal: the files (not their folders or
    /// editor scratch files), or the folders when no file is named (a folder made,
    /// removed or moved). Empty only when the watcher could not say what changed.
    pub fn shown_paths(&self) -> Vec<&Path> {
        let files: Vec<&Path> = self
            .paths
            .iter()
            .filter(|p| p.extension().is_some())
            .map(PathBuf::as_path)
            .collect();
        if files.is_empty() {
            self.paths.iter().map(PathBuf::as_path).collect()
        } else {
            files
        }
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

/// The folders of a site that hold its inputs, watched recursively. Everything else at
/// the root (the output, `.impress-cache/`, a `.git/`) is never watched: a big site's
/// output alone would use up the system's watches, and writing it would wake the watcher.
pub const INPUT_FOLDERS: [&str; 5] = ["content", "templates", "static", "data", "themes"];

/// Watches a site's inputs and yields batches: each input folder recursively, and the
/// root itself without its subfolders, for `config.toml` and input folders that appear.
pub struct SiteWatcher {
    watcher: notify::RecommendedWatcher,
    rx: Receiver<notify::Result<notify::Event>>,
    root: PathBuf,
}

/// How long the files must be quiet before a batch is closed.
const DEBOUNCE: Duration = Duration::from_millis(10);

impl SiteWatcher {
    /// Starts watching.
    pub fn new(root: &Path) -> Result<SiteWatcher, Diagnostic> {
        let root = std::fs::canonicalize(root).map_err(|e| Diagnostic::error(root, format!("cannot watch: {e}")))?;
        let (tx, rx) = channel();
        let mut watcher = notify::recommended_watcher(move |ev| {
            // The receiver lives as long as the watcher; a send error means shutdown.
            let _ = tx.send(ev);
        })
        .map_err(|e| Diagnostic::error(&root, format!("cannot watch: {e}")))?;
        watcher
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(|e| Diagnostic::error(&root, format!("cannot watch: {e}")))?;
        let mut site = SiteWatcher { watcher, rx, root };
        for name in INPUT_FOLDERS {
            let dir = site.root.join(name);
            if dir.is_dir() {
                site.watch_folder(&dir)?;
            }
        }
        Ok(site)
    }

    fn watch_folder(&mut self, dir: &Path) -> Result<(), Diagnostic> {
        self.watcher.watch(dir, RecursiveMode::Recursive).map_err(|e| {
            Diagnostic::error(
                dir.strip_prefix(&self.root).unwrap_or(dir),
                format!("cannot watch: {e}"),
            )
            .with_help("on Linux, raise fs.inotify.max_user_watches (sysctl) if the limit was reached")
        })
    }

    /// An input folder that appeared at the root (made, moved in, or put back by git):
    /// watch it, and re-read everything, since files written into it before the watch
    /// began raised no event.
    fn adopt_new_folder(&mut self, path: &Path, rel: &Path, batch: &mut Batch) {
        let is_input = rel.components().count() == 1 && INPUT_FOLDERS.iter().any(|f| rel == Path::new(f));
        if !is_input || !path.is_dir() {
            return;
        }
        if let Err(d) = self.watch_folder(path) {
            // The rest of the site is still watched: a warning, not the end of the loop.
            batch.problems.push(Diagnostic {
                severity: crate::diagnostics::Severity::Warning,
                ..d
            });
        }
        batch.rescan = true;
    }

    fn absorb(&mut self, ev: notify::Result<notify::Event>, batch: &mut Batch) {
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
            let Ok(rel) = path.strip_prefix(&self.root) else {
                continue;
            };
            let rel = rel.to_path_buf();
            let Some(kind) = classify(&rel) else { continue };
            // Only a folder made or moved in at the root: a save inside `content/` must not
            // count as `content/` appearing.
            let appeared = matches!(
                ev.kind,
                notify::EventKind::Create(_) | notify::EventKind::Modify(notify::event::ModifyKind::Name(_))
            );
            if appeared {
                self.adopt_new_folder(&path, &rel, batch);
            }
            batch.kinds.insert(kind);
            if !batch.paths.contains(&rel) {
                batch.paths.push(rel);
            }
        }
    }

    /// Waits for the next batch of changes (at most `timeout`); `None` on time-out.
    pub fn next_batch(&mut self, timeout: Duration) -> Option<Batch> {
        let mut batch = Batch {
            paths: Vec::new(),
            kinds: BTreeSet::new(),
            rescan: false,
            problems: Vec::new(),
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
            ("themes/default/static/report.css", Some(ChangeKind::Theme)),
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

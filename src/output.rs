//! The output folder: a staging folder beside it receives the new site; only when the
//! build is complete is it swapped in, so a failed or killed build never touches the
//! previous output. Folders impress did not make are refused.

use rayon::prelude::*;
use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::hash::content_hash;
use crate::incremental::RebuildStats;
use crate::layout::Layout;
use crate::pictures::Published;
use crate::render::{Bodies, Renderer};
use crate::routes::Route;
use crate::{Failure, Timer};

/// Where a build's pages go.
pub enum Sink<'a> {
    /// A fresh staging folder, swapped in whole when complete: every file is written,
    /// nothing is deleted.
    Staging(&'a Staging),
    /// The live output folder (serve, watch): files are replaced atomically, and only
    /// when their bytes changed; files of vanished routes are deleted.
    InPlace(&'a Path),
    /// Nowhere: every page is rendered and its links checked (`impress check`).
    Check,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct RouteRecord {
    fingerprint: u64,
    bytes_hash: u64,
}

/// What the output holds: per route, the fingerprint of the inputs its page was made
/// from and the hash of its bytes; per static file, the hash of its bytes.
#[derive(Default)]
pub(crate) struct Written {
    // A lookup table only (never a fingerprint): a fast hash is fine here.
    routes: rustc_hash::FxHashMap<Route, RouteRecord>,
    statics: HashMap<PathBuf, u64>,
    /// The output's manifest was dropped before the first in-place write.
    manifest_forgotten: bool,
}

impl Written {
    /// True when the output holds `route`'s page made from inputs with this fingerprint.
    pub(crate) fn is_current(&self, route: &Route, fingerprint: u64) -> bool {
        self.routes.get(route).is_some_and(|r| r.fingerprint == fingerprint)
    }
}

/// What the sink stage is given: the layout, the routes to render, the bodies' HTML and
/// the static files.
pub(crate) struct Pages<'a> {
    pub layout: &'a Layout,
    pub renderer: &'a Renderer<'a>,
    /// Indexes into `layout.routes` of the pages to render.
    pub todo: Vec<usize>,
    pub bodies: Bodies<'a>,
    pub statics: &'a [(PathBuf, Vec<u8>)],
    /// Files of reports (bundle files, resized copies): written like static files.
    pub published: &'a [Published],
    /// The build's input hash, for the manifest.
    pub input_hash: u64,
}

impl<'a> Pages<'a> {
    /// Renders every page to render, handing each to `each` (see `Renderer::render_all`).
    pub(crate) fn render<T: Send>(
        self,
        each: &(dyn Fn(usize, Vec<u8>) -> Result<T, Diagnostic> + Sync),
        timer: &mut Timer,
    ) -> Vec<Result<T, Box<Diagnostic>>> {
        self.renderer
            .render_all(&self.layout.routes, self.todo, self.bodies, each, timer)
    }

    pub(crate) fn stats(&self) -> RebuildStats {
        RebuildStats {
            routes: self.layout.routes.len(),
            reports: self.layout.site.reports.len(),
            rendered: self.todo.len(),
            ..RebuildStats::default()
        }
    }
}

/// Renders the pages into the sink.
pub(crate) fn write_output(
    sink: &Sink<'_>,
    written: &mut Written,
    pages: Pages<'_>,
    timer: &mut Timer,
) -> Result<RebuildStats, Failure> {
    let stats = match sink {
        Sink::Staging(staging) => write_staging(staging, written, pages, timer)?,
        Sink::InPlace(dir) => write_in_place(dir, written, pages, timer)?,
        Sink::Check => crate::check::check_pages(pages, timer)?,
    };
    timer.lap("render and write pages");
    Ok(stats)
}

fn write_staging(
    staging: &Staging,
    written: &mut Written,
    pages: Pages<'_>,
    timer: &mut Timer,
) -> Result<RebuildStats, Failure> {
    let mut stats = pages.stats();
    let (layout, statics, input_hash) = (pages.layout, pages.statics, pages.input_hash);
    let published = pages.published;
    let routes = &layout.routes;
    let files: Vec<PathBuf> = pages.todo.iter().map(|&i| routes[i].output_file()).collect();
    staging.make_dirs(
        files
            .iter()
            .map(PathBuf::as_path)
            .chain(statics.iter().map(|(p, _)| p.as_path()))
            .chain(published.iter().map(|f| f.rel.as_path())),
    )?;
    for (rel, bytes) in statics {
        staging.write_hashed(rel, bytes, content_hash(bytes))?;
    }
    published.par_iter().try_for_each(|f| staging.copy_hashed(f))?;
    timer.lap("folders, static files");
    let each = |i: usize, bytes: Vec<u8>| -> Result<(usize, u64), Diagnostic> {
        let h = content_hash(&bytes);
        staging.write_hashed(&routes[i].output_file(), &bytes, h)?;
        Ok((i, h))
    };
    let results = pages.render(&each, timer);
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok((i, bytes_hash)) => {
                let record = RouteRecord {
                    fingerprint: layout.fingerprints[i],
                    bytes_hash,
                };
                written.routes.insert(routes[i].clone(), record);
            }
            Err(d) => errors.push(*d),
        }
    }
    if !errors.is_empty() {
        // Nothing of this build may be trusted as written.
        written.routes.clear();
        return Err(Failure::sorted(errors));
    }
    stats.written = stats.rendered;
    stats.static_written = statics.len() + published.len();
    written.statics = statics.iter().map(|(p, b)| (p.clone(), content_hash(b))).collect();
    written
        .statics
        .extend(published.iter().map(|f| (f.rel.clone(), f.hash)));
    let mut files: HashMap<PathBuf, u64> = written.statics.clone();
    files.extend(written.routes.iter().map(|(r, rec)| (r.output_file(), rec.bytes_hash)));
    staging.write_manifest(&Manifest {
        input: input_hash,
        files,
    })?;
    Ok(stats)
}

fn write_in_place(
    dir: &Path,
    written: &mut Written,
    pages: Pages<'_>,
    timer: &mut Timer,
) -> Result<RebuildStats, Failure> {
    let mut stats = pages.stats();
    let (layout, statics, published) = (pages.layout, pages.statics, pages.published);
    let routes = &layout.routes;
    // Render everything first: a template error must leave the live site as it was.
    let each = |i: usize, bytes: Vec<u8>| -> Result<(usize, Vec<u8>), Diagnostic> { Ok((i, bytes)) };
    let results = pages.render(&each, timer);
    let mut made = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(p) => made.push(p),
            Err(d) => errors.push(*d),
        }
    }
    if !errors.is_empty() {
        return Err(Failure::sorted(errors));
    }
    if !written.manifest_forgotten {
        forget_manifest(dir)?;
        written.manifest_forgotten = true;
    }
    for (i, bytes) in made {
        let h = content_hash(&bytes);
        let route = &routes[i];
        if written.routes.get(route).is_none_or(|rec| rec.bytes_hash != h) {
            replace_file(dir, &route.output_file(), &bytes)?;
            stats.written += 1;
        }
        let record = RouteRecord {
            fingerprint: layout.fingerprints[i],
            bytes_hash: h,
        };
        written.routes.insert(route.clone(), record);
    }
    // Every route now has a record; any extra record is a page that vanished.
    if written.routes.len() != routes.len() {
        let live: std::collections::HashSet<&Route> = routes.iter().collect();
        let gone: Vec<Route> = written.routes.keys().filter(|r| !live.contains(r)).cloned().collect();
        for r in gone {
            written.routes.remove(&r);
            remove_file(dir, &r.output_file())?;
            stats.deleted += 1;
        }
    }
    let mut new_statics = HashMap::new();
    for (rel, bytes) in statics {
        let h = content_hash(bytes);
        if written.statics.get(rel) != Some(&h) {
            replace_file(dir, rel, bytes)?;
            stats.static_written += 1;
        }
        new_statics.insert(rel.clone(), h);
    }
    for f in published {
        if written.statics.get(&f.rel) != Some(&f.hash) {
            let bytes = fs::read(&f.from).map_err(|e| io_error(&f.rel, "read a file to publish", e))?;
            replace_file(dir, &f.rel, &bytes)?;
            stats.static_written += 1;
        }
        new_statics.insert(f.rel.clone(), f.hash);
    }
    let route_files: std::collections::HashSet<PathBuf> = routes.iter().map(Route::output_file).collect();
    for old in written.statics.keys() {
        if !new_statics.contains_key(old) && !route_files.contains(old) {
            remove_file(dir, old)?;
            stats.deleted += 1;
        }
    }
    written.statics = new_statics;
    Ok(stats)
}

/// The stats of a one-off build that has nothing to do: the output's manifest records a
/// build of exactly these inputs, and every file it lists is there.
pub(crate) fn unchanged(sink: &Sink<'_>, input_hash: u64, reports: usize) -> Option<RebuildStats> {
    let Sink::Staging(staging) = sink else { return None };
    let same = staging
        .previous
        .as_ref()
        .is_some_and(|m| m.input == input_hash && m.files.par_iter().all(|(p, _)| staging.output.join(p).is_file()));
    same.then(|| RebuildStats {
        unchanged: true,
        reports,
        ..RebuildStats::default()
    })
}

/// Marks a folder as impress output.
pub const MARKER: &str = ".impress-output";

/// A build's staging folder and where it goes when done.
#[derive(Debug)]
pub struct Staging {
    /// Where pages are written now.
    pub dir: PathBuf,
    /// The output folder it replaces.
    pub output: PathBuf,
    /// What the previous build wrote, from its marker file.
    pub previous: Option<Manifest>,
}

/// What a build wrote: a hash of all its inputs and of every file's bytes. It lives in
/// the output's marker file, so the next build can skip the work when nothing changed
/// and keep the files (and their modification times) whose bytes are the same.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Hash of every input of the build.
    pub input: u64,
    /// Output path -> hash of its bytes.
    pub files: std::collections::HashMap<PathBuf, u64>,
}

impl Manifest {
    /// Reads a marker file; `None` if it is missing or from an older impress.
    pub fn read(dir: &Path) -> Option<Manifest> {
        let text = fs::read_to_string(dir.join(MARKER)).ok()?;
        let mut lines = text.lines().skip_while(|l| !l.starts_with("input "));
        let input = u64::from_str_radix(lines.next()?.strip_prefix("input ")?, 16).ok()?;
        let mut files = std::collections::HashMap::new();
        for line in lines {
            let (hash, path) = line.split_once(' ')?;
            files.insert(PathBuf::from(path), u64::from_str_radix(hash, 16).ok()?);
        }
        Some(Manifest { input, files })
    }

    /// The marker file's text.
    pub fn render(&self) -> String {
        let mut files: Vec<_> = self.files.iter().collect();
        files.sort();
        let mut out = String::from("This folder is built by impress; it is replaced whole on each build.\n");
        out.push_str(&format!("input {:016x}\n", self.input));
        for (path, hash) in files {
            out.push_str(&format!("{hash:016x} {}\n", path.to_string_lossy()));
        }
        out
    }
}

fn io_error(path: &Path, what: &str, e: io::Error) -> Diagnostic {
    Diagnostic::error(path, format!("cannot {what}: {e}"))
}

fn sibling(output: &Path, tag: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!(".{name}.impress-{tag}"))
}

/// Checks that `output` may be replaced, cleans leftovers of killed builds and makes a
/// fresh staging folder.
pub fn prepare_output(root: &Path, output: &Path) -> Result<Staging, Diagnostic> {
    let root_abs = fs::canonicalize(root).map_err(|e| io_error(root, "read the site folder", e))?;
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| io_error(parent, "create the output's parent folder", e))?;
    let parent_abs = fs::canonicalize(parent).map_err(|e| io_error(parent, "read the output's parent folder", e))?;
    let name = output
        .file_name()
        .ok_or_else(|| Diagnostic::error(output, "the output folder needs a name"))?;
    let out_abs = parent_abs.join(name);
    if root_abs.starts_with(&out_abs) {
        return Err(Diagnostic::error(
            output,
            "refusing to build into the site's own folder or a folder that contains it",
        ));
    }
    for protected in ["content", "templates", "themes", "static", "data"] {
        if out_abs.starts_with(root_abs.join(protected)) {
            return Err(Diagnostic::error(
                output,
                format!("refusing to build into `{protected}/`, which holds the site's sources"),
            ));
        }
    }
    if out_abs.is_dir() && !out_abs.join(MARKER).exists() {
        let foreign = fs::read_dir(&out_abs)
            .map_err(|e| io_error(output, "read the output folder", e))?
            .filter_map(|e| e.ok())
            .any(|e| e.file_name() != ".gitkeep");
        if foreign {
            return Err(Diagnostic::error(
                output,
                "refusing to replace a folder that impress did not make (it holds files and no `.impress-output` marker)",
            )
            .with_help("choose an empty or new folder with --output, or empty this one first"));
        }
    } else if out_abs.exists() && !out_abs.is_dir() {
        return Err(Diagnostic::error(output, "the output path exists and is not a folder"));
    }
    // Leftovers of builds that were killed before they could clean up.
    let prefix = format!(".{}.impress-", name.to_string_lossy());
    if let Ok(entries) = fs::read_dir(&parent_abs) {
        for e in entries.filter_map(|e| e.ok()) {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                // A leftover that cannot be removed is harmless: the new staging name differs.
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    let dir = sibling(&out_abs, &format!("tmp-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| io_error(&dir, "create the staging folder", e))?;
    fs::write(
        dir.join(MARKER),
        "This folder is built by impress; it is replaced whole on each build.\n",
    )
    .map_err(|e| io_error(&dir, "write into the staging folder", e))?;
    let previous = Manifest::read(&out_abs);
    Ok(Staging {
        dir,
        output: out_abs,
        previous,
    })
}

impl Staging {
    /// Makes every folder the given files need, once, parents first: cheaper than asking
    /// for each file's folder as it is written.
    pub fn make_dirs<'a>(&self, files: impl Iterator<Item = &'a Path>) -> Result<(), Diagnostic> {
        // Every folder and its ancestors.
        let mut dirs: Vec<&Path> = files
            .filter_map(Path::parent)
            .flat_map(Path::ancestors)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        dirs.sort();
        dirs.dedup();
        // Level by level, each level in parallel: every parent exists before its children.
        let depth = |p: &Path| p.components().count();
        let mut levels: Vec<Vec<&Path>> = Vec::new();
        for dir in dirs {
            let d = depth(dir);
            if levels.len() < d {
                levels.resize_with(d, Vec::new);
            }
            levels[d - 1].push(dir);
        }
        for level in levels {
            level
                .par_iter()
                .try_for_each(|dir| match fs::create_dir(self.dir.join(dir)) {
                    Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
                        Err(io_error(dir, "create a folder in the output", e))
                    }
                    _ => Ok(()),
                })?;
        }
        Ok(())
    }

    /// Writes one file (relative path) into the staging folder.
    pub fn write(&self, rel: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
        let path = self.dir.join(rel);
        match fs::write(&path, bytes) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(|e| io_error(rel, "create a folder in the output", e))?;
                }
                fs::write(&path, bytes).map_err(|e| io_error(rel, "write to the output", e))
            }
            other => other.map_err(|e| io_error(rel, "write to the output", e)),
        }
    }

    /// Writes one file whose bytes hash to `hash`. When the previous build wrote the same
    /// bytes there, the old file is linked in instead: no write, and its modification time
    /// stays, so sync tools see it unchanged.
    pub fn write_hashed(&self, rel: &Path, bytes: &[u8], hash: u64) -> Result<(), Diagnostic> {
        if self.previous.as_ref().and_then(|m| m.files.get(rel)) == Some(&hash) {
            let path = self.dir.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| io_error(rel, "create a folder in the output", e))?;
            }
            if fs::hard_link(self.output.join(rel), &path).is_ok() {
                return Ok(());
            }
        }
        self.write(rel, bytes)
    }

    /// Publishes a report's file: linked from the previous output when it holds the same
    /// bytes, else linked (or copied) from where it is.
    pub(crate) fn copy_hashed(&self, f: &Published) -> Result<(), Diagnostic> {
        let to = self.dir.join(&f.rel);
        if self.previous.as_ref().and_then(|m| m.files.get(&f.rel)) == Some(&f.hash)
            && fs::hard_link(self.output.join(&f.rel), &to).is_ok()
        {
            return Ok(());
        }
        // A cached copy is never rewritten in place (the cache renames new files in), so
        // a link to it stays right; a writer's bundle file is copied, as it may be edited.
        if is_cached(&f.from) && fs::hard_link(&f.from, &to).is_ok() {
            return Ok(());
        }
        fs::copy(&f.from, &to)
            .map(|_| ())
            .map_err(|e| io_error(&f.rel, "copy into the output", e))
    }

    /// Records what this build wrote in the staging folder's marker file.
    pub fn write_manifest(&self, manifest: &Manifest) -> Result<(), Diagnostic> {
        fs::write(self.dir.join(MARKER), manifest.render()).map_err(|e| io_error(&self.dir, "write the marker file", e))
    }

    /// Swaps the staging folder in for the output. The old output is removed only after
    /// the new one is in place. A `.gitkeep` placeholder in the old output is kept.
    pub fn commit(self) -> Result<PathBuf, Diagnostic> {
        let old = sibling(&self.output, &format!("old-{}", std::process::id()));
        if self.output.join(".gitkeep").is_file() {
            fs::copy(self.output.join(".gitkeep"), self.dir.join(".gitkeep"))
                .map_err(|e| io_error(&self.output, "keep .gitkeep", e))?;
        }
        let had_old = self.output.exists();
        if had_old {
            fs::rename(&self.output, &old).map_err(|e| io_error(&self.output, "move the old output aside", e))?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.output) {
            if had_old {
                // Put the previous site back; if that fails too, the error below says so.
                let _ = fs::rename(&old, &self.output);
            }
            return Err(io_error(&self.output, "move the new site into place", e));
        }
        if had_old {
            fs::remove_dir_all(&old).map_err(|e| io_error(&old, "remove the previous output", e))?;
        }
        Ok(self.output)
    }

    /// Removes the staging folder after a failed build.
    pub fn abandon(self) {
        // Best effort: the next build removes leftovers anyway.
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// True for a file of a site's `.impress-cache/`.
fn is_cached(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == crate::cache::CACHE_DIR)
}

/// Reads a static folder as output path -> bytes. Symlinks that lead outside the folder
/// are refused; editor temp files are skipped.
pub fn read_static(root: &Path, from: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, Diagnostic> {
    if !from.is_dir() {
        return Ok(Vec::new());
    }
    let from_abs = fs::canonicalize(from).map_err(|e| io_error(from, "read the static folder", e))?;
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(from).follow_links(true) {
        let entry = entry.map_err(|e| {
            let p = e.path().unwrap_or(from);
            Diagnostic::error(p.strip_prefix(root).unwrap_or(p), format!("cannot read: {e}"))
        })?;
        let rel = entry
            .path()
            .strip_prefix(from)
            .expect("walkdir yields paths under its root");
        let shown = entry.path().strip_prefix(root).unwrap_or(entry.path());
        if entry.path_is_symlink() {
            let target = fs::canonicalize(entry.path()).map_err(|e| io_error(shown, "follow the link", e))?;
            if !target.starts_with(&from_abs) {
                return Err(Diagnostic::error(
                    shown,
                    "refusing to copy a symbolic link that points outside its static folder",
                ));
            }
        }
        if entry.file_type().is_file() && !crate::load::is_editor_temp(&entry.file_name().to_string_lossy()) {
            let bytes = fs::read(entry.path()).map_err(|e| io_error(shown, "read", e))?;
            files.push((rel.to_path_buf(), bytes));
        }
    }
    Ok(files)
}

/// The built-in theme's static files, as output path -> bytes.
pub fn embedded_files(dir: &include_dir::Dir<'_>, files: &mut std::collections::HashMap<PathBuf, Vec<u8>>) {
    for entry in dir.entries() {
        match entry {
            include_dir::DirEntry::Dir(d) => embedded_files(d, files),
            include_dir::DirEntry::File(f) => {
                let rel = f.path().strip_prefix("static").unwrap_or(f.path());
                files.insert(rel.to_path_buf(), f.contents().to_vec());
            }
        }
    }
}

/// Drops the manifest from a live output folder's marker, keeping the marker itself.
/// serve and watch change files in place without rewriting the manifest on every save;
/// a manifest that no longer matches the files would let the next `build` keep a stale
/// file as "unchanged", so it goes before the first in-place write.
pub fn forget_manifest(dir: &Path) -> Result<(), Diagnostic> {
    let marker = dir.join(MARKER);
    if Manifest::read(dir).is_none() {
        return Ok(());
    }
    fs::write(
        &marker,
        "This folder is built by impress; it is replaced whole on each build.\n",
    )
    .map_err(|e| io_error(&marker, "write the marker file", e))
}

/// Replaces one file of the live output atomically (a temp file renamed over it), so a
/// reader never sees half a page.
pub fn replace_file(dir: &Path, rel: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let path = dir.join(rel);
    let parent = path.parent().unwrap_or(dir);
    fs::create_dir_all(parent).map_err(|e| io_error(rel, "create a folder in the output", e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".{name}.impress-new"));
    fs::write(&tmp, bytes).map_err(|e| io_error(rel, "write to the output", e))?;
    fs::rename(&tmp, &path).map_err(|e| io_error(rel, "replace a file in the output", e))
}

/// Deletes one file of the live output and the folders it leaves empty.
pub fn remove_file(dir: &Path, rel: &Path) -> Result<(), Diagnostic> {
    let path = dir.join(rel);
    match fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(rel, "delete from the output", e)),
    }
    let mut parent = path.parent();
    while let Some(p) = parent {
        if p == dir || fs::remove_dir(p).is_err() {
            break;
        }
        parent = p.parent();
    }
    Ok(())
}

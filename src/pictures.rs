//! Pictures of reports (FORMAT.md, "Pictures"): a report's bundle, its local links and
//! images resolved to URLs under the site's path, its lead image, and the files it
//! publishes.
//!
//! In: a published report's [`ReportMeta`], the static files, the site's URLs. Out: a
//! [`Bundle`] (the files beside a report's `index.md`), [`LocalTarget`]s for the body's
//! links and images (size and `srcset` of raster images, from images.rs, cached in
//! `.impress-cache/`), the [`LeadPicture`], and [`Published`] files: every bundle file at
//! `/reports/<slug>/<file>` and every resized copy beside its original. Bundle files are
//! owned by their report like static files are by the site: written when new or
//! changed, deleted when gone.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::cache::Cache;
use crate::diagnostics::Diagnostic;
use crate::hash::{content_hash, hash_of};
use crate::images::{prepare_image, ImageKind, Prepared};
use crate::markdown::{ImageAttrs, LocalTarget};
use crate::report::{LeadImage, ReportMeta};
use crate::routes::{Route, Urls};

/// A file a report publishes besides its pages: a bundle file or a resized copy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Published {
    /// Its path in the output.
    pub rel: PathBuf,
    /// Where its bytes are on disk.
    pub from: PathBuf,
    /// A hash of its bytes (of its cache name for a copy: the name is a hash of them).
    pub hash: u64,
}

/// `report.image`: the lead image, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub(crate) struct LeadPicture {
    /// Its URL (under the site's path).
    pub url: String,
    /// Its absolute URL (`og:image`).
    pub permalink: String,
    /// Width and height, when known (not for an SVG without a size).
    pub width: Option<u32>,
    /// Height.
    pub height: Option<u32>,
    /// `srcset` (empty without resized copies).
    pub srcset: String,
    /// What it shows.
    pub alt: String,
    /// Who made it.
    pub credit: Option<String>,
}

/// What a report's pictures add to it.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReportPictures {
    /// The lead image.
    pub lead: Option<LeadPicture>,
    /// The files it publishes.
    pub files: Vec<Published>,
    /// It shows an image of static/: a change there may change its pages.
    pub uses_static: bool,
}

/// A report's bundle: the files in the folder of its `index.md` (none for a report that
/// is one file), by path relative to that folder.
pub(crate) struct Bundle {
    slug: String,
    dir: Option<PathBuf>,
    files: BTreeMap<String, (PathBuf, u64)>,
}

/// What resolving found along the way: files to publish, and whether static/ was used.
#[derive(Default)]
pub(crate) struct Found {
    files: Mutex<(Vec<Published>, bool)>,
}

impl Found {
    fn publish(&self, more: impl IntoIterator<Item = Published>, from_static: bool) {
        // A poisoned lock only means another body's thread panicked; its list is still whole.
        let mut found = self.files.lock().unwrap_or_else(|e| e.into_inner());
        found.0.extend(more);
        found.1 |= from_static;
    }

    /// Everything found, with the bundle's own files.
    pub(crate) fn into_pictures(self, bundle: &Bundle, lead: Option<LeadPicture>) -> ReportPictures {
        let (mut files, uses_static) = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        for (name, (from, hash)) in &bundle.files {
            files.push(Published {
                rel: bundle.out_dir().join(name),
                from: from.clone(),
                hash: *hash,
            });
        }
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        files.dedup_by(|a, b| a.rel == b.rel);
        ReportPictures {
            lead,
            files,
            uses_static,
        }
    }
}

/// Resolves the pictures of every report of one rebuild.
pub(crate) struct Pictures<'a> {
    root: &'a Path,
    cache: Cache,
    statics: HashMap<String, &'a [u8]>,
    urls: &'a Urls,
    /// Each image prepared once per rebuild, however many reports show it.
    prepared: Mutex<HashMap<PathBuf, Result<Arc<Prepared>, String>>>,
}

impl<'a> Pictures<'a> {
    /// For the site at `root` with these static files (output path -> bytes).
    pub(crate) fn new(root: &'a Path, statics: &'a [(PathBuf, Vec<u8>)], urls: &'a Urls) -> Pictures<'a> {
        Pictures {
            root,
            cache: Cache::new(root),
            statics: statics
                .iter()
                .map(|(p, b)| (p.to_string_lossy().replace('\\', "/"), b.as_slice()))
                .collect(),
            urls,
            prepared: Mutex::default(),
        }
    }

    /// The bundle of a report: every file beside its `index.md` but reports and editor
    /// files, and no folder holding a bundle of its own.
    pub(crate) fn bundle(&self, meta: &ReportMeta) -> Result<Bundle, Diagnostic> {
        let mut bundle = Bundle {
            slug: meta.slug.clone(),
            dir: meta.bundle_dir().map(Path::to_path_buf),
            files: BTreeMap::new(),
        };
        let Some(dir) = bundle.dir.clone() else {
            return Ok(bundle);
        };
        let full = self.root.join(&dir);
        let walk = walkdir::WalkDir::new(&full).follow_links(false).sort_by_file_name();
        let mut walk = walk.into_iter();
        while let Some(entry) = walk.next() {
            let entry = entry.map_err(|e| Diagnostic::error(&dir, format!("cannot read the bundle: {e}")))?;
            let rel = entry.path().strip_prefix(&full).unwrap_or(entry.path());
            let name = entry.file_name().to_string_lossy();
            if entry.file_type().is_dir() {
                if entry.depth() > 0 && entry.path().join("index.md").is_file() {
                    walk.skip_current_dir();
                }
                continue;
            }
            if !entry.file_type().is_file() || crate::load::is_source_name(&name) || crate::load::is_editor_temp(&name)
            {
                continue;
            }
            let key = rel.to_string_lossy().replace('\\', "/");
            let site_path = dir.join(rel);
            if key == "index.html" || key == "card.png" || key.starts_with("full/") {
                return Err(Diagnostic::error(
                    &site_path,
                    format!("`{key}` in a bundle would take the place of a page of the report"),
                )
                .with_help("rename the file"));
            }
            let bytes =
                std::fs::read(entry.path()).map_err(|e| Diagnostic::error(&site_path, format!("cannot read: {e}")))?;
            bundle
                .files
                .insert(key, (entry.path().to_path_buf(), content_hash(&bytes)));
        }
        Ok(bundle)
    }

    /// A report's bundle when its folder cannot be read (the error says why): empty.
    pub(crate) fn no_bundle(&self, meta: &ReportMeta) -> Bundle {
        Bundle {
            slug: meta.slug.clone(),
            dir: None,
            files: BTreeMap::new(),
        }
    }

    /// Where a link or image of a report's body or front matter leads (see
    /// `BodySettings::local`): a bundle file, or a static image with its size and copies.
    pub(crate) fn resolve(
        &self,
        bundle: &Bundle,
        written: &str,
        image: bool,
        found: &Found,
    ) -> Result<Option<LocalTarget>, String> {
        let cut = written.find(['#', '?']).unwrap_or(written.len());
        let (path, suffix) = written.split_at(cut);
        if path.is_empty() || written.starts_with("@/") || written.starts_with("//") || has_scheme(written) {
            return Ok(None);
        }
        if let Some(rest) = path.strip_prefix('/') {
            // Root-relative: a link is checked against every file of the site later
            // (body::site_link_errors); an image of static/ gets its size and copies here.
            let Some(bytes) = self.statics.get(rest).filter(|_| image) else {
                return Ok(None);
            };
            let url = self.urls.static_url(rest);
            let attrs = self.picture(&Path::new("static").join(rest), bytes, rest, &url, found, true)?;
            return Ok(Some(LocalTarget { url, image: attrs }));
        }
        let Some(dir) = &bundle.dir else {
            return Ok(None);
        };
        let Some(name) = normal_path(path) else {
            return Err(format!(
                "`{written}` leads out of the report's bundle (`{}/`)",
                dir.display()
            ));
        };
        let Some((from, _)) = bundle.files.get(&name) else {
            return Err(format!(
                "`{written}` is not a file of the report's bundle (`{}/`)",
                dir.display()
            ));
        };
        let rel = bundle.out_dir().join(&name);
        let rel = rel.to_string_lossy().replace('\\', "/");
        let url = format!("{}{rel}{suffix}", self.urls.base_path);
        let attrs = if image {
            let bytes = std::fs::read(from).map_err(|e| format!("cannot read `{written}`: {e}"))?;
            self.picture(&dir.join(&name), &bytes, &rel, &url, found, false)?
        } else {
            None
        };
        Ok(Some(LocalTarget { url, image: attrs }))
    }

    /// The lead image, resolved like a body's image: `src` is bundle-relative or
    /// root-relative to static/.
    pub(crate) fn lead(&self, bundle: &Bundle, image: &LeadImage, found: &Found) -> Result<LeadPicture, String> {
        let target = match self.resolve(bundle, &image.src, true, found)? {
            Some(t) => t,
            None if image.src.starts_with('/') && !image.src.starts_with("//") => {
                return Err(format!("the lead image `{}` is not a file of static/", image.src));
            }
            None if bundle.dir.is_none() && !has_scheme(&image.src) => {
                return Err(format!(
                    "the lead image `{}` is relative, and the report has no bundle: make the report `<name>/index.md` with the image beside it, or write a path of static/ (`/images/map.png`)",
                    image.src
                ));
            }
            None => LocalTarget {
                url: image.src.clone(),
                image: None,
            },
        };
        let permalink = match target.url.strip_prefix(&self.urls.base_path) {
            Some(rest) if target.url.starts_with('/') => format!("{}{rest}", self.urls.base_url),
            _ => target.url.clone(),
        };
        Ok(LeadPicture {
            permalink,
            url: target.url,
            width: target.image.as_ref().map(|a| a.width),
            height: target.image.as_ref().map(|a| a.height),
            srcset: target.image.map(|a| a.srcset).unwrap_or_default(),
            alt: image.alt.clone(),
            credit: image.credit.clone(),
        })
    }

    /// An image's size and `srcset`, its copies published beside `rel` (its output path).
    fn picture(
        &self,
        site_path: &Path,
        bytes: &[u8],
        rel: &str,
        url: &str,
        found: &Found,
        from_static: bool,
    ) -> Result<Option<ImageAttrs>, String> {
        let prepared = self.prepare(site_path, bytes)?;
        let Some((width, height)) = prepared.info.size else {
            found.publish([], from_static);
            return Ok(None);
        };
        let out_dir = Path::new(rel).parent().unwrap_or(Path::new(""));
        let url_dir = &url[..url.rfind('/').map_or(0, |i| i + 1)];
        let mut srcset: Vec<String> = prepared
            .resized
            .iter()
            .map(|r| format!("{url_dir}{} {}w", r.file_name, r.width))
            .collect();
        if !srcset.is_empty() && matches!(prepared.info.kind, ImageKind::Png | ImageKind::Jpeg | ImageKind::Webp) {
            srcset.push(format!("{url} {width}w"));
        }
        found.publish(
            prepared.resized.iter().map(|r| Published {
                rel: out_dir.join(&r.file_name),
                from: r.path.clone(),
                hash: hash_of(&r.path),
            }),
            from_static,
        );
        Ok(Some(ImageAttrs {
            width,
            height,
            srcset: srcset.join(", "),
        }))
    }

    fn prepare(&self, site_path: &Path, bytes: &[u8]) -> Result<Arc<Prepared>, String> {
        let done = |m: &Self| {
            m.prepared
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(site_path)
                .cloned()
        };
        if let Some(r) = done(self) {
            return r;
        }
        // Two reports showing one new image at once may both resize it: the cache's
        // atomic writes make that harmless, and it is rare.
        let result = prepare_image(&self.cache, site_path, bytes)
            .map(Arc::new)
            .map_err(|d| format!("image `{}`: {}", site_path.display(), d.message));
        self.prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(site_path.to_path_buf(), result.clone());
        result
    }
}

/// Every file the site's reports publish besides their pages, once each, by output path.
pub(crate) fn published_files(site: &crate::site::Site) -> Vec<Published> {
    let mut files: Vec<Published> = site
        .reports
        .iter()
        .flat_map(|r| r.pictures.files.iter().cloned())
        .collect();
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    files.dedup_by(|a, b| a.rel == b.rel);
    files
}

impl Bundle {
    /// The bundle's folder in the output: the quick read's.
    fn out_dir(&self) -> PathBuf {
        PathBuf::from(
            Route::Report {
                slug: self.slug.clone(),
            }
            .path(),
        )
    }
}

/// `mailto:`, `https:`, `data:`...: a URL with a scheme is not a file of the site.
fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && url[..i].find('/').is_none()
        }
        None => false,
    }
}

/// `./maps/a.png` -> `maps/a.png`; `None` for a path that leaves its folder (`../x`).
fn normal_path(path: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in Path::new(path).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_their_bundle() {
        for (path, want) in [
            ("map.png", Some("map.png")),
            ("./maps/a.png", Some("maps/a.png")),
            ("../other/x.png", None),
            ("maps/../../x", None),
            ("/etc/passwd", None),
        ] {
            assert_eq!(normal_path(path).as_deref(), want, "{path}");
        }
    }

    #[test]
    fn schemes_are_told_from_paths() {
        for (url, scheme) in [
            ("https://x.test/a.png", true),
            ("mailto:a@b.test", true),
            ("data:image/png;base64,xx", true),
            ("map.png", false),
            ("maps/a:b.png", false),
            ("/static/x.png", false),
        ] {
            assert_eq!(has_scheme(url), scheme, "{url}");
        }
    }
}

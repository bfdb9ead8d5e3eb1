//! The lead image (FORMAT.md, "Pictures") as written, checked, and which reports are
//! bundles: `src` is resolved later, against the bundle or static/, by pictures.rs.

use std::path::Path;

use super::{Checker, ReportMeta};
use toml::Spanned;

use crate::rawfront::RawImage;

/// The lead image (`image = { src, alt, credit }`), as written: pictures.rs resolves
/// `src` against the report's bundle or static/.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadImage {
    /// Bundle-relative (`map.png`) or root-relative to static/ (`/images/map.png`).
    pub src: String,
    /// What it shows (required with `src`).
    pub alt: String,
    /// Who made it.
    pub credit: Option<String>,
    /// The line of `src` in the file.
    pub line: usize,
}

/// True for `content/<any>/<name>/index.md`: a report whose folder is its bundle.
pub(crate) fn is_bundle_index(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "index.md") && path.parent().is_some_and(|p| p != Path::new("content"))
}

/// `image = { src, alt, credit }`: `alt` is required with `src`.
pub(super) fn lead_image(c: &mut Checker<'_>, raw: Option<&Spanned<RawImage>>) -> Option<LeadImage> {
    raw.and_then(|img| {
        let at = img.span().start;
        let img = img.get_ref();
        let src = img.src.get_ref().trim();
        let alt = img.alt.as_deref().map(str::trim).unwrap_or_default();
        if src.is_empty() {
            c.error_at(img.src.span().start, "the lead image's `src` must not be empty".into());
            return None;
        }
        if alt.is_empty() {
            c.error_with_help(
                at,
                "the lead image needs `alt`: what it shows, for readers who cannot see it".into(),
                "image = { src = \"map.png\", alt = \"Map of the mineral belt\" }",
            );
            return None;
        }
        let line = crate::diagnostics::Position::at(&c.source.text, c.front_offset + img.src.span().start).line;
        Some(LeadImage {
            src: src.to_owned(),
            alt: alt.to_owned(),
            credit: img
                .credit
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            line,
        })
    })
}

impl ReportMeta {
    /// The report's bundle (its folder, site-relative) when it is `<name>/index.md`.
    pub fn bundle_dir(&self) -> Option<&Path> {
        is_bundle_index(&self.path).then(|| self.path.parent()).flatten()
    }
}

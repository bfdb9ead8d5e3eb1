//! Images of reports: their size without decoding, and resized copies for `srcset`.
//!
//! In: an image's bytes and its site path. Out: [`ImageInfo`] (kind, width, height, read
//! from the header by `imagesize`, so it costs nothing), and [`Prepared`]: copies about
//! 480, 960 and 1440 px wide, never as wide as the original, written beside it by the
//! driver (FORMAT.md, "Pictures"). Copies live in `.impress-cache/images/`, named by a
//! hash of the original's bytes, with a small manifest per original, so an unchanged
//! image is never decoded again. SVG and GIF are published as they are.
//!
//! Formats: a copy is written as lossless WebP when that is smaller than the original's
//! format (PNG copies of diagrams and screenshots almost always are), and as a JPEG
//! (quality 82) when the picture is a photo: the `image` crate's WebP encoder is lossless
//! only, and lossless WebP of a photo is ten times a JPEG's size ([`encode_smallest`]).
//! Images above [`MAX_PIXELS`] are refused before decoding, which bounds the memory one
//! resize takes.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageDecoder, ImageReader};
use serde::{Deserialize, Serialize};

use crate::cache::{Cache, Key};
use crate::diagnostics::Diagnostic;

/// The widths of the resized copies (FORMAT.md: about 480, 960 and 1440 px).
pub(crate) const WIDTHS: [u32; 3] = [480, 960, 1440];
/// The largest image impress resizes: 40 megapixels (an 8K frame is 33), 160 MB decoded
/// with alpha. Anything larger is an error rather than a risk to the build's memory.
pub(crate) const MAX_PIXELS: u64 = 40_000_000;
/// JPEG quality of resized photos.
const JPEG_QUALITY: u8 = 82;
/// Changes whenever the resizing code changes its output, so old copies are remade.
const RESIZE_VERSION: &[u8] = b"resize 1";
/// The cache folder's kind for resized images.
const KIND: &str = "images";

/// What an image file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ImageKind {
    /// Resized.
    Png,
    /// Resized.
    Jpeg,
    /// Resized.
    Webp,
    /// Copied as it is (resizing would drop its animation).
    Gif,
    /// Copied as it is (it scales by itself).
    Svg,
    /// Another raster format the browser may know (AVIF, BMP, ...): copied as it is.
    Other,
}

/// An image's kind and its size in pixels, as displayed (EXIF rotation applied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ImageInfo {
    /// What it is.
    pub kind: ImageKind,
    /// Width and height; `None` for an SVG without a usable width, height or viewBox.
    pub size: Option<(u32, u32)>,
}

/// One resized copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resized {
    /// Its file name beside the original: `map-480w.webp` for `map.png`.
    pub file_name: String,
    /// Width in pixels (the `w` of `srcset`).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The cached file to publish under `file_name`.
    pub path: PathBuf,
}

/// An image ready for the page: its size and its resized copies, narrowest first (empty
/// for SVG, GIF, and images narrower than the narrowest copy). The original is the
/// widest entry of `srcset` and is published as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prepared {
    /// Kind and size of the original.
    pub info: ImageInfo,
    /// The copies.
    pub resized: Vec<Resized>,
}

/// Reads an image's kind and size from its first bytes, without decoding it. An SVG is
/// known by its extension.
pub(crate) fn image_info(site_path: &Path, bytes: &[u8]) -> Result<ImageInfo, Diagnostic> {
    let is_svg = site_path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if is_svg {
        return svg_info(site_path, bytes);
    }
    let not_an_image = |detail: String| {
        Diagnostic::error(site_path, format!("not an image that can be read: {detail}"))
            .with_help("save it as PNG, JPEG, WebP, GIF or SVG")
    };
    let kind = match imagesize::image_type(bytes).map_err(|e| not_an_image(e.to_string()))? {
        imagesize::ImageType::Png => ImageKind::Png,
        imagesize::ImageType::Jpeg => ImageKind::Jpeg,
        imagesize::ImageType::Webp => ImageKind::Webp,
        imagesize::ImageType::Gif => ImageKind::Gif,
        _ => ImageKind::Other,
    };
    let size = imagesize::blob_size(bytes).map_err(|e| not_an_image(e.to_string()))?;
    let (mut width, mut height) = (to_u32(size.width), to_u32(size.height));
    if width == 0 || height == 0 {
        return Err(not_an_image("it has no pixels".into()));
    }
    if kind == ImageKind::Jpeg && jpeg_turned(bytes) {
        (width, height) = (height, width);
    }
    Ok(ImageInfo {
        kind,
        size: Some((width, height)),
    })
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Whether a JPEG's EXIF orientation turns it a quarter (browsers show it turned, so its
/// width and height swap). Reads the headers only.
fn jpeg_turned(bytes: &[u8]) -> bool {
    use image::metadata::Orientation as O;
    let orientation = image::codecs::jpeg::JpegDecoder::new(Cursor::new(bytes)).and_then(|mut d| d.orientation());
    matches!(
        orientation,
        Ok(O::Rotate90 | O::Rotate270 | O::Rotate90FlipH | O::Rotate270FlipH)
    )
}

/// An SVG's size from its root's `width` and `height` (in px or without a unit), else
/// its `viewBox`.
fn svg_info(site_path: &Path, bytes: &[u8]) -> Result<ImageInfo, Diagnostic> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Diagnostic::error(site_path, "not an SVG image: it is not UTF-8 text"))?;
    let doc = resvg::usvg::roxmltree::Document::parse(text)
        .map_err(|e| Diagnostic::error(site_path, format!("not an SVG image: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return Err(Diagnostic::error(
            site_path,
            "not an SVG image: its root element is not `<svg>`",
        ));
    }
    let length = |name: &str| {
        let v = root.attribute(name)?.trim();
        let v = v.strip_suffix("px").unwrap_or(v);
        v.parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 1.0)
    };
    let view_box = root.attribute("viewBox").and_then(|vb| {
        let n: Vec<f64> = vb
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        (n.len() == 4 && n[2].is_finite() && n[3].is_finite() && n[2] >= 1.0 && n[3] >= 1.0).then(|| (n[2], n[3]))
    });
    let size = match (length("width"), length("height"), view_box) {
        (Some(w), Some(h), _) => Some((w, h)),
        (Some(w), None, Some((vw, vh))) => Some((w, w * vh / vw)),
        (None, Some(h), Some((vw, vh))) => Some((h * vw / vh, h)),
        (None, None, vb) => vb,
        _ => None,
    };
    Ok(ImageInfo {
        kind: ImageKind::Svg,
        size: size.map(|(w, h)| (w.round().min(1e6) as u32, h.round().min(1e6) as u32)),
    })
}

/// The widths of the copies an image of `width` gets: those narrower than it.
pub(crate) fn copy_widths(info: &ImageInfo) -> Vec<u32> {
    match (info.kind, info.size) {
        (ImageKind::Png | ImageKind::Jpeg | ImageKind::Webp, Some((width, _))) => {
            WIDTHS.into_iter().filter(|&w| w < width).collect()
        }
        _ => Vec::new(),
    }
}

/// What the cache keeps per original: each copy's width, height and extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Manifest {
    copies: Vec<(u32, u32, String)>,
}

/// Reads an image's size and makes (or finds in the cache) its resized copies.
/// `site_path` names the original in diagnostics and gives the copies' file names.
pub(crate) fn prepare_image(cache: &Cache, site_path: &Path, bytes: &[u8]) -> Result<Prepared, Diagnostic> {
    let info = image_info(site_path, bytes)?;
    let widths = copy_widths(&info);
    if widths.is_empty() {
        return Ok(Prepared {
            info,
            resized: Vec::new(),
        });
    }
    let key = Key::of(&[RESIZE_VERSION, bytes]);
    let manifest = match cached_manifest(cache, key) {
        Some(m) => m,
        None => {
            let m = resize_all(cache, key, site_path, bytes, &info, &widths)?;
            let json = serde_json::to_vec(&m).expect("a manifest is numbers and strings");
            cache.put(KIND, key, "json", &json)?;
            m
        }
    };
    let stem = site_path
        .file_stem()
        .map_or_else(|| "image".into(), |s| s.to_string_lossy());
    let resized = manifest
        .copies
        .into_iter()
        .map(|(width, height, ext)| Resized {
            file_name: format!("{stem}-{width}w.{ext}"),
            path: cache.path(KIND, key, &format!("{width}.{ext}")),
            width,
            height,
        })
        .collect();
    Ok(Prepared { info, resized })
}

/// The manifest of an original, when it and every copy it names are in the cache.
fn cached_manifest(cache: &Cache, key: Key) -> Option<Manifest> {
    let bytes = std::fs::read(cache.get(KIND, key, "json")?).ok()?;
    let m: Manifest = serde_json::from_slice(&bytes).ok()?;
    m.copies
        .iter()
        .all(|(w, _, ext)| cache.get(KIND, key, &format!("{w}.{ext}")).is_some())
        .then_some(m)
}

/// Decodes the original once and writes every copy to the cache.
fn resize_all(
    cache: &Cache,
    key: Key,
    site_path: &Path,
    bytes: &[u8],
    info: &ImageInfo,
    widths: &[u32],
) -> Result<Manifest, Diagnostic> {
    let original = decode(site_path, bytes, info)?;
    let mut copies = Vec::with_capacity(widths.len());
    // The header's size and the decoded one agree for every sane file; a crafted file
    // that disagrees gets only copies narrower than what was decoded, so no copy is ever
    // taller than the original.
    for &width in widths.iter().filter(|&&w| w < original.width()) {
        let height = ((u64::from(original.height()) * u64::from(width)) as f64 / f64::from(original.width()))
            .round()
            .max(1.0) as u32;
        let small = resize(&original, width, height)
            .map_err(|e| Diagnostic::error(site_path, format!("cannot resize the image: {e}")))?;
        let (ext, encoded) = encode_smallest(&small, info.kind)
            .map_err(|e| Diagnostic::error(site_path, format!("cannot write a resized copy: {e}")))?;
        cache.put(KIND, key, &format!("{width}.{ext}"), &encoded)?;
        copies.push((width, height, ext.to_owned()));
    }
    Ok(Manifest { copies })
}

/// Decodes within the pixel limit, turned as EXIF says, as 8-bit RGB or RGBA.
fn decode(site_path: &Path, bytes: &[u8], info: &ImageInfo) -> Result<DynamicImage, Diagnostic> {
    let (w, h) = info.size.unwrap_or((0, 0));
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(Diagnostic::error(
            site_path,
            format!(
                "the image is {w} x {h} pixels, above the limit of {} megapixels",
                MAX_PIXELS / 1_000_000
            ),
        )
        .with_help("save a smaller copy of it (a page shows at most 1440 px of width)"));
    }
    let fail = |e: image::ImageError| Diagnostic::error(site_path, format!("the image cannot be decoded: {e}"));
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Diagnostic::error(site_path, format!("the image cannot be decoded: {e}")))?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 8);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(fail)?;
    let orientation = decoder.orientation().map_err(fail)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(fail)?;
    image.apply_orientation(orientation);
    Ok(if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    })
}

/// Lanczos3 downscaling with `fast_image_resize` (SIMD; alpha premultiplied for the
/// filter, so transparent edges do not darken).
fn resize(image: &DynamicImage, width: u32, height: u32) -> Result<DynamicImage, fast_image_resize::ResizeError> {
    use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
    let mut out = DynamicImage::new(width, height, image.color());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new().resize(image, &mut out, &options)?;
    Ok(out)
}

/// The copy encoded losslessly (WebP, or PNG for a PNG or transparent original), and as
/// a JPEG when it is opaque; the smallest lossless file wins unless the JPEG is under a
/// third of it, which marks a photo (a photo saved as PNG included). Diagrams and
/// screenshots stay lossless: JPEG blurs their lines and text. A JPEG original is a
/// photo: its copies are JPEGs, since lossless WebP of a photo is ten times the size.
fn encode_smallest(image: &DynamicImage, kind: ImageKind) -> Result<(&'static str, Vec<u8>), image::ImageError> {
    use image::codecs::{jpeg::JpegEncoder, png::PngEncoder, webp::WebPEncoder};
    let opaque = !image.color().has_alpha();
    let mut lossless: Option<(&'static str, Vec<u8>)> = None;
    if kind != ImageKind::Jpeg || !opaque {
        let mut webp = Vec::new();
        image.write_with_encoder(WebPEncoder::new_lossless(&mut webp))?;
        lossless = Some(("webp", webp));
    }
    if kind == ImageKind::Png || (kind == ImageKind::Webp && !opaque) {
        let mut png = Vec::new();
        image.write_with_encoder(PngEncoder::new_with_quality(
            &mut png,
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::Adaptive,
        ))?;
        if lossless.as_ref().is_none_or(|(_, best)| png.len() < best.len()) {
            lossless = Some(("png", png));
        }
    }
    if opaque {
        let mut jpeg = Vec::new();
        image.write_with_encoder(JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY))?;
        if lossless.as_ref().is_none_or(|(_, best)| jpeg.len() * 3 < best.len()) {
            return Ok(("jpg", jpeg));
        }
    }
    Ok(lossless.expect("an opaque copy without a lossless candidate returned its JPEG above"))
}

#[cfg(test)]
#[path = "images_tests.rs"]
mod tests;

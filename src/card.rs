//! Share cards: what a report's card shows -> `/reports/<slug>/card.png`, 1200x630.
//!
//! In: a [`CardContent`] (site title, category, report title, top three scores), the
//! theme's `card.svg` template and its fonts. Out: the path of a PNG in
//! `.impress-cache/cards/`, named by a hash of the content, the template and the fonts,
//! so an unchanged card is never drawn twice (FORMAT.md, "Share cards").
//!
//! The layout (title wrapped to lines, text shortened to fit) is computed here with the
//! theme's own font metrics, and handed to the template as a typed [`CardView`]; resvg
//! draws the SVG with only the fonts that ship in the theme, never the system's, so a
//! card is the same picture on every machine.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::Environment;
use resvg::usvg::fontdb;
use serde::Serialize;

use crate::cache::{Cache, Key};
use crate::diagnostics::Diagnostic;
use crate::templates::{ThemeSource, DEFAULT_THEME};

#[path = "card_layout.rs"]
mod layout;
pub(crate) use layout::card_view;

/// The card's size in pixels (FORMAT.md; the size Open Graph and X expect).
pub(crate) const WIDTH: u32 = 1200;
/// The card's height.
pub(crate) const HEIGHT: u32 = 630;
/// The cache folder's kind for cards.
const KIND: &str = "cards";
/// Changes whenever the layout code changes what a card looks like, so cached cards of
/// an older impress are drawn again.
const LAYOUT_VERSION: &[u8] = b"card layout 2 (palette PNG)";

/// One score on a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CardScore {
    /// The area's name as the report writes it.
    pub area: String,
    /// 1 to 10.
    pub score: u8,
}

/// Everything a card shows; its hash names the cached picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CardContent {
    /// The site's title.
    pub site_title: String,
    /// The report's category.
    pub category: Option<String>,
    /// The report's title.
    pub title: String,
    /// The three highest scores, highest first (ties in the order written).
    pub scores: Vec<CardScore>,
}

impl CardContent {
    /// The card of a report: keeps the three highest of `scores` (`(area, score)` in the
    /// order written).
    pub fn new(
        site_title: &str,
        category: Option<&str>,
        title: &str,
        scores: impl IntoIterator<Item = (String, u8)>,
    ) -> CardContent {
        let mut scores: Vec<CardScore> = scores
            .into_iter()
            .map(|(area, score)| CardScore { area, score })
            .collect();
        // A stable sort keeps the written order among equal scores.
        scores.sort_by_key(|s| std::cmp::Reverse(s.score));
        scores.truncate(3);
        CardContent {
            site_title: site_title.to_owned(),
            category: category.map(str::to_owned),
            title: title.to_owned(),
            scores,
        }
    }
}

/// A font file's bytes, shared by the font database and the measuring code.
type FontBytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// The theme's fonts: the database resvg draws with, and the faces the layout measures.
pub(crate) struct CardFonts {
    db: Arc<fontdb::Database>,
    /// The face nearest weight 400.
    regular: FontBytes,
    /// The face nearest weight 700.
    bold: FontBytes,
    /// The family of the regular face: the fallback for any family a template names.
    family: String,
    /// A hash of every font file, part of each card's cache key.
    hash: Key,
}

impl std::fmt::Debug for CardFonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardFonts")
            .field("family", &self.family)
            .finish_non_exhaustive()
    }
}

/// Reads the fonts of the theme: `themes/<name>/fonts/*.{ttf,otf}` of a theme on disk,
/// else (or when that theme ships none) the fonts built into the default theme.
pub(crate) fn load_card_fonts(root: &Path, theme: &ThemeSource) -> Result<CardFonts, Diagnostic> {
    let mut files: Vec<(PathBuf, FontBytes)> = Vec::new();
    if let ThemeSource::Disk(dir) = theme {
        let fonts = dir.join("fonts");
        let entries = match std::fs::read_dir(&fonts) {
            Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
            Err(_) => Vec::new(),
        };
        for path in entries.into_iter().filter(|p| is_font_file(p)) {
            let site_path = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let bytes = std::fs::read(&path)
                .map_err(|e| Diagnostic::error(&site_path, format!("cannot read the font: {e}")))?;
            files.push((site_path, Arc::new(bytes)));
        }
    }
    if files.is_empty() {
        let fonts = DEFAULT_THEME.get_dir("fonts").into_iter().flat_map(|d| d.files());
        for f in fonts.filter(|f| is_font_file(f.path())) {
            let bytes: &'static [u8] = f.contents();
            files.push((Path::new("<built-in theme>").join(f.path()), Arc::new(bytes)));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    fonts_from(files)
}

fn is_font_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("ttf") || e.eq_ignore_ascii_case("otf"))
}

/// Builds the database from font files, checking each one parses.
fn fonts_from(files: Vec<(PathBuf, FontBytes)>) -> Result<CardFonts, Diagnostic> {
    use skrifa::MetadataProvider;
    let mut db = fontdb::Database::new();
    let mut faces: Vec<(u16, FontBytes)> = Vec::new();
    let mut hash_parts: Vec<&[u8]> = Vec::new();
    for (path, bytes) in &files {
        let font = skrifa::FontRef::new((**bytes).as_ref())
            .map_err(|e| Diagnostic::error(path, format!("not a font that can be drawn with: {e}")))?;
        let weight = font.attributes().weight.value().round().clamp(1.0, 1000.0) as u16;
        faces.push((weight, bytes.clone()));
        db.load_font_source(fontdb::Source::Binary(bytes.clone()));
        hash_parts.push((**bytes).as_ref());
    }
    let nearest = |target: u16| {
        faces
            .iter()
            .min_by_key(|(w, _)| w.abs_diff(target))
            .map(|(_, b)| b.clone())
    };
    let (Some(regular), Some(bold)) = (nearest(400), nearest(700)) else {
        return Err(Diagnostic::error("themes", "the theme has no fonts for share cards")
            .with_help("put a .ttf or .otf file in the theme's `fonts/` folder"));
    };
    let family = db
        .faces()
        .next()
        .and_then(|f| f.families.first())
        .map_or_else(|| "sans-serif".to_owned(), |(name, _)| name.clone());
    // Generic families (`sans-serif`, `serif`) in a template resolve to the theme's font.
    db.set_sans_serif_family(family.clone());
    db.set_serif_family(family.clone());
    db.set_monospace_family(family.clone());
    Ok(CardFonts {
        db: Arc::new(db),
        regular,
        bold,
        family,
        hash: Key::of(&hash_parts),
    })
}

impl CardFonts {
    /// A hash of every font file.
    pub(crate) fn key(&self) -> u128 {
        self.hash.0
    }

    /// The width of `text` at `size` pixels, from the face's advances (kerning left out,
    /// which only errs on the wide side).
    pub(crate) fn text_width(&self, text: &str, size: f32, bold: bool) -> f32 {
        use skrifa::instance::{LocationRef, Size};
        use skrifa::MetadataProvider;
        let bytes = if bold { &self.bold } else { &self.regular };
        let Ok(font) = skrifa::FontRef::new((**bytes).as_ref()) else {
            return text.chars().count() as f32 * size * 0.6;
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                let glyph = charmap.map(c).unwrap_or_default();
                metrics.advance_width(glyph).unwrap_or(size * 0.6)
            })
            .sum()
    }
}

/// Draws cards for one build: the template environment, the fonts and the cache.
pub(crate) struct CardMaker<'a> {
    env: &'a Environment<'static>,
    fonts: &'a CardFonts,
    cache: &'a Cache,
    /// The site root and theme, to name the template in diagnostics.
    root: PathBuf,
    theme: ThemeSource,
    /// Where `card.svg` comes from.
    template_file: PathBuf,
    /// The template's source, the fonts and the layout version, hashed once.
    template_key: Key,
}

impl<'a> CardMaker<'a> {
    /// Prepares to draw cards; an error when the theme's `card.svg` does not compile.
    pub fn new(
        env: &'a Environment<'static>,
        fonts: &'a CardFonts,
        cache: &'a Cache,
        root: &Path,
        theme: &ThemeSource,
    ) -> Result<CardMaker<'a>, Diagnostic> {
        let template = env
            .get_template("card.svg")
            .map_err(|e| crate::templates::template_diagnostic(root, theme, &e))?;
        let template_key = Key::of(&[
            LAYOUT_VERSION,
            template.source().as_bytes(),
            &fonts.hash.0.to_le_bytes(),
        ]);
        Ok(CardMaker {
            env,
            fonts,
            cache,
            root: root.to_path_buf(),
            theme: theme.clone(),
            template_file: crate::templates::template_origin(root, theme, "card.svg"),
            template_key,
        })
    }

    /// The cache key of a card: what it shows, the template and the fonts.
    pub fn key(&self, content: &CardContent) -> Key {
        let shown = serde_json::to_vec(content).expect("a CardContent is plain strings and numbers");
        Key::of(&[&self.template_key.0.to_le_bytes(), &shown])
    }

    /// The card's PNG in the cache, drawn only when it is not there yet.
    pub fn card(&self, content: &CardContent) -> Result<PathBuf, Diagnostic> {
        let key = self.key(content);
        if let Some(path) = self.cache.get(KIND, key, "png") {
            return Ok(path);
        }
        let png = self.draw(content)?;
        self.cache.put(KIND, key, "png", &png)
    }

    /// Fills the template and draws it: the PNG's bytes.
    pub fn draw(&self, content: &CardContent) -> Result<Vec<u8>, Diagnostic> {
        let view = card_view(content, self.fonts);
        let svg = self
            .env
            .get_template("card.svg")
            .and_then(|t| {
                t.render(minijinja::context! { card => minijinja::Value::from(minijinja::value::Serde(&view)) })
            })
            .map_err(|e| crate::templates::template_diagnostic(&self.root, &self.theme, &e))?;
        svg_to_png(&svg, self.fonts).map_err(|m| {
            Diagnostic::error(
                &self.template_file,
                format!("the card template made an SVG that cannot be drawn: {m}"),
            )
        })
    }
}

/// Draws an SVG at its own size with the theme's fonts, onto white, as an RGB PNG
/// written with a fast compression setting (a card is mostly flat colour).
pub(crate) fn svg_to_png(svg: &str, fonts: &CardFonts) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    let options = usvg::Options {
        font_family: fonts.family.clone(),
        fontdb: fonts.db.clone(),
        // A card draws nothing from outside the SVG: no files, no URLs.
        resources_dir: None,
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree.size().to_int_size();
    let (width, height) = (size.width().min(4096), size.height().min(4096));
    // White from the start: one memset, where `Pixmap::new` and `fill` write every byte twice.
    let white = vec![255; width as usize * height as usize * 4];
    let size = tiny_skia::IntSize::from_wh(width, height).ok_or("the SVG has no size")?;
    let mut pixmap = tiny_skia::Pixmap::from_vec(white, size).ok_or("the SVG has no size")?;
    resvg::render(&tree, tiny_skia::Transform::identity(), &mut pixmap.as_mut());
    let mut out = Vec::with_capacity(32 * 1024);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_depth(png::BitDepth::Eight);
    // fdeflate with the best filter per row. The Up filter alone (Compression::Fastest)
    // costs less to encode but makes cards half as large again, in the cache and in
    // every deployed site.
    encoder.set_compression(png::Compression::Fast);
    // A card is flat colour and anti-aliased text on it: a few hundred colours at most,
    // usually fewer than 256. Then the PNG is indexed, the same pixels in a quarter of
    // the bytes to compress (a card of 80 KB becomes about 25 KB).
    let pixels = match palette(pixmap.data()) {
        Some((colours, indices)) => {
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_palette(colours);
            indices
        }
        None => {
            encoder.set_color(png::ColorType::Rgb);
            drop_alpha(pixmap.data())
        }
    };
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&pixels).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// Opaque RGBA pixels as a palette (RGB triples) and one index into it per pixel, when
/// they hold at most 256 colours; none otherwise. Colours are found through a small
/// open-addressing table, looked up only where the colour changes along a row.
fn palette(rgba: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    const SLOTS: usize = 1024;
    const EMPTY: u16 = u16::MAX;
    let mut table = [EMPTY; SLOTS];
    let mut colours: Vec<u32> = Vec::with_capacity(256);
    let mut indices = Vec::with_capacity(rgba.len() / 4);
    let (mut last, mut last_index) = (u32::MAX, 0u8);
    for px in rgba.chunks_exact(4) {
        let c = u32::from_le_bytes([px[0], px[1], px[2], 0]);
        if c != last {
            let mut slot = (c.wrapping_mul(0x9E37_79B1) >> 22) as usize % SLOTS;
            last_index = loop {
                match table[slot] {
                    EMPTY => {
                        if colours.len() == 256 {
                            return None;
                        }
                        table[slot] = colours.len() as u16;
                        colours.push(c);
                        break (colours.len() - 1) as u8;
                    }
                    i if colours[usize::from(i)] == c => break i as u8,
                    _ => slot = (slot + 1) % SLOTS,
                }
            };
            last = c;
        }
        indices.push(last_index);
    }
    let rgb = colours.iter().flat_map(|c| {
        let [r, g, b, _] = c.to_le_bytes();
        [r, g, b]
    });
    Some((rgb.collect(), indices))
}

/// Opaque RGBA (drawn onto white, so premultiplied is plain) as RGB: a quarter less to
/// compress. Four pixels at a time.
fn drop_alpha(rgba: &[u8]) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(rgba.len() / 4 * 3);
    let mut quads = rgba.chunks_exact(16);
    for q in &mut quads {
        rgb.extend_from_slice(&[
            q[0], q[1], q[2], q[4], q[5], q[6], q[8], q[9], q[10], q[12], q[13], q[14],
        ]);
    }
    for pixel in quads.remainder().chunks_exact(4) {
        rgb.extend_from_slice(&pixel[..3]);
    }
    rgb
}

#[cfg(test)]
#[path = "card_tests.rs"]
mod tests;

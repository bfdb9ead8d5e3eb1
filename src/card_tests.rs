//! Tests of share cards: choosing scores, layout with the theme's fonts, drawing, cache.

use std::sync::OnceLock;

use super::*;

fn fonts() -> &'static CardFonts {
    static FONTS: OnceLock<CardFonts> = OnceLock::new();
    FONTS.get_or_init(|| load_card_fonts(Path::new("."), &ThemeSource::BuiltIn).unwrap())
}

/// The default theme's `card.svg`, read from the repository.
fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/card.svg");
    env.add_template_owned("card.svg", std::fs::read_to_string(path).unwrap())
        .unwrap();
    env
}

fn scores(list: &[(&str, u8)]) -> Vec<(String, u8)> {
    list.iter().map(|&(a, s)| (a.to_owned(), s)).collect()
}

fn sample(title: &str) -> CardContent {
    CardContent::new(
        "Impact Reports",
        Some("Business & Technology"),
        title,
        scores(&[
            ("Global Supply Chains", 8),
            ("Geopolitical Relations", 9),
            ("Clean Energy", 5),
            ("Markets", 8),
        ]),
    )
}

#[test]
fn a_card_shows_the_three_highest_scores_in_written_order_among_ties() {
    let card = sample("x");
    let got: Vec<_> = card.scores.iter().map(|s| (s.area.as_str(), s.score)).collect();
    assert_eq!(
        got,
        [
            ("Geopolitical Relations", 9),
            ("Global Supply Chains", 8),
            ("Markets", 8)
        ]
    );
    assert!(CardContent::new("S", None, "T", Vec::new()).scores.is_empty());
}

#[test]
fn the_built_in_fonts_measure_text() {
    let f = fonts();
    assert_eq!(f.family, "Inter");
    let regular = f.text_width("Rare earths", 40.0, false);
    assert!(regular > 150.0 && regular < 300.0, "{regular}");
    assert!(f.text_width("Rare earths", 40.0, true) > regular);
    assert!((f.text_width("Rare earths", 80.0, false) - 2.0 * regular).abs() < 0.01);
    assert_eq!(f.text_width("", 40.0, true), 0.0);
    // A character the font lacks still takes room.
    assert!(f.text_width("日本", 40.0, true) > 0.0);
}

#[test]
fn titles_wrap_shrink_and_shorten_to_fit() {
    let f = fonts();
    let width = WIDTH as f32 - 2.0 * 72.0;
    let short = card_view(&sample("Pakistan ships rare earths"), f);
    assert_eq!(short.title.lines.len(), 1);
    assert_eq!(short.title.size, 68.0);
    let long = card_view(
        &sample("Pakistan ships its first rare earths to the United States under a $500M deal with a Missouri firm"),
        f,
    );
    assert!(long.title.lines.len() >= 2);
    let huge = card_view(&sample(&"antimony and neodymium ".repeat(200)), f);
    assert_eq!(huge.title.size, 46.0);
    assert!(huge.title.lines.last().unwrap().text.ends_with('\u{2026}'));
    let word = card_view(&sample(&"W".repeat(300)), f);
    for view in [&short, &long, &huge, &word] {
        for line in &view.title.lines {
            assert!(
                f.text_width(&line.text, view.title.size, true) <= width + 0.01,
                "{line:?}"
            );
        }
        let last = view.title.lines.last().unwrap();
        assert!(
            last.y < view.scores[0].area.y - 50.0,
            "the title stays above the scores"
        );
    }
    let empty = card_view(&sample("   "), f);
    assert!(empty.title.lines.is_empty());
}

#[test]
fn the_header_and_area_names_are_shortened_to_fit() {
    let f = fonts();
    let mut content = sample("Title");
    content.site_title = "A very long site title that goes on ".repeat(5);
    content.scores[0].area = "An area with a name far too long for the space before its bar".into();
    let view = card_view(&content, f);
    let category = view.category.as_ref().unwrap();
    assert_eq!(category.text, "BUSINESS & TECHNOLOGY");
    let site_end = view.site.x + f.text_width(&view.site.text, view.site.size, true);
    let category_start = category.x - f.text_width(&category.text, category.size, true);
    assert!(site_end < category_start, "{site_end} {category_start}");
    assert!(view.site.text.ends_with('\u{2026}'));
    assert!(view.scores[0].area.text.ends_with('\u{2026}'));
    assert!(view.scores[0].area.x + f.text_width(&view.scores[0].area.text, 26.0, false) < view.scores[0].bar_x);
    assert_eq!(view.scores[0].bar_width, 450.0);
    assert_eq!(view.scores[0].severity, "severe");
}

fn maker_in(root: &Path, env: &'static Environment<'static>, cache: &'static Cache) -> CardMaker<'static> {
    CardMaker::new(env, fonts(), cache, root, &ThemeSource::BuiltIn).unwrap()
}

fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

#[test]
fn a_card_is_a_1200_by_630_png_the_same_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let maker = maker_in(dir.path(), leak(env()), leak(Cache::new(dir.path())));
    let content = sample("Pakistan ships <its> first rare earths & \"more\"");
    let png = maker.draw(&content).unwrap();
    assert_eq!(png, maker.draw(&content).unwrap());
    let mut decoder = png::Decoder::new(std::io::Cursor::new(&png));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    // Indexed: a card has fewer than 256 colours, and a palette makes it a third the size.
    assert_eq!(reader.info().color_type, png::ColorType::Indexed);
    assert!(png.len() < 40_000, "{} bytes", png.len());
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(
        (info.width, info.height, info.color_type),
        (1200, 630, png::ColorType::Rgb)
    );
    // The accent band at the top, the paper below it.
    assert_eq!(&pixels[..3], &[0x96, 0x21, 0x32]);
    let at = |x: usize, y: usize| &pixels[(y * 1200 + x) * 3..][..3];
    assert_eq!(at(20, 30), &[0xfa, 0xf8, 0xf4]);
    // Text was drawn: the title's area holds dark pixels.
    let dark = (176..260)
        .flat_map(|y| (72..700).map(move |x| (x, y)))
        .filter(|&(x, y)| at(x, y)[0] < 0x40);
    assert!(dark.count() > 500);
}

#[test]
fn an_unchanged_card_is_never_drawn_twice() {
    let dir = tempfile::tempdir().unwrap();
    let maker = maker_in(dir.path(), leak(env()), leak(Cache::new(dir.path())));
    let content = sample("Cached");
    let path = maker.card(&content).unwrap();
    assert!(path.starts_with(dir.path().join(".impress-cache/cards")));
    // Were it drawn again, these bytes would be replaced.
    std::fs::write(&path, b"kept").unwrap();
    assert_eq!(maker.card(&content).unwrap(), path);
    assert_eq!(std::fs::read(&path).unwrap(), b"kept");
    let mut changed = content.clone();
    changed.scores[0].score = 7;
    assert_ne!(maker.card(&changed).unwrap(), path);
    // Another template makes other cards.
    let mut other = env();
    other
        .add_template_owned(
            "card.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1200\" height=\"630\"/>",
        )
        .unwrap();
    let other = maker_in(dir.path(), leak(other), leak(Cache::new(dir.path())));
    assert_ne!(other.key(&content), maker.key(&content));
}

#[test]
fn template_errors_name_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = Environment::new();
    bad.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    bad.add_template_owned("card.svg", "<svg>{{ card.nope.deeper }}</svg>")
        .unwrap();
    let maker = maker_in(dir.path(), leak(bad), leak(Cache::new(dir.path())));
    let d = maker.card(&sample("T")).unwrap_err();
    assert_eq!(d.file, Path::new("<built-in theme>/templates/card.svg"), "{d}");
    let mut broken = Environment::new();
    broken.add_template_owned("card.svg", "<svg><unclosed></svg>").unwrap();
    let maker = maker_in(dir.path(), leak(broken), leak(Cache::new(dir.path())));
    let d = maker.draw(&sample("T")).unwrap_err();
    assert!(d.message.contains("cannot be drawn"), "{d}");
}

#[test]
fn a_theme_on_disk_brings_its_fonts_and_a_bad_font_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let theme_dir = dir.path().join("themes/plain");
    std::fs::create_dir_all(theme_dir.join("fonts")).unwrap();
    let theme = ThemeSource::Disk(theme_dir.clone());
    // No fonts in the theme: the built-in ones.
    assert_eq!(load_card_fonts(dir.path(), &theme).unwrap().family, "Inter");
    std::fs::write(theme_dir.join("fonts/Broken.ttf"), b"not a font").unwrap();
    let d = load_card_fonts(dir.path(), &theme).unwrap_err();
    assert_eq!(d.file, Path::new("themes/plain/fonts/Broken.ttf"));
    let regular = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/fonts/Inter-Regular.otf");
    std::fs::copy(regular, theme_dir.join("fonts/Broken.ttf")).unwrap();
    let f = load_card_fonts(dir.path(), &theme).unwrap();
    // One face serves as regular and bold.
    assert_eq!(f.text_width("x", 10.0, true), f.text_width("x", 10.0, false));
}

#[test]
fn alpha_is_dropped_from_every_pixel_whatever_the_count() {
    for n in [0usize, 1, 3, 4, 5, 9] {
        let rgba: Vec<u8> = (0..n * 4).map(|i| i as u8).collect();
        let want: Vec<u8> = rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
        assert_eq!(super::drop_alpha(&rgba), want, "{n} pixels");
    }
}

#[test]
fn a_palette_holds_every_colour_once_and_gives_up_past_256() {
    let pixel = |c: u32| {
        let [r, g, b, _] = c.to_le_bytes();
        [r, g, b, 255]
    };
    // Runs and returns of the same colours, as along a card's rows.
    let colours = [0x00ff_ffffu32, 0x0096_2132, 0x0000_0000, 0x00fa_f8f4];
    let picture: Vec<u8> = (0..1000).flat_map(|i| pixel(colours[(i / 7 + i % 3) % 4])).collect();
    let (palette, indices) = super::palette(&picture).unwrap();
    assert_eq!(palette.len(), 4 * 3);
    assert_eq!(indices.len(), 1000);
    for (i, px) in picture.chunks_exact(4).enumerate() {
        let at = usize::from(indices[i]) * 3;
        assert_eq!(&palette[at..at + 3], &px[..3], "pixel {i}");
    }
    let many: Vec<u8> = (0..256u32).chain([0x0012_3456]).flat_map(|c| pixel(c * 65)).collect();
    assert!(super::palette(&many[..256 * 4]).is_some(), "256 colours fit");
    assert!(super::palette(&many).is_none(), "257 do not");
}

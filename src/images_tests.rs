//! Tests of image sizes and resized copies, on small images made here.

use super::*;

/// A gradient, opaque or with alpha, encoded as `format`.
fn make(width: u32, height: u32, alpha: bool, format: image::ImageFormat) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, y| {
        let a = if alpha { ((x + y) % 256) as u8 } else { 255 };
        image::Rgba([(x % 256) as u8, (y % 256) as u8, ((x * y) % 256) as u8, a])
    });
    let image = if alpha {
        DynamicImage::ImageRgba8(image)
    } else {
        DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(image).into_rgb8())
    };
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A JPEG whose EXIF orientation (6) says: turn a quarter clockwise to show it.
fn turned_jpeg(width: u32, height: u32) -> Vec<u8> {
    let jpeg = make(width, height, false, image::ImageFormat::Jpeg);
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08\x00\x01".to_vec();
    tiff.extend_from_slice(b"\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00");
    let mut payload = b"Exif\x00\x00".to_vec();
    payload.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn info(name: &str, bytes: &[u8]) -> Result<ImageInfo, Diagnostic> {
    image_info(Path::new(name), bytes)
}

#[test]
fn sizes_are_read_from_headers() {
    use image::ImageFormat as F;
    let cases = [
        (F::Png, ImageKind::Png),
        (F::Jpeg, ImageKind::Jpeg),
        (F::WebP, ImageKind::Webp),
        (F::Gif, ImageKind::Gif),
    ];
    for (format, kind) in cases {
        let got = info("content/r/x.bin", &make(37, 21, false, format)).unwrap();
        assert_eq!(
            got,
            ImageInfo {
                kind,
                size: Some((37, 21))
            },
            "{format:?}"
        );
    }
    assert_eq!(info("a.jpg", &turned_jpeg(30, 20)).unwrap().size, Some((20, 30)));
}

#[test]
fn what_is_not_an_image_is_an_error_naming_the_file() {
    for bytes in [
        &b""[..],
        b"hello, world",
        &make(10, 10, false, image::ImageFormat::Png)[..12],
    ] {
        let d = info("content/r/map.png", bytes).unwrap_err();
        assert_eq!(d.file, Path::new("content/r/map.png"));
        assert!(d.message.starts_with("not an image"), "{}", d.message);
    }
}

#[test]
fn svg_sizes_come_from_width_height_or_view_box() {
    let cases: &[(&str, Option<(u32, u32)>)] = &[
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150"/>"#,
            Some((300, 150)),
        ),
        (r#"<svg width="300px" height="150px"/>"#, Some((300, 150))),
        (r#"<svg viewBox="0 0 640 360"/>"#, Some((640, 360))),
        (r#"<svg viewBox="0,0,640,360" width="320"/>"#, Some((320, 180))),
        (r#"<svg viewBox="0 0 640 360" height="180"/>"#, Some((320, 180))),
        (r#"<svg width="100%" height="50%"/>"#, None),
        (r#"<svg viewBox="0 0 0 0"/>"#, None),
        (r#"<svg viewBox="0 0 1e400 5"/>"#, None),
        (r#"<svg/>"#, None),
    ];
    for (text, size) in cases {
        let got = info("static/logo.SVG", text.as_bytes()).unwrap();
        assert_eq!(
            got,
            ImageInfo {
                kind: ImageKind::Svg,
                size: *size
            },
            "{text}"
        );
    }
    for bad in [&b"<html/>"[..], b"<svg", b"\xff\xfe"] {
        let d = info("static/logo.svg", bad).unwrap_err();
        assert!(d.message.starts_with("not an SVG image"), "{}", d.message);
    }
}

#[test]
fn copies_are_narrower_than_the_original_only() {
    let png = |w: u32| ImageInfo {
        kind: ImageKind::Png,
        size: Some((w, 100)),
    };
    assert_eq!(copy_widths(&png(3000)), [480, 960, 1440]);
    assert_eq!(copy_widths(&png(1440)), [480, 960]);
    assert_eq!(copy_widths(&png(481)), [480]);
    assert!(copy_widths(&png(480)).is_empty());
    for kind in [ImageKind::Gif, ImageKind::Svg, ImageKind::Other] {
        assert!(copy_widths(&ImageInfo {
            kind,
            size: Some((4000, 100))
        })
        .is_empty());
    }
}

fn decoded(path: &Path) -> DynamicImage {
    image::open(path).unwrap()
}

#[test]
fn a_png_gets_webp_copies_that_keep_transparency() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path());
    let bytes = make(1000, 500, true, image::ImageFormat::Png);
    let prepared = prepare_image(&cache, Path::new("content/r/map.png"), &bytes).unwrap();
    assert_eq!(prepared.info.size, Some((1000, 500)));
    let names: Vec<_> = prepared
        .resized
        .iter()
        .map(|r| (r.file_name.as_str(), r.width, r.height))
        .collect();
    assert_eq!(names, [("map-480w.webp", 480, 240), ("map-960w.webp", 960, 480)]);
    for r in &prepared.resized {
        let image = decoded(&r.path);
        assert_eq!((image.width(), image.height()), (r.width, r.height));
        assert!(image.color().has_alpha());
    }
}

#[test]
fn a_jpeg_gets_jpeg_copies_turned_as_it_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path());
    let prepared = prepare_image(&cache, Path::new("photo.jpeg"), &turned_jpeg(1000, 600)).unwrap();
    assert_eq!(prepared.info.size, Some((600, 1000)));
    assert_eq!(prepared.resized.len(), 1);
    let r = &prepared.resized[0];
    assert_eq!((r.file_name.as_str(), r.width, r.height), ("photo-480w.jpg", 480, 800));
    let image = decoded(&r.path);
    assert_eq!((image.width(), image.height()), (480, 800));
}

#[test]
fn an_unchanged_image_is_never_resized_twice() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path());
    let bytes = make(600, 300, false, image::ImageFormat::WebP);
    let first = prepare_image(&cache, Path::new("a/chart.webp"), &bytes).unwrap();
    assert_eq!(first.resized.len(), 1);
    std::fs::write(&first.resized[0].path, b"kept").unwrap();
    // Same bytes under another name: the same cached copy, named for the new file.
    let again = prepare_image(&cache, Path::new("b/other.webp"), &bytes).unwrap();
    assert_eq!(again.resized[0].path, first.resized[0].path);
    assert_eq!(
        again.resized[0].file_name,
        format!(
            "other-480w.{}",
            first.resized[0].path.extension().unwrap().to_str().unwrap()
        )
    );
    assert_eq!(std::fs::read(&again.resized[0].path).unwrap(), b"kept");
    // A copy deleted from the cache is made again.
    std::fs::remove_file(&first.resized[0].path).unwrap();
    let remade = prepare_image(&cache, Path::new("a/chart.webp"), &bytes).unwrap();
    assert_eq!(decoded(&remade.resized[0].path).width(), 480);
}

#[test]
fn gif_svg_and_small_images_are_published_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path());
    for (name, bytes) in [
        ("a.gif", make(2000, 20, false, image::ImageFormat::Gif)),
        ("a.png", make(400, 20, false, image::ImageFormat::Png)),
        ("a.svg", br#"<svg viewBox="0 0 4000 10"/>"#.to_vec()),
    ] {
        assert!(
            prepare_image(&cache, Path::new(name), &bytes)
                .unwrap()
                .resized
                .is_empty(),
            "{name}"
        );
    }
    assert!(
        !dir.path().join(".impress-cache").exists(),
        "nothing was decoded or cached"
    );
}

#[test]
fn a_truncated_image_is_an_error_of_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = make(800, 400, false, image::ImageFormat::Png);
    let cut = &bytes[..bytes.len() / 2];
    let d = prepare_image(&Cache::new(dir.path()), Path::new("content/r/map.png"), cut).unwrap_err();
    assert_eq!(d.file, Path::new("content/r/map.png"));
    assert!(d.message.contains("cannot be decoded"), "{}", d.message);
}

#[test]
fn a_huge_image_is_refused_before_decoding() {
    // A PNG header claiming 20,000 x 20,000 pixels, with no pixel data behind it.
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    png.extend_from_slice(&20_000u32.to_be_bytes());
    png.extend_from_slice(&20_000u32.to_be_bytes());
    png.extend_from_slice(b"\x08\x06\x00\x00\x00\x00\x00\x00\x00");
    assert_eq!(info("big.png", &png).unwrap().size, Some((20_000, 20_000)));
    let dir = tempfile::tempdir().unwrap();
    let d = prepare_image(&Cache::new(dir.path()), Path::new("big.png"), &png).unwrap_err();
    assert!(
        d.message
            .contains("20000 x 20000 pixels, above the limit of 40 megapixels"),
        "{d}"
    );
}

#[test]
fn photos_become_jpeg_copies_and_diagrams_stay_lossless() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path());
    // Noise stands in for a photo: lossless formats cannot shrink it.
    let mut seed: u32 = 7;
    let photo = image::RgbImage::from_fn(1000, 600, |x, y| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        image::Rgb([(x / 4) as u8, (y / 3) as u8, (seed >> 24) as u8 / 4 + 100])
    });
    let mut png = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(photo)
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let prepared = prepare_image(&cache, Path::new("photo.png"), &png.into_inner()).unwrap();
    assert!(
        prepared.resized.iter().all(|r| r.file_name.ends_with(".jpg")),
        "{prepared:?}"
    );
    let diagram = image::RgbImage::from_fn(1000, 600, |x, _| {
        if x % 100 < 3 {
            image::Rgb([20, 40, 90])
        } else {
            image::Rgb([250, 248, 244])
        }
    });
    let mut png = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(diagram)
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let prepared = prepare_image(&cache, Path::new("diagram.png"), &png.into_inner()).unwrap();
    assert!(
        prepared.resized.iter().all(|r| r.file_name.ends_with(".webp")),
        "{prepared:?}"
    );
}

//! [`CardContent`] -> [`CardView`]: where each text and bar of a share card goes.
//!
//! Widths come from the theme's font ([`CardFonts::text_width`]), so the report's title
//! is wrapped to lines that fit, shrunk a step when it is long, and shortened with `…`
//! only when even the smallest size needs more lines than there is room for.

use serde::Serialize;

use super::{CardContent, CardFonts, HEIGHT, WIDTH};

/// Left and right margin.
const MARGIN: f32 = 72.0;
/// Baseline of the header (site title, category).
const HEADER_Y: f32 = 100.0;
/// The rule under the header.
const RULE_Y: f32 = 132.0;
/// The title's top.
const TITLE_TOP: f32 = 176.0;
/// Title sizes tried in turn, largest first.
const TITLE_SIZES: [f32; 4] = [68.0, 60.0, 52.0, 46.0];
/// Baseline of the last score row.
const LAST_ROW_Y: f32 = 588.0;
/// Distance between score rows.
const ROW_GAP: f32 = 54.0;
/// Size of the area names.
const AREA_SIZE: f32 = 26.0;
/// Where the bars start and how long a full (10/10) bar is.
const BAR_X: f32 = 500.0;
const TRACK_WIDTH: f32 = 500.0;

/// A line of text and where it goes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Text {
    /// The text, already shortened to fit.
    pub text: String,
    /// x of the anchor (left edge, or right edge for `text-anchor="end"`).
    pub x: f32,
    /// Baseline.
    pub y: f32,
    /// Font size in pixels.
    pub size: f32,
}

/// The report's title, wrapped.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Title {
    /// Each line with its baseline.
    pub lines: Vec<Text>,
    /// The size chosen.
    pub size: f32,
}

/// One score row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct ScoreRow {
    /// The area's name, shortened to fit before the bar.
    pub area: Text,
    /// 1 to 10.
    pub score: u8,
    /// `low`, `moderate`, `high`, `severe`: the theme's score bands.
    pub severity: &'static str,
    /// The bar's left edge.
    pub bar_x: f32,
    /// The bar's top.
    pub bar_y: f32,
    /// The bar's height.
    pub bar_height: f32,
    /// A full (10/10) bar's width: the track.
    pub track_width: f32,
    /// This score's bar width.
    pub bar_width: f32,
    /// The right edge, where `8/10` ends.
    pub value_x: f32,
}

/// What `card.svg` receives as `card`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct CardView {
    /// 1200.
    pub width: u32,
    /// 630.
    pub height: u32,
    /// The left and right margin.
    pub margin: f32,
    /// The site's title, top left.
    pub site: Text,
    /// The category, top right (`text-anchor="end"`), in capitals.
    pub category: Option<Text>,
    /// The rule under the header.
    pub rule_y: f32,
    /// The report's title.
    pub title: Title,
    /// Up to three scores, highest first.
    pub scores: Vec<ScoreRow>,
}

/// Lays out a card.
pub(crate) fn card_view(content: &CardContent, fonts: &CardFonts) -> CardView {
    let right = WIDTH as f32 - MARGIN;
    let content_width = right - MARGIN;
    let category = content
        .category
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            let text = fit(fonts, &c.to_uppercase(), 420.0, 24.0, true);
            Text {
                text,
                x: right,
                y: HEADER_Y,
                size: 24.0,
            }
        });
    let category_width = category
        .as_ref()
        .map_or(0.0, |c| fonts.text_width(&c.text, c.size, true) + 48.0);
    let site = Text {
        text: fit(
            fonts,
            content.site_title.trim(),
            content_width - category_width,
            30.0,
            true,
        ),
        x: MARGIN,
        y: HEADER_Y,
        size: 30.0,
    };
    let rows = content.scores.len();
    let first_row_y = LAST_ROW_Y - rows.saturating_sub(1) as f32 * ROW_GAP;
    let title_bottom = if rows == 0 {
        HEIGHT as f32 - 40.0
    } else {
        first_row_y - AREA_SIZE - 44.0
    };
    let title = title(fonts, content.title.trim(), content_width, title_bottom);
    let scores = content
        .scores
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = first_row_y + i as f32 * ROW_GAP;
            let score = s.score.clamp(1, 10);
            ScoreRow {
                area: Text {
                    text: fit(fonts, s.area.trim(), BAR_X - MARGIN - 28.0, AREA_SIZE, false),
                    x: MARGIN,
                    y,
                    size: AREA_SIZE,
                },
                score,
                severity: severity(score),
                bar_x: BAR_X,
                bar_y: y - 20.0,
                bar_height: 20.0,
                track_width: TRACK_WIDTH,
                bar_width: TRACK_WIDTH * f32::from(score) / 10.0,
                value_x: right,
            }
        })
        .collect();
    CardView {
        width: WIDTH,
        height: HEIGHT,
        margin: MARGIN,
        site,
        category,
        rule_y: RULE_Y,
        title,
        scores,
    }
}

/// The theme's score bands (macros.html).
fn severity(score: u8) -> &'static str {
    match score {
        9.. => "severe",
        7..=8 => "high",
        4..=6 => "moderate",
        _ => "low",
    }
}

/// The title at the largest size whose lines fit between the top and `bottom`.
fn title(fonts: &CardFonts, text: &str, width: f32, bottom: f32) -> Title {
    let mut chosen = None;
    for size in TITLE_SIZES {
        let line_height = size * 1.16;
        let room = (((bottom - TITLE_TOP - size) / line_height).floor() as usize + 1).max(1);
        let mut lines = wrap(fonts, text, width, size);
        let fits = lines.len() <= room;
        if !fits && size == TITLE_SIZES[TITLE_SIZES.len() - 1] {
            let rest = lines.split_off(room - 1).join(" ");
            lines.push(fit_words(fonts, &rest, width, size));
        }
        if fits || size == TITLE_SIZES[TITLE_SIZES.len() - 1] {
            chosen = Some((size, lines));
            break;
        }
    }
    let (size, lines) = chosen.unwrap_or((TITLE_SIZES[0], Vec::new()));
    let line_height = size * 1.16;
    Title {
        lines: lines
            .into_iter()
            .enumerate()
            .map(|(i, text)| Text {
                text,
                x: MARGIN,
                y: (TITLE_TOP + size * 0.96 + i as f32 * line_height).round(),
                size,
            })
            .collect(),
        size,
    }
}

/// Greedy word wrap in bold at `size`; a word wider than a line is broken between
/// characters.
fn wrap(fonts: &CardFonts, text: &str, width: f32, size: f32) -> Vec<String> {
    let measure = |s: &str| fonts.text_width(s, size, true);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if measure(&candidate) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if measure(&line) > width && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The start of `text` that fits with `…` after it, cut between words where that keeps
/// most of the line.
fn fit_words(fonts: &CardFonts, text: &str, width: f32, size: f32) -> String {
    let cut = fit(fonts, &format!("{text}\u{2026}"), width, size, true);
    let kept = cut.trim_end_matches('\u{2026}');
    let whole_word = text[kept.len()..].starts_with(char::is_whitespace);
    match kept.rfind(' ') {
        Some(space) if !whole_word && space * 3 > kept.len() * 2 => format!("{}\u{2026}", kept[..space].trim_end()),
        _ => cut,
    }
}

/// `text`, or as much of it as fits in `width` followed by `…`.
fn fit(fonts: &CardFonts, text: &str, width: f32, size: f32, bold: bool) -> String {
    if fonts.text_width(text, size, bold) <= width {
        return text.to_owned();
    }
    let base = text.strip_suffix('\u{2026}').unwrap_or(text);
    let chars: Vec<char> = base.chars().collect();
    let shortened = |k: usize| -> String {
        let cut: String = chars[..k].iter().collect();
        format!("{}\u{2026}", cut.trim_end())
    };
    // Binary search for the longest prefix that fits: titles are the writer's, of any length.
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fonts.text_width(&shortened(mid), size, bold) <= width {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    shortened(lo)
}

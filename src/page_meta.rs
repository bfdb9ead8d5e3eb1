//! A plain page's front matter (`content/pages/`) -> [`PageMeta`], with the checks of
//! report.rs (its parent module).

use super::*;

/// A plain page's validated front matter.
#[derive(Debug, Clone)]
pub struct PageMeta {
    /// The source file.
    pub path: PathBuf,
    /// URL slug (the file stem).
    pub slug: String,
    /// Title.
    pub title: String,
    /// Description for meta tags.
    pub description: String,
    /// Optional date.
    pub date: Option<DateTime<FixedOffset>>,
    /// Place in the navigation: lighter pages come first.
    pub weight: i64,
    /// False to leave the page out of the navigation.
    pub in_menu: bool,
    /// Built only with `--drafts`.
    pub draft: bool,
    /// The line of the file where the body starts (1-based).
    pub body_line: usize,
}

/// Parses and validates a plain page (`content/pages/`).
pub fn validate_page(source: &Source) -> Result<PageMeta, Vec<Diagnostic>> {
    let split = split_front_matter(&source.path, &source.text).map_err(|d| vec![d])?;
    let (raw, mut c) = parse_front::<RawPage>(source, &split)?;
    let title = required(&mut c, raw.title, "title");
    let date = raw.date.as_ref().and_then(|d| c.date(d, "date"));
    let slug = slug_for(&mut c, None, &source.path);
    if !c.errors.is_empty() {
        return Err(c.into_errors());
    }
    let (Some(title), Some(slug)) = (title, slug) else {
        unreachable!("a missing required value always records an error")
    };
    Ok(PageMeta {
        path: source.path.clone(),
        slug,
        title,
        description: raw.description,
        date,
        weight: raw.weight,
        in_menu: raw.in_menu,
        draft: raw.draft,
        body_line: body_line(&source.text, split.body),
    })
}

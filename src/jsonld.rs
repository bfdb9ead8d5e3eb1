//! JSON-LD for `<script type="application/ld+json">`: a report's NewsArticle (and
//! FAQPage), and an author page's Person or Organization.

use serde_json::{json, Value};

use crate::cashtag::Ticker;
use crate::config::Config;
use crate::routes::{Route, Taxonomy, Urls};
use crate::site::{AuthorKind, Report, Site};

/// Inside <script>, `</` could close the element; JSON allows `<\/` for the same text.
fn script_safe(json: &Value) -> String {
    json.to_string().replace("</", "<\\/")
}

/// An author as schema.org has it: desks are `Organization`, people `Person`, with their
/// page on the site and their own page elsewhere.
fn author(site: &Site, urls: &Urls, slug: &str, name: &str) -> Value {
    let info = site.author_info.get(slug);
    let kind = match info.map(|i| i.kind).unwrap_or_default() {
        AuthorKind::Person => "Person",
        AuthorKind::Organization => "Organization",
    };
    let page = urls.permalink(&Route::Term {
        taxonomy: Taxonomy::Authors,
        slug: slug.to_string(),
        page: 1,
    });
    let mut v = json!({
        "@type": kind,
        "name": site.term_name(Taxonomy::Authors, slug, name),
        "url": page,
    });
    if let Some(same) = info.and_then(|i| i.url.as_ref()) {
        v["sameAs"] = json!(same);
    }
    if let Some(bio) = info.and_then(|i| i.bio.as_ref()) {
        v["description"] = json!(bio);
    }
    v
}

/// An author page's JSON-LD: the author or desk, with `@context`.
pub(crate) fn author_json_ld(site: &Site, urls: &Urls, slug: &str, name: &str) -> String {
    let mut v = author(site, urls, slug, name);
    v["@context"] = json!("https://schema.org");
    script_safe(&v)
}

/// NewsArticle JSON-LD, with a FAQPage when the report has questions and `with_faq`
/// (the quick read, where they are shown: structured data describes what the page shows).
pub(crate) fn report_json_ld(
    r: &Report,
    site: &Site,
    config: &Config,
    urls: &Urls,
    image: &str,
    with_faq: bool,
) -> String {
    let m = &r.meta;
    let url = urls.permalink(&Route::Report { slug: m.slug.clone() });
    let authors: Vec<_> = if m.authors.is_empty() {
        vec![json!({"@type": "Organization", "name": config.title})]
    } else {
        m.authors.iter().map(|a| author(site, urls, &a.slug, &a.name)).collect()
    };
    let mut keywords: Vec<&str> = m.tags.iter().map(|t| t.name.as_str()).collect();
    keywords.extend(r.tickers.iter().map(Ticker::symbol));
    let article = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": m.title,
        "image": [image],
        "description": m.summary,
        "datePublished": m.date.to_rfc3339(),
        "dateModified": m.updated.unwrap_or(m.date).to_rfc3339(),
        "author": authors,
        "publisher": {"@type": "Organization", "name": config.title},
        "mainEntityOfPage": url,
        "url": url,
        "keywords": keywords.join(", "),
        "articleSection": m.category.as_ref().map(|c| c.name.clone()),
    });
    let json = if m.faq.is_empty() || !with_faq {
        article
    } else {
        let faq = json!({
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "mainEntity": m.faq.iter().map(|f| json!({
                "@type": "Question",
                "name": f.q,
                "acceptedAnswer": {"@type": "Answer", "text": f.a},
            })).collect::<Vec<_>>(),
        });
        json!([article, faq])
    };
    script_safe(&json)
}

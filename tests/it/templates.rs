//! Template lookup (FORMAT.md, the README): the site's `templates/<name>` first,
//! then `themes/<theme>/templates/`, then the default theme built into the binary; a site
//! template can extend the theme's as `theme/<name>`.

use crate::support::*;

fn one_report_site() -> SiteTest {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Template test report", "2025-03-01")
            .summary("The takeaway of the template test.")
            .tags(&["Energy"])
            .body("## Body\n\nBody text."),
    );
    site
}

fn id_text(site: &SiteTest, path: &str, id: &str) -> Option<String> {
    select(&site.page(path), &format!("#{id}")).into_iter().next().map(text)
}

#[test]
fn the_built_in_theme_works_without_a_themes_folder() {
    let site = one_report_site();
    assert!(!site.root().join("themes").exists());
    site.build();
    assert!(site.exists("reports/a/"));
    assert!(site.exists("reports/a/full/"));
    let page = site.page("reports/a/");
    assert!(main_text(&page).contains("The takeaway of the template test."));
    let css: Vec<_> = select(&page, "link[rel=stylesheet]")
        .into_iter()
        .filter_map(|l| l.value().attr("href"))
        .map(str::to_string)
        .collect();
    assert!(!css.is_empty(), "the built-in theme has a stylesheet");
    for href in css {
        assert!(site.exists(&href), "{href} is copied from the built-in theme");
    }
}

#[test]
fn a_site_template_overrides_the_themes() {
    let site = one_report_site();
    site.write(
        "templates/home.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"custom-home\">Custom home: {% for r in reports %}{{ r.title }}{% endfor %}</p>{% endblock %}",
    );
    site.build();
    assert_eq!(
        id_text(&site, "", "custom-home").as_deref(),
        Some("Custom home: Template test report")
    );
    let home = site.page("");
    assert!(
        page_text(&home).contains(DISCLAIMER),
        "the override still extends the theme's base layout"
    );
    assert!(
        id_text(&site, "reports/a/", "custom-home").is_none(),
        "other pages keep the theme's templates"
    );
}

#[test]
fn a_site_base_template_changes_every_page() {
    let site = one_report_site();
    site.write(
        "templates/base.html",
        "<!doctype html><html><head><title>{{ meta.title }}</title></head><body><div id=\"site-layout\">{{ site.title }}</div><main>{% block content %}{% endblock %}</main></body></html>",
    );
    site.build();
    for file in site.html_files() {
        assert_eq!(
            id_text(&site, &file, "site-layout").as_deref(),
            Some("Impact Test Review"),
            "{file} does not use the site's base.html"
        );
    }
}

#[test]
fn a_site_template_can_extend_the_themes_template_of_the_same_name() {
    let site = one_report_site();
    site.write(
        "templates/report.html",
        "{% extends \"theme/report.html\" %}{% block content %}<aside id=\"site-banner\">Banner</aside>{{ super() }}{% endblock %}",
    );
    site.build();
    assert_eq!(id_text(&site, "reports/a/", "site-banner").as_deref(), Some("Banner"));
    let text = main_text(&site.page("reports/a/"));
    assert!(
        text.contains("The takeaway of the template test."),
        "the theme's quick read is still there: {text}"
    );
}

#[test]
fn a_theme_folder_on_disk_wins_over_the_built_in_theme() {
    let site = one_report_site();
    site.write(
        "themes/default/templates/home.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"disk-theme\">From disk</p>{% endblock %}",
    );
    site.build();
    assert_eq!(id_text(&site, "", "disk-theme").as_deref(), Some("From disk"));
    assert!(
        site.exists("reports/a/"),
        "templates the folder lacks come from the built-in theme"
    );
}

#[test]
fn a_named_theme_is_used_with_its_static_files() {
    let site = one_report_site();
    site.write(
        "config.toml",
        CONFIG.replace("theme = \"default\"", "theme = \"paper\""),
    );
    site.write(
        "themes/paper/templates/base.html",
        "<!doctype html><html><head><title>{{ meta.title }}</title><link rel=\"stylesheet\" href=\"{{ static_url('paper.css') }}\"></head><body><main id=\"paper\">{% block content %}{% endblock %}</main><footer>{{ site.disclaimer }}</footer></body></html>",
    );
    site.write("themes/paper/static/paper.css", "body { color: black }\n");
    site.build();
    assert!(
        select(&site.page(""), "main#paper").len() == 1,
        "the paper theme's base is used"
    );
    assert_eq!(site.read("paper.css"), "body{color:#000}", "minified");
}

#[test]
fn site_static_files_override_the_themes() {
    let site = one_report_site();
    site.write("static/style.css", "/* the site's own */\n.own { color: navy }\n");
    site.build();
    assert_eq!(site.read("style.css"), ".own{color:navy}");
}

#[test]
fn template_urls_carry_the_path_of_the_base_url() {
    let site = one_report_site();
    site.write(
        "templates/home.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"urls\">{{ urls.home }} {{ urls.tags }} {{ urls.search_index }} {{ static_url('style.css') }} {{ site.base_url }} {{ meta.canonical }} {% for r in reports %}{{ r.url }} {{ r.full_url }} {{ r.permalink }} {% for t in r.tags %}{{ t.url }}{% endfor %}{% endfor %}</p>{% endblock %}",
    );
    site.build_with(&["--base-url", "https://example.com/sub/"]);
    // The stylesheet's URL carries a hash of its bytes; the rest of it is what matters here.
    let text = id_text(&site, "", "urls").map(|t| {
        let (head, tail) = t.split_once("style.css?v=").expect("a versioned stylesheet");
        let (_, rest) = tail.split_once(' ').expect("more urls");
        format!("{head}style.css {rest}")
    });
    assert_eq!(
        text.as_deref(),
        Some(
            "/sub/ /sub/tags/ /sub/search/index.json /sub/style.css https://example.com/sub/ https://example.com/sub/ \
             /sub/reports/a/ /sub/reports/a/full/ https://example.com/sub/reports/a/ /sub/tags/energy/"
        )
    );
}

#[test]
fn template_text_is_autoescaped_and_html_fields_are_not_double_escaped() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Fish & <chips>", "2025-03-01").summary("Buy $MP & sell."),
    );
    site.write(
        "templates/report.html",
        "{% extends \"base.html\" %}{% block content %}<h1 id=\"t\">{{ report.title }}</h1><div id=\"s\">{{ report.summary_html }}</div>{% endblock %}",
    );
    site.build();
    let page = site.page("reports/a/");
    assert_eq!(id_text(&site, "reports/a/", "t").as_deref(), Some("Fish & <chips>"));
    assert_eq!(id_text(&site, "reports/a/", "s").as_deref(), Some("Buy $MP & sell."));
    let links: Vec<_> = select(&page, "#s a")
        .into_iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(links, ["/tickers/mp/"], "summary_html is HTML with the cashtag linked");
}

#[test]
fn site_templates_may_include_their_own_partials() {
    let site = one_report_site();
    site.write("templates/partials/note.html", "<p id=\"partial\">From a partial</p>");
    site.write(
        "templates/home.html",
        "{% extends \"base.html\" %}{% block content %}{% include \"partials/note.html\" %}{% endblock %}",
    );
    site.build();
    assert_eq!(id_text(&site, "", "partial").as_deref(), Some("From a partial"));
}

#[test]
fn every_page_template_name_can_be_overridden() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        report("Every template", "2025-03-01")
            .tags(&["Energy"])
            .keys("tickers = [\"MP\"]")
            .body("Body."),
    );
    site.write("content/pages/about.md", "+++\ntitle = \"About\"\n+++\nText.\n");
    let pages = [
        ("home.html", ""),
        ("report.html", "reports/a/"),
        ("analysis.html", "reports/a/full/"),
        ("terms.html", "tags/"),
        ("term.html", "tags/energy/"),
        ("ticker.html", "tickers/mp/"),
        ("page.html", "pages/about/"),
        ("search.html", "search/"),
        ("404.html", "404.html"),
    ];
    for (name, _) in pages {
        site.write(
            &format!("templates/{name}"),
            format!("{{% extends \"base.html\" %}}{{% block content %}}<p id=\"which\">{name}</p>{{% endblock %}}"),
        );
    }
    site.build();
    for (name, path) in pages {
        assert_eq!(
            id_text(&site, path, "which").as_deref(),
            Some(name),
            "{path:?} is not rendered by {name}"
        );
    }
}

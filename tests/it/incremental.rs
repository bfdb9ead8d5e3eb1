//! Incremental rebuilds equal clean builds: a seeded random sequence of edits (body, tags
//! alone (which move other reports' related lists),
//! add, delete, rename, draft, score, template) is applied to a site; after each one the
//! incrementally updated output must be byte-for-byte what a clean build makes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use impress::build::rebuild;
use impress::incremental::{BuildState, Changes};
use impress::output::Sink;
use impress::{Options, Timer};

use crate::support::{SiteTest, CONFIG};

/// A small deterministic generator (xorshift), so a failing seed can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const TAGS: &[&str] = &["rare earths", "Rare Earths", "copper", "Pakistan", "China", "energy"];
const AREAS: &[&str] = &["Global Supply Chains", "Geopolitical Relations", "Markets"];
const WHO: &[&str] = &["Investors", "Policymakers", "Manufacturers"];
const TICKERS: &[&str] = &["MP", "USAR", "TSLA", "LIT"];

fn report_text(rng: &mut Rng, n: usize, draft: bool) -> String {
    let tags: Vec<String> = (0..1 + rng.below(3)).map(|_| format!("{:?}", rng.pick(TAGS))).collect();
    let day = 1 + rng.below(28);
    let body = match rng.below(3) {
        0 => String::new(),
        1 => format!("## Section {n}\n\nText mentioning ${} and more.\n", rng.pick(TICKERS)),
        _ => format!(
            "## A\n\nOne.\n\n## B\n\nSee [the first](@/r0.md) and ${}.\n",
            rng.pick(TICKERS)
        ),
    };
    // Bylines (two spellings of one desk), an old path and a correction now and then:
    // author pages, redirect pages and feed ids must follow every edit too.
    let newsroom = format!(
        "authors = [\"{}\"]\naliases = [\"/old/r{n}-{}/\"]\n{}",
        rng.pick(&["Research Desk", "research desk", "Jane Doe"]),
        rng.next() % 100_000,
        if rng.below(2) == 0 {
            format!("updated = 2025-04-01\nupdate_note = \"Fixed {}.\"\n", rng.next() % 100)
        } else {
            String::new()
        },
    );
    format!(
        "+++\n{newsroom}title = \"Report {n} v{v}\"\ndate = 2025-03-{day:02}\ndraft = {draft}\nsummary = \"Takeaway {v} on ${t}.\"\ncategory = \"{cat}\"\ntags = [{tags}]\n\n[[scores]]\narea = \"{area}\"\nscore = {score}\nrationale = \"Because.\"\n\n[[stakeholders]]\nwho = \"{who}\"\naction = \"Act on ${t}.\"\n+++\n{body}",
        v = rng.next() % 1000,
        t = rng.pick(TICKERS),
        cat = rng.pick(&["Markets", "Policy"]),
        tags = tags.join(", "),
        area = rng.pick(AREAS),
        score = 1 + rng.below(10),
        who = rng.pick(WHO),
    )
}

fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter(|e| !e.file_name().to_string_lossy().starts_with(".impress"))
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn assert_same_tree(incremental: &Path, clean: &Path, step: &str) {
    let (a, b) = (tree(incremental), tree(clean));
    let only_a: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "{step}: files only in incremental {only_a:?}, only in clean {only_b:?}"
    );
    for (path, bytes) in &a {
        if bytes != &b[path] {
            let (x, y) = (String::from_utf8_lossy(bytes), String::from_utf8_lossy(&b[path]));
            let diff: Vec<String> = x
                .lines()
                .zip(y.lines())
                .filter(|(l, r)| l != r)
                .take(3)
                .map(|(l, r)| format!("incremental: {l}\nclean:       {r}"))
                .collect();
            panic!(
                "{step}: {} differs from a clean build\n{}",
                path.display(),
                diff.join("\n")
            );
        }
    }
}

#[test]
fn any_sequence_of_edits_rebuilds_to_what_a_clean_build_makes() {
    let site = SiteTest::empty();
    site.write("config.toml", CONFIG.replace("paginate = 10", "paginate = 2"));
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut live: Vec<String> = Vec::new();
    for n in 0..6 {
        let name = format!("content/r{n}.md");
        site.write(&name, report_text(&mut rng, n, false));
        live.push(name);
    }
    let scratch = tempfile::tempdir().unwrap();
    let inc_out = scratch.path().join("incremental");
    fs::create_dir_all(&inc_out).unwrap();
    let opts = Options {
        output: Some(inc_out.clone()),
        ..Options::new(site.root())
    };
    let mut state = BuildState::new(opts.clone());
    rebuild(&mut state, &Changes::All, &Sink::InPlace(&inc_out), &mut Timer::start())
        .unwrap_or_else(|f| panic!("first build: {:?}", f.diagnostics));

    let mut next_id = 6;
    for step in 0..120 {
        let mut changed: Vec<PathBuf> = Vec::new();
        let what = match rng.below(10) {
            9 => {
                // Only the tags: the related reports of other reports move (issue 12).
                let name = live[rng.below(live.len())].clone();
                let text = fs::read_to_string(site.root().join(&name)).unwrap();
                let tags: Vec<String> = (0..1 + rng.below(3)).map(|_| format!("{:?}", rng.pick(TAGS))).collect();
                let text = text
                    .lines()
                    .map(|l| {
                        if l.starts_with("tags = ") {
                            format!("tags = [{}]", tags.join(", "))
                        } else {
                            l.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                site.write(&name, text + "\n");
                changed.push(name.clone().into());
                format!("tags of {name}")
            }
            8 => {
                // Only the body: the front matter (and so every card) stays as it is.
                let name = live[rng.below(live.len())].clone();
                let text = fs::read_to_string(site.root().join(&name)).unwrap();
                let end = text.rfind("+++\n").unwrap() + 4;
                let body = match rng.below(4) {
                    0 => String::new(),
                    1 => format!("## New {step}\n\nFresh words.\n"),
                    2 => format!(
                        "## New {step}\n\nSee [it](@/r0.md) and more about ${}.\n",
                        rng.pick(TICKERS)
                    ),
                    // Same cashtags, same reading time: the cards do not change at all.
                    _ => format!("{}\n\nOne more plain sentence, number {step}.\n", &text[end..]),
                };
                site.write(&name, format!("{}{body}", &text[..end]));
                changed.push(name.clone().into());
                format!("body of {name}")
            }
            0 | 1 => {
                let name = live[rng.below(live.len())].clone();
                site.write(&name, report_text(&mut rng, step + 100, false));
                changed.push(name.clone().into());
                format!("edit {name}")
            }
            2 => {
                let name = format!("content/r{next_id}.md");
                next_id += 1;
                site.write(&name, report_text(&mut rng, next_id, false));
                changed.push(name.clone().into());
                live.push(name.clone());
                format!("add {name}")
            }
            // r0 stays published under its name: other reports link to it with `@/r0.md`.
            3 if live.len() > 2 => {
                let name = live.remove(1 + rng.below(live.len() - 1));
                fs::remove_file(site.root().join(&name)).unwrap();
                changed.push(name.clone().into());
                format!("delete {name}")
            }
            4 => {
                let i = 1 + rng.below(live.len() - 1);
                let from = live[i].clone();
                let to = format!("content/moved/r{next_id}.md");
                next_id += 1;
                fs::create_dir_all(site.root().join("content/moved")).unwrap();
                fs::rename(site.root().join(&from), site.root().join(&to)).unwrap();
                changed.push(from.clone().into());
                changed.push(to.clone().into());
                live[i] = to.clone();
                format!("rename {from} -> {to}")
            }
            5 => {
                let name = live[1 + rng.below(live.len() - 1)].clone();
                site.write(&name, report_text(&mut rng, step + 200, true));
                changed.push(name.clone().into());
                format!("draft {name}")
            }
            6 => {
                let name = live[rng.below(live.len())].clone();
                let text = fs::read_to_string(site.root().join(&name)).unwrap();
                let score = 1 + rng.below(10);
                let text = text
                    .lines()
                    .map(|l| {
                        if l.starts_with("score = ") {
                            format!("score = {score}")
                        } else {
                            l.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                site.write(&name, text + "\n");
                changed.push(name.clone().into());
                format!("score {name} = {score}")
            }
            _ => {
                // A page template (used by the home pages only) or the shared layout.
                let variant = rng.below(3);
                if rng.below(2) == 0 {
                    site.write(
                        "templates/home.html",
                        format!("{{% extends \"theme/home.html\" %}}{{% block content %}}<p>variant {variant}</p>{{{{ super() }}}}{{% endblock %}}"),
                    );
                    changed.push("templates/home.html".into());
                    format!("home template variant {variant}")
                } else {
                    site.write(
                        "templates/base.html",
                        format!("{{% extends \"theme/base.html\" %}}{{% block head %}}<meta name=\"variant\" content=\"{variant}\">{{% endblock %}}"),
                    );
                    changed.push("templates/base.html".into());
                    format!("base template variant {variant}")
                }
            }
        };
        let step_name = format!("step {step} ({what})");
        rebuild(
            &mut state,
            &Changes::Paths(changed),
            &Sink::InPlace(&inc_out),
            &mut Timer::start(),
        )
        .unwrap_or_else(|f| panic!("{step_name}: {:?}", f.diagnostics));
        let clean_out = scratch.path().join(format!("clean-{step}"));
        impress::build(&Options {
            output: Some(clean_out.clone()),
            ..Options::new(site.root())
        })
        .unwrap_or_else(|f| panic!("{step_name}: clean build failed: {:?}", f.diagnostics));
        assert_same_tree(&inc_out, &clean_out, &step_name);
        fs::remove_dir_all(&clean_out).unwrap();
    }
}

#[test]
fn a_term_takes_its_new_first_spelling_on_every_card_after_an_incremental_rebuild() {
    let site = SiteTest::empty();
    site.write("config.toml", CONFIG);
    let report = |title: &str, date: &str, tag: &str| {
        format!("+++\ntitle = \"{title}\"\ndate = {date}\nsummary = \"S.\"\ntags = [\"{tag}\"]\n+++\n")
    };
    site.write("content/old.md", report("Old", "2025-01-01", "Rare Earths"));
    site.write("content/new.md", report("New", "2025-02-01", "rare earths"));
    site.write("content/other.md", report("Other", "2025-03-01", "copper"));
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    fs::create_dir_all(&out).unwrap();
    let mut state = BuildState::new(Options {
        output: Some(out.clone()),
        ..Options::new(site.root())
    });
    rebuild(&mut state, &Changes::All, &Sink::InPlace(&out), &mut Timer::start()).unwrap();
    let card = fs::read_to_string(out.join("reports/new/index.html")).unwrap();
    assert!(card.contains(">Rare Earths<"), "the first spelling is shown");

    fs::remove_file(site.root().join("content/old.md")).unwrap();
    rebuild(
        &mut state,
        &Changes::Paths(vec!["content/old.md".into()]),
        &Sink::InPlace(&out),
        &mut Timer::start(),
    )
    .unwrap();
    let card = fs::read_to_string(out.join("reports/new/index.html")).unwrap();
    assert!(
        card.contains(">rare earths<") && !card.contains(">Rare Earths<"),
        "{card}"
    );
}

/// Issue 10, "act on what changed": a save of a report reuses the settings, templates and
/// static files read before (a big static/ folder costs nothing per keystroke); a save
/// of any of those reads them again.
#[test]
fn a_content_save_reuses_the_static_files_and_a_static_save_reads_them_again() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        crate::support::report("Alpha", "2025-05-01").summary("One."),
    );
    site.write("static/extra.css", "body { color: black; }\n");
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("out");
    fs::create_dir_all(&out).unwrap();
    let mut state = BuildState::new(Options {
        output: Some(out.clone()),
        ..Options::new(site.root())
    });
    rebuild(&mut state, &Changes::All, &Sink::InPlace(&out), &mut Timer::start()).unwrap();

    // The stylesheet changes on disk, but the rebuild is told only of the report.
    site.write("static/extra.css", "body { color: navy; }\n");
    site.write(
        "content/a.md",
        crate::support::report("Alpha", "2025-05-01").summary("Two."),
    );
    let content_only = Changes::Paths(vec!["content/a.md".into()]);
    rebuild(&mut state, &content_only, &Sink::InPlace(&out), &mut Timer::start()).unwrap();
    assert!(fs::read_to_string(out.join("reports/a/index.html"))
        .unwrap()
        .contains("Two."));
    assert!(
        fs::read_to_string(out.join("extra.css")).unwrap().contains("black"),
        "a content save did not read static/ again"
    );

    let static_save = Changes::Paths(vec!["static/extra.css".into()]);
    rebuild(&mut state, &static_save, &Sink::InPlace(&out), &mut Timer::start()).unwrap();
    assert!(fs::read_to_string(out.join("extra.css")).unwrap().contains("navy"));
}

fn mtime(path: &Path) -> std::time::SystemTime {
    fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn a_rebuild_keeps_unchanged_files_and_a_no_op_rebuild_writes_nothing() {
    let site = SiteTest::new();
    site.write(
        "content/a.md",
        crate::support::report("Alpha", "2025-03-01").body("Body A.\n"),
    );
    site.write(
        "content/b.md",
        crate::support::report("Beta", "2025-03-02").body("Body B.\n"),
    );
    site.build();
    let (a_page, b_page) = (
        site.out("reports/a/full/index.html"),
        site.out("reports/b/full/index.html"),
    );
    let (a_before, b_before) = (mtime(&a_page), mtime(&b_page));
    std::thread::sleep(std::time::Duration::from_millis(50));

    let run = site.build();
    assert!(run.stdout.starts_with("nothing changed"), "{}", run.stdout);
    assert_eq!((mtime(&a_page), mtime(&b_page)), (a_before, b_before));

    site.write(
        "content/b.md",
        crate::support::report("Beta", "2025-03-02").body("Body B, edited.\n"),
    );
    let run = site.build();
    assert!(run.stdout.starts_with("built "), "{}", run.stdout);
    assert_eq!(mtime(&a_page), a_before, "an unchanged page keeps its time");
    assert_ne!(mtime(&b_page), b_before, "the edited report's page is new");
    assert!(fs::read_to_string(&b_page).unwrap().contains("Body B, edited."));

    // A file deleted from the output is put back, not skipped as "nothing changed".
    fs::remove_file(&a_page).unwrap();
    let run = site.build();
    assert!(run.stdout.starts_with("built "), "{}", run.stdout);
    assert!(a_page.is_file());
}

/// The titles of the related reports on a quick read.
fn related_of(page: &Path) -> Vec<String> {
    let html = scraper::Html::parse_document(&fs::read_to_string(page).unwrap());
    crate::support::select(&html, "aside[aria-labelledby=related-h] li > a")
        .iter()
        .map(|a| crate::support::text(*a))
        .collect()
}

#[test]
fn a_tag_change_rewrites_exactly_the_quick_reads_whose_related_list_changed() {
    let site = SiteTest::new();
    let tags = ["copper", "copper", "nickel", "nickel", "zinc", "zinc"];
    for (n, tag) in tags.iter().enumerate() {
        site.write(
            &format!("content/r{n}.md"),
            crate::support::report(&format!("R{n}"), &format!("2025-03-{:02}", n + 1)).tags(&[tag, "metals"]),
        );
    }
    let out = tempfile::tempdir().unwrap();
    let opts = Options {
        output: Some(out.path().to_path_buf()),
        ..Options::new(site.root())
    };
    let mut state = BuildState::new(opts);
    rebuild(
        &mut state,
        &Changes::All,
        &Sink::InPlace(out.path()),
        &mut Timer::start(),
    )
    .unwrap();
    let page = |n: usize| out.path().join(format!("reports/r{n}/index.html"));
    let before: Vec<(Vec<String>, Vec<u8>)> = (0..6)
        .map(|n| (related_of(&page(n)), fs::read(page(n)).unwrap()))
        .collect();

    // r0 leaves copper for zinc: r1 loses it, r4 and r5 gain it; r2 and r3 keep theirs.
    site.write(
        "content/r0.md",
        crate::support::report("R0", "2025-03-01").tags(&["zinc", "metals"]),
    );
    rebuild(
        &mut state,
        &Changes::Paths(vec!["content/r0.md".into()]),
        &Sink::InPlace(out.path()),
        &mut Timer::start(),
    )
    .unwrap();
    let mut moved = Vec::new();
    for (n, (related, bytes)) in before.iter().enumerate().skip(1) {
        let changed_list = *related != related_of(&page(n));
        let rewritten = *bytes != fs::read(page(n)).unwrap();
        assert_eq!(
            changed_list, rewritten,
            "r{n}: related list changed {changed_list}, page rewritten {rewritten}"
        );
        if changed_list {
            moved.push(n);
        }
    }
    assert!(moved.contains(&1) && moved.contains(&4), "{moved:?}");
    assert!(!moved.contains(&2), "{moved:?}");
}

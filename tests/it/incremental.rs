//! Incremental rebuilds equal clean builds: a seeded random sequence of edits (body, tags
//! alone (which move other reports' related lists),
//! add, delete, rename, draft, score, template, and the pictures: images of a report's
//! bundle replaced, added, removed and shown or not, a bundle folder renamed, rows of a
//! `data/prices/` file changed, added and removed, a price file created and deleted) is
//! applied to a site; after each one the incrementally updated output must be
//! byte-for-byte what a clean build makes.

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
    let chart = chart_table(rng);
    format!(
        "+++\n{newsroom}title = \"Report {n} v{v}\"\ndate = 2025-03-{day:02}\ndraft = {draft}\nsummary = \"Takeaway {v} on ${t}.\"\ncategory = \"{cat}\"\ntags = [{tags}]\n\n[[scores]]\narea = \"{area}\"\nscore = {score}\nrationale = \"Because.\"\n\n[[stakeholders]]\nwho = \"{who}\"\naction = \"Act on ${t}.\"\n{chart}+++\n{body}",
        v = rng.next() % 1000,
        t = rng.pick(TICKERS),
        cat = rng.pick(&["Markets", "Policy"]),
        tags = tags.join(", "),
        area = rng.pick(AREAS),
        score = 1 + rng.below(10),
        who = rng.pick(WHO),
    )
}

/// A `[chart]` table now and then: drawn when its ticker has a price file, text when not.
fn chart_table(rng: &mut Rng) -> String {
    if rng.below(3) != 0 {
        return String::new();
    }
    let compare: Vec<String> = (0..rng.below(3))
        .map(|i| {
            let t = rng.pick(TICKERS);
            if i == 0 {
                format!("{{ ticker = \"{t}\", why = \"Peer {}.\" }}", rng.next() % 10)
            } else {
                format!("\"{t}\"")
            }
        })
        .collect();
    format!(
        "\n[chart]\nticker = \"{}\"\nwhy = \"Watch it.\"\ncompare = [{}]\n",
        rng.pick(TICKERS),
        compare.join(", ")
    )
}

/// The pictures of a bundle: the widest gets one resized copy (480 px), so resizing is
/// exercised without slowing the test down in a debug build.
const IMAGE_SIZES: [(u32, u32); 3] = [(90, 60), (300, 200), (520, 260)];

/// The bytes of picture `variant` saved as `name`: a PNG of one of [`IMAGE_SIZES`] in one
/// of three tints, or an SVG of one of three sizes.
fn image_bytes(name: &str, variant: usize) -> Vec<u8> {
    if name.ends_with(".svg") {
        let w = 20 + 10 * (variant % 3);
        return format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"20\"/>").into_bytes();
    }
    let (w, h) = IMAGE_SIZES[variant % 3];
    crate::pictures::png_tinted(w, h, [0, 128, 255][variant / 3 % 3])
}

/// A report that is a folder, `content/pics/<name>/index.md`, and the pictures beside it.
struct BundleModel {
    dir: String,
    /// File name -> which picture it holds ([`image_bytes`]).
    images: BTreeMap<String, usize>,
    /// The images its body shows, in order.
    shown: Vec<String>,
    /// Its lead image.
    lead: Option<String>,
    chart: String,
    version: u64,
    day: usize,
}

impl BundleModel {
    fn new(site: &SiteTest, rng: &mut Rng, k: usize) -> BundleModel {
        let mut b = BundleModel {
            dir: format!("content/pics/p{k}"),
            images: BTreeMap::new(),
            shown: Vec::new(),
            lead: None,
            chart: String::new(),
            version: 0,
            day: 10 + k,
        };
        for name in ["map.png", "chart.png", "icon.svg"] {
            b.images.insert(name.to_string(), rng.below(9));
            site.write_bytes(&b.file(name), &image_bytes(name, b.images[name]));
        }
        b.shown = vec!["chart.png".into(), "icon.svg".into()];
        b.lead = Some("map.png".into());
        b.chart = chart_table(rng);
        site.write(&b.index(), b.text());
        b
    }

    fn file(&self, name: &str) -> String {
        format!("{}/{name}", self.dir)
    }

    fn index(&self) -> String {
        self.file("index.md")
    }

    fn text(&self) -> String {
        let lead = self.lead.as_ref().map_or_else(String::new, |l| {
            format!("image = {{ src = \"{l}\", alt = \"Lead {l}\", credit = \"Desk\" }}\n")
        });
        let body: String = self
            .shown
            .iter()
            .map(|n| format!("\n![Figure {n}]({n} \"Caption {n}\")\n"))
            .collect();
        format!(
            "+++\ntitle = \"Bundle {dir} v{v}\"\ndate = 2025-03-{day:02}\nsummary = \"Pictures, take {v}.\"\ncategory = \"Markets\"\ntags = [\"copper\"]\nauthors = [\"Research Desk\"]\n{lead}\n[[scores]]\narea = \"Markets\"\nscore = {score}\nrationale = \"Because.\"\n{chart}+++\nIntro {v}.\n{body}",
            dir = self.dir,
            v = self.version,
            day = self.day,
            score = 1 + self.version % 10,
            chart = self.chart,
        )
    }

    /// One random edit of the bundle; returns the paths it touched and what it did.
    fn edit(&mut self, site: &SiteTest, rng: &mut Rng, step: usize) -> (Vec<PathBuf>, String) {
        let names: Vec<String> = self.images.keys().cloned().collect();
        let mut changed: Vec<PathBuf> = Vec::new();
        let what = match rng.below(6) {
            0 if !names.is_empty() => {
                let name = names[rng.below(names.len())].clone();
                let variant = (self.images[&name] + 1 + rng.below(8)) % 9;
                self.images.insert(name.clone(), variant);
                site.write_bytes(&self.file(&name), &image_bytes(&name, variant));
                changed.push(self.file(&name).into());
                format!("replace {}", self.file(&name))
            }
            1 if !names.is_empty() => {
                let name = names[rng.below(names.len())].clone();
                self.images.remove(&name);
                site.remove(&self.file(&name));
                changed.push(self.file(&name).into());
                let shown = self.shown.len();
                self.shown.retain(|n| *n != name);
                let was_lead = self.lead.as_ref() == Some(&name);
                if was_lead {
                    self.lead = None;
                }
                if was_lead || shown != self.shown.len() {
                    site.write(&self.index(), self.text());
                    changed.push(self.index().into());
                }
                format!("remove {}", self.file(&name))
            }
            2 => {
                self.lead = match rng.below(3) {
                    0 => None,
                    _ if !names.is_empty() => Some(names[rng.below(names.len())].clone()),
                    _ => None,
                };
                site.write(&self.index(), self.text());
                changed.push(self.index().into());
                format!("lead of {} = {:?}", self.dir, self.lead)
            }
            3 => {
                self.version += 1;
                self.chart = chart_table(rng);
                if !names.is_empty() && rng.below(2) == 0 {
                    self.shown = vec![names[rng.below(names.len())].clone()];
                }
                site.write(&self.index(), self.text());
                changed.push(self.index().into());
                format!("edit {} (shows {:?})", self.index(), self.shown)
            }
            // The folder renamed: the slug, and so every published file's path, moves.
            4 if rng.below(2) == 0 => {
                let from = self.dir.clone();
                self.dir = format!("content/pics/moved-{step}");
                fs::rename(site.root().join(&from), site.root().join(&self.dir)).unwrap();
                changed.push(from.clone().into());
                changed.push(self.dir.clone().into());
                format!("rename {from} -> {}", self.dir)
            }
            _ => {
                let ext = if rng.below(4) == 0 { "svg" } else { "png" };
                let name = format!("new{step}.{ext}");
                let variant = rng.below(9);
                self.images.insert(name.clone(), variant);
                site.write_bytes(&self.file(&name), &image_bytes(&name, variant));
                changed.push(self.file(&name).into());
                if rng.below(2) == 0 {
                    self.shown.push(name.clone());
                    site.write(&self.index(), self.text());
                    changed.push(self.index().into());
                }
                format!("add {} (shown: {})", self.file(&name), self.shown.contains(&name))
            }
        };
        (changed, what)
    }
}

/// The price files of `data/prices/`: per ticker, closes in cents by day since
/// 2025-01-01 (the reports are dated in March).
struct PriceModel {
    files: BTreeMap<&'static str, BTreeMap<u64, u64>>,
}

impl PriceModel {
    fn path(ticker: &str) -> String {
        format!("data/prices/{ticker}.csv")
    }

    /// Writes one ticker's file with its rows in a random order (FORMAT.md: any order).
    fn write(&self, site: &SiteTest, rng: &mut Rng, ticker: &str) {
        let mut rows: Vec<String> = self.files[ticker]
            .iter()
            .map(|(day, cents)| {
                let date = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(*day);
                format!("{date},{}.{:02}\n", cents / 100, cents % 100)
            })
            .collect();
        for i in (1..rows.len()).rev() {
            rows.swap(i, rng.below(i + 1));
        }
        site.write(&Self::path(ticker), format!("date,close\n{}", rows.concat()));
    }

    fn new(site: &SiteTest, rng: &mut Rng) -> PriceModel {
        let mut model = PriceModel { files: BTreeMap::new() };
        for (ticker, days) in [("MP", 120), ("LIT", 90)] {
            let rows = (0..days).map(|d| (d, 2000 + rng.next() % 3000)).collect();
            model.files.insert(ticker, rows);
            model.write(site, rng, ticker);
        }
        model
    }

    /// One random edit of a price file; returns its path and what was done.
    fn edit(&mut self, site: &SiteTest, rng: &mut Rng) -> (PathBuf, String) {
        let ticker = ["MP", "LIT", "USAR"][rng.below(3)];
        let path = Self::path(ticker);
        let Some(rows) = self.files.get_mut(ticker) else {
            let rows = (0..5 + rng.below(60) as u64)
                .map(|d| (d * 2, 1000 + rng.next() % 900))
                .collect();
            self.files.insert(ticker, rows);
            self.write(site, rng, ticker);
            return (path.clone().into(), format!("create {path}"));
        };
        let days: Vec<u64> = rows.keys().copied().collect();
        let what = match rng.below(5) {
            0 if days.len() > 1 => {
                rows.remove(&days[rng.below(days.len())]);
                "remove a row"
            }
            1 => {
                // New days, some past the last one: the window's end moves.
                for _ in 0..1 + rng.below(4) {
                    rows.insert(rng.next() % 150, 500 + rng.next() % 5000);
                }
                "add rows"
            }
            2 if rng.below(2) == 0 => {
                self.files.remove(ticker);
                site.remove(&path);
                return (path.clone().into(), format!("delete {path}"));
            }
            _ => {
                let day = days[rng.below(days.len())];
                rows.insert(day, 500 + rng.next() % 5000);
                "change a close"
            }
        };
        self.write(site, rng, ticker);
        (path.clone().into(), format!("{what} of {path}"))
    }
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

/// Panics unless both folders hold the same files with the same bytes; returns them.
fn assert_same_tree(incremental: &Path, clean: &Path, step: &str) -> BTreeMap<PathBuf, Vec<u8>> {
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
    a
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn any_sequence_of_edits_rebuilds_to_what_a_clean_build_makes() {
    let site = SiteTest::empty();
    site.write("config.toml", CONFIG.replace("paginate = 10", "paginate = 2"));
    // `IMPRESS_EDIT_SEED=<n>` tries another sequence (a failing one is replayed the same way).
    let seed = std::env::var("IMPRESS_EDIT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_abcd_0001);
    let mut rng = Rng(seed);
    let mut live: Vec<String> = Vec::new();
    for n in 0..6 {
        let name = format!("content/r{n}.md");
        site.write(&name, report_text(&mut rng, n, false));
        live.push(name);
    }
    let mut bundles: Vec<BundleModel> = (0..2).map(|k| BundleModel::new(&site, &mut rng, k)).collect();
    let mut prices = PriceModel::new(&site, &mut rng);
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
    // What the pictures' edits showed along the way: they must have been exercised.
    let (mut drawn_charts, mut resized) = (0, 0);
    for step in 0..120 {
        let mut changed: Vec<PathBuf> = Vec::new();
        let what = match rng.below(13) {
            10 | 11 => {
                let k = rng.below(bundles.len());
                let (paths, what) = bundles[k].edit(&site, &mut rng, step);
                changed.extend(paths);
                what
            }
            12 => {
                let (path, what) = prices.edit(&site, &mut rng);
                changed.push(path);
                what
            }
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
        let out = assert_same_tree(&inc_out, &clean_out, &step_name);
        drawn_charts += out
            .iter()
            .filter(|(p, b)| p.ends_with("index.html") && contains(b, b"role=\"img\" aria-labelledby=\"chart-title"))
            .count();
        resized += out.keys().filter(|p| p.to_string_lossy().contains("-480w.")).count();
        fs::remove_dir_all(&clean_out).unwrap();
    }
    assert!(
        drawn_charts > 0 && resized > 0,
        "charts drawn {drawn_charts}, resized copies {resized}"
    );
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
    site.write("static/extra.css", "body { color: olive; }\n");
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
        fs::read_to_string(out.join("extra.css")).unwrap().contains("olive"),
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

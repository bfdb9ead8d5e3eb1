//! The driver: one rebuild, stage by stage, in the order of the pipeline drawn in lib.rs.
//! `build` is a rebuild from an empty state into a staging folder, `check` one into
//! nothing, and serve and watch keep one state and rebuild in place what a change
//! touches; all of them run [`rebuild`], so an incremental result equals a clean build.

use crate::body::{BodyContext, LinkMap};
use crate::cache::Cache;
use crate::card::CardMaker;
use crate::cashtag::Ticker;
use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::incremental::{Bodies as BodyStage, BuildState, Changes, Content, RebuildStats};
use crate::inputs::Inputs;
use crate::layout::Layout;
use crate::markdown::BodySettings;
use crate::output::{self, Pages, Sink};
use crate::pictures::Pictures;
use crate::pictures::Published;
use crate::render::{Bodies, Renderer, ReportValues};
use crate::{Failure, Options, Summary, Timer};

/// Rebuilds after `changes`, writing into `sink`.
pub fn rebuild(
    state: &mut BuildState,
    changes: &Changes,
    sink: &Sink<'_>,
    timer: &mut Timer,
) -> Result<RebuildStats, Failure> {
    let inputs = state.refresh_inputs(changes)?;
    let mut errors = state.refresh_sources(changes)?;
    timer.lap("load and parse");
    let content = state.published(&mut errors);
    errors.extend(crate::check::check_areas(
        &state.options().root,
        &inputs.config,
        &content.reports,
    ));
    // Only a one-off build may find nothing to do; serve and watch must hold a record of
    // every page they write.
    let input_hash = if state.is_one_shot() {
        state.input_hash(&inputs, &content)
    } else {
        0
    };
    if state.is_one_shot() && errors.is_empty() {
        if let Some(stats) = output::unchanged(sink, input_hash, content.reports.len()) {
            return Ok(stats);
        }
    }
    let bodies = render_bodies(state, &inputs, &content, &mut errors);
    timer.lap("render bodies");
    let env = match &inputs.env {
        Ok(env) if errors.is_empty() => env,
        Ok(_) => return Err(Failure::sorted(errors)),
        Err(ds) => return Err(Failure::sorted(errors.into_iter().chain(ds.iter().cloned()).collect())),
    };
    let (mut layout, candidates) = state.lay_out(bodies, &inputs, timer);
    let published = check_layout(&layout, &inputs, &state.options().root)?;
    let todo = state.stale_routes(&layout, candidates);
    timer.lap("plan");
    // A one-off build gives each body to the job that writes its full analysis.
    let given = state.is_one_shot().then(|| std::mem::take(&mut layout.bodies));
    let bodies = given.map_or(Bodies::Lend(&layout.bodies), Bodies::Give);
    let job = RenderJob {
        layout: &layout,
        inputs: &inputs,
        env,
        published: &published,
        todo,
        input_hash,
    };
    let stats = render_and_write(state, job, bodies, sink, timer)?;
    state.keep(layout);
    Ok(stats)
}

/// The bodies stage: the `@/` link map of what is published, then every body that is new
/// or whose text or link targets moved.
fn render_bodies(
    state: &mut BuildState,
    inputs: &Inputs,
    content: &Content,
    errors: &mut Vec<Diagnostic>,
) -> BodyStage {
    let links = LinkMap::new(&content.reports, &content.pages, state.failed_sources(), &inputs.urls);
    let ticker_url = |t: &Ticker| inputs.urls.ticker_url(t);
    let resolve = |p: &str, part: Option<&str>| match part {
        Some(f) => links.resolve_part(p, f),
        None => links.resolve(p),
    };
    let settings = BodySettings {
        unsafe_html: inputs.config.unsafe_html,
        ticker_url: &ticker_url,
        resolve_internal: &resolve,
        base_path: &inputs.urls.base_path,
        local: None,
    };
    let root = state.options().root.clone();
    let pictures = Pictures::new(&root, &inputs.statics, &inputs.urls);
    let cx = BodyContext {
        root: &root,
        settings: &settings,
        links: &links,
        pictures: &pictures,
    };
    state.render_bodies(content, &cx, errors)
}

/// What the laid-out site must hold before anything is written: every root-relative or
/// bundle link names a file, no alias takes a page's path. Returns the bundles' files.
fn check_layout(layout: &Layout, inputs: &Inputs, root: &Path) -> Result<Vec<Published>, Failure> {
    let published = crate::pictures::published_files(&layout.site);
    let base_path = &inputs.urls.base_path;
    let mut errors = crate::body::site_link_errors(layout, &inputs.statics, &published, root, base_path);
    if !layout.site.aliases.is_empty() {
        errors.extend(crate::aliases::alias_conflicts(&layout.site, &layout.routes, root));
    }
    if errors.is_empty() {
        Ok(published)
    } else {
        Err(Failure::sorted(errors))
    }
}

/// What the render stage is given.
struct RenderJob<'a> {
    layout: &'a Layout,
    inputs: &'a Inputs,
    env: &'a minijinja::Environment<'static>,
    published: &'a [Published],
    todo: Vec<usize>,
    input_hash: u64,
}

/// The render and sink stages: each stale page rendered (share cards drawn alongside,
/// each once) and handed to the sink.
fn render_and_write(
    state: &mut BuildState,
    job: RenderJob<'_>,
    bodies: Bodies<'_>,
    sink: &Sink<'_>,
    timer: &mut Timer,
) -> Result<RebuildStats, Failure> {
    let RenderJob {
        layout,
        inputs,
        env,
        published,
        todo,
        input_hash,
    } = job;
    let root = state.options().root.clone();
    // A card already in `.impress-cache/` is only read (README, "Share cards").
    let cache = Cache::new(&root);
    let card_maker = match (&inputs.card_fonts, sink) {
        (_, Sink::Check) => None,
        (Ok(fonts), _) => Some(CardMaker::new(env, fonts, &cache, &root, &inputs.theme)?),
        (Err(d), _) => return Err(d.clone().into()),
    };
    let values = ReportValues {
        cards: &layout.cards,
        terms: &layout.terms,
        card_maker: card_maker.as_ref(),
        prices: &inputs.prices,
        today: state.options().now.date_naive(),
    };
    let (config, urls, theme) = (&inputs.config, &inputs.urls, &inputs.theme);
    let renderer = Renderer::new(&layout.site, config, urls, env, &root, theme, values);
    let pages = Pages {
        layout,
        renderer: &renderer,
        todo,
        bodies,
        statics: &inputs.statics,
        published,
        input_hash,
    };
    output::write_output(sink, &mut state.written, pages, timer)
}

/// A whole build from an empty state into a staging folder, swapped in when complete.
pub(crate) fn full_build(opts: &Options) -> Result<Summary, Failure> {
    let mut timer = Timer::start();
    let mut state = BuildState::one_shot(opts.clone());
    let staging = output::prepare_output(&opts.root, &opts.output_dir())?;
    let stats = match rebuild(&mut state, &Changes::All, &Sink::Staging(&staging), &mut timer) {
        Ok(stats) => stats,
        Err(f) => {
            staging.abandon();
            return Err(f);
        }
    };
    let output = if stats.unchanged {
        let out = staging.output.clone();
        staging.abandon();
        out
    } else {
        let out = staging.commit()?;
        timer.lap("swap");
        out
    };
    Ok(Summary {
        reports: stats.reports,
        pages: if stats.unchanged { 0 } else { stats.routes },
        unchanged: stats.unchanged,
        warnings: state.warnings(),
        timings: timer.timings,
        output,
        base_path: state.base_path(),
    })
}

/// Validates and renders everything, checking internal links, writing nothing.
pub(crate) fn check(opts: &Options) -> Result<Summary, Failure> {
    let mut timer = Timer::start();
    let mut state = BuildState::one_shot(opts.clone());
    let stats = rebuild(&mut state, &Changes::All, &Sink::Check, &mut timer)?;
    Ok(Summary {
        reports: stats.reports,
        pages: stats.routes,
        unchanged: false,
        warnings: state.warnings(),
        timings: timer.timings,
        output: opts.output_dir(),
        base_path: state.base_path(),
    })
}

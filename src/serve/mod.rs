//! `impress serve` and `impress watch`: build, then rebuild what changed on every save.
//! `serve` also serves the output over HTTP with live reload; its links point at the local
//! address, and it builds into a folder of its own, made fresh for each run and removed
//! when it stops, so that `public/` keeps the real site and no run ever shows another's.

pub mod reload;
pub mod watch;

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::build::rebuild;
use crate::diagnostics::{render_all, Diagnostic};
use crate::incremental::{BuildState, Changes, RebuildStats};
use crate::output::Sink;
use crate::{output, Failure, Options, Timer};

use reload::{Hub, Message};
use watch::{Batch, ChangeKind, SiteWatcher};

/// What `serve` and `watch` tell the terminal.
#[derive(Debug)]
pub enum Event {
    /// The server listens here.
    Listening {
        /// `http://127.0.0.1:1111/`
        url: String,
        /// The port asked for was taken.
        port_was_taken: Option<u16>,
    },
    /// A build is done: the first one, or the first good one after failures.
    Built {
        /// What it did.
        stats: RebuildStats,
        /// How long it took.
        elapsed: Duration,
        /// What `impress build` would warn about.
        warnings: Vec<Diagnostic>,
    },
    /// A rebuild after changes is done.
    Rebuilt {
        /// What changed.
        batch: Batch,
        /// What it did.
        stats: RebuildStats,
        /// How long it took.
        elapsed: Duration,
        /// Time per phase.
        timings: Vec<(&'static str, Duration)>,
        /// The warnings of the changed files (all of them after a config or data change).
        warnings: Vec<Diagnostic>,
    },
    /// A build failed.
    Failed {
        /// Every problem found.
        diagnostics: Vec<Diagnostic>,
        /// A good build of this run is still in place (and served, under `serve`); false
        /// when the first build of the run has not succeeded yet.
        last_good: bool,
    },
}

/// Where `serve` listens.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to bind.
    pub bind: String,
    /// Port to try first.
    pub port: u16,
}

/// Asks a running `serve` or `watch` to stop, from another thread (a signal handler):
/// the loop ends after the rebuild under way, and `serve` removes its folder.
#[derive(Clone, Default)]
pub struct Stop(Arc<StopState>);

#[derive(Default)]
struct StopState {
    requested: AtomicBool,
    serve_folder: Mutex<Option<PathBuf>>,
}

impl Stop {
    /// A stop not yet requested.
    pub fn new() -> Stop {
        Stop::default()
    }

    /// Asks the loop to end.
    pub fn request(&self) {
        self.0.requested.store(true, Ordering::SeqCst);
    }

    /// True once [`Stop::request`] was called.
    pub fn is_requested(&self) -> bool {
        self.0.requested.load(Ordering::SeqCst)
    }

    /// Removes `serve`'s folder at once, for a process that must end before the loop does
    /// (a long first build under way). The loop's own stop removes it too.
    pub fn remove_serve_folder(&self) {
        let folder = self.0.serve_folder.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(dir) = folder {
            // A build may be writing into it: a second try catches files made meanwhile.
            for _ in 0..3 {
                if std::fs::remove_dir_all(&dir).is_ok() || !dir.exists() {
                    break;
                }
            }
        }
    }

    fn set_serve_folder(&self, dir: Option<PathBuf>) {
        *self.0.serve_folder.lock().unwrap_or_else(|e| e.into_inner()) = dir;
    }
}

/// How often the loop looks at [`Stop`] while no file changes.
const STOP_TICK: Duration = Duration::from_millis(100);

/// The loop of `serve` or `watch`: the state, the watcher, where pages go and who hears.
struct Loop<'a> {
    state: BuildState,
    watcher: SiteWatcher,
    out: PathBuf,
    /// A good build of this run is in `out`.
    built: bool,
    on: &'a mut dyn FnMut(Event),
    /// `serve`'s open pages; `None` under `watch`.
    hub: Option<&'a Hub>,
    stop: &'a Stop,
}

impl Loop<'_> {
    /// A state's first build: into a staging folder swapped in whole.
    fn first_build(&mut self) -> Result<RebuildStats, Failure> {
        let staging = output::prepare_output(&self.state.options().root.clone(), &self.out)?;
        let mut timer = Timer::start();
        match rebuild(&mut self.state, &Changes::All, &Sink::Staging(&staging), &mut timer) {
            Ok(stats) => {
                staging.commit()?;
                Ok(stats)
            }
            Err(f) => {
                staging.abandon();
                Err(f)
            }
        }
    }

    fn succeeded(&mut self, message: Message) {
        self.built = true;
        if let Some(hub) = self.hub {
            hub.broadcast(&message);
        }
    }

    fn failed(&mut self, f: Failure) {
        if let Some(hub) = self.hub {
            hub.broadcast(&Message::Error(render_all(&f.diagnostics)));
        }
        (self.on)(Event::Failed {
            diagnostics: f.diagnostics,
            last_good: self.built,
        });
    }

    /// The first build, then a rebuild per batch of changes until [`Stop`] is requested.
    fn run(&mut self) -> Result<(), Failure> {
        self.build_from_scratch();
        // In place from now on: the output's real path, as the watcher reports paths.
        self.out = std::fs::canonicalize(&self.out).unwrap_or_else(|_| self.out.clone());
        while !self.stop.is_requested() {
            if let Some(batch) = self.watcher.next_batch(STOP_TICK) {
                self.rebuild(batch);
            }
        }
        Ok(())
    }

    fn build_from_scratch(&mut self) {
        let start = Instant::now();
        match self.first_build() {
            Ok(stats) => {
                self.succeeded(Message::Reload);
                let warnings = self.state.warnings();
                (self.on)(Event::Built {
                    stats,
                    elapsed: start.elapsed(),
                    warnings,
                });
            }
            Err(f) => self.failed(f),
        }
    }

    fn rebuild(&mut self, batch: Batch) {
        if !self.built {
            // No good build yet: a whole one, into a staging folder.
            return self.build_from_scratch();
        }
        let start = Instant::now();
        let mut timer = Timer::start();
        let result = rebuild(&mut self.state, &batch.changes(), &Sink::InPlace(&self.out), &mut timer);
        match result {
            Ok(stats) => {
                self.succeeded(if batch.only_css() {
                    Message::Css
                } else {
                    Message::Reload
                });
                let mut warnings = self.state.warnings();
                if !batch.rescan && !batch.kinds.contains(&ChangeKind::Config) {
                    // Only the saved files' warnings: the others were shown when they came.
                    warnings.retain(|w| batch.paths.contains(&w.file));
                }
                warnings.extend(batch.problems.iter().cloned());
                (self.on)(Event::Rebuilt {
                    batch,
                    stats,
                    elapsed: start.elapsed(),
                    timings: timer.timings,
                    warnings,
                });
            }
            Err(f) => self.failed(f),
        }
    }
}

/// The first build, then rebuilds until `stop`; `hub` (serve only) hears every result.
fn build_and_watch(
    opts: Options,
    out: PathBuf,
    on: &mut dyn FnMut(Event),
    hub: Option<&Hub>,
    stop: &Stop,
) -> Result<(), Failure> {
    // Watch before the first build, so that a save during it is not missed.
    let watcher = SiteWatcher::new(&opts.root)?;
    Loop {
        state: BuildState::new(opts),
        watcher,
        out,
        built: false,
        on,
        hub,
        stop,
    }
    .run()
}

/// `impress watch`: build into the output folder and rebuild on change, no server.
pub fn run_watch(opts: Options, stop: &Stop, on: &mut dyn FnMut(Event)) -> Result<(), Failure> {
    let out = opts.output_dir();
    build_and_watch(opts, out, on, None, stop)
}

/// `impress serve`: build, serve over HTTP, watch, rebuild and reload open pages, until
/// `stop`. Without `opts.output` it builds into a new folder under the system's temp
/// folder and removes that folder when it returns.
pub fn run_serve(
    mut opts: Options,
    serve: ServeOptions,
    stop: &Stop,
    on: &mut dyn FnMut(Event),
) -> Result<(), Failure> {
    let (server, port) = bind(&serve)?;
    let host = if serve.bind == "0.0.0.0" || serve.bind == "::" {
        "127.0.0.1".to_string()
    } else if serve.bind.contains(':') {
        format!("[{}]", serve.bind)
    } else {
        serve.bind.clone()
    };
    let url = format!("http://{host}:{port}/");
    opts.base_url = Some(url.clone());
    // `folder` is dropped (and so removed) when this function returns, however it returns.
    let (folder, out) = match &opts.output {
        Some(o) => (None, o.clone()),
        None => {
            let folder = serve_folder()?;
            let out = folder.path().join("site");
            (Some(folder), out)
        }
    };
    stop.set_serve_folder(folder.as_ref().map(|f| f.path().to_path_buf()));
    opts.output = Some(out.clone());
    std::fs::create_dir_all(&out).map_err(|e| Diagnostic::error(&out, format!("cannot create: {e}")))?;
    let out = std::fs::canonicalize(&out).unwrap_or(out);
    let hub = Hub::default();
    let server = Arc::new(server);
    for _ in 0..4 {
        let server = server.clone();
        let hub = hub.clone();
        let root = out.clone();
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                handle(request, &root, &hub);
            }
        });
    }
    on(Event::Listening {
        url,
        port_was_taken: (serve.port != 0 && port != serve.port).then_some(serve.port),
    });
    let result = build_and_watch(opts, out, on, Some(&hub), stop);
    stop.set_serve_folder(None);
    drop(folder);
    result
}

/// A new folder for one run of `serve`, under the system's temp folder. Never reused:
/// a folder of an earlier run holds a site with links to that run's port.
fn serve_folder() -> Result<tempfile::TempDir, Failure> {
    tempfile::Builder::new()
        .prefix("impress-serve-")
        .tempdir()
        .map_err(|e| {
            Diagnostic::error(
                std::env::temp_dir(),
                format!("cannot make a folder to build the site into: {e}"),
            )
            .with_help("set TMPDIR to a folder impress may write in")
            .into()
        })
}

fn bind(serve: &ServeOptions) -> Result<(tiny_http::Server, u16), Failure> {
    let mut last = String::new();
    // Port 0 asks the system for any free port (tests use it).
    let last_port = if serve.port == 0 {
        0
    } else {
        serve.port.saturating_add(19)
    };
    for port in serve.port..=last_port {
        match tiny_http::Server::http((serve.bind.as_str(), port)) {
            Ok(s) => {
                let bound = s.server_addr().to_ip().map_or(port, |a| a.port());
                return Ok((s, bound));
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(Diagnostic::error(
        "--port",
        format!(
            "cannot listen on {}:{} or the 19 ports after it: {last}",
            serve.bind, serve.port
        ),
    )
    .with_help("pass another --port, or stop the program that holds it")
    .into())
}

/// The file under `root` that a URL path names, if it is safely inside `root`.
/// Refuses `..`, encoded separators and NUL, and symlinks that lead outside.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let path = url_path.split(['?', '#']).next().unwrap_or("");
    let mut rel = PathBuf::new();
    // Split before decoding, so that an encoded `/` or `\\` cannot smuggle a separator
    // past the segment check.
    for raw in path.split('/') {
        let seg = percent_encoding::percent_decode_str(raw).decode_utf8().ok()?;
        if seg.contains(['/', '\\', '\0']) {
            return None;
        }
        match seg.as_ref() {
            "" | "." => {}
            ".." => return None,
            s => rel.push(s),
        }
    }
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut full = root.join(&rel);
    if full.is_dir() {
        full = full.join("index.html");
    }
    let real = std::fs::canonicalize(&full).ok()?;
    real.starts_with(root).then_some(real)
}

/// The `Content-Type` of a file, by its extension; text is UTF-8, as impress writes it.
fn content_type(path: &Path) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml")
        || mime
            .suffix()
            .is_some_and(|s| s == mime_guess::mime::XML || s == mime_guess::mime::JSON);
    if textual && mime.get_param(mime_guess::mime::CHARSET).is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header names and values are valid")
}

fn respond(request: tiny_http::Request, status: u16, bytes: Vec<u8>, content_type: &str) {
    let response = tiny_http::Response::from_data(bytes)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"));
    // A failed respond means the client went away; nothing to do.
    let _ = request.respond(response);
}

fn handle(request: tiny_http::Request, root: &Path, hub: &Hub) {
    let url = request.url().to_string();
    if url.split('?').next() == Some(reload::EVENTS_PATH) {
        let from_no_site_page = url.ends_with(reload::FROM_NO_SITE_PAGE);
        hub.subscribe(request.into_writer(), from_no_site_page);
        return;
    }
    if !matches!(request.method(), tiny_http::Method::Get | tiny_http::Method::Head) {
        let _ = request.respond(tiny_http::Response::empty(405).with_header(header("Allow", "GET, HEAD")));
        return;
    }
    if !hub.has_site() {
        // No site yet: every page says why (the first build failed, or is under way), and
        // reloads itself when a build succeeds.
        let (status, page) = match hub.last_error() {
            Some(errors) => (500, reload::no_site_page(Some(&errors))),
            None => (503, reload::no_site_page(None)),
        };
        return respond(request, status, page, "text/html; charset=utf-8");
    }
    let path_only = url.split('?').next().unwrap_or("/");
    // A folder without its trailing slash: redirect, as static hosts do.
    if let Some(p) = resolve(root, path_only) {
        if !path_only.ends_with('/')
            && p.file_name().is_some_and(|n| n == "index.html")
            && !path_only.ends_with("index.html")
        {
            let _ = request.respond(
                match tiny_http::Header::from_bytes(&b"Location"[..], format!("{path_only}/").as_bytes()) {
                    Ok(location) => tiny_http::Response::empty(301).with_header(location),
                    // A path that cannot be a header value (it came from the client): no redirect.
                    Err(()) => tiny_http::Response::empty(404),
                },
            );
            return;
        }
    }
    let (status, file) = match resolve(root, path_only).filter(|p| p.is_file()) {
        Some(p) => (200, Some(p)),
        None => (404, resolve(root, "/404.html")),
    };
    let (bytes, ctype) = match file.as_ref().map(|p| (std::fs::read(p), p)) {
        Some((Ok(b), p)) => (b, content_type(p)),
        // Gone between the lookup and the read (a rebuild deleted it), or never there.
        Some((Err(_), _)) | None => (b"not found".to_vec(), "text/plain; charset=utf-8".to_string()),
    };
    let bytes = if ctype.starts_with("text/html") {
        reload::inject(&bytes)
    } else {
        bytes
    };
    respond(request, status, bytes, &ctype);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_refuses_paths_outside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/index.html"), "x").unwrap();
        std::fs::write(root.join("f.css"), "x").unwrap();
        assert_eq!(resolve(&root, "/a/"), Some(root.join("a/index.html")));
        assert_eq!(resolve(&root, "/f.css?v=1"), Some(root.join("f.css")));
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/a%2f..%2f..%2fetc",
            "/a/../../x",
            "/%00",
            "/..%5c..%5cx",
        ] {
            assert_eq!(resolve(&root, bad), None, "{bad}");
        }
    }
}

//! `impress serve` and `impress watch`: build, then rebuild what changed on every save.
//! `serve` also serves the output over HTTP with live reload; its links point at the local
//! address, and it builds into a folder of its own so that `public/` keeps the real site.

pub mod reload;
pub mod watch;

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::build::rebuild;
use crate::diagnostics::Diagnostic;
use crate::incremental::{BuildState, Changes, RebuildStats};
use crate::output::Sink;
use crate::{output, Failure, Options, Timer};

use reload::{Hub, Message};
use watch::{Batch, SiteWatcher};

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
    /// The first build is done.
    Built {
        /// What it did.
        stats: RebuildStats,
        /// How long it took.
        elapsed: Duration,
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
    },
    /// A build failed; the last good site stays.
    Failed(Vec<Diagnostic>),
}

/// Where `serve` listens.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to bind.
    pub bind: String,
    /// Port to try first.
    pub port: u16,
}

/// A state's first build: into a staging folder swapped in whole.
fn first_build(state: &mut BuildState, out: &Path) -> Result<RebuildStats, Failure> {
    let opts = state.options().clone();
    let staging = output::prepare_output(&opts.root, out)?;
    let mut timer = Timer::start();
    match rebuild(state, &Changes::All, &Sink::Staging(&staging), &mut timer) {
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

/// Rebuilds forever as files change. `notify` is told of each result.
fn watch_loop(
    state: &mut BuildState,
    watcher: &SiteWatcher,
    out: &Path,
    mut built: bool,
    on: &mut dyn FnMut(Event),
    hub: Option<&Hub>,
) -> Result<(), Failure> {
    loop {
        let Some(batch) = watcher.next_batch(Duration::from_secs(3600)) else {
            continue;
        };
        let start = Instant::now();
        let mut timer = Timer::start();
        let result = if built {
            rebuild(state, &batch.changes(), &Sink::InPlace(out), &mut timer)
        } else {
            first_build(state, out)
        };
        match result {
            Ok(stats) => {
                built = true;
                if let Some(hub) = hub {
                    hub.broadcast(&if batch.only_css() {
                        Message::Css
                    } else {
                        Message::Reload
                    });
                }
                on(Event::Rebuilt {
                    batch,
                    stats,
                    elapsed: start.elapsed(),
                    timings: timer.timings,
                });
            }
            Err(f) => {
                if let Some(hub) = hub {
                    hub.broadcast(&Message::Error(crate::diagnostics::render_all(&f.diagnostics)));
                }
                on(Event::Failed(f.diagnostics));
            }
        }
    }
}

/// The first build, then rebuilds forever; `hub` (serve only) hears about every result.
fn build_and_watch(opts: Options, out: PathBuf, on: &mut dyn FnMut(Event), hub: Option<&Hub>) -> Result<(), Failure> {
    // Watch before the first build, so that a save during it is not missed.
    let watcher = SiteWatcher::new(&opts.root, vec![out.clone()])?;
    let mut state = BuildState::new(opts);
    let start = Instant::now();
    let built = match first_build(&mut state, &out) {
        Ok(stats) => {
            on(Event::Built {
                stats,
                elapsed: start.elapsed(),
            });
            true
        }
        Err(f) => {
            if let Some(hub) = hub {
                hub.broadcast(&Message::Error(crate::diagnostics::render_all(&f.diagnostics)));
            }
            on(Event::Failed(f.diagnostics));
            false
        }
    };
    let out = std::fs::canonicalize(&out).unwrap_or(out);
    watch_loop(&mut state, &watcher, &out, built, on, hub)
}

/// `impress watch`: build into the output folder and rebuild on change, no server.
pub fn run_watch(opts: Options, on: &mut dyn FnMut(Event)) -> Result<(), Failure> {
    let out = opts.output_dir();
    build_and_watch(opts, out, on, None)
}

/// `impress serve`: build, serve over HTTP, watch, rebuild and reload open pages.
pub fn run_serve(mut opts: Options, serve: ServeOptions, on: &mut dyn FnMut(Event)) -> Result<(), Failure> {
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
    let out = match &opts.output {
        Some(o) => o.clone(),
        None => serve_dir(&opts.root),
    };
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
    build_and_watch(opts, out, on, Some(&hub))
}

/// The folder `serve` builds into: outside the site, one per site.
fn serve_dir(root: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let tag = crate::hash::hash_of(&abs);
    std::env::temp_dir().join(format!("impress-serve-{tag:016x}"))
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
    let decoded = percent_decode(path)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut rel = PathBuf::new();
    for seg in decoded.split('/') {
        match seg {
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

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            let b = u8::from_str_radix(hex, 16).ok()?;
            if b == b'/' {
                // An encoded slash would smuggle a separator past the segment check.
                return None;
            }
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header names and values are valid")
}

fn handle(request: tiny_http::Request, root: &Path, hub: &Hub) {
    let url = request.url().to_string();
    if url.split('?').next() == Some(reload::EVENTS_PATH) {
        hub.subscribe(request.into_writer());
        return;
    }
    if !matches!(request.method(), tiny_http::Method::Get | tiny_http::Method::Head) {
        // A failed respond means the client went away; nothing to do.
        let _ = request.respond(tiny_http::Response::empty(405).with_header(header("Allow", "GET, HEAD")));
        return;
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
    let (bytes, ctype) = match &file {
        Some(p) => match std::fs::read(p) {
            Ok(b) => (b, content_type(p)),
            Err(_) => (b"not found".to_vec(), "text/plain; charset=utf-8"),
        },
        None => (b"not found".to_vec(), "text/plain; charset=utf-8"),
    };
    let bytes = if ctype.starts_with("text/html") {
        reload::inject(&bytes)
    } else {
        bytes
    };
    let response = tiny_http::Response::from_data(bytes)
        .with_status_code(status)
        .with_header(header("Content-Type", ctype))
        .with_header(header("Cache-Control", "no-store"));
    let _ = request.respond(response);
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

//! The `impress` command: parses arguments, calls the library, prints diagnostics and
//! picks the exit code (0 ok, 1 content errors, 2 usage).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod alloc;

use impress::diagnostics::render_all;
use impress::{Diagnostic, Options};

#[derive(Parser)]
#[command(
    name = "impress",
    version,
    about = "Build impact-analysis publications: quick reads, full analyses, feeds."
)]
struct Cli {
    /// The site folder.
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the whole site.
    Build {
        /// Output folder (default: <root>/public).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Override config.toml's base_url.
        #[arg(long, value_parser = parse_base_url)]
        base_url: Option<String>,
        /// Include drafts.
        #[arg(long)]
        drafts: bool,
        /// Include reports dated in the future.
        #[arg(long)]
        future: bool,
        /// Print the time each phase took.
        #[arg(long)]
        timings: bool,
    },
    /// Validate everything, including internal links, without writing.
    Check {
        /// Include drafts.
        #[arg(long)]
        drafts: bool,
        /// Include reports dated in the future.
        #[arg(long)]
        future: bool,
    },
    /// Build, serve over HTTP, watch, rebuild on change and reload open pages.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Port to listen on (the next free one is taken if it is busy).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Include drafts.
        #[arg(long)]
        drafts: bool,
        /// Include reports dated in the future.
        #[arg(long)]
        future: bool,
    },
    /// Build and rebuild on change, without a server.
    Watch {
        /// Output folder (default: <root>/public).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Include drafts.
        #[arg(long)]
        drafts: bool,
        /// Include reports dated in the future.
        #[arg(long)]
        future: bool,
    },
    /// Make a new site (it uses the theme built into impress).
    Init {
        /// Folder for the new site: new, empty, or holding only `.git`, dot files, a README.
        dir: PathBuf,
        /// Also copy the default theme into themes/default/ to edit it.
        #[arg(long)]
        with_theme: bool,
    },
    /// Make a new report in content/, as a draft with every field stubbed.
    New {
        /// The report's title.
        title: String,
        /// A folder inside content/ for it (e.g. `markets`).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Work with the site's theme.
    Theme {
        #[command(subcommand)]
        action: ThemeAction,
    },
}

#[derive(Subcommand)]
enum ThemeAction {
    /// Copy the built-in default theme into themes/default/, to edit it.
    Eject,
}

/// A bad `--base-url` is a usage error (exit code 2), caught before anything is read.
fn parse_base_url(s: &str) -> Result<String, String> {
    impress::config::split_base_url(s).map(|(url, _)| url)
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn counted(a: usize, a_word: &str, b: usize, b_word: &str) -> String {
    format!("{}, {}", plural(a, a_word), plural(b, b_word))
}

/// Which loop the terminal is telling about: `serve` and `watch` say different things
/// about where the site is.
enum Looping {
    Serve,
    /// `watch`, into this output folder.
    Watch(PathBuf),
}

/// A path as the writer typed it, without a leading `./`.
fn shown(path: &std::path::Path) -> String {
    path.strip_prefix(".").unwrap_or(path).display().to_string()
}

/// What changed, for the terminal: up to three files, else the folders that changed;
/// `None` when the watcher could not say (it lost track, and everything was re-read).
fn what_changed(batch: &impress::serve::watch::Batch) -> Option<String> {
    let shown: Vec<String> = batch.shown_paths().iter().map(|p| p.display().to_string()).collect();
    if shown.is_empty() {
        return None;
    }
    let more = shown.len().saturating_sub(3);
    let first = shown[..shown.len().min(3)].join(", ");
    Some(if more > 0 {
        format!("{first} and {more} more")
    } else {
        first
    })
}

fn report_event(event: impress::serve::Event, looping: &Looping) {
    use impress::serve::Event;
    match event {
        Event::Listening { url, port_was_taken } => {
            if let Some(p) = port_was_taken {
                println!("port {p} is taken; using the next free one");
            }
            println!("serving at {url} (Ctrl+C to stop)");
        }
        Event::Built {
            stats,
            elapsed,
            warnings,
        } => {
            if !warnings.is_empty() {
                eprint!("{}", render_all(&warnings));
            }
            let built = counted(stats.reports, "report", stats.routes, "page");
            let ms = elapsed.as_millis();
            match looping {
                Looping::Serve => println!("built {built} in {ms} ms"),
                Looping::Watch(out) => println!(
                    "built {built} into {} in {ms} ms; watching for changes (Ctrl+C to stop)",
                    shown(out)
                ),
            }
        }
        Event::Rebuilt {
            batch,
            stats,
            elapsed,
            timings,
            warnings,
        } => {
            if std::env::var_os("IMPRESS_TIMINGS").is_some() {
                for (phase, d) in &timings {
                    eprintln!("{phase:>24}: {:>8.1} ms", d.as_secs_f64() * 1000.0);
                }
            }
            if !warnings.is_empty() {
                eprint!("{}", render_all(&warnings));
            }
            let what = match what_changed(&batch) {
                Some(paths) => format!("changed {paths}"),
                None => "files changed (the watcher lost track of which, so all were read again)".to_string(),
            };
            // Pages rendered and pages written are pages; static files copied are counted
            // apart, so that "written" never exceeds "rebuilt".
            let statics = match stats.static_written {
                0 => String::new(),
                n => format!(", copied {}", plural(n, "static file")),
            };
            println!(
                "{what}: rebuilt {} ({} written, {} deleted){statics} in {} ms",
                plural(stats.rendered, "page"),
                stats.written,
                stats.deleted,
                elapsed.as_millis()
            );
        }
        Event::Failed { diagnostics, last_good } => {
            eprint!("{}", render_all(&diagnostics));
            match (looping, last_good) {
                (Looping::Serve, true) => {
                    eprintln!("the last good site is still being served; fix the problem and save")
                }
                (Looping::Serve, false) => eprintln!(
                    "there is no site to serve yet: every page shows these errors until the problem is fixed and saved"
                ),
                (Looping::Watch(out), _) => {
                    eprintln!("nothing was written to {}; fix the problem and save", shown(out))
                }
            }
        }
    }
}

/// Ctrl+C (SIGINT), SIGTERM and SIGHUP end `serve` and `watch` through `Stop`, so that
/// serve removes its folder; the `ctrlc` crate's "termination" feature covers all three
/// on Unix and the console events on Windows, without unsafe code here. The loop notices
/// within a tenth of a second; a long build under way is not waited for past a few
/// seconds: then the folder is removed at once and the process ends.
fn stop_on_signal() -> impress::serve::Stop {
    let stop = impress::serve::Stop::new();
    let on_signal = stop.clone();
    let installed = ctrlc::set_handler(move || {
        on_signal.request();
        std::thread::sleep(std::time::Duration::from_secs(3));
        on_signal.remove_serve_folder();
        std::process::exit(130);
    });
    if let Err(e) = installed {
        eprintln!("warning: cannot catch Ctrl+C ({e}); serve's temporary folder will outlive it");
    }
    stop
}

fn fail(diagnostics: &[Diagnostic]) -> ExitCode {
    eprint!("{}", render_all(diagnostics));
    ExitCode::from(1)
}

/// `impress build`: the site into its output folder.
fn run_build(opts: &Options, timings: bool) -> ExitCode {
    match impress::build(opts) {
        Ok(s) => {
            if !s.warnings.is_empty() {
                eprint!("{}", render_all(&s.warnings));
            }
            if timings {
                for (phase, d) in &s.timings {
                    eprintln!("{phase:>24}: {:>8.1} ms", d.as_secs_f64() * 1000.0);
                }
            }
            let total: f64 = s.timings.iter().map(|(_, d)| d.as_secs_f64()).sum();
            if s.unchanged {
                println!(
                    "nothing changed since the last build in {}; {} left as they are ({:.0} ms)",
                    s.output.display(),
                    plural(s.reports, "report"),
                    total * 1000.0
                );
                return ExitCode::SUCCESS;
            }
            if s.base_path != "/" {
                // robots.txt works only at a host's root; under a sub-path it is a file like any other.
                println!(
                    "note: the site lives under {}: crawlers read robots.txt only at the host's root, so copy its lines there (the sitemap's address is in it)",
                    s.base_path
                );
            }
            println!(
                "built {} into {} in {:.0} ms",
                counted(s.reports, "report", s.pages, "page"),
                s.output.display(),
                total * 1000.0
            );
            ExitCode::SUCCESS
        }
        Err(f) => fail(&f.diagnostics),
    }
}

/// `impress check`: every check of a build and more, writing nothing.
fn run_check(opts: &Options) -> ExitCode {
    match impress::check(opts) {
        Ok(mut s) => {
            match impress::scaffold::placeholder_warnings(opts) {
                Ok(w) => s.warnings.extend(w),
                Err(d) => return fail(&[d]),
            }
            if !s.warnings.is_empty() {
                eprint!("{}", render_all(&s.warnings));
            }
            println!("checked {}: no errors", counted(s.reports, "report", s.pages, "page"));
            ExitCode::SUCCESS
        }
        Err(f) => fail(&f.diagnostics),
    }
}

/// `impress init DIR`: a new site.
fn run_init(root: &std::path::Path, dir: &std::path::Path, today: &str, with_theme: bool) -> ExitCode {
    match impress::scaffold::init_site(&root.join(dir), today, with_theme) {
        Ok(()) => {
            let dir = dir.display();
            println!("made a new site in {dir}");
            println!(
                "its sample report, {}, is a draft: see it with `impress serve --drafts --root {dir}`",
                impress::scaffold::SAMPLE_REPORT
            );
            if with_theme {
                println!("the default theme is in themes/default/, to edit");
            }
            println!("add a report with `impress new --root {dir} \"Title\"`");
            ExitCode::SUCCESS
        }
        Err(d) => fail(&[d]),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    match cli.command {
        Command::Build {
            output,
            base_url,
            drafts,
            future,
            timings,
        } => {
            let opts = Options {
                output,
                base_url,
                drafts,
                future,
                ..Options::new(&cli.root)
            };
            run_build(&opts, timings)
        }
        Command::Check { drafts, future } => {
            let opts = Options {
                drafts,
                future,
                ..Options::new(&cli.root)
            };
            run_check(&opts)
        }
        Command::Serve {
            bind,
            port,
            drafts,
            future,
        } => {
            if bind != "127.0.0.1" && bind != "localhost" && bind != "::1" {
                eprintln!("warning: serving on {bind}: other machines on the network can read the site");
            }
            let opts = Options {
                drafts,
                future,
                ..Options::new(&cli.root)
            };
            let serve = impress::serve::ServeOptions { bind, port };
            let stop = stop_on_signal();
            let mut on = |e| report_event(e, &Looping::Serve);
            match impress::serve::run_serve(opts, serve, &stop, &mut on) {
                Ok(()) => ExitCode::SUCCESS,
                Err(f) => fail(&f.diagnostics),
            }
        }
        Command::Watch { output, drafts, future } => {
            let opts = Options {
                output,
                drafts,
                future,
                ..Options::new(&cli.root)
            };
            let stop = stop_on_signal();
            let looping = Looping::Watch(opts.output_dir());
            let mut on = |e| report_event(e, &looping);
            match impress::serve::run_watch(opts, &stop, &mut on) {
                Ok(()) => ExitCode::SUCCESS,
                Err(f) => fail(&f.diagnostics),
            }
        }
        Command::Init { dir, with_theme } => run_init(&cli.root, &dir, &today, with_theme),
        Command::New { title, dir } => match impress::scaffold::new_report(&cli.root, &title, &today, dir.as_deref()) {
            Ok(path) => {
                println!("wrote {} (a draft: set draft = false to publish)", path.display());
                ExitCode::SUCCESS
            }
            Err(d) => fail(&[d]),
        },
        Command::Theme {
            action: ThemeAction::Eject,
        } => match impress::scaffold::eject_theme(&cli.root) {
            Ok(path) => {
                println!(
                    "copied the default theme into {}; it now wins over the built-in one",
                    path.display()
                );
                ExitCode::SUCCESS
            }
            Err(d) => fail(&[d]),
        },
    }
}

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
    /// Make a new site.
    Init {
        /// Folder for the new site.
        dir: PathBuf,
    },
    /// Make a new report in content/.
    New {
        /// The report's title.
        title: String,
    },
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

fn report_event(event: impress::serve::Event) {
    use impress::serve::Event;
    match event {
        Event::Listening { url, port_was_taken } => {
            if let Some(p) = port_was_taken {
                println!("port {p} is taken; using the next free one");
            }
            println!("serving at {url} (Ctrl+C to stop)");
        }
        Event::Built { stats, elapsed } => println!(
            "built {} in {} ms",
            counted(stats.reports, "report", stats.routes, "page"),
            elapsed.as_millis()
        ),
        Event::Rebuilt {
            batch,
            stats,
            elapsed,
            timings,
        } => {
            if std::env::var_os("IMPRESS_TIMINGS").is_some() {
                for (phase, d) in &timings {
                    eprintln!("{phase:>24}: {:>8.1} ms", d.as_secs_f64() * 1000.0);
                }
            }
            let shown = batch.shown_paths();
            let changed: Vec<String> = shown.iter().take(3).map(|p| p.display().to_string()).collect();
            let more = shown.len().saturating_sub(3);
            let what = if more > 0 {
                format!("{} and {more} more", changed.join(", "))
            } else {
                changed.join(", ")
            };
            println!(
                "changed {what}: rebuilt {} ({} written, {} deleted) in {} ms",
                plural(stats.rendered, "page"),
                stats.written,
                stats.deleted,
                elapsed.as_millis()
            );
        }
        Event::Failed(diagnostics) => {
            eprint!("{}", render_all(&diagnostics));
            eprintln!("the last good site is still being served; fix the problem and save");
        }
    }
}

fn fail(diagnostics: &[Diagnostic]) -> ExitCode {
    eprint!("{}", render_all(diagnostics));
    ExitCode::from(1)
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
            match impress::build(&opts) {
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
        Command::Check { drafts, future } => {
            let opts = Options {
                drafts,
                future,
                ..Options::new(&cli.root)
            };
            match impress::check(&opts) {
                Ok(s) => {
                    if !s.warnings.is_empty() {
                        eprint!("{}", render_all(&s.warnings));
                    }
                    println!("checked {}: no errors", counted(s.reports, "report", s.pages, "page"));
                    ExitCode::SUCCESS
                }
                Err(f) => fail(&f.diagnostics),
            }
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
            match impress::serve::run_serve(opts, serve, &mut report_event) {
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
            match impress::serve::run_watch(opts, &mut report_event) {
                Ok(()) => ExitCode::SUCCESS,
                Err(f) => fail(&f.diagnostics),
            }
        }
        Command::Init { dir } => match impress::scaffold::init_site(&cli.root.join(&dir), &today) {
            Ok(()) => {
                println!(
                    "made a new site in {}; build it with `impress build --root {}`",
                    dir.display(),
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(d) => fail(&[d]),
        },
        Command::New { title } => match impress::scaffold::new_report(&cli.root, &title, &today) {
            Ok(path) => {
                println!("wrote {} (a draft: set draft = false to publish)", path.display());
                ExitCode::SUCCESS
            }
            Err(d) => fail(&[d]),
        },
    }
}

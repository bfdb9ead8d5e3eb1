//! Arbitrary bytes as the one report of a minimal site, through the whole `build`:
//! it may fail with diagnostics, it must not panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// One site folder per fuzzing process; each input overwrites its one report.
static SITE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();

extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
}

/// A static is never dropped, so the `TempDir` would outlive the process: libFuzzer ends
/// with `exit()`, which runs this. (A crash aborts, and leaves the folder behind.)
extern "C" fn remove_site() {
    if let Some((dir, _)) = SITE.get() {
        let _ = std::fs::remove_dir_all(dir.path());
    }
}

fn site() -> &'static (tempfile::TempDir, PathBuf) {
    SITE.get_or_init(|| {
        // A tmpfs, where there is one, makes each build's hundred-odd small writes cheap.
        let shm = std::path::Path::new("/dev/shm");
        let mut builder = tempfile::Builder::new();
        builder.prefix("impress-fuzz-");
        let dir = if shm.is_dir() { builder.tempdir_in(shm) } else { builder.tempdir() }.expect("temp dir");
        std::fs::write(
            dir.path().join("config.toml"),
            "title = \"Fuzz\"\nbase_url = \"https://example.com/\"\n",
        )
        .expect("config.toml");
        std::fs::create_dir_all(dir.path().join("content")).expect("content/");
        let out = dir.path().join("out");
        // SAFETY: registers a plain function with no arguments, as atexit(3) expects.
        unsafe { atexit(remove_site) };
        (dir, out)
    })
}

fuzz_target!(|data: &[u8]| {
    let (dir, out) = site();
    let root = dir.path();
    std::fs::write(root.join("content/r.md"), data).expect("content/r.md");
    let opts = impress::Options {
        output: Some(out.clone()),
        // Drafts and future-dated reports are built too, so that they reach the renderer.
        drafts: true,
        future: true,
        ..impress::Options::new(root)
    };
    match impress::build(&opts) {
        Ok(summary) => {
            for w in &summary.warnings {
                let _ = w.to_string();
            }
        }
        Err(failure) => {
            assert!(!failure.diagnostics.is_empty(), "a failed build carries diagnostics");
            for d in &failure.diagnostics {
                let _ = d.to_string();
            }
        }
    }
});

//! Arbitrary bytes as a report's (and a plain page's) source file: front-matter
//! splitting, TOML parsing and validation, and the rendering of every diagnostic
//! must never panic.
#![no_main]

use std::path::Path;

use impress::frontmatter::split_front_matter;
use impress::load::Source;
use impress::report::{validate_page, validate_report};
use impress::Diagnostic;
use libfuzzer_sys::fuzz_target;

fn render_all(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let shown = d.to_string();
        assert!(!shown.is_empty());
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("content/f.md");

    match split_front_matter(path, text) {
        Ok(split) => {
            // The front matter is where front_offset says, and the body is the file's tail.
            let front_end = split.front_offset + split.front.len();
            assert!(front_end <= text.len());
            assert_eq!(&text[split.front_offset..front_end], split.front);
            assert!(text.ends_with(split.body));
        }
        Err(d) => render_all(&[d]),
    }

    let source = Source {
        path: "content/f.md".into(),
        text: text.to_string(),
    };
    if let Err(ds) = validate_report(&source) {
        assert!(!ds.is_empty(), "a failed report carries at least one diagnostic");
        render_all(&ds);
    }
    if let Err(ds) = validate_page(&source) {
        assert!(!ds.is_empty(), "a failed page carries at least one diagnostic");
        render_all(&ds);
    }
});

//! Live reload: server-sent events to every open page, and the script that listens.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// The path of the event stream.
pub const EVENTS_PATH: &str = "/__impress/events";

/// The query of the event stream opened by [`no_site_page`]: a page that says there is
/// no site must reload at once if a site was built before it began to listen.
pub const FROM_NO_SITE_PAGE: &str = "?from=no-site";

/// The message a page gets after a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Reload, keeping the scroll position.
    Reload,
    /// Only stylesheets changed: swap them.
    Css,
    /// The last edit failed: show this text over the page.
    Error(String),
}

impl Message {
    fn frame(&self) -> String {
        match self {
            Message::Reload => "event: reload\ndata: \n\n".into(),
            Message::Css => "event: css\ndata: \n\n".into(),
            Message::Error(text) => format!(
                "event: build-error\ndata: {}\n\n",
                serde_json::to_string(text).expect("a string serializes")
            ),
        }
    }
}

/// Open event streams, whether a site has been built, and the state a newly opened page
/// must be told.
#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<Mutex<HubState>>,
}

#[derive(Default)]
struct HubState {
    clients: Vec<Box<dyn Write + Send>>,
    error: Option<String>,
    /// A build succeeded: there is a site to serve.
    site: bool,
}

impl Hub {
    /// Takes over a connection as an event stream; `from_no_site_page` when the page that
    /// opened it said there was no site.
    pub fn subscribe(&self, mut stream: Box<dyn Write + Send>, from_no_site_page: bool) {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n";
        let mut first = head.to_string();
        if from_no_site_page && state.site {
            // The site was built while the page loaded: it missed the reload.
            first.push_str(&Message::Reload.frame());
        } else if let Some(e) = &state.error {
            first.push_str(&Message::Error(e.clone()).frame());
        }
        if stream.write_all(first.as_bytes()).and_then(|_| stream.flush()).is_ok() {
            state.clients.push(stream);
        }
    }

    /// Sends a message to every open page, dropping closed connections. Any message but
    /// an error means a build succeeded.
    pub fn broadcast(&self, message: &Message) {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match message {
            Message::Error(e) => state.error = Some(e.clone()),
            Message::Reload | Message::Css => {
                state.error = None;
                state.site = true;
            }
        }
        let frame = message.frame();
        state
            .clients
            .retain_mut(|c| c.write_all(frame.as_bytes()).and_then(|_| c.flush()).is_ok());
    }

    /// True once a build has succeeded.
    pub fn has_site(&self) -> bool {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).site
    }

    /// The errors of the last build, if it failed.
    pub fn last_error(&self) -> Option<String> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).error.clone()
    }

    /// How many pages listen.
    pub fn clients(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clients.len()
    }
}

fn script(query: &str) -> String {
    format!(
        "<script data-events=\"{EVENTS_PATH}{query}\">{}</script>",
        include_str!("reload.js")
    )
}

/// Adds the live-reload script to an HTML page (before `</body>`, or at the end).
pub fn inject(html: &[u8]) -> Vec<u8> {
    let script = script("");
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{script}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{script}").into_bytes(),
    }
}

/// The page `serve` shows for every URL while it has no site: the errors of the failed
/// build (as the terminal shows them), or word that the first build is under way. Its
/// script reloads it when a build succeeds and replaces the errors when they change.
pub fn no_site_page(errors: Option<&str>) -> Vec<u8> {
    let (title, lead, body) = match errors {
        Some(text) => (
            "The site did not build",
            "Fix the problem below and save: this page reloads by itself when the site builds.",
            format!("<pre id=\"impress-build-errors\">{}</pre>", escape_html(text)),
        ),
        None => (
            "Building the site",
            "This page reloads by itself when the first build is done.",
            // Filled in by the script if the build fails.
            "<pre id=\"impress-build-errors\" hidden></pre>".to_string(),
        ),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>impress: {title}</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}}\
         pre{{font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;background:#1e1e22;color:#ffd7d7;\
         padding:1rem;overflow:auto;white-space:pre-wrap}}</style></head>\
         <body><main><h1>{title}</h1><p>{lead}</p>{body}</main>{}</body></html>\n",
        script(FROM_NO_SITE_PAGE)
    )
    .into_bytes()
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

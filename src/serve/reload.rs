//! Live reload: server-sent events to every open page, and the script that listens.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// The path of the event stream.
pub const EVENTS_PATH: &str = "/__impress/events";

/// The message a page gets after a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Reload, keeping the scroll position.
    Reload,
    /// Only stylesheets changed: swap them.
    Css,
    /// The last edit failed: show this text over the page.
    Error(String),
    /// The site builds again: remove the overlay.
    Ok,
}

impl Message {
    fn frame(&self) -> String {
        match self {
            Message::Reload => "event: reload\ndata: \n\n".into(),
            Message::Css => "event: css\ndata: \n\n".into(),
            Message::Ok => "event: ok\ndata: \n\n".into(),
            Message::Error(text) => format!(
                "event: build-error\ndata: {}\n\n",
                serde_json::to_string(text).expect("a string serializes")
            ),
        }
    }
}

/// Open event streams, and the state a newly opened page must be told.
#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<Mutex<HubState>>,
}

#[derive(Default)]
struct HubState {
    clients: Vec<Box<dyn Write + Send>>,
    error: Option<String>,
}

impl Hub {
    /// Takes over a connection as an event stream.
    pub fn subscribe(&self, mut stream: Box<dyn Write + Send>) {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n";
        let mut first = head.to_string();
        if let Some(e) = &state.error {
            first.push_str(&Message::Error(e.clone()).frame());
        }
        if stream.write_all(first.as_bytes()).and_then(|_| stream.flush()).is_ok() {
            state.clients.push(stream);
        }
    }

    /// Sends a message to every open page, dropping closed connections.
    pub fn broadcast(&self, message: &Message) {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match message {
            Message::Error(e) => state.error = Some(e.clone()),
            _ => state.error = None,
        }
        let frame = message.frame();
        state
            .clients
            .retain_mut(|c| c.write_all(frame.as_bytes()).and_then(|_| c.flush()).is_ok());
    }

    /// How many pages listen.
    pub fn clients(&self) -> usize {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clients.len()
    }
}

/// Adds the live-reload script to an HTML page (before `</body>`, or at the end).
pub fn inject(html: &[u8]) -> Vec<u8> {
    let script = format!(
        "<script data-events=\"{EVENTS_PATH}\">{}</script>",
        include_str!("reload.js")
    );
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{script}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{script}").into_bytes(),
    }
}

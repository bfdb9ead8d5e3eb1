//! impress integration tests: one binary, one module per feature. Each test builds a
//! small site in a temporary folder with the real `impress` binary and reads the output
//! the way a browser, a feed reader or a static host would. See tests/README.md.

mod support;

mod bodies;
mod browser;
mod build_basics;
mod cashtags;
mod deploy;
mod drafts_future;
mod errors;
mod escaping;
mod feeds;
mod golden;
mod incremental;
mod links;
mod newsroom;
mod newsroom_site;
mod pages;
mod pagination;
mod pictures;
mod reader;
mod restart;
mod scaffold;
mod search;
mod serve;
mod taxonomies;
mod templates;
mod trust;
mod watch;

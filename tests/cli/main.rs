//! Integration tests of the commands a user runs, one module per command or output (plus
//! `architecture`, the layering rule of `ARCHITECTURE.md`), all in one test binary so `cargo test` links one executable instead of one per file. Golden files go
//! through `common::golden`: `STAGEBOOK_BLESS=1 cargo test` rewrites them (see
//! `tests/README.md`).

#[path = "../common/mod.rs"]
mod common;

mod architecture;
mod cmd;
mod completions;
mod crm;
mod diff;
mod editor;
mod init;
mod lint;
mod lsp;
mod metrics;
mod metrics_shapes;
mod metrics_sources;
mod metrics_sql;
mod render;
mod schema;
mod serve;
mod serve_limits;
mod watch;

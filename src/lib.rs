//! stagebook: sales playbooks as code.
//!
//! The pipeline is **load → validate → lint → render / report**, plus **metrics**:
//! [`load`] reads YAML into a value with a span for every node, [`validate`] checks it against
//! the JSON Schema and the structure a schema cannot express, [`lint`] finds the gaps in the
//! process it describes, and every finding on the way is a [`diagnostic::Diagnostic`] that
//! [`report`] prints for humans and machines. [`render`] compiles playbooks into handbooks, the
//! CRM exporters into CRM pipeline configuration, and [`metrics`] measures a playbook against
//! CRM stage history.
//!
//! # Public API
//!
//! The library exists for the `stagebook` binary; everything is `pub(crate)` unless the binary,
//! the fuzz crate (`fuzz/`), the integration tests (`tests/`) or the benchmarks (`benches/`)
//! use it, and `unreachable_pub` keeps it that way. What is public:
//!
//! - [`cli`] — [`cli::run`] (all `main` calls) and [`cli::Cli`], the argument definition.
//! - [`check`] — load → validate → lint driven together: [`check::check_file`],
//!   [`check::check_file_in`], [`check::check_file_with`], [`check::check_paths`], with
//!   [`check::Options`], [`check::Checked`] and [`check::Outcome`].
//! - [`load`] — [`load::load`], [`load::Limits`], [`load::Loaded`], [`load::Document`];
//!   [`load::yaml::parse`] and its span map; [`load::files::MemoryFiles`] for files held in
//!   memory.
//! - [`validate`] — [`validate::validate`].
//! - [`model`] — [`model::PlaybookFile`], [`model::Locale`] and [`model::schema`].
//! - [`lint`] — [`lint::lint`], [`lint::registry`], [`lint::catalogue`],
//!   [`lint::markdown_table`], [`lint::Config`] and its [`lint::config::Overrides`].
//! - [`diagnostic`] — [`diagnostic::Diagnostic`], [`diagnostic::Label`],
//!   [`diagnostic::Catalogue`]; [`source::SourceFile`] is the text they point into.
//! - [`report`] — [`report::human`] and [`report::json`] printers.
//! - [`render`] — [`render::Renderer`] and [`render::Format`].
//! - [`metrics`] — [`metrics::measure`] with [`metrics::Options`], the
//!   [`metrics::report::Report`] it returns and [`metrics::output::render`] that prints it; the
//!   history reader, time zones and periods the tests and the fuzz crate drive directly.
//!
//! - [`crm`] — only [`crm::diff::report`], `crm diff` in one call, which the fuzz crate
//!   drives; the exporters and the targets themselves are reached through the command line.
//!
//! `diff`, `init`, `serve`, `watch` and the shared output helpers (`emit`) are private: only
//! the command line reaches them.

#![warn(unreachable_pub)]
// The module docs describe the whole pipeline, private parts included; those links resolve in
// `cargo doc --document-private-items`, the documentation for people working on stagebook.
#![allow(rustdoc::private_intra_doc_links)]

pub mod check;
pub mod cli;
pub mod crm;
pub mod diagnostic;
mod diff;
mod emit;
mod init;
pub mod lint;
pub mod load;
mod lsp;
pub mod metrics;
pub mod model;
pub mod render;
pub mod report;
mod serve;
pub mod source;
pub mod validate;
mod watch;

// The rule files name the rule-declaring macro `crate::declare_rule`.
use lint::declare_rule;

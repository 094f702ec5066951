//! Output layer, below **render** and **metrics**: everything that turns computed results into
//! bytes on disk or on the wire goes through here.
//!
//! - [`escape`]: the one HTML/XML escaper, and the escapes for links, Markdown and Mermaid;
//! - [`outdir`]: the atomic writer every output file goes through ([`OutDir`]);
//! - [`svg`]: SVG primitives and the one palette of every picture;
//! - [`templates`]: the minijinja environment every HTML and Markdown page is rendered with,
//!   built-in templates embedded in the binary and overridable with `--templates DIR`;
//! - [`words`]: counted nouns and capped lists for messages.
//!
//! This module imports nothing from the rest of the crate.

pub(crate) mod escape;
pub(crate) mod outdir;
pub(crate) mod svg;
pub(crate) mod templates;
pub(crate) mod words;

pub(crate) use outdir::{OutDir, write_file};

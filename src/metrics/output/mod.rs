//! Printing the report: the same [`Report`] feeds the terminal table, JSON, CSV and HTML.

pub mod csv;
pub mod html;
pub mod svg;
pub mod table;

use std::io;
use std::path::Path;

use super::report::Report;
use crate::emit::OutDir;

/// Output formats of `metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned table for the terminal.
    Table,
    /// One JSON document with every number.
    Json,
    /// One row per period and stage.
    Csv,
    /// A self-contained HTML page with SVG charts.
    Html,
}

/// Renders the report.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Table => table::render(report),
        Format::Json => {
            let mut text =
                serde_json::to_string_pretty(report).expect("the report serializes to JSON");
            text.push('\n');
            text
        }
        Format::Csv => csv::render(report),
        Format::Html => html::render(report),
    }
}

/// Writes `text` to `path` atomically ([`crate::emit::outdir`]): a reader never sees half a report.
pub fn write_atomic(path: &Path, text: &str) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other(format!("{}: not a file name", path.display())))?;
    let folder = path.parent().unwrap_or(Path::new("."));
    OutDir::create(folder)?.write(Path::new(name), text.as_bytes())?;
    Ok(())
}

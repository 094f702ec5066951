//! Printing the report: the same [`Report`] feeds the terminal table, JSON, CSV and HTML.

pub mod csv;
pub mod html;
pub mod svg;
pub mod table;

use std::io::{self, Write};
use std::path::Path;

use super::report::Report;

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

/// Writes `text` to `path` atomically: a temporary file beside it, then a rename, so a reader
/// never sees half a report.
pub fn write_atomic(path: &Path, text: &str) -> io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other(format!("{}: not a file name", path.display())))?;
    let mut temp = folder.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
        temp.clear();
    }
    result.map_err(|e| io::Error::new(e.kind(), format!("{}: cannot write: {e}", path.display())))
}

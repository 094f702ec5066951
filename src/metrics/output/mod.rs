//! Metrics stage, output: printing the report: the same [`Report`] feeds the terminal table, JSON, CSV and HTML.

pub(crate) mod columns;
pub(crate) mod csv;
pub(crate) mod html;
pub(crate) mod svg;
pub(crate) mod table;
pub(crate) mod words;

use super::report::Report;
use crate::emit::templates::{TemplateError, Templates};

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

/// Renders the report with the built-in templates.
pub fn render(report: &Report, format: Format) -> String {
    let templates = Templates::new(None).expect("the built-in templates load");
    render_with(report, format, &templates).expect("the built-in templates render every report")
}

/// Renders the report; the HTML page with `templates` (which `--templates DIR` may override).
pub(crate) fn render_with(
    report: &Report,
    format: Format,
    templates: &Templates,
) -> Result<String, TemplateError> {
    Ok(match format {
        Format::Table => table::render(report),
        Format::Json => {
            let mut text =
                serde_json::to_string_pretty(report).expect("the report serializes to JSON");
            text.push('\n');
            text
        }
        Format::Csv => csv::render(report),
        Format::Html => html::render(report, templates)?,
    })
}

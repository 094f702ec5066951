//! Report stage: the stable JSON document of `check --format json`.
//!
//! Shape (format version 1; fields are only ever added):
//! `{ "tool": {name, version}, "format_version": 1, "summary": {errors, warnings, notes, files},
//!    "rules": [{ id, category, default_level, summary }],
//!    "diagnostics": [{ file, line, column, end_line, end_column, code, severity, message, help,
//!    related: [{ file, line, column, end_line, end_column, message }] }] }`
//! Lines and columns are 1-based; columns count characters; the end is exclusive.

use serde::Serialize;

use crate::diagnostic::codes::RuleRow;
use crate::diagnostic::{Catalogue, Diagnostic, Label, Severity, Summary};

/// Version of this document's shape.
pub(crate) const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    tool: Tool,
    format_version: u32,
    summary: Summary,
    rules: Vec<RuleRow>,
    diagnostics: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Location<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

impl<'a> Location<'a> {
    fn of(label: &'a Label) -> Self {
        let (start, end) = (label.start(), label.end());
        Self {
            file: &label.file.name,
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

#[derive(Serialize)]
struct Entry<'a> {
    #[serde(flatten)]
    location: Location<'a>,
    code: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Related<'a> {
    #[serde(flatten)]
    location: Location<'a>,
    message: Option<&'a str>,
}

/// The JSON document for `diagnostics` found in `files` files; `catalogue` gives the rule list.
pub fn render(diagnostics: &[Diagnostic], files: usize, catalogue: &Catalogue) -> String {
    let document = Document {
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        format_version: FORMAT_VERSION,
        summary: Summary::new(diagnostics, files),
        rules: catalogue.rule_rows(),
        diagnostics: diagnostics
            .iter()
            .map(|d| Entry {
                location: Location::of(&d.primary),
                code: &d.code,
                severity: d.severity,
                message: &d.message,
                help: d.help.as_deref(),
                related: d
                    .related
                    .iter()
                    .map(|r| Related {
                        location: Location::of(r),
                        message: r.text.as_deref(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&document).expect("diagnostics serialize");
    text.push('\n');
    text
}

//! Report stage: SARIF 2.1.0 (`check --format sarif`) for code-scanning dashboards such as
//! GitHub's. The run lists every lint rule in `tool.driver.rules` (with its docs as help);
//! results point at 1-based lines and columns, with related locations.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::diagnostic::{Catalogue, Diagnostic, Label, Severity};

/// The SARIF schema the output follows.
pub(crate) const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Percent-encodes a path for a URI reference: unreserved characters and `/` stay, the rest
/// is UTF-8 percent-encoded. Absolute paths become `file://` URIs.
pub(crate) fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    } else if path.len() > 1 && path.as_bytes()[1] == b':' {
        out.push_str("file:///");
    }
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char);
            }
            b':' if out.starts_with("file:///") && out.len() == 9 => out.push(':'),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

fn location(label: &Label) -> Value {
    let (start, end) = (label.start(), label.end());
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&label.file.name) },
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            }
        }
    })
}

/// The SARIF log for `diagnostics`; `catalogue` gives the rule list.
pub(crate) fn render(diagnostics: &[Diagnostic], catalogue: &Catalogue) -> String {
    let rules: Vec<Value> = catalogue
        .rules()
        .map(|(entry, rule)| {
            json!({
                "id": entry.id,
                "shortDescription": { "text": entry.help },
                "fullDescription": { "text": rule.checks },
                "help": { "text": rule.docs, "markdown": rule.docs },
                "defaultConfiguration": {
                    "level": entry.severity.map_or("none", level)
                },
                "properties": { "category": rule.category }
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut result = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [location(&d.primary)],
            });
            if let Some(index) = catalogue.rule_index(&d.code) {
                result["ruleIndex"] = json!(index);
            }
            if !d.related.is_empty() {
                result["relatedLocations"] = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, label)| {
                        let mut loc = location(label);
                        loc["id"] = json!(i);
                        if let Some(text) = &label.text {
                            loc["message"] = json!({ "text": text });
                        }
                        loc
                    })
                    .collect();
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": env!("CARGO_PKG_NAME"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("playbooks/a b.yaml"), "playbooks/a%20b.yaml");
        assert_eq!(uri("/tmp/x,y.yaml"), "file:///tmp/x%2Cy.yaml");
        assert_eq!(uri("销售.yaml"), "%E9%94%80%E5%94%AE.yaml");
    }
}

//! Validate stage, second half: what a JSON Schema cannot say — ids must be unique, and every
//! `next`, `recycle` and `content` reference must name something that exists.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::load::Document;
use crate::model::PlaybookFile;

use super::did_you_mean;

/// Checks ids and references in a schema-valid playbook.
pub fn check(document: &Document, playbook: &PlaybookFile) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let stage_ids = unique_ids(
        document,
        playbook.stages.iter().map(|s| s.id.as_str()),
        "stages",
        "stage",
        &mut diagnostics,
    );
    let content_ids = unique_ids(
        document,
        playbook.content.iter().map(|c| c.id.as_str()),
        "content",
        "content item",
        &mut diagnostics,
    );

    for (i, stage) in playbook.stages.iter().enumerate() {
        let refs = [
            ("next", &stage.next.0, &stage_ids, "stage"),
            ("recycle", &stage.recycle, &stage_ids, "stage"),
            ("content", &stage.content, &content_ids, "content item"),
        ];
        for (field, ids, known, what) in refs {
            for (j, id) in ids.iter().enumerate() {
                if known.contains_key(id.as_str()) {
                    continue;
                }
                let pointer = if field == "next"
                    && document.spans.get(&format!("/stages/{i}/next/0")).is_none()
                {
                    format!("/stages/{i}/next")
                } else {
                    format!("/stages/{i}/{field}/{j}")
                };
                let help = match did_you_mean(id.as_str(), known.keys().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None if known.is_empty() => format!("the playbook defines no {what}s yet"),
                    None => {
                        let mut names: Vec<&str> = known.keys().copied().collect();
                        names.sort_unstable();
                        format!("the {what}s are: {}", names.join(", "))
                    }
                };
                diagnostics.push(
                    Diagnostic::error(
                        "structure::unknown-reference",
                        format!(
                            "stage `{}`: `{field}` refers to {what} `{id}`, which does not exist",
                            stage.id
                        ),
                        document.label(&pointer, false),
                    )
                    .with_help(help),
                );
            }
        }
        if stage.is_terminal() && !stage.next.is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    "structure::terminal-with-next",
                    format!(
                        "stage `{}` closes the deal (`terminal`), so it cannot have a `next` stage",
                        stage.id
                    ),
                    document.label(&format!("/stages/{i}/next"), true),
                )
                .with_help("remove `next`, or remove `terminal` if deals really move on from here"),
            );
        }
    }
    diagnostics
}

/// Reports ids defined twice; returns each id with the index of its first definition.
fn unique_ids<'a>(
    document: &Document,
    ids: impl Iterator<Item = &'a str>,
    list: &str,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> HashMap<&'a str, usize> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, id) in ids.enumerate() {
        if let Some(&earlier) = first.get(id) {
            diagnostics.push(
                Diagnostic::error(
                    "structure::duplicate-id",
                    format!("{what} id `{id}` is used twice"),
                    document
                        .label(&format!("/{list}/{i}/id"), false)
                        .with_text("used again here"),
                )
                .with_related(
                    document
                        .label(&format!("/{list}/{earlier}/id"), false)
                        .with_text("first defined here"),
                )
                .with_help(format!(
                    "give each {what} its own id; references by id would be ambiguous"
                )),
            );
        } else {
            first.insert(id, i);
        }
    }
    first
}

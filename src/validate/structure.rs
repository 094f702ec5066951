//! Validate stage, second half: what a JSON Schema cannot say — ids must be unique, and every
//! `next`, `recycle` and `content` reference must name something that exists.
//!
//! It reads the untyped document, not the typed model, so that it also runs on a playbook with
//! schema errors and a broken file shows all its problems in one run. Values of the wrong type
//! are skipped here: the schema reports them.

use std::collections::HashMap;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, codes};
use crate::load::Document;

use super::did_you_mean;

/// Most unknown references reported for one file.
pub(crate) const MAX_REFERENCE_FINDINGS: usize = 200;
/// Most ids listed in the help of an unknown reference.
const MAX_NAMES_LISTED: usize = 20;

/// The string items of `value` (one string, or the strings of a list) with their pointers.
fn ids_at<'a>(value: Option<&'a Value>, pointer: &str) -> Vec<(&'a str, String)> {
    match value {
        Some(Value::String(id)) => vec![(id.as_str(), pointer.to_string())],
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| item.as_str().map(|id| (id, format!("{pointer}/{i}"))))
            .collect(),
        _ => Vec::new(),
    }
}

/// The references one field of a stage makes: the field, the ids it may name, what they name
/// (`stage`, `role`) and each id written with its pointer.
type References<'d, 'k> = (
    &'static str,
    &'k HashMap<&'d str, usize>,
    &'static str,
    Vec<(&'d str, String)>,
);

/// The stage ids of a `next` value (an id, or a list of ids and `{stage, when}` branches) with
/// their pointers.
fn next_ids<'a>(value: Option<&'a Value>, pointer: &str) -> Vec<(&'a str, String)> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item {
                Value::String(id) => Some((id.as_str(), format!("{pointer}/{i}"))),
                branch => branch
                    .get("stage")
                    .and_then(Value::as_str)
                    .map(|id| (id, format!("{pointer}/{i}/stage"))),
            })
            .collect(),
        other => ids_at(other, pointer),
    }
}

/// Checks ids and references.
pub(crate) fn check(document: &Document) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let list = |key: &str| {
        document
            .value
            .get(key)
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
    };
    let stages = list("stages");
    let stages_written = document.value.get("stages");
    if document.value.is_object() && stages.is_empty() && stages_written.is_none_or(Value::is_array)
    {
        diagnostics.push(
            Diagnostic::of(
                codes::structure::NO_STAGES,
                "the playbook has no stages",
                document.label(if stages_written.is_some() { "/stages" } else { "" }, true),
            )
            .with_help("add `stages:` with the stages of the process, from the first contact to won and lost (or `include:` the file that holds them)"),
        );
    }
    let stage_ids = unique_ids(document, stages, "stages", "stage", &mut diagnostics);
    let content_ids = unique_ids(
        document,
        list("content"),
        "content",
        "content item",
        &mut diagnostics,
    );
    let roles = document
        .value
        .pointer("/playbook/roles")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let role_ids = unique_ids(document, roles, "playbook/roles", "role", &mut diagnostics);

    // Each unknown reference is compared with every id for a suggestion: past a few hundred,
    // a file with thousands of stages would take quadratic time for findings nobody reads.
    let mut unknown = 0;
    for (i, stage) in stages.iter().enumerate() {
        let Some(stage_id) = stage.get("id").and_then(Value::as_str) else {
            continue;
        };
        let refs = [
            ("next", &stage_ids, "stage"),
            ("recycle", &stage_ids, "stage"),
            ("content", &content_ids, "content item"),
            ("owner", &role_ids, "role"),
        ];
        let mut written: Vec<References<'_, '_>> = refs
            .into_iter()
            .map(|(field, known, what)| {
                let pointer = format!("/stages/{i}/{field}");
                let ids = if field == "next" {
                    next_ids(stage.get(field), &pointer)
                } else {
                    ids_at(stage.get(field), &pointer)
                };
                (field, known, what, ids)
            })
            .collect();
        // The owners of the stage's activities, exits and approvals.
        for list in ["do", "exit", "approvals"] {
            let items = stage
                .get(list)
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            for (j, item) in items.iter().enumerate() {
                let pointer = format!("/stages/{i}/{list}/{j}/owner");
                written.push((
                    "owner",
                    &role_ids,
                    "role",
                    ids_at(item.get("owner"), &pointer),
                ));
            }
        }
        for (field, known, what, ids) in written {
            for (id, pointer) in ids {
                if known.contains_key(id) {
                    continue;
                }
                unknown += 1;
                if unknown > MAX_REFERENCE_FINDINGS {
                    continue;
                }
                let help = match did_you_mean(id, known.keys().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None if known.is_empty() && what == "role" => format!(
                        "list the team's roles under `playbook:`, e.g. `roles: [{{id: {id}, name: …}}]`"
                    ),
                    None if known.is_empty() => format!("the playbook defines no {what}s yet"),
                    None => {
                        let mut names: Vec<&str> = known.keys().copied().collect();
                        names.sort_unstable();
                        let more = names.len().saturating_sub(MAX_NAMES_LISTED);
                        names.truncate(MAX_NAMES_LISTED);
                        let more = if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        };
                        format!("the {what}s are: {}{more}", names.join(", "))
                    }
                };
                diagnostics.push(
                    Diagnostic::of(
                        codes::structure::UNKNOWN_REFERENCE,
                        format!(
                            "stage `{stage_id}`: `{field}` refers to {what} `{id}`, which does not exist"
                        ),
                        document.label(&pointer, false),
                    )
                    .with_help(help),
                );
            }
        }
        let terminal = stage.get("terminal").is_some_and(|t| !t.is_null());
        let has_next = stage.get("next").is_some_and(|n| !n.is_null());
        if terminal && has_next {
            diagnostics.push(
                Diagnostic::of(
                    codes::structure::TERMINAL_WITH_NEXT,
                    format!(
                        "stage `{stage_id}` closes the deal (`terminal`), so it cannot have a `next` stage"
                    ),
                    document.label(&format!("/stages/{i}/next"), true),
                )
                .with_help("remove `next`, or remove `terminal` if deals really move on from here"),
            );
        }
    }
    unique_crm_names(document, stages, &mut diagnostics);
    if unknown > MAX_REFERENCE_FINDINGS {
        diagnostics.push(
            Diagnostic::of(
                codes::structure::TOO_MANY_FINDINGS,
                format!(
                    "stopped after {MAX_REFERENCE_FINDINGS} unknown references in this file ({unknown} in all)"
                ),
                document.label("/stages", true),
            )
            .with_help("fix the references above and run the check again"),
        );
    }
    diagnostics
}

/// Reports a CRM stage name listed in the `crm_names` of two stages, compared as `metrics`
/// matches them (case and runs of spaces aside): a deal in that CRM stage would be counted in
/// one of the two without a word, and the CRM export would hold two stages of one name.
fn unique_crm_names(document: &Document, stages: &[Value], diagnostics: &mut Vec<Diagnostic>) {
    let mut first: HashMap<String, (usize, usize)> = HashMap::new();
    for (i, stage) in stages.iter().enumerate() {
        let Some(names) = stage.get("crm_names").and_then(Value::as_array) else {
            continue;
        };
        for (j, name) in names.iter().enumerate() {
            let Some(name) = name.as_str() else { continue };
            let key = name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            match first.get(&key) {
                Some(&(earlier, k)) if earlier != i => {
                    let id = |at: usize| {
                        stages[at]
                            .get("id")
                            .and_then(Value::as_str)
                            .unwrap_or("?")
                            .to_owned()
                    };
                    diagnostics.push(
                        Diagnostic::of(
                            codes::structure::DUPLICATE_CRM_NAME,
                            format!(
                                "stage `{}` lists the CRM name `{name}`, which stage `{}` lists already",
                                id(i),
                                id(earlier)
                            ),
                            document
                                .label(&format!("/stages/{i}/crm_names/{j}"), false)
                                .with_text("listed again here"),
                        )
                        .with_related(
                            document
                                .label(&format!("/stages/{earlier}/crm_names/{k}"), false)
                                .with_text("first listed here"),
                        )
                        .with_help("a CRM stage maps to one playbook stage: keep the name in the stage deals in that CRM stage are really in, and remove it from the other"),
                    );
                }
                Some(_) => {}
                None => {
                    first.insert(key, (i, j));
                }
            }
        }
    }
}

/// Reports ids defined twice; returns each id with the index of its first definition.
fn unique_ids<'a>(
    document: &Document,
    items: &'a [Value],
    list: &str,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> HashMap<&'a str, usize> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            continue;
        };
        if let Some(&earlier) = first.get(id) {
            diagnostics.push(
                Diagnostic::of(
                    codes::structure::DUPLICATE_ID,
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

//! Load stage: a variant playbook (`extends: base.yaml`) read as its base with the variant's
//! changes laid over it — the base's playbook settings replaced key by key, each stage the
//! variant names changed field by field, content items replaced or added — so that every later
//! stage sees one ordinary playbook. Every node keeps the span of the file it comes from: a
//! finding on a duration the variant changed points into the variant, one on a stage it left
//! alone into the base.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashSet;
use serde_json::{Map, Value};

use super::yaml::{SpanMap, push_segment};
use super::{
    Document, Files, Limits, check_include_path, is_fragment, read_and_parse, resolve_includes,
};
use crate::diagnostic::{Diagnostic, codes};
use crate::source::{self, SourceFile};

/// The merged document of the variant `file` (parsed into `value` and `spans`), or `None` when
/// its base cannot be read (the reason is among `diagnostics`).
pub(super) fn resolve(
    files: &dyn Files,
    file: &Arc<SourceFile>,
    value: Value,
    spans: SpanMap,
    limits: &Limits,
    diagnostics: &mut Vec<Diagnostic>,
) -> io::Result<Option<Document>> {
    let variant = Document {
        files: vec![Arc::clone(file)],
        value,
        spans,
    };
    let Some(written) = variant.value.get("extends").and_then(Value::as_str) else {
        // Not a path: the schema says so.
        return Ok(Some(variant));
    };
    let written = written.to_owned();
    let refuse = |message: String, help: &str| {
        Diagnostic::of(
            codes::structure::INVALID_EXTENDS,
            message,
            variant.label("/extends", false),
        )
        .with_help(help.to_owned())
    };
    let root = files.project_root(&file.path);
    let folder = file
        .path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let target = match check_include_path(files, &root, &folder, &written) {
        Ok(target) if files.is_file(&target) => target,
        Ok(_) => {
            diagnostics.push(refuse(
                format!("the base playbook `{written}` does not exist"),
                "check the spelling; the path is relative to this playbook's folder",
            ));
            return Ok(None);
        }
        Err(why) => {
            diagnostics.push(refuse(
                format!("`{written}` {why}"),
                &format!(
                    "the base playbook must be inside the project folder `{}`",
                    source::display_name(&root)
                ),
            ));
            return Ok(None);
        }
    };
    let (base_file, parsed) = read_and_parse(files, &target, limits)?;
    diagnostics.extend(parsed.diagnostics);
    let Some(base_value) = parsed.value else {
        diagnostics.push(refuse(
            format!("the base playbook `{written}` could not be read (see above)"),
            "fix the base playbook first",
        ));
        return Ok(None);
    };
    if base_value.get("extends").is_some() || is_fragment(&base_value) {
        let what = if is_fragment(&base_value) {
            "an include fragment, not a playbook"
        } else {
            "itself a variant of another playbook"
        };
        diagnostics.push(refuse(
            format!("`{written}` is {what}"),
            "extend the playbook that holds the whole process",
        ));
        return Ok(None);
    }
    let mut base = Document {
        files: vec![base_file],
        value: base_value,
        spans: parsed.spans,
    };
    resolve_includes(files, &mut base, limits, diagnostics)?;
    let ok = check_variant(&variant, &base, diagnostics);
    Ok(ok.then(|| merge(variant, base)))
}

/// Reports what a variant may not do: `include` files of its own, keep the base's id, or change
/// a stage the base does not have. False when one of them is found.
fn check_variant(variant: &Document, base: &Document, diagnostics: &mut Vec<Diagnostic>) -> bool {
    let before = diagnostics.len();
    if variant.value.get("include").is_some() {
        diagnostics.push(
            Diagnostic::of(
                codes::structure::INVALID_EXTENDS,
                "a variant cannot `include` files of its own",
                variant.label("/include", true),
            )
            .with_help(
                "include them in the base playbook; the variant sees everything it includes",
            ),
        );
    }
    let id = |doc: &Document| {
        doc.value
            .pointer("/playbook/id")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if id(variant).is_none() || id(variant) == id(base) {
        diagnostics.push(
            Diagnostic::of(
                codes::structure::INVALID_EXTENDS,
                "a variant needs a `playbook.id` of its own",
                variant.label("/playbook", true),
            )
            .with_help("give it an id that says which segment it is for, e.g. `id: enterprise-smb`: handbooks and CRM exports are named after it"),
        );
    }
    let base_ids: Vec<&str> = stage_list(&base.value)
        .iter()
        .filter_map(|s| s.get("id").and_then(Value::as_str))
        .collect();
    for (i, stage) in stage_list(&variant.value).iter().enumerate() {
        let Some(id) = stage.get("id").and_then(Value::as_str) else {
            diagnostics.push(
                Diagnostic::of(
                    codes::structure::INVALID_EXTENDS,
                    "a stage of a variant must say which stage of the base it changes",
                    variant.label(&format!("/stages/{i}"), false),
                )
                .with_help("add `id:` with the id of the base's stage"),
            );
            continue;
        };
        if !base_ids.contains(&id) {
            let help = match crate::diagnostic::did_you_mean(id, base_ids.iter().copied()) {
                Some(close) => format!("did you mean `{close}`? A variant changes the base's stages; a new stage belongs in the base (or in a playbook of its own)"),
                None => "a variant changes the base's stages; a new stage belongs in the base (or in a playbook of its own)".to_owned(),
            };
            diagnostics.push(
                Diagnostic::of(
                    codes::structure::INVALID_EXTENDS,
                    format!("the base playbook has no stage `{id}` to change"),
                    variant.label(&format!("/stages/{i}/id"), false),
                )
                .with_help(help),
            );
        }
    }
    diagnostics.len() == before
}

/// The `stages` list of a document, empty when it has none.
fn stage_list(value: &Value) -> &[Value] {
    value
        .get("stages")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
}

/// The base with the variant laid over it; the variant is file 0, the base's files follow.
fn merge(variant: Document, base: Document) -> Document {
    let Document {
        files: variant_files,
        value: variant_value,
        spans: variant_spans,
    } = variant;
    let mut files = variant_files;
    files.extend(base.files);
    let mut spans = SpanMap::default();
    spans.absorb(base.spans, 1);
    let mut value = base.value;
    // Variant pointer prefix → where it lands in the merged document.
    let mut moves: Vec<(String, String)> = vec![(String::new(), String::new())];
    let mut replaced: FxHashSet<String> = FxHashSet::default();
    let Value::Object(variant_map) = variant_value else {
        return Document {
            files,
            value,
            spans,
        };
    };
    let Some(merged) = value.as_object_mut() else {
        return Document {
            files,
            value: Value::Object(variant_map),
            spans: variant_spans,
        };
    };
    for (key, item) in variant_map {
        let mut at = String::new();
        push_segment(&mut at, &key);
        match (key.as_str(), item) {
            ("playbook", Value::Object(settings)) => {
                moves.push((at.clone(), at.clone()));
                let target = object_at(merged, "playbook");
                for (name, setting) in settings {
                    let mut pointer = at.clone();
                    push_segment(&mut pointer, &name);
                    overlay(&mut moves, &mut replaced, &pointer, &pointer);
                    target.insert(name, setting);
                }
            }
            ("stages", Value::Array(stages)) => {
                let list = list_at(merged, "stages");
                for (i, stage) in stages.into_iter().enumerate() {
                    let Value::Object(stage) = stage else {
                        continue;
                    };
                    let id = stage.get("id").cloned();
                    let Some(k) = list.iter().position(|s| s.get("id") == id.as_ref()) else {
                        continue;
                    };
                    let Some(target) = list[k].as_object_mut() else {
                        continue;
                    };
                    for (name, field) in stage {
                        let mut from = format!("/stages/{i}");
                        let mut to = format!("/stages/{k}");
                        push_segment(&mut from, &name);
                        push_segment(&mut to, &name);
                        overlay(&mut moves, &mut replaced, &from, &to);
                        target.insert(name, field);
                    }
                }
            }
            ("content", Value::Array(items)) => {
                let list = list_at(merged, "content");
                for (i, item) in items.into_iter().enumerate() {
                    let id = item.get("id").cloned();
                    let k = list
                        .iter()
                        .position(|c| id.is_some() && c.get("id") == id.as_ref());
                    let k = if let Some(k) = k {
                        list[k] = item;
                        k
                    } else {
                        list.push(item);
                        list.len() - 1
                    };
                    overlay(
                        &mut moves,
                        &mut replaced,
                        &format!("/content/{i}"),
                        &format!("/content/{k}"),
                    );
                }
            }
            (_, item) => {
                overlay(&mut moves, &mut replaced, &at, &at);
                merged.insert(key, item);
            }
        }
    }
    spans.remove_under(&replaced);
    spans.graft(variant_spans, 0, |pointer| {
        // The longest matching prefix decides; the root only matches itself.
        moves
            .iter()
            .filter(|(from, _)| {
                pointer == from
                    || (!from.is_empty()
                        && pointer.starts_with(from.as_str())
                        && pointer.as_bytes().get(from.len()) == Some(&b'/'))
            })
            .max_by_key(|(from, _)| from.len())
            .map(|(from, to)| format!("{to}{}", &pointer[from.len()..]))
    });
    Document {
        files,
        value,
        spans,
    }
}

/// Records that the variant's node at `from` replaces the merged node at `to`.
fn overlay(
    moves: &mut Vec<(String, String)>,
    replaced: &mut FxHashSet<String>,
    from: &str,
    to: &str,
) {
    moves.push((from.to_owned(), to.to_owned()));
    replaced.insert(to.to_owned());
}

/// The object under `key`, made one if it is missing or not an object.
fn object_at<'m>(map: &'m mut Map<String, Value>, key: &str) -> &'m mut Map<String, Value> {
    let slot = map
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut().expect("made an object above")
}

/// The list under `key`, made one if it is missing or not a list.
fn list_at<'m>(map: &'m mut Map<String, Value>, key: &str) -> &'m mut Vec<Value> {
    let slot = map
        .entry(key.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    slot.as_array_mut().expect("made a list above")
}

//! What the server answers: diagnostics in the protocol's terms, completion, hover,
//! definition, references, rename, the stage outline and quick fixes.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use lsp_server::Request;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CompletionItem,
    CompletionItemKind, CompletionParams, DiagnosticRelatedInformation, DiagnosticSeverity,
    DocumentSymbol, DocumentSymbolParams, GotoDefinitionParams, Hover, HoverContents, HoverParams,
    Location, MarkupContent, MarkupKind, NumberOrString, ReferenceParams, RenameParams, SymbolKind,
    TextDocumentPositionParams, TextEdit, Uri, WorkspaceEdit,
};
use serde_json::{Value, json};

use super::{State, nothing, params, text};
use crate::check::Checked;
use crate::diagnostic::{Diagnostic, Label, Severity};

/// The answer to one request, or why it has none.
pub(crate) fn answer(state: &State, request: &Request) -> Result<Value, String> {
    let value = match request.method.as_str() {
        "textDocument/completion" => json(completion(state, &params(request)?)),
        "textDocument/hover" => json(hover(state, &params::<HoverParams>(request)?)),
        "textDocument/definition" => json(definition(
            state,
            &params::<GotoDefinitionParams>(request)?.text_document_position_params,
        )),
        "textDocument/references" => json(references(state, &params(request)?)),
        "textDocument/rename" => json(rename(state, &params(request)?)?),
        "textDocument/documentSymbol" => json(symbols(state, &params(request)?)),
        "textDocument/codeAction" => json(actions(state, &params(request)?)),
        _ => return Err(format!("stagebook does not answer `{}`", request.method)),
    };
    Ok(value)
}

fn json<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or_else(|_| nothing())
}

/// A finding as the protocol carries it; the fix its help names rides along in `data`.
pub(crate) fn diagnostic(finding: &Diagnostic) -> lsp_types::Diagnostic {
    let at = |label: &Label| text::file_range(&label.file, label.span.clone());
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: Location::new(text::uri_of(&label.file.path).parse().ok()?, at(label)),
                message: label.text.clone().unwrap_or_else(|| "related".into()),
            })
        })
        .collect();
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    lsp_types::Diagnostic {
        range: at(&finding.primary),
        severity: Some(match finding.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Note => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(finding.code.clone())),
        source: Some("stagebook".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        data: finding
            .help
            .as_deref()
            .and_then(replacement)
            .map(|replace| json!({ "replace": replace })),
        ..lsp_types::Diagnostic::default()
    }
}

/// The text a help line proposes for the finding's place: `did you mean `goal`?` → `goal`,
/// `write `probability: 20`` → `20`.
fn replacement(help: &str) -> Option<String> {
    let quoted = |after: &str| -> Option<String> {
        let start = help.find(after)? + after.len();
        let end = start + help[start..].find('`')?;
        Some(help[start..end].to_owned())
    };
    if let Some(word) = quoted("did you mean `") {
        return Some(word);
    }
    let written = quoted("write `")?;
    Some(
        written
            .split_once(": ")
            .map_or(written.as_str(), |(_, value)| value)
            .to_owned(),
    )
}

/// A stage id where it is written: its definition or a `next` / `recycle` reference.
struct Place {
    stage: String,
    definition: bool,
    file: PathBuf,
    text: std::sync::Arc<crate::source::SourceFile>,
    span: Range<usize>,
}

impl Place {
    fn location(&self) -> Option<Location> {
        Some(Location::new(
            text::uri_of(&self.file).parse().ok()?,
            text::file_range(&self.text, self.span.clone()),
        ))
    }
}

/// The playbook checked for the document at `path`: its own check, or that of an open
/// playbook that includes it.
fn checked_for<'s>(state: &'s State, path: &Path) -> Option<&'s Checked> {
    state.checked.get(path).or_else(|| {
        state.checked.values().find(|c| {
            c.document
                .as_ref()
                .is_some_and(|d| d.files.iter().any(|f| f.path == path))
        })
    })
}

/// Every stage id of the playbook, where it is defined and used.
fn places(checked: &Checked) -> Vec<Place> {
    let Some(document) = &checked.document else {
        return Vec::new();
    };
    let stages = document
        .value
        .get("stages")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let mut out = Vec::new();
    let mut push = |pointer: String, stage: &str, definition: bool| {
        if let Some(span) = document.spans.get(&pointer) {
            let file = &document.files[span.file];
            out.push(Place {
                stage: stage.to_owned(),
                definition,
                file: file.path.clone(),
                text: std::sync::Arc::clone(file),
                span: span.value.clone(),
            });
        }
    };
    for (i, stage) in stages.iter().enumerate() {
        if let Some(id) = stage.get("id").and_then(Value::as_str) {
            push(format!("/stages/{i}/id"), id, true);
        }
        for field in ["next", "recycle"] {
            match stage.get(field) {
                Some(Value::String(id)) => push(format!("/stages/{i}/{field}"), id, false),
                Some(Value::Array(ids)) => {
                    for (k, id) in ids.iter().enumerate() {
                        if let Some(id) = id.as_str() {
                            push(format!("/stages/{i}/{field}/{k}"), id, false);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The stage id under the cursor, and every place of the playbook.
fn at_cursor(state: &State, at: &TextDocumentPositionParams) -> Option<(String, Vec<Place>)> {
    let path = text::path_of(at.text_document.uri.as_str())?;
    let checked = checked_for(state, &path)?;
    let source = state.open.get(&path)?;
    let offset = text::offset(source, at.position);
    let places = places(checked);
    let id = places
        .iter()
        .find(|p| p.file == path && p.span.start <= offset && offset <= p.span.end)?
        .stage
        .clone();
    Some((id, places))
}

fn definition(state: &State, at: &TextDocumentPositionParams) -> Option<Location> {
    include_at(state, at).or_else(|| stage_definition(state, at))
}

/// On an `include:` item: the file it names.
fn include_at(state: &State, at: &TextDocumentPositionParams) -> Option<Location> {
    let path = text::path_of(at.text_document.uri.as_str())?;
    let document = checked_for(state, &path)?.document.as_ref()?;
    let source = state.open.get(&path)?;
    let offset = text::offset(source, at.position);
    let includes = document.value.get("include")?.as_array()?;
    includes.iter().enumerate().find_map(|(k, item)| {
        let span = document.spans.get(&format!("/include/{k}"))?;
        let file = &document.files[span.file];
        if file.path != path || !(span.value.start <= offset && offset <= span.value.end) {
            return None;
        }
        let target = path.parent()?.join(item.as_str()?);
        let start = lsp_types::Position::new(0, 0);
        Some(Location::new(
            text::uri_of(&target).parse().ok()?,
            lsp_types::Range::new(start, start),
        ))
    })
}

/// Off a stage id: the `include:` items of the open playbooks that name a file — the one named
/// under the cursor, or else the document itself (who includes this fragment?).
fn include_references(state: &State, at: &TextDocumentPositionParams) -> Vec<Location> {
    let Some(path) = text::path_of(at.text_document.uri.as_str()) else {
        return Vec::new();
    };
    let target = include_at(state, at)
        .and_then(|named| text::path_of(named.uri.as_str()))
        .unwrap_or(path);
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    let mut out = Vec::new();
    for checked in state.checked.values() {
        let Some(document) = &checked.document else {
            continue;
        };
        let includes = document.value.get("include").and_then(Value::as_array);
        for (k, item) in includes.into_iter().flatten().enumerate() {
            let (Some(span), Some(name)) =
                (document.spans.get(&format!("/include/{k}")), item.as_str())
            else {
                continue;
            };
            let file = &document.files[span.file];
            let named = file.path.parent().map(|folder| folder.join(name));
            if !named.is_some_and(|named| same(&named, &target)) {
                continue;
            }
            if let Ok(uri) = text::uri_of(&file.path).parse() {
                out.push(Location::new(
                    uri,
                    text::file_range(file, span.value.clone()),
                ));
            }
        }
    }
    out
}

fn stage_definition(state: &State, at: &TextDocumentPositionParams) -> Option<Location> {
    let (id, places) = at_cursor(state, at)?;
    places
        .iter()
        .find(|p| p.definition && p.stage == id)?
        .location()
}

fn references(state: &State, request: &ReferenceParams) -> Vec<Location> {
    let Some((id, places)) = at_cursor(state, &request.text_document_position) else {
        return include_references(state, &request.text_document_position);
    };
    places
        .iter()
        .filter(|p| p.stage == id && (request.context.include_declaration || !p.definition))
        .filter_map(Place::location)
        .collect()
}

// `WorkspaceEdit` keys its edits by `Uri`, which caches its parse inside: never mutated here.
#[allow(clippy::mutable_key_type)]
fn rename(state: &State, request: &RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let new = request.new_name.trim();
    let valid = !new.is_empty()
        && new.len() <= 64
        && new.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && new
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid {
        return Err(format!(
            "`{new}` cannot be a stage id: use lowercase letters, digits, `-` or `_`, like `discovery`"
        ));
    }
    let Some((id, places)) = at_cursor(state, &request.text_document_position) else {
        return Ok(None);
    };
    if places.iter().any(|p| p.definition && p.stage == new) {
        return Err(format!("a stage with the id `{new}` exists already"));
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for place in places.iter().filter(|p| p.stage == id) {
        let Some(location) = place.location() else {
            continue;
        };
        changes
            .entry(location.uri)
            .or_default()
            .push(TextEdit::new(location.range, new.to_owned()));
    }
    Ok(Some(WorkspaceEdit::new(changes)))
}

/// The stages of the document, in order, as its outline.
fn symbols(state: &State, request: &DocumentSymbolParams) -> Vec<DocumentSymbol> {
    let Some(path) = text::path_of(request.text_document.uri.as_str()) else {
        return Vec::new();
    };
    let Some(document) = checked_for(state, &path).and_then(|c| c.document.as_ref()) else {
        return Vec::new();
    };
    let stages = document
        .value
        .get("stages")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    stages
        .iter()
        .enumerate()
        .filter_map(|(i, stage)| {
            let whole = document.spans.get(&format!("/stages/{i}"))?;
            let id = document.spans.get(&format!("/stages/{i}/id"))?;
            let file = &document.files[whole.file];
            if file.path != path {
                return None;
            }
            let stage_id = stage.get("id")?.as_str()?;
            let name = stage
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(stage_id);
            #[allow(deprecated)] // `deprecated` is a required field of the struct
            Some(DocumentSymbol {
                name: name.to_owned(),
                detail: Some(stage_id.to_owned()),
                kind: if stage.get("terminal").is_some() {
                    SymbolKind::EVENT
                } else {
                    SymbolKind::CLASS
                },
                tags: None,
                deprecated: None,
                range: text::file_range(file, whole.value.clone()),
                selection_range: text::file_range(file, id.value.clone()),
                children: None,
            })
        })
        .collect()
}

fn markdown_hover(value: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: None,
    }
}

fn hover(state: &State, request: &HoverParams) -> Option<Hover> {
    stage_hover(state, request).or_else(|| word_hover(state, request))
}

/// On a rule id (in `allow:`, say): the rule's documentation; on a field name: the field's
/// description from the schema.
fn word_hover(state: &State, request: &HoverParams) -> Option<Hover> {
    let at = &request.text_document_position_params;
    let path = text::path_of(at.text_document.uri.as_str())?;
    let source = state.open.get(&path)?;
    let offset = text::offset(source, at.position);
    let (word, _) = word_at(source, offset);
    let word = word.trim_end_matches(':');
    if let Some(rule) = crate::lint::find_rule(word) {
        return Some(markdown_hover(format!(
            "**{word}**\n\n{}",
            rule.meta().markdown()
        )));
    }
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = source[line_start..].split('\n').next().unwrap_or("");
    let key = line
        .trim_start()
        .trim_start_matches("- ")
        .split(':')
        .next()?
        .trim();
    if key != word {
        return None;
    }
    let names = ancestors(source, offset);
    let description =
        crate::validate::description_at(&format!("{}/{key}", pseudo_pointer(&names)))?;
    Some(markdown_hover(format!("**{key}**\n\n{description}")))
}

fn stage_hover(state: &State, request: &HoverParams) -> Option<Hover> {
    let (id, _) = at_cursor(state, &request.text_document_position_params)?;
    let path = text::path_of(
        request
            .text_document_position_params
            .text_document
            .uri
            .as_str(),
    )?;
    let document = checked_for(state, &path)?.document.as_ref()?;
    let found = document
        .value
        .get("stages")?
        .as_array()?
        .iter()
        .find(|s| s.get("id").and_then(Value::as_str) == Some(id.as_str()))?;
    let field = |key: &str| found.get(key).and_then(Value::as_str);
    let mut markdown = format!("**{}** (`{id}`)", field("name").unwrap_or(&id));
    if let Some(goal) = field("goal") {
        let _ = write!(markdown, "\n\n{goal}");
    }
    if let Some(duration) = field("expected_duration") {
        let _ = write!(markdown, "\n\nExpected time: {duration}");
    }
    if let Some(terminal) = field("terminal") {
        let _ = write!(markdown, "\n\nCloses the deal: {terminal}");
    }
    Some(markdown_hover(markdown))
}

/// Completion by what the line says before the cursor: stage ids after `next:` / `recycle:`,
/// rule ids after `allow:`, durations after `expected_duration:` / `cycle_target:`.
fn completion(state: &State, request: &CompletionParams) -> Vec<CompletionItem> {
    let at = &request.text_document_position;
    let Some(path) = text::path_of(at.text_document.uri.as_str()) else {
        return Vec::new();
    };
    let Some(source) = state.open.get(&path) else {
        return Vec::new();
    };
    let offset = text::offset(source, at.position);
    let line = &source[source[..offset].rfind('\n').map_or(0, |i| i + 1)..offset];
    let item = |label: String, detail: Option<String>, kind| CompletionItem {
        label,
        detail,
        kind: Some(kind),
        ..CompletionItem::default()
    };
    if line.contains("next:") || line.contains("recycle:") {
        return stage_ids(state, &path, source)
            .into_iter()
            .map(|(id, name)| item(id, name, CompletionItemKind::ENUM_MEMBER))
            .collect();
    }
    if line
        .trim_start()
        .trim_start_matches("- ")
        .starts_with("owner:")
        && let Some(roles) = checked_for(state, &path)
            .and_then(|c| c.document.as_ref())
            .and_then(|d| d.value.pointer("/playbook/roles"))
            .and_then(Value::as_array)
    {
        // A stage's or an item's owner: one of the playbook's roles (the playbook's own
        // `owner` is free text, and has no `- ` or deeper indent than two spaces).
        if line.starts_with("    ") {
            return roles
                .iter()
                .filter_map(|r| {
                    let id = r.get("id")?.as_str()?.to_owned();
                    let name = r.get("name").and_then(Value::as_str).map(str::to_owned);
                    Some(item(id, name, CompletionItemKind::ENUM_MEMBER))
                })
                .collect();
        }
    }
    if line.contains("milestone:") {
        return crate::model::MILESTONES
            .iter()
            .map(|&(id, words)| {
                item(
                    id.to_owned(),
                    Some(words.to_owned()),
                    CompletionItemKind::ENUM_MEMBER,
                )
            })
            .collect();
    }
    if line.contains("allow:") {
        return crate::lint::registry()
            .iter()
            .map(|rule| {
                let meta = rule.meta();
                item(
                    meta.id.to_owned(),
                    Some(meta.summary.to_owned()),
                    CompletionItemKind::CONSTANT,
                )
            })
            .collect();
    }
    let names = ancestors(source, offset);
    let pointer = pseudo_pointer(&names);
    if !line.contains(':') {
        // A field name being typed: the fields the object here takes.
        return crate::validate::fields_at(&pointer)
            .into_iter()
            .map(|(field, description)| CompletionItem {
                insert_text: Some(format!("{field}: ")),
                ..item(field, description, CompletionItemKind::FIELD)
            })
            .collect();
    }
    let key = line
        .trim_start()
        .trim_start_matches("- ")
        .split(':')
        .next()
        .unwrap_or("");
    if let Some(values) = crate::validate::values_at(&format!("{pointer}/{key}")) {
        return values
            .into_iter()
            .map(|value| item(value, None, CompletionItemKind::ENUM_MEMBER))
            .collect();
    }
    if line.contains("expected_duration:") || line.contains("cycle_target:") {
        return [
            ("36h", "36 hours"),
            ("5d", "5 days"),
            ("10d", "10 days"),
            ("2w", "2 weeks"),
        ]
        .iter()
        .map(|(form, words)| {
            item(
                (*form).to_owned(),
                Some((*words).to_owned()),
                CompletionItemKind::VALUE,
            )
        })
        .collect();
    }
    Vec::new()
}

/// The keys of the mappings that hold the line at `offset`, outermost first, read from the
/// indentation of the lines above it (the text may not parse while it is being typed):
/// `["stages", "buyer_view"]` inside a stage's `buyer_view`.
fn ancestors(source: &str, offset: usize) -> Vec<String> {
    let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let indent_of = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let current = &source[line_start..];
    let current = current.split('\n').next().unwrap_or("");
    // Inside a list item (`  - id: x` or a key below it), the item's fields start after `- `.
    let mut target = indent_of(current)
        + if current.trim_start().starts_with("- ") {
            2
        } else {
            0
        };
    let mut names = Vec::new();
    for line in source[..line_start].lines().rev() {
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = indent_of(line);
        if let Some(item) = content.strip_prefix("- ") {
            if indent + 2 == target || (indent < target && !item.contains(':')) {
                target = indent;
            }
            continue;
        }
        if indent < target {
            if let Some((key, _)) = content.split_once(':') {
                names.push(key.trim().to_owned());
            }
            target = indent;
            if target == 0 {
                break;
            }
        }
    }
    names.reverse();
    names
}

/// A pointer the schema helpers read from ancestor keys: the list items' numbers do not
/// matter to them (`/stages/0/buyer_view`).
fn pseudo_pointer(names: &[String]) -> String {
    let mut pointer = String::new();
    for name in names {
        pointer.push('/');
        pointer.push_str(name);
        if matches!(
            name.as_str(),
            "stages" | "content" | "do" | "say" | "exit" | "know"
        ) {
            pointer.push_str("/0");
        }
    }
    pointer
}

/// The word under the cursor (letters, digits, `-`, `_`, `:`), and its byte range.
fn word_at(source: &str, offset: usize) -> (&str, Range<usize>) {
    let is_word = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | ':');
    let start = source[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = source[offset..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(source.len(), |(i, _)| offset + i);
    (&source[start..end], start..end)
}

/// The stage ids (and names) of the playbook; read from the text itself when the last check
/// could not parse it (the author is in the middle of typing).
fn stage_ids(state: &State, path: &Path, source: &str) -> Vec<(String, Option<String>)> {
    if let Some(document) = checked_for(state, path).and_then(|c| c.document.as_ref())
        && let Some(stages) = document.value.get("stages").and_then(Value::as_array)
    {
        return stages
            .iter()
            .filter_map(|s| {
                Some((
                    s.get("id")?.as_str()?.to_owned(),
                    s.get("name").and_then(Value::as_str).map(str::to_owned),
                ))
            })
            .collect();
    }
    source
        .lines()
        .filter_map(|line| {
            let rest = line
                .trim_start()
                .strip_prefix("- ")
                .unwrap_or(line.trim_start());
            let id = rest.strip_prefix("id:")?.trim();
            (!id.is_empty()).then(|| (id.to_owned(), None))
        })
        .collect()
}

/// Quick fixes: the replacement a finding's help names, at the finding's place.
#[allow(clippy::mutable_key_type)] // as in `rename`
fn actions(state: &State, request: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let uri = &request.text_document.uri;
    let source = text::path_of(uri.as_str()).and_then(|path| state.open.get(&path));
    let code_of = |finding: &lsp_types::Diagnostic| match finding.code.as_ref()? {
        NumberOrString::String(code) => Some(code.clone()),
        NumberOrString::Number(_) => None,
    };
    let quick_fix = |finding: &lsp_types::Diagnostic, title: String, edit: TextEdit| CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![finding.clone()]),
        edit: Some(WorkspaceEdit::new(HashMap::from([(
            uri.clone(),
            vec![edit],
        )]))),
        ..CodeAction::default()
    };
    let findings = &request.context.diagnostics;
    let fixes = findings.iter().filter_map(|finding| {
        let replace = finding.data.as_ref()?.get("replace")?.as_str()?;
        let edit = TextEdit::new(finding.range, replace.to_owned());
        Some(CodeAction {
            is_preferred: Some(true),
            ..quick_fix(finding, format!("Write `{replace}`"), edit)
        })
    });
    let stubs = findings.iter().filter_map(|finding| {
        let (field, lines) = stub(&code_of(finding)?)?;
        let (at, text) = into_stage(source?, finding.range.start, field, lines)?;
        let edit = TextEdit::new(lsp_types::Range::new(at, at), text);
        Some(quick_fix(
            finding,
            format!("Add `{field}` with TODOs to fill in"),
            edit,
        ))
    });
    let suppressions = findings.iter().filter_map(|finding| {
        let code = code_of(finding)?;
        crate::lint::find_rule(&code)?;
        let (at, line) = suppression(source?, finding.range.start, &code)?;
        let edit = TextEdit::new(lsp_types::Range::new(at, at), line);
        Some(quick_fix(
            finding,
            format!("Allow `{code}` in this stage, with a reason"),
            edit,
        ))
    });
    fixes
        .chain(stubs)
        .chain(suppressions)
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

/// The section a "missing" finding asks for, as a stub whose `TODO`s `placeholder-text` keeps
/// flagging until the author writes them: the field and its lines (after `field:`), indented
/// from the field's own column.
fn stub(code: &str) -> Option<(&'static str, &'static [&'static str])> {
    Some(match code {
        "missing-goal" => (
            "goal",
            &[" TODO what the buyer agrees to by the end of this stage"],
        ),
        "missing-know" => ("know", &["", "  - TODO what the rep must know here"]),
        "missing-do" => ("do", &["", "  - action: TODO what the rep does here"]),
        "missing-say" => (
            "say",
            &[
                "",
                "  - situation: TODO when the rep says it",
                "    script: TODO what the rep says",
            ],
        ),
        "missing-buyer-view" => (
            "buyer_view",
            &["", "  pains: [TODO what hurts the buyer here]"],
        ),
        "stage-without-exit" => (
            "exit",
            &[
                "",
                "  - event: TODO what the buyer does to move on",
                "    evidence: TODO the proof in the CRM",
            ],
        ),
        _ => return None,
    })
}

/// Where to insert a new `field` at the start of the stage whose item holds the line of `at`,
/// and the text: `None` outside a stage or when the stage has the field already.
fn into_stage(
    source: &str,
    at: lsp_types::Position,
    field: &str,
    lines: &[&str],
) -> Option<(lsp_types::Position, String)> {
    let (item, column, fields) = stage_item(source, at)?;
    if fields.iter().any(|f| f == field) {
        return None;
    }
    let pad = " ".repeat(column);
    let mut text = format!("{pad}{field}:{}\n", lines.first().copied().unwrap_or(""));
    for line in lines.iter().skip(1) {
        text.push_str(&pad);
        text.push_str(line);
        text.push('\n');
    }
    Some((
        lsp_types::Position::new(u32::try_from(item + 1).ok()?, 0),
        text,
    ))
}

/// The stage item holding the line of `at`: its line, the column of its fields, and the
/// fields it has; `None` outside `stages`.
fn stage_item(source: &str, at: lsp_types::Position) -> Option<(usize, usize, Vec<String>)> {
    let lines: Vec<&str> = source.split('\n').collect();
    let indent_of = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let here = usize::try_from(at.line)
        .ok()?
        .min(lines.len().checked_sub(1)?);
    let item = (0..=here).rev().find(|&i| {
        lines[i].trim_start().starts_with("- ") && indent_of(lines[i]) <= indent_of(lines[here])
    })?;
    let column = indent_of(lines[item]) + 2;
    let in_stages = lines[..item]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty() && indent_of(l) < indent_of(lines[item]))
        .is_some_and(|l| l.trim_start().starts_with("stages:"));
    if !in_stages {
        return None;
    }
    let end = (item + 1..lines.len())
        .find(|&i| !lines[i].trim().is_empty() && indent_of(lines[i]) < column)
        .unwrap_or(lines.len());
    let first = lines[item].trim_start().trim_start_matches("- ");
    let fields = std::iter::once(first)
        .chain(
            lines[item + 1..end]
                .iter()
                .filter(|l| indent_of(l) == column)
                .map(|l| l.trim_start()),
        )
        .filter_map(|l| l.split_once(':').map(|(key, _)| key.trim().to_owned()))
        .collect();
    Some((item, column, fields))
}

/// Where to insert a `lint:` suppression of `rule` for the stage whose item holds the line of
/// `at`, and the line to insert (a reason to write in place of the placeholder); `None`
/// outside a stage, or when the stage has a `lint:` already (edit that one).
fn suppression(
    source: &str,
    at: lsp_types::Position,
    rule: &str,
) -> Option<(lsp_types::Position, String)> {
    into_stage(
        source,
        at,
        "lint",
        &[&format!(
            " {{allow: [{rule}], reason: \"TODO: say why this stage needs no {rule}\"}}"
        )],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_follow_the_indentation() {
        let text = "stages:\n  - id: a\n    do:\n      - action: Call\n        ch\n    na\n  - i\n";
        let at = |needle: &str| text.find(needle).unwrap() + needle.len();
        assert_eq!(ancestors(text, at("        ch")), ["stages", "do"]);
        assert_eq!(ancestors(text, at("    na")), ["stages"]);
        assert_eq!(ancestors(text, at("  - i")), ["stages"]);
        assert!(ancestors(text, 0).is_empty());
        assert_eq!(
            pseudo_pointer(&ancestors(text, at("        ch"))),
            "/stages/0/do/0"
        );
    }

    #[test]
    fn suppressions_go_into_the_stage() {
        let text =
            "stages:\n  - id: a\n    name: A\n  - id: b\n    lint: {allow: [x], reason: y}\n";
        let (at, line) = suppression(text, lsp_types::Position::new(1, 8), "missing-goal").unwrap();
        assert_eq!(at, lsp_types::Position::new(2, 0));
        assert_eq!(
            line,
            "    lint: {allow: [missing-goal], reason: \"TODO: say why this stage needs no missing-goal\"}\n"
        );
        assert_eq!(
            suppression(text, lsp_types::Position::new(3, 8), "missing-goal"),
            None,
            "b has one"
        );
    }

    #[test]
    fn help_lines_name_their_fix() {
        assert_eq!(replacement("did you mean `goal`?").as_deref(), Some("goal"));
        assert_eq!(
            replacement("write `probability: 20`: a whole number").as_deref(),
            Some("20")
        );
        assert_eq!(replacement("write `1w`").as_deref(), Some("1w"));
        assert_eq!(
            replacement("add `goal:` with what the stage must achieve"),
            None
        );
    }
}

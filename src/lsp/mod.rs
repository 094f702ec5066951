//! `stagebook lsp`: a language server over standard input and output, so an editor shows
//! `check`'s findings as the author types and knows the playbook's stages.
//!
//! Built on rust-analyzer's `lsp-server` (the JSON-RPC transport, synchronous, no async
//! runtime) and `lsp-types` (the protocol's types). Every check goes through the same
//! [`crate::check::check_file_in`] as `stagebook check`, over the disk with the editor's unsaved
//! text laid on it ([`crate::load::files::Overlay`]), with the playbook's `stagebook.toml`: the
//! same findings, levels and suppressions. A request that panics answers with an error and
//! the server goes on.
//!
//! What it answers: diagnostics on open and change (for the included files too, with the
//! related places of a finding); completion of stage ids in `next` / `recycle`, of rule ids in
//! `allow`, of durations; hover on a stage id; go to definition, references and rename of a
//! stage id across the playbook and its includes; the stage outline; quick fixes for the
//! findings whose help names the fix ("did you mean `goal`?", "write `probability: 20`").

mod features;
pub(crate) mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
};
use serde_json::Value;

use crate::check::{self, Checked};
use crate::lint::config::{ConfigLoader, Overrides};
use crate::load::files::Overlay;

/// The open documents and what the last check of each found.
#[derive(Default)]
pub(crate) struct State {
    /// Open documents: absolute path → text.
    pub(crate) open: BTreeMap<PathBuf, String>,
    /// The last check of each open playbook.
    pub(crate) checked: BTreeMap<PathBuf, Checked>,
    /// Files each open document last published diagnostics for (to clear them later).
    published: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
}

/// Serves one editor over standard input and output until it says `exit`.
pub(crate) fn serve_stdio() -> io::Result<()> {
    let (connection, threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    threads.join()
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![":".into(), " ".into(), "[".into(), ",".into()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// The message loop of one connection.
pub(crate) fn serve(connection: &Connection) -> io::Result<()> {
    let capabilities = serde_json::to_value(capabilities()).map_err(io::Error::other)?;
    connection
        .initialize(capabilities)
        .map_err(|e| io::Error::other(e.to_string()))?;
    let mut state = State::default();
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| io::Error::other(e.to_string()))?
                {
                    return Ok(());
                }
                let id = request.id.clone();
                let answer = catch_unwind(AssertUnwindSafe(|| features::answer(&state, &request)));
                let response = match answer {
                    Ok(Ok(result)) => Response::new_ok(id, result),
                    Ok(Err(message)) => {
                        Response::new_err(id, ErrorCode::InvalidParams as i32, message)
                    }
                    Err(_) => Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        format!("stagebook failed on `{}`; please report it", request.method),
                    ),
                };
                send(connection, Message::Response(response))?;
            }
            Message::Notification(notification) => {
                let changed = catch_unwind(AssertUnwindSafe(|| {
                    on_notification(&mut state, &notification)
                }));
                if let Ok(Some(path)) = changed {
                    publish(connection, &mut state, &path)?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn send(connection: &Connection, message: Message) -> io::Result<()> {
    connection
        .sender
        .send(message)
        .map_err(|e| io::Error::other(e.to_string()))
}

/// Applies an open, change or close; the path of the document to check again.
fn on_notification(state: &mut State, notification: &Notification) -> Option<PathBuf> {
    let params = &notification.params;
    let uri = params.pointer("/textDocument/uri")?.as_str()?;
    let path = text::path_of(uri)?;
    match notification.method.as_str() {
        "textDocument/didOpen" => {
            let text = params.pointer("/textDocument/text")?.as_str()?;
            state.open.insert(path.clone(), text.to_owned());
        }
        "textDocument/didChange" => {
            // Full synchronisation: the last change holds the whole text.
            let changes = params.get("contentChanges")?.as_array()?;
            let text = changes.last()?.get("text")?.as_str()?;
            state.open.insert(path.clone(), text.to_owned());
        }
        "textDocument/didSave" => {}
        "textDocument/didClose" => {
            state.open.remove(&path);
            state.checked.remove(&path);
        }
        _ => return None,
    }
    Some(path)
}

/// Checks the document at `path` again and publishes its findings, by file.
fn publish(connection: &Connection, state: &mut State, path: &Path) -> io::Result<()> {
    let mut by_file: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
    if state.open.contains_key(path) {
        by_file.insert(path.to_path_buf(), Vec::new());
        if let Some(checked) = check_open(state, path) {
            for diagnostic in &checked.diagnostics {
                by_file
                    .entry(diagnostic.primary.file.path.clone())
                    .or_default()
                    .push(features::diagnostic(diagnostic));
            }
            state.checked.insert(path.to_path_buf(), checked);
        }
    }
    // Files that had findings from this document and have none now are cleared.
    let before = state.published.remove(path).unwrap_or_default();
    for stale in before {
        by_file.entry(stale).or_default();
    }
    let files: BTreeSet<PathBuf> = by_file.keys().cloned().collect();
    for (file, diagnostics) in by_file {
        let Ok(uri) = text::uri_of(&file).parse() else {
            continue;
        };
        let params = PublishDiagnosticsParams::new(uri, diagnostics, None);
        send(
            connection,
            Message::Notification(Notification::new(
                "textDocument/publishDiagnostics".into(),
                params,
            )),
        )?;
    }
    state.published.insert(path.to_path_buf(), files);
    Ok(())
}

/// `check` of an open document, over the disk with the open documents' text: `None` for an
/// include fragment or a file that cannot be read.
fn check_open(state: &State, path: &Path) -> Option<Checked> {
    let config = ConfigLoader::new(Overrides::default())
        .and_then(|mut loader| loader.for_playbook(path))
        .map_or_else(|_| crate::lint::Config::default(), |c| (*c).clone());
    let options = check::Options {
        lint: true,
        ..check::Options::default()
    };
    check::check_file_in(&Overlay { open: &state.open }, path, &options, &config)
        .ok()
        .flatten()
}

/// The JSON value of a request's parameters as `T`.
pub(crate) fn params<T: serde::de::DeserializeOwned>(request: &Request) -> Result<T, String> {
    serde_json::from_value(request.params.clone()).map_err(|e| e.to_string())
}

/// `null`, the answer "nothing here".
pub(crate) fn nothing() -> Value {
    Value::Null
}

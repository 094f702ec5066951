//! `stagebook lsp` driven as an editor drives it: JSON-RPC frames over standard input and
//! output, through a whole session — initialize, open, findings, change, completion, hover,
//! definition, references, rename, outline, quick fix, shutdown, exit.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

/// A running server, and the messages it sends.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: mpsc::Receiver<Value>,
    next_id: u64,
}

fn read_message(reader: &mut BufReader<ChildStdout>) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Server {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stagebook"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("stagebook lsp starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            while let Some(message) = read_message(&mut stdout) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        let mut message = json!({"jsonrpc": "2.0", "method": method});
        message["params"] = params;
        self.send(&message);
    }

    /// Sends a request and waits for its answer, skipping notifications.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({"jsonrpc": "2.0", "id": id, "method": method});
        message["params"] = params;
        self.send(&message);
        loop {
            let message = self.wait();
            if message["id"] == id {
                return message;
            }
        }
    }

    /// The next `publishDiagnostics` for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let message = self.wait();
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
            {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn wait(&self) -> Value {
        self.messages
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answers within 30 s")
    }
}

impl Server {
    /// A started, initialised server with `text` (written at `path`) open.
    fn with_open(path: &Path, text: &str) -> (Self, String) {
        let uri = uri(path);
        let mut server = Self::start();
        server.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        );
        server.notify("initialized", json!({}));
        server.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        (server, uri)
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn at(line: usize, character: usize, uri: &str) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

/// The line and column of the first `needle` in `text`.
fn find(text: &str, needle: &str) -> (usize, usize) {
    let offset = text.find(needle).unwrap_or_else(|| panic!("no `{needle}`"));
    let line = text[..offset].matches('\n').count();
    let column = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1);
    (line, column)
}

const PLAYBOOK: &str = "stagebook: 1
playbook:
  id: lsp-test
  name: LSP test
stages:
  - id: discovery
    name: Discovery
    gaol: Find the pain
    next: demo
  - id: demo
    name: 产品演示
    goal: The buyer sees it work
    next: [won, lost]
  - id: won
    name: Won
    terminal: won
  - id: lost
    name: Lost
    terminal: lost
";

#[test]
fn a_whole_editor_session() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("playbook.yaml");
    std::fs::write(&path, PLAYBOOK).unwrap();
    let uri = uri(&path);
    let mut server = Server::start();
    let init = server.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    let capabilities = &init["result"]["capabilities"];
    assert_eq!(capabilities["renameProvider"], true, "{init}");
    assert_eq!(capabilities["definitionProvider"], true);
    server.notify("initialized", json!({}));

    // Open: the misspelt `gaol` is check's finding, where check puts it, with its fix.
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": PLAYBOOK}}),
    );
    let diagnostics = server.diagnostics(&uri);
    let unknown = diagnostics
        .iter()
        .find(|d| d["code"] == "schema::unknown-field")
        .unwrap_or_else(|| panic!("{diagnostics:#?}"));
    let (line, column) = find(PLAYBOOK, "gaol");
    assert_eq!(
        unknown["range"]["start"],
        json!({"line": line, "character": column})
    );
    assert_eq!(
        unknown["range"]["end"],
        json!({"line": line, "character": column + 4})
    );
    assert_eq!(unknown["severity"], 1);
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `goal`?")
    );

    // The quick fix writes `goal`.
    let actions = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": unknown["range"], "context": {"diagnostics": [unknown]}}),
    );
    let edit = &actions["result"][0]["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], "goal", "{actions}");
    assert_eq!(edit["range"], unknown["range"]);

    // Change: fixed, and a `next` to complete.
    let fixed = PLAYBOOK
        .replace("gaol", "goal")
        .replace("    next: demo\n", "    next: \n");
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let diagnostics = server.diagnostics(&uri);
    assert!(
        !diagnostics
            .iter()
            .any(|d| d["code"] == "schema::unknown-field"),
        "{diagnostics:#?}"
    );
    let (line, column) = find(&fixed, "next: \n");
    let completion = server.request("textDocument/completion", at(line, column + 6, &uri));
    let labels = completion_labels(&completion);
    assert_eq!(labels, ["discovery", "demo", "won", "lost"]);

    // Back to the original text for navigation.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": PLAYBOOK.replace("gaol", "goal")}]}),
    );
    let text = PLAYBOOK.replace("gaol", "goal");
    server.diagnostics(&uri);
    let (line, column) = find(&text, "next: demo");
    let reference = at(line, column + 7, &uri);
    let definition = server.request("textDocument/definition", reference.clone());
    let (def_line, def_column) = find(&text, "id: demo");
    assert_eq!(
        definition["result"]["range"]["start"],
        json!({"line": def_line, "character": def_column + 4}),
        "{definition}"
    );
    let hover = server.request("textDocument/hover", reference.clone());
    assert!(
        hover["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**产品演示** (`demo`)"),
        "{hover}"
    );
    let mut with_context = reference.clone();
    with_context["context"] = json!({"includeDeclaration": true});
    let references = server.request("textDocument/references", with_context);
    assert_eq!(
        references["result"].as_array().unwrap().len(),
        2,
        "{references}"
    );
    let mut renaming = reference.clone();
    renaming["newName"] = json!("live-demo");
    let rename = server.request("textDocument/rename", renaming);
    let edits = rename["result"]["changes"][&uri].as_array().unwrap();
    assert_eq!(edits.len(), 2, "{rename}");
    assert!(edits.iter().all(|e| e["newText"] == "live-demo"));
    let mut bad = reference;
    bad["newName"] = json!("Live Demo");
    let refused = server.request("textDocument/rename", bad);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot be a stage id")
    );

    let outline = server.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let names: Vec<&str> = outline["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Discovery", "产品演示", "Won", "Lost"]);

    let shutdown = server.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    server.notify("exit", Value::Null);
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status}");
}

/// The hostile inputs of the check corpus, opened one after another in one server: every one
/// gets its findings, and the server is still there to answer at the end.
#[test]
fn hostile_documents_never_end_the_server() {
    let corpus = crate::common::data_dir().join("hostile");
    let mut server = Server::start();
    server.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    server.notify("initialized", json!({}));
    let mut opened = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if text.len() > 1024 * 1024 {
            continue;
        }
        let uri = uri(&path);
        server.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        server.diagnostics(&uri);
        let completion = server.request("textDocument/completion", at(0, 0, &uri));
        assert!(completion.get("result").is_some() || completion.get("error").is_some());
        opened += 1;
    }
    assert!(opened >= 5, "the corpus has hostile files");
    let shutdown = server.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    server.notify("exit", Value::Null);
    assert!(server.child.wait().unwrap().success());
}

/// What the schema and the rules know, offered where the author types: field names, enum
/// values, field and rule docs on hover, a suppression for a lint finding, and the file an
/// `include` names.
#[test]
fn schema_rules_and_includes_in_the_editor() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("parts")).unwrap();
    std::fs::write(
        dir.path().join("parts/late.yaml"),
        "stages:\n  - id: won\n    name: Won\n    terminal: won\n  - id: lost\n    name: Lost\n    terminal: lost\n",
    )
    .unwrap();
    let text = "stagebook: 1
playbook:
  id: schema-test
  name: Schema test
include: [parts/late.yaml]
stages:
  - id: discovery
    name: Discovery
    goal: Find the pain
    lint: {allow: [missing-say], reason: \"Reps ask here, they do not pitch\"}
    next: [won, lost]
";
    let path = dir.path().join("playbook.yaml");
    std::fs::write(&path, text).unwrap();
    let (mut server, uri) = Server::with_open(&path, text);
    let diagnostics = server.diagnostics(&uri);

    // A lint finding gets its quick fixes.
    let finding = diagnostics
        .iter()
        .find(|d| d["code"] == "missing-do")
        .unwrap_or_else(|| panic!("{diagnostics:#?}"));
    let actions = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": finding["range"], "context": {"diagnostics": [finding]}}),
    );
    let titles: Vec<&str> = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    // The stage has a `lint:` already: no second one, but the missing section as a stub.
    assert_eq!(titles, ["Add `do` with TODOs to fill in"]);
    let edit = &actions["result"][0]["edit"]["changes"][&uri][0];
    assert_eq!(
        edit["newText"],
        "    do:\n      - action: TODO what the rep does here\n"
    );

    // Hover: a field's description from the schema, a rule's documentation.
    let (line, column) = find(text, "goal:");
    let hover = server.request("textDocument/hover", at(line, column + 1, &uri));
    let value = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("**goal**\n\nWhat this stage must achieve"),
        "{value}"
    );
    let (line, column) = find(text, "missing-say");
    let hover = server.request("textDocument/hover", at(line, column + 3, &uri));
    let value = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.contains("## Why it matters"), "{value}");

    // The include opens the file it names.
    let late = self::uri(&dir.path().join("parts/late.yaml"));
    let (line, column) = find(text, "parts/late.yaml");
    let definition = server.request("textDocument/definition", at(line, column + 2, &uri));
    assert_eq!(definition["result"]["uri"], late, "{definition}");
    // Its references: the playbooks' `include:` items that name it, from the item or the file.
    let mut request = at(line, column + 2, &uri);
    request["context"] = json!({"includeDeclaration": true});
    let references = server.request("textDocument/references", request);
    let found = references["result"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{references}");
    assert_eq!(found[0]["uri"], uri);
    assert_eq!(found[0]["range"]["start"]["line"], line);
    let fragment = std::fs::read_to_string(dir.path().join("parts/late.yaml")).unwrap();
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": late, "languageId": "yaml", "version": 1, "text": fragment}}),
    );
    let mut request = at(0, 1, &late);
    request["context"] = json!({"includeDeclaration": true});
    let from_fragment = server.request("textDocument/references", request);
    assert_eq!(
        from_fragment["result"], references["result"],
        "{from_fragment}"
    );

    // Typing a new field in the stage, then a value the schema lists.
    let typing = text.replace(
        "    next: [won, lost]\n",
        "    next: [won, lost]\n    expe\n",
    );
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": typing}]}),
    );
    server.diagnostics(&uri);
    let (line, column) = find(&typing, "    expe");
    let completion = server.request("textDocument/completion", at(line, column + 8, &uri));
    let labels = completion_labels(&completion);
    assert!(
        labels.contains(&"expected_duration") && labels.contains(&"buyer_view"),
        "{labels:?}"
    );
    assert!(
        !labels.contains(&"stagebook"),
        "top-level fields are not a stage's: {labels:?}"
    );
    let typing = typing.replace("    expe\n", "    milestone: \n");
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": typing}]}),
    );
    server.diagnostics(&uri);
    let (line, column) = find(&typing, "milestone: ");
    let completion = server.request("textDocument/completion", at(line, column + 11, &uri));
    let labels = completion_labels(&completion);
    assert!(
        labels.contains(&"sqo") && labels.contains(&"demo"),
        "{completion}"
    );

    server.request("shutdown", Value::Null);
    server.notify("exit", Value::Null);
    assert!(server.child.wait().unwrap().success());
}

/// The labels of a completion response's items.
fn completion_labels(completion: &Value) -> Vec<&str> {
    completion["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["label"].as_str().unwrap())
        .collect()
}

#[test]
fn an_owner_completes_with_the_playbooks_roles() {
    let dir = tempfile::tempdir().unwrap();
    let text = "stagebook: 1
playbook:
  id: roles-test
  name: Roles test
  roles:
    - {id: sdr, name: Sales Development Rep}
    - {id: ae, name: Account Executive}
stages:
  - id: discovery
    name: Discovery
    owner: ae
    next: [won, lost]
  - id: won
    name: Won
    terminal: won
  - id: lost
    name: Lost
    terminal: lost
";
    let path = dir.path().join("playbook.yaml");
    std::fs::write(&path, text).unwrap();
    let (mut server, uri) = Server::with_open(&path, text);
    server.diagnostics(&uri);
    let (line, column) = find(text, "    owner: ae");
    let completion = server.request("textDocument/completion", at(line, column + 11, &uri));
    assert_eq!(
        completion_labels(&completion),
        ["sdr", "ae"],
        "{completion}"
    );
    assert_eq!(completion["result"][1]["detail"], "Account Executive");
    server.request("shutdown", Value::Null);
    server.notify("exit", Value::Null);
    assert!(server.child.wait().unwrap().success());
}

"""Drives `stagebook lsp` with pygls's language client (the client library of the Python LSP
ecosystem), as an editor would: open a playbook with a misspelt field, read the findings,
ask for a quick fix, complete a `next`, rename a stage. Used by 91-lsp-client.sh."""
import asyncio
import pathlib
import sys
import tempfile

from lsprotocol import types
from pygls.lsp.client import BaseLanguageClient

PLAYBOOK = """stagebook: 1
playbook:
  id: client-test
  name: Client test
stages:
  - id: discovery
    name: Discovery
    gaol: Find the pain
    next: demo
  - id: demo
    name: Demo
    goal: The buyer sees it work
    next: [won, lost]
  - id: won
    name: Won
    terminal: won
  - id: lost
    name: Lost
    terminal: lost
"""


async def main(binary):
    folder = pathlib.Path(tempfile.mkdtemp())
    path = folder / "playbook.yaml"
    path.write_text(PLAYBOOK, encoding="utf-8")
    uri = path.as_uri()
    client = BaseLanguageClient("stagebook-ci", "1")
    published = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params):
        published.put_nowait(params)

    await client.start_io(binary, "lsp")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=PLAYBOOK)))
    while True:
        params = await asyncio.wait_for(published.get(), 30)
        if params.uri == uri:
            break
    finding = next(d for d in params.diagnostics if d.code == "schema::unknown-field")
    assert finding.range.start == types.Position(line=7, character=4), finding.range
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=finding.range,
        context=types.CodeActionContext(diagnostics=[finding])))
    fix = actions[0].edit.changes[uri][0]
    assert fix.new_text == "goal", fix
    items = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=8, character=10)))
    labels = [item.label for item in (items.items if hasattr(items, "items") else items)]
    assert labels == ["discovery", "demo", "won", "lost"], labels
    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=8, character=11), new_name="live-demo"))
    assert len(edit.changes[uri]) == 2, edit
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    print(f"lsp-client: pygls drove stagebook lsp: {len(params.diagnostics)} findings, "
          f"a quick fix, {len(labels)} completions, a rename of 2 places")


asyncio.run(main(sys.argv[1]))

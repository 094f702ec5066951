// Starts `stagebook lsp` for YAML files: stagebook's findings, completion of stage ids, go to
// definition, rename and quick fixes, next to the YAML extension's schema support.
import { ExtensionContext, workspace } from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export function activate(context: ExtensionContext): void {
  const command = workspace.getConfiguration("stagebook").get<string>("path", "stagebook");
  const server: ServerOptions = { command, args: ["lsp"] };
  const options: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "yaml" }],
  };
  client = new LanguageClient("stagebook", "stagebook", server, options);
  context.subscriptions.push({ dispose: () => void client?.stop() });
  void client.start();
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}

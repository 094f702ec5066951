//! Report stage: JUnit XML (`check --format junit`) for CI systems that read nothing else.
//! One test suite per file; in it, one test case per lint rule, plus one named `validate` for
//! YAML, schema and structure findings. A case fails when it has findings at error level;
//! warnings and notes are listed in the case's `system-out` and do not fail it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::diagnostic::{Catalogue, Diagnostic, Severity};
use crate::emit::escape::xml_document as escape;

fn line(d: &Diagnostic) -> String {
    let start = d.primary.start();
    let mut text = format!(
        "{}:{}:{}: {}: {}",
        d.primary.file.name, start.line, start.column, d.severity, d.message
    );
    if let Some(help) = &d.help {
        text.push_str("\n  help: ");
        text.push_str(help);
    }
    text
}

/// The JUnit document for `diagnostics`; `playbooks` are the files checked (a file with no
/// findings still gets its passing cases); `catalogue` names one case per lint rule.
pub(crate) fn render(
    diagnostics: &[Diagnostic],
    playbooks: &[String],
    catalogue: &Catalogue,
) -> String {
    let mut files: BTreeMap<&str, Vec<&Diagnostic>> =
        playbooks.iter().map(|p| (p.as_str(), Vec::new())).collect();
    for d in diagnostics {
        files
            .entry(d.primary.file.name.as_str())
            .or_default()
            .push(d);
    }
    let mut cases: Vec<&str> = vec!["validate"];
    cases.extend(catalogue.rules().map(|(entry, _)| entry.id));

    let mut body = String::new();
    let (mut total, mut failed) = (0, 0);
    for (file, found) in &files {
        let mut suite = String::new();
        let (mut tests, mut failures) = (0, 0);
        for case in &cases {
            let mine: Vec<&&Diagnostic> = found
                .iter()
                .filter(|d| {
                    if *case == "validate" {
                        d.anchor.is_none() && !catalogue.is_rule(&d.code)
                    } else {
                        d.code == *case
                    }
                })
                .collect();
            tests += 1;
            let _ = write!(
                suite,
                "    <testcase classname=\"{}\" name=\"{}\"",
                escape(file),
                escape(case)
            );
            if mine.is_empty() {
                suite.push_str("/>\n");
                continue;
            }
            suite.push_str(">\n");
            let errors: Vec<String> = mine
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| line(d))
                .collect();
            if !errors.is_empty() {
                failures += 1;
                let _ = writeln!(
                    suite,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    escape(case),
                    escape(&format!("{} error(s)", errors.len())),
                    escape(&errors.join("\n"))
                );
            }
            let others: Vec<String> = mine
                .iter()
                .filter(|d| d.severity != Severity::Error)
                .map(|d| line(d))
                .collect();
            if !others.is_empty() {
                let _ = writeln!(
                    suite,
                    "      <system-out>{}</system-out>",
                    escape(&others.join("\n"))
                );
            }
            suite.push_str("    </testcase>\n");
        }
        total += tests;
        failed += failures;
        let _ = write!(
            body,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{suite}  </testsuite>\n",
            escape(file)
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"stagebook\" tests=\"{total}\" failures=\"{failed}\" errors=\"0\">\n{body}</testsuites>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{1b}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\u{fffd}"
        );
    }
}

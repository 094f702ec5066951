//! Inputs the fuzzers (`fuzz/`) found, kept in `tests/fuzz-regressions/` and replayed through
//! the same path as their fuzz target: every `*.yaml` file is loaded from memory, checked and
//! printed with every printer (the `load_check` target); every `metrics-*.csv` is measured
//! against the metrics fixture playbook and printed in every format (the `metrics_csv`
//! target). Tests named after a file pin what that input must produce.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use stagebook::check::Checked;
use stagebook::diagnostic::Diagnostic;
use stagebook::report::human::{HumanPrinter, Style};

use crate::fuzz_support;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions")
}

fn files(prefix: &str, extension: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/fuzz-regressions")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(extension)
        })
        .collect();
    found.sort();
    found
}

/// What the `load_check` fuzz target does with one input.
fn check_and_print(name: &str) -> Checked {
    let bytes = std::fs::read(dir().join(name)).expect("regression input");
    let checked = check_in_memory(name, bytes).expect("a playbook, not a fragment");
    print(&checked.diagnostics);
    checked
}

fn check_in_memory(name: &str, bytes: Vec<u8>) -> Option<Checked> {
    fuzz_support::check_named(name, bytes)
}

fn print(diagnostics: &[Diagnostic]) {
    fuzz_support::print_all(diagnostics);
}

fn codes(checked: &Checked) -> Vec<&str> {
    checked
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

/// What the `metrics_csv` fuzz target does with one history (first byte: the options).
fn measure(path: &Path) {
    fuzz_support::measure_bytes(&std::fs::read(path).expect("regression input"));
}

#[test]
fn every_yaml_regression_checks_and_prints() {
    for path in files("", ".yaml") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        check_and_print(&name);
    }
}

#[test]
fn every_metrics_regression_measures_and_prints() {
    for path in files("metrics-", ".csv") {
        measure(&path);
    }
}

/// `structured` target: a raw DEL inside a quoted JSON string. The YAML parser refuses DEL and
/// C1 controls anywhere in the stream (stricter than YAML 1.2, which allows them inside quotes
/// for JSON compatibility); stagebook must report that cleanly, at the character.
#[test]
fn json_raw_del_is_a_clear_syntax_error() {
    let checked = check_and_print("json-raw-del.yaml");
    assert_eq!(codes(&checked), ["yaml::syntax"]);
    let start = checked.diagnostics[0].primary.start();
    assert_eq!((start.line, start.column), (1, 52));
}

fn human(diagnostics: &[Diagnostic]) -> String {
    let printer = HumanPrinter::new(Style {
        color: false,
        width: 100,
    });
    let mut out = String::new();
    for diagnostic in diagnostics {
        printer.render(diagnostic, &mut out);
    }
    out
}

/// `load_check` target, a timeout: the hostile `alias-quadratic.yaml` mutated into a flow
/// mapping with ~1,600 repeated keys on lines of 10 KB. Every finding printed its whole line
/// (47 MB of output, 5 s); now duplicate keys stop at 200 per file and a snippet shows only
/// the part of a long line near its label.
#[test]
fn duplicate_keys_on_long_lines() {
    let checked = check_and_print("duplicate-keys-on-long-lines.yaml");
    let duplicates = codes(&checked)
        .iter()
        .filter(|c| **c == "yaml::duplicate-key")
        .count();
    assert_eq!(duplicates, 200);
    assert!(codes(&checked).contains(&"yaml::too-many-duplicate-keys"));
    let out = human(&checked.diagnostics);
    assert!(out.len() < 1024 * 1024, "{} bytes of output", out.len());
}

/// Found while reducing the timeout above: 20,000 repeated keys on one 120 KB line took more
/// than 100 s and 1.6 GB to print.
#[test]
fn a_finding_on_a_long_line_prints_a_window_of_it() {
    let text = format!("{{{}}}\n", vec!["a: 1"; 20_000].join(", "));
    let checked = check_in_memory("long.yaml", text.into_bytes()).unwrap();
    assert_eq!(checked.diagnostics.len(), 201);
    let out = human(&checked.diagnostics);
    assert!(out.len() < 201 * 4096, "{} bytes of output", out.len());
    // The window still shows both places and where the finding is.
    assert!(out.contains("first written here") && out.contains("written again here"));
    assert!(
        out.contains("[fuzz:long.yaml:1:8]"),
        "{}",
        &out[..out.len().min(2000)]
    );
}

/// Found with the 16 MiB load test: a finding about the whole document (a missing top-level
/// field) underlined, and so printed, the entire file. It now underlines where the document
/// starts; JSON output keeps the full span.
#[test]
fn a_label_over_the_whole_file_prints_only_its_start() {
    let mut text = String::from("playbook:\n  id: x\n  name: X\nstages:\n");
    for i in 0..5_000 {
        let _ = write!(text, "  - id: s{i}\n    name: Stage {i}\n    next: won\n");
    }
    let checked = check_in_memory("big.yaml", text.into_bytes()).unwrap();
    assert!(codes(&checked).contains(&"schema::missing-field"));
    let out = human(&checked.diagnostics);
    let missing = out
        .split("\n\n")
        .skip_while(|block| !block.contains("schema::missing-field"))
        .nth(1)
        .expect("the finding's snippet");
    assert!(missing.lines().count() < 12, "{missing}");
}

/// Found with the same generator: 5,000 stages whose `next` names a missing stage took 21 s and
/// 360 MB, each finding comparing its id with every stage id and listing all 5,000 of them in
/// its help. Unknown references now stop at 200 per file and the help lists 20 ids.
#[test]
fn thousands_of_unknown_references_stay_linear() {
    let mut text = String::from("stagebook: 1\nplaybook:\n  id: x\n  name: X\nstages:\n");
    for i in 0..5_000 {
        let _ = write!(text, "  - id: s{i}\n    name: Stage {i}\n    next: won\n");
    }
    let start = std::time::Instant::now();
    let checked = check_in_memory("refs.yaml", text.into_bytes()).unwrap();
    let found = codes(&checked);
    assert_eq!(
        found
            .iter()
            .filter(|c| **c == "structure::unknown-reference")
            .count(),
        200
    );
    assert!(found.contains(&"structure::too-many-findings"));
    let help = checked
        .diagnostics
        .iter()
        .find(|d| d.code == "structure::unknown-reference")
        .and_then(|d| d.help.as_deref())
        .unwrap();
    assert!(help.ends_with("and 4980 more"), "{help}");
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
}

/// `load_check` target, its LF/CRLF oracle: a broken file of nested flow and block sequences is
/// a syntax error with LF and with CRLF line endings, but the parser stops at a different first
/// error (`mismatched bracket` at 1:1 with LF, `expected ',' or ']'` at 15:4 with CRLF). Both
/// refuse the file, which is what stagebook promises; the message is the parser's.
#[test]
fn crlf_other_syntax_error() {
    let checked = check_and_print("crlf-other-syntax-error.yaml");
    assert_eq!(codes(&checked), ["yaml::syntax"]);
    let bytes = std::fs::read(dir().join("crlf-other-syntax-error.yaml")).unwrap();
    let crlf: Vec<u8> = bytes
        .iter()
        .flat_map(|&b| {
            if b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![b]
            }
        })
        .collect();
    let again = check_in_memory("crlf.yaml", crlf).unwrap();
    print(&again.diagnostics);
    assert_eq!(codes(&again), ["yaml::syntax"]);
}

//! Arbitrary bytes as a playbook file: load (encoding guards, YAML, spans), validate, then
//! print every finding with the human and JSON printers, and render the playbook if valid.
//! A file without CR is also checked with CRLF line endings: the findings must be the same,
//! at the same lines and columns (for a YAML syntax error: a syntax error either way).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stagebook::check::Checked;

/// What a finding says and where it starts.
fn findings(checked: &Checked) -> Vec<(String, usize, usize, String)> {
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let start = d.primary.start();
            (d.code.clone(), start.line, start.column, d.message.clone())
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some(checked) = stagebook_fuzz::check_bytes(data) else {
        return;
    };
    stagebook_fuzz::print_all(&checked.diagnostics);
    stagebook_fuzz::render_all(&checked);

    if data.contains(&b'\r') || !data.contains(&b'\n') {
        return;
    }
    let crlf: Vec<u8> = data
        .iter()
        .flat_map(|&b| {
            if b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![b]
            }
        })
        .collect();
    let Some(again) = stagebook_fuzz::check_bytes(&crlf) else {
        panic!("with CRLF the file became an include fragment");
    };
    // Size limits and invalid UTF-8 offsets count bytes, which CRLF changes.
    let bytes_matter = checked
        .diagnostics
        .iter()
        .chain(&again.diagnostics)
        .any(|d| d.code == "input::too-large" || d.code == "yaml::encoding");
    if bytes_matter {
        return;
    }
    let syntax = |c: &Checked| c.diagnostics.iter().any(|d| d.code == "yaml::syntax");
    if syntax(&checked) || syntax(&again) {
        // The parser may stop at a different first error in a broken file (see
        // tests/fuzz-regressions/crlf-other-syntax-error.yaml); both must refuse it.
        assert!(syntax(&checked) && syntax(&again), "LF and CRLF differ");
    } else {
        assert_eq!(findings(&checked), findings(&again), "LF and CRLF differ");
    }
});

//! Arbitrary bytes as a playbook file: load (encoding guards, YAML, spans), validate, then
//! print every finding with the human and JSON printers, and render the playbook if valid.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(checked) = stagebook_fuzz::check_bytes(data) else {
        return;
    };
    stagebook_fuzz::print_all(&checked.diagnostics);
    stagebook_fuzz::render_all(&checked);
});

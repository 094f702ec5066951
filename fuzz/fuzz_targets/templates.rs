//! Arbitrary bytes as a playbook and a user template read from a `--templates` folder,
//! rendered by the real template loader on its fuel budget: errors are fine, panics are not
//! (see `stagebook_fuzz::render_template_bytes` for how the bytes are split).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| stagebook_fuzz::render_template_bytes(data));

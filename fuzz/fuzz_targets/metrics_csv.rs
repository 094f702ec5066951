//! Arbitrary bytes as a CRM stage-history CSV (and, optionally, an activities CSV) measured
//! against a fixed playbook, with every output format printed (see
//! `stagebook_fuzz::measure_bytes` for how the bytes are read).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| stagebook_fuzz::measure_bytes(data));

//! Integration tests of reading input: the YAML test suite, the hostile corpus, size and count
//! limits, the fuzzers' regressions and property tests, all in one test binary (see
//! `tests/README.md`).

#[path = "../common/mod.rs"]
mod common;

/// The fuzz targets' own code (`fuzz/` is a separate workspace), so a regression replays
/// exactly what its target did; it also holds the YAML writer the property tests use
/// (`tests/support/yaml_emit.rs`), so that file is compiled once.
#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz_support;

mod bounded;
mod fuzz_regressions;
mod hostile;
mod limits;
mod properties;
mod yaml_suite;

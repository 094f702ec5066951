//! The command line as a user runs it: fixture folders under `tests/cmd/`, each with its
//! arguments, expected stdout and exit code (colour off, fixed width). Regenerate the expected
//! output with `TRYCMD=overwrite cargo test --test cli`, then read every change before committing.

#[test]
fn cli() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .case("tests/cmd/*.toml");
}

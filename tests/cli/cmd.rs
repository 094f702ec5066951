//! The command line as a user runs it: fixture folders under `tests/cmd/`, each with its
//! arguments, expected stdout and exit code (colour off, fixed width). Regenerate the expected
//! output with `STAGEBOOK_BLESS=1 cargo test`, then read every change before committing.

use crate::common::golden;

#[test]
fn fixtures() {
    golden::trycmd("cmd::fixtures", |cases| {
        cases
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .case("tests/cmd/*.toml");
    });
}

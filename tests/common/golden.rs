//! The one golden-file runner: every test that compares output with a committed file goes
//! through here, and one switch rewrites them all.
//!
//! `STAGEBOOK_BLESS=1 cargo test` rewrites every golden file whose content differs (the
//! `tests/cmd/` fixtures, `tests/expected/`, the diff fixtures' `expected.*`, inline snapshots,
//! the committed JSON Schema and the README's rule table) instead of failing. Read the change
//! with `git diff` before committing it: a blessed file is a claim that the new output is right.
//!
//! Comparisons are byte for byte: no newline or path normalisation, no wildcards.

use std::collections::BTreeMap;
use std::path::Path;

/// The one switch: set to anything but empty or `0` to rewrite golden files.
pub const BLESS: &str = "STAGEBOOK_BLESS";

/// True when golden files are being rewritten rather than checked.
pub fn blessing() -> bool {
    std::env::var_os(BLESS).is_some_and(|v| !v.is_empty() && v != "0")
}

/// A `snapbox` assertion (inline `str![]` snapshots, command output) that follows the switch.
pub fn assert() -> snapbox::Assert {
    let action = if blessing() {
        snapbox::assert::Action::Overwrite
    } else {
        snapbox::assert::Action::Verify
    };
    snapbox::Assert::new().action(action)
}

/// [`assert`], with `dir` (a test's temporary folder, a new name each run) shown as `[TMP]`,
/// so a blessed snapshot holds `[TMP]/file.csv` rather than a path the next run will not have.
pub fn assert_in_temp(dir: &Path) -> snapbox::Assert {
    let mut redactions = snapbox::Redactions::new();
    redactions
        .insert("[TMP]", dir.to_path_buf())
        .expect("`[TMP]` is a valid placeholder");
    assert().redact_with(redactions)
}

/// Compares `actual` with the golden file at `path`; when blessing, rewrites the file instead.
/// Returns the failure to report, if any.
pub fn check_file(path: &Path, actual: &[u8]) -> Option<String> {
    let expected = std::fs::read(path).ok();
    if expected.as_deref() == Some(actual) {
        return None;
    }
    if blessing() {
        write(path, actual);
        return None;
    }
    Some(match expected {
        None => format!("{}: missing golden file", path.display()),
        Some(expected) => format!(
            "{}: {}",
            path.display(),
            first_difference(&expected, actual)
        ),
    })
}

/// Panics unless `actual` equals the golden file at `path` (rewrites it when blessing).
pub fn assert_file(path: &Path, actual: impl AsRef<[u8]>) {
    if let Some(failure) = check_file(path, actual.as_ref()) {
        panic!("{failure}\n{}", hint());
    }
}

/// Every file under `dir`, by its `/`-separated path relative to `dir` (empty if `dir` is
/// missing).
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return files;
    }
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.expect("walk a golden tree");
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(dir).expect("inside the tree");
            let name = relative.to_string_lossy().replace('\\', "/");
            files.insert(
                name,
                std::fs::read(entry.path()).expect("read a golden file"),
            );
        }
    }
    files
}

/// Compares the files in `actual` with the golden tree at `expected`: the same names, the same
/// bytes. When blessing, the tree is replaced by `actual`. Returns one failure per file.
pub fn check_tree(expected: &Path, actual: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let golden = read_tree(expected);
    if golden == *actual {
        return Vec::new();
    }
    if blessing() {
        if expected.exists() {
            std::fs::remove_dir_all(expected).expect("remove the old golden tree");
        }
        for (name, bytes) in actual {
            write(&expected.join(name), bytes);
        }
        return Vec::new();
    }
    let mut failures = Vec::new();
    for (name, bytes) in actual {
        match golden.get(name) {
            None => failures.push(format!("{}/{name}: new file", expected.display())),
            Some(want) if want != bytes => failures.push(format!(
                "{}/{name}: {}",
                expected.display(),
                first_difference(want, bytes)
            )),
            Some(_) => {}
        }
    }
    for name in golden.keys().filter(|name| !actual.contains_key(*name)) {
        failures.push(format!("{}/{name}: no longer produced", expected.display()));
    }
    failures
}

/// Panics unless the tree at `expected` holds exactly `actual` (rewrites it when blessing).
pub fn assert_tree(expected: &Path, actual: &BTreeMap<String, Vec<u8>>) {
    assert_clean(&check_tree(expected, actual));
}

/// Panics listing every failure, with the way to bless, unless there are none.
pub fn assert_clean(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} golden file(s) differ:\n{}\n{}",
        failures.len(),
        failures.join("\n"),
        hint()
    );
}

/// Runs the `trycmd` fixture folders set up by `configure`. `trycmd` reads only its own
/// `TRYCMD` variable, so when blessing this runs the calling test (`test`, its path in the
/// test binary) again in a child process with `TRYCMD=overwrite`.
pub fn trycmd(test: &str, configure: impl FnOnce(&trycmd::TestCases)) {
    if blessing() && std::env::var_os("TRYCMD").is_none() {
        let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", test, "--test-threads", "1"])
            .env("TRYCMD", "overwrite")
            .output()
            .expect("run the test binary again");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "blessing `{test}` failed:\n{stdout}{stderr}"
        );
        // A renamed test would match nothing and bless nothing, silently.
        assert!(
            stdout.contains("test result: ok. 1 passed"),
            "blessing ran no test named `{test}`: pass the calling test's path\n{stdout}"
        );
        return;
    }
    let cases = trycmd::TestCases::new();
    configure(&cases);
    cases.run();
}

fn hint() -> String {
    format!("if the new output is right, run `{BLESS}=1 cargo test` and read the diff")
}

fn write(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create a golden folder");
    }
    std::fs::write(path, bytes).expect("write a golden file");
}

/// The first line that differs, both ways, or the length when one is a prefix of the other.
fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let (expected, actual) = (
        String::from_utf8_lossy(expected),
        String::from_utf8_lossy(actual),
    );
    let mut want = expected.split_inclusive('\n');
    let mut got = actual.split_inclusive('\n');
    let mut line = 1;
    loop {
        match (want.next(), got.next()) {
            (Some(w), Some(g)) if w == g => line += 1,
            (None, None) => return "differs only in bytes that are not UTF-8".to_owned(),
            (w, g) => {
                return format!(
                    "differs at line {line}\n  expected: {:?}\n  actual:   {:?}",
                    w.unwrap_or("<end of file>"),
                    g.unwrap_or("<end of file>")
                );
            }
        }
    }
}

//! Every file of the hostile-input corpus (`tests/data/hostile/`, plus the big files
//! `common::generated_hostile_file` writes) ends in its documented safe behaviour (see the
//! README's "Input limits" table), in bounded time and memory, run through the real binary.

use std::time::Duration;

use crate::common::{Big, codes, data_dir, hostile_corpus, run_bounded, write_big};

/// What stagebook does with each hostile file: `Err(code)` = exits 1 with that finding;
/// `Ok(())` = loads with no YAML or input finding (schema findings are fine).
fn expected(file: &str) -> Result<(), &'static str> {
    match file {
        "alias-bomb.yaml" | "alias-quadratic.yaml" => Err("input::alias-budget"),
        "deep-flow-seq-unclosed.yaml"
        | "deep-flow-seq-closed.yaml"
        | "deep-flow-map.yaml"
        | "deep-block-seq.yaml" => Err("input::too-deep"),
        "invalid-utf8.yaml" => Err("yaml::encoding"),
        "utf16le-bom.yaml" | "utf16be-bom.yaml" => Err("input::utf16"),
        "nul-bytes.yaml" => Err("yaml::nul-byte"),
        "duplicate-keys.yaml" => Err("yaml::duplicate-key"),
        "tags.yaml" => Err("input::unsupported-tag"),
        "merge-keys.yaml" => Err("input::merge-key"),
        "multi-document.yaml" => Err("input::multiple-documents"),
        "empty.yaml"
        | "only-comment.yaml"
        | "only-document-marker.yaml"
        | "whitespace-only.yaml" => Err("input::empty"),
        "undefined-alias.yaml" => Err("yaml::unknown-anchor"),
        "recursive-alias.yaml" => Err("input::recursive-alias"),
        "tab-indent.yaml" => Err("yaml::syntax"),
        "control-chars.yaml" => Err("input::control-character"),
        _ => Ok(()),
    }
}

#[test]
fn every_hostile_file_ends_safely() {
    let corpus = hostile_corpus();
    let dir = corpus.path();
    let table = std::fs::read_to_string(dir.join("expected.tsv")).expect("expected.tsv");
    let mut checked = 0;
    for line in table.lines().skip(1) {
        let file = line.split('\t').next().expect("a file column");
        let path = dir.join(file);
        let run = run_bounded(
            &[
                "check",
                "--format",
                "json",
                path.to_str().expect("utf-8 path"),
            ],
            Duration::from_secs(10),
        );
        assert!(run.code.is_some(), "{file}: killed after {:?}", run.elapsed);
        assert!(
            run.elapsed < Duration::from_secs(2),
            "{file}: took {:?}",
            run.elapsed
        );
        if let Some(kib) = run.max_rss_kib {
            assert!(kib < 100 * 1024, "{file}: peak memory {kib} KiB");
        }
        assert!(run.stderr.is_empty(), "{file}: {}", run.stderr);
        let found = codes(&run.stdout);
        if let Err(code) = expected(file) {
            assert_eq!(run.code, Some(1), "{file}: {}", run.stdout);
            assert!(
                found.iter().any(|c| c == code),
                "{file}: expected {code}, got {found:?}"
            );
            let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
            let first = &value["diagnostics"][0];
            assert!(
                first["line"].as_u64().is_some_and(|l| l >= 1),
                "{file}: no line"
            );
        } else {
            let bad: Vec<_> = found
                .iter()
                .filter(|c| c.starts_with("yaml::") || c.starts_with("input::"))
                .collect();
            assert!(bad.is_empty(), "{file}: {bad:?}");
        }
        checked += 1;
    }
    assert!(checked >= 27, "only {checked} hostile files");
}

#[test]
fn a_utf8_bom_changes_nothing() {
    let path = data_dir().join("hostile/utf8-bom.yaml");
    let run = run_bounded(
        &["check", "--format", "json", path.to_str().unwrap()],
        Duration::from_secs(10),
    );
    let found = codes(&run.stdout);
    assert!(!found.iter().any(|c| c.starts_with("yaml::")), "{found:?}");
}

#[test]
fn crlf_lines_are_numbered_like_lf() {
    let dir = tempfile::tempdir().unwrap();
    let lf = "stagebook: 1\nplaybook:\n  id: x\n  name: X\n  bogus: 1\nstages: []\n";
    std::fs::write(dir.path().join("lf.yaml"), lf).unwrap();
    std::fs::write(dir.path().join("crlf.yaml"), lf.replace('\n', "\r\n")).unwrap();
    let run = run_bounded(
        &["check", "--format", "json", dir.path().to_str().unwrap()],
        Duration::from_secs(10),
    );
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let lines: Vec<(String, u64, u64)> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "schema::unknown-field")
        .map(|d| {
            let file = d["file"].as_str().unwrap();
            let name = file.rsplit('/').next().unwrap().to_string();
            (
                name,
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [("crlf.yaml".into(), 5, 3), ("lf.yaml".into(), 5, 3)]
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_at_once() {
    let big = write_big(Big::Plain, 50);
    let run = run_bounded(
        &["check", "--format", "json", big.path().to_str().unwrap()],
        Duration::from_secs(10),
    );
    assert_eq!(run.code, Some(1));
    assert_eq!(codes(&run.stdout), ["input::too-large"]);
    assert!(run.elapsed < Duration::from_secs(2), "{:?}", run.elapsed);
    if let Some(kib) = run.max_rss_kib {
        assert!(kib < 100 * 1024, "peak memory {kib} KiB");
    }
}

#[test]
fn big_files_under_the_limit_load_in_bounded_time_and_memory() {
    for (kind, expect_yaml_error) in [
        (Big::Double, false),
        (Big::Comment, false),
        (Big::Key, true),
        (Big::WideSeq, false),
        (Big::ManyKeys, false),
    ] {
        let big = write_big(kind, 15);
        let run = run_bounded(
            &["check", "--format", "json", big.path().to_str().unwrap()],
            Duration::from_secs(90),
        );
        assert!(run.code.is_some(), "{kind:?}: killed");
        let found = codes(&run.stdout);
        let yaml_error = found.iter().any(|c| c.starts_with("yaml::"));
        assert_eq!(yaml_error, expect_yaml_error, "{kind:?}: {found:?}");
        if let Some(kib) = run.max_rss_kib {
            assert!(kib < 1024 * 1024, "{kind:?}: peak memory {kib} KiB");
        }
    }
}

/// A user's clone has only the repository: no test may read the maintainers' reference
/// folder beside the checkout or find its data through an environment variable. `.ci/run` runs the
/// suite in a copy with nothing beside it.
#[test]
fn tests_read_only_the_repository() {
    let mut offenders = Vec::new();
    for entry in walkdir::WalkDir::new(crate::common::repo_dir().join("tests")) {
        let entry = entry.expect("walk tests/");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("read");
        for needle in [concat!("../", "shared"), concat!("SHARED", "_DIR")] {
            if text.contains(needle) {
                offenders.push(format!("{}: {needle}", path.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

/// A raw escape sequence (and other C0/C1 controls) in a file that fails to parse never
/// reaches the terminal: the snippet shows a placeholder, with and without colour, and the
/// underline stays under the broken token.
#[test]
fn control_characters_in_snippets_are_not_printed_raw() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("esc.yaml");
    let text = "stagebook: 1\nplaybook: \"\u{1b}]0;owned\u{7}\u{1b}[2J\u{85}x\n  - [\n";
    std::fs::write(&path, text).unwrap();
    for color in [false, true] {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_stagebook"));
        command.arg("check").arg(&path).env("COLUMNS", "100");
        if color {
            command.env("CLICOLOR_FORCE", "1").env_remove("NO_COLOR");
        } else {
            command.env("NO_COLOR", "1");
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let shown =
            String::from_utf8(output.stdout).unwrap() + &String::from_utf8(output.stderr).unwrap();
        assert!(shown.contains("yaml::syntax"), "{shown}");
        assert!(shown.contains('\u{fffd}'), "{shown}");
        assert!(!shown.contains("]0;owned\u{7}"), "{shown:?}");
        assert!(!shown.contains("\u{1b}[2J"), "{shown:?}");
        assert!(
            !shown.contains('\u{85}') && !shown.contains('\u{7}'),
            "{shown:?}"
        );
        if !color {
            assert!(!shown.contains('\u{1b}'), "{shown:?}");
        }
    }
}

/// A one-line error quoting a file name with an escape sequence in it shows a placeholder.
#[cfg(unix)]
#[test]
fn control_characters_in_error_lines_are_not_printed_raw() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out\u{1b}]0;owned\u{7}");
    // A file where the output folder should be: `render` cannot create it and says so.
    std::fs::write(&out, "").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stagebook"))
        .args(["render", "playbooks"])
        .arg("--out")
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("out\u{fffd}]0;owned\u{fffd}"), "{stderr:?}");
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
}

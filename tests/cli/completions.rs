//! `stagebook completions SHELL` and `stagebook man` print what the shells and `man` read.

use std::process::Command;

fn stagebook(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_stagebook"))
        .args(args)
        .output()
        .expect("stagebook runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn completions_for_every_shell_know_the_commands() {
    for (shell, marker) in [
        ("bash", "_stagebook()"),
        ("zsh", "#compdef stagebook"),
        ("fish", "complete -c stagebook"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let (code, text) = stagebook(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(text.contains(marker), "{shell}");
        for command in ["check", "diff", "init", "schema"] {
            assert!(text.contains(command), "{shell} completes {command}");
        }
    }
    let (code, _) = stagebook(&["completions", "tcsh"]);
    assert_eq!(code, 2);
}

#[test]
fn man_page_and_one_page_per_command() {
    let (code, text) = stagebook(&["man"]);
    assert_eq!(code, 0);
    assert!(text.starts_with(".ie \\n(.g .ds Aq \\(aq"), "{text}");
    assert!(text.contains(".TH stagebook 1"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let (code, _) = stagebook(&["man", "--out", out]);
    assert_eq!(code, 0);
    let diff = std::fs::read_to_string(dir.path().join("stagebook-diff.1")).unwrap();
    assert!(diff.contains(".TH stagebook-diff 1"), "{diff}");
    assert!(diff.contains("markdown"), "{diff}");
}

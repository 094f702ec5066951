//! `stagebook diff`: fixture pairs under `tests/fixtures/diff/` (one folder per kind of
//! change, each with `old.yaml`, `new.yaml`, the expected Markdown comment `expected.md` and
//! the expected terminal text `expected.txt`), JSON checks of what each change is called, and
//! a real temporary git repository. Regenerate the golden files with `STAGEBOOK_BLESS=1 cargo
//! test`, then read every change before committing.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::golden;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff")
}

fn stagebook(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_stagebook"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("stagebook runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("UTF-8 output"),
        String::from_utf8(output.stderr).expect("UTF-8 errors"),
    )
}

fn json_diff(case: &str) -> Value {
    let dir = fixtures().join(case);
    let (code, stdout, stderr) =
        stagebook(&dir, &["diff", "old.yaml", "new.yaml", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("valid JSON")
}

/// `(stage id, stage status, [(section, kind)])` for every stage in the report.
/// `(stage id, stage status, [(section, kind)])`.
type StageChanges = (String, String, Vec<(String, String)>);

fn stage_changes(report: &Value) -> Vec<StageChanges> {
    report["playbooks"][0]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
                s["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        let section = match c.get("field") {
                            Some(f) => format!(
                                "{}.{}",
                                c["section"].as_str().unwrap(),
                                f.as_str().unwrap()
                            ),
                            None => c["section"].as_str().unwrap().to_string(),
                        };
                        (section, c["kind"].as_str().unwrap().to_string())
                    })
                    .collect(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
        .collect()
}

#[test]
fn markdown_and_text_match_the_golden_files() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 12, "fixture folders are missing");
    let mut failed = Vec::new();
    for dir in cases {
        let (code, stdout, stderr) = stagebook(
            &dir,
            &["diff", "old.yaml", "new.yaml", "--format", "markdown"],
        );
        assert_eq!(code, 0, "{}: {stderr}", dir.display());
        let (code, human, stderr) = stagebook(&dir, &["diff", "old.yaml", "new.yaml"]);
        assert_eq!(code, 0, "{}: {stderr}", dir.display());
        for (name, actual) in [("expected.md", &stdout), ("expected.txt", &human)] {
            failed.extend(golden::check_file(&dir.join(name), actual.as_bytes()));
        }
    }
    golden::assert_clean(&failed);
}

#[test]
fn a_new_name_on_the_same_id_is_a_rename() {
    let report = json_diff("stage-renamed");
    assert_eq!(report["summary"]["stages_renamed"], 1);
    assert_eq!(
        stage_changes(&report),
        [(
            "discovery".into(),
            "changed".into(),
            pairs(&[("name", "changed")])
        )]
    );
}

#[test]
fn a_new_id_is_a_removed_stage_and_an_added_one() {
    let report = json_diff("stage-id-changed");
    let stages = stage_changes(&report);
    let statuses: Vec<(&str, &str)> = stages
        .iter()
        .map(|(id, s, _)| (id.as_str(), s.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("prospecting", "changed"),
            ("discovery", "removed"),
            ("qualification", "added")
        ]
    );
    assert_eq!(report["summary"]["stages_renamed"], 0);
}

#[test]
fn added_removed_and_moved_stages() {
    let added = json_diff("stage-added");
    assert_eq!(added["summary"]["stages_added"], 1);
    let stages = stage_changes(&added);
    assert!(
        stages
            .iter()
            .any(|(id, s, _)| id == "security-review" && s == "added")
    );
    assert_eq!(
        stages[0].2,
        pairs(&[("next", "removed"), ("next", "removed"), ("next", "added")])
    );

    let removed = json_diff("stage-removed");
    assert_eq!(removed["summary"]["stages_removed"], 1);

    let moved = json_diff("stage-moved");
    assert_eq!(moved["summary"]["stages_moved"], 1);
    assert_eq!(
        stage_changes(&moved),
        [(
            "discovery".into(),
            "changed".into(),
            pairs(&[("position", "moved")])
        )]
    );
    assert!(moved["playbooks"][0]["order"].is_object());
}

#[test]
fn exit_events_added_removed_and_reworded() {
    let report = json_diff("exit-events");
    assert_eq!(
        stage_changes(&report),
        [
            (
                "prospecting".into(),
                "changed".into(),
                pairs(&[("exit", "removed"), ("exit", "added")])
            ),
            (
                "discovery".into(),
                "changed".into(),
                pairs(&[
                    ("exit", "reworded"),
                    ("exit.evidence", "changed"),
                    ("exit", "added")
                ])
            ),
        ]
    );
}

#[test]
fn guidance_durations_content_and_edges() {
    let guidance = stage_changes(&json_diff("guidance"));
    assert_eq!(
        guidance[0].2,
        pairs(&[
            ("buyer_view.questions", "added"),
            ("know", "added"),
            ("do.count", "changed"),
            ("say.response", "changed"),
            ("say", "added"),
            ("say.response", "added"),
        ])
    );
    assert_eq!(guidance[1].2, pairs(&[("know", "reworded")]));
    assert_eq!(guidance[2].2, pairs(&[("do.channel", "changed")]));

    let durations = json_diff("durations");
    assert_eq!(
        durations["playbooks"][0]["meta"][0]["section"],
        "cycle_target"
    );
    assert_eq!(durations["playbooks"][0]["meta"][0]["old"], "6w");
    assert_eq!(
        stage_changes(&durations),
        [
            (
                "discovery".into(),
                "changed".into(),
                pairs(&[("expected_duration", "changed")])
            ),
            (
                "demo".into(),
                "changed".into(),
                pairs(&[("expected_duration", "removed")])
            ),
        ]
    );

    let content = json_diff("content");
    let library: Vec<(String, String)> = content["playbooks"][0]["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().into(),
                c.get("field").map_or("", |f| f.as_str().unwrap()).into(),
            )
        })
        .collect();
    assert_eq!(library, pairs(&[("added", ""), ("changed", "url")]));
    assert_eq!(
        stage_changes(&content)[0].2,
        pairs(&[("content", "removed"), ("content", "added")])
    );

    let edges = stage_changes(&json_diff("next-edges"));
    assert_eq!(edges[0].2, pairs(&[("next", "added")]));
    assert_eq!(
        edges[1].2,
        pairs(&[("next", "removed"), ("recycle", "added")])
    );
}

#[test]
fn a_chinese_playbook_is_compared_like_any_other() {
    let report = json_diff("chinese");
    assert_eq!(report["playbooks"][0]["id"], "smb-zh");
    let stages = stage_changes(&report);
    assert_eq!(stages[0].2, pairs(&[("exit", "reworded")]));
    assert_eq!(
        stages[1].2,
        pairs(&[("name", "changed"), ("content", "added")])
    );
}

#[test]
fn a_broken_new_version_lists_its_new_findings() {
    let report = json_diff("broken-new");
    assert_eq!(report["playbooks"][0]["status"], "broken");
    assert_eq!(
        report["playbooks"][0]["new_findings"][0]["code"],
        "structure::unknown-reference"
    );
}

#[test]
fn bad_arguments_exit_2() {
    let dir = fixtures().join("stage-renamed");
    let (code, _, stderr) = stagebook(&dir, &["diff", "old.yaml", "missing.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.yaml"), "{stderr}");
    let (code, _, _) = stagebook(&dir, &["diff", "old.yaml", "../stage-added"]);
    assert_eq!(code, 2, "a file against a folder");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn revisions_of_a_real_git_repository() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    git(root, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(root.join("playbooks/parts")).unwrap();
    std::fs::write(root.join("stagebook.toml"), "").unwrap();
    let old = std::fs::read_to_string(fixtures().join("stage-renamed/old.yaml")).unwrap();
    let new = std::fs::read_to_string(fixtures().join("stage-renamed/new.yaml")).unwrap();
    // The late stages live in an included file, read from git like the playbook itself.
    let split = |text: &str| {
        let at = text.find("  - id: won").unwrap();
        (
            format!("{}include: [parts/closing.yaml]\n", &text[..at]),
            format!("stages:\n{}", &text[at..]),
        )
    };
    let (old_main, closing) = split(&old);
    let (new_main, _) = split(&new);
    std::fs::write(root.join("playbooks/inbound.yaml"), &old_main).unwrap();
    std::fs::write(root.join("playbooks/parts/closing.yaml"), &closing).unwrap();
    std::fs::write(root.join("notes.yaml"), "not: a playbook\n").unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "first"]);
    std::fs::write(root.join("playbooks/inbound.yaml"), &new_main).unwrap();
    git(root, &["commit", "-q", "-am", "rename discovery"]);
    git(root, &["checkout", "-q", "-b", "feature"]);
    let closing_changed = closing.replace("name: Closed won", "name: Won");
    std::fs::write(root.join("playbooks/parts/closing.yaml"), closing_changed).unwrap();

    // A range of two revisions, limited to a folder.
    let (code, stdout, stderr) = stagebook(root, &["diff", "main~1..main", "--", "playbooks/"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("comparing main~1 with main"), "{stdout}");
    assert!(
        stdout.contains("name: “Discovery” → “Discovery call”"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 playbook changed: 1 stage renamed"),
        "{stdout}"
    );
    assert!(!stdout.contains("notes.yaml"), "{stdout}");

    // A revision against the working tree, from a subfolder: the include changed.
    let (code, stdout, stderr) = stagebook(
        &root.join("playbooks"),
        &["diff", "main", "--format", "json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["old"], "main");
    assert_eq!(report["new"], "working tree");
    assert_eq!(
        report["playbooks"][0]["old_file"],
        "main:playbooks/inbound.yaml"
    );
    assert_eq!(
        stage_changes(&report),
        [(
            "won".into(),
            "changed".into(),
            pairs(&[("name", "changed")])
        )]
    );

    // Nothing was checked out: the working tree still holds the change.
    assert!(
        std::fs::read_to_string(root.join("playbooks/parts/closing.yaml"))
            .unwrap()
            .contains("name: Won")
    );

    // A path in neither version is a mistake, not "no changes".
    let (code, _, stderr) = stagebook(root, &["diff", "main", "--", "playbookz"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no playbooks under playbookz"), "{stderr}");

    // A revision that does not exist is a failure of the tool, not a finding.
    let (code, _, stderr) = stagebook(root, &["diff", "no-such-branch"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no-such-branch"), "{stderr}");
}

#[test]
fn folders_pair_playbooks_by_id_and_sum_up_added_and_removed_ones() {
    let (old, new) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let fixture = |case: &str, side: &str| fixtures().join(case).join(side);
    std::fs::copy(
        fixture("stage-renamed", "old.yaml"),
        old.path().join("inbound.yaml"),
    )
    .unwrap();
    std::fs::copy(fixture("chinese", "old.yaml"), old.path().join("zh.yaml")).unwrap();
    // Renamed file, same playbook id: still one playbook.
    std::fs::copy(
        fixture("stage-renamed", "new.yaml"),
        new.path().join("smb.yaml"),
    )
    .unwrap();
    std::fs::copy(
        fixture("durations", "old.yaml"),
        new.path().join("other.yaml"),
    )
    .unwrap();
    let other = std::fs::read_to_string(new.path().join("other.yaml"))
        .unwrap()
        .replace("id: inbound", "id: outbound");
    std::fs::write(new.path().join("other.yaml"), other).unwrap();

    let (code, stdout, stderr) = stagebook(
        &fixtures(),
        &[
            "diff",
            old.path().to_str().unwrap(),
            new.path().to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let statuses: Vec<(&str, &str)> = report["playbooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("outbound", "added"),
            ("inbound", "changed"),
            ("smb-zh", "removed")
        ]
    );
    let added = &report["playbooks"][0];
    assert!(added["stages"].as_array().unwrap().is_empty());
    assert_eq!(added["order"]["new"][0], "prospecting");
    assert_eq!(report["summary"]["playbooks_added"], 1);
    assert_eq!(report["summary"]["playbooks_removed"], 1);
    assert_eq!(report["summary"]["stages_renamed"], 1);
}

//! Hostile inputs through the real binary under a memory cap (`prlimit --as`) and a time cap:
//! each one ends with its documented finding or error, never an abort, a hang or gigabytes of
//! memory. Inputs are generated here, never committed.

use crate::common::{self, Limits, Run};

use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Address-space cap for every run: far below what the unbounded versions needed (gigabytes),
/// with room for a debug build's threads and allocator arenas.
const ADDRESS_SPACE: u64 = 1024 * 1024 * 1024;

/// Peak resident memory allowed for any case here.
const PEAK_KIB: u64 = 256 * 1024;

/// Runs `stagebook ARGS` under `prlimit --as` (where installed) and `/usr/bin/time` (where
/// installed), killing it after `limit`; fails when it was killed or passed [`PEAK_KIB`].
fn run_capped(args: &[&str], stdin: Option<&Path>, limit: Duration) -> Run {
    let run = common::run_limited(
        args,
        &Limits {
            time: limit,
            address_space: Some(ADDRESS_SPACE),
            stdin,
        },
    );
    assert!(
        run.code.is_some(),
        "`stagebook {}` was killed (signal or time cap) after {:?}: {}",
        args.join(" "),
        run.elapsed,
        run.stderr.chars().take(2000).collect::<String>()
    );
    eprintln!(
        "stagebook {}: exit {:?}, {:?}, peak {:?} KiB",
        args.first().copied().unwrap_or_default(),
        run.code,
        run.elapsed,
        run.max_rss_kib
    );
    if let Some(kib) = run.max_rss_kib {
        assert!(kib < PEAK_KIB, "peak memory {kib} KiB");
    }
    run
}

#[test]
fn aliases_repeating_a_big_string_are_a_finding_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alias.yaml");
    let big = "x".repeat(1024 * 1024);
    let copies = "  - *b\n".repeat(16_000);
    std::fs::write(
        &path,
        format!("stagebook: 1\nbig: &b \"{big}\"\nlist:\n{copies}"),
    )
    .unwrap();
    let run = run_capped(
        &["check", "--format", "json", path.to_str().unwrap()],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(common::codes(&run.stdout), ["input::alias-budget"]);
    assert!(
        run.stdout
            .contains("aliases expand to more than 16 MiB of text"),
        "{}",
        run.stdout
    );
}

#[test]
fn control_characters_written_as_escapes_are_refused_before_any_export() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::repo_dir().join("playbooks/midmarket-saas.yaml"))
        .unwrap()
        .replacen(
            "    name: Prospecting\n",
            "    name: \"Prospec\\x01ting \\e[31m\"\n",
            1,
        );
    let path = dir.path().join("escapes.yaml");
    std::fs::write(&path, &text).unwrap();
    let out = dir.path().join("out");
    let run = run_capped(
        &[
            "crm",
            "export",
            "--target",
            "salesforce",
            "--out",
            out.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let output = format!("{}{}", run.stdout, run.stderr);
    assert!(
        output.contains("the text holds the invisible control character U+0001"),
        "{output}"
    );
    assert!(!out.exists(), "nothing is written");

    let run = run_capped(
        &["check", "--format", "json", path.to_str().unwrap()],
        None,
        Duration::from_secs(30),
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let finding = &report["diagnostics"][0];
    assert_eq!(finding["code"], "input::control-character");
    let line = text
        .lines()
        .position(|l| l.contains("Prospec\\x01ting"))
        .unwrap()
        + 1;
    assert_eq!(finding["line"], line, "{finding}");
}

#[cfg(unix)]
#[test]
fn a_fifo_as_the_playbook_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for args in [
        vec!["check", fifo.to_str().unwrap()],
        vec!["check", dir.path().to_str().unwrap()],
    ] {
        let run = run_capped(&args, None, Duration::from_secs(20));
        assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    }
}

#[cfg(unix)]
#[test]
fn symlinked_playbooks_inside_the_project_are_checked_and_outside_ones_refused() {
    let project = tempfile::tempdir().unwrap();
    std::fs::write(project.path().join("stagebook.toml"), "").unwrap();
    let real = project.path().join("teams");
    let links = project.path().join("playbooks");
    std::fs::create_dir_all(&real).unwrap();
    std::fs::create_dir_all(&links).unwrap();
    std::fs::copy(
        common::repo_dir().join("playbooks/midmarket-saas.yaml"),
        real.join("sales.yaml"),
    )
    .unwrap();
    std::fs::write(real.join("broken.yaml"), "stagebook: 1\nstages: 3\n").unwrap();
    std::os::unix::fs::symlink("../teams/sales.yaml", links.join("sales.yaml")).unwrap();
    std::os::unix::fs::symlink("../teams/broken.yaml", links.join("broken.yaml")).unwrap();
    // The same file through a second link is checked once.
    std::os::unix::fs::symlink("../teams/sales.yaml", links.join("again.yaml")).unwrap();
    let run = run_capped(
        &["check", "--format", "json", links.to_str().unwrap()],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["summary"]["files"], 2, "{}", report["summary"]);

    // A link leaving the project is not followed: its text is never read or shown.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.yaml"), "token: abc\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.yaml"), links.join("z.yaml")).unwrap();
    let run = run_capped(
        &["check", "--format", "json", links.to_str().unwrap()],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["summary"]["files"], 2, "{}", report["summary"]);
    assert!(!run.stdout.contains("abc") && !run.stderr.contains("abc"));

    // A folder of such links only is an error, never "no problems in 0 files".
    let only = project.path().join("elsewhere");
    std::fs::create_dir_all(&only).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.yaml"), only.join("a.yaml")).unwrap();
    let run = run_capped(
        &["check", only.to_str().unwrap()],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("is a link to a file outside the project folder"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("abc") && !run.stderr.contains("abc"));
}

#[test]
fn a_huge_max_file_size_saturates_instead_of_wrapping_to_zero() {
    let playbook = common::repo_dir().join("playbooks/midmarket-saas.yaml");
    for size in ["17592186044416", "18446744073709551615"] {
        let run = run_capped(
            &["check", "--max-file-size", size, playbook.to_str().unwrap()],
            None,
            Duration::from_secs(30),
        );
        assert_eq!(run.code, Some(0), "{size}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("no problems in 1 file"),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn an_oversized_stagebook_toml_is_refused_before_it_is_read_whole() {
    let project = tempfile::tempdir().unwrap();
    let config = format!("[lint]\n{}", "# padding\n".repeat(300_000));
    std::fs::write(project.path().join("stagebook.toml"), config).unwrap();
    let playbook = project.path().join("sales.yaml");
    std::fs::copy(
        common::repo_dir().join("playbooks/midmarket-saas.yaml"),
        &playbook,
    )
    .unwrap();
    let run = run_capped(
        &["check", playbook.to_str().unwrap()],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("stagebook.toml: larger than 1024 KiB"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_history_dated_9999_12_31_is_measured() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.csv");
    std::fs::write(
        &history,
        "deal_id,stage,entered_at\nd1,prospecting,2024-01-02\nd1,discovery,9999-12-31\n",
    )
    .unwrap();
    let playbook = common::repo_dir().join("playbooks/midmarket-saas.yaml");
    let run = run_capped(
        &[
            "metrics",
            playbook.to_str().unwrap(),
            "--history",
            history.to_str().unwrap(),
        ],
        None,
        Duration::from_secs(30),
    );
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("(2024-01-02 to 9999-12-31;"),
        "{}",
        run.stdout
    );
}

/// Writes a history of `deals` deals, each with one row in the first stage, a day apart in
/// January: every one of them is stalled at the end.
fn distinct_deals(path: &Path, deals: usize) {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "deal_id,stage,entered_at").unwrap();
    for i in 0..deals {
        writeln!(out, "deal-{i:08},prospecting,2024-01-{:02}", i % 28 + 1).unwrap();
    }
    out.flush().unwrap();
}

fn metrics_peak(history: &Path, extra: &[&str]) -> (Run, Option<u64>) {
    let playbook = common::repo_dir().join("playbooks/midmarket-saas.yaml");
    let mut args = vec![
        "metrics",
        playbook.to_str().unwrap(),
        "--history",
        history.to_str().unwrap(),
        "--memory-limit",
        "1MiB",
    ];
    args.extend_from_slice(extra);
    let run = run_capped(&args, None, Duration::from_mins(2));
    let peak = run.max_rss_kib;
    (run, peak)
}

#[test]
fn metrics_memory_does_not_grow_with_the_number_of_distinct_deals() {
    let dir = tempfile::tempdir().unwrap();
    let (few, many) = (dir.path().join("few.csv"), dir.path().join("many.csv"));
    distinct_deals(&few, 300_000);
    distinct_deals(&many, 1_000_000);
    let (run, few_kib) = metrics_peak(&few, &["--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let (run, many_kib) = metrics_peak(&many, &["--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["input"]["deals"], 1_000_000);
    // Only the longest stalled deals are listed, and only they are kept while folding.
    let stalled = report["stalled"].as_array().unwrap();
    assert_eq!(stalled.len(), 20, "the default --stalled-limit");
    assert_eq!(
        stalled[0]["deal"], "deal-00000000",
        "the oldest, ties by id"
    );
    eprintln!("300,000 deals: {few_kib:?} KiB, 1,000,000 deals: {many_kib:?} KiB");
    if let (Some(few), Some(many)) = (few_kib, many_kib) {
        // 700,000 more stalled deals in a 1 MiB budget: their rows are spilled to disk and
        // merged, and only the longest 20 stalls are kept (before: every stalled deal, about
        // 60 bytes each, 40 MiB more).
        assert!(many < few + 8 * 1024, "{few} KiB → {many} KiB");
    }
}

#[test]
fn a_csv_row_longer_than_a_mib_stops_reading_without_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "long-id.csv",
            format!(
                "deal_id,stage,entered_at\nd1,prospecting,2024-01-02\n{},prospecting,2024-01-03\n",
                "x".repeat(3 << 20)
            ),
            3,
        ),
        (
            "long-header.csv",
            format!(
                "deal_id,stage,entered_at{}\nd1,prospecting,2024-01-02\n",
                ",\u{1b}[31mx".repeat(1 << 20)
            ),
            1,
        ),
        (
            "open-quote.csv",
            format!(
                "deal_id,stage,entered_at\nd1,prospecting,2024-01-02\n\"d2,prospecting,2024-01-03\n{}",
                "d3,prospecting,2024-01-04\n".repeat(100_000)
            ),
            3,
        ),
    ];
    for (name, text, line) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (run, _) = metrics_peak(&path, &[]);
        assert_eq!(run.code, Some(2), "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "{name}:{line}: the row is longer than 1 MiB, the most stagebook reads for one row"
            )),
            "{name}: {}",
            run.stderr
        );
        assert!(
            run.stderr.len() < 1000,
            "{name}: {} bytes",
            run.stderr.len()
        );
        assert!(!run.stderr.contains('\u{1b}'), "{name}");
    }
}

#[test]
fn csv_values_reach_the_terminal_without_escape_sequences() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("escapes.csv");
    std::fs::write(
        &path,
        "deal_id,stage,entered_at\n\u{1b}[31mred,prospecting,2024-01-01\nd2,\u{1b}]0;title\u{7},2024-01-02\nd3,prospecting,\u{1b}[2J\n",
    )
    .unwrap();
    let (run, _) = metrics_peak(&path, &["--skip-bad-rows"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let output = format!("{}{}", run.stdout, run.stderr);
    assert!(!output.contains(['\u{1b}', '\u{7}']), "{output:?}");
    assert!(output.contains("\u{fffd}]0;title\u{fffd}"), "{output}");
}

#[test]
fn rendering_many_stages_resolves_every_reference_in_bounded_time() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let stages = 6_000;
    let mut text = String::from(
        "stagebook: 1\nplaybook:\n  id: long\n  name: Long\n  locale: en\ncontent:\n  - id: deck\n    title: The deck\n    kind: deck\n    url: https://example.com/deck\nstages:\n",
    );
    for s in 0..stages {
        let next = if s + 1 < stages {
            format!("stage-{}", s + 1)
        } else {
            "won".into()
        };
        let _ = write!(
            text,
            "  - id: stage-{s}\n    name: Step {s}\n    goal: The buyer agrees on step {s}.\n    content: [deck]\n    exit:\n      - event: The buyer signs step {s}\n        evidence: The email\n    next: [{next}, lost]\n"
        );
    }
    text.push_str("  - id: won\n    name: Won\n    terminal: won\n  - id: lost\n    name: Lost\n    terminal: lost\n");
    let path = dir.path().join("long.yaml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let run = run_capped(
        &[
            "render",
            "--format",
            "md",
            "--out",
            out.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
        None,
        Duration::from_mins(2),
    );
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let handbook = std::fs::read_to_string(out.join("long/handbook.md")).unwrap();
    // Each `next` names its stage (looked up by id), the last one the won stage.
    assert!(handbook.contains("[Step 5999]"), "a reference resolves");
    assert!(handbook.contains("[Won]"));
    assert_eq!(
        handbook.matches("The deck").count(),
        stages,
        "content resolves"
    );
}

//! `stagebook metrics` against hand-computed histories. Command output is checked with inline
//! snapshots and golden files through `common::golden` (`STAGEBOOK_BLESS=1` rewrites them).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use snapbox::cmd::Command;
use stagebook::metrics::group::Budget;
use stagebook::metrics::history::{Columns, History, ReadOptions, read, read_in_parts};
use stagebook::metrics::report::{Report, StageStats};
use stagebook::metrics::stages::StageMap;
use stagebook::metrics::time::{PeriodKind, Zone, parse_date};
use stagebook::metrics::won::ActivityColumns;
use stagebook::metrics::{Options, measure};
use stagebook::model::PlaybookFile;

use crate::common::golden;

const FIXTURES: &str = "tests/fixtures/metrics";

pub(crate) fn playbook() -> PlaybookFile {
    let checked = stagebook::check::check_file(
        &Path::new(FIXTURES).join("saas.yaml"),
        &stagebook::check::Options::default(),
    )
    .unwrap()
    .unwrap();
    checked.playbook.expect("the fixture playbook is valid")
}

pub(crate) fn options(history: PathBuf) -> Options {
    Options {
        history,
        read: ReadOptions {
            columns: Columns::default(),
            delimiter: b',',
            skip_bad_rows: false,
            zone: Zone::utc(),
            input_zone: None,
            time_format: None,
            budget: Budget::default(),
            details: stagebook::metrics::details::DetailColumns::default(),
            only: None,
        },
        shape: stagebook::metrics::source::ShapeNotes::default(),
        from: None,
        to: None,
        period: None,
        won_profile: false,
        activities: None,
        activity_columns: ActivityColumns::default(),
        stalled_limit: 20,
        as_of: None,
        deal_url: None,
        by: None,
    }
}

fn march(mut options: Options) -> Options {
    options.from = Some(parse_date("2024-03-01").unwrap());
    options.to = Some(parse_date("2024-03-31").unwrap());
    options
}

fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("history.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn stage<'r>(report: &'r Report, id: &str) -> &'r StageStats {
    report.total.stages.iter().find(|s| s.stage == id).unwrap()
}

fn flows(report: &Report) -> (u64, u64, u64, u64, u64) {
    let stages = &report.total.stages;
    (
        stages.iter().map(|s| s.at_start).sum(),
        stages.iter().map(|s| s.entered).sum(),
        stages
            .iter()
            .map(|s| s.advanced + s.lost + s.moved_back)
            .sum(),
        stages.iter().map(|s| s.remaining).sum(),
        0,
    )
}

/// Skips, backward moves, re-entries and an open deal, rows deliberately out of order.
const OUT_OF_ORDER: &str = "deal_id,stage,entered_at\n\
         B,Demo Scheduled,2024-03-08\n\
         A,Closed Won,2024-03-10\n\
         B,Qualification,2024-03-06\n\
         A,Demo Scheduled,2024-03-03\n\
         B,Prospecting,2024-03-01\n\
         B,Demo Scheduled,2024-03-04\n\
         A,Prospecting,2024-03-01\n\
         B,Qualification,2024-03-02\n\
         A,Proposal/Price Quote,2024-03-05\n\
         D,Prospecting,2024-03-20\n\
         B,Proposal/Price Quote,2024-03-12\n\
         B,Needs Analysis,2024-03-14\n";

/// 20:00 UTC on 31 March is 04:00 on 1 April in Shanghai; the naive time is local.
const TIME_ZONES: &str = "deal_id,stage,entered_at\n\
         A,Prospecting,2024-03-31T20:00:00Z\n\
         B,Prospecting,2024-03-31 20:00:00\n\
         C,Prospecting,2024-03-01 02:00\n";

/// A duplicate row, a deal lost without an open stage, an unknown stage.
const DUPLICATES: &str = "deal_id,stage,entered_at\n\
         E,Prospecting,2024-03-01\n\
         E,Prospecting,2024-03-01\n\
         E,Closed Lost,2024-03-09\n\
         C,Closed Lost,2024-03-05\n\
         F,Stalled In Legal,2024-03-05\n";

#[test]
fn the_guides_worked_example() {
    let report = measure(
        &playbook(),
        &march(options(Path::new(FIXTURES).join("worked-example.csv"))),
    )
    .unwrap();
    let demo = stage(&report, "demo");
    assert_eq!(
        (demo.at_start, demo.advanced, demo.entered, demo.remaining),
        (75, 28, 19, 66)
    );
    // 14 deals left after 20 days, 14 after 39: median and mean 29.5 days, all over 14d.
    assert_eq!(demo.time_in_stage.median_days, Some(29.5));
    assert_eq!(demo.time_in_stage.mean_days, Some(29.5));
    assert_eq!(demo.time_in_stage.over_budget_share, Some(1.0));
    assert_eq!(demo.conversion, Some(1.0));
    // Stalls are measured just after the last change (2024-03-20 10:00): the 47 deals there
    // since 2024-02-10 are over 14 days; the 19 that arrived on 2024-03-10 are not.
    assert_eq!(demo.stalled, 47);
    let discovery = stage(&report, "discovery");
    assert_eq!(
        (discovery.at_start, discovery.advanced, discovery.remaining),
        (19, 19, 0)
    );
    assert_eq!(discovery.time_in_stage.median_days, Some(14.0));
    assert_eq!(stage(&report, "proposal").entered, 28);
    // The same numbers with monthly periods.
    let mut monthly = march(options(Path::new(FIXTURES).join("worked-example.csv")));
    monthly.period = Some(PeriodKind::Month);
    let report = measure(&playbook(), &monthly).unwrap();
    assert_eq!(report.periods.len(), 1);
    assert_eq!(report.periods[0].label, "2024-03");
    let demo = report.periods[0]
        .stages
        .iter()
        .find(|s| s.stage == "demo")
        .unwrap();
    assert_eq!(
        (demo.at_start, demo.advanced, demo.entered, demo.remaining),
        (75, 28, 19, 66)
    );
}

#[test]
fn skips_backward_moves_re_entries_and_open_deals() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, OUT_OF_ORDER);
    let report = measure(&playbook(), &march(options(path))).unwrap();
    // A: prospecting -> demo skips discovery; proposal -> won skips negotiation.
    let prospecting = stage(&report, "prospecting");
    assert_eq!(
        (
            prospecting.entered,
            prospecting.advanced,
            prospecting.skips_from
        ),
        (3, 2, 1)
    );
    assert_eq!(prospecting.remaining, 1, "D is still prospecting");
    assert_eq!(stage(&report, "discovery").skipped, 1);
    assert_eq!(stage(&report, "negotiation").skipped, 1);
    // B: demo -> discovery is a backward move; proposal -> discovery is an allowed recycle.
    let demo = stage(&report, "demo");
    assert_eq!(
        (demo.entered, demo.backward_moves, demo.moved_back),
        (3, 1, 1)
    );
    let proposal = stage(&report, "proposal");
    assert_eq!((proposal.recycled, proposal.backward_moves), (1, 0));
    let discovery = stage(&report, "discovery");
    assert_eq!(
        (discovery.entered, discovery.remaining),
        (3, 1),
        "B re-entered twice"
    );
    assert_eq!(report.total.funnel.won, 1);
    assert_eq!(report.total.funnel.cycle.median_days, Some(9.0));
    // Identity per stage: at start + entered - exits = remaining.
    let (start, entered, exits, remaining, _) = flows(&report);
    assert_eq!(start + entered - exits, remaining);
}

#[test]
fn time_zones_decide_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, TIME_ZONES);
    let utc = measure(&playbook(), &march(options(path.clone()))).unwrap();
    assert_eq!(stage(&utc, "prospecting").entered, 3);
    let mut shanghai = march(options(path));
    shanghai.read.zone = Zone::named("Asia/Shanghai").unwrap();
    let local = measure(&playbook(), &shanghai).unwrap();
    // A falls in April; B and C are March in Shanghai's wall clock.
    assert_eq!(stage(&local, "prospecting").entered, 2);
    assert_eq!(local.time_zone, "Asia/Shanghai");
}

#[test]
fn duplicates_lost_only_deals_and_unknown_stages_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, DUPLICATES);
    let report = measure(&playbook(), &march(options(path))).unwrap();
    assert_eq!(report.input.duplicate_rows, 1);
    assert_eq!(report.input.deals_without_open_stage, 1);
    assert_eq!(report.input.unknown_stages[0].name, "Stalled In Legal");
    assert_eq!(report.total.funnel.lost, 2);
    assert_eq!(stage(&report, "prospecting").loss_rate, Some(1.0));
    assert_eq!(report.warnings().len(), 3);
}

/// A stage column that holds free text (`--column stage=` naming the wrong column): the
/// first 1 000 names are listed, the rows of the others counted together, and the warning
/// asks about the column.
#[test]
fn unknown_stage_names_are_listed_up_to_a_thousand() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("deal_id,stage,entered_at\nA,Prospecting,2024-03-01\n");
    for i in 0..1_500 {
        writeln!(text, "A,note {i},2024-03-02").unwrap();
    }
    writeln!(text, "A,note 7,2024-03-02").unwrap();
    let path = write(&dir, &text);
    let report = measure(&playbook(), &options(path)).unwrap();
    let input = &report.input;
    assert_eq!(input.unknown_stages.len(), 1_000);
    assert_eq!(input.unknown_stages[0].name, "note 7");
    assert_eq!(input.unknown_stages[0].rows, 2);
    assert_eq!(input.other_unknown_stage_rows, 500);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["input"]["other_unknown_stage_rows"], 500);
    assert_eq!(
        report.warnings()[0],
        "1501 rows name a stage the playbook does not have: `note 7` (2), `note 0` (1), \
         `note 1` (1), `note 10` (1), `note 100` (1) and more than 995 other names; is \
         `--column stage=` the column of stage names?"
    );
}

/// Every fixture history, with budgets so small that the rows go to disk in many runs (one
/// row each at 1 byte, more runs than are merged at once): the report is the one computed in
/// memory, and no temporary file is left.
#[test]
fn spilling_runs_to_disk_changes_no_number() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for (name, text) in [
        ("out-of-order.csv", OUT_OF_ORDER),
        ("time-zones.csv", TIME_ZONES),
        ("duplicates.csv", DUPLICATES),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        cases.push(march(options(path)));
    }
    let mut worked = march(options(Path::new(FIXTURES).join("worked-example.csv")));
    worked.period = Some(PeriodKind::Week);
    cases.push(worked);
    let mut example = options(PathBuf::from("examples/history.csv"));
    example.period = Some(PeriodKind::Month);
    example.read.zone = Zone::named("Asia/Shanghai").unwrap();
    example.won_profile = true;
    example.activities = Some(PathBuf::from("examples/activities.csv"));
    cases.push(example);
    let mut shanghai = march(options(dir.path().join("time-zones.csv")));
    shanghai.read.zone = Zone::named("Asia/Shanghai").unwrap();
    cases.push(shanghai);

    let runs = tempfile::tempdir().unwrap();
    let stages = StageMap::new(&playbook()).unwrap();
    for in_memory in cases {
        let expected =
            serde_json::to_string_pretty(&measure(&playbook(), &in_memory).unwrap()).unwrap();
        for limit in [1, 4096] {
            let mut spilled = in_memory.clone();
            spilled.read.budget = Budget {
                memory_limit: limit,
                temp_dir: runs.path().to_owned(),
            };
            let history = read(&spilled.history, &stages, &spilled.read).unwrap();
            if limit == 1 {
                let runs = history.groups.spilled();
                assert!(runs > 1, "{}: {runs} runs", spilled.history.display());
            }
            let report = measure(&playbook(), &spilled).unwrap();
            assert_eq!(
                serde_json::to_string_pretty(&report).unwrap(),
                expected,
                "{} with --memory-limit {limit}",
                spilled.history.display()
            );
        }
    }
    assert_eq!(
        std::fs::read_dir(runs.path()).unwrap().count(),
        0,
        "no temporary file left"
    );
}

/// What reading found, and every deal's sorted events, as text to compare.
fn contents(history: Result<History, stagebook::metrics::Error>) -> String {
    let mut history = match history {
        Ok(history) => history,
        Err(error) => return format!("error: {error}"),
    };
    let mut out = format!("{:?}\n", history.stats);
    let (mut id, mut events) = (Vec::new(), Vec::new());
    while history.groups.next(&mut id, &mut events).unwrap() {
        events.sort_unstable();
        writeln!(out, "{} {events:?}", String::from_utf8_lossy(&id)).unwrap();
    }
    out
}

/// Reading a file in parallel parts gives what reading it in one does, wherever the cuts
/// fall: inside quoted fields that hold line breaks, between `\r` and `\n`, on blank lines,
/// before and after malformed rows (whose line numbers must not move).
#[test]
fn reading_in_parts_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string("examples/history.csv").unwrap();
    let mut quoted = String::from("deal_id,stage,entered_at,note\n");
    let mut malformed = String::from("deal_id,stage,entered_at\n");
    for (i, row) in example.lines().skip(1).take(400).enumerate() {
        write!(quoted, "{row},\"call {i}\nthen\r\n\"\"email\"\"\n\"\n").unwrap();
        if i % 97 == 5 {
            writeln!(malformed, "X{i},Prospecting,soon").unwrap();
        } else {
            write!(malformed, "{row}\n\n").unwrap();
        }
    }
    let cases = [
        ("example.csv", example.clone()),
        ("crlf.csv", example.replace('\n', "\r\n")),
        ("quoted.csv", quoted),
        ("malformed.csv", malformed),
    ];
    let stages = StageMap::new(&playbook()).unwrap();
    for (name, text) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        for skip_bad_rows in [false, true] {
            let mut read_options = options(path.clone()).read;
            read_options.skip_bad_rows = skip_bad_rows;
            let whole = contents(read_in_parts(&path, &stages, &read_options, 1));
            for parts in 2..=7 {
                assert_eq!(
                    contents(read_in_parts(&path, &stages, &read_options, parts)),
                    whole,
                    "{name} in {parts} parts"
                );
            }
        }
    }
}

fn metrics(args: &[&str]) -> Command {
    Command::new(snapbox::cmd::cargo_bin!("stagebook"))
        .arg("metrics")
        .arg(Path::new(FIXTURES).join("saas.yaml"))
        .args(args)
        .with_assert(golden::assert())
}

fn bad(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let shown = path.display().to_string();
    (dir, shown)
}

#[test]
fn bad_input_fails_with_line_and_column() {
    let (_dir, path) = bad(
        "h.csv",
        "deal_id,stage,entered_at\nA,Prospecting,2024-03-01\nA,Qualification,31/03/2024\n",
    );
    let output = metrics(&["--history", &path])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("h.csv:3: column `entered_at`: `31/03/2024`"),
        "{stderr}"
    );
    assert!(stderr.contains("--skip-bad-rows"), "{stderr}");
    // Skipped rows are counted and reported, never silently dropped.
    let output = metrics(&["--history", &path, "--skip-bad-rows"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.ends_with("warning: 1 malformed rows were left out (--skip-bad-rows)\n"),
        "{stdout}"
    );
}

/// csv counts the `\n` of a `\r\n`, and blank lines, only once it reads the next record: the
/// line a bad row is reported on must not fall behind.
#[test]
fn bad_rows_after_crlf_and_blank_lines_keep_their_line() {
    for (name, text, line) in [
        (
            "crlf.csv",
            "deal_id,stage,entered_at\r\nA,Prospecting,2024-03-01\r\nA,Qualification,31/03/2024\r\n",
            3,
        ),
        (
            "blank.csv",
            "deal_id,stage,entered_at\nA,Prospecting,2024-03-01\n\n\nA,Qualification,31/03/2024\n",
            5,
        ),
    ] {
        let (_dir, path) = bad(name, text);
        let output = metrics(&["--history", &path])
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains(&format!("{name}:{line}: column `entered_at`: `31/03/2024`")),
            "{stderr}"
        );
        let output = metrics(&["--history", &path, "--skip-bad-rows", "--format", "json"])
            .assert()
            .code(0)
            .get_output()
            .clone();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            stdout.contains(&format!("{name}:{line}: column `entered_at`")),
            "{stdout}"
        );
    }
}

#[test]
fn a_deal_id_that_is_not_utf8_is_a_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.csv");
    std::fs::write(
        &path,
        b"deal_id,stage,entered_at\nA,Prospecting,2024-03-01\nR\xe9mi,Prospecting,2024-03-01\n",
    )
    .unwrap();
    let error = measure(&playbook(), &options(path.clone())).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("latin1.csv:3: column `deal_id`: the deal id is not UTF-8 text"),
        "{error}"
    );
    let mut skipping = options(path);
    skipping.read.skip_bad_rows = true;
    let report = measure(&playbook(), &skipping).unwrap();
    assert_eq!((report.input.bad_rows, report.input.deals), (1, 1));
}

#[test]
fn missing_columns_and_empty_files_are_tool_failures() {
    let (dir, path) = bad("crm.csv", "Deal,Phase,Changed\nA,Prospecting,2024-03-01\n");
    metrics(&["--history", &path])
        .with_assert(golden::assert_in_temp(dir.path()))
        .assert()
        .code(2)
        .stderr_eq(snapbox::str![[r"
error: [TMP]/crm.csv: no column `deal_id` in the header (it has: `Deal`, `Phase`, `Changed`); name the column that holds the deal id with --column deal=NAME

"]]);
    metrics(&[
        "--history",
        &path,
        "--column",
        "deal=Deal",
        "--column",
        "stage=Phase",
        "--column",
        "at=Changed",
    ])
    .assert()
    .code(0);
    // OpportunityHistory's own columns are found from its header.
    let (_sf_dir, salesforce) = bad(
        "sf.csv",
        "OpportunityId,StageName,CreatedDate\nA,Prospecting,2024-03-01\n",
    );
    metrics(&["--history", &salesforce]).assert().code(0);
    let (empty_dir, empty) = bad("empty.csv", "");
    metrics(&["--history", &empty])
        .with_assert(golden::assert_in_temp(empty_dir.path()))
        .assert()
        .code(2)
        .stderr_eq(snapbox::str![[r"
error: [TMP]/empty.csv: the file is empty; expected a CSV with a header line

"]]);
    let (_dir, header) = bad("header.csv", "deal_id,stage,entered_at\n");
    metrics(&["--history", &header]).assert().code(2);
    metrics(&["--history", "no/such/file.csv"]).assert().code(2);
    metrics(&["--history", &path, "--column", "owner=x"])
        .assert()
        .code(2);
    metrics(&["--history", &path, "--from", "March"])
        .assert()
        .code(2);
}

#[test]
fn strict_fails_on_unknown_stages() {
    let (_dir, path) = bad(
        "h.csv",
        "deal_id,stage,entered_at\nA,Prospecting,2024-03-01\nB,Mystery,2024-03-02\n",
    );
    metrics(&["--history", &path]).assert().code(0);
    metrics(&["--history", &path, "--strict", "--format", "json"])
        .assert()
        .code(1)
        .stderr_eq(snapbox::str![[r"
warning: 1 rows name a stage the playbook does not have: `Mystery` (1); add them to a stage's `crm_names`
error: --strict: the report has 1 warning (above); the numbers may not be what they seem

"]]);
}

#[test]
fn golden_json_and_csv() {
    let history = Path::new(FIXTURES).join("worked-example.csv");
    let history = history.to_str().unwrap();
    for (format, file) in [
        ("json", "worked-example.json"),
        ("csv", "worked-example.out.csv"),
    ] {
        let run = metrics(&[
            "--history",
            history,
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
            "--format",
            format,
        ])
        .assert()
        .code(0);
        golden::assert_file(&Path::new(FIXTURES).join(file), &run.get_output().stdout);
    }
}

/// 40 000 deals of two rows: more than the smallest `--memory-limit` holds.
fn big_history(dir: &tempfile::TempDir) -> String {
    let mut text = String::from("deal_id,stage,entered_at\n");
    for deal in 0..40_000 {
        let day = deal % 28 + 1;
        writeln!(text, "D{deal:05},Prospecting,2024-03-{day:02}").unwrap();
        writeln!(text, "D{deal:05},Qualification,2024-04-{day:02}").unwrap();
    }
    let path = dir.path().join("big.csv");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn memory_limit_and_temp_dir_options() {
    let dir = tempfile::tempdir().unwrap();
    let history = big_history(&dir);
    let history = history.as_str();
    let runs = tempfile::tempdir().unwrap();
    let in_memory = metrics(&["--history", history, "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    metrics(&[
        "--history",
        history,
        "--format",
        "json",
        "--memory-limit",
        "1MiB",
        "--temp-dir",
        runs.path().to_str().unwrap(),
    ])
    .assert()
    .code(0)
    .stdout_eq(in_memory);
    assert_eq!(std::fs::read_dir(runs.path()).unwrap().count(), 0);
    metrics(&["--history", history, "--memory-limit", "1MiB", "--temp-dir", "no/such/folder"])
        .assert()
        .code(2)
        .stderr_eq(snapbox::str![[r"
error: cannot create a temporary file in `no/such/folder`: [..]
  help: the history does not fit in --memory-limit and is sorted on disk; pass --temp-dir DIR with a writable folder, or a larger --memory-limit

"]]);
    metrics(&["--history", history, "--memory-limit", "lots"])
        .assert()
        .code(2)
        .stderr_eq(snapbox::str![[r"
error: invalid value 'lots' for '--memory-limit <SIZE>': `lots` is not a size: write it as 512MiB, 2GiB or 64M

For more information, try '--help'.

"]]);
    // A number without a unit is bytes: too few to be meant.
    metrics(&["--history", history, "--memory-limit", "100"])
        .assert()
        .code(2)
        .stderr_eq(snapbox::str![[r"
error: invalid value '100' for '--memory-limit <SIZE>': `100` is 100 bytes, less than the smallest memory limit, 1MiB
  help: a size without a unit is in bytes; did you mean `100MiB`?

For more information, try '--help'.

"]]);
    metrics(&["--history", history, "--memory-limit", "512KiB"])
        .assert()
        .code(2)
        .stderr_eq(snapbox::str![[r"
error: invalid value '512KiB' for '--memory-limit <SIZE>': `512KiB` is 524288 bytes, less than the smallest memory limit, 1MiB
  help: give at least 1MiB; the default is 128MiB

For more information, try '--help'.

"]]);
}

#[test]
fn html_is_escaped_deterministic_and_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("h.csv");
    std::fs::write(
        &history,
        "deal_id,stage,entered_at\n\"<script>alert(1)</script>\",Prospecting,2024-01-01\nX,Qualification,2024-03-01\n",
    )
    .unwrap();
    let out = dir.path().join("report.html");
    let run = || {
        metrics(&[
            "--history",
            history.to_str().unwrap(),
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .code(0);
        std::fs::read_to_string(&out).unwrap()
    };
    let first = run();
    assert_eq!(first, run(), "same input, same bytes");
    assert!(first.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!first.contains("<script"));
    assert!(first.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no temporary file left"
    );
}

/// The activities file's bad rows are reported on their own line too, CRLF or blank lines
/// before them.
#[test]
fn bad_activity_rows_keep_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let history = write(
        &dir,
        "deal_id,stage,entered_at\nA,Prospecting,2024-03-01\nA,Closed Won,2024-03-10\n",
    );
    for (text, line) in [
        (
            "deal_id,occurred_at,type\r\nA,2024-03-02,Email\r\nA,soon,Call\r\n",
            3,
        ),
        (
            "deal_id,occurred_at,type\nA,2024-03-02,Email\n\n\nA,soon,Call\n",
            5,
        ),
    ] {
        let activities = dir.path().join("activities.csv");
        std::fs::write(&activities, text).unwrap();
        let mut options = options(history.clone());
        options.won_profile = true;
        options.activities = Some(activities);
        let error = measure(&playbook(), &options).unwrap_err().to_string();
        assert!(
            error.contains(&format!(
                "activities.csv:{line}: column `occurred_at`: `soon`"
            )),
            "{text:?}: {error}"
        );
    }
}

#[test]
fn won_profile_compares_touchpoints_with_the_playbook() {
    let dir = tempfile::tempdir().unwrap();
    let history = write(
        &dir,
        "deal_id,stage,entered_at\n\
         A,Prospecting,2024-03-01\nA,Qualification,2024-03-05\nA,Demo Scheduled,2024-03-06\n\
         A,Proposal/Price Quote,2024-03-08\nA,Negotiation/Review,2024-03-09\nA,Closed Won,2024-03-10\n\
         B,Prospecting,2024-03-01\nB,Qualification,2024-03-03\nB,Demo Scheduled,2024-03-04\n\
         B,Proposal/Price Quote,2024-03-08\nB,Negotiation/Review,2024-03-09\nB,Closed Won,2024-03-11\n",
    );
    let activities = dir.path().join("activities.csv");
    std::fs::write(
        &activities,
        "deal_id,occurred_at,type\nA,2024-02-27,Email\nA,2024-03-02,Email\nA,2024-03-02,Call\nB,2024-03-02,Email\nB,2024-03-02,Email\nB,2024-03-02,Email\nB,2024-03-20,Email\n",
    )
    .unwrap();
    let mut options = options(history);
    options.won_profile = true;
    options.activities = Some(activities);
    let report = measure(&playbook(), &options).unwrap();
    let profile = report.won_profile.unwrap();
    assert_eq!(profile.won_deals, 2);
    let prospecting = &profile.stages[0];
    // A spent 4 days prospecting, B 2: median 3, p75 3.5 -> suggested 4d.
    assert_eq!(prospecting.median_days, Some(3.0));
    assert_eq!(
        prospecting.suggested_expected_duration.as_deref(),
        Some("4d")
    );
    let email = prospecting
        .touchpoints
        .iter()
        .find(|t| t.channel == "email")
        .unwrap();
    // A: 2 emails (one before the first stage change), B: 3 (the one after winning is left out).
    assert_eq!((email.median, email.playbook), (Some(2.5), Some(2)));
    let phone = prospecting
        .touchpoints
        .iter()
        .find(|t| t.channel == "phone")
        .unwrap();
    assert_eq!((phone.median, phone.playbook), (Some(0.5), Some(3)));
}

#[test]
fn the_html_report_is_a_template_the_templates_folder_replaces() {
    let history = Path::new(FIXTURES).join("worked-example.csv");
    let history = history.to_str().unwrap();
    let args = [
        "--history",
        history,
        "--to",
        "2024-03-31",
        "--format",
        "html",
    ];
    let built_in = metrics(&args).assert().code(0).get_output().stdout.clone();
    let built_in = String::from_utf8(built_in).unwrap();
    assert!(built_in.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(built_in.contains("<th>Median days</th><th>Mean days</th>"));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("metrics.html.j2"),
        "{{ title }} | {{ total.table.headers|join(',') }} | {{ total.table.rows[0][0] }} | \
         {{ '<b>' }}\n",
    )
    .unwrap();
    let templates = dir.path().to_str().unwrap();
    metrics(&[&args[..], &["--templates", templates]].concat())
        .assert()
        .code(0)
        .stdout_eq(
            "Pipeline metrics: B2B SaaS | Stage,At start,Entered,Advanced,Lost,Back,Remaining,\
             Conversion,Loss rate,Still open,Cohort conversion,Median days,Mean days,Budget days,Over budget,Stalled | \
             Prospecting | &lt;b&gt;\n",
        );

    std::fs::write(dir.path().join("metrics.html.j2"), "{{ nothing.here }}").unwrap();
    let failed = metrics(&[&args[..], &["--templates", templates]].concat())
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let failed = String::from_utf8(failed).unwrap();
    assert!(
        failed.starts_with("error: template ") && failed.contains("metrics.html.j2:1: "),
        "{failed}"
    );
}

/// Conversion beside what is still open, and cohorts followed until `--as-of`, on a history
/// small enough to count by hand (prospecting, March 2024):
///
/// - D was there on 1 March (at start 1); A, B, C and E entered in March (entered 4);
/// - in March A and D moved on to discovery, B was lost: conversion 2 ÷ 3 exits;
/// - C and E are still there on 31 March: still open 2 ÷ (1 + 4) = 0.4;
/// - of the March cohort (A, B, C, E): A advanced, B lost, C never moved, E moved on 2 April.
///   Followed to the end of the file (1 May), 2 of 4 advanced; as of 31 March, 1 of 4, and
///   the 3 changes after it (E on 2 April, A on 10 April, F on 1 May) are a warning.
#[test]
fn still_open_share_and_cohorts_as_of_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "deal_id,stage,entered_at\n\
         A,Prospecting,2024-03-02\nA,Qualification,2024-03-05\nA,Closed Lost,2024-04-10\n\
         B,Prospecting,2024-03-03\nB,Closed Lost,2024-03-20\n\
         C,Prospecting,2024-03-04\n\
         D,Prospecting,2024-02-20\nD,Qualification,2024-03-10\n\
         E,Prospecting,2024-03-25\nE,Qualification,2024-04-02\n\
         F,Prospecting,2024-05-01\n",
    );
    let report = measure(&playbook(), &march(options(path.clone()))).unwrap();
    let prospecting = stage(&report, "prospecting");
    assert_eq!(
        (
            prospecting.at_start,
            prospecting.entered,
            prospecting.advanced,
            prospecting.lost,
            prospecting.remaining
        ),
        (1, 4, 2, 1, 2)
    );
    assert_eq!(prospecting.conversion, Some(0.6667));
    assert_eq!(prospecting.still_open_share, Some(0.4));
    let cohort = &prospecting.cohort;
    assert_eq!(
        (
            cohort.entered,
            cohort.advanced,
            cohort.lost,
            cohort.still_open
        ),
        (4, 2, 1, 1)
    );
    assert_eq!(cohort.conversion, Some(0.5));
    assert_eq!(report.as_of, "2024-05-01 00:00");
    assert!(report.warnings().is_empty(), "{:?}", report.warnings());

    let mut as_of = march(options(path));
    as_of.as_of = Some(1_711_929_599); // 2024-03-31 23:59:59 UTC
    let report = measure(&playbook(), &as_of).unwrap();
    let cohort = &stage(&report, "prospecting").cohort;
    assert_eq!(
        (
            cohort.advanced,
            cohort.lost,
            cohort.still_open,
            cohort.conversion
        ),
        (1, 1, 2, Some(0.25))
    );
    assert_eq!(report.as_of, "2024-03-31 23:59");
    let warnings = report.warnings();
    assert!(
        warnings.iter().any(|w| w.starts_with("3 stage changes in ")
            && w.contains("are later than --as-of 2024-03-31 23:59")),
        "{warnings:?}"
    );
}

/// A history whose deals never close — a Pipedrive export keeps won and lost in the deal's
/// status — is a warning, and `--strict` makes it a failure, instead of "0 won, 0 lost".
#[test]
fn no_deal_ever_closing_is_a_warning_that_strict_fails_on() {
    let (_dir, path) = bad(
        "h.csv",
        "deal_id,stage,entered_at\nA,Prospecting,2024-01-01\nA,Qualification,2024-01-05\nB,Prospecting,2024-03-01\n",
    );
    let output = metrics(&["--history", &path, "--format", "csv", "--strict"])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(output).unwrap();
    assert!(
        stderr.contains("no deal in") && stderr.contains("reaches a won or lost stage, though 1 deals began more than the cycle target (42 days)"),
        "{stderr}"
    );
    metrics(&["--history", &path, "--format", "csv"])
        .assert()
        .code(0);
    metrics(&["--history", &path, "--as-of", "yesterday"])
        .assert()
        .code(2);
}

/// One row per deal — the stages deals are in today, not how they got there — reads as deals
/// that never moved: a warning, so the empty conversions are not taken for the truth.
#[test]
fn a_snapshot_of_current_stages_is_a_warning() {
    let mut text: String = std::iter::once("deal_id,stage,entered_at\n".to_owned())
        .chain((0..12).map(|i| format!("D{i},Prospecting,2024-03-{:02}\n", i + 1)))
        .collect();
    text.push_str("D0,Qualification,2024-03-20\n");
    let (_dir, path) = bad("snapshot.csv", &text);
    let output = metrics(&["--history", &path, "--format", "csv", "--strict"])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(output).unwrap();
    assert!(
        stderr.contains("11 of 12 deals in ") && stderr.contains("have a single stage change"),
        "{stderr}"
    );
}

/// The words people read on an HTML page: text between tags and the `title` and
/// `aria-label` attributes, without the style sheet.
fn visible_words(html: &str) -> Vec<String> {
    let body = html.split("</style>").last().unwrap_or(html);
    let mut words = Vec::new();
    for (i, part) in body.split('<').enumerate() {
        let (tag, text) = part.split_once('>').unwrap_or(("", part));
        if i > 0 {
            for attribute in ["title=\"", "aria-label=\""] {
                if let Some((_, rest)) = tag.split_once(attribute) {
                    words.push(rest.split('"').next().unwrap_or("").to_owned());
                }
            }
        }
        words.push(text.to_owned());
    }
    words
}

#[test]
fn a_zh_cn_report_shows_no_english_label() {
    let dir = "tests/cmd/metrics-zh.in";
    let output = Command::new(snapbox::cmd::cargo_bin!("stagebook"))
        .args(["metrics", &format!("{dir}/playbook.yaml"), "--history"])
        .arg(format!("{dir}/history.csv"))
        // An --as-of before the last change, for a warning to be in the page too.
        .args(["--tz", "Asia/Shanghai", "--format", "html", "--won-profile"])
        .args(["--as-of", "2026-03-01"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let html = String::from_utf8(output).unwrap();
    // What is data or a name, not a label: the file, the zone, the field, the flags and the
    // tool.
    let kept = [
        &format!("{dir}/history.csv")[..],
        "Asia/Shanghai",
        "expected_duration",
        "--as-of",
        "--tz",
        "stagebook",
    ];
    assert!(html.contains("晚于 --as-of"), "the warning is in the page");
    for text in visible_words(&html) {
        let mut bare = text.clone();
        for name in kept {
            bare = bare.replace(name, "");
        }
        let english = bare
            .split(|c: char| !c.is_ascii_alphabetic())
            .any(|word| word.len() >= 2);
        assert!(!english, "English in the zh-CN report: {text:?}");
    }
}

#[test]
fn disqualified_and_duplicate_deals_are_left_out_of_the_win_rate() {
    // GitLab's stages: of five deals, one won, one lost, two unqualified and one duplicate.
    // Counting every closing stage but won as lost would print 20 %; GitLab's definition is 50 %.
    let report = json_report("tests/data/metrics/gitlab");
    let funnel = &report["total"]["funnel"];
    assert_eq!(funnel["won"], 1);
    assert_eq!(funnel["lost"], 1);
    assert_eq!(funnel["left_out"], 3);
    assert_eq!(funnel["win_rate"], 0.5);
    // In the funnel a deal leaving discovery for `9-Unqualified` did not advance: an exit
    // like a loss, so discovery's conversion is 1 of 5.
    let discovery = total_stage(&report, "discovery");
    assert_eq!(discovery["advanced"], 1);
    assert_eq!(discovery["lost"], 4);
}

#[test]
fn a_move_to_a_side_stage_is_not_progress() {
    // Negotiation → On hold (a `from_any` stage listed after it) is not an advance; On hold →
    // Negotiation is not one either. Of negotiation's three exits, one advanced (won), one was
    // lost and one went on hold.
    let report = json_report("tests/data/metrics/side");
    let negotiation = total_stage(&report, "negotiation");
    assert_eq!(negotiation["advanced"], 1);
    assert_eq!(negotiation["lost"], 1);
    assert_eq!(negotiation["moved_back"], 1);
    assert_eq!(total_stage(&report, "on-hold")["advanced"], 0);
}

#[test]
fn milestones_count_deals_that_reached_or_passed_them() {
    // The shipped enterprise playbook marks 1-Discovery `sao` and 2-Scoping `sqo`. Six new
    // deals: A goes all the way and is won; B is lost after discovery; C is unqualified at
    // once; D takes the no-evaluation branch to proposal and is lost; E jumps from discovery to
    // negotiating (past scoping: every path there goes through it) and is won; F enters at
    // discovery and is still open.
    let report = json_report_of(
        "playbooks/enterprise.yaml",
        "tests/data/metrics/milestones/history.csv",
    );
    let funnel = &report["total"]["funnel"];
    assert_eq!(funnel["new_deals"], 6);
    assert_eq!(funnel["win_rate"], 0.5, "2 won, 2 lost; C is left out");
    let milestones = funnel["milestones"].as_array().unwrap();
    let ids: Vec<&str> = milestones
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["sao", "sqo"]);
    let (sao, sqo) = (&milestones[0], &milestones[1]);
    assert_eq!(sao["reached"], 5, "all but C");
    assert_eq!(sao["from_previous"], serde_json::Value::Null);
    assert_eq!(sqo["reached"], 3, "A, D and E");
    assert_eq!(sqo["from_previous"], 0.6, "3 of the 5 SAOs");
    assert_eq!(sqo["won"], 2);
    assert_eq!(
        sqo["to_won"].as_f64().map(|r| (r * 1000.0).round()),
        Some(667.0)
    );
}

/// The JSON report of `DIR/playbook.yaml` measured against `DIR/history.csv`.
fn json_report(dir: &str) -> serde_json::Value {
    json_report_of(
        &format!("{dir}/playbook.yaml"),
        &format!("{dir}/history.csv"),
    )
}

/// The JSON report of `playbook` measured against `history`.
fn json_report_of(playbook: &str, history: &str) -> serde_json::Value {
    let output = Command::new(snapbox::cmd::cargo_bin!("stagebook"))
        .args(["metrics", playbook, "--history", history])
        .args(["--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&output).unwrap()
}

/// A stage's entry in the report's whole-range numbers.
fn total_stage<'r>(report: &'r serde_json::Value, id: &str) -> &'r serde_json::Value {
    report["total"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == id)
        .unwrap()
}

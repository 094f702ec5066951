//! Arbitrary bytes as a CRM stage-history CSV (and, optionally, an activities CSV) measured
//! against a fixed playbook, with every output format printed. The first byte picks the
//! options: period, zone, delimiter, `--skip-bad-rows`, the won profile; with the won profile
//! a NUL byte splits the rest into history and activities.
#![no_main]

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stagebook::metrics::history::{Columns, ReadOptions};
use stagebook::metrics::output::{self, Format};
use stagebook::metrics::time::{PeriodKind, Zone};
use stagebook::metrics::won::ActivityColumns;
use stagebook::metrics::{self, Options};
use stagebook::model::PlaybookFile;

const PLAYBOOK: &str = include_str!("../../tests/fixtures/metrics/saas.yaml");

fn playbook() -> &'static PlaybookFile {
    static PLAYBOOK_FILE: OnceLock<PlaybookFile> = OnceLock::new();
    PLAYBOOK_FILE.get_or_init(|| {
        let checked = stagebook_fuzz::check_bytes(PLAYBOOK.as_bytes()).expect("a playbook");
        // Valid; lint findings (a warning about its cycle target) do not matter here.
        let diagnostics = checked.diagnostics;
        checked
            .playbook
            .unwrap_or_else(|| panic!("{diagnostics:?}"))
    })
}

fn write_temp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    let mut file = std::fs::File::create(&path).expect("temp file");
    file.write_all(bytes).expect("temp file written");
    path
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let won_profile = flags & 0x20 != 0;
    let (history, activities) = match rest.iter().position(|&b| b == 0) {
        Some(at) if won_profile => (&rest[..at], Some(&rest[at + 1..])),
        _ => (rest, None),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let history = write_temp(&dir, "history.csv", history);
    let activities = activities.map(|a| write_temp(&dir, "activities.csv", a));
    let zone = if flags & 0x40 != 0 {
        Zone::named("Asia/Shanghai").expect("a known zone")
    } else {
        Zone::utc()
    };
    let options = Options {
        history,
        read: ReadOptions {
            columns: Columns::default(),
            delimiter: [b',', b';', b'\t', b','][usize::from(flags >> 2 & 3)],
            skip_bad_rows: flags & 0x10 != 0,
            zone,
            // Small, so that spilling runs to disk is fuzzed too.
            budget: metrics::group::Budget {
                memory_limit: 4096,
                temp_dir: dir.path().to_owned(),
            },
        },
        from: None,
        to: None,
        period: [
            None,
            Some(PeriodKind::Week),
            Some(PeriodKind::Month),
            Some(PeriodKind::Quarter),
        ][usize::from(flags & 3)],
        won_profile,
        activities,
        activity_columns: ActivityColumns::default(),
        stalled_limit: if flags & 0x80 != 0 { 0 } else { 10 },
    };
    let Ok(report) = metrics::measure(playbook(), &options) else {
        return;
    };
    let _ = report.warnings();
    for format in [Format::Table, Format::Json, Format::Csv, Format::Html] {
        let text = output::render(&report, format);
        if format == Format::Json {
            serde_json::from_str::<serde_json::Value>(&text).expect("the JSON report parses");
        }
    }
});

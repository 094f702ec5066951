//! Reading CRM stage history: a CSV with one row per stage change, streamed row by row.
//!
//! Each row becomes a packed 8-byte event (time and stage) handed with its deal id to a
//! [`Grouper`], which keeps memory within the budget. Rows may come in any order: the grouper
//! brings each deal's events together, and the fold sorts them.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::group::{Budget, Grouper, Groups};
use super::stages::{StageIx, StageMap};
use super::time::{Secs, Zone, parse_instant};
use super::{Error, MAX_EXAMPLES};

/// Which CSV columns hold what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// Deal id column.
    pub deal: String,
    /// Stage name column.
    pub stage: String,
    /// Time the deal entered the stage.
    pub at: String,
}

impl Default for Columns {
    fn default() -> Self {
        Self {
            deal: "deal_id".into(),
            stage: "stage".into(),
            at: "entered_at".into(),
        }
    }
}

/// How to read the history.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Column names.
    pub columns: Columns,
    /// Field separator.
    pub delimiter: u8,
    /// Count and report malformed rows instead of failing on the first.
    pub skip_bad_rows: bool,
    /// Zone for times without an offset.
    pub zone: Zone,
    /// Memory for grouping rows by deal, and where runs go beyond it.
    pub budget: Budget,
}

/// Offset that makes every supported instant (years 0–9999) positive before packing.
const EPOCH_SHIFT: i64 = 1 << 39;

/// Packs an event so that sorting the numbers sorts by time, then by playbook order.
pub fn pack(at: Secs, stage: StageIx) -> u64 {
    (u64::try_from(at + EPOCH_SHIFT).expect("instants are checked") << 16) | u64::from(stage)
}

/// Unpacks an event.
pub fn unpack(event: u64) -> (Secs, StageIx) {
    let at = i64::try_from(event >> 16).expect("packed instants fit") - EPOCH_SHIFT;
    (at, (event & 0xFFFF) as StageIx)
}

/// What reading the history found besides the events.
#[derive(Debug, Clone, Default)]
pub struct InputStats {
    /// Data rows read (the header excluded).
    pub rows: u64,
    /// Rows whose stage maps to a playbook stage.
    pub mapped: u64,
    /// Stage names that map to no stage, with their row counts.
    pub unknown: BTreeMap<String, u64>,
    /// Malformed rows skipped (`--skip-bad-rows`).
    pub bad_rows: u64,
    /// The first few malformed rows, as messages.
    pub bad_examples: Vec<String>,
    /// Earliest and latest stage change.
    pub first: Option<Secs>,
    /// Latest stage change.
    pub last: Option<Secs>,
}

/// The history, grouped by deal.
#[derive(Debug)]
pub struct History {
    /// Each deal's events, packed, one deal at a time.
    pub groups: Groups,
    /// What reading found.
    pub stats: InputStats,
}

/// Finds the named columns in a header, or says which is missing and what there is.
pub fn resolve_columns(
    file: &Path,
    header: &csv::ByteRecord,
    wanted: &[(&str, &str)],
) -> Result<Vec<usize>, Error> {
    let names: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    wanted
        .iter()
        .map(|(key, name)| {
            names
                .iter()
                .position(|h| h == name)
                .or_else(|| names.iter().position(|h| h.eq_ignore_ascii_case(name)))
                .ok_or_else(|| {
                    Error::new(format!(
                        "{}: no column `{name}` in the header (it has: {}); name the column that holds the {} with --column {key}=NAME",
                        file.display(),
                        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "),
                        match *key {
                            "deal" => "deal id",
                            "stage" => "stage name",
                            "at" => "time of the stage change",
                            "type" => "activity type",
                            _ => "value",
                        }
                    ))
                })
        })
        .collect()
}

/// Opens a CSV file, failing clearly on a missing or empty file.
pub fn open_csv(path: &Path, delimiter: u8) -> Result<csv::Reader<File>, Error> {
    let mut file = File::open(path)
        .map_err(|e| Error::new(format!("{}: cannot read: {e}", path.display())))?;
    let mut first = [0u8; 1];
    if file
        .read(&mut first)
        .map_err(|e| Error::new(format!("{}: cannot read: {e}", path.display())))?
        == 0
    {
        return Err(Error::new(format!(
            "{}: the file is empty; expected a CSV with a header line",
            path.display()
        )));
    }
    let file = File::open(path)
        .map_err(|e| Error::new(format!("{}: cannot read: {e}", path.display())))?;
    Ok(csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(file))
}

/// A problem with one row: the file, line and column it is at.
pub fn row_error(path: &Path, line: u64, column: &str, message: &str) -> String {
    format!("{}:{line}: column `{column}`: {message}", path.display())
}

/// Reads the whole history. Fails on the first malformed row unless `skip_bad_rows`.
pub fn read(path: &Path, stages: &StageMap, options: &ReadOptions) -> Result<History, Error> {
    let mut reader = open_csv(path, options.delimiter)?;
    let header = reader
        .byte_headers()
        .map_err(|e| Error::new(format!("{}: {e}", path.display())))?
        .clone();
    let columns = &options.columns;
    let ix = resolve_columns(
        path,
        &header,
        &[
            ("deal", &columns.deal),
            ("stage", &columns.stage),
            ("at", &columns.at),
        ],
    )?;
    let (deal_ix, stage_ix, at_ix) = (ix[0], ix[1], ix[2]);
    let names = [&columns.deal, &columns.stage, &columns.at];

    let mut stats = InputStats::default();
    let mut grouper = Grouper::new(options.budget.clone());
    let mut stage_cache: HashMap<Box<[u8]>, Option<StageIx>> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, csv::Position::line);
                let message = format!("{}:{line}: not valid CSV: {e}", path.display());
                stats.rows += 1;
                bad_row(&mut stats, message, options.skip_bad_rows)?;
                continue;
            }
        }
        let line = record.position().map_or(line, csv::Position::line);
        stats.rows += 1;
        match parse_row(&record, [deal_ix, stage_ix, at_ix], &options.zone) {
            Ok((deal, stage_name, at)) => {
                let stage = if let Some(&found) = stage_cache.get(stage_name) {
                    found
                } else {
                    let found = std::str::from_utf8(stage_name)
                        .ok()
                        .and_then(|name| stages.lookup(name));
                    stage_cache.insert(stage_name.into(), found);
                    found
                };
                let Some(stage) = stage else {
                    *stats
                        .unknown
                        .entry(String::from_utf8_lossy(stage_name).trim().to_owned())
                        .or_default() += 1;
                    continue;
                };
                stats.mapped += 1;
                stats.first = Some(stats.first.map_or(at, |f| f.min(at)));
                stats.last = Some(stats.last.map_or(at, |l| l.max(at)));
                grouper.push(deal.as_bytes(), pack(at, stage))?;
            }
            Err((column, message)) => {
                let message = row_error(path, line, names[column], &message);
                bad_row(&mut stats, message, options.skip_bad_rows)?;
            }
        }
    }
    if stats.rows == 0 {
        return Err(Error::new(format!(
            "{}: the file has a header but no stage changes",
            path.display()
        )));
    }
    Ok(History {
        groups: grouper.finish()?,
        stats,
    })
}

fn bad_row(stats: &mut InputStats, message: String, skip: bool) -> Result<(), Error> {
    if !skip {
        return Err(Error::new(format!(
            "{message}\n  help: fix the row, or pass --skip-bad-rows to count such rows and leave them out"
        )));
    }
    stats.bad_rows += 1;
    if stats.bad_examples.len() < MAX_EXAMPLES {
        stats.bad_examples.push(message);
    }
    Ok(())
}

/// The deal id, stage name and time of one row, or which column (0, 1, 2) is wrong and why.
fn parse_row<'r>(
    record: &'r csv::ByteRecord,
    [deal, stage, at]: [usize; 3],
    zone: &Zone,
) -> Result<(&'r str, &'r [u8], Secs), (usize, String)> {
    let field = |ix: usize, column: usize| {
        record.get(ix).ok_or_else(|| {
            (
                column,
                format!("the row has {} fields, fewer than the header", record.len()),
            )
        })
    };
    let deal_bytes = field(deal, 0)?.trim_ascii();
    if deal_bytes.is_empty() {
        return Err((0, "the deal id is empty".into()));
    }
    let deal_id = std::str::from_utf8(deal_bytes)
        .map_err(|_| (0, "the deal id is not UTF-8 text".to_owned()))?;
    let stage_name = field(stage, 1)?.trim_ascii();
    if stage_name.is_empty() {
        return Err((1, "the stage name is empty".into()));
    }
    let at_bytes = field(at, 2)?;
    let when = parse_instant(at_bytes, zone).map_err(|why| {
        (
            2,
            format!("`{}`: {why}", String::from_utf8_lossy(at_bytes).trim()),
        )
    })?;
    Ok((deal_id, stage_name, when))
}

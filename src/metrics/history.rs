//! Metrics stage, input: reading CRM stage history: a CSV with one row per stage change, streamed row by row.
//!
//! Each row becomes a packed 8-byte event (time and stage) handed with its deal id to a
//! [`Grouper`], which keeps memory within the budget. Rows may come in any order: the grouper
//! brings each deal's events together, and the fold sorts them.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::group::{Budget, Grouper, Groups, Sorted};
use super::stages::{StageIx, StageMap};
use super::time::{Secs, TimeFormat, Zone};
use super::{Error, MAX_EXAMPLES};

/// Which CSV columns hold what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// Deal id column.
    pub(crate) deal: String,
    /// Stage name column.
    pub(crate) stage: String,
    /// Time the deal entered the stage.
    pub(crate) at: String,
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
    /// Zone of the periods, and of times without an offset unless `input_zone` is set.
    pub zone: Zone,
    /// Zone of times without an offset, when it is not `zone` (`--input-tz`).
    pub input_zone: Option<Zone>,
    /// How times are written; `None`: found from the first rows ([`sample_times`]).
    pub time_format: Option<TimeFormat>,
    /// Memory for grouping rows by deal, and where runs go beyond it.
    pub budget: Budget,
    /// Where the deals' names, owners and amounts are, for the deals listed one by one.
    pub details: super::details::DetailColumns,
    /// Read only the deals this filter admits: one group of `--by`.
    pub only: Option<std::sync::Arc<super::details::DealFilter>>,
}

/// Offset that makes every supported instant (years 0–9999) positive before packing.
const EPOCH_SHIFT: i64 = 1 << 39;

/// Packs an event so that sorting the numbers sorts by time, then by playbook order.
pub(crate) fn pack(at: Secs, stage: StageIx) -> u64 {
    (u64::try_from(at + EPOCH_SHIFT).expect("instants are checked") << 16) | u64::from(stage)
}

/// Unpacks an event.
pub(crate) fn unpack(event: u64) -> (Secs, StageIx) {
    let at = i64::try_from(event >> 16).expect("packed instants fit") - EPOCH_SHIFT;
    (at, (event & 0xFFFF) as StageIx)
}

/// What reading the history found besides the events.
#[derive(Debug, Clone, Default)]
pub struct InputStats {
    /// Data rows read (the header excluded).
    pub(crate) rows: u64,
    /// Rows whose stage maps to a playbook stage.
    pub(crate) mapped: u64,
    /// Stage names that map to no stage, with their row counts: the first
    /// [`MAX_UNKNOWN_NAMES`] met.
    pub(crate) unknown: BTreeMap<String, u64>,
    /// Rows naming a stage that maps to no stage, beyond the names in `unknown`.
    pub(crate) other_unknown_rows: u64,
    /// Malformed rows skipped (`--skip-bad-rows`).
    pub(crate) bad_rows: u64,
    /// The first few malformed rows, as messages.
    pub(crate) bad_examples: Vec<String>,
    /// Earliest and latest stage change.
    pub(crate) first: Option<Secs>,
    /// Latest stage change.
    pub(crate) last: Option<Secs>,
}

/// The history, grouped by deal.
#[derive(Debug)]
pub struct History {
    /// Each deal's events, packed, one deal at a time.
    pub groups: Groups,
    /// What reading found.
    pub stats: InputStats,
}

/// The times of the history's first `count` rows, with their lines, for finding how they are
/// written ([`super::time::detect_format`]). Rows too short to have the column are skipped:
/// reading reports them.
pub(crate) fn sample_times(
    path: &Path,
    options: &ReadOptions,
    count: usize,
) -> Result<Vec<(u64, String)>, Error> {
    let mut reader = open_csv(path, options.delimiter)?;
    let header = read_header(&mut reader, path)?;
    // All three, so that a missing column is reported as reading would report it.
    let columns = &options.columns;
    let at = resolve_columns(
        path,
        &header,
        &[
            ("deal", columns.deal.as_str()),
            ("stage", columns.stage.as_str()),
            ("at", columns.at.as_str()),
        ],
    )?[2];
    let mut record = csv::ByteRecord::new();
    let mut samples = Vec::new();
    while samples.len() < count {
        match next_record(&mut reader, &mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(e.describe(path, 0)),
        }
        if let Some(text) = record.get(at) {
            let text = String::from_utf8_lossy(text).trim().to_owned();
            if !text.is_empty() {
                let line = record.position().map_or(0, csv::Position::line);
                samples.push((line, text));
            }
        }
    }
    Ok(samples)
}

/// Finds the named columns in a header, or says which is missing and what there is.
pub(crate) fn resolve_columns(
    file: &Path,
    header: &csv::ByteRecord,
    wanted: &[(&str, &str)],
) -> Result<Vec<usize>, Error> {
    let names: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    // The header is shown to say what there is: a few names, each cut short.
    let shown = || {
        let mut list: Vec<String> = names
            .iter()
            .take(MAX_NAMES_SHOWN)
            .map(|n| format!("`{}`", short(n)))
            .collect();
        if names.len() > MAX_NAMES_SHOWN {
            list.push(format!("and {} more", names.len() - MAX_NAMES_SHOWN));
        }
        list.join(", ")
    };
    wanted
        .iter()
        .map(|(key, name)| {
            names
                .iter()
                .position(|h| h == name)
                .or_else(|| names.iter().position(|h| h.eq_ignore_ascii_case(name)))
                .ok_or_else(|| {
                    let what = match *key {
                        "deal" => "deal id",
                        "stage" => "stage name",
                        "at" => "time of the stage change",
                        "type" => "activity type",
                        "name" => "deal name",
                        "owner" => "deal owner",
                        "amount" => "deal amount",
                        _ => "",
                    };
                    let help = if what.is_empty() {
                        "pass --by one of those columns, or `owner`".to_owned()
                    } else {
                        format!("name the column that holds the {what} with --column {key}=NAME")
                    };
                    Error::new(format!(
                        "{}: no column `{name}` in the header (it has: {}); {help}",
                        file.display(),
                        shown(),
                    ))
                })
        })
        .collect()
}

/// Most header names listed when a column is missing.
const MAX_NAMES_SHOWN: usize = 20;

/// Most characters of a CSV value quoted back in a message.
const SHOWN_CHARS: usize = 40;

/// `text`, or its first [`SHOWN_CHARS`] characters and `…`, with control characters (which
/// could steer the terminal) replaced by `�`.
pub(crate) fn short(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(SHOWN_CHARS)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if text.chars().nth(SHOWN_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// Longest row (record) of a CSV file read, in bytes, separators and quotes included. A row
/// this long is no CRM export: most likely a quote left open has made the rest of the file one
/// field, or the file is not a CSV at all. Reading stops there (exit 2), so one row never
/// takes more than a few MiB of memory.
pub(crate) const MAX_ROW_BYTES: u64 = 1 << 20;

/// Bytes the CSV reader buffers ahead of the row it parses.
const CSV_BUFFER: usize = 1 << 20;

/// A CSV reader whose file stops giving bytes [`MAX_ROW_BYTES`] (plus what the reader buffers)
/// past the start of the row being read; see [`next_record`].
pub(crate) type CsvReader = csv::Reader<Bounded>;

/// A file read through a window that [`next_record`] moves forward row by row.
#[derive(Debug)]
pub(crate) struct Bounded {
    file: File,
    /// Bytes read so far.
    read: u64,
    /// Bytes that may be read in all before the current row is too long.
    allowed: Cell<u64>,
    /// Whether reading stopped at `allowed`.
    stopped: Cell<bool>,
}

impl Bounded {
    fn new(file: File) -> Self {
        Self {
            file,
            read: 0,
            allowed: Cell::new(MAX_ROW_BYTES + CSV_BUFFER as u64),
            stopped: Cell::new(false),
        }
    }

    /// Lets reading go on to [`MAX_ROW_BYTES`] past `row_start` (plus the reader's buffer).
    fn allow_row_at(&self, row_start: u64) {
        self.allowed
            .set(row_start.saturating_add(MAX_ROW_BYTES + CSV_BUFFER as u64));
    }
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let room = self.allowed.get().saturating_sub(self.read);
        if room == 0 {
            self.stopped.set(true);
            return Err(io::Error::new(io::ErrorKind::InvalidData, "row too long"));
        }
        let take = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let read = self.file.read(&mut buf[..take])?;
        self.read += read as u64;
        Ok(read)
    }
}

/// Why [`next_record`] could not give a row.
#[derive(Debug)]
pub(crate) enum RowError {
    /// The row starting at this position is longer than [`MAX_ROW_BYTES`].
    TooLong(csv::Position),
    /// Reading failed.
    Io(csv::Error),
}

impl RowError {
    /// The message for people, for the file at `path` whose reader started at byte `start`.
    pub(crate) fn describe(self, path: &Path, start: u64) -> Error {
        match self {
            Self::TooLong(at) => match record_line(path, start, &at) {
                Ok(line) => Error::new(too_long(path, line)),
                Err(error) => error,
            },
            Self::Io(e) => Error::new(format!("{}: cannot read: {e}", path.display())),
        }
    }
}

/// The message for a row longer than [`MAX_ROW_BYTES`] at `line` (its first line).
fn too_long(path: &Path, line: u64) -> String {
    format!(
        "{}:{line}: the row is longer than {} MiB, the most stagebook reads for one row\n  help: a quote left open in the CSV makes the rest of the file one field: check the quotes on this line, and that the file is the CRM's CSV export",
        path.display(),
        MAX_ROW_BYTES >> 20
    )
}

/// Reads the next row into `record` (`false` at the end of the file), refusing a row longer
/// than [`MAX_ROW_BYTES`] before it is read whole.
pub(crate) fn next_record(
    reader: &mut CsvReader,
    record: &mut csv::ByteRecord,
) -> Result<bool, RowError> {
    let start = reader.position().clone();
    reader.get_ref().allow_row_at(start.byte());
    match reader.read_byte_record(record) {
        Ok(more) => {
            if reader.position().byte() - start.byte() > MAX_ROW_BYTES {
                return Err(RowError::TooLong(start));
            }
            Ok(more)
        }
        Err(_) if reader.get_ref().stopped.get() => Err(RowError::TooLong(start)),
        Err(e) => Err(RowError::Io(e)),
    }
}

/// Reads the header line of a reader at the top of `path`, refusing one longer than
/// [`MAX_ROW_BYTES`].
pub(crate) fn read_header(reader: &mut CsvReader, path: &Path) -> Result<csv::ByteRecord, Error> {
    let header = reader.byte_headers().cloned();
    match header {
        Ok(_) if reader.position().byte() > MAX_ROW_BYTES => Err(Error::new(too_long(path, 1))),
        Ok(header) => Ok(header),
        Err(_) if reader.get_ref().stopped.get() => Err(Error::new(too_long(path, 1))),
        Err(e) => Err(Error::new(format!("{}: {e}", path.display()))),
    }
}

/// Opens a CSV file, failing clearly on a missing or empty file.
pub(crate) fn open_csv(path: &Path, delimiter: u8) -> Result<CsvReader, Error> {
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
    Ok(csv_reader(delimiter, true, file))
}

fn csv_reader(delimiter: u8, has_headers: bool, file: File) -> CsvReader {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(has_headers)
        .buffer_capacity(CSV_BUFFER)
        .from_reader(Bounded::new(file))
}

/// A problem with one row: the file, line and column it is at.
pub(crate) fn row_error(path: &Path, line: u64, column: &str, message: &str) -> String {
    format!("{}:{line}: column `{column}`: {message}", path.display())
}

/// A problem with `record`, read by a reader that started at the top of the file: a
/// [`row_error`] at the record's line.
pub(crate) fn record_error(
    path: &Path,
    record: &csv::ByteRecord,
    column: &str,
    message: &str,
) -> Error {
    let at = record
        .position()
        .cloned()
        .unwrap_or_else(csv::Position::new);
    match record_line(path, 0, &at) {
        Ok(line) => Error::new(row_error(path, line, column, message)),
        Err(error) => error,
    }
}

/// Most stage names that map to no stage listed by name. More than a few dozen, and the
/// stage column most likely holds something else (`--column stage=` naming a free-text
/// column); listing them all would take memory for each distinct text in the file.
pub(crate) const MAX_UNKNOWN_NAMES: usize = 1_000;

/// Most distinct stage names whose lookup a part remembers (names past them are looked up
/// on every row), for the same reason.
const MAX_CACHED_NAMES: usize = 4_096;

/// Counts a row whose stage name maps to no stage: under its name while there is room.
fn count_unknown(stats: &mut InputStats, name: &str, rows: u64) {
    if let Some(count) = stats.unknown.get_mut(name) {
        *count += rows;
    } else if stats.unknown.len() < MAX_UNKNOWN_NAMES {
        stats.unknown.insert(name.to_owned(), rows);
    } else {
        stats.other_unknown_rows += rows;
    }
}

/// Files smaller than this are read on one thread.
const PARALLEL_MIN_BYTES: u64 = 4 << 20;

/// Most parts a file is read in at once.
const MAX_PARTS: usize = 8;

/// Reads the whole history, in parallel parts when the file is large. Fails on the first
/// malformed row unless `skip_bad_rows`.
pub fn read(path: &Path, stages: &StageMap, options: &ReadOptions) -> Result<History, Error> {
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    let parts = if size < PARALLEL_MIN_BYTES {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_PARTS))
    };
    read_in_parts(path, stages, options, parts)
}

/// [`read`] with the file cut at line breaks into `parts` byte ranges, each read on its own
/// thread into its own [`Grouper`] (with its share of the budget and of the open files). A
/// quoted field may hold a line break, so a cut is trusted only when the part before it ends
/// there, on a record boundary, as a reader going through the whole file would; otherwise the
/// file is read again in one part. Either way the result is the same as reading it in one part, down to
/// the line numbers of malformed rows.
pub fn read_in_parts(
    path: &Path,
    stages: &StageMap,
    options: &ReadOptions,
    parts: usize,
) -> Result<History, Error> {
    let (reader, columns) = open_history(path, options)?;
    let context = Context {
        path,
        stages,
        options,
        columns,
    };
    if parts > 1 {
        let cuts = find_cuts(path, reader.position().byte(), parts)?;
        if !cuts.is_empty() {
            if let Some(history) = read_parallel(&context, reader, &cuts)? {
                return Ok(history);
            }
            let (reader, _) = open_history(path, options)?;
            return read_whole(&context, reader);
        }
    }
    read_whole(&context, reader)
}

/// Opens the history and finds its columns.
fn open_history(path: &Path, options: &ReadOptions) -> Result<(CsvReader, [usize; 3]), Error> {
    let mut reader = open_csv(path, options.delimiter)?;
    let header = read_header(&mut reader, path)?;
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
    Ok((reader, [ix[0], ix[1], ix[2]]))
}

/// What every part reads with.
struct Context<'a> {
    path: &'a Path,
    stages: &'a StageMap,
    options: &'a ReadOptions,
    /// Deal, stage and time columns.
    columns: [usize; 3],
}

/// Where one part ends and the next begins: the part before stops at its first record
/// boundary at or after `end`; the next starts at `start`; the bytes between are line breaks.
#[derive(Debug)]
struct Cut {
    end: u64,
    start: u64,
    breaks: Vec<u8>,
}

/// Cuts the file into `parts` near-equal ranges just after line breaks, or none when it is
/// too small or has no line break near a cut.
fn find_cuts(path: &Path, header_end: u64, parts: usize) -> Result<Vec<Cut>, Error> {
    const LOOK: usize = 1 << 16;
    let cannot = |e: io::Error| Error::new(format!("{}: cannot read: {e}", path.display()));
    let mut file = File::open(path).map_err(cannot)?;
    let size = file.metadata().map_err(cannot)?.len();
    let mut cuts = Vec::new();
    let mut previous = header_end;
    let mut chunk = Vec::with_capacity(LOOK);
    for i in 1..parts as u64 {
        let target = (size * i / parts as u64).max(previous);
        file.seek(SeekFrom::Start(target)).map_err(cannot)?;
        chunk.clear();
        (&mut file)
            .take(LOOK as u64)
            .read_to_end(&mut chunk)
            .map_err(cannot)?;
        let Some(newline) = memchr::memchr(b'\n', &chunk) else {
            return Ok(Vec::new());
        };
        let from = chunk[..newline]
            .iter()
            .rposition(|b| !matches!(b, b'\r' | b'\n'))
            .map_or(0, |last| last + 1);
        let (end, start) = (target + from as u64, target + newline as u64 + 1);
        if end <= previous || start >= size {
            return Ok(Vec::new());
        }
        cuts.push(Cut {
            end,
            start,
            breaks: chunk[from..=newline].to_vec(),
        });
        previous = start;
    }
    Ok(cuts)
}

/// Reads the parts on their own threads; `None` when a cut fell inside a record.
fn read_parallel(
    context: &Context<'_>,
    first: CsvReader,
    cuts: &[Cut],
) -> Result<Option<History>, Error> {
    let results = read_parts(context, first, cuts);
    let Some(parts) = stitch(context.path, cuts, results)? else {
        return Ok(None);
    };
    finish(context.path, parts).map(Some)
}

/// Reads each part on its own thread, `first` (which has read the header) the first one:
/// what each part found, or why it stopped, in file order.
fn read_parts(context: &Context<'_>, first: CsvReader, cuts: &[Cut]) -> Vec<Result<Part, Failure>> {
    let path = context.path;
    let mut first = Some(first);
    let failed = FirstFailure::default();
    std::thread::scope(|scope| {
        let mut handles = Vec::new();
        for part in 0..=cuts.len() {
            let start = if part == 0 { 0 } else { cuts[part - 1].start };
            let span = Span {
                part,
                start,
                stop: cuts.get(part).map(|cut| cut.end - start),
            };
            let first = first.take();
            let grouper = Grouper::one_of(context.options.budget.clone(), cuts.len() + 1);
            let failed = &failed;
            handles.push(scope.spawn(move || {
                let reader = match first {
                    Some(reader) => Ok(reader),
                    None => open_at(path, context.options.delimiter, start),
                };
                let read =
                    reader.and_then(|reader| read_part(context, reader, &span, grouper, failed));
                if read.is_err() {
                    failed.set(part);
                }
                read
            }));
        }
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Puts the parts together in file order: checks that each part stopped where the next one
/// starts (`None` when one did not: a cut fell inside a record), and finds each part's first
/// line in the file. The first failure in the file is the error.
fn stitch(
    path: &Path,
    cuts: &[Cut],
    results: Vec<Result<Part, Failure>>,
) -> Result<Option<Vec<Part>>, Error> {
    let mut parts: Vec<Part> = Vec::new();
    let mut line = 1;
    for (i, result) in results.into_iter().enumerate() {
        if i > 0 {
            // The part before must have stopped where this one starts.
            let (before, cut) = (&parts[i - 1], &cuts[i - 1]);
            let start_before = if i == 1 { 0 } else { cuts[i - 2].start };
            let stopped = start_before + before.stop.byte();
            if stopped < cut.end || stopped > cut.start {
                return Ok(None);
            }
            let skipped = &cut.breaks[usize::try_from(stopped - cut.end).unwrap_or(0)..];
            line += before.stop.line() - 1 + memchr::memchr_iter(b'\n', skipped).count() as u64;
        }
        match result {
            Ok(mut part) => {
                part.first_line = line;
                parts.push(part);
            }
            // Stopped after a failure of an earlier part, which was returned above: never
            // reached, but reading the file again in one part would be right.
            Err(Failure::Stopped) => return Ok(None),
            Err(failure) => return Err(failure.into_error(path, line)),
        }
    }
    Ok(Some(parts))
}

fn open_at(path: &Path, delimiter: u8, start: u64) -> Result<CsvReader, Failure> {
    let cannot =
        |e: io::Error| Failure::Tool(Error::new(format!("{}: cannot read: {e}", path.display())));
    let mut file = File::open(path).map_err(cannot)?;
    file.seek(SeekFrom::Start(start)).map_err(cannot)?;
    Ok(csv_reader(delimiter, false, file))
}

/// Reads the file in one part.
fn read_whole(context: &Context<'_>, reader: CsvReader) -> Result<History, Error> {
    let whole = Span {
        part: 0,
        start: 0,
        stop: None,
    };
    let grouper = Grouper::new(context.options.budget.clone());
    let part = read_part(context, reader, &whole, grouper, &FirstFailure::default())
        .map_err(|failure| failure.into_error(context.path, 1))?;
    finish(context.path, vec![part])
}

/// What reading one part found. Lines count from 1 at the part's start.
struct Part {
    stats: InputStats,
    /// The first few malformed rows.
    examples: Vec<BadRow>,
    grouped: Sorted,
    /// Where the reader stopped.
    stop: csv::Position,
    /// The part's first line in the file.
    first_line: u64,
}

/// A malformed row.
#[derive(Debug)]
struct BadRow {
    /// Its line, from 1 at the start of its part.
    line: u64,
    /// The column at fault.
    column: String,
    /// What is wrong.
    message: String,
}

impl BadRow {
    /// What is wrong, at the row's line in the file, its part starting at `first_line`.
    fn describe(&self, path: &Path, first_line: u64) -> String {
        row_error(
            path,
            first_line + self.line - 1,
            &self.column,
            &self.message,
        )
    }
}

/// Why a part stopped early.
#[derive(Debug)]
enum Failure {
    /// A malformed row (without `--skip-bad-rows`).
    Row(BadRow),
    /// A row longer than [`MAX_ROW_BYTES`], at this line from the part's start.
    TooLong(u64),
    /// An earlier part failed, so what this one would read is of no use.
    Stopped,
    /// Anything else.
    Tool(Error),
}

impl Failure {
    fn into_error(self, path: &Path, first_line: u64) -> Error {
        match self {
            Self::Row(row) => Error::new(format!(
                "{}\n  help: fix the row, or pass --skip-bad-rows to count such rows and leave them out",
                row.describe(path, first_line)
            )),
            Self::TooLong(line) => Error::new(too_long(path, first_line + line - 1)),
            Self::Stopped => Error::new(format!(
                "{}: reading stopped after a failure elsewhere in the file",
                path.display()
            )),
            Self::Tool(error) => error,
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::Tool(error)
    }
}

/// Which part of the file a reader reads.
struct Span {
    /// Its number, from 0 at the start of the file.
    part: usize,
    /// The byte of the file it starts at; the reader counts bytes and lines from there.
    start: u64,
    /// It ends at the first record boundary at or after this byte (counted from `start`), or
    /// at the end of the file.
    stop: Option<u64>,
}

/// The first of the parts read at once to fail (`usize::MAX` while none has). A part after
/// it stops, as its rows would be thrown away; a part before it goes on, for a bad row it
/// may still find comes first in the file, and is the one to report.
#[derive(Debug)]
struct FirstFailure(AtomicUsize);

impl Default for FirstFailure {
    fn default() -> Self {
        Self(AtomicUsize::new(usize::MAX))
    }
}

impl FirstFailure {
    fn set(&self, part: usize) {
        self.0.fetch_min(part, Ordering::Relaxed);
    }

    fn before(&self, part: usize) -> bool {
        self.0.load(Ordering::Relaxed) < part
    }
}

/// Reads the rows of one part of the file, stopping early when an earlier part has failed.
fn read_part(
    context: &Context<'_>,
    mut reader: CsvReader,
    span: &Span,
    mut grouper: Grouper,
    failed: &FirstFailure,
) -> Result<Part, Failure> {
    let (start, stop) = (span.start, span.stop);
    let options = context.options;
    let columns = &options.columns;
    let names = [&columns.deal, &columns.stage, &columns.at];
    let mut stats = InputStats::default();
    let mut examples = Vec::new();
    // The line is found only when it is shown: bad rows beyond the examples are just counted.
    let mut bad_row = |stats: &mut InputStats,
                       at: &csv::Position,
                       column: usize,
                       message: String|
     -> Result<(), Failure> {
        let shown = !options.skip_bad_rows || examples.len() < MAX_EXAMPLES;
        if shown {
            let row = BadRow {
                line: record_line(context.path, start, at)?,
                column: names[column].clone(),
                message,
            };
            if !options.skip_bad_rows {
                return Err(Failure::Row(row));
            }
            examples.push(row);
        }
        stats.bad_rows += 1;
        Ok(())
    };
    let mut stage_cache: HashMap<Box<[u8]>, Option<StageIx>> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    loop {
        if stop.is_some_and(|stop| reader.position().byte() >= stop) {
            break;
        }
        if failed.before(span.part) {
            return Err(Failure::Stopped);
        }
        // Reading flexible byte records, csv fails on I/O errors (and long rows) only.
        let more = next_record(&mut reader, &mut record).map_err(|e| match e {
            RowError::TooLong(at) => match record_line(context.path, start, &at) {
                Ok(line) => Failure::TooLong(line),
                Err(error) => Failure::Tool(error),
            },
            e @ RowError::Io(_) => Failure::Tool(e.describe(context.path, start)),
        })?;
        if !more {
            break;
        }
        stats.rows += 1;
        match parse_row(
            &record,
            context.columns,
            options.time_format.as_ref().unwrap_or(&TimeFormat::Iso),
            options.input_zone.as_ref().unwrap_or(&options.zone),
        ) {
            Ok((deal, stage_name, at)) => {
                // A Salesforce 15-character id joins its 18-character form.
                let long;
                let deal = match super::sfid::to_18(deal) {
                    Some(id) => {
                        long = id;
                        &long[..]
                    }
                    None => deal,
                };
                if let Some(only) = &options.only
                    && !std::str::from_utf8(deal).is_ok_and(|d| only.admits(d))
                {
                    stats.rows -= 1;
                    continue;
                }
                let stage = if let Some(&found) = stage_cache.get(stage_name) {
                    found
                } else {
                    let found = std::str::from_utf8(stage_name)
                        .ok()
                        .and_then(|name| context.stages.lookup(name));
                    if stage_cache.len() < MAX_CACHED_NAMES {
                        stage_cache.insert(stage_name.into(), found);
                    }
                    found
                };
                let Some(stage) = stage else {
                    count_unknown(&mut stats, String::from_utf8_lossy(stage_name).trim(), 1);
                    continue;
                };
                stats.mapped += 1;
                stats.first = Some(stats.first.map_or(at, |f| f.min(at)));
                stats.last = Some(stats.last.map_or(at, |l| l.max(at)));
                grouper.push(deal, pack(at, stage))?;
            }
            Err((column, message)) => {
                let at = record
                    .position()
                    .expect("csv gives each record its position");
                bad_row(&mut stats, at, column, message)?;
            }
        }
    }
    Ok(Part {
        stats,
        examples,
        grouped: grouper.sort(),
        stop: reader.position().clone(),
        first_line: 1,
    })
}

/// The line a record starts on, given the position csv gives it: where the record before it
/// ended. csv has not counted the line breaks between yet — the `\n` of a `\r\n`, blank
/// lines — so they are read again here and counted. `start` is where the reader started in
/// the file, as its positions count from there. Only for rows that are shown: it opens the
/// file again.
fn record_line(path: &Path, start: u64, at: &csv::Position) -> Result<u64, Error> {
    let cannot = |e: io::Error| Error::new(format!("{}: cannot read: {e}", path.display()));
    let mut file = File::open(path).map_err(cannot)?;
    file.seek(SeekFrom::Start(start + at.byte()))
        .map_err(cannot)?;
    let mut line = at.line();
    let mut chunk = [0u8; 512];
    loop {
        let read = match file.read(&mut chunk) {
            Ok(0) => return Ok(line),
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(cannot(e)),
        };
        let breaks = chunk[..read]
            .iter()
            .position(|b| !matches!(b, b'\r' | b'\n'))
            .unwrap_or(read);
        line += memchr::memchr_iter(b'\n', &chunk[..breaks]).count() as u64;
        if breaks < read {
            return Ok(line);
        }
    }
}

/// Adds up the parts, in file order.
fn finish(path: &Path, parts: Vec<Part>) -> Result<History, Error> {
    let mut stats = InputStats::default();
    let mut grouped = Vec::new();
    for part in parts {
        let found = part.stats;
        stats.rows += found.rows;
        stats.mapped += found.mapped;
        for (name, rows) in found.unknown {
            count_unknown(&mut stats, &name, rows);
        }
        stats.other_unknown_rows += found.other_unknown_rows;
        stats.bad_rows += found.bad_rows;
        for row in part.examples {
            if stats.bad_examples.len() < MAX_EXAMPLES {
                stats.bad_examples.push(row.describe(path, part.first_line));
            }
        }
        stats.first = earliest(stats.first, found.first);
        stats.last = stats.last.max(found.last);
        grouped.push(part.grouped);
    }
    if stats.rows == 0 {
        return Err(Error::new(format!(
            "{}: the file has a header but no stage changes",
            path.display()
        )));
    }
    Ok(History {
        groups: Groups::merge(grouped)?,
        stats,
    })
}

fn earliest(a: Option<Secs>, b: Option<Secs>) -> Option<Secs> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Why no row of `path` gave a stage change, when none did, for playbook `playbook`:
/// every row was malformed (`--skip-bad-rows` left them all out), the
/// stage column holds numbers, dates or amounts, or no stage name maps to the playbook (`names` are the first few found, with their rows).
pub(crate) fn nothing_measured(
    path: &Path,
    playbook: &str,
    stats: &InputStats,
    names: &[String],
) -> String {
    let file = path.display();
    if stats.rows > 0 && stats.bad_rows == stats.rows {
        let plural = if stats.rows == 1 { "" } else { "s" };
        let first = stats
            .bad_examples
            .first()
            .map_or_else(String::new, |example| format!("; the first: {example}"));
        return format!(
            "{file}: all {} row{plural} are malformed, so none was measured{first}\n  help: check that --column deal=, stage= and at= name the export's columns, that --delimiter is its separator and that its times are in a format stagebook reads",
            stats.rows
        );
    }
    let values = |name: &String| {
        name.chars().any(|c| c.is_ascii_digit())
            && name
                .chars()
                .all(|c| c.is_ascii_digit() || " .,-/:+$€£¥%TZ".contains(c))
    };
    if !stats.unknown.is_empty() && stats.unknown.keys().all(values) {
        return format!(
            "{file}: the stage column holds numbers, dates or amounts, not stage names (found: {})\n  help: name the column that holds the stage names with --column stage=NAME",
            names.join(", ")
        );
    }
    format!(
        "{file}: no row names a stage of playbook `{playbook}` (names found: {})\n  help: add the CRM's stage names to the stages' `crm_names`, or name the column that holds them with --column stage=NAME",
        names.join(", ")
    )
}

/// A row's deal id (checked to be UTF-8), stage name and time.
type Row<'r> = (&'r [u8], &'r [u8], Secs);

/// The deal id, stage name and time of one row, or which column (0, 1, 2) is wrong and why.
fn parse_row<'r>(
    record: &'r csv::ByteRecord,
    [deal, stage, at]: [usize; 3],
    format: &TimeFormat,
    zone: &Zone,
) -> Result<Row<'r>, (usize, String)> {
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
    // Most ids are ASCII, which is quicker to check than UTF-8.
    if !deal_bytes.is_ascii() && std::str::from_utf8(deal_bytes).is_err() {
        return Err((0, "the deal id is not UTF-8 text; if the export is in another encoding, pass it with --encoding (for example windows-1252 or gb18030)".to_owned()));
    }
    let stage_name = field(stage, 1)?.trim_ascii();
    if stage_name.is_empty() {
        return Err((1, "the stage name is empty".into()));
    }
    let at_bytes = field(at, 2)?;
    let when = format.parse(at_bytes, zone).map_err(|why| {
        (
            2,
            format!(
                "`{}`: {why}",
                short(String::from_utf8_lossy(at_bytes).trim())
            ),
        )
    })?;
    Ok((deal_bytes, stage_name, when))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stages() -> StageMap {
        let checked = crate::check::check_file(
            Path::new("tests/fixtures/metrics/saas.yaml"),
            &crate::check::Options::default(),
        )
        .unwrap()
        .unwrap();
        StageMap::new(checked.playbook.as_ref().unwrap()).unwrap()
    }

    fn read_options(skip_bad_rows: bool) -> ReadOptions {
        ReadOptions {
            columns: Columns::default(),
            delimiter: b',',
            skip_bad_rows,
            zone: Zone::utc(),
            input_zone: None,
            time_format: None,
            budget: Budget::default(),
            details: super::super::details::DetailColumns::default(),
            only: None,
        }
    }

    /// The cut at the line break that ends line `line` (from 1), which is not blank.
    fn cut_after(text: &str, line: usize) -> Cut {
        let bytes = text.as_bytes();
        let newline = memchr::memchr_iter(b'\n', bytes).nth(line - 1).unwrap();
        let end = bytes[..newline]
            .iter()
            .rposition(|b| !matches!(b, b'\r' | b'\n'))
            .unwrap()
            + 1;
        Cut {
            end: end as u64,
            start: newline as u64 + 1,
            breaks: bytes[end..=newline].to_vec(),
        }
    }

    /// What reading `path` says about its malformed row: the error, or the first example.
    fn bad_row_message(path: &Path, skip_bad_rows: bool, cut: Option<&Cut>) -> String {
        let stages = stages();
        let options = read_options(skip_bad_rows);
        let (reader, columns) = open_history(path, &options).unwrap();
        let context = Context {
            path,
            stages: &stages,
            options: &options,
            columns,
        };
        let result = match cut {
            Some(cut) => read_parallel(&context, reader, std::slice::from_ref(cut))
                .map(|read| read.expect("the cut is on a record boundary")),
            None => read_whole(&context, reader),
        };
        match result {
            Ok(history) => history.stats.bad_examples[0].clone(),
            Err(error) => error.to_string(),
        }
    }

    fn good_rows(rows: usize) -> String {
        let header = String::from("deal_id,stage,entered_at\n");
        (0..rows).fold(header, |text, i| {
            text + &format!("D{i},Prospecting,2024-03-01\n")
        })
    }

    /// A part stops as soon as an earlier part has failed; an earlier part reads on.
    #[test]
    fn a_part_stops_once_an_earlier_part_failed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.csv");
        std::fs::write(&path, good_rows(1000)).unwrap();
        let stages = stages();
        let options = read_options(false);
        let read = |part: usize, failed: &FirstFailure| {
            let (reader, columns) = open_history(&path, &options).unwrap();
            let context = Context {
                path: &path,
                stages: &stages,
                options: &options,
                columns,
            };
            let span = Span {
                part,
                start: 0,
                stop: None,
            };
            read_part(
                &context,
                reader,
                &span,
                Grouper::new(Budget::default()),
                failed,
            )
        };
        let failed = FirstFailure::default();
        failed.set(1);
        assert!(matches!(read(2, &failed), Err(Failure::Stopped)));
        assert!(matches!(read(1, &failed), Ok(part) if part.stats.rows == 1000));
        assert!(matches!(read(0, &failed), Ok(part) if part.stats.rows == 1000));
    }

    /// When several parts hold a bad row, the one reported is the first in the file, even
    /// when a later part finds its own first (here at once, the other after 500 rows).
    #[test]
    fn the_first_bad_row_in_the_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.csv");
        let text = good_rows(500) + "X,Prospecting,soon\nY,Prospecting,later\n";
        std::fs::write(&path, &text).unwrap();
        let cut = cut_after(&text, 502);
        for _ in 0..20 {
            let message = bad_row_message(&path, false, Some(&cut));
            assert!(
                message.contains(":502: column `entered_at`: `soon`"),
                "{message}"
            );
        }
    }

    /// Malformed rows are reported on their own line: after the `\r\n` line breaks that csv
    /// counts one record late, after blank lines, and with the file read in two parts cut at
    /// any line break, right before and right after the malformed row included.
    #[test]
    fn bad_rows_are_reported_on_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let header = "deal_id,stage,entered_at";
        let good = ["A,Prospecting,2024-03-01", "B,Prospecting,2024-03-02"];
        let bad = "C,Prospecting,soon";
        let cases = [
            // (lines, where the malformed row is)
            (vec![header, good[0], good[1], bad, good[0]], 4),
            (vec![header, good[0], "", "", bad, good[1]], 5),
            (vec![header, "", good[0], good[1], "", bad, "", good[0]], 6),
            (vec![header, bad, good[0]], 2),
        ];
        for (lines, bad_line) in cases {
            for newline in ["\n", "\r\n"] {
                let text = lines.join(newline) + newline;
                let path = dir.path().join("history.csv");
                std::fs::write(&path, &text).unwrap();
                let expected =
                    format!("{}:{bad_line}: column `entered_at`: `soon`", path.display());
                for skip_bad_rows in [false, true] {
                    let whole = bad_row_message(&path, skip_bad_rows, None);
                    assert!(whole.starts_with(&expected), "{text:?}: {whole}");
                    // Cuts after blank lines are left out: the part before them reads on
                    // into the next part's rows, and the file is read again in one part.
                    for cut_line in 2..lines.len() {
                        if lines[cut_line - 1].is_empty() {
                            continue;
                        }
                        let cut = cut_after(&text, cut_line);
                        let parts = bad_row_message(&path, skip_bad_rows, Some(&cut));
                        assert!(
                            parts.starts_with(&expected),
                            "{text:?} cut after line {cut_line}: {parts}"
                        );
                    }
                }
            }
        }
    }
}

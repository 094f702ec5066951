//! Metrics stage, input shapes: the files CRMs really export, each read as the one stage
//! history the reader measures (deal id, stage, time the deal entered it).
//!
//! | shape | what it is | how it is read |
//! | --- | --- | --- |
//! | `stage-history` | one row per stage change, columns named with `--column` | in place |
//! | `salesforce-history` | OpportunityHistory (`OpportunityId`, `StageName`, `CreatedDate`) | in place, with those columns |
//! | `salesforce-report` | the Opportunity History report, "Details Only" CSV | in place, with the report's columns; the footer cut off |
//! | `salesforce-field-history` | OpportunityFieldHistory (`Field`, `OldValue`, `NewValue`) | converted: `StageName` rows only, the first stage from the first change's old value |
//! | `hubspot-export` | the deals export, one row per deal, `Date entered "<stage> (<pipeline>)"` columns | converted: one change per filled cell |
//! | `hubspot-api` | the CRM API's deals JSON with `propertiesWithHistory=dealstage` | converted, streamed: one change per version |
//! | `pipedrive-api` | the deal flow JSON (`GET /v1/deals/{id}/flow`) | converted, streamed: stage changes, won/lost from the status |
//!
//! A shape is found from the file's header ([`detect`]) or named with `--source`. Converted
//! shapes are written, as they are read, into a temporary long CSV with UTC times (disk, not
//! memory); every message about their content names the original file and line.

mod hubspot;
mod json;
mod pipedrive;
mod salesforce;

use std::collections::HashMap;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::history::{self, Columns, ReadOptions};
use super::output::words::{Words, counted, fill_in, pick_in};
use super::stdin::Spooled;
use super::time::{self, Secs, TimeFormat, Zone};
use super::{Error, TIME_SAMPLES};
use crate::model::Locale;

/// The shape of a history file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// One row per stage change: deal id, stage, time (`--column` names them).
    StageHistory,
    /// Salesforce OpportunityHistory (OpportunityId, StageName, CreatedDate), as Data Loader
    /// or a SOQL export writes it.
    SalesforceHistory,
    /// Salesforce's Opportunity History report exported as "Details Only" CSV (From Stage, To
    /// Stage, in the exporting user's language); its footer is skipped.
    SalesforceReport,
    /// Salesforce OpportunityFieldHistory (Field, OldValue, NewValue): the StageName rows.
    SalesforceFieldHistory,
    /// HubSpot's deals export: one row per deal, a `Date entered "<stage> (<pipeline>)"`
    /// column per stage.
    HubspotExport,
    /// HubSpot's CRM API deals (`propertiesWithHistory=dealstage`): one page, an array of
    /// pages, or JSON Lines.
    HubspotApi,
    /// Pipedrive's deal flow (`GET /v1/deals/{id}/flow`): stage changes, and won or lost as
    /// status changes.
    PipedriveApi,
}

impl Source {
    /// The shape's name, as `--source` takes it.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::StageHistory => "stage-history",
            Self::SalesforceHistory => "salesforce-history",
            Self::SalesforceReport => "salesforce-report",
            Self::SalesforceFieldHistory => "salesforce-field-history",
            Self::HubspotExport => "hubspot-export",
            Self::HubspotApi => "hubspot-api",
            Self::PipedriveApi => "pipedrive-api",
        }
    }
}

/// What reading the history needs to know besides the file.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    /// The shape, when the user named it (`--source`); found from the header otherwise.
    pub source: Option<Source>,
    /// The HubSpot pipeline to measure when an export holds several (`--pipeline`).
    pub pipeline: Option<String>,
    /// The vendor's stage list, to read stage ids by name (`--stages`): HubSpot's pipelines
    /// response, Pipedrive's stages response.
    pub stages: Option<PathBuf>,
}

/// What reading needs from the playbook: its closing stages, for histories that close deals
/// by a status (Pipedrive), and its language, for what reading says.
#[derive(Debug, Clone, Default)]
pub(crate) struct Closing {
    /// The first won stage's id.
    pub(crate) won: Option<String>,
    /// The first lost stage's id.
    pub(crate) lost: Option<String>,
    /// The playbook's language.
    pub(crate) locale: Locale,
}

/// What reading a shape found besides the rows, for the report.
#[derive(Debug, Clone)]
pub struct ShapeNotes {
    /// The shape the history was read as.
    pub source: Source,
    /// What reading left out on purpose (footer lines, other fields).
    pub notes: Vec<String>,
    /// What it left out that changes the numbers (deals without a known first stage):
    /// warnings, which fail `--strict`.
    pub warnings: Vec<String>,
}

impl Default for ShapeNotes {
    fn default() -> Self {
        Self {
            source: Source::StageHistory,
            notes: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// The history as the reader reads it.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// The file to read: the user's own, or a temporary one.
    pub(crate) path: PathBuf,
    /// The reading options for `path`: the shape's columns, and ISO times for a converted file.
    pub(crate) read: ReadOptions,
    /// The shape and what reading it left out.
    pub(crate) shape: ShapeNotes,
    /// The temporary file `path` names, removed when dropped.
    pub(crate) spooled: Option<Spooled>,
    /// The temporary file of the deals' details a converted shape found.
    pub(crate) details: Option<Spooled>,
    /// The playbook's language, for the notes and warnings.
    pub(crate) locale: Locale,
}

impl Prepared {
    /// The message `key` in the playbook's language.
    fn say(&self, key: &str, slots: &[(&str, &dyn std::fmt::Display)]) -> String {
        fill_in(self.locale, key, slots)
    }

    /// `n` of a thing in the playbook's language.
    fn count(&self, n: u64, noun: Words) -> String {
        counted(self.locale, n, noun)
    }
}

/// Deals, in words.
const DEALS: Words = ["deal", "笔交易"];

/// Bytes of the file's start read to find its shape.
const SNIFF_BYTES: u64 = 1 << 16;

/// Reads the history at `path` (the user named it `name`) as `options.source`, or as the shape
/// its start shows.
pub(crate) fn prepare(
    path: &Path,
    name: &str,
    read: &ReadOptions,
    options: &SourceOptions,
    closing: &Closing,
) -> Result<Prepared, Error> {
    let start = sniff(path, name)?;
    let json = is_json(&start);
    let header = if json {
        Vec::new()
    } else {
        header(&start, read.delimiter)
    };
    let source = match (options.source, json) {
        (Some(source), _) => source,
        (None, true) => detect_json(&start, name)?,
        (None, false) => detect(&header),
    };
    if options.stages.is_some() && !matches!(source, Source::HubspotApi | Source::PipedriveApi) {
        return Err(Error::new(format!(
            "{name}: --stages reads stage ids of the API shapes (hubspot-api, pipedrive-api), and the file was read as {}\n  help: leave --stages out, or pass --source",
            source.id()
        )));
    }
    let mut prepared = Prepared {
        path: path.to_path_buf(),
        read: read.clone(),
        shape: ShapeNotes {
            source,
            ..ShapeNotes::default()
        },
        spooled: None,
        details: None,
        locale: closing.locale,
    };
    match source {
        Source::StageHistory => {}
        Source::SalesforceHistory => salesforce::history_columns(&mut prepared),
        Source::SalesforceReport => salesforce::report(&mut prepared, name, &header)?,
        Source::SalesforceFieldHistory => salesforce::field_history(&mut prepared, name)?,
        Source::HubspotExport => hubspot::export(&mut prepared, name, &header, options)?,
        Source::HubspotApi => hubspot::api(&mut prepared, name, options)?,
        Source::PipedriveApi => pipedrive::flow(&mut prepared, name, options, closing)?,
    }
    Ok(prepared)
}

/// Whether the file's start is JSON (an object or an array), not a CSV.
fn is_json(start: &[u8]) -> bool {
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    matches!(start.trim_ascii_start().first(), Some(b'{' | b'['))
}

/// Which vendor's JSON the file's start is.
fn detect_json(start: &[u8], name: &str) -> Result<Source, Error> {
    let has = |needle: &[u8]| memchr::memmem::find(start, needle).is_some();
    if has(b"\"propertiesWithHistory\"") {
        Ok(Source::HubspotApi)
    } else if has(b"\"field_key\"") || has(b"\"dealChange\"") {
        Ok(Source::PipedriveApi)
    } else {
        Err(Error::new(format!(
            "{name}: a JSON file, but neither HubSpot's deals with `propertiesWithHistory` nor Pipedrive's deal flow\n  help: pass --source hubspot-api or --source pipedrive-api, or export the stage history as CSV"
        )))
    }
}

/// The shape a header shows; the long stage history when it shows none.
fn detect(header: &[String]) -> Source {
    let has = |name: &str| header.iter().any(|h| h.eq_ignore_ascii_case(name));
    if has("Field") && has("OldValue") && has("NewValue") {
        Source::SalesforceFieldHistory
    } else if header.iter().any(|h| hubspot::entered_column(h).is_some()) {
        Source::HubspotExport
    } else if salesforce::report_columns(header).is_some() {
        Source::SalesforceReport
    } else if has("StageName") && has("OpportunityId") {
        Source::SalesforceHistory
    } else {
        Source::StageHistory
    }
}

/// The first [`SNIFF_BYTES`] of the file at `path`.
fn sniff(path: &Path, name: &str) -> Result<Vec<u8>, Error> {
    let cannot = |e: io::Error| Error::new(format!("{name}: cannot read: {e}"));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut start = Vec::new();
    file.take(SNIFF_BYTES)
        .read_to_end(&mut start)
        .map_err(cannot)?;
    Ok(start)
}

/// The header names of a CSV starting with `start` (trimmed; none when it is empty, which
/// reading reports).
fn header(start: &[u8], delimiter: u8) -> Vec<String> {
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(start);
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record).unwrap_or(false) {
        return Vec::new();
    }
    record
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect()
}

/// Replaces a column the user left at its default with the shape's own name for it.
fn default_column(column: &mut String, default: &str, shape: &str) {
    if column == default {
        shape.clone_into(column);
    }
}

/// How a converted shape reads its times: the format given or found from the first rows, in
/// the input zone.
pub(crate) struct Clock {
    format: TimeFormat,
    zone: Zone,
    /// Whether a time that does not read is left out (`--skip-bad-rows`) rather than an error.
    skip: bool,
    /// Times left out, and the first one's message.
    skipped: u64,
    first: Option<String>,
}

impl Clock {
    /// The clock for `samples` (line, text) of a file the user named `name`.
    fn new(read: &ReadOptions, name: &str, samples: &[(u64, String)]) -> Result<Self, Error> {
        let format = match &read.time_format {
            Some(format) => format.clone(),
            None => {
                time::detect_format(samples).map_err(|why| Error::new(format!("{name}: {why}")))?
            }
        };
        Ok(Self {
            format,
            zone: read.input_zone.clone().unwrap_or_else(|| read.zone.clone()),
            skip: read.skip_bad_rows,
            skipped: 0,
            first: None,
        })
    }

    /// The instant `text` names; `None` when it does not read and `--skip-bad-rows` leaves it
    /// out, else a message for the row at `line` of `name`.
    fn read(
        &mut self,
        text: &[u8],
        name: &str,
        line: u64,
        column: &str,
    ) -> Result<Option<Secs>, Error> {
        match self.format.parse(text, &self.zone) {
            Ok(at) => Ok(Some(at)),
            Err(why) => {
                let message = history::row_error(
                    Path::new(name),
                    line,
                    column,
                    &format!("`{}` {why}", history::short(&String::from_utf8_lossy(text))),
                );
                if !self.skip {
                    return Err(Error::new(format!(
                        "{message}\n  help: fix the row, name the file's time format with --date-format, or pass --skip-bad-rows to leave such rows out, counted"
                    )));
                }
                self.skipped += 1;
                self.first.get_or_insert(message);
                Ok(None)
            }
        }
    }

    /// The warning for the times left out, if any, in the playbook's language.
    fn skipped_warning(&self, prepared: &Prepared) -> Option<String> {
        let first = self.first.as_ref()?;
        Some(prepared.say(
            "warn_skipped_times",
            &[
                ("times", &prepared.count(self.skipped, ["time", "个时间"])),
                ("first", first),
            ],
        ))
    }
}

/// The long stage history a converted shape is written into, a row at a time.
pub(crate) struct Canonical {
    spooled: Spooled,
}

impl Canonical {
    /// A new temporary history, in `temp_dir`, for the file the user named `name`.
    fn new(name: &str, temp_dir: &Path) -> Result<Self, Error> {
        let mut spooled = Spooled::copy(io::empty(), name, temp_dir)?;
        spooled
            .file_mut()
            .write_all(b"deal_id,stage,entered_at\n")
            .map_err(|e| Error::new(format!("{name}: cannot hold the history for reading: {e}")))?;
        Ok(Self { spooled })
    }

    /// Writes the history through `write`, then hands it to `prepared` to read.
    fn write(
        prepared: &mut Prepared,
        name: &str,
        write: impl FnOnce(&mut Push<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut canonical = Self::new(name, &prepared.read.budget.temp_dir)?;
        let cannot = |e: &dyn std::fmt::Display| {
            Error::new(format!("{name}: cannot hold the history for reading: {e}"))
        };
        let mut rows = 0u64;
        {
            let mut out = csv::Writer::from_writer(BufWriter::new(canonical.spooled.file_mut()));
            write(&mut |deal: &[u8], stage: &[u8], at: Secs| {
                let at = jiff::Timestamp::from_second(at)
                    .map_or_else(|_| String::new(), |t| t.to_string());
                rows += 1;
                out.write_record([deal, stage, at.as_bytes()])
                    .map_err(|e| cannot(&e))
            })?;
            out.flush().map_err(|e| cannot(&e))?;
        }
        // Nothing read as the shape: most likely not that shape, which the reader alone could
        // not tell apart from a history without rows.
        if rows == 0 {
            return Err(Error::new(format!(
                "{name}: no stage change in it reads as {}\n  help: check that the file is that export (or pass the --source it is), and that its deals carry their stage history",
                prepared.shape.source.id()
            )));
        }
        prepared.path = canonical.spooled.path().to_path_buf();
        prepared.read.columns = Columns::default();
        prepared.read.delimiter = b',';
        prepared.read.time_format = Some(TimeFormat::Iso);
        prepared.spooled = Some(canonical.spooled);
        Ok(())
    }
}

/// The deals' details (name, owner, amount) a converted shape finds, written apart from the
/// stage history for the second pass that reads them ([`crate::metrics::details`]).
pub(crate) struct DetailsFile {
    spooled: Spooled,
    out: csv::Writer<BufWriter<std::fs::File>>,
    name: String,
}

impl DetailsFile {
    /// A new temporary details file for the history the user named `name`.
    pub(crate) fn new(name: &str, temp_dir: &Path) -> Result<Self, Error> {
        let cannot = |e: &dyn std::fmt::Display| {
            Error::new(format!("{name}: cannot hold the deals' details: {e}"))
        };
        let mut spooled = Spooled::copy(io::empty(), name, temp_dir)?;
        let file = spooled.file_mut().try_clone().map_err(|e| cannot(&e))?;
        let mut out = csv::Writer::from_writer(BufWriter::new(file));
        out.write_record(["deal_id", "deal_name", "owner", "amount"])
            .map_err(|e| cannot(&e))?;
        Ok(Self {
            spooled,
            out,
            name: name.to_owned(),
        })
    }

    /// Writes one deal's details.
    pub(crate) fn add(&mut self, deal: &str, details: [Option<&str>; 3]) -> Result<(), Error> {
        let [name, owner, amount] = details.map(Option::unwrap_or_default);
        self.out
            .write_record([deal, name, owner, amount])
            .map_err(|e| {
                Error::new(format!(
                    "{}: cannot hold the deals' details: {e}",
                    self.name
                ))
            })
    }

    /// Hands the file to `prepared`, for the report to read the details from it.
    pub(crate) fn finish(mut self, prepared: &mut Prepared) -> Result<(), Error> {
        self.out.flush().map_err(|e| {
            Error::new(format!(
                "{}: cannot hold the deals' details: {e}",
                self.name
            ))
        })?;
        let details = &mut prepared.read.details;
        details.file = Some((self.spooled.path().to_path_buf(), "deal_id".to_owned()));
        details.or_usual("deal_name", "owner", "amount");
        prepared.details = Some(self.spooled);
        Ok(())
    }
}

/// Up to [`TIME_SAMPLES`] non-empty times of the file's first rows, with their lines, for
/// finding the time format; `pick` gives the columns of a row that hold a time of a stage
/// change (none for a row that is not one).
fn samples(
    path: &Path,
    name: &str,
    delimiter: u8,
    mut pick: impl FnMut(&csv::ByteRecord) -> Vec<usize>,
) -> Result<Vec<(u64, String)>, Error> {
    let mut reader = history::open_csv(path, delimiter)?;
    history::read_header(&mut reader, path)?;
    let mut record = csv::ByteRecord::new();
    let mut samples = Vec::new();
    while samples.len() < TIME_SAMPLES && next_row(&mut reader, &mut record, path, name)? {
        let line = record.position().map_or(0, csv::Position::line);
        for at in pick(&record) {
            if let Some(text) = record.get(at) {
                let text = String::from_utf8_lossy(text).trim().to_owned();
                if !text.is_empty() {
                    samples.push((line, text));
                }
            }
        }
    }
    Ok(samples)
}

/// Where deals began, for histories that name only changes (old and new value): a deal's
/// first stage is the old value of its earliest change, entered when the deal was created.
#[derive(Debug, Default)]
pub(crate) struct FirstStages {
    deals: HashMap<Box<[u8]>, First>,
}

/// What a deal's history says about its first stage.
#[derive(Debug, Default)]
struct First {
    /// When the deal was created.
    created: Option<Secs>,
    /// Its earliest stage change: when, and the stage it left.
    change: Option<(Secs, Box<[u8]>)>,
    /// The stage it is in now, when the history says (its first, if it never moved).
    now: Option<Box<[u8]>>,
}

/// Deals whose first stage [`FirstStages`] cannot place.
#[derive(Debug, Default)]
pub(crate) struct Unplaced {
    /// Deals with changes but no creation time.
    no_creation: u64,
    /// Deals created that never changed stage.
    never_moved: u64,
}

impl FirstStages {
    /// `deal` was created at `at`.
    pub(crate) fn created(&mut self, deal: &[u8], at: Secs) {
        let first = self.deals.entry(deal.into()).or_default();
        first.created = Some(first.created.map_or(at, |c| c.min(at)));
    }

    /// `deal` left stage `old` at `at`.
    pub(crate) fn changed(&mut self, deal: &[u8], at: Secs, old: &[u8]) {
        let first = self.deals.entry(deal.into()).or_default();
        if first.change.as_ref().is_none_or(|(t, _)| at < *t) {
            first.change = Some((at, old.into()));
        }
    }

    /// `deal` is in stage `stage` now.
    pub(crate) fn now_in(&mut self, deal: &[u8], stage: &[u8]) {
        self.deals.entry(deal.into()).or_default().now = Some(stage.into());
    }

    /// Writes each deal's first stage through `push`; says which deals it could not place.
    pub(crate) fn finish(&self, push: &mut Push<'_>) -> Result<Unplaced, Error> {
        let mut unplaced = Unplaced::default();
        for (deal, first) in &self.deals {
            match (first.created, &first.change, &first.now) {
                (Some(created), Some((_, stage)), _) | (Some(created), None, Some(stage)) => {
                    push(deal, stage, created)?;
                }
                (None, Some(_), _) => unplaced.no_creation += 1,
                (_, None, _) => unplaced.never_moved += 1,
            }
        }
        Ok(unplaced)
    }
}

impl Unplaced {
    /// The warnings for the deals left out of `name`, whose creation is its `creation` and
    /// whose current stages `remedy` holds, in the playbook's language.
    fn warnings(
        &self,
        prepared: &Prepared,
        name: &str,
        creation: Words,
        remedy: Words,
    ) -> Vec<String> {
        let locale = prepared.locale;
        let mut out = Vec::new();
        if self.no_creation > 0 {
            out.push(prepared.say(
                "warn_no_creation",
                &[
                    ("deals", &prepared.count(self.no_creation, DEALS)),
                    ("name", &name),
                    ("creation", &pick_in(locale, creation)),
                ],
            ));
        }
        if self.never_moved > 0 {
            out.push(prepared.say(
                "warn_never_moved",
                &[
                    ("deals", &prepared.count(self.never_moved, DEALS)),
                    ("name", &name),
                    ("remedy", &pick_in(locale, remedy)),
                ],
            ));
        }
        out
    }
}

/// Writes one stage change (deal, stage, instant) into the converted history.
pub(crate) type Push<'a> = dyn FnMut(&[u8], &[u8], Secs) -> Result<(), Error> + 'a;

/// Reads the next row of `reader` into `record` (`false` at the end of the file); a failure
/// names the file as the user did.
fn next_row(
    reader: &mut history::CsvReader,
    record: &mut csv::ByteRecord,
    path: &Path,
    name: &str,
) -> Result<bool, Error> {
    history::next_record(reader, record).map_err(|e| rename(&e.describe(path, 0), path, name))
}

/// `error` with the path of the file read shown as the user named it.
fn rename(error: &Error, path: &Path, name: &str) -> Error {
    Error::new(error.to_string().replace(&path.display().to_string(), name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn finds_each_shape_from_its_header() {
        let cases = [
            (
                &["deal_id", "stage", "entered_at"][..],
                Source::StageHistory,
            ),
            (
                &["ID", "OPPORTUNITYID", "STAGENAME", "CREATEDDATE"][..],
                Source::SalesforceHistory,
            ),
            (
                &["Opportunity ID", "From Stage", "To Stage", "Last Modified"][..],
                Source::SalesforceReport,
            ),
            (
                &[
                    "Opportunity-ID",
                    "Von Phase",
                    "Zu Phase",
                    "Zuletzt geändert",
                ][..],
                Source::SalesforceReport,
            ),
            (
                &[
                    "OpportunityId",
                    "CreatedDate",
                    "Field",
                    "OldValue",
                    "NewValue",
                ][..],
                Source::SalesforceFieldHistory,
            ),
            (
                &[
                    "Record ID",
                    "Pipeline",
                    "Date entered \"Qualified (Sales Pipeline)\"",
                ][..],
                Source::HubspotExport,
            ),
        ];
        for (names, source) in cases {
            assert_eq!(detect(&header(names)), source, "{names:?}");
        }
    }
}

//! `stagebook metrics`: measure a playbook against CRM stage history and print the report.

use std::io::{self, IsTerminal};
use std::path::PathBuf;

use clap::ValueEnum;

use super::{EXIT_FINDINGS, EXIT_OK, print_out};
use crate::check::{self, Refused};
use crate::emit::templates::Templates;
use crate::lint::config::{ConfigLoader, Overrides};
use crate::metrics::details::DetailColumns;
use crate::metrics::group::{Budget, DEFAULT_MEMORY_LIMIT, MIN_MEMORY_LIMIT};
use crate::metrics::history::{Columns, ReadOptions};
use crate::metrics::output::{self, Format};
use crate::metrics::source::{self, Source, SourceOptions};
use crate::metrics::sql::{Dialect, SqlOptions};
use crate::metrics::time::{PeriodKind, Zone, parse_date};
use crate::metrics::won::ActivityColumns;
use crate::metrics::{self, Options};
use crate::report::human::{HumanPrinter, Style};

// `--emit-sql` takes the ids of `Dialect::ALL`: the list of dialects is the one source.
impl ValueEnum for Dialect {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.id()).help(self.name()))
    }
}

/// Periods of `--period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Period {
    /// Calendar weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
}

/// Arguments of `metrics`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The playbook to measure.
    pub(crate) playbook: PathBuf,
    /// Stage history: one row per stage change (deal id, stage name, time entered), or a CRM's
    /// own export (see --source); `-` reads it from standard input. Not with --emit-sql.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "emit_sql",
        conflicts_with = "emit_sql"
    )]
    pub(crate) history: Option<PathBuf>,
    /// Instead of measuring a file, print one SQL script that computes the report's
    /// per-stage rows (as --format csv) where the history lives: the playbook and the
    /// periods (--from, --to, --period, --tz) compiled in.
    #[arg(long, value_enum, value_name = "DIALECT")]
    pub(crate) emit_sql: Option<Dialect>,
    /// With --emit-sql: the history table or view, one row per stage change (--column names
    /// its columns; the time column holds instants, a timestamp with time zone).
    #[arg(
        long,
        value_name = "NAME",
        requires = "emit_sql",
        default_value = "stage_history"
    )]
    pub(crate) table: String,
    /// With --emit-sql: create (or replace) this view instead of selecting.
    #[arg(long, value_name = "NAME", requires = "emit_sql")]
    pub(crate) into: Option<String>,
    /// With --emit-sql: write a dbt model (stagebook_<playbook id>.sql) and its schema.yml
    /// with tests into this folder, instead of printing the script.
    #[arg(
        long,
        value_name = "DIR",
        requires = "emit_sql",
        conflicts_with = "into"
    )]
    pub(crate) dbt: Option<PathBuf>,
    /// The shape of the history file. Default: found from its start (a Salesforce report,
    /// OpportunityHistory or OpportunityFieldHistory, a HubSpot deals export, HubSpot or
    /// Pipedrive API JSON), else stage-history.
    #[arg(long, value_enum, value_name = "SHAPE")]
    pub(crate) source: Option<Source>,
    /// The HubSpot pipeline to measure, by its label, when the export holds several; other
    /// pipelines' deals are counted and left out.
    #[arg(long, value_name = "NAME")]
    pub(crate) pipeline: Option<String>,
    /// With --source hubspot-api or pipedrive-api: the vendor's stage list, to read stage ids
    /// by name (HubSpot: the response of GET /crm/v3/pipelines/deals; Pipedrive: of GET
    /// /v1/stages).
    #[arg(long, value_name = "FILE.json")]
    pub(crate) stages: Option<PathBuf>,
    /// Map a column: `deal=OpportunityId`, `stage=StageName`, `at=CreatedDate`; and the
    /// stalled deals' details: `name=`, `owner=`, `amount=`. Defaults: deal_id, stage,
    /// entered_at, or the shape's own columns.
    #[arg(long = "column", value_name = "KEY=NAME")]
    pub(crate) columns: Vec<String>,
    /// Field separator of the CSV files.
    #[arg(long, value_name = "CHAR", default_value = ",")]
    pub(crate) delimiter: String,
    /// Time zone of the periods, and of times written without an offset (IANA name).
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub(crate) tz: String,
    /// Time zone of the file's times written without an offset, when it is not --tz (the
    /// exporting user's zone in a Salesforce report, say).
    #[arg(long, value_name = "ZONE")]
    pub(crate) input_tz: Option<String>,
    /// How the file writes times, as a strftime pattern: `%m/%d/%Y %I:%M %p` (US),
    /// `%d.%m.%Y %H:%M` (German), `%d/%m/%Y %H:%M` (UK). Default: found from the first rows;
    /// day/month order that the rows do not settle is refused.
    #[arg(long, value_name = "FORMAT")]
    pub(crate) date_format: Option<String>,
    /// First day to report (YYYY-MM-DD). Default: the day of the first stage change.
    #[arg(long, value_name = "DATE")]
    pub(crate) from: Option<String>,
    /// Last day to report, included (YYYY-MM-DD). Default: the day of the last stage change.
    #[arg(long, value_name = "DATE")]
    pub(crate) to: Option<String>,
    /// Cut the range into calendar periods. Default: one period.
    #[arg(long, value_enum)]
    pub(crate) period: Option<Period>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// Write the report to this file (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Folder of templates that replace the built-in ones by file name (metrics.html.j2).
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,
    /// Fail (exit 1) when the report has a warning: rows naming stages the playbook does not
    /// have, no deal ever closing, changes after --as-of, rows left out…
    #[arg(long)]
    pub(crate) strict: bool,
    /// Leave malformed rows out, counted and reported, instead of failing on the first.
    #[arg(long)]
    pub(crate) skip_bad_rows: bool,
    /// Add what won deals looked like: time per stage and a suggested budget.
    #[arg(long)]
    pub(crate) won_profile: bool,
    /// Activities CSV (deal id, time, type) for touchpoints per stage of won deals.
    #[arg(long, value_name = "FILE.csv", requires = "won_profile")]
    pub(crate) activities: Option<PathBuf>,
    /// Map an activities column: `deal=WhatId`, `at=ActivityDate`, `type=Type`.
    /// Defaults: deal_id, occurred_at, type.
    #[arg(long = "activity-column", value_name = "KEY=NAME")]
    pub(crate) activity_columns: Vec<String>,
    /// A deal's page in the CRM, `{id}` standing for its id
    /// (`https://acme.my.salesforce.com/{id}`): the HTML report links the stalled deals to it.
    /// Default: `[metrics] deal-url` in stagebook.toml.
    #[arg(long, value_name = "URL")]
    pub(crate) deal_url: Option<String>,
    /// Add each group's funnel (new deals, won, lost, win rate, cycle, stalled): `owner` (the
    /// deals' owner column) or any column of the history (`Region`, `Segment`). Each group is
    /// read again, so it takes a run per group (at most 20, then "other").
    #[arg(long, value_name = "owner|COLUMN")]
    pub(crate) by: Option<String>,
    /// Most stalled deals listed per stage.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub(crate) stalled_limit: usize,
    /// When the export was taken (`2026-03-31 18:00`, with an offset, or a day alone for its
    /// end): stalls, what is still open and cohorts are measured then, and without --to the
    /// range runs to it. A time without an offset is in --tz. Default: the last stage change in
    /// the history.
    #[arg(long, value_name = "TIME")]
    pub(crate) as_of: Option<String>,
    /// Memory for grouping the history by deal (`512MiB`, `2GiB`, `64M`; at least 1MiB);
    /// beyond it, sorted runs go to temporary files in --temp-dir. Default: 128MiB.
    #[arg(long, value_name = "SIZE", value_parser = parse_memory_limit)]
    pub(crate) memory_limit: Option<usize>,
    /// Folder for those temporary files. Default: the system's temporary folder.
    #[arg(long, value_name = "DIR")]
    pub(crate) temp_dir: Option<PathBuf>,
    /// Encoding of the history when it is not UTF-8: `windows-1252`, `iso-8859-1`,
    /// `gb18030`, `gbk`, `utf-16le`… (UTF-16 with a byte order mark is found without it).
    #[arg(long, value_name = "LABEL", value_parser = parse_encoding)]
    pub(crate) encoding: Option<&'static encoding_rs::Encoding>,
}

/// A size in bytes: a number with an optional unit, binary (`KiB`, `MiB`, `GiB`, and `K`,
/// `M`, `G` as in `sort -S`) or decimal (`KB`, `MB`, `GB`).
fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => {
            return Err(format!(
                "`{text}` is not a size: write it as 512MiB, 2GiB or 64M"
            ));
        }
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .and_then(|n| usize::try_from(n).ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{text}` is not a size: write it as 512MiB, 2GiB or 64M"))
}

/// A `--memory-limit`: a size of at least [`MIN_MEMORY_LIMIT`]. A smaller one is most
/// likely a unit left out, and would spill a temporary file every few rows.
fn parse_memory_limit(text: &str) -> Result<usize, String> {
    let bytes = parse_size(text)?;
    if bytes >= MIN_MEMORY_LIMIT {
        return Ok(bytes);
    }
    let text = text.trim();
    let help = if text.bytes().all(|b| b.is_ascii_digit()) {
        format!("a size without a unit is in bytes; did you mean `{text}MiB`?")
    } else {
        "give at least 1MiB; the default is 128MiB".to_owned()
    };
    Err(format!(
        "`{text}` is {bytes} bytes, less than the smallest memory limit, 1MiB\n  help: {help}"
    ))
}

fn bad_argument(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.into())
}

fn split_mapping<'a>(text: &'a str, keys: &[&str]) -> io::Result<(&'a str, &'a str)> {
    let (key, name) = text.split_once('=').ok_or_else(|| {
        bad_argument(format!("`{text}` is not KEY=NAME, e.g. deal=OpportunityId"))
    })?;
    let key = key.trim();
    if !keys.contains(&key) {
        return Err(bad_argument(format!(
            "unknown column key `{key}`: use one of {}",
            keys.join(", ")
        )));
    }
    if name.trim().is_empty() {
        return Err(bad_argument(format!("`{text}` names no column")));
    }
    Ok((key, name.trim()))
}

/// Applies `KEY=NAME` mappings to column names: `columns` pairs each key with the name it sets.
fn map_columns(mappings: &[String], columns: &mut [(&str, &mut String)]) -> io::Result<()> {
    let keys: Vec<&str> = columns.iter().map(|(key, _)| *key).collect();
    for mapping in mappings {
        let (key, name) = split_mapping(mapping, &keys)?;
        for (_, slot) in columns.iter_mut().filter(|(k, _)| *k == key) {
            name.clone_into(slot);
        }
    }
    Ok(())
}

impl Args {
    fn options(&self) -> io::Result<Options> {
        let mut columns = Columns::default();
        let (mut name, mut owner, mut amount) = (String::new(), String::new(), String::new());
        map_columns(
            &self.columns,
            &mut [
                ("deal", &mut columns.deal),
                ("stage", &mut columns.stage),
                ("at", &mut columns.at),
                ("name", &mut name),
                ("owner", &mut owner),
                ("amount", &mut amount),
            ],
        )?;
        let given = |column: String| (!column.is_empty()).then_some(column);
        let details = DetailColumns {
            explicit: !(name.is_empty() && owner.is_empty() && amount.is_empty()),
            name: given(name),
            owner: given(owner),
            amount: given(amount),
            file: None,
        };
        let mut activity_columns = ActivityColumns::default();
        map_columns(
            &self.activity_columns,
            &mut [
                ("deal", &mut activity_columns.deal),
                ("at", &mut activity_columns.at),
                ("type", &mut activity_columns.kind),
            ],
        )?;
        let delimiter = match self.delimiter.as_str() {
            "\\t" | "tab" => b'\t',
            d if d.len() == 1 => d.as_bytes()[0],
            d => {
                return Err(bad_argument(format!(
                    "--delimiter must be one character, not `{d}`"
                )));
            }
        };
        let date = |d: &Option<String>| {
            d.as_deref()
                .map(parse_date)
                .transpose()
                .map_err(bad_argument)
        };
        let zone = Zone::named(&self.tz).map_err(bad_argument)?;
        Ok(Options {
            history: self.history.clone().unwrap_or_default(),
            shape: source::ShapeNotes::default(),
            read: ReadOptions {
                columns,
                delimiter,
                skip_bad_rows: self.skip_bad_rows,
                zone: zone.clone(),
                input_zone: self
                    .input_tz
                    .as_deref()
                    .map(Zone::named)
                    .transpose()
                    .map_err(bad_argument)?,
                time_format: self
                    .date_format
                    .as_deref()
                    .map(parse_time_format)
                    .transpose()
                    .map_err(bad_argument)?,
                budget: Budget {
                    memory_limit: self.memory_limit.unwrap_or(DEFAULT_MEMORY_LIMIT),
                    temp_dir: self.temp_dir.clone().unwrap_or_else(std::env::temp_dir),
                },
                details,
                only: None,
            },
            from: date(&self.from)?,
            to: date(&self.to)?,
            period: self.period.map(|p| match p {
                Period::Week => PeriodKind::Week,
                Period::Month => PeriodKind::Month,
                Period::Quarter => PeriodKind::Quarter,
            }),
            won_profile: self.won_profile,
            activities: self.activities.clone(),
            activity_columns,
            stalled_limit: self.stalled_limit,
            deal_url: None,
            by: self.by.clone(),
            as_of: self
                .as_of
                .as_deref()
                .map(|text| {
                    // A day alone means its end: the export was taken that day.
                    if let Ok(day) = parse_date(text.trim()) {
                        return Ok(zone.end_of_day(day) - 1);
                    }
                    metrics::time::parse_instant(text.trim().as_bytes(), &zone).map_err(|why| {
                        bad_argument(format!(
                            "--as-of `{text}` is not a time ({why}): write `2026-03-31` or `2026-03-31 18:00`"
                        ))
                    })
                })
                .transpose()?,
        })
    }
}

/// A `--date-format` pattern, checked to be one jiff's strftime reads and to hold a date.
fn parse_time_format(pattern: &str) -> Result<metrics::time::TimeFormat, String> {
    let has = |spec: &str| pattern.contains(spec);
    if !(has("%Y") || has("%y"))
        || !(has("%m") || has("%b") || has("%B"))
        || !(has("%d") || has("%e"))
    {
        return Err(format!(
            "--date-format `{pattern}` must hold a year (%Y), a month (%m) and a day (%d), like '%m/%d/%Y %I:%M %p'"
        ));
    }
    Ok(metrics::time::TimeFormat::Pattern(pattern.to_owned()))
}

/// An encoding by its WHATWG label (`windows-1252`, `latin1`, `gb18030`, `utf-16le`…).
fn parse_encoding(label: &str) -> Result<&'static encoding_rs::Encoding, String> {
    encoding_rs::Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        format!("unknown encoding `{label}`: use a label such as windows-1252, iso-8859-1, gb18030, gbk, utf-16le or utf-8")
    })
}

pub(crate) fn run(args: &Args) -> io::Result<u8> {
    let mut options = args.options()?;
    options.deal_url = match &args.deal_url {
        Some(url) => match crate::lint::config::deal_url_problem(url) {
            Some(problem) => return Err(bad_argument(format!("--deal-url `{url}`: {problem}"))),
            None => Some(url.clone()),
        },
        None => ConfigLoader::new(Overrides::default())?
            .for_playbook(&args.playbook)?
            .deal_url
            .clone(),
    };
    let opened = check::open_playbook(&args.playbook, &check::Options::default())
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", args.playbook.display())))?;
    let playbook = match opened {
        Ok(opened) => opened.playbook,
        Err(Refused::Fragment) => {
            return Err(bad_argument(format!(
                "{} holds stages for an `include`, not a playbook: measure the playbook that includes it",
                args.playbook.display()
            )));
        }
        Err(Refused::Errors(checked)) => {
            let printer = HumanPrinter::new(Style::detect(io::stderr().is_terminal()));
            let mut text = String::new();
            for diagnostic in &checked.diagnostics {
                printer.render(diagnostic, &mut text);
            }
            eprint!("{text}");
            eprintln!(
                "error: {} has errors; fix them (see `stagebook check`) before measuring it",
                args.playbook.display()
            );
            return Ok(EXIT_FINDINGS);
        }
    };
    if let Some(dialect) = args.emit_sql {
        return emit_sql(args, &options, &playbook, dialect);
    }
    let templates = Templates::new(args.templates.as_deref()).map_err(io::Error::other)?;
    let (history, spooled) = metrics::stdin::resolve(
        &options.history,
        &options.read.budget.temp_dir,
        args.encoding,
    )
    .map_err(io::Error::other)?;
    let name = options.history.display().to_string();
    let measured = metrics::measure_history(
        &playbook,
        &Options { history, ..options },
        &SourceOptions {
            source: args.source,
            pipeline: args.pipeline.clone(),
            stages: args.stages.clone(),
        },
        &name,
    );
    // Messages name the history as the user did, not the copy of standard input read.
    let report = match (measured, &spooled) {
        (Ok(report), _) => report,
        (Err(e), Some(spooled)) => return Err(io::Error::other(spooled.rename_in(&e.to_string()))),
        (Err(e), None) => return Err(io::Error::other(e)),
    };
    let text = output::render_with(&report, args.format, &templates).map_err(io::Error::other)?;
    let warnings = report.warnings();
    match &args.out {
        Some(path) => {
            crate::emit::write_file(path, text.as_bytes())?;
        }
        None => {
            print_out(&text)?;
        }
    }
    if args.out.is_some() || args.format != Format::Table {
        for warning in &warnings {
            eprintln!("warning: {warning}");
        }
    }
    if args.strict && !warnings.is_empty() {
        eprintln!(
            "error: --strict: the report has {} warning{} (above); the numbers may not be what they seem",
            warnings.len(),
            if warnings.len() == 1 { "" } else { "s" }
        );
        return Ok(EXIT_FINDINGS);
    }
    Ok(EXIT_OK)
}

/// Whether an option is given.
type Given = fn(&Args) -> bool;

/// Options `--emit-sql` does not compile: each needs the history file itself.
const NOT_IN_SQL: &[(&str, Given)] = &[
    ("--source", |a| a.source.is_some()),
    ("--by", |a| a.by.is_some()),
    ("--won-profile", |a| a.won_profile),
    ("--deal-url", |a| a.deal_url.is_some()),
    ("--date-format", |a| a.date_format.is_some()),
    ("--input-tz", |a| a.input_tz.is_some()),
];

/// `--emit-sql`: the report's per-stage rows as one SQL script (or a dbt model).
fn emit_sql(
    args: &Args,
    options: &Options,
    playbook: &crate::model::PlaybookFile,
    dialect: Dialect,
) -> io::Result<u8> {
    if let Some((flag, _)) = NOT_IN_SQL.iter().find(|(_, given)| given(args)) {
        return Err(bad_argument(format!(
            "{flag} is not compiled to SQL: it reads the history file; leave it out with --emit-sql"
        )));
    }
    let (Some(from), Some(to)) = (options.from, options.to) else {
        return Err(bad_argument(
            "--emit-sql needs --from and --to, e.g. `--from 2024-01-01 --to 2024-12-31`: the periods' boundaries are compiled into the script, exact in the report's time zone (--tz) across daylight-saving changes",
        ));
    };
    let periods = metrics::time::periods(from, to, options.period, &options.read.zone)
        .map_err(bad_argument)?;
    let made_from: Vec<String> = std::env::args().skip(1).collect();
    let sql_options = SqlOptions {
        dialect,
        table: args.table.clone(),
        columns: options.read.columns.clone(),
        into: args.into.clone(),
        periods,
        as_of: options.as_of,
        made_from: format!("stagebook {}", made_from.join(" ")),
    };
    let script = metrics::sql::compile(playbook, &sql_options).map_err(bad_argument)?;
    if let Some(dir) = &args.dbt {
        let written = metrics::sql::write_dbt(dir, playbook, &script).map_err(io::Error::other)?;
        for path in written {
            println!("wrote {}", path.display());
        }
        return Ok(EXIT_OK);
    }
    match &args.out {
        Some(path) => {
            crate::emit::write_file(path, script.as_bytes())?;
        }
        None => {
            print_out(&script)?;
        }
    }
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_each_key_to_its_column_and_rejects_unknown_keys() {
        let (mut deal, mut at) = (String::from("deal_id"), String::from("entered_at"));
        let mappings = [
            " at = CreatedDate".to_owned(),
            "deal=OpportunityId".to_owned(),
        ];
        map_columns(&mappings, &mut [("deal", &mut deal), ("at", &mut at)]).unwrap();
        assert_eq!(
            (deal.as_str(), at.as_str()),
            ("OpportunityId", "CreatedDate")
        );

        let error = map_columns(
            &["stage=X".to_owned()],
            &mut [("deal", &mut deal), ("at", &mut at)],
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown column key `stage`: use one of deal, at"
        );
        assert_eq!(deal, "OpportunityId");
    }
}

//! The **metrics** stage: measures a playbook against what really happened in the CRM.
//!
//! [`history`] streams a stage-history CSV into [`group`], which brings each deal's events
//! together within a memory budget (spilling sorted runs to temporary files beyond it);
//! [`compute`] sorts each deal's events and folds its visits into counters per period and
//! stage (durations kept exactly but compactly, as [`sample`]s); [`build`] derives
//! the [`report::Report`] — the one computation — and [`output`] prints it as a table, JSON,
//! CSV or a self-contained HTML page with SVG charts. Time zones are handled in [`time`].

pub(crate) mod build;
pub(crate) mod compute;
pub mod details;
pub mod group;
pub mod history;
pub mod output;
pub mod report;
pub(crate) mod sample;
pub(crate) mod sfid;
pub mod source;
pub(crate) mod sql;
pub mod stages;
pub(crate) mod stdin;
pub mod time;
pub(crate) mod varint;
pub mod won;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use jiff::civil::Date;

use crate::model::{PlaybookFile, Terminal};
use compute::{Frame, Tally};
use history::ReadOptions;
use output::words::fill;
use report::{Input, PlaybookRef, Report, StageRef};
use stages::StageMap;
use time::PeriodKind;
use won::ActivityColumns;

/// Fewest deals for the warning that a history looks like a snapshot of current stages.
const SNAPSHOT_MIN_DEALS: u64 = 10;

/// Rows read to find how a history writes its times.
pub(crate) const TIME_SAMPLES: usize = 1000;

/// How many malformed rows a report quotes.
pub(crate) const MAX_EXAMPLES: usize = 5;

/// A failure that stops the measurement (unreadable file, malformed history, bad range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    /// A failure with a message for people.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// What to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// Stage-history CSV.
    pub history: PathBuf,
    /// How to read it.
    pub read: ReadOptions,
    /// The shape it was read as, and what reading it left out.
    pub shape: source::ShapeNotes,
    /// First day of the range (default: the day of the first stage change).
    pub from: Option<Date>,
    /// Last day of the range, inclusive (default: the day of the last stage change).
    pub to: Option<Date>,
    /// How to cut the range; `None` = one period.
    pub period: Option<PeriodKind>,
    /// Add what won deals looked like.
    pub won_profile: bool,
    /// Activities CSV for the won profile.
    pub activities: Option<PathBuf>,
    /// Its columns.
    pub activity_columns: ActivityColumns,
    /// Most stalled deals listed per stage.
    pub stalled_limit: usize,
    /// A deal's page in the CRM, `{id}` standing for its id (`--deal-url`, `[metrics]
    /// deal-url`): the stalled deals link to it.
    pub deal_url: Option<String>,
    /// Group the deals by `owner` or a column, and give each group's funnel (`--by`).
    pub by: Option<String>,
    /// When the history was taken (`--as-of`, seconds since the Unix epoch): stalls, what is
    /// still open and cohorts are measured then. Default: the last stage change in the history.
    pub as_of: Option<i64>,
}

/// Reads the history at `options.history` in its shape (`source.source`, or the shape its
/// header shows: a Salesforce report, a HubSpot deals export…) and measures `playbook`
/// against it. Messages and the report name the history `name`, as the user gave it.
pub fn measure_history(
    playbook: &PlaybookFile,
    options: &Options,
    source: &source::SourceOptions,
    name: &str,
) -> Result<Report, Error> {
    let closing = |kind: Terminal| {
        playbook
            .stages
            .iter()
            .find(|s| s.terminal == Some(kind))
            .map(|s| s.id.to_string())
    };
    let closing = source::Closing {
        won: closing(Terminal::Won),
        lost: closing(Terminal::Lost),
        locale: playbook.playbook.locale,
    };
    let prepared = source::prepare(&options.history, name, &options.read, source, &closing)?;
    let measured = measure(
        playbook,
        &Options {
            history: prepared.path.clone(),
            read: prepared.read.clone(),
            shape: prepared.shape.clone(),
            ..options.clone()
        },
    );
    // Messages name the user's file, not the temporary copies read in its place.
    let shown = |e: Error| {
        let copies = [&prepared.spooled, &prepared.details];
        Error::new(
            copies
                .into_iter()
                .flatten()
                .fold(e.to_string(), |text, copy| copy.rename_in(&text)),
        )
    };
    let mut report = measured.map_err(shown)?;
    name.clone_into(&mut report.input.history);
    if let Some(by) = &options.by {
        report.by = Some(breakdown(playbook, options, &prepared, &report, by).map_err(shown)?);
    }
    Ok(report)
}

/// `--by`: the history measured again for each group of deals, over the range and as of the
/// instant of the whole report.
fn breakdown(
    playbook: &PlaybookFile,
    options: &Options,
    prepared: &source::Prepared,
    report: &Report,
    by: &str,
) -> Result<report::Breakdown, Error> {
    let read = &prepared.read;
    let values = details::groups(
        &prepared.path,
        read.delimiter,
        &read.columns.deal,
        &read.details,
        by,
    )?;
    let mut members: HashMap<String, HashSet<String>> = HashMap::new();
    for (deal, value) in &values {
        members
            .entry(value.clone())
            .or_default()
            .insert(deal.clone());
    }
    let mut groups: Vec<(String, HashSet<String>)> = members.into_iter().collect();
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    let rest: HashSet<String> = groups
        .iter()
        .skip(details::MAX_GROUPS)
        .flat_map(|(_, deals)| deals.iter().cloned())
        .collect();
    groups.truncate(details::MAX_GROUPS);
    let listed = groups.into_iter().map(|(value, deals)| {
        (
            Some(value),
            false,
            details::DealFilter { deals, keep: true },
        )
    });
    let others = (!rest.is_empty()).then(|| {
        (
            None,
            true,
            details::DealFilter {
                deals: rest,
                keep: true,
            },
        )
    });
    let without = details::DealFilter {
        deals: values.into_keys().collect(),
        keep: false,
    };
    let range = |text: &str| time::parse_date(text).ok();
    let mut out = Vec::new();
    for (value, other, filter) in listed.chain(others).chain([(None, false, without)]) {
        let run = Options {
            history: prepared.path.clone(),
            read: ReadOptions {
                only: Some(std::sync::Arc::new(filter)),
                ..read.clone()
            },
            shape: prepared.shape.clone(),
            from: range(&report.total.from),
            to: range(&report.total.to),
            period: None,
            won_profile: false,
            activities: None,
            stalled_limit: 0,
            as_of: Some(report.as_of_secs),
            deal_url: None,
            by: None,
            ..options.clone()
        };
        // A group none of whose rows names a playbook stage has nothing to show.
        let Ok(group) = measure(playbook, &run) else {
            continue;
        };
        out.push(report::Group {
            value,
            other,
            deals: group.input.deals,
            funnel: group.total.funnel.clone(),
            stalled: group.total.stages.iter().map(|s| s.stalled).sum(),
        });
    }
    Ok(report::Breakdown {
        key: by.to_owned(),
        groups: out,
    })
}

/// Measures `playbook` against the history.
pub fn measure(playbook: &PlaybookFile, options: &Options) -> Result<Report, Error> {
    let stages = StageMap::new(playbook).map_err(Error::new)?;
    let zone = &options.read.zone;
    // How the times are written: as told, else found from the first rows.
    let mut read = options.read.clone();
    if read.time_format.is_none() {
        let samples = history::sample_times(&options.history, &read, TIME_SAMPLES)?;
        read.time_format = Some(
            time::detect_format(&samples)
                .map_err(|why| Error::new(format!("{}: {why}", options.history.display())))?,
        );
    }
    let history = history::read(&options.history, &stages, &read)?;
    let stats = history.stats.clone();
    let unknown = build::unknown_sorted(&stats);
    let (Some(first), Some(last)) = (stats.first, stats.last) else {
        let names: Vec<String> = unknown
            .iter()
            .take(MAX_EXAMPLES)
            .map(|u| {
                let plural = if u.rows == 1 { "" } else { "s" };
                format!("`{}` ({} row{plural})", history::short(&u.name), u.rows)
            })
            .collect();
        return Err(Error::new(history::nothing_measured(
            &options.history,
            &playbook.playbook.id.to_string(),
            &stats,
            &names,
        )));
    };
    let from = options.from.unwrap_or_else(|| zone.date_of(first));
    // The range runs to the export (`--as-of`) when it was taken after the last change: the
    // deals still open are measured, and stall, until then.
    let to = options
        .to
        .unwrap_or_else(|| zone.date_of(options.as_of.map_or(last, |at| at.max(last))));
    let periods = time::periods(from, to, options.period, zone).map_err(Error::new)?;
    let cycle_target = playbook
        .playbook
        .cycle_target
        .map(|d| i64::try_from(d.hours()).unwrap_or(i64::MAX / 4) * 3600);
    let observed = options.as_of.map_or(last + 1, |at| at + 1);
    let mut frame = Frame::new(
        &stages,
        &periods,
        observed,
        cycle_target,
        options.won_profile && options.activities.is_some(),
    );
    frame.stalled_limit = options.stalled_limit;
    let mut tally = Tally::fold_all(&frame, history)?;

    let period_reports = (0..periods.len())
        .map(|p| build::period_report(&frame, &tally, p..p + 1, zone))
        .collect();
    let total = build::period_report(&frame, &tally, 0..periods.len(), zone);
    let mut stalled = build::stalled_list(&frame, &mut tally, options.stalled_limit, zone);
    let wanted = stalled.iter().map(|s| s.deal.as_str()).collect();
    let mut found = details::lookup(
        &options.history,
        read.delimiter,
        &read.columns.deal,
        &read.details,
        &wanted,
    )?;
    for deal in &mut stalled {
        if let Some(details) = found.remove(&deal.deal) {
            deal.details = details;
        }
        deal.url = options
            .deal_url
            .as_deref()
            .map(|url| details::deal_url(url, &deal.deal));
    }
    let won_profile = if options.won_profile {
        let counts = match &options.activities {
            Some(path) => Some(
                won::read_activities(
                    path,
                    &options.activity_columns,
                    options.read.delimiter,
                    zone,
                    &frame,
                    &tally,
                )?
                .0,
            ),
            None => None,
        };
        Some(won::profile(&frame, &mut tally, counts.as_ref()))
    } else {
        None
    };

    Ok(Report {
        version: 1,
        playbook: PlaybookRef {
            id: playbook.playbook.id.to_string(),
            name: playbook.playbook.name.clone(),
            locale: playbook.playbook.locale.tag().to_owned(),
            cycle_target_days: cycle_target.map(build::days),
        },
        input: Input {
            history: options.history.display().to_string(),
            source: options.shape.source,
            notes: options.shape.notes.clone(),
            left_out: options.shape.warnings.clone(),
            rows: stats.rows,
            mapped_rows: stats.mapped,
            deals: tally.deals,
            duplicate_rows: tally.duplicates,
            repeated_stage_rows: tally.repeats,
            deals_without_open_stage: tally.no_open_stage,
            unknown_stages: unknown,
            other_unknown_stage_rows: stats.other_unknown_rows,
            bad_rows: stats.bad_rows,
            bad_row_examples: stats.bad_examples.clone(),
            first_change: Some(zone.format(first)),
            last_change: Some(zone.format(last)),
            changes_after_as_of: tally.after_as_of,
            time_format: match &read.time_format {
                Some(time::TimeFormat::Pattern(pattern)) => pattern.clone(),
                _ => "ISO".to_owned(),
            },
            closed_deals: tally.closed_deals,
            deals_older_than_cycle_target: tally.older_than_target,
            single_change_deals: tally.single_change_deals,
        },
        time_zone: zone.name().to_owned(),
        as_of: zone.format(observed - 1),
        as_of_secs: observed - 1,
        stages: stages
            .stages
            .iter()
            .map(|s| StageRef {
                id: s.id.clone(),
                name: s.name.clone(),
                kind: s.kind,
                expected_days: s.expected.map(build::days),
                demo: s.milestone.as_deref() == Some("demo"),
            })
            .collect(),
        periods: period_reports,
        total,
        stalled,
        won_profile,
        by: None,
    })
}

impl Report {
    /// Warnings about the data, one sentence each, for stderr and the outputs.
    pub fn warnings(&self) -> Vec<String> {
        let input = &self.input;
        let say = |key: &str, slots: &[(&str, &dyn fmt::Display)]| fill(self, key, slots);
        let mut out = input.left_out.clone();
        if !input.unknown_stages.is_empty() {
            let others = input.other_unknown_stage_rows;
            let rows: u64 = input.unknown_stages.iter().map(|u| u.rows).sum::<u64>() + others;
            let names: Vec<String> = input
                .unknown_stages
                .iter()
                .take(MAX_EXAMPLES)
                .map(|u| format!("`{}` ({})", u.name, u.rows))
                .collect();
            let names = names.join(", ");
            let more = input.unknown_stages.len().saturating_sub(MAX_EXAMPLES);
            out.push(if others > 0 {
                say(
                    "warn_unknown_many",
                    &[("rows", &rows), ("names", &names), ("more", &more)],
                )
            } else {
                let more = if more > 0 {
                    say("warn_more", &[("more", &more)])
                } else {
                    String::new()
                };
                say(
                    "warn_unknown",
                    &[("rows", &rows), ("names", &names), ("more", &more)],
                )
            });
        }
        if input.bad_rows > 0 {
            out.push(say("warn_bad_rows", &[("rows", &input.bad_rows)]));
        }
        if input.duplicate_rows > 0 {
            out.push(say("warn_duplicates", &[("rows", &input.duplicate_rows)]));
        }
        if input.changes_after_as_of > 0 {
            out.push(say(
                "warn_after_as_of",
                &[
                    ("changes", &input.changes_after_as_of),
                    ("history", &input.history),
                    ("as_of", &self.as_of),
                    ("zone", &self.time_zone),
                ],
            ));
        }
        if input.closed_deals == 0 && input.deals_older_than_cycle_target > 0 {
            out.push(say(
                "warn_never_closed",
                &[
                    ("history", &input.history),
                    ("deals", &input.deals_older_than_cycle_target),
                    ("days", &self.playbook.cycle_target_days.unwrap_or_default()),
                    ("as_of", &self.as_of),
                ],
            ));
        }
        // A snapshot (one row per deal, its stage today) reads as deals that never moved.
        if input.deals >= SNAPSHOT_MIN_DEALS && input.single_change_deals * 2 > input.deals {
            out.push(say(
                "warn_snapshot",
                &[
                    ("single", &input.single_change_deals),
                    ("deals", &input.deals),
                    ("history", &input.history),
                ],
            ));
        }
        if input.deals_without_open_stage > 0 {
            out.push(say(
                "warn_no_open_stage",
                &[("deals", &input.deals_without_open_stage)],
            ));
        }
        out
    }
}

//! HubSpot's shapes: the deals export, one row per deal with the time it entered each stage in
//! a column of its own (`Date entered "<stage label> (<pipeline label>)"`), and the CRM API's
//! deals with the history of their `dealstage` property.
//!
//! HubSpot keeps in the export's columns the latest time a deal entered each stage: a deal
//! sent back and moved on again shows only its last visit. The API's history has every change.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::Value;

use super::json::{self, Entry, text_at};
use super::{
    Canonical, Clock, DEALS, DetailsFile, Prepared, SourceOptions, default_column, next_row,
    rename, samples,
};
use crate::metrics::Error;
use crate::metrics::history::{self, Columns};
use crate::metrics::output::words::counted;
use crate::metrics::time::{Zone, parse_instant};
use crate::model::Locale;

/// The stage and pipeline a `Date entered "<stage> (<pipeline>)"` column is for.
pub(super) fn entered_column(title: &str) -> Option<(&str, &str)> {
    const PREFIX: &str = "date entered \"";
    let head = title.get(..PREFIX.len())?;
    if !head.eq_ignore_ascii_case(PREFIX) {
        return None;
    }
    let inner = title[PREFIX.len()..].strip_suffix('"')?.strip_suffix(')')?;
    let open = inner.rfind(" (")?;
    Some((inner[..open].trim(), inner[open + 2..].trim()))
}

/// The columns of the deal id and of the pipeline, in the names HubSpot's exports use.
const DEAL_COLUMNS: [&str; 2] = ["Record ID", "Deal ID"];
const PIPELINE_COLUMN: &str = "Pipeline";

/// Converts the export: one stage change per filled `Date entered` cell of the pipeline
/// measured.
pub(super) fn export(
    prepared: &mut Prepared,
    name: &str,
    header: &[String],
    options: &SourceOptions,
) -> Result<(), Error> {
    let pipelines = pipelines(header);
    let pipeline = choose(&pipelines, options.pipeline.as_deref(), name)?;
    let has = |n: &str| header.iter().any(|h| h.eq_ignore_ascii_case(n));
    let mut deal_column = prepared.read.columns.deal.clone();
    let found = DEAL_COLUMNS
        .iter()
        .find(|n| has(n))
        .copied()
        .unwrap_or(DEAL_COLUMNS[0]);
    default_column(&mut deal_column, &Columns::default().deal, found);
    let path = prepared.path.clone();
    let delimiter = prepared.read.delimiter;
    let mut reader = history::open_csv(&path, delimiter)?;
    let head = history::read_header(&mut reader, &path)?;
    let deal = history::resolve_columns(&path, &head, &[("deal", deal_column.as_str())])
        .map_err(|e| rename(&e, &path, name))?[0];
    let pipeline_at = header
        .iter()
        .position(|h| h.eq_ignore_ascii_case(PIPELINE_COLUMN));
    // The pipeline's stage columns: index, stage label and column title.
    let stages: Vec<(usize, &str, &str)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, title)| {
            let (stage, of) = entered_column(title)?;
            of.eq_ignore_ascii_case(&pipeline)
                .then_some((i, stage, title.as_str()))
        })
        .collect();
    let columns: Vec<usize> = stages.iter().map(|(i, _, _)| *i).collect();
    // The deals' details stay in the export, one row per deal.
    let details = &mut prepared.read.details;
    details.file = Some((path.clone(), deal_column.clone()));
    details.or_usual("Deal Name", "Deal owner", "Amount");
    let sampled = samples(&path, name, delimiter, |_| columns.clone())?;
    let mut clock = Clock::new(&prepared.read, name, &sampled)?;
    let mut others: BTreeMap<String, u64> = BTreeMap::new();
    let mut undated = 0u64;
    let mut record = csv::ByteRecord::new();
    Canonical::write(prepared, name, |push| {
        while next_row(&mut reader, &mut record, &path, name)? {
            let line = record.position().map_or(0, csv::Position::line);
            let value = |i: usize| record.get(i).unwrap_or_default().trim_ascii();
            if let Some(at) = pipeline_at {
                let of = String::from_utf8_lossy(value(at));
                if !of.eq_ignore_ascii_case(&pipeline) {
                    *others.entry(history::short(&of)).or_default() += 1;
                    continue;
                }
            }
            let mut dated = false;
            for (i, stage, title) in &stages {
                let text = value(*i);
                if text.is_empty() {
                    continue;
                }
                let Some(when) = clock.read(text, name, line, title)? else {
                    continue;
                };
                push(value(deal), stage.as_bytes(), when)?;
                dated = true;
            }
            if !dated {
                undated += 1;
            }
        }
        Ok(())
    })?;
    prepared
        .shape
        .warnings
        .extend(clock.skipped_warning(prepared));
    if !others.is_empty() {
        let deals: u64 = others.values().sum();
        let listed: Vec<String> = others
            .iter()
            .take(5)
            .map(|(p, n)| format!("{p}: {n}"))
            .collect();
        let listed = format!(
            "{}{}",
            listed.join(", "),
            if others.len() > 5 { ", …" } else { "" }
        );
        let note = prepared.say(
            "note_other_pipelines",
            &[
                ("deals", &prepared.count(deals, DEALS)),
                ("listed", &listed),
                ("pipeline", &pipeline),
            ],
        );
        prepared.shape.notes.push(note);
    }
    if undated > 0 {
        let warning = prepared.say(
            "warn_undated",
            &[
                ("deals", &prepared.count(undated, DEALS)),
                ("pipeline", &pipeline),
                ("name", &name),
            ],
        );
        prepared.shape.warnings.push(warning);
    }
    Ok(())
}

/// The pipelines the `Date entered` columns are for, in header order.
fn pipelines(header: &[String]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (_, pipeline) in header.iter().filter_map(|h| entered_column(h)) {
        if !found.iter().any(|p| p.eq_ignore_ascii_case(pipeline)) {
            found.push(pipeline.to_owned());
        }
    }
    found
}

/// The pipeline to measure: the one asked for, or the only one.
fn choose(pipelines: &[String], asked: Option<&str>, name: &str) -> Result<String, Error> {
    let listed = || {
        pipelines
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (asked, pipelines) {
        (Some(asked), _) => pipelines
            .iter()
            .find(|p| p.eq_ignore_ascii_case(asked.trim()))
            .cloned()
            .ok_or_else(|| {
                Error::new(format!(
                    "{name}: no `Date entered` columns for pipeline `{asked}`; the export has them for {}\n  help: pass one of those to --pipeline",
                    listed()
                ))
            }),
        (None, [only]) => Ok(only.clone()),
        (None, []) => Err(Error::new(format!(
            "{name}: a HubSpot deals export needs the `Date entered \"<stage> (<pipeline>)\"` columns, and this one has none\n  help: export the deals again with the \"Date entered\" properties of the pipeline's stages, or pass --source stage-history if the file is a stage history"
        ))),
        (None, _) => Err(Error::new(format!(
            "{name}: the export holds the stages of {} pipelines ({}); a playbook measures one\n  help: pass --pipeline NAME",
            pipelines.len(),
            listed()
        ))),
    }
}

/// Labels of a pipelines response (`GET /crm/v3/pipelines/deals`, given with `--stages`):
/// stage id → stage label, pipeline id → pipeline label.
#[derive(Debug, Default)]
struct Labels {
    stages: HashMap<String, String>,
    pipelines: HashMap<String, String>,
}

impl Labels {
    /// Reads a pipelines response: `{"results": [pipeline…]}`, an array of pipelines, or one.
    fn read(path: &Path) -> Result<Self, Error> {
        let shown = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::new(format!("{shown}: cannot read: {e}")))?;
        let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| Error::new(format!("{shown}: not valid JSON: {e}")))?;
        let pipelines = match &value {
            Value::Object(page) if page.contains_key("results") => page["results"].clone(),
            Value::Array(_) => value.clone(),
            Value::Object(_) => Value::Array(vec![value.clone()]),
            _ => Value::Null,
        };
        let mut labels = Self::default();
        for pipeline in pipelines.as_array().into_iter().flatten() {
            let (Some(id), Some(label)) = (text_at(pipeline, "/id"), text_at(pipeline, "/label"))
            else {
                continue;
            };
            labels.pipelines.insert(id.into_owned(), label.into_owned());
            for stage in pipeline["stages"].as_array().into_iter().flatten() {
                if let (Some(id), Some(label)) = (text_at(stage, "/id"), text_at(stage, "/label")) {
                    labels.stages.insert(id.into_owned(), label.into_owned());
                }
            }
        }
        if labels.stages.is_empty() {
            return Err(Error::new(format!(
                "{shown}: no pipeline stages in it\n  help: give --stages the response of GET /crm/v3/pipelines/deals"
            )));
        }
        Ok(labels)
    }
}

/// The CRM API's deals (`GET /crm/v3/objects/deals?propertiesWithHistory=dealstage&properties=pipeline`):
/// every version of `dealstage` is a stage change.
pub(super) fn api(
    prepared: &mut Prepared,
    name: &str,
    options: &SourceOptions,
) -> Result<(), Error> {
    let labels = options.stages.as_deref().map(Labels::read).transpose()?;
    let label = |id: &str, of: fn(&Labels) -> &HashMap<String, String>| -> String {
        labels
            .as_ref()
            .and_then(|l| of(l).get(id))
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    };
    let cannot = |e: std::io::Error| Error::new(format!("{name}: cannot read: {e}"));
    let file = std::fs::File::open(&prepared.path).map_err(cannot)?;
    let asked = options.pipeline.as_deref().map(str::trim);
    let mut pipelines: BTreeMap<String, u64> = BTreeMap::new();
    let (mut others, mut no_history, mut no_pipeline) = (0u64, 0u64, 0u64);
    let mut measured: Option<String> = None;
    let mut details = DetailsFile::new(name, &prepared.read.budget.temp_dir)?;
    Canonical::write(prepared, name, |push| {
        json::read_items(file, name, &mut |entry| {
            let Entry::Item(deal) = entry else {
                return Ok(());
            };
            let Some(id) = text_at(&deal, "/id") else {
                return Err(Error::new(
                    "a deal without an `id`: is the file the response of GET /crm/v3/objects/deals?".to_owned(),
                ));
            };
            match text_at(&deal, "/properties/pipeline") {
                Some(pipeline) => {
                    let shown = label(&pipeline, |l| &l.pipelines);
                    *pipelines.entry(shown.clone()).or_default() += 1;
                    if asked.is_some_and(|a| {
                        !a.eq_ignore_ascii_case(&shown) && !a.eq_ignore_ascii_case(&pipeline)
                    }) {
                        others += 1;
                        return Ok(());
                    }
                    measured.get_or_insert(shown);
                }
                None => no_pipeline += 1,
            }
            let property = |key: &str| deal.pointer(&format!("/properties/{key}"))?.as_str();
            details.add(
                &id,
                [
                    property("dealname"),
                    property("hubspot_owner_id"),
                    property("amount"),
                ],
            )?;
            let Some(versions) = deal
                .pointer("/propertiesWithHistory/dealstage")
                .and_then(Value::as_array)
            else {
                no_history += 1;
                return Ok(());
            };
            for version in versions {
                let (Some(stage), Some(at)) =
                    (text_at(version, "/value"), text_at(version, "/timestamp"))
                else {
                    continue;
                };
                let when = parse_instant(at.as_bytes(), &Zone::utc()).map_err(|why| {
                    Error::new(format!(
                        "deal {}: the `dealstage` timestamp `{}` {why}",
                        history::short(&id),
                        history::short(&at)
                    ))
                })?;
                push(id.as_bytes(), label(&stage, |l| &l.stages).as_bytes(), when)?;
            }
            Ok(())
        })
    })?;
    details.finish(prepared)?;
    if asked.is_some() && no_pipeline > 0 && pipelines.is_empty() {
        return Err(Error::new(format!(
            "{name}: the deals do not say their pipeline, so --pipeline cannot pick one\n  help: request them with `properties=pipeline` as well as `propertiesWithHistory=dealstage`"
        )));
    }
    if asked.is_none() && pipelines.len() > 1 {
        let listed: Vec<String> = pipelines
            .iter()
            .map(|(p, n)| format!("`{p}` ({})", counted(Locale::En, *n, DEALS)))
            .collect();
        return Err(Error::new(format!(
            "{name}: the deals are in {} pipelines ({}); a playbook measures one\n  help: pass --pipeline NAME{}",
            pipelines.len(),
            listed.join(", "),
            if labels.is_none() {
                " (the pipeline's id, or its label with --stages)"
            } else {
                ""
            }
        )));
    }
    if others > 0 {
        let note = prepared.say(
            "note_other_pipelines_api",
            &[
                ("deals", &prepared.count(others, DEALS)),
                (
                    "pipeline",
                    &measured.as_deref().or(asked).unwrap_or_default(),
                ),
            ],
        );
        prepared.shape.notes.push(note);
    }
    if labels.is_none() {
        let note = prepared.say("note_hubspot_ids", &[]);
        prepared.shape.notes.push(note);
    }
    if no_history > 0 {
        let warning = prepared.say(
            "warn_no_history",
            &[
                ("deals", &prepared.count(no_history, DEALS)),
                ("name", &name),
            ],
        );
        prepared.shape.warnings.push(warning);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stage_and_pipeline_from_a_column_title() {
        assert_eq!(
            entered_column("Date entered \"Contract Sent (Sales Pipeline)\""),
            Some(("Contract Sent", "Sales Pipeline"))
        );
        assert_eq!(
            entered_column("date entered \"Demo (EU) (Renewals)\""),
            Some(("Demo (EU)", "Renewals"))
        );
        assert_eq!(entered_column("Date exited \"Won (Sales Pipeline)\""), None);
        assert_eq!(entered_column("Deal Stage"), None);
    }
}

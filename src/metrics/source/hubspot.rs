//! HubSpot's deals export: one row per deal, the time it entered each stage in a column of its
//! own, `Date entered "<stage label> (<pipeline label>)"`.
//!
//! HubSpot keeps in those columns the latest time a deal entered each stage: a deal sent back
//! and moved on again shows only its last visit.

use std::collections::BTreeMap;

use super::{Canonical, Clock, Prepared, SourceOptions, count, default_column, rename, samples};
use crate::metrics::Error;
use crate::metrics::history::{self, Columns};

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
    let sampled = samples(&path, name, delimiter, |_| columns.clone())?;
    let clock = Clock::new(&prepared.read, name, &sampled)?;
    let mut others: BTreeMap<String, u64> = BTreeMap::new();
    let mut undated = 0u64;
    let mut record = csv::ByteRecord::new();
    Canonical::write(prepared, name, |push| {
        loop {
            match history::next_record(&mut reader, &mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(rename(&e.describe(&path, 0), &path, name)),
            }
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
                let when = clock.read(text, name, line, title)?;
                push(value(deal), stage.as_bytes(), when)?;
                dated = true;
            }
            if !dated {
                undated += 1;
            }
        }
        Ok(())
    })?;
    if !others.is_empty() {
        let deals: u64 = others.values().sum();
        let listed: Vec<String> = others
            .iter()
            .take(5)
            .map(|(p, n)| format!("{p}: {n}"))
            .collect();
        prepared.shape.notes.push(format!(
            "left out: {} of other pipelines ({}{}); pipeline measured: {pipeline}",
            count(deals, "deal"),
            listed.join(", "),
            if others.len() > 5 { ", …" } else { "" }
        ));
    }
    if undated > 0 {
        prepared.shape.warnings.push(format!(
            "{} of pipeline {pipeline} in {name} have no `Date entered` time in any stage and are left out: were the export's `Date entered \"<stage> ({pipeline})\"` columns chosen?",
            count(undated, "deal")
        ));
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

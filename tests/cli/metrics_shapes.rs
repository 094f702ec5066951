//! One generated pipeline written in every CRM shape that holds each change (a stage history,
//! HubSpot's API deals, Pipedrive's deal flow, Salesforce's field history) gives the same
//! metrics: a property test over random pipelines.

use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;
use stagebook::metrics::source::SourceOptions;
use stagebook::metrics::time::PeriodKind;
use stagebook::metrics::{Options, measure_history};

use super::metrics::{options, playbook};

/// The open stages of the metrics fixture playbook, in order.
const OPEN: [&str; 6] = [
    "prospecting",
    "discovery",
    "demo",
    "business-case",
    "proposal",
    "negotiation",
];

/// A deal: when it began (seconds after the first day) and its stages with the gap before
/// each, the last one possibly `won` or `lost`.
#[derive(Debug, Clone)]
struct Deal {
    start: i64,
    steps: Vec<(usize, i64)>,
    end: Option<bool>,
}

/// 1 January 2026, 00:00 UTC.
const DAY_ONE: i64 = 1_767_225_600;

fn deal() -> impl Strategy<Value = Deal> {
    (
        0..90 * 86_400i64,
        prop::collection::vec((0..OPEN.len(), 3_600..12 * 86_400i64), 1..6),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(start, mut steps, end)| {
            // No stage twice in a row: a repeat is no change.
            steps.dedup_by_key(|(stage, _)| *stage);
            Deal { start, steps, end }
        })
        // Every deal changes stage at least once: field history cannot place one that never did.
        .prop_filter("a deal that changes stage", |d| {
            d.steps.len() + usize::from(d.end.is_some()) >= 2
        })
}

/// Each deal's changes: (instant, stage id).
fn events(deal: &Deal) -> Vec<(i64, &'static str)> {
    let mut at = DAY_ONE + deal.start;
    let mut out = Vec::new();
    for (i, (stage, gap)) in deal.steps.iter().enumerate() {
        if i > 0 {
            at += gap;
        }
        out.push((at, OPEN[*stage]));
    }
    if let Some(won) = deal.end {
        at += 86_400;
        out.push((at, if won { "won" } else { "lost" }));
    }
    out
}

fn iso(at: i64) -> String {
    jiff::Timestamp::from_second(at).unwrap().to_string()
}

fn plain(at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .unwrap()
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn stage_history(deals: &[Deal]) -> String {
    let mut out = String::from("deal_id,stage,entered_at\n");
    for (n, deal) in deals.iter().enumerate() {
        for (at, stage) in events(deal) {
            let _ = writeln!(out, "D{n},{stage},{}", iso(at));
        }
    }
    out
}

fn hubspot_api(deals: &[Deal]) -> String {
    let results: Vec<serde_json::Value> = deals
        .iter()
        .enumerate()
        .map(|(n, deal)| {
            let versions: Vec<serde_json::Value> = events(deal)
                .iter()
                .rev()
                .map(|(at, stage)| serde_json::json!({"value": stage, "timestamp": iso(*at)}))
                .collect();
            serde_json::json!({
                "id": format!("D{n}"),
                "properties": {"pipeline": "default"},
                "propertiesWithHistory": {"dealstage": versions},
            })
        })
        .collect();
    serde_json::json!({ "results": results }).to_string()
}

fn pipedrive_flow(deals: &[Deal]) -> String {
    let id = |stage: &str| OPEN.iter().position(|s| *s == stage).unwrap() + 1;
    let responses: Vec<serde_json::Value> = deals
        .iter()
        .enumerate()
        .map(|(n, deal)| {
            let events = events(deal);
            let item = format!("D{n}");
            let change = |key: &str, old: serde_json::Value, new: serde_json::Value, at: i64| {
                serde_json::json!({"object": "dealChange", "timestamp": plain(at), "data": {
                    "item_id": item, "field_key": key, "old_value": old, "new_value": new,
                    "log_time": plain(at)}})
            };
            let mut data = vec![change(
                "add_time",
                serde_json::Value::Null,
                plain(events[0].0).into(),
                events[0].0,
            )];
            let mut current = events[0].1;
            for &(at, stage) in &events[1..] {
                if matches!(stage, "won" | "lost") {
                    data.push(change("status", "open".into(), stage.into(), at));
                } else {
                    data.push(change(
                        "stage_id",
                        id(current).to_string().into(),
                        id(stage).to_string().into(),
                        at,
                    ));
                    current = stage;
                }
            }
            data.reverse();
            serde_json::json!({"success": true, "data": data, "related_objects": {
                "deal": {item.clone(): {"id": item, "stage_id": id(current)}}}})
        })
        .collect();
    serde_json::Value::Array(responses).to_string()
}

fn pipedrive_stages() -> String {
    let stages: Vec<serde_json::Value> = OPEN
        .iter()
        .enumerate()
        .map(|(i, stage)| serde_json::json!({"id": i + 1, "name": stage}))
        .collect();
    serde_json::json!({"success": true, "data": stages}).to_string()
}

fn field_history(deals: &[Deal]) -> String {
    let mut out = String::from("OpportunityId,CreatedDate,Field,OldValue,NewValue\n");
    for (n, deal) in deals.iter().enumerate() {
        let events = events(deal);
        let _ = writeln!(out, "D{n},{},created,,", iso(events[0].0));
        for pair in events.windows(2) {
            let (at, new) = pair[1];
            let _ = writeln!(out, "D{n},{},StageName,{},{new}", iso(at), pair[0].1);
            let _ = writeln!(out, "D{n},{},Amount,100,200", iso(at));
        }
    }
    out
}

/// The report's numbers as JSON, without what names the file and its shape.
fn measured(dir: &Path, file: &str, text: &str, source: &SourceOptions) -> serde_json::Value {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    let options = Options {
        period: Some(PeriodKind::Month),
        ..options(path)
    };
    let report = measure_history(&playbook(), &options, source, file)
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut json = serde_json::to_value(&report).unwrap();
    let input = json["input"].as_object_mut().unwrap();
    for key in ["history", "source", "notes", "time_format"] {
        input.remove(key);
    }
    json
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_shape_of_one_pipeline_gives_the_same_metrics(deals in prop::collection::vec(deal(), 1..12)) {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let none = SourceOptions::default();
        let long = measured(dir, "history.csv", &stage_history(&deals), &none);
        let hubspot = measured(dir, "deals.json", &hubspot_api(&deals), &none);
        std::fs::write(dir.join("stages.json"), pipedrive_stages()).unwrap();
        let with_stages = SourceOptions {
            stages: Some(dir.join("stages.json")),
            ..SourceOptions::default()
        };
        let pipedrive = measured(dir, "flow.json", &pipedrive_flow(&deals), &with_stages);
        let field = measured(dir, "field-history.csv", &field_history(&deals), &none);
        prop_assert_eq!(&long, &hubspot);
        prop_assert_eq!(&long, &pipedrive);
        prop_assert_eq!(&long, &field);
    }
}

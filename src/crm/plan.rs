//! `crm plan` for the CRMs whose stages are updated one by one through their API (HubSpot,
//! Pipedrive): what deploying the playbook's pipeline would change, stage by stage, from what
//! `crm diff` finds between the playbook and the pipeline retrieved. Stages are matched by
//! the CRM's own id first (a renamed stage is an update, never a delete and a create), and a
//! stage the playbook does not name is kept: the plan says which call would delete it instead.

use serde_json::Value;

use super::Target;
use super::diff::{self, Difference, Kind};
use super::merge::{Change, FieldChange, Plan};
use crate::emit::words::{capped, plural};

/// The plan for `target` from the differences `crm diff` found between the playbook and the
/// `retrieved` stages of the pipeline.
pub(crate) fn from_differences(
    target: Target,
    differences: &[Difference],
    retrieved: usize,
) -> Plan {
    let mut changes: Vec<Change> = Vec::new();
    let mut kept = Vec::new();
    for difference in differences {
        let field = |name: &'static str| FieldChange {
            field: name,
            from: diff::words(difference.crm.as_ref(), difference.kind),
            to: diff::words(difference.playbook.as_ref(), difference.kind),
        };
        let update = match difference.kind {
            Kind::Missing => {
                changes.push(Change::Add {
                    value: difference.name.clone(),
                    what: "a new stage".to_owned(),
                });
                continue;
            }
            Kind::Extra => {
                kept.push(difference.name.clone());
                continue;
            }
            Kind::Renamed => field("label"),
            Kind::Reordered => field("position"),
            Kind::Probability => field("probability"),
            Kind::Closed => field("closed"),
            Kind::Won => field("won"),
            Kind::Forecast => field("forecastCategory"),
        };
        // One update a stage, with every field that changes; named as the CRM names it now.
        let current = match (difference.kind, &difference.crm) {
            (Kind::Renamed, Some(Value::String(label))) => label.clone(),
            _ => difference.name.clone(),
        };
        let same_stage = |change: &Change| match change {
            Change::Update { value, fields } => {
                *value == current
                    || fields
                        .iter()
                        .any(|f| f.field == "label" && f.to == difference.name)
            }
            _ => false,
        };
        match changes.iter_mut().rev().find(|c| same_stage(c)) {
            Some(Change::Update { fields, .. }) => fields.push(update),
            _ => changes.push(Change::Update {
                value: current,
                fields: vec![update],
            }),
        }
    }
    let notes = notes(target, &kept, retrieved - kept.len().min(retrieved));
    Plan {
        playbooks: 1,
        changes,
        kept,
        aliases: Vec::new(),
        notes,
        crm: target.name(),
        plain_export_deactivates: Vec::new(),
    }
}

/// How to deploy in `target` without losing the stages the playbook does not name (`kept`)
/// or doubling the `matched` ones it does.
fn notes(target: Target, kept: &[String], matched: usize) -> Vec<String> {
    let listed = capped(kept, 10, |n| format!("`{n}`"));
    match target.id() {
        "hubspot" => {
            let mut notes = vec![
                "deploy stage by stage: PATCH /crm/v3/pipelines/deals/{pipelineId}/stages/{stageId} for a change, POST …/stages for a new stage (`crm export --merge-with` writes those calls); the stage ids keep deals where they are".to_owned(),
            ];
            if !kept.is_empty() {
                notes.push(format!(
                    "a PUT of the whole `hubspot-pipeline.json` replaces the pipeline and deletes the {} it leaves out ({listed}); if you must, add ?validateDealStageUsagesBeforeDelete=true so HubSpot refuses while deals sit in them",
                    plural(kept.len(), "stage")
                ));
            }
            notes
        }
        "pipedrive" if matched > 0 => vec![format!(
            "deploy stage by stage: PATCH /api/v2/stages/{{id}} for a change, POST /api/v2/stages for a new stage (`crm export --merge-with` writes those calls); posting every body of the plain export would add a second copy of the {} the pipeline already has",
            plural(matched, "stage")
        )],
        _ => Vec::new(),
    }
}

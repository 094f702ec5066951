//! `crm export --merge-with` for HubSpot and Pipedrive: the API calls that bring a live
//! pipeline to the playbook, stage by stage. A stage the pipeline has is updated by its id
//! (HubSpot keeps its deals in it, Pipedrive too), a stage it lacks is created, and nothing is
//! deleted: the whole-pipeline bodies of a plain export would replace (HubSpot) or duplicate
//! (Pipedrive) what is there. The calls are the plan (`crm plan`) made executable, in order.

use std::collections::HashSet;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use super::diff::{self, ActualStage, Difference, Kind};
use super::{OutputFile, Target, hubspot, pipedrive, stages};
use crate::emit::words::capped;
use crate::model::PlaybookFile;

/// The file of HubSpot's calls.
pub(crate) const HUBSPOT_FILE: &str = "hubspot-stage-calls.json";
/// The file of Pipedrive's calls.
pub(crate) const PIPEDRIVE_FILE: &str = "pipedrive-stage-calls.json";

/// One API call: send `body` with `method` to `path` (relative to the API's host).
#[derive(Debug, Serialize)]
struct Call {
    /// The playbook stage it is for.
    stage: String,
    method: &'static str,
    path: String,
    body: Value,
}

/// The calls that deploy `playbook` into the pipeline retrieved as `actual`, given the
/// `differences` `crm diff` found between them, and what no call can do (one sentence each);
/// an error when a call cannot be addressed (a stage or pipeline without its id in the
/// response).
pub(crate) fn calls(
    target: Target,
    playbook: &PlaybookFile,
    actual: &[ActualStage],
    differences: &[Difference],
) -> Result<(OutputFile, Vec<String>), String> {
    let changed: HashSet<&str> = differences
        .iter()
        .filter(|d| !matches!(d.kind, Kind::Missing | Kind::Extra))
        .filter_map(|d| d.stage.as_deref())
        .collect();
    let crm = stages(playbook);
    let pipeline = actual
        .iter()
        .find_map(|a| a.pipeline.clone())
        .or_else(|| configured_pipeline(target, playbook));
    let mut out = Vec::new();
    for (order, (index, found)) in diff::matched(target, playbook, actual)
        .into_iter()
        .enumerate()
    {
        let stage = &playbook.stages[index];
        let id = stage.id.to_string();
        let existing = match found {
            Some(a) if changed.contains(id.as_str()) => {
                Some(actual[a].id.clone().ok_or_else(|| {
                    format!(
                        "the response gives no id for the stage `{}`",
                        actual[a].label
                    )
                })?)
            }
            Some(_) => continue,
            None => None,
        };
        let pipeline = || {
            pipeline.clone().ok_or_else(|| {
                "the pipeline's id is unknown: fetch the pipeline with its stages, or set it in the playbook's `crm` settings".to_owned()
            })
        };
        let call = match target.id() {
            "hubspot" => {
                let crm_stage = crm
                    .iter()
                    .find(|s| s.index == index)
                    .expect("matched stages are the CRM's stages");
                let body = hubspot::stage_body(playbook, crm_stage, order);
                let base = format!("/crm/v3/pipelines/deals/{}/stages", pipeline()?);
                match existing {
                    Some(stage_id) => Call {
                        stage: id,
                        method: "PATCH",
                        path: format!("{base}/{stage_id}"),
                        body,
                    },
                    None => Call {
                        stage: id,
                        method: "POST",
                        path: base,
                        body,
                    },
                }
            }
            _ => match existing {
                Some(stage_id) => Call {
                    stage: id,
                    method: "PATCH",
                    path: format!("/api/v2/stages/{stage_id}"),
                    body: pipedrive::stage_body(playbook, stage, None),
                },
                None => Call {
                    stage: id,
                    method: "POST",
                    path: "/api/v2/stages".to_owned(),
                    body: pipedrive::stage_body(
                        playbook,
                        stage,
                        Some(
                            pipeline()?
                                .parse()
                                .map_err(|_| "the pipeline's id is not a number".to_owned())?,
                        ),
                    ),
                },
            },
        };
        out.push(call);
    }
    let mut contents = serde_json::to_string_pretty(&out).expect("the calls serialize");
    contents.push('\n');
    // Pipedrive's stage bodies (API v2) carry no position.
    let moved: Vec<String> = differences
        .iter()
        .filter(|d| d.kind == Kind::Reordered && target.id() == "pipedrive")
        .map(|d| d.name.clone())
        .collect();
    let mut left = Vec::new();
    if !moved.is_empty() {
        left.push(format!(
            "Pipedrive's API takes no stage order: drag {} into place in the pipeline's settings",
            capped(&moved, 10, |n| format!("`{n}`"))
        ));
    }
    let file = OutputFile {
        path: PathBuf::from(if target.id() == "hubspot" {
            HUBSPOT_FILE
        } else {
            PIPEDRIVE_FILE
        }),
        contents,
    };
    Ok((file, left))
}

/// The pipeline id the playbook gives for `target`.
fn configured_pipeline(target: Target, playbook: &PlaybookFile) -> Option<String> {
    let crm = playbook.playbook.crm.as_ref()?;
    match target.id() {
        "hubspot" => crm.hubspot.as_ref()?.pipeline_id.clone(),
        "pipedrive" => crm.pipedrive.as_ref()?.pipeline_id.map(|id| id.to_string()),
        _ => None,
    }
}

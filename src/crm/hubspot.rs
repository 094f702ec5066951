//! HubSpot target: the JSON body of the CRM pipelines API for a deal pipeline
//! (`POST /crm/v3/pipelines/deals`, or `PUT …/deals/{pipelineId}` to replace one).
//!
//! HubSpot keeps a stage's probability as a *string* between "0.0" and "1.0" in steps of 0.1,
//! and `isClosed` as the string "true" or "false". It has no place for guidance, exit events or
//! durations.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::diff::ActualStage;
use super::{CrmStage, CrmTarget, Expected, Layout, OutputFile, stages};
use crate::model::{PlaybookCrm, PlaybookFile};

/// The file `crm export --target hubspot` writes.
pub(crate) const FILE: &str = "hubspot-pipeline.json";

/// HubSpot stores stage probabilities in steps of 0.1.
pub(crate) const PROBABILITY_STEP: u8 = 10;
/// Longest HubSpot pipeline label (legacy API documentation; unconfirmed for v3).
pub(crate) const PIPELINE_LABEL_MAX: usize = 36;
/// Most stages in one HubSpot pipeline (legacy API documentation; unconfirmed for v3).
pub(crate) const MAX_STAGES: usize = 100;

/// HubSpot: a deal pipeline.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Hubspot;

impl CrmTarget for Hubspot {
    fn id(&self) -> &'static str {
        "hubspot"
    }

    fn name(&self) -> &'static str {
        "HubSpot"
    }

    fn about(&self) -> &'static str {
        "HubSpot: a deal pipeline, as the pipelines API body"
    }

    fn named_in(&self, crm: &PlaybookCrm) -> bool {
        crm.hubspot.is_some()
    }

    fn closes_by_probability(&self) -> bool {
        true
    }

    fn requires_probability(&self) -> bool {
        true
    }

    fn probability_step(&self) -> Option<u8> {
        Some(PROBABILITY_STEP)
    }

    fn pipeline_label_max(&self) -> Option<usize> {
        Some(PIPELINE_LABEL_MAX)
    }

    fn max_stages(&self) -> Option<usize> {
        Some(MAX_STAGES)
    }

    fn export(&self, playbook: &PlaybookFile, _: Layout) -> Vec<OutputFile> {
        vec![export(playbook)]
    }

    fn read_retrieved(
        &self,
        input: &mut dyn io::Read,
        playbook: &PlaybookFile,
    ) -> Result<Vec<ActualStage>, String> {
        read_retrieved(input, playbook)
    }

    fn expected(&self, playbook: &PlaybookFile, stage: &CrmStage) -> Expected {
        Expected {
            id: playbook.stages[stage.index]
                .crm
                .as_ref()
                .and_then(|c| c.hubspot.as_ref())
                .and_then(|h| h.stage_id.clone()),
            probability: Some(stored_probability(playbook, stage.index)),
            closed: Some(stage.closed()),
            won: Some(stage.won()),
            forecast: None,
        }
    }
}

/// `PipelineInput`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PipelineInput<'a> {
    label: &'a str,
    display_order: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pipeline_id: Option<&'a str>,
    stages: Vec<StageInput<'a>>,
}

/// `PipelineStageInput`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StageInput<'a> {
    label: &'a str,
    display_order: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage_id: Option<&'a str>,
    metadata: StageMetadata,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StageMetadata {
    is_closed: String,
    probability: String,
}

/// Rounds a percentage to the nearest step HubSpot stores (10%), halves up.
pub(crate) fn round_probability(percent: u8) -> u8 {
    super::round_probability(percent, PROBABILITY_STEP)
}

/// The probability string HubSpot expects for a percentage: `"0.3"`, `"1.0"`.
pub(crate) fn probability_string(percent: u8) -> String {
    let tenths = round_probability(percent) / 10;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// The probability used for each open stage without one, by stage index: evenly spaced along
/// the open stages, rounded to HubSpot's steps.
pub(crate) fn open_probabilities(playbook: &PlaybookFile) -> HashMap<usize, u8> {
    super::open_probabilities(playbook, Some(PROBABILITY_STEP))
}

/// The stage's probability as HubSpot will hold it, in percent: an open stage's never rounds
/// to 0 or 100 ([`super::round_open_probability`]).
pub(crate) fn stored_probability(playbook: &PlaybookFile, index: usize) -> u8 {
    let crm = &stages(playbook)[index];
    stored(crm, &open_probabilities(playbook))
}

fn stored(stage: &CrmStage, guesses: &HashMap<usize, u8>) -> u8 {
    match (stage.probability, stage.closed()) {
        (Some(p), true) => round_probability(p),
        (Some(p), false) => super::round_open_probability(p, PROBABILITY_STEP),
        (None, _) => guesses.get(&stage.index).copied().unwrap_or(0),
    }
}

/// One stage's body for the stages API (`PipelineStageInput`, also the body of a PATCH): its
/// label, position and closed flag and probability as HubSpot will hold them.
pub(crate) fn stage_body(playbook: &PlaybookFile, stage: &CrmStage, order: usize) -> Value {
    let guesses = open_probabilities(playbook);
    serde_json::to_value(StageInput {
        label: &stage.label,
        display_order: order,
        stage_id: None,
        metadata: StageMetadata {
            is_closed: stage.closed().to_string(),
            probability: probability_string(stored(stage, &guesses)),
        },
    })
    .expect("a stage serializes")
}

/// The pipeline body.
pub(crate) fn export(playbook: &PlaybookFile) -> OutputFile {
    let settings = playbook
        .playbook
        .crm
        .as_ref()
        .and_then(|c| c.hubspot.as_ref());
    let guesses = open_probabilities(playbook);
    let crm = stages(playbook);
    let body = PipelineInput {
        label: &playbook.playbook.name,
        display_order: settings.and_then(|s| s.display_order).unwrap_or(0),
        pipeline_id: settings.and_then(|s| s.pipeline_id.as_deref()),
        stages: crm
            .iter()
            .enumerate()
            .map(|(order, s)| StageInput {
                label: &s.label,
                display_order: order,
                stage_id: playbook.stages[s.index]
                    .crm
                    .as_ref()
                    .and_then(|c| c.hubspot.as_ref())
                    .and_then(|h| h.stage_id.as_deref()),
                metadata: StageMetadata {
                    is_closed: s.closed().to_string(),
                    probability: probability_string(stored(s, &guesses)),
                },
            })
            .collect(),
    };
    let mut contents = serde_json::to_string_pretty(&body).expect("the pipeline serializes");
    contents.push('\n');
    OutputFile {
        path: PathBuf::from(FILE),
        contents,
    }
}

/// The help line of an error body.
const ERROR_HELP: &str = "\n  help: fetch the pipelines again with a valid access token (`GET /crm/v3/pipelines/deals`) and pass that file";

/// A pipelines API response, and each pipeline in its `results`: either a list (`results`),
/// one pipeline (its fields at the top), or an error body. One type for all three, read
/// straight from the file into these few fields (everything else is skipped as it streams by;
/// `#[serde(flatten)]` would buffer the whole document first), so memory stays near the size
/// of the stages kept.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pipeline {
    #[serde(default)]
    results: Option<Vec<Pipeline>>,
    /// `pipelineId` in a request body, which reads back too.
    #[serde(default, alias = "pipelineId")]
    id: Option<String>,
    #[serde(default)]
    label: String,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    stages: Option<Vec<PipelineStage>>,
    /// `"error"` in an error body (`{"status": "error", "message": …}`).
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PipelineStage {
    #[serde(default, alias = "stageId")]
    id: Option<String>,
    label: String,
    #[serde(default)]
    display_order: i64,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    metadata: Metadata,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    #[serde(default)]
    is_closed: Option<Scalar>,
    #[serde(default)]
    probability: Option<Scalar>,
    /// `OPEN` / `CLOSED` on a tickets pipeline's stages, which deal stages never have.
    #[serde(default)]
    ticket_state: Option<IgnoredAny>,
}

/// A metadata value: HubSpot writes strings, but numbers and booleans read as well.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Number(serde_json::Number),
    Flag(bool),
    Other(IgnoredAny),
}

impl Scalar {
    fn text(&self) -> Option<String> {
        match self {
            Self::Text(v) => Some(v.clone()),
            Self::Number(n) => Some(n.to_string()),
            Self::Flag(b) => Some(b.to_string()),
            Self::Other(_) => None,
        }
    }
}

/// Reads the deal stages of this playbook's pipeline from a pipelines API response: either
/// `GET /crm/v3/pipelines/deals` (`{"results": [...]}`) or one pipeline
/// (`GET …/deals/{pipelineId}`). The pipeline is picked by `crm.hubspot.pipeline_id`, else by
/// the playbook's name, else the only one. An error body (`{"status": "error", …}`) is an
/// error, not a pipeline without stages.
pub(crate) fn read_retrieved(
    input: &mut dyn io::Read,
    playbook: &PlaybookFile,
) -> Result<Vec<ActualStage>, String> {
    let response: Pipeline = serde_json::from_reader(io::BufReader::new(input))
        .map_err(|e| format!("not a HubSpot pipelines response: {e}"))?;
    let pipelines = match response {
        Pipeline {
            status: Some(status),
            message,
            ..
        } if status == "error" => {
            return Err(format!(
                "HubSpot answered with an error, not pipelines: {}{ERROR_HELP}",
                message.as_deref().unwrap_or("no message")
            ));
        }
        Pipeline {
            results: Some(results),
            ..
        } => results,
        pipeline @ Pipeline {
            stages: Some(_), ..
        } => vec![pipeline],
        Pipeline {
            message: Some(message),
            ..
        } => {
            return Err(format!(
                "HubSpot answered with an error, not pipelines: {message}{ERROR_HELP}"
            ));
        }
        Pipeline { .. } => {
            return Err(
                "not a HubSpot pipelines response: it has neither `results` nor `stages`"
                    .to_string(),
            );
        }
    };
    let pipelines: Vec<Pipeline> = pipelines.into_iter().filter(|p| !p.archived).collect();
    let tickets = |p: &Pipeline| {
        p.stages
            .iter()
            .flatten()
            .any(|s| s.metadata.ticket_state.is_some())
    };
    if !pipelines.is_empty() && pipelines.iter().all(tickets) {
        return Err(format!(
            "the response holds tickets pipelines (their stages have a `ticketState`), not deal pipelines{}",
            ERROR_HELP.replace("with a valid access token ", "")
        ));
    }
    let wanted_id = playbook
        .playbook
        .crm
        .as_ref()
        .and_then(|c| c.hubspot.as_ref())
        .and_then(|h| h.pipeline_id.as_deref());
    let pipeline = match wanted_id {
        Some(id) => pipelines.iter().find(|p| p.id.as_deref() == Some(id)),
        None => pipelines
            .iter()
            .find(|p| p.label == playbook.playbook.name)
            .or_else(|| (pipelines.len() == 1).then(|| &pipelines[0])),
    };
    let Some(pipeline) = pipeline else {
        let labels: Vec<String> = pipelines
            .iter()
            .map(|p| format!("`{}` (id {})", p.label, p.id.as_deref().unwrap_or("?")))
            .collect();
        return Err(format!(
            "no pipeline {} in the response (it has {}); set `crm.hubspot.pipeline_id` in the playbook",
            wanted_id.map_or_else(
                || format!("called `{}`", playbook.playbook.name),
                |id| format!("with id `{id}`")
            ),
            if labels.is_empty() {
                "none".to_string()
            } else {
                labels.join(", ")
            }
        ));
    };
    let mut stages: Vec<&PipelineStage> = pipeline
        .stages
        .iter()
        .flatten()
        .filter(|s| !s.archived)
        .collect();
    // HubSpot sorts stages by displayOrder, ties by label.
    stages.sort_by(|a, b| (a.display_order, &a.label).cmp(&(b.display_order, &b.label)));
    Ok(stages
        .into_iter()
        .map(|s| {
            let closed = s
                .metadata
                .is_closed
                .as_ref()
                .and_then(Scalar::text)
                .and_then(|v| v.parse::<bool>().ok());
            let probability = s
                .metadata
                .probability
                .as_ref()
                .and_then(Scalar::text)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|p| (0.0..=1.0).contains(p))
                // In range after the filter, so the cast cannot truncate.
                .map(|p| {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let percent = (p * 100.0).round() as u8;
                    percent
                });
            ActualStage {
                id: s.id.clone(),
                label: s.label.clone(),
                probability,
                closed,
                // HubSpot says a closed stage is won by its probability of 1.0.
                won: closed.map(|c| c && probability == Some(100)),
                forecast: None,
                pipeline: pipeline.id.clone(),
            }
        })
        .collect())
}

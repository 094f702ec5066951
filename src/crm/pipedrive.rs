//! Pipedrive target: the body of the pipeline (`POST /api/v2/pipelines`) and the bodies of its
//! stages, in order (`POST /api/v2/stages`, one call each, in the order of the list: Pipedrive
//! orders stages by creation).
//!
//! Won and lost are a deal's *status* in Pipedrive, not stages, so closing stages are not
//! exported (each one is reported as a note). The only use of a stage's expected duration is
//! Pipedrive's rotting alert: a deal idle longer than the duration is marked as rotting.

use std::fmt;
use std::io;
use std::path::PathBuf;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::diff::ActualStage;
use super::{CrmStage, CrmTarget, Expected, Layout, OutputFile};
use crate::model::{PipedrivePlaybook, PlaybookCrm, PlaybookFile, Stage};

/// Pipedrive: a pipeline and its stages.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Pipedrive;

impl CrmTarget for Pipedrive {
    fn id(&self) -> &'static str {
        "pipedrive"
    }

    fn name(&self) -> &'static str {
        "Pipedrive"
    }

    fn about(&self) -> &'static str {
        "Pipedrive: a pipeline and its stages, as API bodies"
    }

    fn named_in(&self, crm: &PlaybookCrm) -> bool {
        crm.pipedrive.is_some()
    }

    fn holds_closing_stages(&self) -> bool {
        false
    }

    fn export(&self, playbook: &PlaybookFile, _: Layout) -> Vec<OutputFile> {
        export(playbook)
    }

    fn read_retrieved(
        &self,
        input: &mut dyn io::Read,
        playbook: &PlaybookFile,
    ) -> Result<Vec<ActualStage>, String> {
        read_retrieved(input, playbook)
    }

    fn expected(&self, _: &PlaybookFile, stage: &CrmStage) -> Expected {
        Expected {
            probability: stage.probability,
            ..Expected::default()
        }
    }
}

/// The pipeline body's file.
pub(crate) const PIPELINE_FILE: &str = "pipedrive-pipeline.json";
/// The stage bodies' file: a JSON array, in creation order.
pub(crate) const STAGES_FILE: &str = "pipedrive-stages.json";

/// `AddPipelineRequest` (API v2).
#[derive(Serialize)]
struct PipelineBody<'a> {
    name: &'a str,
    is_deal_probability_enabled: bool,
}

/// `AddStageRequest` (API v2). Without `crm.pipedrive.pipeline_id`, `pipeline_id` is left out:
/// add the id of the pipeline just created to each body before sending it.
#[derive(Serialize)]
struct StageBody<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pipeline_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deal_probability: Option<u8>,
    is_deal_rot_enabled: bool,
    /// Left out when rotting is off: an optional field is accepted absent, where `null` may
    /// not be.
    #[serde(skip_serializing_if = "Option::is_none")]
    days_to_rotten: Option<u32>,
}

fn settings(playbook: &PlaybookFile) -> PipedrivePlaybook {
    playbook
        .playbook
        .crm
        .as_ref()
        .and_then(|c| c.pipedrive.clone())
        .unwrap_or_default()
}

/// Days without progress before a deal in `stage` rots: `crm.pipedrive.rotten_days`, else the
/// expected duration rounded up to whole days; `None` when rotting is off or unknown.
pub(crate) fn rotten_days(playbook: &PlaybookFile, stage: &Stage) -> Option<u32> {
    if settings(playbook).rotting == Some(false) {
        return None;
    }
    let written = stage
        .crm
        .as_ref()
        .and_then(|c| c.pipedrive.as_ref())
        .and_then(|p| p.rotten_days);
    written.or_else(|| {
        stage
            .expected_duration
            .map(|d| u32::try_from(d.hours().div_ceil(24)).unwrap_or(u32::MAX))
    })
}

/// One stage's body for the stages API (`AddStageRequest`, also the body of an update).
pub(crate) fn stage_body(
    playbook: &PlaybookFile,
    stage: &Stage,
    pipeline_id: Option<u64>,
) -> Value {
    let days = rotten_days(playbook, stage);
    serde_json::to_value(StageBody {
        name: super::crm_label(stage),
        pipeline_id,
        deal_probability: stage.probability,
        is_deal_rot_enabled: days.is_some(),
        days_to_rotten: days,
    })
    .expect("a stage serializes")
}

/// The pipeline body and the ordered stage bodies.
pub(crate) fn export(playbook: &PlaybookFile) -> Vec<OutputFile> {
    let settings = settings(playbook);
    let open: Vec<&Stage> = playbook
        .stages
        .iter()
        .filter(|s| !s.is_terminal())
        .collect();
    let pipeline = PipelineBody {
        name: &playbook.playbook.name,
        is_deal_probability_enabled: open.iter().any(|s| s.probability.is_some()),
    };
    let stages: Vec<StageBody> = open
        .iter()
        .map(|stage| {
            let days = rotten_days(playbook, stage);
            StageBody {
                name: super::crm_label(stage),
                pipeline_id: settings.pipeline_id,
                deal_probability: stage.probability,
                is_deal_rot_enabled: days.is_some(),
                days_to_rotten: days,
            }
        })
        .collect();
    vec![
        OutputFile {
            path: PathBuf::from(PIPELINE_FILE),
            contents: pretty(&pipeline),
        },
        OutputFile {
            path: PathBuf::from(STAGES_FILE),
            contents: pretty(&stages),
        },
    ]
}

fn pretty(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("the bodies serialize");
    text.push('\n');
    text
}

#[derive(Deserialize)]
struct RetrievedStage {
    id: Option<Value>,
    name: String,
    #[serde(default)]
    order_nr: i64,
    #[serde(default)]
    pipeline_id: Option<u64>,
    /// A number in a stage; `true`/`false` in a pipeline (what a pipelines response holds).
    #[serde(default)]
    deal_probability: Option<Probability>,
    /// Whether deals rot in the stage (v2; v1 says `rotten_flag`): every stage has one, so an
    /// item with none of these fields is not a stage.
    #[serde(default)]
    is_deal_rot_enabled: Option<IgnoredAny>,
    #[serde(default)]
    rotten_flag: Option<IgnoredAny>,
    /// v2 name; v1 says `active_flag` instead.
    #[serde(default)]
    is_deleted: Option<bool>,
    #[serde(default)]
    active_flag: Option<bool>,
}

/// `deal_probability` as a stage or a pipeline writes it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Probability {
    Percent(u64),
    /// On or off: a pipeline's setting.
    #[allow(dead_code)]
    Flag(bool),
    Other(IgnoredAny),
}

/// A stages response, read straight from the file: `{"data": [...]}`, a bare list, or an error
/// body (`{"success": false, "error": …}`). Only the stages' few fields are kept; the rest is
/// skipped as it streams by.
enum Response {
    Stages(Vec<RetrievedStage>),
    Error(String),
    NoData,
}

impl<'de> Deserialize<'de> for Response {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ResponseVisitor)
    }
}

struct ResponseVisitor;

impl<'de> Visitor<'de> for ResponseVisitor {
    type Value = Response;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`{\"data\": [...]}` or a list of stages")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Response, A::Error> {
        Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Response::Stages)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Response, A::Error> {
        let mut data = None;
        let mut failed = false;
        let mut error = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "data" => data = map.next_value::<Option<Vec<RetrievedStage>>>()?,
                "success" => failed |= map.next_value::<Value>()? == Value::Bool(false),
                "status" => failed |= map.next_value::<Value>()?.as_str() == Some("error"),
                "error" | "message" if error.is_none() => {
                    error = match map.next_value::<Value>()? {
                        Value::String(text) => Some(text),
                        Value::Null => None,
                        other => Some(other.to_string()),
                    };
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(match (data, failed, error) {
            (Some(stages), false, _) => Response::Stages(stages),
            (_, true, error) | (None, _, error @ Some(_)) => {
                Response::Error(error.unwrap_or_else(|| "no message".to_string()))
            }
            (None, false, None) => Response::NoData,
        })
    }
}

/// Reads the stages from a stages response (`GET /api/v2/stages?pipeline_id=…`, or v1's
/// `GET /v1/stages`): `{"data": [...]}` or a bare array. With `crm.pipedrive.pipeline_id`, only
/// that pipeline's stages count. Deleted stages are left out; the rest sort by `order_nr`. An
/// error body is an error, not a pipeline without stages.
pub(crate) fn read_retrieved(
    input: &mut dyn io::Read,
    playbook: &PlaybookFile,
) -> Result<Vec<ActualStage>, String> {
    const HELP: &str = "\n  help: fetch the pipeline's stages (`GET /api/v2/stages?pipeline_id=…`) and pass that file";
    let response: Response = serde_json::from_reader(io::BufReader::new(input))
        .map_err(|e| format!("not a Pipedrive stages response: {e}"))?;
    let stages = match response {
        Response::Stages(stages) => stages,
        Response::Error(message) => {
            return Err(format!(
                "Pipedrive answered with an error, not stages: {message}\n  help: fetch the stages again with a valid API token (`GET /api/v2/stages?pipeline_id=…`) and pass that file"
            ));
        }
        Response::NoData => {
            return Err("not a Pipedrive stages response: it has no `data` list".to_string());
        }
    };
    if stages
        .iter()
        .any(|s| matches!(s.deal_probability, Some(Probability::Flag(_))))
    {
        return Err(format!(
            "this is a pipelines response (`deal_probability` is on or off), not the stages of one{HELP}"
        ));
    }
    if let Some(item) = stages.iter().find(|s| {
        s.pipeline_id.is_none()
            && s.deal_probability.is_none()
            && s.is_deal_rot_enabled.is_none()
            && s.rotten_flag.is_none()
    }) {
        return Err(format!(
            "`{}` is not a stage: it has no `pipeline_id`, `deal_probability` or rotting setting, which every stage has; the file holds another kind of record{HELP}",
            item.name
        ));
    }
    let wanted = settings(playbook).pipeline_id;
    let pipelines: std::collections::BTreeSet<u64> =
        stages.iter().filter_map(|s| s.pipeline_id).collect();
    if wanted.is_none() && pipelines.len() > 1 {
        return Err(format!(
            "the response holds stages of {} pipelines; set `crm.pipedrive.pipeline_id` in the playbook or fetch one pipeline's stages",
            pipelines.len()
        ));
    }
    let mut stages: Vec<RetrievedStage> = stages
        .into_iter()
        .filter(|s| wanted.is_none() || s.pipeline_id == wanted)
        .filter(|s| s.is_deleted != Some(true) && s.active_flag != Some(false))
        .collect();
    if stages.is_empty() {
        return Err(match wanted {
            Some(id) => format!(
                "the response holds no stage of pipeline {id} (`crm.pipedrive.pipeline_id`){HELP}"
            ),
            None => format!("the response holds no stage{HELP}"),
        });
    }
    stages.sort_by_key(|s| s.order_nr);
    Ok(stages
        .into_iter()
        .map(|s| ActualStage {
            id: s.id.map(|id| match id {
                Value::String(text) => text,
                other => other.to_string(),
            }),
            label: s.name,
            probability: match s.deal_probability {
                Some(Probability::Percent(p)) => u8::try_from(p).ok(),
                _ => None,
            },
            closed: None,
            won: None,
            forecast: None,
            pipeline: s.pipeline_id.map(|id| id.to_string()),
        })
        .collect())
}

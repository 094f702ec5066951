//! Salesforce target: a deployable metadata folder with `package.xml`, the `OpportunityStage`
//! standard value set (one value per stage, in playbook order) and a Sales Path
//! (`PathAssistant`) whose steps carry the playbook's guidance.
//!
//! Elements are written in the order of the Metadata API's WSDL (`xsd:sequence`), which is the
//! order a retrieve returns and the only one its schema accepts. The guidance is limited HTML
//! (`p`, `b`, `ul`, `li`) built from escaped playbook text, stored escaped once more by XML.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::diff::ActualStage;
use super::{CrmStage, CrmTarget, Expected, Layout, OutputFile, merge, stages};
use crate::emit::escape::html;
use crate::model::{
    ForecastCategory, Locale, PlaybookCrm, PlaybookFile, RequiredField, SalesforcePlaybook, Stage,
};

/// Most key fields Salesforce shows on one Sales Path step.
pub(crate) const MAX_KEY_FIELDS: usize = 5;
/// Longest Opportunity stage value Salesforce accepts (the `StageName` field holds 40).
pub(crate) const STAGE_NAME_MAX: usize = 40;
/// Provisional cap on a Sales Path step's guidance, markup included (not documented by
/// Salesforce; see CRM-FORMATS.md).
pub(crate) const GUIDANCE_MAX: usize = 4000;

/// Salesforce: the Opportunity stage picklist and a Sales Path.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Salesforce;

impl CrmTarget for Salesforce {
    fn id(&self) -> &'static str {
        "salesforce"
    }

    fn name(&self) -> &'static str {
        "Salesforce"
    }

    fn about(&self) -> &'static str {
        "Salesforce: Opportunity stages and a Sales Path, as a metadata folder"
    }

    fn named_in(&self, crm: &PlaybookCrm) -> bool {
        crm.salesforce.is_some()
    }

    fn closes_by_probability(&self) -> bool {
        true
    }

    fn stage_name_max(&self) -> Option<usize> {
        Some(STAGE_NAME_MAX)
    }

    fn export(&self, playbook: &PlaybookFile, layout: Layout) -> Vec<OutputFile> {
        export(playbook, layout)
    }

    fn retrieved_file(&self, source: &Path) -> io::Result<PathBuf> {
        find_stage_set(source)
    }

    fn read_retrieved(
        &self,
        input: &mut dyn io::Read,
        _: &PlaybookFile,
    ) -> Result<Vec<ActualStage>, String> {
        let mut text = String::new();
        input.read_to_string(&mut text).map_err(|e| e.to_string())?;
        read_retrieved(&text)
    }

    fn expected(&self, _: &PlaybookFile, stage: &CrmStage) -> Expected {
        Expected {
            id: Some(stage.label.clone()),
            probability: stage.probability,
            closed: Some(stage.closed()),
            won: Some(stage.won()),
            forecast: Some(forecast_category(stage.forecast).to_owned()),
        }
    }
}

const NAMESPACE: &str = "http://soap.sforce.com/2006/04/metadata";
/// Metadata API version written when the playbook names none (both types need 38.0+).
pub(crate) const DEFAULT_API_VERSION: &str = "60.0";
/// The standard value set that holds Opportunity stages.
pub(crate) const STAGE_SET: &str = "OpportunityStage";

#[derive(Serialize)]
#[serde(rename = "Package")]
struct Package<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    types: Vec<PackageTypes<'a>>,
    version: &'a str,
}

#[derive(Serialize)]
struct PackageTypes<'a> {
    members: Vec<&'a str>,
    name: &'static str,
}

#[derive(Serialize)]
#[serde(rename = "PathAssistant")]
struct PathAssistant<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    active: bool,
    #[serde(rename = "entityName")]
    entity_name: &'static str,
    #[serde(rename = "fieldName")]
    field_name: &'static str,
    #[serde(rename = "masterLabel")]
    master_label: &'a str,
    #[serde(rename = "pathAssistantSteps")]
    steps: Vec<PathAssistantStep<'a>>,
    #[serde(rename = "recordTypeName")]
    record_type_name: &'a str,
}

#[derive(Serialize)]
struct PathAssistantStep<'a> {
    #[serde(rename = "fieldNames")]
    field_names: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    info: Option<String>,
    #[serde(rename = "picklistValueName")]
    picklist_value_name: String,
}

/// The Salesforce name of a forecast bucket (`commit` is `Forecast` in the Metadata API).
pub(crate) fn forecast_category(category: ForecastCategory) -> &'static str {
    match category {
        ForecastCategory::Pipeline => "Pipeline",
        ForecastCategory::BestCase => "BestCase",
        ForecastCategory::MostLikely => "MostLikely",
        ForecastCategory::Commit => "Forecast",
        ForecastCategory::Closed => "Closed",
        ForecastCategory::Omitted => "Omitted",
    }
}

fn settings(playbook: &PlaybookFile) -> SalesforcePlaybook {
    playbook
        .playbook
        .crm
        .as_ref()
        .and_then(|c| c.salesforce.clone())
        .unwrap_or_default()
}

/// The Sales Path's API name: as written, else built from the playbook id (`b2b-saas` →
/// `B2b_Saas`).
pub(crate) fn path_name(playbook: &PlaybookFile) -> String {
    if let Some(name) = settings(playbook).path_name {
        return name;
    }
    let mut name = String::new();
    for word in playbook
        .playbook
        .id
        .as_str()
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
    {
        if !name.is_empty() {
            name.push('_');
        }
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "Path_");
    }
    name.truncate(40);
    name.trim_end_matches('_').to_string()
}

/// Whether `name` can be a Salesforce field's API name: a letter, then letters, digits and
/// underscores (`Amount`, `Loss_Reason__c`), at most 80 characters.
pub(crate) fn is_api_name(name: &str) -> bool {
    name.len() <= 80
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The Salesforce field a required field is: its `salesforce` name, else its `field` when that
/// is an API name itself (`Amount`); `None` for a name only people read (`Close reason`).
pub(crate) fn required_field_name(field: &RequiredField) -> Option<&str> {
    field
        .salesforce
        .as_deref()
        .or_else(|| Some(field.field.as_str()).filter(|f| is_api_name(f)))
}

/// The fields a stage's Sales Path step shows: its `crm.salesforce.key_fields`, then the
/// Salesforce fields of its `required_fields`, each once.
pub(crate) fn key_fields(stage: &Stage) -> Vec<&str> {
    let mut fields: Vec<&str> = stage
        .crm
        .as_ref()
        .and_then(|c| c.salesforce.as_ref())
        .map(|sf| sf.key_fields.iter().map(|f| f.0.as_str()).collect())
        .unwrap_or_default();
    for name in stage.required_fields.iter().filter_map(required_field_name) {
        if !fields.contains(&name) {
            fields.push(name);
        }
    }
    fields
}

/// Writes `value` as an XML document with the declaration Salesforce files carry.
fn xml(value: &impl Serialize) -> String {
    let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let mut serializer = quick_xml::se::Serializer::new(&mut text);
    serializer.indent(' ', 4);
    value
        .serialize(serializer)
        .expect("metadata documents are plain structs with text fields");
    text.push('\n');
    text
}

/// The record type the Sales Path is for (`crm.salesforce.record_type`, else the master).
pub(crate) fn record_type(playbook: &PlaybookFile) -> String {
    settings(playbook)
        .record_type
        .unwrap_or_else(|| "__MASTER__".to_owned())
}

/// The sales process the playbook names (`crm.salesforce.sales_process`).
pub(crate) fn sales_process(playbook: &PlaybookFile) -> Option<String> {
    settings(playbook).sales_process
}

/// The three files of the metadata folder for a new org, in a fixed order: the playbook's
/// stages merged into a new org's empty value set.
pub(crate) fn export(playbook: &PlaybookFile, layout: Layout) -> Vec<OutputFile> {
    let merged = merge::merge(&[playbook], &merge::OrgSet::new_org(), false)
        .expect("one playbook merges into a new org: no record type is claimed twice, no sales process is missing");
    export_merged(&[playbook], layout, &merged)
}

/// [`export`] of several playbooks, on top of a retrieved org or into a new one: the value
/// set merged ([`merge`]), a Sales Path for each playbook (under the org's name for its record
/// type) and the sales processes they name, all in one `package.xml`.
pub(crate) fn export_merged(
    playbooks: &[&PlaybookFile],
    layout: Layout,
    merged: &merge::Merged,
) -> Vec<OutputFile> {
    let processes: Vec<String> = merged
        .processes
        .iter()
        .map(|(name, _)| format!("Opportunity.{name}"))
        .collect();
    let mut files = vec![package(playbooks[0], &merged.paths, &processes)];
    files.extend(
        playbooks
            .iter()
            .zip(&merged.paths)
            .map(|(playbook, name)| path_file(playbook, name, layout)),
    );
    files.push(value_set_file(merged.value_set.clone(), layout));
    files.extend(merged.processes.iter().map(|(name, contents)| OutputFile {
        path: merge::process_file(name),
        contents: contents.clone(),
    }));
    files
}

/// `package.xml`, listing the sales processes, the Sales Paths and the value set, in the API
/// version the (first) playbook names.
fn package(playbook: &PlaybookFile, paths: &[String], processes: &[String]) -> OutputFile {
    let settings = settings(playbook);
    let version = settings
        .api_version
        .as_deref()
        .unwrap_or(DEFAULT_API_VERSION);
    let mut types = Vec::new();
    if !processes.is_empty() {
        types.push(PackageTypes {
            members: processes.iter().map(String::as_str).collect(),
            name: "BusinessProcess",
        });
    }
    let mut paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    paths.sort_unstable();
    types.extend([
        PackageTypes {
            members: paths,
            name: "PathAssistant",
        },
        PackageTypes {
            members: vec![STAGE_SET],
            name: "StandardValueSet",
        },
    ]);
    OutputFile {
        path: PathBuf::from("package.xml"),
        contents: xml(&Package {
            xmlns: NAMESPACE,
            types,
            version,
        }),
    }
}

/// The file ending of a metadata file in `layout`.
fn suffix(layout: Layout) -> &'static str {
    match layout {
        Layout::Source => "-meta.xml",
        Layout::Mdapi => "",
    }
}

/// The `OpportunityStage` value set file.
fn value_set_file(contents: String, layout: Layout) -> OutputFile {
    OutputFile {
        path: Path::new("standardValueSets")
            .join(format!("{STAGE_SET}.standardValueSet{}", suffix(layout))),
        contents,
    }
}

/// The playbook's Sales Path, named `path_name`: a step per stage with its guidance and key
/// fields, for the playbook's record type.
fn path_file(playbook: &PlaybookFile, path_name: &str, layout: Layout) -> OutputFile {
    let settings = settings(playbook);
    let record_type = settings.record_type.as_deref().unwrap_or("__MASTER__");
    let steps = stages(playbook)
        .into_iter()
        .map(|s| {
            let stage = &playbook.stages[s.index];
            let info = guidance(playbook, stage);
            PathAssistantStep {
                field_names: key_fields(stage),
                info: (!info.is_empty()).then_some(info),
                picklist_value_name: s.label,
            }
        })
        .collect();
    let path = PathAssistant {
        xmlns: NAMESPACE,
        active: true,
        entity_name: "Opportunity",
        field_name: "StageName",
        master_label: &playbook.playbook.name,
        steps,
        record_type_name: record_type,
    };
    OutputFile {
        path: Path::new("pathAssistants")
            .join(format!("{path_name}.pathAssistant{}", suffix(layout))),
        contents: xml(&path),
    }
}

/// Headings of the guidance, in the playbook's language.
struct Words {
    goal: &'static str,
    /// Space after the goal's label: none after a full-width colon.
    gap: &'static str,
    to_do: &'static str,
    exit: &'static str,
    /// After an optional activity.
    optional: &'static str,
}

fn words(locale: Locale) -> Words {
    match locale {
        Locale::En => Words {
            goal: "Goal:",
            gap: " ",
            to_do: "What to do",
            exit: "Move on when",
            optional: " (optional)",
        },
        Locale::ZhCn => Words {
            goal: "目标：",
            gap: "",
            to_do: "要做的事",
            exit: "推进条件",
            optional: "（可选）",
        },
    }
}

/// A stage's "guidance for success" as the limited HTML the Sales Path stores: the goal, what
/// to do and the exit events. Empty when the stage has none of them.
pub(crate) fn guidance(playbook: &PlaybookFile, stage: &Stage) -> String {
    let words = words(playbook.playbook.locale);
    let mut out = String::new();
    if let Some(goal) = &stage.goal {
        let _ = write!(
            out,
            "<p><b>{}</b>{}{}</p>",
            words.goal,
            words.gap,
            html(goal)
        );
    }
    if !stage.activities.is_empty() {
        let _ = write!(out, "<p><b>{}</b></p><ul>", words.to_do);
        for activity in &stage.activities {
            out.push_str("<li>");
            out.push_str(&html(&activity.action));
            if let Some(count) = activity.count.filter(|&c| c > 1) {
                let _ = write!(out, " (×{count})");
            }
            if activity.optional {
                out.push_str(words.optional);
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    if !stage.exit.is_empty() {
        let _ = write!(out, "<p><b>{}</b></p><ul>", words.exit);
        for exit in &stage.exit {
            out.push_str("<li>");
            out.push_str(&html(&exit.event));
            if let Some(evidence) = &exit.evidence {
                let _ = write!(out, " — <i>{}</i>", html(evidence));
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    out
}

#[derive(Deserialize)]
struct RetrievedSet {
    #[serde(rename = "standardValue", default)]
    values: Vec<RetrievedValue>,
}

#[derive(Deserialize)]
struct RetrievedValue {
    #[serde(rename = "fullName")]
    full_name: String,
    label: Option<String>,
    probability: Option<u8>,
    closed: Option<bool>,
    won: Option<bool>,
    #[serde(rename = "isActive")]
    is_active: Option<bool>,
    #[serde(rename = "forecastCategory")]
    forecast: Option<String>,
}

/// Finds the `OpportunityStage` value set in a retrieved folder (source or mdapi format, at
/// any depth), or takes `path` itself when it is a file.
pub(crate) fn find_stage_set(path: &Path) -> io::Result<PathBuf> {
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    let names = [
        format!("{STAGE_SET}.standardValueSet-meta.xml"),
        format!("{STAGE_SET}.standardValueSet"),
    ];
    let found: Vec<PathBuf> = walkdir::WalkDir::new(path)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && names.iter().any(|n| e.file_name() == n.as_str()))
        .map(walkdir::DirEntry::into_path)
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "{}: no standardValueSets/{STAGE_SET}.standardValueSet(-meta.xml) in this folder; retrieve it with `sf project retrieve start --metadata StandardValueSet:{STAGE_SET}`",
                path.display()
            ),
        )),
        // Two retrievals (two package folders, an old copy): taking one would compare with
        // whichever sorts first.
        many => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{}: {} {STAGE_SET} value sets in this folder ({}); pass the one to use as the path",
                path.display(),
                many.len(),
                many.iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// Reads the Opportunity stages from a retrieved `OpportunityStage` value set. Inactive values
/// are left out: reps cannot pick them.
pub(crate) fn read_retrieved(text: &str) -> Result<Vec<ActualStage>, String> {
    let set: RetrievedSet = quick_xml::de::from_str(text).map_err(|e| e.to_string())?;
    Ok(set
        .values
        .into_iter()
        .filter(|v| v.is_active != Some(false))
        .map(|v| ActualStage {
            label: v.label.unwrap_or_else(|| v.full_name.clone()),
            id: Some(v.full_name),
            probability: v.probability,
            closed: v.closed,
            won: v.won,
            forecast: v.forecast,
            pipeline: None,
        })
        .collect())
}

//! Salesforce into a live org: `crm export --merge-with` and `crm plan`.
//!
//! A deployed `OpportunityStage` value set replaces the org's whole picklist: a value the file
//! leaves out is deactivated, in every sales process, with the opportunities that still use
//! it. So the merged set starts from what the org holds — every value, element for element,
//! as it was retrieved — and changes only what the playbook says: its stages' label,
//! probability, forecast category and closed/won flags, new values for stages the org lacks,
//! and an inactive value the playbook uses made active again. Values the playbook does not
//! name stay as they are (deactivated only with `--deactivate-missing`), the org's default
//! value and order stay, and the org's Sales Path for the same record type is updated rather
//! than a second one added beside it. [`Plan`] lists every one of those changes, for people
//! (`crm plan`, and `crm export --merge-with` before it writes) and as JSON.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use quick_xml::events::Event;
use serde::Serialize;

use super::salesforce::{self, STAGE_SET, forecast_category};
use super::{CrmStage, stages};
use crate::emit::escape;
use crate::emit::words::{capped, plural};
use crate::model::PlaybookFile;

/// The elements of a `StandardValue`, in the Metadata API's order (`CustomValue`, then
/// `StandardValue`'s own): a deploy fails when they come in another order.
const ELEMENTS: [&str; 17] = [
    "fullName",
    "color",
    "default",
    "description",
    "isActive",
    "label",
    "allowEmail",
    "closed",
    "converted",
    "cssExposed",
    "forecastCategory",
    "groupingString",
    "highPriority",
    "probability",
    "reverseRole",
    "reviewed",
    "won",
];

/// One value of the org's picklist, as retrieved.
#[derive(Debug, Clone)]
pub(crate) struct OrgValue {
    /// Its API name.
    pub(crate) full_name: String,
    /// Its child elements: name, text content and the element as written.
    children: Vec<(String, String, String)>,
}

impl OrgValue {
    fn text(&self, name: &str) -> Option<&str> {
        self.children
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, text, _)| text.as_str())
    }

    /// The name reps see.
    pub(crate) fn label(&self) -> &str {
        self.text("label").unwrap_or(&self.full_name)
    }

    /// Whether reps can pick it.
    pub(crate) fn active(&self) -> bool {
        self.text("isActive") != Some("false")
    }
}

/// The org's `OpportunityStage` value set, as retrieved.
#[derive(Debug, Clone)]
pub(crate) struct OrgSet {
    /// `sorted`, as written (kept).
    sorted: Option<String>,
    /// The values, in the org's order.
    pub(crate) values: Vec<OrgValue>,
    /// The org's Sales Paths on opportunities: (API name, record type).
    paths: Vec<(String, String)>,
    /// The org's sales processes on opportunities.
    processes: Vec<OrgProcess>,
    /// Whether the set was retrieved from an org, rather than a new org's empty one.
    retrieved: bool,
}

impl OrgSet {
    /// A new org's: no value, no path, no sales process, so every stage is added and a sales
    /// process a playbook names is created.
    pub(crate) fn new_org() -> Self {
        Self {
            sorted: None,
            values: Vec::new(),
            paths: Vec::new(),
            processes: Vec::new(),
            retrieved: false,
        }
    }
}

/// An Opportunity sales process (`BusinessProcess`), as retrieved.
#[derive(Debug, Clone)]
struct OrgProcess {
    /// Its name (the file's, as `sf project retrieve` names it).
    name: String,
    /// The document, as written.
    text: String,
    /// The stage values it offers (API names, %-decoded).
    values: Vec<String>,
}

impl OrgProcess {
    /// A sales process a new org does not have yet: active, with no value.
    fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            text: format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BusinessProcess xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fullName>{}</fullName>\n    <isActive>true</isActive>\n</BusinessProcess>\n",
                escape::xml(name)
            ),
            values: Vec::new(),
        }
    }
}

/// The file a sales process is written to, in the source layout.
pub(crate) fn process_file(name: &str) -> std::path::PathBuf {
    Path::new("objects/Opportunity/businessProcesses")
        .join(format!("{name}.businessProcess-meta.xml"))
}

/// A stage value's API name as a sales process writes it: `/` and `%` percent-encoded
/// (`Proposal%2FPrice Quote`).
fn process_value(name: &str) -> String {
    name.replace('%', "%25").replace('/', "%2F")
}

/// A sales process value's API name, decoded.
fn decoded(name: &str) -> String {
    name.replace("%2F", "/")
        .replace("%2f", "/")
        .replace("%25", "%")
}

/// The org's Opportunity sales processes in a retrieved folder (source layout:
/// `objects/Opportunity/businessProcesses/NAME.businessProcess-meta.xml`).
fn read_processes(folder: &Path) -> Vec<OrgProcess> {
    walkdir::WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            e.path().parent().is_some_and(|p| {
                p.ends_with("businessProcesses")
                    && p.parent().is_some_and(|o| o.ends_with("Opportunity"))
            })
        })
        .filter_map(|e| {
            let name = e
                .file_name()
                .to_string_lossy()
                .strip_suffix(".businessProcess-meta.xml")?
                .to_owned();
            let text = super::diff::read_capped(e.path()).ok()?;
            let values = text
                .split("<values>")
                .skip(1)
                .filter_map(|v| {
                    let start = v.find("<fullName>")? + "<fullName>".len();
                    let end = start + v[start..].find("</fullName>")?;
                    Some(decoded(v[start..end].trim()))
                })
                .collect();
            Some(OrgProcess { name, text, values })
        })
        .collect()
}

/// Reads the value set (and the Sales Paths next to it) from a retrieved folder or file.
pub(crate) fn read_org(source: &Path) -> io::Result<OrgSet> {
    let file = salesforce::find_stage_set(source)?;
    let text = super::diff::read_capped(&file)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let (sorted, values) = parse_set(text).map_err(|why| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: not a Salesforce {STAGE_SET} value set as `sf project retrieve` writes it: {why}",
                file.display()
            ),
        )
    })?;
    if values.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: the value set holds no stage values; retrieve it again with `sf project retrieve start --metadata StandardValueSet:{STAGE_SET}`",
                file.display()
            ),
        ));
    }
    let (paths, processes) = if source.is_dir() {
        (read_paths(source), read_processes(source))
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(OrgSet {
        sorted,
        values,
        paths,
        processes,
        retrieved: true,
    })
}

/// `sorted` and the values of a `StandardValueSet` document.
fn parse_set(text: &str) -> Result<(Option<String>, Vec<OrgValue>), String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    let mut root_seen = false;
    let mut sorted = None;
    let mut values = Vec::new();
    // The value being read, and the child element being read in it (name, start, text).
    let mut value: Option<OrgValue> = None;
    let mut child: Option<(String, usize, String)> = None;
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                depth += 1;
                match depth {
                    1 if name == "StandardValueSet" => root_seen = true,
                    1 => {
                        return Err(format!(
                            "the document is a `{name}`, not a StandardValueSet"
                        ));
                    }
                    2 if name == "standardValue" => {
                        value = Some(OrgValue {
                            full_name: String::new(),
                            children: Vec::new(),
                        });
                    }
                    2 | 3 => child = Some((name, before, String::new())),
                    _ => {
                        if value.is_some() {
                            return Err("a stage value holds nested elements stagebook does not know; merge it by hand".into());
                        }
                    }
                }
            }
            Event::Empty(start) if depth == 2 && value.is_some() => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                if let Some(value) = value.as_mut() {
                    value
                        .children
                        .push((name, String::new(), text[before..after].to_owned()));
                }
            }
            Event::Text(content) => {
                if let Some((_, _, text)) = child.as_mut() {
                    text.push_str(&content.decode().map_err(|e| e.to_string())?);
                }
            }
            Event::GeneralRef(reference) => {
                let name = reference.decode().map_err(|e| e.to_string())?;
                let resolved = match reference.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_xml_entity(&name)
                        .ok_or_else(|| format!("unknown entity `&{name};`"))?
                        .to_owned(),
                };
                if let Some((_, _, text)) = child.as_mut() {
                    text.push_str(&resolved);
                }
            }
            Event::CData(content) => {
                if let Some((_, _, text)) = child.as_mut() {
                    text.push_str(&String::from_utf8_lossy(&content));
                }
            }
            Event::End(_) => {
                match (depth, value.as_mut(), child.take()) {
                    (3, Some(value), Some((name, start, content))) => {
                        if name == "fullName" {
                            value.full_name.clone_from(&content);
                        }
                        value
                            .children
                            .push((name, content, text[start..after].to_owned()));
                    }
                    (2, Some(_), _) => {
                        let done = value.take().expect("a value is being read");
                        if done.full_name.is_empty() {
                            return Err("a stage value has no `fullName`".into());
                        }
                        if let Some((name, _, _)) = done
                            .children
                            .iter()
                            .find(|(n, _, _)| !ELEMENTS.contains(&n.as_str()))
                        {
                            return Err(format!(
                                "stage value `{}` holds `<{name}>`, which stagebook does not know; merge it by hand",
                                done.full_name
                            ));
                        }
                        values.push(done);
                    }
                    (2, None, Some((name, _, content))) if name == "sorted" => {
                        sorted = Some(content);
                    }
                    _ => {}
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            Event::DocType(_) => return Err("a document type declaration is not allowed".into()),
            _ => {}
        }
    }
    if !root_seen {
        return Err("no <StandardValueSet> element".into());
    }
    Ok((sorted, values))
}

/// The Sales Paths on opportunities in a retrieved folder: (API name, record type).
fn read_paths(folder: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy();
            let stem = name
                .strip_suffix(".pathAssistant-meta.xml")
                .or_else(|| name.strip_suffix(".pathAssistant"))?
                .to_owned();
            let text = super::diff::read_capped(e.path()).ok()?;
            let field = |tag: &str| -> Option<String> {
                let open = format!("<{tag}>");
                let start = text.find(&open)? + open.len();
                let end = start + text[start..].find(&format!("</{tag}>"))?;
                Some(text[start..end].trim().to_owned())
            };
            (field("entityName").as_deref() == Some("Opportunity"))
                .then(|| (stem, field("recordTypeName").unwrap_or_default()))
        })
        .collect()
}

/// One change deploying the merged files makes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub(crate) enum Change {
    /// A new stage value.
    Add {
        /// Its label (and API name).
        value: String,
        /// Open or closing, probability and forecast category, in words.
        what: String,
    },
    /// Fields of an existing value change.
    Update {
        /// The value's API name.
        value: String,
        /// What changes.
        fields: Vec<FieldChange>,
    },
    /// An inactive value the playbook uses becomes active again.
    Reactivate {
        /// The value's API name.
        value: String,
    },
    /// A value the playbook does not name is deactivated (`--deactivate-missing`).
    Deactivate {
        /// The value's API name.
        value: String,
    },
    /// The org's Sales Path for the record type gets the playbook's steps.
    UpdatePath {
        /// Its API name.
        path: String,
        /// The record type.
        record_type: String,
    },
    /// The sales process gets the playbook's values it lacks.
    UpdateProcess {
        /// Its name.
        process: String,
        /// The values added to it.
        values: Vec<String>,
    },
    /// A new Sales Path.
    AddPath {
        /// Its API name.
        path: String,
        /// The record type.
        record_type: String,
    },
}

/// One field of a value: what the org holds and what the playbook says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct FieldChange {
    /// The Metadata API's name of the field (`probability`, `forecastCategory`…).
    pub(crate) field: &'static str,
    /// What the org holds (`–` when it holds nothing).
    pub(crate) from: String,
    /// What the playbook says.
    pub(crate) to: String,
}

/// What deploying the merged files would do, and what it leaves alone.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Plan {
    /// The changes, stage values first in the org's order, then the path.
    pub(crate) changes: Vec<Change>,
    /// Active values the playbook does not name, kept active.
    pub(crate) kept: Vec<String>,
    /// Values the playbook lists as another CRM name of a stage (`crm_names` after the
    /// first): kept as they are, never deactivated; `metrics` counts their deals in that stage.
    pub(crate) aliases: Vec<String>,
    /// How deploying is done in this CRM, and what the plain export would do there (HubSpot,
    /// Pipedrive): one sentence each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) notes: Vec<String>,
    /// The CRM, for people.
    #[serde(skip)]
    pub(crate) crm: &'static str,
    /// How many playbooks are deployed together, for people.
    #[serde(skip)]
    pub(crate) playbooks: usize,
    /// Active values a file without `--merge-with` would deactivate: every active value the
    /// playbook does not name.
    pub(crate) plain_export_deactivates: Vec<String>,
}

impl Plan {
    /// Whether deploying changes a stage value (the Sales Path is rewritten in any case, not
    /// compared).
    pub(crate) fn changes_values(&self) -> bool {
        self.changes
            .iter()
            .any(|c| !matches!(c, Change::UpdatePath { .. } | Change::AddPath { .. }))
    }
}

/// The plan's name for Salesforce.
const SALESFORCE: &str = "Salesforce";

/// The merged value set, paths and processes, and the plan.
pub(crate) struct Merged {
    /// The `OpportunityStage` value set document.
    pub(crate) value_set: String,
    /// Each playbook's Sales Path API name to write, in the playbooks' order.
    pub(crate) paths: Vec<String>,
    /// The sales processes to write (name and document), for the playbooks that name one.
    pub(crate) processes: Vec<(String, String)>,
    /// What deploying it changes.
    pub(crate) plan: Plan,
}

/// The playbook's value for an org value, when it names it: matched by API name, then by
/// label, ignoring case.
fn matching<'a>(crm: &'a [CrmStage], value: &OrgValue) -> Option<&'a CrmStage> {
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    crm.iter()
        .find(|s| s.label == value.full_name)
        .or_else(|| crm.iter().find(|s| same(&s.label, &value.full_name)))
        .or_else(|| crm.iter().find(|s| same(&s.label, value.label())))
}

/// Merges the playbooks' stages, one playbook after the other, into the org's value set (and
/// into the sales process each names). A value is missing — kept, or deactivated with
/// `deactivate_missing` — only when no playbook names it. An error when a retrieved org lacks
/// a sales process a playbook names, or two playbooks claim one record type's Sales Path.
pub(crate) fn merge(
    playbooks: &[&PlaybookFile],
    org: &OrgSet,
    deactivate_missing: bool,
) -> Result<Merged, String> {
    let mut state = org.clone();
    let mut changes = Vec::new();
    let mut paths = Vec::new();
    let mut processes: Vec<String> = Vec::new();
    let mut claimed: Vec<String> = Vec::new();
    let mut last = None;
    for (i, playbook) in playbooks.iter().enumerate() {
        let record_type = salesforce::record_type(playbook);
        if claimed.contains(&record_type) {
            return Err(format!(
                "two playbooks are for the record type {record_type}, and a record type has one Sales Path: set `crm.salesforce.record_type` on each"
            ));
        }
        claimed.push(record_type);
        let others: Vec<&PlaybookFile> = playbooks
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, p)| *p)
            .collect();
        let one = merge_one(playbook, &state, deactivate_missing, &others)?;
        state.values = parse_set(&one.value_set)?.1;
        if let Some(Change::AddPath { path, record_type }) = one.changes.last() {
            state.paths.push((path.clone(), record_type.clone()));
        }
        if let Some(process) = &one.process {
            if !processes.contains(&process.name) {
                processes.push(process.name.clone());
            }
            state.processes.retain(|p| p.name != process.name);
            state.processes.push(process.clone());
        }
        paths.push(one.path_name.clone());
        changes.extend(one.changes.iter().cloned());
        last = Some(one);
    }
    // What is kept or an alias is judged once every playbook is in: the last merge's.
    let last = last.ok_or("no playbook to merge")?;
    Ok(Merged {
        processes: processes
            .iter()
            .filter_map(|name| state.processes.iter().find(|p| &p.name == name))
            .map(|p| (p.name.clone(), p.text.clone()))
            .collect(),
        value_set: last.value_set,
        paths,
        plan: Plan {
            changes,
            kept: last.kept,
            aliases: last.aliases,
            notes: Vec::new(),
            crm: SALESFORCE,
            playbooks: playbooks.len(),
            plain_export_deactivates: last.plain_export_deactivates,
        },
    })
}

/// One playbook merged into the set as the playbooks before it left it.
struct MergedOne {
    value_set: String,
    path_name: String,
    process: Option<OrgProcess>,
    changes: Vec<Change>,
    kept: Vec<String>,
    aliases: Vec<String>,
    plain_export_deactivates: Vec<String>,
}

fn merge_one(
    playbook: &PlaybookFile,
    org: &OrgSet,
    deactivate_missing: bool,
    others: &[&PlaybookFile],
) -> Result<MergedOne, String> {
    let crm = stages(playbook);
    let named = salesforce::sales_process(playbook);
    let process = match named {
        Some(name) => Some(
            match org
                .processes
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(&name))
            {
                Some(process) => process.clone(),
                None if !org.retrieved => OrgProcess::new(&name),
                None => {
                    let has: Vec<String> = org
                        .processes
                        .iter()
                        .map(|p| format!("`{}`", p.name))
                        .collect();
                    return Err(format!(
                        "the playbook names the sales process `{name}` (`crm.salesforce.sales_process`), and the retrieved org has {}\n  help: retrieve it with `sf project retrieve start --metadata \"BusinessProcess:Opportunity.{name}\"`, or correct the name",
                        if has.is_empty() {
                            "none".to_owned()
                        } else {
                            has.join(", ")
                        }
                    ));
                }
            },
        ),
        None => None,
    };
    let others: Vec<(&PlaybookFile, Vec<CrmStage>)> =
        others.iter().map(|p| (*p, stages(p))).collect();
    let named_elsewhere = |value: &OrgValue| {
        others
            .iter()
            .any(|(other, crm)| matching(crm, value).is_some() || is_alias(other, value))
    };
    // The playbook's values as the merged set names them, for the sales process.
    let mut playbook_values: Vec<String> = Vec::new();
    // The org's values in its order, each with the playbook stage it is (the first value to
    // match a stage takes it); then each stage the org lacks right after the stage before it
    // in the playbook, or before the first stage the org has.
    let mut taken = vec![false; crm.len()];
    let mut list: Vec<(Option<&OrgValue>, Option<usize>)> = org
        .values
        .iter()
        .map(|value| {
            let stage = matching(&crm, value)
                .map(|s| crm.iter().position(|c| c.index == s.index).unwrap_or(0))
                .filter(|&i| !taken[i]);
            if let Some(i) = stage {
                taken[i] = true;
            }
            (Some(value), stage)
        })
        .collect();
    for i in (0..crm.len()).filter(|&i| !taken[i]) {
        let at = (0..i)
            .rev()
            .find_map(|earlier| list.iter().position(|(_, s)| *s == Some(earlier)))
            .map(|p| p + 1)
            .or_else(|| list.iter().position(|(_, s)| s.is_some()))
            .unwrap_or(list.len());
        list.insert(at, (None, Some(i)));
    }
    // In a new org, new opportunities start in the first open stage.
    let default = (org.values.is_empty()).then(|| crm.iter().position(|s| !s.closed()));

    let mut changes = Vec::new();
    let mut kept = Vec::new();
    let mut aliases = Vec::new();
    let mut plain_export_deactivates = Vec::new();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<StandardValueSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n");
    let _ = writeln!(
        out,
        "    <sorted>{}</sorted>",
        escape::xml(org.sorted.as_deref().unwrap_or("false"))
    );
    for (value, position) in list {
        let stage = position.map(|i| &crm[i]);
        match (value, stage) {
            (Some(value), Some(stage)) => {
                let reactivate = !value.active();
                if reactivate {
                    changes.push(Change::Reactivate {
                        value: value.full_name.clone(),
                    });
                }
                let fields: Vec<FieldChange> = playbook_fields(stage)
                    .into_iter()
                    .filter_map(|(field, to)| {
                        let from = value.text(field).unwrap_or("");
                        (from != to).then(|| FieldChange {
                            field,
                            from: if from.is_empty() {
                                "–".into()
                            } else {
                                from.to_owned()
                            },
                            to,
                        })
                    })
                    .collect();
                if !fields.is_empty() {
                    changes.push(Change::Update {
                        value: value.full_name.clone(),
                        fields,
                    });
                }
                out.push_str(&write_value(value, Some(stage), reactivate.then_some(true)));
                playbook_values.push(value.full_name.clone());
            }
            (Some(value), None)
                if is_alias(playbook, value)
                    || others.iter().any(|(other, _)| is_alias(other, value)) =>
            {
                aliases.push(value.full_name.clone());
                if value.active() {
                    plain_export_deactivates.push(value.full_name.clone());
                }
                out.push_str(&write_value(value, None, None));
            }
            (Some(value), None) if value.active() && !named_elsewhere(value) => {
                plain_export_deactivates.push(value.full_name.clone());
                if deactivate_missing {
                    changes.push(Change::Deactivate {
                        value: value.full_name.clone(),
                    });
                    out.push_str(&write_value(value, None, Some(false)));
                } else {
                    kept.push(value.full_name.clone());
                    out.push_str(&write_value(value, None, None));
                }
            }
            (Some(value), None) => out.push_str(&write_value(value, None, None)),
            (None, Some(stage)) => {
                out.push_str(&new_value(stage, default == Some(position), &mut changes));
                playbook_values.push(stage.label.clone());
            }
            (None, None) => {}
        }
    }
    out.push_str("</StandardValueSet>\n");

    let process = process.map(|process| {
        let missing: Vec<String> = playbook_values
            .iter()
            .filter(|v| !process.values.iter().any(|p| p.eq_ignore_ascii_case(v)))
            .cloned()
            .collect();
        if !missing.is_empty() {
            changes.push(Change::UpdateProcess {
                process: process.name.clone(),
                values: missing.clone(),
            });
        }
        let mut values = process.values.clone();
        values.extend(missing.iter().cloned());
        OrgProcess {
            text: with_values(&process.text, &missing, process.values.is_empty()),
            values,
            name: process.name,
        }
    });
    let record_type = salesforce::record_type(playbook);
    let existing = org.paths.iter().find(|(_, rt)| *rt == record_type);
    let path_name =
        existing.map_or_else(|| salesforce::path_name(playbook), |(name, _)| name.clone());
    // The path comes last: `merge` reads a new one from there.
    changes.push(if existing.is_some() {
        Change::UpdatePath {
            path: path_name.clone(),
            record_type,
        }
    } else {
        Change::AddPath {
            path: path_name.clone(),
            record_type,
        }
    });
    Ok(MergedOne {
        value_set: out,
        path_name,
        process,
        changes,
        kept,
        aliases,
        plain_export_deactivates,
    })
}

/// A sales process document with `values` added before its end, everything else as it was;
/// in a new process the first value is the default.
fn with_values(text: &str, values: &[String], new: bool) -> String {
    let Some(end) = text.rfind("</BusinessProcess>") else {
        return text.to_owned();
    };
    let mut out = text[..end].to_owned();
    for (i, value) in values.iter().enumerate() {
        let _ = writeln!(
            out,
            "    <values>\n        <fullName>{}</fullName>\n        <default>{}</default>\n    </values>",
            escape::xml(&process_value(value)),
            new && i == 0
        );
    }
    out.push_str(&text[end..]);
    out
}

/// Whether `value` is one of the other CRM names a stage lists (`crm_names` after the first).
fn is_alias(playbook: &PlaybookFile, value: &OrgValue) -> bool {
    playbook.stages.iter().any(|stage| {
        stage.crm_names.iter().skip(1).any(|name| {
            name.eq_ignore_ascii_case(&value.full_name) || name.eq_ignore_ascii_case(value.label())
        })
    })
}

/// The fields the playbook sets on a value, as the Metadata API writes them.
fn playbook_fields(stage: &CrmStage) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("label", stage.label.clone()),
        ("closed", stage.closed().to_string()),
        (
            "forecastCategory",
            forecast_category(stage.forecast).to_owned(),
        ),
    ];
    if let Some(p) = stage.probability {
        fields.push(("probability", p.to_string()));
    }
    fields.push(("won", stage.won().to_string()));
    fields
}

/// A value the org lacks, as a new element, with its change.
fn new_value(stage: &CrmStage, default: bool, changes: &mut Vec<Change>) -> String {
    let probability = stage
        .probability
        .map_or_else(String::new, |p| format!(", {p} %"));
    changes.push(Change::Add {
        value: stage.label.clone(),
        what: format!(
            "{}{probability}, {}",
            match (stage.closed(), stage.won()) {
                (true, true) => "closed won",
                (true, false) => "closed lost",
                _ => "open",
            },
            forecast_category(stage.forecast)
        ),
    });
    let org = OrgValue {
        full_name: stage.label.clone(),
        children: vec![
            (
                "fullName".into(),
                stage.label.clone(),
                format!("<fullName>{}</fullName>", escape::xml(&stage.label)),
            ),
            (
                "default".into(),
                default.to_string(),
                format!("<default>{default}</default>"),
            ),
        ],
    };
    write_value(&org, Some(stage), None)
}

/// A `<standardValue>` element: the org's elements as retrieved, with the playbook's fields
/// (when `stage` is given) and `isActive` (when `active` is given) in their place.
fn write_value(value: &OrgValue, stage: Option<&CrmStage>, active: Option<bool>) -> String {
    let ours: Vec<(&'static str, String)> = stage.map(playbook_fields).unwrap_or_default();
    let mut out = String::from("    <standardValue>\n");
    for name in ELEMENTS {
        let set = ours
            .iter()
            .find(|(field, _)| *field == name)
            .map(|(_, v)| v.clone());
        let set = match (name, active) {
            ("isActive", Some(active)) => Some(active.to_string()),
            _ => set,
        };
        match set {
            Some(text) => {
                let _ = writeln!(out, "        <{name}>{}</{name}>", escape::xml(&text));
            }
            None => {
                if let Some((_, _, raw)) = value.children.iter().find(|(n, _, _)| n == name) {
                    let _ = writeln!(out, "        {}", raw.trim());
                }
            }
        }
    }
    out.push_str("    </standardValue>\n");
    out
}

/// The plan for people: one line a change, then what is kept.
pub(crate) fn human(plan: &Plan, org: &Path) -> String {
    let mut out = String::new();
    if plan.changes.is_empty() {
        let _ = writeln!(
            out,
            "Deploying changes nothing in {} as retrieved in {}.",
            plan.crm,
            org.display()
        );
    } else {
        let _ = writeln!(
            out,
            "Deploying {} into {} as retrieved in {}:",
            if plan.playbooks > 1 {
                "the playbooks"
            } else {
                "the playbook"
            },
            plan.crm,
            org.display(),
        );
    }
    for change in &plan.changes {
        let _ = writeln!(out, "  {}", line(change, plan.crm));
    }
    for note in &plan.notes {
        let _ = writeln!(out, "note: {note}");
    }
    if !plan.aliases.is_empty() {
        let _ = writeln!(
            out,
            "kept as they are: {} {} lists as another CRM name of a stage ({})",
            plural(plan.aliases.len(), "value"),
            if plan.playbooks > 1 {
                "a playbook"
            } else {
                "the playbook"
            },
            list(&plan.aliases)
        );
    }
    if !plan.kept.is_empty() && plan.crm == SALESFORCE {
        let _ = writeln!(
            out,
            "kept as they are: {} {} ({}); add --deactivate-missing to deactivate them",
            plural(plan.kept.len(), "active value"),
            unnamed(plan),
            list(&plan.kept)
        );
    } else if !plan.kept.is_empty() {
        let _ = writeln!(
            out,
            "kept as they are: {} {} ({})",
            plural(plan.kept.len(), "stage"),
            unnamed(plan),
            list(&plan.kept)
        );
    }
    if !plan.plain_export_deactivates.is_empty() {
        let _ = writeln!(
            out,
            "note: `crm export` without --merge-with writes only {}, and deploying that would deactivate {} in every sales process: {}",
            if plan.playbooks > 1 {
                "the playbooks' values"
            } else {
                "the playbook's values"
            },
            plural(plan.plain_export_deactivates.len(), "value"),
            list(&plan.plain_export_deactivates)
        );
    }
    out
}

/// The plan as Markdown, for a pull-request comment.
pub(crate) fn markdown(plan: &Plan, org: &Path) -> String {
    let mut out = format!(
        "### {}: what deploying changes in `{}`\n\n",
        plan.crm,
        org.display()
    );
    if plan.changes.is_empty() {
        out.push_str("No change.\n");
    }
    for change in &plan.changes {
        let _ = writeln!(out, "- {}", line(change, plan.crm).replace('|', "\\|"));
    }
    for note in &plan.notes {
        let _ = writeln!(out, "\n> {}", note.replace('|', "\\|"));
    }
    if !plan.kept.is_empty() {
        let _ = writeln!(
            out,
            "\nKept as they are: {} {}.",
            plural(
                plan.kept.len(),
                if plan.crm == SALESFORCE {
                    "active value"
                } else {
                    "stage"
                }
            ),
            unnamed(plan)
        );
    }
    out
}

/// "the playbook does not name", or with several "no playbook names".
fn unnamed(plan: &Plan) -> &'static str {
    if plan.playbooks > 1 {
        "no playbook names"
    } else {
        "the playbook does not name"
    }
}

fn list(names: &[String]) -> String {
    capped(names, 10, |n| format!("`{n}`"))
}

/// A field's name for people.
fn field_words(field: &str) -> &str {
    match field {
        "forecastCategory" => "forecast category",
        "closed" => "closed flag",
        "won" => "won flag",
        other => other,
    }
}

/// One change for people; a Salesforce stage is a picklist value, elsewhere a stage.
fn line(change: &Change, crm: &str) -> String {
    let noun = if crm == SALESFORCE { "value" } else { "stage" };
    match change {
        Change::Add { value, what } => format!("add {noun} `{value}` ({what})"),
        Change::Update { value, fields } => format!(
            "update `{value}`: {}",
            fields
                .iter()
                .map(|f| format!("{} {} → {}", field_words(f.field), f.from, f.to))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Change::Reactivate { value } => format!("reactivate `{value}`"),
        Change::Deactivate { value } => {
            format!(
                "deactivate `{value}` (opportunities in it keep it; reps can no longer pick it)"
            )
        }
        Change::UpdatePath { path, record_type } => {
            format!(
                "update the Sales Path `{path}` (record type {record_type}) with the playbook's steps"
            )
        }
        Change::UpdateProcess { process, values } => format!(
            "add {} to the sales process `{process}`: {}",
            plural(values.len(), "value"),
            list(values)
        ),
        Change::AddPath { path, record_type } => {
            format!("add the Sales Path `{path}` (record type {record_type})")
        }
    }
}

//! Render stage for CRMs: compiles a checked playbook into a CRM's own pipeline configuration
//! (`crm export`) and compares a CRM's current configuration with the playbook (`crm diff`).
//!
//! One file per target — [`salesforce`], [`hubspot`], [`pipedrive`] — each with the typed
//! documents it writes and reads back. [`checks`] holds the findings about what a target cannot
//! express (they are ordinary diagnostics, reported on the playbook's lines); [`diff`] compares
//! the stages; [`write`] puts files on disk atomically, only inside the output folder.
//!
//! Nothing here touches the network: pushing the files is done with the vendors' own tools.

pub mod checks;
pub mod diff;
pub mod hubspot;
pub mod pipedrive;
pub mod salesforce;
pub mod write;

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;

use crate::diagnostic::{Diagnostic, Severity};
use crate::load::Document;
use crate::model::{ForecastCategory, PlaybookFile, Stage, Terminal};

/// A CRM stagebook can compile a playbook for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// Salesforce: the Opportunity stage picklist and a Sales Path.
    Salesforce,
    /// HubSpot: a deal pipeline.
    Hubspot,
    /// Pipedrive: a pipeline and its stages.
    Pipedrive,
}

impl Target {
    /// The target as written on the command line and in JSON output.
    pub fn id(self) -> &'static str {
        match self {
            Self::Salesforce => "salesforce",
            Self::Hubspot => "hubspot",
            Self::Pipedrive => "pipedrive",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Salesforce => "Salesforce",
            Self::Hubspot => "HubSpot",
            Self::Pipedrive => "Pipedrive",
        })
    }
}

/// How the Salesforce files are laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// Source format (`*-meta.xml`), as in an sfdx project's `force-app/main/default`.
    #[default]
    Source,
    /// Metadata API format (`pathAssistants/X.pathAssistant`), for
    /// `sf project deploy start --metadata-dir`.
    Mdapi,
}

/// Settings of one export.
#[derive(Debug, Clone, Copy)]
pub struct ExportOptions {
    /// The CRM to compile for.
    pub target: Target,
    /// Salesforce file layout; ignored by the other targets.
    pub layout: Layout,
}

/// One generated file, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path inside the output folder; only plain names, never `..` or absolute.
    pub path: PathBuf,
    /// The file's text.
    pub contents: String,
}

/// What an export produced.
#[derive(Debug)]
pub struct Export {
    /// The files, in a fixed order. Empty when a finding is an error.
    pub files: Vec<OutputFile>,
    /// What the target cannot express, reported on the playbook's lines.
    pub diagnostics: Vec<Diagnostic>,
}

/// Compiles `playbook` for a CRM. Files are produced only when no finding is an error.
pub fn export(document: &Document, playbook: &PlaybookFile, options: ExportOptions) -> Export {
    let mut diagnostics = checks::check(options.target, document, playbook);
    crate::check::sort_and_dedup(&mut diagnostics);
    let files = if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        Vec::new()
    } else {
        match options.target {
            Target::Salesforce => salesforce::export(playbook, options.layout),
            Target::Hubspot => vec![hubspot::export(playbook)],
            Target::Pipedrive => pipedrive::export(playbook),
        }
    };
    Export { files, diagnostics }
}

/// One playbook stage as every CRM sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrmStage {
    /// Index of the stage in the playbook's `stages`.
    pub index: usize,
    /// The name the CRM shows: the first of `crm_names`, else the stage's `name`.
    pub label: String,
    /// Win probability in percent: as written, else 100 for won and 0 for lost stages.
    pub probability: Option<u8>,
    /// How the stage closes a deal, if it does.
    pub terminal: Option<Terminal>,
    /// The forecast bucket: as written, else from `terminal`.
    pub forecast: ForecastCategory,
}

impl CrmStage {
    /// Whether the stage closes a deal.
    pub fn closed(&self) -> bool {
        self.terminal.is_some()
    }

    /// Whether the stage closes a deal as won.
    pub fn won(&self) -> bool {
        self.terminal == Some(Terminal::Won)
    }
}

/// The name a CRM shows for `stage`.
pub fn crm_label(stage: &Stage) -> &str {
    stage
        .crm_names
        .first()
        .map_or(stage.name.as_str(), String::as_str)
}

/// The JSON pointer of the text that gives a stage its CRM name.
pub fn label_pointer(stage: &Stage, index: usize) -> String {
    if stage.crm_names.is_empty() {
        format!("/stages/{index}/name")
    } else {
        format!("/stages/{index}/crm_names/0")
    }
}

/// Every stage of `playbook`, in playbook order, as the CRM sees it.
pub fn stages(playbook: &PlaybookFile) -> Vec<CrmStage> {
    playbook
        .stages
        .iter()
        .enumerate()
        .map(|(index, stage)| CrmStage {
            index,
            label: crm_label(stage).to_string(),
            probability: stage.probability.or(match stage.terminal {
                Some(Terminal::Won) => Some(100),
                Some(Terminal::Lost) => Some(0),
                None => None,
            }),
            terminal: stage.terminal,
            forecast: stage.forecast_category.unwrap_or(match stage.terminal {
                Some(Terminal::Won) => ForecastCategory::Closed,
                Some(Terminal::Lost) => ForecastCategory::Omitted,
                None => ForecastCategory::Pipeline,
            }),
        })
        .collect()
}

/// The main path: from the first stage, each stage's first `next` that is not a lost stage
/// (or, without `next`, the stage written after it), until a closing stage or a loop.
pub fn main_path(playbook: &PlaybookFile) -> Vec<usize> {
    let stages = &playbook.stages;
    let position = |id: &str| stages.iter().position(|s| s.id.as_str() == id);
    let mut path = Vec::new();
    let mut seen = HashSet::new();
    let mut current = if stages.is_empty() { None } else { Some(0) };
    while let Some(i) = current {
        if !seen.insert(i) {
            break;
        }
        path.push(i);
        let stage = &stages[i];
        if stage.is_terminal() {
            break;
        }
        current = if stage.next.is_empty() {
            Some(i + 1).filter(|&n| n < stages.len())
        } else {
            let targets: Vec<usize> = stage
                .next
                .0
                .iter()
                .filter_map(|id| position(id.as_str()))
                .collect();
            targets
                .iter()
                .copied()
                .find(|&n| stages[n].terminal != Some(Terminal::Lost))
                .or_else(|| targets.first().copied())
        };
    }
    path
}

/// Interpolated probability for an open stage without one: evenly spaced along the stage
/// order between 0 and 100, so that HubSpot, which requires a value, still gets a rising one.
pub fn default_probability(open_position: usize, open_count: usize) -> u8 {
    let step = 100 * (open_position + 1) / (open_count + 1);
    u8::try_from(step.min(100)).unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> PlaybookFile {
        let value: serde_json::Value = {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("p.yaml");
            std::fs::write(&path, yaml).unwrap();
            let checked = crate::check::check_file(&path, &crate::check::Options::default())
                .unwrap()
                .unwrap();
            checked.document.unwrap().value
        };
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn main_path_skips_lost_branches_and_stops_at_loops() {
        let playbook = parse(
            "stagebook: 1\nplaybook:\n  id: t\n  name: T\nstages:\n  - id: a\n    name: A\n    next: [lost, b]\n  - id: b\n    name: B\n  - id: c\n    name: C\n    next: a\n  - id: lost\n    name: Lost\n    terminal: lost\n",
        );
        // a → b (lost skipped) → c (b has no `next`: the stage after it) → a again: stop.
        assert_eq!(main_path(&playbook), [0, 1, 2]);
    }

    #[test]
    fn hubspot_probabilities_are_strings_in_tenths() {
        assert_eq!(hubspot::probability_string(0), "0.0");
        assert_eq!(hubspot::probability_string(25), "0.3");
        assert_eq!(hubspot::probability_string(94), "0.9");
        assert_eq!(hubspot::probability_string(95), "1.0");
        assert_eq!(hubspot::probability_string(100), "1.0");
    }

    #[test]
    fn guidance_escapes_playbook_text() {
        let playbook = parse(
            "stagebook: 1\nplaybook:\n  id: t\n  name: T\nstages:\n  - id: a\n    name: A\n    goal: \"<script>alert('x')</script> & more\"\n",
        );
        let html = salesforce::guidance(&playbook, &playbook.stages[0]);
        assert_eq!(
            html,
            "<p><b>Goal:</b> &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more</p>"
        );
    }

    #[test]
    fn path_names_are_salesforce_api_names() {
        let named = |id: &str| {
            salesforce::path_name(&parse(&format!(
                "stagebook: 1\nplaybook:\n  id: {id}\n  name: T\nstages: []\n"
            )))
        };
        assert_eq!(named("b2b-saas"), "B2b_Saas");
        assert_eq!(named("2026_q1--plan"), "Path_2026_Q1_Plan");
    }
}

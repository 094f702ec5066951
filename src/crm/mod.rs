//! Render stage for CRMs: compiles a checked playbook into a CRM's own pipeline configuration
//! (`crm export`) and compares a CRM's current configuration with the playbook (`crm diff`).
//!
//! One file per target — [`salesforce`], [`hubspot`], [`pipedrive`] — each implementing
//! [`CrmTarget`] with the typed documents it writes and reads back, listed once in [`TARGETS`].
//! What a target cannot express is checked by the `crm::` lint rules (`lint/rules/crm_*.rs`),
//! which ask the target for its limits; [`diff`] compares the stages; [`write`] puts files on
//! disk atomically, only inside the output folder. This module imports nothing from `check`,
//! `lint` or `cli`: they call it.
//!
//! Nothing here touches the network: pushing the files is done with the vendors' own tools.

pub(crate) mod calls;
pub mod diff;
pub(crate) mod hubspot;
pub(crate) mod merge;
pub(crate) mod pipedrive;
pub(crate) mod plan;
pub(crate) mod salesforce;
pub(crate) mod write;

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::model::{ForecastCategory, PlaybookCrm, PlaybookFile, Stage, Terminal};

/// What stagebook knows about one CRM: how to compile a playbook for it, how to read back what
/// was retrieved from it, and the limits the `crm::` lint rules check.
///
/// Adding a target is one file in this folder implementing the trait and one line in
/// [`TARGETS`]: the command line (`--target`), `crm export`, `crm diff` and the `crm::` rules
/// all go through the list. The playbook's own settings for the target (`crm.<id>:` on the
/// playbook and on stages) are typed fields of the model, so they get a place there too.
pub(crate) trait CrmTarget: Sync + fmt::Debug {
    /// The target as written on the command line and in JSON output, e.g. `salesforce`.
    fn id(&self) -> &'static str;
    /// The vendor's name, for messages, e.g. `HubSpot`.
    fn name(&self) -> &'static str;
    /// One line for `--help`: what `crm export` writes for it.
    fn about(&self) -> &'static str;
    /// Whether the playbook's `crm:` block names this target: `check` then runs the `crm::`
    /// rules for it.
    fn named_in(&self, crm: &PlaybookCrm) -> bool;

    /// Whether won and lost are stages in this CRM (in Pipedrive they are a deal's status).
    fn holds_closing_stages(&self) -> bool {
        true
    }
    /// Whether the CRM tells closed deals by their stage's probability (100 won, 0 lost).
    fn closes_by_probability(&self) -> bool {
        false
    }
    /// Whether every open stage must have a probability.
    fn requires_probability(&self) -> bool {
        false
    }
    /// The steps the CRM stores probabilities in, in percent (HubSpot: 10).
    fn probability_step(&self) -> Option<u8> {
        None
    }
    /// Longest stage name the CRM holds, in characters.
    fn stage_name_max(&self) -> Option<usize> {
        None
    }
    /// Longest pipeline label the CRM holds (the playbook's `name`), in characters.
    fn pipeline_label_max(&self) -> Option<usize> {
        None
    }
    /// Most stages in one pipeline.
    fn max_stages(&self) -> Option<usize> {
        None
    }

    /// The files `crm export` writes. Called only when no `crm::` finding is an error.
    fn export(&self, playbook: &PlaybookFile, layout: Layout) -> Vec<OutputFile>;
    /// The file holding the stages inside what the user passed to `crm diff` (a folder, say).
    fn retrieved_file(&self, source: &Path) -> io::Result<PathBuf> {
        Ok(source.to_path_buf())
    }
    /// Reads the CRM's stages from a retrieved file, at most `crm diff`'s input cap. `Err` says
    /// why the input is not what the CRM returns.
    fn read_retrieved(
        &self,
        input: &mut dyn io::Read,
        playbook: &PlaybookFile,
    ) -> Result<Vec<diff::ActualStage>, String>;
    /// What the CRM should hold for `stage`: its own id, probability, closed and won flags
    /// (`None` where the CRM keeps no such thing).
    fn expected(&self, playbook: &PlaybookFile, stage: &CrmStage) -> Expected;
}

/// What the playbook says the CRM should hold for one stage, beyond its name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Expected {
    /// The CRM's own id of the stage, when the playbook knows it.
    pub(crate) id: Option<String>,
    /// Win probability in percent.
    pub(crate) probability: Option<u8>,
    /// Whether the stage closes a deal.
    pub(crate) closed: Option<bool>,
    /// Whether the stage closes a deal as won.
    pub(crate) won: Option<bool>,
    /// The forecast category, as the CRM writes it (Salesforce: `Pipeline`, `Forecast`…).
    pub(crate) forecast: Option<String>,
}

/// Every CRM target, in the order `--help` lists them. The one list: adding a line here (and
/// the file it names) is all the command line, export, diff and the `crm::` rules need.
pub(crate) static TARGETS: &[Target] = &[
    Target(&salesforce::Salesforce),
    Target(&hubspot::Hubspot),
    Target(&pipedrive::Pipedrive),
];

/// A CRM stagebook can compile a playbook for: a handle on one entry of [`TARGETS`].
#[derive(Clone, Copy)]
pub(crate) struct Target(&'static dyn CrmTarget);

impl Target {
    /// The target whose [`CrmTarget::id`] is `id`.
    pub(crate) fn from_id(id: &str) -> Option<Self> {
        TARGETS.iter().copied().find(|t| t.id() == id)
    }

    /// The targets the playbook's `crm:` block names, in [`TARGETS`] order.
    pub(crate) fn named_in(playbook: &PlaybookFile) -> Vec<Self> {
        playbook.playbook.crm.as_ref().map_or_else(Vec::new, |crm| {
            TARGETS
                .iter()
                .copied()
                .filter(|t| t.0.named_in(crm))
                .collect()
        })
    }

    /// Whether this is the target implemented by `T` (for rules about one CRM's own settings).
    pub(crate) fn is<T: CrmTarget + Default>(self) -> bool {
        self.id() == T::default().id()
    }
}

impl std::ops::Deref for Target {
    type Target = dyn CrmTarget;

    fn deref(&self) -> &Self::Target {
        self.0
    }
}

impl PartialEq for Target {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for Target {}

impl std::hash::Hash for Target {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How the Salesforce files are laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Layout {
    /// Source format (`*-meta.xml`), as in an sfdx project's `force-app/main/default`.
    #[default]
    Source,
    /// Metadata API format (`pathAssistants/X.pathAssistant`), for
    /// `sf project deploy start --metadata-dir`.
    Mdapi,
}

/// Settings of one export.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExportOptions {
    /// The CRM to compile for.
    pub(crate) target: Target,
    /// Salesforce file layout; ignored by the other targets.
    pub(crate) layout: Layout,
}

/// One generated file, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputFile {
    /// Path inside the output folder; only plain names, never `..` or absolute.
    pub(crate) path: PathBuf,
    /// The file's text.
    pub(crate) contents: String,
}

/// Compiles `playbook` for a CRM. The caller runs the `crm::` lint rules for the target first
/// (`check::crm_findings`) and compiles only when none is an error.
pub(crate) fn export(playbook: &PlaybookFile, options: ExportOptions) -> Vec<OutputFile> {
    options.target.export(playbook, options.layout)
}

/// What a pipeline's files are named after when several playbooks are exported together
/// (`hubspot-pipeline-renewals.json`): the playbook's id.
pub(crate) fn pipeline_file(playbook: &PlaybookFile) -> String {
    playbook.playbook.id.as_str().to_owned()
}

/// One playbook stage as every CRM sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CrmStage {
    /// Index of the stage in the playbook's `stages`.
    pub(crate) index: usize,
    /// The name the CRM shows: the first of `crm_names`, else the stage's `name`.
    pub(crate) label: String,
    /// Win probability in percent: as written, else 100 for won and 0 for lost stages.
    pub(crate) probability: Option<u8>,
    /// How the stage closes a deal, if it does.
    pub(crate) terminal: Option<Terminal>,
    /// The forecast bucket: as written, else from `terminal`.
    pub(crate) forecast: ForecastCategory,
}

impl CrmStage {
    /// Whether the stage closes a deal.
    pub(crate) fn closed(&self) -> bool {
        self.terminal.is_some()
    }

    /// Whether the stage closes a deal as won.
    pub(crate) fn won(&self) -> bool {
        self.terminal.is_some_and(Terminal::is_won)
    }
}

/// The name a CRM shows for `stage`.
pub(crate) fn crm_label(stage: &Stage) -> &str {
    stage
        .crm_names
        .first()
        .map_or(stage.name.as_str(), String::as_str)
}

/// The JSON pointer of the text that gives a stage its CRM name.
pub(crate) fn label_pointer(stage: &Stage, index: usize) -> String {
    if stage.crm_names.is_empty() {
        format!("/stages/{index}/name")
    } else {
        format!("/stages/{index}/crm_names/0")
    }
}

/// Every stage of `playbook`, in playbook order, as the CRM sees it.
pub(crate) fn stages(playbook: &PlaybookFile) -> Vec<CrmStage> {
    playbook
        .stages
        .iter()
        .enumerate()
        .map(|(index, stage)| CrmStage {
            index,
            label: crm_label(stage).to_string(),
            probability: stage.probability.or(match stage.terminal {
                Some(Terminal::Won) => Some(100),
                Some(_) => Some(0),
                None => None,
            }),
            terminal: stage.terminal,
            forecast: stage.forecast_category.unwrap_or(match stage.terminal {
                Some(Terminal::Won) => ForecastCategory::Closed,
                Some(_) => ForecastCategory::Omitted,
                None => ForecastCategory::Pipeline,
            }),
        })
        .collect()
}

/// Rounds a percentage to the nearest multiple of `step`, halves up, at most 100.
/// The probability a CRM that stores steps of `step` holds for an open stage: rounded, but
/// never to 0 or 100 unless written so — those mean closed lost and closed won to a CRM that
/// closes deals by probability (HubSpot), and a 3 % stage exported as 0.0 would read as lost.
pub(crate) fn round_open_probability(percent: u8, step: u8) -> u8 {
    if percent == 0 || percent >= 100 {
        return percent.min(100);
    }
    round_probability(percent, step).clamp(step.clamp(1, 50), 100 - step.clamp(1, 50))
}

pub(crate) fn round_probability(percent: u8, step: u8) -> u8 {
    let step = u16::from(step.max(1));
    let rounded = (u16::from(percent) + step / 2) / step * step;
    u8::try_from(rounded.min(100)).unwrap_or(100)
}

/// The probability an export gives each open stage without one, by stage index: evenly spaced
/// along the open stages ([`default_probability`]), rounded to `step` when the CRM has steps.
pub(crate) fn open_probabilities(playbook: &PlaybookFile, step: Option<u8>) -> HashMap<usize, u8> {
    let open: Vec<usize> = (0..playbook.stages.len())
        .filter(|&i| !playbook.stages[i].is_terminal())
        .collect();
    open.iter()
        .enumerate()
        .filter(|(_, i)| playbook.stages[**i].probability.is_none())
        .map(|(position, &i)| {
            let guess = default_probability(position, open.len());
            (
                i,
                step.map_or(guess, |step| round_open_probability(guess, step)),
            )
        })
        .collect()
}

/// Interpolated probability for an open stage without one: evenly spaced along the stage
/// order between 0 and 100, so that HubSpot, which requires a value, still gets a rising one.
pub(crate) fn default_probability(open_position: usize, open_count: usize) -> u8 {
    let step = 100 * (open_position + 1) / (open_count + 1);
    u8::try_from(step.min(100)).unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The typed playbook of `yaml` (loaded and validated here, without the `check` pipeline,
    /// which sits above this module).
    fn parse(yaml: &str) -> PlaybookFile {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.yaml");
        std::fs::write(&path, yaml).unwrap();
        let crate::load::Loaded::Playbook {
            document: Some(document),
            ..
        } = crate::load::load(&path, &crate::load::Limits::default()).unwrap()
        else {
            panic!("not a playbook");
        };
        crate::validate::validate(&document)
            .0
            .expect("a valid playbook")
    }

    #[test]
    fn the_target_list_has_unique_lowercase_ids() {
        let ids: Vec<&str> = TARGETS.iter().map(|t| t.id()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(ids.len(), unique.len(), "{ids:?}");
        for target in TARGETS {
            assert!(
                target.id().bytes().all(|b| b.is_ascii_lowercase()),
                "{target:?}"
            );
            assert_eq!(Target::from_id(target.id()), Some(*target));
            assert!(target.about().starts_with(target.name()), "{target:?}");
        }
        assert!(Target::from_id("salesforce").is_some_and(Target::is::<salesforce::Salesforce>));
        assert_eq!(Target::from_id("nope"), None);
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
                "stagebook: 1\nplaybook:\n  id: {id}\n  name: T\nstages:\n  - id: won\n    name: Won\n    terminal: won\n"
            )))
        };
        assert_eq!(named("b2b-saas"), "B2b_Saas");
        assert_eq!(named("2026_q1--plan"), "Path_2026_Q1_Plan");
    }

    #[test]
    fn open_stages_never_round_to_closed() {
        assert_eq!(
            round_open_probability(3, 10),
            10,
            "not 0: HubSpot reads 0.0 as lost"
        );
        assert_eq!(round_open_probability(96, 10), 90, "not 100: read as won");
        assert_eq!(round_open_probability(45, 10), 50);
        assert_eq!(round_open_probability(0, 10), 0, "as written");
        assert_eq!(round_open_probability(100, 10), 100, "as written");
        assert_eq!(round_open_probability(1, 1), 1);
        let playbook = parse(
            "stagebook: 1\nplaybook:\n  id: p\n  name: P\nstages:\n  - id: a\n    name: A\n    probability: 3\n    next: won\n  - id: won\n    name: Won\n    terminal: won\n",
        );
        let body = hubspot::export(&playbook).contents;
        assert!(body.contains("\"probability\": \"0.1\""), "{body}");
    }
}

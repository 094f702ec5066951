//! Findings about what a CRM cannot express: run by `crm export` before anything is written,
//! reported on the playbook's lines like every other finding. Each rule's doc comment is its
//! long explanation (What it checks / Why it matters / Example).

use std::collections::HashMap;

use super::{CrmStage, Target, crm_label, hubspot, label_pointer, main_path, salesforce, stages};
use crate::diagnostic::{Diagnostic, Severity};
use crate::load::Document;
use crate::model::{PlaybookFile, Terminal};

/// Every rule in this module: id, the targets it runs for, and its level.
pub const RULES: &[(&str, &[Target], Severity)] = &[
    ("crm::no-stages", ALL, Severity::Error),
    ("crm::duplicate-crm-name", ALL, Severity::Error),
    ("crm::probability-order", ALL, Severity::Warning),
    (
        "crm::terminal-probability",
        &[Target::Salesforce, Target::Hubspot],
        Severity::Warning,
    ),
    (
        "crm::too-many-key-fields",
        &[Target::Salesforce],
        Severity::Error,
    ),
    (
        "crm::invalid-api-name",
        &[Target::Salesforce],
        Severity::Error,
    ),
    (
        "crm::guidance-too-long",
        &[Target::Salesforce],
        Severity::Warning,
    ),
    (
        "crm::name-too-long",
        &[Target::Salesforce, Target::Hubspot],
        Severity::Warning,
    ),
    (
        "crm::probability-rounded",
        &[Target::Hubspot],
        Severity::Warning,
    ),
    (
        "crm::missing-probability",
        &[Target::Hubspot],
        Severity::Warning,
    ),
    (
        "crm::too-many-stages",
        &[Target::Hubspot],
        Severity::Warning,
    ),
    (
        "crm::terminal-not-a-stage",
        &[Target::Pipedrive],
        Severity::Note,
    ),
];

const ALL: &[Target] = &[Target::Salesforce, Target::Hubspot, Target::Pipedrive];

/// Most key fields Salesforce shows on one Sales Path step.
pub const MAX_KEY_FIELDS: usize = 5;
/// Longest Opportunity stage value Salesforce accepts (the `StageName` field holds 40).
pub const SALESFORCE_STAGE_NAME_MAX: usize = 40;
/// Provisional cap on a Sales Path step's guidance, markup included (not documented by
/// Salesforce; see CRM-FORMATS.md).
pub const GUIDANCE_MAX: usize = 4000;
/// Longest HubSpot pipeline label (legacy API documentation; unconfirmed for v3).
pub const HUBSPOT_PIPELINE_LABEL_MAX: usize = 36;
/// Most stages in one HubSpot pipeline (legacy API documentation; unconfirmed for v3).
pub const HUBSPOT_MAX_STAGES: usize = 100;

/// Runs every rule that applies to `target`.
pub fn check(target: Target, document: &Document, playbook: &PlaybookFile) -> Vec<Diagnostic> {
    let crm = stages(playbook);
    let mut out = Vec::new();
    no_stages(target, document, &crm, &mut out);
    duplicate_crm_name(target, document, playbook, &crm, &mut out);
    probability_order(document, playbook, &mut out);
    match target {
        Target::Salesforce => {
            terminal_probability(target, document, playbook, &mut out);
            too_many_key_fields(document, playbook, &mut out);
            invalid_api_name(document, playbook, &mut out);
            guidance_too_long(document, playbook, &mut out);
            name_too_long(target, document, playbook, &mut out);
        }
        Target::Hubspot => {
            terminal_probability(target, document, playbook, &mut out);
            probability_rounded(document, playbook, &mut out);
            missing_probability(document, playbook, &mut out);
            name_too_long(target, document, playbook, &mut out);
            too_many_stages(document, &crm, &mut out);
        }
        Target::Pipedrive => terminal_not_a_stage(document, playbook, &mut out),
    }
    out
}

/// The stages `target` holds: Pipedrive has no closing stages.
fn exported(target: Target, crm: &[CrmStage]) -> impl Iterator<Item = &CrmStage> {
    crm.iter()
        .filter(move |s| target != Target::Pipedrive || !s.closed())
}

/// ## What it checks
/// That the playbook has at least one stage the CRM can hold.
///
/// ## Why it matters
/// An empty pipeline cannot be deployed, and replacing a pipeline with nothing would lose
/// every deal's stage.
///
/// ## Example
/// Flagged: `stages: []`. Fixed: write the stages deals go through.
fn no_stages(target: Target, document: &Document, crm: &[CrmStage], out: &mut Vec<Diagnostic>) {
    if exported(target, crm).next().is_none() {
        out.push(
            Diagnostic::error(
                "crm::no-stages",
                format!("the playbook has no stage that {target} can hold"),
                document.label("/stages", true),
            )
            .with_help("write the open stages deals go through before exporting"),
        );
    }
}

/// ## What it checks
/// That no two stages get the same name in the CRM (the first of `crm_names`, else `name`).
///
/// ## Why it matters
/// The CRM identifies stages by name: two stages with one name would merge, and reps could no
/// longer tell which step a deal is in.
///
/// ## Example
/// Flagged: two stages with `crm_names: [Qualified]`. Fixed: give each its own CRM name.
fn duplicate_crm_name(
    target: Target,
    document: &Document,
    playbook: &PlaybookFile,
    crm: &[CrmStage],
    out: &mut Vec<Diagnostic>,
) {
    let mut first: HashMap<String, usize> = HashMap::new();
    for stage in exported(target, crm) {
        // Salesforce and HubSpot compare stage names without regard to case.
        let key = stage.label.to_lowercase();
        if let Some(&earlier) = first.get(&key) {
            let pointer = label_pointer(&playbook.stages[stage.index], stage.index);
            let earlier_pointer = label_pointer(&playbook.stages[earlier], earlier);
            out.push(
                Diagnostic::error(
                    "crm::duplicate-crm-name",
                    format!(
                        "stages `{}` and `{}` would both be called `{}` in {target}",
                        playbook.stages[earlier].id, playbook.stages[stage.index].id, stage.label
                    ),
                    document
                        .label(&pointer, false)
                        .with_text("second stage with this name"),
                )
                .with_related(
                    document
                        .label(&earlier_pointer, false)
                        .with_text("first stage"),
                )
                .with_help("give one of them another name, or another first entry in `crm_names`"),
            );
        } else {
            first.insert(key, stage.index);
        }
    }
}

/// ## What it checks
/// That the win `probability` never drops from one open stage to the next along the main path
/// (from the first stage, following each stage's first `next`).
///
/// ## Why it matters
/// CRMs weigh the forecast with the stage probability: a deal that moves forward and becomes
/// less likely to close makes the forecast shrink when the team makes progress.
///
/// ## Example
/// Flagged: `discovery` at 30 then `demo` at 20. Fixed: `discovery` at 20, `demo` at 30.
fn probability_order(document: &Document, playbook: &PlaybookFile, out: &mut Vec<Diagnostic>) {
    let mut highest: Option<(usize, u8)> = None;
    for i in main_path(playbook) {
        let stage = &playbook.stages[i];
        let Some(p) = stage.probability.filter(|_| !stage.is_terminal()) else {
            continue;
        };
        match highest {
            Some((before, q)) if p < q => out.push(
                Diagnostic::new(
                    Severity::Warning,
                    "crm::probability-order",
                    format!(
                        "win probability drops from {q}% in `{}` to {p}% in `{}`, the next step",
                        playbook.stages[before].id, stage.id
                    ),
                    document
                        .label(&format!("/stages/{i}/probability"), false)
                        .with_text("lower than an earlier stage"),
                )
                .with_related(
                    document
                        .label(&format!("/stages/{before}/probability"), false)
                        .with_text("earlier stage"),
                )
                .with_help(format!(
                    "a deal that moves forward should become more likely to close: give `{}` at least {q}",
                    stage.id
                )),
            ),
            Some((_, q)) if p <= q => {}
            _ => highest = Some((i, p)),
        }
    }
}

/// ## What it checks
/// That a won stage has `probability: 100` and a lost stage `probability: 0`, when written.
///
/// ## Why it matters
/// Salesforce reports closed deals by their stage's probability, and HubSpot tells won from
/// lost stages only by it (1.0 won, 0.0 lost): another value makes closed deals count wrong.
///
/// ## Example
/// Flagged: `terminal: won` with `probability: 90`. Fixed: drop `probability` or write 100.
fn terminal_probability(
    target: Target,
    document: &Document,
    playbook: &PlaybookFile,
    out: &mut Vec<Diagnostic>,
) {
    for (i, stage) in playbook.stages.iter().enumerate() {
        let (Some(terminal), Some(p)) = (stage.terminal, stage.probability) else {
            continue;
        };
        let expected = if terminal == Terminal::Won { 100 } else { 0 };
        if p != expected {
            let word = if terminal == Terminal::Won {
                "won"
            } else {
                "lost"
            };
            out.push(
                Diagnostic::new(
                    Severity::Warning,
                    "crm::terminal-probability",
                    format!("`{}` closes a deal as {word} but has a win probability of {p}%", stage.id),
                    document.label(&format!("/stages/{i}/probability"), false),
                )
                .with_help(format!(
                    "{target} counts {word} deals at {expected}%: remove `probability` or write {expected}"
                )),
            );
        }
    }
}

/// ## What it checks
/// That a stage lists at most five Salesforce key fields (`crm.salesforce.key_fields`).
///
/// ## Why it matters
/// The Sales Path shows at most five key fields per step; a deploy with more fails.
///
/// ## Example
/// Flagged: six fields. Fixed: keep the five the rep must fill in at this step.
fn too_many_key_fields(document: &Document, playbook: &PlaybookFile, out: &mut Vec<Diagnostic>) {
    for (i, stage) in playbook.stages.iter().enumerate() {
        let fields = stage
            .crm
            .as_ref()
            .and_then(|c| c.salesforce.as_ref())
            .map_or(0, |s| s.key_fields.len());
        if fields > MAX_KEY_FIELDS {
            out.push(
                Diagnostic::error(
                    "crm::too-many-key-fields",
                    format!(
                        "stage `{}` lists {fields} key fields, but a Salesforce Sales Path step shows at most {MAX_KEY_FIELDS}",
                        stage.id
                    ),
                    document.label(
                        &format!("/stages/{i}/crm/salesforce/key_fields/{MAX_KEY_FIELDS}"),
                        false,
                    ),
                )
                .with_help("keep the five fields the rep must fill in at this step"),
            );
        }
    }
}

/// ## What it checks
/// That `crm.salesforce.path_name` is a valid Salesforce API name: no `__`, no `_` at the end.
///
/// ## Why it matters
/// Salesforce rejects such names when deploying, after the rest of the change was prepared.
///
/// ## Example
/// Flagged: `path_name: Sales__Path_`. Fixed: `path_name: Sales_Path`.
fn invalid_api_name(document: &Document, playbook: &PlaybookFile, out: &mut Vec<Diagnostic>) {
    let name = playbook
        .playbook
        .crm
        .as_ref()
        .and_then(|c| c.salesforce.as_ref())
        .and_then(|s| s.path_name.as_deref());
    if let Some(name) = name.filter(|n| n.contains("__") || n.ends_with('_')) {
        out.push(
            Diagnostic::error(
                "crm::invalid-api-name",
                format!("`{name}` is not a valid Salesforce API name"),
                document.label("/playbook/crm/salesforce/path_name", false),
            )
            .with_help("use letters, digits and single `_` between them, e.g. `Sales_Path`"),
        );
    }
}

/// ## What it checks
/// That a stage's Sales Path guidance (goal, what to do, exit events, as HTML) stays under
/// 4000 characters, markup included.
///
/// ## Why it matters
/// Salesforce stores the guidance in one text field. Its limit is not documented; 4000 is the
/// provisional cap until a sandbox confirms it, so a longer guide may not deploy.
///
/// ## Example
/// Flagged: a stage with thirty long actions. Fixed: keep the essentials in the playbook's
/// `do` and `exit`, and move details to a content item.
fn guidance_too_long(document: &Document, playbook: &PlaybookFile, out: &mut Vec<Diagnostic>) {
    for (i, stage) in playbook.stages.iter().enumerate() {
        let length = salesforce::guidance(playbook, stage).chars().count();
        if length > GUIDANCE_MAX {
            out.push(
                Diagnostic::new(
                    Severity::Warning,
                    "crm::guidance-too-long",
                    format!(
                        "the Sales Path guidance for `{}` is {length} characters long; Salesforce may keep at most {GUIDANCE_MAX}",
                        stage.id
                    ),
                    document.label(&format!("/stages/{i}/id"), false),
                )
                .with_help("shorten the stage's `goal`, `do` and `exit`, or move details to a content item"),
            );
        }
    }
}

/// ## What it checks
/// That names fit the CRM: a Salesforce stage value holds at most 40 characters, a HubSpot
/// pipeline label at most 36.
///
/// ## Why it matters
/// A name the CRM cannot hold fails the deploy or is cut, and the stage then no longer matches
/// the playbook in `crm diff`.
///
/// ## Example
/// Flagged: `name: Discovery call with the economic buyer and IT security`. Fixed: a short
/// `crm_names: [Discovery]`, keeping the long `name` for the handbook.
fn name_too_long(
    target: Target,
    document: &Document,
    playbook: &PlaybookFile,
    out: &mut Vec<Diagnostic>,
) {
    match target {
        Target::Salesforce => {
            for (i, stage) in playbook.stages.iter().enumerate() {
                let length = crm_label(stage).chars().count();
                if length > SALESFORCE_STAGE_NAME_MAX {
                    out.push(
                        Diagnostic::new(
                            Severity::Warning,
                            "crm::name-too-long",
                            format!(
                                "the Salesforce stage name of `{}` is {length} characters long; Salesforce holds {SALESFORCE_STAGE_NAME_MAX}",
                                stage.id
                            ),
                            document.label(&label_pointer(stage, i), false),
                        )
                        .with_help("write a shorter CRM name first in `crm_names`; `name` stays for the handbook"),
                    );
                }
            }
        }
        Target::Hubspot => {
            let length = playbook.playbook.name.chars().count();
            if length > HUBSPOT_PIPELINE_LABEL_MAX {
                out.push(
                    Diagnostic::new(
                        Severity::Warning,
                        "crm::name-too-long",
                        format!(
                            "the playbook name is {length} characters long; HubSpot pipeline labels may hold only {HUBSPOT_PIPELINE_LABEL_MAX}"
                        ),
                        document.label("/playbook/name", false),
                    )
                    .with_help("shorten the playbook's `name`"),
                );
            }
        }
        Target::Pipedrive => {}
    }
}

/// ## What it checks
/// That every written `probability` is a multiple of 10, as HubSpot stores them.
///
/// ## Why it matters
/// HubSpot keeps deal stage probabilities in steps of 0.1: the export rounds the value, so the
/// forecast in HubSpot differs from the playbook's.
///
/// ## Example
/// Flagged: `probability: 25` (becomes 30%). Fixed: `probability: 30`.
fn probability_rounded(document: &Document, playbook: &PlaybookFile, out: &mut Vec<Diagnostic>) {
    for (i, stage) in playbook.stages.iter().enumerate() {
        let Some(p) = stage.probability else { continue };
        let rounded = hubspot::round_probability(p);
        if rounded != p {
            out.push(
                Diagnostic::new(
                    Severity::Warning,
                    "crm::probability-rounded",
                    format!(
                        "HubSpot stores probabilities in steps of 10%: {p}% in `{}` becomes {rounded}%",
                        stage.id
                    ),
                    document.label(&format!("/stages/{i}/probability"), false),
                )
                .with_help(format!("write `probability: {rounded}` so the playbook and HubSpot agree")),
            );
        }
    }
}

/// ## What it checks
/// That every open stage has a `probability` when exporting to HubSpot.
///
/// ## Why it matters
/// HubSpot requires a probability on every deal stage. Without one the export spreads the open
/// stages evenly between 0% and 100%, which is a guess, not the team's forecast.
///
/// ## Example
/// Flagged: a `demo` stage without `probability`. Fixed: `probability: 40`.
fn missing_probability(document: &Document, playbook: &PlaybookFile, out: &mut Vec<Diagnostic>) {
    let open = hubspot::open_probabilities(playbook);
    for (i, stage) in playbook.stages.iter().enumerate() {
        if stage.probability.is_some() || stage.is_terminal() {
            continue;
        }
        let guess = open.get(&i).copied().unwrap_or(0);
        out.push(
            Diagnostic::new(
                Severity::Warning,
                "crm::missing-probability",
                format!(
                    "stage `{}` has no win probability, which HubSpot requires",
                    stage.id
                ),
                document.label(&format!("/stages/{i}/id"), false),
            )
            .with_help(format!(
                "write `probability:` for this stage; the export used {guess}% from its position"
            )),
        );
    }
}

/// ## What it checks
/// That a HubSpot pipeline gets at most 100 stages.
///
/// ## Why it matters
/// HubSpot's documentation limits a pipeline to 100 stages (legacy API; unconfirmed for v3).
///
/// ## Example
/// Flagged: 120 stages. Fixed: split the process into several playbooks.
fn too_many_stages(document: &Document, crm: &[CrmStage], out: &mut Vec<Diagnostic>) {
    if crm.len() > HUBSPOT_MAX_STAGES {
        out.push(
            Diagnostic::new(
                Severity::Warning,
                "crm::too-many-stages",
                format!(
                    "the playbook has {} stages; a HubSpot pipeline may hold only {HUBSPOT_MAX_STAGES}",
                    crm.len()
                ),
                document.label("/stages", true),
            )
            .with_help("split the process into several playbooks"),
        );
    }
}

/// ## What it checks
/// Nothing to fix: it says that won and lost stages are not exported to Pipedrive.
///
/// ## Why it matters
/// In Pipedrive a deal is won or lost by its status, not by a stage. The export leaves closing
/// stages out; reps close deals with Pipedrive's Won and Lost buttons.
///
/// ## Example
/// `terminal: won` on `closed-won`: reported as a note, the pipeline ends with the last open
/// stage.
fn terminal_not_a_stage(document: &Document, playbook: &PlaybookFile, out: &mut Vec<Diagnostic>) {
    for (i, stage) in playbook.stages.iter().enumerate() {
        let Some(terminal) = stage.terminal else {
            continue;
        };
        let (word, button) = match terminal {
            Terminal::Won => ("won", "Won"),
            Terminal::Lost => ("lost", "Lost"),
        };
        out.push(
            Diagnostic::new(
                Severity::Note,
                "crm::terminal-not-a-stage",
                format!(
                    "`{}` is not exported: Pipedrive marks deals {word} by status, not by stage",
                    stage.id
                ),
                document.label(&format!("/stages/{i}/terminal"), false),
            )
            .with_help(format!(
                "reps close deals with Pipedrive's {button} button; nothing to change in the playbook"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::check::{Options, check_file};

    /// Checks `yaml` for `target`; returns `code@line` for each finding.
    fn findings(target: Target, yaml: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("playbook.yaml");
        std::fs::write(&path, yaml).unwrap();
        let checked = check_file(&path, &Options::default()).unwrap().unwrap();
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        let playbook = checked.playbook.as_ref().unwrap();
        let document = checked.document.as_ref().unwrap();
        check(target, document, playbook)
            .iter()
            .map(|d| format!("{}@{}", d.code, d.primary.start().line))
            .collect()
    }

    fn playbook(stages: &str) -> String {
        format!("stagebook: 1\nplaybook:\n  id: t\n  name: Test\nstages:\n{stages}")
    }

    const CLEAN: &str = "  - id: a\n    name: A\n    probability: 10\n  - id: b\n    name: B\n    probability: 40\n  - id: won\n    name: Won\n    terminal: won\n";

    #[test]
    fn a_clean_playbook_passes_every_target() {
        for target in [Target::Salesforce, Target::Hubspot] {
            assert!(findings(target, &playbook(CLEAN)).is_empty(), "{target}");
        }
        assert_eq!(
            findings(Target::Pipedrive, &playbook(CLEAN)),
            ["crm::terminal-not-a-stage@14"]
        );
    }

    #[test]
    fn probability_order_follows_the_main_path_not_the_list() {
        // `nurture` (a side branch at 5%) sits between the main-path stages in the list.
        let stages = "  - id: a\n    name: A\n    probability: 30\n    next: [b, nurture]\n  - id: nurture\n    name: Nurture\n    probability: 5\n    next: b\n  - id: b\n    name: B\n    probability: 20\n    next: won\n  - id: won\n    name: Won\n    terminal: won\n";
        assert_eq!(
            findings(Target::Salesforce, &playbook(stages)),
            ["crm::probability-order@16"]
        );
    }

    #[test]
    fn no_stages_and_too_many_stages() {
        let only_won = "  - id: won\n    name: Won\n    terminal: won\n";
        assert_eq!(
            findings(Target::Pipedrive, &playbook(only_won)),
            ["crm::no-stages@5", "crm::terminal-not-a-stage@8"]
        );
        let mut many = String::new();
        for i in 0..101 {
            let _ = write!(many, "  - id: s{i}\n    name: S{i}\n    probability: 10\n");
        }
        assert_eq!(
            findings(Target::Hubspot, &playbook(&many)),
            ["crm::too-many-stages@5"]
        );
    }

    #[test]
    fn long_guidance_is_reported() {
        let mut actions = String::new();
        for i in 0..80 {
            let _ = writeln!(
                actions,
                "      - action: Step {i} of a very long list of things the rep has to do"
            );
        }
        let stages = format!("  - id: a\n    name: A\n    probability: 10\n    do:\n{actions}");
        assert_eq!(
            findings(Target::Salesforce, &playbook(&stages)),
            ["crm::guidance-too-long@6"]
        );
    }
}

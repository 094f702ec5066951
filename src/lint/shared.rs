//! Several playbooks exported together into one CRM (`crm export A.yaml B.yaml`): what they
//! cannot share. Salesforce keeps one Opportunity stage picklist for the whole org, so a stage
//! value two playbooks name must get the same probability, forecast category and closed/won
//! flags from both, and a record type has one Sales Path; in every CRM, two playbooks must not
//! write the same Sales Path or pipeline. Each finding is reported on both playbooks' lines.

use crate::crm;
use crate::diagnostic::{Diagnostic, Label, codes};
use crate::load::Document;
use crate::model::PlaybookFile;

use crate::crm::{CrmStage, Target, label_pointer, salesforce, stages};

/// One playbook of the export: its document (for lines) and its typed form.
pub(crate) type Member<'a> = (&'a Document, &'a PlaybookFile);

/// What the playbooks cannot share in `target`: errors, nothing is written while there are any.
/// Each is reported on every playbook it involves, pointing at the others.
pub(crate) fn conflicts(members: &[Member<'_>], target: Target) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, here) in members.iter().enumerate() {
        let others: Vec<&Member<'_>> = members
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, m)| m)
            .collect();
        if target.is::<salesforce::Salesforce>() {
            shared_values(here, &others, &mut out);
            record_type(here, &others, &mut out);
        }
        export_name(here, &others, target, &mut out);
    }
    out
}

/// Each stage value `here` names that another playbook names with other settings.
fn shared_values(here: &Member<'_>, others: &[&Member<'_>], out: &mut Vec<Diagnostic>) {
    let theirs: Vec<Vec<CrmStage>> = others.iter().map(|o| stages(o.1)).collect();
    for stage in stages(here.1) {
        let mut words = Vec::new();
        let mut related = Vec::new();
        let mut field = None;
        for (other, crm) in others.iter().zip(&theirs) {
            let Some(same) = crm
                .iter()
                .find(|s| s.label.eq_ignore_ascii_case(&stage.label))
            else {
                continue;
            };
            let differ = differences(&stage, same);
            let Some((first, _, _)) = differ.first() else {
                continue;
            };
            field.get_or_insert(*first);
            if words.is_empty() {
                words.push(format!("here {}", settings(&differ, false)));
            }
            words.push(format!(
                "in `{}` {}",
                other.1.playbook.name,
                settings(&differ, true)
            ));
            related.push(
                other
                    .0
                    .label(&field_pointer(other.1, same, first), false)
                    .with_text(format!("in `{}`", other.1.playbook.name)),
            );
        }
        let Some(field) = field else { continue };
        let mut finding = Diagnostic::of(
            codes::structure::SHARED_STAGE_CONFLICT,
            format!(
                "`{}` is one value of the org's stage picklist, with one setting for every playbook: {}",
                stage.label,
                words.join("; ")
            ),
            here.0.label(&field_pointer(here.1, &stage, field), false),
        )
        .with_help(
            "make the playbooks agree on the value's probability, forecast category and terminal, or give one stage another name in `crm_names`",
        );
        finding.related = related;
        out.push(finding);
    }
}

/// The differing settings, one side's: `probability 40%, forecast category BestCase`.
fn settings(differ: &[(&'static str, String, String)], theirs: bool) -> String {
    differ
        .iter()
        .map(|(field, mine, other)| format!("{field} {}", if theirs { other } else { mine }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What one Salesforce stage value holds, in words: its probability, forecast category and
/// how it closes.
fn settings_of(stage: &CrmStage) -> [(&'static str, String); 3] {
    let closes = match (stage.closed(), stage.won()) {
        (true, true) => "won",
        (true, false) => "lost",
        _ => "open",
    };
    [
        (
            "probability",
            stage
                .probability
                .map_or_else(|| "none".into(), |p| format!("{p}%")),
        ),
        (
            "forecast category",
            salesforce::forecast_category(stage.forecast).to_owned(),
        ),
        ("terminal", closes.to_owned()),
    ]
}

/// The settings of one value that differ: (field, in `a`, in `b`).
fn differences(a: &CrmStage, b: &CrmStage) -> Vec<(&'static str, String, String)> {
    settings_of(a)
        .into_iter()
        .zip(settings_of(b))
        .filter(|((_, x), (_, y))| x != y)
        .map(|((field, x), (_, y))| (field, x, y))
        .collect()
}

/// The line of `field` on the stage, when written there; else the line of its CRM name.
fn field_pointer(playbook: &PlaybookFile, stage: &CrmStage, field: &str) -> String {
    let written = &playbook.stages[stage.index];
    let key = match field {
        "probability" if written.probability.is_some() => Some("probability"),
        "forecast category" if written.forecast_category.is_some() => Some("forecast_category"),
        "terminal" if written.terminal.is_some() => Some("terminal"),
        _ => None,
    };
    key.map_or_else(
        || label_pointer(written, stage.index),
        |key| format!("/stages/{}/{key}", stage.index),
    )
}

/// Playbooks for one record type, which holds one Sales Path.
fn record_type(here: &Member<'_>, others: &[&Member<'_>], out: &mut Vec<Diagnostic>) {
    let record_type = salesforce::record_type(here.1);
    let same: Vec<&Member<'_>> = others
        .iter()
        .filter(|o| salesforce::record_type(o.1) == record_type)
        .copied()
        .collect();
    if same.is_empty() {
        return;
    }
    let pointer = "/playbook/crm/salesforce/record_type";
    let mut finding = Diagnostic::of(
        codes::structure::SHARED_RECORD_TYPE,
        format!(
            "this playbook and {} are for the record type {record_type}, which has one Sales Path",
            names(&same)
        ),
        at(here, pointer),
    )
    .with_help(
        "set `crm.salesforce.record_type` on each playbook to the record type its deals use (`New_Business`, `Renewal`)",
    );
    finding.related = same
        .iter()
        .map(|o| at(o, pointer).with_text(format!("also for {record_type}")))
        .collect();
    out.push(finding);
}

/// Playbooks that would write the same Sales Path or pipeline files.
fn export_name(
    here: &Member<'_>,
    others: &[&Member<'_>],
    target: Target,
    out: &mut Vec<Diagnostic>,
) {
    let salesforce = target.is::<salesforce::Salesforce>();
    let name = |playbook: &PlaybookFile| {
        if salesforce {
            salesforce::path_name(playbook)
        } else {
            crm::pipeline_file(playbook)
        }
    };
    let ours = name(here.1);
    let same: Vec<&Member<'_>> = others
        .iter()
        .filter(|o| name(o.1).eq_ignore_ascii_case(&ours))
        .copied()
        .collect();
    if same.is_empty() {
        return;
    }
    let (pointer, what, help) = if salesforce {
        (
            "/playbook/crm/salesforce/path_name",
            "Sales Path",
            "give one playbook another `id`, or set `crm.salesforce.path_name`",
        )
    } else {
        (
            "/playbook/id",
            "pipeline files",
            "give one playbook another `id`",
        )
    };
    let mut finding = Diagnostic::of(
        codes::structure::SHARED_EXPORT_NAME,
        format!(
            "this playbook and {} would write the {what} `{ours}` for {target}: one would replace the other",
            names(&same)
        ),
        at(here, pointer),
    )
    .with_help(help);
    finding.related = same
        .iter()
        .map(|o| at(o, pointer).with_text("the same name"))
        .collect();
    out.push(finding);
}

/// `` `Renewals` `` or `` `Renewals` and `Upsell` ``.
fn names(members: &[&Member<'_>]) -> String {
    let names: Vec<String> = members
        .iter()
        .map(|m| format!("`{}`", m.1.playbook.name))
        .collect();
    names.join(" and ")
}

/// A label at `pointer` when the playbook writes it, else at its `id`.
fn at(member: &Member<'_>, pointer: &str) -> Label {
    let pointer = if member.0.has(pointer) {
        pointer
    } else {
        "/playbook/id"
    };
    member.0.label(pointer, false)
}

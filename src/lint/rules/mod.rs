//! The lint rules, one file each. To add a rule: write `rules/my_rule.rs` with
//! [`declare_rule!`](crate::declare_rule), implement [`Rule`](super::Rule), and add one line
//! to [`ALL`] (kept sorted by id; a test checks).
//!
//! The `crm::` rules (`crm_*.rs`) say what a CRM cannot hold. They run for the targets in
//! [`LintContext::crm_targets`](super::LintContext::crm_targets): the ones the playbook's `crm:`
//! block names in `check`, the one exported to in `crm export`. They ask the target for its
//! limits ([`CrmTarget`](crate::crm::CrmTarget)), so a new target needs no new rule unless it
//! has a quirk of its own.

pub(crate) mod banned_phrase;
pub(crate) mod broken_content_link;
pub(crate) mod crm_duplicate_crm_name;
pub(crate) mod crm_guidance_too_long;
pub(crate) mod crm_invalid_api_name;
pub(crate) mod crm_missing_probability;
pub(crate) mod crm_name_too_long;
pub(crate) mod crm_no_stages;
pub(crate) mod crm_open_probability;
pub(crate) mod crm_probability_order;
pub(crate) mod crm_probability_rounded;
pub(crate) mod crm_terminal_not_a_stage;
pub(crate) mod crm_terminal_probability;
pub(crate) mod crm_too_many_key_fields;
pub(crate) mod crm_too_many_stages;
pub(crate) mod crm_unmapped_required_field;
pub(crate) mod cycle_over_target;
pub(crate) mod dead_end_stage;
pub(crate) mod forecast_category;
pub(crate) mod half_width_comma;
pub(crate) mod long_script;
pub(crate) mod methodology_gap;
pub(crate) mod missing_buyer_view;
pub(crate) mod missing_content;
pub(crate) mod missing_do;
pub(crate) mod missing_duration;
pub(crate) mod missing_evidence;
pub(crate) mod missing_goal;
pub(crate) mod missing_know;
pub(crate) mod missing_say;
pub(crate) mod no_lost_path;
pub(crate) mod objection_without_response;
pub(crate) mod placeholder_text;
pub(crate) mod seller_side_exit;
pub(crate) mod stage_cycle;
pub(crate) mod stage_without_exit;
pub(crate) mod unknown_element;
pub(crate) mod unreachable_stage;
pub(crate) mod unused_content;
pub(crate) mod unused_suppression;
pub(crate) mod vague_activity;

use super::{Finding, LintContext, Rule, RuleMeta};
use crate::model::Stage;

/// Every rule, sorted by id.
pub(crate) static ALL: &[&dyn Rule] = &[
    &banned_phrase::BannedPhrase,
    &broken_content_link::BrokenContentLink,
    &crm_duplicate_crm_name::CrmDuplicateCrmName,
    &crm_guidance_too_long::CrmGuidanceTooLong,
    &crm_invalid_api_name::CrmInvalidApiName,
    &crm_missing_probability::CrmMissingProbability,
    &crm_name_too_long::CrmNameTooLong,
    &crm_no_stages::CrmNoStages,
    &crm_open_probability::CrmOpenProbability,
    &crm_probability_order::CrmProbabilityOrder,
    &crm_probability_rounded::CrmProbabilityRounded,
    &crm_terminal_not_a_stage::CrmTerminalNotAStage,
    &crm_terminal_probability::CrmTerminalProbability,
    &crm_too_many_key_fields::CrmTooManyKeyFields,
    &crm_too_many_stages::CrmTooManyStages,
    &crm_unmapped_required_field::CrmUnmappedRequiredField,
    &cycle_over_target::CycleOverTarget,
    &dead_end_stage::DeadEndStage,
    &forecast_category::ForecastCategoryRule,
    &half_width_comma::HalfWidthComma,
    &long_script::LongScript,
    &methodology_gap::MethodologyGap,
    &missing_buyer_view::MissingBuyerView,
    &missing_content::MissingContent,
    &missing_do::MissingDo,
    &missing_duration::MissingDuration,
    &missing_evidence::MissingEvidence,
    &missing_goal::MissingGoal,
    &missing_know::MissingKnow,
    &missing_say::MissingSay,
    &no_lost_path::NoLostPath,
    &objection_without_response::ObjectionWithoutResponse,
    &placeholder_text::PlaceholderText,
    &seller_side_exit::SellerSideExit,
    &stage_cycle::StageCycle,
    &stage_without_exit::StageWithoutExit,
    &unknown_element::UnknownElement,
    &unreachable_stage::UnreachableStage,
    &unused_content::UnusedContent,
    &unused_suppression::UnusedSuppression,
    &vague_activity::VagueActivity,
];

/// A finding of a `crm::` rule, labelled at `label_pointer` and suppressible at `pointer` (the
/// stage, say, so `lint: {allow: [crm::…]}` on the stage switches it off there).
pub(crate) fn crm_finding(
    cx: &LintContext<'_>,
    rule: &RuleMeta,
    label_pointer: &str,
    on_key: bool,
    pointer: &str,
    message: impl Into<String>,
) -> Finding {
    let mut finding = cx.finding(rule, label_pointer, on_key, message);
    pointer.clone_into(&mut finding.pointer);
    finding
}

/// The non-terminal stages with their index: the ones reps work in.
pub(crate) fn open_stages<'a>(cx: &'a LintContext<'_>) -> impl Iterator<Item = (usize, &'a Stage)> {
    cx.playbook
        .stages
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_terminal())
}

/// A finding about a whole stage: suppressible on the stage, shown at its `id`.
pub(crate) fn stage_finding(
    cx: &LintContext<'_>,
    rule: &RuleMeta,
    index: usize,
    message: impl Into<String>,
) -> Finding {
    stage_part_finding(cx, rule, index, "id", message)
}

/// A finding about part of a stage (`part` is the pointer below the stage, e.g. `probability`):
/// suppressible on the stage, shown at that part.
pub(crate) fn stage_part_finding(
    cx: &LintContext<'_>,
    rule: &RuleMeta,
    index: usize,
    part: &str,
    message: impl Into<String>,
) -> Finding {
    let mut finding = cx.finding(rule, format!("/stages/{index}/{part}"), false, message);
    finding.pointer = format!("/stages/{index}");
    finding
}

/// The stages with their index if the playbook is checked for Salesforce, none otherwise: what
/// the rules about Salesforce's per-stage limits look at.
pub(crate) fn salesforce_stages<'a>(
    cx: &'a LintContext<'_>,
) -> impl Iterator<Item = (usize, &'a Stage)> {
    let stages: &[Stage] = if for_salesforce(cx) {
        &cx.playbook.stages
    } else {
        &[]
    };
    stages.iter().enumerate()
}

/// A finding about the playbook's stage list as a whole, shown at the `stages` key.
pub(crate) fn stages_finding(
    cx: &LintContext<'_>,
    rule: &RuleMeta,
    message: impl Into<String>,
) -> Finding {
    crm_finding(cx, rule, "/stages", true, "/stages", message)
}

/// Whether the playbook is checked for Salesforce: the rules about Salesforce's own quirks run
/// only then.
pub(crate) fn for_salesforce(cx: &LintContext<'_>) -> bool {
    cx.crm_targets()
        .any(crate::crm::Target::is::<crate::crm::salesforce::Salesforce>)
}

/// A rule that flags every open stage lacking one part of its guidance: the shared body of the
/// `missing-*` stage rules (`missing-know`, `missing-do`, `missing-say`, `missing-content`,
/// `missing-goal`, `missing-duration`, `missing-buyer-view`). Each rule keeps its own file and
/// docs and says only what is missing and how to fix it; [`Rule`] comes with it.
pub(crate) trait MissingPart: Sync {
    /// The rule's metadata (its `declare_rule!` `META`).
    const RULE: &'static RuleMeta;
    /// What the finding says after "stage `id` ", e.g. "has no `do` section".
    const MISSING: &'static str;
    /// The help line: what to add.
    const HELP: &'static str;
    /// Whether `stage` lacks the part.
    const IS_MISSING: fn(&Stage) -> bool;
}

impl<T: MissingPart> Rule for T {
    fn meta(&self) -> &'static RuleMeta {
        T::RULE
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (i, stage) in open_stages(cx) {
            if (T::IS_MISSING)(stage) {
                let message = format!("stage `{}` {}", stage.id, T::MISSING);
                out.push(stage_finding(cx, T::RULE, i, message).with_help(T::HELP));
            }
        }
    }
}

//! The lint rules, one file each. To add a rule: write `rules/my_rule.rs` with
//! [`declare_rule!`](crate::declare_rule), implement [`Rule`](super::Rule), and add one line
//! to [`ALL`] (kept sorted by id; a test checks).

pub mod banned_phrase;
pub mod broken_content_link;
pub mod cycle_over_target;
pub mod dead_end_stage;
pub mod long_script;
pub mod methodology_gap;
pub mod missing_buyer_view;
pub mod missing_content;
pub mod missing_do;
pub mod missing_duration;
pub mod missing_evidence;
pub mod missing_goal;
pub mod missing_know;
pub mod missing_say;
pub mod no_lost_path;
pub mod objection_without_response;
pub mod placeholder_text;
pub mod seller_side_exit;
pub mod stage_cycle;
pub mod stage_without_exit;
pub mod unreachable_stage;
pub mod unused_content;
pub mod unused_suppression;
pub mod vague_activity;

use super::{Finding, LintContext, Rule, RuleMeta};
use crate::model::Stage;

/// Every rule, sorted by id.
pub static ALL: &[&dyn Rule] = &[
    &banned_phrase::BannedPhrase,
    &broken_content_link::BrokenContentLink,
    &cycle_over_target::CycleOverTarget,
    &dead_end_stage::DeadEndStage,
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
    &unreachable_stage::UnreachableStage,
    &unused_content::UnusedContent,
    &unused_suppression::UnusedSuppression,
    &vague_activity::VagueActivity,
];

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
    let mut finding = cx.finding(rule, format!("/stages/{index}/id"), false, message);
    finding.pointer = format!("/stages/{index}");
    finding
}

/// Reports every open stage for which `is_empty` holds: the shared body of the
/// `missing-know` / `missing-do` / `missing-say` / `missing-content` rules.
pub(crate) fn empty_section(
    cx: &LintContext<'_>,
    out: &mut Vec<Finding>,
    rule: &RuleMeta,
    is_empty: impl Fn(&Stage) -> bool,
    message: impl Fn(&Stage) -> String,
    help: &str,
) {
    for (i, stage) in open_stages(cx) {
        if is_empty(stage) {
            out.push(stage_finding(cx, rule, i, message(stage)).with_help(help));
        }
    }
}

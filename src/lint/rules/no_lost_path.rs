//! `no-lost-path`: a pipeline that cannot lose a deal, or a stage from which it cannot.

use super::{open_stages, stage_finding};
use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// The playbook has no `terminal: lost` stage; or it has one, but some stage reps work in
    /// cannot reach it through `next` (and `recycle`).
    ///
    /// ## Why it matters
    ///
    /// Every real pipeline loses deals. When the process has no way to close a deal as lost,
    /// reps leave dead deals open, the forecast swells, and the loss rate per stage — the
    /// metric that shows where the process leaks — cannot be measured.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// - id: proposal
    ///   next: won
    /// - id: won
    ///   terminal: won
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// - id: proposal
    ///   next: [won, lost]
    /// - id: won
    ///   terminal: won
    /// - id: lost
    ///   terminal: lost
    /// ```
    NoLostPath {
        id: "no-lost-path",
        category: Process,
        level: Warn,
        summary: "deals cannot be closed as lost (from some stage, or at all)",
    }
}

impl Rule for NoLostPath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let stages = &cx.playbook.stages;
        if stages.is_empty() {
            return;
        }
        let closes_unwon = |s: &crate::model::Stage| s.terminal.is_some_and(|t| !t.is_won());
        if !stages.iter().any(closes_unwon) {
            out.push(
                cx.finding(&Self::META, "/stages", true, "the playbook has no lost stage, so deals can never be closed as lost")
                    .with_help("add a stage with `terminal: lost` and list it in the `next` of the stages where deals are lost"),
            );
            return;
        }
        let can_lose = cx.graph.can_reach(closes_unwon);
        for (i, stage) in open_stages(cx) {
            if !can_lose[i] {
                out.push(
                    stage_finding(
                        cx,
                        &Self::META,
                        i,
                        format!("a deal in stage `{}` can never be closed as lost", stage.id),
                    )
                    .with_help(
                        "add the lost stage to this stage's `next` (e.g. `next: [proposal, lost]`)",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings};

    #[test]
    fn passes_when_every_stage_can_lose() {
        assert!(findings(&NoLostPath, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_that_can_only_win() {
        let yaml = CLEAN.replace("next: [won, lost]", "next: won");
        assert_eq!(
            findings(&NoLostPath, &yaml),
            ["/stages/1: a deal in stage `proposal` can never be closed as lost"]
        );
    }

    #[test]
    fn flags_a_playbook_without_lost_stage() {
        let yaml = CLEAN
            .replace("next: [won, lost]", "next: won")
            .replace("next: [proposal, lost]", "next: proposal")
            .replace(
                "  - id: lost\n    name: Closed lost\n    terminal: lost\n",
                "",
            );
        assert_eq!(
            findings(&NoLostPath, &yaml),
            ["/stages: the playbook has no lost stage, so deals can never be closed as lost"]
        );
    }
}

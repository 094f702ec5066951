//! `dead-end-stage`: a stage deals can enter but never leave.

use super::{open_stages, stage_finding};
use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// A stage that is not `terminal` (won or lost) and has no `next` stage.
    ///
    /// ## Why it matters
    ///
    /// A deal in a dead-end stage has nowhere to go: it can be neither won nor lost, so it
    /// sits in the pipeline forever, inflating the forecast. Every stage a rep works in must
    /// lead somewhere — at the very least to a lost stage.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// - id: negotiation
    ///   name: Negotiation
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// - id: negotiation
    ///   name: Negotiation
    ///   next: [won, lost]
    /// ```
    DeadEndStage {
        id: "dead-end-stage",
        category: Process,
        level: Deny,
        summary: "a stage that is not won or lost has no `next` stage",
    }
}

impl Rule for DeadEndStage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (i, stage) in open_stages(cx) {
            if stage.next.is_empty() {
                out.push(
                    stage_finding(cx, &Self::META, i, format!("deals in stage `{}` can never move on: it has no `next` stage", stage.id))
                        .with_help("add `next:` with the stage (or stages) deals move to, or mark it `terminal: won` / `terminal: lost`"),
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
    fn passes_when_every_open_stage_leads_somewhere() {
        assert!(findings(&DeadEndStage, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_next() {
        let yaml = CLEAN.replace("    next: [won, lost]\n", "");
        assert_eq!(
            findings(&DeadEndStage, &yaml),
            ["/stages/1: deals in stage `proposal` can never move on: it has no `next` stage"]
        );
    }
}

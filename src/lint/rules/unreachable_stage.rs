//! `unreachable-stage`: a stage no deal can get to from the first stage.

use super::stage_finding;
use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// A stage that cannot be reached from the first stage by following `next`.
    ///
    /// ## Why it matters
    ///
    /// Deals enter the pipeline at the first stage. A stage no `next` leads to is guidance no
    /// rep will ever use, and usually means a stage was renamed or re-ordered and a `next` was
    /// forgotten — so deals now skip a step the team thinks they take.
    ///
    /// ## Example
    ///
    /// Flagged (`proposal` is never reached):
    ///
    /// ```yaml
    /// - id: discovery
    ///   next: negotiation
    /// - id: proposal
    ///   next: negotiation
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// - id: discovery
    ///   next: proposal
    /// - id: proposal
    ///   next: negotiation
    /// ```
    UnreachableStage {
        id: "unreachable-stage",
        category: Process,
        level: Deny,
        summary: "no path of `next` stages leads from the first stage to this one",
    }
}

impl Rule for UnreachableStage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let reached = cx.graph.reachable_from_start();
        let Some(first) = cx.playbook.stages.first() else {
            return;
        };
        for (i, stage) in cx.playbook.stages.iter().enumerate() {
            if !reached[i] {
                out.push(
                    stage_finding(
                        cx,
                        &Self::META,
                        i,
                        format!(
                            "no deal can reach stage `{}` from the first stage `{}`",
                            stage.id, first.id
                        ),
                    )
                    .with_help(format!(
                        "add `{}` to the `next` of the stage before it; if deals start there (a second way in), write `entry: true`; if any stage may lead there (lost, on hold), `from_any: true`; or remove the stage",
                        stage.id
                    )),
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
    fn passes_when_every_stage_is_reached() {
        assert!(findings(&UnreachableStage, CLEAN).is_empty());
    }

    #[test]
    fn an_entry_stage_and_a_from_any_stage_are_reached() {
        // Nothing leads to `proposal` (a second way in) nor to `lost` (reached from any stage).
        let yaml = CLEAN
            .replace("next: [proposal, lost]", "next: [won]")
            .replace("next: [won, lost]", "next: [won]")
            .replace("  - id: proposal\n", "  - id: proposal\n    entry: true\n")
            .replace("  - id: lost\n", "  - id: lost\n    from_any: true\n");
        assert!(findings(&UnreachableStage, &yaml).is_empty(), "{yaml}");
        assert!(
            findings(&super::super::no_lost_path::NoLostPath, &yaml).is_empty(),
            "a from_any lost stage is a way to lose from every stage"
        );
        let without = yaml.replace("    entry: true\n", "");
        assert_eq!(
            findings(&UnreachableStage, &without),
            ["/stages/1: no deal can reach stage `proposal` from the first stage `prospecting`"]
        );
    }

    #[test]
    fn flags_a_stage_nothing_leads_to() {
        let yaml = CLEAN.replace("next: [won, lost]", "next: [lost]");
        assert_eq!(
            findings(&UnreachableStage, &yaml),
            ["/stages/2: no deal can reach stage `won` from the first stage `prospecting`"]
        );
    }
}

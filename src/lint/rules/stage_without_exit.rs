//! `stage-without-exit`: a stage reps work in that says nothing about when a deal may leave it.

use super::{open_stages, stage_finding};
use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// A stage that is not `terminal` (won or lost) and has no `exit` events.
    ///
    /// ## Why it matters
    ///
    /// Exit events are the contract between a rep and the forecast: they say what the buyer
    /// must have done before the deal may move on. Without them every rep moves deals on gut
    /// feeling, stage conversion rates mean nothing, and the pipeline review becomes an
    /// argument about opinions.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// - id: demo
    ///   name: Demo
    ///   next: proposal
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// - id: demo
    ///   name: Demo
    ///   exit:
    ///     - event: Buyer asks for a proposal after the demo
    ///       evidence: Request logged on the opportunity
    ///   next: proposal
    /// ```
    StageWithoutExit {
        id: "stage-without-exit",
        category: Process,
        level: Warn,
        summary: "a stage reps work in has no exit events",
    }
}

impl Rule for StageWithoutExit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (i, stage) in open_stages(cx) {
            if stage.exit.is_empty() {
                out.push(
                    stage_finding(
                        cx,
                        &Self::META,
                        i,
                        format!("stage `{}` has no exit events", stage.id),
                    )
                    .with_help("add `exit:` with what the buyer must do before the deal moves on, e.g. `- event: Buyer accepts a discovery meeting`"),
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
    fn passes_when_every_open_stage_has_exits() {
        assert!(findings(&StageWithoutExit, CLEAN).is_empty());
    }

    #[test]
    fn flags_an_open_stage_without_exits() {
        let yaml = CLEAN.replace(
            "    exit:\n      - event: Customer signs the order form\n        evidence: Signed order form attached to the opportunity\n",
            "",
        );
        assert_eq!(
            findings(&StageWithoutExit, &yaml),
            ["/stages/1: stage `proposal` has no exit events"]
        );
    }
}

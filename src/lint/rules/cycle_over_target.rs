//! `cycle-over-target`: the stages' time budgets add up to more than the whole cycle's.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};
use crate::model::Duration;

declare_rule! {
    /// ## What it checks
    ///
    /// With a `cycle_target` on the playbook, the `expected_duration`s along the main path
    /// add up to more than it. The main path starts at the first stage and follows, at each
    /// stage, the first `next` that is not a lost stage, until a terminal stage.
    ///
    /// ## Why it matters
    ///
    /// The cycle target is what the forecast and the capacity plan assume. If the stages'
    /// own budgets cannot fit in it, one of the two is wrong, and reps are measured against a
    /// plan that no deal can meet.
    ///
    /// ## Example
    ///
    /// Flagged (3w + 2w + 2w = 7w > 6w):
    ///
    /// ```yaml
    /// playbook:
    ///   cycle_target: 6w
    /// stages:
    ///   - id: discovery
    ///     expected_duration: 3w
    ///   - id: demo
    ///     expected_duration: 2w
    ///   - id: negotiation
    ///     expected_duration: 2w
    /// ```
    ///
    /// Fixed: shorten a stage's budget, or raise `cycle_target: 7w`.
    CycleOverTarget {
        id: "cycle-over-target",
        category: Timing,
        level: Warn,
        summary: "the stage durations along the main path exceed the playbook's `cycle_target`",
    }
}

fn days(hours: u64) -> String {
    if hours.is_multiple_of(24) {
        format!("{}d", hours / 24)
    } else {
        format!("{hours}h")
    }
}

impl Rule for CycleOverTarget {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let Some(target) = cx.playbook.playbook.cycle_target else {
            return;
        };
        let path = cx.graph.main_path();
        let total: u64 = path
            .iter()
            .filter_map(|&i| cx.graph.stages[i].expected_duration)
            .map(Duration::hours)
            .sum();
        if total <= target.hours() {
            return;
        }
        let names: Vec<&str> = path
            .iter()
            .filter(|&&i| cx.graph.stages[i].expected_duration.is_some())
            .map(|&i| cx.graph.stages[i].id.as_str())
            .collect();
        let mut finding = cx
            .finding(
                &Self::META,
                "/playbook/cycle_target",
                false,
                format!(
                    "the stages on the main path take {} together, more than the cycle target of {target}",
                    days(total)
                ),
            )
            .with_help(format!(
                "shorten the `expected_duration` of some of {}, or raise `cycle_target`",
                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ));
        for &i in &path {
            if cx.graph.stages[i].expected_duration.is_some() {
                finding = finding.with_related(
                    cx.label(&format!("/stages/{i}/expected_duration"), false)
                        .with_text("counted here"),
                );
            }
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings};

    #[test]
    fn passes_within_target() {
        assert!(findings(&CycleOverTarget, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_main_path_over_target() {
        let yaml = CLEAN.replace("cycle_target: 6w", "cycle_target: 3w");
        assert_eq!(
            findings(&CycleOverTarget, &yaml),
            [
                "/playbook/cycle_target: the stages on the main path take 24d together, more than the cycle target of 3w"
            ]
        );
    }
}

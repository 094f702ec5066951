//! `missing-goal`: a stage that does not say what it must achieve.

use super::empty_section;
use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// A stage that is not `terminal` and has no `goal` (or an empty one).
    ///
    /// ## Why it matters
    ///
    /// The goal is the one line a rep reads before a call: what this stage must achieve, from
    /// the buyer's side. Without it, reps optimise for activity ("I sent three emails")
    /// rather than for the outcome that moves the deal.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// - id: discovery
    ///   name: Discovery
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// - id: discovery
    ///   name: Discovery
    ///   goal: The buyer agrees on the problem and who decides
    /// ```
    MissingGoal {
        id: "missing-goal",
        category: Guidance,
        level: Warn,
        summary: "a stage does not say what it must achieve",
    }
}

impl Rule for MissingGoal {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        empty_section(
            cx,
            out,
            &Self::META,
            |stage| stage.goal.as_deref().is_none_or(|g| g.trim().is_empty()),
            |stage| format!("stage `{}` has no `goal`", stage.id),
            "add `goal:` with what the stage must achieve, from the buyer's side, e.g. \"A qualified buyer agrees to a discovery call\"",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings, remove_key};

    #[test]
    fn passes_with_goals() {
        assert!(findings(&MissingGoal, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_goal() {
        let yaml = remove_key(CLEAN, 1, "goal");
        assert_eq!(
            findings(&MissingGoal, &yaml),
            ["/stages/1: stage `proposal` has no `goal`"]
        );
    }
}

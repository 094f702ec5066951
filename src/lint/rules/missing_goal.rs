//! `missing-goal`: a stage that does not say what it must achieve.

use super::MissingPart;
use crate::declare_rule;
use crate::lint::RuleMeta;
use crate::model::Stage;

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

impl MissingPart for MissingGoal {
    const RULE: &'static RuleMeta = &Self::META;
    const MISSING: &'static str = "has no `goal`";
    const HELP: &'static str = "add `goal:` with what the stage must achieve, from the buyer's side, e.g. \"A qualified buyer agrees to a discovery call\"";
    const IS_MISSING: fn(&Stage) -> bool =
        |stage| stage.goal.as_deref().is_none_or(|g| g.trim().is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings, findings_without};

    #[test]
    fn passes_with_goals() {
        assert!(findings(&MissingGoal, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_goal() {
        assert_eq!(
            findings_without(&MissingGoal, 1, "goal"),
            ["/stages/1: stage `proposal` has no `goal`"]
        );
    }

    #[test]
    fn flags_an_empty_or_blank_goal() {
        for blank in ["\"\"", "\"  \""] {
            let goal = format!("goal: {blank}");
            let yaml = CLEAN.replace("goal: A qualified buyer agrees to a discovery call", &goal);
            let expected = ["/stages/0: stage `prospecting` has no `goal`"];
            assert_eq!(findings(&MissingGoal, &yaml), expected, "{goal}");
        }
    }
}

//! `missing-say`: a stage reps work in has no talk tracks or objection answers.

use super::empty_section;
use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// A stage that is not `terminal` and has no `say` section, i.e. the playbook does not
    /// tell reps what the rep must **say** in it: talk tracks per situation and answers to
    /// objections.
    ///
    /// ## Why it matters
    ///
    /// The words matter most on a live call. A stage with no talk tracks leaves every rep to find
    /// their own, and the answers to common objections — the knowledge the best reps carry in their
    /// heads — never reach the rest of the team.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// - id: demo
    ///   name: Demo
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// - id: demo
    ///   name: Demo
    ///   say:
    ///     - situation: Opening the demo
    ///       script: Last time you said onboarding takes three weeks; let me show you day one.
    /// ```
    MissingSay {
        id: "missing-say",
        category: Guidance,
        level: Warn,
        summary: "a stage reps work in has no talk tracks or objection answers",
    }
}

impl Rule for MissingSay {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        empty_section(
            cx,
            out,
            &Self::META,
            |stage| stage.say.is_empty(),
            |stage| format!("stage `{}` has no `say` section", stage.id),
            "add `say:` with a talk track (`situation` + `script`) or an objection and its `response`",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings};

    #[test]
    fn passes_when_every_open_stage_has_it() {
        assert!(findings(&MissingSay, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_it() {
        let yaml = crate::lint::testing::remove_key(CLEAN, 1, "say");
        assert_eq!(
            findings(&MissingSay, &yaml),
            ["/stages/1: stage `proposal` has no `say` section"]
        );
    }
}

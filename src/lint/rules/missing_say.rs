//! `missing-say`: a stage reps work in has no talk tracks or objection answers.

use super::MissingPart;
use crate::declare_rule;
use crate::lint::RuleMeta;
use crate::model::Stage;

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

impl MissingPart for MissingSay {
    const RULE: &'static RuleMeta = &Self::META;
    const MISSING: &'static str = "has no `say` section";
    const HELP: &'static str =
        "add `say:` with a talk track (`situation` + `script`) or an objection and its `response`";
    const IS_MISSING: fn(&Stage) -> bool = |stage| stage.say.is_empty();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings, findings_without};

    #[test]
    fn passes_when_every_open_stage_has_it() {
        assert!(findings(&MissingSay, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_it() {
        assert_eq!(
            findings_without(&MissingSay, 1, "say"),
            ["/stages/1: stage `proposal` has no `say` section"]
        );
    }
}

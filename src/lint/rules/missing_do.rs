//! `missing-do`: a stage reps work in lists no activities.

use super::MissingPart;
use crate::declare_rule;
use crate::lint::RuleMeta;
use crate::model::Stage;

declare_rule! {
    /// ## What it checks
    ///
    /// A stage that is not `terminal` and has no `do` section, i.e. the playbook does not
    /// tell reps what the rep must **do** in it: actions, CRM hygiene.
    ///
    /// ## Why it matters
    ///
    /// Without activities, a stage is a label in the CRM rather than a way of working. Listing the
    /// actions (with channel and count) is what lets a manager coach a rep and compare the process
    /// with what closed deals really took.
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
    ///   do:
    ///     - action: Send a tailored follow-up email
    ///       channel: email
    ///       count: 2
    /// ```
    MissingDo {
        id: "missing-do",
        category: Guidance,
        level: Warn,
        summary: "a stage reps work in lists no activities",
    }
}

impl MissingPart for MissingDo {
    const RULE: &'static RuleMeta = &Self::META;
    const MISSING: &'static str = "has no `do` section";
    const HELP: &'static str = "add `do:` with the actions a rep takes here, e.g. `- action: Call the prospect` with `channel` and `count`";
    const IS_MISSING: fn(&Stage) -> bool = |stage| stage.activities.is_empty();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings, findings_without};

    #[test]
    fn passes_when_every_open_stage_has_it() {
        assert!(findings(&MissingDo, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_it() {
        assert_eq!(
            findings_without(&MissingDo, 1, "do"),
            ["/stages/1: stage `proposal` has no `do` section"]
        );
    }
}

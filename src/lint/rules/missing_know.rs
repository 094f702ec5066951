//! `missing-know`: a stage reps work in says nothing about what the rep must know.

use super::MissingPart;
use crate::declare_rule;
use crate::lint::RuleMeta;
use crate::model::Stage;

declare_rule! {
    /// ## What it checks
    ///
    /// A stage that is not `terminal` and has no `know` section, i.e. the playbook does not
    /// tell reps what the rep must **know** in it: brand and product points, the facts behind the
    /// pitch.
    ///
    /// ## Why it matters
    ///
    /// A rep who does not know which product pillar answers this buyer's pain improvises, and every
    /// rep improvises differently. The guide's first question for every stage is *what should the
    /// rep know?* — the answer is what makes the process repeatable across the team.
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
    ///   know:
    ///     - Our three product pillars and which pain each one solves
    /// ```
    MissingKnow {
        id: "missing-know",
        category: Guidance,
        level: Warn,
        summary: "a stage reps work in says nothing about what the rep must know",
    }
}

impl MissingPart for MissingKnow {
    const RULE: &'static RuleMeta = &Self::META;
    const MISSING: &'static str = "has no `know` section";
    const HELP: &'static str = "add `know:` with the product points and facts a rep needs here";
    const IS_MISSING: fn(&Stage) -> bool = |stage| stage.know.is_empty();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings, findings_without};

    #[test]
    fn passes_when_every_open_stage_has_it() {
        assert!(findings(&MissingKnow, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_it() {
        assert_eq!(
            findings_without(&MissingKnow, 1, "know"),
            ["/stages/1: stage `proposal` has no `know` section"]
        );
    }
}

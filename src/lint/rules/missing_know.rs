//! `missing-know`: a stage reps work in says nothing about what the rep must know.

use super::empty_section;
use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

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

impl Rule for MissingKnow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        empty_section(
            cx,
            out,
            &Self::META,
            |stage| stage.know.is_empty(),
            |stage| format!("stage `{}` has no `know` section", stage.id),
            "add `know:` with the product points and facts a rep needs here",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings};

    #[test]
    fn passes_when_every_open_stage_has_it() {
        assert!(findings(&MissingKnow, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_it() {
        let yaml = crate::lint::testing::remove_key(CLEAN, 1, "know");
        assert_eq!(
            findings(&MissingKnow, &yaml),
            ["/stages/1: stage `proposal` has no `know` section"]
        );
    }
}

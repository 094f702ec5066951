//! `missing-duration`: a stage with no time budget.

use super::empty_section;
use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// A stage that is not `terminal` and has no `expected_duration`.
    ///
    /// ## Why it matters
    ///
    /// The expected time per stage is what tells a manager a deal is stuck, and what
    /// `stagebook metrics` compares with the CRM's real stage durations. Without it, a deal can
    /// sit in "awaiting demo" for a quarter before anyone notices.
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
    ///   expected_duration: 1w
    /// ```
    MissingDuration {
        id: "missing-duration",
        category: Timing,
        level: Warn,
        summary: "a stage reps work in has no `expected_duration`",
    }
}

impl Rule for MissingDuration {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        empty_section(
            cx,
            out,
            &Self::META,
            |stage| stage.expected_duration.is_none(),
            |stage| format!("stage `{}` has no `expected_duration`", stage.id),
            "add `expected_duration:` with how long a deal normally stays here, e.g. `10d` or `2w`",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings, remove_key};

    #[test]
    fn passes_with_durations() {
        assert!(findings(&MissingDuration, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_duration() {
        let yaml = remove_key(CLEAN, 0, "expected_duration");
        assert_eq!(
            findings(&MissingDuration, &yaml),
            ["/stages/0: stage `prospecting` has no `expected_duration`"]
        );
    }
}

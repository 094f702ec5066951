//! `missing-duration`: a stage with no time budget.

use super::MissingPart;
use crate::declare_rule;
use crate::lint::RuleMeta;
use crate::model::Stage;

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

impl MissingPart for MissingDuration {
    const RULE: &'static RuleMeta = &Self::META;
    const MISSING: &'static str = "has no `expected_duration`";
    const HELP: &'static str =
        "add `expected_duration:` with how long a deal normally stays here, e.g. `10d` or `2w`";
    const IS_MISSING: fn(&Stage) -> bool = |stage| stage.expected_duration.is_none();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings, findings_without};

    #[test]
    fn passes_with_durations() {
        assert!(findings(&MissingDuration, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_duration() {
        assert_eq!(
            findings_without(&MissingDuration, 0, "expected_duration"),
            ["/stages/0: stage `prospecting` has no `expected_duration`"]
        );
    }
}

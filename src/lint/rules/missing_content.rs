//! `missing-content`: a stage reps work in shows the buyer no content.

use super::empty_section;
use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// A stage that is not `terminal` and has no `content` section, i.e. the playbook does not
    /// tell reps which **content** to show the buyer in it: case studies, videos, documents from
    /// the library.
    ///
    /// ## Why it matters
    ///
    /// Buyers believe other customers more than they believe reps. The guide's example moves a deal
    /// from demo to objection handling only once the rep has given the buyer the case study they
    /// asked for — a stage with no content leaves the rep with nothing to send.
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
    ///   content: [acme-story]
    /// ```
    MissingContent {
        id: "missing-content",
        category: Guidance,
        level: Warn,
        summary: "a stage reps work in shows the buyer no content",
    }
}

impl Rule for MissingContent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        empty_section(
            cx,
            out,
            &Self::META,
            |stage| stage.content.is_empty(),
            |stage| format!("stage `{}` has no `content` section", stage.id),
            "add `content:` with the ids of library items to show the buyer here",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings};

    #[test]
    fn passes_when_every_open_stage_has_it() {
        assert!(findings(&MissingContent, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_it() {
        let yaml = crate::lint::testing::remove_key(CLEAN, 1, "content");
        assert_eq!(
            findings(&MissingContent, &yaml),
            ["/stages/1: stage `proposal` has no `content` section"]
        );
    }
}

//! `missing-content`: a stage reps work in shows the buyer no content.

use super::MissingPart;
use crate::declare_rule;
use crate::lint::RuleMeta;
use crate::model::Stage;

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

impl MissingPart for MissingContent {
    const RULE: &'static RuleMeta = &Self::META;
    const MISSING: &'static str = "has no `content` section";
    const HELP: &'static str =
        "add `content:` with the ids of library items to show the buyer here";
    const IS_MISSING: fn(&Stage) -> bool = |stage| stage.content.is_empty();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings, findings_without};

    #[test]
    fn passes_when_every_open_stage_has_it() {
        assert!(findings(&MissingContent, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_it() {
        assert_eq!(
            findings_without(&MissingContent, 1, "content"),
            ["/stages/1: stage `proposal` has no `content` section"]
        );
    }
}

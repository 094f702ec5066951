//! `missing-buyer-view`: a stage described only from the seller's side.

use super::empty_section;
use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// A stage that is not `terminal` and has neither `buyer_view.pains` nor
    /// `buyer_view.questions`.
    ///
    /// ## Why it matters
    ///
    /// The guide asks the team to look at its process as the customer would: what hurts them
    /// at this point, and what they ask. A stage written only from the seller's side trains
    /// reps to push their next step instead of answering the buyer's, and that is where deals
    /// stall.
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
    ///   buyer_view:
    ///     pains: [New hires wait two weeks for their accounts]
    ///     questions: [Does it connect to our HR system?]
    /// ```
    MissingBuyerView {
        id: "missing-buyer-view",
        category: Guidance,
        level: Warn,
        summary: "a stage says nothing about the buyer's pains or questions",
    }
}

impl Rule for MissingBuyerView {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        empty_section(
            cx,
            out,
            &Self::META,
            |stage| stage.buyer_view.is_empty(),
            |stage| {
                format!(
                    "stage `{}` does not say what the buyer feels or asks",
                    stage.id
                )
            },
            "add `buyer_view:` with the buyer's `pains` and `questions` at this point, in their words",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings, remove_key};

    #[test]
    fn passes_with_pains_or_questions() {
        assert!(findings(&MissingBuyerView, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_buyer_view() {
        let yaml = remove_key(CLEAN, 0, "buyer_view");
        assert_eq!(
            findings(&MissingBuyerView, &yaml),
            ["/stages/0: stage `prospecting` does not say what the buyer feels or asks"]
        );
    }
}

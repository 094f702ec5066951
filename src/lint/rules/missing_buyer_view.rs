//! `missing-buyer-view`: a stage described only from the seller's side.

use super::MissingPart;
use crate::declare_rule;
use crate::lint::RuleMeta;
use crate::model::Stage;

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

impl MissingPart for MissingBuyerView {
    const RULE: &'static RuleMeta = &Self::META;
    const MISSING: &'static str = "does not say what the buyer feels or asks";
    const HELP: &'static str =
        "add `buyer_view:` with the buyer's `pains` and `questions` at this point, in their words";
    const IS_MISSING: fn(&Stage) -> bool = |stage| stage.buyer_view.is_empty();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings, findings_without};

    #[test]
    fn passes_with_pains_or_questions() {
        assert!(findings(&MissingBuyerView, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_stage_without_buyer_view() {
        assert_eq!(
            findings_without(&MissingBuyerView, 0, "buyer_view"),
            ["/stages/0: stage `prospecting` does not say what the buyer feels or asks"]
        );
    }
}

//! `objection-without-response`: an objection reps are warned about but not told how to answer.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// A `say` item with an `objection` but no `response` (or an empty one).
    ///
    /// ## Why it matters
    ///
    /// Listing an objection without the answer tells the rep what will go wrong and leaves
    /// them alone with it on the call. The answer to a common objection is exactly the
    /// knowledge the best reps have and the rest of the team needs.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// say:
    ///   - objection: It is too expensive
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// say:
    ///   - objection: It is too expensive
    ///     response: Compared with two weeks of a new hire's salary, it pays back in the first month.
    /// ```
    ObjectionWithoutResponse {
        id: "objection-without-response",
        category: Guidance,
        level: Warn,
        summary: "an objection has no `response` for the rep to give",
    }
}

impl Rule for ObjectionWithoutResponse {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (i, stage) in cx.playbook.stages.iter().enumerate() {
            for (j, say) in stage.say.iter().enumerate() {
                let Some(objection) = &say.objection else {
                    continue;
                };
                if say.response.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    out.push(
                        cx.finding(
                            &Self::META,
                            format!("/stages/{i}/say/{j}"),
                            false,
                            format!(
                                "stage `{}`: the objection \"{}\" has no response",
                                stage.id,
                                objection.trim()
                            ),
                        )
                        .with_help("add `response:` with what the rep answers"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings};

    #[test]
    fn passes_when_objections_are_answered() {
        assert!(findings(&ObjectionWithoutResponse, CLEAN).is_empty());
    }

    #[test]
    fn flags_an_unanswered_objection() {
        let yaml = CLEAN.replace(
            "        response: Many of our customers started there; the spreadsheet breaks when you hire ten people a month.\n",
            "",
        );
        assert_eq!(
            findings(&ObjectionWithoutResponse, &yaml),
            [
                "/stages/0/say/1: stage `prospecting`: the objection \"We already use a spreadsheet\" has no response"
            ]
        );
    }
}

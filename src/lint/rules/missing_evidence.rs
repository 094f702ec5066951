//! `missing-evidence`: an exit event nobody can verify.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// An `exit` event without `evidence` (or with an empty one).
    ///
    /// ## Why it matters
    ///
    /// "Buyer agrees to a pilot" is only a fact if someone can check it: a signed pilot
    /// agreement, an email, a meeting in the calendar, a field in the CRM. Evidence is what
    /// lets a manager inspect a deal instead of taking the rep's word, and what lets the CRM
    /// measure the stage.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// exit:
    ///   - event: Buyer agrees to a pilot
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// exit:
    ///   - event: Buyer agrees to a pilot
    ///     evidence: Pilot agreement signed and attached to the opportunity
    /// ```
    MissingEvidence {
        id: "missing-evidence",
        category: Guidance,
        level: Warn,
        summary: "an exit event does not say how anyone can verify it happened",
    }
}

impl Rule for MissingEvidence {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (i, stage) in cx.playbook.stages.iter().enumerate() {
            for (j, exit) in stage.exit.iter().enumerate() {
                if exit.evidence.as_deref().is_none_or(|e| e.trim().is_empty()) {
                    let mut finding = cx
                        .finding(&Self::META, format!("/stages/{i}/exit/{j}/event"), false, format!(
                            "stage `{}`: exit \"{}\" has no evidence", stage.id, exit.event.trim()
                        ))
                        .with_help("add `evidence:` saying where it shows: a signed document, a calendar entry, a CRM field");
                    finding.pointer = format!("/stages/{i}/exit/{j}");
                    out.push(finding);
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
    fn passes_with_evidence() {
        assert!(findings(&MissingEvidence, CLEAN).is_empty());
    }

    #[test]
    fn flags_an_exit_without_evidence() {
        let yaml = CLEAN.replace(
            "        evidence: Meeting on the calendar, logged in the CRM\n",
            "",
        );
        assert_eq!(
            findings(&MissingEvidence, &yaml),
            [
                "/stages/0/exit/0: stage `prospecting`: exit \"Buyer accepts a discovery meeting\" has no evidence"
            ]
        );
    }
}

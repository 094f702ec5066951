//! `crm::missing-probability`: an open stage has no probability, which a CRM it is exported to requires.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::stage_finding;
use crate::crm::open_probabilities;

declare_rule! {
    /// ## What it checks
    ///
    /// That every open stage has a `probability` when the playbook is exported to a CRM that
    /// requires one (HubSpot).
    ///
    /// ## Why it matters
    ///
    /// HubSpot requires a probability on every deal stage. Without one the export spreads the open
    /// stages evenly between 0% and 100%, which is a guess, not the team's forecast.
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
    ///   probability: 40
    /// ```
    CrmMissingProbability {
        id: "crm::missing-probability",
        category: Crm,
        level: Warn,
        summary: "an open stage has no probability, which a CRM it is exported to requires",
    }
}

impl Rule for CrmMissingProbability {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for target in cx.crm_targets().filter(|t| t.requires_probability()) {
            let open = open_probabilities(cx.playbook, target.probability_step());
            for (i, stage) in cx.playbook.stages.iter().enumerate() {
                if stage.probability.is_some() || stage.is_terminal() {
                    continue;
                }
                let guess = open.get(&i).copied().unwrap_or(0);
                let message = format!(
                    "stage `{}` has no win probability, which {target} requires",
                    stage.id
                );
                out.push(
                    stage_finding(cx, &Self::META, i, message).with_help(format!(
                        "write `probability:` for this stage; the export used {guess}% from its position"
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::assert_crm_only;

    #[test]
    fn flags_an_open_stage_without_probability_for_hubspot() {
        let stages = "  - id: a\n    name: A\n    probability: 10\n  - id: b\n    name: B\n  - id: won\n    name: Won\n    terminal: won\n";
        assert_crm_only(
            &CrmMissingProbability,
            stages,
            "hubspot",
            &["/stages/1: stage `b` has no win probability, which HubSpot requires"],
            "salesforce",
        );
    }
}

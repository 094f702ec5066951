//! `crm::terminal-probability`: a won stage without 100% or a lost stage without 0% in a CRM that counts closed deals by it.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::stage_part_finding;
use crate::model::Terminal;

declare_rule! {
    /// ## What it checks
    ///
    /// That a won stage has `probability: 100` and a lost stage `probability: 0`, when written, for
    /// a CRM that tells closed deals by their probability (Salesforce, HubSpot).
    ///
    /// ## Why it matters
    ///
    /// Salesforce reports closed deals by their stage's probability, and HubSpot tells won from lost
    /// stages only by it (1.0 won, 0.0 lost): another value makes closed deals count wrong.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// - id: closed-won
    ///   terminal: won
    ///   probability: 90
    /// ```
    ///
    /// Fixed: drop `probability`, or write `probability: 100`.
    CrmTerminalProbability {
        id: "crm::terminal-probability",
        category: Crm,
        level: Warn,
        summary: "a won stage without 100% or a lost stage without 0% in a CRM that counts closed deals by it",
    }
}

impl Rule for CrmTerminalProbability {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for target in cx.crm_targets().filter(|t| t.closes_by_probability()) {
            for (i, stage) in cx.playbook.stages.iter().enumerate() {
                let (Some(terminal), Some(p)) = (stage.terminal, stage.probability) else {
                    continue;
                };
                let (expected, word) = match terminal {
                    Terminal::Won => (100, "won"),
                    other => (0, other.id()),
                };
                if p == expected {
                    continue;
                }
                let message = format!(
                    "`{}` closes a deal as {word} but has a win probability of {p}%",
                    stage.id
                );
                let help = format!(
                    "{target} counts {word} deals at {expected}%: remove `probability` or write {expected}"
                );
                out.push(
                    stage_part_finding(cx, &Self::META, i, "probability", message).with_help(help),
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
    fn flags_a_won_stage_below_100_where_probability_closes_deals() {
        let stages = "  - id: a\n    name: A\n  - id: won\n    name: Won\n    terminal: won\n    probability: 90\n";
        assert_crm_only(
            &CrmTerminalProbability,
            stages,
            "salesforce",
            &["/stages/1: `won` closes a deal as won but has a win probability of 90%"],
            "pipedrive",
        );
    }
}

//! `crm::open-probability`: an open stage at 0% or 100% in a CRM that reads those as closed.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::stage_part_finding;

declare_rule! {
    /// ## What it checks
    ///
    /// A stage deals are still in (not `terminal`) whose `probability` is 0 or 100, in a
    /// playbook exported to a CRM that counts closed deals by their probability (HubSpot).
    ///
    /// ## Why it matters
    ///
    /// HubSpot reserves a probability of 0.0 for closed-lost and 1.0 for closed-won stages:
    /// its forecast and win-rate reports count the deals of an open stage at 1.0 as won money
    /// and those at 0.0 as nothing, while reps still work them. stagebook never rounds an open
    /// stage to 0 or 100 on its own; this finding is for a playbook that writes it.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// - id: contract-signed
    ///   name: Contract signed, awaiting PO
    ///   probability: 100
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// - id: contract-signed
    ///   name: Contract signed, awaiting PO
    ///   probability: 90
    /// ```
    CrmOpenProbability {
        id: "crm::open-probability",
        category: Crm,
        level: Warn,
        summary: "an open stage at 0% or 100% in a CRM that reads those as closed lost or won",
    }
}

impl Rule for CrmOpenProbability {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for target in cx.crm_targets().filter(|t| t.closes_by_probability()) {
            for (i, stage) in cx.playbook.stages.iter().enumerate() {
                let Some(p @ (0 | 100)) = stage.probability.filter(|_| !stage.is_terminal()) else {
                    continue;
                };
                let reads = if p == 0 { "closed lost" } else { "closed won" };
                out.push(
                    stage_part_finding(
                        cx,
                        &Self::META,
                        i,
                        "probability",
                        format!(
                            "`{}` is a stage deals are still in, but {target} reads a probability of {p}% as {reads}",
                            stage.id
                        ),
                    )
                    .with_help(format!(
                        "give an open stage a probability between {} and {}, or mark it `terminal` if deals really close here",
                        target.probability_step().unwrap_or(1),
                        100 - target.probability_step().unwrap_or(1)
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
    fn flags_an_open_stage_at_0_or_100_where_probability_closes_deals() {
        let stages = "  - id: a\n    name: A\n    probability: 100\n  - id: won\n    name: Won\n    terminal: won\n";
        assert_crm_only(
            &CrmOpenProbability,
            stages,
            "hubspot",
            &[
                "/stages/0: `a` is a stage deals are still in, but HubSpot reads a probability of 100% as closed won",
            ],
            "pipedrive",
        );
    }
}

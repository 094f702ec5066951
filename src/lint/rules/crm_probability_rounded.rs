//! `crm::probability-rounded`: a probability is not a step the CRM stores, so the export rounds it.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::stage_part_finding;
use crate::crm::{round_open_probability, round_probability};

declare_rule! {
    /// ## What it checks
    ///
    /// That every written `probability` is a step the CRM stores: HubSpot keeps multiples of 10.
    ///
    /// ## Why it matters
    ///
    /// HubSpot keeps deal stage probabilities in steps of 0.1: the export rounds the value, so the
    /// forecast in HubSpot differs from the playbook's.
    ///
    /// ## Example
    ///
    /// Flagged: `probability: 25` (becomes 30% in HubSpot).
    ///
    /// Fixed: `probability: 30`.
    CrmProbabilityRounded {
        id: "crm::probability-rounded",
        category: Crm,
        level: Warn,
        summary: "a probability is not a step the CRM stores, so the export rounds it",
    }
}

impl Rule for CrmProbabilityRounded {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for target in cx.crm_targets() {
            let Some(step) = target.probability_step() else {
                continue;
            };
            for (i, stage) in cx.playbook.stages.iter().enumerate() {
                let Some(p) = stage.probability else { continue };
                let rounded = if stage.is_terminal() {
                    round_probability(p, step)
                } else {
                    round_open_probability(p, step)
                };
                if rounded != p {
                    let message = format!(
                        "{target} stores probabilities in steps of {step}%: {p}% in `{}` becomes {rounded}%",
                        stage.id
                    );
                    let help = format!(
                        "write `probability: {rounded}` so the playbook and {target} agree"
                    );
                    out.push(
                        stage_part_finding(cx, &Self::META, i, "probability", message)
                            .with_help(help),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::assert_crm_only;

    #[test]
    fn flags_a_probability_hubspot_rounds() {
        let stages = "  - id: a\n    name: A\n    probability: 25\n";
        assert_crm_only(
            &CrmProbabilityRounded,
            stages,
            "hubspot",
            &["/stages/0: HubSpot stores probabilities in steps of 10%: 25% in `a` becomes 30%"],
            "salesforce",
        );
    }
}

//! `crm::too-many-stages`: the playbook has more stages than a CRM pipeline may hold.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::stages_finding;

declare_rule! {
    /// ## What it checks
    ///
    /// That a CRM pipeline gets no more stages than the CRM allows: HubSpot documents 100.
    ///
    /// ## Why it matters
    ///
    /// HubSpot's documentation limits a pipeline to 100 stages (legacy API; unconfirmed for v3): a
    /// longer pipeline may not deploy.
    ///
    /// ## Example
    ///
    /// Flagged: a playbook with 120 stages exported to HubSpot.
    ///
    /// Fixed: split the process into several playbooks, one pipeline each.
    CrmTooManyStages {
        id: "crm::too-many-stages",
        category: Crm,
        level: Warn,
        summary: "the playbook has more stages than a CRM pipeline may hold",
    }
}

impl Rule for CrmTooManyStages {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let count = cx.playbook.stages.len();
        for target in cx.crm_targets() {
            let Some(max) = target.max_stages() else {
                continue;
            };
            if count > max {
                out.push(
                    stages_finding(cx, &Self::META,
                        format!(
                            "the playbook has {count} stages; a {target} pipeline may hold only {max}"
                        ),
                    )
                    .with_help("split the process into several playbooks"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::assert_crm_only;

    use std::fmt::Write as _;

    #[test]
    fn flags_more_than_100_hubspot_stages() {
        let mut many = String::new();
        for i in 0..101 {
            let _ = write!(many, "  - id: s{i}\n    name: S{i}\n    probability: 10\n");
        }
        assert_crm_only(
            &CrmTooManyStages,
            &many,
            "hubspot",
            &["/stages: the playbook has 101 stages; a HubSpot pipeline may hold only 100"],
            "salesforce",
        );
    }
}

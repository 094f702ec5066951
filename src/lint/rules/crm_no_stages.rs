//! `crm::no-stages`: the playbook has no stage a CRM it is exported to can hold.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::stages_finding;
use crate::crm::stages;

declare_rule! {
    /// ## What it checks
    ///
    /// That the playbook has at least one stage each CRM it names (or `crm export --target`) can
    /// hold: Pipedrive holds no won or lost stages.
    ///
    /// ## Why it matters
    ///
    /// An empty pipeline cannot be deployed, and replacing a pipeline with nothing would lose every
    /// deal's stage.
    ///
    /// ## Example
    ///
    /// Flagged (for Pipedrive, which keeps won and lost as a deal's status):
    ///
    /// ```yaml
    /// stages:
    ///   - id: won
    ///     name: Won
    ///     terminal: won
    /// ```
    ///
    /// Fixed: write the open stages deals go through before `won`.
    CrmNoStages {
        id: "crm::no-stages",
        category: Crm,
        level: Deny,
        summary: "the playbook has no stage a CRM it is exported to can hold",
    }
}

impl Rule for CrmNoStages {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let crm = stages(cx.playbook);
        for target in cx.crm_targets() {
            if crm
                .iter()
                .any(|s| target.holds_closing_stages() || !s.closed())
            {
                continue;
            }
            out.push(
                stages_finding(
                    cx,
                    &Self::META,
                    format!("the playbook has no stage that {target} can hold"),
                )
                .with_help("write the open stages deals go through before exporting"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::assert_crm_only;

    #[test]
    fn flags_a_pipedrive_pipeline_with_only_closing_stages() {
        let only_won = "  - id: won\n    name: Won\n    terminal: won\n";
        assert_crm_only(
            &CrmNoStages,
            only_won,
            "pipedrive",
            &["/stages: the playbook has no stage that Pipedrive can hold"],
            "salesforce",
        );
    }
}

//! `crm::duplicate-crm-name`: two stages would get the same name in a CRM.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use std::collections::HashMap;

use super::crm_finding;
use crate::crm::{label_pointer, stages};

declare_rule! {
    /// ## What it checks
    ///
    /// That no two stages get the same name in the CRM (the first of `crm_names`, else `name`),
    /// compared without regard to case.
    ///
    /// ## Why it matters
    ///
    /// The CRM identifies stages by name: two stages with one name would merge, and reps could no
    /// longer tell which step a deal is in.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// - id: discovery
    ///   crm_names: [Qualified]
    /// - id: qualification
    ///   crm_names: [Qualified]
    /// ```
    ///
    /// Fixed: give each stage its own first entry in `crm_names`.
    CrmDuplicateCrmName {
        id: "crm::duplicate-crm-name",
        category: Crm,
        level: Deny,
        summary: "two stages would get the same name in a CRM",
    }
}

impl Rule for CrmDuplicateCrmName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let crm = stages(cx.playbook);
        let playbook = cx.playbook;
        for target in cx.crm_targets() {
            let mut first: HashMap<String, usize> = HashMap::new();
            for stage in crm
                .iter()
                .filter(|s| target.holds_closing_stages() || !s.closed())
            {
                // Salesforce and HubSpot compare stage names without regard to case.
                let key = stage.label.to_lowercase();
                let Some(&earlier) = first.get(&key) else {
                    first.insert(key, stage.index);
                    continue;
                };
                let pointer = label_pointer(&playbook.stages[stage.index], stage.index);
                let earlier_pointer = label_pointer(&playbook.stages[earlier], earlier);
                let mut finding = crm_finding(
                    cx,
                    &Self::META,
                    &pointer,
                    false,
                    &format!("/stages/{}", stage.index),
                    format!(
                        "stages `{}` and `{}` would both be called `{}` in {target}",
                        playbook.stages[earlier].id, playbook.stages[stage.index].id, stage.label
                    ),
                )
                .with_related(cx.label(&earlier_pointer, false).with_text("first stage"))
                .with_help("give one of them another name, or another first entry in `crm_names`");
                finding.diagnostic.primary = cx
                    .label(&pointer, false)
                    .with_text("second stage with this name");
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::crm_findings;

    #[test]
    fn flags_two_stages_with_one_crm_name_whatever_the_case() {
        // Two stages' names (a `crm_names` listed twice is already a structure error).
        let stages = "  - id: a\n    name: Qualified\n  - id: b\n    name: qualified\n";
        assert_eq!(
            crm_findings(&CrmDuplicateCrmName, "hubspot", stages),
            ["/stages/1: stages `a` and `b` would both be called `qualified` in HubSpot"]
        );
        let distinct = stages.replace("name: qualified", "name: Demo");
        assert!(crm_findings(&CrmDuplicateCrmName, "hubspot", &distinct).is_empty());
    }
}

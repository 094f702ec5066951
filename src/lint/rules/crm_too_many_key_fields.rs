//! `crm::too-many-key-fields`: a stage lists more Salesforce key fields than a Sales Path step shows.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::{salesforce_stages, stage_part_finding};
use crate::crm::salesforce::{MAX_KEY_FIELDS, key_fields};

declare_rule! {
    /// ## What it checks
    ///
    /// That a stage puts at most five fields on its Salesforce Sales Path step, when the
    /// playbook is exported to Salesforce: its key fields (`crm.salesforce.key_fields`) and the
    /// Salesforce fields of its `required_fields`, each counted once.
    ///
    /// ## Why it matters
    ///
    /// The Sales Path shows at most five key fields per step; a deploy with more fails.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// crm:
    ///   salesforce:
    ///     key_fields: [Amount, NextStep, CloseDate, LeadSource, Type, Budget__c]
    /// ```
    ///
    /// Fixed: keep the five the rep must fill in at this step.
    CrmTooManyKeyFields {
        id: "crm::too-many-key-fields",
        category: Crm,
        level: Deny,
        summary: "a stage lists more Salesforce key fields than a Sales Path step shows",
    }
}

impl Rule for CrmTooManyKeyFields {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (i, stage) in salesforce_stages(cx) {
            let own = stage
                .crm
                .as_ref()
                .and_then(|c| c.salesforce.as_ref())
                .map_or(0, |s| s.key_fields.len());
            let fields = key_fields(stage).len();
            if fields > MAX_KEY_FIELDS {
                let (part, message) = if own > MAX_KEY_FIELDS {
                    (
                        format!("crm/salesforce/key_fields/{MAX_KEY_FIELDS}"),
                        format!(
                            "stage `{}` lists {fields} key fields, but a Salesforce Sales Path step shows at most {MAX_KEY_FIELDS}",
                            stage.id
                        ),
                    )
                } else {
                    (
                        "required_fields".to_owned(),
                        format!(
                            "stage `{}` puts {fields} fields on its Sales Path step ({own} key fields and its required fields), but Salesforce shows at most {MAX_KEY_FIELDS}",
                            stage.id
                        ),
                    )
                };
                out.push(
                    stage_part_finding(cx, &Self::META, i, &part, message)
                        .with_help("keep the five fields the rep must fill in at this step"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{assert_crm_only, crm_findings};

    #[test]
    fn flags_six_key_fields_for_salesforce_only() {
        let stages = "  - id: a\n    name: A\n    crm:\n      salesforce:\n        key_fields: [A, B, C, D, E, F]\n";
        assert_crm_only(
            &CrmTooManyKeyFields,
            stages,
            "salesforce",
            &[
                "/stages/0: stage `a` lists 6 key fields, but a Salesforce Sales Path step shows at most 5",
            ],
            "hubspot",
        );
        let five = stages.replace(", F]", "]");
        assert!(crm_findings(&CrmTooManyKeyFields, "salesforce", &five).is_empty());
    }
}

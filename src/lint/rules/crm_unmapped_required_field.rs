//! `crm::unmapped-required-field`: a required field the Salesforce export cannot name.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::{salesforce_stages, stage_part_finding};
use crate::crm::salesforce::required_field_name;

declare_rule! {
    /// ## What it checks
    ///
    /// When the playbook is exported to Salesforce: every entry of a stage's
    /// `required_fields` names a Salesforce field — its `salesforce:` API name, or a `field`
    /// that is an API name itself (`Amount`, `CloseDate`).
    ///
    /// ## Why it matters
    ///
    /// `crm export` puts each stage's required fields on its Sales Path step, beside the key
    /// fields, so reps fill them in where they move the deal. A field written only as people
    /// read it ("Close reason") has no API name to put there: the handbook asks for it, the
    /// CRM does not show it.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// required_fields:
    ///   - Close reason
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// required_fields:
    ///   - {field: Close reason, salesforce: Loss_Reason__c}
    /// ```
    CrmUnmappedRequiredField {
        id: "crm::unmapped-required-field",
        category: Crm,
        level: Warn,
        summary: "a stage's required field has no Salesforce API name, so the Sales Path cannot show it",
    }
}

impl Rule for CrmUnmappedRequiredField {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (i, stage) in salesforce_stages(cx) {
            for (j, field) in stage.required_fields.iter().enumerate() {
                if required_field_name(field).is_some() {
                    continue;
                }
                let guess: String = field
                    .field
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(|w| {
                        let mut chars = w.chars();
                        chars.next().map_or_else(String::new, |c| {
                            c.to_ascii_uppercase().to_string() + chars.as_str()
                        })
                    })
                    .collect::<Vec<_>>()
                    .join("_");
                let example = if guess.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    format!("{guess}__c")
                } else {
                    "Field_Name__c".to_owned()
                };
                out.push(
                    stage_part_finding(
                        cx,
                        &Self::META,
                        i,
                        &format!("required_fields/{j}"),
                        format!(
                            "stage `{}`: required field `{}` has no Salesforce API name, so its Sales Path step cannot show it",
                            stage.id, field.field
                        ),
                    )
                    .with_help(format!(
                        "write it `{{field: {}, salesforce: {example}}}` with the field's API name from Setup → Object Manager → Opportunity → Fields",
                        field.field
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
    fn flags_a_field_only_people_can_read() {
        let stages = "  - id: a\n    name: A\n    required_fields:\n      - Amount\n      - Close reason\n      - {field: Loss reason, salesforce: Loss_Reason__c}\n";
        assert_crm_only(
            &CrmUnmappedRequiredField,
            stages,
            "salesforce",
            &[
                "/stages/0: stage `a`: required field `Close reason` has no Salesforce API name, so its Sales Path step cannot show it",
            ],
            "hubspot",
        );
    }
}

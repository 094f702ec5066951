//! `crm::name-too-long`: a stage name or pipeline label is longer than a CRM holds.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::crm_finding;
use crate::crm::{crm_label, label_pointer};

declare_rule! {
    /// ## What it checks
    ///
    /// That names fit the CRM: a Salesforce stage value holds at most 40 characters, a HubSpot
    /// pipeline label (the playbook's `name`) at most 36.
    ///
    /// ## Why it matters
    ///
    /// A name the CRM cannot hold fails the deploy or is cut, and the stage then no longer matches
    /// the playbook in `crm diff`.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// - id: discovery
    ///   name: Discovery call with the economic buyer and IT security
    /// ```
    ///
    /// Fixed: a short CRM name first, keeping the long `name` for the handbook:
    ///
    /// ```yaml
    /// - id: discovery
    ///   name: Discovery call with the economic buyer and IT security
    ///   crm_names: [Discovery]
    /// ```
    CrmNameTooLong {
        id: "crm::name-too-long",
        category: Crm,
        level: Warn,
        summary: "a stage name or pipeline label is longer than a CRM holds",
    }
}

impl Rule for CrmNameTooLong {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for target in cx.crm_targets() {
            if let Some(max) = target.stage_name_max() {
                for (i, stage) in cx.playbook.stages.iter().enumerate() {
                    let length = crm_label(stage).chars().count();
                    if length > max {
                        out.push(
                            crm_finding(
                                cx,
                                &Self::META,
                                &label_pointer(stage, i),
                                false,
                                &format!("/stages/{i}"),
                                format!(
                                    "the {target} stage name of `{}` is {length} characters long; {target} holds {max}",
                                    stage.id
                                ),
                            )
                            .with_help("write a shorter CRM name first in `crm_names`; `name` stays for the handbook"),
                        );
                    }
                }
            }
            if let Some(max) = target.pipeline_label_max() {
                let length = cx.playbook.playbook.name.chars().count();
                if length > max {
                    out.push(
                        crm_finding(
                            cx,
                            &Self::META,
                            "/playbook/name",
                            false,
                            "/playbook/name",
                            format!(
                                "the playbook name is {length} characters long; {target} pipeline labels may hold only {max}"
                            ),
                        )
                        .with_help("shorten the playbook's `name`"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{crm_findings, crm_playbook, findings};

    #[test]
    fn flags_a_long_salesforce_stage_name_and_a_long_hubspot_label() {
        let stages =
            "  - id: a\n    name: Discovery call with the economic buyer and IT security\n";
        assert_eq!(
            crm_findings(&CrmNameTooLong, "salesforce", stages),
            [
                "/stages/0: the Salesforce stage name of `a` is 54 characters long; Salesforce holds 40"
            ]
        );
        let short_crm_name = format!("{stages}    crm_names: [Discovery]\n");
        assert!(
            findings(
                &CrmNameTooLong,
                &crm_playbook("salesforce", &short_crm_name)
            )
            .is_empty()
        );
        let long_label = crm_playbook("hubspot", "  - id: a\n    name: A\n").replace(
            "name: Test",
            "name: The midmarket SaaS pipeline for all regions",
        );
        assert_eq!(
            findings(&CrmNameTooLong, &long_label),
            [
                "/playbook/name: the playbook name is 43 characters long; HubSpot pipeline labels may hold only 36"
            ]
        );
    }
}

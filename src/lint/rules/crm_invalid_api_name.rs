//! `crm::invalid-api-name`: `crm.salesforce.path_name` is not a valid Salesforce API name.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::{crm_finding, for_salesforce};

declare_rule! {
    /// ## What it checks
    ///
    /// That `crm.salesforce.path_name` is a valid Salesforce API name: no `__`, no `_` at the end.
    ///
    /// ## Why it matters
    ///
    /// Salesforce rejects such names when deploying, after the rest of the change was prepared.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// crm:
    ///   salesforce:
    ///     path_name: Sales__Path_
    /// ```
    ///
    /// Fixed: `path_name: Sales_Path`.
    CrmInvalidApiName {
        id: "crm::invalid-api-name",
        category: Crm,
        level: Deny,
        summary: "`crm.salesforce.path_name` is not a valid Salesforce API name",
    }
}

impl Rule for CrmInvalidApiName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        if !for_salesforce(cx) {
            return;
        }
        let name = cx
            .playbook
            .playbook
            .crm
            .as_ref()
            .and_then(|c| c.salesforce.as_ref())
            .and_then(|s| s.path_name.as_deref());
        if let Some(name) = name.filter(|n| n.contains("__") || n.ends_with('_')) {
            out.push(
                crm_finding(
                    cx,
                    &Self::META,
                    "/playbook/crm/salesforce/path_name",
                    false,
                    "/playbook/crm/salesforce/path_name",
                    format!("`{name}` is not a valid Salesforce API name"),
                )
                .with_help("use letters, digits and single `_` between them, e.g. `Sales_Path`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{crm_playbook, findings};

    #[test]
    fn flags_double_and_trailing_underscores() {
        let stages = "  - id: a\n    name: A\n";
        let named = |name: &str| {
            crm_playbook("salesforce", stages).replace(
                "salesforce: {}",
                &format!("salesforce:\n      path_name: {name}"),
            )
        };
        assert_eq!(
            findings(&CrmInvalidApiName, &named("Sales__Path_")),
            [
                "/playbook/crm/salesforce/path_name: `Sales__Path_` is not a valid Salesforce API name"
            ]
        );
        assert!(findings(&CrmInvalidApiName, &named("Sales_Path")).is_empty());
    }
}

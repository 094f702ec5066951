//! `crm::guidance-too-long`: a stage's Salesforce Sales Path guidance is longer than Salesforce may keep.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::{salesforce_stages, stage_finding};
use crate::crm::salesforce::{self, GUIDANCE_MAX};

declare_rule! {
    /// ## What it checks
    ///
    /// That a stage's Sales Path guidance (goal, what to do, exit events, as HTML) stays under 4000
    /// characters, markup included, when the playbook is exported to Salesforce.
    ///
    /// ## Why it matters
    ///
    /// Salesforce stores the guidance in one text field. Its limit is not documented; 4000 is the
    /// provisional cap until a sandbox confirms it, so a longer guide may not deploy.
    ///
    /// ## Example
    ///
    /// Flagged: a stage with thirty long actions under `do`.
    ///
    /// Fixed: keep the essentials in the stage's `do` and `exit`, and move details to a content item
    /// the stage links with `content: [...]`.
    CrmGuidanceTooLong {
        id: "crm::guidance-too-long",
        category: Crm,
        level: Warn,
        summary: "a stage's Salesforce Sales Path guidance is longer than Salesforce may keep",
    }
}

impl Rule for CrmGuidanceTooLong {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (i, stage) in salesforce_stages(cx) {
            let length = salesforce::guidance(cx.playbook, stage).chars().count();
            if length > GUIDANCE_MAX {
                let message = format!(
                    "the Sales Path guidance for `{}` is {length} characters long; Salesforce may keep at most {GUIDANCE_MAX}",
                    stage.id
                );
                out.push(stage_finding(cx, &Self::META, i, message).with_help(
                    "shorten the stage's `goal`, `do` and `exit`, or move details to a content item",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::crm_findings;

    use std::fmt::Write as _;

    #[test]
    fn flags_a_long_sales_path_guide() {
        let mut actions = String::new();
        for i in 0..80 {
            let _ = writeln!(
                actions,
                "      - action: Step {i} of a very long list of things the rep has to do"
            );
        }
        let stages = format!("  - id: a\n    name: A\n    do:\n{actions}");
        let found = crm_findings(&CrmGuidanceTooLong, "salesforce", &stages);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("/stages/0: the Sales Path guidance for `a` is "),
            "{found:?}"
        );
        let short = "  - id: a\n    name: A\n    do:\n      - action: Book the demo\n";
        assert!(crm_findings(&CrmGuidanceTooLong, "salesforce", short).is_empty());
    }
}

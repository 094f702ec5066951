//! `crm::probability-order`: the win probability drops along the main path.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::stage_part_finding;

declare_rule! {
    /// ## What it checks
    ///
    /// That the win `probability` never drops from one open stage to the next along the main path
    /// (from the first stage, following each stage's first `next`), for every CRM the playbook is
    /// exported to.
    ///
    /// ## Why it matters
    ///
    /// CRMs weigh the forecast with the stage probability: a deal that moves forward and becomes
    /// less likely to close makes the forecast shrink when the team makes progress.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// - id: discovery
    ///   probability: 30
    /// - id: demo
    ///   probability: 20
    /// ```
    ///
    /// Fixed: `discovery` at 20, `demo` at 30.
    CrmProbabilityOrder {
        id: "crm::probability-order",
        category: Crm,
        level: Warn,
        summary: "the win probability drops along the main path",
    }
}

impl Rule for CrmProbabilityOrder {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        if cx.crm_targets().next().is_none() {
            return;
        }
        let playbook = cx.playbook;
        let mut highest: Option<(usize, u8)> = None;
        for i in cx.graph.main_path() {
            let stage = &playbook.stages[i];
            let Some(p) = stage.probability.filter(|_| !stage.is_terminal()) else {
                continue;
            };
            match highest {
                Some((before, q)) if p < q => {
                    let message = format!(
                        "win probability drops from {q}% in `{}` to {p}% in `{}`, the next step",
                        playbook.stages[before].id, stage.id
                    );
                    let earlier = cx
                        .label(&format!("/stages/{before}/probability"), false)
                        .with_text("earlier stage");
                    let help = format!(
                        "a deal that moves forward should become more likely to close: give `{}` at least {q}",
                        stage.id
                    );
                    let mut finding =
                        stage_part_finding(cx, &Self::META, i, "probability", message)
                            .with_related(earlier)
                            .with_help(help);
                    finding.diagnostic.primary = finding
                        .diagnostic
                        .primary
                        .clone()
                        .with_text("lower than an earlier stage");
                    out.push(finding);
                }
                Some((_, q)) if p <= q => {}
                _ => highest = Some((i, p)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{crm_findings, findings};

    #[test]
    fn follows_the_main_path_not_the_list() {
        // `nurture` (a side branch at 5%) sits between the main-path stages in the list.
        let stages = "  - id: a\n    name: A\n    probability: 30\n    next: [b, nurture]\n  - id: nurture\n    name: Nurture\n    probability: 5\n    next: b\n  - id: b\n    name: B\n    probability: 20\n    next: won\n  - id: won\n    name: Won\n    terminal: won\n";
        assert_eq!(
            crm_findings(&CrmProbabilityOrder, "salesforce", stages),
            ["/stages/2: win probability drops from 30% in `a` to 20% in `b`, the next step"]
        );
        let rising = stages.replace("probability: 20", "probability: 40");
        assert!(crm_findings(&CrmProbabilityOrder, "salesforce", &rising).is_empty());
    }

    #[test]
    fn runs_only_for_a_named_crm() {
        let stages = "  - id: a\n    name: A\n    probability: 30\n  - id: b\n    name: B\n    probability: 20\n";
        let without_crm =
            format!("stagebook: 1\nplaybook:\n  id: t\n  name: Test\nstages:\n{stages}");
        assert!(findings(&CrmProbabilityOrder, &without_crm).is_empty());
        assert_eq!(
            crm_findings(&CrmProbabilityOrder, "pipedrive", stages).len(),
            1
        );
    }
}

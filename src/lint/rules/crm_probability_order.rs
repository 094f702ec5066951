//! `crm::probability-order`: the win probability drops along the main path.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::crm_finding;
use crate::crm::main_path;

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
        for i in main_path(playbook) {
            let stage = &playbook.stages[i];
            let Some(p) = stage.probability.filter(|_| !stage.is_terminal()) else {
                continue;
            };
            match highest {
                Some((before, q)) if p < q => {
                    let mut finding = crm_finding(
                        cx,
                        &Self::META,
                        &format!("/stages/{i}/probability"),
                        false,
                        &format!("/stages/{i}"),
                        format!(
                            "win probability drops from {q}% in `{}` to {p}% in `{}`, the next step",
                            playbook.stages[before].id, stage.id
                        ),
                    )
                    .with_related(
                        cx.label(&format!("/stages/{before}/probability"), false)
                            .with_text("earlier stage"),
                    )
                    .with_help(format!(
                        "a deal that moves forward should become more likely to close: give `{}` at least {q}",
                        stage.id
                    ));
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

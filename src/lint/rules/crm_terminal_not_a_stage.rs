//! `crm::terminal-not-a-stage`: a won or lost stage is not exported to a CRM that closes deals by status.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

use super::stage_part_finding;
use crate::diagnostic::Severity;
use crate::model::Terminal;

declare_rule! {
    /// ## What it checks
    ///
    /// Nothing to fix: it says that won and lost stages are not exported to a CRM that closes deals
    /// by status (Pipedrive). It is reported as a note, below its level.
    ///
    /// ## Why it matters
    ///
    /// In Pipedrive a deal is won or lost by its status, not by a stage. The export leaves closing
    /// stages out; reps close deals with Pipedrive's Won and Lost buttons.
    ///
    /// ## Example
    ///
    /// Reported as a note, the pipeline ending with the last open stage:
    ///
    /// ```yaml
    /// - id: closed-won
    ///   name: Closed won
    ///   terminal: won
    /// ```
    ///
    /// Nothing to change; to hide the note, switch the rule off in `stagebook.toml`.
    CrmTerminalNotAStage {
        id: "crm::terminal-not-a-stage",
        category: Crm,
        level: Warn,
        summary: "a won or lost stage is not exported to a CRM that closes deals by status",
    }
}

impl Rule for CrmTerminalNotAStage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for target in cx.crm_targets().filter(|t| !t.holds_closing_stages()) {
            for (i, stage) in cx.playbook.stages.iter().enumerate() {
                let Some(terminal) = stage.terminal else {
                    continue;
                };
                // Pipedrive has two statuses: every closing kind but won is its Lost.
                let (word, button) = match terminal {
                    Terminal::Won => ("won", "Won"),
                    _ => ("lost", "Lost"),
                };
                let message = format!(
                    "`{}` is not exported: {target} marks deals {word} by status, not by stage",
                    stage.id
                );
                let mut finding = stage_part_finding(cx, &Self::META, i, "terminal", message)
                .with_help(format!(
                    "reps close deals with {target}'s {button} button; nothing to change in the playbook"
                ));
                // A note at its default level: the engine keeps a rule's own severity then.
                finding.diagnostic.severity = Severity::Note;
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::assert_crm_only;

    #[test]
    fn notes_closing_stages_for_pipedrive_only() {
        let stages = "  - id: a\n    name: A\n  - id: won\n    name: Won\n    terminal: won\n";
        assert_crm_only(
            &CrmTerminalNotAStage,
            stages,
            "pipedrive",
            &[
                "/stages/1: `won` is not exported: Pipedrive marks deals won by status, not by stage",
            ],
            "hubspot",
        );
    }
}

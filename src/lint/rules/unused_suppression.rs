//! `unused-suppression`: a `lint.allow` that switches off a rule with nothing to report.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// An id in a `lint: {allow: [...]}` list — on the playbook, a stage, a content item or a
    /// `do` / `say` / `exit` item — whose rule finds nothing there, or that is not a rule at
    /// all (a typo). The engine reports these after applying the suppressions; the rule has
    /// no check of its own.
    ///
    /// ## Why it matters
    ///
    /// A suppression is a documented exception ("we show no content in this stage because
    /// …"). Once the gap is fixed, the exception is stale, and a stale exception would hide
    /// the gap if it came back. A misspelt rule id suppresses nothing and gives false comfort.
    ///
    /// ## Example
    ///
    /// Flagged (the stage has content now):
    ///
    /// ```yaml
    /// - id: demo
    ///   content: [acme-story]
    ///   lint:
    ///     allow: [missing-content]
    ///     reason: Marketing is still producing the demo video
    /// ```
    ///
    /// Fixed: remove the `lint` entry.
    UnusedSuppression {
        id: "unused-suppression",
        category: Suppression,
        level: Warn,
        summary: "a `lint.allow` entry suppresses nothing, or names no rule",
    }
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _: &LintContext<'_>, _: &mut Vec<Finding>) {
        // Reported by `lint::suppress::apply`, which knows which suppressions were used.
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::config::Config;
    use crate::lint::testing::CLEAN;

    fn lint_messages(yaml: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.yaml");
        std::fs::write(&path, yaml).unwrap();
        let checked = crate::check::check_file_with(
            &path,
            &crate::check::Options {
                lint: true,
                ..crate::check::Options::default()
            },
            &Config::default(),
        )
        .unwrap()
        .unwrap();
        checked
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect()
    }

    #[test]
    fn used_suppressions_pass() {
        let yaml = CLEAN.replace(
            "    content: [pricing]\n",
            "    lint: {allow: [missing-content], reason: the price sheet is sent by finance}\n",
        );
        assert_eq!(
            lint_messages(&yaml),
            ["unused-content: content `pricing` is not used by any stage"]
        );
    }

    #[test]
    fn unused_and_unknown_suppressions_are_reported() {
        let yaml = CLEAN.replace(
            "    content: [pricing]\n",
            "    content: [pricing]\n    lint: {allow: [missing-content, missing-contnet], reason: old}\n",
        );
        assert_eq!(
            lint_messages(&yaml),
            [
                "unused-suppression: `missing-content` is switched off here, but it finds nothing to report",
                "unused-suppression: `missing-contnet` is not a lint rule, so this suppression does nothing",
            ]
        );
    }
}

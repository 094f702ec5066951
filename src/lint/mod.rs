//! Lint stage: runs on a playbook that passed the schema and structure checks and reports the
//! gaps in the *process* it describes — stages with no exit, exits that describe the seller
//! instead of the buyer, missing guidance, placeholders, broken content links …
//!
//! Every rule lives in its own file under [`rules`], declared with [`declare_rule!`]: its doc
//! comment is the text `stagebook explain RULE` prints, its metadata feeds `stagebook rules`,
//! the README table and SARIF's rule list. The engine here runs every rule, applies the YAML
//! suppressions (`lint: {allow: [...], reason: ...}`), then the levels from `stagebook.toml`
//! and the command line ([`config`]), then the baseline ([`baseline`]).

pub(crate) mod baseline;
pub mod config;

pub(crate) mod rules;
pub(crate) mod shared;
pub(crate) mod suppress;
pub(crate) mod text;

use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::crm::Target;
use crate::diagnostic::codes::RuleInfo;
use crate::diagnostic::{Catalogue, Diagnostic, Label, Severity};
use crate::load::Document;
use crate::model::PlaybookFile;

pub(crate) use crate::model::graph::Graph;
pub use config::Config;
pub(crate) use config::RuleOptions;

/// What part of the process a rule looks at. Levels can be set for a whole category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Category {
    /// The shape of the pipeline: stages, exits, paths to won and lost.
    Process,
    /// What reps are told to know, do, say and show in each stage.
    Guidance,
    /// Time budgets of stages and of the whole cycle.
    Timing,
    /// Text and links a rep reads or sends.
    Content,
    /// Qualification frameworks such as MEDDPICC.
    Methodology,
    /// The suppressions themselves.
    Suppression,
    /// What a CRM the playbook is exported to cannot hold (the `crm::` rules).
    Crm,
}

impl Category {
    /// Every category, in order.
    pub(crate) const ALL: [Self; 7] = [
        Self::Process,
        Self::Guidance,
        Self::Timing,
        Self::Content,
        Self::Methodology,
        Self::Suppression,
        Self::Crm,
    ];

    /// The name used in `stagebook.toml` and on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Process => "process",
            Self::Guidance => "guidance",
            Self::Timing => "timing",
            Self::Content => "content",
            Self::Methodology => "methodology",
            Self::Suppression => "suppression",
            Self::Crm => "crm",
        }
    }

    /// The category called `name`.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a rule's findings are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning; fails the check only with `--deny warnings` / `fail-on = "warning"`.
    Warn,
    /// Reported as an error; fails the check.
    Deny,
}

impl Level {
    /// The severity findings get at this level (`None` when they are not reported).
    pub(crate) fn severity(self) -> Option<Severity> {
        match self {
            Self::Allow => None,
            Self::Warn => Some(Severity::Warning),
            Self::Deny => Some(Severity::Error),
        }
    }

    /// The level called `name` in `stagebook.toml` (`allow`, `warn`, `deny`).
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        [Self::Allow, Self::Warn, Self::Deny]
            .into_iter()
            .find(|l| l.name() == name)
    }

    /// The name used in `stagebook.toml`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Warn => "warn",
            Self::Deny => "deny",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the engine knows about a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// Kebab-case id: the diagnostic code, and the name in config, flags and suppressions.
    pub(crate) id: &'static str,
    /// What part of the process it looks at.
    pub(crate) category: Category,
    /// Level when nothing configures it.
    pub(crate) default_level: Level,
    /// One line, for `stagebook rules` and the README.
    pub(crate) summary: &'static str,
    /// The rule's doc comment (Markdown): *What it checks*, *Why it matters*, *Example*.
    pub(crate) docs: &'static str,
}

impl RuleMeta {
    /// The doc comment as Markdown, without rustdoc's leading space on each line.
    pub(crate) fn markdown(&self) -> String {
        let mut out = String::new();
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }

    /// The first paragraph under a `## heading` of the docs.
    pub(crate) fn section(&self, heading: &str) -> String {
        let markdown = self.markdown();
        let mut lines = markdown
            .lines()
            .skip_while(|l| l.trim_start_matches('#').trim() != heading || !l.starts_with('#'))
            .skip(1)
            .skip_while(|l| l.trim().is_empty());
        let mut paragraph = Vec::new();
        for line in lines.by_ref() {
            if line.trim().is_empty() || line.starts_with('#') {
                break;
            }
            paragraph.push(line.trim());
        }
        paragraph.join(" ")
    }
}

/// A lint rule.
pub trait Rule: Sync {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Looks at the playbook and reports findings.
    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>);
}

/// Declares a rule struct with its docs and metadata. The doc comment is kept as text for
/// `stagebook explain`.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $name:ident {
            id: $id:literal,
            category: $category:ident,
            level: $level:ident,
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Default, Clone, Copy)]
        pub(crate) struct $name;

        impl $name {
            /// This rule's metadata.
            pub(crate) const META: $crate::lint::RuleMeta = $crate::lint::RuleMeta {
                id: $id,
                category: $crate::lint::Category::$category,
                default_level: $crate::lint::Level::$level,
                summary: $summary,
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}
pub(crate) use declare_rule;

/// One finding of a rule, before levels are applied: where it is (a JSON pointer into the
/// playbook, used for suppressions and the baseline) and the diagnostic.
#[derive(Debug, Clone)]
pub struct Finding {
    /// JSON pointer of the node the finding is about, e.g. `/stages/2/exit/0`.
    pub(crate) pointer: String,
    /// The diagnostic; its code is the rule id, its severity is set by the level later.
    pub(crate) diagnostic: Diagnostic,
    /// For a finding that sums up several nodes ("every exit of this stage …"): those nodes.
    /// Suppressing the rule on all of them suppresses the finding too.
    pub(crate) parts: Vec<String>,
}

/// What a rule sees.
pub struct LintContext<'a> {
    /// The loaded document, for spans.
    pub(crate) document: &'a Document,
    /// The typed playbook.
    pub(crate) playbook: &'a PlaybookFile,
    /// Rule options from `stagebook.toml`.
    pub(crate) options: &'a RuleOptions,
    /// The stage graph.
    pub(crate) graph: Graph<'a>,
    /// The CRMs the `crm::` rules check for.
    crm_targets: Vec<Target>,
}

impl<'a> LintContext<'a> {
    /// A context for one playbook.
    pub(crate) fn new(
        document: &'a Document,
        playbook: &'a PlaybookFile,
        options: &'a RuleOptions,
    ) -> Self {
        Self {
            document,
            playbook,
            options,
            graph: Graph::new(playbook),
            crm_targets: Target::named_in(playbook),
        }
    }

    /// The CRMs the `crm::` rules check for: the ones the playbook's `crm:` block names,
    /// unless [`lint_crm`] names one.
    pub(crate) fn crm_targets(&self) -> impl Iterator<Item = Target> + '_ {
        self.crm_targets.iter().copied()
    }

    /// A label at `pointer`: the key when `on_key` is set and the node has one.
    pub(crate) fn label(&self, pointer: &str, on_key: bool) -> Label {
        self.document.label(pointer, on_key)
    }

    /// A finding of `rule` at `pointer`, labelled at the node's value (or key with `on_key`).
    pub(crate) fn finding(
        &self,
        rule: &RuleMeta,
        pointer: impl Into<String>,
        on_key: bool,
        message: impl Into<String>,
    ) -> Finding {
        let pointer = pointer.into();
        let diagnostic = Diagnostic::new(
            rule.default_level.severity().unwrap_or(Severity::Warning),
            rule.id,
            message,
            self.label(&pointer, on_key),
        );
        Finding {
            pointer,
            diagnostic,
            parts: Vec::new(),
        }
    }
}

impl Finding {
    /// Adds the help line.
    #[must_use]
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.diagnostic.help = Some(help.into());
        self
    }

    /// Adds a related place.
    #[must_use]
    pub(crate) fn with_related(mut self, label: Label) -> Self {
        self.diagnostic.related.push(label);
        self
    }
}

/// Every rule, sorted by id.
pub fn registry() -> &'static [&'static dyn Rule] {
    rules::ALL
}

/// The rule called `id`.
pub(crate) fn find_rule(id: &str) -> Option<&'static dyn Rule> {
    registry().iter().copied().find(|r| r.meta().id == id)
}

/// The rule ids, comma-separated, for "unknown rule" messages.
pub(crate) fn known_ids() -> String {
    registry()
        .iter()
        .map(|r| r.meta().id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every finding code a user can meet: the catalogued families and, after them, every rule in
/// the registry (so a new rule appears in `explain`, the README and the printers by itself).
pub fn catalogue() -> Catalogue {
    Catalogue::builtin().with_rules(registry().iter().map(|rule| {
        let m = rule.meta();
        let info = RuleInfo {
            category: m.category.name(),
            default_level: m.default_level.name(),
            docs: m.markdown(),
            checks: m.section("What it checks"),
        };
        (m.id, m.default_level.severity(), m.summary, info)
    }))
}

/// The README's rule table (Markdown), generated from the registry; a test keeps the copy in
/// README.md between `<!-- rules:start -->` and `<!-- rules:end -->` in step.
pub fn markdown_table() -> String {
    let mut out =
        String::from("| rule | category | default | what it flags |\n| --- | --- | --- | --- |\n");
    for rule in registry() {
        let m = rule.meta();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            m.id,
            m.category,
            m.default_level,
            m.summary.replace('|', "\\|")
        );
    }
    out
}

/// Runs every rule on one playbook, applies its YAML suppressions (reporting those that
/// suppress nothing) and the levels in `config`, and returns the diagnostics to report. The
/// `crm::` rules run for the CRMs the playbook's `crm:` block names.
pub fn lint(document: &Document, playbook: &PlaybookFile, config: &Config) -> Vec<Diagnostic> {
    let cx = LintContext::new(document, playbook, &config.options);
    run(&cx, config, registry())
}

/// Runs only the `crm::` rules, for `target` (what `crm export` checks before it writes), with
/// the suppressions and levels of `config`. A suppression of another rule is not reported as
/// unused here: those rules did not run.
pub(crate) fn lint_crm(
    document: &Document,
    playbook: &PlaybookFile,
    config: &Config,
    target: Target,
) -> Vec<Diagnostic> {
    let mut cx = LintContext::new(document, playbook, &config.options);
    cx.crm_targets = vec![target];
    let rules: Vec<&dyn Rule> = registry()
        .iter()
        .copied()
        .filter(|r| r.meta().category == Category::Crm)
        .collect();
    let mut diagnostics = run(&cx, config, &rules);
    diagnostics.retain(|d| d.code != rules::unused_suppression::UnusedSuppression::META.id);
    diagnostics
}

fn run(cx: &LintContext<'_>, config: &Config, rules: &[&dyn Rule]) -> Vec<Diagnostic> {
    let document = cx.document;
    let mut findings = Vec::new();
    for rule in rules {
        rule.check(cx, &mut findings);
    }
    let mut findings = suppress::apply(document, findings);
    findings.sort_by(|a, b| a.diagnostic.sort_key().cmp(&b.diagnostic.sort_key()));
    let mut diagnostics = Vec::new();
    for finding in findings {
        let Finding {
            pointer,
            mut diagnostic,
            ..
        } = finding;
        let level = config.level_of(&diagnostic.code);
        let Some(severity) = level.severity() else {
            continue;
        };
        // At its default level a finding keeps the severity its rule gave it (a note, say);
        // a level set in `stagebook.toml` or on the command line decides it otherwise.
        if find_rule(&diagnostic.code).is_none_or(|r| r.meta().default_level != level) {
            diagnostic.severity = severity;
        }
        diagnostic.anchor = Some(baseline::anchor(&document.value, &pointer));
        diagnostics.push(diagnostic);
    }
    diagnostics
}

/// The id of the stage or content item a pointer is inside, for messages.
pub(crate) fn owner_id<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
    let mut parts = pointer.split('/').skip(1);
    let list = parts.next()?;
    let index: usize = parts.next()?.parse().ok()?;
    value.get(list)?.get(index)?.get("id")?.as_str()
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the rules' in-file tests: load YAML from a string, lint it, and list what a
    //! single rule reports.

    use std::path::Path;

    use super::{Config, LintContext, Rule};
    use crate::load::{self, Limits, Loaded};
    use crate::validate;

    /// Loads `yaml` as a playbook, asserts it is schema-valid, and returns the messages `rule`
    /// reports (before suppressions and levels), as `pointer: message`.
    pub(crate) fn findings_with(rule: &dyn Rule, yaml: &str, config: &Config) -> Vec<String> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("playbook.yaml");
        std::fs::write(&path, yaml).expect("write");
        findings_at(rule, &path, config)
    }

    /// As [`findings_with`], for a playbook already on disk.
    pub(crate) fn findings_at(rule: &dyn Rule, path: &Path, config: &Config) -> Vec<String> {
        let Loaded::Playbook {
            document,
            diagnostics,
            ..
        } = load::load(path, &Limits::default()).expect("read")
        else {
            panic!("not a playbook");
        };
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let document = document.expect("document");
        let (playbook, diagnostics) = validate::validate(&document);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let playbook = playbook.expect("typed playbook");
        let cx = LintContext::new(&document, &playbook, &config.options);
        let mut out = Vec::new();
        rule.check(&cx, &mut out);
        out.iter()
            .map(|f| format!("{}: {}", f.pointer, f.diagnostic.message))
            .collect()
    }

    /// As [`findings_with`], with the default configuration.
    pub(crate) fn findings(rule: &dyn Rule, yaml: &str) -> Vec<String> {
        findings_with(rule, yaml, &Config::default())
    }

    /// What `rule` reports on [`CLEAN`] once key `key` is removed from stage number `stage`.
    pub(crate) fn findings_without(rule: &dyn Rule, stage: usize, key: &str) -> Vec<String> {
        findings(rule, &remove_key(CLEAN, stage, key))
    }

    /// `yaml` without key `key` (and its nested lines) in stage number `stage` (0-based).
    pub(crate) fn remove_key(yaml: &str, stage: usize, key: &str) -> String {
        let lines: Vec<&str> = yaml.lines().collect();
        let stages_at = lines.iter().position(|l| *l == "stages:").expect("stages");
        let start = lines
            .iter()
            .enumerate()
            .skip(stages_at)
            .filter(|(_, l)| l.starts_with("  - id: "))
            .nth(stage)
            .expect("stage")
            .0;
        let mut out = Vec::new();
        let mut skipping = false;
        let mut in_stage = false;
        for (i, line) in lines.iter().enumerate() {
            if i == start {
                in_stage = true;
            } else if line.starts_with("  - ") {
                in_stage = false;
            }
            if skipping && (line.starts_with("      ") || line.starts_with("    - ")) {
                continue;
            }
            skipping = false;
            let indent = line.len() - line.trim_start().len();
            if in_stage && indent == 4 && line.trim_start().starts_with(&format!("{key}:")) {
                skipping = true;
                continue;
            }
            out.push(*line);
        }
        out.join("\n") + "\n"
    }

    /// A playbook whose `crm:` block names `target` (so the `crm::` rules run for it), with
    /// `stages` (YAML list items, indented by two spaces).
    pub(crate) fn crm_playbook(target: &str, stages: &str) -> String {
        format!(
            "stagebook: 1\nplaybook:\n  id: t\n  name: Test\n  crm:\n    {target}: {{}}\nstages:\n{stages}"
        )
    }

    /// What `rule` reports on [`crm_playbook`]`(target, stages)`.
    pub(crate) fn crm_findings(rule: &dyn Rule, target: &str, stages: &str) -> Vec<String> {
        findings(rule, &crm_playbook(target, stages))
    }

    /// Asserts that `rule` reports exactly `expected` on `stages` when the playbook names CRM
    /// `target`, and nothing when it names `other` instead (a CRM without that limit).
    pub(crate) fn assert_crm_only(
        rule: &dyn Rule,
        stages: &str,
        target: &str,
        expected: &[&str],
        other: &str,
    ) {
        assert_eq!(crm_findings(rule, target, stages), expected, "for {target}");
        assert!(
            crm_findings(rule, other, stages).is_empty(),
            "{other} has no such limit"
        );
    }

    /// A complete playbook every rule passes, to modify in tests.
    pub(crate) const CLEAN: &str = include_str!("../../tests/fixtures/lint/clean.yaml");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_kebab_case_and_sorted() {
        let ids: Vec<&str> = registry().iter().map(|r| r.meta().id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            ids, sorted,
            "rule ids must be unique and sorted in the registry"
        );
        for full in ids {
            // The CRM rules keep the `crm::` family their codes always had.
            let id = full.strip_prefix("crm::").unwrap_or(full);
            assert!(
                !id.is_empty()
                    && id.split('-').all(|part| !part.is_empty()
                        && part
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
                "`{full}` is not kebab-case"
            );
            assert!(
                Category::from_name(full).is_none(),
                "`{full}` clashes with a category"
            );
        }
    }

    #[test]
    fn every_rule_has_the_three_doc_sections() {
        for rule in registry() {
            let docs = rule.meta().markdown();
            for heading in ["## What it checks", "## Why it matters", "## Example"] {
                assert!(
                    docs.contains(heading),
                    "`{}` lacks `{heading}`",
                    rule.meta().id
                );
            }
            assert!(!rule.meta().summary.ends_with('.'), "{}", rule.meta().id);
        }
    }

    #[test]
    fn the_clean_fixture_is_clean() {
        let config = Config::default();
        for rule in registry() {
            let found = testing::findings_with(*rule, testing::CLEAN, &config);
            assert!(found.is_empty(), "{}: {found:#?}", rule.meta().id);
        }
    }
}

//! Ground floor: the catalogue of every finding code a user can meet. Codes outside the lint
//! rules are constants here, grouped by family, each with its default severity and one line of
//! help; the loader and the validator emit these constants, never loose strings.
//! Lint rule codes come from the rule registry ([`Catalogue::with_rules`]), so a new rule shows
//! up in `stagebook explain`, the README table and every printer without an edit here.
//!
//! A test (`tests/cli/lint.rs`) scans `src/` for string literals shaped like a code
//! (`family::kebab-name`) and fails when one is missing from the catalogue.

use std::fmt::Write as _;

use serde::Serialize;

use super::Severity;

/// One finding code outside the lint rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Code {
    /// The code as printed: `yaml::syntax`.
    pub(crate) id: &'static str,
    /// The severity findings with this code get.
    pub(crate) severity: Severity,
    /// One line: what it means, or how to fix it.
    pub(crate) help: &'static str,
}

impl Code {
    /// The family: the part before `::`.
    pub(crate) fn family(&self) -> &'static str {
        self.id.split_once("::").map_or("", |(family, _)| family)
    }
}

impl From<Code> for String {
    fn from(code: Code) -> Self {
        code.id.to_string()
    }
}

impl PartialEq<Code> for String {
    fn eq(&self, code: &Code) -> bool {
        self == code.id
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, code: &Code) -> bool {
        *self == code.id
    }
}

macro_rules! codes {
    ($(#[$family_doc:meta])* $family:ident: $($name:ident = $id:literal, $severity:ident, $help:literal;)+) => {
        $(#[$family_doc])*
        pub(crate) mod $family {
            use super::{Code, Severity};
            $(
                #[doc = $help]
                pub(crate) const $name: Code = Code {
                    id: $id,
                    severity: Severity::$severity,
                    help: $help,
                };
            )+
            /// Every code of the family, in catalogue order.
            pub(crate) const ALL: &[Code] = &[$($name),+];
        }
    };
}

codes! {
    /// `yaml::` — the file is not valid YAML 1.2.
    yaml:
    SYNTAX = "yaml::syntax", Error,
        "the file is not valid YAML: look for tabs used for indentation, unclosed quotes or brackets";
    DUPLICATE_KEY = "yaml::duplicate-key", Error,
        "a key appears twice in one mapping: keep one of them";
    TOO_MANY_DUPLICATE_KEYS = "yaml::too-many-duplicate-keys", Note,
        "more than 200 duplicate keys in one file: the rest are not listed";
    UNKNOWN_ANCHOR = "yaml::unknown-anchor", Error,
        "an alias (`*name`) refers to an anchor (`&name`) that is not defined before it";
    ENCODING = "yaml::encoding", Error,
        "the file is not valid UTF-8: save it as UTF-8";
    NUL_BYTE = "yaml::nul-byte", Error,
        "the file contains a NUL byte: it may be binary or damaged";
}

codes! {
    /// `input::` — valid YAML that stagebook does not accept, or an input limit.
    input:
    EMPTY = "input::empty", Error,
        "the file holds no document: write the playbook, or delete the file";
    MULTIPLE_DOCUMENTS = "input::multiple-documents", Error,
        "a file holds one playbook: move each document after `---` into a file of its own";
    UNSUPPORTED_TAG = "input::unsupported-tag", Error,
        "YAML tags (`!!python/object`, `!Ref` …) are not read: only `!!str`, `!!seq` and `!!map` are";
    MERGE_KEY = "input::merge-key", Error,
        "merge keys (`<<: *defaults`) are not read: write the keys out";
    EMPTY_KEY = "input::empty-key", Error,
        "a key is missing before `:`: write the field name, e.g. `goal: …`";
    COMPLEX_KEY = "input::complex-key", Error,
        "a mapping key is a list or mapping: keys must be plain text";
    RECURSIVE_ALIAS = "input::recursive-alias", Error,
        "an alias is used inside its own anchor, which would never end";
    ALIAS_BUDGET = "input::alias-budget", Error,
        "aliases copy more than 100,000 nodes, or more text than `--max-file-size`, in one file: write the repeated parts out, or split the file";
    TOO_DEEP = "input::too-deep", Error,
        "lists and mappings are nested more than 128 levels deep";
    TOO_LARGE = "input::too-large", Error,
        "the file is larger than `--max-file-size` (16 MiB by default): split it with `include`";
    UTF16 = "input::utf16", Error,
        "the file is saved as UTF-16: save it as UTF-8";
    CONTROL_CHARACTER = "input::control-character", Error,
        "a text holds an invisible control character (often pasted from another program): delete it";
    TOO_MANY_CONTROL_CHARACTERS = "input::too-many-control-characters", Note,
        "more than 200 texts with control characters in one file: the rest are not listed";
}

codes! {
    /// `schema::` — the playbook does not follow the format.
    schema:
    UNKNOWN_FIELD = "schema::unknown-field", Error,
        "a key the format does not know, often a typo: the help line names the closest one";
    MISSING_FIELD = "schema::missing-field", Error,
        "a required key is missing: add it";
    WRONG_TYPE = "schema::wrong-type", Error,
        "a value of the wrong kind (text where a list belongs, say)";
    INVALID_VALUE = "schema::invalid-value", Error,
        "a value outside what the format allows (an unknown choice, a malformed id or duration)";
    OUT_OF_RANGE = "schema::out-of-range", Error,
        "a number or length outside its allowed range";
    EMPTY = "schema::empty", Error,
        "a text or list that must not be empty";
    REPEATED_ITEM = "schema::repeated-item", Error,
        "a list holds the same item twice: keep one";
    SAY_SHAPE = "schema::say-shape", Error,
        "a `say` item must be a talk track (`situation` + `script`) or an objection (`objection` + `response`)";
    INVALID = "schema::invalid", Error,
        "the playbook could not be read into its types after passing the schema: a bug in stagebook, please report it";
    TOO_MANY_FINDINGS = "schema::too-many-findings", Note,
        "more than 200 schema findings in one file: the rest are not listed";
}

codes! {
    /// `structure::` — what a schema cannot check.
    structure:
    DUPLICATE_ID = "structure::duplicate-id", Error,
        "two stages or content items share an id: rename one";
    UNKNOWN_REFERENCE = "structure::unknown-reference", Error,
        "a stage's `next`, `recycle`, `content` or `owner` names an id that no stage, content item or role has";
    DUPLICATE_CRM_NAME = "structure::duplicate-crm-name", Error,
        "two stages list the same CRM stage name in `crm_names`: a deal in it would be counted in one of them without a word";
    NO_STAGES = "structure::no-stages", Error,
        "the playbook (with its includes) has no stages: there is no process to check or render";
    TERMINAL_WITH_NEXT = "structure::terminal-with-next", Error,
        "a won or lost stage lists `next` stages: a terminal stage ends the path";
    TOO_MANY_FINDINGS = "structure::too-many-findings", Note,
        "more than 200 unknown references in one file: the rest are not listed";
    INCLUDE_OUTSIDE_PROJECT = "structure::include-outside-project", Error,
        "an `include` points outside the project folder: move the file inside it";
    INCLUDE_NOT_FOUND = "structure::include-not-found", Error,
        "an included file does not exist: the path is relative to the playbook's folder";
    INCLUDE_NOT_FRAGMENT = "structure::include-not-fragment", Error,
        "an included file must hold only `stages` and `content`";
    INVALID_EXTENDS = "structure::invalid-extends", Error,
        "a variant's `extends` names no playbook inside the project, a playbook that extends another, or the variant changes a stage the base does not have";
    ORPHAN_INCLUDE = "structure::orphan-include", Warning,
        "a fragment (only `stages` / `content`) that no checked playbook includes";
    SHARED_STAGE_CONFLICT = "structure::shared-stage-conflict", Error,
        "playbooks exported together into one Salesforce org give one stage value different probabilities, forecast categories or closed/won flags: make them agree";
    SHARED_RECORD_TYPE = "structure::shared-record-type", Error,
        "playbooks exported together into one Salesforce org are for one record type, which has one Sales Path: set `crm.salesforce.record_type` on each";
    SHARED_EXPORT_NAME = "structure::shared-export-name", Error,
        "playbooks exported together would write the same Sales Path or pipeline file: give one another `id`";
}

codes! {
    /// `config::` — `stagebook.toml` is not what stagebook reads.
    config:
    INVALID = "config::invalid", Error,
        "`stagebook.toml` is not valid TOML, or a value in its `[lint]` table has the wrong shape";
    UNKNOWN_NAME = "config::unknown-name", Error,
        "`[lint.levels]` names no lint rule or category: `stagebook rules` lists them";
    INVALID_LEVEL = "config::invalid-level", Error,
        "a level in `[lint.levels]` is not `allow`, `warn` or `deny`";
    INVALID_PATTERN = "config::invalid-pattern", Error,
        "a pattern in `[check] exclude` is not a glob such as `docs/**` or `mkdocs.yml`";
}

/// A family of codes: the prefix before `::`, and what its findings are about.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Family {
    /// `yaml`, `input`, …
    pub(crate) name: &'static str,
    /// What the family's findings are about, for the README table.
    pub(crate) what: &'static str,
    /// Its codes.
    pub(crate) codes: &'static [Code],
}

/// Every family outside the lint rules, in the order the pipeline meets them.
pub(crate) const FAMILIES: &[Family] = &[
    Family {
        name: "yaml",
        what: "the file is not valid YAML 1.2",
        codes: yaml::ALL,
    },
    Family {
        name: "input",
        what: "valid YAML that stagebook does not accept, or an input limit",
        codes: input::ALL,
    },
    Family {
        name: "schema",
        what: "the playbook does not follow the format",
        codes: schema::ALL,
    },
    Family {
        name: "structure",
        what: "what a schema cannot check",
        codes: structure::ALL,
    },
    Family {
        name: "config",
        what: "`stagebook.toml` is not what stagebook reads; the command stops with exit 2",
        codes: config::ALL,
    },
];

/// The family of lint rules whose ids carry no prefix (`stage-without-exit`); a rule id with a
/// prefix (`crm::no-stages`) belongs to that family.
pub(crate) const LINT: &str = "lint";

/// The family of code `id`: the part before `::`, or [`LINT`].
pub(crate) fn family_of(id: &'static str) -> &'static str {
    id.split_once("::").map_or(LINT, |(family, _)| family)
}

/// A lint rule as the catalogue sees it: plain data, so that nothing below `lint` imports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleInfo {
    /// What part of the process it looks at (`process`, `guidance`, …).
    pub(crate) category: &'static str,
    /// `allow`, `warn` or `deny`.
    pub(crate) default_level: &'static str,
    /// The rule's long documentation (Markdown).
    pub(crate) docs: String,
    /// The first paragraph under its *What it checks* heading.
    pub(crate) checks: String,
}

/// One code in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The code: `yaml::syntax`, or a lint rule's id.
    pub(crate) id: &'static str,
    /// `yaml`, `input`, `schema`, `structure`, a lint rule's prefix (`crm`), or [`LINT`].
    pub(crate) family: &'static str,
    /// The severity findings get by default; `None` for a lint rule that is off by default.
    pub(crate) severity: Option<Severity>,
    /// One line of help (a lint rule's summary).
    pub(crate) help: &'static str,
    /// Present for lint rules.
    pub(crate) rule: Option<RuleInfo>,
}

impl Entry {
    /// What `stagebook explain CODE` prints for a code outside the lint rules.
    pub(crate) fn explain(&self) -> String {
        let what = FAMILIES
            .iter()
            .find(|f| f.name == self.family)
            .map_or("", |f| f.what);
        let level = self
            .severity
            .map_or_else(|| "allow".to_string(), |s| s.to_string());
        format!(
            "# {}\n\nlevel: {level} · family `{}::`: {what}\n\n{}.\n",
            self.id,
            self.family,
            capitalise(self.help)
        )
    }
}

/// A lint rule's row in `stagebook rules --format json` and `check --format json` (fields in
/// alphabetical order, as the format has always printed them).
#[derive(Debug, Serialize)]
pub(crate) struct RuleRow {
    /// Its category.
    pub(crate) category: &'static str,
    /// `allow`, `warn` or `deny`.
    pub(crate) default_level: &'static str,
    /// The rule id.
    pub(crate) id: &'static str,
    /// Its one-line summary.
    pub(crate) summary: &'static str,
}

/// Every finding code a user can meet, in one list.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    entries: Vec<Entry>,
}

impl Catalogue {
    /// The codes outside the lint rules.
    pub(crate) fn builtin() -> Self {
        let entries = FAMILIES
            .iter()
            .flat_map(|family| family.codes)
            .map(|code| Entry {
                id: code.id,
                family: code.family(),
                severity: Some(code.severity),
                help: code.help,
                rule: None,
            })
            .collect();
        Self { entries }
    }

    /// Adds lint rules (in registry order): `(id, default severity, summary, info)`.
    #[must_use]
    pub(crate) fn with_rules(
        mut self,
        rules: impl IntoIterator<Item = (&'static str, Option<Severity>, &'static str, RuleInfo)>,
    ) -> Self {
        self.entries
            .extend(rules.into_iter().map(|(id, severity, help, info)| Entry {
                id,
                family: family_of(id),
                severity,
                help,
                rule: Some(info),
            }));
        self
    }

    /// Every entry: the families in pipeline order, then the lint rules.
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry for `code`.
    pub fn get(&self, code: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == code)
    }

    /// The lint rules, in registry order.
    pub(crate) fn rules(&self) -> impl Iterator<Item = (&Entry, &RuleInfo)> {
        self.entries
            .iter()
            .filter_map(|e| e.rule.as_ref().map(|rule| (e, rule)))
    }

    /// The position of lint rule `code` among the rules (SARIF's `ruleIndex`).
    pub(crate) fn rule_index(&self, code: &str) -> Option<usize> {
        self.rules().position(|(e, _)| e.id == code)
    }

    /// Whether `code` is a lint rule.
    pub(crate) fn is_rule(&self, code: &str) -> bool {
        self.get(code).is_some_and(|e| e.rule.is_some())
    }

    /// The lint rules as JSON rows.
    pub(crate) fn rule_rows(&self) -> Vec<RuleRow> {
        self.rules()
            .map(|(e, rule)| RuleRow {
                id: e.id,
                category: rule.category,
                default_level: rule.default_level,
                summary: e.help,
            })
            .collect()
    }

    /// The README's table of finding codes (Markdown), kept in README.md between
    /// `<!-- codes:start -->` and `<!-- codes:end -->`; a test fails when the copy drifts.
    pub fn markdown_table(&self) -> String {
        let mut out = String::from("| code | level | what it means |\n| --- | --- | --- |\n");
        for family in FAMILIES {
            let _ = writeln!(out, "| **`{}::`** | | {} |", family.name, family.what);
            for code in family.codes {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} |",
                    code.id,
                    code.severity,
                    code.help.replace('|', "\\|")
                );
            }
        }
        // Lint rules are listed in their own table; here, one row per family of them.
        let mut families: Vec<(&str, usize)> = Vec::new();
        for (entry, _) in self.rules() {
            match families.iter_mut().find(|(f, _)| *f == entry.family) {
                Some((_, n)) => *n += 1,
                None => families.push((entry.family, 1)),
            }
        }
        families.sort_by_key(|(family, _)| (*family == LINT, *family));
        for (family, n) in families {
            let rules = if n == 1 { "rule" } else { "rules" };
            if family == LINT {
                let _ = writeln!(
                    out,
                    "| **lint rules** (no prefix) | | {n} {rules}: a gap in the process (see [Lint rules](#lint-rules)) |"
                );
            } else {
                let _ = writeln!(
                    out,
                    "| **`{family}::`** | | {n} lint {rules} (see [Lint rules](#lint-rules)) |"
                );
            }
        }
        out
    }
}

/// The text with its first letter upper-cased.
pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn codes_are_unique_and_belong_to_their_family() {
        let mut seen = BTreeSet::new();
        for family in FAMILIES {
            for code in family.codes {
                assert!(seen.insert(code.id), "`{}` is listed twice", code.id);
                assert_eq!(code.family(), family.name, "`{}`", code.id);
                let name = &code.id[family.name.len() + 2..];
                assert!(
                    !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "`{}` is not kebab-case",
                    code.id
                );
                assert!(
                    !code.help.is_empty() && !code.help.ends_with('.'),
                    "`{}`: help is one line without a trailing period",
                    code.id
                );
            }
        }
    }
}

//! Lint stage, configuration: lint levels and rule options: the `[lint]` table of `stagebook.toml` (the nearest one above
//! each playbook wins, so a monorepo can keep one per folder) and the `-A` / `-W` / `-D` flags.
//!
//! ```toml
//! [lint]
//! fail-on = "warning"            # warnings fail the check too (default: "error")
//!
//! [lint.levels]                  # per category or per rule: allow | warn | deny
//! timing = "allow"
//! seller-side-exit = "deny"
//!
//! [lint.seller-side-exit]        # extra words for the classifier
//! seller-actors = ["bdr"]
//!
//! [lint.banned-phrase]
//! phrases = [{ phrase = "guaranteed ROI", reason = "legal has not approved ROI promises" }]
//!
//! [lint.long-script]
//! max-seconds = 60
//! ```
//!
//! Precedence, lowest first: the rule's default level, a category in the file, a rule in the
//! file, a category on the command line, a rule on the command line. Among flags of the same
//! kind, `-D` beats `-W` beats `-A`.
//!
//! `[check] exclude` lists the files a folder walk skips (globs relative to the folder of
//! `stagebook.toml`; a pattern without `/` matches a file name in any folder):
//!
//! ```toml
//! [check]
//! exclude = ["mkdocs.yml", "docs/**", "drafts/*.yaml"]
//! ```
//!
//! Other top-level tables of `stagebook.toml` belong to other commands and are ignored here.
//!
//! Problems in the file are collected as `config::` findings pointing into it ([`ConfigErrors`]),
//! all of them, then end the command: a check with the wrong levels would mislead.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::rules::{banned_phrase, long_script, placeholder_text, seller_side_exit};
use super::{Category, Level, known_ids, registry};
use crate::diagnostic::{Diagnostic, Label, codes};
use crate::source::SourceFile;

/// The name of the config file.
pub(crate) const FILE_NAME: &str = "stagebook.toml";

/// What makes `check` fail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FailOn {
    /// Only errors (rules at `deny`, schema and YAML errors).
    #[default]
    Error,
    /// Warnings too.
    Warning,
}

/// Options of the rules that have some.
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleOptions {
    /// `[lint.seller-side-exit]`: extra words for the classifier.
    pub(crate) seller_side_exit: seller_side_exit::Options,
    /// `[lint.banned-phrase]`: the phrases and why.
    pub(crate) banned_phrase: banned_phrase::Options,
    /// `[lint.long-script]`: the time limit and speaking rates.
    pub(crate) long_script: long_script::Options,
    /// `[lint.placeholder-text]`: extra placeholder markers.
    pub(crate) placeholder_text: placeholder_text::Options,
}

#[derive(Debug, Default, Deserialize)]
struct TomlFile {
    #[serde(default)]
    lint: LintTable,
    #[serde(default)]
    check: CheckTable,
    #[serde(default)]
    metrics: MetricsTable,
}

/// `[metrics]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricsTable {
    /// A deal's page in the CRM, `{id}` standing for its id.
    #[serde(default, rename = "deal-url", alias = "deal_url")]
    deal_url: Option<Spanned<String>>,
}

/// What is wrong with a `deal-url` template, if anything.
pub(crate) fn deal_url_problem(url: &str) -> Option<&'static str> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        Some("a deal URL starts with https:// (or http://)")
    } else if !url.contains("{id}") {
        Some("a deal URL holds `{id}`, where each deal's id goes")
    } else {
        None
    }
}

/// `[check]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckTable {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

/// The files of a folder walk that `check` skips: `[check] exclude`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Exclude {
    /// The folder of the `stagebook.toml` the patterns are relative to (canonical).
    root: PathBuf,
    patterns: Vec<glob::Pattern>,
}

impl Exclude {
    /// Whether `path` (a file found in a folder) is excluded.
    pub(crate) fn excludes(&self, path: &Path) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let Ok(relative) = canonical.strip_prefix(&self.root) else {
            return false;
        };
        let options = glob::MatchOptions {
            require_literal_separator: true,
            ..glob::MatchOptions::new()
        };
        self.patterns.iter().any(|pattern| {
            if pattern.as_str().contains('/') {
                pattern.matches_path_with(relative, options)
            } else {
                relative
                    .file_name()
                    .is_some_and(|name| pattern.matches_with(&name.to_string_lossy(), options))
            }
        })
    }
}

/// Only `[lint.levels]`, read on its own so its problems are found even when another part of
/// the file is wrong.
#[derive(Debug, Default, Deserialize)]
struct LevelsFile {
    #[serde(default)]
    lint: LevelsTable,
}

#[derive(Debug, Default, Deserialize)]
struct LevelsTable {
    #[serde(default)]
    levels: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

/// The problems found in one `stagebook.toml`: findings with spans into it, every one of them.
/// A tool failure (it ends the command, exit 2); the CLI prints them like playbook findings.
#[derive(Debug)]
pub(crate) struct ConfigErrors(pub(crate) Vec<Diagnostic>);

impl std::fmt::Display for ConfigErrors {
    /// `file:line:column: message`, one problem a line, for callers that print only text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            let at = d.primary.start();
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(
                f,
                "{}:{}:{}: {}",
                d.primary.file.name, at.line, at.column, d.message
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct LintTable {
    fail_on: Option<FailOn>,
    /// Read again, with spans, by [`LevelsFile`]; here only so the field is known.
    #[serde(default)]
    #[allow(dead_code)]
    levels: toml::Table,
    #[serde(default)]
    seller_side_exit: seller_side_exit::Options,
    #[serde(default)]
    banned_phrase: banned_phrase::Options,
    #[serde(default)]
    long_script: long_script::Options,
    #[serde(default)]
    placeholder_text: placeholder_text::Options,
}

/// Levels set on the command line.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `-A RULE|CATEGORY`.
    pub(crate) allow: Vec<String>,
    /// `-W RULE|CATEGORY`.
    pub(crate) warn: Vec<String>,
    /// `-D RULE|CATEGORY`; `-D warnings` makes warnings fail the check.
    pub(crate) deny: Vec<String>,
}

impl Overrides {
    /// Checks every name is a rule or a category.
    pub(crate) fn validate(&self) -> io::Result<()> {
        for (flag, names) in [("-A", &self.allow), ("-W", &self.warn), ("-D", &self.deny)] {
            for name in names {
                if flag == "-D" && name == "warnings" {
                    continue;
                }
                check_name(name).map_err(|why| {
                    io::Error::new(io::ErrorKind::InvalidInput, format!("{flag} {name}: {why}"))
                })?;
            }
        }
        Ok(())
    }

    fn deny_warnings(&self) -> bool {
        self.deny.iter().any(|n| n == "warnings")
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if Category::from_name(name).is_some() || super::find_rule(name).is_some() {
        return Ok(());
    }
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
    let ids = registry().iter().map(|r| r.meta().id);
    let close = crate::validate::did_you_mean(name, ids.chain(categories.iter().copied()));
    let hint = close.map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
    Err(format!(
        "unknown lint rule or category `{name}`{hint}; the categories are: {}; the rules are: {}",
        categories.join(", "),
        known_ids()
    ))
}

/// The help line for a `[lint.levels]` key that names nothing.
fn name_help(name: &str) -> String {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
    let ids = registry().iter().map(|r| r.meta().id);
    let close = crate::validate::did_you_mean(name, ids.chain(categories.iter().copied()));
    let guess = close.map_or(String::new(), |c| format!("did you mean `{c}`? "));
    format!(
        "{guess}a key is a rule id (`stagebook rules` lists them) or a category: {}",
        categories.join(", ")
    )
}

/// The levels and options that apply to one playbook.
#[derive(Debug, Clone)]
pub struct Config {
    /// When the check fails.
    pub(crate) fail_on: FailOn,
    /// Rule options.
    pub(crate) options: RuleOptions,
    /// The files a folder walk skips.
    pub(crate) exclude: Exclude,
    /// `[metrics] deal-url`: a deal's page in the CRM, `{id}` standing for its id.
    pub(crate) deal_url: Option<String>,
    levels: HashMap<&'static str, Level>,
}

impl Default for Config {
    fn default() -> Self {
        Self::build(
            LintTable::default(),
            &BTreeMap::new(),
            &Overrides::default(),
        )
    }
}

impl Config {
    /// Compiles the rules' word lists now rather than on first use, so another thread can do
    /// it while files are being read.
    pub(crate) fn prepare(&self) {
        self.options.seller_side_exit.classifier();
        self.options.placeholder_text.markers();
    }

    /// The levels and options from a table whose `levels` (rule or category names that exist)
    /// were read apart, with `overrides` on top.
    fn build(
        table: LintTable,
        table_levels: &BTreeMap<String, Level>,
        overrides: &Overrides,
    ) -> Self {
        let mut levels: HashMap<&'static str, Level> = registry()
            .iter()
            .map(|r| (r.meta().id, r.meta().default_level))
            .collect();
        let set = |levels: &mut HashMap<&'static str, Level>,
                   name: &str,
                   level: Level,
                   category: bool| {
            for rule in registry() {
                let meta = rule.meta();
                let hit = if category {
                    meta.category.name() == name
                } else {
                    meta.id == name
                };
                if hit {
                    levels.insert(meta.id, level);
                }
            }
        };
        for category in [true, false] {
            for (name, level) in table_levels {
                set(&mut levels, name, *level, category);
            }
        }
        for category in [true, false] {
            for (names, level) in [
                (&overrides.allow, Level::Allow),
                (&overrides.warn, Level::Warn),
                (&overrides.deny, Level::Deny),
            ] {
                for name in names {
                    set(&mut levels, name, level, category);
                }
            }
        }
        let fail_on = if overrides.deny_warnings() {
            FailOn::Warning
        } else {
            table.fail_on.unwrap_or_default()
        };
        Self {
            fail_on,
            options: RuleOptions {
                seller_side_exit: table.seller_side_exit,
                banned_phrase: table.banned_phrase,
                long_script: table.long_script,
                placeholder_text: table.placeholder_text,
            },
            exclude: Exclude::default(),
            deal_url: None,
            levels,
        }
    }

    /// Reads a `stagebook.toml` text (only its `[lint]` table) and applies `overrides`; the
    /// problems, one a line, when it has any.
    #[cfg(test)]
    pub(crate) fn parse(
        text: &str,
        source: Option<&Path>,
        overrides: &Overrides,
    ) -> Result<Self, String> {
        let path = source.map_or_else(|| PathBuf::from(FILE_NAME), Path::to_path_buf);
        let file = SourceFile::new(&path, text.to_string());
        Self::parse_file(&file, overrides).map_err(|errors| errors.to_string())
    }

    /// Reads a `stagebook.toml` (only its `[lint]` table) and applies `overrides`, or returns
    /// every problem in it as a `config::` finding.
    pub(crate) fn parse_file(
        file: &Arc<SourceFile>,
        overrides: &Overrides,
    ) -> Result<Self, ConfigErrors> {
        let mut problems = Vec::new();
        let at = |span: Option<std::ops::Range<usize>>| Label::new(file, span.unwrap_or(0..0));
        let invalid = |error: &toml::de::Error| {
            Diagnostic::of(codes::config::INVALID, error.message().trim_end(), at(error.span()))
                .with_help("`[lint]` holds `fail-on`, `levels` and a table of options per rule, `[check]` holds `exclude`; see the README's \"Lint rules\"")
        };
        let mut levels = BTreeMap::new();
        match toml::from_str::<LevelsFile>(file.text()) {
            Ok(found) => {
                for (name, level) in found.lint.levels {
                    let span = name.span();
                    let name = name.into_inner();
                    if check_name(&name).is_err() {
                        problems.push(
                            Diagnostic::of(
                                codes::config::UNKNOWN_NAME,
                                format!("`[lint.levels]` names `{name}`, which is no lint rule or category"),
                                at(Some(span)),
                            )
                            .with_help(name_help(&name)),
                        );
                        continue;
                    }
                    let level_span = level.span();
                    match level.get_ref().as_str().and_then(Level::from_name) {
                        Some(level) => {
                            levels.insert(name, level);
                        }
                        None => problems.push(
                            Diagnostic::of(
                                codes::config::INVALID_LEVEL,
                                format!(
                                    "`{}` is not a level",
                                    level.get_ref().as_str().map_or_else(
                                        || String::from_utf8_lossy(file.slice(level_span.clone()))
                                            .into_owned(),
                                        str::to_string
                                    )
                                ),
                                at(Some(level_span)),
                            )
                            .with_help(format!(
                                "write `{name} = \"allow\"`, `\"warn\"` or `\"deny\"`"
                            )),
                        ),
                    }
                }
            }
            Err(error) => problems.push(invalid(&error)),
        }
        let mut exclude = Exclude {
            root: file
                .path
                .canonicalize()
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .unwrap_or_default(),
            patterns: Vec::new(),
        };
        let mut deal_url = None;
        let table = match toml::from_str::<TomlFile>(file.text()) {
            Ok(found) => {
                if let Some(url) = found.metrics.deal_url {
                    match deal_url_problem(url.get_ref()) {
                        Some(problem) => problems.push(
                            Diagnostic::of(
                                codes::config::INVALID,
                                format!("`[metrics] deal-url` `{}`: {problem}", url.get_ref()),
                                at(Some(url.span())),
                            )
                            .with_help("write the address of a deal's page in your CRM with `{id}` for its id: `https://acme.my.salesforce.com/{id}`, `https://app.hubspot.com/contacts/PORTAL/record/0-3/{id}`"),
                        ),
                        None => deal_url = Some(url.into_inner()),
                    }
                }
                for pattern in found.check.exclude {
                    match glob::Pattern::new(pattern.get_ref()) {
                        Ok(compiled) => exclude.patterns.push(compiled),
                        Err(error) => problems.push(
                            Diagnostic::of(
                                codes::config::INVALID_PATTERN,
                                format!(
                                    "`[check] exclude` pattern `{}` is not a glob: {}",
                                    pattern.get_ref(),
                                    error.msg
                                ),
                                at(Some(pattern.span())),
                            )
                            .with_help("write a path relative to this file's folder, with `*` for any name and `**` for any folders: `docs/**`, `drafts/*.yaml`, `mkdocs.yml`"),
                        ),
                    }
                }
                found.lint
            }
            Err(error) => {
                let finding = invalid(&error);
                // A bad `[lint.levels]` value is found by both readings: report it once.
                if !problems
                    .iter()
                    .any(|p| p.primary.span == finding.primary.span && p.message == finding.message)
                {
                    problems.push(finding);
                }
                LintTable::default()
            }
        };
        if !problems.is_empty() {
            problems.sort_by_key(|d| d.primary.span.start);
            return Err(ConfigErrors(problems));
        }
        Ok(Self {
            exclude,
            deal_url,
            ..Self::build(table, &levels, overrides)
        })
    }

    /// The defaults with `overrides` applied.
    pub fn with_overrides(overrides: &Overrides) -> io::Result<Self> {
        overrides.validate()?;
        Ok(Self::build(
            LintTable::default(),
            &BTreeMap::new(),
            overrides,
        ))
    }

    /// The level of the rule with this id (`Deny` for codes that are not lint rules).
    pub(crate) fn level_of(&self, id: &str) -> Level {
        self.levels.get(id).copied().unwrap_or(Level::Deny)
    }
}

/// Finds and caches the `stagebook.toml` that applies to each playbook.
#[derive(Debug, Default)]
pub(crate) struct ConfigLoader {
    overrides: Overrides,
    by_folder: HashMap<PathBuf, Arc<Config>>,
    by_file: HashMap<PathBuf, Arc<Config>>,
    defaults: Option<Arc<Config>>,
}

impl ConfigLoader {
    /// A loader applying `overrides` on top of every file's levels.
    pub(crate) fn new(overrides: Overrides) -> io::Result<Self> {
        overrides.validate()?;
        Ok(Self {
            overrides,
            ..Self::default()
        })
    }

    /// The configuration for the playbook at `path`: the nearest `stagebook.toml` in its folder
    /// or any folder above it, or the defaults.
    pub(crate) fn for_playbook(&mut self, path: &Path) -> io::Result<Arc<Config>> {
        let folder = path
            .canonicalize()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."));
        if let Some(config) = self.by_folder.get(&folder) {
            return Ok(Arc::clone(config));
        }
        let found = folder
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|file| file.is_file());
        let config = if let Some(file) = found {
            if let Some(config) = self.by_file.get(&file) {
                Arc::clone(config)
            } else {
                let text =
                    crate::load::files::read_small_text(&file, crate::load::files::MAX_CONFIG_SIZE)
                        .map_err(|e| {
                            io::Error::new(e.kind(), format!("{}: {e}", file.display()))
                        })?;
                let source = SourceFile::new(&file, text);
                let config = Config::parse_file(&source, &self.overrides)
                    .map_err(|errors| io::Error::new(io::ErrorKind::InvalidData, errors))?;
                let config = Arc::new(config);
                self.by_file.insert(file, Arc::clone(&config));
                config
            }
        } else {
            if self.defaults.is_none() {
                self.defaults = Some(Arc::new(Config::build(
                    LintTable::default(),
                    &BTreeMap::new(),
                    &self.overrides,
                )));
            }
            Arc::clone(self.defaults.as_ref().expect("just set"))
        };
        self.by_folder.insert(folder, Arc::clone(&config));
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_default_then_file_then_flags() {
        let text = r#"
[lint]
fail-on = "warning"
[lint.levels]
guidance = "allow"
missing-say = "deny"
"#;
        let config = Config::parse(text, None, &Overrides::default()).unwrap();
        assert_eq!(config.fail_on, FailOn::Warning);
        assert_eq!(config.level_of("missing-know"), Level::Allow);
        assert_eq!(config.level_of("missing-say"), Level::Deny);
        assert_eq!(config.level_of("stage-without-exit"), Level::Warn);

        let flags = Overrides {
            warn: vec!["guidance".into()],
            allow: vec!["missing-say".into()],
            deny: vec![],
        };
        let config = Config::parse(text, None, &flags).unwrap();
        assert_eq!(config.level_of("missing-know"), Level::Warn);
        assert_eq!(config.level_of("missing-say"), Level::Allow);
    }

    #[test]
    fn unknown_names_list_what_exists() {
        let err = Config::parse(
            "[lint.levels]\nstage-without-exits = \"deny\"\n",
            None,
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(err.contains("`stage-without-exits`"), "{err}");
        let flags = Overrides {
            deny: vec!["nope".into()],
            ..Overrides::default()
        };
        assert!(flags.validate().is_err());
        let err = Config::parse(
            "[lint]\nfail_on = \"warning\"\n",
            None,
            &Overrides::default(),
        )
        .unwrap_err();
        assert!(err.contains("unknown field"), "{err}");
    }

    #[test]
    fn every_problem_is_collected_with_its_place() {
        let text = "[lint]\nfail-on = \"never\"\n[lint.levels]\nstage-without-exits = \"deny\"\ntiming = 3\n";
        let file = SourceFile::new(Path::new(FILE_NAME), text.to_string());
        let ConfigErrors(problems) = Config::parse_file(&file, &Overrides::default()).unwrap_err();
        let found: Vec<(String, usize, &str)> = problems
            .iter()
            .map(|d| {
                (
                    d.code.clone(),
                    d.primary.start().line,
                    &text[d.primary.span.clone()],
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("config::invalid".to_string(), 2, "\"never\""),
                ("config::unknown-name".to_string(), 4, "stage-without-exits"),
                ("config::invalid-level".to_string(), 5, "3"),
            ]
        );
        let help = problems[1].help.as_deref().unwrap_or_default();
        assert!(help.contains("did you mean `stage-without-exit`"), "{help}");
    }

    #[test]
    fn other_tables_are_ignored_and_deny_warnings_sets_the_threshold() {
        let flags = Overrides {
            deny: vec!["warnings".into()],
            ..Overrides::default()
        };
        let config = Config::parse("[render]\ntheme = \"x\"\n", None, &flags).unwrap();
        assert_eq!(config.fail_on, FailOn::Warning);
        assert_eq!(config.level_of("missing-know"), Level::Warn);
    }
}

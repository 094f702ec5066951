//! The first three stages driven together — the `check` pipeline for many files: load →
//! validate → lint each playbook on every core, then gather the findings in a deterministic
//! order and apply the baseline.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Label, Severity, codes};
use crate::lint::baseline::Baseline;
use crate::lint::config::{ConfigLoader, FailOn, Overrides};
use crate::lint::{self, Config};
use crate::load::{self, Document, Limits, Loaded};
use crate::model::PlaybookFile;
use crate::source::SourceFile;
use crate::validate;

/// Settings for a check run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Input guards.
    pub limits: Limits,
    /// Run the lint rules after validation. Off by default, so `render`, `metrics` and `crm`
    /// judge a playbook by its validity alone; `stagebook check` turns it on.
    pub lint: bool,
    /// Levels from the command line, applied over each `stagebook.toml`.
    pub overrides: Overrides,
    /// Lint findings accepted for now (`--baseline FILE`).
    pub baseline: Option<Baseline>,
    /// Stop after reading the YAML (no schema, structure or lint): the floor that `check` is
    /// benchmarked against (`check --stop-after parse`, hidden).
    pub parse_only: bool,
    /// Shrinks each finding kept for the report, run on the worker threads (the `check` command
    /// passes the human printer's `keep_snippets_only`, so findings do not hold whole files).
    /// The orchestrator knows no printer: the caller chooses.
    pub compact: Option<fn(&mut Diagnostic)>,
}

/// One playbook after loading and validation.
#[derive(Debug)]
pub struct Checked {
    /// The playbook file.
    pub(crate) file: Arc<SourceFile>,
    /// The loaded document, when its YAML could be read.
    pub document: Option<Document>,
    /// The typed playbook, when it passed the schema and structure checks.
    pub playbook: Option<PlaybookFile>,
    /// Every finding, sorted.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether any finding is an error.
    pub(crate) fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Loads and validates one playbook file, and lints it with the default levels when
/// `options.lint` is set. `Ok(None)` when the file is an include fragment.
pub fn check_file(path: &Path, options: &Options) -> io::Result<Option<Checked>> {
    check_file_with(path, options, &Config::default())
}

/// [`check_file_with`] on a file of any [`load::Files`] tree (a git revision in memory, say).
pub fn check_file_in(
    files: &dyn load::Files,
    path: &Path,
    options: &Options,
    config: &Config,
) -> io::Result<Option<Checked>> {
    let loaded = load::load_in(files, path, &options.limits)?;
    Ok(check_loaded_with(loaded, options.lint.then_some(config)))
}

/// Loads and validates one playbook file, and lints it with `config` when `options.lint` is
/// set.
pub fn check_file_with(
    path: &Path,
    options: &Options,
    config: &Config,
) -> io::Result<Option<Checked>> {
    let loaded = load::load(path, &options.limits)?;
    Ok(check_loaded_with(loaded, options.lint.then_some(config)))
}

/// A playbook that loaded and validated without an error: what `render`, `metrics`, `crm` and
/// `serve` work from.
#[derive(Debug)]
pub(crate) struct Opened {
    /// The playbook file.
    pub(crate) file: Arc<SourceFile>,
    /// The loaded document, with the spans of every node.
    pub(crate) document: Document,
    /// The typed playbook.
    pub(crate) playbook: PlaybookFile,
    /// The warnings and notes found on the way (lint findings only with `options.lint`).
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Why [`open_playbook`] gives no playbook to work from.
#[derive(Debug)]
pub(crate) enum Refused {
    /// The file holds stages or content for another playbook's `include`.
    Fragment,
    /// The playbook has errors: every finding (and the typed playbook, when it has one), for
    /// the command to print.
    Errors(Box<Checked>),
}

impl From<Opened> for Checked {
    fn from(opened: Opened) -> Self {
        Self {
            file: opened.file,
            document: Some(opened.document),
            playbook: Some(opened.playbook),
            diagnostics: opened.diagnostics,
        }
    }
}

/// The gate of every command that needs a valid playbook: loads and validates `path` (and
/// lints it when `options.lint` is set) and hands back the playbook only when no finding is an
/// error. Nothing is printed: the command reports a [`Refused`] in its own words.
pub(crate) fn open_playbook(path: &Path, options: &Options) -> io::Result<Result<Opened, Refused>> {
    let Some(checked) = check_file(path, options)? else {
        return Ok(Err(Refused::Fragment));
    };
    if checked.has_errors() {
        return Ok(Err(Refused::Errors(Box::new(checked))));
    }
    Ok(match checked {
        Checked {
            file,
            document: Some(document),
            playbook: Some(playbook),
            diagnostics,
        } => Ok(Opened {
            file,
            document,
            playbook,
            diagnostics,
        }),
        checked => Err(Refused::Errors(Box::new(checked))),
    })
}

/// Validates a loaded file, and lints it with `config` when given. `None` when it is an
/// include fragment.
pub(crate) fn check_loaded_with(loaded: Loaded, config: Option<&Config>) -> Option<Checked> {
    let (file, document, mut diagnostics) = match loaded {
        Loaded::Fragment { .. } => return None,
        Loaded::Playbook {
            file,
            document,
            diagnostics,
        } => (file, document, diagnostics),
    };
    let mut playbook = None;
    // Schema findings on a file whose YAML could not be read would only be noise; problems
    // with includes do not stop the rest of the playbook from being checked.
    let unreadable = diagnostics
        .iter()
        .any(|d| d.code.starts_with("yaml::") || d.code.starts_with("input::"));
    if let Some(document) = document.as_ref().filter(|_| !unreadable) {
        let (typed, found) = validate::validate(document);
        diagnostics.extend(found);
        if let Some(config) = config {
            if !diagnostics.iter().any(|d| d.severity == Severity::Error) {
                if let Some(typed) = &typed {
                    diagnostics.extend(lint::lint(document, typed, config));
                }
            } else if let Some(sound) = typed.clone().or_else(|| validate::salvage(document)) {
                let found = lint::lint(document, &sound, config);
                let kept = lint_beside_errors(document, &diagnostics, found);
                diagnostics.extend(kept);
            }
        }
        playbook = typed;
    }
    sort_and_dedup(&mut diagnostics);
    Some(Checked {
        file,
        document,
        playbook,
        diagnostics,
    })
}

/// The lint findings of a playbook with errors that can be trusted: those of the rules that
/// look at one stage or content item at a time (guidance, content, methodology), outside
/// every stage and content item an error points into. Rules about the whole process (paths,
/// cycle time, CRM limits, unused suppressions) wait until the errors are fixed, as their
/// answer depends on the broken parts.
fn lint_beside_errors(
    document: &Document,
    errors: &[Diagnostic],
    found: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    use crate::lint::Category;
    let broken: Vec<Label> = errors
        .iter()
        .filter_map(|error| enclosing_item(document, &error.primary))
        .collect();
    found
        .into_iter()
        .filter(|finding| {
            lint::find_rule(finding.code.as_str()).is_some_and(|rule| {
                matches!(
                    rule.meta().category,
                    Category::Guidance | Category::Content | Category::Methodology
                )
            })
        })
        .filter(|finding| {
            !broken.iter().any(|item| {
                item.file.path == finding.primary.file.path
                    && item.span.start <= finding.primary.span.start
                    && finding.primary.span.end <= item.span.end
            })
        })
        .collect()
}

/// The stage or content item of `document` whose text holds `label`.
fn enclosing_item(document: &Document, label: &Label) -> Option<Label> {
    ["stages", "content"].into_iter().find_map(|list| {
        let items = document.value.get(list)?.as_array()?;
        (0..items.len())
            .map(|i| document.label(&format!("/{list}/{i}"), false))
            .find(|item| {
                item.file.path == label.file.path
                    && item.span.start <= label.span.start
                    && label.span.end <= item.span.end
            })
    })
}

/// What `target` cannot hold of an opened playbook: the `crm::` lint rules for that one CRM,
/// with the suppressions in the playbook and the levels of its `stagebook.toml` (and
/// `overrides`), sorted. `crm export` writes files only when none is an error.
pub(crate) fn crm_findings(
    opened: &Opened,
    target: crate::crm::Target,
    overrides: Overrides,
) -> io::Result<Vec<Diagnostic>> {
    let config = ConfigLoader::new(overrides)?.for_playbook(&opened.file.path)?;
    let mut diagnostics = lint::lint_crm(&opened.document, &opened.playbook, &config, target);
    sort_and_dedup(&mut diagnostics);
    Ok(diagnostics)
}

/// How many lint findings of each level an opened playbook has, with the levels of its
/// `stagebook.toml`: what `render` mentions, so an author knows the handbook has gaps.
pub(crate) fn lint_summary(opened: &Opened) -> io::Result<crate::diagnostic::Summary> {
    let config = ConfigLoader::new(Overrides::default())?.for_playbook(&opened.file.path)?;
    let found = lint::lint(&opened.document, &opened.playbook, &config);
    Ok(crate::diagnostic::Summary::new(&found, 1))
}

/// The outcome of checking many paths.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every finding, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of files read (playbooks and their includes).
    pub files: usize,
    /// The playbook files checked, as shown in findings, in order.
    pub playbooks: Vec<String>,
    /// Whether the findings fail the check: an error, or a warning where `fail-on` (or
    /// `--deny warnings`) says warnings fail.
    pub(crate) failed: bool,
    /// Baseline entries that matched no finding (fixed since the baseline was written).
    pub(crate) baseline_unmatched: usize,
    /// YAML files found in a folder that are no playbook (no `stagebook`, `playbook` or
    /// `stages` key), as shown in findings: skipped.
    pub skipped: Vec<String>,
}

/// What checking one discovered file leaves behind.
struct PerFile {
    diagnostics: Vec<Diagnostic>,
    includes: Vec<PathBuf>,
    /// For an include fragment: its canonical path and the warning if no playbook includes it.
    fragment: Option<(PathBuf, Diagnostic)>,
    name: Option<String>,
    /// For a YAML file found in a folder that is no playbook: its path and name.
    skipped: Option<(PathBuf, String)>,
    /// Content items of included files (a shared library) this playbook's stages show: the
    /// file's canonical path and the item's id.
    library_used: Vec<(PathBuf, String)>,
    fail_on: FailOn,
}

impl PerFile {
    fn new(fail_on: FailOn) -> Self {
        Self {
            diagnostics: Vec::new(),
            includes: Vec::new(),
            fragment: None,
            name: None,
            skipped: None,
            library_used: Vec::new(),
            fail_on,
        }
    }
}

/// Whether a YAML document found in a folder is meant as a playbook: it has one of a
/// playbook's top-level keys. Other YAML files beside playbooks (`mkdocs.yml`, CI workflows,
/// `docker-compose.yml`) are skipped with a note; a playbook that forgot `stagebook: 1` but
/// has `playbook:` or `stages:` is still checked, and told what it misses.
fn looks_like_a_playbook(value: &serde_json::Value) -> bool {
    value.as_object().is_some_and(|root| {
        ["stagebook", "playbook", "stages"]
            .iter()
            .any(|key| root.contains_key(*key))
    })
}

fn fails(diagnostics: &[Diagnostic], fail_on: FailOn) -> bool {
    diagnostics.iter().any(|d| match fail_on {
        FailOn::Error => d.severity == Severity::Error,
        FailOn::Warning => d.severity >= Severity::Warning,
    })
}

/// Checks every playbook under `paths`, in parallel.
pub fn check_paths(paths: &[PathBuf], options: &Options) -> io::Result<Outcome> {
    // Each file, and whether it was named (else found in a folder).
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    for path in paths {
        let found = load::discover(path).map_err(|e| with_path(&e, path))?;
        let named = found.len() == 1 && found[0] == *path;
        files.extend(found.into_iter().map(|f| (f, named)));
    }
    // A file listed twice is checked once, as named when it was named once.
    let named_once: HashSet<PathBuf> = files
        .iter()
        .filter(|(_, named)| *named)
        .map(|(f, _)| f.canonicalize().unwrap_or_else(|_| f.clone()))
        .collect();
    let mut seen = HashSet::new();
    files.retain_mut(|(f, named)| {
        let canonical = f.canonicalize().unwrap_or_else(|_| f.clone());
        *named |= named_once.contains(&canonical);
        seen.insert(canonical)
    });

    // Configs are found before the parallel part, so a broken stagebook.toml stops the run
    // with the same error whatever the thread order. Their `[check] exclude` applies with or
    // without lint (unless `--no-lint` meets a broken file, whose levels it has no use for).
    let defaults = Arc::new(Config::with_overrides(&options.overrides)?);
    let default_fail_on = defaults.fail_on;
    let mut config_loader = ConfigLoader::new(options.overrides.clone())?;
    let mut configs = Vec::with_capacity(files.len());
    files.retain(|(file, named)| {
        let config = match config_loader.for_playbook(file) {
            Ok(config) => config,
            // `--no-lint` does not need the levels, so a broken file does not stop it.
            Err(_) if !options.lint => {
                configs.push(Ok(Arc::clone(&defaults)));
                return true;
            }
            Err(error) => {
                configs.push(Err(error));
                return true;
            }
        };
        if !named && config.exclude.excludes(file) {
            return false;
        }
        configs.push(Ok(if options.lint {
            config
        } else {
            Arc::clone(&defaults)
        }));
        true
    });
    let configs = configs.into_iter().collect::<io::Result<Vec<_>>>()?;
    let (files, named): (Vec<PathBuf>, Vec<bool>) = files.into_iter().unzip();

    // The schema validator and the rules' word lists take a few milliseconds to build: one
    // thread builds them while the others read and parse the first files (whoever needs them
    // first waits for them).
    let mut prepared: Vec<Arc<Config>> = Vec::new();
    if options.lint {
        for config in &configs {
            if !prepared.iter().any(|p| Arc::ptr_eq(p, config)) {
                prepared.push(Arc::clone(config));
            }
        }
    }
    if !options.parse_only {
        rayon::spawn(move || {
            validate::SchemaValidator::get();
            for config in &prepared {
                config.prepare();
            }
        });
    }

    let results: Vec<PerFile> = files
        .par_iter()
        .zip(configs.par_iter())
        .zip(named.par_iter())
        .map(|((path, config), named)| -> io::Result<PerFile> {
            let loaded = load::load(path, &options.limits).map_err(|e| with_path(&e, path))?;
            let checked = match loaded {
                Loaded::Fragment { file } => {
                    return Ok(PerFile {
                        fragment: Some(orphan_include(&file, options.compact)),
                        ..PerFile::new(default_fail_on)
                    });
                }
                Loaded::Playbook {
                    file,
                    document: Some(document),
                    ..
                } if !named && !looks_like_a_playbook(&document.value) => {
                    return Ok(PerFile {
                        skipped: Some((path.clone(), file.name.clone())),
                        ..PerFile::new(default_fail_on)
                    });
                }
                Loaded::Playbook {
                    file,
                    document,
                    diagnostics,
                } if options.parse_only => Checked {
                    file,
                    document,
                    playbook: None,
                    diagnostics,
                },
                playbook @ Loaded::Playbook { .. } => {
                    check_loaded_with(playbook, options.lint.then_some(&**config))
                        .expect("a playbook is checked")
                }
            };
            let library_used = match (&checked.document, &checked.playbook) {
                (Some(document), Some(playbook)) => library_use(document, playbook),
                _ => Vec::new(),
            };
            let includes = checked
                .document
                .iter()
                .flat_map(|d| d.files.iter().skip(1))
                .filter_map(|f| f.path.canonicalize().ok())
                .collect();
            // Findings keep only the lines they show, so memory does not grow with the
            // number of files that have findings.
            let mut diagnostics = checked.diagnostics;
            if let Some(compact) = options.compact {
                diagnostics.iter_mut().for_each(compact);
            }
            Ok(PerFile {
                diagnostics,
                includes,
                library_used,
                name: Some(checked.file.name.clone()),
                ..PerFile::new(config.fail_on)
            })
        })
        .collect::<io::Result<_>>()?;

    let included: HashSet<PathBuf> = results
        .iter()
        .flat_map(|r| r.includes.iter().cloned())
        .collect();
    let mut outcome = Outcome::default();
    let mut read: HashSet<PathBuf> = files
        .iter()
        .map(|f| f.canonicalize().unwrap_or_else(|_| f.clone()))
        .collect();
    let mut baseline = options.baseline.clone();
    // A library item one playbook leaves unused is not unused when another playbook checked
    // here shows it: removing it, as the finding advises, would break that playbook.
    let shown: HashSet<(PathBuf, String)> = results
        .iter()
        .flat_map(|r| r.library_used.iter().cloned())
        .collect();
    for mut result in results {
        result
            .diagnostics
            .retain(|d| !shown_by_another_playbook(d, &shown));
        if let Some(baseline) = baseline.as_mut() {
            baseline.filter(&mut result.diagnostics);
        }
        outcome.failed |= fails(&result.diagnostics, result.fail_on);
        outcome.playbooks.extend(result.name.take());
        if let Some((path, name)) = result.skipped.take() {
            read.remove(&path.canonicalize().unwrap_or(path));
            outcome.skipped.push(name);
        }
        outcome.diagnostics.extend(result.diagnostics);
        read.extend(result.includes.iter().cloned());
        if let Some((path, orphan)) = result.fragment
            && !included.contains(&path)
        {
            outcome.diagnostics.push(orphan);
            outcome.failed |= default_fail_on == FailOn::Warning;
        }
    }
    outcome.files = read.len();
    outcome.baseline_unmatched = baseline.map_or(0, |b| b.unmatched());
    sort_and_dedup(&mut outcome.diagnostics);
    Ok(outcome)
}

/// The content items defined in `playbook`'s included files that its stages show.
fn library_use(document: &Document, playbook: &PlaybookFile) -> Vec<(PathBuf, String)> {
    let used: HashSet<&str> = playbook
        .stages
        .iter()
        .flat_map(|s| s.content.iter().map(crate::model::Id::as_str))
        .collect();
    playbook
        .content
        .iter()
        .enumerate()
        .filter(|(_, item)| used.contains(item.id.as_str()))
        .filter_map(|(k, item)| {
            let span = document.spans.get(&format!("/content/{k}"))?;
            let file = document.files.get(span.file).filter(|_| span.file > 0)?;
            let path = file
                .path
                .canonicalize()
                .unwrap_or_else(|_| file.path.clone());
            Some((path, item.id.to_string()))
        })
        .collect()
}

/// Whether `diagnostic` is an `unused-content` finding on a library item another playbook shows.
fn shown_by_another_playbook(diagnostic: &Diagnostic, shown: &HashSet<(PathBuf, String)>) -> bool {
    if diagnostic.code != "unused-content" {
        return false;
    }
    let Some(id) = diagnostic
        .anchor
        .as_deref()
        .and_then(|a| a.strip_prefix("/content/"))
    else {
        return false;
    };
    let path = &diagnostic.primary.file.path;
    let path = path.canonicalize().unwrap_or_else(|_| path.clone());
    shown.contains(&(path, id.to_owned()))
}

/// The canonical path of an include fragment, and the warning given when no playbook checked
/// includes it.
fn orphan_include(
    fragment: &Arc<SourceFile>,
    compact: Option<fn(&mut Diagnostic)>,
) -> (PathBuf, Diagnostic) {
    let path = fragment
        .path
        .canonicalize()
        .unwrap_or_else(|_| fragment.path.clone());
    let mut orphan = Diagnostic::of(
        codes::structure::ORPHAN_INCLUDE,
        "this file holds stages or content for an `include`, but no playbook checked here includes it",
        Label::new(fragment, 0..0),
    )
    .with_help("add it to a playbook's `include:` list, or check the folder that holds that playbook");
    if let Some(compact) = compact {
        compact(&mut orphan);
    }
    (path, orphan)
}

fn with_path(error: &io::Error, path: &Path) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

/// Sorts findings by file and position and drops repeats (an included file with a problem is
/// reported once, however many playbooks include it).
pub(crate) fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup_by(|a, b| a.sort_key() == b.sort_key());
}

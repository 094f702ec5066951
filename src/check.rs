//! The `check` pipeline for many files: load → validate (→ lint) each playbook on every core,
//! then gather the findings in a deterministic order.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::load::source::SourceFile;
use crate::load::{self, Document, Limits, Loaded};
use crate::model::PlaybookFile;
use crate::validate;

/// Settings for a check run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Input guards.
    pub limits: Limits,
}

/// One playbook after loading and validation.
#[derive(Debug)]
pub struct Checked {
    /// The playbook file.
    pub file: Arc<SourceFile>,
    /// The loaded document, when its YAML could be read.
    pub document: Option<Document>,
    /// The typed playbook, when it passed the schema and structure checks.
    pub playbook: Option<PlaybookFile>,
    /// Every finding, sorted.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Loads and validates one playbook file. `Ok(None)` when the file is an include fragment.
pub fn check_file(path: &Path, options: &Options) -> io::Result<Option<Checked>> {
    Ok(check_loaded(load::load(path, &options.limits)?))
}

/// [`check_file`] on a file of any [`load::Files`] tree (a git revision in memory, say).
pub fn check_file_in(
    files: &dyn load::Files,
    path: &Path,
    options: &Options,
) -> io::Result<Option<Checked>> {
    Ok(check_loaded(load::load_in(files, path, &options.limits)?))
}

/// Validates a loaded file. `None` when it is an include fragment.
pub fn check_loaded(loaded: Loaded) -> Option<Checked> {
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

/// The outcome of checking many paths.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every finding, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of files read (playbooks and their includes).
    pub files: usize,
}

/// What checking one discovered file leaves behind.
struct PerFile {
    diagnostics: Vec<Diagnostic>,
    includes: Vec<PathBuf>,
    fragment: Option<Arc<SourceFile>>,
}

/// Checks every playbook under `paths`, in parallel.
pub fn check_paths(paths: &[PathBuf], options: &Options) -> io::Result<Outcome> {
    let mut files = Vec::new();
    for path in paths {
        files.extend(load::discover(path).map_err(|e| with_path(&e, path))?);
    }
    let mut seen = HashSet::new();
    files.retain(|f| seen.insert(f.clone()));

    let results: Vec<PerFile> = files
        .par_iter()
        .map(|path| -> io::Result<PerFile> {
            let loaded = load::load(path, &options.limits).map_err(|e| with_path(&e, path))?;
            let checked = match loaded {
                Loaded::Fragment { file } => {
                    return Ok(PerFile {
                        diagnostics: Vec::new(),
                        includes: Vec::new(),
                        fragment: Some(file),
                    });
                }
                playbook @ Loaded::Playbook { .. } => {
                    check_loaded(playbook).expect("a playbook is checked")
                }
            };
            let includes = checked
                .document
                .iter()
                .flat_map(|d| d.files.iter().skip(1))
                .filter_map(|f| f.path.canonicalize().ok())
                .collect();
            Ok(PerFile {
                diagnostics: checked.diagnostics,
                includes,
                fragment: None,
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
    for result in results {
        outcome.diagnostics.extend(result.diagnostics);
        read.extend(result.includes.iter().cloned());
        if let Some(fragment) = &result.fragment {
            let canonical = fragment
                .path
                .canonicalize()
                .unwrap_or_else(|_| fragment.path.clone());
            if !included.contains(&canonical) {
                outcome.diagnostics.push(
                    Diagnostic::new(
                        Severity::Warning,
                        "structure::orphan-include",
                        "this file holds stages or content for an `include`, but no playbook checked here includes it",
                        Label::new(fragment, 0..0),
                    )
                    .with_help("add it to a playbook's `include:` list, or check the folder that holds that playbook"),
                );
            }
        }
    }
    outcome.files = read.len();
    sort_and_dedup(&mut outcome.diagnostics);
    Ok(outcome)
}

fn with_path(error: &io::Error, path: &Path) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

/// Sorts findings by file and position and drops repeats (an included file with a problem is
/// reported once, however many playbooks include it).
pub fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup_by(|a, b| a.sort_key() == b.sort_key());
}

//! One model for every finding about a playbook — YAML syntax, loader guards, schema,
//! structure, CRM and lint rules — so every printer (human, JSON, SARIF, GitHub, JUnit) reads the
//! same data. [`codes`] lists every code a finding can carry. Below every stage: it imports only
//! [`crate::source`].

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use crate::source::{Position, SourceFile};

pub(crate) mod codes;

pub use codes::Catalogue;
pub(crate) use codes::Code;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    /// Worth knowing; never fails a check.
    Note,
    /// A gap in the process; fails a check only with `--deny warnings`.
    Warning,
    /// The playbook is broken or violates a rule set to `deny`; `check` exits 1.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Note => "note",
            Self::Warning => "warning",
            Self::Error => "error",
        })
    }
}

/// A place in a file, with an optional short text shown under it.
#[derive(Debug, Clone)]
pub struct Label {
    /// The file.
    pub file: Arc<SourceFile>,
    /// Byte range inside the file.
    pub span: Range<usize>,
    /// Text shown next to the underline ("first defined here").
    pub(crate) text: Option<String>,
    /// Where the span starts and ends, once `file` is an excerpt that may not reach the end.
    positions: Option<(Position, Position)>,
}

impl Label {
    /// A label without text.
    pub(crate) fn new(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        let span = file.clamp(span);
        Self {
            file: Arc::clone(file),
            span,
            text: None,
            positions: None,
        }
    }

    /// A label with text.
    #[must_use]
    pub(crate) fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Where the label starts.
    pub fn start(&self) -> Position {
        self.positions
            .map_or_else(|| self.file.position(self.span.start), |(start, _)| start)
    }

    /// Where the label ends (exclusive end, as SARIF and GitHub expect for columns).
    pub fn end(&self) -> Position {
        self.positions
            .map_or_else(|| self.file.position(self.span.end), |(_, end)| end)
    }

    /// Swaps the file for `excerpt` of it, keeping the label's positions.
    pub(crate) fn keep_excerpt(&mut self, excerpt: Arc<SourceFile>) {
        self.positions = Some((self.start(), self.end()));
        self.file = excerpt;
    }
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Stable identifier: `yaml::syntax`, `schema::unknown-key`, `structure::duplicate-id`,
    /// or a lint rule's id.
    pub code: String,
    /// How serious it is.
    pub(crate) severity: Severity,
    /// What is wrong, in playbook terms: short, lowercase, names in backticks.
    pub message: String,
    /// Where it is. Every finding about a file has one; its span may be empty.
    pub primary: Label,
    /// Other places that explain it ("first defined here"), possibly in other files.
    pub related: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// For lint findings: where the finding is, by stage and item id rather than by line
    /// (`/stages/demo/exit/0`), so a baseline survives edits elsewhere in the file.
    pub(crate) anchor: Option<String>,
}

impl Diagnostic {
    /// A finding with `code` at its catalogued severity.
    pub(crate) fn of(code: Code, message: impl Into<String>, primary: Label) -> Self {
        Self::new(code.severity, code, message, primary)
    }

    /// An error at `primary`.
    #[cfg(test)]
    pub(crate) fn error(
        code: impl Into<String>,
        message: impl Into<String>,
        primary: Label,
    ) -> Self {
        Self::new(Severity::Error, code, message, primary)
    }

    /// A finding of any severity at `primary`.
    pub(crate) fn new(
        severity: Severity,
        code: impl Into<String>,
        message: impl Into<String>,
        primary: Label,
    ) -> Self {
        Self {
            code: code.into(),
            severity,
            message: message.into(),
            primary,
            related: Vec::new(),
            help: None,
            anchor: None,
        }
    }

    /// Adds the help line.
    #[must_use]
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a related place.
    #[must_use]
    pub(crate) fn with_related(mut self, label: Label) -> Self {
        self.related.push(label);
        self
    }

    /// Orders findings by file, errors before warnings before notes, then position, then code,
    /// so output is deterministic and what breaks the playbook comes first.
    pub(crate) fn sort_key(&self) -> (&str, std::cmp::Reverse<Severity>, usize, usize, &str, &str) {
        (
            &self.primary.file.name,
            std::cmp::Reverse(self.severity),
            self.primary.span.start,
            self.primary.span.end,
            &self.code,
            &self.message,
        )
    }
}

/// Counts of findings by severity, for the summary line and exit codes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Summary {
    /// Findings at error level.
    pub(crate) errors: usize,
    /// Findings at warning level.
    pub(crate) warnings: usize,
    /// Findings at note level.
    pub(crate) notes: usize,
    /// Files checked.
    pub(crate) files: usize,
}

impl Summary {
    /// Counts `diagnostics` found in `files` files.
    pub(crate) fn new(diagnostics: &[Diagnostic], files: usize) -> Self {
        let mut summary = Self {
            files,
            ..Self::default()
        };
        for diagnostic in diagnostics {
            match diagnostic.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Note => summary.notes += 1,
            }
        }
        summary
    }
}

impl fmt::Display for Summary {
    /// `2 errors, 1 warning in 3 files`, or `no problems in 3 files`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn count(n: usize, word: &str) -> String {
            format!("{n} {word}{}", if n == 1 { "" } else { "s" })
        }
        let mut parts = Vec::new();
        if self.errors > 0 {
            parts.push(count(self.errors, "error"));
        }
        if self.warnings > 0 {
            parts.push(count(self.warnings, "warning"));
        }
        if self.notes > 0 {
            parts.push(count(self.notes, "note"));
        }
        if parts.is_empty() {
            parts.push("no problems".to_string());
        }
        write!(f, "{} in {}", parts.join(", "), count(self.files, "file"))
    }
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo; of
/// equally close ones, the first in alphabetical order, whatever order they come in.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

//! The baseline: a file listing the lint findings a team has accepted for now, so the linter
//! can be adopted on a legacy playbook and gate only new findings
//! (`check --write-baseline FILE`, then `check --baseline FILE`).
//!
//! A finding is keyed by rule, file (relative to the baseline's folder), *anchor* — the JSON
//! pointer with stage and content indexes replaced by their ids (`/stages/demo/exit/0`) — and a
//! hash of the message. Lines do not appear in the key, so adding or moving text elsewhere in
//! the file keeps the baseline valid; renaming a stage or changing what a finding says does not.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diagnostic::Diagnostic;

/// Version of the baseline file's shape.
pub(crate) const VERSION: u32 = 1;

/// The pointer of a finding with stage and content indexes replaced by ids.
pub(crate) fn anchor(value: &Value, pointer: &str) -> String {
    let mut parts: Vec<String> = pointer.split('/').map(str::to_string).collect();
    if parts.len() >= 3
        && (parts[1] == "stages" || parts[1] == "content")
        && let Some(id) = super::owner_id(value, pointer)
    {
        parts[2] = id.replace('~', "~0").replace('/', "~1");
    }
    parts.join("/")
}

/// FNV-1a, 64 bits: a stable hash of a message (the standard library's hasher may change
/// between Rust versions, and a baseline must not).
pub(crate) fn message_hash(message: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in message.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// Rule id.
    pub(crate) rule: String,
    /// File, relative to the baseline's folder, with `/` separators.
    pub(crate) file: String,
    /// Where in the playbook, by id.
    pub(crate) anchor: String,
    /// [`message_hash`] of the message.
    pub(crate) message_hash: String,
    /// The message, for people reading the file (not part of the key).
    pub(crate) message: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

/// A loaded baseline: how many times each key is accepted.
#[derive(Debug, Clone)]
pub struct Baseline {
    folder: PathBuf,
    counts: BTreeMap<(String, String, String, String), usize>,
}

fn relative(folder: &Path, file: &Path) -> String {
    let file = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    let shown = file.strip_prefix(folder).unwrap_or(&file);
    shown
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn canonical_folder(baseline: &Path) -> PathBuf {
    let folder = baseline
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    folder
        .canonicalize()
        .unwrap_or_else(|_| folder.to_path_buf())
}

/// The entry a lint diagnostic has in a baseline kept in `folder`; `None` for findings that
/// are not lint findings (schema, YAML …), which a baseline never hides.
fn entry(folder: &Path, diagnostic: &Diagnostic) -> Option<Entry> {
    let anchor = diagnostic.anchor.clone()?;
    Some(Entry {
        rule: diagnostic.code.clone(),
        file: relative(folder, &diagnostic.primary.file.path),
        anchor,
        message_hash: message_hash(&diagnostic.message),
        message: diagnostic.message.clone(),
    })
}

/// Writes the lint findings among `diagnostics` to a baseline file at `path`.
pub(crate) fn write(path: &Path, diagnostics: &[Diagnostic]) -> io::Result<usize> {
    let folder = canonical_folder(path);
    let mut findings: Vec<Entry> = diagnostics
        .iter()
        .filter_map(|d| entry(&folder, d))
        .collect();
    findings.sort();
    let count = findings.len();
    let file = BaselineFile {
        version: VERSION,
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(io::Error::other)?;
    text.push('\n');
    // Atomic, and a symlink at `path` is replaced rather than followed.
    crate::emit::write_file(path, text.as_bytes())?;
    Ok(count)
}

impl Baseline {
    /// Reads a baseline file.
    pub(crate) fn read(path: &Path) -> io::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: not a stagebook baseline: {e}", path.display()),
            )
        })?;
        if file.version != VERSION {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: baseline version {} is not supported (expected {VERSION})",
                    path.display(),
                    file.version
                ),
            ));
        }
        let mut counts = BTreeMap::new();
        for e in file.findings {
            *counts
                .entry((e.rule, e.file, e.anchor, e.message_hash))
                .or_insert(0) += 1;
        }
        Ok(Self {
            folder: canonical_folder(path),
            counts,
        })
    }

    /// Removes the findings the baseline accepts. Each entry accepts one finding.
    pub(crate) fn filter(&mut self, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.retain(|d| {
            let Some(e) = entry(&self.folder, d) else {
                return true;
            };
            match self
                .counts
                .get_mut(&(e.rule, e.file, e.anchor, e.message_hash))
            {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        });
    }

    /// How many accepted findings were not seen (fixed since the baseline was written).
    pub(crate) fn unmatched(&self) -> usize {
        self.counts.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_use_ids_and_hashes_are_stable() {
        let value = serde_json::json!({"stages": [{"id": "demo"}], "content": [{"id": "a/b"}]});
        assert_eq!(anchor(&value, "/stages/0/exit/1"), "/stages/demo/exit/1");
        assert_eq!(anchor(&value, "/content/0"), "/content/a~1b");
        assert_eq!(anchor(&value, "/playbook"), "/playbook");
        assert_eq!(message_hash(""), "cbf29ce484222325");
        assert_eq!(message_hash("a"), "af63dc4c8601ec8c");
    }
}

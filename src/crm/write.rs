//! Writes the generated CRM files, atomically and only inside the output folder
//! ([`crate::emit::outdir`]).

use std::io;
use std::path::{Path, PathBuf};

use super::OutputFile;
use crate::emit::OutDir;

/// Writes `files` under `out` (created if missing) and returns the paths written.
pub(crate) fn write_all(out: &Path, files: &[OutputFile]) -> io::Result<Vec<PathBuf>> {
    let out = OutDir::create(out)?;
    files
        .iter()
        .map(|file| out.write(&file.path, file.contents.as_bytes()))
        .collect()
}

/// What `out` already holds for another playbook that writing `files` would replace: a
/// HubSpot or Pipedrive pipeline body (`*-pipeline*.json`) naming a pipeline `files` do not
/// name, or another Sales Path beside ours (whose value set ours would replace). `None` when
/// `out` holds nothing or these playbooks' own earlier export.
pub(crate) fn other_export(out: &Path, files: &[OutputFile]) -> Option<String> {
    // A pipeline body's name: HubSpot's `label`, Pipedrive's `name`.
    let name = |text: &str| -> Option<String> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        ["label", "name"]
            .iter()
            .find_map(|key| value.get(key)?.as_str().map(str::to_owned))
    };
    let is_pipeline = |path: &Path| {
        path.extension().is_some_and(|e| e == "json")
            && path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().contains("-pipeline"))
    };
    let pipelines: Vec<String> = files
        .iter()
        .filter(|f| is_pipeline(&f.path))
        .filter_map(|f| name(&f.contents))
        .collect();
    if !pipelines.is_empty() {
        let existing = std::fs::read_dir(out).ok()?;
        for entry in existing.filter_map(Result::ok) {
            let path = entry.path();
            if !is_pipeline(&path) || !path.is_file() {
                continue;
            }
            let old = super::diff::read_capped(&path).ok().and_then(|t| name(&t));
            if let Some(old) = old
                && !pipelines.contains(&old)
            {
                return Some(format!(
                    "the pipeline `{old}` in {}",
                    entry.file_name().to_string_lossy()
                ));
            }
        }
    }
    let ours: Vec<&Path> = files
        .iter()
        .filter(|f| f.path.starts_with("pathAssistants"))
        .map(|f| f.path.as_path())
        .collect();
    if ours.is_empty() {
        return None;
    }
    let entries = std::fs::read_dir(out.join("pathAssistants")).ok()?;
    entries.filter_map(Result::ok).find_map(|entry| {
        let relative = Path::new("pathAssistants").join(entry.file_name());
        let name = entry.file_name().to_string_lossy().into_owned();
        (name.contains(".pathAssistant") && !ours.contains(&relative.as_path())).then(|| {
            format!(
                "the Sales Path `{}`",
                name.split(".pathAssistant").next().unwrap_or(&name)
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        for path in ["../escape.xml", "/tmp/escape.xml", ""] {
            let files = [OutputFile {
                path: PathBuf::from(path),
                contents: String::new(),
            }];
            assert!(write_all(dir.path(), &files).is_err(), "{path}");
        }
    }

    #[test]
    fn writes_nested_files_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let files = [OutputFile {
            path: PathBuf::from("a/b.xml"),
            contents: "x".into(),
        }];
        write_all(dir.path(), &files).unwrap();
        write_all(dir.path(), &files).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a/b.xml")).unwrap(),
            "x"
        );
        assert_eq!(std::fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
    }
}

//! `stagebook init`: a new playbook repository that works at once — project settings, a
//! starter playbook with the schema modeline, the schema itself for editors, CI on GitHub
//! Actions, a pre-commit hook and VS Code settings. The files are templates compiled into the
//! binary (`src/init/files/`); an existing file is never overwritten.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::model::Locale;

/// One file `init` writes: its path inside the new project and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct File {
    /// Path relative to the project folder, `/`-separated.
    pub(crate) path: &'static str,
    /// The text.
    pub(crate) text: String,
}

/// The files of a new project, in the order they are written.
pub(crate) fn files(locale: Locale) -> Vec<File> {
    // The workflow and the pre-commit hook install this very version of stagebook from PyPI.
    let fill = |text: &str| text.replace("@STAGEBOOK_VERSION@", env!("CARGO_PKG_VERSION"));
    let playbook = match locale {
        Locale::En => include_str!("files/playbook.en.yaml"),
        Locale::ZhCn => include_str!("files/playbook.zh-CN.yaml"),
    };
    let schema = serde_json::to_string_pretty(&crate::model::schema())
        .expect("the schema serialises")
        + "\n";
    vec![
        File {
            path: "stagebook.toml",
            text: include_str!("files/stagebook.toml").into(),
        },
        File {
            path: "playbooks/sales.yaml",
            text: playbook.into(),
        },
        File {
            path: "schemas/playbook.schema.json",
            text: schema,
        },
        File {
            path: ".github/workflows/playbooks.yml",
            text: fill(include_str!("files/playbooks.yml")),
        },
        File {
            path: ".pre-commit-config.yaml",
            text: fill(include_str!("files/pre-commit-config.yaml")),
        },
        File {
            path: ".vscode/settings.json",
            text: include_str!("files/vscode-settings.json").into(),
        },
        File {
            path: ".gitignore",
            text: include_str!("files/gitignore").into(),
        },
    ]
}

/// What `init` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// Files written.
    pub(crate) created: Vec<PathBuf>,
    /// Files left alone because they already existed (a symlink counts, even a dangling one).
    pub(crate) skipped: Vec<PathBuf>,
    /// Files left alone because a folder on their way is a symlink (`.github` → elsewhere):
    /// `init` writes only inside the project folder. Each with that folder.
    pub(crate) behind_symlink: Vec<(PathBuf, PathBuf)>,
}

/// The first folder of `relative` (a file's path inside `dir`) that is a symlink, if any.
fn symlinked_folder(dir: &Path, relative: &Path) -> Option<PathBuf> {
    let mut folder = PathBuf::new();
    let parent = relative.parent()?;
    for part in parent.components() {
        folder.push(part);
        if fs::symlink_metadata(dir.join(&folder)).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(folder);
        }
    }
    None
}

/// Writes `files` under `dir` (created when missing), skipping every file that exists,
/// symlinks included, and every file behind a symlinked folder. A file is created with
/// `create_new` (`O_EXCL`, which never follows a symlink), so even one appearing meanwhile is
/// never overwritten or written through.
pub(crate) fn write(dir: &Path, files: &[File]) -> io::Result<Outcome> {
    let mut outcome = Outcome::default();
    for file in files {
        let path = dir.join(file.path);
        if let Some(folder) = symlinked_folder(dir, Path::new(file.path)) {
            outcome
                .behind_symlink
                .push((PathBuf::from(file.path), folder));
            continue;
        }
        if fs::symlink_metadata(&path).is_ok() {
            outcome.skipped.push(PathBuf::from(file.path));
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", parent.display())))?;
        }
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut handle) => {
                handle
                    .write_all(file.text.as_bytes())
                    .and_then(|()| handle.sync_all())
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
                outcome.created.push(PathBuf::from(file.path));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                outcome.skipped.push(PathBuf::from(file.path));
            }
            Err(e) => {
                return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display())));
            }
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_filled_in() {
        for file in files(Locale::En) {
            assert!(!file.text.contains("@STAGEBOOK_"), "{}", file.path);
        }
        let zh = files(Locale::ZhCn);
        assert!(zh[1].text.contains("locale: zh-CN"));
    }
}

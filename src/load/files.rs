//! Load stage: where playbook files come from. Usually the disk; for `stagebook diff REV`, a
//! git revision whose blobs were read into memory, so an old version is compared without
//! checking anything out.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use crate::source::display_name;

/// A read-only file tree the loader reads playbooks and their includes from.
pub trait Files: Sync {
    /// Reads at most `limit` bytes of the file at `path`.
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>>;
    /// Whether `path` is a file.
    fn is_file(&self, path: &Path) -> bool;
    /// The absolute path with links and `..` resolved; an error when it does not exist.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
    /// The folder includes of `playbook` must stay inside (see [`super::project_root`]).
    fn project_root(&self, playbook: &Path) -> PathBuf;
    /// The name shown to the user for `path`.
    fn display_name(&self, path: &Path) -> String {
        display_name(path)
    }
}

/// The real file system.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Disk;

impl Files for Disk {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        // Opening a FIFO for reading waits for a writer, and a device may never end: only
        // regular files are opened, checked before opening and again on the open handle.
        let not_regular = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file (a pipe, device or socket): give the path of a playbook file",
            )
        };
        if !fs::metadata(path)?.is_file() {
            return Err(not_regular());
        }
        let file = fs::File::open(path)?;
        if !file.metadata()?.is_file() {
            return Err(not_regular());
        }
        let mut bytes = Vec::new();
        file.take(limit).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        path.canonicalize()
    }

    fn project_root(&self, playbook: &Path) -> PathBuf {
        super::project_root(playbook)
    }
}

/// Largest `stagebook.toml` read: a lint configuration is a few dozen lines.
pub(crate) const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// Reads a small UTF-8 text file such as `stagebook.toml` from disk: a regular file of at most
/// `limit` bytes, or an error saying which limit it broke.
pub(crate) fn read_small_text(path: &Path, limit: u64) -> io::Result<String> {
    let bytes = Disk.read(path, limit.saturating_add(1))?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "larger than {} KiB, the most stagebook reads for this file: check that it is the right file",
                limit / 1024
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "not valid UTF-8: save it as UTF-8",
        )
    })
}

/// Files held in memory under one root folder: a git revision's blobs. Paths are the root
/// joined with the path inside the tree; links are not followed (a link is simply absent).
#[derive(Debug, Clone, Default)]
pub struct MemoryFiles {
    /// The folder every path lies under (the repository's top folder).
    pub(crate) root: PathBuf,
    /// What names the tree for the user, e.g. `main`: files show as `main:playbooks/a.yaml`.
    pub(crate) label: String,
    /// Normalised path → content.
    pub(crate) files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemoryFiles {
    /// An empty tree under `root`.
    pub fn new(root: PathBuf, label: impl Into<String>) -> Self {
        Self {
            root,
            label: label.into(),
            files: BTreeMap::new(),
        }
    }

    /// Adds a file at `relative` (a path inside the tree, `/`-separated).
    pub fn insert(&mut self, relative: &str, content: Vec<u8>) {
        self.files
            .insert(normalize(&self.root.join(relative)), content);
    }

    /// The path of a file inside the tree, `/`-separated.
    pub(crate) fn relative(&self, path: &Path) -> String {
        let path = normalize(path);
        path.strip_prefix(&self.root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/")
    }
}

impl Files for MemoryFiles {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        let content = self.files.get(&normalize(path)).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} does not exist", self.display_name(path)),
            )
        })?;
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        Ok(content[..content.len().min(limit)].to_vec())
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(&normalize(path))
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let path = normalize(path);
        let is_folder = || self.files.keys().any(|f| f.starts_with(&path));
        if self.files.contains_key(&path) || is_folder() {
            Ok(path)
        } else {
            Err(io::Error::from(io::ErrorKind::NotFound))
        }
    }

    fn project_root(&self, _playbook: &Path) -> PathBuf {
        self.root.clone()
    }

    fn display_name(&self, path: &Path) -> String {
        format!("{}:{}", self.label, self.relative(path))
    }
}

/// The disk with the editor's unsaved text over it: what `stagebook lsp` checks. A file open in
/// the editor is read from `open` (by its absolute path), every other file from the disk, with
/// the disk's guards.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Overlay<'a> {
    /// Open documents: absolute path → text.
    pub(crate) open: &'a BTreeMap<PathBuf, String>,
}

impl Files for Overlay<'_> {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        match self.open.get(&normalize(path)) {
            Some(text) => {
                let limit = usize::try_from(limit).unwrap_or(usize::MAX);
                Ok(text.as_bytes()[..text.len().min(limit)].to_vec())
            }
            None => Disk.read(path, limit),
        }
    }

    fn is_file(&self, path: &Path) -> bool {
        self.open.contains_key(&normalize(path)) || Disk.is_file(path)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        Disk.canonicalize(path).or_else(|error| {
            // A new file the editor has not saved yet.
            let path = normalize(path);
            if self.open.contains_key(&path) {
                Ok(path)
            } else {
                Err(error)
            }
        })
    }

    fn project_root(&self, playbook: &Path) -> PathBuf {
        Disk.project_root(playbook)
    }
}

/// Resolves `.` and `..` by the text of the path alone.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_files_resolve_dots_and_stay_in_memory() {
        let mut tree = MemoryFiles::new(PathBuf::from("/repo"), "main");
        tree.insert("playbooks/a.yaml", b"a: 1".to_vec());
        let path = Path::new("/repo/playbooks/parts/../a.yaml");
        assert!(tree.is_file(path));
        assert_eq!(tree.read(path, 2).unwrap(), b"a:");
        assert_eq!(tree.display_name(path), "main:playbooks/a.yaml");
        assert!(tree.canonicalize(Path::new("/repo/playbooks")).is_ok());
        assert!(tree.canonicalize(Path::new("/repo/other.yaml")).is_err());
    }

    #[test]
    fn small_text_files_have_a_size_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stagebook.toml");
        fs::write(&path, "a = 1\n").unwrap();
        assert_eq!(read_small_text(&path, 6).unwrap(), "a = 1\n");
        let error = read_small_text(&path, 5).unwrap_err();
        assert!(
            error.to_string().starts_with("larger than 0 KiB"),
            "{error}"
        );
        fs::write(&path, "#".repeat(2048)).unwrap();
        let error = read_small_text(&path, 1024).unwrap_err();
        assert!(
            error.to_string().starts_with("larger than 1 KiB"),
            "{error}"
        );
        assert!(
            read_small_text(dir.path(), 1024).is_err(),
            "a folder is not read"
        );
    }
}

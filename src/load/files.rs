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
pub struct Disk;

impl Files for Disk {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        fs::File::open(path)?.take(limit).read_to_end(&mut bytes)?;
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

/// Files held in memory under one root folder: a git revision's blobs. Paths are the root
/// joined with the path inside the tree; links are not followed (a link is simply absent).
#[derive(Debug, Clone, Default)]
pub struct MemoryFiles {
    /// The folder every path lies under (the repository's top folder).
    pub root: PathBuf,
    /// What names the tree for the user, e.g. `main`: files show as `main:playbooks/a.yaml`.
    pub label: String,
    /// Normalised path → content.
    pub files: BTreeMap<PathBuf, Vec<u8>>,
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
    pub fn relative(&self, path: &Path) -> String {
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
}

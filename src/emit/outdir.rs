//! Output layer: writing what stagebook generates (handbooks, PDFs, CRM metadata, metrics
//! reports). Each file is written to a temporary file in its destination folder and renamed
//! into place, so a reader (or a deploy running at the same time) never sees half a file, and
//! no path ever leaves the output folder.
//!
//! The temporary file is created with `O_EXCL` under an unpredictable name
//! (`.stagebook-XXXXXX.tmp`, by the `tempfile` crate), so nobody can plant a symlink where it
//! will be written; the rename replaces whatever is at the destination, a symlink included,
//! without following it. A writer holds an advisory lock on its temporary file while it
//! writes: a `.stagebook-*.tmp` file nobody holds is the leftover of a killed run and is
//! removed the next time a file is written into its folder.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// Temporary files are named `PREFIX` + random + `SUFFIX`.
const PREFIX: &str = ".stagebook-";
const SUFFIX: &str = ".tmp";

/// The output folder of one run.
#[derive(Debug)]
pub(crate) struct OutDir {
    root: PathBuf,
    /// Folders already cleared of stale temporary files in this run.
    swept: Mutex<BTreeSet<PathBuf>>,
}

impl OutDir {
    /// Creates `root` if needed.
    pub(crate) fn create(root: &Path) -> io::Result<Self> {
        let root = if root.as_os_str().is_empty() {
            Path::new(".")
        } else {
            root
        };
        std::fs::create_dir_all(root)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", root.display())))?;
        let root = root.canonicalize()?;
        Ok(Self {
            root,
            swept: Mutex::default(),
        })
    }

    /// The folder, canonicalized.
    #[cfg(test)]
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `contents` to `relative` (plain names only: no `..`, no absolute paths) inside the
    /// output folder, atomically. Returns the path written.
    pub(crate) fn write(&self, relative: &Path, contents: &[u8]) -> io::Result<PathBuf> {
        // No fsync: the rename already keeps readers from seeing half a file, and every
        // output is cheap to generate again after a crash.
        self.write_with(relative, |file, _| file.write_all(contents))
    }

    /// Like [`OutDir::write`], for contents another program writes: `fill` gets the open
    /// temporary file and its path (for a browser printing a PDF, say), and whatever that file
    /// holds when `fill` returns is renamed to `relative`.
    pub(crate) fn write_with(
        &self,
        relative: &Path,
        fill: impl FnOnce(&mut File, &Path) -> io::Result<()>,
    ) -> io::Result<PathBuf> {
        if relative.as_os_str().is_empty()
            || relative
                .components()
                .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(outside(relative));
        }
        let target = self.root.join(relative);
        let parent = target.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(parent)?;
        // A symlinked subfolder could point anywhere: check where the folder really is.
        if !parent.canonicalize()?.starts_with(&self.root) {
            return Err(outside(&target));
        }
        self.sweep(parent);
        let mut builder = tempfile::Builder::new();
        builder.prefix(PREFIX).suffix(SUFFIX);
        // Temporary files are private (0600); a handbook is for everyone who can read the folder.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let written = (|| {
            let mut temp = builder.tempfile_in(parent)?;
            // Marks the file as in use, so a run sweeping the folder at the same time leaves it.
            // Where the file system has no locks, the sweep cannot lock it either and leaves
            // every file alone, so the write goes on without.
            let _ = temp.as_file().try_lock();
            let path = temp.path().to_path_buf();
            fill(temp.as_file_mut(), &path)?;
            temp.persist(&target).map_err(|e| e.error)
        })();
        written.map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", target.display())))?;
        Ok(target)
    }

    /// Removes the temporary files a killed run left in `folder`: regular files named
    /// `.stagebook-*.tmp` that no writer holds a lock on. Best effort: a file that cannot be
    /// read or removed stays.
    fn sweep(&self, folder: &Path) {
        let mut swept = self
            .swept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !swept.insert(folder.to_path_buf()) {
            return;
        }
        let Ok(entries) = std::fs::read_dir(folder) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let stale_name = name.len() > PREFIX.len() + SUFFIX.len()
                && name.starts_with(PREFIX)
                && name.ends_with(SUFFIX);
            // `file_type` does not follow symlinks: a link is never opened or removed.
            if !stale_name || !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            let unheld = File::open(&path).is_ok_and(|file| file.try_lock().is_ok());
            if unheld {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// Writes one file at `path` atomically, its folder being the output folder (created if
/// needed): for commands that write a single file (`metrics --out`, `check
/// --write-baseline`).
pub(crate) fn write_file(path: &Path, contents: &[u8]) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other(format!("{}: not a file name", path.display())))?;
    let folder = path.parent().unwrap_or(Path::new("."));
    OutDir::create(folder)?.write(Path::new(name), contents)
}

fn outside(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "refusing to write outside the output folder: {}",
            path.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(folder: &Path) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_only_inside() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutDir::create(&dir.path().join("out")).unwrap();
        let written = out.write(Path::new("a/handbook.html"), b"x").unwrap();
        assert_eq!(std::fs::read(&written).unwrap(), b"x");
        for bad in ["../evil.html", "/tmp/evil.html", "a/../../evil.html"] {
            assert!(out.write(Path::new(bad), b"x").is_err(), "{bad}");
        }
        assert_eq!(names(&out.root().join("a")), ["handbook.html"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&written).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_destination_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep").unwrap();
        let out = OutDir::create(&dir.path().join("out")).unwrap();
        std::os::unix::fs::symlink(&victim, out.root().join("handbook.html")).unwrap();
        let written = out.write(Path::new("handbook.html"), b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(std::fs::symlink_metadata(&written).unwrap().is_file());
        assert_eq!(std::fs::read_to_string(&written).unwrap(), "new");
    }

    #[test]
    fn stale_temporary_files_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutDir::create(dir.path()).unwrap();
        // What `kill -9` leaves: a temporary file nobody holds.
        std::fs::write(dir.path().join(".stagebook-a1B2c3.tmp"), "half").unwrap();
        // Not ours, or not a file: kept.
        std::fs::write(dir.path().join(".stagebook-.tmp"), "").unwrap();
        std::fs::write(dir.path().join("notes.tmp"), "").unwrap();
        std::fs::create_dir(dir.path().join(".stagebook-dir.tmp")).unwrap();
        // A run writing at the same time holds its temporary file locked.
        let live = dir.path().join(".stagebook-live.tmp");
        let held = File::create(&live).unwrap();
        held.lock().unwrap();
        out.write(Path::new("handbook.html"), b"x").unwrap();
        assert_eq!(
            names(dir.path()),
            [
                ".stagebook-.tmp",
                ".stagebook-dir.tmp",
                ".stagebook-live.tmp",
                "handbook.html",
                "notes.tmp"
            ]
        );
        drop(held);
    }

    #[cfg(unix)]
    #[test]
    fn one_file_is_written_atomically_without_following_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let path = dir.path().join("report.html");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        write_file(&path, b"report").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "report");
        assert!(write_file(Path::new("/"), b"x").is_err());
    }

    #[test]
    fn write_with_renames_what_another_program_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutDir::create(dir.path()).unwrap();
        let mut temp_name = String::new();
        out.write_with(Path::new("handbook.pdf"), |_, path| {
            temp_name = path.file_name().unwrap().to_string_lossy().into_owned();
            std::fs::write(path, "%PDF")
        })
        .unwrap();
        assert!(temp_name.starts_with(PREFIX) && temp_name.ends_with(SUFFIX));
        assert_ne!(temp_name, ".stagebook-handbook.pdf.tmp");
        assert_eq!(names(dir.path()), ["handbook.pdf"]);
        let failed = out.write_with(Path::new("other.pdf"), |_, _| {
            Err(io::Error::other("the browser failed"))
        });
        assert!(failed.is_err());
        assert_eq!(names(dir.path()), ["handbook.pdf"]);
    }
}

//! Writing what stagebook generates (handbooks, CRM metadata, metrics reports): each file is
//! written to a temporary file in its destination folder and renamed into place, so a reader
//! (or a deploy running at the same time) never sees half a file, and no path ever leaves the
//! output folder.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// The output folder of one render run.
#[derive(Debug)]
pub struct OutDir {
    root: PathBuf,
}

impl OutDir {
    /// Creates `root` if needed.
    pub fn create(root: &Path) -> io::Result<Self> {
        let root = if root.as_os_str().is_empty() {
            Path::new(".")
        } else {
            root
        };
        std::fs::create_dir_all(root)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", root.display())))?;
        let root = root.canonicalize()?;
        Ok(Self { root })
    }

    /// The folder, canonicalized.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `contents` to `relative` (plain names only: no `..`, no absolute paths) inside the
    /// output folder, atomically. Returns the path written.
    pub fn write(&self, relative: &Path, contents: &[u8]) -> io::Result<PathBuf> {
        if relative.as_os_str().is_empty()
            || relative
                .components()
                .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "refusing to write outside the output folder: {}",
                    relative.display()
                ),
            ));
        }
        let target = self.root.join(relative);
        let parent = target.parent().unwrap_or(&self.root);
        std::fs::create_dir_all(parent)?;
        // A symlinked subfolder could point anywhere: check where the folder really is.
        if !parent.canonicalize()?.starts_with(&self.root) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "refusing to write outside the output folder: {}",
                    target.display()
                ),
            ));
        }
        let mut builder = tempfile::Builder::new();
        builder.prefix(".stagebook-").suffix(".tmp");
        // Temporary files are private (0600); a handbook is for everyone who can read the folder.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let written = (|| {
            let mut temp = builder.tempfile_in(parent)?;
            // No fsync: the rename already keeps readers from seeing half a file, and every
            // output is cheap to generate again after a crash.
            temp.write_all(contents)?;
            temp.persist(&target).map_err(|e| e.error)
        })();
        written.map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", target.display())))?;
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_inside() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutDir::create(&dir.path().join("out")).unwrap();
        let written = out.write(Path::new("a/handbook.html"), b"x").unwrap();
        assert_eq!(std::fs::read(&written).unwrap(), b"x");
        for bad in ["../evil.html", "/tmp/evil.html", "a/../../evil.html"] {
            assert!(out.write(Path::new(bad), b"x").is_err(), "{bad}");
        }
        let leftovers: Vec<_> = std::fs::read_dir(out.root().join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["handbook.html"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&written).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }
}

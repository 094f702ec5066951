//! Writes generated files atomically, only inside the output folder: each file goes to a
//! temporary file beside its final place and is renamed over it, so a reader (or a deploy
//! running at the same time) never sees half a file.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use super::OutputFile;

/// Writes `files` under `out` (created if missing) and returns the paths written.
pub fn write_all(out: &Path, files: &[OutputFile]) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(out).map_err(|e| annotate(&e, out))?;
    let mut written = Vec::with_capacity(files.len());
    for file in files {
        let relative = &file.path;
        let inside = relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if !inside || relative.as_os_str().is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "refusing to write {} outside the output folder",
                    relative.display()
                ),
            ));
        }
        let target = out.join(relative);
        let folder = target.parent().unwrap_or(out);
        fs::create_dir_all(folder).map_err(|e| annotate(&e, folder))?;
        write_atomic(&target, file.contents.as_bytes()).map_err(|e| annotate(&e, &target))?;
        written.push(target);
    }
    Ok(written)
}

fn write_atomic(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

fn annotate(error: &io::Error, path: &Path) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
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
        assert_eq!(fs::read_to_string(dir.path().join("a/b.xml")).unwrap(), "x");
        assert_eq!(fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
    }
}

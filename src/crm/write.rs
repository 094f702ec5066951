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

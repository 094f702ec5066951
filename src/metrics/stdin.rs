//! `--history -`: the history read from standard input.
//!
//! The CSV reader reads a file by path more than once (the empty-file check, the line of a
//! malformed row, the cuts of a parallel read), which a pipe cannot give. Standard input is
//! therefore copied, as it streams, into a temporary file in the budget's temporary folder
//! (disk, not memory: a piped export of any size is held flat), which is removed when the
//! [`Spooled`] is dropped. Messages and the report name it `-`, as the user typed it.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::Error;

/// What the user passes to read the history from standard input.
pub(crate) const STDIN: &str = "-";

/// Whether `path` means standard input.
#[must_use]
pub(crate) fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN
}

/// Standard input copied into a temporary file.
#[derive(Debug)]
pub(crate) struct Spooled {
    file: tempfile::NamedTempFile,
    /// What the user named it: `-` or the pipe's path.
    name: String,
}

impl Spooled {
    /// Copies `input`, which the user named `name`, whole into a new temporary file in
    /// `temp_dir`.
    pub(crate) fn copy(mut input: impl Read, name: &str, temp_dir: &Path) -> Result<Self, Error> {
        let mut file = tempfile::Builder::new()
            .prefix("stagebook-stdin-")
            .suffix(".csv")
            .tempfile_in(temp_dir)
            .map_err(|e| {
                Error::new(format!(
                    "{}: cannot hold standard input for reading: {e}\n  help: pass a writable folder with `--temp-dir`",
                    temp_dir.display()
                ))
            })?;
        let copied = {
            let mut writer = io::BufWriter::new(file.as_file_mut());
            io::copy(&mut input, &mut writer).and_then(|_| writer.flush())
        };
        copied.map_err(|e| {
            Error::new(format!(
                "{name}: cannot read: {e}\n  help: check the command piped into `--history {name}`, or save the export and pass its path"
            ))
        })?;
        Ok(Self {
            file,
            name: name.to_owned(),
        })
    }

    /// The temporary file's path, to read it like any history file.
    #[must_use]
    pub(crate) fn path(&self) -> &Path {
        self.file.path()
    }

    /// `text` with the temporary file's path shown as the user named it.
    #[must_use]
    pub(crate) fn rename_in(&self, text: &str) -> String {
        text.replace(&self.path().display().to_string(), &self.name)
    }
}

/// The history path to read: `path` itself, or a spooled copy of standard input (`-`) or
/// of a pipe named by path (`/dev/stdin`, a shell's `<(zcat export.csv.gz)`), which could
/// be read only once.
pub(crate) fn resolve(path: &Path, temp_dir: &Path) -> Result<(PathBuf, Option<Spooled>), Error> {
    if is_stdin(path) {
        let spooled = Spooled::copy(io::stdin().lock(), STDIN, temp_dir)?;
        return Ok((spooled.path().to_path_buf(), Some(spooled)));
    }
    let is_pipe = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
    if is_pipe {
        let file = std::fs::File::open(path)
            .map_err(|e| Error::new(format!("{}: cannot read: {e}", path.display())))?;
        let spooled = Spooled::copy(file, &path.display().to_string(), temp_dir)?;
        return Ok((spooled.path().to_path_buf(), Some(spooled)));
    }
    Ok((path.to_path_buf(), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_byte_and_names_the_copy_dash() {
        let dir = tempfile::tempdir().unwrap();
        let input = b"deal_id,stage,entered_at\nD1,Qualify,2026-01-05\n";
        let spooled = Spooled::copy(&input[..], STDIN, dir.path()).unwrap();
        assert_eq!(std::fs::read(spooled.path()).unwrap(), input);
        let message = format!("{}:2: bad row", spooled.path().display());
        assert_eq!(spooled.rename_in(&message), "-:2: bad row");
        let path = spooled.path().to_path_buf();
        drop(spooled);
        assert!(!path.exists());
    }

    #[test]
    fn only_a_dash_means_stdin() {
        assert!(is_stdin(Path::new("-")));
        assert!(!is_stdin(Path::new("./-")));
        assert!(!is_stdin(Path::new("history.csv")));
    }
}

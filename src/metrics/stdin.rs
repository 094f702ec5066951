//! `--history -`: the history read from standard input.
//!
//! The CSV reader reads a file by path more than once (the empty-file check, the line of a
//! malformed row, the cuts of a parallel read), which a pipe cannot give. Standard input is
//! therefore copied, as it streams, into a temporary file in the budget's temporary folder
//! (disk, not memory: a piped export of any size is held flat), which is removed when the
//! [`Spooled`] is dropped. A file in a legacy encoding is utf8 into such a copy too. Messages and the report name it `-`, as the user typed it.

use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};

use encoding_rs::{DecoderResult, Encoding};

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
            // Data that does not decompress says what to check itself.
            Error::new(if e.kind() == io::ErrorKind::InvalidData {
                format!("{name}: cannot read: {e}")
            } else {
                format!(
                    "{name}: cannot read: {e}\n  help: check the command piped into `--history {name}`, or save the export and pass its path"
                )
            })
        })?;
        Ok(Self {
            file,
            name: name.to_owned(),
        })
    }

    /// Decodes `input`, in `encoding` (a byte order mark, if any, wins and is dropped), into a
    /// new temporary UTF-8 file in `temp_dir`. Bytes that are not valid in `encoding` stop it
    /// with their line and a hint naming `--encoding`.
    pub(crate) fn transcode(
        mut input: impl Read,
        encoding: &'static Encoding,
        name: &str,
        temp_dir: &Path,
    ) -> Result<Self, Error> {
        let mut spooled = Self::copy(io::empty(), name, temp_dir)?;
        let cannot = |e: io::Error| Error::new(format!("{name}: cannot read: {e}"));
        let mut decoder = encoding.new_decoder_with_bom_removal();
        let mut writer = io::BufWriter::new(spooled.file.as_file_mut());
        let (mut source, mut utf8) = (vec![0u8; 1 << 16], vec![0u8; 1 << 17]);
        let mut line = 1u64;
        loop {
            let read = match input.read(&mut source) {
                Ok(read) => read,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(cannot(e)),
            };
            let last = read == 0;
            let mut from = 0;
            loop {
                let (result, used, written) = decoder.decode_to_utf8_without_replacement(
                    &source[from..read],
                    &mut utf8,
                    last,
                );
                from += used;
                line += memchr::memchr_iter(b'\n', &utf8[..written]).count() as u64;
                writer.write_all(&utf8[..written]).map_err(cannot)?;
                match result {
                    DecoderResult::InputEmpty => break,
                    DecoderResult::OutputFull => {}
                    DecoderResult::Malformed(..) => {
                        return Err(Error::new(format!(
                            "{name}:{line}: the file is not valid {} text\n  help: pass the encoding the CRM exported it in with --encoding (for example windows-1252, iso-8859-1, gb18030 or utf-16)",
                            encoding.name()
                        )));
                    }
                }
            }
            if last {
                break;
            }
        }
        writer.flush().map_err(cannot)?;
        drop(writer);
        Ok(spooled)
    }

    /// The temporary file, to write into.
    pub(crate) fn file_mut(&mut self) -> &mut std::fs::File {
        self.file.as_file_mut()
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

/// The history path to read: `path` itself, or a spooled copy of standard input (`-`), of a
/// pipe named by path (`/dev/stdin`, a shell's `<(…)`), which could be read only once, of a
/// compressed file (gzip or zstd, found by its first bytes), decompressed, or of a file in
/// another encoding than UTF-8 (`encoding`, or UTF-16 found by its byte order mark, as Excel's
/// "Unicode text" writes it), utf8 to UTF-8.
pub(crate) fn resolve(
    path: &Path,
    temp_dir: &Path,
    encoding: Option<&'static Encoding>,
) -> Result<(PathBuf, Option<Spooled>), Error> {
    let name = path.display().to_string();
    let cannot = |e: io::Error| Error::new(format!("{name}: cannot read: {e}"));
    let input: Box<dyn Read> = if is_stdin(path) {
        Box::new(io::stdin().lock())
    } else {
        let is_pipe = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
        // A pipe is read once, whole, below: its first bytes are not taken here.
        if !is_pipe && encoding.is_none() {
            let start = first_bytes(path).map_err(cannot)?;
            if Encoding::for_bom(&start).is_none() && Compression::of(&start).is_none() {
                return Ok((path.to_path_buf(), None));
            }
        }
        Box::new(std::fs::File::open(path).map_err(cannot)?)
    };
    let mut input = io::BufReader::with_capacity(1 << 16, input);
    let compression = Compression::of(input.fill_buf().map_err(cannot)?);
    let input: Box<dyn Read> = match compression {
        Some(compression) => compression.decoder(input, &name)?,
        None => Box::new(input),
    };
    let mut input = io::BufReader::with_capacity(1 << 16, input);
    let bom = Encoding::for_bom(input.fill_buf().map_err(cannot)?)
        .map(|(found, _)| found)
        .filter(|found| *found != encoding_rs::UTF_8);
    let spooled = match encoding.or(bom) {
        Some(encoding) => Spooled::transcode(input, encoding, &name, temp_dir)?,
        None => Spooled::copy(input, &name, temp_dir)?,
    };
    Ok((spooled.path().to_path_buf(), Some(spooled)))
}

/// How a history file is compressed, found by its first bytes (its magic number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    /// gzip (`.gz`): `1F 8B`.
    Gzip,
    /// Zstandard (`.zst`): `28 B5 2F FD`.
    Zstd,
}

impl Compression {
    fn of(start: &[u8]) -> Option<Self> {
        if start.starts_with(&[0x1f, 0x8b]) {
            Some(Self::Gzip)
        } else if start.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Self::Zstd)
        } else {
            None
        }
    }

    /// A reader of `input` decompressed.
    fn decoder<'a>(self, input: impl Read + 'a, name: &str) -> Result<Box<dyn Read + 'a>, Error> {
        Ok(match self {
            // Several members one after the other (`cat a.gz b.gz`) are one file, as for gzip -d.
            Self::Gzip => Box::new(Decompressing {
                inner: flate2::read::MultiGzDecoder::new(input),
                what: "gzip",
            }),
            Self::Zstd => Box::new(Decompressing {
                inner: ruzstd::decoding::StreamingDecoder::new(input)
                    .map_err(|e| Error::new(format!("{name}: not a readable zstd file: {e}")))?,
                what: "zstd",
            }),
        })
    }
}

/// A decompressing reader whose errors say so.
struct Decompressing<R> {
    inner: R,
    what: &'static str,
}

impl<R: Read> Read for Decompressing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the {} file does not decompress ({e}); was the download cut short?",
                    self.what
                ),
            )
        })
    }
}

/// The first four bytes of the file at `path` (fewer when it is shorter).
fn first_bytes(path: &Path) -> io::Result<Vec<u8>> {
    let mut start = Vec::with_capacity(4);
    std::fs::File::open(path)?.take(4).read_to_end(&mut start)?;
    Ok(start)
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

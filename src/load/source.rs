//! Load stage: the text of every file a playbook is read from, with a line index so
//! byte offsets become line/column positions fast, however many diagnostics point into it.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One file the loader read, shared by every diagnostic that points into it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown to the user (relative to the working folder where possible).
    pub name: String,
    /// The path on disk.
    pub path: PathBuf,
    /// The text; for a file that is not valid UTF-8, a lossy copy used only to show snippets.
    pub text: String,
    line_starts: Vec<usize>,
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl SourceFile {
    /// Wraps a file's text and indexes its lines (LF, CRLF and lone CR all end a line,
    /// so a CRLF file has the same line numbers as its LF twin).
    pub fn new(path: &Path, text: String) -> Arc<Self> {
        Self::named(display_name(path), path, text)
    }

    /// Like [`SourceFile::new`], with the name shown to the user given (`main:playbooks/a.yaml`
    /// for a file read from a git revision).
    pub fn named(name: String, path: &Path, text: String) -> Arc<Self> {
        let mut line_starts = vec![0];
        let bytes = text.as_bytes();
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                line_starts.push(i + 1);
            }
        }
        Arc::new(Self {
            name,
            path: path.to_path_buf(),
            text,
            line_starts,
        })
    }

    /// The 0-based index of the line holding byte `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte offset where 0-based line `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// Byte offset where 0-based line `line` ends, without its line break.
    pub fn line_end(&self, line: usize) -> usize {
        let end = self.line_start(line + 1);
        let text = &self.text.as_bytes()[..end];
        let mut end = end;
        if end > self.line_start(line) && text.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > self.line_start(line) && text.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        end
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 1-based position of byte `offset` (clamped to the text and to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let offset = self.floor_char_boundary(offset);
        let line = self.line_index(offset);
        let start = self.line_start(line);
        let column = self.text[start..offset].chars().count() + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// Clamps a byte range to the text and to character boundaries.
    pub fn clamp(&self, span: Range<usize>) -> Range<usize> {
        let start = self.floor_char_boundary(span.start);
        let end = self.floor_char_boundary(span.end.max(start));
        start..end
    }

    fn floor_char_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// Shows `path` relative to the current folder when it lies inside it, with `/` separators.
pub fn display_name(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let shown = relative.to_string_lossy().replace('\\', "/");
    shown.strip_prefix("./").unwrap_or(&shown).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_and_lf_give_the_same_lines() {
        let lf = SourceFile::new(Path::new("a.yaml"), "a: 1\nb: 2\n".into());
        let crlf = SourceFile::new(Path::new("a.yaml"), "a: 1\r\nb: 2\r\n".into());
        assert_eq!(lf.position(5).line, 2);
        assert_eq!(crlf.position(6).line, 2);
        assert_eq!(crlf.line_end(0), 4);
    }

    #[test]
    fn columns_count_characters() {
        let file = SourceFile::new(Path::new("a.yaml"), "名称: 演示\n".into());
        assert_eq!(file.position(8).column, 5);
        // An offset inside a character is moved back to its start.
        assert_eq!(file.position(9).column, 5);
    }
}

//! Ground floor, below every stage: the text of every file a playbook is read from, with a line
//! index so byte offsets become line/column positions fast, however many diagnostics point into
//! it. Everything that quotes source (the loader, diagnostics, every printer) uses this module;
//! it imports nothing from the crate.
//!
//! A [`SourceFile`] holds either a whole file or an excerpt of one: the few lines a finding's
//! snippet shows. `check` swaps each finding's file for an excerpt as soon as that file is
//! checked, so checking 10,000 files keeps a few hundred bytes per finding instead of every
//! file with a finding in memory. Offsets are always the whole file's byte offsets.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One file the loader read (or an excerpt of it), shared by every diagnostic that points
/// into it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown to the user (relative to the working folder where possible).
    pub name: String,
    /// The path on disk.
    pub(crate) path: PathBuf,
    /// The text held: the whole file (for a file that is not valid UTF-8, a lossy copy used only
    /// to show snippets), or an excerpt's bytes `start..start + text.len()`.
    text: String,
    /// Byte offset in the file where `text` begins (0 for a whole file).
    start: usize,
    /// 0-based line that holds `start`.
    first_line: usize,
    /// Characters on that line before `start` (an excerpt may begin mid-line).
    first_column: usize,
    /// Byte offsets where lines `first_line..` start, as far as `text` reaches; the first
    /// entry may lie before `start`.
    line_starts: Vec<usize>,
    /// Lines in the whole file.
    line_total: usize,
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
    pub(crate) fn named(name: String, path: &Path, text: String) -> Arc<Self> {
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
            line_total: line_starts.len(),
            text,
            start: 0,
            first_line: 0,
            first_column: 0,
            line_starts,
        })
    }

    /// A copy holding only bytes `range` (widened to character boundaries) of what this one
    /// holds, with the same name, line numbers and columns for every offset inside it.
    pub(crate) fn excerpt(&self, range: Range<usize>) -> Arc<Self> {
        let from = self.floor_char_boundary(range.start);
        let mut to = range.end.clamp(from, self.end());
        while !self.holds_boundary(to) {
            to += 1;
        }
        let first_line = self.line_index(from);
        let local = first_line - self.first_line;
        let last = self.line_starts.partition_point(|&s| s <= to);
        Arc::new(Self {
            name: self.name.clone(),
            path: self.path.clone(),
            text: self.text[from - self.start..to - self.start].to_owned(),
            start: from,
            first_line,
            first_column: self.position(from).column - 1,
            line_starts: self.line_starts[local..last].to_vec(),
            line_total: self.line_total,
        })
    }

    /// The text held: the whole file, or an excerpt's bytes from [`SourceFile::start`].
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Byte offset in the file where the text held begins (0 unless this is an excerpt).
    pub(crate) fn start(&self) -> usize {
        self.start
    }

    /// Byte offset in the file where the text held ends.
    pub(crate) fn end(&self) -> usize {
        self.start + self.text.len()
    }

    /// Bytes `range` of the file (clamped to the text held).
    pub(crate) fn slice(&self, range: Range<usize>) -> &[u8] {
        let range = self.clamp(range);
        &self.text.as_bytes()[range.start - self.start..range.end - self.start]
    }

    /// The 0-based index of the line holding byte `offset`.
    pub(crate) fn line_index(&self, offset: usize) -> usize {
        let after = self.line_starts.partition_point(|&s| s <= offset);
        self.first_line + after.saturating_sub(1)
    }

    /// Byte offset where 0-based line `line` starts (clamped to the text held).
    pub(crate) fn line_start(&self, line: usize) -> usize {
        line.checked_sub(self.first_line)
            .and_then(|local| self.line_starts.get(local))
            .map_or_else(
                || {
                    if line < self.first_line {
                        self.start
                    } else {
                        self.end()
                    }
                },
                |&s| s.max(self.start),
            )
    }

    /// Byte offset where 0-based line `line` ends, without its line break.
    pub(crate) fn line_end(&self, line: usize) -> usize {
        let start = self.line_start(line);
        let mut end = self.line_start(line + 1);
        for byte in [b'\n', b'\r'] {
            if end > start && self.text.as_bytes()[end - 1 - self.start] == byte {
                end -= 1;
            }
        }
        end
    }

    /// Number of lines in the whole file.
    pub fn line_count(&self) -> usize {
        self.line_total
    }

    /// The 1-based position of byte `offset` (clamped to the text held and to a character
    /// boundary).
    pub(crate) fn position(&self, offset: usize) -> Position {
        let offset = self.floor_char_boundary(offset);
        let line = self.line_index(offset);
        let start = self.line_start(line);
        let before = if line == self.first_line {
            self.first_column
        } else {
            0
        };
        let column = before
            + self.text[start - self.start..offset - self.start]
                .chars()
                .count()
            + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// Clamps a byte range to the text held and to character boundaries.
    pub(crate) fn clamp(&self, span: Range<usize>) -> Range<usize> {
        let start = self.floor_char_boundary(span.start);
        let end = self.floor_char_boundary(span.end.max(start));
        start..end
    }

    fn holds_boundary(&self, offset: usize) -> bool {
        self.text.is_char_boundary(offset - self.start)
    }

    fn floor_char_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.clamp(self.start, self.end());
        while !self.holds_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// Shows `path` relative to the current folder when it lies inside it, with `/` separators.
pub(crate) fn display_name(path: &Path) -> String {
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

    #[test]
    fn an_excerpt_gives_the_whole_files_positions() {
        let text = "名称: 演示\r\nstages:\n  - id: a\n    goal: 确认需求\n";
        let file = SourceFile::new(Path::new("a.yaml"), text.into());
        // From inside the first line to inside the last one.
        let excerpt = file.excerpt(4..text.len() - 4);
        for offset in excerpt.start()..=excerpt.end() {
            assert_eq!(
                excerpt.position(offset),
                file.position(offset),
                "offset {offset}"
            );
        }
        assert_eq!(excerpt.line_count(), file.line_count());
        assert_eq!(excerpt.line_end(1), file.line_end(1));
        assert_eq!(excerpt.slice(14..20), file.slice(14..20));
        // Offsets outside the excerpt are clamped to it.
        assert_eq!(excerpt.clamp(0..2), excerpt.start()..excerpt.start());
    }
}

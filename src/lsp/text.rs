//! Positions and addresses as the Language Server Protocol writes them: 0-based lines,
//! columns in UTF-16 code units (a Chinese character is one unit, an emoji two), and `file:`
//! URIs with percent-encoded paths.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use lsp_types::{Position, Range};

use crate::source::SourceFile;

/// The LSP position of byte `offset` of a loaded file, through its line index (a file with
/// thousands of findings is not scanned from the top for each).
pub(crate) fn file_position(file: &SourceFile, offset: usize) -> Position {
    let offset = file.clamp(offset..offset).start;
    let line = file.line_index(offset);
    let start = file.line_start(line);
    let before = String::from_utf8_lossy(file.slice(start..offset));
    Position::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(before.encode_utf16().count()).unwrap_or(u32::MAX),
    )
}

/// The LSP range of bytes `span` of a loaded file.
pub(crate) fn file_range(file: &SourceFile, span: std::ops::Range<usize>) -> Range {
    Range::new(
        file_position(file, span.start),
        file_position(file, span.end),
    )
}

/// The byte offset of an LSP position in `text` (the end of the line or of the text when the
/// position lies past it).
pub(crate) fn offset(text: &str, at: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..at.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut units = 0u32;
    for (i, c) in text[line_start..line_end].char_indices() {
        if units >= at.character {
            return line_start + i;
        }
        units += u32::try_from(c.len_utf16()).unwrap_or(2);
    }
    line_end
}

/// The path a `file:` URI names; `None` for other schemes.
pub(crate) fn path_of(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file://host/path` names another machine: not ours.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let bytes = rest.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                decoded.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    Some(PathBuf::from(String::from_utf8(decoded).ok()?))
}

/// The `file:` URI of an absolute path, each byte outside the unreserved set percent-encoded.
pub(crate) fn uri_of(path: &Path) -> String {
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "id: a\nname: 客户 😀 x\n";
        let x = text.find('x').unwrap();
        // 客 户 are one unit each, 😀 two.
        let file = SourceFile::new(Path::new("p.yaml"), text.to_owned());
        assert_eq!(file_position(&file, x), Position::new(1, 12));
        assert_eq!(offset(text, Position::new(1, 12)), x);
        assert_eq!(offset(text, Position::new(9, 0)), text.len());
        assert_eq!(offset(text, Position::new(0, 99)), 5);
    }

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/play books/销售.yaml");
        let uri = uri_of(path);
        assert_eq!(uri, "file:///tmp/play%20books/%E9%94%80%E5%94%AE.yaml");
        assert_eq!(path_of(&uri).unwrap(), path);
        assert_eq!(path_of("untitled:Untitled-1"), None);
    }
}

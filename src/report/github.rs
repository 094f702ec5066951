//! Report stage: GitHub Actions workflow commands (`check --format github`), one
//! `::error` / `::warning` / `::notice` line per finding, so findings show as annotations on the
//! pull request. Playbook text ends up in messages and titles, so everything is escaped as
//! the runner expects (see `shared/schemas-external/github-annotations.md`): a newline in a
//! stage name can never start a forged command.

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, Severity, Summary};

/// Replaces C0 control characters other than TAB, CR and LF (ESC starts terminal colour
/// codes in the log viewer) with U+FFFD.
fn scrub(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\r' | '\n') {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// Escapes a message (the text after `::`): `%` first, then CR and LF.
pub(crate) fn escape_data(text: &str) -> String {
    scrub(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as a message, plus `:` and `,`.
pub(crate) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command for `diagnostic`, with `title` as the annotation's title.
pub(crate) fn command(diagnostic: &Diagnostic, title: &str, message: &str) -> String {
    let name = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let (start, end) = (diagnostic.primary.start(), diagnostic.primary.end());
    let mut line = format!(
        "::{name} file={},line={}",
        escape_property(&diagnostic.primary.file.name),
        start.line
    );
    if end.line == start.line {
        let end_column = end.column.max(start.column);
        let _ = write!(line, ",col={},endColumn={}", start.column, end_column);
    } else {
        let _ = write!(line, ",endLine={}", end.line);
    }
    let _ = write!(
        line,
        ",title={}::{}",
        escape_property(title),
        escape_data(message)
    );
    line
}

/// The workflow commands for `diagnostics`, then a plain summary line (GitHub shows at most
/// 10 annotations of each kind per step, so the log keeps the count).
pub(crate) fn render(diagnostics: &[Diagnostic], files: usize) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&command(d, &format!("stagebook {}", d.code), &message));
        out.push('\n');
    }
    let _ = writeln!(out, "stagebook: {}", Summary::new(diagnostics, files));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Label;
    use crate::source::SourceFile;

    #[test]
    fn escaping_follows_the_test_vectors() {
        let vectors = [
            ("a,b:c", "a,b:c", "a%2Cb%3Ac"),
            ("100% done", "100%25 done", "100%25 done"),
            ("50%0A literal", "50%250A literal", "50%250A literal"),
            ("line1\r\nline2", "line1%0D%0Aline2", "line1%0D%0Aline2"),
            ("x::y", "x::y", "x%3A%3Ay"),
            (
                "title=fake,line=9",
                "title=fake,line=9",
                "title=fake%2Cline=9",
            ),
        ];
        for (input, data, property) in vectors {
            assert_eq!(escape_data(input), data, "{input:?}");
            assert_eq!(escape_property(input), property, "{input:?}");
        }
        assert_eq!(escape_data("\u{1b}[31mred"), "\u{fffd}[31mred");
    }

    #[test]
    fn a_forged_command_stays_inside_the_message() {
        let file = SourceFile::new(
            std::path::Path::new("playbooks/a,b.yaml"),
            "stagebook: 1\nname: \"Playbook\"\n".to_string(),
        );
        let diagnostic = Diagnostic::error(
            "x",
            "Playbook\n::error file=secret.yaml,line=1::forged annotation",
            Label::new(&file, 19..24),
        );
        assert_eq!(
            command(&diagnostic, "a,b:c", &diagnostic.message),
            "::error file=playbooks/a%2Cb.yaml,line=2,col=7,endColumn=12,title=a%2Cb%3Ac::Playbook%0A::error file=secret.yaml,line=1::forged annotation"
        );
    }
}

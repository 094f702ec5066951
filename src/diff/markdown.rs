//! Report stage for changes: the Markdown form of a [`Report`], written to be posted as a
//! pull-request comment — a summary line, a section per changed stage, and the findings the
//! change introduces. Every piece of playbook text is escaped, so a stage name cannot break
//! the comment's layout or inject links or HTML.

use std::fmt::Write as _;

use super::{
    Change, PlaybookDiff, Report, StageStatus, Status, describe_change, describe_stage_changes,
    heading_of,
};

/// Marks the comment so a CI job can find and update its previous one.
pub(crate) const MARKER: &str = "<!-- stagebook-diff -->";

/// GitHub refuses comments over 65,536 characters; stay well below, with room for the note.
pub(crate) const MAX_COMMENT: usize = 60_000;

/// The pull-request comment, cut at a line end before [`MAX_COMMENT`] characters when the
/// change is huge (the summary line always stays).
pub(crate) fn render(report: &Report) -> String {
    truncate(full(report), MAX_COMMENT)
}

fn truncate(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let cut = text
        .char_indices()
        .nth(max)
        .map_or(text.len(), |(at, _)| at);
    let end = text[..cut].rfind('\n').map_or(cut, |at| at + 1);
    format!(
        "{}\n*The rest of this change is too long for a comment: run `stagebook diff` to see all of it.*\n",
        &text[..end]
    )
}

fn full(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{MARKER}");
    let _ = writeln!(
        out,
        "## Playbook changes: {} → {}\n",
        code(&report.old),
        code(&report.new)
    );
    let _ = writeln!(out, "**{}**", escape(&report.summary().line()));
    for playbook in report.playbooks.iter().filter(|p| p.is_changed()) {
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        playbook_section(playbook, &mut out);
    }
    out
}

/// Escapes inline text for Markdown: the characters that start emphasis, code, links, HTML,
/// entities, table cells, issue references and @-mentions are backslash-escaped, and line
/// breaks become spaces. Text never starts a line here, so list and heading markers are safe.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '&' | '@' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A sentence from the playbook, escaped and in quotes.
fn quoted(text: &str) -> String {
    format!("“{}”", escape(text))
}

/// An id or a file name in a code span (escaped text when it holds a backtick).
fn code(text: &str) -> String {
    if text.contains('`') || text.contains('\n') {
        escape(text)
    } else {
        format!("`{text}`")
    }
}

fn playbook_section(playbook: &PlaybookDiff, out: &mut String) {
    let _ = writeln!(out, "### {}\n", heading_of(playbook, &escape, &code));
    if playbook.status == Status::Broken {
        let _ = writeln!(
            out,
            "Not compared: one side does not pass the schema and structure checks (see the findings below).\n"
        );
    }
    if !playbook.meta.is_empty() {
        let _ = writeln!(out, "#### Playbook\n");
        for change in &playbook.meta {
            let _ = writeln!(out, "- {}", describe_change(change, false, &quoted, &code));
        }
        out.push('\n');
    }
    let show = |ids: &[String]| ids.iter().map(|i| code(i)).collect::<Vec<_>>().join(" → ");
    match (&playbook.order, playbook.status) {
        (Some(order), Status::Changed) => {
            let _ = writeln!(out, "Stage order, before: {}  ", show(&order.old));
            let _ = writeln!(out, "Stage order, after: {}\n", show(&order.new));
        }
        (Some(order), Status::Added) => {
            let _ = writeln!(out, "Stages: {}\n", show(&order.new));
        }
        (Some(order), Status::Removed) => {
            let _ = writeln!(out, "Stages were: {}\n", show(&order.old));
        }
        _ => {}
    }
    for stage in &playbook.stages {
        let what = match stage.status {
            StageStatus::Added => "Stage added",
            StageStatus::Removed => "Stage removed",
            StageStatus::Changed => "Stage changed",
        };
        let _ = writeln!(
            out,
            "#### {what}: {} ({})\n",
            escape(&stage.name),
            code(&stage.id)
        );
        let added = stage.status == StageStatus::Added;
        let verb = if added { "is" } else { "was" };
        for place in stage.changes.iter().filter_map(Change::placement) {
            let _ = writeln!(out, "- position: {verb} {}", place_text(place));
        }
        for line in describe_stage_changes(&stage.changes, added, &quoted, &code) {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }
    if !playbook.content.is_empty() {
        let _ = writeln!(out, "#### Content library\n");
        for change in &playbook.content {
            let _ = writeln!(out, "- {}", describe_change(change, false, &quoted, &code));
        }
        out.push('\n');
    }
    if !playbook.new_findings.is_empty() {
        let _ = writeln!(out, "#### New findings\n");
        let _ = writeln!(out, "| severity | where | code | finding |");
        let _ = writeln!(out, "| --- | --- | --- | --- |");
        for finding in &playbook.new_findings {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                finding.severity,
                code(&format!("{}:{}", finding.file, finding.line)),
                code(&finding.code),
                escape(&finding.message)
            );
        }
        out.push('\n');
    }
    if playbook.fixed_findings > 0 {
        let _ = writeln!(
            out,
            "{} finding{} of the old version fixed.\n",
            playbook.fixed_findings,
            if playbook.fixed_findings == 1 {
                ""
            } else {
                "s"
            }
        );
    }
}

/// `after `demo`` with the id as code; `first` as it is.
fn place_text(place: &str) -> String {
    match place
        .strip_prefix("after `")
        .and_then(|p| p.strip_suffix('`'))
    {
        Some(id) => format!("after {}", code(id)),
        None => escape(place),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_comment_is_cut_at_a_line_end_with_a_note() {
        let text = "line one\nline two\nline three\n".to_string();
        assert_eq!(truncate(text.clone(), 100), text);
        let cut = truncate(text, 12);
        assert!(cut.starts_with("line one\n\n*The rest"), "{cut}");
    }
}

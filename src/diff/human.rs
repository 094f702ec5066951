//! Report stage for changes: the plain-text form of a [`Report`], for terminals.

use std::fmt::Write as _;

use super::{
    Change, PlaybookDiff, Report, StageStatus, Status, describe_change, describe_stage_changes,
    heading_of,
};

/// Plain text: a block per changed playbook, then the summary line.
pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "comparing {} with {}", report.old, report.new);
    for playbook in report.playbooks.iter().filter(|p| p.is_changed()) {
        out.push('\n');
        playbook_block(playbook, &mut out);
    }
    let _ = writeln!(out, "\n{}", report.summary().line());
    out
}

fn plain(text: &str) -> String {
    format!("“{text}”")
}

fn id(text: &str) -> String {
    format!("`{text}`")
}

fn playbook_block(playbook: &PlaybookDiff, out: &mut String) {
    let _ = writeln!(out, "{}", heading_of(playbook, &plain, &id));
    if playbook.status == Status::Broken {
        let _ = writeln!(
            out,
            "  not compared: one side does not pass the schema and structure checks"
        );
    }
    for change in &playbook.meta {
        let _ = writeln!(
            out,
            "  playbook {}",
            describe_change(change, false, &plain, &id)
        );
    }
    match (&playbook.order, playbook.status) {
        (Some(order), Status::Changed) => {
            let _ = writeln!(out, "  stage order was: {}", order.old.join(" → "));
            let _ = writeln!(out, "  stage order now: {}", order.new.join(" → "));
        }
        (Some(order), Status::Added) => {
            let _ = writeln!(out, "  stages: {}", order.new.join(" → "));
        }
        (Some(order), Status::Removed) => {
            let _ = writeln!(out, "  stages were: {}", order.old.join(" → "));
        }
        _ => {}
    }
    for stage in &playbook.stages {
        let (mark, what) = match stage.status {
            StageStatus::Added => ('+', "added"),
            StageStatus::Removed => ('-', "removed"),
            StageStatus::Changed => ('~', "changed"),
        };
        let _ = writeln!(
            out,
            "  {mark} stage {} {} {what}",
            id(&stage.id),
            plain(&stage.name)
        );
        let added = stage.status == StageStatus::Added;
        for place in stage.changes.iter().filter_map(Change::placement) {
            let _ = writeln!(out, "      position: {place}");
        }
        for line in describe_stage_changes(&stage.changes, added, &plain, &id) {
            let _ = writeln!(out, "      {line}");
        }
    }
    for change in &playbook.content {
        let _ = writeln!(out, "  {}", describe_change(change, false, &plain, &id));
    }
    for finding in &playbook.new_findings {
        let _ = writeln!(
            out,
            "  new {} {}:{} [{}] {}",
            finding.severity, finding.file, finding.line, finding.code, finding.message
        );
    }
    if playbook.fixed_findings > 0 {
        let _ = writeln!(
            out,
            "  {} finding{} of the old version fixed",
            playbook.fixed_findings,
            if playbook.fixed_findings == 1 {
                ""
            } else {
                "s"
            }
        );
    }
}

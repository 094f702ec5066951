//! The terminal table: one block per period, then the whole range, then stalls and data
//! warnings. Columns are aligned by display width, so Chinese stage names line up too.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use super::columns::{self, PeopleTable, shown_columns, shown_row};
use super::words::{fill, milestone_line, pick, t};
use crate::metrics::report::{PeriodReport, Report};
use crate::metrics::source::Source;

/// A count, or a dash.
pub(crate) fn opt_num(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{v:.decimals$}"))
}

/// A ratio as a percentage, or a dash.
pub(crate) fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{:.1}%", v * 100.0))
}

/// Lays out rows; the first column is left-aligned, the others right-aligned.
pub(crate) fn align(rows: &[Vec<String>], out: &mut String) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.width();
            if c == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn people_table(report: &Report, table: &PeopleTable, out: &mut String) {
    let header = table
        .table
        .iter()
        .map(|h| pick(report, *h).to_owned())
        .collect();
    let rows: Vec<Vec<String>> = std::iter::once(header)
        .chain(table.rows.iter().cloned())
        .collect();
    align(&rows, out);
}

/// One period: the stage table, the funnel line and the moves off the process.
fn period_block(report: &Report, period: &PeriodReport, title: &str, out: &mut String) {
    let _ = writeln!(
        out,
        "{}",
        fill(
            report,
            "period",
            &[
                ("title", &title),
                ("from", &period.from),
                ("to", &period.to),
                ("as_of", &period.as_of),
            ]
        )
    );
    let mut rows = vec![
        shown_columns()
            .map(|(_, h)| pick(report, h.table).to_owned())
            .collect(),
    ];
    for stage in &period.stages {
        rows.push(shown_row(report, stage));
    }
    align(&rows, out);
    let funnel = &period.funnel;
    let mut line = fill(
        report,
        "funnel_line",
        &[
            ("new", &funnel.new_deals),
            ("won", &funnel.won),
            ("lost", &funnel.lost),
            ("rate", &percent(funnel.win_rate)),
        ],
    );
    if funnel.left_out > 0 {
        line += &fill(report, "funnel_left_out", &[("n", &funnel.left_out)]);
    }
    if funnel.cycle.deals > 0 {
        line += &fill(
            report,
            "funnel_cycle",
            &[("days", &opt_num(funnel.cycle.median_days, 1))],
        );
        if let (Some(target), Some(over)) = (funnel.cycle.target_days, funnel.cycle.over_target) {
            line += &fill(
                report,
                "funnel_cycle_target",
                &[
                    ("target", &format!("{target:.0}")),
                    ("over", &over),
                    ("deals", &funnel.cycle.deals),
                ],
            );
        }
    }
    if let Some(demo) = &funnel.demo {
        line += &fill(report, "funnel_demo", &[("share", &percent(demo.share))]);
    }
    out.push_str(&line);
    out.push('\n');
    if !funnel.milestones.is_empty() {
        let _ = writeln!(
            out,
            "{}{}{}",
            t(report, "milestones"),
            t(report, "colon"),
            milestone_line(report, funnel)
        );
    }
    let off_process = report.off_process(period, t(report, "skip"), t(report, "back"));
    if !off_process.is_empty() {
        let _ = writeln!(
            out,
            "{}{}{}",
            t(report, "off_process"),
            t(report, "colon"),
            off_process.join(", ")
        );
    }
    out.push('\n');
}

/// Renders the table.
pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    let input = &report.input;
    let _ = writeln!(
        out,
        "{}\n",
        fill(
            report,
            "header",
            &[
                ("name", &report.playbook.name),
                ("id", &report.playbook.id),
                ("rows", &input.rows),
                ("deals", &input.deals),
                ("history", &input.history),
                ("zone", &report.time_zone),
                ("as_of", &report.as_of),
            ]
        )
    );
    let colon = t(report, "colon");
    if input.source != Source::StageHistory || !input.notes.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            fill(report, "read_as", &[("source", &input.source.id())])
        );
        for note in &input.notes {
            let _ = writeln!(out, "  {}{colon}{note}", t(report, "note"));
        }
        out.push('\n');
    }
    for period in &report.periods {
        period_block(report, period, &period.label, &mut out);
    }
    if report.periods.len() > 1 {
        period_block(report, &report.total, t(report, "all_periods"), &mut out);
    }
    if let Some(stalled) = columns::stalled(report) {
        let _ = writeln!(
            out,
            "{}",
            fill(report, "stalled_at", &[("as_of", &report.total.as_of)])
        );
        people_table(report, &stalled, &mut out);
        out.push('\n');
    }
    if let (Some(table), Some(by)) = (columns::breakdown(report), &report.by) {
        let _ = writeln!(out, "{}", columns::breakdown_title(report, &by.key));
        people_table(report, &table, &mut out);
        out.push('\n');
    }
    if let Some(profile) = &report.won_profile {
        let _ = writeln!(
            out,
            "{}",
            fill(report, "won_stages", &[("won", &profile.won_deals)])
        );
        people_table(report, &columns::won_stages(report, profile), &mut out);
        if let Some(touchpoints) = columns::touchpoints(report, profile) {
            let _ = writeln!(out, "\n{}", t(report, "won_touchpoints"));
            people_table(report, &touchpoints, &mut out);
        }
        out.push('\n');
    }
    for warning in report.warnings() {
        let _ = writeln!(out, "{}{colon}{warning}", t(report, "warning"));
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    // Deal ids and stage names come from the CSV: an escape sequence in one must not steer
    // the terminal, so control characters other than line breaks show as `�`.
    if out.chars().any(|c| c.is_control() && c != '\n') {
        out = out
            .chars()
            .map(|c| {
                if c.is_control() && c != '\n' {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect();
    }
    out
}

//! The terminal table: one block per period, then the whole range, then stalls and data
//! warnings. Columns are aligned by display width, so Chinese stage names line up too.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use crate::metrics::report::{PeriodReport, Report};

/// A count, or a dash.
pub fn opt_num(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{v:.decimals$}"))
}

/// A ratio as a percentage, or a dash.
pub fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{:.1}%", v * 100.0))
}

/// Lays out rows; the first column is left-aligned, the others right-aligned.
pub fn align(rows: &[Vec<String>], out: &mut String) {
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

/// The stage name for an id.
fn period_block(report: &Report, period: &PeriodReport, title: &str, out: &mut String) {
    let _ = writeln!(
        out,
        "{title} ({} to {}; stalls as of {})",
        period.from, period.to, period.as_of
    );
    let mut rows = vec![
        [
            "Stage",
            "At start",
            "Entered",
            "Advanced",
            "Lost",
            "Back",
            "Remaining",
            "Conv.",
            "Loss",
            "Median d",
            "Mean d",
            "Budget d",
            "Over",
            "Stalled",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for stage in &period.stages {
        let time = &stage.time_in_stage;
        rows.push(vec![
            report.stage_name(&stage.stage).to_owned(),
            stage.at_start.to_string(),
            stage.entered.to_string(),
            stage.advanced.to_string(),
            stage.lost.to_string(),
            stage.moved_back.to_string(),
            stage.remaining.to_string(),
            percent(stage.conversion),
            percent(stage.loss_rate),
            opt_num(time.median_days, 1),
            opt_num(time.mean_days, 1),
            opt_num(time.expected_days, 1),
            percent(time.over_budget_share),
            stage.stalled.to_string(),
        ]);
    }
    align(&rows, out);
    let funnel = &period.funnel;
    let mut line = format!(
        "Funnel: {} new deals, {} won, {} lost, win rate {}",
        funnel.new_deals,
        funnel.won,
        funnel.lost,
        percent(funnel.win_rate)
    );
    if funnel.cycle.deals > 0 {
        let _ = write!(
            line,
            ", median cycle {} d",
            opt_num(funnel.cycle.median_days, 1)
        );
        if let (Some(target), Some(over)) = (funnel.cycle.target_days, funnel.cycle.over_target) {
            let _ = write!(
                line,
                " (target {target:.0} d, {over} of {} slower)",
                funnel.cycle.deals
            );
        }
    }
    if let Some(demo) = &funnel.demo {
        let _ = write!(
            line,
            ", demo requested by {} of new deals",
            percent(demo.share)
        );
    }
    out.push_str(&line);
    out.push('\n');
    let off_process = report.off_process(period, "skip", "back");
    if !off_process.is_empty() {
        let _ = writeln!(out, "Off the process: {}", off_process.join(", "));
    }
    out.push('\n');
}

/// Renders the table.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let input = &report.input;
    let _ = writeln!(
        out,
        "{} ({}): {} rows, {} deals from {}, times in {}\n",
        report.playbook.name,
        report.playbook.id,
        input.rows,
        input.deals,
        input.history,
        report.time_zone
    );
    for period in &report.periods {
        period_block(report, period, &period.label, &mut out);
    }
    if report.periods.len() > 1 {
        period_block(report, &report.total, "All periods", &mut out);
    }
    if !report.stalled.is_empty() {
        let _ = writeln!(out, "Stalled at {}", report.total.as_of);
        let mut rows = vec![
            ["Deal", "Stage", "Since", "Days", "Budget d"]
                .map(String::from)
                .to_vec(),
        ];
        for deal in &report.stalled {
            rows.push(vec![
                deal.deal.clone(),
                report.stage_name(&deal.stage).to_owned(),
                deal.since.clone(),
                format!("{:.1}", deal.days),
                format!("{:.1}", deal.expected_days),
            ]);
        }
        align(&rows, &mut out);
        out.push('\n');
    }
    if let Some(profile) = &report.won_profile {
        let _ = writeln!(out, "Won deals ({}): time per stage", profile.won_deals);
        let mut rows = vec![
            [
                "Stage",
                "Deals",
                "P25 d",
                "Median d",
                "P75 d",
                "Budget d",
                "Suggested",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for stage in &profile.stages {
            rows.push(vec![
                report.stage_name(&stage.stage).to_owned(),
                stage.deals.to_string(),
                opt_num(stage.p25_days, 1),
                opt_num(stage.median_days, 1),
                opt_num(stage.p75_days, 1),
                opt_num(stage.expected_days, 1),
                stage
                    .suggested_expected_duration
                    .clone()
                    .unwrap_or_else(|| "–".into()),
            ]);
        }
        align(&rows, &mut out);
        if profile.activities {
            let _ = writeln!(
                out,
                "\nWon deals: touchpoints per stage (median per deal, playbook `do`)"
            );
            let mut rows = vec![
                ["Stage", "Channel", "Median", "Mean", "Playbook"]
                    .map(String::from)
                    .to_vec(),
            ];
            for stage in &profile.stages {
                for touch in &stage.touchpoints {
                    rows.push(vec![
                        report.stage_name(&stage.stage).to_owned(),
                        touch.channel.clone(),
                        opt_num(touch.median, 1),
                        opt_num(touch.mean, 2),
                        touch.playbook.map_or_else(|| "–".into(), |n| n.to_string()),
                    ]);
                }
            }
            align(&rows, &mut out);
        }
        out.push('\n');
    }
    for warning in report.warnings() {
        let _ = writeln!(out, "warning: {warning}");
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

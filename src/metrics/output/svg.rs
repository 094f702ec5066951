//! SVG charts drawn in Rust: the funnel, time in stage against the budget, and where the
//! deals of each stage went, with the primitives and palette of [`crate::emit::svg`].

use std::fmt::Write as _;

use super::words::{fill, t};
use crate::emit::svg::palette::{BACK, LOST, NEUTRAL, NEUTRAL_LIGHT, REMAINING, WON};
use crate::emit::svg::{self, Anchor, Stroke};
use crate::metrics::report::{PeriodReport, Report};
use crate::metrics::stages::Kind;

const WIDTH: f64 = 760.0;
const LABEL: f64 = 170.0;
const ROW: f64 = 30.0;
const BAR: f64 = 20.0;
/// Width of the bars' area; the numbers go in a column to its right, clear of every bar,
/// tick and budget line.
const PLOT: f64 = WIDTH - LABEL - 120.0;

fn open(out: &mut String, title: &str, rows: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let height = rows as f64 * ROW + 36.0;
    svg::open(out, WIDTH, height, title);
    height
}

fn label(out: &mut String, y: f64, text: &str) {
    svg::text(
        out,
        LABEL - 8.0,
        y + BAR / 2.0 + 4.0,
        Anchor::End,
        "l",
        text,
    );
}

fn rect(out: &mut String, x: f64, y: f64, w: f64, colour: &str, tip: &str) {
    svg::rect(out, (x, y), (w, BAR), colour, tip);
}

fn value(out: &mut String, x: f64, y: f64, text: &str) {
    svg::text(out, x + 6.0, y + BAR / 2.0 + 4.0, Anchor::Start, "v", text);
}

#[allow(clippy::cast_precision_loss)]
fn scale(count: u64, max: u64) -> f64 {
    if max == 0 {
        0.0
    } else {
        count as f64 / max as f64 * PLOT
    }
}

/// The funnel: deals that were in each stage during the period (there at the start or
/// entering), with the part that advanced, then the deals won.
pub(crate) fn funnel(report: &Report, period: &PeriodReport) -> String {
    let mut out = String::new();
    open(&mut out, t(report, "chart_funnel"), period.stages.len() + 1);
    let max = period
        .stages
        .iter()
        .map(|s| s.at_start + s.entered)
        .chain([period.funnel.won])
        .max()
        .unwrap_or(0);
    let mut y = 8.0;
    for s in &period.stages {
        let total = s.at_start + s.entered;
        let w = scale(total, max);
        let x = LABEL + (PLOT - w) / 2.0;
        let name = report.stage_name(&s.stage);
        label(&mut out, y, name);
        rect(
            &mut out,
            x,
            y,
            w,
            NEUTRAL_LIGHT,
            &fill(
                report,
                "tip_in_stage",
                &[("name", &name), ("count", &total)],
            ),
        );
        let a = scale(s.advanced, max);
        rect(
            &mut out,
            LABEL + (PLOT - a) / 2.0,
            y + 4.0,
            a,
            NEUTRAL,
            &fill(
                report,
                "tip_advanced",
                &[("name", &name), ("count", &s.advanced)],
            ),
        );
        value(
            &mut out,
            LABEL + PLOT,
            y,
            &format!("{total} → {}", s.advanced),
        );
        y += ROW;
    }
    let w = scale(period.funnel.won, max);
    // The playbook's own name for winning (`赢单`, `Closed won`).
    let won = report
        .stages
        .iter()
        .find(|s| s.kind == Kind::Won)
        .map_or(t(report, "won"), |s| s.name.as_str());
    label(&mut out, y, won);
    rect(
        &mut out,
        LABEL + (PLOT - w) / 2.0,
        y,
        w,
        WON,
        &fill(report, "won_count", &[("won", &period.funnel.won)]),
    );
    value(&mut out, LABEL + PLOT, y, &period.funnel.won.to_string());
    svg::close(&mut out);
    out
}

/// Median time in each stage (bar), mean (tick) and budget (dashed line).
#[allow(clippy::cast_precision_loss)]
pub(crate) fn time_in_stage(report: &Report, period: &PeriodReport) -> String {
    let mut out = String::new();
    let height = open(&mut out, t(report, "chart_time"), period.stages.len());
    let max = period
        .stages
        .iter()
        .flat_map(|s| {
            let time = &s.time_in_stage;
            [time.median_days, time.mean_days, time.expected_days]
        })
        .flatten()
        .fold(0.0f64, f64::max);
    let x_of = |days: f64| LABEL + if max > 0.0 { days / max * PLOT } else { 0.0 };
    let mut y = 8.0;
    for s in &period.stages {
        let time = &s.time_in_stage;
        let name = report.stage_name(&s.stage);
        label(&mut out, y, name);
        if let Some(median) = time.median_days {
            let over = time.expected_days.is_some_and(|e| median > e);
            rect(
                &mut out,
                LABEL,
                y,
                x_of(median) - LABEL,
                if over { LOST } else { NEUTRAL },
                &fill(
                    report,
                    "tip_median",
                    &[
                        ("name", &name),
                        ("days", &format!("{median:.1}")),
                        ("visits", &time.visits),
                    ],
                ),
            );
            let mut text = format!("{median:.1} {}", t(report, "days_unit"));
            if let Some(e) = time.expected_days {
                let _ = write!(text, " / {e:.1}");
            }
            value(&mut out, LABEL + PLOT, y, &text);
        } else {
            value(&mut out, LABEL, y, t(report, "no_exits"));
        }
        if let Some(mean) = time.mean_days {
            let solid = Stroke {
                colour: "#111",
                width: 2,
                dash: None,
            };
            let tip = fill(report, "mean_days", &[("days", &format!("{mean:.1}"))]);
            svg::vertical(&mut out, x_of(mean), (y - 2.0, y + BAR + 2.0), solid, &tip);
        }
        if let Some(expected) = time.expected_days {
            let dashed = Stroke {
                colour: "#111",
                width: 1,
                dash: Some("3 2"),
            };
            let tip = fill(
                report,
                "expected_days",
                &[("days", &format!("{expected:.1}"))],
            );
            svg::vertical(
                &mut out,
                x_of(expected),
                (y - 4.0, y + BAR + 4.0),
                dashed,
                &tip,
            );
        }
        y += ROW;
    }
    let _ = write!(
        out,
        r##"<line x1="{LABEL:.1}" x2="{LABEL:.1}" y1="4" y2="{:.1}" stroke="#555"/>"##,
        height - 24.0
    );
    svg::close(&mut out);
    out
}

/// Where the deals of each stage went: advanced, lost, back, or still there.
pub(crate) fn flows(report: &Report, period: &PeriodReport) -> String {
    let mut out = String::new();
    open(&mut out, t(report, "chart_flows"), period.stages.len());
    let max = period
        .stages
        .iter()
        .map(|s| s.at_start + s.entered)
        .max()
        .unwrap_or(0);
    let mut y = 8.0;
    for s in &period.stages {
        let name = report.stage_name(&s.stage);
        label(&mut out, y, name);
        let mut x = LABEL;
        for (count, colour, what) in [
            (s.advanced, WON, t(report, "advanced")),
            (s.lost, LOST, t(report, "lost")),
            (s.moved_back, BACK, t(report, "moved_back")),
            (s.remaining, REMAINING, t(report, "still_in_stage")),
        ] {
            let w = scale(count, max);
            rect(
                &mut out,
                x,
                y,
                w,
                colour,
                &fill(
                    report,
                    "tip_flow",
                    &[("name", &name), ("count", &count), ("what", &what)],
                ),
            );
            x += w;
        }
        value(
            &mut out,
            LABEL + PLOT,
            y,
            &format!(
                "{} / {} / {} / {}",
                s.advanced, s.lost, s.moved_back, s.remaining
            ),
        );
        y += ROW;
    }
    svg::close(&mut out);
    out
}

//! The HTML report: one self-contained page (inline CSS and SVG, no script, no external
//! resource) that a sales leader reads at a glance. All user text is escaped.

use std::fmt::Write as _;

use super::svg::{self, ADVANCED, BACK, REMAINING};
use super::table::{opt_num, percent};
use crate::emit::escape::html as escape;
use crate::emit::svg::palette::LOST;
use crate::metrics::report::{PeriodReport, Report};

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC','Noto Sans',sans-serif;margin:2rem auto;max-width:62rem;color:#1b1b1b;padding:0 1rem}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}\
.meta{color:#555;margin-top:0}.cards{display:flex;gap:1rem;flex-wrap:wrap}\
.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:10rem}\
.card b{display:block;font-size:1.5rem}table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}\
th,td{padding:.25rem .5rem;border-bottom:1px solid #eee;text-align:right}th:first-child,td:first-child{text-align:left}\
th{background:#f5f5f5}.l{font-size:12px;fill:#222}.v{font-size:11px;fill:#333}\
.key{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}\
.warn{background:#fff4e5;border-left:4px solid #ef8f00;padding:.4rem .8rem}\
@media print{body{margin:0}h2{break-after:avoid}svg{break-inside:avoid}}";

fn row(out: &mut String, cells: &[String], header: bool) {
    let tag = if header { "th" } else { "td" };
    out.push_str("<tr>");
    for cell in cells {
        let _ = write!(out, "<{tag}>{}</{tag}>", escape(cell));
    }
    out.push_str("</tr>");
}

fn stage_table(report: &Report, period: &PeriodReport, out: &mut String) {
    out.push_str("<table><thead>");
    row(
        out,
        &[
            "Stage",
            "At start",
            "Entered",
            "Advanced",
            "Lost",
            "Back",
            "Remaining",
            "Conversion",
            "Loss rate",
            "Median days",
            "Mean days",
            "Budget days",
            "Over budget",
            "Stalled",
        ]
        .map(String::from),
        true,
    );
    out.push_str("</thead><tbody>");
    for s in &period.stages {
        let t = &s.time_in_stage;
        row(
            out,
            &[
                report.stage_name(&s.stage).to_owned(),
                s.at_start.to_string(),
                s.entered.to_string(),
                s.advanced.to_string(),
                s.lost.to_string(),
                s.moved_back.to_string(),
                s.remaining.to_string(),
                percent(s.conversion),
                percent(s.loss_rate),
                opt_num(t.median_days, 1),
                opt_num(t.mean_days, 1),
                opt_num(t.expected_days, 1),
                percent(t.over_budget_share),
                s.stalled.to_string(),
            ],
            false,
        );
    }
    out.push_str("</tbody></table>");
}

/// Renders the page.
pub fn render(report: &Report) -> String {
    let total = &report.total;
    let title = format!("Pipeline metrics: {}", report.playbook.name);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&report.playbook.locale),
        escape(&title)
    );
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"meta\">{} to {} · {} stage changes of {} deals from <code>{}</code> · times in {}</p>",
        escape(&title),
        escape(&total.from),
        escape(&total.to),
        report.input.rows,
        report.input.deals,
        escape(&report.input.history),
        escape(&report.time_zone)
    );
    let warnings = report.warnings();
    if !warnings.is_empty() {
        out.push_str("<div class=\"warn\">");
        for warning in &warnings {
            let _ = write!(out, "<p>{}</p>", escape(warning));
        }
        out.push_str("</div>");
    }

    let funnel = &total.funnel;
    out.push_str("<div class=\"cards\">");
    let mut card = |value: String, what: String| {
        let _ = write!(
            out,
            "<div class=\"card\"><b>{}</b>{}</div>",
            escape(&value),
            escape(&what)
        );
    };
    card(funnel.new_deals.to_string(), "new deals".into());
    card(
        percent(funnel.win_rate),
        format!("win rate ({} won, {} lost)", funnel.won, funnel.lost),
    );
    card(
        opt_num(funnel.cycle.median_days, 1),
        funnel.cycle.target_days.map_or_else(
            || "median days to win".to_owned(),
            |t| format!("median days to win (target {t:.0})"),
        ),
    );
    if let Some(demo) = &funnel.demo {
        card(percent(demo.share), "of new deals asked for a demo".into());
    }
    let stalled: u64 = total.stages.iter().map(|s| s.stalled).sum();
    card(
        stalled.to_string(),
        format!("deals stalled at {}", total.as_of),
    );
    out.push_str("</div>");

    out.push_str("<h2>Funnel</h2>");
    out.push_str(&svg::funnel(report, total));
    out.push_str("<h2>Time in stage against the playbook</h2><p>Bar: median days in the stage for deals that left it; black tick: mean; dashed line: the stage's <code>expected_duration</code>. Red bars are over budget.</p>");
    out.push_str(&svg::time_in_stage(report, total));
    let _ = write!(
        out,
        "<h2>Stage flows</h2><p>Where the deals in each stage went:<span class=\"key\" style=\"background:{ADVANCED}\"></span>advanced<span class=\"key\" style=\"background:{LOST}\"></span>lost<span class=\"key\" style=\"background:{BACK}\"></span>moved back<span class=\"key\" style=\"background:{REMAINING}\"></span>still there</p>"
    );
    out.push_str(&svg::flows(report, total));

    let _ = write!(
        out,
        "<h2>All stages, {} to {}</h2>",
        escape(&total.from),
        escape(&total.to)
    );
    stage_table(report, total, &mut out);
    let off = report.off_process(total, "skipped ahead", "moved back");
    if !off.is_empty() {
        out.push_str("<h2>Off the process</h2><ul>");
        for item in off {
            let _ = write!(out, "<li>{}</li>", escape(&item));
        }
        out.push_str("</ul>");
    }
    if report.periods.len() > 1 {
        for period in &report.periods {
            let _ = write!(
                out,
                "<h2>{} <small>({} to {})</small></h2>",
                escape(&period.label),
                escape(&period.from),
                escape(&period.to)
            );
            stage_table(report, period, &mut out);
        }
    }
    if !report.stalled.is_empty() {
        let _ = write!(
            out,
            "<h2>Stalled deals at {}</h2><table><thead>",
            escape(&total.as_of)
        );
        row(
            &mut out,
            &["Deal", "Stage", "Since", "Days", "Budget days"].map(String::from),
            true,
        );
        out.push_str("</thead><tbody>");
        for deal in &report.stalled {
            row(
                &mut out,
                &[
                    deal.deal.clone(),
                    report.stage_name(&deal.stage).to_owned(),
                    deal.since.clone(),
                    format!("{:.1}", deal.days),
                    format!("{:.1}", deal.expected_days),
                ],
                false,
            );
        }
        out.push_str("</tbody></table>");
    }
    if let Some(profile) = &report.won_profile {
        let _ = write!(
            out,
            "<h2>What the {} won deals looked like</h2><table><thead>",
            profile.won_deals
        );
        row(
            &mut out,
            &[
                "Stage",
                "Deals",
                "P25 days",
                "Median days",
                "P75 days",
                "Budget days",
                "Suggested budget",
            ]
            .map(String::from),
            true,
        );
        out.push_str("</thead><tbody>");
        for s in &profile.stages {
            row(
                &mut out,
                &[
                    report.stage_name(&s.stage).to_owned(),
                    s.deals.to_string(),
                    opt_num(s.p25_days, 1),
                    opt_num(s.median_days, 1),
                    opt_num(s.p75_days, 1),
                    opt_num(s.expected_days, 1),
                    s.suggested_expected_duration
                        .clone()
                        .unwrap_or_else(|| "–".into()),
                ],
                false,
            );
        }
        out.push_str("</tbody></table>");
        if profile.activities {
            out.push_str("<table><thead>");
            row(
                &mut out,
                &[
                    "Stage",
                    "Channel",
                    "Median per deal",
                    "Mean per deal",
                    "Playbook do",
                ]
                .map(String::from),
                true,
            );
            out.push_str("</thead><tbody>");
            for s in &profile.stages {
                for t in &s.touchpoints {
                    row(
                        &mut out,
                        &[
                            report.stage_name(&s.stage).to_owned(),
                            t.channel.clone(),
                            opt_num(t.median, 1),
                            opt_num(t.mean, 2),
                            t.playbook.map_or_else(|| "–".into(), |n| n.to_string()),
                        ],
                        false,
                    );
                }
            }
            out.push_str("</tbody></table>");
        }
    }
    out.push_str("<p class=\"meta\">Conversion = deals that moved forward ÷ deals that left the stage; loss rate = deals lost ÷ deals that left the stage; win rate = won ÷ (won + lost) in the period. Made by stagebook.</p></body></html>\n");
    out
}

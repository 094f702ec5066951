//! The HTML report: one self-contained page (inline CSS and SVG, no script, no external
//! resource) that a sales leader reads at a glance. The page is the template
//! `templates/metrics.html.j2`, which `--templates DIR` can replace like the handbook's; this
//! module gives it the report's numbers formatted for people, the stage tables from
//! [`super::columns`] and the charts from [`super::svg`]. Every value is escaped by the
//! template.

use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Serialize;

use super::columns::{self, PeopleTable, shown_columns, shown_row};
use super::svg;
use super::table::{opt_num, percent};
use super::words::{fill, labels, milestone_name, pick, t};
use crate::emit::svg::palette::{BACK, LOST, REMAINING, WON};
use crate::emit::templates::{TemplateError, Templates};
use crate::metrics::report::{PeriodReport, Report};

/// The name of the template.
pub(crate) const TEMPLATE: &str = "metrics.html.j2";

/// A table as the template draws it: header cells, then rows of cells, and a link for each
/// row's first cell when there are links.
#[derive(Debug, Serialize)]
struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    links: Vec<Option<String>>,
}

#[derive(Debug, Serialize)]
struct Card {
    value: String,
    what: String,
}

#[derive(Debug, Serialize)]
struct Period<'r> {
    label: &'r str,
    from: &'r str,
    to: &'r str,
    as_of: &'r str,
    table: Table,
}

fn stage_table(report: &Report, period: &PeriodReport) -> Table {
    Table {
        headers: shown_columns().map(|(_, h)| pick(report, h.html)).collect(),
        rows: period.stages.iter().map(|s| shown_row(report, s)).collect(),
        links: Vec::new(),
    }
}

fn period<'r>(report: &Report, period: &'r PeriodReport) -> Period<'r> {
    Period {
        label: &period.label,
        from: &period.from,
        to: &period.to,
        as_of: &period.as_of,
        table: stage_table(report, period),
    }
}

fn cards(report: &Report) -> Vec<Card> {
    let total = &report.total;
    let funnel = &total.funnel;
    let card = |value: String, what: String| Card { value, what };
    let mut cards = vec![
        card(
            funnel.new_deals.to_string(),
            t(report, "card_new_deals").into(),
        ),
        card(
            percent(funnel.win_rate),
            fill(
                report,
                "card_win_rate",
                &[("won", &funnel.won), ("lost", &funnel.lost)],
            ) + &if funnel.left_out > 0 {
                fill(report, "funnel_left_out", &[("n", &funnel.left_out)])
            } else {
                String::new()
            },
        ),
        card(
            opt_num(funnel.cycle.median_days, 1),
            funnel.cycle.target_days.map_or_else(
                || t(report, "card_median_cycle").to_owned(),
                |target| {
                    fill(
                        report,
                        "card_median_cycle_target",
                        &[("target", &format!("{target:.0}"))],
                    )
                },
            ),
        ),
    ];
    if let Some(demo) = &funnel.demo {
        cards.push(card(percent(demo.share), t(report, "card_demo").into()));
    }
    // The funnel's milestones: how many new deals reach the first, then each step's
    // conversion, and the last one's to won.
    let name = |id: &str| milestone_name(report, id);
    for (k, m) in funnel.milestones.iter().enumerate() {
        if k == 0 {
            cards.push(card(
                percent(m.share),
                fill(report, "card_milestone", &[("m", &name(&m.id))]),
            ));
        } else {
            let before = &funnel.milestones[k - 1];
            cards.push(card(
                percent(m.from_previous),
                fill(
                    report,
                    "card_milestone_step",
                    &[("from", &name(&before.id)), ("to", &name(&m.id))],
                ),
            ));
        }
    }
    if let Some(last) = funnel.milestones.last() {
        cards.push(card(
            percent(last.to_won),
            fill(
                report,
                "card_milestone_step",
                &[("from", &name(&last.id)), ("to", &t(report, "won_word"))],
            ),
        ));
    }
    let stalled: u64 = total.stages.iter().map(|s| s.stalled).sum();
    cards.push(card(
        stalled.to_string(),
        fill(report, "card_stalled", &[("as_of", &total.as_of)]),
    ));
    cards
}

impl Table {
    /// A table of people for the page, headed in the report's language.
    fn people(report: &Report, table: PeopleTable) -> Self {
        Self {
            headers: table.html.iter().map(|h| pick(report, *h)).collect(),
            rows: table.rows,
            links: table.links,
        }
    }
}

fn won_profile(report: &Report) -> Option<Value> {
    let profile = report.won_profile.as_ref()?;
    let stages = Table::people(report, columns::won_stages(report, profile));
    let touchpoints =
        columns::touchpoints(report, profile).map(|table| Table::people(report, table));
    Some(context! {
        won_deals => profile.won_deals,
        stages => Value::from(Serde(&stages)),
        touchpoints => Value::from(Serde(&touchpoints)),
    })
}

/// The template's context (documented in `docs/templates.md`).
pub(crate) fn context(report: &Report) -> Value {
    let total = &report.total;
    let periods: Vec<Period<'_>> = if report.periods.len() > 1 {
        report.periods.iter().map(|p| period(report, p)).collect()
    } else {
        Vec::new()
    };
    context! {
        lang => &report.playbook.locale,
        title => fill(report, "title", &[("name", &report.playbook.name)]),
        t => labels(report),
        text => context! {
            meta => fill(report, "meta", &[
                ("from", &total.from),
                ("to", &total.to),
                ("rows", &report.input.rows),
                ("deals", &report.input.deals),
                ("history", &report.input.history),
                ("zone", &report.time_zone),
                ("as_of", &report.as_of),
            ]),
            read_as => fill(report, "read_as", &[("source", &report.input.source.id())]),
            all_stages => fill(report, "all_stages", &[("from", &total.from), ("to", &total.to)]),
            stalled => fill(report, "stalled_title", &[("as_of", &total.as_of)]),
            won_profile => report.won_profile.as_ref().map(|p| fill(report, "won_profile", &[("won", &p.won_deals)])),
            def_cohort => fill(report, "def_cohort", &[("as_of", &report.as_of)]),
            def_stalled => fill(report, "def_stalled", &[("as_of", &report.as_of)]),
        },
        input => Value::from(Serde(&report.input)),
        time_zone => &report.time_zone,
        as_of => &report.as_of,
        warnings => report.warnings(),
        cards => Value::from(Serde(cards(report))),
        charts => context! {
            funnel => Value::from_safe_string(svg::funnel(report, total)),
            time_in_stage => Value::from_safe_string(svg::time_in_stage(report, total)),
            flows => Value::from_safe_string(svg::flows(report, total)),
        },
        colours => context! { advanced => WON, lost => LOST, back => BACK, remaining => REMAINING },
        total => Value::from(Serde(period(report, total))),
        off_process => report.off_process(total, t(report, "skipped_ahead"), t(report, "moved_back")),
        periods => Value::from(Serde(&periods)),
        stalled => Value::from(Serde(columns::stalled(report).map(|table| Table::people(report, table)))),
        by => report.by.as_ref().map(|by| context! {
            title => columns::breakdown_title(report, &by.key),
            table => Value::from(Serde(columns::breakdown(report).map(|table| Table::people(report, table)))),
        }),
        won_profile => won_profile(report),
    }
}

/// Renders the page with `templates` (the built-in template, or the one in `--templates`).
pub(crate) fn render(report: &Report, templates: &Templates) -> Result<String, TemplateError> {
    templates.render(TEMPLATE, &context(report))
}

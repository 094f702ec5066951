//! From counters to the report: every rate, median and list people read is derived here,
//! once, and every output format prints the result.

use super::compute::{Frame, Tally};
use super::history::InputStats;
use super::report::{
    Cohort, Cycle, DemoShare, Flow, FlowKind, Funnel, MilestoneReach, PeriodReport, StageStats,
    StalledDeal, TimeInStage,
};
use super::stages::Kind;
use super::time::Zone;

pub(crate) const DAY: f64 = 86_400.0;

/// Days, rounded to 2 decimals.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn days(secs: i64) -> f64 {
    round(secs as f64 / DAY, 2)
}

/// A ratio rounded to 4 decimals, or `None` without a denominator.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| round(part as f64 / whole as f64, 4))
}

fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// Median and mean (in days) of a list of seconds; the list is reordered.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn median_mean(values: &mut [u32]) -> (Option<f64>, Option<f64>) {
    if values.is_empty() {
        return (None, None);
    }
    let sum: u64 = values.iter().map(|&v| u64::from(v)).sum();
    let mean = sum as f64 / values.len() as f64;
    (
        Some(days_f(quantile(values, 0.5))),
        Some(round(mean / DAY, 2)),
    )
}

/// The `q` quantile of a list of seconds, interpolating between neighbours (the median of
/// an even list is the mean of the middle two).
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub(crate) fn quantile(values: &mut [u32], q: f64) -> f64 {
    values.sort_unstable();
    let position = q * (values.len() - 1) as f64;
    let low = position.floor() as usize;
    let high = position.ceil() as usize;
    let fraction = position - low as f64;
    f64::from(values[low]) + (f64::from(values[high]) - f64::from(values[low])) * fraction
}

/// Seconds (possibly fractional) as days, rounded to 2 decimals.
pub(crate) fn days_f(secs: f64) -> f64 {
    round(secs / DAY, 2)
}

/// Numbers for the periods `range` taken together.
pub(crate) fn period_report(
    frame: &Frame<'_>,
    tally: &Tally,
    range: std::ops::Range<usize>,
    zone: &Zone,
) -> PeriodReport {
    let stages = &frame.stages.stages;
    let n = stages.len();
    let first = &frame.periods[range.start];
    let last = &frame.periods[range.end - 1];
    let label = if range.len() == 1 {
        first.label.clone()
    } else {
        format!("{}..{}", first.first_day, last.last_day)
    };
    let flow_sum =
        |from: usize, to: usize| -> u64 { range.clone().map(|p| tally.flow(p, from, to)).sum() };
    let sum = |values: &[u64], s: usize| -> u64 { range.clone().map(|p| values[p * n + s]).sum() };

    let mut stage_stats = Vec::new();
    for (s, info) in stages.iter().enumerate() {
        if info.kind != Kind::Open {
            continue;
        }
        let (mut advanced, mut lost_to, mut back, mut skips, mut backward, mut recycled) =
            (0, 0, 0, 0, 0, 0);
        for to in 0..n {
            let count = flow_sum(s, to);
            match frame.flow_kind(s, to) {
                FlowKind::Forward => advanced += count,
                FlowKind::Skip => {
                    advanced += count;
                    skips += count;
                }
                FlowKind::Lost => lost_to += count,
                FlowKind::Recycle => {
                    back += count;
                    recycled += count;
                }
                FlowKind::Backward => {
                    back += count;
                    backward += count;
                }
                FlowKind::New => {}
            }
        }
        let exits = advanced + lost_to + back;
        let entered = sum(&tally.entered, s);
        let mut durations: Vec<u32> = range
            .clone()
            .flat_map(|p| tally.durations[p * n + s].values())
            .collect();
        let visits = durations.len() as u64;
        let over = info.expected.map(|_| sum(&tally.over_budget, s));
        let (median, mean) = median_mean(&mut durations);
        stage_stats.push(StageStats {
            stage: info.id.clone(),
            at_start: tally.inside(range.start, s),
            entered,
            advanced,
            lost: lost_to,
            moved_back: back,
            remaining: tally.inside(range.end, s),
            conversion: ratio(advanced, exits),
            loss_rate: ratio(lost_to, exits),
            still_open_share: ratio(
                tally.inside(range.end, s),
                tally.inside(range.start, s) + entered,
            ),
            cohort: {
                let (forwards, to_lost, backwards) = (
                    sum(&tally.cohort_advanced, s),
                    sum(&tally.cohort_lost, s),
                    sum(&tally.cohort_back, s),
                );
                Cohort {
                    entered,
                    advanced: forwards,
                    lost: to_lost,
                    moved_back: backwards,
                    still_open: entered.saturating_sub(forwards + to_lost + backwards),
                    conversion: ratio(forwards, entered),
                }
            },
            time_in_stage: TimeInStage {
                visits,
                mean_days: mean,
                median_days: median,
                expected_days: info.expected.map(days),
                over_budget: over,
                over_budget_share: over.and_then(|o| ratio(o, visits)),
            },
            stalled: tally.stalled(range.end - 1, s),
            skips_from: skips,
            skipped: sum(&tally.skipped, s),
            backward_moves: backward,
            recycled,
        });
    }

    let mut flows = Vec::new();
    for from in 0..=n {
        for to in 0..n {
            let deals = flow_sum(from, to);
            if deals == 0 {
                continue;
            }
            flows.push(Flow {
                from: stages.get(from).map(|f| f.id.clone()),
                to: stages[to].id.clone(),
                kind: if from == n {
                    FlowKind::New
                } else {
                    frame.flow_kind(from, to)
                },
                deals,
            });
        }
    }

    let closed = |kind: Kind, in_win_rate: bool| -> u64 {
        (0..n)
            .filter(|&to| stages[to].kind == kind && stages[to].in_win_rate == in_win_rate)
            .map(|to| (0..=n).map(|from| flow_sum(from, to)).sum::<u64>())
            .sum()
    };
    let (won, closed_lost, left_out) = (
        closed(Kind::Won, true),
        closed(Kind::Lost, true),
        closed(Kind::Lost, false),
    );
    let mut cycles: Vec<u32> = range
        .clone()
        .flat_map(|p| tally.cycles[p].values())
        .collect();
    let over_target = frame
        .cycle_target
        .map(|t| cycles.iter().filter(|&&c| i64::from(c) > t).count() as u64);
    let cycle_deals = cycles.len() as u64;
    let (median, mean) = median_mean(&mut cycles);
    let new_deals: u64 = range.clone().map(|p| tally.new_deals[p]).sum();
    let m = frame.stages.milestones.len();
    let sum = |counts: &[u64], b: usize| -> u64 { range.clone().map(|p| counts[p * m + b]).sum() };
    let milestones: Vec<MilestoneReach> = frame
        .stages
        .milestones
        .iter()
        .enumerate()
        .map(|(b, id)| {
            let reached = sum(&tally.new_reached, b);
            let won = sum(&tally.new_reached_won, b);
            MilestoneReach {
                id: id.clone(),
                stages: stages
                    .iter()
                    .zip(&frame.stages.stages)
                    .filter(|(_, info)| info.milestone.as_deref() == Some(id.as_str()))
                    .map(|(s, _)| s.id.clone())
                    .collect(),
                reached,
                share: ratio(reached, new_deals),
                from_previous: (b > 0)
                    .then(|| {
                        ratio(
                            sum(&tally.new_reached_after, b),
                            sum(&tally.new_reached, b - 1),
                        )
                    })
                    .flatten(),
                won,
                to_won: ratio(won, reached),
            }
        })
        .collect();
    // The demo share is the `demo` milestone's reach, in the report's older shape.
    let demo = milestones
        .iter()
        .find(|m| m.id == "demo")
        .map(|m| DemoShare {
            stages: m.stages.clone(),
            new_deals,
            requested_demo: m.reached,
            share: m.share,
        });

    PeriodReport {
        label,
        from: first.first_day.to_string(),
        to: last.last_day.to_string(),
        as_of: zone.format(frame.as_of[range.end - 1]),
        stages: stage_stats,
        funnel: Funnel {
            new_deals,
            won,
            lost: closed_lost,
            left_out,
            win_rate: ratio(won, won + closed_lost),
            cycle: Cycle {
                deals: cycle_deals,
                median_days: median,
                mean_days: mean,
                target_days: frame.cycle_target.map(days),
                over_target,
            },
            demo,
            milestones,
        },
        flows,
    }
}

/// Deals stalled at the end of the range, longest first, at most `limit` per stage.
pub(crate) fn stalled_list(
    frame: &Frame<'_>,
    tally: &mut Tally,
    limit: usize,
    zone: &Zone,
) -> Vec<StalledDeal> {
    tally
        .stalled_deals
        .sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut per_stage = vec![0usize; frame.stages.len()];
    let mut out = Vec::new();
    for (age, deal, stage, since) in &tally.stalled_deals {
        let count = &mut per_stage[usize::from(*stage)];
        if *count >= limit {
            continue;
        }
        *count += 1;
        let info = &frame.stages.stages[usize::from(*stage)];
        out.push(StalledDeal {
            deal: deal.to_string(),
            stage: info.id.clone(),
            since: zone.format(*since),
            days: days(*age),
            expected_days: days(info.expected.unwrap_or(0)),
            details: super::details::Details::default(),
            url: None,
        });
    }
    out
}

/// Summary of reading, for the report.
pub(crate) fn unknown_sorted(stats: &InputStats) -> Vec<super::report::UnknownStage> {
    let mut unknown: Vec<_> = stats
        .unknown
        .iter()
        .map(|(name, rows)| super::report::UnknownStage {
            name: name.clone(),
            rows: *rows,
        })
        .collect();
    unknown.sort_by(|a, b| b.rows.cmp(&a.rows).then_with(|| a.name.cmp(&b.name)));
    unknown
}

//! The fold: each deal's sorted stage changes become visits, and every visit adds to counters
//! kept per period and stage. The report's numbers are all derived from these counters.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::Error;
use super::history::{History, unpack};
use super::report::FlowKind;
use super::sample::Sample;
use super::stages::{Kind, Move, StageIx, StageMap};
use super::time::{Period, Secs};

/// A stalled deal, ordered as the list shows them: longest first, then by deal id.
type StalledKey = (Reverse<i64>, Box<str>, StageIx, Secs);

/// A deal's visit to a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Visit {
    /// Stage.
    pub(crate) stage: StageIx,
    /// When the deal entered it.
    pub(crate) enter: Secs,
}

/// Counters for every period and stage. Indexes: `[period * n + stage]`; flows
/// `[(period * (n + 1) + from) * n + to]` with `from == n` for deals entering the pipeline.
#[derive(Debug, Clone)]
pub(crate) struct Tally {
    /// Stages.
    pub(crate) n: usize,
    /// Entries into each stage.
    pub(crate) entered: Vec<u64>,
    /// Deals in each stage at each boundary (start of each period, then end of the last),
    /// as a difference array until [`Tally::finish`].
    pub(crate) inside: Vec<i64>,
    /// Stalled deals at each period's as-of instant, as a difference array until finished.
    pub(crate) stalled: Vec<i64>,
    /// Moves between stages.
    pub(crate) flows: Vec<u64>,
    /// Time in stage (seconds) of visits that ended in the period.
    pub(crate) durations: Vec<Sample>,
    /// Visits over the stage's budget.
    pub(crate) over_budget: Vec<u64>,
    /// Times a stage was jumped over.
    pub(crate) skipped: Vec<u64>,
    /// Of the entries into each stage in each period, those that moved on by the as-of
    /// instant: forwards, to lost, back (cohorts, by the period of entry).
    pub(crate) cohort_advanced: Vec<u64>,
    /// See `cohort_advanced`.
    pub(crate) cohort_lost: Vec<u64>,
    /// See `cohort_advanced`.
    pub(crate) cohort_back: Vec<u64>,
    /// Stage changes later than the as-of instant.
    pub(crate) after_as_of: u64,
    /// Deals that reach a won or lost stage (at any time in the history).
    pub(crate) closed_deals: u64,
    /// Deals with one stage change only.
    pub(crate) single_change_deals: u64,
    /// Deals whose first stage change is more than `cycle_target` before the as-of instant.
    pub(crate) older_than_target: u64,
    /// Cycle times (seconds) of deals won in the period.
    pub(crate) cycles: Vec<Sample>,
    /// Deals entering the pipeline in the period.
    pub(crate) new_deals: Vec<u64>,
    /// Of those, by period and milestone (`p * milestones + m`), deals that reached the
    /// milestone by the end of the history.
    pub(crate) new_reached: Vec<u64>,
    /// Of those, the deals also won by the end of the history.
    pub(crate) new_reached_won: Vec<u64>,
    /// Of those, the deals that also reached the milestone before it (none for the first).
    pub(crate) new_reached_after: Vec<u64>,
    /// Deals entering the pipeline in the period that were won by the end of the history.
    pub(crate) new_won: Vec<u64>,
    /// Deals with at least one row naming a playbook stage.
    pub(crate) deals: u64,
    /// Exact duplicate rows.
    pub(crate) duplicates: u64,
    /// Rows repeating the stage a deal was in.
    pub(crate) repeats: u64,
    /// Deals whose first row is won or lost.
    pub(crate) no_open_stage: u64,
    /// Deals stalled at the end of the range: (seconds in stage, deal, stage, entered), the
    /// longest [`Frame::stalled_limit`] of each stage (filled by [`Tally::finish`]).
    pub(crate) stalled_deals: Vec<(i64, Box<str>, StageIx, Secs)>,
    /// While folding, the longest stalled deals of each stage so far: a heap whose top is the
    /// first to leave, so memory follows the limit, not the number of stalled deals.
    stalled_top: Vec<BinaryHeap<StalledKey>>,
    /// For deals won in the range: seconds per stage, one list per stage.
    pub(crate) won_times: Vec<Sample>,
    /// Deals won in the range.
    pub(crate) won_deals: u64,
    /// Visits of deals won in the range, kept for `--activities`.
    pub(crate) won_timelines: HashMap<Box<str>, Vec<Visit>>,
}

/// What the fold needs to know besides the history.
pub(crate) struct Frame<'a> {
    /// Stages.
    pub(crate) stages: &'a StageMap,
    /// Periods, contiguous.
    pub(crate) periods: &'a [Period],
    /// Each period's as-of instant for stalls: its end, or [`Frame::observed`] if earlier.
    pub(crate) as_of: Vec<Secs>,
    /// When the history was taken (exclusive): `--as-of`, or just after the last stage change.
    /// Cohorts are followed until then.
    pub(crate) observed: Secs,
    /// `cycle_target` in seconds.
    pub(crate) cycle_target: Option<i64>,
    /// Keep won deals' visits for an activities file.
    pub(crate) keep_won_timelines: bool,
    /// Most stalled deals kept per stage (all by default).
    pub(crate) stalled_limit: usize,
    /// Flow kind of every (from, to) pair, precomputed.
    moves: Vec<FlowKind>,
    boundaries: Vec<Secs>,
}

impl<'a> Frame<'a> {
    /// Prepares the fold. `observed` is when the history was taken (exclusive: `--as-of`, or
    /// just after the last stage change): stalls are measured then when a period ends later
    /// (the history says nothing beyond).
    pub(crate) fn new(
        stages: &'a StageMap,
        periods: &'a [Period],
        observed: Secs,
        cycle_target: Option<i64>,
        keep_won_timelines: bool,
    ) -> Self {
        let n = stages.len();
        let mut moves = Vec::with_capacity(n * n);
        for from in 0..n {
            for to in 0..n {
                moves.push(match stages.classify(ix(from), ix(to)) {
                    Move::Forward => FlowKind::Forward,
                    Move::Skip => FlowKind::Skip,
                    Move::Lost => FlowKind::Lost,
                    Move::Recycle => FlowKind::Recycle,
                    Move::Backward => FlowKind::Backward,
                });
            }
        }
        let mut boundaries: Vec<Secs> = periods.iter().map(|p| p.start).collect();
        boundaries.push(periods.last().map_or(0, |p| p.end));
        Self {
            stages,
            periods,
            as_of: periods.iter().map(|p| p.end.min(observed)).collect(),
            observed,
            cycle_target,
            keep_won_timelines,
            stalled_limit: usize::MAX,
            moves,
            boundaries,
        }
    }

    /// How a move from one stage to another reads.
    pub(crate) fn flow_kind(&self, from: usize, to: usize) -> FlowKind {
        self.moves[from * self.stages.len() + to]
    }

    fn period_of(&self, at: Secs) -> Option<usize> {
        let first = self.boundaries.first()?;
        let last = self.boundaries.last()?;
        if at < *first || at >= *last {
            return None;
        }
        Some(self.boundaries.partition_point(|&b| b <= at) - 1)
    }

    /// The range of boundaries `b` with `after < b <= until` (until `None` = forever).
    fn boundary_range(list: &[Secs], after: Secs, until: Option<Secs>) -> (usize, usize) {
        let lo = list.partition_point(|&b| b <= after);
        let hi = until.map_or(list.len(), |u| list.partition_point(|&b| b <= u));
        (lo, hi.max(lo))
    }
}

impl Tally {
    /// Empty counters.
    pub(crate) fn new(frame: &Frame<'_>) -> Self {
        let n = frame.stages.len();
        let p = frame.periods.len();
        Self {
            n,
            entered: vec![0; p * n],
            inside: vec![0; (p + 2) * n],
            stalled: vec![0; (p + 1) * n],
            flows: vec![0; p * (n + 1) * n],
            durations: vec![Sample::default(); p * n],
            over_budget: vec![0; p * n],
            skipped: vec![0; p * n],
            cohort_advanced: vec![0; p * n],
            cohort_lost: vec![0; p * n],
            cohort_back: vec![0; p * n],
            after_as_of: 0,
            closed_deals: 0,
            single_change_deals: 0,
            older_than_target: 0,
            cycles: vec![Sample::default(); p],
            new_deals: vec![0; p],
            new_reached: vec![0; p * frame.stages.milestones.len()],
            new_reached_won: vec![0; p * frame.stages.milestones.len()],
            new_reached_after: vec![0; p * frame.stages.milestones.len()],
            new_won: vec![0; p],
            deals: 0,
            duplicates: 0,
            repeats: 0,
            no_open_stage: 0,
            stalled_deals: Vec::new(),
            stalled_top: vec![BinaryHeap::new(); n],
            won_times: vec![Sample::default(); n],
            won_deals: 0,
            won_timelines: HashMap::new(),
        }
    }

    /// Folds every deal of the history, one deal in memory at a time.
    pub(crate) fn fold_all(frame: &Frame<'_>, mut history: History) -> Result<Self, Error> {
        let mut tally = Self::new(frame);
        let (mut deal, mut events, mut visits) = (Vec::new(), Vec::new(), Vec::new());
        while history.groups.next(&mut deal, &mut events)? {
            // Ids were checked to be UTF-8 when read.
            let deal = String::from_utf8_lossy(&deal);
            tally.fold_deal(frame, &deal, &mut events, &mut visits);
            tally.deals += 1;
        }
        tally.finish();
        Ok(tally)
    }

    /// Folds one deal. `events` are packed and in any order; `visits` is scratch space.
    pub(crate) fn fold_deal(
        &mut self,
        frame: &Frame<'_>,
        deal: &str,
        events: &mut [u64],
        visits: &mut Vec<Visit>,
    ) {
        let n = self.n;
        events.sort_unstable();
        visits.clear();
        let mut previous = None;
        for &event in events.iter() {
            if previous == Some(event) {
                self.duplicates += 1;
                continue;
            }
            previous = Some(event);
            let (enter, stage) = unpack(event);
            if visits.last().is_some_and(|v: &Visit| v.stage == stage) {
                self.repeats += 1;
                continue;
            }
            visits.push(Visit { stage, enter });
        }
        let Some(first) = visits.first().copied() else {
            return;
        };
        let stage_info = |s: StageIx| &frame.stages.stages[usize::from(s)];
        if stage_info(first.stage).kind != Kind::Open {
            self.no_open_stage += 1;
        }
        if visits
            .iter()
            .any(|v| stage_info(v.stage).kind != Kind::Open)
        {
            self.closed_deals += 1;
        }
        if visits.len() == 1 {
            self.single_change_deals += 1;
        }
        if frame
            .cycle_target
            .is_some_and(|target| first.enter.saturating_add(target) < frame.observed)
        {
            self.older_than_target += 1;
        }
        if let Some(p) = frame.period_of(first.enter) {
            self.new_deals[p] += 1;
            let reached = visits
                .iter()
                .fold(0, |bits, v| bits | stage_info(v.stage).reaches);
            let won = visits.iter().any(|v| stage_info(v.stage).kind == Kind::Won);
            self.new_won[p] += u64::from(won);
            let m = frame.stages.milestones.len();
            for b in (0..m).filter(|b| reached & 1 << b != 0) {
                self.new_reached[p * m + b] += 1;
                self.new_reached_won[p * m + b] += u64::from(won);
                if b > 0 && reached & 1 << (b - 1) != 0 {
                    self.new_reached_after[p * m + b] += 1;
                }
            }
            self.flows[(p * (n + 1) + n) * n + usize::from(first.stage)] += 1;
        }
        let final_as_of = frame.as_of.last().copied();
        let mut won_in_range = false;
        for (i, visit) in visits.iter().enumerate() {
            let s = usize::from(visit.stage);
            let info = stage_info(visit.stage);
            let exit = visits.get(i + 1).copied();
            let exit_at = exit.map(|e| e.enter);
            if visit.enter >= frame.observed {
                self.after_as_of += 1;
            }
            if let Some(p) = frame.period_of(visit.enter) {
                self.entered[p * n + s] += 1;
                if let Some(exit) = exit.filter(|e| e.enter < frame.observed) {
                    let cohort = match frame.flow_kind(s, usize::from(exit.stage)) {
                        FlowKind::Forward | FlowKind::Skip => &mut self.cohort_advanced,
                        FlowKind::Lost => &mut self.cohort_lost,
                        FlowKind::Recycle | FlowKind::Backward | FlowKind::New => {
                            &mut self.cohort_back
                        }
                    };
                    cohort[p * n + s] += 1;
                }
                if info.kind == Kind::Won {
                    self.cycles[p].push(clamp(visit.enter - first.enter));
                    if exit.is_none() {
                        won_in_range = true;
                    }
                }
            }
            let (lo, hi) = Frame::boundary_range(&frame.boundaries, visit.enter, exit_at);
            self.inside[lo * n + s] += 1;
            self.inside[hi * n + s] -= 1;
            if let (Kind::Open, Some(budget)) = (info.kind, info.expected) {
                let (lo, hi) = Frame::boundary_range(
                    &frame.as_of,
                    visit.enter.saturating_add(budget),
                    exit_at,
                );
                self.stalled[lo * n + s] += 1;
                self.stalled[hi * n + s] -= 1;
                if let Some(as_of) = final_as_of {
                    let age = as_of - visit.enter;
                    if age > budget && exit_at.is_none_or(|e| e >= as_of) {
                        let top = &mut self.stalled_top[s];
                        let key = (Reverse(age), deal, visit.stage, visit.enter);
                        let keep = top.len() < frame.stalled_limit
                            || top.peek().is_some_and(|worst| {
                                (&key.0, key.1, key.2, key.3)
                                    < (&worst.0, &*worst.1, worst.2, worst.3)
                            });
                        if keep {
                            top.push((key.0, key.1.into(), key.2, key.3));
                            if top.len() > frame.stalled_limit {
                                top.pop();
                            }
                        }
                    }
                }
            }
            let Some(exit) = exit else { continue };
            let Some(p) = frame.period_of(exit.enter) else {
                continue;
            };
            let to = usize::from(exit.stage);
            self.flows[(p * (n + 1) + s) * n + to] += 1;
            let spent = exit.enter - visit.enter;
            self.durations[p * n + s].push(clamp(spent));
            if info.expected.is_some_and(|budget| spent > budget) {
                self.over_budget[p * n + s] += 1;
            }
            if frame.flow_kind(s, to) == FlowKind::Skip {
                for jumped in frame.stages.skipped(visit.stage, exit.stage) {
                    self.skipped[p * n + usize::from(jumped)] += 1;
                }
            }
        }
        if won_in_range {
            self.won_deals += 1;
            let mut per_stage = vec![0i64; n];
            let mut seen = vec![false; n];
            for pair in visits.windows(2) {
                let s = usize::from(pair[0].stage);
                per_stage[s] += pair[1].enter - pair[0].enter;
                seen[s] = true;
            }
            for s in 0..n {
                if seen[s] && stage_info(ix(s)).kind == Kind::Open {
                    self.won_times[s].push(clamp(per_stage[s]));
                }
            }
            if frame.keep_won_timelines {
                self.won_timelines.insert(deal.into(), visits.clone());
            }
        }
    }

    /// Turns the difference arrays into counts.
    pub(crate) fn finish(&mut self) {
        let n = self.n;
        for top in &mut self.stalled_top {
            self.stalled_deals.extend(
                std::mem::take(top)
                    .into_iter()
                    .map(|(Reverse(age), deal, stage, since)| (age, deal, stage, since)),
            );
        }
        for array in [&mut self.inside, &mut self.stalled] {
            let rows = array.len() / n;
            for row in 1..rows {
                for s in 0..n {
                    array[row * n + s] += array[(row - 1) * n + s];
                }
            }
        }
    }

    /// Deals in stage `s` at boundary `b` (0 = start of the first period).
    pub(crate) fn inside(&self, b: usize, s: usize) -> u64 {
        u64::try_from(self.inside[b * self.n + s]).unwrap_or(0)
    }

    /// Deals stalled in stage `s` at period `p`'s as-of instant.
    pub(crate) fn stalled(&self, p: usize, s: usize) -> u64 {
        u64::try_from(self.stalled[p * self.n + s]).unwrap_or(0)
    }

    /// Moves from `from` (`n` = entering the pipeline) to `to` in period `p`.
    pub(crate) fn flow(&self, p: usize, from: usize, to: usize) -> u64 {
        self.flows[(p * (self.n + 1) + from) * self.n + to]
    }
}

/// Seconds as u32 (136 years), so duration samples stay small.
fn clamp(secs: i64) -> u32 {
    u32::try_from(secs.max(0)).unwrap_or(u32::MAX)
}

fn ix(i: usize) -> StageIx {
    StageIx::try_from(i).expect("stage count is checked")
}

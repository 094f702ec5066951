//! Metrics stage, result: the metrics report: the one computed result that every output format prints.
//!
//! Denominators, as the README documents them:
//! - **conversion** of a stage = deals that left it forwards (to a later stage or won) ÷ deals
//!   that left it in the period (forwards, lost, or back to an earlier stage): it does not see
//!   the deals still in the stage, so it is printed beside
//! - **still open** = deals in the stage at the period's end ÷ deals in it during the period
//!   (there at its start, or entering);
//! - **cohort conversion** = of the deals that entered the stage in the period, those that
//!   moved forwards by the as-of instant (when the history was taken) ÷ those that entered;
//!   the cohort's lost, moved back and still open are counted the same way;
//! - **loss rate** = deals that left it for a lost stage ÷ the same exits as conversion;
//! - **time in stage** counts the visits that ended in the period; **over budget** is the
//!   share of those longer than `expected_duration`;
//! - **stalled** = deals still in the stage at the period's end (or at the last stage change
//!   in the history, if earlier) for longer than `expected_duration`;
//! - **win rate** = deals won ÷ deals closed (won + lost) in the period;
//! - **cycle** = first stage change to won, for deals won in the period;
//! - **demo share** = deals that entered the pipeline in the period and reached a `milestone:
//!   demo` stage by the end of the history ÷ deals that entered the pipeline in the period.

use serde::Serialize;

use super::stages::Kind;

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Format version of this JSON document.
    pub(crate) version: u32,
    /// The playbook measured.
    pub(crate) playbook: PlaybookRef,
    /// Where the history came from and what reading it found.
    pub input: Input,
    /// Zone naive times and periods are read in.
    pub time_zone: String,
    /// When the history was taken (`--as-of`, or the last stage change): stalls, still-open
    /// deals and cohorts are measured then.
    pub as_of: String,
    /// The stages, in playbook order.
    pub(crate) stages: Vec<StageRef>,
    /// One entry per period, in order.
    pub periods: Vec<PeriodReport>,
    /// The whole range as one period.
    pub total: PeriodReport,
    /// Deals stalled at the end of the range, longest first (at most `--stalled-limit` per
    /// stage).
    pub(crate) stalled: Vec<StalledDeal>,
    /// What won deals looked like (`--won-profile`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub won_profile: Option<WonProfile>,
    /// The funnel of each group of deals (`--by`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<Breakdown>,
    /// The as-of instant, in seconds since the Unix epoch.
    #[serde(skip)]
    pub(crate) as_of_secs: i64,
}

/// `--by`: the whole range's funnel for each group of deals (each owner, each value of a
/// column), most deals first.
#[derive(Debug, Clone, Serialize)]
pub struct Breakdown {
    /// What the deals are grouped by: `owner`, or a column's name.
    pub(crate) key: String,
    /// The groups: at most 20 values, then the deals of the others, then the deals without a
    /// value.
    pub(crate) groups: Vec<Group>,
}

/// One group of `--by`.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// The value the deals share; `None` for the deals of the values not listed
    /// (`other: true`) or without a value.
    pub(crate) value: Option<String>,
    /// Whether the group gathers the values past the first 20.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) other: bool,
    /// Deals in the group with a stage change in the history.
    pub(crate) deals: u64,
    /// Its funnel over the whole range.
    pub(crate) funnel: Funnel,
    /// Its deals stalled at the end of the range.
    pub(crate) stalled: u64,
}

/// The playbook measured.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PlaybookRef {
    /// Playbook id.
    pub(crate) id: String,
    /// Playbook name.
    pub(crate) name: String,
    /// The playbook's locale (the HTML page's `lang`).
    pub(crate) locale: String,
    /// `cycle_target` in days.
    pub(crate) cycle_target_days: Option<f64>,
}

/// A stage as the report lists it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StageRef {
    /// Stage id.
    pub(crate) id: String,
    /// Stage name.
    pub(crate) name: String,
    /// open, won or lost.
    pub(crate) kind: Kind,
    /// `expected_duration` in days.
    pub(crate) expected_days: Option<f64>,
    /// Whether this stage is the demo milestone.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) demo: bool,
}

/// What reading the history found.
#[derive(Debug, Clone, Serialize)]
pub struct Input {
    /// The history file as given.
    pub(crate) history: String,
    /// The shape it was read as (`--source`, or found from its header).
    pub(crate) source: super::source::Source,
    /// What reading the shape left out on purpose (a report's footer, other fields' rows).
    pub(crate) notes: Vec<String>,
    /// What it left out that changes the numbers; also among the warnings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) left_out: Vec<String>,
    /// Data rows read.
    pub(crate) rows: u64,
    /// Rows whose stage maps to a playbook stage.
    pub(crate) mapped_rows: u64,
    /// Deals seen.
    pub deals: u64,
    /// Rows repeating another row exactly (same deal, stage and time); counted once.
    pub duplicate_rows: u64,
    /// Rows that put a deal in the stage it was already in; the earlier entry counts.
    pub(crate) repeated_stage_rows: u64,
    /// Deals whose first row is already won or lost.
    pub deals_without_open_stage: u64,
    /// Stage names no playbook stage claims, with their row counts, most rows first: the
    /// first 1 000 names met in the file.
    pub unknown_stages: Vec<UnknownStage>,
    /// Rows naming a stage no playbook stage claims, beyond the names listed (only past
    /// 1 000 names: the stage column most likely holds something else).
    #[serde(skip_serializing_if = "is_zero")]
    pub other_unknown_stage_rows: u64,
    /// Malformed rows left out (`--skip-bad-rows`).
    pub bad_rows: u64,
    /// The first malformed rows, as messages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) bad_row_examples: Vec<String>,
    /// First stage change in the history.
    pub(crate) first_change: Option<String>,
    /// Last stage change in the history.
    pub(crate) last_change: Option<String>,
    /// How its times are written: `ISO`, or the strftime pattern given or found.
    pub(crate) time_format: String,
    /// Stage changes later than `--as-of`.
    #[serde(skip_serializing_if = "is_zero")]
    pub(crate) changes_after_as_of: u64,
    /// Deals that reach a won or lost stage, and deals that began more than the cycle target
    /// before the as-of instant: when the first is 0 and the second is not, the history most
    /// likely lacks its closing stages.
    pub(crate) closed_deals: u64,
    /// See `closed_deals`.
    pub(crate) deals_older_than_cycle_target: u64,
    /// Deals with a single stage change: most of them means a snapshot of current stages, not
    /// a history.
    pub(crate) single_change_deals: u64,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A CRM stage name that maps to nothing.
#[derive(Debug, Clone, Serialize)]
pub struct UnknownStage {
    /// The name as written in the CRM.
    pub name: String,
    /// Rows with that name.
    pub rows: u64,
}

impl Report {
    /// The playbook name of stage `id` (the id itself when the playbook has no such stage).
    pub(crate) fn stage_name<'r>(&'r self, id: &'r str) -> &'r str {
        self.stages
            .iter()
            .find(|s| s.id == id)
            .map_or(id, |s| s.name.as_str())
    }

    /// The moves of `period` that did not follow the process, as "`skip` A → B ×n" lines, with
    /// the printer's own words for a skip and a backward move.
    pub(crate) fn off_process(&self, period: &PeriodReport, skip: &str, back: &str) -> Vec<String> {
        period
            .flows
            .iter()
            .filter(|f| matches!(f.kind, FlowKind::Skip | FlowKind::Backward))
            .map(|f| {
                format!(
                    "{} {} → {} ×{}",
                    if f.kind == FlowKind::Skip { skip } else { back },
                    self.stage_name(f.from.as_deref().unwrap_or("")),
                    self.stage_name(&f.to),
                    f.deals
                )
            })
            .collect()
    }
}

/// One period's numbers.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodReport {
    /// Label: `2024-03`, `2024-W09`, `2024-Q1` or `FIRST..LAST`.
    pub label: String,
    /// First day.
    pub(crate) from: String,
    /// Last day (inclusive).
    pub(crate) to: String,
    /// When stalls are measured: the period's end, or the last stage change if earlier.
    pub(crate) as_of: String,
    /// Open stages, in playbook order.
    pub stages: Vec<StageStats>,
    /// Whole-funnel numbers.
    pub funnel: Funnel,
    /// Every move between stages in the period, by count.
    pub(crate) flows: Vec<Flow>,
}

/// One open stage in one period.
#[derive(Debug, Clone, Serialize)]
pub struct StageStats {
    /// Stage id.
    pub stage: String,
    /// Deals in the stage when the period began.
    pub at_start: u64,
    /// Entries into the stage during the period.
    pub entered: u64,
    /// Exits to a later stage or won.
    pub advanced: u64,
    /// Exits to a lost stage.
    pub lost: u64,
    /// Exits back to an earlier stage.
    pub moved_back: u64,
    /// Deals in the stage when the period ended.
    pub remaining: u64,
    /// advanced ÷ exits.
    pub conversion: Option<f64>,
    /// lost ÷ exits.
    pub loss_rate: Option<f64>,
    /// remaining ÷ (at_start + entered): the share of the stage's deals still in it at the
    /// period's end, which `conversion` does not see.
    pub still_open_share: Option<f64>,
    /// What became of the entries into the stage in the period, by the as-of instant.
    pub cohort: Cohort,
    /// Time in stage for visits that ended in the period.
    pub time_in_stage: TimeInStage,
    /// Deals in the stage longer than expected at `as_of`.
    pub stalled: u64,
    /// Forward moves from this stage that jumped over stages.
    pub skips_from: u64,
    /// Times this stage was jumped over.
    pub skipped: u64,
    /// Moves from this stage back to an earlier stage the playbook does not allow.
    pub backward_moves: u64,
    /// Moves back that the playbook allows (`recycle`).
    pub recycled: u64,
}

/// The deals that entered a stage in a period, followed until the as-of instant.
#[derive(Debug, Clone, Serialize)]
pub struct Cohort {
    /// Entries into the stage in the period (`entered`).
    pub entered: u64,
    /// Of those, moved on to a later stage or won.
    pub advanced: u64,
    /// Moved to a lost stage.
    pub lost: u64,
    /// Moved back to an earlier stage.
    pub moved_back: u64,
    /// Still in the stage at the as-of instant.
    pub still_open: u64,
    /// advanced ÷ entered.
    pub conversion: Option<f64>,
}

/// Time-in-stage summary.
#[derive(Debug, Clone, Serialize)]
pub struct TimeInStage {
    /// Visits measured.
    pub(crate) visits: u64,
    /// Mean, in days.
    pub mean_days: Option<f64>,
    /// Median, in days.
    pub median_days: Option<f64>,
    /// `expected_duration`, in days.
    pub(crate) expected_days: Option<f64>,
    /// Visits longer than expected.
    pub(crate) over_budget: Option<u64>,
    /// over_budget ÷ visits.
    pub over_budget_share: Option<f64>,
}

/// Whole-funnel numbers for one period.
#[derive(Debug, Clone, Serialize)]
pub struct Funnel {
    /// Deals whose first stage change is in the period.
    pub(crate) new_deals: u64,
    /// Deals won in the period.
    pub won: u64,
    /// Deals lost in the period (`terminal: lost` or `no-decision`).
    pub lost: u64,
    /// Deals closed as `disqualified` or `duplicate` in the period: not real opportunities,
    /// left out of the win rate.
    #[serde(skip_serializing_if = "is_zero")]
    pub(crate) left_out: u64,
    /// won ÷ (won + lost).
    pub(crate) win_rate: Option<f64>,
    /// Cycle of the deals won in the period.
    pub cycle: Cycle,
    /// Demo requests among new deals (when the playbook marks a demo stage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) demo: Option<DemoShare>,
    /// The new deals reaching each of the playbook's milestones, in order, and the conversion
    /// from one to the next (when the playbook marks milestones).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) milestones: Vec<MilestoneReach>,
}

/// How many of the period's new deals reached one milestone by the end of the history.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MilestoneReach {
    /// The milestone as written (`sao`, `sqo`, `demo`).
    pub(crate) id: String,
    /// The stages marked with it.
    pub(crate) stages: Vec<String>,
    /// New deals that reached it: entered a marked stage, or a stage every path to which
    /// goes through one.
    pub(crate) reached: u64,
    /// reached ÷ new deals.
    pub(crate) share: Option<f64>,
    /// Of the new deals that reached the milestone before it, those that reached this one too
    /// ÷ those deals; none for the first milestone.
    pub(crate) from_previous: Option<f64>,
    /// Of the deals that reached it, those won by the end of the history.
    pub(crate) won: u64,
    /// won ÷ reached.
    pub(crate) to_won: Option<f64>,
}

/// Whole-cycle time of won deals.
#[derive(Debug, Clone, Serialize)]
pub struct Cycle {
    /// Won deals measured.
    pub(crate) deals: u64,
    /// Median, in days.
    pub median_days: Option<f64>,
    /// Mean, in days.
    pub(crate) mean_days: Option<f64>,
    /// `cycle_target`, in days.
    pub(crate) target_days: Option<f64>,
    /// Won deals slower than the target.
    pub(crate) over_target: Option<u64>,
}

/// Share of new deals that asked for a demo.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DemoShare {
    /// The demo stage(s).
    pub(crate) stages: Vec<String>,
    /// Deals that entered the pipeline in the period.
    pub(crate) new_deals: u64,
    /// Of those, deals that reached a demo stage.
    pub(crate) requested_demo: u64,
    /// requested_demo ÷ new_deals.
    pub(crate) share: Option<f64>,
}

/// A count of moves from one stage to another.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Flow {
    /// Stage left; absent for deals entering the pipeline.
    pub(crate) from: Option<String>,
    /// Stage entered.
    pub(crate) to: String,
    /// How the move reads against the playbook.
    pub(crate) kind: FlowKind,
    /// Number of moves.
    pub(crate) deals: u64,
}

/// How a move reads against the playbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FlowKind {
    /// A deal entering the pipeline.
    New,
    /// Forward, as written.
    Forward,
    /// Forward, jumping over stages.
    Skip,
    /// To lost.
    Lost,
    /// Back, as the playbook allows.
    Recycle,
    /// Back, not in the playbook.
    Backward,
}

/// A deal in a stage longer than expected.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StalledDeal {
    /// Deal id.
    pub(crate) deal: String,
    /// Stage id.
    pub(crate) stage: String,
    /// When it entered the stage.
    pub(crate) since: String,
    /// Days in the stage at the end of the range.
    pub(crate) days: f64,
    /// The stage's budget in days.
    pub(crate) expected_days: f64,
    /// Its name, owner and amount, when the history has them.
    #[serde(flatten)]
    pub(crate) details: super::details::Details,
    /// Its page in the CRM (`--deal-url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) url: Option<String>,
}

/// What won deals looked like.
#[derive(Debug, Clone, Serialize)]
pub struct WonProfile {
    /// Deals won in the range.
    pub won_deals: u64,
    /// Whether touchpoints come from an activities file.
    pub(crate) activities: bool,
    /// Open stages, in playbook order.
    pub stages: Vec<WonStage>,
}

/// One stage in the won profile.
#[derive(Debug, Clone, Serialize)]
pub struct WonStage {
    /// Stage id.
    pub(crate) stage: String,
    /// Won deals that went through the stage.
    pub(crate) deals: u64,
    /// Median days in the stage.
    pub median_days: Option<f64>,
    /// 25th percentile.
    pub(crate) p25_days: Option<f64>,
    /// 75th percentile.
    pub(crate) p75_days: Option<f64>,
    /// The playbook's `expected_duration`, in days.
    pub(crate) expected_days: Option<f64>,
    /// A budget that 3 won deals in 4 met: the 75th percentile, rounded up.
    pub suggested_expected_duration: Option<String>,
    /// Touchpoints per channel, beside the playbook's `do` counts.
    pub touchpoints: Vec<Touchpoints>,
}

/// Touchpoints of one channel in one stage.
#[derive(Debug, Clone, Serialize)]
pub struct Touchpoints {
    /// Channel (`email`, `phone` …) or the activity type as written.
    pub channel: String,
    /// The playbook's `do` count for the channel.
    pub playbook: Option<u32>,
    /// Median per won deal that went through the stage.
    pub median: Option<f64>,
    /// Mean per won deal that went through the stage.
    pub(crate) mean: Option<f64>,
}

//! Metrics stage: how CRM stage names map to the playbook's stages, and how a move between two stages reads
//! against the written process (forward as written, a skip, backwards, a loss).

use std::collections::HashMap;

use crate::model::{PlaybookFile, Terminal};

/// Index of a stage in playbook order.
pub(crate) type StageIx = u16;

/// What a stage is for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    /// A deal is still being worked.
    Open,
    /// Closed won.
    Won,
    /// Closed lost.
    Lost,
}

/// One playbook stage as metrics sees it.
#[derive(Debug, Clone)]
pub(crate) struct StageInfo {
    /// Stage id.
    pub(crate) id: String,
    /// Name shown to people.
    pub(crate) name: String,
    /// Open, won or lost.
    pub(crate) kind: Kind,
    /// Whether deals closed here count in the win rate (disqualified and duplicate ones do
    /// not).
    pub(crate) in_win_rate: bool,
    /// An open stage any stage may move a deal to (`from_any: true`: on hold, at risk).
    pub(crate) side: bool,
    /// Time budget in seconds.
    pub(crate) expected: Option<i64>,
    /// The milestone marked on this stage, as written.
    pub(crate) milestone: Option<String>,
    /// The milestones (bits, in the order of [`StageMap::milestones`]) a deal entering this
    /// stage has reached.
    pub(crate) reaches: u32,
    /// Stages a deal moves to as written (`next`; the following stage when `next` is empty).
    pub(crate) next: Vec<StageIx>,
    /// Earlier stages a deal may be sent back to on purpose.
    pub(crate) recycle: Vec<StageIx>,
    /// The playbook's `do` counts per channel (`email`, `phone` …), summed.
    pub(crate) activities: Vec<(String, u32)>,
}

/// How one move reads against the playbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Move {
    /// To a later stage (or won), as the playbook writes it.
    Forward,
    /// To a later stage (or won), jumping over stages the playbook puts in between.
    Skip,
    /// To a lost stage.
    Lost,
    /// To an earlier stage the playbook allows (`recycle`).
    Recycle,
    /// To an earlier stage.
    Backward,
}

/// The playbook's stages and the CRM names that point at them.
#[derive(Debug, Clone)]
pub struct StageMap {
    /// Stages in playbook order.
    pub(crate) stages: Vec<StageInfo>,
    /// The playbook's milestones (`milestone:`), in the order first marked.
    pub(crate) milestones: Vec<String>,
    names: HashMap<String, StageIx>,
}

/// Most stages a playbook may have for metrics (a stage index is 16 bits).
pub(crate) const MAX_STAGES: usize = 4096;
/// Most milestones metrics counts (one bit each).
pub(crate) const MAX_MILESTONES: usize = 32;

impl StageMap {
    /// Builds the map from a validated playbook. CRM names are matched exactly first, then
    /// ignoring case and surrounding spaces; a stage's `crm_names` win over other stages' ids
    /// and names.
    pub fn new(playbook: &PlaybookFile) -> Result<Self, String> {
        if playbook.stages.is_empty() {
            return Err("the playbook has no stages to measure".into());
        }
        if playbook.stages.len() > MAX_STAGES {
            return Err(format!("metrics supports at most {MAX_STAGES} stages"));
        }
        let index: HashMap<&str, StageIx> = playbook
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), ix(i)))
            .collect();
        let milestones = crate::model::graph::Graph::new(playbook).milestones();
        if milestones.len() > MAX_MILESTONES {
            return Err(format!(
                "metrics counts at most {MAX_MILESTONES} milestones; the playbook marks {}",
                milestones.len()
            ));
        }
        let reaches = |i: usize| {
            milestones
                .iter()
                .enumerate()
                .filter(|(_, (_, reached))| reached[i])
                .fold(0u32, |bits, (b, _)| bits | 1 << b)
        };
        let lookup = |ids: &[crate::model::Id]| -> Vec<StageIx> {
            ids.iter()
                .filter_map(|id| index.get(id.as_str()).copied())
                .collect()
        };
        let stages = playbook
            .stages
            .iter()
            .enumerate()
            .map(|(i, stage)| {
                let mut next: Vec<StageIx> = stage
                    .next
                    .ids()
                    .filter_map(|id| index.get(id.as_str()).copied())
                    .collect();
                if next.is_empty() && !stage.is_terminal() && i + 1 < playbook.stages.len() {
                    next.push(ix(i + 1));
                }
                let mut activities: Vec<(String, u32)> = Vec::new();
                for activity in &stage.activities {
                    let channel = activity.channel.map_or_else(
                        || "other".to_owned(),
                        |c| {
                            serde_json::to_value(c)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned))
                                .unwrap_or_default()
                        },
                    );
                    let count = activity.count.unwrap_or(1);
                    match activities.iter_mut().find(|(c, _)| *c == channel) {
                        Some((_, n)) => *n += count,
                        None => activities.push((channel, count)),
                    }
                }
                StageInfo {
                    id: stage.id.to_string(),
                    name: stage.name.clone(),
                    // Every closing kind but won reads as lost in the funnel (a deal that
                    // leaves for it did not advance); the win rate leaves out the kinds that
                    // were never real opportunities.
                    kind: match stage.terminal {
                        None => Kind::Open,
                        Some(Terminal::Won) => Kind::Won,
                        Some(_) => Kind::Lost,
                    },
                    in_win_rate: stage.terminal.is_none_or(Terminal::counts_in_win_rate),
                    side: (stage.from_any || stage.side) && !stage.is_terminal(),
                    expected: stage
                        .expected_duration
                        .map(|d| i64::try_from(d.hours()).unwrap_or(i64::MAX / 4) * 3600),
                    reaches: reaches(i),
                    milestone: stage.milestone.as_ref().map(ToString::to_string),
                    next,
                    recycle: lookup(&stage.recycle),
                    activities,
                }
            })
            .collect();
        let mut names = HashMap::new();
        // Later passes never overwrite: crm_names first, then ids, then names.
        let passes: [&Names; 3] = [
            &|s| s.crm_names.clone(),
            &|s| vec![s.id.to_string()],
            &|s| vec![s.name.clone()],
        ];
        for pass in passes {
            for (i, stage) in playbook.stages.iter().enumerate() {
                for name in pass(stage) {
                    names.entry(name.clone()).or_insert(ix(i));
                    names.entry(normalize(&name)).or_insert(ix(i));
                }
            }
        }
        Ok(Self {
            stages,
            milestones: milestones.iter().map(|(id, _)| (*id).to_owned()).collect(),
            names,
        })
    }

    /// The stage a CRM name points at.
    pub(crate) fn lookup(&self, name: &str) -> Option<StageIx> {
        self.names
            .get(name)
            .or_else(|| self.names.get(&normalize(name)))
            .copied()
    }

    /// Every name the lookup knows (as written and normalised) with its stage, sorted by name.
    pub(crate) fn names(&self) -> impl Iterator<Item = (&str, StageIx)> {
        let mut names: Vec<(&str, StageIx)> =
            self.names.iter().map(|(n, &s)| (n.as_str(), s)).collect();
        names.sort_unstable();
        names.into_iter()
    }

    /// Number of stages.
    pub(crate) fn len(&self) -> usize {
        self.stages.len()
    }

    /// How a move from `from` to `to` reads against the playbook.
    pub(crate) fn classify(&self, from: StageIx, to: StageIx) -> Move {
        let target = &self.stages[usize::from(to)];
        let source = &self.stages[usize::from(from)];
        if target.kind == Kind::Lost {
            return Move::Lost;
        }
        // Into a side stage any stage may reach (on hold, at risk), or from it back into the
        // process: an allowed move, not progress.
        if target.side || (source.side && target.kind == Kind::Open) {
            return Move::Recycle;
        }
        if to < from || source.kind != Kind::Open {
            return if source.recycle.contains(&to) {
                Move::Recycle
            } else {
                Move::Backward
            };
        }
        if self.skipped(from, to).next().is_none() {
            Move::Forward
        } else {
            Move::Skip
        }
    }

    /// The open stages a forward move from `from` to `to` jumps over: the open stages between
    /// them in playbook order, unless the playbook lets `from` go straight to `to`.
    pub(crate) fn skipped(&self, from: StageIx, to: StageIx) -> impl Iterator<Item = StageIx> + '_ {
        let direct = self.stages[usize::from(from)].next.contains(&to);
        (from.saturating_add(1)..to)
            .filter(move |&s| !direct && self.stages[usize::from(s)].kind == Kind::Open)
    }
}

/// Reads the names a stage goes by, for one matching pass.
type Names = dyn Fn(&crate::model::Stage) -> Vec<String>;

fn ix(i: usize) -> StageIx {
    StageIx::try_from(i).expect("stage count is checked")
}

fn normalize(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

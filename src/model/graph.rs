//! The stage graph a playbook's `next` and `recycle` lists draw: for the process rules, and
//! for metrics' milestones.

use std::collections::{HashMap, VecDeque};

use super::{Id, PlaybookFile, Stage};

/// Stages by index, with their edges resolved.
#[derive(Debug)]
pub(crate) struct Graph<'a> {
    /// The stages, in playbook order.
    pub(crate) stages: &'a [Stage],
    index: HashMap<&'a str, usize>,
}

impl<'a> Graph<'a> {
    /// The graph of a playbook.
    pub(crate) fn new(playbook: &'a PlaybookFile) -> Self {
        let mut index = HashMap::new();
        for (i, stage) in playbook.stages.iter().enumerate() {
            index.entry(stage.id.as_str()).or_insert(i);
        }
        Self {
            stages: &playbook.stages,
            index,
        }
    }

    /// The index of the stage with this id.
    pub(crate) fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The stages `next` of stage `i` leads to.
    pub(crate) fn next(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.stages[i]
            .next
            .ids()
            .filter_map(|id| self.index_of(id.as_str()))
    }

    /// `next` and `recycle` edges of stage `i`.
    pub(crate) fn edges(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.next(i).chain(
            self.stages[i]
                .recycle
                .iter()
                .filter_map(|id| self.index_of(id.as_str())),
        )
    }

    /// The `from_any` stages an open stage `i` may move a deal to without naming them.
    fn side_moves(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let open = !self.stages[i].is_terminal();
        self.stages
            .iter()
            .enumerate()
            .filter(move |&(j, s)| open && s.from_any && j != i)
            .map(|(j, _)| j)
    }

    /// Which stages can be reached from the first one, or another `entry: true` stage, through
    /// `next` (and into `from_any` stages from any open stage).
    pub(crate) fn reachable_from_start(&self) -> Vec<bool> {
        self.reachable_avoiding(&vec![false; self.stages.len()])
    }

    /// [`Graph::reachable_from_start`] without entering the stages marked in `avoid`: the
    /// stages reachable in the whole graph but not here are those every path to which goes
    /// through an avoided stage.
    pub(crate) fn reachable_avoiding(&self, avoid: &[bool]) -> Vec<bool> {
        let mut seen = vec![false; self.stages.len()];
        if self.stages.is_empty() {
            return seen;
        }
        let mut queue: VecDeque<usize> = (0..self.stages.len())
            .filter(|&i| (i == 0 || self.stages[i].entry) && !avoid[i])
            .collect();
        for &i in &queue {
            seen[i] = true;
        }
        while let Some(i) = queue.pop_front() {
            for j in self.next(i).chain(self.side_moves(i)) {
                if !seen[j] && !avoid[j] {
                    seen[j] = true;
                    queue.push_back(j);
                }
            }
        }
        seen
    }

    /// For each stage, the owners of the stages whose `next` hands deals over to it
    /// ([`Stage::hands_over_to`]), each once, in file order.
    pub(crate) fn handoffs(&self) -> Vec<Vec<&'a Id>> {
        let mut from: Vec<Vec<&Id>> = vec![Vec::new(); self.stages.len()];
        for (i, stage) in self.stages.iter().enumerate() {
            for j in self.next(i) {
                if let Some(owner) = &stage.owner
                    && stage.hands_over_to(&self.stages[j])
                    && !from[j].contains(&owner)
                {
                    from[j].push(owner);
                }
            }
        }
        from
    }

    /// A shortest way from the first stage (or another entry stage) to `target` that enters
    /// none of the stages marked in `avoid`, through `next` and into `from_any` stages; `None`
    /// when every way goes through one of them.
    pub(crate) fn path_avoiding(&self, avoid: &[bool], target: usize) -> Option<Vec<usize>> {
        let n = self.stages.len();
        let mut parent: Vec<Option<usize>> = vec![None; n];
        let mut seen = vec![false; n];
        let mut queue: VecDeque<usize> = (0..n)
            .filter(|&i| (i == 0 || self.stages[i].entry) && !avoid[i])
            .collect();
        for &i in &queue {
            seen[i] = true;
        }
        while let Some(i) = queue.pop_front() {
            if i == target {
                let mut path = vec![i];
                while let Some(p) = parent[*path.last().unwrap_or(&i)] {
                    path.push(p);
                }
                path.reverse();
                return Some(path);
            }
            for j in self.next(i).chain(self.side_moves(i)) {
                if !seen[j] && !avoid[j] {
                    seen[j] = true;
                    parent[j] = Some(i);
                    queue.push_back(j);
                }
            }
        }
        None
    }

    /// The playbook's milestones in the order first marked, each with the stages a deal
    /// entering has reached it: its own stages, and every stage reachable only through them.
    pub(crate) fn milestones(&self) -> Vec<(&'a str, Vec<bool>)> {
        let mut ids: Vec<&str> = Vec::new();
        for stage in self.stages {
            if let Some(m) = &stage.milestone
                && !ids.contains(&m.as_str())
            {
                ids.push(m.as_str());
            }
        }
        let all = self.reachable_from_start();
        ids.into_iter()
            .map(|id| {
                let marked: Vec<bool> = self
                    .stages
                    .iter()
                    .map(|s| s.milestone.as_ref().is_some_and(|m| m.as_str() == id))
                    .collect();
                let around = self.reachable_avoiding(&marked);
                let reached = (0..self.stages.len())
                    .map(|i| marked[i] || (all[i] && !around[i]))
                    .collect();
                (id, reached)
            })
            .collect()
    }

    /// Which stages can reach a stage for which `target` holds, through `next` and `recycle`.
    pub(crate) fn can_reach(&self, target: impl Fn(&Stage) -> bool) -> Vec<bool> {
        let n = self.stages.len();
        let mut reverse = vec![Vec::new(); n];
        for i in 0..n {
            for j in self.edges(i).chain(self.side_moves(i)) {
                reverse[j].push(i);
            }
        }
        let mut seen: Vec<bool> = self.stages.iter().map(&target).collect();
        let mut queue: VecDeque<usize> = (0..n).filter(|&i| seen[i]).collect();
        while let Some(j) = queue.pop_front() {
            for &i in &reverse[j] {
                if !seen[i] {
                    seen[i] = true;
                    queue.push_back(i);
                }
            }
        }
        seen
    }

    /// The main path, which the timing, probability and forecast rules follow: from the first
    /// stage, the first `next` without a `when` condition (else the first with one) into a stage
    /// that may be on it — not a side stage, not a closing stage other than won; for an open
    /// stage without `next` (a `dead-end-stage` error), the stage written after it, as metrics
    /// reads it — until a closing stage, a dead end, or a stage already on the path.
    pub(crate) fn main_path(&self) -> Vec<usize> {
        let mut path = Vec::new();
        let mut seen = vec![false; self.stages.len()];
        let mut current = if self.stages.is_empty() {
            None
        } else {
            Some(0)
        };
        while let Some(i) = current {
            if seen[i] {
                break;
            }
            seen[i] = true;
            path.push(i);
            let stage = &self.stages[i];
            current = if stage.is_terminal() {
                None
            } else if stage.next.is_empty() {
                Some(i + 1).filter(|&n| n < self.stages.len())
            } else {
                stage
                    .next
                    .main_order()
                    .filter_map(|id| self.index_of(id.as_str()))
                    .find(|&j| self.stages[j].on_main_path() && !seen[j])
            };
        }
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_path_skips_lost_branches_and_stops_at_loops() {
        let playbook: PlaybookFile = serde_json::from_value(serde_json::json!({
            "stagebook": 1,
            "playbook": {"id": "t", "name": "T"},
            "stages": [
                {"id": "a", "name": "A", "next": ["lost", "b"]},
                {"id": "b", "name": "B"},
                {"id": "c", "name": "C", "next": "a"},
                {"id": "lost", "name": "Lost", "terminal": "lost"}
            ]
        }))
        .unwrap();
        // a → b (lost skipped) → c (b has no `next`: the stage after it) → a again: stop.
        assert_eq!(Graph::new(&playbook).main_path(), [0, 1, 2]);
    }
}

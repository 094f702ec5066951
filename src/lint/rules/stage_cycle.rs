//! `stage-cycle`: `next` leads a deal back to a stage it has already passed.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// A `next` that closes a loop — it leads back to a stage from which this stage can be
    /// reached again — without the target being listed in the stage's `recycle`. A side stage
    /// (`side: true`, or an open `from_any` stage such as on hold) may lead back: that is what
    /// it is for.
    ///
    /// ## Why it matters
    ///
    /// Some loops are deliberate: a stalled deal goes back to nurturing. Most are mistakes
    /// that let a deal circle forever, which makes stage durations and conversion rates
    /// meaningless. Marking the deliberate ones with `recycle` tells the reader (and the
    /// metrics) that going back is part of the process.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// - id: discovery
    ///   next: demo
    /// - id: demo
    ///   next: [proposal, discovery]
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// - id: demo
    ///   next: [proposal, discovery]
    ///   recycle: [discovery]   # going back to discovery is intended
    /// ```
    StageCycle {
        id: "stage-cycle",
        category: Process,
        level: Warn,
        summary: "`next` loops back to an earlier stage without being marked as `recycle`",
    }
}

impl Rule for StageCycle {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let graph = &cx.graph;
        let n = graph.stages.len();
        // Iterative depth-first search; 0 = unvisited, 1 = on the stack, 2 = done.
        let mut visit = vec![0u8; n];
        for root in 0..n {
            if visit[root] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, Vec<usize>)> = vec![(root, graph.next(root).collect())];
            visit[root] = 1;
            while let Some((node, pending)) = stack.last_mut() {
                let node = *node;
                let Some(target) = pending.pop() else {
                    visit[node] = 2;
                    stack.pop();
                    continue;
                };
                match visit[target] {
                    0 => {
                        visit[target] = 1;
                        let next = graph.next(target).collect();
                        stack.push((target, next));
                    }
                    1 => {
                        let stage = &graph.stages[node];
                        let back = &graph.stages[target];
                        // A side stage (nurture, on hold) exists to send deals back.
                        if stage.recycle.iter().any(|r| r == &back.id) || !stage.on_main_path() {
                            continue;
                        }
                        let j = stage.next.ids().position(|id| id == &back.id).unwrap_or(0);
                        let pointer = if cx
                            .document
                            .spans
                            .get(&format!("/stages/{node}/next/0"))
                            .is_some()
                        {
                            format!("/stages/{node}/next/{j}")
                        } else {
                            format!("/stages/{node}/next")
                        };
                        out.push(
                            cx.finding(&Self::META, pointer, false, format!(
                                "`next` of stage `{}` leads back to `{}`, so deals can go round in a loop",
                                stage.id, back.id
                            ))
                            .with_help(format!(
                                "if going back is intended, add `recycle: [{}]` to stage `{}`; otherwise point `next` forward",
                                back.id, stage.id
                            )),
                        );
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings};

    #[test]
    fn passes_without_loops() {
        assert!(findings(&StageCycle, CLEAN).is_empty());
    }

    #[test]
    fn a_side_stage_may_lead_back() {
        let yaml = CLEAN.replace(
            "next: [won, lost]",
            "next: [won, lost, prospecting]\n    side: true",
        );
        assert!(findings(&StageCycle, &yaml).is_empty());
    }

    #[test]
    fn flags_a_loop_and_accepts_it_when_marked_recycle() {
        let yaml = CLEAN.replace("next: [won, lost]", "next: [won, lost, prospecting]");
        assert_eq!(
            findings(&StageCycle, &yaml),
            [
                "/stages/1/next/2: `next` of stage `proposal` leads back to `prospecting`, so deals can go round in a loop"
            ]
        );
        let yaml = CLEAN.replace(
            "next: [won, lost]",
            "next: [won, lost, prospecting]\n    recycle: [prospecting]",
        );
        assert!(findings(&StageCycle, &yaml).is_empty());
    }
}

//! `forecast-category`: a stage's forecast category contradicts what the stage is.

use super::stage_part_finding;
use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};
use crate::model::{ForecastCategory, Terminal};

declare_rule! {
    /// ## What it checks
    ///
    /// A `forecast_category` that contradicts the stage it is on:
    ///
    /// - a won stage whose deals are not `closed`, a lost stage whose deals are not `omitted`;
    /// - an open stage whose deals count as `closed` (they have not closed);
    /// - a stage in a higher category than another (pipeline < best-case < most-likely <
    ///   commit) with a lower `probability`: "commit at 10 %" beside "pipeline at 40 %";
    /// - a category that drops along the main path: `commit` in negotiation, then `best-case`
    ///   in the contract stage after it.
    ///
    /// ## Why it matters
    ///
    /// The forecast category decides in which column of the forecast a deal's amount is
    /// summed. A lost stage in `commit` adds every lost deal to the number the sales leader
    /// commits to; a won stage in `omitted` leaves the quarter's wins out; a `commit` stage
    /// that is less likely to close than a `pipeline` one makes the columns mean nothing. The
    /// CRM export writes the category as it is, so the mistake reaches the CRM too.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// - id: discovery
    ///   name: Discovery
    ///   probability: 10
    ///   forecast_category: commit
    /// - id: lost
    ///   name: Lost
    ///   terminal: lost
    ///   forecast_category: commit
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// - id: discovery
    ///   name: Discovery
    ///   probability: 10
    ///   forecast_category: pipeline
    /// - id: lost
    ///   name: Lost
    ///   terminal: lost
    ///   forecast_category: omitted
    /// ```
    ForecastCategoryRule {
        id: "forecast-category",
        category: Process,
        level: Warn,
        summary: "a stage's forecast category contradicts its outcome or its probability",
    }
}

/// The name a category is written with.
fn written(category: ForecastCategory) -> &'static str {
    match category {
        ForecastCategory::Pipeline => "pipeline",
        ForecastCategory::BestCase => "best-case",
        ForecastCategory::MostLikely => "most-likely",
        ForecastCategory::Commit => "commit",
        ForecastCategory::Closed => "closed",
        ForecastCategory::Omitted => "omitted",
    }
}

/// The rank of an open deal's category: the higher, the surer it is to close.
fn rank(category: ForecastCategory) -> Option<u8> {
    match category {
        ForecastCategory::Pipeline => Some(0),
        ForecastCategory::BestCase => Some(1),
        ForecastCategory::MostLikely => Some(2),
        ForecastCategory::Commit => Some(3),
        ForecastCategory::Closed | ForecastCategory::Omitted => None,
    }
}

impl Rule for ForecastCategoryRule {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let stages = &cx.playbook.stages;
        for (i, stage) in stages.iter().enumerate() {
            let Some(category) = stage.forecast_category else {
                continue;
            };
            let expected = match stage.terminal {
                Some(Terminal::Won) => Some(ForecastCategory::Closed),
                Some(_) => Some(ForecastCategory::Omitted),
                None => None,
            };
            let problem = match (expected, category) {
                (Some(expected), found) if found != expected => Some((
                    format!(
                        "stage `{}` closes deals as {}, but counts them as `{}` in the forecast",
                        stage.id,
                        if expected == ForecastCategory::Closed { "won" } else { "lost" },
                        written(found)
                    ),
                    format!("write `forecast_category: {}`, or leave it out: stagebook then uses `{}`", written(expected), written(expected)),
                )),
                (None, ForecastCategory::Closed) => Some((
                    format!(
                        "stage `{}` is open, but counts its deals as `closed` in the forecast",
                        stage.id
                    ),
                    "use `pipeline`, `best-case`, `most-likely` or `commit` for a stage deals are still in; `closed` is for the won stage".to_owned(),
                )),
                _ => None,
            };
            if let Some((message, help)) = problem {
                out.push(
                    stage_part_finding(cx, &Self::META, i, "forecast_category", message)
                        .with_help(help),
                );
            }
        }
        // Along the main path a deal only gets surer: its category never drops.
        let mut surest: Option<(usize, u8)> = None;
        for i in cx.graph.main_path() {
            let Some(r) = stages[i].forecast_category.and_then(rank) else {
                continue;
            };
            match surest {
                Some((j, before)) if r < before => {
                    let (stage, earlier) = (&stages[i], &stages[j]);
                    let (now, then) = (
                        stage.forecast_category.map_or("", written),
                        earlier.forecast_category.map_or("", written),
                    );
                    out.push(
                        stage_part_finding(
                            cx,
                            &Self::META,
                            i,
                            "forecast_category",
                            format!(
                                "the forecast category drops from `{then}` in `{}` to `{now}` in `{}`, later on the main path",
                                earlier.id, stage.id
                            ),
                        )
                        .with_related(
                            cx.label(&format!("/stages/{j}/forecast_category"), false)
                                .with_text(format!("`{then}` here")),
                        )
                        .with_help(format!(
                            "a deal that moves on is surer to close: give `{}` `{then}` or a surer category, or lower `{}`",
                            stage.id, earlier.id
                        )),
                    );
                }
                Some((_, before)) if r <= before => {}
                _ => surest = Some((i, r)),
            }
        }
        // Open stages with both a category and a probability: a surer category must not be
        // less likely to close. Each stage is compared with the most likely stage of a lower
        // category, once.
        let open: Vec<(usize, u8, u8)> = stages
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.is_terminal())
            .filter_map(|(i, s)| Some((i, rank(s.forecast_category?)?, s.probability?)))
            .collect();
        for &(i, rank_i, p_i) in &open {
            let above = open
                .iter()
                .filter(|&&(_, rank_j, p_j)| rank_j < rank_i && p_j > p_i)
                .max_by_key(|&&(j, _, p_j)| (p_j, std::cmp::Reverse(j)));
            let Some(&(j, _, p_j)) = above else { continue };
            let (stage, other) = (&stages[i], &stages[j]);
            let category = stage.forecast_category.map_or("", written);
            let other_category = other.forecast_category.map_or("", written);
            let earlier = cx
                .label(&format!("/stages/{j}/probability"), false)
                .with_text(format!("`{other_category}` at {p_j}%"));
            out.push(
                stage_part_finding(
                    cx,
                    &Self::META,
                    i,
                    "forecast_category",
                    format!(
                        "stage `{}` counts as `{category}` at {p_i}%, but `{}` counts only as `{other_category}` at {p_j}%",
                        stage.id, other.id
                    ),
                )
                .with_related(earlier)
                .with_help(format!(
                    "a surer forecast category should go with a higher probability: lower the category of `{}`, or raise its probability to at least {p_j}",
                    stage.id
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings};

    #[test]
    fn passes_when_categories_fit() {
        assert!(findings(&ForecastCategoryRule, CLEAN).is_empty());
    }

    #[test]
    fn flags_terminal_and_open_stages_in_the_wrong_column() {
        let yaml = "stagebook: 1\nplaybook:\n  id: f\n  name: F\nstages:\n  - id: a\n    name: A\n    forecast_category: closed\n    next: [won, lost]\n  - id: won\n    name: Won\n    terminal: won\n    forecast_category: omitted\n  - id: lost\n    name: Lost\n    terminal: lost\n    forecast_category: commit\n";
        assert_eq!(
            findings(&ForecastCategoryRule, yaml),
            [
                "/stages/0: stage `a` is open, but counts its deals as `closed` in the forecast",
                "/stages/1: stage `won` closes deals as won, but counts them as `omitted` in the forecast",
                "/stages/2: stage `lost` closes deals as lost, but counts them as `commit` in the forecast",
            ]
        );
    }

    #[test]
    fn flags_a_category_that_drops_along_the_main_path() {
        let yaml = "stagebook: 1\nplaybook:\n  id: f\n  name: F\nstages:\n  - id: a\n    name: A\n    forecast_category: most-likely\n    next: b\n  - id: b\n    name: B\n    forecast_category: best-case\n    next: [won, lost]\n  - id: won\n    name: Won\n    terminal: won\n  - id: lost\n    name: Lost\n    terminal: lost\n";
        assert_eq!(
            findings(&ForecastCategoryRule, yaml),
            [
                "/stages/1: the forecast category drops from `most-likely` in `a` to `best-case` in `b`, later on the main path"
            ]
        );
    }

    #[test]
    fn flags_a_surer_category_with_a_lower_probability() {
        let yaml = "stagebook: 1\nplaybook:\n  id: f\n  name: F\nstages:\n  - id: a\n    name: A\n    probability: 10\n    forecast_category: commit\n    next: b\n  - id: b\n    name: B\n    probability: 40\n    forecast_category: pipeline\n    next: c\n  - id: c\n    name: C\n    probability: 60\n    forecast_category: commit\n    next: [won, lost]\n  - id: won\n    name: Won\n    terminal: won\n  - id: lost\n    name: Lost\n    terminal: lost\n";
        assert_eq!(
            findings(&ForecastCategoryRule, yaml),
            [
                "/stages/1: the forecast category drops from `commit` in `a` to `pipeline` in `b`, later on the main path",
                "/stages/0: stage `a` counts as `commit` at 10%, but `b` counts only as `pipeline` at 40%",
            ]
        );
    }
}

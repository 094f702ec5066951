//! `methodology-gap`: a qualification element that no stage captures, or captures too late.

use std::collections::HashMap;

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};
use crate::load::yaml::push_segment;

declare_rule! {
    /// ## What it checks
    ///
    /// Only when the playbook declares a `methodology` (off otherwise). Stages list the
    /// elements they capture in `captures`. The rule reports:
    ///
    /// - an element of the framework (or of the team's own `elements` list) that no stage
    ///   captures;
    /// - a way into the stage named for an element in `required_by` that captures it nowhere
    ///   on the way: every path of `next` stages from the first stage (or another entry
    ///   stage) to it must capture the element, so a branch (a tender, a partner route) that
    ///   skips the capturing stage is caught, and the finding shows that path.
    ///
    /// A `captures` entry, `required_by` key or stage that does not exist is an error of its
    /// own: `unknown-element`.
    ///
    /// Frameworks: `meddpicc` (metrics, economic-buyer, decision-criteria, decision-process,
    /// paper-process, identify-pain, champion, competition), `meddic` (the same without
    /// paper-process and competition), `bant` (budget, authority, need, timeline).
    ///
    /// ## Why it matters
    ///
    /// A qualification framework only works if every element is established before the deal
    /// depends on it: a proposal sent before the economic buyer is known is a proposal to the
    /// wrong person. Mapping elements to stages makes "qualified" mean the same thing for
    /// every rep.
    ///
    /// ## Example
    ///
    /// Flagged (`economic-buyer` must be known by `proposal`, but a deal reaches `proposal`
    /// through `discovery` without it — it is first captured in `negotiation`; `competition`
    /// is never captured):
    ///
    /// ```yaml
    /// playbook:
    ///   methodology:
    ///     framework: meddpicc
    ///     required_by: {economic-buyer: proposal}
    /// stages:
    ///   - id: discovery
    ///     captures: [identify-pain, metrics, champion]
    ///   - id: proposal
    ///     captures: [decision-criteria, decision-process]
    ///   - id: negotiation
    ///     captures: [economic-buyer, paper-process]
    /// ```
    ///
    /// Fixed: capture `economic-buyer` in `discovery` or `proposal`, and `competition`
    /// somewhere.
    MethodologyGap {
        id: "methodology-gap",
        category: Methodology,
        level: Warn,
        summary: "a qualification element (e.g. MEDDPICC's) is never captured, or captured too late",
    }
}

impl Rule for MethodologyGap {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let Some(methodology) = &cx.playbook.playbook.methodology else {
            return;
        };
        let elements = methodology.element_names();
        if elements.is_empty() {
            out.push(
                cx.finding(
                    &Self::META,
                    "/playbook/methodology",
                    true,
                    "the methodology names neither a `framework` nor `elements`",
                )
                .with_help(
                    "add `framework: meddpicc` (or meddic, bant), or list your own `elements`",
                ),
            );
            return;
        }
        let mut first: HashMap<&str, (usize, usize)> = HashMap::new();
        for (i, stage) in cx.playbook.stages.iter().enumerate() {
            for (j, element) in stage.captures.iter().enumerate() {
                if elements.contains(&element.as_str()) {
                    first.entry(element.as_str()).or_insert((i, j));
                }
            }
        }
        for element in &elements {
            if !first.contains_key(element) {
                out.push(
                    cx.finding(
                        &Self::META,
                        "/playbook/methodology",
                        true,
                        format!("no stage captures `{element}`"),
                    )
                    .with_help(format!(
                        "add `{element}` to the `captures` of the stage where reps establish it"
                    )),
                );
            }
        }
        for (element, stage_id) in &methodology.required_by {
            // Unknown elements and stages are `unknown-element`'s.
            let (Some(required), Some(&(i, j))) = (
                cx.graph.index_of(stage_id.as_str()),
                first.get(element.as_str()),
            ) else {
                continue;
            };
            let capturing: Vec<bool> = cx
                .playbook
                .stages
                .iter()
                .map(|s| s.captures.iter().any(|c| c == element))
                .collect();
            let Some(path) = cx.graph.path_avoiding(&capturing, required) else {
                continue;
            };
            let mut pointer = "/playbook/methodology/required_by".to_string();
            push_segment(&mut pointer, element);
            let way: Vec<&str> = path
                .iter()
                .map(|&k| cx.playbook.stages[k].id.as_str())
                .collect();
            out.push(
                cx.finding(
                    &Self::META,
                    pointer,
                    false,
                    format!(
                        "a deal can reach stage `{stage_id}`, where `{element}` is required, without it being captured: {}",
                        way.join(" → ")
                    ),
                )
                .with_related(
                    cx.label(&format!("/stages/{i}/captures/{j}"), false)
                        .with_text("captured here, off that path"),
                )
                .with_help(format!(
                    "capture `{element}` in `{stage_id}` or in a stage on every way into it"
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
    fn is_off_without_methodology() {
        assert!(findings(&MethodologyGap, CLEAN).is_empty());
    }

    #[test]
    fn passes_when_elements_are_captured_in_time() {
        let yaml = CLEAN
            .replace("  cycle_target: 6w\n", "  cycle_target: 6w\n  methodology:\n    elements: [need, budget]\n    required_by: {budget: proposal}\n")
            .replace("    content: [acme-story]\n", "    content: [acme-story]\n    captures: [need]\n")
            .replace("    content: [pricing]\n", "    content: [pricing]\n    captures: [budget]\n");
        assert!(findings(&MethodologyGap, &yaml).is_empty());
    }

    #[test]
    fn follows_every_path_into_the_required_stage() {
        // Budget is captured in proposal, but a branch goes from prospecting straight to won.
        let yaml = CLEAN
            .replace("  cycle_target: 6w\n", "  cycle_target: 6w\n  methodology:\n    elements: [need, budget]\n    required_by: {budget: won}\n")
            .replace("    content: [acme-story]\n", "    content: [acme-story]\n    captures: [need]\n")
            .replace("    content: [pricing]\n", "    content: [pricing]\n    captures: [budget]\n");
        assert!(findings(&MethodologyGap, &yaml).is_empty());
        let branched = yaml.replace(
            "    next: [proposal, lost]\n",
            "    next: [proposal, {stage: won, when: A renewal under 5 seats}, lost]\n",
        );
        assert_eq!(
            findings(&MethodologyGap, &branched),
            [
                "/playbook/methodology/required_by/budget: a deal can reach stage `won`, where `budget` is required, without it being captured: prospecting → won"
            ]
        );
    }

    #[test]
    fn flags_missing_late_and_unknown_elements() {
        let yaml = CLEAN
            .replace("  cycle_target: 6w\n", "  cycle_target: 6w\n  methodology:\n    framework: bant\n    required_by: {budget: prospecting}\n")
            .replace("    content: [acme-story]\n", "    content: [acme-story]\n    captures: [need, authorty]\n")
            .replace("    content: [pricing]\n", "    content: [pricing]\n    captures: [budget]\n");
        assert_eq!(
            findings(&MethodologyGap, &yaml),
            [
                "/playbook/methodology: no stage captures `authority`",
                "/playbook/methodology: no stage captures `timeline`",
                "/playbook/methodology/required_by/budget: a deal can reach stage `prospecting`, where `budget` is required, without it being captured: prospecting",
            ]
        );
    }
}

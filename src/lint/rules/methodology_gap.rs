//! `methodology-gap`: a qualification element that no stage captures, or captures too late.

use std::collections::HashMap;

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};
use crate::load::yaml::push_segment;
use crate::validate::did_you_mean;

declare_rule! {
    /// ## What it checks
    ///
    /// Only when the playbook declares a `methodology` (off otherwise). Stages list the
    /// elements they capture in `captures`. The rule reports:
    ///
    /// - an element of the framework (or of the team's own `elements` list) that no stage
    ///   captures;
    /// - an element captured for the first time *after* the stage named for it in
    ///   `required_by` (stages count in the order they are written);
    /// - a `captures` entry or `required_by` key that is not an element, and a `required_by`
    ///   stage that does not exist.
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
    /// Flagged (`economic-buyer` must be known by `proposal`, but is first captured in
    /// `negotiation`; `competition` is never captured):
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
        let name = methodology
            .framework
            .filter(|_| methodology.elements.is_empty())
            .map_or("the methodology", |f| f.name());
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
        let unknown = |element: &str| {
            let help = match did_you_mean(element, elements.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("the elements are: {}", elements.join(", ")),
            };
            (format!("`{element}` is not an element of {name}"), help)
        };
        let mut first: HashMap<&str, (usize, usize)> = HashMap::new();
        for (i, stage) in cx.playbook.stages.iter().enumerate() {
            for (j, element) in stage.captures.iter().enumerate() {
                if elements.contains(&element.as_str()) {
                    first.entry(element.as_str()).or_insert((i, j));
                } else {
                    let (message, help) = unknown(element);
                    out.push(
                        cx.finding(
                            &Self::META,
                            format!("/stages/{i}/captures/{j}"),
                            false,
                            format!("stage `{}`: {message}", stage.id),
                        )
                        .with_help(help),
                    );
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
            let mut pointer = "/playbook/methodology/required_by".to_string();
            push_segment(&mut pointer, element);
            if !elements.contains(&element.as_str()) {
                let (message, help) = unknown(element);
                out.push(
                    cx.finding(&Self::META, pointer, true, message)
                        .with_help(help),
                );
                continue;
            }
            let Some(required) = cx.graph.index_of(stage_id.as_str()) else {
                out.push(
                    cx.finding(
                        &Self::META,
                        pointer,
                        false,
                        format!("`required_by` names stage `{stage_id}`, which does not exist"),
                    )
                    .with_help("use the id of one of the playbook's stages"),
                );
                continue;
            };
            let Some(&(i, j)) = first.get(element.as_str()) else {
                continue;
            };
            if i > required {
                let stage = &cx.playbook.stages[i];
                out.push(
                    cx.finding(&Self::META, format!("/stages/{i}/captures/{j}"), false, format!(
                        "`{element}` is first captured in stage `{}`, after stage `{stage_id}` where it is required", stage.id
                    ))
                    .with_related(cx.label(&pointer, false).with_text("required by here"))
                    .with_help(format!("capture `{element}` in `{stage_id}` or an earlier stage")),
                );
            }
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
    fn flags_missing_late_and_unknown_elements() {
        let yaml = CLEAN
            .replace("  cycle_target: 6w\n", "  cycle_target: 6w\n  methodology:\n    framework: bant\n    required_by: {budget: prospecting}\n")
            .replace("    content: [acme-story]\n", "    content: [acme-story]\n    captures: [need, authorty]\n")
            .replace("    content: [pricing]\n", "    content: [pricing]\n    captures: [budget]\n");
        assert_eq!(
            findings(&MethodologyGap, &yaml),
            [
                "/stages/0/captures/1: stage `prospecting`: `authorty` is not an element of bant",
                "/playbook/methodology: no stage captures `authority`",
                "/playbook/methodology: no stage captures `timeline`",
                "/stages/1/captures/0: `budget` is first captured in stage `proposal`, after stage `prospecting` where it is required",
            ]
        );
    }
}

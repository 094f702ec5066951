//! `unknown-element`: a qualification element or stage named in the methodology that does not
//! exist.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};
use crate::load::yaml::push_segment;
use crate::validate::did_you_mean;

declare_rule! {
    /// ## What it checks
    ///
    /// Only when the playbook declares a `methodology`. Every `captures` and `starts` entry
    /// and every `required_by` key must be an element of the framework (or of the team's own
    /// `elements`), and every `required_by` stage must exist.
    ///
    /// ## Why it matters
    ///
    /// A typo drops a requirement without a word: `required_by: {econmic-buyer: proposal}`
    /// checks nothing, and `captures: [champoin]` captures nothing, so `methodology-gap`
    /// would pass a playbook that never establishes the champion. It is an error, not a
    /// warning, for that reason.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// playbook:
    ///   methodology:
    ///     framework: meddpicc
    ///     required_by: {econmic-buyer: proposal}
    /// stages:
    ///   - id: discovery
    ///     captures: [identify-pain, champoin]
    /// ```
    ///
    /// Fixed: `economic-buyer`, `champion`.
    UnknownElement {
        id: "unknown-element",
        category: Methodology,
        level: Deny,
        summary: "a `captures` entry or `required_by` key is not an element of the methodology, or `required_by` names no stage",
    }
}

impl Rule for UnknownElement {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let Some(methodology) = &cx.playbook.playbook.methodology else {
            return;
        };
        let elements = methodology.element_names();
        if elements.is_empty() {
            // `methodology-gap` asks for a framework or elements first.
            return;
        }
        let name = methodology
            .framework
            .filter(|_| methodology.elements.is_empty())
            .map_or("the methodology", |f| f.name());
        let unknown = |element: &str| {
            let help = match did_you_mean(element, elements.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("the elements are: {}", elements.join(", ")),
            };
            (format!("`{element}` is not an element of {name}"), help)
        };
        for (i, stage) in cx.playbook.stages.iter().enumerate() {
            let written = [("captures", &stage.captures), ("starts", &stage.starts)];
            for (field, list) in written {
                for (j, element) in list.iter().enumerate() {
                    if elements.contains(&element.as_str()) {
                        continue;
                    }
                    let (message, help) = unknown(element);
                    out.push(
                        cx.finding(
                            &Self::META,
                            format!("/stages/{i}/{field}/{j}"),
                            false,
                            format!("stage `{}`: {message}", stage.id),
                        )
                        .with_help(help),
                    );
                }
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
            } else if cx.graph.index_of(stage_id.as_str()).is_none() {
                let ids = cx.playbook.stages.iter().map(|s| s.id.as_str());
                let help = did_you_mean(stage_id.as_str(), ids).map_or_else(
                    || "use the id of one of the playbook's stages".to_owned(),
                    |close| format!("did you mean `{close}`?"),
                );
                out.push(
                    cx.finding(
                        &Self::META,
                        pointer,
                        false,
                        format!("`required_by` names stage `{stage_id}`, which does not exist"),
                    )
                    .with_help(help),
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
        assert!(findings(&UnknownElement, CLEAN).is_empty());
    }

    #[test]
    fn flags_unknown_elements_and_stages() {
        let yaml = CLEAN
            .replace("  cycle_target: 6w\n", "  cycle_target: 6w\n  methodology:\n    framework: bant\n    required_by: {budgte: proposal, need: propsal}\n")
            .replace("    content: [acme-story]\n", "    content: [acme-story]\n    captures: [need, authorty]\n");
        assert_eq!(
            findings(&UnknownElement, &yaml),
            [
                "/stages/0/captures/1: stage `prospecting`: `authorty` is not an element of bant",
                "/playbook/methodology/required_by/budgte: `budgte` is not an element of bant",
                "/playbook/methodology/required_by/need: `required_by` names stage `propsal`, which does not exist",
            ]
        );
    }
}

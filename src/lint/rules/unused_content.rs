//! `unused-content`: a library item no stage shows.

use std::collections::HashSet;

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// An item of the `content` library that no stage lists in its `content`.
    ///
    /// ## Why it matters
    ///
    /// Content no stage points to is content no rep will find at the right moment. Either a
    /// stage should use it (marketing made it for a reason), or it is outdated and should
    /// leave the library before a rep sends it.
    ///
    /// ## Example
    ///
    /// Flagged (`security-faq` is never shown):
    ///
    /// ```yaml
    /// content:
    ///   - id: security-faq
    ///     title: Security FAQ
    ///     kind: doc
    ///     url: https://example.com/security
    /// stages:
    ///   - id: proposal
    ///     content: []
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// stages:
    ///   - id: proposal
    ///     content: [security-faq]
    /// ```
    UnusedContent {
        id: "unused-content",
        category: Guidance,
        level: Warn,
        summary: "a content-library item is used by no stage",
    }
}

impl Rule for UnusedContent {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let used: HashSet<&str> = cx
            .playbook
            .stages
            .iter()
            .flat_map(|s| s.content.iter().map(crate::model::Id::as_str))
            .collect();
        for (k, item) in cx.playbook.content.iter().enumerate() {
            if !used.contains(item.id.as_str()) {
                let mut finding = cx.finding(
                    &Self::META,
                    format!("/content/{k}/id"),
                    false,
                    format!("content `{}` is not used by any stage", item.id),
                )
                .with_help(match cx.document.spans.get(&format!("/content/{k}")) {
                    // A shared library: other playbooks may show it.
                    Some(span) if span.file > 0 => format!(
                        "add `{}` to the `content` of the stage where reps should show it; {} is shared through `include`: before removing it there, check every playbook that includes it together (an item another one shows is not reported)",
                        item.id, cx.document.files[span.file].name
                    ),
                    _ => format!("add `{}` to the `content` of the stage where reps should show it, or remove it from the library", item.id),
                });
                finding.pointer = format!("/content/{k}");
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings};

    #[test]
    fn passes_when_all_content_is_used() {
        assert!(findings(&UnusedContent, CLEAN).is_empty());
    }

    #[test]
    fn flags_unused_content() {
        let yaml = CLEAN.replace("    content: [pricing]\n", "");
        assert_eq!(
            findings(&UnusedContent, &yaml),
            ["/content/1: content `pricing` is not used by any stage"]
        );
    }
}

//! `vague-activity`: a `do` item that says neither how nor how often.

use crate::declare_rule;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// A `do` activity with neither a `channel` nor a `count`.
    ///
    /// ## Why it matters
    ///
    /// "Follow up with the buyer" means one email to one rep and five calls to another. The
    /// guide's analysis of closed deals is in exactly these terms — 2 emails or 3 calls while
    /// prospecting — and the process can only be compared with reality when activities say
    /// how (channel) and how often (count).
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// do:
    ///   - action: Follow up with the buyer
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// do:
    ///   - action: Follow up with the buyer
    ///     channel: phone
    ///     count: 3
    /// ```
    VagueActivity {
        id: "vague-activity",
        category: Guidance,
        level: Warn,
        summary: "an activity has neither a `channel` nor a `count`",
    }
}

impl Rule for VagueActivity {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        for (i, stage) in cx.playbook.stages.iter().enumerate() {
            for (j, activity) in stage.activities.iter().enumerate() {
                if activity.channel.is_none() && activity.count.is_none() {
                    let mut finding = cx
                        .finding(
                            &Self::META,
                            format!("/stages/{i}/do/{j}/action"),
                            false,
                            format!(
                                "stage `{}`: activity \"{}\" says neither how nor how often",
                                stage.id,
                                activity.action.trim()
                            ),
                        )
                        .with_help(
                            "add `channel:` (email, phone, video-call, meeting …) and/or `count:`",
                        );
                    finding.pointer = format!("/stages/{i}/do/{j}");
                    out.push(finding);
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
    fn passes_with_channel_or_count() {
        assert!(findings(&VagueActivity, CLEAN).is_empty());
    }

    #[test]
    fn flags_a_vague_activity() {
        let yaml = CLEAN.replace("        channel: video-call\n", "");
        assert_eq!(
            findings(&VagueActivity, &yaml),
            [
                "/stages/1/do/0: stage `proposal`: activity \"Walk the buyer through the pricing\" says neither how nor how often"
            ]
        );
    }
}

//! `banned-phrase`: words the team has agreed reps must never say.

use serde::Deserialize;

use crate::declare_rule;
use crate::lint::text::{find_phrase, fold};
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

/// One banned phrase.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Phrase {
    /// The phrase, e.g. "guaranteed ROI".
    pub(crate) phrase: String,
    /// Why reps must not say it; shown in the finding.
    pub(crate) reason: String,
}

/// `[lint.banned-phrase]` in `stagebook.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Options {
    /// The banned phrases.
    #[serde(default)]
    pub(crate) phrases: Vec<Phrase>,
}

declare_rule! {
    /// ## What it checks
    ///
    /// The phrases a team lists under `[lint.banned-phrase]` in `stagebook.toml`, in what reps
    /// *say*: the `script` of talk tracks and the `response` to objections. Matching ignores
    /// case and character width (`ＲＯＩ` is `ROI`; text is NFKC-folded) and runs of spaces,
    /// and Latin phrases match whole words only. The finding quotes the configured reason.
    /// With no phrases configured the rule finds nothing.
    ///
    /// ```toml
    /// [lint.banned-phrase]
    /// phrases = [
    ///   { phrase = "guaranteed ROI", reason = "legal has not approved ROI promises" },
    ///   { phrase = "保证回本", reason = "不得承诺投资回报" },
    /// ]
    /// ```
    ///
    /// ## Why it matters
    ///
    /// Some sentences lose deals or create liability: promises legal has not approved,
    /// competitor claims, discount hints before the negotiation stage. A script is repeated on
    /// hundreds of calls, so one bad phrase in the playbook becomes hundreds of bad calls.
    ///
    /// ## Example
    ///
    /// Flagged (with the configuration above):
    ///
    /// ```yaml
    /// say:
    ///   - situation: Closing the demo
    ///     script: With us you get a Guaranteed ROI within a year.
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// say:
    ///   - situation: Closing the demo
    ///     script: Customers like ACME saw their onboarding time halve within a year.
    /// ```
    BannedPhrase {
        id: "banned-phrase",
        category: Content,
        level: Warn,
        summary: "a script or response uses a phrase the team has banned in `stagebook.toml`",
    }
}

impl Rule for BannedPhrase {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let phrases = &cx.options.banned_phrase.phrases;
        if phrases.is_empty() {
            return;
        }
        let folded: Vec<String> = phrases.iter().map(|p| fold(&p.phrase)).collect();
        for (i, stage) in cx.playbook.stages.iter().enumerate() {
            for (j, say) in stage.say.iter().enumerate() {
                for (field, text) in [("script", &say.script), ("response", &say.response)] {
                    let Some(text) = text else { continue };
                    let haystack = fold(text);
                    for (phrase, needle) in phrases.iter().zip(&folded) {
                        if find_phrase(&haystack, needle).is_some() {
                            out.push(
                                cx.finding(&Self::META, format!("/stages/{i}/say/{j}/{field}"), false, format!(
                                    "stage `{}`: the {field} says \"{}\", which reps must not say: {}",
                                    stage.id, phrase.phrase, phrase.reason
                                ))
                                .with_help("rephrase the script; the banned phrases are listed in stagebook.toml under [lint.banned-phrase]"),
                            );
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config::{Config, Overrides};
    use crate::lint::testing::{CLEAN, findings, findings_with};

    const CONFIG: &str = r#"
[lint.banned-phrase]
phrases = [
  { phrase = "guaranteed ROI", reason = "legal has not approved ROI promises" },
  { phrase = "保证回本", reason = "不得承诺投资回报" },
]
"#;

    #[test]
    fn passes_without_configured_phrases_or_matches() {
        assert!(findings(&BannedPhrase, CLEAN).is_empty());
        let config = Config::parse(CONFIG, None, &Overrides::default()).unwrap();
        assert!(findings_with(&BannedPhrase, CLEAN, &config).is_empty());
    }

    #[test]
    fn matches_scripts_ignoring_case_and_width_but_not_other_fields() {
        let config = Config::parse(CONFIG, None, &Overrides::default()).unwrap();
        let yaml = CLEAN
            .replace(
                "Hi, I help HR teams",
                "Hi, ＧＵＡＲＡＮＴＥＥＤ   roi for HR teams",
            )
            .replace("Many of our customers started there;", "我们保证回本;")
            .replace("Presenting the price", "Guaranteed ROI talk");
        assert_eq!(
            findings_with(&BannedPhrase, &yaml, &config),
            [
                "/stages/0/say/0/script: stage `prospecting`: the script says \"guaranteed ROI\", which reps must not say: legal has not approved ROI promises",
                "/stages/0/say/1/response: stage `prospecting`: the response says \"保证回本\", which reps must not say: 不得承诺投资回报",
            ]
        );
    }
}

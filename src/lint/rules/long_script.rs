//! `long-script`: a talk track that takes too long to say.

use serde::Deserialize;

use crate::declare_rule;
use crate::lint::text::count_speech_units;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

/// `[lint.long-script]` in `stagebook.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Options {
    /// Longest a script or response may take to say, in seconds (default 60).
    #[serde(default = "default_max_seconds")]
    pub(crate) max_seconds: u32,
    /// Speaking rate for Latin-script text, in words per minute (default 150).
    #[serde(default = "default_words_per_minute")]
    pub(crate) words_per_minute: u32,
    /// Speaking rate for Chinese, Japanese and Korean text, in characters per minute
    /// (default 240).
    #[serde(default = "default_cjk_per_minute")]
    pub(crate) cjk_chars_per_minute: u32,
}

fn default_max_seconds() -> u32 {
    60
}
fn default_words_per_minute() -> u32 {
    150
}
fn default_cjk_per_minute() -> u32 {
    240
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_seconds: default_max_seconds(),
            words_per_minute: default_words_per_minute(),
            cjk_chars_per_minute: default_cjk_per_minute(),
        }
    }
}

impl Options {
    /// Estimated seconds to say `text` aloud.
    pub(crate) fn seconds(&self, text: &str) -> f64 {
        let (words, cjk) = count_speech_units(text);
        let per_word = 60.0 / f64::from(self.words_per_minute.max(1));
        let per_char = 60.0 / f64::from(self.cjk_chars_per_minute.max(1));
        #[allow(clippy::cast_precision_loss)]
        let seconds = words as f64 * per_word + cjk as f64 * per_char;
        seconds
    }
}

declare_rule! {
    /// ## What it checks
    ///
    /// A talk-track `script` or an objection `response` that takes longer to say than
    /// `max-seconds` (default 60). Speaking time is estimated from the text: Latin-script
    /// words (runs of letters and digits) at 150 words per minute, the figure commonly used
    /// to plan spoken English at a calm conversational pace; Chinese, Japanese and Korean
    /// characters at 240 characters per minute, since each character is one syllable and
    /// conversational Mandarin runs at about four syllables a second. Punctuation and pauses
    /// are not counted, so the estimate is a floor. Mixed text adds both parts ("ACME的方案"
    /// is one word plus three characters). All three numbers can be changed for your team:
    ///
    /// ```toml
    /// [lint.long-script]
    /// max-seconds = 45
    /// words-per-minute = 160
    /// cjk-chars-per-minute = 260
    /// ```
    ///
    /// ## Why it matters
    ///
    /// Buyers stop listening to monologues. A script that takes two minutes to read is a
    /// pitch, not a talk track: reps either skip it or read it aloud and lose the
    /// conversation. Short scripts that end with a question keep the buyer talking.
    ///
    /// ## Example
    ///
    /// Flagged: a 250-word opening script (about 100 seconds).
    ///
    /// Fixed: keep the one sentence that names the buyer's pain, and end with a question:
    ///
    /// ```yaml
    /// script: You mentioned new hires wait two weeks for accounts. How does that show up for your managers?
    /// ```
    LongScript {
        id: "long-script",
        category: Content,
        level: Warn,
        summary: "a script or response takes longer to say than the configured limit (60 s)",
    }
}

impl Rule for LongScript {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let options = &cx.options.long_script;
        for (i, stage) in cx.playbook.stages.iter().enumerate() {
            for (j, say) in stage.say.iter().enumerate() {
                for (field, text) in [("script", &say.script), ("response", &say.response)] {
                    let Some(text) = text else { continue };
                    let seconds = options.seconds(text);
                    if seconds > f64::from(options.max_seconds) {
                        out.push(
                            cx.finding(&Self::META, format!("/stages/{i}/say/{j}/{field}"), false, format!(
                                "stage `{}`: this {field} takes about {seconds:.0} seconds to say, more than {} seconds",
                                stage.id, options.max_seconds
                            ))
                            .with_help("cut it to the sentence that matters to the buyer and end with a question; or raise `max-seconds` under [lint.long-script]"),
                        );
                    }
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
    fn passes_short_scripts() {
        assert!(findings(&LongScript, CLEAN).is_empty());
    }

    #[test]
    fn estimates_latin_and_cjk_speaking_time() {
        let options = Options::default();
        assert!((options.seconds(&"word ".repeat(150)) - 60.0).abs() < 1e-9);
        assert!((options.seconds(&"字".repeat(240)) - 60.0).abs() < 1e-9);
    }

    #[test]
    fn flags_a_long_script() {
        let long = "We help HR teams. ".repeat(40);
        let yaml = CLEAN.replace(
            "Hi, I help HR teams get new hires productive in days instead of weeks.",
            long.trim(),
        );
        assert_eq!(
            findings(&LongScript, &yaml),
            [
                "/stages/0/say/0/script: stage `prospecting`: this script takes about 64 seconds to say, more than 60 seconds"
            ]
        );
        let chinese = "我们帮助人力资源团队缩短入职时间。".repeat(16);
        let yaml = CLEAN.replace(
            "Hi, I help HR teams get new hires productive in days instead of weeks.",
            &chinese,
        );
        assert_eq!(findings(&LongScript, &yaml).len(), 1);
    }
}

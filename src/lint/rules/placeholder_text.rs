//! `placeholder-text`: TODO, TBD, lorem ipsum, 待定 … left where a rep will read it.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::declare_rule;
use crate::lint::text::{PhraseSet, for_each_prose};
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

/// Markers that are always placeholders (matched case-insensitively as whole words; CJK
/// markers anywhere).
pub(crate) const MARKERS: &[&str] = &[
    "todo",
    "tbd",
    "tba",
    "fixme",
    "xxx",
    "lorem ipsum",
    "placeholder",
    "insert here",
    "[insert",
    "<insert",
    "???",
    "待定",
    "待补充",
    "待完善",
    "待填写",
    "待确认",
    "占位",
    "此处填写",
    "未完成",
];

/// `[lint.placeholder-text]` in `stagebook.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Options {
    /// More markers, e.g. `["wip"]`.
    #[serde(default)]
    pub(crate) extra: Vec<String>,
    /// The built-in and extra markers, compiled once per configuration.
    #[serde(skip)]
    compiled: OnceLock<PhraseSet>,
}

impl Options {
    /// Every marker, compiled.
    pub(crate) fn markers(&self) -> &PhraseSet {
        self.compiled.get_or_init(|| {
            PhraseSet::new(
                MARKERS
                    .iter()
                    .copied()
                    .chain(self.extra.iter().map(String::as_str)),
            )
        })
    }
}

declare_rule! {
    /// ## What it checks
    ///
    /// Text a rep or buyer reads — names, goals, pains, know, actions, scripts, exit events,
    /// evidence, content titles and descriptions — containing a placeholder: `TODO`, `TBD`,
    /// `TBA`, `FIXME`, `XXX`, `lorem ipsum`, `placeholder`, `[insert …`, `???`, `待定`,
    /// `待补充`, `待完善`, `待填写`, `待确认`, `占位`, `此处填写`, `未完成`. Latin markers match
    /// case-insensitively as whole words (`mastodon` is not `todo`); teams add their own with
    /// `extra = [...]` under `[lint.placeholder-text]`.
    ///
    /// ## Why it matters
    ///
    /// A handbook is printed and read on calls. "Response: TBD" under the price objection is
    /// worse than no entry: the rep trusts the guide and finds nothing when the buyer is
    /// waiting. Placeholders also hide unfinished stages in review.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// say:
    ///   - objection: It is too expensive
    ///     response: TODO ask finance
    /// ```
    ///
    /// Fixed:
    ///
    /// ```yaml
    /// say:
    ///   - objection: It is too expensive
    ///     response: It pays back in the first month for a team hiring ten people a quarter.
    /// ```
    PlaceholderText {
        id: "placeholder-text",
        category: Content,
        level: Warn,
        summary: "text a rep reads still holds a placeholder (TODO, TBD, lorem ipsum, 待定 …)",
    }
}

impl Rule for PlaceholderText {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let markers = cx.options.placeholder_text.markers();
        for_each_prose(&cx.document.value, |pointer, text| {
            let Some(marker) = markers.earliest_unfolded(text) else {
                return;
            };
            let place = crate::validate::place(&cx.document.value, pointer);
            let field = pointer
                .rsplit('/')
                .find(|s| s.parse::<usize>().is_err())
                .unwrap_or("text");
            out.push(
                cx.finding(
                    &Self::META,
                    pointer.to_string(),
                    false,
                    format!("{place}: `{field}` still holds the placeholder `{marker}`"),
                )
                .with_help("write the real text, or remove the entry until it is ready"),
            );
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config::{Config, Overrides};
    use crate::lint::testing::{CLEAN, findings, findings_with};

    #[test]
    fn passes_on_finished_text() {
        assert!(findings(&PlaceholderText, CLEAN).is_empty());
    }

    #[test]
    fn flags_english_and_chinese_placeholders() {
        let yaml = CLEAN
            .replace("Our discount policy", "Our discount policy (TBD)")
            .replace("Pricing one-pager", "价格单页（待定）")
            .replace("Opening a cold call", "Opening a cold call, see mastodon");
        assert_eq!(
            findings(&PlaceholderText, &yaml),
            [
                "/content/1/title: content `pricing`: `title` still holds the placeholder `待定`",
                "/stages/1/know/0: stage `proposal`: `know` still holds the placeholder `tbd`",
            ]
        );
    }

    #[test]
    fn team_markers_extend_the_list() {
        let config = Config::parse(
            "[lint.placeholder-text]\nextra = [\"WIP\"]\n",
            None,
            &Overrides::default(),
        )
        .unwrap();
        let yaml = CLEAN.replace("Our discount policy", "Our discount policy (WIP)");
        assert_eq!(findings_with(&PlaceholderText, &yaml, &config).len(), 1);
    }
}

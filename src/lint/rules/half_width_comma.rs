//! `half-width-comma`: a half-width comma between Chinese words in a flow list (`[甲,乙]`)
//! splits what reads as one item into two.

use crate::declare_rule;
use crate::lint::text::for_each_prose;
use crate::lint::{Finding, LintContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it checks
    ///
    /// Two neighbouring items of a list written in brackets (`[…]`) whose only separator is a
    /// half-width comma `,` between two Chinese, Japanese or Korean characters: `know:
    /// [了解客户的预算,决策流程]`.
    ///
    /// ## Why it matters
    ///
    /// In a bracketed list YAML splits at every `,`. Chinese text is typed with the full-width
    /// comma `，`, and a half-width one slipped in by the input method cuts one item into two
    /// without a word: the handbook then prints two half-sentences as two points, and the
    /// checklist gives each its own box.
    ///
    /// ## Example
    ///
    /// Flagged:
    ///
    /// ```yaml
    /// know: [了解客户的预算,决策流程和时间表]
    /// ```
    ///
    /// Fixed (one item: the full-width comma; two items: a space after the comma):
    ///
    /// ```yaml
    /// know: [了解客户的预算，决策流程和时间表]
    /// know: [了解客户的预算, 决策流程和时间表]
    /// ```
    HalfWidthComma {
        id: "half-width-comma",
        category: Content,
        level: Warn,
        summary: "a half-width comma between Chinese words in a `[…]` list splits one item into two",
    }
}

/// Whether `c` is a CJK ideograph, kana or hangul syllable, or CJK punctuation.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'   // CJK symbols and punctuation
        | '\u{3040}'..='\u{30FF}' // hiragana, katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{AC00}'..='\u{D7AF}' // hangul syllables
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{FF00}'..='\u{FFEF}' // full-width forms
        | '\u{20000}'..='\u{2FA1F}')
}

impl Rule for HalfWidthComma {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Finding>) {
        let document = cx.document;
        let mut previous: Option<(String, String)> = None;
        for_each_prose(&document.value, |pointer, text| {
            let last = previous.replace((pointer.to_owned(), text.to_owned()));
            let Some((before_pointer, before)) = last else {
                return;
            };
            // Neighbours in one list: `…/3` right after `…/2`.
            let (Some((parent, position)), Some((earlier_parent, earlier_position))) =
                (pointer.rsplit_once('/'), before_pointer.rsplit_once('/'))
            else {
                return;
            };
            let (Ok(position), Ok(earlier_position)) =
                (position.parse::<usize>(), earlier_position.parse::<usize>())
            else {
                return;
            };
            if parent != earlier_parent || position != earlier_position + 1 {
                return;
            }
            let (Some(first), Some(second)) = (
                document.spans.get(&before_pointer),
                document.spans.get(pointer),
            ) else {
                return;
            };
            if first.file != second.file || first.value.end > second.value.start {
                return;
            }
            let source = document.files[first.file].text();
            let Some(between) = source.get(first.value.end..second.value.start) else {
                return;
            };
            let joined = before.chars().next_back().is_some_and(is_cjk)
                && text.chars().next().is_some_and(is_cjk);
            if between != "," || !joined {
                return;
            }
            let place = crate::validate::place(&document.value, pointer);
            out.push(
                cx.finding(
                    &Self::META,
                    pointer.to_string(),
                    false,
                    format!(
                        "{place}: the half-width comma after `{before}` makes `{text}` an item of its own"
                    ),
                )
                .with_help(format!(
                    "one item: write the full-width comma (`{before}，{text}`); two items: put a space after the comma"
                )),
            );
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{CLEAN, findings};

    /// The clean playbook with the first stage's `know` written as `know`.
    fn with_know(know: &str) -> String {
        CLEAN.replacen(
            "    know:\n      - Our three product pillars and which pains each one solves\n",
            &format!("    know: {know}\n"),
            1,
        )
    }

    #[test]
    fn flags_a_half_width_comma_between_chinese_words_in_a_bracketed_list() {
        let found = findings(
            &HalfWidthComma,
            &with_know("[了解客户的预算,决策流程和时间表]"),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("makes `决策流程和时间表` an item of its own"),
            "{found:?}"
        );
    }

    #[test]
    fn passes_a_space_after_the_comma_latin_words_and_block_lists() {
        for know in [
            "[了解客户的预算, 决策流程和时间表]",
            "[了解客户的预算，决策流程和时间表]",
            "[budget,timeline]",
            "[预算,timeline]",
            "\n      - 了解客户的预算\n      - 决策流程",
        ] {
            let yaml = with_know(know);
            assert!(findings(&HalfWidthComma, &yaml).is_empty(), "{know}");
        }
        assert!(findings(&HalfWidthComma, CLEAN).is_empty());
    }
}

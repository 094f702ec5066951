//! Text helpers for the content rules: which strings a rep reads, folding for case- and
//! width-insensitive matching, word matching, and speaking-time estimates.

use std::cmp::Reverse;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use crate::load::yaml::push_segment;

/// Keys whose strings are machine names, links or settings, not text a rep reads.
const NOT_PROSE: &[&str] = &[
    "id",
    "next",
    "recycle",
    "url",
    "path",
    "lint",
    "captures",
    "include",
    "terminal",
    "milestone",
    "kind",
    "channel",
    "locale",
    "owner",
    "updated",
    "version",
    "cycle_target",
    "expected_duration",
    "sla",
    "crm_names",
    "methodology",
];

/// Calls `visit` with every string a rep reads in the handbook and its JSON pointer, in
/// document order.
pub(crate) fn for_each_prose<'v>(value: &'v Value, mut visit: impl FnMut(&str, &'v str)) {
    walk(value, &mut String::new(), 0, &mut visit);
}

fn walk<'v>(
    value: &'v Value,
    pointer: &mut String,
    depth: usize,
    visit: &mut impl FnMut(&str, &'v str),
) {
    match value {
        Value::String(text) => visit(pointer, text),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(itoa::Buffer::new().format(i));
                walk(item, pointer, depth + 1, visit);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, child) in map {
                // A stage's `content` lists library ids; the library's own `content` is prose.
                let stage_content = key == "content" && depth > 0;
                if NOT_PROSE.contains(&key.as_str()) || stage_content {
                    continue;
                }
                let len = pointer.len();
                push_segment(pointer, key);
                walk(child, pointer, depth + 1, visit);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Folds text for matching: NFKC (full-width `ＲＯＩ` becomes `ROI`, half-width katakana
/// becomes full-width), lowercase, and runs of whitespace become one space.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if text.is_ascii() {
        // ASCII is already in NFKC: split on whitespace, then lowercase in one pass.
        for word in text.split_ascii_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        out.make_ascii_lowercase();
    } else if text.chars().all(nfkc_is_known) {
        // Chinese text is mostly ideographs and full-width punctuation, whose NFKC forms are
        // known without the (comparatively slow) general normalisation.
        push_folded(&mut out, text.chars().map(nfkc_known));
    } else {
        push_folded(&mut out, text.nfkc());
    }
    out
}

/// Whether `fold(text)` differs from `text` at most in the case of ASCII letters: ASCII,
/// ideographs and `、。` only, with single spaces between words and none at either end.
fn folds_to_itself(text: &str) -> bool {
    let mut after_space = true;
    for c in text.chars() {
        let space = c == ' ';
        let kept = (c.is_ascii() && !c.is_ascii_whitespace())
            || matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3001}'..='\u{3002}');
        if !(kept || space && !after_space) {
            return false;
        }
        after_space = space;
    }
    !after_space || text.is_empty()
}

/// Whether `nfkc_known` gives the NFKC form of `c`.
fn nfkc_is_known(c: char) -> bool {
    c.is_ascii()
        || matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3000}'..='\u{3002}' | '\u{ff01}'..='\u{ff5e}')
}

/// The NFKC form of a character `nfkc_is_known` accepts: ideographs and `、。` stay, the
/// ideographic space and full-width ASCII become their ASCII twins.
fn nfkc_known(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c),
        _ => c,
    }
}

/// Appends `chars` lowercased, with runs of whitespace as one space and none at either end.
fn push_folded(out: &mut String, chars: impl Iterator<Item = char>) {
    let mut space = false;
    for c in chars {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else if is_cjk(c) {
                out.push(c);
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
}

/// Whether `c` belongs to a Latin-script word (letters, digits, `'`).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c) || c == '\''
}

/// Whether `c` is a Chinese, Japanese or Korean character, which is spoken one syllable each.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'   // kana
        | '\u{3400}'..='\u{4dbf}' // CJK extension A
        | '\u{4e00}'..='\u{9fff}' // CJK unified ideographs
        | '\u{ac00}'..='\u{d7af}' // Hangul syllables
        | '\u{f900}'..='\u{faff}' // compatibility ideographs
        | '\u{20000}'..='\u{2ffff}')
}

/// Whether `haystack[start..end]` stands as a whole phrase: not glued to Latin letters on
/// either side. CJK text has no spaces, so a CJK edge always counts as a boundary.
fn is_whole(haystack: &str, start: usize, end: usize) -> bool {
    let needle = &haystack[start..end];
    let before = haystack[..start].chars().next_back();
    let after = haystack[end..].chars().next();
    let first = needle.chars().next().unwrap_or(' ');
    let last = needle.chars().next_back().unwrap_or(' ');
    let open = !is_word_char(first) || before.is_none_or(|c| !is_word_char(c));
    let close = !is_word_char(last) || after.is_none_or(|c| !is_word_char(c));
    open && close
}

/// Where `needle` occurs in `haystack` (both already folded) as a whole phrase.
pub(crate) fn find_phrase(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let mut from = 0;
    while let Some(found) = haystack[from..].find(needle) {
        let start = from + found;
        if is_whole(haystack, start, start + needle.len()) {
            return Some(start);
        }
        from = start + haystack[start..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// A list of phrases, folded and compiled once, found in one pass over a folded text.
#[derive(Debug, Clone)]
pub(crate) struct PhraseSet {
    words: Vec<String>,
    automaton: AhoCorasick,
}

impl PhraseSet {
    /// Folds and compiles `words` (empty ones are dropped) for searching much text: slower to
    /// build (a DFA), faster to search.
    pub(crate) fn new<S: AsRef<str>>(words: impl IntoIterator<Item = S>) -> Self {
        Self::build(words, None)
    }

    /// Like [`PhraseSet::new`], for lists searched in a few short texts (exit events): an NFA
    /// builds in a fraction of a DFA's time, which is what a run on one playbook waits for.
    pub(crate) fn quick_to_build<S: AsRef<str>>(words: impl IntoIterator<Item = S>) -> Self {
        Self::build(words, Some(AhoCorasickKind::ContiguousNFA))
    }

    fn build<S: AsRef<str>>(
        words: impl IntoIterator<Item = S>,
        kind: Option<AhoCorasickKind>,
    ) -> Self {
        let mut words: Vec<String> = words
            .into_iter()
            .map(|w| fold(w.as_ref()))
            .filter(|w| !w.is_empty())
            .collect();
        words.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        words.dedup();
        // Folded phrases are lowercase; matching ASCII letters in either case lets
        // `earliest_unfolded` search text that folding would change only in case.
        let automaton = AhoCorasick::builder()
            .kind(kind)
            .ascii_case_insensitive(true)
            .build(&words)
            .expect("plain phrases always compile");
        Self { words, automaton }
    }

    /// Every whole-phrase match in `text` (already folded), overlapping, as (start, phrase).
    pub(crate) fn find_all<'s, 't>(
        &'s self,
        text: &'t str,
    ) -> impl Iterator<Item = (usize, &'s str)> + use<'s, 't> {
        self.automaton
            .find_overlapping_iter(text)
            .filter(move |m| is_whole(text, m.start(), m.end()))
            .map(move |m| (m.start(), self.words[m.pattern().as_usize()].as_str()))
    }

    /// The first match in `text`; the longest phrase when several start there.
    pub(crate) fn earliest(&self, text: &str) -> Option<(usize, &str)> {
        if !self.automaton.is_match(text) {
            return None;
        }
        self.find_all(text)
            .min_by_key(|&(at, word)| (at, Reverse(word.len())))
    }

    /// The phrase [`PhraseSet::earliest`] finds in `fold(text)`, folding only when that would
    /// change more than the case of ASCII letters (most text is already in folded form).
    pub(crate) fn earliest_unfolded(&self, text: &str) -> Option<&str> {
        if folds_to_itself(text) {
            self.earliest(text).map(|(_, word)| word)
        } else {
            self.earliest(&fold(text)).map(|(_, word)| word)
        }
    }
}

/// Latin words and CJK characters in `text`: what speaking time is estimated from.
pub(crate) fn count_speech_units(text: &str) -> (usize, usize) {
    let mut words = 0;
    let mut cjk = 0;
    let mut in_word = false;
    for c in text.chars() {
        if is_cjk(c) {
            cjk += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                words += 1;
            }
            in_word = true;
        } else if c != '\'' && c != '-' {
            in_word = false;
        }
    }
    (words, cjk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_folds_to_itself_is_recognised() {
        for text in [
            "",
            "Send the TODO list",
            "客户确认预算。",
            "a 待定 b",
            "ROI、价格",
        ] {
            assert!(folds_to_itself(text), "{text:?}");
            assert_eq!(fold(text), text.to_ascii_lowercase(), "{text:?}");
        }
        for text in [
            " a",
            "a ",
            "a  b",
            "a\tb",
            "ＴＯＤＯ",
            "a\u{3000}b",
            "Ärger",
            "é",
        ] {
            assert!(!folds_to_itself(text), "{text:?}");
        }
        let markers = PhraseSet::new(["todo", "lorem ipsum", "待定"]);
        assert_eq!(markers.earliest_unfolded("Write ToDo here"), Some("todo"));
        assert_eq!(markers.earliest_unfolded("ＴＯＤＯ"), Some("todo"));
        assert_eq!(
            markers.earliest_unfolded("Lorem\n  ipsum"),
            Some("lorem ipsum")
        );
        assert_eq!(markers.earliest_unfolded("价格待定。"), Some("待定"));
        assert_eq!(markers.earliest_unfolded("mastodon"), None);
    }

    #[test]
    fn the_fast_paths_fold_like_nfkc() {
        let samples = [
            "Guaranteed  ROI ",
            "ＧＵＡＲＡＮＴＥＥＤ　ＲＯＩ",
            "客户认为，价格太高。",
            "待定：ＴＢＤ",
            "ｶﾞｲﾄﾞ",
            "Ｔｏｄｏ…①",
            "İstanbul ÉTÉ",
        ];
        for text in samples {
            let slow: String = text.nfkc().flat_map(char::to_lowercase).collect();
            let slow = slow.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(fold(text), slow, "{text}");
        }
    }

    #[test]
    fn folding_ignores_case_and_width() {
        assert_eq!(fold("Guaranteed  ＲＯＩ"), "guaranteed roi");
        assert_eq!(fold("ｶﾀｶﾅ"), "カタカナ");
        assert_eq!(fold("保证　回报"), "保证 回报");
    }

    #[test]
    fn phrases_match_whole_words_only() {
        assert_eq!(find_phrase("a todo here", "todo"), Some(2));
        assert_eq!(find_phrase("mastodon", "todo"), None);
        assert_eq!(find_phrase("内容待定。", "待定"), Some(6));
        assert_eq!(find_phrase("(tbd)", "tbd"), Some(1));
    }

    #[test]
    fn phrase_sets_find_whole_phrases_in_one_pass() {
        let set = PhraseSet::new(["TODO", "sales rep", "rep", "待定"]);
        assert_eq!(set.earliest("the sales rep sends"), Some((4, "sales rep")));
        assert_eq!(set.earliest("reply later"), None);
        assert_eq!(set.earliest("价格待定"), Some((6, "待定")));
    }

    #[test]
    fn speech_units_count_words_and_characters() {
        assert_eq!(
            count_speech_units("Hi, I'm Ann — we help HR teams."),
            (7, 0)
        );
        assert_eq!(count_speech_units("您好，我是ACME的销售。"), (1, 7));
    }
}

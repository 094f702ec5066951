//! Counted nouns and capped lists in messages: "2 values", "`a`, `b` and 3 more".

use std::fmt::Write as _;

/// `n word`, with an `s` unless `n` is 1: "1 file", "3 files".
pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The first `shown` of `items`, comma-separated, each through `show`, then "and N more" for
/// the rest.
pub(crate) fn capped<T>(items: &[T], shown: usize, show: impl Fn(&T) -> String) -> String {
    let mut text = items
        .iter()
        .take(shown)
        .map(show)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > shown {
        let _ = write!(text, " and {} more", items.len() - shown);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_caps() {
        assert_eq!(plural(1, "file"), "1 file");
        assert_eq!(plural(0, "file"), "0 files");
        let names = ["a", "b", "c"];
        assert_eq!(
            capped(&names, 2, |n| format!("`{n}`")),
            "`a`, `b` and 1 more"
        );
        assert_eq!(capped(&names, 5, ToString::to_string), "a, b, c");
    }
}

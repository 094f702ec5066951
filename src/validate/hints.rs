//! Hints that propose the valid form of a value an author wrote another way: the help line of
//! a schema finding says `write probability: 20`, not "see the schema".

/// Numbers written as English words.
const WORDS: [(&str, u64); 13] = [
    ("once", 1),
    ("twice", 2),
    ("thrice", 3),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
];
/// Numbers written in Chinese, one to ten.
const HANZI: [char; 10] = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/// The whole number an author most likely meant by `text`: `20%`, `20 percent`, `3x`,
/// `3 times`, `twice`, `three`, `三次`. `None` when the text holds no such number.
pub(crate) fn whole_number(text: &str) -> Option<u64> {
    let text = text.trim().to_lowercase();
    let bare = ["%", "percent", "pct", "times", "time", "x", "次", "个"]
        .iter()
        .fold(text.as_str(), |t, suffix| {
            t.strip_suffix(suffix).unwrap_or(t).trim_end()
        });
    let bare = bare.strip_prefix('x').unwrap_or(bare).trim();
    if let Ok(number) = bare.parse::<u64>() {
        return Some(number);
    }
    // Words are matched whole (`six` is not `si` and an `x`).
    let bare = ["times", "time", "次", "个"]
        .iter()
        .fold(text.as_str(), |t, suffix| {
            t.strip_suffix(suffix).unwrap_or(t).trim_end()
        });
    if let Some((_, n)) = WORDS.iter().find(|(word, _)| *word == bare) {
        return Some(*n);
    }
    let mut chars = bare.chars();
    match (chars.next(), chars.next()) {
        (Some('两'), None) => Some(2),
        (Some(c), None) => HANZI.iter().position(|h| *h == c).map(|i| i as u64 + 1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_written_with_units_or_words() {
        for (text, number) in [
            ("20%", 20),
            (" 20 % ", 20),
            ("20 percent", 20),
            ("3x", 3),
            ("x3", 3),
            ("3 times", 3),
            ("twice", 2),
            ("Three", 3),
            ("six", 6),
            ("six times", 6),
            ("三次", 3),
            ("两次", 2),
            ("十", 10),
            ("40", 40),
        ] {
            assert_eq!(whole_number(text), Some(number), "{text}");
        }
        for text in ["", "high", "a lot", "20.5%", "-3", "十一次"] {
            assert_eq!(whole_number(text), None, "{text}");
        }
    }
}

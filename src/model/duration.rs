//! A stage's time budget as written in a playbook: `36h`, `10d`, `2w`, `3mo`.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The pattern every duration matches; kept in one place for the schema and the parser.
pub(crate) const PATTERN: &str = "^[1-9][0-9]{0,3}([hdw]|mo)$";

/// Days in a month of a duration (`3mo` is 90 days): a budget, not a calendar month.
pub(crate) const DAYS_PER_MONTH: u64 = 30;

/// A whole number of hours, days, weeks or months (30 days each). Kept in the unit it was written in, so the
/// handbook says "2w" where the author wrote "2w".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Duration {
    amount: u32,
    unit: Unit,
}

/// The unit a duration was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Unit {
    /// `h`
    Hours,
    /// `d`
    Days,
    /// `w`
    Weeks,
    /// `mo`: 30 days.
    Months,
}

impl Duration {
    /// The number as written.
    pub(crate) fn amount(self) -> u32 {
        self.amount
    }

    /// The unit as written.
    pub(crate) fn unit(self) -> Unit {
        self.unit
    }

    /// The length in hours.
    pub(crate) fn hours(self) -> u64 {
        u64::from(self.amount)
            * match self.unit {
                Unit::Hours => 1,
                Unit::Days => 24,
                Unit::Weeks => 24 * 7,
                Unit::Months => 24 * DAYS_PER_MONTH,
            }
    }
}

/// Why a text is not a duration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseDurationError;

impl fmt::Display for ParseDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a duration is a whole number followed by h, d, w or mo (30 days), like 36h, 10d, 2w or 3mo",
        )
    }
}

impl std::error::Error for ParseDurationError {}

impl FromStr for Duration {
    type Err = ParseDurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (digits, unit) = if let Some(digits) = text.strip_suffix("mo") {
            (digits, Unit::Months)
        } else {
            let unit = match text.as_bytes().last() {
                Some(b'h') => Unit::Hours,
                Some(b'd') => Unit::Days,
                Some(b'w') => Unit::Weeks,
                _ => return Err(ParseDurationError),
            };
            (&text[..text.len() - 1], unit)
        };
        if digits.is_empty()
            || digits.len() > 4
            || digits.starts_with('0')
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(ParseDurationError);
        }
        let amount = digits.parse().map_err(|_| ParseDurationError)?;
        Ok(Self { amount, unit })
    }
}

impl Duration {
    /// What an author most likely meant by a duration written another way — `1 week`,
    /// `10 days`, `36 Hours`, `1.5w`, `2周`, `10天` — in the form a playbook takes (`1w`, `10d`,
    /// `36h`, `252h`); `3 months`, `3个月` as `3mo`. `None` when the text is not a number of
    /// hours, days, weeks or months.
    pub(crate) fn suggest(text: &str) -> Option<Self> {
        let text = text.trim().to_lowercase();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let unit = match unit.trim() {
            "h" | "hr" | "hrs" | "hour" | "hours" | "小时" | "个小时" => Unit::Hours,
            "d" | "day" | "days" | "天" | "日" => Unit::Days,
            "w" | "wk" | "wks" | "week" | "weeks" | "周" | "星期" | "个星期" | "个礼拜" => {
                Unit::Weeks
            }
            "mo" | "mos" | "mon" | "month" | "months" | "个月" | "月" => Unit::Months,
            _ => return None,
        };
        let number: f64 = number.parse().ok().filter(|n: &f64| *n > 0.0)?;
        // The unit written when the number is whole, else the largest unit that makes it whole.
        // Exact in f64: every unit is a whole number of hours below 2^53.
        #[allow(clippy::cast_precision_loss)]
        let per = |unit: Unit| Self { amount: 1, unit }.hours() as f64;
        let hours = number * per(unit);
        let whole = |n: f64| (n.fract() == 0.0 && (1.0..=9999.0).contains(&n)).then_some(n);
        [unit, Unit::Weeks, Unit::Days, Unit::Hours]
            .into_iter()
            .find_map(|unit| {
                let per = per(unit);
                // Amounts are at most 9999, so the cast cannot truncate.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                whole(hours / per).map(|amount| Self {
                    amount: amount as u32,
                    unit,
                })
            })
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            Unit::Hours => "h",
            Unit::Days => "d",
            Unit::Weeks => "w",
            Unit::Months => "mo",
        };
        write!(f, "{}{unit}", self.amount)
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": PATTERN,
            "description": "A whole number of hours (h), days (d), weeks (w) or months (mo, 30 days each).",
            "examples": ["36h", "10d", "2w", "3mo"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_units() {
        assert_eq!("36h".parse::<Duration>().unwrap().hours(), 36);
        assert_eq!("10d".parse::<Duration>().unwrap().hours(), 240);
        assert_eq!("2w".parse::<Duration>().unwrap().hours(), 336);
        assert_eq!("2w".parse::<Duration>().unwrap().to_string(), "2w");
        assert_eq!("3mo".parse::<Duration>().unwrap().hours(), 90 * 24);
        assert_eq!("3mo".parse::<Duration>().unwrap().to_string(), "3mo");
        for text in ["3m", "mo", "0mo", "3 mo", "3MO", "12345mo"] {
            assert!(text.parse::<Duration>().is_err(), "{text}");
        }
    }

    #[test]
    fn suggests_the_form_an_author_meant() {
        let suggest = |text| Duration::suggest(text).map(|d| d.to_string());
        assert_eq!(suggest("1 week").as_deref(), Some("1w"));
        assert_eq!(suggest(" 10 Days ").as_deref(), Some("10d"));
        assert_eq!(suggest("10 d").as_deref(), Some("10d"));
        assert_eq!(suggest("36 hours").as_deref(), Some("36h"));
        assert_eq!(suggest("1.5w").as_deref(), Some("252h"));
        assert_eq!(suggest("0.5 days").as_deref(), Some("12h"));
        assert_eq!(suggest("2周").as_deref(), Some("2w"));
        assert_eq!(suggest("10天").as_deref(), Some("10d"));
        assert_eq!(suggest("010d").as_deref(), Some("10d"));
        assert_eq!(suggest("3 months").as_deref(), Some("3mo"));
        assert_eq!(suggest("3个月").as_deref(), Some("3mo"));
        assert_eq!(suggest("1.5 months").as_deref(), Some("45d"));
        for text in ["0d", "soon", "", "w", "99999d", "-2d", "0mo", "mo"] {
            assert_eq!(suggest(text), None, "{text}");
        }
    }

    #[test]
    fn rejects_everything_else() {
        for text in [
            "", "d", "0d", "01d", "1.5d", "10", "10 d", "3m", "-2d", "99999d", "十天",
        ] {
            assert!(text.parse::<Duration>().is_err(), "{text}");
        }
    }
}

//! A stage's time budget as written in a playbook: `36h`, `10d`, `2w`.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The pattern every duration matches; kept in one place for the schema and the parser.
pub(crate) const PATTERN: &str = "^[1-9][0-9]{0,3}[hdw]$";

/// A whole number of hours, days or weeks. Kept in the unit it was written in, so the
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
            }
    }
}

/// Why a text is not a duration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseDurationError;

impl fmt::Display for ParseDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration is a whole number followed by h, d or w, like 36h, 10d or 2w")
    }
}

impl std::error::Error for ParseDurationError {}

impl FromStr for Duration {
    type Err = ParseDurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let unit = match text.as_bytes().last() {
            Some(b'h') => Unit::Hours,
            Some(b'd') => Unit::Days,
            Some(b'w') => Unit::Weeks,
            _ => return Err(ParseDurationError),
        };
        let digits = &text[..text.len() - 1];
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

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            Unit::Hours => 'h',
            Unit::Days => 'd',
            Unit::Weeks => 'w',
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
            "description": "A whole number of hours (h), days (d) or weeks (w).",
            "examples": ["36h", "10d", "2w"]
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

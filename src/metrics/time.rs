//! Metrics stage: instants and periods.
//!
//! Time-zone rules, in one place:
//! - a timestamp with an offset (`2024-03-01T09:30:00+08:00`, `…Z`, `…+0000`) is that instant;
//! - a timestamp without one (`2024-03-01 09:30:00`, `2024-03-01T09:30`) or a bare date
//!   (`2024-03-01`, read as midnight) is wall-clock time in the report's zone (`--tz`, UTC by
//!   default), which is how CRM exports usually write local time;
//! - `--from`, `--to` and the calendar periods (months, ISO weeks from Monday, quarters) are
//!   days in that same zone.
//!
//! Instants are whole seconds since the Unix epoch; fractions of a second are dropped.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// Seconds since the Unix epoch.
pub(crate) type Secs = i64;

/// The zone naive timestamps and periods are read in.
#[derive(Debug, Clone)]
pub struct Zone {
    tz: TimeZone,
    utc: bool,
    name: String,
}

impl Zone {
    /// UTC.
    pub fn utc() -> Self {
        Self {
            tz: TimeZone::UTC,
            utc: true,
            name: "UTC".into(),
        }
    }

    /// A zone by IANA name (`Asia/Shanghai`) or `UTC`.
    pub fn named(name: &str) -> Result<Self, String> {
        if name.eq_ignore_ascii_case("utc") || name == "Z" {
            return Ok(Self::utc());
        }
        let tz = TimeZone::get(name).map_err(|_| {
            format!("unknown time zone `{name}`: use an IANA name such as `Europe/Paris` or `UTC`")
        })?;
        Ok(Self {
            tz,
            utc: false,
            name: name.to_owned(),
        })
    }

    /// The zone's name as given.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The instant of a wall-clock time in this zone (the earlier one when clocks go back,
    /// the later one when they skip forward).
    pub(crate) fn instant(&self, civil: CivilTime) -> Result<Secs, &'static str> {
        let local = civil.local_secs();
        if self.utc {
            return Ok(local);
        }
        let dt = DateTime::new(
            i16::try_from(civil.year).map_err(|_| "year out of range")?,
            i8::try_from(civil.month).map_err(|_| "month out of range")?,
            i8::try_from(civil.day).map_err(|_| "day out of range")?,
            i8::try_from(civil.hour).map_err(|_| "hour out of range")?,
            i8::try_from(civil.minute).map_err(|_| "minute out of range")?,
            i8::try_from(civil.second).map_err(|_| "second out of range")?,
            0,
        )
        .map_err(|_| "not a valid date and time")?;
        self.tz
            .to_ambiguous_timestamp(dt)
            .compatible()
            .map(Timestamp::as_second)
            .map_err(|_| "not a valid time in the report's time zone")
    }

    /// Midnight at the start of `date` in this zone.
    ///
    /// The history accepts years 0000–9999 but time zones are only known within about a day
    /// of that range's ends; past them (`9999-12-31`) the day is read as UTC, never as 1970.
    pub(crate) fn midnight(&self, date: Date) -> Secs {
        date.to_zoned(self.tz.clone()).map_or_else(
            |_| {
                let (month, day) = (date.month().unsigned_abs(), date.day().unsigned_abs());
                days_from_civil(i32::from(date.year()), u32::from(month), u32::from(day)) * 86_400
            },
            |z| z.timestamp().as_second(),
        )
    }

    /// The calendar date of an instant in this zone (read as UTC past the ends of the time
    /// zones' range, see [`Zone::midnight`]).
    pub(crate) fn date_of(&self, secs: Secs) -> Date {
        Timestamp::from_second(secs).map_or_else(
            |_| civil_from_days(secs.div_euclid(86_400)),
            |t| t.to_zoned(self.tz.clone()).date(),
        )
    }

    /// The first instant after `date` in this zone.
    pub(crate) fn end_of_day(&self, date: Date) -> Secs {
        date.tomorrow().map_or_else(
            |_| self.midnight(date).saturating_add(86_400),
            |next| self.midnight(next),
        )
    }

    /// An instant written for people: `2024-03-01 09:30` in this zone.
    pub(crate) fn format(&self, secs: Secs) -> String {
        Timestamp::from_second(secs).map_or_else(
            |_| {
                let minutes = secs.rem_euclid(86_400) / 60;
                format!(
                    "{} {:02}:{:02}",
                    self.date_of(secs),
                    minutes / 60,
                    minutes % 60
                )
            },
            |t| {
                t.to_zoned(self.tz.clone())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string()
            },
        )
    }
}

/// A wall-clock date and time as written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CivilTime {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl CivilTime {
    /// Seconds since the epoch if this wall-clock time were UTC.
    fn local_secs(self) -> Secs {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour * 3600 + self.minute * 60 + self.second)
    }
}

/// How a history writes the time of a stage change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TimeFormat {
    /// RFC 3339, `YYYY-MM-DD HH:MM[:SS]` or a date: read by the fast parser below.
    #[default]
    Iso,
    /// A strftime pattern (`%m/%d/%Y %I:%M %p`): `--date-format`, or found in the file.
    Pattern(String),
}

impl TimeFormat {
    /// The instant `text` names; a time without an offset is wall-clock time in `zone`.
    pub(crate) fn parse(&self, text: &[u8], zone: &Zone) -> Result<Secs, &'static str> {
        match self {
            Self::Iso => parse_instant(text, zone),
            Self::Pattern(pattern) => parse_pattern(pattern, text, zone),
        }
    }
}

/// The time formats exports write besides ISO, tried when a history's times are not ISO:
/// Salesforce and Excel in the US (`1/20/2026 3:05 PM`), the UK and France (`20/01/2026
/// 15:05`), Germany (`20.01.2026 15:05`). Each with and without seconds, and dates alone.
const EXPORT_FORMATS: [&str; 16] = [
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %I:%M %p",
    "%d/%m/%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%d-%m-%Y %H:%M",
];

/// How the sampled times (line, text) are written: the format that reads the most of them,
/// ISO when it reads as many as any (the rows it cannot read are then malformed rows, reported
/// with their line). A day-first and a month-first format that read as many (no day after the
/// 12th decides) are refused, with both, rather than guessed.
pub(crate) fn detect_format(samples: &[(u64, String)]) -> Result<TimeFormat, String> {
    let zone = Zone::utc();
    let score = |format: &TimeFormat| {
        samples
            .iter()
            .filter(|(_, text)| format.parse(text.as_bytes(), &zone).is_ok())
            .count()
    };
    let iso = score(&TimeFormat::Iso);
    let scored: Vec<(&str, usize)> = EXPORT_FORMATS
        .iter()
        .map(|p| (*p, score(&TimeFormat::Pattern((*p).to_owned()))))
        .collect();
    let best = scored.iter().map(|(_, n)| *n).max().unwrap_or(0);
    if samples.is_empty() || iso >= best && iso > 0 {
        return Ok(TimeFormat::Iso);
    }
    if best == 0 {
        // Nothing reads: the rows are malformed, and reading them says where.
        return Ok(TimeFormat::Iso);
    }
    let top = |first: &str| {
        scored
            .iter()
            .find(|(p, n)| *n == best && p.starts_with(first))
            .map(|(p, _)| *p)
    };
    match (top("%m"), top("%d")) {
        (Some(month), Some(day)) => {
            let (line, text) = &samples[0];
            Err(format!(
                "line {line}: `{text}` could be month/day or day/month, and no time in the first {} rows has a day after the 12th to tell; pass --date-format '{month}' (month first, as in the US) or --date-format '{day}' (day first)",
                samples.len()
            ))
        }
        _ => Ok(TimeFormat::Pattern(
            scored
                .iter()
                .find(|(_, n)| *n == best)
                .map(|(p, _)| (*p).to_owned())
                .unwrap_or_default(),
        )),
    }
}

/// Parses `text` with a strftime pattern; without an offset in it, a wall-clock time in `zone`.
fn parse_pattern(pattern: &str, text: &[u8], zone: &Zone) -> Result<Secs, &'static str> {
    const MISMATCH: &str = "does not match the time format (--date-format)";
    let text = std::str::from_utf8(text.trim_ascii()).map_err(|_| MISMATCH)?;
    let parsed = jiff::fmt::strtime::parse(pattern, text).map_err(|_| MISMATCH)?;
    if parsed.offset().is_some() {
        return parsed
            .to_timestamp()
            .map(Timestamp::as_second)
            .map_err(|_| MISMATCH);
    }
    let date = parsed.to_date().map_err(|_| MISMATCH)?;
    let time = parsed.to_time().unwrap_or(jiff::civil::Time::midnight());
    let [month, day, hour, minute, second] = [
        date.month(),
        date.day(),
        time.hour(),
        time.minute(),
        time.second(),
    ]
    .map(|n| u32::try_from(n).unwrap_or(0));
    zone.instant(CivilTime {
        year: i32::from(date.year()),
        month,
        day,
        hour,
        minute,
        second,
    })
}

/// Parses a stage-change time: RFC 3339, `YYYY-MM-DD HH:MM[:SS[.fff]]` or `YYYY-MM-DD`.
/// Hand-written because it runs once per history row.
pub(crate) fn parse_instant(text: &[u8], zone: &Zone) -> Result<Secs, &'static str> {
    const EXPECTED: &str = "expected a date like 2024-03-01, 2024-03-01 09:30:00 or 2024-03-01T09:30:00+08:00, or the file's format given with --date-format";
    let text = text.trim_ascii();
    if text.len() < 10 || text[4] != b'-' || text[7] != b'-' {
        return Err(EXPECTED);
    }
    let year = digits(&text[0..4]).ok_or(EXPECTED)?;
    let month = digits(&text[5..7]).ok_or(EXPECTED)?;
    let day = digits(&text[8..10]).ok_or(EXPECTED)?;
    let year = i32::try_from(year).map_err(|_| EXPECTED)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err("no such day in the calendar");
    }
    let mut civil = CivilTime {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
    };
    let mut rest = &text[10..];
    if rest.is_empty() {
        return zone.instant(civil);
    }
    if !matches!(rest[0], b'T' | b't' | b' ') || rest.len() < 6 || rest[3] != b':' {
        return Err(EXPECTED);
    }
    civil.hour = digits(&rest[1..3]).ok_or(EXPECTED)?;
    civil.minute = digits(&rest[4..6]).ok_or(EXPECTED)?;
    rest = &rest[6..];
    if rest.first() == Some(&b':') {
        civil.second = digits(rest.get(1..3).ok_or(EXPECTED)?).ok_or(EXPECTED)?;
        rest = &rest[3..];
    }
    if civil.hour > 23 || civil.minute > 59 || civil.second > 60 {
        return Err("no such time of day");
    }
    // A leap second is read as the last second of its minute.
    civil.second = civil.second.min(59);
    if rest.first() == Some(&b'.') || rest.first() == Some(&b',') {
        let fraction = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if fraction == 0 {
            return Err(EXPECTED);
        }
        rest = &rest[1 + fraction..];
    }
    let rest = rest.trim_ascii_start();
    let offset = match rest {
        [] => return zone.instant(civil),
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let (hours, minutes) = match tail {
                [h1, h2] => (digits(&[*h1, *h2]), Some(0)),
                [h1, h2, m1, m2] | [h1, h2, b':', m1, m2] => {
                    (digits(&[*h1, *h2]), digits(&[*m1, *m2]))
                }
                _ => return Err(EXPECTED),
            };
            let (Some(hours), Some(minutes)) = (hours, minutes) else {
                return Err(EXPECTED);
            };
            if hours > 23 || minutes > 59 {
                return Err("no such time-zone offset");
            }
            let secs = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return Err(EXPECTED),
    };
    Ok(civil.local_secs() - offset)
}

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` days after 1970-01-01, clamped to the years jiff holds (-9999–9999); the
/// inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let date = i16::try_from(year)
        .ok()
        .zip(i8::try_from(month).ok())
        .zip(i8::try_from(day).ok())
        .and_then(|((year, month), day)| Date::new(year, month, day).ok());
    date.unwrap_or(if year < 0 { Date::MIN } else { Date::MAX })
}

/// Parses a `--from` / `--to` date.
pub fn parse_date(text: &str) -> Result<Date, String> {
    text.parse::<Date>()
        .map_err(|_| format!("`{text}` is not a date: write it as YYYY-MM-DD, e.g. 2024-03-01"))
}

/// How a report range is cut into periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    /// Calendar weeks, Monday to Sunday (ISO 8601).
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
}

/// One reporting period: `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Period {
    /// Label people read: `2024-03`, `2024-W09`, `2024-Q1` or `2024-03-01..2024-03-31`.
    pub(crate) label: String,
    /// First day.
    pub(crate) first_day: Date,
    /// Last day (inclusive).
    pub(crate) last_day: Date,
    /// First instant.
    pub(crate) start: Secs,
    /// First instant after the period.
    pub(crate) end: Secs,
}

/// Most periods one report may hold: enough for ten years of weeks.
pub(crate) const MAX_PERIODS: usize = 600;

/// Cuts `[first, last]` (days, inclusive) into periods. Without a kind it is one period.
/// Periods are calendar units clipped to the range.
pub(crate) fn periods(
    first: Date,
    last: Date,
    kind: Option<PeriodKind>,
    zone: &Zone,
) -> Result<Vec<Period>, String> {
    if last < first {
        return Err(format!(
            "the report range is empty: --to {last} is before --from {first}"
        ));
    }
    let make = |label: String, a: Date, b: Date| Period {
        label,
        first_day: a,
        last_day: b,
        start: zone.midnight(a),
        end: zone.end_of_day(b),
    };
    let Some(kind) = kind else {
        return Ok(vec![make(format!("{first}..{last}"), first, last)]);
    };
    let mut out = Vec::new();
    let mut cursor = first;
    while cursor <= last {
        let (unit_start, next, label) = match kind {
            PeriodKind::Month => {
                let start = cursor.first_of_month();
                let next = start.checked_add(1.month()).map_err(|e| e.to_string())?;
                (
                    start,
                    next,
                    format!("{:04}-{:02}", start.year(), start.month()),
                )
            }
            PeriodKind::Quarter => {
                let quarter = (cursor.month() - 1) / 3;
                let start =
                    Date::new(cursor.year(), quarter * 3 + 1, 1).map_err(|e| e.to_string())?;
                let next = start.checked_add(3.months()).map_err(|e| e.to_string())?;
                (start, next, format!("{}-Q{}", start.year(), quarter + 1))
            }
            PeriodKind::Week => {
                let back = i64::from(cursor.weekday().to_monday_zero_offset());
                let start = cursor.checked_sub(back.days()).map_err(|e| e.to_string())?;
                let next = start.checked_add(7.days()).map_err(|e| e.to_string())?;
                let week = start.iso_week_date();
                (start, next, format!("{}-W{:02}", week.year(), week.week()))
            }
        };
        let a = unit_start.max(first);
        let b = next.yesterday().map_err(|e| e.to_string())?.min(last);
        out.push(make(label, a, b));
        if out.len() > MAX_PERIODS {
            return Err(format!(
                "the report range holds more than {MAX_PERIODS} periods: choose a longer --period or a shorter range"
            ));
        }
        cursor = next;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_day_of_year_9999_stays_itself() {
        let zone = Zone::utc();
        let last = parse_instant(b"9999-12-31", &zone).unwrap();
        let date = zone.date_of(last);
        assert_eq!(date.to_string(), "9999-12-31");
        assert_eq!(zone.midnight(date), last);
        assert_eq!(zone.end_of_day(date), last + 86_400);
        let periods = periods(parse_date("9999-12-01").unwrap(), date, None, &zone).unwrap();
        assert_eq!(periods[0].end, last + 86_400);
        for days in [-719_528, -1, 0, 1, 19_000, 2_932_896] {
            let date = civil_from_days(days);
            let (y, m, d) = (date.year(), date.month(), date.day());
            assert_eq!(
                days_from_civil(
                    i32::from(y),
                    m.unsigned_abs().into(),
                    d.unsigned_abs().into()
                ),
                days
            );
        }
        assert_eq!(civil_from_days(i64::MAX / 86_400), Date::MAX);
        assert_eq!(zone.format(last + 3600 + 120), "9999-12-31 01:02");
    }

    fn utc(text: &str) -> Secs {
        parse_instant(text.as_bytes(), &Zone::utc()).unwrap()
    }

    #[test]
    fn reads_every_supported_shape() {
        let base = 1_709_285_400; // 2024-03-01T09:30:00Z
        assert_eq!(utc("2024-03-01T09:30:00Z"), base);
        assert_eq!(utc("2024-03-01T09:30:00.123Z"), base);
        assert_eq!(utc("2024-03-01T17:30:00+08:00"), base);
        assert_eq!(utc("2024-03-01T17:30:00.000+0800"), base);
        assert_eq!(utc("2024-03-01T04:30:00-05"), base);
        assert_eq!(utc("2024-03-01 09:30:00"), base);
        assert_eq!(utc("2024-03-01 09:30"), base);
        assert_eq!(utc(" 2024-03-01 09:30 "), base);
        assert_eq!(utc("2024-03-01"), base - 9 * 3600 - 1800);
        assert_eq!(utc("1970-01-01"), 0);
    }

    #[test]
    fn naive_times_are_in_the_report_zone() {
        let shanghai = Zone::named("Asia/Shanghai").unwrap();
        assert_eq!(
            parse_instant(b"2024-03-01 17:30:00", &shanghai).unwrap(),
            utc("2024-03-01T09:30:00Z")
        );
        // An explicit offset wins over the zone.
        assert_eq!(
            parse_instant(b"2024-03-01T09:30:00Z", &shanghai).unwrap(),
            utc("2024-03-01T09:30:00Z")
        );
    }

    #[test]
    fn rejects_what_is_not_a_time() {
        for text in [
            "",
            "yesterday",
            "2024-3-1",
            "2024-02-30",
            "2024-13-01",
            "2024-03-01T25:00",
            "2024-03-01T09:30:00+8",
            "2024-03-01 09",
            "01/03/2024",
            "2024-03-01T09:30:00 PST",
        ] {
            assert!(
                parse_instant(text.as_bytes(), &Zone::utc()).is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn cuts_calendar_periods() {
        let zone = Zone::utc();
        let d = |s: &str| parse_date(s).unwrap();
        let months = periods(
            d("2024-01-15"),
            d("2024-03-10"),
            Some(PeriodKind::Month),
            &zone,
        )
        .unwrap();
        let labels: Vec<_> = months.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["2024-01", "2024-02", "2024-03"]);
        assert_eq!(months[0].first_day, d("2024-01-15"));
        assert_eq!(months[2].last_day, d("2024-03-10"));
        assert_eq!(months[1].end, months[2].start);
        let weeks = periods(
            d("2024-03-01"),
            d("2024-03-11"),
            Some(PeriodKind::Week),
            &zone,
        )
        .unwrap();
        let labels: Vec<_> = weeks.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["2024-W09", "2024-W10", "2024-W11"]);
        let quarters = periods(
            d("2023-12-01"),
            d("2024-04-01"),
            Some(PeriodKind::Quarter),
            &zone,
        )
        .unwrap();
        let labels: Vec<_> = quarters.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["2023-Q4", "2024-Q1", "2024-Q2"]);
    }

    #[test]
    fn export_formats_are_found_and_ambiguity_is_refused() {
        let samples = |texts: &[&str]| -> Vec<(u64, String)> {
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| (i as u64 + 2, (*t).to_owned()))
                .collect()
        };
        let found = |texts: &[&str]| detect_format(&samples(texts));
        assert_eq!(
            found(&["2024-03-01", "2024-03-02 10:00"]),
            Ok(TimeFormat::Iso)
        );
        assert_eq!(
            found(&["1/20/2026 3:05 PM", "2/3/2026 9:15 AM"]),
            Ok(TimeFormat::Pattern("%m/%d/%Y %I:%M %p".into()))
        );
        assert_eq!(
            found(&["20.01.2026 15:05"]),
            Ok(TimeFormat::Pattern("%d.%m.%Y %H:%M".into()))
        );
        // A day after the 12th decides; without one, both are offered.
        assert_eq!(
            found(&["05/01/2026", "20/01/2026"]),
            Ok(TimeFormat::Pattern("%d/%m/%Y".into()))
        );
        let refused = found(&["05/01/2026", "03/02/2026"]).unwrap_err();
        assert!(
            refused.contains("'%m/%d/%Y'") && refused.contains("'%d/%m/%Y'"),
            "{refused}"
        );
        // Mostly ISO: the others are malformed rows, reported where they are.
        assert_eq!(found(&["2024-03-01", "31/03/2024"]), Ok(TimeFormat::Iso));
        let zone = Zone::named("America/New_York").unwrap();
        let at = TimeFormat::Pattern("%m/%d/%Y %I:%M %p".into())
            .parse(b"1/20/2026 3:05 PM", &zone)
            .unwrap();
        assert_eq!(zone.format(at), "2026-01-20 15:05");
    }
}

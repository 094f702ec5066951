//! Metrics stage: what won deals looked like (`--won-profile`): time per stage and, from an activities
//! file, touchpoints per stage set beside the playbook's `do` counts.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::Error;
use super::build::{days_f, quantile};
use super::compute::{Frame, Tally};
use super::history::{next_record, open_csv, read_header, record_error, resolve_columns, short};
use super::report::{Touchpoints, WonProfile, WonStage};
use super::stages::{Kind, StageIx};
use super::time::{Zone, parse_instant};

/// Columns of an activities file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityColumns {
    /// Deal id.
    pub(crate) deal: String,
    /// When it happened.
    pub(crate) at: String,
    /// Activity type: email, call, meeting, demo …
    pub(crate) kind: String,
}

impl Default for ActivityColumns {
    fn default() -> Self {
        Self {
            deal: "deal_id".into(),
            at: "occurred_at".into(),
            kind: "type".into(),
        }
    }
}

/// The playbook channel an activity type counts as: CRM exports say `Call` where playbooks
/// say `phone`.
pub(crate) fn channel_of(kind: &str) -> String {
    let normal: String = kind
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '_' { '-' } else { c })
        .collect();
    match normal.as_str() {
        "call" | "calls" | "phone" | "phone-call" | "logged-call" => "phone".into(),
        "email" | "e-mail" | "emails" | "logged-email" => "email".into(),
        "meeting" | "meetings" | "in-person" => "meeting".into(),
        "video" | "video-call" | "zoom" | "teams" => "video-call".into(),
        "linkedin" | "social" | "inmail" => "social".into(),
        "chat" | "wechat" | "sms" | "whatsapp" => "chat".into(),
        _ => normal,
    }
}

/// Touchpoints per (deal, stage, channel) for won deals.
type Counts = HashMap<(Box<str>, StageIx, String), u32>;

/// Reads an activities file and counts each won deal's touchpoints per stage. An activity
/// before the deal's first stage change counts for the first stage (outreach comes before the
/// CRM record); one after the deal closed is left out.
pub(crate) fn read_activities(
    path: &Path,
    columns: &ActivityColumns,
    delimiter: u8,
    zone: &Zone,
    frame: &Frame<'_>,
    tally: &Tally,
) -> Result<(Counts, u64), Error> {
    let mut reader = open_csv(path, delimiter)?;
    let header = read_header(&mut reader, path)?;
    let ix = resolve_columns(
        path,
        &header,
        &[
            ("deal", &columns.deal),
            ("at", &columns.at),
            ("type", &columns.kind),
        ],
    )?;
    let mut counts = Counts::new();
    let mut rows = 0;
    let mut record = csv::ByteRecord::new();
    loop {
        // Reading flexible byte records, csv fails on I/O errors (and long rows) only.
        let more = next_record(&mut reader, &mut record).map_err(|e| e.describe(path, 0))?;
        if !more {
            break;
        }
        rows += 1;
        let get = |i: usize, name: &str| {
            record
                .get(ix[i])
                .map(|b| String::from_utf8_lossy(b).trim().to_owned())
                .ok_or_else(|| {
                    record_error(
                        path,
                        &record,
                        name,
                        "the row has fewer fields than the header",
                    )
                })
        };
        let deal = get(0, &columns.deal)?;
        // Joins the history's ids, whose 15-character Salesforce ids are in the 18-character form.
        let Some(visits) = tally
            .won_timelines
            .get(super::sfid::normalize(&deal).as_ref())
        else {
            continue;
        };
        let at_text = get(1, &columns.at)?;
        let at = parse_instant(at_text.as_bytes(), zone).map_err(|why| {
            record_error(
                path,
                &record,
                &columns.at,
                &format!("`{}`: {why}", short(&at_text)),
            )
        })?;
        let kind = get(2, &columns.kind)?;
        let position = visits.partition_point(|v| v.enter <= at);
        let stage = visits[position.saturating_sub(1)].stage;
        if frame.stages.stages[usize::from(stage)].kind != Kind::Open {
            continue;
        }
        *counts
            .entry((deal.into_boxed_str(), stage, channel_of(&kind)))
            .or_default() += 1;
    }
    Ok((counts, rows))
}

/// The won profile.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn profile(frame: &Frame<'_>, tally: &mut Tally, counts: Option<&Counts>) -> WonProfile {
    let stages = &frame.stages.stages;
    let mut out = Vec::new();
    for (s, info) in stages.iter().enumerate() {
        if info.kind != Kind::Open {
            continue;
        }
        let mut times: Vec<u32> = tally.won_times[s].values().collect();
        let deals = times.len() as u64;
        let (median, p25, p75) = if times.is_empty() {
            (None, None, None)
        } else {
            (
                Some(days_f(quantile(&mut times, 0.5))),
                Some(days_f(quantile(&mut times, 0.25))),
                Some(days_f(quantile(&mut times, 0.75))),
            )
        };
        let suggested = (!times.is_empty()).then(|| suggest(quantile(&mut times, 0.75)));
        let mut touchpoints = Vec::new();
        if let Some(counts) = counts {
            let stage = StageIx::try_from(s).expect("stage count is checked");
            let mut channels: BTreeSet<String> =
                info.activities.iter().map(|(c, _)| c.clone()).collect();
            channels.extend(
                counts
                    .keys()
                    .filter(|(_, st, _)| *st == stage)
                    .map(|(_, _, c)| c.clone()),
            );
            // Deals that went through the stage, each with zero touchpoints unless counted.
            let mut visited: Vec<&str> = tally
                .won_timelines
                .iter()
                .filter(|(_, v)| v.iter().any(|x| x.stage == stage) && v.len() > 1)
                .map(|(d, _)| &**d)
                .collect();
            visited.sort_unstable();
            for channel in channels {
                let mut per_deal: Vec<u32> = visited
                    .iter()
                    .map(|d| {
                        counts
                            .get(&((*d).into(), stage, channel.clone()))
                            .copied()
                            .unwrap_or(0)
                    })
                    .collect();
                let playbook = info
                    .activities
                    .iter()
                    .find(|(c, _)| *c == channel)
                    .map(|(_, n)| *n);
                let (median, mean) = if per_deal.is_empty() {
                    (None, None)
                } else {
                    let sum: u64 = per_deal.iter().map(|&c| u64::from(c)).sum();
                    let mean = sum as f64 / per_deal.len() as f64;
                    (
                        Some(quantile(&mut per_deal, 0.5)),
                        Some((mean * 100.0).round() / 100.0),
                    )
                };
                touchpoints.push(Touchpoints {
                    channel,
                    playbook,
                    median,
                    mean,
                });
            }
        }
        out.push(WonStage {
            stage: info.id.clone(),
            deals,
            median_days: median,
            p25_days: p25,
            p75_days: p75,
            expected_days: info.expected.map(super::build::days),
            suggested_expected_duration: suggested,
            touchpoints,
        });
    }
    WonProfile {
        won_deals: tally.won_deals,
        activities: counts.is_some(),
        stages: out,
    }
}

/// A playbook duration that covers `secs`: hours under two days, then days, then whole
/// weeks from four weeks on.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub(crate) fn suggest(secs: f64) -> String {
    let hours = (secs / 3600.0).ceil().max(1.0) as u64;
    if hours < 48 {
        return format!("{hours}h");
    }
    let days = hours.div_ceil(24);
    if days >= 28 {
        format!("{}w", days.div_ceil(7))
    } else {
        format!("{days}d")
    }
}

//! The columns of the metrics report, defined once: [`STAGE_COLUMNS`] drives the terminal
//! table, the CSV, the HTML report's tables, and is tied to the JSON by a test; the other
//! tables people read (stalled deals, the won profile) are built here for both the terminal
//! and the HTML report.
//!
//! To add a column:
//! 1. add the number to [`StageStats`] (it then appears in the JSON by itself);
//! 2. add one [`Column`] to [`STAGE_COLUMNS`], where it should stand: its CSV `key`, the
//!    `json` pointer to the new field inside a stage entry, its `value` as a [`Cell`];
//! 3. give it `headers` to show it in the terminal table and the HTML report too, or `None` to
//!    keep it to the machine formats (CSV, JSON).
//!
//! `columns_match_the_json` fails when a column and the JSON disagree.

use super::table::{opt_num, percent};
use super::words::{Words, pick};
use crate::metrics::report::{Report, StageStats, StalledDeal, WonProfile};
use crate::metrics::sql::Sql;

/// One per-stage number of the report.
#[derive(Debug)]
pub(crate) struct Column {
    /// The CSV header.
    pub(crate) key: &'static str,
    /// Where the number is in a stage entry of the JSON (a JSON pointer); the
    /// `columns_match_the_json` test reads it to keep the CSV and the JSON in step.
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the drift test only"))]
    pub(crate) json: &'static str,
    /// How the terminal table and the HTML report head the column; `None` keeps it to CSV and
    /// JSON.
    pub(crate) headers: Option<Headers>,
    /// The number in a stage's row.
    pub(crate) value: fn(&StageStats) -> Cell,
    /// The same number in `--emit-sql`'s script, from its per-period, per-stage numbers.
    pub(crate) sql: Sql,
}

/// Column headers for people, in English and Chinese.
#[derive(Debug)]
pub(crate) struct Headers {
    /// In the terminal table, where width is scarce.
    pub(crate) table: Words,
    /// In the HTML report.
    pub(crate) html: Words,
}

/// A value in a stage's row, formatted for machines ([`Cell::raw`]) or people
/// ([`Cell::shown`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// A stage id; people see the stage's name.
    Stage(String),
    /// A count.
    Count(u64),
    /// A count that may be unknown.
    MaybeCount(Option<u64>),
    /// A ratio, shown as a percentage.
    Ratio(Option<f64>),
    /// A number of days, shown with one decimal.
    Days(Option<f64>),
}

impl Cell {
    /// For CSV: full precision, empty when unknown.
    pub(crate) fn raw(&self) -> String {
        match self {
            Self::Stage(id) => id.clone(),
            Self::Count(n) => n.to_string(),
            Self::MaybeCount(n) => n.map(|n| n.to_string()).unwrap_or_default(),
            Self::Ratio(v) | Self::Days(v) => v.map(|v| v.to_string()).unwrap_or_default(),
        }
    }

    /// For people: percentages, days with one decimal, a dash when unknown.
    pub(crate) fn shown(&self, report: &Report) -> String {
        match self {
            Self::Stage(id) => report.stage_name(id).to_owned(),
            Self::Count(n) => n.to_string(),
            Self::MaybeCount(n) => n.map_or_else(|| "–".into(), |n| n.to_string()),
            Self::Ratio(v) => percent(*v),
            Self::Days(v) => opt_num(*v, 1),
        }
    }
}

const fn shown(table: Words, html: Words) -> Headers {
    Headers { table, html }
}

/// Every per-stage column, in order.
pub(crate) const STAGE_COLUMNS: &[Column] = &[
    Column {
        key: "stage",
        json: "/stage",
        headers: Some(shown(["Stage", "阶段"], ["Stage", "阶段"])),
        value: |s| Cell::Stage(s.stage.clone()),
        sql: Sql::Value("stage_id"),
    },
    Column {
        key: "at_start",
        json: "/at_start",
        headers: Some(shown(["At start", "期初"], ["At start", "期初在阶段"])),
        value: |s| Cell::Count(s.at_start),
        sql: Sql::Value("at_start"),
    },
    Column {
        key: "entered",
        json: "/entered",
        headers: Some(shown(["Entered", "进入"], ["Entered", "进入"])),
        value: |s| Cell::Count(s.entered),
        sql: Sql::Value("entered"),
    },
    Column {
        key: "advanced",
        json: "/advanced",
        headers: Some(shown(["Advanced", "推进"], ["Advanced", "推进"])),
        value: |s| Cell::Count(s.advanced),
        sql: Sql::Value("advanced"),
    },
    Column {
        key: "lost",
        json: "/lost",
        headers: Some(shown(["Lost", "输单"], ["Lost", "输单"])),
        value: |s| Cell::Count(s.lost),
        sql: Sql::Value("lost"),
    },
    Column {
        key: "moved_back",
        json: "/moved_back",
        headers: Some(shown(["Back", "退回"], ["Back", "退回"])),
        value: |s| Cell::Count(s.moved_back),
        sql: Sql::Value("moved_back"),
    },
    Column {
        key: "remaining",
        json: "/remaining",
        headers: Some(shown(["Remaining", "期末"], ["Remaining", "期末仍在"])),
        value: |s| Cell::Count(s.remaining),
        sql: Sql::Value("remaining"),
    },
    Column {
        key: "conversion",
        json: "/conversion",
        headers: Some(shown(["Conv.", "转化率"], ["Conversion", "转化率"])),
        value: |s| Cell::Ratio(s.conversion),
        sql: Sql::Ratio("advanced", "advanced + lost + moved_back"),
    },
    Column {
        key: "loss_rate",
        json: "/loss_rate",
        headers: Some(shown(["Loss", "输单率"], ["Loss rate", "输单率"])),
        value: |s| Cell::Ratio(s.loss_rate),
        sql: Sql::Ratio("lost", "advanced + lost + moved_back"),
    },
    Column {
        key: "still_open_share",
        json: "/still_open_share",
        headers: Some(shown(["Open", "仍在"], ["Still open", "仍在阶段占比"])),
        value: |s| Cell::Ratio(s.still_open_share),
        sql: Sql::Ratio("remaining", "at_start + entered"),
    },
    Column {
        key: "cohort_advanced",
        json: "/cohort/advanced",
        headers: None,
        value: |s| Cell::Count(s.cohort.advanced),
        sql: Sql::Value("cohort_advanced"),
    },
    Column {
        key: "cohort_lost",
        json: "/cohort/lost",
        headers: None,
        value: |s| Cell::Count(s.cohort.lost),
        sql: Sql::Value("cohort_lost"),
    },
    Column {
        key: "cohort_moved_back",
        json: "/cohort/moved_back",
        headers: None,
        value: |s| Cell::Count(s.cohort.moved_back),
        sql: Sql::Value("cohort_moved_back"),
    },
    Column {
        key: "cohort_still_open",
        json: "/cohort/still_open",
        headers: None,
        value: |s| Cell::Count(s.cohort.still_open),
        sql: Sql::Value("entered - cohort_advanced - cohort_lost - cohort_moved_back"),
    },
    Column {
        key: "cohort_conversion",
        json: "/cohort/conversion",
        headers: Some(shown(
            ["Cohort", "同期转化"],
            ["Cohort conversion", "同期群转化率"],
        )),
        value: |s| Cell::Ratio(s.cohort.conversion),
        sql: Sql::Ratio("cohort_advanced", "entered"),
    },
    Column {
        key: "visits",
        json: "/time_in_stage/visits",
        headers: None,
        value: |s| Cell::Count(s.time_in_stage.visits),
        sql: Sql::Value("visits"),
    },
    Column {
        key: "median_days",
        json: "/time_in_stage/median_days",
        headers: Some(shown(["Median d", "中位天数"], ["Median days", "中位天数"])),
        value: |s| Cell::Days(s.time_in_stage.median_days),
        sql: Sql::Days("median_secs"),
    },
    Column {
        key: "mean_days",
        json: "/time_in_stage/mean_days",
        headers: Some(shown(["Mean d", "平均天数"], ["Mean days", "平均天数"])),
        value: |s| Cell::Days(s.time_in_stage.mean_days),
        sql: Sql::Days("mean_secs"),
    },
    Column {
        key: "expected_days",
        json: "/time_in_stage/expected_days",
        headers: Some(shown(["Budget d", "预算天数"], ["Budget days", "预算天数"])),
        value: |s| Cell::Days(s.time_in_stage.expected_days),
        sql: Sql::Days("budget"),
    },
    Column {
        key: "over_budget",
        json: "/time_in_stage/over_budget",
        headers: None,
        value: |s| Cell::MaybeCount(s.time_in_stage.over_budget),
        sql: Sql::Value("over_budget"),
    },
    Column {
        key: "over_budget_share",
        json: "/time_in_stage/over_budget_share",
        headers: Some(shown(["Over", "超时"], ["Over budget", "超出预算占比"])),
        value: |s| Cell::Ratio(s.time_in_stage.over_budget_share),
        sql: Sql::Ratio("over_budget", "visits"),
    },
    Column {
        key: "stalled",
        json: "/stalled",
        headers: Some(shown(["Stalled", "停滞"], ["Stalled", "停滞"])),
        value: |s| Cell::Count(s.stalled),
        sql: Sql::Value("stalled"),
    },
    Column {
        key: "skips_from",
        json: "/skips_from",
        headers: None,
        value: |s| Cell::Count(s.skips_from),
        sql: Sql::Value("skips_from"),
    },
    Column {
        key: "skipped",
        json: "/skipped",
        headers: None,
        value: |s| Cell::Count(s.skipped),
        sql: Sql::Value("skipped"),
    },
    Column {
        key: "backward_moves",
        json: "/backward_moves",
        headers: None,
        value: |s| Cell::Count(s.backward_moves),
        sql: Sql::Value("backward_moves"),
    },
];

/// The columns people see, with their headers.
pub(crate) fn shown_columns() -> impl Iterator<Item = (&'static Column, &'static Headers)> {
    STAGE_COLUMNS
        .iter()
        .filter_map(|c| c.headers.as_ref().map(|h| (c, h)))
}

/// A stage's row as people see it, in the order of [`shown_columns`].
pub(crate) fn shown_row(report: &Report, stage: &StageStats) -> Vec<String> {
    shown_columns()
        .map(|(c, _)| (c.value)(stage).shown(report))
        .collect()
}

/// A table of the report other than the stage table, for people: the same rows in the
/// terminal and in the HTML report, under shorter headers in the terminal.
#[derive(Debug)]
pub(crate) struct PeopleTable {
    /// Headers in the terminal table.
    pub(crate) table: Vec<Words>,
    /// Headers in the HTML report.
    pub(crate) html: Vec<Words>,
    /// A link for each row's first cell (the HTML report's), when there are links.
    pub(crate) links: Vec<Option<String>>,
    /// The rows.
    pub(crate) rows: Vec<Vec<String>>,
}

/// The stalled deals, with their name, owner and amount when the history has them; `None`
/// when there are none.
pub(crate) fn stalled(report: &Report) -> Option<PeopleTable> {
    type Detail = fn(&StalledDeal) -> Option<&String>;
    if report.stalled.is_empty() {
        return None;
    }
    // The details any deal has, as optional columns after the id.
    let details: [(Words, Detail); 3] = [
        (["Name", "名称"], |d| d.details.name.as_ref()),
        (["Owner", "负责人"], |d| d.details.owner.as_ref()),
        (["Amount", "金额"], |d| d.details.amount.as_ref()),
    ];
    let shown: Vec<&(Words, Detail)> = details
        .iter()
        .filter(|(_, get)| report.stalled.iter().any(|d| get(d).is_some()))
        .collect();
    let headers = |budget: Words| -> Vec<Words> {
        std::iter::once(["Deal", "交易"])
            .chain(shown.iter().map(|(words, _)| *words))
            .chain([
                ["Stage", "阶段"],
                ["Since", "进入时间"],
                ["Days", "天数"],
                budget,
            ])
            .collect()
    };
    Some(PeopleTable {
        table: headers(["Budget d", "预算天数"]),
        html: headers(["Budget days", "预算天数"]),
        links: report.stalled.iter().map(|d| d.url.clone()).collect(),
        rows: report
            .stalled
            .iter()
            .map(|deal| {
                std::iter::once(deal.deal.clone())
                    .chain(
                        shown
                            .iter()
                            .map(|(_, get)| get(deal).cloned().unwrap_or_else(|| "–".into())),
                    )
                    .chain([
                        report.stage_name(&deal.stage).to_owned(),
                        deal.since.clone(),
                        format!("{:.1}", deal.days),
                        format!("{:.1}", deal.expected_days),
                    ])
                    .collect()
            })
            .collect(),
    })
}

/// The title of the `--by` table: "By owner", "By Region", "按 负责人 分组".
pub(crate) fn breakdown_title(report: &Report, key: &str) -> String {
    let key = if key.eq_ignore_ascii_case("owner") {
        pick(report, ["owner", "负责人"])
    } else {
        key
    };
    super::words::fill(report, "by", &[("key", &key)])
}

/// `--by`: each group's funnel, headed by what groups them; `None` without `--by`.
pub(crate) fn breakdown(report: &Report) -> Option<PeopleTable> {
    let by = report.by.as_ref()?;
    let key: Words = if by.key.eq_ignore_ascii_case("owner") {
        ["Owner", "负责人"]
    } else {
        ["Group", "分组"]
    };
    let headers = |cycle: Words| -> Vec<Words> {
        vec![
            key,
            ["Deals", "交易数"],
            ["New", "新交易"],
            ["Won", "赢单"],
            ["Lost", "输单"],
            ["Win rate", "赢率"],
            cycle,
            ["Stalled", "停滞"],
        ]
    };
    Some(PeopleTable {
        table: headers(["Cycle d", "周期天数"]),
        html: headers(["Median cycle days", "赢单周期中位天数"]),
        links: Vec::new(),
        rows: by
            .groups
            .iter()
            .map(|group| {
                let name = match (&group.value, group.other) {
                    (Some(value), _) => value.clone(),
                    (None, true) => pick(report, ["(other)", "（其他）"]).to_owned(),
                    (None, false) => pick(report, ["(none)", "（无）"]).to_owned(),
                };
                vec![
                    name,
                    group.deals.to_string(),
                    group.funnel.new_deals.to_string(),
                    group.funnel.won.to_string(),
                    group.funnel.lost.to_string(),
                    percent(group.funnel.win_rate),
                    opt_num(group.funnel.cycle.median_days, 1),
                    group.stalled.to_string(),
                ]
            })
            .collect(),
    })
}

/// Time per stage of the won deals.
pub(crate) fn won_stages(report: &Report, profile: &WonProfile) -> PeopleTable {
    PeopleTable {
        links: Vec::new(),
        table: vec![
            ["Stage", "阶段"],
            ["Deals", "交易数"],
            ["P25 d", "P25 天数"],
            ["Median d", "中位天数"],
            ["P75 d", "P75 天数"],
            ["Budget d", "预算天数"],
            ["Suggested", "建议预算"],
        ],
        html: vec![
            ["Stage", "阶段"],
            ["Deals", "交易数"],
            ["P25 days", "P25 天数"],
            ["Median days", "中位天数"],
            ["P75 days", "P75 天数"],
            ["Budget days", "预算天数"],
            ["Suggested budget", "建议预算"],
        ],
        rows: profile
            .stages
            .iter()
            .map(|s| {
                vec![
                    report.stage_name(&s.stage).to_owned(),
                    s.deals.to_string(),
                    opt_num(s.p25_days, 1),
                    opt_num(s.median_days, 1),
                    opt_num(s.p75_days, 1),
                    opt_num(s.expected_days, 1),
                    s.suggested_expected_duration
                        .clone()
                        .unwrap_or_else(|| "–".into()),
                ]
            })
            .collect(),
    }
}

/// Touchpoints per stage and channel of the won deals; `None` without an activities file.
pub(crate) fn touchpoints(report: &Report, profile: &WonProfile) -> Option<PeopleTable> {
    profile.activities.then(|| PeopleTable {
        links: Vec::new(),
        table: vec![
            ["Stage", "阶段"],
            ["Channel", "渠道"],
            ["Median", "中位数"],
            ["Mean", "平均"],
            ["Playbook", "手册"],
        ],
        html: vec![
            ["Stage", "阶段"],
            ["Channel", "渠道"],
            ["Median per deal", "每笔交易中位数"],
            ["Mean per deal", "每笔交易平均"],
            ["Playbook do", "手册 do 次数"],
        ],
        rows: profile
            .stages
            .iter()
            .flat_map(|s| {
                s.touchpoints.iter().map(|t| {
                    vec![
                        report.stage_name(&s.stage).to_owned(),
                        t.channel.clone(),
                        opt_num(t.median, 1),
                        opt_num(t.mean, 2),
                        t.playbook.map_or_else(|| "–".into(), |n| n.to_string()),
                    ]
                })
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::report::{Cohort, TimeInStage};

    fn stage() -> StageStats {
        StageStats {
            stage: "demo".into(),
            at_start: 1,
            entered: 2,
            advanced: 3,
            lost: 4,
            moved_back: 5,
            remaining: 6,
            conversion: Some(0.25),
            loss_rate: None,
            still_open_share: Some(0.5),
            cohort: Cohort {
                entered: 2,
                advanced: 14,
                lost: 15,
                moved_back: 16,
                still_open: 17,
                conversion: Some(0.75),
            },
            time_in_stage: TimeInStage {
                visits: 7,
                mean_days: Some(1.5),
                median_days: Some(2.25),
                expected_days: None,
                over_budget: Some(8),
                over_budget_share: Some(0.125),
            },
            stalled: 9,
            skips_from: 10,
            skipped: 11,
            backward_moves: 12,
            recycled: 13,
        }
    }

    #[test]
    fn columns_match_the_json() {
        let stage = stage();
        let json = serde_json::to_value(&stage).unwrap();
        for column in STAGE_COLUMNS {
            let field = json
                .pointer(column.json)
                .unwrap_or_else(|| panic!("{}: no JSON field {}", column.key, column.json));
            let from_json = match field {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!((column.value)(&stage).raw(), from_json, "{}", column.key);
        }
        let mut keys: Vec<_> = STAGE_COLUMNS.iter().map(|c| c.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), STAGE_COLUMNS.len(), "two columns share a key");
    }

    #[test]
    fn cells_format_for_machines_and_people() {
        assert_eq!(Cell::Ratio(Some(0.125)).raw(), "0.125");
        assert_eq!(Cell::Days(None).raw(), "");
        assert_eq!(Cell::MaybeCount(None).raw(), "");
    }
}

//! The metrics report's words in each language a playbook is written in: the table, the HTML
//! page and its charts speak the playbook's `locale`, so a zh-CN playbook's report is in
//! Chinese. Sentences with numbers are templates with named slots (`{won}`), filled by
//! [`fill`], for word order differs between the languages.

use std::collections::BTreeMap;

use crate::metrics::report::Report;
use crate::model::Locale;

/// A text in English and in Simplified Chinese.
pub(crate) type Words = [&'static str; 2];

/// Every label with its English and Simplified Chinese text, sorted by key.
const LABELS: &[(&str, Words)] = &[
    ("advanced", ["advanced", "推进"]),
    ("all_periods", ["All periods", "全部期间"]),
    (
        "all_stages",
        ["All stages, {from} to {to}", "全部阶段，{from} 至 {to}"],
    ),
    ("back", ["back", "退回"]),
    ("by", ["By {key}", "按{key}分组"]),
    (
        "card_demo",
        ["of new deals asked for a demo", "的新交易请求了演示"],
    ),
    (
        "card_median_cycle",
        ["median days to win", "赢单所需天数（中位数）"],
    ),
    (
        "card_median_cycle_target",
        [
            "median days to win (target {target})",
            "赢单所需天数（中位数，目标 {target}）",
        ],
    ),
    (
        "card_milestone",
        ["of new deals reached {m}", "的新交易达到 {m}"],
    ),
    ("card_milestone_step", ["{from} → {to}", "{from} → {to}"]),
    ("card_new_deals", ["new deals", "笔新交易"]),
    (
        "card_stalled",
        ["deals stalled at {as_of}", "笔交易在 {as_of} 停滞"],
    ),
    (
        "card_win_rate",
        [
            "win rate ({won} won, {lost} lost)",
            "赢率（赢单 {won}，输单 {lost}）",
        ],
    ),
    (
        "chart_flows",
        [
            "Stage flows: where the deals in each stage went",
            "阶段流向：各阶段交易的去向",
        ],
    ),
    (
        "chart_funnel",
        [
            "Funnel: deals in each stage and how many advanced",
            "漏斗：各阶段的交易及推进数量",
        ],
    ),
    (
        "chart_time",
        [
            "Median days in stage against the expected duration",
            "阶段停留天数中位数与预计时长对比",
        ],
    ),
    ("colon", [": ", "："]),
    ("counted", ["How the numbers are counted", "数字的计算方法"]),
    ("days_unit", ["d", "天"]),
    (
        "def_cohort",
        [
            "of the deals that entered the stage in the period, those that moved forward by {as_of} (when the history was taken) ÷ those that entered.",
            "本期间进入该阶段的交易中，截至 {as_of}（导出历史的时间）已推进的 ÷ 进入的。",
        ],
    ),
    ("def_cohort_term", ["Cohort conversion", "同期群转化率"]),
    (
        "def_conversion",
        [
            "deals that moved forward ÷ deals that left the stage in the period (forward, lost or back); it does not see the deals still in the stage, so read it with still open.",
            "本期间推进的交易 ÷ 离开该阶段的交易（推进、输单或退回）；它看不到仍在阶段中的交易，请与“仍在阶段占比”一起看。",
        ],
    ),
    ("def_conversion_term", ["Conversion", "转化率"]),
    (
        "def_loss",
        [
            "deals lost ÷ deals that left the stage in the period.",
            "输单的交易 ÷ 本期间离开该阶段的交易。",
        ],
    ),
    ("def_loss_term", ["Loss rate", "输单率"]),
    (
        "def_open",
        [
            "deals in the stage at the period's end ÷ deals in it during the period (there at its start, or entering).",
            "期末仍在该阶段的交易 ÷ 本期间在该阶段的交易（期初已在或期间进入）。",
        ],
    ),
    ("def_open_term", ["Still open", "仍在阶段占比"]),
    (
        "def_stalled",
        [
            "deals in the stage longer than its expected_duration at the period's end, or at {as_of} if earlier.",
            "在期末（或更早的 {as_of}）停留超过该阶段 expected_duration 的交易。",
        ],
    ),
    ("def_stalled_term", ["Stalled", "停滞"]),
    (
        "def_win",
        [
            "won ÷ (won + lost) in the period.",
            "本期间赢单 ÷（赢单 + 输单）。",
        ],
    ),
    ("def_win_term", ["Win rate", "赢率"]),
    ("expected_days", ["expected {days} days", "预计 {days} 天"]),
    (
        "flows_intro",
        ["Where the deals in each stage went:", "各阶段交易的去向："],
    ),
    ("flows_title", ["Stage flows", "阶段流向"]),
    (
        "funnel_cycle",
        [", median cycle {days} d", "，周期中位数 {days} 天"],
    ),
    (
        "funnel_cycle_target",
        [
            " (target {target} d, {over} of {deals} slower)",
            "（目标 {target} 天，{deals} 笔中 {over} 笔更慢）",
        ],
    ),
    (
        "funnel_demo",
        [
            ", demo requested by {share} of new deals",
            "，{share} 的新交易请求了演示",
        ],
    ),
    (
        "funnel_intro",
        [
            "Light bar: deals in the stage during the period; dark bar: those that advanced; last row: deals won.",
            "浅色条：本期间在该阶段的交易；深色条：其中推进的交易；最后一行：赢单交易。",
        ],
    ),
    (
        "funnel_left_out",
        [
            " ({n} disqualified or duplicate, left out)",
            "（另有 {n} 笔不合格或重复，不计入）",
        ],
    ),
    (
        "funnel_line",
        [
            "Funnel: {new} new deals, {won} won, {lost} lost, win rate {rate}",
            "漏斗：新交易 {new} 笔，赢单 {won}，输单 {lost}，赢率 {rate}",
        ],
    ),
    ("funnel_title", ["Funnel", "漏斗"]),
    (
        "header",
        [
            "{name} ({id}): {rows} rows, {deals} deals from {history}, times in {zone}, as of {as_of}",
            "{name}（{id}）：{history} 中 {deals} 笔交易的 {rows} 条记录，时区 {zone}，截至 {as_of}",
        ],
    ),
    ("lost", ["lost", "输单"]),
    ("made_by", ["Made by stagebook.", "由 stagebook 生成。"]),
    ("mean_days", ["mean {days} days", "平均 {days} 天"]),
    (
        "meta",
        [
            "{from} to {to} · {rows} stage changes of {deals} deals from {history} · times in {zone} · as of {as_of}",
            "{from} 至 {to} · {history} 中 {deals} 笔交易的 {rows} 次阶段变更 · 时区 {zone} · 截至 {as_of}",
        ],
    ),
    (
        "milestone_first",
        ["{m} {n} ({share} of new)", "{m} {n} 笔（占新交易 {share}）"],
    ),
    (
        "milestone_next",
        ["{m} {n} ({share})", "{m} {n} 笔（{share}）"],
    ),
    (
        "milestone_won",
        ["won {n} ({share})", "赢单 {n} 笔（{share}）"],
    ),
    ("milestones", ["Milestones", "里程碑"]),
    ("moved_back", ["moved back", "退回"]),
    ("no_exits", ["no exits", "无离开"]),
    ("note", ["note", "说明"]),
    (
        "note_footer",
        [
            "the report's footer (lines {from}–{to}: report name, copyright, \"Generated By\") was left out",
            "报表末尾的页脚（第 {from}–{to} 行：报表名称、版权、“Generated By”）已略过",
        ],
    ),
    (
        "note_hubspot_ids",
        [
            "stages are read by their HubSpot ids (`appointmentscheduled`, `closedwon`…): list them in `crm_names`, or pass the pipelines response with --stages to read them by label",
            "阶段按 HubSpot 的编号读取（`appointmentscheduled`、`closedwon`…）：请把它们列入 `crm_names`，或用 --stages 传入管道响应，按名称读取",
        ],
    ),
    (
        "note_not_changes",
        [
            "left out: {updates} that are not changes of a deal's stage, creation or status (activities, notes, other fields)",
            "略过：{updates}，它们不是交易阶段、创建或状态的变更（活动、备注、其他字段）",
        ],
    ),
    (
        "note_other_fields",
        [
            "left out: {rows} of other fields ({kinds}); only StageName changes are stage history",
            "略过：其他字段的 {rows}（{kinds}）；只有 StageName 的变更是阶段历史",
        ],
    ),
    (
        "note_other_pipelines",
        [
            "left out: {deals} of other pipelines ({listed}); pipeline measured: {pipeline}",
            "略过：其他管道的 {deals}（{listed}）；所统计的管道：{pipeline}",
        ],
    ),
    (
        "note_other_pipelines_api",
        [
            "left out: {deals} of other pipelines; pipeline measured: {pipeline}",
            "略过：其他管道的 {deals}；所统计的管道：{pipeline}",
        ],
    ),
    (
        "note_pipedrive_ids",
        [
            "stages are read by their Pipedrive ids: list them in `crm_names`, or pass the stages response (GET /v1/stages) with --stages to read them by name",
            "阶段按 Pipedrive 的编号读取：请把它们列入 `crm_names`，或用 --stages 传入阶段响应（GET /v1/stages），按名称读取",
        ],
    ),
    ("off_process", ["Off the process", "偏离流程"]),
    (
        "period",
        [
            "{title} ({from} to {to}; stalls as of {as_of})",
            "{title}（{from} 至 {to}；停滞截至 {as_of}）",
        ],
    ),
    ("period_range", ["{from} to {to}", "{from} 至 {to}"]),
    ("read_as", ["Read as {source}", "读取格式：{source}"]),
    ("skip", ["skip", "跳过"]),
    ("skipped_ahead", ["skipped ahead", "跳过"]),
    (
        "stalled_at",
        ["Stalled at {as_of}", "截至 {as_of} 停滞的交易"],
    ),
    (
        "stalled_title",
        ["Stalled deals at {as_of}", "截至 {as_of} 停滞的交易"],
    ),
    ("still_in_stage", ["still in the stage", "仍在阶段"]),
    ("still_there", ["still there", "仍在阶段"]),
    (
        "time_intro",
        [
            "Bar: median days in the stage for deals that left it; black tick: mean; dashed line: the stage's expected_duration. Red bars are over budget.",
            "条形：离开该阶段的交易在阶段中的天数中位数；黑色刻度：平均值；虚线：该阶段的 expected_duration。红色条形超出预算。",
        ],
    ),
    (
        "time_title",
        ["Time in stage against the playbook", "阶段用时与手册对比"],
    ),
    (
        "tip_advanced",
        ["{name}: {count} advanced", "{name}：{count} 笔推进"],
    ),
    (
        "tip_flow",
        ["{name}: {count} {what}", "{name}：{count} 笔{what}"],
    ),
    (
        "tip_in_stage",
        [
            "{name}: {count} deals in the stage",
            "{name}：阶段中有 {count} 笔交易",
        ],
    ),
    (
        "tip_median",
        [
            "{name}: median {days} days over {visits} visits",
            "{name}：{visits} 次停留，中位数 {days} 天",
        ],
    ),
    (
        "title",
        ["Pipeline metrics: {name}", "销售管道指标：{name}"],
    ),
    (
        "warn_after_as_of",
        [
            "{changes} stage changes in {history} are later than --as-of {as_of}: was the export taken later, or are the file's times in another zone than --tz {zone}?",
            "{history} 中有 {changes} 次阶段变更晚于 --as-of {as_of}：导出是否更晚，还是文件的时间不在 --tz {zone} 时区？",
        ],
    ),
    (
        "warn_bad_rows",
        [
            "{rows} malformed rows were left out (--skip-bad-rows)",
            "{rows} 行格式错误的记录已略过（--skip-bad-rows）",
        ],
    ),
    (
        "warn_duplicates",
        [
            "{rows} rows repeat another row exactly and were counted once",
            "{rows} 行与另一行完全相同，只计一次",
        ],
    ),
    ("warn_more", [" and {more} more", " 及另外 {more} 个"]),
    (
        "warn_never_closed",
        [
            "no deal in {history} reaches a won or lost stage, though {deals} deals began more than the cycle target ({days} days) before {as_of}: win rate, cycle and losses read 0; does the export hold the closing stages (Pipedrive keeps won and lost in a deal's status, not its stage), and do the playbook's won and lost stages list their CRM names in `crm_names`?",
            "{history} 中没有交易进入赢单或输单阶段，但有 {deals} 笔交易在 {as_of} 之前超过目标周期（{days} 天）就已开始：赢率、周期和输单都显示为 0。导出是否包含结束阶段（Pipedrive 把赢单和输单记在交易状态中，而不是阶段中）？手册的赢单和输单阶段是否在 `crm_names` 中列出了 CRM 中的名称？",
        ],
    ),
    (
        "warn_never_moved",
        [
            "{deals} in {name} never changed stage: a history of changes does not say which stage a deal was created in, so they are left out; {remedy} holds it",
            "{name} 中有 {deals}从未变更阶段：变更历史不说明交易创建时所在的阶段，因此已略过；{remedy}中有此信息",
        ],
    ),
    (
        "warn_no_creation",
        [
            "{deals} in {name} have stage changes but no {creation}: when they entered their first stage is unknown, so it is left out (export the whole history)",
            "{name} 中有 {deals}有阶段变更却没有{creation}：不知道它们何时进入第一个阶段，因此第一个阶段已略过（请导出完整历史）",
        ],
    ),
    (
        "warn_no_history",
        [
            "{deals} in {name} have no `dealstage` history and are left out: request the deals with `propertiesWithHistory=dealstage`",
            "{name} 中有 {deals}没有 `dealstage` 历史，已略过：请求交易时加上 `propertiesWithHistory=dealstage`",
        ],
    ),
    (
        "warn_no_open_stage",
        [
            "{deals} deals have no open stage before closing (their first row is won or lost)",
            "{deals} 笔交易在结束前没有进行中的阶段（第一行就是赢单或输单）",
        ],
    ),
    (
        "warn_reopened",
        [
            "{deals} in {name} were reopened after being won or lost; the reopening is no stage change, so they count as closed",
            "{name} 中有 {deals}在赢单或输单后被重新打开；重新打开不是阶段变更，因此仍按已结束计算",
        ],
    ),
    (
        "warn_skipped_times",
        [
            "{times} left out, unreadable (--skip-bad-rows); the first: {first}",
            "{times}无法读取，已略过（--skip-bad-rows）；第一处：{first}",
        ],
    ),
    (
        "warn_snapshot",
        [
            "{single} of {deals} deals in {history} have a single stage change: is it a list of current stages rather than their history? Conversions and times need every change (Salesforce: OpportunityHistory or the Opportunity History report; HubSpot: the history of `dealstage`)",
            "{history} 中 {deals} 笔交易有 {single} 笔只有一次阶段变更：这是当前阶段的列表而不是阶段历史吗？转化率和用时需要每一次变更（Salesforce：OpportunityHistory 或 Opportunity History 报表；HubSpot：`dealstage` 的历史）",
        ],
    ),
    (
        "warn_unclosable",
        [
            "{changes} in {name} were won or lost, but the playbook has no won or lost stage to count them in: add a stage with `terminal: won` / `terminal: lost`",
            "{name} 中有 {changes}是赢单或输单，但手册没有可计入的赢单或输单阶段：请添加带 `terminal: won` / `terminal: lost` 的阶段",
        ],
    ),
    (
        "warn_undated",
        [
            "{deals} of pipeline {pipeline} in {name} have no `Date entered` time in any stage and are left out: were the export's `Date entered \"<stage> ({pipeline})\"` columns chosen?",
            "{name} 中管道 {pipeline} 的 {deals}在任何阶段都没有 `Date entered` 时间，已略过：导出时是否选了 `Date entered \"<stage> ({pipeline})\"` 这些列？",
        ],
    ),
    (
        "warn_unknown",
        [
            "{rows} rows name a stage the playbook does not have: {names}{more}; add them to a stage's `crm_names`",
            "{rows} 行记录的阶段不在手册中：{names}{more}；请把它们加入某个阶段的 `crm_names`",
        ],
    ),
    (
        "warn_unknown_many",
        [
            "{rows} rows name a stage the playbook does not have: {names} and more than {more} other names; is `--column stage=` the column of stage names?",
            "{rows} 行记录的阶段不在手册中：{names} 以及超过 {more} 个其他名称；`--column stage=` 指定的是阶段名称列吗？",
        ],
    ),
    ("warning", ["warning", "警告"]),
    ("won", ["won", "赢单"]),
    ("won_count", ["won: {won}", "赢单：{won}"]),
    (
        "won_profile",
        [
            "What the {won} won deals looked like",
            "{won} 笔赢单交易的样子",
        ],
    ),
    (
        "won_stages",
        [
            "Won deals ({won}): time per stage",
            "赢单交易（{won} 笔）：各阶段用时",
        ],
    ),
    (
        "won_touchpoints",
        [
            "Won deals: touchpoints per stage (median per deal, playbook `do`)",
            "赢单交易：各阶段触点（每笔交易中位数，手册 `do`）",
        ],
    ),
    ("won_word", ["won", "赢单"]),
];

/// The language of `report`: its playbook's.
/// A milestone as reports name it: the well-known funnel stages in capitals (`SQO`), the demo
/// in words, a team's own as written.
pub(crate) fn milestone_name(report: &Report, id: &str) -> String {
    match id {
        "demo" => pick(report, ["Demo", "演示"]).to_owned(),
        _ if crate::model::MILESTONES
            .iter()
            .any(|(known, _)| *known == id) =>
        {
            id.to_uppercase()
        }
        _ => id.to_owned(),
    }
}

/// The period's milestones on one line: "SAO 12 (60% of new) → SQO 8 (67%) → won 3 (38%)";
/// empty without milestones.
pub(crate) fn milestone_line(report: &Report, funnel: &crate::metrics::report::Funnel) -> String {
    use super::table::percent;
    let mut parts: Vec<String> = funnel
        .milestones
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let name = milestone_name(report, &m.id);
            if k == 0 {
                fill(
                    report,
                    "milestone_first",
                    &[
                        ("m", &name),
                        ("n", &m.reached),
                        ("share", &percent(m.share)),
                    ],
                )
            } else {
                fill(
                    report,
                    "milestone_next",
                    &[
                        ("m", &name),
                        ("n", &m.reached),
                        ("share", &percent(m.from_previous)),
                    ],
                )
            }
        })
        .collect();
    if let Some(last) = funnel.milestones.last() {
        parts.push(fill(
            report,
            "milestone_won",
            &[("n", &last.won), ("share", &percent(last.to_won))],
        ));
    }
    parts.join(" → ")
}

fn locale(report: &Report) -> Locale {
    if report.playbook.locale == Locale::ZhCn.tag() {
        Locale::ZhCn
    } else {
        Locale::En
    }
}

/// `words` in `locale`.
pub(crate) fn pick_in(locale: Locale, words: Words) -> &'static str {
    match locale {
        Locale::En => words[0],
        Locale::ZhCn => words[1],
    }
}

/// `words` in the language of `report`.
pub(crate) fn pick(report: &Report, words: Words) -> &'static str {
    pick_in(locale(report), words)
}

/// The label `key` in `locale`.
///
/// # Panics
///
/// On a key missing from the labels: a mistake the tests catch.
fn t_in(locale: Locale, key: &str) -> &'static str {
    let at = LABELS
        .binary_search_by(|(k, _)| (*k).cmp(key))
        .unwrap_or_else(|_| panic!("no metrics label `{key}`"));
    pick_in(locale, LABELS[at].1)
}

/// The label `key` in the language of `report`.
pub(crate) fn t(report: &Report, key: &str) -> &'static str {
    t_in(locale(report), key)
}

/// `n` of a thing in `locale`: `3 deals`, `3 笔交易` (`noun`: the English singular and the
/// Chinese measure word and noun).
pub(crate) fn counted(locale: Locale, n: u64, noun: Words) -> String {
    match locale {
        Locale::En => format!("{n} {}{}", noun[0], if n == 1 { "" } else { "s" }),
        Locale::ZhCn => format!("{n} {}", noun[1]),
    }
}

/// Every label in the language of `report`, for templates (`t.KEY`).
pub(crate) fn labels(report: &Report) -> BTreeMap<&'static str, &'static str> {
    LABELS
        .iter()
        .map(|(key, words)| (*key, pick(report, *words)))
        .collect()
}

/// The label `key` with its `{slot}`s filled.
pub(crate) fn fill(report: &Report, key: &str, slots: &[(&str, &dyn std::fmt::Display)]) -> String {
    fill_in(locale(report), key, slots)
}

/// The label `key` in `locale` with its `{slot}`s filled.
pub(crate) fn fill_in(
    locale: Locale,
    key: &str,
    slots: &[(&str, &dyn std::fmt::Display)],
) -> String {
    let mut text = t_in(locale, key).to_owned();
    for (slot, value) in slots {
        text = text.replace(&format!("{{{slot}}}"), &value.to_string());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The string after each `prefix` (skipping spaces and line breaks) that is a quoted key.
    fn keys_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
        text.match_indices(prefix)
            .filter_map(|(at, _)| {
                let rest = text[at + prefix.len()..].trim_start().strip_prefix('"')?;
                let key = &rest[..rest.find('"')?];
                key.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_')
                    .then_some(key)
            })
            .collect()
    }

    #[test]
    fn every_key_the_outputs_use_is_a_label() {
        let code = [
            include_str!("../mod.rs"),
            include_str!("table.rs"),
            include_str!("html.rs"),
            include_str!("svg.rs"),
            include_str!("columns.rs"),
            include_str!("../source/mod.rs"),
            include_str!("../source/salesforce.rs"),
            include_str!("../source/hubspot.rs"),
            include_str!("../source/pipedrive.rs"),
        ];
        let mut used: Vec<&str> = code
            .iter()
            .flat_map(|text| {
                let mut keys = keys_after(text, "report,");
                keys.extend(keys_after(text, "say("));
                keys
            })
            .collect();
        let template = include_str!("../../../templates/metrics.html.j2");
        // `t` in the table macro is the table; everywhere else the labels.
        used.extend(template.match_indices("t.").filter_map(|(at, _)| {
            let key: &str = template[at + 2..]
                .split(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                .next()?;
            let before = template[..at].chars().last();
            (!key.is_empty()
                && !matches!(key, "headers" | "rows" | "links")
                && !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then_some(key)
        }));
        assert!(used.len() > 75, "found {} uses", used.len());
        for key in used {
            assert!(
                LABELS.binary_search_by(|(k, _)| (*k).cmp(key)).is_ok(),
                "`{key}` is used but is no label"
            );
        }
    }

    #[test]
    fn keys_are_sorted_unique_and_translated_with_the_same_slots() {
        for pair in LABELS.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
        let slots = |text: &str| {
            let mut found: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(slot, _)| slot.to_owned()))
                .collect();
            found.sort();
            found
        };
        for (key, [en, zh]) in LABELS {
            assert!(!en.is_empty() && !zh.is_empty(), "{key}");
            assert_eq!(slots(en), slots(zh), "{key}");
            let mut bare = (*zh).to_owned();
            for slot in slots(zh) {
                bare = bare.replace(&format!("{{{slot}}}"), "");
            }
            // Names, not words: the tool, fields, flags, CRMs and their objects.
            for kept in [
                "stagebook",
                "expected_duration",
                "`do`",
                "`crm_names`",
                "`dealstage`",
                "--skip-bad-rows",
                "--as-of",
                "--tz",
                "`--column stage=`",
                "OpportunityHistory",
                "Opportunity History",
                "Salesforce",
                "HubSpot",
                "Pipedrive",
                "CRM",
                "Generated By",
                "StageName",
                "`appointmentscheduled`",
                "`closedwon`",
                "--stages",
                "GET /v1/stages",
                "GET /v1/deals",
                "`created`",
                "`add_time`",
                "`propertiesWithHistory=dealstage`",
                "`terminal: won`",
                "`terminal: lost`",
                "`Date entered \"<stage> ()\"`",
                "`Date entered`",
                "--source salesforce-history",
            ] {
                bare = bare.replace(kept, "");
            }
            assert!(
                !bare.chars().any(|c| c.is_ascii_alphabetic()),
                "{key}: English left in the Chinese: {zh}"
            );
        }
    }
}

//! CSV: one row per period and open stage, the period `*` standing for the whole range.

use crate::metrics::report::{PeriodReport, Report};

const HEADER: [&str; 22] = [
    "period",
    "from",
    "to",
    "stage",
    "at_start",
    "entered",
    "advanced",
    "lost",
    "moved_back",
    "remaining",
    "conversion",
    "loss_rate",
    "visits",
    "mean_days",
    "median_days",
    "expected_days",
    "over_budget",
    "over_budget_share",
    "stalled",
    "skips_from",
    "skipped",
    "backward_moves",
];

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Renders the CSV.
pub fn render(report: &Report) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER).expect("writing to memory");
    let mut rows = |label: &str, period: &PeriodReport| {
        for s in &period.stages {
            let t = &s.time_in_stage;
            writer
                .write_record([
                    label.to_owned(),
                    period.from.clone(),
                    period.to.clone(),
                    s.stage.clone(),
                    s.at_start.to_string(),
                    s.entered.to_string(),
                    s.advanced.to_string(),
                    s.lost.to_string(),
                    s.moved_back.to_string(),
                    s.remaining.to_string(),
                    opt(s.conversion),
                    opt(s.loss_rate),
                    t.visits.to_string(),
                    opt(t.mean_days),
                    opt(t.median_days),
                    opt(t.expected_days),
                    opt(t.over_budget),
                    opt(t.over_budget_share),
                    s.stalled.to_string(),
                    s.skips_from.to_string(),
                    s.skipped.to_string(),
                    s.backward_moves.to_string(),
                ])
                .expect("writing to memory");
        }
    };
    for period in &report.periods {
        rows(&period.label, period);
    }
    rows("*", &report.total);
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("CSV of UTF-8 text")
}

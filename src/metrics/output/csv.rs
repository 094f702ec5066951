//! CSV: one row per period and open stage, the period `*` standing for the whole range; the
//! columns are [`super::columns::STAGE_COLUMNS`].

use crate::metrics::report::{PeriodReport, Report};

use super::columns::STAGE_COLUMNS;

/// Renders the CSV.
pub(crate) fn render(report: &Report) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = ["period", "from", "to"]
        .into_iter()
        .chain(STAGE_COLUMNS.iter().map(|c| c.key));
    writer.write_record(header).expect("writing to memory");
    let mut rows = |label: &str, period: &PeriodReport| {
        for s in &period.stages {
            let context = [label.to_owned(), period.from.clone(), period.to.clone()];
            let cells = STAGE_COLUMNS.iter().map(|c| (c.value)(s).raw());
            writer
                .write_record(context.into_iter().chain(cells))
                .expect("writing to memory");
        }
    };
    for period in &report.periods {
        rows(&period.label, period);
    }
    rows("*", &report.total);
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("CSV of UTF-8 text")
}

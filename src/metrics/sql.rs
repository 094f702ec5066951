//! `metrics --emit-sql`: the report's per-period, per-stage rows (`--format csv`) as one SQL
//! script for the warehouse where the history already lives.
//!
//! The playbook is compiled in as small literal tables — the CRM names of each stage, the
//! stages with their kind and budget, how every move from an open stage reads (forward, skip,
//! lost, recycle, back) and which stages a skip jumps — and so are the periods: their
//! boundaries are computed here, by the same code as the native report, in the report's time
//! zone, daylight-saving changes included, so the engine only compares instants (seconds since
//! the epoch). The steps follow [`super::compute`]: exact duplicate rows once, ties in time
//! ordered by stage order, a row repeating the deal's stage dropped, each visit ended by the
//! deal's next one. What each CSV column is, is said once, in
//! [`super::output::columns::STAGE_COLUMNS`] (its [`Sql`]); a dialect only says how to write
//! an epoch, a ratio, a median and a quoted name.

use std::fmt::Write as _;

use super::build::DAY;
use super::output::columns::STAGE_COLUMNS;
use super::stages::{Kind, Move, StageMap};
use super::time::{Period, Secs};
use crate::model::PlaybookFile;

/// The SQL engines `--emit-sql` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// DuckDB.
    DuckDb,
    /// PostgreSQL.
    Postgres,
    /// Apache Spark SQL (Databricks).
    Spark,
    /// Google BigQuery (GoogleSQL).
    BigQuery,
    /// Snowflake.
    Snowflake,
}

/// How a CSV column is computed from the per-period, per-stage numbers of the script: the one
/// place a column's definition is written for SQL, beside its native definition.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sql {
    /// An expression of the numbers as it is (`at_start`, `entered - cohort_advanced`).
    Value(&'static str),
    /// `part / whole`, rounded to 4 decimals; empty when `whole` is 0 or `part` empty.
    Ratio(&'static str, &'static str),
    /// Seconds as days, rounded to 2 decimals; empty when empty.
    Days(&'static str),
}

/// What the script reads and how the report is cut.
#[derive(Debug, Clone)]
pub(crate) struct SqlOptions {
    /// The engine.
    pub(crate) dialect: Dialect,
    /// The history table or view (`--table`): one row per stage change.
    pub(crate) table: String,
    /// Its deal, stage and time columns.
    pub(crate) columns: super::history::Columns,
    /// Create this view instead of selecting (`--into`).
    pub(crate) into: Option<String>,
    /// The periods, computed as the native report computes them.
    pub(crate) periods: Vec<Period>,
    /// `--as-of`: when the history was taken; default the last stage change.
    pub(crate) as_of: Option<Secs>,
    /// What the header comment says the script was made from (the command line).
    pub(crate) made_from: String,
}

impl Dialect {
    /// Every dialect, in the order `--help` lists them.
    pub(crate) const ALL: [Self; 5] = [
        Self::DuckDb,
        Self::Postgres,
        Self::Spark,
        Self::BigQuery,
        Self::Snowflake,
    ];

    /// The engine's name, for `--help`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::DuckDb => "DuckDB",
            Self::Postgres => "PostgreSQL",
            Self::Spark => "Apache Spark SQL (Databricks)",
            Self::BigQuery => "Google BigQuery",
            Self::Snowflake => "Snowflake",
        }
    }

    /// The name `--emit-sql` takes.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Self::DuckDb => "duckdb",
            Self::Postgres => "postgres",
            Self::Spark => "spark",
            Self::BigQuery => "bigquery",
            Self::Snowflake => "snowflake",
        }
    }

    /// An output column's name, quoted (`from` and `to` are reserved words).
    fn quote(self, name: &str) -> String {
        match self {
            Self::Spark | Self::BigQuery => format!("`{name}`"),
            _ => format!("\"{name}\""),
        }
    }

    /// Seconds since the epoch of a timestamp column (an instant), whole seconds.
    fn epoch(self, column: &str) -> String {
        match self {
            Self::DuckDb => format!("CAST(floor(epoch({column})) AS BIGINT)"),
            Self::Postgres => format!("CAST(floor(extract(epoch FROM {column})) AS BIGINT)"),
            Self::Spark => format!("unix_timestamp({column})"),
            Self::BigQuery => format!("UNIX_SECONDS({column})"),
            Self::Snowflake => format!("DATE_PART(epoch_second, {column})"),
        }
    }

    /// Text, for a deal id of any type.
    fn text(self, expression: &str) -> String {
        format!("CAST({expression} AS {})", self.string_type())
    }

    /// A stage name as the native lookup normalises it: whitespace runs as one space, trimmed,
    /// lowercase.
    fn normalised(self, expression: &str) -> String {
        let (pattern, flags) = match self {
            // DuckDB and PostgreSQL replace only the first match without `g`.
            Self::DuckDb | Self::Postgres => ("'\\s+'", ", 'g'"),
            // Spark and Snowflake read backslash escapes in string literals.
            Self::Spark | Self::Snowflake => ("'\\\\s+'", ""),
            Self::BigQuery => ("r'\\s+'", ""),
        };
        format!("lower(trim(regexp_replace({expression}, {pattern}, ' '{flags})))")
    }

    /// A floating-point value of an integer expression, for division.
    fn real(self, expression: &str) -> String {
        match self {
            // Postgres rounds `double precision` half to even; `numeric` rounds half away from
            // zero, as the native report does.
            Self::Postgres => format!("CAST({expression} AS NUMERIC)"),
            Self::BigQuery => format!("CAST({expression} AS FLOAT64)"),
            _ => format!("CAST({expression} AS DOUBLE)"),
        }
    }

    /// `part / whole` rounded to 4 decimals, `NULL` without a denominator.
    fn ratio(self, part: &str, whole: &str) -> String {
        format!(
            "CASE WHEN ({whole}) > 0 THEN ROUND({} / ({whole}), 4) END",
            self.real(part)
        )
    }

    /// Seconds as days, rounded to 2 decimals.
    fn days(self, seconds: &str) -> String {
        format!("ROUND({} / {DAY}, 2)", self.real(seconds))
    }

    /// The exact median of `spent` per period and stage over the rows of `ends`, as a
    /// `SELECT … GROUP BY` (BigQuery has it only as a window function).
    fn medians(self) -> String {
        let aggregate = match self {
            Self::DuckDb | Self::Snowflake => "MEDIAN(spent)",
            Self::Postgres => "percentile_cont(0.5) WITHIN GROUP (ORDER BY spent)",
            Self::Spark => "percentile(spent, 0.5)",
            Self::BigQuery => {
                return "SELECT DISTINCT p, ord, PERCENTILE_CONT(spent, 0.5) OVER (PARTITION BY p, ord) AS median_secs FROM ends".into();
            }
        };
        format!("SELECT p, ord, {aggregate} AS median_secs FROM ends GROUP BY p, ord")
    }

    /// The keyword that makes a CTE read by several others computed once, where the engine
    /// has one (Spark, BigQuery and Snowflake decide that themselves).
    fn materialized(self) -> &'static str {
        match self {
            Self::DuckDb | Self::Postgres => "MATERIALIZED ",
            Self::Spark | Self::BigQuery | Self::Snowflake => "",
        }
    }

    /// The type of the literal text columns, for an empty literal table's casts.
    fn string_type(self) -> &'static str {
        match self {
            Self::BigQuery | Self::Spark => "STRING",
            _ => "VARCHAR",
        }
    }
}

/// A text literal.
fn text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// An integer literal, or `NULL`.
fn number(value: Option<i64>) -> String {
    value.map_or_else(|| "NULL".into(), |v| v.to_string())
}

/// A literal table as a CTE: `name (a, b) AS (SELECT … UNION ALL SELECT …)`, which every
/// dialect reads (BigQuery has no `VALUES` list). An empty table is one row of `NULL`s filtered
/// out, typed by `types`.
fn literal_table(
    out: &mut String,
    name: &str,
    columns: &[&str],
    types: &[&str],
    rows: &[Vec<String>],
) {
    let _ = writeln!(out, "{name} AS (");
    if rows.is_empty() {
        let nulls: Vec<String> = columns
            .iter()
            .zip(types)
            .map(|(c, t)| format!("CAST(NULL AS {t}) AS {c}"))
            .collect();
        let _ = writeln!(
            out,
            "    SELECT {} FROM (SELECT 1 AS one) AS t WHERE 1 = 0",
            nulls.join(", ")
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(columns.iter().zip(types))
            .map(|(cell, (column, kind))| {
                // The first row names and types the columns (a `NULL` there has no type).
                if i == 0 {
                    format!("CAST({cell} AS {kind}) AS {column}")
                } else {
                    cell.clone()
                }
            })
            .collect();
        let _ = writeln!(
            out,
            "    {}SELECT {}",
            if i == 0 { "" } else { "UNION ALL " },
            cells.join(", ")
        );
    }
    out.push_str("),\n");
}

/// The move kinds as the script names them.
fn move_name(kind: Move) -> &'static str {
    match kind {
        Move::Forward => "forward",
        Move::Skip => "skip",
        Move::Lost => "lost",
        Move::Recycle => "recycle",
        Move::Backward => "back",
    }
}

/// Compiles the playbook's metrics into one SQL script for `options.dialect`.
pub(crate) fn compile(playbook: &PlaybookFile, options: &SqlOptions) -> Result<String, String> {
    let stages = StageMap::new(playbook)?;
    let dialect = options.dialect;
    let string = dialect.string_type();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- stagebook {}: the metrics of playbook `{}` ({}) for {}, as `stagebook metrics --format csv`\n-- gives them: one row per period and open stage, then the whole range as period `*`.\n-- Made with: {}\n-- Reads {} (columns {}, {}, {}: {} an instant, a timestamp with time zone).",
        env!("CARGO_PKG_VERSION"),
        playbook.playbook.id,
        playbook.playbook.name.replace('\n', " "),
        dialect.id(),
        options.made_from.replace('\n', " "),
        options.table,
        options.columns.deal,
        options.columns.stage,
        options.columns.at,
        options.columns.at,
    );
    if let Some(into) = &options.into {
        let _ = writeln!(out, "CREATE OR REPLACE VIEW {into} AS");
    }
    out.push_str("WITH\n");

    // Every name a stage goes by, as the native lookup keeps them (raw and normalised): a
    // history's stage is looked up as written, then normalised.
    let names: Vec<Vec<String>> = stages
        .names()
        .map(|(name, ord)| vec![text(name), ord.to_string()])
        .collect();
    literal_table(
        &mut out,
        "stage_names",
        &["name", "ord"],
        &[string, "INTEGER"],
        &names,
    );
    let stage_rows: Vec<Vec<String>> = stages
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                i.to_string(),
                text(&s.id),
                text(match s.kind {
                    Kind::Open => "open",
                    Kind::Won => "won",
                    Kind::Lost => "lost",
                }),
                number(s.expected),
            ]
        })
        .collect();
    literal_table(
        &mut out,
        "stages",
        &["ord", "stage_id", "kind", "budget"],
        &["INTEGER", string, string, "BIGINT"],
        &stage_rows,
    );
    let mut moves = Vec::new();
    let mut jumps = Vec::new();
    for (from, info) in stages.stages.iter().enumerate() {
        if info.kind != Kind::Open {
            continue;
        }
        for to in 0..stages.len() {
            let (a, b) = (ix(from), ix(to));
            let kind = stages.classify(a, b);
            moves.push(vec![
                from.to_string(),
                to.to_string(),
                text(move_name(kind)),
            ]);
            if kind == Move::Skip {
                for jumped in stages.skipped(a, b) {
                    jumps.push(vec![from.to_string(), to.to_string(), jumped.to_string()]);
                }
            }
        }
    }
    literal_table(
        &mut out,
        "moves",
        &["from_ord", "to_ord", "kind"],
        &["INTEGER", "INTEGER", string],
        &moves,
    );
    literal_table(
        &mut out,
        "jumps",
        &["from_ord", "to_ord", "jumped"],
        &["INTEGER", "INTEGER", "INTEGER"],
        &jumps,
    );
    let (Some(first), Some(last)) = (options.periods.first(), options.periods.last()) else {
        return Err("the report range holds no period".into());
    };
    let mut periods: Vec<Vec<String>> = options
        .periods
        .iter()
        .enumerate()
        .map(|(p, period)| {
            vec![
                p.to_string(),
                text(&period.label),
                text(&period.first_day.to_string()),
                text(&period.last_day.to_string()),
                period.start.to_string(),
                period.end.to_string(),
            ]
        })
        .collect();
    // The whole range, as one more period: its sums are the periods' sums, and its start and
    // end counts are the first start's and the last end's.
    periods.push(vec![
        options.periods.len().to_string(),
        text("*"),
        text(&first.first_day.to_string()),
        text(&last.last_day.to_string()),
        first.start.to_string(),
        last.end.to_string(),
    ]);
    literal_table(
        &mut out,
        "periods",
        &["p", "label", "first_day", "last_day", "p_start", "p_end"],
        &["INTEGER", string, string, string, "BIGINT", "BIGINT"],
        &periods,
    );

    let cols = &options.columns;
    let _ = writeln!(
        out,
        "seen AS (
    SELECT DISTINCT h.{stage_column} AS stage FROM {table} AS h
),
mapped AS (
    -- Each stage name the history holds, looked up once: as written, then normalised.
    SELECT h.stage, COALESCE(n.ord, k.ord) AS ord
    FROM seen AS h
    LEFT JOIN stage_names AS n ON n.name = h.stage
    LEFT JOIN stage_names AS k ON k.name = {normalised}
),
raw AS (
    SELECT {deal} AS deal, m.ord, {ts} AS ts
    FROM {table} AS h
    JOIN mapped AS m ON m.stage = h.{stage_column}
),
events AS (
    SELECT DISTINCT deal, ord, ts FROM raw
    WHERE deal IS NOT NULL AND ord IS NOT NULL AND ts IS NOT NULL
),
ordered AS (
    SELECT deal, ord, ts, LAG(ord) OVER (PARTITION BY deal ORDER BY ts, ord) AS prev_ord
    FROM events
),
kept AS (
    SELECT deal, ord, ts FROM ordered WHERE prev_ord IS NULL OR prev_ord <> ord
),
visits AS (
    SELECT deal, ord, ts AS enter_at,
        LEAD(ts) OVER (PARTITION BY deal ORDER BY ts, ord) AS exit_at,
        LEAD(ord) OVER (PARTITION BY deal ORDER BY ts, ord) AS next_ord
    FROM kept
),
observed AS (
    SELECT {observed} AS observed
),
bounds AS (
    SELECT p.p, p.label, p.first_day, p.last_day, p.p_start, p.p_end,
        CASE WHEN p.p_end < o.observed THEN p.p_end ELSE o.observed END AS as_of,
        o.observed
    FROM periods AS p CROSS JOIN observed AS o
),
reach AS (
    -- The earliest exit a visit may have to count in the period: its start, or its as-of
    -- instant when earlier (stalls). Two plain comparisons, so engines join by range.
    SELECT b.*, CASE WHEN b.as_of < b.p_start THEN b.as_of ELSE b.p_start END AS lo
    FROM bounds AS b
),
open_visits AS {materialized}(
    SELECT v.deal, v.ord, v.enter_at, v.exit_at, v.next_ord, s.budget, m.kind AS move,
        COALESCE(v.exit_at, {forever}) AS until_at
    FROM visits AS v
    JOIN stages AS s ON s.ord = v.ord AND s.kind = 'open'
    LEFT JOIN moves AS m ON m.from_ord = v.ord AND m.to_ord = v.next_ord
),
counted AS (
    -- What a visit counts for in a period by being in the stage then: at its start, entering,
    -- at its end, the cohort that entered, stalled at the as-of instant.
    SELECT b.p, v.ord,
        SUM(CASE WHEN v.enter_at < b.p_start AND b.p_start <= v.until_at THEN 1 ELSE 0 END) AS at_start,
        SUM(CASE WHEN v.enter_at >= b.p_start AND v.enter_at < b.p_end THEN 1 ELSE 0 END) AS entered,
        SUM(CASE WHEN b.p_end <= v.until_at THEN 1 ELSE 0 END) AS remaining,
        SUM(CASE WHEN v.enter_at >= b.p_start AND v.enter_at < b.p_end AND v.exit_at < b.observed AND v.move IN ('forward', 'skip') THEN 1 ELSE 0 END) AS cohort_advanced,
        SUM(CASE WHEN v.enter_at >= b.p_start AND v.enter_at < b.p_end AND v.exit_at < b.observed AND v.move = 'lost' THEN 1 ELSE 0 END) AS cohort_lost,
        SUM(CASE WHEN v.enter_at >= b.p_start AND v.enter_at < b.p_end AND v.exit_at < b.observed AND v.move IN ('recycle', 'back') THEN 1 ELSE 0 END) AS cohort_moved_back,
        SUM(CASE WHEN v.enter_at + v.budget < b.as_of AND b.as_of <= v.until_at THEN 1 ELSE 0 END) AS stalled
    FROM reach AS b
    JOIN open_visits AS v ON v.enter_at < b.p_end AND v.until_at >= b.lo
    GROUP BY b.p, v.ord
),
ends AS {materialized}(
    -- The visits that ended in a period, with where they went.
    SELECT b.p, v.ord, v.next_ord, v.move, v.exit_at - v.enter_at AS spent, v.budget
    FROM bounds AS b
    JOIN open_visits AS v ON v.exit_at >= b.p_start AND v.exit_at < b.p_end
),
ended AS (
    SELECT p, ord,
        SUM(CASE WHEN move IN ('forward', 'skip') THEN 1 ELSE 0 END) AS advanced,
        SUM(CASE WHEN move = 'lost' THEN 1 ELSE 0 END) AS lost,
        SUM(CASE WHEN move IN ('recycle', 'back') THEN 1 ELSE 0 END) AS moved_back,
        SUM(CASE WHEN move = 'skip' THEN 1 ELSE 0 END) AS skips_from,
        SUM(CASE WHEN move = 'back' THEN 1 ELSE 0 END) AS backward_moves,
        COUNT(*) AS visits,
        AVG(spent) AS mean_secs,
        SUM(CASE WHEN spent > budget THEN 1 ELSE 0 END) AS over_budget
    FROM ends
    GROUP BY p, ord
),
medians AS (
    {medians}
),
jumped AS (
    SELECT e.p, j.jumped AS ord, COUNT(*) AS skipped
    FROM ends AS e
    JOIN jumps AS j ON j.from_ord = e.ord AND j.to_ord = e.next_ord
    WHERE e.move = 'skip'
    GROUP BY e.p, j.jumped
),
numbers AS (
    SELECT b.p, s.ord, b.label, b.first_day, b.last_day, s.stage_id, s.budget,
        COALESCE(c.at_start, 0) AS at_start,
        COALESCE(c.entered, 0) AS entered,
        COALESCE(e.advanced, 0) AS advanced,
        COALESCE(e.lost, 0) AS lost,
        COALESCE(e.moved_back, 0) AS moved_back,
        COALESCE(c.remaining, 0) AS remaining,
        COALESCE(c.cohort_advanced, 0) AS cohort_advanced,
        COALESCE(c.cohort_lost, 0) AS cohort_lost,
        COALESCE(c.cohort_moved_back, 0) AS cohort_moved_back,
        COALESCE(e.visits, 0) AS visits,
        e.mean_secs,
        m.median_secs,
        CASE WHEN s.budget IS NULL THEN NULL ELSE COALESCE(e.over_budget, 0) END AS over_budget,
        COALESCE(c.stalled, 0) AS stalled,
        COALESCE(e.skips_from, 0) AS skips_from,
        COALESCE(j.skipped, 0) AS skipped,
        COALESCE(e.backward_moves, 0) AS backward_moves
    FROM bounds AS b
    CROSS JOIN stages AS s
    LEFT JOIN counted AS c ON c.p = b.p AND c.ord = s.ord
    LEFT JOIN ended AS e ON e.p = b.p AND e.ord = s.ord
    LEFT JOIN medians AS m ON m.p = b.p AND m.ord = s.ord
    LEFT JOIN jumped AS j ON j.p = b.p AND j.ord = s.ord
    WHERE s.kind = 'open'
)",
        deal = dialect.text(&format!("h.{}", cols.deal)),
        ts = dialect.epoch(&format!("h.{}", cols.at)),
        table = options.table,
        normalised = dialect.normalised("h.stage"),
        stage_column = cols.stage,
        observed = options
            .as_of
            .map_or_else(|| "(SELECT MAX(ts) + 1 FROM events)".to_owned(), |at| (at + 1).to_string()),
        medians = dialect.medians(),
        forever = i64::MAX,
        materialized = dialect.materialized(),
    );
    let mut select = vec![
        format!("label AS {}", dialect.quote("period")),
        format!("first_day AS {}", dialect.quote("from")),
        format!("last_day AS {}", dialect.quote("to")),
    ];
    for column in STAGE_COLUMNS {
        let expression = match column.sql {
            Sql::Value(expression) => expression.to_owned(),
            Sql::Ratio(part, whole) => dialect.ratio(part, whole),
            Sql::Days(seconds) => dialect.days(seconds),
        };
        select.push(format!("{expression} AS {}", dialect.quote(column.key)));
    }
    let _ = writeln!(
        out,
        "SELECT\n    {}\nFROM numbers\nORDER BY p, ord{}",
        select.join(",\n    "),
        if options.into.is_some() { "" } else { ";" }
    );
    if options.into.is_some() {
        out.push_str(";\n");
    }
    Ok(out)
}

fn ix(i: usize) -> super::stages::StageIx {
    super::stages::StageIx::try_from(i).expect("stage count is checked")
}

/// The first line of the `schema.yml` stagebook writes: a file without it is the user's, and
/// is not replaced.
const DBT_MARK: &str = "# Written by `stagebook metrics --emit-sql --dbt`";

/// Writes the script as a dbt model, `stagebook_<playbook id>.sql` (without the `;` dbt does
/// not want), and a `schema.yml` with tests of its columns, into `dir`. Refuses to replace a
/// `schema.yml` stagebook did not write.
pub(crate) fn write_dbt(
    dir: &std::path::Path,
    playbook: &PlaybookFile,
    script: &str,
) -> Result<Vec<std::path::PathBuf>, String> {
    let model = format!(
        "stagebook_{}",
        playbook.playbook.id.as_str().replace('-', "_")
    );
    let schema_path = dir.join("schema.yml");
    if let Ok(existing) = std::fs::read_to_string(&schema_path)
        && !existing.starts_with(DBT_MARK)
    {
        return Err(format!(
            "{} is not stagebook's: write the model into a folder of its own (--dbt models/stagebook)",
            schema_path.display()
        ));
    }
    let stages = StageMap::new(playbook)?;
    let open: Vec<String> = stages
        .stages
        .iter()
        .filter(|s| s.kind == Kind::Open)
        .map(|s| format!("'{}'", s.id.replace('\'', "''")))
        .collect();
    let mut schema = format!(
        "{DBT_MARK} for playbook `{}`.\nversion: 2\nmodels:\n  - name: {model}\n    description: >\n      The stage metrics of the playbook {}, one row per period and open stage, then the\n      whole range as period `*`: the columns of `stagebook metrics --format csv`, defined in\n      stagebook's README (\"Measure the pipeline\").\n    columns:\n",
        playbook.playbook.id,
        playbook.playbook.name.replace('\n', " "),
    );
    let counts_in = |key: &str| {
        STAGE_COLUMNS
            .iter()
            .find(|c| c.key == key)
            .is_some_and(|c| matches!(c.sql, Sql::Value(_)))
    };
    for key in ["period", "from", "to"] {
        let _ = writeln!(schema, "      - name: {key}\n        tests: [not_null]");
    }
    for column in STAGE_COLUMNS {
        let _ = writeln!(schema, "      - name: {}", column.key);
        if column.key == "stage" {
            let _ = writeln!(
                schema,
                "        tests:\n          - not_null\n          - accepted_values:\n              values: [{}]",
                open.join(", ")
            );
        } else if counts_in(column.key) && column.key != "over_budget" {
            let _ = writeln!(schema, "        tests: [not_null]");
        }
    }
    let body = script.trim_end().trim_end_matches(';');
    let model_path = dir.join(format!("{model}.sql"));
    crate::emit::write_file(&model_path, format!("{body}\n").as_bytes())
        .map_err(|e| format!("{}: {e}", model_path.display()))?;
    crate::emit::write_file(&schema_path, schema.as_bytes())
        .map_err(|e| format!("{}: {e}", schema_path.display()))?;
    Ok(vec![model_path, schema_path])
}

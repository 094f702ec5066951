//! `metrics --emit-sql`: the script for each engine, its refusals, and the dbt model. That the
//! scripts compute what the native report computes is checked on DuckDB, PostgreSQL and Spark
//! by `.ci/checks/75-sql-engines.sh`; here, what needs no engine.

use std::fs;
use std::process::Output;

use snapbox::cmd::Command;

use crate::common::golden;

const EDGE: &str = "tests/data/metrics/sql/edge.yaml";
const RANGE: [&str; 6] = [
    "--from",
    "2024-01-01",
    "--to",
    "2024-06-30",
    "--period",
    "month",
];

fn stagebook(args: &[&str]) -> Output {
    Command::new(snapbox::cmd::cargo_bin!("stagebook"))
        .args(args)
        .output()
        .expect("stagebook runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn each_dialect_gets_one_script_with_every_csv_column() {
    let header = text(
        &stagebook(&[
            "metrics",
            EDGE,
            "--history",
            "tests/data/metrics/sql/tiny.csv",
            "--format",
            "csv",
        ])
        .stdout,
    );
    let columns: Vec<&str> = header.lines().next().unwrap().split(',').collect();
    assert!(columns.len() > 20, "{header}");
    for dialect in ["duckdb", "postgres", "spark", "bigquery", "snowflake"] {
        let mut args = vec!["metrics", EDGE, "--emit-sql", dialect];
        args.extend(RANGE);
        let output = stagebook(&args);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        let script = text(&output.stdout);
        for column in &columns {
            assert!(
                script.contains(&format!("AS \"{column}\""))
                    || script.contains(&format!("AS `{column}`")),
                "{dialect}: no column {column}"
            );
        }
        // The playbook and the periods are compiled in.
        for literal in ["'Lead In'", "'qualify'", "'2024-06'", "'*'"] {
            assert!(script.contains(literal), "{dialect}: no {literal}");
        }
        assert!(script.trim_end().ends_with(';'), "{dialect}");
    }
    let mut args = vec!["metrics", EDGE, "--emit-sql", "duckdb"];
    args.extend(RANGE);
    args.extend(["--tz", "Europe/Berlin", "--table", "crm.stage_history"]);
    golden::assert_file(
        &crate::common::repo_dir().join("tests/expected/metrics/sql/edge-duckdb.sql"),
        stagebook(&args).stdout,
    );
}

#[test]
fn into_creates_a_view() {
    let mut args = vec![
        "metrics",
        EDGE,
        "--emit-sql",
        "postgres",
        "--into",
        "analytics.stage_metrics",
    ];
    args.extend(RANGE);
    let script = text(&stagebook(&args).stdout);
    let first = script.lines().find(|l| !l.starts_with("--")).unwrap();
    assert_eq!(first, "CREATE OR REPLACE VIEW analytics.stage_metrics AS");
}

#[test]
fn what_the_script_cannot_hold_is_refused_with_the_way_out() {
    for (args, said) in [
        (
            vec!["metrics", EDGE, "--emit-sql", "duckdb"],
            "--emit-sql needs --from and --to",
        ),
        (
            vec![
                "metrics",
                EDGE,
                "--emit-sql",
                "duckdb",
                "--from",
                "2024-01-01",
                "--to",
                "2024-02-01",
                "--by",
                "owner",
            ],
            "--by is not compiled to SQL",
        ),
        (
            vec![
                "metrics",
                EDGE,
                "--emit-sql",
                "duckdb",
                "--history",
                "x.csv",
                "--from",
                "2024-01-01",
                "--to",
                "2024-02-01",
            ],
            "cannot be used with",
        ),
    ] {
        let output = stagebook(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            text(&output.stderr).contains(said),
            "{}",
            text(&output.stderr)
        );
    }
}

#[test]
fn dbt_writes_a_model_and_its_tests_and_keeps_a_schema_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models/stagebook");
    let models_arg = models.to_str().unwrap();
    let mut args = vec![
        "metrics",
        EDGE,
        "--emit-sql",
        "snowflake",
        "--dbt",
        models_arg,
    ];
    args.extend(RANGE);
    args.extend(["--table", "{{ source('salesforce', 'stage_history') }}"]);
    let output = stagebook(&args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let model = fs::read_to_string(models.join("stagebook_sql_edge.sql")).unwrap();
    assert!(model.contains("FROM {{ source('salesforce', 'stage_history') }} AS h"));
    assert!(
        !model.trim_end().ends_with(';'),
        "dbt models end without `;`"
    );
    let schema = fs::read_to_string(models.join("schema.yml")).unwrap();
    assert!(schema.contains("- name: stagebook_sql_edge"), "{schema}");
    assert!(
        schema.contains("values: ['lead', 'qualify', 'demo', 'proposal']"),
        "{schema}"
    );
    // Written again: replaced. A schema.yml of the user's: kept, and the model not written.
    assert_eq!(stagebook(&args).status.code(), Some(0));
    fs::write(models.join("schema.yml"), "version: 2\nmodels: []\n").unwrap();
    let output = stagebook(&args);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("is not stagebook's"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(
        fs::read_to_string(models.join("schema.yml")).unwrap(),
        "version: 2\nmodels: []\n"
    );
}

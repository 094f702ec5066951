//! `stagebook metrics` reading the stage history from the places exports come from:
//! standard input (`--history -`) and a pipe named by path.

use std::path::Path;
use std::process::Output;

use snapbox::cmd::Command;

const FIXTURES: &str = "tests/fixtures/metrics";

fn metrics(args: &[&str]) -> Command {
    Command::new(snapbox::cmd::cargo_bin!("stagebook"))
        .arg("metrics")
        .arg(Path::new(FIXTURES).join("saas.yaml"))
        .args(args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn run(command: Command, code: i32) -> Output {
    command.assert().code(code).get_output().clone()
}

#[test]
fn stdin_gives_the_same_report_as_the_file_and_is_named_dash() {
    let path = Path::new(FIXTURES).join("worked-example.csv");
    let csv = std::fs::read(&path).unwrap();
    let shown = path.display().to_string();
    for format in ["table", "json"] {
        let from_file = run(metrics(&["--history", &shown, "--format", format]), 0);
        let from_stdin = run(
            metrics(&["--history", "-", "--format", format]).stdin(csv.clone()),
            0,
        );
        let expected = text(&from_file.stdout).replace(&shown, "-");
        assert_eq!(text(&from_stdin.stdout), expected, "--format {format}");
        // The report names the input as typed, never the temporary copy.
        assert_ne!(text(&from_stdin.stdout), text(&from_file.stdout));
    }
}

#[test]
fn a_bad_row_on_stdin_is_located_at_dash_and_its_line() {
    let output = run(
        metrics(&["--history", "-"]).stdin(
            "deal_id,stage,entered_at\nA,Prospecting,2024-03-01\nA,Qualification,31/03/2024\n",
        ),
        2,
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error: -:3: column `entered_at`: `31/03/2024`"),
        "{stderr}"
    );
    assert!(stderr.contains("help: "), "{stderr}");
    assert!(!stderr.contains("stagebook-stdin-"), "{stderr}");
}

#[test]
fn empty_stdin_says_a_header_is_expected() {
    let output = run(metrics(&["--history", "-"]).stdin(""), 2);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error: -: the file is empty; expected a CSV with a header line"),
        "{stderr}"
    );
}

#[test]
fn a_header_split_from_its_first_byte_is_still_read() {
    // Before `-` was read, `/dev/stdin` lost its first byte, so the header became
    // `eal_id,...` and every run failed on a missing `deal_id` column.
    let output = run(
        metrics(&["--history", "/dev/stdin", "--format", "json"]).stdin(
            "deal_id,stage,entered_at\nA,Prospecting,2024-03-01\nA,Qualification,2024-03-04\n",
        ),
        0,
    );
    let stdout = text(&output.stdout);
    assert!(stdout.contains("\"history\": \"/dev/stdin\""), "{stdout}");
    assert!(stdout.contains("\"rows\": 2"), "{stdout}");
}

#[test]
fn every_row_malformed_says_so_instead_of_listing_no_names() {
    let output = run(
        metrics(&["--history", "-", "--skip-bad-rows"])
            .stdin("deal_id,stage,entered_at\nA,Prospecting,March 31\nB,Discovery,March 31\n"),
        2,
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error: -: all 2 rows are malformed, so none was measured; the first: -:2: column `entered_at`: `March 31`"),
        "{stderr}"
    );
    assert!(stderr.contains("help: check that --column"), "{stderr}");
    assert!(!stderr.contains("names found"), "{stderr}");
}

#[test]
fn unknown_stage_names_are_still_listed() {
    let output = run(
        metrics(&["--history", "-"]).stdin("deal_id,stage,entered_at\nA,Foo,2024-01-01\n"),
        2,
    );
    let stderr = text(&output.stderr);
    assert!(stderr.contains("(names found: `Foo` (1 row))"), "{stderr}");
    assert!(stderr.contains("--column stage=NAME"), "{stderr}");
}

#[test]
fn a_salesforce_15_character_id_and_its_18_character_form_are_one_deal() {
    let history = "deal_id,stage,entered_at\n\
                   0065000000Gv7qJ,Prospecting,2024-03-01\n\
                   0065000000Gv7qJAAR,Discovery,2024-03-04\n\
                   0065000000Gv7qj,Prospecting,2024-03-02\n";
    let output = run(
        metrics(&["--history", "-", "--format", "json"]).stdin(history),
        0,
    );
    let stdout = text(&output.stdout);
    // The third id differs in case, so it is another record (another checksum suffix).
    assert!(stdout.contains("\"deals\": 2,"), "{stdout}");
    assert!(!stdout.contains("\"deals\": 3,"), "{stdout}");
}

#[test]
fn activities_with_18_character_ids_join_a_history_with_15() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.csv");
    let activities = dir.path().join("activities.csv");
    std::fs::write(
        &history,
        "deal_id,stage,entered_at\n0065000000Gv7qJ,prospecting,2024-03-01\n0065000000Gv7qJ,won,2024-03-10\n",
    )
    .unwrap();
    std::fs::write(
        &activities,
        "deal_id,occurred_at,type\n0065000000Gv7qJAAR,2024-03-02,call\n0065000000Gv7qJAAR,2024-03-03,email\n",
    )
    .unwrap();
    let output = run(
        metrics(&[
            "--history",
            &history.display().to_string(),
            "--won-profile",
            "--activities",
            &activities.display().to_string(),
            "--format",
            "json",
        ]),
        0,
    );
    let stdout = text(&output.stdout);
    assert!(stdout.contains("\"median\": 1.0"), "{stdout}");
}

const SOURCES: &str = "tests/data/metrics/sources";

fn source(name: &str) -> String {
    Path::new(SOURCES).join(name).display().to_string()
}

#[test]
fn windows_1252_is_read_with_encoding_and_refused_without() {
    let path = source("windows-1252.csv");
    let output = run(metrics(&["--history", &path]), 2);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("windows-1252.csv:2: column `deal_id`: the deal id is not UTF-8 text"),
        "{stderr}"
    );
    assert!(stderr.contains("--encoding"), "{stderr}");
    let output = run(
        metrics(&[
            "--history",
            &path,
            "--encoding",
            "windows-1252",
            "--format",
            "json",
        ]),
        0,
    );
    let stdout = text(&output.stdout);
    assert!(stdout.contains("\"rows\": 2"), "{stdout}");
    assert!(stdout.contains("\"deals\": 1,"), "{stdout}");
}

#[test]
fn excel_unicode_text_is_found_by_its_byte_order_mark() {
    let path = source("excel-unicode-text.txt");
    let output = run(metrics(&["--history", &path, "--delimiter", "tab"]), 0);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains(&format!("2 rows, 1 deals from {path}")),
        "{stdout}"
    );
}

#[test]
fn bytes_invalid_in_the_encoding_name_the_line_and_the_flag() {
    let output = run(
        metrics(&["--history", "-", "--encoding", "gb18030"]).stdin(
            &b"deal_id,stage,entered_at\nA,Prospecting,2024-03-01\nA,Discovery,\x81\x30\n"[..],
        ),
        2,
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error: -:3: the file is not valid gb18030 text"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: pass the encoding the CRM exported it in with --encoding"),
        "{stderr}"
    );
    let output = run(
        metrics(&["--history", "-", "--encoding", "klingon"]).stdin(""),
        2,
    );
    assert!(text(&output.stderr).contains("unknown encoding `klingon`"));
}

#[test]
fn a_utf_8_byte_order_mark_is_not_part_of_the_first_column_name() {
    let path = source("utf-8-bom.csv");
    let output = run(metrics(&["--history", &path]), 0);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains(&format!("2 rows, 1 deals from {path}")),
        "{stdout}"
    );
}

#[test]
fn a_stage_column_of_amounts_or_dates_names_the_column_flag() {
    let output = run(
        metrics(&["--history", "-", "--column", "stage=amount"]).stdin(
            "deal_id,stage,amount,entered_at\nA,Prospecting,\"12,500.00\",2024-03-01\nB,Discovery,2024-03-04,2024-03-04\n",
        ),
        2,
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error: -: the stage column holds numbers, dates or amounts, not stage names (found: `12,500.00` (1 row), `2024-03-04` (1 row))"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("help: name the column that holds the stage names with --column stage=NAME"),
        "{stderr}"
    );
}

/// The report's JSON without what names the input and its shape.
fn numbers(output: &Output) -> serde_json::Value {
    let mut json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let input = json["input"].as_object_mut().unwrap();
    for key in ["history", "time_format", "source", "notes"] {
        input.remove(key);
    }
    json
}

/// The JSON report of `file` in the sources folder, read with `args`.
fn read_source(file: &str, args: &[&str]) -> Output {
    let history = format!("{SOURCES}/{file}");
    let mut all = vec!["--history", &history, "--format", "json"];
    all.extend_from_slice(args);
    run(metrics(&all), 0)
}

#[test]
fn us_and_german_salesforce_reports_are_found_and_read_without_their_footer() {
    let us = read_source("salesforce-report-us.csv", &[]);
    let de = read_source("salesforce-report-de.csv", &[]);
    let json: serde_json::Value = serde_json::from_slice(&us.stdout).unwrap();
    assert_eq!(json["input"]["source"], "salesforce-report");
    assert_eq!(json["input"]["time_format"], "%m/%d/%Y %I:%M %p");
    assert_eq!(json["input"]["first_change"], "2026-01-20 15:05");
    assert_eq!(json["input"]["bad_rows"], 0);
    assert_eq!(
        json["input"]["notes"][0],
        "the report's footer (lines 7–13: report name, copyright, \"Generated By\") was left out"
    );
    assert_eq!(json["total"]["funnel"]["won"], 1);
    let german: serde_json::Value = serde_json::from_slice(&de.stdout).unwrap();
    assert_eq!(german["input"]["time_format"], "%d.%m.%Y %H:%M");
    assert_eq!(numbers(&us), numbers(&de));
}

#[test]
fn one_pipeline_exported_in_every_shape_gives_the_same_report() {
    // The report and HubSpot's export write New York wall-clock time; field history UTC.
    let local = ["--input-tz", "America/New_York"];
    let report = read_source("salesforce-report-us.csv", &local);
    let field_history = read_source("salesforce-field-history.csv", &[]);
    let hubspot = read_source(
        "hubspot-deals-export.csv",
        &[
            "--input-tz",
            "America/New_York",
            "--pipeline",
            "Sales Pipeline",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&field_history.stdout).unwrap();
    assert_eq!(json["input"]["source"], "salesforce-field-history");
    assert_eq!(
        json["input"]["notes"][0],
        "left out: 3 rows of other fields (Amount, CloseDate); only StageName changes are stage history"
    );
    assert_eq!(json["total"]["funnel"]["won"], 1);
    assert_eq!(json["total"]["funnel"]["lost"], 1);
    let json: serde_json::Value = serde_json::from_slice(&hubspot.stdout).unwrap();
    assert_eq!(json["input"]["source"], "hubspot-export");
    assert_eq!(
        json["input"]["notes"][0],
        "left out: 1 deal of other pipelines (Renewals: 1); pipeline measured: Sales Pipeline"
    );
    let stages = |file: &str| format!("{SOURCES}/{file}");
    let hubspot_api = read_source(
        "hubspot-api-deals.json",
        &[
            "--stages",
            &stages("hubspot-pipelines.json"),
            "--pipeline",
            "Sales Pipeline",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&hubspot_api.stdout).unwrap();
    assert_eq!(json["input"]["source"], "hubspot-api");
    assert_eq!(
        json["input"]["notes"][0],
        "left out: 1 deal of other pipelines; pipeline measured: Sales Pipeline"
    );
    let pipedrive = read_source(
        "pipedrive-deal-flow.json",
        &["--stages", &stages("pipedrive-stages.json")],
    );
    let json: serde_json::Value = serde_json::from_slice(&pipedrive.stdout).unwrap();
    assert_eq!(json["input"]["source"], "pipedrive-api");
    // Won and lost come from status changes; the lost deal never changed stage, and
    // the flow's related deal says where it was.
    assert_eq!(json["total"]["funnel"]["won"], 1);
    assert_eq!(json["total"]["funnel"]["lost"], 1);
    for other in [&field_history, &hubspot, &hubspot_api, &pipedrive] {
        assert_eq!(numbers(&report), numbers(other));
    }
}

#[test]
fn api_json_is_read_as_pages_lines_or_stdin_and_broken_json_is_refused_at_its_line() {
    let flow = std::fs::read_to_string(format!("{SOURCES}/pipedrive-deal-flow.json")).unwrap();
    let pages: Vec<serde_json::Value> = serde_json::from_str(&flow).unwrap();
    let lines: String = pages.iter().map(|page| page.to_string() + "\n").collect();
    let stages = format!("{SOURCES}/pipedrive-stages.json");
    let from_stdin = metrics(&["--history", "-", "--stages", &stages, "--format", "json"])
        .stdin(lines.clone())
        .assert()
        .code(0)
        .get_output()
        .clone();
    let from_file = read_source("pipedrive-deal-flow.json", &["--stages", &stages]);
    assert_eq!(numbers(&from_stdin), numbers(&from_file));
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("flow.json");
    std::fs::write(&cut, &flow[..flow.len() / 2]).unwrap();
    let cut = cut.display().to_string();
    let refused = run(metrics(&["--history", &cut]), 2);
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains(&format!("{cut}:")) && stderr.contains("not valid JSON"),
        "{stderr}"
    );
    let expired = dir.path().join("expired.json");
    std::fs::write(
        &expired,
        r#"{"status":"error","message":"Authentication credentials not found.","correlationId":"3c1b","category":"INVALID_AUTHENTICATION"}"#,
    )
    .unwrap();
    let expired = expired.display().to_string();
    let refused = run(
        metrics(&["--history", &expired, "--source", "hubspot-api"]),
        2,
    );
    let stderr = text(&refused.stderr);
    assert!(
        stderr
            .contains("the API's error response, not data: Authentication credentials not found."),
        "{stderr}"
    );
    // JSON the shapes do not know is refused with the flag that settles it.
    let unknown = run(metrics(&["--history", &stages]), 2);
    assert!(
        text(&unknown.stderr).contains("pass --source hubspot-api or --source pipedrive-api"),
        "{}",
        text(&unknown.stderr)
    );
}

#[test]
fn api_stage_ids_without_their_names_are_said_and_several_pipelines_refused() {
    let flow = read_source("pipedrive-deal-flow.json", &[]);
    let json: serde_json::Value = serde_json::from_slice(&flow.stdout).unwrap();
    assert!(
        json["input"]["notes"].to_string().contains("--stages"),
        "{}",
        json["input"]["notes"]
    );
    let unknown: Vec<&str> = json["input"]["unknown_stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(unknown, ["1", "2"]);
    let deals = format!("{SOURCES}/hubspot-api-deals.json");
    let refused = run(metrics(&["--history", &deals]), 2);
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("the deals are in 2 pipelines (`758796` (1 deal), `default` (2 deals))")
            && stderr.contains("--pipeline"),
        "{stderr}"
    );
    // --stages belongs to the API shapes.
    let report = format!("{SOURCES}/salesforce-report-us.csv");
    let stages = format!("{SOURCES}/pipedrive-stages.json");
    let refused = run(metrics(&["--history", &report, "--stages", &stages]), 2);
    assert!(
        text(&refused.stderr).contains("--stages reads stage ids of the API shapes"),
        "{}",
        text(&refused.stderr)
    );
}

#[test]
fn a_hubspot_export_of_several_pipelines_needs_one_named() {
    let history = format!("{SOURCES}/hubspot-deals-export.csv");
    let refused = run(metrics(&["--history", &history]), 2);
    let stderr = text(&refused.stderr);
    assert!(
        stderr
            .contains("the export holds the stages of 2 pipelines (`Sales Pipeline`, `Renewals`)")
            && stderr.contains("help: pass --pipeline NAME"),
        "{stderr}"
    );
    let unknown = run(metrics(&["--history", &history, "--pipeline", "EMEA"]), 2);
    assert!(
        text(&unknown.stderr).contains("no `Date entered` columns for pipeline `EMEA`"),
        "{}",
        text(&unknown.stderr)
    );
}

#[test]
fn field_history_says_which_deals_it_cannot_place() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("OpportunityFieldHistory.csv");
    std::fs::write(
        &history,
        "OpportunityId,CreatedDate,Field,OldValue,NewValue\n\
         006A,2026-01-05T10:00:00.000+0000,created,,\n\
         006A,2026-01-09T10:00:00.000+0000,StageName,Prospecting,Qualification\n\
         006B,2026-01-06T10:00:00.000+0000,created,,\n\
         006C,2026-01-07T10:00:00.000+0000,StageName,Prospecting,Closed Lost\n\
         006C,2026-01-07T10:00:00.000+0000,Amount,100,0\n",
    )
    .unwrap();
    let history = history.display().to_string();
    let read = run(metrics(&["--history", &history, "--format", "json"]), 0);
    let json: serde_json::Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(json["input"]["deals"], 2);
    let left_out = json["input"]["left_out"].to_string();
    assert!(
        left_out.contains("1 deal in")
            && left_out.contains("no `created` row")
            && left_out.contains("never changed stage"),
        "{left_out}"
    );
    run(metrics(&["--history", &history, "--strict"]), 1);
    // A bad time is refused at its line in the file as given.
    std::fs::write(
        dir.path().join("bad.csv"),
        "OpportunityId,CreatedDate,Field,OldValue,NewValue\n006A,2026-01-05T10:00:00Z,created,,\n006A,yesterday,StageName,Prospecting,Qualification\n006A,2026-01-20T10:00:00Z,StageName,Qualification,Closed Won\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.csv").display().to_string();
    let refused = run(metrics(&["--history", &bad]), 2);
    assert!(
        text(&refused.stderr).contains(&format!("{bad}:3: column `CreatedDate`: `yesterday`"))
            && text(&refused.stderr).contains("--skip-bad-rows"),
        "{}",
        text(&refused.stderr)
    );
    // With --skip-bad-rows the row is left out, counted, and said where.
    let skipped = run(
        metrics(&["--history", &bad, "--skip-bad-rows", "--format", "json"]),
        0,
    );
    assert!(
        text(&skipped.stderr).contains(&format!(
            "warning: 1 time left out, unreadable (--skip-bad-rows); the first: {bad}:3"
        )),
        "{}",
        text(&skipped.stderr)
    );
}

#[test]
fn a_shape_forced_on_the_wrong_file_is_refused_with_the_way_out() {
    let deals = format!("{SOURCES}/hubspot-api-deals.json");
    let refused = run(
        metrics(&["--history", &deals, "--source", "pipedrive-api"]),
        2,
    );
    assert!(
        text(&refused.stderr).contains("no stage change in it reads as pipedrive-api"),
        "{}",
        text(&refused.stderr)
    );
    let history = format!("{SOURCES}/salesforce-report-us.csv");
    let refused = run(
        metrics(&["--history", &history, "--source", "hubspot-export"]),
        2,
    );
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("needs the `Date entered \"<stage> (<pipeline>)\"` columns")
            && stderr.contains("--source"),
        "{stderr}"
    );
    let refused = run(
        metrics(&[
            "--history",
            &history,
            "--source",
            "salesforce-field-history",
        ]),
        2,
    );
    assert!(
        text(&refused.stderr).contains("no column `OpportunityId` in the header"),
        "{}",
        text(&refused.stderr)
    );
}

#[test]
fn dates_that_could_be_either_way_round_are_refused_until_the_format_is_given() {
    let history = format!("{SOURCES}/ambiguous-dates.csv");
    let refused = run(metrics(&["--history", &history]), 2);
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains(
            "ambiguous-dates.csv: line 2: `05/01/2026 15:05` could be month/day or day/month"
        ) && stderr.contains("--date-format '%m/%d/%Y %H:%M'")
            && stderr.contains("--date-format '%d/%m/%Y %H:%M'"),
        "{stderr}"
    );
    let day_first = run(
        metrics(&[
            "--history",
            &history,
            "--date-format",
            "%d/%m/%Y %H:%M",
            "--format",
            "json",
        ]),
        0,
    );
    let json: serde_json::Value = serde_json::from_slice(&day_first.stdout).unwrap();
    assert_eq!(json["input"]["first_change"], "2026-01-05 15:05");
    assert_eq!(json["input"]["last_change"], "2026-02-03 09:15");
    let bad = run(
        metrics(&["--history", &history, "--date-format", "%H:%M"]),
        2,
    );
    assert!(text(&bad.stderr).contains("must hold a year (%Y), a month (%m) and a day (%d)"));
}

#[test]
fn input_tz_is_the_zone_of_the_file_and_tz_the_zone_of_the_report() {
    let history = format!("{SOURCES}/ambiguous-dates.csv");
    let output = run(
        metrics(&[
            "--history",
            &history,
            "--date-format",
            "%d/%m/%Y %H:%M",
            "--input-tz",
            "America/New_York",
            "--tz",
            "Europe/Berlin",
            "--format",
            "json",
        ]),
        0,
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // 15:05 in New York on 5 January is 21:05 in Berlin.
    assert_eq!(json["input"]["first_change"], "2026-01-05 21:05");
    assert_eq!(json["time_zone"], "Europe/Berlin");
}

#[test]
fn gzip_and_zstd_exports_are_read_as_they_are_and_a_cut_one_is_refused() {
    let plain = read_source("salesforce-field-history.csv", &[]);
    for compressed in [
        "salesforce-field-history.csv.gz",
        "salesforce-field-history.csv.zst",
    ] {
        assert_eq!(
            numbers(&plain),
            numbers(&read_source(compressed, &[])),
            "{compressed}"
        );
    }
    let gzip = std::fs::read(format!("{SOURCES}/salesforce-field-history.csv.gz")).unwrap();
    let piped = metrics(&["--history", "-", "--format", "json"])
        .stdin(gzip.clone())
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert_eq!(numbers(&plain), numbers(&piped));
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.csv.gz");
    std::fs::write(&cut, &gzip[..gzip.len() / 2]).unwrap();
    let cut = cut.display().to_string();
    let refused = run(metrics(&["--history", &cut]), 2);
    assert_eq!(
        text(&refused.stderr),
        format!(
            "error: {cut}: cannot read: the gzip file does not decompress (incomplete deflate stream); was the download cut short?\n"
        )
    );
}

/// A Salesforce report with one deal still open, stalled by the end of April.
const OPEN_REPORT: &str = "\"Opportunity Owner\",\"Opportunity Name\",\"Opportunity ID\",\"From Stage\",\"To Stage\",\"Amount\",\"Last Modified\"
\"Jane Doe\",\"Acme - 40 seats\",\"0065g00000AbCdE\",\"\",\"Prospecting\",\"12000\",\"1/20/2026 3:05 PM\"
\"Jane Doe\",\"Acme - 40 seats\",\"0065g00000AbCdE\",\"Prospecting\",\"Closed Won\",\"14000\",\"2/3/2026 9:15 AM\"
\"Li Wei\",\"Globex <renewal>\",\"0065g00000XyZwV\",\"\",\"Prospecting\",\"8000\",\"1/22/2026 11:00 AM\"
";

#[test]
fn stalled_deals_carry_their_name_owner_amount_and_link() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("report.csv");
    std::fs::write(&history, OPEN_REPORT).unwrap();
    let history = history.display().to_string();
    let url = "https://acme.my.salesforce.com/{id}";
    let json = run(
        metrics(&["--history", &history, "--format", "json", "--deal-url", url]),
        0,
    );
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let stalled = &json["stalled"][0];
    assert_eq!(stalled["deal"], "0065g00000XyZwVAAV");
    assert_eq!(stalled["name"], "Globex <renewal>");
    assert_eq!(stalled["owner"], "Li Wei");
    assert_eq!(stalled["amount"], "8000");
    assert_eq!(
        stalled["url"],
        "https://acme.my.salesforce.com/0065g00000XyZwVAAV"
    );
    let table = text(&run(metrics(&["--history", &history]), 0).stdout);
    assert!(
        table.contains("Deal                            Name   Owner  Amount")
            && table.contains("0065g00000XyZwVAAV  Globex <renewal>  Li Wei    8000"),
        "{table}"
    );
    let html = text(
        &run(
            metrics(&["--history", &history, "--format", "html", "--deal-url", url]),
            0,
        )
        .stdout,
    );
    assert!(
        html.contains(
            "<td><a href=\"https://acme.my.salesforce.com/0065g00000XyZwVAAV\">0065g00000XyZwVAAV</a></td><td>Globex &lt;renewal&gt;</td>"
        ),
        "{html}"
    );
    // A column the user names must be there.
    let refused = run(
        metrics(&["--history", &history, "--column", "owner=Account Owner"]),
        2,
    );
    assert!(
        text(&refused.stderr).contains("no column `Account Owner` in the header"),
        "{}",
        text(&refused.stderr)
    );
    // An export taken weeks after the last change: the range runs to it, and so do stalls.
    let later = run(
        metrics(&[
            "--history",
            &history,
            "--as-of",
            "2026-04-30",
            "--format",
            "json",
        ]),
        0,
    );
    let later: serde_json::Value = serde_json::from_slice(&later.stdout).unwrap();
    assert_eq!(later["total"]["to"], "2026-04-30");
    assert_eq!(later["stalled"][0]["deal"], "0065g00000XyZwVAAV");
    assert!(later["stalled"][0]["days"].as_f64().unwrap() > 98.0);
    let bad = run(
        metrics(&["--history", &history, "--deal-url", "acme/{id}"]),
        2,
    );
    assert!(text(&bad.stderr).contains("starts with https://"));
}

#[test]
fn the_deal_url_can_live_in_stagebook_toml_and_a_bad_one_is_pointed_at() {
    let dir = tempfile::tempdir().unwrap();
    let playbook = dir.path().join("saas.yaml");
    std::fs::copy(Path::new(FIXTURES).join("saas.yaml"), &playbook).unwrap();
    let history = dir.path().join("report.csv");
    std::fs::write(&history, OPEN_REPORT).unwrap();
    let config = dir.path().join("stagebook.toml");
    std::fs::write(
        &config,
        "[metrics]\ndeal-url = \"https://crm.example/deals/{id}\"\n",
    )
    .unwrap();
    let command = || {
        Command::new(snapbox::cmd::cargo_bin!("stagebook"))
            .arg("metrics")
            .arg(&playbook)
            .arg("--history")
            .arg(&history)
            .args(["--format", "json"])
    };
    let json = command().assert().code(0).get_output().stdout.clone();
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        json["stalled"][0]["url"],
        "https://crm.example/deals/0065g00000XyZwVAAV"
    );
    std::fs::write(&config, "[metrics]\ndeal-url = \"crm.example/deals\"\n").unwrap();
    let refused = command().assert().code(2).get_output().stderr.clone();
    let stderr = text(&refused);
    assert!(
        stderr
            .contains("`[metrics] deal-url` `crm.example/deals`: a deal URL starts with https://")
            && stderr.contains("stagebook.toml:2"),
        "{stderr}"
    );
}

#[test]
fn api_shapes_give_their_deals_names() {
    let dir = tempfile::tempdir().unwrap();
    let deals = dir.path().join("deals.json");
    std::fs::write(
        &deals,
        r#"{"results":[
            {"id":"77","properties":{"dealname":"Initech pilot","hubspot_owner_id":"4410213","amount":"5000","pipeline":"default"},"propertiesWithHistory":{"dealstage":[{"value":"Prospecting","timestamp":"2026-01-05T10:00:00Z"}]}},
            {"id":"78","properties":{"dealname":"Hooli","pipeline":"default"},"propertiesWithHistory":{"dealstage":[{"value":"Closed Won","timestamp":"2026-03-01T10:00:00Z"},{"value":"Prospecting","timestamp":"2026-02-20T10:00:00Z"}]}}
        ]}"#,
    )
    .unwrap();
    let deals = deals.display().to_string();
    let json = run(metrics(&["--history", &deals, "--format", "json"]), 0);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let stalled = &json["stalled"][0];
    assert_eq!(
        (&stalled["name"], &stalled["owner"], &stalled["amount"]),
        (
            &serde_json::json!("Initech pilot"),
            &serde_json::json!("4410213"),
            &serde_json::json!("5000")
        )
    );
}

#[test]
fn by_owner_gives_each_owner_their_funnel() {
    let report = read_source("salesforce-report-us.csv", &["--by", "owner"]);
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let by = &json["by"];
    assert_eq!(by["key"], "owner");
    let rows: Vec<(String, u64, u64, u64)> = by["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["value"].as_str().unwrap().to_owned(),
                g["deals"].as_u64().unwrap(),
                g["funnel"]["won"].as_u64().unwrap(),
                g["funnel"]["lost"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("Jane Doe".to_owned(), 1, 1, 0),
            ("Li Wei".to_owned(), 1, 0, 1)
        ]
    );
    let history = format!("{SOURCES}/salesforce-report-us.csv");
    let table = text(&run(metrics(&["--history", &history, "--by", "owner"]), 0).stdout);
    assert!(
        table.contains("By owner\nOwner     Deals  New  Won  Lost  Win rate  Cycle d  Stalled\nJane Doe      1    1    1     0    100.0%"),
        "{table}"
    );
    // A converted shape groups by the columns of the export itself.
    let hubspot = format!("{SOURCES}/hubspot-deals-export.csv");
    let json = run(
        metrics(&[
            "--history",
            &hubspot,
            "--pipeline",
            "Sales Pipeline",
            "--by",
            "Deal Stage",
            "--format",
            "json",
        ]),
        0,
    );
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let values: Vec<&str> = json["by"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["Closed Lost", "Closed Won"]);
    // A history without owners says how to name the column.
    let plain = format!("{SOURCES}/utf-8-bom.csv");
    let refused = run(metrics(&["--history", &plain, "--by", "owner"]), 2);
    assert!(
        text(&refused.stderr).contains("help: name it with --column owner=NAME"),
        "{}",
        text(&refused.stderr)
    );
}

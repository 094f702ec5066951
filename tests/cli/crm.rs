//! `crm export` and `crm diff` end to end: every generated file is compared with its golden
//! copy under `tests/expected/crm/`, validated offline against the hand-written schemas in
//! `tests/schemas/`, and read back by `crm diff`, which must find no drift.
//!
//! `STAGEBOOK_BLESS=1 cargo test` rewrites the golden files: read the change in the diff
//! before committing it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::common::{self, golden};

const TARGETS: [&str; 3] = ["salesforce", "hubspot", "pipedrive"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `stagebook ARGS` from the repository root, colours off, fixed width.
fn stagebook(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_stagebook"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("stagebook runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    )
}

/// Every file under `dir`, by path relative to it, as text.
fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    golden::read_tree(dir)
        .into_iter()
        .map(|(path, bytes)| (path, String::from_utf8(bytes).expect("UTF-8 output")))
        .collect()
}

/// The playbooks exported in the golden tests: the shipped ones and the CRM fixtures.
fn playbooks() -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    for (folder, prefix) in [
        ("playbooks", ""),
        ("tests/fixtures/crm", ""),
        ("tests/fixtures/crm/lint", "lint-"),
    ] {
        let Ok(entries) = fs::read_dir(root().join(folder)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let stem = path.file_stem().unwrap().to_string_lossy();
                let relative = path.strip_prefix(root()).unwrap().to_path_buf();
                found.push((format!("{prefix}{stem}"), relative));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn export_matches_golden_files_and_validates() {
    let mut failures = Vec::new();
    for (name, playbook) in playbooks() {
        for target in TARGETS {
            let out = tempfile::tempdir().unwrap();
            let out_arg = out.path().to_str().unwrap().to_string();
            let (code, stdout, stderr) = stagebook(&[
                "crm",
                "export",
                playbook.to_str().unwrap(),
                "--target",
                target,
                "--out",
                &out_arg,
            ]);
            assert!(stderr.is_empty(), "{name} {target}: {stderr}");
            let mut tree = read_tree(out.path());
            tree.insert(
                "_stdout.txt".into(),
                format!("exit code: {code}\n{}", stdout.replace(&out_arg, "OUT")),
            );
            validate(&name, target, out.path(), &tree, &mut failures);
            let bytes = tree
                .iter()
                .map(|(path, text)| (path.clone(), text.clone().into_bytes()))
                .collect();
            failures.extend(golden::check_tree(
                &root().join("tests/expected/crm").join(&name).join(target),
                &bytes,
            ));
            // Lint fixtures hold what a CRM cannot express, so they do not read back in sync.
            if code == 0 && !name.starts_with("lint-") {
                round_trip(&playbook, target, out.path(), &mut failures);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Validates every generated file against the hand-written schemas.
fn validate(
    name: &str,
    target: &str,
    out: &Path,
    tree: &BTreeMap<String, String>,
    failures: &mut Vec<String>,
) {
    let schema = |file: &str| -> jsonschema::Validator {
        let text = fs::read_to_string(root().join("tests/schemas").join(file)).unwrap();
        jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
    };
    for (path, text) in tree {
        // Several playbooks' files end in the playbook's id: `hubspot-pipeline-renewals.json`.
        let validator = match path.as_str() {
            p if p.starts_with("hubspot-pipeline") => schema("hubspot-pipeline-input.json"),
            p if p.starts_with("pipedrive-pipeline") => schema("pipedrive-pipeline-v2.json"),
            p if p.starts_with("pipedrive-stages") => schema("pipedrive-stages-v2.json"),
            _ => continue,
        };
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        for error in validator.iter_errors(&value) {
            failures.push(format!(
                "{name} {target} {path}: {error} at {}",
                error.instance_path()
            ));
        }
    }
    let xml: Vec<PathBuf> = tree
        .keys()
        .filter(|p| {
            [".xml", ".pathAssistant", ".standardValueSet"]
                .iter()
                .any(|suffix| p.ends_with(suffix))
        })
        .map(|p| out.join(p))
        .collect();
    if xml.is_empty() {
        return;
    }
    let Ok(output) = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(root().join("tests/schemas/sfdc-metadata-subset.xsd"))
        .args(&xml)
        .output()
    else {
        eprintln!("xmllint not found: the XML schema check is left to .ci/checks/50-crm-xml.sh");
        return;
    };
    if !output.status.success() {
        failures.push(format!(
            "{name} {target}: xmllint rejects the metadata:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
}

/// What was just exported, read back as if retrieved from the CRM, agrees with the playbook.
fn round_trip(playbook: &Path, target: &str, out: &Path, failures: &mut Vec<String>) {
    let source = match target {
        "salesforce" => out.to_path_buf(),
        "hubspot" => out.join("hubspot-pipeline.json"),
        _ => out.join("pipedrive-stages.json"),
    };
    let (code, stdout, stderr) = stagebook(&[
        "crm",
        "diff",
        playbook.to_str().unwrap(),
        "--target",
        target,
        source.to_str().unwrap(),
    ]);
    if code != 0 {
        failures.push(format!(
            "{} {target}: the export does not read back as in sync (exit {code}):\n{stdout}{stderr}",
            playbook.display()
        ));
    }
}

/// `crm diff` cases: name, arguments, expected exit code.
const DIFF_CASES: &[(&str, &[&str], i32)] = &[
    (
        "salesforce-drift",
        &[
            "tests/fixtures/crm/b2b-saas.yaml",
            "--target",
            "salesforce",
            "tests/fixtures/crm/retrieved/salesforce-drift",
        ],
        1,
    ),
    (
        "salesforce-in-sync",
        &[
            "tests/fixtures/crm/b2b-saas.yaml",
            "--target",
            "salesforce",
            "tests/expected/crm/b2b-saas/salesforce",
        ],
        0,
    ),
    (
        "hubspot-drift",
        &[
            "tests/fixtures/crm/b2b-saas.yaml",
            "--target",
            "hubspot",
            "tests/fixtures/crm/retrieved/hubspot-drift.json",
        ],
        1,
    ),
    (
        "hubspot-drift-markdown",
        &[
            "tests/fixtures/crm/b2b-saas.yaml",
            "--target",
            "hubspot",
            "tests/fixtures/crm/retrieved/hubspot-drift.json",
            "--format",
            "markdown",
        ],
        1,
    ),
    (
        "pipedrive-drift",
        &[
            "tests/fixtures/crm/b2b-saas.yaml",
            "--target",
            "pipedrive",
            "tests/fixtures/crm/retrieved/pipedrive-drift.json",
        ],
        1,
    ),
    (
        "pipedrive-drift-json",
        &[
            "tests/fixtures/crm/b2b-saas.yaml",
            "--target",
            "pipedrive",
            "tests/fixtures/crm/retrieved/pipedrive-drift.json",
            "--format",
            "json",
        ],
        1,
    ),
    (
        "zh-salesforce-drift",
        &[
            "tests/fixtures/crm/zh-cn.yaml",
            "--target",
            "salesforce",
            "tests/fixtures/crm/retrieved/zh-salesforce-drift",
        ],
        1,
    ),
    (
        "zh-salesforce-drift-json",
        &[
            "tests/fixtures/crm/zh-cn.yaml",
            "--target",
            "salesforce",
            "tests/fixtures/crm/retrieved/zh-salesforce-drift",
            "--format",
            "json",
        ],
        1,
    ),
    (
        "hubspot-unknown-pipeline",
        &[
            "tests/fixtures/crm/zh-cn.yaml",
            "--target",
            "hubspot",
            "tests/fixtures/crm/retrieved/hubspot-drift.json",
        ],
        2,
    ),
    (
        "salesforce-nothing-retrieved",
        &[
            "tests/fixtures/crm/b2b-saas.yaml",
            "--target",
            "salesforce",
            "tests/fixtures/crm/lint",
        ],
        2,
    ),
    (
        "broken-playbook",
        &[
            "tests/fixtures/crm/broken/no-stage-name.yaml",
            "--target",
            "hubspot",
            "tests/fixtures/crm/retrieved/hubspot-drift.json",
        ],
        2,
    ),
];

#[test]
fn diff_reports_each_kind_of_drift() {
    let mut failures = Vec::new();
    for (name, args, want) in DIFF_CASES {
        let mut full = vec!["crm", "diff"];
        full.extend_from_slice(args);
        let (code, stdout, stderr) = stagebook(&full);
        if code != *want {
            failures.push(format!(
                "{name}: exit {code}, expected {want}\n{stdout}{stderr}"
            ));
        }
        let text = format!("exit code: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}");
        let expected = root().join(format!("tests/expected/crm/diff/{name}.txt"));
        failures.extend(golden::check_file(&expected, text.as_bytes()));
    }
    golden::assert_clean(&failures);
}

/// A small playbook whose stages a generated CRM response holds (as `A`, `B`, `Won`).
const SMALL: &str = "stagebook: 1\nplaybook:\n  id: t\n  name: Test pipeline\nstages:\n  - id: a\n    name: A\n    probability: 10\n  - id: b\n    name: B\n    probability: 40\n  - id: won\n    name: Won\n    terminal: won\n";

/// A HubSpot pipelines response of about `mb` MB: the playbook's pipeline beside a big one
/// of another team, which `crm diff` must read through but not keep as a JSON tree.
fn big_hubspot_response(mb: usize) -> String {
    let mut text = String::from(r#"{"results":[{"id":"999","label":"Old pipeline","stages":["#);
    let mut i = 0;
    while text.len() < mb * 1_000_000 {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(
            text,
            r#"{{"id":"s{i}","label":"Stage {i} of another team's pipeline","displayOrder":{i},"archived":false,"metadata":{{"isClosed":"false","probability":"0.2"}}}}"#
        );
        i += 1;
    }
    text.push_str(r#"]},{"id":"1","label":"Test pipeline","stages":[{"id":"a","label":"A","displayOrder":0,"metadata":{"isClosed":"false","probability":"0.1"}},{"id":"b","label":"B","displayOrder":1,"metadata":{"isClosed":"false","probability":"0.4"}},{"id":"won","label":"Won","displayOrder":2,"metadata":{"isClosed":"true","probability":"1.0"}}]}]}"#);
    text
}

/// A Pipedrive stages response of about `mb` MB: the playbook's two open stages after many
/// deleted ones.
fn big_pipedrive_response(mb: usize) -> String {
    let mut text = String::from(r#"{"success":true,"data":["#);
    let mut i = 0;
    while text.len() < mb * 1_000_000 {
        let _ = write!(
            text,
            r#"{{"id":{i},"name":"Deleted stage {i} of an old pipeline","order_nr":{i},"pipeline_id":1,"deal_probability":20,"is_deleted":true,"add_time":"2024-01-01 00:00:00"}},"#
        );
        i += 1;
    }
    text.push_str(r#"{"id":"a1","name":"A","order_nr":1,"pipeline_id":1,"deal_probability":10},{"id":"b1","name":"B","order_nr":2,"pipeline_id":1,"deal_probability":40}]}"#);
    text
}

#[test]
fn diff_reads_big_json_responses_in_memory_near_their_size() {
    let dir = tempfile::tempdir().unwrap();
    let playbook = dir.path().join("playbook.yaml");
    fs::write(&playbook, SMALL).unwrap();
    for (target, response) in [
        ("hubspot", big_hubspot_response(20)),
        ("pipedrive", big_pipedrive_response(20)),
    ] {
        let source = dir.path().join(format!("{target}.json"));
        fs::write(&source, &response).unwrap();
        let run = common::run_bounded(
            &[
                "crm",
                "diff",
                playbook.to_str().unwrap(),
                "--target",
                target,
                source.to_str().unwrap(),
            ],
            Duration::from_mins(2),
        );
        assert_eq!(run.code, Some(0), "{target}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("agree"), "{target}: {}", run.stdout);
        // Peak memory at most 4× the input (a JSON tree took ~20× here, ~170× on others).
        if let Some(kib) = run.max_rss_kib {
            let input_kib = u64::try_from(response.len()).unwrap() / 1024;
            assert!(
                kib <= 4 * input_kib,
                "{target}: peak memory {kib} KiB for a {input_kib} KiB response"
            );
        }
    }
}

#[test]
fn diff_of_an_error_body_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let playbook = dir.path().join("playbook.yaml");
    fs::write(&playbook, SMALL).unwrap();
    for (target, body, said) in [
        (
            "hubspot",
            r#"{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}"#,
            "HubSpot answered with an error, not pipelines: Authentication credentials not found.",
        ),
        (
            "pipedrive",
            r#"{"success":false,"error":"unauthorized access","errorCode":401}"#,
            "Pipedrive answered with an error, not stages: unauthorized access",
        ),
        (
            "hubspot",
            r#"{"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT","correlationId":"c8a2"}"#,
            "HubSpot answered with an error, not pipelines: You have reached your secondly limit.",
        ),
        // The wrong object: a tickets pipeline (`GET /crm/v3/pipelines/tickets`).
        (
            "hubspot",
            r#"{"results":[{"label":"Support Pipeline","displayOrder":0,"id":"0","archived":false,"stages":[{"label":"New","displayOrder":0,"metadata":{"ticketState":"OPEN"},"id":"1","archived":false},{"label":"Closed","displayOrder":3,"metadata":{"ticketState":"CLOSED"},"id":"4","archived":false}]}]}"#,
            "the response holds tickets pipelines",
        ),
        ("hubspot", r#"{"results":[]}"#, "(it has none)"),
        // Empty results, the pipelines list instead of the stages, and persons.
        (
            "pipedrive",
            r#"{"success":true,"data":[],"additional_data":{"next_cursor":null}}"#,
            "the response holds no stage",
        ),
        (
            "pipedrive",
            r#"{"success":true,"data":[{"id":1,"name":"Sales","url_title":"sales","order_nr":1,"active":true,"deal_probability":true}]}"#,
            "this is a pipelines response",
        ),
        (
            "pipedrive",
            r#"{"success":true,"data":[{"id":1,"name":"Ana Silva","org_id":null,"owner_id":1}]}"#,
            "`Ana Silva` is not a stage",
        ),
    ] {
        let source = dir.path().join(format!("{target}-401.json"));
        fs::write(&source, body).unwrap();
        let (code, stdout, stderr) = stagebook(&[
            "crm",
            "diff",
            playbook.to_str().unwrap(),
            "--target",
            target,
            source.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{target}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "{target}: {stdout}");
        assert!(stderr.contains(said), "{target}: {stderr}");
    }
}

#[test]
fn diff_refuses_a_response_over_the_cap_before_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let playbook = dir.path().join("playbook.yaml");
    fs::write(&playbook, SMALL).unwrap();
    let source = dir.path().join("huge.json");
    // A sparse file: 65 MiB on paper, nothing on disk.
    fs::File::create(&source)
        .unwrap()
        .set_len(65 * 1024 * 1024)
        .unwrap();
    let (code, stdout, stderr) = stagebook(&[
        "crm",
        "diff",
        playbook.to_str().unwrap(),
        "--target",
        "hubspot",
        source.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("the file is larger than the 64 MiB stagebook reads from a CRM"),
        "{stderr}"
    );
}

/// A retrieved file cut short (a download that stopped) says it is truncated, with its name
/// and a help line, for each reader; an empty one says it is empty. The readers' own syntax
/// errors ("EOF while parsing", "tag not closed") are not what a user needs to read.
#[test]
fn diff_of_a_truncated_file_says_it_ends_early() {
    let retrieved = root().join("tests/fixtures/crm/retrieved");
    let dir = tempfile::tempdir().unwrap();
    let playbook = root().join("tests/fixtures/crm/b2b-saas.yaml");
    let salesforce = fs::read(retrieved.join(
        "salesforce-drift/force-app/main/default/standardValueSets/OpportunityStage.standardValueSet-meta.xml",
    ))
    .unwrap();
    let hubspot = fs::read(retrieved.join("hubspot-drift.json")).unwrap();
    let pipedrive = fs::read(retrieved.join("pipedrive-drift.json")).unwrap();
    for (target, whole, name) in [
        (
            "salesforce",
            &salesforce,
            "OpportunityStage.standardValueSet-meta.xml",
        ),
        ("hubspot", &hubspot, "hubspot.json"),
        ("pipedrive", &pipedrive, "pipedrive.json"),
    ] {
        for cut in [whole.len() / 3, whole.len() / 2, whole.len() - 2, 0] {
            let source = dir.path().join(name);
            fs::write(&source, &whole[..cut]).unwrap();
            let (code, stdout, stderr) = stagebook(&[
                "crm",
                "diff",
                playbook.to_str().unwrap(),
                "--target",
                target,
                source.to_str().unwrap(),
            ]);
            assert_eq!(code, 2, "{target} cut at {cut}: {stdout}{stderr}");
            assert!(stderr.contains(name), "{target} cut at {cut}: {stderr}");
            let said = if cut == 0 {
                "the file is empty"
            } else {
                "the file ends early"
            };
            assert!(stderr.contains(said), "{target} cut at {cut}: {stderr}");
            assert!(
                stderr.contains("\n  help: retrieve it again"),
                "{target}: {stderr}"
            );
        }
        // A whole file still reads.
        let source = dir.path().join(name);
        fs::write(&source, whole).unwrap();
        let (code, _, stderr) = stagebook(&[
            "crm",
            "diff",
            playbook.to_str().unwrap(),
            "--target",
            target,
            source.to_str().unwrap(),
        ]);
        assert_eq!(code, 1, "{target}: {stderr}");
    }
}

// ---------------------------------------------------------------------------------------------
// A live Salesforce org: `crm plan` and `crm export --merge-with`

const LIVE_ORG: &str = "tests/fixtures/crm/retrieved/salesforce-live-org";
const LIVE_SET: &str =
    "force-app/main/default/standardValueSets/OpportunityStage.standardValueSet-meta.xml";

/// The `<standardValue>` element of `name` in a value set document.
fn value_element<'t>(set: &'t str, name: &str) -> &'t str {
    let start = set
        .find(&format!("<fullName>{name}</fullName>"))
        .unwrap_or_else(|| panic!("no value `{name}`"));
    let end = start + set[start..].find("</standardValue>").unwrap();
    &set[start..end]
}

#[test]
fn plan_lists_what_deploying_changes_and_keeps_every_other_value() {
    let (code, stdout, stderr) = stagebook(&[
        "crm",
        "plan",
        "playbooks/midmarket-saas.yaml",
        "--target",
        "salesforce",
        LIVE_ORG,
    ]);
    assert_eq!(code, 1, "changes: exit 1\n{stderr}");
    assert_eq!(
        stdout,
        format!(
            "Deploying the playbook into Salesforce as retrieved in {LIVE_ORG}:
  update `Qualification`: probability 10 → 20
  update `Value Proposition`: probability 50 → 40
  update `Proposal/Price Quote`: forecast category Pipeline → BestCase, probability 75 → 70
  update `Negotiation/Review`: forecast category Pipeline → Forecast
  update the Sales Path `Opportunity_Path` (record type __MASTER__) with the playbook's steps
kept as they are: 2 values the playbook lists as another CRM name of a stage (`Needs Analysis`, `Perception Analysis`)
kept as they are: 2 active values the playbook does not name (`Renewal - Outreach`, `Renewal - Quote`); add --deactivate-missing to deactivate them
note: `crm export` without --merge-with writes only the playbook's values, and deploying that would deactivate 4 values in every sales process: `Needs Analysis`, `Perception Analysis`, `Renewal - Outreach`, `Renewal - Quote`
"
        )
    );
    let (code, json, _) = stagebook(&[
        "crm",
        "plan",
        "playbooks/midmarket-saas.yaml",
        "--target",
        "salesforce",
        LIVE_ORG,
        "--format",
        "json",
        "--deactivate-missing",
    ]);
    assert_eq!(code, 1);
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let deactivated: Vec<&str> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] == "deactivate")
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        deactivated,
        ["Renewal - Outreach", "Renewal - Quote"],
        "another CRM name of a stage is never deactivated"
    );
}

#[test]
fn a_merged_export_keeps_the_org_and_plans_no_change_on_top_of_itself() {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_str().unwrap();
    let (code, stdout, stderr) = stagebook(&[
        "crm",
        "export",
        "playbooks/midmarket-saas.yaml",
        "--target",
        "salesforce",
        "--out",
        out_dir,
        "--merge-with",
        LIVE_ORG,
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains("for a new org only"), "{stdout}");
    let org = fs::read_to_string(root().join(LIVE_ORG).join(LIVE_SET)).unwrap();
    let merged = fs::read_to_string(
        out.path()
            .join("standardValueSets/OpportunityStage.standardValueSet-meta.xml"),
    )
    .unwrap();
    // Every value of the org is still there, in the org's order.
    let names = |set: &str| -> Vec<String> {
        set.match_indices("<fullName>")
            .map(|(i, _)| set[i + 10..i + set[i..].find("</fullName>").unwrap()].to_owned())
            .collect()
    };
    assert_eq!(names(&merged), names(&org));
    // What the playbook does not name is kept element for element, inactive values stay
    // inactive, descriptions and the org's default stay.
    for name in [
        "Renewal - Quote",
        "Discovery (retired 2024)",
        "Needs Analysis",
    ] {
        assert_eq!(
            value_element(&merged, name)
                .split_whitespace()
                .collect::<Vec<_>>(),
            value_element(&org, name)
                .split_whitespace()
                .collect::<Vec<_>>(),
            "{name}"
        );
    }
    let prospecting = value_element(&merged, "Prospecting");
    assert!(prospecting.contains("<default>true</default>"));
    assert!(
        prospecting.contains(
            "<description>Early contact; the default of new opportunities.</description>"
        )
    );
    assert!(
        value_element(&merged, "Proposal/Price Quote").contains("<probability>70</probability>")
    );
    // The org's path is updated, not a second one added.
    assert!(
        out.path()
            .join("pathAssistants/Opportunity_Path.pathAssistant-meta.xml")
            .is_file()
    );
    assert!(
        fs::read_to_string(out.path().join("package.xml"))
            .unwrap()
            .contains("<members>Opportunity_Path</members>")
    );
    // Deployed, then retrieved again: nothing left to change.
    let (code, stdout, _) = stagebook(&[
        "crm",
        "plan",
        "playbooks/midmarket-saas.yaml",
        "--target",
        "salesforce",
        out_dir,
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("\n  update `"), "{stdout}");
}

#[test]
fn a_stage_the_org_lacks_is_added_after_the_stage_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(root().join("playbooks/midmarket-saas.yaml"))
        .unwrap()
        .replacen(
            "  - id: negotiation\n",
            "  - id: security-review\n    name: Security review\n    probability: 80\n    next: negotiation\n  - id: negotiation\n",
            1,
        )
        .replacen("next: [negotiation, lost]", "next: [security-review, lost]", 1);
    let playbook = dir.path().join("playbook.yaml");
    fs::write(&playbook, text).unwrap();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = stagebook(&[
        "crm",
        "export",
        playbook.to_str().unwrap(),
        "--target",
        "salesforce",
        "--out",
        out.to_str().unwrap(),
        "--merge-with",
        LIVE_ORG,
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("  add value `Security review` (open, 80 %, Pipeline)"),
        "{stdout}"
    );
    let merged = fs::read_to_string(
        out.join("standardValueSets/OpportunityStage.standardValueSet-meta.xml"),
    )
    .unwrap();
    let at = |name: &str| {
        merged
            .find(&format!("<fullName>{name}</fullName>"))
            .unwrap()
    };
    assert!(at("Proposal/Price Quote") < at("Security review"));
    assert!(at("Security review") < at("Negotiation/Review"));
    assert!(value_element(&merged, "Security review").contains("<default>false</default>"));
}

#[test]
fn plan_refuses_what_it_cannot_read() {
    let (code, _, stderr) = stagebook(&[
        "crm",
        "plan",
        "playbooks/midmarket-saas.yaml",
        "--target",
        "hubspot",
        "tests/fixtures/crm/retrieved/hubspot-drift.json",
    ]);
    // A response without the playbook's pipeline is no plan.
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no pipeline called `Mid-market SaaS — New Business` in the response")
            && stderr.contains("set `crm.hubspot.pipeline_id`"),
        "{stderr}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("OpportunityStage.standardValueSet-meta.xml");
    fs::write(
        &path,
        "{\"status\": \"error\", \"message\": \"INVALID_SESSION_ID\"}",
    )
    .unwrap();
    let (code, _, stderr) = stagebook(&[
        "crm",
        "plan",
        "playbooks/midmarket-saas.yaml",
        "--target",
        "salesforce",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("not a Salesforce OpportunityStage value set"),
        "{stderr}"
    );
}

#[test]
fn diff_compares_forecast_categories_and_knows_the_other_crm_names_of_a_stage() {
    let (code, stdout, _) = stagebook(&[
        "crm",
        "diff",
        "playbooks/midmarket-saas.yaml",
        "--target",
        "salesforce",
        LIVE_ORG,
    ]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("forecast    `Negotiation/Review` (stage `negotiation`) counts in the forecast category `Forecast` in the playbook, `Pipeline` in Salesforce"),
        "{stdout}"
    );
    // `Needs Analysis` is the second of the discovery stage's `crm_names`: not extra.
    assert!(!stdout.contains("`Needs Analysis`"), "{stdout}");
    assert!(stdout.contains("extra       `Renewal - Quote`"), "{stdout}");
}

#[test]
fn diff_reads_a_byte_order_mark_and_refuses_two_candidate_files() {
    let dir = tempfile::tempdir().unwrap();
    let source = root().join("tests/fixtures/crm/retrieved/hubspot-drift.json");
    let with_bom = dir.path().join("pipelines.json");
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(fs::read(&source).unwrap());
    fs::write(&with_bom, bytes).unwrap();
    let playbook = "tests/fixtures/crm/b2b-saas.yaml";
    let relative = "tests/fixtures/crm/retrieved/hubspot-drift.json";
    let plain = stagebook(&["crm", "diff", playbook, "--target", "hubspot", relative]);
    let bom = stagebook(&[
        "crm",
        "diff",
        playbook,
        "--target",
        "hubspot",
        with_bom.to_str().unwrap(),
    ]);
    assert_eq!(plain.0, bom.0, "{}{}", bom.1, bom.2);
    assert_eq!(
        plain.1.replace(relative, "X"),
        bom.1.replace(with_bom.to_str().unwrap(), "X")
    );

    let set = root().join(LIVE_ORG).join(LIVE_SET);
    for copy in ["a", "b"] {
        fs::create_dir_all(dir.path().join(copy)).unwrap();
        fs::copy(
            &set,
            dir.path()
                .join(copy)
                .join("OpportunityStage.standardValueSet-meta.xml"),
        )
        .unwrap();
    }
    let (code, _, stderr) = stagebook(&[
        "crm",
        "diff",
        "playbooks/midmarket-saas.yaml",
        "--target",
        "salesforce",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("2 OpportunityStage value sets in this folder"),
        "{stderr}"
    );
    assert!(
        stderr.contains("pass the one to use as the path"),
        "{stderr}"
    );
}

#[test]
fn export_refuses_a_folder_holding_another_playbooks_export() {
    for target in TARGETS {
        let out = tempfile::tempdir().unwrap();
        let out_dir = out.path().to_str().unwrap();
        let export = |playbook: &str| {
            stagebook(&[
                "crm", "export", playbook, "--target", target, "--out", out_dir,
            ])
        };
        assert_eq!(export("playbooks/midmarket-saas.yaml").0, 0);
        let before = read_tree(out.path());
        assert_eq!(
            export("playbooks/midmarket-saas.yaml").0,
            0,
            "its own export is replaced"
        );
        let (code, _, stderr) = export("tests/fixtures/crm/b2b-saas.yaml");
        assert_eq!(code, 2, "{target}: {stderr}");
        assert!(
            stderr.contains("already holds the export of another playbook"),
            "{stderr}"
        );
        assert_eq!(
            read_tree(out.path()),
            before,
            "{target}: nothing was replaced"
        );
    }
}

#[test]
fn hubspot_and_pipedrive_plans_update_stages_by_id_and_never_delete() {
    let plan = |target: &str, format: &str| {
        stagebook(&[
            "crm",
            "plan",
            "tests/fixtures/crm/b2b-saas.yaml",
            "--target",
            target,
            &format!("tests/fixtures/crm/retrieved/{target}-drift.json"),
            "--format",
            format,
        ])
    };
    let (code, hubspot, _) = plan("hubspot", "human");
    assert_eq!(code, 1);
    assert_eq!(
        hubspot,
        "Deploying the playbook into HubSpot as retrieved in tests/fixtures/crm/retrieved/hubspot-drift.json:
  update `Qualified`: label Qualified → Qualified To Buy, probability 30% → 20%
  add stage `Presentation Scheduled` (a new stage)
  update `Closed Lost`: closed flag open → closing
note: deploy stage by stage: PATCH /crm/v3/pipelines/deals/{pipelineId}/stages/{stageId} for a change, POST …/stages for a new stage (`crm export --merge-with` writes those calls); the stage ids keep deals where they are
note: a PUT of the whole `hubspot-pipeline.json` replaces the pipeline and deletes the 1 stage it leaves out (`Decision Maker Bought-In`); if you must, add ?validateDealStageUsagesBeforeDelete=true so HubSpot refuses while deals sit in them
kept as they are: 1 stage the playbook does not name (`Decision Maker Bought-In`)
"
    );
    let (code, json, _) = plan("pipedrive", "json");
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        json["changes"],
        serde_json::json!([
            {"action": "update", "value": "Qualified To Buy", "fields": [{"field": "probability", "from": "25%", "to": "20%"}]},
            {"action": "update", "value": "Presentation Scheduled", "fields": [{"field": "position", "from": "step 2", "to": "step 3"}]},
            {"action": "update", "value": "Negotiation", "fields": [{"field": "label", "from": "Negotiation", "to": "Contract Sent"}]}
        ])
    );
    assert_eq!(json["kept"], serde_json::json!(["On hold"]));
    let (_, markdown, _) = plan("pipedrive", "markdown");
    assert!(
        markdown.starts_with("### Pipedrive: what deploying changes in `tests/fixtures/crm/retrieved/pipedrive-drift.json`"),
        "{markdown}"
    );
    // Deleting is not a plan's to offer.
    let (code, _, stderr) = stagebook(&[
        "crm",
        "plan",
        "tests/fixtures/crm/b2b-saas.yaml",
        "--target",
        "hubspot",
        "tests/fixtures/crm/retrieved/hubspot-drift.json",
        "--deactivate-missing",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("never deletes a stage"), "{stderr}");
}

#[test]
fn merge_with_a_live_pipeline_writes_stage_calls_that_delete_nothing() {
    let schema = |file: &str| -> jsonschema::Validator {
        let text = fs::read_to_string(root().join("tests/schemas").join(file)).unwrap();
        jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
    };
    for target in ["hubspot", "pipedrive"] {
        let out = tempfile::tempdir().unwrap();
        let out_dir = out.path().display().to_string();
        let (code, stdout, stderr) = stagebook(&[
            "crm",
            "export",
            "tests/fixtures/crm/b2b-saas.yaml",
            "--target",
            target,
            "--merge-with",
            &format!("tests/fixtures/crm/retrieved/{target}-drift.json"),
            "--out",
            &out_dir,
        ]);
        assert_eq!(code, 0, "{stdout}{stderr}");
        assert!(stdout.contains("nothing is deleted"), "{stdout}");
        let file = out.path().join(format!("{target}-stage-calls.json"));
        let calls: Vec<serde_json::Value> =
            serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
        let summary: Vec<(String, String)> = calls
            .iter()
            .map(|c| {
                (
                    c["method"].as_str().unwrap().to_owned(),
                    c["path"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let expected: &[(&str, &str)] = if target == "hubspot" {
            &[
                (
                    "PATCH",
                    "/crm/v3/pipelines/deals/default/stages/qualifiedtobuy",
                ),
                ("POST", "/crm/v3/pipelines/deals/default/stages"),
                ("PATCH", "/crm/v3/pipelines/deals/default/stages/closedlost"),
            ]
        } else {
            &[
                ("PATCH", "/api/v2/stages/33"),
                ("PATCH", "/api/v2/stages/32"),
                ("PATCH", "/api/v2/stages/34"),
            ]
        };
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        assert_eq!(summary, expected, "{target}");
        // Each body is what the vendor's stage API takes.
        for call in &calls {
            let body = &call["body"];
            let (validator, value) = if target == "hubspot" {
                (
                    schema("hubspot-pipeline-input.json"),
                    serde_json::json!({"label": "p", "displayOrder": 0, "stages": [body]}),
                )
            } else {
                (
                    schema("pipedrive-stages-v2.json"),
                    serde_json::json!([body]),
                )
            };
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{target} {call}: {errors:?}");
        }
        if target == "pipedrive" {
            assert!(
                stdout.contains("drag `Presentation Scheduled` into place"),
                "{stdout}"
            );
        }
    }
}

/// A random org's `OpportunityStage` value set: some of the playbook's stage names, some of
/// the org's own, with random probabilities, flags and active states.
fn org_value_set(values: &[(String, u8, u8, bool)]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<StandardValueSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <sorted>false</sorted>\n",
    );
    for (i, (name, probability, kind, active)) in values.iter().enumerate() {
        let (closed, won, forecast) = match kind {
            0 => (false, false, "Pipeline"),
            1 => (true, true, "Closed"),
            _ => (true, false, "Omitted"),
        };
        let probability = match kind {
            1 => 100,
            2 => 0,
            _ => *probability,
        };
        let _ = write!(
            xml,
            "    <standardValue>\n        <fullName>{name}</fullName>\n        <default>{}</default>\n        <label>{name}</label>\n        <closed>{closed}</closed>\n        <forecastCategory>{forecast}</forecastCategory>\n        <probability>{probability}</probability>\n        <reviewed>false</reviewed>\n        <won>{won}</won>\n{}    </standardValue>\n",
            i == 0,
            if *active {
                ""
            } else {
                "        <isActive>false</isActive>\n"
            }
        );
    }
    xml.push_str("</StandardValueSet>\n");
    xml
}

/// The API names and active flags of a value set file.
fn values_of(file: &Path) -> Vec<(String, bool)> {
    let text = fs::read_to_string(file).unwrap();
    text.split("<standardValue>")
        .skip(1)
        .map(|value| {
            let name = value
                .split("<fullName>")
                .nth(1)
                .and_then(|rest| rest.split("</fullName>").next())
                .unwrap()
                .to_owned();
            (name, !value.contains("<isActive>false</isActive>"))
        })
        .collect()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    /// Exporting with `--merge-with` an org, then planning against what was written, finds
    /// nothing left to change; every value of the org is kept, and none is deactivated.
    #[test]
    fn a_merged_export_keeps_the_org_and_leaves_nothing_to_plan(
        picks in proptest::collection::vec(
            (0usize..12, 0u8..=20, 0u8..3, proptest::bool::ANY),
            1..10,
        )
    ) {
        // Half the names are the playbook's CRM names, half the org's own.
        const NAMES: [&str; 12] = [
            "Prospecting", "Qualification", "Value Proposition", "Proposal/Price Quote",
            "Negotiation/Review", "Closed Won", "Renewal - Quote", "Legacy Stage",
            "On Hold", "Closed Lost", "Partner Review", "Needs Analysis",
        ];
        let mut seen = std::collections::HashSet::new();
        let values: Vec<(String, u8, u8, bool)> = picks
            .into_iter()
            .filter(|(n, ..)| seen.insert(*n))
            .map(|(n, p, kind, active)| (NAMES[n].to_owned(), p * 5, kind, active))
            .collect();
        let org = tempfile::tempdir().unwrap();
        let set = org.path().join("standardValueSets");
        fs::create_dir_all(&set).unwrap();
        let org_file = set.join("OpportunityStage.standardValueSet-meta.xml");
        fs::write(&org_file, org_value_set(&values)).unwrap();
        let out = tempfile::tempdir().unwrap();
        let (org_dir, out_dir) = (org.path().display().to_string(), out.path().display().to_string());
        let (code, stdout, stderr) = stagebook(&[
            "crm", "export", "playbooks/midmarket-saas.yaml", "--target", "salesforce",
            "--merge-with", &org_dir, "--out", &out_dir,
        ]);
        proptest::prop_assert_eq!(code, 0, "{}{}", stdout, stderr);
        let merged = values_of(&out.path().join("standardValueSets/OpportunityStage.standardValueSet-meta.xml"));
        let before = values_of(&org_file);
        for (name, active) in &before {
            let after = merged.iter().find(|(n, _)| n == name);
            proptest::prop_assert!(after.is_some(), "{} was dropped", name);
            // Active stays active; an inactive value the playbook uses may come back.
            proptest::prop_assert!(!active || after.unwrap().1, "{} was deactivated", name);
        }
        let (code, plan, stderr) = stagebook(&[
            "crm", "plan", "playbooks/midmarket-saas.yaml", "--target", "salesforce", &out_dir,
        ]);
        proptest::prop_assert_eq!(code, 0, "{}{}", plan, stderr);
    }
}

#[test]
fn a_named_sales_process_gets_the_playbooks_new_values() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(root().join("playbooks/midmarket-saas.yaml")).unwrap();
    let named = |process: &str| {
        text.replacen(
            "  cycle_target: 8w\n",
            &format!(
                "  cycle_target: 8w\n  crm:\n    salesforce:\n      sales_process: {process}\n"
            ),
            1,
        )
    };
    let playbook = dir.path().join("new-business.yaml");
    fs::write(&playbook, named("New Business")).unwrap();
    let playbook = playbook.display().to_string();
    let out = dir.path().join("out");
    let out_dir = out.display().to_string();
    let (code, stdout, stderr) = stagebook(&[
        "crm",
        "export",
        &playbook,
        "--target",
        "salesforce",
        "--merge-with",
        LIVE_ORG,
        "--out",
        &out_dir,
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(
            "add 2 values to the sales process `New Business`: `Id. Decision Makers`, `Negotiation/Review`"
        ),
        "{stdout}"
    );
    let process = fs::read_to_string(
        out.join("objects/Opportunity/businessProcesses/New Business.businessProcess-meta.xml"),
    )
    .unwrap();
    let retrieved = fs::read_to_string(
        Path::new(LIVE_ORG).join(
            "force-app/main/default/objects/Opportunity/businessProcesses/New Business.businessProcess-meta.xml",
        ),
    )
    .unwrap();
    // Everything the org had, as it was, and the two values before the end.
    let end = retrieved.rfind("</BusinessProcess>").unwrap();
    assert!(process.starts_with(&retrieved[..end]), "{process}");
    assert!(process.ends_with(
        "    <values>\n        <fullName>Id. Decision Makers</fullName>\n        <default>false</default>\n    </values>\n    <values>\n        <fullName>Negotiation%2FReview</fullName>\n        <default>false</default>\n    </values>\n</BusinessProcess>\n"
    ));
    let package = fs::read_to_string(out.join("package.xml")).unwrap();
    assert!(package.contains(
        "<members>Opportunity.New Business</members>\n        <name>BusinessProcess</name>"
    ));
    // Deployed, nothing is left to change.
    let (code, plan, _) =
        stagebook(&["crm", "plan", &playbook, "--target", "salesforce", &out_dir]);
    assert_eq!(code, 0, "{plan}");
    assert!(!plan.contains("to the sales process"), "{plan}");
    // A process the org does not have is refused with the command that retrieves it.
    let other = dir.path().join("renewals.yaml");
    fs::write(&other, named("Renewals")).unwrap();
    let (code, _, stderr) = stagebook(&[
        "crm",
        "plan",
        &other.display().to_string(),
        "--target",
        "salesforce",
        LIVE_ORG,
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("the retrieved org has `New Business`")
            && stderr.contains("BusinessProcess:Opportunity.Renewals"),
        "{stderr}"
    );
}

/// Two playbooks of one team, deployed into one org (tests/fixtures/crm/multi/).
const TOGETHER: [&str; 2] = [
    "tests/fixtures/crm/multi/new-business.yaml",
    "tests/fixtures/crm/multi/renewals.yaml",
];

#[test]
fn several_playbooks_export_into_one_org_or_a_pipeline_each() {
    let mut failures = Vec::new();
    let cases: [(&str, &str, Option<&str>); 4] = [
        ("new-org", "salesforce", None),
        ("live-org", "salesforce", Some(LIVE_ORG)),
        ("hubspot", "hubspot", None),
        ("pipedrive", "pipedrive", None),
    ];
    for (name, target, org) in cases {
        let out = tempfile::tempdir().unwrap();
        let out_arg = out.path().to_str().unwrap().to_string();
        let mut args = vec![
            "crm",
            "export",
            TOGETHER[0],
            TOGETHER[1],
            "--target",
            target,
        ];
        args.extend(["--out", &out_arg]);
        if let Some(org) = org {
            args.extend(["--merge-with", org]);
        }
        let (code, stdout, stderr) = stagebook(&args);
        assert_eq!(code, 0, "{name}: {stdout}{stderr}");
        let mut tree = read_tree(out.path());
        validate(name, target, out.path(), &tree, &mut failures);
        tree.insert(
            "_stdout.txt".into(),
            format!("exit code: {code}\n{}", stdout.replace(&out_arg, "OUT")),
        );
        let bytes = tree
            .iter()
            .map(|(path, text)| (path.clone(), text.clone().into_bytes()))
            .collect();
        failures.extend(golden::check_tree(
            &root().join("tests/expected/crm/multi").join(name),
            &bytes,
        ));
        // Exporting them again, in the other order, into the same folder replaces their own
        // files; one of them alone is refused there: the other's Path or pipeline would go.
        let mut again = vec![
            "crm",
            "export",
            TOGETHER[1],
            TOGETHER[0],
            "--target",
            target,
        ];
        again.extend(["--out", &out_arg]);
        if let Some(org) = org {
            again.extend(["--merge-with", org]);
        }
        assert_eq!(stagebook(&again).0, 0, "{name}: again");
        let (code, _, stderr) = stagebook(&[
            "crm",
            "export",
            TOGETHER[0],
            "--target",
            target,
            "--out",
            &out_arg,
        ]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains("or all of them together"), "{stderr}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_merged_export_of_several_playbooks_keeps_the_org_and_plans_no_change_on_top_of_itself() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let out_arg = out.to_str().unwrap();
    let plan = |org: &str| {
        stagebook(&[
            "crm",
            "plan",
            TOGETHER[0],
            TOGETHER[1],
            "--target",
            "salesforce",
            org,
        ])
    };
    let (code, before, _) = plan(LIVE_ORG);
    assert_eq!(code, 1, "{before}");
    golden::assert_file(
        &root().join("tests/expected/crm/multi/live-org-plan.txt"),
        &before,
    );
    let (code, stdout, stderr) = stagebook(&[
        "crm",
        "export",
        TOGETHER[0],
        TOGETHER[1],
        "--target",
        "salesforce",
        "--merge-with",
        LIVE_ORG,
        "--out",
        out_arg,
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // Every value of the org is still there, none deactivated.
    let set = "standardValueSets/OpportunityStage.standardValueSet-meta.xml";
    let org_values = values_of(&Path::new(LIVE_ORG).join("force-app/main/default").join(set));
    let merged = values_of(&out.join(set));
    for (value, active) in &org_values {
        assert!(
            merged.iter().any(|(v, a)| v == value && a == active),
            "{value} kept as it was: {merged:?}"
        );
    }
    // Deployed and retrieved again (the export holds the whole org's value set, its paths and
    // processes): nothing left to change.
    let (code, after, _) = plan(out_arg);
    assert_eq!(code, 0, "{after}");
    let changes: Vec<&str> = after
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("  update the Sales Path"))
        .collect();
    assert!(changes.is_empty(), "{after}");
}

#[test]
fn playbooks_that_cannot_share_an_org_are_refused_on_both_playbooks_lines() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = stagebook(&[
        "crm",
        "export",
        "tests/fixtures/crm/multi/conflicting",
        "tests/fixtures/crm/multi/new-business.yaml",
        "--target",
        "salesforce",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!out.exists(), "nothing written");
    golden::assert_file(
        &root().join("tests/expected/crm/multi/conflicting.txt"),
        &stdout,
    );
    // `crm plan` refuses them too, before reading the org.
    let (code, stdout, _) = stagebook(&[
        "crm",
        "plan",
        "tests/fixtures/crm/multi/conflicting",
        "--target",
        "salesforce",
        LIVE_ORG,
    ]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("structure::shared-record-type"), "{stdout}");
    assert!(stdout.contains("nothing planned"), "{stdout}");
}

#[test]
fn a_pipedrive_export_replaces_its_own_stages_after_a_rename() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out_arg = out.to_str().unwrap();
    let text = fs::read_to_string(root().join("tests/fixtures/crm/b2b-saas.yaml")).unwrap();
    let playbook = dir.path().join("b2b-saas.yaml");
    fs::write(&playbook, &text).unwrap();
    let playbook_arg = playbook.to_str().unwrap();
    let export = || {
        stagebook(&[
            "crm",
            "export",
            playbook_arg,
            "--target",
            "pipedrive",
            "--out",
            out_arg,
        ])
    };
    assert_eq!(export().0, 0);
    // The first stage renamed: still this playbook's pipeline, so its files are replaced.
    fs::write(
        &playbook,
        text.replace("[Appointment Scheduled]", "[Meeting Booked]"),
    )
    .unwrap();
    let (code, stdout, stderr) = export();
    assert_eq!(code, 0, "{stdout}{stderr}");
    let stages = fs::read_to_string(out.join("pipedrive-stages.json")).unwrap();
    assert!(stages.contains("Meeting Booked"), "{stages}");
}

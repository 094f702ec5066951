//! Property tests (proptest): spans always point inside their file on character boundaries,
//! `check` output does not depend on the run or the thread count, and a playbook written back
//! out as YAML and read again is the same playbook.

use crate::fuzz_support::yaml_emit;

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use stagebook::check::{self, Checked};
use stagebook::diagnostic::Diagnostic;
use stagebook::lint::Config;
use stagebook::load::Document;
use stagebook::load::files::MemoryFiles;
use stagebook::load::yaml::push_segment;
use stagebook::report::human;
use stagebook::report::json as json_report;
use stagebook::source::SourceFile;
use yaml_emit::{LineEnd, to_yaml};

fn check_text(text: &str) -> Option<Checked> {
    check_in_memory("generated.yaml", text.as_bytes().to_vec())
}

/// Checks `bytes` as `name` in a file tree held in memory, lint rules included, as
/// `stagebook check` does.
fn check_in_memory(name: &str, bytes: Vec<u8>) -> Option<Checked> {
    let mut files = MemoryFiles::new(PathBuf::from("/mem"), "mem");
    files.insert(name, bytes);
    let options = check::Options {
        lint: true,
        ..check::Options::default()
    };
    check::check_file_in(
        &files,
        &Path::new("/mem").join(name),
        &options,
        &Config::default(),
    )
    .expect("the file is in memory")
}

/// Pieces of YAML and of playbooks, with CJK, emoji, CRLF, lone CR, tabs and YAML indicators,
/// so that joined at random they make text that is often almost a playbook.
const PIECES: &[&str] = &[
    "stagebook: 1\n",
    "playbook:\n",
    "  id: demo\n",
    "  name: 销售流程\n",
    "  cycle_target: 6w\n",
    "stages:\n",
    "  - id: a\n",
    "    name: 需求确认\n",
    "    next: b\n",
    "    terminal: won\n",
    "    expected_duration: 10x\n",
    "    bogus: 1\n",
    "\r\n",
    "\n",
    "\r",
    "  ",
    "\t",
    "- ",
    ": ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\"",
    "'",
    "# 注释",
    "&a ",
    "*a",
    "!!str ",
    "!tag ",
    "|\n",
    ">-\n",
    "? ",
    "---\n",
    "...\n",
    "名",
    "称",
    "🙂",
    "é",
    "\u{3000}",
    "\u{feff}",
    "\\",
    "x",
    "7d",
    "%YAML 1.2\n",
];

fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|pieces| pieces.concat())
}

fn assert_in_file(file: &SourceFile, span: &std::ops::Range<usize>, what: &str) {
    let text = file.text();
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: {span:?} outside 0..{}",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: {span:?} splits a character in {text:?}"
    );
}

/// Every node of the document's value has a span, inside its file, on character boundaries.
fn assert_node_spans(document: &Document, value: &Value, pointer: &mut String) {
    let span = document
        .spans
        .get(pointer)
        .unwrap_or_else(|| panic!("no span for `{pointer}`"));
    let file = &document.files[span.file];
    assert_in_file(file, &span.value, pointer);
    if let Some(key) = &span.key {
        assert_in_file(file, key, pointer);
    }
    let len = pointer.len();
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                push_segment(pointer, &i.to_string());
                assert_node_spans(document, item, pointer);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                push_segment(pointer, key);
                assert_node_spans(document, item, pointer);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn spans_lie_inside_their_file_on_character_boundaries(text in yamlish()) {
        let Some(checked) = check_text(&text) else { return Ok(()) };
        for diagnostic in &checked.diagnostics {
            for label in std::iter::once(&diagnostic.primary).chain(&diagnostic.related) {
                assert_in_file(&label.file, &label.span, &diagnostic.code);
                let (start, end) = (label.start(), label.end());
                prop_assert!(start.line >= 1 && start.column >= 1 && start <= end);
                prop_assert!(start.line <= label.file.line_count());
            }
        }
        if let Some(document) = &checked.document {
            // The root's span is recorded under the empty pointer, except for a scalar root.
            if document.value.is_object() || document.value.is_array() {
                assert_node_spans(document, &document.value, &mut String::new());
            }
        }
        // Both printers take every finding without panicking.
        json_report::render(&checked.diagnostics, 1, &stagebook::lint::catalogue());
    }
}

// ---- findings keep only the lines they show ----

/// Human and JSON output of `diagnostics`, as `stagebook check` prints them.
fn printed(diagnostics: &[Diagnostic]) -> String {
    let printer = human::HumanPrinter::new(human::Style {
        color: false,
        width: 100,
    });
    let mut out = String::new();
    for diagnostic in diagnostics {
        printer.render(diagnostic, &mut out);
    }
    out + &json_report::render(diagnostics, 1, &stagebook::lint::catalogue())
}

/// Longer text than `yamlish`: long lines (wider than a snippet's margin), many short lines
/// and wide characters, so that excerpts start and end mid-line and mid-file.
fn long_yamlish() -> impl Strategy<Value = String> {
    let long = prop_oneof![
        Just("x".repeat(700)),
        Just("名".repeat(300)),
        Just("a: b\n".repeat(40)),
        Just("- 🙂 ".repeat(120)),
    ];
    prop::collection::vec(
        prop_oneof![4 => prop::sample::select(PIECES).prop_map(str::to_owned), 1 => long],
        0..120,
    )
    .prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn findings_print_the_same_from_an_excerpt(text in long_yamlish()) {
        let Some(checked) = check_text(&text) else { return Ok(()) };
        let whole = printed(&checked.diagnostics);
        let mut kept = checked.diagnostics.clone();
        kept.iter_mut().for_each(human::keep_snippets_only);
        prop_assert_eq!(&printed(&kept), &whole);
    }
}

// ---- generated playbooks ----

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z][a-z ]{0,12}",
        "[名称阶段客户确认预算演示合同]{1,8}",
        "\\PC{1,16}",
        any::<String>().prop_filter("the model wants text here", |s| !s.is_empty()),
    ]
}

fn stage_ids(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("stage-{i}")).collect()
}

prop_compose! {
    fn stage(id: String, next: Option<String>)(
        name in text(),
        goal in prop::option::of(text()),
        days in prop::option::of(1u32..400),
        crm_names in prop::collection::vec(text(), 0..3),
        pains in prop::collection::vec(text(), 0..3),
        know in prop::collection::vec(text(), 0..3),
        action in prop::option::of((text(), 1u32..100)),
        exit in prop::option::of((text(), prop::option::of(text()))),
        probability in prop::option::of(0u8..=100),
    ) -> Value {
        let mut stage = Map::new();
        stage.insert("id".into(), id.clone().into());
        stage.insert("name".into(), name.into());
        if let Some(goal) = goal { stage.insert("goal".into(), goal.into()); }
        if let Some(days) = days { stage.insert("expected_duration".into(), format!("{days}d").into()); }
        // A CRM name belongs to one stage (`structure::duplicate-crm-name`): prefixed with
        // the stage's id, each is its own.
        let mut seen = std::collections::HashSet::new();
        let crm_names: Vec<String> = crm_names
            .into_iter()
            .map(|n| format!("{id} {n}"))
            .filter(|n| seen.insert(n.trim().to_lowercase()))
            .collect();
        if !crm_names.is_empty() { stage.insert("crm_names".into(), crm_names.into()); }
        if !pains.is_empty() { stage.insert("buyer_view".into(), json!({ "pains": pains })); }
        if !know.is_empty() { stage.insert("know".into(), know.into()); }
        if let Some((action, count)) = action {
            stage.insert("do".into(), json!([{ "action": action, "channel": "email", "count": count }]));
        }
        if let Some((event, evidence)) = exit {
            let mut exit = Map::new();
            exit.insert("event".into(), event.into());
            if let Some(evidence) = evidence { exit.insert("evidence".into(), evidence.into()); }
            stage.insert("exit".into(), json!([exit]));
        }
        if let Some(p) = probability { stage.insert("probability".into(), p.into()); }
        match &next {
            Some(next) => { stage.insert("next".into(), json!([next, "lost"])); }
            None => { stage.insert("next".into(), json!(["won", "lost"])); }
        }
        Value::Object(stage)
    }
}

/// A valid playbook: a chain of open stages that each lead on or to `lost`, then won and lost.
fn playbook() -> impl Strategy<Value = Value> {
    (1usize..6, text(), any::<bool>(), prop::option::of(text()))
        .prop_flat_map(|(count, name, zh, description)| {
            let ids = stage_ids(count);
            let stages: Vec<_> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| stage(id.clone(), ids.get(i + 1).cloned()))
                .collect();
            (stages, Just(name), Just(zh), Just(description))
        })
        .prop_map(|(mut stages, name, zh, description)| {
            stages.push(json!({ "id": "won", "name": "Won", "terminal": "won" }));
            stages.push(json!({ "id": "lost", "name": "Lost", "terminal": "lost" }));
            let mut meta = Map::new();
            meta.insert("id".into(), "generated".into());
            meta.insert("name".into(), name.into());
            meta.insert("locale".into(), if zh { "zh-CN" } else { "en" }.into());
            if let Some(description) = description {
                meta.insert("description".into(), description.into());
            }
            json!({ "stagebook": 1, "playbook": meta, "stages": stages })
        })
}

fn model_of(checked: &Checked) -> Value {
    let playbook = checked.playbook.as_ref();
    let playbook = playbook.unwrap_or_else(|| panic!("not valid: {:#?}", checked.diagnostics));
    serde_json::to_value(playbook).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_playbook_written_back_as_yaml_reads_the_same(value in playbook(), crlf in any::<bool>()) {
        let line_end = if crlf { LineEnd::CrLf } else { LineEnd::Lf };
        let text = to_yaml(&value, line_end);
        let checked = check_text(&text).expect("a playbook");
        // The loader reads exactly the value that was written …
        prop_assert_eq!(&checked.document.as_ref().expect("loaded").value, &value);
        // … and the model, written out again (as YAML and as JSON, which is YAML too) and read
        // back, is the same model.
        let model = model_of(&checked);
        for again in [
            to_yaml(&model, LineEnd::Lf),
            to_yaml(&model, LineEnd::CrLf),
            serde_json::to_string_pretty(&model).unwrap(),
        ] {
            let checked = check_text(&again).expect("a playbook");
            prop_assert_eq!(&model_of(&checked), &model);
        }
    }
}

// ---- determinism ----

fn check_json(paths: &[PathBuf], threads: usize) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let outcome = pool
        .install(|| {
            let options = check::Options {
                lint: true,
                ..check::Options::default()
            };
            check::check_paths(paths, &options)
        })
        .expect("check runs");
    json_report::render(
        &outcome.diagnostics,
        outcome.files,
        &stagebook::lint::catalogue(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn check_output_is_the_same_across_runs_and_thread_counts(
        files in prop::collection::vec(prop_oneof![
            playbook().prop_map(|p| to_yaml(&p, LineEnd::Lf)),
            yamlish(),
        ], 1..12),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (i, text) in files.iter().enumerate() {
            std::fs::write(dir.path().join(format!("p{i:02}.yaml")), text).unwrap();
        }
        let paths = [dir.path().to_path_buf()];
        let first = check_json(&paths, 1);
        prop_assert_eq!(&first, &check_json(&paths, 2));
        prop_assert_eq!(&first, &check_json(&paths, 2));
        prop_assert_eq!(&first, &check_json(&paths, 1));
    }
}

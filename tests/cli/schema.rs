//! The committed JSON Schema is generated from the Rust types; this fails when they drift.
//! Regenerate with `STAGEBOOK_BLESS=1 cargo test` (or `cargo run -q -- schema >
//! schemas/playbook.schema.json`).

use crate::common::{self, golden};

#[test]
fn committed_schema_matches_the_types() {
    let generated = serde_json::to_string_pretty(&stagebook::model::schema()).unwrap() + "\n";
    golden::assert_file(
        &common::repo_dir().join("schemas/playbook.schema.json"),
        generated,
    );
}

#[test]
fn the_schema_describes_every_field_for_editors() {
    let schema = stagebook::model::schema();
    let mut missing = Vec::new();
    for (name, definition) in schema["$defs"].as_object().unwrap() {
        for (field, property) in definition["properties"].as_object().into_iter().flatten() {
            if property.get("description").is_none() {
                missing.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fields without a description: {missing:?}"
    );
}

#[test]
fn the_shipped_playbooks_check_clean() {
    let outcome = stagebook::check::check_paths(
        &[common::repo_dir().join("playbooks")],
        &stagebook::check::Options::default(),
    )
    .unwrap();
    let found = common::findings(&outcome.diagnostics);
    assert!(found.is_empty(), "{found:#?}");
    assert!(outcome.files >= 2);
}

#[test]
fn findings_do_not_depend_on_the_thread_count() {
    let dir = common::repo_dir().join("tests/cmd");
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let outcome = stagebook::check::check_paths(
                std::slice::from_ref(&dir),
                &stagebook::check::Options::default(),
            )
            .unwrap();
            stagebook::report::json::render(
                &outcome.diagnostics,
                outcome.files,
                &stagebook::lint::catalogue(),
            )
        })
    };
    assert_eq!(run(1), run(2));
}

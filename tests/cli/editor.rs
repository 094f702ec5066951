//! What an editor shows from the schema (yaml-language-server, as in VS Code): a `$schema`
//! declaration, a description for every enum value (shown beside each completion), examples
//! for the formats people get wrong (durations, ids), and the modeline of every shipped or
//! generated playbook resolving to the committed schema.

use std::path::Path;

use serde_json::Value;

#[test]
fn every_enum_value_is_described_and_formats_have_examples() {
    let schema = stagebook::model::schema();
    assert!(
        schema["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("2020-12"))
    );
    let mut undescribed = Vec::new();
    for (name, definition) in schema["$defs"].as_object().unwrap() {
        for option in definition["oneOf"].as_array().into_iter().flatten() {
            if option.get("const").is_some() && option.get("description").is_none() {
                undescribed.push(format!("{name} = {}", option["const"]));
            }
        }
    }
    assert!(
        undescribed.is_empty(),
        "enum values without a description: {undescribed:?}"
    );
    for name in ["duration", "id", "next"] {
        let examples = &schema["$defs"][name]["examples"];
        assert!(
            examples.as_array().is_some_and(|e| !e.is_empty()),
            "`{name}` has no examples"
        );
    }
}

#[test]
fn modelines_point_at_the_committed_schema() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut playbooks: Vec<_> = std::fs::read_dir(repo.join("playbooks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    // The starter playbooks `init` writes sit in `playbooks/` beside `schemas/` too.
    let init = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_stagebook"))
        .args(["init", init.path().to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    playbooks.push(init.path().join("playbooks/sales.yaml"));
    for playbook in playbooks {
        let text = std::fs::read_to_string(&playbook).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let target = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{}: no modeline on the first line", playbook.display()));
        let schema_path = playbook.parent().unwrap().join(target);
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
        assert_eq!(
            schema,
            stagebook::model::schema(),
            "{}",
            schema_path.display()
        );
    }
}

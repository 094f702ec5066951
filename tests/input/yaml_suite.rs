//! The official YAML test suite (vendored in `tests/data/yaml-test-suite/`): no case panics, every
//! case the suite marks as an error yields a `yaml::` finding with a line and column, and no
//! valid case yields one (valid YAML may still fail the playbook schema, or a documented input
//! restriction such as one document per file).

use crate::common;

use stagebook::load::{self, Limits, Loaded};

#[test]
fn the_yaml_test_suite_is_read_as_the_spec_says() {
    let dir = common::data_dir().join("yaml-test-suite");
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).expect("manifest.tsv");
    let limits = Limits::default();
    let (mut cases, mut wrong) = (0, Vec::new());
    for line in manifest.lines().skip(1) {
        let mut columns = line.split('\t');
        let (id, name, is_error) = (
            columns.next().unwrap(),
            columns.next().unwrap(),
            columns.next().unwrap(),
        );
        let path = dir.join(format!("{id}.yaml"));
        let diagnostics = match load::load(&path, &limits).expect("readable") {
            Loaded::Playbook { diagnostics, .. } => diagnostics,
            Loaded::Fragment { .. } => Vec::new(),
        };
        let yaml_errors: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.code.starts_with("yaml::"))
            .collect();
        if is_error == "true" {
            match yaml_errors.first() {
                Some(d) if d.primary.start().line >= 1 && d.primary.start().column >= 1 => {}
                _ => wrong.push(format!(
                    "{id} ({name}): error case gave {:?}",
                    diagnostics.iter().map(|d| &d.code).collect::<Vec<_>>()
                )),
            }
        } else if let Some(d) = yaml_errors.first() {
            wrong.push(format!(
                "{id} ({name}): valid case gave {}: {}",
                d.code, d.message
            ));
        }
        cases += 1;
    }
    assert_eq!(cases, 402);
    assert!(
        wrong.is_empty(),
        "{} of {cases} cases wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

//! The lint engine end to end: the README's rule table, GitHub annotations that playbook text
//! cannot forge, the baseline, and SARIF's shape (CI validates it against the schema with
//! `.ci/checks/20-sarif.sh`).

use crate::common::{self, golden};

use std::path::Path;
use std::process::Command;

fn stagebook(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_stagebook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run stagebook");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Asserts that the playbooks at `paths` (in the repository) check clean, lint included, at the
/// default levels; returns how many playbooks were checked.
fn assert_lint_clean(paths: &[&str]) -> usize {
    let paths: Vec<_> = paths.iter().map(|p| common::repo_dir().join(p)).collect();
    let outcome = stagebook::check::check_paths(
        &paths,
        &stagebook::check::Options {
            lint: true,
            ..stagebook::check::Options::default()
        },
    )
    .unwrap();
    let found = common::findings(&outcome.diagnostics);
    assert!(found.is_empty(), "{found:#?}");
    outcome.playbooks.len()
}

#[test]
fn the_shipped_playbooks_are_lint_clean_at_default_levels() {
    assert!(assert_lint_clean(&["playbooks"]) >= 2);
}

/// Fails when README.md between `<!-- NAME:start -->` and `<!-- NAME:end -->` is not `table`;
/// `STAGEBOOK_BLESS=1 cargo test` rewrites every generated table (through `common::golden`).
fn readme_is_generated(name: &str, table: &str) {
    // The tests run in parallel: one must not read README.md while another rewrites it.
    static README: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = README
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let path = common::repo_dir().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let (start, end) = (
        format!("<!-- {name}:start -->\n"),
        format!("<!-- {name}:end -->"),
    );
    let from = readme.find(&start).expect("README has the start marker") + start.len();
    let to = readme.find(&end).expect("README has the end marker");
    let generated = format!("{}{table}{}", &readme[..from], &readme[to..]);
    golden::assert_file(&path, generated);
}

#[test]
fn the_readme_rule_table_is_generated_from_the_rules() {
    readme_is_generated("rules", &stagebook::lint::markdown_table());
}

#[test]
fn the_readme_code_table_is_generated_from_the_catalogue() {
    readme_is_generated("codes", &stagebook::lint::catalogue().markdown_table());
}

/// Splits a workflow command line as the Actions runner does, and decodes the message.
fn parse_command(line: &str) -> Option<(&str, String)> {
    let rest = line.trim_start().strip_prefix("::")?;
    let (info, data) = rest.split_once("::")?;
    let name = info.split(' ').next()?;
    let message = data
        .replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%");
    Some((name, message))
}

#[test]
fn github_annotations_cannot_be_forged_by_playbook_text() {
    // The hostile values of the corpus, put where lint messages quote them.
    let corpus = common::data_dir().join("hostile/annotation-injection.yaml");
    let loaded = stagebook::load::load(&corpus, &stagebook::load::Limits::default()).unwrap();
    let stagebook::load::Loaded::Playbook {
        document: Some(document),
        ..
    } = loaded
    else {
        panic!("the corpus file loads as a document");
    };
    let value = &document.value;
    let mut hostile = vec![value["name"].as_str().unwrap().to_string()];
    for stage in value["stages"].as_array().unwrap() {
        for key in ["name", "owner", "notes"] {
            if let Some(text) = stage[key].as_str() {
                hostile.push(text.to_string());
            }
        }
    }
    assert!(hostile.len() >= 6);
    let mut objections = String::new();
    for h in &hostile {
        objections.push_str("      - objection: ");
        objections.push_str(&serde_json::to_string(h).unwrap());
        objections.push('\n');
    }
    let yaml = format!(
        "stagebook: 1\nplaybook:\n  id: hostile\n  name: Hostile\nstages:\n  - id: demo\n    name: Demo\n    say:\n{objections}    next: [won, lost]\n  - id: won\n    name: Won\n    terminal: won\n  - id: lost\n    name: Lost\n    terminal: lost\n"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a,b:c.yaml"), yaml).unwrap();

    let (_, json, _) = stagebook(dir.path(), &["check", "--format", "json", "."]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let expected = json["diagnostics"].as_array().unwrap().len();

    let (code, out, _) = stagebook(dir.path(), &["check", "--format", "github", "."]);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len(),
        expected + 1,
        "one line per finding plus the summary:\n{out}"
    );
    assert!(lines.last().unwrap().starts_with("stagebook: "));
    let mut decoded = Vec::new();
    for line in &lines[..expected] {
        let (name, message) = parse_command(line).expect("a workflow command");
        assert!(["error", "warning", "notice"].contains(&name), "{line}");
        assert!(line.contains("file=a%2Cb%3Ac.yaml,"), "{line}");
        decoded.push(message);
    }
    // Every hostile value arrives intact inside one message, and nothing else became a command.
    for text in &hostile {
        let text = text.replace('\r', "");
        assert!(
            decoded.iter().any(|m| m.replace('\r', "").contains(&text)),
            "{text:?} not found in {decoded:#?}"
        );
    }
}

#[test]
fn a_baseline_hides_known_findings_and_survives_line_moves() {
    let dir = tempfile::tempdir().unwrap();
    let source = common::repo_dir().join("tests/cmd/lint-formats.in/playbook.yaml");
    let yaml = std::fs::read_to_string(source).unwrap();
    std::fs::write(dir.path().join("playbook.yaml"), &yaml).unwrap();

    let (code, out, err) = stagebook(
        dir.path(),
        &["check", "--write-baseline", "baseline.json", "."],
    );
    assert_eq!((code, out.as_str()), (0, "no problems in 1 file\n"));
    assert!(err.contains("wrote 3 lint findings"), "{err}");
    let (code, out, _) = stagebook(dir.path(), &["check", "--baseline", "baseline.json", "."]);
    assert_eq!((code, out.as_str()), (0, "no problems in 1 file\n"));

    // Lines move: still accepted.
    let moved = yaml.replacen("stagebook: 1\n", "# a comment\n\n\nstagebook: 1\n", 1);
    std::fs::write(dir.path().join("playbook.yaml"), &moved).unwrap();
    let (code, out, _) = stagebook(dir.path(), &["check", "--baseline", "baseline.json", "."]);
    assert_eq!((code, out.as_str()), (0, "no problems in 1 file\n"));

    // A new gap is reported; a fixed one leaves a stale entry that is mentioned.
    let changed = moved
        .replace("goal: TBD", "goal: The buyer sees day one")
        .replace("    know: [Our product]\n", "");
    std::fs::write(dir.path().join("playbook.yaml"), changed).unwrap();
    let (code, out, err) = stagebook(dir.path(), &["check", "--baseline", "baseline.json", "."]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("stage `demo` has no `know` section"), "{out}");
    assert!(!out.contains("placeholder"), "{out}");
    assert!(err.contains("1 baseline entries match nothing"), "{err}");
}

#[test]
fn sarif_lists_every_rule_and_points_results_at_them() {
    let dir = common::repo_dir().join("tests/cmd/lint-formats.in");
    let (code, out, _) = stagebook(&dir, &["check", "--format", "sarif", "playbook.yaml"]);
    assert_eq!(code, 1);
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), stagebook::lint::registry().len());
    for result in run["results"].as_array().unwrap() {
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn config_errors_and_unknown_ids_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stagebook.toml"), "[lint\n").unwrap();
    std::fs::write(dir.path().join("p.yaml"), "stagebook: 1\n").unwrap();
    let (code, _, err) = stagebook(dir.path(), &["check", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("stagebook.toml"), "{err}");
}

#[test]
fn linting_never_panics_on_damaged_playbooks() {
    // Every shipped playbook with each single line removed: many shapes of half-finished
    // playbooks, some valid (so every rule runs on them), none may crash the linter.
    let dir = tempfile::tempdir().unwrap();
    let options = stagebook::check::Options {
        lint: true,
        ..stagebook::check::Options::default()
    };
    let config = stagebook::lint::Config::default();
    let mut linted = 0;
    for entry in std::fs::read_dir(common::repo_dir().join("playbooks")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for skip in 0..lines.len() {
            let mut damaged = String::new();
            for (i, line) in lines.iter().enumerate() {
                if i != skip {
                    damaged.push_str(line);
                    damaged.push('\n');
                }
            }
            let path = dir.path().join("damaged.yaml");
            std::fs::write(&path, damaged).unwrap();
            let checked = stagebook::check::check_file_with(&path, &options, &config)
                .unwrap()
                .unwrap();
            linted += usize::from(checked.playbook.is_some());
        }
    }
    assert!(
        linted > 100,
        "only {linted} damaged playbooks were valid enough to lint"
    );
}

/// The code-shaped string literals (`"family::kebab-name"`, or `"family::name@…"`) in `code`
/// that the catalogue lacks. Comment lines and everything after `#[cfg(test)]` are skipped:
/// tests emit nothing a user meets.
fn uncatalogued(catalogue: &stagebook::diagnostic::Catalogue, code: &str) -> Vec<String> {
    let code = code.split("#[cfg(test)]").next().unwrap_or(code);
    let mut missing = Vec::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for literal in line.split('"').skip(1) {
            let Some((family, rest)) = literal.split_once("::") else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                .collect();
            let closed = matches!(rest[name.len()..].chars().next(), Some('"' | '@') | None);
            let shaped = !family.is_empty() && family.chars().all(|c| c.is_ascii_lowercase());
            if shaped && closed && !name.is_empty() {
                let code = format!("{family}::{name}");
                if catalogue.get(&code).is_none() {
                    missing.push(code);
                }
            }
        }
    }
    missing
}

/// Nothing in `src/` can emit a code that `explain`, the README and the printers do not know.
#[test]
fn every_code_in_the_source_is_catalogued() {
    let catalogue = stagebook::lint::catalogue();
    let (mut missing, mut files) = (Vec::new(), 0);
    let mut folders = vec![common::repo_dir().join("src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("src/ is readable") {
            let path = entry.expect("src/ is readable").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files += 1;
                let code = std::fs::read_to_string(&path).expect("source is UTF-8");
                for found in uncatalogued(&catalogue, &code) {
                    missing.push(format!("{}: {found}", path.display()));
                }
            }
        }
    }
    assert!(files > 50, "scanned only {files} files");
    assert!(
        missing.is_empty(),
        "codes not in the catalogue: {missing:#?}"
    );
}

#[test]
fn the_code_scan_catches_an_unknown_code() {
    let catalogue = stagebook::lint::catalogue();
    let q = '"';
    let code = format!(
        "emit({q}yaml::syntax{q}, {q}yaml::no-such-code{q}, {q}config::x@3{q});\n// {q}a::b{q}\n#[cfg(test)]\n{q}b::c{q}"
    );
    assert_eq!(
        uncatalogued(&catalogue, &code),
        [
            format!("{}::no-such-code", "yaml"),
            format!("{}::x", "config")
        ]
    );
    assert!(
        catalogue.get("crm::no-stages").is_some(),
        "rules come from the registry"
    );
}

#[test]
fn a_shared_library_item_another_playbook_shows_is_not_unused() {
    // Two playbooks include one content library; each shows one item, and one item is shown
    // by neither. Checked together, only that one is unused; checked alone, a playbook cannot
    // know the other and reports the other's item, with advice that does not say "remove".
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("parts")).unwrap();
    std::fs::write(
        root.join("parts/library.yaml"),
        "content:\n  - id: case-study\n    title: Case\n    kind: case-study\n    url: https://example.com/a\n  - id: price-sheet\n    title: Prices\n    kind: doc\n    url: https://example.com/p\n  - id: old-deck\n    title: Old\n    kind: deck\n    url: https://example.com/o\n",
    )
    .unwrap();
    for (id, shows) in [("new", "case-study"), ("renewals", "price-sheet")] {
        std::fs::write(
            root.join(format!("{id}.yaml")),
            format!("stagebook: 1\nplaybook:\n  id: {id}\n  name: {id}\ninclude: [parts/library.yaml]\nstages:\n  - id: talk\n    name: Talk\n    content: [{shows}]\n    next: [won]\n  - id: won\n    name: Won\n    terminal: won\n"),
        )
        .unwrap();
    }
    let unused = |paths: &[std::path::PathBuf]| -> Vec<String> {
        let options = stagebook::check::Options {
            lint: true,
            ..stagebook::check::Options::default()
        };
        let outcome = stagebook::check::check_paths(paths, &options).unwrap();
        outcome
            .diagnostics
            .iter()
            .filter(|d| d.code == "unused-content")
            .map(|d| d.message.clone())
            .collect()
    };
    assert_eq!(
        unused(&[root.to_path_buf()]),
        ["content `old-deck` is not used by any stage"]
    );
    let alone = unused(&[root.join("new.yaml")]);
    assert!(
        alone.contains(&"content `price-sheet` is not used by any stage".to_owned()),
        "{alone:?}"
    );
}

#[test]
fn a_variant_is_its_base_with_its_changes_and_findings_point_where_each_value_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(common::repo_dir().join("tests/fixtures/lint/clean.yaml"))
        .unwrap()
        .replace(
            "Walk the buyer through the pricing",
            "TBD walk the buyer through the pricing",
        );
    std::fs::write(dir.path().join("base.yaml"), base).unwrap();
    let variant = "stagebook: 1\nextends: base.yaml\nplaybook:\n  id: smb\n  name: SMB\n  cycle_target: 1w\nstages:\n  - id: proposal\n    expected_duration: 2d\n";
    std::fs::write(dir.path().join("smb.yaml"), variant).unwrap();
    let (code, out, _) = stagebook(dir.path(), &["check", "smb.yaml"]);
    assert_eq!(code, 0, "{out}");
    // The changed cycle target is the variant's; the placeholder is in a stage it left alone.
    assert!(out.contains("more than the cycle target of 1w"), "{out}");
    assert!(out.contains("╭─[smb.yaml:6:17]"), "{out}");
    assert!(
        out.contains("`action` still holds the placeholder `tbd`"),
        "{out}"
    );
    assert!(out.contains("╭─[base.yaml:50:"), "{out}");
    // The variant's own stage durations count: 10d prospecting + 2d proposal.
    assert!(out.contains("take 12d together"), "{out}");

    // Changing a stage the base lacks, or keeping the base's id, is refused.
    let wrong = variant
        .replace("id: smb", "id: clean")
        .replace("id: proposal", "id: proposel");
    std::fs::write(dir.path().join("smb.yaml"), wrong).unwrap();
    let (code, out, _) = stagebook(dir.path(), &["check", "smb.yaml"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("a variant needs a `playbook.id` of its own"),
        "{out}"
    );
    assert!(
        out.contains("the base playbook has no stage `proposel` to change"),
        "{out}"
    );
    assert!(out.contains("did you mean `proposal`?"), "{out}");

    // A variant of a variant (here: of itself) is refused, not followed round.
    std::fs::write(
        dir.path().join("smb.yaml"),
        variant.replace("base.yaml", "smb.yaml"),
    )
    .unwrap();
    let (code, out, _) = stagebook(dir.path(), &["check", "smb.yaml"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("`smb.yaml` is itself a variant of another playbook"),
        "{out}"
    );
}

#[test]
fn the_five_real_processes_check_clean() {
    // Issue 19's processes, written with the format's process fields: GitLab's opportunity
    // stages with four roles, a T-minus renewal, a Chinese 大客户 process with a tender branch,
    // PLG with two ways in, and partner deal registration.
    let checked = assert_lint_clean(&[
        "playbooks/enterprise.yaml",
        "playbooks/renewals.yaml",
        "playbooks/zh-cn-enterprise.yaml",
        "tests/fixtures/render/plg.yaml",
        "tests/fixtures/render/partner.yaml",
    ]);
    assert_eq!(checked, 5);
}

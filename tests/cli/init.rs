//! `stagebook init`: a new project works at once, existing files are never overwritten, and
//! the CI workflow and pre-commit files it writes are valid YAML that call only commands and
//! flags stagebook has. Running them for real needs the wheel, pip and pre-commit:
//! `.ci/checks/82-init-scaffold.sh` does that.

use std::path::Path;
use std::process::Command;

use clap::Parser;
use serde_json::Value;
use stagebook::cli::Cli;
use stagebook::load::Limits;
use stagebook::load::yaml;
use stagebook::source::SourceFile;

fn stagebook(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_stagebook"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("stagebook runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

const FILES: &[&str] = &[
    "stagebook.toml",
    "playbooks/sales.yaml",
    "schemas/playbook.schema.json",
    ".github/workflows/playbooks.yml",
    ".pre-commit-config.yaml",
    ".vscode/settings.json",
    ".gitignore",
];

#[test]
fn init_into_an_empty_folder_then_check_and_render_pass() {
    for locale in ["en", "zh-CN"] {
        let dir = tempfile::tempdir().unwrap();
        let (code, stdout, stderr) =
            stagebook(dir.path(), &["init", "project", "--locale", locale]);
        assert_eq!(code, 0, "{stderr}");
        for file in FILES {
            assert!(stdout.contains(&format!("created {file}\n")), "{stdout}");
            assert!(dir.path().join("project").join(file).is_file(), "{file}");
        }
        let project = dir.path().join("project");
        let (code, stdout, _) = stagebook(&project, &["check", "playbooks"]);
        assert_eq!(
            (code, stdout.as_str()),
            (0, "no problems in 1 file\n"),
            "{locale}"
        );
        let (code, stdout, stderr) =
            stagebook(&project, &["render", "playbooks", "--out", "handbook"]);
        assert_eq!(code, 0, "{locale}: {stdout}{stderr}");
        for name in [
            "handbook.html",
            "handbook.md",
            "checklists.html",
            "checklists.md",
        ] {
            assert!(
                project.join("handbook/new-business").join(name).is_file(),
                "{name}"
            );
        }
        let playbook = std::fs::read_to_string(project.join("playbooks/sales.yaml")).unwrap();
        assert!(
            playbook
                .starts_with("# yaml-language-server: $schema=../schemas/playbook.schema.json\n")
        );
        assert!(playbook.contains(&format!("locale: {locale}\n")));
        // The schema the modeline points at is the one this stagebook validates with.
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string(project.join("schemas/playbook.schema.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(schema, stagebook::model::schema());
    }
}

#[test]
fn init_into_a_folder_with_files_skips_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("playbooks")).unwrap();
    std::fs::write(dir.path().join("playbooks/sales.yaml"), "mine").unwrap();
    std::fs::write(dir.path().join("stagebook.toml"), "# mine\n").unwrap();
    let (code, stdout, stderr) = stagebook(dir.path(), &["init"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("skipped stagebook.toml (already exists)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("skipped playbooks/sales.yaml (already exists)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("created .github/workflows/playbooks.yml\n"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("playbooks/sales.yaml")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("stagebook.toml")).unwrap(),
        "# mine\n"
    );
}

fn parse_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let file = SourceFile::new(path, text);
    let parsed = yaml::parse(&file, &Limits::default());
    assert!(
        parsed.diagnostics.is_empty(),
        "{}: {:?}",
        path.display(),
        parsed.diagnostics
    );
    parsed.value.expect("a document")
}

/// Splits a shell command line into words: enough for the workflow's own lines (quotes,
/// `$VARIABLES` from the workflow's `env`, and a trailing `> file` redirection).
fn words(line: &str, env: &Value) -> Vec<String> {
    let line = line.split(" > ").next().unwrap();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    words.push(word);
    words
        .into_iter()
        .map(|w| match w.strip_prefix('$') {
            Some(name) => env[name].as_str().map_or(w.clone(), ToString::to_string),
            None => w.replace("$BASE_REF", "main"),
        })
        .collect()
}

#[test]
fn the_workflow_is_valid_yaml_and_calls_only_real_commands() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = stagebook(dir.path(), &["init"]);
    assert_eq!(code, 0, "{stderr}");
    let workflow = parse_yaml(&dir.path().join(".github/workflows/playbooks.yml"));
    let env = &workflow["env"];
    assert_eq!(env["STAGEBOOK_VERSION"], env!("CARGO_PKG_VERSION"));
    let mut seen = Vec::new();
    for (job, spec) in workflow["jobs"].as_object().unwrap() {
        for step in spec["steps"].as_array().unwrap() {
            let Some(run) = step["run"].as_str() else {
                assert!(
                    step["uses"].is_string(),
                    "{job}: a step runs or uses something"
                );
                continue;
            };
            // Every script is valid shell.
            let mut bash = Command::new("bash")
                .arg("-n")
                .stdin(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            std::io::Write::write_all(&mut bash.stdin.take().unwrap(), run.as_bytes()).unwrap();
            let checked = bash.wait_with_output().unwrap();
            assert!(
                checked.status.success(),
                "{job}: {run}\n{}",
                String::from_utf8_lossy(&checked.stderr)
            );
            for line in run
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("stagebook "))
            {
                let words = words(line, env);
                let joined = words.join(" ");
                seen.push(joined.clone());
                let parsed = Cli::try_parse_from(&words);
                assert!(parsed.is_ok(), "{job}: `{joined}`: {}", parsed.unwrap_err());
            }
        }
    }
    // Both jobs install the wheel of the version that wrote the workflow, as the README says.
    let installs: Vec<&str> = workflow["jobs"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|job| job["steps"].as_array().unwrap())
        .filter_map(|step| step["run"].as_str())
        .filter(|run| run.contains("pip install"))
        .collect();
    assert_eq!(
        installs,
        [r#"python -m pip install "stagebook==$STAGEBOOK_VERSION""#; 2]
    );
    for expected in [
        "stagebook check playbooks --format github",
        "stagebook check playbooks --format sarif",
        "stagebook render playbooks --out handbook",
        "stagebook diff origin/main...HEAD --format markdown -- playbooks",
    ] {
        assert!(seen.iter().any(|s| s == expected), "{expected} in {seen:?}");
    }
}

/// A hook's command line with its arguments, as pre-commit runs it (`pass_filenames: false`).
fn hook_command(hook: &Value) -> Vec<String> {
    assert_eq!(hook["pass_filenames"], false, "{hook}");
    let mut words: Vec<String> = hook["entry"]
        .as_str()
        .unwrap()
        .split(' ')
        .map(String::from)
        .collect();
    if let Some(args) = hook["args"].as_array() {
        words.extend(args.iter().map(|a| a.as_str().unwrap().to_owned()));
    }
    Cli::try_parse_from(&words).expect("the hook's command line parses");
    words
}

#[test]
fn the_pre_commit_config_installs_this_version_from_pypi() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = stagebook(dir.path(), &["init"]);
    assert_eq!(code, 0, "{stderr}");
    let config = parse_yaml(&dir.path().join(".pre-commit-config.yaml"));
    let repos = config["repos"].as_array().unwrap();
    assert_eq!(repos.len(), 1);
    // A local hook: it names no repository, so it works before stagebook has a public one.
    assert_eq!(repos[0]["repo"], "local");
    assert!(repos[0].get("rev").is_none());
    let hook = &repos[0]["hooks"][0];
    assert_eq!(hook["id"], "stagebook-check");
    assert_eq!(hook["language"], "python");
    assert_eq!(
        hook["additional_dependencies"],
        serde_json::json!([format!("stagebook=={}", env!("CARGO_PKG_VERSION"))])
    );
    assert_eq!(hook_command(hook), ["stagebook", "check", "playbooks"]);
    let files = hook["files"].as_str().unwrap();
    assert!(files.contains(r"\.ya?ml") && files.contains(r"stagebook\.toml"));
}

#[test]
fn the_repository_hooks_are_valid_and_call_real_commands() {
    let hooks = parse_yaml(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"));
    let hooks = hooks.as_array().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["stagebook-check", "stagebook-check-system"]);
    for hook in hooks {
        assert_eq!(hook_command(hook), ["stagebook", "check"]);
        assert!(hook["name"].is_string() && hook["description"].is_string());
    }
    // pip installs this repository through pyproject.toml (maturin); `system` builds nothing.
    assert_eq!(hooks[0]["language"], "python");
    assert_eq!(hooks[1]["language"], "system");
}

#[test]
fn the_tooling_points_at_no_placeholder_and_not_at_crates_io() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = stagebook(dir.path(), &["init"]);
    assert_eq!(code, 0, "{stderr}");
    // (The starter playbook's sample links use example.com on purpose.)
    for file in [".github/workflows/playbooks.yml", ".pre-commit-config.yaml"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        for placeholder in ["example.com", "@STAGEBOOK", "cargo install"] {
            assert!(!text.contains(placeholder), "{file}: {placeholder}");
        }
    }
}

#[cfg(unix)]
#[test]
fn init_never_writes_through_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    // A symlink to a file outside, a dangling one, and a symlinked folder.
    let secret = outside.path().join("secret.toml");
    std::fs::write(&secret, "keep me\n").unwrap();
    std::os::unix::fs::symlink(&secret, project.join("stagebook.toml")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("new.yaml"), project.join(".gitignore"))
        .unwrap();
    std::os::unix::fs::symlink(outside.path(), project.join(".github")).unwrap();

    let (code, stdout, stderr) = stagebook(dir.path(), &["init", "project"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("skipped stagebook.toml (already exists)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("skipped .gitignore (already exists)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "skipped .github/workflows/playbooks.yml (`.github` is a symlink; init writes only inside the project folder)\n  help: "
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("created playbooks/sales.yaml\n"),
        "{stdout}"
    );
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "keep me\n");
    let mut left: Vec<_> = std::fs::read_dir(outside.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["secret.toml"], "init wrote outside the project");
}

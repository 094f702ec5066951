//! `stagebook render`: golden files, escaping, determinism, template overrides and strict
//! undefined values.
//!
//! Golden files live in `tests/expected/render/<playbook id>/`. After a deliberate change to
//! the templates, regenerate them with `STAGEBOOK_BLESS=1 cargo test` and review the diff like
//! code.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use stagebook::model::{Locale, PlaybookFile};
use stagebook::render::{Format, Renderer};

use crate::common::golden;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn stagebook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stagebook"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("stagebook runs")
}

/// The playbooks whose rendering is pinned by golden files: the shipped examples and the
/// render fixtures.
fn golden_playbooks() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["playbooks", "tests/fixtures/render"] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn render_all(out: &Path) {
    let playbooks = golden_playbooks();
    assert!(!playbooks.is_empty());
    let mut args = vec!["render".to_owned()];
    args.extend(playbooks.iter().map(|p| p.display().to_string()));
    args.extend(["--out".to_owned(), out.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = stagebook(&args);
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn rendered_files_match_the_expected_files() {
    let out = tempfile::tempdir().unwrap();
    render_all(out.path());
    golden::assert_tree(
        &root().join("tests/expected/render"),
        &golden::read_tree(out.path()),
    );
}

#[test]
fn output_is_byte_identical_across_runs() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    render_all(a.path());
    render_all(b.path());
    assert_eq!(golden::read_tree(a.path()), golden::read_tree(b.path()));
}

// ---------------------------------------------------------------------------------------------
// Escaping

/// Our own payloads, on top of the hostile corpus.
const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(3)>",
    "' onmouseover='alert(1)",
    "<svg/onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<!-- comment",
    "]]><![CDATA[",
    "</style><script>alert(1)</script>",
    "</title></textarea></svg><iframe src=//evil>",
    "# heading\n---\n| a | b |\n|---|---|\n```\n<details open>",
    "[click](javascript:alert(5)) ![img](x) <https://evil.example>",
    "1. list\n- item\n> quote\n    code",
    "{{7*7}} {% raw %} ${7*7}",
    "&amp; &lt;script&gt;",
    "\u{202e}reversed\u{0}nul\u{7}bell",
    "客户说：“<b>太贵了</b>”",
];

/// The string values of `html-injection.yaml` in the hostile corpus (`tests/data/hostile/`).
fn hostile_corpus() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("tests/data/hostile/html-injection.yaml"))
        .expect("tests/data/hostile/html-injection.yaml");
    let values: Vec<String> = text
        .lines()
        .filter_map(|line| line.split_once(": \"").map(|(_, rest)| format!("\"{rest}")))
        .filter_map(|quoted| serde_json::from_str::<String>(&quoted).ok())
        .collect();
    assert!(values.len() >= 5, "html-injection.yaml gave {values:?}");
    values
}

fn payloads() -> Vec<String> {
    let mut all: Vec<String> = PAYLOADS.iter().map(|s| (*s).to_owned()).collect();
    all.extend(hostile_corpus());
    all
}

/// A playbook with `payload` in every text field, and hostile URLs in the content library.
/// Built through serde, not the schema, so URLs the schema would reject reach the renderer.
fn hostile_playbook(payload: &str) -> PlaybookFile {
    let p = serde_json::Value::from(payload);
    let value = serde_json::json!({
        "stagebook": 1,
        "playbook": {
            "id": "hostile", "name": p, "owner": p, "version": p, "updated": p,
            "description": p, "cycle_target": "2w"
        },
        "content": [
            { "id": "a", "title": p, "kind": "doc", "url": "javascript:alert(4)", "description": p, "path": p },
            { "id": "b", "title": p, "kind": "video", "url": "data:text/html;base64,PHNjcmlwdD4=" },
            { "id": "c", "title": p, "kind": "blog", "url": format!("https://example.com/\"><script>alert(1)</script>{payload}") },
            { "id": "d", "title": p, "kind": "other", "url": " JaVaScRiPt:alert(1)" }
        ],
        "stages": [
            {
                "id": "one", "name": p, "goal": p, "expected_duration": "3d", "crm_names": [p],
                "buyer_view": { "pains": [p], "questions": [p] },
                "know": [p],
                "do": [{ "action": p, "channel": "email", "count": 3 }],
                "say": [
                    { "situation": p, "script": p, "audience": p },
                    { "objection": p, "response": p, "audience": p }
                ],
                "content": ["a", "b", "c", "d"],
                "exit": [{ "event": p, "evidence": p }],
                "next": ["won", "lost"],
                "captures": [p]
            },
            { "id": "won", "name": p, "terminal": "won" },
            { "id": "lost", "name": p, "terminal": "lost" }
        ]
    });
    serde_json::from_value(value).expect("a well-typed playbook")
}

const HTML_TAGS: &[&str] = &[
    "!doctype", "html", "head", "meta", "title", "style", "body", "main", "header", "nav",
    "section", "figure", "div", "p", "h1", "h2", "h3", "h4", "dl", "dt", "dd", "ol", "ul", "li",
    "a", "span", "strong", "b", "br", "svg", "defs", "marker", "path", "g", "line", "text", "rect",
    "circle",
];

/// Every tag is one we write, no attribute is an event handler, and every link is safe.
fn assert_safe_html(html: &str, payload: &str) {
    let lower = html.to_lowercase();
    let mut rest = lower.as_str();
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').map_or(rest.len(), |e| start + e);
        let tag = &rest[start + 1..end];
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        assert!(
            HTML_TAGS.contains(&name),
            "unexpected tag <{tag}> for payload {payload:?}"
        );
        for attr in tag.split_whitespace().skip(1) {
            assert!(
                !attr.starts_with("on"),
                "event handler in <{tag}> for {payload:?}"
            );
        }
        if let Some(i) = tag.find("href=\"") {
            let href = tag[i + 6..].replace("&#x2f;", "/");
            assert!(
                ["#", "http://", "https://", "mailto:"]
                    .iter()
                    .any(|s| href.starts_with(s)),
                "unsafe link in <{tag}> for {payload:?}"
            );
        }
        rest = &rest[end..];
    }
    assert!(!lower.contains("<script"), "{payload:?}");
    assert!(!lower.contains("<!--"), "{payload:?}");
}

/// Only our own inline HTML; no structure injected by a value.
fn assert_safe_markdown(md: &str, payload: &str) {
    let mut rest = md;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        assert!(
            [
                "br>",
                "br/>",
                "a id=\"stage-",
                "a id=\"flow\"",
                "/a>",
                "https://",
                "http://",
                "mailto:"
            ]
            .iter()
            .any(|ok| after.starts_with(ok)),
            "raw `<` in Markdown for payload {payload:?}: {}",
            &rest[i..rest.len().min(i + 40)]
        );
        rest = after;
    }
    assert!(!md.to_lowercase().contains("](javascript"), "{payload:?}");
    assert!(!md.to_lowercase().contains("](<javascript"), "{payload:?}");
    assert!(!md.contains("](<data:"), "{payload:?}");
    let fences = md.lines().filter(|l| l.starts_with("```")).count();
    assert!(
        fences == 0 || fences == 2,
        "a value opened a code fence: {payload:?}"
    );
    for line in md.lines().skip(1) {
        assert!(
            !line.starts_with("# ") && !line.starts_with("---") || line == "---",
            "a value made structure: {line:?} for {payload:?}"
        );
    }
}

#[test]
fn every_payload_is_escaped_in_html_and_markdown() {
    let renderer = Renderer::new(None).unwrap();
    let payloads = payloads();
    assert!(payloads.len() >= PAYLOADS.len());
    for payload in &payloads {
        let playbook = hostile_playbook(payload);
        for locale in [Locale::En, Locale::ZhCn] {
            for (name, html) in renderer
                .render(&playbook, locale, Format::Html, "x.yaml")
                .unwrap()
            {
                assert!(Path::new(&name).extension().is_some_and(|e| e == "html"));
                assert_safe_html(&html, payload);
            }
            for (_, md) in renderer
                .render(&playbook, locale, Format::Markdown, "x.yaml")
                .unwrap()
            {
                assert_safe_markdown(&md, payload);
            }
        }
    }
}

#[test]
fn unsafe_urls_are_shown_as_text_not_links() {
    let renderer = Renderer::new(None).unwrap();
    let playbook = hostile_playbook("x");
    let docs = renderer
        .render(&playbook, Locale::En, Format::Html, "x.yaml")
        .unwrap();
    let handbook = &docs[0].1;
    assert!(handbook.contains("javascript:alert(4)"), "shown as text");
    assert!(!handbook.contains("href=\"javascript"));
    assert!(!handbook.contains("href=\"data:"));
    assert!(handbook.contains("href=\"https://example.com/%22%3E%3Cscript%3E"));
}

// ---------------------------------------------------------------------------------------------
// Templates

fn fixture(name: &str) -> String {
    root()
        .join("tests/fixtures/render")
        .join(name)
        .display()
        .to_string()
}

/// A render of the `midmarket` fixture with `--templates` pointing at a folder that holds one
/// template, `name`, with `text`.
struct TemplateRun {
    /// The template written.
    template: PathBuf,
    /// The `--out` folder.
    out: tempfile::TempDir,
    output: Output,
    _templates: tempfile::TempDir,
}

fn render_with_template(name: &str, text: &str, extra: &[&str]) -> TemplateRun {
    let templates = tempfile::tempdir().unwrap();
    let template = templates.path().join(name);
    std::fs::write(&template, text).unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![
        "render".to_owned(),
        fixture("midmarket.yaml"),
        "--out".to_owned(),
        out.path().display().to_string(),
        "--templates".to_owned(),
        templates.path().display().to_string(),
    ];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let output = stagebook(&args.iter().map(String::as_str).collect::<Vec<_>>());
    TemplateRun {
        template,
        out,
        output,
        _templates: templates,
    }
}

#[test]
fn a_template_file_overrides_the_builtin_one_by_name() {
    let run = render_with_template(
        "checklists.md.j2",
        "Team brand: {{ playbook.name }} has {{ stages | length }} stages\n",
        &["--format", "md"],
    );
    assert!(run.output.status.success(), "{:?}", run.output);
    let dir = run.out.path().join("midmarket");
    assert_eq!(
        std::fs::read_to_string(dir.join("checklists.md")).unwrap(),
        "Team brand: Mid-market SaaS has 6 stages\n"
    );
    // The handbook still comes from the built-in template.
    assert!(
        std::fs::read_to_string(dir.join("handbook.md"))
            .unwrap()
            .contains("```mermaid")
    );
    assert!(
        !dir.join("handbook.html").exists(),
        "--format md writes no HTML"
    );
}

#[test]
fn a_typo_in_a_template_fails_with_its_file_and_line() {
    let run = render_with_template(
        "handbook.html.j2",
        "<!DOCTYPE html>\n<title>{{ playbook.name }}</title>\n{{ playbook.nmae }}\n",
        &[],
    );
    assert_eq!(
        run.output.status.code(),
        Some(2),
        "a broken template is a tool failure"
    );
    let stderr = String::from_utf8_lossy(&run.output.stderr);
    assert!(
        stderr.contains(&format!("{}:3:", run.template.display())) && stderr.contains("undefined"),
        "{stderr}"
    );
    assert!(!run.out.path().join("midmarket/handbook.html").exists());
}

#[test]
fn a_template_syntax_error_names_the_file_and_line() {
    let run = render_with_template("style.css.j2", "body {}\n{% if %}\n", &[]);
    assert_eq!(run.output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.output.stderr);
    assert!(
        stderr.contains(&format!("{}:2:", run.template.display())),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// Command line

#[test]
fn a_playbook_with_errors_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yaml");
    let text = std::fs::read_to_string(fixture("midmarket.yaml"))
        .unwrap()
        .replace(
            "    next: discovery\n",
            "    next: discovery\n    colour: blue\n",
        );
    std::fs::write(&broken, text).unwrap();
    let out = dir.path().join("out");
    let output = stagebook(&[
        "render",
        &broken.display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("colour") && stdout.contains("nothing rendered"),
        "{stdout}"
    );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn the_locale_option_overrides_the_playbook() {
    let out = tempfile::tempdir().unwrap();
    let output = stagebook(&[
        "render",
        &fixture("midmarket.yaml"),
        "--out",
        &out.path().display().to_string(),
        "--format",
        "html",
        "--locale",
        "zh-CN",
    ]);
    assert!(output.status.success(), "{output:?}");
    let html = std::fs::read_to_string(out.path().join("midmarket/handbook.html")).unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("退出事件"));
}

#[test]
fn pdf_without_chromium_names_the_package() {
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_stagebook"))
        .args(["render", &fixture("midmarket.yaml"), "--out"])
        .arg(out.path())
        .arg("--pdf")
        .env("PATH", "")
        .env_remove("CHROMIUM")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("`chromium` package"));
}

/// `#`, `%` and `?` in the output folder are part of the path the browser opens, not a
/// fragment or a query (needs `/usr/bin/chromium`; skipped without it).
#[test]
fn pdf_into_a_folder_named_like_url_syntax() {
    let browser = Path::new("/usr/bin/chromium");
    if !browser.is_file() {
        eprintln!("skipped: no /usr/bin/chromium");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("a#b%c?d");
    let output = Command::new(env!("CARGO_BIN_EXE_stagebook"))
        .args(["render", &fixture("midmarket.yaml"), "--out"])
        .arg(&out)
        .arg("--pdf")
        .env("CHROMIUM", browser)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let pdf = std::fs::read(out.join("midmarket/handbook.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
}

#[test]
fn render_counts_the_lint_findings_it_does_not_stop_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short-cycle.yaml");
    let text = std::fs::read_to_string(root().join("playbooks/midmarket-saas.yaml"))
        .unwrap()
        .replacen("cycle_target: 8w", "cycle_target: 2w", 1);
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    let output = stagebook(&[
        "render",
        &path.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--format",
        "md",
    ]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.ends_with(&format!(
            "{}: 1 lint warning; `stagebook check {}` shows it\n",
            path.display(),
            path.display()
        )),
        "{stdout}"
    );
    assert!(out.join("midmarket-saas/handbook.md").is_file());
}

#[test]
fn local_content_files_are_copied_beside_the_pages_and_linked() {
    let project = tempfile::tempdir().unwrap();
    std::fs::write(project.path().join("stagebook.toml"), "").unwrap();
    std::fs::create_dir_all(project.path().join("playbooks")).unwrap();
    std::fs::create_dir_all(project.path().join("content/case studies")).unwrap();
    let pdf = b"%PDF-1.4 the ACME story\n";
    std::fs::write(project.path().join("content/case studies/acme #1.pdf"), pdf).unwrap();
    let text = std::fs::read_to_string(root().join("playbooks/midmarket-saas.yaml"))
        .unwrap()
        .replacen(
            "    url: https://northwind.example/customers/acme-logistics\n",
            "    path: \"../content/case studies/acme #1.pdf\"\n",
            1,
        )
        .replacen(
            "    url: https://northwind.example/tour\n",
            "    path: ../content/missing.mp4\n",
            1,
        );
    let playbook = project.path().join("playbooks/sales.yaml");
    std::fs::write(&playbook, text).unwrap();
    let out = project.path().join("out");
    let output = stagebook(&[
        "render",
        &playbook.display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("midmarket-saas/files/content/case studies/acme #1.pdf"),
        "{stdout}"
    );
    // The missing file is the lint error `check` reports; the page names it without a link.
    assert!(stdout.contains("1 lint error;"), "{stdout}");
    let dir = out.join("midmarket-saas");
    assert_eq!(
        std::fs::read(dir.join("files/content/case studies/acme #1.pdf")).unwrap(),
        pdf
    );
    let html = std::fs::read_to_string(dir.join("handbook.html")).unwrap();
    assert!(
        html.contains("href=\"files/content/case%20studies/acme%20%231.pdf\""),
        "the link is percent-encoded"
    );
    assert!(
        !html.contains("missing.mp4\""),
        "a missing file is not linked"
    );
    let md = std::fs::read_to_string(dir.join("handbook.md")).unwrap();
    assert!(md.contains("](<files/content/case%20studies/acme%20%231.pdf>)"));
}

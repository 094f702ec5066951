//! What the fuzz targets share: checking bytes like `stagebook check` does, and printing every
//! finding with every printer while asserting the invariants the printers rely on.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use stagebook::check::{self, Checked};
use stagebook::diagnostic::{Diagnostic, Label};
use stagebook::lint::Config;
use stagebook::load::files::MemoryFiles;
use stagebook::metrics::history::{Columns, ReadOptions};
use stagebook::metrics::output;
use stagebook::metrics::time::{PeriodKind, Zone};
use stagebook::metrics::won::ActivityColumns;
use stagebook::metrics::{self, Options};
use stagebook::model::PlaybookFile;
use stagebook::render::{Format, Renderer};
use stagebook::report::human::{self, HumanPrinter, Style};
use stagebook::report::json;

#[path = "../../tests/support/yaml_emit.rs"]
pub mod yaml_emit;

/// Loads, validates and lints `bytes` as `playbook.yaml` in a file tree held in memory (an
/// `include` finds nothing there). `None` for an include fragment.
pub fn check_bytes(bytes: &[u8]) -> Option<Checked> {
    check_named("playbook.yaml", bytes.to_vec())
}

/// [`check_bytes`] with the file named `name`, as `stagebook check` checks it.
pub fn check_named(name: &str, bytes: Vec<u8>) -> Option<Checked> {
    let mut files = MemoryFiles::new(PathBuf::from("/fuzz"), "fuzz");
    files.insert(name, bytes);
    let options = check::Options {
        lint: true,
        ..check::Options::default()
    };
    check::check_file_in(
        &files,
        &Path::new("/fuzz").join(name),
        &options,
        &Config::default(),
    )
    .expect("the file is in memory")
}

/// The playbook stage histories are measured against (`tests/fixtures/metrics/saas.yaml`).
fn metrics_playbook() -> &'static PlaybookFile {
    static PLAYBOOK_FILE: OnceLock<PlaybookFile> = OnceLock::new();
    PLAYBOOK_FILE.get_or_init(|| {
        let text = include_str!("../../tests/fixtures/metrics/saas.yaml");
        let checked = check_bytes(text.as_bytes()).expect("a playbook");
        // Valid; lint findings (a warning about its cycle target) do not matter here.
        let diagnostics = checked.diagnostics;
        checked
            .playbook
            .unwrap_or_else(|| panic!("{diagnostics:?}"))
    })
}

/// Arbitrary bytes as a history file, read in the shape its header shows (and, optionally, an
/// activities CSV), measured against the metrics fixture playbook, every output format
/// printed. The first byte picks the options: period, zone, delimiter, `--skip-bad-rows`, the
/// won profile; with the won profile a NUL byte splits the rest into history and activities.
/// A 4 KiB memory limit makes the history spill to disk.
pub fn measure_bytes(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let won_profile = flags & 0x20 != 0;
    let (history, activities) = match rest.iter().position(|&b| b == 0) {
        Some(at) if won_profile => (&rest[..at], Some(&rest[at + 1..])),
        _ => (rest, None),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("temp file written");
        path
    };
    let history = write("history.csv", history);
    let activities = activities.map(|a| write("activities.csv", a));
    let zone = if flags & 0x40 != 0 {
        Zone::named("Asia/Shanghai").expect("a known zone")
    } else {
        Zone::utc()
    };
    let options = Options {
        history,
        read: ReadOptions {
            columns: Columns::default(),
            delimiter: [b',', b';', b'\t', b','][usize::from(flags >> 2 & 3)],
            skip_bad_rows: flags & 0x10 != 0,
            zone,
            input_zone: None,
            time_format: None,
            budget: metrics::group::Budget {
                memory_limit: 4096,
                temp_dir: dir.path().to_owned(),
            },
            details: metrics::details::DetailColumns::default(),
            only: None,
        },
        shape: metrics::source::ShapeNotes::default(),
        from: None,
        to: None,
        period: [
            None,
            Some(PeriodKind::Week),
            Some(PeriodKind::Month),
            Some(PeriodKind::Quarter),
        ][usize::from(flags & 3)],
        won_profile,
        activities,
        activity_columns: ActivityColumns::default(),
        stalled_limit: if flags & 0x80 != 0 { 0 } else { 10 },
        as_of: None,
        deal_url: None,
        by: None,
    };
    // Through the shapes: the header picks one, as it does for a user.
    let source = metrics::source::SourceOptions::default();
    let Ok(report) = metrics::measure_history(metrics_playbook(), &options, &source, "history")
    else {
        return;
    };
    let _ = report.warnings();
    for format in [
        output::Format::Table,
        output::Format::Json,
        output::Format::Csv,
        output::Format::Html,
    ] {
        let text = output::render(&report, format);
        if format == output::Format::Json {
            serde_json::from_str::<serde_json::Value>(&text).expect("the JSON report parses");
        }
    }
}

fn assert_label(label: &Label) {
    let text = label.file.text();
    assert!(label.span.start <= label.span.end, "{:?}", label.span);
    assert!(
        label.span.end <= text.len(),
        "{:?} past {}",
        label.span,
        text.len()
    );
    assert!(text.is_char_boundary(label.span.start), "{:?}", label.span);
    assert!(text.is_char_boundary(label.span.end), "{:?}", label.span);
    let (start, end) = (label.start(), label.end());
    assert!(start.line >= 1 && start.column >= 1 && start <= end);
}

/// Prints every finding with the human printer (colour and plain, narrow and wide) and the
/// JSON printer; the JSON must parse back, and findings that keep only the lines they show
/// (as `check` keeps them) must print the same.
pub fn print_all(diagnostics: &[Diagnostic]) {
    static CATALOGUE: OnceLock<stagebook::diagnostic::Catalogue> = OnceLock::new();
    for diagnostic in diagnostics {
        assert_label(&diagnostic.primary);
        diagnostic.related.iter().for_each(assert_label);
    }
    for style in [
        Style {
            color: false,
            width: 80,
        },
        Style {
            color: true,
            width: 20,
        },
    ] {
        let printer = HumanPrinter::new(style);
        let mut out = String::new();
        let mut kept = String::new();
        for diagnostic in diagnostics {
            printer.render(diagnostic, &mut out);
            let mut excerpt = diagnostic.clone();
            human::keep_snippets_only(&mut excerpt);
            printer.render(&excerpt, &mut kept);
        }
        assert_eq!(out, kept, "a finding prints differently from its excerpt");
    }
    let text = json::render(
        diagnostics,
        1,
        CATALOGUE.get_or_init(stagebook::lint::catalogue),
    );
    let parsed: serde_json::Value = serde_json::from_str(&text).expect("check JSON parses");
    assert_eq!(
        parsed["diagnostics"].as_array().map(Vec::len),
        Some(diagnostics.len())
    );
}

/// Renders a valid playbook (lint findings do not matter) to HTML and Markdown in both locales.
pub fn render_all(checked: &Checked) {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    let Some(playbook) = &checked.playbook else {
        return;
    };
    let renderer = RENDERER.get_or_init(|| Renderer::new(None).expect("built-in templates"));
    for locale in [stagebook::model::Locale::En, stagebook::model::Locale::ZhCn] {
        for format in [Format::Html, Format::Markdown] {
            let docs = renderer
                .render(playbook, locale, format, "playbook.yaml")
                .expect("a valid playbook renders with the built-in templates");
            assert_eq!(docs.len(), 2);
        }
    }
}

/// The template names a fuzzed template may replace (the first byte picks one), so it is
/// escaped as HTML, Markdown or not at all, and is the document rendered or a partial of it.
const TEMPLATE_NAMES: [&str; 6] = [
    "handbook.html.j2",
    "checklists.md.j2",
    "macros.html.j2",
    "style.css.j2",
    "handbook.md.j2",
    "checklists.html.j2",
];

/// Arbitrary bytes as a playbook and a user template (`--templates`): the first byte picks
/// the template's name, a NUL byte splits the rest into the playbook and the template. The
/// template folder is read by the real loader and every document rendered with its fuel
/// limit, in both locales; a playbook that is not valid is replaced by a fixed valid one
/// (`tests/fixtures/crm/b2b-saas.yaml`).
/// Errors are fine; a panic is not.
pub fn render_template_bytes(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (playbook, template) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (&[][..], rest),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let name = TEMPLATE_NAMES[usize::from(flags) % TEMPLATE_NAMES.len()];
    std::fs::write(dir.path().join(name), template).expect("template written");
    let Ok(renderer) = Renderer::new(Some(dir.path())) else {
        return;
    };
    let checked = check_bytes(playbook);
    let playbook = checked
        .as_ref()
        .and_then(|c| c.playbook.as_ref())
        .unwrap_or_else(|| crm_playbook());
    for locale in [stagebook::model::Locale::En, stagebook::model::Locale::ZhCn] {
        for format in [Format::Html, Format::Markdown] {
            if let Ok(docs) = renderer.render(playbook, locale, format, "playbook.yaml") {
                assert_eq!(docs.len(), 2);
            }
        }
    }
}

/// The playbook CRM files are compared with (`tests/fixtures/crm/b2b-saas.yaml`).
fn crm_playbook() -> &'static PlaybookFile {
    static PLAYBOOK_FILE: OnceLock<PlaybookFile> = OnceLock::new();
    PLAYBOOK_FILE.get_or_init(|| {
        let text = include_str!("../../tests/fixtures/crm/b2b-saas.yaml");
        let checked = check_bytes(text.as_bytes()).expect("a playbook");
        let diagnostics = checked.diagnostics;
        checked
            .playbook
            .unwrap_or_else(|| panic!("{diagnostics:?}"))
    })
}

/// Arbitrary bytes as what `crm diff` reads: a retrieved Salesforce folder's
/// `OpportunityStage` value set, a HubSpot pipelines response and a Pipedrive stages
/// response, each read by `crm diff`'s reader and compared with a fixed playbook, the
/// differences printed as text, Markdown and JSON (which must parse back).
pub fn read_crm_bytes(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sets = dir.path().join("force-app/main/default/standardValueSets");
    std::fs::create_dir_all(&sets).expect("folders made");
    std::fs::write(
        sets.join("OpportunityStage.standardValueSet-meta.xml"),
        data,
    )
    .expect("value set written");
    let json = dir.path().join("response.json");
    std::fs::write(&json, data).expect("response written");
    let playbook = crm_playbook();
    for (id, source) in [
        ("salesforce", dir.path()),
        ("hubspot", json.as_path()),
        ("pipedrive", json.as_path()),
    ] {
        let report = stagebook::crm::diff::report(id, playbook, source).expect("a known CRM");
        let Ok([_human, _markdown, json]) = report else {
            continue;
        };
        serde_json::from_str::<serde_json::Value>(&json).expect("the diff JSON parses");
    }
}

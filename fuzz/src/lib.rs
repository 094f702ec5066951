//! What the fuzz targets share: checking bytes like `stagebook check` does, and printing every
//! finding with every printer while asserting the invariants the printers rely on.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use stagebook::check::{self, Checked};
use stagebook::diagnostic::{Diagnostic, Label};
use stagebook::lint::Config;
use stagebook::load::files::MemoryFiles;
use stagebook::render::{Format, Renderer};
use stagebook::report::human::{self, HumanPrinter, Style};
use stagebook::report::json;

#[path = "../../tests/support/yaml_emit.rs"]
pub mod yaml_emit;

/// Loads, validates and lints `bytes` as `playbook.yaml` in a file tree held in memory (an
/// `include` finds nothing there). `None` for an include fragment.
pub fn check_bytes(bytes: &[u8]) -> Option<Checked> {
    let mut files = MemoryFiles::new(PathBuf::from("/fuzz"), "fuzz");
    files.insert("playbook.yaml", bytes.to_vec());
    let options = check::Options {
        lint: true,
        ..check::Options::default()
    };
    check::check_file_in(
        &files,
        Path::new("/fuzz/playbook.yaml"),
        &options,
        &Config::default(),
    )
    .expect("the file is in memory")
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
    let text = json::render(diagnostics, 1);
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

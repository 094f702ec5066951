//! What the fuzz targets share: checking bytes like `stagebook check` does, and printing every
//! finding with every printer while asserting the invariants the printers rely on.

use std::path::Path;
use std::sync::OnceLock;

use stagebook::check::{self, Checked};
use stagebook::diagnostic::{Diagnostic, Label};
use stagebook::load::{self, Limits};
use stagebook::render::{Format, Renderer};
use stagebook::report::human::{HumanPrinter, Style};
use stagebook::report::json;

#[path = "../../tests/support/yaml_emit.rs"]
pub mod yaml_emit;

/// The name fuzz inputs are checked under: a folder that does not exist, so `include` finds
/// nothing on disk.
pub const INPUT_PATH: &str = "/nonexistent-stagebook-fuzz/playbook.yaml";

/// Loads and validates `bytes` as a playbook file. `None` for an include fragment.
pub fn check_bytes(bytes: &[u8]) -> Option<Checked> {
    let loaded = load::load_bytes(Path::new(INPUT_PATH), bytes.to_vec(), &Limits::default())
        .expect("nothing is read from disk for a fuzz input");
    check::check_loaded(loaded)
}

fn assert_label(label: &Label) {
    let text = &label.file.text;
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
/// JSON printer; the JSON must parse back.
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
        for diagnostic in diagnostics {
            printer.render(diagnostic, &mut out);
        }
    }
    let text = json::render(diagnostics, 1);
    let parsed: serde_json::Value = serde_json::from_str(&text).expect("check JSON parses");
    assert_eq!(
        parsed["diagnostics"].as_array().map(Vec::len),
        Some(diagnostics.len())
    );
}

/// Renders a valid playbook to HTML and Markdown in both locales.
pub fn render_all(checked: &Checked) {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    let Some(playbook) = checked.playbook.as_ref().filter(|_| !checked.has_errors()) else {
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

//! Render stage of the pipeline: compiles a validated playbook into what reps use — a
//! handbook and per-stage checklists, in HTML (print and screen) and Markdown (wikis).
//!
//! Templates are minijinja files in `templates/`, loaded and run by
//! [`crate::emit::templates`] (embedded, overridable with `--templates DIR`, escaped by
//! content type, on a fuel budget). Templates see the context built in [`context`]
//! (documented in `docs/templates.md`), the flow picture from [`flow`] and the labels from
//! [`locale`].

mod context;
mod flow;
pub(crate) mod locale;
pub(crate) mod pdf;

use std::path::Path;

use minijinja::context;
use minijinja::value::{Serde, Value};

use crate::emit::templates::Templates;

use crate::model::{Locale, PlaybookFile};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// HTML for screen and print, one self-contained file each.
    Html,
    /// Markdown for wikis (GitHub renders the Mermaid flowchart).
    Markdown,
}

impl Format {
    /// The file extension: `html` or `md`.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Markdown => "md",
        }
    }
}

/// The documents rendered for each format, by base name.
pub(crate) const DOCUMENTS: [&str; 2] = ["handbook", "checklists"];

/// A failure of the renderer itself (not a finding about the playbook).
pub(crate) use crate::emit::templates::TemplateError as RenderError;

/// The template engine with the built-in templates and any overrides loaded.
#[derive(Debug)]
pub struct Renderer {
    templates: Templates,
}

impl Renderer {
    /// The built-in templates, with every file of `templates_dir` (if any) replacing the
    /// built-in template of the same name ([`crate::emit::templates`]).
    pub fn new(templates_dir: Option<&Path>) -> Result<Self, RenderError> {
        Templates::new(templates_dir).map(|templates| Self { templates })
    }

    /// Renders every document of `format` for `playbook`: `(file name, text)` pairs.
    pub fn render(
        &self,
        playbook: &PlaybookFile,
        locale: Locale,
        format: Format,
        source_name: &str,
    ) -> Result<Vec<(String, String)>, RenderError> {
        let ctx = context::Context::new(playbook, locale, source_name);
        let ordered = context::process_order(&playbook.stages);
        let flow = match format {
            Format::Html => Value::from_safe_string(flow::svg(&ordered, locale)),
            Format::Markdown => Value::from_safe_string(flow::mermaid(&ordered, locale)),
        };
        let root = context! { flow, ..Value::from(Serde(&ctx)) };
        DOCUMENTS
            .iter()
            .map(|doc| {
                let file = format!("{doc}.{}", format.extension());
                let text = self.templates.render(&format!("{file}.j2"), &root)?;
                Ok((file, text))
            })
            .collect()
    }
}

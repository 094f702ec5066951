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

    /// Renders every document of `format` for `playbook`: `(file name, text)` pairs. Holds
    /// every document in memory; `render` writes each to its file with [`Renderer::prepare`].
    pub fn render(
        &self,
        playbook: &PlaybookFile,
        locale: Locale,
        format: Format,
        source_name: &str,
    ) -> Result<Vec<(String, String)>, RenderError> {
        let prepared = self.prepare(playbook, locale, format, source_name);
        prepared
            .files()
            .into_iter()
            .map(|file| {
                let mut text = Vec::new();
                prepared.write(&file, &mut text)?;
                let text = String::from_utf8(text).expect("templates print text");
                Ok((file, text))
            })
            .collect()
    }

    /// The context of every document of `format` for `playbook`, built once, for
    /// [`Prepared::write`] to render one document at a time into its file.
    pub fn prepare(
        &self,
        playbook: &PlaybookFile,
        locale: Locale,
        format: Format,
        source_name: &str,
    ) -> Prepared<'_> {
        self.prepare_with_files(
            playbook,
            locale,
            format,
            source_name,
            &Attachments::new(),
            None,
        )
    }

    /// [`Renderer::prepare`] for pages written beside copies of the content library's files:
    /// an item whose file is in `attachments` links to it. With a `role` (an id of
    /// `playbook.roles`), the one document is that role's checklists (`checklists-<role>`).
    pub(crate) fn prepare_with_files(
        &self,
        playbook: &PlaybookFile,
        locale: Locale,
        format: Format,
        source_name: &str,
        attachments: &Attachments,
        role: Option<&str>,
    ) -> Prepared<'_> {
        let ctx = context::Context::new(playbook, locale, source_name, attachments, role);
        let ordered = context::process_order(&playbook.stages);
        let roles = &playbook.playbook.roles;
        let flow = match format {
            Format::Html => Value::from_safe_string(flow::svg(&ordered, roles, locale)),
            Format::Markdown => Value::from_safe_string(flow::mermaid(&ordered, roles, locale)),
        };
        let root = context! { flow, ..Value::from(Serde(&ctx)) };
        Prepared {
            templates: &self.templates,
            format,
            root,
            role: role.map(str::to_owned),
        }
    }
}

/// The content library's files copied beside a playbook's pages: content id → the link the
/// pages use, relative to the playbook's output folder (`files/content/acme.pdf`).
pub(crate) type Attachments = std::collections::BTreeMap<String, String>;

/// The documents of one format for one playbook, ready to render ([`Renderer::prepare`]).
pub struct Prepared<'a> {
    templates: &'a Templates,
    format: Format,
    root: Value,
    /// The role whose checklists alone are rendered.
    role: Option<String>,
}

impl Prepared<'_> {
    /// The documents' file names, in order ([`DOCUMENTS`] with the format's extension).
    pub fn files(&self) -> Vec<String> {
        let extension = self.format.extension();
        match &self.role {
            Some(role) => vec![format!("checklists-{role}.{extension}")],
            None => DOCUMENTS
                .iter()
                .map(|doc| format!("{doc}.{extension}"))
                .collect(),
        }
    }

    /// Renders the document `file` (one of [`Prepared::files`]) into `out` as it goes, so no
    /// document is ever held whole in memory.
    pub fn write(&self, file: &str, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        let template = match &self.role {
            Some(_) => format!("checklists.{}.j2", self.format.extension()),
            None => format!("{file}.j2"),
        };
        self.templates.render_to(&template, &self.root, out)
    }
}

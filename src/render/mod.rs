//! Render stage of the pipeline: compiles a validated playbook into what reps use — a
//! handbook and per-stage checklists, in HTML (print and screen) and Markdown (wikis).
//!
//! Templates are minijinja files in `templates/`, compiled into the binary; a team's
//! `--templates DIR` replaces any of them by file name (the mdBook model). Templates see the
//! context built in [`context`] (documented in `docs/templates.md`), the flow picture from
//! [`flow`] and the labels from [`locale`]. Undefined values are errors, so a typo in a
//! template fails loudly with the template's file and line.

mod context;
pub mod escape;
mod flow;
pub mod locale;
pub mod pdf;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};

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
    pub fn extension(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Markdown => "md",
        }
    }
}

/// The documents rendered for each format, by base name.
pub const DOCUMENTS: [&str; 2] = ["handbook", "checklists"];

/// A failure of the renderer itself (not a finding about the playbook).
#[derive(Debug)]
pub enum RenderError {
    /// A template failed to parse or to render.
    Template {
        /// Where the template came from: a path in `--templates`, or `built-in NAME`.
        origin: String,
        /// Line in the template, when known.
        line: Option<usize>,
        /// What went wrong.
        message: String,
    },
    /// The templates folder could not be read.
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Template {
                origin,
                line: Some(line),
                message,
            } => write!(f, "template {origin}:{line}: {message}"),
            Self::Template {
                origin, message, ..
            } => write!(f, "template {origin}: {message}"),
            Self::Io(path, error) => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for RenderError {}

/// The template engine with the built-in templates and any overrides loaded.
pub struct Renderer {
    env: Environment<'static>,
    /// Template name → the file it was read from, for overrides.
    overrides: BTreeMap<String, PathBuf>,
}

impl fmt::Debug for Renderer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Renderer")
            .field("overrides", &self.overrides)
            .finish_non_exhaustive()
    }
}

/// The names of the built-in templates.
pub fn builtin_templates() -> Vec<String> {
    let env = base_environment();
    env.templates().map(|(name, _)| name.to_owned()).collect()
}

fn base_environment() -> Environment<'static> {
    let mut env = Environment::new();
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .expect("the syntax settings are valid");
    env.set_syntax(syntax);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(auto_escape);
    env.set_formatter(|out, state, value| {
        if *state.auto_escape() == AutoEscape::Custom("markdown".into()) && !value.is_safe() {
            if value.is_none() {
                return Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    "printed a value that is none; test it with `{% if … %}` first",
                ));
            }
            out.write_str(&escape::markdown(&value.to_string()))
                .map_err(minijinja::Error::from)
        } else {
            if value.is_none() {
                return Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    "printed a value that is none; test it with `{% if … %}` first",
                ));
            }
            minijinja::escape_formatter(out, state, value)
        }
    });
    env.add_filter("md_escape", |text: String| escape::markdown(&text));
    env.add_filter("md_url", |url: String| {
        Value::from_safe_string(url.replace('<', "%3C").replace('>', "%3E"))
    });
    load_builtin(env)
}

// The generated loader names `minijinja::Environment` in full.
#[allow(unused_qualifications)]
fn load_builtin(mut env: Environment<'static>) -> Environment<'static> {
    minijinja_embed::load_templates!(env);
    env
}

/// HTML escaping for `*.html.j2` and `*.svg.j2`, Markdown escaping for `*.md.j2`, none for
/// the rest (stylesheets).
fn auto_escape(name: &str) -> AutoEscape {
    let name = name.strip_suffix(".j2").unwrap_or(name);
    match name.rsplit('.').next() {
        Some("html" | "svg" | "xml") => AutoEscape::Html,
        Some("md") => AutoEscape::Custom("markdown".into()),
        _ => AutoEscape::None,
    }
}

impl Renderer {
    /// The built-in templates, with every file of `templates_dir` (if any) replacing the
    /// built-in template of the same name. Files with other names are added too, so overrides
    /// can include partials of their own.
    pub fn new(templates_dir: Option<&Path>) -> Result<Self, RenderError> {
        let mut env = base_environment();
        let mut overrides = BTreeMap::new();
        if let Some(dir) = templates_dir {
            let mut files = Vec::new();
            for entry in
                std::fs::read_dir(dir).map_err(|e| RenderError::Io(dir.to_path_buf(), e))?
            {
                let entry = entry.map_err(|e| RenderError::Io(dir.to_path_buf(), e))?;
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if path.is_file() && !name.starts_with('.') {
                    files.push((name, path));
                }
            }
            files.sort();
            for (name, path) in files {
                let source =
                    std::fs::read_to_string(&path).map_err(|e| RenderError::Io(path.clone(), e))?;
                overrides.insert(name.clone(), path.clone());
                env.add_template_owned(name, source)
                    .map_err(|e| template_error(&e, &overrides))?;
            }
        }
        Ok(Self { env, overrides })
    }

    /// Files of `--templates` that replace a built-in template, by name.
    pub fn overrides(&self) -> &BTreeMap<String, PathBuf> {
        &self.overrides
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
                let template = self
                    .env
                    .get_template(&format!("{file}.j2"))
                    .map_err(|e| template_error(&e, &self.overrides))?;
                let text = template
                    .render(&root)
                    .map_err(|e| template_error(&e, &self.overrides))?;
                Ok((file, text))
            })
            .collect()
    }
}

fn template_error(error: &minijinja::Error, overrides: &BTreeMap<String, PathBuf>) -> RenderError {
    let name = error.name().unwrap_or("?");
    let origin = overrides.get(name).map_or_else(
        || format!("templates/{name} (built-in)"),
        |path| path.display().to_string(),
    );
    let mut message = error.kind().to_string();
    if let Some(detail) = error.detail() {
        message = format!("{message}: {detail}");
    }
    RenderError::Template {
        origin,
        line: error.line(),
        message,
    }
}

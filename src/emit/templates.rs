//! Output layer: the one minijinja environment every page is rendered with (the handbook, the
//! checklists, the metrics report, the preview server's pages).
//!
//! Templates are the files in `templates/`, compiled into the binary; a team's
//! `--templates DIR` replaces any of them by file name (the mdBook model). A template folder
//! is untrusted input, so:
//! - only regular files inside the folder are read: a symlink that leaves it (to
//!   `/proc/self/environ`, say) or a FIFO is an error, never read;
//! - every value printed is escaped by the template's name: Markdown for `*.md*`, nothing for
//!   stylesheets (`*.css*`), and HTML for every other name (`*.html.j2`, `*.htm.j2`,
//!   `*.jinja`, a partial with no extension …), so a new name cannot print playbook text raw;
//! - a template runs on a budget of instructions ([`FUEL`]): an endless loop ends with an
//!   error naming the template.
//!
//! Undefined values are errors, so a typo in a template fails loudly with its file and line.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};

use super::escape;

/// Instructions a template may run for one page. The built-in handbook of an 8 MB playbook
/// (4 000 stages) takes 2.6 million, so only a loop that never ends (or grows with every pass)
/// meets it, after a few seconds.
pub(crate) const FUEL: u64 = 200_000_000;

/// The largest template file read, in bytes.
pub(crate) const MAX_TEMPLATE_BYTES: u64 = 4 * 1024 * 1024;

/// A failure of a template (not a finding about the playbook).
#[derive(Debug)]
pub enum TemplateError {
    /// A template failed to parse or to render.
    Template {
        /// Where the template came from: a path in `--templates`, or `built-in NAME`.
        origin: String,
        /// Line in the template, when known.
        line: Option<usize>,
        /// What went wrong.
        message: String,
    },
    /// The templates folder or a file in it could not be read.
    Io(PathBuf, std::io::Error),
    /// A file of the templates folder is not one stagebook reads.
    Refused {
        /// The file.
        path: PathBuf,
        /// Why, with a help line.
        reason: String,
    },
}

impl fmt::Display for TemplateError {
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
            Self::Refused { path, reason } => {
                write!(
                    f,
                    "refusing to read template `{}`: {reason}",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for TemplateError {}

/// The template engine with the built-in templates and any overrides loaded.
pub(crate) struct Templates {
    env: Environment<'static>,
    /// Template name → the file it was read from, for overrides.
    overrides: BTreeMap<String, PathBuf>,
}

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Templates")
            .field("overrides", &self.overrides)
            .finish_non_exhaustive()
    }
}

fn none_printed() -> minijinja::Error {
    minijinja::Error::new(
        ErrorKind::InvalidOperation,
        "printed a value that is none; test it with `{% if … %}` first",
    )
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
        if value.is_none() {
            return Err(none_printed());
        }
        let text = match state.auto_escape() {
            _ if value.is_safe() => return minijinja::escape_formatter(out, state, value),
            AutoEscape::Html => escape::html(&value.to_string()),
            AutoEscape::Custom(name) if name == "markdown" => escape::markdown(&value.to_string()),
            _ => return minijinja::escape_formatter(out, state, value),
        };
        out.write_str(&text).map_err(minijinja::Error::from)
    });
    // `|e` and `|escape` use the same escaper as auto-escape.
    let html = |text: String| Value::from_safe_string(escape::html(&text));
    env.add_filter("e", html);
    env.add_filter("escape", html);
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

/// How a template's output is escaped, by its name: Markdown for `*.md`, none for
/// stylesheets, HTML for everything else. A suffix `.j2`, `.jinja`, `.jinja2` or `.tmpl` is
/// looked through (`handbook.html.j2` is HTML); a bare `partial.jinja` is HTML too.
fn auto_escape(name: &str) -> AutoEscape {
    let inner = [".j2", ".jinja2", ".jinja", ".tmpl"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name);
    let extension = inner
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase());
    match extension.as_deref() {
        Some("md" | "markdown") => AutoEscape::Custom("markdown".into()),
        Some("css") => AutoEscape::None,
        _ => AutoEscape::Html,
    }
}

impl Templates {
    /// The built-in templates, with every file of `templates_dir` (if any) replacing the
    /// built-in template of the same name. Files with other names are added too, so overrides
    /// can include partials of their own. Hidden files and subfolders are left out.
    pub(crate) fn new(templates_dir: Option<&Path>) -> Result<Self, TemplateError> {
        Self::with_fuel(templates_dir, FUEL)
    }

    fn with_fuel(templates_dir: Option<&Path>, fuel: u64) -> Result<Self, TemplateError> {
        let mut env = base_environment();
        env.set_fuel(Some(fuel));
        let mut overrides = BTreeMap::new();
        if let Some(dir) = templates_dir {
            let io = |e| TemplateError::Io(dir.to_path_buf(), e);
            let root = dir.canonicalize().map_err(io)?;
            let mut files = Vec::new();
            for entry in std::fs::read_dir(dir).map_err(io)? {
                let entry = entry.map_err(io)?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let path = entry.path();
                if let Some(path) = template_file(&root, path)? {
                    files.push((name, path));
                }
            }
            files.sort();
            for (name, path) in files {
                let source = read_template(&path)?;
                overrides.insert(name.clone(), path.clone());
                env.add_template_owned(name, source)
                    .map_err(|e| template_error(&e, &overrides))?;
            }
        }
        Ok(Self { env, overrides })
    }

    /// Renders the template `name` with `context` straight into `out`, so a big page is
    /// never held whole in memory (`out` should be buffered: the engine writes small pieces).
    pub(crate) fn render_to(
        &self,
        name: &str,
        context: &Value,
        out: &mut dyn std::io::Write,
    ) -> Result<(), TemplateError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(&e, &self.overrides))?;
        template
            .render_captured_to(context, out)
            .map(|_| ())
            .map_err(|e| template_error(&e, &self.overrides))
    }

    /// Renders the template `name` with `context`.
    pub(crate) fn render(&self, name: &str, context: &Value) -> Result<String, TemplateError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(&e, &self.overrides))?;
        template
            .render(context)
            .map_err(|e| template_error(&e, &self.overrides))
    }
}

/// The file to read for `path`, a directory entry of the templates folder `root`
/// (canonical): `None` for a subfolder, an error for anything but a regular file inside it.
fn template_file(root: &Path, path: PathBuf) -> Result<Option<PathBuf>, TemplateError> {
    let meta = std::fs::symlink_metadata(&path).map_err(|e| TemplateError::Io(path.clone(), e))?;
    if meta.is_dir() {
        return Ok(None);
    }
    if meta.is_symlink() {
        let target = path
            .canonicalize()
            .map_err(|e| TemplateError::Io(path.clone(), e))?;
        if !target.starts_with(root) {
            return Err(TemplateError::Refused {
                path,
                reason: "it is a symlink that leaves the templates folder\n  help: copy the \
                         template into the folder instead of linking to it"
                    .into(),
            });
        }
        if target.is_dir() {
            return Ok(None);
        }
    }
    let meta = std::fs::metadata(&path).map_err(|e| TemplateError::Io(path.clone(), e))?;
    if !meta.is_file() {
        return Err(TemplateError::Refused {
            path,
            reason: "it is not a regular file\n  help: templates are read only from regular \
                     files; remove the FIFO, socket or device from the folder"
                .into(),
        });
    }
    Ok(Some(path))
}

/// Reads a template file, at most [`MAX_TEMPLATE_BYTES`] of it.
fn read_template(path: &Path) -> Result<String, TemplateError> {
    let io = |e| TemplateError::Io(path.to_path_buf(), e);
    let file = std::fs::File::open(path).map_err(io)?;
    // The file may have been swapped since it was listed: look at what was opened.
    if !file.metadata().map_err(io)?.is_file() {
        return Err(TemplateError::Refused {
            path: path.to_path_buf(),
            reason: "it is not a regular file\n  help: templates are read only from regular \
                     files"
                .into(),
        });
    }
    let mut source = String::new();
    file.take(MAX_TEMPLATE_BYTES + 1)
        .read_to_string(&mut source)
        .map_err(io)?;
    if source.len() as u64 > MAX_TEMPLATE_BYTES {
        return Err(TemplateError::Refused {
            path: path.to_path_buf(),
            reason: format!(
                "it is larger than {} MiB\n  help: split it into partials with `{{% include %}}`",
                MAX_TEMPLATE_BYTES / 1024 / 1024
            ),
        });
    }
    Ok(source)
}

fn template_error(
    error: &minijinja::Error,
    overrides: &BTreeMap<String, PathBuf>,
) -> TemplateError {
    let name = error.name().unwrap_or("?");
    let origin = overrides.get(name).map_or_else(
        || format!("templates/{name} (built-in)"),
        |path| path.display().to_string(),
    );
    let message = if error.kind() == ErrorKind::OutOfFuel {
        "the template ran past its budget of instructions\n  help: look for a loop that never \
         ends or grows with every pass"
            .to_owned()
    } else {
        match error.detail() {
            Some(detail) => format!("{}: {detail}", error.kind()),
            None => error.kind().to_string(),
        }
    };
    TemplateError::Template {
        origin,
        line: error.line(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn every_html_name_escapes() {
        let dir = folder(&[
            ("a.html.j2", "{{ x }}"),
            ("b.htm.j2", "{{ x }}"),
            ("c.jinja", "{{ x }}"),
            ("d.html", "{{ x }}"),
            ("e", "{{ x }}"),
            ("f.md.j2", "{{ x }}"),
            ("g.css.j2", "{{ x }}"),
            ("h.html.j2", "{{ x|e }}"),
        ]);
        let templates = Templates::new(Some(dir.path())).unwrap();
        let ctx = context! { x => "<b>a/b</b>" };
        let escaped = "&lt;b&gt;a/b&lt;/b&gt;";
        for name in [
            "a.html.j2",
            "b.htm.j2",
            "c.jinja",
            "d.html",
            "e",
            "h.html.j2",
        ] {
            assert_eq!(templates.render(name, &ctx).unwrap(), escaped, "{name}");
        }
        assert_eq!(
            templates.render("f.md.j2", &ctx).unwrap(),
            "&lt;b&gt;a/b&lt;/b&gt;"
        );
        assert_eq!(templates.render("g.css.j2", &ctx).unwrap(), "<b>a/b</b>");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_leaving_the_folder_is_refused() {
        let outside = folder(&[("secret", "TOKEN=hunter2")]);
        let dir = folder(&[("inner.html.j2", "inner")]);
        let link = dir.path().join("handbook.html.j2");
        std::os::unix::fs::symlink(outside.path().join("secret"), &link).unwrap();
        let error = Templates::new(Some(dir.path())).unwrap_err().to_string();
        assert!(
            error.starts_with("refusing to read template `")
                && error.contains("it is a symlink that leaves the templates folder\n  help: "),
            "{error}"
        );
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink("/proc/self/environ", &link).unwrap();
        assert!(Templates::new(Some(dir.path())).is_err());
        // A link to a file inside the folder is fine.
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(dir.path().join("inner.html.j2"), &link).unwrap();
        let templates = Templates::new(Some(dir.path())).unwrap();
        let text = templates.render("handbook.html.j2", &context! {}).unwrap();
        assert_eq!(text, "inner");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = folder(&[]);
        let fifo = dir.path().join("handbook.html.j2");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo on this system
        }
        let error = Templates::new(Some(dir.path())).unwrap_err().to_string();
        assert!(error.contains("it is not a regular file"), "{error}");
    }

    #[test]
    fn a_runaway_template_runs_out_of_fuel() {
        let dir = folder(&[(
            "loop.html.j2",
            "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
        )]);
        // The real budget takes seconds to spend in a debug build; the error is the same.
        let templates = Templates::with_fuel(Some(dir.path()), 1_000_000).unwrap();
        let error = templates
            .render("loop.html.j2", &context! {})
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("loop.html.j2:1: the template ran past its budget of")
                && error.contains("\n  help: look for a loop"),
            "{error}"
        );
    }
}

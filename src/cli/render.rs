//! `stagebook render`: compile playbooks into handbooks and checklists (HTML, Markdown, PDF).

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::locale::LocaleArg;
use super::{EXIT_FINDINGS, EXIT_OK, print_out};
use crate::check::{self, Checked, Refused};
use crate::diagnostic::Summary;
use crate::emit::OutDir;
use crate::emit::words::plural;
use crate::lint::rules::broken_content_link;
use crate::load::Limits;
use crate::model::{ID_PATTERN, Locale, PlaybookFile};
use crate::render::{Attachments, Format, Renderer, pdf};
use crate::report::human::{HumanPrinter, Style};

/// Output formats on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub(crate) enum FormatArg {
    /// HTML for screen and print.
    Html,
    /// Markdown for wikis.
    Md,
}

/// Arguments of `render`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Playbook files or folders (searched for *.yaml and *.yml).
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// Output folder; each playbook goes into a subfolder named after its id.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Formats to write, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [FormatArg::Html, FormatArg::Md])]
    pub(crate) format: Vec<FormatArg>,
    /// Folder of templates that replace the built-in ones by file name (e.g. style.css.j2).
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,
    /// Language of the labels; default: the playbook's `locale`.
    #[arg(long, value_enum)]
    pub(crate) locale: Option<LocaleArg>,
    /// Render playbooks even when they have errors.
    #[arg(long)]
    pub(crate) allow_errors: bool,
    /// Also print each HTML file to PDF with a headless Chromium.
    #[arg(long)]
    pub(crate) pdf: bool,
    /// Largest playbook file to read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 16)]
    pub(crate) max_file_size: u64,
    /// Render only these roles' checklists (ids of `playbook.roles`, comma-separated):
    /// `checklists-<role>.html` with what each role does, stage by stage.
    #[arg(long, value_name = "ROLE", value_delimiter = ',')]
    pub(crate) role: Vec<String>,
    /// Render again whenever a playbook, an included file or a template changes, until Ctrl-C.
    #[arg(long)]
    pub(crate) watch: bool,
}

pub(crate) fn run(args: &Args) -> io::Result<u8> {
    if !args.watch {
        return render_once(args).map(|(code, _)| code);
    }
    crate::watch::rebuild_on_change(|| {
        // The folders too: a playbook added to a watched folder changes the folder.
        let mut inputs = args.paths.clone();
        match render_once(args) {
            Ok((_, read)) => inputs.extend(read),
            Err(error) => eprintln!("error: {error}"),
        }
        if let Some(dir) = &args.templates {
            inputs.push(dir.clone());
            inputs.extend(crate::watch::files_in(dir));
        }
        inputs.sort();
        inputs.dedup();
        eprintln!(
            "watching {} files and folders for changes (Ctrl-C stops)",
            inputs.len()
        );
        inputs
    })
}

/// A content item's local file (`path:`), copied beside the pages that link to it.
struct ContentFile {
    /// The content item's id.
    id: String,
    /// The file in the project.
    source: PathBuf,
    /// Where the copy goes in the playbook's output folder: `files/` and the file's path in
    /// the project (`files/content/acme.pdf`).
    target: String,
}

impl ContentFile {
    /// The link to the copy from a page in the playbook's output folder, each part
    /// percent-encoded (`files/case%20studies/acme.pdf`).
    fn href(&self) -> String {
        const KEEP: &[u8] = b"-._~";
        let mut href = String::new();
        for (i, part) in self.target.split('/').enumerate() {
            if i > 0 {
                href.push('/');
            }
            for byte in part.bytes() {
                if byte.is_ascii_alphanumeric() || KEEP.contains(&byte) {
                    href.push(char::from(byte));
                } else {
                    let _ = write!(href, "%{byte:02X}");
                }
            }
        }
        href
    }
}

/// The local files of an opened playbook's content library that exist inside the project
/// (the others are `broken-content-link` findings, and stay unlinked text).
fn content_files(opened: &check::Opened) -> Vec<ContentFile> {
    let root = crate::load::project_root(&opened.file.path);
    let root = root.canonicalize().unwrap_or(root);
    opened
        .playbook
        .content
        .iter()
        .enumerate()
        .filter_map(|(k, item)| {
            let path = item.path.as_deref()?;
            let source =
                broken_content_link::content_file(&opened.document, &root, k, path).ok()?;
            let inside = source.strip_prefix(&root).ok()?;
            let parts: Vec<String> = inside
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            Some(ContentFile {
                id: item.id.to_string(),
                target: format!("files/{}", parts.join("/")),
                source,
            })
        })
        .collect()
}

/// "2 lint warnings", "1 lint error, 3 lint warnings".
fn lint_counts(summary: &Summary) -> String {
    let mut parts = Vec::new();
    if summary.errors > 0 {
        parts.push(plural(summary.errors, "lint error"));
    }
    if summary.warnings > 0 {
        parts.push(plural(summary.warnings, "lint warning"));
    }
    parts.join(", ")
}

/// Renders once; returns the exit code and every file read (playbooks and their includes).
fn render_once(args: &Args) -> io::Result<(u8, Vec<PathBuf>)> {
    let renderer = Renderer::new(args.templates.as_deref()).map_err(io::Error::other)?;
    let browser = if args.pdf && args.format.contains(&FormatArg::Html) {
        Some(pdf::find_chromium().ok_or_else(pdf::missing_chromium)?)
    } else if args.pdf {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "--pdf prints the HTML files: add html to --format",
        ));
    } else {
        None
    };
    let options = check::Options {
        limits: Limits {
            max_file_size: args.max_file_size.saturating_mul(1024 * 1024),
            ..Limits::default()
        },
        ..check::Options::default()
    };

    let mut files = Vec::new();
    for path in &args.paths {
        files.extend(crate::load::discover(path)?);
    }
    let mut checked: Vec<Checked> = Vec::new();
    // "sales.yaml: 2 lint warnings …" for each playbook whose lint rules find something: the
    // handbook is rendered all the same, but its author should know it has gaps.
    let mut lint_lines = String::new();
    // The content library's local files of each playbook, copied beside its pages.
    let mut files_of: HashMap<PathBuf, Vec<ContentFile>> = HashMap::new();
    for path in &files {
        // With `--allow-errors` a playbook with errors is rendered too, so both outcomes of
        // the gate are kept; the check below decides.
        match check::open_playbook(path, &options)? {
            Ok(opened) => {
                let lint = check::lint_summary(&opened)?;
                if lint.errors + lint.warnings > 0 {
                    let _ = writeln!(
                        lint_lines,
                        "{}: {}; `stagebook check {}` shows {}",
                        path.display(),
                        lint_counts(&lint),
                        path.display(),
                        if lint.errors + lint.warnings == 1 {
                            "it"
                        } else {
                            "them"
                        }
                    );
                }
                files_of.insert(opened.file.path.clone(), content_files(&opened));
                checked.push(opened.into());
            }
            Err(Refused::Errors(c)) => checked.push(*c),
            Err(Refused::Fragment) if args.paths.contains(path) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "{}: this file is an include fragment, not a playbook: render the playbook that includes it",
                        path.display()
                    ),
                ));
            }
            Err(Refused::Fragment) => {}
        }
    }

    // Findings first, exactly as `check` prints them.
    let diagnostics: Vec<_> = checked
        .iter()
        .flat_map(|c| c.diagnostics.iter().cloned())
        .collect();
    let mut text = String::new();
    if !diagnostics.is_empty() {
        let printer = HumanPrinter::new(Style::detect(io::stdout().is_terminal()));
        for diagnostic in &diagnostics {
            printer.render(diagnostic, &mut text);
        }
        text.push_str(&Summary::new(&diagnostics, checked.len()).to_string());
        text.push('\n');
    }
    let read: Vec<PathBuf> = checked
        .iter()
        .filter_map(|c| c.document.as_ref())
        .flat_map(|d| d.files.iter().map(|f| f.path.clone()))
        .chain(files.iter().cloned())
        .collect();
    if checked.iter().any(Checked::has_errors) && !args.allow_errors {
        text.push_str(
            "nothing rendered: fix the errors above, or render anyway with --allow-errors\n",
        );
        print_out(&text)?;
        return Ok((EXIT_FINDINGS, read));
    }
    // Only the typed playbooks are rendered: the loaded documents, the files' text and the
    // findings go before the pages are built, so a big playbook is not held twice.
    drop(diagnostics);
    let checked: Vec<(PathBuf, Option<PlaybookFile>)> = checked
        .into_iter()
        .map(|c| (c.file.path.clone(), c.playbook))
        .collect();

    let out = OutDir::create(&args.out)?;
    let formats: BTreeSet<Format> = args
        .format
        .iter()
        .map(|f| match f {
            FormatArg::Html => Format::Html,
            FormatArg::Md => Format::Markdown,
        })
        .collect();
    let id_pattern = |id: &str| {
        !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            && !id.starts_with(['-', '_'])
    };
    debug_assert!(ID_PATTERN.starts_with("^[a-z0-9]"));
    let mut seen = BTreeSet::new();
    for (path, playbook) in &checked {
        let Some(playbook) = playbook else {
            return Err(io::Error::other(format!(
                "{}: cannot render a playbook that does not match the playbook format, even with --allow-errors",
                path.display()
            )));
        };
        let id = playbook.playbook.id.as_str();
        let roles = &playbook.playbook.roles;
        if let Some(missing) = args
            .role
            .iter()
            .find(|r| !roles.iter().any(|known| known.id.as_str() == r.as_str()))
        {
            let known: Vec<&str> = roles.iter().map(|r| r.id.as_str()).collect();
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                if known.is_empty() {
                    format!(
                        "{}: --role {missing}: the playbook lists no `roles` (add them under `playbook:`, then `owner:` on stages)",
                        path.display()
                    )
                } else {
                    format!(
                        "{}: --role {missing}: the playbook has no such role; its roles are: {}",
                        path.display(),
                        known.join(", ")
                    )
                },
            ));
        }
        if !id_pattern(id) {
            return Err(io::Error::other(format!(
                "playbook id `{id}` cannot name a folder"
            )));
        }
        if !seen.insert(id.to_owned()) {
            return Err(io::Error::other(format!(
                "two playbooks have the id `{id}`: they would be written to the same folder"
            )));
        }
        let mut attachments = Attachments::new();
        for file in files_of.get(path).into_iter().flatten() {
            if attachments.values().any(|href| *href == file.href()) {
                attachments.insert(file.id.clone(), file.href());
                continue;
            }
            let target = Path::new(id).join(&file.target);
            out.write_with(&target, |copy, _| {
                io::copy(&mut std::fs::File::open(&file.source)?, copy).map(|_| ())
            })
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", file.source.display())))?;
            let _ = writeln!(text, "wrote {}", shown(&args.out, id, &file.target));
            attachments.insert(file.id.clone(), file.href());
        }
        let locale = args.locale.map_or(playbook.playbook.locale, Locale::from);
        let source = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let roles: Vec<Option<&str>> = if args.role.is_empty() {
            vec![None]
        } else {
            args.role.iter().map(|r| Some(r.as_str())).collect()
        };
        for (&format, role) in formats
            .iter()
            .flat_map(|f| roles.iter().map(move |r| (f, *r)))
        {
            // Each document goes straight into its temporary file, renamed into place only
            // when complete: a big playbook's pages are never all held in memory.
            let prepared =
                renderer.prepare_with_files(playbook, locale, format, &source, &attachments, role);
            for name in prepared.files() {
                let written = out.write_with(&Path::new(id).join(&name), |file, _| {
                    let mut buffered = io::BufWriter::with_capacity(64 * 1024, file);
                    prepared
                        .write(&name, &mut buffered)
                        .map_err(io::Error::other)?;
                    io::Write::flush(&mut buffered)
                })?;
                let _ = writeln!(text, "wrote {}", shown(&args.out, id, &name));
                if let (Some(browser), Format::Html) = (&browser, format) {
                    let pdf_name = name.replace(".html", ".pdf");
                    out.write_with(&Path::new(id).join(&pdf_name), |_, temp| {
                        pdf::print(browser, &written, temp)
                    })?;
                    let _ = writeln!(text, "wrote {}", shown(&args.out, id, &pdf_name));
                }
            }
        }
    }
    text.push_str(&lint_lines);
    print_out(&text)?;
    Ok((EXIT_OK, read))
}

fn shown(out: &Path, id: &str, name: &str) -> String {
    out.join(id).join(name).display().to_string()
}

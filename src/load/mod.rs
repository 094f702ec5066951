//! Load stage: finds playbook files, reads them with guards against hostile input, parses each
//! once into a value and a span map ([`yaml`]), and stitches included files into one document.
//!
//! Nothing here fails on a bad playbook: every problem becomes a [`Diagnostic`]. Only I/O
//! failures (an unreadable path) are errors.

mod extends;
pub mod files;
pub mod yaml;

/// The source model moved to [`crate::source`]; this path stays for callers not yet updated.
pub(crate) use crate::source;

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Label, codes};
use crate::source::SourceFile;
pub(crate) use files::{Disk, Files};
pub(crate) use yaml::SpanMap;

/// Guards against hostile or accidental input. Every limit ends in a diagnostic, never a crash.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest file read, in bytes (default 16 MiB).
    pub(crate) max_file_size: u64,
    /// Deepest nesting of lists and mappings (default 128).
    pub(crate) max_depth: usize,
    /// Most nodes that aliases (`*name`) may copy in one file (default 100,000).
    pub(crate) alias_budget: usize,
}

impl Limits {
    /// Most text bytes (keys and scalar values) that aliases may copy in one file: as many as
    /// the largest file read, so a loaded file holds at most twice `max_file_size` of text
    /// however its aliases are arranged.
    pub(crate) fn alias_byte_budget(&self) -> u64 {
        self.max_file_size
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_size: 16 * 1024 * 1024,
            max_depth: 128,
            alias_budget: 100_000,
        }
    }
}

/// One playbook, with its included files merged in.
#[derive(Debug)]
pub struct Document {
    /// The files it was read from; index 0 is the playbook itself, then its includes.
    pub files: Vec<Arc<SourceFile>>,
    /// The merged document.
    pub value: Value,
    /// Where every node of `value` is written.
    pub spans: SpanMap,
}

impl Document {
    /// A label for the node at `pointer` (or its nearest ancestor): its value, or its key when
    /// `on_key` is set and it has one.
    pub(crate) fn label(&self, pointer: &str, on_key: bool) -> Label {
        match self.spans.find(pointer) {
            Some(span) => {
                let range = match (&span.key, on_key) {
                    (Some(key), true) => key.clone(),
                    _ => span.value.clone(),
                };
                Label::new(&self.files[span.file], range)
            }
            None => Label::new(&self.files[0], 0..0),
        }
    }

    /// Whether the document writes the node at `pointer`.
    pub(crate) fn has(&self, pointer: &str) -> bool {
        self.spans.get(pointer).is_some()
    }

    /// The playbook file itself.
    pub(crate) fn file(&self) -> &Arc<SourceFile> {
        &self.files[0]
    }

    /// The folder of the file that holds the node at `pointer` (the playbook's, or an
    /// included file's): what relative paths written there are relative to.
    pub(crate) fn folder_of(&self, pointer: &str) -> PathBuf {
        let file = self.spans.find(pointer).map_or(0, |span| span.file);
        self.files[file]
            .path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }
}

/// What reading one path produced.
#[derive(Debug)]
pub enum Loaded {
    /// A playbook, ready for validation (absent when YAML errors stopped it).
    Playbook {
        /// The playbook file.
        file: Arc<SourceFile>,
        /// The document, when the YAML could be read.
        document: Option<Document>,
        /// Problems found while reading.
        diagnostics: Vec<Diagnostic>,
    },
    /// A file that holds only `stages` and/or `content` for another playbook's `include`.
    Fragment {
        /// The fragment file.
        file: Arc<SourceFile>,
    },
}

/// Lists the playbook files under `path`: the file itself, or every `*.yaml` / `*.yml` below a
/// folder (hidden folders skipped, symlinked folders not followed), sorted by path. A link to a
/// playbook is followed when its target is a file inside the project (see [`project_root`]; a
/// file reached twice is listed once). A link leaving the project is not followed, so a pull
/// request cannot make `check` print the text of a file elsewhere on the machine; a folder
/// holding only such links is an error rather than "0 files".
pub(crate) fn discover(path: &Path) -> io::Result<Vec<PathBuf>> {
    let metadata = fs::metadata(path)?;
    if !metadata.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let root = folder_project_root(&path.canonicalize()?);
    let mut files = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut outward = None;
    let walker = walkdir::WalkDir::new(path)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
        });
    for entry in walker {
        let entry = entry.map_err(io::Error::other)?;
        let is_yaml = entry
            .path()
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml");
        if !is_yaml {
            continue;
        }
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            let target = match entry.path().canonicalize() {
                Ok(target) if target.starts_with(&root) => target,
                Ok(_) => {
                    outward.get_or_insert_with(|| entry.path().to_path_buf());
                    continue;
                }
                // A dangling link: reading it reports the missing file.
                Err(_) => {
                    files.push(entry.into_path());
                    continue;
                }
            };
            if target.is_file() && seen.insert(target) {
                files.push(entry.into_path());
            }
        } else if file_type.is_file() {
            let canonical = entry
                .path()
                .canonicalize()
                .unwrap_or_else(|_| entry.path().to_path_buf());
            if seen.insert(canonical) {
                files.push(entry.into_path());
            }
        } else if !file_type.is_dir() {
            // Listed, so reading it reports the pipe, device or socket instead of skipping it.
            files.push(entry.into_path());
        }
    }
    if let (true, Some(link)) = (files.is_empty(), outward) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "no playbook to check: `{}` is a link to a file outside the project folder `{}`, which stagebook does not follow; copy the playbook into the project instead",
                link.display(),
                source::display_name(&root)
            ),
        ));
    }
    Ok(files)
}

/// Reads a file's bytes from `files` (the disk, or a git revision held in memory) and checks
/// they are text a YAML parser should see: not too large, UTF-8 (a UTF-8 byte-order mark is
/// fine, UTF-16 is not), no NUL bytes.
pub(crate) fn read_source_in(
    files: &dyn Files,
    path: &Path,
    limits: &Limits,
) -> io::Result<(Arc<SourceFile>, Option<Diagnostic>)> {
    let bytes = files.read(path, limits.max_file_size.saturating_add(1))?;
    let name = files.display_name(path);
    let new = |text: String| SourceFile::named(name.clone(), path, text);
    if bytes.len() as u64 > limits.max_file_size {
        let source = new(String::new());
        let diagnostic = Diagnostic::of(
            codes::input::TOO_LARGE,
            format!(
                "the file is larger than {} MiB, the most stagebook reads",
                limits.max_file_size / (1024 * 1024)
            ),
            Label::new(&source, 0..0),
        )
        .with_help("split the playbook into smaller files with `include`, or raise the limit with `--max-file-size`");
        return Ok((source, Some(diagnostic)));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let source = new(String::new());
        let diagnostic = Diagnostic::of(
            codes::input::UTF16,
            "the file is saved as UTF-16, which stagebook does not read",
            Label::new(&source, 0..0),
        )
        .with_help("save the file as UTF-8 (in most editors: File › Save with Encoding › UTF-8)");
        return Ok((source, Some(diagnostic)));
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            if let Some(at) = text.find('\0') {
                let source = new(text);
                let diagnostic = Diagnostic::of(
                    codes::yaml::NUL_BYTE,
                    "the file contains a NUL byte, which YAML does not allow",
                    Label::new(&source, at..at + 1),
                )
                .with_help("the file may be binary or damaged: remove the NUL bytes, or restore it from version control");
                return Ok((source, Some(diagnostic)));
            }
            Ok((new(text), None))
        }
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let lossy = String::from_utf8_lossy(&bytes[..at]).into_owned();
            let source = new(lossy);
            let end = source.text().len();
            let diagnostic = Diagnostic::of(
                codes::yaml::ENCODING,
                format!("the file is not valid UTF-8 (bad byte at offset {at})"),
                Label::new(&source, end..end),
            )
            .with_help("save the file as UTF-8; text pasted from another program may have brought in a different encoding");
            Ok((source, Some(diagnostic)))
        }
    }
}

/// Reads and parses one file.
fn read_and_parse(
    files: &dyn Files,
    path: &Path,
    limits: &Limits,
) -> io::Result<(Arc<SourceFile>, yaml::Parsed)> {
    let (source, problem) = read_source_in(files, path, limits)?;
    if let Some(diagnostic) = problem {
        let parsed = yaml::Parsed {
            value: None,
            spans: SpanMap::default(),
            diagnostics: vec![diagnostic],
        };
        return Ok((source, parsed));
    }
    let parsed = yaml::parse(&source, limits);
    Ok((source, parsed))
}

/// Whether a parsed root is an include fragment: a mapping with `stages` and/or `content` only.
fn is_fragment(value: &Value) -> bool {
    value.as_object().is_some_and(|map| {
        !map.is_empty() && map.keys().all(|key| key == "stages" || key == "content")
    })
}

/// Reads one playbook file and everything it includes.
pub fn load(path: &Path, limits: &Limits) -> io::Result<Loaded> {
    load_in(&Disk, path, limits)
}

/// [`load`] from any [`Files`]: `stagebook diff` reads old revisions from git this way,
/// without checking them out.
pub(crate) fn load_in(files: &dyn Files, path: &Path, limits: &Limits) -> io::Result<Loaded> {
    let (file, parsed) = read_and_parse(files, path, limits)?;
    let yaml::Parsed {
        value,
        spans,
        mut diagnostics,
    } = parsed;
    let Some(value) = value else {
        return Ok(Loaded::Playbook {
            file,
            document: None,
            diagnostics,
        });
    };
    if is_fragment(&value) {
        return Ok(Loaded::Fragment { file });
    }
    if value.get("extends").is_some() {
        let document = extends::resolve(files, &file, value, spans, limits, &mut diagnostics)?;
        return Ok(Loaded::Playbook {
            file,
            document,
            diagnostics,
        });
    }
    let mut document = Document {
        files: vec![Arc::clone(&file)],
        value,
        spans,
    };
    resolve_includes(files, &mut document, limits, &mut diagnostics)?;
    Ok(Loaded::Playbook {
        file,
        document: Some(document),
        diagnostics,
    })
}

/// The folder includes must stay inside: the nearest folder above the playbook that holds a
/// `stagebook.toml` or `.git`, or else the playbook's own folder.
pub(crate) fn project_root(playbook: &Path) -> PathBuf {
    let folder = playbook
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    folder_project_root(&folder)
}

/// [`project_root`] for the playbooks of `folder` (an absolute path).
fn folder_project_root(folder: &Path) -> PathBuf {
    folder
        .ancestors()
        .find(|dir| dir.join("stagebook.toml").is_file() || dir.join(".git").exists())
        .map_or_else(|| folder.to_path_buf(), Path::to_path_buf)
}

fn resolve_includes(
    files: &dyn Files,
    document: &mut Document,
    limits: &Limits,
    diagnostics: &mut Vec<Diagnostic>,
) -> io::Result<()> {
    let Some(includes) = document.value.get("include").and_then(Value::as_array) else {
        return Ok(());
    };
    let includes: Vec<(usize, String)> = includes
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.as_str().map(|s| (i, s.to_string())))
        .collect();
    let root = files.project_root(&document.files[0].path);
    let base = document.files[0]
        .path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    for (index, include) in includes {
        let pointer = format!("/include/{index}");
        let label = document.label(&pointer, false);
        let target = match check_include_path(files, &root, &base, &include) {
            Ok(target) => target,
            Err(why) => {
                diagnostics.push(
                    Diagnostic::of(
                        codes::structure::INCLUDE_OUTSIDE_PROJECT,
                        format!("`{include}` {why}"),
                        label,
                    )
                    .with_help(format!(
                        "included files must be inside the project folder `{}`: move the file there and give a path relative to this playbook",
                        source::display_name(&root)
                    )),
                );
                continue;
            }
        };
        if !files.is_file(&target) {
            diagnostics.push(
                Diagnostic::of(
                    codes::structure::INCLUDE_NOT_FOUND,
                    format!("included file `{include}` does not exist"),
                    label,
                )
                .with_help("check the spelling; the path is relative to this playbook's folder"),
            );
            continue;
        }
        let (file, parsed) = read_and_parse(files, &target, limits)?;
        let file_index = document.files.len();
        document.files.push(Arc::clone(&file));
        diagnostics.extend(parsed.diagnostics);
        let Some(value) = parsed.value else { continue };
        if !is_fragment(&value) {
            diagnostics.push(
                Diagnostic::of(
                    codes::structure::INCLUDE_NOT_FRAGMENT,
                    format!("included file `{include}` must hold only `stages` and `content`"),
                    Label::new(&file, 0..0),
                )
                .with_related(label.with_text("included here"))
                .with_help("an included file is a part of a playbook: a mapping with a `stages:` list, a `content:` list, or both"),
            );
            continue;
        }
        merge_fragment(document, value, parsed.spans, file_index);
    }
    Ok(())
}

/// Checks that an include path stays inside the project, and returns where it points.
fn check_include_path(
    files: &dyn Files,
    root: &Path,
    base: &Path,
    include: &str,
) -> Result<PathBuf, &'static str> {
    let relative = Path::new(include);
    if relative.is_absolute() || include.starts_with('/') || include.starts_with('\\') {
        return Err("is an absolute path");
    }
    if relative
        .components()
        .any(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
    {
        return Err("is an absolute path");
    }
    let joined = base.join(relative);
    let Ok(resolved) = files.canonicalize(&joined) else {
        // Not there (yet): judge the path by its text alone.
        let mut depth: i64 = 0;
        for component in relative.components() {
            match component {
                Component::ParentDir => depth -= 1,
                Component::Normal(_) => depth += 1,
                _ => {}
            }
            if depth < 0 {
                return Err("points outside the project folder");
            }
        }
        return Ok(joined);
    };
    let root = files
        .canonicalize(root)
        .unwrap_or_else(|_| root.to_path_buf());
    if resolved.starts_with(&root) {
        Ok(resolved)
    } else if joined.components().any(|c| c == Component::ParentDir) {
        Err("points outside the project folder")
    } else {
        Err("is a link to a place outside the project folder")
    }
}

/// Appends a fragment's `stages` and `content` to the document, keeping every span.
fn merge_fragment(document: &mut Document, fragment: Value, spans: SpanMap, file: usize) {
    let Value::Object(fragment) = fragment else {
        return;
    };
    let Some(root) = document.value.as_object_mut() else {
        return;
    };
    let mut offsets = Vec::new();
    for (key, items) in fragment {
        let Value::Array(items) = items else {
            // Not a list: keep it where it is so the schema reports it against its own file.
            continue;
        };
        let target = root
            .entry(key.clone())
            .or_insert_with(|| Value::Array(Vec::new()));
        let Some(target) = target.as_array_mut() else {
            continue;
        };
        offsets.push((key, target.len()));
        target.extend(items);
    }
    document.spans.graft(spans, file, |pointer| {
        let mut parts = pointer.splitn(4, '/');
        let (_, key, index) = (parts.next()?, parts.next()?, parts.next()?);
        let offset = offsets.iter().find(|(k, _)| k == key)?.1;
        let index: usize = index.parse().ok()?;
        Some(match parts.next() {
            Some(rest) => format!("/{key}/{}/{rest}", index + offset),
            None => format!("/{key}/{}", index + offset),
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_paths_stay_inside_the_project() {
        let root = Path::new("/nonexistent/project");
        let base = root.join("playbooks");
        assert!(check_include_path(&Disk, root, &base, "stages/a.yaml").is_ok());
        assert!(check_include_path(&Disk, root, &base, "../../etc/passwd").is_err());
        assert!(check_include_path(&Disk, root, &base, "/etc/passwd").is_err());
    }
}

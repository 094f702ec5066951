//! What `stagebook diff` compares: two files, two folders, or git revisions (and the working
//! tree). A revision is read through the `git` command line: its YAML blobs go into memory
//! ([`MemoryFiles`]) and are loaded from there, so nothing is ever checked out.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{PlaybookDiff, Report, Version, compare};
use crate::check::{self, Checked};
use crate::lint::config::ConfigLoader;
use crate::load;
use crate::load::files::MemoryFiles;

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Side {
    /// A playbook file or a folder of playbooks on disk.
    Path(PathBuf),
    /// A git revision (`main`, `HEAD~1`, a commit id), read from the repository.
    Rev(String),
    /// The playbooks on disk, under the paths given after `--` (default: the current folder),
    /// compared with a revision.
    WorkTree,
}

/// OLD, NEW and the paths to limit a git comparison to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    /// The version before.
    pub(crate) old: Side,
    /// The version after.
    pub(crate) new: Side,
    /// With revisions: only playbooks under these paths (default: the current folder).
    pub(crate) paths: Vec<PathBuf>,
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.into())
}

/// Reads the command line's OLD / NEW words (and the paths after `--`) as a [`Request`]:
/// none means `HEAD` against the working tree; `REV` means REV against the working tree;
/// `A..B` two revisions; `A...B` the point where B branched from A, against B; two existing
/// paths two files or folders.
pub(crate) fn parse_request(words: &[String], paths: &[PathBuf]) -> io::Result<Request> {
    let exists = |w: &str| Path::new(w).exists();
    let rev = |w: &str| -> io::Result<Side> {
        if w.starts_with('-') {
            return Err(invalid(format!("`{w}` is not a revision")));
        }
        Ok(Side::Rev(if w.is_empty() {
            "HEAD".into()
        } else {
            w.into()
        }))
    };
    let (old, new, paths) = match words {
        [] => (Side::Rev("HEAD".into()), Side::WorkTree, paths.to_vec()),
        [one] if !exists(one) => {
            if let Some((a, b)) = one.split_once("...") {
                let base = merge_base(&rev(a)?, &rev(b)?)?;
                let short = base.get(..12).unwrap_or(&base).to_string();
                (Side::Rev(short), rev(b)?, paths.to_vec())
            } else if let Some((a, b)) = one.split_once("..") {
                (rev(a)?, rev(b)?, paths.to_vec())
            } else {
                (rev(one)?, Side::WorkTree, paths.to_vec())
            }
        }
        [one] => {
            return Err(invalid(format!(
                "`{one}` is a path: give two playbooks or folders to compare (OLD NEW), or a git revision"
            )));
        }
        [a, b] => match (exists(a), exists(b)) {
            (true, true) => {
                if !paths.is_empty() {
                    return Err(invalid(
                        "paths after `--` only go with git revisions, not with two paths",
                    ));
                }
                if Path::new(a).is_dir() != Path::new(b).is_dir() {
                    return Err(invalid(format!(
                        "`{a}` and `{b}` must both be files or both be folders"
                    )));
                }
                (Side::Path(a.into()), Side::Path(b.into()), Vec::new())
            }
            // `stagebook diff main playbooks/`: a revision against part of the working tree.
            (false, true) => {
                let mut all = vec![PathBuf::from(b)];
                all.extend(paths.iter().cloned());
                (rev(a)?, Side::WorkTree, all)
            }
            (false, false) => (rev(a)?, rev(b)?, paths.to_vec()),
            (true, false) => {
                return Err(invalid(format!(
                    "`{b}` is neither a file nor a folder (and `{a}` is not a revision)"
                )));
            }
        },
        _ => return Err(invalid("give at most two things to compare: OLD and NEW")),
    };
    Ok(Request { old, new, paths })
}

/// A playbook on one side, with the key it is paired by.
struct Entry {
    key: String,
    checked: Checked,
}

/// Everything read for one side.
struct Loaded {
    label: String,
    entries: Vec<Entry>,
}

/// Loads both sides, compares every playbook and returns the report.
pub(crate) fn run(request: &Request, options: &check::Options) -> io::Result<Report> {
    let paths = if request.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        request.paths.clone()
    };
    let both_files = matches!((&request.old, &request.new), (Side::Path(a), Side::Path(b)) if a.is_file() && b.is_file());
    // Both versions are linted with the working tree's `stagebook.toml`, so a finding is new
    // because the playbook changed, not because the rules did.
    let mut configs = ConfigLoader::new(options.overrides.clone())?;
    let old = load_side(&request.old, &paths, options, &mut configs, both_files)?;
    let new = load_side(&request.new, &paths, options, &mut configs, both_files)?;
    if !request.paths.is_empty() && old.entries.is_empty() && new.entries.is_empty() {
        let shown: Vec<String> = request
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        return Err(invalid(format!(
            "no playbooks under {} in {} or {}",
            shown.join(", "),
            old.label,
            new.label
        )));
    }
    Ok(compare_sides(&old, &new))
}

fn compare_sides(old: &Loaded, new: &Loaded) -> Report {
    fn version(e: &Entry) -> Version<'_> {
        Version {
            file: e.checked.file.name.as_str(),
            playbook: e.checked.playbook.as_ref(),
            diagnostics: &e.checked.diagnostics,
        }
    }
    let old_by_key: HashMap<&str, &Entry> =
        old.entries.iter().map(|e| (e.key.as_str(), e)).collect();
    let new_keys: HashSet<&str> = new.entries.iter().map(|e| e.key.as_str()).collect();
    let mut playbooks: Vec<PlaybookDiff> = new
        .entries
        .iter()
        .map(|n| {
            compare(
                old_by_key.get(n.key.as_str()).map(|o| version(o)),
                Some(version(n)),
            )
        })
        .collect();
    playbooks.extend(
        old.entries
            .iter()
            .filter(|o| !new_keys.contains(o.key.as_str()))
            .map(|o| compare(Some(version(o)), None)),
    );
    Report {
        old: old.label.clone(),
        new: new.label.clone(),
        playbooks,
    }
}

fn load_side(
    side: &Side,
    paths: &[PathBuf],
    options: &check::Options,
    configs: &mut ConfigLoader,
    single_file: bool,
) -> io::Result<Loaded> {
    let with_path =
        |e: io::Error, p: &Path| io::Error::new(e.kind(), format!("{}: {e}", p.display()));
    match side {
        Side::Path(path) => {
            let mut found = Vec::new();
            for file in load::discover(path).map_err(|e| with_path(e, path))? {
                if let Some(checked) =
                    check::check_file_with(&file, options, &*configs.for_playbook(&file)?)
                        .map_err(|e| with_path(e, &file))?
                {
                    let relative = file.strip_prefix(path).unwrap_or(&file).to_path_buf();
                    found.push((relative, checked));
                }
            }
            if single_file && found.len() == 1 {
                let (_, checked) = found.pop().expect("one file");
                return Ok(Loaded {
                    label: crate::source::display_name(path),
                    entries: vec![Entry {
                        key: "the file".into(),
                        checked,
                    }],
                });
            }
            Ok(Loaded {
                label: crate::source::display_name(path),
                entries: keyed(found),
            })
        }
        Side::WorkTree => {
            let root = toplevel()?;
            let mut found = Vec::new();
            for path in paths {
                // A path deleted in the working tree may still exist in the revision.
                if !path.exists() {
                    continue;
                }
                for file in load::discover(path).map_err(|e| with_path(e, path))? {
                    let canonical = file.canonicalize()?;
                    let relative = canonical.strip_prefix(&root).unwrap_or(&canonical);
                    if is_hidden(relative) {
                        continue;
                    }
                    if let Some(checked) =
                        check::check_file_with(&file, options, &*configs.for_playbook(&file)?)
                            .map_err(|e| with_path(e, &file))?
                    {
                        found.push((relative.to_path_buf(), checked));
                    }
                }
            }
            found.sort_by(|a, b| a.0.cmp(&b.0));
            found.dedup_by(|a, b| a.0 == b.0);
            Ok(Loaded {
                label: "working tree".into(),
                entries: keyed(found),
            })
        }
        Side::Rev(rev) => {
            let root = toplevel()?;
            let tree = read_revision(rev, &root, options.limits.max_file_size.saturating_add(1))?;
            let mut found = Vec::new();
            for relative in list_revision(rev, paths)? {
                if is_hidden(Path::new(&relative)) || !is_yaml(&relative) {
                    continue;
                }
                let path = root.join(&relative);
                let config = configs.for_playbook(&config_anchor(&path))?;
                if let Some(checked) = check::check_file_in(&tree, &path, options, &config)? {
                    found.push((PathBuf::from(relative), checked));
                }
            }
            Ok(Loaded {
                label: rev.clone(),
                entries: keyed(found),
            })
        }
    }
}

/// A path on disk whose `stagebook.toml` lookup matches that of `path`, a file of a revision
/// that may not exist in the working tree: the file itself, or the nearest existing folder's
/// `stagebook.toml`, or that folder (whose parent the lookup starts from).
fn config_anchor(path: &Path) -> PathBuf {
    if path.exists() {
        return path.to_path_buf();
    }
    let folder = path
        .ancestors()
        .skip(1)
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| Path::new("."));
    let toml = folder.join(crate::lint::config::FILE_NAME);
    if toml.is_file() {
        toml
    } else {
        folder.to_path_buf()
    }
}

/// Pairs playbooks by their id where it is unique on this side, else by their path.
fn keyed(found: Vec<(PathBuf, Checked)>) -> Vec<Entry> {
    let id_of = |c: &Checked| -> Option<String> {
        c.playbook
            .as_ref()
            .map(|p| p.playbook.id.to_string())
            .or_else(|| {
                let document = c.document.as_ref()?;
                Some(
                    document
                        .value
                        .pointer("/playbook/id")?
                        .as_str()?
                        .to_string(),
                )
            })
    };
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (_, checked) in &found {
        if let Some(id) = id_of(checked) {
            *counts.entry(id).or_default() += 1;
        }
    }
    found
        .into_iter()
        .map(|(path, checked)| {
            let key = match id_of(&checked) {
                Some(id) if counts[&id] == 1 => format!("id:{id}"),
                _ => format!("path:{}", path.to_string_lossy().replace('\\', "/")),
            };
            Entry { key, checked }
        })
        .collect()
}

fn is_hidden(relative: &Path) -> bool {
    relative.components().any(|c| {
        c.as_os_str().to_string_lossy().starts_with('.')
            && c.as_os_str() != "."
            && c.as_os_str() != ".."
    })
}

fn is_yaml(path: &str) -> bool {
    Path::new(path)
        .extension()
        .is_some_and(|ext| ext == "yaml" || ext == "yml")
}

/// Runs `git ARGS` in the current folder and returns its standard output.
fn git(args: &[&str]) -> io::Result<Vec<u8>> {
    let output = Command::new("git")
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                io::Error::new(
                    e.kind(),
                    "comparing git revisions needs the `git` command, which is not installed",
                )
            } else {
                e
            }
        })?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(io::Error::other(format!(
            "`git {}` failed: {}",
            args.join(" "),
            stderr.trim()
        )))
    }
}

fn toplevel() -> io::Result<PathBuf> {
    let out = git(&["rev-parse", "--show-toplevel"]).map_err(|_| {
        invalid("not inside a git repository: compare two files or folders instead (stagebook diff OLD NEW)")
    })?;
    let root = PathBuf::from(String::from_utf8_lossy(&out).trim_end_matches(['\n', '\r']));
    Ok(root.canonicalize().unwrap_or(root))
}

/// The commit a revision names, checked before anything else is read.
fn commit_of(rev: &str) -> io::Result<String> {
    let spec = format!("{rev}^{{commit}}");
    let out = git(&["rev-parse", "--verify", "--quiet", &spec]).map_err(|_| {
        invalid(format!(
            "`{rev}` is not a file, a folder or a git revision here"
        ))
    })?;
    Ok(String::from_utf8_lossy(&out).trim().to_string())
}

fn merge_base(a: &Side, b: &Side) -> io::Result<String> {
    let (Side::Rev(a), Side::Rev(b)) = (a, b) else {
        unreachable!("both sides of `...` are revisions")
    };
    let (a, b) = (commit_of(a)?, commit_of(b)?);
    let out = git(&["merge-base", &a, &b])?;
    Ok(String::from_utf8_lossy(&out).trim().to_string())
}

/// `mode type id\tpath` records of `git ls-tree -r -z`, blobs only.
fn ls_tree(args: &[&str]) -> io::Result<Vec<(String, String)>> {
    let out = git(args)?;
    let mut blobs = Vec::new();
    for record in out.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let record = String::from_utf8_lossy(record);
        let Some((meta, path)) = record.split_once('\t') else {
            continue;
        };
        let mut fields = meta.split(' ');
        let (mode, kind, id) = (fields.next(), fields.next(), fields.next());
        // Links (120000) are left out: the loader never follows a link out of the project.
        if let (Some("blob"), Some(id)) = (kind, id)
            && mode != Some("120000")
        {
            blobs.push((id.to_string(), path.to_string()));
        }
    }
    Ok(blobs)
}

/// The playbook candidates of a revision under `paths` (relative to the current folder), as
/// paths from the repository's top.
fn list_revision(rev: &str, paths: &[PathBuf]) -> io::Result<Vec<String>> {
    let commit = commit_of(rev)?;
    let mut args: Vec<String> = ["ls-tree", "-r", "-z", "--full-name", &commit, "--"]
        .iter()
        .map(ToString::to_string)
        .collect();
    args.extend(paths.iter().map(|p| p.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut files: Vec<String> = ls_tree(&args)?.into_iter().map(|(_, p)| p).collect();
    files.sort();
    Ok(files)
}

/// Every YAML file of a revision, read into memory with one `git cat-file --batch`, each cut
/// at `limit` bytes (the loader reports larger files without reading them).
fn read_revision(rev: &str, root: &Path, limit: u64) -> io::Result<MemoryFiles> {
    let commit = commit_of(rev)?;
    let root_arg = root.to_string_lossy().into_owned();
    let blobs: Vec<(String, String)> = ls_tree(&[
        "-C",
        &root_arg,
        "ls-tree",
        "-r",
        "-z",
        "--full-name",
        &commit,
    ])?
    .into_iter()
    .filter(|(_, path)| is_yaml(path))
    .collect();
    let mut tree = MemoryFiles::new(root.to_path_buf(), rev);
    if blobs.is_empty() {
        return Ok(tree);
    }
    let mut child = Command::new("git")
        .args(["-C", &root_arg, "cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let ids: String = blobs
        .iter()
        .flat_map(|(id, _)| [id.as_str(), "\n"])
        .collect();
    let writer = std::thread::spawn(move || stdin.write_all(ids.as_bytes()));
    let mut stdout = io::BufReader::new(child.stdout.take().expect("piped stdout"));
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    for (_, path) in &blobs {
        let header = read_line(&mut stdout)?;
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                io::Error::other(format!("unexpected answer from git cat-file: {header}"))
            })?;
        let mut content = Vec::with_capacity(size.min(limit));
        (&mut stdout)
            .take(size.min(limit) as u64)
            .read_to_end(&mut content)?;
        // Skip the rest of a large blob and the newline after it.
        io::copy(
            &mut (&mut stdout).take((size - content.len() + 1) as u64),
            &mut io::sink(),
        )?;
        tree.insert(path, content);
    }
    writer
        .join()
        .map_err(|_| io::Error::other("writing to git cat-file failed"))??;
    child.wait()?;
    Ok(tree)
}

fn read_line(reader: &mut impl io::BufRead) -> io::Result<String> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    Ok(line.trim_end().to_string())
}

//! Watch mode, shared by `serve` and `render --watch`: noticing that a playbook changed. The
//! files it was read from (the playbook and its includes) are polled for their size and modification time. Polling a handful of files a few
//! times a second costs nothing, sees editors' save-by-rename like any other write, and works
//! the same on every file system (network and container mounts included).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How often the files are looked at.
pub(crate) const POLL: Duration = Duration::from_millis(200);

/// What the watched files looked like: size and modification time of each (or absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fingerprint(Vec<(PathBuf, Option<(u64, SystemTime)>)>);

impl Fingerprint {
    /// Looks at `paths` now.
    pub(crate) fn of(paths: &[PathBuf]) -> Self {
        Self(
            paths
                .iter()
                .map(|path| (path.clone(), stamp(path)))
                .collect(),
        )
    }

    /// The paths watched.
    pub(crate) fn paths(&self) -> Vec<PathBuf> {
        self.0.iter().map(|(p, _)| p.clone()).collect()
    }
}

fn stamp(path: &Path) -> Option<(u64, SystemTime)> {
    let metadata = fs::metadata(path).ok()?;
    Some((metadata.len(), metadata.modified().ok()?))
}

/// What the watched files looked like just before a build read them: the time, and the size
/// and modification time of each file known then. A change after it — a save, a removal, a
/// file becoming a FIFO — means a new build, even when it happened before the watcher looked.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    at: SystemTime,
    files: Fingerprint,
}

impl Seen {
    /// Looks at `paths` now, before a build reads them.
    pub(crate) fn now(paths: &[PathBuf]) -> Self {
        Self {
            at: SystemTime::now(),
            files: Fingerprint::of(paths),
        }
    }
}

/// Blocks until one of `paths` (the files the last build read) differs from what `seen` saw
/// before that build, then returns. A path the build found that `seen` did not know counts as
/// changed when it was modified after `seen` was taken.
pub(crate) fn wait_for_change_since(paths: &[PathBuf], seen: &Seen) {
    let before = Fingerprint(
        paths
            .iter()
            .map(|path| {
                let known = seen.files.0.iter().find(|(p, _)| p == path);
                (path.clone(), known.map_or_else(|| stamp(path), |(_, s)| *s))
            })
            .collect(),
    );
    let touched = paths
        .iter()
        .filter(|path| !seen.files.0.iter().any(|(p, _)| p == *path))
        .any(|path| stamp(path).is_some_and(|(_, modified)| modified >= seen.at));
    if !touched && Fingerprint::of(paths) == before {
        wait_for_change(&before);
    }
}

/// Blocks until one of the files of `before` changes, then returns.
pub(crate) fn wait_for_change(before: &Fingerprint) {
    let paths = before.paths();
    loop {
        std::thread::sleep(POLL);
        if Fingerprint::of(&paths) != *before {
            // Let an editor finish writing before the file is read.
            std::thread::sleep(Duration::from_millis(50));
            return;
        }
    }
}

/// The files directly inside `dir` (a templates folder), sorted.
pub(crate) fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `build` now and again after every change to the files it reports having read, until
/// the process ends. `build` returns those files (a playbook and its includes).
pub(crate) fn rebuild_on_change(mut build: impl FnMut() -> Vec<PathBuf>) -> ! {
    let mut inputs = Vec::new();
    loop {
        let seen = Seen::now(&inputs);
        inputs = build();
        wait_for_change_since(&inputs, &seen);
    }
}

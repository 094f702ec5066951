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

/// Blocks until one of `paths` changes after `since` (taken before they were read, so a save
/// made while a build was running is not missed), then returns.
pub(crate) fn wait_for_change_since(paths: &[PathBuf], since: SystemTime) {
    let before = Fingerprint::of(paths);
    let touched = before
        .0
        .iter()
        .any(|(_, stamp)| stamp.is_some_and(|(_, modified)| modified >= since));
    if !touched {
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
    loop {
        let started = SystemTime::now();
        let inputs = build();
        wait_for_change_since(&inputs, started);
    }
}

//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `../shared` beside the repository (CI lays it there too), or `$SHARED_DIR`.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        PathBuf::from,
    )
}

/// The repository root.
pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What one bounded run of the binary did.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// Peak resident memory in KiB, when `/usr/bin/time` could measure it.
    pub max_rss_kib: Option<u64>,
}

/// Runs `stagebook ARGS`, killing it after `limit`, and measures its peak memory with
/// `/usr/bin/time` where the machine has it.
pub fn run_bounded(args: &[&str], limit: Duration) -> Run {
    let bin = env!("CARGO_BIN_EXE_stagebook");
    let time = std::path::Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut c = Command::new(time);
        c.args(["-f", "@@maxrss=%M"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let stdout_file = tempfile::NamedTempFile::new().expect("temp file");
    let stderr_file = tempfile::NamedTempFile::new().expect("temp file");
    command
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(stdout_file.reopen().expect("reopen"))
        .stderr(stderr_file.reopen().expect("reopen"));
    let start = Instant::now();
    let mut child = command.spawn().expect("stagebook starts");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let stdout = std::fs::read_to_string(stdout_file.path()).unwrap_or_default();
    let mut stderr = std::fs::read_to_string(stderr_file.path()).unwrap_or_default();
    let mut max_rss_kib = None;
    if let Some(at) = stderr.rfind("@@maxrss=") {
        max_rss_kib = stderr[at + 9..].trim().parse().ok();
        stderr.truncate(at);
        // `time` reports a non-zero exit on its own line; the exit code says it already.
        stderr = stderr
            .lines()
            .filter(|l| !l.starts_with("Command exited with non-zero status"))
            .fold(String::new(), |mut out, l| {
                out.push_str(l);
                out.push('\n');
                out
            });
    }
    Run {
        code: status.and_then(|s| s.code()),
        stdout,
        stderr,
        elapsed,
        max_rss_kib,
    }
}

/// The codes of the diagnostics in a `--format json` document.
pub fn codes(json: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(json).expect("check prints JSON");
    value["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

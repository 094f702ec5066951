//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod golden;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The test data kept in the repository (`tests/data/`).
pub fn data_dir() -> PathBuf {
    repo_dir().join("tests/data")
}

/// The hostile-input corpus in one temporary folder: the small files committed in
/// `tests/data/hostile/` and the big ones [`generated_hostile_file`] writes (too big to commit),
/// so that every row of `expected.tsv` names a file in it.
pub fn hostile_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = data_dir().join("hostile");
    for entry in std::fs::read_dir(&source).expect("tests/data/hostile") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
    }
    for name in GENERATED_HOSTILE {
        std::fs::write(dir.path().join(name), generated_hostile_file(name)).expect("write");
    }
    dir
}

/// The corpus files made by [`generated_hostile_file`] instead of being committed.
pub const GENERATED_HOSTILE: [&str; 5] = [
    "alias-quadratic.yaml",
    "deep-flow-seq-unclosed.yaml",
    "deep-flow-seq-closed.yaml",
    "deep-flow-map.yaml",
    "deep-block-seq.yaml",
];

/// The bytes of a generated corpus file (100–500 KB each).
pub fn generated_hostile_file(name: &str) -> Vec<u8> {
    const DEPTH: usize = 100_000;
    let text = match name {
        // Linear size, quadratic expansion: 10^8 nodes if every alias were copied.
        "alias-quadratic.yaml" => {
            let mut text = String::from(
                "# Linear-size file, quadratic expansion: one anchored list of 10,000 items,\n\
                 # then 10,000 aliases to it -> 10^8 nodes if every alias is copied.\n\
                 base: &base [",
            );
            text.push_str(&vec!["x"; 10_000].join(","));
            text.push_str("]\nrefs:\n");
            text.push_str(&"  - *base\n".repeat(10_000));
            text
        }
        "deep-flow-seq-unclosed.yaml" => "[".repeat(DEPTH) + "\n",
        "deep-flow-seq-closed.yaml" => "[".repeat(DEPTH) + &"]".repeat(DEPTH) + "\n",
        "deep-flow-map.yaml" => "{a: ".repeat(DEPTH) + "x" + &"}".repeat(DEPTH) + "\n",
        "deep-block-seq.yaml" => "- ".repeat(DEPTH / 2) + "x\n",
        _ => panic!("no generator for hostile file {name}"),
    };
    text.into_bytes()
}

/// The kinds of big input `write_big` makes, each about `mib` MiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Big {
    /// `notes: xxxx…` — one plain scalar on one line (valid YAML).
    Plain,
    /// `notes: "…"` — one double-quoted scalar with `\"` and `\u00e9` escapes (valid).
    Double,
    /// `kkkk…: v` — one implicit key longer than the 1024 characters YAML allows (invalid).
    Key,
    /// `# cccc…` — one comment line, then `name: x` (valid).
    Comment,
    /// `k0000000: 0` … — one mapping with distinct keys (valid).
    ManyKeys,
    /// `[0,1,2,…]` — one flow sequence on a single line (valid).
    WideSeq,
}

/// Writes a big hostile input of about `mib` MiB to a temporary `.yaml` file, in pieces, so
/// the test itself stays in bounded memory.
pub fn write_big(kind: Big, mib: usize) -> tempfile::NamedTempFile {
    use std::io::Write;
    const CHUNK: usize = 1 << 20;
    let total = mib * CHUNK;
    let file = tempfile::Builder::new()
        .suffix(".yaml")
        .tempfile()
        .expect("temp file");
    let mut out = std::io::BufWriter::new(file.reopen().expect("reopen"));
    let mut write = |text: &str| out.write_all(text.as_bytes()).expect("write");
    match kind {
        Big::Plain | Big::Key | Big::Comment => {
            let (head, repeated, tail) = match kind {
                Big::Plain => ("notes: ", "x", "\n"),
                Big::Key => ("", "k", ": v\n"),
                _ => ("# ", "c", "\nname: x\n"),
            };
            write(head);
            let chunk = repeated.repeat(CHUNK);
            for _ in 0..total / CHUNK {
                write(&chunk);
            }
            write(tail);
        }
        Big::Double => {
            let piece = "abc \\\"q\\\" \\u00e9 ".repeat(64);
            write("notes: \"");
            for _ in 0..total.div_ceil(piece.len()) {
                write(&piece);
            }
            write("\"\n");
        }
        Big::ManyKeys => {
            let (mut written, mut i) = (0, 0);
            while written < total {
                let line = format!("k{i:07}: {i}\n");
                write(&line);
                written += line.len();
                i += 1;
            }
        }
        Big::WideSeq => {
            write("[");
            let (mut written, mut i) = (0, 0);
            while written < total {
                let item = format!("{i},");
                write(&item);
                written += item.len();
                i += 1;
            }
            write(&format!("{i}]\n"));
        }
    }
    out.flush().expect("flush");
    file
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
    run_limited(args, &Limits::time(limit))
}

/// The bounds of one run of the binary.
pub struct Limits<'a> {
    /// Killed after this long.
    pub time: Duration,
    /// Address-space cap in bytes, through `prlimit --as` where the machine has it.
    pub address_space: Option<u64>,
    /// A file given as standard input (none: empty input).
    pub stdin: Option<&'a Path>,
}

impl Limits<'_> {
    /// A time cap alone.
    pub fn time(time: Duration) -> Self {
        Self {
            time,
            address_space: None,
            stdin: None,
        }
    }
}

/// Runs `stagebook ARGS` within `limits`, and measures its peak memory with `/usr/bin/time`
/// where the machine has it.
pub fn run_limited(args: &[&str], limits: &Limits<'_>) -> Run {
    let mut command_line: Vec<String> = Vec::new();
    if Path::new("/usr/bin/time").exists() {
        command_line.extend(["/usr/bin/time".into(), "-f".into(), "@@maxrss=%M".into()]);
    }
    if let (Some(bytes), Some(prlimit)) = (limits.address_space, which("prlimit")) {
        command_line.push(prlimit.to_string_lossy().into_owned());
        command_line.push(format!("--as={bytes}"));
        command_line.push("--".into());
    }
    command_line.push(env!("CARGO_BIN_EXE_stagebook").into());
    command_line.extend(args.iter().map(|a| (*a).to_string()));
    let stdout_file = tempfile::NamedTempFile::new().expect("temp file");
    let stderr_file = tempfile::NamedTempFile::new().expect("temp file");
    let mut command = Command::new(&command_line[0]);
    command
        .args(&command_line[1..])
        .env("NO_COLOR", "1")
        .stdout(stdout_file.reopen().expect("reopen"))
        .stderr(stderr_file.reopen().expect("reopen"));
    match limits.stdin {
        Some(path) => command.stdin(std::fs::File::open(path).expect("stdin file")),
        None => command.stdin(Stdio::null()),
    };
    let start = Instant::now();
    let mut child = command.spawn().expect("stagebook starts");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > limits.time {
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
            .flat_map(|l| [l, "\n"])
            .collect();
    }
    Run {
        code: status.and_then(|s| s.code()),
        stdout,
        stderr,
        elapsed,
        max_rss_kib,
    }
}

/// The first `name` on `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    })
}

/// Each finding as `file:line: code message`, for assertion messages.
pub fn findings(diagnostics: &[stagebook::diagnostic::Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}:{}: {} {}",
                d.primary.file.name,
                d.primary.start().line,
                d.code,
                d.message
            )
        })
        .collect()
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

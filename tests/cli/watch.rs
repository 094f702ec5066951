//! `stagebook render --watch`: renders, then renders again when the playbook is saved, and
//! keeps watching while it is broken. Every wait is bounded.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads stdout lines until one contains `wanted`, for at most 30 seconds.
fn wait_for(lines: &mpsc::Receiver<String>, wanted: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        match lines.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => {
                let done = line.contains(wanted);
                seen.push(line);
                if done {
                    return seen;
                }
            }
            Err(error) => panic!("no line with {wanted:?} ({error}); saw {seen:?}"),
        }
    }
}

#[test]
fn render_watch_renders_again_on_save() {
    let dir = tempfile::tempdir().unwrap();
    let playbook = dir.path().join("inbound.yaml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/stage-renamed/old.yaml"),
        &playbook,
    )
    .unwrap();
    let out = dir.path().join("out");
    let mut child = Guard(
        Command::new(env!("CARGO_BIN_EXE_stagebook"))
            .args(["render", "--watch", "--format", "html", "--out"])
            .arg(&out)
            .arg(&playbook)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (send, lines) = mpsc::channel();
    let stdout = child.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let handbook = out.join("inbound/handbook.html");
    wait_for(&lines, "checklists.html");
    assert!(
        std::fs::read_to_string(&handbook)
            .unwrap()
            .contains("Discovery")
    );

    let text = std::fs::read_to_string(&playbook).unwrap();
    std::fs::write(
        &playbook,
        text.replace("name: Discovery\n", "name: Discovery call\n"),
    )
    .unwrap();
    wait_for(&lines, "checklists.html");
    assert!(
        std::fs::read_to_string(&handbook)
            .unwrap()
            .contains("Discovery call")
    );

    // Broken: the findings are printed and nothing is written; fixed: rendered again.
    std::fs::write(&playbook, text.replace("next: demo\n", "next: demmo\n")).unwrap();
    wait_for(&lines, "nothing rendered");
    std::fs::write(&playbook, &text).unwrap();
    wait_for(&lines, "checklists.html");
    assert!(
        !std::fs::read_to_string(&handbook)
            .unwrap()
            .contains("Discovery call")
    );
}

//! `stagebook serve` in a real headless Chromium: the page loads, shows the playbook, reloads
//! by itself when the YAML is saved, shows the findings while the playbook is broken, and comes
//! back when it is fixed. The browser's page title is read through Chromium's DevTools HTTP
//! endpoint (`/json/list`), so no driver is needed. Every wait is bounded, and both the server
//! and the browser listen on loopback only.
//!
//! Without Chromium (`/usr/bin/chromium`, or `$CHROMIUM`) the test is skipped, unless
//! `STAGEBOOK_REQUIRE_CHROMIUM` is set, as `.ci/checks/60-serve.sh` does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

/// Kills a child process when the test ends, however it ends.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromium() -> Option<PathBuf> {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.is_file())
}

fn http_get(address: SocketAddr, path: &str) -> Option<String> {
    let stream = TcpStream::connect_timeout(&address, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    (&stream)
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .ok()?;
    // Chromium's DevTools server keeps the connection open: read exactly Content-Length bytes.
    let mut reader = BufReader::new(stream);
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<u64>().ok();
        }
    }
    let mut body = String::new();
    match length {
        Some(n) => reader.take(n).read_to_string(&mut body).ok()?,
        None => reader.read_to_string(&mut body).ok()?,
    };
    Some(body)
}

/// The title of the page the browser shows.
fn title(devtools: SocketAddr) -> Option<String> {
    let list: Value = serde_json::from_str(&http_get(devtools, "/json/list")?).ok()?;
    list.as_array()?
        .iter()
        .find(|t| t["type"] == "page")
        .and_then(|t| t["title"].as_str())
        .map(ToString::to_string)
}

fn wait_for_title(devtools: SocketAddr, what: &str, wanted: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    let mut last = None;
    while start.elapsed() < WAIT {
        if let Some(t) = title(devtools) {
            if wanted(&t) {
                return t;
            }
            last = Some(t);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the browser never showed {what}; last title: {last:?}");
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from));
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn the_page_follows_the_yaml_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("STAGEBOOK_REQUIRE_CHROMIUM").is_none(),
            "Chromium is required here but not installed"
        );
        eprintln!("skipped: no Chromium (install the `chromium` package)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let playbook = dir.path().join("inbound.yaml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/stage-renamed/old.yaml"),
        &playbook,
    )
    .unwrap();

    let mut server = Guard(
        Command::new(env!("CARGO_BIN_EXE_stagebook"))
            .args(["serve", playbook.to_str().unwrap(), "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let mut banner = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut banner)
        .unwrap();
    let url = banner
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {banner:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let address: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();

    // Loopback only: the same port on this machine's network address is closed.
    if let Some(ip) = UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr())
        .ok()
        .map(|a| a.ip())
        .filter(|ip| !ip.is_loopback() && !ip.is_unspecified())
    {
        let outside = SocketAddr::new(ip, address.port());
        assert!(
            TcpStream::connect_timeout(&outside, Duration::from_secs(1)).is_err(),
            "the preview answers on {outside}"
        );
    }

    let profile = tempfile::tempdir().unwrap();
    let _browser = Guard(
        Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(&url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let port_file = profile.path().join("DevToolsActivePort");
    let start = Instant::now();
    let devtools_port: u16 = loop {
        if let Some(port) = std::fs::read_to_string(&port_file)
            .ok()
            .and_then(|t| t.lines().next().and_then(|l| l.parse().ok()))
        {
            break port;
        }
        assert!(start.elapsed() < WAIT, "Chromium did not start");
        std::thread::sleep(Duration::from_millis(100));
    };
    let devtools = SocketAddr::from(([127, 0, 0, 1], devtools_port));

    wait_for_title(devtools, "the handbook", |t| {
        t == "Inbound SMB — Rep handbook"
    });
    let checklists = http_get(address, "/checklists.html").unwrap();
    assert!(checklists.contains("<title>Inbound SMB — Stage checklists</title>"));

    edit(
        &playbook,
        "  name: Inbound SMB\n",
        "  name: Inbound SMB — 2027\n",
    );
    wait_for_title(devtools, "the renamed playbook", |t| {
        t == "Inbound SMB — 2027 — Rep handbook"
    });

    edit(&playbook, "    next: demo\n", "    next: demmo\n");
    let broken = wait_for_title(devtools, "the findings", |t| t.starts_with("1 error"));
    assert!(broken.ends_with("inbound.yaml"), "{broken}");
    let page = http_get(address, "/").unwrap();
    assert!(page.contains("structure::unknown-reference"), "{page}");
    assert!(page.contains("did you mean `demo`?"), "{page}");

    edit(&playbook, "    next: demmo\n", "    next: demo\n");
    wait_for_title(devtools, "the fixed playbook", |t| {
        t == "Inbound SMB — 2027 — Rep handbook"
    });
}

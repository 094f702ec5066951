//! `stagebook serve` under hostile clients (issue 20, item 5): bodies are refused unread, heads
//! are bounded in size and time, idle connections cost no threads, and a playbook turned into
//! a FIFO or removed shows the error page instead of stopping the preview. Every client is on
//! 127.0.0.1, every input is generated, every wait is bounded; the server's memory and threads
//! are read from `/proc`.
#![cfg(target_os = "linux")]

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the server when the test ends, however it ends.
struct Server {
    child: Child,
    address: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(playbook: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stagebook"))
            .args(["serve", playbook.to_str().unwrap(), "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut banner = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut banner)
            .unwrap();
        let address = banner
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .and_then(|a| a.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("no address in {banner:?}"));
        Self { child, address }
    }

    /// A line of `/proc/PID/status` (`VmRSS`, `Threads`), as a number.
    fn status(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("no {field} in {status}"))
    }

    fn threads(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/task", self.child.id()))
            .unwrap()
            .count()
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect_timeout(&self.address, Duration::from_secs(5)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        stream
    }

    /// Sends `head` (and nothing more) and reads until the server closes the connection.
    fn exchange(&self, head: &[u8]) -> String {
        let mut stream = self.connect();
        stream.write_all(head).unwrap();
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .expect("the server closes the connection");
        String::from_utf8_lossy(&answer).into_owned()
    }

    fn get(&self, path: &str) -> String {
        self.exchange(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                self.address
            )
            .as_bytes(),
        )
    }
}

fn playbook(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("inbound.yaml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/stage-renamed/old.yaml"),
        &path,
    )
    .unwrap();
    path
}

fn status_line(answer: &str) -> &str {
    answer.lines().next().unwrap_or_default()
}

#[test]
fn bodies_are_refused_without_being_read() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&playbook(dir.path()), &[]);
    let before = server.status("VmRSS");
    let start = Instant::now();
    for _ in 0..3 {
        let post = server.exchange(
            format!(
                "POST / HTTP/1.1\r\nHost: {}\r\nContent-Length: 2147483647\r\n\r\n",
                server.address
            )
            .as_bytes(),
        );
        assert!(status_line(&post).starts_with("HTTP/1.1 405"), "{post}");
        assert!(post.contains("allow: GET, HEAD"), "{post}");
    }
    let get_with_body = server.exchange(
        format!(
            "GET / HTTP/1.1\r\nHost: {}\r\nContent-Length: 2147483647\r\n\r\n",
            server.address
        )
        .as_bytes(),
    );
    assert!(
        status_line(&get_with_body).starts_with("HTTP/1.1 413"),
        "{get_with_body}"
    );
    let chunked = server.exchange(
        format!(
            "GET / HTTP/1.1\r\nHost: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
            server.address
        )
        .as_bytes(),
    );
    assert!(
        status_line(&chunked).starts_with("HTTP/1.1 413"),
        "{chunked}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let after = server.status("VmRSS");
    eprintln!("VmRSS before {before} kB, after 3 POSTs of 2 GiB {after} kB");
    assert!(after < before + 16 * 1024, "{before} kB → {after} kB");
    assert!(status_line(&server.get("/")).starts_with("HTTP/1.1 200"));
}

#[test]
fn idle_connections_cost_no_threads() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&playbook(dir.path()), &[]);
    let threads_before = server.threads();
    let rss_before = server.status("VmRSS");
    let idle: Vec<TcpStream> = (0..500).map(|_| server.connect()).collect();
    // Half of them start a request and stall in the middle of its head.
    for stream in idle.iter().step_by(2) {
        (&*stream).write_all(b"GET / HTTP/1.1\r\nHost: ").unwrap();
    }
    let start = Instant::now();
    let page = server.get("/");
    assert!(status_line(&page).starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("<title>Inbound SMB — Rep handbook</title>"));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let threads = server.threads();
    let rss = server.status("VmRSS");
    eprintln!(
        "500 idle connections: threads {threads_before} → {threads}, VmRSS {rss_before} kB → {rss} kB"
    );
    assert!(
        threads <= threads_before + 1,
        "{threads_before} → {threads}"
    );
    assert!(rss < rss_before + 64 * 1024, "{rss_before} kB → {rss} kB");
    drop(idle);
}

#[test]
fn oversized_heads_get_431_and_the_connection_closes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&playbook(dir.path()), &[]);
    let big = "a".repeat(1024 * 1024);
    let mut stream = server.connect();
    let head = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nX-Big: {big}\r\n\r\n",
        server.address
    );
    // The server may close before the whole megabyte is sent: that is the point.
    let _ = stream.write_all(head.as_bytes());
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(status_line(&answer).starts_with("HTTP/1.1 431"), "{answer}");

    let many = (0..200).fold(String::new(), |mut text, i| {
        let _ = write!(text, "X-{i}: a\r\n");
        text
    });
    let answer = server
        .exchange(format!("GET / HTTP/1.1\r\nHost: {}\r\n{many}\r\n", server.address).as_bytes());
    assert!(status_line(&answer).starts_with("HTTP/1.1 431"), "{answer}");

    let long = format!("/{}", "a".repeat(9 * 1024));
    let answer = server.get(&long);
    assert!(status_line(&answer).starts_with("HTTP/1.1 414"), "{answer}");
    assert!(status_line(&server.get("/")).starts_with("HTTP/1.1 200"));
}

#[test]
fn a_slow_head_is_cut_off_after_the_read_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&playbook(dir.path()), &["--read-timeout", "1"]);
    let mut silent = server.connect();
    let mut slow = server.connect();
    let start = Instant::now();
    let mut closed = false;
    // One byte of head every 200 ms: never a whole head, always something new.
    for byte in
        b"GET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    {
        if slow.write_all(&[*byte]).is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
        let mut probe = [0; 64];
        slow.set_nonblocking(true).unwrap();
        let read = slow.read(&mut probe);
        slow.set_nonblocking(false).unwrap();
        if matches!(read, Ok(0))
            || matches!(&read, Err(e) if e.kind() != std::io::ErrorKind::WouldBlock)
        {
            closed = true;
            break;
        }
    }
    let slow_after = start.elapsed();
    assert!(
        closed,
        "the slow client is still connected after {slow_after:?}"
    );
    assert!(slow_after < Duration::from_secs(4), "{slow_after:?}");
    let mut rest = Vec::new();
    assert_eq!(silent.read_to_end(&mut rest).unwrap_or(0), 0);
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
    eprintln!("slow head closed after {slow_after:?}");
}

#[test]
fn a_fifo_or_a_vanished_playbook_shows_the_error_page_and_the_preview_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = playbook(dir.path());
    let text = std::fs::read_to_string(&path).unwrap();
    let server = Server::start(&path, &[]);
    let wait_for = |wanted: &str| {
        let start = Instant::now();
        loop {
            let page = server.get("/");
            if page.contains(wanted) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the page never showed {wanted:?}: {page}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait_for("<title>Inbound SMB — Rep handbook</title>");

    std::fs::remove_file(&path).unwrap();
    wait_for("cannot read the playbook");

    let made = Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(made.success());
    wait_for("not a regular file");

    std::fs::remove_file(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("name: Inbound SMB\n", "name: Inbound SMB 2\n"),
    )
    .unwrap();
    wait_for("<title>Inbound SMB 2 — Rep handbook</title>");
}

#[test]
fn a_client_that_stops_reading_is_dropped_after_the_write_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&playbook(dir.path()), &["--read-timeout", "1"]);
    // A thousand pipelined requests for a 20 KB page: 20 MB of answers, more than loopback
    // buffers hold, so the server's writes stall while the client does not read.
    let request = format!("GET / HTTP/1.1\r\nHost: {}\r\n\r\n", server.address);
    let mut stream = server.connect();
    stream.write_all(request.repeat(1000).as_bytes()).unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let start = Instant::now();
    let mut answers = Vec::new();
    // Whatever was in flight is read, then the connection ends (closed or reset).
    let _ = stream.read_to_end(&mut answers);
    let read = String::from_utf8_lossy(&answers);
    let pages = read.matches("HTTP/1.1 200 OK").count();
    eprintln!(
        "a stalled reader got {pages} of 1000 pages ({} bytes) before being dropped",
        answers.len()
    );
    assert!(pages < 1000, "all {pages} pages were written");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert!(status_line(&server.get("/")).starts_with("HTTP/1.1 200"));
}

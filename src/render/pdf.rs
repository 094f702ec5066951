//! Render stage: printing the HTML handbook to PDF with a headless Chromium, when one is
//! installed. Chromium applies the print stylesheet, so the PDF is what a browser would print.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Browsers tried, in order, unless `CHROMIUM` names one.
const CANDIDATES: [&str; 4] = ["chromium", "chromium-browser", "google-chrome", "chrome"];

/// The Chromium to print with: `$CHROMIUM`, or the first candidate on `PATH`.
pub(crate) fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| CANDIDATES.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The error when no browser is found.
pub(crate) fn missing_chromium() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        "--pdf needs a headless Chromium, and none was found: install the `chromium` package \
         (Debian/Ubuntu: apt-get install chromium), or set CHROMIUM to the browser's path",
    )
}

/// The `file://` URL of the absolute path `path`, every byte but the unreserved ones and `/`
/// percent-encoded, so `#`, `%`, `?`, spaces and non-UTF-8 names reach the browser as part of
/// the path instead of starting a fragment or a query.
pub(crate) fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for &byte in path.as_os_str().as_encoded_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'/' | b'-' | b'.' | b'_' | b'~') {
            url.push(char::from(byte));
        } else {
            let _ = write!(url, "%{byte:02X}");
        }
    }
    url
}

/// Prints `html` to `pdf` (both absolute paths) with `browser`. `pdf` is the empty temporary
/// file [`crate::emit::OutDir::write_with`] made, so a browser that writes nothing fails.
pub(crate) fn print(browser: &Path, html: &Path, pdf: &Path) -> io::Result<()> {
    let profile = tempfile::tempdir()?;
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(html))
        .output()
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", browser.display())))?;
    let printed = std::fs::metadata(pdf).is_ok_and(|m| m.is_file() && m.len() > 0);
    if !output.status.success() || !printed {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or("no message");
        return Err(io::Error::other(format!(
            "{} could not print {}: {last}",
            browser.display(),
            html.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_encode_what_a_url_would_read_as_syntax() {
        assert_eq!(
            file_url(Path::new("/tmp/a#b%c?d/handbook.html")),
            "file:///tmp/a%23b%25c%3Fd/handbook.html"
        );
        assert_eq!(
            file_url(Path::new("/home/me/销售 手册/x.html")),
            "file:///home/me/%E9%94%80%E5%94%AE%20%E6%89%8B%E5%86%8C/x.html"
        );
        assert_eq!(file_url(Path::new("/a-b_c.d~e")), "file:///a-b_c.d~e");
    }
}

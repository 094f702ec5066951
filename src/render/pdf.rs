//! Render stage: printing the HTML handbook to PDF with a headless Chromium, when one is
//! installed. Chromium applies the print stylesheet, so the PDF is what a browser would print.

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
        .arg(format!("file://{}", html.display()))
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

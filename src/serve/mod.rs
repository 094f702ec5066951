//! Live preview (`stagebook serve`): serves a playbook's handbook and checklists, rendered as
//! `stagebook render` renders them, on `127.0.0.1`, and reloads the browser when the YAML (or a
//! template) changes. When the playbook is broken the page shows the
//! findings, exactly as `check` prints them, instead of a stale handbook.
//!
//! The browser learns about changes by long polling: each page asks
//! `/__stagebook/wait?version=N`, which answers as soon as the pages are rebuilt (or after
//! [`LONG_POLL`], when the page simply asks again). No websocket, no extra dependency in the
//! page, nothing listening beyond the loopback interface.

use std::collections::BTreeMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use minijinja::context;

use crate::check::{self, Checked, Opened, Refused};
use crate::diagnostic::Summary;
use crate::emit::templates::Templates;
use crate::render::{Format, Renderer};
use crate::report::human::{HumanPrinter, Style};
use crate::watch;

pub(crate) mod http;

pub(crate) use http::Limits;
use http::{Request, Response};

/// The page `/` shows.
const INDEX: &str = "handbook.html";

/// How long a reload request waits for a change before answering "no change".
pub(crate) const LONG_POLL: Duration = Duration::from_secs(25);

/// The pages of one build, by file name (`handbook.html` first), and the files they came from.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    /// File name → HTML, without the reload script.
    pub(crate) pages: BTreeMap<String, String>,
    /// The page `/` shows.
    pub(crate) index: String,
    /// The files the playbook was read from, watched for changes.
    pub(crate) inputs: Vec<PathBuf>,
}

/// What the preview is built with.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    /// How playbooks are checked.
    pub(crate) options: check::Options,
    /// A folder of templates replacing the built-in ones (`render --templates`).
    pub(crate) templates: Option<PathBuf>,
}

/// Builds the pages for `path`: the rendered handbook, or a page listing the findings when the
/// playbook has errors or cannot be read.
pub(crate) fn build(path: &Path, settings: &Settings) -> Site {
    let mut site = build_pages(path, settings);
    if let Some(dir) = &settings.templates {
        site.inputs.push(dir.clone());
        site.inputs.extend(watch::files_in(dir));
    }
    site
}

fn build_pages(path: &Path, settings: &Settings) -> Site {
    let options = &settings.options;
    let inputs = vec![path.to_path_buf()];
    let opened = match check::open_playbook(path, options) {
        Ok(Ok(opened)) => opened,
        Ok(Err(Refused::Fragment)) => {
            return message_site(
                inputs,
                "not a playbook",
                &format!(
                    "{} holds stages or content for another playbook's `include`: serve the playbook that includes it.",
                    path.display()
                ),
            );
        }
        Ok(Err(Refused::Errors(checked))) => {
            let inputs = checked
                .document
                .as_ref()
                .map_or(inputs, |d| d.files.iter().map(|f| f.path.clone()).collect());
            return findings_site(inputs, &checked);
        }
        Err(error) => {
            return message_site(
                inputs,
                "cannot read the playbook",
                &format!("{}: {error}", path.display()),
            );
        }
    };
    let inputs = opened
        .document
        .files
        .iter()
        .map(|f| f.path.clone())
        .collect();
    match handbook_pages(&opened, settings.templates.as_deref()) {
        Ok(pages) => Site {
            index: if pages.contains_key(INDEX) {
                INDEX.to_string()
            } else {
                pages.keys().next().cloned().unwrap_or_default()
            },
            pages,
            inputs,
        },
        Err(error) => message_site(inputs, "the handbook could not be rendered", &error),
    }
}

/// The handbook and checklists, as `stagebook render` writes them in HTML.
fn handbook_pages(
    opened: &Opened,
    templates: Option<&Path>,
) -> Result<BTreeMap<String, String>, String> {
    let playbook = &opened.playbook;
    let renderer = Renderer::new(templates).map_err(|e| e.to_string())?;
    let source = opened
        .file
        .path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let pages = renderer
        .render(playbook, playbook.playbook.locale, Format::Html, &source)
        .map_err(|e| e.to_string())?;
    Ok(pages.into_iter().collect())
}

fn findings_site(inputs: Vec<PathBuf>, checked: &Checked) -> Site {
    let printer = HumanPrinter::new(Style {
        color: false,
        width: 100,
    });
    let mut text = String::new();
    for diagnostic in &checked.diagnostics {
        printer.render(diagnostic, &mut text);
    }
    let summary = Summary::new(&checked.diagnostics, inputs.len()).to_string();
    let title = format!("{summary}: {}", checked.file.name);
    let html = page(&context! { lang => "en", title, findings => text, message => () });
    Site {
        pages: BTreeMap::from([("findings.html".to_string(), html)]),
        index: "findings.html".into(),
        inputs,
    }
}

fn message_site(inputs: Vec<PathBuf>, title: &str, message: &str) -> Site {
    let html = page(&context! { lang => "en", title, findings => (), message });
    Site {
        pages: BTreeMap::from([("message.html".to_string(), html)]),
        index: "message.html".into(),
        inputs,
    }
}

/// The page shown instead of the handbook: the built-in template `serve.html.j2` (a broken
/// `--templates` folder is what such a page may have to report).
fn page(context: &minijinja::Value) -> String {
    Templates::new(None)
        .and_then(|templates| templates.render("serve.html.j2", context))
        .expect("the built-in serve page renders")
}

/// The script every served page carries: wait for a newer version, then reload.
fn reload_script(version: u64) -> String {
    format!(
        "<script>\n(async () => {{\n  for (;;) {{\n    try {{\n      const r = await fetch('/__stagebook/wait?version={version}', {{ cache: 'no-store' }});\n      if (r.ok && (await r.text()).trim() !== '{version}') {{ location.reload(); return; }}\n    }} catch (e) {{\n      await new Promise((done) => setTimeout(done, 1000));\n    }}\n  }}\n}})();\n</script>\n"
    )
}

/// Adds the reload script before `</body>` (or at the end).
fn with_reload(html: &str, version: u64) -> String {
    let script = reload_script(version);
    match html.rfind("</body>") {
        Some(at) => format!("{}{script}{}", &html[..at], &html[at..]),
        None => format!("{html}{script}"),
    }
}

/// What the server shows now.
struct State {
    version: u64,
    site: Site,
    /// The watched files as they were when the build of `site` started.
    seen: watch::Seen,
}

struct Shared {
    state: Mutex<State>,
    /// The version, announced to the reload requests waiting for a newer one.
    changed: tokio::sync::watch::Sender<u64>,
}

/// A running preview server.
pub(crate) struct Preview {
    listener: TcpListener,
    address: SocketAddr,
    limits: Limits,
    shared: Arc<Shared>,
}

impl Preview {
    /// Builds the pages and binds `127.0.0.1:port` (`0`: any free port).
    pub(crate) fn bind(path: &Path, settings: &Settings, port: u16) -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot listen on 127.0.0.1:{port}: {e}"))
        })?;
        let address = listener.local_addr()?;
        let seen = watch::Seen::now(&[path.to_path_buf()]);
        let site = build_if_regular(path, settings);
        let (changed, _) = tokio::sync::watch::channel(1);
        Ok(Self {
            listener,
            address,
            limits: Limits::default(),
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    version: 1,
                    site,
                    seen,
                }),
                changed,
            }),
        })
    }

    /// The same server with other time and connection limits.
    #[must_use]
    pub(crate) fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Where the server listens.
    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }

    /// Watches the playbook and answers requests until the process ends.
    pub(crate) fn run(self, path: &Path, settings: &Settings) -> io::Result<()> {
        let shared = Arc::clone(&self.shared);
        let path = path.to_path_buf();
        let settings = settings.clone();
        std::thread::spawn(move || {
            loop {
                let (mut watched, seen) = {
                    let state = lock(&shared);
                    (state.site.inputs.clone(), state.seen.clone())
                };
                if !watched.contains(&path) {
                    watched.push(path.clone());
                }
                watch::wait_for_change_since(&watched, &seen);
                let seen = watch::Seen::now(&watched);
                let site = build_if_regular(&path, &settings);
                let mut state = lock(&shared);
                state.site = site;
                state.seen = seen;
                state.version += 1;
                shared.changed.send_replace(state.version);
            }
        });
        let shared = self.shared;
        let port = self.address.port();
        http::serve(self.listener, self.limits, move |request| {
            handle(request, Arc::clone(&shared), port)
        })
    }
}

/// [`build`], unless the playbook is no longer a regular file: opening a FIFO blocks until
/// something writes to it, which would stop the preview from ever reloading again.
fn build_if_regular(path: &Path, settings: &Settings) -> Site {
    match std::fs::metadata(path) {
        Ok(metadata) if !metadata.is_file() => message_site(
            vec![path.to_path_buf()],
            "cannot read the playbook",
            &format!(
                "{}: not a regular file (a FIFO, a device or a folder); the page comes back when it is a playbook file again",
                path.display()
            ),
        ),
        _ => build(path, settings),
    }
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, State> {
    shared
        .state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn text_response(status: u16, text: &str) -> Response {
    Response::text(status, text)
}

/// Only pages asked for by this machine's own name: a web page elsewhere cannot read the
/// preview through a DNS name pointed at 127.0.0.1.
fn host_allowed(request: &Request, port: u16) -> bool {
    request.host.as_ref().is_some_and(|host| {
        [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ]
        .contains(host)
    })
}

async fn handle(request: Request, shared: Arc<Shared>, port: u16) -> Response {
    if !host_allowed(&request, port) {
        return text_response(
            403,
            "stagebook serve answers only to 127.0.0.1 and localhost",
        );
    }
    if request.path == "/__stagebook/wait" {
        let since: u64 = request
            .query
            .split('&')
            .find_map(|kv| kv.strip_prefix("version="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut versions = shared.changed.subscribe();
        // No change within the long poll: the page simply asks again.
        let _ = tokio::time::timeout(LONG_POLL, versions.wait_for(|v| *v != since)).await;
        let version = *versions.borrow();
        return text_response(200, &version.to_string());
    }
    let state = lock(&shared);
    let name = request.path.trim_start_matches('/');
    let name = if name.is_empty() {
        state.site.index.as_str()
    } else {
        name
    };
    let response = state
        .site
        .pages
        .get(name)
        .map(|html| with_reload(html, state.version));
    drop(state);
    match response {
        Some(html) => Response::html(html),
        None => text_response(404, "no such page"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reload_script_goes_before_the_end_of_the_body() {
        let html = with_reload("<html><body><p>x</p></body></html>", 7);
        assert!(html.contains("version=7"));
        assert!(html.ends_with("</script>\n</body></html>"));
    }

    #[test]
    fn the_findings_page_keeps_its_bytes() {
        let html = page(&context! {
            lang => "en", title => "1 error: <a>", findings => "x.yaml:1: `<b>`\n", message => ()
        });
        assert_eq!(
            html,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>1 error: &lt;a&gt;</title>\n<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}.stagebook-findings{color:#a00}</style>\n</head>\n<body>\n\
             <h1 class=\"stagebook-findings\">1 error: &lt;a&gt;</h1>\n<p>The handbook comes back as soon as these are fixed; this page reloads by itself.</p>\n<pre>x.yaml:1: `&lt;b&gt;`\n</pre>\n</body>\n</html>\n"
        );
    }

    #[test]
    fn message_pages_are_escaped() {
        let site = message_site(Vec::new(), "<t>", "<a href='x'>&</a>");
        let html = &site.pages["message.html"];
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"));
        assert!(html.contains("<title>&lt;t&gt;</title>"));
        assert!(
            html.ends_with(
                "<body>\n<h1>&lt;t&gt;</h1>\n<p>&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;</p>\n</body>\n</html>\n"
            ),
            "{html}"
        );
    }
}

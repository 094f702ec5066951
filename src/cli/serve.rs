//! `stagebook serve`: live preview of a playbook's handbook in the browser.

use std::io;
use std::path::PathBuf;

use super::print_out;
use crate::serve::{Limits, Preview, Settings};

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Open the address it prints in a browser. The page reloads by itself whenever the playbook
or a file it includes is saved; while the playbook has errors the page lists them instead.
Only this machine can connect (127.0.0.1). Ctrl-C stops the server.")]
pub(crate) struct Args {
    /// The playbook file.
    pub(crate) playbook: PathBuf,
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 4100)]
    pub(crate) port: u16,
    /// Folder of templates that replace the built-in ones, as for `render` (watched too).
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,
    /// Largest playbook file to read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 16)]
    pub(crate) max_file_size: u64,
    /// Seconds a client has to send a request's headers (and to take an answer) before its
    /// connection is closed.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) read_timeout: u64,
}

pub(crate) fn run(args: &Args) -> io::Result<u8> {
    if !args.playbook.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{}: no such playbook file", args.playbook.display()),
        ));
    }
    let mut settings = Settings {
        templates: args.templates.clone(),
        ..Settings::default()
    };
    settings.options.limits.max_file_size = args.max_file_size.saturating_mul(1024 * 1024);
    let timeout = std::time::Duration::from_secs(args.read_timeout);
    let preview = Preview::bind(&args.playbook, &settings, args.port)?.with_limits(Limits {
        read_timeout: timeout,
        write_timeout: timeout,
        ..Limits::default()
    });
    print_out(&format!(
        "serving {} at http://{}/ (reloads on save; Ctrl-C stops)\n",
        args.playbook.display(),
        preview.address()
    ))?;
    preview.run(&args.playbook, &settings)?;
    Ok(super::EXIT_OK)
}

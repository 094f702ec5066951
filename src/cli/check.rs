//! `stagebook check`: load, validate and lint playbooks, and print the findings.

use std::io::{self, IsTerminal};
use std::path::PathBuf;

use clap::ValueEnum;

use super::{EXIT_FINDINGS, EXIT_OK, print_out};
use crate::check;
use crate::diagnostic::{Severity, Summary};
use crate::load::Limits;
use crate::report::human::{HumanPrinter, Style};
use crate::report::json;

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style messages with source snippets.
    Human,
    /// One JSON document (see the README for its fields).
    Json,
}

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Playbook files or folders (searched for *.yaml and *.yml). Default: the current folder.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Largest playbook file to read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 16)]
    pub max_file_size: u64,
}

pub fn run(args: &Args) -> io::Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let options = check::Options {
        limits: Limits {
            max_file_size: args.max_file_size.saturating_mul(1024 * 1024),
            ..Limits::default()
        },
    };
    let outcome = check::check_paths(&paths, &options)?;
    let text = match args.format {
        Format::Json => json::render(&outcome.diagnostics, outcome.files),
        Format::Human => {
            let printer = HumanPrinter::new(Style::detect(io::stdout().is_terminal()));
            let mut text = String::new();
            for diagnostic in &outcome.diagnostics {
                printer.render(diagnostic, &mut text);
            }
            text.push_str(&Summary::new(&outcome.diagnostics, outcome.files).to_string());
            text.push('\n');
            text
        }
    };
    print_out(&text)?;
    let failed = outcome
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    Ok(if failed { EXIT_FINDINGS } else { EXIT_OK })
}

//! `stagebook diff`: what a change does to the sales process, for people and pull requests.

use std::io;
use std::path::PathBuf;

use clap::ValueEnum;
use serde::Serialize;

use super::{EXIT_OK, print_out};
use crate::check;
use crate::diff::{self, Report, Summary, human, inputs, markdown};

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Plain text for a terminal.
    Human,
    /// Markdown for a pull-request comment.
    Markdown,
    /// One JSON document.
    Json,
}

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  stagebook diff                      HEAD against the working tree
  stagebook diff main                 main against the working tree
  stagebook diff main..HEAD -- playbooks/
  stagebook diff origin/main...HEAD   what a branch changed since it left main
  stagebook diff old.yaml new.yaml    two files (or two folders)

Exit status: 0 whatever the differences (it is a report), 2 when something could not be read.")]
pub(crate) struct Args {
    /// OLD and NEW: two files, two folders, git revisions (`main`, `main..HEAD`, `A...B`), or
    /// one revision to compare with the working tree. Default: HEAD against the working tree.
    #[arg(value_name = "OLD/NEW", num_args = 0..=2)]
    pub(crate) versions: Vec<String>,
    /// With git revisions: only the playbooks under these paths (default: the current folder).
    #[arg(last = true, value_name = "PATHS")]
    pub(crate) paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
    /// Compare YAML, schema and structure findings only; skip the lint rules.
    #[arg(long)]
    pub(crate) no_lint: bool,
    /// Largest playbook file to read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 16)]
    pub(crate) max_file_size: u64,
}

/// The JSON document of `diff --format json`.
#[derive(Serialize)]
struct JsonReport<'a> {
    tool: Tool,
    format_version: u32,
    old: &'a str,
    new: &'a str,
    summary: Summary,
    playbooks: &'a [diff::PlaybookDiff],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

pub(crate) fn run(args: &Args) -> io::Result<u8> {
    let request = inputs::parse_request(&args.versions, &args.paths)?;
    let mut options = check::Options {
        lint: !args.no_lint,
        ..check::Options::default()
    };
    options.limits.max_file_size = args.max_file_size.saturating_mul(1024 * 1024);
    let report = inputs::run(&request, &options)?;
    print_out(&render(&report, args.format))?;
    Ok(EXIT_OK)
}

/// The report in `format`.
pub(crate) fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Human => human::render(report),
        Format::Markdown => markdown::render(report),
        Format::Json => {
            let document = JsonReport {
                tool: Tool {
                    name: "stagebook",
                    version: env!("CARGO_PKG_VERSION"),
                },
                format_version: diff::FORMAT_VERSION,
                old: &report.old,
                new: &report.new,
                summary: report.summary(),
                playbooks: &report.playbooks,
            };
            let mut text = serde_json::to_string_pretty(&document).expect("the report serialises");
            text.push('\n');
            text
        }
    }
}

//! `stagebook check`: load, validate and lint playbooks, and print the findings.

use std::io::{self, IsTerminal};
use std::path::PathBuf;

use clap::ValueEnum;

use super::{EXIT_FINDINGS, EXIT_OK, print_out};
use crate::check;
use crate::diagnostic::Summary;
use crate::emit::words::{capped, plural};
use crate::lint::baseline::{self, Baseline};
use crate::lint::config::Overrides;
use crate::load::Limits;
use crate::report::human::{HumanPrinter, Style};
use crate::report::{github, json, junit, sarif};

/// Where `check --stop-after` stops (hidden: for benchmarks and debugging).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StopAfter {
    /// Read the YAML only.
    Parse,
    /// Read, validate against the schema and check the structure.
    Schema,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// rustc-style messages with source snippets.
    Human,
    /// One JSON document (see the README for its fields).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// JUnit XML: one test case per playbook and rule.
    Junit,
}

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Playbook files or folders (searched for *.yaml and *.yml). Default: the current folder.
    pub(crate) paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
    /// Largest playbook file to read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 16)]
    pub(crate) max_file_size: u64,
    /// Set a lint rule or category to `allow` (not reported). Repeatable.
    #[arg(short = 'A', long = "allow", value_name = "RULE|CATEGORY")]
    pub(crate) allow: Vec<String>,
    /// Set a lint rule or category to `warn`. Repeatable.
    #[arg(short = 'W', long = "warn", value_name = "RULE|CATEGORY")]
    pub(crate) warn: Vec<String>,
    /// Set a lint rule or category to `deny` (an error). `-D warnings` makes warnings fail the
    /// check. Repeatable.
    #[arg(short = 'D', long = "deny", value_name = "RULE|CATEGORY|warnings")]
    pub(crate) deny: Vec<String>,
    /// Check YAML, schema and structure only; skip the lint rules.
    #[arg(long)]
    pub(crate) no_lint: bool,
    /// Stop after a stage of the pipeline: `parse` (YAML only) or `schema` (like `--no-lint`).
    /// For benchmarks and debugging.
    #[arg(long, value_enum, hide = true)]
    pub(crate) stop_after: Option<StopAfter>,
    /// Hide the lint findings listed in this baseline file; report only new ones.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub(crate) baseline: Option<PathBuf>,
    /// Write the current lint findings to this baseline file, then report what it does not
    /// cover (findings that are not lint findings).
    #[arg(long, value_name = "FILE")]
    pub(crate) write_baseline: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> io::Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let overrides = Overrides {
        allow: args.allow.clone(),
        warn: args.warn.clone(),
        deny: args.deny.clone(),
    };
    overrides.validate()?;
    let mut options = check::Options {
        limits: Limits {
            max_file_size: args.max_file_size.saturating_mul(1024 * 1024),
            ..Limits::default()
        },
        lint: !args.no_lint && args.stop_after.is_none(),
        parse_only: args.stop_after == Some(StopAfter::Parse),
        overrides,
        baseline: args.baseline.as_deref().map(Baseline::read).transpose()?,
        compact: Some(crate::report::human::keep_snippets_only),
    };
    let mut outcome = check::check_paths(&paths, &options)?;
    if let Some(path) = &args.write_baseline {
        let count = baseline::write(path, &outcome.diagnostics)?;
        eprintln!(
            "wrote {count} lint findings to the baseline {}",
            path.display()
        );
        // Report as a later `--baseline` run will: only what the baseline does not cover.
        options.baseline = Some(Baseline::read(path)?);
        outcome = check::check_paths(&paths, &options)?;
    }
    if outcome.baseline_unmatched > 0 {
        eprintln!(
            "note: {} baseline entries match nothing any more; rewrite it with --write-baseline",
            outcome.baseline_unmatched
        );
    }
    if !outcome.skipped.is_empty() {
        eprintln!(
            "note: skipped {} with no `stagebook`, `playbook` or `stages` key, so no playbook: {}; name a file to check it anyway, or list it in `[check] exclude` of stagebook.toml to skip it quietly",
            plural(outcome.skipped.len(), "YAML file"),
            capped(&outcome.skipped, 5, String::clone),
        );
    }
    let catalogue = crate::lint::catalogue();
    let text = match args.format {
        Format::Json => json::render(&outcome.diagnostics, outcome.files, &catalogue),
        Format::Sarif => sarif::render(&outcome.diagnostics, &catalogue),
        Format::Github => github::render(&outcome.diagnostics, outcome.files),
        Format::Junit => junit::render(&outcome.diagnostics, &outcome.playbooks, &catalogue),
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
    Ok(if outcome.failed {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

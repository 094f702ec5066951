//! Above every stage: the command line. It parses arguments, runs a command, and maps the outcome to an exit code.
//! Findings about playbooks go to stdout; failures of the tool itself go to stderr.

mod check;
mod completions;
mod crm;
mod diff;
mod init;
mod locale;
mod metrics;
mod render;
mod rules;
mod serve;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::lint::config::ConfigErrors;
use crate::report::human::{HumanPrinter, Style};

/// Exit code: nothing at error level.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code: findings at error level.
pub(crate) const EXIT_FINDINGS: u8 = 1;
/// Exit code: the tool could not do its job (unreadable path, bad arguments).
pub(crate) const EXIT_FAILURE: u8 = 2;

/// What `stagebook --version` prints after the name: the version and the commit it was built
/// from, e.g. `0.1.0 (4ce7999 2026-12-03)`.
pub(crate) const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("STAGEBOOK_COMMIT"),
    ")"
);

/// Sales playbooks as code: validate, lint, render and measure them.
#[derive(Debug, Parser)]
#[command(name = "stagebook", version = VERSION, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check playbooks: YAML, schema, structure and lint rules. Exit 0 when clean, 1 when
    /// findings fail the check, 2 when the tool could not run.
    Check(check::Args),
    /// Show what a change does to the sales process: stages, exits, guidance, content.
    Diff(diff::Args),
    /// Start a playbook repository: settings, a starter playbook, CI and pre-commit files.
    Init(init::Args),
    /// List the lint rules: id, category, default level, summary.
    Rules(rules::RulesArgs),
    /// Explain a finding code: a lint rule's documentation (what it checks, why it matters, an
    /// example), or what a `yaml::`, `input::`, `schema::` or `structure::` code means.
    Explain(rules::ExplainArgs),
    /// Measure a playbook against CRM stage history: entered, advanced, lost and remaining per
    /// stage and period, time in stage, stalls, win rate. Exit 0 when done, 1 on a broken
    /// playbook or a --strict failure, 2 when the tool cannot run (files, arguments, input).
    Metrics(Box<metrics::Args>),
    /// Render playbooks into rep handbooks and per-stage checklists (HTML, Markdown, PDF).
    Render(render::Args),
    /// Compile playbooks into CRM pipeline configuration, and detect drift.
    #[command(subcommand)]
    Crm(crm::Command),
    /// Print the playbook JSON Schema (the same as schemas/playbook.schema.json).
    Schema,
    /// Preview a playbook's handbook in the browser, reloading whenever the YAML changes.
    Serve(serve::Args),
    /// Run the language server on standard input and output, for editors: findings as you
    /// type, completion, go to definition, rename of stage ids, quick fixes.
    Lsp,
    /// Print a shell completion script (bash, zsh, fish, powershell).
    Completions(completions::Args),
    /// Print the man page, or write one page per command with --out DIR.
    Man(completions::ManArgs),
}

/// Runs the command line and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Lsp => crate::lsp::serve_stdio().map(|()| EXIT_OK),
        Command::Completions(args) => completions::completions(&args),
        Command::Man(args) => completions::man(&args),
        Command::Rules(args) => rules::run_rules(&args),
        Command::Explain(args) => rules::run_explain(&args),
        Command::Metrics(args) => metrics::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Crm(command) => crm::run(&command),
        Command::Schema => {
            let schema = crate::model::schema();
            let text = serde_json::to_string_pretty(&schema).expect("the schema serializes");
            print_out(&format!("{text}\n"))
        }
    };
    ExitCode::from(code.unwrap_or_else(|error| {
        print_error(&error);
        EXIT_FAILURE
    }))
}

/// Prints a tool failure: problems in `stagebook.toml` as findings with their snippets, any
/// other error as one line.
fn print_error(error: &io::Error) {
    let config = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ConfigErrors>());
    let Some(ConfigErrors(problems)) = config else {
        // The message may quote a file name or a value: no control character of it reaches
        // the terminal.
        let message = error.to_string();
        eprintln!("error: {}", crate::report::human::terminal_safe(&message));
        return;
    };
    let printer = HumanPrinter::new(Style::detect(io::stderr().is_terminal()));
    let mut text = String::new();
    for problem in problems {
        printer.render(problem, &mut text);
    }
    eprint!("{text}");
}

pub(crate) fn print_out(text: &str) -> io::Result<u8> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // A closed pipe (`stagebook check | head`) is not a failure of the check.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e),
        _ => Ok(EXIT_OK),
    }
}

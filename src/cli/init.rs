//! `stagebook init`: start a playbook repository.

use std::fmt::Write as _;
use std::io;
use std::path::PathBuf;

use super::locale::LocaleArg;
use super::print_out;
use crate::init;

/// Arguments of `init`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Writes stagebook.toml, playbooks/sales.yaml, schemas/playbook.schema.json,
.github/workflows/playbooks.yml, .pre-commit-config.yaml, .vscode/settings.json and
.gitignore. Files that already exist are skipped, never overwritten.")]
pub(crate) struct Args {
    /// The project folder (created when missing). Default: the current folder.
    #[arg(default_value = ".")]
    pub(crate) dir: PathBuf,
    /// Language of the starter playbook.
    #[arg(long, value_enum, default_value_t = LocaleArg::En)]
    pub(crate) locale: LocaleArg,
}

pub(crate) fn run(args: &Args) -> io::Result<u8> {
    let outcome = init::write(&args.dir, &init::files(args.locale.into()))?;
    let mut text = String::new();
    for path in &outcome.created {
        let _ = writeln!(text, "created {}", path.display());
    }
    for path in &outcome.skipped {
        let _ = writeln!(text, "skipped {} (already exists)", path.display());
    }
    for (path, folder) in &outcome.behind_symlink {
        let _ = writeln!(
            text,
            "skipped {} (`{}` is a symlink; init writes only inside the project folder)\n  help: replace the symlink with a real folder to get this file",
            path.display(),
            folder.display()
        );
    }
    let shown = args.dir.display().to_string();
    let cd = if shown == "." {
        String::new()
    } else {
        format!("cd {shown} && ")
    };
    let _ = writeln!(text, "\nnext: {cd}stagebook check playbooks");
    print_out(&text)
}

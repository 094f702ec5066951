//! `stagebook init`: start a playbook repository.

use std::fmt::Write as _;
use std::io;
use std::path::PathBuf;

use clap::ValueEnum;

use super::print_out;
use crate::init;
use crate::model::Locale;

/// Language of the starter playbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LocaleArg {
    /// English.
    En,
    /// Simplified Chinese.
    #[value(name = "zh-CN")]
    ZhCn,
}

/// Arguments of `init`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Writes stagebook.toml, playbooks/sales.yaml, schemas/playbook.schema.json,
.github/workflows/playbooks.yml, .pre-commit-config.yaml, .vscode/settings.json and
.gitignore. Files that already exist are skipped, never overwritten.")]
pub struct Args {
    /// The project folder (created when missing). Default: the current folder.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Language of the starter playbook.
    #[arg(long, value_enum, default_value_t = LocaleArg::En)]
    pub locale: LocaleArg,
}

pub fn run(args: &Args) -> io::Result<u8> {
    let locale = match args.locale {
        LocaleArg::En => Locale::En,
        LocaleArg::ZhCn => Locale::ZhCn,
    };
    let outcome = init::write(&args.dir, &init::files(locale))?;
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

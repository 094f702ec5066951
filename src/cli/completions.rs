//! `stagebook completions` and `stagebook man`: shell completion scripts and the man page,
//! generated from the same clap definition as the command line itself.

use std::fmt::Write as _;
use std::io;
use std::path::PathBuf;

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, print_out};

/// Arguments of `completions`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Install, for example:
  bash:       stagebook completions bash > ~/.local/share/bash-completion/completions/stagebook
  zsh:        stagebook completions zsh > ~/.zfunc/_stagebook   (with fpath+=~/.zfunc)
  fish:       stagebook completions fish > ~/.config/fish/completions/stagebook.fish
  powershell: stagebook completions powershell >> $PROFILE")]
pub(crate) struct Args {
    /// The shell to write completions for.
    #[arg(value_enum)]
    pub(crate) shell: Shell,
}

pub(crate) fn completions(args: &Args) -> io::Result<u8> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "stagebook", &mut out);
    print_out(&String::from_utf8_lossy(&out))
}

/// Arguments of `man`.
#[derive(Debug, clap::Args)]
pub(crate) struct ManArgs {
    /// Write `stagebook.1` and one page per command (`stagebook-check.1` …) into this folder
    /// instead of printing `stagebook.1`.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
}

/// Prints the man page (roff), or writes every page into a folder.
pub(crate) fn man(args: &ManArgs) -> io::Result<u8> {
    let command = Cli::command();
    let page = |man: clap_mangen::Man| -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        man.render(&mut out)?;
        Ok(out)
    };
    let Some(dir) = &args.out else {
        return print_out(&String::from_utf8_lossy(&page(clap_mangen::Man::new(
            command,
        ))?));
    };
    let out = crate::emit::OutDir::create(dir)?;
    let mut written = String::new();
    let mut pages = vec![(
        "stagebook.1".to_string(),
        page(clap_mangen::Man::new(command.clone()))?,
    )];
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("stagebook-{}", sub.get_name());
        let sub = sub
            .clone()
            .bin_name(format!("stagebook {}", sub.get_name()));
        pages.push((
            format!("{name}.1"),
            page(clap_mangen::Man::new(sub).title(name.clone()))?,
        ));
    }
    for (name, text) in pages {
        out.write(std::path::Path::new(&name), &text)?;
        let _ = writeln!(written, "wrote {}", dir.join(&name).display());
    }
    print_out(&written)
}

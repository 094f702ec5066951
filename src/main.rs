//! The `stagebook` command.

fn main() -> std::process::ExitCode {
    stagebook::cli::run()
}

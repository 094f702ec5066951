//! `stagebook rules` and `stagebook explain RULE`: the lint rules and their documentation.

use std::fmt::Write as _;
use std::io;

use clap::ValueEnum;

use super::print_out;
use crate::lint::{find_rule, known_ids, registry};

/// Output formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned table.
    Human,
    /// A JSON array of `{id, category, default_level, summary}`.
    Json,
    /// The Markdown table in the README.
    Markdown,
}

/// Arguments of `rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The rule id, e.g. `seller-side-exit`.
    pub rule: String,
}

pub fn run_rules(args: &RulesArgs) -> io::Result<u8> {
    let text = match args.format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&crate::lint::catalogue().rule_rows())
                .expect("rows serialize");
            text.push('\n');
            text
        }
        Format::Markdown => crate::lint::markdown_table(),
        Format::Human => {
            let width = registry()
                .iter()
                .map(|r| r.meta().id.len())
                .max()
                .unwrap_or(0);
            let mut text = String::new();
            for rule in registry() {
                let m = rule.meta();
                let _ = writeln!(
                    text,
                    "{:<width$}  {:<11}  {:<5}  {}",
                    m.id,
                    m.category.name(),
                    m.default_level.name(),
                    m.summary
                );
            }
            text
        }
    };
    print_out(&text)
}

pub fn run_explain(args: &ExplainArgs) -> io::Result<u8> {
    let Some(rule) = find_rule(&args.rule) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "unknown lint rule `{}`; the rules are: {}",
                args.rule,
                known_ids()
            ),
        ));
    };
    let m = rule.meta();
    print_out(&format!(
        "# {}\n\ncategory: {} · default level: {}\n\n{}.\n\n{}",
        m.id,
        m.category,
        m.default_level,
        capitalise(m.summary),
        m.markdown()
    ))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

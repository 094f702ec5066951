//! `stagebook rules` and `stagebook explain RULE`: the lint rules and their documentation.

use std::fmt::Write as _;
use std::io;

use clap::ValueEnum;

use super::print_out;
use crate::diagnostic::codes::capitalise;
use crate::lint::{find_rule, known_ids, registry};

/// Output formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// An aligned table.
    Human,
    /// A JSON array of `{id, category, default_level, summary}`.
    Json,
    /// The Markdown table in the README.
    Markdown,
}

/// Arguments of `rules`.
#[derive(Debug, clap::Args)]
pub(crate) struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
}

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// The code: a lint rule's id (`seller-side-exit`) or a finding code (`yaml::syntax`).
    pub(crate) code: String,
}

pub(crate) fn run_rules(args: &RulesArgs) -> io::Result<u8> {
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

/// `stagebook explain CODE`: a lint rule's long documentation, or a catalogued code's family,
/// level and help line.
pub(crate) fn run_explain(args: &ExplainArgs) -> io::Result<u8> {
    let catalogue = crate::lint::catalogue();
    let Some(entry) = catalogue.get(&args.code) else {
        let closest = catalogue
            .entries()
            .iter()
            .map(|e| (strsim::jaro_winkler(e.id, &args.code), e.id))
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map_or(String::new(), |(_, id)| format!("did you mean `{id}`? "));
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "unknown code `{}`\nhelp: {closest}the lint rules are: {}; the other codes have a family prefix (`yaml::syntax`, `schema::unknown-field`, …) and are listed in the README's \"Finding codes\"",
                args.code,
                known_ids()
            ),
        ));
    };
    let Some(rule) = find_rule(entry.id) else {
        return print_out(&entry.explain());
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

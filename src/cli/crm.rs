//! `stagebook crm export` and `stagebook crm diff`: compile a playbook into a CRM's pipeline
//! configuration, and compare a CRM's configuration with the playbook.

use std::fmt::Write as _;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use clap::builder::PossibleValue;
use clap::{Subcommand, ValueEnum};

use super::{EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK, print_out};
use crate::check::{self, Opened, Refused};
use crate::crm::{self, ExportOptions, Layout, Target, diff};
use crate::diagnostic::{Diagnostic, Severity, Summary};
use crate::emit::words::plural;
use crate::lint::config::Overrides;
use crate::model::PlaybookFile;
use crate::report::human::{HumanPrinter, Style};
use crate::source::display_name;

// `--target` takes the ids of `crm::TARGETS`: the list of targets is the one source.
impl ValueEnum for Target {
    fn value_variants<'a>() -> &'a [Self] {
        crm::TARGETS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.id()).help(self.about()))
    }
}

/// Salesforce file layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LayoutArg {
    /// Source format (`*-meta.xml`), for an sfdx project's package folder.
    Source,
    /// Metadata API format, for `sf project deploy start --metadata-dir`.
    Mdapi,
}

/// Output formats of `crm diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffFormat {
    /// One line per difference.
    Human,
    /// A Markdown table, for pull-request comments and CI summaries.
    Markdown,
    /// One JSON document (see the README for its fields).
    Json,
}

/// The `crm` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Compile a playbook into a CRM's pipeline configuration, written into --out. Exit 0 when
    /// written, 1 when the CRM cannot hold the playbook (nothing written), 2 on failure.
    Export(ExportArgs),
    /// Compare a CRM's current stages with a playbook. Exit 0 when they agree, 1 when they
    /// differ, 2 on failure.
    Diff(DiffArgs),
    /// Show what deploying the playbook would change in the CRM as retrieved: Salesforce
    /// (`crm export --merge-with RETRIEVED`), or a HubSpot or Pipedrive pipeline, stage by
    /// stage. Exit 0 when no stage changes, 1 when some do, 2 on failure.
    Plan(PlanArgs),
}

/// Arguments of `crm plan`.
#[derive(Debug, clap::Args)]
pub(crate) struct PlanArgs {
    /// The playbook file.
    pub(crate) playbook: PathBuf,
    /// The CRM.
    #[arg(long, value_enum)]
    pub(crate) target: Target,
    /// What was retrieved from the org: a Salesforce metadata folder (with
    /// standardValueSets/OpportunityStage and any pathAssistants) or the value set file; a
    /// HubSpot pipelines response; a Pipedrive stages response.
    pub(crate) retrieved: PathBuf,
    /// Plan to deactivate the org's active values the playbook does not name.
    #[arg(long)]
    pub(crate) deactivate_missing: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub(crate) format: DiffFormat,
}

/// Arguments of `crm export`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExportArgs {
    /// The playbook file.
    pub(crate) playbook: PathBuf,
    /// The CRM to compile for.
    #[arg(long, value_enum)]
    pub(crate) target: Target,
    /// Folder to write into (created if missing; existing files with the same names are
    /// replaced).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Salesforce only: file layout.
    #[arg(long, value_enum, default_value_t = LayoutArg::Source)]
    pub(crate) layout: LayoutArg,
    /// Salesforce only: the org as retrieved (a metadata folder): keep every value it holds,
    /// change only what the playbook says, update its Sales Path. Without it the export is
    /// for a new org: deploying it deactivates every value it leaves out.
    #[arg(long, value_name = "RETRIEVED")]
    pub(crate) merge_with: Option<PathBuf>,
    /// With --merge-with: deactivate the org's active values the playbook does not name.
    #[arg(long, requires = "merge_with")]
    pub(crate) deactivate_missing: bool,
}

/// Arguments of `crm diff`.
#[derive(Debug, clap::Args)]
pub(crate) struct DiffArgs {
    /// The playbook file.
    pub(crate) playbook: PathBuf,
    /// The CRM the export comes from.
    #[arg(long, value_enum)]
    pub(crate) target: Target,
    /// What was retrieved from the CRM: a Salesforce metadata folder (or its
    /// OpportunityStage value set), a HubSpot pipelines response, a Pipedrive stages response.
    pub(crate) source: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub(crate) format: DiffFormat,
}

pub(crate) fn run(command: &Command) -> io::Result<u8> {
    match command {
        Command::Export(args) => export(args),
        Command::Diff(args) => diff(args),
        Command::Plan(args) => plan(args),
    }
}

/// The org retrieved in `source`, for `--merge-with` and `crm plan`: Salesforce only.
fn read_org(target: Target, source: &Path) -> io::Result<crm::merge::OrgSet> {
    if target.id() != "salesforce" {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "--merge-with and `crm plan` read Salesforce orgs so far; for {} compare the pipeline with `stagebook crm diff --target {}` before deploying",
                target.name(),
                target.id()
            ),
        ));
    }
    crm::merge::read_org(source)
}

/// Merges the playbook into the org retrieved in `source`; an unusable org is an input error.
fn merge(
    playbook: &PlaybookFile,
    org: &crm::merge::OrgSet,
    deactivate_missing: bool,
    source: &Path,
) -> io::Result<crm::merge::Merged> {
    crm::merge::merge(playbook, org, deactivate_missing).map_err(|why| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {why}", display_name(source)),
        )
    })
}

fn plan(args: &PlanArgs) -> io::Result<u8> {
    if args.target.id() != "salesforce" {
        return pipeline_plan(args);
    }
    let org = read_org(args.target, &args.retrieved)?;
    let opened = match load(&args.playbook, EXIT_FAILURE)? {
        Ok(opened) => opened,
        Err(exit) => return Ok(exit),
    };
    let merged = merge(
        &opened.playbook,
        &org,
        args.deactivate_missing,
        &args.retrieved,
    )?;
    let plan = &merged.plan;
    let text = match args.format {
        DiffFormat::Human => crm::merge::human(plan, &args.retrieved),
        DiffFormat::Markdown => crm::merge::markdown(plan, &args.retrieved),
        DiffFormat::Json => serde_json::to_string_pretty(plan).map_err(io::Error::other)? + "\n",
    };
    print_out(&text)?;
    Ok(if plan.changes_values() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// `crm plan` for HubSpot and Pipedrive: the stages `crm diff` finds changed, as the calls that
/// would change them, never a delete.
fn pipeline_plan(args: &PlanArgs) -> io::Result<u8> {
    refuse_deactivate(args.target, args.deactivate_missing)?;
    let opened = match load(&args.playbook, EXIT_FAILURE)? {
        Ok(opened) => opened,
        Err(exit) => return Ok(exit),
    };
    let actual = diff::read_source(args.target, &opened.playbook, &args.retrieved)?;
    let differences = diff::compare(args.target, &opened.playbook, &actual);
    let plan = crm::plan::from_differences(args.target, &differences, actual.len());
    let text = match args.format {
        DiffFormat::Human => crm::merge::human(&plan, &args.retrieved),
        DiffFormat::Markdown => crm::merge::markdown(&plan, &args.retrieved),
        DiffFormat::Json => serde_json::to_string_pretty(&plan).map_err(io::Error::other)? + "\n",
    };
    print_out(&text)?;
    Ok(if plan.changes.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let printer = HumanPrinter::new(Style::detect(io::stdout().is_terminal()));
    let mut text = String::new();
    for diagnostic in diagnostics {
        printer.render(diagnostic, &mut text);
    }
    text
}

/// Opens the playbook. When it cannot be compiled, prints its findings and gives `Err(refused)`,
/// the exit code the command ends with.
fn load(path: &Path, refused: u8) -> io::Result<Result<Opened, u8>> {
    match check::open_playbook(path, &check::Options::default())? {
        Ok(opened) => Ok(Ok(opened)),
        Err(Refused::Fragment) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{}: this file holds stages or content for another playbook's `include`; pass that playbook",
                path.display()
            ),
        )),
        Err(Refused::Errors(checked)) => {
            let mut text = render(&checked.diagnostics);
            text.push_str(&Summary::new(&checked.diagnostics, 1).to_string());
            text.push_str("\nthe playbook has errors: fix them before comparing or exporting it\n");
            print_out(&text)?;
            Ok(Err(refused))
        }
    }
}

fn export(args: &ExportArgs) -> io::Result<u8> {
    let opened = match load(&args.playbook, EXIT_FINDINGS)? {
        Ok(opened) => opened,
        Err(exit) => return Ok(exit),
    };
    let options = ExportOptions {
        target: args.target,
        layout: match args.layout {
            LayoutArg::Source => Layout::Source,
            LayoutArg::Mdapi => Layout::Mdapi,
        },
    };
    let diagnostics = check::crm_findings(&opened, options.target, Overrides::default())?;
    let mut text = render(&diagnostics);
    let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
    if failed {
        text.push_str(&Summary::new(&diagnostics, 1).to_string());
        let _ = writeln!(
            text,
            "\nnothing written: {} cannot hold this playbook as it is",
            options.target
        );
        print_out(&text)?;
        return Ok(EXIT_FINDINGS);
    }
    if let (Some(source), false) = (&args.merge_with, options.target.id() == "salesforce") {
        return export_calls(args, &opened.playbook, source, &diagnostics, text);
    }
    let merged = match &args.merge_with {
        Some(source) => {
            let org = read_org(options.target, source)?;
            let merged = merge(&opened.playbook, &org, args.deactivate_missing, source)?;
            if merged.process.is_some() && options.layout == Layout::Mdapi {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "a sales process is written in the source layout (objects/Opportunity/businessProcesses/): leave out --layout mdapi, or deploy with `sf project deploy start`",
                ));
            }
            Some(merged)
        }
        None => None,
    };
    let files = match &merged {
        Some(merged) => crm::salesforce::export_merged(&opened.playbook, options.layout, merged),
        None => crm::export(&opened.playbook, options),
    };
    let written = write_export(&args.out, &files)?;
    if let (Some(merged), Some(source)) = (&merged, &args.merge_with) {
        text.push_str(&crm::merge::human(&merged.plan, source));
    }
    wrote(&mut text, &diagnostics, &written, options.target);
    if merged.is_none() && options.target.id() == "salesforce" {
        text.push_str(
            "note: for a new org only: deploying this value set into an org that has Opportunity stages deactivates every value it leaves out; for a live org, retrieve it and export with --merge-with (see `stagebook crm plan`)\n",
        );
    } else if merged.is_none() {
        let _ = writeln!(
            text,
            "note: for a new pipeline only: into a live one, these bodies would replace or duplicate its stages; fetch its stages and export with --merge-with for stage-by-stage calls (see `stagebook crm plan`)"
        );
    }
    print_out(&text)?;
    Ok(EXIT_OK)
}

/// `--deactivate-missing` is Salesforce's: a HubSpot or Pipedrive plan never deletes a stage.
fn refuse_deactivate(target: Target, deactivate_missing: bool) -> io::Result<()> {
    if deactivate_missing {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "--deactivate-missing is for Salesforce's stage values; a {} plan never deletes a stage, it keeps the ones the playbook does not name",
                target.name()
            ),
        ));
    }
    Ok(())
}

/// The findings' summary and the files written, at the end of an export's report.
fn wrote(text: &mut String, diagnostics: &[Diagnostic], written: &[PathBuf], target: Target) {
    if !diagnostics.is_empty() {
        text.push_str(&Summary::new(diagnostics, 1).to_string());
        text.push('\n');
    }
    let _ = writeln!(
        text,
        "wrote {} for {target}:",
        plural(written.len(), "file")
    );
    for path in written {
        let _ = writeln!(text, "  {}", display_name(path));
    }
}

/// Writes an export into `out`, refusing a folder that holds another playbook's export.
fn write_export(out: &Path, files: &[crm::OutputFile]) -> io::Result<Vec<PathBuf>> {
    if let Some(other) = crm::write::other_export(out, files) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} already holds the export of another playbook ({other}); writing this one there would replace it: export each playbook into its own folder",
                display_name(out)
            ),
        ));
    }
    crm::write::write_all(out, files)
}

/// `crm export --merge-with` for HubSpot and Pipedrive: the plan, and the API calls that carry
/// it out stage by stage (never a delete), written to the `--out` folder.
fn export_calls(
    args: &ExportArgs,
    playbook: &PlaybookFile,
    source: &Path,
    diagnostics: &[Diagnostic],
    mut text: String,
) -> io::Result<u8> {
    refuse_deactivate(args.target, args.deactivate_missing)?;
    let actual = diff::read_source(args.target, playbook, source)?;
    let differences = diff::compare(args.target, playbook, &actual);
    let plan = crm::plan::from_differences(args.target, &differences, actual.len());
    let (file, left) =
        crm::calls::calls(args.target, playbook, &actual, &differences).map_err(|why| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {why}", display_name(source)),
            )
        })?;
    let written = write_export(&args.out, &[file])?;
    text.push_str(&crm::merge::human(&plan, source));
    wrote(&mut text, diagnostics, &written, args.target);
    for note in left {
        let _ = writeln!(text, "note: {note}");
    }
    let _ = writeln!(
        text,
        "send each call in order with your token (see the README, \"Into a live HubSpot or Pipedrive pipeline\"); nothing is deleted"
    );
    print_out(&text)?;
    Ok(EXIT_OK)
}

fn diff(args: &DiffArgs) -> io::Result<u8> {
    let opened = match load(&args.playbook, EXIT_FAILURE)? {
        Ok(opened) => opened,
        Err(exit) => return Ok(exit),
    };
    let playbook = opened.playbook;
    let target = args.target;
    let actual = diff::read_source(target, &playbook, &args.source)?;
    let differences = diff::compare(target, &playbook, &actual);
    let name = opened.file.name.clone();
    let source = display_name(&args.source);
    let text = match args.format {
        DiffFormat::Human => diff::human(&differences, target, &name, &source),
        DiffFormat::Markdown => diff::markdown(&differences, target, &name, &source),
        DiffFormat::Json => diff::json(&differences, target, &name, &source),
    };
    print_out(&text)?;
    Ok(if differences.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

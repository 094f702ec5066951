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
    #[command(
        override_usage = "stagebook crm plan [OPTIONS] --target <TARGET> <PLAYBOOK>... <RETRIEVED>"
    )]
    Plan(PlanArgs),
}

/// Arguments of `crm plan`.
#[derive(Debug, clap::Args)]
pub(crate) struct PlanArgs {
    /// The playbook file (or several, or a folder of them, deployed together as `crm export`
    /// takes them), then what was retrieved from the CRM: a Salesforce metadata folder (with
    /// standardValueSets/OpportunityStage, any pathAssistants and businessProcesses) or the
    /// value set file; a HubSpot pipelines response; a Pipedrive stages response.
    #[arg(required = true, num_args = 1.., value_name = "PLAYBOOK... RETRIEVED")]
    pub(crate) paths: Vec<PathBuf>,
    /// The CRM.
    #[arg(long, value_enum)]
    pub(crate) target: Target,
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
    /// The playbook file; or several (or a folder of them) to deploy together into one org:
    /// one Salesforce value set with a Sales Path and sales process each, one HubSpot or
    /// Pipedrive pipeline each.
    #[arg(required = true, value_name = "PLAYBOOK")]
    pub(crate) playbooks: Vec<PathBuf>,
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
    /// The CRM as retrieved: a Salesforce metadata folder (keep every value it holds, change
    /// only what the playbooks say, update its Sales Paths and sales processes), a HubSpot
    /// pipelines or Pipedrive stages response (write stage-by-stage calls). Without it the
    /// export is for a new org or pipeline.
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

/// Merges the playbooks into the org retrieved in `source`; an unusable org is an input error.
fn merge(
    playbooks: &[&PlaybookFile],
    org: &crm::merge::OrgSet,
    deactivate_missing: bool,
    source: &Path,
) -> io::Result<crm::merge::Merged> {
    crm::merge::merge(playbooks, org, deactivate_missing).map_err(|why| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {why}", display_name(source)),
        )
    })
}

impl PlanArgs {
    /// The playbooks: every path but the last.
    fn playbooks(&self) -> &[PathBuf] {
        &self.paths[..self.paths.len().saturating_sub(1)]
    }

    /// What was retrieved: the last path.
    fn retrieved(&self) -> &Path {
        self.paths.last().map_or(Path::new(""), PathBuf::as_path)
    }
}

fn plan(args: &PlanArgs) -> io::Result<u8> {
    if args.paths.len() < 2 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "`crm plan` takes the playbook, then what was retrieved from the CRM: `stagebook crm plan PLAYBOOK --target salesforce RETRIEVED`",
        ));
    }
    let opened = match load_all(args.playbooks(), EXIT_FAILURE)? {
        Ok(opened) => opened,
        Err(exit) => return Ok(exit),
    };
    let members: Vec<crate::lint::shared::Member<'_>> =
        opened.iter().map(|o| (&o.document, &o.playbook)).collect();
    let conflicts = crate::lint::shared::conflicts(&members, args.target);
    if !conflicts.is_empty() {
        let mut text = render(&conflicts);
        text.push_str(&Summary::new(&conflicts, opened.len()).to_string());
        text.push_str(
            "\nnothing planned: these playbooks cannot be deployed together as they are\n",
        );
        print_out(&text)?;
        return Ok(EXIT_FAILURE);
    }
    if args.target.id() != "salesforce" {
        return pipeline_plan(args, &opened);
    }
    let org = read_org(args.target, args.retrieved())?;
    let playbooks: Vec<&PlaybookFile> = opened.iter().map(|o| &o.playbook).collect();
    let merged = merge(&playbooks, &org, args.deactivate_missing, args.retrieved())?;
    let plan = &merged.plan;
    print_out(&plan_text(plan, args)?)?;
    Ok(if plan.changes_values() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// A plan in the format asked for.
fn plan_text(plan: &crm::merge::Plan, args: &PlanArgs) -> io::Result<String> {
    Ok(match args.format {
        DiffFormat::Human => crm::merge::human(plan, args.retrieved()),
        DiffFormat::Markdown => crm::merge::markdown(plan, args.retrieved()),
        DiffFormat::Json => serde_json::to_string_pretty(plan).map_err(io::Error::other)? + "\n",
    })
}

/// `crm plan` for HubSpot and Pipedrive: the stages `crm diff` finds changed, as the calls that
/// would change them, never a delete; a plan for each playbook's pipeline.
fn pipeline_plan(args: &PlanArgs, opened: &[Opened]) -> io::Result<u8> {
    refuse_deactivate(args.target, args.deactivate_missing)?;
    let mut text = String::new();
    let mut plans = Vec::new();
    for one in opened {
        let actual = diff::read_source(args.target, &one.playbook, args.retrieved())?;
        let differences = diff::compare(args.target, &one.playbook, &actual);
        let plan = crm::plan::from_differences(args.target, &differences, actual.len());
        if opened.len() > 1 && args.format != DiffFormat::Json {
            let _ = writeln!(text, "{}:", one.file.name);
        }
        if args.format != DiffFormat::Json {
            text.push_str(&plan_text(&plan, args)?);
        }
        plans.push(plan);
    }
    if args.format == DiffFormat::Json {
        text = if let [plan] = plans.as_slice() {
            plan_text(plan, args)?
        } else {
            serde_json::to_string_pretty(&plans).map_err(io::Error::other)? + "\n"
        };
    }
    print_out(&text)?;
    Ok(if plans.iter().all(|p| p.changes.is_empty()) {
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
            print_refusal(&checked)?;
            Ok(Err(refused))
        }
    }
}

/// Prints the findings of a playbook that cannot be compiled.
fn print_refusal(checked: &check::Checked) -> io::Result<()> {
    let mut text = render(&checked.diagnostics);
    text.push_str(&Summary::new(&checked.diagnostics, 1).to_string());
    text.push_str("\nthe playbook has errors: fix them before comparing or exporting it\n");
    print_out(&text).map(|_| ())
}

/// The playbooks an export names: each file, and every playbook in a folder (the fragments
/// other playbooks include skipped). Prints the findings of those that cannot be compiled and
/// gives `Err(exit)` when there are any.
fn load_all(paths: &[PathBuf], refused_exit: u8) -> io::Result<Result<Vec<Opened>, u8>> {
    let mut opened = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut refused = false;
    for path in paths {
        if !path.is_dir() {
            match load(path, refused_exit)? {
                Ok(one) => opened.push(one),
                Err(_) => refused = true,
            }
            continue;
        }
        let mut found_one = false;
        for file in crate::load::discover(path)? {
            match check::open_playbook(&file, &check::Options::default())? {
                Ok(one) => {
                    found_one = true;
                    opened.push(one);
                }
                Err(Refused::Fragment) => {}
                Err(Refused::Errors(checked)) => {
                    found_one = true;
                    print_refusal(&checked)?;
                    refused = true;
                }
            }
        }
        if !found_one {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{}: no playbook in this folder", display_name(path)),
            ));
        }
    }
    // A playbook named and also found in a named folder is one playbook.
    opened.retain(|one| {
        seen.insert(
            one.file
                .path
                .canonicalize()
                .unwrap_or_else(|_| one.file.path.clone()),
        )
    });
    Ok(if refused {
        Err(refused_exit)
    } else {
        Ok(opened)
    })
}

fn export(args: &ExportArgs) -> io::Result<u8> {
    let opened = match load_all(&args.playbooks, EXIT_FINDINGS)? {
        Ok(opened) => opened,
        Err(exit) => return Ok(exit),
    };
    let target = args.target;
    let layout = match args.layout {
        LayoutArg::Source => Layout::Source,
        LayoutArg::Mdapi => Layout::Mdapi,
    };
    let mut diagnostics = Vec::new();
    for one in &opened {
        diagnostics.extend(check::crm_findings(one, target, Overrides::default())?);
    }
    let members: Vec<crate::lint::shared::Member<'_>> =
        opened.iter().map(|o| (&o.document, &o.playbook)).collect();
    diagnostics.extend(crate::lint::shared::conflicts(&members, target));
    let mut text = render(&diagnostics);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        text.push_str(&Summary::new(&diagnostics, opened.len()).to_string());
        let _ = writeln!(
            text,
            "\nnothing written: {target} cannot hold {} as {} {}",
            if opened.len() == 1 {
                "this playbook"
            } else {
                "these playbooks"
            },
            if opened.len() == 1 { "it" } else { "they" },
            if opened.len() == 1 { "is" } else { "are" },
        );
        print_out(&text)?;
        return Ok(EXIT_FINDINGS);
    }
    let playbooks: Vec<&PlaybookFile> = opened.iter().map(|o| &o.playbook).collect();
    if !target.is::<crm::salesforce::Salesforce>() {
        return export_pipelines(args, &opened, &diagnostics, text);
    }
    let org = match &args.merge_with {
        Some(source) => read_org(target, source)?,
        None => crm::merge::OrgSet::new_org(),
    };
    let source = args.merge_with.as_deref().unwrap_or(Path::new("a new org"));
    let merged = merge(&playbooks, &org, args.deactivate_missing, source)?;
    if !merged.processes.is_empty() && layout == Layout::Mdapi {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a sales process is written in the source layout (objects/Opportunity/businessProcesses/): leave out --layout mdapi, or deploy with `sf project deploy start`",
        ));
    }
    let files = crm::salesforce::export_merged(&playbooks, layout, &merged);
    let written = write_export(&args.out, &files)?;
    if let Some(source) = &args.merge_with {
        text.push_str(&crm::merge::human(&merged.plan, source));
    }
    wrote(&mut text, &diagnostics, &written, target);
    if args.merge_with.is_none() {
        text.push_str(
            "note: for a new org only: deploying this value set into an org that has Opportunity stages deactivates every value it leaves out; for a live org, retrieve it and export with --merge-with (see `stagebook crm plan`)\n",
        );
    }
    print_out(&text)?;
    Ok(EXIT_OK)
}

/// HubSpot and Pipedrive: a pipeline's bodies for each playbook, or with `--merge-with` the
/// stage-by-stage calls into the pipeline as retrieved. With several playbooks each file name
/// ends in the playbook's id (`hubspot-pipeline-renewals.json`).
fn export_pipelines(
    args: &ExportArgs,
    opened: &[Opened],
    diagnostics: &[Diagnostic],
    mut text: String,
) -> io::Result<u8> {
    refuse_deactivate(args.target, args.deactivate_missing)?;
    let several = opened.len() > 1;
    let mut files = Vec::new();
    let mut notes = Vec::new();
    for one in opened {
        let playbook = &one.playbook;
        let mut these = match &args.merge_with {
            Some(source) => {
                let actual = diff::read_source(args.target, playbook, source)?;
                let differences = diff::compare(args.target, playbook, &actual);
                let plan = crm::plan::from_differences(args.target, &differences, actual.len());
                let (file, left) = crm::calls::calls(args.target, playbook, &actual, &differences)
                    .map_err(|why| {
                        io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("{}: {why}", display_name(source)),
                        )
                    })?;
                if several {
                    let _ = writeln!(text, "{}:", one.file.name);
                }
                text.push_str(&crm::merge::human(&plan, source));
                notes.extend(left);
                vec![file]
            }
            None => crm::export(
                playbook,
                ExportOptions {
                    target: args.target,
                    layout: Layout::Source,
                },
            ),
        };
        if several {
            let id = crm::pipeline_file(playbook);
            for file in &mut these {
                file.path = suffixed(&file.path, &id);
            }
        }
        files.extend(these);
    }
    let written = write_export(&args.out, &files)?;
    wrote(&mut text, diagnostics, &written, args.target);
    for note in notes {
        let _ = writeln!(text, "note: {note}");
    }
    if args.merge_with.is_some() {
        let _ = writeln!(
            text,
            "send each call in order with your token (see the README, \"Into a live HubSpot or Pipedrive pipeline\"); nothing is deleted"
        );
    } else {
        let _ = writeln!(
            text,
            "note: for a new pipeline only: into a live one, these bodies would replace or duplicate its stages; fetch its stages and export with --merge-with for stage-by-stage calls (see `stagebook crm plan`)"
        );
    }
    print_out(&text)?;
    Ok(EXIT_OK)
}

/// `path` with `-id` before its extension.
fn suffixed(path: &Path, id: &str) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    match path.extension() {
        Some(ext) => path.with_file_name(format!("{stem}-{id}.{}", ext.to_string_lossy())),
        None => path.with_file_name(format!("{stem}-{id}")),
    }
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
        let files: std::collections::HashSet<&str> = diagnostics
            .iter()
            .map(|d| d.primary.file.name.as_str())
            .collect();
        text.push_str(&Summary::new(diagnostics, files.len()).to_string());
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
                "{} already holds the export of another playbook ({other}); writing this one there would replace it: export each playbook into its own folder, or all of them together in one `crm export`",
                display_name(out)
            ),
        ));
    }
    crm::write::write_all(out, files)
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

//! Drift between a playbook and a CRM: reads what a team retrieved from its CRM, matches its
//! stages with the playbook's, and reports per stage what differs — missing, extra, renamed,
//! reordered, probability, closed or won flag changed — for people, Markdown and JSON.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, BufRead, Read};
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};

use super::{Expected, Target, stages};
use crate::model::PlaybookFile;

/// Largest CRM export read, in bytes.
const MAX_INPUT: u64 = 64 * 1024 * 1024;

/// A stage as the CRM holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActualStage {
    /// The CRM's own id of the stage (Salesforce API name, HubSpot stage id, Pipedrive id).
    pub(crate) id: Option<String>,
    /// The name reps see.
    pub(crate) label: String,
    /// Win probability in percent.
    pub(crate) probability: Option<u8>,
    /// Whether the stage closes a deal, when the CRM says.
    pub(crate) closed: Option<bool>,
    /// Whether the stage closes a deal as won, when the CRM says.
    pub(crate) won: Option<bool>,
    /// The forecast category, when the CRM keeps one.
    pub(crate) forecast: Option<String>,
    /// The id of the pipeline the stage belongs to (HubSpot, Pipedrive).
    pub(crate) pipeline: Option<String>,
}

/// A stage as the playbook says the CRM should hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ExpectedStage {
    /// Index of the stage in the playbook's `stages`.
    index: usize,
    stage_id: String,
    id: Option<String>,
    label: String,
    aliases: Vec<String>,
    probability: Option<u8>,
    closed: Option<bool>,
    won: Option<bool>,
    forecast: Option<String>,
}

/// Kinds of drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    /// In the playbook, not in the CRM.
    Missing,
    /// In the CRM, not in the playbook.
    Extra,
    /// The same stage under another name.
    Renamed,
    /// The stage sits at another position.
    Reordered,
    /// The win probability differs.
    Probability,
    /// Open in one, closing in the other.
    Closed,
    /// Won in one, lost in the other.
    Won,
    /// The forecast category differs.
    Forecast,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Extra => "extra",
            Self::Renamed => "renamed",
            Self::Reordered => "reordered",
            Self::Probability => "probability",
            Self::Closed => "closed",
            Self::Won => "won",
            Self::Forecast => "forecast",
        }
    }
}

/// One difference between the playbook and the CRM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Difference {
    /// What kind of drift.
    pub(crate) kind: Kind,
    /// The playbook stage's id, when the stage is in the playbook.
    pub(crate) stage: Option<String>,
    /// The stage's name in the playbook; for an extra stage, in the CRM.
    pub(crate) name: String,
    /// The playbook's value (name, position, probability, flag).
    pub(crate) playbook: Option<Value>,
    /// The CRM's value.
    pub(crate) crm: Option<Value>,
}

/// `crm diff` in one call, for the fuzz crate: reads `source` as the retrieved stages of the
/// CRM whose id is `target` (`salesforce`, `hubspot`, `pipedrive`), compares them with
/// `playbook` and prints the differences as text, Markdown and JSON. `None` for an unknown
/// CRM id; an error when `source` cannot be read as that CRM's stages.
pub fn report(
    target: &str,
    playbook: &PlaybookFile,
    source: &Path,
) -> Option<io::Result<[String; 3]>> {
    let target = Target::from_id(target)?;
    Some(read_source(target, playbook, source).map(|actual| {
        let differences = compare(target, playbook, &actual);
        let shown = source.display().to_string();
        [
            human(&differences, target, "playbook.yaml", &shown),
            markdown(&differences, target, "playbook.yaml", &shown),
            json(&differences, target, "playbook.yaml", &shown),
        ]
    }))
}

/// Reads the CRM's stages from `source`: a retrieved Salesforce folder or value-set file, a
/// HubSpot pipelines response, or a Pipedrive stages response.
pub(crate) fn read_source(
    target: Target,
    playbook: &PlaybookFile,
    source: &Path,
) -> io::Result<Vec<ActualStage>> {
    let file = target.retrieved_file(source)?;
    let mut input = io::BufReader::new(open_capped(&file)?);
    // A byte order mark (Windows tools write one) is not part of the document.
    if input.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
        input.consume(3);
    }
    target.read_retrieved(&mut input, playbook).map_err(|e| {
        // A file cut short (a download or a copy that stopped) reads as a syntax error at its
        // end: say so plainly instead.
        let message = match cut_short(&file, target.is::<super::salesforce::Salesforce>()) {
            Some(CutShort::Empty) => format!(
                "{}: the file is empty, not {target} stages\n  help: retrieve it again; see \
                 `stagebook crm diff --help` for the command",
                file.display()
            ),
            Some(CutShort::At(at)) => format!(
                "{}: the file ends early ({at}): it is truncated, so it cannot be read as \
                 {target} stages\n  help: retrieve it again (a download or copy was cut short)",
                file.display()
            ),
            None => format!("{}: cannot read it as {target} stages: {e}", file.display()),
        };
        io::Error::new(io::ErrorKind::InvalidData, message)
    })
}

/// Opens a file retrieved from a CRM, refusing one over the input cap up front (cut at the
/// cap, it would only fail to parse, which misleads).
pub(crate) fn open_capped(file: &Path) -> io::Result<io::Take<fs::File>> {
    let opened = fs::File::open(file)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", file.display())))?;
    if opened.metadata().is_ok_and(|m| m.len() > MAX_INPUT) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: the file is larger than the {} MiB stagebook reads from a CRM; retrieve only this playbook's pipeline",
                file.display(),
                MAX_INPUT / 1024 / 1024
            ),
        ));
    }
    Ok(opened.take(MAX_INPUT))
}

/// The text of a file retrieved from a CRM, within the input cap.
pub(crate) fn read_capped(file: &Path) -> io::Result<String> {
    let mut text = String::new();
    open_capped(file)?
        .read_to_string(&mut text)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", file.display())))?;
    Ok(text)
}

/// How a retrieved file is cut short.
#[derive(Debug, PartialEq, Eq)]
enum CutShort {
    /// Nothing in it but white space.
    Empty,
    /// It stops inside a value or an element; where it stops.
    At(String),
}

/// Whether the file at `path` (XML when `xml`, else JSON) is cut short, reading at most
/// `crm diff`'s input cap again. Called only when the file could not be read.
fn cut_short(path: &Path, xml: bool) -> Option<CutShort> {
    let input = fs::File::open(path).ok()?.take(MAX_INPUT);
    let mut input = io::BufReader::new(input);
    if xml {
        xml_cut_short(&mut input)
    } else {
        json_cut_short(&mut input)
    }
}

fn json_cut_short(input: &mut dyn BufRead) -> Option<CutShort> {
    let mut values =
        serde_json::Deserializer::from_reader(input).into_iter::<serde::de::IgnoredAny>();
    match values.next() {
        None => Some(CutShort::Empty),
        Some(Err(e)) if e.is_eof() => Some(CutShort::At(format!(
            "line {}, column {}",
            e.line(),
            e.column()
        ))),
        Some(_) => None,
    }
}

fn xml_cut_short(input: &mut dyn BufRead) -> Option<CutShort> {
    use quick_xml::errors::{Error, SyntaxError};
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut seen_element = false;
    let mut seen_other = false;
    loop {
        buf.clear();
        let position = reader.buffer_position();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(start)) => {
                seen_element = true;
                open.push(String::from_utf8_lossy(start.name().as_ref()).into_owned());
            }
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Empty(_)) => seen_element = true,
            Ok(Event::Text(text)) if text.iter().all(u8::is_ascii_whitespace) => {}
            Ok(Event::Text(_)) if !seen_element => return None,
            Ok(Event::Eof) => {
                return match open.last() {
                    Some(element) => Some(CutShort::At(format!("inside `<{element}>`"))),
                    None if seen_element => None,
                    None if seen_other => Some(CutShort::At("before the first element".into())),
                    None => Some(CutShort::Empty),
                };
            }
            Ok(_) => seen_other = true,
            Err(Error::Syntax(
                SyntaxError::UnclosedTag
                | SyntaxError::UnclosedComment
                | SyntaxError::UnclosedCData
                | SyntaxError::UnclosedPIOrXmlDecl
                | SyntaxError::UnclosedDoctype
                | SyntaxError::InvalidBangMarkup,
            )) => {
                return Some(CutShort::At(format!(
                    "in markup starting at byte {position}"
                )));
            }
            Err(_) => return None,
        }
    }
}

fn expected(target: Target, playbook: &PlaybookFile) -> Vec<ExpectedStage> {
    stages(playbook)
        .into_iter()
        .filter(|s| target.holds_closing_stages() || !s.closed())
        .map(|s| {
            let stage = &playbook.stages[s.index];
            let mut aliases: Vec<String> = stage.crm_names.iter().skip(1).cloned().collect();
            aliases.push(stage.name.clone());
            let Expected {
                id,
                probability,
                closed,
                won,
                forecast,
            } = target.expected(playbook, &s);
            ExpectedStage {
                index: s.index,
                stage_id: stage.id.to_string(),
                id,
                label: s.label,
                aliases,
                probability,
                closed,
                won,
                forecast,
            }
        })
        .collect()
}

/// Compares the playbook's stages for `target` with the CRM's. Empty when they agree.
pub(crate) fn compare(
    target: Target,
    playbook: &PlaybookFile,
    actual: &[ActualStage],
) -> Vec<Difference> {
    let expected = expected(target, playbook);
    let pair = pair(&expected, actual);
    let mut differences = Vec::new();
    let in_order = longest_increasing(&pair);
    for (e, want) in expected.iter().enumerate() {
        let stage = Some(want.stage_id.clone());
        let Some(a) = pair[e] else {
            differences.push(Difference {
                kind: Kind::Missing,
                stage,
                name: want.label.clone(),
                playbook: Some(json!(want.label)),
                crm: None,
            });
            continue;
        };
        let got = &actual[a];
        let mut push = |kind, playbook: Value, crm: Value| {
            differences.push(Difference {
                kind,
                stage: stage.clone(),
                name: want.label.clone(),
                playbook: Some(playbook),
                crm: Some(crm),
            });
        };
        if got.label != want.label {
            push(Kind::Renamed, json!(want.label), json!(got.label));
        }
        if !in_order.contains(&e) {
            push(Kind::Reordered, json!(e + 1), json!(a + 1));
        }
        if let (Some(p), Some(q)) = (want.probability, got.probability)
            && p != q
        {
            push(Kind::Probability, json!(p), json!(q));
        }
        if let (Some(p), Some(q)) = (want.closed, got.closed)
            && p != q
        {
            push(Kind::Closed, json!(p), json!(q));
        } else if let (Some(p), Some(q)) = (want.won, got.won)
            && p != q
            && want.closed == Some(true)
        {
            push(Kind::Won, json!(p), json!(q));
        }
        if let (Some(p), Some(q)) = (&want.forecast, &got.forecast)
            && p != q
        {
            push(Kind::Forecast, json!(p), json!(q));
        }
    }
    // A CRM stage the playbook lists as another name of a stage (`crm_names`) is not extra:
    // `metrics` counts its deals in that stage.
    let alias = |label: &str| {
        expected
            .iter()
            .any(|w| w.aliases.iter().any(|n| n.eq_ignore_ascii_case(label)))
    };
    for (a, got) in actual.iter().enumerate() {
        if !pair.contains(&Some(a)) && !alias(&got.label) {
            differences.push(Difference {
                kind: Kind::Extra,
                stage: None,
                name: got.label.clone(),
                playbook: None,
                crm: Some(json!(got.label)),
            });
        }
    }
    differences
}

/// Each playbook stage `target` holds (its index in `stages`) with the CRM stage it is
/// (`actual`'s index), matched as `crm diff` matches them; `None` for a stage the CRM lacks.
pub(crate) fn matched(
    target: Target,
    playbook: &PlaybookFile,
    actual: &[ActualStage],
) -> Vec<(usize, Option<usize>)> {
    let expected = expected(target, playbook);
    let pair = pair(&expected, actual);
    expected.iter().map(|e| e.index).zip(pair).collect()
}

/// Pairs each expected stage with the CRM stage it is, at most one each.
fn pair(expected: &[ExpectedStage], actual: &[ActualStage]) -> Vec<Option<usize>> {
    let mut pair: Vec<Option<usize>> = vec![None; expected.len()];
    let mut taken = vec![false; actual.len()];
    let mut try_match = |matches: &dyn Fn(&ExpectedStage, &ActualStage, usize, usize) -> bool| {
        for (e, want) in expected.iter().enumerate() {
            if pair[e].is_some() {
                continue;
            }
            if let Some(a) =
                (0..actual.len()).find(|&a| !taken[a] && matches(want, &actual[a], e, a))
            {
                pair[e] = Some(a);
                taken[a] = true;
            }
        }
    };
    // The CRM's own id first, then the name, then another name of the stage; what is left is
    // taken as renamed when it sits at the same position (unless the CRM's ids say otherwise).
    try_match(&|w, a, _, _| w.id.is_some() && w.id == a.id);
    try_match(&|w, a, _, _| w.label == a.label);
    try_match(&|w, a, _, _| w.label.to_lowercase() == a.label.to_lowercase());
    try_match(&|w, a, _, _| w.aliases.contains(&a.label));
    try_match(&|w, a, e, i| e == i && !(w.id.is_some() && a.id.is_some() && w.id != a.id));
    pair
}

/// The expected indexes whose matched CRM positions form the longest increasing run: those
/// stages kept their order; the others moved.
fn longest_increasing(pair: &[Option<usize>]) -> Vec<usize> {
    let items: Vec<(usize, usize)> = pair
        .iter()
        .enumerate()
        .filter_map(|(e, a)| a.map(|a| (e, a)))
        .collect();
    let n = items.len();
    let mut length = vec![1usize; n];
    let mut previous = vec![usize::MAX; n];
    for i in 0..n {
        for j in 0..i {
            if items[j].1 < items[i].1 && length[j] + 1 > length[i] {
                length[i] = length[j] + 1;
                previous[i] = j;
            }
        }
    }
    let Some(mut best) = (0..n).max_by_key(|&i| (length[i], std::cmp::Reverse(i))) else {
        return Vec::new();
    };
    let mut kept = Vec::new();
    loop {
        kept.push(items[best].0);
        if previous[best] == usize::MAX {
            break;
        }
        best = previous[best];
    }
    kept
}

/// A value of a difference for people: `20%`, `step 3`, `closing`, a name as written.
pub(crate) fn words(value: Option<&Value>, kind: Kind) -> String {
    match (value, kind) {
        (None, _) => "—".to_string(),
        (Some(v), Kind::Probability) => format!("{v}%"),
        (Some(v), Kind::Reordered) => format!("step {v}"),
        (Some(Value::Bool(b)), Kind::Closed) => (if *b { "closing" } else { "open" }).to_string(),
        (Some(Value::Bool(b)), Kind::Won) => (if *b { "won" } else { "lost" }).to_string(),
        (Some(Value::String(s)), _) => s.clone(),
        (Some(v), _) => v.to_string(),
    }
}

/// [`words`], a name in backticks.
fn show(value: Option<&Value>, kind: Kind) -> String {
    match value {
        Some(Value::String(s)) => format!("`{s}`"),
        _ => words(value, kind),
    }
}

fn sentence(d: &Difference, target: Target) -> String {
    let stage = d
        .stage
        .as_deref()
        .map(|s| format!(" (stage `{s}`)"))
        .unwrap_or_default();
    let (p, c) = (
        show(d.playbook.as_ref(), d.kind),
        show(d.crm.as_ref(), d.kind),
    );
    match d.kind {
        Kind::Missing => format!("`{}`{stage} is in the playbook but not in {target}", d.name),
        Kind::Extra => format!("`{}` is in {target} but not in the playbook", d.name),
        Kind::Renamed => format!("`{}`{stage} is called {c} in {target}", d.name),
        Kind::Reordered | Kind::Closed => format!(
            "`{}`{stage} is {p} in the playbook, {c} in {target}",
            d.name
        ),
        Kind::Probability => format!(
            "`{}`{stage} has a win probability of {p} in the playbook, {c} in {target}",
            d.name
        ),
        Kind::Won => format!(
            "`{}`{stage} closes as {p} in the playbook, {c} in {target}",
            d.name
        ),
        Kind::Forecast => format!(
            "`{}`{stage} counts in the forecast category {p} in the playbook, {c} in {target}",
            d.name
        ),
    }
}

fn headline(differences: &[Difference], target: Target, playbook: &str, source: &str) -> String {
    match differences.len() {
        0 => format!("{playbook} and {target} ({source}) agree"),
        1 => format!("{playbook} and {target} ({source}) differ in 1 place"),
        n => format!("{playbook} and {target} ({source}) differ in {n} places"),
    }
}

/// The report for people.
pub(crate) fn human(
    differences: &[Difference],
    target: Target,
    playbook: &str,
    source: &str,
) -> String {
    let mut out = headline(differences, target, playbook, source);
    out.push('\n');
    for d in differences {
        let _ = writeln!(out, "  {:<12}{}", d.kind.word(), sentence(d, target));
    }
    out
}

/// The report as Markdown, e.g. for a pull-request comment or a CI job summary.
pub(crate) fn markdown(
    differences: &[Difference],
    target: Target,
    playbook: &str,
    source: &str,
) -> String {
    let mut out = format!("### CRM drift: {target}\n\n");
    let _ = writeln!(
        out,
        "{}.",
        headline(
            differences,
            target,
            &format!("`{playbook}`"),
            &format!("`{source}`")
        )
    );
    if differences.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\n| Change | Stage | Playbook | {target} |\n|---|---|---|---|"
    );
    for d in differences {
        let stage = d
            .stage
            .as_deref()
            .map_or_else(|| "—".to_string(), |s| format!("`{s}`"));
        let cell = |v: Option<&Value>| show(v, d.kind).replace('|', "\\|");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            d.kind.word(),
            stage,
            cell(d.playbook.as_ref()),
            cell(d.crm.as_ref())
        );
    }
    out
}

/// The JSON document (format version 1; fields are only ever added):
/// `{tool, format_version, playbook, target, source, in_sync, differences: [{kind, stage, name,
/// playbook, crm}]}`.
pub(crate) fn json(
    differences: &[Difference],
    target: Target,
    playbook: &str,
    source: &str,
) -> String {
    #[derive(Serialize)]
    struct Report<'a> {
        tool: Value,
        format_version: u32,
        playbook: &'a str,
        target: &'a str,
        source: &'a str,
        in_sync: bool,
        differences: &'a [Difference],
    }
    let document = Report {
        tool: json!({ "name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION") }),
        format_version: 1,
        playbook,
        target: target.id(),
        source,
        in_sync: differences.is_empty(),
        differences,
    };
    let mut text = serde_json::to_string_pretty(&document).expect("the report serializes");
    text.push('\n');
    text
}

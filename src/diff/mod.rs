//! Report stage for changes: what a change to a playbook does to the sales *process*, not to
//! its text. Two versions of a playbook (files, folders or git revisions, see [`inputs`]) are
//! loaded and validated like `check` does, then compared stage by stage: stages added,
//! removed, renamed (same id, new name) or moved; exit events added, removed or reworded;
//! guidance items per section; durations and targets; content; `next` edges. Findings the new
//! version has and the old one had not are listed too.
//!
//! The comparison works on the typed model serialised to JSON values, so a field added to the
//! model later still shows up in a diff (as a plain "changed") without touching this module.
//! The result is data ([`Report`]); [`human`] and [`markdown`] print it, and JSON is its serde
//! form.

pub(crate) mod human;
pub(crate) mod inputs;
mod lists;
pub(crate) mod markdown;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::PlaybookFile;

/// Version of the JSON document `diff --format json` prints.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// The whole comparison of OLD with NEW.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Report {
    /// What OLD is, e.g. `main` or `old.yaml`.
    pub(crate) old: String,
    /// What NEW is, e.g. `working tree` or `new.yaml`.
    pub(crate) new: String,
    /// One entry per playbook found on either side, in file order.
    pub(crate) playbooks: Vec<PlaybookDiff>,
}

impl Report {
    /// Counts over every playbook.
    pub(crate) fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for playbook in &self.playbooks {
            summary.add(playbook);
        }
        summary
    }
}

/// What happened to one playbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    /// Only in NEW.
    Added,
    /// Only in OLD.
    Removed,
    /// In both, with differences.
    Changed,
    /// In both, the same process.
    Unchanged,
    /// One side could not be read as a playbook: see `findings`.
    Broken,
}

/// The comparison of one playbook.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PlaybookDiff {
    /// The playbook's id (or its file, when it has none).
    pub(crate) id: String,
    /// The playbook's name in NEW (else OLD).
    pub(crate) name: String,
    /// Its file in OLD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) old_file: Option<String>,
    /// Its file in NEW.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) new_file: Option<String>,
    /// What happened to it.
    pub(crate) status: Status,
    /// Changes to the playbook's metadata (name, owner, cycle target …).
    pub(crate) meta: Vec<Change>,
    /// Changes to the content library.
    pub(crate) content: Vec<Change>,
    /// Stages that were added, removed or changed, in NEW's order (removed ones where they
    /// were).
    pub(crate) stages: Vec<StageDiff>,
    /// The stage order before and after, when stages were added, removed or moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) order: Option<Order>,
    /// Findings (errors, warnings, notes) NEW has that OLD had not.
    pub(crate) new_findings: Vec<Finding>,
    /// How many of OLD's findings NEW no longer has.
    pub(crate) fixed_findings: usize,
}

impl PlaybookDiff {
    /// Whether anything differs (process or findings).
    pub(crate) fn is_changed(&self) -> bool {
        self.status != Status::Unchanged || !self.new_findings.is_empty() || self.fixed_findings > 0
    }
}

/// Stage ids in order, before and after.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Order {
    /// OLD's stage ids.
    pub(crate) old: Vec<String>,
    /// NEW's stage ids.
    pub(crate) new: Vec<String>,
}

/// What happened to one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum StageStatus {
    /// Only in NEW.
    Added,
    /// Only in OLD.
    Removed,
    /// In both, with differences.
    Changed,
}

/// The comparison of one stage.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StageDiff {
    /// The stage id.
    pub(crate) id: String,
    /// Its name in NEW (else OLD).
    pub(crate) name: String,
    /// What happened to it.
    pub(crate) status: StageStatus,
    /// For an added stage, everything it holds (as additions); for a changed one, the changes.
    pub(crate) changes: Vec<Change>,
}

/// How one thing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChangeKind {
    /// A list item or a field that was not there.
    Added,
    /// A list item or a field that is gone.
    Removed,
    /// A list item kept its place but its words changed.
    Reworded,
    /// A value changed (a duration, a name, a field of a list item).
    Changed,
    /// The stage moved in the stage order.
    Moved,
}

/// One change inside a playbook, a stage or the content library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Change {
    /// The field or section: `name`, `goal`, `exit`, `know`, `do`, `say`, `content`, `next`,
    /// `expected_duration`, `buyer_view.pains`, `position` …
    pub(crate) section: String,
    /// What happened.
    pub(crate) kind: ChangeKind,
    /// The list item (its text or id) this change is inside, when a field of an item changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) item: Option<String>,
    /// The field of that item (`evidence`, `count` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) field: Option<String>,
    /// The value before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) old: Option<String>,
    /// The value after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) new: Option<String>,
}

impl Change {
    fn new(section: &str, kind: ChangeKind, old: Option<String>, new: Option<String>) -> Self {
        Self {
            section: section.to_string(),
            kind,
            item: None,
            field: None,
            old,
            new,
        }
    }

    /// For a `position` entry that is not a move: where the stage stands (or stood), e.g.
    /// `first` or ``after `demo` ``.
    pub(crate) fn placement(&self) -> Option<&str> {
        (self.section == "position" && self.kind != ChangeKind::Moved).then(|| {
            self.new
                .as_ref()
                .or(self.old.as_ref())
                .map_or("", String::as_str)
        })
    }
}

/// A finding, as the diff lists it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Finding {
    /// The file, as `check` names it.
    pub(crate) file: String,
    /// 1-based line.
    pub(crate) line: usize,
    /// Rule or finding code.
    pub(crate) code: String,
    /// `error`, `warning` or `note`.
    pub(crate) severity: Severity,
    /// What is wrong.
    pub(crate) message: String,
}

impl Finding {
    fn from_diagnostic(diagnostic: &Diagnostic) -> Self {
        Self {
            file: diagnostic.primary.file.name.clone(),
            line: diagnostic.primary.start().line,
            code: diagnostic.code.clone(),
            severity: diagnostic.severity,
            message: diagnostic.message.clone(),
        }
    }
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Summary {
    /// Playbooks with any difference.
    pub(crate) playbooks_changed: usize,
    /// Playbooks only in NEW.
    pub(crate) playbooks_added: usize,
    /// Playbooks only in OLD.
    pub(crate) playbooks_removed: usize,
    /// Stages only in NEW.
    pub(crate) stages_added: usize,
    /// Stages only in OLD.
    pub(crate) stages_removed: usize,
    /// Stages with a new name.
    pub(crate) stages_renamed: usize,
    /// Stages that moved in the order.
    pub(crate) stages_moved: usize,
    /// Stages with other changes.
    pub(crate) stages_changed: usize,
    /// Findings NEW has that OLD had not.
    pub(crate) new_findings: usize,
    /// Findings OLD had that NEW has not.
    pub(crate) fixed_findings: usize,
}

impl Summary {
    fn add(&mut self, playbook: &PlaybookDiff) {
        if playbook.is_changed() {
            self.playbooks_changed += 1;
        }
        match playbook.status {
            Status::Added => self.playbooks_added += 1,
            Status::Removed => self.playbooks_removed += 1,
            _ => {}
        }
        self.new_findings += playbook.new_findings.len();
        self.fixed_findings += playbook.fixed_findings;
        if matches!(playbook.status, Status::Added | Status::Removed) {
            return;
        }
        for stage in &playbook.stages {
            match stage.status {
                StageStatus::Added => self.stages_added += 1,
                StageStatus::Removed => self.stages_removed += 1,
                StageStatus::Changed => {
                    let renamed = stage.changes.iter().any(|c| c.section == "name");
                    let moved = stage.changes.iter().any(|c| c.kind == ChangeKind::Moved);
                    let other = stage
                        .changes
                        .iter()
                        .any(|c| c.section != "name" && c.kind != ChangeKind::Moved);
                    self.stages_renamed += usize::from(renamed);
                    self.stages_moved += usize::from(moved);
                    self.stages_changed += usize::from(other);
                }
            }
        }
    }

    /// `1 playbook changed: 1 stage added, 2 stages changed · 1 new finding`, or
    /// `no changes to the process`.
    pub(crate) fn line(&self) -> String {
        fn count(n: usize, one: &str, many: &str) -> String {
            format!("{n} {}", if n == 1 { one } else { many })
        }
        if self.playbooks_changed == 0 {
            return "no changes to the process".to_string();
        }
        let mut parts = Vec::new();
        let pairs = [
            (self.playbooks_added, "playbook added", "playbooks added"),
            (
                self.playbooks_removed,
                "playbook removed",
                "playbooks removed",
            ),
            (self.stages_added, "stage added", "stages added"),
            (self.stages_removed, "stage removed", "stages removed"),
            (self.stages_renamed, "stage renamed", "stages renamed"),
            (self.stages_moved, "stage moved", "stages moved"),
            (self.stages_changed, "stage changed", "stages changed"),
        ];
        for (n, one, many) in pairs {
            if n > 0 {
                parts.push(count(n, one, many));
            }
        }
        let mut line = count(
            self.playbooks_changed,
            "playbook changed",
            "playbooks changed",
        );
        if !parts.is_empty() {
            line = format!("{line}: {}", parts.join(", "));
        }
        if self.new_findings > 0 {
            line.push_str(" · ");
            line.push_str(&count(self.new_findings, "new finding", "new findings"));
        }
        if self.fixed_findings > 0 {
            line.push_str(" · ");
            line.push_str(&count(
                self.fixed_findings,
                "finding fixed",
                "findings fixed",
            ));
        }
        line
    }
}

/// One side of one playbook, as the comparison needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Version<'a> {
    /// The file, as shown to the user.
    pub(crate) file: &'a str,
    /// The typed playbook, when it passed validation.
    pub(crate) playbook: Option<&'a PlaybookFile>,
    /// Every finding `check` reports for it.
    pub(crate) diagnostics: &'a [Diagnostic],
}

/// Compares two versions of one playbook; either may be missing (added or removed playbook).
pub(crate) fn compare(old: Option<Version<'_>>, new: Option<Version<'_>>) -> PlaybookDiff {
    let either = new.or(old).expect("at least one side");
    let playbook = either.playbook.or(old.and_then(|o| o.playbook));
    let mut diff = PlaybookDiff {
        id: playbook.map_or_else(|| either.file.to_string(), |p| p.playbook.id.to_string()),
        name: playbook.map_or_else(|| either.file.to_string(), |p| p.playbook.name.clone()),
        old_file: old.map(|o| o.file.to_string()),
        new_file: new.map(|n| n.file.to_string()),
        status: Status::Unchanged,
        meta: Vec::new(),
        content: Vec::new(),
        stages: Vec::new(),
        order: None,
        new_findings: Vec::new(),
        fixed_findings: 0,
    };
    let (new_findings, fixed) = compare_findings(
        old.map_or(&[][..], |o| o.diagnostics),
        new.map_or(&[][..], |n| n.diagnostics),
    );
    diff.new_findings = new_findings;
    diff.fixed_findings = fixed;

    let empty = empty_playbook();
    let (old_pb, new_pb) = match (old, new) {
        (None, Some(n)) => {
            diff.status = Status::Added;
            (Some(&empty), n.playbook)
        }
        (Some(o), None) => {
            diff.status = Status::Removed;
            (o.playbook, Some(&empty))
        }
        (Some(o), Some(n)) => (o.playbook, n.playbook),
        (None, None) => unreachable!("at least one side"),
    };
    let (Some(old_pb), Some(new_pb)) = (old_pb, new_pb) else {
        diff.status = Status::Broken;
        // Lint rules do not run on a broken version, so its silence proves nothing fixed.
        diff.fixed_findings = 0;
        return diff;
    };
    let old_value = serde_json::to_value(old_pb).expect("a playbook serialises");
    let new_value = serde_json::to_value(new_pb).expect("a playbook serialises");
    if diff.status == Status::Unchanged {
        diff.meta = compare_fields(
            object(&old_value["playbook"]),
            object(&new_value["playbook"]),
            &[],
        );
        // Top-level sections the model may gain later are compared as a whole.
        diff.meta.extend(compare_fields(
            object(&old_value),
            object(&new_value),
            &["stagebook", "playbook", "include", "content", "stages"],
        ));
    }
    diff.content = compare_content(array(&old_value["content"]), array(&new_value["content"]));
    let (stages, order) = compare_stages(array(&old_value["stages"]), array(&new_value["stages"]));
    diff.order = order;
    // A whole playbook added or removed is summed up by its stage order, not stage by stage.
    if matches!(diff.status, Status::Changed | Status::Unchanged) {
        diff.stages = stages;
    } else {
        diff.content.clear();
    }
    if diff.status == Status::Unchanged
        && !(diff.meta.is_empty() && diff.content.is_empty() && diff.stages.is_empty())
    {
        diff.status = Status::Changed;
    }
    diff
}

fn empty_playbook() -> PlaybookFile {
    serde_json::from_value(serde_json::json!({
        "stagebook": 1,
        "playbook": { "id": "empty", "name": "empty" }
    }))
    .expect("the empty playbook deserialises")
}

/// Findings in NEW that OLD had not, and how many of OLD's are gone. Findings are matched by
/// code and message, not position: moving a stage should not make its findings "new".
fn compare_findings(old: &[Diagnostic], new: &[Diagnostic]) -> (Vec<Finding>, usize) {
    let mut remaining: HashMap<(&str, &str), usize> = HashMap::new();
    for d in old {
        *remaining
            .entry((d.code.as_str(), d.message.as_str()))
            .or_default() += 1;
    }
    let mut added = Vec::new();
    for d in new {
        match remaining.get_mut(&(d.code.as_str(), d.message.as_str())) {
            Some(n) if *n > 0 => *n -= 1,
            _ => added.push(Finding::from_diagnostic(d)),
        }
    }
    (added, remaining.values().sum())
}

static EMPTY_OBJECT: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

fn object(value: &Value) -> &Map<String, Value> {
    value.as_object().unwrap_or(&EMPTY_OBJECT)
}

fn array(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// A value as one line of text: strings as they are, lists joined with `, `.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Field-by-field comparison of two mappings, skipping `skip`; keys in a stable order.
fn compare_fields(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    skip: &[&str],
) -> Vec<Change> {
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut changes = Vec::new();
    for key in keys {
        if skip.contains(&key.as_str()) {
            continue;
        }
        match (old.get(key), new.get(key)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => changes.push(Change::new(
                key,
                ChangeKind::Changed,
                Some(text(a)),
                Some(text(b)),
            )),
            (Some(a), None) => {
                changes.push(Change::new(key, ChangeKind::Removed, Some(text(a)), None));
            }
            (None, Some(b)) => {
                changes.push(Change::new(key, ChangeKind::Added, None, Some(text(b))));
            }
            (None, None) => {}
        }
    }
    changes
}

fn id_of(value: &Value) -> &str {
    value.get("id").and_then(Value::as_str).unwrap_or_default()
}

fn compare_content(old: &[Value], new: &[Value]) -> Vec<Change> {
    let old_by_id: BTreeMap<&str, &Value> = old.iter().map(|v| (id_of(v), v)).collect();
    let new_by_id: BTreeMap<&str, &Value> = new.iter().map(|v| (id_of(v), v)).collect();
    let describe = |v: &Value| {
        format!(
            "{} ({}): {}",
            id_of(v),
            v.get("kind").map(text).unwrap_or_default(),
            v.get("title").map(text).unwrap_or_default()
        )
    };
    let mut changes = Vec::new();
    for item in old {
        if !new_by_id.contains_key(id_of(item)) {
            changes.push(Change::new(
                "library",
                ChangeKind::Removed,
                Some(describe(item)),
                None,
            ));
        }
    }
    for item in new {
        match old_by_id.get(id_of(item)) {
            None => changes.push(Change::new(
                "library",
                ChangeKind::Added,
                None,
                Some(describe(item)),
            )),
            Some(before) => {
                for mut change in compare_fields(object(before), object(item), &["id"]) {
                    change.field = Some(std::mem::take(&mut change.section));
                    change.section = "library".into();
                    change.item = Some(id_of(item).to_string());
                    changes.push(change);
                }
            }
        }
    }
    changes
}

/// How a stage field is compared.
enum Section {
    /// A list of texts or of mappings keyed by one of their fields; items may be reworded.
    Text(&'static [&'static str]),
    /// A list of ids: added or removed, never reworded.
    Ids,
}

/// Stage fields compared item by item, in the order the report shows them.
const SECTIONS: &[(&str, Section)] = &[
    ("buyer_view.pains", Section::Text(&[])),
    ("buyer_view.questions", Section::Text(&[])),
    ("know", Section::Text(&[])),
    ("do", Section::Text(&["action"])),
    ("say", Section::Text(&["situation", "objection"])),
    ("content", Section::Ids),
    ("exit", Section::Text(&["event"])),
    ("next", Section::Ids),
    ("recycle", Section::Ids),
    ("crm_names", Section::Ids),
    ("captures", Section::Ids),
];

/// A stage field by its dotted section name.
fn section_value<'a>(stage: &'a Value, section: &str) -> &'a [Value] {
    let mut value = stage;
    for part in section.split('.') {
        value = value.get(part).unwrap_or(&Value::Null);
    }
    match value {
        Value::Array(items) => items,
        // `next: demo` is one id; the model already makes it a list, but be lenient.
        Value::String(_) => std::slice::from_ref(value),
        _ => &[],
    }
}

fn compare_stage(old: &Value, new: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    let skip: Vec<&str> = ["id", "buyer_view"]
        .into_iter()
        .chain(SECTIONS.iter().map(|(name, _)| *name))
        .collect();
    let mut scalars = compare_fields(object(old), object(new), &skip);
    // The name first (a rename), then the goal and the time budget, then the rest by name.
    let rank = |c: &Change| {
        ["name", "goal", "expected_duration", "terminal", "milestone"]
            .iter()
            .position(|s| *s == c.section)
            .unwrap_or(usize::MAX)
    };
    scalars.sort_by_key(|c| rank(c));
    changes.extend(scalars);
    for (name, section) in SECTIONS {
        let (a, b) = (section_value(old, name), section_value(new, name));
        changes.extend(match section {
            Section::Text(keys) => lists::compare_texts(name, a, b, keys),
            Section::Ids => lists::compare_ids(name, a, b),
        });
    }
    changes
}

fn compare_stages(old: &[Value], new: &[Value]) -> (Vec<StageDiff>, Option<Order>) {
    let old_ids: Vec<&str> = old.iter().map(id_of).collect();
    let new_ids: Vec<&str> = new.iter().map(id_of).collect();
    let old_by_id: HashMap<&str, &Value> = old.iter().map(|v| (id_of(v), v)).collect();
    let new_by_id: HashMap<&str, &Value> = new.iter().map(|v| (id_of(v), v)).collect();
    let name = |v: &Value| v.get("name").map(text).unwrap_or_default();

    let moved = lists::moved(&old_ids, &new_ids);
    let before = |ids: &[&str], id: &str| -> String {
        let at = ids.iter().position(|i| *i == id).unwrap_or(0);
        if at == 0 {
            "first".to_string()
        } else {
            format!("after `{}`", ids[at - 1])
        }
    };

    // NEW's order, each removed stage after the stage that came before it in OLD.
    let mut entries: Vec<(f64, StageDiff)> = Vec::new();
    for (at, stage) in new.iter().enumerate() {
        let id = id_of(stage);
        #[allow(clippy::cast_precision_loss)]
        let key = at as f64;
        match old_by_id.get(id) {
            None => {
                let empty = Value::Object(Map::new());
                let mut changes = compare_stage(&empty, stage);
                changes.retain(|c| c.section != "name");
                changes.insert(
                    0,
                    Change::new(
                        "position",
                        ChangeKind::Added,
                        None,
                        Some(before(&new_ids, id)),
                    ),
                );
                entries.push((
                    key,
                    StageDiff {
                        id: id.to_string(),
                        name: name(stage),
                        status: StageStatus::Added,
                        changes,
                    },
                ));
            }
            Some(old_stage) => {
                let mut changes = compare_stage(old_stage, stage);
                if moved.contains(&id) {
                    changes.insert(
                        usize::from(changes.first().is_some_and(|c| c.section == "name")),
                        Change::new(
                            "position",
                            ChangeKind::Moved,
                            Some(before(&old_ids, id)),
                            Some(before(&new_ids, id)),
                        ),
                    );
                }
                if !changes.is_empty() {
                    entries.push((
                        key,
                        StageDiff {
                            id: id.to_string(),
                            name: name(stage),
                            status: StageStatus::Changed,
                            changes,
                        },
                    ));
                }
            }
        }
    }
    for (at, stage) in old.iter().enumerate() {
        let id = id_of(stage);
        if new_by_id.contains_key(id) {
            continue;
        }
        let anchor = old_ids[..at]
            .iter()
            .rev()
            .find_map(|prev| new_ids.iter().position(|n| n == prev));
        #[allow(clippy::cast_precision_loss)]
        let key = anchor.map_or(-0.5, |a| a as f64 + 0.5) + at as f64 * 1e-6;
        entries.push((
            key,
            StageDiff {
                id: id.to_string(),
                name: name(stage),
                status: StageStatus::Removed,
                changes: vec![Change::new(
                    "position",
                    ChangeKind::Removed,
                    Some(before(&old_ids, id)),
                    None,
                )],
            },
        ));
    }
    entries.sort_by(|a, b| a.0.total_cmp(&b.0));
    let order = (old_ids != new_ids).then(|| Order {
        old: old_ids.iter().map(ToString::to_string).collect(),
        new: new_ids.iter().map(ToString::to_string).collect(),
    });
    (entries.into_iter().map(|(_, d)| d).collect(), order)
}

/// Human labels of fields and sections.
pub(crate) fn label(section: &str) -> &str {
    match section {
        "name" => "name",
        "goal" => "goal",
        "expected_duration" => "expected duration",
        "cycle_target" => "cycle target",
        "buyer_view.pains" => "buyer pains",
        "buyer_view.questions" => "buyer questions",
        "know" => "know",
        "do" => "do",
        "say" => "say",
        "content" => "content",
        "exit" => "exit events",
        "next" => "next stages",
        "recycle" => "recycle to",
        "crm_names" => "CRM names",
        "captures" => "captures",
        "terminal" => "terminal",
        "milestone" => "milestone",
        "position" => "position",
        "library" => "content library",
        "probability" => "win probability",
        "forecast_category" => "forecast category",
        other => other,
    }
}

/// Fields and sections whose values are sentences, shown quoted (or escaped); every other
/// value (ids, durations, counts, URLs) is shown as code.
const PROSE: &[&str] = &[
    "name",
    "goal",
    "description",
    "owner",
    "title",
    "library",
    "know",
    "do",
    "say",
    "exit",
    "buyer_view.pains",
    "buyer_view.questions",
    "crm_names",
    "captures",
    "event",
    "evidence",
    "action",
    "script",
    "response",
    "audience",
    "situation",
    "objection",
];

/// A place in the stage order (`first`, ``after `demo` ``) with the id shown as code.
fn place(text: &str, code: &dyn Fn(&str) -> String) -> String {
    match text
        .strip_prefix("after `")
        .and_then(|p| p.strip_suffix('`'))
    {
        Some(id) => format!("after {}", code(id)),
        None => text.to_string(),
    }
}

/// One change as a line of text; `text` quotes or escapes playbook text and `code` shows ids.
/// In an added stage, additions read as plain values (`goal: …`, not `goal: added …`).
pub(crate) fn describe_change(
    change: &Change,
    in_added_stage: bool,
    text: &dyn Fn(&str) -> String,
    code: &dyn Fn(&str) -> String,
) -> String {
    let label = label(&change.section);
    let name = change.field.as_deref().unwrap_or(&change.section);
    let value = |v: &Option<String>| {
        let v = v.as_deref().unwrap_or_default();
        if PROSE.contains(&name) {
            text(v)
        } else {
            code(v)
        }
    };
    if change.kind == ChangeKind::Moved {
        let old = place(change.old.as_deref().unwrap_or_default(), code);
        let new = place(change.new.as_deref().unwrap_or_default(), code);
        return format!("moved: {old} → {new}");
    }
    let (old, new) = (value(&change.old), value(&change.new));
    let prefix = match (&change.item, &change.field) {
        (Some(item), Some(field)) => {
            let item = if change.section == "library" {
                code(item)
            } else {
                text(item)
            };
            format!("{label} {item}: {field}")
        }
        _ => label.to_string(),
    };
    let field = change.field.is_some();
    match change.kind {
        ChangeKind::Added if in_added_stage => format!("{prefix}: {new}"),
        ChangeKind::Added if field => format!("{prefix} added: {new}"),
        ChangeKind::Added => format!("{prefix}: added {new}"),
        ChangeKind::Removed if field => format!("{prefix} removed (was {old})"),
        ChangeKind::Removed => format!("{prefix}: removed {old}"),
        ChangeKind::Reworded => format!("{prefix}: reworded {old} → {new}"),
        ChangeKind::Changed | ChangeKind::Moved => format!("{prefix}: {old} → {new}"),
    }
}

/// Lists of ids whose additions and removals read best on one line
/// (`next stages: removed `won`, `lost`; added `security-review``).
const GROUPED: &[&str] = &["next", "recycle", "content", "crm_names", "captures"];

/// The lines for a stage's changes (its position excepted, which each printer words itself).
pub(crate) fn describe_stage_changes(
    changes: &[Change],
    in_added_stage: bool,
    text: &dyn Fn(&str) -> String,
    code: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut done: Vec<&str> = Vec::new();
    for change in changes {
        let section = change.section.as_str();
        if section == "position" && change.kind != ChangeKind::Moved {
            continue;
        }
        let groupable = |c: &Change| {
            c.section == section
                && c.item.is_none()
                && matches!(c.kind, ChangeKind::Added | ChangeKind::Removed)
        };
        if !(GROUPED.contains(&section) && groupable(change)) {
            lines.push(describe_change(change, in_added_stage, text, code));
            continue;
        }
        if done.contains(&section) {
            continue;
        }
        done.push(section);
        let show = |c: &Change| {
            let v = c.new.as_deref().or(c.old.as_deref()).unwrap_or_default();
            if PROSE.contains(&section) {
                text(v)
            } else {
                code(v)
            }
        };
        let of_kind = |kind: ChangeKind| {
            changes
                .iter()
                .filter(|c| groupable(c) && c.kind == kind)
                .map(show)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (removed, added) = (of_kind(ChangeKind::Removed), of_kind(ChangeKind::Added));
        let label = label(section);
        lines.push(if in_added_stage {
            format!("{label}: {added}")
        } else {
            let mut parts = Vec::new();
            if !removed.is_empty() {
                parts.push(format!("removed {removed}"));
            }
            if !added.is_empty() {
                parts.push(format!("added {added}"));
            }
            format!("{label}: {}", parts.join("; "))
        });
    }
    lines
}

/// `"Name" (`id`), `file`: changed`, for a playbook's heading.
pub(crate) fn heading_of(
    playbook: &PlaybookDiff,
    text: &dyn Fn(&str) -> String,
    code: &dyn Fn(&str) -> String,
) -> String {
    let file = playbook
        .new_file
        .as_deref()
        .or(playbook.old_file.as_deref())
        .unwrap_or_default();
    let status = match playbook.status {
        Status::Added => "new playbook",
        Status::Removed => "playbook removed",
        Status::Changed => "changed",
        Status::Unchanged => "process unchanged",
        Status::Broken => "not compared",
    };
    format!(
        "{} ({}) in {}: {status}",
        text(&playbook.name),
        code(&playbook.id),
        code(file)
    )
}

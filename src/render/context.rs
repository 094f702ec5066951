//! Render stage: the data templates see, built from the typed playbook model.
//!
//! Every field here is documented in `docs/templates.md`; keep the two in step. Optional values
//! are always present (as `none`) so that `UndefinedBehavior::Strict` only trips on real typos.

use std::collections::BTreeMap;

use serde::Serialize;

use super::locale;
use crate::emit::escape::safe_href;
use crate::model::{Locale, PlaybookFile, Stage, Terminal};

/// The whole template context, except the rendered flow diagram (added by the renderer).
#[derive(Debug, Serialize)]
pub struct Context {
    /// The playbook's cover data.
    pub playbook: PlaybookCtx,
    /// Stages in process order, terminal stages last.
    pub stages: Vec<StageCtx>,
    /// The whole content library, in file order.
    pub content: Vec<ContentCtx>,
    /// The label table of the chosen locale (`t.goal`).
    pub t: BTreeMap<&'static str, &'static str>,
    /// The chosen locale's tag: `en` or `zh-CN`.
    pub lang: &'static str,
    /// "stagebook 0.1.0".
    pub generator: String,
}

/// Cover data.
#[derive(Debug, Serialize)]
pub struct PlaybookCtx {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub owner: Option<String>,
    /// `mailto:` link for an owner that looks like an email address.
    pub owner_href: Option<String>,
    pub version: Option<String>,
    pub updated: Option<String>,
    pub cycle_target: Option<DurationCtx>,
    /// The playbook's file name, e.g. `midmarket.yaml`.
    pub source: String,
}

/// A duration, as written and in words.
#[derive(Debug, Serialize)]
pub struct DurationCtx {
    /// As written: `10d`.
    pub short: String,
    /// In words, in the chosen locale: "10 days".
    pub text: String,
    /// In hours, for templates that compare durations.
    pub hours: u64,
}

/// One stage.
#[derive(Debug, Serialize)]
pub struct StageCtx {
    /// 1-based position in process order.
    pub number: usize,
    pub id: String,
    /// HTML id / Markdown anchor: `stage-<id>`.
    pub anchor: String,
    pub name: String,
    pub goal: Option<String>,
    pub duration: Option<DurationCtx>,
    /// `won`, `lost` or none.
    pub terminal: Option<&'static str>,
    /// `demo` or none.
    pub milestone: Option<&'static str>,
    pub crm_names: Vec<String>,
    pub pains: Vec<String>,
    pub questions: Vec<String>,
    pub know: Vec<String>,
    pub activities: Vec<ActivityCtx>,
    /// `say` items with a situation (talk tracks).
    pub talk_tracks: Vec<TalkTrackCtx>,
    /// `say` items with an objection.
    pub objections: Vec<ObjectionCtx>,
    pub content: Vec<ContentCtx>,
    pub exits: Vec<ExitCtx>,
    pub next: Vec<StageRef>,
    pub recycle: Vec<StageRef>,
    pub captures: Vec<String>,
}

/// A link to another stage.
#[derive(Debug, Serialize)]
pub struct StageRef {
    pub id: String,
    pub anchor: String,
    /// The stage's name; the id when no stage has that id.
    pub name: String,
    pub terminal: Option<&'static str>,
}

/// Something the rep does.
#[derive(Debug, Serialize)]
pub struct ActivityCtx {
    pub action: String,
    /// The channel as written (`video-call`).
    pub channel: Option<&'static str>,
    /// The channel in words, in the chosen locale.
    pub channel_label: Option<&'static str>,
    /// How many times; 1 when not written.
    pub count: u32,
    /// One entry per time, so templates can draw a check box for each (`for _ in a.boxes`).
    pub boxes: Vec<u32>,
}

/// A talk track.
#[derive(Debug, Serialize)]
pub struct TalkTrackCtx {
    pub situation: String,
    pub script: Option<String>,
    pub audience: Option<String>,
}

/// An objection and its answer.
#[derive(Debug, Serialize)]
pub struct ObjectionCtx {
    pub objection: String,
    pub response: Option<String>,
    pub audience: Option<String>,
}

/// A content-library item.
#[derive(Debug, Clone, Serialize)]
pub struct ContentCtx {
    pub id: String,
    pub title: String,
    /// As written: `case-study`.
    pub kind: String,
    /// In words, in the chosen locale.
    pub kind_label: &'static str,
    /// The URL as written (show it as text).
    pub url: Option<String>,
    /// The URL when it is safe to link (http, https, mailto); none otherwise.
    pub href: Option<String>,
    pub path: Option<String>,
    pub description: Option<String>,
}

/// An exit event.
#[derive(Debug, Serialize)]
pub struct ExitCtx {
    pub event: String,
    pub evidence: Option<String>,
}

impl Context {
    /// Builds the context for `playbook`, read from the file called `source`.
    pub fn new(playbook: &PlaybookFile, locale: Locale, source: &str) -> Self {
        let duration = |d: Option<crate::model::Duration>| {
            d.map(|d| DurationCtx {
                short: d.to_string(),
                text: locale::duration(locale, d),
                hours: d.hours(),
            })
        };
        let library: Vec<ContentCtx> = playbook
            .content
            .iter()
            .map(|item| ContentCtx {
                id: item.id.to_string(),
                title: item.title.clone(),
                kind: serde_plain(&item.kind),
                kind_label: locale::content_kind(locale, item.kind),
                url: item.url.clone(),
                href: item.url.as_deref().and_then(safe_href),
                path: item.path.clone(),
                description: item.description.clone(),
            })
            .collect();
        let ordered = process_order(&playbook.stages);
        let stage_ref = |id: &crate::model::Id| {
            let target = playbook.stages.iter().find(|s| &s.id == id);
            StageRef {
                id: id.to_string(),
                anchor: anchor(id.as_str()),
                name: target.map_or_else(|| id.to_string(), |s| s.name.clone()),
                terminal: target.and_then(|s| s.terminal).map(terminal_name),
            }
        };
        let stages = ordered
            .iter()
            .enumerate()
            .map(|(index, stage)| StageCtx {
                number: index + 1,
                id: stage.id.to_string(),
                anchor: anchor(stage.id.as_str()),
                name: stage.name.clone(),
                goal: stage.goal.clone(),
                duration: duration(stage.expected_duration),
                terminal: stage.terminal.map(terminal_name),
                milestone: stage.milestone.map(|_| "demo"),
                crm_names: stage.crm_names.clone(),
                pains: stage.buyer_view.pains.clone(),
                questions: stage.buyer_view.questions.clone(),
                know: stage.know.clone(),
                activities: stage
                    .activities
                    .iter()
                    .map(|a| {
                        let count = a.count.unwrap_or(1).clamp(1, 100);
                        ActivityCtx {
                            action: a.action.clone(),
                            channel: a.channel.map(serde_plain_static),
                            channel_label: a.channel.map(|c| locale::channel(locale, c)),
                            count,
                            boxes: (1..=count).collect(),
                        }
                    })
                    .collect(),
                talk_tracks: stage
                    .say
                    .iter()
                    .filter_map(|s| {
                        Some(TalkTrackCtx {
                            situation: s.situation.clone()?,
                            script: s.script.clone(),
                            audience: s.audience.clone(),
                        })
                    })
                    .collect(),
                objections: stage
                    .say
                    .iter()
                    .filter(|s| s.situation.is_none())
                    .filter_map(|s| {
                        Some(ObjectionCtx {
                            objection: s.objection.clone()?,
                            response: s.response.clone(),
                            audience: s.audience.clone(),
                        })
                    })
                    .collect(),
                content: stage
                    .content
                    .iter()
                    .map(|id| {
                        library
                            .iter()
                            .find(|c| c.id == id.as_str())
                            .cloned()
                            .unwrap_or_else(|| ContentCtx {
                                id: id.to_string(),
                                title: id.to_string(),
                                kind: "other".into(),
                                kind_label: locale::content_kind(
                                    locale,
                                    crate::model::ContentKind::Other,
                                ),
                                url: None,
                                href: None,
                                path: None,
                                description: None,
                            })
                    })
                    .collect(),
                exits: stage
                    .exit
                    .iter()
                    .map(|e| ExitCtx {
                        event: e.event.clone(),
                        evidence: e.evidence.clone(),
                    })
                    .collect(),
                next: stage.next.0.iter().map(stage_ref).collect(),
                recycle: stage.recycle.iter().map(stage_ref).collect(),
                captures: stage.captures.clone(),
            })
            .collect();
        let meta = &playbook.playbook;
        Self {
            playbook: PlaybookCtx {
                id: meta.id.to_string(),
                name: meta.name.clone(),
                description: meta.description.clone(),
                owner: meta.owner.clone(),
                owner_href: meta
                    .owner
                    .as_deref()
                    .filter(|o| looks_like_email(o))
                    .map(|o| format!("mailto:{o}")),
                version: meta.version.clone(),
                updated: meta.updated.clone(),
                cycle_target: duration(meta.cycle_target),
                source: source.to_owned(),
            },
            stages,
            content: library,
            t: locale::labels(locale),
            lang: locale.tag(),
            generator: format!("stagebook {}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Stages in process order: the file's order, with terminal stages moved (stably) to the end.
pub fn process_order(stages: &[Stage]) -> Vec<&Stage> {
    let (open, closing): (Vec<&Stage>, Vec<&Stage>) = stages.iter().partition(|s| !s.is_terminal());
    open.into_iter().chain(closing).collect()
}

/// The HTML id of a stage's section.
pub fn anchor(id: &str) -> String {
    // Ids are validated, but an anchor lands in attributes and Markdown links unescaped by
    // some templates: keep only the id alphabet.
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_')
        .collect();
    format!("stage-{id}")
}

fn terminal_name(terminal: Terminal) -> &'static str {
    match terminal {
        Terminal::Won => "won",
        Terminal::Lost => "lost",
    }
}

fn looks_like_email(text: &str) -> bool {
    let Some((user, domain)) = text.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && domain.contains('.')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@._+-".contains(c))
}

/// The serde name of a unit enum variant (`case-study`).
fn serde_plain<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn serde_plain_static(channel: crate::model::Channel) -> &'static str {
    use crate::model::Channel;
    match channel {
        Channel::Email => "email",
        Channel::Phone => "phone",
        Channel::VideoCall => "video-call",
        Channel::Meeting => "meeting",
        Channel::Chat => "chat",
        Channel::Social => "social",
        Channel::Mail => "mail",
        Channel::Event => "event",
        Channel::Crm => "crm",
        Channel::Research => "research",
    }
}

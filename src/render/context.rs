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
pub(crate) struct Context {
    /// The playbook's cover data.
    pub(crate) playbook: PlaybookCtx,
    /// Stages in process order, terminal stages last.
    pub(crate) stages: Vec<StageCtx>,
    /// The whole content library, in file order.
    pub(crate) content: Vec<ContentCtx>,
    /// The label table of the chosen locale (`t.goal`).
    pub(crate) t: BTreeMap<&'static str, &'static str>,
    /// The chosen locale's tag: `en` or `zh-CN`.
    pub(crate) lang: &'static str,
    /// The playbook's roles (`playbook.roles`), in file order.
    pub(crate) roles: Vec<RoleCtx>,
    /// The role whose checklists these are (`render --role`); none for the whole team's.
    pub(crate) role: Option<RoleCtx>,
    /// "stagebook 0.1.0".
    pub(crate) generator: String,
}

/// Cover data.
#[derive(Debug, Serialize)]
pub(crate) struct PlaybookCtx {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) owner: Option<String>,
    /// `mailto:` link for an owner that looks like an email address.
    pub(crate) owner_href: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) updated: Option<String>,
    pub(crate) cycle_target: Option<DurationCtx>,
    /// The playbook's file name, e.g. `midmarket.yaml`.
    pub(crate) source: String,
}

/// A role on the selling team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RoleCtx {
    pub(crate) id: String,
    /// The role's name; its id when the playbook does not list it.
    pub(crate) name: String,
}

/// A duration, as written and in words.
#[derive(Debug, Serialize)]
pub(crate) struct DurationCtx {
    /// As written: `10d`.
    pub(crate) short: String,
    /// In words, in the chosen locale: "10 days".
    pub(crate) text: String,
    /// In hours, for templates that compare durations.
    pub(crate) hours: u64,
}

/// One stage.
#[derive(Debug, Serialize)]
pub(crate) struct StageCtx {
    /// 1-based position in process order.
    pub(crate) number: usize,
    /// The number shown for the stage: the one its name starts with (`0` of `0-Pending
    /// Acceptance`), else its position.
    pub(crate) number_label: String,
    /// The name starts with a number of its own (`0-Pending Acceptance`, `3. Demo`): headings
    /// then show the name alone, not "3. 3. Demo".
    pub(crate) numbered_name: bool,
    pub(crate) id: String,
    /// HTML id / Markdown anchor: `stage-<id>`.
    pub(crate) anchor: String,
    pub(crate) name: String,
    pub(crate) goal: Option<String>,
    pub(crate) duration: Option<DurationCtx>,
    /// `won`, `lost`, `no-decision`, `disqualified`, `duplicate` or none.
    pub(crate) terminal: Option<&'static str>,
    /// Deals can start here too (`entry: true`).
    pub(crate) entry: bool,
    /// Any open stage may move a deal here (`from_any: true`).
    pub(crate) from_any: bool,
    /// What a closing stage tells the rep ("The deal is lost. Record the reason…").
    pub(crate) closing_note: Option<&'static str>,
    /// The milestone id as written (`demo`, `sqo`) or none.
    pub(crate) milestone: Option<String>,
    /// The milestone in words, in the chosen locale: "SQO: sales-qualified opportunity".
    pub(crate) milestone_label: Option<String>,
    /// The role that works deals in this stage.
    pub(crate) owner: Option<RoleCtx>,
    /// The roles of the stages leading here (through `next`) that differ from this stage's
    /// owner: the deal is handed over on entry.
    pub(crate) handoff_from: Vec<RoleCtx>,
    pub(crate) crm_names: Vec<String>,
    /// `probability`, when written.
    pub(crate) probability: Option<u8>,
    /// The forecast category in words ("Best case", "最佳情况"), when written.
    pub(crate) forecast: Option<&'static str>,
    pub(crate) pains: Vec<String>,
    pub(crate) questions: Vec<String>,
    pub(crate) know: Vec<String>,
    pub(crate) activities: Vec<ActivityCtx>,
    /// `say` items with a situation (talk tracks).
    pub(crate) talk_tracks: Vec<TalkTrackCtx>,
    /// `say` items with an objection.
    pub(crate) objections: Vec<ObjectionCtx>,
    pub(crate) content: Vec<ContentCtx>,
    pub(crate) exits: Vec<ExitCtx>,
    /// What must be true when a deal enters the stage.
    pub(crate) entry_criteria: Vec<String>,
    /// CRM fields to fill in before the deal moves on.
    pub(crate) required_fields: Vec<FieldCtx>,
    /// Internal gates before the deal moves on.
    pub(crate) approvals: Vec<ApprovalCtx>,
    pub(crate) next: Vec<StageRef>,
    pub(crate) recycle: Vec<StageRef>,
    pub(crate) captures: Vec<String>,
    /// Qualification elements started here, confirmed later (`starts`), named in the locale.
    pub(crate) starts: Vec<String>,
}

/// A link to another stage.
#[derive(Debug, Serialize)]
pub(crate) struct StageRef {
    pub(crate) id: String,
    pub(crate) anchor: String,
    /// The stage's name; the id when no stage has that id.
    pub(crate) name: String,
    pub(crate) terminal: Option<&'static str>,
    /// For a `next` branch: when deals take it; none for the usual way.
    pub(crate) when: Option<String>,
}

/// Something the rep does.
#[derive(Debug, Serialize)]
pub(crate) struct ActivityCtx {
    pub(crate) action: String,
    /// The channel as written (`video-call`).
    pub(crate) channel: Option<&'static str>,
    /// The channel in words, in the chosen locale.
    pub(crate) channel_label: Option<&'static str>,
    /// How many times; 1 when not written.
    pub(crate) count: u32,
    /// One entry per time, so templates can draw a check box for each (`for _ in a.boxes`);
    /// none for an optional activity.
    pub(crate) boxes: Vec<u32>,
    /// A good idea, not a must.
    pub(crate) optional: bool,
    /// How soon it must be done, in words: "within 24 hours", "24 小时内".
    pub(crate) sla: Option<String>,
    /// Who does it, when not the stage's owner.
    pub(crate) owner: Option<RoleCtx>,
}

/// A CRM field to fill in.
#[derive(Debug, Serialize)]
pub(crate) struct FieldCtx {
    /// The name reps read.
    pub(crate) field: String,
    /// Each CRM's own name for it, when written: "Salesforce: Loss_Reason__c, HubSpot: …".
    pub(crate) in_crm: Option<String>,
}

/// An internal approval.
#[derive(Debug, Serialize)]
pub(crate) struct ApprovalCtx {
    pub(crate) approval: String,
    pub(crate) approver: Option<String>,
    /// Who asks for it, when not the stage's owner.
    pub(crate) owner: Option<RoleCtx>,
}

/// A talk track.
#[derive(Debug, Serialize)]
pub(crate) struct TalkTrackCtx {
    pub(crate) situation: String,
    pub(crate) script: Option<String>,
    pub(crate) audience: Option<String>,
}

/// An objection and its answer.
#[derive(Debug, Serialize)]
pub(crate) struct ObjectionCtx {
    pub(crate) objection: String,
    pub(crate) response: Option<String>,
    pub(crate) audience: Option<String>,
}

/// A content-library item.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ContentCtx {
    pub(crate) id: String,
    pub(crate) title: String,
    /// As written: `case-study`.
    pub(crate) kind: String,
    /// In words, in the chosen locale.
    pub(crate) kind_label: &'static str,
    /// The URL as written (show it as text).
    pub(crate) url: Option<String>,
    /// The URL when it is safe to link (http, https, mailto); none otherwise.
    pub(crate) href: Option<String>,
    pub(crate) path: Option<String>,
    pub(crate) description: Option<String>,
}

/// An exit event.
#[derive(Debug, Serialize)]
pub(crate) struct ExitCtx {
    pub(crate) event: String,
    pub(crate) evidence: Option<String>,
    /// Who confirms it, when not the stage's owner.
    pub(crate) owner: Option<RoleCtx>,
}

/// Whether a stage name starts with a number of its own: digits, then `-`, `.`, `)`, `:` or a
/// space (`0-Pending Acceptance`, `3. Demo`, `2) Discovery`).
fn numbered(name: &str) -> bool {
    own_number(name).is_some()
}

/// The number a stage name starts with (`0` of `0-Pending Acceptance`), if it has one.
pub(crate) fn own_number(name: &str) -> Option<&str> {
    let name = name.trim_start();
    let rest = name.trim_start_matches(|c: char| c.is_ascii_digit());
    (rest.len() < name.len() && rest.starts_with(['-', '.', ')', ':', ' ', '、', '．']))
        .then(|| &name[..name.len() - rest.len()])
}

impl Context {
    /// Builds the context for `playbook`, read from the file called `source`.
    pub(crate) fn new(
        playbook: &PlaybookFile,
        locale: Locale,
        source: &str,
        attachments: &super::Attachments,
        role: Option<&str>,
    ) -> Self {
        let role_ctx = |id: &crate::model::Id| RoleCtx {
            id: id.to_string(),
            name: playbook
                .playbook
                .roles
                .iter()
                .find(|r| r.id == *id)
                .map_or_else(|| id.to_string(), |r| r.name.clone()),
        };
        // An item's role, shown only when it is not the stage's own.
        let other_owner = |stage: &Stage, own: Option<&crate::model::Id>| {
            own.filter(|o| stage.owner.as_ref() != Some(*o))
                .map(role_ctx)
        };
        let graph = crate::model::graph::Graph::new(playbook);
        let handoffs = graph.handoffs();
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
                // The web copy first; else the file copied beside the pages.
                href: item
                    .url
                    .as_deref()
                    .and_then(safe_href)
                    .or_else(|| attachments.get(item.id.as_str()).cloned()),
                path: item.path.clone(),
                description: item.description.clone(),
            })
            .collect();
        let ordered = process_order(&playbook.stages);
        // Indexes, so that a reference costs a lookup, not a scan: rendering stays linear in
        // the stages (40,000 stages scanned for each `next` took seconds).
        let by_id: BTreeMap<&str, &Stage> = playbook
            .stages
            .iter()
            .rev()
            .map(|s| (s.id.as_str(), s))
            .collect();
        let content_by_id: BTreeMap<&str, &ContentCtx> =
            library.iter().rev().map(|c| (c.id.as_str(), c)).collect();
        let stage_ref = |id: &crate::model::Id| {
            let target = by_id.get(id.as_str()).copied();
            StageRef {
                id: id.to_string(),
                anchor: anchor(id.as_str()),
                name: target.map_or_else(|| id.to_string(), |s| s.name.clone()),
                terminal: target.and_then(|s| s.terminal).map(Terminal::id),
                when: None,
            }
        };
        // Qualification elements named in the locale; a team's own as written.
        let elements = |list: &[String]| -> Vec<String> {
            list.iter()
                .map(|c| locale::element(locale, c).map_or_else(|| c.clone(), str::to_owned))
                .collect()
        };
        let mut stages: Vec<StageCtx> = ordered
            .iter()
            .enumerate()
            .map(|(index, stage)| StageCtx {
                number: index + 1,
                number_label: own_number(&stage.name)
                    .map_or_else(|| (index + 1).to_string(), str::to_owned),
                numbered_name: numbered(&stage.name),
                id: stage.id.to_string(),
                anchor: anchor(stage.id.as_str()),
                name: stage.name.clone(),
                goal: stage.goal.clone(),
                duration: duration(stage.expected_duration),
                terminal: stage.terminal.map(Terminal::id),
                closing_note: stage.terminal.map(|t| locale::closing(locale, t)),
                entry: stage.entry,
                from_any: stage.from_any,
                milestone: stage.milestone.as_ref().map(ToString::to_string),
                milestone_label: stage
                    .milestone
                    .as_ref()
                    .map(|m| locale::milestone(locale, m.as_str())),
                owner: stage.owner.as_ref().map(role_ctx),
                handoff_from: graph
                    .index_of(stage.id.as_str())
                    .map(|i| handoffs[i].iter().map(|o| role_ctx(o)).collect())
                    .unwrap_or_default(),
                crm_names: stage.crm_names.clone(),
                probability: stage.probability,
                forecast: stage
                    .forecast_category
                    .map(|f| locale::forecast_category(locale, f)),
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
                            boxes: if a.optional {
                                Vec::new()
                            } else {
                                (1..=count).collect()
                            },
                            optional: a.optional,
                            sla: a.sla.map(|d| locale::within(locale, d)),
                            owner: other_owner(stage, a.owner.as_ref()),
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
                        content_by_id.get(id.as_str()).map_or_else(
                            || ContentCtx {
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
                            },
                            |c| (*c).clone(),
                        )
                    })
                    .collect(),
                exits: stage
                    .exit
                    .iter()
                    .map(|e| ExitCtx {
                        event: e.event.clone(),
                        evidence: e.evidence.clone(),
                        owner: other_owner(stage, e.owner.as_ref()),
                    })
                    .collect(),
                entry_criteria: stage.entry_criteria.clone(),
                required_fields: stage
                    .required_fields
                    .iter()
                    .map(|f| {
                        let named: Vec<String> = [
                            ("Salesforce", &f.salesforce),
                            ("HubSpot", &f.hubspot),
                            ("Pipedrive", &f.pipedrive),
                        ]
                        .into_iter()
                        .filter_map(|(crm, name)| name.as_ref().map(|n| format!("{crm}: {n}")))
                        .collect();
                        FieldCtx {
                            field: f.field.clone(),
                            in_crm: (!named.is_empty()).then(|| named.join(", ")),
                        }
                    })
                    .collect(),
                approvals: stage
                    .approvals
                    .iter()
                    .map(|a| ApprovalCtx {
                        approval: a.approval.clone(),
                        approver: a.approver.clone(),
                        owner: other_owner(stage, a.owner.as_ref()),
                    })
                    .collect(),
                next: stage
                    .next
                    .0
                    .iter()
                    .map(|b| StageRef {
                        when: b.when.clone(),
                        ..stage_ref(&b.stage)
                    })
                    .collect(),
                recycle: stage.recycle.iter().map(stage_ref).collect(),
                captures: elements(&stage.captures),
                starts: elements(&stage.starts),
            })
            .collect();
        if let Some(role) = role {
            stages.retain_mut(|s| s.keep_for(role));
        }
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
            roles: meta.roles.iter().map(|r| role_ctx(&r.id)).collect(),
            role: role.map(|r| role_ctx(&crate::model::Id(r.to_owned()))),
            generator: format!("stagebook {}", env!("CARGO_PKG_VERSION")),
        }
    }
}

impl StageCtx {
    /// Narrows the stage to what `role` does (`render --role`): the items it owns, and those
    /// of a stage it owns or nobody owns that no other role is named for. False when nothing
    /// of the stage is left for the role.
    fn keep_for(&mut self, role: &str) -> bool {
        let stage_owner = self.owner.as_ref().map(|o| o.id.clone());
        let mine = |own: &Option<RoleCtx>| {
            own.as_ref()
                .map(|o| o.id.as_str())
                .or(stage_owner.as_deref())
                .is_none_or(|o| o == role)
        };
        self.activities.retain(|a| mine(&a.owner));
        self.exits.retain(|e| mine(&e.owner));
        self.approvals.retain(|a| mine(&a.owner));
        // What is left is the role's own: naming it on each item would only repeat the title.
        self.activities.iter_mut().for_each(|a| a.owner = None);
        self.exits.iter_mut().for_each(|e| e.owner = None);
        self.approvals.iter_mut().for_each(|a| a.owner = None);
        if !mine(&None) {
            self.entry_criteria.clear();
            self.required_fields.clear();
            self.captures.clear();
            self.starts.clear();
            self.talk_tracks.clear();
            self.objections.clear();
            self.content.clear();
        }
        mine(&None)
            || !self.activities.is_empty()
            || !self.exits.is_empty()
            || !self.approvals.is_empty()
    }
}

/// Stages in process order: the file's order, with terminal stages moved (stably) to the end.
pub(crate) fn process_order(stages: &[Stage]) -> Vec<&Stage> {
    let (open, closing): (Vec<&Stage>, Vec<&Stage>) = stages.iter().partition(|s| !s.is_terminal());
    open.into_iter().chain(closing).collect()
}

/// The HTML id of a stage's section.
pub(crate) fn anchor(id: &str) -> String {
    // Ids are validated, but an anchor lands in attributes and Markdown links unescaped by
    // some templates: keep only the id alphabet.
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_')
        .collect();
    format!("stage-{id}")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_their_own_number_are_not_numbered_again() {
        for name in [
            "0-Pending Acceptance",
            "3. Demo",
            "2) Discovery",
            "10 Closed",
            "1、初次接触",
        ] {
            assert!(numbered(name), "{name}");
        }
        for name in ["Discovery", "3M deal review", "Demo"] {
            assert!(!numbered(name), "{name}");
        }
    }
}

//! Between the validate stage and every later one: the playbook format, the typed model the
//! validate stage builds and every stage after it works on. Doc comments on
//! the fields become the JSON Schema's descriptions, which editors show on hover, so they are
//! written for the sales-ops author, not for programmers.

pub(crate) mod duration;
pub(crate) mod graph;

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};

pub(crate) use duration::Duration;

/// The pattern every stage and content id matches.
pub(crate) const ID_PATTERN: &str = "^[a-z0-9][a-z0-9_-]{0,63}$";

/// The id an author most likely meant by `text` (`Closed Won` → `closed-won`): lowercase ASCII
/// letters and digits, other runs turned into one `-`. Empty when nothing of it can be an id
/// (Chinese names need an id written by hand).
pub(crate) fn suggest_id(text: &str) -> String {
    let mut id = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').trim_start_matches('_');
    id.chars().take(64).collect()
}

/// A stagebook playbook: one sales process, its stages and the content reps show buyers.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "stagebook playbook")]
pub struct PlaybookFile {
    /// Version of the playbook format. Always `1`.
    #[schemars(range(min = 1, max = 1))]
    pub(crate) stagebook: u32,
    /// Who owns this playbook and what it is for.
    pub(crate) playbook: Meta,
    /// This playbook is a variant of another (a segment, a deal size): the path of the base
    /// playbook, relative to this file. The base's settings, stages and content are used, with
    /// what this file writes laid over them — `playbook` settings key by key (an own `id` is
    /// required), each stage named by `id` field by field, content items by `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub(crate) extends: Option<String>,
    /// Other files whose `stages` and `content` are added to this playbook, in order, after its
    /// own. Paths are relative to this file and must stay inside the project folder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) include: Vec<String>,
    /// The content library: case studies, videos, decks … that stages refer to by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) content: Vec<ContentItem>,
    /// The stages of the process, in the order a deal normally goes through them. The first
    /// stage is where deals enter; terminal stages (won / lost) close the list.
    #[serde(default)]
    pub(crate) stages: Vec<Stage>,
}

/// Playbook metadata.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Meta {
    /// Short machine name, e.g. `midmarket`.
    pub(crate) id: Id,
    /// Name shown on the handbook's cover, e.g. "Mid-market SaaS".
    #[schemars(length(min = 1))]
    pub(crate) name: String,
    /// Language of the handbook's labels.
    #[serde(default)]
    pub(crate) locale: Locale,
    /// Who maintains the playbook: a team mailbox or a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) owner: Option<String>,
    /// How long the whole cycle should take, from the first stage to a won deal, e.g. `6w`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Duration")]
    pub(crate) cycle_target: Option<Duration>,
    /// Version of this playbook, printed on the handbook, e.g. `2026.3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) version: Option<String>,
    /// Date of this version (YYYY-MM-DD), printed on the handbook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub(crate) updated: Option<String>,
    /// One or two sentences on who this playbook is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    /// The qualification framework the team follows (e.g. MEDDPICC), so the linter can check
    /// that stages capture every element in time (rule `methodology-gap`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Methodology")]
    pub(crate) methodology: Option<Methodology>,
    /// How `stagebook crm export` names this playbook's pipeline in each CRM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "PlaybookCrm")]
    pub(crate) crm: Option<PlaybookCrm>,
    /// The people who work deals, for `owner:` on stages, activities, exits and approvals, e.g.
    /// `{id: sdr, name: Sales Development Rep}`. `render --role` prints one role's checklists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) roles: Vec<Role>,
    /// Lint findings switched off for the whole playbook, with the reason why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "LintAllow")]
    pub(crate) lint: Option<LintAllow>,
}

/// Someone who works deals: a role on the selling team.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Role {
    /// Short machine name that `owner:` uses, e.g. `ae`.
    pub(crate) id: Id,
    /// Name shown to reps, e.g. "Account Executive".
    #[schemars(length(min = 1))]
    pub(crate) name: String,
    /// What this role does in the process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
}

/// A qualification framework: its elements, and by which stage each must be captured. Stages
/// say what they capture in `captures`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Methodology {
    /// A well-known framework whose elements are used when `elements` is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Framework")]
    pub(crate) framework: Option<Framework>,
    /// The team's own list of elements, instead of a framework's, e.g. `[budget, timeline]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) elements: Vec<String>,
    /// The stage by which each element must be captured, e.g. `economic-buyer: proposal`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub(crate) required_by: std::collections::BTreeMap<String, Id>,
}

impl Methodology {
    /// The elements to capture: the team's list, or else the framework's.
    pub(crate) fn element_names(&self) -> Vec<&str> {
        if self.elements.is_empty() {
            self.framework
                .map(Framework::elements)
                .unwrap_or_default()
                .to_vec()
        } else {
            self.elements.iter().map(String::as_str).collect()
        }
    }
}

/// Well-known qualification frameworks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Framework {
    /// Metrics, Economic buyer, Decision criteria, Decision process, Paper process, Identify
    /// pain, Champion, Competition.
    Meddpicc,
    /// MEDDPICC with Partners (GitLab's variant): Metrics, Economic buyer, Decision criteria,
    /// Decision process, Paper process, Partners, Identify pain, Champion, Competition.
    Meddppicc,
    /// Metrics, Economic buyer, Decision criteria, Decision process, Identify pain, Champion.
    Meddic,
    /// Budget, Authority, Need, Timeline.
    Bant,
}

impl Framework {
    /// The framework's elements, as written in `captures`.
    pub(crate) fn elements(self) -> &'static [&'static str] {
        match self {
            Self::Meddpicc => &[
                "metrics",
                "economic-buyer",
                "decision-criteria",
                "decision-process",
                "paper-process",
                "identify-pain",
                "champion",
                "competition",
            ],
            Self::Meddppicc => &[
                "metrics",
                "economic-buyer",
                "decision-criteria",
                "decision-process",
                "paper-process",
                "partners",
                "identify-pain",
                "champion",
                "competition",
            ],
            Self::Meddic => &[
                "metrics",
                "economic-buyer",
                "decision-criteria",
                "decision-process",
                "identify-pain",
                "champion",
            ],
            Self::Bant => &["budget", "authority", "need", "timeline"],
        }
    }

    /// The name as written in playbooks.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Meddpicc => "meddpicc",
            Self::Meddppicc => "meddppicc",
            Self::Meddic => "meddic",
            Self::Bant => "bant",
        }
    }
}

/// Language of a handbook's labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Locale {
    /// English.
    #[default]
    #[serde(rename = "en")]
    En,
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Locale {
    /// The BCP 47 tag, as written in playbooks and HTML `lang` attributes.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
        }
    }
}

/// A piece of content reps show buyers.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContentItem {
    /// Id that stages use to refer to this item.
    pub(crate) id: Id,
    /// Title as the buyer sees it.
    #[schemars(length(min = 1))]
    pub(crate) title: String,
    /// What kind of content it is.
    pub(crate) kind: ContentKind,
    /// Where it lives on the web (http, https or mailto).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = "^(https?://|mailto:)"))]
    pub(crate) url: Option<String>,
    /// Where it lives in this repository, relative to the playbook file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    /// When to use it and what it proves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    /// Lint findings switched off for this item, with the reason why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "LintAllow")]
    pub(crate) lint: Option<LintAllow>,
}

/// Kinds of content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ContentKind {
    /// A customer story with results.
    CaseStudy,
    /// A video: recorded demo, customer testimonial, explainer.
    Video,
    /// A blog post or article.
    Blog,
    /// A document: white paper, security overview, FAQ.
    Doc,
    /// A slide deck.
    Deck,
    /// A one-page summary.
    OnePager,
    /// A recorded or live webinar.
    Webinar,
    /// An ROI or pricing calculator.
    Calculator,
    /// A contract, order form or proposal template.
    Template,
    /// Anything else.
    Other,
}

/// One stage of the sales process.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Stage {
    /// Short machine name, unique in the playbook, used by `next`, e.g. `discovery`.
    pub(crate) id: Id,
    /// Name shown to reps, e.g. "Discovery".
    #[schemars(length(min = 1))]
    pub(crate) name: String,
    /// What this stage must achieve, from the buyer's side: "A qualified buyer agrees to a
    /// discovery call".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) goal: Option<String>,
    /// How long a deal should normally stay in this stage: `36h`, `10d`, `2w`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Duration")]
    pub(crate) expected_duration: Option<Duration>,
    /// How the CRM calls this stage (for metrics and CRM export), e.g. `[Appointment Scheduled]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) crm_names: Vec<String>,
    /// The stage seen from the buyer's side: what hurts and what they ask.
    #[serde(default, skip_serializing_if = "BuyerView::is_empty")]
    pub(crate) buyer_view: BuyerView,
    /// What the rep must know in this stage: product points, market facts, the buyer's world.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) know: Vec<String>,
    /// What the rep must do in this stage: actions, with a channel and how many times.
    #[serde(rename = "do", default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) activities: Vec<Activity>,
    /// What the rep says: talk tracks for situations, and answers to objections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) say: Vec<Say>,
    /// Ids of content-library items to show the buyer in this stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) content: Vec<Id>,
    /// What must already be true when a deal enters this stage, checked by whoever moves it
    /// here: "A discovery call is booked with someone who owns the problem".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(length(min = 1)))]
    pub(crate) entry_criteria: Vec<String>,
    /// CRM fields the rep fills in before the deal leaves this stage: a name everyone reads
    /// (`Amount`), or the name with each CRM's field (`{field: Close reason, salesforce:
    /// Loss_Reason__c, hubspot: closed_lost_reason}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) required_fields: Vec<RequiredField>,
    /// Internal gates before the deal moves on — someone in your company approves, not the
    /// buyer: "Deal Desk approves the quote" (approver: Deal Desk).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) approvals: Vec<Approval>,
    /// What the buyer must do before the deal moves on, and how you know it happened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) exit: Vec<ExitEvent>,
    /// The stage (or stages, for a branch) a deal moves to after this one.
    #[serde(default, skip_serializing_if = "Next::is_empty")]
    pub(crate) next: Next,
    /// Earlier stages a deal may be sent back to on purpose (e.g. back to nurturing). These
    /// loops are part of the process and are not reported as cycles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) recycle: Vec<Id>,
    /// Deals can start here too, not only in the first stage: a second way in (self-serve
    /// sign-ups, partner registrations).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) entry: bool,
    /// Any open stage may move a deal here (lost, on hold, at risk), without listing it in
    /// every stage's `next`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) from_any: bool,
    /// A stage off the main path (on hold, at risk, nurture): moving a deal into it, or from it
    /// back into the process, is not progress — metrics counts it with moved back, and the
    /// main path never goes through it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) side: bool,
    /// The role (from `playbook.roles`) that works deals in this stage, e.g. `ae`. A stage
    /// whose owner differs from the stage before it is a hand-off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) owner: Option<Id>,
    /// Marks a closing stage: `won` or `lost`. Terminal stages need no guidance or exits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Terminal")]
    pub(crate) terminal: Option<Terminal>,
    /// Marks a point of the funnel that metrics counts deals reaching, with the conversion from
    /// one milestone to the next: `mql`, `sql`, `sao`, `sqo`, `demo`, `pql`, or a name of your
    /// own (an id). A deal reaches it when it enters this stage or a stage every path to which
    /// goes through it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) milestone: Option<Id>,
    /// Chance, in percent (0–100), that a deal in this stage ends won. CRMs weigh the pipeline
    /// forecast with it. Along the main path it should only go up. Won stages count as 100 and
    /// lost stages as 0 unless written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u8", range(min = 0, max = 100))]
    pub(crate) probability: Option<u8>,
    /// Which forecast bucket deals in this stage count in: `pipeline`, `best-case`,
    /// `most-likely`, `commit`, `closed` or `omitted`. Default: `pipeline` for open stages, `closed` for won and
    /// `omitted` for lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "ForecastCategory")]
    pub(crate) forecast_category: Option<ForecastCategory>,
    /// Settings only one CRM understands, used by `stagebook crm export`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "StageCrm")]
    pub(crate) crm: Option<StageCrm>,
    /// Qualification elements (e.g. MEDDPICC's `metrics`, `economic-buyer`) captured —
    /// established and confirmed — in this stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) captures: Vec<String>,
    /// Qualification elements reps start to establish in this stage and confirm in a later
    /// one (its `captures`): the economic buyer named in discovery, met in proposal. A started
    /// element does not meet `required_by`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) starts: Vec<String>,
    /// Lint findings switched off for this stage, with the reason why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "LintAllow")]
    pub(crate) lint: Option<LintAllow>,
}

impl Stage {
    /// Whether the stage closes a deal.
    pub(crate) fn is_terminal(&self) -> bool {
        self.terminal.is_some()
    }

    /// Whether a deal moving from this stage to `next` changes hands: both have owners, and
    /// they differ (a closing stage takes no hand-off).
    pub(crate) fn hands_over_to(&self, next: &Self) -> bool {
        !next.is_terminal() && matches!((&self.owner, &next.owner), (Some(a), Some(b)) if a != b)
    }

    /// Whether the main path may go through this stage: not a side stage (`side`, or an open
    /// `from_any` stage such as on hold), and not a closing stage other than won.
    pub(crate) fn on_main_path(&self) -> bool {
        match self.terminal {
            Some(t) => t.is_won(),
            None => !self.side && !self.from_any,
        }
    }
}

/// The well-known funnel milestones, in funnel order, with what each means (a playbook may
/// name its own too).
pub(crate) const MILESTONES: [(&str, &str); 7] = [
    ("mql", "marketing-qualified lead"),
    ("sal", "sales-accepted lead"),
    ("sql", "sales-qualified lead"),
    ("pql", "product-qualified lead"),
    ("sao", "sales-accepted opportunity"),
    ("sqo", "sales-qualified opportunity"),
    ("demo", "the buyer has asked for a demo"),
];

/// How a terminal stage closes a deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Terminal {
    /// The deal is won.
    Won,
    /// The deal is lost: counts in the win rate.
    Lost,
    /// The buyer decided not to buy at all: a loss in the win rate.
    NoDecision,
    /// Closed as not qualified (not a real opportunity): left out of the win rate.
    Disqualified,
    /// Closed as a duplicate of another deal: left out of the win rate.
    Duplicate,
}

impl Terminal {
    /// Whether the deal is won.
    pub(crate) fn is_won(self) -> bool {
        self == Self::Won
    }

    /// Whether a deal closed here counts in the win rate (won ÷ deals closed won or lost):
    /// won, lost and no decision do; disqualified and duplicate deals were never real
    /// opportunities.
    pub(crate) fn counts_in_win_rate(self) -> bool {
        !matches!(self, Self::Disqualified | Self::Duplicate)
    }

    /// The kind as written: `won`, `no-decision`.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Self::Won => "won",
            Self::Lost => "lost",
            Self::NoDecision => "no-decision",
            Self::Disqualified => "disqualified",
            Self::Duplicate => "duplicate",
        }
    }
}

/// The forecast bucket a stage's deals count in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ForecastCategory {
    /// Open deals that are not yet likely.
    Pipeline,
    /// Deals that could close this period if things go well.
    BestCase,
    /// Deals more likely than best case, not yet committed (Salesforce's "Most Likely").
    MostLikely,
    /// Deals the team commits to closing this period.
    Commit,
    /// Won deals.
    Closed,
    /// Left out of the forecast (lost deals).
    Omitted,
}

/// Playbook-wide CRM settings, one block per CRM.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlaybookCrm {
    /// Salesforce: the Sales Path generated for opportunities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "SalesforcePlaybook")]
    pub(crate) salesforce: Option<SalesforcePlaybook>,
    /// HubSpot: the deal pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "HubspotPlaybook")]
    pub(crate) hubspot: Option<HubspotPlaybook>,
    /// Pipedrive: the pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "PipedrivePlaybook")]
    pub(crate) pipedrive: Option<PipedrivePlaybook>,
}

/// Salesforce settings for the whole playbook.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SalesforcePlaybook {
    /// API name of the Sales Path (letters, digits and single `_`), e.g. `Midmarket_Path`.
    /// Default: built from the playbook id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_]{0,39}$"))]
    pub(crate) path_name: Option<String>,
    /// Record type the path is for. Default: `__MASTER__`, the master record type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]{0,79}$"))]
    pub(crate) record_type: Option<String>,
    /// Metadata API version written in `package.xml`, e.g. `60.0` (the default). At least 38.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^(3[89]|[4-9][0-9])\.0$"))]
    pub(crate) api_version: Option<String>,
    /// The org's sales process (an Opportunity `BusinessProcess`) the playbook's stages belong
    /// to, by name, e.g. `New Business`. `crm export --merge-with` adds to it the stage values
    /// it lacks, so reps see them on the record types that use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 80))]
    pub(crate) sales_process: Option<String>,
}

/// HubSpot settings for the whole playbook.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HubspotPlaybook {
    /// Id of the deal pipeline in HubSpot, once it exists: `crm diff` picks it from the
    /// pipelines response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub(crate) pipeline_id: Option<String>,
    /// Position of the pipeline among the account's deal pipelines. Default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32")]
    pub(crate) display_order: Option<u32>,
}

/// Pipedrive settings for the whole playbook.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PipedrivePlaybook {
    /// Id of the pipeline in Pipedrive, once it exists: written into the stage bodies, and used
    /// by `crm diff` to pick the pipeline's stages from the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u64", range(min = 1))]
    pub(crate) pipeline_id: Option<u64>,
    /// Whether Pipedrive marks deals as rotting when they sit in a stage longer than its
    /// `expected_duration` (rounded up to whole days). Default: `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub(crate) rotting: Option<bool>,
}

/// Stage settings only one CRM understands.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StageCrm {
    /// Salesforce settings for this stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "SalesforceStage")]
    pub(crate) salesforce: Option<SalesforceStage>,
    /// HubSpot settings for this stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "HubspotStage")]
    pub(crate) hubspot: Option<HubspotStage>,
    /// Pipedrive settings for this stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "PipedriveStage")]
    pub(crate) pipedrive: Option<PipedriveStage>,
}

/// Salesforce settings for one stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SalesforceStage {
    /// Opportunity fields shown as "key fields" on this step of the Sales Path (API names, e.g.
    /// `Amount`, `NextStep`). Salesforce shows at most five.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) key_fields: Vec<SalesforceField>,
}

/// An API name of a Salesforce field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub(crate) struct SalesforceField(
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_]{0,79}$"))] pub(crate) String,
);

/// HubSpot settings for one stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HubspotStage {
    /// Internal id of the stage in HubSpot, once it exists (e.g. `appointmentscheduled`).
    /// Sent as `stageId` and used by `crm diff` to recognise a renamed stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub(crate) stage_id: Option<String>,
}

/// Pipedrive settings for one stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PipedriveStage {
    /// Days without progress before Pipedrive marks a deal in this stage as rotting. Default:
    /// the stage's `expected_duration`, rounded up to whole days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32", range(min = 1, max = 3650))]
    pub(crate) rotten_days: Option<u32>,
}

/// The buyer's side of a stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BuyerView {
    /// What hurts the buyer at this point, in their words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) pains: Vec<String>,
    /// What the buyer asks at this point.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) questions: Vec<String>,
}

impl BuyerView {
    /// Whether neither pains nor questions are written.
    pub(crate) fn is_empty(&self) -> bool {
        self.pains.is_empty() && self.questions.is_empty()
    }
}

/// Something the rep does in a stage.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Activity {
    /// The action, e.g. "Send a tailored outreach email".
    #[schemars(length(min = 1))]
    pub(crate) action: String,
    /// How the rep does it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Channel")]
    pub(crate) channel: Option<Channel>,
    /// How many times, e.g. `3` calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub(crate) count: Option<u32>,
    /// A good idea, not a must: printed as optional, no box to tick on the checklist.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) optional: bool,
    /// How soon after the deal enters the stage it must be done: `24h`, `2d`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Duration")]
    pub(crate) sla: Option<Duration>,
    /// The role that does it, when not the stage's owner, e.g. `se` for a technical demo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) owner: Option<Id>,
    /// Lint findings switched off for this activity, with the reason why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "LintAllow")]
    pub(crate) lint: Option<LintAllow>,
}

/// How an activity reaches the buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Channel {
    /// Email.
    Email,
    /// Phone call.
    Phone,
    /// Video call.
    VideoCall,
    /// Meeting in person.
    Meeting,
    /// Chat or instant message (WeChat, Slack …).
    Chat,
    /// Social network (LinkedIn …).
    Social,
    /// Letter or parcel.
    Mail,
    /// Event, trade show or dinner.
    Event,
    /// Work in the CRM (updating fields, logging calls).
    Crm,
    /// Preparation done alone (research, planning).
    Research,
}

/// A talk track (`situation` + `script`) or an objection with its answer (`objection` +
/// `response`), never both in one item: a page shows an item as one or the other, so a mixed
/// item would lose half of what it says.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend(
    "oneOf" = [
        {
            "title": "talk track",
            "required": ["situation", "script"],
            "not": { "anyOf": [{ "required": ["objection"] }, { "required": ["response"] }] }
        },
        {
            "title": "objection",
            "required": ["objection"],
            "not": { "anyOf": [{ "required": ["situation"] }, { "required": ["script"] }] }
        }
    ]
))]
pub(crate) struct Say {
    /// When to use this talk track, e.g. "Opening a cold call".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) situation: Option<String>,
    /// What to say in that situation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) script: Option<String>,
    /// An objection the buyer raises, in their words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) objection: Option<String>,
    /// How to answer the objection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) response: Option<String>,
    /// The kind of buyer this is for, e.g. "CFO" or "IT".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) audience: Option<String>,
    /// Lint findings switched off for this item, with the reason why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "LintAllow")]
    pub(crate) lint: Option<LintAllow>,
}

/// Something that must happen before a deal leaves the stage.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExitEvent {
    /// What the buyer does, e.g. "Buyer accepts a discovery meeting".
    #[schemars(length(min = 1))]
    pub(crate) event: String,
    /// How anyone can check it happened, e.g. "Meeting on the calendar, logged in the CRM".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) evidence: Option<String>,
    /// The role that confirms it happened, when not the stage's owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) owner: Option<Id>,
    /// Lint findings switched off for this exit event, with the reason why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "LintAllow")]
    pub(crate) lint: Option<LintAllow>,
}

/// A CRM field the rep fills in before the deal moves on.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RequiredField {
    /// The name reps read: `Amount`, `Close reason`.
    pub(crate) field: String,
    /// The Salesforce field's API name, when it is not `field`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) salesforce: Option<String>,
    /// The HubSpot property's internal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) hubspot: Option<String>,
    /// The Pipedrive field's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) pipedrive: Option<String>,
}

impl<'de> Deserialize<'de> for RequiredField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Mapped {
            field: String,
            #[serde(default)]
            salesforce: Option<String>,
            #[serde(default)]
            hubspot: Option<String>,
            #[serde(default)]
            pipedrive: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Name(String),
            Mapped(Mapped),
        }
        Ok(match Written::deserialize(deserializer)? {
            Written::Name(field) => Self {
                field,
                salesforce: None,
                hubspot: None,
                pipedrive: None,
            },
            Written::Mapped(m) => Self {
                field: m.field,
                salesforce: m.salesforce,
                hubspot: m.hubspot,
                pipedrive: m.pipedrive,
            },
        })
    }
}

impl JsonSchema for RequiredField {
    fn schema_name() -> Cow<'static, str> {
        "required_field".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let name = json_schema!({ "type": "string", "minLength": 1 });
        json_schema!({
            "description": "A CRM field filled in before the deal moves on: its name, or the name with each CRM's own.",
            "anyOf": [
                name,
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["field"],
                    "properties": {
                        "field": { "description": "The name reps read: `Amount`, `Close reason`.", "type": "string", "minLength": 1 },
                        "salesforce": { "description": "The Salesforce field's API name (`Loss_Reason__c`).", "type": "string", "minLength": 1 },
                        "hubspot": { "description": "The HubSpot property's internal name (`closed_lost_reason`).", "type": "string", "minLength": 1 },
                        "pipedrive": { "description": "The Pipedrive field's key.", "type": "string", "minLength": 1 }
                    }
                }
            ],
            "examples": ["Amount", { "field": "Close reason", "salesforce": "Loss_Reason__c", "hubspot": "closed_lost_reason" }]
        })
    }
}

/// An internal gate: someone in the seller's company approves before the deal moves on.
// `approval` is the key authors write (`- approval: Deal Desk approves the quote`).
#[allow(clippy::struct_field_names)]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Approval {
    /// What is approved, e.g. "Deal Desk approves the quote", "Finance approves the discount".
    #[schemars(length(min = 1))]
    pub(crate) approval: String,
    /// Who approves: a team or role, e.g. `Deal Desk`, `Finance`, `Sales Engineer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub(crate) approver: Option<String>,
    /// The role that asks for the approval, when not the stage's owner, e.g. `ae`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) owner: Option<Id>,
}

/// Switches lint rules off for one place, with the reason why.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LintAllow {
    /// Ids of the rules to switch off here, e.g. `[missing-content]`.
    #[schemars(length(min = 1))]
    pub(crate) allow: Vec<String>,
    /// Why the rules do not apply here (required, so the next reader knows).
    #[schemars(length(min = 1))]
    pub(crate) reason: String,
}

/// A stage or content id: lowercase letters, digits, `-` and `_`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Id(pub(crate) String);

impl Id {
    /// The id as text.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl JsonSchema for Id {
    fn schema_name() -> Cow<'static, str> {
        "id".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": ID_PATTERN,
            "description": "Lowercase letters, digits, `-` and `_`, e.g. `discovery`.",
            "examples": ["discovery", "demo", "closed-won"]
        })
    }
}

/// The stages a deal moves to: one id, or a list for a branch, each an id or a stage with the
/// condition under which deals take it (`{stage: tender, when: "SOE or government buyer"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Next(pub(crate) Vec<Branch>);

/// One way out of a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Branch {
    /// The stage the deal moves to.
    pub(crate) stage: Id,
    /// When deals take this way, in the rep's words; none for the usual way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) when: Option<String>,
}

impl Next {
    /// Whether no next stage is written.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The ids of the next stages, in the order written.
    pub(crate) fn ids(&self) -> impl Iterator<Item = &Id> {
        self.0.iter().map(|b| &b.stage)
    }

    /// The ids in the order the main path tries them: the usual ways (no `when`) first, then
    /// the conditional ones, each in the order written.
    pub(crate) fn main_order(&self) -> impl Iterator<Item = &Id> {
        let usual = self.0.iter().filter(|b| b.when.is_none());
        let conditional = self.0.iter().filter(|b| b.when.is_some());
        usual.chain(conditional).map(|b| &b.stage)
    }
}

impl Serialize for Next {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(untagged)]
        enum Written<'a> {
            Id(&'a Id),
            Branch(&'a Branch),
        }
        serializer.collect_seq(self.0.iter().map(|b| match b.when {
            None => Written::Id(&b.stage),
            Some(_) => Written::Branch(b),
        }))
    }
}

impl<'de> Deserialize<'de> for Next {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Item {
            Id(Id),
            Branch(Branch),
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(Id),
            Many(Vec<Item>),
        }
        let branch = |stage| Branch { stage, when: None };
        Ok(match OneOrMany::deserialize(deserializer)? {
            OneOrMany::One(id) => Self(vec![branch(id)]),
            OneOrMany::Many(items) => Self(
                items
                    .into_iter()
                    .map(|item| match item {
                        Item::Id(id) => branch(id),
                        Item::Branch(b) => b,
                    })
                    .collect(),
            ),
        })
    }
}

impl JsonSchema for Next {
    fn schema_name() -> Cow<'static, str> {
        "next".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let id = generator.subschema_for::<Id>();
        let item = json_schema!({
            "anyOf": [
                id,
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["stage", "when"],
                    "properties": {
                        "stage": id,
                        "when": { "description": "When deals take this way, in the rep's words: \"SOE or government buyer\".", "type": "string", "minLength": 1 }
                    }
                }
            ]
        });
        json_schema!({
            "description": "One stage id, or a list for a branch: stage ids, or `{stage, when}` for a way deals take only under a condition.",
            "anyOf": [
                id,
                { "type": "array", "items": item, "minItems": 1, "uniqueItems": true }
            ],
            "examples": ["discovery", ["proposal", "lost"], ["proposal", { "stage": "tender", "when": "SOE or government buyer" }]]
        })
    }
}

/// The JSON Schema of the playbook format, as committed in `schemas/playbook.schema.json`.
pub fn schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(PlaybookFile))
        .expect("a generated schema is valid JSON");
    // A variant (`extends`) writes only the stage fields it changes, so a stage's `name` is
    // required only in a playbook that extends none: an editor checking a variant file alone
    // then asks for nothing it does not need. (`stagebook check` validates the variant merged
    // with its base, whose stages all have names.)
    if let Some(required) = schema
        .pointer_mut("/$defs/Stage/required")
        .and_then(serde_json::Value::as_array_mut)
    {
        required.retain(|field| field != "name");
    }
    if let Some(object) = schema.as_object_mut() {
        object.insert(
            "$id".into(),
            "https://stagebook.dev/schemas/playbook.schema.json".into(),
        );
        object.insert(
            "if".into(),
            serde_json::json!({ "not": { "required": ["extends"] } }),
        );
        object.insert(
            "then".into(),
            serde_json::json!({ "properties": { "stages": { "items": { "required": ["name"] } } } }),
        );
    }
    drop_rust_formats(&mut schema);
    schema
}

/// Removes the `format` values schemars derives from Rust integer types (`uint32` …): they
/// are not JSON Schema formats, and strict validators such as ajv reject the whole schema
/// for them. The `minimum`/`maximum` beside them already say what is allowed.
fn drop_rust_formats(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(map) => {
            let rust_format = map
                .get("format")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|f| {
                    matches!(
                        f,
                        "uint"
                            | "uint8"
                            | "uint16"
                            | "uint32"
                            | "uint64"
                            | "int8"
                            | "int16"
                            | "int32"
                            | "int64"
                            | "float"
                            | "double"
                    )
                });
            if rust_format {
                map.remove("format");
            }
            map.values_mut().for_each(drop_rust_formats);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_rust_formats),
        _ => {}
    }
}

//! Render stage: the stage flow as a picture — an SVG diagram for HTML and a Mermaid flowchart
//! for Markdown, both drawn from the same list of stages and edges.
//!
//! Layout: one stage per row, in process order, terminal stages last. An edge to the next row
//! is a straight arrow; any other forward edge runs down a lane on the right, and an edge back
//! to an earlier stage (a `recycle` or a backward `next`) runs up a lane on the left. Edges to
//! the same stage share a lane, and lanes are reused where their spans do not overlap, so the
//! picture stays narrow even for long playbooks.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::locale;
use crate::emit::escape;
use crate::emit::svg::palette::{INK, LOST, MUTED, WON};
use crate::model::{Locale, Role, Stage, Terminal};

const BOX_W: u32 = 360;
const BOX_H: u32 = 52;
const PITCH: u32 = 84;
const LANE: u32 = 14;
const MARGIN: u32 = 16;
const TOP: u32 = 40;
const TERMINAL_INSET: u32 = 40;
/// Rows per printed window of a long flow (one A4 page each).
const ROWS_PER_PART: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Next,
    Lost,
    Recycle,
}

#[derive(Debug, Clone, Copy)]
struct Edge<'a> {
    from: usize,
    to: usize,
    kind: Kind,
    branch: bool,
    /// The branch's `when` condition.
    when: Option<&'a str>,
}

/// The stages in drawing order and every edge between them, by row.
struct Graph<'a> {
    stages: Vec<&'a Stage>,
    edges: Vec<Edge<'a>>,
    /// Each stage's owner, as the picture names it ([`short_role`]).
    owners: Vec<Option<String>>,
}

impl<'a> Graph<'a> {
    fn new(stages: &[&'a Stage], roles: &'a [Role]) -> Self {
        let row: BTreeMap<&str, usize> = stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let mut edges = Vec::new();
        for (from, stage) in stages.iter().enumerate() {
            let branch = stage.next.0.len() > 1;
            for b in &stage.next.0 {
                if let Some(&to) = row.get(b.stage.as_str()).filter(|&&to| to != from) {
                    let kind = if stages[to].terminal.is_some_and(|t| !t.is_won()) {
                        Kind::Lost
                    } else {
                        Kind::Next
                    };
                    edges.push(Edge {
                        from,
                        to,
                        kind,
                        branch,
                        when: b.when.as_deref(),
                    });
                }
            }
            for id in &stage.recycle {
                if let Some(&to) = row.get(id.as_str()).filter(|&&to| to != from) {
                    edges.push(Edge {
                        from,
                        to,
                        kind: Kind::Recycle,
                        branch: false,
                        when: None,
                    });
                }
            }
        }
        let owners = stages
            .iter()
            .map(|s| {
                let owner = s.owner.as_ref()?;
                let name = roles
                    .iter()
                    .find(|r| r.id == *owner)
                    .map_or(owner.as_str(), |r| r.name.as_str());
                Some(short_role(name, owner.as_str()))
            })
            .collect();
        Self {
            stages: stages.to_vec(),
            edges,
            owners,
        }
    }

    /// For each row, the owners of the stages whose `next` leads to it that are not its own:
    /// the deal changes hands on the way in.
    fn handoffs(&self) -> Vec<Vec<&str>> {
        let mut from: Vec<Vec<&str>> = vec![Vec::new(); self.stages.len()];
        for edge in self.edges.iter().filter(|e| self.hands_over(e)) {
            if let Some(before) = self.owners[edge.from].as_deref()
                && !from[edge.to].contains(&before)
            {
                from[edge.to].push(before);
            }
        }
        from
    }

    /// Whether a deal following `edge` changes hands.
    fn hands_over(&self, edge: &Edge) -> bool {
        edge.kind == Kind::Next && self.stages[edge.from].hands_over_to(self.stages[edge.to])
    }
}

/// One vertical lane: the target it leads to, its side and its rows.
struct Lane<'a> {
    to: usize,
    left: bool,
    kind: Kind,
    lo: usize,
    hi: usize,
    slot: u32,
    /// Rows leading into the lane: the row, whether it branches, the branch's condition.
    sources: Vec<(usize, bool, Option<&'a str>)>,
}

fn assign_lanes<'a>(graph: &Graph<'a>) -> Vec<Lane<'a>> {
    let mut lanes: BTreeMap<(bool, usize, Kind), Lane> = BTreeMap::new();
    for edge in &graph.edges {
        if edge.to == edge.from + 1 && edge.kind != Kind::Recycle {
            continue;
        }
        let left = edge.to < edge.from;
        let lane = lanes.entry((left, edge.to, edge.kind)).or_insert(Lane {
            to: edge.to,
            left,
            kind: edge.kind,
            lo: edge.to,
            hi: edge.to,
            slot: 0,
            sources: Vec::new(),
        });
        lane.lo = lane.lo.min(edge.from);
        lane.hi = lane.hi.max(edge.from);
        lane.sources.push((edge.from, edge.branch, edge.when));
    }
    let mut lanes: Vec<Lane> = lanes.into_values().collect();
    lanes.sort_by_key(|l| (l.left, l.lo, l.hi, l.to, l.kind));
    // Greedy interval colouring per side: the first slot whose last span ended before ours.
    let mut ends: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for lane in &mut lanes {
        let side = &mut ends[usize::from(lane.left)];
        let slot = side.iter().position(|&end| end < lane.lo);
        let slot = slot.unwrap_or_else(|| {
            side.push(0);
            side.len() - 1
        });
        side[slot] = lane.hi;
        lane.slot = u32::try_from(slot).unwrap_or(u32::MAX);
    }
    lanes
}

/// Roughly how wide `text` is at `size` px: CJK and other wide characters take a full em.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if is_wide(c) { size } else { size * 0.56 })
        .sum()
}

fn is_wide(c: char) -> bool {
    matches!(u32::from(c), 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// `text` cut to fit `width` px at `size` px, with an ellipsis when cut.
fn fit(text: &str, size: f64, width: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = text_width("…", size);
    for c in text.chars() {
        used += text_width(c.encode_utf8(&mut [0; 4]), size);
        if used > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// The stage flow as an inline SVG element (already escaped; safe to insert into HTML).
#[allow(clippy::many_single_char_names, clippy::single_match_else)]
pub(crate) fn svg(stages: &[&Stage], roles: &[Role], locale: Locale) -> String {
    let graph = Graph::new(stages, roles);
    let handoffs = graph.handoffs();
    let lanes = assign_lanes(&graph);
    let t = locale::labels(locale);
    let count = |left: bool| {
        lanes
            .iter()
            .filter(|l| l.left == left)
            .map(|l| l.slot + 1)
            .max()
            .unwrap_or(0)
    };
    let (left_lanes, right_lanes) = (count(true), count(false));
    let box_x = MARGIN + 8 + left_lanes * LANE;
    let width = box_x + BOX_W + 8 + right_lanes * LANE + MARGIN;
    let rows = u32::try_from(graph.stages.len()).unwrap_or(u32::MAX);
    let legend_y = TOP + rows * PITCH;
    let cx = box_x + BOX_W / 2;
    let top = |row: usize| TOP + u32::try_from(row).unwrap_or(u32::MAX) * PITCH;
    let lane_x = |lane: &Lane| {
        if lane.left {
            box_x - 8 - lane.slot * LANE - LANE / 2
        } else {
            box_x + BOX_W + 8 + lane.slot * LANE + LANE / 2
        }
    };

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{INK}"/></marker><marker id="arrow-lost" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{LOST}"/></marker><marker id="arrow-back" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{MUTED}"/></marker><marker id="fork" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="8" markerHeight="8"><path d="M5 0L10 5L5 10L0 5z" fill="white" stroke="{INK}" stroke-width="1.5"/></marker></defs>"#
    );
    // Entry arrow.
    if !graph.stages.is_empty() {
        let _ = write!(
            s,
            r#"<g class="entry"><line x1="{cx}" y1="8" x2="{cx}" y2="{}" stroke="{INK}" stroke-width="1.5" marker-end="url(#arrow)"/><text x="{}" y="20" font-size="11" fill="{MUTED}">{}</text></g>"#,
            TOP - 2,
            cx + 8,
            escape::xml(t["entry"])
        );
    }
    // Boxes.
    for (row, stage) in graph.stages.iter().enumerate() {
        let y = top(row);
        let name = &stage.name;
        let _ = write!(
            s,
            r#"<g class="stage"><title>{}</title>"#,
            escape::xml(name)
        );
        match stage.terminal {
            Some(terminal) => {
                let (fill, stroke, text, mark, dash) = match terminal {
                    Terminal::Won => (WON, WON, "white", "✓", ""),
                    _ => ("white", LOST, LOST, "✕", r#" stroke-dasharray="6 4""#),
                };
                let w = BOX_W - 2 * TERMINAL_INSET;
                let label = fit(&format!("{mark} {name}"), 15.0, f64::from(w - 24));
                let _ = write!(
                    s,
                    r#"<rect x="{}" y="{y}" width="{w}" height="{BOX_H}" rx="26" fill="{fill}" stroke="{stroke}" stroke-width="2"{dash}/><text x="{cx}" y="{}" text-anchor="middle" font-size="15" font-weight="700" fill="{text}">{}</text>"#,
                    cx - w / 2,
                    y + 31,
                    escape::xml(&label)
                );
            }
            None => {
                let number = super::context::own_number(name)
                    .map_or_else(|| (row + 1).to_string(), str::to_owned);
                // The owner at the box's right end; the name gets what is left.
                let owner = graph.owners[row].as_deref().map(|o| fit(o, 11.0, 110.0));
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let owner_w = owner
                    .as_deref()
                    .map_or(0, |o| text_width(o, 11.0) as u32 + 16);
                let label = fit(name, 15.0, f64::from(BOX_W - 64 - owner_w));
                let _ = write!(
                    s,
                    r#"<rect x="{box_x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="white" stroke="{INK}" stroke-width="1.5"/><circle cx="{}" cy="{}" r="13" fill="{INK}"/><text x="{}" y="{}" text-anchor="middle" font-size="13" font-weight="700" fill="white">{number}</text>"#,
                    box_x + 24,
                    y + BOX_H / 2,
                    box_x + 24,
                    y + BOX_H / 2 + 5,
                );
                let detail = stage
                    .expected_duration
                    .map(|d| format!("≈ {}", locale::duration(locale, d)));
                let name_y = if detail.is_some() { y + 23 } else { y + 31 };
                let _ = write!(
                    s,
                    r#"<text x="{}" y="{name_y}" font-size="15" font-weight="700" fill="{INK}">{}</text>"#,
                    box_x + 48,
                    escape::xml(&label)
                );
                if let Some(detail) = detail {
                    let _ = write!(
                        s,
                        r#"<text x="{}" y="{}" font-size="12" fill="{MUTED}">{}</text>"#,
                        box_x + 48,
                        y + 41,
                        escape::xml(&detail)
                    );
                }
                if let Some(owner) = owner {
                    let _ = write!(
                        s,
                        r#"<text class="owner" x="{}" y="{}" text-anchor="end" font-size="11" font-weight="700" fill="{MUTED}">{}</text>"#,
                        box_x + BOX_W - 10,
                        y + 31,
                        escape::xml(&owner)
                    );
                }
            }
        }
        s.push_str("</g>");
        // Another way in (`entry: true`): a short arrow into the box's left part.
        if row > 0 && stage.entry {
            let x = box_x + 60;
            let _ = write!(
                s,
                r#"<g class="entry"><line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{INK}" stroke-width="1.5" marker-end="url(#arrow)"/><text x="{}" y="{}" font-size="11" fill="{MUTED}">{}</text></g>"#,
                y - 28,
                y - 2,
                x + 8,
                y - 12,
                escape::xml(&fit(t["entry"], 11.0, f64::from(BOX_W / 2 - 70)))
            );
        }
        if !handoffs[row].is_empty() {
            let text = format!(
                "⇄ {} → {}",
                handoffs[row].join(t["sep"]),
                graph.owners[row].as_deref().unwrap_or_default()
            );
            let _ = write!(
                s,
                r#"<text class="handoff" x="{}" y="{}" font-size="11" font-weight="700" fill="{INK}">{}</text>"#,
                cx + 10,
                y - 12,
                escape::xml(&fit(&text, 11.0, f64::from(BOX_W / 2 - 14)))
            );
        }
    }
    // Edges after boxes: they never cross a box, and branch markers must stay visible.
    s.push_str(r#"<g class="edges" fill="none" stroke-width="1.5">"#);
    for edge in &graph.edges {
        if edge.to == edge.from + 1 && edge.kind != Kind::Recycle {
            let (stroke, marker, dash) = style(edge.kind);
            let _ = write!(
                s,
                r#"<line x1="{cx}" y1="{}" x2="{cx}" y2="{}" stroke="{stroke}" marker-end="url(#{marker})"{dash}{}{}"#,
                top(edge.from) + BOX_H,
                top(edge.to) - 2,
                if edge.branch {
                    r#" marker-start="url(#fork)""#
                } else {
                    ""
                },
                close("line", edge.when)
            );
        }
    }
    for lane in &lanes {
        let (stroke, marker, dash) = style(lane.kind);
        let x = lane_x(lane);
        // Terminal boxes are narrower than stage boxes.
        let inset = if graph.stages[lane.to].is_terminal() {
            TERMINAL_INSET
        } else {
            0
        };
        let side_x = if lane.left { box_x } else { box_x + BOX_W };
        let target_x = if lane.left {
            box_x + inset - 2
        } else {
            box_x + BOX_W - inset + 2
        };
        let mid = top(lane.to) + BOX_H / 2;
        let into_y = if lane.left { mid - 8 } else { mid + 10 };
        let mut ys = vec![into_y];
        let mut d = String::new();
        for &(from, branch, when) in &lane.sources {
            let mid = top(from) + BOX_H / 2;
            let y = if lane.left {
                mid + 8
            } else {
                mid - 12 + lane.slot % 3 * 4
            };
            ys.push(y);
            let _ = write!(
                s,
                r#"<path d="M{side_x} {y}H{x}" stroke="{stroke}"{dash}{}{}"#,
                if branch {
                    r#" marker-start="url(#fork)""#
                } else {
                    ""
                },
                close("path", when)
            );
        }
        let (lo, hi) = (
            ys.iter().copied().min().unwrap_or(0),
            ys.iter().copied().max().unwrap_or(0),
        );
        let _ = write!(d, "M{x} {lo}V{hi}");
        let _ = write!(
            s,
            r#"<path d="{d}" stroke="{stroke}"{dash}/><path d="M{x} {into_y}H{target_x}" stroke="{stroke}" marker-end="url(#{marker})"{dash}/>"#
        );
    }
    s.push_str("</g>");
    // Legend.
    let mut x = MARGIN;
    let ly = legend_y + 8;
    let _ = write!(s, r#"<g class="legend" font-size="11" fill="{MUTED}">"#);
    let has = |kind: Kind, branch: bool| {
        graph
            .edges
            .iter()
            .any(|e| e.kind == kind && (!branch || e.branch))
    };
    let items = [
        (t["legend_branch"], Kind::Next, true),
        (t["legend_lost"], Kind::Lost, false),
        (t["legend_recycle"], Kind::Recycle, false),
    ];
    let mut ly = ly;
    for (label, kind, fork) in items {
        if !has(kind, fork) {
            continue;
        }
        // Float widths are small and positive: truncation is the intent.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let advance = 40 + text_width(label, 11.0) as u32 + 18;
        if x > MARGIN && x + advance > width {
            x = MARGIN;
            ly += 18;
        }
        let (stroke, marker, dash) = style(kind);
        let _ = write!(
            s,
            r#"<path d="M{} {ly}H{}" stroke="{stroke}" stroke-width="1.5" fill="none" marker-end="url(#{marker})"{dash}{}/><text x="{}" y="{}">{}</text>"#,
            x + 4,
            x + 34,
            if fork {
                r#" marker-start="url(#fork)""#
            } else {
                ""
            },
            x + 40,
            ly + 4,
            escape::xml(label)
        );
        x += advance;
    }
    if handoffs.iter().any(|h| !h.is_empty()) {
        let label = t["legend_handoff"];
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let advance = 40 + text_width(label, 11.0) as u32 + 18;
        if x > MARGIN && x + advance > width {
            x = MARGIN;
            ly += 18;
        }
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-weight="700" fill="{INK}">⇄</text><text x="{}" y="{}">{}</text>"#,
            x + 12,
            ly + 4,
            x + 40,
            ly + 4,
            escape::xml(label)
        );
    }
    s.push_str("</g></svg>");
    let height = ly + 22;
    s.truncate(s.len() - "</svg>".len());
    let title = escape::xml(t["flow_alt"]);
    if rows <= ROWS_PER_PART {
        return format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="flow" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="flow-title"><title id="flow-title">{title}</title>{s}</svg>"#
        );
    }
    // A long flow is one drawing shown through several windows of ROWS_PER_PART rows each, so
    // that print can put each window on a page; later windows reuse the first one's drawing.
    let mut svg = String::with_capacity(s.len() + 300);
    let mut y0 = 0;
    let mut part = 0;
    while y0 < height {
        part += ROWS_PER_PART;
        let y1 = if part >= rows {
            height
        } else {
            TOP + part * PITCH - (PITCH - BOX_H) / 2
        };
        let h = y1 - y0;
        if y0 == 0 {
            let _ = write!(
                svg,
                r#"<svg xmlns="http://www.w3.org/2000/svg" class="flow flow-part" viewBox="0 0 {width} {h}" width="{width}" height="{h}" role="img" aria-labelledby="flow-title"><title id="flow-title">{title}</title><g id="flow-drawing">{s}</g></svg>"#
            );
        } else {
            let _ = write!(
                svg,
                r##"<svg xmlns="http://www.w3.org/2000/svg" class="flow flow-part" viewBox="0 {y0} {width} {h}" width="{width}" height="{h}" aria-hidden="true"><use href="#flow-drawing"/></svg>"##
            );
        }
        y0 = y1;
    }
    svg
}

/// A role as the picture names it: its name when short ("售前工程师", "Deal Desk"), else its id
/// in capitals ("Account Executive" → `AE`), so stage names keep their room.
fn short_role(name: &str, id: &str) -> String {
    if text_width(name, 11.0) <= 80.0 {
        name.to_owned()
    } else {
        id.to_uppercase()
    }
}

/// Closes an edge's `element`, with the branch's condition as its tooltip.
fn close(element: &str, when: Option<&str>) -> String {
    when.map_or_else(
        || "/>".to_owned(),
        |w| format!("><title>{}</title></{element}>", escape::xml(w)),
    )
}

fn style(kind: Kind) -> (&'static str, &'static str, &'static str) {
    match kind {
        Kind::Next => (INK, "arrow", ""),
        Kind::Lost => (LOST, "arrow-lost", r#" stroke-dasharray="6 4""#),
        Kind::Recycle => (MUTED, "arrow-back", r#" stroke-dasharray="2 3""#),
    }
}

/// The stage flow as a Mermaid flowchart (without the code fence).
pub(crate) fn mermaid(stages: &[&Stage], roles: &[Role], locale: Locale) -> String {
    let graph = Graph::new(stages, roles);
    let mut s = String::from("flowchart TD\n");
    for (row, stage) in graph.stages.iter().enumerate() {
        let id = row + 1;
        let name = escape::mermaid(&stage.name);
        let _ = match stage.terminal {
            Some(Terminal::Won) => writeln!(s, "    s{id}([\"#10003; {name}\"]):::won"),
            Some(_) => writeln!(s, "    s{id}([\"#10005; {name}\"]):::lost"),
            None => {
                // A name with its own number (`0-Pending Acceptance`) is not numbered again.
                let mut label = if super::context::own_number(&stage.name).is_some() {
                    name.clone()
                } else {
                    format!("{id}. {name}")
                };
                if let Some(d) = stage.expected_duration {
                    let _ = write!(
                        label,
                        "<br/>#8776; {}",
                        escape::mermaid(&locale::duration(locale, d))
                    );
                }
                if let Some(owner) = &graph.owners[row] {
                    let _ = write!(label, "<br/>{}", escape::mermaid(owner));
                }
                writeln!(s, "    s{id}[\"{label}\"]")
            }
        };
    }
    for edge in &graph.edges {
        let arrow = match edge.kind {
            Kind::Next => "-->",
            Kind::Lost | Kind::Recycle => "-.->",
        };
        let mut label: Vec<String> = edge.when.map(escape::mermaid).into_iter().collect();
        if graph.hands_over(edge)
            && let Some(own) = &graph.owners[edge.to]
        {
            label.push(format!("#8644; {}", escape::mermaid(own)));
        }
        let label = if label.is_empty() {
            String::new()
        } else {
            format!("|\"{}\"|", label.join("<br/>"))
        };
        let _ = writeln!(s, "    s{} {arrow}{label} s{}", edge.from + 1, edge.to + 1);
    }
    let _ = writeln!(s, "    classDef won fill:{WON},stroke:{WON},color:#fff");
    let _ = writeln!(
        s,
        "    classDef lost fill:#fff,stroke:{LOST},color:{LOST},stroke-dasharray:6 4"
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_to_fit() {
        assert_eq!(fit("Short", 15.0, 200.0), "Short");
        let cut = fit(&"客户".repeat(40), 15.0, 150.0);
        assert!(cut.ends_with('…') && cut.chars().count() <= 10, "{cut}");
    }
}

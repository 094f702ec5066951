//! Suppressions written in the playbook: `lint: {allow: [rule-id], reason: "…"}` on the
//! playbook, a stage, a content item, or a `do` / `say` / `exit` item switches those rules off
//! for that node and everything inside it. A suppression that suppresses nothing is reported
//! (`unused-suppression`), so stale ones do not pile up.

use serde_json::Value;

use super::rules::unused_suppression::UnusedSuppression;
use super::{Finding, find_rule, registry};
use crate::diagnostic::{Diagnostic, Severity};
use crate::load::Document;
use crate::load::yaml::push_segment;
use crate::validate::did_you_mean;

/// One id in one `lint.allow` list.
#[derive(Debug)]
struct Site {
    /// The node the suppression is on, e.g. `/stages/2`.
    node: String,
    /// Index in its `allow` list.
    index: usize,
    rule: String,
    used: bool,
}

fn collect(value: &Value, pointer: &mut String, sites: &mut Vec<Site>) {
    match value {
        Value::Object(map) => {
            if let Some(allow) = map
                .get("lint")
                .and_then(|l| l.get("allow"))
                .and_then(Value::as_array)
            {
                for (index, rule) in allow.iter().enumerate() {
                    if let Some(rule) = rule.as_str() {
                        sites.push(Site {
                            node: pointer.clone(),
                            index,
                            rule: rule.to_string(),
                            used: false,
                        });
                    }
                }
            }
            for (key, child) in map {
                if key == "lint" {
                    continue;
                }
                let len = pointer.len();
                push_segment(pointer, key);
                collect(child, pointer, sites);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(itoa::Buffer::new().format(i));
                collect(child, pointer, sites);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Whether a suppression on `node` covers a finding at `pointer`. The playbook's own `lint`
/// (under `/playbook`) covers the whole file.
fn covers(node: &str, pointer: &str) -> bool {
    node == "/playbook"
        || pointer == node
        || (pointer.starts_with(node) && pointer.as_bytes().get(node.len()) == Some(&b'/'))
}

/// The suppression of `rule` nearest to `pointer`, if any covers it.
fn nearest(sites: &[Site], rule: &str, pointer: &str) -> Option<usize> {
    sites
        .iter()
        .enumerate()
        .filter(|(_, s)| s.rule == rule && covers(&s.node, pointer))
        .max_by_key(|(_, s)| {
            if s.node == "/playbook" {
                0
            } else {
                s.node.len()
            }
        })
        .map(|(i, _)| i)
}

/// Drops the findings a suppression covers, and adds one finding per suppression that
/// covered nothing.
pub(crate) fn apply(document: &Document, findings: Vec<Finding>) -> Vec<Finding> {
    // A suppression is a key `allow`, written out in some file of the document (or spelled
    // with escapes, which need a backslash): a document with neither has none to look for.
    let may_suppress = |text: &str| {
        memchr::memmem::find(text.as_bytes(), b"allow").is_some() || text.contains('\\')
    };
    if !document.files.iter().any(|file| may_suppress(file.text())) {
        return findings;
    }
    let mut sites = Vec::new();
    collect(&document.value, &mut String::new(), &mut sites);
    if sites.is_empty() {
        return findings;
    }
    let mut kept = Vec::with_capacity(findings.len());
    for finding in findings {
        if let Some(site) = nearest(&sites, &finding.diagnostic.code, &finding.pointer) {
            sites[site].used = true;
            continue;
        }
        let parts: Option<Vec<usize>> = if finding.parts.is_empty() {
            None
        } else {
            finding
                .parts
                .iter()
                .map(|part| nearest(&sites, &finding.diagnostic.code, part))
                .collect()
        };
        match parts {
            Some(used) => used.into_iter().for_each(|site| sites[site].used = true),
            None => kept.push(finding),
        }
    }
    let meta = &UnusedSuppression::META;
    for site in sites.iter().filter(|s| !s.used) {
        let pointer = format!("{}/lint/allow/{}", site.node, site.index);
        let label = document.label(&pointer, false);
        let diagnostic = if find_rule(&site.rule).is_some() {
            Diagnostic::new(
                Severity::Warning,
                meta.id,
                format!(
                    "`{}` is switched off here, but it finds nothing to report",
                    site.rule
                ),
                label,
            )
            .with_help(format!(
                "remove `{}` from this `lint.allow` list: the gap it excused has been fixed",
                site.rule
            ))
        } else {
            let help = match did_you_mean(&site.rule, registry().iter().map(|r| r.meta().id)) {
                Some(close) => {
                    format!("did you mean `{close}`? (`stagebook rules` lists every rule)")
                }
                None => "`stagebook rules` lists every rule".to_string(),
            };
            Diagnostic::new(
                Severity::Warning,
                meta.id,
                format!(
                    "`{}` is not a lint rule, so this suppression does nothing",
                    site.rule
                ),
                label,
            )
            .with_help(help)
        };
        kept.push(Finding {
            pointer,
            diagnostic,
            parts: Vec::new(),
        });
    }
    kept
}

//! Item-by-item comparison of the lists inside a stage (exit events, know / do / say, ids),
//! and which stages moved in the stage order.

use std::collections::HashSet;

use serde_json::Value;

use super::{Change, ChangeKind, compare_fields, object, text};

/// How alike two texts must be (normalised edit distance over characters, so Chinese counts
/// too) for a removed and an added item to be one reworded item.
const REWORD_SIMILARITY: f64 = 0.5;

/// The text that identifies a list item: the item itself, or its first present key field.
/// With several possible keys (`say`: a situation or an objection) the key's name is shown.
fn key_of(item: &Value, keys: &[&str]) -> String {
    if keys.is_empty() {
        return text(item);
    }
    for key in keys {
        if let Some(value) = item.get(*key) {
            return if keys.len() > 1 {
                format!("{key}: {}", text(value))
            } else {
                text(value)
            };
        }
    }
    text(item)
}

/// Compares two lists of texts, or of mappings identified by a key field: items added,
/// removed, reworded (a close rewording of a removed item), and changed fields of kept items.
pub(super) fn compare_texts(
    section: &str,
    old: &[Value],
    new: &[Value],
    keys: &[&str],
) -> Vec<Change> {
    let old_keys: Vec<String> = old.iter().map(|v| key_of(v, keys)).collect();
    let new_keys: Vec<String> = new.iter().map(|v| key_of(v, keys)).collect();
    let mut old_used = vec![false; old.len()];
    // For each NEW item: the OLD item it continues, and whether the words changed.
    let mut pairs: Vec<Option<(usize, bool)>> = vec![None; new.len()];
    for (n, key) in new_keys.iter().enumerate() {
        if let Some(o) = (0..old.len()).find(|&o| !old_used[o] && old_keys[o] == *key) {
            old_used[o] = true;
            pairs[n] = Some((o, false));
        }
    }
    let mut candidates = Vec::new();
    for (n, pair) in pairs.iter().enumerate() {
        if pair.is_some() {
            continue;
        }
        for (o, used) in old_used.iter().enumerate() {
            if !used {
                let score = strsim::normalized_levenshtein(
                    &old_keys[o].to_lowercase(),
                    &new_keys[n].to_lowercase(),
                );
                if score >= REWORD_SIMILARITY {
                    candidates.push((score, o, n));
                }
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (_, o, n) in candidates {
        if !old_used[o] && pairs[n].is_none() {
            old_used[o] = true;
            pairs[n] = Some((o, true));
        }
    }

    let mut changes = Vec::new();
    for (o, used) in old_used.iter().enumerate() {
        if !used {
            changes.push(Change::new(
                section,
                ChangeKind::Removed,
                Some(old_keys[o].clone()),
                None,
            ));
        }
    }
    for (n, pair) in pairs.iter().enumerate() {
        match *pair {
            None => {
                changes.push(Change::new(
                    section,
                    ChangeKind::Added,
                    None,
                    Some(new_keys[n].clone()),
                ));
                if !keys.is_empty() {
                    changes.extend(item_fields(
                        section,
                        &new_keys[n],
                        &Value::Null,
                        &new[n],
                        keys,
                    ));
                }
            }
            Some((o, reworded)) => {
                if reworded {
                    changes.push(Change::new(
                        section,
                        ChangeKind::Reworded,
                        Some(old_keys[o].clone()),
                        Some(new_keys[n].clone()),
                    ));
                }
                if !keys.is_empty() {
                    changes.extend(item_fields(section, &new_keys[n], &old[o], &new[n], keys));
                }
            }
        }
    }
    changes
}

/// Changes to the other fields of one list item (an exit event's evidence, an activity's
/// count …).
fn item_fields(section: &str, item: &str, old: &Value, new: &Value, keys: &[&str]) -> Vec<Change> {
    let mut changes = compare_fields(object(old), object(new), keys);
    for change in &mut changes {
        change.field = Some(std::mem::take(&mut change.section));
        change.section = section.to_string();
        change.item = Some(item.to_string());
    }
    changes
}

/// Compares two lists of ids: added and removed, in list order.
pub(super) fn compare_ids(section: &str, old: &[Value], new: &[Value]) -> Vec<Change> {
    let old_ids: Vec<String> = old.iter().map(reference).collect();
    let new_ids: Vec<String> = new.iter().map(reference).collect();
    let mut changes: Vec<Change> = old_ids
        .iter()
        .filter(|id| !new_ids.contains(id))
        .map(|id| Change::new(section, ChangeKind::Removed, Some(id.clone()), None))
        .collect();
    changes.extend(
        new_ids
            .iter()
            .filter(|id| !old_ids.contains(id))
            .map(|id| Change::new(section, ChangeKind::Added, None, Some(id.clone()))),
    );
    changes
}

/// An id list's item in words: the id, or for a `next` branch with a condition `proposal (when:
/// …)`.
fn reference(item: &Value) -> String {
    match (item.get("stage"), item.get("when")) {
        (Some(stage), Some(when)) => format!("{} (when: {})", text(stage), text(when)),
        _ => text(item),
    }
}

/// Stages kept on both sides that changed place: those outside a longest common subsequence of
/// the two orders (so moving one stage reports that stage, not every stage it jumped over).
pub(super) fn moved<'a>(old: &[&'a str], new: &[&'a str]) -> HashSet<&'a str> {
    let in_new: HashSet<&str> = new.iter().copied().collect();
    let in_old: HashSet<&str> = old.iter().copied().collect();
    let a: Vec<&str> = old
        .iter()
        .copied()
        .filter(|id| in_new.contains(id))
        .collect();
    let b: Vec<&str> = new
        .iter()
        .copied()
        .filter(|id| in_old.contains(id))
        .collect();
    let mut table = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i][j] = if a[i] == b[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let mut kept = HashSet::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            kept.insert(a[i]);
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    b.into_iter().filter(|id| !kept.contains(id)).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn values(v: &Value) -> Vec<Value> {
        v.as_array().unwrap().clone()
    }

    #[test]
    fn a_close_rewording_is_one_change_and_a_new_sentence_is_two() {
        let old = values(&json!([
            "The buyer accepts a discovery call",
            "Budget confirmed"
        ]));
        let new = values(&json!([
            "The buyer accepts a 30-minute discovery call",
            "Legal review starts"
        ]));
        let changes = compare_texts("exit", &old, &new, &[]);
        let kinds: Vec<ChangeKind> = changes.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ChangeKind::Removed, ChangeKind::Reworded, ChangeKind::Added]
        );
        assert_eq!(changes[0].old.as_deref(), Some("Budget confirmed"));
    }

    #[test]
    fn chinese_rewording_is_recognised() {
        let old = values(&json!(["客户同意演示"]));
        let new = values(&json!(["客户同意安排演示"]));
        let changes = compare_texts("exit", &old, &new, &[]);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].kind, ChangeKind::Reworded);
    }

    #[test]
    fn fields_of_kept_items_are_compared() {
        let old = values(&json!([{ "action": "Call", "count": 2 }]));
        let new = values(&json!([{ "action": "Call", "count": 3, "channel": "phone" }]));
        let changes = compare_texts("do", &old, &new, &["action"]);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].item.as_deref(), Some("Call"));
        assert_eq!(changes[0].field.as_deref(), Some("channel"));
        assert_eq!(changes[1].old.as_deref(), Some("2"));
    }

    #[test]
    fn a_branch_condition_reads_as_words() {
        let old = values(&json!(["proposal", "lost"]));
        let new = values(&json!([{ "stage": "proposal", "when": "SOE buyers" }, "lost"]));
        let changes = compare_ids("next", &old, &new);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].old.as_deref(), Some("proposal"));
        assert_eq!(
            changes[1].new.as_deref(),
            Some("proposal (when: SOE buyers)")
        );
    }

    #[test]
    fn moving_one_stage_reports_only_that_stage() {
        let moved = moved(&["a", "b", "c", "d"], &["a", "c", "d", "b"]);
        assert_eq!(moved, HashSet::from(["b"]));
        assert!(super::moved(&["a", "b"], &["a", "x", "b"]).is_empty());
    }
}

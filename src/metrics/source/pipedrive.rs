//! Pipedrive's deal flow (`GET /v1/deals/{id}/flow`): a deal's updates, newest first, of which
//! the `dealChange`s of `stage_id`, `add_time` and `status` are its stage history. Pipedrive
//! closes a deal by its status, not its stage: a change of status to `won` or `lost` is read as
//! the playbook's won or lost stage.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::json::{self, Entry, text_at};
use super::{
    Canonical, Closing, DEALS, DetailsFile, FirstStages, Prepared, SourceOptions, Unplaced,
};
use crate::metrics::Error;
use crate::metrics::history;
use crate::metrics::time::{Secs, Zone, parse_instant};

/// Stage names by id from a stages response (`GET /v1/stages`, given with `--stages`).
fn stage_names(path: &Path) -> Result<HashMap<String, String>, Error> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::new(format!("{shown}: cannot read: {e}")))?;
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| Error::new(format!("{shown}: not valid JSON: {e}")))?;
    let stages = value.get("data").unwrap_or(&value);
    let names: HashMap<String, String> = stages
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|stage| {
            Some((
                text_at(stage, "/id")?.into_owned(),
                text_at(stage, "/name")?.into_owned(),
            ))
        })
        .collect();
    if names.is_empty() {
        return Err(Error::new(format!(
            "{shown}: no stages in it\n  help: give --stages the response of GET /v1/stages"
        )));
    }
    Ok(names)
}

/// The instant of a Pipedrive time (`2026-01-20 15:05:00`, UTC in the API).
fn instant(text: &str) -> Result<Secs, Error> {
    parse_instant(text.as_bytes(), &Zone::utc())
        .map_err(|why| Error::new(format!("the time `{}` {why}", history::short(text))))
}

/// What reading the flow counted besides the stage changes.
#[derive(Debug, Default)]
struct Counts {
    /// Updates that are not deal changes (activities, notes, mails…).
    other_objects: u64,
    /// Changes of other fields (value, owner…).
    other_fields: u64,
    /// Deals won or lost whose closing stage the playbook lacks.
    unclosable: u64,
    /// Deals opened again after being won or lost.
    reopened: u64,
}

/// The deal flow: every `dealChange` of a stage, creation or status.
pub(super) fn flow(
    prepared: &mut Prepared,
    name: &str,
    options: &SourceOptions,
    closing: &Closing,
) -> Result<(), Error> {
    let names = options.stages.as_deref().map(stage_names).transpose()?;
    let stage = |id: &str| -> String {
        names
            .as_ref()
            .and_then(|n| n.get(id))
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    };
    let cannot = |e: std::io::Error| Error::new(format!("{name}: cannot read: {e}"));
    let file = std::fs::File::open(&prepared.path).map_err(cannot)?;
    let mut firsts = FirstStages::default();
    let mut counts = Counts::default();
    let mut unplaced = Unplaced::default();
    let mut details = DetailsFile::new(name, &prepared.read.budget.temp_dir)?;
    Canonical::write(prepared, name, |push| {
        json::read_items(file, name, &mut |entry| {
            let item = match entry {
                Entry::Item(item) => item,
                Entry::Page(page) => {
                    // The deals of the page as they are now: where a deal that never moved is.
                    let deals = page.get("related_objects").and_then(|r| r.get("deal"));
                    for (id, deal) in deals.and_then(Value::as_object).into_iter().flatten() {
                        if let Some(now) = text_at(deal, "/stage_id") {
                            firsts.now_in(id.as_bytes(), stage(&now).as_bytes());
                        }
                        let value =
                            text_at(deal, "/value").map(|value| match text_at(deal, "/currency") {
                                Some(currency) => format!("{value} {currency}"),
                                None => value.into_owned(),
                            });
                        let title = text_at(deal, "/title");
                        details.add(id, [title.as_deref(), None, value.as_deref()])?;
                    }
                    return Ok(());
                }
            };
            // A flow item wraps the change in `data`; a change saved alone is the change.
            let change = match item.get("object").and_then(Value::as_str) {
                Some("dealChange") => item.get("data").filter(|d| d.is_object()).unwrap_or(&item),
                Some(_) => {
                    counts.other_objects += 1;
                    return Ok(());
                }
                None => &item,
            };
            let Some(field) = text_at(change, "/field_key") else {
                counts.other_objects += 1;
                return Ok(());
            };
            let Some(deal) = text_at(change, "/item_id") else {
                return Err(Error::new(
                    "a change that does not name its deal (`item_id`): read the deal flow (GET /v1/deals/{id}/flow), whose changes do; the changelog's do not".to_owned(),
                ));
            };
            let at = text_at(change, "/log_time")
                .or_else(|| text_at(&item, "/timestamp"))
                .ok_or_else(|| Error::new(format!("deal {deal}: a change without `log_time`")))?;
            let when = instant(&at)?;
            let new = text_at(change, "/new_value").unwrap_or_default();
            match &*field {
                "stage_id" => {
                    push(deal.as_bytes(), stage(&new).as_bytes(), when)?;
                    let old = text_at(change, "/old_value").unwrap_or_default();
                    firsts.changed(deal.as_bytes(), when, stage(&old).as_bytes());
                }
                "add_time" => {
                    let created = if new.is_empty() { when } else { instant(&new)? };
                    firsts.created(deal.as_bytes(), created);
                }
                "status" => {
                    let closed = match &*new {
                        "won" => &closing.won,
                        "lost" => &closing.lost,
                        "open" => {
                            counts.reopened += 1;
                            return Ok(());
                        }
                        _ => return Ok(()),
                    };
                    match closed {
                        Some(id) => push(deal.as_bytes(), id.as_bytes(), when)?,
                        None => counts.unclosable += 1,
                    }
                }
                _ => counts.other_fields += 1,
            }
            Ok(())
        })?;
        unplaced = firsts.finish(push)?;
        Ok(())
    })?;
    details.finish(prepared)?;
    let mut warnings = unplaced.warnings(
        prepared,
        name,
        ["`add_time` change", "`add_time` 变更"],
        [
            "the deal itself (GET /v1/deals)",
            "交易本身（GET /v1/deals）",
        ],
    );
    let mut notes = Vec::new();
    let left = counts.other_objects + counts.other_fields;
    if left > 0 {
        notes.push(prepared.say(
            "note_not_changes",
            &[("updates", &prepared.count(left, ["update", "条更新"]))],
        ));
    }
    if names.is_none() {
        notes.push(prepared.say("note_pipedrive_ids", &[]));
    }
    if counts.unclosable > 0 {
        warnings.push(prepared.say(
            "warn_unclosable",
            &[
                (
                    "changes",
                    &prepared.count(counts.unclosable, ["status change", "次状态变更"]),
                ),
                ("name", &name),
            ],
        ));
    }
    if counts.reopened > 0 {
        warnings.push(prepared.say(
            "warn_reopened",
            &[
                ("deals", &prepared.count(counts.reopened, DEALS)),
                ("name", &name),
            ],
        ));
    }
    prepared.shape.notes.extend(notes);
    prepared.shape.warnings.extend(warnings);
    Ok(())
}

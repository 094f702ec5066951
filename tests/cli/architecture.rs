//! The layering written in `ARCHITECTURE.md` holds: each top-level module of `src/` imports
//! only the modules its row of the "Layers" table allows, and the imports between top-level
//! modules form no cycle. The table is read from the document itself, so the document and the
//! rule cannot drift apart.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Stands for "every module" in the table.
const EVERY: &str = "*";

/// `module → modules it may import`, from the table under `## Layers` in ARCHITECTURE.md.
fn allowed() -> BTreeMap<String, BTreeSet<String>> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .expect("ARCHITECTURE.md");
    let section = doc
        .split("\n## Layers")
        .nth(1)
        .expect("a `## Layers` section")
        .split("\n## ")
        .next()
        .unwrap_or_default();
    let mut table = BTreeMap::new();
    for row in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        let names = |cell: &str| -> BTreeSet<String> {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect()
        };
        let module = names(cells[0]).into_iter().next().expect("a module name");
        let may = cells.get(1).copied().unwrap_or_default();
        // The top of the tree (`cli`) may import "every module".
        let may = if may == "every module" {
            [EVERY.to_owned()].into()
        } else {
            names(may)
        };
        table.insert(module, may);
    }
    assert!(table.len() >= 10, "the Layers table lists only {table:?}");
    table
}

/// `module → top-level modules it names as crate::…`, from the source.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.expect("walk src/");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(&src).expect("inside src/");
        let first = relative.components().next().expect("a component");
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("read");
        // A file's unit tests (its `#[cfg(test)]` module, at the end by convention) may drive
        // the whole pipeline; the layers are about the code users run.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let used = graph.entry(module.clone()).or_default();
        for (at, _) in text.match_indices("crate::") {
            // `use crate::{a, b::c}` names several modules at once.
            let rest = &text[at + "crate::".len()..];
            let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                group[..end]
                    .split(',')
                    .filter_map(|item| item.trim().split("::").next())
                    .filter(|name| !name.is_empty())
                    .collect()
            } else {
                rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .into_iter()
                    .collect()
            };
            for name in names {
                let is_module = src.join(name).is_dir() || src.join(format!("{name}.rs")).is_file();
                if is_module && name != module {
                    used.insert(name.to_owned());
                }
            }
        }
    }
    graph
}

#[test]
fn every_import_follows_the_layers_in_architecture_md() {
    let allowed = allowed();
    let mut broken = Vec::new();
    for (module, used) in imports() {
        let Some(may) = allowed.get(&module) else {
            broken.push(format!(
                "`{module}` has no row in ARCHITECTURE.md's Layers table"
            ));
            continue;
        };
        if may.contains(EVERY) {
            continue;
        }
        for target in used.difference(may) {
            broken.push(format!(
                "`{module}` imports `{target}`, which its layer may not"
            ));
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// Depth-first search with colours: a grey node (`false`) reached again closes a cycle.
fn visit<'a>(
    node: &'a str,
    graph: &'a BTreeMap<String, BTreeSet<String>>,
    state: &mut BTreeMap<&'a str, bool>,
    path: &mut Vec<&'a str>,
) -> Option<Vec<String>> {
    match state.get(node) {
        Some(true) => return None,
        Some(false) => {
            let from = path.iter().position(|n| *n == node).unwrap_or(0);
            let mut cycle: Vec<String> = path[from..].iter().map(|n| (*n).to_owned()).collect();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        None => {}
    }
    state.insert(node, false);
    path.push(node);
    for next in graph.get(node).into_iter().flatten() {
        if let Some(cycle) = visit(next, graph, state, path) {
            return Some(cycle);
        }
    }
    path.pop();
    state.insert(node, true);
    None
}

#[test]
fn top_level_modules_import_each_other_without_cycles() {
    let graph = imports();
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut state, &mut Vec::new()) {
            panic!("import cycle: {}", cycle.join(" → "));
        }
    }
}

//! Validate stage: checks a loaded document against the playbook JSON Schema, turning every
//! schema error into a diagnostic in playbook terms at the exact key or value, then builds the
//! typed model and checks what a schema cannot express ([`structure`]).

mod hints;

pub(crate) use crate::diagnostic::did_you_mean;
pub(crate) mod structure;

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde::Deserialize;
use serde_json::Value;

use crate::diagnostic::{Code, Diagnostic, codes};
use crate::load::Document;
use crate::model::{self, PlaybookFile};

/// The compiled playbook schema, built once per process and shared by every thread.
pub(crate) struct SchemaValidator {
    schema: Value,
    validator: jsonschema::Validator,
}

impl SchemaValidator {
    /// The shared validator.
    pub(crate) fn get() -> &'static Self {
        static VALIDATOR: OnceLock<SchemaValidator> = OnceLock::new();
        VALIDATOR.get_or_init(|| {
            let schema = model::schema();
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .expect("the generated playbook schema compiles");
            Self { schema, validator }
        })
    }
}

/// Most schema findings reported for one file: past this, the file is probably not a playbook
/// at all, and a million findings would help nobody.
pub(crate) const MAX_SCHEMA_FINDINGS: usize = 200;

/// Validates `document`; returns the typed playbook when it is well-formed, and every problem.
pub fn validate(document: &Document) -> (Option<PlaybookFile>, Vec<Diagnostic>) {
    let schema = SchemaValidator::get();
    let mut diagnostics: Vec<Diagnostic> = schema
        .validator
        .iter_errors(&document.value)
        .flat_map(|error| describe(document, schema, &error))
        .take(MAX_SCHEMA_FINDINGS + 1)
        .collect();
    if diagnostics.len() > MAX_SCHEMA_FINDINGS {
        diagnostics.truncate(MAX_SCHEMA_FINDINGS);
        diagnostics.push(
            Diagnostic::of(
                codes::schema::TOO_MANY_FINDINGS,
                format!("stopped after {MAX_SCHEMA_FINDINGS} schema findings in this file"),
                document.label("", false),
            )
            .with_help(
                "fix the findings above and run the check again; is this file really a playbook?",
            ),
        );
    }
    let structural = structure::check(document);
    if !diagnostics.is_empty() || !structural.is_empty() {
        // One finding a value: `next: Pilot` is a malformed id, not also a missing stage (a
        // repeated id that does not exist is two problems, and stays two findings).
        let schema_spans: Vec<_> = diagnostics
            .iter()
            .filter(|d| {
                d.code == codes::schema::WRONG_TYPE || d.code == codes::schema::INVALID_VALUE
            })
            .map(|d| d.primary.span.clone())
            .collect();
        diagnostics.extend(structural.into_iter().filter(|d| {
            !schema_spans
                .iter()
                .any(|span| span.start <= d.primary.span.start && d.primary.span.end <= span.end)
        }));
        return (None, diagnostics);
    }
    match PlaybookFile::deserialize(&document.value) {
        Ok(playbook) => (Some(playbook), diagnostics),
        Err(error) => {
            // The schema is generated from the same types, so this means the two disagree.
            diagnostics.push(
                Diagnostic::of(
                    codes::schema::INVALID,
                    format!("the playbook could not be read: {error}"),
                    document.label("", false),
                )
                .with_help("this is a bug in stagebook: please report it with this playbook"),
            );
            (None, diagnostics)
        }
    }
}

/// A typed playbook built from a document that fails the schema, so that the lint rules can
/// still look at its sound parts: every value the schema rejects is taken out (an unknown or
/// malformed field removed, a missing one written empty) and the rest read as usual. `None`
/// when that does not give a playbook (a malformed list item, a stage that is not a block of
/// fields). Which findings on such a playbook can be trusted is the caller's business (see
/// `check`): only the broken places changed.
pub(crate) fn salvage(document: &Document) -> Option<PlaybookFile> {
    let schema = SchemaValidator::get();
    let mut value = document.value.clone();
    for error in schema
        .validator
        .iter_errors(&document.value)
        .take(MAX_SCHEMA_FINDINGS)
    {
        let pointer = error.instance_path().as_str();
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                let object = value.pointer_mut(pointer)?.as_object_mut()?;
                for key in unexpected {
                    object.remove(key);
                }
            }
            ValidationErrorKind::Required { property } => {
                let object = value.pointer_mut(pointer)?.as_object_mut()?;
                object.insert(property.as_str()?.to_owned(), Value::String(String::new()));
            }
            _ => {
                let (parent, key) = pointer.rsplit_once('/')?;
                let object = value.pointer_mut(parent)?.as_object_mut()?;
                object.remove(&unescape(key));
            }
        }
    }
    PlaybookFile::deserialize(&value).ok()
}

/// Where a pointer is, in words: "stage `demo`", "content `acme-story`", "playbook".
pub(crate) fn place(value: &Value, pointer: &str) -> String {
    let mut parts = pointer.split('/').skip(1);
    match (parts.next(), parts.next()) {
        (Some(list @ ("stages" | "content")), Some(index)) => {
            let what = if list == "stages" { "stage" } else { "content" };
            let id = index
                .parse::<usize>()
                .ok()
                .and_then(|i| value.get(list)?.get(i)?.get("id")?.as_str());
            match id {
                Some(id) => format!("{what} `{id}`"),
                None => format!("{what} #{}", index.parse::<usize>().map_or(0, |i| i + 1)),
            }
        }
        (Some("playbook"), _) => "playbook".to_string(),
        (Some("include"), _) => "include".to_string(),
        _ => String::new(),
    }
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The field a pointer names, for messages: `goal`, or `know` item 2 as "`know` item 2".
fn field_name(pointer: &str) -> String {
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    match segments.as_slice() {
        [] => "the playbook".to_string(),
        [.., parent, last] if last.parse::<usize>().is_ok() => {
            let n = last.parse::<usize>().unwrap_or(0) + 1;
            format!("`{}` item {n}", unescape(parent))
        }
        [.., last] => format!("`{}`", unescape(last)),
    }
}

/// What an editor offers for a place in a playbook: the fields of the object at `pointer`
/// (`/stages/0`, numbers may be any) with their descriptions, sorted.
pub(crate) fn fields_at(pointer: &str) -> Vec<(String, Option<String>)> {
    let schema = &SchemaValidator::get().schema;
    allowed_fields(schema, pointer)
        .into_iter()
        .map(|field| {
            let description = field_description(schema, pointer, &field).map(str::to_owned);
            (field, description)
        })
        .collect()
}

/// The values the field at `pointer` takes, when the schema lists them.
pub(crate) fn values_at(pointer: &str) -> Option<Vec<String>> {
    enum_options(&SchemaValidator::get().schema, pointer)
}

/// The description of the field at `pointer`.
pub(crate) fn description_at(pointer: &str) -> Option<String> {
    let (parent, field) = pointer.rsplit_once('/')?;
    field_description(&SchemaValidator::get().schema, parent, field).map(str::to_owned)
}

/// The `$defs` entry describing the object at `pointer`, by the shape of the pointer.
fn definition_for(pointer: &str) -> Option<&'static str> {
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    let names: Vec<&str> = segments
        .iter()
        .copied()
        .filter(|s| s.parse::<usize>().is_err())
        .collect();
    Some(match names.as_slice() {
        ["playbook"] => "Meta",
        ["content"] => "ContentItem",
        ["stages"] => "Stage",
        ["stages", "buyer_view"] => "BuyerView",
        ["stages", "do"] => "Activity",
        ["stages", "say"] => "Say",
        ["stages", "exit"] => "ExitEvent",
        [.., "lint"] => "LintAllow",
        _ => return None,
    })
}

/// The schema's object description for `pointer` (the root schema for `""`).
fn object_schema<'a>(schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    match definition_for(pointer) {
        Some(name) => schema.get("$defs")?.get(name),
        None if pointer.is_empty() => Some(schema),
        None => None,
    }
}

/// The fields allowed in the object at `pointer`.
fn allowed_fields(schema: &Value, pointer: &str) -> Vec<String> {
    object_schema(schema, pointer)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// The description of field `field` in the object at `pointer`.
fn field_description<'a>(schema: &'a Value, pointer: &str, field: &str) -> Option<&'a str> {
    object_schema(schema, pointer)?
        .get("properties")?
        .get(field)?
        .get("description")?
        .as_str()
}

/// The allowed values of the field at `pointer` when the schema lists them (an enum written
/// as `oneOf` constants, each with its own description, as schemars emits them).
fn enum_options(schema: &Value, pointer: &str) -> Option<Vec<String>> {
    let (parent, field) = pointer.rsplit_once('/')?;
    let mut property = object_schema(schema, parent)?
        .get("properties")?
        .get(unescape(field))?;
    if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
        property = schema.pointer(reference.strip_prefix('#')?)?;
    }
    let options: Vec<String> = property
        .get("oneOf")?
        .as_array()?
        .iter()
        .map(|option| option.get("const")?.as_str().map(str::to_string))
        .collect::<Option<_>>()?;
    Some(options)
}

fn type_words(kind: &TypeKind) -> String {
    fn one(t: jsonschema::JsonType) -> &'static str {
        use jsonschema::JsonType;
        match t {
            JsonType::String => "text",
            JsonType::Array => "a list",
            JsonType::Object => "a block of `key: value` fields",
            JsonType::Integer => "a whole number",
            JsonType::Number => "a number",
            JsonType::Boolean => "true or false",
            JsonType::Null => "empty",
        }
    }
    match kind {
        TypeKind::Single(t) => one(*t).to_string(),
        // An optional field also accepts `null`; nobody needs to be told to write nothing.
        TypeKind::Multiple(set) => set
            .iter()
            .filter(|t| *t != jsonschema::JsonType::Null)
            .map(one)
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// What a pattern means, by the field it applies to.
fn pattern_words(pointer: &str, pattern: &str) -> &'static str {
    if pattern == model::duration::PATTERN {
        "must look like 10d, 2w, 36h or 3mo (a whole number of hours, days, weeks or 30-day months)"
    } else if pattern == model::ID_PATTERN {
        "must be lowercase letters, digits, `-` or `_`, like `discovery` or `closed-won`"
    } else if pointer.ends_with("/url") {
        "must start with https://, http:// or mailto:"
    } else if pointer.ends_with("/updated") {
        "must be a date written YYYY-MM-DD, like 2026-03-01"
    } else {
        "is not written in the expected form"
    }
}

/// The first item a list holds twice.
fn repeated(value: &Value) -> Option<String> {
    let items = value.as_array()?;
    items.iter().enumerate().find_map(|(i, item)| {
        items[..i].contains(item).then(|| {
            item.as_str()
                .map_or_else(|| item.to_string(), str::to_string)
        })
    })
}

fn value_words(value: &Value) -> String {
    match value {
        Value::String(s) => format!("`{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a block of fields".into(),
        Value::Null => "nothing".into(),
        other => format!("`{other}`"),
    }
}

/// The field a pointer ends in (`probability` for `/stages/0/probability`).
fn key_of(pointer: &str) -> String {
    unescape(pointer.rsplit('/').next().unwrap_or_default())
}

/// The help of a value of the wrong type: the form the field takes, built from what was written
/// when it can be (`20%` → `probability: 20`).
fn type_help(schema: &Value, pointer: &str, kind: &TypeKind, instance: &Value) -> String {
    use jsonschema::JsonType;
    let key = key_of(pointer);
    let expects = |t: JsonType| match kind {
        TypeKind::Single(one) => *one == t,
        TypeKind::Multiple(set) => set.iter().any(|one| one == t),
    };
    if expects(JsonType::Integer) || expects(JsonType::Number) {
        if let Some(number) = instance.as_str().and_then(hints::whole_number) {
            return format!("write `{key}: {number}`: a whole number, without `%` or words");
        }
        let (parent, _) = pointer.rsplit_once('/').unwrap_or_default();
        return match field_description(schema, parent, &key) {
            Some(description) => format!("write a whole number: {description}"),
            None => format!("write a whole number, like `{key}: 3`"),
        };
    }
    if let (true, Some(number)) = (
        expects(JsonType::String) && is_duration_field(&key),
        instance.as_u64(),
    ) {
        return format!(
            "a duration needs its unit: `{number}d` for days, `{number}w` for weeks, `{number}h` for hours"
        );
    }
    if expects(JsonType::Array) {
        "write a list: one `- item` per line, or `[a, b]`".to_string()
    } else if expects(JsonType::String) {
        "put the text in quotes if YAML reads it as something else".to_string()
    } else {
        "see `stagebook schema` for the format of each field".to_string()
    }
}

fn is_duration_field(key: &str) -> bool {
    matches!(key, "expected_duration" | "cycle_target")
}

/// The help of a value that does not match its field's pattern.
fn pattern_help(pointer: &str, pattern: &str, instance: &Value) -> String {
    let text = instance.as_str().unwrap_or_default();
    if pattern == model::duration::PATTERN {
        // `two weeks`: the number written as a word.
        let numeral = text
            .trim()
            .split_once(' ')
            .and_then(|(word, unit)| hints::whole_number(word).map(|n| format!("{n} {unit}")));
        let suggestion = model::Duration::suggest(text)
            .or_else(|| numeral.as_deref().and_then(model::Duration::suggest));
        return match suggestion {
            Some(duration) => format!("write `{}: {duration}`", key_of(pointer)),
            None if text.to_lowercase().contains("month") || text.contains('月') => {
                "months vary in length: write days or weeks, like `30d` or `4w`".to_string()
            }
            None => format!(
                "found {}; write a whole number and `h`, `d` or `w`, like `10d`",
                value_words(instance)
            ),
        };
    }
    if pattern == model::ID_PATTERN {
        let id = model::suggest_id(text);
        if !id.is_empty() && id != text {
            return format!("write `{}: {id}`", key_of(pointer));
        }
    }
    format!("found {}", value_words(instance))
}

/// The help of a `next` that is neither an id nor a list of ids: the closest stage id, or the
/// ids there are.
fn next_help(document: &Value, instance: &Value) -> String {
    let ids: Vec<&str> = document
        .get("stages")
        .and_then(Value::as_array)
        .map(|stages| {
            stages
                .iter()
                .filter_map(|s| s.get("id")?.as_str())
                .collect()
        })
        .unwrap_or_default();
    if let Some(items) = instance.as_array() {
        // A list of ids, one of which is not an id: the help is about that one.
        let wrong = items.iter().filter_map(Value::as_str).find(|item| {
            !item.is_empty() && !ids.contains(item) && model::suggest_id(item) != *item
        });
        if let Some(item) = wrong {
            return format!(
                "`{item}` is not a stage id: {}",
                next_help(document, &Value::String(item.to_string()))
            );
        }
    }
    let Some(written) = instance.as_str().map(str::to_lowercase) else {
        return match ids.as_slice() {
            [first, second, ..] => {
                format!("write `next: {first}`, or `next: [{first}, {second}]` for a branch")
            }
            _ => "write a stage id, or a list of them for a branch".to_string(),
        };
    };
    match did_you_mean(&written, ids.iter().copied()) {
        Some(id) => format!("did you mean `{id}`? write `next: {id}`, or a list for a branch"),
        None if ids.is_empty() => "write a stage id, or a list of them for a branch".to_string(),
        None => {
            let mut sorted = ids;
            sorted.sort_unstable();
            format!(
                "no stage id is close; `next` takes stage ids: {}",
                sorted.join(", ")
            )
        }
    }
}

fn describe(
    document: &Document,
    schema: &SchemaValidator,
    error: &jsonschema::ValidationError<'_>,
) -> Vec<Diagnostic> {
    let pointer = error.instance_path().as_str();
    let place = place(&document.value, pointer);
    // "stage `demo`: " before the message, or nothing for top-level fields.
    let place = if place.is_empty() {
        place
    } else {
        format!("{place}: ")
    };
    let field = field_name(pointer);
    let instance = error.instance();
    let on_value = |code: Code, message: String, help: String| {
        Diagnostic::of(code, message, document.label(pointer, false)).with_help(help)
    };
    let not_one_of = |options: &[String]| {
        let help = match instance
            .as_str()
            .and_then(|s| did_you_mean(s, options.iter().map(String::as_str)))
        {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("write one of: {}", options.join(", ")),
        };
        on_value(
            codes::schema::INVALID_VALUE,
            format!("{place}{field} cannot be {}", value_words(instance)),
            help,
        )
    };
    let diagnostic = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            let allowed = allowed_fields(&schema.schema, pointer);
            return unexpected
                .iter()
                .take(MAX_SCHEMA_FINDINGS + 1)
                .map(|key| {
                    let mut key_pointer = pointer.to_string();
                    crate::load::yaml::push_segment(&mut key_pointer, key);
                    let help = match did_you_mean(key, allowed.iter().map(String::as_str)) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => format!("the fields allowed here are: {}", allowed.join(", ")),
                    };
                    Diagnostic::of(
                        codes::schema::UNKNOWN_FIELD,
                        format!("{place}unknown field `{key}`"),
                        document.label(&key_pointer, true),
                    )
                    .with_help(help)
                })
                .collect();
        }
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().unwrap_or_default();
            let help = match field_description(&schema.schema, pointer, property) {
                Some(description) => format!("add `{property}:` — {description}"),
                None => format!("add `{property}:`"),
            };
            Diagnostic::of(
                codes::schema::MISSING_FIELD,
                format!("{place}`{property}` is missing"),
                document.label(pointer, true),
            )
            .with_help(help)
        }
        ValidationErrorKind::Type { kind } => on_value(
            codes::schema::WRONG_TYPE,
            format!(
                "{place}{field} must be {}, not {}",
                if is_duration_field(&key_of(pointer)) {
                    "a duration like 10d, 2w or 36h".to_string()
                } else {
                    type_words(kind)
                },
                value_words(instance)
            ),
            type_help(&schema.schema, pointer, kind, instance),
        ),
        ValidationErrorKind::Pattern { pattern } => on_value(
            codes::schema::INVALID_VALUE,
            format!("{place}{field} {}", pattern_words(pointer, pattern)),
            pattern_help(pointer, pattern, instance),
        ),
        ValidationErrorKind::Enum { options } => {
            let options: Vec<String> = options
                .as_array()
                .map(|o| {
                    o.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            not_one_of(&options)
        }
        ValidationErrorKind::OneOfNotValid { .. }
            if enum_options(&schema.schema, pointer).is_some() =>
        {
            not_one_of(&enum_options(&schema.schema, pointer).unwrap_or_default())
        }
        ValidationErrorKind::Minimum { limit } => on_value(
            codes::schema::OUT_OF_RANGE,
            format!("{place}{field} must be at least {limit}"),
            format!("found {}", value_words(instance)),
        ),
        ValidationErrorKind::Maximum { limit } => on_value(
            codes::schema::OUT_OF_RANGE,
            if pointer == "/stagebook" {
                format!(
                    "this playbook is written for format version {instance}, but this stagebook reads version {limit}"
                )
            } else {
                format!("{place}{field} must be at most {limit}")
            },
            if pointer == "/stagebook" {
                "write `stagebook: 1`, or update stagebook".to_string()
            } else {
                format!("found {}", value_words(instance))
            },
        ),
        ValidationErrorKind::MinLength { .. } => on_value(
            codes::schema::EMPTY,
            format!("{place}{field} is empty"),
            "write the text, or remove the field".to_string(),
        ),
        ValidationErrorKind::MinItems { .. } => on_value(
            codes::schema::EMPTY,
            format!("{place}{field} is an empty list"),
            if pointer == "/stages" {
                "add the stages of the process, from the first contact to won and lost".to_string()
            } else {
                "add at least one item, or remove the field".to_string()
            },
        ),
        ValidationErrorKind::UniqueItems => on_value(
            codes::schema::REPEATED_ITEM,
            format!("{place}{field} lists the same item twice"),
            "remove the repeated item".to_string(),
        ),
        ValidationErrorKind::AnyOf { .. }
            if pointer.ends_with("/next") && repeated(instance).is_some() =>
        {
            on_value(
                codes::schema::REPEATED_ITEM,
                format!(
                    "{place}`next` lists stage `{}` twice",
                    repeated(instance).unwrap_or_default()
                ),
                "remove the repeated id".to_string(),
            )
        }
        ValidationErrorKind::AnyOf { .. } if pointer.ends_with("/next") => on_value(
            codes::schema::WRONG_TYPE,
            format!(
                "{place}`next` must be a stage id or a list of stage ids, not {}",
                value_words(instance)
            ),
            next_help(&document.value, instance),
        ),
        ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. }
            if pointer.contains("/say/") =>
        {
            let has = |key: &str| instance.get(key).is_some();
            let (message, help) = match (has("situation"), has("script"), has("objection")) {
                (true, _, true) | (_, true, true) => (
                    format!("{place}{field} mixes a talk track and an objection"),
                    "split it into two items: one with `situation` + `script`, one with `objection` + `response`",
                ),
                (true, false, false) => (
                    format!("{place}{field} has a `situation` but no `script`"),
                    "add `script:` with what the rep says in that situation",
                ),
                (false, true, false) => (
                    format!("{place}{field} has a `script` but no `situation`"),
                    "add `situation:` saying when the rep uses this script",
                ),
                _ => (
                    format!(
                        "{place}{field} must be a talk track (`situation` + `script`) or an objection (`objection` + `response`)"
                    ),
                    "write `situation:` and `script:`, or `objection:` and `response:`",
                ),
            };
            on_value(codes::schema::SAY_SHAPE, message, help.to_string())
        }
        _ => on_value(
            codes::schema::INVALID_VALUE,
            format!("{place}{field} is not valid: {error}"),
            "see `stagebook schema` for the format of each field".to_string(),
        ),
    };
    vec![diagnostic]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_read_well() {
        assert_eq!(field_name("/stages/0/goal"), "`goal`");
        assert_eq!(field_name("/stages/0/know/1"), "`know` item 2");
    }

    #[test]
    fn equally_close_suggestions_do_not_depend_on_order() {
        let ids = ["stage-5", "stage-1", "stage-9"];
        let reversed: Vec<&str> = ids.iter().rev().copied().collect();
        assert_eq!(did_you_mean("stage-one", ids), Some("stage-1"));
        assert_eq!(did_you_mean("stage-one", reversed), Some("stage-1"));
    }

    #[test]
    fn suggestions_catch_typos_only() {
        let fields = ["goal", "name", "expected_duration"];
        assert_eq!(did_you_mean("gaol", fields), Some("goal"));
        assert_eq!(
            did_you_mean("expected_duraton", fields),
            Some("expected_duration")
        );
        assert_eq!(did_you_mean("zzz", fields), None);
    }
}

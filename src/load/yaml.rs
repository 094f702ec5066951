//! Load stage: turns one file's YAML text into an untyped JSON value and a span map, in a
//! single pass over the parser's events. The value feeds the schema validator and the typed
//! model; the span map lets every later finding point at the exact key or value.
//!
//! YAML is read as YAML 1.2 (core schema) with a few deliberate restrictions, each reported as
//! a diagnostic: one document per file, no duplicate keys, no explicit tags other than `!!str`,
//! `!!seq` and `!!map`, no YAML 1.1 merge keys, a nesting limit and an alias-expansion budget.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use granit_parser::{ErrorKind, Event, Parser, ScalarStyle, ScanError, Span, StructureStyle, Tag};
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Map, Number, Value};

use super::Limits;
use crate::diagnostic::{Code, Diagnostic, Label, codes};
use crate::source::SourceFile;

/// Where a node of the document came from: its file (an index into the document's file list),
/// the byte range of its value and, for mapping values, of its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpan {
    /// Index into [`crate::load::Document::files`].
    pub file: usize,
    /// The value's bytes.
    pub value: Range<usize>,
    /// The key's bytes, for a value in a mapping.
    pub key: Option<Range<usize>>,
}

/// JSON pointer (`/stages/0/goal`) → where that node is written.
#[derive(Debug, Default, Clone)]
pub struct SpanMap {
    spans: FxHashMap<String, NodeSpan>,
}

impl SpanMap {
    /// An empty map with room for `nodes` nodes.
    pub(crate) fn with_capacity(nodes: usize) -> Self {
        Self {
            spans: FxHashMap::with_capacity_and_hasher(nodes, rustc_hash::FxBuildHasher),
        }
    }

    /// The span recorded for `pointer`, or for its nearest ancestor that has one.
    pub(crate) fn find(&self, pointer: &str) -> Option<&NodeSpan> {
        let mut pointer = pointer;
        loop {
            if let Some(span) = self.spans.get(pointer) {
                return Some(span);
            }
            let cut = pointer.rfind('/')?;
            pointer = &pointer[..cut];
        }
    }

    /// The span recorded for exactly `pointer`.
    pub fn get(&self, pointer: &str) -> Option<&NodeSpan> {
        self.spans.get(pointer)
    }

    /// Records where `pointer` is written.
    pub(crate) fn insert(&mut self, pointer: String, span: NodeSpan) {
        self.spans.insert(pointer, span);
    }

    /// Forgets the spans of every node at or below each of `pointers` (values about to be
    /// replaced).
    pub(crate) fn remove_under(&mut self, pointers: &FxHashSet<String>) {
        if pointers.is_empty() {
            return;
        }
        self.spans.retain(|pointer, _| {
            let mut at = pointer.as_str();
            loop {
                if pointers.contains(at) {
                    return false;
                }
                match at.rfind('/') {
                    Some(cut) => at = &at[..cut],
                    None => return true,
                }
            }
        });
    }

    /// Moves every span of `other` into this map, each re-pointed at file `first + its file`
    /// (for a whole document with several files of its own).
    pub(crate) fn absorb(&mut self, other: SpanMap, first: usize) {
        for (pointer, mut span) in other.spans {
            span.file += first;
            self.spans.insert(pointer, span);
        }
    }

    /// Moves every span of `other` into this map, re-pointing them at file `file` and
    /// renaming each pointer with `rename` (a pointer it returns `None` for is dropped).
    pub(crate) fn graft(
        &mut self,
        other: SpanMap,
        file: usize,
        rename: impl Fn(&str) -> Option<String>,
    ) {
        for (pointer, mut span) in other.spans {
            if let Some(pointer) = rename(&pointer) {
                span.file = file;
                self.spans.insert(pointer, span);
            }
        }
    }
}

/// Appends one escaped JSON-pointer segment to `pointer`.
pub fn push_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    if !segment.contains(['~', '/']) {
        pointer.push_str(segment);
        return;
    }
    for c in segment.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// The result of parsing one file: a value (absent when the file could not be read as a
/// playbook document at all), its spans, and every problem found on the way.
#[derive(Debug)]
pub struct Parsed {
    /// The document root.
    pub value: Option<Value>,
    /// Where each node is written (file index 0 is the parsed file).
    pub(crate) spans: SpanMap,
    /// YAML-level findings.
    pub diagnostics: Vec<Diagnostic>,
}

enum Container {
    Seq(Vec<Value>),
    Map {
        map: Map<String, Value>,
        key: Option<(String, Range<usize>)>,
    },
}

struct Frame {
    container: Container,
    start: usize,
    anchor: usize,
    /// Length of the pointer before this collection's own segment was pushed.
    pointer_len: usize,
    /// Nodes in this subtree, counting alias expansions.
    nodes: usize,
    /// Text bytes (keys and scalar values) in this subtree, counting alias expansions.
    bytes: u64,
    /// Height of the tallest child subtree.
    height: usize,
    /// The key span that introduced this collection, when it is a mapping value.
    key_span: Option<Range<usize>>,
    /// Written in flow style (`[a, b]`, `{a: 1}`): its end event marks the closing bracket.
    flow: bool,
    /// Where the last child value ends: a block collection ends there, not at the next token.
    last_end: usize,
}

struct Anchored {
    value: Value,
    nodes: usize,
    /// Text bytes an alias to it copies (see [`Frame::bytes`]).
    bytes: u64,
    height: usize,
}

struct Builder<'a> {
    file: &'a Arc<SourceFile>,
    limits: &'a Limits,
    stack: Vec<Frame>,
    pointer: String,
    spans: SpanMap,
    anchors: HashMap<usize, Anchored>,
    /// Anchors whose node is still open: an alias to one of them is a cycle.
    open_anchors: Vec<usize>,
    alias_nodes: usize,
    /// Text bytes copied by aliases so far.
    alias_bytes: u64,
    /// Duplicate keys found so far.
    duplicate_keys: usize,
    /// Texts with a control character found so far.
    control_characters: usize,
    root: Option<Value>,
    diagnostics: Vec<Diagnostic>,
}

/// Most duplicate keys reported for one file: a generated or damaged file can repeat a key on
/// every line, and thousands of findings would help nobody.
pub(crate) const MAX_DUPLICATE_KEY_FINDINGS: usize = 200;

/// Why building stopped early (the diagnostic is already recorded).
struct Stop;

/// How big a finished node is, counting alias expansions.
#[derive(Clone, Copy)]
struct Size {
    nodes: usize,
    bytes: u64,
    height: usize,
}

/// `16 MiB`, `300 KiB` or `12 bytes`.
fn human_bytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

impl Builder<'_> {
    fn label(&self, span: Range<usize>) -> Label {
        Label::new(self.file, span)
    }

    fn fail(&mut self, code: Code, message: String, span: Range<usize>, help: &str) -> Stop {
        let diagnostic = Diagnostic::of(code, message, self.label(span)).with_help(help);
        self.diagnostics.push(diagnostic);
        Stop
    }

    /// Whether the node starting now is a mapping key.
    fn is_key_slot(&self) -> bool {
        matches!(
            self.stack.last().map(|frame| &frame.container),
            Some(Container::Map { key: None, .. })
        )
    }

    /// Appends the pointer segment of the node starting now (its index or key) to `pointer`.
    fn push_child_segment(&self, pointer: &mut String) {
        match self.stack.last().map(|frame| &frame.container) {
            Some(Container::Seq(items)) => {
                pointer.push('/');
                pointer.push_str(itoa::Buffer::new().format(items.len()));
            }
            Some(Container::Map {
                key: Some((key, _)),
                ..
            }) => push_segment(pointer, key),
            _ => {}
        }
    }

    /// The span of the key the node starting now is the value of.
    fn current_key_span(&self) -> Option<Range<usize>> {
        match self.stack.last().map(|frame| &frame.container) {
            Some(Container::Map {
                key: Some((_, span)),
                ..
            }) => Some(span.clone()),
            _ => None,
        }
    }

    /// Records where a scalar or alias starting now is written.
    fn record_leaf(&mut self, span: Range<usize>) {
        let mut pointer = std::mem::take(&mut self.pointer);
        let len = pointer.len();
        self.push_child_segment(&mut pointer);
        let node = NodeSpan {
            file: 0,
            value: span,
            key: self.current_key_span(),
        };
        self.spans.insert(pointer.clone(), node);
        pointer.truncate(len);
        self.pointer = pointer;
    }

    fn check_tag(&mut self, tag: Option<&Tag>, span: &Range<usize>) -> Result<bool, Stop> {
        let Some(tag) = tag else { return Ok(false) };
        match tag.core_suffix() {
            Some("str") => Ok(true),
            Some("seq" | "map") => Ok(false),
            _ => Err(self.fail(
                codes::input::UNSUPPORTED_TAG,
                format!("unsupported tag `{}`", tag.original()),
                span.clone(),
                "stagebook reads plain YAML values: remove the tag (write text in quotes if it must stay text)",
            )),
        }
    }

    /// Reports a control character in a key or value: written as an escape (`"\e"`, `"\x01"`)
    /// it would reach the exported CRM XML (where it is invalid), the handbook and the
    /// terminal. Tab, line feed and carriage return are ordinary text.
    fn check_control_characters(&mut self, text: &str, span: &Range<usize>) {
        let Some(c) = text.chars().find(|&c| is_forbidden_control(c)) else {
            return;
        };
        self.control_characters += 1;
        if self.control_characters > MAX_DUPLICATE_KEY_FINDINGS {
            if self.control_characters == MAX_DUPLICATE_KEY_FINDINGS + 1 {
                let diagnostic = Diagnostic::of(
                    codes::input::TOO_MANY_CONTROL_CHARACTERS,
                    format!(
                        "stopped after {MAX_DUPLICATE_KEY_FINDINGS} texts with control characters in this file"
                    ),
                    self.label(span.clone()),
                )
                .with_help("fix the texts above and run the check again");
                self.diagnostics.push(diagnostic);
            }
            return;
        }
        let raw = &self.file.text()[span.clone()];
        let at = locate_control(raw, c).map_or_else(
            || span.clone(),
            |within| span.start + within.start..span.start + within.end,
        );
        let diagnostic = Diagnostic::of(
            codes::input::CONTROL_CHARACTER,
            format!("the text holds the invisible control character U+{:04X}", u32::from(c)),
            self.label(at),
        )
        .with_help("delete it (it usually comes from text pasted out of another program): exported CRM files and handbooks cannot carry it; for a new line, start a new line in the YAML");
        self.diagnostics.push(diagnostic);
    }

    fn start_collection(
        &mut self,
        container: Container,
        start: usize,
        anchor: usize,
        flow: bool,
    ) -> Result<(), Stop> {
        if self.is_key_slot() {
            return Err(self.fail(
                codes::input::COMPLEX_KEY,
                "a list or mapping cannot be used as a key".into(),
                start..start + 1,
                "keys are plain names such as `goal:` or `stages:`",
            ));
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.nesting_too_deep(start..start + 1));
        }
        let pointer_len = self.pointer.len();
        let mut pointer = std::mem::take(&mut self.pointer);
        self.push_child_segment(&mut pointer);
        self.pointer = pointer;
        let key_span = self.current_key_span();
        if anchor != 0 {
            self.open_anchors.push(anchor);
        }
        self.stack.push(Frame {
            container,
            start,
            anchor,
            pointer_len,
            nodes: 1,
            bytes: 0,
            height: 0,
            key_span,
            flow,
            last_end: start,
        });
        Ok(())
    }

    fn nesting_too_deep(&mut self, span: Range<usize>) -> Stop {
        let message = format!(
            "the playbook is nested more than {} levels deep",
            self.limits.max_depth
        );
        self.fail(
            codes::input::TOO_DEEP,
            message,
            span,
            "a playbook needs only a few levels of nesting: check for runaway brackets or indentation",
        )
    }

    fn end_collection(&mut self, end: usize) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let value = match frame.container {
            Container::Seq(items) => Value::Array(items),
            Container::Map { map, .. } => Value::Object(map),
        };
        let pointer = self.pointer.clone();
        self.pointer.truncate(frame.pointer_len);
        if frame.anchor != 0 {
            self.open_anchors.retain(|&a| a != frame.anchor);
        }
        self.spans.insert(
            pointer,
            NodeSpan {
                file: 0,
                value: frame.start..if frame.flow { end } else { frame.last_end }.max(frame.start),
                key: frame.key_span,
            },
        );
        let size = Size {
            nodes: frame.nodes,
            bytes: frame.bytes,
            height: frame.height + 1,
        };
        self.finish_node(value, frame.anchor, size, end);
    }

    /// Hands a finished node (scalar, expanded alias or closed collection) to its parent.
    fn finish_node(&mut self, value: Value, anchor: usize, size: Size, end: usize) {
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchored {
                    value: value.clone(),
                    nodes: size.nodes,
                    bytes: size.bytes,
                    height: size.height,
                },
            );
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(value);
            return;
        };
        parent.nodes += size.nodes;
        parent.bytes = parent.bytes.saturating_add(size.bytes);
        parent.last_end = end;
        parent.height = parent.height.max(size.height);
        match &mut parent.container {
            Container::Seq(items) => items.push(value),
            Container::Map { map, key, .. } => {
                if let Some((key, _)) = key.take() {
                    map.insert(key, value);
                }
            }
        }
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: Range<usize>,
    ) -> Result<(), Stop> {
        let force_string = self.check_tag(tag, &span)?;
        self.check_control_characters(&text, &span);
        if self.is_key_slot() {
            if anchor != 0 {
                let anchored = Anchored {
                    value: Value::String(text.clone().into_owned()),
                    nodes: 1,
                    bytes: text.len() as u64,
                    height: 1,
                };
                self.anchors.insert(anchor, anchored);
            }
            return self.key(text, style, span);
        }
        let bytes = text.len() as u64;
        let value = if force_string || style != ScalarStyle::Plain {
            Value::String(text.into_owned())
        } else {
            resolve_plain(&text)
        };
        let end = span.end;
        self.record_leaf(span);
        let size = Size {
            nodes: 1,
            bytes,
            height: 1,
        };
        self.finish_node(value, anchor, size, end);
        Ok(())
    }

    fn key(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        span: Range<usize>,
    ) -> Result<(), Stop> {
        if style == ScalarStyle::Plain && text == "<<" {
            return Err(self.fail(
                codes::input::MERGE_KEY,
                "merge keys (`<<`) are not supported".into(),
                span,
                "write the shared fields out in each place, or split the playbook with `include`",
            ));
        }
        if style == ScalarStyle::Plain && resolve_plain(&text).is_null() {
            let end = span.end.max(span.start + 1).min(self.file.text().len());
            return Err(self.fail(
                codes::input::EMPTY_KEY,
                "a key is missing before `:`".into(),
                span.start..end,
                "write the field name before the colon, e.g. `goal: …`",
            ));
        }
        let duplicate = matches!(
            self.stack.last().map(|frame| &frame.container),
            Some(Container::Map { map, .. }) if map.contains_key(text.as_ref())
        );
        let first = duplicate
            .then(|| {
                let mut pointer = self.pointer.clone();
                push_segment(&mut pointer, &text);
                self.spans.get(&pointer).and_then(|s| s.key.clone())
            })
            .flatten();
        let file = self.file;
        let key_bytes = text.len() as u64;
        let Some(Frame {
            container: Container::Map { key, .. },
            ..
        }) = self.stack.last_mut()
        else {
            return Ok(());
        };
        if duplicate {
            self.duplicate_keys += 1;
            if self.duplicate_keys > MAX_DUPLICATE_KEY_FINDINGS {
                if self.duplicate_keys == MAX_DUPLICATE_KEY_FINDINGS + 1 {
                    let diagnostic = Diagnostic::of(
                        codes::yaml::TOO_MANY_DUPLICATE_KEYS,
                        format!(
                            "stopped after {MAX_DUPLICATE_KEY_FINDINGS} duplicate keys in this file"
                        ),
                        Label::new(file, span.clone()),
                    )
                    .with_help("fix the duplicate keys above and run the check again");
                    self.diagnostics.push(diagnostic);
                }
                *key = Some((format!("\u{0}duplicate:{}", span.start), span));
                return Ok(());
            }
            let first = first.unwrap_or(0..0);
            let diagnostic = Diagnostic::of(
                codes::yaml::DUPLICATE_KEY,
                format!("`{text}` is written twice in the same block"),
                Label::new(file, span.clone()).with_text("written again here"),
            )
            .with_related(Label::new(file, first).with_text("first written here"))
            .with_help("keep one of them: YAML keeps only one value per key, so the other would be silently lost");
            self.diagnostics.push(diagnostic);
            // Read the repeated entry into a key nobody can name, so the first one stays.
            *key = Some((format!("\u{0}duplicate:{}", span.start), span));
            return Ok(());
        }
        *key = Some((text.into_owned(), span));
        if let Some(frame) = self.stack.last_mut() {
            frame.bytes = frame.bytes.saturating_add(key_bytes);
        }
        Ok(())
    }

    fn alias(&mut self, id: usize, span: Range<usize>) -> Result<(), Stop> {
        if self.open_anchors.contains(&id) {
            return Err(self.fail(
                codes::input::RECURSIVE_ALIAS,
                "this alias refers to the node that contains it".into(),
                span,
                "an alias (`*name`) must refer to a finished node: it cannot repeat a node inside itself",
            ));
        }
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(self.fail(
                codes::yaml::UNKNOWN_ANCHOR,
                "this alias refers to an anchor that is not defined before it".into(),
                span,
                "define the anchor (`&name`) before using the alias (`*name`)",
            ));
        };
        let (nodes, bytes, height) = (anchored.nodes, anchored.bytes, anchored.height);
        self.alias_nodes = self.alias_nodes.saturating_add(nodes);
        self.alias_bytes = self.alias_bytes.saturating_add(bytes);
        let byte_budget = self.limits.alias_byte_budget();
        let over = if self.alias_nodes > self.limits.alias_budget {
            Some(format!("{} nodes", self.limits.alias_budget))
        } else if self.alias_bytes > byte_budget {
            Some(format!("{} of text", human_bytes(byte_budget)))
        } else {
            None
        };
        if let Some(over) = over {
            return Err(self.fail(
                codes::input::ALIAS_BUDGET,
                format!("aliases expand to more than {over}"),
                span,
                "aliases that repeat large blocks many times make the playbook huge: write the content out or use fewer aliases",
            ));
        }
        if self.stack.len() + height > self.limits.max_depth {
            return Err(self.nesting_too_deep(span));
        }
        let value = anchored.value.clone();
        if self.is_key_slot() {
            let text = match &value {
                Value::String(s) => s.clone(),
                Value::Array(_) | Value::Object(_) => {
                    return Err(self.fail(
                        codes::input::COMPLEX_KEY,
                        "a list or mapping cannot be used as a key".into(),
                        span,
                        "keys are plain names such as `goal:` or `stages:`",
                    ));
                }
                other => other.to_string(),
            };
            return self.key(Cow::Owned(text), ScalarStyle::SingleQuoted, span);
        }
        let end = span.end;
        self.record_leaf(span);
        let size = Size {
            nodes,
            bytes,
            height,
        };
        self.finish_node(value, 0, size, end);
        Ok(())
    }
}

/// A character no output format can carry as text: C0 controls other than tab, line feed and
/// carriage return, DEL, C1 controls (which terminals read as escape sequences) and the
/// non-characters U+FFFE / U+FFFF (invalid in XML).
fn is_forbidden_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}')
}

/// Where `c` is written in a scalar's source text: the character itself, or the escape
/// (`\e`, `\x1B`, `\u001b`, `\U0000001B`, `\0`, …) of a double-quoted scalar that stands for it.
fn locate_control(raw: &str, c: char) -> Option<Range<usize>> {
    if let Some(at) = raw.find(c) {
        return Some(at..at + c.len_utf8());
    }
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let (decoded, len) = match bytes[i + 1] {
            b'0' => (Some('\u{0}'), 2),
            b'a' => (Some('\u{7}'), 2),
            b'b' => (Some('\u{8}'), 2),
            b'v' => (Some('\u{b}'), 2),
            b'f' => (Some('\u{c}'), 2),
            b'e' => (Some('\u{1b}'), 2),
            b'N' => (Some('\u{85}'), 2),
            b'x' => (hex_escape(raw, i + 2, 2), 4),
            b'u' => (hex_escape(raw, i + 2, 4), 6),
            b'U' => (hex_escape(raw, i + 2, 8), 10),
            _ => (None, 2),
        };
        if decoded == Some(c) {
            return Some(i..(i + len).min(raw.len()));
        }
        i += len;
    }
    None
}

fn hex_escape(raw: &str, start: usize, digits: usize) -> Option<char> {
    let hex = raw.get(start..start + digits)?;
    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
}

/// Resolves a plain scalar by the YAML 1.2 core schema, with two safety choices: numbers with
/// leading zeros (`007`, `0755`) stay text, and numbers JSON cannot hold (`.inf`, `.nan`,
/// out-of-range values) stay text, so the schema reports them on the field that expected a number.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let bytes = text.as_bytes();
    let digits = bytes
        .strip_prefix(b"-")
        .or(bytes.strip_prefix(b"+"))
        .unwrap_or(bytes);
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        if digits.len() > 1 && digits[0] == b'0' {
            return Value::String(text.to_string());
        }
        if let Ok(n) = text.parse::<i64>() {
            return Value::Number(n.into());
        }
        if let Ok(n) = text.trim_start_matches('+').parse::<u64>() {
            return Value::Number(n.into());
        }
        return Value::String(text.to_string());
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(n) = u64::from_str_radix(hex, 16) {
            return Value::Number(n.into());
        }
        return Value::String(text.to_string());
    }
    if let Some(octal) = text.strip_prefix("0o") {
        if let Ok(n) = u64::from_str_radix(octal, 8) {
            return Value::Number(n.into());
        }
        return Value::String(text.to_string());
    }
    if is_core_float(digits)
        && let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Value::Number(n);
    }
    Value::String(text.to_string())
}

/// `[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?` or `\.[0-9]+(...)`, after the sign.
fn is_core_float(text: &[u8]) -> bool {
    let mut i = 0;
    let int_digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if text.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = text[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(text.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(text.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp_digits = text[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == text.len()
}

fn byte_range(span: &Span, text: &str) -> Range<usize> {
    let start = span.start.byte_offset().unwrap_or(0).min(text.len());
    let end = span
        .end
        .byte_offset()
        .unwrap_or(start)
        .clamp(start, text.len());
    start..end
}

/// Says what a parser error means for someone editing a playbook: its code, message and help.
fn describe_scan_error(error: &ScanError, limits: &Limits) -> (Code, String, &'static str) {
    match error.kind() {
        ErrorKind::TabInBlockIndentation
        | ErrorKind::TabInIndentation
        | ErrorKind::TabNotAllowed => (
            codes::yaml::SYNTAX,
            "tabs are not allowed for indentation".into(),
            "indent with spaces (two per level is usual); most editors can convert tabs to spaces",
        ),
        ErrorKind::RecursionLimitExceeded => (
            codes::input::TOO_DEEP,
            format!(
                "the playbook is nested more than {} levels deep",
                limits.max_depth
            ),
            "a playbook needs only a few levels of nesting: check for runaway brackets or indentation",
        ),
        ErrorKind::UnknownAnchor => (
            codes::yaml::UNKNOWN_ANCHOR,
            "this alias refers to an anchor that is not defined before it".into(),
            "define the anchor (`&name`) before using the alias (`*name`)",
        ),
        _ => (
            codes::yaml::SYNTAX,
            format!("invalid YAML: {}", error.info()),
            "check the indentation and the quotes around this line: text with `: ` or `#` in it needs quotes",
        ),
    }
}

/// Parses `file` (already checked for encoding) into a value and span map.
pub fn parse(file: &Arc<SourceFile>, limits: &Limits) -> Parsed {
    let text = file.text();
    let options = granit_parser::options! {
        strict_indentation: true,
        flow_nesting_limit: limits.max_depth,
        block_nesting_limit: limits.max_depth,
    };
    let mut builder = Builder {
        file,
        limits,
        stack: Vec::new(),
        pointer: String::new(),
        // About one node a line: sized once, the map is not rehashed as it grows.
        spans: SpanMap::with_capacity(file.line_count()),
        anchors: HashMap::new(),
        open_anchors: Vec::new(),
        alias_nodes: 0,
        alias_bytes: 0,
        duplicate_keys: 0,
        control_characters: 0,
        root: None,
        diagnostics: Vec::new(),
    };
    let mut documents = 0;
    // After a finding that stops building, the rest of the file is still scanned, so that a
    // real syntax error further down is reported too.
    let mut stopped = false;
    for event in Parser::new_from_str_with_options(text, options) {
        let (event, span) = match event {
            Ok(ok) => ok,
            Err(error) => {
                let at = error.marker().byte_offset().unwrap_or(0).min(text.len());
                let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                let (code, message, help) = describe_scan_error(&error, limits);
                builder.fail(code, message, at..end, help);
                stopped = true;
                break;
            }
        };
        if stopped {
            continue;
        }
        let range = byte_range(&span, text);
        let result = match event {
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    Err(builder.fail(
                        codes::input::MULTIPLE_DOCUMENTS,
                        "a playbook file holds one YAML document, but a second one starts here"
                            .into(),
                        range.start..range.end.max(range.start + 1).min(text.len()),
                        "put each playbook in its own file, or remove the `---` line",
                    ))
                } else {
                    Ok(())
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                builder.scalar(value, style, anchor, tag.as_deref(), range)
            }
            Event::SequenceStart(style, anchor, tag) => {
                builder.check_tag(tag.as_deref(), &range).and_then(|_| {
                    let flow = style == StructureStyle::Flow;
                    builder.start_collection(Container::Seq(Vec::new()), range.start, anchor, flow)
                })
            }
            Event::MappingStart(style, anchor, tag) => {
                builder.check_tag(tag.as_deref(), &range).and_then(|_| {
                    builder.start_collection(
                        Container::Map {
                            map: Map::new(),
                            key: None,
                        },
                        range.start,
                        anchor,
                        style == StructureStyle::Flow,
                    )
                })
            }
            Event::SequenceEnd | Event::MappingEnd => {
                builder.end_collection(range.end);
                Ok(())
            }
            Event::Alias(id) => builder.alias(id, range),
            _ => Ok(()),
        };
        stopped = result.is_err();
    }
    let value = if stopped || !builder.diagnostics.is_empty() {
        None
    } else {
        builder.root.take()
    };
    if !stopped && builder.diagnostics.is_empty() && matches!(value, None | Some(Value::Null)) {
        builder.fail(
            codes::input::EMPTY,
            "the playbook is empty".into(),
            0..0,
            "start from `stagebook init`, or from one of the example playbooks",
        );
        return Parsed {
            value: None,
            spans: builder.spans,
            diagnostics: builder.diagnostics,
        };
    }
    Parsed {
        value,
        spans: builder.spans,
        diagnostics: builder.diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse_str(text: &str) -> Parsed {
        let file = SourceFile::new(Path::new("t.yaml"), text.to_string());
        parse(&file, &Limits::default())
    }

    #[test]
    fn values_and_spans_come_from_one_pass() {
        let text = "a: 1\nb:\n  - x\n  - 'no'\nc: no\n";
        let parsed = parse_str(text);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let value = parsed.value.unwrap();
        assert_eq!(value["a"], 1);
        assert_eq!(value["b"][1], "no");
        assert_eq!(value["c"], "no", "YAML 1.2: `no` is text, not false");
        let span = parsed.spans.get("/b/1").unwrap();
        assert_eq!(&text[span.value.clone()], "'no'");
        let key = parsed.spans.get("/c").unwrap().key.clone().unwrap();
        assert_eq!(&text[key], "c");
    }

    #[test]
    fn pointer_segments_are_escaped() {
        let parsed = parse_str("\"a/b~c\": 1\n");
        assert!(parsed.spans.get("/a~1b~0c").is_some());
    }

    #[test]
    fn plain_scalars_follow_the_core_schema_safely() {
        assert_eq!(resolve_plain("12"), Value::from(12));
        assert_eq!(resolve_plain("-3"), Value::from(-3));
        assert_eq!(resolve_plain("1.5"), Value::from(1.5));
        assert_eq!(resolve_plain("007"), Value::from("007"));
        assert_eq!(resolve_plain(".inf"), Value::from(".inf"));
        assert_eq!(resolve_plain("1e99999"), Value::from("1e99999"));
        assert_eq!(
            resolve_plain("18446744073709551616"),
            Value::from("18446744073709551616")
        );
        assert_eq!(resolve_plain("0x1F"), Value::from(31));
        assert_eq!(resolve_plain("~"), Value::Null);
        assert_eq!(resolve_plain("10d"), Value::from("10d"));
        assert_eq!(resolve_plain("120%"), Value::from("120%"));
    }

    #[test]
    fn duplicate_keys_are_errors_and_the_first_value_stays() {
        let parsed = parse_str("a: 1\na: 2\n");
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.diagnostics[0].code, "yaml::duplicate-key");
        assert_eq!(parsed.diagnostics[0].related[0].start().line, 1);
        assert_eq!(parsed.diagnostics[0].primary.start().line, 2);
    }

    #[test]
    fn duplicate_key_findings_stop_at_a_limit() {
        let text = format!("{{{}}}\n", vec!["a: 1"; 1000].join(", "));
        let parsed = parse_str(&text);
        let codes: Vec<&str> = parsed.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes.len(), MAX_DUPLICATE_KEY_FINDINGS + 1);
        assert_eq!(codes.last(), Some(&"yaml::too-many-duplicate-keys"));
    }

    #[test]
    fn aliases_expand_within_budget() {
        let parsed = parse_str("a: &x [1, 2]\nb: *x\n");
        assert!(parsed.diagnostics.is_empty());
        assert_eq!(parsed.value.unwrap()["b"][1], 2);
    }

    #[test]
    fn aliases_charge_the_bytes_they_copy() {
        let big = "x".repeat(64 * 1024);
        let copies = "  - *b\n".repeat(20);
        let text = format!("big: &b \"{big}\"\nlist:\n{copies}");
        let file = SourceFile::new(Path::new("t.yaml"), text.clone());
        let limits = Limits {
            max_file_size: 1024 * 1024,
            ..Limits::default()
        };
        let parsed = parse(&file, &limits);
        assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
        let diagnostic = &parsed.diagnostics[0];
        assert_eq!(diagnostic.code, "input::alias-budget");
        assert_eq!(
            diagnostic.message,
            "aliases expand to more than 1 MiB of text"
        );
        // 16 copies of 64 KiB fit in 1 MiB; the 17th alias (line 19) goes past it.
        assert_eq!(diagnostic.primary.start().line, 19);
        let within = format!("big: &b \"{big}\"\nlist:\n{}", "  - *b\n".repeat(15));
        let file = SourceFile::new(Path::new("t.yaml"), within);
        assert!(parse(&file, &limits).diagnostics.is_empty());
    }

    #[test]
    fn alias_bytes_count_keys_and_nested_values() {
        let value = "v".repeat(1000);
        let text = format!(
            "a: &m {{k{}: {value}, list: [{value}]}}\nb: [*m, *m]\n",
            "y".repeat(100)
        );
        let file = SourceFile::new(Path::new("t.yaml"), text);
        let limits = Limits {
            max_file_size: 4200,
            ..Limits::default()
        };
        // Each copy is 101 + 1000 + 4 + 1000 bytes: two copies are 4210.
        let parsed = parse(&file, &limits);
        assert_eq!(parsed.diagnostics[0].code, "input::alias-budget");
        let limits = Limits {
            max_file_size: 4210,
            ..Limits::default()
        };
        let file = SourceFile::new(Path::new("t.yaml"), file.text().to_string());
        assert!(parse(&file, &limits).diagnostics.is_empty());
    }

    #[test]
    fn control_characters_are_findings_where_they_are_written() {
        let text =
            "a: fine\tand\r\nb: \"beep \\a and \\x1b[31m\"\nc: 'ok'\nd: \"\\u0000\"\ne: \"\\e\"\n";
        let parsed = parse_str(text);
        let found: Vec<(&str, &str)> = parsed
            .diagnostics
            .iter()
            .map(|d| (d.message.as_str(), &text[d.primary.span.clone()]))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "the text holds the invisible control character U+0007",
                    "\\a"
                ),
                (
                    "the text holds the invisible control character U+0000",
                    "\\u0000"
                ),
                (
                    "the text holds the invisible control character U+001B",
                    "\\e"
                ),
            ]
        );
        assert_eq!(parsed.diagnostics[0].primary.start().line, 2);
        assert!(parsed.value.is_none());
        assert!(
            parse_str("a: \"tab\\there\\nand a line\"\n")
                .diagnostics
                .is_empty()
        );
        assert!(parse_str("\"\\x1b\": 1\n").diagnostics[0].code == "input::control-character");
    }

    #[test]
    fn recursive_alias_is_an_error() {
        let parsed = parse_str("&s [name, *s]\n");
        assert_eq!(parsed.diagnostics[0].code, "input::recursive-alias");
    }

    #[test]
    fn merge_keys_and_tags_are_rejected() {
        let parsed = parse_str("a: &d {x: 1}\nb:\n  <<: *d\n");
        assert_eq!(parsed.diagnostics[0].code, "input::merge-key");
        let parsed = parse_str("a: !!python/object:os.system x\n");
        assert_eq!(parsed.diagnostics[0].code, "input::unsupported-tag");
        let parsed = parse_str("a: !!str 12\n");
        assert_eq!(parsed.value.unwrap()["a"], "12");
    }

    #[test]
    fn empty_and_multi_document_files_are_errors() {
        assert_eq!(parse_str("").diagnostics[0].code, "input::empty");
        assert_eq!(parse_str("---\n").diagnostics[0].code, "input::empty");
        assert_eq!(parse_str("# only\n").diagnostics[0].code, "input::empty");
        let parsed = parse_str("a: 1\n---\nb: 2\n");
        assert_eq!(parsed.diagnostics[0].code, "input::multiple-documents");
        assert_eq!(parsed.diagnostics[0].primary.start().line, 2);
    }
}

//! Writes a JSON value out as YAML text, for tests that generate playbooks and read them back
//! (the property tests and the `structured` fuzz target share it).
//!
//! Block style with every key and string double-quoted, so the text means exactly the value:
//! nothing is left to plain-scalar resolution. Characters YAML does not allow raw (C0 and C1
//! controls, DEL, line and paragraph separators, BOM, non-characters) are escaped.

use std::fmt::Write as _;

use serde_json::Value;

/// Line endings of the emitted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnd {
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
}

/// `value` as a YAML document in block style.
pub fn to_yaml(value: &Value, line_end: LineEnd) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => block(value, 0, &mut out),
        Value::Array(items) if !items.is_empty() => block(value, 0, &mut out),
        other => {
            scalar(other, &mut out);
            out.push('\n');
        }
    }
    match line_end {
        LineEnd::Lf => out,
        LineEnd::CrLf => out.replace('\n', "\r\n"),
    }
}

/// A non-empty mapping or list, each line indented by `indent` spaces.
fn block(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                out.push_str(&pad);
                quoted(key, out);
                out.push(':');
                entry(value, indent + 2, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                if is_block(item) {
                    // `- first: 1` on the dash line, the rest indented under it.
                    let mut nested = String::new();
                    block(item, indent + 2, &mut nested);
                    out.push_str(&pad);
                    out.push_str("- ");
                    out.push_str(&nested[indent + 2..]);
                } else {
                    out.push_str(&pad);
                    out.push_str("- ");
                    scalar(item, out);
                    out.push('\n');
                }
            }
        }
        _ => unreachable!("block() is only called on non-empty collections"),
    }
}

/// What follows `key:` — a scalar on the same line, or a block on the next ones.
fn entry(value: &Value, indent: usize, out: &mut String) {
    if is_block(value) {
        out.push('\n');
        block(value, indent, out);
    } else {
        out.push(' ');
        scalar(value, out);
        out.push('\n');
    }
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

fn scalar(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => quoted(s, out),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

fn quoted(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

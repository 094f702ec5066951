//! Output layer: escaping playbook and CRM text for each output format. [`html`] is the one
//! HTML escaper: the templates' auto-escape, the SVG drawers, the preview server and the CRM
//! writers all use it. The rest covers which URLs may become links, Markdown and Mermaid.

use std::fmt::Write;

/// The URL when it may become a link: `http://`, `https://` or `mailto:` (any case), with no
/// control characters or spaces. Everything else (`javascript:`, `data:`, relative paths) is
/// shown as text only. Characters a URL may not hold (`<`, `"`, `{` …) are percent-encoded, so
/// the link is valid HTML as well as safe.
pub(crate) fn safe_href(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let allowed = ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme) && url.len() > scheme.len());
    let clean = !url.chars().any(|c| c.is_control() || c.is_whitespace());
    if !(allowed && clean) {
        return None;
    }
    // Brackets are allowed only around an IPv6 host, before the path.
    let path_start = url.find("://").map_or(0, |i| {
        i + 3
            + url[i + 3..]
                .find(['/', '?', '#'])
                .unwrap_or(url.len() - i - 3)
    });
    let mut out = String::with_capacity(url.len());
    for (i, c) in url.char_indices() {
        if "\"<>\\^`{|}".contains(c) || (i >= path_start && "[]".contains(c)) {
            let _ = write!(out, "%{:02X}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Escapes text for inline Markdown: every character that could start markup (emphasis,
/// links, HTML, code, headings, lists, tables, block quotes) gets a backslash or an entity, and
/// line breaks become `<br>` so a value never leaves its list item or table cell.
pub(crate) fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut line_start = true;
    let text = text.trim_end_matches(['\n', '\r']);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {}
            '\n' => {
                out.push_str("<br>");
                line_start = true;
                continue;
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '{' | '}' | '#' | '|' | '!' | '~'
            | '$' => {
                out.push('\\');
                out.push(c);
            }
            // A list marker, a thematic break or a setext underline.
            '-' | '+' | '=' if line_start && chars.peek().is_none_or(|&n| n == c || n == ' ') => {
                out.push('\\');
                out.push(c);
            }
            '0'..='9' if line_start => {
                // "1. text" would start an ordered list.
                out.push(c);
                while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    out.push(d);
                    chars.next();
                }
                if let Some(&p @ ('.' | ')')) = chars.peek() {
                    chars.next();
                    if chars.peek().is_none_or(|n| n.is_whitespace()) {
                        out.push('\\');
                    }
                    out.push(p);
                }
            }
            ' ' | '\t' if line_start => continue,
            _ => out.push(c),
        }
        line_start = false;
    }
    out
}

/// Escapes text for HTML element content and quoted attribute values (`& < > " '`), so
/// playbook text never becomes markup.
pub(crate) fn html(text: &str) -> String {
    markup(text, Markup::Html)
}

/// Escapes text for SVG: [`html`], with control characters and the noncharacters U+FFFE and
/// U+FFFF (which XML 1.0 forbids, and line breaks, which SVG text does not show) as spaces.
pub(crate) fn xml(text: &str) -> String {
    markup(text, Markup::Svg)
}

/// Escapes text for the content and attribute values of an XML document (JUnit): `'` becomes
/// `&apos;`, tabs and line breaks are kept, and the characters XML 1.0 cannot hold become
/// U+FFFD.
pub(crate) fn xml_document(text: &str) -> String {
    markup(text, Markup::Xml)
}

/// What [`markup`] escapes for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Markup {
    Html,
    Svg,
    Xml,
}

fn markup(text: &str, to: Markup) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if to == Markup::Xml => out.push_str("&apos;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' if to == Markup::Xml => out.push(c),
            c if to == Markup::Svg && c.is_control() => out.push(' '),
            c if to != Markup::Html
                && (u32::from(c) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}') =>
            {
                out.push(if to == Markup::Svg { ' ' } else { '\u{fffd}' });
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a quoted Mermaid label: anything but letters, digits, spaces and harmless
/// punctuation becomes a Mermaid entity (`#35;`), so a label can neither close its quotes nor
/// its code fence.
pub(crate) fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() || " ,.:;?/-'".contains(c) {
            out.push(c);
        } else if c.is_control() {
            out.push(' ');
        } else {
            let _ = write!(out, "#{};", u32::from(c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_mail_urls_link() {
        let ok = |s: &str| Some(s.to_owned());
        assert_eq!(
            safe_href("https://example.com/a"),
            ok("https://example.com/a")
        );
        assert_eq!(
            safe_href("MAILTO:a@example.com"),
            ok("MAILTO:a@example.com")
        );
        assert_eq!(
            safe_href("https://[::1]:8080/a?q=<b>\"{x}[0]"),
            ok("https://[::1]:8080/a?q=%3Cb%3E%22%7Bx%7D%5B0%5D")
        );
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "java\tscript:alert(1)",
            "https://exa mple.com",
            "//example.com",
            "https://",
            "vbscript:x",
        ] {
            assert_eq!(safe_href(bad), None, "{bad}");
        }
    }

    #[test]
    fn markdown_structure_is_escaped() {
        assert_eq!(markdown("# not a heading"), "\\# not a heading");
        assert_eq!(
            markdown("[click](javascript:alert(5)) | pipe"),
            "\\[click\\]\\(javascript:alert\\(5\\)\\) \\| pipe"
        );
        assert_eq!(
            markdown("a\n---\n<details>"),
            "a<br>\\---<br>&lt;details&gt;"
        );
        assert_eq!(markdown("1. first"), "1\\. first");
        assert_eq!(markdown("- item"), "\\- item");
        assert_eq!(markdown("2026.3"), "2026.3");
        assert_eq!(markdown("-5% churn"), "-5% churn");
        assert_eq!(markdown("客户说：“太贵了”"), "客户说：“太贵了”");
    }

    #[test]
    fn markup_is_escaped_once_and_controls_blank_only_in_xml() {
        assert_eq!(
            html("<a href='x'>&\"/</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;/&lt;/a&gt;"
        );
        assert_eq!(html("a\u{1}b"), "a\u{1}b");
        assert_eq!(xml("a\u{1}<b\n"), "a &lt;b ");
        assert_eq!(xml("a\u{ffff}b"), "a b");
    }

    #[test]
    fn xml_documents_keep_line_breaks_and_replace_what_xml_cannot_hold() {
        assert_eq!(
            xml_document("<a href=\"x\">&'\u{1b}\u{fffe}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\u{fffd}\u{fffd}"
        );
        assert_eq!(xml_document("a\tb\r\nc\u{7f}"), "a\tb\r\nc\u{7f}");
    }

    #[test]
    fn mermaid_labels_cannot_break_out() {
        assert_eq!(mermaid("a\"]\n```"), "a#34;#93; #96;#96;#96;");
        assert_eq!(mermaid("需求分析"), "需求分析");
    }
}

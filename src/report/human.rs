//! Report stage: rustc-style output for people, through miette, from a source type with a
//! precomputed line index so thousands of findings in one big file still print in milliseconds.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::source::SourceFile;

/// How human output looks.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Colours and Unicode box drawing (off for `NO_COLOR`, pipes and tests).
    pub color: bool,
    /// Wrap width in columns.
    pub width: usize,
}

impl Style {
    /// Colour when stderr is a terminal and `NO_COLOR` is unset; `COLUMNS` or 100 for the width.
    pub(crate) fn detect(is_terminal: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(100);
        Self {
            color: is_terminal && !no_color,
            width,
        }
    }
}

/// The byte every control character of a snippet is swapped for before miette lays it out
/// (byte for byte, so spans stay put); [`HumanPrinter::render`] then shows it as
/// [`PLACEHOLDER`]. miette itself never prints it.
const STAND_IN: u8 = 0x1a;

/// What a control character of the user's text looks like on the terminal.
pub const PLACEHOLDER: char = '\u{fffd}';

/// Whether `c` must not reach a terminal: C0 and C1 control characters and DEL, except tab,
/// line feed and carriage return (which end lines).
fn is_unsafe_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// `text` with every control character but tab and line ends (an escape sequence's ESC, a
/// bell, a C1 control) shown as [`PLACEHOLDER`], so user text printed to a terminal cannot
/// move the cursor, change the title or hide what follows.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe_control) {
        return text.into();
    }
    text.chars()
        .map(|c| if is_unsafe_control(c) { PLACEHOLDER } else { c })
        .collect::<String>()
        .into()
}

/// `bytes` (UTF-8) with every control byte but tab and line ends swapped for [`STAND_IN`],
/// a C1 control (two bytes) for two of them.
fn stand_in_controls(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i < out.len() {
        match out[i] {
            b'\t' | b'\n' | b'\r' => {}
            0..=0x1f | 0x7f => out[i] = STAND_IN,
            0xc2 if out.get(i + 1).is_some_and(|b| (0x80..=0x9f).contains(b)) => {
                out[i] = STAND_IN;
                out[i + 1] = STAND_IN;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Whether `bytes` holds a control byte [`stand_in_controls`] swaps.
fn has_controls(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
        || bytes
            .iter()
            .any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
}

/// A file's text as miette reads it: the whole file, or the excerpts a finding's snippets
/// show (see [`keep_snippets_only`]); control characters in it are shown as [`STAND_IN`] (a
/// copy of the text made the first time a snippet holds one).
struct Source {
    parts: Vec<Part>,
    name: String,
    /// Snippets show the labelled lines only, no context around them.
    compact: bool,
}

/// One stretch of the file a [`Source`] holds.
struct Part {
    file: Arc<SourceFile>,
    clean: std::sync::OnceLock<Vec<u8>>,
}

impl Source {
    /// The text of `files`: one file, or excerpts of one file.
    fn new<'a>(files: impl IntoIterator<Item = &'a Arc<SourceFile>>) -> Self {
        let mut parts: Vec<Part> = Vec::new();
        for file in files {
            if !parts.iter().any(|part| Arc::ptr_eq(&part.file, file)) {
                parts.push(Part {
                    file: Arc::clone(file),
                    clean: std::sync::OnceLock::new(),
                });
            }
        }
        Self {
            name: parts
                .first()
                .map(|part| terminal_safe(&part.file.name).into_owned())
                .unwrap_or_default(),
            parts,
            compact: false,
        }
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        let Some(Part { file, clean }) = self
            .parts
            .iter()
            .find(|part| part.file.start() <= start && end <= part.file.end())
        else {
            return Err(MietteError::OutOfBounds);
        };
        let span_line = file.line_index(start);
        let last_span_line = file.line_index(end.saturating_sub(1).max(start));
        // miette asks for no context when it wants where a label starts (the data must then
        // begin at the label), and for context when it lays out a snippet: whole lines, with
        // none around them in a compact snippet.
        let laying_out = context_lines_before > 0;
        let (before, after) = if laying_out && self.compact {
            (0, 0)
        } else {
            (context_lines_before, context_lines_after)
        };
        let last_line = (last_span_line + after).min(file.line_count() - 1);
        // Long lines are shown only near the span, so a finding on a 16 MiB one-line file
        // prints a few hundred bytes, not the whole line.
        let data_end = file
            .line_start(last_line + 1)
            .min(file.end())
            .min(file.clamp(end..end + SNIPPET_MARGIN).end);
        let data_start = if laying_out {
            let first = span_line.saturating_sub(before);
            file.line_start(first).max(
                file.clamp(start.saturating_sub(SNIPPET_MARGIN)..start)
                    .start,
            )
        } else {
            start
        };
        let data_start = data_start.min(start);
        let line = file.line_index(data_start);
        let column = file.position(data_start).column - 1;
        let mut data = file.slice(data_start..data_end);
        if has_controls(data) {
            let clean = clean.get_or_init(|| stand_in_controls(file.text().as_bytes()));
            let range = file.clamp(data_start..data_end);
            data = &clean[range.start - file.start()..range.end - file.start()];
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            (data_start, data_end - data_start).into(),
            line,
            column,
            last_line + 1,
        )))
    }
}

/// One finding as miette sees it: labels into one file, and findings elsewhere as related.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: Source,
    labels: Vec<&'a Label>,
    others: Vec<Related<'a>>,
}

/// A related place in another file, shown as its own block under the finding.
struct Related<'a> {
    label: &'a Label,
    source: Source,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&terminal_safe(&self.diagnostic.message))
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&terminal_safe(&self.diagnostic.message))
    }
}

impl std::error::Error for Report<'_> {}

/// Bytes of a long line shown on each side of a label.
const SNIPPET_MARGIN: usize = 160;
/// Longest label shown in full; a longer one (a whole stage list, a long line) is underlined
/// only where it starts. JSON output keeps the full span.
const MAX_LABEL_BYTES: usize = 400;
/// Related places in the same file farther than this from the finding get a block of their
/// own, so one snippet never spans a long stretch of the file.
const MAX_SNIPPET_DISTANCE: usize = 2048;
/// Lines shown above and below a snippet.
const CONTEXT_LINES: usize = 1;

/// Places a finding shows at most (its own and related ones); JSON and SARIF keep them all.
const MAX_PLACES: usize = 4;

/// Places in one file from which a finding's snippet shows only their own lines, without the
/// lines around them.
const COMPACT_PLACES: usize = 3;

/// "and 3 more: lines 208, 247 and 286", for the places past [`MAX_PLACES`], grouped by file.
fn and_more(more: &[&Label]) -> String {
    let mut files: Vec<(&str, Vec<usize>)> = Vec::new();
    for label in more {
        let line = label.start().line;
        match files.iter_mut().find(|(name, _)| *name == label.file.name) {
            Some((_, lines)) => lines.push(line),
            None => files.push((&label.file.name, vec![line])),
        }
    }
    let places: Vec<String> = files
        .iter()
        .map(|(name, lines)| {
            let lines: Vec<String> = lines.iter().map(ToString::to_string).collect();
            let word = if lines.len() == 1 { "line" } else { "lines" };
            format!("{} {word} {}", terminal_safe(name), lines.join(", "))
        })
        .collect();
    format!("and {} more places: {}", more.len(), places.join("; "))
}

/// Whether a related place is shown in the finding's own snippet (same file, close by) rather
/// than in a block of its own.
fn shares_snippet(diagnostic: &Diagnostic, label: &Label) -> bool {
    let file = &diagnostic.primary.file;
    (Arc::ptr_eq(&label.file, file) || label.file.path == file.path)
        && label.span.start.abs_diff(diagnostic.primary.span.start) <= MAX_SNIPPET_DISTANCE
}

/// Swaps every file `diagnostic` points into for the excerpt its snippets show, so a finding
/// no longer keeps its whole file in memory. Every printer gives the same output afterwards.
pub fn keep_snippets_only(diagnostic: &mut Diagnostic) {
    let shared: Vec<bool> = diagnostic
        .related
        .iter()
        .map(|label| shares_snippet(diagnostic, label))
        .collect();
    let mut shown = display_span(&diagnostic.primary);
    for (label, _) in diagnostic.related.iter().zip(&shared).filter(|(_, s)| **s) {
        let other = display_span(label);
        shown = shown.start.min(other.start)..shown.end.max(other.end);
    }
    let excerpt = snippet_excerpt(&diagnostic.primary.file, shown);
    for (label, shared) in diagnostic.related.iter_mut().zip(shared) {
        let own = if shared {
            Arc::clone(&excerpt)
        } else {
            snippet_excerpt(&label.file, display_span(label))
        };
        label.keep_excerpt(own);
    }
    diagnostic.primary.keep_excerpt(excerpt);
}

/// The part of `file` that [`Source::read_span`] may read for a snippet of `shown` (or of
/// any span inside it): its lines with their context, at most twice the margin beyond it.
fn snippet_excerpt(file: &SourceFile, shown: std::ops::Range<usize>) -> Arc<SourceFile> {
    let first = file.line_index(shown.start).saturating_sub(CONTEXT_LINES);
    let last = file.line_index(shown.end.saturating_sub(1).max(shown.start)) + CONTEXT_LINES;
    let from = file
        .line_start(first)
        .max(shown.start.saturating_sub(2 * SNIPPET_MARGIN));
    let to = file
        .line_start(last + 1)
        .min(shown.end + 2 * SNIPPET_MARGIN);
    file.excerpt(from..to)
}

/// The part of `label` a snippet underlines.
fn display_span(label: &Label) -> std::ops::Range<usize> {
    let file = &label.file;
    let start = label.span.start;
    let mut end = label.span.end;
    if end - start > MAX_LABEL_BYTES {
        let first_line_end = file.line_end(file.line_index(start)).max(start);
        end = end.min(first_line_end).min(start + MAX_LABEL_BYTES);
    }
    file.clamp(start..end)
}

fn labeled(label: &Label, primary: bool) -> LabeledSpan {
    let shown = display_span(label);
    let span: SourceSpan = (shown.start, shown.len()).into();
    let text = label.text.as_deref().map(|t| terminal_safe(t).into_owned());
    if primary {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(terminal_safe(h)) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(
            self.labels
                .iter()
                .enumerate()
                .map(|(i, label)| labeled(label, i == 0)),
        ))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.others.is_empty() {
            return None;
        }
        Some(Box::new(
            self.others.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

impl fmt::Debug for Related<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&terminal_safe(
            self.label.text.as_deref().unwrap_or("related"),
        ))
    }
}

impl fmt::Display for Related<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&terminal_safe(
            self.label.text.as_deref().unwrap_or("related"),
        ))
    }
}

impl std::error::Error for Related<'_> {}

impl miette::Diagnostic for Related<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(labeled(self.label, true))))
    }
}

/// Prints findings in rustc style.
pub struct HumanPrinter {
    handler: GraphicalReportHandler,
}

impl HumanPrinter {
    /// A printer with the given style.
    pub fn new(style: Style) -> Self {
        let theme = if style.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Self {
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(style.width)
                .with_links(false)
                .with_context_lines(CONTEXT_LINES),
        }
    }

    /// Appends one finding to `out`.
    pub fn render(&self, diagnostic: &Diagnostic, out: &mut String) {
        let file = &diagnostic.primary.file;
        // Places in the finding's file are labelled lines of its snippet; places in other
        // files get a block each. Past MAX_PLACES, the rest are counted in one line.
        let (mut labels, mut others, mut more) =
            (vec![&diagnostic.primary], Vec::new(), Vec::new());
        for label in &diagnostic.related {
            if labels.len() + others.len() >= MAX_PLACES {
                more.push(label);
            } else if label.file.path == file.path {
                labels.push(label);
            } else {
                others.push(Related {
                    label,
                    source: Source::new([&label.file]),
                });
            }
        }
        let mut source = Source::new(labels.iter().map(|label| &label.file));
        source.compact = labels.len() >= COMPACT_PLACES;
        let report = Report {
            diagnostic,
            source,
            labels,
            others,
        };
        let mut text = String::new();
        if self.handler.render_report(&mut text, &report).is_err() {
            // Rendering into a String cannot fail on I/O; fall back to the plain facts.
            let start = diagnostic.primary.start();
            let _ = writeln!(
                text,
                "{}[{}]: {}\n  --> {}:{}:{}",
                diagnostic.severity,
                diagnostic.code,
                terminal_safe(&diagnostic.message),
                terminal_safe(&file.name),
                start.line,
                start.column
            );
        }
        // Control characters of snippets were laid out as the stand-in byte; show them.
        if text.contains(char::from(STAND_IN)) {
            text = text.replace(char::from(STAND_IN), &PLACEHOLDER.to_string());
        }
        out.push_str(&text);
        if !more.is_empty() {
            let _ = writeln!(out, "  {}", and_more(&more));
        }
        out.push('\n');
    }
}

//! Output layer: the SVG primitives and the one palette that the handbook's flow picture and
//! the metrics charts are drawn with. Every piece of text goes through [`super::escape::xml`];
//! coordinates are printed with one decimal, so the same input always draws the same bytes.

use std::fmt::Write as _;

use super::escape::xml;

/// The colours of every picture stagebook draws. A colour means the same thing everywhere:
/// green is won (or moved forward), red is lost (or over budget).
pub(crate) mod palette {
    /// Text, outlines and the arrows of the process.
    pub(crate) const INK: &str = "#1d3557";
    /// Secondary text, legends and allowed moves back.
    pub(crate) const MUTED: &str = "#5c6b7a";
    /// Won, and deals that advanced.
    pub(crate) const WON: &str = "#2d6a4f";
    /// Lost, and time over budget.
    pub(crate) const LOST: &str = "#8d2b2b";
    /// Moves back to an earlier stage.
    pub(crate) const BACK: &str = "#ef8f00";
    /// Deals still in the stage.
    pub(crate) const REMAINING: &str = "#9e9e9e";
    /// Neutral bars.
    pub(crate) const NEUTRAL: &str = "#3f6fb5";
    /// The light shade of [`NEUTRAL`], behind a neutral bar.
    pub(crate) const NEUTRAL_LIGHT: &str = "#c5d5ea";
}

/// Starts an `<svg>` image of `width` × `height` with an accessible `title`.
pub(crate) fn open(out: &mut String, width: f64, height: f64, title: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = xml(title)
    );
}

/// Ends the image [`open`] started.
pub(crate) fn close(out: &mut String) {
    out.push_str("</svg>");
}

/// Where a piece of text is anchored at its `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// Text starts at `x`.
    Start,
    /// Text ends at `x`.
    End,
}

/// A line of `text` at (`x`, `y`) styled by the CSS `class`.
pub(crate) fn text(out: &mut String, x: f64, y: f64, anchor: Anchor, class: &str, text: &str) {
    let anchor = match anchor {
        Anchor::Start => "",
        Anchor::End => r#" text-anchor="end""#,
    };
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}"{anchor} class="{class}">{}</text>"#,
        xml(text)
    );
}

/// A filled rectangle with a tooltip; nothing when it has no width.
pub(crate) fn rect(
    out: &mut String,
    (x, y): (f64, f64),
    (w, h): (f64, f64),
    fill: &str,
    tip: &str,
) {
    if w <= 0.0 {
        return;
    }
    let _ = write!(
        out,
        r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}"><title>{}</title></rect>"#,
        xml(tip)
    );
}

/// A vertical line at `x` from `y1` to `y2` with a tooltip, dashed by `dash` when given.
pub(crate) fn vertical(
    out: &mut String,
    x: f64,
    (y1, y2): (f64, f64),
    stroke: Stroke<'_>,
    tip: &str,
) {
    let _ = write!(
        out,
        r#"<line x1="{x:.1}" x2="{x:.1}" y1="{y1:.1}" y2="{y2:.1}" stroke="{}""#,
        stroke.colour
    );
    match stroke.dash {
        Some(dash) => {
            let _ = write!(out, r#" stroke-dasharray="{dash}""#);
        }
        None => {
            let _ = write!(out, r#" stroke-width="{}""#, stroke.width);
        }
    }
    let _ = write!(out, "><title>{}</title></line>", xml(tip));
}

/// How a line is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stroke<'a> {
    /// Its colour.
    pub(crate) colour: &'a str,
    /// Its width, for a solid line.
    pub(crate) width: u32,
    /// The dash pattern (`"3 2"`), for a dashed line.
    pub(crate) dash: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_numbers_are_stable() {
        let mut out = String::new();
        open(&mut out, 760.0, 66.0, "a<b");
        text(&mut out, 1.0 / 3.0, 2.0, Anchor::End, "l", "x\u{1}&y");
        rect(&mut out, (1.0, 2.0), (0.0, 3.0), palette::WON, "empty");
        rect(&mut out, (1.0, 2.0), (3.26, 4.0), palette::WON, "'");
        close(&mut out);
        assert_eq!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"66\" viewBox=\"0 0 760 66\" role=\"img\" aria-label=\"a&lt;b\"><title>a&lt;b</title>\
             <text x=\"0.3\" y=\"2.0\" text-anchor=\"end\" class=\"l\">x &amp;y</text>\
             <rect x=\"1.0\" y=\"2.0\" width=\"3.3\" height=\"4.0\" fill=\"#2d6a4f\"><title>&#39;</title></rect></svg>"
        );
    }
}

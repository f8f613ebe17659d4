//! Small SVG primitives for the HTML report: a chart frame with an accessible title, text,
//! rectangles, lines, a linear scale, tick steps and a sequential colour ramp. All text is
//! escaped; numbers are written with at most one decimal so the output is deterministic.

use std::fmt::Write;

/// Escapes text for HTML and SVG (element content and attribute values).
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with one decimal ("12.5", "-3").
fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == r.trunc() { format!("{}", r as i64) } else { format!("{r:.1}") }
}

/// One chart: an `<svg class="chart" id="chart-NAME" role="img">` with a `<title>`.
pub(crate) struct Chart {
    id: String,
    label: String,
    width: f64,
    height: f64,
    body: String,
}

/// Where text is anchored.
#[derive(Clone, Copy)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn name(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

impl Chart {
    /// A chart named `name` (its id is `chart-NAME`), described by `label`.
    pub(crate) fn new(name: &str, label: &str, width: f64, height: f64) -> Self {
        Chart { id: format!("chart-{name}"), label: label.into(), width, height, body: String::new() }
    }

    /// Text at (x, y) with a CSS class.
    pub(crate) fn text(&mut self, x: f64, y: f64, anchor: Anchor, class: &str, text: &str) {
        let _ = write!(
            self.body,
            r#"<text x="{}" y="{}" text-anchor="{}" class="{class}">{}</text>"#,
            n(x),
            n(y),
            anchor.name(),
            esc(text)
        );
    }

    /// Text rotated by -90 degrees around (x, y) (a vertical axis label).
    pub(crate) fn vertical_text(&mut self, x: f64, y: f64, class: &str, text: &str) {
        let _ = write!(
            self.body,
            r#"<text x="{0}" y="{1}" text-anchor="middle" class="{class}" transform="rotate(-90 {0} {1})">{2}</text>"#,
            n(x),
            n(y),
            esc(text)
        );
    }

    /// A rectangle (negative sizes are normalised) with a fill and a hover title.
    pub(crate) fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, tip: &str) {
        let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
        let (y, h) = if h < 0.0 { (y + h, -h) } else { (y, h) };
        let _ = write!(
            self.body,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>"#,
            n(x),
            n(y),
            n(w.max(0.5)),
            n(h),
            esc(fill),
            esc(tip)
        );
    }

    /// A line with a CSS class.
    pub(crate) fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &str) {
        let _ =
            write!(self.body, r#"<line x1="{}" y1="{}" x2="{}" y2="{}" class="{class}"/>"#, n(x1), n(y1), n(x2), n(y2));
    }

    /// A polyline through the points with a stroke colour.
    pub(crate) fn polyline(&mut self, points: &[(f64, f64)], stroke: &str, tip: &str) {
        let pts: Vec<String> = points.iter().map(|&(x, y)| format!("{},{}", n(x), n(y))).collect();
        let _ = write!(
            self.body,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"><title>{}</title></polyline>"#,
            pts.join(" "),
            esc(stroke),
            esc(tip)
        );
    }

    /// A small filled circle.
    pub(crate) fn dot(&mut self, x: f64, y: f64, fill: &str, tip: &str) {
        let _ = write!(
            self.body,
            r#"<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}</title></circle>"#,
            n(x),
            n(y),
            esc(fill),
            esc(tip)
        );
    }

    /// A legend entry: a swatch and its text.
    pub(crate) fn legend(&mut self, x: f64, y: f64, fill: &str, text: &str) {
        self.rect(x, y - 9.0, 12.0, 12.0, fill, text);
        self.text(x + 17.0, y + 1.0, Anchor::Start, "legend", text);
    }

    /// The finished `<svg>` element.
    pub(crate) fn finish(self) -> String {
        format!(
            r#"<svg class="chart" id="{}" role="img" aria-label="{}" viewBox="0 0 {} {}" width="{}" height="{}"><title>{}</title>{}</svg>"#,
            esc(&self.id),
            esc(&self.label),
            n(self.width),
            n(self.height),
            n(self.width),
            n(self.height),
            esc(&self.label),
            self.body
        )
    }
}

/// A linear map from a domain to a range of pixels.
#[derive(Clone, Copy)]
pub(crate) struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// Maps `[d0, d1]` onto `[r0, r1]` (an empty domain maps to `r0`).
    pub(crate) fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Self {
        Scale { d0, d1, r0, r1 }
    }

    /// The pixel of a value.
    pub(crate) fn at(&self, v: f64) -> f64 {
        if self.d1 == self.d0 { self.r0 } else { self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0) }
    }
}

/// A "nice" tick step (1, 2 or 5 x a power of ten) giving about `count` ticks up to `max`.
pub(crate) fn tick_step(max: f64, count: usize) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / count.max(1) as f64;
    let p = 10f64.powf(raw.log10().floor());
    let f = raw / p;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * p
}

/// A short number for axes: "950", "12 k", "3.4 M".
pub(crate) fn short(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    if a >= 1e9 {
        format!("{sign}{} G", n(a / 1e9))
    } else if a >= 1e6 {
        format!("{sign}{} M", n(a / 1e6))
    } else if a >= 1e4 {
        format!("{sign}{} k", n(a / 1e3))
    } else if a >= 100.0 {
        format!("{sign}{a:.0}")
    } else {
        format!("{sign}{}", n(a))
    }
}

/// A colour of the sequential ramp from pale (0) to deep blue (1), and whether text on it
/// should be white.
pub(crate) fn ramp(t: f64) -> (String, bool) {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let (a, b) = ((0xf3, 0xf7, 0xfc), (0x08, 0x40, 0x8c));
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    (format!("#{:02x}{:02x}{:02x}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2)), t > 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_user_text() {
        assert_eq!(
            esc(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
        let mut c = Chart::new("x", "a <b>", 10.0, 10.0);
        c.text(0.0, 0.0, Anchor::Start, "t", "<script>");
        let svg = c.finish();
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"));
    }

    #[test]
    fn scales_ticks_and_numbers() {
        assert_eq!(Scale::new(0.0, 10.0, 100.0, 0.0).at(5.0), 50.0);
        assert_eq!(tick_step(1000.0, 5), 200.0);
        assert_eq!(tick_step(7.0, 5), 2.0);
        assert_eq!(
            (short(950.0), short(12_300.0), short(3_400_000.0)),
            ("950".into(), "12.3 k".into(), "3.4 M".into())
        );
        assert_eq!(n(2.25), "2.3");
        assert_eq!(ramp(0.0).0, "#f3f7fc");
        assert_eq!(ramp(1.0), ("#08408c".into(), true));
    }
}

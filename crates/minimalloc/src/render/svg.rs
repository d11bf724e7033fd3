//! The SVG writer. Text is written by hand; every piece of user text (ids,
//! titles) goes through [`escape_into`].

use std::fmt::Write as _;

use crate::problem::{Problem, Solution};

use super::colour::PALETTE;
use super::format::{self, escape_into, Num};
use super::layout::{self, Layout, BLOCK_LEVELS};
use super::{RenderOptions, RenderSummary};

/// Drawn rectangles get a white outline from this size up (in pixels, both
/// dimensions): smaller ones would be all outline.
const OUTLINE_MIN_PX: f64 = 4.0;

/// Who the SVG is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// A file of its own: an XML declaration and a `<title>` tooltip in
    /// every rectangle.
    Standalone,
    /// Inside the HTML page: `data-*` attributes for the page's script
    /// instead of tooltips.
    Embedded,
}

/// Renders `solution` as SVG (see [the module documentation](super)).
pub fn svg(problem: &Problem, solution: &Solution, options: &RenderOptions) -> (String, RenderSummary) {
    write_svg(problem, solution, options, Flavor::Standalone)
}

pub(crate) fn write_svg(
    problem: &Problem,
    solution: &Solution,
    options: &RenderOptions,
    flavor: Flavor,
) -> (String, RenderSummary) {
    let layout = layout::layout(problem, solution, options);
    let mut out = String::with_capacity(4096 + layout.segs.len() * 160 + layout.blocks.len() * 80);
    write_document(&mut out, problem, solution, &layout, flavor);
    let summary =
        RenderSummary { rects: layout.segs.len(), merged: layout.merged, blocks: layout.blocks.len() };
    (out, summary)
}

fn write_document(out: &mut String, problem: &Problem, solution: &Solution, l: &Layout, flavor: Flavor) {
    let (w, h, p) = (l.width, l.height, l.plot);
    if flavor == Flavor::Standalone {
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"mm-svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" \
         font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11\">",
        Num(w),
        Num(h),
        Num(w),
        Num(h)
    );
    if flavor == Flavor::Standalone {
        // In a page this would be the tooltip of the whole picture.
        out.push_str("<title>");
        escape_into(out, &l.heading);
        out.push_str("</title>\n");
    }
    out.push_str(
        "<style>\
         .seg{vector-effect:non-scaling-stroke}\
         .seg:hover,.seg.hl{stroke:#000;stroke-width:1.5px;stroke-opacity:1}\
         .lbl{pointer-events:none}\
         .ax{stroke:#333;stroke-width:1;fill:none}\
         .grid{stroke:#e4e4e4;stroke-width:1}\
         .halo{fill:none;stroke:#fff;stroke-opacity:.6;stroke-width:2.6;stroke-linejoin:round;vector-effect:non-scaling-stroke;pointer-events:none}\
         .load{fill:none;stroke:#111;stroke-width:1.3;stroke-linejoin:round;vector-effect:non-scaling-stroke}\
         .cap{stroke:#c00;stroke-width:1.5;stroke-dasharray:7 4;vector-effect:non-scaling-stroke}\
         </style>\n",
    );
    let _ = writeln!(
        out,
        "<defs><clipPath id=\"mm-clip\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath></defs>",
        Num(p.x),
        Num(p.y),
        Num(p.w),
        Num(p.h)
    );
    out.push_str("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");

    // Titles.
    out.push_str(
        "<text class=\"heading\" x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"bold\" fill=\"#111\">",
    );
    escape_into(out, &l.heading);
    out.push_str("</text>\n<text class=\"subheading\" x=\"12\" y=\"42\" font-size=\"12\" fill=\"#444\">");
    escape_into(out, &l.subheading);
    out.push_str("</text>\n");

    // Grid lines behind the data.
    out.push_str("<g id=\"mm-grid\" class=\"grid\">");
    for (y, _) in &l.address_ticks {
        let _ = write!(out, "<path d=\"M{},{}H{}\"/>", Num(p.x), Num(*y), Num(p.x + p.w));
    }
    out.push_str("</g>\n");

    // The data, clipped to the plot. The page's script zooms and pans by
    // transforming the inner group; the clip stays put.
    let _ = writeln!(
        out,
        "<g clip-path=\"url(#mm-clip)\"><g id=\"mm-data\" data-plot=\"{} {} {} {}\" data-t=\"{} {}\" data-a=\"{} {}\">",
        Num(p.x),
        Num(p.y),
        Num(p.w),
        Num(p.h),
        l.t_range.0,
        l.t_range.1,
        l.a_range.0,
        l.a_range.1
    );
    write_segments(out, problem, solution, l, flavor);
    write_blocks(out, l, flavor);
    if !l.profile.is_empty() {
        // A white halo keeps the line visible over dark rectangles.
        let _ = writeln!(out, "<path class=\"halo\" d=\"{}\"/>", l.profile);
        let _ = writeln!(
            out,
            "<path class=\"load\" d=\"{}\"><title>lower bound: max load over time</title></path>",
            l.profile
        );
    }
    if let Some(y) = l.capacity_y {
        let _ = writeln!(out, "<path class=\"cap\" d=\"M{},{}H{}\"/>", Num(p.x), Num(y), Num(p.x + p.w));
    }
    out.push_str("</g></g>\n");
    // Labels outside the zoomed group, so that zooming moves them without
    // stretching them.
    out.push_str("<g id=\"mm-labels\" class=\"lbl\" text-anchor=\"middle\" clip-path=\"url(#mm-clip)\">");
    for label in &l.labels {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\"{}>",
            Num(label.x),
            Num(label.y),
            Num(label.size),
            if label.dark { " fill=\"#222\"" } else { " fill=\"#fff\"" }
        );
        escape_into(out, &problem.buffers[label.buffer].id);
        out.push_str("</text>");
    }
    out.push_str("</g>\n");
    if let Some(y) = l.capacity_y {
        let _ = write!(
            out,
            "<text id=\"mm-cap-label\" x=\"{}\" y=\"{}\" data-y=\"{}\" text-anchor=\"end\" fill=\"#c00\" \
             font-size=\"11\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">",
            Num(p.x + p.w - 4.0),
            Num((y - 4.0).max(p.y + 10.0)),
            Num(y)
        );
        escape_into(out, &l.capacity_text);
        out.push_str("</text>\n");
    }
    write_axes(out, l);
    write_legend(out, l);
    out.push_str("</svg>\n");
}

fn write_segments(out: &mut String, problem: &Problem, solution: &Solution, l: &Layout, flavor: Flavor) {
    out.push_str("<g class=\"segs\">\n");
    for seg in &l.segs {
        let buffer = &problem.buffers[seg.buffer];
        let offset = solution.offsets[seg.buffer];
        let px = seg.px;
        let colour = PALETTE[seg.colour as usize % PALETTE.len()];
        let _ = write!(
            out,
            "<rect class=\"seg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"",
            Num(px.x),
            Num(px.y),
            Num(px.w),
            Num(px.h),
            colour
        );
        let outlined = px.w >= OUTLINE_MIN_PX && px.h >= OUTLINE_MIN_PX;
        if seg.partial {
            // Lighter, with a dashed outline in the buffer's colour.
            out.push_str(" fill-opacity=\".35\"");
            if outlined {
                let _ = write!(out, " stroke=\"{colour}\" stroke-dasharray=\"3 2\"");
            }
        } else if outlined {
            out.push_str(" stroke=\"#fff\" stroke-opacity=\".8\"");
        }
        match flavor {
            Flavor::Embedded => {
                let _ = write!(out, " data-i=\"{}\" data-id=\"", seg.buffer);
                escape_into(out, &buffer.id);
                let _ = write!(
                    out,
                    "\" data-lower=\"{}\" data-upper=\"{}\" data-size=\"{}\" data-offset=\"{}\"",
                    buffer.lifespan.lower, buffer.lifespan.upper, buffer.size, offset
                );
                if seg.span != buffer.lifespan || seg.partial {
                    let _ = write!(out, " data-from=\"{}\" data-to=\"{}\"", seg.span.lower, seg.span.upper);
                }
                if seg.partial {
                    let _ = write!(out, " data-window=\"{}\"", seg.window);
                }
                out.push_str("/>\n");
            }
            Flavor::Standalone => {
                out.push_str("><title>");
                escape_into(out, &buffer.id);
                let _ = write!(
                    out,
                    ": lifespan {}, size {} ({}), offset {}",
                    buffer.lifespan,
                    buffer.size,
                    format::bytes(buffer.size as i128),
                    offset
                );
                if seg.partial {
                    let _ = write!(out, "; window {} during {}", seg.window, seg.span);
                } else if seg.span != buffer.lifespan {
                    let _ = write!(out, "; active during {}", seg.span);
                }
                out.push_str("</title></rect>\n");
            }
        }
    }
    out.push_str("</g>\n");
}

fn write_blocks(out: &mut String, l: &Layout, flavor: Flavor) {
    if l.blocks.is_empty() {
        return;
    }
    let _ = writeln!(out, "<g class=\"agg\" fill=\"#5f5f5f\" data-merged=\"{}\">", l.merged);
    for level in 1..=BLOCK_LEVELS as u8 {
        let opacity = 0.35 + 0.55 * f64::from(level - 1) / (BLOCK_LEVELS - 1) as f64;
        let _ = write!(out, "<g fill-opacity=\"{}\">", Num(opacity));
        for block in l.blocks.iter().filter(|b| b.level == level) {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"",
                Num(block.px.x),
                Num(block.px.y),
                Num(block.px.w),
                Num(block.px.h)
            );
            match flavor {
                Flavor::Embedded => {
                    let _ = write!(out, " data-n=\"{}\"/>", block.count);
                }
                Flavor::Standalone => {
                    let _ = write!(out, "><title>{} small segments merged here</title></rect>", block.count);
                }
            }
        }
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
}

fn write_axes(out: &mut String, l: &Layout) {
    let p = l.plot;
    let (bottom, right) = (p.y + p.h, p.x + p.w);
    out.push_str("<g class=\"axes\" font-size=\"11\" fill=\"#333\">\n");
    let _ =
        writeln!(out, "<path class=\"ax\" d=\"M{},{}V{}H{}\"/>", Num(p.x), Num(p.y), Num(bottom), Num(right));
    out.push_str("<g id=\"mm-xticks\" text-anchor=\"middle\">");
    for (x, text) in &l.time_ticks {
        let _ = write!(
            out,
            "<path class=\"ax\" d=\"M{},{}v5\"/><text x=\"{}\" y=\"{}\">{}</text>",
            Num(*x),
            Num(bottom),
            Num(*x),
            Num(bottom + 17.0),
            text
        );
    }
    out.push_str("</g>\n<g id=\"mm-yticks\" text-anchor=\"end\">");
    for (y, text) in &l.address_ticks {
        let _ = write!(
            out,
            "<path class=\"ax\" d=\"M{},{}h-5\"/><text x=\"{}\" y=\"{}\">{}</text>",
            Num(p.x),
            Num(*y),
            Num(p.x - 8.0),
            Num(*y + 4.0),
            text
        );
    }
    out.push_str("</g>\n");
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\">time</text>",
        Num(p.x + p.w / 2.0),
        Num(bottom + 34.0)
    );
    let _ = writeln!(
        out,
        "<text transform=\"translate(16,{}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">address</text>",
        Num(p.y + p.h / 2.0)
    );
    out.push_str("</g>\n");
}

/// The legend's swatches.
enum Swatch {
    Fill(&'static str, &'static str),
    Load,
    Capacity,
}

fn write_legend(out: &mut String, l: &Layout) {
    let y = l.height - 14.0;
    let mut items: Vec<(Swatch, String)> = vec![
        (Swatch::Fill(PALETTE[0], ""), "buffer (active)".into()),
        (Swatch::Load, "lower bound (max load)".into()),
    ];
    if l.windows {
        let window = " fill-opacity=\".35\" stroke=\"#4e79a7\" stroke-dasharray=\"3 2\"";
        items.insert(1, (Swatch::Fill(PALETTE[0], window), "gap window (partly active)".into()));
    }
    if l.capacity_y.is_some() {
        items.push((Swatch::Capacity, "capacity".into()));
    }
    if l.merged > 0 {
        items.push((
            Swatch::Fill("#5f5f5f", " fill-opacity=\".6\""),
            format!("{} small segments merged", l.merged),
        ));
    }
    let mut x = l.plot.x;
    out.push_str("<g class=\"legend\" font-size=\"11\" fill=\"#333\">");
    for (swatch, text) in items {
        let _ = match swatch {
            Swatch::Fill(fill, extra) => write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"16\" height=\"10\" fill=\"{fill}\"{extra}/>",
                Num(x),
                Num(y - 5.0)
            ),
            Swatch::Load => {
                write!(out, "<path class=\"load\" d=\"M{},{}h5v-8h6v8h5\"/>", Num(x), Num(y + 4.0))
            }
            Swatch::Capacity => write!(out, "<path class=\"cap\" d=\"M{},{}h16\"/>", Num(x), Num(y)),
        };
        let _ = write!(out, "<text x=\"{}\" y=\"{}\">", Num(x + 22.0), Num(y + 4.0));
        escape_into(out, &text);
        out.push_str("</text>");
        x += 22.0 + text.chars().count() as f64 * 6.3 + 18.0;
    }
    if l.unplaced > 0 {
        let _ = write!(out, "<text x=\"{}\" y=\"{}\" fill=\"#c00\">", Num(x), Num(y + 4.0));
        escape_into(out, &format!("{} buffers without offset", l.unplaced));
        out.push_str("</text>");
    }
    out.push_str("</g>\n");
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::generate;
    use crate::problem::{Buffer, Gap, Interval};
    use crate::search::{Solver, SolverParams};

    /// A minimal XML well-formedness check: balanced tags, quoted attributes,
    /// no raw `<` or stray `&` in text. Returns the start tags in order.
    pub(crate) fn check_xml(text: &str) -> Result<Vec<String>, String> {
        let bytes = text.as_bytes();
        let mut stack: Vec<String> = Vec::new();
        let mut tags = Vec::new();
        let mut i = 0;
        let mut roots = 0;
        while i < bytes.len() {
            if bytes[i] == b'&' {
                let end = text[i..].find(';').ok_or(format!("bare & at {i}"))?;
                let entity = &text[i + 1..i + end];
                let known = ["amp", "lt", "gt", "quot", "apos"].contains(&entity)
                    || entity.starts_with('#') && entity.len() > 1;
                if !known {
                    return Err(format!("unknown entity &{entity}; at {i}"));
                }
                i += end + 1;
                continue;
            }
            if bytes[i] != b'<' {
                i += 1;
                continue;
            }
            if text[i..].starts_with("<?") {
                i += text[i..].find("?>").ok_or("unterminated declaration")? + 2;
                continue;
            }
            if text[i..].starts_with("<!--") {
                i += text[i..].find("-->").ok_or("unterminated comment")? + 3;
                continue;
            }
            if text[i..].starts_with("</") {
                let end = i + text[i..].find('>').ok_or("unterminated end tag")?;
                let name = text[i + 2..end].trim();
                match stack.pop() {
                    Some(open) if open == name => {}
                    other => return Err(format!("</{name}> at {i} closes {other:?}")),
                }
                i = end + 1;
                continue;
            }
            // A start tag: name, then name="value" pairs, then > or />.
            let mut j = i + 1;
            let name_end =
                j + text[j..].find(|c: char| c.is_whitespace() || c == '>' || c == '/').ok_or("eof")?;
            let name = &text[j..name_end];
            if stack.is_empty() {
                roots += 1;
                if roots > 1 {
                    return Err(format!("second root element <{name}> at {i}"));
                }
            }
            if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || "-_:.".contains(c)) {
                return Err(format!("bad tag name {name:?} at {i}"));
            }
            j = name_end;
            let mut attributes = std::collections::HashSet::new();
            loop {
                while bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                if text[j..].starts_with("/>") {
                    j += 2;
                    break;
                }
                if bytes[j] == b'>' {
                    stack.push(name.to_string());
                    j += 1;
                    break;
                }
                let eq = j + text[j..].find('=').ok_or(format!("attribute without value at {j}"))?;
                let attribute = text[j..eq].trim();
                if attribute.is_empty() || attribute.contains(|c: char| c.is_whitespace() || c == '<') {
                    return Err(format!("bad attribute {attribute:?} at {j}"));
                }
                if !attributes.insert(attribute) {
                    return Err(format!("duplicate attribute {attribute} at {j}"));
                }
                let quote = bytes[eq + 1];
                if quote != b'"' && quote != b'\'' {
                    return Err(format!("unquoted attribute {attribute} at {j}"));
                }
                let close = eq + 2 + text[eq + 2..].find(quote as char).ok_or("unterminated value")?;
                let value = &text[eq + 2..close];
                if value.contains('<') {
                    return Err(format!("raw < in attribute {attribute} at {j}"));
                }
                let mut k = 0;
                while let Some(amp) = value[k..].find('&') {
                    let rest = &value[k + amp..];
                    let semi = rest.find(';').ok_or(format!("bare & in attribute {attribute}"))?;
                    if rest[1..semi].contains(|c: char| !c.is_alphanumeric() && c != '#') {
                        return Err(format!("bare & in attribute {attribute}"));
                    }
                    k += amp + 1;
                }
                j = close + 1;
            }
            tags.push(text[i..j].to_string());
            i = j;
        }
        if let Some(open) = stack.pop() {
            return Err(format!("<{open}> never closed"));
        }
        if roots != 1 {
            return Err("no root element".into());
        }
        Ok(tags)
    }

    pub(crate) fn gapped_problem() -> (Problem, Solution) {
        let gap = |l, u, w: Option<(i64, i64)>| Gap {
            lifespan: Interval::new(l, u),
            window: w.map(|(a, b)| Interval::new(a, b)),
        };
        let mut a = Buffer::new("a&b", 0, 10, 4 << 10);
        a.gaps = vec![gap(2, 4, None), gap(6, 8, Some((0, 1 << 10)))];
        let mut b = Buffer::new("<b>", 3, 12, 2 << 10);
        b.gaps = vec![gap(5, 7, Some((1 << 10, 2 << 10)))];
        let c = Buffer::new("c\"'", 10, 20, 6 << 10);
        let d = Buffer::new("d", 0, 20, 1 << 10);
        let problem = Problem { buffers: vec![a, b, c, d], capacity: 10 << 10 };
        let mut solver = Solver::new(SolverParams::default());
        let solution = solver.solve(&problem).expect("feasible");
        (problem, solution)
    }

    fn count(text: &str, needle: &str) -> usize {
        text.matches(needle).count()
    }

    #[test]
    fn render_small_problem_with_gaps_and_windows() {
        let (problem, solution) = gapped_problem();
        let segments: usize = problem.buffers.iter().map(|b| b.segments().len()).sum();
        assert_eq!(segments, 9, "a: 3 pieces + a window, b: 2 pieces + a window, c, d");
        let options = RenderOptions { title: Some("tiny & <gapped>".into()), ..Default::default() };
        let (text, summary) = svg(&problem, &solution, &options);
        let tags = check_xml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert!(tags.iter().any(|t| t.starts_with("<svg ")));
        assert_eq!(count(&text, "<rect class=\"seg\""), segments);
        assert_eq!(summary, RenderSummary { rects: segments, merged: 0, blocks: 0 });
        assert_eq!(count(&text, "fill-opacity=\".35\""), 2 + 1, "two windows and the legend swatch");
        // Ids escaped, in tooltips and labels.
        assert!(text.contains("a&amp;b"));
        assert!(text.contains("&lt;b&gt;"));
        assert!(text.contains("c&quot;&apos;"));
        assert!(!text.contains("<b>"));
        assert!(text.contains("tiny &amp; &lt;gapped&gt;"));
        // Capacity, title with the ratio, the lower bound line.
        assert!(text.contains("class=\"cap\""));
        assert!(text.contains("capacity 10.00 KiB"));
        let ratio = solution.height as f64 / problem.lower_bound() as f64;
        assert!(text.contains(&format!("ratio {ratio:.3}")), "{text}");
        assert!(text.contains("lower bound (max load)"));
        assert!(text.contains("class=\"load\" d=\"M"));
        assert!(text.contains("<title>a&amp;b: lifespan [0, 10), size 4096 (4.00 KiB), offset"));
        assert!(text.contains("KiB</text>"), "address ticks in KiB");
        assert!(!text.contains("merged"));
    }

    #[test]
    fn checker_rejects_malformed_xml() {
        assert!(check_xml("<a><b></a></b>").is_err());
        assert!(check_xml("<a x=1/>").is_err());
        assert!(check_xml("<a>x < y</a>").is_err());
        assert!(check_xml("<a>x & y</a>").is_err());
        assert!(check_xml("<a x=\"1\" x=\"2\"/>").is_err());
        assert!(check_xml("<a>").is_err());
        assert!(check_xml("<?xml version=\"1.0\"?>\n<a x='1'>&amp;<b/></a>\n").is_ok());
    }

    #[test]
    fn render_without_capacity_or_buffers() {
        let problem = Problem { buffers: vec![Buffer::new("x", 5, 6, 3)], capacity: 0 };
        let solution = Solution::from_offsets(&problem, vec![0]);
        let (text, _) = svg(&problem, &solution, &RenderOptions::default());
        check_xml(&text).unwrap();
        assert!(!text.contains("class=\"cap\""));
        assert!(text.contains("ratio 1.000"));
        let (text, summary) = svg(&Problem::default(), &Solution::default(), &RenderOptions::default());
        check_xml(&text).unwrap();
        assert_eq!(summary.rects, 0);
        assert!(text.contains("ratio n/a"));
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let mut problem = Problem {
            buffers: vec![
                Buffer::new("big", i64::MIN / 2, i64::MAX / 2, i64::MAX / 4),
                Buffer::new("s", 0, 1, 1),
            ],
            capacity: i64::MAX,
        };
        problem.buffers[1].size = i64::MAX / 4;
        let solution = Solution::from_offsets(&problem, vec![0, i64::MAX / 2]);
        let (text, summary) = svg(&problem, &solution, &RenderOptions::default());
        check_xml(&text).unwrap();
        assert_eq!(summary.rects + summary.merged, 2);
        assert!(!text.contains("NaN") && !text.contains("inf"));
    }

    /// Offsets stacking buffers greedily: valid enough to draw.
    pub(crate) fn stacked(problem: &Problem) -> Solution {
        let mut offsets = Vec::with_capacity(problem.buffers.len());
        let mut next = 0i64;
        for buffer in &problem.buffers {
            offsets.push(next);
            next += buffer.size;
        }
        Solution::from_offsets(problem, offsets)
    }

    #[test]
    fn render_twenty_thousand_buffers() {
        let problem = generate::ml(20_000, 5);
        let solution = stacked(&problem);
        let options = RenderOptions::default();
        let (text, summary) = svg(&problem, &solution, &options);
        check_xml(&text).unwrap();
        assert!(summary.merged > 0, "{summary:?}");
        assert!(summary.rects <= options.max_rects);
        assert_eq!(summary.rects + summary.merged, 20_000);
        assert_eq!(count(&text, "<rect class=\"seg\""), summary.rects);
        assert!(summary.blocks > 0 && summary.blocks < 60_000, "{summary:?}");
        assert!(text.contains(&format!("{} small segments merged", summary.merged)));
        assert!(text.len() < 10 << 20, "{} bytes", text.len());

        // A cap on rectangles merges the smallest ones even when visible.
        let problem = generate::guillotine(3000, 2, 1 << 20, 1 << 20);
        let solution = stacked(&problem);
        let options = RenderOptions { max_rects: 500, ..Default::default() };
        let (text, summary) = svg(&problem, &solution, &options);
        check_xml(&text).unwrap();
        assert_eq!(summary.rects, 500);
        assert_eq!(summary.merged, 2500);
    }
}

//! Geometry of the picture, shared by the SVG and HTML writers: where each
//! segment goes in pixels, which segments are merged into grey blocks,
//! labels, the max-load step line, ticks and titles.

use crate::problem::{Lifespan, Problem, Solution, Window};

use super::colour;
use super::format::{self, Num};
use super::RenderOptions;

/// Segments smaller than this many pixels in both dimensions are merged.
const MIN_VISIBLE_PX: f64 = 0.5;
/// Side of the square cells in which merged segments are accumulated.
pub(crate) const CELL_PX: f64 = 2.0;
/// Labels written at most (one per buffer, in its largest segment).
const MAX_LABELS: usize = 4000;
/// Grey levels of merged blocks, by how much of a cell the merged segments cover.
pub(crate) const BLOCK_LEVELS: usize = 4;
/// The fractions of a cell covered from which blocks reach levels 2, 3, 4.
const LEVEL_THRESHOLDS: [f64; BLOCK_LEVELS - 1] = [0.03, 0.12, 0.4];

/// A rectangle in pixels, y growing downwards.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Px {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// One active segment of a buffer, drawn as its own rectangle.
#[derive(Clone, Debug)]
pub(crate) struct Seg {
    /// The buffer's index in the problem.
    pub buffer: usize,
    /// When the segment is active.
    pub span: Lifespan,
    /// The addresses it uses, relative to the buffer's offset.
    pub window: Window,
    /// Whether it is a gap's window rather than the whole buffer.
    pub partial: bool,
    pub px: Px,
    /// A palette index.
    pub colour: u8,
}

/// A buffer's id written inside one of its segments.
#[derive(Clone, Debug)]
pub(crate) struct Label {
    pub buffer: usize,
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub dark: bool,
}

/// A grey block standing for merged segments.
#[derive(Clone, Debug)]
pub(crate) struct Block {
    pub px: Px,
    /// `1..=BLOCK_LEVELS`: how densely the merged segments cover it.
    pub level: u8,
    /// How many merged segments have their centre inside.
    pub count: usize,
}

/// Everything the writers need.
pub(crate) struct Layout {
    pub width: f64,
    pub height: f64,
    /// The plotting area.
    pub plot: Px,
    pub segs: Vec<Seg>,
    pub labels: Vec<Label>,
    pub blocks: Vec<Block>,
    /// Segments merged into blocks.
    pub merged: usize,
    /// Whether some drawn segment is a gap's window.
    pub windows: bool,
    /// Buffers the solution gives no offset (not drawn).
    pub unplaced: usize,
    /// The `d` attribute of the max-load step line.
    pub profile: String,
    /// The pixel row of the capacity, when the capacity is positive.
    pub capacity_y: Option<f64>,
    pub time_ticks: Vec<(f64, String)>,
    pub address_ticks: Vec<(f64, String)>,
    /// The times at the plot's left and right edges.
    pub t_range: (i128, i128),
    /// The addresses at the plot's bottom and top edges.
    pub a_range: (i128, i128),
    pub heading: String,
    pub subheading: String,
    pub capacity_text: String,
}

/// Maps time and addresses to pixels.
struct Scale {
    plot: Px,
    t0: i128,
    t_span: f64,
    a0: i128,
    a_span: f64,
}

impl Scale {
    fn x(&self, t: i128) -> f64 {
        self.plot.x + (t - self.t0) as f64 / self.t_span * self.plot.w
    }

    fn y(&self, a: i128) -> f64 {
        self.plot.y + self.plot.h - (a - self.a0) as f64 / self.a_span * self.plot.h
    }
}

pub(crate) fn layout(problem: &Problem, solution: &Solution, options: &RenderOptions) -> Layout {
    let width = f64::from(options.width.max(320));
    let height = f64::from(options.height.max(240));
    let plot = Px { x: 84.0, y: 58.0, w: width - 84.0 - 24.0, h: height - 58.0 - 72.0 };
    let buffers = &problem.buffers;
    let offsets = &solution.offsets;

    // Ranges: all of time, addresses from 0 (or below, for odd offsets) to
    // above the height, the capacity and the lower bound.
    let t0 = buffers.iter().map(|b| b.lifespan.lower as i128).min().unwrap_or(0);
    let t1 = buffers.iter().map(|b| b.lifespan.upper as i128).max().unwrap_or(1).max(t0 + 1);
    let mut pieces: Vec<(usize, Lifespan, Window, bool, i128, i128)> = Vec::new();
    for (i, buffer) in buffers.iter().enumerate() {
        let Some(&offset) = offsets.get(i) else { continue };
        let full = Window::new(0, buffer.size);
        for (span, window) in buffer.segments() {
            let lo = offset as i128 + window.lower as i128;
            let hi = offset as i128 + window.upper as i128;
            pieces.push((i, span, window, window != full, lo, hi));
        }
    }
    let lower_bound = problem.lower_bound();
    let a0 = pieces.iter().map(|p| p.4).min().unwrap_or(0).min(0);
    let top = pieces
        .iter()
        .map(|p| p.5)
        .max()
        .unwrap_or(0)
        .max(solution.height as i128)
        .max(problem.capacity as i128)
        .max(lower_bound as i128)
        .max(a0 + 1);
    let a1 = top + (top - a0) / 25;
    let scale = Scale { plot, t0, t_span: (t1 - t0) as f64, a0, a_span: (a1 - a0).max(1) as f64 };

    // Pixels of every segment; the visible ones (up to max_rects, largest
    // first) are drawn, the others merged.
    let colours = colour::assign(problem, offsets);
    let mut all: Vec<Seg> = pieces
        .iter()
        .map(|&(buffer, span, window, partial, lo, hi)| {
            let (x0, x1) = (scale.x(span.lower as i128), scale.x(span.upper as i128));
            let (y0, y1) = (scale.y(hi), scale.y(lo));
            Seg {
                buffer,
                span,
                window,
                partial,
                px: Px { x: x0, y: y0, w: x1 - x0, h: y1 - y0 },
                colour: colours[buffer],
            }
        })
        .collect();
    let total_segments = all.len();
    let visible = |s: &Seg| s.px.w >= MIN_VISIBLE_PX || s.px.h >= MIN_VISIBLE_PX;
    let mut keep: Vec<bool> = all.iter().map(visible).collect();
    let kept = keep.iter().filter(|&&k| k).count();
    if kept > options.max_rects {
        let mut order: Vec<usize> = (0..all.len()).filter(|&i| keep[i]).collect();
        order.sort_by(|&a, &b| {
            let area = |i: usize| all[i].px.w * all[i].px.h;
            area(b).total_cmp(&area(a)).then(a.cmp(&b))
        });
        for &i in &order[options.max_rects..] {
            keep[i] = false;
        }
    }
    let mut merged_segs = Vec::new();
    let mut segs = Vec::new();
    for (seg, keep) in all.drain(..).zip(keep) {
        if keep {
            segs.push(seg);
        } else {
            merged_segs.push(seg);
        }
    }
    let merged = merged_segs.len();
    let blocks = merge_blocks(&merged_segs, plot);
    let labels = place_labels(problem, &segs);

    let capacity_y = (problem.capacity > 0).then(|| scale.y(problem.capacity as i128));
    let time_ticks = format::time_ticks(t0, t1, ((plot.w / 90.0) as i128).max(2))
        .into_iter()
        .map(|t| (scale.x(t), t.to_string()))
        .collect();
    let address_ticks = format::address_ticks(a0, a1, ((plot.h / 45.0) as i128).max(2))
        .into_iter()
        .map(|a| (scale.y(a), format::bytes_tick(a)))
        .collect();

    let ratio = if lower_bound > 0 {
        format!("{:.3}", solution.height as f64 / lower_bound as f64)
    } else {
        "n/a".to_string()
    };
    let stats = format!(
        "height {} · lower bound {} · ratio {ratio}",
        format::bytes(solution.height as i128),
        format::bytes(lower_bound as i128)
    );
    let heading = match &options.title {
        Some(title) => format!("{title} — {stats}"),
        None => stats,
    };
    let mut subheading = format!(
        "{} buffers, {} segments · time [{}, {}) · capacity {}",
        buffers.len(),
        total_segments,
        t0,
        t1,
        if problem.capacity > 0 { format::bytes(problem.capacity as i128) } else { "none".to_string() }
    );
    if merged > 0 {
        subheading.push_str(&format!(" · {merged} small segments merged into grey blocks"));
    }
    let unplaced = buffers.len().saturating_sub(offsets.len());
    if unplaced > 0 {
        subheading.push_str(&format!(" · {unplaced} buffers without offset not drawn"));
    }
    Layout {
        width,
        height,
        plot,
        segs,
        labels,
        blocks,
        merged,
        windows: pieces.iter().any(|p| p.3),
        unplaced,
        profile: profile_path(problem, &scale),
        capacity_y,
        time_ticks,
        address_ticks,
        t_range: (t0, t1),
        a_range: (a0, a1),
        heading,
        subheading,
        capacity_text: format!("capacity {}", format::bytes(problem.capacity as i128)),
    }
}

/// Accumulates the merged segments' area in square cells and turns the
/// covered cells into grey blocks, runs of equal density merged across
/// columns and then across rows.
fn merge_blocks(merged: &[Seg], plot: Px) -> Vec<Block> {
    if merged.is_empty() {
        return Vec::new();
    }
    let cols = (plot.w / CELL_PX).ceil().max(1.0) as usize;
    let rows = (plot.h / CELL_PX).ceil().max(1.0) as usize;
    let mut cover = vec![0f64; cols * rows];
    let mut count = vec![0usize; cols * rows];
    for seg in merged {
        // Clip to the plot, relative to its corner, in cells.
        let x0 = (seg.px.x - plot.x).clamp(0.0, plot.w) / CELL_PX;
        let x1 = (seg.px.x + seg.px.w - plot.x).clamp(0.0, plot.w) / CELL_PX;
        let y0 = (seg.px.y - plot.y).clamp(0.0, plot.h) / CELL_PX;
        let y1 = (seg.px.y + seg.px.h - plot.y).clamp(0.0, plot.h) / CELL_PX;
        let cell = |v: f64, n: usize| (v.floor().max(0.0) as usize).min(n - 1);
        let (c0, c1, r0, r1) = (cell(x0, cols), cell(x1, cols), cell(y0, rows), cell(y1, rows));
        for r in r0..=r1 {
            let dy = (y1.min(r as f64 + 1.0) - y0.max(r as f64)).max(0.0);
            for c in c0..=c1 {
                let dx = (x1.min(c as f64 + 1.0) - x0.max(c as f64)).max(0.0);
                cover[r * cols + c] += dx * dy;
            }
        }
        let (cx, cy) = (cell((x0 + x1) / 2.0, cols), cell((y0 + y1) / 2.0, rows));
        count[cy * cols + cx] += 1;
    }
    let level = |i: usize| -> u8 {
        if count[i] == 0 && cover[i] <= 0.0 {
            0
        } else {
            // Merged segments are small, so most cells are covered thinly:
            // the levels grow geometrically to tell sparse from dense.
            1 + LEVEL_THRESHOLDS.iter().filter(|&&t| cover[i] >= t).count() as u8
        }
    };
    let mut blocks: Vec<Block> = Vec::new();
    // Runs of the previous row: (first column, end column, level) -> block.
    let mut open: std::collections::HashMap<(usize, usize, u8), usize> = Default::default();
    for r in 0..rows {
        let mut next_open = std::collections::HashMap::new();
        let mut c = 0;
        while c < cols {
            let l = level(r * cols + c);
            if l == 0 {
                c += 1;
                continue;
            }
            let start = c;
            let mut n = 0;
            while c < cols && level(r * cols + c) == l {
                n += count[r * cols + c];
                c += 1;
            }
            let key = (start, c, l);
            let index = match open.get(&key) {
                Some(&b) => {
                    blocks[b].px.h += CELL_PX;
                    blocks[b].count += n;
                    b
                }
                None => {
                    blocks.push(Block {
                        px: Px {
                            x: plot.x + start as f64 * CELL_PX,
                            y: plot.y + r as f64 * CELL_PX,
                            w: (c - start) as f64 * CELL_PX,
                            h: CELL_PX,
                        },
                        level: l,
                        count: n,
                    });
                    blocks.len() - 1
                }
            };
            next_open.insert(key, index);
        }
        open = next_open;
    }
    // The last column and row may stick out of the plot.
    for block in &mut blocks {
        block.px.w = block.px.w.min(plot.x + plot.w - block.px.x);
        block.px.h = block.px.h.min(plot.y + plot.h - block.px.y);
    }
    blocks
}

/// One label per buffer, centred in its largest drawn segment, when the id
/// fits there.
fn place_labels(problem: &Problem, segs: &[Seg]) -> Vec<Label> {
    let mut best: Vec<Option<usize>> = vec![None; problem.buffers.len()];
    for (k, seg) in segs.iter().enumerate() {
        let area = |s: &Seg| s.px.w * s.px.h;
        match best[seg.buffer] {
            Some(b) if area(&segs[b]) >= area(seg) => {}
            _ => best[seg.buffer] = Some(k),
        }
    }
    let mut labels = Vec::new();
    for (buffer, k) in best.iter().enumerate() {
        let Some(k) = *k else { continue };
        let seg = &segs[k];
        let chars = problem.buffers[buffer].id.chars().count() as f64;
        let size = (seg.px.h * 0.75).min(12.0);
        if chars == 0.0 || size < 7.0 || chars * size * 0.6 + 4.0 > seg.px.w {
            continue;
        }
        labels.push(Label {
            buffer,
            x: seg.px.x + seg.px.w / 2.0,
            y: seg.px.y + seg.px.h / 2.0 + size * 0.35,
            size,
            dark: seg.partial || colour::wants_dark_text(seg.colour),
        });
    }
    if labels.len() > MAX_LABELS {
        // Keep the labels with the largest type.
        labels.sort_by(|a, b| b.size.total_cmp(&a.size).then(a.buffer.cmp(&b.buffer)));
        labels.truncate(MAX_LABELS);
        labels.sort_by_key(|l| l.buffer);
    }
    labels
}

/// The max-load step line: the total size live at each time. Changes closer
/// than a third of a pixel share one column, where the line rises to the
/// column's peak, so peaks stay visible at any zoom level of the data.
fn profile_path(problem: &Problem, scale: &Scale) -> String {
    let events = problem.load_changes();
    let mut d = String::new();
    let Some(&(first, _)) = events.first() else { return d };
    use std::fmt::Write as _;
    let _ = write!(d, "M{},{}", Num(scale.x(first as i128)), Num(scale.y(0)));
    let mut load: i128 = 0;
    // The open column: its x, the peak and the last load within it.
    let mut column: Option<(f64, i128, i128)> = None;
    let flush = |d: &mut String, (x, peak, last): (f64, i128, i128)| {
        let _ = write!(d, "H{}V{}", Num(x), Num(scale.y(peak)));
        if last != peak {
            let _ = write!(d, "V{}", Num(scale.y(last)));
        }
    };
    let mut i = 0;
    while i < events.len() {
        let t = events[i].0;
        while i < events.len() && events[i].0 == t {
            load += events[i].1;
            i += 1;
        }
        let x = scale.x(t as i128);
        column = match column {
            Some((cx, peak, _)) if x - cx < 1.0 / 3.0 => Some((cx, peak.max(load), load)),
            Some(open) => {
                flush(&mut d, open);
                Some((x, load, load))
            }
            None => Some((x, load, load)),
        };
    }
    if let Some(open) = column {
        flush(&mut d, open);
    }
    d
}

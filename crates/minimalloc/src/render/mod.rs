//! Pictures of solutions: an SVG file, or a self-contained HTML page with
//! hover details, zoom and pan.
//!
//! # The picture
//!
//! Time runs left to right and addresses bottom to top (address 0 at the
//! bottom). Each buffer is drawn as one rectangle per active segment (see
//! [`Buffer::segments`](crate::Buffer::segments)) spanning its time interval
//! and the addresses it occupies, `offset + window`:
//!
//! - a buffer without gaps is one rectangle `[lower, upper) × [offset,
//!   offset + size)`;
//! - a gap without a window leaves a hole, since the buffer uses no memory
//!   then;
//! - a gap with a window is drawn lighter, and only over the window's part.
//!
//! Buffers get colours from a palette of twelve, chosen so that buffers
//! next to each other (in memory while both live, or one after the other
//! over the same addresses) differ, and each buffer's id is written in its
//! largest segment when it fits. A dashed red line marks the capacity (when
//! it is positive) and a black step line follows the max load, the total
//! size live at each time: no solution can be lower than its peak, so the
//! space between the line and the top of the coloured rectangles is what
//! the solution loses to fragmentation. The heading gives the solution's
//! height, the [lower bound](crate::Problem::lower_bound) and their ratio;
//! the address axis is labelled in base-1024 units (B, KiB, MiB, GiB).
//!
//! Every segment rectangle has class `seg` and carries the buffer's id,
//! lifespan, size and offset: as a `<title>` tooltip in the SVG, as `data-*`
//! attributes in the HTML page, whose script shows them in a panel.
//!
//! # Large inputs
//!
//! Segments smaller than half a pixel in both dimensions cannot be seen, and
//! more than [`RenderOptions::max_rects`] rectangles make files slow to open.
//! Such segments (the smallest first, when over the limit) are merged into
//! grey blocks: the plot is cut into 2-pixel cells, the area of merged
//! segments accumulated in each, and covered cells drawn darker the more
//! they are covered. Nothing is dropped silently: the picture and
//! [`RenderSummary::merged`] say how many segments were merged.
//!
//! ```
//! use minimalloc::{render, Buffer, Problem, Solution};
//!
//! let problem = Problem {
//!     buffers: vec![Buffer::new("a", 0, 2, 4), Buffer::new("b", 1, 3, 4)],
//!     capacity: 8,
//! };
//! let solution = Solution::from_offsets(&problem, vec![0, 4]);
//! let (svg, summary) = render::svg(&problem, &solution, &render::RenderOptions::default());
//! assert_eq!(summary.rects, 2);
//! assert!(svg.contains("ratio 1.000"));
//! let (page, _) = render::html(&problem, &solution, &render::RenderOptions::default());
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! ```

mod colour;
mod format;
mod html;
mod layout;
mod svg;

pub use html::html;
pub use svg::svg;

/// How to draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// Written before the statistics in the heading.
    pub title: Option<String>,
    /// Width of the picture in pixels (at least 320 is used).
    pub width: u32,
    /// Height of the picture in pixels (at least 240 is used).
    pub height: u32,
    /// At most this many segments are drawn one by one; the smallest of the
    /// others are merged into grey blocks.
    pub max_rects: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions { title: None, width: 1200, height: 700, max_rects: 20_000 }
    }
}

/// What a picture holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RenderSummary {
    /// Segments drawn as rectangles of their own (class `seg`).
    pub rects: usize,
    /// Segments merged into grey blocks, because they were too small to see
    /// or beyond [`RenderOptions::max_rects`].
    pub merged: usize,
    /// Grey rectangles drawn for the merged segments.
    pub blocks: usize,
}

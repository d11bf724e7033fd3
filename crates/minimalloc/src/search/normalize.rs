//! Rewrites gaps that the sweep cannot represent into equivalent plain forms.
//!
//! The sweep (like the reference's) assumes that a gap without a window lies
//! strictly inside the lifespan and does not touch another windowless gap.
//! Three shapes break that, and each has an exact equivalent:
//!
//! - a windowless gap touching the start or the end of the lifespan: the
//!   buffer simply starts later or ends earlier;
//! - windowless gaps that touch each other: one longer gap;
//! - windowless gaps covering the whole lifespan: the buffer is never active,
//!   so it conflicts with nothing; it only has to fit below the capacity
//!   (at its fixed offset, or at 0).
//!
//! These rewrites keep every effective size, hence the set of valid solutions.
//! Problems without such gaps (all of the reference's benchmarks) pass
//! through untouched, so the search on them stays node-for-node the
//! reference's.

use std::borrow::Cow;

use crate::problem::{Buffer, Gap, Offset, Problem};

/// A problem ready for the sweep, and how to map its solution back.
pub(crate) struct Normalized<'a> {
    /// The problem the search runs on.
    pub problem: Cow<'a, Problem>,
    /// For each buffer of `problem`, its index in the original problem
    /// (`None` when nothing was removed: the identity).
    pub original_index: Option<Vec<usize>>,
    /// Buffers never active, removed from `problem`: (original index, offset).
    pub inactive: Vec<(usize, Offset)>,
    /// The lowest capacity the inactive buffers need (`offset + size`), or
    /// `None` when they cannot be placed at all (a misaligned fixed offset,
    /// or a top beyond 64 bits).
    pub inactive_top: Option<i64>,
}

/// Whether the buffer has a gap shape the sweep cannot represent.
fn needs_rewrite(b: &Buffer) -> bool {
    let windowless = |g: &Gap| g.window.is_none();
    b.gaps.iter().any(|g| {
        windowless(g) && (g.lifespan.lower == b.lifespan.lower || g.lifespan.upper == b.lifespan.upper)
    }) || b
        .gaps
        .windows(2)
        .any(|w| windowless(&w[0]) && windowless(&w[1]) && w[0].lifespan.upper == w[1].lifespan.lower)
}

/// Merges touching windowless gaps and trims windowless gaps at the ends.
/// Returns `None` when the buffer is never active.
fn rewrite(b: &Buffer) -> Option<Buffer> {
    let mut gaps: Vec<Gap> = Vec::with_capacity(b.gaps.len());
    for gap in &b.gaps {
        match gaps.last_mut() {
            Some(last)
                if last.window.is_none()
                    && gap.window.is_none()
                    && last.lifespan.upper == gap.lifespan.lower =>
            {
                last.lifespan.upper = gap.lifespan.upper;
            }
            _ => gaps.push(gap.clone()),
        }
    }
    let mut lifespan = b.lifespan;
    if gaps.first().is_some_and(|g| g.window.is_none() && g.lifespan.lower == lifespan.lower) {
        lifespan.lower = gaps.remove(0).lifespan.upper;
    }
    if gaps.last().is_some_and(|g| g.window.is_none() && g.lifespan.upper == lifespan.upper) {
        lifespan.upper = gaps.pop().map_or(lifespan.upper, |g| g.lifespan.lower);
    }
    if lifespan.is_empty() {
        return None;
    }
    Some(Buffer { lifespan, gaps, ..b.clone() })
}

/// Prepares `problem` for the sweep (see the module documentation).
pub(crate) fn normalize(problem: &Problem) -> Normalized<'_> {
    if !problem.buffers.iter().any(needs_rewrite) {
        return Normalized {
            problem: Cow::Borrowed(problem),
            original_index: None,
            inactive: vec![],
            inactive_top: Some(0),
        };
    }
    let mut buffers = Vec::with_capacity(problem.buffers.len());
    let mut original_index = Vec::with_capacity(problem.buffers.len());
    let mut inactive = Vec::new();
    let mut inactive_top = Some(0i64);
    for (i, b) in problem.buffers.iter().enumerate() {
        let rewritten = if needs_rewrite(b) { rewrite(b) } else { Some(b.clone()) };
        match rewritten {
            Some(buffer) => {
                buffers.push(buffer);
                original_index.push(i);
            }
            None => {
                let offset = b.offset.unwrap_or(0);
                let misaligned = offset % b.alignment != 0;
                inactive_top = match (inactive_top, offset.checked_add(b.size)) {
                    (Some(top), Some(this)) if !misaligned => Some(top.max(this)),
                    _ => None,
                };
                inactive.push((i, offset));
            }
        }
    }
    Normalized {
        problem: Cow::Owned(Problem { buffers, capacity: problem.capacity }),
        original_index: Some(original_index),
        inactive,
        inactive_top,
    }
}

impl Normalized<'_> {
    /// The offsets of the original problem's buffers, from those found for
    /// the normalized one.
    pub fn restore(&self, offsets: &[Offset], original_len: usize) -> Vec<Offset> {
        let Some(index) = &self.original_index else {
            return offsets.to_vec();
        };
        let mut out = vec![0; original_len];
        for (k, &i) in index.iter().enumerate() {
            out[i] = offsets[k];
        }
        for &(i, offset) in &self.inactive {
            out[i] = offset;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Interval;

    fn gap(l: i64, u: i64) -> Gap {
        Gap { lifespan: Interval::new(l, u), window: None }
    }

    #[test]
    fn plain_problems_are_borrowed() {
        let p = Problem { buffers: vec![Buffer::new("a", 0, 4, 1)], capacity: 1 };
        assert!(matches!(normalize(&p).problem, Cow::Borrowed(_)));
    }

    #[test]
    fn gaps_at_the_ends_shrink_the_lifespan_and_touching_gaps_merge() {
        let mut b = Buffer::new("a", 0, 10, 1);
        b.gaps = vec![gap(0, 2), gap(4, 5), gap(5, 6), gap(8, 10)];
        let r = rewrite(&b).unwrap();
        assert_eq!(r.lifespan, Interval::new(2, 8));
        assert_eq!(r.gaps, vec![gap(4, 6)]);
        let mut all = Buffer::new("b", 0, 4, 1);
        all.gaps = vec![gap(0, 2), gap(2, 4)];
        assert_eq!(rewrite(&all), None);
    }

    #[test]
    fn inactive_buffers_are_removed_and_restored() {
        let mut never = Buffer::new("never", 0, 4, 3);
        never.gaps = vec![gap(0, 4)];
        let p = Problem { buffers: vec![Buffer::new("a", 0, 4, 1), never], capacity: 3 };
        let n = normalize(&p);
        assert_eq!(n.problem.buffers.len(), 1);
        assert_eq!(n.inactive_top, Some(3));
        assert_eq!(n.restore(&[2], 2), vec![2, 0]);
    }
}

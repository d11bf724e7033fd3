//! The problem model: buffers, their lifespans, gaps and windows, and solutions.
//!
//! A [`Problem`] is a list of [`Buffer`]s and a memory `capacity`. Each buffer
//! lives during a half-open interval of abstract time, `[lower, upper)`, and
//! needs `size` units of memory at an offset that is a multiple of its
//! `alignment`. A [`Solution`] gives every buffer an offset; it is valid when
//! buffers that are live at the same time never overlap in memory and every
//! buffer fits below the capacity.
//!
//! # Gaps and windows
//!
//! A buffer may be inactive during parts of its lifespan: these are its
//! [`Gap`]s. During a gap the buffer uses no memory at all, or, when the gap
//! has a *window* `[a, b)`, only the addresses `offset + a .. offset + b`.
//! Two buffers therefore conflict only where both are active and their
//! occupied addresses overlap. [`Buffer::effective_size`] captures that rule:
//! it answers "how far above my offset must a buffer `x` start so that we never
//! collide?" It is the single definition of a conflict used by the solver, the
//! validator and the heuristics.

use std::fmt;

/// An abstract, unitless point in time.
pub type TimeValue = i64;
/// A memory address (for example in bytes) assigned to a buffer.
pub type Offset = i64;

/// A half-open interval `[lower, upper)` of integers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    /// The first value inside the interval.
    pub lower: i64,
    /// The first value past the interval.
    pub upper: i64,
}

impl Interval {
    /// Creates the interval `[lower, upper)`.
    pub const fn new(lower: i64, upper: i64) -> Self {
        Interval { lower, upper }
    }

    /// `upper - lower`, saturating rather than overflowing.
    pub fn len(&self) -> i64 {
        self.upper.saturating_sub(self.lower)
    }

    /// Whether the interval holds no value.
    pub fn is_empty(&self) -> bool {
        self.upper <= self.lower
    }

    /// Whether the two intervals share at least one value.
    pub fn intersects(&self, other: &Interval) -> bool {
        !self.is_empty() && !other.is_empty() && self.lower < other.upper && other.lower < self.upper
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {})", self.lower, self.upper)
    }
}

/// The time interval during which a buffer is live.
pub type Lifespan = Interval;
/// A range of addresses relative to a buffer's offset.
pub type Window = Interval;

/// A sub-interval of a buffer's lifespan where the buffer is inactive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Gap {
    /// When the gap applies.
    pub lifespan: Lifespan,
    /// The part of the buffer's space still in use during the gap, relative to
    /// its offset; `None` means the buffer uses no space at all.
    pub window: Option<Window>,
}

/// One buffer to be placed in memory.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Buffer {
    /// A unique name, used in files.
    pub id: String,
    /// When the buffer is live, half-open.
    pub lifespan: Lifespan,
    /// How much memory the buffer needs while it is active.
    pub size: i64,
    /// Every offset given to the buffer must be a multiple of this.
    pub alignment: i64,
    /// Parts of the lifespan where the buffer is inactive, in time order.
    pub gaps: Vec<Gap>,
    /// A fixed offset: the solution must place the buffer exactly here.
    pub offset: Option<Offset>,
    /// A suggested offset (carried through files, not used by the search).
    pub hint: Option<Offset>,
}

impl Buffer {
    /// A buffer with the given id, lifespan and size, alignment 1 and no gaps.
    pub fn new(id: impl Into<String>, lower: TimeValue, upper: TimeValue, size: i64) -> Self {
        Buffer {
            id: id.into(),
            lifespan: Interval::new(lower, upper),
            size,
            alignment: 1,
            gaps: Vec::new(),
            offset: None,
            hint: None,
        }
    }

    /// The product of size and lifespan length (exact: never overflows).
    pub fn area(&self) -> i128 {
        self.size as i128 * (self.lifespan.upper as i128 - self.lifespan.lower as i128)
    }

    /// How far above this buffer's offset buffer `x` must start so that the
    /// two never use the same address at the same time; `None` when they can
    /// never collide (their lifespans are disjoint, or gaps line up so that
    /// they are never active together).
    ///
    /// Without gaps this is simply `self.size` whenever the lifespans overlap.
    /// With gaps it is the largest `window(self).upper - window(x).lower` over
    /// the times where both buffers are active, which may be smaller than the
    /// size (or even negative) when windows are low in `self` or high in `x`.
    pub fn effective_size(&self, x: &Buffer) -> Option<i64> {
        if !self.lifespan.intersects(&x.lifespan) {
            return None;
        }
        if self.gaps.is_empty() && x.gaps.is_empty() {
            return Some(self.size);
        }
        if gaps_are_ordered(self) && gaps_are_ordered(x) {
            effective_size_by_merge(self, x)
        } else {
            effective_size_with_gaps(self, x)
        }
    }

    /// The active segments of this buffer: `(time interval, window)` pairs
    /// covering the lifespan in order, gaps with no window left out.
    pub fn segments(&self) -> Vec<(Lifespan, Window)> {
        let full = Window::new(0, self.size);
        let mut out = Vec::with_capacity(self.gaps.len() * 2 + 1);
        let mut t = self.lifespan.lower;
        for gap in &self.gaps {
            if t < gap.lifespan.lower {
                out.push((Interval::new(t, gap.lifespan.lower), full));
            }
            if let Some(w) = gap.window {
                if !w.is_empty() && !gap.lifespan.is_empty() {
                    out.push((gap.lifespan, w));
                }
            }
            t = t.max(gap.lifespan.upper);
        }
        if t < self.lifespan.upper {
            out.push((Interval::new(t, self.lifespan.upper), full));
        }
        out
    }
}

/// The lowest multiple of `alignment` (positive) at or above `value`
/// (non-negative); `None` beyond 64 bits.
#[inline]
pub(crate) fn align_up(value: i64, alignment: i64) -> Option<i64> {
    match value % alignment {
        0 => Some(value),
        r => value.checked_add(alignment - r),
    }
}

/// The highest multiple of `step` (positive) at or below `value`
/// (`i64::MIN` when there is none).
#[inline]
pub(crate) fn align_down(value: i64, step: i64) -> i64 {
    value.saturating_sub(value.rem_euclid(step))
}

/// Kinds of event in the effective-size sweep, in the order they are applied
/// at equal times (the last one applied at a time wins).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EventKind {
    Start,
    GapEnd,
    GapStart,
    End,
}

/// Whether `b`'s gaps are non-empty, inside its lifespan and in time order
/// without overlap (what [`Problem::check`] demands).
fn gaps_are_ordered(b: &Buffer) -> bool {
    let mut previous_end = b.lifespan.lower;
    b.gaps.iter().all(|gap| {
        let fits = gap_fits(gap.lifespan, previous_end, b.lifespan);
        previous_end = gap.lifespan.upper;
        fits
    })
}

/// Whether gap `g` is non-empty, starts at or after `previous_end` (the end
/// of the gap before it, or the lifespan's start) and ends within `lifespan`.
fn gap_fits(g: Lifespan, previous_end: TimeValue, lifespan: Lifespan) -> bool {
    !g.is_empty() && g.lower >= previous_end && g.upper <= lifespan.upper
}

/// Piece `k` of an ordered buffer's lifespan: even pieces are the stretches
/// before, between and after the gaps (the whole size; possibly empty), odd
/// ones the gaps (their window, `None` without one).
#[inline]
fn piece(b: &Buffer, k: usize) -> (TimeValue, TimeValue, Option<Window>) {
    if k % 2 == 1 {
        let gap = &b.gaps[k / 2];
        return (gap.lifespan.lower, gap.lifespan.upper, gap.window);
    }
    let j = k / 2;
    let start = if j == 0 { b.lifespan.lower } else { b.gaps[j - 1].lifespan.upper };
    let end = if j == b.gaps.len() { b.lifespan.upper } else { b.gaps[j].lifespan.lower };
    (start, end, Some(Window::new(0, b.size)))
}

/// [`Buffer::effective_size`] for buffers whose gaps are ordered: both
/// lifespans walked piece by piece at once, without allocating (the heuristics
/// call this once per overlapping pair).
fn effective_size_by_merge(a: &Buffer, b: &Buffer) -> Option<i64> {
    let (count_a, count_b) = (2 * a.gaps.len() + 1, 2 * b.gaps.len() + 1);
    let (mut i, mut j) = (0, 0);
    let mut result: Option<i64> = None;
    while i < count_a && j < count_b {
        let (start_a, end_a, window_a) = piece(a, i);
        let (start_b, end_b, window_b) = piece(b, j);
        if start_a.max(start_b) < end_a.min(end_b) {
            if let (Some(wa), Some(wb)) = (window_a, window_b) {
                let diff = wa.upper - wb.lower;
                if result.is_none_or(|r| r < diff) {
                    result = Some(diff);
                }
            }
        }
        if end_a <= end_b {
            i += 1;
        }
        if end_b <= end_a {
            j += 1;
        }
    }
    result
}

/// [`Buffer::effective_size`] for any gaps (also unordered or overlapping
/// ones, which [`Problem::check`] rejects): a sweep over sorted events.
fn effective_size_with_gaps(a: &Buffer, b: &Buffer) -> Option<i64> {
    // Each event sets the window of one of the two buffers from its time on.
    let mut events: Vec<(TimeValue, EventKind, usize, Option<Window>)> =
        Vec::with_capacity(4 + 2 * (a.gaps.len() + b.gaps.len()));
    for (which, buffer) in [(0usize, a), (1usize, b)] {
        let full = Some(Window::new(0, buffer.size));
        events.push((buffer.lifespan.lower, EventKind::Start, which, full));
        events.push((buffer.lifespan.upper, EventKind::End, which, None));
        for gap in &buffer.gaps {
            events.push((gap.lifespan.lower, EventKind::GapStart, which, gap.window));
            events.push((gap.lifespan.upper, EventKind::GapEnd, which, full));
        }
    }
    events.sort_by_key(|&(t, kind, which, _)| (t, kind, which));
    let mut windows: [Option<Window>; 2] = [None, None];
    let mut result: Option<i64> = None;
    let mut last_time: Option<TimeValue> = None;
    for (time, _, which, window) in events {
        if last_time.is_some_and(|last| time > last) {
            if let (Some(w0), Some(w1)) = (windows[0], windows[1]) {
                let diff = w0.upper - w1.lower;
                if result.is_none_or(|r| r < diff) {
                    result = Some(diff);
                }
            }
        }
        last_time = Some(time);
        windows[which] = window;
    }
    result
}

/// One offset per buffer, and the height they reach.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Solution {
    /// The offset of each buffer, in the problem's buffer order.
    pub offsets: Vec<Offset>,
    /// The maximum of `offset + size` over all buffers (0 with no buffers).
    pub height: Offset,
}

impl Solution {
    /// Builds a solution from offsets, computing the height for `problem`.
    pub fn from_offsets(problem: &Problem, offsets: Vec<Offset>) -> Self {
        let height =
            problem.buffers.iter().zip(&offsets).map(|(b, &o)| o.saturating_add(b.size)).max().unwrap_or(0);
        Solution { offsets, height }
    }
}

/// A set of buffers to place within a memory capacity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Problem {
    /// The buffers, in file order.
    pub buffers: Vec<Buffer>,
    /// No buffer may end above this address (`offset + size <= capacity`).
    pub capacity: i64,
}

/// Why a [`Problem`] built in code is not a well-formed problem.
///
/// The CSV reader reports the same conditions with file positions; this type
/// protects library users who build problems by hand.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// A buffer's size is zero or negative.
    #[error("buffer {id:?}: size must be positive, got {size}")]
    NonPositiveSize {
        /// The buffer's id.
        id: String,
        /// The offending size.
        size: i64,
    },
    /// A buffer's lifespan is empty or reversed.
    #[error("buffer {id:?}: lifespan {lifespan} is empty or reversed (upper must exceed lower)")]
    EmptyLifespan {
        /// The buffer's id.
        id: String,
        /// The offending lifespan.
        lifespan: Lifespan,
    },
    /// A buffer's alignment is below 1.
    #[error("buffer {id:?}: alignment must be at least 1, got {alignment}")]
    BadAlignment {
        /// The buffer's id.
        id: String,
        /// The offending alignment.
        alignment: i64,
    },
    /// A gap is empty, reversed, outside the lifespan, or out of order.
    #[error("buffer {id:?}: gap {gap} must be non-empty, inside the lifespan {lifespan} and after the previous gap")]
    BadGap {
        /// The buffer's id.
        id: String,
        /// The offending gap.
        gap: Lifespan,
        /// The buffer's lifespan.
        lifespan: Lifespan,
    },
    /// A gap window is reversed or outside `[0, size]`.
    #[error("buffer {id:?}: window {window} must lie within [0, {size}]")]
    BadWindow {
        /// The buffer's id.
        id: String,
        /// The offending window.
        window: Window,
        /// The buffer's size.
        size: i64,
    },
    /// A fixed offset is negative or `offset + size` overflows.
    #[error(
        "buffer {id:?}: fixed offset {offset} must be non-negative and offset + size must fit in 64 bits"
    )]
    BadFixedOffset {
        /// The buffer's id.
        id: String,
        /// The offending offset.
        offset: i64,
    },
    /// The capacity is negative.
    #[error("capacity must be non-negative, got {0}")]
    NegativeCapacity(i64),
}

impl Problem {
    /// Checks that every buffer is well formed (see [`ModelError`]).
    pub fn check(&self) -> Result<(), ModelError> {
        if self.capacity < 0 {
            return Err(ModelError::NegativeCapacity(self.capacity));
        }
        self.buffers.iter().try_for_each(check_buffer)
    }

    /// The largest total size live at any one time ("max load"), a lower
    /// bound on the height of every solution. Gaps and windows are taken into
    /// account: during a gap only the window's extent counts. Saturates at
    /// `i64::MAX`.
    pub fn max_load(&self) -> i64 {
        let (mut load, mut best) = (0i128, 0i128);
        for (_, delta) in self.load_changes() {
            load += delta;
            best = best.max(load);
        }
        best.min(i64::MAX as i128) as i64
    }

    /// How the load (the total size in use, windows counted during gaps)
    /// changes over time: `(time, change)` for the start and the end of every
    /// active segment, in time order, decreases first at equal times
    /// (lifespans are half-open).
    pub(crate) fn load_changes(&self) -> Vec<(TimeValue, i128)> {
        let mut events: Vec<(TimeValue, i128)> = Vec::with_capacity(self.buffers.len() * 2);
        for buffer in &self.buffers {
            for (span, window) in buffer.segments() {
                events.push((span.lower, window.len() as i128));
                events.push((span.upper, -(window.len() as i128)));
            }
        }
        events.sort_unstable();
        events
    }

    /// The larger of the max load and the largest buffer: no solution can be
    /// lower.
    pub fn lower_bound(&self) -> i64 {
        let largest = self.buffers.iter().map(|b| b.size).max().unwrap_or(0);
        self.max_load().max(largest)
    }

    /// The largest `g` dividing every size, alignment, fixed offset and
    /// window bound (1 when there is nothing to divide): if a solution
    /// exists within some capacity, one exists whose offsets and height are
    /// multiples of `g`.
    ///
    /// Why: let every buffer fall as far as it can (keeping which of two
    /// conflicting buffers lies above the other). Each then rests on 0, on
    /// an aligned offset, at its fixed offset, or on a buffer below it plus
    /// their effective size (a size or a difference of window bounds), all
    /// multiples of `g` by induction from the bottom; nothing rose. So the
    /// capacities between two multiples of `g` are all equivalent, and a
    /// search for the lowest one need only try multiples: ML compilers'
    /// sizes are often multiples of 64 bytes or more (1,024 in the paper's
    /// challenging instances).
    pub fn granularity(&self) -> i64 {
        fn gcd(mut a: u64, b: i64) -> u64 {
            let mut b = b.unsigned_abs();
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        }
        let mut g = 0u64;
        for b in &self.buffers {
            g = gcd(g, b.size);
            if b.alignment > 1 {
                g = gcd(g, b.alignment);
            }
            if let Some(offset) = b.offset {
                g = gcd(g, offset);
            }
            for window in b.gaps.iter().filter_map(|gap| gap.window) {
                g = gcd(gcd(g, window.lower), window.upper);
            }
            if g == 1 {
                break;
            }
        }
        i64::try_from(g).unwrap_or(i64::MAX).max(1)
    }

    /// A height some solution surely reaches, or `None` if it does not fit in
    /// 64 bits: the fixed buffers where they are, every other buffer stacked
    /// above them all, one on top of the other (each rounded up to its
    /// alignment). It ignores the capacity. (If two fixed buffers conflict, no
    /// solution exists at all; the bound is then meaningless but harmless.)
    pub fn stacked_height(&self) -> Option<i64> {
        let mut top = 0i64;
        for b in &self.buffers {
            if let Some(offset) = b.offset {
                top = top.max(offset.checked_add(b.size)?);
            }
        }
        for b in self.buffers.iter().filter(|b| b.offset.is_none()) {
            let alignment = b.alignment.max(1);
            let offset = top.checked_add((alignment - top % alignment) % alignment)?;
            top = offset.checked_add(b.size)?;
        }
        Some(top)
    }

    /// Moves each buffer's fixed offset into a [`Solution`], clearing it.
    /// Fails (and changes nothing) if some buffer has no offset.
    pub fn strip_solution(&mut self) -> Result<Solution, MissingOffset> {
        if let Some(buffer) = self.buffers.iter().find(|b| b.offset.is_none()) {
            return Err(MissingOffset { id: buffer.id.clone() });
        }
        let offsets: Vec<Offset> = self.buffers.iter_mut().filter_map(|b| b.offset.take()).collect();
        Ok(Solution::from_offsets(self, offsets))
    }
}

/// [`Problem::strip_solution`] found a buffer without an offset.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("buffer {id:?} has no offset")]
pub struct MissingOffset {
    /// The first buffer without an offset.
    pub id: String,
}

fn check_buffer(b: &Buffer) -> Result<(), ModelError> {
    let id = || b.id.clone();
    if b.size <= 0 {
        return Err(ModelError::NonPositiveSize { id: id(), size: b.size });
    }
    if b.lifespan.is_empty() {
        return Err(ModelError::EmptyLifespan { id: id(), lifespan: b.lifespan });
    }
    if b.alignment < 1 {
        return Err(ModelError::BadAlignment { id: id(), alignment: b.alignment });
    }
    let mut previous_end = b.lifespan.lower;
    for gap in &b.gaps {
        let g = gap.lifespan;
        if !gap_fits(g, previous_end, b.lifespan) {
            return Err(ModelError::BadGap { id: id(), gap: g, lifespan: b.lifespan });
        }
        previous_end = g.upper;
        if let Some(w) = gap.window {
            if w.lower < 0 || w.upper > b.size || w.lower > w.upper {
                return Err(ModelError::BadWindow { id: id(), window: w, size: b.size });
            }
        }
    }
    if let Some(offset) = b.offset {
        if offset < 0 || offset.checked_add(b.size).is_none() {
            return Err(ModelError::BadFixedOffset { id: id(), offset });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A buffer in `[lower, lower + len)` with ordered gaps (touching ones
    /// included) and windows inside `[0, size]` (empty ones included).
    fn ordered_buffer() -> impl Strategy<Value = Buffer> {
        (
            0i64..6,
            1i64..10,
            1i64..6,
            prop::collection::vec((0i64..3, 1i64..3, 0i64..7, 0i64..7, any::<bool>()), 0..4),
        )
            .prop_map(|(lower, len, size, raw)| {
                let mut b = Buffer::new("x", lower, lower + len, size);
                let mut t = lower;
                for (skip, width, p, q, windowed) in raw {
                    let (l, u) = (t + skip, t + skip + width);
                    if u > lower + len {
                        break;
                    }
                    let (p, q) = (p.min(q).min(size), p.max(q).min(size));
                    b.gaps.push(gap(l, u, windowed.then_some((p, q))));
                    t = u;
                }
                b
            })
    }

    proptest! {
        #[test]
        fn the_merge_agrees_with_the_event_sweep(a in ordered_buffer(), b in ordered_buffer()) {
            prop_assert!(gaps_are_ordered(&a) && gaps_are_ordered(&b));
            prop_assert_eq!(effective_size_by_merge(&a, &b), effective_size_with_gaps(&a, &b));
            prop_assert_eq!(effective_size_by_merge(&b, &a), effective_size_with_gaps(&b, &a));
        }
    }

    #[test]
    fn unordered_gaps_take_the_event_sweep() {
        // Out of order, the gap at 1..3 still idles `a` while `b` lives (the
        // sweep sorts its events); walking the gaps in their given order
        // would see `a` in use there.
        let mut a = Buffer::new("a", 0, 10, 4);
        a.gaps = vec![gap(5, 8, None), gap(1, 3, None)];
        assert!(!gaps_are_ordered(&a));
        let b = Buffer::new("b", 1, 3, 2);
        assert_eq!(effective_size_by_merge(&a, &b), Some(4), "the walk alone gets it wrong");
        assert_eq!(a.effective_size(&b), None);
        assert_eq!(b.effective_size(&a), None);
    }

    fn gap(l: i64, u: i64, w: Option<(i64, i64)>) -> Gap {
        Gap { lifespan: Interval::new(l, u), window: w.map(|(a, b)| Interval::new(a, b)) }
    }

    #[test]
    fn effective_size_without_gaps_is_size_when_overlapping() {
        let a = Buffer::new("a", 0, 4, 3);
        let b = Buffer::new("b", 2, 6, 5);
        let c = Buffer::new("c", 4, 6, 5);
        assert_eq!(a.effective_size(&b), Some(3));
        assert_eq!(b.effective_size(&a), Some(5));
        assert_eq!(a.effective_size(&c), None);
        assert_eq!(c.effective_size(&a), None);
    }

    #[test]
    fn effective_size_with_gap_that_removes_conflict() {
        let mut a = Buffer::new("a", 0, 10, 4);
        a.gaps.push(gap(2, 8, None));
        let b = Buffer::new("b", 3, 7, 2);
        assert_eq!(a.effective_size(&b), None);
        assert_eq!(b.effective_size(&a), None);
    }

    #[test]
    fn effective_size_with_windows() {
        // a is only using [0, 1) of its space while b is live.
        let mut a = Buffer::new("a", 0, 10, 4);
        a.gaps.push(gap(2, 8, Some((0, 1))));
        let b = Buffer::new("b", 3, 7, 2);
        assert_eq!(a.effective_size(&b), Some(1));
        assert_eq!(b.effective_size(&a), Some(2));
        // b uses only its upper half during a's live time: it may start lower.
        let mut c = Buffer::new("c", 0, 10, 4);
        c.gaps.push(gap(0, 5, Some((3, 4))));
        let d = Buffer::new("d", 0, 5, 2);
        assert_eq!(d.effective_size(&c), Some(2 - 3));
    }

    #[test]
    fn max_load_and_lower_bound() {
        let p = Problem {
            buffers: vec![Buffer::new("a", 0, 2, 3), Buffer::new("b", 1, 3, 4), Buffer::new("c", 2, 4, 5)],
            capacity: 10,
        };
        assert_eq!(p.max_load(), 9);
        assert_eq!(p.lower_bound(), 9);
        assert_eq!(Problem::default().max_load(), 0);
    }

    #[test]
    fn check_rejects_malformed_buffers() {
        let mut b = Buffer::new("x", 0, 5, 2);
        b.gaps.push(gap(3, 7, None));
        let p = Problem { buffers: vec![b], capacity: 4 };
        assert!(matches!(p.check(), Err(ModelError::BadGap { .. })));
        let p = Problem { buffers: vec![Buffer::new("x", 5, 5, 2)], capacity: 4 };
        assert!(matches!(p.check(), Err(ModelError::EmptyLifespan { .. })));
        let p = Problem { buffers: vec![Buffer::new("x", 0, 5, 0)], capacity: 4 };
        assert!(matches!(p.check(), Err(ModelError::NonPositiveSize { .. })));
    }

    #[test]
    fn stacked_height_is_reachable() {
        let mut a = Buffer::new("a", 0, 1, 3);
        a.alignment = 2;
        let mut b = a.clone();
        b.id = "b".into();
        let mut fixed = Buffer::new("f", 0, 1, 4);
        fixed.offset = Some(100);
        let p = Problem { buffers: vec![a.clone(), b.clone()], capacity: 0 };
        assert_eq!(p.stacked_height(), Some(7), "0..3, then 4..7");
        let p = Problem { buffers: vec![a, fixed, b], capacity: 0 };
        assert_eq!(p.stacked_height(), Some(111), "fixed up to 104, then 104..107 and 108..111");
        let huge = Problem {
            buffers: vec![Buffer::new("x", 0, 1, i64::MAX), Buffer::new("y", 0, 1, 1)],
            capacity: 0,
        };
        assert_eq!(huge.stacked_height(), None);
    }

    #[test]
    fn strip_solution_moves_offsets() {
        let mut a = Buffer::new("a", 0, 2, 3);
        a.offset = Some(4);
        let mut p = Problem { buffers: vec![a, Buffer::new("b", 0, 1, 1)], capacity: 10 };
        assert!(p.strip_solution().is_err());
        assert_eq!(p.buffers[0].offset, Some(4), "a failed strip changes nothing");
        p.buffers[1].offset = Some(0);
        let s = p.strip_solution().unwrap();
        assert_eq!(s, Solution { offsets: vec![4, 0], height: 7 });
        assert!(p.buffers.iter().all(|b| b.offset.is_none()));
    }

    #[test]
    fn align_down_finds_the_multiple_below() {
        assert_eq!(align_down(17, 4), 16);
        assert_eq!(align_down(16, 4), 16);
        assert_eq!(align_down(-1, 4), -4);
        assert_eq!(align_down(i64::MIN + 1, 4), i64::MIN);
    }

    #[test]
    fn granularity_divides_every_size_alignment_offset_and_window() {
        let sized = |sizes: &[i64]| Problem {
            buffers: sizes.iter().map(|&z| Buffer::new(format!("{z}"), 0, 1, z)).collect(),
            capacity: 0,
        };
        assert_eq!(sized(&[]).granularity(), 1);
        assert_eq!(sized(&[0]).granularity(), 1);
        assert_eq!(sized(&[1024, 3072, 2048]).granularity(), 1024);
        assert_eq!(sized(&[6, 9]).granularity(), 3);
        assert_eq!(sized(&[4, 7]).granularity(), 1);
        let mut p = sized(&[64, 128]);
        p.buffers[0].alignment = 16;
        assert_eq!(p.granularity(), 16, "an offset must be a multiple of the alignment");
        p.buffers[1].offset = Some(40);
        assert_eq!(p.granularity(), 8, "a fixed offset stays where it is");
        p.buffers[1].gaps = vec![gap(0, 1, Some((4, 8)))];
        assert_eq!(p.granularity(), 4, "a window moves the effective sizes");
    }
}

//! The sweep: cuts time into sections and partitions, and finds which buffers
//! overlap.
//!
//! Walking once over every start and end time in order, the sweep records:
//!
//! - **sections**: the maximal stretches of time during which the set of
//!   active buffers does not change, each with the buffers active in it;
//! - **partitions**: groups of buffers that never interact with any buffer of
//!   another group (no buffer is alive across the boundary), which can
//!   therefore be solved independently;
//! - per buffer, its **section spans** (the ranges of sections where it is
//!   active, each with the window of its space in use there) and its
//!   **overlaps** (every buffer alive at the same time, with the
//!   [effective size](crate::Buffer::effective_size) that separates them).
//!
//! For example, with buffers `b0 = [1, 2)`, `b1 = [2, 4)`, `b2 = [0, 5)` and
//! `b3 = [5, 9)`, a new section begins each time some buffer ends, so there
//! are four sections, `{b0, b2}`, `{b1, b2}`, `{b2}` and `{b3}`, and `b3` forms
//! a partition of its own:
//!
//! ```text
//!   time:      0    1    2    3    4    5    6    7    8    9
//!   b0              |----|
//!   b1                   |---------|
//!   b2         |-----------------------|
//!   b3                                 |-------------------|
//!   sections:  |   s0    |   s1    |s2 |        s3         |
//!   partitions:|          p0           |        p1         |
//! ```
//!
//! The search uses sections to keep a running lower bound on the height of
//! memory at each moment, and *cuts* (how many buffers cross from one section
//! to the next) to split the remaining problem once placed buffers disconnect
//! it.
//!
//! Like the reference's, the sweep expects every gap without a window to lie
//! strictly inside its buffer's lifespan and apart from other windowless
//! gaps; the solver rewrites other shapes into equivalent ones first (a gap
//! at an end shortens the lifespan, touching gaps merge).

use crate::problem::{Interval, Problem, TimeValue, Window};

/// An index into [`SweepResult::sections`].
pub type SectionIdx = usize;
/// A half-open range of section indices.
pub type SectionRange = Interval;

/// A range of sections where a buffer is continuously active, and the window
/// of its space in use there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SectionSpan {
    /// The sections, half-open.
    pub section_range: SectionRange,
    /// The addresses used, relative to the buffer's offset.
    pub window: Window,
}

/// A group of buffers that interact only with each other.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Partition {
    /// The buffers, as indices into the problem's buffer list.
    pub buffer_idxs: Vec<usize>,
    /// The sections this partition spans, half-open.
    pub section_range: SectionRange,
}

/// Another buffer live at the same time as this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Overlap {
    /// The other buffer.
    pub buffer_idx: usize,
    /// How far above this buffer's offset the other buffer must start.
    pub effective_size: i64,
}

/// What the sweep learned about one buffer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct BufferData {
    /// The ranges of sections where the buffer is active, in time order.
    pub section_spans: Vec<SectionSpan>,
    /// The buffers it may collide with, ordered by index.
    pub overlaps: Vec<Overlap>,
}

impl BufferData {
    /// The sections from the buffer's first to its last, gaps included.
    pub fn section_range(&self) -> SectionRange {
        match (self.section_spans.first(), self.section_spans.last()) {
            (Some(first), Some(last)) => Interval::new(first.section_range.lower, last.section_range.upper),
            _ => Interval::default(),
        }
    }
}

/// Everything the sweep computes for a problem.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepResult {
    /// For each section, the buffers active during it (in no particular order).
    pub sections: Vec<Vec<usize>>,
    /// The independent partitions, in time order.
    pub partitions: Vec<Partition>,
    /// Per buffer, its spans and overlaps.
    pub buffer_data: Vec<BufferData>,
}

impl SweepResult {
    /// For each pair of adjacent sections `i, i + 1`, how many buffers are
    /// active in both (counting a buffer across its own gaps). A zero means
    /// the problem falls apart there.
    pub fn calculate_cuts(&self) -> Vec<i64> {
        let mut cuts = vec![0i64; self.sections.len().saturating_sub(1)];
        for data in &self.buffer_data {
            let range = data.section_range();
            for s in range.lower..range.upper - 1 {
                cuts[s as usize] += 1;
            }
        }
        cuts
    }
}

/// About how many (buffer, section) memberships [`sweep`] would record, in
/// O(n log n) without building anything: for each buffer, the number of
/// distinct end times inside its lifespan. The sweep's memory, and the exact
/// search's, grow with it.
pub fn estimated_memberships(problem: &Problem) -> u64 {
    let mut ends: Vec<TimeValue> = problem.buffers.iter().map(|b| b.lifespan.upper).collect();
    ends.sort_unstable();
    ends.dedup();
    let count_up_to = |t: TimeValue| ends.partition_point(|&e| e <= t) as u64;
    problem.buffers.iter().map(|b| count_up_to(b.lifespan.upper) - count_up_to(b.lifespan.lower)).sum()
}

/// About how many (buffer, other buffer) overlap entries [`sweep`] would
/// record (each overlapping pair counts twice), in O(n log n): for each
/// buffer, the buffers starting before it ends minus those ending before it
/// starts.
pub fn estimated_overlaps(problem: &Problem) -> u64 {
    let mut lowers: Vec<TimeValue> = problem.buffers.iter().map(|b| b.lifespan.lower).collect();
    let mut uppers: Vec<TimeValue> = problem.buffers.iter().map(|b| b.lifespan.upper).collect();
    lowers.sort_unstable();
    uppers.sort_unstable();
    problem
        .buffers
        .iter()
        .map(|b| {
            let starting_before_end = lowers.partition_point(|&l| l < b.lifespan.upper) as u64;
            let ended_before_start = uppers.partition_point(|&u| u <= b.lifespan.lower) as u64;
            (starting_before_end - ended_before_start).saturating_sub(1)
        })
        .sum()
}

/// About how many bytes the sweep and the exact search need for `problem`,
/// from [`estimated_memberships`] and [`estimated_overlaps`].
pub fn estimated_search_bytes(problem: &Problem) -> u64 {
    // A membership is stored by the sweep (8 bytes) and the search (4); an
    // overlap likewise (16 and 12).
    estimated_memberships(problem)
        .saturating_mul(12)
        .saturating_add(estimated_overlaps(problem).saturating_mul(28))
}

/// Whether a sweep point opens or closes a span. Closing comes first at equal
/// times, so that lifespans `[a, b)` and `[b, c)` do not overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SweepPointType {
    /// A span ends here.
    Right,
    /// A span starts here.
    Left,
}

/// One event of the sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SweepPoint {
    /// The buffer.
    pub buffer_idx: usize,
    /// When.
    pub time_value: TimeValue,
    /// Opens or closes a span.
    pub point_type: SweepPointType,
    /// The window of the span that opens or closes here.
    pub window: Window,
    /// Whether this is the start or the end of the buffer's whole lifespan.
    pub endpoint: bool,
}

impl SweepPoint {
    fn key(&self) -> (TimeValue, SweepPointType, usize) {
        (self.time_value, self.point_type, self.buffer_idx)
    }
}

/// Every span boundary of every buffer, ordered by time, then closing before
/// opening, then buffer index.
///
/// A buffer without gaps gives two points. A gap splits the buffer's active
/// time: the span before it closes at the gap's start and the span after it
/// opens at the gap's end; a gap with a window is itself a span (with that
/// window). Points that would open and close at the same time are not
/// created.
pub fn create_points(problem: &Problem) -> Vec<SweepPoint> {
    let mut all = Vec::with_capacity(problem.buffers.len() * 2);
    let mut local: Vec<SweepPoint> = Vec::new();
    let mut left_times: Vec<TimeValue> = Vec::new();
    let mut right_times: Vec<TimeValue> = Vec::new();
    for (buffer_idx, buffer) in problem.buffers.iter().enumerate() {
        let full = Window::new(0, buffer.size);
        let point = |time_value, point_type, window| SweepPoint {
            buffer_idx,
            time_value,
            point_type,
            window,
            endpoint: false,
        };
        local.clear();
        left_times.clear();
        right_times.clear();
        // Spans of gaps with a window.
        for gap in &buffer.gaps {
            if let Some(window) = gap.window {
                local.push(point(gap.lifespan.lower, SweepPointType::Left, window));
                local.push(point(gap.lifespan.upper, SweepPointType::Right, window));
                left_times.push(gap.lifespan.lower);
                right_times.push(gap.lifespan.upper);
            }
        }
        // The lifespan's own ends, unless a windowed gap already opens or
        // closes there.
        if local.first().is_none_or(|p| p.time_value != buffer.lifespan.lower) {
            local.insert(0, point(buffer.lifespan.lower, SweepPointType::Left, full));
        }
        if local.last().is_none_or(|p| p.time_value != buffer.lifespan.upper) {
            local.push(point(buffer.lifespan.upper, SweepPointType::Right, full));
        }
        if let Some(first) = local.first_mut() {
            first.endpoint = true;
        }
        if let Some(last) = local.last_mut() {
            last.endpoint = true;
        }
        right_times.push(buffer.lifespan.lower);
        left_times.push(buffer.lifespan.upper);
        // Gaps without a window close the span before them and open the one
        // after them.
        for gap in &buffer.gaps {
            if gap.window.is_some() {
                continue;
            }
            if !right_times.contains(&gap.lifespan.lower) {
                local.push(point(gap.lifespan.lower, SweepPointType::Right, full));
                right_times.push(gap.lifespan.lower);
            }
            if !left_times.contains(&gap.lifespan.upper) {
                local.push(point(gap.lifespan.upper, SweepPointType::Left, full));
                left_times.push(gap.lifespan.upper);
            }
            left_times.push(gap.lifespan.lower);
            right_times.push(gap.lifespan.upper);
        }
        // Fully active stretches next to windowed gaps.
        for gap in &buffer.gaps {
            if !right_times.contains(&gap.lifespan.lower) {
                local.push(point(gap.lifespan.lower, SweepPointType::Right, full));
            }
            if !left_times.contains(&gap.lifespan.upper) {
                local.push(point(gap.lifespan.upper, SweepPointType::Left, full));
            }
        }
        all.extend_from_slice(&local);
    }
    all.sort_unstable_by_key(SweepPoint::key);
    all
}

/// A set of buffer indices with O(1) insert, remove and membership.
struct IndexSet {
    items: Vec<usize>,
    position: Vec<usize>,
}

impl IndexSet {
    const ABSENT: usize = usize::MAX;

    fn new(universe: usize) -> Self {
        IndexSet { items: Vec::new(), position: vec![Self::ABSENT; universe] }
    }

    fn insert(&mut self, x: usize) {
        if self.position[x] == Self::ABSENT {
            self.position[x] = self.items.len();
            self.items.push(x);
        }
    }

    fn remove(&mut self, x: usize) {
        let p = self.position[x];
        if p != Self::ABSENT {
            self.items.swap_remove(p);
            if let Some(&moved) = self.items.get(p) {
                self.position[moved] = p;
            }
            self.position[x] = Self::ABSENT;
        }
    }
}

/// Sweeps over the problem once and returns its sections, partitions, spans
/// and overlaps (see the module documentation).
pub fn sweep(problem: &Problem) -> SweepResult {
    sweep_until(problem, None).unwrap_or_default()
}

/// [`sweep`], giving up (`None`) once `deadline` passes: on large traces the
/// sweep itself takes seconds. The clock is read every few thousand points.
pub fn sweep_until(problem: &Problem, deadline: Option<std::time::Instant>) -> Option<SweepResult> {
    let n = problem.buffers.len();
    let points = create_points(problem);
    let mut result = SweepResult { buffer_data: vec![BufferData::default(); n], ..SweepResult::default() };
    // Buffers with an open span, and buffers whose lifespan has begun and not
    // ended (a buffer in a gap is alive but not active).
    let mut actives = IndexSet::new(n);
    let mut alive = IndexSet::new(n);
    let mut last_section_time: Option<TimeValue> = None;
    let mut partition_start: usize = 0;
    let mut span_start = vec![0usize; n];
    for (k, point) in points.iter().enumerate() {
        if k % 4096 == 0 && deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            return None;
        }
        let b = point.buffer_idx;
        let last_time = *last_section_time.get_or_insert(point.time_value);
        match point.point_type {
            SweepPointType::Right => {
                if last_time < point.time_value {
                    last_section_time = Some(point.time_value);
                    result.sections.push(actives.items.clone());
                }
                actives.remove(b);
                if point.endpoint {
                    alive.remove(b);
                }
                let range = Interval::new(span_start[b] as i64, result.sections.len() as i64);
                result.buffer_data[b]
                    .section_spans
                    .push(SectionSpan { section_range: range, window: point.window });
                if alive.items.is_empty() {
                    if let Some(partition) = result.partitions.last_mut() {
                        partition.section_range =
                            Interval::new(partition_start as i64, result.sections.len() as i64);
                    }
                    partition_start = result.sections.len();
                }
            }
            SweepPointType::Left => {
                if alive.items.is_empty() {
                    result.partitions.push(Partition::default());
                }
                if point.endpoint {
                    if let Some(partition) = result.partitions.last_mut() {
                        partition.buffer_idxs.push(b);
                    }
                    let buffer = &problem.buffers[b];
                    for &other_idx in &alive.items {
                        let other = &problem.buffers[other_idx];
                        if let Some(es) = other.effective_size(buffer) {
                            result.buffer_data[other_idx]
                                .overlaps
                                .push(Overlap { buffer_idx: b, effective_size: es });
                        }
                        if let Some(es) = buffer.effective_size(other) {
                            result.buffer_data[b]
                                .overlaps
                                .push(Overlap { buffer_idx: other_idx, effective_size: es });
                        }
                    }
                    alive.insert(b);
                }
                actives.insert(b);
                span_start[b] = result.sections.len();
            }
        }
    }
    for data in &mut result.buffer_data {
        data.overlaps.sort_unstable();
    }
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Buffer, Gap};

    fn problem(spans: &[(i64, i64, i64)]) -> Problem {
        Problem {
            buffers: spans
                .iter()
                .enumerate()
                .map(|(i, &(l, u, s))| Buffer::new(i.to_string(), l, u, s))
                .collect(),
            capacity: 0,
        }
    }

    fn sorted(mut v: Vec<usize>) -> Vec<usize> {
        v.sort_unstable();
        v
    }

    #[test]
    fn module_example() {
        let p = problem(&[(1, 2, 1), (2, 4, 1), (0, 5, 1), (5, 9, 1)]);
        let r = sweep(&p);
        let sections: Vec<Vec<usize>> = r.sections.iter().cloned().map(sorted).collect();
        assert_eq!(sections, vec![vec![0, 2], vec![1, 2], vec![2], vec![3]]);
        assert_eq!(
            r.partitions,
            vec![
                Partition { buffer_idxs: vec![2, 0, 1], section_range: Interval::new(0, 3) },
                Partition { buffer_idxs: vec![3], section_range: Interval::new(3, 4) },
            ]
        );
        assert_eq!(
            r.buffer_data[2].section_spans,
            vec![SectionSpan { section_range: Interval::new(0, 3), window: Window::new(0, 1) }]
        );
        assert_eq!(
            r.buffer_data[2].overlaps,
            vec![Overlap { buffer_idx: 0, effective_size: 1 }, Overlap { buffer_idx: 1, effective_size: 1 }]
        );
        assert!(r.buffer_data[3].overlaps.is_empty());
        assert_eq!(r.calculate_cuts(), vec![1, 1, 0]);
    }

    #[test]
    fn gap_without_window_splits_spans() {
        let mut p = problem(&[(0, 10, 2), (3, 6, 1)]);
        p.buffers[0].gaps.push(Gap { lifespan: Interval::new(2, 7), window: None });
        let r = sweep(&p);
        let spans: Vec<Interval> = r.buffer_data[0].section_spans.iter().map(|s| s.section_range).collect();
        assert_eq!(spans, vec![Interval::new(0, 1), Interval::new(2, 3)]);
        assert!(r.buffer_data[0].overlaps.is_empty(), "the gap hides buffer 1 entirely");
        assert_eq!(r.partitions.len(), 1, "buffer 0 stays alive across its gap");
        assert_eq!(r.calculate_cuts(), vec![1, 1]);
    }

    #[test]
    fn gap_with_window_is_its_own_span() {
        let mut p = problem(&[(0, 10, 4)]);
        p.buffers[0].gaps.push(Gap { lifespan: Interval::new(2, 7), window: Some(Window::new(1, 3)) });
        let points = create_points(&p);
        assert_eq!(points.len(), 6);
        let r = sweep(&p);
        let spans: Vec<(Interval, Window)> =
            r.buffer_data[0].section_spans.iter().map(|s| (s.section_range, s.window)).collect();
        assert_eq!(
            spans,
            vec![
                (Interval::new(0, 1), Window::new(0, 4)),
                (Interval::new(1, 2), Window::new(1, 3)),
                (Interval::new(2, 3), Window::new(0, 4)),
            ]
        );
    }

    #[test]
    fn touching_lifespans_do_not_overlap() {
        let r = sweep(&problem(&[(0, 2, 1), (2, 4, 1)]));
        assert_eq!(r.partitions.len(), 2);
        assert!(r.buffer_data.iter().all(|d| d.overlaps.is_empty()));
    }

    #[test]
    fn estimates_match_the_sweep_without_gaps() {
        let p = problem(&[(1, 2, 1), (2, 4, 1), (0, 5, 1), (5, 9, 1), (3, 9, 2)]);
        let r = sweep(&p);
        let overlaps: usize = r.buffer_data.iter().map(|d| d.overlaps.len()).sum();
        assert_eq!(estimated_overlaps(&p), overlaps as u64);
        let memberships: usize = r.sections.iter().map(Vec::len).sum();
        assert_eq!(estimated_memberships(&p), memberships as u64);
    }

    #[test]
    fn empty_problem() {
        let r = sweep(&Problem::default());
        assert!(r.sections.is_empty() && r.partitions.is_empty());
        assert!(r.calculate_cuts().is_empty());
    }
}

//! The depth-first search of MiniMalloc, node for node as in the reference.
//!
//! # The idea
//!
//! The search builds a solution one buffer at a time. At every node, each
//! unplaced buffer has a *minimum offset*: the lowest address at which it does
//! not collide with the buffers already placed (raised each time an
//! overlapping buffer is placed below it, and rounded up to its alignment).
//! The search only ever places a buffer exactly at its minimum offset, so it
//! explores *canonical* solutions, where every buffer rests on the floor or on
//! another buffer; some optimal solution is always canonical.
//!
//! A node tries the unplaced buffers in turn, lowest minimum offset first
//! (`dynamic_ordering`), ties broken by the static preorder (see
//! [`super::order`]). For each it places the buffer, propagates, and recurses;
//! if no child leads to a solution it counts a *backtrack*. Pruning:
//!
//! - `canonical_only`: placements happen in non-decreasing (offset, preorder)
//!   order along a branch, so each canonical solution is reached once;
//! - `check_dominance`: a buffer whose minimum offset lies at or above the top
//!   of some other unplaced buffer would leave a hole that buffer could fill:
//!   skip it;
//! - `section_inference`: each section keeps a *floor* (no unplaced buffer
//!   active there can go lower) and the *total* size of its unplaced buffers;
//!   `floor + total > capacity` proves the branch dead;
//! - `unallocated_floor`: the floor of a section is at least the smallest
//!   minimum offset of its unplaced buffers;
//! - `monotonic_floor`: since placements go upwards, the floor of every
//!   section is at least the offset just placed;
//! - `hatless_pruning`: if the placed buffer overlaps no unplaced buffer,
//!   trying its siblings instead cannot help: stop after the first child;
//! - `dynamic_decomposition`: when the placed buffer was the last one crossing
//!   between two sections (its *cut* reaches zero), the rest splits into
//!   independent sub-partitions, each solved on its own.
//!
//! With several preordering heuristics, each gets a node budget (twice the
//! number of buffers, doubling every round) and they take turns until one
//! finishes.
//!
//! # The machinery
//!
//! Nothing is allocated, hashed or timed per node. All per-node state lives in
//! flat arrays indexed by buffer or section, and every change is recorded on
//! an undo trail so a branch is undone by popping the trail. The per-node
//! orderings, preorders and sub-partitions live on stack-like arenas that grow
//! and shrink with the recursion. The dynamic ordering is kept sorted by
//! merging: a child's ordering is its parent's minus the placed buffer, with
//! only the buffers whose minimum offset moved re-sorted and merged back. The
//! clock is read every few thousand nodes.

use std::sync::atomic::AtomicU64;
use std::time::Instant;

use super::meter::Meter;
use super::order::{PreorderData, PreorderingComparator};
use super::{Shared, SolverParams};
use crate::problem::{Offset, Problem};
use crate::sweep::SweepResult;

const NO_OFFSET: Offset = -1;
/// How many nodes pass between two readings of the clock, at most: fewer on
/// large problems, where one node costs more (about `65536 / n`), so that a
/// deadline is noticed within milliseconds.
const CLOCK_INTERVAL: u32 = 1024;

/// How a (sub)search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// A solution was found (and stored).
    Found,
    /// The search space is exhausted: no solution.
    NotFound,
    /// The node budget of this round ran out.
    Aborted,
    /// The deadline passed.
    Timeout,
    /// Another thread asked us to stop.
    Cancelled,
}

/// A buffer of the current ordering: its minimum offset when the ordering was
/// made, and its position in the static preorder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct OrderItem {
    offset: Offset,
    preorder_idx: u32,
}

/// A partition being searched: its buffers (a range of `part_arena`) and its
/// sections.
#[derive(Clone, Copy, Debug)]
struct Part {
    buffers_start: usize,
    buffers_end: usize,
    section_lo: usize,
    section_hi: usize,
    /// Whether every section already satisfies `floor + total <= capacity`
    /// (true below any placement that passed the check).
    settled: bool,
}

/// A slice of `order_arena`.
#[derive(Clone, Copy, Debug)]
struct Frame {
    start: usize,
    len: usize,
}

/// Compressed rows: the items of row `i` are `items[starts[i]..starts[i + 1]]`.
struct Rows<T> {
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy> Rows<T> {
    fn build<I: IntoIterator<Item = T>>(rows: impl Iterator<Item = I>) -> Self {
        let mut starts = vec![0u32];
        let mut items = Vec::new();
        for row in rows {
            items.extend(row);
            starts.push(items.len() as u32);
        }
        Rows { starts, items }
    }

    #[inline]
    fn row(&self, i: usize) -> &[T] {
        &self.items[self.starts[i] as usize..self.starts[i + 1] as usize]
    }
}

/// What a section knows about its unplaced buffers: the lowest minimum
/// offset among them and how many sit there.
#[derive(Clone, Copy)]
struct Lowest {
    value: Offset,
    count: u32,
    /// The stamp of the placement that last saved this entry on the trail:
    /// one saved copy per placement is enough to undo it.
    saved: u32,
}

/// One span of a buffer, flattened for the hot loop.
#[derive(Clone, Copy)]
struct Span {
    lo: u32,
    hi: u32,
    /// The window's upper end: the section floor after placing the buffer is
    /// `offset + top`.
    top: i64,
    /// The window's width: what the buffer adds to the section total.
    width: i64,
}

/// The search over one problem at one capacity.
pub(crate) struct Engine<'a> {
    problem: &'a Problem,
    sweep: &'a SweepResult,
    params: &'a SolverParams,
    capacity: i64,

    // What never changes during the search.
    sizes: Vec<i64>,
    alignments: Vec<i64>,
    fixed: Vec<Option<Offset>>,
    spans: Rows<Span>,
    /// First and past-last section of each buffer.
    ranges: Vec<(u32, u32)>,
    overlaps: Rows<(u32, i64)>,
    sections: Rows<u32>,

    // The state of the current node.
    assigned: Vec<Offset>,
    min_offsets: Vec<Offset>,
    /// `min_offsets` for unplaced buffers, `Offset::MAX` for placed ones: the
    /// one array a section rescan reads.
    avail: Vec<Offset>,
    floors: Vec<Offset>,
    totals: Vec<i64>,
    cuts: Vec<i64>,
    /// Where each buffer was placed in the last solution found.
    solution: Vec<Offset>,

    // Undo trails.
    offset_trail: Vec<(u32, Offset)>,
    floor_trail: Vec<(u32, Offset)>,

    // Per-placement scratch: the sections whose floor may rise because the
    // minimum offset of one of their buffers rose.
    affected_stamp: u32,
    affected: Vec<u32>,
    /// The section ranges of the buffers whose minimum offset rose, whose
    /// union is `affected`.
    affected_ranges: Vec<(u32, u32)>,

    // The lowest minimum offset among each section's unplaced buffers, and
    // how many buffers sit at it; kept up to date so that a section is only
    // rescanned when its last lowest buffer rises or is placed.
    lowest: Vec<Lowest>,
    lowest_trail: Vec<(u32, Offset, u32)>,
    /// Sections whose lowest buffers are all gone, to rescan.
    rescan: Vec<u32>,

    // Stack-like arenas that follow the recursion.
    order_arena: Vec<OrderItem>,
    moved: Vec<OrderItem>,
    preorder_arena: Vec<u32>,
    part_arena: Vec<u32>,
    cutpoints: Vec<usize>,
    preorder_scratch: Vec<PreorderData>,

    /// Node budget, counters, clock, cancel flag and a racer's limit.
    meter: Meter<'a>,
}

impl<'a> Engine<'a> {
    /// Prepares a search of `problem` at `capacity`.
    pub(crate) fn new(
        problem: &'a Problem,
        sweep: &'a SweepResult,
        params: &'a SolverParams,
        capacity: i64,
        deadline: Option<Instant>,
        shared: &'a Shared,
    ) -> Self {
        let n = problem.buffers.len();
        let num_sections = sweep.sections.len();
        let spans = Rows::build(sweep.buffer_data.iter().map(|d| {
            d.section_spans.iter().map(|s| Span {
                lo: s.section_range.lower as u32,
                hi: s.section_range.upper as u32,
                top: s.window.upper,
                width: s.window.upper - s.window.lower,
            })
        }));
        let ranges = sweep
            .buffer_data
            .iter()
            .map(|d| {
                let r = d.section_range();
                (r.lower as u32, r.upper as u32)
            })
            .collect();
        let overlaps = Rows::build(
            sweep
                .buffer_data
                .iter()
                .map(|d| d.overlaps.iter().map(|o| (o.buffer_idx as u32, o.effective_size))),
        );
        let sections = Rows::build(sweep.sections.iter().map(|s| s.iter().map(|&b| b as u32)));
        let mut totals = vec![0i64; num_sections];
        for b in 0..n {
            for span in spans.row(b) {
                for total in &mut totals[span.lo as usize..span.hi as usize] {
                    *total = total.saturating_add(span.width);
                }
            }
        }
        let fixed: Vec<Option<Offset>> = problem.buffers.iter().map(|b| b.offset).collect();
        let min_offsets: Vec<Offset> = fixed.iter().map(|f| f.unwrap_or(0)).collect();
        let mut engine = Engine {
            problem,
            sweep,
            params,
            capacity,
            sizes: problem.buffers.iter().map(|b| b.size).collect(),
            alignments: problem.buffers.iter().map(|b| b.alignment).collect(),
            fixed,
            spans,
            ranges,
            overlaps,
            sections,
            assigned: vec![NO_OFFSET; n],
            avail: min_offsets.clone(),
            min_offsets,
            floors: vec![0; num_sections],
            totals,
            cuts: sweep.calculate_cuts(),
            solution: vec![NO_OFFSET; n],
            offset_trail: Vec::with_capacity(n),
            floor_trail: Vec::with_capacity(num_sections),
            affected_stamp: 0,
            affected: Vec::with_capacity(num_sections),
            affected_ranges: Vec::with_capacity(n),
            lowest: vec![Lowest { value: Offset::MAX, count: 0, saved: 0 }; num_sections],
            lowest_trail: Vec::with_capacity(num_sections),
            rescan: Vec::with_capacity(num_sections),
            order_arena: Vec::with_capacity(4 * n),
            moved: Vec::with_capacity(n),
            preorder_arena: Vec::with_capacity(n),
            part_arena: Vec::with_capacity(2 * n),
            cutpoints: Vec::new(),
            preorder_scratch: Vec::with_capacity(n),
            meter: Meter::new(shared, deadline, (65536 / n.max(1)).clamp(1, CLOCK_INTERVAL as usize) as u32),
        };
        for s in 0..num_sections {
            engine.rescan_section(s);
        }
        engine
    }

    /// Recomputes the lowest minimum offset of section `s` (and how many
    /// unplaced buffers share it) from scratch.
    fn rescan_section(&mut self, s: usize) {
        let (mut lowest, mut count) = (Offset::MAX, 0u32);
        for &m in self.sections.row(s) {
            let v = self.avail[m as usize];
            // Branch-free: a new minimum restarts the count at one.
            count = if v < lowest { 1 } else { count + (v == lowest) as u32 };
            lowest = lowest.min(v);
        }
        self.lowest[s].value = lowest;
        self.lowest[s].count = if lowest == Offset::MAX { 0 } else { count };
    }

    /// Notes that a buffer whose minimum offset was `value` left the unplaced
    /// buffers of `s` at that value (it rose, or was placed).
    #[inline]
    fn leave_lowest(&mut self, s: usize, value: Offset) {
        let low = &mut self.lowest[s];
        if value == low.value {
            if low.saved != self.affected_stamp {
                low.saved = self.affected_stamp;
                self.lowest_trail.push((s as u32, low.value, low.count));
            }
            low.count -= 1;
            if low.count == 0 {
                self.rescan.push(s as u32);
            }
        }
    }

    /// Makes the search stop once it has visited `limit` nodes (read now
    /// and then; see [`Engine::stop_at`]).
    pub(crate) fn stop_at(&mut self, limit: &'a AtomicU64) {
        self.meter.stop_at(Some(limit));
    }

    /// Adds the nodes and backtracks counted since the last call to the
    /// shared progress counters.
    pub(crate) fn publish(&mut self) {
        self.meter.publish();
    }

    /// Backtracks counted so far.
    pub(crate) fn backtracks(&self) -> u64 {
        self.meter.backtracks
    }

    /// Nodes visited so far.
    pub(crate) fn nodes(&self) -> u64 {
        self.meter.nodes
    }

    /// The offsets of the solution found by the last successful [`Self::run`].
    pub(crate) fn solution(&self) -> &[Offset] {
        &self.solution
    }

    /// Searches every partition, with one heuristic, or with several in
    /// rounds of growing node budgets.
    pub(crate) fn run(&mut self, comparators: &[PreorderingComparator]) -> Status {
        if self.problem.buffers.is_empty() {
            return Status::Found;
        }
        // A fixed offset the alignment forbids can never be kept.
        if self.fixed.iter().zip(&self.alignments).any(|(f, &a)| f.is_some_and(|o| o % a != 0)) {
            return Status::NotFound;
        }
        self.part_arena.clear();
        let mut parts = Vec::with_capacity(self.sweep.partitions.len());
        for partition in &self.sweep.partitions {
            let start = self.part_arena.len();
            self.part_arena.extend(partition.buffer_idxs.iter().map(|&b| b as u32));
            parts.push(Part {
                buffers_start: start,
                buffers_end: self.part_arena.len(),
                section_lo: partition.section_range.lower as usize,
                section_hi: partition.section_range.upper as usize,
                settled: false,
            });
        }
        if let [comparator] = comparators {
            self.meter.budget = u64::MAX;
            for &part in &parts {
                let status = self.sub_solve(part, comparator);
                if status != Status::Found {
                    return status;
                }
            }
            return Status::Found;
        }
        let mut node_limit = self.problem.buffers.len() as u64;
        loop {
            node_limit = node_limit.saturating_mul(2);
            for comparator in comparators {
                self.meter.budget = node_limit;
                let mut status = Status::Found;
                for &part in &parts {
                    status = self.sub_solve(part, comparator);
                    if status != Status::Found {
                        break;
                    }
                }
                match status {
                    Status::Aborted => continue,
                    other => return other,
                }
            }
        }
    }

    /// Sorts the partition's buffers by the heuristic, then searches it.
    fn sub_solve(&mut self, part: Part, comparator: &PreorderingComparator) -> Status {
        let mut scratch = std::mem::take(&mut self.preorder_scratch);
        scratch.clear();
        for i in part.buffers_start..part.buffers_end {
            let b = self.part_arena[i] as usize;
            let buffer = &self.problem.buffers[b];
            let total = self
                .spans
                .row(b)
                .iter()
                .flat_map(|s| &self.totals[s.lo as usize..s.hi as usize])
                .fold(0i64, |acc, &t| acc.max(t));
            let (lo, hi) = self.ranges[b];
            scratch.push(PreorderData {
                area: buffer.area(),
                lower: buffer.lifespan.lower,
                overlaps: self.overlaps.row(b).len() as u64,
                sections: hi as i64 - lo as i64,
                size: buffer.size,
                total,
                upper: buffer.lifespan.upper,
                width: buffer.lifespan.upper as i128 - buffer.lifespan.lower as i128,
                buffer_idx: b,
            });
        }
        if self.params.static_preordering {
            scratch.sort_unstable_by(|a, b| comparator.compare(a, b));
        }
        let preorder_base = self.preorder_arena.len();
        self.preorder_arena.extend(scratch.iter().map(|d| d.buffer_idx as u32));
        let count = scratch.len();
        self.preorder_scratch = scratch;

        let frame = Frame { start: self.order_arena.len(), len: count };
        self.order_arena.extend((0..count as u32).map(|preorder_idx| OrderItem { offset: 0, preorder_idx }));
        let part = Part { settled: self.settled(part), ..part };
        let status = self.search(part, comparator, preorder_base, frame, 0, 0);
        self.order_arena.truncate(frame.start);
        self.preorder_arena.truncate(preorder_base);
        status
    }

    /// Builds the ordering of this node from its parent's: unplaced buffers
    /// only, with their current minimum offsets, sorted by (offset, preorder)
    /// when ordering dynamically. Returns the new frame and the lowest top
    /// (`offset + size`) among them.
    fn compute_ordering(&mut self, preorder_base: usize, parent: Frame) -> (Frame, Offset) {
        let start = self.order_arena.len();
        let mut min_height = Offset::MAX;
        self.moved.clear();
        for i in parent.start..parent.start + parent.len {
            let item = self.order_arena[i];
            let b = self.preorder_arena[preorder_base + item.preorder_idx as usize] as usize;
            if self.assigned[b] != NO_OFFSET {
                continue;
            }
            let offset = self.min_offsets[b];
            min_height = min_height.min(offset.saturating_add(self.sizes[b]));
            let updated = OrderItem { offset, preorder_idx: item.preorder_idx };
            if offset == item.offset || !self.params.dynamic_ordering {
                self.order_arena.push(updated);
            } else {
                self.moved.push(updated);
            }
        }
        if !self.moved.is_empty() {
            // Merge the moved buffers back in, from the back.
            self.moved.sort_unstable();
            let kept = self.order_arena.len() - start;
            let total = kept + self.moved.len();
            self.order_arena.resize(start + total, OrderItem { offset: 0, preorder_idx: 0 });
            let (mut i, mut j, mut k) = (kept, self.moved.len(), total);
            while j > 0 {
                if i > 0 && self.order_arena[start + i - 1] > self.moved[j - 1] {
                    self.order_arena[start + k - 1] = self.order_arena[start + i - 1];
                    i -= 1;
                } else {
                    self.order_arena[start + k - 1] = self.moved[j - 1];
                    j -= 1;
                }
                k -= 1;
            }
        }
        (Frame { start, len: self.order_arena.len() - start }, min_height)
    }

    /// The recursive search (the reference's `SearchSolutions`).
    fn search(
        &mut self,
        part: Part,
        comparator: &PreorderingComparator,
        preorder_base: usize,
        parent: Frame,
        min_offset: Offset,
        min_preorder_idx: u32,
    ) -> Status {
        if let Some(status) = self.meter.tick() {
            return status;
        }
        let (frame, min_height) = self.compute_ordering(preorder_base, parent);
        if frame.len == 0 {
            for i in part.buffers_start..part.buffers_end {
                let b = self.part_arena[i] as usize;
                self.solution[b] = self.assigned[b];
            }
            self.order_arena.truncate(frame.start);
            return Status::Found;
        }
        let p = self.params;
        // With a settled partition, section inference and monotonic floors, a
        // placement is first screened with what is known before propagating
        // it (see `doomed`); `largest_total` is the largest section total of
        // the partition at this node.
        let screen = part.settled && p.section_inference && p.monotonic_floor;
        let largest_total = if screen { self.largest_total(part) } else { 0 };
        for i in 0..frame.len {
            let OrderItem { offset, preorder_idx } = self.order_arena[frame.start + i];
            let b = self.preorder_arena[preorder_base + preorder_idx as usize] as usize;
            if p.canonical_only
                && (offset < min_offset || (offset == min_offset && preorder_idx < min_preorder_idx))
            {
                continue;
            }
            if p.check_dominance && offset >= min_height {
                continue;
            }
            if self.fixed[b].is_some_and(|f| offset > f) {
                continue;
            }
            // A buffer must fit below the capacity as a whole. (The section
            // check only sees the tops of its windows, so a buffer whose gaps
            // all have low windows would escape it; without gaps the check
            // fails here too, so this changes nothing for the reference's
            // instances.)
            let too_high = offset.checked_add(self.sizes[b]).is_none_or(|top| top > self.capacity);
            if too_high || (screen && self.doomed(part, b, offset, largest_total)) {
                // The full check would fail: skip propagating, as the
                // reference's outcome for this child is the same.
                if p.hatless_pruning && self.is_hatless(b) {
                    break;
                }
                continue;
            }
            self.assigned[b] = offset;
            self.avail[b] = Offset::MAX;
            let offset_mark = self.offset_trail.len();
            let lowest_mark = self.lowest_trail.len();
            let (hatless, fixed_failure) = self.update_min_offsets(b, offset);
            let floor_mark = self.floor_trail.len();
            let lifted = self.update_section_data(b, offset, screen);
            let mut status = Status::NotFound;
            let passes = if screen {
                lifted && self.check_changed(part, offset, floor_mark, largest_total)
            } else {
                self.check(part, offset)
            };
            if !fixed_failure && passes {
                let part = Part { settled: true, ..part };
                status = if p.dynamic_decomposition {
                    self.decompose(part, comparator, preorder_base, frame, offset, preorder_idx, b)
                } else {
                    self.search(part, comparator, preorder_base, frame, offset, preorder_idx)
                };
            }
            self.restore_section_data(b, floor_mark, lowest_mark);
            while self.offset_trail.len() > offset_mark {
                if let Some((o, old)) = self.offset_trail.pop() {
                    self.min_offsets[o as usize] = old;
                    self.avail[o as usize] = old;
                }
            }
            self.assigned[b] = NO_OFFSET;
            self.avail[b] = self.min_offsets[b];
            if status != Status::NotFound {
                self.order_arena.truncate(frame.start);
                return status;
            }
            if hatless && p.hatless_pruning {
                break;
            }
        }
        self.meter.backtracks += 1;
        self.order_arena.truncate(frame.start);
        Status::NotFound
    }

    /// Raises the minimum offsets of the unplaced buffers above `b`, now at
    /// `offset`. Returns whether no unplaced buffer overlaps `b` ("hatless")
    /// and whether some fixed offset became unreachable.
    fn update_min_offsets(&mut self, b: usize, offset: Offset) -> (bool, bool) {
        let mut hatless = true;
        let mut fixed_failure = false;
        self.affected_stamp = self.affected_stamp.wrapping_add(1);
        if self.affected_stamp == 0 {
            self.lowest.iter_mut().for_each(|l| l.saved = 0);
            self.affected_stamp = 1;
        }
        self.affected.clear();
        self.affected_ranges.clear();
        self.rescan.clear();
        let track_sections = self.params.unallocated_floor;
        let (starts, items) = (&self.overlaps.starts, &self.overlaps.items);
        for &(o, effective_size) in &items[starts[b] as usize..starts[b + 1] as usize] {
            let o = o as usize;
            if self.assigned[o] != NO_OFFSET {
                continue;
            }
            hatless = false;
            let height = offset.saturating_add(effective_size);
            if self.min_offsets[o] >= height {
                continue;
            }
            let old = self.min_offsets[o];
            self.offset_trail.push((o as u32, old));
            let alignment = self.alignments[o];
            let rem = if alignment == 1 { 0 } else { height % alignment };
            let aligned = if rem > 0 { height.saturating_add(alignment - rem) } else { height };
            self.min_offsets[o] = aligned;
            self.avail[o] = aligned;
            if self.fixed[o].is_some_and(|f| aligned > f) {
                fixed_failure = true;
            }
            if track_sections {
                let (span_starts, span_items) = (&self.spans.starts, &self.spans.items);
                let stamp = self.affected_stamp;
                for span in &span_items[span_starts[o] as usize..span_starts[o + 1] as usize] {
                    let (lo, hi) = (span.lo as usize, span.hi as usize);
                    self.affected_ranges.push((span.lo, span.hi));
                    // The same rule as `leave_lowest`, inlined over a slice:
                    // calling it here (index by index) costs 16% more
                    // instructions on challenging C (1.24 G -> 1.43 G).
                    for (k, low) in self.lowest[lo..hi].iter_mut().enumerate() {
                        let s = (lo + k) as u32;
                        if old == low.value {
                            if low.saved != stamp {
                                low.saved = stamp;
                                self.lowest_trail.push((s, old, low.count));
                            }
                            low.count -= 1;
                            if low.count == 0 {
                                self.rescan.push(s);
                            }
                        }
                    }
                }
            }
        }
        if track_sections {
            // The affected sections: the union of the ranges, in order.
            self.affected_ranges.sort_unstable();
            let mut next = 0u32;
            for &(lo, hi) in &self.affected_ranges {
                self.affected.extend(lo.max(next)..hi);
                next = next.max(hi);
            }
        }
        (hatless, fixed_failure)
    }

    /// Raises the floors of the sections `b` occupies and removes its size
    /// from their totals; then lifts the floors of affected sections to the
    /// lowest minimum offset of their unplaced buffers.
    ///
    /// With `screen`, stops early (returning `false`) as soon as a lifted
    /// section fails the check, which then must fail; the trails still undo
    /// everything, and sections left unscanned are restored by them.
    fn update_section_data(&mut self, b: usize, offset: Offset, screen: bool) -> bool {
        let (starts, items) = (&self.spans.starts, &self.spans.items);
        for span in &items[starts[b] as usize..starts[b + 1] as usize] {
            let top = offset.saturating_add(span.top);
            for s in span.lo as usize..span.hi as usize {
                self.floor_trail.push((s as u32, self.floors[s]));
                self.floors[s] = top;
                self.totals[s] -= span.width;
            }
        }
        if !self.params.unallocated_floor {
            return true;
        }
        // `b` is no longer among the unplaced buffers of its sections.
        let placed_at = self.min_offsets[b];
        for k in self.spans.starts[b] as usize..self.spans.starts[b + 1] as usize {
            let span = self.spans.items[k];
            for s in span.lo as usize..span.hi as usize {
                self.leave_lowest(s, placed_at);
            }
        }
        // The floor of an affected section rises to the lowest minimum offset
        // of its unplaced buffers. An affected section has at least one (the
        // buffer whose rise affected it), so a zero count means it lost all
        // its lowest buffers: rescan it first.
        for k in 0..self.affected.len() {
            let s = self.affected[k] as usize;
            if self.lowest[s].count == 0 {
                self.rescan_section(s);
            }
            let lowest = self.lowest[s].value;
            if lowest != Offset::MAX && self.floors[s] < lowest {
                self.floor_trail.push((s as u32, self.floors[s]));
                self.floors[s] = lowest;
                if screen && self.capacity < lowest.max(offset).saturating_add(self.totals[s]) {
                    return false;
                }
            }
        }
        // Sections of `b` that nothing else affected.
        for k in 0..self.rescan.len() {
            let s = self.rescan[k] as usize;
            if self.lowest[s].count == 0 {
                self.rescan_section(s);
            }
        }
        true
    }

    /// Undoes [`Self::update_section_data`] for `b`.
    fn restore_section_data(&mut self, b: usize, mark: usize, lowest_mark: usize) {
        while self.floor_trail.len() > mark {
            if let Some((s, old)) = self.floor_trail.pop() {
                self.floors[s as usize] = old;
            }
        }
        while self.lowest_trail.len() > lowest_mark {
            if let Some((s, lowest, count)) = self.lowest_trail.pop() {
                let low = &mut self.lowest[s as usize];
                low.value = lowest;
                low.count = count;
            }
        }
        let (starts, items) = (&self.spans.starts, &self.spans.items);
        for span in &items[starts[b] as usize..starts[b + 1] as usize] {
            for total in &mut self.totals[span.lo as usize..span.hi as usize] {
                *total += span.width;
            }
        }
    }

    /// Whether every section of the partition already satisfies
    /// `floor + total <= capacity`. Once it does, a placement can only break
    /// that in the sections whose floor or total it changed, which is what
    /// [`Self::check_changed`] relies on.
    fn settled(&self, part: Part) -> bool {
        let floors = &self.floors[part.section_lo..part.section_hi];
        let totals = &self.totals[part.section_lo..part.section_hi];
        floors.iter().zip(totals).all(|(&f, &t)| f.saturating_add(t) <= self.capacity)
    }

    /// [`Self::check`] with section inference and monotonic floors, for a
    /// node whose partition was settled before this placement: only the
    /// sections this placement changed (recorded on the floor trail since
    /// `floor_mark`) can break `floor + total <= capacity`, and the monotonic
    /// floor adds `offset + total <= capacity` everywhere, a plain maximum.
    fn check_changed(&self, part: Part, offset: Offset, floor_mark: usize, largest_total: i64) -> bool {
        for &(s, _) in &self.floor_trail[floor_mark..] {
            let s = s as usize;
            if self.capacity < self.floors[s].max(offset).saturating_add(self.totals[s]) {
                return false;
            }
        }
        // Totals only went down since `largest_total` was taken.
        offset.saturating_add(largest_total) <= self.capacity
            || offset.saturating_add(self.largest_total(part)) <= self.capacity
    }

    /// The largest section total in the partition.
    fn largest_total(&self, part: Part) -> i64 {
        self.totals[part.section_lo..part.section_hi].iter().fold(0i64, |m, &t| m.max(t))
    }

    /// Whether placing `b` at `offset` must fail the check, judged before
    /// propagating: in `b`'s sections the floor becomes at least
    /// `offset + top` while the total loses `b`'s width; elsewhere floors
    /// only rise and totals stay, and the monotonic floor demands
    /// `offset + total <= capacity`. Never wrong when it says yes.
    fn doomed(&self, part: Part, b: usize, offset: Offset, largest_total: i64) -> bool {
        let spans = self.spans.row(b);
        for span in spans {
            let floor = offset.saturating_add(span.top);
            let totals = &self.totals[span.lo as usize..span.hi as usize];
            if totals.iter().any(|&t| self.capacity < floor.saturating_add(t - span.width)) {
                return true;
            }
        }
        if offset.saturating_add(largest_total) <= self.capacity {
            return false;
        }
        // Some section is too full for this offset: is it one of b's?
        let limit = self.capacity - offset;
        let mut s = part.section_lo;
        for span in spans {
            if self.totals[s..span.lo as usize].iter().any(|&t| t > limit) {
                return true;
            }
            s = span.hi as usize;
        }
        self.totals[s..part.section_hi].iter().any(|&t| t > limit)
    }

    /// Whether no unplaced buffer overlaps `b`.
    fn is_hatless(&self, b: usize) -> bool {
        self.overlaps.row(b).iter().all(|&(o, _)| self.assigned[o as usize] != NO_OFFSET)
    }

    /// Whether every section of the partition can still fit below capacity.
    fn check(&self, part: Part, offset: Offset) -> bool {
        let p = self.params;
        let floors = &self.floors[part.section_lo..part.section_hi];
        let totals = &self.totals[part.section_lo..part.section_hi];
        for (&floor, &total) in floors.iter().zip(totals) {
            let mut floor = floor;
            if p.monotonic_floor {
                floor = floor.max(offset);
            }
            if p.section_inference {
                floor = floor.saturating_add(total);
            }
            if self.capacity < floor {
                return false;
            }
        }
        true
    }

    /// After placing `b`: if it was the last buffer crossing some section
    /// boundaries, solve the pieces separately; otherwise keep searching.
    #[allow(clippy::too_many_arguments)]
    fn decompose(
        &mut self,
        part: Part,
        comparator: &PreorderingComparator,
        preorder_base: usize,
        frame: Frame,
        offset: Offset,
        preorder_idx: u32,
        b: usize,
    ) -> Status {
        self.solution[b] = self.assigned[b];
        let base = self.cutpoints.len();
        self.cutpoints.push(part.section_lo);
        let (lo, hi) = self.ranges[b];
        for s in lo as usize..(hi as usize).saturating_sub(1) {
            self.cuts[s] -= 1;
            if self.cuts[s] == 0 {
                self.cutpoints.push(s + 1);
            }
        }
        let mut status = Status::Found;
        if self.cutpoints.len() - base == 1 {
            status = self.search(part, comparator, preorder_base, frame, offset, preorder_idx);
        } else {
            self.cutpoints.push(part.section_hi);
            for c in base + 1..self.cutpoints.len() {
                let (section_lo, section_hi) = (self.cutpoints[c - 1], self.cutpoints[c]);
                let start = self.part_arena.len();
                for i in part.buffers_start..part.buffers_end {
                    let other = self.part_arena[i] as usize;
                    if self.assigned[other] != NO_OFFSET {
                        continue;
                    }
                    let (olo, ohi) = self.ranges[other];
                    if !((ohi as usize) <= section_lo || section_hi <= olo as usize) {
                        self.part_arena.push(other as u32);
                    }
                }
                let end = self.part_arena.len();
                if start == end {
                    continue;
                }
                let sub =
                    Part { buffers_start: start, buffers_end: end, section_lo, section_hi, settled: false };
                let sub_status = self.sub_solve(sub, comparator);
                self.part_arena.truncate(start);
                if sub_status != Status::Found {
                    status = sub_status;
                    break;
                }
            }
        }
        for s in lo as usize..(hi as usize).saturating_sub(1) {
            self.cuts[s] += 1;
        }
        self.cutpoints.truncate(base);
        status
    }
}

//! The placement core shared by every heuristic: fixed buffers first, then
//! the others one at a time in a given order, each at the best-fit or
//! first-fit offset among those its placed time neighbours leave free.
//!
//! # Offsets a buffer may take
//!
//! A placed buffer `p` at `op` forbids buffer `x` the offsets in the open
//! interval `(op - es_xp, op + es_px)` (effective sizes, both present; see
//! [`Buffer::effective_size`]). Written in *memory form* `[s, e)` with
//! `s = op - es_xp + size(x)` and `e = op + es_px`, the forbidden offsets are
//! `[s - size(x) + 1, e)`; without gaps `[s, e)` is simply the memory `p`
//! uses. Gap-free placed buffers are kept as merged memory intervals in an
//! [`Occupancy`] tree, so that a query reads a few pre-merged lists instead of
//! every neighbour; pairs involving a buffer with gaps are computed one by
//! one from the effective sizes.
//!
//! The lists (each sorted) are merged two at a time, shortest first, into the
//! sorted union of forbidden offsets, whose complement is the free runs in
//! increasing order: best fit keeps the shortest run holding an aligned
//! offset (lowest on ties), first fit the first.

use std::sync::atomic::Ordering;
use std::time::Instant;

use super::tree::{Geometry, Occupancy, Slots, StaticIndex};
use super::{HeuristicError, Limits};
use crate::problem::{align_up, Buffer, Offset, Problem, Solution};

/// How a buffer chooses among the free runs of offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fit {
    /// The shortest run that holds an aligned offset; the lowest on ties.
    Best,
    /// The lowest aligned offset.
    First,
}

/// Checks the deadline and the cancel flag every so much work.
pub(super) struct Watch<'a> {
    limits: &'a Limits<'a>,
    active: bool,
    work: u64,
}

/// Work units between two checks: a buffer counts [`BUFFER_WORK`], each
/// interval it reads one more.
const CHECK_EVERY: u64 = 1 << 16;
const BUFFER_WORK: u64 = 64;

impl<'a> Watch<'a> {
    pub fn new(limits: &'a Limits<'a>) -> Self {
        Watch { limits, active: limits.deadline.is_some() || limits.cancel.is_some(), work: 0 }
    }

    /// Fails if cancelled or past the deadline.
    pub fn check(&mut self) -> Result<(), HeuristicError> {
        self.work = 0;
        if !self.active {
            return Ok(());
        }
        if self.limits.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(HeuristicError::Cancelled);
        }
        if self.limits.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(HeuristicError::Timeout);
        }
        Ok(())
    }

    /// Counts `work` units, checking once enough have accumulated.
    #[inline]
    pub fn tick(&mut self, work: u64) -> Result<(), HeuristicError> {
        self.work += work;
        if self.work >= CHECK_EVERY {
            self.check()
        } else {
            Ok(())
        }
    }
}

/// What does not depend on the order: compressed time and the indices of
/// buffers with gaps.
pub(super) struct Prepared<'p> {
    problem: &'p Problem,
    slots: Slots,
    geo: Geometry,
    /// Buffers with gaps, to be met by gap-free buffers (if any has gaps).
    gapped: Option<StaticIndex>,
    /// Every buffer, to be met by buffers with gaps (if any has gaps).
    all: Option<StaticIndex>,
}

impl<'p> Prepared<'p> {
    /// Prepares a well-formed, non-empty `problem`.
    pub fn new(problem: &'p Problem, watch: &mut Watch) -> Result<Self, HeuristicError> {
        let slots = Slots::new(problem, watch)?;
        let geo = Geometry::new(slots.count);
        let gapped_ids: Vec<u32> = (0..problem.buffers.len() as u32)
            .filter(|&i| !problem.buffers[i as usize].gaps.is_empty())
            .collect();
        let (gapped, all) = if gapped_ids.is_empty() {
            (None, None)
        } else {
            let every: Vec<u32> = (0..problem.buffers.len() as u32).collect();
            let gapped = StaticIndex::new(&geo, &slots, &gapped_ids, watch)?;
            let all = StaticIndex::new(&geo, &slots, &every, watch)?;
            (Some(gapped), Some(all))
        };
        Ok(Prepared { problem, slots, geo, gapped, all })
    }

    /// The buffers' time neighbours, as the number of buffers each conflicts
    /// with (overlapping in time with effective sizes present).
    pub fn conflict_counts(&self, watch: &mut Watch) -> Result<Vec<u64>, HeuristicError> {
        let buffers = &self.problem.buffers;
        let slots = &self.slots;
        // Per slot: buffers starting before it, buffers ended by it.
        let m = slots.count as usize;
        let (mut started, mut ended) = (vec![0u64; m + 2], vec![0u64; m + 2]);
        for (&lo, &hi) in slots.lo.iter().zip(&slots.hi) {
            started[lo as usize + 1] += 1;
            ended[hi as usize] += 1;
        }
        for s in 1..m + 2 {
            started[s] += started[s - 1];
            ended[s] += ended[s - 1];
        }
        // Buffers starting before i ends, minus those ended when i starts,
        // minus i itself.
        let mut counts: Vec<u64> = slots
            .lo
            .iter()
            .zip(&slots.hi)
            .map(|(&lo, &hi)| started[hi as usize] - ended[lo as usize] - 1)
            .collect();
        watch.tick(2 * buffers.len() as u64)?;
        if let Some(all) = &self.all {
            // Only a pair with gaps can overlap in time without conflicting.
            for (g, buffer) in buffers.iter().enumerate().filter(|(_, b)| !b.gaps.is_empty()) {
                let (a, b) = self.slots.range(g);
                let mut seen = 0u64;
                all.overlapping(&self.geo, a, b, |j| {
                    seen += 1;
                    if j != g && buffer.effective_size(&buffers[j]).is_none() {
                        counts[g] -= 1;
                        if buffers[j].gaps.is_empty() {
                            counts[j] -= 1;
                        }
                    }
                });
                watch.tick(BUFFER_WORK + seen)?;
            }
        }
        Ok(counts)
    }

    /// Places the fixed buffers, then those of `order` (the others, each
    /// once), returning the solution.
    pub fn run(&self, order: &[u32], fit: Fit, watch: &mut Watch) -> Result<Solution, HeuristicError> {
        let mut state = State::new(self);
        let buffers = &self.problem.buffers;
        for (i, buffer) in buffers.iter().enumerate() {
            if let Some(offset) = buffer.offset {
                state.place_fixed(i, offset)?;
                watch.tick(BUFFER_WORK)?;
            }
        }
        for &i in order {
            let i = i as usize;
            debug_assert!(buffers[i].offset.is_none());
            let (offset, work) = state.choose(i, fit)?;
            state.commit(i, offset);
            watch.tick(BUFFER_WORK + work)?;
        }
        let height = buffers.iter().zip(&state.offsets).map(|(b, &o)| o + b.size).max().unwrap_or(0);
        Ok(Solution { offsets: state.offsets, height })
    }
}

/// The placement in progress.
struct State<'a, 'p> {
    prep: &'a Prepared<'p>,
    occupancy: Occupancy,
    offsets: Vec<Offset>,
    placed: Vec<bool>,
    /// Scratch: handles of the occupancy lists of a query.
    handles: Vec<u32>,
    /// Scratch: forbidden intervals of pairs with gaps, in memory form.
    pairs: Vec<(i64, i64)>,
    /// Scratch: merges lists.
    merger: Merger,
}

impl<'a, 'p> State<'a, 'p> {
    fn new(prep: &'a Prepared<'p>) -> Self {
        let n = prep.problem.buffers.len();
        State {
            prep,
            occupancy: Occupancy::new(&prep.geo),
            offsets: vec![0; n],
            placed: vec![false; n],
            handles: Vec::new(),
            pairs: Vec::new(),
            merger: Merger::default(),
        }
    }

    /// Gathers what forbids offsets to buffer `i`: occupancy lists into
    /// `handles`, pairs with gaps into `pairs` (sorted). Returns the number
    /// of buffers met one by one.
    fn gather(&mut self, i: usize) -> u64 {
        let prep = self.prep;
        let buffers = &prep.problem.buffers;
        let x = &buffers[i];
        let (a, b) = prep.slots.range(i);
        self.handles.clear();
        self.pairs.clear();
        let (placed, offsets, pairs) = (&self.placed, &self.offsets, &mut self.pairs);
        let mut met = 0u64;
        let mut meet = |j: usize| {
            met += 1;
            if placed[j] && j != i {
                if let Some(run) = forbidden(&buffers[j], offsets[j], x) {
                    pairs.push(run);
                }
            }
        };
        if x.gaps.is_empty() {
            self.occupancy.lists(&prep.geo, a, b, &mut self.handles);
            if let Some(gapped) = &prep.gapped {
                gapped.overlapping(&prep.geo, a, b, &mut meet);
            }
        } else if let Some(all) = &prep.all {
            all.overlapping(&prep.geo, a, b, &mut meet);
        }
        self.pairs.sort_unstable();
        met
    }

    /// Places fixed buffer `i` at `offset`, unless misaligned or in conflict
    /// with a fixed buffer placed before.
    fn place_fixed(&mut self, i: usize, offset: Offset) -> Result<(), HeuristicError> {
        let buffers = &self.prep.problem.buffers;
        let x = &buffers[i];
        if offset % x.alignment != 0 {
            return Err(HeuristicError::MisalignedFixed { id: x.id.clone() });
        }
        self.gather(i);
        let size = x.size;
        // Offset `offset` is forbidden by memory-form [s, e) when
        // s - size + 1 <= offset < e.
        let hit = |runs: &[(i64, i64)], disjoint: bool| {
            if disjoint {
                let k = runs.partition_point(|&(_, e)| e <= offset);
                runs.get(k).is_some_and(|&(s, _)| s.saturating_sub(size - 1) <= offset)
            } else {
                runs.iter().any(|&(s, e)| s.saturating_sub(size - 1) <= offset && offset < e)
            }
        };
        let conflict =
            self.handles.iter().any(|&h| hit(self.occupancy.runs(h), true)) || hit(&self.pairs, false);
        if conflict {
            let compatible = |j: usize| {
                let p = &buffers[j];
                let (op, ox) = (self.offsets[j] as i128, offset as i128);
                p.effective_size(x).is_none_or(|es| op + es as i128 <= ox)
                    || x.effective_size(p).is_none_or(|es| ox + es as i128 <= op)
            };
            let first = (0..i).find(|&j| self.placed[j] && !compatible(j)).unwrap_or(i);
            return Err(HeuristicError::FixedConflict {
                first: buffers[first].id.clone(),
                second: x.id.clone(),
            });
        }
        self.commit(i, offset);
        Ok(())
    }

    /// The offset for buffer `i` by `fit`, and the work it took.
    fn choose(&mut self, i: usize, fit: Fit) -> Result<(Offset, u64), HeuristicError> {
        let met = self.gather(i);
        let x = &self.prep.problem.buffers[i];
        let mut lists: Vec<&[(i64, i64)]> = Vec::with_capacity(self.handles.len() + 1);
        lists.extend(self.handles.iter().map(|&h| self.occupancy.runs(h)));
        if !self.pairs.is_empty() {
            lists.push(&self.pairs);
        }
        let work = met + lists.iter().map(|l| l.len() as u64).sum::<u64>();
        let forbidden = self.merger.union(&lists, x.size);
        match pick(forbidden, x.size, x.alignment, fit) {
            Some(offset) => Ok((offset, work)),
            None => Err(HeuristicError::Overflow { id: x.id.clone() }),
        }
    }

    fn commit(&mut self, i: usize, offset: Offset) {
        let prep = self.prep;
        let x = &prep.problem.buffers[i];
        self.offsets[i] = offset;
        self.placed[i] = true;
        if x.gaps.is_empty() {
            let (a, b) = prep.slots.range(i);
            self.occupancy.insert(&prep.geo, a, b, offset, offset + x.size);
        }
    }
}

/// The offsets placed buffer `p` at `op` forbids to buffer `x`, in memory
/// form `[s, e)` (forbidden: `s - size(x) + 1 ..= e - 1`); `None` if none.
fn forbidden(p: &Buffer, op: Offset, x: &Buffer) -> Option<(i64, i64)> {
    let (es_px, es_xp) = if p.gaps.is_empty() && x.gaps.is_empty() {
        (p.size, x.size)
    } else {
        (p.effective_size(x)?, x.effective_size(p)?)
    };
    let s = op as i128 - es_xp as i128 + x.size as i128;
    let e = op as i128 + es_px as i128;
    if s - x.size as i128 + 1 >= e {
        return None;
    }
    // `s >= op >= 0` (an effective size never exceeds the size) and
    // `e <= op + size(p)` fits; an `s` beyond 64 bits only forbids offsets
    // where `x` would not fit anyway, so clamping it changes nothing.
    Some((s.min(i64::MAX as i128) as i64, e as i64))
}

/// A list being merged: one of the inputs (memory form) or a merge result
/// (forbidden offsets), by index.
#[derive(Clone, Copy)]
enum Part {
    Input(usize),
    Merged(usize),
}

/// Scratch space for [`Merger::union`], kept between queries.
#[derive(Default)]
struct Merger {
    /// Merge results; those listed in `free` are available.
    buffers: Vec<Vec<(i64, i64)>>,
    free: Vec<usize>,
    /// The lists left to merge with their lengths, longest first.
    parts: Vec<(usize, Part)>,
}

impl Merger {
    /// The offsets forbidden to a buffer of `size` by `lists` (memory form,
    /// each non-empty and sorted by start), as sorted, disjoint, non-adjacent
    /// half-open ranges. The two shortest lists are merged first, as in a
    /// Huffman code, each merge coalescing what overlaps: long lists are
    /// read few times.
    fn union(&mut self, lists: &[&[(i64, i64)]], size: i64) -> &[(i64, i64)] {
        if lists.is_empty() {
            return &[];
        }
        let shift = size - 1;
        let Merger { buffers, free, parts } = self;
        free.clear();
        free.extend(0..buffers.len());
        parts.clear();
        parts.extend(lists.iter().enumerate().map(|(k, l)| (l.len(), Part::Input(k))));
        parts.sort_unstable_by_key(|&(len, _)| std::cmp::Reverse(len));
        if parts.len() == 1 {
            // Still to be shifted and coalesced: merge with nothing.
            parts.push((0, Part::Input(usize::MAX)));
        }
        while parts.len() > 1 {
            let (Some((_, a)), Some((_, b))) = (parts.pop(), parts.pop()) else { break };
            let target = free.pop().unwrap_or_else(|| {
                buffers.push(Vec::new());
                buffers.len() - 1
            });
            let mut out = std::mem::take(&mut buffers[target]);
            out.clear();
            let view = |part: Part| -> (&[(i64, i64)], i64) {
                match part {
                    Part::Input(k) => (lists.get(k).copied().unwrap_or(&[]), shift),
                    Part::Merged(k) => (&buffers[k], 0),
                }
            };
            merge(view(a), view(b), &mut out);
            for part in [a, b] {
                if let Part::Merged(k) = part {
                    free.push(k);
                }
            }
            let len = out.len();
            buffers[target] = out;
            let at = parts.partition_point(|&(l, _)| l > len);
            parts.insert(at, (len, Part::Merged(target)));
        }
        match parts[0].1 {
            Part::Merged(k) => &buffers[k],
            Part::Input(_) => &[],
        }
    }
}

/// Appends to `out` the union of `x` and `y` (each sorted by start, not both
/// empty), each with its starts lowered by its shift (saturating), coalescing
/// ranges that overlap or touch.
fn merge((x, sx): (&[(i64, i64)], i64), (y, sy): (&[(i64, i64)], i64), out: &mut Vec<(i64, i64)>) {
    out.reserve(x.len() + y.len());
    let lx = |i: usize| x[i].0.saturating_sub(sx);
    let ly = |j: usize| y[j].0.saturating_sub(sy);
    let (mut i, mut j) = (0usize, 0usize);
    let (mut cs, mut ce) = if j >= y.len() || (i < x.len() && lx(0) <= ly(0)) {
        i += 1;
        (lx(0), x[0].1)
    } else {
        j += 1;
        (ly(0), y[0].1)
    };
    let mut add = |lo: i64, hi: i64| {
        if lo <= ce {
            ce = ce.max(hi);
        } else {
            out.push((cs, ce));
            (cs, ce) = (lo, hi);
        }
    };
    while i < x.len() && j < y.len() {
        let (a, b) = (lx(i), ly(j));
        if a <= b {
            add(a, x[i].1);
            i += 1;
        } else {
            add(b, y[j].1);
            j += 1;
        }
    }
    for &(s, e) in &x[i..] {
        add(s.saturating_sub(sx), e);
    }
    for &(s, e) in &y[j..] {
        add(s.saturating_sub(sy), e);
    }
    out.push((cs, ce));
}

/// The offset for a buffer of `size` and `alignment` given the offsets
/// `forbidden` to it (sorted, disjoint half-open ranges) by `fit`; `None` if
/// the only fitting offsets overflow.
fn pick(forbidden: &[(i64, i64)], size: i64, alignment: i64, fit: Fit) -> Option<Offset> {
    // Every offset below `reach` is forbidden or already considered.
    let mut reach: i64 = 0;
    // The best run so far: (length, aligned offset).
    let mut best: Option<(i64, i64)> = None;
    for &(lo, hi) in forbidden {
        if lo > reach {
            // The free run [reach, lo - 1].
            if let Some(offset) = align_up(reach, alignment).filter(|&o| o < lo) {
                let len = lo - 1 - reach;
                if fit == Fit::First || len == 0 {
                    return Some(offset);
                }
                if best.is_none_or(|(l, _)| len < l) {
                    best = Some((len, offset));
                }
            }
        }
        reach = reach.max(hi);
    }
    if let Some((_, offset)) = best {
        return Some(offset);
    }
    align_up(reach, alignment).filter(|&offset| offset <= i64::MAX - size)
}

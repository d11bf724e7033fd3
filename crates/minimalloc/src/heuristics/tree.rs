//! Time-indexed structures of the placement core.
//!
//! Time is compressed to *slots*: the distinct lifespan endpoints, sorted,
//! cut time into half-open slots, and each buffer covers a contiguous range
//! of them. Two buffers overlap in time exactly when their slot ranges
//! intersect.
//!
//! Over the slots sits an implicit segment tree of arity [`ARITY`]
//! ([`Geometry`]). A slot range `[a, b)` touches two kinds of nodes:
//!
//! - *canonical* nodes, fully inside the range, whose parents are not (at most
//!   `2 (ARITY - 1)` per level): together they cover the range exactly;
//! - *partial* nodes, the strict ancestors of the canonical ones (at most two
//!   per level), which overlap the range without being inside it.
//!
//! A range stored at its canonical nodes meets a query range exactly when one
//! of its canonical nodes is a partial or canonical node of the query, or lies
//! below a canonical node of the query. [`Occupancy`] keeps, per node, the
//! memory used by the ranges stored there and the memory used anywhere in its
//! subtree; [`StaticIndex`] lists buffers by node to enumerate time
//! neighbours with their identity.

use super::place::Watch;
use super::sort::{ordered, radix_sort, sort_by};
use super::HeuristicError;
use crate::problem::Problem;

/// log2 of the arity of the segment tree.
const SHIFT: u32 = 3;
/// The arity of the segment tree: 8 keeps the paths short (about 7 levels for
/// a million slots) while a range has at most 14 canonical nodes per level.
pub(super) const ARITY: u64 = 1 << SHIFT;
const MASK: u64 = ARITY - 1;

/// Each buffer's lifespan as a half-open range of slots.
pub(super) struct Slots {
    /// First slot of each buffer.
    pub lo: Vec<u32>,
    /// One past the last slot of each buffer.
    pub hi: Vec<u32>,
    /// The number of slots.
    pub count: u64,
}

impl Slots {
    /// Compresses the lifespans of `problem` (all non-empty, at most
    /// [`MAX_BUFFERS`](super::MAX_BUFFERS) buffers).
    pub fn new(problem: &Problem, watch: &mut Watch) -> Result<Slots, HeuristicError> {
        let n = problem.buffers.len();
        let mut events: Vec<(u64, u32)> = Vec::with_capacity(2 * n);
        for (i, b) in problem.buffers.iter().enumerate() {
            events.push((ordered(b.lifespan.lower), 2 * i as u32));
            events.push((ordered(b.lifespan.upper), 2 * i as u32 + 1));
        }
        radix_sort(&mut events, watch)?;
        let (mut lo, mut hi) = (vec![0u32; n], vec![0u32; n]);
        let mut slot = 0u32;
        for (k, &(time, id)) in events.iter().enumerate() {
            if k > 0 && time != events[k - 1].0 {
                slot += 1;
            }
            let which = if id & 1 == 0 { &mut lo } else { &mut hi };
            which[(id >> 1) as usize] = slot;
        }
        watch.tick(2 * n as u64)?;
        Ok(Slots { lo, hi, count: (slot as u64).max(1) })
    }

    /// The slot range of buffer `i`.
    #[inline]
    pub fn range(&self, i: usize) -> (u64, u64) {
        (self.lo[i] as u64, self.hi[i] as u64)
    }
}

/// Whether a node touched by a range is inside it or only overlaps it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Touch {
    /// A strict ancestor of a canonical node.
    Partial,
    /// Inside the range, its parent not.
    Canonical,
}

/// The shape of the implicit segment tree over `count` slots: level 0 is the
/// root, level `depth` the slots; only nodes covering at least one slot exist.
pub(super) struct Geometry {
    depth: u32,
    level_start: Vec<usize>,
}

impl Geometry {
    /// The tree over `slots` slots (at least one).
    pub fn new(slots: u64) -> Geometry {
        let mut depth = 0u32;
        while ARITY.pow(depth) < slots {
            depth += 1;
        }
        let mut level_start = Vec::with_capacity(depth as usize + 2);
        let mut total = 0usize;
        for level in 0..=depth {
            level_start.push(total);
            let span = ARITY.pow(depth - level);
            total += slots.div_ceil(span) as usize;
        }
        level_start.push(total);
        Geometry { depth, level_start }
    }

    /// The number of nodes.
    pub fn nodes(&self) -> usize {
        self.level_start[self.depth as usize + 1]
    }

    /// The number of nodes above the slot level.
    pub fn internal_nodes(&self) -> usize {
        self.level_start[self.depth as usize]
    }

    /// Whether `node` is a slot (a leaf).
    #[inline]
    pub fn is_leaf(&self, node: usize) -> bool {
        node >= self.internal_nodes()
    }

    #[inline]
    fn id(&self, level: u32, index: u64) -> usize {
        self.level_start[level as usize] + index as usize
    }

    /// Calls `f` on every node touched by the slot range `[a, b)` (non-empty):
    /// partial nodes top-down, then canonical nodes bottom-up.
    #[inline]
    pub fn touch(&self, a: u64, b: u64, mut f: impl FnMut(usize, Touch)) {
        debug_assert!(a < b);
        for level in 0..self.depth {
            let k = SHIFT * (self.depth - level);
            let (ia, ib) = (a >> k, (b - 1) >> k);
            let inside = |i: u64| (i << k) >= a && ((i + 1) << k) <= b;
            if !inside(ia) {
                f(self.id(level, ia), Touch::Partial);
            }
            if ib != ia && !inside(ib) {
                f(self.id(level, ib), Touch::Partial);
            }
        }
        let (mut lo, mut hi, mut level) = (a, b, self.depth);
        while lo < hi {
            while lo < hi && lo & MASK != 0 {
                f(self.id(level, lo), Touch::Canonical);
                lo += 1;
            }
            while lo < hi && hi & MASK != 0 {
                hi -= 1;
                f(self.id(level, hi), Touch::Canonical);
            }
            if lo >= hi {
                break;
            }
            lo >>= SHIFT;
            hi >>= SHIFT;
            level -= 1;
        }
    }

    /// Calls `f` on every node containing slot `a`, root first.
    #[inline]
    pub fn path(&self, a: u64, mut f: impl FnMut(usize)) {
        for level in 0..=self.depth {
            f(self.id(level, a >> (SHIFT * (self.depth - level))));
        }
    }
}

/// A sorted list of disjoint, non-touching memory intervals `[start, end)`.
pub(super) type Runs = Vec<(i64, i64)>;

/// Adds `[start, end)` (non-empty) to `runs`, merging what it overlaps or
/// touches.
pub(super) fn add_run(runs: &mut Runs, start: i64, end: i64) {
    let i = runs.partition_point(|&(_, e)| e < start);
    let mut j = i;
    let (mut s, mut e) = (start, end);
    while j < runs.len() && runs[j].0 <= end {
        s = s.min(runs[j].0);
        e = e.max(runs[j].1);
        j += 1;
    }
    if j == i {
        runs.insert(i, (s, e));
    } else {
        runs[i] = (s, e);
        runs.drain(i + 1..j);
    }
}

/// The memory occupied by placed buffers, indexed by time.
///
/// Per node: `own`, the union of the memory intervals stored at the node
/// (those of buffers for which it is canonical), and `sub`, the union over
/// its whole subtree (for leaves, `own` serves). The buffers meeting a slot
/// range occupy exactly the union of `own` over its partial nodes and `sub`
/// over its canonical nodes.
pub(super) struct Occupancy {
    own: Vec<u32>,
    sub: Vec<u32>,
    pool: Vec<Runs>,
}

impl Occupancy {
    /// An empty occupancy over `geo`.
    pub fn new(geo: &Geometry) -> Occupancy {
        Occupancy { own: vec![0; geo.nodes()], sub: vec![0; geo.internal_nodes()], pool: vec![Vec::new()] }
    }

    fn slot(pool: &mut Vec<Runs>, handle: &mut u32) -> usize {
        if *handle == 0 {
            *handle = pool.len() as u32;
            pool.push(Vec::new());
        }
        *handle as usize
    }

    /// Records memory `[start, end)` as used during slots `[a, b)`.
    pub fn insert(&mut self, geo: &Geometry, a: u64, b: u64, start: i64, end: i64) {
        let Occupancy { own, sub, pool } = self;
        geo.touch(a, b, |node, touch| {
            if touch == Touch::Canonical {
                let k = Self::slot(pool, &mut own[node]);
                add_run(&mut pool[k], start, end);
            }
            if !geo.is_leaf(node) {
                let k = Self::slot(pool, &mut sub[node]);
                add_run(&mut pool[k], start, end);
            }
        });
    }

    /// Appends to `out` the handles of the non-empty run lists whose union is
    /// the memory used by the buffers meeting slots `[a, b)`.
    pub fn lists(&self, geo: &Geometry, a: u64, b: u64, out: &mut Vec<u32>) {
        geo.touch(a, b, |node, touch| {
            let handle = match touch {
                Touch::Partial => self.own[node],
                Touch::Canonical if geo.is_leaf(node) => self.own[node],
                Touch::Canonical => self.sub[node],
            };
            if handle != 0 {
                out.push(handle);
            }
        });
    }

    /// The runs behind a handle from [`Occupancy::lists`].
    #[inline]
    pub fn runs(&self, handle: u32) -> &[(i64, i64)] {
        &self.pool[handle as usize]
    }
}

/// Buffers listed by time, to enumerate those overlapping a slot range.
///
/// Each member is stored at its canonical nodes (in compressed sparse rows):
/// the members containing slot `a` are those stored on the path from the root
/// to `a`. Members starting inside `(a, b)` come from a list sorted by first
/// slot.
pub(super) struct StaticIndex {
    starts: Vec<usize>,
    items: Vec<u32>,
    by_lo: Vec<u32>,
    lo_keys: Vec<u32>,
}

impl StaticIndex {
    /// Indexes the buffers `members` (indices into the problem).
    pub fn new(
        geo: &Geometry,
        slots: &Slots,
        members: &[u32],
        watch: &mut Watch,
    ) -> Result<StaticIndex, HeuristicError> {
        let mut starts = vec![0usize; geo.nodes() + 1];
        for &i in members {
            watch.tick(1)?;
            let (a, b) = slots.range(i as usize);
            geo.touch(a, b, |node, touch| {
                if touch == Touch::Canonical {
                    starts[node + 1] += 1;
                }
            });
        }
        for k in 1..starts.len() {
            starts[k] += starts[k - 1];
        }
        let mut fill = starts.clone();
        let mut items = vec![0u32; starts[geo.nodes()]];
        for &i in members {
            watch.tick(1)?;
            let (a, b) = slots.range(i as usize);
            geo.touch(a, b, |node, touch| {
                if touch == Touch::Canonical {
                    items[fill[node]] = i;
                    fill[node] += 1;
                }
            });
        }
        let mut by_lo = members.to_vec();
        sort_by(&mut by_lo, |i| slots.lo[i] as u64, false, watch)?;
        let lo_keys = by_lo.iter().map(|&i| slots.lo[i as usize]).collect();
        Ok(StaticIndex { starts, items, by_lo, lo_keys })
    }

    /// Calls `f` once on every member whose slot range meets `[a, b)`.
    pub fn overlapping(&self, geo: &Geometry, a: u64, b: u64, mut f: impl FnMut(usize)) {
        geo.path(a, |node| {
            for &i in &self.items[self.starts[node]..self.starts[node + 1]] {
                f(i as usize);
            }
        });
        let first = self.lo_keys.partition_point(|&lo| (lo as u64) <= a);
        let last = self.lo_keys.partition_point(|&lo| (lo as u64) < b);
        for &i in &self.by_lo[first..last.max(first)] {
            f(i as usize);
        }
    }
}

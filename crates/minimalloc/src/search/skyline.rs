//! The fast exact search (`--search=fast`): bottom-left placement on a skyline.
//!
//! Time is cut into *sections* at every lifespan end point. Each section has a
//! *floor*: the memory below it is decided (taken by placed buffers, or known
//! to stay empty). Every node looks at the lowest floor, leftmost among
//! equals, and the *run* of neighbouring sections at the same height `h`;
//! both sides of the run are higher (or have nothing left to place).
//!
//! Why that is enough: take any solution and let every buffer fall as far as
//! it can (a *compact* solution: each buffer rests on another or on an
//! aligned offset just above the floor). Among the unplaced buffers that sit
//! in the run below the lower of its two neighbours, the lowest (then
//! leftmost), `B`, lies inside the run and rests on nothing unplaced, so it
//! sits at `h` rounded up to its alignment. The node branches on which buffer
//! is `B`:
//!
//! - each unplaced buffer whose lifespan lies inside the run, placed at
//!   `align_up(h)`; the sections of the run left of it hold no buffer as low
//!   as `B`, and by the same argument nothing below both of their
//!   neighbours, so their floor rises to the lower neighbour (or to an
//!   aligned offset some buffer could still take there);
//! - no such buffer: the whole run rises to its lower neighbour.
//!
//! The branches cover every compact solution, so when all fail the problem is
//! infeasible. A section whose unplaced buffers all got placed is finished
//! (its floor becomes infinite).
//!
//! Pruning and memory:
//!
//! - *section bound*: a section's floor plus the sizes of its unplaced
//!   buffers must fit in the capacity; placing a buffer at the floor keeps
//!   this sum, so only raised floors are checked;
//! - *twins*: of several identical unplaced buffers a node tries one;
//! - *failed states*: a 128-bit hash of (placed buffers, floors) is remembered
//!   when a node's subtree is exhausted, and meeting the same state again by
//!   another order of placements fails at once;
//! - *partitions*: groups of sections that no buffer crosses are searched one
//!   after the other, so a failure in one never re-searches another;
//! - *backjumping*: every failure is explained by the state of a stretch of
//!   sections (the checks that failed read nothing else). The children of a
//!   node change only the sections of its pit, so when a subtree fails for a
//!   reason that lies elsewhere, every other child of that node would fail
//!   alike: the search skips them and backs up further. Most constrained
//!   pits hop across the partition, so the last decision is often not the
//!   one to undo.
//!
//! Search order: each partition is searched in short runs, restarted with
//! node budgets that follow the Luby sequence, alternating between time
//! running forwards and backwards, each run with its own order of the
//! candidates (the first two by rules, the rest at random, seeded by the
//! run's number so that the outcome is reproducible, except that buffers
//! spanning the rest of the pit come first). On instances with slack a dive
//! succeeds or fails by luck, and restarts beat backtracking. Every second
//! shuffled run is *guided*: it tries first the buffer that the deepest path
//! of the partition so far placed at the pit's height, so it retraces that
//! path and branches off where it failed (the "phase saving" of SAT
//! solvers: restarts without losing progress), except in a random band of
//! heights, a quarter of the capacity, where it shuffles as the others do
//! (the "destroy and repair" of large neighbourhood search).
//! (Searching the groups of sections that no unplaced buffer crosses one
//! by one, as the reference's dynamic decomposition does, was measured
//! too: such groups seldom form before the end of a dive, and it changed
//! nothing on 80 thinned instances nor on the real traces.)
//!
//! Memory is proportional to the problem (sections plus section spans), not
//! to `n²`. The search handles buffers without gaps and fixed offsets
//! (alignment is fine); [`supports`] says when it applies.

use std::cmp::Reverse;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use super::dfs::Status;
use super::meter::Meter;
use super::SearchStats;
use super::Shared;
use crate::generate::mix;
use crate::problem::{align_up, Offset, Problem};

/// The floor of a finished section (no unplaced buffer lives there).
const DONE: i64 = i64::MAX;
/// The offset of a buffer that the deepest path did not place.
const NOWHERE: Offset = Offset::MIN;
/// Every this many shuffled runs, one follows the deepest path (see
/// [`State::collect_candidates`]).
const GUIDED_EVERY: u64 = 2;
/// A guided run ignores the deepest path in a band of heights of this
/// fraction of the capacity (see [`State::freed_band`]).
const FREED_FRACTION: i64 = 4;
/// Keeps the band's random start apart from the candidates' shuffle.
const FREED_SALT: u64 = 0x5555;
/// Partitions of fewer sections than this pick the most constrained pit at
/// every node (a scan of the partition); larger ones the lowest, leftmost.
const MAX_PIT_SCAN: usize = 4096;
/// Nodes between two readings of the clock.
const CLOCK_INTERVAL: u32 = 1024;
/// At most this many failed states are remembered (16 bytes each, plus the
/// set's overhead).
const MAX_FAILED: usize = 1 << 23;

/// Whether [`search`] applies to `problem`: no gaps, no fixed offsets.
pub(crate) fn supports(problem: &Problem) -> bool {
    problem.buffers.iter().all(|b| b.gaps.is_empty() && b.offset.is_none())
}

/// About how much memory [`search`] needs for `n` buffers at most: its
/// per-buffer and per-section arrays for both directions, and the two
/// tables of failed states when full.
pub(crate) fn estimated_bytes(n: usize) -> u64 {
    (n as u64).saturating_mul(1024).saturating_add(2 * (MAX_FAILED as u64) * 40)
}

/// Searches for offsets of every buffer within `capacity` (see the module
/// documentation). The problem must pass [`supports`] and
/// [`Problem::check`].
///
/// With `stop_at`, the search stops (as if cancelled) once it has visited
/// that many nodes: a search racing this one sets it when it finishes first.
/// `first_order` numbers the candidate order of the first run (see
/// [`State::collect_candidates`]): 0 starts with the two rule-based orders,
/// a large number with random ones only.
pub(crate) fn search(
    problem: &Problem,
    capacity: i64,
    deadline: Option<Instant>,
    shared: &Shared,
    stop_at: Option<&AtomicU64>,
    first_order: u64,
    stats: &mut SearchStats,
) -> Result<Vec<Offset>, Status> {
    // Setting up takes a while on large problems (some 50 ms per direction
    // at 100,000 buffers): the deadline is checked between the steps.
    let past_deadline = || deadline.is_some_and(|d| Instant::now() >= d);
    if past_deadline() {
        return Err(Status::Timeout);
    }
    let forwards = State::new(problem, capacity, deadline, shared);
    if past_deadline() {
        return Err(Status::Timeout);
    }
    let backwards = State::new(&mirror(problem), capacity, deadline, shared);
    if past_deadline() {
        return Err(Status::Timeout);
    }
    let mut states = [forwards, backwards];
    for state in &mut states {
        state.meter.stop_at(stop_at);
    }
    let status = portfolio(&mut states, first_order);
    let mut offsets = vec![0; problem.buffers.len()];
    for state in &mut states {
        state.meter.publish();
        stats.nodes += state.meter.nodes;
        stats.backtracks += state.meter.backtracks;
        for (b, &solved) in state.solved.iter().enumerate() {
            if solved {
                offsets[b] = state.offset[b];
            }
        }
    }
    match status {
        Status::Found => Ok(offsets),
        other => Err(other),
    }
}

/// The problem with time reversed (each lifespan `[l, u)` becomes
/// `[!u, !l)`, that is `[-u - 1, -l - 1)`): searching it fills memory right
/// to left.
fn mirror(problem: &Problem) -> Problem {
    let mut mirrored = problem.clone();
    for b in &mut mirrored.buffers {
        // `!t` (that is `-t - 1`) reverses the order like `-t` but never
        // overflows, even at `i64::MIN`; only the order of end points
        // matters to the search.
        b.lifespan = crate::problem::Interval::new(!b.lifespan.upper, !b.lifespan.lower);
    }
    mirrored
}

/// The least unit of node budgets: run `i` of a direction gets
/// `unit * luby(i)` nodes, where `unit` is this or two nodes per buffer of
/// the partition, whichever is larger (one dive places every buffer and
/// raises some pits).
const FIRST_BUDGET: u64 = 512;

/// The Luby sequence 1, 1, 2, 1, 1, 2, 4, 1, 1, 2, ... (`i` from 1): restart
/// budgets within a constant factor of the best fixed budget, whatever it is.
fn luby(i: u64) -> u64 {
    let mut i = i;
    loop {
        // The smallest k with 2^k - 1 >= i.
        let k = 64 - i.leading_zeros() as u64;
        if i == (1u64 << k) - 1 {
            return 1u64 << (k - 1);
        }
        i -= (1u64 << (k - 1)) - 1;
    }
}

/// Searches each partition in restarts: runs alternate left to right and
/// right to left, each with its own candidate order (see
/// [`State::collect_candidates`]) and a node budget following the Luby
/// sequence; the first run to finish settles the partition. Every run is
/// deterministic (the random orders are seeded by the run's number), so the
/// outcome is too.
fn portfolio(states: &mut [State<'_>; 2], first_order: u64) -> Status {
    if states[0].overfull || states[0].size.iter().any(|&s| s > states[0].capacity) {
        return Status::NotFound;
    }
    let count = states[0].partitions.len();
    for p in 0..count {
        // The mirror's partitions come in the opposite order.
        let ranges = [states[0].partitions[p], states[1].partitions[count - 1 - p]];
        for (state, &(lo, hi)) in states.iter_mut().zip(&ranges) {
            state.begin_partition(lo, hi);
        }
        for run in 0u64.. {
            // Alternate directions; each direction's runs follow the Luby
            // sequence of budgets, each with its own candidate order.
            let other_nodes = states[1 - (run % 2) as usize].meter.nodes;
            let state = &mut states[(run % 2) as usize];
            state.meter.other_nodes = other_nodes;
            let attempt = run / 2;
            // A run must be able to place every buffer of the partition.
            let unit = FIRST_BUDGET.max(2 * state.partition_buffers() as u64);
            let budget = unit.saturating_mul(luby(attempt + 1));
            match state.search_partition(first_order.saturating_add(attempt), budget) {
                Status::Found => {
                    state.mark_solved();
                    break;
                }
                Status::Aborted => {}
                other => return other,
            }
        }
    }
    Status::Found
}

/// A 128-bit hash of the pair `(a, b)`, from two independent mixes.
#[inline]
fn hash2(a: u64, b: u64) -> u128 {
    let x = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b;
    let lo = mix(x ^ 0x243F_6A88_85A3_08D3);
    let hi = mix(x.rotate_left(29) ^ 0x1319_8A2E_0370_7344);
    ((hi as u128) << 64) | lo as u128
}

/// The key of section `s` in the state's hash, which is linear in the
/// floors: the sum of `floor[s] * key(s)` over the sections plus the hashes
/// of the placed buffers, modulo 2^128. A floor change then costs one
/// multiplication instead of four mixes (set_floor took a fifth of the
/// search's time; 6-17% more nodes per second). With random odd keys, two
/// different states collide with probability 2^-(128 - z), where `z` is the
/// number of trailing zero bits that all their floor differences share
/// (about 2^-108 for floors that are multiples of 1 MiB).
#[inline]
fn floor_key(s: usize) -> u128 {
    hash2(s as u64, 0x2545_F491_4F6C_DD1D) | 1
}

/// The hash of "buffer `b` is placed" (its offset follows from the floors).
#[inline]
fn placed_hash(b: usize) -> u128 {
    hash2(b as u64 | 1 << 63, 0x5851_F42D_4C95_7F2D)
}

/// The hasher of the table of failed states. Its keys are state hashes,
/// random already: their low 64 bits serve as they are (hashing them again
/// took a tenth of the search's time; 7-10% more nodes per second).
#[derive(Default)]
struct StateHasher(u64);

impl Hasher for StateHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    /// Any other key: its bytes folded in (not used by the table).
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    #[inline]
    fn write_u128(&mut self, value: u128) {
        self.0 ^= value as u64;
    }
}

/// The smallest range of sections holding both ranges `a` and `b`.
#[inline]
fn hull(a: (usize, usize), b: (usize, usize)) -> (usize, usize) {
    (a.0.min(b.0), a.1.max(b.1))
}

/// The lowest value of an array and its leftmost position, with point
/// updates: a segment tree over the floors of one partition.
struct MinTree {
    /// Leaves start at `width`; node `i` holds the minimum of its children.
    nodes: Vec<i64>,
    width: usize,
}

impl MinTree {
    fn new(values: &[i64]) -> Self {
        let width = values.len().next_power_of_two().max(1);
        let mut nodes = vec![DONE; 2 * width];
        nodes[width..width + values.len()].copy_from_slice(values);
        for i in (1..width).rev() {
            nodes[i] = nodes[2 * i].min(nodes[2 * i + 1]);
        }
        MinTree { nodes, width }
    }

    #[inline]
    fn set(&mut self, i: usize, value: i64) {
        let mut i = i + self.width;
        self.nodes[i] = value;
        while i > 1 {
            i /= 2;
            let m = self.nodes[2 * i].min(self.nodes[2 * i + 1]);
            if self.nodes[i] == m {
                break;
            }
            self.nodes[i] = m;
        }
    }

    /// The minimum and the leftmost position holding it.
    #[inline]
    fn min_leftmost(&self) -> (i64, usize) {
        let m = self.nodes[1];
        let mut i = 1;
        while i < self.width {
            i = if self.nodes[2 * i] == m { 2 * i } else { 2 * i + 1 };
        }
        (m, i - self.width)
    }
}

/// A node of the depth-first search: its run, where its enumeration of
/// children stands, and how to return to its state.
#[derive(Clone, Copy, Debug)]
struct Frame {
    /// The run: sections `s..=e` at floor `h`; `m` is the lower neighbour.
    s: usize,
    e: usize,
    h: i64,
    m: i64,
    /// The candidates: `cands[next..end]` are still to try; the frame's
    /// list starts at `from`. When `lazy`, `next..end` index `start_items`
    /// instead, and the items that are not candidates are skipped.
    from: usize,
    next: usize,
    end: usize,
    lazy: bool,
    /// The last buffer tried (`usize::MAX`: none), to skip its twins.
    last_tried: usize,
    /// Whether the "nothing in the run" child was tried.
    raised: bool,
    /// The state on entry: trail lengths and hash.
    trail_mark: usize,
    placed_mark: usize,
    hash: u128,
    /// The sections `why.0..=why.1` explain the failures of the children
    /// tried so far: in any state that agrees with this one there, they fail
    /// too.
    why: (usize, usize),
}

/// The whole search state.
struct State<'a> {
    /// Node budget, counters, clock, cancel flag and a racer's limit (which
    /// counts the other direction's nodes too).
    meter: Meter<'a>,
    capacity: i64,
    unit_alignment: bool,
    /// Some section holds more than the capacity (then `remaining` may be
    /// clamped and must not be searched).
    overfull: bool,
    // Per buffer.
    first: Vec<usize>,
    last: Vec<usize>,
    size: Vec<i64>,
    align: Vec<i64>,
    placed: Vec<bool>,
    offset: Vec<Offset>,
    // Per section.
    floor: Vec<i64>,
    /// The total size of the unplaced buffers living in the section.
    remaining: Vec<i64>,
    /// The sections' keys in the state's hash (see [`floor_key`]).
    floor_keys: Vec<u128>,
    /// Buffers by first section (compressed rows), each row best first.
    start_rows: Vec<usize>,
    start_items: Vec<usize>,
    /// The run's number: it picks the candidate order (see
    /// [`State::collect_candidates`]).
    attempt: u64,
    /// The candidates of the open frames, one list after the other.
    cands: Vec<usize>,
    /// Buffers whose partition this state solved.
    solved: Vec<bool>,
    /// Section ranges searched independently.
    partitions: Vec<(usize, usize)>,
    // Search.
    /// The floors of a wide partition (see [`State::uses_tree`]), to find
    /// the lowest; narrower ones scan for the most constrained pit instead
    /// and leave it empty.
    tree: MinTree,
    tree_base: usize,
    /// Undo records: sections `lo..=hi` had floor `old` (changes always
    /// cover a level stretch, so one record each).
    trail: Vec<(u32, u32, i64)>,
    placements: Vec<usize>,
    hash: u128,
    failed: HashSet<u128, BuildHasherDefault<StateHasher>>,
    stack: Vec<Frame>,
    /// The sections read by the checks since it was last set: the
    /// explanation of a failure (see [`Frame::why`]).
    reason: (usize, usize),
    /// Scratch for [`State::collect_candidates`]: candidates with their keys.
    keyed: Vec<(u64, u64, usize)>,
    /// Scratch for [`State::pit_fits`].
    reach: Vec<bool>,
    inside: Vec<i64>,
    /// The partition being searched.
    lo: usize,
    hi: usize,
    /// Floor changes counted so far (undone ones too), from 1.
    changes: u64,
    /// Per section, the count of `changes` at its last floor change. Every
    /// change of the state changes a floor: a placed buffer raises its
    /// sections (or finishes them), an undo lowers them again.
    touched: Vec<u64>,
    /// Per section starting a pit: the pit's last section, the count of
    /// `changes` when its children were counted (0: never), and their
    /// number (see [`State::most_constrained_pit`]).
    pit_counts: Vec<(u32, u64, usize)>,
    /// The last pit [`State::pit_fits`] looked at: its sections, the count
    /// of `changes` then, and the answer.
    last_fit: Option<(usize, usize, u64, bool)>,
    /// The placements of the deepest path of the partition so far, in
    /// order, and per buffer its offset there ([`NOWHERE`]: not in it);
    /// the guided runs follow it (see [`State::collect_candidates`]).
    deepest: Vec<usize>,
    deepest_offset: Vec<Offset>,
    /// How many of the current placements agree with `deepest` (a prefix).
    deepest_common: usize,
    /// Why the search must stop, found while trying children (see
    /// [`Meter::pulse`]).
    interrupted: Option<Status>,
}

impl<'a> State<'a> {
    fn new(problem: &Problem, capacity: i64, deadline: Option<Instant>, shared: &'a Shared) -> Self {
        let n = problem.buffers.len();
        // Sections: between consecutive distinct end points.
        let mut points: Vec<i64> =
            problem.buffers.iter().flat_map(|b| [b.lifespan.lower, b.lifespan.upper]).collect();
        points.sort_unstable();
        points.dedup();
        let sections = points.len().saturating_sub(1);
        let index = |t: i64| points.partition_point(|&p| p < t);
        let first: Vec<usize> = problem.buffers.iter().map(|b| index(b.lifespan.lower)).collect();
        let last: Vec<usize> = problem.buffers.iter().map(|b| index(b.lifespan.upper) - 1).collect();
        let size: Vec<i64> = problem.buffers.iter().map(|b| b.size).collect();
        let align: Vec<i64> = problem.buffers.iter().map(|b| b.alignment.max(1)).collect();
        // Remaining totals and crossings, by difference arrays.
        let mut delta = vec![0i128; sections + 1];
        let mut crossing = vec![0i64; sections + 1];
        for b in 0..n {
            delta[first[b]] += size[b] as i128;
            delta[last[b] + 1] -= size[b] as i128;
            crossing[first[b] + 1] += 1;
            crossing[last[b] + 1] -= 1;
        }
        let mut remaining = Vec::with_capacity(sections);
        let mut running = 0i128;
        let mut overfull = false;
        for d in &delta[..sections] {
            running += d;
            overfull |= running > capacity as i128;
            remaining.push(running.min(i64::MAX as i128) as i64);
        }
        let mut partitions = Vec::new();
        let mut crosses = 0i64;
        let mut begin = 0usize;
        for (s, &c) in crossing.iter().enumerate().skip(1) {
            crosses += c;
            if s == sections || crosses == 0 {
                partitions.push((begin, s - 1));
                begin = s;
            }
        }
        // Candidates of a section, best first: longest, then largest.
        // (Keys built once and sorted unstably: the index settles ties.)
        let mut keyed: Vec<_> =
            (0..n).map(|b| (first[b], Reverse(last[b]), Reverse(size[b]), align[b], b)).collect();
        keyed.sort_unstable();
        let by_start: Vec<usize> = keyed.into_iter().map(|key| key.4).collect();
        let mut start_rows = vec![0usize; sections + 1];
        for &b in &by_start {
            start_rows[first[b] + 1] += 1;
        }
        for s in 0..sections {
            start_rows[s + 1] += start_rows[s];
        }
        let floor = remaining.iter().map(|&r| if r == 0 { DONE } else { 0 }).collect();
        State {
            meter: Meter::new(shared, deadline, CLOCK_INTERVAL),
            capacity,
            unit_alignment: align.iter().all(|&a| a == 1),
            overfull,
            first,
            last,
            size,
            align,
            placed: vec![false; n],
            offset: vec![0; n],
            floor,
            remaining,
            floor_keys: (0..sections).map(floor_key).collect(),
            start_rows,
            attempt: 0,
            cands: Vec::new(),
            start_items: by_start,
            solved: vec![false; n],
            partitions,
            tree: MinTree::new(&[]),
            tree_base: 0,
            trail: Vec::new(),
            placements: Vec::new(),
            hash: 0,
            failed: HashSet::default(),
            stack: Vec::new(),
            reason: (0, 0),
            keyed: Vec::new(),
            reach: Vec::new(),
            inside: Vec::new(),
            lo: 0,
            hi: 0,
            changes: 1,
            touched: vec![1; sections],
            pit_counts: vec![(0, 0, 0); sections],
            last_fit: None,
            deepest: Vec::new(),
            deepest_offset: vec![NOWHERE; n],
            deepest_common: 0,
            interrupted: None,
        }
    }

    /// Sets the floor of section `s`, keeping the state's hash up to date.
    #[inline]
    fn set_floor(&mut self, s: usize, value: i64) {
        let old = self.floor[s];
        let change = (value as i128 - old as i128) as u128;
        self.hash = self.hash.wrapping_add(change.wrapping_mul(self.floor_keys[s]));
        self.store_floor(s, value);
    }

    /// Writes the floor of section `s` and what follows it (the time of
    /// its change, the tree of floors), but not the hash: an undo restores
    /// that whole.
    #[inline]
    fn store_floor(&mut self, s: usize, value: i64) {
        self.floor[s] = value;
        self.changes += 1;
        self.touched[s] = self.changes;
        if self.uses_tree() {
            self.tree.set(s - self.tree_base, value);
        }
    }

    /// Keeps [`State::deepest`] up to date after a placement: when the path
    /// is now the deepest of the partition, its placements (from where it
    /// leaves the previous deepest one) are recorded. The work is at most
    /// what undoing and redoing those placements took.
    #[inline]
    fn note_depth(&mut self) {
        let depth = self.placements.len();
        let common = self.deepest_common;
        if common + 1 == depth && self.deepest.get(common) == self.placements.last() {
            // The path follows the deepest one: still the same placement?
            let b = self.placements[common];
            if self.deepest_offset[b] == self.offset[b] {
                self.deepest_common = depth;
            }
        }
        if depth > self.deepest.len() {
            for i in common..self.deepest.len() {
                let x = self.deepest[i];
                self.deepest_offset[x] = NOWHERE;
            }
            self.deepest.truncate(common);
            for i in common..depth {
                let x = self.placements[i];
                self.deepest_offset[x] = self.offset[x];
                self.deepest.push(x);
            }
            self.deepest_common = depth;
        }
    }

    /// Places `b` at `offset`: its sections' floors rise to its top (or
    /// finish).
    fn place(&mut self, b: usize, offset: Offset) {
        self.placed[b] = true;
        self.offset[b] = offset;
        self.placements.push(b);
        self.note_depth();
        self.hash = self.hash.wrapping_add(placed_hash(b));
        let top = offset + self.size[b];
        // `b` lies in a pit: its sections share one floor, saved once.
        self.trail.push((self.first[b] as u32, self.last[b] as u32, self.floor[self.first[b]]));
        for s in self.first[b]..=self.last[b] {
            self.remaining[s] -= self.size[b];
            let value = if self.remaining[s] == 0 { DONE } else { top };
            self.set_floor(s, value);
        }
    }

    /// Raises the floors of sections `lo..hi` (all at the run's height,
    /// below `value`) to `value`; false when a section can no longer hold
    /// its unplaced buffers.
    fn raise(&mut self, lo: usize, hi: usize, value: i64) -> bool {
        if lo >= hi {
            return true;
        }
        let old = self.floor[lo];
        self.trail.push((lo as u32, (hi - 1) as u32, old));
        let mut fits = true;
        for s in lo..hi {
            debug_assert!(self.floor[s] == old && old < value, "raise of an uneven stretch");
            self.set_floor(s, value);
            fits &= value.checked_add(self.remaining[s]).is_some_and(|top| top <= self.capacity);
        }
        fits
    }

    /// Returns to the state recorded in `frame`.
    fn undo_to(&mut self, trail_mark: usize, placed_mark: usize, hash: u128) {
        while self.trail.len() > trail_mark {
            let Some((lo, hi, old)) = self.trail.pop() else { break };
            for s in lo as usize..=hi as usize {
                self.store_floor(s, old);
            }
        }
        self.deepest_common = self.deepest_common.min(placed_mark);
        while self.placements.len() > placed_mark {
            let Some(b) = self.placements.pop() else { break };
            self.placed[b] = false;
            for s in self.first[b]..=self.last[b] {
                self.remaining[s] += self.size[b];
            }
        }
        self.hash = hash;
    }

    /// Whether the partition is too wide to scan for the most constrained
    /// pit at every node (see [`MAX_PIT_SCAN`]): then the segment tree of
    /// its floors finds the lowest one.
    #[inline]
    fn uses_tree(&self) -> bool {
        self.hi - self.lo >= MAX_PIT_SCAN
    }

    /// The floor left of section `s` in the partition (`DONE` at its edge).
    #[inline]
    fn left_of(&self, s: usize) -> i64 {
        if s > self.lo {
            self.floor[s - 1]
        } else {
            DONE
        }
    }

    /// The floor right of section `e` in the partition (`DONE` at its edge).
    #[inline]
    fn right_of(&self, e: usize) -> i64 {
        if e < self.hi {
            self.floor[e + 1]
        } else {
            DONE
        }
    }

    /// Sections `s..=e` and their neighbours in the partition: what decides
    /// that `s..=e` is a pit and how high its neighbours are.
    #[inline]
    fn around(&self, s: usize, e: usize) -> (usize, usize) {
        (s.saturating_sub(1).max(self.lo), (e + 1).min(self.hi))
    }

    /// Adds sections `range` to [`State::reason`].
    #[inline]
    fn widen_reason(&mut self, range: (usize, usize)) {
        self.reason = hull(self.reason, range);
    }

    /// The last section of the level stretch starting at `s`.
    #[inline]
    fn stretch_end(&self, s: usize) -> usize {
        let mut e = s;
        while e < self.hi && self.floor[e + 1] == self.floor[s] {
            e += 1;
        }
        e
    }

    /// Opens the node of the current state: `Found` when every section is
    /// finished, `NotFound` when the state failed before, else pushes a
    /// frame and returns `None`.
    fn open(&mut self) -> Option<Status> {
        // (A finished state never failed: it is checked first, so that the
        // scan for a pit is saved.)
        if self.failed.contains(&self.hash) {
            // A whole state failed: nothing narrower explains it.
            self.reason = (self.lo, self.hi);
            return Some(Status::NotFound);
        }
        let (s, e, h) = if self.uses_tree() {
            let (h, offset) = self.tree.min_leftmost();
            let s = self.tree_base + offset;
            (s, self.stretch_end(s), h)
        } else {
            self.most_constrained_pit()
        };
        // No pit: every section is finished.
        if h == DONE {
            return Some(Status::Found);
        }
        self.reason = (s, s);
        if !self.pit_fits(s) {
            return Some(Status::NotFound);
        }
        let cand_start = self.cands.len();
        let (left, right) = (self.left_of(s), self.right_of(e));
        // A wide pit walks its start lists instead: a list per frame along a
        // deep dive would take memory quadratic in the buffers.
        let lazy = e - s >= MAX_PIT_SCAN;
        if !lazy {
            self.collect_candidates(s, e, h, left, right);
        }
        self.stack.push(Frame {
            s,
            e,
            h,
            m: left.min(right),
            from: cand_start,
            next: if lazy { self.start_rows[s] } else { cand_start },
            end: if lazy { self.start_rows[e + 1] } else { self.cands.len() },
            lazy,
            last_tried: usize::MAX,
            raised: false,
            trail_mark: self.trail.len(),
            placed_mark: self.placements.len(),
            hash: self.hash,
            why: self.around(s, e),
        });
        None
    }

    /// Whether `b` (starting inside a pit at height `h` ending at section
    /// `e`, lower neighbour `m`) is a candidate: unplaced, inside, and its
    /// aligned offset below `m` and fitting.
    #[inline]
    fn is_candidate(&self, b: usize, e: usize, h: i64, m: i64) -> bool {
        !self.placed[b]
            && self.last[b] <= e
            && align_up(h, self.align[b]).is_some_and(|o| o < m && o <= self.capacity - self.size[b])
    }

    /// Appends to `cands` the candidates of the pit `s..=e` at height `h`
    /// between floors `left` and `right`: the unplaced buffers lying inside
    /// it whose aligned offset is below both neighbours and fits. Best
    /// first: by first section (those starting at the pit's left end leave
    /// no empty cells), then the longest, then the largest. Run 1 puts the
    /// largest before the longest; later runs put first, in each group of
    /// equal first section, the buffers that span the rest of the pit (they
    /// fill it at this height, leaving no narrower pit behind), and each
    /// part of the group in a random order, seeded by the run's number.
    ///
    /// Spanning buffers first: the random dives of thinned guillotines then
    /// go about 15% deeper before they fail (mean of the deepest placement
    /// per run, 435-buffer instances), and with backjumping 10 s solve 23
    /// instead of 20 of 40 at 500 buffers (backjumping alone solved the same
    /// ones, a little sooner). Within the spanning ones, or the others,
    /// preferring the tallest, weighting the shuffle by size, trying next
    /// the buffers whose rest of the pit another one spans, or trying "the
    /// pit rises" first when nothing spans it measured no better.
    ///
    /// Why a full shuffle: a run is a short dive, and on instances with
    /// slack (thinned guillotines) a dive succeeds or fails by luck, so
    /// restarts pay off by how different their dives are. Moving each
    /// buffer by at most half its group, as this search first did, solved
    /// 31 of 40 thinned 300-buffer instances and 16 of 40 at 500 (seeds 1
    /// to 40, 10 s each); the full shuffle 34 and 18 (all on seeds 1 to 20;
    /// on 21 to 40 both solved the same); of the 47 both solved, 20 took
    /// half the time or less, 6 twice as long or more. Shuffling across
    /// groups, randomizing the choice among equally constrained pits, or
    /// trying "the pit rises" first at random nodes measured no better; nor
    /// did preferring buffers whose top meets a neighbour's floor.
    ///
    /// Guided runs (every [`GUIDED_EVERY`]th) put first the candidates that
    /// the deepest path of the partition placed at this offset (see
    /// [`State::deepest`]), then the order above. Over 40 thinned
    /// 500-buffer instances (10 s each) they solved 25 instead of 23, and
    /// the 23 solved by both in 8.2 s in all instead of 13.8 s; guiding
    /// every second run solved 23, every third 25, every eighth 24. Putting
    /// the deepest path's buffers first only within their first section
    /// solved the same 25.
    ///
    /// The band of heights where a guided run ignores the path (see
    /// [`State::freed_band`]) lets it re-pack a horizontal slice of the
    /// deepest path anywhere, not only where that path failed, and keep the
    /// rest. Measured in one session, thinned 500-buffer instances, 10 s
    /// each, seeds 1 to 40: 25 solved with every fourth run guided as
    /// above; every second run guided with a band of a quarter of the
    /// capacity, 30 (and 32 with another salt for the band's place); with
    /// a window of a quarter of the sections instead (a slice in time), 26;
    /// bands and windows in turn, 30.
    fn collect_candidates(&mut self, s: usize, e: usize, h: i64, left: i64, right: i64) {
        let m = left.min(right);
        let start = self.cands.len();
        for i in self.start_rows[s]..self.start_rows[e + 1] {
            let b = self.start_items[i];
            if self.is_candidate(b, e, h, m) {
                self.cands.push(b);
            }
        }
        // Guided: put first the buffers of the deepest path (see below).
        let guided = self.attempt.is_multiple_of(GUIDED_EVERY) && !self.freed_band(self.attempt).contains(&h);
        let list = &mut self.cands[start..];
        let (first, last, size) = (&self.first, &self.last, &self.size);
        match self.attempt {
            0 => list.sort_by_key(|&b| (first[b], Reverse(last[b]), Reverse(size[b]), b)),
            1 => list.sort_by_key(|&b| (first[b], Reverse(size[b]), Reverse(last[b]), b)),
            attempt => {
                // The key of each candidate is computed once, into `keyed`
                // (a sort by key would compute it at every comparison):
                // whether it is off the guide, its first section, whether it
                // spans the rest of the pit, a random number, itself.
                let salt = attempt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                let (deepest, align) = (&self.deepest_offset, &self.align);
                let off_path = |b: usize| guided && Some(deepest[b]) != align_up(h, align[b]);
                self.keyed.clear();
                self.keyed.extend(list.iter().map(|&b| {
                    let rank =
                        (u64::from(off_path(b)) << 63) | ((first[b] as u64) << 1) | u64::from(last[b] != e);
                    (rank, mix(b as u64 ^ salt), b)
                }));
                self.keyed.sort_unstable();
                for (slot, &(_, _, b)) in list.iter_mut().zip(&self.keyed) {
                    *slot = b;
                }
            }
        }
    }

    /// The heights where guided run `attempt` does not follow the deepest
    /// path: a band of a [`FREED_FRACTION`] of the capacity, placed at
    /// random (seeded by the run's number).
    fn freed_band(&self, attempt: u64) -> std::ops::Range<i64> {
        let freed = self.capacity / FREED_FRACTION;
        let start = (mix(attempt ^ FREED_SALT) % (self.capacity - freed + 1).max(1) as u64) as i64;
        start..start + freed
    }

    /// The pit (a run whose neighbours are both higher) with the fewest
    /// children, lowest first among equals: `(first, last section,
    /// height)`. Any pit will do (see the module documentation); the most
    /// constrained one fails soonest.
    ///
    /// A node changes the floors of its own pit only, so the other pits keep
    /// their counts: each count is remembered with the time it was taken
    /// (see [`State::touched`]) and taken again only when a section of the
    /// pit or a neighbour changed since (a quarter fewer candidate walks;
    /// 3-5% more nodes per second).
    fn most_constrained_pit(&mut self) -> (usize, usize, i64) {
        let mut best: Option<(usize, i64, usize, usize)> = None;
        let mut s = self.lo;
        while s <= self.hi {
            let h = self.floor[s];
            // The stretch from `s`, and the latest change in it.
            let mut e = s;
            let mut newest = self.touched[s];
            while e < self.hi && self.floor[e + 1] == h {
                e += 1;
                newest = newest.max(self.touched[e]);
            }
            let (left, right) = (self.left_of(s), self.right_of(e));
            if h != DONE && left > h && right > h {
                let (before, after) = self.around(s, e);
                newest = newest.max(self.touched[before]).max(self.touched[after]);
                let (cached_end, taken, cached) = self.pit_counts[s];
                let count = if taken != 0 && cached_end as usize == e && newest <= taken {
                    debug_assert_eq!(cached, self.count_children(s, e, h, left.min(right)));
                    cached
                } else {
                    let count = self.count_children(s, e, h, left.min(right));
                    self.pit_counts[s] = (e as u32, self.changes, count);
                    count
                };
                if best.is_none_or(|(c, bh, _, _)| (count, h) < (c, bh)) {
                    best = Some((count, h, s, e));
                    if count == 0 {
                        break;
                    }
                }
            }
            s = e + 1;
        }
        match best {
            Some((_, h, s, e)) => (s, e, h),
            None => (self.lo, self.lo, self.floor[self.lo]),
        }
    }

    /// The children of the pit `s..=e` at height `h` whose lower neighbour
    /// is `m`: the raise (when it can fit) and each candidate.
    fn count_children(&self, s: usize, e: usize, h: i64, m: i64) -> usize {
        let raise_fits =
            (s..=e).all(|x| m.checked_add(self.remaining[x]).is_some_and(|t| t <= self.capacity));
        let mut count = usize::from(raise_fits);
        for sec in s..=e {
            for &c in &self.start_items[self.start_rows[sec]..self.start_rows[sec + 1]] {
                if self.is_candidate(c, e, h, m) {
                    count += 1;
                }
            }
        }
        count
    }

    /// Whether `a` and `b` are interchangeable.
    #[inline]
    fn twins(&self, a: usize, b: usize) -> bool {
        self.first[a] == self.first[b]
            && self.last[a] == self.last[b]
            && self.size[a] == self.size[b]
            && self.align[a] == self.align[b]
    }

    /// Moves the top frame to its next child and applies it; false when it
    /// has none left.
    fn next_child(&mut self) -> bool {
        let Some(&frame) = self.stack.last() else { return false };
        self.undo_to(frame.trail_mark, frame.placed_mark, frame.hash);
        let mut f = frame;
        while f.next < f.end {
            let b = if f.lazy { self.start_items[f.next] } else { self.cands[f.next] };
            f.next += 1;
            if f.lazy && !self.is_candidate(b, f.e, f.h, f.m) {
                continue;
            }
            if f.last_tried != usize::MAX && self.twins(f.last_tried, b) {
                continue;
            }
            let Some(offset) = align_up(f.h, self.align[b]) else { continue };
            f.last_tried = b;
            // The checks of a child read its pit (in `why` already) and
            // the runs that `pit_fits` looks at.
            self.reason = f.why;
            if self.try_place(&f, b, offset) {
                self.save(f);
                return true;
            }
            f.why = self.reason;
            self.undo_to(f.trail_mark, f.placed_mark, f.hash);
            // A failed child counts no node, yet a wide pit may fail
            // thousands of them, each raising and undoing its stretch.
            if let Some(status) = self.meter.pulse() {
                self.interrupted = Some(status);
                break;
            }
        }
        if !f.raised && self.interrupted.is_none() {
            f.raised = true;
            self.save(f);
            self.reason = f.why;
            if self.raise(f.s, f.e + 1, f.m) && self.pit_fits(f.s) {
                return true;
            }
            f.why = self.reason;
            self.undo_to(f.trail_mark, f.placed_mark, f.hash);
        }
        self.save(f);
        false
    }

    /// Writes `f`, the top frame as a child left it, back onto the stack.
    #[inline]
    fn save(&mut self, f: Frame) {
        if let Some(top) = self.stack.last_mut() {
            *top = f;
        }
    }

    /// Applies the child "`b` is the lowest, leftmost buffer of the run, at
    /// `offset`"; false when a section bound fails.
    fn try_place(&mut self, f: &Frame, b: usize, offset: Offset) -> bool {
        self.place(b, offset);
        let mut fits = true;
        if offset > f.h {
            // The cells between the floor and the buffer stay empty.
            for s in self.first[b]..=self.last[b] {
                let r = self.remaining[s];
                fits &= r == 0 || (offset + self.size[b]).checked_add(r).is_some_and(|t| t <= self.capacity);
            }
        }
        if fits && self.first[b] > f.s {
            // Left of `b` nothing sits as low as `b` does, nor below both
            // neighbours of that stretch, nor below an aligned offset a
            // buffer inside it could take just above `offset`.
            let mut value = self.left_of(f.s).min(offset + self.size[b]);
            if !self.unit_alignment {
                for sec in f.s..self.first[b] {
                    for &c in &self.start_items[self.start_rows[sec]..self.start_rows[sec + 1]] {
                        if !self.placed[c] && self.last[c] < self.first[b] {
                            if let Some(o) = align_up(f.h, self.align[c]) {
                                if o > offset {
                                    value = value.min(o);
                                }
                            }
                        }
                    }
                }
            }
            fits = self.raise(f.s, self.first[b], value) && self.pit_fits(f.s);
        }
        fits && (self.last[b] >= f.e || self.pit_fits(self.last[b] + 1))
            && self.pit_fits(self.first[b])
            && self.pit_fits(self.last[b])
    }

    /// A look-ahead on the run containing section `sec`, when both of its
    /// neighbours are higher (a *pit*: later buffers at its height lie
    /// inside it). False when the pit cannot be filled:
    ///
    /// - buffers crossing its ends sit at or above the lower neighbour `m`,
    ///   so at each section the unplaced buffers need
    ///   `max(m, h + inside) + outside <= capacity`, where `inside` and
    ///   `outside` are the sizes of the unplaced buffers there that lie
    ///   inside the pit or cross its ends;
    /// - (with unit alignment, where buffers sit right on the floor) each
    ///   section gets, at height `h`, either a buffer lying inside the pit
    ///   or empty cells, and cells can stay empty only where the section has
    ///   slack: some sequence of unplaced buffers must do that.
    fn pit_fits(&mut self, sec: usize) -> bool {
        let h = self.floor[sec];
        if h == DONE {
            return true;
        }
        let mut l = sec;
        while l > self.lo && self.floor[l - 1] == h {
            l -= 1;
        }
        let r = self.stretch_end(sec);
        self.widen_reason(self.around(l, r));
        let (left, right) = (self.left_of(l), self.right_of(r));
        if left < h || right < h || r - l >= MAX_PIT_SCAN {
            // Not a pit; or too wide to look at every node (the look-ahead
            // is optional).
            return true;
        }
        // The same pit, unchanged since it was last looked at (a child
        // checks the pits at both ends of its buffer, often one pit).
        if let Some((cl, cr, at, fits)) = self.last_fit {
            if (cl, cr, at) == (l, r, self.changes) {
                return fits;
            }
        }
        let fits = self.pit_fill_possible(l, r, h, left.min(right));
        self.last_fit = Some((l, r, self.changes, fits));
        fits
    }

    /// The look-ahead of [`State::pit_fits`] on the pit `l..=r` at height
    /// `h` whose lower neighbour is `m`.
    fn pit_fill_possible(&mut self, l: usize, r: usize, h: i64, m: i64) -> bool {
        let width = r + 2 - l;
        // The sizes of the buffers inside the pit, per section (by a
        // difference array), and the tiling reachability.
        self.inside.clear();
        self.inside.resize(width, 0);
        self.reach.clear();
        self.reach.resize(width, false);
        self.reach[0] = true;
        for s in l..=r {
            let reachable = self.reach[s - l];
            if reachable && h.saturating_add(self.remaining[s]) < self.capacity {
                self.reach[s + 1 - l] = true;
            }
            for &c in &self.start_items[self.start_rows[s]..self.start_rows[s + 1]] {
                if !self.placed[c] && self.last[c] <= r {
                    self.inside[s - l] += self.size[c];
                    self.inside[self.last[c] + 1 - l] -= self.size[c];
                    if reachable {
                        self.reach[self.last[c] + 1 - l] = true;
                    }
                }
            }
        }
        if self.unit_alignment && !self.reach[width - 1] {
            return false;
        }
        if m == DONE {
            return true;
        }
        let mut inside = 0i64;
        for s in l..=r {
            inside += self.inside[s - l];
            let outside = self.remaining[s] - inside;
            let needed = m.max(h.saturating_add(inside)).checked_add(outside);
            if needed.is_none_or(|top| top > self.capacity) {
                return false;
            }
        }
        true
    }

    /// Prepares the search of sections `lo..=hi` (after the previous
    /// partition was solved).
    fn begin_partition(&mut self, lo: usize, hi: usize) {
        (self.lo, self.hi) = (lo, hi);
        self.tree = MinTree::new(if self.uses_tree() { &self.floor[lo..=hi] } else { &[] });
        self.tree_base = lo;
        self.trail.clear();
        self.placements.clear();
        self.hash = 0;
        self.failed.clear();
        for &b in &self.deepest {
            self.deepest_offset[b] = NOWHERE;
        }
        self.deepest.clear();
        self.deepest_common = 0;
    }

    /// How many buffers the current partition has.
    fn partition_buffers(&self) -> usize {
        self.start_rows[self.hi + 1] - self.start_rows[self.lo]
    }

    /// Records the buffers placed in this partition as the solution's.
    fn mark_solved(&mut self) {
        for &b in &self.placements {
            self.solved[b] = true;
        }
    }

    /// Searches the current partition depth first with the candidate order
    /// of run `attempt` (see [`State::collect_candidates`]), for at most
    /// `budget` nodes. On any outcome but `Found` the partition is left as
    /// it was.
    fn search_partition(&mut self, attempt: u64, budget: u64) -> Status {
        self.attempt = attempt;
        self.cands.clear();
        self.meter.budget = budget;
        self.stack.clear();
        self.interrupted = None;
        let status = self.depth_first();
        if status != Status::Found {
            self.undo_to(0, 0, 0);
        }
        status
    }

    /// Adds a state whose subtree is exhausted to the table of failed
    /// states, while it holds fewer than [`MAX_FAILED`].
    #[inline]
    fn remember_failed(&mut self, hash: u128) {
        if self.failed.len() < MAX_FAILED {
            self.failed.insert(hash);
        }
    }

    fn depth_first(&mut self) -> Status {
        if let Some(status) = self.open() {
            return status;
        }
        loop {
            if self.next_child() {
                if let Some(status) = self.meter.tick() {
                    return status;
                }
                match self.open() {
                    None => {}
                    Some(Status::Found) => return Status::Found,
                    Some(_) => {
                        // A failed state: note why, try the next sibling.
                        let reason = self.reason;
                        if let Some(top) = self.stack.last_mut() {
                            top.why = hull(top.why, reason);
                        }
                    }
                }
            } else {
                // Every child failed: remember this state, back up past
                // every node whose children cannot change why it failed.
                if let Some(status) = self.interrupted.take() {
                    return status;
                }
                let Some(frame) = self.stack.pop() else { return Status::NotFound };
                self.meter.backtracks += 1;
                self.remember_failed(frame.hash);
                let why = frame.why;
                let mut from = frame.from;
                while let Some(parent) = self.stack.last_mut() {
                    if why.0 <= parent.e && parent.s <= why.1 {
                        parent.why = hull(parent.why, why);
                        break;
                    }
                    // The parent's children change only its pit, which the
                    // reason avoids: they would all fail the same way.
                    let Some(skipped) = self.stack.pop() else { break };
                    from = skipped.from;
                    self.remember_failed(skipped.hash);
                }
                self.cands.truncate(from);
                if self.stack.is_empty() {
                    return Status::NotFound;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Buffer, Interval};

    #[test]
    fn luby_sequence() {
        let first: Vec<u64> = (1..=15).map(luby).collect();
        assert_eq!(first, [1, 1, 2, 1, 1, 2, 4, 1, 1, 2, 1, 1, 2, 4, 8]);
    }

    #[test]
    fn min_tree_finds_the_leftmost_minimum() {
        let mut tree = MinTree::new(&[5, 3, 7, 3, 9]);
        assert_eq!(tree.min_leftmost(), (3, 1));
        tree.set(1, 8);
        assert_eq!(tree.min_leftmost(), (3, 3));
        tree.set(3, DONE);
        assert_eq!(tree.min_leftmost(), (5, 0));
        for i in 0..5 {
            tree.set(i, DONE);
        }
        assert_eq!(tree.min_leftmost().0, DONE);
    }

    #[test]
    fn later_runs_shuffle_candidates_within_their_first_section() {
        // Six buffers starting in section 0 and two in section 1, all fitting
        // the pit that is the whole (empty) problem.
        let mut buffers: Vec<Buffer> =
            (0..6).map(|i| Buffer::new(i.to_string(), 0, 2 + i % 3, 1 + i)).collect();
        buffers.push(Buffer::new("6", 1, 5, 1));
        buffers.push(Buffer::new("7", 1, 4, 2));
        let problem = Problem { buffers, capacity: 100 };
        let shared = Shared::default();
        let mut state = State::new(&problem, 100, None, &shared);
        let last = state.floor.len() - 1;
        state.begin_partition(0, last);
        let mut orders = Vec::new();
        for attempt in 0..12 {
            state.attempt = attempt;
            state.cands.clear();
            state.collect_candidates(0, last, 0, DONE, DONE);
            let order = state.cands.clone();
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..8).collect::<Vec<_>>(), "run {attempt}: every buffer once");
            assert!(
                order.windows(2).all(|w| state.first[w[0]] <= state.first[w[1]]),
                "run {attempt}: {order:?}"
            );
            orders.push(order);
        }
        // Run 0: longest first, then largest.
        assert_eq!(&orders[0][..3], &[5, 2, 4]);
        // Run 1: largest first.
        assert_eq!(&orders[1][..2], &[5, 4]);
        // Later runs: of the two buffers starting in section 1, "6" spans
        // the rest of the pit and comes first.
        let pos = |order: &Vec<usize>, b: usize| order.iter().position(|&x| x == b);
        for (attempt, order) in orders.iter().enumerate().skip(2) {
            assert!(pos(order, 6) < pos(order, 7), "run {attempt}: {order:?}");
        }
        // Later runs differ from one another.
        let distinct: HashSet<&Vec<usize>> = orders[2..].iter().collect();
        assert!(distinct.len() >= 5, "{distinct:?}");
    }

    /// Checks that `deepest` and `deepest_offset` describe one path and
    /// that its first `deepest_common` placements are the current ones.
    fn assert_deepest_consistent(state: &State<'_>) {
        for (b, &offset) in state.deepest_offset.iter().enumerate() {
            assert_eq!(offset != NOWHERE, state.deepest.contains(&b), "buffer {b}");
        }
        assert!(state.deepest_common <= state.placements.len().min(state.deepest.len()));
        for i in 0..state.deepest_common {
            let b = state.placements[i];
            assert_eq!(state.deepest[i], b);
            assert_eq!(state.deepest_offset[b], state.offset[b]);
        }
    }

    #[test]
    fn the_deepest_path_is_recorded_through_undos() {
        // Five buffers side by side and one above each pair: paths of
        // different depths, undone and redone in various orders.
        let buffers: Vec<Buffer> = (0..8).map(|i| Buffer::new(i.to_string(), i % 5, i % 5 + 1, 1)).collect();
        let problem = Problem { buffers, capacity: 2 };
        let shared = Shared::default();
        let mut state = State::new(&problem, 2, None, &shared);
        let last = state.floor.len() - 1;
        state.begin_partition(0, last);
        let mut rng = crate::generate::Rng::new(3);
        let mut best = 0;
        // The trail length and hash before each placement, as frames keep.
        let mut marks: Vec<(usize, u128)> = Vec::new();
        for _ in 0..300 {
            if rng.range(0, 3) == 0 && !state.placements.is_empty() {
                // Undo to a random earlier depth.
                let keep = rng.range(0, state.placements.len() as i64) as usize;
                let (trail, hash) = marks[keep];
                state.undo_to(trail, keep, hash);
                marks.truncate(keep);
            } else if let Some(b) = (0..8).find(|&b| !state.placed[b] && rng.range(0, 2) == 0) {
                marks.push((state.trail.len(), state.hash));
                // On the floor or one higher: a buffer placed again after
                // an undo may land elsewhere than on the deepest path.
                let floor = state.floor[state.first[b]];
                let offset = if floor == 0 { rng.range(0, 2) } else { floor };
                state.place(b, offset);
            }
            best = best.max(state.placements.len());
            assert_eq!(state.deepest.len(), best);
            assert_deepest_consistent(&state);
        }
        assert!(best >= 4, "the walk went deep enough to mean something");
        state.begin_partition(0, last);
        assert!(state.deepest.is_empty() && state.deepest_offset.iter().all(|&o| o == NOWHERE));
    }

    #[test]
    fn guided_runs_put_the_deepest_paths_buffer_first() {
        let buffers: Vec<Buffer> = (0..6).map(|i| Buffer::new(i.to_string(), 0, 1 + i % 2, 1 + i)).collect();
        let problem = Problem { buffers, capacity: 100 };
        let shared = Shared::default();
        let mut state = State::new(&problem, 100, None, &shared);
        let last = state.floor.len() - 1;
        state.begin_partition(0, last);
        // The deepest path had buffer 3 at the bottom.
        state.deepest = vec![3];
        state.deepest_offset[3] = 0;
        let mut unguided_firsts = HashSet::new();
        let (mut followed, mut freed) = (0, 0);
        for attempt in 2..40 {
            state.attempt = attempt;
            state.cands.clear();
            state.collect_candidates(0, last, 0, DONE, DONE);
            if attempt % GUIDED_EVERY != 0 {
                unguided_firsts.insert(state.cands[0]);
            } else if state.freed_band(attempt).contains(&0) {
                // The pit's height is in the band this run re-shuffles.
                freed += 1;
            } else {
                assert_eq!(state.cands[0], 3, "run {attempt}: {:?}", state.cands);
                followed += 1;
            }
        }
        // The other shuffled runs start with various buffers.
        assert!(unguided_firsts.len() >= 2, "{unguided_firsts:?}");
        assert!(followed > 0, "followed {followed}, freed {freed}");
        // The bands lie in the capacity, a quarter of it, low and high.
        let bands: Vec<_> = (0..200).map(|attempt| state.freed_band(attempt)).collect();
        assert!(bands.iter().all(|b| b.start >= 0 && b.end <= 100 && b.end - b.start == 25), "{bands:?}");
        assert!(bands.iter().any(|b| b.contains(&0)) && bands.iter().any(|b| b.contains(&95)), "{bands:?}");
    }

    /// Whether some order of the buffers, each put at its lowest aligned
    /// offset clear of those before it, fits in `capacity`: every solution
    /// is found this way (order the buffers by their offsets).
    fn brute_force_fits(problem: &Problem, capacity: i64) -> bool {
        fn go(p: &Problem, capacity: i64, placed: &mut Vec<(usize, i64)>) -> bool {
            let n = p.buffers.len();
            if placed.len() == n {
                return true;
            }
            for b in 0..n {
                if placed.iter().any(|&(x, _)| x == b) {
                    continue;
                }
                let buffer = &p.buffers[b];
                let mut offset = 0;
                // Rise past every clash until none is left.
                while let Some(o) = align_up(offset, buffer.alignment.max(1)) {
                    offset = o;
                    let room = Interval::new(offset, offset + buffer.size);
                    let clash = placed.iter().find(|&&(x, ox)| {
                        let other = &p.buffers[x];
                        other.lifespan.intersects(&buffer.lifespan)
                            && Interval::new(ox, ox + other.size).intersects(&room)
                    });
                    match clash {
                        Some(&(x, ox)) => offset = ox + p.buffers[x].size,
                        None => break,
                    }
                }
                if offset + buffer.size <= capacity {
                    placed.push((b, offset));
                    if go(p, capacity, placed) {
                        return true;
                    }
                    placed.pop();
                }
            }
            false
        }
        go(problem, capacity, &mut Vec::new())
    }

    #[test]
    fn backjumping_keeps_the_search_exact() {
        // Small random problems at their max load and just above: the search
        // (backjumps included) finds a valid placement exactly when one
        // exists.
        let shared = Shared::default();
        let mut rng = crate::generate::Rng::new(7);
        let (mut feasible, mut infeasible) = (0, 0);
        for _ in 0..600 {
            let n = rng.range(4, 10) as usize;
            let buffers: Vec<Buffer> = (0..n)
                .map(|i| {
                    let lower = rng.range(0, 10);
                    let mut b = Buffer::new(i.to_string(), lower, lower + rng.range(1, 7), rng.range(1, 9));
                    b.alignment = [1, 1, 2, 4][rng.range(0, 4) as usize];
                    b
                })
                .collect();
            let mut problem = Problem { buffers, capacity: 0 };
            let load = crate::bound::lower_bound(&problem);
            for capacity in [load, load + 1] {
                problem.capacity = capacity;
                let mut counts = SearchStats::default();
                let found = search(&problem, capacity, None, &shared, None, 0, &mut counts);
                let expected = brute_force_fits(&problem, capacity);
                assert_eq!(found.is_ok(), expected, "capacity {capacity}: {problem:?}");
                if let Ok(offsets) = found {
                    feasible += 1;
                    let solution = crate::problem::Solution::from_offsets(&problem, offsets);
                    assert_eq!(crate::validate::validate(&problem, &solution), Ok(()));
                } else {
                    infeasible += 1;
                }
            }
        }
        // Both answers occur often enough for the comparison to mean something.
        assert!(feasible > 100 && infeasible > 30, "{feasible} feasible, {infeasible} infeasible");
    }

    #[test]
    fn mirror_reverses_time() {
        let problem = Problem { buffers: vec![Buffer::new("a", 2, 5, 1)], capacity: 1 };
        let lifespan = mirror(&problem).buffers[0].lifespan;
        assert_eq!((lifespan.lower, lifespan.upper), (-6, -3));
        // The extremes of 64 bits too (an audit finding: `-i64::MIN`
        // overflowed, and the search indexed out of bounds).
        let problem = Problem { buffers: vec![Buffer::new("a", i64::MIN, i64::MAX, 1)], capacity: 1 };
        let lifespan = mirror(&problem).buffers[0].lifespan;
        assert_eq!((lifespan.lower, lifespan.upper), (i64::MIN, i64::MAX));
    }

    #[test]
    fn partitions_are_split_where_no_buffer_crosses() {
        let problem = Problem {
            buffers: vec![Buffer::new("a", 0, 2, 1), Buffer::new("b", 1, 3, 1), Buffer::new("c", 3, 4, 1)],
            capacity: 2,
        };
        let shared = Shared::default();
        let state = State::new(&problem, 2, None, &shared);
        // Sections [0,1) [1,2) [2,3) [3,4): a and b chain the first three.
        assert_eq!(state.partitions, vec![(0, 2), (3, 3)]);
        assert_eq!(state.remaining, vec![1, 2, 1, 1]);
    }

    #[test]
    fn sections_fuller_than_64_bits_are_infeasible() {
        // A fuzzer finding: the sizes at time 4 add up beyond i64::MAX; the
        // clamped total once made a section look finished too early.
        let problem = Problem {
            buffers: vec![Buffer::new("a", 4, 6, i64::MAX), Buffer::new("b", 4, 5, i64::MAX / 3)],
            capacity: i64::MAX,
        };
        let shared = Shared::default();
        let mut counts = SearchStats::default();
        assert_eq!(search(&problem, i64::MAX, None, &shared, None, 0, &mut counts), Err(Status::NotFound));
    }

    #[test]
    fn solves_and_refutes() {
        let shared = Shared::default();
        let problem = Problem {
            buffers: vec![Buffer::new("a", 0, 2, 2), Buffer::new("b", 1, 3, 2), Buffer::new("c", 2, 4, 2)],
            capacity: 4,
        };
        let mut counts = SearchStats::default();
        let offsets = search(&problem, 4, None, &shared, None, 0, &mut counts).unwrap();
        let solution = crate::problem::Solution::from_offsets(&problem, offsets);
        assert_eq!(crate::validate::validate(&problem, &solution), Ok(()));
        assert_eq!(search(&problem, 3, None, &shared, None, 0, &mut counts), Err(Status::NotFound));
    }

    #[test]
    fn times_at_the_ends_of_64_bits() {
        // An audit finding: lifespans starting at i64::MIN made the mirrored
        // search index out of bounds. The same problem shifted to either end
        // of the time axis must be solved alike.
        let base = crate::generate::guillotine(40, 2, 1_000, 1_000);
        for shift in [i64::MIN, i64::MAX - 1_000] {
            let mut problem = base.clone();
            for b in &mut problem.buffers {
                b.lifespan =
                    crate::problem::Interval::new(b.lifespan.lower + shift, b.lifespan.upper + shift);
            }
            let shared = Shared::default();
            let mut counts = SearchStats::default();
            let offsets = search(&problem, 1_000, None, &shared, None, 0, &mut counts).unwrap();
            let solution = crate::problem::Solution::from_offsets(&problem, offsets);
            assert_eq!(crate::validate::validate(&problem, &solution), Ok(()));
        }
    }
}

//! Tabu search over pair orders: finds placements under the capacity where
//! the exact searches are slow to, on small problems with gaps and windows.
//!
//! Of two conflicting buffers one lies below the other by at least their
//! effective size (see [`crate::Buffer::effective_size`]). Fix a side for
//! every conflicting pair, with no cycle, and the lowest offsets respecting
//! them are longest paths: a buffer sits at the highest
//! `offset(below) + e(below, it)` over the buffers below it (or at 0). The
//! height is reached at the end of a *critical path*, a chain of buffers
//! each resting exactly on the previous one. Only turning a pair of that
//! chain around (putting the upper one below) can lower it.
//!
//! This is the classic local search of job-shop scheduling, whose model is
//! the same (a disjunctive graph): start from the sides of a heuristic
//! placement; at every step turn around the pair of the critical path that
//! gives the lowest height, except pairs turned in the last few steps (the
//! *tabu* list, so the search does not undo itself), unless that beats the
//! best height seen; stop when the height fits the capacity or after a fixed
//! number of steps. The steps are counted, not timed, so a run always gives
//! the same answer.
//!
//! It proves nothing: the exact searches run after it when it gives up.

use crate::generate::Rng;
use crate::problem::{align_up, Offset, Problem};
use crate::sweep::SweepResult;

/// Problems with more conflicting pairs than this are not tried (a step
/// costs a pass over every pair).
pub(crate) const MAX_PAIRS: usize = 20_000;

/// At most this many steps per buffer, whatever the work allowed.
const STEPS_PER_BUFFER: u64 = 5_000;

/// Two conflicting buffers `a < b` and their effective sizes.
#[derive(Clone, Copy)]
struct Pair {
    a: u32,
    b: u32,
    /// `e(a, b)`: how far above `a` buffer `b` starts when `a` is below.
    up: i64,
    /// `e(b, a)`.
    down: i64,
}

/// Looks for offsets with a height at most `capacity`, starting from the
/// placement `start` (one offset per buffer, valid for the problem), for at
/// most `work / (buffers + pairs)` steps (a step costs about one pass over
/// the buffers and pairs), and [`STEPS_PER_BUFFER`] per buffer. Returns the
/// lowest placement found (at most `capacity` high when it succeeded), or
/// `None` when the problem is not one it handles (fixed offsets, too many
/// pairs).
pub(crate) fn search(
    problem: &Problem,
    sweep: &SweepResult,
    start: &[Offset],
    capacity: i64,
    work: u64,
    stop: &dyn Fn() -> bool,
) -> Option<Vec<Offset>> {
    if problem.buffers.iter().any(|b| b.offset.is_some()) || start.len() != problem.buffers.len() {
        return None;
    }
    let mut graph = Graph::new(problem, sweep)?;
    // The sides of the start placement: the lower offset below (a pair
    // whose two sides both hold keeps the one with the lower buffer first).
    for k in 0..graph.pairs.len() {
        let p = graph.pairs[k];
        let (xa, xb) = (start[p.a as usize], start[p.b as usize]);
        graph.a_below[k] = xb >= xa.saturating_add(p.up) || (xa < xb.saturating_add(p.down) && xa <= xb);
    }
    let mut height = graph.evaluate()?;
    let mut best = (height, graph.offsets.clone());
    let mut tabu_until = vec![0u64; graph.pairs.len()];
    let mut rng = Rng::new(0x7AB0);
    let mut path = Vec::new();
    // A step costs about one pass over the buffers and the pairs; tiny
    // problems get at most 5,000 steps per buffer.
    let n = graph.offsets.len() as u64;
    let steps = (work / (n + graph.pairs.len() as u64).max(1)).min(STEPS_PER_BUFFER * n);
    let mut step = 0u64;
    while best.0 > capacity && step < steps {
        step += 1;
        if step.is_multiple_of(64) && stop() {
            break;
        }
        graph.critical_path(&mut path);
        graph.compute_tails();
        // The best move by its estimated height (exact along the paths
        // through the two buffers, as in job-shop tabu searches).
        let mut choice: Option<(i64, usize)> = None;
        for &k in &path {
            let moved = graph.estimate_turn(k);
            let allowed = tabu_until[k] < step || moved < best.0;
            if allowed && choice.is_none_or(|(h, _)| moved < h) {
                choice = Some((moved, k));
            }
        }
        let k = match choice {
            Some((_, k)) => k,
            // Every move is tabu or makes a cycle: shake a random one.
            None if !path.is_empty() => path[rng.range(0, path.len() as i64) as usize],
            None => break,
        };
        graph.a_below[k] = !graph.a_below[k];
        match graph.evaluate() {
            Some(h) => height = h,
            None => {
                graph.a_below[k] = !graph.a_below[k];
                height = graph.evaluate()?;
            }
        }
        let n = n as i64;
        tabu_until[k] = step + 8 + rng.range(0, 2 + n / 4) as u64;
        if height < best.0 {
            best = (height, graph.offsets.clone());
        }
    }
    Some(best.1)
}

/// The conflict graph with a side for every pair, and the offsets and
/// critical edges of the latest evaluation.
struct Graph {
    sizes: Vec<i64>,
    alignments: Vec<i64>,
    pairs: Vec<Pair>,
    a_below: Vec<bool>,
    /// The pairs of each buffer: `pair_idx[pair_start[i]..pair_start[i + 1]]`.
    pair_start: Vec<usize>,
    pair_idx: Vec<u32>,
    offsets: Vec<Offset>,
    /// See [`Graph::compute_tails`].
    tails: Vec<i64>,
    /// The pair a buffer rests on (`u32::MAX`: on the floor).
    resting_on: Vec<u32>,
    indegree: Vec<u32>,
    queue: Vec<u32>,
    top: u32,
}

impl Graph {
    fn new(problem: &Problem, sweep: &SweepResult) -> Option<Graph> {
        let n = problem.buffers.len();
        let effective = |i: usize, j: usize| -> Option<i64> {
            let overlaps = &sweep.buffer_data.get(i)?.overlaps;
            let k = overlaps.binary_search_by_key(&j, |o| o.buffer_idx).ok()?;
            Some(overlaps[k].effective_size)
        };
        let mut pairs = Vec::new();
        for i in 0..n {
            for o in sweep.buffer_data.get(i).map_or(&[][..], |d| &d.overlaps[..]) {
                let j = o.buffer_idx;
                if i < j {
                    pairs.push(Pair {
                        a: i as u32,
                        b: j as u32,
                        up: o.effective_size,
                        down: effective(j, i)?,
                    });
                    if pairs.len() > MAX_PAIRS {
                        return None;
                    }
                }
            }
        }
        let mut pair_start = vec![0usize; n + 1];
        for p in &pairs {
            pair_start[p.a as usize + 1] += 1;
            pair_start[p.b as usize + 1] += 1;
        }
        for i in 0..n {
            pair_start[i + 1] += pair_start[i];
        }
        let mut fill = pair_start.clone();
        let mut pair_idx = vec![0u32; pair_start[n]];
        for (k, p) in pairs.iter().enumerate() {
            for v in [p.a as usize, p.b as usize] {
                pair_idx[fill[v]] = k as u32;
                fill[v] += 1;
            }
        }
        Some(Graph {
            sizes: problem.buffers.iter().map(|b| b.size).collect(),
            alignments: problem.buffers.iter().map(|b| b.alignment.max(1)).collect(),
            a_below: vec![true; pairs.len()],
            pairs,
            pair_start,
            pair_idx,
            offsets: vec![0; n],
            tails: vec![0; n],
            resting_on: vec![u32::MAX; n],
            indegree: vec![0; n],
            queue: Vec::with_capacity(n),
            top: 0,
        })
    }

    /// The lower and upper buffer of pair `k` under the current sides, and
    /// the distance between their offsets.
    #[inline]
    fn sides(&self, k: usize) -> (u32, u32, i64) {
        let p = self.pairs[k];
        if self.a_below[k] {
            (p.a, p.b, p.up)
        } else {
            (p.b, p.a, p.down)
        }
    }

    /// The lowest offsets under the current sides (longest paths, in
    /// topological order) and their height; `None` if the sides make a
    /// cycle.
    fn evaluate(&mut self) -> Option<i64> {
        let n = self.offsets.len();
        self.indegree.iter_mut().for_each(|d| *d = 0);
        for k in 0..self.pairs.len() {
            let (_, above, _) = self.sides(k);
            self.indegree[above as usize] += 1;
        }
        self.queue.clear();
        for v in 0..n {
            self.offsets[v] = 0;
            self.resting_on[v] = u32::MAX;
            if self.indegree[v] == 0 {
                self.queue.push(v as u32);
            }
        }
        let mut head = 0;
        let (mut height, mut top) = (0i64, 0u32);
        while head < self.queue.len() {
            let v = self.queue[head] as usize;
            head += 1;
            let x = align_up(self.offsets[v].max(0), self.alignments[v])?;
            self.offsets[v] = x;
            let end = x.checked_add(self.sizes[v])?;
            if end > height || head == 1 {
                (height, top) = (end, v as u32);
            }
            for idx in self.pair_start[v]..self.pair_start[v + 1] {
                let k = self.pair_idx[idx] as usize;
                let (below, above, gap) = self.sides(k);
                if below as usize != v {
                    continue;
                }
                let a = above as usize;
                let at = x.saturating_add(gap);
                if at > self.offsets[a] {
                    self.offsets[a] = at;
                    self.resting_on[a] = k as u32;
                }
                self.indegree[a] -= 1;
                if self.indegree[a] == 0 {
                    self.queue.push(above);
                }
            }
        }
        if self.queue.len() < n {
            return None;
        }
        self.top = top;
        Some(height)
    }

    /// For every buffer, the height that the buffers resting on it, in turn,
    /// reach above its offset (its size at least), in reverse topological
    /// order of the latest evaluation.
    fn compute_tails(&mut self) {
        for idx in (0..self.queue.len()).rev() {
            let v = self.queue[idx] as usize;
            let mut tail = self.sizes[v];
            for i in self.pair_start[v]..self.pair_start[v + 1] {
                let k = self.pair_idx[i] as usize;
                let (below, above, gap) = self.sides(k);
                if below as usize == v {
                    tail = tail.max(gap.saturating_add(self.tails[above as usize]));
                }
            }
            self.tails[v] = tail;
        }
    }

    /// The height of the longest path through the two buffers of pair `k`
    /// once it is turned around (the upper one goes below), from the heads
    /// (offsets) and tails of the latest evaluation.
    fn estimate_turn(&self, k: usize) -> i64 {
        let (u, v, _) = self.sides(k);
        let (u, v) = (u as usize, v as usize);
        let p = self.pairs[k];
        // After the turn: v below u, at distance `e(v, u)`.
        let gap_vu = if p.a as usize == v { p.up } else { p.down };
        // Head of a buffer from its lower neighbours, leaving `skip` out.
        let head = |x: usize, skip: usize| -> i64 {
            let mut h = 0i64;
            for i in self.pair_start[x]..self.pair_start[x + 1] {
                let j = self.pair_idx[i] as usize;
                let (below, above, gap) = self.sides(j);
                if above as usize == x && below as usize != skip {
                    h = h.max(self.offsets[below as usize].saturating_add(gap));
                }
            }
            h
        };
        let tail = |x: usize, skip: usize| -> i64 {
            let mut t = self.sizes[x];
            for i in self.pair_start[x]..self.pair_start[x + 1] {
                let j = self.pair_idx[i] as usize;
                let (below, above, gap) = self.sides(j);
                if below as usize == x && above as usize != skip {
                    t = t.max(gap.saturating_add(self.tails[above as usize]));
                }
            }
            t
        };
        let head_v = head(v, u);
        let head_u = head(u, v).max(head_v.saturating_add(gap_vu));
        let tail_u = tail(u, v);
        let tail_v = tail(v, u).max(gap_vu.saturating_add(tail_u));
        head_v.saturating_add(tail_v).max(head_u.saturating_add(tail_u))
    }

    /// The pairs of the chain that ends at the highest buffer, each buffer
    /// resting on the one before (from the latest evaluation).
    fn critical_path(&self, path: &mut Vec<usize>) {
        path.clear();
        let mut v = self.top as usize;
        while self.resting_on[v] != u32::MAX && path.len() < self.offsets.len() {
            let k = self.resting_on[v] as usize;
            path.push(k);
            v = self.sides(k).0 as usize;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Buffer, Solution};
    use crate::sweep::sweep;
    use crate::validate::validate;

    #[test]
    fn turning_the_critical_pair_lowers_the_stack() {
        // Two tall buffers overlap only at time 1; a short one meets each.
        // Stacking them in file order is 12 high; 8 fits.
        let problem = Problem {
            buffers: vec![
                Buffer::new("a", 0, 2, 4),
                Buffer::new("b", 1, 3, 4),
                Buffer::new("c", 0, 1, 4),
                Buffer::new("d", 2, 3, 4),
            ],
            capacity: 8,
        };
        let start = vec![0, 4, 8, 8];
        let s = sweep(&problem);
        let offsets = search(&problem, &s, &start, 8, 2_000, &|| false).unwrap();
        let solution = Solution::from_offsets(&problem, offsets);
        assert_eq!(validate(&problem, &solution), Ok(()));
        assert!(solution.height <= 8);
        // Nothing fits in 7: after its steps the search returns its lowest
        // placement, 8 high.
        let best = search(&problem, &s, &start, 7, 2_000, &|| false).unwrap();
        assert_eq!(Solution::from_offsets(&problem, best).height, 8);
        // Fixed offsets are not its business.
        let mut pinned = problem.clone();
        pinned.buffers[0].offset = Some(0);
        assert_eq!(search(&pinned, &sweep(&pinned), &start, 8, 2_000, &|| false), None);
    }

    /// Random problems with gaps and windows: whatever the search returns is
    /// valid and never above its start, and it often reaches the target.
    #[test]
    fn every_placement_it_returns_is_valid() {
        use crate::generate::{random, Rng};
        use crate::heuristics::{place, Heuristic, Limits};
        use crate::problem::{Gap, Interval};
        let mut improved = 0;
        for seed in 0..60u64 {
            let mut problem = random(12 + (seed as usize % 20), seed, 40, 50);
            let mut rng = Rng::new(seed);
            for b in &mut problem.buffers {
                let (lo, hi) = (b.lifespan.lower, b.lifespan.upper);
                if hi - lo >= 3 && rng.unit() < 0.6 {
                    let g0 = rng.range(lo + 1, hi - 1);
                    let g1 = rng.range(g0 + 1, hi);
                    let w0 = rng.range(0, b.size);
                    let window = (rng.unit() < 0.6).then(|| Interval::new(w0, rng.range(w0 + 1, b.size + 1)));
                    b.gaps = vec![Gap { lifespan: Interval::new(g0, g1), window }];
                }
            }
            let start = place(&problem, Heuristic::GreedySize, &Limits::default()).unwrap();
            let s = sweep(&problem);
            for capacity in [start.height - 1, start.height * 9 / 10, problem.lower_bound()] {
                let offsets = search(&problem, &s, &start.offsets, capacity, 200_000, &|| false).unwrap();
                let own = Solution::from_offsets(&problem, offsets.clone());
                let at = Problem { capacity: own.height, ..problem.clone() };
                assert_eq!(validate(&at, &own), Ok(()), "seed {seed}");
                assert!(own.height <= start.height, "seed {seed}: never worse than the start");
                improved += usize::from(own.height <= capacity);
            }
        }
        assert!(improved >= 20, "only {improved} improvements");
    }
}

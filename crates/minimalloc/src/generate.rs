//! Instance generators, for tests, benchmarks and experiments.
//!
//! Every family is deterministic in its seed (the generator is a SplitMix64
//! written out here, so the instances never change with a dependency's
//! version):
//!
//! - [`guillotine`]: a `time × capacity` rectangle cut recursively into
//!   pieces, each piece a buffer; the pieces tile the rectangle, so the
//!   problem is feasible with zero slack at that capacity (like the paper's
//!   challenging instances). [`thin`] removes a fraction of the pieces.
//! - [`ml`]: an activation trace of a network with skip connections: each
//!   layer's output lives until its last consumer, some outputs feed a layer
//!   far ahead, sizes vary by powers of two.
//! - [`random`]: lifespans and sizes uniformly at random.

use crate::problem::{Buffer, Gap, Interval, Problem};

/// SplitMix64's finalizer: a well-mixed 64-bit hash of `x` (also the
/// search's hash of its states).
#[inline]
pub(crate) fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A small, fast, deterministic pseudo-random generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A value in `[lo, hi)`; `lo` when the range is empty.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64;
        lo + (self.next_u64() % span) as i64
    }

    /// A value in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A rectangle `[t0, t1) × [y0, y1)`.
#[derive(Clone, Copy)]
struct Piece {
    t0: i64,
    t1: i64,
    y0: i64,
    y1: i64,
}

/// Which piece a [`guillotine_with`] cut splits next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cuts {
    /// The largest (by area) of three pieces drawn at random: pieces of
    /// similar area, as in [`guillotine`].
    ByArea,
    /// Any piece, uniformly at random: some pieces stay large, many get
    /// thin.
    Uniform,
}

/// `count` buffers tiling a `horizon × capacity` rectangle: cut a random
/// piece (larger pieces more often) at a random point, across time or across
/// memory, until there are `count` pieces. The problem's capacity is
/// `capacity`, and a solution reaching exactly that height exists (each
/// buffer at its piece's bottom edge).
pub fn guillotine(count: usize, seed: u64, horizon: i64, capacity: i64) -> Problem {
    guillotine_with(count, seed, horizon, capacity, Cuts::ByArea)
}

/// [`guillotine`] with a choice of which piece each cut splits.
pub fn guillotine_with(count: usize, seed: u64, horizon: i64, capacity: i64, cuts: Cuts) -> Problem {
    if count == 0 {
        return Problem { buffers: Vec::new(), capacity };
    }
    let mut rng = Rng::new(seed);
    let mut pieces = vec![Piece { t0: 0, t1: horizon.max(1), y0: 0, y1: capacity.max(1) }];
    let mut attempts = 0usize;
    while pieces.len() < count && attempts < count * 64 {
        attempts += 1;
        // Pick a random piece; by area: the largest of three.
        let draws = match cuts {
            Cuts::ByArea => 2,
            Cuts::Uniform => 0,
        };
        let mut pick = rng.range(0, pieces.len() as i64) as usize;
        for _ in 0..draws {
            let other = rng.range(0, pieces.len() as i64) as usize;
            let area = |p: &Piece| (p.t1 - p.t0) as i128 * (p.y1 - p.y0) as i128;
            if area(&pieces[other]) > area(&pieces[pick]) {
                pick = other;
            }
        }
        let p = pieces[pick];
        let across_time = rng.unit() < 0.5;
        let (lo, hi) = if across_time { (p.t0, p.t1) } else { (p.y0, p.y1) };
        if hi - lo < 2 {
            continue;
        }
        let cut = rng.range(lo + 1, hi);
        let (a, b) = if across_time {
            (Piece { t1: cut, ..p }, Piece { t0: cut, ..p })
        } else {
            (Piece { y1: cut, ..p }, Piece { y0: cut, ..p })
        };
        pieces[pick] = a;
        pieces.push(b);
    }
    let buffers =
        pieces.iter().enumerate().map(|(i, p)| Buffer::new(i.to_string(), p.t0, p.t1, p.y1 - p.y0)).collect();
    Problem { buffers, capacity }
}

/// Removes about `fraction` of the buffers at random (keeping at least one),
/// renumbering the rest. A guillotine instance stays feasible at its capacity,
/// now with slack.
pub fn thin(problem: &Problem, fraction: f64, seed: u64) -> Problem {
    let mut rng = Rng::new(seed.wrapping_add(0x5EED));
    let mut buffers: Vec<Buffer> =
        problem.buffers.iter().filter(|_| rng.unit() >= fraction).cloned().collect();
    if buffers.is_empty() {
        if let Some(first) = problem.buffers.first() {
            buffers.push(first.clone());
        }
    }
    for (i, b) in buffers.iter_mut().enumerate() {
        b.id = i.to_string();
    }
    Problem { buffers, capacity: problem.capacity }
}

/// Gives about `fraction` of the buffers (those live for 3 time steps or
/// more) one gap strictly inside their lifespan; 60% of the gaps keep a
/// window, a random part of the buffer's space. Gaps only take space away, so
/// every solution of `problem` stays a solution.
pub fn gaps(problem: &Problem, fraction: f64, seed: u64) -> Problem {
    let mut rng = Rng::new(seed.wrapping_add(0x6A95));
    let mut out = problem.clone();
    for b in &mut out.buffers {
        let (lower, upper) = (b.lifespan.lower, b.lifespan.upper);
        if upper - lower < 3 || rng.unit() >= fraction {
            continue;
        }
        let start = rng.range(lower + 1, upper - 1);
        let end = rng.range(start + 1, upper);
        let window = if rng.unit() < 0.6 {
            let a = rng.range(0, b.size);
            Some(Interval::new(a, rng.range(a + 1, b.size + 1)))
        } else {
            None
        };
        b.gaps = vec![Gap { lifespan: Interval::new(start, end), window }];
    }
    out
}

/// An activation trace of `count` buffers: layer `i` runs at time `i` and
/// produces one tensor, consumed by the next layer and, with some
/// probability, by a layer further ahead (a skip connection); a few long-lived
/// tensors (weights, inputs) span much of the run. Sizes are powers of two
/// times a small factor. The capacity is left at 0 (minimize the peak).
pub fn ml(count: usize, seed: u64) -> Problem {
    let mut rng = Rng::new(seed);
    let mut buffers = Vec::with_capacity(count);
    let n = count as i64;
    for i in 0..n {
        let mut last_use = i + 1;
        let roll = rng.unit();
        if roll < 0.15 {
            // Skip connection to a layer up to 64 steps ahead.
            last_use = i + 2 + rng.range(0, 64);
        } else if roll < 0.17 {
            // A long-lived tensor.
            last_use = i + 2 + rng.range(0, (n / 4).max(1));
        }
        let size = (1i64 << rng.range(6, 16)) * rng.range(1, 4);
        buffers.push(Buffer::new(i.to_string(), i, last_use.min(n + 1).max(i + 1), size));
    }
    Problem { buffers, capacity: 0 }
}

/// `count` buffers with lifespans of random start and length (at most
/// `horizon / 4`) within `[0, horizon)` and sizes in `[1, max_size]`. The
/// capacity is left at 0.
pub fn random(count: usize, seed: u64, horizon: i64, max_size: i64) -> Problem {
    let mut rng = Rng::new(seed);
    let horizon = horizon.max(2);
    let buffers = (0..count)
        .map(|i| {
            let lower = rng.range(0, horizon - 1);
            let upper = (lower + 1 + rng.range(0, (horizon / 4).max(1))).min(horizon);
            Buffer::new(i.to_string(), lower, upper, rng.range(1, max_size.max(1) + 1))
        })
        .collect();
    Problem { buffers, capacity: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_lie_inside_and_keep_solutions() {
        let p = random(300, 3, 300, 1000);
        let g = gaps(&p, 0.7, 3);
        assert!(g.check().is_ok());
        let gapped = g.buffers.iter().filter(|b| !b.gaps.is_empty()).count();
        let windows = g.buffers.iter().filter(|b| b.gaps.iter().any(|gap| gap.window.is_some())).count();
        assert!(gapped > 100 && windows > gapped / 3 && windows < gapped, "{gapped} {windows}");
        for (a, b) in p.buffers.iter().zip(&g.buffers) {
            assert_eq!((a.lifespan, a.size), (b.lifespan, b.size));
            for gap in &b.gaps {
                assert!(gap.lifespan.lower > a.lifespan.lower && gap.lifespan.upper < a.lifespan.upper);
            }
        }
        // A stacked placement of the plain problem stays valid.
        let mut top = 0;
        let offsets: Vec<i64> = p
            .buffers
            .iter()
            .map(|b| {
                top += b.size;
                top - b.size
            })
            .collect();
        let mut fits = g.clone();
        fits.capacity = top;
        let solution = crate::Solution::from_offsets(&fits, offsets);
        assert_eq!(crate::validate::validate(&fits, &solution), Ok(()));
    }

    #[test]
    fn every_family_gives_the_number_of_buffers_asked_for() {
        // An audit finding: `--buffers 0` gave one guillotine piece.
        for count in [0, 1, 7] {
            assert_eq!(guillotine(count, 1, 1 << 10, 1 << 10).buffers.len(), count);
            assert_eq!(ml(count, 1).buffers.len(), count);
            assert_eq!(random(count, 1, 100, 10).buffers.len(), count);
        }
    }

    #[test]
    fn guillotine_tiles_the_rectangle() {
        let p = guillotine(200, 7, 1 << 20, 1 << 20);
        assert_eq!(p.buffers.len(), 200);
        assert!(p.check().is_ok());
        let area: i128 = p.buffers.iter().map(|b| b.area()).sum();
        assert_eq!(area, (1i128 << 20) * (1i128 << 20));
        assert_eq!(p.max_load(), 1 << 20, "every moment is full");
        assert_eq!(guillotine(200, 7, 1 << 20, 1 << 20), p, "deterministic");
        assert_ne!(guillotine(200, 8, 1 << 20, 1 << 20), p);
    }

    #[test]
    fn uniform_cuts_tile_a_rectangle_of_any_horizon() {
        let p = guillotine_with(300, 5, 2000, 1 << 20, Cuts::Uniform);
        assert_eq!(p.buffers.len(), 300);
        assert!(p.check().is_ok());
        let area: i128 = p.buffers.iter().map(|b| b.area()).sum();
        assert_eq!(area, 2000 * (1i128 << 20));
        assert_eq!(p.max_load(), 1 << 20);
        assert!(p.buffers.iter().all(|b| b.lifespan.lower >= 0 && b.lifespan.upper <= 2000));
        // Uniform choice leaves the areas far more uneven than by area.
        let spread = |p: &Problem| {
            let areas: Vec<i128> = p.buffers.iter().map(|b| b.area()).collect();
            areas.iter().max().copied().unwrap_or(0) / areas.iter().min().copied().unwrap_or(1).max(1)
        };
        assert!(spread(&p) > spread(&guillotine(300, 5, 2000, 1 << 20)));
    }

    #[test]
    fn thin_removes_about_the_fraction() {
        let p = guillotine(500, 1, 1 << 20, 1 << 20);
        let t = thin(&p, 0.2, 3);
        assert!((350..450).contains(&t.buffers.len()), "{}", t.buffers.len());
        assert!(t.max_load() <= p.capacity);
    }

    #[test]
    fn other_families_are_well_formed() {
        for p in [ml(1000, 1), random(1000, 2, 500, 64)] {
            assert_eq!(p.buffers.len(), 1000);
            assert!(p.check().is_ok());
        }
    }
}

//! The validator: does a solution keep every rule, and if not, which one does
//! it break first?
//!
//! The rules are checked in the reference's order, so [`Violation::code`]
//! gives the same [`ValidationResult`] as the C++ validator: the number of
//! offsets, then per buffer (in order) its fixed offset, its bounds
//! (`0 <= offset`, `offset + size <= capacity`), the height, its alignment,
//! then the height as a whole, and finally overlaps between buffers (by the
//! [effective size](crate::Buffer::effective_size) rule), naming the
//! lexicographically first pair of conflicting buffers (by index). Overlaps
//! are found by a sweep over time that puts to the rule only the pairs live
//! at the same time whose address ranges meet: O(n log n) for a valid
//! solution without gaps, plus the pairs that share memory through gaps,
//! rather than every pair live at the same time.

use std::fmt;

use crate::problem::{Buffer, Offset, Problem, Solution};

/// The reference's validation codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValidationResult {
    /// Every rule holds.
    Good = 0,
    /// The solution's structure is wrong (number of offsets).
    BadSolution = 1,
    /// A buffer with a fixed offset is placed elsewhere.
    BadFixed = 2,
    /// An offset is negative or the buffer ends above the capacity.
    BadOffset = 3,
    /// Two buffers overlap in space and time.
    BadOverlap = 4,
    /// An offset is not a multiple of the buffer's alignment.
    BadAlignment = 5,
    /// The height is not the buffers' maximum `offset + size`.
    BadHeight = 6,
}

/// The first rule a solution breaks, with the buffers involved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    /// The number of offsets differs from the number of buffers.
    #[error("the solution has {offsets} offsets for {buffers} buffers")]
    WrongLength {
        /// Offsets given.
        offsets: usize,
        /// Buffers in the problem.
        buffers: usize,
    },
    /// A fixed offset was not kept.
    #[error("buffer {id:?} must stay at its fixed offset {fixed}, but is at {offset}")]
    MovedFixed {
        /// The buffer.
        id: String,
        /// Its fixed offset.
        fixed: Offset,
        /// Where the solution put it.
        offset: Offset,
    },
    /// An offset is negative.
    #[error("buffer {id:?} has a negative offset {offset}")]
    NegativeOffset {
        /// The buffer.
        id: String,
        /// Its offset.
        offset: Offset,
    },
    /// A buffer ends above the capacity.
    #[error("buffer {id:?} ends at {top}, above the capacity {capacity}")]
    AboveCapacity {
        /// The buffer.
        id: String,
        /// Its `offset + size`.
        top: i128,
        /// The capacity.
        capacity: i64,
    },
    /// An offset breaks the buffer's alignment.
    #[error("buffer {id:?} is at {offset}, not a multiple of its alignment {alignment}")]
    Misaligned {
        /// The buffer.
        id: String,
        /// Its offset.
        offset: Offset,
        /// Its alignment.
        alignment: i64,
    },
    /// The height is wrong.
    #[error("the solution claims height {claimed}, but the buffers reach {actual}")]
    WrongHeight {
        /// The height given.
        claimed: Offset,
        /// The highest `offset + size`.
        actual: i128,
    },
    /// Two buffers use the same memory at the same time.
    #[error("buffers {first:?} and {second:?} overlap in time and memory")]
    Overlap {
        /// The earlier buffer (by index).
        first: String,
        /// The later buffer.
        second: String,
    },
}

impl Violation {
    /// The reference's code for this violation.
    pub fn code(&self) -> ValidationResult {
        match self {
            Violation::WrongLength { .. } => ValidationResult::BadSolution,
            Violation::MovedFixed { .. } => ValidationResult::BadFixed,
            Violation::NegativeOffset { .. } | Violation::AboveCapacity { .. } => ValidationResult::BadOffset,
            Violation::Misaligned { .. } => ValidationResult::BadAlignment,
            Violation::WrongHeight { .. } => ValidationResult::BadHeight,
            Violation::Overlap { .. } => ValidationResult::BadOverlap,
        }
    }
}

impl fmt::Display for ValidationResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            ValidationResult::Good => "good",
            ValidationResult::BadSolution => "bad solution",
            ValidationResult::BadFixed => "bad fixed offset",
            ValidationResult::BadOffset => "bad offset",
            ValidationResult::BadOverlap => "bad overlap",
            ValidationResult::BadAlignment => "bad alignment",
            ValidationResult::BadHeight => "bad height",
        };
        f.write_str(name)
    }
}

/// Checks `solution` against `problem`; `Err` names the first broken rule.
pub fn validate(problem: &Problem, solution: &Solution) -> Result<(), Violation> {
    let n = problem.buffers.len();
    if solution.offsets.len() != n {
        return Err(Violation::WrongLength { offsets: solution.offsets.len(), buffers: n });
    }
    let mut max_top: i128 = 0;
    for (buffer, &offset) in problem.buffers.iter().zip(&solution.offsets) {
        let id = || buffer.id.clone();
        let top = offset as i128 + buffer.size as i128;
        max_top = max_top.max(top);
        if let Some(fixed) = buffer.offset {
            if fixed != offset {
                return Err(Violation::MovedFixed { id: id(), fixed, offset });
            }
        }
        if offset < 0 {
            return Err(Violation::NegativeOffset { id: id(), offset });
        }
        if top > problem.capacity as i128 {
            return Err(Violation::AboveCapacity { id: id(), top, capacity: problem.capacity });
        }
        if top > solution.height as i128 {
            return Err(Violation::WrongHeight { claimed: solution.height, actual: top });
        }
        if buffer.alignment <= 0 || offset % buffer.alignment != 0 {
            return Err(Violation::Misaligned { id: id(), offset, alignment: buffer.alignment });
        }
    }
    if max_top != solution.height as i128 {
        return Err(Violation::WrongHeight { claimed: solution.height, actual: max_top });
    }
    match first_overlap(problem, &solution.offsets) {
        Some((i, j)) => Err(Violation::Overlap {
            first: problem.buffers[i].id.clone(),
            second: problem.buffers[j].id.clone(),
        }),
        None => Ok(()),
    }
}

/// Whether buffers `i` and `j` (at `offsets[i]` and `offsets[j]`) conflict by
/// the effective-size rule: neither lies below the other at every time both
/// are present.
fn conflict(problem: &Problem, offsets: &[Offset], i: usize, j: usize) -> bool {
    let (bi, bj) = (&problem.buffers[i], &problem.buffers[j]);
    let (oi, oj) = (offsets[i] as i128, offsets[j] as i128);
    let separated = |a: &Buffer, oa: i128, b: &Buffer, ob: i128| {
        a.effective_size(b).is_none_or(|es| oa + es as i128 <= ob)
    };
    !separated(bi, oi, bj, oj) && !separated(bj, oj, bi, oi)
}

/// The addresses `[low, high)` that buffer `b` at `offset` can ever occupy:
/// from the lowest to the highest bound of its windows (the whole size
/// `[0, size)` and every gap window), exact in 128 bits.
///
/// If `a` and `b` conflict, then `low(b) < high(a)` and `low(a) < high(b)`:
/// the rule's `offset(a) + effective_size(a, b) > offset(b)` means that some
/// window `wa` of `a` and `wb` of `b` present at the same time have
/// `offset(a) + wa.upper > offset(b) + wb.lower`, and likewise the other way
/// round. (This holds for any windows, even reversed ones, and for zero-width
/// ones: a reach `[p, p)` meets only reaches strictly around `p`.)
fn reach(b: &Buffer, offset: Offset) -> (i128, i128) {
    let (mut low, mut high) = (0i64, b.size);
    for window in b.gaps.iter().filter_map(|gap| gap.window) {
        low = low.min(window.lower);
        high = high.max(window.upper);
    }
    (offset as i128 + low as i128, offset as i128 + high as i128)
}

/// No value: the leaf of a buffer that is not live.
const ABSENT: i128 = i128::MIN;

/// A max-tree over the live buffers, sorted by the low end of their reach:
/// each leaf holds the high end of a live buffer's reach, or [`ABSENT`].
struct ReachTree {
    /// The number of leaves, a power of two.
    size: usize,
    /// `high[size + p]` is leaf `p`; `high[k]` the maximum of `high[2k]` and
    /// `high[2k + 1]`.
    high: Vec<i128>,
}

impl ReachTree {
    fn new(leaves: usize) -> Self {
        let size = leaves.next_power_of_two();
        ReachTree { size, high: vec![ABSENT; 2 * size] }
    }

    fn set(&mut self, leaf: usize, value: i128) {
        let mut k = leaf + self.size;
        self.high[k] = value;
        while k > 1 {
            k /= 2;
            let max = self.high[2 * k].max(self.high[2 * k + 1]);
            if self.high[k] == max {
                break;
            }
            self.high[k] = max;
        }
    }

    /// Recomputes every inner node from the leaves.
    fn rebuild(&mut self) {
        for k in (1..self.size).rev() {
            self.high[k] = self.high[2 * k].max(self.high[2 * k + 1]);
        }
    }

    /// Appends to `out` every leaf below `count` whose value exceeds `above`,
    /// in O((1 + reported) log n).
    fn report(&self, count: usize, above: i128, out: &mut Vec<usize>) {
        self.visit(1, 0, self.size, count, above, out);
    }

    fn visit(&self, k: usize, first: usize, width: usize, count: usize, above: i128, out: &mut Vec<usize>) {
        if first >= count || self.high[k] <= above {
            return;
        }
        if width == 1 {
            out.push(first);
            return;
        }
        let half = width / 2;
        self.visit(2 * k, first, half, count, above, out);
        self.visit(2 * k + 1, first + half, half, count, above, out);
    }
}

/// The lexicographically first pair `(i, j)`, `i < j`, of conflicting buffers,
/// as trying all pairs in that order would find it.
///
/// A sweep over time visits each pair whose lifespans intersect when the
/// later of the two starts (ends before starts at equal times: lifespans are
/// half-open); among the buffers still live, a [`ReachTree`] finds those whose
/// [reach] meets the new buffer's, the only ones that can conflict with it,
/// and only these pairs are put to the effective-size rule. In a valid
/// solution live buffers overlap in memory only where gaps free it, so this
/// costs O(n log n) plus the pairs that share memory through gaps.
///
/// Once a conflict `(i0, j0)` is known, only pairs below it matter: a buffer
/// with an index above `i0` is then compared only with the live buffers up to
/// `i0` (a second tree), so a solution full of conflicts is not slower to
/// reject than a valid one is to accept.
fn first_overlap(problem: &Problem, offsets: &[Offset]) -> Option<(usize, usize)> {
    let buffers = &problem.buffers;
    // A buffer with an empty lifespan conflicts with nothing.
    let present: Vec<usize> = (0..buffers.len()).filter(|&i| !buffers[i].lifespan.is_empty()).collect();
    if present.len() < 2 {
        return None;
    }
    let reaches: Vec<(i128, i128)> = buffers.iter().zip(offsets).map(|(b, &o)| reach(b, o)).collect();
    let mut by_low = present.clone();
    by_low.sort_unstable_by_key(|&i| (reaches[i].0, i));
    let lows: Vec<i128> = by_low.iter().map(|&i| reaches[i].0).collect();
    let mut leaf = vec![usize::MAX; buffers.len()];
    for (p, &i) in by_low.iter().enumerate() {
        leaf[i] = p;
    }
    let mut starts = present.clone();
    starts.sort_unstable_by_key(|&i| (buffers[i].lifespan.lower, i));
    let mut ends = present;
    ends.sort_unstable_by_key(|&i| buffers[i].lifespan.upper);

    let mut all = ReachTree::new(by_low.len());
    // The live buffers with an index up to `best.0`, once there is a `best`.
    let mut few: Option<ReachTree> = None;
    let mut best: Option<(usize, usize)> = None;
    let mut ended = 0;
    let mut found = Vec::new();
    for &x in &starts {
        let now = buffers[x].lifespan.lower;
        while let Some(&y) = ends.get(ended).filter(|&&y| buffers[y].lifespan.upper <= now) {
            all.set(leaf[y], ABSENT);
            if let Some(few) = &mut few {
                few.set(leaf[y], ABSENT);
            }
            ended += 1;
        }
        let (low, high) = reaches[x];
        // The live buffers `y` with `low(y) < high(x)` and `high(y) > low(x)`.
        let count = lows.partition_point(|&l| l < high);
        let tree = match (&few, best) {
            (Some(few), Some((i0, _))) if x > i0 => few,
            _ => &all,
        };
        found.clear();
        tree.report(count, low, &mut found);
        let before = best;
        for &p in &found {
            let y = by_low[p];
            let pair = (x.min(y), x.max(y));
            if best.is_none_or(|b| pair < b) && conflict(problem, offsets, x, y) {
                best = Some(pair);
            }
        }
        all.set(leaf[x], high);
        if let Some((i0, _)) = best {
            match (&mut few, before) {
                (Some(few), Some((old, _))) => {
                    for &p in &leaf[i0 + 1..=old] {
                        if p != usize::MAX {
                            few.set(p, ABSENT);
                        }
                    }
                }
                _ => {
                    let mut tree = ReachTree::new(by_low.len());
                    for (p, &i) in by_low.iter().enumerate() {
                        if i <= i0 {
                            tree.high[tree.size + p] = all.high[all.size + p];
                        }
                    }
                    tree.rebuild();
                    few = Some(tree);
                }
            }
            if let (Some(few), true) = (&mut few, x <= i0) {
                few.set(leaf[x], high);
            }
        }
    }
    best
}

/// The reference's interface: the code of the first broken rule, or `Good`.
pub fn validation_result(problem: &Problem, solution: &Solution) -> ValidationResult {
    match validate(problem, solution) {
        Ok(()) => ValidationResult::Good,
        Err(v) => v.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Buffer, Gap, Interval};

    fn problem() -> Problem {
        Problem {
            buffers: vec![Buffer::new("a", 0, 2, 2), Buffer::new("b", 1, 3, 2), Buffer::new("c", 3, 4, 4)],
            capacity: 4,
        }
    }

    fn solution(offsets: &[i64], height: i64) -> Solution {
        Solution { offsets: offsets.to_vec(), height }
    }

    #[test]
    fn good_solution() {
        assert_eq!(validate(&problem(), &solution(&[0, 2, 0], 4)), Ok(()));
    }

    #[test]
    fn each_rule() {
        let p = problem();
        let code = |offsets: &[i64], height| validation_result(&p, &solution(offsets, height));
        assert_eq!(code(&[0, 2], 4), ValidationResult::BadSolution);
        assert_eq!(code(&[0, 1, 0], 4), ValidationResult::BadOverlap);
        assert_eq!(code(&[-1, 2, 0], 4), ValidationResult::BadOffset);
        assert_eq!(code(&[0, 3, 0], 5), ValidationResult::BadOffset);
        assert_eq!(code(&[0, 2, 0], 3), ValidationResult::BadHeight);
        assert_eq!(code(&[0, 0, 0], 5), ValidationResult::BadHeight);
        let mut fixed = p.clone();
        fixed.buffers[2].offset = Some(0);
        assert_eq!(validation_result(&fixed, &solution(&[2, 0, 0], 4)), ValidationResult::Good);
        fixed.buffers[0].offset = Some(0);
        assert_eq!(validation_result(&fixed, &solution(&[2, 0, 0], 4)), ValidationResult::BadFixed);
        let mut aligned = p;
        aligned.buffers[1].alignment = 4;
        assert_eq!(validation_result(&aligned, &solution(&[0, 2, 0], 4)), ValidationResult::BadAlignment);
    }

    #[test]
    fn overlap_names_the_buffers() {
        let err = validate(&problem(), &solution(&[0, 1, 0], 4)).unwrap_err();
        assert_eq!(err, Violation::Overlap { first: "a".into(), second: "b".into() });
    }

    #[test]
    fn gaps_allow_sharing_space() {
        let mut p = problem();
        p.buffers.truncate(2);
        p.buffers[0].lifespan = Interval::new(0, 4);
        p.buffers[0].gaps.push(Gap { lifespan: Interval::new(1, 4), window: None });
        p.buffers[1].lifespan = Interval::new(1, 3);
        assert_eq!(validate(&p, &solution(&[0, 0], 2)), Ok(()));
        p.buffers[0].gaps[0].window = Some(Interval::new(0, 1));
        assert_eq!(validation_result(&p, &solution(&[0, 0], 2)), ValidationResult::BadOverlap);
        assert_eq!(validate(&p, &solution(&[0, 1], 3)), Ok(()));
    }

    /// The old all-pairs validator's overlap check: the lexicographically
    /// first conflicting pair, found by trying every pair in order.
    fn first_overlap_by_all_pairs(problem: &Problem, offsets: &[Offset]) -> Option<(usize, usize)> {
        let n = problem.buffers.len();
        (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).find(|&(i, j)| {
            let (bi, bj) = (&problem.buffers[i], &problem.buffers[j]);
            let (oi, oj) = (offsets[i] as i128, offsets[j] as i128);
            let separated = |a: &Buffer, oa: i128, b: &Buffer, ob: i128| {
                a.effective_size(b).is_none_or(|es| oa + es as i128 <= ob)
            };
            !separated(bi, oi, bj, oj) && !separated(bj, oj, bi, oi)
        })
    }

    fn overlap(first: &str, second: &str) -> Result<(), Violation> {
        Err(Violation::Overlap { first: first.into(), second: second.into() })
    }

    fn gap(lower: i64, upper: i64, window: Option<(i64, i64)>) -> Gap {
        Gap { lifespan: Interval::new(lower, upper), window: window.map(|(a, b)| Interval::new(a, b)) }
    }

    /// Validates `offsets` (the height is theirs) for `p`.
    fn placed(p: &Problem, offsets: &[Offset]) -> Result<(), Violation> {
        validate(p, &Solution::from_offsets(p, offsets.to_vec()))
    }

    #[test]
    fn touching_in_time_or_memory_is_no_overlap() {
        // `b` starts when `a` ends, at the same addresses; `c` lives with `a`
        // right above it; `d` is `a` again.
        let p = Problem {
            buffers: vec![
                Buffer::new("a", 0, 2, 2),
                Buffer::new("b", 2, 4, 2),
                Buffer::new("c", 0, 2, 2),
                Buffer::new("d", 0, 2, 2),
            ],
            capacity: 10,
        };
        assert_eq!(placed(&p, &[0, 0, 2, 4]), Ok(()));
        assert_eq!(placed(&p, &[0, 0, 2, 0]), overlap("a", "d"), "identical intervals");
        assert_eq!(placed(&p, &[0, 0, 2, 1]), overlap("a", "d"));
        assert_eq!(placed(&p, &[0, 0, 2, 3]), overlap("c", "d"));
        // Several buffers starting and ending at the same times.
        let p = Problem {
            buffers: (0..6).map(|i| Buffer::new(format!("{i}"), i / 2 * 3, i / 2 * 3 + 3, 1)).collect(),
            capacity: 10,
        };
        assert_eq!(placed(&p, &[0, 1, 1, 0, 0, 1]), Ok(()));
        assert_eq!(placed(&p, &[0, 1, 1, 1, 0, 1]), overlap("2", "3"));
    }

    #[test]
    fn reports_the_lexicographically_first_pair() {
        // `1` and `2` conflict first in time, `0` and `3` later: the pair
        // reported is the first by index, as trying all pairs would find it.
        let p = Problem {
            buffers: vec![
                Buffer::new("0", 5, 6, 2),
                Buffer::new("1", 0, 1, 2),
                Buffer::new("2", 0, 1, 2),
                Buffer::new("3", 5, 6, 2),
                Buffer::new("4", 0, 9, 1),
            ],
            capacity: 10,
        };
        assert_eq!(placed(&p, &[0, 0, 1, 1, 4]), overlap("0", "3"));
        assert_eq!(placed(&p, &[0, 0, 1, 2, 4]), overlap("1", "2"));
        assert_eq!(placed(&p, &[0, 0, 1, 2, 3]), overlap("1", "2"));
        assert_eq!(placed(&p, &[0, 0, 2, 2, 0]), overlap("0", "4"));
        assert_eq!(placed(&p, &[0, 0, 2, 2, 1]), overlap("0", "4"));
        assert_eq!(placed(&p, &[2, 0, 3, 0, 4]), overlap("2", "4"));
    }

    #[test]
    fn windows_and_gaps() {
        // `a` uses only `[0, 1)` of its space while `b` lives: `b` fits above
        // that, not on it.
        let mut a = Buffer::new("a", 0, 4, 4);
        a.gaps.push(gap(1, 3, Some((0, 1))));
        let p = Problem { buffers: vec![a.clone(), Buffer::new("b", 1, 3, 3)], capacity: 10 };
        assert_eq!(placed(&p, &[0, 1]), Ok(()));
        assert_eq!(placed(&p, &[0, 0]), overlap("a", "b"));
        // `b` lives on both sides of `a`'s gap: it meets `a`'s full size.
        let p = Problem { buffers: vec![a, Buffer::new("b", 1, 4, 3)], capacity: 10 };
        assert_eq!(placed(&p, &[0, 1]), overlap("a", "b"));
        // `c`'s window moves from below `d` to above it, across a gap where
        // `c` uses no memory at all: never the same address at the same time,
        // but `c` must stay on one side of `d`.
        let mut c = Buffer::new("c", 0, 3, 4);
        c.gaps = vec![gap(0, 1, Some((0, 1))), gap(1, 2, None), gap(2, 3, Some((3, 4)))];
        let p = Problem { buffers: vec![c, Buffer::new("d", 0, 3, 1)], capacity: 10 };
        assert_eq!(placed(&p, &[0, 2]), overlap("c", "d"));
        let mut e = p.clone();
        e.buffers[1].lifespan = Interval::new(1, 3);
        assert_eq!(placed(&e, &[0, 2]), Ok(()), "`d` meets only the upper window");
        // A zero-width window at address 2 separates like a point.
        let mut f = Buffer::new("f", 0, 4, 4);
        f.gaps.push(gap(1, 3, Some((2, 2))));
        let p =
            Problem { buffers: vec![f, Buffer::new("g", 1, 3, 2), Buffer::new("h", 1, 3, 2)], capacity: 10 };
        assert_eq!(placed(&p, &[0, 0, 2]), Ok(()), "both touch the point");
        assert_eq!(placed(&p, &[0, 1, 3]), overlap("f", "g"), "the point inside `g`");
    }

    #[test]
    fn huge_offsets_do_not_overflow() {
        let top = i64::MAX;
        let mut a = Buffer::new("a", 0, 4, top);
        a.gaps.push(gap(1, 3, Some((0, 2))));
        let p = Problem {
            buffers: vec![
                a,
                Buffer::new("b", 1, 3, 4),
                Buffer::new("c", 1, 3, 4),
                Buffer::new("d", 4, 5, top),
            ],
            capacity: top,
        };
        assert_eq!(placed(&p, &[0, top - 8, top - 4, 0]), Ok(()));
        assert_eq!(placed(&p, &[0, top - 7, top - 4, 0]), overlap("b", "c"));
        assert_eq!(placed(&p, &[0, 0, top - 4, 0]), overlap("a", "b"));
    }

    /// Random small problems, well formed or not (empty lifespans, sizes of
    /// zero or below, gaps out of order or outside the lifespan, empty or
    /// reversed windows) and random offsets: the sweep names the same pair
    /// as trying all pairs.
    #[test]
    fn sweep_agrees_with_all_pairs() {
        let mut rng = crate::generate::Rng::new(7);
        let mut conflicts = 0;
        for round in 0..4000 {
            let n = rng.range(1, if round % 4 == 0 { 60 } else { 12 }) as usize;
            let horizon = rng.range(1, 12);
            let buffers: Vec<Buffer> = (0..n)
                .map(|i| {
                    let lower = rng.range(0, horizon);
                    let upper = if rng.unit() < 0.05 { lower } else { rng.range(lower + 1, horizon + 2) };
                    let size = if rng.unit() < 0.05 { rng.range(-2, 1) } else { rng.range(1, 6) };
                    let mut b = Buffer::new(format!("b{i}"), lower, upper, size);
                    let ordered = rng.unit() < 0.8;
                    let mut t = lower;
                    for _ in 0..rng.range(0, 4) {
                        let (l, u) = if ordered {
                            let l = rng.range(t, upper + 1);
                            (l, rng.range(l + 1, upper + 1).max(l + 1))
                        } else {
                            let l = rng.range(lower - 2, upper + 2);
                            (l, rng.range(l - 1, upper + 3))
                        };
                        if ordered && u > upper {
                            break;
                        }
                        t = u;
                        let window = (rng.unit() < 0.6).then(|| {
                            let (p, q) = (rng.range(-1, size + 2), rng.range(-1, size + 2));
                            if rng.unit() < 0.9 {
                                (p.min(q).clamp(0, size.max(0)), p.max(q).clamp(0, size.max(0)))
                            } else {
                                (p, q)
                            }
                        });
                        b.gaps.push(gap(l, u, window));
                    }
                    b
                })
                .collect();
            let p = Problem { buffers, capacity: 0 };
            let spread = rng.range(1, 12);
            let base = if round % 7 == 0 { i64::MAX - 20 } else { 0 };
            let offsets: Vec<Offset> = (0..n).map(|_| base + rng.range(0, spread)).collect();
            let expected = first_overlap_by_all_pairs(&p, &offsets);
            conflicts += usize::from(expected.is_some());
            assert_eq!(first_overlap(&p, &offsets), expected, "{p:?} at {offsets:?}");
        }
        assert!(conflicts > 1000 && conflicts < 3500, "{conflicts} of 4000 rounds conflict");
    }
}

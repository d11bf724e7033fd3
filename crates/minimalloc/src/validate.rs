//! The validator: does a solution keep every rule, and if not, which one does
//! it break first?
//!
//! The rules are checked in the reference's order, so [`Violation::code`]
//! gives the same [`ValidationResult`] as the C++ validator: the number of
//! offsets, then per buffer (in order) its fixed offset, its bounds
//! (`0 <= offset`, `offset + size <= capacity`), the height, its alignment,
//! then the height as a whole, and finally overlaps between buffers (by the
//! [effective size](crate::Buffer::effective_size) rule). Overlaps are found
//! by a sweep over time, in O(n log n + pairs live at the same time), rather
//! than by trying all pairs.

use std::fmt;

use crate::problem::{Offset, Problem, Solution};

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
    // Sweep over time: each buffer is compared with those still live when it
    // starts.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by_key(|&i| (problem.buffers[i].lifespan.lower, i));
    let mut live: Vec<usize> = Vec::new();
    let mut first_overlap: Option<(usize, usize)> = None;
    for &j in &order {
        let bj = &problem.buffers[j];
        live.retain(|&i| problem.buffers[i].lifespan.upper > bj.lifespan.lower);
        for &i in &live {
            let bi = &problem.buffers[i];
            let (oi, oj) = (solution.offsets[i] as i128, solution.offsets[j] as i128);
            let separated = |a: &crate::Buffer, oa: i128, b: &crate::Buffer, ob: i128| {
                a.effective_size(b).is_none_or(|es| oa + es as i128 <= ob)
            };
            if separated(bi, oi, bj, oj) || separated(bj, oj, bi, oi) {
                continue;
            }
            let pair = (i.min(j), i.max(j));
            if first_overlap.is_none_or(|best| pair < best) {
                first_overlap = Some(pair);
            }
        }
        live.push(j);
    }
    match first_overlap {
        Some((i, j)) => Err(Violation::Overlap {
            first: problem.buffers[i].id.clone(),
            second: problem.buffers[j].id.clone(),
        }),
        None => Ok(()),
    }
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
}

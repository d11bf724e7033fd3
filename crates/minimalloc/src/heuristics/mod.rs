//! Fast placement heuristics, as used by production ML compilers.
//!
//! Where the exact [search](crate::search) proves optimality, these place
//! each buffer once and never backtrack: they give a good solution to
//! problems of millions of buffers in seconds, a baseline to compare the
//! search with, and a quick upper bound on the height. They ignore
//! [`Problem::capacity`] and minimize the height, as the compilers do; the
//! caller compares the resulting [`Solution::height`] with the capacity.
//!
//! Every heuristic shares one placement core: buffers with a fixed offset
//! are placed first, at that offset; then the others, one at a time in the
//! heuristic's order, each at an offset its already placed time neighbours
//! leave free (by the [effective size](crate::Buffer::effective_size) rule,
//! so gaps and windows are honoured), aligned. The candidates are the *free
//! runs*: maximal ranges of offsets between those forbidden by neighbours.
//!
//! - **Best fit** takes the shortest free run below the neighbours' top that
//!   holds an aligned offset, at its lowest aligned offset (the lowest run on
//!   ties); when none does, the lowest aligned offset above all neighbours.
//! - **First fit** takes the lowest aligned offset of any free run.
//!
//! The heuristics ([`Heuristic`]):
//!
//! - [`GreedySize`](Heuristic::GreedySize): TensorFlow Lite's *greedy by
//!   size* (`greedy_by_size_assignment.cc`, also its arena planner): largest
//!   buffer first (ties: longer lifespan, then index), best fit.
//! - [`XlaSpatial`](Heuristic::XlaSpatial) and
//!   [`XlaTemporal`](Heuristic::XlaTemporal): XLA's
//!   `GlobalDecreasingSizeBestFitHeap` (`heap_simulator.cc`), best fit, with
//!   its spatial order (largest first, ties: longer lifespan, index; the same
//!   placement as greedy by size) or its temporal order (longest lifespan
//!   first, ties: larger size, index). [`Xla`](Heuristic::Xla) runs both and
//!   keeps the lower height (the spatial one on ties), as XLA's buffer
//!   assignment does.
//! - [`GreedyConflicts`](Heuristic::GreedyConflicts): TVM's unified static
//!   memory planner, `greedy_by_conflicts` (`usmp/algo/greedy.cc`): buffers
//!   that conflict with the most others first (ties: larger size, index),
//!   first fit.
//! - [`FirstFit`](Heuristic::FirstFit): what an online planner does: by start
//!   time (ties: index), first fit.
//!
//! # Complexity
//!
//! Time is compressed to the lifespan endpoints and indexed by a segment tree
//! of arity 8. The memory used by placed gap-free buffers is kept there as
//! merged interval lists: per node, the buffers stored at it and the union
//! over its subtree. To place a buffer, the core reads the O(log n) lists
//! that cover its lifespan, which together hold at most its `k` placed time
//! neighbours (fewer where neighbours touch and merge), merges them shortest
//! first into the free runs, and adds its own interval to O(log n) lists.
//! A run takes O(n log n + Σ k log L) time, `L` being the number of lists
//! read (about 8 for a short lifespan), and O(n log n) memory: pairs of
//! neighbours are never stored, so a million buffers with thousands of
//! neighbours each take seconds and well under a gigabyte. Orders are radix
//! sorted. A pair where a buffer has gaps is computed by its effective sizes,
//! one pair at a time (O(k log k) for such a buffer).
//!
//! The deadline and the cancel flag are checked about every thousand buffers
//! placed, and more often when buffers have many neighbours (every 65,536
//! intervals read), so a run stops within milliseconds.
//!
//! # Example
//!
//! ```
//! use minimalloc::heuristics::{place, Heuristic, Limits};
//! use minimalloc::{validate, Buffer, Problem};
//!
//! let mut problem = Problem {
//!     buffers: vec![Buffer::new("a", 0, 2, 4), Buffer::new("b", 1, 3, 2), Buffer::new("c", 2, 4, 4)],
//!     capacity: 0,
//! };
//! let solution = place(&problem, Heuristic::GreedySize, &Limits::default())?;
//! assert_eq!(solution.offsets, vec![0, 4, 0]);
//! assert_eq!(solution.height, 6);
//! problem.capacity = solution.height;
//! assert!(validate::validate(&problem, &solution).is_ok());
//! # Ok::<(), minimalloc::heuristics::HeuristicError>(())
//! ```

mod orders;
mod place;
mod sort;
#[cfg(test)]
mod tests;
mod tree;

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::problem::{ModelError, Problem, Solution};
use place::{Fit, Prepared, Watch};

/// A placement heuristic (see the [module documentation](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Heuristic {
    /// TensorFlow Lite's greedy by size: largest first, best fit.
    GreedySize,
    /// XLA's best-fit heap, spatial order (largest first).
    XlaSpatial,
    /// XLA's best-fit heap, temporal order (longest lifespan first).
    XlaTemporal,
    /// The lower of [`XlaSpatial`](Heuristic::XlaSpatial) and
    /// [`XlaTemporal`](Heuristic::XlaTemporal).
    Xla,
    /// TVM's greedy by conflicts: most conflicting first, first fit.
    GreedyConflicts,
    /// By start time, first fit.
    FirstFit,
}

impl Heuristic {
    /// Every heuristic, in declaration order.
    pub const ALL: [Heuristic; 6] = [
        Heuristic::GreedySize,
        Heuristic::XlaSpatial,
        Heuristic::XlaTemporal,
        Heuristic::Xla,
        Heuristic::GreedyConflicts,
        Heuristic::FirstFit,
    ];

    /// The heuristic's name on the command line: `greedy-size`,
    /// `xla-spatial`, `xla-temporal`, `xla`, `greedy-conflicts`, `first-fit`.
    pub fn name(self) -> &'static str {
        match self {
            Heuristic::GreedySize => "greedy-size",
            Heuristic::XlaSpatial => "xla-spatial",
            Heuristic::XlaTemporal => "xla-temporal",
            Heuristic::Xla => "xla",
            Heuristic::GreedyConflicts => "greedy-conflicts",
            Heuristic::FirstFit => "first-fit",
        }
    }

    /// The heuristic called `name` (as given by [`Heuristic::name`]).
    pub fn from_name(name: &str) -> Option<Heuristic> {
        Heuristic::ALL.into_iter().find(|h| h.name() == name)
    }
}

impl fmt::Display for Heuristic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a [`Heuristic`]'s.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown heuristic {name:?} (valid: greedy-size, xla-spatial, xla-temporal, xla, greedy-conflicts, first-fit)")]
pub struct UnknownHeuristic {
    /// The name given.
    pub name: String,
}

impl FromStr for Heuristic {
    type Err = UnknownHeuristic;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Heuristic::from_name(name).ok_or_else(|| UnknownHeuristic { name: name.to_string() })
    }
}

/// When to give up: a deadline, a flag another thread may raise, or both
/// (the default: neither). They are checked about every thousand buffers, and
/// more often when buffers have many neighbours, so a run stops within
/// milliseconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits<'a> {
    /// Stop with [`HeuristicError::Timeout`] once this instant has passed.
    pub deadline: Option<Instant>,
    /// Stop with [`HeuristicError::Cancelled`] once this flag is set.
    pub cancel: Option<&'a AtomicBool>,
}

/// Why [`place()`] gave no solution.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum HeuristicError {
    /// The deadline passed.
    #[error("the time limit was reached before every buffer was placed")]
    Timeout,
    /// The cancel flag was raised.
    #[error("the placement was cancelled")]
    Cancelled,
    /// Two buffers with fixed offsets overlap in time and memory.
    #[error("buffers {first:?} and {second:?} have fixed offsets that overlap in time and memory")]
    FixedConflict {
        /// The earlier buffer (by index).
        first: String,
        /// The later buffer.
        second: String,
    },
    /// A fixed offset is not a multiple of the buffer's alignment.
    #[error("buffer {id:?}: its fixed offset is not a multiple of its alignment")]
    MisalignedFixed {
        /// The buffer.
        id: String,
    },
    /// A buffer would end beyond the largest 64-bit offset (or is one of more
    /// than [`MAX_BUFFERS`]).
    #[error("buffer {id:?}: no free offset leaves room for it below 2^63 (or too many buffers)")]
    Overflow {
        /// The buffer.
        id: String,
    },
    /// The problem is not well formed (see [`Problem::check`]).
    #[error("invalid problem: {0}")]
    InvalidProblem(#[from] ModelError),
}

/// The most buffers a problem may have (2^28, far beyond memory in practice):
/// the heuristics index buffers and time slots with 32 bits.
pub const MAX_BUFFERS: usize = 1 << 28;

/// Places every buffer of `problem` by `heuristic`, ignoring the capacity.
///
/// The solution keeps every fixed offset and alignment, never overlaps two
/// buffers, and carries its exact height (which may exceed the capacity).
/// Fails if the problem is malformed, fixed buffers conflict or are
/// misaligned, an offset would not fit in 64 bits, or `limits` stop the run.
pub fn place(problem: &Problem, heuristic: Heuristic, limits: &Limits) -> Result<Solution, HeuristicError> {
    problem.check()?;
    let mut watch = Watch::new(limits);
    watch.check()?;
    if problem.buffers.is_empty() {
        return Ok(Solution::default());
    }
    if let Some(buffer) = problem.buffers.get(MAX_BUFFERS) {
        return Err(HeuristicError::Overflow { id: buffer.id.clone() });
    }
    let prepared = Prepared::new(problem, &mut watch)?;
    match heuristic {
        Heuristic::GreedySize | Heuristic::XlaSpatial => {
            prepared.run(&orders::by_size(problem, &mut watch)?, Fit::Best, &mut watch)
        }
        Heuristic::XlaTemporal => {
            prepared.run(&orders::by_length(problem, &mut watch)?, Fit::Best, &mut watch)
        }
        Heuristic::Xla => {
            let spatial = prepared.run(&orders::by_size(problem, &mut watch)?, Fit::Best, &mut watch);
            if matches!(spatial, Err(HeuristicError::Timeout | HeuristicError::Cancelled)) {
                return spatial;
            }
            let temporal = orders::by_length(problem, &mut watch)
                .and_then(|order| prepared.run(&order, Fit::Best, &mut watch));
            match (spatial, temporal) {
                (Ok(s), Ok(t)) => Ok(if t.height < s.height { t } else { s }),
                (_, Err(e @ (HeuristicError::Timeout | HeuristicError::Cancelled))) => Err(e),
                (Ok(s), Err(_)) => Ok(s),
                (Err(_), Ok(t)) => Ok(t),
                (Err(e), Err(_)) => Err(e),
            }
        }
        Heuristic::GreedyConflicts => {
            let conflicts = prepared.conflict_counts(&mut watch)?;
            prepared.run(&orders::by_conflicts(problem, &conflicts, &mut watch)?, Fit::First, &mut watch)
        }
        Heuristic::FirstFit => prepared.run(&orders::by_start(problem, &mut watch)?, Fit::First, &mut watch),
    }
}

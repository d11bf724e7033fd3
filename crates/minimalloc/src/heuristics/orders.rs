//! The orders in which the heuristics place the buffers without a fixed
//! offset. Every order ends its ties with the buffer index, so it is total and
//! the results are deterministic. Orders are built by stable radix sorts,
//! least significant criterion first.

use super::place::Watch;
use super::sort::{ordered, sort_by};
use super::HeuristicError;
use crate::problem::{Buffer, Problem};

type Order = Result<Vec<u32>, HeuristicError>;

fn free(problem: &Problem) -> Vec<u32> {
    (0..problem.buffers.len() as u32).filter(|&i| problem.buffers[i as usize].offset.is_none()).collect()
}

/// The lifespan's length (below 2^64).
fn length(b: &Buffer) -> u64 {
    (b.lifespan.upper as i128 - b.lifespan.lower as i128) as u64
}

/// Largest first; ties: longer lifespan, then index (TFLite's greedy by size,
/// XLA's spatial order).
pub(super) fn by_size(problem: &Problem, watch: &mut Watch) -> Order {
    let b = &problem.buffers;
    let mut order = free(problem);
    sort_by(&mut order, |i| length(&b[i]), true, watch)?;
    sort_by(&mut order, |i| b[i].size as u64, true, watch)?;
    Ok(order)
}

/// Longest lifespan first; ties: larger size, then index (XLA's temporal
/// order).
pub(super) fn by_length(problem: &Problem, watch: &mut Watch) -> Order {
    let b = &problem.buffers;
    let mut order = free(problem);
    sort_by(&mut order, |i| b[i].size as u64, true, watch)?;
    sort_by(&mut order, |i| length(&b[i]), true, watch)?;
    Ok(order)
}

/// Most conflicts first; ties: larger size, then index (TVM's greedy by
/// conflicts). `conflicts[i]` is the number of buffers `i` conflicts with.
pub(super) fn by_conflicts(problem: &Problem, conflicts: &[u64], watch: &mut Watch) -> Order {
    let b = &problem.buffers;
    let mut order = free(problem);
    sort_by(&mut order, |i| b[i].size as u64, true, watch)?;
    sort_by(&mut order, |i| conflicts[i], true, watch)?;
    Ok(order)
}

/// Earliest start first; ties: index (an online planner's order).
pub(super) fn by_start(problem: &Problem, watch: &mut Watch) -> Order {
    let b = &problem.buffers;
    let mut order = free(problem);
    sort_by(&mut order, |i| ordered(b[i].lifespan.lower), false, watch)?;
    Ok(order)
}

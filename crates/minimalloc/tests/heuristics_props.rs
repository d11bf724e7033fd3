//! Property tests of the placement heuristics: on small random problems with
//! gaps, windows, alignments and a fixed offset, every heuristic returns a
//! solution the validator accepts, keeps the fixed offset, never goes below
//! the lower bound, and is deterministic; first fit never leaves a lower
//! aligned offset that was free when its buffer was placed.

use minimalloc::heuristics::{place, Heuristic, Limits};
use minimalloc::validate::validate;
use minimalloc::{Buffer, Gap, Interval, Problem};
use proptest::prelude::*;

/// Every lifespan lies within `0..HORIZON`.
const HORIZON: i64 = 12;

/// Raw material for a buffer: start, length, size, alignment, and gaps as
/// (start, length, window bounds, has window), reduced to fit below.
type RawBuffer = (i64, i64, i64, i64, Vec<(i64, i64, i64, i64, bool)>);

fn raw_buffer() -> impl Strategy<Value = RawBuffer> {
    (
        0..HORIZON - 1,
        1..HORIZON,
        1..7i64,
        prop::sample::select(vec![1i64, 1, 2, 4, 8]),
        prop::collection::vec((0..HORIZON, 1..HORIZON, 0..7i64, 0..7i64, any::<bool>()), 0..3),
    )
}

fn build(index: usize, (lower, length, size, alignment, raw_gaps): RawBuffer) -> Buffer {
    let upper = (lower + length).min(HORIZON);
    let mut buffer = Buffer::new(format!("b{index}"), lower, upper, size);
    buffer.alignment = alignment;
    // Gaps in order, each non-empty, inside the lifespan, after the last.
    let mut at = lower;
    for (start, len, a, b, windowed) in raw_gaps {
        let gap_lower = at + start % (upper - at).max(1);
        let gap_upper = (gap_lower + len).min(upper);
        if gap_lower >= gap_upper {
            continue;
        }
        let (a, b) = (a % (size + 1), b % (size + 1));
        let window = windowed.then(|| Interval::new(a.min(b), a.max(b)));
        buffer.gaps.push(Gap { lifespan: Interval::new(gap_lower, gap_upper), window });
        at = gap_upper;
        if at >= upper {
            break;
        }
    }
    buffer
}

/// Up to 8 buffers; at most one with a fixed (aligned) offset, so fixed
/// offsets never conflict.
fn problem() -> impl Strategy<Value = Problem> {
    (prop::collection::vec(raw_buffer(), 1..=8), any::<prop::sample::Index>(), 0..20i64, any::<bool>())
        .prop_map(|(raws, which, offset, fixed)| {
            let mut buffers: Vec<Buffer> = raws.into_iter().enumerate().map(|(i, r)| build(i, r)).collect();
            if fixed {
                let k = which.index(buffers.len());
                buffers[k].offset = Some(offset / buffers[k].alignment * buffers[k].alignment);
            }
            Problem { buffers, capacity: 0 }
        })
}

/// Whether `x` at `ox` and `p` at `op` may coexist (the effective-size rule).
fn compatible(x: &Buffer, ox: i64, p: &Buffer, op: i64) -> bool {
    p.effective_size(x).is_none_or(|es| op as i128 + es as i128 <= ox as i128)
        || x.effective_size(p).is_none_or(|es| ox as i128 + es as i128 <= op as i128)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn heuristics_give_valid_solutions(problem in problem()) {
        prop_assert!(problem.check().is_ok(), "generator made a malformed problem");
        for heuristic in Heuristic::ALL {
            let solution = place(&problem, heuristic, &Limits::default())
                .map_err(|e| TestCaseError::fail(format!("{heuristic}: {e}")))?;
            let mut bounded = problem.clone();
            bounded.capacity = solution.height;
            prop_assert_eq!(validate(&bounded, &solution), Ok(()), "{}", heuristic);
            prop_assert!(solution.height >= problem.lower_bound(), "{} below the lower bound", heuristic);
            for (buffer, &offset) in problem.buffers.iter().zip(&solution.offsets) {
                if let Some(fixed) = buffer.offset {
                    prop_assert_eq!(offset, fixed);
                }
            }
            let again = place(&problem, heuristic, &Limits::default()).unwrap();
            prop_assert_eq!(&again, &solution, "{} is not deterministic", heuristic);
        }
    }

    #[test]
    fn heuristics_first_fit_takes_the_lowest_free_offset(problem in problem()) {
        let solution = place(&problem, Heuristic::FirstFit, &Limits::default()).unwrap();
        let b = &problem.buffers;
        // Fixed buffers first, then by start time, ties by index.
        let mut order: Vec<usize> = (0..b.len()).collect();
        order.sort_by_key(|&i| (b[i].offset.is_none(), b[i].lifespan.lower, i));
        for (k, &i) in order.iter().enumerate() {
            if b[i].offset.is_some() {
                continue;
            }
            let before = &order[..k];
            let mut lower = 0;
            while lower < solution.offsets[i] {
                let free = before.iter().all(|&j| compatible(&b[i], lower, &b[j], solution.offsets[j]));
                prop_assert!(!free, "{} could go at {} below {}", b[i].id, lower, solution.offsets[i]);
                lower += b[i].alignment;
            }
        }
    }
}

//! Property tests: the solver against an exhaustive search, the validator
//! against independent checkers (the effective-size rule and literal
//! per-time-step memory occupancy), and sanity of the sweep.
//!
//! Problems are small (1 to 6 buffers, times in `0..8`, sizes in `1..5`,
//! capacities in `0..12`) so that a brute-force search over every offset is
//! cheap.

use std::collections::HashSet;

use minimalloc::search::{SearchMode, SolveError, Solver, SolverParams};
use minimalloc::sweep::sweep;
use minimalloc::validate::{validate, validation_result, ValidationResult};
use minimalloc::{Buffer, Gap, Interval, Offset, Problem, Solution, Window};
use proptest::prelude::*;

/// Every lifespan lies within `0..HORIZON`.
const HORIZON: i64 = 8;

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

/// Raw material for one gap: two time points and a window (each reduced
/// modulo the lifespan and size of its buffer), and whether it has a window.
type RawGap = (i64, i64, bool, i64, i64);

/// Raw material for one buffer.
#[derive(Clone, Debug)]
struct RawBuffer {
    lower: i64,
    extra: i64,
    size: i64,
    alignment: i64,
    gaps: Vec<RawGap>,
    offset: Option<i64>,
}

fn raw_buffer() -> impl Strategy<Value = RawBuffer> {
    let gaps = prop_oneof![
        3 => Just(Vec::new()),
        2 => prop::collection::vec((0..HORIZON, 0..HORIZON, any::<bool>(), 0..5i64, 0..5i64), 1..=2),
    ];
    (
        0..HORIZON,
        0..HORIZON,
        1..5i64,
        prop_oneof![3 => Just(1i64), 1 => Just(2i64)],
        gaps,
        prop::option::weighted(0.15, 0..6i64),
    )
        .prop_map(|(lower, extra, size, alignment, gaps, offset)| RawBuffer {
            lower,
            extra,
            size,
            alignment,
            gaps,
            offset,
        })
}

/// Where gaps may lie within their buffer's lifespan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GapPlacement {
    /// `lower < gap.lower` and `gap.upper < upper`.
    StrictlyInside,
    /// Anywhere `Problem::check` accepts: a gap may touch either end of the
    /// lifespan, or cover all of it.
    TouchingEnds,
}

fn build_buffer(i: usize, raw: &RawBuffer, placement: GapPlacement) -> Buffer {
    let lower = raw.lower;
    let upper = lower + 1 + raw.extra % (HORIZON - lower);
    let mut buffer = Buffer::new(format!("b{i}"), lower, upper, raw.size);
    buffer.alignment = raw.alignment;
    buffer.offset = raw.offset;
    // The time points a gap may start or end at.
    let (lo, hi) = match placement {
        GapPlacement::StrictlyInside => (lower + 1, upper - 1),
        GapPlacement::TouchingEnds => (lower, upper),
    };
    let mut gaps: Vec<Gap> = Vec::new();
    if lo < hi {
        let span = hi - lo + 1;
        let mut candidates: Vec<Gap> = raw
            .gaps
            .iter()
            .map(|&(x, y, windowed, a, b)| {
                let (x, y) = (lo + x % span, lo + y % span);
                let (a, b) = (a % (raw.size + 1), b % (raw.size + 1));
                Gap {
                    lifespan: Interval::new(x.min(y), x.max(y)),
                    window: windowed.then(|| Window::new(a.min(b), a.max(b))),
                }
            })
            .filter(|g| !g.lifespan.is_empty())
            .collect();
        candidates.sort_by_key(|g| (g.lifespan.lower, g.lifespan.upper));
        for gap in candidates {
            if gaps.last().is_none_or(|last| last.lifespan.upper <= gap.lifespan.lower) {
                gaps.push(gap);
            }
        }
    }
    buffer.gaps = gaps;
    buffer
}

fn build_problem(raws: &[RawBuffer], capacity: i64, placement: GapPlacement) -> Problem {
    Problem {
        buffers: raws.iter().enumerate().map(|(i, raw)| build_buffer(i, raw, placement)).collect(),
        capacity,
    }
}

fn problem_with(placement: GapPlacement) -> impl Strategy<Value = Problem> {
    (prop::collection::vec(raw_buffer(), 1..=6), 0..12i64)
        .prop_map(move |(raws, capacity)| build_problem(&raws, capacity, placement))
}

/// Like [`problem_with`], with every gap window removed.
fn windowless_problem_with(placement: GapPlacement) -> impl Strategy<Value = Problem> {
    problem_with(placement).prop_map(|mut p| {
        for gap in p.buffers.iter_mut().flat_map(|b| b.gaps.iter_mut()) {
            gap.window = None;
        }
        p
    })
}

/// Small problems whose gaps lie strictly inside their lifespans (with or
/// without windows).
fn problem() -> impl Strategy<Value = Problem> {
    problem_with(GapPlacement::StrictlyInside)
}

/// Small problems whose gaps lie strictly inside their lifespans and have no
/// window.
fn windowless_problem() -> impl Strategy<Value = Problem> {
    windowless_problem_with(GapPlacement::StrictlyInside)
}

/// Like [`problem_with`], with no gaps and no fixed offsets: the problems
/// the fast search handles itself (alignments 1 and 2 remain).
fn plain_problem() -> impl Strategy<Value = Problem> {
    problem_with(GapPlacement::StrictlyInside).prop_map(|mut p| {
        for b in &mut p.buffers {
            b.gaps.clear();
            b.offset = None;
        }
        p
    })
}

/// Plain problems (see [`plain_problem`]) of 6 to 14 buffers over a longer
/// horizon: too many for brute force, few enough for both searches to
/// finish at once.
fn medium_plain_problem() -> impl Strategy<Value = Problem> {
    (
        prop::collection::vec(
            (0..16i64, 1..10i64, 1..6i64, prop_oneof![3 => Just(1i64), 1 => Just(2i64)]),
            6..=14,
        ),
        4..20i64,
    )
        .prop_map(|(raws, capacity)| Problem {
            buffers: raws
                .iter()
                .enumerate()
                .map(|(i, &(lower, length, size, alignment))| {
                    let mut b = Buffer::new(format!("b{i}"), lower, lower + length, size);
                    b.alignment = alignment;
                    b
                })
                .collect(),
            capacity,
        })
}

// ---------------------------------------------------------------------------
// Brute force under the effective-size rule (the contract)
// ---------------------------------------------------------------------------

/// `es[i][j]` is `buffers[i].effective_size(&buffers[j])`.
fn effective_sizes(p: &Problem) -> Vec<Vec<Option<i64>>> {
    p.buffers.iter().map(|a| p.buffers.iter().map(|b| a.effective_size(b)).collect()).collect()
}

/// Whether buffers `i` (at `oi`) and `j` (at `oj`) are kept apart by the
/// effective-size rule: one of them lies entirely "below" the other.
fn separated(es: &[Vec<Option<i64>>], i: usize, oi: i64, j: usize, oj: i64) -> bool {
    es[i][j].is_none_or(|e| oi + e <= oj) || es[j][i].is_none_or(|e| oj + e <= oi)
}

/// Finds offsets for every buffer within `capacity` by trying every aligned
/// offset (or only the fixed one) for each buffer in index order.
fn brute_force(p: &Problem, capacity: i64) -> Option<Vec<Offset>> {
    let es = effective_sizes(p);
    let candidates: Vec<Vec<Offset>> = p
        .buffers
        .iter()
        .map(|b| match b.offset {
            Some(f) => (f % b.alignment == 0 && f + b.size <= capacity).then_some(f).into_iter().collect(),
            None => (0..=capacity - b.size).filter(|o| o % b.alignment == 0).collect(),
        })
        .collect();
    fn go(es: &[Vec<Option<i64>>], candidates: &[Vec<Offset>], offsets: &mut Vec<Offset>) -> bool {
        let i = offsets.len();
        if i == candidates.len() {
            return true;
        }
        for &o in &candidates[i] {
            if (0..i).all(|j| separated(es, j, offsets[j], i, o)) {
                offsets.push(o);
                if go(es, candidates, offsets) {
                    return true;
                }
                offsets.pop();
            }
        }
        false
    }
    let mut offsets = Vec::with_capacity(p.buffers.len());
    go(&es, &candidates, &mut offsets).then_some(offsets)
}

/// The lowest capacity up to `limit` at which brute force finds a solution.
fn brute_force_min_height(p: &Problem, limit: i64) -> Option<i64> {
    (0..=limit).find(|&c| brute_force(p, c).is_some())
}

// ---------------------------------------------------------------------------
// Independent checkers for the validator
// ---------------------------------------------------------------------------

/// The window a buffer occupies at integer time `t` (relative to its offset):
/// `None` when it is not live or in a gap without a window. The window may be
/// empty (a zero-width gap window).
fn window_at(b: &Buffer, t: i64) -> Option<Window> {
    if t < b.lifespan.lower || t >= b.lifespan.upper {
        return None;
    }
    match b.gaps.iter().find(|g| g.lifespan.lower <= t && t < g.lifespan.upper) {
        Some(gap) => gap.window,
        None => Some(Window::new(0, b.size)),
    }
}

/// The integer times at which both buffers are present, with their windows.
fn common_windows(a: &Buffer, b: &Buffer) -> Vec<(Window, Window)> {
    (0..HORIZON).filter_map(|t| Some((window_at(a, t)?, window_at(b, t)?))).collect()
}

/// `effective_size` recomputed literally, one time step at a time: the largest
/// `window(a).upper - window(b).lower` over the times both are present.
fn literal_effective_size(a: &Buffer, b: &Buffer) -> Option<i64> {
    common_windows(a, b).into_iter().map(|(wa, wb)| wa.upper - wb.lower).max()
}

/// One buffer lies below the other at every time step where both are present
/// (always the same one). This is the effective-size rule restated per time.
fn pair_consistently_ordered(a: &Buffer, oa: i64, b: &Buffer, ob: i64) -> bool {
    let common = common_windows(a, b);
    common.iter().all(|(wa, wb)| oa + wa.upper <= ob + wb.lower)
        || common.iter().all(|(wa, wb)| ob + wb.upper <= oa + wa.lower)
}

/// The two buffers never occupy the same address at the same time step.
fn pair_occupancy_disjoint(a: &Buffer, oa: i64, b: &Buffer, ob: i64) -> bool {
    // Address ranges `[oa + wa.lower, oa + wa.upper)` and likewise for `b`;
    // an empty range holds no address (`Interval::intersects` is not used:
    // it calls an empty interval inside another intersecting).
    common_windows(a, b).iter().all(|(wa, wb)| {
        wa.is_empty() || wb.is_empty() || oa + wa.upper <= ob + wb.lower || ob + wb.upper <= oa + wa.lower
    })
}

/// Marks, at every time step, every address each present buffer occupies;
/// `false` if some address is marked twice.
fn occupancy_disjoint(p: &Problem, offsets: &[Offset]) -> bool {
    (0..HORIZON).all(|t| {
        let mut marked = HashSet::new();
        p.buffers.iter().zip(offsets).all(|(b, &o)| match window_at(b, t) {
            None => true,
            Some(w) => (o + w.lower..o + w.upper).all(|address| marked.insert(address)),
        })
    })
}

/// The first rule broken, in the order the validator documents, with
/// overlaps judged over all pairs by the effective-size rule.
fn expected_result(p: &Problem, s: &Solution) -> ValidationResult {
    if s.offsets.len() != p.buffers.len() {
        return ValidationResult::BadSolution;
    }
    for (b, &o) in p.buffers.iter().zip(&s.offsets) {
        if b.offset.is_some_and(|f| f != o) {
            return ValidationResult::BadFixed;
        }
        if o < 0 || o + b.size > p.capacity {
            return ValidationResult::BadOffset;
        }
        if o + b.size > s.height {
            return ValidationResult::BadHeight;
        }
        if o % b.alignment != 0 {
            return ValidationResult::BadAlignment;
        }
    }
    let top = p.buffers.iter().zip(&s.offsets).map(|(b, &o)| o + b.size).max().unwrap_or(0);
    if top != s.height {
        return ValidationResult::BadHeight;
    }
    let es = effective_sizes(p);
    let n = p.buffers.len();
    for i in 0..n {
        for j in i + 1..n {
            if !separated(&es, i, s.offsets[i], j, s.offsets[j]) {
                return ValidationResult::BadOverlap;
            }
        }
    }
    ValidationResult::Good
}

// ---------------------------------------------------------------------------
// Solver settings
// ---------------------------------------------------------------------------

/// Every technique on except hatless pruning.
fn all_but_hatless() -> SolverParams {
    SolverParams { hatless_pruning: false, ..SolverParams::default() }
}

/// The defaults with the single heuristic "WAT", hatless pruning off.
fn wat_only() -> SolverParams {
    SolverParams { preordering_heuristics: vec!["WAT".into()], ..all_but_hatless() }
}

/// The defaults with the single heuristic "WAT", hatless pruning on.
fn wat_only_hatless() -> SolverParams {
    SolverParams { preordering_heuristics: vec!["WAT".into()], ..SolverParams::default() }
}

/// The fast search (skyline), all else default.
fn fast() -> SolverParams {
    SolverParams { search: SearchMode::Fast, ..SolverParams::default() }
}

/// The techniques that stay complete when gap windows make effective sizes
/// zero or negative: those assuming that placements go upwards (canonical
/// order, monotonic floors, dominance) are off, as is hatless pruning.
fn complete_with_windows() -> SolverParams {
    SolverParams {
        canonical_only: false,
        monotonic_floor: false,
        check_dominance: false,
        hatless_pruning: false,
        ..SolverParams::default()
    }
}

/// Solves and checks the outcome is a valid solution or `Infeasible`; returns
/// whether a solution was found.
fn solve_checked(p: &Problem, params: &SolverParams) -> Result<bool, TestCaseError> {
    match Solver::new(params.clone()).solve(p) {
        Ok(solution) => {
            prop_assert_eq!(validate(p, &solution), Ok(()), "{:?}", solution);
            prop_assert!(solution.height <= p.capacity);
            Ok(true)
        }
        Err(SolveError::Infeasible { capacity }) => {
            prop_assert_eq!(capacity, p.capacity);
            Ok(false)
        }
        Err(other) => Err(TestCaseError::fail(format!("unexpected error {other:?}"))),
    }
}

/// The solver finds a (valid) solution exactly when brute force finds one.
fn agrees_with_brute_force(p: &Problem, params: &SolverParams) -> Result<(), TestCaseError> {
    prop_assert_eq!(p.check(), Ok(()));
    let solved = solve_checked(p, params)?;
    let brute = brute_force(p, p.capacity);
    prop_assert_eq!(solved, brute.is_some(), "solver vs brute force ({:?}) with {:?}", brute, params);
    Ok(())
}

/// Minimizing from the sum of the sizes reaches the least height brute force
/// can reach (or proves there is none).
fn minimizes_like_brute_force(p: &Problem, params: SolverParams) -> Result<(), TestCaseError> {
    let mut p = p.clone();
    p.capacity = p.buffers.iter().map(|b| b.size).sum();
    let expected = brute_force_min_height(&p, p.capacity);
    match Solver::new(SolverParams { minimize_capacity: true, ..params }).solve(&p) {
        Ok(solution) => {
            prop_assert_eq!(validate(&p, &solution), Ok(()));
            prop_assert_eq!(Some(solution.height), expected);
        }
        Err(SolveError::Infeasible { .. }) => prop_assert_eq!(None, expected),
        Err(other) => return Err(TestCaseError::fail(format!("unexpected error {other:?}"))),
    }
    Ok(())
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(2048))]

    /// Generated problems are well formed.
    #[test]
    fn generated_problems_are_well_formed(p in problem_with(GapPlacement::TouchingEnds)) {
        prop_assert_eq!(p.check(), Ok(()));
    }

    /// 1. Whatever the default solver returns is valid and within capacity.
    #[test]
    fn default_solutions_are_valid(p in problem()) {
        prop_assert_eq!(p.check(), Ok(()));
        solve_checked(&p, &SolverParams::default())?;
    }

    /// 2. Without gap windows, the solver finds a solution exactly when one
    /// exists: with the defaults, every technique but hatless pruning, and
    /// the single heuristic "WAT" (with and without hatless pruning).
    #[test]
    fn solver_agrees_with_brute_force_without_windows(p in windowless_problem()) {
        agrees_with_brute_force(&p, &SolverParams::default())?;
        agrees_with_brute_force(&p, &all_but_hatless())?;
        agrees_with_brute_force(&p, &wat_only())?;
        agrees_with_brute_force(&p, &wat_only_hatless())?;
    }

    /// 2. With gap windows, the techniques that do not assume upward
    /// placement stay exact.
    #[test]
    fn complete_techniques_agree_with_brute_force_with_windows(p in problem()) {
        agrees_with_brute_force(&p, &complete_with_windows())?;
    }

    /// 2. The fast search is exact too: on plain problems (its own search),
    /// on problems with windowless gaps and fixed offsets (where it hands
    /// over to the reference's search), and with windows (where only the
    /// complete techniques may prove a problem infeasible).
    #[test]
    fn fast_search_agrees_with_brute_force(
        p in plain_problem(),
        q in windowless_problem(),
        r in problem(),
        s in problem_with(GapPlacement::TouchingEnds),
    ) {
        agrees_with_brute_force(&p, &fast())?;
        agrees_with_brute_force(&q, &fast())?;
        agrees_with_brute_force(&r, &fast())?;
        agrees_with_brute_force(&s, &fast())?;
    }

    /// 2. On larger plain problems the fast search and the reference's
    /// (exact there, by the property above) agree on feasibility, and every
    /// solution is valid.
    #[test]
    fn fast_search_agrees_with_reference_search(p in medium_plain_problem()) {
        let fast_found = solve_checked(&p, &fast())?;
        let reference_found = solve_checked(&p, &SolverParams::default())?;
        prop_assert_eq!(fast_found, reference_found);
    }

    /// 3. Minimizing with the fast search finds the least height.
    #[test]
    fn fast_minimize_finds_the_least_height(p in plain_problem(), q in problem()) {
        minimizes_like_brute_force(&p, fast())?;
        minimizes_like_brute_force(&q, fast())?;
    }

    /// 3. Minimizing from the sum of the sizes finds the least height.
    #[test]
    fn minimize_finds_the_least_height(p in windowless_problem()) {
        minimizes_like_brute_force(&p, SolverParams::default())?;
    }

    /// 3. Same with gap windows, with the complete techniques.
    #[test]
    fn minimize_finds_the_least_height_with_windows(p in problem()) {
        minimizes_like_brute_force(&p, complete_with_windows())?;
    }

    /// 3. The chain bound never exceeds the least height (gaps, windows).
    #[test]
    fn lower_bounds_never_exceed_the_least_height(
        p in problem(),
        q in problem_with(GapPlacement::TouchingEnds),
    ) {
        for p in [p, q] {
            let limit = p.buffers.iter().map(|b| b.size).sum::<i64>();
            if let Some(least) = brute_force_min_height(&p, limit) {
                prop_assert!(minimalloc::bound::lower_bound(&p) <= least);
                prop_assert!(minimalloc::bound::chain_bound(&p, 50) <= least);
            }
        }
    }

    /// 4. `effective_size` equals its literal per-time-step definition.
    #[test]
    fn effective_size_matches_per_time_definition(p in problem_with(GapPlacement::TouchingEnds)) {
        for a in &p.buffers {
            for b in &p.buffers {
                prop_assert_eq!(a.effective_size(b), literal_effective_size(a, b), "{:?} vs {:?}", a, b);
            }
        }
    }

    /// 4. The validator accepts exactly the solutions an all-pairs checker
    /// accepts, and names the same first broken rule. The effective-size rule
    /// is "one buffer lies below the other at every time both are present";
    /// it never lets two buffers share an address at the same time, and
    /// without gap windows it forbids exactly that.
    #[test]
    fn validator_agrees_with_independent_checkers(
        (p, s) in problem_with(GapPlacement::TouchingEnds)
            .prop_flat_map(|p| {
                let (n, capacity) = (p.buffers.len(), p.capacity);
                (Just(p), solution_for(n, capacity))
            })
            .prop_map(|(p, raw)| raw.build(&p))
    ) {
        let expected = expected_result(&p, &s);
        prop_assert_eq!(validation_result(&p, &s), expected, "{:?}", validate(&p, &s));
        prop_assert_eq!(validate(&p, &s).is_ok(), expected == ValidationResult::Good);
        if s.offsets.len() == p.buffers.len() {
            let windowless = |x: &Buffer| x.gaps.iter().all(|g| g.window.is_none());
            let mut all_pairs_disjoint = true;
            for (i, a) in p.buffers.iter().enumerate() {
                for (j, b) in p.buffers.iter().enumerate().skip(i + 1) {
                    let (oa, ob) = (s.offsets[i], s.offsets[j]);
                    let by_rule = a.effective_size(b).is_none_or(|e| oa + e <= ob)
                        || b.effective_size(a).is_none_or(|e| ob + e <= oa);
                    let disjoint = pair_occupancy_disjoint(a, oa, b, ob);
                    all_pairs_disjoint &= disjoint;
                    let context = format!("{a:?} at {oa} and {b:?} at {ob}");
                    prop_assert_eq!(by_rule, pair_consistently_ordered(a, oa, b, ob), "{}", context);
                    prop_assert!(!by_rule || disjoint, "{}", context);
                    if windowless(a) && windowless(b) {
                        prop_assert_eq!(by_rule, disjoint, "{}", context);
                    }
                }
            }
            prop_assert_eq!(occupancy_disjoint(&p, &s.offsets), all_pairs_disjoint);
        }
    }

    /// 5. The sweep puts every buffer in one partition, lists as overlaps
    /// exactly the buffers with an effective size (symmetric in membership),
    /// and has one cut per pair of adjacent sections.
    #[test]
    fn sweep_is_consistent(p in problem_with(GapPlacement::TouchingEnds)) {
        let result = sweep(&p);
        let n = p.buffers.len();
        let mut seen = vec![0usize; n];
        for partition in &result.partitions {
            for &b in &partition.buffer_idxs {
                seen[b] += 1;
            }
        }
        prop_assert!(seen.iter().all(|&c| c == 1), "partitions {:?}", result.partitions);
        let member = |i: usize, j: usize| result.buffer_data[i].overlaps.iter().any(|o| o.buffer_idx == j);
        for i in 0..n {
            prop_assert!(!member(i, i));
            for j in (0..n).filter(|&j| j != i) {
                if p.buffers[i].gaps.is_empty() && p.buffers[j].gaps.is_empty() {
                    prop_assert_eq!(member(i, j), member(j, i), "{} and {}", i, j);
                }
                let found: Vec<i64> = result.buffer_data[i]
                    .overlaps
                    .iter()
                    .filter(|o| o.buffer_idx == j)
                    .map(|o| o.effective_size)
                    .collect();
                let expected: Vec<i64> = p.buffers[i].effective_size(&p.buffers[j]).into_iter().collect();
                prop_assert_eq!(found, expected, "overlap of {} over {}", i, j);
            }
        }
        prop_assert!(!result.sections.is_empty());
        prop_assert_eq!(result.calculate_cuts().len(), result.sections.len() - 1);
    }

    /// 5. Each buffer's section spans are in order and disjoint, and every
    /// section they cover lists the buffer.
    #[test]
    fn sweep_spans_are_disjoint_and_listed(p in problem()) {
        spans_match_sections(&p, false)?;
    }
}

/// Each buffer's section spans are in order and disjoint, and `sections[s]`
/// lists a buffer whenever one of its spans covers `s`; with `exact`, it
/// lists it only then.
fn spans_match_sections(p: &Problem, exact: bool) -> Result<(), TestCaseError> {
    let result = sweep(p);
    for (b, data) in result.buffer_data.iter().enumerate() {
        for pair in data.section_spans.windows(2) {
            prop_assert!(
                pair[0].section_range.upper <= pair[1].section_range.lower,
                "buffer {} has overlapping spans {:?}",
                b,
                data.section_spans
            );
        }
        for (s, members) in result.sections.iter().enumerate() {
            let covered = data
                .section_spans
                .iter()
                .any(|span| span.section_range.lower <= s as i64 && (s as i64) < span.section_range.upper);
            let listed = members.contains(&b);
            prop_assert!(!covered || listed, "buffer {} not in section {}: {:?}", b, s, result);
            if exact {
                prop_assert!(!listed || covered, "buffer {} in section {}: {:?}", b, s, result);
            }
        }
    }
    Ok(())
}

/// Raw material for a (possibly wrong) solution.
#[derive(Clone, Debug)]
struct RawSolution {
    /// 0: the right number of offsets; 1: one too few; 2: one too many.
    length: u8,
    /// 0: random offsets; otherwise a brute-force solution when there is one.
    source: u8,
    offsets: Vec<i64>,
    /// Which offset to disturb, and by how much (0: leave it).
    tweak: (usize, i64),
    /// 0: the true height; 1: one more; 2: one less; 3: `height_value`.
    height_mode: u8,
    height_value: i64,
}

fn solution_for(n: usize, capacity: i64) -> impl Strategy<Value = RawSolution> {
    (
        prop_oneof![8 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
        0..3u8,
        prop::collection::vec(-2..=capacity + 2, n + 1),
        (0..n, prop_oneof![3 => Just(0i64), 1 => -2..=2i64]),
        prop_oneof![6 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8), 1 => Just(3u8)],
        0..14i64,
    )
        .prop_map(|(length, source, offsets, tweak, height_mode, height_value)| RawSolution {
            length,
            source,
            offsets,
            tweak,
            height_mode,
            height_value,
        })
}

impl RawSolution {
    fn build(&self, p: &Problem) -> (Problem, Solution) {
        let n = p.buffers.len();
        let mut offsets = match (self.source, brute_force(p, p.capacity)) {
            (1 | 2, Some(found)) => found,
            _ => self.offsets[..n].to_vec(),
        };
        offsets[self.tweak.0] += self.tweak.1;
        match self.length {
            1 => {
                offsets.pop();
            }
            2 => offsets.push(self.offsets[n]),
            _ => {}
        }
        let top = p.buffers.iter().zip(&offsets).map(|(b, &o)| o + b.size).max().unwrap_or(0);
        let height = match self.height_mode {
            0 => top,
            1 => top + 1,
            2 => top - 1,
            _ => self.height_value,
        };
        (p.clone(), Solution { offsets, height })
    }
}

// ---------------------------------------------------------------------------
// The effective-size rule against literal occupancy: documented differences
// ---------------------------------------------------------------------------

fn gap(lower: i64, upper: i64, window: Option<(i64, i64)>) -> Gap {
    Gap { lifespan: Interval::new(lower, upper), window: window.map(|(a, b)| Window::new(a, b)) }
}

/// A zero-width window `[a, a)` uses no memory, but the effective-size rule
/// still treats the buffer as present at address `offset + a`: here `b` (size
/// 2, always full) cannot sit at the same offset as `a`, although `a` uses no
/// address while they are both live.
#[test]
fn zero_width_window_still_separates_buffers() {
    let mut a = Buffer::new("a", 0, 4, 4);
    a.gaps.push(gap(1, 3, Some((2, 2))));
    let b = Buffer::new("b", 1, 3, 2);
    assert_eq!(a.effective_size(&b), Some(2));
    assert_eq!(b.effective_size(&a), Some(0));
    let p = Problem { buffers: vec![a, b], capacity: 4 };
    // Literally disjoint: `a` occupies nothing during [1, 3).
    assert!(occupancy_disjoint(&p, &[0, 1]));
    // But the rule asks for `a + 2 <= b` or `b + 0 <= a`.
    assert_eq!(validation_result(&p, &Solution::from_offsets(&p, vec![0, 1])), ValidationResult::BadOverlap);
    assert_eq!(validate(&p, &Solution::from_offsets(&p, vec![0, 2])), Ok(()));
    assert_eq!(validate(&p, &Solution::from_offsets(&p, vec![0, 0])), Ok(()));
}

/// The rule asks one buffer to lie below the other at *every* time they are
/// both present; literal occupancy also accepts two buffers whose windows
/// swap places over time.
#[test]
fn windows_that_swap_order_are_rejected_by_the_rule() {
    let mut a = Buffer::new("a", 0, 2, 4);
    a.gaps.push(gap(0, 1, Some((0, 1))));
    a.gaps.push(gap(1, 2, Some((3, 4))));
    let mut b = Buffer::new("b", 0, 2, 4);
    b.gaps.push(gap(0, 1, Some((3, 4))));
    b.gaps.push(gap(1, 2, Some((0, 1))));
    let p = Problem { buffers: vec![a, b], capacity: 4 };
    assert!(occupancy_disjoint(&p, &[0, 0]));
    assert_eq!(validation_result(&p, &Solution::from_offsets(&p, vec![0, 0])), ValidationResult::BadOverlap);
}

// ---------------------------------------------------------------------------
// Bugs: the failing properties, and minimal failing cases
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(4096))]

    /// With gap windows, the default search misses solutions.
    #[test]
    #[ignore = "reference limitation, kept for fidelity: canonical_only, monotonic_floor and check_dominance assume upward placement, which gap windows break"]
    fn default_solver_agrees_with_brute_force_with_windows(p in problem()) {
        agrees_with_brute_force(&p, &SolverParams::default())?;
        agrees_with_brute_force(&p, &all_but_hatless())?;
        agrees_with_brute_force(&p, &wat_only())?;
    }

    /// Gaps touching an end of the lifespan, or each other (which
    /// `Problem::check` accepts): the solver rewrites them into shapes the
    /// sweep represents, and stays exact. (Windows are left out: with them
    /// the reference's pruning is incomplete, see above.)
    #[test]
    fn default_solver_handles_gaps_touching_lifespan_ends(p in problem_with(GapPlacement::TouchingEnds)) {
        let mut p = p;
        p.buffers.iter_mut().flat_map(|b| b.gaps.iter_mut()).for_each(|g| g.window = None);
        agrees_with_brute_force(&p, &SolverParams::default())?;
    }

    /// For gaps strictly inside the lifespan and apart from each other (the
    /// sweep's precondition), sections list only the buffers whose spans
    /// cover them.
    #[test]
    fn sweep_sections_list_only_covering_buffers(p in problem()) {
        prop_assume!(p.buffers.iter().all(|b| b.gaps.windows(2).all(|w| w[0].lifespan.upper < w[1].lifespan.lower)));
        spans_match_sections(&p, true)?;
    }
}

/// Solves with `params`, asserting the solver finds a valid solution (brute
/// force finds one too).
fn assert_solvable(p: &Problem, params: SolverParams) {
    assert_eq!(p.check(), Ok(()));
    assert!(brute_force(p, p.capacity).is_some());
    let solution = Solver::new(params).solve(p).expect("a solution exists");
    assert_eq!(validate(p, &solution), Ok(()));
}

/// `o` uses only `[2, 4)` of its space while `b` is live, so `b` may sit at
/// `o`'s own offset: `effective_size(b, o) = 1 - 2 = -1`. The only solutions
/// put both at 0, but the canonical order (offset, then preorder) tries `o`
/// first (it is wider), after which `b` must go above it (`offset >= 4`),
/// and placing `b` first makes `o` a non-canonical sibling at the same offset.
#[test]
#[ignore = "reference limitation, kept for fidelity: canonical_only misses solutions where a buffer must sit below another at the same offset"]
fn bug_canonical_only_misses_solution_with_window() {
    let mut o = Buffer::new("o", 0, 4, 4);
    o.gaps.push(gap(1, 3, Some((2, 4))));
    let b = Buffer::new("b", 1, 3, 1);
    let p = Problem { buffers: vec![o, b], capacity: 4 };
    assert_eq!(validate(&p, &Solution::from_offsets(&p, vec![0, 0])), Ok(()));
    assert_solvable(&p, SolverParams { canonical_only: false, ..SolverParams::default() });
    assert_solvable(&p, SolverParams::default());
}

/// The only solution puts `b1` (fixed at 1) below `b3` (at 0): during
/// `[4, 5)` `b3` uses the empty window at address 2, above `b1`'s `[1, 2)`.
/// Placing `b1` before `b3` means placing downwards, which monotonic floors
/// and dominance checks forbid even without canonical order.
#[test]
#[ignore = "reference limitation, kept for fidelity: monotonic_floor and check_dominance miss solutions where a later buffer sits lower"]
fn bug_upward_placement_misses_solution_with_window() {
    let mut b0 = Buffer::new("b0", 3, 5, 2);
    b0.alignment = 2;
    let mut b1 = Buffer::new("b1", 4, 5, 1);
    b1.offset = Some(1);
    let b2 = Buffer::new("b2", 0, 4, 3);
    let mut b3 = Buffer::new("b3", 3, 6, 4);
    b3.gaps.push(gap(4, 5, Some((2, 2))));
    let p = Problem { buffers: vec![b0, b1, b2, b3], capacity: 9 };
    assert_eq!(validate(&p, &Solution::from_offsets(&p, vec![4, 1, 6, 0])), Ok(()));
    assert_solvable(&p, complete_with_windows());
    assert_solvable(&p, SolverParams { canonical_only: false, check_dominance: false, ..all_but_hatless() });
}

/// A buffer whose gap runs to the end of its lifespan gets two overlapping
/// section spans (`[0, 1)` and `[0, 2)`): the sweep closes a span at the
/// gap's start and again, from the same start, at the lifespan's end. The
/// search then counts the buffer twice in section 0 and `leave_lowest`
/// decrements `lowest_count` below zero: "attempt to subtract with overflow"
/// in debug builds (a silent wrap in release).
#[test]

fn bug_gap_ending_at_lifespan_end_panics() {
    let mut b0 = Buffer::new("b0", 0, 3, 1);
    b0.gaps.push(gap(1, 3, None));
    let p = Problem { buffers: vec![b0], capacity: 1 };
    assert_solvable(&p, SolverParams::default());
}

/// The same double span counts `b1` as active during its gap `[2, 5)`, where
/// `b0` lives; the two never share a time, yet section inference proves the
/// problem infeasible (shown with `unallocated_floor` off, which avoids the
/// panic above).
#[test]

fn bug_gap_ending_at_lifespan_end_counted_as_active() {
    let mut b1 = Buffer::new("b1", 1, 5, 1);
    b1.gaps.push(gap(2, 5, None));
    let p = Problem { buffers: vec![Buffer::new("b0", 4, 5, 1), b1], capacity: 1 };
    assert_eq!(validate(&p, &Solution::from_offsets(&p, vec![0, 0])), Ok(()));
    assert_solvable(&p, SolverParams { unallocated_floor: false, ..SolverParams::default() });
}

/// A gap without a window covering the whole lifespan is ignored by the
/// sweep: `b1` is counted as using its full size, so section inference says
/// infeasible, although `b1` never uses memory.
#[test]

fn bug_gap_covering_lifespan_counted_as_active() {
    let mut b1 = Buffer::new("b1", 0, 1, 2);
    b1.gaps.push(gap(0, 1, None));
    let p = Problem { buffers: vec![Buffer::new("b0", 0, 1, 2), b1], capacity: 2 };
    assert_eq!(validate(&p, &Solution::from_offsets(&p, vec![0, 0])), Ok(()));
    assert_solvable(&p, SolverParams::default());
}

/// The search only checks window tops against the capacity, never
/// `offset + size`: a buffer that is never fully active (a windowed gap
/// covering its lifespan) is placed above the capacity, and the validator
/// rejects the solution.
#[test]

fn bug_solution_above_capacity() {
    let mut b0 = Buffer::new("b0", 0, 1, 2);
    b0.gaps.push(gap(0, 1, Some((0, 1))));
    let p = Problem { buffers: vec![b0], capacity: 1 };
    assert_eq!(p.check(), Ok(()));
    let result = Solver::default().solve(&p);
    if let Ok(solution) = &result {
        assert_eq!(validate(&p, solution), Ok(()), "{solution:?}");
    }
    assert!(matches!(result, Err(SolveError::Infeasible { .. })), "{result:?}");
}

/// `b1` has adjacent windowless gaps `[3, 5)` and `[5, 6)`, which the sweep
/// (like the reference's) does not represent exactly; the solver merges them
/// into one gap first and finds the solution brute force finds.
#[test]
fn adjacent_windowless_gaps_are_solved_exactly() {
    let mut b1 = Buffer::new("b1", 2, 8, 1);
    b1.gaps.push(gap(3, 5, None));
    b1.gaps.push(gap(5, 6, None));
    let p = Problem { buffers: vec![Buffer::new("b0", 3, 6, 1), b1], capacity: 1 };
    assert_solvable(&p, SolverParams::default());
}

/// `Interval::intersects` is documented as "share at least one value", but
/// an empty interval inside another is said to intersect it.
#[test]

fn bug_empty_interval_intersects() {
    assert!(!Interval::new(1, 1).intersects(&Interval::new(0, 2)));
}

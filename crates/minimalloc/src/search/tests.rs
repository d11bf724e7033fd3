//! The small cases every allocator needs, under every combination of switches.

use super::*;
use crate::problem::{Buffer, Gap, Interval};
use crate::sweep::sweep;
use crate::validate::validate;

fn buffer(lower: i64, upper: i64, size: i64) -> Buffer {
    Buffer::new(format!("{lower}-{upper}-{size}"), lower, upper, size)
}

/// A gap: its time interval and optional window.
type GapSpec = (i64, i64, Option<(i64, i64)>);

fn with_gaps(mut b: Buffer, gaps: &[GapSpec]) -> Buffer {
    b.gaps = gaps
        .iter()
        .map(|&(l, u, w)| Gap { lifespan: Interval::new(l, u), window: w.map(|(a, b)| Interval::new(a, b)) })
        .collect();
    b
}

fn problem(buffers: Vec<Buffer>, capacity: i64) -> Problem {
    Problem { buffers, capacity }
}

/// Every combination of the eight sound switches (and minimize_capacity),
/// with one or several heuristics. Hatless pruning stays off: like the
/// reference, it is a heuristic cut that is only complete with the defaults.
fn all_params() -> Vec<SolverParams> {
    let mut out = Vec::new();
    for bits in 0..(1u32 << 9) {
        for heuristics in [vec!["WAT".to_string()], SolverParams::default().preordering_heuristics] {
            let on = |i: u32| bits & (1 << i) != 0;
            out.push(SolverParams {
                canonical_only: on(0),
                section_inference: on(1),
                dynamic_ordering: on(2),
                check_dominance: on(3),
                unallocated_floor: on(4),
                static_preordering: on(5),
                dynamic_decomposition: on(6),
                monotonic_floor: on(7),
                hatless_pruning: false,
                minimize_capacity: on(8),
                preordering_heuristics: heuristics,
                ..SolverParams::default()
            });
        }
    }
    out
}

fn assert_feasible(p: &Problem) {
    for params in all_params().into_iter().chain([SolverParams::default()]) {
        let mut solver = Solver::new(params.clone());
        match solver.solve(p) {
            Ok(solution) => assert_eq!(validate(p, &solution), Ok(()), "{params:?}"),
            Err(e) => panic!("{params:?}: expected a solution, got {e}"),
        }
    }
}

fn assert_infeasible(p: &Problem) {
    for params in all_params().into_iter().chain([SolverParams::default()]) {
        let mut solver = Solver::new(params.clone());
        let result = solver.solve(p);
        assert!(matches!(result, Err(SolveError::Infeasible { .. })), "{params:?}: {result:?}");
        if !params.minimize_capacity {
            assert!(solver.backtracks() > 0, "{params:?}");
        }
    }
}

/// Every technique off, one heuristic (the reference's baseline).
fn disabled() -> SolverParams {
    SolverParams {
        canonical_only: false,
        section_inference: false,
        dynamic_ordering: false,
        check_dominance: false,
        unallocated_floor: false,
        static_preordering: false,
        dynamic_decomposition: false,
        monotonic_floor: false,
        hatless_pruning: false,
        minimize_capacity: false,
        preordering_heuristics: vec!["TWA".into()],
        timeout: None,
        search: SearchMode::Reference,
    }
}

#[test]
fn empty_problem() {
    let mut solver = Solver::default();
    let solution = solver.solve(&problem(vec![], 0)).unwrap();
    assert_eq!(solution, Solution { offsets: vec![], height: 0 });
}

#[test]
fn one_buffer() {
    let p = problem(vec![buffer(0, 2, 2)], 2);
    assert_feasible(&p);
    assert_eq!(Solver::default().solve(&p).unwrap(), Solution { offsets: vec![0], height: 2 });
}

#[test]
fn buffer_larger_than_capacity() {
    assert_infeasible(&problem(vec![buffer(0, 2, 3)], 2));
}

#[test]
fn trivially_infeasible() {
    assert_infeasible(&problem(vec![buffer(0, 2, 2), buffer(0, 2, 2)], 3));
}

#[test]
fn trickily_infeasible() {
    // Max load is 4 everywhere, but the pieces cannot interlock.
    let p = problem(
        vec![
            buffer(0, 1, 3),
            buffer(0, 3, 1),
            buffer(4, 5, 3),
            buffer(2, 5, 1),
            buffer(1, 2, 2),
            buffer(3, 4, 2),
            buffer(1, 4, 1),
        ],
        4,
    );
    assert_eq!(p.max_load(), 4);
    assert_infeasible(&p);
}

#[test]
fn two_overlapping_buffers() {
    let p = problem(vec![buffer(0, 2, 2), buffer(1, 3, 2)], 4);
    assert_feasible(&p);
}

#[test]
fn two_partitions() {
    let p = problem(vec![buffer(0, 2, 2), buffer(1, 3, 2), buffer(3, 5, 2), buffer(4, 6, 2)], 4);
    assert_feasible(&p);
    assert_eq!(sweep(&p).partitions.len(), 2);
}

#[test]
fn tetris() {
    let p =
        problem(vec![buffer(1, 2, 1), buffer(0, 2, 1), buffer(2, 3, 2), buffer(1, 3, 1), buffer(0, 1, 2)], 3);
    assert_feasible(&p);
}

#[test]
fn stairs() {
    let p = problem(
        vec![
            buffer(0, 3, 1),
            buffer(0, 2, 1),
            buffer(0, 1, 1),
            buffer(1, 4, 1),
            buffer(2, 4, 1),
            buffer(3, 4, 1),
        ],
        3,
    );
    assert_feasible(&p);
}

#[test]
fn even_alignment() {
    let mut a = buffer(0, 2, 1);
    a.alignment = 2;
    let mut b = buffer(0, 2, 1);
    b.alignment = 2;
    let p = problem(vec![a, b], 4);
    assert_feasible(&p);
    let solution = Solver::default().solve(&p).unwrap();
    assert!(solution.offsets.iter().all(|o| o % 2 == 0));
    let mut tight = p.clone();
    tight.capacity = 2;
    assert_infeasible(&tight);
}

#[test]
fn fixed_offset_feasible() {
    let mut fixed = buffer(2, 3, 2);
    fixed.offset = Some(1);
    let p = problem(vec![buffer(1, 2, 1), buffer(0, 2, 1), fixed, buffer(1, 3, 1), buffer(0, 1, 2)], 3);
    assert_feasible(&p);
    assert_eq!(Solver::default().solve(&p).unwrap().offsets[2], 1);
}

#[test]
fn fixed_offset_infeasible() {
    let mut fixed = buffer(1, 2, 1);
    fixed.offset = Some(0);
    let p = problem(vec![fixed, buffer(0, 2, 1), buffer(2, 3, 2), buffer(1, 3, 1), buffer(0, 1, 2)], 3);
    assert_infeasible(&p);
}

#[test]
fn misaligned_fixed_offset_is_infeasible() {
    let mut b = buffer(0, 1, 1);
    b.alignment = 2;
    b.offset = Some(1);
    let result = Solver::default().solve(&problem(vec![b], 4));
    assert_eq!(result, Err(SolveError::Infeasible { capacity: 4 }));
}

#[test]
fn gap_lets_buffers_share_space() {
    let p = problem(vec![with_gaps(buffer(0, 4, 2), &[(1, 3, None)]), buffer(1, 3, 2)], 2);
    assert_feasible(&p);
}

#[test]
fn windows_let_buffers_interlock() {
    let p = problem(
        vec![
            with_gaps(buffer(0, 10, 2), &[(0, 5, Some((0, 1)))]),
            with_gaps(buffer(0, 10, 2), &[(5, 10, Some((1, 2)))]),
        ],
        3,
    );
    assert_feasible(&p);
}

#[test]
fn counts_backtracks_and_resets_them() {
    let p = problem(vec![buffer(0, 2, 2), buffer(0, 2, 2)], 3);
    let mut solver = Solver::new(disabled());
    assert!(solver.solve(&p).is_err());
    assert_eq!(solver.backtracks(), 3);
    assert!(solver.solve(&p).is_err());
    assert_eq!(solver.backtracks(), 3, "each solve starts counting from zero");
}

#[test]
fn each_technique_saves_backtracks() {
    let p =
        problem(vec![buffer(2, 3, 2), buffer(0, 1, 2), buffer(1, 2, 1), buffer(0, 2, 1), buffer(1, 3, 1)], 3);
    let mut baseline = Solver::new(disabled());
    assert!(baseline.solve(&p).is_ok());
    let switches: [fn(&mut SolverParams); 6] = [
        |p| p.canonical_only = true,
        |p| p.section_inference = true,
        |p| p.dynamic_ordering = true,
        |p| p.check_dominance = true,
        |p| p.static_preordering = true,
        |p| p.dynamic_decomposition = true,
    ];
    for (i, switch) in switches.iter().enumerate() {
        let mut params = disabled();
        switch(&mut params);
        let mut solver = Solver::new(params);
        assert!(solver.solve(&p).is_ok());
        assert!(baseline.backtracks() > solver.backtracks(), "switch {i}");
    }
}

#[test]
fn minimize_capacity_finds_the_lowest() {
    let p = problem(vec![buffer(0, 2, 2), buffer(1, 3, 3), buffer(2, 4, 2)], 100);
    let mut solver = Solver::new(SolverParams { minimize_capacity: true, ..SolverParams::default() });
    let solution = solver.solve(&p).unwrap();
    assert_eq!(solution.height, 5);
    let solution = Solver::default().minimize(&p, p.lower_bound(), 100).unwrap();
    assert_eq!(solution.height, 5);
}

/// Minimizing a problem whose sizes are all multiples of `k` tries the same
/// capacities, times `k`, as minimizing the problem divided by `k`: the
/// capacities between two multiples are never tried (they are equivalent).
#[test]
fn minimizing_tries_only_multiples_of_the_granularity() {
    let mut bisected = 0;
    for seed in 0..12 {
        // The interlocking pieces of `trickily_infeasible` (at most 4 live,
        // 5 needed), then random buffers: the probe at the bound fails.
        let mut small = crate::generate::random(5, seed, 6, 2);
        for b in &mut small.buffers {
            b.lifespan = Interval::new(b.lifespan.lower + 5, b.lifespan.upper + 5);
        }
        for (l, u, z) in [(0, 1, 3), (0, 3, 1), (4, 5, 3), (2, 5, 1), (1, 2, 2), (3, 4, 2), (1, 4, 1)] {
            small.buffers.push(buffer(l, u, z));
        }
        let k = 1024;
        let mut scaled = small.clone();
        for b in &mut scaled.buffers {
            b.size *= k;
        }
        assert_eq!(scaled.granularity() % k, 0);
        let mut solver = Solver::new(SolverParams { search: SearchMode::Fast, ..SolverParams::default() });
        let least = solver.minimize(&small, small.lower_bound(), 200).unwrap();
        let probes = solver.stats().probes;
        let least_scaled = solver.minimize(&scaled, scaled.lower_bound(), 200 * k).unwrap();
        assert_eq!(least_scaled.height, least.height * k, "seed {seed}");
        assert_eq!(solver.stats().probes, probes, "seed {seed}");
        if probes < 2 {
            continue;
        }
        bisected += 1;
        // The reference's bisection tries every integer: more probes.
        let mut reference = Solver::default();
        let by_reference = reference.minimize(&scaled, scaled.lower_bound(), 200 * k).unwrap();
        assert_eq!(by_reference.height, least_scaled.height, "seed {seed}");
        assert!(reference.stats().probes > probes, "seed {seed}");
    }
    assert!(bisected >= 3, "only {bisected} instances needed a bisection");
}

#[test]
fn a_range_below_the_granularity_is_refuted_as_asked() {
    let p = problem(vec![buffer(0, 2, 8), buffer(1, 3, 16)], 100);
    let mut solver = Solver::new(SolverParams { search: SearchMode::Fast, ..SolverParams::default() });
    match solver.minimize(&p, 0, 5) {
        Err(SolveError::Infeasible { capacity }) => assert_eq!(capacity, 5),
        other => panic!("{other:?}"),
    }
    assert_eq!(solver.minimize(&p, 0, 30).map(|s| s.height).ok(), Some(24));
}

/// A probe stopped by its share of the time limit refutes nothing: when no
/// probe found a solution and one of them gave up, minimizing times out
/// instead of answering "infeasible" (which `auto` takes as a proof that its
/// heuristic is optimal).
#[test]
fn minimizing_that_gives_up_is_a_timeout() {
    // Thinned 500-piece guillotine seed 10: feasible at its max load, and no
    // search here finds how within a minute.
    let full = crate::generate::guillotine(500, 10, 1 << 20, 1 << 20);
    let p = crate::generate::thin(&full, 0.12, 10);
    let lb = p.lower_bound();
    for (lower, upper) in [(lb, lb), (lb, lb + 1)] {
        let params = SolverParams {
            search: SearchMode::Fast,
            timeout: Some(Duration::from_millis(300)),
            ..SolverParams::default()
        };
        let mut solver = Solver::new(params);
        match solver.minimize(&p, lower, upper) {
            Err(SolveError::Timeout(_)) => {}
            other => panic!("[{lower}, {upper}]: {:?}", other.map(|s| s.height)),
        }
        assert_eq!(solver.proved_lower_bound(), lb, "nothing refuted");
    }
}

#[test]
fn irreducible_infeasible_subset() {
    let p =
        problem(vec![buffer(0, 2, 2), buffer(0, 2, 2), buffer(2, 5, 2), buffer(3, 6, 2), buffer(4, 7, 2)], 4);
    let subset = Solver::default().irreducible_infeasible_subset(&p).unwrap();
    assert_eq!(subset, vec![2, 3, 4]);
}

#[test]
fn timeout_and_cancel_are_distinct_outcomes() {
    // A wide infeasible instance that takes long to refute.
    let buffers: Vec<Buffer> = (0..40).map(|i| buffer(i % 7, i % 7 + 9, 3 + i % 5)).collect();
    let p = problem(buffers, 60);
    let mut solver = Solver::new(SolverParams { timeout: Some(Duration::ZERO), ..SolverParams::default() });
    assert!(matches!(solver.solve(&p), Err(SolveError::Timeout(_))));

    let solver = Solver::new(SolverParams::default());
    let handle = solver.cancel_handle();
    let mut solver = solver;
    let started = Instant::now();
    let outcome = std::thread::scope(|scope| {
        let worker = scope.spawn(move || solver.solve(&p));
        std::thread::sleep(Duration::from_millis(50));
        handle.cancel();
        worker.join().unwrap()
    });
    match outcome {
        Err(SolveError::Cancelled) => assert!(started.elapsed() < Duration::from_secs(5)),
        // Finishing before the cancel arrives is fine too.
        Ok(_) | Err(SolveError::Infeasible { .. }) => {}
        Err(other) => panic!("unexpected {other}"),
    }
}

#[test]
fn bad_heuristic_is_an_error() {
    let mut solver =
        Solver::new(SolverParams { preordering_heuristics: vec!["WAQ".into()], ..Default::default() });
    assert!(matches!(solver.solve(&problem(vec![buffer(0, 1, 1)], 1)), Err(SolveError::InvalidParams(_))));
    let mut solver = Solver::new(SolverParams { preordering_heuristics: vec![], ..Default::default() });
    assert!(matches!(solver.solve(&problem(vec![buffer(0, 1, 1)], 1)), Err(SolveError::InvalidParams(_))));
}

#[test]
fn malformed_problem_is_an_error() {
    let result = Solver::default().solve(&problem(vec![buffer(3, 1, 1)], 1));
    assert!(matches!(result, Err(SolveError::InvalidProblem(_))));
}

#[test]
fn fuzz_inactive_buffer_with_misaligned_fixed_offset() {
    // Found by the solver fuzzer: a buffer whose gap covers its lifespan is
    // never active, but its fixed offset must still respect its alignment.
    let b = with_gaps(
        Buffer { alignment: 4, offset: Some(11), ..buffer(9, 12, 3074457345618258602) },
        &[(9, 12, None)],
    );
    let p = problem(vec![b], i64::MAX);
    let params = SolverParams {
        preordering_heuristics: vec!["".into(), "ZO".into(), "".into()],
        timeout: Some(Duration::from_millis(50)),
        ..SolverParams::default()
    };
    assert!(matches!(Solver::new(params).solve(&p), Err(SolveError::Infeasible { .. })));
    let mut aligned = p.clone();
    aligned.buffers[0].offset = Some(12);
    let solution = Solver::default().solve(&aligned).unwrap();
    assert_eq!(validate(&aligned, &solution), Ok(()));
    assert_eq!(solution.offsets, vec![12]);
}

#[test]
fn fuzz_huge_sizes_never_overflow_into_a_solution() {
    // Found by the solver fuzzer: with sizes near i64::MAX, offset + size
    // overflowed and a buffer was placed above the capacity.
    let p = problem(vec![buffer(3, 7, i64::MAX), buffer(0, 4, i64::MAX)], i64::MAX);
    let result = Solver::default().solve(&p);
    assert!(matches!(result, Err(SolveError::Infeasible { .. })), "{result:?}");
}

#[test]
fn default_search_is_fast_unless_the_settings_tune_the_reference() {
    assert_eq!(SolverParams::default().default_search(), SearchMode::Fast);
    let timed = SolverParams {
        timeout: Some(std::time::Duration::from_secs(1)),
        minimize_capacity: true,
        ..Default::default()
    };
    assert_eq!(timed.default_search(), SearchMode::Fast);
    assert_eq!(disabled().default_search(), SearchMode::Reference);
    let one_off = SolverParams { hatless_pruning: false, ..Default::default() };
    assert_eq!(one_off.default_search(), SearchMode::Reference);
    let heuristics = SolverParams { preordering_heuristics: vec!["WAT".into()], ..Default::default() };
    assert_eq!(heuristics.default_search(), SearchMode::Reference);
}

/// a, b and c pairwise conflict although no moment holds all three (c is in
/// a gap while a and b overlap): max load 9, but every solution is 12 high.
fn stacked_through_a_gap(capacity: i64) -> Problem {
    let c = with_gaps(buffer(0, 3, 5), &[(1, 2, None)]);
    problem(vec![buffer(0, 2, 4), buffer(1, 3, 3), c], capacity)
}

#[test]
fn fast_search_refuses_capacities_below_the_chain_bound_at_once() {
    let fast = SolverParams { search: SearchMode::Fast, ..SolverParams::default() };
    let mut solver = Solver::new(fast.clone());
    assert_eq!(stacked_through_a_gap(11).lower_bound(), 9);
    assert!(matches!(solver.solve(&stacked_through_a_gap(11)), Err(SolveError::Infeasible { .. })));
    let solution = solver.solve(&stacked_through_a_gap(12)).unwrap();
    assert_eq!(solution.height, 12);
    // Minimizing starts at the bound and proves it.
    let solution = solver.minimize(&stacked_through_a_gap(0), 0, 100).unwrap();
    assert_eq!(solution.height, 12);
    assert_eq!(solver.proved_lower_bound(), 12);
    // Capacities below the bound are refused without a search (minimizing
    // has no reference prelude).
    assert!(matches!(solver.minimize(&stacked_through_a_gap(0), 0, 11), Err(SolveError::Infeasible { .. })));
    assert_eq!(solver.stats().backtracks, 0);
    assert_eq!(solver.stats().nodes, 0);
    // The reference search keeps the reference's own proof.
    let mut reference = Solver::new(SolverParams { search: SearchMode::Reference, ..fast });
    assert!(matches!(reference.solve(&stacked_through_a_gap(11)), Err(SolveError::Infeasible { .. })));
}

/// Found by property testing: at capacity 10 the only solutions put b2
/// under b3's window ([1, 4) during [2, 3)), below b3 although b3 rests
/// lower in most placements; the reference's upward placement misses them
/// all, and so do the heuristics.
fn nested_under_a_window() -> Problem {
    let b3 = with_gaps(buffer(0, 4, 4), &[(2, 3, Some((1, 4)))]);
    problem(vec![buffer(1, 3, 3), buffer(4, 5, 1), buffer(2, 3, 1), b3, buffer(0, 5, 3)], 10)
}

#[test]
fn the_fast_search_proves_infeasible_only_with_complete_techniques() {
    let p = nested_under_a_window();
    // The reference's techniques miss the solution (as the reference does).
    let reference = SolverParams { search: SearchMode::Reference, ..SolverParams::default() };
    assert!(matches!(Solver::new(reference).solve(&p), Err(SolveError::Infeasible { .. })));
    // The fast search does not trust that "not found" and finds one.
    let fast = SolverParams { search: SearchMode::Fast, ..SolverParams::default() };
    let solution = Solver::new(fast.clone()).solve(&p).unwrap();
    assert_eq!(validate(&p, &solution), Ok(()));
    // And still proves a real infeasibility (the load at time 2 is 10).
    let tight = problem(p.buffers.clone(), 9);
    assert!(matches!(Solver::new(fast).solve(&tight), Err(SolveError::Infeasible { .. })));
}

/// A stand-in search for [`race`]: counts nodes until it reaches `finish`
/// (then answers `outcome`) or the limit the other side set.
fn counting_search(
    finish: u64,
    outcome: Result<Vec<Offset>, Status>,
) -> impl FnOnce(Option<&AtomicU64>, &mut SearchStats) -> Result<Vec<Offset>, Status> + Send {
    move |limit, stats| loop {
        if stats.nodes >= finish {
            return outcome;
        }
        if limit.is_some_and(|l| stats.nodes >= l.load(AtomicOrdering::Relaxed)) {
            return Err(Status::Cancelled);
        }
        stats.nodes += 1;
        std::thread::yield_now();
    }
}

#[test]
fn a_race_is_won_by_fewer_nodes_whoever_finishes_first() {
    // The first needs 3,000 nodes, the second 1,500: the second wins,
    // whichever thread gets there first. Once told, the first stops at
    // 1,500 nodes; it may have finished (3,000) before being told.
    let mut stats = SearchStats::default();
    let result =
        race(counting_search(3_000, Ok(vec![1])), counting_search(1_500, Ok(vec![2])), true, &mut stats);
    assert_eq!(result, Ok(vec![2]));
    // Only the winner's nodes count, so the figure is the same on every run.
    assert_eq!(stats.nodes, 1_500);
    // Swapped, the first wins; the second stops between 900 and 3,000.
    let mut stats = SearchStats::default();
    let result =
        race(counting_search(900, Ok(vec![1])), counting_search(3_000, Ok(vec![2])), true, &mut stats);
    assert_eq!(result, Ok(vec![1]));
    assert_eq!(stats.nodes, 900);
    // A tie goes to the first.
    let mut stats = SearchStats::default();
    let result = race(counting_search(700, Ok(vec![1])), counting_search(700, Ok(vec![2])), true, &mut stats);
    assert_eq!(result, Ok(vec![1]));
}

/// With windows the fast search races the complete variant of the
/// reference's search (first) against the reference's own (second), whose
/// "not found" proves nothing there: it must not end the race.
#[test]
fn a_race_ignores_the_second_searchs_not_found_unless_it_proves() {
    let mut stats = SearchStats::default();
    let result = race(
        counting_search(2_000, Ok(vec![1])),
        counting_search(10, Err(Status::NotFound)),
        false,
        &mut stats,
    );
    assert_eq!(result, Ok(vec![1]));
    let result = race(
        counting_search(2_000, Ok(vec![1])),
        counting_search(10, Err(Status::NotFound)),
        true,
        &mut stats,
    );
    assert_eq!(result, Err(Status::NotFound));
}

#[test]
fn a_given_seed_replaces_the_heuristics_for_one_run() {
    // Three overlapping buffers; the seed stacks them in an order no
    // heuristic picks (smallest at the bottom), well within the capacity.
    let p = problem(vec![buffer(0, 2, 3), buffer(1, 3, 2), buffer(0, 3, 1)], 100);
    let seed = Solution::from_offsets(&p, vec![3, 1, 0]);
    assert_eq!(validate(&p, &seed), Ok(()));
    let fast = SolverParams { search: SearchMode::Fast, ..SolverParams::default() };
    let mut solver = Solver::new(fast);
    let unseeded = solver.solve(&p).unwrap();
    assert_ne!(unseeded.offsets, seed.offsets, "the heuristics would find the seed anyway");
    solver.seed_with(seed.clone());
    assert_eq!(solver.solve(&p).unwrap().offsets, seed.offsets);
    // Used once: the next run starts from the heuristics again.
    assert_eq!(solver.solve(&p).unwrap().offsets, unseeded.offsets);
    // A run that fails before searching uses it up too.
    solver.seed_with(seed);
    let empty_lifespan = problem(vec![buffer(2, 2, 1)], 100);
    assert!(solver.solve(&empty_lifespan).is_err());
    assert_eq!(solver.solve(&p).unwrap().offsets, unseeded.offsets);
}

#[test]
fn the_fast_search_gives_the_references_answer_when_the_reference_decides_at_once() {
    // Thinned guillotines the reference's search solves within its
    // prelude, and capacities below their max load that it refutes: the
    // fast search must answer exactly as the reference (offsets, backtracks).
    for seed in 1..=6 {
        let full = crate::generate::guillotine(40, seed, 1_000, 1_000);
        let p = crate::generate::thin(&full, 0.12, seed);
        for capacity in [p.lower_bound() - 1, p.lower_bound(), 1_000] {
            let p = Problem { capacity, ..p.clone() };
            let mut reference = Solver::new(SolverParams::default());
            let mut fast = Solver::new(SolverParams { search: SearchMode::Fast, ..SolverParams::default() });
            let expected = reference.solve(&p);
            assert!(matches!(expected, Ok(_) | Err(SolveError::Infeasible { .. })), "seed {seed}");
            assert_eq!(fast.solve(&p), expected, "seed {seed}, capacity {capacity}");
            assert_eq!(fast.stats().backtracks, reference.stats().backtracks, "seed {seed}");
            assert_eq!(fast.stats().nodes, reference.stats().nodes, "seed {seed}");
        }
    }
}

#[test]
fn clashing_fixed_buffers_are_refuted_without_a_search() {
    // An audit finding: minimizing with two pinned buffers that overlap took
    // seconds of searches (one refutation per capacity tried).
    let mut p = crate::generate::ml(40, 3);
    let n = p.buffers.len();
    let (first, clash) = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .find(|&(i, j)| p.buffers[i].lifespan.intersects(&p.buffers[j].lifespan))
        .expect("two buffers live at the same time");
    p.buffers[first].offset = Some(0);
    p.buffers[clash].offset = Some(0);
    let mut solver = Solver::new(SolverParams { search: SearchMode::Fast, ..SolverParams::default() });
    assert!(matches!(solver.minimize(&p, 0, i64::MAX / 2), Err(SolveError::Infeasible { .. })));
    assert_eq!(solver.stats().nodes, 0);
    assert_eq!(solver.proved_lower_bound(), i64::MAX, "no capacity fits");
    // Apart, they are fine.
    p.buffers[clash].offset = Some(p.buffers[first].size);
    assert!(solver.minimize(&p, 0, i64::MAX / 2).is_ok());
}

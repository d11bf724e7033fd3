use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use super::*;
use crate::generate;
use crate::problem::{Buffer, Gap, Interval};
use crate::validate::validate;

/// A direct transcription of the heuristics: every placed buffer is checked
/// against the buffer to place with the effective-size rule, forbidden
/// offsets are sorted, and the free runs scanned. Quadratic; the reference
/// the fast core must match offset for offset.
fn reference(problem: &Problem, heuristic: Heuristic) -> Result<Solution, HeuristicError> {
    let n = problem.buffers.len();
    let limits = Limits::default();
    let w = &mut Watch::new(&limits);
    let (order, fit) = match heuristic {
        Heuristic::GreedySize | Heuristic::XlaSpatial => (orders::by_size(problem, w).unwrap(), Fit::Best),
        Heuristic::XlaTemporal => (orders::by_length(problem, w).unwrap(), Fit::Best),
        Heuristic::Xla => {
            let s = reference(problem, Heuristic::XlaSpatial);
            let t = reference(problem, Heuristic::XlaTemporal);
            return match (s, t) {
                (Ok(s), Ok(t)) => Ok(if t.height < s.height { t } else { s }),
                (Ok(s), Err(_)) => Ok(s),
                (Err(_), Ok(t)) => Ok(t),
                (Err(e), Err(_)) => Err(e),
            };
        }
        Heuristic::GreedyConflicts => {
            let counts: Vec<u64> = (0..n)
                .map(|i| {
                    (0..n)
                        .filter(|&j| {
                            j != i && problem.buffers[i].effective_size(&problem.buffers[j]).is_some()
                        })
                        .count() as u64
                })
                .collect();
            (orders::by_conflicts(problem, &counts, w).unwrap(), Fit::First)
        }
        Heuristic::FirstFit => (orders::by_start(problem, w).unwrap(), Fit::First),
    };
    let b = &problem.buffers;
    let mut offsets: Vec<Option<i64>> = vec![None; n];
    let forbidden = |offsets: &[Option<i64>], i: usize| -> Vec<(i128, i128)> {
        let mut out = Vec::new();
        for (j, o) in offsets.iter().enumerate() {
            if let (Some(op), true) = (o, j != i) {
                if let (Some(px), Some(xp)) = (b[j].effective_size(&b[i]), b[i].effective_size(&b[j])) {
                    // Open interval (op - xp, op + px).
                    let (lo, hi) = (*op as i128 - xp as i128 + 1, *op as i128 + px as i128);
                    if lo < hi {
                        out.push((lo, hi));
                    }
                }
            }
        }
        out.sort();
        out
    };
    for i in 0..n {
        if let Some(f) = b[i].offset {
            if f % b[i].alignment != 0 {
                return Err(HeuristicError::MisalignedFixed { id: b[i].id.clone() });
            }
            let bad = forbidden(&offsets, i).iter().any(|&(lo, hi)| lo <= f as i128 && (f as i128) < hi);
            if bad {
                let first = (0..i)
                    .find(|&j| {
                        offsets[j].is_some_and(|op| {
                            let (op, f) = (op as i128, f as i128);
                            let a = b[j].effective_size(&b[i]).is_none_or(|e| op + e as i128 <= f);
                            let c = b[i].effective_size(&b[j]).is_none_or(|e| f + e as i128 <= op);
                            !(a || c)
                        })
                    })
                    .unwrap();
                return Err(HeuristicError::FixedConflict {
                    first: b[first].id.clone(),
                    second: b[i].id.clone(),
                });
            }
            offsets[i] = Some(f);
        }
    }
    for &i in &order {
        let i = i as usize;
        let (size, al) = (b[i].size as i128, b[i].alignment as i128);
        let align = |v: i128| (v + al - 1).div_euclid(al) * al;
        let mut reach: i128 = 0;
        let mut best: Option<(i128, i128)> = None;
        let mut chosen = None;
        for (lo, hi) in forbidden(&offsets, i) {
            if lo > reach {
                let o = align(reach);
                if o < lo {
                    let len = lo - 1 - reach;
                    if fit == Fit::First {
                        chosen = Some(o);
                        break;
                    }
                    if best.is_none_or(|(l, _)| len < l) {
                        best = Some((len, o));
                    }
                }
            }
            reach = reach.max(hi);
        }
        let o = chosen.or(best.map(|(_, o)| o)).unwrap_or_else(|| align(reach));
        if o + size > i64::MAX as i128 {
            return Err(HeuristicError::Overflow { id: b[i].id.clone() });
        }
        offsets[i] = Some(o as i64);
    }
    let offsets: Vec<i64> = offsets.into_iter().map(Option::unwrap).collect();
    Ok(Solution::from_offsets(problem, offsets))
}

fn run(problem: &Problem, h: Heuristic) -> Result<Solution, HeuristicError> {
    place(problem, h, &Limits::default())
}

/// Places by every heuristic, checks against the reference (when small) and
/// the validator, and returns the heights.
fn check_all(problem: &Problem) -> Vec<i64> {
    let mut heights = Vec::new();
    for h in Heuristic::ALL {
        let solution = run(problem, h).unwrap_or_else(|e| panic!("{h}: {e}"));
        if problem.buffers.len() <= 400 {
            let expected = reference(problem, h).unwrap();
            assert_eq!(solution, expected, "{h} differs from the reference");
        }
        let mut p = problem.clone();
        p.capacity = solution.height;
        validate(&p, &solution).unwrap_or_else(|v| panic!("{h}: {v}"));
        assert!(solution.height >= problem.lower_bound(), "{h} below the lower bound");
        heights.push(solution.height);
    }
    heights
}

fn gap(l: i64, u: i64, w: Option<(i64, i64)>) -> Gap {
    Gap { lifespan: Interval::new(l, u), window: w.map(|(a, b)| Interval::new(a, b)) }
}

/// Decorates a generated problem with gaps, windows, alignments and a few
/// fixed offsets placed where no other fixed buffer conflicts.
fn decorate(mut problem: Problem, seed: u64) -> Problem {
    let mut rng = generate::Rng::new(seed);
    for b in &mut problem.buffers {
        let (lo, hi) = (b.lifespan.lower, b.lifespan.upper);
        if rng.unit() < 0.3 && hi - lo >= 2 {
            let a = rng.range(lo, hi - 1);
            let c = rng.range(a + 1, hi + 1);
            let window = if rng.unit() < 0.6 {
                let wl = rng.range(0, b.size + 1);
                Some((wl, rng.range(wl, b.size + 1)))
            } else {
                None
            };
            b.gaps.push(gap(a, c, window));
            if c < hi && rng.unit() < 0.5 {
                let d = rng.range(c, hi);
                b.gaps.push(gap(d, rng.range(d + 1, hi + 1), None));
            }
        }
        b.alignment = [1, 1, 2, 4, 8][rng.range(0, 5) as usize];
    }
    // Fix a few buffers low in memory (where the others must fit around
    // them), skipping any that would conflict with one fixed before, and one
    // far above everything else.
    let n = problem.buffers.len() as i64;
    let largest = problem.buffers.iter().map(|b| b.size).max().unwrap_or(1);
    let mut fixed: Vec<usize> = Vec::new();
    for round in 0..5 {
        let k = rng.range(0, n) as usize;
        if problem.buffers[k].offset.is_some() {
            continue;
        }
        let offset = if round == 0 {
            problem.buffers.iter().map(|b| b.size).sum::<i64>() / 8 * 8 + 64
        } else {
            rng.range(0, 2 * largest) / 8 * 8
        };
        let b = &problem.buffers;
        let clear = fixed.iter().all(|&j| {
            let (oj, ok) = (b[j].offset.unwrap(), offset);
            b[j].effective_size(&b[k]).is_none_or(|es| oj + es <= ok)
                || b[k].effective_size(&b[j]).is_none_or(|es| ok + es <= oj)
        });
        if clear {
            problem.buffers[k].offset = Some(offset);
            fixed.push(k);
        }
    }
    assert!(problem.check().is_ok());
    problem
}

#[test]
fn names_round_trip() {
    for h in Heuristic::ALL {
        assert_eq!(Heuristic::from_name(h.name()), Some(h));
        assert_eq!(h.name().parse::<Heuristic>(), Ok(h));
        assert_eq!(h.to_string(), h.name());
    }
    let err = "best".parse::<Heuristic>().unwrap_err();
    assert!(err.to_string().contains("greedy-conflicts"), "{err}");
}

#[test]
fn orders_match_comparison_sorts() {
    let limits = Limits::default();
    let w = &mut Watch::new(&limits);
    for seed in 0..5 {
        let mut p = generate::ml(3_000, seed);
        p.buffers[7].offset = Some(0);
        p.buffers[9].lifespan = Interval::new(-50, 3);
        let b = &p.buffers;
        let len = |i: usize| b[i].lifespan.upper as i128 - b[i].lifespan.lower as i128;
        let free: Vec<u32> = (0..b.len() as u32).filter(|&i| i != 7).collect();
        let sorted = |key: &dyn Fn(usize) -> (i128, i128, i128)| {
            let mut v = free.clone();
            v.sort_by_key(|&i| (key(i as usize), i));
            v
        };
        let size = |i: usize| b[i].size as i128;
        assert_eq!(orders::by_size(&p, w).unwrap(), sorted(&|i| (-size(i), -len(i), 0)));
        assert_eq!(orders::by_length(&p, w).unwrap(), sorted(&|i| (-len(i), -size(i), 0)));
        let conflicts: Vec<u64> = (0..b.len() as u64).map(|i| i % 7).collect();
        assert_eq!(
            orders::by_conflicts(&p, &conflicts, w).unwrap(),
            sorted(&|i| (-(conflicts[i] as i128), -size(i), 0))
        );
        assert_eq!(orders::by_start(&p, w).unwrap(), sorted(&|i| (b[i].lifespan.lower as i128, 0, 0)));
    }
}

#[test]
fn conflict_counts_match_brute_force() {
    let limits = Limits::default();
    let w = &mut Watch::new(&limits);
    for seed in 0..10 {
        let p = decorate(generate::random(150, seed, 50, 20), seed);
        let counts = Prepared::new(&p, w).unwrap().conflict_counts(w).unwrap();
        let b = &p.buffers;
        for i in 0..b.len() {
            let expected = (0..b.len()).filter(|&j| j != i && b[i].effective_size(&b[j]).is_some()).count();
            assert_eq!(counts[i], expected as u64, "buffer {i}");
        }
    }
}

#[test]
fn empty_problem() {
    for h in Heuristic::ALL {
        assert_eq!(run(&Problem::default(), h), Ok(Solution::default()));
    }
}

#[test]
fn generated_instances_match_the_reference() {
    for seed in 0..12 {
        check_all(&generate::random(120, seed, 60, 50));
        check_all(&generate::ml(200, seed));
        check_all(&generate::guillotine(150, seed, 1 << 10, 1 << 10));
        check_all(&generate::thin(&generate::guillotine(200, seed, 400, 300), 0.3, seed));
    }
}

#[test]
fn decorated_instances_match_the_reference() {
    let (mut fixed, mut gapped) = (0, 0);
    for seed in 0..25 {
        for problem in [
            decorate(generate::random(100, seed, 40, 30), seed),
            decorate(generate::ml(150, seed), seed + 100),
            decorate(generate::guillotine(120, seed, 64, 64), seed + 200),
        ] {
            fixed += problem.buffers.iter().filter(|b| b.offset.is_some()).count();
            gapped += problem.buffers.iter().filter(|b| !b.gaps.is_empty()).count();
            check_all(&problem);
        }
    }
    assert!(fixed > 150 && gapped > 1_000, "{fixed} fixed, {gapped} with gaps");
}

#[test]
fn larger_instances_validate() {
    check_all(&generate::ml(20_000, 3));
    check_all(&generate::random(5_000, 4, 2_000, 1 << 20));
    check_all(&decorate(generate::random(3_000, 5, 1_000, 1_000), 6));
    check_all(&generate::guillotine(5_000, 7, 1 << 30, 1 << 30));
}

#[test]
fn best_fit_and_first_fit_differ() {
    // `a`, `b` and `c` leave a hole of 4 at [0, 4) and one of 2 at [6, 8);
    // `x` (size 2) fits both: best fit takes the tight one, first fit the
    // lowest.
    let mut buffers = vec![
        Buffer::new("a", 0, 10, 2),
        Buffer::new("b", 0, 10, 2),
        Buffer::new("c", 0, 10, 2),
        Buffer::new("x", 2, 4, 2),
    ];
    buffers[0].offset = Some(4);
    buffers[1].offset = Some(8);
    buffers[2].offset = Some(10);
    let problem = Problem { buffers, capacity: 0 };
    let best = run(&problem, Heuristic::GreedySize).unwrap();
    assert_eq!(best.offsets, vec![4, 8, 10, 6]);
    let first = run(&problem, Heuristic::FirstFit).unwrap();
    assert_eq!(first.offsets, vec![4, 8, 10, 0]);
    assert_eq!(run(&problem, Heuristic::GreedyConflicts).unwrap().offsets, vec![4, 8, 10, 0]);
    for h in [Heuristic::XlaSpatial, Heuristic::XlaTemporal, Heuristic::Xla] {
        assert_eq!(run(&problem, h).unwrap().offsets, vec![4, 8, 10, 6], "{h}");
    }
}

#[test]
fn alignment_is_kept() {
    // A hole [2, 7) of 5: a buffer of 2 aligned to 4 fits at 4 (best fit,
    // the only hole), one aligned to 8 does not and goes on top.
    let mut buffers =
        vec![Buffer::new("low", 0, 4, 2), Buffer::new("high", 0, 4, 3), Buffer::new("x", 1, 2, 2)];
    buffers[0].offset = Some(0);
    buffers[1].offset = Some(7);
    buffers[2].alignment = 4;
    let mut problem = Problem { buffers, capacity: 0 };
    assert_eq!(run(&problem, Heuristic::GreedySize).unwrap().offsets, vec![0, 7, 4]);
    problem.buffers[2].alignment = 8;
    assert_eq!(run(&problem, Heuristic::GreedySize).unwrap().offsets, vec![0, 7, 16]);
    assert_eq!(run(&problem, Heuristic::FirstFit).unwrap().offsets, vec![0, 7, 16]);
}

#[test]
fn gaps_and_windows_share_space() {
    // `a` is idle during [2, 6) and keeps only [0, 1) of itself during
    // [6, 8): `b` may sit at 0 during [2, 6), `c` from 1 during [6, 8).
    let mut a = Buffer::new("a", 0, 8, 4);
    a.gaps = vec![gap(2, 6, None), gap(6, 8, Some((0, 1)))];
    let problem =
        Problem { buffers: vec![a, Buffer::new("b", 2, 6, 4), Buffer::new("c", 6, 8, 3)], capacity: 0 };
    for h in Heuristic::ALL {
        let s = run(&problem, h).unwrap();
        assert_eq!(s.offsets, vec![0, 0, 1], "{h}");
        assert_eq!(s.height, 4);
    }
    check_all(&problem);
}

#[test]
fn fixed_offsets_are_kept_and_checked() {
    let mut buffers = vec![Buffer::new("a", 0, 4, 4), Buffer::new("b", 2, 6, 4), Buffer::new("c", 0, 6, 2)];
    buffers[1].offset = Some(2);
    let problem = Problem { buffers: buffers.clone(), capacity: 0 };
    for h in Heuristic::ALL {
        assert_eq!(run(&problem, h).unwrap().offsets[1], 2, "{h}");
    }
    check_all(&problem);
    buffers[0].offset = Some(8);
    buffers[2].offset = Some(5);
    let conflict = Problem { buffers: buffers.clone(), capacity: 0 };
    for h in Heuristic::ALL {
        assert_eq!(
            run(&conflict, h),
            Err(HeuristicError::FixedConflict { first: "b".into(), second: "c".into() }),
            "{h}"
        );
    }
    buffers[2].offset = Some(6);
    buffers[1].alignment = 4;
    let misaligned = Problem { buffers, capacity: 0 };
    assert_eq!(
        run(&misaligned, Heuristic::FirstFit),
        Err(HeuristicError::MisalignedFixed { id: "b".into() })
    );
}

#[test]
fn invalid_problems_are_rejected() {
    let problem = Problem { buffers: vec![Buffer::new("a", 3, 3, 4)], capacity: 0 };
    assert!(matches!(run(&problem, Heuristic::Xla), Err(HeuristicError::InvalidProblem(_))));
}

#[test]
fn huge_sizes_overflow_cleanly() {
    let big = i64::MAX / 2 + 1;
    let problem =
        Problem { buffers: vec![Buffer::new("a", 0, 2, big), Buffer::new("b", 1, 3, big)], capacity: 0 };
    for h in Heuristic::ALL {
        assert!(matches!(run(&problem, h), Err(HeuristicError::Overflow { .. })), "{h}");
        assert!(matches!(reference(&problem, h), Err(HeuristicError::Overflow { .. })), "{h}");
    }
    // Exactly fitting is fine.
    let fits = Problem {
        buffers: vec![Buffer::new("a", 0, 2, i64::MAX / 2), Buffer::new("b", 1, 3, i64::MAX / 2 + 1)],
        capacity: 0,
    };
    for h in Heuristic::ALL {
        assert_eq!(run(&fits, h).unwrap().height, i64::MAX, "{h}");
    }
    // A fixed buffer near the top, another placed below it.
    let mut top = Buffer::new("top", 0, 4, 10);
    top.offset = Some(i64::MAX - 10);
    let near = Problem { buffers: vec![top, Buffer::new("x", 0, 4, 7)], capacity: 0 };
    check_all(&near);
}

#[test]
fn deadline_in_the_past_times_out_quickly() {
    let problem = generate::ml(200_000, 9);
    let start = Instant::now();
    for h in Heuristic::ALL {
        let limits = Limits { deadline: Some(Instant::now()), cancel: None };
        assert_eq!(place(&problem, h, &limits), Err(HeuristicError::Timeout), "{h}");
    }
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
}

#[test]
fn deadline_during_the_run_is_honoured() {
    let problem = generate::random(200_000, 1, 100_000, 1 << 20);
    let start = Instant::now();
    let limits = Limits { deadline: Some(start + Duration::from_millis(30)), cancel: None };
    let result = place(&problem, Heuristic::Xla, &limits);
    let elapsed = start.elapsed();
    // Either it finished in time or it stopped soon after the deadline.
    assert!(result.is_ok() || result == Err(HeuristicError::Timeout));
    assert!(elapsed < Duration::from_millis(30 + 100), "{elapsed:?}");
}

#[test]
fn cancel_flag_stops_the_run() {
    let flag = AtomicBool::new(true);
    let limits = Limits { deadline: None, cancel: Some(&flag) };
    assert_eq!(
        place(&generate::ml(1_000, 1), Heuristic::GreedySize, &limits),
        Err(HeuristicError::Cancelled)
    );
}

//! Fuzzers for minimalloc that run on the stable toolchain.
//!
//! ```text
//! cargo run --release -p minimalloc-fuzz -- csv    [SECONDS] [SEED]
//! cargo run --release -p minimalloc-fuzz -- solver [SECONDS] [SEED]
//! ```
//!
//! - `csv` mutates the seed corpus in `fuzz/corpus/csv` (byte flips, cut and
//!   spliced lines, tokens that matter to the format: separators, signs,
//!   huge numbers, BOMs, CRLFs, header names) and feeds each result to the
//!   CSV reader. The reader must never panic; whatever it accepts must be a
//!   well-formed problem that writes and reads back unchanged, and, when
//!   small, solves to a solution the validator accepts.
//! - `solver` draws random small problems (gaps, windows, alignment, fixed
//!   offsets, huge values) and random settings (every switch, heuristic
//!   lists, minimizing) and checks that the solver never panics and that every
//!   solution it returns validates; every fourth problem also goes through
//!   every allocator (`auto`, `exact`, each heuristic), whose solutions must
//!   validate, and "infeasible" must never be claimed (where the search is
//!   complete) when a heuristic fits.
//!
//! A failing input is written to `fuzz/findings/` and the process exits with
//! status 1. Findings become regression tests in `crates/*/tests`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use minimalloc::allocate::{Algorithm, Allocator, Status};
use minimalloc::generate::Rng;
use minimalloc::search::SearchMode;
use minimalloc::validate::validate;
use minimalloc::{csv, Buffer, Gap, Interval, Problem, SolveError, Solver, SolverParams};

/// Tokens worth inserting into CSV text.
const TOKENS: &[&str] = &[
    ",",
    "\n",
    "\r\n",
    "\"",
    "-",
    "@",
    ":",
    " ",
    "\u{feff}",
    "0",
    "-1",
    "+7",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999",
    "id",
    "lower",
    "upper",
    "size",
    "end",
    "start",
    "buffer",
    "alignment",
    "gaps",
    "offset",
    "hint",
    "1-2",
    "3-5@0:2",
    "\u{0}",
    "\u{ff}",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("");
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let runs = match mode {
        "csv" => fuzz_csv(root, deadline, seed),
        "solver" => fuzz_solver(root, deadline, seed),
        _ => {
            eprintln!("usage: minimalloc-fuzz csv|solver [SECONDS] [SEED]");
            std::process::exit(2);
        }
    };
    println!("{mode}: {runs} inputs, no finding");
}

/// Saves a failing input and stops.
fn finding(root: &Path, name: &str, bytes: &[u8], why: &str) -> ! {
    let dir = root.join("findings");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    let _ = std::fs::write(&path, bytes);
    eprintln!("FINDING ({why}); input saved to {}", path.display());
    std::process::exit(1);
}

fn corpus(root: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("corpus/csv"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    if seeds.is_empty() {
        vec![b"id,lower,upper,size\na,0,1,1\n".to_vec()]
    } else {
        seeds
    }
}

fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.range(1, 6) {
        let len = out.len() as i64;
        match rng.range(0, 7) {
            0 if len > 0 => {
                let i = rng.range(0, len) as usize;
                out[i] ^= 1 << rng.range(0, 8);
            }
            1 => {
                let token = TOKENS[rng.range(0, TOKENS.len() as i64) as usize].as_bytes();
                let i = rng.range(0, len + 1) as usize;
                out.splice(i..i, token.iter().copied());
            }
            2 if len > 0 => {
                let i = rng.range(0, len) as usize;
                let j = (i + rng.range(1, 16) as usize).min(out.len());
                out.drain(i..j);
            }
            3 => {
                // Duplicate a line.
                let text = out.clone();
                let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
                let line = lines[rng.range(0, lines.len() as i64) as usize];
                let i = rng.range(0, len + 1) as usize;
                out.splice(i..i, line.iter().chain(b"\n").copied());
            }
            4 => {
                // Splice in the tail of another corpus file.
                let other = &corpus[rng.range(0, corpus.len() as i64) as usize];
                let from = rng.range(0, other.len() as i64 + 1) as usize;
                let i = rng.range(0, len + 1) as usize;
                out.truncate(i);
                out.extend_from_slice(&other[from..]);
            }
            5 if len > 0 => {
                // Replace a digit run by a token.
                let i = rng.range(0, len) as usize;
                if out[i].is_ascii_digit() {
                    let mut j = i;
                    while j < out.len() && out[j].is_ascii_digit() {
                        j += 1;
                    }
                    let token = TOKENS[rng.range(9, 15) as usize].as_bytes();
                    out.splice(i..j, token.iter().copied());
                }
            }
            _ => {
                let i = rng.range(0, len + 1) as usize;
                out.insert(i, rng.range(0, 256) as u8);
            }
        }
    }
    out
}

fn fuzz_csv(root: &Path, deadline: Instant, seed: u64) -> u64 {
    let corpus = corpus(root);
    let mut rng = Rng::new(seed);
    let mut runs = 0u64;
    while Instant::now() < deadline {
        let base = &corpus[rng.range(0, corpus.len() as i64) as usize];
        let input = mutate(&mut rng, base, &corpus);
        runs += 1;
        let outcome = catch_unwind(AssertUnwindSafe(|| check_csv(&input)));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(why)) => finding(root, &format!("csv-{seed}-{runs}.csv"), &input, &why),
            Err(_) => finding(root, &format!("csv-{seed}-{runs}.csv"), &input, "panic"),
        }
    }
    runs
}

/// The invariants of one CSV input.
fn check_csv(input: &[u8]) -> Result<(), String> {
    let Ok(problem) = csv::read_problem(input, "fuzz.csv") else {
        return Ok(());
    };
    problem.check().map_err(|e| format!("accepted a malformed problem: {e}"))?;
    let text = csv::to_csv(&problem, None);
    let again = csv::from_csv(&text).map_err(|e| format!("own output does not read back: {e}"))?;
    let strip = |p: &Problem| -> Problem {
        let mut p = p.clone();
        p.buffers.iter_mut().for_each(|b| b.offset = None);
        p
    };
    if strip(&again) != strip(&problem) {
        return Err("round trip changed the problem".into());
    }
    if problem.buffers.len() <= 8 {
        let mut p = problem;
        p.capacity = p.stacked_height().unwrap_or(i64::MAX).min(1 << 40);
        check_solve(
            &p,
            SolverParams { timeout: Some(Duration::from_millis(50)), ..SolverParams::default() },
        )?;
    }
    Ok(())
}

/// Solves and checks the outcome.
fn check_solve(p: &Problem, params: SolverParams) -> Result<(), String> {
    let minimize = params.minimize_capacity;
    let mut solver = Solver::new(params);
    match solver.solve(p) {
        Ok(solution) => {
            let mut checked = p.clone();
            if minimize {
                checked.capacity = checked.capacity.max(solution.height);
            }
            validate(&checked, &solution).map_err(|v| format!("invalid solution: {v}"))
        }
        Err(SolveError::Infeasible { .. }) | Err(SolveError::Timeout(_)) => Ok(()),
        Err(other) => Err(format!("unexpected error: {other}")),
    }
}

/// Runs every allocator (`auto`, `exact`, each heuristic) with and without
/// the capacity; every solution must validate, and with default settings and
/// no windows (where the search is complete) "infeasible" must not be claimed
/// when a heuristic fits.
fn check_allocators(p: &Problem) -> Result<(), String> {
    let params = SolverParams { timeout: Some(Duration::from_millis(50)), ..SolverParams::default() };
    let complete = p.buffers.iter().all(|b| b.gaps.iter().all(|g| g.window.is_none()));
    let mut fitting: Option<&'static str> = None;
    let mut infeasible: Option<&'static str> = None;
    for algorithm in Algorithm::all() {
        for capacity in [Some(p.capacity), None] {
            let allocation = Allocator::new(params.clone()).allocate(p, capacity, algorithm);
            if let Some(solution) = &allocation.solution {
                if matches!(allocation.status, Status::Solved | Status::TimeoutFallback) {
                    let mut checked = p.clone();
                    checked.capacity = capacity.unwrap_or(solution.height);
                    validate(&checked, solution)
                        .map_err(|v| format!("{algorithm} (capacity {capacity:?}): invalid solution: {v}"))?;
                    if capacity.is_some() {
                        fitting = Some(algorithm.name());
                    }
                }
                if solution.height < allocation.proved_lower_bound {
                    return Err(format!("{algorithm}: height below the proved lower bound"));
                }
            }
            if capacity.is_some() && allocation.status == Status::Infeasible {
                infeasible = Some(algorithm.name());
            }
        }
    }
    match (fitting, infeasible) {
        (Some(fit), Some(inf)) if complete => Err(format!("{inf} says infeasible but {fit} fits")),
        _ => Ok(()),
    }
}

/// Without gap windows both searches are complete: when both answer, they
/// must agree on feasibility.
fn check_searches_agree(p: &Problem) -> Result<(), String> {
    // With windows the reference's search is exact only with the techniques
    // that assume upward placement off.
    let windows = p.buffers.iter().any(|b| b.gaps.iter().any(|g| g.window.is_some()));
    let mut answers = Vec::new();
    for search in [SearchMode::Reference, SearchMode::Fast] {
        let complete = windows && search == SearchMode::Reference;
        let params = SolverParams {
            timeout: Some(Duration::from_millis(50)),
            search,
            canonical_only: !complete,
            monotonic_floor: !complete,
            check_dominance: !complete,
            hatless_pruning: !complete,
            ..SolverParams::default()
        };
        match Solver::new(params).solve(p) {
            Ok(solution) => {
                validate(p, &solution).map_err(|v| format!("{search} search: invalid solution: {v}"))?;
                answers.push(Some(true));
            }
            Err(SolveError::Infeasible { .. }) => answers.push(Some(false)),
            Err(_) => answers.push(None),
        }
    }
    match (answers[0], answers[1]) {
        (Some(a), Some(b)) if a != b => Err(format!("reference search says feasible={a}, fast search {b}")),
        _ => Ok(()),
    }
}

fn random_problem(rng: &mut Rng) -> Problem {
    let n = rng.range(0, 9) as usize;
    let huge = rng.unit() < 0.05;
    // Sometimes the whole problem sits at an end of the 64-bit time axis
    // (an audit found the time-reversed skyline overflowing at i64::MIN).
    let shift = match rng.range(0, 10) {
        0 => i64::MIN,
        1 => i64::MAX - 21,
        _ => 0,
    };
    let mut buffers = Vec::with_capacity(n);
    for i in 0..n {
        let lower = rng.range(0, 12);
        let upper = lower + rng.range(1, 10);
        let size = if huge { i64::MAX / rng.range(1, 4) } else { rng.range(1, 9) };
        let mut b = Buffer::new(format!("b{i}"), lower, upper, size);
        if rng.unit() < 0.2 {
            b.alignment = [2, 4, 8][rng.range(0, 3) as usize];
        }
        let mut t = lower;
        while rng.unit() < 0.3 && t < upper {
            let gl = rng.range(t, upper);
            let gu = rng.range(gl + 1, upper + 1);
            let window = (rng.unit() < 0.5).then(|| {
                let a = rng.range(0, size.min(8) + 1);
                Interval::new(a, rng.range(a, size.min(8) + 1))
            });
            b.gaps.push(Gap { lifespan: Interval::new(gl, gu), window });
            t = gu;
        }
        if rng.unit() < 0.1 {
            b.offset = Some(rng.range(0, 12));
        }
        b.lifespan = Interval::new(b.lifespan.lower + shift, b.lifespan.upper + shift);
        for gap in &mut b.gaps {
            gap.lifespan = Interval::new(gap.lifespan.lower + shift, gap.lifespan.upper + shift);
        }
        buffers.push(b);
    }
    let capacity = if huge { i64::MAX - rng.range(0, 3) } else { rng.range(0, 24) };
    Problem { buffers, capacity }
}

fn random_params(rng: &mut Rng) -> SolverParams {
    let mut flag = || rng.unit() < 0.7;
    let mut params = SolverParams {
        timeout: Some(Duration::from_millis(50)),
        canonical_only: flag(),
        section_inference: flag(),
        dynamic_ordering: flag(),
        check_dominance: flag(),
        unallocated_floor: flag(),
        static_preordering: flag(),
        dynamic_decomposition: flag(),
        monotonic_floor: flag(),
        hatless_pruning: flag(),
        minimize_capacity: rng.unit() < 0.2,
        ..SolverParams::default()
    };
    if rng.unit() < 0.5 {
        params.search = SearchMode::Fast;
    }
    if rng.unit() < 0.3 {
        let letters = ["A", "C", "L", "O", "T", "U", "W", "Z"];
        let count = rng.range(1, 4);
        params.preordering_heuristics = (0..count)
            .map(|_| (0..rng.range(0, 4)).map(|_| letters[rng.range(0, 8) as usize]).collect())
            .collect();
    }
    params
}

fn fuzz_solver(root: &Path, deadline: Instant, seed: u64) -> u64 {
    let mut rng = Rng::new(seed);
    let mut runs = 0u64;
    while Instant::now() < deadline {
        let problem = random_problem(&mut rng);
        if problem.check().is_err() {
            continue;
        }
        let params = random_params(&mut rng);
        runs += 1;
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            check_solve(&problem, params.clone())?;
            check_searches_agree(&problem)?;
            if runs.is_multiple_of(4) {
                check_allocators(&problem)?;
            }
            Ok::<(), String>(())
        }));
        let why = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(why)) => why,
            Err(_) => "panic".to_string(),
        };
        let fixed: Vec<Option<i64>> = problem.buffers.iter().map(|b| b.offset).collect();
        let text = format!(
            "{why}\n{params:?}\ncapacity {}\nfixed offsets {fixed:?}\n{}",
            problem.capacity,
            csv::to_csv(&problem, None)
        );
        finding(root, &format!("solver-{seed}-{runs}.txt"), text.as_bytes(), &why);
    }
    runs
}

//! One entry point for every algorithm: the exact search, each heuristic, and
//! `auto`, which combines them.
//!
//! `auto` runs the heuristics first (they take milliseconds); if one of them
//! reaches the lower bound, or fits the capacity, that is the answer.
//! Otherwise the exact search gets the time limit. With a capacity it decides
//! feasibility; without one it closes the gap between the max-load lower bound
//! and the best heuristic height by bisection, each probe an exact search, and
//! reports the gap it proved. If time runs out first, the best heuristic
//! solution stands, flagged [`Status::TimeoutFallback`].

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::heuristics::{self, Heuristic, HeuristicError, Limits};
use crate::problem::{align_up, Problem, Solution};
use crate::search::{CancelHandle, SearchStats, SolveError, Solver, SolverParams};

/// What to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// Heuristics first, then the exact search (see the module docs).
    Auto,
    /// The MiniMalloc search alone.
    Exact,
    /// One heuristic alone.
    Heuristic(Heuristic),
}

impl Algorithm {
    /// Every algorithm, `auto` and `exact` first.
    pub fn all() -> Vec<Algorithm> {
        let mut all = vec![Algorithm::Auto, Algorithm::Exact];
        all.extend(Heuristic::ALL.iter().map(|&h| Algorithm::Heuristic(h)));
        all
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Auto => "auto",
            Algorithm::Exact => "exact",
            Algorithm::Heuristic(h) => h.name(),
        }
    }
}

impl std::str::FromStr for Algorithm {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        match name {
            "auto" => Ok(Algorithm::Auto),
            "exact" => Ok(Algorithm::Exact),
            other => Heuristic::from_name(other).map(Algorithm::Heuristic).ok_or_else(|| {
                let names: Vec<&str> = Algorithm::all().iter().map(|a| a.name()).collect();
                format!("unknown algorithm {other:?}; expected one of {}", names.join(", "))
            }),
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How an allocation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// A solution within the capacity (or, when minimizing, one proved
    /// optimal or the best found).
    Solved,
    /// Proved: nothing fits in the capacity.
    Infeasible,
    /// A heuristic's solution does not fit in the capacity (not a proof).
    Unfit,
    /// Time ran out without a solution.
    Timeout,
    /// Time ran out in the exact search; the best heuristic solution stands.
    TimeoutFallback,
    /// Cancelled from another thread.
    Cancelled,
    /// Without a capacity, no placement was found whose height fits in 64
    /// bits (the heuristics overflowed, and so does stacking the buffers).
    Unrepresentable,
    /// The exact search was needed but the problem is too large for it (see
    /// [`crate::search::MAX_SEARCH_BYTES`]).
    TooLarge,
    /// The problem or the solver settings are malformed (see the notes).
    Invalid,
}

impl Status {
    /// The name used in `--stats` files.
    pub fn name(self) -> &'static str {
        match self {
            Status::Solved => "solved",
            Status::Infeasible => "infeasible",
            Status::Unfit => "unfit",
            Status::Timeout => "timeout",
            Status::TimeoutFallback => "timeout-fallback",
            Status::Cancelled => "cancelled",
            Status::Unrepresentable => "unrepresentable",
            Status::TooLarge => "too-large",
            Status::Invalid => "invalid",
        }
    }
}

/// The outcome of [`Allocator::allocate`].
#[derive(Clone, Debug)]
pub struct Allocation {
    /// How it ended.
    pub status: Status,
    /// The solution, when there is one (also for `Unfit`, to show how far off
    /// it is).
    pub solution: Option<Solution>,
    /// Which algorithm produced the solution.
    pub produced_by: Option<&'static str>,
    /// The lower bound of [`bound::lower_bound`](crate::bound::lower_bound):
    /// the max load, raised by the chain bound when buffers have gaps.
    pub lower_bound: i64,
    /// The best lower bound proved: `lower_bound`, raised by every capacity
    /// the exact search proved infeasible. Equal to the height when the
    /// solution is proved optimal.
    pub proved_lower_bound: i64,
    /// Search statistics (zero if the exact search did not run).
    pub stats: SearchStats,
    /// Remarks for the user (why the exact search was skipped, ...).
    pub notes: Vec<String>,
}

/// Above this estimated memory ([`crate::search::estimated_bytes_for`]) `auto`
/// does not attempt the exact search and keeps the best heuristic.
pub const MAX_AUTO_SEARCH_BYTES: u64 = 2 << 30;

/// Runs algorithms on problems; holds the exact solver's settings.
#[derive(Debug, Default)]
pub struct Allocator {
    params: SolverParams,
    /// Cancels the allocation; each exact search runs on a fresh solver
    /// whose counters are mirrored here.
    handle: CancelHandle,
}

/// The time left before `deadline`.
fn remaining(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|d| d.saturating_duration_since(Instant::now()))
}

impl Allocator {
    /// An allocator whose exact search uses `params` (its `timeout` is the
    /// time limit of the whole allocation).
    pub fn new(params: SolverParams) -> Self {
        Allocator { params, handle: CancelHandle::default() }
    }

    /// A handle to cancel a running allocation and read its progress.
    pub fn cancel_handle(&self) -> CancelHandle {
        self.handle.clone()
    }

    /// Allocates `problem` within `capacity`, or minimizes the peak when
    /// `capacity` is `None` (the problem's own capacity is ignored).
    pub fn allocate(&mut self, problem: &Problem, capacity: Option<i64>, algorithm: Algorithm) -> Allocation {
        let deadline = self.params.timeout.and_then(|t| Instant::now().checked_add(t));
        let lower_bound = crate::bound::lower_bound(problem);
        let mut out = Allocation {
            status: Status::Timeout,
            solution: None,
            produced_by: None,
            lower_bound,
            proved_lower_bound: lower_bound,
            stats: SearchStats::default(),
            notes: Vec::new(),
        };
        let handle = self.handle.clone();
        handle.reset();
        if let Err(e) = problem.check() {
            out.status = Status::Invalid;
            out.notes.push(e.to_string());
            return out;
        }
        if let Err(e) = self.params.comparators() {
            out.status = Status::Invalid;
            out.notes.push(e.to_string());
            return out;
        }
        if capacity.is_some_and(|c| c < lower_bound) {
            // Some moment needs more memory than the capacity.
            out.status = Status::Infeasible;
            out.notes.push(format!("the lower bound {lower_bound} exceeds the capacity"));
            return out;
        }
        let heuristic_run = |h: Heuristic| {
            let limits = Limits { deadline, cancel: Some(handle.flag()) };
            heuristics::place(problem, h, &limits)
        };
        match algorithm {
            Algorithm::Heuristic(h) => {
                match heuristic_run(h) {
                    Ok(solution) => {
                        let fits = capacity.is_none_or(|c| solution.height <= c);
                        out.status = if fits { Status::Solved } else { Status::Unfit };
                        out.produced_by = Some(h.name());
                        out.solution = Some(solution);
                    }
                    Err(e) => self.heuristic_failed(&mut out, h, e),
                }
                out
            }
            Algorithm::Exact => {
                match capacity {
                    Some(c) => self.exact_at(problem, c, None, deadline, &mut out),
                    None => {
                        // The heuristics only bound the range searched.
                        let (best, _) = self.best_heuristic(problem, deadline, &mut out);
                        out.produced_by = None;
                        self.exact_below(problem, best, deadline, &mut out);
                    }
                }
                out
            }
            Algorithm::Auto => {
                let (best, out_of_time) = self.best_heuristic(problem, deadline, &mut out);
                let Some(best) = best else {
                    if out_of_time {
                        // The heuristics used up the time limit, or were
                        // cancelled.
                        if self.handle.is_cancelled() {
                            out.status = Status::Cancelled;
                        } else {
                            out.notes
                                .push("the heuristics ran out of time before placing every buffer".into());
                            out.status = Status::Timeout;
                        }
                        return out;
                    }
                    // No heuristic could run (conflicting fixed offsets, ...):
                    // the exact search decides.
                    match capacity {
                        Some(c) => self.exact_at(problem, c, None, deadline, &mut out),
                        None => self.exact_below(problem, None, deadline, &mut out),
                    }
                    return out;
                };
                let fits = capacity.is_none_or(|c| best.height <= c);
                let reaches_bound = best.height <= lower_bound;
                if fits && (reaches_bound || capacity.is_some()) {
                    if reaches_bound {
                        out.proved_lower_bound = best.height;
                    }
                    out.status = Status::Solved;
                    out.solution = Some(best);
                    return out;
                }
                let bytes = crate::search::estimated_bytes_for(problem, self.params.search);
                if bytes > MAX_AUTO_SEARCH_BYTES {
                    out.notes.push(format!(
                        "exact search skipped: it would need about {} MiB (auto's limit {} MiB)",
                        bytes >> 20,
                        MAX_AUTO_SEARCH_BYTES >> 20
                    ));
                    out.status = if capacity.is_some() { Status::Unfit } else { Status::TimeoutFallback };
                    out.solution = Some(best);
                    return out;
                }
                match capacity {
                    Some(c) => {
                        self.exact_at(problem, c, Some(&best), deadline, &mut out);
                        if out.status == Status::Timeout {
                            out.notes.push(format!(
                                "no heuristic fits (best height {}) and the exact search ran out of time",
                                best.height
                            ));
                        }
                    }
                    None => {
                        let heuristic_name = out.produced_by;
                        let (lo, hi) = (lower_bound, best.height - 1);
                        self.exact_minimize(problem, lo, hi, Some(&best), deadline, &mut out);
                        match out.status {
                            Status::Solved => {}
                            // Nothing below the heuristic's height: it is
                            // optimal (when the search's "no" is a proof).
                            Status::Infeasible => {
                                out.status = Status::Solved;
                                if crate::search::infeasible_is_proof(problem, &self.params) {
                                    out.proved_lower_bound = best.height;
                                }
                                out.solution = Some(best);
                                out.produced_by = heuristic_name;
                            }
                            // The exact search could not finish: the
                            // heuristic answer stands.
                            Status::Timeout | Status::TimeoutFallback | Status::TooLarge => {
                                out.status = Status::TimeoutFallback;
                                out.solution = Some(best);
                                out.produced_by = heuristic_name;
                            }
                            Status::Cancelled | Status::Unfit | Status::Unrepresentable | Status::Invalid => {
                            }
                        }
                    }
                }
                out
            }
        }
    }

    /// The lowest solution among the heuristics (each distinct order once),
    /// and whether they stopped for the time limit (or a cancel) before
    /// trying them all.
    fn best_heuristic(
        &self,
        problem: &Problem,
        deadline: Option<Instant>,
        out: &mut Allocation,
    ) -> (Option<Solution>, bool) {
        let mut best: Option<(Solution, &'static str)> = None;
        let mut stopped = false;
        let limits = Limits { deadline, cancel: Some(self.handle.flag()) };
        for h in
            [Heuristic::GreedySize, Heuristic::XlaTemporal, Heuristic::GreedyConflicts, Heuristic::FirstFit]
        {
            match heuristics::place(problem, h, &limits) {
                Ok(s) => {
                    if best.as_ref().is_none_or(|(b, _)| s.height < b.height) {
                        best = Some((s, h.name()));
                    }
                }
                Err(HeuristicError::Timeout | HeuristicError::Cancelled) => {
                    stopped = true;
                    break;
                }
                Err(e) => {
                    out.notes.push(format!("{}: {e}", h.name()));
                }
            }
        }
        if let Some((solution, name)) = &best {
            out.produced_by = Some(name);
            // Shown by progress displays while the exact search runs.
            self.handle.offer_height(solution.height);
        }
        (best.map(|(solution, _)| solution), stopped)
    }

    fn heuristic_failed(&self, out: &mut Allocation, h: Heuristic, e: HeuristicError) {
        out.status = match e {
            HeuristicError::Timeout => Status::Timeout,
            HeuristicError::Cancelled => Status::Cancelled,
            HeuristicError::FixedConflict { .. } | HeuristicError::MisalignedFixed { .. } => {
                Status::Infeasible
            }
            _ => Status::Unfit,
        };
        out.notes.push(format!("{}: {e}", h.name()));
    }

    /// A solver with this allocator's settings (`minimize_capacity` aside)
    /// for one search ending by `deadline`, starting from `seed` when given
    /// instead of running the heuristics again.
    fn solver(&self, deadline: Option<Instant>, seed: Option<&Solution>, minimize_capacity: bool) -> Solver {
        let params = SolverParams { timeout: remaining(deadline), minimize_capacity, ..self.params.clone() };
        let mut solver = Solver::new(params);
        if let Some(seed) = seed {
            solver.seed_with(seed.clone());
        }
        solver
    }

    /// One exact search at `capacity`; `seed`, the best heuristic placement
    /// when the heuristics ran already, spares the search running them again.
    fn exact_at(
        &self,
        problem: &Problem,
        capacity: i64,
        seed: Option<&Solution>,
        deadline: Option<Instant>,
        out: &mut Allocation,
    ) {
        let mut at = problem.clone();
        at.capacity = capacity;
        // `minimize_capacity` as the caller set it: the lowest capacity up
        // to `capacity`.
        let mut solver = self.solver(deadline, seed, self.params.minimize_capacity);
        let result = run_cancellable(&mut solver, &self.handle, |solver| solver.solve(&at));
        out.stats = add(out.stats, solver.stats());
        match result {
            Ok(solution) => {
                out.status = Status::Solved;
                out.solution = Some(solution);
                out.produced_by = Some("exact");
            }
            Err(SolveError::Infeasible { .. }) => {
                out.status = Status::Infeasible;
                if crate::search::infeasible_is_proof(problem, &self.params) {
                    // Heights come in multiples of the granularity.
                    let above = align_up(capacity.saturating_add(1), problem.granularity());
                    out.proved_lower_bound = out.proved_lower_bound.max(above.unwrap_or(i64::MAX));
                }
            }
            Err(SolveError::Timeout(_)) => out.status = Status::Timeout,
            Err(SolveError::Cancelled) => out.status = Status::Cancelled,
            Err(e @ SolveError::TooLarge { .. }) => {
                out.status = Status::TooLarge;
                out.notes.push(e.to_string());
            }
            Err(other) => {
                out.status = Status::Infeasible;
                out.notes.push(other.to_string());
            }
        }
        if out.solution.is_none() {
            out.produced_by = None;
        }
    }

    /// Minimizes with exact searches between the lower bound and the lowest
    /// height known to be reachable: `reached`'s (a heuristic placement) or
    /// stacking the buffers, else `i64::MAX` (then "nothing found" means
    /// `Unrepresentable`: no placement fits in 64 bits).
    fn exact_below(
        &self,
        problem: &Problem,
        reached: Option<Solution>,
        deadline: Option<Instant>,
        out: &mut Allocation,
    ) {
        let known = match (reached.as_ref().map(|s| s.height), problem.stacked_height()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.exact_minimize(
            problem,
            out.lower_bound,
            known.unwrap_or(i64::MAX),
            reached.as_ref(),
            deadline,
            out,
        );
        // Nothing up to i64::MAX: beyond 64 bits, unless fixed buffers clash
        // (infeasible at any height).
        if known.is_none() && out.status == Status::Infeasible && !crate::search::fixed_buffers_clash(problem)
        {
            out.status = Status::Unrepresentable;
        }
    }

    /// Bisects the capacity in `[lo, hi]` with exact searches (one sweep for
    /// all probes); the solution found lowest wins. Ends `Solved` (something
    /// found; optimal when the proved bound meets it), `Infeasible` (nothing
    /// in the range), or `Timeout`/`Cancelled`/`TooLarge`.
    fn exact_minimize(
        &self,
        problem: &Problem,
        lo: i64,
        hi: i64,
        seed: Option<&Solution>,
        deadline: Option<Instant>,
        out: &mut Allocation,
    ) {
        let mut solver = self.solver(deadline, seed, false);
        let (lo, hi) = (lo.max(0), hi);
        let result = run_cancellable(&mut solver, &self.handle, |solver| solver.minimize(problem, lo, hi));
        out.stats = add(out.stats, solver.stats());
        if lo <= hi {
            out.proved_lower_bound = out.proved_lower_bound.max(solver.proved_lower_bound());
        }
        match result {
            Ok(solution) => {
                out.status = Status::Solved;
                out.solution = Some(solution);
                out.produced_by = Some("exact");
            }
            Err(SolveError::Infeasible { .. }) => out.status = Status::Infeasible,
            Err(SolveError::Cancelled) => out.status = Status::Cancelled,
            Err(e @ SolveError::TooLarge { .. }) => {
                out.notes.push(e.to_string());
                out.status = Status::TooLarge;
            }
            Err(_) => out.status = Status::Timeout,
        }
    }
}

/// Runs `work` on `solver` so that cancelling `handle` (the allocator's)
/// cancels it.
fn run_cancellable(
    solver: &mut Solver,
    handle: &CancelHandle,
    work: impl FnOnce(&mut Solver) -> Result<Solution, SolveError>,
) -> Result<Solution, SolveError> {
    if handle.is_cancelled() {
        return Err(SolveError::Cancelled);
    }
    let inner = solver.cancel_handle();
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if handle.is_cancelled() {
                    inner.cancel();
                    break;
                }
                handle.mirror(&inner);
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        // Set on the way out even if `work` panics: the scope waits for the
        // watcher, which would otherwise loop for ever (an audit finding).
        let _finished = SetOnDrop(&done);
        work(solver)
    })
}

/// Sets its flag when dropped, also while a panic unwinds.
struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

fn add(a: SearchStats, b: SearchStats) -> SearchStats {
    SearchStats {
        backtracks: a.backtracks + b.backtracks,
        nodes: a.nodes + b.nodes,
        probes: a.probes + b.probes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;
    use crate::problem::Buffer;
    use crate::validate::validate;

    #[test]
    fn a_panic_in_a_cancellable_run_ends_the_run_instead_of_hanging() {
        let mut solver = Solver::new(SolverParams::default());
        let handle = CancelHandle::default();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_cancellable(&mut solver, &handle, |_| panic!("a bug in the search"))
        }));
        assert!(outcome.is_err(), "the panic reaches the caller");
    }

    #[test]
    fn auto_returns_a_fitting_heuristic_at_once() {
        let p = generate::ml(300, 1);
        let mut allocator = Allocator::new(SolverParams::default());
        let a = allocator.allocate(&p, Some(i64::MAX / 2), Algorithm::Auto);
        assert_eq!(a.status, Status::Solved);
        assert_ne!(a.produced_by, Some("exact"));
        assert_eq!(a.stats.nodes, 0, "no exact search needed");
    }

    #[test]
    fn minimizing_near_the_top_of_64_bits_finds_what_the_heuristics_cannot() {
        // An audit finding: no heuristic places b (its alignment rounds past
        // 2^63) and stacking overflows, yet b fits at 0 below a: the exact
        // search must still look, up to i64::MAX.
        let mut b = Buffer::new("b", 0, 2, 10);
        b.alignment = 1024;
        let p = Problem { buffers: vec![Buffer::new("a", 0, 2, i64::MAX - 807), b], capacity: 0 };
        let mut allocator = Allocator::new(SolverParams::default());
        let a = allocator.allocate(&p, None, Algorithm::Auto);
        assert_eq!(a.status, Status::Solved, "{:?}", a.notes);
        let solution = a.solution.expect("a solution");
        assert_eq!(validate(&Problem { capacity: solution.height, ..p.clone() }, &solution), Ok(()));
        assert_eq!(solution.height, i64::MAX - 797);
        // Two halves of 64 bits that overlap in time truly do not fit.
        let half = Buffer::new("h", 0, 2, i64::MAX / 2 + 1);
        let p = Problem { buffers: vec![half.clone(), Buffer { id: "i".into(), ..half }], capacity: 0 };
        assert_eq!(allocator.allocate(&p, None, Algorithm::Auto).status, Status::Unrepresentable);
        // But fixed buffers that clash are infeasible at any height, however
        // large the others (a review finding).
        let mut a = Buffer::new("a", 5, 7, 10);
        a.offset = Some(0);
        let mut b = Buffer::new("b", 6, 8, 10);
        b.offset = Some(5);
        let big = |id: &str, t: i64| Buffer::new(id, t, t + 1, i64::MAX - 807);
        let p = Problem { buffers: vec![a, b, big("c", 0), big("d", 2)], capacity: 0 };
        assert_eq!(allocator.allocate(&p, None, Algorithm::Auto).status, Status::Infeasible);
    }

    #[test]
    fn auto_out_of_time_in_the_heuristics_is_a_timeout() {
        // Once the heuristics used the whole time limit, no exact search is
        // tried (its "too large" would be the wrong answer).
        let p = generate::ml(300, 1);
        let mut allocator =
            Allocator::new(SolverParams { timeout: Some(Duration::ZERO), ..Default::default() });
        for capacity in [None, Some(crate::bound::lower_bound(&p))] {
            let a = allocator.allocate(&p, capacity, Algorithm::Auto);
            assert_eq!(a.status, Status::Timeout);
            assert!(a.solution.is_none());
            assert!(a.notes.iter().any(|n| n.contains("ran out of time")), "{:?}", a.notes);
        }
    }

    #[test]
    fn auto_minimizes_to_the_exact_optimum_on_a_tight_instance() {
        let p = generate::guillotine(60, 3, 1 << 10, 1 << 10);
        let mut allocator =
            Allocator::new(SolverParams { timeout: Some(Duration::from_secs(20)), ..Default::default() });
        let a = allocator.allocate(&p, None, Algorithm::Auto);
        let solution = a.solution.expect("a solution");
        assert_eq!(a.status, Status::Solved);
        assert_eq!(solution.height, 1 << 10, "the guillotine rectangle is the optimum");
        let mut checked = p.clone();
        checked.capacity = solution.height;
        assert_eq!(validate(&checked, &solution), Ok(()));
    }

    #[test]
    fn a_refuted_capacity_proves_the_next_multiple_of_the_granularity() {
        // Interlocking pieces (at most 16 live, 20 needed), sizes multiples
        // of 4: nothing fits in 17, so nothing below 20 does.
        let pieces = [(0, 1, 12), (0, 3, 4), (4, 5, 12), (2, 5, 4), (1, 2, 8), (3, 4, 8), (1, 4, 4)];
        let buffers =
            pieces.iter().map(|&(l, u, z)| crate::Buffer::new(format!("{l}-{u}"), l, u, z)).collect();
        let p = Problem { buffers, capacity: 0 };
        assert_eq!(p.granularity(), 4);
        let mut allocator =
            Allocator::new(SolverParams { search: crate::search::SearchMode::Fast, ..Default::default() });
        let a = allocator.allocate(&p, Some(17), Algorithm::Exact);
        assert_eq!(a.status, Status::Infeasible);
        assert_eq!(a.proved_lower_bound, 20);
        let a = allocator.allocate(&p, None, Algorithm::Auto);
        assert_eq!(a.solution.map(|s| s.height), Some(20));
        assert_eq!(a.proved_lower_bound, 20);
    }

    #[test]
    fn every_algorithm_gives_a_valid_answer_or_a_clear_status() {
        let p = generate::random(80, 5, 60, 100);
        for algorithm in Algorithm::all() {
            let mut allocator =
                Allocator::new(SolverParams { timeout: Some(Duration::from_secs(5)), ..Default::default() });
            let a = allocator.allocate(&p, None, algorithm);
            let solution = a.solution.unwrap_or_else(|| panic!("{algorithm}: {:?} {:?}", a.status, a.notes));
            let mut checked = p.clone();
            checked.capacity = solution.height;
            assert_eq!(validate(&checked, &solution), Ok(()), "{algorithm}");
            assert!(solution.height >= a.lower_bound);
            assert!(a.proved_lower_bound <= solution.height);
        }
    }

    #[test]
    fn fuzz_no_false_proof_with_windows() {
        // Found by the solver fuzzer: with gap windows the search's pruning
        // (the reference's) can wrongly answer "infeasible"; that must not be
        // reported as a proved lower bound above a solution found later.
        let text = "id,lower,upper,size,alignment,gaps\nb0,3,11,1,1,6-7@0:1\nb1,8,16,7,1,8-15@4:6\n\
                    b2,5,7,7,1,5-6 6-7\nb3,5,11,4,1,\nb4,0,5,7,1,\nb5,11,13,4,2,\nb6,8,9,6,1,8-9@2:3\n\
                    b7,11,18,6,8,\n";
        let p = crate::csv::from_csv(text).unwrap();
        for algorithm in Algorithm::all() {
            let mut allocator =
                Allocator::new(SolverParams { timeout: Some(Duration::from_secs(5)), ..Default::default() });
            let a = allocator.allocate(&p, None, algorithm);
            let solution = a.solution.expect("a solution");
            assert!(
                a.proved_lower_bound <= solution.height,
                "{algorithm}: {} > {}",
                a.proved_lower_bound,
                solution.height
            );
        }
    }

    #[test]
    fn the_fast_search_proves_the_optimum_with_windows() {
        // Small problems with gaps and windows: with the fast search, `auto`
        // ends with a proof (its "infeasible" is one), and the proved bound
        // is right.
        let fast = SolverParams { search: crate::search::SearchMode::Fast, ..Default::default() };
        let mut beyond_the_bound = 0;
        for seed in 0..30 {
            let p = generate::gaps(&generate::random(9, seed, 12, 9), 0.8, seed);
            let a = Allocator::new(fast.clone()).allocate(&p, None, Algorithm::Auto);
            let solution = a.solution.expect("a solution");
            assert_eq!(a.status, Status::Solved);
            assert_eq!(a.proved_lower_bound, solution.height, "seed {seed}: optimal and proved");
            beyond_the_bound += usize::from(solution.height > a.lower_bound);
            // Nothing lower fits: the complete reference search agrees.
            let complete = SolverParams {
                canonical_only: false,
                monotonic_floor: false,
                check_dominance: false,
                hatless_pruning: false,
                ..Default::default()
            };
            let below = Problem { capacity: solution.height - 1, ..p.clone() };
            assert!(Solver::new(complete).solve(&below).is_err(), "seed {seed}");
        }
        assert!(beyond_the_bound > 0, "some optimum above the lower bound needs the search's proof");
    }

    #[test]
    fn algorithm_names_round_trip() {
        for a in Algorithm::all() {
            assert_eq!(a.name().parse::<Algorithm>(), Ok(a));
        }
        assert!("best".parse::<Algorithm>().unwrap_err().contains("greedy-size"));
    }
}

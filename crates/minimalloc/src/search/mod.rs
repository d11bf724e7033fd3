//! The exact MiniMalloc search: settings, outcomes and the [`Solver`].
//!
//! Two searches answer the same question with the same guarantee (a returned
//! solution is valid; "infeasible" is a proof), chosen by
//! [`SolverParams::search`]:
//!
//! - [`SearchMode::Reference`] (the default here): [`Solver::solve`] sweeps
//!   the problem (see [`crate::sweep`]) and runs the depth-first search of
//!   `search/dfs.rs` over each partition. It visits the same nodes as the C++
//!   reference, so it returns the same offsets and counts the same
//!   backtracks.
//! - [`SearchMode::Fast`]: at a given capacity, the reference's search
//!   first, for a tenth of the time left (at most one second): whatever it
//!   decides in that time is answered exactly as the reference would (same
//!   offsets, same backtracks). The prelude's limit is a time, so on a
//!   problem it decides just about then, the answer (always valid) may be
//!   the reference's on one run and the fast search's on another. Then the
//!   best heuristic placement (if it fits, done), then two skyline searches
//!   (`search/skyline.rs`) racing on two threads, one starting with
//!   rule-based candidate orders, the other with random ones; the one
//!   finishing with fewer nodes wins, so the race's outcome does not depend
//!   on timing. Problems with gaps or fixed offsets, which the skyline does
//!   not model, get instead: capacities below the chain bound of
//!   [`crate::bound`] refused at once, a short tabu search over pair orders
//!   (`search/tabu.rs`), then the reference's search, raced with windows
//!   against its complete variant, whose "not found" alone counts as a
//!   proof.
//!
//! The outcome is a [`Solution`], or one of the distinct failures of
//! [`SolveError`]: proved infeasible, timed out, cancelled, or an invalid
//! problem or setting.
//!
//! ```
//! use minimalloc::{Buffer, Problem, search::{Solver, SolverParams}};
//!
//! let problem = Problem {
//!     buffers: vec![Buffer::new("a", 0, 2, 4), Buffer::new("b", 1, 3, 4)],
//!     capacity: 8,
//! };
//! let mut solver = Solver::new(SolverParams::default());
//! let solution = solver.solve(&problem).unwrap();
//! assert_eq!(solution.height, 8);
//! ```

mod dfs;
mod meter;
mod normalize;
pub mod order;
mod skyline;
mod tabu;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering as AtomicOrdering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::problem::{align_down, align_up, ModelError, Offset, Problem, Solution};
use crate::sweep::{sweep_until, SweepResult};
use dfs::{Engine, Status};
pub use order::{BadHeuristic, PreorderData, PreorderingComparator};

/// The search techniques, each switchable (all on by default), named as in
/// the reference; plus the time limit and the preordering heuristics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SolverParams {
    /// Give up after this long (`None`: never).
    pub timeout: Option<Duration>,
    /// Explore canonical solutions only (placements in non-decreasing order).
    pub canonical_only: bool,
    /// Prune when a section's floor plus its unplaced total exceeds capacity.
    pub section_inference: bool,
    /// Try buffers by lowest minimum offset first.
    pub dynamic_ordering: bool,
    /// Skip placements that leave a gap another buffer could fill.
    pub check_dominance: bool,
    /// Raise section floors to the lowest minimum offset of their buffers.
    pub unallocated_floor: bool,
    /// Sort buffers by the preordering heuristic before searching.
    pub static_preordering: bool,
    /// Split the problem when placed buffers disconnect it.
    pub dynamic_decomposition: bool,
    /// Require section floors to rise with the last offset placed.
    pub monotonic_floor: bool,
    /// Stop trying siblings after placing a buffer with nothing above it.
    pub hatless_pruning: bool,
    /// Find the smallest capacity that admits a solution (binary search
    /// between 0 and the problem's capacity).
    pub minimize_capacity: bool,
    /// The preordering heuristics (see [`order`]), tried round-robin when
    /// there are several.
    pub preordering_heuristics: Vec<String>,
    /// Which search runs: the reference's (the default) or the stronger one.
    pub search: SearchMode,
}

/// Which exact search [`Solver`] runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SearchMode {
    /// The C++ reference's search, node for node: same offsets, same
    /// backtracks. The switches of [`SolverParams`] apply to it.
    #[default]
    Reference,
    /// A stronger search that may explore in any order: after a short run of
    /// the reference's search (whose answer, when it has one in time, is
    /// kept), bottom-left placement on a skyline with section bounds and
    /// remembered failures (see `search/skyline.rs`). It proves
    /// infeasibility just as the reference does. Problems with gaps or fixed
    /// offsets fall back to the reference's search.
    Fast,
}

impl std::str::FromStr for SearchMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "reference" => Ok(SearchMode::Reference),
            "fast" => Ok(SearchMode::Fast),
            other => Err(format!("unknown search {other:?} (expected reference or fast)")),
        }
    }
}

impl std::fmt::Display for SearchMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SearchMode::Reference => "reference",
            SearchMode::Fast => "fast",
        })
    }
}

impl Default for SolverParams {
    fn default() -> Self {
        SolverParams {
            timeout: None,
            canonical_only: true,
            section_inference: true,
            dynamic_ordering: true,
            check_dominance: true,
            unallocated_floor: true,
            static_preordering: true,
            dynamic_decomposition: true,
            monotonic_floor: true,
            hatless_pruning: true,
            minimize_capacity: false,
            preordering_heuristics: vec!["WAT".into(), "TAW".into(), "TWA".into()],
            search: SearchMode::Reference,
        }
    }
}

impl SolverParams {
    /// The search to run when the user names none: the reference's when
    /// these settings tune it (a technique switched off, other preordering
    /// heuristics), which the fast search has no use for; else the fast one.
    pub fn default_search(&self) -> SearchMode {
        let defaults = SolverParams::default();
        let tuned = SolverParams {
            timeout: defaults.timeout,
            minimize_capacity: defaults.minimize_capacity,
            search: defaults.search,
            ..self.clone()
        } != defaults;
        if tuned {
            SearchMode::Reference
        } else {
            SearchMode::Fast
        }
    }

    /// The comparators of `preordering_heuristics`; an error when the list is
    /// empty or a heuristic has an unknown letter.
    pub fn comparators(&self) -> Result<Vec<PreorderingComparator>, SolveError> {
        if self.preordering_heuristics.is_empty() {
            return Err(SolveError::InvalidParams("at least one preordering heuristic is needed".into()));
        }
        self.preordering_heuristics
            .iter()
            .map(|h| PreorderingComparator::new(h))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SolveError::InvalidParams(e.to_string()))
    }
}

/// Why [`Solver::solve`] returned no solution.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SolveError {
    /// The search proved that no solution fits in the capacity.
    #[error("infeasible: no solution fits in capacity {capacity}")]
    Infeasible {
        /// The capacity that was tried (the largest, when minimizing).
        capacity: i64,
    },
    /// The time limit passed first.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// [`Solver::cancel`] was called.
    #[error("cancelled")]
    Cancelled,
    /// The problem is malformed.
    #[error("invalid problem: {0}")]
    InvalidProblem(#[from] ModelError),
    /// A setting is malformed.
    #[error("invalid solver settings: {0}")]
    InvalidParams(String),
    /// The problem is too large for the exact search: it could need about
    /// this many bytes (more than [`MAX_SEARCH_BYTES`]).
    #[error(
        "too large for the exact search: it would need about {} MiB (limit {} MiB); use a heuristic",
        .estimated_bytes >> 20, MAX_SEARCH_BYTES >> 20
    )]
    TooLarge {
        /// The estimate, from [`estimated_bytes`].
        estimated_bytes: u64,
    },
}

/// The largest estimated memory (see [`estimated_bytes`]) for which the exact
/// search runs; larger problems get [`SolveError::TooLarge`] at once instead
/// of exhausting the machine's memory.
pub const MAX_SEARCH_BYTES: u64 = 3 << 30;

/// About how much memory the exact search may need for `problem`: the
/// sweep's ([`crate::sweep::estimated_search_bytes`]) plus, in the worst case,
/// one ordering of the unplaced buffers per level of the recursion (`8 n²`
/// bytes in all).
pub fn estimated_bytes(problem: &Problem) -> u64 {
    let n = problem.buffers.len() as u64;
    crate::sweep::estimated_search_bytes(problem).saturating_add(n.saturating_mul(n).saturating_mul(8))
}

/// About how much memory [`Solver`] may need for `problem` with this search:
/// [`estimated_bytes`] for the reference's; for the fast search on problems
/// its skyline handles, the skyline's (proportional to the buffers, plus the
/// bounded table of failed states), twice when two of them race.
pub fn estimated_bytes_for(problem: &Problem, search: SearchMode) -> u64 {
    if search == SearchMode::Fast && skyline::supports(problem) {
        skyline_engines(problem.buffers.len()).1
    } else {
        estimated_bytes(problem)
    }
}

/// State a running search shares with other threads: the cancel request and
/// progress counters (published every few thousand nodes).
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) cancelled: AtomicBool,
    pub(crate) nodes: AtomicU64,
    pub(crate) backtracks: AtomicU64,
    /// The lowest height found so far while minimizing (`i64::MAX`: none).
    pub(crate) best_height: AtomicI64,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            cancelled: AtomicBool::new(false),
            nodes: AtomicU64::new(0),
            backtracks: AtomicU64::new(0),
            best_height: AtomicI64::new(i64::MAX),
        }
    }
}

impl Shared {
    /// Adds a search's counts since its last call (`published`, then
    /// updated) to the progress counters.
    pub(crate) fn publish(&self, published: &mut (u64, u64), nodes: u64, backtracks: u64) {
        self.nodes.fetch_add(nodes - published.0, AtomicOrdering::Relaxed);
        self.backtracks.fetch_add(backtracks - published.1, AtomicOrdering::Relaxed);
        *published = (nodes, backtracks);
    }

    fn reset(&self) {
        self.cancelled.store(false, AtomicOrdering::Relaxed);
        self.nodes.store(0, AtomicOrdering::Relaxed);
        self.backtracks.store(0, AtomicOrdering::Relaxed);
        self.best_height.store(i64::MAX, AtomicOrdering::Relaxed);
    }
}

/// A handle that cancels a running [`Solver`] from another thread, and reads
/// its progress.
#[derive(Clone, Debug, Default)]
pub struct CancelHandle(Arc<Shared>);

impl CancelHandle {
    /// Asks the solver to stop; it returns [`SolveError::Cancelled`] at once
    /// (the flag is read at every search node).
    pub fn cancel(&self) {
        self.0.cancelled.store(true, AtomicOrdering::Relaxed);
    }

    /// The flag [`Self::cancel`] sets, for code that polls it (heuristics).
    pub fn flag(&self) -> &AtomicBool {
        &self.0.cancelled
    }

    /// Copies `other`'s progress counters into this handle's (for a search
    /// run on behalf of this one).
    pub(crate) fn mirror(&self, other: &CancelHandle) {
        self.0.nodes.store(other.nodes(), AtomicOrdering::Relaxed);
        self.0.backtracks.store(other.backtracks(), AtomicOrdering::Relaxed);
        if let Some(h) = other.best_height() {
            self.0.best_height.fetch_min(h, AtomicOrdering::Relaxed);
        }
    }

    /// Records a height reached (by a heuristic, say) for
    /// [`Self::best_height`], if lower than the best so far.
    pub(crate) fn offer_height(&self, height: i64) {
        self.0.best_height.fetch_min(height, AtomicOrdering::Relaxed);
    }

    /// Clears a cancel request and the progress counters.
    pub fn reset(&self) {
        self.0.reset();
    }

    /// Whether [`Self::cancel`] was called (since the last solve began).
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(AtomicOrdering::Relaxed)
    }

    /// Nodes visited so far by the running (or latest) search, updated every
    /// few thousand nodes.
    pub fn nodes(&self) -> u64 {
        self.0.nodes.load(AtomicOrdering::Relaxed)
    }

    /// Backtracks so far, updated like [`Self::nodes`].
    pub fn backtracks(&self) -> u64 {
        self.0.backtracks.load(AtomicOrdering::Relaxed)
    }

    /// While minimizing, the lowest height found so far (by the search, or by
    /// the heuristics that `auto` runs first).
    pub fn best_height(&self) -> Option<i64> {
        Some(self.0.best_height.load(AtomicOrdering::Relaxed)).filter(|&h| h != i64::MAX)
    }
}

/// Statistics of the latest run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SearchStats {
    /// Times a node found no solution among its children.
    pub backtracks: u64,
    /// Nodes visited.
    pub nodes: u64,
    /// Searches run, one per capacity tried (minimizing tries several).
    pub probes: u64,
}

/// Runs the MiniMalloc search; keeps its settings and the statistics of the
/// latest run.
#[derive(Debug, Default)]
pub struct Solver {
    params: SolverParams,
    stats: SearchStats,
    proved_lower_bound: i64,
    cancelled: CancelHandle,
    /// A placement of the next problem solved, used by the fast search
    /// instead of running the heuristics (see [`Solver::seed_with`]).
    seed: Option<Solution>,
}

impl Solver {
    /// A solver with these settings.
    pub fn new(params: SolverParams) -> Self {
        Solver {
            params,
            stats: SearchStats::default(),
            proved_lower_bound: 0,
            cancelled: CancelHandle::default(),
            seed: None,
        }
    }

    /// Gives the next [`Solver::solve`] or [`Solver::minimize`] a valid
    /// placement of its problem (the best heuristic placement, typically),
    /// which the fast search then starts from instead of running the
    /// heuristics itself: callers that ran them already save that time
    /// (about 1 s on a 62,000-buffer trace). Any capacity at or above its
    /// height is answered with it, so it must be valid for that problem.
    pub(crate) fn seed_with(&mut self, seed: Solution) {
        self.seed = Some(seed);
    }

    /// The settings.
    pub fn params(&self) -> &SolverParams {
        &self.params
    }

    /// Backtracks counted by the latest [`Self::solve`] (or subset search).
    pub fn backtracks(&self) -> u64 {
        self.stats.backtracks
    }

    /// After [`Self::minimize`] (or `minimize_capacity`): the lowest capacity
    /// not proved infeasible, i.e. one above the highest capacity the search
    /// proved too small (the range's low end if none was).
    pub fn proved_lower_bound(&self) -> i64 {
        self.proved_lower_bound
    }

    /// Backtracks and nodes of the latest run.
    pub fn stats(&self) -> SearchStats {
        self.stats
    }

    /// Cancels a running search (see [`Self::cancel_handle`] to do it from
    /// another thread). Like the reference, a new `solve` clears the request.
    pub fn cancel(&self) {
        self.cancelled.cancel();
    }

    /// A handle another thread can use to cancel this solver's searches.
    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancelled.clone()
    }

    /// Finds offsets for every buffer within `problem.capacity` (or, with
    /// `minimize_capacity`, the lowest capacity up to it).
    pub fn solve(&mut self, problem: &Problem) -> Result<Solution, SolveError> {
        let deadline = self.start_run();
        self.solve_until(problem, deadline)
    }

    /// Finds a small set of buffers that cannot fit together: removing any one
    /// of them makes the rest feasible. Tries to drop each buffer in turn,
    /// keeping it only when the problem becomes feasible without it. For a
    /// feasible problem every buffer is kept.
    pub fn irreducible_infeasible_subset(&mut self, problem: &Problem) -> Result<Vec<usize>, SolveError> {
        let deadline = self.start_run();
        let mut include = vec![true; problem.buffers.len()];
        let mut subset = Vec::new();
        for i in 0..problem.buffers.len() {
            include[i] = false;
            let sub = Problem {
                buffers: problem
                    .buffers
                    .iter()
                    .zip(&include)
                    .filter(|(_, &keep)| keep)
                    .map(|(b, _)| b.clone())
                    .collect(),
                capacity: problem.capacity,
            };
            match self.solve_until(&sub, deadline) {
                Ok(_) => {
                    include[i] = true;
                    subset.push(i);
                }
                Err(SolveError::Infeasible { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(subset)
    }

    /// Finds the lowest capacity between `lower` and `upper` (inclusive) that
    /// admits a solution, trying `lower` first and then bisecting, and returns
    /// that solution. The fast search tries only multiples of
    /// [`Problem::granularity`], and time left at the end goes to retries
    /// just below the best height found. The
    /// problem's own capacity is ignored. Useful when no capacity is known:
    /// `lower` can be [`Problem::lower_bound`] and `upper` any height known to
    /// be reachable.
    pub fn minimize(&mut self, problem: &Problem, lower: i64, upper: i64) -> Result<Solution, SolveError> {
        let deadline = self.start_run();
        self.run_search(problem, deadline, Some((lower.max(0), upper)), true)
    }

    /// Clears the statistics and any cancel request of a previous run, and
    /// returns this run's deadline.
    fn start_run(&mut self) -> Option<Instant> {
        self.stats = SearchStats::default();
        self.cancelled.0.reset();
        self.params.timeout.and_then(|t| Instant::now().checked_add(t))
    }

    fn solve_until(&mut self, problem: &Problem, deadline: Option<Instant>) -> Result<Solution, SolveError> {
        let range = self.params.minimize_capacity.then_some((0, problem.capacity));
        self.run_search(problem, deadline, range, false)
    }

    /// The fast search's first step at a given capacity (or, with
    /// `minimize_capacity`, over the reference's `range`): the reference's
    /// search for a moment (a tenth of the time left, at most
    /// [`PRELUDE_MAX`]), so that every problem the reference solves or
    /// refutes quickly gets exactly the reference's answer (same offsets,
    /// same backtracks) with default settings. `None` when it did not
    /// decide in that time (or the problem is too large for it): the fast
    /// search goes on, its statistics added to the prelude's.
    fn reference_prelude(
        &mut self,
        problem: &Problem,
        deadline: Option<Instant>,
        range: Option<(i64, i64)>,
    ) -> Option<Result<Solution, SolveError>> {
        // (Its `8 n²` term first: the estimate of the sweep takes a while on
        // large problems.)
        let n = problem.buffers.len() as u64;
        if n.saturating_mul(n).saturating_mul(8) > MAX_PRELUDE_BYTES
            || estimated_bytes(problem) > MAX_PRELUDE_BYTES
        {
            return None;
        }
        let now = Instant::now();
        let budget =
            deadline.map_or(PRELUDE_MAX, |d| (d.saturating_duration_since(now) / 10).min(PRELUDE_MAX));
        let prelude_deadline = now.checked_add(budget).map(|p| deadline.map_or(p, |d| p.min(d)));
        let probes_before = self.stats.probes;
        self.params.search = SearchMode::Reference;
        let outcome = self.run_search(problem, prelude_deadline, range, false);
        self.params.search = SearchMode::Fast;
        let in_time = prelude_deadline.is_none_or(|p| Instant::now() < p);
        let decided = match &outcome {
            // A bisection cut short by the prelude's limit may have skipped
            // capacities that fit: only a finished one is the reference's,
            // and only a complete search's "not found" below it proves it
            // least (with windows, it is not).
            Ok(_) => range.is_none() || (in_time && is_complete(problem, &self.params)),
            Err(SolveError::Infeasible { .. }) => {
                is_complete(problem, &self.params) && (range.is_none() || in_time)
            }
            Err(SolveError::Timeout(_)) | Err(SolveError::TooLarge { .. }) => {
                deadline.is_some_and(|d| Instant::now() >= d)
            }
            Err(_) => true,
        };
        if !decided {
            // The fast search counts its own probes.
            self.stats.probes = probes_before;
            return None;
        }
        // (A timeout already names `params.timeout`, the whole limit.)
        Some(outcome)
    }

    /// Searches at the problem's capacity, or binary-searches the capacity
    /// within `range`.
    fn run_search(
        &mut self,
        problem: &Problem,
        deadline: Option<Instant>,
        range: Option<(i64, i64)>,
        low_first: bool,
    ) -> Result<Solution, SolveError> {
        // A seed serves one run, whatever its outcome.
        let given = self.seed.take();
        problem.check()?;
        // (Not when minimizing from the lower bound up, which the reference
        // does not do; its own bisection, `minimize_capacity`, gets one.)
        if self.params.search == SearchMode::Fast && given.is_none() && (range.is_none() || !low_first) {
            if let Some(outcome) = self.reference_prelude(problem, deadline, range) {
                return outcome;
            }
        }
        // Fixed buffers that clash among themselves fit in no capacity: the
        // fast search says so at once rather than refuting every capacity
        // it tries (seconds, when minimizing).
        if self.params.search == SearchMode::Fast && fixed_buffers_clash(problem) {
            let capacity = range.map_or(problem.capacity, |(_, hi)| hi);
            // Every capacity is refuted.
            self.proved_lower_bound = i64::MAX;
            return Err(SolveError::Infeasible { capacity });
        }
        let comparators = self.params.comparators()?;
        let normalized = normalize::normalize(problem);
        let searched: &Problem = &normalized.problem;
        let engines = match self.params.search {
            SearchMode::Fast if skyline::supports(searched) => skyline_engines(searched.buffers.len()).0,
            _ => Engines::Reference,
        };
        if engines == Engines::Reference {
            let estimated_bytes = estimated_bytes(problem);
            if estimated_bytes > MAX_SEARCH_BYTES {
                return Err(SolveError::TooLarge { estimated_bytes });
            }
        }
        let sweep_result = if matches!(engines, Engines::Skyline | Engines::Race) {
            None
        } else {
            match sweep_until(searched, deadline) {
                Some(result) => Some(result),
                None => return Err(SolveError::Timeout(self.params.timeout.unwrap_or_default())),
            }
        };
        // With windows the reference's pruning may cut every solution, so
        // its "not found" proves nothing. The fast search then races it
        // against the same search with those techniques off, and only the
        // latter's "not found" counts.
        let reference_proves = is_complete(searched, &self.params);
        let engines = match self.params.search {
            SearchMode::Fast if engines == Engines::Reference && !reference_proves => Engines::Windows,
            _ => engines,
        };
        let tabu_first = self.params.search == SearchMode::Fast
            && matches!(engines, Engines::Reference | Engines::Windows);
        let complete_params = SolverParams {
            canonical_only: false,
            monotonic_floor: false,
            check_dominance: false,
            hatless_pruning: false,
            ..self.params.clone()
        };
        // The fast search starts from the best heuristic placement: any
        // capacity at or above its height is answered at once.
        let seed = match self.params.search {
            SearchMode::Fast => given.or_else(|| best_heuristic(problem, deadline, &self.cancelled)),
            SearchMode::Reference => None,
        };
        // The fast search also refuses at once any capacity below the lower
        // bound of `crate::bound` (the max load, raised to the highest pinned
        // top and, with gaps, to the chain bound), which can be well above
        // the max load that the reference's section totals see.
        let floor = match self.params.search {
            SearchMode::Fast => crate::bound::lower_bound(problem),
            SearchMode::Reference => 0,
        };
        // The tabu search from a start placement towards `capacity` (problems
        // with gaps in fast mode only): its lowest placement.
        let tabu_from = |start: &Solution, capacity: i64, deadline: Option<Instant>| -> Option<Solution> {
            let sweep_result = sweep_result.as_ref().filter(|_| tabu_first)?;
            let offsets: Vec<Offset> = (0..searched.buffers.len())
                .map(|i| start.offsets[normalized.original_index.as_ref().map_or(i, |o| o[i])])
                .collect();
            let shared = &self.cancelled.0;
            let stop = || {
                shared.cancelled.load(AtomicOrdering::Relaxed)
                    || deadline.is_some_and(|d| Instant::now() >= d)
            };
            let found = tabu::search(searched, sweep_result, &offsets, capacity, TABU_WORK, &stop)?;
            Some(Solution::from_offsets(problem, normalized.restore(&found, problem.buffers.len())))
        };
        // Minimizing: the tabu search aims at the lower bound first, and its
        // lowest placement becomes the seed (any capacity above is answered).
        let seed = match (range, seed) {
            (Some(_), Some(seed)) => match tabu_from(&seed, floor, deadline) {
                Some(lower) if lower.height < seed.height => Some(lower),
                _ => Some(seed),
            },
            (_, seed) => seed,
        };
        // `round` > 0: a retry of a capacity tried before, with other random
        // candidate orders (see the end of the minimization below).
        let run = |capacity: i64, deadline: Option<Instant>, round: u64, stats: &mut SearchStats| {
            if let Some(seed) = seed.as_ref().filter(|s| s.height <= capacity) {
                return Ok(seed.clone());
            }
            if capacity < floor {
                return Err(Status::NotFound);
            }
            if normalized.inactive_top.is_none_or(|top| top > capacity) {
                return Err(Status::NotFound);
            }
            let shared = &self.cancelled.0;
            // The reference's search with some settings (only the skyline
            // runs without a sweep).
            let dfs = |params: &SolverParams, stop_at: Option<&AtomicU64>, stats: &mut SearchStats| {
                let Some(sweep_result) = &sweep_result else { return Err(Status::Cancelled) };
                run_on_big_stack(
                    searched,
                    sweep_result,
                    params,
                    &comparators,
                    capacity,
                    deadline,
                    shared,
                    stop_at,
                    stats,
                )
            };
            let reference =
                |stop_at: Option<&AtomicU64>, stats: &mut SearchStats| dfs(&self.params, stop_at, stats);
            let complete =
                |stop_at: Option<&AtomicU64>, stats: &mut SearchStats| dfs(&complete_params, stop_at, stats);
            let orders = round.saturating_mul(2 * RANDOM_ORDERS_FROM);
            let skyline = |stop_at: Option<&AtomicU64>, stats: &mut SearchStats| {
                skyline::search(searched, capacity, deadline, shared, stop_at, orders, stats)
            };
            let skyline_random = |stop_at: Option<&AtomicU64>, stats: &mut SearchStats| {
                let first = orders.saturating_add(RANDOM_ORDERS_FROM);
                skyline::search(searched, capacity, deadline, shared, stop_at, first, stats)
            };
            // Gaps and windows, which the skyline does not model: first a
            // short tabu search from the seed, which finds tight placements
            // that the reference's search can take minutes over.
            if let Some(found) = seed.as_ref().and_then(|seed| tabu_from(seed, capacity, deadline)) {
                if found.height <= capacity {
                    return Ok(found);
                }
            }
            let offsets = match engines {
                Engines::Reference => reference(None, stats)?,
                Engines::Skyline => skyline(None, stats)?,
                Engines::Race => race(skyline, skyline_random, true, stats)?,
                Engines::Windows => race(complete, reference, false, stats)?,
            };
            Ok(Solution::from_offsets(problem, normalized.restore(&offsets, problem.buffers.len())))
        };
        let timeout = self.params.timeout.unwrap_or_default();
        let fail = |status: Status, capacity: i64| match status {
            Status::Timeout => SolveError::Timeout(timeout),
            Status::Cancelled => SolveError::Cancelled,
            _ => SolveError::Infeasible { capacity },
        };
        let mut stats = self.stats;
        // The fast search tries only multiples of the problem's granularity
        // (the capacities between two are equivalent: see
        // `Problem::granularity`); the reference's bisection tries every
        // integer, as the reference does.
        let step = match self.params.search {
            SearchMode::Fast => problem.granularity(),
            SearchMode::Reference => 1,
        };
        // A capacity below the bound is infeasible: minimizing starts there.
        // (`limit`: the highest capacity asked about, for the answer
        // "nothing fits" whatever the rounding.)
        let limit = range.map_or(problem.capacity, |(_, hi)| hi);
        let range = range.map(|(lo, hi)| {
            let lo = align_up(lo.max(floor.min(hi)), step).unwrap_or(i64::MAX);
            (lo, align_down(hi, step))
        });
        let mut proved = range.map_or(0, |(lo, _)| lo);
        let proves = engines != Engines::Reference || is_complete(problem, &self.params);
        let result = match range {
            None => {
                stats.probes += 1;
                run(problem.capacity, deadline, 0, &mut stats).map_err(|s| fail(s, problem.capacity))
            }
            Some((mut lo, mut hi)) => {
                // As the reference: a failure of any kind raises the low end,
                // a solution lowers the high end to just below its height.
                let mut best: Result<Solution, SolveError> = Err(SolveError::Infeasible { capacity: limit });
                let mut first_probe = true;
                // Only the skyline search has random orders to vary.
                let retries =
                    low_first && deadline.is_some() && matches!(engines, Engines::Skyline | Engines::Race);
                let mut round = 0u64;
                // Whether some probe stopped at its own time limit: then
                // "nothing found" is not "nothing fits".
                let mut gave_up = false;
                loop {
                    if lo > hi {
                        // Time left, and some capacity below the best was
                        // given up for lack of time rather than proved
                        // infeasible: try again just below the best, with
                        // other random orders (a run repeats its dives
                        // exactly), each time with the time that is left.
                        let out_of_time = deadline.is_some_and(|d| Instant::now() >= d);
                        if !retries || out_of_time || best.is_err() || proved > hi {
                            break;
                        }
                        round += 1;
                        lo = proved;
                    }
                    // Tight instances are often feasible at their lower
                    // bound: try it first, then bisect. A retry goes down
                    // from the best height instead.
                    let mid = if round > 0 {
                        hi
                    } else if low_first && first_probe {
                        lo
                    } else {
                        lo + (hi - lo) / 2
                    };
                    let mid = align_down(mid, step).max(lo);
                    // Our own minimization gives the probe at the bound half
                    // the time and each later probe a quarter of the time
                    // left, so that one hard probe (a proof of
                    // infeasibility, typically) does not use it all, but
                    // never less than an equal share among the probes that
                    // can still follow (the last one gets all that is
                    // left); the reference's gives each the whole deadline.
                    let classes = ((hi - lo) / step).saturating_add(1) as u64;
                    let later = 64 - classes.leading_zeros();
                    let share = match (self.params.search, first_probe, round) {
                        (SearchMode::Reference, true, _) => 2,
                        (SearchMode::Reference, false, _) => 4,
                        // The only capacity left, or a retry just below the
                        // best: the last chance.
                        (SearchMode::Fast, _, 1..) => 1,
                        (SearchMode::Fast, _, 0) if classes == 1 => 1,
                        (SearchMode::Fast, true, 0) => 2,
                        (SearchMode::Fast, false, 0) => later.clamp(1, 4),
                    };
                    first_probe = false;
                    let probe_deadline = match deadline {
                        Some(d) if low_first => {
                            let now = Instant::now();
                            let slice =
                                (d.saturating_duration_since(now) / share).max(Duration::from_millis(50));
                            Some(now.checked_add(slice).map_or(d, |p| p.min(d)))
                        }
                        other => other,
                    };
                    stats.probes += 1;
                    match run(mid, probe_deadline, round, &mut stats) {
                        Ok(solution) => {
                            self.cancelled.0.best_height.fetch_min(solution.height, AtomicOrdering::Relaxed);
                            hi = align_down(solution.height.saturating_sub(1), step);
                            best = Ok(solution);
                        }
                        Err(status) => {
                            let out_of_time = deadline.is_some_and(|d| Instant::now() >= d);
                            if status == Status::Cancelled || (status == Status::Timeout && out_of_time) {
                                // Every later probe would stop at once too.
                                if best.is_err() {
                                    best = Err(fail(status, mid));
                                }
                                break;
                            }
                            if status != Status::Timeout && proves {
                                proved = proved.max(mid.saturating_add(step));
                            }
                            gave_up |= status == Status::Timeout;
                            match mid.checked_add(step) {
                                Some(next) => lo = next,
                                None => break,
                            }
                        }
                    }
                }
                match best {
                    // Some capacity up to the limit was given up, not
                    // refuted.
                    Err(SolveError::Infeasible { .. }) if gave_up && proved <= limit => {
                        Err(fail(Status::Timeout, limit))
                    }
                    other => other,
                }
            }
        };
        self.stats = stats;
        self.proved_lower_bound = proved;
        result
    }
}

/// Whether an "infeasible" answer of a search with `params` on `problem` is
/// a proof: always with the fast search (which with windows believes only
/// the complete variant of the reference's search), and with the reference's
/// search where [`is_complete`] says so.
pub fn infeasible_is_proof(problem: &Problem, params: &SolverParams) -> bool {
    params.search == SearchMode::Fast || is_complete(problem, params)
}

/// Whether "infeasible" from the search is a proof for this problem. Like the
/// reference's, `canonical_only`, `monotonic_floor`, `check_dominance` and
/// `hatless_pruning` assume that buffers are placed upwards, which gap
/// windows can break (a buffer may sit below another at its own offset); with
/// windows and any of them on, the search may miss solutions.
pub fn is_complete(problem: &Problem, params: &SolverParams) -> bool {
    let windows = problem.buffers.iter().any(|b| b.gaps.iter().any(|g| g.window.is_some()));
    !windows
        || !(params.canonical_only
            || params.monotonic_floor
            || params.check_dominance
            || params.hatless_pruning)
}

/// The lowest placement of the heuristics that scale (greedy by size, XLA's
/// two orders, greedy by conflicts), or `None` if none finished.
fn best_heuristic(problem: &Problem, deadline: Option<Instant>, cancel: &CancelHandle) -> Option<Solution> {
    use crate::heuristics::{place, Heuristic, Limits};
    let limits = Limits { deadline, cancel: Some(cancel.flag()) };
    [Heuristic::GreedySize, Heuristic::XlaSpatial, Heuristic::XlaTemporal, Heuristic::GreedyConflicts]
        .into_iter()
        .filter_map(|h| place(problem, h, &limits).ok())
        .min_by_key(|s| s.height)
}

/// Which engines a fast search runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Engines {
    /// The reference's search alone.
    Reference,
    /// The skyline search alone (problems too large for two of them).
    Skyline,
    /// Two skyline searches on two threads (see [`race`]): one as
    /// [`Engines::Skyline`], one with random candidate orders from its first
    /// run on (see [`RANDOM_ORDERS_FROM`]).
    Race,
    /// Problems with windows: the reference's search with its complete
    /// techniques only, raced against the reference's as it is (whose "not
    /// found" is then no proof).
    Windows,
}

/// How much work the tabu search (see [`tabu`]) may do before the exact
/// searches start, on problems with gaps, in passes over one buffer or pair:
/// about a second on 70 buffers.
const TABU_WORK: u64 = 80_000_000;

/// The number of the first candidate order of the second skyline search in
/// a race: every order from there on is random (see the skyline's
/// `collect_candidates`), so the two searches never dive alike.
///
/// Why two skyline searches rather than the skyline against the
/// reference's, as before: a dive of the skyline search on an instance with
/// slack succeeds by luck, so a second stream of differently shuffled dives
/// doubles the chances, while the reference's search seldom won. Measured in
/// one session, 10 s each: thinned guillotines (seeds 1 to 40) 34 of 40
/// solved at 300 buffers and 18 of 40 at 500 against the reference, 36 and
/// 20 with two skylines; every other family of the README's tables solved
/// the same; and minimizing challenging D reaches its optimum, the max-load
/// bound 986,112, in 2.0 s (against the reference: 1,005,568 after 10 s).
const RANDOM_ORDERS_FROM: u64 = 1 << 20;

/// Whether the buffers with fixed offsets overlap one another (or break
/// their alignment), which no capacity can mend: the validator's verdict on
/// them alone, in `O(f log f)` for `f` fixed buffers.
pub(crate) fn fixed_buffers_clash(problem: &Problem) -> bool {
    let fixed: Vec<_> = problem.buffers.iter().filter(|b| b.offset.is_some()).collect();
    if fixed.is_empty() {
        return false;
    }
    let sub = Problem { buffers: fixed.iter().map(|&b| b.clone()).collect(), capacity: i64::MAX };
    let offsets = fixed.iter().map(|b| b.offset.unwrap_or_default()).collect();
    crate::validate::validate(&sub, &Solution::from_offsets(&sub, offsets)).is_err()
}

/// The longest the fast search lets the reference's run first (see
/// `Solver::reference_prelude`). The reference's search here is five to
/// twenty times faster than the C++ reference's, so this covers the
/// problems the C++ reference decides within about five seconds (A–K
/// take it 0.45 to 4 s).
const PRELUDE_MAX: Duration = Duration::from_secs(1);

/// Problems for which the reference's search could need more memory than
/// this skip the prelude (see `Solver::reference_prelude`): about 4,000
/// buffers, beyond which the reference runs out of time or memory anyway
/// (at 512 MiB, bert_base's 5,620 buffers spent the prelude's second and
/// 440 MB on it, then the fast search solved it).
const MAX_PRELUDE_BYTES: u64 = 128 << 20;

/// Problems whose two racing skyline searches might need more memory than
/// this (see `skyline::estimated_bytes`) run one skyline search alone.
const MAX_RACE_BYTES: u64 = 2 << 30;

/// The engines of the fast search for a problem of `buffers` buffers that
/// the skyline search handles, and the memory they may need: two skyline
/// searches racing, or one when two could need more than [`MAX_RACE_BYTES`].
fn skyline_engines(buffers: usize) -> (Engines, u64) {
    let own = skyline::estimated_bytes(buffers);
    let both = own.saturating_mul(2);
    if both <= MAX_RACE_BYTES {
        (Engines::Race, both)
    } else {
        (Engines::Skyline, own)
    }
}

/// Runs two searches side by side on two threads (two skyline searches, or
/// the complete variant of the reference's against the reference's as it
/// is) and returns the outcome of the one that finishes (solves or proves
/// infeasible) with fewer nodes, the first on a tie. The first to finish
/// tells the other to stop at the same node count, so the slower one never
/// runs past it; comparing node counts rather than clocks makes the choice
/// the same on every run. Unless `second_proves`, the second's "not found"
/// does not count as finishing. The statistics added to `stats` are the
/// winner's (both searches' when neither finished).
fn race<F, S>(
    first: F,
    second: S,
    second_proves: bool,
    stats: &mut SearchStats,
) -> Result<Vec<Offset>, Status>
where
    F: FnOnce(Option<&AtomicU64>, &mut SearchStats) -> Result<Vec<Offset>, Status> + Send,
    S: FnOnce(Option<&AtomicU64>, &mut SearchStats) -> Result<Vec<Offset>, Status>,
{
    let limits = [AtomicU64::new(u64::MAX), AtomicU64::new(u64::MAX)];
    let finished = |r: &Result<Vec<Offset>, Status>| matches!(r, Ok(_) | Err(Status::NotFound));
    let ((one, one_stats), (two, two_stats)) = std::thread::scope(|scope| {
        let first_thread = scope.spawn(|| {
            let mut own = SearchStats::default();
            let result = first(Some(&limits[0]), &mut own);
            if finished(&result) {
                limits[1].fetch_min(own.nodes, AtomicOrdering::Relaxed);
            }
            (result, own)
        });
        let mut own = SearchStats::default();
        let mut result = second(Some(&limits[1]), &mut own);
        if result == Err(Status::NotFound) && !second_proves {
            // No proof: the other search decides.
            result = Err(Status::Cancelled);
        }
        if finished(&result) {
            limits[0].fetch_min(own.nodes, AtomicOrdering::Relaxed);
        }
        let one = first_thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (one, (result, own))
    });
    // The winner's counts alone: the loser's depend on when it saw the
    // limit, and the statistics should be the same on every run.
    let (result, counted) = match (finished(&one), finished(&two)) {
        (true, true) if two_stats.nodes < one_stats.nodes => (two, two_stats),
        (true, _) => (one, one_stats),
        (false, true) => (two, two_stats),
        // Neither finished: the deadline or a cancel stopped both.
        (false, false) => {
            let both = SearchStats {
                nodes: one_stats.nodes + two_stats.nodes,
                backtracks: one_stats.backtracks + two_stats.backtracks,
                ..SearchStats::default()
            };
            match (one, two) {
                (Err(Status::Timeout), _) | (_, Err(Status::Timeout)) => (Err(Status::Timeout), both),
                (one, _) => (one, both),
            }
        }
    };
    stats.nodes += counted.nodes;
    stats.backtracks += counted.backtracks;
    result
}

/// Runs one search at `capacity` on a thread whose stack fits the recursion
/// (one or two frames per buffer placed).
#[allow(clippy::too_many_arguments)]
fn run_on_big_stack(
    problem: &Problem,
    sweep_result: &SweepResult,
    params: &SolverParams,
    comparators: &[PreorderingComparator],
    capacity: i64,
    deadline: Option<Instant>,
    shared: &Shared,
    stop_at: Option<&AtomicU64>,
    stats: &mut SearchStats,
) -> Result<Vec<Offset>, Status> {
    let work = || {
        let mut engine = Engine::new(problem, sweep_result, params, capacity, deadline, shared);
        if let Some(limit) = stop_at {
            engine.stop_at(limit);
        }
        let status = engine.run(comparators);
        engine.publish();
        let run_stats = (engine.backtracks(), engine.nodes());
        let result = match status {
            Status::Found => Ok(engine.solution().to_vec()),
            other => Err(other),
        };
        (result, run_stats)
    };
    let stack = (16usize << 20).saturating_add(problem.buffers.len().saturating_mul(1024));
    let (result, (backtracks, nodes)) = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("minimalloc-search".into())
            .stack_size(stack)
            .spawn_scoped(scope, work)
            .map(|handle| handle.join())
    })
    .unwrap_or_else(|_| Ok(work()))
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    stats.backtracks += backtracks;
    stats.nodes += nodes;
    result
}

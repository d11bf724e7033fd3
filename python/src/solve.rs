//! `solve` (one entry point over the exact search and the placement
//! heuristics: the library's [`Allocator`]) and `place` (one heuristic, raw).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use minimalloc::allocate::{Algorithm, Allocation, Allocator, Status};
use minimalloc::heuristics::{self, Heuristic, HeuristicError, Limits};
use minimalloc::search::{PreorderingComparator, SearchMode, SolveError, SolverParams};
use minimalloc::{Problem, Solution};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3::IntoPyObjectExt;

use crate::detach::run_detached;
use crate::errors::{self, Attr};
use crate::model::{PyProblem, PySolution};
use crate::solver::{PyDuration, PySolverParams};

fn algorithm_names() -> Vec<&'static str> {
    Algorithm::all().into_iter().map(Algorithm::name).collect()
}

/// Runs one heuristic without the GIL (Ctrl-C cancels it).
fn place_detached(
    py: Python<'_>,
    problem: &Problem,
    heuristic: Heuristic,
    deadline: Option<Instant>,
) -> PyResult<Result<Solution, HeuristicError>> {
    let flag = AtomicBool::new(false);
    run_detached(
        py,
        || flag.store(true, Ordering::Relaxed),
        || heuristics::place(problem, heuristic, &Limits { deadline, cancel: Some(&flag) }),
    )
}

/// The exact search's checks of its settings, made before allocating: the
/// allocator reports a malformed setting as a failed search, not as an error.
fn check_params(params: &SolverParams) -> Result<(), SolveError> {
    for heuristic in &params.preordering_heuristics {
        PreorderingComparator::new(heuristic).map_err(|e| SolveError::InvalidParams(e.to_string()))?;
    }
    if params.preordering_heuristics.is_empty() {
        return Err(SolveError::InvalidParams("at least one preordering heuristic is needed".into()));
    }
    Ok(())
}

/// `message`, followed by the allocator's notes (why the exact search was
/// skipped, which heuristic failed...). Heuristics failing for the same
/// reason are named together.
fn with_notes(message: String, notes: &[String]) -> String {
    let mut grouped: Vec<(Vec<&str>, &str)> = Vec::new();
    for note in notes {
        let Some((name, text)) =
            note.split_once(": ").filter(|(name, _)| Heuristic::from_name(name).is_some())
        else {
            grouped.push((Vec::new(), note));
            continue;
        };
        match grouped.iter_mut().find(|(names, t)| !names.is_empty() && *t == text) {
            Some((names, _)) => names.push(name),
            None => grouped.push((vec![name], text)),
        }
    }
    if grouped.is_empty() {
        return message;
    }
    let part = |(names, text): &(Vec<&str>, &str)| {
        if names.is_empty() {
            text.to_string()
        } else {
            format!("{}: {text}", names.join(", "))
        }
    };
    let parts: Vec<String> = grouped.iter().map(part).collect();
    format!("{message} ({})", parts.join("; "))
}

fn int<'py>(py: Python<'py>, value: i64) -> Bound<'py, PyAny> {
    value.into_bound_py_any(py).expect("an int converts")
}

fn no_fit(py: Python<'_>, solution: Solution, capacity: i64, by: &str, notes: &[String]) -> PyErr {
    let message =
        format!("{by}: no placement found within capacity {capacity} (best height {})", solution.height);
    let height = solution.height;
    let attrs = vec![
        ("solution", PySolution(solution, true).into_bound_py_any(py).expect("a Solution converts")),
        ("capacity", int(py, capacity)),
        ("height", int(py, height)),
    ];
    errors::raise(py, "NoFitError", with_notes(message, notes), attrs, false)
}

fn infeasible(py: Python<'_>, capacity: Option<i64>, notes: &[String]) -> PyErr {
    let (message, attrs): (String, Vec<Attr<'_>>) = match capacity {
        Some(c) => (format!("infeasible: no solution fits in capacity {c}"), vec![("capacity", int(py, c))]),
        None => ("infeasible: the buffers cannot be placed".into(), vec![]),
    };
    errors::raise(py, "InfeasibleError", with_notes(message, notes), attrs, false)
}

fn infeasible_below(py: Python<'_>, lower_bound: i64, capacity: i64) -> PyErr {
    let message = format!(
        "infeasible: no solution fits in capacity {capacity} (the buffers need at least {lower_bound})"
    );
    errors::raise(py, "InfeasibleError", message, vec![("capacity", int(py, capacity))], false)
}

fn timed_out(py: Python<'_>, limit: Option<Duration>, notes: &[String]) -> PyErr {
    let limit = limit.unwrap_or_default();
    let message = with_notes(SolveError::Timeout(limit).to_string(), notes);
    let seconds = limit.as_secs_f64().into_bound_py_any(py).expect("a float converts");
    errors::raise(py, "TimeoutError", message, vec![("timeout", seconds)], false)
}

/// The allocator's outcome as `solve`'s: the solution, or the exception.
///
/// `capacity` is the one the solution must meet (None when minimizing
/// without a limit); `limit` the time limit, for `TimeoutError.timeout`.
fn finish(
    py: Python<'_>,
    allocation: Allocation,
    capacity: Option<i64>,
    algorithm: &str,
    limit: Option<Duration>,
) -> PyResult<PySolution> {
    let Allocation { status, solution, produced_by, proved_lower_bound, notes, .. } = allocation;
    match (status, solution) {
        (Status::Solved | Status::TimeoutFallback, Some(s)) => match capacity {
            // Minimizing up to the capacity found nothing within it: proved
            // impossible, or out of time.
            Some(c) if s.height > c && proved_lower_bound > c => Err(infeasible(py, Some(c), &notes)),
            Some(c) if s.height > c => Err(timed_out(py, limit, &notes)),
            // A time-out fallback is as good as `auto` gets in the time:
            // returned as a solution.
            _ => Ok(PySolution(s, true)),
        },
        (Status::Unfit, Some(s)) => match capacity {
            Some(c) => {
                let by = match produced_by {
                    Some(name) if name != algorithm => format!("{algorithm} ({name})"),
                    _ => algorithm.to_string(),
                };
                Err(no_fit(py, s, c, &by, &notes))
            }
            None => Ok(PySolution(s, true)),
        },
        // `Unfit` without a solution: the heuristic could not place the
        // buffers at all (its placement overflowed).
        (Status::Infeasible | Status::Unfit, _) => Err(infeasible(py, capacity, &notes)),
        (Status::Cancelled, _) => Err(errors::solve_error(py, &SolveError::Cancelled)),
        (Status::TooLarge, _) => {
            // The search's own message leads (the heuristics' notes come first).
            let mut notes = notes;
            let message = match notes.iter().position(|n| n.starts_with("too large")) {
                Some(i) => {
                    let first = notes.remove(i);
                    with_notes(first, &notes)
                }
                None => with_notes("too large for the exact search; use a heuristic".into(), &notes),
            };
            Err(errors::raise(py, "InvalidProblemError", message, vec![], true))
        }
        // A malformed problem or setting (checked before any work).
        (Status::Invalid, _) => {
            let kind = if notes.iter().any(|n| n.contains("heuristic")) {
                "InvalidParamsError"
            } else {
                "InvalidProblemError"
            };
            Err(errors::raise(py, kind, notes.join("; "), vec![], true))
        }
        (Status::Unrepresentable, _) => {
            let message = "no placement of these buffers has a height that fits in 64 bits (offset + size \
                           would overflow); give the problem a capacity"
                .to_string();
            Err(errors::raise(py, "InvalidProblemError", with_notes(message, &notes), vec![], true))
        }
        (Status::Timeout | Status::Solved | Status::TimeoutFallback, _) => Err(timed_out(py, limit, &notes)),
    }
}

/// How long `auto` lets the exact search run when no limit is given (as the
/// command line's `auto`).
const AUTO_DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Solves ``problem`` with the exact search, a placement heuristic, or both.
///
/// Args:
///     problem: The problem. A ``capacity`` of 0 means "no limit": the
///         lowest height is searched for instead (as the command line
///         without ``--capacity``); so does ``params.minimize_capacity``
///         (then up to the capacity).
///     algorithm: ``"exact"`` (the MiniMalloc search), a heuristic name
///         (``"greedy-size"``, ``"xla"``, ``"xla-spatial"``,
///         ``"xla-temporal"``, ``"greedy-conflicts"``, ``"first-fit"``), or
///         ``"auto"`` (default): run the fast heuristics first and return
///         the best one if it fits the capacity or reaches
///         ``problem.lower_bound()`` (then it is optimal); otherwise run the
///         exact search for the time left, and when minimizing fall back to
///         the best heuristic if the search times out. ``"auto"`` skips the
///         exact search when it would need over 2 GiB of memory (then a
///         ``NoFitError`` with a capacity, the best heuristic without).
///     timeout: A time limit for the whole call (``Duration``, seconds, or
///         None for ``params.timeout``, by default no limit; ``"auto"``
///         with no limit at all gives its exact search 10 s, as the
///         command line does, then returns the best heuristic placement).
///     params: Settings of the exact search (default ``SolverParams()``).
///     search: Which exact search runs: ``"fast"`` (stronger on tight
///         problems, may place buffers differently) or ``"reference"`` (the
///         C++ reference's search node for node, which ``params``' technique
///         switches tune). Default: ``"reference"`` when ``params`` turns a
///         technique off or changes the preordering heuristics, else
///         ``"fast"``.
///
/// Returns:
///     A ``Solution`` within the capacity.
///
/// Raises:
///     InfeasibleError: no solution exists (proved).
///     TimeoutError: the time limit passed before a solution was found.
///     NoFitError: a heuristic's placement exceeds the capacity (its
///         ``solution`` attribute holds it); heuristics prove nothing.
///     CancelledError: the search was cancelled.
///     InvalidProblemError: the problem is malformed, or too large for the
///         exact search.
///     InvalidParamsError: a malformed setting.
///     ValueError: an unknown algorithm or search.
#[pyfunction]
#[pyo3(signature = (problem, algorithm = "auto", timeout = None, params = None, search = None))]
fn solve(
    py: Python<'_>,
    problem: PyRef<'_, PyProblem>,
    algorithm: &str,
    timeout: Option<&Bound<'_, PyAny>>,
    params: Option<PySolverParams>,
    search: Option<&str>,
) -> PyResult<PySolution> {
    let kind: Algorithm = algorithm.parse().map_err(PyValueError::new_err)?;
    let search: Option<SearchMode> = search.map(str::parse).transpose().map_err(PyValueError::new_err)?;
    let problem = problem.0.clone();
    problem.check().map_err(|e| errors::model_error(py, &e))?;
    let params = params.unwrap_or_default();
    let limit = match timeout {
        Some(t) if !t.is_none() => PyDuration::from_timeout(Some(t))?,
        _ => params.timeout(),
    };
    // The allocator's `timeout` bounds the whole call.
    let tuned = params.to_rust();
    // Settings that tune the reference's search select it, as on the CLI.
    let search = search.unwrap_or(tuned.default_search());
    let mut settings = SolverParams { timeout: limit.to_limit(), search, ..tuned };
    // Only when no limit was asked for at all (an explicit
    // `Duration.infinite()` is a request too).
    if kind == Algorithm::Auto && settings.timeout.is_none() && timeout.is_none_or(|t| t.is_none()) {
        settings.timeout = Some(AUTO_DEFAULT_TIMEOUT);
    }
    if !matches!(kind, Algorithm::Heuristic(_)) {
        check_params(&settings).map_err(|e| errors::solve_error(py, &e))?;
    }
    let capacity = (problem.capacity > 0).then_some(problem.capacity);
    if kind == Algorithm::Auto {
        if let Some(c) = capacity.filter(|&c| problem.lower_bound() > c) {
            return Err(infeasible_below(py, problem.lower_bound(), c));
        }
    }
    // The allocator minimizes without a capacity, and decides feasibility
    // with one (`exact` honours `minimize_capacity` there; a heuristic has
    // nothing to minimize). For `auto` with `minimize_capacity`, minimize
    // and compare the height with the capacity (see `finish`).
    let target = if kind == Algorithm::Auto && settings.minimize_capacity { None } else { capacity };
    let limit = settings.timeout;
    let mut allocator = Allocator::new(settings);
    let cancel = allocator.cancel_handle();
    let allocation = run_detached(py, || cancel.cancel(), || allocator.allocate(&problem, target, kind))?;
    finish(py, allocation, capacity, algorithm, limit)
}

/// Places every buffer with one heuristic, ignoring the capacity.
///
/// Args:
///     problem: The problem.
///     heuristic: ``"greedy-size"`` (default), ``"xla"``, ``"xla-spatial"``,
///         ``"xla-temporal"``, ``"greedy-conflicts"`` or ``"first-fit"``.
///     timeout: A time limit (``Duration``, seconds, or None for none).
///
/// Returns:
///     A ``Solution`` with its height, which may exceed the capacity.
///
/// Raises:
///     InfeasibleError: fixed buffers overlap or are misaligned.
///     TimeoutError, CancelledError, InvalidProblemError, ValueError.
#[pyfunction]
#[pyo3(signature = (problem, heuristic = "greedy-size", timeout = None))]
fn place(
    py: Python<'_>,
    problem: PyRef<'_, PyProblem>,
    heuristic: &str,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<PySolution> {
    let h = Heuristic::from_name(heuristic).ok_or_else(|| {
        let names: Vec<&str> = Heuristic::ALL.iter().map(|h| h.name()).collect();
        PyValueError::new_err(format!(
            "unknown heuristic {heuristic:?} (expected one of: {})",
            names.join(", ")
        ))
    })?;
    let problem = problem.0.clone();
    let deadline = PyDuration::from_timeout(timeout)?.to_limit().and_then(|l| Instant::now().checked_add(l));
    place_detached(py, &problem, h, deadline)?
        .map(|s| PySolution(s, true))
        .map_err(|e| errors::heuristic_error(py, &e))
}

/// Adds `solve`, `place`, `HEURISTICS` and `ALGORITHMS` to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(solve, m)?)?;
    m.add_function(wrap_pyfunction!(place, m)?)?;
    let heuristics: Vec<&str> = Heuristic::ALL.iter().map(|h| h.name()).collect();
    m.add("HEURISTICS", PyTuple::new(py, heuristics)?)?;
    m.add("ALGORITHMS", PyTuple::new(py, algorithm_names())?)?;
    Ok(())
}

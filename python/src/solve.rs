//! `solve` (one entry point over the exact search and the placement
//! heuristics) and `place` (one heuristic, raw).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use minimalloc::heuristics::{self, Heuristic, HeuristicError, Limits};
use minimalloc::search::SolveError;
use minimalloc::{Problem, Solution};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3::IntoPyObjectExt;

use crate::detach::run_detached;
use crate::errors;
use crate::model::{PyProblem, PySolution};
use crate::solver::{PyDuration, PySolver, PySolverParams};

/// The heuristics `algorithm="auto"` runs, in order (`xla-spatial` places as
/// `greedy-size` does, and `xla` is the better of the two XLA orders).
const AUTO_HEURISTICS: [Heuristic; 4] =
    [Heuristic::GreedySize, Heuristic::XlaTemporal, Heuristic::GreedyConflicts, Heuristic::FirstFit];

enum Algorithm {
    Auto,
    Exact,
    Heuristic(Heuristic),
}

fn algorithm_names() -> Vec<&'static str> {
    let mut names = vec!["auto", "exact"];
    names.extend(Heuristic::ALL.iter().map(|h| h.name()));
    names
}

fn parse_algorithm(name: &str) -> PyResult<Algorithm> {
    match name {
        "auto" => Ok(Algorithm::Auto),
        "exact" => Ok(Algorithm::Exact),
        other => Heuristic::from_name(other).map(Algorithm::Heuristic).ok_or_else(|| {
            PyValueError::new_err(format!(
                "unknown algorithm {other:?} (expected one of: {})",
                algorithm_names().join(", ")
            ))
        }),
    }
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

fn no_fit(py: Python<'_>, solution: Solution, capacity: i64, algorithm: &str) -> PyErr {
    let message = format!(
        "{algorithm}: no placement found within capacity {capacity} (best height {})",
        solution.height
    );
    let height = solution.height;
    let attrs = vec![
        ("solution", PySolution(solution).into_bound_py_any(py).expect("a Solution converts")),
        ("capacity", capacity.into_bound_py_any(py).expect("an int converts")),
        ("height", height.into_bound_py_any(py).expect("an int converts")),
    ];
    errors::raise(py, "NoFitError", message, attrs, false)
}

fn infeasible_below(py: Python<'_>, lower_bound: i64, capacity: i64) -> PyErr {
    let message = format!(
        "infeasible: no solution fits in capacity {capacity} (the buffers need at least {lower_bound})"
    );
    let attrs = vec![("capacity", capacity.into_bound_py_any(py).expect("an int converts"))];
    errors::raise(py, "InfeasibleError", message, attrs, false)
}

/// The time left before `deadline` (none when no deadline), as a Duration.
fn remaining(deadline: Option<Instant>) -> PyDuration {
    match deadline {
        None => PyDuration::INFINITE,
        Some(d) => PyDuration::of(d.saturating_duration_since(Instant::now()).as_secs_f64())
            .expect("a duration is never NaN"),
    }
}

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
///         the best fitting heuristic if the search times out.
///     timeout: A time limit for the whole call (``Duration``, seconds, or
///         None for ``params.timeout``, by default no limit).
///     params: Settings of the exact search (default ``SolverParams()``).
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
///     InvalidProblemError: the problem is malformed.
///     ValueError: an unknown algorithm or malformed settings.
#[pyfunction]
#[pyo3(signature = (problem, algorithm = "auto", timeout = None, params = None))]
fn solve(
    py: Python<'_>,
    problem: PyRef<'_, PyProblem>,
    algorithm: &str,
    timeout: Option<&Bound<'_, PyAny>>,
    params: Option<PySolverParams>,
) -> PyResult<PySolution> {
    let algorithm_kind = parse_algorithm(algorithm)?;
    let problem = problem.0.clone();
    problem.check().map_err(|e| errors::model_error(py, &e))?;
    let params = params.unwrap_or_default();
    let limit = match timeout {
        Some(t) if !t.is_none() => PyDuration::from_timeout(Some(t))?,
        _ => params.timeout(),
    };
    let deadline = limit.to_limit().and_then(|l| Instant::now().checked_add(l));
    let minimize = params.to_rust().minimize_capacity || problem.capacity == 0;
    let capacity = (problem.capacity > 0).then_some(problem.capacity);
    let lower_bound = problem.lower_bound();
    let exact = || PySolver::with_params(params.with_timeout(remaining(deadline)));
    let fits = |s: &Solution| capacity.is_none_or(|c| s.height <= c);

    match algorithm_kind {
        Algorithm::Heuristic(h) => {
            let solution =
                place_detached(py, &problem, h, deadline)?.map_err(|e| errors::heuristic_error(py, &e))?;
            match capacity {
                Some(c) if solution.height > c => Err(no_fit(py, solution, c, algorithm)),
                _ => Ok(PySolution(solution)),
            }
        }
        Algorithm::Exact => {
            let solver = exact();
            let outcome = if minimize {
                let upper = capacity.unwrap_or_else(|| problem.stacked_height().unwrap_or(i64::MAX));
                solver.minimize(py, &problem, lower_bound, upper)?
            } else {
                solver.solve_outcome(py, &problem)?
            };
            outcome.map(PySolution).map_err(|e| errors::solve_error(py, &e))
        }
        Algorithm::Auto => {
            if let Some(c) = capacity.filter(|&c| lower_bound > c) {
                return Err(infeasible_below(py, lower_bound, c));
            }
            let mut best: Option<Solution> = None;
            for h in AUTO_HEURISTICS {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                match place_detached(py, &problem, h, deadline)? {
                    Ok(s) => {
                        if best.as_ref().is_none_or(|b| s.height < b.height) {
                            best = Some(s);
                        }
                    }
                    Err(e @ (HeuristicError::Cancelled | HeuristicError::InvalidProblem(_))) => {
                        return Err(errors::heuristic_error(py, &e));
                    }
                    // A time-out, or fixed buffers no heuristic can place:
                    // leave it to the exact search.
                    Err(_) => break,
                }
                if best.as_ref().is_some_and(|b| b.height <= lower_bound) {
                    break;
                }
            }
            let fitting = best.filter(|b| fits(b));
            if let Some(b) = &fitting {
                if !minimize || b.height <= lower_bound {
                    return Ok(PySolution(b.clone()));
                }
            }
            let solver = exact();
            if !minimize {
                return solver
                    .solve_outcome(py, &problem)?
                    .map(PySolution)
                    .map_err(|e| errors::solve_error(py, &e));
            }
            let upper = match &fitting {
                Some(b) => b.height - 1,
                None => capacity.unwrap_or_else(|| problem.stacked_height().unwrap_or(i64::MAX)),
            };
            match solver.minimize(py, &problem, lower_bound, upper)? {
                Ok(s) => Ok(PySolution(s)),
                Err(e @ (SolveError::Infeasible { .. } | SolveError::Timeout(_))) => {
                    fitting.map(PySolution).ok_or_else(|| errors::solve_error(py, &e))
                }
                Err(e) => Err(errors::solve_error(py, &e)),
            }
        }
    }
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
    place_detached(py, &problem, h, deadline)?.map(PySolution).map_err(|e| errors::heuristic_error(py, &e))
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

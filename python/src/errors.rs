//! Turning the library's errors into Python exceptions.
//!
//! The exception classes live in Python (`minimalloc._errors`), where they can
//! inherit from two built-in classes at once (`minimalloc.TimeoutError` is
//! both a `RuntimeError`, like every solve failure, and the built-in
//! `TimeoutError`). This module imports them when an error is raised.

use minimalloc::csv::CsvError;
use minimalloc::heuristics::HeuristicError;
use minimalloc::problem::ModelError;
use minimalloc::search::SolveError;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

/// The module holding the exception classes.
const ERRORS_MODULE: &str = "minimalloc._errors";

/// A keyword attribute to set on a raised exception.
pub type Attr<'py> = (&'static str, Bound<'py, PyAny>);

/// Builds an instance of `minimalloc._errors.<class>` with `message`, sets the
/// attributes, and wraps it as a `PyErr`. If the class cannot be imported
/// (the extension used outside its package), falls back to `fallback`.
pub fn raise(py: Python<'_>, class: &str, message: String, attrs: Vec<Attr<'_>>, value_error: bool) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let cls = py.import(ERRORS_MODULE)?.getattr(class)?;
        let instance = cls.call1((message.clone(),))?;
        for (name, value) in attrs {
            instance.setattr(name, value)?;
        }
        Ok(PyErr::from_value(instance))
    };
    match build() {
        Ok(err) => err,
        Err(_) if value_error => PyValueError::new_err(message),
        Err(_) => PyRuntimeError::new_err(message),
    }
}

fn int<'py>(py: Python<'py>, value: i64) -> Bound<'py, PyAny> {
    value.into_bound_py_any(py).expect("an int converts")
}

/// The exception for a failed exact search.
pub fn solve_error(py: Python<'_>, error: &SolveError) -> PyErr {
    let message = error.to_string();
    match error {
        SolveError::Infeasible { capacity } => {
            raise(py, "InfeasibleError", message, vec![("capacity", int(py, *capacity))], false)
        }
        SolveError::Timeout(duration) => {
            let seconds = duration.as_secs_f64().into_bound_py_any(py).expect("a float converts");
            raise(py, "TimeoutError", message, vec![("timeout", seconds)], false)
        }
        SolveError::Cancelled => raise(py, "CancelledError", message, vec![], false),
        SolveError::InvalidProblem(model) => model_error(py, model),
        SolveError::InvalidParams(text) => raise(py, "InvalidParamsError", text.clone(), vec![], true),
        SolveError::TooLarge { .. } => raise(py, "InvalidProblemError", message, vec![], true),
    }
}

/// The exception for a malformed problem.
pub fn model_error(py: Python<'_>, error: &ModelError) -> PyErr {
    raise(py, "InvalidProblemError", format!("invalid problem: {error}"), vec![], true)
}

/// The exception for unreadable CSV text.
pub fn csv_error(py: Python<'_>, error: &CsvError) -> PyErr {
    let line = error.line().map(|l| int(py, l as i64)).unwrap_or_else(|| py.None().into_bound(py));
    let column = error
        .column()
        .map(|c| c.into_bound_py_any(py).expect("a str converts"))
        .unwrap_or_else(|| py.None().into_bound(py));
    let text = error
        .text()
        .map(|c| c.into_bound_py_any(py).expect("a str converts"))
        .unwrap_or_else(|| py.None().into_bound(py));
    raise(py, "CsvError", error.to_string(), vec![("line", line), ("column", column), ("text", text)], true)
}

/// The exception for a failed heuristic placement.
pub fn heuristic_error(py: Python<'_>, error: &HeuristicError) -> PyErr {
    let message = error.to_string();
    match error {
        HeuristicError::Timeout => raise(py, "TimeoutError", message, vec![], false),
        HeuristicError::Cancelled => raise(py, "CancelledError", message, vec![], false),
        HeuristicError::InvalidProblem(model) => model_error(py, model),
        HeuristicError::FixedConflict { .. }
        | HeuristicError::MisalignedFixed { .. }
        | HeuristicError::Overflow { .. } => raise(py, "InfeasibleError", message, vec![], false),
    }
}

//! `minimalloc._minimalloc`: the Python bindings of the `minimalloc` crate.
//!
//! The public API is the reference MiniMalloc package's (`google/minimalloc`,
//! `python/minimalloc/_bindings.cpp`): same names, signatures, defaults and
//! `repr`s, so scripts written for it run unchanged. On top: `solve` (exact
//! search or placement heuristics), `place`, `find_violation`, typed
//! exceptions, GIL-free solving with cancellation.

/// The Python methods of an int-like enum (as pybind11 gives them): `name`,
/// `value`, `repr`, `str`, `__index__` and a hash equal to the value's. The
/// type must be a fieldless `#[pyclass(eq, eq_int)]` enum with a
/// `label(self) -> &'static str` method.
macro_rules! int_enum_methods {
    ($ty:ident, $python_name:literal) => {
        #[pymethods]
        impl $ty {
            /// The member's name.
            #[getter]
            fn name(&self) -> &'static str {
                self.label()
            }

            /// The member's integer value, as in the reference.
            #[getter]
            fn value(&self) -> i64 {
                *self as i64
            }

            fn __repr__(&self) -> String {
                format!(concat!("<", $python_name, ".{}: {}>"), self.label(), *self as i64)
            }

            fn __str__(&self) -> String {
                format!(concat!($python_name, ".{}"), self.label())
            }

            fn __index__(&self) -> i64 {
                *self as i64
            }

            /// The hash of the integer value (members compare equal to it).
            fn __hash__(&self) -> u64 {
                *self as u64
            }
        }
    };
}

mod detach;
mod errors;
mod model;
mod solve;
mod solver;
mod sweep;

use minimalloc::csv::{self, CsvFormat};
use minimalloc::validate::{self as mvalidate, ValidationResult};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use model::{PyBuffer, PyGap, PyInterval, PyProblem, PySolution};
use solver::{PyDuration, PyPreorderData, PyPreorderingComparator, PySolver, PySolverParams};
use sweep::{
    PyBufferData, PyOverlap, PyPartition, PySectionSpan, PySweepPoint, PySweepPointType, PySweepResult,
};

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/// The outcome of ``validate``: ``GOOD``, or the first rule a solution
/// breaks (``BAD_SOLUTION``: wrong number of offsets; ``BAD_FIXED``: a fixed
/// offset moved; ``BAD_OFFSET``: negative or above the capacity;
/// ``BAD_OVERLAP``: two buffers collide; ``BAD_ALIGNMENT``; ``BAD_HEIGHT``:
/// the height is not the highest ``offset + size``).
#[pyclass(module = "minimalloc._minimalloc", name = "ValidationResult", eq, eq_int, frozen, from_py_object)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms, non_camel_case_types)]
pub enum PyValidationResult {
    /// Every rule holds.
    GOOD = 0,
    /// The number of offsets differs from the number of buffers.
    BAD_SOLUTION = 1,
    /// A buffer with a fixed offset is placed elsewhere.
    BAD_FIXED = 2,
    /// An offset is negative or the buffer ends above the capacity.
    BAD_OFFSET = 3,
    /// Two buffers overlap in space and time.
    BAD_OVERLAP = 4,
    /// An offset is not a multiple of the buffer's alignment.
    BAD_ALIGNMENT = 5,
    /// The height is not the buffers' highest ``offset + size``.
    BAD_HEIGHT = 6,
}

impl PyValidationResult {
    fn label(self) -> &'static str {
        match self {
            PyValidationResult::GOOD => "GOOD",
            PyValidationResult::BAD_SOLUTION => "BAD_SOLUTION",
            PyValidationResult::BAD_FIXED => "BAD_FIXED",
            PyValidationResult::BAD_OFFSET => "BAD_OFFSET",
            PyValidationResult::BAD_OVERLAP => "BAD_OVERLAP",
            PyValidationResult::BAD_ALIGNMENT => "BAD_ALIGNMENT",
            PyValidationResult::BAD_HEIGHT => "BAD_HEIGHT",
        }
    }
}

impl From<ValidationResult> for PyValidationResult {
    fn from(r: ValidationResult) -> Self {
        match r {
            ValidationResult::Good => PyValidationResult::GOOD,
            ValidationResult::BadSolution => PyValidationResult::BAD_SOLUTION,
            ValidationResult::BadFixed => PyValidationResult::BAD_FIXED,
            ValidationResult::BadOffset => PyValidationResult::BAD_OFFSET,
            ValidationResult::BadOverlap => PyValidationResult::BAD_OVERLAP,
            ValidationResult::BadAlignment => PyValidationResult::BAD_ALIGNMENT,
            ValidationResult::BadHeight => PyValidationResult::BAD_HEIGHT,
        }
    }
}

int_enum_methods!(PyValidationResult, "ValidationResult");

/// Checks a solution against a problem.
///
/// Args:
///     problem: The problem (its capacity, fixed offsets, alignments...).
///     solution: The offsets and height to check.
///
/// Returns:
///     ``ValidationResult.GOOD``, or the first rule broken, in the
///     reference's order.
#[pyfunction]
#[pyo3(signature = (problem, solution))]
fn validate(problem: PyRef<'_, PyProblem>, solution: PyRef<'_, PySolution>) -> PyValidationResult {
    mvalidate::validation_result(&problem.0, &solution.0).into()
}

/// Like ``validate``, but explains: a message naming the first broken rule
/// and the buffers involved, or None when the solution is valid.
#[pyfunction]
#[pyo3(signature = (problem, solution))]
fn find_violation(problem: PyRef<'_, PyProblem>, solution: PyRef<'_, PySolution>) -> Option<String> {
    mvalidate::validate(&problem.0, &solution.0).err().map(|v| v.to_string())
}

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

/// Writes a problem, and optionally a solution, as MiniMalloc CSV text.
///
/// The columns are ``id,lower,upper,size``, then ``alignment``, ``hint`` and
/// ``gaps`` when some buffer needs them, and ``offset`` with a solution.
///
/// Args:
///     problem: The problem.
///     solution: Offsets to write in an ``offset`` column, or None.
///     old_format: Write the older ``id,start,end,...`` form, where ends
///         are inclusive.
///
/// Raises:
///     ValueError: the solution has fewer offsets than there are buffers.
#[pyfunction]
#[pyo3(signature = (problem, solution = None, old_format = false))]
fn to_csv(
    problem: PyRef<'_, PyProblem>,
    solution: Option<PyRef<'_, PySolution>>,
    old_format: bool,
) -> PyResult<String> {
    let format = if old_format { CsvFormat::Legacy } else { CsvFormat::Standard };
    let mut out = Vec::new();
    csv::write_csv(&mut out, &problem.0, solution.as_deref().map(|s| &s.0), format)
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    String::from_utf8(out).map_err(|e| PyValueError::new_err(e.to_string()))
}

fn read_csv(py: Python<'_>, input: &str, source: &str, strict: bool) -> PyResult<Option<PyProblem>> {
    match csv::read_problem(input.as_bytes(), source) {
        Ok(problem) => Ok(Some(PyProblem(problem))),
        Err(e) if strict => Err(errors::csv_error(py, &e)),
        Err(_) => Ok(None),
    }
}

/// Reads a problem from MiniMalloc CSV text (``capacity`` is 0: set it).
///
/// Args:
///     input: The CSV text.
///     strict: Raise ``CsvError`` (a ``ValueError``, with the line, column
///         and a message) instead of returning None on malformed input.
///
/// Returns:
///     The ``Problem``, or None when the text is malformed (as the
///     reference).
#[pyfunction]
#[pyo3(signature = (input, *, strict = false))]
fn from_csv(py: Python<'_>, input: &str, strict: bool) -> PyResult<Option<PyProblem>> {
    read_csv(py, input, "<string>", strict)
}

/// ``from_csv`` whose errors name ``source`` (a file path).
#[pyfunction]
#[pyo3(signature = (input, source, *, strict = false))]
fn _from_csv_source(py: Python<'_>, input: &str, source: &str, strict: bool) -> PyResult<Option<PyProblem>> {
    read_csv(py, input, source, strict)
}

// ---------------------------------------------------------------------------
// Module
// ---------------------------------------------------------------------------

/// MiniMalloc static memory allocation (Rust implementation).
#[pymodule]
fn _minimalloc(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<PyDuration>()?;
    m.add_class::<PyInterval>()?;
    let interval = m.getattr("Interval")?;
    m.add("Lifespan", &interval)?;
    m.add("Window", &interval)?;
    m.add("SectionRange", &interval)?;
    m.add_class::<PyGap>()?;
    m.add_class::<PyBuffer>()?;
    m.add_class::<PySolution>()?;
    m.add_class::<PyProblem>()?;
    m.add_class::<PySolverParams>()?;
    m.add_class::<PyPreorderData>()?;
    m.add_class::<PyPreorderingComparator>()?;
    m.add_class::<PySolver>()?;
    m.add_class::<PyValidationResult>()?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(find_violation, m)?)?;
    m.add_function(wrap_pyfunction!(to_csv, m)?)?;
    m.add_function(wrap_pyfunction!(from_csv, m)?)?;
    m.add_function(wrap_pyfunction!(_from_csv_source, m)?)?;
    m.add_class::<PySectionSpan>()?;
    m.add_class::<PyPartition>()?;
    m.add_class::<PyOverlap>()?;
    m.add_class::<PyBufferData>()?;
    m.add_class::<PySweepResult>()?;
    m.add_class::<PySweepPointType>()?;
    m.add_class::<PySweepPoint>()?;
    m.add_function(wrap_pyfunction!(sweep::create_points, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep, m)?)?;
    solve::register(m)?;
    Ok(())
}

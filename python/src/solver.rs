//! The exact search: `Duration`, `SolverParams`, `Solver`, and the static
//! preordering types `PreorderData` and `PreorderingComparator`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use minimalloc::search::{
    CancelHandle, PreorderData, PreorderingComparator, SolveError, Solver, SolverParams,
};
use pyo3::basic::CompareOp;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyType};
use pyo3::IntoPyObjectExt;

use crate::detach::run_detached;
use crate::errors;
use crate::model::{compare_eq, hash_of, PyProblem, PySolution};

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

// ---------------------------------------------------------------------------
// Duration
// ---------------------------------------------------------------------------

/// A span of time, possibly infinite (the reference's ``absl::Duration``).
///
/// ``Duration()`` is zero; ``Duration(seconds)`` or the ``from_*``
/// constructors give a finite span; ``Duration.infinite()`` never ends.
/// Ordered, hashable and immutable.
///
/// Args:
///     seconds: The length in seconds (default 0).
#[pyclass(module = "minimalloc._minimalloc", name = "Duration", frozen, from_py_object)]
#[derive(Clone, Copy, Debug)]
pub struct PyDuration {
    seconds: f64,
}

impl PyDuration {
    /// A duration of `seconds` (NaN is refused).
    pub fn of(seconds: f64) -> PyResult<Self> {
        if seconds.is_nan() {
            return Err(PyValueError::new_err("a Duration cannot be NaN"));
        }
        Ok(PyDuration { seconds })
    }

    /// The infinite duration.
    pub const INFINITE: PyDuration = PyDuration { seconds: f64::INFINITY };

    /// As a time limit: `None` when infinite (or beyond what the platform
    /// can represent), zero when negative.
    pub fn to_limit(self) -> Option<std::time::Duration> {
        if self.seconds <= 0.0 {
            Some(std::time::Duration::ZERO)
        } else {
            std::time::Duration::try_from_secs_f64(self.seconds).ok()
        }
    }

    /// Reads a time limit the way `SolverParams.timeout` accepts it: a
    /// `Duration`, a number of seconds, a `datetime.timedelta`, or None
    /// (infinite).
    pub fn from_timeout(value: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let value = match value {
            None => return Ok(PyDuration::INFINITE),
            Some(v) if v.is_none() => return Ok(PyDuration::INFINITE),
            Some(v) => v,
        };
        if let Ok(d) = value.cast::<PyDuration>() {
            return Ok(*d.get());
        }
        if value.is_instance_of::<PyFloat>()
            || value.is_instance_of::<PyInt>()
            || value.is_instance_of::<PyBool>()
        {
            return PyDuration::of(value.extract::<f64>()?);
        }
        if let Ok(total) = value.call_method0("total_seconds") {
            if let Ok(seconds) = total.extract::<f64>() {
                return PyDuration::of(seconds);
            }
        }
        Err(PyTypeError::new_err("timeout must be Duration, numeric, or None"))
    }

    fn key(&self) -> f64 {
        // -0.0 and 0.0 are the same duration.
        if self.seconds == 0.0 {
            0.0
        } else {
            self.seconds
        }
    }
}

#[pymethods]
impl PyDuration {
    #[new]
    #[pyo3(signature = (seconds = 0.0))]
    fn new(seconds: f64) -> PyResult<Self> {
        PyDuration::of(seconds)
    }

    /// A duration of ``seconds`` seconds.
    #[staticmethod]
    #[pyo3(signature = (seconds))]
    fn from_seconds(seconds: f64) -> PyResult<Self> {
        PyDuration::of(seconds)
    }

    /// A duration of ``milliseconds`` milliseconds.
    #[staticmethod]
    #[pyo3(signature = (milliseconds))]
    fn from_milliseconds(milliseconds: f64) -> PyResult<Self> {
        PyDuration::of(milliseconds / 1e3)
    }

    /// A duration of ``microseconds`` microseconds.
    #[staticmethod]
    #[pyo3(signature = (microseconds))]
    fn from_microseconds(microseconds: f64) -> PyResult<Self> {
        PyDuration::of(microseconds / 1e6)
    }

    /// The infinite duration (no time limit).
    #[staticmethod]
    fn infinite() -> Self {
        PyDuration::INFINITE
    }

    /// The length in seconds (``math.inf`` when infinite).
    #[allow(clippy::wrong_self_convention)]
    fn to_seconds(&self) -> f64 {
        self.seconds
    }

    /// The length in milliseconds (``math.inf`` when infinite).
    #[allow(clippy::wrong_self_convention)]
    fn to_milliseconds(&self) -> f64 {
        self.seconds * 1e3
    }

    /// Whether this is ``Duration.infinite()``.
    fn is_infinite(&self) -> bool {
        self.seconds.is_infinite()
    }

    fn __float__(&self) -> f64 {
        self.seconds
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let Ok(other) = other.cast::<PyDuration>() else {
            return Ok(py.NotImplemented());
        };
        let (a, b) = (self.key(), other.get().key());
        match a.partial_cmp(&b) {
            Some(ordering) => op.matches(ordering).into_py_any(py),
            None => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.key().to_bits())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        if self.seconds.is_infinite() && self.seconds > 0.0 {
            return Ok("Duration.infinite()".into());
        }
        // Python's float formatting, as the reference's `str.format` gives.
        let seconds = PyFloat::new(py, self.seconds).str()?;
        Ok(format!("Duration({seconds} seconds)"))
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> (Bound<'py, PyType>, (f64,)) {
        (py.get_type::<PyDuration>(), (self.seconds,))
    }
}

// ---------------------------------------------------------------------------
// SolverParams
// ---------------------------------------------------------------------------

/// Settings of the exact search: every technique can be switched off, plus
/// the time limit and the static preordering heuristics.
///
/// ``SolverParams()`` has the reference's defaults (every technique on except
/// ``minimize_capacity``, no time limit, heuristics ``["WAT", "TAW",
/// "TWA"]``). Every setting may also be given as a keyword argument.
///
/// Args:
///     timeout: A ``Duration``, a number of seconds, a
///         ``datetime.timedelta``, or None for no limit.
///     canonical_only: Explore canonical solutions only.
///     section_inference: Prune with per-section lower bounds.
///     dynamic_ordering: Try buffers by lowest minimum offset first.
///     check_dominance: Skip placements that leave a fillable gap.
///     unallocated_floor: Raise section floors to the unplaced minima.
///     static_preordering: Sort buffers by the preordering heuristic first.
///     dynamic_decomposition: Split the problem when it falls apart.
///     monotonic_floor: Require section floors to rise monotonically.
///     hatless_pruning: Stop after a buffer with nothing above it.
///     minimize_capacity: Find the lowest capacity (up to the problem's)
///         that admits a solution.
///     preordering_heuristics: Heuristic strings (letters A C L O T U W Z),
///         tried in turn.
#[pyclass(module = "minimalloc._minimalloc", name = "SolverParams", from_py_object)]
#[derive(Clone)]
pub struct PySolverParams {
    params: SolverParams,
    timeout: PyDuration,
}

impl PySolverParams {
    /// The library's settings, with the time limit converted.
    pub fn to_rust(&self) -> SolverParams {
        SolverParams { timeout: self.timeout.to_limit(), ..self.params.clone() }
    }

    /// The time limit.
    pub fn timeout(&self) -> PyDuration {
        self.timeout
    }
}

impl Default for PySolverParams {
    fn default() -> Self {
        PySolverParams { params: SolverParams::default(), timeout: PyDuration::INFINITE }
    }
}

macro_rules! switches {
    ($( $get:ident, $set:ident, $field:ident, $doc:literal; )* { $($rest:tt)* }) => {
        #[pymethods]
        impl PySolverParams {
            $($rest)*
            $(
                #[doc = $doc]
                #[getter]
                fn $get(&self) -> bool {
                    self.params.$field
                }

                #[setter]
                fn $set(&mut self, value: bool) {
                    self.params.$field = value;
                }
            )*
        }
    };
}

switches! {
    get_canonical_only, set_canonical_only, canonical_only, "Explore canonical solutions only.";
    get_section_inference, set_section_inference, section_inference, "Prune with per-section lower bounds (advanced inference).";
    get_dynamic_ordering, set_dynamic_ordering, dynamic_ordering, "Order buffers dynamically by their lowest minimum offset.";
    get_check_dominance, set_check_dominance, check_dominance, "Skip dominated placements that leave a fillable gap.";
    get_unallocated_floor, set_unallocated_floor, unallocated_floor, "Use the unplaced buffers' minimum offsets as section floors.";
    get_static_preordering, set_static_preordering, static_preordering, "Sort buffers by the preordering heuristic before searching.";
    get_dynamic_decomposition, set_dynamic_decomposition, dynamic_decomposition, "Split the problem when placed buffers disconnect it.";
    get_monotonic_floor, set_monotonic_floor, monotonic_floor, "Require section floors to rise monotonically.";
    get_hatless_pruning, set_hatless_pruning, hatless_pruning, "Stop trying siblings after a buffer with nothing above it.";
    get_minimize_capacity, set_minimize_capacity, minimize_capacity, "Find the lowest capacity (up to the problem's) that admits a solution.";
{
    #[new]
    #[pyo3(signature = (
        *,
        timeout = None,
        canonical_only = true,
        section_inference = true,
        dynamic_ordering = true,
        check_dominance = true,
        unallocated_floor = true,
        static_preordering = true,
        dynamic_decomposition = true,
        monotonic_floor = true,
        hatless_pruning = true,
        minimize_capacity = false,
        preordering_heuristics = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        timeout: Option<&Bound<'_, PyAny>>,
        canonical_only: bool,
        section_inference: bool,
        dynamic_ordering: bool,
        check_dominance: bool,
        unallocated_floor: bool,
        static_preordering: bool,
        dynamic_decomposition: bool,
        monotonic_floor: bool,
        hatless_pruning: bool,
        minimize_capacity: bool,
        preordering_heuristics: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let defaults = SolverParams::default();
        Ok(PySolverParams {
            params: SolverParams {
                timeout: None,
                canonical_only,
                section_inference,
                dynamic_ordering,
                check_dominance,
                unallocated_floor,
                static_preordering,
                dynamic_decomposition,
                monotonic_floor,
                hatless_pruning,
                minimize_capacity,
                preordering_heuristics: preordering_heuristics.unwrap_or(defaults.preordering_heuristics),
                // The reference API's solver is the reference's search;
                // `mm.solve(..., search="fast")` picks the other.
                search: defaults.search,
            },
            timeout: PyDuration::from_timeout(timeout)?,
        })
    }

    /// The time limit, a ``Duration`` (``Duration.infinite()`` for none).
    /// Accepts a ``Duration``, a number of seconds, a ``datetime.timedelta``
    /// or None when set.
    #[getter]
    fn get_timeout(&self) -> PyDuration {
        self.timeout
    }

    #[setter]
    fn set_timeout(&mut self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.timeout = PyDuration::from_timeout(value)?;
        Ok(())
    }

    /// The static preordering heuristics (a list of strings such as
    /// ``"WAT"``), tried in turn.
    #[getter]
    fn get_preordering_heuristics(&self) -> Vec<String> {
        self.params.preordering_heuristics.clone()
    }

    #[setter]
    fn set_preordering_heuristics(&mut self, value: Vec<String>) {
        self.params.preordering_heuristics = value;
    }

    fn __copy__(&self) -> Self {
        self.clone()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let p = &self.params;
        let flag = |b: bool| if b { "True" } else { "False" };
        let heuristics: Vec<String> = p.preordering_heuristics.iter().map(|h| format!("'{h}'")).collect();
        Ok(format!(
            "SolverParams(timeout={}, canonical_only={}, section_inference={}, dynamic_ordering={}, \
             check_dominance={}, unallocated_floor={}, static_preordering={}, dynamic_decomposition={}, \
             monotonic_floor={}, hatless_pruning={}, minimize_capacity={}, preordering_heuristics=[{}])",
            self.timeout.__repr__(py)?,
            flag(p.canonical_only),
            flag(p.section_inference),
            flag(p.dynamic_ordering),
            flag(p.check_dominance),
            flag(p.unallocated_floor),
            flag(p.static_preordering),
            flag(p.dynamic_decomposition),
            flag(p.monotonic_floor),
            flag(p.hatless_pruning),
            flag(p.minimize_capacity),
            heuristics.join(", ")
        ))
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match other.cast::<PySolverParams>() {
            Ok(other) => {
                let other = other.borrow();
                let equal = self.params == other.params && self.timeout.key() == other.timeout.key();
                compare_eq(py, op, equal)
            }
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    // Mutable, so not hashable (as the reference, whose class has no `==`).
    #[classattr]
    const __hash__: Option<Py<PyAny>> = None;
}
}

// ---------------------------------------------------------------------------
// Solver
// ---------------------------------------------------------------------------

/// The exact MiniMalloc search.
///
/// ``solve`` releases the GIL, so other Python threads run meanwhile and may
/// call ``cancel()``; Ctrl-C also stops it (raising ``KeyboardInterrupt``).
/// As in the reference, ``solve`` returns None when there is no solution;
/// ``last_error`` then tells why (``InfeasibleError``, ``TimeoutError`` or
/// ``CancelledError``), and ``strict=True`` raises it instead.
///
/// Args:
///     params: The settings (default ``SolverParams()``); copied.
#[pyclass(module = "minimalloc._minimalloc", name = "Solver", frozen)]
pub struct PySolver {
    solver: Mutex<Solver>,
    cancel: CancelHandle,
    params: PySolverParams,
    backtracks: AtomicU64,
    nodes: AtomicU64,
    last_error: Mutex<Option<SolveError>>,
}

impl PySolver {
    /// A solver with these settings.
    pub fn with_params(params: PySolverParams) -> Self {
        let solver = Solver::new(params.to_rust());
        let cancel = solver.cancel_handle();
        PySolver {
            solver: Mutex::new(solver),
            cancel,
            params,
            backtracks: AtomicU64::new(0),
            nodes: AtomicU64::new(0),
            last_error: Mutex::new(None),
        }
    }

    /// Runs `f` on the locked solver without the GIL, then records its
    /// statistics and outcome. Invalid problems and settings always raise;
    /// other failures raise only when `strict`, else give None.
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        strict: bool,
        f: impl FnOnce(&mut Solver) -> Result<T, SolveError> + Send,
    ) -> PyResult<Option<T>> {
        let (result, stats) = run_detached(
            py,
            || self.cancel.cancel(),
            || {
                let mut solver = lock(&self.solver);
                let result = f(&mut solver);
                (result, solver.stats())
            },
        )?;
        self.backtracks.store(stats.backtracks, Ordering::Relaxed);
        self.nodes.store(stats.nodes, Ordering::Relaxed);
        match result {
            Ok(value) => {
                *lock(&self.last_error) = None;
                Ok(Some(value))
            }
            Err(error) => {
                let always = matches!(error, SolveError::InvalidProblem(_) | SolveError::InvalidParams(_));
                let exception = errors::solve_error(py, &error);
                *lock(&self.last_error) = Some(error);
                if strict || always {
                    Err(exception)
                } else {
                    Ok(None)
                }
            }
        }
    }
}

#[pymethods]
impl PySolver {
    #[new]
    #[pyo3(signature = (params = None))]
    fn new(params: Option<PySolverParams>) -> Self {
        PySolver::with_params(params.unwrap_or_default())
    }

    /// A copy of the solver's settings.
    #[getter]
    fn params(&self) -> PySolverParams {
        self.params.clone()
    }

    /// Finds an offset for every buffer within ``problem.capacity`` (or, with
    /// ``minimize_capacity``, the lowest capacity up to it).
    ///
    /// Args:
    ///     problem: The problem to solve.
    ///     strict: Raise instead of returning None when there is no solution.
    ///
    /// Returns:
    ///     A ``Solution`` (with its height), or None when the problem is
    ///     infeasible, the time limit passed, or ``cancel()`` was called
    ///     (``last_error`` says which).
    ///
    /// Raises:
    ///     InvalidProblemError: (``ValueError``) a malformed problem.
    ///     InvalidParamsError: (``ValueError``) a malformed setting.
    ///     InfeasibleError, TimeoutError, CancelledError: (``RuntimeError``)
    ///         only with ``strict=True``.
    #[pyo3(signature = (problem, *, strict = false))]
    fn solve(
        &self,
        py: Python<'_>,
        problem: PyRef<'_, PyProblem>,
        strict: bool,
    ) -> PyResult<Option<PySolution>> {
        let problem = problem.0.clone();
        Ok(self.run(py, strict, |solver| solver.solve(&problem))?.map(|s| PySolution(s, false)))
    }

    /// Finds a small set of buffers that cannot fit together: removing any
    /// one of them makes the rest feasible (for a feasible problem, every
    /// buffer).
    ///
    /// Returns:
    ///     The buffer indices, ascending; None on a time-out or cancellation
    ///     (``strict=True`` raises instead).
    #[pyo3(signature = (problem, *, strict = false))]
    fn compute_irreducible_infeasible_subset(
        &self,
        py: Python<'_>,
        problem: PyRef<'_, PyProblem>,
        strict: bool,
    ) -> PyResult<Option<Vec<usize>>> {
        let problem = problem.0.clone();
        self.run(py, strict, |solver| solver.irreducible_infeasible_subset(&problem))
    }

    /// The number of backtracks of the latest search.
    fn get_backtracks(&self) -> u64 {
        self.backtracks.load(Ordering::Relaxed)
    }

    /// The number of search nodes visited by the latest search.
    fn get_nodes(&self) -> u64 {
        self.nodes.load(Ordering::Relaxed)
    }

    /// Stops a running search soon (within milliseconds); it then returns
    /// None with ``last_error`` a ``CancelledError``. Safe to call from any
    /// thread; a later ``solve`` starts afresh.
    fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Why the latest search gave no result (an exception instance:
    /// ``InfeasibleError``, ``TimeoutError``, ``CancelledError``...), or
    /// None after a success.
    #[getter]
    fn last_error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        let error = lock(&self.last_error).clone()?;
        Some(errors::solve_error(py, &error).into_value(py).into_any())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("Solver(params={})", self.params.__repr__(py)?))
    }
}

// ---------------------------------------------------------------------------
// Preordering
// ---------------------------------------------------------------------------

/// The keys a ``PreorderingComparator`` compares, for one buffer.
///
/// Every field may be given by keyword (default 0).
#[pyclass(module = "minimalloc._minimalloc", name = "PreorderData", get_all, set_all, from_py_object)]
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct PyPreorderData {
    /// The area (size times lifespan length).
    area: i128,
    /// The start of the lifespan.
    lower: i64,
    /// How many buffers it overlaps.
    overlaps: u64,
    /// How many sections it spans.
    sections: i64,
    /// Its size.
    size: i64,
    /// The largest total of sizes in any section it spans.
    total: i64,
    /// The end of the lifespan.
    upper: i64,
    /// The lifespan's length.
    width: i128,
    /// Its index among the problem's buffers.
    buffer_idx: usize,
}

impl PyPreorderData {
    fn to_rust(&self) -> PreorderData {
        PreorderData {
            area: self.area,
            lower: self.lower,
            overlaps: self.overlaps,
            sections: self.sections,
            size: self.size,
            total: self.total,
            upper: self.upper,
            width: self.width,
            buffer_idx: self.buffer_idx,
        }
    }
}

#[pymethods]
impl PyPreorderData {
    #[new]
    #[pyo3(signature = (area = 0, lower = 0, overlaps = 0, sections = 0, size = 0, total = 0, upper = 0, width = 0, buffer_idx = 0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        area: i128,
        lower: i64,
        overlaps: u64,
        sections: i64,
        size: i64,
        total: i64,
        upper: i64,
        width: i128,
        buffer_idx: usize,
    ) -> Self {
        PyPreorderData { area, lower, overlaps, sections, size, total, upper, width, buffer_idx }
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match other.cast::<PyPreorderData>() {
            Ok(other) => compare_eq(py, op, *self == *other.borrow()),
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(self)
    }

    fn __repr__(&self) -> String {
        format!(
            "PreorderData(area={}, lower={}, overlaps={}, sections={}, size={}, total={}, upper={}, width={}, buffer_idx={})",
            self.area, self.lower, self.overlaps, self.sections, self.size, self.total, self.upper, self.width,
            self.buffer_idx
        )
    }
}

/// Orders buffers for the search by a heuristic string: each letter names a
/// key compared in descending order (``A`` area, ``C`` sections, ``L`` lower,
/// ``O`` overlaps, ``T`` total, ``U`` upper, ``W`` width, ``Z`` size); ties go
/// to the lower buffer index.
///
/// Args:
///     heuristic: The letters, such as ``"WAT"``.
///
/// Letters outside ``ACLOTUWZ`` are ignored, as by the reference, with a
/// ``UserWarning`` (``SolverParams.preordering_heuristics`` rejects them).
#[pyclass(module = "minimalloc._minimalloc", name = "PreorderingComparator", frozen)]
pub struct PyPreorderingComparator(PreorderingComparator);

#[pymethods]
impl PyPreorderingComparator {
    #[new]
    #[pyo3(signature = (heuristic))]
    fn new(py: Python<'_>, heuristic: &str) -> PyResult<Self> {
        match PreorderingComparator::new(heuristic) {
            Ok(comparator) => Ok(PyPreorderingComparator(comparator)),
            Err(e) => {
                let message =
                    std::ffi::CString::new(format!("{e}; such letters are ignored, as by the reference"))
                        .unwrap_or_default();
                PyErr::warn(py, &py.get_type::<pyo3::exceptions::PyUserWarning>(), &message, 1)?;
                Ok(PyPreorderingComparator(PreorderingComparator::lenient(heuristic)))
            }
        }
    }

    /// Whether ``lhs`` goes strictly before ``rhs``.
    #[pyo3(signature = (lhs, rhs))]
    fn __call__(&self, lhs: PyRef<'_, PyPreorderData>, rhs: PyRef<'_, PyPreorderData>) -> bool {
        self.0.less(&lhs.to_rust(), &rhs.to_rust())
    }

    /// The heuristic string.
    #[getter]
    fn heuristic(&self) -> String {
        self.0.heuristic().to_string()
    }

    fn __repr__(&self) -> String {
        format!("PreorderingComparator('{}')", self.0.heuristic())
    }
}

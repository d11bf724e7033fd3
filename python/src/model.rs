//! The problem model: `Interval` (also `Lifespan`, `Window`, `SectionRange`),
//! `Gap`, `Buffer`, `Solution`, `Problem`.
//!
//! Each class holds the library's value. Attribute getters return copies (as
//! the reference's pybind11 bindings do for lists): `problem.buffers[0].size
//! = 3` changes a copy; assign the whole list back to change the problem.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use minimalloc::problem::{Buffer, Gap, Interval, Problem, Solution};
use pyo3::basic::CompareOp;
use pyo3::exceptions::{PyImportError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyType;
use pyo3::IntoPyObjectExt;

use crate::errors;

/// A stable hash of a Rust value (the same in every process).
pub fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// `==` / `!=` from an equality; other comparisons are not supported.
pub fn compare_eq(py: Python<'_>, op: CompareOp, equal: bool) -> PyResult<Py<PyAny>> {
    match op {
        CompareOp::Eq => equal.into_py_any(py),
        CompareOp::Ne => (!equal).into_py_any(py),
        _ => Ok(py.NotImplemented()),
    }
}

/// All six comparisons from an ordering.
pub fn compare_ord<T: Ord>(py: Python<'_>, op: CompareOp, a: &T, b: &T) -> PyResult<Py<PyAny>> {
    op.matches(a.cmp(b)).into_py_any(py)
}

/// Reads an `Interval`, or a `(lower, upper)` pair of ints.
pub fn to_interval(obj: &Bound<'_, PyAny>) -> PyResult<Interval> {
    if let Ok(interval) = obj.cast::<PyInterval>() {
        return Ok(interval.get().0);
    }
    if let Ok((lower, upper)) = obj.extract::<(i64, i64)>() {
        return Ok(Interval::new(lower, upper));
    }
    Err(PyTypeError::new_err(format!(
        "expected an Interval or a (lower, upper) pair of ints, got {}",
        obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
    )))
}

/// `Interval(lower, upper)`, as the reference prints it.
pub fn interval_repr(i: &Interval) -> String {
    format!("Interval({}, {})", i.lower, i.upper)
}

/// `[a, b, c]`, as Python prints a list of ints.
pub fn int_list_repr<T: std::fmt::Display>(values: &[T]) -> String {
    let items: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    format!("[{}]", items.join(", "))
}

fn optional_repr<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "None".into())
}

// ---------------------------------------------------------------------------
// Interval
// ---------------------------------------------------------------------------

/// A half-open interval ``[lower, upper)`` of integers.
///
/// Used for lifespans (``Lifespan``), gap windows (``Window``) and ranges of
/// sections (``SectionRange``), which are all this same class. Immutable and
/// hashable; ordered lexicographically by ``(lower, upper)``.
///
/// Args:
///     lower: The first value inside the interval (default 0).
///     upper: The first value past the interval (default 0).
#[pyclass(module = "minimalloc._minimalloc", name = "Interval", frozen, from_py_object)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PyInterval(pub Interval);

#[pymethods]
impl PyInterval {
    #[new]
    #[pyo3(signature = (lower = 0, upper = 0))]
    fn new(lower: i64, upper: i64) -> Self {
        PyInterval(Interval::new(lower, upper))
    }

    /// The first value inside the interval.
    #[getter]
    fn lower(&self) -> i64 {
        self.0.lower
    }

    /// The first value past the interval.
    #[getter]
    fn upper(&self) -> i64 {
        self.0.upper
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match other.cast::<PyInterval>() {
            Ok(other) => compare_ord(py, op, &self.0, &other.get().0),
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.0)
    }

    fn __repr__(&self) -> String {
        interval_repr(&self.0)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> (Bound<'py, PyType>, (i64, i64)) {
        (py.get_type::<PyInterval>(), (self.0.lower, self.0.upper))
    }
}

// ---------------------------------------------------------------------------
// Gap
// ---------------------------------------------------------------------------

/// A stretch of a buffer's lifespan where it is (partly) inactive.
///
/// During the gap the buffer uses no memory at all (``window`` is None) or
/// only the addresses ``offset + window.lower`` up to ``offset +
/// window.upper``.
///
/// Args:
///     lifespan: When the gap applies (an ``Interval`` or a pair).
///     window: The part of the buffer's space still in use, or None.
#[pyclass(module = "minimalloc._minimalloc", name = "Gap", from_py_object)]
#[derive(Clone)]
pub struct PyGap(pub Gap);

#[pymethods]
impl PyGap {
    #[new]
    #[pyo3(signature = (lifespan = None, window = None))]
    fn new(lifespan: Option<&Bound<'_, PyAny>>, window: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let lifespan = lifespan.map(to_interval).transpose()?.unwrap_or_default();
        let window = window.filter(|w| !w.is_none()).map(to_interval).transpose()?;
        Ok(PyGap(Gap { lifespan, window }))
    }

    /// When the gap applies (half-open).
    #[getter]
    fn get_lifespan(&self) -> PyInterval {
        PyInterval(self.0.lifespan)
    }

    #[setter]
    fn set_lifespan(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.0.lifespan = to_interval(value)?;
        Ok(())
    }

    /// The addresses still in use during the gap, relative to the buffer's
    /// offset; None when the buffer uses no memory during the gap.
    #[getter]
    fn get_window(&self) -> Option<PyInterval> {
        self.0.window.map(PyInterval)
    }

    #[setter]
    fn set_window(&mut self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.0.window = value.filter(|w| !w.is_none()).map(to_interval).transpose()?;
        Ok(())
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match other.cast::<PyGap>() {
            Ok(other) => compare_eq(py, op, self.0 == other.borrow().0),
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.0)
    }

    fn __repr__(&self) -> String {
        gap_repr(&self.0)
    }

    fn __copy__(&self) -> Self {
        self.clone()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> (Bound<'py, PyType>, (PyInterval, Option<PyInterval>)) {
        (py.get_type::<PyGap>(), (PyInterval(self.0.lifespan), self.0.window.map(PyInterval)))
    }
}

fn gap_repr(g: &Gap) -> String {
    let window = g.window.map(|w| interval_repr(&w)).unwrap_or_else(|| "None".into());
    format!("Gap(lifespan={}, window={})", interval_repr(&g.lifespan), window)
}

// ---------------------------------------------------------------------------
// Buffer
// ---------------------------------------------------------------------------

/// One buffer to place in memory.
///
/// Args:
///     id: A unique name (used in CSV files).
///     lifespan: When the buffer is live, half-open ``[lower, upper)``
///         (an ``Interval`` or a pair).
///     size: How much memory it needs while active.
///     alignment: Its offset must be a multiple of this (default 1).
///     gaps: Stretches of the lifespan where it is (partly) inactive, in time
///         order.
///     offset: A fixed offset the solution must keep, or None.
///     hint: A suggested offset (carried through files, not used), or None.
///
/// Equality and hashing ignore ``hint``, as the reference's do.
#[pyclass(module = "minimalloc._minimalloc", name = "Buffer", from_py_object)]
#[derive(Clone)]
pub struct PyBuffer(pub Buffer);

/// The fields that take part in equality (all but the hint, as the reference).
fn buffer_key(b: &Buffer) -> (&str, &Interval, i64, i64, &[Gap], Option<i64>) {
    (&b.id, &b.lifespan, b.size, b.alignment, &b.gaps, b.offset)
}

#[pymethods]
impl PyBuffer {
    #[new]
    #[pyo3(signature = (id = String::new(), lifespan = None, size = 0, alignment = 1, gaps = Vec::new(), offset = None, hint = None))]
    fn new(
        id: String,
        lifespan: Option<&Bound<'_, PyAny>>,
        size: i64,
        alignment: i64,
        gaps: Vec<PyGap>,
        offset: Option<i64>,
        hint: Option<i64>,
    ) -> PyResult<Self> {
        let lifespan = lifespan.map(to_interval).transpose()?.unwrap_or_default();
        Ok(PyBuffer(Buffer {
            id,
            lifespan,
            size,
            alignment,
            gaps: gaps.into_iter().map(|g| g.0).collect(),
            offset,
            hint,
        }))
    }

    /// A unique name for the buffer.
    #[getter]
    fn get_id(&self) -> String {
        self.0.id.clone()
    }

    #[setter]
    fn set_id(&mut self, value: String) {
        self.0.id = value;
    }

    /// When the buffer is live, half-open.
    #[getter]
    fn get_lifespan(&self) -> PyInterval {
        PyInterval(self.0.lifespan)
    }

    #[setter]
    fn set_lifespan(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.0.lifespan = to_interval(value)?;
        Ok(())
    }

    /// How much memory the buffer needs while active.
    #[getter]
    fn get_size(&self) -> i64 {
        self.0.size
    }

    #[setter]
    fn set_size(&mut self, value: i64) {
        self.0.size = value;
    }

    /// Every offset given to the buffer must be a multiple of this.
    #[getter]
    fn get_alignment(&self) -> i64 {
        self.0.alignment
    }

    #[setter]
    fn set_alignment(&mut self, value: i64) {
        self.0.alignment = value;
    }

    /// The buffer's gaps (a copy: assign a new list to change them).
    #[getter]
    fn get_gaps(&self) -> Vec<PyGap> {
        self.0.gaps.iter().cloned().map(PyGap).collect()
    }

    #[setter]
    fn set_gaps(&mut self, value: Vec<PyGap>) {
        self.0.gaps = value.into_iter().map(|g| g.0).collect();
    }

    /// A fixed offset the solution must keep, or None.
    #[getter]
    fn get_offset(&self) -> Option<i64> {
        self.0.offset
    }

    #[setter]
    fn set_offset(&mut self, value: Option<i64>) {
        self.0.offset = value;
    }

    /// A suggested offset (not used by the solver), or None.
    #[getter]
    fn get_hint(&self) -> Option<i64> {
        self.0.hint
    }

    #[setter]
    fn set_hint(&mut self, value: Option<i64>) {
        self.0.hint = value;
    }

    /// The buffer's size times the length of its lifespan.
    fn area(&self) -> i128 {
        self.0.area()
    }

    /// How far above this buffer's offset ``other`` must start so that the
    /// two never use the same memory at the same time; None when they can
    /// never collide (disjoint lifespans, or gaps that line up).
    #[pyo3(signature = (other))]
    fn effective_size(&self, other: PyRef<'_, PyBuffer>) -> Option<i64> {
        self.0.effective_size(&other.0)
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match other.cast::<PyBuffer>() {
            Ok(other) => compare_eq(py, op, buffer_key(&self.0) == buffer_key(&other.borrow().0)),
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(&buffer_key(&self.0))
    }

    fn __repr__(&self) -> String {
        buffer_repr(&self.0)
    }

    fn __copy__(&self) -> Self {
        self.clone()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }

    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> (Bound<'py, PyType>, (String, PyInterval, i64, i64, Vec<PyGap>, Option<i64>, Option<i64>)) {
        let b = &self.0;
        (
            py.get_type::<PyBuffer>(),
            (b.id.clone(), PyInterval(b.lifespan), b.size, b.alignment, self.get_gaps(), b.offset, b.hint),
        )
    }
}

fn buffer_repr(b: &Buffer) -> String {
    let gaps: Vec<String> = b.gaps.iter().map(gap_repr).collect();
    format!(
        "Buffer(id='{}', lifespan={}, size={}, alignment={}, gaps=[{}], offset={}, hint={})",
        b.id,
        interval_repr(&b.lifespan),
        b.size,
        b.alignment,
        gaps.join(", "),
        optional_repr(b.offset),
        optional_repr(b.hint)
    )
}

// ---------------------------------------------------------------------------
// Solution
// ---------------------------------------------------------------------------

/// `offsets` as a NumPy `int64` array (a copy), through the `numpy` module.
fn int64_array<'py>(numpy: &Bound<'py, PyModule>, offsets: &[i64]) -> PyResult<Bound<'py, PyAny>> {
    numpy.call_method1("array", (offsets.to_vec(), numpy.getattr("int64")?))
}

/// An offset for every buffer, and the height they reach.
///
/// Args:
///     offsets: One offset per buffer, in the problem's buffer order.
///     height: The highest ``offset + size`` (solutions from the solver carry
///         it; default 0).
///
/// Equality and hashing compare the offsets only, as the reference's do.
///
/// ``offsets`` is a list, as the reference's; in the solutions that
/// ``minimalloc.solve`` and ``minimalloc.place`` return, it is a NumPy
/// ``int64`` array when NumPy is installed.
#[pyclass(module = "minimalloc._minimalloc", name = "Solution", from_py_object)]
#[derive(Clone)]
pub struct PySolution(
    pub Solution,
    /// Whether `offsets` reads as a NumPy array when NumPy is installed.
    pub bool,
);

#[pymethods]
impl PySolution {
    #[new]
    #[pyo3(signature = (offsets = Vec::new(), height = 0))]
    fn new(offsets: Vec<i64>, height: i64) -> Self {
        PySolution(Solution { offsets, height }, false)
    }

    /// The offset of each buffer (a copy): a list, or a NumPy ``int64``
    /// array in the solutions of ``minimalloc.solve`` and
    /// ``minimalloc.place`` when NumPy is installed.
    #[getter]
    fn get_offsets<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if self.1 {
            if let Ok(numpy) = py.import("numpy") {
                return int64_array(&numpy, &self.0.offsets);
            }
        }
        self.0.offsets.clone().into_bound_py_any(py)
    }

    #[setter]
    fn set_offsets(&mut self, value: Vec<i64>) {
        self.0.offsets = value;
    }

    /// The highest ``offset + size`` over all buffers.
    #[getter]
    fn get_height(&self) -> i64 {
        self.0.height
    }

    #[setter]
    fn set_height(&mut self, value: i64) {
        self.0.height = value;
    }

    /// The offsets as a NumPy ``int64`` array (raises ImportError when NumPy
    /// is not installed).
    fn offsets_array<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let numpy = py.import("numpy").map_err(|e| {
            PyImportError::new_err(format!("Solution.offsets_array() needs NumPy (pip install numpy): {e}"))
        })?;
        int64_array(&numpy, &self.0.offsets)
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match other.cast::<PySolution>() {
            Ok(other) => compare_eq(py, op, self.0.offsets == other.borrow().0.offsets),
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.0.offsets)
    }

    fn __repr__(&self) -> String {
        format!("Solution(offsets={}, height={})", int_list_repr(&self.0.offsets), self.0.height)
    }

    fn __copy__(&self) -> Self {
        self.clone()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> (Bound<'py, PyType>, (Vec<i64>, i64)) {
        (py.get_type::<PySolution>(), (self.0.offsets.clone(), self.0.height))
    }
}

// ---------------------------------------------------------------------------
// Problem
// ---------------------------------------------------------------------------

/// Buffers to place within a memory capacity.
///
/// Args:
///     buffers: The buffers (a list of ``Buffer``).
///     capacity: No buffer may end above this address (default 0).
#[pyclass(module = "minimalloc._minimalloc", name = "Problem", from_py_object)]
#[derive(Clone)]
pub struct PyProblem(pub Problem);

#[pymethods]
impl PyProblem {
    #[new]
    #[pyo3(signature = (buffers = Vec::new(), capacity = 0))]
    fn new(buffers: Vec<PyBuffer>, capacity: i64) -> Self {
        PyProblem(Problem { buffers: buffers.into_iter().map(|b| b.0).collect(), capacity })
    }

    /// The buffers (a copy: assign a new list to change them).
    #[getter]
    fn get_buffers(&self) -> Vec<PyBuffer> {
        self.0.buffers.iter().cloned().map(PyBuffer).collect()
    }

    #[setter]
    fn set_buffers(&mut self, value: Vec<PyBuffer>) {
        self.0.buffers = value.into_iter().map(|b| b.0).collect();
    }

    /// The memory capacity: every ``offset + size`` must stay at or below it.
    #[getter]
    fn get_capacity(&self) -> i64 {
        self.0.capacity
    }

    #[setter]
    fn set_capacity(&mut self, value: i64) {
        self.0.capacity = value;
    }

    /// Moves every buffer's fixed offset into a ``Solution`` and clears them.
    ///
    /// Returns None (and changes nothing) when some buffer has no offset, as
    /// the reference does; with ``strict=True`` raises ``ValueError``
    /// instead, naming the buffer.
    #[pyo3(signature = (*, strict = false))]
    fn strip_solution(&mut self, strict: bool) -> PyResult<Option<PySolution>> {
        match self.0.strip_solution() {
            Ok(solution) => Ok(Some(PySolution(solution, false))),
            Err(missing) if strict => Err(PyValueError::new_err(missing.to_string())),
            Err(_) => Ok(None),
        }
    }

    /// Checks that the problem is well formed (positive sizes, non-empty
    /// lifespans, alignments >= 1, gaps inside lifespans and in order,
    /// windows within the size, non-negative fixed offsets and capacity).
    ///
    /// Raises:
    ///     InvalidProblemError: (a ``ValueError``) naming the first fault.
    fn check(&self, py: Python<'_>) -> PyResult<()> {
        self.0.check().map_err(|e| errors::model_error(py, &e))
    }

    /// The largest total size live at any one time (gaps and windows taken
    /// into account): a lower bound on every solution's height.
    fn max_load(&self) -> i64 {
        self.0.max_load()
    }

    /// The larger of ``max_load()`` and the largest buffer: no solution can be
    /// lower.
    fn lower_bound(&self) -> i64 {
        self.0.lower_bound()
    }

    /// ``lower_bound()`` raised, with gaps, by the chain bound: buffers that
    /// pairwise conflict are stacked even when no moment holds them all. The
    /// lower bound the fast search and ``solve`` use.
    fn best_lower_bound(&self) -> i64 {
        minimalloc::bound::lower_bound(&self.0)
    }

    /// A height that some solution surely reaches (fixed buffers in place,
    /// the others stacked above them), ignoring the capacity; None if it
    /// exceeds 64 bits.
    fn stacked_height(&self) -> Option<i64> {
        self.0.stacked_height()
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match other.cast::<PyProblem>() {
            Ok(other) => {
                let other = other.borrow();
                let equal = self.0.capacity == other.0.capacity
                    && self.0.buffers.len() == other.0.buffers.len()
                    && self
                        .0
                        .buffers
                        .iter()
                        .zip(&other.0.buffers)
                        .all(|(a, b)| buffer_key(a) == buffer_key(b));
                compare_eq(py, op, equal)
            }
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self) -> u64 {
        let keys: Vec<_> = self.0.buffers.iter().map(buffer_key).collect();
        hash_of(&(keys, self.0.capacity))
    }

    fn __repr__(&self) -> String {
        let buffers: Vec<String> = self.0.buffers.iter().map(buffer_repr).collect();
        format!("Problem(buffers=[{}], capacity={})", buffers.join(", "), self.0.capacity)
    }

    fn __copy__(&self) -> Self {
        self.clone()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> (Bound<'py, PyType>, (Vec<PyBuffer>, i64)) {
        (py.get_type::<PyProblem>(), (self.get_buffers(), self.0.capacity))
    }
}

//! The sweep layer: `SweepPointType`, `SweepPoint`, `SectionSpan`,
//! `Partition`, `Overlap`, `BufferData`, `SweepResult`, `create_points`,
//! `sweep`.
//!
//! These classes hold Python-friendly copies of the library's values (buffer
//! indices as signed ints, as the reference's `BufferIdx`; overlaps as a
//! set), so that any value the reference accepts can be built.

use std::collections::BTreeSet;

use minimalloc::sweep::{self as msweep, BufferData, SectionSpan, SweepPointType, SweepResult};
use minimalloc::Interval;
use pyo3::basic::CompareOp;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PySet, PyType};

use crate::model::{
    compare_eq, compare_ord, hash_of, int_list_repr, interval_repr, to_interval, PyInterval, PyProblem,
};

// ---------------------------------------------------------------------------
// SweepPointType
// ---------------------------------------------------------------------------

/// Whether a sweep point opens (``LEFT``) or closes (``RIGHT``) a span.
/// Closing points sort first at equal times.
#[pyclass(module = "minimalloc._minimalloc", name = "SweepPointType", eq, eq_int, frozen, from_py_object)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(clippy::upper_case_acronyms)]
pub enum PySweepPointType {
    /// A span ends here.
    RIGHT = 0,
    /// A span starts here.
    LEFT = 1,
}

impl From<SweepPointType> for PySweepPointType {
    fn from(t: SweepPointType) -> Self {
        match t {
            SweepPointType::Right => PySweepPointType::RIGHT,
            SweepPointType::Left => PySweepPointType::LEFT,
        }
    }
}

impl PySweepPointType {
    fn label(self) -> &'static str {
        match self {
            PySweepPointType::RIGHT => "RIGHT",
            PySweepPointType::LEFT => "LEFT",
        }
    }
}

int_enum_methods!(PySweepPointType, "SweepPointType");

// ---------------------------------------------------------------------------
// SweepPoint
// ---------------------------------------------------------------------------

/// One event of the sweep: a span of a buffer opens or closes.
///
/// Ordered (``<``) by time, then closing before opening, then buffer index,
/// as the reference.
///
/// Args:
///     buffer_idx: The buffer's index.
///     time_value: When.
///     point_type: ``SweepPointType.LEFT`` (opens) or ``RIGHT`` (closes).
///     window: The window of the span.
///     endpoint: Whether this is the start or end of the whole lifespan.
#[pyclass(module = "minimalloc._minimalloc", name = "SweepPoint", from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PySweepPoint {
    buffer_idx: i64,
    time_value: i64,
    point_type: PySweepPointType,
    window: Interval,
    endpoint: bool,
}

impl PySweepPoint {
    fn key(&self) -> (i64, PySweepPointType, i64) {
        (self.time_value, self.point_type, self.buffer_idx)
    }
}

#[pymethods]
impl PySweepPoint {
    #[new]
    #[pyo3(signature = (buffer_idx = 0, time_value = 0, point_type = PySweepPointType::LEFT, window = None, endpoint = false))]
    fn new(
        buffer_idx: i64,
        time_value: i64,
        point_type: PySweepPointType,
        window: Option<&Bound<'_, PyAny>>,
        endpoint: bool,
    ) -> PyResult<Self> {
        let window = window.map(to_interval).transpose()?.unwrap_or_default();
        Ok(PySweepPoint { buffer_idx, time_value, point_type, window, endpoint })
    }

    /// The buffer's index.
    #[getter]
    fn get_buffer_idx(&self) -> i64 {
        self.buffer_idx
    }

    #[setter]
    fn set_buffer_idx(&mut self, value: i64) {
        self.buffer_idx = value;
    }

    /// When the span opens or closes.
    #[getter]
    fn get_time_value(&self) -> i64 {
        self.time_value
    }

    #[setter]
    fn set_time_value(&mut self, value: i64) {
        self.time_value = value;
    }

    /// ``SweepPointType.LEFT`` (opens) or ``RIGHT`` (closes).
    #[getter]
    fn get_point_type(&self) -> PySweepPointType {
        self.point_type
    }

    #[setter]
    fn set_point_type(&mut self, value: PySweepPointType) {
        self.point_type = value;
    }

    /// The window of the span.
    #[getter]
    fn get_window(&self) -> PyInterval {
        PyInterval(self.window)
    }

    #[setter]
    fn set_window(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.window = to_interval(value)?;
        Ok(())
    }

    /// Whether this point starts or ends the buffer's whole lifespan.
    #[getter]
    fn get_endpoint(&self) -> bool {
        self.endpoint
    }

    #[setter]
    fn set_endpoint(&mut self, value: bool) {
        self.endpoint = value;
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let Ok(other) = other.cast::<PySweepPoint>() else {
            return Ok(py.NotImplemented());
        };
        let other = other.borrow();
        match op {
            CompareOp::Eq | CompareOp::Ne => compare_eq(py, op, *self == *other),
            _ => compare_ord(py, op, &self.key(), &other.key()),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(self)
    }

    fn __repr__(&self) -> String {
        format!(
            "SweepPoint(buffer_idx={}, time_value={}, point_type={}, window={}, endpoint={})",
            self.buffer_idx,
            self.time_value,
            self.point_type.label(),
            interval_repr(&self.window),
            if self.endpoint { "True" } else { "False" }
        )
    }
}

// ---------------------------------------------------------------------------
// SectionSpan, Partition, Overlap
// ---------------------------------------------------------------------------

/// A range of sections where a buffer is continuously active, and the window
/// of its space in use there.
///
/// Args:
///     section_range: The sections, half-open.
///     window: The addresses used, relative to the buffer's offset.
#[pyclass(module = "minimalloc._minimalloc", name = "SectionSpan", from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PySectionSpan {
    section_range: Interval,
    window: Interval,
}

#[pymethods]
impl PySectionSpan {
    #[new]
    #[pyo3(signature = (section_range = None, window = None))]
    fn new(section_range: Option<&Bound<'_, PyAny>>, window: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        Ok(PySectionSpan {
            section_range: section_range.map(to_interval).transpose()?.unwrap_or_default(),
            window: window.map(to_interval).transpose()?.unwrap_or_default(),
        })
    }

    /// The sections, half-open.
    #[getter]
    fn get_section_range(&self) -> PyInterval {
        PyInterval(self.section_range)
    }

    #[setter]
    fn set_section_range(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.section_range = to_interval(value)?;
        Ok(())
    }

    /// The addresses used, relative to the buffer's offset.
    #[getter]
    fn get_window(&self) -> PyInterval {
        PyInterval(self.window)
    }

    #[setter]
    fn set_window(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.window = to_interval(value)?;
        Ok(())
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match other.cast::<PySectionSpan>() {
            Ok(other) => compare_eq(py, op, *self == *other.borrow()),
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(self)
    }

    fn __repr__(&self) -> String {
        span_repr(self)
    }
}

fn span_repr(s: &PySectionSpan) -> String {
    format!(
        "SectionSpan(section_range={}, window={})",
        interval_repr(&s.section_range),
        interval_repr(&s.window)
    )
}

/// A group of buffers that interact only with each other.
///
/// Args:
///     buffer_idxs: The buffers' indices.
///     section_range: The sections the group spans, half-open.
#[pyclass(module = "minimalloc._minimalloc", name = "Partition", from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyPartition {
    buffer_idxs: Vec<i64>,
    section_range: Interval,
}

#[pymethods]
impl PyPartition {
    #[new]
    #[pyo3(signature = (buffer_idxs = Vec::new(), section_range = None))]
    fn new(buffer_idxs: Vec<i64>, section_range: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        Ok(PyPartition {
            buffer_idxs,
            section_range: section_range.map(to_interval).transpose()?.unwrap_or_default(),
        })
    }

    /// The buffers' indices (a copy).
    #[getter]
    fn get_buffer_idxs(&self) -> Vec<i64> {
        self.buffer_idxs.clone()
    }

    #[setter]
    fn set_buffer_idxs(&mut self, value: Vec<i64>) {
        self.buffer_idxs = value;
    }

    /// The sections the group spans, half-open.
    #[getter]
    fn get_section_range(&self) -> PyInterval {
        PyInterval(self.section_range)
    }

    #[setter]
    fn set_section_range(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.section_range = to_interval(value)?;
        Ok(())
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match other.cast::<PyPartition>() {
            Ok(other) => compare_eq(py, op, *self == *other.borrow()),
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(self)
    }

    fn __repr__(&self) -> String {
        partition_repr(self)
    }
}

fn partition_repr(p: &PyPartition) -> String {
    format!(
        "Partition(buffer_idxs={}, section_range={})",
        int_list_repr(&p.buffer_idxs),
        interval_repr(&p.section_range)
    )
}

/// Another buffer live at the same time as this one.
///
/// Ordered by ``(buffer_idx, effective_size)``.
///
/// Args:
///     buffer_idx: The other buffer's index (default -1).
///     effective_size: How far above this buffer's offset it must start.
#[pyclass(module = "minimalloc._minimalloc", name = "Overlap", from_py_object)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PyOverlap {
    buffer_idx: i64,
    effective_size: i64,
}

#[pymethods]
impl PyOverlap {
    #[new]
    #[pyo3(signature = (buffer_idx = -1, effective_size = 0))]
    fn new(buffer_idx: i64, effective_size: i64) -> Self {
        PyOverlap { buffer_idx, effective_size }
    }

    /// The other buffer's index.
    #[getter]
    fn get_buffer_idx(&self) -> i64 {
        self.buffer_idx
    }

    #[setter]
    fn set_buffer_idx(&mut self, value: i64) {
        self.buffer_idx = value;
    }

    /// How far above this buffer's offset the other must start.
    #[getter]
    fn get_effective_size(&self) -> i64 {
        self.effective_size
    }

    #[setter]
    fn set_effective_size(&mut self, value: i64) {
        self.effective_size = value;
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match other.cast::<PyOverlap>() {
            Ok(other) => compare_ord(py, op, self, &*other.borrow()),
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(self)
    }

    fn __repr__(&self) -> String {
        format!("Overlap(buffer_idx={}, effective_size={})", self.buffer_idx, self.effective_size)
    }
}

// ---------------------------------------------------------------------------
// BufferData
// ---------------------------------------------------------------------------

fn overlap_set(iterable: Option<&Bound<'_, PyAny>>) -> PyResult<BTreeSet<PyOverlap>> {
    let mut set = BTreeSet::new();
    if let Some(iterable) = iterable.filter(|i| !i.is_none()) {
        for item in iterable.try_iter()? {
            set.insert(item?.extract::<PyOverlap>()?);
        }
    }
    Ok(set)
}

fn overlaps_to_pyset<'py>(py: Python<'py>, overlaps: &BTreeSet<PyOverlap>) -> PyResult<Bound<'py, PySet>> {
    PySet::new(py, overlaps.iter().copied())
}

/// What the sweep learned about one buffer: its section spans and the
/// buffers it overlaps.
///
/// Args:
///     section_spans: The ranges of sections where it is active, in order.
///     overlaps: An iterable of ``Overlap`` (kept as a set).
#[pyclass(module = "minimalloc._minimalloc", name = "BufferData", from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyBufferData {
    section_spans: Vec<PySectionSpan>,
    overlaps: BTreeSet<PyOverlap>,
}

#[pymethods]
impl PyBufferData {
    #[new]
    #[pyo3(signature = (section_spans = Vec::new(), overlaps = None))]
    fn new(section_spans: Vec<PySectionSpan>, overlaps: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        Ok(PyBufferData { section_spans, overlaps: overlap_set(overlaps)? })
    }

    /// The ranges of sections where the buffer is active (a list; a copy).
    #[getter]
    fn get_section_spans(&self) -> Vec<PySectionSpan> {
        self.section_spans.clone()
    }

    #[setter]
    fn set_section_spans(&mut self, value: Vec<PySectionSpan>) {
        self.section_spans = value;
    }

    /// The buffers it may collide with (a set of ``Overlap``; a copy).
    #[getter]
    fn get_overlaps<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PySet>> {
        overlaps_to_pyset(py, &self.overlaps)
    }

    #[setter]
    fn set_overlaps(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.overlaps = overlap_set(Some(value))?;
        Ok(())
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match other.cast::<PyBufferData>() {
            Ok(other) => compare_eq(py, op, *self == *other.borrow()),
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    fn __hash__(&self) -> u64 {
        hash_of(self)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        buffer_data_repr(py, self)
    }
}

fn buffer_data_repr(py: Python<'_>, d: &PyBufferData) -> PyResult<String> {
    let spans: Vec<String> = d.section_spans.iter().map(span_repr).collect();
    let overlaps = overlaps_to_pyset(py, &d.overlaps)?.repr()?;
    Ok(format!("BufferData(section_spans=[{}], overlaps={})", spans.join(", "), overlaps))
}

// ---------------------------------------------------------------------------
// SweepResult
// ---------------------------------------------------------------------------

fn sections_from(value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<BTreeSet<i64>>> {
    let mut sections = Vec::new();
    if let Some(value) = value.filter(|v| !v.is_none()) {
        for section in value.try_iter()? {
            let mut set = BTreeSet::new();
            for idx in section?.try_iter()? {
                set.insert(idx?.extract::<i64>()?);
            }
            sections.push(set);
        }
    }
    Ok(sections)
}

/// Everything the sweep computes: the sections (sets of active buffers),
/// the independent partitions, and per-buffer data.
///
/// Args:
///     sections: A list of iterables of buffer indices.
///     partitions: A list of ``Partition``.
///     buffer_data: A list of ``BufferData``, one per buffer.
#[pyclass(module = "minimalloc._minimalloc", name = "SweepResult", from_py_object)]
#[derive(Clone, PartialEq, Eq)]
pub struct PySweepResult {
    sections: Vec<BTreeSet<i64>>,
    partitions: Vec<PyPartition>,
    buffer_data: Vec<PyBufferData>,
}

#[pymethods]
impl PySweepResult {
    #[new]
    #[pyo3(signature = (sections = None, partitions = Vec::new(), buffer_data = Vec::new()))]
    fn new(
        sections: Option<&Bound<'_, PyAny>>,
        partitions: Vec<PyPartition>,
        buffer_data: Vec<PyBufferData>,
    ) -> PyResult<Self> {
        Ok(PySweepResult { sections: sections_from(sections)?, partitions, buffer_data })
    }

    /// For each section, the set of buffers active during it (a list of sets;
    /// a copy). Accepts any list of iterables of ints when set.
    #[getter]
    fn get_sections<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PySet>>> {
        self.sections.iter().map(|s| PySet::new(py, s.iter().copied())).collect()
    }

    #[setter]
    fn set_sections(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.sections = sections_from(Some(value))?;
        Ok(())
    }

    /// The independent partitions, in time order (a copy).
    #[getter]
    fn get_partitions(&self) -> Vec<PyPartition> {
        self.partitions.clone()
    }

    #[setter]
    fn set_partitions(&mut self, value: Vec<PyPartition>) {
        self.partitions = value;
    }

    /// Per buffer, its section spans and overlaps (a copy).
    #[getter]
    fn get_buffer_data(&self) -> Vec<PyBufferData> {
        self.buffer_data.clone()
    }

    #[setter]
    fn set_buffer_data(&mut self, value: Vec<PyBufferData>) {
        self.buffer_data = value;
    }

    /// For each pair of adjacent sections, how many buffers are active in
    /// both (a buffer counts across its own gaps). A zero means the problem
    /// falls apart there.
    ///
    /// Raises:
    ///     ValueError: a section span outside the sections.
    fn calculate_cuts(&self) -> PyResult<Vec<i64>> {
        let count = self.sections.len() as i64;
        let mut buffer_data = Vec::with_capacity(self.buffer_data.len());
        for (i, data) in self.buffer_data.iter().enumerate() {
            if let (Some(first), Some(last)) = (data.section_spans.first(), data.section_spans.last()) {
                let (lower, upper) = (first.section_range.lower, last.section_range.upper);
                if lower < upper && (lower < 0 || upper > count) {
                    return Err(PyValueError::new_err(format!(
                        "buffer_data[{i}] spans sections [{lower}, {upper}), outside the {count} sections"
                    )));
                }
            }
            // Only the spans matter to the cuts.
            buffer_data.push(BufferData {
                section_spans: data
                    .section_spans
                    .iter()
                    .map(|s| SectionSpan { section_range: s.section_range, window: s.window })
                    .collect(),
                overlaps: Vec::new(),
            });
        }
        let result = SweepResult {
            sections: vec![Vec::new(); self.sections.len()],
            partitions: Vec::new(),
            buffer_data,
        };
        Ok(result.calculate_cuts())
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match other.cast::<PySweepResult>() {
            Ok(other) => compare_eq(py, op, *self == *other.borrow()),
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    // Mutable and compared by value: not hashable (as the reference).
    #[classattr]
    const __hash__: Option<Py<PyAny>> = None;

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let sections: Vec<String> = self
            .sections
            .iter()
            .map(|s| {
                if s.is_empty() {
                    "set()".to_string()
                } else {
                    let items: Vec<String> = s.iter().map(|i| i.to_string()).collect();
                    format!("{{{}}}", items.join(", "))
                }
            })
            .collect();
        let partitions: Vec<String> = self.partitions.iter().map(partition_repr).collect();
        let data: Vec<String> =
            self.buffer_data.iter().map(|d| buffer_data_repr(py, d)).collect::<PyResult<_>>()?;
        Ok(format!(
            "SweepResult(sections=[{}], partitions=[{}], buffer_data=[{}])",
            sections.join(", "),
            partitions.join(", "),
            data.join(", ")
        ))
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
    ) -> PyResult<(Bound<'py, PyType>, (Vec<Bound<'py, PySet>>, Vec<PyPartition>, Vec<PyBufferData>))> {
        Ok((
            py.get_type::<PySweepResult>(),
            (self.get_sections(py)?, self.partitions.clone(), self.buffer_data.clone()),
        ))
    }
}

// ---------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------

/// Every span boundary of every buffer, ordered by time, then closing before
/// opening, then buffer index.
///
/// Args:
///     problem: The problem.
///
/// Returns:
///     A list of ``SweepPoint``.
#[pyfunction]
#[pyo3(signature = (problem))]
pub fn create_points(py: Python<'_>, problem: PyRef<'_, PyProblem>) -> Vec<PySweepPoint> {
    let problem = problem.0.clone();
    py.detach(|| msweep::create_points(&problem))
        .into_iter()
        .map(|p| PySweepPoint {
            buffer_idx: p.buffer_idx as i64,
            time_value: p.time_value,
            point_type: p.point_type.into(),
            window: p.window,
            endpoint: p.endpoint,
        })
        .collect()
}

/// Sweeps over the problem once: its sections, partitions, and per-buffer
/// section spans and overlaps.
///
/// Args:
///     problem: The problem.
///
/// Returns:
///     A ``SweepResult``.
#[pyfunction]
#[pyo3(signature = (problem))]
pub fn sweep(py: Python<'_>, problem: PyRef<'_, PyProblem>) -> PySweepResult {
    let problem = problem.0.clone();
    let result = py.detach(|| msweep::sweep(&problem));
    PySweepResult {
        sections: result.sections.iter().map(|s| s.iter().map(|&i| i as i64).collect()).collect(),
        partitions: result
            .partitions
            .iter()
            .map(|p| PyPartition {
                buffer_idxs: p.buffer_idxs.iter().map(|&i| i as i64).collect(),
                section_range: p.section_range,
            })
            .collect(),
        buffer_data: result
            .buffer_data
            .iter()
            .map(|d| PyBufferData {
                section_spans: d
                    .section_spans
                    .iter()
                    .map(|s| PySectionSpan { section_range: s.section_range, window: s.window })
                    .collect(),
                overlaps: d
                    .overlaps
                    .iter()
                    .map(|o| PyOverlap { buffer_idx: o.buffer_idx as i64, effective_size: o.effective_size })
                    .collect(),
            })
            .collect(),
    }
}

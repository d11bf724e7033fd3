"""MiniMalloc: static memory allocation for machine-learning compilers.

Python bindings of the ``minimalloc`` Rust crate, a fast and faithful port of
Google's MiniMalloc (Moffitt, ASPLOS 2023). The API is that of the reference
MiniMalloc Python package, so scripts written for it run unchanged::

    import minimalloc as mm

    problem = mm.from_csv(open("input.12.csv").read())
    problem.capacity = 12
    solver = mm.Solver()
    solution = solver.solve(problem)
    print(solution)  # Solution(offsets=[8, 8, 4, 4, 0], height=12)

Beyond the reference: :func:`solve` (exact search or placement heuristics,
raising typed exceptions), :func:`place`, :func:`find_violation`,
``strict=True`` on the functions that return None on failure,
``Solver.last_error``, ``Solution.offsets_array()`` (NumPy), and solving
without the GIL (``Solver.cancel()`` works from another thread).
"""

from typing import TYPE_CHECKING

from ._errors import (
    CancelledError,
    CsvError,
    InfeasibleError,
    InvalidParamsError,
    InvalidProblemError,
    MinimallocError,
    NoFitError,
    SolveError,
)
from ._errors import TimeoutError as TimeoutError  # re-exported, not in __all__
from ._minimalloc import (
    ALGORITHMS,
    HEURISTICS,
    Buffer,
    BufferData,
    Duration,
    Gap,
    Interval,
    Lifespan,
    Overlap,
    Partition,
    PreorderData,
    PreorderingComparator,
    Problem,
    SectionRange,
    SectionSpan,
    Solution,
    Solver,
    SolverParams,
    SweepPoint,
    SweepPointType,
    SweepResult,
    ValidationResult,
    Window,
    __version__,
    create_points,
    find_violation,
    from_csv,
    place,
    solve,
    sweep,
    to_csv,
    validate,
)
from .utils import from_csv_file, to_csv_file

if TYPE_CHECKING:
    from typing import NewType

    BufferIdx = NewType("BufferIdx", int)
    Capacity = NewType("Capacity", int)
    Offset = NewType("Offset", int)
    TimeValue = NewType("TimeValue", int)
    Area = NewType("Area", int)
    SectionIdx = NewType("SectionIdx", int)
    CutCount = NewType("CutCount", int)
else:
    BufferIdx = int
    Capacity = int
    Offset = int
    TimeValue = int
    Area = int
    SectionIdx = int
    CutCount = int


__all__ = [
    "ALGORITHMS",
    "HEURISTICS",
    "Area",
    "Buffer",
    "BufferData",
    "BufferIdx",
    "CancelledError",
    "Capacity",
    "CsvError",
    "CutCount",
    "Duration",
    "Gap",
    "InfeasibleError",
    "Interval",
    "InvalidParamsError",
    "InvalidProblemError",
    "Lifespan",
    "MinimallocError",
    "NoFitError",
    "Offset",
    "Overlap",
    "Partition",
    "PreorderData",
    "PreorderingComparator",
    "Problem",
    "SectionIdx",
    "SectionRange",
    "SectionSpan",
    "Solution",
    "SolveError",
    "Solver",
    "SolverParams",
    "SweepPoint",
    "SweepPointType",
    "SweepResult",
    "TimeValue",
    # "TimeoutError" is left out of __all__ so that `from minimalloc import *`
    # does not shadow the built-in; use `minimalloc.TimeoutError`.
    "ValidationResult",
    "Window",
    "__version__",
    "create_points",
    "find_violation",
    "from_csv",
    "from_csv_file",
    "place",
    "solve",
    "sweep",
    "to_csv",
    "to_csv_file",
    "validate",
]

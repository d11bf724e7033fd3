"""Exceptions raised by minimalloc.

Every exception derives from :class:`MinimallocError` and from the built-in
class a caller would expect:

* malformed input is a :class:`ValueError`
  (:class:`CsvError`, :class:`InvalidProblemError`, :class:`InvalidParamsError`);
* a search or placement without a result is a :class:`RuntimeError`
  (:class:`SolveError` and its subclasses :class:`InfeasibleError`,
  :class:`TimeoutError`, :class:`CancelledError`, :class:`NoFitError`).
  :class:`TimeoutError` is also the built-in :class:`TimeoutError`.

The reference-compatible API (``Solver.solve``, ``from_csv``,
``Problem.strip_solution``...) returns None on failure, as the reference
does; pass ``strict=True`` (or use :func:`minimalloc.solve`) to get these
exceptions, or read ``Solver.last_error``.
"""

from __future__ import annotations

import builtins

__all__ = [
    "CancelledError",
    "CsvError",
    "InfeasibleError",
    "InvalidParamsError",
    "InvalidProblemError",
    "MinimallocError",
    "NoFitError",
    "SolveError",
    "TimeoutError",
]


class MinimallocError(Exception):
    """Base class of every exception minimalloc raises."""


class CsvError(MinimallocError, ValueError):
    """CSV text could not be read.

    Attributes:
        line: The 1-based line of the offending record, or None.
        column: The offending column's name as in the header, or None.
        text: The offending text, or None.
    """

    line: int | None = None
    column: str | None = None
    text: str | None = None


class InvalidProblemError(MinimallocError, ValueError):
    """A problem is malformed (a non-positive size, an empty lifespan, a gap
    outside its buffer's lifespan, a window outside the size...)."""


class InvalidParamsError(MinimallocError, ValueError):
    """A solver setting is malformed (an unknown preordering letter, no
    preordering heuristic at all)."""


class SolveError(MinimallocError, RuntimeError):
    """No solution was found; the subclass says why."""


class InfeasibleError(SolveError):
    """No solution exists within the capacity (proved).

    Attributes:
        capacity: The capacity that was tried, if known.
    """

    capacity: int | None = None


class TimeoutError(SolveError, builtins.TimeoutError):  # noqa: A001
    """The time limit passed before a solution was found.

    Attributes:
        timeout: The time limit in seconds, if known.
    """

    timeout: float | None = None


class CancelledError(SolveError):
    """The search was cancelled (``Solver.cancel()``)."""


class NoFitError(SolveError):
    """A placement heuristic's solution exceeds the capacity. Heuristics
    prove nothing: a solution may still exist (try ``algorithm="exact"``).

    Attributes:
        solution: The heuristic's placement (its height exceeds the capacity).
        capacity: The capacity.
        height: The placement's height.
    """

    solution: object = None
    capacity: int | None = None
    height: int | None = None

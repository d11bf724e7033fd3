"""Reading and writing MiniMalloc CSV files."""

from __future__ import annotations

import os
from typing import Union

from . import _minimalloc as mm

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["from_csv_file", "to_csv_file"]


def from_csv_file(path: PathLike, *, strict: bool = False) -> mm.Problem | None:
    """Load a Problem from a MiniMalloc CSV file (its capacity is 0: set it).

    Args:
        path: The file to read.
        strict: Raise :class:`minimalloc.CsvError` (a ``ValueError`` naming
            the file, line and column) instead of returning None when the
            file is malformed.

    Returns:
        The problem, or None when the file is malformed (as the reference).

    Raises:
        OSError: The file cannot be read.
    """
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return mm._from_csv_source(text, os.fspath(path), strict=strict)


def to_csv_file(
    path: PathLike,
    problem: mm.Problem,
    solution: mm.Solution | None = None,
    *,
    old_format: bool = False,
) -> None:
    """Save a Problem, and optionally a Solution, to a MiniMalloc CSV file.

    Args:
        path: The file to write (replaced if it exists).
        problem: The problem.
        solution: Offsets to write in an ``offset`` column, or None.
        old_format: Write the older ``id,start,end,...`` form.
    """
    text = mm.to_csv(problem, solution, old_format=old_format)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)

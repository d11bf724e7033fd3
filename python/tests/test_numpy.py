"""`Solution.offsets_array()` (needs NumPy; skipped without it)."""

from __future__ import annotations

import builtins
from typing import Any

import pytest

import minimalloc as mm


def test_offsets_array() -> None:
    np = pytest.importorskip("numpy")
    solution = mm.Solution([8, 8, 4, 4, 0], 12)
    array = solution.offsets_array()
    assert isinstance(array, np.ndarray)
    assert array.dtype == np.int64
    assert array.tolist() == [8, 8, 4, 4, 0]
    array[0] = 99  # a copy
    assert solution.offsets[0] == 8
    assert isinstance(solution.offsets, list)
    # NumPy values are accepted wherever ints are.
    from_numpy = mm.Solution(np.array([3, 4], dtype=np.int32), np.int64(9))
    assert from_numpy.offsets == [3, 4] and from_numpy.height == 9
    problem = mm.Problem([mm.Buffer("a", (np.int64(0), np.int64(2)), np.int64(3))], capacity=np.int64(3))
    assert mm.Solver().solve(problem) == mm.Solution([0])


def test_offsets_array_without_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_numpy(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError("No module named 'numpy'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_numpy)
    monkeypatch.delitem(__import__("sys").modules, "numpy", raising=False)
    with pytest.raises(ImportError, match="pip install numpy"):
        mm.Solution([1]).offsets_array()


def test_solve_and_place_return_numpy_offsets() -> None:
    np = pytest.importorskip("numpy")
    problem = mm.Problem([mm.Buffer("a", (0, 2), 3), mm.Buffer("b", (1, 3), 2)], capacity=5)
    for solution in [mm.solve(problem), mm.place(problem)]:
        assert isinstance(solution.offsets, np.ndarray)
        assert solution.offsets.dtype == np.int64
        assert sorted(solution.offsets.tolist()) == [0, 3] or sorted(solution.offsets.tolist()) == [0, 2]
        assert mm.validate(problem, solution) == mm.ValidationResult.GOOD
        # The reference's form stays as it was.
        assert repr(solution).startswith("Solution(offsets=[")
    # The reference's API keeps lists.
    assert isinstance(mm.Solver().solve(problem).offsets, list)

"""The exact search: Duration, SolverParams, Solver (errors, time-outs,
cancellation from another thread, GIL release)."""

from __future__ import annotations

import datetime
import math
import os
import signal
import sys
import threading
import time

import pytest
from conftest import hard_problem, no_pruning_params

import minimalloc as mm


def test_duration() -> None:
    assert mm.Duration().to_seconds() == 0.0
    assert mm.Duration(5).to_seconds() == 5.0
    assert mm.Duration.from_seconds(1.5) == mm.Duration(1.5)
    assert mm.Duration.from_milliseconds(250) == mm.Duration(0.25)
    assert mm.Duration.from_microseconds(5_000_000).to_seconds() == pytest.approx(5.0)
    assert mm.Duration(2).to_milliseconds() == 2000.0
    inf = mm.Duration.infinite()
    assert inf.is_infinite() and not mm.Duration(1e9).is_infinite()
    assert math.isinf(inf.to_seconds())
    assert mm.Duration(1) < mm.Duration(2) <= mm.Duration(2) < inf
    assert not inf < mm.Duration(1)
    assert repr(mm.Duration(3.14)) == "Duration(3.14 seconds)"
    assert repr(mm.Duration(5)) == "Duration(5.0 seconds)"
    assert repr(inf) == "Duration.infinite()"
    assert hash(mm.Duration(0.0)) == hash(mm.Duration(-0.0))
    assert float(mm.Duration(0.5)) == 0.5
    with pytest.raises(ValueError):
        mm.Duration(float("nan"))


def test_solver_params_defaults_and_switches() -> None:
    p = mm.SolverParams()
    assert p.timeout == mm.Duration.infinite()
    assert p.preordering_heuristics == ["WAT", "TAW", "TWA"]
    assert p.minimize_capacity is False
    for name in [
        "canonical_only",
        "section_inference",
        "dynamic_ordering",
        "check_dominance",
        "unallocated_floor",
        "static_preordering",
        "dynamic_decomposition",
        "monotonic_floor",
        "hatless_pruning",
    ]:
        assert getattr(p, name) is True
        setattr(p, name, False)
        assert getattr(p, name) is False
    q = mm.SolverParams(canonical_only=False, timeout=2, preordering_heuristics=["TWA"])
    assert q.canonical_only is False and q.timeout == mm.Duration(2)
    assert q.preordering_heuristics == ["TWA"]
    assert repr(mm.SolverParams()).startswith("SolverParams(timeout=Duration.infinite(), canonical_only=True")
    assert mm.SolverParams() == mm.SolverParams()
    with pytest.raises(TypeError):
        hash(mm.SolverParams())


def test_solver_params_timeout_forms() -> None:
    p = mm.SolverParams()
    p.timeout = mm.Duration(10.0)
    assert p.timeout == mm.Duration(10.0)
    p.timeout = 5.5
    assert p.timeout.to_seconds() == 5.5
    p.timeout = 3
    assert p.timeout.to_seconds() == 3.0
    p.timeout = datetime.timedelta(milliseconds=1500)
    assert p.timeout.to_seconds() == 1.5
    p.timeout = None
    assert p.timeout == mm.Duration.infinite()
    with pytest.raises(TypeError, match="timeout must be Duration, numeric, or None"):
        p.timeout = "10s"  # type: ignore[assignment]


def test_solve_example(example: mm.Problem) -> None:
    solver = mm.Solver()
    solution = solver.solve(example)
    assert repr(solution) == "Solution(offsets=[8, 8, 4, 4, 0], height=12)"
    assert solver.last_error is None
    assert mm.validate(example, solution) == mm.ValidationResult.GOOD  # type: ignore[arg-type]
    assert solver.params == mm.SolverParams()


def test_infeasible_returns_none_and_records_why(example: mm.Problem) -> None:
    example.capacity = 11
    solver = mm.Solver()
    assert solver.solve(example) is None
    error = solver.last_error
    assert isinstance(error, mm.InfeasibleError)
    assert isinstance(error, RuntimeError)
    assert error.capacity == 11
    with pytest.raises(mm.InfeasibleError, match="capacity 11"):
        solver.solve(example, strict=True)


def test_backtracks_are_counted_and_reset() -> None:
    problem = mm.Problem([mm.Buffer("b0", (0, 2), 2), mm.Buffer("b1", (0, 2), 2)], capacity=3)
    params = no_pruning_params()
    params.preordering_heuristics = ["TWA"]
    solver = mm.Solver(params)
    assert solver.get_backtracks() == 0
    assert solver.solve(problem) is None
    assert solver.get_backtracks() == 3
    assert solver.get_nodes() > 0
    assert solver.solve(problem) is None
    assert solver.get_backtracks() == 3


def test_invalid_problem_and_params_always_raise() -> None:
    bad = mm.Problem([mm.Buffer("z", (0, 5), 2, gaps=[mm.Gap((3, 7))])], capacity=10)
    with pytest.raises(mm.InvalidProblemError):
        mm.Solver().solve(bad)
    params = mm.SolverParams()
    params.preordering_heuristics = ["WAX"]
    ok = mm.Problem([mm.Buffer("a", (0, 1), 1)], capacity=1)
    with pytest.raises(mm.InvalidParamsError, match="'X'") as info:
        mm.Solver(params).solve(ok)
    assert isinstance(info.value, ValueError)
    params.preordering_heuristics = []
    with pytest.raises(ValueError):
        mm.Solver(params).solve(ok)


def test_compute_irreducible_infeasible_subset() -> None:
    problem = mm.Problem(
        [
            mm.Buffer("b0", (0, 2), 2),
            mm.Buffer("b1", (0, 2), 2),
            mm.Buffer("b2", (2, 5), 2),
            mm.Buffer("b3", (3, 6), 2),
            mm.Buffer("b4", (4, 7), 2),
        ],
        capacity=4,
    )
    assert mm.Solver().compute_irreducible_infeasible_subset(problem) == [2, 3, 4]


def test_timeout_is_distinct_from_infeasible() -> None:
    params = no_pruning_params()
    params.timeout = 0.2
    solver = mm.Solver(params)
    start = time.perf_counter()
    assert solver.solve(hard_problem()) is None
    assert time.perf_counter() - start < 2.0
    error = solver.last_error
    assert isinstance(error, mm.TimeoutError)
    assert isinstance(error, TimeoutError)  # the built-in
    assert isinstance(error, RuntimeError)
    assert not isinstance(error, mm.InfeasibleError)
    assert error.timeout == pytest.approx(0.2)
    with pytest.raises(mm.TimeoutError):
        solver.solve(hard_problem(), strict=True)


def test_cancel_from_another_thread() -> None:
    solver = mm.Solver(no_pruning_params())
    problem = hard_problem()
    timer = threading.Timer(0.05, solver.cancel)
    start = time.perf_counter()
    timer.start()
    result = solver.solve(problem)
    elapsed = time.perf_counter() - start
    timer.join()
    assert result is None
    assert elapsed < 1.0, f"cancel took {elapsed:.3f} s"
    assert isinstance(solver.last_error, mm.CancelledError)
    # A later solve starts afresh.
    easy = mm.Problem([mm.Buffer("a", (0, 1), 1)], capacity=1)
    assert solver.solve(easy) == mm.Solution([0])


def test_cancel_raises_with_strict() -> None:
    solver = mm.Solver(no_pruning_params())
    timer = threading.Timer(0.05, solver.cancel)
    timer.start()
    start = time.perf_counter()
    with pytest.raises(mm.CancelledError):
        solver.solve(hard_problem(), strict=True)
    assert time.perf_counter() - start < 1.0
    timer.join()


def test_solve_releases_the_gil() -> None:
    params = no_pruning_params()
    params.timeout = 0.3
    counter = 0
    stop = False

    def spin() -> None:
        nonlocal counter
        while not stop:
            counter += 1

    thread = threading.Thread(target=spin)
    thread.start()
    mm.Solver(params).solve(hard_problem())
    seen = counter
    stop = True
    thread.join()
    assert seen > 10_000, "the other thread barely ran during the search"


def test_solvers_run_in_parallel_threads(example: mm.Problem) -> None:
    results: list[mm.Solution | None] = [None] * 8

    def work(i: int) -> None:
        results[i] = mm.Solver().solve(example)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == mm.Solution([8, 8, 4, 4, 0]) for r in results)


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
def test_ctrl_c_interrupts_a_search() -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are only delivered to the main thread")
    params = no_pruning_params()
    # A lost interrupt fails the test instead of hanging it.
    params.timeout = 10.0
    solver = mm.Solver(params)
    # Python leaves SIGINT ignored when it started ignored (a background job
    # of a non-interactive shell): install its own handler for this test.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        timer = threading.Timer(0.1, lambda: os.kill(os.getpid(), signal.SIGINT))
        start = time.perf_counter()
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            solver.solve(hard_problem())
        timer.join()
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
    assert time.perf_counter() - start < 1.5


def test_minimize_capacity(example: mm.Problem) -> None:
    params = mm.SolverParams(minimize_capacity=True)
    example.capacity = 100
    solution = mm.Solver(params).solve(example)
    assert solution is not None and solution.height == 12


def test_preordering_comparator() -> None:
    def data(area: int, total: int, width: int, idx: int = 0) -> mm.PreorderData:
        return mm.PreorderData(area=area, total=total, width=width, buffer_idx=idx)

    twa = mm.PreorderingComparator("TWA")
    assert twa.heuristic == "TWA"
    assert twa(data(0, 4, 1), data(1, 3, 2))
    assert twa(data(1, 3, 2, 0), data(1, 3, 2, 1))
    assert not twa(data(1, 3, 2, 1), data(1, 3, 2, 0))
    assert repr(twa) == "PreorderingComparator('TWA')"
    # As the reference, unknown letters are ignored (with a warning): its
    # own tests build PreorderingComparator("area").
    with pytest.warns(UserWarning, match="unknown letter"):
        lenient = mm.PreorderingComparator("area")
    assert lenient.heuristic == "area"
    assert not lenient(data(0, 4, 1, 0), data(0, 4, 1, 0))
    assert lenient(data(5, 4, 1, 0), data(0, 4, 1, 1)), "ties go to the lower index"
    with pytest.warns(UserWarning):
        assert mm.PreorderingComparator("xAy")(data(5, 0, 0, 1), data(1, 0, 0, 0)), "A still counts"
    d = mm.PreorderData(1, 2, 3, 4, 5, 6, 7, 8, 9)
    assert (d.area, d.lower, d.overlaps, d.sections, d.size, d.total, d.upper, d.width, d.buffer_idx) == (
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
        9,
    )
    d.area = 2**80  # areas are exact beyond 64 bits
    assert d.area == 2**80

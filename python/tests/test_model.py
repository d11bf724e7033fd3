"""The model classes: construction, properties, equality, hashing, repr."""

from __future__ import annotations

import copy
import pickle

import pytest

import minimalloc as mm


def test_interval_aliases_and_fields() -> None:
    assert mm.Lifespan is mm.Interval
    assert mm.Window is mm.Interval
    assert mm.SectionRange is mm.Interval
    i = mm.Interval(3, 7)
    assert (i.lower, i.upper) == (3, 7)
    assert mm.Interval() == mm.Interval(0, 0)
    assert mm.Interval(lower=1, upper=2) == mm.Interval(1, 2)
    with pytest.raises(AttributeError):
        i.lower = 4  # type: ignore[misc]


def test_interval_ordering_hash_repr() -> None:
    assert mm.Interval(1, 5) < mm.Interval(2, 0)
    assert mm.Interval(1, 5) < mm.Interval(1, 6)
    assert mm.Interval(1, 5) <= mm.Interval(1, 5)
    assert mm.Interval(2, 0) > mm.Interval(1, 9)
    assert sorted([mm.Interval(2, 3), mm.Interval(0, 9), mm.Interval(2, 1)]) == [
        mm.Interval(0, 9),
        mm.Interval(2, 1),
        mm.Interval(2, 3),
    ]
    assert hash(mm.Interval(4, 5)) == hash(mm.Interval(4, 5))
    assert len({mm.Interval(4, 5), mm.Interval(4, 5), mm.Interval(4, 6)}) == 2
    assert repr(mm.Interval(-1, 20)) == "Interval(-1, 20)"
    assert mm.Interval(1, 2) != (1, 2)


def test_gap() -> None:
    g = mm.Gap(mm.Lifespan(2, 4))
    assert g.lifespan == mm.Interval(2, 4)
    assert g.window is None
    assert repr(g) == "Gap(lifespan=Interval(2, 4), window=None)"
    g.window = mm.Window(0, 1)
    assert repr(g) == "Gap(lifespan=Interval(2, 4), window=Interval(0, 1))"
    assert g == mm.Gap(mm.Lifespan(2, 4), mm.Window(0, 1))
    assert hash(g) == hash(mm.Gap(mm.Lifespan(2, 4), mm.Window(0, 1)))
    g.window = None
    assert g.window is None
    # Pairs are accepted wherever an Interval is.
    assert mm.Gap((2, 4), (0, 1)) == mm.Gap(mm.Interval(2, 4), mm.Interval(0, 1))
    with pytest.raises(TypeError):
        mm.Gap("2-4")  # type: ignore[arg-type]


def test_buffer_defaults_and_setters() -> None:
    b = mm.Buffer("x", mm.Lifespan(0, 10), 4)
    assert (b.id, b.lifespan, b.size, b.alignment, b.gaps, b.offset, b.hint) == (
        "x",
        mm.Interval(0, 10),
        4,
        1,
        [],
        None,
        None,
    )
    b.id = "y"
    b.lifespan = (1, 9)  # type: ignore[assignment]
    b.size = 8
    b.alignment = 4
    b.gaps = [mm.Gap((2, 3))]
    b.offset = 16
    b.hint = 0
    assert repr(b) == (
        "Buffer(id='y', lifespan=Interval(1, 9), size=8, alignment=4, "
        "gaps=[Gap(lifespan=Interval(2, 3), window=None)], offset=16, hint=0)"
    )
    assert b.area() == 8 * 8
    # Getters return copies, as the reference's list attributes do.
    b.gaps.append(mm.Gap((4, 5)))
    assert len(b.gaps) == 1


def test_buffer_keywords_as_reference() -> None:
    b = mm.Buffer("f", mm.Lifespan(0, 2), size=3, offset=5, alignment=1, gaps=[])
    assert b.offset == 5
    full = mm.Buffer("c", mm.Interval(0, 100), 2048, 64, [mm.Gap(mm.Interval(10, 30))], 512, 256)
    assert (full.alignment, full.offset, full.hint) == (64, 512, 256)


def test_buffer_equality_ignores_hint() -> None:
    a = mm.Buffer("a", mm.Lifespan(0, 2), size=3, hint=1)
    b = mm.Buffer("a", mm.Lifespan(0, 2), size=3, hint=7)
    assert a == b
    assert hash(a) == hash(b)
    assert a != mm.Buffer("a", mm.Lifespan(0, 2), size=3, offset=0)


def test_buffer_effective_size() -> None:
    a = mm.Buffer("a", mm.Lifespan(0, 2), size=4)
    b = mm.Buffer("b", mm.Lifespan(1, 3), size=5)
    c = mm.Buffer("c", mm.Lifespan(2, 3), size=5)
    assert a.effective_size(b) == 4
    assert b.effective_size(a) == 5
    assert a.effective_size(c) is None
    windowed = mm.Buffer("w", mm.Lifespan(0, 10), size=4, gaps=[mm.Gap((2, 8), (0, 1))])
    assert windowed.effective_size(mm.Buffer("x", mm.Lifespan(3, 7), size=2)) == 1


def test_solution() -> None:
    s = mm.Solution([64, 128, 256], height=256)
    assert repr(s) == "Solution(offsets=[64, 128, 256], height=256)"
    assert mm.Solution().offsets == []
    assert mm.Solution().height == 0
    # Equality and hashing compare offsets only, as the reference's.
    assert mm.Solution([1, 2], 3) == mm.Solution([1, 2], 9)
    assert hash(mm.Solution([1, 2], 3)) == hash(mm.Solution([1, 2], 9))
    assert mm.Solution([1, 2]) != mm.Solution([2, 1])
    s.offsets = [0]
    s.height = 1
    assert repr(s) == "Solution(offsets=[0], height=1)"
    assert bool(mm.Solution()) is True  # no __len__: always truthy, as the reference


def test_problem() -> None:
    p = mm.Problem([mm.Buffer("a", (0, 2), 3)], capacity=8)
    assert repr(p) == (
        "Problem(buffers=[Buffer(id='a', lifespan=Interval(0, 2), size=3, alignment=1, "
        "gaps=[], offset=None, hint=None)], capacity=8)"
    )
    assert repr(mm.Problem()) == "Problem(buffers=[], capacity=0)"
    assert p == mm.Problem([mm.Buffer("a", (0, 2), 3)], 8)
    assert hash(p) == hash(mm.Problem([mm.Buffer("a", (0, 2), 3)], 8))
    p.capacity = 9
    assert p != mm.Problem([mm.Buffer("a", (0, 2), 3)], 8)
    # The buffer list is a copy: assign it back to change the problem.
    p.buffers[0].size = 100
    assert p.buffers[0].size == 3
    buffers = p.buffers
    buffers[0].size = 100
    p.buffers = buffers
    assert p.buffers[0].size == 100


def test_problem_bounds_and_check() -> None:
    p = mm.Problem([mm.Buffer("a", (0, 2), 3), mm.Buffer("b", (1, 3), 4), mm.Buffer("c", (2, 4), 5)])
    assert p.max_load() == 9
    assert p.lower_bound() == 9
    assert p.stacked_height() == 12
    assert p.best_lower_bound() == 9
    # c is in a gap while a and b overlap, yet all three pairwise conflict:
    # stacked, they need 4 + 3 + 5 although no moment holds more than 9.
    stacked = mm.Problem(
        [mm.Buffer("a", (0, 2), 4), mm.Buffer("b", (1, 3), 3), mm.Buffer("c", (0, 3), 5, gaps=[mm.Gap((1, 2))])]
    )
    assert stacked.lower_bound() == 9
    assert stacked.best_lower_bound() == 12
    p.check()
    bad = mm.Problem([mm.Buffer("z", (0, 5), 2, gaps=[mm.Gap((3, 7))])])
    with pytest.raises(mm.InvalidProblemError, match="gap") as info:
        bad.check()
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValueError, match="size must be positive"):
        mm.Problem([mm.Buffer("z", (0, 5), 0)]).check()


def test_strip_solution() -> None:
    p = mm.Problem([mm.Buffer("a", (0, 1), 2, offset=3), mm.Buffer("b", (1, 2), 3, offset=4)], 8)
    s = p.strip_solution()
    assert s == mm.Solution([3, 4])
    assert s is not None and s.height == 7
    assert all(b.offset is None for b in p.buffers)
    missing = mm.Problem([mm.Buffer("a", (0, 1), 2, offset=3), mm.Buffer("b", (1, 2), 3)], 8)
    assert missing.strip_solution() is None
    assert missing.buffers[0].offset == 3, "a failed strip changes nothing"
    with pytest.raises(ValueError, match='"b"'):
        missing.strip_solution(strict=True)


@pytest.mark.parametrize(
    "value",
    [
        mm.Interval(1, 2),
        mm.Gap((1, 2), (0, 1)),
        mm.Buffer("a", (0, 4), 3, 2, [mm.Gap((1, 2))], 6, 0),
        mm.Solution([1, 2], 5),
        mm.Problem([mm.Buffer("a", (0, 4), 3)], 10),
        mm.Duration(2.5),
        mm.Duration.infinite(),
    ],
)
def test_copy_and_pickle(value: object) -> None:
    assert copy.copy(value) == value
    assert copy.deepcopy(value) == value
    restored = pickle.loads(pickle.dumps(value))
    assert restored == value
    assert repr(restored) == repr(value)


def test_copies_are_independent() -> None:
    b = mm.Buffer("a", (0, 4), 3)
    c = copy.copy(b)
    c.size = 9
    assert b.size == 3


def test_module_metadata() -> None:
    assert isinstance(mm.__version__, str)
    for name in mm.__all__:
        assert hasattr(mm, name), name
    assert mm.Buffer.__doc__ and "buffer" in mm.Buffer.__doc__.lower()
    assert mm.Solver.solve.__doc__

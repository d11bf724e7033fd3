"""The sweep layer."""

from __future__ import annotations

import pytest

import minimalloc as mm


def three_buffers() -> mm.Problem:
    return mm.Problem([mm.Buffer("b0", (0, 1), 2), mm.Buffer("b1", (1, 3), 1), mm.Buffer("b2", (2, 4), 1)])


def test_create_points() -> None:
    points = mm.create_points(three_buffers())
    assert [(p.buffer_idx, p.time_value, p.point_type.name) for p in points] == [
        (0, 0, "LEFT"),
        (0, 1, "RIGHT"),
        (1, 1, "LEFT"),
        (2, 2, "LEFT"),
        (1, 3, "RIGHT"),
        (2, 4, "RIGHT"),
    ]
    assert all(p.endpoint for p in points)
    assert points == sorted(points)
    assert repr(points[0]) == (
        "SweepPoint(buffer_idx=0, time_value=0, point_type=LEFT, window=Interval(0, 2), endpoint=True)"
    )


def test_sweep_point_type() -> None:
    left, right = mm.SweepPointType.LEFT, mm.SweepPointType.RIGHT
    assert (left.value, right.value) == (1, 0)
    assert repr(left) == "<SweepPointType.LEFT: 1>"
    p = mm.SweepPoint(0, 5, right, mm.Window(0, 1))
    q = mm.SweepPoint(0, 5, left, mm.Window(0, 1))
    assert p < q, "closing points come first at equal times"
    assert p != q
    assert hash(q) == hash(mm.SweepPoint(0, 5, left, (0, 1)))


def test_sweep() -> None:
    result = mm.sweep(three_buffers())
    assert result.sections == [{0}, {1, 2}, {2}]
    assert result.partitions == [mm.Partition([0], (0, 1)), mm.Partition([1, 2], (1, 3))]
    assert result.buffer_data[1] == mm.BufferData(
        [mm.SectionSpan((1, 2), (0, 1))], [mm.Overlap(buffer_idx=2, effective_size=1)]
    )
    assert result.buffer_data[1].overlaps == {mm.Overlap(2, 1)}
    assert result.calculate_cuts() == [0, 1]
    assert result == mm.sweep(three_buffers())
    assert repr(mm.Partition([0, 2], mm.Interval(1, 5))) == "Partition(buffer_idxs=[0, 2], section_range=Interval(1, 5))"
    assert repr(mm.Overlap(1, 2)) == "Overlap(buffer_idx=1, effective_size=2)"
    assert repr(mm.BufferData()) == "BufferData(section_spans=[], overlaps=set())"
    assert repr(mm.SectionSpan((0, 1), (0, 2))) == "SectionSpan(section_range=Interval(0, 1), window=Interval(0, 2))"
    assert repr(result).startswith("SweepResult(sections=[{0}, {1, 2}, {2}], partitions=[Partition(")


def test_overlap_defaults_and_order() -> None:
    assert mm.Overlap().buffer_idx == -1
    assert mm.Overlap(0, 100) < mm.Overlap(0, 150) < mm.Overlap(1, 0)
    data = mm.BufferData()
    data.overlaps = [mm.Overlap(1, 2), mm.Overlap(1, 2), mm.Overlap(0, 1)]
    assert data.overlaps == {mm.Overlap(0, 1), mm.Overlap(1, 2)}


def test_sweep_result_setters_and_cuts() -> None:
    result = mm.SweepResult()
    result.sections = [[0, 2], [1], [0], [1, 2]]
    result.buffer_data = [
        mm.BufferData([mm.SectionSpan((0, 1), (0, 1)), mm.SectionSpan((2, 3), (0, 1))]),
        mm.BufferData([mm.SectionSpan((1, 2), (0, 1)), mm.SectionSpan((3, 4), (0, 1))]),
        mm.BufferData([mm.SectionSpan((0, 1), (0, 1)), mm.SectionSpan((3, 4), (0, 1))]),
    ]
    assert result.sections[0] == {0, 2}
    assert result.calculate_cuts() == [2, 3, 2]
    result.sections = [[0]]
    with pytest.raises(ValueError, match="outside"):
        result.calculate_cuts()
    assert mm.SweepResult().calculate_cuts() == []
    with pytest.raises(TypeError):
        hash(mm.SweepResult())

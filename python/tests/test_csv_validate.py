"""CSV reading and writing, validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE_CSV

import minimalloc as mm


def test_round_trip_text() -> None:
    problem = mm.from_csv(EXAMPLE_CSV)
    assert problem is not None
    assert problem.capacity == 0
    assert [b.id for b in problem.buffers] == ["b1", "b2", "b3", "b4", "b5"]
    assert mm.to_csv(problem) == EXAMPLE_CSV


def test_to_csv_columns() -> None:
    problem = mm.Problem(
        [
            mm.Buffer("0", (5, 10), 15, hint=0),
            mm.Buffer("1", (6, 12), 18, alignment=2, gaps=[mm.Gap((7, 8)), mm.Gap((9, 10), (1, 17))]),
        ],
        40,
    )
    assert mm.to_csv(problem) == (
        "id,lower,upper,size,alignment,hint,gaps\n0,5,10,15,1,0,\n1,6,12,18,2,-1,7-8 9-10@1:17\n"
    )
    assert mm.to_csv(problem, mm.Solution([1, 21]), old_format=True) == (
        "id,start,end,size,alignment,hint,gaps,offset\n0,5,9,15,1,0,,1\n1,6,11,18,2,-1,7-7 9-9@1:17,21\n"
    )
    with pytest.raises(ValueError, match="offsets"):
        mm.to_csv(problem, mm.Solution([1]))


def test_malformed_csv_gives_none_or_a_located_error() -> None:
    text = "id,lower,upper,size\na,0,5,4\nb,3,2,4\n"
    assert mm.from_csv(text) is None
    with pytest.raises(mm.CsvError) as info:
        mm.from_csv(text, strict=True)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.line == 3
    assert "lifespan" in str(error)
    with pytest.raises(mm.CsvError, match="missing required column"):
        mm.from_csv("id,lower,size\n", strict=True)
    with pytest.raises(mm.CsvError, match="outside the lifespan"):
        mm.from_csv("id,lower,upper,size,gaps\na,0,10,4,9-11\n", strict=True)


def test_files(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    problem = mm.from_csv(EXAMPLE_CSV)
    assert problem is not None
    mm.to_csv_file(path, problem, mm.Solution([8, 8, 4, 4, 0]))
    assert path.read_text().splitlines()[0] == "id,lower,upper,size,offset"
    again = mm.from_csv_file(path)
    assert again is not None
    assert [b.offset for b in again.buffers] == [8, 8, 4, 4, 0]
    assert str(path) in str(path)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,lower,upper,size\nx,0,1,-3\n")
    assert mm.from_csv_file(bad) is None
    with pytest.raises(mm.CsvError, match="bad.csv:2"):
        mm.from_csv_file(str(bad), strict=True)
    with pytest.raises(FileNotFoundError):
        mm.from_csv_file(tmp_path / "missing.csv")


def test_validate_codes() -> None:
    problem = mm.Problem(
        [mm.Buffer("b0", (0, 1), 2), mm.Buffer("b1", (1, 2), 1), mm.Buffer("b2", (1, 2), 1)],
        capacity=2,
    )
    cases = [
        ([0, 0, 1], 2, mm.ValidationResult.GOOD),
        ([0, 0], 2, mm.ValidationResult.BAD_SOLUTION),
        ([0, 0, -1], 2, mm.ValidationResult.BAD_OFFSET),
        ([0, 0, 2], 2, mm.ValidationResult.BAD_OFFSET),
        ([0, 0, 0], 2, mm.ValidationResult.BAD_OVERLAP),
        ([0, 0, 1], 3, mm.ValidationResult.BAD_HEIGHT),
    ]
    for offsets, height, expected in cases:
        assert mm.validate(problem, mm.Solution(offsets, height)) == expected, offsets
    assert mm.find_violation(problem, mm.Solution([0, 0, 1], 2)) is None
    message = mm.find_violation(problem, mm.Solution([0, 0, 0], 2))
    assert message is not None and '"b1"' in message and '"b2"' in message


def test_validation_result_enum() -> None:
    good = mm.ValidationResult.GOOD
    assert good.name == "GOOD" and good.value == 0 and int(good) == 0
    assert mm.ValidationResult.BAD_HEIGHT.value == 6
    assert repr(mm.ValidationResult.BAD_OVERLAP) == "<ValidationResult.BAD_OVERLAP: 4>"
    assert str(mm.ValidationResult.BAD_OVERLAP) == "ValidationResult.BAD_OVERLAP"
    assert good != mm.ValidationResult.BAD_FIXED
    assert len({good, mm.ValidationResult.GOOD}) == 1
    # Members equal their integer values (as pybind11's enums), so they hash
    # like them.
    assert good == 0 and hash(good) == hash(0)
    assert {4: "overlap"}[mm.ValidationResult.BAD_OVERLAP] == "overlap"

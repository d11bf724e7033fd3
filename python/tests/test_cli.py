"""The Python console script, and agreement with the Rust command line.

The Rust binary is taken from ``$MINIMALLOC_BIN``, else from
``target/release/minimalloc`` at the repository root (``cargo build
--release``); the agreement tests are skipped when neither exists.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE_CSV, random_problem

import minimalloc as mm
from minimalloc import cli

REPO_ROOT = Path(__file__).resolve().parents[2]


def rust_binary() -> Path:
    configured = os.environ.get("MINIMALLOC_BIN")
    path = Path(configured) if configured else REPO_ROOT / "target" / "release" / "minimalloc"
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.skip(
            f"Rust CLI not found at {path}: run `cargo build --release` at the repository root "
            "or set MINIMALLOC_BIN to the binary"
        )
    return path


@pytest.fixture
def example_csv(tmp_path: Path) -> Path:
    path = tmp_path / "input.csv"
    path.write_text(EXAMPLE_CSV)
    return path


def test_success(tmp_path: Path, example_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "out.csv"
    code = cli.main(["--input", str(example_csv), "--output", str(out), "--capacity", "12", "--validate"])
    err = capsys.readouterr().err
    assert code == 0
    assert "Elapsed time:" in err and "PASS" in err
    assert out.read_text() == "id,lower,upper,size,offset\nb1,0,3,4,8\nb2,3,9,4,8\nb3,0,9,4,4\nb4,9,21,4,4\nb5,0,21,4,0\n"


def test_exit_codes(tmp_path: Path, example_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.csv"
    base = ["--input", str(example_csv), "--output", str(out)]
    assert cli.main([*base, "--capacity", "11"]) == cli.EXIT_NO_SOLUTION
    assert "infeasible" in capsys.readouterr().err
    assert not out.exists()
    assert cli.main(base) == cli.EXIT_BAD_INPUT  # no capacity, no --minimize-capacity
    bad = tmp_path / "bad.csv"
    bad.write_text("invalid_header1,invalid_header2\nvalue1,value2\n")
    assert cli.main(["--input", str(bad), "--output", str(out), "--capacity", "12"]) == cli.EXIT_BAD_INPUT
    assert "Error" in capsys.readouterr().err
    assert cli.main([*base, "--capacity", "12", "--timeout", "soon"]) == cli.EXIT_BAD_INPUT
    assert not out.exists()
    with pytest.raises(SystemExit) as info:
        cli.main([*base, "--algorithm", "magic"])
    assert info.value.code == 2


def test_timeout_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import hard_problem

    problem = hard_problem()
    path = tmp_path / "hard.csv"
    mm.to_csv_file(path, problem)
    args = ["--input", str(path), "--output", str(tmp_path / "o.csv"), "--capacity", str(problem.capacity)]
    args += ["--timeout", "200ms", "--no-section-inference", "--no_canonical_only", "--no-dynamic-ordering"]
    args += ["--no-check-dominance", "--no-unallocated-floor", "--no-static-preordering"]
    args += ["--no-dynamic-decomposition", "--no-monotonic-floor", "--no-hatless-pruning"]
    assert cli.main(args) == cli.EXIT_TIMEOUT
    assert "timed out" in capsys.readouterr().err


@pytest.mark.parametrize("algorithm", ["exact", "auto", "greedy-size"])
def test_minimize_capacity(tmp_path: Path, example_csv: Path, algorithm: str) -> None:
    out = tmp_path / "out.csv"
    args = ["--input", str(example_csv), "--output", str(out), "--minimize-capacity", "--algorithm", algorithm]
    assert cli.main(args) == 0
    problem = mm.from_csv_file(out)
    assert problem is not None
    assert max((b.offset or 0) + b.size for b in problem.buffers) == 12


def test_console_script_module(example_csv: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "minimalloc.cli", "--input", str(example_csv), "--output", "-", "--capacity", "12"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[1] == "b1,0,3,4,8"


def test_parse_duration() -> None:
    assert cli._parse_duration("") is None
    assert cli._parse_duration("inf") is None
    assert cli._parse_duration("2") == 2.0
    assert cli._parse_duration("250ms") == 0.25
    assert cli._parse_duration("1.5s") == 1.5
    assert cli._parse_duration("2m") == 120.0
    assert cli._parse_duration("1h") == 3600.0
    with pytest.raises(ValueError):
        cli._parse_duration("soon")


# ---------------------------------------------------------------------------
# Agreement with the Rust CLI
# ---------------------------------------------------------------------------


def run_rust(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(rust_binary()), *args], capture_output=True, text=True, check=False, timeout=120)


def test_rust_cli_agrees_on_the_example(tmp_path: Path, example_csv: Path) -> None:
    out = tmp_path / "rust.csv"
    run = run_rust("--input", str(example_csv), "--capacity", "12", "--output", str(out))
    assert run.returncode == 0, run.stderr
    problem = mm.from_csv_file(example_csv)
    assert problem is not None
    problem.capacity = 12
    solution = mm.Solver().solve(problem)
    assert solution is not None
    assert out.read_text() == mm.to_csv(problem, solution)


@pytest.mark.parametrize("seed", range(6))
def test_rust_cli_agrees_on_random_problems(tmp_path: Path, seed: int) -> None:
    problem = random_problem(30, seed)
    path = tmp_path / f"p{seed}.csv"
    mm.to_csv_file(path, problem)
    problem.capacity = problem.lower_bound() + seed  # tight: the search has work to do
    params = mm.SolverParams(timeout=30)
    solution = mm.Solver(params).solve(problem)
    out = tmp_path / f"rust{seed}.csv"
    # The reference's search on both sides (the Rust CLI's default is the
    # fast search, which may place buffers differently).
    run = run_rust(
        "--input",
        str(path),
        "--capacity",
        str(problem.capacity),
        "--timeout",
        "30s",
        "--search=reference",
        "--output",
        str(out),
    )
    if solution is None:
        assert run.returncode != 0
        assert not out.exists()
    else:
        assert run.returncode == 0, run.stderr
        assert out.read_text() == mm.to_csv(problem, solution)
        # The Python console script writes the same file.
        py_out = tmp_path / f"py{seed}.csv"
        assert cli.main(["--input", str(path), "--output", str(py_out), "--capacity", str(problem.capacity)]) == 0
        assert py_out.read_text() == out.read_text()


def test_rust_cli_agrees_on_infeasible(tmp_path: Path, example_csv: Path) -> None:
    run = run_rust("--input", str(example_csv), "--capacity", "11", "--output", str(tmp_path / "o.csv"))
    assert run.returncode == 1
    problem = mm.from_csv_file(example_csv)
    assert problem is not None
    problem.capacity = 11
    solver = mm.Solver()
    assert solver.solve(problem) is None
    assert isinstance(solver.last_error, mm.InfeasibleError)


def test_rust_cli_agrees_on_minimal_height(tmp_path: Path) -> None:
    problem = random_problem(25, seed=11)
    path = tmp_path / "p.csv"
    mm.to_csv_file(path, problem)
    out = tmp_path / "rust.csv"
    run = run_rust("--input", str(path), "--output", str(out))
    assert run.returncode == 0, run.stderr
    solved = mm.from_csv_file(out)
    assert solved is not None
    rust_height = max((b.offset or 0) + b.size for b in solved.buffers)
    assert mm.solve(problem, "exact").height == rust_height

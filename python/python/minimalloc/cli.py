"""The ``minimalloc`` console script (flags as the reference's ``cli.py``).

Reads a MiniMalloc CSV file, solves it, and writes the solution (the input
with an ``offset`` column) to ``--output``::

    minimalloc --input in.csv --output out.csv --capacity 1048576 --validate

Beyond the reference: ``--algorithm`` (``exact``, the default, as the
reference; ``auto``; or a placement heuristic), ``--output -`` for standard
output, flags also spelled with underscores (``--canonical_only``), and
distinct exit codes:

====  ==========================================================
0     solved (and, with ``--validate``, the solution is valid)
1     no solution: infeasible, or a heuristic exceeded the capacity
2     bad input or usage (unreadable CSV, bad flag)
3     the time limit passed
4     the solution failed validation (an internal error)
130   interrupted (Ctrl-C)
====  ==========================================================
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import minimalloc as mm

EXIT_OK = 0
EXIT_NO_SOLUTION = 1
EXIT_BAD_INPUT = 2
EXIT_TIMEOUT = 3
EXIT_INVALID = 4
EXIT_INTERRUPTED = 130

_SWITCHES = [
    ("canonical_only", True, "Explores canonical solutions only"),
    ("section_inference", True, "Performs advanced inference"),
    ("dynamic_ordering", True, "Dynamically orders buffers"),
    ("check_dominance", True, "Checks for dominated solutions that leave gaps"),
    ("unallocated_floor", True, "Uses min offsets for lower bounds on section floors"),
    ("static_preordering", True, "Statically preorders buffers"),
    ("dynamic_decomposition", True, "Dynamically decomposes buffers"),
    ("monotonic_floor", True, "Requires monotonic solution floor increase"),
    ("hatless_pruning", True, "Prunes alternate solutions when buffer has nothing overhead"),
]


def _parse_duration(duration_str: str) -> float | None:
    """Parse a duration such as ``10``, ``1.5s``, ``250ms``, ``5m``, ``1h`` or
    ``inf`` into seconds (None for no limit or an empty string)."""
    if not duration_str:
        return None
    text = duration_str.strip().lower()
    if text in ("inf", "infinite", "infinity", "none"):
        return None
    try:
        return float(text)
    except ValueError:
        pass
    for suffix, multiplier in (("ms", 1e-3), ("us", 1e-6), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if text.endswith(suffix):
            try:
                return float(text[: -len(suffix)]) * multiplier
            except ValueError:
                break
    raise ValueError(f"Invalid duration format: {duration_str}")


def _parse_args(arg_list: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="minimalloc",
        description="MiniMalloc: State-of-the-art static memory allocation solver",
        epilog="Exit codes: 0 solved, 1 no solution, 2 bad input or usage, "
        "3 timed out, 4 solution failed validation, 130 interrupted.",
    )
    parser.add_argument("--input", type=str, required=True, help="The path to the input CSV file")
    parser.add_argument(
        "--output",
        type=str,
        required=True,
        help="The path to the output CSV file ('-' for standard output)",
    )
    parser.add_argument("--capacity", type=int, default=0, help="The maximum memory capacity")
    parser.add_argument("--validate", action="store_true", help="Validates the solver's output")
    parser.add_argument(
        "--timeout",
        type=str,
        default="",
        help="The time limit for the solver (e.g., '10s', '250ms', '5m', '1h', 'inf')",
    )
    parser.add_argument(
        "--algorithm",
        choices=list(mm.ALGORITHMS),
        default="exact",
        help="'exact' (default, the MiniMalloc search), 'auto' (heuristics first, then the "
        "search), or a placement heuristic",
    )
    for name, default, text in _SWITCHES:
        dashed = name.replace("_", "-")
        parser.add_argument(
            f"--{dashed}",
            f"--{name}",
            dest=name,
            action="store_true",
            default=default,
            help=f"{text} (default: {default})",
        )
        parser.add_argument(
            f"--no-{dashed}",
            f"--no_{name}",
            f"--no{name}",
            dest=name,
            action="store_false",
            help=f"Disable: {text.lower()}",
        )
    parser.add_argument(
        "--minimize-capacity",
        "--minimize_capacity",
        dest="minimize_capacity",
        action="store_true",
        help="Find the minimum capacity needed for the allocation",
    )
    parser.add_argument(
        "--preordering-heuristics",
        "--preordering_heuristics",
        dest="preordering_heuristics",
        type=str,
        default="WAT,TAW,TWA",
        help="Static preordering heuristics to attempt (comma-separated)",
    )
    return parser.parse_args(arg_list)


def _params(args: argparse.Namespace, timeout: float | None) -> mm.SolverParams:
    params = mm.SolverParams()
    params.timeout = timeout
    for name, _, _ in _SWITCHES:
        setattr(params, name, getattr(args, name))
    params.minimize_capacity = args.minimize_capacity
    params.preordering_heuristics = [
        h.strip() for h in args.preordering_heuristics.split(",") if h.strip()
    ]
    return params


def _error(message: str) -> None:
    print(f"Error: {message}", file=sys.stderr)


def _exit_code(error: BaseException) -> int:
    if isinstance(error, mm.TimeoutError):
        return EXIT_TIMEOUT
    if isinstance(error, mm.CancelledError):
        return EXIT_INTERRUPTED
    if isinstance(error, ValueError):
        return EXIT_BAD_INPUT
    return EXIT_NO_SOLUTION


def _run_solver(args: argparse.Namespace) -> int:
    """Core solver logic; returns the exit code."""
    try:
        timeout = _parse_duration(args.timeout)
    except ValueError as e:
        _error(str(e))
        return EXIT_BAD_INPUT
    try:
        problem = mm.from_csv_file(args.input, strict=True)
    except (OSError, ValueError) as e:
        _error(f"reading input file {args.input}: {e}")
        return EXIT_BAD_INPUT
    assert problem is not None

    try:
        params = _params(args, timeout)
    except (TypeError, ValueError) as e:
        _error(str(e))
        return EXIT_BAD_INPUT

    if args.capacity > 0:
        problem.capacity = args.capacity
    elif not args.minimize_capacity and args.algorithm == "exact":
        # Every other algorithm minimizes the peak without a capacity.
        _error("--capacity must be > 0 unless --minimize-capacity is set (or --algorithm is not exact)")
        return EXIT_BAD_INPUT

    start = time.perf_counter()
    try:
        if args.algorithm == "exact":
            if problem.capacity == 0:
                # Minimizing without a capacity: search up to a height some
                # solution surely reaches.
                problem.capacity = problem.stacked_height() or 2**62
            solver = mm.Solver(params)
            solution = solver.solve(problem, strict=True)
        else:
            # capacity 0 makes mm.solve search for the lowest height.
            solution = mm.solve(problem, algorithm=args.algorithm, params=params)
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except (mm.MinimallocError, ValueError) as e:
        _error(f"Solver failed! {e}")
        return _exit_code(e)
    assert solution is not None
    print(f"Elapsed time: {time.perf_counter() - start:.3f}s", file=sys.stderr)

    if args.validate:
        result = mm.validate(problem, solution)
        print("PASS" if result == mm.ValidationResult.GOOD else "FAIL", file=sys.stderr)
        if result != mm.ValidationResult.GOOD:
            _error(f"invalid solution: {mm.find_violation(problem, solution)}")
            return EXIT_INVALID

    text = mm.to_csv(problem, solution)
    if args.output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            _write_atomically(Path(args.output), text)
        except OSError as e:
            _error(f"writing output file {args.output}: {e}")
            return EXIT_BAD_INPUT
    return EXIT_OK


def _write_atomically(path: Path, text: str) -> None:
    """Writes ``text`` to ``path`` so that a failure leaves no partial file.

    A regular file (or a new one) is written to a temporary file in its
    folder and renamed over it, keeping an existing file's permissions; a
    symbolic link is written through; anything else (``/dev/null``, a pipe)
    is written directly, as renaming over it would replace it.
    """
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".minimalloc-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        if target.exists():
            shutil.copymode(target, temp)
        else:
            os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, target)
    except BaseException:
        # Ctrl-C included: no temporary file is left behind.
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def main(arg_list: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (``sys.exit(main())``)."""
    args = _parse_args(arg_list)
    return _run_solver(args)


if __name__ == "__main__":
    sys.exit(main())

"""Shared helpers for the minimalloc Python tests."""

from __future__ import annotations

import random

import pytest

import minimalloc as mm

# The README's example: five buffers that fit exactly in 12.
EXAMPLE_CSV = "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n"

SWITCHES = [
    "canonical_only",
    "section_inference",
    "dynamic_ordering",
    "check_dominance",
    "unallocated_floor",
    "static_preordering",
    "dynamic_decomposition",
    "monotonic_floor",
    "hatless_pruning",
]


def no_pruning_params() -> mm.SolverParams:
    """Settings with every pruning technique switched off."""
    params = mm.SolverParams()
    for name in SWITCHES:
        setattr(params, name, False)
    return params


def random_problem(n: int, seed: int, horizon: int = 100, max_size: int = 64) -> mm.Problem:
    """`n` random buffers (capacity left at 0)."""
    rng = random.Random(seed)
    buffers = []
    for i in range(n):
        lower = rng.randrange(0, horizon)
        upper = lower + rng.randrange(1, horizon // 2)
        buffers.append(mm.Buffer(f"b{i}", mm.Lifespan(lower, upper), size=rng.randrange(1, max_size)))
    return mm.Problem(buffers)


def hard_problem(n: int = 60, seed: int = 7) -> mm.Problem:
    """Heavily overlapping buffers at capacity max load - 1: infeasible, and
    very slow to prove so without pruning."""
    rng = random.Random(seed)
    buffers = []
    for i in range(n):
        lower = rng.randrange(0, 20)
        upper = lower + rng.randrange(20, 60)
        buffers.append(mm.Buffer(f"b{i}", mm.Lifespan(lower, upper), size=rng.randrange(1, 50)))
    problem = mm.Problem(buffers)
    problem.capacity = problem.max_load() - 1
    return problem


@pytest.fixture
def example() -> mm.Problem:
    problem = mm.from_csv(EXAMPLE_CSV)
    assert problem is not None
    problem.capacity = 12
    return problem

"""The rules of scripts/bench/queue that its figures rest on: how the simulated queue
takes visitors, and how "we cannot estimate" is counted."""

from __future__ import annotations

import importlib.util
import sys
from collections import deque
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "queue_bench", ROOT / "scripts" / "bench" / "queue_bench.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["queue_bench"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_cannot_estimate_counts_as_an_error_of_the_whole_wait(bench: ModuleType) -> None:
    """A visitor told "we cannot estimate" counts as an error of their whole wait."""
    outcomes = [bench.Outcome(0.0, None, wait=600.0), bench.Outcome(0.0, 300.0, wait=600.0)]
    m = bench.measure(outcomes)
    assert (m.no_number, m.mae, m.median_wait) == (1, 450.0, 600.0)


def test_a_free_slot_is_taken_after_the_pick_up(bench: ModuleType) -> None:
    """A visitor who finds a slot free waits only for the helper's pick-up."""
    visitors = [bench.Visitor(0, 1, 100.0, 600.0, 40.0)]
    outcomes, _ = bench.simulate_day(visitors, deque(maxlen=20))
    assert outcomes[0].wait == 40.0


def test_nobody_is_taken_until_the_stall_ends(bench: ModuleType) -> None:
    """During a stall a free slot stays untaken; the visitor is taken a pick-up after it."""
    visitors = [bench.Visitor(0, 1, 100.0, 600.0, 40.0)]
    scenario = bench.Scenario(stall_at=50.0, stall_for=600.0)
    outcomes, _ = bench.simulate_day(visitors, deque(maxlen=20), scenario)
    assert outcomes[0].wait == 650.0 - 100.0 + 40.0


def test_the_estimate_seen_while_waiting_grows_in_a_stall(bench: ModuleType) -> None:
    """The estimate a waiting page shows each minute grows while nobody takes."""
    visitors = [bench.Visitor(0, 1, 30.0, 600.0, 40.0)]
    scenario = bench.Scenario(stall_at=0.0, stall_for=480.0)
    outcomes, _ = bench.simulate_day(visitors, deque(maxlen=20), scenario)
    shown = [e for e, _ in outcomes[0].samples]
    assert shown == sorted(shown) and shown[0] is not None and shown[-1] > shown[0]


def test_the_closing_queue_turns_away_newcomers(bench: ModuleType) -> None:
    """From closing no newcomer enters, and before it one whose wait runs past closing."""
    visitors = [
        bench.Visitor(0, 1, 0.0, 3000.0, 10.0),  # taken at once
        bench.Visitor(0, 1, 60.0, 600.0, 10.0),  # expected at 940 s, past closing at 900 s
        bench.Visitor(0, 1, 1200.0, 600.0, 10.0),  # after closing
    ]
    outcomes, turned_away = bench.simulate_day(
        visitors, deque(maxlen=20), bench.Scenario(close_at=900.0)
    )
    assert ([o.arrival for o in outcomes], turned_away) == ([0.0], 2)

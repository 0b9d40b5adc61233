"""Work split over threads: results in order, and an error stops what has not started."""

import threading
import time

import pytest

from winset.engine import enumeration


def test_parts_come_back_in_order_whichever_finishes_first(monkeypatch):
    monkeypatch.setattr(enumeration, "THREADS", 3)

    def slow_first(part: int) -> int:
        time.sleep(0.02 * (6 - part))
        return part * part

    assert enumeration.on_threads(slow_first, list(range(6))) == [p * p for p in range(6)]


def test_an_error_starts_no_further_part(monkeypatch):
    monkeypatch.setattr(enumeration, "THREADS", 2)
    started = []
    lock = threading.Lock()

    def failing(part: int) -> int:
        with lock:
            started.append(part)
        if part == 0:
            raise ValueError("part 0 failed")
        time.sleep(0.05)
        return part

    with pytest.raises(ValueError, match="part 0 failed"):
        enumeration.on_threads(failing, list(range(40)))
    assert len(started) < 10  # the other thread finishes the part it holds, and no more start

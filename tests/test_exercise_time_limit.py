"""The time limit under which notebook 14's non-max suppression exercise runs the learner's function:
an endless loop ends as a "Not yet" with a message, on the main thread (alarm signal) and on any
other thread (trace function), and the limit leaves no alarm or handler behind."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from helpers.exercises import nb14
from helpers.exercises.nb14 import _TooLong, time_limit


def _spin():
    while True:
        pass


def test_an_endless_loop_is_stopped_on_the_main_thread_and_the_alarm_is_cleared():
    before = signal.getsignal(signal.SIGALRM)
    start = time.monotonic()
    with pytest.raises(_TooLong):
        with time_limit(0.2):
            _spin()
    assert time.monotonic() - start < 5
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with time_limit(0.2):
        assert sum(range(1000)) == 499500  # quick code runs as usual


def test_an_endless_loop_is_stopped_on_another_thread():
    outcome = []

    def work():
        try:
            with time_limit(0.2):
                _spin()
        except _TooLong:
            outcome.append("stopped")

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(10)
    assert outcome == ["stopped"]


def test_the_learners_own_except_exception_does_not_swallow_the_limit(monkeypatch):
    monkeypatch.setattr(nb14.q4, "seconds", 0.2)

    def stubborn(boxes, scores, threshold):
        while True:
            try:
                _spin()
            except Exception:
                pass

    result = nb14.q4.evaluate(stubborn)
    assert result.status == "wrong" and "loops forever" in result.message

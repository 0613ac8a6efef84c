"""The release's answer cache (:class:`gcmkg.service.serving.AnswerCache`), on its own.

Asks of one key that arrive while its first computation runs wait for it and get its answer:
the computation runs once, however many ask at once.  A failed computation is not shared: each
waiting ask then tries for itself (the error may be the first asker's alone, a client budget).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from gcmkg.service.serving import AnswerCache

ASKS = 8


@dataclass(frozen=True)
class Body:
    body: bytes


def until_started(started: threading.Event) -> None:
    """Until the first computation has started: an ask of its key from then on finds it under way."""
    assert started.wait(10), "the first computation never started"


def test_asks_arriving_during_the_first_computation_share_it() -> None:
    cache = AnswerCache()
    started, release = threading.Event(), threading.Event()
    runs = []

    def compute() -> Body:
        runs.append(threading.get_ident())
        started.set()
        assert release.wait(10)
        return Body(b"the answer")

    with ThreadPoolExecutor(ASKS) as pool:
        first = pool.submit(cache.answer, "key", compute)
        until_started(started)
        assert cache.status()["computing"] == 1
        others = [pool.submit(cache.answer, "key", compute) for _ in range(ASKS - 1)]
        release.set()
        answers = [first.result(10), *(f.result(10) for f in others)]
    assert len(runs) == 1
    assert all(answer is answers[0] for answer in answers)  # the one computed object, not copies
    status = cache.status()
    assert status["misses"] == 1 and status["hits"] + status["shared"] == ASKS - 1
    assert status["computing"] == 0 and status["entries"] == 1


def test_an_answer_too_large_to_keep_is_still_shared_with_those_waiting() -> None:
    cache = AnswerCache(max_bytes=64)  # keeps nothing over 8 bytes
    started, release = threading.Event(), threading.Event()
    runs = []

    def compute() -> Body:
        runs.append(1)
        started.set()
        assert release.wait(10)
        return Body(b"x" * 100)

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(cache.answer, "big", compute)
        until_started(started)
        second = pool.submit(cache.answer, "big", compute)
        # the second ask is either waiting on the flight or (if slow to start) will run its own
        release.set()
        assert first.result(10).body == second.result(10).body
    assert cache.status()["entries"] == 0  # not kept
    assert len(runs) == 1 + (cache.status()["shared"] == 0)  # shared, or run again after the flight ended


def test_a_failed_first_computation_is_tried_again_by_those_waiting() -> None:
    cache = AnswerCache()
    started, release = threading.Event(), threading.Event()
    runs = []

    def failing() -> Body:
        runs.append("failed")
        started.set()
        assert release.wait(10)
        raise RuntimeError("over this client's budget")

    def compute() -> Body:
        runs.append("ran")
        return Body(b"the answer")

    with ThreadPoolExecutor(ASKS) as pool:
        first = pool.submit(cache.answer, "key", failing)
        until_started(started)
        others = [pool.submit(cache.answer, "key", compute) for _ in range(ASKS - 1)]
        release.set()
        with pytest.raises(RuntimeError, match="budget"):
            first.result(10)
        answers = [f.result(10) for f in others]
    assert {a.body for a in answers} == {b"the answer"}
    assert runs == ["failed", "ran"]  # one of the waiters ran it; the rest shared that run or its kept answer
    assert cache.status()["computing"] == 0


def test_different_keys_do_not_wait_for_each_other() -> None:
    cache = AnswerCache()
    started, release = threading.Event(), threading.Event()

    def slow() -> Body:
        started.set()
        assert release.wait(10)
        return Body(b"slow")

    with ThreadPoolExecutor(2) as pool:
        held = pool.submit(cache.answer, "slow", slow)
        until_started(started)
        assert cache.answer("quick", lambda: Body(b"quick")).body == b"quick"  # while "slow" is computing
        release.set()
        assert held.result(10).body == b"slow"

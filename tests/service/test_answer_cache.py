"""The release's answer cache (:class:`gcmkg.service.serving.AnswerCache`), on its own.

Asks of one key that arrive while its first computation runs wait for it and get what it gave:
the computation runs once, however many ask at once.  An error goes to those waiting too (a query
stopped at the time limit would stop again: trying in turn would make the last ask wait one limit
per ask before it), and is not kept: an ask after it computes again.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from gcmkg.service.runner import QueryLimitExceeded
from gcmkg.service.serving import AnswerCache

ASKS = 8


@dataclass(frozen=True)
class Body:
    body: bytes


def until_started(started: threading.Event) -> None:
    """Until the first computation has started: an ask of its key from then on finds it under way."""
    assert started.wait(10), "the first computation never started"


def until_waiting(cache: AnswerCache, asks: int) -> None:
    """Until ``asks`` asks wait for the computation under way (each is counted as it joins it)."""
    deadline = time.monotonic() + 10
    while cache.status()["shared"] < asks:
        assert time.monotonic() < deadline, f"{cache.status()['shared']} of {asks} asks joined the computation"
        time.sleep(0.005)


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
        until_waiting(cache, ASKS - 1)
        release.set()
        answers = [first.result(10), *(f.result(10) for f in others)]
    assert len(runs) == 1
    assert all(answer is answers[0] for answer in answers)  # the one computed object, not copies
    status = cache.status()
    assert status["misses"] == 1 and status["hits"] == 0 and status["shared"] == ASKS - 1
    assert status["computing"] == 0 and status["entries"] == 1
    assert cache.answer("key", compute) is answers[0] and cache.status()["hits"] == 1  # then kept


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
        until_waiting(cache, 1)
        release.set()
        assert first.result(10).body == second.result(10).body == b"x" * 100
    assert len(runs) == 1
    assert cache.status()["entries"] == 0  # not kept


def test_a_failed_computation_gives_its_error_to_those_waiting_and_is_not_kept() -> None:
    cache = AnswerCache()
    started, release = threading.Event(), threading.Event()
    runs = []

    def stopped() -> Body:
        runs.append("stopped")
        started.set()
        assert release.wait(10)
        raise QueryLimitExceeded("the query ran longer than the 4 s limit", 503, retry_after=5)

    def compute() -> Body:
        runs.append("ran")
        return Body(b"the answer")

    with ThreadPoolExecutor(ASKS) as pool:
        first = pool.submit(cache.answer, "key", stopped)
        until_started(started)
        others = [pool.submit(cache.answer, "key", compute) for _ in range(ASKS - 1)]
        until_waiting(cache, ASKS - 1)
        release.set()
        errors = []
        for future in (first, *others):
            with pytest.raises(QueryLimitExceeded) as raised:
                future.result(10)
            errors.append(raised.value)
    assert runs == ["stopped"]  # nobody waited one limit after another
    # each waiting ask raises a copy with what the first said (status, Retry-After, worker spent)
    assert [(e.message, e.status, e.retry_after, e.spent_worker) for e in errors] == [
        ("the query ran longer than the 4 s limit", 503, 5, True)
    ] * ASKS
    assert len({id(e) for e in errors}) == ASKS
    assert cache.status()["computing"] == 0 and cache.status()["entries"] == 0
    assert cache.answer("key", compute).body == b"the answer" and runs == ["stopped", "ran"]  # a later ask runs


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

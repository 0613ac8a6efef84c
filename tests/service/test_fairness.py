"""Per-client budgets of ad-hoc queries, against a real server (:mod:`gcmkg.service.fairness`).

A server of its own over the service build, with small budgets so they are reached quickly:
a client may run one query at once and use 4 s of query time a minute; past 1.5 s it is heavy
(its queries stop after 1 s, and heavy clients share one worker).  Clients are told apart by
their ``User-Agent`` (all tests come from loopback).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from gcmkg.settings import Settings
from tests.service.conftest import ENDLESS, Server, free_port, start_server, stop_server

pytestmark = pytest.mark.server

SLOW = ENDLESS  # runs into any time limit, never into the memory limit
QUICK = "ASK { ?s ?p ?o }"
BUDGETS = {"timeout": 2.0, "workers": 2, "burst_workers": 2, "client_queries": 1, "client_seconds": 4.0}
BUDGETS |= {"client_window": 60.0, "heavy_after": 1.5, "heavy_timeout": 1.0, "heavy_slots": 1}


@pytest.fixture
def budgeted(service_build: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("fairness") / "serve.log"
    server = start_server(service_build.build_dir, service_build.base_iri, free_port(), log, BUDGETS)
    yield server
    stop_server(server)


def ask(server: Server, client: str, query: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.get(server.url + "sparql", params={"query": query}, headers={"User-Agent": client}, timeout=30)
    return response, time.monotonic() - started


def holding(server: Server) -> dict[str, int]:
    """The ad-hoc queries holding a client's slot now (taken on arrival, given back with the answer)."""
    clients: dict[str, int] = httpx.get(server.url + "health", timeout=10).json()["clients"]
    return clients


def wait_until(
    server: Server, ready: Callable[[dict[str, int]], bool], alive: Callable[[], bool] = lambda: True
) -> None:
    deadline = time.monotonic() + 10
    while not ready(holding(server)) and alive() and time.monotonic() < deadline:
        time.sleep(0.02)


def in_background(
    server: Server, client: str, query: str, held: int = 1, heavy: int = 0
) -> tuple[threading.Thread, list[httpx.Response]]:
    """Send ``query`` from a thread; return once the server holds its slot: ``held`` queries in
    all (``heavy`` of them by heavy clients).  The count is of slots, not of workers: a worker
    being restarted after an earlier query's time limit counts as busy, which hid the new query."""
    answers: list[httpx.Response] = []
    thread = threading.Thread(target=lambda: answers.append(ask(server, client, query)[0]))
    thread.start()
    wait_until(server, lambda c: c["running"] >= held and c["heavy_running"] >= heavy, thread.is_alive)
    return thread, answers


def test_a_client_over_its_concurrency_is_refused_at_once(budgeted: Server) -> None:
    thread, answers = in_background(budgeted, "client-a", SLOW)
    refused, seconds = ask(budgeted, "client-a", QUICK)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1" and seconds < 0.5
    assert "at most 1 at once" in refused.text
    held = holding(budgeted)  # the slow query's slot, unless a loaded machine let it end already
    assert held["refused"] == 1 and held["running"] <= 1 and held["heavy_running"] == 0 and held["tracked"] == 1
    other, seconds = ask(budgeted, "client-b", QUICK)  # another client is not held up
    assert other.status_code == 200 and seconds < 1.0
    thread.join(30)
    assert answers[0].status_code == 503 and "longer than the 2 s limit" in answers[0].text


def test_the_service_description_takes_no_query_slot(budgeted: Server) -> None:
    """A slot is held by a query, from its arrival to its answer; the editor or the service
    description of a client whose one query is running is still served."""
    describe = lambda: httpx.get(budgeted.url + "sparql", headers={"User-Agent": "describer"}, timeout=30)  # noqa: E731
    assert describe().status_code == 200  # made once beforehand, so that it is quick while the query runs
    thread, answers = in_background(budgeted, "describer", SLOW)
    refused, _ = ask(budgeted, "describer", QUICK)
    assert refused.status_code == 429  # while a query of its own is what it already runs
    description = describe()
    assert description.status_code == 200 and "sd:Service" in description.text
    thread.join(30)
    again, _ = ask(budgeted, "describer", QUICK)  # the slot was given back with the answer
    assert answers[0].status_code == 503 and again.status_code != 429


def test_heavy_clients_get_a_shorter_limit_and_share_one_worker(budgeted: Server) -> None:
    first = [in_background(budgeted, name, SLOW, held) for held, name in enumerate(("heavy-a", "heavy-c"), 1)]
    for thread, _ in first:
        thread.join(30)
    assert [answers[0].status_code for _, answers in first] == [503, 503]  # each used 2 s: both heavy now
    wait_until(budgeted, lambda c: c["running"] == 0)  # both slots given back
    thread, answers = in_background(budgeted, "heavy-a", SLOW, heavy=1)
    refused, seconds = ask(budgeted, "heavy-c", SLOW)  # the one worker of heavy clients is taken
    assert refused.status_code == 429 and "busy" in refused.text and seconds < 0.5
    light, seconds = ask(budgeted, "light-b", QUICK)
    assert light.status_code == 200 and seconds < 1.0
    thread.join(30)
    assert answers[0].status_code == 503 and "longer than the 1 s limit" in answers[0].text


def test_a_spent_budget_is_refused_until_it_frees(budgeted: Server) -> None:
    spent = []
    for _ in range(3):  # 2 s, then 1 s (heavy), then 1 s: 4 s used
        response, seconds = ask(budgeted, "spender", SLOW)
        spent.append((response.status_code, round(seconds, 2), response.text[:80]))
        assert response.status_code == 503, spent
    refused, seconds = ask(budgeted, "spender", QUICK)
    assert refused.status_code == 429 and seconds < 0.5, (spent, refused.status_code, seconds)
    assert "of query time in the last 60 s" in refused.text and 1 <= int(refused.headers["retry-after"]) <= 60
    assert ask(budgeted, "someone-else", QUICK)[0].status_code == 200

"""Answers replayed per release (:mod:`gcmkg.service.replay`), against the real server.

A replayed answer must be the computed answer, byte for byte, with the validators of the
request that got it; errors, streamed answers and /health are never replayed.  Each release
keeps its own replays (``Served.replays``), so none crosses a live switch; test_serving.py
checks that no answer after a switch comes from the older release.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
import pytest

pytestmark = pytest.mark.server

PARA = "id/a-73-l-66/en/annex/para/23"


def replayed(url: str) -> dict[str, int]:
    status: dict[str, int] = httpx.get(url + "health").json()["replayed"]
    return status


def test_the_second_identical_request_is_replayed_byte_for_byte(service_url: str) -> None:
    path = f"{PARA}?replay-test=1"  # a key no other test asks for
    before = replayed(service_url)
    first = httpx.get(service_url + path, headers={"Accept": "text/turtle"})
    after_first = replayed(service_url)
    second = httpx.get(service_url + path, headers={"Accept": "text/turtle"})
    after_second = replayed(service_url)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and b"annex/para/23" in first.content
    for header in ("content-type", "etag", "last-modified", "cache-control", "vary"):
        assert second.headers[header] == first.headers[header], header
    assert after_first["entries"] == before["entries"] + 1 and after_first["hits"] == before["hits"]
    assert after_second["hits"] == after_first["hits"] + 1 and after_second["entries"] == after_first["entries"]


def test_each_representation_is_replayed_as_itself(service_url: str) -> None:
    answers = {}
    for accept in ("text/turtle", "application/n-triples", "text/html"):
        for _ in range(2):
            response = httpx.get(service_url + PARA, headers={"Accept": accept})
            assert response.status_code == 200
            assert response.headers["content-type"].startswith(accept)
            answers.setdefault(accept, set()).add(response.content)
    assert all(len(bodies) == 1 for bodies in answers.values())  # the replay is the answer computed
    assert len({next(iter(bodies)) for bodies in answers.values()}) == 3  # and never another format's


def test_a_replayed_answer_still_revalidates_and_head_has_no_body(service_url: str) -> None:
    first = httpx.get(service_url + PARA, headers={"Accept": "text/turtle"})
    httpx.get(service_url + PARA, headers={"Accept": "text/turtle"})
    again = httpx.get(service_url + PARA, headers={"Accept": "text/turtle", "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    for _ in range(2):
        head = httpx.head(service_url + PARA, headers={"Accept": "text/turtle"})
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == first.headers["etag"]


def test_an_ad_hoc_query_text_is_replayed(service_url: str) -> None:
    query = quote(f"SELECT ?p WHERE {{ <{service_url}{PARA}> ?p ?o }} ORDER BY ?p LIMIT 3")
    bodies = {httpx.get(f"{service_url}sparql?query={query}", headers={"Accept": "text/csv"}).content for _ in range(3)}
    assert len(bodies) == 1 and next(iter(bodies)).startswith(b"p\r\n")


@pytest.mark.parametrize(
    "path",
    [
        "id/a-73-l-66/en/annex/para/999",  # 404
        "sparql?query=SELEC",  # 400
        "dumps/gcmkg.nq",  # a file, streamed
        "health",
    ],
)
def test_errors_streams_and_health_are_not_replayed(service_url: str, path: str) -> None:
    before = replayed(service_url)
    statuses = {httpx.get(service_url + path).status_code for _ in range(2)}
    after = replayed(service_url)
    assert statuses <= {200, 400, 404} and len(statuses) == 1
    assert (after["entries"], after["hits"]) == (before["entries"], before["hits"])


def answers(url: str) -> dict[str, int]:
    status: dict[str, int] = httpx.get(url + "health").json()["answers"]
    return status


def test_identical_first_asks_sent_together_are_computed_at_most_once(service_url: str) -> None:
    """Eight clients ask a saved query nobody asked before, at once: one computation at most
    (the others wait for it, or find it kept, or are replayed; tests/service/test_answer_cache.py
    checks the waiting itself, which here depends on how the requests happen to overlap)."""
    url = service_url + "queries/search"
    params = {"phrase": "ethical recruitment", "format": "xml"}  # a key of its own: no other test asks it
    before = answers(service_url)
    gate = threading.Barrier(8)

    def ask(_: int) -> httpx.Response:
        with httpx.Client(timeout=30) as client:
            client.get(service_url + "health")  # connected before the gate
            gate.wait(10)
            return client.get(url, params=params)

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(ask, range(8)))
    after = answers(service_url)
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1 and b"<sparql" in responses[0].content
    assert after["misses"] - before["misses"] == 1  # computed once
    assert after["computing"] == 0

"""The runner API the routers use (``QueryRunner.run`` / ``form_of``), on a small real store.

No HTTP here: the worker processes are real, the store is a pyoxigraph store on disk holding
three named graphs of two triples each.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from gcmkg.representations import CSV
from gcmkg.service.runner import Limits, QueryLimitExceeded, QueryRejected, QueryRunner
from gcmkg.store import GraphStore

BASE = "http://127.0.0.1:9/"
G = [NamedNode(f"{BASE}graph/g{n}") for n in (1, 2, 3)]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = tmp_path_factory.mktemp("runner") / "store"
    store = GraphStore.create(path, BASE)
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    store.add(
        Quad(NamedNode(f"{BASE}id/r{n}"), predicate, value, G[n - 1])
        for n in (1, 2, 3)
        for predicate, value in ((label, Literal(f"resource {n}")), (NamedNode(f"{BASE}ontology#n"), Literal(n)))
    )
    store.flush()
    del store
    return path


@pytest.fixture(scope="module")
def runner(store_path: Path) -> Iterator[QueryRunner]:
    with QueryRunner(store_path, BASE, Limits(timeout_s=3, max_rows=5, max_bytes=4096)) as started:
        yield started


def rows(body: bytes, name: str) -> list[str]:
    return [b[name]["value"] for b in json.loads(body)["results"]["bindings"]]


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * { ?s ?p ?o } LIMIT 1", "select"),  # the test store has more rows than the cap
        ("PREFIX x: <http://x/>\nBASE <http://b/>\nask { }", "ask"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "construct"),
        ("# comment\nDESCRIBE <id/r1>", "describe"),
    ],
)
def test_the_outcome_names_the_query_form(runner: QueryRunner, query: str, form: str) -> None:
    assert runner.run(query).form == form


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("SELECT * {", 400, "malformed query: error at 1:"),
        ("INSERT DATA { <a> <b> <c> }", 403, "read-only"),
        ("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 403, "SERVICE"),
        ("ASK {} ASK {}", 400, "malformed query"),
    ],
)
def test_run_rejects(runner: QueryRunner, query: str, status: int, words: str) -> None:
    with pytest.raises(QueryRejected) as caught:
        runner.run(query)
    assert caught.value.status == status and words in caught.value.message


def test_default_graph_is_the_union_and_relative_iris_resolve(runner: QueryRunner) -> None:
    outcome = runner.run("SELECT ?s WHERE { ?s <ontology#n> ?n } ORDER BY ?n")
    assert outcome.form == "select" and outcome.representation.media_type == "application/sparql-results+json"
    assert rows(outcome.body, "s") == [f"{BASE}id/r{n}" for n in (1, 2, 3)]


def test_from_in_the_query_is_not_overridden_by_the_union(runner: QueryRunner) -> None:
    outcome = runner.run(f"SELECT ?s FROM <{G[1].value}> WHERE {{ ?s <ontology#n> ?n }}")
    assert rows(outcome.body, "s") == [f"{BASE}id/r2"]


def test_protocol_dataset_overrides_from(runner: QueryRunner) -> None:
    query = f"SELECT ?s FROM <{G[1].value}> WHERE {{ ?s <ontology#n> ?n }}"
    assert rows(runner.run(query, default_graph_uris=[G[2].value]).body, "s") == [f"{BASE}id/r3"]
    named = runner.run("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", named_graph_uris=[G[0].value])
    assert rows(named.body, "g") == [G[0].value]


def test_substitutions_bind_terms_not_text(runner: QueryRunner) -> None:
    query = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    bound = runner.run(query, substitutions={"s": NamedNode(f"{BASE}id/r2")})
    assert rows(bound.body, "label") == ["resource 2"]
    hostile = runner.run(query, substitutions={"label": Literal('x" } ; DROP ALL ; { "')})
    assert rows(hostile.body, "label") == []


def test_formats_and_caps(runner: QueryRunner) -> None:
    turtle = runner.run("CONSTRUCT WHERE { ?s <ontology#n> ?n }")
    assert turtle.representation.media_type == "text/turtle" and turtle.body.count(b"gcm:n") == 3
    csv = runner.run("SELECT ?n WHERE { ?s <ontology#n> ?n } ORDER BY ?n", result_format=CSV)
    assert csv.body.decode().splitlines() == ["n", "1", "2", "3"]
    with pytest.raises(QueryLimitExceeded) as caught:
        runner.run("SELECT * WHERE { ?s ?p ?o }")  # 6 rows > 5
    assert caught.value.status == 413 and "more than 5 rows" in caught.value.message


BOMB = (
    "SELECT (COUNT(*) AS ?n) WHERE { "
    + " ".join(f"VALUES ?v{i} {{ {' '.join(str(j) for j in range(60))} }}" for i in range(8))
    + " }"
)


def test_timeout_kills_and_replaces_the_worker(runner: QueryRunner) -> None:
    bomb = BOMB
    with pytest.raises(QueryLimitExceeded) as caught:
        runner.run(bomb)
    assert caught.value.status == 503 and "3 s limit" in caught.value.message
    assert runner.timeouts >= 1
    assert runner.run("ASK { ?s ?p ?o }").body.strip().endswith(b"true}")


def test_a_burst_worker_answers_while_the_pool_is_busy(store_path: Path) -> None:
    import threading
    import time

    limits = Limits(timeout_s=3, workers=1, burst_workers=1)
    with QueryRunner(store_path, BASE, limits) as runner:
        outcomes: list[int] = []

        def bomb() -> None:
            try:
                runner.run(BOMB)
            except QueryLimitExceeded as error:
                outcomes.append(error.status)

        first = threading.Thread(target=bomb)
        first.start()
        time.sleep(0.5)  # the only worker is busy with the bomb
        start = time.monotonic()
        assert runner.run("ASK { ?s ?p ?o }").body.strip().endswith(b"true}")
        assert time.monotonic() - start < 2.0  # a burst worker answered; no wait for the bomb
        second = threading.Thread(target=bomb)  # now both are busy, and no more may start
        second.start()
        time.sleep(0.5)
        start = time.monotonic()
        assert runner.run("ASK { ?s ?p ?o }").body.strip().endswith(b"true}")  # waits for a freed worker
        assert time.monotonic() - start > 1.0
        first.join()
        second.join()
        assert outcomes == [503, 503]
        assert runner.timeouts == 2
        assert len(runner._all) <= limits.workers + limits.burst_workers


def test_a_burst_worker_stays_through_a_steady_load_and_stops_once_idle(store_path: Path) -> None:
    """Two overlapping queries on a pool of one: one burst worker starts and is kept while the
    overlap goes on (no start and stop per query), then is stopped after ``burst_idle_s`` idle."""
    import threading
    import time

    limits = Limits(timeout_s=3, workers=1, burst_workers=2)
    with QueryRunner(store_path, BASE, limits, burst_idle_s=1.0) as runner:
        seen: set[int] = set()

        values = " ".join(str(j) for j in range(80))
        counting = "SELECT (COUNT(*) AS ?n) { " + " ".join(f"VALUES ?v{i} {{ {values} }}" for i in range(3)) + " }"

        def slow() -> None:  # holds a worker for about half a second (80³ rows counted)
            runner.run(counting)

        for _ in range(5):
            holder = threading.Thread(target=slow)
            holder.start()
            started = time.monotonic()  # until the slow query holds the standing worker (not a fixed sleep,
            while runner.status()["busy"] < 1 and time.monotonic() - started < 5:  # which a busy CI outran)
                time.sleep(0.002)
            runner.run("ASK { ?s ?p ?o }")
            seen.update(w.process.pid for w in runner._all)
            holder.join()
        assert len(seen) == 2  # the standing worker and one burst worker, kept across the five rounds
        assert runner.status()["alive"] == 2
        deadline = time.monotonic() + 5
        while runner.status()["alive"] > limits.workers and time.monotonic() < deadline:
            time.sleep(0.1)
        assert runner.status()["alive"] == limits.workers  # the burst worker went after its idle time


def test_a_query_at_a_cold_start_waits_for_the_workers_on_their_way(store_path: Path) -> None:
    """Started in the background, the standing workers are on their way: the first queries wait
    for them instead of starting burst workers (which would only compete with them for the CPU)."""
    import threading

    limits = Limits(timeout_s=3, workers=2, burst_workers=2)
    runner = QueryRunner(store_path, BASE, limits).start(wait=False)
    try:
        answers: list[bytes] = []
        askers = [threading.Thread(target=lambda: answers.append(runner.run("ASK { ?s ?p ?o }").body)) for _ in range(2)]
        for t in askers:
            t.start()
        for t in askers:
            t.join()
        assert [a.strip().endswith(b"true}") for a in answers] == [True, True]
        assert runner.status()["alive"] == limits.workers  # no burst worker was started
    finally:
        runner.close()

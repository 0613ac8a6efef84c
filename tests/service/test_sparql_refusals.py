"""``SERVICE`` and updates are refused before evaluation; no outbound connection is ever made.

Hazard 1 of gcmkg.store: pyoxigraph executes ``SERVICE`` over HTTP and Python cannot switch it off.
The proof here is a TCP listener on loopback standing in for a remote endpoint: every query
names it in a ``SERVICE`` clause, and the listener must see no connection at all.  A control
test shows the listener *does* see pyoxigraph's request when the query is run directly, so
the main test can fail.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Store

from gcmkg.service.screening import masked_iris, screen

FEDERATED = Path(__file__).resolve().parents[1] / "conformance" / "sparql11-protocol" / "federated-service"


class Listener:
    """Counts TCP connections on a loopback port (the stand-in for a remote SPARQL endpoint)."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()  # answer nothing: the client fails fast

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def service_queries(target: str) -> list[str]:
    """SERVICE in every shape and place a client could write it, all pointing at ``target``."""
    inline = [
        f"SELECT * {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"select * {{ service <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SeRvIcE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ ?s ?p ?o OPTIONAL {{ SERVICE <{target}> {{ ?s ?q ?r }} }} }}",
        f"SELECT * {{ {{ SELECT ?s {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * {{ {{ ?s ?p ?o }} UNION {{ SERVICE<{target}>{{?s ?p ?o}} }} }}",
        f"SELECT * {{ ?s ?p ?o MINUS {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ VALUES ?endpoint {{ <{target}> }} SERVICE ?endpoint {{ ?s ?p ?o }} }}",
        f'# a comment: SERVICE\nSELECT ("SERVICE" AS ?x) {{ SERVICE <{target}> {{ ?s ?p ?o }} }}',
        f"PREFIX ep: <{target}>\nSELECT * {{\n  SERVICE ep: {{ ?s ?p ?o }}\n}}",
        f"BASE <{target}>\nSELECT * {{ SERVICE <> {{ ?s ?p ?o }} }}",
    ]
    files = []
    for path in sorted(FEDERATED.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        files.append(re.sub(r"(SERVICE\s+(?:SILENT\s+)?)<[^>]*>", rf"\1<{target}>", text, flags=re.IGNORECASE))
    assert len(files) == 10
    return inline + files


def test_the_listener_sees_pyoxigraph_run_service_directly(listener: Listener) -> None:
    """Control: without the endpoint's refusal, pyoxigraph would connect (the hazard is real)."""
    with pytest.raises(OSError):
        list(Store().query(f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))  # type: ignore[arg-type]
    deadline = time.monotonic() + 5
    while listener.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.connections >= 1


@pytest.mark.server
@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_service_is_refused_and_no_connection_is_made(protocol_url: str, listener: Listener, method: str) -> None:
    queries = service_queries(listener.url)
    for query in queries:
        if method == "GET":
            response = httpx.get(protocol_url + "sparql", params={"query": query})
        elif method == "POST-form":
            response = httpx.post(protocol_url + "sparql", data={"query": query})
        else:
            response = httpx.post(
                protocol_url + "sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}
            )
        assert response.status_code == 403, (query, response.status_code, response.text)
        assert "SERVICE" in response.text and "no outbound request" in response.text
    time.sleep(1.0)  # time for any stray connection to arrive
    assert listener.connections == 0


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?service WHERE { ?service <http://x/SERVICE> "SERVICE" }',
        "PREFIX service: <http://x/> SELECT * { ?s service:SERVICE ?o }",
        "SELECT * { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/> { }",
        "SELECT * { ?s ?p '''\nSERVICE <http://127.0.0.1:9/> {}\n''' }",
        "SELECT * { ?s <http://example.org/SERVICE> ?o }",
        "SELECT ($service AS ?x) { BIND(1 AS $service) }",
        'SELECT * { ?s ?p "say \\"SERVICE\\" here" }',
    ],
)
def test_the_word_service_outside_the_keyword_is_not_a_service_clause(query: str) -> None:
    assert not screen(query).uses_service
    Store().query(query)  # and these are real, harmless queries


def test_the_tokenizer_finds_service_where_a_naive_scan_would_not() -> None:
    assert screen("SELECT*{SERVICE<http://a/>{?s?p?o}}").uses_service
    assert screen('SELECT * { ?s ?p "a" SERVICE <http://a/> {} }').uses_service
    assert screen("SELECT * { ?s ?p 'x\\'' . SERVICE <http://a/> {} }").uses_service
    assert screen("SELECT * {\n# comment\nSERVICE <http://a/> {} }").uses_service


def test_masking_keeps_positions_and_the_grammar_reading_of_iris() -> None:
    text = "PREFIX : <http://example/ns#>\nSELECT * WHERE { FILTER (?x<?a&&?b>?y) }"
    masked = masked_iris(text)
    assert len(masked) == len(text) and masked.count("\n") == 1
    assert "<?a&&?b>" not in masked and '"' not in masked


UPDATES = [
    "INSERT DATA { <http://x/s> <http://x/p> <http://x/o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "DROP GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf>",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "PREFIX x: <http://x/> WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "create graph <http://x/g>",
]


@pytest.mark.server
@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_in_every_way_they_can_be_sent(protocol_url: str, update: str) -> None:
    endpoint = protocol_url + "sparql"
    answers = [
        httpx.post(endpoint, data={"update": update}),
        httpx.post(endpoint, content=update.encode(), headers={"Content-Type": "application/sparql-update"}),
        httpx.get(endpoint, params={"update": update}),
        httpx.get(endpoint, params={"query": update}),  # update text sent as a query
        httpx.post(endpoint, data={"query": update}),
        httpx.post(endpoint, content=update.encode(), headers={"Content-Type": "application/sparql-query"}),
    ]
    for response in answers:
        assert response.status_code == 403, (update, response.request.method, response.text)
        assert "read-only" in response.text
    still = httpx.get(endpoint, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", "format": "json"})
    assert still.json()["results"]["bindings"][0]["n"]["value"] == "3"

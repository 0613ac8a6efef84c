"""Malformed queries get a hint that names the common mistake, not only the parser's "expected …".

A table of wrong queries (each beside its corrected form, which must run), sent to the real
endpoint over the protocol test store.  pyoxigraph's own message for these misleads: "expected
OPTIONAL" for two triple patterns without a dot, "expected one of "$", "'" …" for a missing object.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

EX = "PREFIX ex: <http://example.org/>\n"

# (what is wrong, the query, a phrase the hint must hold, the corrected query)
MISTAKES = [
    (
        "missing object",
        EX + "SELECT * WHERE { ?s ex:p }",
        "the triple pattern '?s ex:p' has no object",
        EX + "SELECT * WHERE { ?s ex:p ?o }",
    ),
    (
        "missing object before a dot",
        EX + "SELECT * WHERE {\n  ?s ex:p .\n  ?s ?p ?o\n}",
        "the triple pattern '?s ex:p' has no object",
        EX + "SELECT * WHERE {\n  ?s ex:p ?x .\n  ?s ?p ?o\n}",
    ),
    (
        "missing object after a semicolon",
        EX + "SELECT * WHERE { ?s ex:p ?o ; ex:q }",
        "the triple pattern 'ex:q' has no object",
        EX + "SELECT * WHERE { ?s ex:p ?o ; ex:q ?v }",
    ),
    (
        "missing dot",
        EX + "SELECT * WHERE {\n  ?s ex:p ?o\n  ?s ex:q ?v\n}",
        "no '.' after the triple pattern '?s ex:p ?o'",
        EX + "SELECT * WHERE {\n  ?s ex:p ?o .\n  ?s ex:q ?v\n}",
    ),
    (
        "undeclared prefix",
        "SELECT * WHERE { ?s wdt:P31 ?o }",  # not one of the predeclared prefixes
        "the prefix 'wdt:' is not declared: add PREFIX wdt:",
        "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\nSELECT * WHERE { ?s wdt:P31 ?o }",
    ),
    (
        "unclosed brace",
        EX + "SELECT * WHERE { { ?s ex:p ?o }",
        "2 '{' opened but 1 closed",
        EX + "SELECT * WHERE { { ?s ex:p ?o } }",
    ),
    (
        "one brace too many",
        EX + "SELECT * WHERE { ?s ex:p ?o } }",
        "1 '{' opened but 2 closed",
        EX + "SELECT * WHERE { ?s ex:p ?o }",
    ),
    (
        "unclosed parenthesis",
        EX + "SELECT * WHERE { ?s ex:p ?o FILTER(STRLEN(?o) > 3 }",
        "2 '(' opened but 1 closed",
        EX + "SELECT * WHERE { ?s ex:p ?o FILTER(STRLEN(?o) > 3) }",
    ),
]


@pytest.fixture(scope="module")
def client(protocol_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=protocol_url, timeout=30) as c:
        yield c


@pytest.mark.server
@pytest.mark.parametrize(("mistake", "query", "hint", "corrected"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_the_hint_names_the_mistake(client: httpx.Client, mistake: str, query: str, hint: str, corrected: str) -> None:
    response = client.get("sparql", params={"query": query})
    assert response.status_code == 400, response.text
    assert response.text.startswith("malformed query: ") and "error at " in response.text
    hints = [line.strip() for line in response.text.splitlines() if line.strip().startswith("hint: ")]
    assert any(hint in h for h in hints), response.text
    assert len(hints) == 1, response.text  # one mistake, one hint: no noise
    assert client.get("sparql", params={"query": corrected}).status_code == 200


@pytest.mark.server
def test_a_valid_prefix_and_balanced_query_with_another_mistake_gets_no_misleading_hint(client: httpx.Client) -> None:
    response = client.get("sparql", params={"query": EX + "SELECT ?s, ?o WHERE { ?s ex:p ?o }"})
    assert response.status_code == 400
    assert "hint:" not in response.text


@pytest.mark.server
def test_a_predeclared_prefix_is_never_hinted_as_undeclared(client: httpx.Client) -> None:
    """The endpoint predeclares the project prefixes (gcm:, rdfs: …): a query may use them bare,
    so its real mistake is the only hint."""
    response = client.get("sparql", params={"query": "SELECT * WHERE { ?s rdfs:label ?o ?s gcm:text ?t }"})
    assert response.status_code == 400
    hints = [line.strip() for line in response.text.splitlines() if line.strip().startswith("hint: ")]
    assert hints and not any("not declared" in h for h in hints), response.text
    assert any("no '.' after the triple pattern" in h for h in hints), response.text

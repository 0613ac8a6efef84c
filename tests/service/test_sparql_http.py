"""HTTP behaviour around the endpoint: cache validators, 304, CORS, error bodies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

QUERY = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


@pytest.fixture(scope="module")
def client(protocol_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=protocol_url, timeout=30) as c:
        yield c


@pytest.mark.server
def test_get_answers_carry_validators_and_revalidate_to_304(client: httpx.Client) -> None:
    first = client.get("sparql", params={"query": QUERY})
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    assert "accept" in first.headers["vary"].lower()
    assert first.headers["last-modified"].endswith("GMT")
    again = client.get("sparql", params={"query": QUERY}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    since = client.get("sparql", params={"query": QUERY}, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    # another representation or another query is another entity
    csv = client.get("sparql", params={"query": QUERY}, headers={"Accept": "text/csv"})
    assert csv.headers["etag"] != etag
    other = client.get("sparql", params={"query": QUERY + " LIMIT 1"})
    assert other.headers["etag"] != etag
    stale = client.get("sparql", params={"query": QUERY}, headers={"If-None-Match": 'W/"another-release-x"'})
    assert stale.status_code == 200 and stale.content == first.content


@pytest.mark.server
def test_errors_and_posts_are_not_given_validators(client: httpx.Client) -> None:
    bad = client.get("sparql", params={"query": "SELECT * {"})
    assert bad.status_code == 400 and "etag" not in bad.headers
    post = client.post("sparql", data={"query": QUERY})
    assert post.status_code == 200 and "etag" not in post.headers


@pytest.mark.server
def test_cors(client: httpx.Client) -> None:
    simple = client.get("sparql", params={"query": QUERY}, headers={"Origin": "https://example.org"})
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "etag" in simple.headers["access-control-expose-headers"].lower()
    preflight = client.options(
        "sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-max-age"] == "86400"


@pytest.mark.server
def test_cors_headers_follow_the_origin_and_replays_get_them_too(client: httpx.Client) -> None:
    """The same answer, replayed (:mod:`gcmkg.service.replay`), gets CORS headers only when the
    request names an Origin, and says in Vary that it depends on it, beside Accept."""
    params = {"query": QUERY + " LIMIT 2"}
    for _ in range(2):  # computed, then replayed
        plain = client.get("sparql", params=params)
        crossing = client.get("sparql", params=params, headers={"Origin": "https://example.org"})
        assert plain.status_code == crossing.status_code == 200 and plain.content == crossing.content
        assert "access-control-allow-origin" not in plain.headers
        assert crossing.headers["access-control-allow-origin"] == "*"
        for answer in (plain, crossing):
            vary = [v.strip().lower() for v in answer.headers["vary"].split(",")]
            assert "origin" in vary and "accept" in vary and vary.count("origin") == 1


@pytest.mark.server
def test_a_preflight_for_what_is_not_allowed_is_refused_naming_it(client: httpx.Client) -> None:
    asked = {"Origin": "https://example.org", "Access-Control-Request-Method": "PUT"}
    method = client.options("sparql", headers=asked)
    assert method.status_code == 400 and "method PUT" in method.text
    asked = {**asked, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-secret, accept"}
    header = client.options("sparql", headers=asked)
    assert header.status_code == 400 and "x-secret" in header.text and "accept," not in header.text


@pytest.mark.server
def test_head_is_get_without_a_body(client: httpx.Client) -> None:
    head = client.head("sparql", params={"query": QUERY})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"].startswith("application/sparql-results+json")


@pytest.mark.server
def test_protocol_misuse_gets_a_message_saying_what_to_send(client: httpx.Client) -> None:
    two = client.get("sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert two.status_code == 400 and "exactly one 'query'" in two.text
    empty_form = client.post("sparql", data={"format": "json"})
    assert empty_form.status_code == 400 and "query=" in empty_form.text
    both = client.post(
        "sparql?query=ASK%7B%7D", content=b"ASK {}", headers={"Content-Type": "application/sparql-query"}
    )
    assert both.status_code == 400
    wrong = client.post("sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert wrong.status_code == 415 and "application/sparql-query" in wrong.text
    latin = client.post(
        "sparql", content='ASK { ?s ?p "é" }'.encode("latin-1"), headers={"Content-Type": "application/sparql-query"}
    )
    assert latin.status_code == 400 and "UTF-8" in latin.text


@pytest.mark.server
def test_openapi_documents_the_endpoint(client: httpx.Client) -> None:
    spec = client.get("openapi.json").json()
    operations = spec["paths"]["/sparql"]
    assert {"get", "post"} <= set(operations)
    names = {p["name"] for p in operations["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri", "format"} <= names
    assert set(operations["post"]["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded",
        "application/sparql-query",
    }


def test_a_server_fault_is_a_logged_500_that_reveals_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A bug in a handler: 500 with an incident id, the traceback in the log, never in the body."""
    from fastapi.testclient import TestClient

    from gcmkg.service.app import create_app
    from gcmkg.settings import load_settings
    from tests.service.conftest import protocol_build

    base = "http://127.0.0.1:9/"
    protocol_build(tmp_path, base)
    app = create_app(load_settings(base_iri=base, build_dir=tmp_path))

    def broken() -> None:
        raise RuntimeError("secret internal detail at /srv/something")

    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken")
        assert response.status_code == 500
        assert "internal server error (logged as" in response.text
        assert "secret" not in response.text and "Traceback" not in response.text
        incident = response.text.split("logged as ")[1].split(")")[0]
        assert any(incident in r.getMessage() and r.exc_info for r in caplog.records)
        ok = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})  # and the service goes on
        assert ok.status_code == 200 and ok.json()["boolean"] is True

"""Every W3C negative-syntax query is answered 400 with the parser's message and position.

All 81 files of ``tests/conformance/sparql-syntax-negative`` (vendored W3C files), each sent three ways
(GET, URL-encoded POST, direct POST).  pyoxigraph alone accepts one of them
(``syn-bad-26``, ``FILTER (?x<?a&&?b>?y)``: the grammar's longest-match tokenization makes
``<?a&&?b>`` an IRI); the endpoint parses the text the grammar's way first
(:func:`gcmkg.service.screening.masked_iris`), so it is refused too.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gcmkg.settings import PROJECT_ROOT

NEGATIVE = Path(__file__).resolve().parents[1] / "conformance" / "sparql-syntax-negative"
FILES = sorted(NEGATIVE.glob("*.rq"))
POSITION = re.compile(r"error at (\d+):(\d+)")


@pytest.fixture(scope="module")
def client(protocol_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=protocol_url, timeout=30) as c:
        yield c


def test_the_suite_is_complete() -> None:
    assert len(FILES) == 81


def send(client: httpx.Client, method: str, query: str) -> httpx.Response:
    if method == "GET":
        return client.get("sparql", params={"query": query})
    if method == "POST-form":
        return client.post("sparql", data={"query": query})
    return client.post("sparql", content=query.encode("utf-8"), headers={"Content-Type": "application/sparql-query"})


@pytest.mark.server
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_malformed_query_gets_400_with_message_and_position(client: httpx.Client, path: Path) -> None:
    query = path.read_text(encoding="utf-8")
    for method in ("GET", "POST-form", "POST-direct"):
        response = send(client, method, query)
        assert response.status_code == 400, (method, response.status_code, response.text)
        assert response.headers["content-type"].startswith("text/plain")
        body = response.text
        assert body.startswith("malformed query: "), body
        match = POSITION.search(body)
        assert match, body
        line, column = int(match.group(1)), int(match.group(2))
        assert 1 <= line <= len(query.splitlines()) + 1
        assert column >= 1
        assert "Traceback" not in body  # and no path of the machine it runs on
        assert str(PROJECT_ROOT) not in body and tempfile.gettempdir() not in body


@pytest.mark.server
def test_the_message_points_at_the_error(client: httpx.Client) -> None:
    query = "PREFIX ex: <http://example.org/>\nSELECT ?x WHERE {\n  ?x ex:p ?y .\n  ?y ex:q ] \n}"
    response = send(client, "GET", query)
    assert response.status_code == 400
    assert "error at 4:11" in response.text
    lines = response.text.splitlines()
    shown = lines.index("  line 4:   ?y ex:q ] ")  # the offending line, with a caret under column 11
    assert lines[shown + 1] == " " * len("  line 4: ") + " " * 10 + "^"
    assert lines[shown][len("  line 4: ") + 10] == "]"


@pytest.mark.server
def test_the_grammar_tokenization_case_is_refused_with_a_hint(client: httpx.Client) -> None:
    query = (NEGATIVE / "sparql10__syntax-sparql3__syn-bad-26.rq").read_text(encoding="utf-8")
    response = send(client, "GET", query)
    assert response.status_code == 400
    assert "<?a&&?b>" in response.text and "as an IRI" in response.text
    # ... while the same comparison written with spaces is a valid query
    ok = send(client, "GET", query.replace("?x<?a&&?b>?y", "?x < ?a && ?b > ?y"))
    assert ok.status_code == 200, ok.text

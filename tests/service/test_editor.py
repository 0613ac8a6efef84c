"""The /sparql editor over HTTP (real server): its vendored files, its page, its completion data.

The browser side (a real headless Chromium) is ``test_editor_browser.py``.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import VOID

from gcmkg.iris import prefixes_for
from gcmkg.service.saved_query_files import load_catalog
from gcmkg.settings import Settings

pytestmark = pytest.mark.server

STATIC = Path(__file__).resolve().parents[2] / "src" / "gcmkg" / "service" / "static"


def _page(service_url: str) -> str:
    response = httpx.get(service_url + "sparql", headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    return response.text


def _vendored() -> dict[str, str]:
    """file -> sha256, as static/yasgui/VENDORED.md records them."""
    note = (STATIC / "yasgui" / "VENDORED.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| (yasgui\.min\.\w+) \| ([0-9a-f]{64}) \|$", note, re.MULTILINE))


def test_the_page_loads_yasgui_from_the_service_with_the_recorded_checksums(service_url: str) -> None:
    page = _page(service_url)
    urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert {u.rsplit("/", 1)[-1] for u in urls} >= {"yasgui.min.js", "yasgui.min.css", "editor.js", "editor.css"}
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', page)  # nothing from elsewhere
    recorded = _vendored()
    assert set(recorded) == {"yasgui.min.js", "yasgui.min.css"}
    for url in urls:
        response = httpx.get(service_url + url.lstrip("/"), timeout=30)
        assert response.status_code == 200, url
        digest = hashlib.sha256(response.content).hexdigest()
        assert url.split("/")[2] == digest[:16]  # /static/{digest}/{path}
        name = url.rsplit("/", 1)[-1]
        if name in recorded:
            assert digest == recorded[name], name
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["content-type"].startswith(("text/javascript", "text/css"))
        again = httpx.get(service_url + url.lstrip("/"), headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304


def test_a_static_file_under_another_digest_or_name_is_404(service_url: str) -> None:
    url = re.findall(r'src="(/static/[^"]+yasgui\.min\.js)"', _page(service_url))[0]
    wrong = url.replace(url.split("/")[2], "0" * 16)
    assert httpx.get(service_url + wrong.lstrip("/")).status_code == 404
    assert httpx.get(service_url + url.lstrip("/").replace("yasgui.min.js", "VENDORED.md")).status_code == 404
    assert httpx.get(service_url + url.lstrip("/").replace("yasgui.min.js", "..%2F..%2Fapp.py")).status_code == 404


def test_every_saved_query_is_an_example_on_the_page(service_url: str, service_settings: Settings) -> None:
    page = _page(service_url)
    saved = load_catalog(service_settings.queries_dir)
    listed = re.findall(r'data-name="([^"]+)" class="saved-example">([^<]+)</a>', page)
    assert [name for name, _ in listed] == list(saved)
    for name, title in listed:
        assert html.unescape(title) == saved[name].summary


def test_completions_are_this_endpoint_s_own_data(service_url: str) -> None:
    response = httpx.get(service_url + "sparql/completions", timeout=60)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    data = response.json()
    assert data["release"] == httpx.get(service_url + "health").json()["release"]
    assert data["prefixes"] == prefixes_for(service_url)
    void = Graph().parse(data=httpx.get(service_url + "dataset?format=nt").text, format="nt")
    dataset = URIRef(service_url + "dataset")
    classes = {
        str(void.value(p, VOID["class"])): int(void.value(p, VOID.entities))
        for p in void.objects(dataset, VOID.classPartition)
    }  # type: ignore[arg-type]
    assert {c["iri"]: c["entities"] for c in data["classes"]} == classes
    properties = {str(void.value(p, VOID.property)) for p in void.objects(dataset, VOID.propertyPartition)}
    assert {p["iri"] for p in data["properties"]} == properties
    labels = {r["iri"]: r["label"] for r in data["resources"]}
    assert labels[service_url + "id/a-73-l-66"] == "A/73/L.66"
    assert labels[service_url + "ontology#Objective"] == "Objective"
    assert next(c for c in data["classes"] if c["iri"].endswith("#Objective"))["label"] == "Objective"
    assert (
        response.headers["etag"]
        and httpx.get(
            service_url + "sparql/completions", headers={"If-None-Match": response.headers["etag"]}
        ).status_code
        == 304
    )

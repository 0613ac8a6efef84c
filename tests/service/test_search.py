"""``/search`` on the real server: the page and the JSON, counterparts, paging, refusals, fuzz, live switch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gcmkg import search
from gcmkg.releases import switch_current
from gcmkg.settings import Settings
from gcmkg.store import GraphStore
from tests.service.conftest import Server, free_port, start_server, stop_server
from tests.service.test_fuzz import assert_plain, exchange, request_bytes
from tests.service.test_serving import FOLLOW, copy_release, wait_for

pytestmark = pytest.mark.server

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # as a browser asks
FINAL = "a-73-l-66"
SWEDISH = "gcm-agreed-outcome-2018-07-13"


def find(url: str, **params: str | int) -> httpx.Response:
    return httpx.get(url + "search", params={"format": "json", **params}, timeout=30)


def test_a_swedish_hit_shows_its_english_translation(service_url: str) -> None:
    answer = find(service_url, q="arbetskraftsinvandring")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["total"] == 1
    hit = body["hits"][0]
    assert hit["iri"] == service_url + f"id/{SWEDISH}/sv/annex/para/2"
    assert hit["href"] == f"/id/{SWEDISH}/sv/annex/para/2"
    assert "<mark>arbetskraftsinvandring</mark>" in hit["snippet"]
    assert [(c["relation"], c["iri"], c["language"]) for c in hit["counterparts"]] == [
        ("translation", service_url + f"id/{FINAL}/en/annex/para/2", "en")
    ]
    assert "labour migration" in hit["counterparts"][0]["text"]


def test_a_final_text_hit_shows_its_swedish_text_and_its_draft_source(service_url: str) -> None:
    body = find(service_url, q='"transaction costs of migrant remittances"', document=FINAL).json()
    hit = body["hits"][0]
    assert hit["iri"] == service_url + f"id/{FINAL}/en/annex/para/36/a"
    relations = {c["relation"]: c for c in hit["counterparts"]}
    assert relations["translation"]["iri"] == service_url + f"id/{SWEDISH}/sv/annex/para/36/a"
    assert relations["draft source"]["iri"].startswith(service_url + "id/com-2018-168-annex/en/")


def test_arabic_is_found_however_it_is_typed(service_url: str) -> None:
    plain = find(service_url, q="عمال مهاجرين").json()
    assert plain["total"] >= 2 and {hit["language"] for hit in plain["hits"]} == {"ar"}
    assert all("<mark>" in hit["snippet"] for hit in plain["hits"])
    hamza = find(service_url, q="إحتجاز الأطفال").json()
    voweled = find(service_url, q="احْتِجَاز الأطفال").json()
    assert [h["iri"] for h in hamza["hits"]] == [h["iri"] for h in voweled["hits"]] != []


def test_filters_and_paging(service_url: str) -> None:
    first = find(service_url, q="remittances", document=FINAL, kind="Action", limit=3).json()
    assert first["filters"] == {"document": FINAL, "kind": "Action"}
    assert first["total"] > 3 and len(first["hits"]) == 3 and first["previous"] is None
    assert {(h["document"], h["kind"]) for h in first["hits"]} == {(FINAL, "Action")}
    following = httpx.get(service_url + first["next"].lstrip("/") + "&format=json", timeout=30).json()
    assert following["offset"] == 3 and following["previous"] is not None
    assert not {h["iri"] for h in first["hits"]} & {h["iri"] for h in following["hits"]}
    facets = first["facets"]
    assert {"en", "sv", "ar"} == {f["value"] for f in facets["languages"]}
    assert len(facets["objectives"]) == 23 and facets["objectives"][5]["name"].startswith("Objective 6: Facilitate")


def test_the_page_has_the_form_the_ranked_hits_and_paging_links(service_url: str) -> None:
    page = httpx.get(service_url + "search", params={"q": "remittances", "document": FINAL, "limit": 2}, headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert 'value="remittances"' in text
    assert f'<option value="{FINAL}" selected>A/73/L.66</option>' in text
    assert '<option value="Action">Action</option>' in text  # a filter is a list of names
    assert text.count('<li class="hit">') == 2 and "<mark>remittance" in text
    assert "Translation:" in text and "Draft source (Zero Draft Plus):" in text
    nxt = re.search(r'<a rel="next" href="([^"]+)"', text)
    assert nxt is not None
    second = httpx.get(service_url + nxt.group(1).replace("&amp;", "&").lstrip("/"), headers=HTML)
    assert second.status_code == 200 and '<ol class="hits" start="3">' in second.text


def test_every_page_has_a_search_box(service_url: str) -> None:
    for path in ("", "queries", "ontology", f"id/{FINAL}/en/annex/objective/6"):
        page = httpx.get(service_url + path, headers=HTML, timeout=30)
        assert page.status_code == 200, path
        assert '<form method="get" action="/search" role="search">' in page.text, path


def test_without_a_query_the_page_is_the_form_and_the_json_the_filters(service_url: str) -> None:
    page = httpx.get(service_url + "search", headers=HTML)
    assert page.status_code == 200 and "<select" in page.text and '<li class="hit">' not in page.text
    body = find(service_url).json()
    assert body["total"] == 0 and body["hits"] == [] and body["facets"]["documents"]


@pytest.mark.parametrize(
    ("params", "status", "parameter"),
    [
        ({"q": "---"}, 400, "q"),
        ({"q": '"'}, 400, "q"),
        ({"q": "migrants", "document": "no-such"}, 400, "document"),
        ({"q": "migrants", "language": "fr"}, 400, "language"),
        ({"q": "migrants", "kind": "Finding"}, 400, "kind"),
        ({"q": "migrants", "objective": "99"}, 400, "objective"),
        ({"kind": "Nonsense"}, 400, "kind"),  # checked without a query too: never silently "any"
        ({"q": "migrants " * 100}, 400, "q"),
        ({"q": "migrants", "limit": "0"}, 422, "limit"),
        ({"q": "migrants", "limit": "many"}, 422, "limit"),
        ({"q": "migrants", "offset": "-1"}, 422, "offset"),
    ],
)
def test_bad_parameters_are_4xx_naming_them(
    service_url: str, params: dict[str, str], status: int, parameter: str
) -> None:
    answer = find(service_url, **params)
    assert answer.status_code == status, answer.text
    assert parameter in answer.text
    if status == 400:
        assert answer.json()["parameter"] == parameter
        page = httpx.get(service_url + "search", params=params, headers=HTML)
        assert page.status_code == 400 and 'role="alert"' in page.text
        if params.get("q", "").strip('" '):  # the form still filled with what was sent
            assert f'name="q" value="{params["q"]}"' in page.text


def test_a_format_it_cannot_give_is_406(service_url: str) -> None:
    assert find(service_url, q="migrants", format="turtle").status_code == 406
    assert httpx.get(service_url + "search", params={"q": "x"}, headers={"Accept": "text/turtle"}).status_code == 406


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    q=st.text(
        alphabet=st.sampled_from(list("\"\\:()*-+^~[]{}!?<>&;' AND OR NOT migrant عمال الهِجرة å\x00\u0640")),
        max_size=40,
    ),
    field=st.sampled_from(["q", "language", "document", "kind", "objective", "limit", "offset", "format"]),
)
def test_no_query_text_or_parameter_gets_a_5xx(service_url: str, q: str, field: str) -> None:
    target = b"/search?" + field.encode() + b"=" + quote(q).encode() + (b"&q=x" if field != "q" else b"")
    answer = exchange(service_url, request_bytes("GET", target, [(b"Accept", b"application/json")]))
    assert_plain(answer, target)
    assert answer.status in (200, 400, 406, 422), (answer.status, target)


@pytest.mark.parametrize("raw", [b"%C3", b"%00", b"%FF%FE", b"%22%22%22", b"%EF%BF%BF", b"a%2", b"%D8%A7" * 300])
def test_raw_bytes_in_the_query_are_never_a_5xx(service_url: str, raw: bytes) -> None:
    for accept in (b"application/json", b"text/html"):
        answer = exchange(service_url, request_bytes("GET", b"/search?q=" + raw, [(b"Accept", accept)]))
        assert_plain(answer, raw)


# a live release switch switches the index ------------------------------------------------------


@pytest.fixture
def switching(service_build: Settings, tmp_path: Path) -> Iterator[tuple[Server, Path, Path]]:
    build_dir = tmp_path / "build"
    (build_dir / "releases").mkdir(parents=True)
    source = (service_build.build_dir / "current").resolve()
    switch_current(build_dir, copy_release(build_dir, source, "r1"))
    server = start_server(build_dir, service_build.base_iri, free_port(), tmp_path / "serve.log", FOLLOW)
    yield server, build_dir, source
    stop_server(server)


def test_a_live_release_switch_switches_the_index(
    switching: tuple[Server, Path, Path], service_build: Settings
) -> None:
    server, build_dir, source = switching
    before = find(server.url, q="remittances").json()
    assert before["total"] > 10 and {hit["language"] for hit in before["hits"]} != {"sv"}
    second = copy_release(build_dir, source, "r2")
    # r2's index holds the Swedish provisions only: its answers cannot be mistaken for r1's
    store = GraphStore.open_read_only(second / "store", service_build.base_iri)
    entries, facets = search.entries(store)
    del store
    search.write_index(second / search.INDEX_FOLDER, [e for e in entries if e.language == "sv"], facets)
    switch_current(build_dir, second)
    wait_for(server.url, "r2")
    after = find(server.url, q="remittances").json()  # an English name quoted in the Swedish text, once
    assert after["total"] < before["total"] and {hit["language"] for hit in after["hits"]} == {"sv"}
    swedish = find(server.url, q="penningöverföring").json()
    assert swedish["total"] > 0 and {hit["language"] for hit in swedish["hits"]} == {"sv"}

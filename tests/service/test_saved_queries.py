"""Saved queries over HTTP against the real server: listing, running in JSON and CSV, 422s, OpenAPI."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator

import httpx
import pytest
from gcm_facts import SAVED_QUERY_EXAMPLES

from gcmkg.service.saved_query_files import SavedQuery
from gcmkg.settings import Settings
from gcmkg.store import GraphStore
from tests.service.conftest import expect_wrong, wrong_on

pytestmark = pytest.mark.server

FINAL = "id/a-73-l-66/en"


@pytest.fixture(scope="module")
def client(service_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service_url, timeout=30) as client:
        yield client


def test_listing_as_json_and_html(client: httpx.Client, catalog: dict[str, SavedQuery]) -> None:
    listing = client.get("/queries", headers={"Accept": "application/json"})
    assert listing.status_code == 200
    entries = {entry["name"]: entry for entry in listing.json()}
    assert set(entries) == set(catalog)
    actions = entries["objective-actions"]
    assert actions["summary"] == "The actions of an objective"
    assert actions["params"] == [
        {
            "name": "objective",
            "type": "integer",
            "description": "Objective number (1 to 23)",
            "default": "1",
            "values": [str(n) for n in range(1, 24)],
            "required": False,
            "any": None,  # issue 11: no "any objective"; the form offers none
            "choices": None,
        },
        {  # issue 15: the Swedish text is asked by number too (its copies counted once)
            "name": "version",
            "type": "string",
            "description": "Which text: final (A/73/L.66, English) or translation (the Swedish outcome of 13 July 2018)",
            "default": "final",
            "values": ["final", "translation"],
            "required": False,
            "any": None,
            "choices": None,
        },
    ]
    assert client.get("/queries", params={"format": "json"}).json() == listing.json()

    page = client.get("/queries", headers={"Accept": "text/html"})
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert text[text.index("<main>") :].count("<form ") == len(catalog)  # the header's search box is not a query
    for name in catalog:
        assert f'action="/queries/{name}"' in text
    # a select list with the 23 objective numbers, objective 1 preselected
    select = re.search(r'<select id="objective-actions-objective" name="objective"[^>]*>(.*?)</select>', text, re.S)
    assert select is not None
    assert re.findall(r'<option value="(\d+)"', select.group(1)) == [str(n) for n in range(1, 24)]
    assert '<option value="1" selected>' in select.group(1)


def test_every_saved_query_runs_in_json_and_csv(
    client: httpx.Client, catalog: dict[str, SavedQuery], graph_store: GraphStore, backend: str
) -> None:
    counts = {}
    for name, query in catalog.items():
        if name in wrong_on(backend):
            continue  # a strict xfail in test_remote_backend
        example = SAVED_QUERY_EXAMPLES.get(name, {})
        expected = graph_store.select(query.text, substitutions=query.bind(example, graph_store.base_iri))
        answer = client.get(f"/queries/{name}", params=example, headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200, (name, answer.text[:300])
        assert answer.headers["content-type"].startswith("application/sparql-results+json")
        results = answer.json()
        assert len(results["results"]["bindings"]) == len(expected), name
        variables = results["head"]["vars"]
        for param in query.params:
            assert param.name in variables, (name, param.name)
        table = client.get(f"/queries/{name}", params={**example, "format": "csv"})
        assert table.status_code == 200, name
        assert table.headers["content-type"].startswith("text/csv")
        assert f'filename="{name}.csv"' in table.headers.get("content-disposition", "")
        rows = list(csv.reader(io.StringIO(table.text)))
        assert rows[0] == variables, name
        assert len(rows) - 1 == len(expected), name
        counts[name] = len(expected)
    print("\nsaved queries (rows with their defaults): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    assert len(counts) + len(wrong_on(backend)) == len(catalog)


def test_parameters_are_bound(client: httpx.Client, service_settings: Settings) -> None:
    actions = client.get("/queries/objective-actions", params={"objective": "22", "format": "json"}).json()
    bindings = actions["results"]["bindings"]
    assert [b["letter"]["value"] for b in bindings] == ["a", "b", "c"]
    assert bindings[0]["action"]["value"] == service_settings.base_iri + f"{FINAL}/annex/para/38/a"
    assert {b["objective"]["value"] for b in bindings} == {"22"}
    search = client.get("/queries/search", params={"phrase": "Marrakech", "format": "json"}).json()
    found = {b["provision"]["value"] for b in search["results"]["bindings"]}
    assert service_settings.base_iri + f"{FINAL}/resolution/para/1" in found
    # a value that looks like SPARQL is only ever a string to look for
    injected = client.get("/queries/search", params={"phrase": '") } DELETE WHERE { ?s ?p ?o } #', "format": "json"})
    assert injected.status_code == 200
    assert injected.json()["results"]["bindings"] == []


@pytest.mark.parametrize(
    ("name", "params", "culprit"),
    [
        ("objective-actions", {"objective": "24"}, "objective"),
        ("objective-actions", {"objective": "seven"}, "objective"),
        ("objective-overview", {"objective": "0"}, "objective"),
        ("provision-text", {"provision": "not an iri at all"}, "provision"),
        ("provision-text", {"provision": "http://x/<script>"}, "provision"),
        ("section-paragraphs", {"section": "Annex"}, "section"),
        ("provision-sources", {"kind": "Finding"}, "kind"),
        ("footnotes", {"document": "id/no-such-document/en"}, "document"),
    ],
)
def test_a_bad_parameter_is_422_naming_it(
    client: httpx.Client, name: str, params: dict[str, str], culprit: str
) -> None:
    answer = client.get(f"/queries/{name}", params={**params, "format": "json"})
    assert answer.status_code == 422, answer.text
    problems = answer.json()["detail"]
    assert [p["loc"] for p in problems] == [["query", culprit]]
    assert problems[0]["msg"]


def test_a_missing_parameter_is_422_naming_it(client: httpx.Client) -> None:
    for params in ({}, {"phrase": ""}, {"phrase": "   "}):
        answer = client.get("/queries/search", params={**params, "format": "json"})
        assert answer.status_code == 422, (params, answer.text)
        problems = answer.json()["detail"]
        assert [p["loc"] for p in problems] == [["query", "phrase"]]
        assert problems[0]["msg"]


def test_unknown_query_is_404(client: httpx.Client) -> None:
    answer = client.get("/queries/no-such-query")
    assert answer.status_code == 404
    assert "objective-actions" in answer.text


def test_html_results_show_labels_links_and_downloads(client: httpx.Client) -> None:
    answer = client.get("/queries/objective-actions", params={"objective": "1"}, headers={"Accept": "text/html"})
    assert answer.status_code == 200
    page = html.unescape(answer.text)
    assert "Results (11 rows)" in page
    assert f'<a href="/{FINAL}/annex/para/17/a"' in page
    assert ">Action 17 (a)</a>" in page
    assert "Elaborate and implement a comprehensive strategy for improving migration data" in page
    assert (
        'href="/queries/objective-actions?objective=1&version=final&format=csv"' in page
    )  # the defaults, issue 15's version too
    assert 'href="/queries/objective-actions?objective=1&version=final&format=json"' in page
    assert client.get("/queries/objective-actions?objective=1&format=csv").status_code == 200


def test_the_query_text_is_served(client: httpx.Client, catalog: dict[str, SavedQuery], service_url: str) -> None:
    answer = client.get("/queries/objectives", params={"format": "sparql"})
    assert answer.status_code == 200
    # the file's text with its one relative IRI, <ontology#>, made absolute (issue 12: any engine can run it)
    assert answer.text == catalog["objectives"].text.replace("<ontology#>", f"<{service_url}ontology#>")


def test_openapi_lists_every_saved_query_with_typed_parameters(
    client: httpx.Client, catalog: dict[str, SavedQuery]
) -> None:
    document = client.get("/openapi.json").json()
    for name, query in catalog.items():
        operation = document["paths"][f"/queries/{name}"]["get"]
        assert operation["summary"] == query.summary
        declared = {p["name"]: p for p in operation["parameters"]}
        assert set(declared) == {p.name for p in query.params} | {"format", "page", "page_size", "offsets", "bom"}, name
    objective = {p["name"]: p for p in document["paths"]["/queries/objective-actions"]["get"]["parameters"]}[
        "objective"
    ]
    schema = objective["schema"]
    options = schema.get("anyOf", [schema])
    assert any(o.get("enum") == list(range(1, 24)) and o.get("type") == "integer" for o in options), schema
    assert schema.get("default") == 1
    for path in ("/", "/id/{path}", "/ontology", "/dataset", "/queries", "/dumps/"):
        assert path in document["paths"], path


# issue 11: results for people ---------------------------------------------------------------------

ILO_NAME = "actions-citing-ilo-instruments"
ILO = f"/queries/{ILO_NAME}"


def test_spreadsheet_csv_has_names_beside_iris_and_a_bom_on_request(
    client: httpx.Client, request: pytest.FixtureRequest, backend: str
) -> None:
    expect_wrong(request, backend, ILO_NAME)
    plain = client.get(ILO, params={"format": "csv-labels"})
    assert plain.status_code == 200
    assert plain.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="actions-citing-ilo-instruments.labels.csv"' in plain.headers["content-disposition"]
    assert not plain.content.startswith(b"\xef\xbb\xbf")
    marked = client.get(ILO, params={"format": "csv-labels", "bom": "true"})
    assert marked.content == b"\xef\xbb\xbf" + plain.content
    rows = list(csv.reader(io.StringIO(plain.content.decode("utf-8"), newline="")))
    assert rows[0] == [
        "Document IRI", "Document", "Action IRI", "Action", "Instrument IRI", "Instrument",
        "Evidence", "Start (character)", "End (character)", "Cited through footnote",
    ]  # fmt: skip
    assert rows[1][3] == "Action 21 (a)" and rows[1][2].endswith(f"{FINAL}/annex/para/21/a")
    assert rows[1][5] == "International Labour Organization (ILO) standards, guidelines and principles"
    # the W3C SPARQL CSV stays as the standard says: the variables, the bare values
    w3c = list(csv.reader(io.StringIO(client.get(ILO, params={"format": "csv"}).text)))
    assert w3c[0] == [
        "document",
        "action",
        "action_label",
        "instrument",
        "instrument_label",
        "evidence",
        "start",
        "end",
        "via_footnote",
    ]
    assert len(w3c) == len(rows)


def test_xlsx_holds_the_same_table(
    client: httpx.Client, request: pytest.FixtureRequest, backend: str
) -> None:
    expect_wrong(request, backend, ILO_NAME)
    import openpyxl

    answer = client.get(ILO, params={"format": "xlsx", "document": "any"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True).active
    cells = [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]
    expected = list(csv.reader(io.StringIO(client.get(ILO, params={"format": "csv-labels", "document": "any"}).text)))
    assert cells == expected and len(cells) == 9


def test_a_browser_gets_the_form_back_for_a_bad_value(client: httpx.Client) -> None:
    for params, culprit in (
        ({"document": "id/nowhere"}, "document"),
        ({"page": "0"}, "page"),
        ({"bom": "maybe"}, "bom"),
    ):
        page = client.get(ILO, params=params, headers={"Accept": "text/html"})
        assert page.status_code == 400, params
        assert page.headers["content-type"].startswith("text/html")
        assert f"(<code>{culprit}</code>)" in page.text and "It accepts" in page.text
        assert client.get(ILO, params={**params, "format": "json"}).json()["detail"][0]["loc"] == ["query", culprit]
    page = html.unescape(client.get(ILO, params={"document": "id/nowhere"}, headers={"Accept": "text/html"}).text)
    assert '<option value="id/nowhere" selected>id/nowhere (not accepted)</option>' in page
    # a required value left out, which FastAPI refuses before the query's own check
    missing = client.get("/queries/search", headers={"Accept": "text/html"})
    assert missing.status_code == 400 and missing.headers["content-type"].startswith("text/html")
    assert "(<code>phrase</code>): is required" in missing.text
    assert client.get("/queries/search", headers={"Accept": "application/json"}).status_code == 422


def test_tables_name_columns_and_hide_offsets_unless_asked(
    client: httpx.Client, request: pytest.FixtureRequest, backend: str
) -> None:
    expect_wrong(request, backend, ILO_NAME, "imrf-on-objective")
    page = html.unescape(client.get(ILO, headers={"Accept": "text/html"}).text)
    header = re.findall(r'<th scope="col">([^<]*)</th>', page)
    assert header == ["Action", "Text", "Instrument", "Evidence"]  # the document is the one chosen above
    assert "<mark>ILO Social Protection Floors Recommendation, 2012 (No. 202)</mark>" in page
    shown = html.unescape(client.get(ILO, params={"offsets": "true"}, headers={"Accept": "text/html"}).text)
    assert re.findall(r'<th scope="col">([^<]*)</th>', shown) == [*header, "Start (character)", "End (character)"]
    # the offsets the linkers quote inside their evidence, too
    imrf = html.unescape(client.get("/queries/imrf-on-objective", headers={"Accept": "text/html"}).text)
    assert "“basic services” = “basic services”" in imrf and "[483–497]" not in imrf
    assert "show character offsets" in imrf
    asked = html.unescape(client.get("/queries/imrf-on-objective?offsets=true", headers={"Accept": "text/html"}).text)
    assert "“basic services” [483–497]" in asked
    # the provision's text carries its language (a screen reader reads Swedish as Swedish)
    every = client.get(ILO, params={"document": "any"}, headers={"Accept": "text/html"}).text
    assert '<span lang="sv" dir="auto">Upprätta eller upprätthålla' in html.unescape(every)

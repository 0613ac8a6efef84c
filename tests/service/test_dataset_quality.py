"""The dataset page shows the linkers' figures (graph/quality) against the real server.

One row per measurement the graph holds (linker, metric, value, target, a visible "below
target" mark), the sample named; the VoID description links the dataset to each measurement
(``dqv:hasQualityMeasurement``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
import rdflib

from gcmkg.iris import sparql_prologue
from gcmkg.settings import Settings
from gcmkg.store import GraphStore

pytestmark = pytest.mark.server

DQV = rdflib.Namespace("http://www.w3.org/ns/dqv#")
FIGURES = """
SELECT ?m ?linker ?label ?value ?target ?meets ?sample WHERE { GRAPH <graph/quality> {
  ?m dqv:isMeasurementOf ?metric ; dqv:value ?value ; gcm:meetsTarget ?meets ; prov:wasDerivedFrom ?s .
  ?metric gcm:linker ?linker ; gcm:target ?target ; rdfs:label ?label .
  ?s dcterms:identifier ?sample .
} }"""


@pytest.fixture(scope="module")
def client(service_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def figures(service_settings: Settings) -> list[dict[str, str]]:
    store = GraphStore.open_read_only(service_settings.store_dir, service_settings.base_iri)
    rows = [{k: v.value for k, v in row.items()} for row in store.select(sparql_prologue() + FIGURES)]  # type: ignore[union-attr]
    assert rows, "the build published no measurement"
    return rows


def _rows(page: str) -> list[list[str]]:
    """The cells (tags stripped) of each body row of the quality table."""
    table = page[page.index('<table class="quality">') :]
    table = table[: table.index("</table>")]
    out = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        if cells:
            out.append(cells)
    return out


def test_the_dataset_page_shows_every_measurement(client: httpx.Client, figures: list[dict[str, str]]) -> None:
    page = client.get("/dataset", headers={"Accept": "text/html"})
    assert page.status_code == 200
    rows = _rows(page.text)
    assert len(rows) == len(figures)
    shown = {(cells[0], cells[1]): cells for cells in rows}
    for figure in figures:
        name = figure["label"].split(": ", 1)[1]
        cells = shown[figure["linker"], name]
        assert cells[2] == f"{float(figure['value']):.3f}"
        assert cells[4] == f"{float(figure['target']):.2f}"
        assert ("below target" in cells[5]) is (figure["meets"] == "false"), cells
        assert cells[6].startswith(f"samples/{figure['sample']}")


def test_a_release_below_target_says_so_on_the_page(client: httpx.Client, figures: list[dict[str, str]]) -> None:
    page = client.get("/dataset", headers={"Accept": "text/html"}).text
    below = [f for f in figures if f["meets"] == "false"]
    if below:
        assert f"Below target:</strong> {len(below)} of {len(figures)} figures" in page
        assert page.count('class="below-target"') == len(below)
    else:
        assert "Every figure of this release reaches its target." in page


def test_void_links_the_dataset_to_its_measurements(
    client: httpx.Client, service_settings: Settings, figures: list[dict[str, str]]
) -> None:
    answer = client.get("/dataset", headers={"Accept": "text/turtle"})
    void = rdflib.Graph().parse(data=answer.content, format="turtle", publicID=service_settings.base_iri)
    dataset = rdflib.URIRef(service_settings.base_iri + "dataset")
    assert {str(m) for m in void.objects(dataset, DQV.hasQualityMeasurement)} == {f["m"] for f in figures}
    for figure in figures[:3]:  # a measurement dereferences
        path = "/" + figure["m"][len(service_settings.base_iri) :]
        assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 200

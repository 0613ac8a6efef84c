"""The reader's pages against the real server: an objective dossier, a provision page, a document as text, citations.

Pages are parsed (html.parser) into what a reader sees — headings, links, anchors, marked
insertions and deletions — and checked against the graph the server serves.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
from pyoxigraph import NamedNode

from gcmkg.settings import Settings
from gcmkg.store import GraphStore

pytestmark = pytest.mark.server

HTML = {"Accept": "text/html"}
FINAL = "id/a-73-l-66/en"


class Page(HTMLParser):
    """What a page shows: the text inside each element kind, ids, links, and the text of <ins>/<del>."""

    def __init__(self, body: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.texts: dict[str, list[str]] = {}
        self._open: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.feed(body)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(found["id"] or "")
        if tag not in ("br", "meta", "link", "input"):
            self._open.append((tag, found, []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, attrs, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            self.texts.setdefault(name, []).append(text)
            if name == "a":
                self.links.append((attrs.get("href") or "", text))
            if self._open:
                self._open[-1][2].append("".join(parts))
            if name == tag:
                break

    def link_texts(self) -> dict[str, str]:
        """Each link target with the text of its first link (the reader's; the folded table comes last)."""
        found: dict[str, str] = {}
        for href, text in self.links:
            found.setdefault(href, text)
        return found

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)


@pytest.fixture(scope="module")
def client(service_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service_url, timeout=60) as client:
        yield client


def page(client: httpx.Client, path: str) -> Page:
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


def test_objective_dossier(client: httpx.Client) -> None:
    dossier = page(client, f"/{FINAL}/annex/objective/6")
    assert dossier.texts["h1"] == [
        "Objective 6: Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work"
    ]
    assert "A/73/L.66, annex, objective 6" in dossier.texts["code"]
    # the commitment and its twelve actions, in order, each with its Zero Draft Plus redline
    actions = [i for i in dossier.ids if i.startswith("action-")]
    assert actions == [f"action-{letter}" for letter in "abcdefghijkl"]
    assert "Sign, ratify or accede to," in dossier.texts["del"]
    assert "Promote signature" in dossier.texts["ins"]
    hrefs = dossier.link_texts()
    assert f"/{FINAL}/annex/para/22/a" in hrefs and "/id/com-2018-168-annex/en/annex/para/21/a" in hrefs
    # the Swedish text beside the English
    swedish = "/id/gcm-agreed-outcome-2018-07-13/sv/annex/para/22/a"
    assert hrefs[swedish] == "Åtgärd 22 (a)"
    assert any(t.startswith("Främja underskrift, ratificering, anslutning") for t in dossier.texts["div"])
    # the IMRF paragraphs and IOM recommendations, each with its evidence; previous and next objective
    assert "/id/imrf-progress-declaration-2022/en/annex/para/10" in hrefs
    assert hrefs["/id/imrf-progress-declaration-2022/en/annex/para/10"].startswith("Progress Declaration of the")
    evidence = [t for t in dossier.texts["p"] if t.startswith(("Review:", "Correspondence:", "Lineage:"))]
    assert any("“decent work” = “decent work” in A/73/L.66, annex, objective 6" in t for t in evidence)
    assert any(t.startswith("Correspondence:") for t in evidence)
    assert f"/{FINAL}/annex/objective/5" in hrefs and f"/{FINAL}/annex/objective/7" in hrefs
    assert "statements" in dossier.ids  # the RDF statement table, folded


def test_a_provision_page(client: httpx.Client) -> None:
    provision = page(client, f"/{FINAL}/annex/para/23/c")
    crumbs = [text for href, text in provision.links if href.startswith("/id/")][:5]
    assert crumbs == ["A/73/L.66", "Annex", "Objectives and commitments", "Objective 7", "Paragraph 23"]
    assert provision.texts["h1"] == ["Action 23 (c)"]
    assert provision.texts["code"][0] == "A/73/L.66, annex, para. 23 (c)"
    assert "copy-cite" in provision.ids and "context" in provision.ids
    hrefs = provision.link_texts()
    swedish = hrefs["/id/gcm-agreed-outcome-2018-07-13/sv/annex/para/23/c"]
    assert swedish == "Global Compact for Safe, Orderly and Regular Migration (Swedish translation), Åtgärd 23 (c)"
    assert (
        hrefs[f"/{FINAL}/annex/para/23/b"] == "Action 23 (b)" and hrefs[f"/{FINAL}/annex/para/23/d"] == "Action 23 (d)"
    )


def test_citations_are_highlighted_and_linked(client: httpx.Client, graph_store: GraphStore) -> None:
    rows = graph_store.select(
        "PREFIX gcm: <ontology#> SELECT ?p ?entity ?surface WHERE { ?m gcm:mentionIn ?p ; gcm:mentionOf ?entity ; "
        "gcm:surfaceText ?surface FILTER NOT EXISTS { ?m gcm:viaFootnote ?f } "
        "FILTER(STRSTARTS(STR(?p), STR(<id/a-73-l-66/en/annex/para/22/>))) } ORDER BY ?p LIMIT 1"
    )
    (row,) = rows
    path = "/" + row["p"].value.split("/", 3)[3]  # type: ignore[union-attr]
    body = client.get(path, headers=HTML).text
    entity = "/" + row["entity"].value.split("/", 3)[3]  # type: ignore[union-attr]
    assert f'<mark class="cite"><a href="{entity}"' in body
    assert client.get(entity, headers=HTML).status_code == 200  # the instrument or actor page


def test_a_document_reads_as_a_text(client: httpx.Client, graph_store: GraphStore, service_settings: Settings) -> None:
    for key in ("a-73-l-66/en", "iom-contribution-2017-10/ar", "imrf-progress-declaration-2022/en"):
        document = NamedNode(service_settings.base_iri + "id/" + key)
        rows = graph_store.select(
            "PREFIX gcm: <ontology#> SELECT ?d ?p WHERE { ?p gcm:inDocument ?d ; gcm:readingOrder ?o }",
            substitutions={"d": document},
        )
        expected = {row["p"].value[len(document.value) + 1 :].replace("/", "-") for row in rows}  # type: ignore[union-attr]
        text = page(client, f"/id/{key}")
        anchors = set(text.ids) & expected
        assert anchors == expected and len(expected) == len(rows), key
        linked = {href for href, _ in text.links}
        assert {f"/id/{key}/{row['p'].value[len(document.value) + 1 :]}" for row in rows} <= linked  # type: ignore[union-attr]
    final = page(client, f"/{FINAL}")
    assert final.texts["h1"] == ["A/73/L.66 (en)"]


def test_cite_redirects_to_the_provision(client: httpx.Client) -> None:
    response = client.get("/id", params={"cite": "A/73/L.66, para. 23 (c)"})
    assert response.status_code == 303 and response.headers["location"] == f"/{FINAL}/annex/para/23/c"
    followed = client.get("/id", params={"cite": "IMRF Progress Declaration para 17"}, follow_redirects=True)
    assert followed.status_code == 200 and str(followed.url).endswith(
        "/id/imrf-progress-declaration-2022/en/annex/para/17"
    )
    missing = client.get("/id", params={"cite": "A/73/L.66, para. 999"}, headers=HTML)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "No provision matches this citation" in missing.text and "A/73/L.66, para. 999" in missing.text
    assert client.get("/id").status_code == 404


def test_reader_pages_are_cached_and_conditional(client: httpx.Client) -> None:
    first = client.get(f"/{FINAL}/annex/objective/6", headers=HTML)
    etag = first.headers["etag"]
    again = client.get(f"/{FINAL}/annex/objective/6", headers={**HTML, "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag


def test_links_name_their_document_where_two_could_look_alike(client: httpx.Client, graph_store: GraphStore) -> None:
    """A lineage alignment links a final action and a draft action: each link names its document."""
    final, draft = (
        NamedNode(graph_store.base_iri + p)
        for p in (f"{FINAL}/annex/para/22/a", "id/com-2018-168-annex/en/annex/para/21/a")
    )
    rows = graph_store.select(
        "PREFIX gcm: <ontology#> SELECT ?f ?d ?a WHERE { ?a a gcm:LineageAlignment ; gcm:alignedFrom ?f ; gcm:alignedTo ?d }",
        substitutions={"f": final, "d": draft},
    )
    wanted = {"alignedFrom": f"/{FINAL}/annex/para/22/a", "alignedTo": "/id/com-2018-168-annex/en/annex/para/21/a"}
    (row,) = rows
    links = page(client, "/" + row["a"].value.split("/", 3)[3]).link_texts()  # type: ignore[union-attr]
    assert links[wanted["alignedFrom"]] == "A/73/L.66, action 22 (a)"
    assert links[wanted["alignedTo"]] == "COM(2018) 168 final, action 21 (a)"

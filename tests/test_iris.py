"""Every IRI the project mints, and the parsing back: the layout of src/gcmkg/iris.py's docstring."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode

from gcmkg.iris import PREFIXES, Iris, normlex, prefixes_for, sdg_goal, sdg_target, sparql_prologue, undocs

BASE = "http://example.org/gcm/"


@pytest.fixture
def iris() -> Iris:
    return Iris(BASE)


def test_a_base_iri_must_end_with_a_slash() -> None:
    with pytest.raises(ValueError, match="must end with '/'"):
        Iris("http://example.org/gcm")


def test_vocabulary_and_ontology(iris: Iris) -> None:
    assert iris.vocabulary == BASE + "ontology#"
    assert iris.term("Objective") == NamedNode(BASE + "ontology#Objective")
    assert iris.ontology == NamedNode(BASE + "ontology")
    assert iris.ontology_version("0.1.0") == NamedNode(BASE + "ontology/0.1.0")


def test_documents_and_provisions(iris: Iris) -> None:
    assert iris.id_space == BASE + "id/"
    assert iris.work("a-73-l-66") == NamedNode(BASE + "id/a-73-l-66")
    assert iris.compact() == NamedNode(BASE + "id/gcm")
    assert iris.document("a-73-l-66", "en") == NamedNode(BASE + "id/a-73-l-66/en")
    assert iris.source("a-73-l-66", "en") == NamedNode(BASE + "id/a-73-l-66/en/source")
    paragraph = iris.provision("a-73-l-66", "en", ("annex", "para", "17"))
    assert paragraph == NamedNode(BASE + "id/a-73-l-66/en/annex/para/17")
    assert iris.mention(paragraph, 2) == NamedNode(BASE + "id/a-73-l-66/en/annex/para/17/mention/2")
    assert iris.finding("a-73-l-66", "sv", 4) == NamedNode(BASE + "id/a-73-l-66/sv/finding/4")
    with pytest.raises(ValueError):
        iris.provision("a-73-l-66", "en", ())


def test_catalogue_and_alignments(iris: Iris) -> None:
    assert iris.instrument("ilo-c097") == NamedNode(BASE + "id/instrument/ilo-c097")
    assert iris.actor("iom") == NamedNode(BASE + "id/actor/iom")
    assert iris.alignment("translation", "p17") == NamedNode(BASE + "id/alignment/translation/p17")


def test_graphs_and_dataset(iris: Iris) -> None:
    assert iris.graph("catalogue") == NamedNode(BASE + "graph/catalogue")
    assert iris.text_graph("a-73-l-66", "en") == NamedNode(BASE + "graph/a-73-l-66-en")
    assert iris.dataset() == NamedNode(BASE + "dataset")


def test_the_service_and_its_files(iris: Iris) -> None:
    assert iris.endpoint() == NamedNode(BASE + "sparql")
    assert iris.service() == NamedNode(BASE + "sparql#service")
    assert iris.endpoint_default_graph() == NamedNode(BASE + "sparql#default-graph")
    assert iris.endpoint_graph("findings") == NamedNode(BASE + "sparql#graph-findings")
    assert iris.dump("gcmkg.nq") == NamedNode(BASE + "dumps/gcmkg.nq")


def test_odd_characters_are_percent_encoded(iris: Iris) -> None:
    odd = "a b/c?d#e%f"
    encoded = "a%20b%2Fc%3Fd%23e%25f"
    assert iris.work(odd).value == BASE + f"id/{encoded}"
    assert iris.document("x", odd).value == BASE + f"id/x/{encoded}"
    assert iris.provision("x", "en", ("para", odd)).value == BASE + f"id/x/en/para/{encoded}"
    assert iris.instrument("\u00c5land\u2013\u00f6").value == BASE + "id/instrument/%C3%85land%E2%80%93%C3%B6"
    assert iris.graph(odd).value == BASE + f"graph/{encoded}"
    assert iris.endpoint_graph(odd).value == BASE + f"sparql#graph-{encoded}"
    assert iris.dump("dump one.nq").value == BASE + "dumps/dump%20one.nq"
    assert iris.ontology_version("1/2").value == BASE + "ontology/1%2F2"
    for unreserved in ("-", ".", "_", "~"):
        assert iris.work(f"a{unreserved}b").value == BASE + f"id/a{unreserved}b"


def test_a_minted_iri_is_served_at_its_path_and_back(iris: Iris) -> None:
    minted = [
        iris.provision("a-73-l-66", "en", ("annex", "para", "17", "a")),
        iris.provision("x y", "sv", ("para", "1/2")),  # encoded segments
        iris.instrument("Åland"),
        iris.graph("catalogue"),
        iris.dataset(),
        iris.ontology,
    ]
    for iri in minted:
        path = iris.path_of(iri.value)
        assert path is not None and path.startswith("/") and path[1:] == iri.value[len(BASE) :]
        assert iris.from_path(path) == iri
    assert iris.path_of("http://metadata.un.org/sdg/10.7") is None
    assert iris.path_of("http://example.org/other/id/x") is None
    assert iris.is_local(BASE + "id/x") and not iris.is_local("http://example.org/id/x")
    with pytest.raises(ValueError):
        iris.from_path("id/x")


def test_graph_names_parse_back(iris: Iris) -> None:
    for name in ("catalogue", "a-73-l-66-en", "odd name/with slash"):
        assert iris.graph_name(iris.graph(name).value) == name
    # a graph this project did not mint (the W3C protocol tests' store): its last segment
    assert iris.graph_name("http://kasei.us/2009/09/sparql/data/data1.rdf") == "data1.rdf"


def test_document_keys_parse_back(iris: Iris) -> None:
    for key, language in (("a-73-l-66", "en"), ("zero draft", "sv")):
        document = iris.document(key, language)
        assert iris.document_key(document.value) == (key, language)
        assert iris.text_graph(*iris.document_key(document.value) or ("", "")) == iris.text_graph(key, language)
    assert iris.document_key(iris.work("a-73-l-66").value) is None
    assert iris.document_key(iris.provision("a-73-l-66", "en", ("para", "1")).value) is None
    assert iris.document_key("http://elsewhere.org/id/a/en") is None


def test_prefixes_resolve_the_relative_ones_against_the_base() -> None:
    prefixes = prefixes_for(BASE)
    assert prefixes["gcm"] == BASE + "ontology#"
    assert prefixes["skos"] == PREFIXES["skos"] == "http://www.w3.org/2004/02/skos/core#"
    assert set(prefixes) == set(PREFIXES)
    assert all(ns.startswith("http") for ns in prefixes.values())
    assert "PREFIX gcm: <ontology#>\n" in sparql_prologue()


def test_external_identifiers() -> None:
    assert sdg_target(10, "c") == NamedNode("http://metadata.un.org/sdg/10.c")
    assert sdg_goal(10) == NamedNode("http://metadata.un.org/sdg/10")
    assert undocs("A/RES/71/1") == NamedNode("https://undocs.org/A/RES/71/1")
    assert normlex("C097").value.endswith("P12100_ILO_CODE:C097")

"""shapes/catalogue.ttl: the real catalogue conforms; each invalid example breaks exactly one rule.

Each invalid example is the real catalogue with one defect made by a SPARQL update, and must
give exactly the expected violation (message and focus node).
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from pyoxigraph import Store
from shacl_reference import both_engines

from gcmkg.build import ontology_graph
from gcmkg.iris import Iris
from gcmkg.linking.catalogue import Catalogue
from gcmkg.rdf import catalogue_quads
from gcmkg.settings import PROJECT_ROOT, load_settings
from gcmkg.store import GraphStore
from gcmkg.validate import shacl_violations

BASE = "http://127.0.0.1:8000/"
IRIS = Iris(BASE)
SHAPES = PROJECT_ROOT / "shapes"
ONTOLOGY = ontology_graph(load_settings(base_iri=BASE))
PREFIXES = """PREFIX gcm: <ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def catalogue_store(update: str | None = None) -> GraphStore:
    raw = Store()  # SPARQL Update is not part of the facade: edit the pyoxigraph store it wraps
    store = GraphStore(raw, BASE)
    store.add(catalogue_quads(IRIS, Catalogue.load(IRIS, PROJECT_ROOT / "catalogue").triples))
    if update:
        raw.update(PREFIXES + update, base_iri=BASE)
    return store


def found(store: GraphStore) -> set[tuple[str, str]]:
    ontology = ontology_graph(load_settings(base_iri=BASE))
    return {
        (v.focus.removeprefix(BASE), v.message.split(" (path")[0])
        for v in shacl_violations(store, PROJECT_ROOT / "shapes", ontology)
    }


def test_the_real_catalogue_conforms() -> None:
    assert found(catalogue_store()) == set()


C097 = "<id/instrument/c097>"
CASES = [
    (
        f"DELETE WHERE {{ GRAPH ?g {{ {C097} skos:prefLabel ?l }} }}",
        ("id/instrument/c097", "GCM rule: every catalogue entry is an IRI with a name (skos:prefLabel or rdfs:label)"),
    ),
    (
        f'INSERT DATA {{ GRAPH <graph/catalogue> {{ {C097} skos:prefLabel "Another name"@en }} }}',
        (
            "id/instrument/c097",
            "GCM rule: a catalogue entry has at most one preferred label per language, each language-tagged",
        ),
    ),
    (
        'INSERT DATA { GRAPH <graph/catalogue> { <id/actor/iom> gcm:abbreviation "The International Organization for Migration" } }',
        ("id/actor/iom", "GCM rule: an abbreviation is a short form (one or two words, no language tag)"),
    ),
    (
        "INSERT DATA { GRAPH <graph/catalogue> { <id/actor/iom> gcm:documentPage <ftp://example.org/iom> } }",
        ("id/actor/iom", "GCM rule: a document page is a web address"),
    ),
    (
        f'INSERT DATA {{ GRAPH <graph/catalogue> {{ {C097} gcm:adoptionYear "1950"^^xsd:gYear }} }}',
        ("id/instrument/c097", "GCM rule: an instrument has at most one adoption year, an xsd:gYear"),
    ),
    (
        f'DELETE DATA {{ GRAPH <graph/catalogue> {{ {C097} gcm:code "C097" }} }};'
        f'INSERT DATA {{ GRAPH <graph/catalogue> {{ {C097} gcm:code "C97" }} }}',
        ("id/instrument/c097", "GCM rule: an ILO convention has one code, C and three digits (C097)"),
    ),
    (
        'DELETE DATA { GRAPH <graph/catalogue> { <id/instrument/r202> gcm:code "R202" } }',
        ("id/instrument/r202", "GCM rule: an ILO recommendation has one code, R and three digits (R202)"),
    ),
    (
        f"DELETE WHERE {{ GRAPH ?g {{ {C097} gcm:instrumentNumber ?n }} }}",
        ("id/instrument/c097", "GCM rule: an ILO convention or recommendation has one number"),
    ),
    (
        f"DELETE WHERE {{ GRAPH ?g {{ {C097} gcm:adoptionYear ?y }} }}",
        ("id/instrument/c097", "GCM rule: an ILO convention or recommendation has its adoption year"),
    ),
    (
        f"DELETE WHERE {{ GRAPH ?g {{ {C097} gcm:documentPage ?p }} }};"
        f"INSERT DATA {{ GRAPH <graph/catalogue> {{ {C097} gcm:documentPage <https://www.ilo.org/> }} }}",
        ("id/instrument/c097", "GCM rule: an ILO convention or recommendation links to its NORMLEX page"),
    ),
    (
        "DELETE WHERE { GRAPH ?g { <id/instrument/smuggling-protocol> gcm:supplements ?c } }",
        (
            "id/instrument/smuggling-protocol",
            "GCM rule: a UNTOC protocol supplements the United Nations Convention against Transnational Organized Crime",
        ),
    ),
    (
        'INSERT DATA { GRAPH <graph/catalogue> { <id/instrument/sdg-10-c> a gcm:SDGTarget ; skos:prefLabel "10.c"@en ;'
        ' skos:notation "10.c" ; gcm:goal <http://metadata.un.org/sdg/10> } }',
        (
            "id/instrument/sdg-10-c",
            "GCM rule: an SDG target is its UN identifier http://metadata.un.org/sdg/{goal}.{target}",
        ),
    ),
    (
        "DELETE WHERE { GRAPH ?g { <http://metadata.un.org/sdg/10.c> gcm:goal ?goal } }",
        ("http://metadata.un.org/sdg/10.c", "GCM rule: an SDG target belongs to exactly one SDG goal"),
    ),
    (
        "DELETE WHERE { GRAPH ?g { <http://metadata.un.org/sdg/10.c> skos:notation ?n } }",
        ("http://metadata.un.org/sdg/10.c", "GCM rule: an SDG target has its number as notation, e.g. 10.c"),
    ),
    (
        "DELETE WHERE { GRAPH ?g { <http://metadata.un.org/sdg/4.b> gcm:goal ?goal } };"
        "INSERT DATA { GRAPH <graph/catalogue> { <http://metadata.un.org/sdg/4.b> gcm:goal <http://metadata.un.org/sdg/10> } }",
        (
            "http://metadata.un.org/sdg/4.b",
            "GCM rule: an SDG target belongs to the goal its number names (10.c to goal 10)",
        ),
    ),
    (
        "INSERT DATA { GRAPH <graph/catalogue> { <http://metadata.un.org/sdg/goal-10> a gcm:SDGGoal ;"
        ' skos:prefLabel "Goal 10"@en ; skos:notation "10" } }',
        (
            "http://metadata.un.org/sdg/goal-10",
            "GCM rule: an SDG goal is its UN identifier http://metadata.un.org/sdg/{goal}",
        ),
    ),
    (
        'DELETE DATA { GRAPH <graph/catalogue> { <http://metadata.un.org/sdg/4> skos:notation "4" } };'
        'INSERT DATA { GRAPH <graph/catalogue> { <http://metadata.un.org/sdg/4> skos:notation "Goal 4" } }',
        ("http://metadata.un.org/sdg/4", "GCM rule: an SDG goal has its number (1 to 17) as notation"),
    ),
    (
        'DELETE DATA { GRAPH <graph/catalogue> { <id/instrument/a-res-71-1> gcm:symbol "A/RES/71/1" } }',
        ("id/instrument/a-res-71-1", "GCM rule: a General Assembly resolution has its symbol, e.g. A/RES/71/1"),
    ),
    (
        "DELETE WHERE { GRAPH ?g { <id/instrument/a-res-71-1> gcm:documentPage ?p } }",
        ("id/instrument/a-res-71-1", "GCM rule: a General Assembly resolution links to its undocs.org page"),
    ),
]


@pytest.mark.parametrize(("update", "expected"), CASES, ids=[case[1][1][11:60] for case in CASES])
def test_each_invalid_example_breaks_exactly_its_rule(update: str, expected: tuple[str, str]) -> None:
    assert found(catalogue_store(update)) == {expected}


def test_every_catalogue_rule_has_an_invalid_example() -> None:
    text = (PROJECT_ROOT / "shapes" / "catalogue.ttl").read_text(encoding="utf-8")

    messages = set(re.findall(r'sh:message "(GCM rule: [^"]+)"', text))
    assert messages == {message for _, (_, message) in CASES}


def test_both_engines_agree_on_the_real_catalogue() -> None:
    assert both_engines(catalogue_store(), SHAPES, ONTOLOGY) == Counter()


@pytest.mark.parametrize(("update", "expected"), CASES, ids=[case[1][1][11:60] for case in CASES])
def test_both_engines_agree_on_each_invalid_example(update: str, expected: tuple[str, str]) -> None:
    """The compiled engine (gcmkg.shacl) gives pyshacl's violations, messages and blank shapes included."""
    found = both_engines(catalogue_store(update), SHAPES, ONTOLOGY)
    assert {(focus.removeprefix(BASE), message.split(" (path")[0]) for _, focus, _, message in found} == {expected}

"""What the endpoint publishes for editors and crawlers, and the prefixes it predeclares (real server).

* VoID class and property partitions: their counts equal counts computed here by SPARQL;
* SPARQL examples: one ``sh:SPARQLExecutable`` per saved query, each runs, each parameterless one
  gives the rows its saved query gives; linked from and included in the service description;
* prefixes: predeclared on the endpoint and on the command line, identically, a query's own
  ``PREFIX`` winning, parser positions unchanged; declared as ``sh:declare`` in the description;
* saved-query text (``?format=sparql``) has absolute IRIs and runs on another engine (a plain
  pyoxigraph store loaded from the dump, with no base IRI) with the rows the service gives.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import httpx
import pytest
from pyoxigraph import QuerySolutions, RdfFormat, Store, Variable
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID

from gcmkg.iris import Iris, prefixes_for
from gcmkg.service.saved_query_files import load_catalog
from gcmkg.service.screening import tokens
from gcmkg.settings import Settings
from tests.service.conftest import VIRTUOSO_REFUSES_UNBOUND, wrong_on

pytestmark = pytest.mark.server

SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")


def _rdf(url: str) -> Graph:
    response = httpx.get(url, headers={"Accept": "application/n-triples"}, timeout=60)
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="nt")


def _select(service_url: str, query: str) -> list[dict[str, str]]:
    response = httpx.post(service_url + "sparql", data={"query": query}, headers={"Accept": "text/csv"}, timeout=60)
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


# VoID partitions ---------------------------------------------------------------------------------


def test_class_partitions_count_what_sparql_counts(service_url: str) -> None:
    void = _rdf(service_url + "dataset")
    dataset = URIRef(service_url + "dataset")
    published = {
        str(void.value(p, VOID["class"])): int(void.value(p, VOID.entities))  # type: ignore[arg-type]
        for p in void.objects(dataset, VOID.classPartition)
    }
    # counted another way: the distinct (instance, class) pairs first, then per class
    rows = _select(
        service_url, "SELECT ?c (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?c WHERE { ?s a ?c } } GROUP BY ?c"
    )
    assert published == {row["c"]: int(row["n"]) for row in rows}
    assert published[service_url + "ontology#Objective"] == 3 * 23  # final text, draft and translation


def test_property_partitions_count_what_sparql_counts(service_url: str) -> None:
    void = _rdf(service_url + "dataset")
    dataset = URIRef(service_url + "dataset")
    published = {
        str(void.value(p, VOID.property)): (
            int(void.value(p, VOID.triples)),  # type: ignore[arg-type]
            int(void.value(p, VOID.distinctSubjects)),  # type: ignore[arg-type]
        )
        for p in void.objects(dataset, VOID.propertyPartition)
    }
    rows = _select(
        service_url,
        "SELECT ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) "
        "WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } GROUP BY ?p",
    )
    assert published == {row["p"]: (int(row["n"]), int(row["subjects"])) for row in rows}
    total = int(void.value(dataset, VOID.triples))  # type: ignore[arg-type]
    assert sum(triples for triples, _ in published.values()) == total  # the partitions cover the dataset


# SPARQL examples ---------------------------------------------------------------------------------


def test_one_example_per_saved_query_with_text_and_comment(service_url: str, service_settings: Settings) -> None:
    saved = load_catalog(service_settings.queries_dir)
    examples = _rdf(service_url + ".well-known/sparql-examples")
    found = {str(examples.value(e, DCTERMS.identifier)): e for e in examples.subjects(RDF.type, SH.SPARQLExecutable)}
    assert set(found) == set(saved)
    for name, node in found.items():
        assert str(examples.value(node, RDFS.label)) == saved[name].summary
        assert saved[name].summary in str(examples.value(node, RDFS.comment)) or saved[name].description in str(
            examples.value(node, RDFS.comment)
        )
        assert examples.value(node, SCHEMA.target) == URIRef(service_url + "sparql")
        assert str(examples.value(node, SH.select)) == saved[name].portable_text(service_settings.base_iri)


def test_every_example_runs_and_parameterless_ones_give_the_saved_rows(service_url: str, backend: str) -> None:
    examples = _rdf(service_url + ".well-known/sparql-examples")
    ran = 0
    wrong_here = wrong_on(backend)
    for node in examples.subjects(RDF.type, SH.SPARQLExecutable):
        text = str(examples.value(node, SH.select))
        name = str(examples.value(node, DCTERMS.identifier))
        if name in wrong_here:
            continue
        response = httpx.post(service_url + "sparql", data={"query": text}, timeout=60)
        if backend == "virtuoso" and name in VIRTUOSO_REFUSES_UNBOUND:
            assert response.status_code == 502 and "by equality to other columns" in response.text, name
            ran += 1
            continue
        assert response.status_code == 200, (name, response.text)
        ran += 1
        if "#+ param:" not in text:
            rows = len(response.json()["results"]["bindings"])
            saved = httpx.get(service_url + f"queries/{name}", params={"format": "json"}, timeout=60).json()
            assert rows == len(saved["results"]["bindings"]) > 0, name
    assert ran + len(wrong_here) >= 20


def test_the_service_description_links_and_holds_the_examples_and_prefixes(service_url: str) -> None:
    description = Graph().parse(
        data=httpx.get(service_url + "sparql", headers={"Accept": "text/turtle"}, timeout=30).text, format="turtle"
    )
    service = URIRef(service_url + "sparql#service")
    assert (service, RDFS.seeAlso, URIRef(service_url + ".well-known/sparql-examples")) in description
    assert len(set(description.subjects(RDF.type, SH.SPARQLExecutable))) >= 20
    declarations = description.value(service, SH.declare)
    declared = {
        str(description.value(d, SH.prefix)): str(description.value(d, SH.namespace))
        for d in description.objects(declarations, SH.declare)
    }
    assert declared == prefixes_for(service_url)
    namespace = next(iter(description.objects(None, SH.namespace)))
    assert isinstance(namespace, Literal) and str(namespace.datatype).endswith("#anyURI")


# prefixes: endpoint and command line ---------------------------------------------------------------

NUMBERS = 'SELECT ?n WHERE { ?o a gcm:Objective ; gcm:number ?n ; gcm:inDocument/gcm:symbol "A/73/L.66" }'
OWN_PREFIX = "PREFIX gcm: <http://example.org/elsewhere#> ASK { ?o a gcm:Objective }"


def _cli(settings: Settings, query: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "gcmkg.cli", "--build-dir", str(settings.build_dir), "--base-iri", settings.base_iri]
        + ["query", query],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_project_prefixes_are_predeclared_alike_on_the_endpoint_and_the_command_line(
    service_url: str, service_settings: Settings
) -> None:
    endpoint = sorted(row["n"] for row in _select(service_url, NUMBERS))
    command_line = sorted(_cli(service_settings, NUMBERS)[1:])  # after the header line
    assert endpoint == command_line == sorted(str(n) for n in range(1, 24))


def test_a_query_s_own_prefix_wins_on_both(service_url: str, service_settings: Settings) -> None:
    assert httpx.get(service_url + "sparql", params={"query": OWN_PREFIX}).json()["boolean"] is False
    assert _cli(service_settings, OWN_PREFIX) == ["false"]
    plain = OWN_PREFIX.split(" ", 3)[3]  # the same ASK without its PREFIX: the predeclared gcm:
    assert httpx.get(service_url + "sparql", params={"query": plain}).json()["boolean"] is True
    assert _cli(service_settings, plain) == ["true"]


def test_predeclared_prefixes_leave_error_positions_as_written(service_url: str) -> None:
    response = httpx.get(service_url + "sparql", params={"query": "SELECT * WHERE {\n  ?s gcm:p\n}"})
    assert response.status_code == 400
    assert "error at 3:1" in response.text


# saved-query text on another engine ------------------------------------------------------------------


def test_saved_query_text_is_absolute_and_runs_on_another_engine(
    service_url: str, service_settings: Settings, backend: str
) -> None:
    dump = service_settings.build_dir / "current" / "dumps" / "gcmkg.nq"
    other = Store()  # in memory, no base IRI: a relative IRI in the text would not resolve
    other.bulk_load(path=str(dump), format=RdfFormat.N_QUADS)
    iris = Iris(service_settings.base_iri)
    answered, wrong_here = 0, wrong_on(backend)
    for name, query in load_catalog(service_settings.queries_dir).items():
        if name in wrong_here:
            continue
        given = {p.name: p.default for p in query.params if p.default is not None}
        # a required parameter without a default (search's phrase): a value the text has
        given |= {p.name: (p.values or ("migrant",))[0] for p in query.params if p.required and p.default is None}
        response = httpx.get(service_url + f"queries/{name}", params={"format": "sparql", **given})
        assert response.status_code == 200, (name, response.text)
        text = response.text
        relative = [t.text for t in tokens(text) if t.kind == "iri" and ":" not in t.text]
        assert relative == [], (name, relative)
        bound = query.bind(given, iris.base)
        result = other.query(
            text, use_default_graph_as_union=True, substitutions={Variable(k): v for k, v in bound.items()}
        )
        assert isinstance(result, QuerySolutions)
        rows = len(list(result))
        served = httpx.get(service_url + f"queries/{name}", params={"format": "json", **given}, timeout=60)
        assert rows == len(json.loads(served.text)["results"]["bindings"]), name
        answered += rows > 0
    # most saved queries give rows with their defaults: the comparison compares something
    assert answered >= 15 - len(wrong_here)

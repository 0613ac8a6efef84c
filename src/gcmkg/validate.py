"""Stage ⑤: the graph must satisfy the SHACL shapes and the must-return-no-rows checks.

* ``shapes/*.ttl`` are SHACL shapes graphs (relative IRIs, parsed against the base IRI).
  Each shape carries an ``sh:message`` naming the GCM rule it enforces.
* ``shapes/checks/*.rq`` are SPARQL SELECT queries for rules that span resources; every row
  they return is a violation.  The first comment line of a check says what it enforces; a
  row may bind ``?focus`` (the resource concerned) and ``?message``.

A violation is reported with the resource it concerns and its label, so a person can find it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import rdflib
from pyoxigraph import Literal, NamedNode

from gcmkg import shacl
from gcmkg.store import GraphStore

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    rule: str  # the shape or check that was violated
    focus: str  # the resource concerned (IRI)
    label: str  # its label, if any
    message: str

    def __str__(self) -> str:
        where = f"{self.label} <{self.focus}>" if self.label else f"<{self.focus}>"
        return f"{where}: {self.message} [{self.rule}]"


def _rdflib_shapes(shapes_dir: Path, base_iri: str) -> rdflib.Graph:
    shapes = rdflib.Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        shapes.parse(path, format="turtle", publicID=base_iri)
    return shapes


def to_rdflib(store: GraphStore) -> rdflib.Graph:
    """The union of the store's named graphs as one rdflib graph (for pyshacl)."""
    data = rdflib.Graph()
    lines = "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in store.quads())
    data.parse(data=lines, format="nt")
    return data


def _labels(store: GraphStore, iris: set[str]) -> dict[str, str]:
    """The rdfs:label of each IRI that has one (one label each, as the first the store gives)."""
    named = sorted(iri for iri in iris if iri.startswith(("http://", "https://")))
    if not named:
        return {}
    values = " ".join(str(NamedNode(iri)) for iri in named)
    rows = store.select(
        f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
    )
    labels: dict[str, str] = {}
    for row in rows:
        subject, label = row["s"], row["label"]
        if isinstance(subject, NamedNode) and subject.value not in labels and isinstance(label, Literal):
            labels[subject.value] = label.value
    return labels


def _pyshacl_results(store: GraphStore, shapes_dir: Path, ontology: rdflib.Graph | None) -> list[Violation]:
    """The reference engine: pyshacl over an rdflib copy of the store, the ontology mixed in."""
    from pyshacl import validate as shacl_validate  # the reference only: slow to import

    shapes = _rdflib_shapes(shapes_dir, store.base_iri)
    if len(shapes) == 0:
        return []
    conforms, report, _ = shacl_validate(
        to_rdflib(store),
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    if conforms:
        return []
    assert isinstance(report, rdflib.Graph)
    found = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        if severity is not None and severity != SH.Violation:
            continue
        focus = report.value(result, SH.focusNode)
        shape = report.value(result, SH.sourceShape)
        message = report.value(result, SH.resultMessage)
        path = report.value(result, SH.resultPath)
        text = str(message) if message is not None else "violates its shape"
        if path is not None:
            text += f" (path {path.n3(shapes.namespace_manager) if isinstance(path, rdflib.URIRef) else path})"
        found.append(Violation(str(shape), str(focus), "", text))
    return found


def _compiled_results(store: GraphStore, shapes_dir: Path, ontology: rdflib.Graph | None) -> list[Violation]:
    shapes = shacl.load_shapes(shapes_dir, store.base_iri)
    # two threads: pyoxigraph lets go of the interpreter while it evaluates a query
    return [Violation(r.shape, r.focus, "", r.message) for r in shacl.validate(store, shapes, ontology, threads=2)]


ENGINES = {"sparql": _compiled_results, "pyshacl": _pyshacl_results}


def shacl_violations(
    store: GraphStore, shapes_dir: Path, ontology: rdflib.Graph | None = None, *, engine: str = "sparql"
) -> list[Violation]:
    """Validate the union graph against every shapes file.

    ``engine`` is ``sparql`` (the shapes compiled into queries on the store, :mod:`gcmkg.shacl`)
    or ``pyshacl`` (the reference it is tested against); both give the same violations.
    """
    found = ENGINES[engine](store, shapes_dir, ontology)
    labels = _labels(store, {v.focus for v in found})
    return sorted(
        (Violation(v.rule, v.focus, labels.get(v.focus, ""), v.message) for v in found),
        key=lambda v: (v.focus, v.rule, v.message),
    )


def _check(store: GraphStore, path: Path) -> list[Violation]:
    """The rows of one ``*.rq`` check, each a violation (without labels)."""
    text = path.read_text(encoding="utf-8")
    purpose = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")), path.stem)
    found = []
    for row in store.select(text):
        focus = row.get("focus")
        message = row.get("message")
        found.append(
            Violation(
                f"shapes/checks/{path.name}",
                focus.value if isinstance(focus, NamedNode) else str(focus or ""),
                "",
                message.value if isinstance(message, Literal) else purpose,
            )
        )
    return found


def _labelled(store: GraphStore, found: list[Violation]) -> list[Violation]:
    labels = _labels(store, {v.focus for v in found if v.focus})
    return [Violation(v.rule, v.focus, labels.get(v.focus, ""), v.message) for v in found]


def check_violations(store: GraphStore, checks_dir: Path) -> list[Violation]:
    """Run every ``*.rq`` check; each row is a violation."""
    return _labelled(store, [v for path in sorted(checks_dir.glob("*.rq")) for v in _check(store, path)])


def violations(
    store: GraphStore,
    shapes_dir: Path,
    ontology: rdflib.Graph | None = None,
    *,
    engine: str = "sparql",
    threads: int = 2,
    timings: dict[str, float] | None = None,
) -> list[Violation]:
    """All SHACL and check violations of the store's graph.

    The shapes and each check run side by side on ``threads`` threads (pyoxigraph lets go of
    the interpreter while it evaluates a query).  ``timings``, if given, receives the seconds
    each part took, by name (``shapes``, ``shapes/checks/<file>``).
    """

    def timed(part: Callable[[], list[Violation]]) -> tuple[list[Violation], float]:
        started = time.perf_counter()
        return part(), time.perf_counter() - started

    parts: list[tuple[str, Callable[[], list[Violation]]]] = [
        ("shapes", partial(shacl_violations, store, shapes_dir, ontology, engine=engine))
    ]
    for path in sorted((shapes_dir / "checks").glob("*.rq")):
        parts.append((f"shapes/checks/{path.name}", partial(_check, store, path)))
    with ThreadPoolExecutor(max(1, threads)) as pool:
        results = list(pool.map(timed, [part for _, part in parts]))
    if timings is not None:
        timings.update((name, seconds) for (name, _), (_, seconds) in zip(parts, results, strict=True))
    shapes_found = results[0][0]
    return shapes_found + _labelled(store, [v for checked, _ in results[1:] for v in checked])

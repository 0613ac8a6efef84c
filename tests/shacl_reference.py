"""The compiled SHACL engine (:mod:`gcmkg.shacl`) against the reference, pyshacl, on one store.

Shared by the shape tests (``tests/shapes``, ``tests/linking/test_catalogue_shapes.py``): each
runs both engines on its graphs and asserts the same violations, message and count included.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import rdflib

from gcmkg.store import GraphStore
from gcmkg.validate import shacl_violations


def _stable(name: str) -> str:
    """Blank nodes have no identity across engines (pyshacl copies the graph): one name for all."""
    return name if name.startswith(("http://", "https://")) or not name else "_:blank"


def both_engines(store: GraphStore, shapes: Path, ontology: rdflib.Graph | None) -> Counter[tuple[str, str, str, str]]:
    """The violations, as (rule, focus, label, message) with their counts, if both engines agree."""
    found = {
        engine: Counter(
            (_stable(v.rule), _stable(v.focus), v.label, v.message)
            for v in shacl_violations(store, shapes, ontology, engine=engine)
        )
        for engine in ("sparql", "pyshacl")
    }
    assert found["sparql"] == found["pyshacl"], {
        "only compiled": found["sparql"] - found["pyshacl"],
        "only pyshacl": found["pyshacl"] - found["sparql"],
    }
    return found["sparql"]

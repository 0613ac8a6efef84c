"""Compacted JSON-LD and the ``@context`` it refers to (served at ``/context.jsonld`` by :mod:`.resources`).

pyoxigraph writes JSON-LD in expanded form only (every key a full IRI, every value in an
array).  What the service sends is that document compacted against one published context —
the project prefixes (:data:`gcmkg.iris.PREFIXES`, ``gcm`` resolved against the base IRI) —
so a description reads ``"rdfs:label": {"@value": …}`` and ``"@type": "gcm:Objective"``:

* node keys and ``@id`` / datatype IRIs become compact IRIs (``prefix:local``) where a prefix
  covers them (the longest namespace wins; a local part starting with ``//`` is never
  compacted, JSON-LD would read it as an absolute IRI);
* ``rdf:type`` becomes ``@type``; a one-element array becomes its element.

The context defines prefixes only (no terms, no coercion), so expanding the compacted document
gives back exactly pyoxigraph's triples: nothing is lost that a JSON-LD processor would need.
The document names the context by URL (``{base}context.jsonld``), as schema.org does, so that
clients cache one context instead of reading it in every answer.
"""

from __future__ import annotations

import json
from typing import Any

from gcmkg.iris import RDF, Iris, prefixes_for


def context(base_iri: str) -> dict[str, Any]:
    """The published context: every project prefix, resolved against ``base_iri``."""
    return {"@context": prefixes_for(base_iri)}


class _Compactor:
    def __init__(self, base_iri: str) -> None:
        # longest namespace first, so that a namespace inside another one wins
        self.prefixes = sorted(prefixes_for(base_iri).items(), key=lambda item: -len(item[1]))

    def iri(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace) and not iri[len(namespace) :].startswith("//"):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def value(self, value: dict[str, Any]) -> dict[str, Any]:
        if "@id" in value:
            return {"@id": self.iri(value["@id"])}
        if "@type" in value:
            return {**value, "@type": self.iri(value["@type"])}
        return value

    def node(self, node: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, values in node.items():
            if key == "@id":
                out["@id"] = self.iri(values)
            elif key == RDF + "type" and all(set(v) == {"@id"} for v in values):
                out["@type"] = _one([self.iri(v["@id"]) for v in values])
            elif key.startswith("@"):
                out[key] = values
            else:
                out[self.iri(key)] = _one([self.value(v) for v in values])
        return out


def _one(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def compact(expanded: bytes, base_iri: str) -> bytes:
    """pyoxigraph's expanded JSON-LD (a list of node objects) compacted against the published context.

    >>> doc = b'[{"@id":"http://x/id/a","http://www.w3.org/1999/02/22-rdf-syntax-ns#type":[{"@id":"http://x/ontology#C"}],'
    >>> doc += b'"http://www.w3.org/2000/01/rdf-schema#label":[{"@value":"A","@language":"en"}]}]'
    >>> compacted = json.loads(compact(doc, "http://x/"))
    >>> compacted["@context"]
    'http://x/context.jsonld'
    >>> compacted["@graph"]
    [{'@id': 'http://x/id/a', '@type': 'gcm:C', 'rdfs:label': {'@value': 'A', '@language': 'en'}}]
    """
    compactor = _Compactor(base_iri)
    nodes = json.loads(expanded)
    document = {"@context": Iris(base_iri).jsonld_context().value, "@graph": [compactor.node(n) for n in nodes]}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")

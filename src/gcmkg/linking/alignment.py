"""Alignments between provisions: one resource per relation, with its evidence.

Every alignment is an IRI minted by :meth:`Iris.alignment` (``id/alignment/{kind}/{slug}``)
in the ``alignments`` graph, carrying where it comes from and to, the method that produced
it and, where computed, a score; plus the direct shortcut property between the two provisions
so simple queries need not go through the alignment resource.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad

from gcmkg.iris import RDF, RDFS, XSD, Iris

# alignment class → the shortcut property between the two provisions
SHORTCUTS: dict[str, str] = {
    "TranslationAlignment": "translates",
    "LineageAlignment": "descendsFrom",
    "ReviewAlignment": "reviews",
    "CorrespondenceAlignment": "correspondsTo",
}
CHANGE_KINDS = ("unchanged", "reworded", "merged", "split", "moved", "new")


@dataclass(frozen=True)
class Alignment:
    """One relation from a provision to another (or to an objective), with its evidence."""

    kind: str  # a key of SHORTCUTS
    source: NamedNode  # e.g. the Swedish provision, the final action, the IMRF paragraph
    target: NamedNode  # e.g. the English provision, the draft action, the objective
    method: str  # how it was found, e.g. "same number and position", "round table footnote"
    score: float | None = None  # similarity or rank score in [0, 1], where computed
    change: str | None = None  # lineage only: one of CHANGE_KINDS
    difference: str | None = None  # a note on how the two differ, in English
    evidence: str | None = None  # the words in the source that justify it, if any
    rank: int | None = None  # position among the candidates of the same source (1 = best)

    def __post_init__(self) -> None:
        if self.kind not in SHORTCUTS:
            raise ValueError(f"unknown alignment kind {self.kind!r}")
        if self.change is not None and self.change not in CHANGE_KINDS:
            raise ValueError(f"unknown change kind {self.change!r}")
        if self.score is not None and not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score {self.score} outside [0, 1]")


def slug(alignment: Alignment) -> str:
    """A deterministic, readable-enough identifier for the pair."""
    digest = hashlib.sha1(f"{alignment.source.value} {alignment.target.value}".encode()).hexdigest()[:16]
    return digest


def alignment_quads(iris: Iris, alignments: list[Alignment]) -> Iterator[Quad]:
    """Quads of the alignments in the ``alignments`` graph."""
    graph = iris.graph("alignments")
    t = iris.term
    for a in alignments:
        node = iris.alignment(a.kind.removesuffix("Alignment").lower(), slug(a))
        yield Quad(node, NamedNode(RDF + "type"), t("Alignment"), graph)
        yield Quad(node, NamedNode(RDF + "type"), t(a.kind), graph)
        yield Quad(node, t("alignedFrom"), a.source, graph)
        yield Quad(node, t("alignedTo"), a.target, graph)
        yield Quad(node, t("method"), Literal(a.method), graph)
        yield Quad(node, NamedNode(RDFS + "label"), Literal(f"{a.kind} ({a.method})"), graph)
        yield Quad(a.source, t(SHORTCUTS[a.kind]), a.target, graph)
        if a.score is not None:
            yield Quad(node, t("score"), Literal(f"{a.score:.4f}", datatype=NamedNode(XSD + "decimal")), graph)
        if a.rank is not None:
            yield Quad(node, t("rank"), Literal(str(a.rank), datatype=NamedNode(XSD + "integer")), graph)
        if a.change is not None:
            yield Quad(node, t("changeKind"), t(f"change-{a.change}"), graph)
        if a.difference is not None:
            yield Quad(node, t("difference"), Literal(a.difference, language="en"), graph)
        if a.evidence is not None:
            yield Quad(node, t("evidence"), Literal(a.evidence), graph)

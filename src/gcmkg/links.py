"""The link model: what a linker returns and the RDF stage turns into quads.

A linker (``gcmkg.linking.<name>``, stage ④ of :mod:`gcmkg.build`) reads the document model
and returns a :class:`Links`: the :class:`Alignment` objects between provisions, the
:class:`Mention` objects of catalogued instruments and actors, the :class:`Retention` flags of
draft provisions, and :class:`~gcmkg.model.Finding` objects about the documents.  A linker
writes no quads: :func:`gcmkg.rdf.links_quads` maps links to RDF, and the build numbers the
findings (:func:`gcmkg.build.graph_quads`).

A linker is described by a :class:`Linker` (its name, what it needs, the callable), found
through the ``gcmkg.linkers`` entry-point group; the build runs them in an order derived from
their needs.

Links name what they connect by IRI (provisions, catalogue entries), minted through
:class:`gcmkg.iris.Iris`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import NamedNode

from gcmkg.iris import Iris
from gcmkg.model import Document, Finding

# alignment class → the shortcut property between the two provisions
SHORTCUTS: dict[str, str] = {
    "TranslationAlignment": "translates",
    "LineageAlignment": "descendsFrom",
    "ReviewAlignment": "reviews",
    "CorrespondenceAlignment": "correspondsTo",
    # not a review: a provision printed under a round table → each objective the round table covers
    "RoundTableAlignment": "discussedUnderRoundTableOf",
}
CHANGE_KINDS = ("unchanged", "reworded", "merged", "split", "moved", "new")

# What the build itself provides to a linker; any other need names another linker (its Links).
DOCUMENTS = "documents"  # list[Document]: every loaded document
CATALOGUE = "catalogue"  # gcmkg.linking.catalogue.Catalogue: the loaded instrument and actor catalogue
PROVIDED = frozenset({DOCUMENTS, CATALOGUE})


@dataclass(frozen=True)
class Span:
    """Words of a provision that an alignment rests on: ``text`` is the provision's text[start:end]."""

    provision: NamedNode  # on the source side or the target side (the target objective or a part of it)
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Alignment:
    """One relation from a provision to another (or to an objective), with its evidence.

    A ``new`` provision (lineage) has no ancestor: its alignment points to where it was added
    and it gets no shortcut property.
    """

    kind: str  # a key of SHORTCUTS
    source: NamedNode  # e.g. the Swedish provision, the final action, the IMRF paragraph
    target: NamedNode  # e.g. the English provision, the draft action, the objective
    method: str  # how it was found, e.g. "same number and position", "round table footnote"
    score: float | None = None  # similarity or rank score in [0, 1], where computed
    change: str | None = None  # lineage only: one of CHANGE_KINDS
    difference: str | None = None  # a note on how the two differ, in English
    evidence: str | None = None  # the words in the source that justify it, if any
    rank: int | None = None  # position among the candidates of the same source (1 = best)
    spans: tuple[Span, ...] = ()  # the quoted words on each side, with offsets, where the method gives them

    def __post_init__(self) -> None:
        if self.kind not in SHORTCUTS:
            raise ValueError(f"unknown alignment kind {self.kind!r}")
        if self.change is not None and self.change not in CHANGE_KINDS:
            raise ValueError(f"unknown change kind {self.change!r}")
        if self.score is not None and not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score {self.score} outside [0, 1]")


@dataclass(frozen=True)
class Mention:
    """A catalogue entry named in a provision's text: ``text[start:end] == surface``.

    A mention in a footnote is also a mention in every provision whose text carries the
    footnote's marker: then ``provision`` is that citing provision, ``via_footnote`` the
    footnote, and the offsets index the footnote's text.
    """

    provision: NamedNode  # the provision that names the entry (gcm:mentionIn)
    entity: NamedNode  # the catalogue entry (gcm:mentionOf)
    actor: bool  # an actor named (gcm:namesActor), else an instrument cited (gcm:cites)
    surface: str
    start: int
    end: int
    label: str  # English display label, e.g. "Mention of ILO in A/73/L.66 (en)"
    via_footnote: NamedNode | None = None


@dataclass(frozen=True)
class NoCorrespondence:
    """An explicit decision that a provision corresponds to no objective, with the reason.

    A linker that ranks objectives for every provision of a set records one for each provision
    it links to none, so that "fits no objective" is visible in the graph, not a silent gap.
    """

    source: NamedNode
    method: str
    reason: str  # in English: what was looked for and what came closest


@dataclass(frozen=True)
class Retention:
    """Whether a draft provision was retained in the final text (a provision descends from it)."""

    provision: NamedNode
    retained: bool


@dataclass
class Links:
    """What one linker found; every field may be empty."""

    alignments: list[Alignment] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    retentions: list[Retention] = field(default_factory=list)
    unmatched: list[NoCorrespondence] = field(default_factory=list)  # explicit "corresponds to no objective"
    # findings about a document, numbered by the build after the loader's own
    findings: list[tuple[Document, Finding]] = field(default_factory=list)


@dataclass(frozen=True)
class Measure:
    """One accuracy figure of a linker, computed against its hand-checked sample (``samples/``).

    ``metric`` names what was counted (``precision``, ``recall``, ``precision@1``, or per
    category ``precision:ilo``); ``value`` is ``hits / total``; ``target`` is the floor the
    linker must reach.
    """

    metric: str
    hits: int
    total: int
    target: float
    note: str = ""  # what was counted, in a sentence

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0

    @property
    def meets_target(self) -> bool:
        return self.value >= self.target


# measure(sample, links, iris): the parsed TOML of the linker's sample file, what it found, the minter
Measurer = Callable[[dict[str, Any], Links, Iris], list[Measure]]


@dataclass(frozen=True)
class Linker:
    """A linker as the build sees it: its name, what it needs, the callable, and how it is measured.

    ``run`` is called as ``run(iris, **{need: value for need in needs})``: :data:`DOCUMENTS`
    and :data:`CATALOGUE` are provided by the build, any other need is the name of a linker
    whose :class:`Links` it reads (that linker then runs first).  ``sample`` names its
    hand-checked sample in ``samples/`` and ``measure`` computes its figures against it.
    """

    name: str
    needs: tuple[str, ...]
    run: Callable[..., Links]
    sample: str | None = None
    measure: Measurer | None = None

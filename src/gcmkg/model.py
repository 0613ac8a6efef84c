"""The document model: what a loader produces and the RDF stage consumes.

A loader (``loaders/<source>.py``) reads one corpus text and returns one or more
:class:`Document` objects.  Each document is a tree of :class:`Provision` objects in
reading order.  Nothing here knows about IRIs or RDF; :mod:`gcmkg.rdf` maps the model to
quads and :mod:`gcmkg.iris` mints every IRI.  What linkers find between documents (alignments,
mentions) is modelled beside this, in :mod:`gcmkg.links`.

Conventions every loader follows:

* ``Provision.path`` is the provision's address inside its document, as IRI path segments,
  e.g. ``("annex", "para", "17", "a")``.  It must be unique within the document and made
  only of ``[a-z0-9-]`` segments.  It is what makes the IRI readable and deterministic.
* ``Provision.number`` is the number or letter *as printed* (``"17"``, ``"a"``, ``"iv"``),
  ``None`` for unnumbered provisions (headings, unnumbered preamble clauses).
* ``Provision.text`` is the clean text: page furniture removed, split words rejoined,
  footnote markers taken out (recorded in ``footnote_refs``), line breaks folded to single
  spaces.  Nothing else in the wording changes.
* ``Provision.heading`` is a name printed as a title (an objective's title, a guiding
  principle's name such as "People-centred", a section heading).  When a provision is only a
  heading, ``text`` holds the heading too.
* ``Provision.copy_of`` marks a repeated block (a copy, kept where it is printed, linked to
  what it repeats); ``Provision.language`` tags a provision printed in another language than
  its document's.
* ``SourceSpan`` lines are 1-based line numbers in the corpus file, inclusive; pages are the
  page numbers printed in the source (``None`` where the source has no pages).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from gcmkg.errors import GcmkgError

SEGMENT_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Document statuses (corpus/manifest.toml); the corpus has one document of each but "letter".
STATUSES = ("final", "draft", "translation", "contribution", "review", "letter")


class ProvisionKind(enum.Enum):
    """Kinds of provision; each value is the local name of an ontology class."""

    # structure
    PART = "Part"  # a main part of a document: the resolution, its annex, a letter body
    SECTION = "Section"  # a headed section ("Preamble", "Objectives and commitments")
    SUBSECTION = "Subsection"  # a headed sub-section ("Common understanding")
    HEADING = "ThematicHeading"  # a sub-heading that groups following provisions
    # resolution wrapper
    PREAMBULAR_PARAGRAPH = "PreambularParagraph"  # "Recalling its resolution ..."
    OPERATIVE_PARAGRAPH = "OperativeParagraph"  # numbered paragraph of a resolution
    # the annex of the Compact
    PARAGRAPH = "Paragraph"  # a numbered (or unnumbered running) paragraph
    GUIDING_PRINCIPLE = "GuidingPrinciple"
    OBJECTIVE_LIST_ENTRY = "ObjectiveListEntry"  # an entry in the list of objectives
    OBJECTIVE = "Objective"
    COMMITMENT = "Commitment"  # the numbered paragraph that states an objective's commitment
    ACTION = "Action"  # a lettered action under a commitment
    ITEM = "Item"  # a lettered sub-item of a paragraph that is not an action
    SUBITEM = "SubItem"  # a roman-numbered (or nested) sub-item
    FOOTNOTE = "Footnote"
    # other texts
    LETTER = "Letter"  # a cover letter inside a document
    CLUSTER = "ThematicCluster"  # IOM contribution: a thematic cluster of recommendations
    RECOMMENDATION = "Recommendation"  # IOM contribution: a recommendation (bullet)
    ROUND_TABLE = "RoundTable"  # IMRF: a round table section


@dataclass(frozen=True)
class SourceSpan:
    """Where a provision sits in its corpus file (1-based, inclusive lines)."""

    line_start: int
    line_end: int
    page_start: int | None = None
    page_end: int | None = None

    def __post_init__(self) -> None:
        if self.line_start < 1 or self.line_end < self.line_start:
            raise ValueError(f"bad line span {self.line_start}-{self.line_end}")


@dataclass(frozen=True)
class FootnoteRef:
    """A footnote marker taken out of a provision's running text.

    ``offset`` is the character offset in the clean text where the marker stood.
    """

    number: str
    offset: int


@dataclass
class Provision:
    """One provision of a document, with its children in reading order."""

    kind: ProvisionKind
    path: tuple[str, ...]
    text: str
    span: SourceSpan
    number: str | None = None
    heading: str | None = None
    children: list[Provision] = field(default_factory=list)
    footnote_refs: list[FootnoteRef] = field(default_factory=list)
    # paths (within the same document) of provisions this one groups, e.g. the actions under
    # a thematic heading; or that it states, e.g. an objective's commitment paragraph.
    groups: list[tuple[str, ...]] = field(default_factory=list)
    commitment: tuple[str, ...] | None = None
    # the objective number this provision is about, where the text says so
    # (the list of objectives, round tables); not used for the tree itself
    objective_number: str | None = None
    # a block printed twice: the path (same document) of the provision this one is a printed
    # copy of.  A copy stays in the tree where it is printed, but is not counted as a provision
    # of its own (queries by number skip it)
    copy_of: tuple[str, ...] | None = None
    # the language of ``text`` and ``heading`` where it is not the document's (a letterhead in
    # English or French in a Swedish letter); a BCP 47 tag
    language: str | None = None

    def __post_init__(self) -> None:
        for segment in self.path:
            if not SEGMENT_RE.match(segment):
                raise ValueError(f"bad path segment {segment!r} in {self.path}")

    def walk(self) -> Iterator[Provision]:
        """This provision and all its descendants, in reading order."""
        yield self
        for child in self.children:
            yield from child.walk()


class FindingKind(enum.Enum):
    """Kinds of data-quality finding; each value is the local name of an ontology class."""

    MISSING = "MissingProvision"  # a provision the corresponding text has is absent
    REPEATED = "RepeatedProvision"  # a provision appears twice
    MISPLACED = "MisplacedProvision"  # a provision stands in the wrong place
    MARKER = "InconsistentMarker"  # a list marker differs in style from its siblings
    HEADING = "HeadingMismatch"  # a heading does not match the corresponding text
    NUMBERING = "NumberingAnomaly"  # a number or letter out of sequence
    UNKNOWN_INSTRUMENT = "UnknownInstrument"  # an instrument-like phrase not in the catalogue
    UNKNOWN_ENTITY = "UnknownEntity"  # a proper name of a body, forum, conference, index … not in the catalogue
    TEXT = "TextDefect"  # other defect of the source text


@dataclass(frozen=True)
class Excerpt:
    """Characters ``start:end`` of a provision's clean text: ``provision.text[start:end] == text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Finding:
    """A defect of a source text, reported in the graph rather than repaired.

    A loader records the findings of its text in :attr:`Document.findings`; a linker returns
    its own (e.g. an unknown instrument) in its :class:`gcmkg.links.Links`.  The build numbers
    them per document, the loader's first (:func:`gcmkg.build.graph_quads`).
    """

    kind: FindingKind
    message: str
    span: SourceSpan
    provision: tuple[str, ...] | None = None  # path of the provision concerned
    excerpt: Excerpt | None = None  # the words of the provision concerned, where the finding is about some


@dataclass
class Document:
    """One document of the corpus: its metadata and its provisions.

    ``key`` and ``language`` together identify it (``id/{key}/{language}``).
    """

    key: str
    language: str
    title: str
    date: str  # ISO 8601 date of the text
    status: str  # one of STATUSES
    source_file: str  # corpus file name
    symbol: str | None = None  # UN document symbol, e.g. "A/73/L.66"
    provisions: list[Provision] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # key of the document that this one is a version or translation of, if any
    version_of: str | None = None
    part_of: str | None = None  # key of a document this one is part of (a cover letter)

    def walk(self) -> Iterator[Provision]:
        """Every provision of the document in reading order."""
        for provision in self.provisions:
            yield from provision.walk()

    def by_path(self) -> dict[tuple[str, ...], Provision]:
        """Index of provisions by path; raises if a path repeats."""
        index: dict[tuple[str, ...], Provision] = {}
        for provision in self.walk():
            if provision.path in index:
                raise ValueError(f"{self.key}: path {'/'.join(provision.path)} used twice")
            index[provision.path] = provision
        return index


def with_status(documents: Iterable[Document], status: str) -> Document | None:
    """The document of that status, ``None`` when it is not loaded.

    Linkers find their texts by role this way, never by document key.  Asking for a status no
    single document has (``letter``, or none of :data:`STATUSES`) is a ``ValueError``; a corpus
    whose manifest gives the status to several documents is a :class:`~gcmkg.errors.GcmkgError`.
    """
    if status not in STATUSES or status == "letter":
        raise ValueError(f"no single document has status {status!r} (one of {', '.join(STATUSES[:-1])})")
    found = [d for d in documents if d.status == status]
    if len(found) > 1:
        keys = ", ".join(d.key for d in found)
        raise GcmkgError(f"corpus/manifest.toml: {len(found)} documents have status {status!r} ({keys}); one may")
    return found[0] if found else None

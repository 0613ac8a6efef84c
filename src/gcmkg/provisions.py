"""What a reader needs about a provision, as plain data: the one place pages (and tools) read it from.

Core, with no web code: the HTML pages of :mod:`gcmkg.service.resources` render these views, and an
assistant's tools (``get_provision``, ``resolve_citation``) can return them as they are.

* :func:`provision_view` — a provision with its text, kind, number, document, the citation a
  reader writes ("A/73/L.66, annex, para. 23 (c)"), breadcrumbs, the chapeau it continues,
  neighbours, children, mentions cut into the text by their offsets, and its links to other
  texts (translation, lineage, review, correspondence, round table) with their evidence, one
  :class:`Relation` per linked provision however many alignments the graph holds between them;
* :func:`objective_dossier` — an objective of the final text with its commitment, its actions in
  order, each with its Zero Draft Plus source and a word-level :func:`redline`, its Swedish text,
  and the review paragraphs and IOM recommendations that address the objective;
* :func:`document_text` — a document as a reader reads it: every provision in reading order;
* :func:`cite_as` and :func:`resolve_citation` — the citation of a provision, and back.

Reads go through the :class:`~gcmkg.store.GraphStore` facade: one SPARQL query loads a document's
provisions (kept per store, since a release never changes), index lookups the rest.

The citation form: the document's symbol where it has one (``corpus/manifest.toml``), else its
title up to the first colon or parenthesis (with "(Swedish translation)" for a translation);
then, from the top of the provision's place down: ``annex`` for a provision of an annex,
``objective 1``, ``para. 23`` with an action's or item's letter ``(c)`` and a sub-item's
``(i)``, ``preambular para. 2``, ``footnote 7``, ``round table 4``, ``cluster 1``,
``recommendation 5`` (``(أ)`` for a lettered sub-recommendation), and a printed sub-heading
quoted (“الهوية”) where numbers repeat under each. An unnumbered provision is named by its
heading, or as the n-th unnumbered paragraph of its part.
"""

from __future__ import annotations

import difflib
import re
import threading
import unicodedata
import weakref
from collections import Counter
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from gcmkg.iris import PROV, RDF, RDFS, SKOS, Iris, sparql_prologue
from gcmkg.model import ProvisionKind
from gcmkg.store import GraphStore

KINDS = {kind.value for kind in ProvisionKind}
# a kind as a reader names it in running text ("IOM contribution, recommendation 5")
KIND_WORDS = {
    "Part": "part",
    "Section": "section",
    "Subsection": "sub-section",
    "ThematicHeading": "sub-heading",
    "PreambularParagraph": "preambular paragraph",
    "OperativeParagraph": "paragraph",
    "Paragraph": "paragraph",
    "GuidingPrinciple": "guiding principle",
    "ObjectiveListEntry": "objective list entry",
    "Objective": "objective",
    "Commitment": "commitment",
    "Action": "action",
    "Item": "item",
    "SubItem": "sub-item",
    "Footnote": "footnote",
    "Letter": "letter",
    "ThematicCluster": "thematic cluster",
    "Recommendation": "recommendation",
    "RoundTable": "round table",
}
LANGUAGE_NAMES = {"en": "English", "sv": "Swedish", "ar": "Arabic"}
# alignment classes as a reader reads them, from the side of the provision whose page it is
RELATION_KINDS = {
    "TranslationAlignment": "translation",
    "LineageAlignment": "lineage",
    "ReviewAlignment": "review",
    "CorrespondenceAlignment": "correspondence",
    "RoundTableAlignment": "round table",
}
_PARAGRAPHS = {"Paragraph", "Commitment", "OperativeParagraph", "GuidingPrinciple"}
_LETTERED = {"Action", "Item", "SubItem"}


# the views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRef:
    """A document (a language expression), named as a reader names it."""

    iri: str
    key: str
    language: str
    title: str
    symbol: str
    status: str  # final | draft | translation | contribution | review | letter
    date: str

    @property
    def name(self) -> str:
        """The symbol, else the title's head: what a citation and a link text begin with."""
        if self.symbol:
            return self.symbol
        head = re.split(r":|\s\(", self.title, maxsplit=1)[0].strip()
        if self.status == "translation":
            return f"{head} ({LANGUAGE_NAMES.get(self.language, self.language)} translation)"
        return head


@dataclass(frozen=True)
class ProvisionRef:
    """A link to a provision: its label (in the language of its text), document and citation."""

    iri: str
    label: str
    language: str
    kind: str
    document: DocumentRef
    cite: str
    title: str  # short: "Annex", "Objective 7", "Paragraph 23", a heading, or the place of an unnumbered bullet

    @property
    def qualified(self) -> str:
        """The label with the document named first, for a link from a page of another document."""
        label = self.label[:1].lower() + self.label[1:] if self.language == "en" else self.label
        return f"{self.document.name}, {label}"

    def link_text(self, here: DocumentRef | None) -> str:
        """The label when on a page of the same document; else :attr:`qualified` (two could look the same)."""
        return self.label if here is not None and here.iri == self.document.iri else self.qualified


@dataclass(frozen=True)
class Piece:
    """A stretch of a provision's text; a mention of an instrument or actor carries the entry it names."""

    text: str
    entity: str = ""  # the catalogue entry's IRI, for a mention
    entity_label: str = ""


@dataclass(frozen=True)
class MentionView:
    """An instrument or actor named in the text (``text[start:end] == surface``, or in a footnote)."""

    iri: str
    entity: str
    entity_label: str
    surface: str
    start: int
    end: int
    via_footnote: ProvisionRef | None = None


@dataclass(frozen=True)
class Evidence:
    """One alignment of the graph and why it was made, in plain words."""

    alignment: str
    kind: str  # a value of RELATION_KINDS
    method: str
    evidence: str = ""
    score: float | None = None
    change: str = ""  # lineage: unchanged | reworded | merged | split | moved | new
    difference: str = ""


@dataclass(frozen=True)
class Relation:
    """A provision of another text linked to this one, with the evidence of every alignment between them.

    ``direction`` is ``"from"`` when this provision is the alignment's source (a final action
    descending from a draft one, a review paragraph reviewing an objective) and ``"to"`` when it
    is its target.
    """

    kinds: tuple[str, ...]
    direction: str
    other: ProvisionRef
    other_text: str
    evidence: tuple[Evidence, ...]

    @property
    def change(self) -> str:
        return next((e.change for e in self.evidence if e.change), "")


@dataclass(frozen=True)
class ProvisionView:
    """Everything a page shows about one provision."""

    ref: ProvisionRef
    number: str
    heading: str
    text: str
    kind_word: str
    breadcrumbs: tuple[ProvisionRef, ...]  # from the top of the document down to the parent
    context: ProvisionRef | None  # the chapeau this provision continues (an action's commitment)
    context_text: str
    previous: ProvisionRef | None
    next: ProvisionRef | None
    children: tuple[ProvisionRef, ...]
    mentions: tuple[MentionView, ...]
    pieces: tuple[Piece, ...]  # the text cut at the mentions that index it
    relations: tuple[Relation, ...]
    lines: str
    pages: str

    @property
    def document(self) -> DocumentRef:
        return self.ref.document

    def related(self, kind: str, direction: str | None = None) -> list[Relation]:
        """The relations of one kind (``"lineage"``, ``"translation"`` …), in the given direction."""
        return [r for r in self.relations if kind in r.kinds and (direction is None or r.direction == direction)]


@dataclass(frozen=True)
class Change:
    """A stretch of a redline: ``equal``, ``insert`` (in the final text) or ``delete`` (from the draft)."""

    op: str
    text: str


@dataclass(frozen=True)
class ActionDossier:
    view: ProvisionView
    source: Relation | None  # the Zero Draft Plus provision it descends from
    redline: tuple[Change, ...]
    translation: Relation | None  # the Swedish text


@dataclass(frozen=True)
class ObjectiveDossier:
    objective: ProvisionView
    commitment: ProvisionView | None
    commitment_translation: Relation | None
    actions: tuple[ActionDossier, ...]
    reviews: tuple[Relation, ...]  # IMRF paragraphs that address the objective (review, round table)
    correspondences: tuple[Relation, ...]  # IOM recommendations that correspond
    previous: ProvisionRef | None
    next: ProvisionRef | None


@dataclass(frozen=True)
class TextEntry:
    """One provision of a document as it stands in the document's reading."""

    ref: ProvisionRef
    depth: int
    number: str
    heading: str
    text: str
    anchor: str  # the HTML id of its place on the document's page


@dataclass(frozen=True)
class DocumentText:
    document: DocumentRef
    entries: tuple[TextEntry, ...]


# reading a document -----------------------------------------------------------------------------

_DOCUMENT = """
SELECT ?doc ?title ?symbol ?status ?date ?language WHERE {
  ?doc a gcm:Document .
  OPTIONAL { ?doc eli:title ?title } OPTIONAL { ?doc gcm:symbol ?symbol } OPTIONAL { ?doc eli:date_document ?date }
  OPTIONAL { ?doc gcm:status ?status } OPTIONAL { ?doc dcterms:language ?language }
}"""
_PROVISIONS = """
SELECT ?doc ?p ?kind ?number ?heading ?text ?label ?parent ?order ?reading
       ?lineStart ?lineEnd ?pageStart ?pageEnd WHERE {
  ?p gcm:inDocument ?doc ; gcm:readingOrder ?reading ; a ?kind ; eli:is_part_of ?parent ; gcm:order ?order .
  OPTIONAL { ?p gcm:number ?number } OPTIONAL { ?p gcm:heading ?heading } OPTIONAL { ?p gcm:text ?text }
  OPTIONAL { ?p rdfs:label ?label }
  OPTIONAL { ?p gcm:lineStart ?lineStart ; gcm:lineEnd ?lineEnd }
  OPTIONAL { ?p gcm:pageStart ?pageStart ; gcm:pageEnd ?pageEnd }
}"""
_DOCUMENTS = "SELECT ?doc WHERE { ?doc a gcm:Document }"


@dataclass
class _Node:
    iri: str
    kind: str
    number: str
    heading: str
    text: str
    label: str
    language: str
    parent: str
    order: int
    reading: int
    segments: tuple[str, ...]
    lines: str = ""
    pages: str = ""
    children: list[str] = field(default_factory=list)
    cite: str = ""
    copy: bool = False  # a block the print repeats (gcm:Copy): cited as what it repeats


class _Document:
    """A document's provisions, read once per store, with their citations computed."""

    def __init__(self, store: GraphStore, iris: Iris, iri: str) -> None:
        doc = NamedNode(iri)
        key = iris.document_key(iri)
        if key is None:
            raise ValueError(f"{iri} is not a document IRI")
        rows = store.select(sparql_prologue() + _DOCUMENT, substitutions={"doc": doc})
        info = rows[0] if rows else {}
        status = _value(info.get("status")).rsplit("status-", 1)[-1]
        self.ref = DocumentRef(
            iri=iri,
            key=key[0],
            language=_value(info.get("language")) or key[1],
            title=_value(info.get("title")),
            symbol=_value(info.get("symbol")),
            status=status,
            date=_value(info.get("date")),
        )
        self.nodes: dict[str, _Node] = {}
        for row in store.select(sparql_prologue() + _PROVISIONS, substitutions={"doc": doc}):
            p = row["p"].value  # type: ignore[union-attr]
            kind = row["kind"].value.rsplit("#", 1)[-1]  # type: ignore[union-attr]
            node = self.nodes.get(p)
            if node is None:
                text = row.get("text")
                provision_key = iris.provision_key(p)
                node = _Node(
                    iri=p,
                    kind="",
                    number=_value(row.get("number")),
                    heading=_value(row.get("heading")),
                    text=_value(text),
                    label=_value(row.get("label")),
                    language=(text.language or "") if isinstance(text, Literal) else "",
                    parent=row["parent"].value,  # type: ignore[union-attr]
                    order=int(_value(row["order"])),
                    reading=int(_value(row["reading"])),
                    segments=provision_key[2] if provision_key else (),
                    lines=_span(row.get("lineStart"), row.get("lineEnd")),
                    pages=_span(row.get("pageStart"), row.get("pageEnd")),
                )
                self.nodes[p] = node
            if kind == "Copy":
                node.copy = True
            elif kind in KINDS:
                node.kind = kind
        self.reading = sorted(self.nodes.values(), key=lambda n: n.reading)
        for node in self.reading:  # what a copy holds is a copy too
            node.copy = node.copy or any(a.copy for a in self.ancestors(node))
        for node in sorted(self.nodes.values(), key=lambda n: n.order):
            if node.parent in self.nodes:
                self.nodes[node.parent].children.append(node.iri)
        self.top = [n.iri for n in sorted(self.nodes.values(), key=lambda n: n.order) if n.parent == iri]
        short = {n.iri: ", ".join([self.ref.name, *self.place(n)]) for n in self.reading}
        # two provisions whose short places read alike (to a reader, or to resolve_citation) get the full one
        keys = {iri: _place_key(_tokens(cite.removeprefix(self.ref.name))) for iri, cite in short.items()}
        counts = Counter(keys[n.iri] for n in self.reading if not n.copy)
        for node in self.reading:
            node.cite = short[node.iri]
            if counts[keys[node.iri]] > 1 and not node.copy:
                node.cite = ", ".join([self.ref.name, *self.place(node, full=True)])

    def ancestors(self, node: _Node) -> list[_Node]:
        """From the top of the document down to the node's parent."""
        chain = []
        current = self.nodes.get(node.parent)
        while current is not None:
            chain.append(current)
            current = self.nodes.get(current.parent)
        return chain[::-1]

    def siblings(self, node: _Node) -> list[str]:
        return self.nodes[node.parent].children if node.parent in self.nodes else self.top

    def link(self, node: _Node) -> ProvisionRef:
        return ProvisionRef(node.iri, node.label, node.language, node.kind, self.ref, node.cite, self._title(node))

    def _title(self, node: _Node) -> str:
        """What breadcrumbs and headings call a provision: short, and never its whole text again."""
        if node.kind == "Part" and node.segments[-1:] == ("annex",):
            return "Annex"
        if node.kind == "Objective":
            return node.label.split(":", 1)[0]  # "Objective 7"; its heading follows on the page
        if node.heading and not node.number:
            return node.heading
        if node.number or not node.text or not node.label.endswith(node.text):
            return node.label
        place = self.place(node)[-1].strip("“”")  # an unnumbered bullet, whose label is its text
        return place[:1].upper() + place[1:]

    def depth(self, node: _Node) -> int:
        return len(self.ancestors(node))

    # citations ----------------------------------------------------------------------------------
    def place(self, node: _Node, *, full: bool = False) -> list[str]:
        """The parts of a provision's place in its citation, from the top down (without the document).

        The short form names what is numbered ("annex, para. 23 (c)"); the ``full`` form, used where
        the short one would name two provisions, adds the headings and positions above them.
        """
        parts: list[str] = []
        chain = [*self.ancestors(node), node]
        for n in chain:
            last = n is node
            if n.kind == "Part":
                if n.segments[-1:] == ("annex",):
                    parts.append("annex")
                elif last:
                    parts.append(f"“{n.heading or n.label}”")
            elif n.kind in ("Objective", "RoundTable") and not last:
                continue  # a paragraph's number is unique in the text; what groups it is in its breadcrumbs
            elif n.kind in (*_LETTERED, "GuidingPrinciple") and n.number and parts and parts[-1].startswith("para."):
                parts[-1] += f" ({n.number})"
            elif n.kind == "Recommendation" and n.number and parts and "recommendation" in parts[-1]:
                parts[-1] += f" ({n.number})"
            elif not n.number:
                if last or (full and n.kind not in ("Section", "Subsection", "ThematicHeading", "Letter")):
                    parts.append(self._unnumbered(n))
                elif full or n.kind == "ThematicHeading":
                    parts.append(f"“{n.heading}”")  # bullets are counted again under each printed sub-heading
            elif n.kind in _PARAGRAPHS or n.kind in _LETTERED:
                parts.append(f"para. {n.number}")
            elif n.kind == "PreambularParagraph":
                parts.append(f"preambular para. {n.number}")
            elif n.kind == "ThematicCluster":
                parts.append(f"cluster {n.number}")
            else:
                parts.append(f"{KIND_WORDS.get(n.kind, n.kind.lower())} {n.number}")
        return parts

    def _unnumbered(self, node: _Node) -> str:
        if node.heading:
            return f"“{node.heading}”"
        same = [s for s in self.siblings(node) if not self.nodes[s].number and self.nodes[s].kind == node.kind]
        word = KIND_WORDS.get(node.kind, node.kind.lower())
        return f"unnumbered {word} {same.index(node.iri) + 1}" if len(same) > 1 else f"unnumbered {word}"


# Read documents, kept per content: a release is named by the digest of its graph (the build activity
# ``id/build/{digest}``), so a service that switches to a release with the same graph (a rebuild of the
# same corpus) reads nothing again. A store without a build activity is its own key.
_BY_CONTENT: dict[tuple[str, str], dict[str, _Document]] = {}
_KEPT = 4  # contents kept: the served release, the one before it, and a little room for switches
_BY_STORE: weakref.WeakKeyDictionary[GraphStore, dict[str, _Document]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _documents_read(store: GraphStore) -> dict[str, _Document]:
    """The documents already read from this store's content (call with the lock held)."""
    if store in _BY_STORE:
        return _BY_STORE[store]
    iris = Iris(store.base_iri)
    builds = store.match(
        predicate=NamedNode(RDF + "type"), object=NamedNode(PROV + "Activity"), graph=iris.graph("quality")
    )
    if not builds:
        documents: dict[str, _Document] = {}
    else:
        key = (store.base_iri, builds[0].subject.value)  # type: ignore[union-attr]
        documents = _BY_CONTENT.pop(key, {})
        _BY_CONTENT[key] = documents  # the most recently used last
        while len(_BY_CONTENT) > _KEPT:
            del _BY_CONTENT[next(iter(_BY_CONTENT))]
    _BY_STORE[store] = documents
    return documents


def _document(store: GraphStore, iri: str) -> _Document:
    """A document's provisions, read once per content (a release never changes while it is served)."""
    with _LOCK:
        documents = _documents_read(store)
        if iri not in documents:
            documents[iri] = _Document(store, Iris(store.base_iri), iri)
        return documents[iri]


def _document_of(store: GraphStore, iri: str) -> _Document | None:
    """The document a provision (or document) IRI belongs to, if the graph has that document."""
    iris = Iris(store.base_iri)
    key = iris.provision_key(iri) or iris.document_key(iri)
    if key is None:
        return None
    document = iris.document(key[0], key[1])
    if not store.match(subject=document, predicate=NamedNode(RDF + "type"), object=iris.term("Document")):
        return None
    return _document(store, document.value)


def documents(store: GraphStore) -> list[DocumentRef]:
    """Every document of the graph, by date."""
    found = [_document(store, row["doc"].value).ref for row in store.select(sparql_prologue() + _DOCUMENTS)]  # type: ignore[union-attr]
    return sorted(found, key=lambda d: (d.date, d.key))


def provision_ref(store: GraphStore, iri: str) -> ProvisionRef | None:
    document = _document_of(store, iri)
    node = document.nodes.get(iri) if document else None
    return document.link(node) if document and node else None


# a provision's view -----------------------------------------------------------------------------


def provision_view(store: GraphStore, iri: str) -> ProvisionView | None:
    """The view of the provision ``iri``, or None when the graph has no such provision."""
    document = _document_of(store, iri)
    node = document.nodes.get(iri) if document else None
    if document is None or node is None:
        return None
    iris = Iris(store.base_iri)
    ancestors = document.ancestors(node)
    siblings = document.siblings(node)
    position = siblings.index(iri)
    parent = document.nodes.get(node.parent)
    context = (
        parent if parent is not None and parent.text and parent.kind in _PARAGRAPHS and node.kind in _LETTERED else None
    )
    mentions = _mentions(store, iris, iri)
    return ProvisionView(
        ref=document.link(node),
        number=node.number,
        heading=node.heading,
        text=node.text,
        kind_word=KIND_WORDS.get(node.kind, node.kind),
        breadcrumbs=tuple(document.link(a) for a in ancestors),
        context=document.link(context) if context else None,
        context_text=context.text if context else "",
        previous=document.link(document.nodes[siblings[position - 1]]) if position > 0 else None,
        next=document.link(document.nodes[siblings[position + 1]]) if position + 1 < len(siblings) else None,
        children=tuple(document.link(document.nodes[c]) for c in node.children),
        mentions=tuple(mentions),
        pieces=tuple(cut(node.text, [m for m in mentions if m.via_footnote is None])),
        relations=tuple(_relations(store, iris, iri)),
        lines=node.lines,
        pages=node.pages,
    )


def cut(text: str, mentions: list[MentionView]) -> list[Piece]:
    """The text in pieces, each mention (by its offsets) a piece of its own; overlapping ones keep the first.

    >>> [p.text for p in cut("the ILO and UNHCR", [MentionView("m", "e", "ILO", "ILO", 4, 7)])]
    ['the ', 'ILO', ' and UNHCR']
    """
    pieces: list[Piece] = []
    at = 0
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if m.start < at or m.end > len(text) or text[m.start : m.end] != m.surface:
            continue  # overlapping, or offsets that do not index this text: shown in the list, not inline
        if m.start > at:
            pieces.append(Piece(text[at : m.start]))
        pieces.append(Piece(text[m.start : m.end], m.entity, m.entity_label))
        at = m.end
    if at < len(text) or not pieces:
        pieces.append(Piece(text[at:]))
    return pieces


def _one(store: GraphStore, subject: NamedNode, predicate: NamedNode) -> str:
    found = store.match(subject=subject, predicate=predicate)
    return _value(found[0].object) if found else ""


def entity_label(store: GraphStore, entity: NamedNode) -> str:
    """An instrument's or actor's name: its English preferred label, else any label."""
    labels: list[Literal] = []
    for predicate in (SKOS + "prefLabel", RDFS + "label"):
        labels += [
            q.object
            for q in store.match(subject=entity, predicate=NamedNode(predicate))
            if isinstance(q.object, Literal)
        ]
    labels.sort(key=lambda lit: (lit.language not in (None, "", "en"), len(lit.value), lit.value))
    return labels[0].value if labels else entity.value


def _mentions(store: GraphStore, iris: Iris, iri: str) -> list[MentionView]:
    term = iris.term
    found = []
    mentions = store.match(predicate=term("mentionIn"), object=NamedNode(iri))
    store.prefetch(q.subject for q in mentions if isinstance(q.subject, NamedNode))  # one read, not one per mention
    for quad in mentions:
        node = quad.subject
        assert isinstance(node, NamedNode)
        entity = NamedNode(_one(store, node, term("mentionOf")))
        footnote = _one(store, node, term("viaFootnote"))
        found.append(
            MentionView(
                iri=node.value,
                entity=entity.value,
                entity_label=entity_label(store, entity),
                surface=_one(store, node, term("surfaceText")),
                start=int(_one(store, node, term("startOffset"))),
                end=int(_one(store, node, term("endOffset"))),
                via_footnote=provision_ref(store, footnote) if footnote else None,
            )
        )
    return sorted(found, key=lambda m: (m.via_footnote is not None, m.start, m.iri))


def _relations(store: GraphStore, iris: Iris, iri: str) -> list[Relation]:
    """The provision's alignments, grouped: one relation per provision on the other side and direction."""
    term = iris.term
    grouped: dict[tuple[str, str], list[Evidence]] = {}
    for direction, here, there_ in (("from", "alignedFrom", "alignedTo"), ("to", "alignedTo", "alignedFrom")):
        alignments = store.match(predicate=term(here), object=NamedNode(iri))
        store.prefetch(q.subject for q in alignments if isinstance(q.subject, NamedNode))  # one read for them all
        for quad in alignments:
            node = quad.subject
            assert isinstance(node, NamedNode)
            kinds = [
                _value(q.object).rsplit("#", 1)[-1]
                for q in store.match(subject=node, predicate=NamedNode(RDF + "type"))
            ]
            kind = next((RELATION_KINDS[k] for k in kinds if k in RELATION_KINDS), "")
            if not kind:
                continue
            score = _one(store, node, term("score"))
            found = Evidence(
                alignment=node.value,
                kind=kind,
                method=_one(store, node, term("method")),
                evidence=plain_evidence(store, _one(store, node, term("evidence"))),
                score=float(score) if score else None,
                change=_one(store, node, term("changeKind")).rsplit("change-", 1)[-1],
                difference=_one(store, node, term("difference")),
            )
            grouped.setdefault((direction, _one(store, node, term(there_))), []).append(found)
    relations = []
    for (direction, other), evidence in grouped.items():
        ref = provision_ref(store, other)
        if ref is None:
            continue
        document = _document(store, ref.document.iri)
        relations.append(
            Relation(
                kinds=tuple(dict.fromkeys(e.kind for e in evidence)),
                direction=direction,
                other=ref,
                other_text=document.nodes[other].text,
                evidence=tuple(sorted(evidence, key=lambda e: (e.kind, e.alignment))),
            )
        )
    return sorted(
        relations,
        key=lambda r: (r.other.document.date, _document(store, r.other.document.iri).nodes[r.other.iri].reading),
    )


_OFFSETS = re.compile(r"\s*\[\d+\s*[–:-]\s*\d+\]")
_PATH = re.compile(r"\b(?:in\s+)?([a-z0-9-]+/[a-z]{2,3}/[\w/-]+)")


def plain_evidence(store: GraphStore, evidence: str) -> str:
    """A linker's evidence in plain words: character offsets dropped, provision paths named by their citation.

    ``“decent work” [155–166] = “decent work” in a-73-l-66/en/annex/objective/6 [77–88]`` reads
    ``“decent work” = “decent work” in A/73/L.66, annex, objective 6``.
    """
    iris = Iris(store.base_iri)

    def named(match: re.Match[str]) -> str:
        ref = provision_ref(store, iris.id_space + match.group(1))
        prefix = "in " if match.group(0).startswith("in") else ""
        return f"{prefix}{ref.cite}" if ref else match.group(0)

    return _PATH.sub(named, _OFFSETS.sub("", evidence))


# the redline ----------------------------------------------------------------------------------


# a word with the punctuation printed on it, and the space after it ("workers;" replacing "workers" shows as
# such: splitting punctuation off cut the redlines into fragments a reader could not follow)
_WORD = re.compile(r"^\s+|\S+\s*")


def redline(draft: str, final: str) -> list[Change]:
    """What changed from ``draft`` to ``final``, word by word (whitespace kept with the word before it).

    >>> changes = redline("We will protect migrants", "We commit to protect all migrants")
    >>> " ".join(f"{c.op}:{c.text.strip()}" for c in changes)
    'equal:We delete:will insert:commit to equal:protect insert:all equal:migrants'
    """
    old, new = _WORD.findall(draft), _WORD.findall(final)
    # compare words without their trailing space, so that a word at a line's end still matches
    matcher = difflib.SequenceMatcher(None, [w.rstrip() for w in old], [w.rstrip() for w in new], autojunk=False)
    changes: list[Change] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            changes.append(Change("equal", "".join(new[b1:b2])))
        if op in ("delete", "replace"):
            changes.append(Change("delete", "".join(old[a1:a2])))
        if op in ("insert", "replace"):
            changes.append(Change("insert", "".join(new[b1:b2])))
    return changes


# the objective dossier --------------------------------------------------------------------------


def objective_dossier(store: GraphStore, iri: str) -> ObjectiveDossier | None:
    """The dossier of an objective (None for anything else)."""
    objective = provision_view(store, iri)
    if objective is None or objective.ref.kind != "Objective":
        return None
    iris = Iris(store.base_iri)
    commitment_iri = _one(store, NamedNode(iri), iris.term("hasCommitment"))
    commitment = provision_view(store, commitment_iri) if commitment_iri else None
    actions = []
    for child in commitment.children if commitment else ():
        view = provision_view(store, child.iri)
        if view is None:
            continue
        sources = view.related("lineage", "from")
        source = sources[0] if sources else None
        translations = view.related("translation", "to")
        actions.append(
            ActionDossier(
                view=view,
                source=source,
                redline=tuple(redline(source.other_text, view.text)) if source else (),
                translation=translations[0] if translations else None,
            )
        )
    translations = commitment.related("translation", "to") if commitment else []
    document = _document(store, objective.document.iri)
    objectives = [n for n in document.reading if n.kind == "Objective"]
    at = next(i for i, n in enumerate(objectives) if n.iri == iri)
    return ObjectiveDossier(
        objective=objective,
        commitment=commitment,
        commitment_translation=translations[0] if translations else None,
        actions=tuple(actions),
        reviews=tuple(r for r in objective.relations if r.direction == "to" and r.other.document.status == "review"),
        correspondences=tuple(r for r in objective.related("correspondence", "to")),
        previous=document.link(objectives[at - 1]) if at > 0 else None,
        next=document.link(objectives[at + 1]) if at + 1 < len(objectives) else None,
    )


# a document as text ---------------------------------------------------------------------------


def document_text(store: GraphStore, iri: str) -> DocumentText | None:
    """Every provision of the document ``iri`` in reading order, or None when it is not a document."""
    document = _document_of(store, iri)
    if document is None or document.ref.iri != iri:
        return None
    entries = [
        TextEntry(
            ref=document.link(n),
            depth=document.depth(n),
            number=n.number,
            heading=n.heading,
            text=n.text,
            anchor=anchor(n.segments),
        )
        for n in document.reading
    ]
    return DocumentText(document.ref, tuple(entries))


def anchor(segments: tuple[str, ...]) -> str:
    """The HTML id of a provision on its document's page: ``annex/para/17/a`` → ``annex-para-17-a``."""
    return "-".join(segments)


# citations ------------------------------------------------------------------------------------


def cite_as(store: GraphStore, iri: str) -> str | None:
    """The citation of a provision: ``"A/73/L.66, annex, para. 23 (c)"``; None for no provision."""
    ref = provision_ref(store, iri)
    return ref.cite if ref else None


_PLACE_WORDS = {
    "paragraph": "para",
    "paragraphs": "para",
    "para": "para",
    "paras": "para",
    "pp": "para",
    "action": "para",
    "item": "para",
    "commitment": "para",
    "§": "para",
    "objective": "objective",
    "obj": "objective",
    "footnote": "footnote",
    "fn": "footnote",
    "note": "footnote",
    "recommendation": "recommendation",
    "rec": "recommendation",
    "cluster": "cluster",
    "round": "round",
    "table": "table",
    "roundtable": "round",
    "preambular": "preambular",
    "preamble": "preambular",
    "pp.": "preambular",
    "annex": "annex",
    "unnumbered": "unnumbered",
}
_PLACE_STARTS = {
    "para",
    "objective",
    "footnote",
    "recommendation",
    "cluster",
    "round",
    "preambular",
    "annex",
    "unnumbered",
}
_IGNORED = {"of", "the", "in", "and", "sub", "heading", "op", "operative", "subparagraph", "letter", "no"}


def _fold(text: str) -> str:
    """Lower case, without accents or Arabic diacritics, with one kind of quotes and dashes."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("ـ", "")


def _tokens(text: str) -> list[str]:
    words = re.findall(r"§|[^\W\d_]+|\d+", _fold(text))
    return [_PLACE_WORDS.get(w, w) for w in words if w not in _IGNORED]


def _place_key(tokens: list[str]) -> tuple[bool, tuple[str, ...]]:
    """(mentions the annex, the rest) — with "para" implied before a bare number."""
    annex = "annex" in tokens
    rest = [t for t in tokens if t != "annex"]
    if rest and rest[0].isdigit():
        rest.insert(0, "para")
    return annex, tuple(rest)


def _name_tokens(document: DocumentRef) -> set[str]:
    # a symbol is matched as a whole (_symbol_pattern); its letters ("l" of "L.66") are not words of a name
    words = _tokens(f"{document.title} {'' if document.symbol else document.name} {document.status}")
    words += _tokens(document.key.replace("-", " ")) if not document.symbol else []
    words += [document.language, LANGUAGE_NAMES.get(document.language, "").lower()]
    # numbers and single letters name places ("para. 17 (a)"), never documents
    return {w for w in words if len(w) > 1 and not w.isdigit()} - set(_PLACE_WORDS.values())


def _symbol_pattern(symbol: str) -> re.Pattern[str]:
    """A symbol as people type it: any spacing, any case, "final" optional (``com(2018)168``)."""
    core = re.sub(r"\s+final$", "", symbol.strip(), flags=re.I)
    chars = [re.escape(c) for c in core if not c.isspace()]
    return re.compile(r"\s*".join(chars) + r"(?:\s*final)?", re.I)


def resolve_citation(store: GraphStore, citation: str) -> str | None:
    """The IRI of the provision a citation names, or None; tolerant of how people write them.

    ``"A/73/L.66, annex, para. 23 (c)"``, ``"a/73/l.66 para 23(c)"``, ``"A/73/L.66 action 23 c"``,
    ``"Zero Draft Plus, objective 4"``, ``"IMRF Progress Declaration para 17"`` all resolve.  The
    document is found by its symbol, else by the words of its name (each word weighed by how few
    documents share it); the place by the words and numbers of the citation, ``annex`` optional
    when only one provision fits.
    """
    docs = documents(store)
    rest = citation
    chosen: DocumentRef | None = None
    for document in docs:
        if document.symbol:
            found = _symbol_pattern(document.symbol).search(citation)
            if found:
                chosen, rest = document, citation[: found.start()] + " " + citation[found.end() :]
                break
    tokens = _tokens(rest)
    if chosen is None:  # no symbol: the document's name is what comes before the first word of a place
        names = {d.iri: _name_tokens(d) for d in docs}
        shared: dict[str, int] = {}
        for words in names.values():
            for w in words:
                shared[w] = shared.get(w, 0) + 1
        scores = {d.iri: sum(1 / shared[w] for w in set(tokens) if w in names[d.iri]) for d in docs}
        # a cover letter shares its words with the text it transmits: the text wins a tie
        rank = {d.iri: (scores[d.iri], d.status != "letter") for d in docs}
        ranked = sorted(docs, key=lambda d: rank[d.iri], reverse=True)
        if not ranked or scores[ranked[0].iri] == 0 or (len(ranked) > 1 and rank[ranked[1].iri] == rank[ranked[0].iri]):
            return None
        chosen = ranked[0]
        written = _tokens(chosen.name)
        starts = [i for i, t in enumerate(tokens) if t in _PLACE_STARTS]
        if tokens[: len(written)] == written:  # the name as the citation of a page writes it
            tokens = tokens[len(written) :]
        else:  # a name of one's own: the place begins with its first word
            tokens = tokens[starts[0] :] if starts else [t for t in tokens if t not in names[chosen.iri]]
    text = _document(store, chosen.iri)
    annex, wanted = _place_key(tokens)
    if not wanted:  # "A/73/L.66, annex": the annex itself
        return next((n.iri for n in text.reading if annex and n.segments == ("annex",)), None)
    # strictly first; then without the word "unnumbered" (people cite a bullet by its position)
    for strict in (True, False):
        match = _matches(text, annex, wanted if strict else tuple(t for t in wanted if t != "unnumbered"), strict)
        if match:
            return match
    return None


def _matches(text: _Document, annex: bool, wanted: tuple[str, ...], strict: bool) -> str | None:
    """The one provision whose place is ``wanted`` (annex as written, else annex ignored), or None."""
    exact: list[str] = []
    loose: list[str] = []
    for node in text.reading:
        if node.copy:
            continue
        node_annex, key = _place_key(_tokens(node.cite.removeprefix(text.ref.name)))
        if not strict:
            key = tuple(t for t in key if t != "unnumbered")
        if key == wanted:
            (exact if node_annex == annex else loose).append(node.iri)
    if len(exact) == 1:
        return exact[0]
    if not exact and len(loose) == 1:
        return loose[0]
    return None


def _value(term: object) -> str:
    if term is None:
        return ""
    return str(getattr(term, "value", term))


def _span(start: object, end: object) -> str:
    first, last = _value(start), _value(end)
    if not first:
        return ""
    return f"{first}–{last}" if last and last != first else first

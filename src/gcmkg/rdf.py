"""The RDF stage: the only place the document model and the linkers' links become quads.

What it maps, and into which named graph:

* a document's text (:func:`document_quads`): its own graph ``graph/{key}-{lang}``;
* findings (:func:`finding_quads`), the loaders' and the linkers', with the numbers the build
  gave them (:func:`gcmkg.build.numbered_findings`): the ``findings`` graph;
* the Compact as a work (:func:`compact_quads`) and the catalogue files' triples
  (:func:`catalogue_quads`): the ``catalogue`` graph;
* the links of stage ④ (:func:`links_quads`, model in :mod:`gcmkg.links`): alignments and
  retention flags in the ``alignments`` graph, mentions in the ``mentions`` graph;
* the linkers' figures against their hand-checked samples (:func:`quality_quads`, W3C DQV):
  the ``quality`` graph.

The mapping of a text, for a provision P of document D (expression ``id/{key}/{lang}``):

* ``P a gcm:{Kind}`` (the ontology makes every kind a ``gcm:Provision``);
* ``P eli:is_part_of parent`` and ``parent eli:has_part P``; ``P gcm:inDocument D``;
* ``P gcm:number 17`` (an ``xsd:integer`` where printed in digits, so it sorts 1, 2 … 10; the letter
  ``"a"`` where printed as one) and ``P gcm:numberLabel "23 (c)"`` as printed and cited,
  ``P gcm:order 3`` among siblings (1-based),
  ``P gcm:readingOrder 118`` across the whole document;
* ``P gcm:text "…"@lang`` (clean text), ``P gcm:heading "…"@lang`` (printed title);
* ``P rdfs:label "Paragraph 17"@en`` for display, whole and in the language of the text
  (``"Åtgärd 17 (a)"@sv``);
* ``P gcm:lineStart/lineEnd/pageStart/pageEnd`` and ``P prov:wasDerivedFrom D/source``;
* footnotes: ``P gcm:hasFootnote F``, ``F gcm:annotates P``, ``F gcm:markerOffset n``;
* ``H gcm:groups A`` / ``A gcm:underHeading H`` for thematic sub-headings;
* ``O gcm:hasCommitment C`` / ``C gcm:commitmentOf O`` for objectives.

Every IRI is minted by :class:`gcmkg.iris.Iris`.  No blank nodes are minted, so the same
input always gives the same quads.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator

from pyoxigraph import Literal, NamedNode, Quad, Triple

from gcmkg.iris import DCTERMS, DQV, ELI, PROV, RDF, RDFS, SKOS, XSD, Iris, undocs
from gcmkg.links import SHORTCUTS, Alignment, Links, Measure, Mention, NoCorrespondence, Retention
from gcmkg.model import Document, Finding, FindingKind, Provision, ProvisionKind

RDF_TYPE = NamedNode(RDF + "type")
RDFS_LABEL = NamedNode(RDFS + "label")
RDFS_COMMENT = NamedNode(RDFS + "comment")
RDFS_SEE_ALSO = NamedNode(RDFS + "seeAlso")
XSD_INTEGER = NamedNode(XSD + "integer")
XSD_DECIMAL = NamedNode(XSD + "decimal")
XSD_BOOLEAN = NamedNode(XSD + "boolean")
XSD_DATE = NamedNode(XSD + "date")
XSD_GYEARMONTH = NamedNode(XSD + "gYearMonth")

# Display names of the provision kinds, in the languages of the texts: a provision's label is in
# the language of its text ("Åtgärd 17 (a)"@sv, "توصية 3: …"@ar), never English words over it.
KIND_LABELS: dict[str, dict[ProvisionKind, str]] = {
    "en": {
        ProvisionKind.PART: "Part",
        ProvisionKind.SECTION: "Section",
        ProvisionKind.SUBSECTION: "Sub-section",
        ProvisionKind.HEADING: "Sub-heading",
        ProvisionKind.PREAMBULAR_PARAGRAPH: "Preambular paragraph",
        ProvisionKind.OPERATIVE_PARAGRAPH: "Operative paragraph",
        ProvisionKind.PARAGRAPH: "Paragraph",
        ProvisionKind.GUIDING_PRINCIPLE: "Guiding principle",
        ProvisionKind.OBJECTIVE_LIST_ENTRY: "Objective list entry",
        ProvisionKind.OBJECTIVE: "Objective",
        ProvisionKind.COMMITMENT: "Paragraph",
        ProvisionKind.ACTION: "Action",
        ProvisionKind.ITEM: "Item",
        ProvisionKind.SUBITEM: "Sub-item",
        ProvisionKind.FOOTNOTE: "Footnote",
        ProvisionKind.LETTER: "Letter",
        ProvisionKind.CLUSTER: "Thematic cluster",
        ProvisionKind.RECOMMENDATION: "Recommendation",
        ProvisionKind.ROUND_TABLE: "Round table",
    },
    "sv": {
        ProvisionKind.PART: "Del",
        ProvisionKind.SECTION: "Avsnitt",
        ProvisionKind.SUBSECTION: "Underavsnitt",
        ProvisionKind.HEADING: "Underrubrik",
        ProvisionKind.PREAMBULAR_PARAGRAPH: "Ingresspunkt",
        ProvisionKind.OPERATIVE_PARAGRAPH: "Operativ punkt",
        ProvisionKind.PARAGRAPH: "Punkt",
        ProvisionKind.GUIDING_PRINCIPLE: "Vägledande princip",
        ProvisionKind.OBJECTIVE_LIST_ENTRY: "Mål i förteckningen",
        ProvisionKind.OBJECTIVE: "Mål",
        ProvisionKind.COMMITMENT: "Punkt",
        ProvisionKind.ACTION: "Åtgärd",
        ProvisionKind.ITEM: "Led",
        ProvisionKind.SUBITEM: "Underled",
        ProvisionKind.FOOTNOTE: "Fotnot",
        ProvisionKind.LETTER: "Brev",
        ProvisionKind.CLUSTER: "Tematiskt kluster",
        ProvisionKind.RECOMMENDATION: "Rekommendation",
        ProvisionKind.ROUND_TABLE: "Rundabordssamtal",
    },
    "ar": {
        ProvisionKind.PART: "جزء",
        ProvisionKind.SECTION: "قسم",
        ProvisionKind.SUBSECTION: "قسم فرعي",
        ProvisionKind.HEADING: "عنوان فرعي",
        ProvisionKind.PREAMBULAR_PARAGRAPH: "فقرة من الديباجة",
        ProvisionKind.OPERATIVE_PARAGRAPH: "فقرة من المنطوق",
        ProvisionKind.PARAGRAPH: "فقرة",
        ProvisionKind.GUIDING_PRINCIPLE: "مبدأ توجيهي",
        ProvisionKind.OBJECTIVE_LIST_ENTRY: "بند من قائمة الأهداف",
        ProvisionKind.OBJECTIVE: "الهدف",
        ProvisionKind.COMMITMENT: "فقرة",
        ProvisionKind.ACTION: "إجراء",
        ProvisionKind.ITEM: "بند",
        ProvisionKind.SUBITEM: "بند فرعي",
        ProvisionKind.FOOTNOTE: "حاشية",
        ProvisionKind.LETTER: "رسالة",
        ProvisionKind.CLUSTER: "مجموعة مواضيعية",
        ProvisionKind.RECOMMENDATION: "توصية",
        ProvisionKind.ROUND_TABLE: "مائدة مستديرة",
    },
}


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD_INTEGER)


def date_literal(value: str) -> Literal:
    """``2018-12-12`` as xsd:date, ``2017-10`` as xsd:gYearMonth."""
    if len(value) == 7:
        return Literal(value, datatype=XSD_GYEARMONTH)
    return Literal(value, datatype=XSD_DATE)


def number_literal(number: str) -> Literal:
    """``gcm:number``: an ``xsd:integer`` where the provision is numbered in digits, else the letter as printed.

    >>> number_literal("17").datatype.value, number_literal("a").datatype.value
    ('http://www.w3.org/2001/XMLSchema#integer', 'http://www.w3.org/2001/XMLSchema#string')
    """
    return integer(int(number)) if number.isascii() and number.isdigit() else Literal(number)


def number_label(provision: Provision, parent: Provision | None) -> str | None:
    """The number as printed and cited (``gcm:numberLabel``): ``17``, ``23 (c)`` (action c of paragraph 23), ``(a)``."""
    number = provision.number
    if (
        number
        and parent is not None
        and parent.number
        and provision.kind
        in (
            ProvisionKind.ACTION,
            ProvisionKind.ITEM,
            ProvisionKind.SUBITEM,
            ProvisionKind.GUIDING_PRINCIPLE,
        )
    ):
        return f"{parent.number} ({number})" if parent.number.isdigit() else f"({number})"
    if number and provision.kind in (ProvisionKind.ACTION, ProvisionKind.ITEM, ProvisionKind.SUBITEM):
        return f"({number})"
    return number


def provision_label(provision: Provision, parent: Provision | None, language: str = "en") -> str:
    """A display label in ``language`` (the language of the provision's text), whole, never cut.

    ``Action 17 (a)``, ``Objective 1: Collect and utilize …`` (the printed heading in full),
    ``Åtgärd 17 (a)`` in Swedish.  A language without kind names in :data:`KIND_LABELS` is a
    build error: a label must not put words of one language over a text in another.
    """
    if language not in KIND_LABELS:
        raise ValueError(
            f"provision {'/'.join(provision.path)}: no kind names in {language!r} for its label (rdf.KIND_LABELS)"
        )
    kind = KIND_LABELS[language][provision.kind]
    number = number_label(provision, parent)
    label = f"{kind} {number}" if number else kind
    title = provision.heading or (None if number else provision.text)
    if title:
        if title.lower().startswith(label.lower()):
            return title  # the printed heading already names it ("Round table 3 (objectives …)")
        label = f"{label}: {title}" if number or provision.kind not in (ProvisionKind.SECTION,) else title
    return label


class DocumentGraph:
    """Builds the quads of one :class:`Document` in its own named graph."""

    def __init__(self, iris: Iris, document: Document, *, loader: str) -> None:
        self.iris = iris
        self.document = document
        self.loader = loader
        self.graph = iris.text_graph(document.key, document.language)
        self.doc_iri = iris.document(document.key, document.language)
        self.index = document.by_path()
        self.footnotes = {p.number: p for p in document.walk() if p.kind is ProvisionKind.FOOTNOTE and p.number}

    def _t(self, name: str) -> NamedNode:
        return self.iris.term(name)

    def _q(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> Quad:
        return Quad(s, p, o, self.graph)

    def _text(self, value: str) -> Literal:
        return Literal(value, language=self.document.language)

    def provision_iri(self, path: tuple[str, ...]) -> NamedNode:
        return self.iris.provision(self.document.key, self.document.language, path)

    def quads(self) -> Iterator[Quad]:
        yield from self._document_quads()
        reading_order = itertools.count(1)
        for order, provision in enumerate(self.document.provisions, start=1):
            yield from self._provision_quads(provision, None, order, reading_order)

    def _document_quads(self) -> Iterator[Quad]:
        doc = self.document
        d, q, t = self.doc_iri, self._q, self._t
        work = self.iris.work(doc.key)
        source = self.iris.source(doc.key, doc.language)
        yield q(work, RDF_TYPE, t("Work"))
        yield q(work, RDF_TYPE, NamedNode(ELI + "LegalResource"))
        yield q(work, NamedNode(ELI + "is_realized_by"), d)
        yield q(work, RDFS_LABEL, Literal(doc.symbol or doc.title))
        yield q(d, RDF_TYPE, t("Document"))
        yield q(d, RDF_TYPE, NamedNode(ELI + "LegalExpression"))
        yield q(d, NamedNode(ELI + "realizes"), work)
        yield q(d, NamedNode(ELI + "title"), Literal(doc.title, language="en"))
        yield q(d, RDFS_LABEL, Literal(f"{doc.symbol or doc.title} ({doc.language})"))
        yield q(d, NamedNode(DCTERMS + "language"), Literal(doc.language, datatype=NamedNode(XSD + "language")))
        yield q(d, NamedNode(ELI + "date_document"), date_literal(doc.date))
        yield q(d, t("status"), t(f"status-{doc.status}"))
        yield q(d, NamedNode(ELI + "is_embodied_by"), source)
        yield q(d, NamedNode(PROV + "wasDerivedFrom"), source)
        yield q(d, t("loader"), Literal(self.loader))
        if doc.symbol:
            yield q(d, t("symbol"), Literal(doc.symbol))
            yield q(d, NamedNode(ELI + "id_local"), Literal(doc.symbol))
            if doc.symbol.startswith("A/"):
                yield q(d, RDFS_SEE_ALSO, undocs(doc.symbol))
        if doc.version_of:
            target = self.iris.compact() if doc.version_of == "gcm" else self.iris.work(doc.version_of)
            yield q(work, t("versionOf"), target)
        if doc.part_of:
            yield q(work, NamedNode(ELI + "is_part_of"), self.iris.work(doc.part_of))
        yield q(source, RDF_TYPE, NamedNode(ELI + "Format"))
        yield q(source, RDF_TYPE, NamedNode(PROV + "Entity"))
        yield q(source, NamedNode(ELI + "embodies"), d)
        yield q(source, t("fileName"), Literal(f"corpus/{doc.source_file}"))
        yield q(source, NamedNode(ELI + "format"), NamedNode("http://www.iana.org/assignments/media-types/text/plain"))
        yield q(source, RDFS_LABEL, Literal(f"corpus/{doc.source_file}"))

    def _provision_quads(
        self, provision: Provision, parent: Provision | None, order: int, reading_order: Iterator[int]
    ) -> Iterator[Quad]:
        """The quads of a provision and its descendants; ``reading_order`` numbers them in document order."""
        position = next(reading_order)
        q, t = self._q, self._t
        language = provision.language or self.document.language  # a provision printed in another language
        p = self.provision_iri(provision.path)
        parent_iri = self.provision_iri(parent.path) if parent else self.doc_iri
        out: list[Quad] = [
            q(p, RDF_TYPE, t(provision.kind.value)),
            q(p, NamedNode(ELI + "is_part_of"), parent_iri),
            q(parent_iri, NamedNode(ELI + "has_part"), p),
            q(p, t("inDocument"), self.doc_iri),
            q(p, t("order"), integer(order)),
            q(p, t("readingOrder"), integer(position)),
            q(p, t("text"), Literal(provision.text, language=language)),
            q(
                p,
                RDFS_LABEL,
                Literal(provision_label(provision, parent, self._kind_language(language)), language=language),
            ),
            q(p, t("lineStart"), integer(provision.span.line_start)),
            q(p, t("lineEnd"), integer(provision.span.line_end)),
            q(p, NamedNode(PROV + "wasDerivedFrom"), self.iris.source(self.document.key, self.document.language)),
        ]
        if provision.number is not None:
            out.append(q(p, t("number"), number_literal(provision.number)))
            out.append(q(p, t("numberLabel"), Literal(number_label(provision, parent) or provision.number)))
        if provision.heading is not None:
            out.append(q(p, t("heading"), Literal(provision.heading, language=language)))
        if provision.language is not None:
            out.append(q(p, NamedNode(DCTERMS + "language"), Literal(language, datatype=NamedNode(XSD + "language"))))
        if provision.copy_of is not None:  # a block printed twice: the copy, linked to what it repeats
            self._require(provision.copy_of, provision)
            out += [q(p, RDF_TYPE, t("Copy")), q(p, t("copyOf"), self.provision_iri(provision.copy_of))]
        if provision.span.page_start is not None:
            out.append(q(p, t("pageStart"), integer(provision.span.page_start)))
            out.append(q(p, t("pageEnd"), integer(provision.span.page_end or provision.span.page_start)))
        for ref in provision.footnote_refs:
            footnote = self.footnotes.get(ref.number)
            if footnote is None:
                raise ValueError(
                    f"{self.document.source_file}:{provision.span.line_start}: provision "
                    f"{'/'.join(provision.path)} has footnote marker {ref.number} but the document has no such footnote"
                )
            f = self.provision_iri(footnote.path)
            out += [q(p, t("hasFootnote"), f), q(f, t("annotates"), p), q(f, t("markerOffset"), integer(ref.offset))]
        for grouped in provision.groups:
            self._require(grouped, provision)
            g = self.provision_iri(grouped)
            out += [q(p, t("groups"), g), q(g, t("underHeading"), p)]
        if provision.commitment is not None:
            self._require(provision.commitment, provision)
            c = self.provision_iri(provision.commitment)
            out += [q(p, t("hasCommitment"), c), q(c, t("commitmentOf"), p)]
        if provision.objective_number is not None:
            out.append(q(p, t("objectiveNumber"), number_literal(provision.objective_number)))
        yield from out
        for child_order, child in enumerate(provision.children, start=1):
            yield from self._provision_quads(child, provision, child_order, reading_order)

    def _kind_language(self, language: str) -> str:
        """The language of a label's kind word: the text's, or the document's for text in several ("mul")."""
        return language if language in KIND_LABELS else self.document.language

    def _require(self, path: tuple[str, ...], provision: Provision) -> None:
        if path not in self.index:
            raise ValueError(
                f"{self.document.source_file}:{provision.span.line_start}: provision "
                f"{'/'.join(provision.path)} refers to {'/'.join(path)}, which the document does not have"
            )


def document_quads(iris: Iris, document: Document, *, loader: str) -> Iterator[Quad]:
    """The quads of one loaded document's text, in its own named graph (not its findings)."""
    return DocumentGraph(iris, document, loader=loader).quads()


def finding_quads(iris: Iris, document: Document, numbered: Iterable[tuple[int, Finding]]) -> Iterator[Quad]:
    """A document's findings, as numbered by the build (``id/{key}/{lang}/finding/{n}``), in the ``findings`` graph.

    A finding that quotes words of its provision (an unknown instrument or entity) is labelled by them
    and carries them with their offsets.
    """
    graph = iris.graph("findings")
    index = document.by_path()
    doc = iris.document(document.key, document.language)
    t = iris.term
    for number, finding in numbered:
        f = iris.finding(document.key, document.language, number)
        if finding.provision is not None:
            if finding.provision not in index:
                raise ValueError(f"finding {number} of {document.key} names unknown provision {finding.provision}")
            about = iris.provision(document.key, document.language, finding.provision)
        else:
            about = doc
        excerpt = finding.excerpt
        if finding.kind is FindingKind.UNKNOWN_INSTRUMENT and excerpt is not None:
            label = f"Unknown instrument: {excerpt.text}"
        elif finding.kind is FindingKind.UNKNOWN_ENTITY and excerpt is not None:
            label = f"Unknown entity: {excerpt.text}"
        else:
            label = f"Finding {number} in {document.symbol or document.key} ({document.language})"
        yield Quad(f, RDF_TYPE, t("Finding"), graph)
        yield Quad(f, RDF_TYPE, t(finding.kind.value), graph)
        yield Quad(f, t("concerns"), about, graph)
        yield Quad(f, t("inDocument"), doc, graph)
        yield Quad(f, RDFS_COMMENT, Literal(finding.message, language="en"), graph)
        yield Quad(f, RDFS_LABEL, Literal(label), graph)
        yield Quad(f, t("lineStart"), integer(finding.span.line_start), graph)
        yield Quad(f, t("lineEnd"), integer(finding.span.line_end), graph)
        if excerpt is not None:
            yield Quad(f, t("surfaceText"), Literal(excerpt.text), graph)
            yield Quad(f, t("startOffset"), integer(excerpt.start), graph)
            yield Quad(f, t("endOffset"), integer(excerpt.end), graph)


def compact_quads(iris: Iris) -> Iterator[Quad]:
    """The Global Compact as a work, in the catalogue graph."""
    graph = iris.graph("catalogue")
    gcm = iris.compact()
    yield Quad(gcm, RDF_TYPE, iris.term("Work"), graph)
    yield Quad(gcm, RDF_TYPE, NamedNode(ELI + "LegalResource"), graph)
    yield Quad(gcm, RDFS_LABEL, Literal("Global Compact for Safe, Orderly and Regular Migration", language="en"), graph)
    yield Quad(gcm, NamedNode(SKOS + "altLabel"), Literal("GCM", language="en"), graph)


def catalogue_quads(iris: Iris, triples: Iterable[Triple]) -> Iterator[Quad]:
    """The catalogue files' triples, unchanged, in the ``catalogue`` graph."""
    graph = iris.graph("catalogue")
    return (Quad(t.subject, t.predicate, t.object, graph) for t in triples)


# Links (stage ④) ----------------------------------------------------------------------------
def links_quads(iris: Iris, links: Links) -> Iterator[Quad]:
    """A linker's alignments, retention flags and mentions (its findings go through the build's numbering)."""
    yield from alignment_quads(iris, links.alignments)
    yield from retention_quads(iris, links.retentions)
    yield from no_correspondence_quads(iris, links.unmatched)
    yield from mention_quads(iris, links.mentions)


def alignment_slug(alignment: Alignment) -> str:
    """A deterministic identifier for the pair: a digest of the two IRIs."""
    return hashlib.sha1(f"{alignment.source.value} {alignment.target.value}".encode()).hexdigest()[:16]


def alignment_quads(iris: Iris, alignments: Iterable[Alignment]) -> Iterator[Quad]:
    """One ``id/alignment/{kind}/{slug}`` resource per alignment, plus the shortcut, in the ``alignments`` graph.

    The shortcut property (:data:`gcmkg.links.SHORTCUTS`) lets simple queries skip the
    alignment resource; a ``new`` provision has no ancestor, so its alignment (to where it
    was added) gets none.
    """
    graph = iris.graph("alignments")
    t = iris.term
    for a in alignments:
        node = iris.alignment(a.kind.removesuffix("Alignment").lower(), alignment_slug(a))
        yield Quad(node, RDF_TYPE, t("Alignment"), graph)
        yield Quad(node, RDF_TYPE, t(a.kind), graph)
        yield Quad(node, t("alignedFrom"), a.source, graph)
        yield Quad(node, t("alignedTo"), a.target, graph)
        yield Quad(node, t("method"), Literal(a.method), graph)
        yield Quad(node, RDFS_LABEL, Literal(f"{a.kind} ({a.method})"), graph)
        if a.change != "new":
            yield Quad(a.source, t(SHORTCUTS[a.kind]), a.target, graph)
        if a.score is not None:
            yield Quad(node, t("score"), Literal(f"{a.score:.4f}", datatype=XSD_DECIMAL), graph)
        if a.rank is not None:
            yield Quad(node, t("rank"), integer(a.rank), graph)
        if a.change is not None:
            yield Quad(node, t("changeKind"), t(f"change-{a.change}"), graph)
        if a.difference is not None:
            yield Quad(node, t("difference"), Literal(a.difference, language="en"), graph)
        if a.evidence is not None:
            yield Quad(node, t("evidence"), Literal(a.evidence), graph)
        for n, span in enumerate(a.spans, start=1):
            span_node = NamedNode(f"{node.value}/span/{n}")
            yield Quad(node, t("evidenceSpan"), span_node, graph)
            yield Quad(span_node, RDF_TYPE, t("EvidenceSpan"), graph)
            yield Quad(span_node, t("spanIn"), span.provision, graph)
            yield Quad(span_node, t("spanText"), Literal(span.text), graph)
            yield Quad(span_node, t("spanStart"), integer(span.start), graph)
            yield Quad(span_node, t("spanEnd"), integer(span.end), graph)


def no_correspondence_quads(iris: Iris, unmatched: Iterable[NoCorrespondence]) -> Iterator[Quad]:
    """One ``id/no-correspondence/{slug}`` resource per explicit no-match, in the ``alignments`` graph."""
    graph = iris.graph("alignments")
    t = iris.term
    for u in unmatched:
        slug = hashlib.sha1(u.source.value.encode()).hexdigest()[:16]
        node = iris.alignment("no-correspondence", slug)
        yield Quad(node, RDF_TYPE, t("NoCorrespondence"), graph)
        yield Quad(node, t("noCorrespondenceFor"), u.source, graph)
        yield Quad(node, t("decisionMethod"), Literal(u.method), graph)
        yield Quad(node, t("reason"), Literal(u.reason, language="en"), graph)
        yield Quad(node, RDFS_LABEL, Literal(f"No corresponding objective ({u.method})"), graph)


def retention_quads(iris: Iris, retentions: Iterable[Retention]) -> Iterator[Quad]:
    """``gcm:retainedInFinal`` true or false on draft provisions, in the ``alignments`` graph."""
    graph = iris.graph("alignments")
    for r in retentions:
        value = Literal("true" if r.retained else "false", datatype=XSD_BOOLEAN)
        yield Quad(r.provision, iris.term("retainedInFinal"), value, graph)


def mention_quads(iris: Iris, mentions: Iterable[Mention]) -> Iterator[Quad]:
    """Mentions in the ``mentions`` graph, numbered per provision in the order given (``…/mention/{n}``).

    Each mention also gives its provision ``gcm:cites`` (an instrument) or ``gcm:namesActor``.
    """
    graph = iris.graph("mentions")
    t = iris.term
    numbers: dict[NamedNode, int] = defaultdict(int)
    for m in mentions:
        numbers[m.provision] += 1
        node = iris.mention(m.provision, numbers[m.provision])
        yield Quad(node, RDF_TYPE, t("Mention"), graph)
        yield Quad(node, t("mentionIn"), m.provision, graph)
        yield Quad(node, t("mentionOf"), m.entity, graph)
        yield Quad(node, t("surfaceText"), Literal(m.surface), graph)
        yield Quad(node, t("startOffset"), integer(m.start), graph)
        yield Quad(node, t("endOffset"), integer(m.end), graph)
        yield Quad(node, RDFS_LABEL, Literal(m.label), graph)
        if m.via_footnote is not None:
            yield Quad(node, t("viaFootnote"), m.via_footnote, graph)
        yield Quad(m.provision, t("namesActor" if m.actor else "cites"), m.entity, graph)


# Link quality (W3C DQV) ----------------------------------------------------------------------
_METRIC_DEFINITIONS = {
    "precision": "the share of the links the linker made, among those the sample decides, that the sample confirms",
    "recall": "the share of the sample's links that the linker made",
    "precision@1": "the share of the sample's items whose first-ranked link is one the sample gives",
}


def metric_definition(linker: str, metric: str, sample: str) -> str:
    """What a metric counts, in English: ``precision:ilo`` is precision restricted to the category ``ilo``."""
    base, _, category = metric.partition(":")
    what = _METRIC_DEFINITIONS.get(base, f"{base}, as the linker's measure defines it")
    if category:
        what += f", counting only links of the category {category!r}"
    return f"{what[0].upper()}{what[1:]}: hits / total, measured on the hand-checked sample samples/{sample}."


def build_quads(iris: Iris, digest: str) -> Iterator[Quad]:
    """The build of the release (a prov:Activity named by the digest of the graph it measured)."""
    graph = iris.graph("quality")
    build = iris.build_activity(digest)
    yield Quad(build, RDF_TYPE, NamedNode(PROV + "Activity"), graph)
    yield Quad(build, RDFS_LABEL, Literal(f"Build of release {digest}", language="en"), graph)
    yield Quad(build, NamedNode(DCTERMS + "identifier"), Literal(digest), graph)
    yield Quad(
        build,
        RDFS_COMMENT,
        Literal(
            "The release is named by the SHA-256 digest of its graph's sorted N-Quads (every named graph but "
            "graph/quality): the same input gives the same release, the same figures and the same dumps.",
            language="en",
        ),
        graph,
    )


def quality_quads(
    iris: Iris, digest: str, linker: str, sample: str, entries: int, measures: Iterable[Measure]
) -> Iterator[Quad]:
    """One linker's figures as DQV in the ``quality`` graph: per metric a ``dqv:Metric`` and its measurement.

    The measurement is ``dqv:computedOn`` the dataset, ``prov:wasDerivedFrom`` the sample (a
    ``gcm:Sample`` with its file name and entry count) and ``prov:wasGeneratedBy`` the build of
    the release (:func:`build_quads`); ``gcm:hits``, ``gcm:total`` and ``gcm:meetsTarget`` say
    how the value was reached and whether it reaches the metric's ``gcm:target``.
    """
    graph = iris.graph("quality")
    t = iris.term
    dqv = lambda name: NamedNode(DQV + name)  # noqa: E731
    node = iris.sample(sample)
    yield Quad(node, RDF_TYPE, t("Sample"), graph)
    yield Quad(node, RDFS_LABEL, Literal(f"Hand-checked sample {sample}", language="en"), graph)
    yield Quad(node, NamedNode(DCTERMS + "identifier"), Literal(sample), graph)
    yield Quad(node, t("entryCount"), integer(entries), graph)
    build = iris.build_activity(digest)
    yield Quad(build, NamedNode(PROV + "used"), node, graph)
    for m in measures:
        metric = iris.quality_metric(linker, m.metric)
        yield Quad(metric, RDF_TYPE, dqv("Metric"), graph)
        yield Quad(metric, RDFS_LABEL, Literal(f"{linker}: {m.metric}", language="en"), graph)
        yield Quad(
            metric,
            NamedNode(SKOS + "definition"),
            Literal(metric_definition(linker, m.metric, sample), language="en"),
            graph,
        )
        yield Quad(metric, dqv("expectedDataType"), XSD_DECIMAL, graph)
        yield Quad(metric, t("linker"), Literal(linker), graph)
        yield Quad(metric, t("target"), Literal(f"{m.target:.4f}", datatype=XSD_DECIMAL), graph)
        measurement = iris.quality_measurement(linker, m.metric)
        below = "" if m.meets_target else ", below target"
        yield Quad(measurement, RDF_TYPE, dqv("QualityMeasurement"), graph)
        yield Quad(
            measurement,
            RDFS_LABEL,
            Literal(
                f"{linker} {m.metric}: {m.hits}/{m.total} = {m.value:.3f} (target {m.target:.2f}{below})", language="en"
            ),
            graph,
        )
        yield Quad(measurement, dqv("isMeasurementOf"), metric, graph)
        yield Quad(measurement, dqv("computedOn"), iris.dataset(), graph)
        yield Quad(measurement, dqv("value"), Literal(f"{m.value:.4f}", datatype=XSD_DECIMAL), graph)
        yield Quad(measurement, t("hits"), integer(m.hits), graph)
        yield Quad(measurement, t("total"), integer(m.total), graph)
        yield Quad(
            measurement, t("meetsTarget"), Literal("true" if m.meets_target else "false", datatype=XSD_BOOLEAN), graph
        )
        yield Quad(measurement, NamedNode(PROV + "wasDerivedFrom"), node, graph)
        yield Quad(measurement, NamedNode(PROV + "wasGeneratedBy"), build, graph)
        if m.note:
            yield Quad(measurement, RDFS_COMMENT, Literal(m.note, language="en"), graph)

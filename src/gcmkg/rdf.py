"""Stage ③: the document model as quads, one named graph per source document.

The mapping, for a provision P of document D (expression ``id/{key}/{lang}``):

* ``P a gcm:{Kind}`` (the ontology makes every kind a ``gcm:Provision``);
* ``P eli:is_part_of parent`` and ``parent eli:has_part P``; ``P gcm:inDocument D``;
* ``P gcm:number "17"`` as printed, ``P gcm:order 3`` among siblings (1-based),
  ``P gcm:readingOrder 118`` across the whole document;
* ``P gcm:text "…"@lang`` (clean text), ``P gcm:heading "…"@lang`` (printed title);
* ``P rdfs:label "Paragraph 17"@en`` for display;
* ``P gcm:lineStart/lineEnd/pageStart/pageEnd`` and ``P prov:wasDerivedFrom D/source``;
* footnotes: ``P gcm:hasFootnote F``, ``F gcm:annotates P``, ``F gcm:markerOffset n``;
* ``H gcm:groups A`` / ``A gcm:underHeading H`` for thematic sub-headings;
* ``O gcm:hasCommitment C`` / ``C gcm:commitmentOf O`` for objectives.

No blank nodes are minted, so the same input always gives the same quads.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from pyoxigraph import Literal, NamedNode, Quad

from gcmkg.iris import DCTERMS, ELI, PROV, RDF, RDFS, SKOS, XSD, Iris, undocs
from gcmkg.model import Document, Finding, Provision, ProvisionKind

RDF_TYPE = NamedNode(RDF + "type")
RDFS_LABEL = NamedNode(RDFS + "label")
RDFS_COMMENT = NamedNode(RDFS + "comment")
RDFS_SEE_ALSO = NamedNode(RDFS + "seeAlso")
XSD_INTEGER = NamedNode(XSD + "integer")
XSD_DATE = NamedNode(XSD + "date")
XSD_GYEARMONTH = NamedNode(XSD + "gYearMonth")

# English display names of the provision kinds, used in labels.
KIND_LABELS: dict[ProvisionKind, str] = {
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
}

LABEL_MAX = 80


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD_INTEGER)


def date_literal(value: str) -> Literal:
    """``2018-12-12`` as xsd:date, ``2017-10`` as xsd:gYearMonth."""
    if len(value) == 7:
        return Literal(value, datatype=XSD_GYEARMONTH)
    return Literal(value, datatype=XSD_DATE)


def provision_label(provision: Provision, parent: Provision | None) -> str:
    """A short English display label, e.g. ``Action 17 (a)``, ``Objective 1: Collect …``."""
    kind = KIND_LABELS[provision.kind]
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
        number = f"{parent.number} ({number})" if parent.number.isdigit() else f"({number})"
    elif number and provision.kind in (ProvisionKind.ACTION, ProvisionKind.ITEM, ProvisionKind.SUBITEM):
        number = f"({number})"
    label = f"{kind} {number}" if number else kind
    title = provision.heading or (None if number else provision.text)
    if title:
        title = title if len(title) <= LABEL_MAX else title[: LABEL_MAX - 1].rstrip() + "…"
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
        p = self.provision_iri(provision.path)
        parent_iri = self.provision_iri(parent.path) if parent else self.doc_iri
        out: list[Quad] = [
            q(p, RDF_TYPE, t(provision.kind.value)),
            q(p, NamedNode(ELI + "is_part_of"), parent_iri),
            q(parent_iri, NamedNode(ELI + "has_part"), p),
            q(p, t("inDocument"), self.doc_iri),
            q(p, t("order"), integer(order)),
            q(p, t("readingOrder"), integer(position)),
            q(p, t("text"), self._text(provision.text)),
            q(p, RDFS_LABEL, Literal(provision_label(provision, parent), language="en")),
            q(p, t("lineStart"), integer(provision.span.line_start)),
            q(p, t("lineEnd"), integer(provision.span.line_end)),
            q(p, NamedNode(PROV + "wasDerivedFrom"), self.iris.source(self.document.key, self.document.language)),
        ]
        if provision.number is not None:
            out.append(q(p, t("number"), Literal(provision.number)))
        if provision.heading is not None:
            out.append(q(p, t("heading"), self._text(provision.heading)))
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
            out.append(q(p, t("objectiveNumber"), Literal(provision.objective_number)))
        yield from out
        for child_order, child in enumerate(provision.children, start=1):
            yield from self._provision_quads(child, provision, child_order, reading_order)

    def _require(self, path: tuple[str, ...], provision: Provision) -> None:
        if path not in self.index:
            raise ValueError(
                f"{self.document.source_file}:{provision.span.line_start}: provision "
                f"{'/'.join(provision.path)} refers to {'/'.join(path)}, which the document does not have"
            )


def finding_quads(iris: Iris, document: Document) -> Iterator[Quad]:
    """The document's data-quality findings, in the ``findings`` graph."""
    graph = iris.graph("findings")
    index = document.by_path()
    for number, finding in enumerate(document.findings, start=1):
        yield from _finding(iris, document, index, number, finding, graph)


def _finding(
    iris: Iris,
    document: Document,
    index: dict[tuple[str, ...], Provision],
    number: int,
    finding: Finding,
    graph: NamedNode,
) -> Iterable[Quad]:
    f = iris.finding(document.key, document.language, number)
    doc = iris.document(document.key, document.language)
    if finding.provision is not None:
        if finding.provision not in index:
            raise ValueError(f"finding {number} of {document.key} names unknown provision {finding.provision}")
        about = iris.provision(document.key, document.language, finding.provision)
    else:
        about = doc
    t = iris.term
    return [
        Quad(f, RDF_TYPE, t("Finding"), graph),
        Quad(f, RDF_TYPE, t(finding.kind.value), graph),
        Quad(f, t("concerns"), about, graph),
        Quad(f, t("inDocument"), doc, graph),
        Quad(f, RDFS_COMMENT, Literal(finding.message, language="en"), graph),
        Quad(
            f,
            RDFS_LABEL,
            Literal(f"Finding {number} in {document.symbol or document.key} ({document.language})"),
            graph,
        ),
        Quad(f, t("lineStart"), integer(finding.span.line_start), graph),
        Quad(f, t("lineEnd"), integer(finding.span.line_end), graph),
    ]


def compact_quads(iris: Iris) -> Iterator[Quad]:
    """The Global Compact as a work, in the catalogue graph."""
    graph = iris.graph("catalogue")
    gcm = iris.compact()
    yield Quad(gcm, RDF_TYPE, iris.term("Work"), graph)
    yield Quad(gcm, RDF_TYPE, NamedNode(ELI + "LegalResource"), graph)
    yield Quad(gcm, RDFS_LABEL, Literal("Global Compact for Safe, Orderly and Regular Migration", language="en"), graph)
    yield Quad(gcm, NamedNode(SKOS + "altLabel"), Literal("GCM", language="en"), graph)


def document_quads(iris: Iris, document: Document, *, loader: str) -> Iterator[Quad]:
    """All quads for one loaded document: its text graph and its findings."""
    yield from DocumentGraph(iris, document, loader=loader).quads()
    yield from finding_quads(iris, document)


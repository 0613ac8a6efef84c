"""Every IRI the graph mints is minted here, and every namespace is a constant here.

The layout under the configured base IRI (default ``http://127.0.0.1:8000/``)::

    {base}ontology#Objective                  the gcmkg vocabulary (hash namespace)
    {base}id/{doc}                            a document as a work (eli:LegalResource)
    {base}id/{doc}/{lang}                     its language expression (eli:LegalExpression)
    {base}id/{doc}/{lang}/source              the corpus file it was read from (eli:Format)
    {base}id/{doc}/{lang}/{path...}           a provision, e.g. .../annex/para/17/a
    {base}id/{doc}/{lang}/{path...}/mention/{n}   an evidence span inside a provision
    {base}id/{doc}/{lang}/finding/{n}         a data-quality finding about the document
    {base}id/gcm                              the Global Compact as a work, across its versions
    {base}id/instrument/{slug}                a referenced instrument (catalogue)
    {base}id/actor/{slug}                     a named actor (catalogue)
    {base}id/alignment/{kind}/{slug}          a relation between provisions, with evidence
    {base}graph/{name}                        a named graph
    {base}dataset                             the VoID dataset

External identifiers are used as they are: SDG targets ``http://metadata.un.org/sdg/10.7``,
UN documents ``https://undocs.org/{symbol}``, ILO instruments via their NORMLEX pages.

Turtle and SPARQL files in this project write the vocabulary as a *relative* prefix
(``PREFIX gcm: <ontology#>``) and are parsed or run with the base IRI, so they follow the
setting without being rewritten.
"""

from __future__ import annotations

from urllib.parse import quote

from pyoxigraph import NamedNode

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
ELI = "http://data.europa.eu/eli/ontology#"
OA = "http://www.w3.org/ns/oa#"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SH = "http://www.w3.org/ns/shacl#"
FOAF = "http://xmlns.com/foaf/0.1/"
SDG = "http://metadata.un.org/sdg/"
UNDOCS = "https://undocs.org/"
NORMLEX_INSTRUMENT = "https://normlex.ilo.org/dyn/normlex/en/f?p=NORMLEXPUB:12100:0::NO::P12100_ILO_CODE:"

# Prefixes for SPARQL and Turtle written by the project; ``gcm`` and ``id`` are relative and
# resolve against the base IRI.
PREFIXES: dict[str, str] = {
    "gcm": "ontology#",
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "eli": ELI,
    "oa": OA,
    "void": VOID,
    "sd": SD,
    "sh": SH,
    "foaf": FOAF,
}


def sparql_prologue() -> str:
    """``PREFIX`` lines for every project prefix (run the query with ``base_iri``)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def _segment(value: str) -> str:
    return quote(value, safe="-._~")


class Iris:
    """Mints IRIs under one base IRI.

    >>> iris = Iris("http://example.org/")
    >>> iris.provision("a-73-l-66", "en", ("annex", "para", "17", "a")).value
    'http://example.org/id/a-73-l-66/en/annex/para/17/a'
    >>> iris.term("Objective").value
    'http://example.org/ontology#Objective'
    """

    def __init__(self, base: str) -> None:
        if not base.endswith("/"):
            raise ValueError(f"base IRI must end with '/': {base!r}")
        self.base = base
        self.vocabulary = base + "ontology#"
        self.ontology = NamedNode(base + "ontology")

    # vocabulary -------------------------------------------------------------------------
    def term(self, local_name: str) -> NamedNode:
        """A class or property of the gcmkg ontology."""
        return NamedNode(self.vocabulary + local_name)

    # documents and provisions -------------------------------------------------------------
    def work(self, doc_key: str) -> NamedNode:
        return NamedNode(f"{self.base}id/{_segment(doc_key)}")

    def compact(self) -> NamedNode:
        """The Global Compact for Migration as a work, of which the texts are versions."""
        return NamedNode(f"{self.base}id/gcm")

    def document(self, doc_key: str, language: str) -> NamedNode:
        return NamedNode(f"{self.base}id/{_segment(doc_key)}/{_segment(language)}")

    def source(self, doc_key: str, language: str) -> NamedNode:
        return NamedNode(f"{self.document(doc_key, language).value}/source")

    def provision(self, doc_key: str, language: str, path: tuple[str, ...]) -> NamedNode:
        if not path:
            raise ValueError("a provision path has at least one segment")
        tail = "/".join(_segment(s) for s in path)
        return NamedNode(f"{self.document(doc_key, language).value}/{tail}")

    def mention(self, provision: NamedNode, number: int) -> NamedNode:
        return NamedNode(f"{provision.value}/mention/{number}")

    def finding(self, doc_key: str, language: str, number: int) -> NamedNode:
        return NamedNode(f"{self.document(doc_key, language).value}/finding/{number}")

    # catalogue, alignments ----------------------------------------------------------------
    def instrument(self, slug: str) -> NamedNode:
        return NamedNode(f"{self.base}id/instrument/{_segment(slug)}")

    def actor(self, slug: str) -> NamedNode:
        return NamedNode(f"{self.base}id/actor/{_segment(slug)}")

    def alignment(self, kind: str, slug: str) -> NamedNode:
        return NamedNode(f"{self.base}id/alignment/{_segment(kind)}/{_segment(slug)}")

    # graphs and dataset -------------------------------------------------------------------
    def graph(self, name: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/{_segment(name)}")

    def text_graph(self, doc_key: str, language: str) -> NamedNode:
        """The named graph holding one source document's provisions."""
        return self.graph(f"{doc_key}-{language}")

    def dataset(self) -> NamedNode:
        return NamedNode(f"{self.base}dataset")

    def is_local(self, iri: str) -> bool:
        """True for IRIs this graph mints (and so must dereference on the service)."""
        return iri.startswith(self.base)


def sdg_target(goal: int | str, target: str) -> NamedNode:
    """The UN identifier of an SDG target: ``sdg_target(10, "c")`` → ``…/sdg/10.c``."""
    return NamedNode(f"{SDG}{goal}.{target}")


def sdg_goal(goal: int | str) -> NamedNode:
    return NamedNode(f"{SDG}{goal}")


def undocs(symbol: str) -> NamedNode:
    """The undocs.org page of a UN document symbol: ``A/RES/71/1`` → ``https://undocs.org/A/RES/71/1``."""
    return NamedNode(UNDOCS + quote(symbol, safe="/()."))


def normlex(code: str) -> NamedNode:
    """The NORMLEX page of an ILO instrument by code (``C097``, ``R202``)."""
    return NamedNode(NORMLEX_INSTRUMENT + quote(code, safe=""))

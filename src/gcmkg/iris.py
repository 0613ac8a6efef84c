"""Every IRI the project mints is minted here, and parsed back here; every namespace is a constant here.

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
    {base}id/quality/{linker}/metric/{metric}       a linker's accuracy metric (dqv:Metric)
    {base}id/quality/{linker}/measurement/{metric}  its measurement in this release
    {base}id/sample/{file}                    a hand-checked sample (samples/{file})
    {base}id/build/{digest}                   the build of a release, named by its graph's digest
    {base}graph/{name}                        a named graph
    {base}dataset                             the VoID dataset
    {base}ontology/{version}                  the ontology's version IRI (owl:versionIRI)

and the service's own (where the same base IRI is served)::

    {base}sparql                              the SPARQL endpoint
    {base}sparql#service                      the endpoint's service description (sd:Service)
    {base}sparql#default-graph                its default graph (the union)
    {base}sparql#graph-{name}                 its entry for a named graph
    {base}dumps/{file}                        a dump file of the release

A minted IRI is served at its path under the base (:meth:`Iris.path_of`), and a request path
names the IRI :meth:`Iris.from_path` gives back; segments are percent-encoded when minted and
compared encoded, so the two are inverse.

External identifiers are used as they are: SDG targets ``http://metadata.un.org/sdg/10.7``,
UN documents ``https://undocs.org/{symbol}``, ILO instruments via their NORMLEX pages.

Turtle and SPARQL files in this project write the vocabulary as a *relative* prefix
(``PREFIX gcm: <ontology#>``) and are parsed or run with the base IRI, so they follow the
setting without being rewritten.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

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
DQV = "http://www.w3.org/ns/dqv#"
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
    "dqv": DQV,
}


def sparql_prologue() -> str:
    """``PREFIX`` lines for every project prefix (run the query with ``base_iri``)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def prefixes_for(base_iri: str) -> dict[str, str]:
    """The project prefixes with the relative ones (``gcm``) resolved against the base IRI.

    >>> prefixes_for("http://example.org/")["gcm"]
    'http://example.org/ontology#'
    """
    return {p: (ns if ns.startswith("http") else base_iri + ns) for p, ns in PREFIXES.items()}


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
        self.id_space = base + "id/"  # every minted resource IRI starts so (VoID's uriSpace)

    # vocabulary -------------------------------------------------------------------------
    def term(self, local_name: str) -> NamedNode:
        """A class or property of the gcmkg ontology."""
        return NamedNode(self.vocabulary + local_name)

    def ontology_version(self, version: str) -> NamedNode:
        """The ontology's ``owl:versionIRI``: ``{base}ontology/{version}``."""
        return NamedNode(f"{self.ontology.value}/{_segment(version)}")

    # documents and provisions -------------------------------------------------------------
    def work(self, doc_key: str) -> NamedNode:
        return NamedNode(f"{self.id_space}{_segment(doc_key)}")

    def compact(self) -> NamedNode:
        """The Global Compact for Migration as a work, of which the texts are versions."""
        return NamedNode(f"{self.id_space}gcm")

    def document(self, doc_key: str, language: str) -> NamedNode:
        return NamedNode(f"{self.id_space}{_segment(doc_key)}/{_segment(language)}")

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
        return NamedNode(f"{self.id_space}instrument/{_segment(slug)}")

    def actor(self, slug: str) -> NamedNode:
        return NamedNode(f"{self.id_space}actor/{_segment(slug)}")

    def alignment(self, kind: str, slug: str) -> NamedNode:
        return NamedNode(f"{self.id_space}alignment/{_segment(kind)}/{_segment(slug)}")

    # graphs and dataset -------------------------------------------------------------------
    def graph(self, name: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/{_segment(name)}")

    def text_graph(self, doc_key: str, language: str) -> NamedNode:
        """The named graph holding one source document's provisions."""
        return self.graph(f"{doc_key}-{language}")

    def dataset(self) -> NamedNode:
        return NamedNode(f"{self.base}dataset")

    # the service and the release's files --------------------------------------------------
    def endpoint(self) -> NamedNode:
        """The SPARQL endpoint served at this base."""
        return NamedNode(f"{self.base}sparql")

    def service(self) -> NamedNode:
        """The endpoint as an ``sd:Service`` (its service description's subject)."""
        return NamedNode(f"{self.endpoint().value}#service")

    def endpoint_default_graph(self) -> NamedNode:
        return NamedNode(f"{self.endpoint().value}#default-graph")

    def endpoint_graph(self, name: str) -> NamedNode:
        """The service description's ``sd:NamedGraph`` entry for the named graph ``name``."""
        return NamedNode(f"{self.endpoint().value}#graph-{_segment(name)}")

    def dump(self, file_name: str) -> NamedNode:
        """A dump file of the served release (``gcmkg.nq``, ``graph-{name}.nq`` …)."""
        return NamedNode(f"{self.base}dumps/{_segment(file_name)}")

    # parsing back -------------------------------------------------------------------------
    def is_local(self, iri: str) -> bool:
        """True for IRIs minted under this base (and so dereferenceable on the service)."""
        return iri.startswith(self.base)

    def path_of(self, iri: str) -> str | None:
        """The root-relative path at which the service serves ``iri``; None for a foreign IRI.

        >>> Iris("http://example.org/").path_of("http://example.org/id/a-73-l-66/en")
        '/id/a-73-l-66/en'
        """
        return "/" + iri[len(self.base) :] if self.is_local(iri) else None

    def from_path(self, path: str) -> NamedNode:
        """The IRI a request path names (the inverse of :meth:`path_of`); ``path`` as sent, still encoded.

        >>> Iris("http://example.org/").from_path("/id/a-73-l-66/en/annex/para/17").value
        'http://example.org/id/a-73-l-66/en/annex/para/17'
        """
        if not path.startswith("/"):
            raise ValueError(f"a request path starts with '/': {path!r}")
        return NamedNode(self.base + path[1:])

    def graph_name(self, graph: str) -> str:
        """The ``{name}`` of a graph IRI ``{base}graph/{name}``, decoded.

        A graph this project did not mint (a test store's) is named by the last segment of its IRI.

        >>> iris = Iris("http://example.org/")
        >>> iris.graph_name(iris.text_graph("a-73-l-66", "en").value), iris.graph_name("http://x.org/data/d1.rdf")
        ('a-73-l-66-en', 'd1.rdf')
        """
        prefix = f"{self.base}graph/"
        if graph.startswith(prefix) and "/" not in graph[len(prefix) :]:
            return unquote(graph[len(prefix) :])
        return unquote(graph.rstrip("/").rsplit("/", 1)[-1])

    def document_key(self, document: str) -> tuple[str, str] | None:
        """``(doc_key, language)`` of a document's expression IRI ``{base}id/{doc}/{lang}``, else None.

        >>> Iris("http://example.org/").document_key("http://example.org/id/a-73-l-66/en")
        ('a-73-l-66', 'en')
        """
        if not document.startswith(self.id_space):
            return None
        segments = document[len(self.id_space) :].split("/")
        if len(segments) != 2 or not all(segments):
            return None
        return unquote(segments[0]), unquote(segments[1])

    def provision_key(self, iri: str) -> tuple[str, str, tuple[str, ...]] | None:
        """``(doc_key, language, path)`` of a provision IRI (the inverse of :meth:`provision`), else None.

        >>> Iris("http://example.org/").provision_key("http://example.org/id/a-73-l-66/en/annex/para/17/a")
        ('a-73-l-66', 'en', ('annex', 'para', '17', 'a'))
        """
        if not iri.startswith(self.id_space):
            return None
        segments = iri[len(self.id_space) :].split("/")
        if len(segments) < 3 or not all(segments):
            return None
        return unquote(segments[0]), unquote(segments[1]), tuple(unquote(s) for s in segments[2:])

    # link quality (DQV) ------------------------------------------------------------------
    def quality_metric(self, linker: str, metric: str) -> NamedNode:
        """A linker's metric: ``("mentions", "recall:ilo")`` → ``{base}id/quality/mentions/metric/recall%3Ailo``."""
        return NamedNode(f"{self.id_space}quality/{_segment(linker)}/metric/{_segment(metric)}")

    def quality_measurement(self, linker: str, metric: str) -> NamedNode:
        """The measurement of a linker's metric in the release the graph holds."""
        return NamedNode(f"{self.id_space}quality/{_segment(linker)}/measurement/{_segment(metric)}")

    def sample(self, file_name: str) -> NamedNode:
        """A hand-checked sample by its file name in ``samples/`` (``mentions.toml``)."""
        return NamedNode(f"{self.id_space}sample/{_segment(file_name)}")

    def build_activity(self, digest: str) -> NamedNode:
        """The build that produced a release, named by the digest of the graph it measured."""
        return NamedNode(f"{self.id_space}build/{_segment(digest)}")


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

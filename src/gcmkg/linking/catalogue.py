"""The instrument and actor catalogue: a curated Turtle file read into recognizable entries.

``catalogue/*.ttl`` is hand-edited (see ``catalogue/README.md``).  Each entry is a resource
typed with one of the catalogue classes of the ontology (``gcm:ILOConvention``,
``gcm:StakeholderGroup`` …) whose names are given as SKOS labels:

* ``skos:prefLabel`` / ``skos:altLabel`` — names as the texts and authorities write them,
  one ``prefLabel`` per language (en, sv, ar);
* ``skos:hiddenLabel`` — spellings used only for recognition (a translation's garbled
  name, an inflected form), never shown;
* ``gcm:abbreviation`` — short forms, recognized as whole, case-sensitive words.

The build loads the catalogue once, from ``Settings.catalogue_dir`` (a step of its own,
before the linkers), writes its triples unchanged into the ``catalogue`` graph
(:func:`gcmkg.rdf.catalogue_quads`) and hands the loaded :class:`Catalogue` to the linkers
that need it: recognition (:mod:`gcmkg.linking.mentions`) uses every label of every entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from gcmkg.errors import GcmkgError
from gcmkg.iris import DCTERMS, RDF, SKOS, Iris

# Catalogue classes (local names in the gcm vocabulary); actors are named, instruments cited.
ACTOR_CLASSES = frozenset({"Actor", "Organization", "Mechanism", "StakeholderGroup"})
INSTRUMENT_CLASSES = frozenset(
    {
        "Instrument",
        "ILOInstrument",
        "ILOConvention",
        "ILORecommendation",
        "ILOGuidance",
        "Treaty",
        "HumanRightsInstrument",
        "HumanRightsTreaty",
        "UNTOC",
        "UNTOCProtocol",
        "SDGReference",
        "SDGGoal",
        "SDGTarget",
        "PolicyFramework",
        "Resolution",
        "UNDocument",
        "Guidance",
        "Initiative",
    }
)
LABEL_PROPERTIES = {
    SKOS + "prefLabel": "pref",
    SKOS + "altLabel": "alt",
    SKOS + "hiddenLabel": "hidden",
}


@dataclass(frozen=True)
class Label:
    """One name of an entry; ``kind`` is pref, alt, hidden or abbreviation."""

    text: str
    language: str | None
    kind: str


@dataclass(eq=False)
class Entry:
    """One catalogue resource: its IRI, classes, names and (for resolutions) symbol.

    Entries compare by identity: the catalogue holds exactly one per IRI.
    """

    iri: NamedNode
    classes: set[str] = field(default_factory=set)
    labels: list[Label] = field(default_factory=list)
    symbol: str | None = None  # gcm:symbol, e.g. "A/RES/71/1"
    within: set[str] = field(
        default_factory=set
    )  # what it supplements or is part of (gcm:supplements, dcterms:isPartOf)

    @property
    def is_actor(self) -> bool:
        return bool(self.classes & ACTOR_CLASSES)

    @property
    def is_instrument(self) -> bool:
        return bool(self.classes & INSTRUMENT_CLASSES)

    def label(self, language: str = "en") -> str:
        for label in self.labels:
            if label.kind == "pref" and label.language == language:
                return label.text
        return self.iri.value


class CatalogueError(GcmkgError):
    """A catalogue file is inconsistent (an entry without a type, a type in no category, a label of two entries …)."""


@dataclass
class Catalogue:
    """Every entry of the catalogue files, and their triples for the ``catalogue`` graph."""

    entries: dict[str, Entry]
    triples: list[Triple]

    @classmethod
    def load(cls, iris: Iris, folder: Path) -> Catalogue:
        """Parse ``folder/*.ttl`` with relative IRIs resolved against ``iris.base``."""
        files = sorted(folder.glob("*.ttl"))
        if not files:
            raise CatalogueError(f"{folder}: no catalogue files (*.ttl)")
        triples: list[Triple] = []
        for path in files:
            with path.open("rb") as handle:
                try:
                    triples.extend(parse(handle, format=RdfFormat.TURTLE, base_iri=iris.base))
                except SyntaxError as error:
                    raise CatalogueError(f"{path}: {error}") from error
        return cls(_entries(iris, triples), triples)

    def by_symbol(self) -> dict[str, Entry]:
        return {e.symbol: e for e in self.entries.values() if e.symbol}


def _entries(iris: Iris, triples: list[Triple]) -> dict[str, Entry]:
    vocabulary = iris.vocabulary
    entries: dict[str, Entry] = {}

    def entry(subject: NamedNode) -> Entry:
        return entries.setdefault(subject.value, Entry(subject))

    typed_elsewhere: set[str] = set()  # e.g. the skos:ConceptScheme describing the catalogue itself
    for t in triples:
        if not isinstance(t.subject, NamedNode):
            raise CatalogueError(f"catalogue: blank node subject in {t}; every entry needs an IRI")
        p = t.predicate.value
        if p == RDF + "type" and isinstance(t.object, NamedNode) and t.object.value.startswith(vocabulary):
            entry(t.subject).classes.add(t.object.value[len(vocabulary) :])
        elif p == RDF + "type":
            typed_elsewhere.add(t.subject.value)
        elif p in LABEL_PROPERTIES and isinstance(t.object, Literal):
            entry(t.subject).labels.append(Label(t.object.value, t.object.language, LABEL_PROPERTIES[p]))
        elif p == vocabulary + "abbreviation" and isinstance(t.object, Literal):
            entry(t.subject).labels.append(Label(t.object.value, t.object.language, "abbreviation"))
        elif p == vocabulary + "symbol" and isinstance(t.object, Literal):
            entry(t.subject).symbol = t.object.value
        elif p in (vocabulary + "supplements", DCTERMS + "isPartOf") and isinstance(t.object, NamedNode):
            entry(t.subject).within.add(t.object.value)
    for key in typed_elsewhere:
        if key in entries and not entries[key].classes:
            del entries[key]
    for key, found in entries.items():
        if not found.classes:
            raise CatalogueError(f"catalogue: {key} has labels but no gcm: type")
        if not (found.is_actor or found.is_instrument):
            raise CatalogueError(f"catalogue: {key} is typed {sorted(found.classes)}, neither instrument nor actor")
        if not any(label.kind == "pref" and label.language == "en" for label in found.labels):
            raise CatalogueError(f"catalogue: {key} has no English skos:prefLabel")
    return entries

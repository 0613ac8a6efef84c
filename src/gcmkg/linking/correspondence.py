"""IOM recommendations (Arabic) → the GCM objectives they correspond to, ranked with scores.

The recommendations are those of the IOM contribution (the document of status
``contribution``); the objectives those of the final text (status ``final``).

Method ("weighted Arabic term lexicon", version 1), reproducible and offline:

1. Normalise Arabic text: remove diacritics and tatweel; unify alef forms, alef maqsura and
   taa marbuta (``normalise``).
2. For each objective of the final text, ``correspondence_lexicon.toml`` lists Arabic terms
   with a weight (2 names the objective, 1 is typical of it, 0.5 is weak evidence).  A term
   matches when it occurs in the normalised text as a substring (so clitics do not hide it),
   its first word's article dropped (``term_key``).
3. A recommendation's evidence for an objective is the sum of the weights of the distinct
   terms found in its own text, plus half the weight of terms found in the headings above it
   (its sub-heading and cluster): the context a reader sees.
4. Objectives are ranked by evidence (ties by objective number); those with evidence of at
   least ``THRESHOLD`` are linked, at most ``MAX_LINKS`` per recommendation.  The score
   ``evidence / (evidence + 2)`` maps evidence to [0, 1) monotonically, so scores compare
   across recommendations; the rank is kept too.

Its precision is measured on a hand-checked sample in tests/linking/test_correspondence.py.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from gcmkg.iris import Iris
from gcmkg.links import DOCUMENTS, Alignment, Linker, Links, Measure
from gcmkg.model import Document, Provision, ProvisionKind, with_status

LEXICON = Path(__file__).with_name("correspondence_lexicon.toml")
METHOD = "weighted Arabic term lexicon v1 (gcmkg.linking.correspondence)"
THRESHOLD = 1.5
MAX_LINKS = 3
CONTEXT_WEIGHT = 0.5

DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
UNIFY = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


def normalise(text: str) -> str:
    """Arabic text folded for matching: ``normalise("الإحالةُ")`` → ``"الاحاله"``."""
    return DIACRITICS.sub("", text).translate(UNIFY)


@dataclass(frozen=True)
class Term:
    text: str  # as written in the lexicon
    key: str  # normalised
    weight: float


def term_key(text: str) -> str:
    """A term's match key: normalised, without the article of its first word.

    After the preposition ل the article's alef is not written ("للاتجار"), so "الاتجار" is
    matched as "اتجار".
    """
    key = normalise(text)
    return key[2:] if key.startswith("ال") and len(key) > 4 else key


@cache
def lexicon(path: Path = LEXICON) -> dict[str, tuple[Term, ...]]:
    """Objective number → its terms."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        number: tuple(Term(text, term_key(text), float(weight)) for text, weight in entry["terms"])
        for number, entry in data["objective"].items()
    }


@dataclass(frozen=True)
class Candidate:
    objective: str
    evidence: float
    terms: tuple[str, ...]

    @property
    def score(self) -> float:
        return self.evidence / (self.evidence + 2.0)


def rank(text: str, context: str = "") -> list[Candidate]:
    """Objectives for one recommendation, best first, above the threshold."""
    own, around = normalise(text), normalise(context)
    found = []
    for objective, terms in lexicon().items():
        evidence, matched = 0.0, []
        for term in terms:
            if term.key in own:
                evidence += term.weight
                matched.append(term.text)
            elif term.key in around:
                evidence += CONTEXT_WEIGHT * term.weight
                matched.append(f"{term.text} (heading)")
        if evidence >= THRESHOLD:
            found.append(Candidate(objective, evidence, tuple(matched)))
    found.sort(key=lambda c: (-c.evidence, int(c.objective)))
    return found[:MAX_LINKS]


def recommendations_with_context(document: Document) -> Iterator[tuple[Provision, str]]:
    """Each recommendation with the headings above it (sub-heading, cluster, section)."""

    def visit(provision: Provision, headings: tuple[str, ...]) -> Iterator[tuple[Provision, str]]:
        if provision.kind is ProvisionKind.RECOMMENDATION:
            yield provision, " ".join(headings)
        above = (
            (*headings, provision.heading)
            if provision.heading
            and provision.kind in (ProvisionKind.HEADING, ProvisionKind.CLUSTER, ProvisionKind.SECTION)
            else headings
        )
        for child in provision.children:
            yield from visit(child, above)

    for top in document.provisions:
        yield from visit(top, ())


def link(iris: Iris, *, documents: list[Document]) -> Links:
    """Correspondence alignments from the IOM recommendations to the final text's objectives."""
    final, iom = with_status(documents, "final"), with_status(documents, "contribution")
    if final is None or iom is None:
        return Links()
    objectives = {p.number: p for p in final.walk() if p.kind is ProvisionKind.OBJECTIVE}
    alignments = []
    for recommendation, context in recommendations_with_context(iom):
        source = iris.provision(iom.key, iom.language, recommendation.path)
        for position, candidate in enumerate(rank(recommendation.text, context), start=1):
            objective = objectives[candidate.objective]
            alignments.append(
                Alignment(
                    "CorrespondenceAlignment",
                    source,
                    iris.provision(final.key, final.language, objective.path),
                    METHOD,
                    score=round(candidate.score, 4),
                    rank=position,
                    evidence="; ".join(candidate.terms),
                )
            )
    return Links(alignments=alignments)


# measured against samples/correspondence.toml -----------------------------------------------------
KIND = "CorrespondenceAlignment"
FINAL_KEY = "a-73-l-66"
PRECISION_AT_1_TARGET = 0.90
DECIDED_TARGET = 0.90


def unmatched_sources(links: Links) -> set[str]:
    """The recommendations the linker explicitly records as corresponding to no objective."""
    return {u.source.value for u in getattr(links, "unmatched", [])}


def measure(sample: dict[str, Any], links: Links, iris: Iris) -> list[Measure]:
    """precision@1 and the share of items decided, against the hand-checked sample.

    ``precision@1``: of the sample's recommendations the linker links, those whose rank-1
    objective is one of the sample's objectives for the item (a link where the sample says
    ``objectives = []`` is a miss).  ``decided``: the sample's recommendations that are either
    linked (the sample has objectives for them) or explicitly recorded as corresponding to no
    objective (the sample agrees: ``objectives = []``); an item left unlinked that the sample
    links, or linked where the sample says none fits, is not decided.  ``precision@1:own-words``
    leaves out the items whose subject the sample takes from a heading or a neighbouring item
    (``context``), which a matcher of the item's own words cannot see.
    """
    first: dict[str, str] = {}
    for a in links.alignments:
        if a.kind == KIND and (a.rank == 1 or a.source.value not in first):
            first[a.source.value] = a.target.value
    unmatched = unmatched_sources(links)
    hits = linked = decided = own_hits = own_linked = 0
    for entry in sample["entry"]:
        source = iris.provision(entry["document"], "ar", tuple(entry["path"].split("/"))).value
        gold = {iris.provision(FINAL_KEY, "en", ("annex", "objective", n)).value for n in entry["objectives"]}
        if source in first:
            linked += 1
            hit = first[source] in gold
            hits += hit
            decided += bool(gold)
            if not entry.get("context"):
                own_linked += 1
                own_hits += hit
        elif source in unmatched and not gold:
            decided += 1
    total = len(sample["entry"])
    return [
        Measure(
            "precision@1",
            hits,
            linked,
            PRECISION_AT_1_TARGET,
            "sampled recommendations linked whose rank-1 objective is one the sample gives",
        ),
        Measure(
            "decided",
            decided,
            total,
            DECIDED_TARGET,
            "sampled recommendations linked where the sample links them, or explicitly unmatched where it links none",
        ),
        Measure(
            "precision@1:own-words",
            own_hits,
            own_linked,
            PRECISION_AT_1_TARGET,
            "precision@1 without the items whose subject the sample takes from a heading or neighbouring item",
        ),
    ]


LINKER = Linker("correspondence", needs=(DOCUMENTS,), run=link, sample="correspondence.toml", measure=measure)

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

from gcmkg.iris import Iris
from gcmkg.links import DOCUMENTS, Alignment, Linker, Links
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


LINKER = Linker("correspondence", needs=(DOCUMENTS,), run=link)

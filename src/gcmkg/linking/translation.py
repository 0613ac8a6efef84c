"""Translation links: each provision of the Swedish July 2018 outcome → the English final provision.

The Swedish file translates the agreed outcome of 13 July 2018 (the document of status
``translation``); the English text in the corpus is the final text of 12 December 2018
(A/73/L.66, status ``final``).  Their structure is the same
(54 paragraphs, 23 objectives, the same action letters), so correspondence is decided by
**structure** and then **checked**:

1. *Structure.*  Both loaders address provisions the same way (``annex/para/17/a`` is action (a)
   of paragraph 17 in both), so a Swedish provision corresponds to the English provision with the
   same path — paragraph number, objective number, action or item letter, roman numeral, section
   slug, position of a guiding principle or sub-heading.  A copy (a block printed twice, which
   the Swedish loader records as ``Provision.copy_of``, ``gcm:copyOf``) corresponds to the
   English counterpart of what it repeats: the printed-again heading and paragraph of objective
   11 to objective 11 and paragraph 27, objective 10's actions (c)–(j) printed again under
   objective 11 to objective 10's.  Queries by number leave copies out (they are ``gcm:Copy``).
2. *Check.*  A translation is about as long as its original (Swedish runs 0.8–1.3 times the
   English length in this text) and keeps its numerals ("2030", "10.c", "No.97").  The score is
   the length plausibility ``min(r, 1/r)`` of ``r = len(sv) / (1.05 · len(en))``; a score below
   0.6 (titles excepted) or a numeral of the English missing from the Swedish is written into
   ``difference`` with the prefix "check:".

``difference`` also says where the July and December texts differ — hand-checked differences in
:data:`JULY_DECEMBER` and footnote markers the December text no longer has — and where the
translation differs from the English because of its own defects (the findings the Swedish loader
recorded on the provision, marker styles excepted).  Provisions of the two cover letters have no English counterpart in
the corpus and are not linked; nor is a Swedish provision whose path the English text lacks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gcmkg.iris import Iris
from gcmkg.links import DOCUMENTS, Alignment, Linker, Links
from gcmkg.model import Document, FindingKind, Provision, ProvisionKind, with_status

METHOD = "same structural address (paragraph, objective, letter, position); checked by length ratio and numerals"
COPY_METHOD = "a copy (gcm:copyOf) of an earlier Swedish provision, linked to that provision's English counterpart"
LENGTH_FACTOR = 1.05  # Swedish is about 5 % longer than English in this text
MIN_SCORE = 0.6
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# titles only: their length says little about the translation (the Part also holds the July subtitle and date)
HEADINGS = (ProvisionKind.PART, ProvisionKind.SECTION, ProvisionKind.SUBSECTION, ProvisionKind.HEADING)
NUMERAL_RE = re.compile(r"\d+(?:[.,/]\d+)*")

# Differences between the July and the December texts, checked by hand in both files.
JULY_DECEMBER: dict[tuple[str, ...], str] = {
    ("annex", "opening"): (
        "July–December: the July text has the Heads of State 'adopt' ('antager') the Compact, "
        "the December text says they 'have adopted' it"
    ),
}


@dataclass(frozen=True)
class Link:
    """A Swedish provision and the English provision it translates, before it becomes quads."""

    swedish: Provision
    english: Provision
    method: str
    score: float
    difference: str | None


def _numerals(text: str) -> set[str]:
    return {n for n in NUMERAL_RE.findall(text) if len(n) > 1 or n != "1"}


def score(swedish: str, english: str) -> float:
    """Length plausibility of a translation: 1 for the expected ratio, less the further off.

    >>> score("a" * 105, "a" * 100)
    1.0
    >>> round(score("a" * 50, "a" * 100), 2)
    0.48
    """
    if not swedish or not english:
        return 0.0
    ratio = len(swedish) / (LENGTH_FACTOR * len(english))
    return round(min(ratio, 1 / ratio), 4)


def links(swedish: Document, english: Document) -> tuple[list[Link], list[tuple[Provision, str]]]:
    """The translation links, and the Swedish provisions left unlinked with the reason."""
    english_index = {p.path: p for p in english.walk()}
    findings: dict[tuple[str, ...], list[str]] = {}
    for finding in swedish.findings:
        # marker styles are layout, not wording: they are not differences of the text
        if finding.provision is not None and finding.kind is not FindingKind.MARKER:
            findings.setdefault(finding.provision, []).append(finding.message)
    english_footnotes = {p.path: {ref.number for ref in p.footnote_refs} for p in english.walk()}
    result: list[Link] = []
    unlinked: list[tuple[Provision, str]] = []
    for provision in swedish.walk():
        method, target_path = METHOD, provision.path
        if provision.copy_of is not None:
            method, target_path = COPY_METHOD, provision.copy_of
        target = english_index.get(target_path)
        if target is None:
            unlinked.append((provision, f"the English text has no provision {'/'.join(target_path)}"))
            continue
        if target.kind is not provision.kind:
            unlinked.append((provision, f"kinds differ: {provision.kind.value} and {target.kind.value}"))
            continue
        notes = []
        if provision.path in JULY_DECEMBER:
            notes.append(JULY_DECEMBER[provision.path])
        for char in provision.text:
            if char in SUPERSCRIPTS and str(SUPERSCRIPTS.index(char)) not in english_footnotes.get(target.path, set()):
                notes.append(
                    f"July–December: the July text carries footnote marker {SUPERSCRIPTS.index(char)} here; "
                    "the December text has no footnote on this provision"
                )
        value = score(provision.text, target.text)
        if value < MIN_SCORE and provision.kind not in HEADINGS:
            notes.append(f"check: the Swedish text is {len(provision.text)} characters, the English {len(target.text)}")
        missing = sorted(
            _numerals(target.text) - _numerals(provision.text.replace(" ", "")) - _numerals(provision.text)
        )
        if missing:
            notes.append(f"check: numerals of the English not in the Swedish: {', '.join(missing)}")
        notes += [f"translation: {message}" for message in findings.get(provision.path, [])]
        result.append(Link(provision, target, method, value, "; ".join(notes) or None))
    return result, unlinked


def link(iris: Iris, *, documents: list[Document]) -> Links:
    """TranslationAlignments from the translation to the final text, if both are loaded."""
    swedish, english = with_status(documents, "translation"), with_status(documents, "final")
    if swedish is None or english is None:
        return Links()
    found, _ = links(swedish, english)
    return Links(alignments=list(alignments(iris, swedish, english, found)))


def alignments(iris: Iris, swedish: Document, english: Document, found: Iterable[Link]) -> Iterator[Alignment]:
    for item in found:
        yield Alignment(
            kind="TranslationAlignment",
            source=iris.provision(swedish.key, swedish.language, item.swedish.path),
            target=iris.provision(english.key, english.language, item.english.path),
            method=item.method,
            score=item.score if math.isfinite(item.score) else None,
            difference=item.difference,
        )


LINKER = Linker("translation", needs=(DOCUMENTS,), run=link)

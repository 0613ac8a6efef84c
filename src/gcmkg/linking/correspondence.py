"""IOM recommendations (Arabic) → the GCM objectives they correspond to, ranked with scores.

The recommendations are those of the IOM contribution (the document of status
``contribution``); the objectives those of the final text (status ``final``).

Method ("weighted Arabic term lexicon", version 2), reproducible and offline:

1. Normalise Arabic text (``normalise``): remove diacritics and tatweel; unify alef forms
   (أ إ آ ٱ → ا), ya forms (ى → ي, ئ → ي), waw with hamza (ؤ → و) and ta marbuta (ة → ه).
2. Split it into words and give each word its possible bare forms (``word_forms``): without an
   attached conjunction (و ف) and preposition (ب ل ك), without the definite article (ال, and the
   ل of "لل" = ل + ال), and without a possessive suffix (هم ها ه …, ت restored to ة).
3. For each objective of the final text, ``correspondence_lexicon.toml`` lists Arabic terms (one
   or more words, each matched as a bare form of one word, in order) with a weight (2 names the
   objective, 1 is typical of it, 0.5 is weak evidence).  Whole words only: "الحدّ" (limit) is
   not "الحدود" (borders); ambiguous words are listed only inside the phrases that fix their
   sense ("التوظيف الأخلاقي" ethical recruitment, not "التوظيف" the employment sector; "آليات
   الكفالة" the kafala system, not "كفالة" ensuring).  ``exclude`` phrases of an objective are
   places where its terms do not count ("تحديد الهوية", identification, is not legal identity);
   a term right after a word of ``audience`` (officials, providers, offices of …) names who
   acts, not the subject, and counts a quarter.
4. A recommendation's evidence for an objective is the sum of the weights of the distinct terms
   found in its own text, plus half of those found in what a reader sees above it: its headings
   and, for a sub-item, the item it continues (``CONTEXT_WEIGHT``).
5. Objectives with evidence of at least ``THRESHOLD`` are linked, at most ``MAX_LINKS``, ranked
   by evidence (ties: the one the item names first).  Score ``evidence / (evidence + 2)``.
6. A recommendation no objective reaches is recorded as an explicit decision
   (:class:`gcmkg.links.NoCorrespondence`, ``gcm:NoCorrespondence``) with the reason: the closest
   objectives and their evidence, or that no term of any objective occurs.

Evidence: the matched terms quoted with their character offsets in the recommendation's text
(or in the heading or parent item they stand in), as :class:`gcmkg.links.Span`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from gcmkg.iris import Iris
from gcmkg.links import DOCUMENTS, Alignment, Linker, Links, Measure, NoCorrespondence, Span
from gcmkg.model import Document, Provision, ProvisionKind, with_status

LEXICON = Path(__file__).with_name("correspondence_lexicon.toml")
METHOD = "weighted Arabic term lexicon v2 (gcmkg.linking.correspondence)"
THRESHOLD = 1.5
MAX_LINKS = 3
CONTEXT_WEIGHT = 0.5
AUDIENCE_WEIGHT = 0.25

DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
UNIFY = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ئ": "ي", "ؤ": "و"})
WORD = re.compile("[\u0621-\u064a\u0660-\u0669\u0670-\u06d3\u064b-\u065f\u0640\\w]+")
CLITICS = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك")  # conjunction, then preposition
SUFFIXES = ("هما", "هم", "هن", "ها", "كم", "نا", "ه")  # possessive pronouns


def normalise(text: str) -> str:
    """Arabic text folded for matching: ``normalise("الإحالةُ")`` → ``"الاحاله"``."""
    return DIACRITICS.sub("", text).translate(UNIFY)


def term_key(text: str) -> str:
    """A word's match key: normalised, without the article.

    After the preposition ل the article's alef is not written ("للاتجار"), so "الاتجار" is
    matched as "اتجار".
    """
    key = normalise(text)
    return key[2:] if key.startswith("ال") and len(key) > 4 else key


@cache
def word_forms(word: str) -> frozenset[str]:
    """The bare forms a (normalised) word may stand for, clitics and article removed.

    >>> sorted(word_forms("للاتجار"))[:2]
    ['اتجار', 'لاتجار']
    """
    forms = {word}
    for clitic in CLITICS:
        if not word.startswith(clitic) or len(word) - len(clitic) < 2:
            continue
        rest = word[len(clitic) :]
        forms.add(rest)
        if rest.startswith("ال") and len(rest) > 4:
            forms.add(rest[2:])
        if clitic.endswith("ل") and rest.startswith("ل") and len(rest) > 3:  # لل = ل + ال
            forms.add(rest[1:])
    for form in list(forms):
        for suffix in SUFFIXES:
            if form.endswith(suffix) and len(form) - len(suffix) >= 3:
                base = form[: -len(suffix)]
                forms.add(base)
                if base.endswith("ت"):
                    forms.add(base[:-1] + "ه")  # ta marbuta before a suffix: هويتهم → هويه
    return frozenset(forms)


@dataclass(frozen=True)
class Term:
    text: str  # as written in the lexicon
    key: str  # normalised, article removed (word by word, joined by spaces)
    weight: float

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.key.split())


def phrase_key(text: str) -> str:
    return " ".join(term_key(w) for w in normalise(text).split())


@dataclass(frozen=True)
class Lexicon:
    terms: dict[str, tuple[Term, ...]]  # objective number → its terms
    exclude: dict[str, tuple[tuple[str, ...], ...]]  # objective number → phrases where its terms do not count
    audience: frozenset[str]  # words naming who acts (officials, providers …)


@cache
def load_lexicon(path: Path = LEXICON) -> Lexicon:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    terms = {
        number: tuple(Term(text, phrase_key(text), float(weight)) for text, weight in entry["terms"])
        for number, entry in data["objective"].items()
    }
    exclude = {
        number: tuple(tuple(phrase_key(x).split()) for x in entry.get("exclude", []))
        for number, entry in data["objective"].items()
    }
    audience = frozenset(term_key(w) for w in data.get("audience", {}).get("words", []))
    return Lexicon(terms, exclude, audience)


def lexicon(path: Path = LEXICON) -> dict[str, tuple[Term, ...]]:
    """Objective number → its terms."""
    return load_lexicon(path).terms


class Words:
    """A text's words with their offsets and bare forms."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.matches = list(WORD.finditer(text))
        self.forms = [word_forms(normalise(m.group())) for m in self.matches]
        self.at: dict[str, list[int]] = {}  # form → indexes of the words that may stand for it, ascending
        for i, forms in enumerate(self.forms):
            for form in forms:
                self.at.setdefault(form, []).append(i)

    def find(self, words: tuple[str, ...]) -> list[int]:
        """Indexes of the first word of each occurrence of ``words``."""
        n = len(words)
        last = len(self.forms) - n
        if not n:
            return list(range(last + 1))
        return [
            i
            for i in self.at.get(words[0], ())
            if i <= last and all(words[k] in self.forms[i + k] for k in range(1, n))
        ]

    def span(self, first: int, count: int) -> tuple[int, int]:
        return self.matches[first].start(), self.matches[first + count - 1].end()


@dataclass(frozen=True)
class Hit:
    term: Term
    where: int  # 0: the item's own text, 1…: its context (headings, parent item), nearest first
    start: int  # character offsets in that text
    end: int
    weight: float  # as counted (context and audience discounts applied)


@dataclass(frozen=True)
class Candidate:
    objective: str
    evidence: float
    terms: tuple[str, ...]
    hits: tuple[Hit, ...] = ()

    @property
    def score(self) -> float:
        return self.evidence / (self.evidence + 2.0)

    @property
    def first(self) -> tuple[int, int]:
        """Where the item names this objective first: own text before context, then offset."""
        return min((h.where, h.start) for h in self.hits) if self.hits else (99, 0)


def hits_in(text: str, where: int, lex: Lexicon) -> dict[str, list[Hit]]:
    """Every objective's terms found in one text, with their counted weights."""
    words = Words(text)
    found: dict[str, list[Hit]] = {}
    for objective, terms in lex.terms.items():
        excluded = [(i, i + len(x)) for x in lex.exclude.get(objective, ()) for i in words.find(x)]
        for term in terms:
            n = len(term.words)
            for i in words.find(term.words):
                if any(a <= i and i + n <= b for a, b in excluded):
                    continue
                weight = term.weight * (CONTEXT_WEIGHT if where else 1.0)
                if i > 0 and words.forms[i - 1] & lex.audience:
                    weight *= AUDIENCE_WEIGHT
                start, end = words.span(i, n)
                found.setdefault(objective, []).append(Hit(term, where, start, end, weight))
                break  # a term counts once per text
    return found


@lru_cache(maxsize=4096)  # the headings above recommendations are each the context of many
def _lexicon_hits(text: str, where: int) -> dict[str, list[Hit]]:
    """:func:`hits_in` with the lexicon; read-only (cached)."""
    return hits_in(text, where, load_lexicon())


def candidates(text: str, contexts: tuple[str, ...] = ()) -> list[Candidate]:
    """Every objective with some evidence, best first (not cut at the threshold)."""
    by_objective: dict[str, list[Hit]] = {}
    for where, piece in enumerate((text, *contexts)):
        for objective, hits in _lexicon_hits(piece, where).items():
            seen = {h.term.key for h in by_objective.get(objective, [])}
            by_objective.setdefault(objective, []).extend(h for h in hits if h.term.key not in seen)
    found = []
    for objective, hits in by_objective.items():
        evidence = round(sum(h.weight for h in hits), 4)
        labels = tuple(h.term.text + (" (heading)" if h.where else "") for h in hits)
        found.append(Candidate(objective, evidence, labels, tuple(hits)))
    found.sort(key=lambda c: (-c.evidence, c.first, int(c.objective)))
    return found


def rank(text: str, context: str | tuple[str, ...] = "") -> list[Candidate]:
    """Objectives for one recommendation, best first, above the threshold."""
    contexts = (context,) if isinstance(context, str) else context
    return [c for c in candidates(text, contexts) if c.evidence >= THRESHOLD][:MAX_LINKS]


CONTEXT_KINDS = (ProvisionKind.HEADING, ProvisionKind.CLUSTER, ProvisionKind.SECTION)


def recommendations_in_context(document: Document) -> Iterator[tuple[Provision, tuple[Provision, ...]]]:
    """Each recommendation with what stands above it, nearest first: the item it continues, headings."""

    def visit(provision: Provision, above: tuple[Provision, ...]) -> Iterator[tuple[Provision, tuple[Provision, ...]]]:
        if provision.kind is ProvisionKind.RECOMMENDATION:
            yield provision, above
        if provision.kind is ProvisionKind.RECOMMENDATION or (provision.heading and provision.kind in CONTEXT_KINDS):
            above = (provision, *above)
        for child in provision.children:
            yield from visit(child, above)

    for top in document.provisions:
        yield from visit(top, ())


def context_text(provision: Provision) -> str:
    return provision.text if provision.kind is ProvisionKind.RECOMMENDATION else provision.heading or ""


def recommendations_with_context(document: Document) -> Iterator[tuple[Provision, str]]:
    """Each recommendation with the headings above it (sub-heading, cluster, section), outermost first."""
    for recommendation, above in recommendations_in_context(document):
        yield recommendation, " ".join(p.heading or "" for p in reversed(above) if p.kind in CONTEXT_KINDS)


def unmatched_reason(text: str, contexts: tuple[str, ...]) -> str:
    near = candidates(text, contexts)[:3]
    if not near:
        return "no term of any objective's lexicon occurs in the recommendation or the headings above it"
    closest = "; ".join(f"objective {c.objective}: {c.evidence:g} ({', '.join(c.terms)})" for c in near)
    return f"no objective reaches the evidence threshold {THRESHOLD:g}; closest: {closest}"


def link(iris: Iris, *, documents: list[Document]) -> Links:
    """Correspondence alignments from the IOM recommendations to the final text's objectives."""
    final, iom = with_status(documents, "final"), with_status(documents, "contribution")
    if final is None or iom is None:
        return Links()
    objectives = {p.number: p for p in final.walk() if p.kind is ProvisionKind.OBJECTIVE}
    links = Links()
    for recommendation, above in recommendations_in_context(iom):
        source = iris.provision(iom.key, iom.language, recommendation.path)
        pieces = (recommendation, *above)
        contexts = tuple(context_text(p) for p in above)
        ranked = rank(recommendation.text, contexts)
        if not ranked:
            links.unmatched.append(NoCorrespondence(source, METHOD, unmatched_reason(recommendation.text, contexts)))
        for position, candidate in enumerate(ranked, start=1):
            objective = objectives[candidate.objective]
            spans = tuple(
                Span(
                    iris.provision(iom.key, iom.language, pieces[h.where].path),
                    h.start,
                    h.end,
                    (recommendation.text if h.where == 0 else contexts[h.where - 1])[h.start : h.end],
                )
                for h in candidate.hits
            )
            evidence = "; ".join(
                f"\u201c{span.text}\u201d [{span.start}\u2013{span.end}]"
                + ("" if h.where == 0 else " in " + span.provision.value.rsplit("/ar/", 1)[-1])
                + f" = {h.term.text} ({h.weight:g})"
                for h, span in zip(candidate.hits, spans, strict=True)
            )
            links.alignments.append(
                Alignment(
                    "CorrespondenceAlignment",
                    source,
                    iris.provision(final.key, final.language, objective.path),
                    METHOD,
                    score=round(candidate.score, 4),
                    rank=position,
                    evidence=evidence,
                    spans=spans,
                )
            )
    return links


# measured against samples/correspondence.toml -----------------------------------------------------
KIND = "CorrespondenceAlignment"
FINAL_KEY = "a-73-l-66"
PRECISION_AT_1_TARGET = 0.90
DECIDED_TARGET = 0.90


def unmatched_sources(links: Links) -> set[str]:
    """The recommendations the linker explicitly records as corresponding to no objective."""
    return {u.source.value for u in links.unmatched}


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

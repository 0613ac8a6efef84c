"""Review links: the paragraphs of the IMRF Progress Declaration to the GCM objectives they address.

A paragraph is linked to an objective (``gcm:ReviewAlignment``, shortcut ``gcm:reviews``) because
its own words address that objective's subject, never because of the section it is printed in.
Each alignment names its method, a score and the words on each side (:class:`gcmkg.links.Span`,
with offsets):

``objective number in text``
    an IMRF provision whose text names an objective by number ("objective 23", "objectives 4, 7
    and 10"); evidence: the words.  "all 23 objectives" is not a mention.  (The 2022 declaration's
    paragraphs name none; the round tables' headings and footnotes are membership, below.)
``objective title in text``
    a paragraph that repeats at least :data:`MIN_RUN` consecutive words of an objective's
    title (after case folding and a crude suffix strip, so "eliminating all forms of
    discrimination" meets "Eliminate all forms of discrimination"), of which at least
    :data:`MIN_CONTENT` are not function words, once the Compact's stock phrases
    (:data:`STOCK_PHRASES`, e.g. "safe, orderly and regular migration") are masked out of the
    title and function words trimmed from the run's ends; score: the share of the title's words
    in the run.
``objective subject terms``
    a paragraph that contains terms of the objective's subject lexicon
    (``review_lexicon.toml``: words of the objective's title, commitment and actions in the final
    text, plus curated synonyms), matched on stemmed words; evidence: each term as quoted in the
    paragraph and, where the term stands in the objective's own text, there too; score:
    ``1 - Π(1 - w)`` over the distinct terms found, ``w`` = 0.5, 0.7 or 0.85 for a term of one,
    two, or three and more content words.

A paragraph → objective pair gets one alignment: the first method in the order above is kept.

Round-table membership is not a review: the Forum's four round tables each covered a set of
objectives, named in the heading ("Round table 1 (objectives 2, 5, 6, 12 and 18)") and again, with
their titles, in the heading's footnote.  That printed structure is published as its own relation,
``gcm:RoundTableAlignment`` (shortcut ``gcm:discussedUnderRoundTableOf``, "discussed under the round
table that covers objective N"), with the methods

``round table heading``
    the RoundTable provision → each objective its heading names; evidence: the heading.
``round table footnote``
    the round table's footnote → each objective it lists; evidence: the entry
    ("objective 2: Minimize the adverse drivers …").  Where the title quoted differs from
    the objective's title in the final text, ``gcm:difference`` says how.
``round table section``
    each paragraph under a round table → each objective of that round table; evidence: the
    round table heading.

The method is a pure function of the two texts and the lexicon, so the links are reproducible.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from gcmkg.iris import Iris
from gcmkg.links import DOCUMENTS, Alignment, Linker, Links, Measure, Span
from gcmkg.model import Document, Provision, ProvisionKind, with_status
from gcmkg.objective_numbers import footnote_objectives, heading_objectives, mentions

KIND = "ReviewAlignment"
MEMBERSHIP = "RoundTableAlignment"  # not a review: discussed under the round table that covers the objective

METHOD_HEADING = "round table heading"
METHOD_FOOTNOTE = "round table footnote"
METHOD_SECTION = "round table section"
METHOD_NUMBER = "objective number in text"
METHOD_TITLE = "objective title in text"
METHOD_TERMS = "objective subject terms"
METHODS = (METHOD_NUMBER, METHOD_TITLE, METHOD_TERMS)  # review alignments, in precedence
MEMBERSHIP_METHODS = (METHOD_HEADING, METHOD_FOOTNOTE, METHOD_SECTION)  # round-table membership
LEXICON = Path(__file__).with_name("review_lexicon.toml")
GAP = "..."  # in a lexicon term: up to MAX_GAP words of any kind
MAX_GAP = 3

MIN_RUN = 4  # consecutive title words a paragraph must repeat
MIN_CONTENT = 3  # of which not function words

WORD_RE = re.compile(r"\w+(?:-\w+)*")
# Phrases the Compact and the declaration use everywhere: words of a title inside them do not
# count as repeating that title ("safe, orderly and regular migration" is not objective 23).
STOCK_PHRASES = (
    "safe, orderly and regular migration",
    "in the context of international migration",
    "throughout the migration cycle",
    "at all stages of migration",
)
FUNCTION_WORDS = frozenset(
    "a an and as at all by for from in into of on or the their to with that this its be have has is are".split()
)


@cache  # a text's words repeat, and every paragraph is stemmed once per objective title
def stem(word: str) -> str:
    """A crude English suffix strip, enough to meet "eliminating" with "Eliminate"."""
    word = word.lower()
    if len(word) > 5 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "e", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class TitleRun:
    """The longest run of an objective title's words that a text repeats."""

    length: int  # words in the run
    content: int  # of which not function words
    start: int  # character span of the run in the text
    end: int


@cache  # the 23 titles, asked for once per paragraph
def _masked_words(title: str) -> tuple[str | None, ...]:
    return tuple(masked_words(title))


def masked_words(title: str) -> list[str | None]:
    """The title's stemmed words, ``None`` in place of the Compact's stock phrases (:data:`STOCK_PHRASES`)."""
    words: list[str | None] = [stem(w) for w in WORD_RE.findall(title)]
    for phrase in STOCK_PHRASES:
        stock = [stem(w) for w in WORD_RE.findall(phrase)]
        for i in range(len(words) - len(stock) + 1):
            if words[i : i + len(stock)] == stock:
                words[i : i + len(stock)] = [None] * len(stock)
    return words


def title_run(title: str, text: str) -> TitleRun | None:
    """Longest common run of (stemmed) words between ``title`` and ``text``.

    >>> run = title_run("Manage borders in an integrated, secure and coordinated manner",
    ...                 "efforts to manage national borders in an integrated, secure and coordinated manner that")
    >>> run.length, run.content
    (8, 5)
    """
    return title_run_in(title, Tokens(text))


def title_run_in(title: str, tokens: Tokens) -> TitleRun | None:
    """:func:`title_run` over a text already split into words."""
    text_matches, text_words = tokens.matches, tokens.stems
    # title positions (1-based) of each stemmed word: the dynamic programme only visits cells
    # where the words meet, in the same order as the full table, so ties break the same way
    where: dict[str, list[int]] = {}
    for j, title_word in enumerate(_masked_words(title), start=1):
        if title_word is not None:
            where.setdefault(title_word, []).append(j)
    best: tuple[int, int] = (0, 0)  # (length, end index in text_words)
    previous: dict[int, int] = {}
    for i, word in enumerate(text_words, start=1):
        current: dict[int, int] = {}
        for j in where.get(word, ()):
            current[j] = run = previous.get(j - 1, 0) + 1
            if run > best[0]:
                best = (run, i)
        previous = current
    length, end = best
    start = end - length
    # a run that begins or ends on a function word says no more without it ("… return and")
    while start < end and text_words[start] in FUNCTION_WORDS:
        start += 1
    while end > start and text_words[end - 1] in FUNCTION_WORDS:
        end -= 1
    if start == end:
        return None
    content = sum(1 for w in text_words[start:end] if w not in FUNCTION_WORDS)
    return TitleRun(end - start, content, text_matches[start].start(), text_matches[end - 1].end())


# Subject terms ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One term of an objective's subject lexicon, as stemmed words (``None``: a gap)."""

    objective: str
    text: str
    words: tuple[str | None, ...]

    @property
    def content(self) -> int:
        return sum(1 for w in self.words if w is not None and w not in FUNCTION_WORDS)

    @property
    def weight(self) -> float:
        return 0.5 if self.content <= 1 else 0.7 if self.content == 2 else 0.85


def term_words(text: str) -> tuple[str | None, ...]:
    return tuple(None if w == GAP else stem(w) for w in re.findall(r"\.\.\.|\w+(?:-\w+)*", text))


@dataclass(frozen=True)
class Lexicon:
    terms: tuple[Term, ...]
    exclude: dict[str, tuple[tuple[str | None, ...], ...]]  # objective → phrases in which its terms do not count


def load_lexicon(path: Path = LEXICON) -> Lexicon:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    terms: list[Term] = []
    exclude: dict[str, tuple[tuple[str | None, ...], ...]] = {}
    for number, entry in data["objective"].items():
        terms.extend(Term(number, text, term_words(text)) for text in entry["terms"])
        exclude[number] = tuple(term_words(text) for text in entry.get("exclude", []))
    return Lexicon(tuple(terms), exclude)


def find_all(
    words: tuple[str | None, ...], tokens: list[str], starts: Iterable[int] | None = None
) -> list[tuple[int, int]]:
    """Every (first, last + 1) token span where ``words`` occur in ``tokens`` (a ``None`` word: a gap).

    ``starts``: the only token indexes, ascending, an occurrence can begin at (where the first word
    stands); every index by default.
    """

    def match(i: int, k: int) -> int | None:  # token index after words[k:] matched from tokens[i]
        if k == len(words):
            return i
        if words[k] is None:
            for skip in range(MAX_GAP + 1):
                end = match(i + skip, k + 1)
                if end is not None:
                    return end
            return None
        if i < len(tokens) and tokens[i] == words[k]:
            return match(i + 1, k + 1)
        return None

    found = []
    for i in range(len(tokens)) if starts is None else starts:
        end = match(i, 0)
        if end is not None:
            found.append((i, end))
    return found


class Tokens:
    """A text's words, stemmed, with their character offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.matches = list(WORD_RE.finditer(text))
        self.stems = [stem(m.group()) for m in self.matches]
        self.at: dict[str, list[int]] = {}  # stem → its token indexes, ascending
        for i, word in enumerate(self.stems):
            self.at.setdefault(word, []).append(i)

    def spans(self, words: tuple[str | None, ...]) -> list[tuple[int, int]]:
        """Character spans of every occurrence of ``words``."""
        first = words[0] if words else None
        starts = None if first is None else self.at.get(first, [])
        return [(self.matches[i].start(), self.matches[j - 1].end()) for i, j in find_all(words, self.stems, starts)]


def normalise(title: str) -> str:
    return " ".join(WORD_RE.findall(title.lower()))


class ReviewLinker:
    """Finds the review alignments of one IMRF document against the final text's objectives."""

    def __init__(self, iris: Iris, imrf: Document, final: Document) -> None:
        self.iris = iris
        self.imrf = imrf
        self.final = final
        self.objectives: dict[str, Provision] = {}
        for provision in final.walk():
            if provision.kind is ProvisionKind.OBJECTIVE:
                number = provision.objective_number or provision.number
                if number:
                    self.objectives[number] = provision
        # the list of objectives in the final text words some titles differently from the headings
        self.list_entries: dict[str, str] = {
            p.number: p.text for p in final.walk() if p.kind is ProvisionKind.OBJECTIVE_LIST_ENTRY and p.number
        }
        self.found: dict[tuple[tuple[str, ...], str, str], Alignment] = {}
        self.lexicon = load_lexicon()
        # each objective's own words: its title, commitment and actions, as printed in the final text
        self.objective_texts: dict[str, list[tuple[Provision, Tokens]]] = {
            number: [(p, Tokens(p.text)) for p in objective.walk() if p.text]
            for number, objective in self.objectives.items()
        }

    def objective(self, number: str, source: Provision) -> Provision:
        try:
            return self.objectives[number]
        except KeyError:
            raise ValueError(
                f"corpus/{self.imrf.source_file}:{source.span.line_start}: {'/'.join(source.path)} names objective "
                f"{number}, which {self.final.key} does not have"
            ) from None

    def source_iri(self, provision: Provision) -> Any:
        return self.iris.provision(self.imrf.key, self.imrf.language, provision.path)

    def target_iri(self, provision: Provision) -> Any:
        return self.iris.provision(self.final.key, self.final.language, provision.path)

    def add(
        self, source: Provision, number: str, method: str, evidence: str, kind: str = KIND, **extra: object
    ) -> None:
        key = (source.path, number, kind)
        if key in self.found:
            return  # an earlier (more explicit) method already links this pair
        target = self.objective(number, source)
        self.found[key] = Alignment(
            kind=kind,
            source=self.source_iri(source),
            target=self.target_iri(target),
            method=method,
            evidence=evidence,
            **extra,  # type: ignore[arg-type]
        )

    def alignments(self) -> list[Alignment]:
        footnotes = {p.number: p for p in self.imrf.walk() if p.kind is ProvisionKind.FOOTNOTE}
        round_tables = [p for p in self.imrf.walk() if p.kind is ProvisionKind.ROUND_TABLE]
        round_table_footnotes: set[tuple[str, ...]] = set()
        # round-table membership: the printed structure, not the paragraphs' subject
        for round_table in round_tables:
            covered = heading_objectives(round_table.text)
            for number in covered:
                self.add(round_table, number, METHOD_HEADING, round_table.text, kind=MEMBERSHIP)
            for ref in round_table.footnote_refs:
                footnote = footnotes[ref.number]
                round_table_footnotes.add(footnote.path)
                for number, title in footnote_objectives(footnote.text):
                    self.add(
                        footnote,
                        number,
                        METHOD_FOOTNOTE,
                        f"objective {number}: {title}",
                        kind=MEMBERSHIP,
                        difference=self.title_difference(number, title, footnote),
                    )
            for child in round_table.children:
                if child.kind is ProvisionKind.PARAGRAPH:
                    for number in covered:
                        self.add(child, number, METHOD_SECTION, round_table.text, kind=MEMBERSHIP)
        # review: what the provisions' own words address
        for provision in self.imrf.walk():
            if provision.kind is ProvisionKind.ROUND_TABLE or provision.path in round_table_footnotes:
                continue
            for number, words in mentions(provision.text):
                self.add(provision, number, METHOD_NUMBER, words)
        paragraphs = [p for p in self.imrf.walk() if p.kind is ProvisionKind.PARAGRAPH]
        for provision in paragraphs:
            tokens = Tokens(provision.text)
            for number, objective in sorted(self.objectives.items(), key=lambda item: int(item[0])):
                title = objective.heading or objective.text
                run = title_run_in(title, tokens)
                if run and run.length >= MIN_RUN and run.content >= MIN_CONTENT:
                    score = min(1.0, round(run.length / len(WORD_RE.findall(title)), 4))
                    words = provision.text[run.start : run.end]
                    spans = (Span(self.source_iri(provision), run.start, run.end, words),)
                    self.add(provision, number, METHOD_TITLE, words, score=score, spans=spans)
        for provision in paragraphs:
            self.add_subject_terms(provision)
        return sorted(self.found.values(), key=lambda a: (a.kind, a.source.value, a.target.value))

    def add_subject_terms(self, provision: Provision) -> None:
        """Review alignments from the objectives' subject terms found in a paragraph's words."""
        tokens = Tokens(provision.text)
        by_objective: dict[str, list[tuple[Term, tuple[int, int]]]] = {}
        for term in self.lexicon.terms:
            spans = tokens.spans(term.words)
            if not spans:
                continue
            excluded = [x for phrase in self.lexicon.exclude.get(term.objective, ()) for x in tokens.spans(phrase)]
            spans = [s for s in spans if not any(x[0] <= s[0] and s[1] <= x[1] for x in excluded)]
            if spans:
                by_objective.setdefault(term.objective, []).append((term, spans[0]))
        for number in sorted(by_objective, key=int):
            found = sorted(by_objective[number], key=lambda item: item[1])
            # a term inside a longer term found at the same place counts once ("remittance" in "remittances")
            kept: list[tuple[Term, tuple[int, int]]] = []
            for term, span in found:
                if any(o[0] <= span[0] and span[1] <= o[1] and o != span for _, o in found):
                    continue
                if any(span == o for _, o in kept):
                    continue
                kept.append((term, span))
            score = 1.0
            for term, _ in kept:
                score *= 1 - term.weight
            evidence: list[Span] = []
            quotes: list[str] = []
            for term, (start, end) in kept:
                words = provision.text[start:end]
                evidence.append(Span(self.source_iri(provision), start, end, words))
                there = self.in_objective(number, term)
                if there is None:
                    quotes.append(
                        f"\u201c{words}\u201d [{start}\u2013{end}] (curated synonym of objective {number}'s subject)"
                    )
                else:
                    evidence.append(there)
                    where = there.provision.value.rsplit("/id/", 1)[-1]
                    quotes.append(
                        f"\u201c{words}\u201d [{start}\u2013{end}] = \u201c{there.text}\u201d in {where} "
                        f"[{there.start}\u2013{there.end}]"
                    )
            self.add(
                provision, number, METHOD_TERMS, "; ".join(quotes), score=round(1 - score, 4), spans=tuple(evidence)
            )

    def in_objective(self, number: str, term: Term) -> Span | None:
        """Where a term stands in the objective's own text (title first, then commitment and actions)."""
        for provision, tokens in self.objective_texts.get(number, []):
            spans = tokens.spans(term.words)
            if spans:
                start, end = spans[0]
                return Span(self.target_iri(provision), start, end, provision.text[start:end])
        return None

    def title_difference(self, number: str, title: str, source: Provision) -> str | None:
        """How a title quoted in the declaration differs from the objective's heading, if it does."""
        objective = self.objective(number, source)
        official = objective.heading or objective.text
        if normalise(official) == normalise(title):
            return None
        listed = self.list_entries.get(number)
        also = ""
        if listed is not None and normalise(listed) == normalise(title):
            also = f" (the quotation follows the final text's list of objectives, entry {number})"
        return f"quoted as {title!r}; the objective's heading in the final text reads {official!r}{also}"


def review_alignments(iris: Iris, documents: Iterable[Document]) -> list[Alignment]:
    """The review alignments, or none when either text is not loaded."""
    documents = list(documents)
    imrf, final = with_status(documents, "review"), with_status(documents, "final")
    if imrf is None or final is None:
        return []
    return ReviewLinker(iris, imrf, final).alignments()


def link(iris: Iris, *, documents: list[Document]) -> Links:
    """Review alignments from the review declaration to the final text's objectives."""
    return Links(alignments=review_alignments(iris, documents))


# measured against samples/review.toml ------------------------------------------------------------
FINAL_KEY = "a-73-l-66"
PRECISION_TARGET = 0.90
RECALL_TARGET = 0.80


def measure(sample: dict[str, Any], links: Links, iris: Iris) -> list[Measure]:
    """Precision and recall of the paragraph → objective review links against the hand-checked sample.

    The sample (``samples/review.toml``) gives, for each of the 77 numbered paragraphs, the
    objectives whose subject its text addresses, each link marked ``central`` or ``passing``.
    The main figures count every link (central + passing) and carry the issue's targets;
    ``precision:central`` and ``recall:central`` count only the central ones (a passing link
    found is then a miss for precision), the strict reading, reported with no target.
    """
    expected: set[tuple[str, str]] = set()
    central: set[tuple[str, str]] = set()
    sources: dict[str, str] = {}
    for entry in sample["entry"]:
        source = iris.provision(entry["document"], "en", tuple(entry["path"].split("/"))).value
        sources[source] = entry["path"]
        for link in entry.get("link", []):
            target = iris.provision(FINAL_KEY, "en", ("annex", "objective", link["objective"])).value
            expected.add((source, target))
            if link["salience"] == "central":
                central.add((source, target))
    found = {(a.source.value, a.target.value) for a in links.alignments if a.kind == KIND and a.source.value in sources}
    return [
        Measure(
            "precision",
            len(found & expected),
            len(found),
            PRECISION_TARGET,
            "review links from the 77 paragraphs that the sample confirms (central or passing)",
        ),
        Measure(
            "recall",
            len(found & expected),
            len(expected),
            RECALL_TARGET,
            "the sample's paragraph → objective links (central and passing) that the linker finds",
        ),
        Measure(
            "precision:central",
            len(found & central),
            len(found),
            0.0,
            "strict, for information (no target: a passing link found counts as wrong): review links from the "
            "77 paragraphs that the sample marks central",
        ),
        Measure(
            "recall:central",
            len(found & central),
            len(central),
            0.0,
            "strict, for information (the issue's targets are on central + passing): the sample's central links "
            "that the linker finds",
        ),
    ]


LINKER = Linker("review", needs=(DOCUMENTS,), run=link, sample="review.toml", measure=measure)

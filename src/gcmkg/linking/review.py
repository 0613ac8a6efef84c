"""Review links: the paragraphs of the IMRF Progress Declaration to the GCM objectives they review.

The Forum reviewed the Compact in four round tables, each covering a set of objectives named
in its heading ("Round table 1 (objectives 2, 5, 6, 12 and 18)") and again, with their
titles, in the heading's footnote.  From that printed evidence, and from what the paragraphs
themselves say, this linker finds one ``gcm:ReviewAlignment`` (shortcut ``gcm:reviews``)
from an IMRF provision (the document of status ``review``) to an Objective provision of the
final text (status ``final``).
Each alignment names its method and quotes its evidence:

``round table heading``
    the RoundTable provision → each objective its heading names; evidence: the heading.
``round table footnote``
    the round table's footnote → each objective it lists; evidence: the entry
    ("objective 2: Minimize the adverse drivers …").  Where the title quoted differs from
    the objective's title in the final text, ``gcm:difference`` says how.
``objective number in text``
    any other IMRF provision whose text names an objective by number ("objective 23",
    "objectives 4, 7 and 10"); evidence: the words.  "all 23 objectives" is not a mention.
``objective title in text``
    a paragraph that repeats at least :data:`MIN_RUN` consecutive words of an objective's
    title (after case folding and a crude suffix strip, so "eliminating all forms of
    discrimination" meets "Eliminate all forms of discrimination"), of which at least
    :data:`MIN_CONTENT` are not function words, once the Compact's stock phrases
    (:data:`STOCK_PHRASES`, e.g. "safe, orderly and regular migration") are masked out of the
    title and function words trimmed from the run's ends; evidence: the paragraph's words;
    score: the share of the title's words in the run.  All links this finds in the 2022
    declaration were checked by hand (``tests/linking/test_review.py``).
``round table section``
    each paragraph under a round table → each objective of that round table; evidence: the
    round table heading.  Structural evidence only — the paragraphs review the set together —
    so it is used for the pairs no words of the paragraph already give.

A provision → objective pair gets one alignment: when several methods find the same pair the
first in the order above is kept (it is the more explicit evidence).  The method is a pure
function of the two texts, so the links are reproducible and need nothing at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gcmkg.iris import Iris
from gcmkg.links import DOCUMENTS, Alignment, Linker, Links, Measure
from gcmkg.model import Document, Provision, ProvisionKind, with_status
from gcmkg.objective_numbers import footnote_objectives, heading_objectives, mentions

KIND = "ReviewAlignment"

METHOD_HEADING = "round table heading"
METHOD_FOOTNOTE = "round table footnote"
METHOD_SECTION = "round table section"
METHOD_NUMBER = "objective number in text"
METHOD_TITLE = "objective title in text"
METHODS = (METHOD_HEADING, METHOD_FOOTNOTE, METHOD_NUMBER, METHOD_TITLE, METHOD_SECTION)  # precedence

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


def stem(word: str) -> str:
    """A crude English suffix strip, enough to meet "eliminating" with "Eliminate"."""
    word = word.lower()
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
    title_words = masked_words(title)
    text_matches = list(WORD_RE.finditer(text))
    text_words = [stem(m.group()) for m in text_matches]
    best: tuple[int, int] = (0, 0)  # (length, end index in text_words)
    previous = [0] * (len(title_words) + 1)
    for i, word in enumerate(text_words, start=1):
        current = [0] * (len(title_words) + 1)
        for j, title_word in enumerate(title_words, start=1):
            if word == title_word:
                current[j] = previous[j - 1] + 1
                if current[j] > best[0]:
                    best = (current[j], i)
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
        self.found: dict[tuple[tuple[str, ...], str], Alignment] = {}

    def objective(self, number: str, source: Provision) -> Provision:
        try:
            return self.objectives[number]
        except KeyError:
            raise ValueError(
                f"corpus/{self.imrf.source_file}:{source.span.line_start}: {'/'.join(source.path)} names objective "
                f"{number}, which {self.final.key} does not have"
            ) from None

    def add(self, source: Provision, number: str, method: str, evidence: str, **extra: object) -> None:
        key = (source.path, number)
        if key in self.found:
            return  # an earlier (more explicit) method already links this pair
        target = self.objective(number, source)
        self.found[key] = Alignment(
            kind=KIND,
            source=self.iris.provision(self.imrf.key, self.imrf.language, source.path),
            target=self.iris.provision(self.final.key, self.final.language, target.path),
            method=method,
            evidence=evidence,
            **extra,  # type: ignore[arg-type]
        )

    def alignments(self) -> list[Alignment]:
        footnotes = {p.number: p for p in self.imrf.walk() if p.kind is ProvisionKind.FOOTNOTE}
        round_tables = [p for p in self.imrf.walk() if p.kind is ProvisionKind.ROUND_TABLE]
        round_table_footnotes: set[tuple[str, ...]] = set()
        for round_table in round_tables:
            covered = heading_objectives(round_table.text)
            for number in covered:
                self.add(round_table, number, METHOD_HEADING, round_table.text)
            for ref in round_table.footnote_refs:
                footnote = footnotes[ref.number]
                round_table_footnotes.add(footnote.path)
                for number, title in footnote_objectives(footnote.text):
                    self.add(
                        footnote,
                        number,
                        METHOD_FOOTNOTE,
                        f"objective {number}: {title}",
                        difference=self.title_difference(number, title, footnote),
                    )
        for provision in self.imrf.walk():
            if provision.kind is ProvisionKind.ROUND_TABLE or provision.path in round_table_footnotes:
                continue
            for number, words in mentions(provision.text):
                self.add(provision, number, METHOD_NUMBER, words)
        for provision in self.imrf.walk():
            if provision.kind is not ProvisionKind.PARAGRAPH:
                continue
            for number, objective in sorted(self.objectives.items(), key=lambda item: int(item[0])):
                title = objective.heading or objective.text
                run = title_run(title, provision.text)
                if run and run.length >= MIN_RUN and run.content >= MIN_CONTENT:
                    score = min(1.0, round(run.length / len(WORD_RE.findall(title)), 4))
                    self.add(provision, number, METHOD_TITLE, provision.text[run.start : run.end], score=score)
        # last: the structural evidence, for the pairs no words of the paragraph already give
        for round_table in round_tables:
            covered = heading_objectives(round_table.text)
            for child in round_table.children:
                if child.kind is ProvisionKind.PARAGRAPH:
                    for number in covered:
                        self.add(child, number, METHOD_SECTION, round_table.text)
        return sorted(self.found.values(), key=lambda a: (a.source.value, a.target.value))

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
    The main figures count every link (central + passing); ``precision:central`` and
    ``recall:central`` count only the central ones (a passing link found is then a miss for
    precision), the strict reading.
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
            PRECISION_TARGET,
            "strict: review links from the 77 paragraphs that the sample marks central",
        ),
        Measure(
            "recall:central",
            len(found & central),
            len(central),
            RECALL_TARGET,
            "strict: the sample's central links that the linker finds",
        ),
    ]


LINKER = Linker("review", needs=(DOCUMENTS,), run=link, sample="review.toml", measure=measure)

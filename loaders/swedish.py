"""Loader for the Swedish translation of the agreed outcome of 13 July 2018 and its two cover letters.

The corpus file ``000_…`` holds three texts, each returned as a :class:`Document` of its own
(language ``sv``; keys, titles, dates and statuses from ``corpus/manifest.toml``, which lists
them in file order):

* ``pga-letter-2018-07-20`` — the letter of the President of the General Assembly (20 July 2018)
  transmitting the outcome;
* ``cofacilitators-letter-2018-07-17`` — the letter of the co-facilitators (17 July 2018);
* ``gcm-agreed-outcome-2018-07-13`` — the intergovernmentally negotiated and agreed outcome of
  13 July 2018, ``version_of="gcm"`` (a version, in Swedish, of the Global Compact).

The two letters are cover letters of the outcome: ``part_of="gcm-agreed-outcome-2018-07-13"``
(the transmission package is the outcome with its covers), status ``letter``; the outcome has
status ``translation``.

Tree of the outcome (same conventions as the final text and the Zero Draft): Part ``annex``
(the text that became the annex of A/73/L.66, so ``/sv/annex/para/17`` sits beside
``/en/annex/para/17``) → Sections (preamble, vision, cooperative framework, objectives,
implementation, follow-up and review) → Sub-sections → numbered Paragraphs; the guiding
principles of paragraph 15 (heading = name, text after "Name: "; path letter by position, no
number: none is printed); the list of objectives; each Objective (heading = title,
``commitment`` = its paragraph) → its Commitment → Actions (and the thematic sub-heading of
objective 2); lettered Items and roman SubItems of paragraphs 43, 45 and 49; footnotes 1–3.

The reading (this module) builds an :class:`Outcome` with :mod:`loaders.reader`'s blocks; the
defects are then found by :mod:`loaders.swedish_defects` over the finished outcome.

Clean text (:mod:`loaders.text_repair`): physical lines of a provision joined with one space (a line that is not a new
provision continues the one before: the file breaks paragraphs where the PDF it was made from
had page breaks), Markdown bold marks ``**`` removed (formatting of the conversion, not words;
each is recorded as a finding), footnote markers 1–3 taken out and recorded.  The line "För att
förverkliga detta åtagande …:" that introduces the actions is part of the commitment paragraph,
as "To realize this commitment …" is in the final text.  Nothing else changes; the file prints
no page numbers, so pages are ``None``.

Defects are recorded as findings and never repaired (:mod:`loaders.swedish_defects`).  They
are found by comparing the
structure with the English text's (:data:`ENGLISH_ACTIONS`, :data:`ENGLISH_ITEMS`, 54
paragraphs, 23 objectives, 10 guiding principles — the structure of A/73/L.66, checked against
the final-text graph by ``tests/loaders/test_swedish.py``) and by checking list markers and
sequences.  Where the shapes need a value the source does not print, the value is inferred from
the position and the finding says so: objective 2 has no heading in the body (its title is taken
from the list of objectives), its commitment paragraph has lost its number and first words
(number 18 inferred).  Action and item letters are stored lower-case (``A)`` → ``a``); the
printed marker style is recorded by the marker findings.  A block printed twice keeps both
copies: the copy that does not belong where it stands gets the path suffix ``-dup`` and is a
copy (``Provision.copy_of``, ``gcm:copyOf`` in the graph) of what it repeats — the heading and
paragraph of the plain number, the earlier action whose text it repeats — so that what is
counted by number is counted once.

What is found, and how it is recorded (``tests/loaders/test_swedish.py`` lists each with its line):

* ``MissingProvision`` — an action, item, paragraph or objective heading the English text has
  and the translation lacks (one finding per missing provision, on its nearest parent), and a
  footnote whose marker is printed but whose text is not;
* ``RepeatedProvision`` — an action whose text repeats an earlier action's (on the copy), and a
  heading or paragraph printed twice (on the later printing, the repetition in reading order);
* ``MisplacedProvision`` — a run of repeated actions standing under another objective;
* ``InconsistentMarker`` — list markers whose style (dash or not, capital or small letter, the
  footnote's bracket, a superscript footnote digit, no marker at all) differs from the
  translation's prevailing style for that kind of provision: one finding per run of consecutive
  siblings, on the first of them; indentation is layout and is not compared;
* ``HeadingMismatch`` — an objective heading worded differently from its title in the list of
  objectives (the English text prints the same title in both places);
* ``NumberingAnomaly`` — a number not printed or out of sequence;
* ``TextDefect`` — a truncated paragraph, Markdown marks in the text, names and dates mis-typed
  in the letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from gcmkg.corpus import CorpusEntry, DocumentEntry
from gcmkg.model import Document, FindingKind, Provision, ProvisionKind, SourceSpan
from loaders import reader, swedish_defects
from loaders.reader import (
    DASH,
    NUMBER,
    ROMAN,
    Block,
    Printed,
    Source,
    SourceLine,
    blank_separated,
    cover,
    lettered_kind,
    lines,
    numbered_lines,
    stub,
)
from loaders.text_repair import (
    BOLD_MARK,
    SUPERSCRIPT_RE,
    drop_bold_marks,
    join_lines,
    take_markers,
    take_superscript_markers,
)

FIRST_COMMITMENT = 17  # objective n's commitment is paragraph 16 + n

# Section and sub-section headings, by wording: (kind, path below the annex, parent path or None).
OUTLINE: dict[str, tuple[ProvisionKind, tuple[str, ...], tuple[str, ...] | None]] = {
    "INLEDNING": (ProvisionKind.SECTION, ("preamble",), None),
    "Vår vision och riktlinjer": (ProvisionKind.SECTION, ("vision",), None),
    "Gemensam förståelse": (ProvisionKind.SUBSECTION, ("common-understanding",), ("vision",)),
    "Delat ansvar": (ProvisionKind.SUBSECTION, ("shared-responsibilities",), ("vision",)),
    "Enighet om syfte": (ProvisionKind.SUBSECTION, ("unity-of-purpose",), ("vision",)),
    "Vår samarbetsram": (ProvisionKind.SECTION, ("cooperative-framework",), None),
    "Mål för säker, ordnad och regelbunden Migration": (
        ProvisionKind.SUBSECTION,
        ("objectives-list",),
        ("cooperative-framework",),
    ),
    "MÅL OCH ÅTAGANDEN": (ProvisionKind.SECTION, ("objectives-and-commitments",), None),
    "GENOMFÖRANDE": (ProvisionKind.SECTION, ("implementation",), None),
    "UPPFÖLJNING OCH ÖVERSYN": (ProvisionKind.SECTION, ("follow-up-and-review",), None),
}
# Thematic sub-headings inside objectives (objective 2 in the English text, before action (h)).
THEMATIC_HEADINGS = {"Naturkatastrofer, de negativa effekterna av klimatförändringar och miljöförstöring"}

OBJECTIVE_RE = re.compile(r"^MÅL (\d+): (.+)$")
PARAGRAPH_RE = re.compile(rf"^({DASH})?({NUMBER})\. (.+)$")
LETTERED_RE = re.compile(rf"^({DASH})?([A-Za-z])\) (.+)$")  # "A)", "- c)": one letter, either case
ROMAN_RE = re.compile(rf"^({DASH})?({ROMAN})\. (.+)$")
FOOTNOTE_RE = re.compile(r"^(\(?)(\d) ([A-ZÅÄÖ].+)$")
INTRO_RE = re.compile(r"^För att (förverkliga|uppnå) (detta åtagande|detta engagemang|åtagandet),? kommer vi att .+:$")
PRINCIPLE_RE = re.compile(r"^([A-ZÅÄÖ][\w\- ]{2,40}): (.+)$")
# footnote markers 1-3 in paragraph 2: the number after a word, before the semicolon
FOOTNOTE_MARKER_RE = re.compile(r"(?<=[^\W\d]) ([1-3])(?=;)")
# containers whose span runs to the last line of what they hold
CONTAINERS = frozenset({ProvisionKind.SECTION, ProvisionKind.SUBSECTION, ProvisionKind.OBJECTIVE})

# Where a text starts: the first line of each of the three texts.
PGA_START = "THE PRESIDENT"
COFACILITATORS_START = "PERMANENT MISSION OF MEXICO"
OUTCOME_START = "GLOBAL COMPACT för säker, ordnad och regelbunden migration"


@dataclass
class Outcome:
    """The outcome as read: its tree, the block each provision was printed as, and indexes by number."""

    annex: Provision
    start: int  # the outcome's first and last line in the file
    end: int
    printed: list[Printed] = field(default_factory=list)
    containers: dict[tuple[str, ...], Provision] = field(default_factory=dict)  # sections by path below the annex
    list_entries: dict[str, Provision] = field(default_factory=dict)
    objectives: dict[str, Provision] = field(default_factory=dict)
    paragraphs: dict[str, Provision] = field(default_factory=dict)
    # the line introducing each commitment's actions ("För att förverkliga detta åtagande …:")
    intros: list[tuple[Provision, SourceLine]] = field(default_factory=list)
    # superscript footnote markers taken out of a text: (provision, footnote number, line, offset)
    superscripts: list[tuple[Provision, str, int, int]] = field(default_factory=list)


@dataclass
class Position:
    """Where the reader stands: the provisions the next line may belong to."""

    container: Provision  # the section, sub-section or objective receiving paragraphs
    objective: Provision | None = None
    paragraph: Provision | None = None  # the numbered paragraph being read
    item: Provision | None = None  # the lettered item being read (for roman sub-items)
    heading: Provision | None = None  # the thematic sub-heading whose actions are being read
    last: Printed | None = None  # the provision a continuation line extends

    def enter(self, container: Provision) -> None:
        """A new section or objective: nothing before it can be continued."""
        self.container = container
        self.paragraph = self.item = self.heading = self.last = None


class OutcomeReader:
    """Reads the outcome of 13 July 2018 line by line into an :class:`Outcome`."""

    def __init__(self, source: Source, outcome: Outcome) -> None:
        self.source = source
        self.outcome = outcome
        self.at = Position(outcome.annex)

    def add(
        self, parent: Provision, provision: Provision, line: SourceLine, body: str, marker: str | None = None
    ) -> Printed:
        """Put ``provision`` under ``parent``; ``body`` is its first line's text after the marker."""
        parent.children.append(provision)
        printed = Printed(provision, Block.at(line, body, marker=marker))
        self.outcome.printed.append(printed)
        self.at.last = printed
        return printed

    # -- reading ---------------------------------------------------------------------------

    def read_line(self, source_line: SourceLine) -> None:
        line = source_line.text.strip()
        for read in (
            self.read_outline,
            self.read_objective,
            self.read_intro,
            self.read_footnote,
            self.read_paragraph,
            self.read_lettered,
            self.read_roman,
            self.read_principle,
            self.read_opening,
        ):
            if read(line, source_line):
                return
        if self.at.last is None:
            raise self.source.error(source_line.number, f"text before any provision: {line[:60]!r}")
        self.at.last.block.add(source_line, line)

    def read_outline(self, line: str, at: SourceLine) -> bool:
        if line in THEMATIC_HEADINGS:
            paragraph = self.at.paragraph
            if paragraph is None or paragraph.kind is not ProvisionKind.COMMITMENT or self.at.objective is None:
                raise self.source.error(at.number, f"thematic heading outside an objective: {line!r}")
            count = sum(1 for c in paragraph.children if c.kind is ProvisionKind.HEADING) + 1
            heading = stub(ProvisionKind.HEADING, (*paragraph.path, "heading", str(count)), at, heading=line)
            self.add(paragraph, heading, at, line)
            self.at.last = None
            self.at.heading = heading
            return True
        if line not in OUTLINE:
            return False
        kind, path, parent_path = OUTLINE[line]
        parent = self.outcome.annex if parent_path is None else self.outcome.containers[parent_path]
        section = stub(kind, ("annex", *path), at, heading=line)
        self.add(parent, section, at, line)
        self.outcome.containers[path] = section
        self.at.enter(section)
        self.at.objective = None
        return True

    def read_objective(self, line: str, at: SourceLine) -> bool:
        match = OBJECTIVE_RE.match(line)
        if not match:
            return False
        section = self.outcome.containers.get(("objectives-and-commitments",))
        if section is None:
            raise self.source.error(at.number, "objective heading before the section 'MÅL OCH ÅTAGANDEN'")
        number, title = match.groups()
        segment = number if number not in self.outcome.objectives else f"{number}-dup"
        objective = stub(ProvisionKind.OBJECTIVE, ("annex", "objective", segment), at, number=number, heading=title)
        self.add(section, objective, at, title)
        self.outcome.objectives.setdefault(number, objective)
        self.at.enter(objective)
        self.at.objective = objective
        return True

    def read_intro(self, line: str, at: SourceLine) -> bool:
        """'För att förverkliga detta åtagande …:' ends a commitment paragraph.

        If the provision before it is not a commitment paragraph, the objective's heading and
        its paragraph's number were lost (objective 2): the unnumbered text before the
        introduction is the commitment paragraph of an objective without a heading.
        """
        if not INTRO_RE.match(line):
            return False
        paragraph = self.at.paragraph
        if paragraph is None or paragraph.kind is not ProvisionKind.COMMITMENT or paragraph.children:
            self.recover_headless_objective(at)
        assert self.at.last is not None and self.at.paragraph is not None
        self.at.last.block.add(at, line)
        self.outcome.intros.append((self.at.paragraph, at))
        return True

    def recover_headless_objective(self, at: SourceLine) -> None:
        last = self.at.last
        if last is None or last.provision.kind is not ProvisionKind.ACTION or len(last.block.lines) < 2:
            raise self.source.error(at.number, "introduction to actions without a commitment paragraph before it")
        # the unnumbered lines after the last action are the tail of the next commitment paragraph
        previous_objective = self.at.objective
        assert previous_objective is not None and previous_objective.number is not None
        orphan = last.block.pop()
        objective_number = str(int(previous_objective.number) + 1)
        paragraph_number = str(FIRST_COMMITMENT + int(objective_number) - 1)
        entry = self.outcome.list_entries.get(objective_number)
        if entry is None or entry.heading is None:
            raise self.source.error(at.number, f"objective {objective_number} has no heading and no entry in the list")
        section = self.outcome.containers[("objectives-and-commitments",)]
        objective = stub(
            ProvisionKind.OBJECTIVE,
            ("annex", "objective", objective_number),
            orphan,
            number=objective_number,
            heading=entry.heading,
        )
        self.add(section, objective, orphan, entry.heading)
        self.outcome.objectives[objective_number] = objective
        self.at.objective = objective
        self.source.finding(
            FindingKind.MISSING,
            f"objective {objective_number} has no heading: 'MÅL {objective_number}: …' is missing between "
            f"line {last.end} (last action of objective {previous_objective.number}) and line {orphan.number}; "
            f"its title is taken from the list of objectives (line {entry.span.line_start})",
            lines(orphan.number),
            objective,
        )
        orphan_text = orphan.text.strip()
        commitment = stub(
            ProvisionKind.COMMITMENT, ("annex", "para", paragraph_number), orphan, number=paragraph_number
        )
        self.add(objective, commitment, orphan, orphan_text)
        objective.commitment = commitment.path
        self.outcome.paragraphs[paragraph_number] = commitment
        self.source.finding(
            FindingKind.NUMBERING,
            f"the commitment paragraph of objective {objective_number} is printed without its number at line "
            f"{orphan.number}; {paragraph_number} is inferred from its place between paragraphs "
            f"{int(paragraph_number) - 1} and {int(paragraph_number) + 1}",
            lines(orphan.number),
            commitment,
        )
        self.source.finding(
            FindingKind.TEXT,
            f"paragraph {paragraph_number} is truncated: it begins mid-sentence at line {orphan.number} "
            f"('{orphan_text[:40]}…'); its first part is missing",
            lines(orphan.number),
            commitment,
        )
        self.at.paragraph = commitment
        self.at.item = self.at.heading = None

    def read_footnote(self, line: str, at: SourceLine) -> bool:
        match = FOOTNOTE_RE.match(line)
        if not match or self.at.container is not self.outcome.containers.get(("preamble",)):
            return False
        paren, number, _ = match.groups()
        footnote = stub(ProvisionKind.FOOTNOTE, ("annex", "footnote", number), at, number=number)
        self.add(self.outcome.annex, footnote, at, line, marker=f"{paren}{number}")
        return True

    def read_paragraph(self, line: str, at: SourceLine) -> bool:
        match = PARAGRAPH_RE.match(line)
        if not match:
            return False
        dash, number, text = match.groups()
        marker = f"{dash or ''}{number}."
        objectives_list = self.outcome.containers.get(("objectives-list",))
        if objectives_list is not None and self.at.container is objectives_list:
            entry = stub(
                ProvisionKind.OBJECTIVE_LIST_ENTRY,
                ("annex", "objectives-list", number),
                at,
                number=number,
                heading=text,
            )
            entry.objective_number = number
            self.add(objectives_list, entry, at, text, marker)
            self.outcome.list_entries[number] = entry
            return True
        segment = number if number not in self.outcome.paragraphs else f"{number}-dup"
        if self.at.objective is not None:
            if self.at.paragraph is not None and self.at.paragraph.kind is ProvisionKind.COMMITMENT:
                raise self.source.error(at.number, f"paragraph {number} after the commitment of an objective")
            paragraph = stub(ProvisionKind.COMMITMENT, ("annex", "para", segment), at, number=number)
            self.add(self.at.objective, paragraph, at, text, marker)
            self.at.objective.commitment = paragraph.path
        else:
            if self.at.container is self.outcome.annex:
                raise self.source.error(at.number, f"paragraph {number} outside any section")
            paragraph = stub(ProvisionKind.PARAGRAPH, ("annex", "para", segment), at, number=number)
            self.add(self.at.container, paragraph, at, text, marker)
        self.outcome.paragraphs.setdefault(number, paragraph)
        self.at.paragraph = paragraph
        self.at.item = self.at.heading = None
        return True

    def read_lettered(self, line: str, at: SourceLine) -> bool:
        match = LETTERED_RE.match(line)
        if not match:
            return False
        dash, printed_letter, text = match.groups()
        parent = self.at.paragraph
        if parent is None:
            raise self.source.error(at.number, f"lettered provision {printed_letter}) before any numbered paragraph")
        kind = lettered_kind(parent)
        letter = printed_letter.lower()
        item = stub(kind, (*parent.path, letter), at, number=letter)
        self.add(parent, item, at, text, f"{dash or ''}{printed_letter})")
        if self.at.heading is not None:
            self.at.heading.groups.append(item.path)
        self.at.item = item
        return True

    def read_roman(self, line: str, at: SourceLine) -> bool:
        match = ROMAN_RE.match(line)
        if not match or self.at.item is None:
            return False
        dash, roman, text = match.groups()
        parent = self.at.item
        subitem = stub(ProvisionKind.SUBITEM, (*parent.path, roman), at, number=roman)
        self.add(parent, subitem, at, text, f"{dash or ''}{roman}.")
        return True

    def read_principle(self, line: str, at: SourceLine) -> bool:
        paragraph = self.at.paragraph
        if paragraph is None or self.at.objective is not None or paragraph.kind is not ProvisionKind.PARAGRAPH:
            return False
        opening = next(p for p in self.outcome.printed if p.provision is paragraph)
        if not opening.block.pieces[-1].endswith("principer:") and not paragraph.children:
            return False
        match = PRINCIPLE_RE.match(line)
        if not match:
            return False
        name, text = match.groups()
        letter = chr(ord("a") + len(paragraph.children))
        principle = stub(ProvisionKind.GUIDING_PRINCIPLE, (*paragraph.path, letter), at, heading=name)
        self.add(paragraph, principle, at, text)
        return True

    def read_opening(self, line: str, at: SourceLine) -> bool:
        """The unnumbered opening clause before the preamble ("Vi, stats- och regeringscheferna …")."""
        if self.at.container is not self.outcome.annex or self.at.last is not None:
            return False
        self.add(
            self.outcome.annex,
            stub(
                ProvisionKind.PARAGRAPH,
                (
                    "annex",
                    "opening",
                ),
                at,
            ),
            at,
            line,
        )
        return True

    # -- finishing -------------------------------------------------------------------------

    def finish(self) -> None:
        for printed in self.outcome.printed:
            self.finish_text(printed)
        repeats = swedish_defects.repeated_actions(self.outcome.annex)
        self.resolve_duplicates(repeats)
        self.mark_copies(repeats)
        cover(self.outcome.annex, CONTAINERS)
        swedish_defects.check(self.outcome, repeats, self.source)

    def finish_text(self, printed: Printed) -> None:
        """The clean text: lines joined by one space, ``**`` dropped (each a finding), footnote markers out.

        Each provision is printed as one run of lines; a blank line inside it (the file breaks
        paragraphs where the PDF had page breaks) is a defect of the file: the lines are joined,
        and the join is a finding with the lines on either side.  The introduction to the
        actions, printed as a paragraph of its own, belongs to the commitment paragraph (as in
        the English text) and is not such a join.  A superscript digit is a footnote marker
        (footnotes 1–3 are marked by plain digits): it is taken out of the text and recorded.
        """
        provision = printed.provision
        intros = {line.number for paragraph, line in self.outcome.intros if paragraph is provision}
        numbers = printed.block.numbers
        for before, after in zip(numbers, numbers[1:], strict=False):
            if after != before + 1 and after not in intros:
                ending = self.source.line(before).strip()
                where = "between two sentences" if ending.endswith((".", ":", ";")) else "in mid-sentence"
                self.source.finding(
                    FindingKind.TEXT,
                    f"the text of {describe(provision)} is split across a blank line {where}: line {before} "
                    f"('…{ending[-30:]}') continues at line {after} "
                    f"('{self.source.line(after).strip()[:30]}…'); the lines are joined into one provision",
                    lines(before, after),
                    provision,
                )
        text = join_lines(printed.block.pieces)
        for number in printed.block.numbers:
            raw = self.source.line(number)
            if BOLD_MARK in raw:
                self.source.finding(
                    FindingKind.TEXT,
                    f"Markdown bold marks '**' in the text at line {number} "
                    f"(around '{raw.split(BOLD_MARK)[1][:40]}…'); removed from the clean text",
                    lines(number),
                    provision,
                )
        text = drop_bold_marks(text)
        if provision.kind is ProvisionKind.FOOTNOTE:
            text = re.sub(r"^\(?\d\s+", "", text)
        if provision.kind is ProvisionKind.PARAGRAPH:
            text, provision.footnote_refs = take_markers(text, FOOTNOTE_MARKER_RE)
        text, superscripts = take_superscript_markers(text)
        for ref in superscripts:
            line = next(n for n in numbers if SUPERSCRIPT_RE.search(self.source.line(n)))
            self.outcome.superscripts.append((provision, ref.number, line, ref.offset))
        provision.text = text
        provision.span = printed.block.span()

    def mark_copies(self, repeats: swedish_defects.Repeats) -> None:
        """A block printed twice stays where it is printed, as a copy of what it repeats.

        A ``-dup`` heading or paragraph is a copy of the one with the plain number; an action
        whose text repeats an earlier action's is a copy of that action (wherever it stands).
        """
        by_path = {p.path: p for p in self.outcome.annex.walk()}
        for provision in self.outcome.annex.walk():
            repeated = repeats.get(id(provision))
            if repeated is not None:
                provision.copy_of = repeated.path
                continue
            if len(provision.path) >= 3 and provision.path[2].endswith("-dup"):
                plain = (*provision.path[:2], provision.path[2].removesuffix("-dup"), *provision.path[3:])
                if plain in by_path and by_path[plain].kind is provision.kind:
                    provision.copy_of = plain

    def resolve_duplicates(self, repeats: swedish_defects.Repeats) -> None:
        """Of an objective printed twice, the copy followed by repeated actions is the ``-dup`` one."""
        section = self.outcome.containers.get(("objectives-and-commitments",))
        if section is None:
            return
        mapping: dict[tuple[str, ...], tuple[str, ...]] = {}
        for dup in [c for c in section.children if c.path[-1].endswith("-dup")]:
            plain = next((c for c in section.children if c.path[-1] == dup.path[-1].removesuffix("-dup")), None)
            if plain is None:  # printed under another copy of the section: reader.document names the repeat
                continue
            if swedish_defects.intruder(plain, repeats) and not swedish_defects.intruder(dup, repeats):
                for root, add in ((plain, True), (dup, False)):
                    for provision in root.walk():
                        old = provision.path
                        if len(old) >= 3 and old[1] in ("objective", "para"):
                            segment = old[2] + "-dup" if add else old[2].removesuffix("-dup")
                            provision.path = (old[0], old[1], segment, *old[3:])
                            mapping[old] = provision.path
                assert dup.number is not None
                self.outcome.objectives[dup.number] = dup
                commitment = next(c for c in dup.children if c.kind is ProvisionKind.COMMITMENT)
                assert commitment.number is not None
                self.outcome.paragraphs[commitment.number] = commitment
        for provision in self.outcome.annex.walk():
            if provision.commitment in mapping:
                provision.commitment = mapping[provision.commitment]
            provision.groups = [mapping.get(g, g) for g in provision.groups]


def describe(provision: Provision) -> str:
    """How a finding names a provision: "paragraph 27", "action (c) of paragraph 26", "footnote 1"."""
    kind = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", provision.kind.value).lower()
    if provision.kind in (ProvisionKind.ACTION, ProvisionKind.ITEM, ProvisionKind.SUBITEM) and provision.number:
        return f"{kind} ({provision.number}) of paragraph {provision.path[2].removesuffix('-dup')}"
    if provision.kind is ProvisionKind.COMMITMENT:
        return f"paragraph {provision.number}"
    if provision.kind is ProvisionKind.GUIDING_PRINCIPLE:
        return f"the guiding principle '{provision.heading}'"
    return f"{kind} {provision.number}" if provision.number else kind


def read_outcome(source: Source, start: int, end: int) -> Outcome:
    """The outcome on lines ``start``–``end``: its title block, then its provisions, then its defects."""
    content = numbered_lines(source.lines, start, end)
    if len(content) < 3:
        raise source.error(start, "the agreed outcome has no title block")
    title, subtitle, date = content[:3]
    annex = Provision(
        ProvisionKind.PART,
        ("annex",),
        join_lines(line.text for line in (title, subtitle, date)),
        SourceSpan(title.number, end),
        heading=title.text.strip(),
    )
    outcome = Outcome(annex, start, end)
    outcome_reader = OutcomeReader(source, outcome)
    for line in content[3:]:
        outcome_reader.read_line(line)
    outcome_reader.finish()
    return outcome


# ------------------------------------------------------------------------------------------
# The two letters


# Words that tell the language of a line of the letters, which are Swedish translations printed
# under their senders' own letterheads (English, and the four national languages of Switzerland).
LANGUAGE_WORDS: dict[str, frozenset[str]] = {
    "sv": frozenset("och för till av att som den det är vi jag er ers excellens med på om juli ständig ständiga "
                    "representant förenta nationen nationerna ordförande generalförsamling ambassadör".split()),
    "en": frozenset("the of to and permanent mission united nations president general assembly".split()),
    "fr": frozenset("confédération suisse de la le des mission permanente".split()),
    "de": frozenset("schweizerische eidgenossenschaft der die und ständige vertretung".split()),
    "it": frozenset("confederazione svizzera della di".split()),
    "rm": frozenset("confederaziun svizra".split()),
}  # fmt: skip
MIXED = "mul"  # ISO 639-2 "multiple languages": the language tag of a text printed in several


def line_language(text: str) -> str | None:
    """The language whose words a line uses most, ``None`` when no language or several equally.

    >>> line_language("PERMANENT MISSION OF MEXICO"), line_language("Confédération suisse")
    ('en', 'fr')
    >>> line_language("Juan José Gómez Camacho") is None, line_language("New York, 17 juli 2018")
    (True, 'sv')
    """
    words = re.findall(r"[^\W\d_]+", text.lower())
    hits = {language: sum(word in lexicon for word in words) for language, lexicon in LANGUAGE_WORDS.items()}
    best = max(hits.values())
    found = [language for language, count in hits.items() if count == best]
    return found[0] if best and len(found) == 1 else None


def block_language(block: Block, document_language: str) -> str | None:
    """The language of a block of the letters where it is not the document's: one, or ``mul`` for several."""
    found = {line_language(piece) for piece in block.pieces} - {None}
    if not found or found == {document_language}:
        return None
    return found.pop() if len(found) == 1 else MIXED


def read_letter(source: Source, start: int, end: int, letterhead_blocks: int, language: str = "sv") -> Provision:
    """A cover letter: a Letter provision (its letterhead as heading) with one Paragraph per block.

    A block is a run of non-blank lines (a signature's two lines, a paragraph); the first
    ``letterhead_blocks`` blocks are the letterhead.  A block printed in another language than
    the translation's (``language``) says so (``Provision.language``, by :func:`line_language`):
    the letterheads are the senders' own, in English and in the languages of Switzerland.
    """
    blocks = blank_separated(source.lines, start, end)
    head = blocks[:letterhead_blocks]
    letterhead = join_lines(piece for block in head for piece in block.pieces)
    letter = Provision(
        ProvisionKind.LETTER, ("letter",), letterhead, lines(head[0].start, blocks[-1].end), heading=letterhead
    )
    letter.language = block_language(Block([], [p for b in head for p in b.pieces]), language)
    for order, block in enumerate(blocks[letterhead_blocks:], start=1):
        paragraph = Provision(
            ProvisionKind.PARAGRAPH,
            ("letter", "para", str(order)),
            join_lines(block.pieces),
            lines(block.start, block.end),
        )
        paragraph.language = block_language(block, language)
        letter.children.append(paragraph)
    return letter


def language_findings(letter: Provision, source: Source, language: str) -> None:
    """A provision of the letters printed in several languages: its text is tagged ``mul``; the finding says which."""
    for provision in letter.walk():
        if provision.language != MIXED:
            continue
        end = provision.children[0].span.line_start - 1 if provision.children else provision.span.line_end
        printed = [
            (number, line_language(source.line(number)))
            for number in range(provision.span.line_start, end + 1)
            if source.line(number).strip()
        ]
        described = "; ".join(f"line {number}: {tag or '?'}" for number, tag in printed)
        source.finding(
            FindingKind.TEXT,
            f"the {'letterhead' if provision.kind is ProvisionKind.LETTER else 'text'} at lines "
            f"{printed[0][0]}–{printed[-1][0]} is printed in several languages, none of them the translation's "
            f"('{language}'): {described}; one text holds them, tagged '{MIXED}' (several languages)",
            lines(printed[0][0], printed[-1][0]),
            provision,
        )


def letter_findings(letter: Provision, source: Source) -> None:
    """Defects of the letters' own text (names and dates mis-typed in the translation)."""
    for provision in letter.walk():
        line = provision.span.line_start
        if "Gómez-Conacho" in provision.text:
            source.finding(
                FindingKind.TEXT,
                f"line {line} names the co-facilitator 'José Gómez-Conacho'; he signs the co-facilitators' "
                "letter as 'Juan José Gómez Camacho' (line 54)",
                lines(line),
                provision,
            )
        if re.search(r"\b1011 december", provision.text):
            source.finding(
                FindingKind.TEXT,
                f"line {line} dates the conference 'den 1011 december 2018': the dash of '10–11 december' is missing",
                lines(line),
                provision,
            )


def letter_document(entry: CorpusEntry, meta: DocumentEntry, source: Source, letter: Provision) -> Document:
    """A letter as a document of its own, with the findings of its text."""
    findings = Source(source.file, source.lines)  # a letter's findings are its own document's
    letter_findings(letter, findings)
    language_findings(letter, findings, entry.language)
    return reader.document(entry, meta, [letter], findings.findings)


def find_line(source: Source, prefix: str) -> int:
    for number, line in enumerate(source.lines, start=1):
        if line.strip().startswith(prefix):
            return number
    raise source.error(None, f"no line starts with {prefix!r}")


def load(path: Path, entry: CorpusEntry) -> list[Document]:
    """The three documents of the Swedish file: the two cover letters and the agreed outcome."""
    source = Source.read(path, f"corpus/{entry.file}")
    pga, cofacilitators, outcome = (
        find_line(source, PGA_START),
        find_line(source, COFACILITATORS_START),
        find_line(source, OUTCOME_START),
    )
    if not pga < cofacilitators < outcome:
        raise source.error(outcome, "the letters and the outcome are not in the expected order")
    pga_meta, cofacilitators_meta, outcome_meta = entry.expect_documents(3)  # in file order
    annex = read_outcome(source, outcome, len(source.lines)).annex
    findings = sorted(source.findings, key=lambda f: (f.span.line_start, f.kind.value))
    documents = [
        letter_document(entry, pga_meta, source, read_letter(source, pga, cofacilitators - 1, 1, entry.language)),
        letter_document(
            entry, cofacilitators_meta, source, read_letter(source, cofacilitators, outcome - 1, 3, entry.language)
        ),
        reader.document(entry, outcome_meta, [annex], findings),
    ]
    return documents  # reader.document raised if a path repeats

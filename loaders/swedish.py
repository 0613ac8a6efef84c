"""Loader for the Swedish translation of the agreed outcome of 13 July 2018 and its two cover letters.

The corpus file ``000_…`` holds three texts, each returned as a :class:`Document` of its own
(language ``sv``):

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

Clean text: physical lines of a provision joined with one space (a line that is not a new
provision continues the one before: the file breaks paragraphs where the PDF it was made from
had page breaks), Markdown bold marks ``**`` removed (formatting of the conversion, not words;
each is recorded as a finding), footnote markers 1–3 taken out and recorded.  The line "För att
förverkliga detta åtagande …:" that introduces the actions is part of the commitment paragraph,
as "To realize this commitment …" is in the final text.  Nothing else changes; the file prints
no page numbers, so pages are ``None``.

Defects are recorded as findings and never repaired.  They are found by comparing the
structure with the English text's (:data:`ENGLISH_ACTIONS`, :data:`ENGLISH_ITEMS`, 54
paragraphs, 23 objectives, 10 guiding principles — the structure of A/73/L.66, checked against
the final-text graph by ``tests/loaders/test_swedish.py``) and by checking list markers and
sequences.  Where the shapes need a value the source does not print, the value is inferred from
the position and the finding says so: objective 2 has no heading in the body (its title is taken
from the list of objectives), its commitment paragraph has lost its number and first words
(number 18 inferred).  Action and item letters are stored lower-case (``A)`` → ``a``); the
printed marker style is recorded by the marker findings.  A block printed twice keeps both
copies: the copy that does not belong where it stands gets the path suffix ``-dup``.

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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from gcmkg.corpus import CorpusEntry, DocumentEntry
from gcmkg.errors import CorpusError, SourceError
from gcmkg.model import Document, Finding, FindingKind, FootnoteRef, Provision, ProvisionKind, SourceSpan
from loaders import reader
from loaders.reader import marker_style
from loaders.text_repair import fold_whitespace  # the shared repairs live once

# The structure of the English text (A/73/L.66, annex): letters of the actions per objective,
# the lettered items and roman sub-items of paragraphs 43, 45 and 49.  The July and December
# texts have the same structure; tests check this table against the final-text graph.
ENGLISH_ACTIONS: dict[int, str] = {
    1: "abcdefghijk", 2: "abcdefghijkl", 3: "abcde", 4: "abcdefg", 5: "abcdefghij", 6: "abcdefghijkl",
    7: "abcdefghijkl", 8: "abcdef", 9: "abcdef", 10: "abcdefghij", 11: "abcdefg", 12: "abcde", 13: "abcdefgh",
    14: "abcdef", 15: "abcdef", 16: "abcdefghi", 17: "abcdefg", 18: "abcdefghijkl", 19: "abcdefghij",
    20: "abcdefghi", 21: "abcdefghi", 22: "abc", 23: "abcde",
}  # fmt: skip
ENGLISH_ITEMS: dict[int, dict[str, int]] = {43: {"a": 5, "b": 3, "c": 3}, 45: {"a": 0, "b": 0, "c": 0},
                                           49: {"a": 0, "b": 0, "c": 0, "d": 0, "e": 0}}  # fmt: skip
ENGLISH_PARAGRAPHS = 54
ENGLISH_PRINCIPLES = 10
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
PARAGRAPH_RE = re.compile(r"^(- )?(\d{1,2})\. (.+)$")
LETTERED_RE = re.compile(r"^(- )?([A-Za-z])\) (.+)$")
ROMAN_RE = re.compile(r"^(- )?([ivx]+)\. (.+)$")
FOOTNOTE_RE = re.compile(r"^(\(?)(\d) ([A-ZÅÄÖ].+)$")
INTRO_RE = re.compile(r"^För att (förverkliga|uppnå) (detta åtagande|detta engagemang|åtagandet),? kommer vi att .+:$")
PRINCIPLE_RE = re.compile(r"^([A-ZÅÄÖ][\w\- ]{2,40}): (.+)$")
# footnote markers 1-3 in paragraph 2: the number after a word, before the semicolon
FOOTNOTE_MARKER_RE = re.compile(r"(?<=[^\W\d]) ([1-3])(?=;)")
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
BOLD = "**"

# Where a text starts: the first line of each of the three texts.
PGA_START = "THE PRESIDENT"
COFACILITATORS_START = "PERMANENT MISSION OF MEXICO"
OUTCOME_START = "GLOBAL COMPACT för säker, ordnad och regelbunden migration"


def lines_text(numbers: list[int]) -> str:
    return f"line {numbers[0]}" if len(numbers) == 1 else f"lines {numbers[0]}–{numbers[-1]}"


@dataclass
class Block:
    """A provision being read, with the physical lines that make it up."""

    provision: Provision
    pieces: list[str]
    marker: str | None = None  # the list marker as printed ("A)", "- c)", "- 27.", "- i.")
    lines: list[int] = field(default_factory=list)


class OutcomeReader:
    """Reads the outcome of 13 July 2018 line by line into a provision tree and findings."""

    def __init__(self, file: str, lines: list[str], start: int, end: int) -> None:
        self.file = file
        self.lines = lines
        self.start, self.end = start, end
        self.findings: list[Finding] = []
        self.blocks: list[Block] = []
        self.containers: dict[tuple[str, ...], Provision] = {}
        self.container: Provision | None = None
        self.paragraph: Provision | None = None  # the numbered paragraph being read
        self.item: Provision | None = None  # the lettered item being read (for roman sub-items)
        self.objective: Provision | None = None
        self.last: Block | None = None
        self.annex: Provision | None = None
        self.list_entries: dict[str, Provision] = {}
        self.objectives: dict[str, Provision] = {}
        self.paragraphs: dict[str, Provision] = {}
        self.heading: Provision | None = None  # the thematic sub-heading whose actions are being read
        self.repeats: dict[int, Provision] = {}  # id of a repeated action → the action it repeats

    # -- helpers ---------------------------------------------------------------------------

    def error(self, line: int, message: str) -> SourceError:
        return SourceError(f"corpus/{self.file}", line, message)

    def finding(self, kind: FindingKind, message: str, start: int, end: int, provision: Provision | None) -> None:
        self.findings.append(Finding(kind, message, SourceSpan(start, end), provision.path if provision else None))

    def new(
        self,
        kind: ProvisionKind,
        path: tuple[str, ...],
        line: int,
        body: str,
        parent: Provision,
        *,
        number: str | None = None,
        heading: str | None = None,
        marker: str | None = None,
    ) -> Block:
        provision = Provision(kind, ("annex", *path), "", SourceSpan(line, line), number=number, heading=heading)
        parent.children.append(provision)
        block = Block(provision, [body], marker, [line])
        self.blocks.append(block)
        self.last = block
        return block

    # -- reading ---------------------------------------------------------------------------

    def read(self) -> Provision:
        content = [(n, self.lines[n - 1]) for n in range(self.start, self.end + 1) if self.lines[n - 1].strip()]
        if len(content) < 3:
            raise self.error(self.start, "the agreed outcome has no title block")
        (title_line, title), (_, subtitle), (date_line, date) = content[:3]
        self.annex = Provision(
            ProvisionKind.PART,
            ("annex",),
            fold_whitespace(f"{title} {subtitle} {date}"),
            SourceSpan(title_line, self.end),
            heading=title.strip(),
        )
        self.container = self.annex
        for number, raw in content[3:]:
            self.read_line(number, raw)
        self.finish()
        return self.annex

    def read_line(self, number: int, raw: str) -> None:
        line = raw.strip()
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
            if read(line, number):
                return
        if self.last is None:
            raise self.error(number, f"text before any provision: {line[:60]!r}")
        self.continue_last(line, number)

    def continue_last(self, line: str, number: int) -> None:
        assert self.last is not None
        self.last.pieces.append(line)
        self.last.lines.append(number)

    def read_outline(self, line: str, number: int) -> bool:
        if line in THEMATIC_HEADINGS:
            if self.paragraph is None or self.paragraph.kind is not ProvisionKind.COMMITMENT or self.objective is None:
                raise self.error(number, f"thematic heading outside an objective: {line!r}")
            count = sum(1 for c in self.paragraph.children if c.kind is ProvisionKind.HEADING) + 1
            block = self.new(
                ProvisionKind.HEADING,
                (*self.paragraph.path[1:], "heading", str(count)),
                number,
                line,
                self.paragraph,
                heading=line,
            )
            self.last = None
            self.heading = block.provision
            return True
        if line not in OUTLINE:
            return False
        assert self.annex is not None
        kind, path, parent_path = OUTLINE[line]
        parent = self.annex if parent_path is None else self.containers[parent_path]
        block = self.new(kind, path, number, line, parent, heading=line)
        self.containers[path] = block.provision
        self.container = block.provision
        self.paragraph = self.item = self.objective = None
        self.heading = None
        self.last = None
        return True

    def read_objective(self, line: str, number: int) -> bool:
        match = OBJECTIVE_RE.match(line)
        if not match:
            return False
        section = self.containers.get(("objectives-and-commitments",))
        if section is None:
            raise self.error(number, "objective heading before the section 'MÅL OCH ÅTAGANDEN'")
        objective_number, title = match.groups()
        segment = objective_number if objective_number not in self.objectives else f"{objective_number}-dup"
        block = self.new(
            ProvisionKind.OBJECTIVE,
            ("objective", segment),
            number,
            title,
            section,
            number=objective_number,
            heading=title,
        )
        self.objectives.setdefault(objective_number, block.provision)
        self.objective = block.provision
        self.container = block.provision
        self.paragraph = self.item = self.heading = None
        self.last = None
        return True

    def read_intro(self, line: str, number: int) -> bool:
        """'För att förverkliga detta åtagande …:' ends a commitment paragraph.

        If the provision before it is not a commitment paragraph, the objective's heading and
        its paragraph's number were lost (objective 2): the unnumbered text before the
        introduction is the commitment paragraph of an objective without a heading.
        """
        if not INTRO_RE.match(line):
            return False
        if (
            self.paragraph is not None
            and self.paragraph.kind is ProvisionKind.COMMITMENT
            and not self.paragraph.children
        ):
            self.continue_last(line, number)
            return True
        self.recover_headless_objective(line, number)
        return True

    def recover_headless_objective(self, line: str, number: int) -> None:
        last = self.last
        if last is None or last.provision.kind is not ProvisionKind.ACTION or len(last.lines) < 2:
            raise self.error(number, "introduction to actions without a commitment paragraph before it")
        # the unnumbered lines after the last action are the tail of the next commitment paragraph
        previous_objective = self.objective
        assert previous_objective is not None and previous_objective.number is not None
        orphan = last.lines[-1]
        last.pieces.pop()
        last.lines.pop()
        objective_number = str(int(previous_objective.number) + 1)
        paragraph_number = str(FIRST_COMMITMENT + int(objective_number) - 1)
        entry = self.list_entries.get(objective_number)
        if entry is None or entry.heading is None:
            raise self.error(number, f"objective {objective_number} has no heading and no entry in the list")
        section = self.containers[("objectives-and-commitments",)]
        objective = self.new(
            ProvisionKind.OBJECTIVE,
            ("objective", objective_number),
            orphan,
            entry.heading,
            section,
            number=objective_number,
            heading=entry.heading,
        )
        self.objectives[objective_number] = objective.provision
        self.objective = objective.provision
        self.finding(
            FindingKind.MISSING,
            f"objective {objective_number} has no heading: 'MÅL {objective_number}: …' is missing between "
            f"line {last.lines[-1]} (last action of objective {previous_objective.number}) and line {orphan}; "
            f"its title is taken from the list of objectives (line {entry.span.line_start})",
            orphan,
            orphan,
            objective.provision,
        )
        commitment = self.new(
            ProvisionKind.COMMITMENT,
            ("para", paragraph_number),
            orphan,
            self.lines[orphan - 1].strip(),
            objective.provision,
            number=paragraph_number,
        )
        objective.provision.commitment = commitment.provision.path
        self.paragraphs[paragraph_number] = commitment.provision
        self.finding(
            FindingKind.NUMBERING,
            f"the commitment paragraph of objective {objective_number} is printed without its number at line "
            f"{orphan}; {paragraph_number} is inferred from its place between paragraphs "
            f"{int(paragraph_number) - 1} and {int(paragraph_number) + 1}",
            orphan,
            orphan,
            commitment.provision,
        )
        self.finding(
            FindingKind.TEXT,
            f"paragraph {paragraph_number} is truncated: it begins mid-sentence at line {orphan} "
            f"('{self.lines[orphan - 1].strip()[:40]}…'); its first part is missing",
            orphan,
            orphan,
            commitment.provision,
        )
        self.paragraph = commitment.provision
        self.item = self.heading = None
        self.continue_last(line, number)

    def read_footnote(self, line: str, number: int) -> bool:
        match = FOOTNOTE_RE.match(line)
        if not match or self.container is not self.containers.get(("preamble",)):
            return False
        paren, footnote_number, _ = match.groups()
        assert self.annex is not None
        self.new(
            ProvisionKind.FOOTNOTE,
            ("footnote", footnote_number),
            number,
            line,
            self.annex,
            number=footnote_number,
            marker=f"{paren}{footnote_number}",
        )
        return True

    def read_paragraph(self, line: str, number: int) -> bool:
        match = PARAGRAPH_RE.match(line)
        if not match:
            return False
        dash, paragraph_number, text = match.groups()
        marker = f"{dash or ''}{paragraph_number}."
        objectives_list = self.containers.get(("objectives-list",))
        if objectives_list is not None and self.container is objectives_list:
            block = self.new(
                ProvisionKind.OBJECTIVE_LIST_ENTRY,
                ("objectives-list", paragraph_number),
                number,
                text,
                objectives_list,
                number=paragraph_number,
                heading=text,
                marker=marker,
            )
            block.provision.objective_number = paragraph_number
            self.list_entries[paragraph_number] = block.provision
            return True
        if self.objective is not None:
            if self.paragraph is not None and self.paragraph.kind is ProvisionKind.COMMITMENT:
                raise self.error(number, f"paragraph {paragraph_number} after the commitment of an objective")
            segment = paragraph_number if paragraph_number not in self.paragraphs else f"{paragraph_number}-dup"
            block = self.new(
                ProvisionKind.COMMITMENT,
                ("para", segment),
                number,
                text,
                self.objective,
                number=paragraph_number,
                marker=marker,
            )
            self.objective.commitment = block.provision.path
        else:
            if self.container is None or self.container is self.annex:
                raise self.error(number, f"paragraph {paragraph_number} outside any section")
            segment = paragraph_number if paragraph_number not in self.paragraphs else f"{paragraph_number}-dup"
            block = self.new(
                ProvisionKind.PARAGRAPH,
                ("para", segment),
                number,
                text,
                self.container,
                number=paragraph_number,
                marker=marker,
            )
        self.paragraphs.setdefault(paragraph_number, block.provision)
        self.paragraph = block.provision
        self.item = self.heading = None
        return True

    def read_lettered(self, line: str, number: int) -> bool:
        match = LETTERED_RE.match(line)
        if not match:
            return False
        dash, letter, text = match.groups()
        parent = self.paragraph
        if parent is None:
            raise self.error(number, f"lettered provision {letter}) before any numbered paragraph")
        kind = ProvisionKind.ACTION if parent.kind is ProvisionKind.COMMITMENT else ProvisionKind.ITEM
        block = self.new(
            kind,
            (*parent.path[1:], letter.lower()),
            number,
            text,
            parent,
            number=letter.lower(),
            marker=f"{dash or ''}{letter})",
        )
        if self.heading is not None:
            self.heading.groups.append(block.provision.path)
        self.item = block.provision
        return True

    def read_roman(self, line: str, number: int) -> bool:
        match = ROMAN_RE.match(line)
        if not match or self.item is None:
            return False
        dash, roman, text = match.groups()
        parent = self.item
        self.new(
            ProvisionKind.SUBITEM,
            (*parent.path[1:], roman),
            number,
            text,
            parent,
            number=roman,
            marker=f"{dash or ''}{roman}.",
        )
        return True

    def read_principle(self, line: str, number: int) -> bool:
        paragraph = self.paragraph
        if paragraph is None or self.objective is not None or paragraph.kind is not ProvisionKind.PARAGRAPH:
            return False
        opening = next(b for b in self.blocks if b.provision is paragraph)
        if not opening.pieces[-1].endswith("principer:") and not paragraph.children:
            return False
        match = PRINCIPLE_RE.match(line)
        if not match:
            return False
        name, text = match.groups()
        letter = chr(ord("a") + len(paragraph.children))
        self.new(ProvisionKind.GUIDING_PRINCIPLE, (*paragraph.path[1:], letter), number, text, paragraph, heading=name)
        return True

    def read_opening(self, line: str, number: int) -> bool:
        """The unnumbered opening clause before the preamble ("Vi, stats- och regeringscheferna …")."""
        if self.container is not self.annex or self.last is not None:
            return False
        assert self.annex is not None
        self.new(ProvisionKind.PARAGRAPH, ("opening",), number, line, self.annex)
        return True

    # -- finishing -------------------------------------------------------------------------

    def finish(self) -> None:
        for block in self.blocks:
            self.finish_block(block)
        self.find_repeated_actions()
        self.resolve_duplicates()
        self.fix_spans(self.annex)
        self.check_structure()

    def find_repeated_actions(self) -> None:
        """Actions whose text is that of an earlier action (equal, or a re-typed copy)."""
        assert self.annex is not None
        texts: dict[str, Provision] = {}
        for provision in self.annex.walk():
            if provision.kind is not ProvisionKind.ACTION:
                continue
            first = texts.get(provision.text) or texts.get(_near(provision.text, texts))
            if first is None:
                texts[provision.text] = provision
            else:
                self.repeats[id(provision)] = first

    def resolve_duplicates(self) -> None:
        """Of an objective printed twice, the copy followed by repeated actions is the ``-dup`` one."""
        assert self.annex is not None
        section = self.containers.get(("objectives-and-commitments",))
        if section is None:
            return
        mapping: dict[tuple[str, ...], tuple[str, ...]] = {}
        for dup in [c for c in section.children if c.path[-1].endswith("-dup")]:
            plain = next(c for c in section.children if c.path[-1] == dup.path[-1].removesuffix("-dup"))
            if self.intruder(plain) and not self.intruder(dup):
                for root, add in ((plain, True), (dup, False)):
                    for provision in root.walk():
                        old = provision.path
                        if len(old) >= 3 and old[1] in ("objective", "para"):
                            segment = old[2] + "-dup" if add else old[2].removesuffix("-dup")
                            provision.path = (old[0], old[1], segment, *old[3:])
                            mapping[old] = provision.path
                assert dup.number is not None
                self.objectives[dup.number] = dup
                commitment = next(c for c in dup.children if c.kind is ProvisionKind.COMMITMENT)
                assert commitment.number is not None
                self.paragraphs[commitment.number] = commitment
        for provision in self.annex.walk():
            if provision.commitment in mapping:
                provision.commitment = mapping[provision.commitment]
            provision.groups = [mapping.get(g, g) for g in provision.groups]

    def intruder(self, objective: Provision) -> bool:
        actions = [p for p in objective.walk() if p.kind is ProvisionKind.ACTION]
        return bool(actions) and all(id(a) in self.repeats for a in actions)

    def finish_block(self, block: Block) -> None:
        provision = block.provision
        text = fold_whitespace(" ".join(block.pieces))
        for number in block.lines:
            if BOLD in self.lines[number - 1]:
                self.finding(
                    FindingKind.TEXT,
                    f"Markdown bold marks '**' in the text at line {number} "
                    f"(around '{self.lines[number - 1].split(BOLD)[1][:40]}…'); removed from the clean text",
                    number,
                    number,
                    provision,
                )
        text = text.replace(BOLD, "")
        if provision.kind is ProvisionKind.FOOTNOTE:
            text = re.sub(r"^\(?\d\s+", "", text)
        if provision.kind is ProvisionKind.PARAGRAPH:
            # left to right, so each offset is measured in the text without the earlier markers
            while match := FOOTNOTE_MARKER_RE.search(text):
                text = text[: match.start()] + text[match.end() :]
                provision.footnote_refs.append(FootnoteRef(match.group(1), match.start()))
        provision.text = text
        provision.span = SourceSpan(block.lines[0], block.lines[-1])

    def fix_spans(self, provision: Provision | None) -> None:
        """A container's span runs to the last line of its last descendant."""
        if provision is None:
            return
        for child in provision.children:
            self.fix_spans(child)
        if provision.children and provision.kind in (
            ProvisionKind.SECTION,
            ProvisionKind.SUBSECTION,
            ProvisionKind.OBJECTIVE,
        ):
            last = max(c.span.line_end for c in provision.walk())
            provision.span = SourceSpan(provision.span.line_start, max(last, provision.span.line_start))

    # -- defects ---------------------------------------------------------------------------

    def check_structure(self) -> None:
        self.check_objectives()
        self.check_repeats()
        self.check_items()
        self.check_paragraphs()
        self.check_principles()
        self.check_markers()
        self.check_footnotes()
        self.check_list_titles()

    def check_objectives(self) -> None:
        for objective_number, letters in ENGLISH_ACTIONS.items():
            objective = self.objectives.get(str(objective_number))
            if objective is None:
                self.finding(
                    FindingKind.MISSING, f"objective {objective_number} is missing", self.start, self.end, self.annex
                )
                continue
            commitment = next(c for c in objective.children if c.kind is ProvisionKind.COMMITMENT)
            printed = [c.number for c in commitment.children if c.kind is ProvisionKind.ACTION]
            for letter in letters:
                if letter not in printed:
                    self.finding(
                        FindingKind.MISSING,
                        f"action ({letter}) of objective {objective_number} is missing: the English text has actions "
                        f"({letters[0]})–({letters[-1]}), the translation stops at ({printed[-1]}) "
                        f"(line {commitment.children[-1].span.line_end})",
                        commitment.children[-1].span.line_end,
                        commitment.children[-1].span.line_end,
                        commitment,
                    )
            expected_paragraph = str(FIRST_COMMITMENT + objective_number - 1)
            if commitment.number != expected_paragraph:
                self.finding(
                    FindingKind.NUMBERING,
                    f"objective {objective_number}'s commitment is paragraph {commitment.number}, "
                    f"{expected_paragraph} was expected",
                    commitment.span.line_start,
                    commitment.span.line_start,
                    commitment,
                )

    def check_repeats(self) -> None:
        """Provisions printed twice: the copy that stands where it does not belong is ``-dup``."""
        assert self.annex is not None
        by_path = {p.path: p for p in self.annex.walk()}
        for provision in self.annex.walk():
            if not provision.path[-1].endswith("-dup"):
                continue
            original = by_path[(*provision.path[:-1], provision.path[-1].removesuffix("-dup"))]
            # the finding goes on the later printing (the repetition in reading order)
            first, again = sorted((provision, original), key=lambda p: p.span.line_start)
            what = "the heading of objective" if provision.kind is ProvisionKind.OBJECTIVE else "paragraph"
            tail = (
                f"; the first copy is followed by actions repeated from another objective (lines "
                f"{first.span.line_start}–{first.span.line_end}), this one by objective {provision.number}'s own"
                if provision.kind is ProvisionKind.OBJECTIVE and self.intruder(first)
                else ""
            )
            self.finding(
                FindingKind.REPEATED,
                f"{what} {provision.number} is printed again at line {again.span.line_start} "
                f"(first at line {first.span.line_start}){tail}",
                again.span.line_start,
                again.span.line_start if again.kind is ProvisionKind.OBJECTIVE else again.span.line_end,
                again,
            )
        for provision in self.annex.walk():
            repeated = self.repeats.get(id(provision))
            if repeated is None:
                continue
            self.finding(
                FindingKind.REPEATED,
                f"action ({provision.number}) at line {provision.span.line_start} repeats action ({repeated.number}) "
                f"of objective {self.objective_of(repeated)} (line {repeated.span.line_start}) under objective "
                f"{self.objective_of(provision)}",
                provision.span.line_start,
                provision.span.line_end,
                provision,
            )
        for commitment in (p for p in self.annex.walk() if p.kind is ProvisionKind.COMMITMENT):
            repeats = [c for c in commitment.children if id(c) in self.repeats]
            if not repeats:
                continue
            sources = sorted({self.objective_of(self.repeats[id(a)]) for a in repeats})
            here = self.objective_of(commitment)
            self.finding(
                FindingKind.MISPLACED,
                f"actions ({repeats[0].number})–({repeats[-1].number}) of objective {', '.join(sources)} stand under "
                f"objective {here} (lines {repeats[0].span.line_start}–{repeats[-1].span.line_end}), after a copy of "
                f"its commitment paragraph {commitment.number}, where objective {here}'s own actions belong",
                repeats[0].span.line_start,
                repeats[-1].span.line_end,
                commitment,
            )

    def objective_of(self, provision: Provision) -> str:
        assert self.annex is not None
        for objective in self.annex.walk():
            if objective.kind is ProvisionKind.OBJECTIVE and any(p is provision for p in objective.walk()):
                return objective.number or "?"
        return "?"

    def check_items(self) -> None:
        for paragraph_number, items in ENGLISH_ITEMS.items():
            paragraph = self.paragraphs.get(str(paragraph_number))
            if paragraph is None:
                continue
            printed = {c.number: c for c in paragraph.children if c.kind is ProvisionKind.ITEM}
            for letter, subitems in items.items():
                item = printed.get(letter)
                if item is None:
                    self.finding(
                        FindingKind.MISSING,
                        f"item ({letter}) of paragraph {paragraph_number} is missing",
                        paragraph.span.line_start,
                        paragraph.span.line_end,
                        paragraph,
                    )
                    continue
                romans = [c.number for c in item.children]
                expected = ["i", "ii", "iii", "iv", "v", "vi"][:subitems]
                if romans != expected:
                    self.finding(
                        FindingKind.NUMBERING,
                        f"paragraph {paragraph_number} ({letter}) has sub-items {romans}, the English text {expected}",
                        item.span.line_start,
                        item.span.line_end,
                        item,
                    )

    def check_paragraphs(self) -> None:
        printed = set(self.paragraphs)
        for number in range(1, ENGLISH_PARAGRAPHS + 1):
            if str(number) not in printed:
                self.finding(FindingKind.MISSING, f"paragraph {number} is missing", self.start, self.end, self.annex)

    def check_principles(self) -> None:
        paragraph = self.paragraphs.get("15")
        if paragraph is None:
            return
        principles = [c for c in paragraph.children if c.kind is ProvisionKind.GUIDING_PRINCIPLE]
        if len(principles) != ENGLISH_PRINCIPLES:
            self.finding(
                FindingKind.MISSING,
                f"paragraph 15 has {len(principles)} guiding principles, the English text {ENGLISH_PRINCIPLES}",
                paragraph.span.line_start,
                paragraph.span.line_end,
                paragraph,
            )
        if principles:
            self.finding(
                FindingKind.MARKER,
                f"the {len(principles)} guiding principles (lines {principles[0].span.line_start}–"
                f"{principles[-1].span.line_end}) are printed without their list letters (a)–(j) "
                "and with 'Name:' instead of 'Name.'",
                principles[0].span.line_start,
                principles[-1].span.line_end,
                principles[0],
            )

    def check_markers(self) -> None:
        """List markers whose style differs from the translation's prevailing style for their kind.

        A run of consecutive siblings in the same deviant style is one finding, attached to the
        first of them.  Indentation is layout, not marker style, and is not compared.
        """
        by_kind: dict[ProvisionKind, list[Block]] = {}
        for block in self.blocks:
            if block.marker is not None and block.provision.kind is not ProvisionKind.FOOTNOTE:
                by_kind.setdefault(block.provision.kind, []).append(block)
        groups = {ProvisionKind.ACTION: "action", ProvisionKind.ITEM: "item", ProvisionKind.SUBITEM: "sub-item",
                  ProvisionKind.PARAGRAPH: "paragraph", ProvisionKind.COMMITMENT: "paragraph",
                  ProvisionKind.OBJECTIVE_LIST_ENTRY: "list entry"}  # fmt: skip
        pooled: dict[str, list[Block]] = {}
        for kind, blocks in by_kind.items():
            pooled.setdefault(groups.get(kind, kind.value), []).extend(blocks)
        for name, blocks in pooled.items():
            blocks.sort(key=lambda b: b.lines[0])
            prevailing = Counter(marker_style(b.marker or "") for b in blocks).most_common(1)[0][0]
            runs: list[list[Block]] = []
            for block in blocks:
                style = marker_style(block.marker or "")
                if style == prevailing:
                    continue
                parent = self.parent_of(block.provision)
                if (
                    runs
                    and marker_style(runs[-1][0].marker or "") == style
                    and self.parent_of(runs[-1][-1].provision) is parent
                    and self.adjacent(runs[-1][-1].provision, block.provision)
                ):
                    runs[-1].append(block)
                else:
                    runs.append([block])
            for run in runs:
                first, last = run[0], run[-1]
                where = self.where(first.provision)
                label = (
                    f"({first.provision.number})–({last.provision.number})" if len(run) > 1
                    else f"({first.provision.number})" if name != "paragraph" else first.provision.number or ""
                )  # fmt: skip
                described = " ".join(x for x in (f"{name}{'s' if len(run) > 1 else ''}", label, where) if x)
                self.finding(
                    FindingKind.MARKER,
                    f"{described} ({lines_text(sorted({first.lines[0], last.lines[-1]}))}) "
                    f"marked '{first.marker}' where the translation's {name}s are marked '{prevailing}' "
                    f"(the English text: {ENGLISH_STYLE.get(name, '?')})",
                    first.lines[0],
                    last.lines[-1],
                    first.provision,
                )

    def parent_of(self, provision: Provision) -> Provision | None:
        assert self.annex is not None
        for candidate in self.annex.walk():
            if any(child is provision for child in candidate.children):
                return candidate
        return None

    def adjacent(self, a: Provision, b: Provision) -> bool:
        parent = self.parent_of(a)
        if parent is None:
            return False
        siblings = [c for c in parent.children if c.kind is a.kind]
        ids = [id(c) for c in siblings]
        return id(b) in ids and ids.index(id(b)) == ids.index(id(a)) + 1

    def where(self, provision: Provision) -> str:
        if provision.kind is ProvisionKind.ACTION:
            return f"of objective {self.objective_of(provision)}"
        parent = self.parent_of(provision)
        if provision.kind in (ProvisionKind.ITEM, ProvisionKind.SUBITEM) and parent is not None:
            return (
                f"of paragraph {parent.number}"
                if parent.kind is not ProvisionKind.ITEM
                else (f"of item ({parent.number})")
            )
        return ""

    def check_footnotes(self) -> None:
        assert self.annex is not None
        footnotes = {p.number: p for p in self.annex.walk() if p.kind is ProvisionKind.FOOTNOTE}
        others = sorted(n for n in footnotes if n)
        for block in self.blocks:
            if block.provision.kind is ProvisionKind.FOOTNOTE and block.marker and block.marker.startswith("("):
                self.finding(
                    FindingKind.MARKER,
                    f"footnote {block.provision.number} (line {block.lines[0]}) opens with '(' ('{block.marker}'), "
                    f"unlike footnotes {', '.join(n for n in others if n != block.provision.number)}"
                    ", and the parenthesis is never closed",
                    block.lines[0],
                    block.lines[-1],
                    block.provision,
                )
        for provision in self.annex.walk():
            for char in provision.text:
                if char in SUPERSCRIPT_DIGITS:
                    number = str(SUPERSCRIPT_DIGITS.index(char))
                    line = next(
                        n for n in range(provision.span.line_start, provision.span.line_end + 1)
                        if char in self.lines[n - 1]
                    )  # fmt: skip
                    self.finding(
                        FindingKind.MARKER,
                        f"footnote marker {number} at line {line} is a superscript digit ('{char}'), unlike "
                        "markers 1–3, which are plain digits after a space",
                        line,
                        line,
                        provision,
                    )
                    if number not in footnotes:
                        self.finding(
                            FindingKind.MISSING,
                            f"footnote {number}, whose marker stands at line {line}, is missing: the translation "
                            f"prints only footnotes {', '.join(others)}; the marker is kept in the text",
                            line,
                            line,
                            provision,
                        )

    def check_list_titles(self) -> None:
        for number, entry in self.list_entries.items():
            objective = self.objectives.get(number)
            if objective is None or objective.heading is None or entry.heading is None:
                continue
            if objective.span.line_start == entry.span.line_start or _norm(objective.heading) == _norm(entry.heading):
                continue
            if any(f.provision == objective.path and f.kind is FindingKind.MISSING for f in self.findings):
                continue
            self.finding(
                FindingKind.HEADING,
                f"objective {number}'s heading at line {objective.span.line_start} ('{objective.heading}') differs "
                f"from its title in the list of objectives at line {entry.span.line_start} ('{entry.heading}'); "
                "the English text prints the same title in both places",
                objective.span.line_start,
                objective.span.line_start,
                objective,
            )


ENGLISH_STYLE = {"action": "'(a)'", "item": "'(a)'", "sub-item": "'(i)'", "paragraph": "'1.'", "list entry": "'1.'"}


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _near(text: str, texts: dict[str, Provision]) -> str:
    """An earlier action text that is the same apart from a few characters (a re-typed copy)."""
    import difflib

    for other in texts:
        if abs(len(other) - len(text)) < 20 and other[:60] == text[:60]:
            if difflib.SequenceMatcher(None, other, text, autojunk=False).ratio() > 0.97:
                return other
    return ""


# ------------------------------------------------------------------------------------------
# The two letters


def letter_document(
    entry: CorpusEntry, meta: DocumentEntry, lines: list[str], start: int, end: int, heading_blocks: int
) -> Document:
    """A cover letter: a Letter provision (its letterhead as heading) with one Paragraph per block.

    A block is a run of non-blank lines (a signature's two lines, a paragraph); the first
    ``heading_blocks`` blocks are the letterhead.
    """
    blocks: list[list[tuple[int, str]]] = []
    previous_blank = True
    for number in range(start, end + 1):
        text = lines[number - 1].strip()
        if text and previous_blank:
            blocks.append([])
        if text:
            blocks[-1].append((number, text))
        previous_blank = not text
    head = [line for block in blocks[:heading_blocks] for line in block]
    letterhead = fold_whitespace(" ".join(text for _, text in head))
    letter = Provision(
        ProvisionKind.LETTER, ("letter",), letterhead, SourceSpan(head[0][0], blocks[-1][-1][0]), heading=letterhead
    )
    for order, block in enumerate(blocks[heading_blocks:], start=1):
        letter.children.append(
            Provision(
                ProvisionKind.PARAGRAPH,
                ("letter", "para", str(order)),
                fold_whitespace(" ".join(text for _, text in block)),
                SourceSpan(block[0][0], block[-1][0]),
            )
        )
    return reader.document(entry, meta, [letter])


def letter_findings(document: Document, lines: list[str]) -> None:
    """Defects of the letters' own text (names and dates mis-typed in the translation)."""
    for provision in document.walk():
        line = provision.span.line_start
        if "Gómez-Conacho" in provision.text:
            document.findings.append(
                Finding(
                    FindingKind.TEXT,
                    f"line {line} names the co-facilitator 'José Gómez-Conacho'; he signs the co-facilitators' "
                    "letter as 'Juan José Gómez Camacho' (line 54)",
                    SourceSpan(line, line),
                    provision.path,
                )
            )
        if re.search(r"\b1011 december", provision.text):
            document.findings.append(
                Finding(
                    FindingKind.TEXT,
                    f"line {line} dates the conference 'den 1011 december 2018': the dash of '10–11 december' is "
                    "missing",
                    SourceSpan(line, line),
                    provision.path,
                )
            )


def find_line(lines: list[str], prefix: str, file: str) -> int:
    for number, line in enumerate(lines, start=1):
        if line.strip().startswith(prefix):
            return number
    raise SourceError(f"corpus/{file}", None, f"no line starts with {prefix!r}")


def load(path: Path, entry: CorpusEntry) -> list[Document]:
    """The three documents of the Swedish file: the two cover letters and the agreed outcome."""
    lines = path.read_text(encoding="utf-8").split("\n")
    file = entry.file
    pga, cofacilitators, outcome = (
        find_line(lines, PGA_START, file),
        find_line(lines, COFACILITATORS_START, file),
        find_line(lines, OUTCOME_START, file),
    )
    if not pga < cofacilitators < outcome:
        raise SourceError(f"corpus/{file}", outcome, "the letters and the outcome are not in the expected order")
    if len(entry.documents) != 3:
        raise CorpusError(
            f"manifest.toml: text {file}: the swedish loader reads three documents (the two letters, then the "
            f"outcome), the manifest lists {len(entry.documents)}"
        )
    pga_meta, cofacilitators_meta, outcome_meta = entry.documents
    outcome_reader = OutcomeReader(file, lines, outcome, len(lines))
    annex = outcome_reader.read()
    documents = [
        letter_document(entry, pga_meta, lines, pga, cofacilitators - 1, 1),
        letter_document(entry, cofacilitators_meta, lines, cofacilitators, outcome - 1, 3),
    ]
    for document in documents:
        letter_findings(document, lines)
    findings = sorted(outcome_reader.findings, key=lambda f: (f.span.line_start, f.kind.value))
    documents.append(reader.document(entry, outcome_meta, [annex], findings))
    for document in documents:
        document.by_path()  # raises if a path repeats
    return documents

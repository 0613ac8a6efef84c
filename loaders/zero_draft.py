"""Loader for the "Zero Draft Plus" of the Global Compact (5 March 2018), annex to COM(2018) 168 final.

The corpus file is the European Commission's attachment to its proposal for a Council decision
(21 March 2018), converted to Markdown by someone else.  The conversion is unreliable as a guide
to structure: the heading marks (``##``, ``###``, ``####``, bold only) vary from one objective to
the next, objectives 14–22 of the list of objectives are a Markdown table, paragraphs 38–42 are
list items, three guiding principles are bold paragraphs instead of list items, and page breaks
left blank lines in the middle of sentences.  So the structure is taken from the *text*:

* section and sub-section headings are recognised by their wording (:data:`OUTLINE`), whatever
  their Markdown level; an unknown heading stops the loader with a :class:`SourceError`;
* objectives by their ``OBJECTIVE N: title`` line, paragraphs by ``N.``, actions and items by
  ``(a)``, entries of the list of objectives by ``(N)``, guiding principles by ``Name: text``;
* a line that is none of these continues the provision before it (a page break in the source):
  it is rejoined with one space and the break is recorded as a ``TextDefect`` finding.

The document's metadata comes from ``corpus/manifest.toml`` (key ``com-2018-168-annex``: the
file is the annex of COM(2018) 168, not the UN's own issue of the Zero Draft Plus; the manifest
says why).  Lines, blocks, errors and findings are :mod:`loaders.reader`'s.

Clean text (:func:`clean`, composed of :mod:`loaders.text_repair`'s repairs): line breaks folded
to single spaces; Markdown emphasis (``**``) and heading marks removed, because they are
formatting of the conversion, not words of the text; the line
"In this regard, the following actions are instrumental:" that introduces an objective's actions
is part of the commitment paragraph it follows (as "To realize this commitment…" is in the final
text).  Hyphen-space splits from line-end hyphenation ("migration- relevant") are rejoined by
the shared rule for line-end hyphens (:mod:`loaders.text_repair`), which keeps suspended hyphens ("intra- and").
Nothing else in the wording changes.  The text has no printed page numbers (pages are ``None``)
and no footnotes.

Tree (the conventions of ``loaders/final_text.py``): Part ``annex`` → Sections (preamble, vision,
cooperative framework, actionable commitments, implementation, follow-up and review) →
Sub-sections → numbered Paragraphs; paragraph 14's guiding principles (heading = the name, text
= what follows "Name: "; unlettered in this text, so their path segment is the name's slug); the
list of objectives; each Objective (heading = text = title, ``commitment`` = its paragraph) → its
Commitment paragraph → lettered Actions; lettered Items of paragraphs 42, 45 and 46.  The
Commission's cover block is a Part ``cover`` of its own.  Paths: ``("annex", "para", "16")``,
``("annex", "para", "16", "a")``, ``("annex", "objective", "1")``, ``("annex", "objectives-list", "1")``,
``("annex", "para", "14", "people-centred")``, sections and sub-sections ``("annex", "preamble")``,
``("annex", "common-understanding")``, ``("annex", "actionable-commitments")`` ….

Defects of the source are recorded as findings, never repaired silently: page breaks inside a
provision, list and heading markers that differ from their siblings, numbers or letters out of
sequence, list titles that differ from the objective headings.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from gcmkg.corpus import CorpusEntry
from gcmkg.model import Document, FindingKind, Provision, ProvisionKind, SourceSpan
from loaders import reader
from loaders.reader import (
    DASH,
    LETTER,
    NUMBER,
    Block,
    Printed,
    Source,
    SourceLine,
    lettered_kind,
    lines,
    numbered_lines,
    stub,
)
from loaders.text_repair import Vocabulary, drop_bold_marks, fold_whitespace

# The section and sub-section headings of the text, by wording (case-insensitive), in order:
# (wording, kind, path below the annex, path of the parent below the annex or None for the annex)
OUTLINE: list[tuple[str, ProvisionKind, tuple[str, ...], tuple[str, ...] | None]] = [
    ("PREAMBLE", ProvisionKind.SECTION, ("preamble",), None),
    ("OUR VISION AND GUIDING PRINCIPLES", ProvisionKind.SECTION, ("vision",), None),
    ("Common Understanding", ProvisionKind.SUBSECTION, ("common-understanding",), ("vision",)),
    ("Shared Responsibilities", ProvisionKind.SUBSECTION, ("shared-responsibilities",), ("vision",)),
    ("Unity of Purpose", ProvisionKind.SUBSECTION, ("unity-of-purpose",), ("vision",)),
    ("OUR COOPERATIVE FRAMEWORK AND OBJECTIVES", ProvisionKind.SECTION, ("cooperative-framework",), None),
    (
        "OBJECTIVES FOR SAFE, ORDERLY AND REGULAR MIGRATION",
        ProvisionKind.SUBSECTION,
        ("objectives-list",),
        ("cooperative-framework",),
    ),
    ("ACTIONABLE COMMITMENTS", ProvisionKind.SECTION, ("actionable-commitments",), None),
    ("IMPLEMENTATION", ProvisionKind.SECTION, ("implementation",), None),
    ("FOLLOW-UP AND REVIEW", ProvisionKind.SECTION, ("follow-up-and-review",), None),
]
EXPECTED_OBJECTIVES = 22

HEADING_RE = re.compile(r"^(#{1,6})\s+(.+)$")
BOLD_LINE_RE = re.compile(r"^\*\*(.+)\*\*$")
OBJECTIVE_RE = re.compile(r"^OBJECTIVE (\d+): (.+)$")
PARAGRAPH_RE = re.compile(rf"^({DASH})?({NUMBER})\. (.+)$")  # "17.", "- 38." (set as a list item)
LETTERED_RE = re.compile(rf"^( *){DASH}\(({LETTER})\) (.+)$")  # "- (a)", indented under its paragraph
LIST_ENTRY_RE = re.compile(rf"^{DASH}\(({NUMBER})\) (.+)$")  # "- (1)" in the list of objectives
TABLE_ENTRY_RE = re.compile(rf"^\| \(({NUMBER})\) \| (.+?) *\|$")  # "| (14) | …|"
TABLE_FURNITURE_RE = re.compile(rf"^({DASH})?\|[-| ]*\|$")
PRINCIPLE_ITEM_RE = re.compile(r"^ +- ([A-Z][A-Za-z -]+): (.+)$")
PRINCIPLE_BOLD_RE = re.compile(r"^\*\*([A-Z][A-Za-z -]+):\*\* (.+)$")
ACTIONS_INTRO = "In this regard, the following actions are instrumental:"
OPENING_START = "We, the Heads of State"


def clean(text: str, vocabulary: Vocabulary | None = None) -> str:
    """Formatting out, wording kept: ``**`` emphasis dropped, whitespace folded to one space.

    With the document's ``vocabulary``, hyphen-space splits are resolved by the shared rule for
    line-end hyphens (:meth:`loaders.text_repair.Vocabulary.dehyphenate_spaced`): they are
    line-end hyphens whose line break became a space, and suspended hyphens ("intra- and") keep
    theirs.

    >>> clean("**ZERO DRAFT PLUS  \\n5 March 2018**")
    'ZERO DRAFT PLUS 5 March 2018'
    >>> v = Vocabulary(["integrating migration- relevant questions", "intra- and cross-regional"])
    >>> clean("integrating migration- relevant questions; intra- and cross-regional", v)
    'integrating migration-relevant questions; intra- and cross-regional'
    """
    text = drop_bold_marks(text)
    if vocabulary is not None:
        text = vocabulary.dehyphenate_spaced(text)
    return fold_whitespace(text)


def slug(name: str) -> str:
    """``Whole-of-society approach`` → ``whole-of-society-approach``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def markup_of(raw: str) -> str:
    """The Markdown marking of a heading line, e.g. ``## **…**``, ``**…**``, ``##``."""
    match = HEADING_RE.match(raw)
    hashes, body = (match.group(1) + " ", match.group(2)) if match else ("", raw)
    return f"{hashes}**…**" if body.startswith("**") and body.endswith("**") else (hashes.strip() or "plain")


@dataclass
class Draft:
    """The draft as read: its tree, the block each provision is printed as, and indexes."""

    annex: Provision
    printed: list[Printed] = field(default_factory=list)
    containers: dict[tuple[str, ...], Provision] = field(default_factory=dict)  # by path below the annex
    list_entries: dict[int, Provision] = field(default_factory=dict)


@dataclass
class Position:
    """Where the reader stands: the provisions the next line may belong to."""

    container: Provision | None = None  # section or sub-section receiving paragraphs
    objective: Provision | None = None
    paragraph: Provision | None = None  # the last numbered paragraph
    last: Printed | None = None  # the provision a continuation line would extend
    next_outline: int = 0  # the index in OUTLINE of the next section heading


@dataclass
class Marking:
    """How the conversion marked what was read, compared among siblings by :func:`marker_findings`."""

    headings: dict[tuple[str, ...], str] = field(default_factory=dict)  # path → markup_of the heading line
    principles: list[tuple[Provision, str, int]] = field(default_factory=list)  # (principle, style, line)
    indents: dict[tuple[str, ...], list[tuple[Provision, int, int]]] = field(default_factory=dict)
    table_entries: list[Provision] = field(default_factory=list)
    table_lines: list[int] = field(default_factory=list)


class ZeroDraftReader:
    """Reads the file line by line into the document tree; one instance per file."""

    def __init__(self, source: Source, annex: Provision) -> None:
        self.source = source
        self.vocabulary = Vocabulary(source.lines)
        self.draft = Draft(annex)
        self.at = Position()
        self.marking = Marking()

    def add(self, parent: Provision, provision: Provision, line: SourceLine, text: str) -> Printed:
        """Put ``provision`` under ``parent``; ``text`` is its first line's text after the marker."""
        parent.children.append(provision)
        printed = Printed(provision, Block.at(line, text))
        self.draft.printed.append(printed)
        self.at.last = printed
        return printed

    def numbering(self, message: str, line: SourceLine, provision: Provision) -> None:
        self.source.finding(FindingKind.NUMBERING, message, lines(line.number), provision)

    # reading ---------------------------------------------------------------------------
    def read_line(self, line: SourceLine) -> None:
        raw = line.text
        heading = HEADING_RE.match(raw)
        bold = BOLD_LINE_RE.match(raw)
        if heading or (bold and OBJECTIVE_RE.match(bold.group(1))) or (bold and is_outline(bold.group(1))):
            self.read_heading(line)
            return
        for read in (
            self.read_paragraph,
            self.read_principle,
            self.read_lettered,
            self.read_list_entry,
            self.read_actions_intro,
        ):
            if read(line):
                return
        self.read_continuation(line)

    def read_heading(self, line: SourceLine) -> None:
        body = clean(HEADING_RE.sub(r"\2", line.text))
        self.at.last = None
        objective = OBJECTIVE_RE.match(body)
        if objective:
            self.read_objective(objective.group(1), objective.group(2), line)
            return
        at = self.at.next_outline
        if at >= len(OUTLINE) or body.lower() != OUTLINE[at][0].lower():
            expected = OUTLINE[at][0] if at < len(OUTLINE) else "no more headings"
            raise self.source.error(
                line.number, f"unexpected heading {body!r} (expected {expected!r} or 'OBJECTIVE N: …')"
            )
        _, kind, path, parent_path = OUTLINE[at]
        self.at.next_outline += 1
        parent = self.draft.annex if parent_path is None else self.draft.containers[parent_path]
        section = stub(kind, ("annex", *path), line, heading=body)
        self.add(parent, section, line, body)
        self.at.last = None
        self.draft.containers[path] = section
        self.at.container = section
        self.at.objective = None
        self.marking.headings[section.path] = markup_of(line.text)

    def read_objective(self, number: str, title: str, line: SourceLine) -> None:
        section = self.draft.containers.get(("actionable-commitments",))
        if section is None or self.at.container is not section:
            raise self.source.error(line.number, f"objective {number} outside the section of actionable commitments")
        assert section is not None  # (mypy does not narrow through the `or` above)
        expected = str(len(section.children) + 1)
        objective = stub(ProvisionKind.OBJECTIVE, ("annex", "objective", number), line, number=number, heading=title)
        self.add(section, objective, line, title)
        self.at.last = None
        if number != expected:
            self.numbering(f"objective {number} where {expected} was expected", line, objective)
        self.at.objective = objective
        self.marking.headings[objective.path] = markup_of(line.text)

    def read_paragraph(self, line: SourceLine) -> bool:
        match = PARAGRAPH_RE.match(line.text)
        if not match:
            return False
        marker, number, text = match.groups()
        previous = self.at.paragraph
        expected = str(int(previous.number) + 1) if previous and previous.number else "1"
        objective = self.at.objective
        if objective is not None:
            if objective.children:
                raise self.source.error(
                    line.number, f"second paragraph {number} under objective {objective.number}", objective
                )
            paragraph = stub(ProvisionKind.COMMITMENT, ("annex", "para", number), line, number=number)
            self.add(objective, paragraph, line, text)
            objective.commitment = paragraph.path
        else:
            if self.at.container is None:
                raise self.source.error(line.number, f"paragraph {number} before the first section heading")
            paragraph = stub(ProvisionKind.PARAGRAPH, ("annex", "para", number), line, number=number)
            self.add(self.at.container, paragraph, line, text)
        if number != expected:
            self.numbering(f"paragraph {number} where {expected} was expected", line, paragraph)
        if marker:
            self.source.finding(
                FindingKind.MARKER,
                f"paragraph {number} is set as a list item ('- {number}.') unlike the other numbered paragraphs",
                lines(line.number),
                paragraph,
            )
        self.at.paragraph = paragraph
        return True

    def read_principle(self, line: SourceLine) -> bool:
        """A guiding principle of the paragraph that announces them ("…rests on a set of guiding principles:")."""
        match = PRINCIPLE_ITEM_RE.match(line.text) or PRINCIPLE_BOLD_RE.match(line.text)
        paragraph = self.at.paragraph
        if not match or paragraph is None or self.at.objective is not None:
            return False
        opening = next(p for p in self.draft.printed if p.provision is paragraph)
        if not clean(" ".join(opening.block.pieces)).endswith("guiding principles:"):
            return False
        name, text = clean(match.group(1)), match.group(2)
        style = "list item" if PRINCIPLE_ITEM_RE.match(line.text) else "bold paragraph"
        principle = stub(ProvisionKind.GUIDING_PRINCIPLE, (*paragraph.path, slug(name)), line, heading=name)
        self.add(paragraph, principle, line, text)
        self.marking.principles.append((principle, style, line.number))
        return True

    def read_lettered(self, line: SourceLine) -> bool:
        match = LETTERED_RE.match(line.text)
        if not match:
            return False
        indent, letter, text = match.groups()
        parent = self.at.paragraph
        if parent is None:
            raise self.source.error(line.number, f"lettered provision ({letter}) before any numbered paragraph")
        kind = lettered_kind(parent)
        expected = reader.letter(sum(1 for c in parent.children if c.kind is kind))
        item = stub(kind, (*parent.path, letter), line, number=letter)
        self.add(parent, item, line, text)
        if letter != expected:
            self.numbering(f"({letter}) where ({expected}) was expected in paragraph {parent.number}", line, item)
        self.marking.indents.setdefault(parent.path, []).append((item, len(indent), line.number))
        return True

    def objectives_list(self, line: SourceLine, misplaced: str) -> Provision:
        """The list of objectives, which must be the section being read (else the error ``misplaced``)."""
        objectives_list = self.draft.containers.get(("objectives-list",))
        if objectives_list is None or self.at.container is not objectives_list:
            raise self.source.error(line.number, misplaced)
        return objectives_list

    def read_list_entry(self, line: SourceLine) -> bool:
        match = LIST_ENTRY_RE.match(line.text) or TABLE_ENTRY_RE.match(line.text)
        if not match:
            if not TABLE_FURNITURE_RE.match(line.text):
                return False
            self.objectives_list(line, "a Markdown table outside the list of objectives")
            self.marking.table_lines.append(line.number)
            return True
        number, title = match.group(1), match.group(2)
        objectives_list = self.objectives_list(line, f"entry ({number}) of the list of objectives outside that list")
        expected = str(len(self.draft.list_entries) + 1)
        entry = stub(ProvisionKind.OBJECTIVE_LIST_ENTRY, ("annex", "objectives-list", number), line, number=number)
        entry.objective_number = number
        self.add(objectives_list, entry, line, title)
        self.at.last = None
        if number != expected or number in {p.number for p in self.draft.list_entries.values()}:
            self.numbering(f"list entry ({number}) where ({expected}) was expected", line, entry)
        self.draft.list_entries[int(number)] = entry
        if TABLE_ENTRY_RE.match(line.text):
            self.marking.table_entries.append(entry)
        return True

    def read_actions_intro(self, line: SourceLine) -> bool:
        if line.text.strip() != ACTIONS_INTRO:
            return False
        objective, last = self.at.objective, self.at.last
        if objective is None or not objective.children or last is None or last.provision is not objective.children[0]:
            raise self.source.error(
                line.number, f"{ACTIONS_INTRO!r} not right after an objective's commitment paragraph", objective
            )
        last.block.add(line, line.text.strip())
        return True

    def read_continuation(self, line: SourceLine) -> None:
        last = self.at.last
        if last is None:
            raise self.source.error(
                line.number, f"unexpected line {line.text[:60]!r}: not a heading, paragraph, action or list entry"
            )
        previous_end = last.end
        last.block.add(line)
        self.source.finding(
            FindingKind.TEXT,
            f"the text of this provision is interrupted by a page break after line {previous_end} and continues on "
            f"line {line.number}; rejoined with one space",
            lines(previous_end, line.number),
            last.provision,
        )

    def finish(self) -> None:
        """Fill in the clean texts and spans, then check what can only be checked at the end."""
        for printed in self.draft.printed:
            printed.provision.text = clean(" ".join(printed.block.pieces), self.vocabulary)
            printed.provision.span = printed.block.span()
        if self.at.next_outline != len(OUTLINE):
            raise self.source.error(len(self.source.lines), f"heading {OUTLINE[self.at.next_outline][0]!r} not found")
        section = self.draft.containers[("actionable-commitments",)]
        objectives = section.children
        entries = self.draft.list_entries
        if len(objectives) != EXPECTED_OBJECTIVES or len(entries) != EXPECTED_OBJECTIVES:
            raise self.source.error(
                section.span.line_start,
                f"expected {EXPECTED_OBJECTIVES} objectives and list entries, found {len(objectives)} objectives "
                f"and {len(entries)} list entries",
            )
        for objective in objectives:
            actions = objective.children[0].children if objective.children else []
            if not objective.children or not actions:
                raise self.source.error(
                    objective.span.line_start, "an objective without commitment paragraph or actions", objective
                )
            entry = entries.get(int(objective.number or 0))
            if entry is not None and entry.text != objective.heading:
                self.source.finding(
                    FindingKind.HEADING,
                    f"objective {objective.number}'s heading {objective.heading!r} differs from its entry in the "
                    f"list of objectives {entry.text!r}",
                    lines(objective.span.line_start),
                    objective,
                )
        marker_findings(self.draft, self.marking, self.source)


def is_outline(text: str) -> bool:
    return any(clean(text).lower() == wording.lower() for wording, *_ in OUTLINE)


def marker_findings(draft: Draft, marking: Marking, source: Source) -> None:
    """Markers that differ in style from their siblings' (heading marks, list marks, indentation)."""
    groups: dict[ProvisionKind, list[Provision]] = {}
    index = {p.provision.path: p.provision for p in draft.printed}
    for path in marking.headings:
        groups.setdefault(index[path].kind, []).append(index[path])
    for kind, headings in groups.items():
        usual = _usual(Counter(marking.headings[h.path] for h in headings))
        for heading in headings:
            markup = marking.headings[heading.path]
            if usual is not None and markup != usual:
                source.finding(
                    FindingKind.MARKER,
                    f"{kind.value.lower()} heading {heading.text!r} is marked {markup!r}, unlike most "
                    f"{kind.value.lower()} headings ({usual!r}); structure taken from the wording",
                    lines(heading.span.line_start),
                    heading,
                )
    usual_style = _usual(Counter(style for _, style, _ in marking.principles))
    for principle, style, line in marking.principles:
        if usual_style is not None and style != usual_style:
            source.finding(
                FindingKind.MARKER,
                f"guiding principle {principle.heading!r} is set as a {style} with its name in bold, unlike "
                f"the other principles ({usual_style}s)",
                lines(line),
                principle,
            )
    for parent_path, items in marking.indents.items():
        usual_indent = _usual(Counter(indent for _, indent, _ in items))
        for item, indent, line in items:
            if usual_indent is not None and indent != usual_indent:
                source.finding(
                    FindingKind.MARKER,
                    f"({item.number}) of paragraph {parent_path[-1]} is indented {indent} spaces, unlike its "
                    f"siblings ({usual_indent}); read as one of them",
                    lines(line),
                    item,
                )
    if marking.table_entries:
        first, last = marking.table_entries[0], marking.table_entries[-1]
        table = marking.table_lines + [p.span.line_start for p in marking.table_entries]
        source.finding(
            FindingKind.MARKER,
            f"entries ({first.number})–({last.number}) of the list of objectives are set as a Markdown table "
            f"(after a stray list marker and an empty header row), unlike the list items before them",
            lines(min(table), max(table)),
            draft.containers[("objectives-list",)],
        )


def _usual(counts: Counter[str] | Counter[int]) -> str | int | None:
    """The style most siblings share, if one is used strictly more often than any other."""
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def read_cover(source: Source) -> tuple[Provision, Provision, SourceLine]:
    """The Commission's cover block and the annex's own title block, up to the annex's opening words.

    Returns the cover, the annex (without children) and the line of the opening words.
    """
    text = source.lines
    first_heading = next((i for i, raw in enumerate(text, 1) if HEADING_RE.match(raw)), None)
    opening = next((i for i, raw in enumerate(text, 1) if raw.startswith(OPENING_START)), None)
    if first_heading is None or opening is None or opening < first_heading:
        raise source.error(1, f"expected the cover block, a Markdown heading, then {OPENING_START!r}…")
    cover_lines = numbered_lines(text, 1, first_heading - 1)
    if not cover_lines:
        raise source.error(1, "expected the Commission's cover block before the first heading")
    cover_text = clean(" ".join(source.line(line.number) for line in cover_lines))
    attachment = next((line.number for line in cover_lines if "Proposal for a COUNCIL DECISION" in line.text), None)
    if attachment is None:
        raise source.error(cover_lines[0].number, "expected 'Proposal for a COUNCIL DECISION' in the cover block")
    heading = clean(" ".join(source.line(line.number) for line in cover_lines if line.number >= attachment - 4))
    cover = Provision(
        ProvisionKind.PART,
        ("cover",),
        cover_text,
        lines(cover_lines[0].number, cover_lines[-1].number),
        heading=heading,
    )
    title_lines = [source.line(line.number) for line in numbered_lines(text, first_heading, opening - 1)]
    title_numbers = [line.number for line in numbered_lines(text, first_heading, opening - 1)]
    title = clean(" ".join(raw.lstrip("#") for raw in title_lines))
    gcm_title = next((clean(raw.lstrip("#")) for raw in title_lines if "GLOBAL COMPACT" in raw), None)
    if gcm_title is None:
        raise source.error(first_heading, "expected the title 'GLOBAL COMPACT FOR …' before the opening words")
    annex = Provision(
        ProvisionKind.PART, ("annex",), title, SourceSpan(title_numbers[0], title_numbers[-1]), heading=gcm_title
    )
    return cover, annex, SourceLine(opening, source.line(opening))


def load(path: Path, entry: CorpusEntry) -> list[Document]:
    """The Zero Draft Plus as one document (English)."""
    source = Source.read(path, f"corpus/{entry.file}")
    cover, annex, opening = read_cover(source)
    draft_reader = ZeroDraftReader(source, annex)
    draft_reader.add(annex, stub(ProvisionKind.PARAGRAPH, ("annex", "opening"), opening), opening, opening.text)
    for line in numbered_lines(source.lines, opening.number + 1):
        draft_reader.read_line(line)
    draft_reader.finish()
    # reader.document raises a SourceError if a path repeats
    return [reader.document(entry, entry.single_document(), [cover, annex], source.findings)]

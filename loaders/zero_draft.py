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

Document key ``com-2018-168-annex``: like the final text's ``a-73-l-66``, the key is made from
the symbol of the document the file reproduces; the file is the annex of COM(2018) 168, not the
UN's own issue of the Zero Draft Plus, which would be a different document with the same text.

Clean text: line breaks folded to single spaces; Markdown emphasis (``**``) and heading marks
removed, because they are formatting of the conversion, not words of the text; the line
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
from gcmkg.errors import SourceError
from gcmkg.model import Document, Finding, FindingKind, Provision, ProvisionKind, SourceSpan
from loaders import reader
from loaders.text_repair import Vocabulary, fold_whitespace

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
PARAGRAPH_RE = re.compile(r"^(- )?(\d+)\. (.+)$")
LETTERED_RE = re.compile(r"^( *)- \(([a-z]{1,2})\) (.+)$")
LIST_ENTRY_RE = re.compile(r"^- \((\d+)\) (.+)$")
TABLE_ENTRY_RE = re.compile(r"^\| \((\d+)\) \| (.+?) *\|$")
TABLE_FURNITURE_RE = re.compile(r"^(- )?\|[-| ]*\|$")
PRINCIPLE_ITEM_RE = re.compile(r"^ +- ([A-Z][A-Za-z -]+): (.+)$")
PRINCIPLE_BOLD_RE = re.compile(r"^\*\*([A-Z][A-Za-z -]+):\*\* (.+)$")
ACTIONS_INTRO = "In this regard, the following actions are instrumental:"
OPENING_START = "We, the Heads of State"


# "migration- relevant": a line-end hyphen whose line break the conversion turned into a space
HYPHEN_SPACE_RE = re.compile(r"(?<=[^\W\d_])- (?=[^\W\d_])")


def clean(text: str, vocabulary: Vocabulary | None = None) -> str:
    """Formatting out, wording kept: ``**`` emphasis dropped, whitespace folded to one space.

    With the document's ``vocabulary``, hyphen-space splits are resolved by the shared rule for
    line-end hyphens (:meth:`loaders.text_repair.Vocabulary.dehyphenate`): they are line-end
    hyphens whose line break became a space, and suspended hyphens ("intra- and") keep theirs.

    >>> clean("**ZERO DRAFT PLUS  \\n5 March 2018**")
    'ZERO DRAFT PLUS 5 March 2018'
    >>> v = Vocabulary(["integrating migration- relevant questions", "intra- and cross-regional"])
    >>> clean("integrating migration- relevant questions; intra- and cross-regional", v)
    'integrating migration-relevant questions; intra- and cross-regional'
    """
    text = text.replace("**", "")
    if vocabulary is not None:
        text = vocabulary.dehyphenate(HYPHEN_SPACE_RE.sub("-\n", text))
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
class _Block:
    """A provision being read, with the raw pieces its text is made of."""

    provision: Provision
    pieces: list[str] = field(default_factory=list)


class ZeroDraftReader:
    """Reads the file line by line into the document tree; one instance per file."""

    def __init__(self, path: Path, entry: CorpusEntry) -> None:
        self.path = path
        self.file = f"corpus/{entry.file}"
        self.entry = entry
        self.lines = path.read_text(encoding="utf-8").split("\n")
        self.vocabulary = Vocabulary(self.lines)
        self.findings: list[Finding] = []
        self.annex: Provision | None = None
        self.containers: dict[tuple[str, ...], Provision] = {}
        self.container: Provision | None = None  # section or sub-section receiving paragraphs
        self.objective: Provision | None = None
        self.paragraph: Provision | None = None  # the last numbered paragraph
        self.last: _Block | None = None  # the provision a continuation line would extend
        self.blocks: list[_Block] = []
        self.heading_markup: dict[tuple[str, ...], str] = {}
        self.next_outline = 0
        self.list_entries: dict[int, Provision] = {}
        self.table_entries: list[Provision] = []
        self.table_lines: list[int] = []
        self.indents: dict[tuple[str, ...], list[tuple[Provision, int, int]]] = {}
        self.principle_styles: list[tuple[Provision, str, int]] = []

    # helpers ---------------------------------------------------------------------------
    def error(self, line: int, message: str, provision: Provision | None = None) -> SourceError:
        return SourceError(self.file, line, message, provision="/".join(provision.path) if provision else None)

    def finding(self, kind: FindingKind, message: str, start: int, end: int, provision: Provision | None) -> None:
        self.findings.append(Finding(kind, message, SourceSpan(start, end), provision.path if provision else None))

    def new(
        self,
        kind: ProvisionKind,
        path: tuple[str, ...],
        line: int,
        text: str,
        parent: Provision | None,
        *,
        number: str | None = None,
        heading: str | None = None,
    ) -> _Block:
        provision = Provision(kind, ("annex", *path), "", SourceSpan(line, line), number=number, heading=heading)
        if parent is not None:
            parent.children.append(provision)
        block = _Block(provision, [text])
        self.blocks.append(block)
        self.last = block
        return block

    def extend(self, block: _Block, text: str, line: int) -> None:
        block.pieces.append(text)
        span = block.provision.span
        block.provision.span = SourceSpan(span.line_start, line)

    # reading ---------------------------------------------------------------------------
    def read(self) -> Document:
        cover, start = self.read_cover()
        line_no = start
        while line_no <= len(self.lines):
            raw = self.lines[line_no - 1].rstrip()
            if raw.strip():
                self.read_line(raw, line_no)
            line_no += 1
        self.finish()
        document = reader.document(
            self.entry, self.entry.single_document(), [cover, self.annex] if self.annex else [cover], self.findings
        )
        document.by_path()  # raises if a path repeats
        return document

    def read_cover(self) -> tuple[Provision, int]:
        """The Commission's cover block, then the annex's own title block up to its opening words."""
        first_heading = next((i for i, raw in enumerate(self.lines, 1) if HEADING_RE.match(raw)), None)
        opening = next((i for i, raw in enumerate(self.lines, 1) if raw.startswith(OPENING_START)), None)
        if first_heading is None or opening is None or opening < first_heading:
            raise self.error(1, f"expected the cover block, a Markdown heading, then {OPENING_START!r}…")
        cover_lines = [i for i in range(1, first_heading) if self.lines[i - 1].strip()]
        if not cover_lines:
            raise self.error(1, "expected the Commission's cover block before the first heading")
        cover_text = clean(" ".join(self.lines[i - 1] for i in cover_lines))
        attachment = next((i for i in cover_lines if "Proposal for a COUNCIL DECISION" in self.lines[i - 1]), None)
        if attachment is None:
            raise self.error(cover_lines[0], "expected 'Proposal for a COUNCIL DECISION' in the cover block")
        heading = clean(" ".join(self.lines[i - 1] for i in cover_lines if i >= attachment - 4))
        cover = Provision(
            ProvisionKind.PART,
            ("cover",),
            cover_text,
            SourceSpan(cover_lines[0], cover_lines[-1]),
            heading=heading,
        )
        title_lines = [i for i in range(first_heading, opening) if self.lines[i - 1].strip()]
        title = clean(" ".join(self.lines[i - 1].lstrip("#") for i in title_lines))
        gcm_title = next(
            (clean(self.lines[i - 1].lstrip("#")) for i in title_lines if "GLOBAL COMPACT" in self.lines[i - 1]), None
        )
        if gcm_title is None:
            raise self.error(first_heading, "expected the title 'GLOBAL COMPACT FOR …' before the opening words")
        self.annex = Provision(
            ProvisionKind.PART, ("annex",), title, SourceSpan(title_lines[0], title_lines[-1]), heading=gcm_title
        )
        self.new(ProvisionKind.PARAGRAPH, ("opening",), opening, self.lines[opening - 1], self.annex)
        return cover, opening + 1

    def read_line(self, raw: str, line: int) -> None:
        heading = HEADING_RE.match(raw)
        bold = BOLD_LINE_RE.match(raw)
        if heading or (bold and OBJECTIVE_RE.match(bold.group(1))) or (bold and self.is_outline(bold.group(1))):
            self.read_heading(raw, line)
            return
        for read in (
            self.read_paragraph,
            self.read_principle,
            self.read_lettered,
            self.read_list_entry,
            self.read_actions_intro,
        ):
            if read(raw, line):
                return
        self.read_continuation(raw, line)

    def is_outline(self, text: str) -> bool:
        return any(clean(text).lower() == wording.lower() for wording, *_ in OUTLINE)

    def read_heading(self, raw: str, line: int) -> None:
        body = clean(HEADING_RE.sub(r"\2", raw))
        self.last = None
        objective = OBJECTIVE_RE.match(body)
        if objective:
            self.read_objective(objective.group(1), objective.group(2), raw, line)
            return
        if self.next_outline >= len(OUTLINE) or body.lower() != OUTLINE[self.next_outline][0].lower():
            expected = OUTLINE[self.next_outline][0] if self.next_outline < len(OUTLINE) else "no more headings"
            raise self.error(line, f"unexpected heading {body!r} (expected {expected!r} or 'OBJECTIVE N: …')")
        _, kind, path, parent_path = OUTLINE[self.next_outline]
        self.next_outline += 1
        parent = self.annex if parent_path is None else self.containers[parent_path]
        block = self.new(kind, path, line, body, parent, heading=body)
        self.last = None
        self.containers[path] = block.provision
        self.container = block.provision
        self.objective = None
        self.heading_markup[block.provision.path] = markup_of(raw)

    def read_objective(self, number: str, title: str, raw: str, line: int) -> None:
        section = self.containers.get(("actionable-commitments",))
        if section is None or self.container is not section:
            raise self.error(line, f"objective {number} outside the section of actionable commitments")
        expected = str(len(section.children) + 1)
        block = self.new(
            ProvisionKind.OBJECTIVE, ("objective", number), line, title, section, number=number, heading=title
        )
        self.last = None
        if number != expected:
            self.finding(
                FindingKind.NUMBERING, f"objective {number} where {expected} was expected", line, line, block.provision
            )
        self.objective = block.provision
        self.heading_markup[block.provision.path] = markup_of(raw)

    def read_paragraph(self, raw: str, line: int) -> bool:
        match = PARAGRAPH_RE.match(raw)
        if not match:
            return False
        marker, number, text = match.groups()
        expected = str(int(self.paragraph.number) + 1) if self.paragraph and self.paragraph.number else "1"
        if self.objective is not None:
            if self.objective.children:
                raise self.error(
                    line, f"second paragraph {number} under objective {self.objective.number}", self.objective
                )
            block = self.new(ProvisionKind.COMMITMENT, ("para", number), line, text, self.objective, number=number)
            self.objective.commitment = block.provision.path
        else:
            if self.container is None:
                raise self.error(line, f"paragraph {number} before the first section heading")
            block = self.new(ProvisionKind.PARAGRAPH, ("para", number), line, text, self.container, number=number)
        if number != expected:
            self.finding(
                FindingKind.NUMBERING, f"paragraph {number} where {expected} was expected", line, line, block.provision
            )
        if marker:
            self.finding(
                FindingKind.MARKER,
                f"paragraph {number} is set as a list item ('- {number}.') unlike the other numbered paragraphs",
                line,
                line,
                block.provision,
            )
        self.paragraph = block.provision
        return True

    def read_principle(self, raw: str, line: int) -> bool:
        """A guiding principle of the paragraph that announces them ("…rests on a set of guiding principles:")."""
        match = PRINCIPLE_ITEM_RE.match(raw) or PRINCIPLE_BOLD_RE.match(raw)
        if not match or self.paragraph is None or self.objective is not None:
            return False
        if not clean(self.paragraph_pieces(self.paragraph)).endswith("guiding principles:"):
            return False
        name, text = clean(match.group(1)), match.group(2)
        style = "list item" if PRINCIPLE_ITEM_RE.match(raw) else "bold paragraph"
        block = self.new(
            ProvisionKind.GUIDING_PRINCIPLE,
            (*self.paragraph.path[1:], slug(name)),
            line,
            text,
            self.paragraph,
            heading=name,
        )
        self.principle_styles.append((block.provision, style, line))
        return True

    def paragraph_pieces(self, provision: Provision) -> str:
        return " ".join(next(b.pieces for b in self.blocks if b.provision is provision))

    def read_lettered(self, raw: str, line: int) -> bool:
        match = LETTERED_RE.match(raw)
        if not match:
            return False
        indent, letter, text = match.groups()
        parent = self.paragraph
        if parent is None:
            raise self.error(line, f"lettered provision ({letter}) before any numbered paragraph")
        kind = ProvisionKind.ACTION if parent.kind is ProvisionKind.COMMITMENT else ProvisionKind.ITEM
        siblings = [c for c in parent.children if c.kind is kind]
        expected = chr(ord("a") + len(siblings))
        block = self.new(kind, (*parent.path[1:], letter), line, text, parent, number=letter)
        if letter != expected:
            self.finding(
                FindingKind.NUMBERING,
                f"({letter}) where ({expected}) was expected in paragraph {parent.number}",
                line,
                line,
                block.provision,
            )
        self.indents.setdefault(parent.path, []).append((block.provision, len(indent), line))
        return True

    def read_list_entry(self, raw: str, line: int) -> bool:
        match = LIST_ENTRY_RE.match(raw) or TABLE_ENTRY_RE.match(raw)
        if not match:
            return bool(TABLE_FURNITURE_RE.match(raw)) and self.note_table(raw, line)
        objectives_list = self.containers.get(("objectives-list",))
        if self.container is not objectives_list or objectives_list is None:
            raise self.error(line, f"entry ({match.group(1)}) of the list of objectives outside that list")
        number, title = match.group(1), match.group(2)
        expected = str(len(self.list_entries) + 1)
        block = self.new(
            ProvisionKind.OBJECTIVE_LIST_ENTRY, ("objectives-list", number), line, title, objectives_list, number=number
        )
        block.provision.objective_number = number
        self.last = None
        if number != expected or number in {p.number for p in self.list_entries.values()}:
            self.finding(
                FindingKind.NUMBERING,
                f"list entry ({number}) where ({expected}) was expected",
                line,
                line,
                block.provision,
            )
        self.list_entries[int(number)] = block.provision
        if TABLE_ENTRY_RE.match(raw):
            self.table_entries.append(block.provision)
        return True

    def note_table(self, raw: str, line: int) -> bool:
        objectives_list = self.containers.get(("objectives-list",))
        if self.container is not objectives_list or objectives_list is None:
            raise self.error(line, "a Markdown table outside the list of objectives")
        self.table_lines.append(line)
        return True

    def read_actions_intro(self, raw: str, line: int) -> bool:
        if raw.strip() != ACTIONS_INTRO:
            return False
        if (
            self.objective is None
            or not self.objective.children
            or self.last is None
            or self.last.provision is not self.objective.children[0]
        ):
            raise self.error(
                line, f"{ACTIONS_INTRO!r} not right after an objective's commitment paragraph", self.objective
            )
        self.extend(self.last, raw.strip(), line)
        return True

    def read_continuation(self, raw: str, line: int) -> None:
        if self.last is None:
            raise self.error(line, f"unexpected line {raw[:60]!r}: not a heading, paragraph, action or list entry")
        previous_end = self.last.provision.span.line_end
        self.extend(self.last, raw, line)
        self.finding(
            FindingKind.TEXT,
            f"the text of this provision is interrupted by a page break after line {previous_end} and continues on "
            f"line {line}; rejoined with one space",
            previous_end,
            line,
            self.last.provision,
        )

    def finish(self) -> None:
        """Fill in the clean texts, then check what can only be checked at the end."""
        for block in self.blocks:
            block.provision.text = clean(" ".join(block.pieces), self.vocabulary)
        if self.annex is None:
            raise self.error(1, "no annex")
        if self.next_outline != len(OUTLINE):
            raise self.error(len(self.lines), f"heading {OUTLINE[self.next_outline][0]!r} not found")
        objectives = self.containers[("actionable-commitments",)].children
        if len(objectives) != EXPECTED_OBJECTIVES or len(self.list_entries) != EXPECTED_OBJECTIVES:
            raise self.error(
                self.containers[("actionable-commitments",)].span.line_start,
                f"expected {EXPECTED_OBJECTIVES} objectives and list entries, found {len(objectives)} objectives "
                f"and {len(self.list_entries)} list entries",
            )
        for objective in objectives:
            actions = objective.children[0].children if objective.children else []
            if not objective.children or not actions:
                raise self.error(
                    objective.span.line_start, "an objective without commitment paragraph or actions", objective
                )
            entry = self.list_entries.get(int(objective.number or 0))
            if entry is not None and entry.text != objective.heading:
                self.finding(
                    FindingKind.HEADING,
                    f"objective {objective.number}'s heading {objective.heading!r} differs from its entry in the "
                    f"list of objectives {entry.text!r}",
                    objective.span.line_start,
                    objective.span.line_start,
                    objective,
                )
        self.marker_findings()

    def marker_findings(self) -> None:
        """Markers that differ in style from their siblings' (heading marks, list marks, indentation)."""
        groups: dict[ProvisionKind, list[Provision]] = {}
        index = {b.provision.path: b.provision for b in self.blocks}
        for path in self.heading_markup:
            groups.setdefault(index[path].kind, []).append(index[path])
        for kind, headings in groups.items():
            usual = _usual(Counter(self.heading_markup[h.path] for h in headings))
            for heading in headings:
                markup = self.heading_markup[heading.path]
                if usual is not None and markup != usual:
                    self.finding(
                        FindingKind.MARKER,
                        f"{kind.value.lower()} heading {heading.text!r} is marked {markup!r}, unlike most "
                        f"{kind.value.lower()} headings ({usual!r}); structure taken from the wording",
                        heading.span.line_start,
                        heading.span.line_start,
                        heading,
                    )
        styles = Counter(style for _, style, _ in self.principle_styles)
        usual_style = _usual(styles)
        for principle, style, line in self.principle_styles:
            if usual_style is not None and style != usual_style:
                self.finding(
                    FindingKind.MARKER,
                    f"guiding principle {principle.heading!r} is set as a {style} with its name in bold, unlike "
                    f"the other principles ({usual_style}s)",
                    line,
                    line,
                    principle,
                )
        for parent_path, items in self.indents.items():
            usual_indent = _usual(Counter(indent for _, indent, _ in items))
            for item, indent, line in items:
                if usual_indent is not None and indent != usual_indent:
                    self.finding(
                        FindingKind.MARKER,
                        f"({item.number}) of paragraph {parent_path[-1]} is indented {indent} spaces, unlike its "
                        f"siblings ({usual_indent}); read as one of them",
                        line,
                        line,
                        item,
                    )
        if self.table_entries:
            objectives_list = self.containers[("objectives-list",)]
            first, last = self.table_entries[0], self.table_entries[-1]
            lines = self.table_lines + [p.span.line_start for p in self.table_entries]
            self.finding(
                FindingKind.MARKER,
                f"entries ({first.number})–({last.number}) of the list of objectives are set as a Markdown table "
                f"(after a stray list marker and an empty header row), unlike the list items before them",
                min(lines),
                max(lines),
                objectives_list,
            )


def _usual(counts: Counter[str] | Counter[int]) -> str | int | None:
    """The style most siblings share, if one is used strictly more often than any other."""
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def load(path: Path, entry: CorpusEntry) -> list[Document]:
    """The Zero Draft Plus as one document (``com-2018-168-annex``, English)."""
    return [ZeroDraftReader(path, entry).read()]

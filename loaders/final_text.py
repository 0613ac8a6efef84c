"""Loader for A/73/L.66 (12 December 2018): the final text of the Global Compact, with its resolution.

The corpus file is a PDF extraction: one physical line per printed line, blank lines between,
page headers ("A/73/L.66", "18-21786 8/35"), the barcode and the link targets of the first and
second pages inside the running text, footnotes at the page bottom under a rule of underscores,
and words split by stray spaces.  :mod:`loaders.text_repair` cleans the text (furniture, split
words, hyphens, footnote markers) and :mod:`loaders.reader` provides the blocks, the cursor, the
errors and the findings; this module knows the layout and the structure of this one text:

* a physical line's indentation says what it starts: two spaces a heading, one space a list
  item — ``" 1. "`` (resolution paragraph, objectives list), ``" (a) "`` (action, item,
  guiding principle, roman sub-item), or an unnumbered paragraph ("We, the Heads of State…",
  "To realize this commitment…") — and column 0 an annex paragraph ``"17. "`` or a
  continuation line;
* the tree mirrors the text: resolution (its "The General Assembly," opening, the preambular
  paragraph, operative paragraphs 1–2) and annex (the "We, the Heads of State…" paragraph, six
  sections, three sub-sections, the list of objectives as a sub-section, 23 objectives each
  holding its commitment paragraph, which holds its actions and thematic sub-headings; the
  footnotes last);
* anything that is not where this structure expects it (a paragraph number out of sequence, an
  action letter skipped, an objective heading missing, a file that ends early) raises
  :class:`gcmkg.errors.SourceError` naming the file, line and the provision being read.  The
  loader never returns a partial document.

Paths: ``("resolution", "para", "1")``, ``("annex", "para", "17")``, ``("annex", "para", "17", "a")``,
``("annex", "objective", "1")``, ``("annex", "objectives-list", "1")``,
``("annex", "para", "18", "heading", "1")``, ``("annex", "para", "43", "a", "i")``,
``("annex", "footnote", "1")``, sections ``("annex", "preamble")`` …
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from gcmkg.corpus import CorpusEntry
from gcmkg.errors import SourceError
from gcmkg.model import Document, FindingKind, FootnoteRef, Provision, ProvisionKind
from loaders.reader import LETTER, NUMBER, ROMANS, Block, Cursor, Source, SourceLine, cover, document, letter, span_of
from loaders.text_repair import (
    PageFurniture,
    RepairLog,
    Vocabulary,
    clean_text,
    close_punctuation_gaps,
    fold_whitespace,
    strip_furniture,
)

JOB_NUMBER = "18-21786"

FURNITURE = PageFurniture(
    lines=(
        re.compile(r"\s*A/73/L\.66\s*"),  # the symbol line heading every page after the first
        re.compile(r"\s*(?:18-21786 \d+/\d+|\d+/\d+ 18-21786)\s*"),  # job number and page, either order
        re.compile(r"\s*18-21786 \(E\)\s+\d{6}\s*"),  # the first page's job number with its date
        re.compile(r"\s*\*1821786\*\s*"),  # the barcode
        re.compile(r"\s*https://undocs\.org/\S+\s*"),  # link targets the extraction lists at page ends
    ),
    page_number=re.compile(r"\s*(?:18-21786 )?(?P<page>\d+)/(?P<of>\d+)(?: 18-21786)?\s*"),
    forbidden=(JOB_NUMBER, "/35", "*1821786*", "https://undocs.org"),
)

# Splits the vocabulary rule cannot decide (see text_repair.Vocabulary), each checked by hand
# against the printed text:
KNOWN_SPLITS = {
    # both halves are words, but "migration a long the migration cycle" is no English; the
    # Compact says "along the migration cycle" in action 25 (f)
    "migration a long the": "migration along the",
    # the joined forms occur nowhere else in this text, the fragments are no words
    "concentrati on": "concentration",
    "funct ioning": "functioning",
}

SUBMITTED = "Draft resolution submitted by the President of the General Assembly"
TITLE = "Global Compact for Safe, Orderly and Regular Migration"
SECTIONS: tuple[tuple[str, str], ...] = (
    ("preamble", "Preamble"),
    ("vision", "Our vision and guiding principles"),
    ("cooperative-framework", "Our cooperative framework"),
    ("objectives-and-commitments", "Objectives and commitments"),
    ("implementation", "Implementation"),
    ("follow-up-and-review", "Follow-up and review"),
)
SUBSECTIONS = {
    "Common understanding": "common-understanding",
    "Shared responsibilities": "shared-responsibilities",
    "Unity of purpose": "unity-of-purpose",
}
OBJECTIVES_LIST = "Objectives for safe, orderly and regular migration"
COMMITMENT_CLOSING = "To realize this commitment, we will draw from the following actions:"
# headings printed at column 0 (all others are indented by two spaces)
COLUMN_ZERO_HEADINGS = frozenset({"Annex", OBJECTIVES_LIST})
# The annex's last paragraph: a text that stops earlier is truncated.
LAST_PARAGRAPH = 54
GUIDING_PRINCIPLES_PARAGRAPH = "15"

# The indentation says what a line starts (see the module docstring).
HEADING_RE = re.compile(r"  (?=\S)(?P<text>.*)")
PARAGRAPH_RE = re.compile(rf"(?P<label>{NUMBER})\.\s+(?P<text>\S.*)")
LISTED_RE = re.compile(rf" (?P<label>{NUMBER})\.\s+(?P<text>\S.*)")
LETTERED_RE = re.compile(rf" \((?P<label>{LETTER})\)\s+(?P<text>\S.*)")
UNNUMBERED_RE = re.compile(r" (?=\S)(?P<text>.*)")
FOOTNOTE_RULE_RE = re.compile(r"_{5,}\s*")
FOOTNOTE_RE = re.compile(rf" (?P<label>{NUMBER})\s+(?P<text>\S.*)")
OBJECTIVE_RE = re.compile(r"Objective (?P<number>\d+): (?P<title>.+)")
PRINCIPLE_RE = re.compile(r"(?P<name>[^.]+)\. (?P<text>.+)")
# every paragraph, action, item and footnote of this text ends so; a text that does not was cut
FINAL_PUNCTUATION = (".", ";", ":", ",")


# --------------------------------------------------------------------------------------------
# Blocks (loaders.reader.Block) of one printed unit; their kind is heading | paragraph | listed |
# lettered | unnumbered | footnote, their label the printed number or letter.


def describe(block: Block) -> str:
    """The block as an error message names it."""
    first = block.first.strip()
    if block.kind == "heading":
        return f"heading {first!r}"
    if block.kind == "paragraph":
        return f"paragraph {block.label}"
    if block.kind == "lettered":
        return f"item ({block.label})"
    if block.kind == "listed":
        return f"numbered entry {block.label}."
    return f"unnumbered paragraph {first[:40]!r}"


@dataclass
class Layout:
    body: list[Block]
    footnotes: list[Block]
    masthead: list[SourceLine]


def _blocks(source: Source, lines: list[SourceLine]) -> Layout:
    """Group the content lines into blocks; footnotes (under the rule, to the page end) apart."""
    start = next((i for i, line in enumerate(lines) if line.text.strip() == SUBMITTED), None)
    if start is None:
        where = lines[-1].number if lines else None
        raise source.error(where, f"no line {SUBMITTED!r}: this is not the layout of A/73/L.66")
    masthead = lines[:start]
    body: list[Block] = []
    footnotes: list[Block] = []
    current: Block | None = None
    footnote: Block | None = None
    footnote_page: int | None = None
    for line in lines[start:]:
        text = line.text
        if footnote_page is not None and line.page != footnote_page:
            footnote_page, footnote = None, None  # the footnote zone ends with its page
        if footnote_page is not None:
            match = FOOTNOTE_RE.fullmatch(text)
            if match:
                footnote = Block.at(line, match["text"], kind="footnote", label=match["label"])
                footnotes.append(footnote)
            elif footnote is None:
                raise source.error(line.number, "text under the footnote rule that is no footnote")
            else:
                footnote.add(line)
            continue
        if FOOTNOTE_RULE_RE.fullmatch(text):
            footnote_page = line.page
            continue
        block = _start(line)
        if block is not None:
            current = block
            body.append(block)
        elif current is None:
            raise source.error(line.number, "text before the first heading")
        else:
            current.add(line)
    return Layout(body, footnotes, masthead)


def _start(line: SourceLine) -> Block | None:
    """The block this line starts, or None for a continuation line."""
    text = line.text
    if text.strip() in COLUMN_ZERO_HEADINGS and not text.startswith(" "):
        return Block.at(line, text.strip(), kind="heading")
    for kind, pattern in (
        ("lettered", LETTERED_RE),
        ("listed", LISTED_RE),
        ("paragraph", PARAGRAPH_RE),
        ("heading", HEADING_RE),
        ("unnumbered", UNNUMBERED_RE),
    ):
        match = pattern.fullmatch(text)
        if match:
            return Block.at(line, match["text"], kind=kind, label=match.groupdict().get("label"))
    return None


# --------------------------------------------------------------------------------------------
# The parser


@dataclass
class Parsed:
    """The document and what it took to clean it (for the build report and the tests)."""

    document: Document
    repairs: RepairLog
    furniture_lines: list[int]
    masthead_lines: list[int]
    page_count: int | None


@dataclass
class _Parser:
    source: Source
    blocks: Cursor[Block]
    footnote_blocks: list[Block]
    vocabulary: Vocabulary
    last_line: int
    log: RepairLog = field(default_factory=RepairLog)
    next_paragraph: int = 1

    def __post_init__(self) -> None:
        self.footnotes_on_page: dict[int, list[str]] = {}
        for block in self.footnote_blocks:
            page = block.lines[0].page or 0
            self.footnotes_on_page.setdefault(page, []).append(block.label or "")

    # -- cursor

    def fail(self, block: Block | None, message: str, provision: tuple[str, ...] | None = None) -> SourceError:
        if block is None:
            message = f"the file ends early: {message}"
        return self.source.error(block.start if block is not None else self.last_line, message, provision)

    def expect(self, kind: str, what: str, provision: tuple[str, ...] | None, text: str | None = None) -> Block:
        block = self.blocks.peek()
        # compared as cleaned: line 2178 prints "the following actions :"
        if block is None or block.kind != kind or (text is not None and _normal(block.first) != text):
            found = describe(block) if block is not None else "nothing"
            raise self.fail(block, f"expected {what}, found {found}", provision)
        return self.blocks.take()

    # -- text

    def clean(self, blocks: list[Block], path: tuple[str, ...]) -> tuple[str, list[FootnoteRef]]:
        texts = [text for block in blocks for text in block.pieces]
        pages = sorted({page for block in blocks for page in block.pages})
        numbers = [number for page in pages for number in self.footnotes_on_page.get(page, [])]
        result = clean_text(texts, self.vocabulary, known_splits=KNOWN_SPLITS, footnotes=numbers, log=self.log)
        leftovers = FURNITURE.leftovers(result.text)
        if leftovers:
            raise self.fail(blocks[0], f"page furniture {leftovers} left in the text", path)
        return result.text, result.footnote_refs

    def provision(
        self,
        kind: ProvisionKind,
        path: tuple[str, ...],
        blocks: list[Block],
        *,
        number: str | None = None,
        complete: bool = True,
    ) -> Provision:
        text, refs = self.clean(blocks, path)
        if complete and not text.endswith(FINAL_PUNCTUATION):
            raise self.source.error(
                blocks[-1].end,
                f'the text ends without punctuation ("…{text[-40:]}"): cut short, or a heading lost?',
                path,
            )
        return Provision(kind, path, text, span_of(blocks), number=number, footnote_refs=refs)

    def heading(self, kind: ProvisionKind, path: tuple[str, ...], block: Block) -> Provision:
        provision = self.provision(kind, path, [block], complete=False)
        provision.heading = provision.text
        return provision

    # -- the resolution

    def resolution(self) -> Provision:
        path = ("resolution",)
        self.expect("heading", f"the line {SUBMITTED!r}", path, SUBMITTED)
        part = self.heading(ProvisionKind.PART, path, self.expect("heading", "the resolution's title", path, TITLE))
        opening = self.expect("unnumbered", "'The General Assembly,'", path, "The General Assembly,")
        part.children.append(self.provision(ProvisionKind.PARAGRAPH, (*path, "opening"), [opening]))
        recital = 0
        while (block := self.blocks.peek()) is not None and block.kind == "unnumbered":
            recital += 1
            part.children.append(
                self.provision(
                    ProvisionKind.PREAMBULAR_PARAGRAPH, (*path, "preamble", str(recital)), [self.blocks.take()]
                )
            )
        if not recital:
            raise self.fail(self.blocks.peek(), "expected the preambular paragraph ('Recalling …')", path)
        number = 0
        while (block := self.blocks.peek()) is not None and block.kind == "listed":
            number += 1
            if block.label != str(number):
                raise self.fail(block, f"expected operative paragraph {number}, found {block.label}", path)
            self.blocks.take()
            part.children.append(
                self.provision(
                    ProvisionKind.OPERATIVE_PARAGRAPH, (*path, "para", str(number)), [block], number=str(number)
                )
            )
        if not number:
            raise self.fail(self.blocks.peek(), "expected operative paragraph 1", path)
        return part

    # -- the annex

    def annex(self) -> Provision:
        path = ("annex",)
        self.expect("heading", "the heading 'Annex'", path, "Annex")
        annex = self.heading(ProvisionKind.PART, path, self.expect("heading", "the annex's title", path, TITLE))
        opening = self.expect("unnumbered", "the paragraph 'We, the Heads of State …'", path)
        if not opening.first.startswith("We, the Heads of State"):
            raise self.fail(opening, "expected the paragraph 'We, the Heads of State …'", path)
        annex.children.append(self.provision(ProvisionKind.PARAGRAPH, (*path, "opening"), [opening]))
        headings = {heading for _, heading in SECTIONS}
        self.objective_list: list[Provision] = []
        for slug, heading in SECTIONS:
            section_path = (*path, slug)
            section = self.heading(
                ProvisionKind.SECTION,
                section_path,
                self.expect("heading", f"the section {heading!r}", section_path, heading),
            )
            annex.children.append(section)
            if slug == "objectives-and-commitments":
                self.objectives(section)
                continue
            target = section
            while (block := self.blocks.peek()) is not None and not (
                block.kind == "heading" and block.first in headings
            ):
                if block.kind == "paragraph":
                    target.children.append(self.paragraph())
                elif block.kind == "heading" and block.first in SUBSECTIONS and slug == "vision":
                    target = self.heading(
                        ProvisionKind.SUBSECTION, (*path, SUBSECTIONS[block.first]), self.blocks.take()
                    )
                    section.children.append(target)
                elif block.kind == "heading" and block.first == OBJECTIVES_LIST and slug == "cooperative-framework":
                    section.children.append(self.objectives_list())
                else:
                    raise self.fail(block, f"unexpected {describe(block)} in section {heading!r}", section_path)
        if (block := self.blocks.peek()) is not None:
            raise self.fail(block, f"unexpected {describe(block)} after paragraph {LAST_PARAGRAPH}")
        if self.next_paragraph - 1 != LAST_PARAGRAPH:
            raise self.fail(None, f"the annex stops at paragraph {self.next_paragraph - 1}, not {LAST_PARAGRAPH}", path)
        annex.children.extend(self.footnotes())
        return annex

    def paragraph_block(self, what: str, provision: tuple[str, ...] | None) -> Block:
        block = self.blocks.peek()
        expected = str(self.next_paragraph)
        if block is None or block.kind != "paragraph" or block.label != expected:
            found = describe(block) if block is not None else "nothing"
            raise self.fail(block, f"expected {what} (paragraph {expected}), found {found}", provision)
        self.next_paragraph += 1
        return self.blocks.take()

    def paragraph(self) -> Provision:
        block = self.paragraph_block("the next paragraph", None)
        number = block.label or ""
        path = ("annex", "para", number)
        paragraph = self.provision(ProvisionKind.PARAGRAPH, path, [block], number=number)
        if number == GUIDING_PRINCIPLES_PARAGRAPH:
            paragraph.children = self.guiding_principles(path)
        else:
            paragraph.children = self.items(path, ProvisionKind.ITEM)
        return paragraph

    def letters(self, path: tuple[str, ...]) -> list[Block]:
        """The lettered blocks that follow, checked to run a, b, c … without gaps."""
        blocks: list[Block] = []
        while (block := self.blocks.peek()) is not None and block.kind == "lettered":
            expected = letter(len(blocks))
            if block.label != expected:
                raise self.fail(block, f"expected item ({expected}), found ({block.label})", path)
            blocks.append(self.blocks.take())
        return blocks

    def guiding_principles(self, path: tuple[str, ...]) -> list[Provision]:
        principles = []
        for block in self.letters(path):
            letter = block.label or ""
            principle = self.provision(ProvisionKind.GUIDING_PRINCIPLE, (*path, letter), [block], number=letter)
            match = PRINCIPLE_RE.fullmatch(principle.text)
            if match is None:
                raise self.fail(block, "a guiding principle must open with its name and a full stop", principle.path)
            shift = len(principle.text) - len(match["text"])
            principle.heading = match["name"]
            principle.text = match["text"]
            principle.footnote_refs = [FootnoteRef(ref.number, ref.offset - shift) for ref in principle.footnote_refs]
            principles.append(principle)
        if not principles:
            raise self.fail(self.blocks.peek(), "paragraph 15 must list the guiding principles", path)
        return principles

    def items(self, path: tuple[str, ...], kind: ProvisionKind) -> list[Provision]:
        """Lettered items of a paragraph, each with its roman sub-items."""
        items: list[Provision] = []
        while (block := self.blocks.peek()) is not None and block.kind == "lettered":
            expected = letter(len(items))
            if block.label != expected:
                raise self.fail(block, f"expected item ({expected}), found ({block.label})", path)
            self.blocks.take()
            item = self.provision(kind, (*path, expected), [block], number=expected)
            while (sub := self.blocks.peek()) is not None and sub.kind == "lettered" and sub.label in ROMANS:
                next_letter = letter(len(items) + 1)
                roman = ROMANS[len(item.children)]
                if sub.label == next_letter or sub.label != roman:
                    break
                self.blocks.take()
                item.children.append(self.provision(ProvisionKind.SUBITEM, (*item.path, roman), [sub], number=roman))
            items.append(item)
        return items

    # -- objectives

    def objectives_list(self) -> Provision:
        path = ("annex", "objectives-list")
        listing = self.heading(ProvisionKind.SUBSECTION, path, self.blocks.take())
        while (block := self.blocks.peek()) is not None and block.kind == "listed":
            number = str(len(listing.children) + 1)
            if block.label != number:
                raise self.fail(block, f"expected objective {number} in the list, found {block.label}", path)
            self.blocks.take()
            entry = self.provision(
                ProvisionKind.OBJECTIVE_LIST_ENTRY, (*path, number), [block], number=number, complete=False
            )
            entry.objective_number = number
            listing.children.append(entry)
        if not listing.children:
            raise self.fail(self.blocks.peek(), "the list of objectives is empty", path)
        self.objective_list = listing.children
        return listing

    def objectives(self, section: Provision) -> None:
        if not self.objective_list:
            raise self.fail(self.blocks.peek(), "the objectives come before their list", section.path)
        for entry in self.objective_list:
            section.children.append(self.objective(entry))

    def objective(self, entry: Provision) -> Provision:
        number = entry.number or ""
        path = ("annex", "objective", number)
        block = self.blocks.peek()
        match = OBJECTIVE_RE.fullmatch(block.first.strip()) if block is not None and block.kind == "heading" else None
        if block is None or match is None or match["number"] != number:
            found = describe(block) if block is not None else "nothing"
            raise self.fail(block, f"expected the heading 'Objective {number}: …', found {found}", path)
        self.blocks.take()
        objective = self.heading(ProvisionKind.OBJECTIVE, path, block)
        title = objective.text.split(": ", 1)[1]
        objective.text = objective.heading = title
        objective.number = number
        if title != entry.text:
            self.source.finding(
                FindingKind.HEADING,
                f"the heading of objective {number} reads {title!r}; the list of objectives after paragraph 16 "
                f"reads {entry.text!r}",
                objective.span,
                path,
            )
        paragraph = self.paragraph_block(f"the commitment of objective {number}", path)
        closing = self.expect("unnumbered", repr(COMMITMENT_CLOSING), path, COMMITMENT_CLOSING)
        commitment_path = ("annex", "para", paragraph.label or "")
        commitment = self.provision(
            ProvisionKind.COMMITMENT, commitment_path, [paragraph, closing], number=paragraph.label
        )
        objective.commitment = commitment_path
        objective.children.append(commitment)
        actions = 0
        current_heading: Provision | None = None
        while (block := self.blocks.peek()) is not None:
            if block.kind == "lettered":
                expected = letter(actions)
                if block.label != expected:
                    raise self.fail(block, f"expected action ({expected}), found ({block.label})", commitment_path)
                self.blocks.take()
                action = self.provision(ProvisionKind.ACTION, (*commitment_path, expected), [block], number=expected)
                commitment.children.append(action)
                if current_heading is not None:
                    current_heading.groups.append(action.path)
                actions += 1
            elif (
                block.kind == "heading"
                and not OBJECTIVE_RE.fullmatch(block.first.strip())
                and block.first not in {heading for _, heading in SECTIONS}
            ):
                index = sum(1 for child in commitment.children if child.kind is ProvisionKind.HEADING) + 1
                current_heading = self.heading(
                    ProvisionKind.HEADING, (*commitment_path, "heading", str(index)), self.blocks.take()
                )
                commitment.children.append(current_heading)
            else:
                break
        if not actions:
            raise self.fail(self.blocks.peek(), f"objective {number} has no actions", commitment_path)
        if current_heading is not None and not current_heading.groups:
            raise self.fail(self.blocks.peek(), "a thematic heading with no actions under it", current_heading.path)
        return objective

    # -- footnotes

    def footnotes(self) -> list[Provision]:
        provisions = []
        for index, block in enumerate(self.footnote_blocks, start=1):
            if block.label != str(index):
                raise self.fail(block, f"expected footnote {index}, found footnote {block.label}")
            path = ("annex", "footnote", str(index))
            text, _ = self.clean([block], path)
            provisions.append(Provision(ProvisionKind.FOOTNOTE, path, text, block.span(), number=str(index)))
        return provisions


def _normal(text: str) -> str:
    return close_punctuation_gaps(fold_whitespace(text))


def parse(path: Path, entry: CorpusEntry) -> Parsed:
    """Read the corpus file into the document model, with what the cleaning did."""
    meta = entry.single_document()
    source = Source.read(path)
    stripped = strip_furniture(source.lines, FURNITURE)
    if not stripped.lines:
        raise source.error(None, "the file has no text")
    last_line = stripped.lines[-1].number
    if stripped.page_count is None or stripped.last_page != stripped.page_count:
        raise source.error(
            last_line,
            f"the text ends on page {stripped.last_page} of {stripped.page_count}: the file is truncated",
        )
    layout = _blocks(source, stripped.lines)
    masthead = " ".join(line.text for line in layout.masthead)
    if meta.symbol and meta.symbol not in masthead:
        raise source.error(layout.masthead[0].number if layout.masthead else 1, f"the masthead lacks {meta.symbol}")
    vocabulary = Vocabulary(line.text for line in stripped.lines)
    parser = _Parser(source, Cursor(layout.body), layout.footnotes, vocabulary, last_line)
    resolution = parser.resolution()
    annex = parser.annex()
    for part in (resolution, annex):
        cover(part)
    parsed = document(entry, meta, [resolution, annex], source.findings)
    _check_footnotes(source, parsed)
    return Parsed(
        parsed,
        parser.log,
        stripped.furniture_lines,
        [line.number for line in layout.masthead],
        stripped.page_count,
    )


def _check_footnotes(source: Source, document: Document) -> None:
    """Every footnote has exactly one marker in the text, every marker its footnote."""
    markers: dict[str, list[Provision]] = {}
    for provision in document.walk():
        for ref in provision.footnote_refs:
            markers.setdefault(ref.number, []).append(provision)
    for provision in document.walk():
        if provision.kind is ProvisionKind.FOOTNOTE:
            found = markers.pop(provision.number or "", [])
            if len(found) != 1:
                raise source.error(
                    provision.span.line_start,
                    f"footnote {provision.number} has {len(found)} markers in the text (expected 1)",
                    provision,
                )


def load(path: Path, entry: CorpusEntry) -> list[Document]:
    """The final text of the Global Compact (A/73/L.66) as one document."""
    return [parse(path, entry).document]

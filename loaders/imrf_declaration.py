"""Loader for the Progress Declaration of the International Migration Review Forum (corpus ``004_…``).

The file is the draft resolution of 26 May 2022 submitted by the President of the General
Assembly, with the Progress Declaration as its annex, converted to Markdown-ish plain text:
every paragraph is one line, blocks are separated by blank lines, footnote markers are
superscript digits (``¹``, ``¹⁰``), footnotes stand where the page ended — often in the
middle of a sentence — and UN symbols are written as Markdown links with an empty target
(``[73/195](#)``).  No page numbers, page headers or UN symbol are printed, so spans carry
lines only and the document has no symbol.

The tree, following the conventions of the final-text loader (``loaders/final_text.py``)::

    resolution                        Part: the resolution (heading: its title)
      resolution/opening              Paragraph "The General Assembly"
      resolution/operative            Paragraph "Endorses the Progress Declaration …" — the one
                                      paragraph, unnumbered as printed (gcm:OperativeParagraph
                                      requires a printed number, so it is a gcm:Paragraph)
    annex                             Part: the Progress Declaration (heading: its title)
      annex/para/1                    Paragraph 1 (printed before the first heading)
      annex/introduction              Section "Introduction": paragraphs 2–20
      annex/progress-challenges-gaps  Section: paragraphs 21–23 and the four round tables
        annex/round-table/1 … /4      RoundTable "Round table 1 (objectives 2, 5, 6, 12 and 18)",
                                      holding its paragraphs (24–29, 30–36, 37–44, 45–50)
      annex/recommended-actions       Section "Recommended actions …": paragraphs 51–77
      annex/footnote/1 … /11          Footnotes, last, as in the final text

Paragraph paths are flat (``annex/para/24``) whatever section holds them.  Each footnote is
linked to the provision whose text carries its marker (``gcm:hasFootnote``/``gcm:annotates``,
the marker's position kept as a :class:`FootnoteRef` offset into the clean text) — footnotes
4–7 to the round table headings, the others to paragraphs.  The masthead (distribution, date,
"Original: English", session, agenda items) is checked against the manifest, not modelled.

Which objectives a round table covers is printed in its heading and again, with titles, in its
footnote.  The loader checks the two agree (a disagreement is a finding); the relation itself
is made by the review linker (:mod:`gcmkg.linking.review`), which reads the same printed text,
so ``Provision.objective_number`` (one number) stays unset on round tables.

The file has none of the PDF artefacts of A/73/L.66 (no page furniture, split words or line-end
hyphens: checked by the tests).  Its cleaning is :mod:`loaders.text_repair`'s joining of lines,
Markdown unlinking and bold removal, and superscript markers; blocks, errors and findings are
:mod:`loaders.reader`'s.
Repairs, and nothing else: lines of a block are joined with one space; a paragraph that a
footnote block or a page break interrupts is joined to its continuation (a paragraph stays
open until its text ends with a full stop; one that never does is a finding); superscript footnote
markers are taken out of the running text; Markdown link syntax (and the bold marks of the
masthead) are removed and the visible text kept.  Every link in this file has the empty target ``#`` — the UN symbol
it should point to was lost in conversion — so each one is recorded as a TextDefect finding
rather than as a URL (the model has no field for link targets, and here there is none to keep).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gcmkg.corpus import CorpusEntry
from gcmkg.model import Document, FindingKind, FootnoteRef, Provision, ProvisionKind, SourceSpan
from gcmkg.objective_numbers import footnote_objectives, heading_objectives
from loaders import reader
from loaders.reader import NUMBER, Block, Source, blank_separated, cover, lines
from loaders.text_repair import (
    SUPERSCRIPT_DIGITS,
    drop_bold_marks,
    join_lines,
    superscript_number,
    take_superscript_markers,
    unlink,
)

# The section headings of the annex as printed, with the path segment of each.
SECTIONS: dict[str, str] = {
    "Introduction": "introduction",
    "Progress, challenges and gaps in the implementation of the Global Compact": "progress-challenges-gaps",
    "Recommended actions to accelerate the implementation of the Global Compact and to strengthen "
    "international cooperation on international migration": "recommended-actions",
}
# Round tables stand inside this section (they review progress, challenges and gaps by objective).
ROUND_TABLE_SECTION = "progress-challenges-gaps"

FOOTNOTE_LINE_RE = re.compile(f"^([{SUPERSCRIPT_DIGITS}]+) (.+)$")
PARAGRAPH_RE = re.compile(rf"^({NUMBER})\. (.+)$")
ROUND_TABLE_RE = re.compile(r"^Round table (\d+) \(objectives? [^)]+\)$")
DATE_RE = re.compile(r"\b(\d{1,2} [A-Z][a-z]+ \d{4})\b")
SENTENCE_END = (".",)
SUBMITTED = "Draft resolution submitted by the President of the General Assembly"
OPENING = "The General Assembly"  # printed without the usual comma
# a heading's span runs to the last line of what it heads
CONTAINERS = frozenset({ProvisionKind.SECTION, ProvisionKind.ROUND_TABLE, ProvisionKind.PART})


@dataclass
class Clean:
    """A block's clean text, its footnote markers and the links it contained."""

    text: str
    refs: list[FootnoteRef] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (visible text, target)


def raw(block: Block) -> str:
    """A block's lines joined with single spaces, as printed."""
    return join_lines(block.pieces)


def clean(raw: str) -> Clean:
    """Take out link syntax, bold marks and footnote markers (:mod:`loaders.text_repair`); record markers and links.

    >>> c = clean("recall resolution [73/195](#) of 2018,¹ and the Paris Agreement¹⁰ and")
    >>> c.text
    'recall resolution 73/195 of 2018, and the Paris Agreement and'
    >>> [(r.number, c.text[:r.offset].split()[-1]) for r in c.refs]
    [('1', '2018,'), ('10', 'Agreement')]
    >>> c.links
    [('73/195', '#')]
    """
    text, links = unlink(raw)
    text, refs = take_superscript_markers(drop_bold_marks(text))
    return Clean(text, refs, links)


class Reader:
    """Reads the blocks of the file into the document tree, in one pass."""

    def __init__(self, path: Path, entry: CorpusEntry) -> None:
        self.source = Source.read(path, f"corpus/{path.name}")
        self.entry = entry
        self.meta = entry.single_document()
        self.blocks = blank_separated(self.source.lines)
        self.footnote_parents: dict[str, Provision] = {}  # footnote number -> provision with its marker
        self.footnotes: dict[str, Provision] = {}

    # ------------------------------------------------------------------------------------
    def read(self) -> Document:
        annex_at = next((i for i, b in enumerate(self.blocks) if raw(b) == "Annex"), None)
        if annex_at is None:
            raise self.source.error(None, "no line 'Annex': cannot tell the resolution from the declaration")
        resolution = self.resolution(self.blocks[:annex_at])
        annex = self.annex(self.blocks[annex_at + 1 :])
        document = reader.document(self.entry, self.meta, [resolution, annex], self.source.findings)
        self.check_footnotes(document)
        return document

    # the resolution wrapper ---------------------------------------------------------------
    def resolution(self, front: list[Block]) -> Provision:
        """Check the masthead against the manifest; the title, opening words and the one paragraph.

        The masthead (distribution, date, language, session, agenda items) is not a provision,
        as in the final-text loader; its date and language must match the manifest.
        """
        texts = [raw(b) for b in front]
        first = front[0].start if front else 1
        date = DATE_RE.search(" ".join(texts[:4]))
        if date is None or datetime.strptime(date.group(1), "%d %B %Y").date().isoformat() != self.meta.date:
            found = date.group(1) if date else None
            raise self.source.error(first, f"masthead date {found!r} is not the manifest's {self.meta.date}")
        if self.entry.language != "en" or "Original: English" not in texts:
            raise self.source.error(first, "the masthead has no line 'Original: English'")
        if SUBMITTED not in texts or OPENING not in texts:
            raise self.source.error(first, f"the resolution lacks the line {SUBMITTED!r} or {OPENING!r}")
        submitted, opening = texts.index(SUBMITTED), texts.index(OPENING)
        if opening != submitted + 2 or len(front) != opening + 2:
            raise self.source.error(
                front[submitted].start,
                f"expected {SUBMITTED!r}, the title, {OPENING!r} and one paragraph before 'Annex'",
            )
        title_block, opening_block, body_block = front[submitted + 1], front[opening], front[opening + 1]
        path = ("resolution", "operative")
        body = self.with_links(clean(raw(body_block)), path, body_block)
        title = clean(raw(title_block)).text
        children = [
            Provision(ProvisionKind.PARAGRAPH, ("resolution", "opening"), OPENING, opening_block.span()),
            # Unnumbered as printed (the resolution has this one paragraph).  Operative in substance,
            # but gcm:OperativeParagraph requires a printed number, so it is a gcm:Paragraph.
            Provision(ProvisionKind.PARAGRAPH, path, body.text, body_block.span(), footnote_refs=body.refs),
        ]
        return Provision(
            ProvisionKind.PART,
            ("resolution",),
            title,
            SourceSpan(title_block.start, body_block.end),
            heading=title,
            children=children,
        )

    # the annex ----------------------------------------------------------------------------
    def annex(self, body: list[Block]) -> Provision:
        if not body:
            raise self.source.error(None, "the annex is empty")
        title = clean(raw(body[0])).text
        annex = Provision(ProvisionKind.PART, ("annex",), title, body[0].span(), heading=title)
        container = annex  # where the next paragraph goes
        section: Provision | None = None
        open_paragraph: Provision | None = None  # a paragraph whose sentence is not finished
        expected = 1
        seen: dict[str, int] = {}  # paragraph number -> times printed
        for block in body[1:]:
            footnote = FOOTNOTE_LINE_RE.match(raw(block))
            numbered = PARAGRAPH_RE.match(raw(block))
            if footnote:
                self.footnote(block, superscript_number(footnote.group(1)), footnote.group(2))
            elif open_paragraph is not None and not numbered and not self.is_heading(block):
                self.continue_paragraph(open_paragraph, block)
                open_paragraph = None if open_paragraph.text.endswith(SENTENCE_END) else open_paragraph
            elif numbered:
                if open_paragraph is not None:
                    self.source.finding(
                        FindingKind.TEXT,
                        f"paragraph {open_paragraph.number} ends without a full stop",
                        open_paragraph.span,
                        open_paragraph.path,
                    )
                number = numbered.group(1)
                segment = number
                if number in seen:
                    seen[number] += 1
                    segment = f"{number}-{seen[number]}"  # keep both, each at its own address
                    self.source.finding(
                        FindingKind.REPEATED,
                        f"paragraph number {number} is printed {seen[number]} times",
                        block.span(),
                        ("annex", "para", segment),
                    )
                elif int(number) != expected:
                    self.source.finding(
                        FindingKind.NUMBERING,
                        f"paragraph {number} follows paragraph {expected - 1}",
                        block.span(),
                        ("annex", "para", number),
                    )
                seen.setdefault(number, 1)
                expected = int(number) + 1
                paragraph = self.paragraph(block, number, numbered.group(2), segment)
                container.children.append(paragraph)
                open_paragraph = None if paragraph.text.endswith(SENTENCE_END) else paragraph
            else:
                if open_paragraph is not None:
                    self.source.finding(
                        FindingKind.TEXT,
                        f"paragraph {open_paragraph.number} ends without a full stop before a heading",
                        open_paragraph.span,
                        open_paragraph.path,
                    )
                    open_paragraph = None
                heading = clean(raw(block))
                if heading.text in SECTIONS:
                    section = self.headed(ProvisionKind.SECTION, ("annex", SECTIONS[heading.text]), heading, block)
                    annex.children.append(section)
                    container = section
                elif ROUND_TABLE_RE.match(heading.text):
                    if section is None or section.path[-1] != ROUND_TABLE_SECTION:
                        raise self.source.error(block.start, f"round table outside the section {ROUND_TABLE_SECTION!r}")
                    number = ROUND_TABLE_RE.match(heading.text).group(1)  # type: ignore[union-attr]
                    round_table = self.headed(
                        ProvisionKind.ROUND_TABLE, ("annex", "round-table", number), heading, block, number=number
                    )
                    if not heading_objectives(heading.text):
                        raise self.source.error(block.start, "round table heading names no objective")
                    section.children.append(round_table)
                    container = round_table
                else:
                    raise self.source.error(
                        block.start, f"unexpected heading or unnumbered text {heading.text[:60]!r}", container.path
                    )
        if open_paragraph is not None:
            raise self.source.error(
                open_paragraph.span.line_end, "the last paragraph is unfinished", open_paragraph.path
            )
        cover(annex, CONTAINERS)
        annex.children.extend(sorted(self.footnotes.values(), key=lambda f: int(f.number or 0)))
        return annex

    @staticmethod
    def is_heading(block: Block) -> bool:
        text = clean(raw(block)).text
        return text in SECTIONS or ROUND_TABLE_RE.match(text) is not None

    def headed(
        self, kind: ProvisionKind, path: tuple[str, ...], heading: Clean, block: Block, number: str | None = None
    ) -> Provision:
        provision = Provision(
            kind,
            path,
            heading.text,
            block.span(),
            number=number,
            heading=heading.text,
            footnote_refs=heading.refs,
        )
        self.with_links(heading, path, block)
        self.claim_footnotes(provision, block)
        return provision

    def paragraph(self, block: Block, number: str, raw: str, segment: str) -> Provision:
        path = ("annex", "para", segment)
        body = self.with_links(clean(raw), path, block)
        paragraph = Provision(
            ProvisionKind.PARAGRAPH,
            path,
            body.text,
            block.span(),
            number=number,
            footnote_refs=body.refs,
        )
        self.claim_footnotes(paragraph, block)
        return paragraph

    def continue_paragraph(self, paragraph: Provision, block: Block) -> None:
        """Join the rest of a sentence that a footnote block or page break interrupted."""
        body = self.with_links(clean(raw(block)), paragraph.path, block)
        shift = len(paragraph.text) + 1
        paragraph.text = f"{paragraph.text} {body.text}"
        paragraph.footnote_refs.extend(FootnoteRef(r.number, r.offset + shift) for r in body.refs)
        paragraph.span = SourceSpan(paragraph.span.line_start, block.end)
        self.claim_footnotes(paragraph, block, refs=body.refs)

    def claim_footnotes(self, provision: Provision, block: Block, refs: list[FootnoteRef] | None = None) -> None:
        for ref in provision.footnote_refs if refs is None else refs:
            if ref.number in self.footnote_parents:
                raise self.source.error(block.start, f"footnote marker {ref.number} appears twice", provision.path)
            self.footnote_parents[ref.number] = provision

    def footnote(self, block: Block, number: str, raw: str) -> None:
        path = ("annex", "footnote", number)
        parent = self.footnote_parents.get(number)
        if parent is None:
            raise self.source.error(block.start, f"footnote {number} precedes any marker {number}")
        if number in self.footnotes:
            raise self.source.error(block.start, f"footnote {number} is printed twice")
        body = self.with_links(clean(raw), path, block)
        if body.refs:
            raise self.source.error(block.start, f"footnote {number} carries a footnote marker itself", path)
        footnote = Provision(ProvisionKind.FOOTNOTE, path, body.text, block.span(), number=number)
        self.footnotes[number] = footnote  # placed last in the annex, as in the final text
        if parent.kind is ProvisionKind.ROUND_TABLE:
            self.check_round_table(parent, footnote)

    def check_round_table(self, round_table: Provision, footnote: Provision) -> None:
        """The objectives in the heading and the footnote's list must be the same."""
        in_heading = heading_objectives(round_table.text)
        in_footnote = [number for number, _ in footnote_objectives(footnote.text)]
        if in_heading != in_footnote:
            self.source.finding(
                FindingKind.HEADING,
                f"round table {round_table.number} names objectives {', '.join(in_heading)} in its heading but "
                f"{', '.join(in_footnote)} in footnote {footnote.number}",
                footnote.span,
                round_table.path,
            )

    def with_links(self, body: Clean, path: tuple[str, ...], block: Block) -> Clean:
        """Record each Markdown link (the visible text stays in the text) as a finding."""
        for text, target in body.links:
            what = "an empty target '#'" if target in ("", "#") else f"the target {target!r}, not kept in the text"
            self.source.finding(
                FindingKind.TEXT,
                f"Markdown link [{text}]({target}) has {what}; the visible text {text!r} is kept",
                block.span(),
                path,
            )
        return body

    # checks -------------------------------------------------------------------------------
    def check_footnotes(self, document: Document) -> None:
        missing = sorted(set(self.footnote_parents) - set(self.footnotes), key=int)
        if missing:
            parent = self.footnote_parents[missing[0]]
            raise self.source.error(
                parent.span.line_start, f"footnote {missing[0]} is referenced but never printed", parent.path
            )
        numbers = [int(p.number) for p in document.walk() if p.kind is ProvisionKind.FOOTNOTE and p.number]
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            self.source.finding(
                FindingKind.NUMBERING, f"footnotes are numbered {numbers}", lines(1, len(self.source.lines)), None
            )


def load(path: Path, entry: CorpusEntry) -> list[Document]:
    """The Progress Declaration (with its resolution wrapper) as one document."""
    return [Reader(path, entry).read()]

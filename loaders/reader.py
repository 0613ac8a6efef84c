"""What every loader needs to read a text: lines, blocks, list markers, spans, errors and findings.

A loader (``loaders/<source>.py``) reads one corpus text into :class:`gcmkg.model.Document`
objects.  What is the same for every text lives here once:

* lines — :class:`SourceLine` (a non-blank line with its 1-based number and printed page),
  :func:`numbered_lines`, and :class:`Cursor`, a reading position (``peek``, ``take``);
* blocks — :class:`Block`, a run of lines forming one provision, with the list marker it
  opened with as printed and its line and page span (:meth:`Block.span`, :func:`span_of`);
  :func:`blank_separated` for texts whose blocks are separated by blank lines; :class:`Printed`
  and :func:`stub` for readers that open a provision on its first line and finish it later;
* list markers — the labels the texts print (:data:`NUMBER`, :data:`LETTER`, :data:`ROMAN`,
  :data:`BULLET`, :data:`ARABIC_LETTER`, the Markdown :data:`DASH`), from which each loader
  composes its own line patterns ("(a)", "a)", "A)", "- a)", "1.", "(1)", "(أ)", "•" …); the
  sequences they run in (:func:`letter`, :func:`roman`); :func:`lettered_kind` (action or
  item); :func:`marker_style`, which says whether two markers are printed alike;
* spans — :func:`lines` for a span of lines, :func:`cover` for a container's span over what
  it holds;
* errors and findings — :class:`Source`, the file being read: :meth:`Source.error` makes the
  :class:`gcmkg.errors.SourceError` naming file, line and provision; :meth:`Source.finding` is
  where a loader records a defect of its text (a :class:`gcmkg.model.Finding`, reported in the
  graph rather than repaired);
* documents — :func:`document` makes the :class:`gcmkg.model.Document` from its manifest table
  (:class:`gcmkg.corpus.DocumentEntry`): keys, titles, dates and statuses come from
  ``corpus/manifest.toml`` alone.

A provision's text is cleaned in :mod:`loaders.text_repair` (page furniture, split words,
hyphens, Markdown marks and links, footnote markers, whitespace), never here.  What is
particular to one text — its layout, its headings, the structure it must have — stays in its
loader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, TypeVar

from gcmkg.corpus import CorpusEntry, DocumentEntry
from gcmkg.errors import SourceError
from gcmkg.model import Document, Finding, FindingKind, Provision, ProvisionKind, SourceSpan

T = TypeVar("T")

# --------------------------------------------------------------------------------------------
# Lines


@dataclass(frozen=True)
class SourceLine:
    """A non-blank line of a corpus file, with its 1-based number and printed page (or None)."""

    number: int
    text: str
    page: int | None = None


def numbered_lines(lines: Sequence[str], start: int = 1, end: int | None = None) -> list[SourceLine]:
    """The non-blank lines ``start``–``end`` (1-based, inclusive) of ``lines``, right-stripped.

    >>> numbered_lines(["a ", "", "  b"])
    [SourceLine(number=1, text='a', page=None), SourceLine(number=3, text='  b', page=None)]
    """
    last = len(lines) if end is None else end
    return [
        SourceLine(number, lines[number - 1].rstrip()) for number in range(start, last + 1) if lines[number - 1].strip()
    ]


class Cursor(Generic[T]):
    """A reading position in a sequence (of blocks, of lines).

    >>> cursor = Cursor(["a", "b"])
    >>> cursor.peek(), cursor.take(), cursor.take(), cursor.peek()
    ('a', 'a', 'b', None)
    """

    def __init__(self, items: Sequence[T]) -> None:
        self.items = items
        self.position = 0

    def peek(self) -> T | None:
        """The next item, or None at the end."""
        return self.items[self.position] if self.position < len(self.items) else None

    def take(self) -> T:
        """The next item, moving past it (call only where :meth:`peek` is not None)."""
        item = self.items[self.position]
        self.position += 1
        return item

    def last(self) -> T | None:
        """The last item of the sequence (where a truncated text ends)."""
        return self.items[-1] if self.items else None


# --------------------------------------------------------------------------------------------
# Blocks


@dataclass
class Block:
    """A run of source lines that forms one provision (or one printed unit: a heading, a footnote).

    ``pieces`` holds, per line, the text that counts for the provision: the first line's text
    after its list marker, the others as printed.  ``marker`` is the list marker as printed
    ("(a)", "- A)", "27.", "•"), ``label`` its number or letter ("a", "A", "27"), ``kind`` what
    the loader recognised the block as.
    """

    lines: list[SourceLine]
    pieces: list[str]
    kind: str = ""
    marker: str | None = None
    label: str | None = None

    @classmethod
    def at(
        cls,
        line: SourceLine,
        piece: str | None = None,
        *,
        kind: str = "",
        marker: str | None = None,
        label: str | None = None,
    ) -> Block:
        """A block opened by ``line``; ``piece`` is its text after the marker (default: the line)."""
        return cls([line], [line.text if piece is None else piece], kind, marker, label)

    def add(self, line: SourceLine, piece: str | None = None) -> None:
        """Continue the block with ``line`` (``piece``: its text, when not the line as printed)."""
        self.lines.append(line)
        self.pieces.append(line.text if piece is None else piece)

    def pop(self) -> SourceLine:
        """Take the last line off the block (it turned out to begin the next provision)."""
        self.pieces.pop()
        return self.lines.pop()

    @property
    def first(self) -> str:
        """The first line's text after its marker."""
        return self.pieces[0]

    @property
    def start(self) -> int:
        return self.lines[0].number

    @property
    def end(self) -> int:
        return self.lines[-1].number

    @property
    def numbers(self) -> list[int]:
        return [line.number for line in self.lines]

    @property
    def pages(self) -> set[int]:
        return {line.page for line in self.lines if line.page is not None}

    def span(self) -> SourceSpan:
        return SourceSpan(self.start, self.end, self.lines[0].page, self.lines[-1].page)


@dataclass
class Printed:
    """A provision being read, with the block of lines it is printed as.

    Readers that go line by line (the Zero Draft, the Swedish outcome) make the provision when
    its first line is read and fill in its text and span when the block is complete.
    """

    provision: Provision
    block: Block

    @property
    def marker(self) -> str | None:
        return self.block.marker

    @property
    def start(self) -> int:
        return self.block.start

    @property
    def end(self) -> int:
        return self.block.end


def stub(
    kind: ProvisionKind,
    path: tuple[str, ...],
    line: SourceLine,
    *,
    number: str | None = None,
    heading: str | None = None,
) -> Provision:
    """A provision opened at ``line``, its text and span filled in when its block is complete."""
    return Provision(kind, path, "", SourceSpan(line.number, line.number), number=number, heading=heading)


def span_of(blocks: Sequence[Block]) -> SourceSpan:
    """The span from the first line of the first block to the last line of the last."""
    first, last = blocks[0].lines[0], blocks[-1].lines[-1]
    return SourceSpan(first.number, last.number, first.page, last.page)


def lines(start: int, end: int | None = None) -> SourceSpan:
    """The span of lines ``start``–``end`` (one line when ``end`` is omitted), without pages."""
    return SourceSpan(start, start if end is None else end)


def blank_separated(lines: Sequence[str], start: int = 1, end: int | None = None) -> list[Block]:
    """The runs of non-blank lines ``start``–``end`` as blocks, each line's piece stripped.

    >>> [(block.start, block.pieces) for block in blank_separated(["Dear Sir,", "", "We write ", " to say", ""])]
    [(1, ['Dear Sir,']), (3, ['We write', 'to say'])]
    """
    blocks: list[Block] = []
    for line in numbered_lines(lines, start, end):
        if blocks and line.number == blocks[-1].end + 1:
            blocks[-1].add(line, line.text.strip())
        else:
            blocks.append(Block.at(line, line.text.strip()))
    return blocks


# --------------------------------------------------------------------------------------------
# List markers: the labels the texts print, and the sequences they run in

NUMBER = r"\d{1,2}"  # 17 (before "." in "17.", inside "(17)")
LETTER = r"[a-z]{1,4}"  # a … z, aa … (lettered actions and items: "(a)")
ROMAN = r"[ivx]+"  # i … x (sub-items: "(iv)", "iv.")
BULLET = r"[-•o■]"  # the bullets of the IOM contribution
ARABIC_LETTER = r"[\u0621-\u064A]"  # أ, ب, ج … ("(أ)")
DASH = r"- "  # a Markdown list dash before a marker ("- a)", "- 27.")

LETTERS = "abcdefghijklmnopqrstuvwxyz"
ROMANS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")


def letter(index: int) -> str:
    """The letter of the ``index``-th lettered provision (0-based), "?" past z.

    >>> letter(0), letter(11), letter(26)
    ('a', 'l', '?')
    """
    return LETTERS[index] if index < len(LETTERS) else "?"


def roman(index: int) -> str:
    """The roman numeral of the ``index``-th sub-item (0-based), "?" past x.

    >>> roman(0), roman(3)
    ('i', 'iv')
    """
    return ROMANS[index] if index < len(ROMANS) else "?"


def lettered_kind(parent: Provision) -> ProvisionKind:
    """What a lettered provision is: an action under a commitment, an item under any other paragraph."""
    return ProvisionKind.ACTION if parent.kind is ProvisionKind.COMMITMENT else ProvisionKind.ITEM


def marker_style(marker: str) -> str:
    """The style of a printed list marker, with the letter or number abstracted.

    Two markers are printed alike when their styles are equal.

    >>> [marker_style(m) for m in ("A)", "- A)", "- c)", "- i)", "- 27.", "27.", "- iv.", "(b)")]
    ['A)', '- A)', '- a)', '- a)', '- 1.', '1.', '- i.', '(a)']
    """
    if marker.endswith(")"):
        return re.sub(r"[a-z]", "a", re.sub(r"[A-Z]", "A", marker))
    return re.sub(r"[ivx]+(?=\.$)", "i", re.sub(r"\d+", "1", marker))


# --------------------------------------------------------------------------------------------
# Spans


def cover(provision: Provision, kinds: frozenset[ProvisionKind] | None = None) -> None:
    """Extend the span of each container (of ``kinds``, or every one) over what it holds.

    A section spans its paragraphs, an objective its actions.  Footnotes, which stand at the
    end of the text, are not covered.
    """
    for child in provision.children:
        cover(child, kinds)
    if not provision.children or (kinds is not None and provision.kind not in kinds):
        return
    spans = [provision.span] + [
        descendant.span
        for child in provision.children
        if child.kind is not ProvisionKind.FOOTNOTE
        for descendant in child.walk()
    ]
    first = min(spans, key=lambda span: span.line_start)
    last = max(spans, key=lambda span: span.line_end)
    provision.span = replace(
        provision.span,
        line_start=first.line_start,
        line_end=last.line_end,
        page_start=first.page_start,
        page_end=last.page_end,
    )


# --------------------------------------------------------------------------------------------
# The file being read: errors and findings


@dataclass
class Source:
    """One corpus file being read: its lines, the name errors give it, the findings recorded."""

    file: str  # the file as errors name it
    lines: list[str]
    findings: list[Finding] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path, name: str | None = None) -> Source:
        """The file at ``path`` (errors name it ``name``, by default the path)."""
        file = str(path) if name is None else name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SourceError(file, None, f"cannot read the text: {error}") from error
        return cls(file, text.split("\n"))

    def line(self, number: int) -> str:
        """The line ``number`` (1-based) as printed."""
        return self.lines[number - 1]

    def error(
        self, line: int | None, message: str, provision: Provision | tuple[str, ...] | None = None
    ) -> SourceError:
        """The error to raise: the text is not what the loader expects at ``line``."""
        path = provision.path if isinstance(provision, Provision) else provision
        return SourceError(self.file, line, message, provision="/".join(path) if path else None)

    def finding(
        self, kind: FindingKind, message: str, span: SourceSpan, about: Provision | tuple[str, ...] | None = None
    ) -> Finding:
        """Record a defect of the text (reported in the graph, never repaired silently)."""
        path = about.path if isinstance(about, Provision) else about
        finding = Finding(kind, message, span, path)
        self.findings.append(finding)
        return finding


def document(
    entry: CorpusEntry, meta: DocumentEntry, provisions: Iterable[Provision], findings: Iterable[Finding] = ()
) -> Document:
    """The document ``meta`` of the manifest entry ``entry``, holding ``provisions``.

    A path used twice is a structure the text cannot have (a heading or number printed again
    where the loader expects it once): it is a :class:`~gcmkg.errors.SourceError` naming the
    line of the second provision, never a ``ValueError`` later on.
    """
    provisions = list(provisions)
    unique_paths(f"corpus/{entry.file}", provisions)
    return Document(
        key=meta.key,
        language=entry.language,
        title=meta.title,
        date=meta.date,
        status=meta.status,
        source_file=entry.file,
        symbol=meta.symbol,
        provisions=provisions,
        findings=list(findings),
        version_of=meta.version_of,
        part_of=meta.part_of,
    )


def unique_paths(file: str, provisions: Iterable[Provision]) -> None:
    """Raise the :class:`~gcmkg.errors.SourceError` of the first provision whose path an earlier one has.

    >>> a = Provision(ProvisionKind.SECTION, ("annex", "preamble"), "INLEDNING", lines(78))
    >>> b = Provision(ProvisionKind.SECTION, ("annex", "preamble"), "INLEDNING", lines(80))
    >>> try:
    ...     unique_paths("corpus/x.txt", [a, b])
    ... except SourceError as error:
    ...     print(error.line, error.message)
    80 Section annex/preamble is printed again here (first at line 78): the text has it once
    """
    seen: dict[tuple[str, ...], Provision] = {}
    for root in provisions:
        for provision in root.walk():
            first = seen.setdefault(provision.path, provision)
            if first is not provision:
                raise SourceError(
                    file,
                    provision.span.line_start,
                    f"{provision.kind.value} {'/'.join(provision.path)} is printed again here (first at line "
                    f"{first.span.line_start}): the text has it once",
                    provision="/".join(provision.path),
                )

"""Loader for the IOM supplementary contribution of October 2017 (Arabic), corpus file 002_….

The text is a plain-text conversion with one block per line and blank lines between most
blocks.  Its structure, read from the text rather than from any markup:

* a letterhead (lines in English: the organisation's logo text), the date line and the
  four-line Arabic title;
* an introduction paragraph;
* a summary ("ملخص موجز …") of IOM's recommendations on structure and elements, and on
  implementation, follow-up and review, the latter with a bulleted list;
* the recommendations on actionable commitments ("توصيات بشأن الالتزامات القابلة للتنفيذ"):
  an introduction listing five thematic clusters, then each cluster ("1- …", "2 - …") with an
  introductory paragraph, sub-headings (usually ending in a colon) and bulleted
  recommendations, some with nested bullets; a closing section on data for all themes.

Decisions, each checked against the text:

* Bullets are marked in several styles ("-", "•", "o", "■", "(أ)", an indented " -").  An item
  is nested under the previous item when that item ends with a colon (it introduces a list)
  or when its marker is indented; otherwise it is a sibling.  A sibling whose marker style
  differs from the list it continues is kept where it stands and reported as an
  ``InconsistentMarker`` finding.
* A line that does not start with a marker and follows a block that ends without final
  punctuation continues that block (the conversion broke a few sentences across a blank
  line, e.g. lines 60/62).  The two parts are joined with one space.
* Cluster 4 ("أبعاد التنقلات المتعلقة بالأزمات", listed in the introduction) has no heading
  in the text: its recommendations stand under cluster 3.  That is reported as a
  ``MissingProvision`` finding; nothing is moved.
* A word printed twice in a row ("آليات آليات") is reported as a ``TextDefect``; the text is
  kept as printed.
* The letterhead's English logo text is not part of the contribution's text and is not a
  provision; the date line gives the document date (2017-10, in the manifest).

Recommendations are unnumbered in the text (``number`` is None) except the lettered items
"(أ)", "(ب)", "(ج)", whose letter is their number.  Paths number provisions by position.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gcmkg.corpus import CorpusEntry
from gcmkg.errors import SourceError
from gcmkg.model import Document, Finding, FindingKind, Provision, ProvisionKind, SourceSpan
from loaders.reader import document as reader_document

TITLE_START = "المنظمة الدولية للهجرة"
SUMMARY_START = "ملخص موجز"
RECOMMENDATIONS_HEADING = "توصيات بشأن الالتزامات القابلة للتنفيذ"
DATA_HEADING = "البيانات (عن جميع المواضيع)"
CLUSTER_RE = re.compile(r"^(?P<number>\d)\s*-\s*(?P<title>\S.*)$")
LIST_ENTRY_RE = re.compile(r"^-\s*(?P<number>\d)\s*-\s*(?P<title>\S.*)$")
MARKER_RE = re.compile(r"^(?P<indent>\s*)(?P<marker>[-•o■]|\((?P<letter>[\u0621-\u064A])\))\s+(?P<text>\S.*)$")
FINAL_PUNCTUATION = (".", ":", "؛", ";", "!", "؟", "?")
SUBHEADING_MAX = 60
REPEATED_WORD_RE = re.compile(r"(?<!\S)(?P<word>[\u0621-\u064A]{3,})\s+(?P=word)(?!\S)")


@dataclass
class Block:
    """A logical line of the source: one block of text with its line span."""

    text: str
    start: int
    end: int
    indent: str = ""
    marker: str | None = None
    letter: str | None = None

    @property
    def span(self) -> SourceSpan:
        return SourceSpan(self.start, self.end)


@dataclass
class Reader:
    """Turns blocks into provisions, keeping the open containers of the current list."""

    file: str
    findings: list[Finding] = field(default_factory=list)

    def error(self, block: Block | None, message: str) -> SourceError:
        return SourceError(self.file, block.start if block else None, message)


def read_blocks(path: Path) -> list[Block]:
    """Non-empty lines as blocks; a continuation line is folded into the block before it."""
    blocks: list[Block] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        match = MARKER_RE.match(line)
        previous = blocks[-1] if blocks else None
        if (
            match is None
            and previous is not None
            and not previous.text.endswith(FINAL_PUNCTUATION)
            and previous.marker is not None
        ):
            previous.text = f"{previous.text} {line.strip()}"
            previous.end = number
            continue
        if match is None and previous is not None and previous.marker is None and _is_continuation(previous, line):
            previous.text = f"{previous.text} {line.strip()}"
            previous.end = number
            continue
        if match is None:
            blocks.append(Block(line.strip(), number, number))
        else:
            blocks.append(
                Block(match["text"].strip(), number, number, match["indent"], match["marker"], match["letter"])
            )
    return blocks


def _is_continuation(previous: Block, line: str) -> bool:
    """An unmarked paragraph that ends mid-sentence continues on the next unmarked line."""
    if CLUSTER_RE.match(previous.text) or previous.text == DATA_HEADING:
        return False  # headings are whole lines, even long ones without final punctuation
    return len(previous.text) > SUBHEADING_MAX and not previous.text.endswith(FINAL_PUNCTUATION)


def _style(block: Block) -> str:
    if block.letter:
        return "letter"
    return f"{'indented ' if block.indent else ''}{block.marker}"


def _repeated_words(reader: Reader, provision: Provision) -> None:
    for match in REPEATED_WORD_RE.finditer(provision.text):
        reader.findings.append(
            Finding(
                FindingKind.TEXT,
                f"the word {match['word']!r} is printed twice in a row; kept as printed",
                provision.span,
                provision.path,
            )
        )


@dataclass
class _Level:
    item: Provision
    style: str
    container: Provision
    indented: bool


def _bullets(reader: Reader, blocks: list[Block], start: int, parent: Provision) -> int:
    """Read bulleted items from ``blocks[start]`` into ``parent``; return the next index.

    An item nests under the previous item when that item ends with a colon (it introduces a
    list) or when it is indented and the previous item is not; otherwise it continues the
    deepest open list of the same marker style, or — a style no open list has — the current
    list, reported as an inconsistent marker.
    """
    index = start
    levels: list[_Level] = []
    while index < len(blocks) and blocks[index].marker is not None:
        block = blocks[index]
        style = _style(block)
        indented = bool(block.indent)
        stray: _Level | None = None
        if not levels:
            container, depth = parent, 0
        elif levels[-1].item.text.endswith(":") or (indented and not levels[-1].indented):
            container, depth = levels[-1].item, len(levels)
        else:
            same = [n for n, level in enumerate(levels) if level.style == style]
            # a style no open list has: inside a nested list it ends that list (the item is a
            # sibling of the item that opened it); at the top level it continues the list
            depth = same[-1] if same else max(len(levels) - 2, 0)
            container = levels[depth].container
            if not same:
                stray = levels[depth]
        item = Provision(
            ProvisionKind.RECOMMENDATION,
            _child_path(container, _segment(container)),
            block.text,
            block.span,
            number=block.letter,
        )
        container.children.append(item)
        _repeated_words(reader, item)
        if stray is not None:
            reader.findings.append(
                Finding(
                    FindingKind.MARKER,
                    f"list item at line {block.start} is marked {style!r} but continues a list marked "
                    f"{stray.style!r} (previous item at line {stray.item.span.line_start}); kept where it stands",
                    block.span,
                    item.path,
                )
            )
        del levels[depth:]
        levels.append(_Level(item, stray.style if stray else style, container, indented))
        index += 1
    return index


def _child_path(container: Provision, segment: str) -> tuple[str, ...]:
    """The next path under ``container`` for a child addressed by ``segment`` (counted per segment)."""
    siblings = sum(1 for child in container.children if child.path[-2] == segment)
    return (*container.path, segment, str(siblings + 1))


def _segment(container: Provision) -> str:
    return "sub" if container.kind is ProvisionKind.RECOMMENDATION else "rec"


def _paragraph(reader: Reader, block: Block, path: tuple[str, ...]) -> Provision:
    lead = block.text.split(":", 1)[0] if ":" in block.text[:40] else None
    provision = Provision(ProvisionKind.PARAGRAPH, path, block.text, block.span, heading=lead)
    _repeated_words(reader, provision)
    return provision


def _expect(reader: Reader, blocks: list[Block], index: int, what: str, test: Callable[[Block], bool]) -> None:
    """Raise a SourceError naming the line unless ``blocks[index]`` exists and passes ``test``."""
    if index >= len(blocks):
        raise reader.error(blocks[-1] if blocks else None, f"the text ends where {what} was expected (truncated?)")
    if not test(blocks[index]):
        raise reader.error(blocks[index], f"expected {what}, found {blocks[index].text[:40]!r}")


def _read_cluster_body(reader: Reader, blocks: list[Block], index: int, cluster: Provision) -> int:
    """Paragraphs, sub-headings and bullets of one cluster, up to the next cluster or section."""
    container = cluster
    while index < len(blocks):
        block = blocks[index]
        if block.marker is None and (CLUSTER_RE.match(block.text) or block.text == DATA_HEADING):
            break
        if block.marker is not None:
            index = _bullets(reader, blocks, index, container)
            if container.kind is ProvisionKind.HEADING:
                container.groups = [child.path for child in container.children]
            continue
        if len(block.text) <= SUBHEADING_MAX:
            container = Provision(
                ProvisionKind.HEADING,
                _child_path(cluster, "heading"),
                block.text,
                block.span,
                heading=block.text.rstrip(":").strip(),
            )
            cluster.children.append(container)
        else:
            paragraph = _paragraph(reader, block, _child_path(cluster, "para"))
            cluster.children.append(paragraph)
            container = paragraph if block.text.endswith(":") else cluster
        index += 1
    return index


def load(path: Path, entry: CorpusEntry) -> list[Document]:
    """Read the IOM contribution into one Arabic document."""
    reader = Reader(f"corpus/{path.name}")
    blocks = read_blocks(path)
    document = reader_document(entry, entry.single_document(), [])
    index = 0
    # letterhead (English logo text) and date line: not provisions
    while index < len(blocks) and not blocks[index].text.startswith(TITLE_START):
        index += 1
    _expect(reader, blocks, index, f"the title starting {TITLE_START!r}", lambda b: True)
    title_blocks = []
    while index < len(blocks) and len(blocks[index].text) <= SUBHEADING_MAX and blocks[index].marker is None:
        title_blocks.append(blocks[index])
        index += 1
    title_text = " ".join(b.text for b in title_blocks)
    document.provisions.append(
        Provision(
            ProvisionKind.PART,
            ("title",),
            title_text,
            SourceSpan(title_blocks[0].start, title_blocks[-1].end),
            heading=" ".join(b.text for b in title_blocks[1:]) or title_text,
        )
    )
    _expect(reader, blocks, index, "the introduction", lambda b: b.marker is None)
    document.provisions.append(_paragraph(reader, blocks[index], ("introduction",)))
    index += 1

    _expect(
        reader,
        blocks,
        index,
        f"the summary heading {SUMMARY_START!r}",
        lambda b: b.text.startswith(SUMMARY_START),
    )
    # the summary heading is printed on two lines
    heading_blocks = [blocks[index], blocks[index + 1]]
    summary_heading = " ".join(b.text for b in heading_blocks)
    summary = Provision(
        ProvisionKind.SECTION,
        ("summary",),
        summary_heading,
        SourceSpan(heading_blocks[0].start, heading_blocks[-1].end),
        heading=summary_heading,
    )
    document.provisions.append(summary)
    index += 2
    while index < len(blocks) and blocks[index].text != RECOMMENDATIONS_HEADING:
        block = blocks[index]
        if block.marker is not None:
            _expect(reader, blocks, index, "a paragraph introducing the list", lambda b: bool(summary.children))
            index = _bullets(reader, blocks, index, summary.children[-1])
            continue
        summary.children.append(_paragraph(reader, block, ("summary", "para", str(len(summary.children) + 1))))
        index += 1
    _expect(reader, blocks, index, f"the heading {RECOMMENDATIONS_HEADING!r}", lambda b: True)
    recommendations = Provision(
        ProvisionKind.SECTION,
        ("recommendations",),
        blocks[index].text,
        blocks[index].span,
        heading=blocks[index].text,
    )
    document.provisions.append(recommendations)
    index += 1
    _expect(
        reader,
        blocks,
        index,
        "the paragraph introducing the clusters",
        lambda b: b.marker is None and b.text.endswith(":"),
    )
    intro = _paragraph(reader, blocks[index], ("recommendations", "para", "1"))
    recommendations.children.append(intro)
    index += 1
    listed: dict[str, Provision] = {}
    while index < len(blocks) and blocks[index].marker == "-" and LIST_ENTRY_RE.match(f"- {blocks[index].text}"):
        match = LIST_ENTRY_RE.match(f"- {blocks[index].text}")
        assert match is not None
        number = match["number"]
        entry_item = Provision(
            ProvisionKind.ITEM, (*intro.path, "item", number), match["title"], blocks[index].span, number=number
        )
        intro.children.append(entry_item)
        listed[number] = entry_item
        index += 1
    _expect(reader, blocks, index, "the heading of thematic cluster 1", lambda b: bool(listed))

    expected = 1
    while index < len(blocks):
        block = blocks[index]
        match = CLUSTER_RE.match(block.text) if block.marker is None else None
        if block.marker is None and block.text == DATA_HEADING:
            section = Provision(ProvisionKind.SECTION, ("data",), block.text, block.span, heading=block.text)
            recommendations.children.append(section)
            index = _read_cluster_body(reader, blocks, index + 1, section)
            continue
        if match is None:
            raise reader.error(block, f"expected the heading of thematic cluster {expected}, found {block.text[:40]!r}")
        number = match["number"]
        while int(number) > expected:
            missing = listed.get(str(expected))
            reader.findings.append(
                Finding(
                    FindingKind.MISSING,
                    f"thematic cluster {expected} is listed in the introduction but has no heading in the text; "
                    f"cluster {number} follows cluster {expected - 1} (line {block.start})",
                    missing.span if missing else block.span,
                    missing.path if missing else None,
                )
            )
            expected += 1
        if int(number) != expected:
            raise reader.error(block, f"thematic cluster {number} out of order (expected {expected})")
        cluster = Provision(
            ProvisionKind.CLUSTER,
            ("cluster", number),
            match["title"],
            block.span,
            number=number,
            heading=match["title"],
        )
        if not re.match(r"^\d -", block.text):
            reader.findings.append(
                Finding(
                    FindingKind.MARKER,
                    f"cluster heading numbered {block.text[:3]!r}; the other cluster headings are numbered 'N -'",
                    block.span,
                    cluster.path,
                )
            )
        recommendations.children.append(cluster)
        index = _read_cluster_body(reader, blocks, index + 1, cluster)
        expected += 1
    if str(expected - 1) not in listed or not any(c.kind is ProvisionKind.SECTION for c in recommendations.children):
        raise reader.error(blocks[-1], "the text ends before the last cluster and the data section (truncated?)")
    document.findings = reader.findings
    return [document]

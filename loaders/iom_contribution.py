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

* Bullets are marked in several styles ("-", "•", "o", "■", "(أ)", an indented " -"), and the
  markers give the nesting.  An item is nested under the previous item when that item ends
  with a colon (it introduces a list) and the item is marked otherwise, or when its marker is
  indented; otherwise it is a sibling.  An item marked like the one before it is its sibling
  even after a colon (line 117 after line 115: a ``MisplacedProvision`` finding says the list
  the colon announces is not printed as one).  A sibling whose marker style differs from the
  list it continues is kept where it stands and reported as an ``InconsistentMarker``
  finding; a bullet does not continue a lettered list (line 164, "■", after "(أ)"–"(ج)", is a
  recommendation of the list above, not a fourth lettered item).
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

Blocks, the cursor, errors and findings are :mod:`loaders.reader`'s; a block's text is its lines
joined with one space (:func:`loaders.text_repair.join_lines`), the only cleaning it needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gcmkg.corpus import CorpusEntry
from gcmkg.errors import SourceError
from gcmkg.model import Document, FindingKind, Provision, ProvisionKind
from loaders import reader
from loaders.reader import ARABIC_LETTER, BULLET, Block, Cursor, Source, lines, numbered_lines
from loaders.text_repair import join_lines

TITLE_START = "المنظمة الدولية للهجرة"
SUMMARY_START = "ملخص موجز"
RECOMMENDATIONS_HEADING = "توصيات بشأن الالتزامات القابلة للتنفيذ"
DATA_HEADING = "البيانات (عن جميع المواضيع)"
CLUSTER_RE = re.compile(r"^(?P<number>\d)\s*-\s*(?P<title>\S.*)$")
LIST_ENTRY_RE = re.compile(r"^-\s*(?P<number>\d)\s*-\s*(?P<title>\S.*)$")
MARKER_RE = re.compile(rf"^(?P<indent>\s*)(?P<marker>{BULLET}|\((?P<letter>{ARABIC_LETTER})\))\s+(?P<text>\S.*)$")
FINAL_PUNCTUATION = (".", ":", "؛", ";", "!", "؟", "?")
SUBHEADING_MAX = 60
REPEATED_WORD_RE = re.compile(r"(?<!\S)(?P<word>[\u0621-\u064A]{3,})\s+(?P=word)(?!\S)")


def read_blocks(source: Source) -> list[Block]:
    """Non-empty lines as blocks; a continuation line is folded into the block before it.

    A block's ``marker`` is its list marker as printed, with its indentation; ``label`` the
    Arabic letter of a lettered item.
    """
    blocks: list[Block] = []
    for line in numbered_lines(source.lines):
        match = MARKER_RE.match(line.text)
        previous = blocks[-1] if blocks else None
        if match is None and previous is not None and _continues(previous, line.text):
            previous.add(line, line.text.strip())
        elif match is None:
            blocks.append(Block.at(line, line.text.strip()))
        else:
            blocks.append(
                Block.at(line, match["text"].strip(), marker=match["indent"] + match["marker"], label=match["letter"])
            )
    return blocks


def _continues(previous: Block, line: str) -> bool:
    """Whether an unmarked ``line`` continues the block before it.

    A list item that ends without final punctuation continues on the next line; so does an
    unmarked paragraph that ends mid-sentence (headings are whole lines, even long ones
    without final punctuation).
    """
    so_far = text(previous)
    if previous.marker is not None:
        return not so_far.endswith(FINAL_PUNCTUATION)
    if CLUSTER_RE.match(so_far) or so_far == DATA_HEADING:
        return False
    return len(so_far) > SUBHEADING_MAX and not so_far.endswith(FINAL_PUNCTUATION)


def text(block: Block) -> str:
    """A block's text: its lines joined with one space (the only cleaning this text needs)."""
    return join_lines(block.pieces)


def _indented(block: Block) -> bool:
    return block.marker is not None and block.marker != block.marker.lstrip()


def _style(block: Block) -> str:
    if block.label:
        return "letter"
    return f"{'indented ' if _indented(block) else ''}{(block.marker or '').strip()}"


@dataclass
class _Level:
    item: Provision
    style: str
    container: Provision
    indented: bool


def _child_path(container: Provision, segment: str) -> tuple[str, ...]:
    """The next path under ``container`` for a child addressed by ``segment`` (counted per segment)."""
    siblings = sum(1 for child in container.children if child.path[-2] == segment)
    return (*container.path, segment, str(siblings + 1))


def _segment(container: Provision) -> str:
    return "sub" if container.kind is ProvisionKind.RECOMMENDATION else "rec"


class ContributionReader:
    """Reads the blocks of the contribution into its provisions, in one pass."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.blocks = Cursor(read_blocks(source))

    def error(self, block: Block | None, message: str) -> SourceError:
        return self.source.error(block.start if block else None, message)

    def expect(self, what: str, test: Callable[[Block], bool] = lambda block: True) -> Block:
        """The next block, which must exist and pass ``test`` (else a SourceError naming the line)."""
        block = self.blocks.peek()
        if block is None:
            raise self.error(self.blocks.last(), f"the text ends where {what} was expected (truncated?)")
        if not test(block):
            raise self.error(block, f"expected {what}, found {text(block)[:40]!r}")
        return block

    def repeated_words(self, provision: Provision) -> None:
        for match in REPEATED_WORD_RE.finditer(provision.text):
            self.source.finding(
                FindingKind.TEXT,
                f"the word {match['word']!r} is printed twice in a row; kept as printed",
                provision.span,
                provision,
            )

    def paragraph(self, block: Block, path: tuple[str, ...]) -> Provision:
        clean = text(block)
        lead = clean.split(":", 1)[0] if ":" in clean[:40] else None
        provision = Provision(ProvisionKind.PARAGRAPH, path, clean, block.span(), heading=lead)
        self.repeated_words(provision)
        return provision

    def bullets(self, parent: Provision) -> None:
        """Read the bulleted items that follow into ``parent``.

        The markers give the nesting, as printed.  An item nests under the previous item when
        that item ends with a colon (it introduces a list) and the item is marked otherwise, or
        when it is indented and the previous item is not.  An item marked exactly like the
        previous one is its sibling, even after a colon (the list the colon announces is not
        printed as one: a finding says so).  Otherwise an item continues the deepest open list of
        the same marker style, or — a style no open list has — it ends the nested list it follows
        and continues the list above, reported as an inconsistent marker; a bullet never
        continues a lettered list ("(أ)", "(ب)" …), which only the next letter continues.
        """
        levels: list[_Level] = []
        while (block := self.blocks.peek()) is not None and block.marker is not None:
            style = _style(block)
            indented = _indented(block)
            stray: _Level | None = None
            previous = levels[-1] if levels else None
            marked_alike = previous is not None and previous.style == style and previous.indented == indented
            if previous is None:
                container, depth = parent, 0
            elif (previous.item.text.endswith(":") and not marked_alike) or (indented and not previous.indented):
                container, depth = previous.item, len(levels)
            else:
                same = [n for n, level in enumerate(levels) if level.style == style]
                # a style no open list has: inside a nested list it ends that list (the item is a
                # sibling of the item that opened it, or of the nearest list of bullets above a
                # lettered one); at the top level it continues the list
                above = [n for n in range(len(levels) - 1) if style == "letter" or levels[n].style != "letter"]
                depth = same[-1] if same else (above[-1] if above else 0)
                container = levels[depth].container
                if not same:
                    stray = levels[depth]

            item = Provision(
                ProvisionKind.RECOMMENDATION,
                _child_path(container, _segment(container)),
                text(block),
                block.span(),
                number=block.label,
            )
            container.children.append(item)
            self.repeated_words(item)
            if previous is not None and previous.item.text.endswith(":") and marked_alike:
                self.source.finding(
                    FindingKind.MISPLACED,
                    f"the item at line {previous.item.span.line_start} ends with a colon, which introduces a "
                    f"list, but the next item (line {block.start}) is marked like it ({style!r}, "
                    f"{'indented' if indented else 'not indented'}), as its sibling: it is read at the level its "
                    "marker gives, and no list follows the colon",
                    block.span(),
                    item,
                )
            if stray is not None:
                closed = [level for level in levels[depth + 1 :] if level.style == "letter"]
                tail = (
                    f"; a bullet does not continue the lettered list before it, whose last item is "
                    f"({closed[0].item.number}) at line {closed[0].item.span.line_start}"
                    if closed
                    else ""
                )
                self.source.finding(
                    FindingKind.MARKER,
                    f"list item at line {block.start} is marked {style!r} but continues a list marked "
                    f"{stray.style!r} (previous item at line {stray.item.span.line_start}); kept where it stands"
                    f"{tail}",
                    block.span(),
                    item,
                )
            del levels[depth:]
            levels.append(_Level(item, stray.style if stray else style, container, indented))
            self.blocks.take()

    def cluster_body(self, cluster: Provision) -> None:
        """Paragraphs, sub-headings and bullets of one cluster, up to the next cluster or section."""
        container = cluster
        while (block := self.blocks.peek()) is not None:
            if block.marker is None and (CLUSTER_RE.match(text(block)) or text(block) == DATA_HEADING):
                break
            if block.marker is not None:
                self.bullets(container)
                if container.kind is ProvisionKind.HEADING:
                    container.groups = [child.path for child in container.children]
                continue
            if len(text(block)) <= SUBHEADING_MAX:
                container = Provision(
                    ProvisionKind.HEADING,
                    _child_path(cluster, "heading"),
                    text(block),
                    block.span(),
                    heading=text(block).rstrip(":").strip(),
                )
                cluster.children.append(container)
            else:
                paragraph = self.paragraph(block, _child_path(cluster, "para"))
                cluster.children.append(paragraph)
                container = paragraph if text(block).endswith(":") else cluster
            self.blocks.take()

    def read(self) -> list[Provision]:
        """The title, the introduction, the summary and the recommendations."""
        # letterhead (English logo text) and date line: not provisions
        while (block := self.blocks.peek()) is not None and not text(block).startswith(TITLE_START):
            self.blocks.take()
        self.expect(f"the title starting {TITLE_START!r}")
        title_blocks = []
        while (block := self.blocks.peek()) is not None and len(text(block)) <= SUBHEADING_MAX and block.marker is None:
            title_blocks.append(self.blocks.take())
        title_text = " ".join(text(b) for b in title_blocks)
        title = Provision(
            ProvisionKind.PART,
            ("title",),
            title_text,
            lines(title_blocks[0].start, title_blocks[-1].end),
            heading=" ".join(text(b) for b in title_blocks[1:]) or title_text,
        )
        self.expect("the introduction", lambda b: b.marker is None)
        introduction = self.paragraph(self.blocks.take(), ("introduction",))
        return [title, introduction, self.summary(), self.recommendations()]

    def summary(self) -> Provision:
        self.expect(f"the summary heading {SUMMARY_START!r}", lambda b: text(b).startswith(SUMMARY_START))
        # the summary heading is printed on two lines
        first = self.blocks.take()
        second = self.expect("the second line of the summary heading")
        self.blocks.take()
        heading = f"{text(first)} {text(second)}"
        summary = Provision(
            ProvisionKind.SECTION, ("summary",), heading, lines(first.start, second.end), heading=heading
        )
        while (block := self.blocks.peek()) is not None and text(block) != RECOMMENDATIONS_HEADING:
            if block.marker is not None:
                self.expect("a paragraph introducing the list", lambda b: bool(summary.children))
                self.bullets(summary.children[-1])
                continue
            summary.children.append(self.paragraph(block, ("summary", "para", str(len(summary.children) + 1))))
            self.blocks.take()
        return summary

    def recommendations(self) -> Provision:
        heading = self.expect(f"the heading {RECOMMENDATIONS_HEADING!r}")
        recommendations = Provision(
            ProvisionKind.SECTION, ("recommendations",), text(heading), heading.span(), heading=text(heading)
        )
        self.blocks.take()
        self.expect("the paragraph introducing the clusters", lambda b: b.marker is None and text(b).endswith(":"))
        intro = self.paragraph(self.blocks.take(), ("recommendations", "para", "1"))
        recommendations.children.append(intro)
        listed: dict[str, Provision] = {}
        while (
            (block := self.blocks.peek()) is not None
            and (block.marker or "").strip() == "-"
            and (match := LIST_ENTRY_RE.match(f"- {text(block)}"))
        ):
            number = match["number"]
            entry = Provision(
                ProvisionKind.ITEM, (*intro.path, "item", number), match["title"], block.span(), number=number
            )
            intro.children.append(entry)
            listed[number] = entry
            self.blocks.take()
        self.expect("the heading of thematic cluster 1", lambda b: bool(listed))
        expected = 1
        while (block := self.blocks.peek()) is not None:
            cluster_match = CLUSTER_RE.match(text(block)) if block.marker is None else None
            if block.marker is None and text(block) == DATA_HEADING:
                section = Provision(ProvisionKind.SECTION, ("data",), text(block), block.span(), heading=text(block))
                recommendations.children.append(section)
                self.blocks.take()
                self.cluster_body(section)
                continue
            if cluster_match is None:
                raise self.error(
                    block, f"expected the heading of thematic cluster {expected}, found {text(block)[:40]!r}"
                )
            number = cluster_match["number"]
            while int(number) > expected:
                missing = listed.get(str(expected))
                self.source.finding(
                    FindingKind.MISSING,
                    f"thematic cluster {expected} is listed in the introduction but has no heading in the text; "
                    f"cluster {number} follows cluster {expected - 1} (line {block.start})",
                    missing.span if missing else block.span(),
                    missing,
                )
                expected += 1
            if int(number) != expected:
                raise self.error(block, f"thematic cluster {number} out of order (expected {expected})")
            cluster = Provision(
                ProvisionKind.CLUSTER,
                ("cluster", number),
                cluster_match["title"],
                block.span(),
                number=number,
                heading=cluster_match["title"],
            )
            if not re.match(r"^\d -", text(block)):
                self.source.finding(
                    FindingKind.MARKER,
                    f"cluster heading numbered {text(block)[:3]!r}; the other cluster headings are numbered 'N -'",
                    block.span(),
                    cluster,
                )
            recommendations.children.append(cluster)
            self.blocks.take()
            self.cluster_body(cluster)
            expected += 1
        if str(expected - 1) not in listed or not any(
            c.kind is ProvisionKind.SECTION for c in recommendations.children
        ):
            raise self.error(
                self.blocks.last(), "the text ends before the last cluster and the data section (truncated?)"
            )
        return recommendations


def load(path: Path, entry: CorpusEntry) -> list[Document]:
    """Read the IOM contribution into one Arabic document."""
    source = Source.read(path, f"corpus/{path.name}")
    provisions = ContributionReader(source).read()
    return [reader.document(entry, entry.single_document(), provisions, source.findings)]

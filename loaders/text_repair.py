"""Where a provision's text is cleaned: page furniture, split words, hyphens, Markdown, footnote markers.

Every loader cleans its text here; the repairs live once and are tested once
(``tests/loaders/test_text_repair.py``, on the real artefacts of A/73/L.66, and the doctests).
Everything is parameterised by the document: its furniture patterns (:class:`PageFurniture`),
its own vocabulary (:class:`Vocabulary`), its explicit list of splits the rule cannot decide.

* every text: :func:`join_lines` (a provision's lines joined with one space) and
  :func:`fold_whitespace`;
* Markdown conversions (the Zero Draft, the Swedish translation, the IMRF declaration):
  :func:`drop_bold_marks`, :func:`unlink` (links to their visible text),
  :meth:`Vocabulary.dehyphenate_spaced` (a line-end hyphen whose break became a space);
* footnote markers: :func:`extract_footnote_markers` (standalone numbers, PDF text layer),
  :func:`take_superscript_markers` (``¹⁰``), :func:`take_markers` (a text's own pattern);
* the PDF extraction of A/73/L.66, in an order :func:`clean_text` fixes:

1. the block's physical lines are joined with ``\\n`` (furniture lines were removed before, so
   a header that fell mid-sentence leaves no trace);
2. explicit known splits (``known_splits``) are replaced;
3. stray spaces before ``, ; : ’`` and before a hyphen inside a compound are removed
   (``rights -based`` → ``rights-based``, ``State ’s`` → ``State’s``);
4. words split by a stray space are rejoined by the vocabulary rule (:meth:`Vocabulary.rejoin`);
5. line-end hyphens are resolved (:meth:`Vocabulary.dehyphenate`);
6. whitespace is folded to single spaces;
7. footnote markers are taken out, their offsets measured in the final text.

Nothing else in the wording changes: quotes, dashes, capitals and punctuation stay as printed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from gcmkg.model import FootnoteRef
from loaders.reader import SourceLine

# A word: letters, with inner apostrophes (’) kept ("State’s").  Unicode letters, so the
# Swedish loader can reuse the rule.
WORD_RE = re.compile(r"[^\W\d_]+(?:’[^\W\d_]+)*")
HYPHENATED_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
# "rights -based", "follow -\nup", "whole -of-": a space before a hyphen that joins two words.
SPACE_BEFORE_HYPHEN_RE = re.compile(r"(?<=[^\W\d_]) +-(?=[^\W\d_]|\n)")
# "actions :", "entrepreneurship ,", "State ’s", "migrants ’": no English typography puts a
# space there; the PDF's text layer does when a glyph run is broken.
SPACE_BEFORE_PUNCTUATION_RE = re.compile(r"(?<=[^\W_]) +(?=[,;:’])")
# "multi-\nstakeholder": a hyphen at the end of a physical line.
LINE_END_HYPHEN_RE = re.compile(r"([^\W\d_]+)-[ \t]*\n[ \t]*([^\W\d_]+)")
# "migration- relevant": a line-end hyphen whose line break a conversion turned into a space
HYPHEN_SPACE_RE = re.compile(r"(?<=[^\W\d_])- (?=[^\W\d_])")
# a hyphen at the end of a line before these words is a suspended hyphen ("age- and child-")
SUSPENDED_HYPHEN_FOLLOWERS = frozenset({"and", "or", "to"})
WHITESPACE_RE = re.compile(r"\s+")


# --------------------------------------------------------------------------------------------
# Page furniture


@dataclass(frozen=True)
class PageFurniture:
    """How one document's page furniture looks.

    ``lines`` are patterns for whole lines that are furniture wherever they fall (headers,
    footers, barcodes, link lists).  ``page_number`` matches the furniture line that carries
    the printed page number in its group ``page`` (and the page count in group ``of``, when
    printed); pages before the first such line are ``first_page``.  ``forbidden`` are strings
    that must never survive in a clean text (checked by :meth:`leftovers`).
    """

    lines: tuple[re.Pattern[str], ...]
    page_number: re.Pattern[str] | None = None
    forbidden: tuple[str, ...] = ()
    first_page: int = 1

    def is_furniture(self, line: str) -> bool:
        return any(pattern.fullmatch(line) for pattern in self.lines)

    def leftovers(self, text: str) -> list[str]:
        """The forbidden furniture strings still present in ``text`` (should be none)."""
        return [string for string in self.forbidden if string in text]


@dataclass
class Stripped:
    """The content lines of a file, and what was taken out as furniture."""

    lines: list[SourceLine]
    furniture_lines: list[int] = field(default_factory=list)
    page_count: int | None = None  # the "of N" printed in the page-number furniture
    last_page: int | None = None  # the last page number seen


def strip_furniture(raw_lines: Sequence[str], furniture: PageFurniture) -> Stripped:
    """Drop blank and furniture lines; give every remaining line its printed page number.

    >>> f = PageFurniture((re.compile(r"\\s*A/73/L\\.66\\s*"), re.compile(r"\\s*18-21786 (?P<page>\\d+)/35\\s*")),
    ...                   page_number=re.compile(r"\\s*18-21786 (?P<page>\\d+)/(?P<of>\\d+)\\s*"))
    >>> s = strip_furniture(["evidence-based, clear information", "", "A/73/L.66 ", "18-21786 4/35 ", "with a view"], f)
    >>> [(line.number, line.page, line.text) for line in s.lines]
    [(1, 1, 'evidence-based, clear information'), (5, 4, 'with a view')]
    >>> s.furniture_lines
    [3, 4]
    """
    page: int | None = furniture.first_page if furniture.page_number is not None else None
    result = Stripped(lines=[])
    for number, text in enumerate(raw_lines, start=1):
        if not text.strip():
            continue
        if furniture.is_furniture(text):
            result.furniture_lines.append(number)
            if furniture.page_number is not None:
                match = furniture.page_number.fullmatch(text)
                if match:
                    page = int(match.group("page"))
                    result.last_page = page
                    if "of" in match.groupdict() and match.group("of"):
                        result.page_count = int(match.group("of"))
            continue
        result.lines.append(SourceLine(number, text.rstrip(), page))
    return result


# --------------------------------------------------------------------------------------------
# The document's own vocabulary: split words and line-end hyphens


def close_punctuation_gaps(text: str) -> str:
    """Remove stray spaces before ``, ; : ’`` and before a compound's hyphen.

    >>> close_punctuation_gaps("the rights of the child , by")
    'the rights of the child, by'
    >>> close_punctuation_gaps("another State ’s territory; a human rights -based approach")
    'another State’s territory; a human rights-based approach'
    >>> close_punctuation_gaps("a whole -of-\\ngovernment approach")
    'a whole-of-\\ngovernment approach'
    """
    text = SPACE_BEFORE_HYPHEN_RE.sub("-", text)
    return SPACE_BEFORE_PUNCTUATION_RE.sub("", text)


@dataclass(frozen=True)
class Join:
    """One repair of a split word: ``before`` (as printed) became ``after``."""

    before: str
    after: str


class Vocabulary:
    """The words of one document, used to decide which split words to rejoin.

    The rule for two words ``a b`` separated only by spaces on one physical line:
    they are joined into ``ab`` when

    1. ``ab`` occurs elsewhere in the document as a word (case-insensitive), and
    2. ``a`` and ``b`` are not both real words, where a token is *real* when it also occurs
       somewhere other than as half of such a candidate pair.

    So ``Commissio n`` → ``Commission`` ("Commission" occurs; "Commissio" and "n" occur
    nowhere else), ``d ata`` → ``data`` (``ata`` is no word), ``right s`` → ``rights``,
    while ``in human`` (capital), ``in formal`` (labour markets), ``a way``, ``at a`` stay apart:
    both halves are words.  Splits the rule cannot decide — both halves real words (``a long
    the`` for "along the"), or a joined form the document uses nowhere else
    (``concentrati on``) — go in the loader's explicit ``known_splits`` list.

    Measured on A/73/L.66: over all 3,920 lines the rule makes exactly the 26 joins found by
    reading the file and no other; the loader's list adds 3 (tests/loaders/test_text_repair.py).

    Line-end hyphens (:meth:`dehyphenate`) keep the hyphen unless the document writes the
    word solid and never hyphenated: UN documents break lines at real hyphens, not inside words.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        texts = [close_punctuation_gaps(line) for line in lines]
        self.counts: Counter[str] = Counter()
        self.hyphenated: Counter[str] = Counter()
        for text in texts:
            self.counts.update(word.lower() for word in WORD_RE.findall(text))
            self.hyphenated.update(word.lower() for word in HYPHENATED_RE.findall(text))
        # tokens that occur as half of a candidate pair, so "real" can discount them
        inside: Counter[str] = Counter()
        for text in texts:
            for line in text.split("\n"):
                for left, right in _pairs(line):
                    if self.counts[(left.group(0) + right.group(0)).lower()]:
                        inside[left.group(0).lower()] += 1
                        inside[right.group(0).lower()] += 1
        self.inside = inside

    def is_word(self, token: str) -> bool:
        """Whether ``token`` occurs in the document other than as half of a split candidate."""
        key = token.lower()
        return self.counts[key] - self.inside[key] > 0

    def should_join(self, first: str, second: str) -> bool:
        """The rule of the class docstring for the pair ``first second``."""
        if not self.counts[(first + second).lower()]:
            return False
        return not (self.is_word(first) and self.is_word(second))

    def rejoin(self, text: str, log: list[Join] | None = None) -> str:
        """Rejoin the split words of ``text`` (spaces only; a line break never splits a word)."""
        out: list[str] = []
        lines = text.split("\n")
        for line in lines:
            out.append(self._rejoin_line(line, log))
        return "\n".join(out)

    def _rejoin_line(self, line: str, log: list[Join] | None) -> str:
        pieces: list[str] = []
        cursor = 0
        consumed = -1  # end of the last joined pair: "a b c" never joins both (a, b) and (b, c)
        for left, right in _pairs(line):
            if left.start() < consumed or not self.should_join(left.group(0), right.group(0)):
                continue
            pieces.append(line[cursor : left.end()])
            cursor = right.start()
            consumed = right.end()
            if log is not None:
                log.append(Join(line[left.start() : right.end()], left.group(0) + right.group(0)))
        pieces.append(line[cursor:])
        return "".join(pieces)

    def dehyphenate(self, text: str) -> str:
        """Resolve hyphens at the end of a physical line.

        The hyphen is kept (``multi-\\nstakeholder`` → ``multi-stakeholder``) unless the
        document writes the word solid and never hyphenated, and a suspended hyphen before
        "and"/"or"/"to" keeps its space (``age-\\nand`` → ``age- and``).
        """

        def resolve(match: re.Match[str]) -> str:
            first, second = match.group(1), match.group(2)
            if second.lower() in SUSPENDED_HYPHEN_FOLLOWERS:
                return f"{first}- {second}"
            solid = (first + second).lower()
            hyphenated = f"{first}-{second}".lower()
            if self.counts[solid] and not self.hyphenated[hyphenated]:
                return first + second
            return f"{first}-{second}"

        return LINE_END_HYPHEN_RE.sub(resolve, text)

    def dehyphenate_spaced(self, text: str) -> str:
        """Resolve line-end hyphens whose line break a conversion turned into a space.

        ``migration- relevant`` is read as ``migration-\\nrelevant`` and resolved by
        :meth:`dehyphenate`, so suspended hyphens ("intra- and") keep their space.
        """
        return self.dehyphenate(HYPHEN_SPACE_RE.sub("-\n", text))


def _pairs(line: str) -> Iterator[tuple[re.Match[str], re.Match[str]]]:
    """Adjacent words of one physical line separated only by spaces, neither glued to a
    neighbour by a hyphen or apostrophe (``non-discriminatory access`` is no candidate)."""
    words = list(WORD_RE.finditer(line))
    for left, right in zip(words, words[1:], strict=False):
        gap = line[left.end() : right.start()]
        if gap and set(gap) == {" "} and not _glued_to(line, left.start() - 1) and not _glued_to(line, right.end()):
            yield left, right


def _glued_to(line: str, index: int) -> bool:
    """Whether the character at ``index`` glues a word to its neighbour (hyphen, apostrophe)."""
    return 0 <= index < len(line) and line[index] in "-’"


def apply_known_splits(text: str, known_splits: Mapping[str, str], log: list[Join] | None = None) -> str:
    """Replace each explicit split (a phrase as printed on one line) by its repair."""
    for before, after in known_splits.items():
        count = text.count(before)
        if count:
            text = text.replace(before, after)
            if log is not None:
                log.extend(Join(before, after) for _ in range(count))
    return text


def fold_whitespace(text: str) -> str:
    """Line breaks and runs of spaces become one space; no space at either end.

    >>> fold_whitespace("  with a view to  dispelling\\nmisleading narratives ")
    'with a view to dispelling misleading narratives'
    """
    return WHITESPACE_RE.sub(" ", text).strip()


def join_lines(pieces: Iterable[str]) -> str:
    """The lines of a provision joined with one space, whitespace folded: the cleaning every text needs.

    >>> join_lines(["För att förverkliga detta ", "  åtagande kommer vi att"])
    'För att förverkliga detta åtagande kommer vi att'
    """
    return fold_whitespace(" ".join(pieces))


# --------------------------------------------------------------------------------------------
# Footnote markers


def marker_pattern(number: str, *, after: str = r"[^\s\d]") -> re.Pattern[str]:
    """A footnote marker in folded text: the number standing alone after ``after`` and a space.

    In the PDF's text layer a superscript marker becomes a standalone number after the word
    or punctuation it annotates (``treaties; 1 the``).  Only the numbers of the footnotes on
    the same page are looked for, which keeps "10 and 11 December" safe.
    """
    return re.compile(rf"(?<={after}) {re.escape(number)}(?= |$)")


def extract_footnote_markers(
    text: str, numbers: Iterable[str], *, after: str = r"[^\s\d]"
) -> tuple[str, list[FootnoteRef]]:
    """Take the markers of the footnotes ``numbers`` out of folded ``text``.

    Returns the text without the markers and one :class:`FootnoteRef` per marker found, whose
    offset is where the marker stood in the returned text.

    >>> extract_footnote_markers("core international human rights treaties; 1 the United Nations", ["1", "2"])
    ('core international human rights treaties; the United Nations', [FootnoteRef(number='1', offset=41)])
    """
    refs: list[FootnoteRef] = []
    for number in numbers:
        pattern = marker_pattern(number, after=after)
        while True:
            match = pattern.search(text)
            if match is None:
                break
            text = text[: match.start()] + text[match.end() :]
            refs.append(FootnoteRef(number, match.start()))
    refs.sort(key=lambda ref: ref.offset)
    return text, refs


def take_markers(
    text: str, pattern: re.Pattern[str], number: Callable[[re.Match[str]], str] = lambda match: match.group(1)
) -> tuple[str, list[FootnoteRef]]:
    r"""Take every match of ``pattern`` out of ``text``, left to right, as a footnote marker.

    ``number`` reads the footnote number from a match (by default its first group).  Each
    :class:`FootnoteRef`'s offset is where the marker stood in the returned text.  For texts
    whose markers are not the standalone numbers :func:`extract_footnote_markers` looks for.

    >>> take_markers("treaties 1; conventions 2; and", re.compile(r"(?<=[^\W\d]) ([1-3])(?=;)"))
    ('treaties; conventions; and', [FootnoteRef(number='1', offset=8), FootnoteRef(number='2', offset=21)])
    """
    refs: list[FootnoteRef] = []
    pieces: list[str] = []
    position = length = 0
    for match in pattern.finditer(text):
        pieces.append(text[position : match.start()])
        length += match.start() - position
        refs.append(FootnoteRef(number(match), length))
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces), refs


# Superscript footnote markers ("2018,¹", "Agreement¹⁰"), as Markdown conversions print them.
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPERSCRIPT_RE = re.compile(f"[{SUPERSCRIPT_DIGITS}]+")
_FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")


def superscript_number(marker: str) -> str:
    """``¹⁰`` → ``10``.

    >>> superscript_number("¹⁰")
    '10'
    """
    return marker.translate(_FROM_SUPERSCRIPT)


def take_superscript_markers(text: str) -> tuple[str, list[FootnoteRef]]:
    """Take superscript footnote markers out of ``text``.

    >>> take_superscript_markers("of 2018,¹ and the Paris Agreement¹⁰ and")
    ('of 2018, and the Paris Agreement and', [FootnoteRef(number='1', offset=8), FootnoteRef(number='10', offset=32)])
    """
    return take_markers(text, SUPERSCRIPT_RE, lambda match: superscript_number(match.group()))


# --------------------------------------------------------------------------------------------
# Markdown left by a conversion: formatting of the conversion, not words of the text

BOLD_MARK = "**"
LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)]*)\)")


def drop_bold_marks(text: str) -> str:
    """Markdown emphasis ``**`` removed, the words kept.

    >>> drop_bold_marks("**ZERO DRAFT PLUS** 5 March")
    'ZERO DRAFT PLUS 5 March'
    """
    return text.replace(BOLD_MARK, "")


def unlink(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Markdown links replaced by their visible text; the links as (visible text, target).

    >>> unlink("recall resolution [73/195](#) of 2018")
    ('recall resolution 73/195 of 2018', [('73/195', '#')])
    """
    links = [(match.group(1), match.group(2)) for match in LINK_RE.finditer(text)]
    return LINK_RE.sub(r"\1", text), links


# --------------------------------------------------------------------------------------------
# All repairs, in order


@dataclass
class RepairLog:
    """What the repairs did, for the loader's report and for tests."""

    joins: list[Join] = field(default_factory=list)

    @property
    def split_words(self) -> int:
        return len(self.joins)


@dataclass(frozen=True)
class CleanText:
    text: str
    footnote_refs: list[FootnoteRef]


def clean_text(
    lines: Sequence[str],
    vocabulary: Vocabulary,
    *,
    known_splits: Mapping[str, str] | None = None,
    footnotes: Iterable[str] = (),
    marker_after: str = r"[^\s\d]",
    log: RepairLog | None = None,
) -> CleanText:
    """The clean text of one provision from its physical lines (furniture already removed).

    >>> v = Vocabulary(["the Statistical Commission on a regular basis", "the Statistical Commissio n of the"])
    >>> clean_text(["under the guidance of the Statistical Commissio n of the ", "United Nations, "], v).text
    'under the guidance of the Statistical Commission of the United Nations,'
    """
    joins = log.joins if log is not None else None
    text = "\n".join(line.strip() for line in lines)
    text = apply_known_splits(text, known_splits or {}, joins)
    text = close_punctuation_gaps(text)
    text = vocabulary.rejoin(text, joins)
    text = vocabulary.dehyphenate(text)
    text = fold_whitespace(text)
    text, refs = extract_footnote_markers(text, footnotes, after=marker_after)
    return CleanText(text, refs)


__all__ = [
    "CleanText",
    "Join",
    "PageFurniture",
    "RepairLog",
    "Stripped",
    "Vocabulary",
    "apply_known_splits",
    "clean_text",
    "close_punctuation_gaps",
    "drop_bold_marks",
    "extract_footnote_markers",
    "fold_whitespace",
    "join_lines",
    "marker_pattern",
    "strip_furniture",
    "superscript_number",
    "take_markers",
    "take_superscript_markers",
    "unlink",
]

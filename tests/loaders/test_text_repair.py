"""The shared repairs of ``loaders/text_repair.py``, each tested on the real artefacts of A/73/L.66.

Every case below was found by reading ``corpus/003_4d3bf2ee86e6cb1c.txt``; the line numbers in
the comments are the file's.  Where a rule must *not* fire, the case is a real word pair of the
same file.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from gcmkg.model import FootnoteRef
from gcmkg.settings import PROJECT_ROOT
from loaders.final_text import FURNITURE, KNOWN_SPLITS
from loaders.text_repair import (
    PageFurniture,
    RepairLog,
    Vocabulary,
    apply_known_splits,
    clean_text,
    close_punctuation_gaps,
    extract_footnote_markers,
    fold_whitespace,
    strip_furniture,
)

RAW_LINES = (PROJECT_ROOT / "corpus" / "003_4d3bf2ee86e6cb1c.txt").read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary(line.text for line in strip_furniture(RAW_LINES, FURNITURE).lines)


def line(number: int) -> str:
    """Line ``number`` (1-based) of the corpus file, as printed."""
    return RAW_LINES[number - 1]


def next_content(number: int) -> str:
    """The first content line after line ``number`` (skipping blank lines and page furniture)."""
    return next(source.text for source in strip_furniture(RAW_LINES, FURNITURE).lines if source.number > number)


# ---------------------------------------------------------------------------------------------
# Page furniture


def test_furniture_lines_of_the_file() -> None:
    stripped = strip_furniture(RAW_LINES, FURNITURE)
    removed = stripped.furniture_lines
    # pages 2-35 each open with the symbol line and the job-number-and-page line (34 x 2), the
    # first page has its job number with date (62) and barcode (64), and the extraction lists
    # the link targets of pages 1 and 2 (124-127, 248)
    assert len(removed) == 34 * 2 + 2 + 5
    assert removed[:9] == [62, 64, 124, 125, 126, 127, 130, 135, 248]
    assert [line(n).strip() for n in (130, 135, 252, 256)] == [
        "A/73/L.66",
        "18-21786 2/35",
        "A/73/L.66",
        "3/35 18-21786",
    ]
    assert {n for n in (130, 135, 252, 256, 3848, 3852)} <= set(removed)
    assert stripped.page_count == 35 and stripped.last_page == 35


def test_pages_come_from_the_furniture_and_the_first_page_is_1() -> None:
    pages = {source.number: source.page for source in strip_furniture(RAW_LINES, FURNITURE).lines}
    assert pages[100] == 1  # "Recalling its resolution 71/1 …"
    assert pages[147] == 2  # "We, the Heads of State …"
    assert pages[366] == 3  # "evidence-based, clear information about …" (para 10, before the break)
    assert pages[379] == 4  # "with a view to dispelling …" (para 10, after the break)
    assert pages[3914] == 35


def test_furniture_mid_sentence_leaves_no_trace(vocabulary: Vocabulary) -> None:
    # paragraph 10 runs from page 3 to page 4 across lines 370-375 (header of page 4)
    lines = [source.text for source in strip_furniture(RAW_LINES[363:381], FURNITURE).lines]
    assert clean_text(lines, vocabulary).text == (
        "irregular migration. We also must provide all our citizens with access to objective, "
        "evidence-based, clear information about the benefits and challenges of migration, "
        "with a view to dispelling misleading narratives that generate negative perceptions of migrants."
    )


def test_furniture_patterns_are_whole_lines_only() -> None:
    # the symbol inside running text is no furniture (A/73/L.66 cited in a sentence stays)
    assert not FURNITURE.is_furniture("the draft resolution A/73/L.66 was adopted")
    assert not FURNITURE.is_furniture("Agenda items 14 and 119")
    for number in (49, 62, 64, 130, 135, 252, 256, 124, 248):
        # line 49 is the masthead ("United Nations  A/73/L.66"): handled by the loader, not here
        assert FURNITURE.is_furniture(line(number)) is (number != 49)
    assert FURNITURE.leftovers("18-21786 8/35 with") == ["18-21786", "/35"]
    assert FURNITURE.leftovers("with a view to dispelling") == []


def test_page_number_from_a_custom_pattern() -> None:
    furniture = PageFurniture((re.compile(r"Page (?P<page>\d+)"),), page_number=re.compile(r"Page (?P<page>\d+)"))
    stripped = strip_furniture(["one", "Page 7", "two"], furniture)
    assert [(s.text, s.page) for s in stripped.lines] == [("one", 1), ("two", 7)]
    assert stripped.page_count is None


# ---------------------------------------------------------------------------------------------
# Split words

# Every word of the file split by a stray space, with its line, found by reading the file.
REAL_SPLITS = [
    (260, "right s", "rights"),
    (400, "internatio nal", "international"),
    (420, "migrat ion", "migration"),
    (451, "tha t", "that"),
    (596, "b est", "best"),
    (823, "Commissio n", "Commission"),
    (888, "standar ds", "standards"),
    (922, "d ata", "data"),
    (928, "uphold ing", "upholding"),
    (1251, "allowin g", "allowing"),
    (1257, "throu gh", "through"),
    (1755, "ad ministrative", "administrative"),
    (1761, "t o", "to"),
    (1871, "includ ing", "including"),
    (1877, "situa tions", "situations"),
    (1981, "facil itate", "facilitate"),
    (2015, "a s", "as"),
    (2231, "eme rgency", "emergency"),
    (2239, "bor der", "border"),
    (2259, "recomme ndations", "recommendations"),
    (2653, "Pro mote", "Promote"),
    (2690, "wi th", "with"),
    (2932, "recogni tion", "recognition"),
    (3253, "populat ions", "populations"),
    (3377, "pred ictability", "predictability"),
    (3829, "leve ls", "levels"),
]
# Splits the rule cannot decide, in the loader's explicit list.
EXPLICIT_SPLITS = [
    (656, "migration a long the", "migration along the"),  # both halves words
    (2775, "concentrati on", "concentration"),  # "concentration" occurs nowhere else
    (3764, "funct ioning", "functioning"),  # "functioning" occurs nowhere else
]
# Real word pairs of the file whose joined form is also a word of the file: never glued.
REAL_PAIRS = [
    (1048, "in human", "(e) Invest in human capital development"),
    (2908, "in formal", "in formal labour markets"),
    (2459, "a way", "do so in a way consistent"),
    (2449, "at a", "that, at a"),
    (3862, "at a", "global level at a four-year interval"),
]


@pytest.mark.parametrize(("number", "printed", "joined"), REAL_SPLITS)
def test_real_split_words_are_rejoined_by_the_rule(
    vocabulary: Vocabulary, number: int, printed: str, joined: str
) -> None:
    assert printed in line(number)
    first, second = printed.split(" ")
    assert vocabulary.should_join(first, second)
    assert joined in vocabulary.rejoin(line(number))
    assert printed not in vocabulary.rejoin(line(number))


@pytest.mark.parametrize(("number", "printed", "joined"), EXPLICIT_SPLITS)
def test_undecidable_splits_are_in_the_explicit_list(
    vocabulary: Vocabulary, number: int, printed: str, joined: str
) -> None:
    assert printed in line(number)
    words = printed.split(" ")
    pair = (words[1], words[2]) if len(words) == 4 else (words[0], words[1])
    assert not vocabulary.should_join(*pair)  # the rule alone would leave it
    assert KNOWN_SPLITS[printed] == joined
    assert joined in apply_known_splits(line(number), KNOWN_SPLITS)


@pytest.mark.parametrize(("number", "pair", "context"), REAL_PAIRS)
def test_real_word_pairs_are_never_glued(vocabulary: Vocabulary, number: int, pair: str, context: str) -> None:
    assert context in line(number)
    first, second = pair.split(" ")
    assert vocabulary.counts[(first + second).lower()]  # "inhuman", "informal", "away" occur; "ata" in "d ata"
    assert vocabulary.is_word(first) and vocabulary.is_word(second)
    assert not vocabulary.should_join(first, second)
    assert context in vocabulary.rejoin(line(number))


def test_the_rule_finds_exactly_the_real_splits_in_the_whole_file(vocabulary: Vocabulary) -> None:
    """Run over every content line: the joins made are the hand-found list, nothing else."""
    log = RepairLog()
    for source in strip_furniture(RAW_LINES, FURNITURE).lines:
        vocabulary.rejoin(close_punctuation_gaps(source.text), log.joins)
    assert Counter((join.before, join.after) for join in log.joins) == Counter(
        (printed, joined) for _, printed, joined in REAL_SPLITS
    )


def test_a_line_break_never_splits_a_word(vocabulary: Vocabulary) -> None:
    # "a" at a line end and "way" at the next line's start are not a candidate pair
    assert vocabulary.rejoin("in a\nway") == "in a\nway"


def test_is_word_discounts_fragments(vocabulary: Vocabulary) -> None:
    # "s" occurs only as the half of "right s" and "a s"; "Commissio" only in the split
    assert not vocabulary.is_word("s")
    assert not vocabulary.is_word("Commissio")
    assert vocabulary.is_word("right") and vocabulary.is_word("Commission")


# ---------------------------------------------------------------------------------------------
# Spaces before punctuation and hyphens


@pytest.mark.parametrize(
    ("number", "printed", "repaired"),
    [
        (2178, "following actions :", "following actions:"),
        (3111, "entrepreneurship , including", "entrepreneurship, including"),
        (3339, "rights of the child , by", "rights of the child, by"),
        (1320, "another State ’s", "another State’s"),
        (1819, "Global Migration Group ’s", "Global Migration Group’s"),
        (3029, "a worker ’s credentials", "a worker’s credentials"),
        (2553, "ensure migrants ’", "ensure migrants’"),
        (2376, "human rights -based", "human rights-based"),
        (2993, "occupation -specific", "occupation-specific"),
        (3669, "multi -partner", "multi-partner"),
        (3695, "start -up", "start-up"),
        (3547, "whole -of-", "whole-of-"),
    ],
)
def test_stray_spaces_before_punctuation_and_hyphens(number: int, printed: str, repaired: str) -> None:
    assert printed in line(number)
    assert repaired in close_punctuation_gaps(line(number))


def test_spaced_dashes_and_suspended_hyphens_stay() -> None:
    # line 1680: "gender- and disability-responsive, as well as age- and" — suspended hyphens
    assert close_punctuation_gaps(line(1680)) == line(1680)
    assert close_punctuation_gaps("2015–2030 - a range") == "2015–2030 - a range"


# ---------------------------------------------------------------------------------------------
# Line-end hyphens


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (516, "follow-up"),
        (625, "multi-stakeholder"),
        (1112, "slow-onset"),
        (1218, "child-sensitive"),
        (1622, "lower-skilled"),
        (2471, "community-based"),
        (2641, "health-care"),
        (2785, "evidence-based"),
        (3231, "non-bank"),
        (3251, "gender-responsive"),
        (3547, "whole-of-government"),
        (3651, "South-South"),
    ],
)
def test_line_end_hyphens_of_the_file_keep_their_hyphen(vocabulary: Vocabulary, number: int, expected: str) -> None:
    """Every line of the file that ends in a hyphen: the compound is real and keeps it."""
    joined = close_punctuation_gaps(line(number).rstrip() + "\n" + next_content(number).strip())
    assert expected in fold_whitespace(vocabulary.dehyphenate(joined))


def test_every_line_end_hyphen_of_the_file_is_listed() -> None:
    ends = [n for n, text in enumerate(RAW_LINES, start=1) if text.rstrip().endswith("-")]
    assert ends == [516, 625, 1112, 1218, 1622, 2471, 2641, 2785, 3231, 3251, 3547, 3651]


def test_a_solid_word_of_the_text_loses_a_line_end_hyphen(vocabulary: Vocabulary) -> None:
    # the file writes "policymaking" solid (lines 813, 3105) and never "policy-making"
    assert vocabulary.counts["policymaking"] and not vocabulary.hyphenated["policy-making"]
    assert vocabulary.dehyphenate("evidence-based policy-\nmaking") == "evidence-based policymaking"


def test_a_suspended_hyphen_at_a_line_end_keeps_its_space(vocabulary: Vocabulary) -> None:
    # the form of line 1680 ("as well as age- and child-sensitive"), broken after the hyphen
    assert vocabulary.dehyphenate("as well as age-\nand child-sensitive") == "as well as age- and child-sensitive"


# ---------------------------------------------------------------------------------------------
# Whitespace and footnote markers


def test_whitespace_folding_on_real_double_spaces() -> None:
    assert "compel people to  leave" in line(674)
    assert (
        fold_whitespace(line(674))
        == "2. Minimize the adverse drivers and structural factors that compel people to leave"
    )
    assert "including through poverty eradication," in fold_whitespace(line(1006) + "\n" + line(1008))


PARAGRAPH_2_MARKED = (
    "the other core international human rights treaties; 1 the United Nations Convention; "
    "the Paris Agreement; 2 and the International Labour Organization conventions on promoting decent "
    "work and labour migration, 3 as well as on the 2030 Agenda"
)


def test_footnote_markers_are_taken_out_with_their_offsets() -> None:
    text, refs = extract_footnote_markers(PARAGRAPH_2_MARKED, ["1", "2", "3"])
    assert text == (
        "the other core international human rights treaties; the United Nations Convention; "
        "the Paris Agreement; and the International Labour Organization conventions on promoting decent "
        "work and labour migration, as well as on the 2030 Agenda"
    )
    assert [ref.number for ref in refs] == ["1", "2", "3"]
    assert text[: refs[0].offset].endswith("treaties;")
    assert text[: refs[1].offset].endswith("the Paris Agreement;")
    assert text[: refs[2].offset].endswith("labour migration,")
    assert refs[0] == FootnoteRef("1", len("the other core international human rights treaties;"))


def test_numbers_in_running_text_are_not_markers() -> None:
    # the annex's opening paragraph, on the same page as footnotes 1-3
    opening = "meeting in Morocco on 10 and 11 December 2018, reaffirming"
    assert extract_footnote_markers(opening, ["1", "2", "3"]) == (opening, [])
    # "2015–2030; and" (paragraph 2) and "2. It also rests" carry no marker either
    assert extract_footnote_markers("Reduction 2015–2030; and the New Urban", ["2"])[1] == []


def test_clean_text_applies_every_repair_in_order(vocabulary: Vocabulary) -> None:
    # lines 190-192 of paragraph 2: a marker, a double space, line breaks
    lines = [line(190), line(192)]
    result = clean_text(lines, vocabulary, footnotes=["1", "2", "3"])
    assert result.text == (
        "Desertification, Particularly in Africa; the Paris Agreement; and the International "
        "Labour Organization conventions on promoting decent work and labour migration,"
    )
    assert [(ref.number, result.text[: ref.offset][-10:]) for ref in result.footnote_refs] == [
        ("2", "Agreement;"),
        ("3", "migration,"),
    ]

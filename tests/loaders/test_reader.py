"""The shared reader of the loaders (loaders/reader.py): lines, blocks, markers, spans, errors, findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmkg.corpus import read_manifest
from gcmkg.errors import SourceError
from gcmkg.model import FindingKind, Provision, ProvisionKind, SourceSpan
from gcmkg.settings import PROJECT_ROOT
from loaders.reader import (
    Block,
    Cursor,
    Source,
    SourceLine,
    blank_separated,
    cover,
    document,
    letter,
    lettered_kind,
    lines,
    marker_style,
    numbered_lines,
    roman,
    span_of,
    stub,
)


def test_a_block_spans_its_lines_and_pages() -> None:
    block = Block.at(SourceLine(40, " (a) Promote", 3), "Promote", kind="lettered", label="a")
    block.add(SourceLine(42, "cooperation;", 4))
    assert (block.first, block.pieces, block.numbers, block.pages) == (
        "Promote",
        ["Promote", "cooperation;"],
        [40, 42],
        {3, 4},
    )
    assert block.span() == SourceSpan(40, 42, 3, 4)
    other = Block.at(SourceLine(44, "next", 4))
    assert span_of([block, other]) == SourceSpan(40, 44, 3, 4)
    assert block.pop() == SourceLine(42, "cooperation;", 4) and block.pieces == ["Promote"]


def test_blocks_separated_by_blank_lines_keep_their_line_numbers() -> None:
    text = ["", "THE PRESIDENT", "OF THE GENERAL ASSEMBLY", "   ", "20 July 2018", ""]
    blocks = blank_separated(text)
    assert [(b.start, b.end, b.pieces) for b in blocks] == [
        (2, 3, ["THE PRESIDENT", "OF THE GENERAL ASSEMBLY"]),
        (5, 5, ["20 July 2018"]),
    ]
    assert [line.number for line in numbered_lines(text, 3, 5)] == [3, 5]


def test_the_cursor_reads_in_order() -> None:
    cursor = Cursor([1, 2])
    assert cursor.last() == 2
    assert [cursor.take(), cursor.peek(), cursor.take(), cursor.peek()] == [1, 2, 2, None]
    assert Cursor([]).last() is None


def test_list_sequences_and_marker_styles() -> None:
    assert [letter(n) for n in (0, 1, 25, 26)] == ["a", "b", "z", "?"]
    assert [roman(n) for n in (0, 4, 9, 10)] == ["i", "v", "x", "?"]
    # the styles the five texts print, each abstracted from its letter or number
    assert [marker_style(m) for m in ("(a)", "(k)", "a)", "A)", "- a)", "1.", "17.", "- 27.", "iv.")] == [
        "(a)", "(a)", "a)", "A)", "- a)", "1.", "1.", "- 1.", "i.",
    ]  # fmt: skip


def test_a_lettered_provision_is_an_action_under_a_commitment_only() -> None:
    line = SourceLine(1, "x")
    commitment = stub(ProvisionKind.COMMITMENT, ("annex", "para", "17"), line, number="17")
    paragraph = stub(ProvisionKind.PARAGRAPH, ("annex", "para", "43"), line, number="43")
    assert (lettered_kind(commitment), lettered_kind(paragraph)) == (ProvisionKind.ACTION, ProvisionKind.ITEM)


def test_a_container_covers_what_it_holds_but_not_its_footnotes() -> None:
    section = Provision(ProvisionKind.SECTION, ("annex", "s"), "S", SourceSpan(10, 10, 2, 2))
    paragraph = Provision(ProvisionKind.PARAGRAPH, ("annex", "para", "1"), "P", SourceSpan(12, 14, 2, 3))
    paragraph.children.append(Provision(ProvisionKind.ITEM, ("annex", "para", "1", "a"), "I", SourceSpan(15, 18, 3, 3)))
    footnote = Provision(ProvisionKind.FOOTNOTE, ("annex", "footnote", "1"), "F", SourceSpan(90, 91, 9, 9))
    section.children += [paragraph, footnote]
    cover(section, frozenset({ProvisionKind.SECTION}))
    assert section.span == SourceSpan(10, 18, 2, 3)  # over the item too, not over the footnote
    assert paragraph.span == SourceSpan(12, 14, 2, 3)  # a paragraph is no container here
    cover(section)
    assert paragraph.span == SourceSpan(12, 18, 2, 3)


def test_errors_name_file_line_and_provision_and_findings_are_recorded(tmp_path: Path) -> None:
    path = tmp_path / "text.txt"
    path.write_text("one\ntwo\n", encoding="utf-8")
    source = Source.read(path, "corpus/text.txt")
    assert source.line(2) == "two"
    provision = stub(ProvisionKind.PARAGRAPH, ("annex", "para", "2"), SourceLine(2, "two"), number="2")
    error = source.error(2, "expected paragraph 3", provision)
    assert str(error) == "corpus/text.txt:2: expected paragraph 3 (while reading annex/para/2)"
    finding = source.finding(FindingKind.NUMBERING, "paragraph 2 out of sequence", lines(2), provision)
    assert source.findings == [finding] and finding.provision == ("annex", "para", "2")
    assert finding.span == SourceSpan(2, 2)


def test_an_unreadable_file_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Gómez".encode("latin-1"))
    with pytest.raises(SourceError) as error:
        Source.read(path)
    assert error.value.file == str(path) and "cannot read the text" in error.value.message


def test_a_document_takes_its_metadata_from_the_manifest() -> None:
    entry = next(e for e in read_manifest(PROJECT_ROOT / "corpus") if e.loader == "swedish")
    letter_meta = entry.documents[0]
    made = document(entry, letter_meta, [])
    assert (made.key, made.language, made.title, made.date, made.status, made.source_file) == (
        "pga-letter-2018-07-20",
        "sv",
        letter_meta.title,
        "2018-07-20",
        "letter",
        "000_ff9c35d2fe524f27.txt",
    )
    assert (made.symbol, made.version_of, made.part_of) == (None, None, "gcm-agreed-outcome-2018-07-13")

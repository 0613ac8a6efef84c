"""The corpus manifest (gcmkg.corpus): texts with their checksums, documents with their metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmkg.corpus import DocumentEntry, read_manifest, verify
from gcmkg.errors import CorpusError
from gcmkg.settings import PROJECT_ROOT

FINAL_TEXT = "003_4d3bf2ee86e6cb1c.txt"
SWEDISH = "000_ff9c35d2fe524f27.txt"
FIRST_DOCUMENT = '[[text.document]]\nkey = "a-73-l-66"'


def _edit_manifest(corpus: Path, old: str, new: str) -> None:
    manifest = corpus / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    assert text.count(old) == 1
    manifest.write_text(text.replace(old, new), encoding="utf-8")


def test_manifest_metadata_of_the_final_text() -> None:
    entry = next(e for e in read_manifest(PROJECT_ROOT / "corpus") if e.file == FINAL_TEXT)
    document = entry.single_document()
    assert (document.symbol, document.date, entry.language, document.status) == (
        "A/73/L.66",
        "2018-12-12",
        "en",
        "final",
    )
    assert (document.key, document.version_of, document.part_of) == ("a-73-l-66", "gcm", None)
    assert entry.loader == "final_text" and entry.path(PROJECT_ROOT / "corpus").is_file()


def test_every_text_lists_its_documents_in_file_order() -> None:
    entries = read_manifest(PROJECT_ROOT / "corpus")
    keys = {entry.file: [document.key for document in entry.documents] for entry in entries}
    assert keys == {
        FINAL_TEXT: ["a-73-l-66"],
        "001_e6f6b74612f5d01e.txt": ["com-2018-168-annex"],
        SWEDISH: ["pga-letter-2018-07-20", "cofacilitators-letter-2018-07-17", "gcm-agreed-outcome-2018-07-13"],
        "002_ac90e8012657dbe2.txt": ["iom-contribution-2017-10"],
        "004_7bae42176274279c.txt": ["imrf-progress-declaration-2022"],
    }


def test_the_swedish_letters_are_part_of_the_outcome() -> None:
    entry = next(e for e in read_manifest(PROJECT_ROOT / "corpus") if e.file == SWEDISH)
    pga, cofacilitators, outcome = entry.documents
    assert (pga.status, pga.date, pga.part_of) == ("letter", "2018-07-20", "gcm-agreed-outcome-2018-07-13")
    assert (cofacilitators.status, cofacilitators.date, cofacilitators.part_of) == (
        "letter",
        "2018-07-17",
        "gcm-agreed-outcome-2018-07-13",
    )
    assert outcome == DocumentEntry(
        key="gcm-agreed-outcome-2018-07-13",
        title="Global Compact for Safe, Orderly and Regular Migration: intergovernmentally negotiated and agreed "
        "outcome, 13 July 2018 (Swedish translation)",
        date="2018-07-13",
        status="translation",
        version_of="gcm",
    )
    with pytest.raises(
        CorpusError,
        match=r"text 000_ff9c35d2fe524f27.txt: its loader 'swedish' reads 1 document\(s\), the manifest lists 3",
    ):
        entry.single_document()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            FIRST_DOCUMENT,
            '[[text.document]]\nkey = "A/73/L.66"',
            r"text 1 \(003_4d3bf2ee86e6cb1c.txt\), document 1: key 'A/73/L.66'",
        ),
        ('status = "final"', 'status = "adopted"', r"text 1 \(.*\), document 1: status 'adopted' is not one of"),
        ('date = "2018-12-12"', 'date = "12 December 2018"', r"document 1: date '12 December 2018' is not YYYY-MM-DD"),
        (FIRST_DOCUMENT, f"{FIRST_DOCUMENT}\nyear = 2018", r"document 1: unknown field\(s\) year"),
        ('symbol = "A/73/L.66"\n', "symbol = 73\n", r"document 1: symbol must be a string, found 73"),
        (
            'title = "Global Compact for Safe, Orderly and Regular Migration (draft',
            '# "(draft',
            r"document 1: missing field\(s\) title",
        ),
        (
            'part_of = "gcm-agreed-outcome-2018-07-13"\n\n[[text.document]]\nkey = "cofacilitators',
            'part_of = "gcm-outcome"\n\n[[text.document]]\nkey = "cofacilitators',
            r"document pga-letter-2018-07-20: part_of 'gcm-outcome' is no document of the manifest",
        ),
        ('key = "com-2018-168-annex"', 'key = "a-73-l-66"', r"document key\(s\) listed more than once: a-73-l-66"),
    ],
)
def test_a_malformed_document_table_is_named(corpus_copy: Path, old: str, new: str, message: str) -> None:
    _edit_manifest(corpus_copy, old, new)
    with pytest.raises(CorpusError, match=message):
        read_manifest(corpus_copy)


def test_a_text_with_a_loader_and_no_document_is_refused(corpus_copy: Path) -> None:
    manifest = corpus_copy / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    start = text.index('[[text.document]]\nkey = "iom-contribution')
    end = text.index("[[text]]", start)
    manifest.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(
        CorpusError, match=r"text 4 \(002_ac90e8012657dbe2.txt\): loader 'iom_contribution' is named but no"
    ):
        read_manifest(corpus_copy)


def test_a_malformed_text_table_is_named(corpus_copy: Path) -> None:
    _edit_manifest(corpus_copy, 'language = "ar"\n', "")
    with pytest.raises(CorpusError, match=r"text 4 \(002_ac90e8012657dbe2.txt\): missing field\(s\) language"):
        read_manifest(corpus_copy)


def test_a_manifest_that_is_not_toml_is_refused(corpus_copy: Path) -> None:
    (corpus_copy / "manifest.toml").write_text("[[text]\nfile = ", encoding="utf-8")
    with pytest.raises(CorpusError, match="not valid TOML"):
        read_manifest(corpus_copy)


def test_checksum_mismatch_is_named(corpus_copy: Path) -> None:
    path = corpus_copy / FINAL_TEXT
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(CorpusError, match=rf"{FINAL_TEXT}: checksum mismatch: the manifest says sha256 beba5778"):
        verify(corpus_copy)


def test_missing_file_is_named(corpus_copy: Path) -> None:
    (corpus_copy / FINAL_TEXT).unlink()
    with pytest.raises(CorpusError, match=rf"{FINAL_TEXT}: missing"):
        verify(corpus_copy)


def test_unlisted_file_is_named(corpus_copy: Path) -> None:
    (corpus_copy / "999_extra.txt").write_text("stray", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"999_extra.txt: not listed"):
        verify(corpus_copy)

"""Stage ①: the corpus manifest, checked before any parsing.

``corpus/manifest.toml`` lists every text (``[[text]]``: file, checksum, language, loader, and
optionally its edition) and, inside each, the documents the text holds (``[[text.document]]``:
key, title, date, status, symbol, version_of, part_of).  This module is the one reader of that file: loaders take a
document's metadata from its :class:`DocumentEntry`, never from constants of their own.
:func:`read_manifest` stops with a :class:`CorpusError` naming the entry when a table is
malformed; :func:`verify` stops, naming the file, when a text is missing, changed, or not listed.

>>> text = parse_text(
...     {"file": "x.txt", "sha256": "0" * 64, "language": "en", "loader": "final_text",
...      "document": [{"key": "a-73-l-66", "title": "The Compact", "date": "2018-12-12", "status": "final"}]},
...     "manifest.toml: text 1 (x.txt)",
... )
>>> text.single_document().key, text.single_document().symbol
('a-73-l-66', None)
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gcmkg.errors import CorpusError

MANIFEST = "manifest.toml"

# The document statuses (model.Document.status); the ontology's DocumentStatusScheme has a
# concept for each (tests/ontology checks the manifest against it).
STATUSES = frozenset({"final", "draft", "translation", "contribution", "review", "letter"})
# A key is an IRI path segment (id/{key}/{language}), as model.Provision's path segments are.
KEY_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
# ISO 8601 calendar date or year and month (the IOM contribution is dated "October 2017").
DATE_RE = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")
SHA256_RE = re.compile(r"[0-9a-f]{64}")

TEXT_FIELDS = {"file": True, "sha256": True, "language": True, "loader": True, "edition": False, "document": False}
DOCUMENT_FIELDS = {
    "key": True,
    "title": True,
    "date": True,
    "status": True,
    "symbol": False,
    "version_of": False,
    "part_of": False,
}


@dataclass(frozen=True)
class DocumentEntry:
    """One document of a text as the manifest describes it (a ``[[text.document]]`` table)."""

    key: str
    title: str
    date: str  # ISO 8601: YYYY-MM-DD, or YYYY-MM where only the month is printed
    status: str  # one of STATUSES
    symbol: str | None = None  # UN (or EU) document symbol, where the document has one
    version_of: str | None = None  # key of the work this document is a version of ("gcm")
    part_of: str | None = None  # key of another document of the manifest this one belongs to


@dataclass(frozen=True)
class CorpusEntry:
    """One text of the corpus as the manifest describes it, with the documents it holds.

    ``documents`` are in the order they stand in the file.
    """

    file: str
    sha256: str
    language: str
    loader: str  # "" for a text carried and checksummed but not parsed
    documents: tuple[DocumentEntry, ...] = ()
    # The set of texts the linkers relate to each other ("" in the real corpus: one set); a
    # synthetic corpus (bench/scale.py) holds several, each linked on its own.
    edition: str = ""

    def path(self, corpus_dir: Path) -> Path:
        return corpus_dir / self.file

    def expect_documents(self, count: int) -> tuple[DocumentEntry, ...]:
        """The text's documents, which its loader reads ``count`` of; raises when the manifest lists another number."""
        if len(self.documents) != count:
            raise CorpusError(
                f"{MANIFEST}: text {self.file}: its loader {self.loader!r} reads {count} document(s), "
                f"the manifest lists {len(self.documents)}"
            )
        return self.documents

    def single_document(self) -> DocumentEntry:
        """The one document of a text that holds one."""
        return self.expect_documents(1)[0]


def _fields(raw: Any, spec: dict[str, bool], where: str) -> dict[str, Any]:
    """Check a table's field names against ``spec`` (name → required); the fields as given."""
    if not isinstance(raw, dict):
        raise CorpusError(f"{where}: expected a table, found {type(raw).__name__}")
    unknown = sorted(set(raw) - set(spec))
    if unknown:
        raise CorpusError(f"{where}: unknown field(s) {', '.join(unknown)} (known: {', '.join(spec)})")
    missing = [name for name, required in spec.items() if required and name not in raw]
    if missing:
        raise CorpusError(f"{where}: missing field(s) {', '.join(missing)}")
    for name, value in raw.items():
        if name != "document" and not isinstance(value, str):
            raise CorpusError(f"{where}: {name} must be a string, found {value!r}")
    return raw


def parse_document(raw: Any, where: str) -> DocumentEntry:
    """One ``[[text.document]]`` table, validated; ``where`` names it in errors."""
    fields = _fields(raw, DOCUMENT_FIELDS, where)
    document = DocumentEntry(**fields)
    if not KEY_RE.fullmatch(document.key):
        raise CorpusError(f"{where}: key {document.key!r} is not made of [a-z0-9-]")
    if not DATE_RE.fullmatch(document.date):
        raise CorpusError(f"{where}: date {document.date!r} is not YYYY-MM-DD or YYYY-MM")
    if document.status not in STATUSES:
        raise CorpusError(f"{where}: status {document.status!r} is not one of {', '.join(sorted(STATUSES))}")
    return document


def parse_text(raw: Any, where: str) -> CorpusEntry:
    """One ``[[text]]`` table with its documents, validated; ``where`` names it in errors."""
    fields = _fields(raw, TEXT_FIELDS, where)
    if not SHA256_RE.fullmatch(fields["sha256"]):
        raise CorpusError(f"{where}: sha256 {fields['sha256']!r} is not 64 lower-case hex digits")
    tables = fields.get("document", [])
    if not isinstance(tables, list):
        raise CorpusError(f"{where}: document must be an array of tables ([[text.document]])")
    documents = tuple(
        parse_document(table, f"{where}, document {number}") for number, table in enumerate(tables, start=1)
    )
    if fields["loader"] and not documents:
        raise CorpusError(f"{where}: loader {fields['loader']!r} is named but no [[text.document]] is listed")
    return CorpusEntry(
        fields["file"], fields["sha256"], fields["language"], fields["loader"], documents, fields.get("edition", "")
    )


def read_manifest(corpus_dir: Path) -> list[CorpusEntry]:
    """The manifest's entries, in manifest order, each with its documents."""
    manifest = corpus_dir / MANIFEST
    if not manifest.is_file():
        raise CorpusError(f"{manifest}: the corpus manifest is missing")
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise CorpusError(f"{manifest}: not valid TOML: {error}") from error
    entries = []
    for number, raw in enumerate(data.get("text", []), start=1):
        name = raw.get("file", "?") if isinstance(raw, dict) else "?"
        entries.append(parse_text(raw, f"{manifest}: text {number} ({name})"))
    if not entries:
        raise CorpusError(f"{manifest}: lists no texts")
    _check_keys(manifest, entries)
    return entries


def _check_keys(manifest: Path, entries: list[CorpusEntry]) -> None:
    """Document keys are unique, and ``part_of`` names a document of the manifest."""
    keys = Counter(document.key for entry in entries for document in entry.documents)
    repeated = sorted(key for key, count in keys.items() if count > 1)
    if repeated:
        raise CorpusError(f"{manifest}: document key(s) listed more than once: {', '.join(repeated)}")
    for entry in entries:
        for document in entry.documents:
            if document.part_of is not None and document.part_of not in keys:
                raise CorpusError(
                    f"{manifest}: text {entry.file}, document {document.key}: part_of {document.part_of!r} "
                    "is no document of the manifest"
                )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(corpus_dir: Path) -> list[CorpusEntry]:
    """Check every listed text against its checksum; raise naming the first bad file."""
    entries = read_manifest(corpus_dir)
    problems = []
    for entry in entries:
        path = entry.path(corpus_dir)
        if not path.is_file():
            problems.append(f"{path}: missing (listed in {MANIFEST})")
            continue
        actual = sha256_of(path)
        if actual != entry.sha256:
            problems.append(
                f"{path}: checksum mismatch: the manifest says sha256 {entry.sha256}, the file has {actual}"
                " (the corpus must stay byte-identical to the texts as received)"
            )
    listed = {entry.file for entry in entries}
    for path in sorted(corpus_dir.glob("*.txt")):
        if path.name not in listed:
            problems.append(f"{path}: not listed in {MANIFEST}")
    if problems:
        raise CorpusError("corpus check failed:\n" + "\n".join(problems))
    return entries

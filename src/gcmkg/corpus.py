"""Stage ①: the corpus manifest, checked before any parsing.

``corpus/manifest.toml`` lists every text with its checksum and metadata.  :func:`verify`
stops the build, naming the file, when a text is missing, changed, or not listed.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from gcmkg.errors import CorpusError

MANIFEST = "manifest.toml"


@dataclass(frozen=True)
class CorpusEntry:
    """One text of the corpus as the manifest describes it."""

    file: str
    sha256: str
    title: str
    date: str
    language: str
    status: str
    loader: str
    symbol: str | None = None
    text_date: str | None = None

    def path(self, corpus_dir: Path) -> Path:
        return corpus_dir / self.file


def read_manifest(corpus_dir: Path) -> list[CorpusEntry]:
    """The manifest's entries, in manifest order."""
    manifest = corpus_dir / MANIFEST
    if not manifest.is_file():
        raise CorpusError(f"{manifest}: the corpus manifest is missing")
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise CorpusError(f"{manifest}: not valid TOML: {error}") from error
    entries = []
    for number, raw in enumerate(data.get("text", []), start=1):
        try:
            entries.append(CorpusEntry(**raw))
        except TypeError as error:
            raise CorpusError(f"{manifest}: entry {number} is malformed: {error}") from error
    if not entries:
        raise CorpusError(f"{manifest}: lists no texts")
    return entries


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

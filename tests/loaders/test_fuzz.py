"""Every loader, fed damaged or arbitrary text, returns documents or raises ``SourceError``, quickly.

A corrupt source file must stop the build with a message naming the file and line (exit code 2),
never with a traceback of some other exception, and never hang.  Hypothesis damages each real
text the ways files get damaged — lines lost, repeated, swapped, truncated, bytes garbled,
foreign characters inserted — and also tries text with no structure at all.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gcmkg.build import loaders
from gcmkg.corpus import CorpusEntry, read_manifest
from gcmkg.errors import SourceError
from gcmkg.settings import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "corpus"
ENTRIES = [e for e in read_manifest(CORPUS) if e.loader]
SECONDS = 10  # a loader reads a real text in well under a second


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail (rather than hang the suite) if the block runs longer than ``seconds``."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"the loader ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_loader(entry: CorpusEntry, text: str, tmp_path: Path) -> None:
    path = tmp_path / entry.file
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    load = loaders()[entry.loader].load()
    started = time.perf_counter()
    with time_limit(SECONDS):
        try:
            documents = load(path, entry)
        except SourceError as error:
            assert error.file and str(error)  # names where
            return
    assert isinstance(documents, list)
    assert time.perf_counter() - started < SECONDS


class Damaged:
    """A damaged copy of a text; its repr says what was done (a failing example stays readable)."""

    def __init__(self, text: str, damage: tuple[str, ...]) -> None:
        self.text, self.damage = text, damage

    def __repr__(self) -> str:
        return f"Damaged({'; '.join(self.damage)})"


@st.composite
def damaged(draw: st.DrawFn, lines: list[str]) -> Damaged:
    """The text with one to three kinds of damage."""
    lines = list(lines)
    done: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["drop", "repeat", "swap", "truncate", "garble", "insert"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(i, min(len(lines), i + 40)))
        done.append(f"{kind} lines {i + 1}-{j + 1}")
        if kind == "drop":
            del lines[i:j]
        elif kind == "repeat":
            lines[i:i] = lines[i:j]
        elif kind == "swap":
            k = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[k] = lines[k], lines[i]
        elif kind == "truncate":
            lines = lines[:i]
        elif kind == "garble":
            line = lines[i]
            cut = draw(st.integers(0, len(line)))
            junk = draw(st.text(max_size=20))
            lines[i] = line[:cut] + junk + line[cut + 1 :]
            done[-1] = f"garble line {i + 1} at {cut} with {junk!r}"
        else:
            junk = draw(st.text(max_size=200))
            lines.insert(i, junk)
            done[-1] = f"insert {junk!r} before line {i + 1}"
    return Damaged("\n".join(lines), tuple(done))


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.loader)
def test_a_damaged_text_gives_documents_or_a_source_error(entry: CorpusEntry, tmp_path: Path) -> None:
    lines = (CORPUS / entry.file).read_text(encoding="utf-8").split("\n")

    @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(damaged(lines))
    def check(copy: Damaged) -> None:
        run_loader(entry, copy.text, tmp_path)

    check()


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.loader)
def test_arbitrary_text_gives_a_source_error(entry: CorpusEntry, tmp_path: Path) -> None:
    @settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(
        st.text(max_size=2000)
        | st.lists(st.sampled_from(["", "1.", "(a)", "a)", "-", "Objective 1", "**"]), max_size=60).map("\n".join)
    )
    def check(text: str) -> None:
        run_loader(entry, text, tmp_path)

    check()

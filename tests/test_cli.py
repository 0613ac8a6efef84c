"""The command line's own contract: which errors are "bad input", and a closed pipe.

(The commands against the real graph are tested in ``tests/build/test_cli.py``.)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from gcmkg import cli
from gcmkg.errors import CorpusError
from gcmkg.store import GraphStore

BASE = "http://example.org/"


@pytest.fixture
def small_build(tmp_path: Path) -> Path:
    """A build folder whose current release holds a store of a few quads."""
    store = GraphStore.create(tmp_path / "releases" / "r1" / "store", BASE)
    store.add(
        [Quad(NamedNode(f"{BASE}id/x"), NamedNode(f"{BASE}ontology#n"), Literal("1"), NamedNode(f"{BASE}graph/g"))]
    )
    store.flush()
    del store
    (tmp_path / "current").symlink_to(Path("releases") / "r1")
    return tmp_path


def _command(build_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "gcmkg.cli", "--build-dir", str(build_dir), "--base-iri", BASE, *args]


def test_a_closed_pipe_ends_quietly(small_build: Path) -> None:
    """``gcmkg query … | head -1``: far more rows than a pipe buffer holds, and no traceback."""
    numbers = " ".join(str(n) for n in range(100))
    query = f"SELECT * WHERE {{ VALUES ?a {{ {numbers} }} VALUES ?b {{ {numbers} }} VALUES ?c {{ 1 2 3 4 5 }} }}"
    producer = subprocess.Popen(_command(small_build, "query", query), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert producer.stdout is not None and producer.stderr is not None
    head = subprocess.run(["head", "-1"], stdin=producer.stdout, capture_output=True, timeout=120)
    producer.stdout.close()  # only head holds the read end now: when it exits, the pipe is closed
    stderr = producer.stderr.read().decode()
    producer.wait(120)
    assert head.stdout.decode().split() == ["a", "b", "c"]
    assert producer.returncode == cli.EXIT_CLOSED_PIPE == 141
    assert stderr == ""


def test_the_whole_answer_still_arrives_through_a_pipe(small_build: Path) -> None:
    run = subprocess.run(
        _command(small_build, "query", "SELECT ?n WHERE { ?s gcm:n ?n }"), capture_output=True, timeout=120
    )
    assert (run.returncode, run.stdout.decode().split(), run.stderr) == (0, ["n", "1"], b"")


def test_a_bad_base_iri_is_bad_input(small_build: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "gcmkg.cli", "--base-iri", "http://example.org", "query", "ASK {}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "gcmkg: error: base IRI must end with '/'" in run.stderr and "Traceback" not in run.stderr


def test_an_unreadable_query_file_is_bad_input(small_build: Path, tmp_path: Path) -> None:
    run = subprocess.run(
        _command(small_build, "query", f"@{tmp_path / 'missing.rq'}"), capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 2
    assert "cannot read the query file" in run.stderr and "Traceback" not in run.stderr


def _with_command(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def failing(args: argparse.Namespace) -> int:
        raise error

    monkeypatch.setattr(cli, "cmd_validate", failing)


def test_the_projects_own_errors_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _with_command(monkeypatch, CorpusError("corpus/x.txt: checksum mismatch"))
    assert cli.main(["validate"]) == cli.EXIT_INPUT
    assert capsys.readouterr().err == "gcmkg: error: corpus/x.txt: checksum mismatch\n"


def test_a_programming_error_is_not_reported_as_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    _with_command(monkeypatch, ValueError("a bug"))
    with pytest.raises(ValueError, match="a bug"):
        cli.main(["validate"])


def test_validate_gives_the_same_violations_with_either_engine(tmp_path: Path) -> None:
    """``gcmkg validate --engine pyshacl`` runs the reference engine; ``--timings`` times each part."""
    store = GraphStore.create(tmp_path / "releases" / "r1" / "store", BASE)
    work = NamedNode(f"{BASE}id/w")
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    store.add([Quad(work, rdf_type, NamedNode(f"{BASE}ontology#Work"), NamedNode(f"{BASE}graph/g"))])
    store.flush()
    del store
    (tmp_path / "current").symlink_to(Path("releases") / "r1")
    runs = {
        engine: subprocess.run(
            _command(tmp_path, "validate", "--engine", engine, "--timings"), capture_output=True, text=True, timeout=300
        )
        for engine in ("sparql", "pyshacl")
    }
    assert [run.returncode for run in runs.values()] == [cli.EXIT_INVALID, cli.EXIT_INVALID]
    assert runs["sparql"].stdout == runs["pyshacl"].stdout
    assert f"<{BASE}id/w>: GCM rule: every work has a label" in runs["sparql"].stdout
    timed = [line.split(":")[0] for line in runs["sparql"].stderr.splitlines() if line.endswith(" s")]
    assert timed[0] == "shapes" and "shapes/checks/footnotes.rq" in timed

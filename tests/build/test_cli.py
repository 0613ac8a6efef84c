"""The command line as a person runs it: a real subprocess, real exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gcmkg.settings import Settings

OBJECTIVES_QUERY = """
SELECT ?objective ?commitment (COUNT(?action) AS ?actions) WHERE {
  ?o a gcm:Objective ; gcm:number ?objective ; gcm:inDocument ?doc ; gcm:hasCommitment ?c .
  ?doc gcm:symbol "A/73/L.66" .
  ?c gcm:number ?commitment .
  ?action a gcm:Action ; eli:is_part_of+ ?c .
} GROUP BY ?objective ?commitment ORDER BY xsd:integer(?objective)
"""


def gcmkg(settings: Settings, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "gcmkg.cli",
            "--build-dir",
            str(settings.build_dir),
            "--base-iri",
            settings.base_iri,
            *args,
        ],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
    )


def test_query_lists_the_23_objectives_with_commitment_and_action_count(built: Settings) -> None:
    run = gcmkg(built, "query", OBJECTIVES_QUERY)
    assert run.returncode == 0, run.stderr
    header, *rows = run.stdout.splitlines()
    assert header.split("\t") == ["objective", "commitment", "actions"]
    table = [row.split("\t") for row in rows]
    assert [r[0] for r in table] == [str(n) for n in range(1, 24)]
    assert [r[1] for r in table] == [str(n) for n in range(17, 40)]
    assert all(int(r[2]) > 0 for r in table)
    # objective 1 (paragraph 17) has actions (a) to (k) in the text
    assert table[0][2] == "11"


def test_query_from_stdin_and_ask(built: Settings) -> None:
    run = gcmkg(built, "query", "-", stdin="ASK { ?s a gcm:Objective }")
    assert (run.returncode, run.stdout.strip()) == (0, "true")


def test_malformed_query_exits_2_with_the_parser_message(built: Settings) -> None:
    run = gcmkg(built, "query", "SELECT ?x WHERE { ?x ")
    assert run.returncode == 2
    assert "malformed query" in run.stderr


def test_validate_exits_0_on_the_built_graph(built: Settings) -> None:
    run = gcmkg(built, "validate")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("conforms")


def test_no_store_exits_3(tmp_path: Path, built: Settings) -> None:
    empty = Settings(base_iri=built.base_iri, build_dir=tmp_path / "nothing-built")
    run = gcmkg(empty, "query", "ASK {}")
    assert run.returncode == 3
    assert "no built store" in run.stderr


def test_changed_corpus_exits_2_naming_the_file(tmp_path: Path, corpus_copy: Path, built: Settings) -> None:
    target = corpus_copy / "004_7bae42176274279c.txt"
    target.write_bytes(target.read_bytes() + b"\n")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "gcmkg.cli",
            "--build-dir",
            str(tmp_path / "b"),
            "--corpus-dir",
            str(corpus_copy),
            "build",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 2
    assert "004_7bae42176274279c.txt" in run.stderr and "checksum mismatch" in run.stderr
    assert not (tmp_path / "b" / "current").exists()

"""A store is served only under the base IRI it was built with.

Its IRIs were minted under that base: served under another one, every IRI would 404, every
saved query return no rows and the home page list no objectives, without any error.  So the
build records the base IRI in the release, and ``gcmkg serve`` (and ``query``) refuse a
mismatch with exit 3 and the command that rebuilds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from gcmkg.releases import record_base_iri, recorded_base_iri
from gcmkg.settings import Settings
from tests.service.conftest import PROTOCOL_LIMITS, free_port, protocol_build, start_server, stop_server

BUILT_WITH = "http://127.0.0.1:9/"


def built_store(build_dir: Path) -> Path:
    protocol_build(build_dir, BUILT_WITH)  # a small real store in a release folder
    release = (build_dir / "current").resolve()
    record_base_iri(release, BUILT_WITH)
    return release


def gcmkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gcmkg.cli", *args], capture_output=True, text=True, timeout=120)


def test_the_build_records_its_base_iri(service_settings: Settings) -> None:
    assert recorded_base_iri(service_settings.current.resolve()) == service_settings.base_iri


@pytest.mark.parametrize("command", [["serve", "--port", "9"], ["query", "ASK {}"]])
def test_another_base_iri_is_refused_with_exit_3_and_how_to_rebuild(tmp_path: Path, command: list[str]) -> None:
    built_store(tmp_path)
    other = "https://gcm.example.org/"
    run = gcmkg("--build-dir", str(tmp_path), "--base-iri", other, *command)
    assert run.returncode == 3, run.stderr
    assert "Traceback" not in run.stderr
    assert f"built with the base IRI {BUILT_WITH}, not {other}" in run.stderr
    assert f"gcmkg --build-dir {tmp_path} --base-iri {other} build" in run.stderr  # the command that rebuilds


@pytest.mark.server
def test_the_same_base_iri_is_served(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    protocol_build(tmp_path, base)
    record_base_iri((tmp_path / "current").resolve(), base)
    server = start_server(tmp_path, base, port, tmp_path / "serve.log", PROTOCOL_LIMITS)
    try:
        assert httpx.get(base + "sparql", params={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"}).json()["boolean"] is True
    finally:
        stop_server(server)

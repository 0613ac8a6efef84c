"""The app factory and ``gcmkg serve``: what the service needs comes from Settings, and it never builds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gcmkg.errors import NoStoreError
from gcmkg.service.app import create_app
from gcmkg.settings import PROJECT_ROOT, Settings
from tests.service.conftest import protocol_build

BASE = "http://127.0.0.1:9/"
ONE_QUERY = """#+ summary: Everything, a little
SELECT * WHERE { ?s ?p ?o } LIMIT 1
"""


def test_serve_without_a_store_exits_3_and_does_not_build(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "gcmkg.cli", "--build-dir", str(tmp_path / "nothing"), "serve", "--port", "9"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 3, run.stderr
    assert "no built store" in run.stderr and "make build" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "nothing").exists()  # nothing was built


def test_create_app_without_a_store_is_no_store_error(tmp_path: Path) -> None:
    with pytest.raises(NoStoreError):
        create_app(Settings(base_iri=BASE, build_dir=tmp_path))


def test_serving_imports_neither_the_build_nor_the_loaders() -> None:
    """What ``gcmkg serve`` loads: the command line, the service and the core, no build stage."""
    code = (
        "import sys, gcmkg.cli, gcmkg.service.app, gcmkg.service.cli\n"
        "gcmkg.cli.parser()\n"
        "wings = ('gcmkg.build', 'gcmkg.corpus', 'gcmkg.rdf', 'gcmkg.validate', 'gcmkg.linking', 'loaders')\n"
        "print(sorted(m for m in sys.modules if m.startswith(wings)))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert run.stdout.strip() == "[]"


def test_saved_queries_and_templates_come_from_the_settings(tmp_path: Path) -> None:
    """An installed package outside the checkout: the project's folders are where Settings say."""
    root = tmp_path / "project"
    (root / "queries").mkdir(parents=True)
    (root / "queries" / "everything.rq").write_text(ONE_QUERY, encoding="utf-8")
    templates = tmp_path / "templates"
    shutil.copytree(PROJECT_ROOT / "src" / "gcmkg" / "service" / "templates", templates)
    (templates / "dumps.html").write_text("our own dumps page", encoding="utf-8")
    protocol_build(tmp_path / "build", BASE)
    settings = Settings(base_iri=BASE, root=root, build_dir=tmp_path / "build", templates_dir=templates)
    with TestClient(create_app(settings)) as client:
        listing = client.get("/queries", headers={"Accept": "application/json"})
        assert [entry["name"] for entry in listing.json()] == ["everything"]
        answer = client.get("/queries/everything", params={"format": "json"})
        assert answer.status_code == 200 and len(answer.json()["results"]["bindings"]) == 1
        assert client.get("/queries/objective-actions").status_code == 404  # the checkout's queries are not read
        assert client.get("/dumps/", headers={"Accept": "text/html"}).text == "our own dumps page"


def test_a_running_service_keeps_serving_its_release_and_its_dumps(tmp_path: Path) -> None:
    """A build that swaps ``current`` meanwhile publishes nothing until the service restarts."""
    build_dir = tmp_path / "build"
    protocol_build(build_dir, BASE)
    first = build_dir / "releases" / "w3c-protocol"
    shutil.rmtree(first / "dumps")  # the release's own dumps, replaced by one small file
    (first / "dumps").mkdir()
    served = b"<http://x/s> <http://x/p> <http://x/o> .\n"
    (first / "dumps" / "gcmkg.nq").write_bytes(served)
    with TestClient(create_app(Settings(base_iri=BASE, build_dir=build_dir))) as client:
        newer = build_dir / "releases" / "newer"
        shutil.copytree(first / "store", newer / "store")
        (newer / "dumps").mkdir()
        (newer / "dumps" / "gcmkg.nq").write_text("", encoding="utf-8")
        (build_dir / "current").unlink()
        (build_dir / "current").symlink_to(Path("releases") / "newer")
        listing = client.get("/dumps/", params={"format": "json"}).json()
        assert [(entry["file"], entry["bytes"]) for entry in listing] == [("gcmkg.nq", len(served))]
        assert client.get("/dumps/gcmkg.nq").content == served

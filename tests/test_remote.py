"""The remote backend's own rules: how bindings are written into a query, what a release's dumps
tell it, the setting that chooses it, and `gcmkg engine load` (the engines behind the service are
tested in tests/service/test_remote_backend.py and the per-backend service modules)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Store

from gcmkg import engines, releases
from gcmkg.cli import main
from gcmkg.errors import NoStoreError, SettingsError
from gcmkg.remote import RemoteStore, _bound, build_digest, release_graphs
from gcmkg.settings import Settings, load_settings
from tests.service.conftest import free_port


def test_bindings_open_the_where_group_so_its_filters_see_them() -> None:
    query = 'PREFIX a: <http://x/> # not here {\nSELECT ?o ("{" AS ?b) WHERE { ?s a:p ?o FILTER(?o = ?v) }'
    bound = _bound(query, {"v": Literal('x"} y')}, Store(), {})
    assert bound.startswith(query[: query.index("WHERE {") + 7] + ' VALUES (?v) { ("x\\"} y") }\n')
    solutions = Store().query(bound)
    assert [v.value for v in solutions.variables] == ["o", "b"]  # type: ignore[union-attr]


def test_bindings_of_a_query_without_a_group_where_one_can_go_are_a_trailing_clause() -> None:
    assert _bound("SELECT * {}", {"v": NamedNode("http://x/a")}, Store(), {}) == (
        "SELECT * { VALUES (?v) { (<http://x/a>) }\n}"
    )
    assert _bound("SELECT * {}", {}, Store(), {}) == "SELECT * {}"


def test_the_release_graphs_and_digest_come_from_its_dumps(tmp_path: Path) -> None:
    """As the build writes them (gcmkg.rdf.build_quads): the activity, typed, with its identifier."""
    base = "http://example.org/"
    quality = f"<{base}graph/quality>"
    activity = f"<{base}id/build/abc123>"
    (tmp_path / "graph-quality.nq").write_text(
        f'<{base}id/sample/x.toml> <http://purl.org/dc/terms/identifier> "x.toml" {quality} .\n'
        f"{activity} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/prov#Activity> {quality} .\n"
        f'{activity} <http://purl.org/dc/terms/identifier> "abc123" {quality} .\n'
    )
    (tmp_path / "graph-a.nq").write_text(f"<{base}s> <{base}p> <{base}o> <{base}graph/a> .\n")
    assert release_graphs(tmp_path) == [NamedNode(f"{base}graph/a"), NamedNode(f"{base}graph/quality")]
    assert build_digest(tmp_path / "graph-quality.nq") == "abc123"


def test_a_release_without_dumps_has_no_remote_backend(tmp_path: Path) -> None:
    with pytest.raises(NoStoreError, match="no graph-\\*.nq dumps"):
        release_graphs(tmp_path)
    assert build_digest(tmp_path / "graph-quality.nq") is None


def test_the_backend_setting_is_an_http_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCMKG_SPARQL_BACKEND", "http://127.0.0.1:7878/query")
    assert load_settings().sparql_backend == "http://127.0.0.1:7878/query"
    monkeypatch.delenv("GCMKG_SPARQL_BACKEND")
    assert load_settings().sparql_backend is None
    with pytest.raises(SettingsError, match="http\\(s\\) URL of a query endpoint"):
        Settings(sparql_backend="127.0.0.1:7878")


def test_gcmkg_engine_load_puts_the_release_into_a_new_oxigraph_database_and_refuses_a_used_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_dir = tmp_path / "build"
    release = releases.make_release(build_dir, "r1")
    (release / "dumps").mkdir()
    quads = "".join(
        f'<http://example.org/s{n}> <http://example.org/p> "{n}" <http://example.org/graph/g> .\n' for n in range(3)
    )
    (release / "dumps" / "gcmkg.nq").write_text(quads)
    (release / "dumps" / "graph-g.nq").write_text(quads)
    releases.switch_current(build_dir, release)
    location = tmp_path / "oxigraph"
    argv = ["--build-dir", str(build_dir), "engine", "load", "--engine", "oxigraph", "--location", str(location)]
    assert main(argv) == 0
    assert f"loaded {release / 'dumps'} into {location}" in capsys.readouterr().out
    port = free_port()
    engine = engines.serve_oxigraph(location, port, 5, tmp_path / "oxigraph.log")
    try:
        store = RemoteStore.for_release(f"http://127.0.0.1:{port}/query", release, "http://example.org/")
        assert len(store) == 3
        store.check_holds(release)  # a release without a quality graph: its quads are counted
    finally:
        engine.kill()
        engine.wait(10)
    assert main(argv) == 2  # an engine holds one release: load into a new folder
    assert "not empty" in capsys.readouterr().err

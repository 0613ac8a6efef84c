"""The build as a whole: checksums first, failures leave the last good store, dumps are deterministic."""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from gcmkg.build import build
from gcmkg.corpus import verify
from gcmkg.errors import CorpusError, SourceError, ValidationFailed
from gcmkg.settings import PROJECT_ROOT, Settings, load_settings
from gcmkg.store import GraphStore

# The checksums published with the texts in ../shared/corpus/README.md.
PUBLISHED_SHA256 = {
    "000_ff9c35d2fe524f27.txt": "1288bfde1b4ff83c268607b8958c44f7b86b9639f52402c399e54b0e2f676fdb",
    "001_e6f6b74612f5d01e.txt": "859a2896fbdda60d71e4a1d309942ca68bf01fb67b8c861a36a3bdbaf9bf61ce",
    "002_ac90e8012657dbe2.txt": "0cbf085c527921dec7977f358ed6c2fe1fd324a9d1f748dbaad4515899c6946c",
    "003_4d3bf2ee86e6cb1c.txt": "beba5778f5c0a2e2e75f2ab8862531aa9d58b3461525ef8ea0af4e7186e91bf7",
    "004_7bae42176274279c.txt": "410800b632d6b46497fe777eb20c130f2b1a7d18eaf4295e87f6f47ec8557395",
}
FINAL_TEXT = "003_4d3bf2ee86e6cb1c.txt"


def test_project_corpus_is_the_published_corpus() -> None:
    entries = verify(PROJECT_ROOT / "corpus")
    assert {e.file: e.sha256 for e in entries} == PUBLISHED_SHA256
    for name, digest in PUBLISHED_SHA256.items():
        assert hashlib.sha256((PROJECT_ROOT / "corpus" / name).read_bytes()).hexdigest() == digest


def _reseal(corpus: Path, name: str) -> None:
    """Make the manifest agree with an edited file, so the loader (not the checksum) sees it."""
    manifest = corpus / "manifest.toml"
    old = PUBLISHED_SHA256[name]
    new = hashlib.sha256((corpus / name).read_bytes()).hexdigest()
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.fixture
def last_good(built: Settings, tmp_path: Path) -> Settings:
    """A copy of the session's successful build, to run failing builds against."""
    build_dir = tmp_path / "build"
    shutil.copytree(built.build_dir, build_dir, symlinks=True)
    return load_settings(base_iri=built.base_iri, build_dir=build_dir)


def _snapshot(settings: Settings) -> tuple[str, bytes, int, list[str]]:
    current = os.readlink(settings.current)
    report = (settings.current / "report.txt").read_bytes()
    quads = len(GraphStore.open_read_only(settings.store_dir, settings.base_iri))
    return current, report, quads, sorted(p.name for p in (settings.build_dir / "releases").iterdir())


def test_changed_byte_stops_the_build_and_keeps_the_last_good_store(last_good: Settings, corpus_copy: Path) -> None:
    before = _snapshot(last_good)
    path = corpus_copy / FINAL_TEXT
    data = bytearray(path.read_bytes())
    data[5000] = ord("X") if data[5000] != ord("X") else ord("Y")
    path.write_bytes(bytes(data))
    settings = load_settings(base_iri=last_good.base_iri, build_dir=last_good.build_dir, corpus_dir=corpus_copy)
    with pytest.raises(CorpusError) as error:
        build(settings)
    assert FINAL_TEXT in str(error.value) and "checksum mismatch" in str(error.value)
    assert _snapshot(last_good) == before


def test_truncated_text_stops_the_build_naming_file_and_line(last_good: Settings, corpus_copy: Path) -> None:
    before = _snapshot(last_good)
    path = corpus_copy / FINAL_TEXT
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: len(lines) // 2]))
    _reseal(corpus_copy, FINAL_TEXT)
    settings = load_settings(base_iri=last_good.base_iri, build_dir=last_good.build_dir, corpus_dir=corpus_copy)
    with pytest.raises(SourceError) as error:
        build(settings)
    assert error.value.file.endswith(FINAL_TEXT)
    assert FINAL_TEXT in str(error.value)
    assert _snapshot(last_good) == before


def test_unexpected_structure_stops_the_build_naming_file_and_line(last_good: Settings, corpus_copy: Path) -> None:
    """An objective's heading removed: the loader must say where, not build a partial graph."""
    before = _snapshot(last_good)
    path = corpus_copy / FINAL_TEXT
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    heading = next(i for i, line in enumerate(lines) if line.strip().startswith("Objective 5:"))
    del lines[heading]
    path.write_text("".join(lines), encoding="utf-8")
    _reseal(corpus_copy, FINAL_TEXT)
    settings = load_settings(base_iri=last_good.base_iri, build_dir=last_good.build_dir, corpus_dir=corpus_copy)
    with pytest.raises(SourceError) as error:
        build(settings)
    assert error.value.line is not None and error.value.line > 0
    assert f"{FINAL_TEXT}:{error.value.line}" in str(error.value)
    assert _snapshot(last_good) == before


def test_shape_violation_stops_the_build_and_keeps_the_last_good_store(last_good: Settings, tmp_path: Path) -> None:
    """A project whose shapes forbid what the graph has: the build must refuse to swap."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("ontology", "shapes", "catalogue", "samples"):  # the linkers are measured against samples/
        shutil.copytree(PROJECT_ROOT / name, root / name)
    (root / "shapes" / "zz-always-fails.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix gcm: <ontology#> .\n"
        "<shapes/test#NoObjectives> a sh:NodeShape ; sh:targetClass gcm:Objective ;\n"
        '  sh:property [ sh:path gcm:number ; sh:maxCount 0 ; sh:message "test rule: no objective has a number" ] .\n',
        encoding="utf-8",
    )
    before = _snapshot(last_good)
    settings = Settings(
        base_iri=last_good.base_iri, root=root, build_dir=last_good.build_dir, corpus_dir=PROJECT_ROOT / "corpus"
    )
    with pytest.raises(ValidationFailed) as error:
        build(settings)
    assert any("test rule: no objective has a number" in v and "/annex/objective/" in v for v in error.value.violations)
    assert _snapshot(last_good) == before


def test_same_input_gives_byte_identical_dumps(built: Settings, tmp_path: Path) -> None:
    again = load_settings(base_iri=built.base_iri, build_dir=tmp_path / "again")
    build(again)
    names = sorted(p.name for p in built.dumps_dir.iterdir())
    assert "gcmkg.nq" in names and "gcmkg.ttl" in names
    assert names == sorted(p.name for p in again.dumps_dir.iterdir())
    for name in names:
        assert (built.dumps_dir / name).read_bytes() == (again.dumps_dir / name).read_bytes(), name


def test_dumps_hold_one_named_graph_per_source_document_and_the_ontology(built: Settings) -> None:
    graphs = {
        line.rsplit(" ", 2)[-2] for line in (built.dumps_dir / "gcmkg.nq").read_text(encoding="utf-8").splitlines()
    }
    assert f"<{built.base_iri}graph/a-73-l-66-en>" in graphs
    assert f"<{built.base_iri}graph/ontology>" in graphs


def test_the_writable_store_is_closed_when_build_returns(built: Settings, tmp_path: Path) -> None:
    """A writer left open compacts behind a reader's back (files vanish: 'Corruption: IO error')."""
    settings = load_settings(base_iri=built.base_iri, build_dir=tmp_path / "closed")
    result = build(settings)
    store_dir = result.release / "store"
    assert not [o for o in gc.get_objects() if isinstance(o, GraphStore) and o.path == store_dir]

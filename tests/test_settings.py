"""Settings: defaults, environment overrides, validation as the project's own error."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmkg.errors import GcmkgError, SettingsError
from gcmkg.settings import DEFAULT_BASE_IRI, PACKAGE_TEMPLATES, PROJECT_ROOT, Settings, load_settings

ENVIRONMENT = ("GCMKG_BASE_IRI", "GCMKG_ROOT", "GCMKG_BUILD_DIR", "GCMKG_CORPUS_DIR")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_the_checkout_and_the_local_server() -> None:
    settings = load_settings()
    assert settings.base_iri == DEFAULT_BASE_IRI == "http://127.0.0.1:8000/"
    assert settings.root == PROJECT_ROOT
    assert (PROJECT_ROOT / "pyproject.toml").is_file()
    assert settings.build_dir == PROJECT_ROOT / "build"
    assert settings.corpus_dir == PROJECT_ROOT / "corpus"
    assert settings.queries_dir == PROJECT_ROOT / "queries"
    assert settings.store_dir == PROJECT_ROOT / "build" / "current" / "store"
    assert settings.dumps_dir == PROJECT_ROOT / "build" / "current" / "dumps"


def test_templates_are_the_packages_own() -> None:
    settings = load_settings()
    assert settings.templates_dir == PACKAGE_TEMPLATES
    assert (settings.templates_dir / "base.html").is_file()
    assert Settings(templates_dir=Path("/elsewhere")).templates_dir == Path("/elsewhere")


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GCMKG_BASE_IRI", "https://gcm.example.org/")
    monkeypatch.setenv("GCMKG_BUILD_DIR", str(tmp_path / "b"))
    monkeypatch.setenv("GCMKG_CORPUS_DIR", str(tmp_path / "c"))
    settings = load_settings()
    assert settings.base_iri == "https://gcm.example.org/"
    assert settings.build_dir == tmp_path / "b"
    assert settings.corpus_dir == tmp_path / "c"


def test_options_override_the_environment_and_none_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GCMKG_BASE_IRI", "https://gcm.example.org/")
    monkeypatch.setenv("GCMKG_BUILD_DIR", str(tmp_path / "from-env"))
    settings = load_settings(base_iri="http://localhost:9000/", build_dir=None)
    assert settings.base_iri == "http://localhost:9000/"
    assert settings.build_dir == tmp_path / "from-env"


def test_relative_folders_resolve_against_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings(build_dir="out").build_dir == tmp_path / "out"


def test_root_override_moves_every_project_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GCMKG_ROOT", str(tmp_path))
    settings = load_settings()
    assert settings.root == tmp_path
    assert settings.build_dir == tmp_path / "build"
    assert settings.corpus_dir == tmp_path / "corpus"
    assert settings.queries_dir == tmp_path / "queries"
    assert settings.shapes_dir == tmp_path / "shapes"
    assert settings.ontology_dir == tmp_path / "ontology"
    assert settings.templates_dir == PACKAGE_TEMPLATES  # the templates travel with the package
    # an explicit folder still wins over the one derived from the root
    assert load_settings(corpus_dir=str(tmp_path / "texts")).corpus_dir == tmp_path / "texts"


@pytest.mark.parametrize(
    "base_iri",
    [
        "http://example.org",  # no trailing slash
        "http://example.org/id",
        "ftp://example.org/",
        "example.org/",
        "http:///",
        "http://example.org/?x=1",
        "http://example.org/#top",
    ],
)
def test_a_bad_base_iri_is_a_settings_error(base_iri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="base IRI"):
        Settings(base_iri=base_iri)
    monkeypatch.setenv("GCMKG_BASE_IRI", base_iri)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert isinstance(caught.value, GcmkgError) and caught.value.exit_code == 2


def test_an_unknown_setting_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="unknown settings: colour"):
        load_settings(colour="blue")

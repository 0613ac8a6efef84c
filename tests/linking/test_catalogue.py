"""Loading the catalogue: an inconsistent catalogue is a project error that names what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmkg.errors import GcmkgError
from gcmkg.iris import Iris
from gcmkg.linking.catalogue import Catalogue, CatalogueError
from gcmkg.linking.mentions import Recognizer
from gcmkg.settings import Settings

IRIS = Iris("http://127.0.0.1:8000/")
PREFIXES = "@prefix gcm: <ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"


def test_the_build_reads_the_catalogue_from_the_settings(tmp_path: Path) -> None:
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "one.ttl").write_text(
        PREFIXES + '<id/actor/x> a gcm:Organization ; skos:prefLabel "X Organization"@en .\n', encoding="utf-8"
    )
    catalogue = Catalogue.load(IRIS, Settings(root=tmp_path).catalogue_dir)
    assert list(catalogue.entries) == ["http://127.0.0.1:8000/id/actor/x"]
    assert len(catalogue.triples) == 2


def test_an_empty_catalogue_folder_is_a_project_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="no catalogue files") as error:
        Catalogue.load(IRIS, tmp_path)
    assert isinstance(error.value, GcmkgError)


def test_a_label_of_two_entries_is_refused(tmp_path: Path) -> None:
    (tmp_path / "two.ttl").write_text(
        PREFIXES
        + '<id/actor/a> a gcm:Organization ; skos:prefLabel "Same Long Name"@en .\n'
        + '<id/actor/b> a gcm:Organization ; skos:prefLabel "Same Long Name"@en .\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="names more than one entry"):
        Recognizer(Catalogue.load(IRIS, tmp_path))

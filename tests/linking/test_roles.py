"""Linkers find their texts by role (the document's status), never by document key."""

from __future__ import annotations

import pytest

from gcmkg.errors import GcmkgError
from gcmkg.iris import Iris
from gcmkg.linking import correspondence, lineage, review, translation
from gcmkg.links import Links
from gcmkg.model import Document, with_status


def document(key: str, status: str, language: str = "en") -> Document:
    return Document(key, language, key, "2018-12-12", status, f"{key}.txt")


def test_with_status_finds_the_one_document_of_a_role() -> None:
    final, draft = document("any-key", "final"), document("other", "draft")
    letters = [document("l1", "letter", "sv"), document("l2", "letter", "sv")]
    assert with_status([draft, final, *letters], "final") is final
    assert with_status([draft, *letters], "final") is None


def test_with_status_refuses_an_ambiguous_role() -> None:
    with pytest.raises(GcmkgError, match=r"2 documents have status 'final' \(a, b\); one may"):
        with_status([document("a", "final"), document("b", "final")], "final")
    with pytest.raises(ValueError, match="no single document has status 'letter'"):
        with_status([], "letter")
    with pytest.raises(ValueError, match="no single document has status 'Final'"):
        with_status([], "Final")


@pytest.mark.parametrize("linker", [translation, lineage, correspondence, review])
def test_a_linker_without_its_texts_finds_nothing(linker: object) -> None:
    only_final = [document("a-73-l-66", "final")]
    assert linker.link(Iris("http://127.0.0.1:8000/"), documents=only_final) == Links()  # type: ignore[attr-defined]

"""The table of representations: consistent with pyoxigraph, and unambiguous where it must be."""

from __future__ import annotations

import pytest

from gcmkg import representations
from gcmkg.representations import ALL, DATASETS, N_QUADS, QUERY_RESULTS, TRIPLES, TURTLE, by_name, by_suffix


def test_names_and_suffixes_are_unique() -> None:
    assert len({r.name for r in ALL}) == len(ALL)
    assert len({r.suffix for r in ALL}) == len(ALL)
    assert all(r.suffix.startswith(".") for r in ALL)


@pytest.mark.parametrize("representation", [r for r in ALL if r.rdf_format is not None], ids=lambda r: r.name)
def test_rdf_formats_agree_with_pyoxigraph(representation: representations.Representation) -> None:
    rdf_format = representation.rdf
    assert representation.media_type == rdf_format.media_type
    assert representation.suffix == "." + rdf_format.file_extension


@pytest.mark.parametrize("representation", QUERY_RESULTS, ids=lambda r: r.name)
def test_results_formats_agree_with_pyoxigraph(representation: representations.Representation) -> None:
    results_format = representation.results_format
    assert results_format is not None
    assert representation.media_type == results_format.media_type.split(";")[0]
    assert representation.suffix == "." + results_format.file_extension
    assert representation.format_iri == results_format.iri


def test_format_names_select_one_representation_among_those_offered_together() -> None:
    for offered in (QUERY_RESULTS, TRIPLES + DATASETS, (representations.HTML, *TRIPLES, *DATASETS)):
        names = [name for r in offered for name in r.formats]
        assert len(names) == len(set(names)), offered
        canonical = [r.media_type for r in offered]
        assert len(canonical) == len(set(canonical))


def test_the_dumps_formats() -> None:
    assert (N_QUADS.suffix, N_QUADS.media_type) == (".nq", "application/n-quads")
    assert (TURTLE.suffix, TURTLE.media_type) == (".ttl", "text/turtle")
    assert by_suffix(".nq") is N_QUADS and by_suffix(".ttl") is TURTLE and by_suffix(".zip") is None
    assert by_name("turtle") is TURTLE
    with pytest.raises(KeyError):
        by_name("pdf")


def test_content_type_spells_out_utf8_for_text() -> None:
    assert TURTLE.content_type == "text/turtle; charset=utf-8"
    assert representations.SPARQL_JSON.content_type == "application/sparql-results+json; charset=utf-8"
    assert representations.N_TRIPLES.content_type == "application/n-triples; charset=utf-8"
    assert N_QUADS.content_type == "application/n-quads"
    with pytest.raises(ValueError):
        _ = representations.HTML.rdf

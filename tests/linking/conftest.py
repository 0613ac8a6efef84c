"""Fixtures for the mentions linker: the real corpus, loaders and linkers in an in-memory store.

``linked`` runs stages ①–④ of the real build (checksums, every loader the manifest enables,
every installed linker) into an in-memory pyoxigraph store, without the SHACL stage, so the
linker's output can be tested on its own; the session fixture ``store`` (the full build,
validated) is used where a test is about the built graph as shipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gcmkg.build import LoadedText, fill_store, parse_corpus
from gcmkg.iris import Iris
from gcmkg.settings import load_settings
from gcmkg.store import GraphStore

BASE_IRI = "http://127.0.0.1:8000/"


@dataclass
class Linked:
    store: GraphStore
    texts: list[LoadedText]
    iris: Iris


@pytest.fixture(scope="session")
def linked() -> Linked:
    settings = load_settings(base_iri=BASE_IRI)
    texts = parse_corpus(settings)
    store = GraphStore.in_memory(BASE_IRI)
    fill_store(store, settings, texts)
    return Linked(store, texts, Iris(BASE_IRI))

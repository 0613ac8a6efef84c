"""IOM recommendations → GCM objectives: the method measured on a hand-checked sample."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode

from gcmkg.corpus import read_manifest
from gcmkg.iris import sparql_prologue
from gcmkg.linking.correspondence import lexicon, normalise, rank, recommendations_with_context, term_key
from gcmkg.model import Document
from gcmkg.settings import PROJECT_ROOT
from gcmkg.store import GraphStore
from loaders.iom_contribution import load

# Recommendation (path in the IOM document) → the objectives it corresponds to, judged by
# reading the Arabic recommendation beside the objectives' titles and commitments.
GOLD: dict[str, set[int]] = {
    "cluster/1/heading/1/rec/1": {17},  # national legislation against discrimination, xenophobia, racism
    "cluster/1/heading/2/rec/1": {4},  # national civil registration systems
    "cluster/1/heading/2/rec/5": {12, 4, 1},  # rapid registration of new arrivals for referral, data
    "cluster/1/heading/3/rec/2": {8},  # emergency and life-saving services in transit and on arrival
    "cluster/1/heading/3/rec/4": {12, 7},  # referral mechanisms for people with specific needs
    "cluster/1/heading/3/rec/8": {7},  # guidelines on vulnerability and vulnerable situations
    "cluster/1/heading/4/rec/1": {13},  # alternatives to immigration detention
    "cluster/1/heading/5/rec/1": {10},  # identify, protect and assist victims of trafficking
    "cluster/1/heading/5/rec/5": {9, 10},  # capacity against smuggling and trafficking crimes
    "cluster/2/rec/1": {2},  # sustainable development and climate adaptation policies
    "cluster/3/heading/1/rec/3/sub/2": {5},  # student mobility
    "cluster/3/heading/2/rec/1/sub/1": {6, 10},  # business partnerships against forced labour, trafficking
    "cluster/3/heading/3/rec/3": {18},  # certification and mutual recognition of skills
    "cluster/3/heading/3/rec/7": {6},  # recruitment agreements, ethical recruitment codes
    "cluster/3/heading/4/rec/3": {18, 21},  # upgrading skills abroad, using them on return
    "cluster/3/heading/4/rec/7": {2},  # protection of people forced to flee conflict or disaster
    "cluster/5/heading/3/rec/2": {21},  # best interests of the child in return decisions
    "cluster/5/heading/4/rec/6": {23},  # regional consultative mechanisms in implementation
    "data/rec/4": {1},  # big data to measure migration
    "data/rec/9/sub/3": {1, 2},  # evidence on climate and disasters and migration trends
}
MIN_PRECISION_AT_1 = 0.75
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")


@pytest.fixture(scope="module")
def iom() -> Document:
    entry = next(e for e in read_manifest(PROJECT_ROOT / "corpus") if e.loader == "iom_contribution")
    [document] = load(PROJECT_ROOT / "corpus" / entry.file, entry)
    return document


def test_normalisation_folds_what_hides_a_term() -> None:
    assert normalise("الإحالةُ") == "الاحاله"
    assert term_key("الاتجار") == "اتجار" and term_key("الاتجار") in normalise("للاتجار")
    assert term_key("تغير المناخ") == "تغير المناخ"


def test_lexicon_covers_all_23_objectives() -> None:
    assert sorted(lexicon(), key=int) == [str(n) for n in range(1, 24)]


def test_precision_on_the_hand_checked_sample(iom: Document) -> None:
    contexts = {"/".join(p.path): (p, c) for p, c in recommendations_with_context(iom)}
    assert set(GOLD) <= set(contexts)
    hits = 0
    for path, gold in GOLD.items():
        provision, context = contexts[path]
        ranked = rank(provision.text, context)
        hits += bool(ranked) and int(ranked[0].objective) in gold
    precision = hits / len(GOLD)
    print(f"correspondence precision@1 on {len(GOLD)} hand-checked recommendations: {precision:.2f}")
    assert precision >= MIN_PRECISION_AT_1


def test_ranking_is_ordered_and_scored(iom: Document) -> None:
    for provision, context in recommendations_with_context(iom):
        ranked = rank(provision.text, context)
        assert len(ranked) <= 3
        assert [c.evidence for c in ranked] == sorted((c.evidence for c in ranked), reverse=True)
        assert all(0 < c.score < 1 for c in ranked)


def test_alignments_in_the_graph(store: GraphStore) -> None:
    rows = store.select(
        sparql_prologue()
        + """SELECT ?rec ?objective ?score ?rank WHERE {
             ?a a gcm:CorrespondenceAlignment ; gcm:alignedFrom ?rec ; gcm:alignedTo ?o ; gcm:score ?score ;
                gcm:rank ?rank .
             ?rec a gcm:Recommendation ; gcm:inDocument/dcterms:language "ar"^^xsd:language .
             ?o a gcm:Objective ; gcm:number ?objective ; gcm:inDocument/gcm:symbol "A/73/L.66" .
             ?rec gcm:correspondsTo ?o .
           }"""
    )
    assert rows, "no correspondence alignments in the graph"
    by_rec: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        by_rec.setdefault(row["rec"].value, []).append((int(row["rank"].value), row["objective"].value))
    detention = next(iri for iri in by_rec if iri.endswith("/cluster/1/heading/4/rec/1"))
    assert sorted(by_rec[detention])[0] == (1, "13")


def test_saved_query_recommendations_for_objective(store: GraphStore) -> None:
    query = (PROJECT_ROOT / "queries" / "iom-recommendations-for-objective.rq").read_text(encoding="utf-8")
    rows = store.select(query, substitutions={"objective": Literal("13", datatype=XSD_INTEGER)})
    recommendations = {row["recommendation"].value.split("/ar/", 1)[1] for row in rows}
    # both detention recommendations (under the sub-heading on detention) are found
    assert {"cluster/1/heading/4/rec/1", "cluster/1/heading/4/rec/2"} <= recommendations
    scores = [float(row["score"].value) for row in rows]
    assert scores == sorted(scores, reverse=True)

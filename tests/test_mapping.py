"""Data-driven mapping tests: tests/data/mapping/<case>/record.yaml must map to expected.ttl.

Graphs are compared as graphs (isomorphism), not as text. Regenerate the golden files after a
deliberate change with ``pytest tests/test_mapping.py --regen`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, RDFS, SKOS, XSD

from opsi_kg.mapping import map_records
from opsi_kg.namespaces import COUNTRY, OPSI, Iris
from opsi_kg.normalise import normalise_all
from opsi_kg.records import load_records

CASES = sorted(p for p in (Path(__file__).parent / "data" / "mapping").iterdir() if p.is_dir())


def _map(folder: Path) -> Graph:
    records, results, quarantined, _ = normalise_all(load_records(folder / "record.yaml"))
    assert not quarantined, [r.line() for r in results]
    return map_records(records)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_record_maps_to_expected_graph(case, regen):
    got = _map(case)
    expected_path = case / "expected.ttl"
    if regen or not expected_path.exists():
        expected_path.write_text("# Golden file: regenerate with pytest --regen, then review.\n"
                                 + got.serialize(format="turtle"), encoding="utf-8")
        if not regen:
            pytest.fail(f"{expected_path} did not exist: written, review it and rerun")
    expected = Graph().parse(expected_path, format="turtle")
    if not isomorphic(got, expected):
        _, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
        pytest.fail("graphs differ\nonly in mapping:\n" + only_got.serialize(format="nt")
                    + "\nonly in expected.ttl:\n" + only_expected.serialize(format="nt"))


def test_same_input_gives_the_same_iris():
    first, second = _map(CASES[0]), _map(CASES[0])
    assert isomorphic(first, second)
    assert set(first.subjects()) == set(second.subjects())


def test_full_record_facts():
    g = _map(Path(__file__).parent / "data" / "mapping" / "full")
    case = Iris().case("full-case")
    assert (case, OPSI.country, COUNTRY.KOR) in g
    assert (case, OPSI.country, COUNTRY.TUR) in g
    assert (case, OPSI.launchYear, Literal("2019", datatype=XSD.gYear)) in g
    assert (case, OPSI.keyword, Literal("not-a-theme")) in g  # unknown theme kept, not lost
    assert (case, DCTERMS.bibliographicCitation, Literal("Annual report 2020, p. 3")) in g
    assert (case, OPSI.sdg, URIRef("http://metadata.un.org/sdg/11")) in g
    actor = Iris().actor("seoul-metropolitan-government")
    assert (actor, SKOS.altLabel, Literal("SMG", lang="en")) in g
    assert (actor, RDFS.label, Literal("Seoul Metropolitan Government", lang="en")) in g
    # provenance: the raw value "Korea" was linked to KOR
    links = [s for s in g.subjects(OPSI.rawValue, Literal("Korea"))]
    assert links and (links[0], OPSI.linkedTo, COUNTRY.KOR) in g


def test_id_falls_back_to_title_slug():
    g = _map(Path(__file__).parent / "data" / "mapping" / "minimal")
    assert (Iris().case("a-minimal-case"), DCTERMS.title, Literal("A minimal case", lang="en")) in g


def test_base_is_configurable():
    records, *_ = normalise_all(load_records(CASES[0] / "record.yaml"))
    g = map_records(records, Iris("https://example.org/kg/"))
    assert all(not str(s).startswith("https://w3id.org/opsi-kg/id/") for s in g.subjects())

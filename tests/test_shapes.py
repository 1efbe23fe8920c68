"""SHACL tests in the W3C sht style: each file under tests/data/shacl/ holds a small data graph and,
on the node <urn:expected>, the report it must produce (focus node, path, severity, shape)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from opsi_kg.validation import shapes_graph, validate
from opsi_kg.vocab import vocabulary

CASES = sorted((Path(__file__).parent / "data" / "shacl").glob("*.ttl"))
EXPECTED = URIRef("urn:expected")


def _split(path: Path) -> tuple[Graph, set[tuple[str, str, str, str]]]:
    g = Graph().parse(path, format="turtle")
    expected = set()
    for result in g.objects(EXPECTED, SH.result):
        expected.add(
            tuple(str(g.value(result, p)) for p in (SH.focusNode, SH.resultPath, SH.resultSeverity, SH.sourceShape))
        )
    report_nodes = {EXPECTED, *g.objects(EXPECTED, SH.result)}
    data = Graph()
    for t in g:
        if t[0] not in report_nodes:
            data.add(t)
    for t in vocabulary().graph:
        data.add(t)
    return data, expected


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_shapes_report_what_the_file_expects(path):
    data, expected = _split(path)
    results = validate(data)
    got = {
        (r.focus_node, r.path, f"http://www.w3.org/ns/shacl#{r.severity.shacl_name}", r.source_shape) for r in results
    }
    assert got == expected


def test_every_property_shape_is_documented():
    g = shapes_graph()
    shapes = set(g.subjects(RDF.type, SH.PropertyShape))
    assert shapes
    for shape in shapes:
        assert isinstance(shape, URIRef), "property shapes have readable IRIs, not blank nodes"
        for prop in (SH.name, SH.description, SH.message, SH.severity):
            assert g.value(shape, prop) is not None, f"{shape} has no {prop}"


def test_every_property_shape_is_exercised_by_a_test_file():
    fired = set()
    for path in CASES:
        _, expected = _split(path)
        fired |= {shape for *_, shape in expected}
    declared = {str(s) for s in shapes_graph().subjects(RDF.type, SH.PropertyShape)}
    # Shapes that can only pass on data the mapping writes are exercised by case-conforms.ttl.
    never = (
        declared
        - fired
        - {
            "https://w3id.org/opsi-kg/shapes#CaseShape-involves",
            "https://w3id.org/opsi-kg/shapes#CaseShape-award",
            "https://w3id.org/opsi-kg/shapes#ActorShape-country",
        }
    )
    assert not never, f"no failing test data for {sorted(never)}"


def test_results_name_the_record_file():
    data, _ = _split(Path(__file__).parent / "data" / "shacl" / "case-missing-title.ttl")
    results = validate(data, {"https://w3id.org/opsi-kg/id/case/x": ["cases/x.yaml"]})
    assert [(r.source, r.field) for r in results] == [("cases/x.yaml", "title")]
    assert "add a 'title' field" in results[0].message

"""The fast SHACL validator (opsi_kg.fastshacl) gives exactly pyshacl's results (opsi_kg.validation).

Results are compared whole (severity, message, source, field, focus node, path, source shape,
constraint component, value) on generated cases, on a graph with every kind of violation the
shapes can report, with and without inference, and on data/; plus a shapes graph exercising the
generic features our shapes do not use, and UnsupportedShape for what the validator lacks.
"""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from opsi_kg import fastshacl, rules
from opsi_kg.mapping import subject_sources
from opsi_kg.validation import shapes_graph, validate
from opsi_kg.vocab import vocabulary
from tests import generated  # noqa: E402


def same(expected, got) -> None:
    """Equal as multisets of Results (order is the engines' own), with a readable difference."""
    missing, extra = Counter(expected) - Counter(got), Counter(got) - Counter(expected)
    assert not missing and not extra, f"missing {list(missing)[:5]}\nextra {list(extra)[:5]}"


def check(data: Graph, sources=None, shapes: Graph | None = None) -> list:
    expected = validate(data, sources, shapes)
    got = fastshacl.validate_fast(rules.graph_triples(data), shapes, sources)
    same(expected, got)
    return got


@pytest.fixture(scope="module")
def vocab_graph() -> Graph:
    return vocabulary().graph


@pytest.fixture(scope="module")
def generated_data():
    records, _results = generated.case_records(250, seed=5)
    asserted = generated.asserted_graph(records)
    inferred = rules.to_graph(rules.default_rules().infer(rules.graph_triples(asserted)))
    return asserted, inferred, subject_sources(records)


def test_generated_cases_with_inference(generated_data, vocab_graph):
    asserted, inferred, sources = generated_data
    results = check(asserted + inferred + vocab_graph, sources)
    assert {r.severity.name for r in results} >= {"INFO", "WARNING"}


def test_generated_cases_without_inference(generated_data, vocab_graph):
    asserted, _inferred, sources = generated_data
    check(asserted + vocab_graph, sources)


def _shape_components(shapes: Graph) -> set[tuple[str, str]]:
    """Every (property shape, constraint component) the shapes can report."""
    params = {
        SH.minCount: SH.MinCountConstraintComponent,
        SH.maxCount: SH.MaxCountConstraintComponent,
        SH.datatype: SH.DatatypeConstraintComponent,
        SH.nodeKind: SH.NodeKindConstraintComponent,
        SH.pattern: SH.PatternConstraintComponent,
        SH.minLength: SH.MinLengthConstraintComponent,
        SH.maxLength: SH.MaxLengthConstraintComponent,
        SH["class"]: SH.ClassConstraintComponent,
        SH["in"]: SH.InConstraintComponent,
        SH.hasValue: SH.HasValueConstraintComponent,
    }
    found = set()
    for _node_shape, prop in shapes.subject_objects(SH.property):
        for param, component in params.items():
            if (prop, param, None) in shapes:
                found.add((str(prop), str(component)))
    return found


@pytest.mark.parametrize("inference", [True, False])
def test_every_violation_kind(inference, vocab_graph):
    asserted = generated.violation_graph()
    data = asserted + vocab_graph
    if inference:
        data += rules.to_graph(rules.default_rules().infer(rules.graph_triples(asserted)))
    results = check(data, generated.violation_sources(asserted))
    if inference:
        reported = {(r.source_shape, r.constraint) for r in results}
        assert _shape_components(shapes_graph()) - reported == set()


def test_data_folder(default_build):
    check(default_build.data_graph(), default_build.sources)


def test_focus_nodes_restrict_results(vocab_graph):
    asserted = generated.violation_graph()
    program = fastshacl.compile_shapes()
    index = program.index(rules.graph_triples(asserted + vocab_graph))
    everything = program.validate(index)
    focus = "<https://w3id.org/opsi-kg/id/case/v-no-title>"
    only = program.validate(index, focus=[focus])
    assert only and all(r.focus_node == focus[1:-1] for r in only)
    assert only == [r for r in everything if r.focus_node == focus[1:-1]]


GENERIC_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:NodeTargets a sh:NodeShape ;
    sh:targetNode ex:a, ex:missing ; sh:targetSubjectsOf ex:size ; sh:targetObjectsOf ex:knows ;
    sh:property ex:sizeShape, ex:knownBy, ex:friendOfFriend, ex:kindShape .
ex:sizeShape sh:path ex:size ; sh:datatype xsd:integer ; sh:maxCount 1 ; sh:in ( 1 2 3 ) ;
    sh:message "size must be one of 1, 2, 3"@en .
ex:knownBy sh:path [ sh:inversePath ex:knows ] ; sh:maxCount 1 ; sh:severity sh:Info ;
    sh:message "known by more than one"@en .
ex:friendOfFriend sh:path ( ex:knows ex:knows ) ; sh:nodeKind sh:IRI ; sh:maxLength 20 ;
    sh:severity sh:Warning ; sh:message "odd friend of a friend"@en .
ex:kindShape sh:path ex:kind ; sh:pattern "^th" ; sh:flags "i" ; sh:hasValue "Thing" ;
    sh:minLength 2 ; sh:name "kind" ; sh:message "bad kind"@en .
ex:Thing a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:kind ; sh:minCount 1 ; sh:message "no kind"@en ] .
ex:Deactivated a sh:NodeShape ; sh:targetNode ex:a ; sh:deactivated true ;
    sh:property [ sh:path ex:kind ; sh:minCount 5 ] .
"""

GENERIC_DATA = """
@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:a ex:size 2, "x", "abc"^^xsd:integer ; ex:knows ex:b, ex:c ; ex:kind "THING", "Thing" .
ex:b ex:size 7 ; ex:knows ex:c, "lit" , ex:averyveryveryverylongname ; ex:kind "x" .
ex:c ex:knows [ ex:kind "thing" ] .
ex:d a ex:Sub .
ex:Sub rdfs:subClassOf ex:Thing .
ex:e a ex:Thing ; ex:kind "Thing" .
"""


def test_generic_features_equal_pyshacl():
    shapes = Graph().parse(data=GENERIC_SHAPES, format="turtle")
    data = Graph().parse(data=GENERIC_DATA, format="turtle")
    got = check(data, shapes=shapes)
    kinds = {r.constraint.rsplit("#", 1)[-1] for r in got}
    assert kinds >= {
        "DatatypeConstraintComponent",
        "MaxCountConstraintComponent",
        "InConstraintComponent",
        "NodeKindConstraintComponent",
        "MaxLengthConstraintComponent",
        "PatternConstraintComponent",
        "HasValueConstraintComponent",
        "MinLengthConstraintComponent",
        "MinCountConstraintComponent",
    }


def test_generic_messages_keep_the_result_keys():
    """Shapes without sh:message: pyshacl's wording is approximated; the result keys are equal."""
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:maxCount 1 ; sh:pattern "^a" ] .
        """,
        format="turtle",
    )
    data = Graph().parse(data='@prefix ex: <http://example.org/> . ex:x ex:p "b", "a" .', format="turtle")

    def keys(results):
        return Counter((r.focus_node, r.path, r.constraint, r.severity, r.value) for r in results)

    assert keys(validate(data, shapes=shapes)) == keys(fastshacl.validate_fast(data, shapes))


@pytest.mark.parametrize(
    "shape",
    [
        "ex:S sh:targetNode ex:a ; sh:or ( [ sh:path ex:p ; sh:minCount 1 ] ) .",
        "ex:S sh:targetNode ex:a ; sh:node ex:T . ex:T sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
        "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:qualifiedValueShape ex:T ;"
        " sh:qualifiedMinCount 1 ] .",
        "ex:S sh:targetNode ex:a ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ] .",
        "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minInclusive 3 ] .",
        "ex:S sh:targetNode ex:a ; sh:closed true .",
    ],
)
def test_unsupported_shapes_raise(shape):
    shapes = Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> . " + shape,
        format="turtle",
    )
    with pytest.raises(fastshacl.UnsupportedShape):
        fastshacl.compile_shapes(shapes)

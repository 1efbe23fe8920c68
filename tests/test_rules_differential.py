"""The rule engine (opsi_kg.rules) gives exactly what owlrl gives (opsi_kg.reasoning.infer).

Differential tests on generated cases (every ontology feature), on a graph of deliberately odd
data, and on data/; unit tests with one entailment per rule kind (each also checked against
owlrl); UnsupportedAxiom for constructs outside the supported subset; per-record reasoning.
"""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD

from opsi_kg import rules
from opsi_kg.namespaces import DEFAULT_BASE, OPSI, THEME, Iris
from opsi_kg.reasoning import infer as owlrl_infer
from opsi_kg.reasoning import is_noise
from tests import generated  # noqa: E402

EX = "http://example.org/"
TYPE = f"<{RDF.type}>"
PREFIXES = f"""
@prefix ex: <{EX}> . @prefix case: <{DEFAULT_BASE}case/> . @prefix actor: <{DEFAULT_BASE}actor/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


def ttl(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def reference(data: Graph, tbox: Graph | None = None) -> set[rules.Triple]:
    return rules.graph_triples(owlrl_infer(data, schema=tbox))


@pytest.fixture(scope="module")
def ruleset() -> rules.RuleSet:
    return rules.default_rules()


@pytest.fixture(scope="module")
def generated_records():
    records, _results = generated.case_records(150, seed=11)
    return records


def _without_links(graph: Graph) -> Graph:
    """The graph without its opsi:Link provenance nodes (70% of the triples; they only exercise
    rdfs:domain, which data/ covers with links): keeps owlrl's run short (it is superlinear)."""
    links = set(graph.subjects(RDF.type, OPSI.Link))
    out = Graph()
    for triple in graph:
        if triple[0] not in links:
            out.add(triple)
    return out


# ------------------------------------------------------------------------------ differential


def test_generated_cases_equal_owlrl(ruleset, generated_records):
    graph = _without_links(generated.asserted_graph(generated_records))
    expected = reference(graph)
    got = ruleset.infer(rules.graph_triples(graph))
    assert got == expected
    # the data really exercises the features: chains, inverses, regions, shared actors
    predicates = {p for _s, p, _o in got}
    for prop in ("addressesTheme", "inRegion", "involvedIn", "leads", "partnerIn", "funds", "caseIn"):
        assert f"<{OPSI[prop]}>" in predicates, prop


def test_violation_graph_equals_owlrl(ruleset):
    graph = generated.violation_graph()
    assert ruleset.infer(rules.graph_triples(graph)) == reference(graph)


def test_data_folder_equals_owlrl(ruleset, default_build):
    # owlrl is called here, not taken from the build: the pipeline may reason with the rules.
    asserted = default_build.asserted
    got = ruleset.infer(rules.graph_triples(asserted), base=default_build.base)
    assert got == rules.graph_triples(owlrl_infer(asserted, base=default_build.base))


def test_other_base_equals_owlrl():
    base = "http://example.org/kg/"
    records, _results = generated.case_records(3, seed=3)
    graph = generated.asserted_graph(records, base)
    got = rules.default_rules().infer(rules.graph_triples(graph), base=base)
    assert got == rules.graph_triples(owlrl_infer(graph, base=base))


def test_per_record_equals_whole_graph(ruleset, generated_records):
    per_record = generated.record_triple_sets(generated_records)
    asserted = set().union(*per_record)
    parts = ruleset.infer_per_record(per_record)
    assert ruleset.combine(parts, asserted) == ruleset.infer(asserted)
    # a shared actor is typed from several records: the union holds it once
    shared = [t for t in set().union(*parts) if sum(t in part for part in parts[:50]) > 1]
    assert shared


def test_data_asserting_vocabulary_links_is_not_local(ruleset):
    """A record that adds a theme link joins other records' inferences: not local, yet infer() is exact."""
    iris = Iris()
    new_theme, parent = THEME["made-up-theme"], THEME["open-government"]
    record_a = Graph()
    record_a.add((iris.case("a"), OPSI.theme, new_theme))
    record_b = Graph()
    record_b.add((new_theme, URIRef("http://www.w3.org/2004/02/skos/core#broader"), parent))
    parts = [rules.graph_triples(record_a), rules.graph_triples(record_b)]
    with pytest.raises(rules.NonLocalInference):
        ruleset.infer_per_record(parts)
    got = ruleset.infer(parts[0] | parts[1])
    assert (f"<{iris.case('a')}>", f"<{OPSI.addressesTheme}>", f"<{parent}>") in got
    assert got == reference(record_a + record_b)


def test_schema_triples_in_data_recompile(ruleset):
    data = ttl(
        """
        ex:Ministry rdfs:subClassOf <https://w3id.org/opsi-kg/ontology#Actor> .
        actor:m a ex:Ministry ;
            ex:runs case:c .
        ex:runs rdfs:subPropertyOf <https://w3id.org/opsi-kg/ontology#leads> .
        """
    )
    got = ruleset.infer(rules.graph_triples(data))
    assert ("<" + DEFAULT_BASE + "actor/m>", TYPE, f"<{OPSI.Actor}>") in got
    assert ("<" + DEFAULT_BASE + "case/c>", f"<{OPSI.ledBy}>", "<" + DEFAULT_BASE + "actor/m>") in got
    assert got == reference(data)


# ------------------------------------------------------------------------------ one rule each

SUBJECT = f"<{DEFAULT_BASE}case/x>"
OBJECT = f"<{DEFAULT_BASE}actor/y>"
RULE_CASES = {
    "subPropertyOf": (
        "ex:p rdfs:subPropertyOf ex:q .",
        "case:x ex:p actor:y .",
        (SUBJECT, f"<{EX}q>", OBJECT),
    ),
    "equivalentProperty": (
        "ex:p owl:equivalentProperty ex:q .",
        "case:x ex:q actor:y .",
        (SUBJECT, f"<{EX}p>", OBJECT),
    ),
    "inverseOf": ("ex:p owl:inverseOf ex:q .", "case:x ex:q actor:y .", (OBJECT, f"<{EX}p>", SUBJECT)),
    "domain": ("ex:p rdfs:domain ex:C .", "case:x ex:p actor:y .", (SUBJECT, TYPE, f"<{EX}C>")),
    "range": ("ex:p rdfs:range ex:C .", "case:x ex:p actor:y .", (OBJECT, TYPE, f"<{EX}C>")),
    "subClassOf": (
        "ex:C rdfs:subClassOf ex:D . ex:D rdfs:subClassOf ex:E .",
        "case:x a ex:C .",
        (SUBJECT, TYPE, f"<{EX}E>"),
    ),
    "equivalentClass": (
        "ex:C owl:equivalentClass ex:D .",
        "case:x a ex:D .",
        (SUBJECT, TYPE, f"<{EX}C>"),
    ),
    "propertyChainAxiom": (
        "ex:r owl:propertyChainAxiom ( ex:p ex:q ) .",
        "case:x ex:p ex:mid . ex:mid ex:q actor:y .",
        (SUBJECT, f"<{EX}r>", OBJECT),
    ),
    "propertyChainAxiom of three": (
        "ex:r owl:propertyChainAxiom ( ex:p ex:q ex:p ) .",
        "case:x ex:p ex:m1 . ex:m1 ex:q ex:m2 . ex:m2 ex:p actor:y .",
        (SUBJECT, f"<{EX}r>", OBJECT),
    ),
    "recursive chain (addressesTheme o broader)": (
        "ex:about owl:propertyChainAxiom ( ex:about skos:broader ) ."
        " ex:t1 skos:broader ex:t2 . ex:t2 skos:broader ex:t3 .",
        "case:x ex:about ex:t1 .",
        (SUBJECT, f"<{EX}about>", f"<{EX}t3>"),
    ),
    "TransitiveProperty": (
        "ex:p a owl:TransitiveProperty .",
        "case:x ex:p ex:a . ex:a ex:p ex:b . ex:b ex:p actor:y .",
        (SUBJECT, f"<{EX}p>", OBJECT),
    ),
    "SymmetricProperty": (
        "ex:p a owl:SymmetricProperty .",
        "case:x ex:p actor:y .",
        (OBJECT, f"<{EX}p>", SUBJECT),
    ),
    "sub-property then domain then super-class": (
        "ex:p rdfs:subPropertyOf ex:q . ex:q rdfs:domain ex:C . ex:C rdfs:subClassOf ex:D .",
        "case:x ex:p actor:y .",
        (SUBJECT, TYPE, f"<{EX}D>"),
    ),
    "inverse then range": (
        "ex:p owl:inverseOf ex:q . ex:p rdfs:range ex:C .",
        "case:x ex:q actor:y .",
        (SUBJECT, TYPE, f"<{EX}C>"),
    ),
    "declared class in the data": ("", "case:x a owl:Class .", (SUBJECT, f"<{RDFS.subClassOf}>", SUBJECT)),
}


@pytest.mark.parametrize("name", list(RULE_CASES))
def test_one_entailment_per_rule(name):
    tbox_text, data_text, expected = RULE_CASES[name]
    tbox, data = ttl(tbox_text), ttl(data_text)
    got = rules.compile_rules(tbox).infer(rules.graph_triples(data))
    assert expected in got
    assert got == reference(data, tbox)


def test_asserted_super_property_triples_are_not_inferred(ruleset):
    """A triple both asserted and inferred is not in the result, even for a predicate from
    which nothing follows (prov:wasAssociatedWith), whole-graph, in chunks and per record."""
    case, actor = f"<{DEFAULT_BASE}case/c>", f"<{DEFAULT_BASE}actor/a>"
    assoc = "<http://www.w3.org/ns/prov#wasAssociatedWith>"
    asserted = [(case, f"<{OPSI.ledBy}>", actor), (case, assoc, actor)]
    got = ruleset.infer(asserted)
    assert (case, assoc, actor) not in got
    assert got == reference(rules.to_graph(asserted))
    filler = [(f"<{DEFAULT_BASE}case/f{i}>", f"<{EX}note>", '"x"') for i in range(rules.CHUNK)]
    assert ruleset.infer(asserted[:1] + filler + asserted[1:]) == got  # the two in different chunks
    assert ruleset.combine(ruleset.infer_per_record([asserted[:1], asserted[1:]]), asserted) == got


def test_nothing_follows_from_unrelated_triples_and_noise_is_dropped():
    tbox = ttl("ex:p rdfs:domain ex:C . ex:C rdfs:subClassOf owl:Thing . ex:C a owl:Class .")
    data = ttl('case:x ex:other actor:y . case:x ex:label "x" . actor:y a ex:Unrelated .')
    got = rules.compile_rules(tbox).infer(rules.graph_triples(data))
    assert got == set() == reference(data, tbox)
    data = ttl("case:x ex:p actor:y .")
    got = rules.compile_rules(tbox).infer(rules.graph_triples(data))
    assert got == {(SUBJECT, TYPE, f"<{EX}C>")}  # not owl:Thing: closure noise
    assert not any(is_noise(*map(rules.from_nt, t)) for t in got)


@pytest.mark.parametrize(
    "axiom, construct",
    [
        ("ex:p a owl:FunctionalProperty .", "FunctionalProperty"),
        ("ex:C owl:unionOf ( ex:A ex:B ) .", "unionOf"),
        ("ex:C owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:p ; owl:hasValue ex:v ] .", "hasValue"),
        ("ex:C rdfs:subClassOf [ owl:onProperty ex:p ; owl:someValuesFrom ex:D ] .", "someValuesFrom"),
        ("ex:a owl:sameAs ex:b .", "sameAs"),
        ("ex:p rdfs:subPropertyOf rdf:type .", "subPropertyOf"),
    ],
)
def test_unsupported_axioms_are_named(axiom, construct):
    with pytest.raises(rules.UnsupportedAxiom) as err:
        rules.compile_rules(ttl(axiom))
    assert any(construct in c for c in err.value.constructs)


def test_unsupported_construct_in_the_data_is_named(ruleset):
    data = ttl("case:x owl:sameAs case:y .")
    with pytest.raises(rules.UnsupportedAxiom, match="sameAs"):
        ruleset.infer(rules.graph_triples(data))


# ------------------------------------------------------------------------------ terms


def test_terms_round_trip_as_rdflib_writes_n_triples():
    g = Graph()
    s = URIRef(f"{DEFAULT_BASE}case/x")
    objects = [
        Literal('quote " backslash \\ newline \n return \r tab \t é ✓'),
        Literal("Title", lang="en"),
        Literal("2019", datatype=XSD.gYear),
        Literal("7", datatype=XSD.integer),
        URIRef("http://example.org/a#b"),
    ]
    for i, o in enumerate(objects):
        g.add((s, URIRef(f"{EX}p{i}"), o))
    lines = set(g.serialize(format="nt").strip().splitlines())
    assert {" ".join(t) + " ." for t in rules.graph_triples(g)} == lines
    back = rules.to_graph(rules.graph_triples(g))
    assert set(back) == set(g)


# ------------------------------------------------------------------------------ random TBoxes


def _random_case(seed: int) -> tuple[Graph, Graph]:
    """A small random TBox of the supported constructs, and random data over it."""
    import random

    rng = random.Random(seed)
    props = [URIRef(f"{EX}p{i}") for i in range(6)]
    classes = [URIRef(f"{EX}C{i}") for i in range(5)]
    owl = "http://www.w3.org/2002/07/owl#"
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    tbox = Graph()
    for _ in range(rng.randint(3, 9)):
        kind = rng.choice(["spo", "eqp", "inv", "dom", "rng", "sco", "eqc", "chain", "trans", "sym", "decl"])
        p, q = rng.sample(props, 2)
        c, d = rng.sample(classes, 2)
        if kind == "spo":
            tbox.add((p, URIRef(rdfs + "subPropertyOf"), q))
        elif kind == "eqp":
            tbox.add((p, URIRef(owl + "equivalentProperty"), q))
        elif kind == "inv":
            tbox.add((p, URIRef(owl + "inverseOf"), q))
        elif kind == "dom":
            tbox.add((p, URIRef(rdfs + "domain"), c))
        elif kind == "rng":
            tbox.add((p, URIRef(rdfs + "range"), c))
        elif kind == "sco":
            tbox.add((c, URIRef(rdfs + "subClassOf"), d))
        elif kind == "eqc":
            tbox.add((c, URIRef(owl + "equivalentClass"), d))
        elif kind == "chain":
            head = BNode()
            Collection(tbox, head, [rng.choice(props) for _ in range(rng.randint(2, 3))])
            tbox.add((rng.choice(props), URIRef(owl + "propertyChainAxiom"), head))
        elif kind == "trans":
            tbox.add((p, RDF.type, URIRef(owl + "TransitiveProperty")))
        elif kind == "sym":
            tbox.add((p, RDF.type, URIRef(owl + "SymmetricProperty")))
        else:
            tbox.add((c, RDF.type, URIRef(owl + "Class")))
            tbox.add((p, RDF.type, URIRef(owl + "ObjectProperty")))
    nodes = [URIRef(f"{DEFAULT_BASE}case/c{i}") for i in range(4)] + [URIRef(f"{EX}v{i}") for i in range(3)]
    tbox.add((nodes[-1], props[0], nodes[-2]))  # a vocabulary fact the data can join
    data = Graph()
    for _ in range(rng.randint(3, 10)):
        s = rng.choice(nodes[:5])
        if rng.random() < 0.2:
            data.add((s, RDF.type, rng.choice(classes)))
        else:
            o = Literal("lit") if rng.random() < 0.1 else rng.choice(nodes)
            data.add((s, rng.choice(props), o))
    return tbox, data


@pytest.mark.parametrize("seed", range(40))
def test_random_tboxes_equal_owlrl(seed):
    tbox, data = _random_case(seed)
    ruleset = rules.compile_rules(tbox)
    asserted = rules.graph_triples(data)
    assert ruleset.infer(asserted) == reference(data, tbox)
    # per triple as "records": exact whenever every part is local
    parts = [{t} for t in asserted]
    results = [ruleset.infer_record(part) for part in parts]
    if all(local for _inferred, local in results):
        assert ruleset.combine([inferred for inferred, _local in results], asserted) == ruleset.infer(asserted)

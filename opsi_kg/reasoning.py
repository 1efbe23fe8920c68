"""Stage 4, reason: OWL 2 RL closure with owlrl, keeping only what follows about the data.

owlrl is imported here and nowhere else. The closure runs over the asserted data plus the
ontology and the concept schemes; the result is the set of *new* triples minus closure noise
(statements about the ontology's own terms, ``owl:Thing``/``rdfs:Resource`` typing, reflexive
``owl:sameAs``), so the inferred graph holds only facts a query can use.

>>> from rdflib import Graph
>>> from opsi_kg.namespaces import OPSI, Iris
>>> g = Graph(); _ = g.add((Iris().case("c"), OPSI.ledBy, Iris().actor("a")))
>>> (Iris().case("c"), OPSI.involves, Iris().actor("a")) in infer(g)
True
"""

from __future__ import annotations

from functools import cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

from .namespaces import DEFAULT_BASE, OPSI, SCHEMA, bind_prefixes
from .resources import ontology_dir

# The vocabulary files the reasoner needs (the country table and SDGs add nothing it can use).
REASONING_FILES = ("opsi.ttl", "themes.ttl", "levels-of-government.ttl", "actor-types.ttl", "regions.ttl")
META_NAMESPACES = tuple(str(ns) for ns in (OWL, RDF, RDFS, XSD, SKOS, DCTERMS, PROV, SCHEMA, FOAF, ORG, OPSI))
DATA_KINDS = ("case/", "actor/", "award/", "record/")  # instance IRIs minted from records
NOISE_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}


@cache
def tbox() -> Graph:
    """The ontology and concept schemes the reasoner runs with."""
    graph = Graph()
    for name in REASONING_FILES:
        path = ontology_dir() / name
        if path.exists():
            graph.parse(path, format="turtle")
    return graph


def is_noise(s, p, o, base: str = DEFAULT_BASE) -> bool:
    """True for a closure triple that only restates the axioms or says nothing about the data.

    A triple is about the data when its subject or its object is an instance IRI under ``base``
    (a case, actor, award or record); what follows from the vocabularies alone (a country typed
    dct:Location because a region lists it) is theirs, not the data's.
    """
    if isinstance(s, (BNode, Literal)) or isinstance(o, BNode):
        return True
    data = tuple(base + kind for kind in DATA_KINDS)
    if not (str(s).startswith(data) or (isinstance(o, URIRef) and str(o).startswith(data))):
        return True
    if str(s).startswith(META_NAMESPACES):
        return True  # about a class, a property or a datatype, not about the data
    if p == OWL.sameAs or p == OWL.differentFrom:
        return True  # nothing in the ontology makes individuals equal; only reflexive sameAs comes out
    if p == RDF.type and o in NOISE_TYPES:
        return True
    return False


def infer(asserted: Graph, schema: Graph | None = None, base: str = DEFAULT_BASE) -> Graph:
    """The inferred triples about the data: OWL RL closure of data + ontology, minus input and noise."""
    import owlrl

    schema = tbox() if schema is None else schema
    work = Graph()
    for triple in schema:
        work.add(triple)
    for triple in asserted:
        work.add(triple)
    before = set(work)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)
    inferred = bind_prefixes(Graph())
    for triple in work:
        if triple not in before and not is_noise(*triple, base):
            inferred.add(triple)
    return inferred

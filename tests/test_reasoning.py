"""One entailment per test: given these triples, this follows (and a negative where nothing should)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS

from opsi_kg.namespaces import COUNTRY, OPSI, REGION, SCHEMA, THEME, Iris
from opsi_kg.reasoning import infer, is_noise

IRIS = Iris()
CASE, ACTOR = IRIS.case("c"), IRIS.actor("a")


def _infer(*triples) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return infer(g)


@pytest.mark.parametrize(
    "role, inverse",
    [(OPSI.ledBy, OPSI.leads), (OPSI.partner, OPSI.partnerIn), (OPSI.fundedBy, OPSI.funds)],
)
def test_roles_are_involvement_with_inverses(role, inverse):
    g = _infer((CASE, role, ACTOR))
    assert (CASE, OPSI.involves, ACTOR) in g
    assert (ACTOR, OPSI.involvedIn, CASE) in g
    assert (ACTOR, inverse, CASE) in g
    assert (CASE, PROV.wasAssociatedWith, ACTOR) in g


def test_funder_is_schema_funder():
    assert (CASE, SCHEMA.funder, ACTOR) in _infer((CASE, OPSI.fundedBy, ACTOR))


def test_narrower_theme_addresses_the_broader_theme():
    g = _infer((CASE, OPSI.theme, THEME["participatory-budgeting"]))
    assert (CASE, OPSI.addressesTheme, THEME["participatory-budgeting"]) in g
    assert (CASE, OPSI.addressesTheme, THEME["citizen-participation"]) in g
    assert (CASE, DCTERMS.subject, THEME["participatory-budgeting"]) in g


def test_a_theme_does_not_address_its_narrower_themes():
    g = _infer((CASE, OPSI.theme, THEME["citizen-participation"]))
    assert (CASE, OPSI.addressesTheme, THEME["participatory-budgeting"]) not in g
    assert (CASE, DCTERMS.subject, THEME["citizen-participation"]) in g


def test_case_in_a_member_country_is_in_the_region():
    g = _infer((CASE, OPSI.country, COUNTRY.SRB))
    assert (CASE, OPSI.inRegion, REGION["western-balkans"]) in g
    assert (CASE, DCTERMS.spatial, COUNTRY.SRB) in g
    assert (COUNTRY.SRB, OPSI.caseIn, CASE) in g


def test_kosovo_is_in_the_western_balkans():
    assert (CASE, OPSI.inRegion, REGION["western-balkans"]) in _infer((CASE, OPSI.country, COUNTRY["1A0"]))


def test_case_outside_a_region_is_not_in_it():
    g = _infer((CASE, OPSI.country, COUNTRY.FRA))
    assert (CASE, OPSI.inRegion, REGION["western-balkans"]) not in g


def test_domains_and_ranges_type_the_data():
    g = _infer((CASE, OPSI.ledBy, ACTOR))
    assert (CASE, RDF.type, OPSI.Case) in g
    assert (ACTOR, RDF.type, OPSI.Actor) in g


def test_class_alignments_follow():
    g = _infer((CASE, RDF.type, OPSI.Case), (ACTOR, RDF.type, OPSI.Actor))
    assert (CASE, RDF.type, PROV.Activity) in g
    assert (ACTOR, RDF.type, PROV.Agent) in g


def test_nothing_follows_from_a_plain_literal():
    assert len(_infer((CASE, DCTERMS.title, Literal("x", lang="en")))) == 0


def test_closure_noise_is_not_kept():
    g = _infer((CASE, OPSI.ledBy, ACTOR))
    assert not list(g.triples((None, OWL.sameAs, None)))
    assert not list(g.triples((None, RDF.type, OWL.Thing)))
    assert not any(str(s).startswith(str(OPSI)) for s in g.subjects())
    assert is_noise(OPSI.Case, RDFS.subClassOf, PROV.Activity)
    assert is_noise(COUNTRY.SRB, RDF.type, OPSI.Country)  # vocabulary-only: not about the data

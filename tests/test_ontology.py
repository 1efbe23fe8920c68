"""The ontology is tidy and complete: every opsi: term used in code, queries and shapes is defined in
ontology/opsi.ttl with a label, a definition and rdfs:isDefinedBy; the concept schemes hold together."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from opsi_kg.namespaces import OPSI
from opsi_kg.vocab import key, vocabulary

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = Graph().parse(ROOT / "ontology" / "opsi.ttl")
DEFINED = {s for s in ONTOLOGY.subjects() if isinstance(s, URIRef) and str(s).startswith(str(OPSI))}


def _used_terms() -> set[str]:
    used = set()
    for path in [*ROOT.glob("opsi_kg/**/*.py"), *ROOT.glob("queries/**/*.rq"), *ROOT.glob("shapes/*.ttl")]:
        text = path.read_text(encoding="utf-8")
        used |= {m for m in re.findall(r"\bOPSI\.([A-Za-z]\w*)", text)}
        used |= {m for m in re.findall(r"\bopsi:([A-Za-z]\w*)", text)}
        used |= {m for m in re.findall(r'OPSI\["([A-Za-z]\w*)"\]', text)}
    return used


def test_every_term_used_is_defined():
    missing = sorted(t for t in _used_terms() if OPSI[t] not in DEFINED)
    assert not missing, f"used but not defined in ontology/opsi.ttl: {missing}"


@pytest.mark.parametrize("term", sorted(DEFINED - {URIRef(str(OPSI))}), ids=lambda t: t.rsplit("#", 1)[-1])
def test_every_term_is_documented(term):
    assert ONTOLOGY.value(term, RDFS.label) is not None
    assert ONTOLOGY.value(term, SKOS.definition) is not None
    assert ONTOLOGY.value(term, RDFS.isDefinedBy) == URIRef("https://w3id.org/opsi-kg/ontology")


def test_object_properties_have_domain_and_range():
    for prop in ONTOLOGY.subjects(RDF.type, OWL.ObjectProperty):
        if str(prop).startswith(str(OPSI)) and prop != OPSI.linkedTo:
            assert ONTOLOGY.value(prop, RDFS.domain) is not None, prop
            assert ONTOLOGY.value(prop, RDFS.range) is not None, prop


def test_no_label_key_names_two_concepts():
    v = vocabulary()
    for index in (v.themes, v.levels, v.actor_types, v.regions):
        assert not index.ambiguous, f"{index.kind}: {sorted(index.ambiguous)}"


def test_theme_hierarchy_is_stated_both_ways_and_acyclic():
    g = vocabulary().graph
    for narrower, broader in g.subject_objects(SKOS.broader):
        assert (broader, SKOS.narrower, narrower) in g
    for theme in vocabulary().themes.labels:
        seen, cur = set(), theme
        while cur is not None:
            assert cur not in seen, f"cycle through {cur}"
            seen.add(cur)
            cur = g.value(cur, SKOS.broader)


def test_citizen_participation_has_the_narrower_themes_the_issue_names():
    g = vocabulary().graph
    theme = URIRef("https://w3id.org/opsi-kg/id/theme/")
    narrower = {str(n).rsplit("/", 1)[-1] for n in g.objects(URIRef(f"{theme}citizen-participation"), SKOS.narrower)}
    assert {"participatory-budgeting", "e-participation", "deliberation"} <= narrower


@pytest.mark.parametrize(
    "tag", ["citizen-engagement", "participation", "open-data", "artificial-intelligence-ai", "Open Data", "AI"]
)
def test_opsi_tags_resolve_to_themes(tag):
    assert vocabulary().themes.resolve(tag) is not None


def test_western_balkans_members():
    g = vocabulary().graph
    wb = URIRef("https://w3id.org/opsi-kg/id/region/western-balkans")
    codes = {str(c).rsplit("/", 1)[-1] for c in g.objects(wb, OPSI.memberCountry)}
    assert codes == {"ALB", "BIH", "1A0", "MNE", "MKD", "SRB"}


@pytest.mark.parametrize(
    "text, code",
    [
        ("France", "FRA"),
        ("FR", "FRA"),
        ("fra", "FRA"),
        ("Korea", "KOR"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("UK", "GBR"),
        ("Kosovo", "1A0"),
        ("XK", "1A0"),
        ("Côte d'Ivoire", "CIV"),
    ],
)
def test_country_spellings(text, code):
    concept = vocabulary().countries.resolve(text)
    assert concept is not None and str(concept).endswith("/" + code), (text, concept)


def test_country_suggestions():
    assert vocabulary().countries.suggest("Frnace")[0] == "France"
    assert key("Côte d’Ivoire") == "cote d ivoire"

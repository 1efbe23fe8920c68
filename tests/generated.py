"""Synthetic data for the differential tests of the fast engines (opsi_kg.rules, opsi_kg.fastshacl).

- :func:`case_records`: realistic records from ``bench/generate.py`` (YAML-style, with actor
  types and countries), plus a few hand-made ones so every ontology feature is exercised:
  multi-country cases, asserted and inferred regions, a free-text place, all three roles, actors
  shared across cases, nested themes, keywords, awards with years, SDGs, citations, an actor whose
  records disagree about its type, actors without a type.
- :func:`violation_graph`: triples built directly (bypassing the normaliser, which would refuse
  most of them) so that every (shape, constraint component) of shapes/ reports at least once,
  with odd values the reasoner must also cope with (literal actors, blank-node sources, a
  subclass of opsi:Actor declared in the data).
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from opsi_kg.mapping import map_records, record_nt
from opsi_kg.namespaces import ACTOR_TYPE, COUNTRY, DEFAULT_BASE, LEVEL, OPSI, SDG, THEME, Iris
from opsi_kg.normalise import CaseRecord, normalise_all
from opsi_kg.records import RawRecord
from opsi_kg.report import Result
from opsi_kg.terms import Triple

ROOT = Path(__file__).resolve().parent.parent


@cache
def bench_generator():
    """bench/generate.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("opsi_kg_bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Hand-made records that make sure every feature appears however small n is.
EXTRA_RECORDS = [
    {
        "id": "western-balkans-digital-hub",
        "title": "Western Balkans Digital Hub",
        "summary": "A shared digital hub of several Western Balkan governments.",
        "countries": ["Serbia", "Montenegro", "Albania", "North Macedonia"],
        "region": "Western Balkans",
        "year": 2019,
        "level_of_government": "multi-national",
        "actors": [
            {"name": "Contested Agency", "role": "lead", "type": "government", "country": "Serbia"},
            {"name": "Regional Cooperation Council (RCC)", "role": "partner", "type": "international-organisation"},
            {"name": "Balkan Tech Fund", "role": "funder", "type": "private-sector", "country": "Montenegro"},
        ],
        "themes": ["participatory-budgeting", "open-data", "drones"],
        "awards": [{"name": "OPSI Innovation Award 2021", "year": 2021}],
        "sdgs": [9, 16, 17],
        "sources": ["https://example.org/wb-hub", "Regional report, 2020"],
    },
    {
        "id": "basque-co-creation",
        "title": "Basque co-creation",
        "countries": ["Spain"],
        "region": "Gipuzkoa",
        "city": "San Sebastian",
        "year": "July 2018",
        "level_of_government": "regional",
        "actors": [
            {"name": "Contested Agency", "role": "partner", "type": "academia"},
            {"name": "RCC", "role": "funder"},
            {"name": "Gipuzkoa Provincial Council", "role": "lead"},
        ],
        "themes": ["co-creation", "citizen-participation"],
        "sources": ["https://example.org/basque"],
    },
]


def raw_records(n: int = 300, seed: int = 7) -> list[RawRecord]:
    records = bench_generator().generate_records(n, seed) + [dict(r) for r in EXTRA_RECORDS]
    return [RawRecord(f"cases/{r['id']}.yaml", r, stem=r["id"]) for r in records]


def case_records(n: int = 300, seed: int = 7) -> tuple[list[CaseRecord], list[Result]]:
    """(records kept by the normaliser, its results) for n generated cases plus EXTRA_RECORDS."""
    kept, results, _quarantined, _read = normalise_all(raw_records(n, seed))
    return kept, results


def asserted_graph(records: list[CaseRecord], base: str = DEFAULT_BASE) -> Graph:
    return map_records(records, Iris(base))


def record_triple_sets(records: list[CaseRecord], base: str = DEFAULT_BASE) -> list[set[Triple]]:
    """Each record's triples, as N-Triples strings (the per-record input of the rule engine)."""
    iris = Iris(base)
    return [set(record_nt(rec, iris)) for rec in records]


def violation_graph(base: str = DEFAULT_BASE) -> Graph:
    """Cases, actors and awards with every kind of problem the shapes can report."""
    iris = Iris(base)
    ex = Namespace("http://example.org/")
    g = Graph()
    en = lambda text: Literal(text, lang="en")  # noqa: E731
    year = lambda y: Literal(str(y), datatype=XSD.gYear)  # noqa: E731

    def case(slug: str, *, title=True, ident=True, complete=True) -> URIRef:
        node = iris.case(slug)
        g.add((node, RDF.type, OPSI.Case))
        if ident:
            g.add((node, DCTERMS.identifier, Literal(slug)))
        if title:
            g.add((node, DCTERMS.title, en(slug.replace("-", " ").title())))
        if complete:  # everything the warning shapes ask for
            g.add((node, DCTERMS.description, en("A case with one deliberate problem.")))
            g.add((node, OPSI.launchYear, year(2020)))
            g.add((node, OPSI.country, COUNTRY.FRA))
            g.add((node, OPSI.levelOfGovernment, LEVEL.national))
            g.add((node, OPSI.theme, THEME["open-data"]))
            g.add((node, OPSI.ledBy, iris.actor("good-actor")))
            g.add((node, DCTERMS.source, URIRef(f"https://example.org/{slug}")))
        return node

    good = iris.actor("good-actor")
    g.add((good, RDF.type, OPSI.Actor))
    g.add((good, RDFS.label, en("Good actor")))
    g.add((good, OPSI.actorType, ACTOR_TYPE.government))
    g.add((good, OPSI.basedIn, COUNTRY.FRA))

    # Titles: missing, two, not a language string, empty.
    case("v-no-title", title=False)
    g.add((case("v-two-titles"), DCTERMS.title, en("Another title")))
    node = case("v-plain-title", title=False)
    g.add((node, DCTERMS.title, Literal("Plain title")))
    g.add((case("v-typed-title", title=False), DCTERMS.title, Literal("Typed", datatype=XSD.string)))
    g.add((case("v-empty-title", title=False), DCTERMS.title, en("")))
    # Summary: two. Identifier: missing, two, not a slug.
    g.add((case("v-two-summaries"), DCTERMS.description, en("A second summary.")))
    case("v-no-id", ident=False)
    g.add((case("v-two-ids"), DCTERMS.identifier, Literal("v-two-ids-again")))
    g.add((case("v-bad-id", ident=False), DCTERMS.identifier, Literal("Bad_ID")))
    # Years: two, wrong datatype, before 1900, after 2099. (No ill-formed xsd:gYear such as
    # "soon": whether pyshacl calls it ill-typed depends on whether owlrl ran earlier in the
    # process, see opsi_kg.fastshacl._default_cast.)
    g.add((case("v-two-years"), OPSI.launchYear, year(2021)))
    g.add((case("v-integer-year"), OPSI.launchYear, Literal("2019", datatype=XSD.integer)))
    g.add((case("v-old-year", complete=False), OPSI.launchYear, year(1850)))
    g.add((case("v-future-year", complete=False), OPSI.launchYear, year(2150)))
    # Countries: a literal, an IRI outside the country table (typed Country by the range axiom).
    g.add((case("v-literal-country"), OPSI.country, Literal("France")))
    g.add((case("v-unknown-country"), OPSI.country, ex.Atlantis))
    # Levels: two, a literal, an IRI outside the scheme.
    g.add((case("v-two-levels"), OPSI.levelOfGovernment, LEVEL.local))
    g.add((case("v-literal-level"), OPSI.levelOfGovernment, Literal("national")))
    g.add((case("v-unknown-level"), OPSI.levelOfGovernment, LEVEL.galactic))
    # Themes and keywords: a literal theme, an unknown theme IRI, nested themes.
    g.add((case("v-literal-theme"), OPSI.theme, Literal("open data")))
    g.add((case("v-unknown-theme"), OPSI.theme, THEME["not-a-theme"]))
    g.add((case("v-nested-theme"), OPSI.theme, THEME["participatory-budgeting"]))
    # Actors of a case: a literal lead, a blank-node partner, an involves asserted directly.
    g.add((case("v-literal-actor"), OPSI.ledBy, Literal("Some Organisation")))
    g.add((case("v-blank-actor"), OPSI.partner, BNode("anonymousPartner")))
    g.add((case("v-direct-involves"), OPSI.involves, iris.actor("good-actor")))
    # Sources: a literal, a non-http IRI, a blank node.
    g.add((case("v-literal-source"), DCTERMS.source, Literal("Annual report 2020")))
    g.add((case("v-ftp-source"), DCTERMS.source, URIRef("ftp://files.example.org/report.pdf")))
    g.add((case("v-blank-source"), DCTERMS.source, BNode("someSource")))
    # Awards: a literal award.
    g.add((case("v-literal-award"), OPSI.award, Literal("Best prize")))
    # SDGs: goal 18, a literal, goal 0.
    g.add((case("v-sdg-18"), OPSI.sdg, SDG["18"]))
    g.add((case("v-literal-sdg"), OPSI.sdg, Literal("3")))
    g.add((case("v-sdg-0"), OPSI.sdg, SDG["0"]))
    # A bare case: every warning (no summary, year, country, level, theme, lead, source).
    case("v-bare", complete=False)

    # Actors: no name, empty name, two types, a literal type, no type, literal country.
    def actor(slug: str, *, label=True, type_=True) -> URIRef:
        node = iris.actor(slug)
        g.add((case(f"v-case-of-{slug}"), OPSI.partner, node))
        g.add((node, RDF.type, OPSI.Actor))
        if label:
            g.add((node, RDFS.label, en(slug.replace("-", " "))))
        if type_:
            g.add((node, OPSI.actorType, ACTOR_TYPE.academia))
        return node

    actor("a-no-name", label=False)
    g.add((actor("a-empty-name", label=False), RDFS.label, en("")))
    g.add((actor("a-two-types"), OPSI.actorType, ACTOR_TYPE["civil-society"]))
    g.add((actor("a-literal-type", type_=False), OPSI.actorType, Literal("government")))
    actor("a-no-type", type_=False)
    g.add((actor("a-literal-country"), OPSI.basedIn, Literal("France")))
    g.add((actor("a-unknown-country"), OPSI.basedIn, ex.Atlantis))
    # An actor typed only with a subclass of opsi:Actor declared in the data (SHACL instance).
    g.add((ex.Ministry, RDFS.subClassOf, OPSI.Actor))
    g.add((iris.actor("a-ministry"), RDF.type, ex.Ministry))
    g.add((case("v-ministry-led"), OPSI.partner, iris.actor("a-ministry")))

    # Awards: no name, two years, a plain-literal year.
    def award(slug: str, *, label=True) -> URIRef:
        node = iris.award(slug)
        g.add((case(f"v-case-of-{slug}"), OPSI.award, node))
        g.add((node, RDF.type, OPSI.Award))
        if label:
            g.add((node, RDFS.label, en(slug.replace("-", " "))))
        g.add((node, OPSI.awardYear, year(2020)))
        return node

    award("w-no-name", label=False)
    g.add((award("w-two-years"), OPSI.awardYear, year(2021)))
    node = award("w-plain-year")
    g.remove((node, OPSI.awardYear, None))
    g.add((node, OPSI.awardYear, Literal("2020")))
    return g


def violation_sources(graph: Graph) -> dict[str, list[str]]:
    """Every subject of the violation graph comes from one pretend record file."""
    return {str(s): ["violations.ttl"] for s in set(graph.subjects()) if isinstance(s, URIRef)}


__all__ = [
    "EXTRA_RECORDS",
    "asserted_graph",
    "bench_generator",
    "case_records",
    "raw_records",
    "record_triple_sets",
    "violation_graph",
    "violation_sources",
]

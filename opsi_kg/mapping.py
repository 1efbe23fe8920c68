"""Stage 3, map: normalised case records to RDF triples under the opsi-kg ontology.

IRIs are deterministic (the same input gives the same graph), every case points at the record it
came from, and every normalisation decision (raw value -> IRI) is kept as a provenance node.
See docs/model.md for the properties used.

>>> from opsi_kg.normalise import CaseRecord
>>> g = map_records([CaseRecord(source="cases/demo.yaml", slug="demo", title="Demo")])
>>> (Iris().case("demo"), DCTERMS.title, Literal("Demo", lang="en")) in g
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from .namespaces import OPSI, SDG, Iris, bind_prefixes
from .normalise import CaseRecord

Triple = tuple[URIRef, URIRef, URIRef | Literal]

ROLE_PROPERTY = {"lead": OPSI.ledBy, "partner": OPSI.partner, "funder": OPSI.fundedBy}


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def _year(year: int) -> Literal:
    return Literal(f"{year:04d}", datatype=XSD.gYear)


def record_triples(rec: CaseRecord, iris: Iris) -> Iterator[Triple]:
    """The triples of one case record, in a fixed order."""
    case = iris.case(rec.slug)
    record = iris.record(rec.slug)
    yield case, RDF.type, OPSI.Case
    yield case, DCTERMS.identifier, Literal(rec.slug)
    if rec.title:
        yield case, DCTERMS.title, _en(rec.title)
    if rec.summary:
        yield case, DCTERMS.description, _en(rec.summary)
    if rec.year is not None:
        yield case, OPSI.launchYear, _year(rec.year)
    for country in rec.countries:
        yield case, OPSI.country, country
    for region in rec.regions:
        yield case, OPSI.inRegion, region
    if rec.place_name:
        yield case, OPSI.placeName, Literal(rec.place_name)
    if rec.city:
        yield case, OPSI.city, Literal(rec.city)
    if rec.level is not None:
        yield case, OPSI.levelOfGovernment, rec.level
    for theme in rec.themes:
        yield case, OPSI.theme, theme
    for word in rec.keywords:
        yield case, OPSI.keyword, Literal(word)
    for number in rec.sdgs:
        yield case, OPSI.sdg, SDG[str(number)]
    for url in rec.sources:
        yield case, DCTERMS.source, URIRef(url)
    for text in rec.citations:
        yield case, DCTERMS.bibliographicCitation, Literal(text)
    for actor in rec.actors:
        node = iris.actor(actor.slug)
        yield case, ROLE_PROPERTY[actor.role], node
        yield node, RDF.type, OPSI.Actor
        yield node, RDFS.label, _en(actor.name)
        if actor.acronym:
            yield node, SKOS.altLabel, _en(actor.acronym)
        if actor.type is not None:
            yield node, OPSI.actorType, actor.type
        if actor.country is not None:
            yield node, OPSI.basedIn, actor.country
    for award in rec.awards:
        node = iris.award(award.slug)
        yield case, OPSI.award, node
        yield node, RDF.type, OPSI.Award
        yield node, RDFS.label, _en(award.name)
        if award.year is not None:
            yield node, OPSI.awardYear, _year(award.year)
    # Provenance: the record, and each decision that linked a written value to an IRI.
    yield case, PROV.wasDerivedFrom, record
    yield record, RDF.type, OPSI.SourceRecord
    yield record, OPSI.sourceLocation, Literal(rec.source)
    counters: dict[str, int] = {}
    decisions = [(link.field, link.raw, link.target) for link in rec.links]
    # Each organisation name as written, and the actor IRI it became (after merges).
    decisions += [(a.field, a.written, iris.actor(a.slug)) for a in rec.actors if a.written]
    for field, raw, target in decisions:
        fld = field.split("[", 1)[0].split(".", 1)[0]
        counters[fld] = counters.get(fld, 0) + 1
        node = iris.link(rec.slug, fld, counters[fld])
        yield node, RDF.type, OPSI.Link
        yield node, PROV.wasDerivedFrom, record
        yield node, OPSI.field, Literal(field)
        yield node, OPSI.rawValue, Literal(raw)
        yield node, OPSI.linkedTo, target


def map_records(records: Iterable[CaseRecord], iris: Iris | None = None) -> Graph:
    """The asserted graph of many records."""
    iris = iris or Iris()
    graph = bind_prefixes(Graph(), iris.base)
    for rec in records:
        for triple in record_triples(rec, iris):
            graph.add(triple)
    return graph


def subject_sources(records: Iterable[CaseRecord], iris: Iris | None = None) -> dict[str, list[str]]:
    """Which record files each case, actor and award IRI comes from (for reports)."""
    iris = iris or Iris()
    found: dict[str, list[str]] = {}
    for rec in records:
        nodes = [iris.case(rec.slug), iris.record(rec.slug)]
        nodes += [iris.actor(a.slug) for a in rec.actors] + [iris.award(a.slug) for a in rec.awards]
        for node in nodes:
            sources = found.setdefault(str(node), [])
            if rec.source not in sources:
                sources.append(rec.source)
    return found

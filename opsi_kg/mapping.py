"""Stage 3, map: normalised case records to RDF triples under the opsi-kg ontology.

IRIs are deterministic (the same input gives the same graph), every case points at the record it
came from, and every normalisation decision (raw value -> IRI) is kept as a provenance node.
See docs/model.md for the properties used.

>>> from rdflib import Literal
>>> from rdflib.namespace import DCTERMS
>>> from opsi_kg.normalise import CaseRecord
>>> g = map_records([CaseRecord(source="cases/demo.yaml", slug="demo", title="Demo")])
>>> (Iris().case("demo"), DCTERMS.title, Literal("Demo", lang="en")) in g
True
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from .namespaces import OPSI, SDG, Iris, bind_prefixes
from .normalise import CaseRecord


def map_records(records: Iterable[CaseRecord], iris: Iris | None = None) -> Graph:
    """The asserted graph of many records."""
    from .terms import to_graph

    iris = iris or Iris()
    graph = bind_prefixes(Graph(), iris.base)
    for rec in records:
        to_graph(record_nt(rec, iris), graph)
    return graph


_NT = {
    name: f"<{term}>"
    for name, term in {
        "type": RDF.type, "label": RDFS.label, "alt": SKOS.altLabel, "title": DCTERMS.title,
        "description": DCTERMS.description, "identifier": DCTERMS.identifier, "source": DCTERMS.source,
        "citation": DCTERMS.bibliographicCitation, "derived": PROV.wasDerivedFrom, "Case": OPSI.Case,
        "Actor": OPSI.Actor, "Award": OPSI.Award, "SourceRecord": OPSI.SourceRecord, "Link": OPSI.Link,
        "year": OPSI.launchYear, "country": OPSI.country, "inRegion": OPSI.inRegion, "place": OPSI.placeName,
        "city": OPSI.city, "level": OPSI.levelOfGovernment, "theme": OPSI.theme, "keyword": OPSI.keyword,
        "sdg": OPSI.sdg, "award": OPSI.award, "actorType": OPSI.actorType, "basedIn": OPSI.basedIn,
        "awardYear": OPSI.awardYear, "location": OPSI.sourceLocation, "field": OPSI.field,
        "raw": OPSI.rawValue, "linked": OPSI.linkedTo, "lead": OPSI.ledBy, "partner": OPSI.partner,
        "funder": OPSI.fundedBy,
    }.items()
}
_GYEAR = str(XSD.gYear)


def record_nt(rec: CaseRecord, iris: Iris) -> list[tuple[str, str, str]]:
    """The triples of one case record, in a fixed order, as N-Triples strings (:mod:`opsi_kg.terms`).

    Built without rdflib terms, so a 100,000-case import maps in seconds.
    """
    from .terms import iri, literal

    n = _NT
    case = iri(iris.case(rec.slug))
    record = iri(iris.record(rec.slug))
    out = [(case, n["type"], n["Case"]), (case, n["identifier"], literal(rec.slug))]
    add = out.append
    if rec.title:
        add((case, n["title"], literal(rec.title, lang="en")))
    if rec.summary:
        add((case, n["description"], literal(rec.summary, lang="en")))
    if rec.year is not None:
        add((case, n["year"], literal(f"{rec.year:04d}", datatype=_GYEAR)))
    out += [(case, n["country"], f"<{c}>") for c in rec.countries]
    out += [(case, n["inRegion"], f"<{r}>") for r in rec.regions]
    if rec.place_name:
        add((case, n["place"], literal(rec.place_name)))
    if rec.city:
        add((case, n["city"], literal(rec.city)))
    if rec.level is not None:
        add((case, n["level"], f"<{rec.level}>"))
    out += [(case, n["theme"], f"<{t}>") for t in rec.themes]
    out += [(case, n["keyword"], literal(w)) for w in rec.keywords]
    out += [(case, n["sdg"], f"<{SDG}{number}>") for number in rec.sdgs]
    out += [(case, n["source"], f"<{url}>") for url in rec.sources]
    out += [(case, n["citation"], literal(text)) for text in rec.citations]
    for actor in rec.actors:
        node = iri(iris.actor(actor.slug))
        add((case, n[actor.role], node))
        add((node, n["type"], n["Actor"]))
        add((node, n["label"], literal(actor.name, lang="en")))
        if actor.acronym:
            add((node, n["alt"], literal(actor.acronym, lang="en")))
        if actor.type is not None:
            add((node, n["actorType"], f"<{actor.type}>"))
        if actor.country is not None:
            add((node, n["basedIn"], f"<{actor.country}>"))
    for award in rec.awards:
        node = iri(iris.award(award.slug))
        add((case, n["award"], node))
        add((node, n["type"], n["Award"]))
        add((node, n["label"], literal(award.name, lang="en")))
        if award.year is not None:
            add((node, n["awardYear"], literal(f"{award.year:04d}", datatype=_GYEAR)))
    add((case, n["derived"], record))
    add((record, n["type"], n["SourceRecord"]))
    add((record, n["location"], literal(rec.source)))
    counters: dict[str, int] = {}
    decisions = [(link.field, link.raw, link.target) for link in rec.links]
    decisions += [(a.field, a.written, iris.actor(a.slug)) for a in rec.actors if a.written]
    for field, raw, target in decisions:
        fld = field.split("[", 1)[0].split(".", 1)[0]
        counters[fld] = counters.get(fld, 0) + 1
        node = iri(iris.link(rec.slug, fld, counters[fld]))
        add((node, n["type"], n["Link"]))
        add((node, n["derived"], record))
        add((node, n["field"], literal(field)))
        add((node, n["raw"], literal(raw)))
        add((node, n["linked"], f"<{target}>"))
    return out


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

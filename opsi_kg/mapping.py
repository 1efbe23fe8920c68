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
from functools import lru_cache
from sys import intern

from rdflib import Graph
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from .namespaces import OPSI, SDG, Iris, bind_prefixes
from .normalise import CaseRecord
from .terms import gc_paused, literal


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

    Built without rdflib terms, so a 100,000-case import maps in seconds. IRIs are minted as
    :class:`~opsi_kg.namespaces.Iris` mints them. Terms that recur across records (concept and
    actor IRIs, labels, raw values) are interned, so the millions of triples of a large import
    share one string object per distinct term.
    """
    n = _NT
    base = iris.base
    slug = rec.slug
    case = f"<{base}case/{slug}>"
    record = f"<{base}record/{slug}>"
    out = [(case, n["type"], n["Case"]), (case, n["identifier"], literal(slug))]
    add = out.append
    if rec.title:
        add((case, n["title"], literal(rec.title, lang="en")))
    if rec.summary:
        add((case, n["description"], literal(rec.summary, lang="en")))
    if rec.year is not None:
        add((case, n["year"], _year(rec.year)))
    if rec.countries:
        p = n["country"]
        out += [(case, p, intern(f"<{c}>")) for c in rec.countries]
    if rec.regions:
        p = n["inRegion"]
        out += [(case, p, intern(f"<{r}>")) for r in rec.regions]
    if rec.place_name:
        add((case, n["place"], _PLAIN.get(rec.place_name) or _plain(rec.place_name)))
    if rec.city:
        add((case, n["city"], _PLAIN.get(rec.city) or _plain(rec.city)))
    if rec.level is not None:
        add((case, n["level"], intern(f"<{rec.level}>")))
    if rec.themes:
        p = n["theme"]
        out += [(case, p, intern(f"<{t}>")) for t in rec.themes]
    if rec.keywords:
        p = n["keyword"]
        out += [(case, p, _PLAIN.get(w) or _plain(w)) for w in rec.keywords]
    if rec.sdgs:
        p = n["sdg"]
        out += [(case, p, intern(f"<{SDG}{number}>")) for number in rec.sdgs]
    if rec.sources:
        p = n["source"]
        out += [(case, p, f"<{url}>") for url in rec.sources]
    if rec.citations:
        p = n["citation"]
        out += [(case, p, literal(text)) for text in rec.citations]
    actor_nodes = []
    for actor in rec.actors:
        node = intern(f"<{base}actor/{actor.slug}>")
        actor_nodes.append(node)
        add((case, n[actor.role], node))
        add((node, n["type"], n["Actor"]))
        add((node, n["label"], _EN.get(actor.name) or _english(actor.name)))
        if actor.acronym:
            add((node, n["alt"], _EN.get(actor.acronym) or _english(actor.acronym)))
        if actor.type is not None:
            add((node, n["actorType"], intern(f"<{actor.type}>")))
        if actor.country is not None:
            add((node, n["basedIn"], intern(f"<{actor.country}>")))
    for award in rec.awards:
        node = intern(f"<{base}award/{award.slug}>")
        add((case, n["award"], node))
        add((node, n["type"], n["Award"]))
        add((node, n["label"], _EN.get(award.name) or _english(award.name)))
        if award.year is not None:
            add((node, n["awardYear"], _year(award.year)))
    add((case, n["derived"], record))
    add((record, n["type"], n["SourceRecord"]))
    add((record, n["location"], literal(rec.source)))
    counters: dict[str, int] = {}
    decisions = [(link.field, link.raw, intern(f"<{link.target}>")) for link in rec.links]
    decisions += [(a.field, a.written, node) for a, node in zip(rec.actors, actor_nodes, strict=True) if a.written]
    link_type, derived, field_p, raw_p, linked_p = n["Link"], n["derived"], n["field"], n["raw"], n["linked"]
    type_p = n["type"]
    for field, raw, target in decisions:
        fld, field_term = _field(field)
        counters[fld] = count = counters.get(fld, 0) + 1
        node = f"<{base}record/{slug}/{fld}-{count}>"
        add((node, type_p, link_type))
        add((node, derived, record))
        add((node, field_p, field_term))
        add((node, raw_p, _PLAIN.get(raw) or _plain(raw)))
        add((node, linked_p, target))
    return out


# Literal terms of values that recur across records (labels, raw values), made once and shared.
_PLAIN: dict[str, str] = {}
_EN: dict[str, str] = {}
_SHARED_MAX = 1 << 17


def _plain(text: str) -> str:
    if len(_PLAIN) >= _SHARED_MAX:
        _PLAIN.clear()
    term = _PLAIN[text] = intern(literal(text))
    return term


def _english(text: str) -> str:
    if len(_EN) >= _SHARED_MAX:
        _EN.clear()
    term = _EN[text] = intern(literal(text, lang="en"))
    return term


@lru_cache(maxsize=4096)
def _field(field: str) -> tuple[str, str]:
    """(the field's name without index or sub-field, the field as a literal term)."""
    return field.split("[", 1)[0].split(".", 1)[0], intern(literal(field))


@lru_cache(maxsize=1024)
def _year(year: int) -> str:
    return literal(f"{year:04d}", datatype=_GYEAR)


def record_nodes(rec: CaseRecord, base: str) -> list[str]:
    """The IRIs one record is the source of: its case and record, its actors and awards."""
    nodes = [f"{base}case/{rec.slug}", f"{base}record/{rec.slug}"]
    nodes += [f"{base}actor/{a.slug}" for a in rec.actors]
    nodes += [f"{base}award/{a.slug}" for a in rec.awards]
    return nodes


def group_sources(nodes_by_source: Iterable[tuple[str, list[str]]]) -> dict[str, list[str]]:
    """node -> the sources naming it, in order, from one (source, nodes) pair per source."""
    found: dict[str, list[str]] = {}
    get = found.get
    with gc_paused():  # hundreds of thousands of small lists: nothing for the collector to find
        for source, nodes in nodes_by_source:
            for node in nodes:
                sources = get(node)
                if sources is None:
                    found[node] = [source]
                elif sources[-1] != source:  # sources come in order: a repeat can only be the last
                    sources.append(source)
    return found


def subject_sources(records: Iterable[CaseRecord], iris: Iris | None = None) -> dict[str, list[str]]:
    """Which record files each case, actor and award IRI comes from (for reports)."""
    base = (iris or Iris()).base
    return group_sources((rec.source, record_nodes(rec, base)) for rec in records)
